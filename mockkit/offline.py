"""Looking at a collection without a server: ``explain``, ``examples`` and ``check``.

Each takes a collection (or a ``MockEngine``) and the same options as every other door, and
returns a pandas DataFrame; pandas is imported only when one is called, so ``import mockkit``
stays light. A running server has the same views of what it serves (``MockServer.explain``,
``.examples``, ``.calls``). A collection given as a path is loaded once and reused while its
files (and the environment's) are unchanged (``reuse``: issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack

from . import reuse
from .model import MockRequest
from .options import MockOptions, OptionFields, resolve

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .explanation import Explanation

__all__ = ["explain", "examples", "check"]


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

    The rules are Postman's mock-server matching algorithm (spec §1.2: method, response code,
    response id/name, path steps a–h, query, headers and body) with mockkit's decisions where
    Postman is silent (§9); every reason says which rule applied.

    Args:
        collection: the Postman collection (a path to a v2.x JSON file or a v3 folder, JSON
            text, bytes, a dict, a ``Collection``), or a ``MockEngine`` to rank against.
        method: the HTTP method (any case).
        path: the request target: a path with an optional query string (``"/users?page=2"``) or
            a full URL (its host is never compared, spec §1.1).
        headers: request headers, ``{name: value}``, including Postman's ``x-mock-*`` control
            headers (``x-mock-response-code``, ``x-mock-response-name``, ``x-mock-match-request-body``...).
        params: query parameters, appended to the query of ``path``.
        body: the request body, text (UTF-8) or bytes.
        json: a JSON-serialisable value sent as the body, with ``Content-Type: application/json``
            (unless ``headers`` has one).
        environment: a Postman environment (path, JSON text, dict, ``Environment``) whose
            values fill ``{{variables}}``.
        options: how it matches (``MockOptions``; the matching fields change the ranking).
        detail: return the long form (``Explanation.steps``: one row per example and comparison
            made) instead.
        **overrides: fields of ``MockOptions`` as keywords (``match_body=True``,
            ``colon_wildcards=True``...), applied over ``options``.

    Returns:
        An ``Explanation``: a pandas DataFrame, one row per example, the winner first, then the
        other scored examples by score, then those dropped, in collection order (columns and
        dtypes: ``Explanation``). A notebook or terminal shows it as a readable table; filter,
        sort and plot it like any DataFrame. With ``detail=True``, the long form.

    Raises:
        CollectionError: the collection or environment cannot be loaded.
        ConfigError: an option has a value it cannot take.
        RequestError: the path's percent-encoding is not UTF-8 (a server answers that 400, so
            there is no winner to explain).
        TypeError: a keyword that is not an option, or options given with a ``MockEngine``.

    Examples:
        ```python
        why = mockkit.explain("api.json", "GET", "/users/42", headers={"x-mock-response-code": "404"})
        why.winner["example"]                                   # the example a mock serves
        why[why["kept"]][["example", "score", "reason"]]        # still a DataFrame
        mockkit.explain("api.json", "POST", "/users", json={"name": "Ada"}, match_body=True)
        ```
    """
    if json is not None:
        import json as _json

        body = _json.dumps(json)
        headers = {"content-type": "application/json", **(headers or {})}
    engine = reuse.engine(collection, environment, options, overrides)  # a file loaded once while unchanged
    request = MockRequest.from_target(method, path, headers=headers, body=body, params=params)
    if detail:
        from .report import checks_frame

        return checks_frame(engine.explain(request))
    from .report import explain_request

    return explain_request(engine, request)


def check(collection: Any, environment: Any = None, options: MockOptions | None = None,
          **overrides: Unpack[OptionFields]) -> "pd.DataFrame":
    """Problems users hit with a collection, one row each: what ``mockkit check`` prints.

    It finds examples no request can reach without a control header (shadowed), duplicate
    names, ``{{wildcard}}`` and ``:name`` segments, templates that will not resolve (unknown
    variables, misspelt ``{{$random...}}`` names), JSON bodies that do not parse, requests
    without a URL, skipped v3 items, and request fields the examples lack when the options match
    headers or bodies.

    | column | dtype | meaning |
    | --- | --- | --- |
    | `severity` | str | ``error``, ``warning`` (both make ``mockkit check`` exit 1) or ``info`` |
    | `kind` | str | ``shadowed``, ``duplicate-name``, ``wildcard``, ``template``, ``invalid-json``, ``no-url``, ``path-variable``, ``missing-header``, ``missing-body``... |
    | `where` | str | the example's JSON path in a v2.x file, or its file in a v3 folder |
    | `example` | str | the example's name |
    | `message` | str | what is wrong and what to do |

    Args:
        collection: the Postman collection (a path, JSON text, bytes, a dict, a ``Collection``)
            or a ``MockEngine``.
        environment: a Postman environment whose values fill ``{{variables}}``.
        options: how the mock would match (``MockOptions``): ``match_headers`` and
            ``match_body`` add the checks of the request fields examples lack.
        **overrides: fields of ``MockOptions`` as keywords, applied over ``options``.

    Returns:
        A pandas DataFrame with the columns above, errors first, then warnings, then notes;
        empty when nothing is found.

    Raises:
        CollectionError: the collection or environment cannot be loaded.
        ConfigError: an option has a value it cannot take.
        TypeError: a keyword that is not an option, or options given with a ``MockEngine``.

    Examples:
        ```python
        problems = mockkit.check("api.json")
        problems[problems["severity"] != "info"]
        mockkit.check("api.json", match_headers=["x-tenant"])      # + examples lacking the header
        ```
    """
    from .checks import check as run_checks
    from .report import findings_frame

    return findings_frame(run_checks(reuse.engine(collection, environment, options, overrides)))


def examples(collection: Any, environment: Any = None, *, options: MockOptions | None = None,
             **overrides: Unpack[OptionFields]) -> "pd.DataFrame":
    """Every saved example of a collection, one row each, in collection order.

    | column | dtype | meaning |
    | --- | --- | --- |
    | `folder` | str | its folder path (``A / B``; ``""`` at the top) |
    | `request` | str | its request's name |
    | `name` | str | the example's name |
    | `method` | str | the saved request's method |
    | `path` | str | the path the mock answers: variables resolved, ``:name`` values filled in, a host variable's base path included; ``{{name}}`` segments left are wildcards |
    | `query` | str | the saved query string, variables resolved |
    | `status` | int64 | the response code |
    | `id` | str | the example's id (``""`` when it has none) |
    | `url` | str | the saved URL exactly as written |
    | `position` | int64 | its place in the collection (0-based) |
    | `location` | str | where to open it: its JSON path in a v2.x file, its file in a v3 folder |

    Args:
        collection: the Postman collection (a path to a v2.x JSON file or a v3 folder, JSON
            text, bytes, a dict, a ``Collection``), or a ``MockEngine``.
        environment: a Postman environment whose values fill ``{{variables}}``.
        options: ``MockOptions``; only ``colon_wildcards`` changes what is listed (the ``path``
            of ``:name`` segments without a value).
        **overrides: fields of ``MockOptions`` as keywords, applied over ``options``.

    Returns:
        A pandas DataFrame with the columns above.

    Raises:
        CollectionError: the collection or environment cannot be loaded.
        ConfigError: an option has a value it cannot take.
        TypeError: a keyword that is not an option, or options given with a ``MockEngine``.

    Examples:
        ```python
        listed = mockkit.examples("api.json", environment="dev.postman_environment.json")
        listed[listed["status"] >= 400][["request", "name", "path"]]
        ```
    """
    from .report import examples_frame

    return examples_frame(reuse.engine(collection, environment, options, overrides).index)
