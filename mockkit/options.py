"""One options object for every door: ``MockOptions``.

Everything that shapes how a mock answers is a field of ``MockOptions``, with its default and a
one-line help (field ``metadata``). Every door takes the same object, or the same fields as typed
keyword arguments (``**overrides: Unpack[OptionFields]``):

    mockkit.serve("api.json", match_body=True)                  # the fields as keywords...
    mockkit.transport("api.json", options=MockOptions(match_body=True))   # ...or the object
    mockkit.explain("api.json", "GET", "/users/42", colon_wildcards=True)
    mockkit serve api.json --match-body --distance-threshold 0.3   # CLI flags made from the fields
    {"mock": {"config": {"matchBody": true, "colonWildcards": true}}}  # the hub's mock config

Door-only settings stay with their door (``host``, ``port``, ``watch``, ``workers`` to serve;
``strict``, ``expect`` to the test doors; ``detail``, ``rows`` to explain).

A bad value raises ``ConfigError`` (a ``MockkitError`` and a ``ValueError``) naming the option and
what it may be. The matching core reads only the matching fields (``MATCHING``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypedDict

from .errors import ConfigError
from .headerclean import clean_name
from .model import MockRequest
from .proxyconfig import RECORD_MODES, check_proxy_options
from .strictnum import parse_int

__all__ = ["MockOptions", "OptionFields", "MATCHING", "CONFIG_KEYS", "POSTMAN_KEYS", "DELAY_PRESETS", "MAX_DELAY_MS", "MAX_BODY_SIZE",
           "JOURNAL_SIZE", "JOURNAL_BYTES", "JOURNAL_BODY_BYTES", "MAX_PENDING_DELAYS", "MAX_PENDING_DELAY_BYTES",
           "HUB_MAX_BODY_SIZE", "RECORD_MODES", "PROXY_TIMEOUT_S", "PROXY_CONNECT_TIMEOUT_S", "PROXY_MAX_SIZE",
           "parse_delay", "resolve"]

MAX_DELAY_MS = 180_000
"""The longest delay, in ms, Postman allows (``x-mock-response-delay``: 1–180000, spec C3)."""
DELAY_PRESETS = {"2G": 300, "3G": 100, "1": 300, "2": 100}
"""Named delays in ms: Postman's network presets (the API's ``"1"`` = 2G, ``"2"`` = 3G; spec C3)."""
MAX_BODY_SIZE = 10 * 1024 * 1024
"""Bytes a request body may have (413 above); ``max_body_size``."""
JOURNAL_SIZE = 1000
JOURNAL_BYTES = 32 * 1024 * 1024
JOURNAL_BODY_BYTES = 256 * 1024
MAX_PENDING_DELAYS = 1000
MAX_PENDING_DELAY_BYTES = 64 * 1024 * 1024
HUB_MAX_BODY_SIZE = 64 * 1024 * 1024
"""A hub's ``max_body_size`` (collection uploads are big: 50,000 examples are ~23 MB)."""
PROXY_TIMEOUT_S = 30.0
"""Seconds an upstream exchange may take in all (``proxy_timeout``); past it: 502 timeout."""
PROXY_CONNECT_TIMEOUT_S = 5.0
"""Seconds to open a connection to the upstream (``proxy_connect_timeout``)."""
PROXY_MAX_SIZE = 10 * 1024 * 1024
"""Bytes of an upstream answer's body, decoded (``proxy_max_size``); past it: 502."""


