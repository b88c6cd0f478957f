"""The proxy and record options checked and normalised (issue 16), for ``MockOptions``.

``MockOptions`` calls ``check_proxy_options`` when it is made, so every door (``serve``,
``MockServer``, ``transport``, the CLI flags) gets the same values and the same ``ConfigError``:

* ``proxy``: an ``http`` or ``https`` URL with a host, no user name or password (they would be
  printed in every explanation; send credentials as headers), no query or fragment; a path is
  kept as a prefix, without its trailing ``/`` (``https://api.example.com/v1/``);
* ``record``: one of ``RECORD_MODES`` (``new-episodes`` and upper case are accepted too); any
  mode but ``none`` needs a ``proxy``;
* ``redact``: names, compared case-insensitively, where ``*`` matches any characters (a string is
  split at commas);
* ``proxy_timeout`` and ``proxy_connect_timeout``: seconds, more than 0 and at most 3600.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .model import MockRequest
    from .options import MockOptions

__all__ = ["check_proxy_options", "upstream_url", "forward_url", "record_mode", "redact_names", "refuse_for_hub",
           "RECORD_MODES", "MAX_TIMEOUT_S"]

RECORD_MODES = ("none", "new_episodes", "all", "once")
"""The record modes (issue 16; named as vcrpy names them): see ``mockkit.recording``."""

MAX_TIMEOUT_S = 3600.0
"""The longest proxy timeout, in seconds, an option may ask for."""
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+\Z")
_PRINTABLE = "".join(map(chr, range(33, 127)))


def upstream_url(value: object) -> str | None:
    """The ``proxy`` option as an upstream base URL: scheme and host lower-cased, the path kept as a
    prefix without its trailing ``/``.

    Args:
        value (object): what the user gave (a string, or None).

    Returns:
        str | None: ``scheme://host[:port][/prefix]``, or None for None or ``""`` (no proxy).

    Raises:
        ConfigError: (option ``proxy``) for anything but an http(s) URL with a host, and for a URL
            with a user name or password (it would be shown in every explanation), a query or a
            fragment (the request's own query is forwarded).

    Examples:
        ```python
        assert upstream_url("https://API.example.com/v1/") == "https://api.example.com/v1"
        ```
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError("proxy", f"must be an http or https URL, not {type(value).__name__}")
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConfigError("proxy", f"must be an http or https URL ({exc}), not {value!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError("proxy", f"must be an http or https URL with a host (https://api.example.com), "
                                   f"not {value!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError("proxy", "must not hold a user name or password (it would be shown in every "
                                   "explanation): clients' Authorization headers are forwarded as sent")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ConfigError("proxy", f"must not have a query or fragment (the request's own query is "
                                   f"forwarded), not {value!r}")
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def forward_url(base: str, request: MockRequest, target: str | None = None) -> str:
    """The upstream URL a request is forwarded to: the base URL (with its path prefix), the
    request's path, then its query.

    Args:
        base (str): the ``proxy`` option, as ``upstream_url`` returns it.
        request (MockRequest): the request received.
        target (str | None): the request target as received (``/a?b=1``), to send the query
            exactly as the client did; None encodes it from ``request.query``.

    Returns:
        str: the URL to call (a query that is not ASCII percent-encoded).

    Examples:
        ```python
        forward_url("http://127.0.0.1:8080/v1", MockRequest.from_target("GET", "/users?page=2"))
        # 'http://127.0.0.1:8080/v1/users?page=2'
        ```
    """
    query = target.partition("?")[2].partition("#")[0] if target is not None else \
        urlencode(request.query, quote_via=quote)
    if not query.isascii():
        query = quote(query, safe=_PRINTABLE)
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def record_mode(value: object) -> str:
    """The ``record`` option as one of ``RECORD_MODES`` (vcrpy's names; ``-`` and upper case
    accepted).

    Args:
        value (object): what the user gave.

    Returns:
        str: ``none``, ``new_episodes``, ``all`` or ``once``.

    Raises:
        ConfigError: (option ``record``) naming the modes, for anything else.

    Examples:
        ```python
        assert record_mode("New-Episodes") == "new_episodes"
        ```
    """
    text = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
    if text not in RECORD_MODES:
        raise ConfigError("record", f"must be one of {', '.join(RECORD_MODES)}, not {value!r}")
    return str(text)


def redact_names(value: object) -> tuple[str, ...]:
    """The ``redact`` option as names to redact, lower-cased, without duplicates.

    Args:
        value (object): a list of names, or one string split at commas; ``*`` matches any
            characters.

    Returns:
        tuple[str, ...]: the names, in the order given.

    Raises:
        ConfigError: (option ``redact``) for a value that is not names, or a name with characters
            no header name has (RFC 9110 §5.6.2 tokens, plus ``*``).

    Examples:
        ```python
        assert redact_names("X-Token, session*, x-token") == ("x-token", "session*")
        ```
    """
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ConfigError("redact", f"must be names (a list, or one string split at commas), not {value!r}")
    out = tuple(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
    bad = next((n for n in out if not _NAME.match(n)), None)
    if bad is not None:
        raise ConfigError("redact", f"must be names of letters, digits and -_.!#$%&'+^`|~ (* matches any "
                                    f"characters); {bad!r} is not one")
    return out


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT_S:
        raise ConfigError(name, f"must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}, not {value!r}")
    return float(value)


def check_proxy_options(options: MockOptions) -> None:
    """Check and normalise the proxy fields of ``options`` in place, while it is being made
    (``MockOptions.__post_init__``), so every door gets the same values and errors.

    Args:
        options (MockOptions): the options being made (frozen: fields set with
            ``object.__setattr__``).

    Raises:
        ConfigError: naming the option: a bad ``proxy`` URL, ``record`` mode or ``redact`` name; a
            timeout not above 0 or over ``MAX_TIMEOUT_S`` seconds; a record mode other than ``none``
            without a ``proxy``.

    Examples:
        ```python
        MockOptions(proxy="http://127.0.0.1:8080/", record="new-episodes").record   # 'new_episodes'
        MockOptions(record="all")      # ConfigError: record: all needs an upstream to record from ...
        ```
    """
    set_ = object.__setattr__
    set_(options, "proxy", upstream_url(options.proxy))
    set_(options, "record", record_mode(options.record))
    set_(options, "redact", redact_names(options.redact))
    set_(options, "proxy_timeout", _seconds("proxy_timeout", options.proxy_timeout))
    set_(options, "proxy_connect_timeout", _seconds("proxy_connect_timeout", options.proxy_connect_timeout))
    if options.record != "none" and options.proxy is None:
        raise ConfigError("record", f"{options.record} needs an upstream to record from: give proxy= (--proxy URL) too")


def refuse_for_hub(options: MockOptions | None) -> None:
    """Refuse proxy and record options for a hub: forwarding to any URL its API callers name would
    let them reach any address the hub can (request forgery), and its collections live in its
    database, not in files to save recordings into.

    Args:
        options (MockOptions | None): a hub's defaults for every mock (None: no defaults).

    Raises:
        ConfigError: (option ``proxy``) when ``options`` ask for a proxy or a record mode.

    Examples:
        ```python
        mockkit.serve_hub(options=MockOptions(proxy="http://127.0.0.1:8080"))   # ConfigError
        ```
    """
    if options is not None and (options.proxy is not None or options.record != "none"):
        raise ConfigError("proxy", "and record are not hub options: a hub's mocks do not forward or record; "
                                   "run mockkit.serve(collection, proxy=URL, record=MODE) (mockkit serve FILE "
                                   "--proxy URL --record MODE) for that collection instead")
