"""``python -m mockkit`` is the ``mockkit`` command."""

import sys

from .cli import main

sys.exit(main())