def parse_delay(value: object) -> int | None:
    """A delay in ms from an int, a numeric string (ASCII digits) or a preset (``"2G"``, ``"3G"``,
    ``"1"``, ``"2"``); None when absent or not a delay of 1..``MAX_DELAY_MS`` ms."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().upper() in DELAY_PRESETS:
        return DELAY_PRESETS[value.strip().upper()]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return parse_int(str(value), 1, MAX_DELAY_MS)


def _option(default: Any, help: str, group: str, *, config: str | None = None, flags: Sequence[str] = (),
            metavar: str | None = None, arg: Callable[[str], Any] | None = None) -> Any:
    """A field with its help line, group (matching, answers, limits), its key in a hub mock's
    ``config`` (None: not a per-mock setting), extra CLI flag names, and how a command-line value
    is read (``arg``; default: the type of the default, else text)."""
    if arg is None:
        arg = type(default) if isinstance(default, (int, float)) and not isinstance(default, bool) else str
    return field(default=default, metadata={"help": help, "group": group, "config": config, "flags": tuple(flags),
                                            "metavar": metavar, "arg": arg})


@dataclass(frozen=True, slots=True, kw_only=True)
class MockOptions:
    """Every option that shapes how a mock matches and answers: one frozen object for every
    door (``serve``, ``MockServer``, ``transport``, ``explain``, ``check``, ``examples``, the
    hub's mock ``config``, each ``mockkit`` command, whose flags are made from these fields).

    Values are checked and normalised when the object is made: header names stripped and
    lower-cased (a string is split at commas), a delay preset turned into ms, sizes checked to be
    whole numbers. Every field is keyword-only; ``dataclasses.replace`` makes a changed copy.

    Attributes:
        match_body: drop examples whose saved body differs from the request's (Postman's
            ``matchBody``, spec C4), compared by the example's body mode (spec §1.5).
        match_headers: header names (lower-cased) whose values must equal the example's
            (Postman's ``headers``, spec C4, 9.5); a string is split at commas.
        match_query_params: score query parameters (spec C4, step 5); off: the query is ignored.
        match_wildcards: let ``{{variable}}`` path segments match any segment (path step e, spec C4).
        distance_threshold: largest relative edit distance per segment for path step h, 0 to 1;
            0 turns the step off (mockkit's decision where Postman is silent, spec 9.2).
        colon_wildcards: let ``:name`` path segments without a value match any segment (spec 9.20).
        cors: add the automatic CORS headers and answer pre-flights (spec 9.8, 9.9); off: no CORS
            header anywhere, not even on error answers.
        delay: delay every answer, in ms (1 to 180000), or a preset: ``"2G"`` (300 ms), ``"3G"``
            (100 ms); ``None``: no delay (spec C3). ``x-mock-response-delay`` overrides it per call.
        seed: seed for dynamic variables and Faker (``{{$randomFullName}}``...): the same seed and
            calls give the same answers; ``None``: a fresh seed (the doors pick and show one).
        api_key: make the mock private: calls need this ``x-api-key`` header, else 401 (spec 9.10).
        max_body_size: bytes a request body may have; larger ones get a 413 JSON error.
        journal_size: calls the call log keeps (older ones are dropped first).
        journal_bytes: bytes the call log may hold in all.
        journal_body_bytes: bytes of each request body the call log keeps (longer ones keep that
            prefix, their size and SHA-256); 0 keeps none.
        max_pending_delays: answers waiting out a delay at once; past it a call gets a 503.
        max_pending_delay_bytes: bytes held by answers waiting out a delay; past it a call gets a 503.
        proxy: an upstream base URL (http or https; a path is a prefix): a request that no example
            matches is forwarded there and its answer returned; upstream failures answer 502 with
            a Postman-shaped error (``upstreamConnectionError``, ``upstreamTimeoutError``...).
        record: the record mode, named as vcrpy's: ``"none"`` (never record), ``"new_episodes"``
            (forward and record what no example matches), ``"all"`` (forward everything and
            refresh the examples it touches), ``"once"`` (record only into an empty collection);
            needs ``proxy``.
        redact: more header, query parameter and JSON field names whose values become
            ``[redacted]`` in recordings (``Authorization``, ``Cookie``, ``Set-Cookie`` and
            ``x-api-key`` always are); a string is split at commas, ``*`` matches any characters.
        proxy_timeout: seconds an upstream exchange may take in all; past it, a 502.
        proxy_connect_timeout: seconds to open a connection to the upstream.
        proxy_max_size: bytes an upstream answer's body may have, decoded; past it, a 502.
        proxy_verify: verify the upstream's TLS certificate (off for a self-signed test server).

    Raises:
        ConfigError: a value the option cannot take (the message names the option and what is
            allowed).

    Examples:
        ```python
        strict = mockkit.MockOptions(match_body=True, match_headers="x-tenant, accept", delay="3G")
        strict.match_headers, strict.delay                       # (('x-tenant', 'accept'), 100)
        mock = mockkit.serve("api.json", options=strict, seed=7)  # keywords override fields
        ```
    """

    # matching (Postman's mock config, spec C4; §9 where Postman is silent)
    match_body: bool = _option(False, "drop examples whose saved body differs from the request's (spec C4)",
                               "matching", config="matchBody")
    match_headers: tuple[str, ...] = _option((), "header names whose values must match the example's "
                                             "(comma-separated on the command line; spec C4, 9.5)",
                                             "matching", config="headers", metavar="NAMES")
    match_query_params: bool = _option(True, "score query parameters (spec C4); off: the query is ignored",
                                       "matching", config="matchQueryParams")
    match_wildcards: bool = _option(True, "let {{variable}} path segments match any segment (step e, spec C4)",
                                    "matching", config="matchWildcards")
    distance_threshold: float = _option(0.2, "largest relative edit distance per segment for path step h, "
                                        "0 to 1; 0 turns the step off (spec 9.2)", "matching",
                                        config="distanceThreshold", metavar="RATIO")
    colon_wildcards: bool = _option(False, "let :name path segments without a value match any segment "
                                    "(spec 9.20)", "matching", config="colonWildcards")
    # answers
    cors: bool = _option(True, "add the automatic CORS headers and answer pre-flights (spec 9.8, 9.9)",
                         "answers", config="cors")
    delay: int | None = _option(None, "delay every answer: ms (1-180000) or 2G (300 ms) / 3G (100 ms) (spec C3)",
                                "answers", config="delay", metavar="MS")
    seed: int | None = _option(None, "seed for dynamic variables, for repeatable fake data", "answers",
                               config="seed", metavar="N", arg=int)
    api_key: str | None = _option(None, "make the mock private: calls need this x-api-key header (spec 9.10)",
                                  "answers", metavar="KEY")
    # limits (issue 11: nothing a request sends can exhaust the server)
    max_body_size: int = _option(MAX_BODY_SIZE, "larger request bodies get a 413 JSON error (bytes)", "limits",
                                 flags=("--max-body",), metavar="BYTES")
    journal_size: int = _option(JOURNAL_SIZE, "calls the call log keeps", "limits", metavar="N")
    journal_bytes: int = _option(JOURNAL_BYTES, "bytes the call log may hold in all", "limits", metavar="BYTES")
    journal_body_bytes: int = _option(JOURNAL_BODY_BYTES, "bytes of each request body the call log keeps (longer "
                                      "ones keep that prefix, their size and SHA-256)", "limits", metavar="BYTES")
    max_pending_delays: int = _option(MAX_PENDING_DELAYS, "answers waiting out a delay at once; past it a call "
                                      "gets a 503", "limits", metavar="N")
    max_pending_delay_bytes: int = _option(MAX_PENDING_DELAY_BYTES, "bytes held by answers waiting out a delay; "
                                           "past it a call gets a 503", "limits", metavar="BYTES")
    # proxy and record (issue 16: mockkit.proxy, mockkit.recording)
    proxy: str | None = _option(None, "forward requests no example matches to this upstream URL (http or https; "
                                "a path is a prefix); upstream failures answer 502", "proxy", metavar="URL")
    record: str = _option("none", "record mode: none (never record), new_episodes (forward and record what has "
                          "no example of its own), all (forward everything, refresh the examples it touches), "
                          "once (record only into an empty collection); needs proxy", "proxy", metavar="MODE")
    redact: tuple[str, ...] = _option((), "more header, query parameter and JSON field names whose values are "
                                      "replaced by [redacted] in recordings (comma-separated; * matches any "
                                      "characters); Authorization, Cookie, Set-Cookie, x-api-key always are",
                                      "proxy", metavar="NAMES")
    proxy_timeout: float = _option(PROXY_TIMEOUT_S, "seconds an upstream exchange may take in all "
                                   "(502 upstreamTimeoutError past it)", "proxy", metavar="SECONDS")
    proxy_connect_timeout: float = _option(PROXY_CONNECT_TIMEOUT_S, "seconds to connect to the upstream",
                                           "proxy", metavar="SECONDS")
    proxy_max_size: int = _option(PROXY_MAX_SIZE, "bytes an upstream answer's body may have, decoded "
                                  "(502 upstreamTooLargeError past it)", "proxy", metavar="BYTES")
    proxy_verify: bool = _option(True, "verify the upstream's TLS certificate (--no-proxy-verify for a "
                                 "self-signed test server)", "proxy")

    def __post_init__(self) -> None:
        for name in ("match_body", "match_query_params", "match_wildcards", "colon_wildcards", "cors", "proxy_verify"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(name, f"must be True or False, not {getattr(self, name)!r}")
        object.__setattr__(self, "match_headers", _header_names(self.match_headers))
        threshold = self.distance_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:  # NaN too
            raise ConfigError("distance_threshold", f"must be between 0 (step h off) and 1, not {threshold!r}")
        object.__setattr__(self, "distance_threshold", float(threshold))
        delay = parse_delay(self.delay)
        if self.delay is not None and delay is None:
            raise ConfigError("delay", f"must be 1..{MAX_DELAY_MS} ms or one of {', '.join(sorted(DELAY_PRESETS))}, "
                                       f"not {self.delay!r}")
        object.__setattr__(self, "delay", delay)
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ConfigError("seed", f"must be a whole number or None, not {self.seed!r}")
        if self.api_key is not None and not isinstance(self.api_key, str):
            raise ConfigError("api_key", f"must be a string or None, not {type(self.api_key).__name__}")
        object.__setattr__(self, "api_key", self.api_key or None)
        for name, least in _SIZES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ConfigError(name, f"must be a whole number of at least {least}, not {value!r}")
        check_proxy_options(self)  # issue 16: proxy, record, redact, timeouts

    def for_request(self, request: MockRequest) -> MockOptions:
        """These options as one request asks for them: Postman's ``x-mock-match-request-body``
        (``true``/``false``) and ``x-mock-match-request-headers`` (comma-separated names; the
        ``x-mock-*`` ones are left out) override ``match_body`` and ``match_headers`` (spec 6.1).

        Args:
            request: the request whose control headers apply.

        Returns:
            The options for this request (``self`` when it has neither header).

        Examples:
            ```python
            request = mockkit.MockRequest.from_target("POST", "/users",
                                                      headers={"x-mock-match-request-body": "true"})
            mockkit.MockOptions().for_request(request).match_body          # True
            ```
        """
        body = request.header("x-mock-match-request-body")
        headers = request.header("x-mock-match-request-headers")
        if body is None and headers is None:
            return self
        changes: dict[str, Any] = {}
        if body is not None and body.strip().lower() in ("true", "false"):
            changes["match_body"] = body.strip().lower() == "true"
        if headers is not None:
            names = (h.strip().lower() for h in headers.split(","))
            changes["match_headers"] = tuple(n for n in names if n and not n.startswith("x-mock-"))
        return replace(self, **changes)

    @classmethod
    def from_postman_config(cls, config: Mapping[str, Any], base: MockOptions | None = None) -> MockOptions:
        """The options a hub mock's ``config`` asks for, over ``base`` (the hub's defaults).

        Args:
            config: a Postman mock config: Postman's keys (``matchBody``, ``headers``,
                ``matchQueryParams``, ``matchWildcards``, ``delay`` as ``{"type": "fixed",
                "duration": ms}`` or ``{"type": "preset", "preset": "1" | "2"}``, spec C3/C4) and
                mockkit's (``distanceThreshold``, ``colonWildcards``, ``cors``, ``seed``). Other
                keys are ignored (the hub's validation refuses unknown ones); ``None`` values
                leave the base's.
            base: the options to start from; ``None``: the defaults.

        Returns:
            The options.

        Raises:
            ConfigError: a value the option cannot take (the message names the field).

        Examples:
            ```python
            mockkit.MockOptions.from_postman_config({"matchBody": True, "delay": {"type": "preset", "preset": "2"}})
            ```
        """
        changes: dict[str, Any] = {}
        for key, name in CONFIG_KEYS.items():
            if key not in config or (config[key] is None and key != "delay"):
                continue
            value = config[key]
            if key == "delay":
                value = _config_delay(value)
            changes[name] = value
        return replace(base or cls(), **changes)

    def postman_config(self) -> dict[str, Any]:
        """Postman's keys of a mock ``config`` for these options (spec C3, C4): what a hub mock
        created without them gets.

        Returns:
            ``{"headers": [names], "matchBody": bool, "matchQueryParams": bool,
            "matchWildcards": bool, "delay": None | {"type": "fixed", "duration": ms}}``.

        Examples:
            ```python
            mockkit.MockOptions(delay=250).postman_config()["delay"]   # {'type': 'fixed', 'duration': 250}
            ```
        """
        delay = {"type": "fixed", "duration": self.delay} if self.delay is not None else None
        return {"headers": list(self.match_headers), "matchBody": self.match_body,
                "matchQueryParams": self.match_query_params, "matchWildcards": self.match_wildcards, "delay": delay}


def _header_names(value: object) -> tuple[str, ...]:
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ConfigError("match_headers", f"must be header names (a list, or one string split at commas), "
                                           f"not {value!r}")
    out = tuple(n.strip().lower() for n in names if n.strip())
    bad = next((n for n in out if clean_name(n) != n), None)
    if bad is not None:
        raise ConfigError("match_headers", f"must be header names; {bad!r} is not one (letters, digits, -_.!#$%&'*+^`|~)")
    return out


def _config_delay(value: object) -> object:
    """A config ``delay`` (``{type, preset | duration}``, spec C3) as a ``delay`` value (checked
    by ``MockOptions``)."""
    if isinstance(value, Mapping):
        preset = value.get("preset")
        return parse_delay(str(preset)) if preset is not None else value.get("duration")
    return value


_SIZES = {"max_body_size": 1, "journal_size": 1, "journal_bytes": 1, "journal_body_bytes": 0,
          "max_pending_delays": 1, "max_pending_delay_bytes": 1, "proxy_max_size": 1}

MATCHING = tuple(f.name for f in fields(MockOptions) if f.metadata["group"] == "matching")
"""The fields the matching core reads."""
CONFIG_KEYS = {f.metadata["config"]: f.name for f in fields(MockOptions) if f.metadata["config"]}
"""A hub mock's ``config`` key -> the field it sets (one mapping, read by the hub's validation)."""
POSTMAN_KEYS = ("headers", "matchBody", "matchQueryParams", "matchWildcards", "delay")
"""The keys of ``CONFIG_KEYS`` that are Postman's (the others are mockkit's own)."""


class OptionFields(TypedDict, total=False):
    """The fields of ``MockOptions`` as keyword arguments of a door (PEP 692 ``Unpack``); the
    types are what a door accepts (a delay preset, header names as one string...)."""

    match_body: bool
    match_headers: Sequence[str] | str
    match_query_params: bool
    match_wildcards: bool
    distance_threshold: float
    colon_wildcards: bool
    cors: bool
    delay: int | str | None
    seed: int | None
    api_key: str | None
    max_body_size: int
    journal_size: int
    journal_bytes: int
    journal_body_bytes: int
    max_pending_delays: int
    max_pending_delay_bytes: int
    proxy: str | None
    record: str
    redact: Sequence[str] | str
    proxy_timeout: float
    proxy_connect_timeout: float
    proxy_max_size: int
    proxy_verify: bool


def resolve(options: MockOptions | None = None, overrides: Mapping[str, Any] | None = None) -> MockOptions:
    """``options`` (default: ``MockOptions()``) with ``overrides`` (a door's keyword arguments)
    on top. Raises ``TypeError`` for a keyword that is not an option (naming the nearest one),
    ``ConfigError`` for a bad value."""
    if options is not None and not isinstance(options, MockOptions):
        raise TypeError(f"options= must be a MockOptions, not {type(options).__name__} "
                        "(or give the options as keyword arguments)")
    base = options if options is not None else MockOptions()
    if not overrides:
        return base
    known = {f.name for f in fields(MockOptions)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        import difflib

        near = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {near[0]}?)" if near else f" (options: {', '.join(sorted(known))})"
        raise TypeError(f"{unknown[0]!r} is not a mockkit option{hint}")
    return replace(base, **overrides)


def deprecated_alias(name: str) -> type[MockOptions]:
    """``MockOptions`` under its old name ``MatchOptions``, with a ``DeprecationWarning`` that
    points at the code that used the old name (for a module ``__getattr__``; one release)."""
    warnings.warn(f"mockkit.{name} is now mockkit.MockOptions (one options object for every door); "
                  "the old name goes away in the next release", DeprecationWarning, stacklevel=3)
    return MockOptions


def __getattr__(name: str) -> Any:
    if name == "MatchOptions":
        return deprecated_alias(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

