"""The bundled demo collection: a small shop API that shows what mockkit does.

Folders, a ``{{userId}}`` wildcard path beside a literal ``/users/me``, an ``:orderId`` path
variable, query variants, several status codes per request, dynamic variables, request
templates, and pm.test scripts so newman can check a mock of it.
"""

from pathlib import Path

DEMO_COLLECTION = Path(__file__).with_name("demo.postman_collection.json")

__all__ = ["DEMO_COLLECTION"]
