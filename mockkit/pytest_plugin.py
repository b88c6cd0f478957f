"""pytest plugin (entry point ``pytest11``): the ``mockkit_server`` fixture factory.

    def test_client(mockkit_server):
        mock = mockkit_server("tests/api.postman_collection.json", seed=1)
        assert my_client(base_url=mock.url).get_user(42).name
        assert mock.calls["status"].tolist() == [200]

Each call starts a real server on 127.0.0.1 (a free port); every server the test started is
stopped when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def mockkit_server() -> Iterator[Callable[..., Any]]:
    """A factory: ``mockkit_server(collection, **serve_options) -> MockServer``."""
    from .mock import MockServer

    started: list[MockServer] = []

    def start(collection: Any = None, **options: Any) -> MockServer:
        if collection is None:
            from .demo import DEMO_COLLECTION

            collection = DEMO_COLLECTION
        server = MockServer(collection, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
