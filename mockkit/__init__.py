"""mockkit: mock an API from a Postman collection, locally, and see why each example was chosen.

    import mockkit
    mock = mockkit.serve("api.json")                     # a mock server in a background thread
    mockkit.explain("api.json", "GET", "/users/42")      # DataFrame: every example, its points, why
    mockkit.examples("api.json")                         # DataFrame: every saved example

``import mockkit`` stays light: Tornado and httpx load when a server, transport or hub is asked
for, pandas (and the widgets) when a function that returns a DataFrame is called (PEP 562
``__getattr__`` below).

``__all__`` is every public name of this namespace, sorted (``tests/test_init.py`` checks it,
as httpx does): what the API reference documents. ``__version__`` is deliberately left out of
it, as a module dunder rather than API (``from mockkit import *`` does not bind it), and
``MatchOptions`` too (the deprecated old name of ``MockOptions``).
"""

import typing as _typing

from .collection import load_collection, load_environment
from .engine import MockEngine
from .errors import (
    CollectionError,
    ConfigError,
    HubError,
    MockAssertionError,
    MockkitError,
    MockLookupError,
    RequestError,
    ServerError,
)
from .model import Collection, Environment, MockRequest, MockResponse
from .offline import check, examples, explain
from .options import MockOptions

if _typing.TYPE_CHECKING:  # pragma: no cover
    from .client import EngineTransport, transport
    from .explanation import Explanation
    from .hub.client import Hub
    from .har import from_har
    from .hub.runner import HubServer, serve_hub
    from .mock import MockServer, serve, stop_all

__version__ = "0.1.0"

__all__ = [
    "check",
    "Collection",
    "CollectionError",
    "ConfigError",
    "EngineTransport",
    "Environment",
    "examples",
    "explain",
    "Explanation",
    "from_har",
    "Hub",
    "HubError",
    "HubServer",
    "load_collection",
    "load_environment",
    "MockAssertionError",
    "MockEngine",
    "MockkitError",
    "MockLookupError",
    "MockOptions",
    "MockRequest",
    "MockResponse",
    "MockServer",
    "RequestError",
    "serve",
    "serve_hub",
    "ServerError",
    "stop_all",
    "transport",
]

_LAZY = {
    "serve": ("mock", "serve"),
    "stop_all": ("mock", "stop_all"),
    "MockServer": ("mock", "MockServer"),
    "transport": ("client", "transport"),
    "EngineTransport": ("client", "EngineTransport"),
    "Explanation": ("explanation", "Explanation"),
    "Hub": ("hub.client", "Hub"),
    "HubServer": ("hub.runner", "HubServer"),
    "serve_hub": ("hub.runner", "serve_hub"),
    "from_har": ("har", "from_har"),
}


def __getattr__(name: str) -> _typing.Any:
    """Tornado, httpx and pandas load only when a server, transport, hub or explanation is
    asked for (PEP 562). ``MatchOptions`` is the old name of ``MockOptions`` (deprecated,
    warns; one release)."""
    if name == "MatchOptions":
        from .options import deprecated_alias

        return deprecated_alias(name)
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mockkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
