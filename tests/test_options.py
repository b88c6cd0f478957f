"""One options object (issue 13): ``MockOptions`` is accepted by every door (serve, MockServer,
transport, explain, check, the hub's mock config and its per-mock defaults, every CLI subcommand)
and means the same thing at each: the same request gets the same winner, the same headers, the
same refusal, the same fake data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import fields
from typing import Any

import httpx
import pytest

import mockkit
from mockkit import ConfigError, MockOptions
from mockkit.cli import _options, _parser, main
from mockkit.options import CONFIG_KEYS, MATCHING, OptionFields

from builders import coll, ex, raw_json
from processes import stop

FIELDS = [f.name for f in fields(MockOptions)]


def named(path: str, name: str, **kw: Any) -> dict:
    return ex(path, name=name, response_body=name, **kw)


PROBE = coll(
    named("/body", "body-saved", method="POST", body=raw_json({"k": 1})),
    named("/hdr", "team-a", headers={"x-team": "a"}),
    named("/q?sort=asc", "asc"),
    named("/q?sort=desc", "desc"),
    named("/w/{{name}}", "wild"),
    named("/inventory", "inv"),
    named("/c/:slot", "colon"),
    named("/plain", "plain"),
    ex("/fake", name="fake", response_body="{{$randomUUID}} {{$randomFirstName}}"),
)

# option, value, CLI words, (method, path, headers, body), winner with the default, winner with the option
MATCHING_ROWS = [
    ("match_body", True, ["--match-body"], ("POST", "/body", {"content-type": "application/json"}, '{"k": 2}'),
     "body-saved", None),
    ("match_headers", "x-team", ["--match-headers", "x-team"], ("GET", "/hdr", {"x-team": "b"}, None), "team-a", None),
    ("match_query_params", False, ["--no-match-query-params"], ("GET", "/q?sort=desc", {}, None), "desc", "asc"),
    ("match_wildcards", False, ["--no-match-wildcards"], ("GET", "/w/zed", {}, None), "wild", None),
    ("distance_threshold", 0.0, ["--distance-threshold", "0"], ("GET", "/inventry", {}, None), "inv", None),
    ("colon_wildcards", True, ["--colon-wildcards"], ("GET", "/c/seven", {}, None), None, "colon"),
]
# a value for every option, as a keyword and as CLI words, and the value MockOptions keeps
EVERY = {
    "match_body": (True, ["--match-body"], True),
    "match_headers": ("X-Team, x-b", ["--match-headers", "X-Team, x-b"], ("x-team", "x-b")),
    "match_query_params": (False, ["--no-match-query-params"], False),
    "match_wildcards": (False, ["--no-match-wildcards"], False),
    "distance_threshold": (0.5, ["--distance-threshold", "0.5"], 0.5),
    "colon_wildcards": (True, ["--colon-wildcards"], True),
    "cors": (False, ["--no-cors"], False),
    "delay": ("2G", ["--delay", "2G"], 300),
    "seed": (7, ["--seed", "7"], 7),
    "api_key": ("k", ["--api-key", "k"], "k"),
    "max_body_size": (100, ["--max-body-size", "100"], 100),
    "journal_size": (2, ["--journal-size", "2"], 2),
    "journal_bytes": (1, ["--journal-bytes", "1"], 1),
    "journal_body_bytes": (10, ["--journal-body-bytes", "10"], 10),
    "max_pending_delays": (1, ["--max-pending-delays", "1"], 1),
    "max_pending_delay_bytes": (1, ["--max-pending-delay-bytes", "1"], 1),
    "proxy": ("HTTP://127.0.0.1:9/v1/", ["--proxy", "HTTP://127.0.0.1:9/v1/"], "http://127.0.0.1:9/v1"),
    "record": ("new-episodes", ["--record", "new-episodes", "--proxy", "http://127.0.0.1:9"], "new_episodes"),
    "redact": ("X-Token, session*", ["--redact", "X-Token, session*"], ("x-token", "session*")),
    "proxy_timeout": (2.5, ["--proxy-timeout", "2.5"], 2.5),
    "proxy_connect_timeout": (1, ["--proxy-connect-timeout", "1"], 1.0),
    "proxy_max_size": (100, ["--proxy-max-size", "100"], 100),
    "proxy_verify": (False, ["--no-proxy-verify"], False),
}
NEEDS = {"record": {"proxy": "http://127.0.0.1:9"}}
"""What an option needs besides itself (a record mode records from a proxy)."""


def alone(name: str, value: Any) -> dict[str, Any]:
    """``{name: value}`` and what it needs to be valid on its own."""
    return {**NEEDS.get(name, {}), name: value}
HUB_CONFIG = {"match_body": True, "match_headers": ["x-team"], "match_query_params": False, "match_wildcards": False,
              "distance_threshold": 0, "colon_wildcards": True, "cors": False, "delay": {"type": "fixed", "duration": 300},
              "seed": 7}


# ------------------------------------------------------------------------------ the object


def test_typed_keywords_and_fields_are_the_same_set():
    assert set(OptionFields.__annotations__) == set(FIELDS) == set(EVERY)
    assert set(MATCHING) == {row[0] for row in MATCHING_ROWS}
    assert set(CONFIG_KEYS.values()) == set(HUB_CONFIG)
    for f in fields(MockOptions):
        assert f.metadata["help"] and f.metadata["group"] in ("matching", "answers", "limits", "proxy"), f.name


def test_values_are_normalised():
    options = MockOptions(**{name: value for name, (value, _, _) in EVERY.items()})
    for name, (_, _, kept) in EVERY.items():
        assert getattr(options, name) == kept, name
    assert MockOptions(delay="3g").delay == 100 and MockOptions(delay="250").delay == 250
    assert MockOptions(match_headers=[" Accept ", ""]).match_headers == ("accept",)
    assert MockOptions(api_key="").api_key is None


@pytest.mark.parametrize("name, value, says", [
    ("distance_threshold", 1.5, "between 0"), ("distance_threshold", float("nan"), "between 0"),
    ("distance_threshold", True, "between 0"), ("delay", "5G", "180000 ms"), ("delay", 0, "180000 ms"),
    ("delay", 180_001, "180000 ms"), ("match_body", "yes", "True or False"), ("cors", None, "True or False"),
    ("match_headers", ["a b"], "not one"), ("match_headers", 3, "header names"), ("seed", "7", "whole number"),
    ("api_key", 1, "string"), ("max_body_size", 0, "at least 1"), ("journal_body_bytes", -1, "at least 0"),
    ("journal_size", 2.5, "whole number"), ("max_pending_delays", False, "whole number"),
    ("proxy", "ftp://h", "http or https"), ("proxy", "http://", "with a host"), ("proxy", "http://u:p@h", "password"),
    ("proxy", "http://h/?q=1", "query"), ("proxy", 8080, "URL"), ("record", "sometimes", "new_episodes, all, once"),
    ("record", "all", "needs an upstream"), ("redact", ["a b"], "names of letters"), ("redact", 3, "names"),
    ("proxy_timeout", 0, "above 0"), ("proxy_timeout", float("nan"), "above 0"), ("proxy_connect_timeout", True, "seconds"),
    ("proxy_max_size", 0, "at least 1"), ("proxy_verify", "no", "True or False"),
])
def test_bad_values_raise_one_config_error(name, value, says):
    with pytest.raises(ConfigError, match=says) as raised:
        MockOptions(**{name: value})
    assert raised.value.option == name and str(raised.value).startswith(name)
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, mockkit.MockkitError)


def test_an_unknown_keyword_names_the_nearest_option():
    with pytest.raises(TypeError, match="did you mean match_body"):
        mockkit.transport(PROBE, match_bodies=True)
    with pytest.raises(TypeError, match="options= must be a MockOptions"):
        mockkit.MockEngine(PROBE, options={"match_body": True})


def test_match_options_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="MockOptions") as warned:
        alias = mockkit.MatchOptions
    assert alias is MockOptions and warned[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert alias(match_body=True) == MockOptions(match_body=True)


def test_postman_config_maps_onto_the_fields():
    base = MockOptions(distance_threshold=0.4, seed=3)
    got = MockOptions.from_postman_config({"matchBody": True, "headers": ["X-A"], "matchQueryParams": False,
                                           "matchWildcards": False, "delay": {"type": "fixed", "preset": "1"},
                                           "colonWildcards": True, "cors": False, "serverResponseId": "x"}, base)
    assert got == MockOptions(match_body=True, match_headers=("x-a",), match_query_params=False, match_wildcards=False,
                              delay=300, colon_wildcards=True, cors=False, distance_threshold=0.4, seed=3)
    assert MockOptions(delay=250, match_headers=("a",)).postman_config() == {
        "headers": ["a"], "matchBody": False, "matchQueryParams": True, "matchWildcards": True,
        "delay": {"type": "fixed", "duration": 250}}


# ------------------------------------------------------------------------------ the CLI


@pytest.mark.parametrize("command", ["serve", "explain", "check", "hub"])
def test_every_cli_subcommand_has_every_option_flag(command):
    """Flags are made from the fields: each subcommand that builds an engine takes every option
    (the hub: those a mock's config can set, as every mock's defaults) into the same MockOptions."""
    positional = {"serve": ["api.json"], "explain": ["api.json", "GET", "/x"], "check": ["api.json"], "hub": []}
    for name, (_, words, kept) in EVERY.items():
        if command == "hub" and name not in CONFIG_KEYS.values():
            continue
        args = _parser().parse_args([command, *positional[command], *words])
        assert getattr(_options(args), name) == kept, (command, name)
        assert _options(args) == MockOptions(**alone(name, kept))


def test_a_bad_flag_value_names_the_flag(capsys):
    assert main(["explain", "api.json", "GET", "/x", "--distance-threshold", "2"]) == 2
    assert "mockkit: --distance-threshold must be between 0 (step h off) and 1, not 2.0" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the doors


def winner_of(response: httpx.Response) -> str | None:
    return response.text if response.status_code == 200 else None


def call(client: httpx.Client, request: tuple, base: str = "") -> httpx.Response:
    method, path, headers, body = request
    return client.request(method, base + path, headers=headers, content=body)


def through_server(options: dict, request: tuple) -> str | None:
    with mockkit.MockServer(PROBE, **options) as server:
        return winner_of(server.request(request[0], request[1], headers=request[2], content=request[3]))


def through_serve(options: dict, request: tuple) -> str | None:
    server = mockkit.serve(PROBE, **options)
    try:
        return winner_of(server.request(request[0], request[1], headers=request[2], content=request[3]))
    finally:
        server.stop()


def through_transport(options: dict, request: tuple) -> str | None:
    with httpx.Client(transport=mockkit.transport(PROBE, strict=False, **options), base_url="http://mock") as client:
        return winner_of(call(client, request))


def through_explain(options: dict, request: tuple) -> str | None:
    method, path, headers, body = request
    frame = mockkit.explain(PROBE, method, path, headers=headers, body=body, **options)
    chosen = list(frame.loc[frame["selected"], "example"])
    return chosen[0] if chosen else None


def through_cli_explain(options: dict, request: tuple, capsys: pytest.CaptureFixture[str], tmp_path) -> str | None:
    source = tmp_path / "probe.json"
    source.write_text(json.dumps(PROBE))
    method, path, headers, body = request
    words = [w for name, value in options.items() for row in MATCHING_ROWS if row[0] == name for w in row[2]]
    extra = [w for k, v in headers.items() for w in ("-H", f"{k}: {v}")] + (["-d", body] if body else [])
    assert main(["explain", str(source), method, path, *extra, *words]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    found = re.search(r"→ \d+ '([^']+)'", first)
    return found.group(1) if found else None


def through_hub(options: dict, request: tuple, tmp_path, *, as_defaults: bool) -> str | None:
    """The hub: the option as a mock's config key, or as the hub's default for every mock."""
    config = {key: HUB_CONFIG[name] if name in HUB_CONFIG else value for name, value in options.items()
              for key in [k for k, n in CONFIG_KEYS.items() if n == name]}
    defaults = MockOptions(**options) if as_defaults else None
    with mockkit.serve_hub(tmp_path / f"hub-{as_defaults}", api_key="hk", options=defaults) as hub:
        uid = hub.client.create_collection(PROBE)["collection"]["uid"]
        mock = hub.client.create_mock(uid, config=None if as_defaults else config)["mock"]
        with httpx.Client(trust_env=False) as client:
            return winner_of(call(client, request, mock["mockUrl"]))


@pytest.mark.parametrize("name, value, words, request_, off, on", [pytest.param(*row, id=row[0]) for row in MATCHING_ROWS])
def test_a_matching_option_changes_the_winner_the_same_way_through_every_door(name, value, words, request_, off, on,
                                                                              capsys, tmp_path):
    given = {name: value}
    doors = {
        "MockServer": lambda o: through_server(o, request_),
        "serve": lambda o: through_serve(o, request_),
        "transport": lambda o: through_transport(o, request_),
        "explain": lambda o: through_explain(o, request_),
        "mockkit explain": lambda o: through_cli_explain(o, request_, capsys, tmp_path),
        "hub mock config": lambda o: through_hub(o, request_, tmp_path / "config", as_defaults=False),
        "hub defaults (mockkit hub flags)": lambda o: through_hub(o, request_, tmp_path / "defaults", as_defaults=True),
    }
    got = {door: (run({}), run(given)) for door, run in doors.items()}
    assert got == {door: (off, on) for door in doors}


def test_check_reads_the_same_matching_options(tmp_path, capsys):
    """``check`` (Python and CLI) notes the examples that lack a header or body their request
    sends only when that header or the body is matched."""
    lacking = json.loads(json.dumps(PROBE))
    plain = next(item for item in lacking["item"] if item["response"][0]["name"] == "plain")
    plain["request"]["header"] = [{"key": "X-Team", "value": "a"}]
    plain["request"]["body"] = {"mode": "raw", "raw": "{}"}
    source = tmp_path / "lacking.json"
    source.write_text(json.dumps(lacking))

    def notes(frame) -> set[tuple[str, str]]:
        return {(kind, message) for kind, message in zip(frame["kind"], frame["message"])}

    off = notes(mockkit.check(lacking))
    for kwargs, words, kind in (({"match_headers": "x-team"}, ["--match-headers", "x-team"], "missing-header"),
                                ({"match_body": True}, ["--match-body"], "missing-body")):
        found = notes(mockkit.check(lacking, **kwargs)) - off
        assert {k for k, _ in found} == {kind}, kwargs
        assert notes(mockkit.check(lacking, None, MockOptions(**kwargs))) - off == found
        main(["check", str(source), *words])
        out = capsys.readouterr().out
        assert all(message in out for _, message in found), (found, out)
    for name, (value, _, _) in EVERY.items():  # every option is accepted
        mockkit.check(PROBE, **alone(name, value))
        mockkit.examples(PROBE, **alone(name, value))


# ------------------------------------------------------------------------- answers, limits


def fake_body(seed: int) -> bytes:
    return mockkit.MockEngine(PROBE, seed=seed).handle(mockkit.MockRequest.from_target("GET", "/fake")).response.body


def test_answer_options_mean_the_same_at_every_door(tmp_path):
    origin = {"Origin": "http://front.test"}
    with mockkit.MockServer(PROBE, cors=False, seed=7, api_key="k") as server, \
            httpx.Client(transport=mockkit.transport(PROBE, cors=False, seed=7, api_key="k", strict=False),
                         base_url="http://mock") as transported, \
            mockkit.serve_hub(tmp_path / "hub", api_key="hk", options=MockOptions(cors=False, seed=7)) as hub:
        uid = hub.client.create_collection(PROBE)["collection"]["uid"]
        default_mock = hub.client.create_mock(uid)["mock"]["mockUrl"]
        config_mock = hub.client.create_mock(uid, config={"cors": False, "seed": 7})["mock"]["mockUrl"]
        key = {"x-api-key": "k"}
        answers = {
            "MockServer": (server.get("/plain", headers={**origin, **key}), server.get("/fake", headers=key),
                           server.get("/plain").status_code),
            "transport": (transported.get("/plain", headers={**origin, **key}), transported.get("/fake", headers=key),
                          transported.get("/plain").status_code),
            "hub defaults": (httpx.get(default_mock + "/plain", headers=origin), httpx.get(default_mock + "/fake"), 401),
            "hub config": (httpx.get(config_mock + "/plain", headers=origin), httpx.get(config_mock + "/fake"), 401),
        }
    for door, (plain, fake, unkeyed) in answers.items():
        assert plain.status_code == 200 and "access-control-allow-origin" not in plain.headers, door
        assert fake.content == fake_body(7), door
        assert unkeyed == 401, door  # a hub's mocks are private through the hub's key, not api_key
    with mockkit.MockServer(PROBE) as server:
        assert server.get("/plain", headers=origin).headers["access-control-allow-origin"] == "http://front.test"


@pytest.mark.parametrize("door", ["MockServer", "transport", "hub config", "hub defaults"])
def test_a_delay_option_delays_every_door(door, tmp_path):
    """A lower bound only (speed is measured in benchmarks, not asserted)."""
    if door == "MockServer":
        with mockkit.MockServer(PROBE, delay=300) as server:
            started = time.monotonic()
            server.get("/plain")
    elif door == "transport":
        with httpx.Client(transport=mockkit.transport(PROBE, delay="2G", strict=False), base_url="http://m") as client:
            started = time.monotonic()
            client.get("/plain")
    else:
        defaults = MockOptions(delay=300) if door == "hub defaults" else None
        with mockkit.serve_hub(tmp_path / "hub", api_key="hk", options=defaults) as hub:
            uid = hub.client.create_collection(PROBE)["collection"]["uid"]
            config = None if defaults else {"delay": {"type": "fixed", "preset": "1"}}
            url = hub.client.create_mock(uid, config=config)["mock"]["mockUrl"]
            started = time.monotonic()
            httpx.get(url + "/plain")
    assert time.monotonic() - started >= 0.29


@pytest.mark.parametrize("make", ["MockServer", "transport"])
def test_limits_mean_the_same_for_a_server_and_a_transport(make):
    def client(**options):
        if make == "MockServer":
            return mockkit.MockServer(PROBE, **options).start(), None
        made = mockkit.transport(PROBE, strict=False, **options)
        return made, httpx.Client(transport=made, base_url="http://m")

    def send(holder, http, method, path, **kw):
        return holder.request(method, path, **kw) if make == "MockServer" else http.request(method, path, **kw)

    holder, http = client(max_body_size=100)
    refused = send(holder, http, "POST", "/plain", content=b"x" * 101)
    assert (refused.status_code, refused.json()["error"]["name"]) == (413, "payloadTooLargeError")
    assert send(holder, http, "POST", "/plain", content=b"x" * 100).status_code == 404  # no POST example
    holder.stop() if make == "MockServer" else http.close()
    for options, check in (
        ({"journal_size": 2}, lambda calls: len(calls) == 2),
        ({"journal_bytes": 1}, lambda calls: len(calls) == 1),
        ({"journal_body_bytes": 10}, lambda calls: all(len(c.request.body) == 10 and c.body_truncated for c in calls)),
    ):
        holder, http = client(**options)
        for _ in range(3):
            send(holder, http, "PUT", "/plain", content=b"y" * 50)
        assert check(holder.engine.journal.snapshot()), options
        holder.stop() if make == "MockServer" else http.close()


def test_pending_delay_caps_hold_for_a_server():
    """The transport holds no answers (its caller waits): the caps are a server's."""
    with mockkit.MockServer(PROBE, max_pending_delay_bytes=1) as server:
        assert server.get("/plain", headers={"x-mock-response-delay": "5000"}).status_code == 503
    with mockkit.MockServer(PROBE, max_pending_delays=1) as server:
        first: list[int] = []
        waiting = threading.Thread(target=lambda: first.append(
            server.get("/plain", headers={"x-mock-response-delay": "1500"}).status_code))
        waiting.start()
        deadline = time.monotonic() + 10
        while server._app.delays.count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.get("/plain", headers={"x-mock-response-delay": "1500"}).status_code == 503
        waiting.join(15)
        assert first == [200]


