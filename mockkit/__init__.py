"""mockkit: mock an API from a Postman collection, locally, and see why each example was chosen.

    import mockkit
    mockkit.explain("api.json", "GET", "/users/42")      # DataFrame: every example, its points, why
    mockkit.examples("api.json")                         # DataFrame: every saved example

``import mockkit`` stays light: pandas (and later the widgets) are imported only when a function
that returns a DataFrame is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack

from .collection import load_collection, load_environment
from .engine import MockEngine, engine_for
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
from .options import MockOptions, OptionFields, resolve

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .explanation import Explanation

    from .client import transport
    from .hub.client import Hub
    from .hub.runner import serve_hub
    from .mock import MockServer, serve, stop_all

__version__ = "0.1.0"

# At most 24 names (tests/test_init.py): ``mockkit.__version__`` stays without being listed, to
# make room for the error tree.
__all__ = [
    "serve",
    "stop_all",
    "MockServer",
    "transport",
    "Hub",
    "serve_hub",
    "load_collection",
    "load_environment",
    "explain",
    "examples",
    "check",
    "MockEngine",
    "MockOptions",
    "Collection",
    "Environment",
    "MockRequest",
    "MockResponse",
    "MockkitError",
    "CollectionError",
    "ConfigError",
    "RequestError",
    "MockLookupError",
    "ServerError",
    "HubError",
    "MockAssertionError",
]


_LAZY = {
    "serve": ("mock", "serve"),
    "stop_all": ("mock", "stop_all"),
    "MockServer": ("mock", "MockServer"),
    "transport": ("client", "transport"),
    "Hub": ("hub.client", "Hub"),
    "serve_hub": ("hub.runner", "serve_hub"),
}


def __getattr__(name: str) -> Any:
    """Tornado and httpx load only when a server or transport is asked for (PEP 562).
    ``MatchOptions`` is the old name of ``MockOptions`` (deprecated, warns; one release)."""
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


def explain(
    collection: Any,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    body: bytes | str | None = None,
    json: Any = None,
    environment: Any = None,
    options: MockOptions | None = None,
    detail: bool = False,
    **overrides: Unpack[OptionFields],
) -> "Explanation | pd.DataFrame":
    """Rank every example of ``collection`` for one request (sent nowhere) and say why.

    Returns an ``Explanation`` (``mockkit.explanation``): a pandas DataFrame with one row per
    example, best first, the winner first (columns and dtypes: ``report.RANKING_COLUMNS``:
    the stage that kept or dropped it, the path rule, points per step, the score, ``selected``,
    ``reason``, ``reach`` ...). A notebook or terminal shows it as a readable table; filter,
    sort and plot it like any DataFrame; ``.steps`` is the long form (one row per example and
    comparison made; ``detail=True`` returns that instead). ``json=`` sends a JSON body (with
    its Content-Type). ``options`` / the keyword ``overrides`` are ``MockOptions`` (the matching
    fields change the ranking: ``match_body=True``, ``colon_wildcards=True``...). Raises
    ``CollectionError`` for a file that is not a usable collection, ``ConfigError`` for a bad
    option and ``RequestError`` for a path that is not percent-encoded UTF-8 (a server answers
    it 400). The rules are Postman's (spec §1.2) with mockkit's decisions where Postman is
    silent (§9).
    """
    if json is not None:
        import json as _json

        body = _json.dumps(json)
        headers = {"content-type": "application/json", **(headers or {})}
    engine = engine_for(collection, environment, options, overrides)
    request = MockRequest.from_target(method, path, headers=headers, body=body, params=params)
    if detail:
        from .report import checks_frame

        return checks_frame(engine.explain(request))
    from .report import explain_request

    return explain_request(engine, request)


def check(collection: Any, environment: Any = None, options: MockOptions | None = None,
          **overrides: Unpack[OptionFields]) -> "pd.DataFrame":
    """Problems users hit with a collection, one row each (what ``mockkit check`` prints):
    unreachable (shadowed) examples, duplicate names, wildcards, broken templates, bad JSON,
    skipped v3 items, and request fields examples lack when the options (``MockOptions``, or
    its fields as keywords) match headers or bodies."""
    from .checks import check as run_checks
    from .report import findings_frame

    return findings_frame(run_checks(engine_for(collection, environment, options, overrides)))


def examples(collection: Any, environment: Any = None, *, options: MockOptions | None = None,
             **overrides: Unpack[OptionFields]) -> "pd.DataFrame":
    """Every saved example of ``collection`` (a path, v3 folder, JSON text, dict, ``Collection`` or
    ``MockEngine``), one row each (``report.EXAMPLE_COLUMNS``): folder, request, name, method,
    the ``path`` and ``query`` the mock answers (variables of ``environment`` and the collection
    resolved, ``:name`` values filled in, a host variable's base path included), status, id,
    the saved ``url`` as written, and ``location`` (the JSON path in a v2.x file, or the example's
    file in a v3 folder). Of the options only ``colon_wildcards`` changes what is listed (the
    ``path`` of ``:name`` segments). Raises ``CollectionError`` for an unusable file."""
    from .index import Index
    from .report import examples_frame

    if isinstance(collection, MockEngine):
        return examples_frame(engine_for(collection, environment, options, overrides).index)
    colon = resolve(options, overrides).colon_wildcards
    env = load_environment(environment) if environment is not None else None
    return examples_frame(Index(load_collection(collection), env, colon_wildcards=colon))