# ------------------------------------------------------------------- the commands, end to end


def started(*words: str) -> tuple[subprocess.Popen, str]:
    """``mockkit <words> --port 0`` in the background; its URL read from the banner (bounded)."""
    proc = subprocess.Popen([sys.executable, "-m", "mockkit", *words, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    for _ in range(40):
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            break
    found = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
    if found is None:
        stop(proc)
        raise AssertionError(f"no URL in {lines!r}")
    return proc, found.group(0)


def test_mockkit_serve_flags_mean_what_the_keywords_mean(tmp_path):
    source = tmp_path / "probe.json"
    source.write_text(json.dumps(PROBE))
    proc, url = started("serve", str(source), "--quiet", "--colon-wildcards", "--no-cors", "--api-key", "k",
                        "--max-body-size", "100", "--seed", "7", "--no-match-query-params")
    try:
        with httpx.Client(base_url=url, headers={"x-api-key": "k"}, trust_env=False) as client:
            assert client.get("/c/seven").text == "colon"
            assert client.get("/q?sort=desc").text == "asc"
            assert "access-control-allow-origin" not in client.get("/plain", headers={"Origin": "http://o"}).headers
            assert client.post("/plain", content=b"x" * 101).status_code == 413
            assert client.get("/fake").content == fake_body(7)
            assert client.get("/plain", headers={"x-api-key": "wrong"}).status_code == 401
    finally:
        stop(proc)


def test_mockkit_hub_flags_are_every_mocks_defaults(tmp_path):
    proc, url = started("hub", "--data", str(tmp_path / "hub"), "--api-key", "hk", "--colon-wildcards", "--no-cors",
                        "--seed", "7", "--match-body")
    try:
        with mockkit.Hub(url, "hk") as api:
            uid = api.create_collection(PROBE)["collection"]["uid"]
            plain = api.create_mock(uid)["mock"]
            assert plain["config"]["matchBody"] is True  # Postman's keys: written into new mocks
            told = api.create_mock(uid, config={"colonWildcards": False, "matchBody": False})["mock"]
        with httpx.Client(trust_env=False) as client:
            assert client.get(plain["mockUrl"] + "/c/seven").text == "colon"
            assert client.get(told["mockUrl"] + "/c/seven").status_code == 404  # its config wins
            assert "access-control-allow-origin" not in client.get(plain["mockUrl"] + "/plain",
                                                                  headers={"Origin": "http://o"}).headers
            assert client.get(plain["mockUrl"] + "/fake").content == fake_body(7)
            body = {"content-type": "application/json"}
            assert client.post(plain["mockUrl"] + "/body", headers=body, content='{"k": 2}').status_code == 404
            assert client.post(told["mockUrl"] + "/body", headers=body, content='{"k": 2}').text == "body-saved"
    finally:
        stop(proc)


def test_a_hub_refuses_a_bad_mockkit_config_value_naming_the_key(tmp_path):
    with mockkit.serve_hub(tmp_path / "hub", api_key="hk") as hub:
        uid = hub.client.create_collection(PROBE)["collection"]["uid"]
        for config, says in (({"distanceThreshold": 2}, "mock.config.distanceThreshold must be between 0"),
                             ({"colonWildcards": "yes"}, "mock.config.colonWildcards must be True or False"),
                             ({"seed": 1.5}, "mock.config.seed must be a whole number"),
                             ({"cors": None, "matchbody": True}, "mock.config.matchbody is not a known field")):
            with pytest.raises(mockkit.HubError, match=re.escape(says)) as refused:
                hub.client.create_mock(uid, config=config)
            assert refused.value.status == 400 and refused.value.name == "malformedRequestError"


# ------------------------------------------------------------------ proxy and record (issue 16)


PROXIED = {"record": "new_episodes", "redact": "x-token", "proxy_max_size": 2000}


def proxied_answers(get) -> tuple:
    """What a proxying, recording door answers: forwarded, then from the recording, then a 502."""
    first = get("/users/5", {"X-Token": "t0k"})
    again = get("/users/5", {})
    big = get("/big?bytes=5000", {})
    return (first.status_code, first.json()["id"], again.json()["id"], big.status_code, big.json()["error"]["name"])


def test_proxy_options_mean_the_same_at_every_door(tmp_path):
    import anyio

    from upstream import Upstream

    expected = (200, 5, 5, 502, "upstreamTooLargeError")
    with Upstream() as up:
        options = {"proxy": up.url, **PROXIED}
        with mockkit.MockServer(PROBE, **options) as server:
            assert proxied_answers(lambda p, h: server.get(p, headers=h)) == expected
            recorded = server.engine.collection.examples[-1]
        served = mockkit.serve(PROBE, **options)
        try:
            assert proxied_answers(lambda p, h: served.get(p, headers=h)) == expected
        finally:
            served.stop()
        with httpx.Client(transport=mockkit.transport(PROBE, strict=False, **options), base_url="http://m") as client:
            assert proxied_answers(lambda p, h: client.get(p, headers=h)) == expected

        async def through_async() -> tuple:
            transport = mockkit.transport(PROBE, strict=False, options=MockOptions(**options))
            async with httpx.AsyncClient(transport=transport, base_url="http://m") as client:
                got = [await client.get(p, headers=h) for p, h in (("/users/5", {"X-Token": "t0k"}), ("/users/5", {}),
                                                                     ("/big?bytes=5000", {}))]
            return (got[0].status_code, got[0].json()["id"], got[1].json()["id"], got[2].status_code,
                    got[2].json()["error"]["name"])

        assert anyio.run(through_async) == expected
        source = tmp_path / "probe.json"
        source.write_text(json.dumps(PROBE))
        proc, url = started("serve", str(source), "--quiet", "--proxy", up.url, "--record", "new_episodes",
                            "--redact", "x-token", "--proxy-max-size", "2000")
        try:
            with httpx.Client(base_url=url, trust_env=False) as client:
                assert proxied_answers(lambda p, h: client.get(p, headers=h)) == expected
        finally:
            stop(proc)
        assert up.hits == {"/users/5": 5, "/big": 5}  # once per door: the second call is the recording's
    assert dict(recorded.request.headers)["X-Token"] == "[redacted]"
    saved = mockkit.load_collection(str(source)).examples[-1]  # mockkit serve saved on stop
    assert saved.request_name == "GET /users/5" and dict(saved.request.headers)["X-Token"] == "[redacted]"
    with pytest.raises(ConfigError, match="not hub options"):
        mockkit.serve_hub(tmp_path / "hub", options=MockOptions(**options))
