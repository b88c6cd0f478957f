"""Issue 7: bad input, load and faults. Bounded versions of what RELIABILITY.md reports.

Each test is limited in count and time; the big runs live in ``bench/``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mockkit
from mockkit import fakes
from mockkit.demo import DEMO_COLLECTION
from mockkit.model import MockRequest
from mockkit.templating import MAX_EXPANSION, MAX_RENDERED, RenderContext, compile_template, render, render_header

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# ------------------------------------------------------------------------------ templating

PIECES = st.sampled_from([
    "{{", "}}", "{", "}", "{{a}}", "{{b}}", "{{$body}}", "{{$body 'x.y' 'd'}}", "{{$queryParams 'q'}}",
    "{{$pathSegments '0'}}", "{{$headers 'h'}}", "{{$guid}}", "{{$randomInt}}", "{{$nope}}", "{{ a }}",
    "{{$body 'a\\.b'}}", "'", "\\", "x", " ", "\r\n", "{{{{a}}}}", "{{$randomLoremParagraphs}}",
])
TEMPLATES = st.lists(PIECES, max_size=30).map("".join) | st.text(max_size=200)
VARIABLES = st.dictionaries(
    st.sampled_from(["a", "b", "c", "$guid"]),
    st.lists(PIECES, max_size=6).map("".join) | st.sampled_from(["{{a}}{{a}}", "{{b}}{{b}}{{b}}", "{{c}}x{{a}}"]),
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=TEMPLATES, variables=VARIABLES, body=st.binary(max_size=300))
@example(template="{{ a }}", variables={"a": "{{b}}{{b}}{{b}}", "b": "{{ a }}{{$randomLoremParagraphs}}"}, body=b"")
def test_random_templates_terminate_within_the_caps(template, variables, body):
    compiled = compile_template(template, variables, captures=["id"])
    request = MockRequest.from_target("POST", "/p/1?q=v", headers={"h": "v\r\nx"}, body=body)
    ctx = RenderContext(request, {"id": "{{a}}"}, fakes.FakeContext(1))
    out = render(compiled, ctx)
    # what the caps guarantee: substitution stops past MAX_RENDERED (plus the one value that crossed
    # it); the rest is the compiled text as written, which variables cannot grow past MAX_EXPANSION
    compiled_text = sum(len(p) if isinstance(p, str) else len(p.name) + 40 for p in compiled.parts)
    assert compiled_text <= max(len(template) * 2, MAX_EXPANSION) + 64 * len(compiled.parts)
    assert len(out) <= MAX_RENDERED + compiled_text + 100_000 + len(body)
    assert "\r" not in render_header(compiled, ctx) and "\n" not in render_header(compiled, ctx)
    assert all(isinstance(p, str) for p in compiled.problems)


def test_variables_that_double_each_pass_stop_at_the_size_cap():
    started = time.monotonic()
    compiled = compile_template("{{a}}", {"a": "{{a}}{{a}}{{a}}{{a}}"})
    assert compiled.problems[0].startswith("variables expand past")
    assert len(compiled.problems) <= 22  # capped, with a count of the rest
    assert len(render(compiled, RenderContext(
        MockRequest.from_target("GET", "/"), {}, fakes.FakeContext(1)))) <= MAX_EXPANSION
    assert time.monotonic() - started < 10  # no quadratic work on the way (a bound, not a benchmark)


def test_a_template_of_many_body_helpers_stops_growing():
    compiled = compile_template("{{$body}}" * 5000, {})
    out = render(compiled, RenderContext(MockRequest.from_target("POST", "/", body=b"x" * 100_000), {},
                                         fakes.FakeContext(1)))
    assert len(out) <= MAX_RENDERED + 100_000 + 5000 * 9


# --------------------------------------------------------------------------- local files


def test_no_collection_field_makes_mockkit_read_a_local_file(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = {
        "info": {"name": "files", "schema": SCHEMA},
        "variable": [{"key": "f", "value": str(secret)}],
        "item": [{"name": "upload", "request": {"method": "POST", "url": f"http://h/{secret}"}, "response": [{
            "name": "upload", "code": 200, "body": "{{f}} {{$body}}",
            "originalRequest": {
                "method": "POST", "url": "http://h/upload",
                "body": {"mode": "file", "file": {"src": str(secret)}},
                "header": [{"key": "X-File", "value": str(secret)}],
            },
        }, {
            "name": "form", "code": 200, "body": "form",
            "originalRequest": {"method": "POST", "url": "http://h/form", "body": {
                "mode": "formdata", "formdata": [{"key": "f", "type": "file", "src": str(secret)}]}},
        }]}],
    }
    opened: list[str] = []

    def audit(event: str, args: tuple) -> None:
        if event == "open" and args and str(args[0]) == str(secret):
            opened.append(event)

    sys.addaudithook(audit)
    engine = mockkit.MockEngine(doc, options=mockkit.MockOptions(match_body=True))
    for target in ("/upload", "/form", str(secret)):
        served = engine.handle(MockRequest.from_target("POST", target, body=b"x"))
        assert b"TOP-SECRET" not in served.response.body
    mockkit.explain(doc, "POST", "/upload", body="x")
    assert opened == []


# ----------------------------------------------------------------------------------- load


def test_a_thousand_keep_alive_connections():
    """1,000 concurrent keep-alive connections, 3 requests each: every answer correct, no 5xx."""
    with mockkit.MockServer(DEMO_COLLECTION) as server:
        port = server.port

        async def client(i: int) -> list[int]:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            statuses = []
            try:
                for _ in range(3):
                    writer.write(b"GET /users/me HTTP/1.1\r\nHost: x\r\n\r\n")
                    await writer.drain()
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = int(next(l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")).split(b":")[1])
                    body = await reader.readexactly(length)
                    assert b'"role": "admin"' in body
                    statuses.append(int(head.split()[1]))
            finally:
                writer.close()
            return statuses

        async def run() -> list[list[int]]:
            return await asyncio.wait_for(asyncio.gather(*(client(i) for i in range(1000))), 120)

        fds_before = len(os.listdir("/proc/self/fd"))
        results = asyncio.run(run())
        assert sum(len(r) for r in results) == 3000
        assert {s for r in results for s in r} == {200}
        assert len(server.calls) == min(3000, server.engine.journal.maxlen)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(os.listdir("/proc/self/fd")) > fds_before + 5:
            time.sleep(0.1)
        assert len(os.listdir("/proc/self/fd")) <= fds_before + 5  # no leaked sockets


def test_two_hundred_serve_stop_cycles_return_to_baseline():
    def count() -> tuple[int, int]:
        return threading.active_count(), len(os.listdir("/proc/self/fd"))

    with mockkit.MockServer(DEMO_COLLECTION) as warm:  # let lazy imports and caches settle
        warm.get("/health")
    threads, fds = count()
    for _ in range(200):
        server = mockkit.serve(DEMO_COLLECTION)
        assert server.get("/health").status_code == 200
    mockkit.stop_all()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and count() > (threads, fds + 2):
        time.sleep(0.05)
    assert count()[0] <= threads and count()[1] <= fds + 2


def test_stop_while_requests_are_in_flight():
    server = mockkit.MockServer(DEMO_COLLECTION).start()
    outcomes: list[str] = []

    def slow() -> None:
        try:
            with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as c:
                r = c.get("/health", headers={"x-mock-response-delay": "1500"})
                outcomes.append(f"status {r.status_code}")
        except httpx.HTTPError as exc:  # a clean client-side error is acceptable
            outcomes.append(type(exc).__name__)

    workers = [threading.Thread(target=slow) for _ in range(5)]
    for t in workers:
        t.start()
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 10
    for t in workers:
        t.join(15)
    assert len(outcomes) == 5
    assert all(o == "status 200" or o in ("RemoteProtocolError", "ReadError", "ConnectError") for o in outcomes), outcomes


def test_watch_reloads_under_load_serve_whole_versions(tmp_path: Path):
    path = tmp_path / "api.json"
    doc = json.loads(DEMO_COLLECTION.read_text())
    versions = []
    for name in ("one", "two"):
        doc["item"][2]["response"][0]["body"] = json.dumps({"version": name, "filler": name * 500})
        versions.append(json.dumps(doc))
    path.write_text(versions[0])
    seen: set[str] = set()
    errors: list[str] = []
    stop = threading.Event()
    with mockkit.MockServer(path, watch=True) as server:
        def hammer() -> None:
            with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as c:
                for _ in range(2000):
                    if stop.is_set():
                        return
                    r = c.get("/health")
                    if r.status_code != 200:
                        errors.append(f"{r.status_code}")
                        continue
                    body = r.json()
                    if body["filler"] != body["version"] * 500:
                        errors.append("mixed body")
                    seen.add(body["version"])

        workers = [threading.Thread(target=hammer) for _ in range(3)]
        for t in workers:
            t.start()
        for i in range(6):
            time.sleep(0.35)
            path.write_text(versions[(i + 1) % 2])
        time.sleep(0.5)
        stop.set()
        for t in workers:
            t.join(30)
    assert errors == []
    assert seen == {"one", "two"}


# ---------------------------------------------------------------- mutated input, end to end

FUZZ_CASES = int(os.environ.get("MOCKKIT_FUZZ_CASES", "300"))
ODD_REQUESTS = [
    MockRequest.from_target("GET", "/"),
    MockRequest("GET", "/%ff/%00/..%2f", (("a", "\x00"),), (("x-mock-response-code", "abc"),), b"\xff"),
    MockRequest("POST", "/a/b", (), (("content-type", "application/json"), ("x-mock-match-request-body", "true")), b"{bad"),
    MockRequest("PURGE", "/" + "x/" * 200, (), (("x-mock-response-name", ""), ("x-mock-response-id", "1-")), b""),
    MockRequest("GET", "/a", (), (("x-mock-match-request-headers", ",,,"), ("content-type", "multipart/form-data; boundary=")), b"--\r\n"),
]


def test_mutated_collections_that_load_also_serve_and_explain():
    """Whatever the loader accepts, the engine builds, answers and explains without raising."""
    from test_collection import fuzz_documents, mutate

    documents = [(n, d) for n, d in fuzz_documents() if "environment" not in n]
    loaded = 0
    for seed in range(FUZZ_CASES):
        rng = __import__("random").Random(seed)
        name, doc = rng.choice(documents)
        described, undo = mutate(doc, rng)
        try:
            try:
                collection = mockkit.load_collection(doc)
            except mockkit.CollectionError:
                continue
            loaded += 1
            try:
                engine = mockkit.MockEngine(collection, seed=seed)
                requests = [t.as_request() for t in engine.index.targets[:4]] + ODD_REQUESTS
                for request in requests:
                    engine.handle(request, record=False)
                    engine.explain(request)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"seed {seed}, {name}, {described}: {type(exc).__name__}: {exc}")
        finally:
            for step in reversed(undo):
                step()
    assert loaded > FUZZ_CASES // 4  # the mutations leave many collections loadable


def test_mutated_environments_raise_only_collection_errors():
    import random

    base = {"id": "e", "name": "env", "_postman_variable_scope": "environment",
            "values": [{"key": "a", "value": "1", "enabled": True}, {"key": "b", "value": "{{a}}", "type": "secret"}]}
    kinds = [None, 1, "x", [], {}, [None], {"key": None}, True, [{"key": 5, "value": {"x": 1}, "enabled": "no"}]]
    for seed in range(400):
        rng = random.Random(seed)
        doc = json.loads(json.dumps(base))
        target = rng.choice([doc, doc["values"], doc["values"][0], doc["values"][1]])
        if isinstance(target, dict):
            key = rng.choice(list(target) + ["values", "key"])
            if rng.random() < 0.3:
                target.pop(key, None)
            else:
                target[key] = rng.choice(kinds)
        else:
            target[rng.randrange(len(target))] = rng.choice(kinds)
        try:
            mockkit.load_environment(doc)
        except mockkit.CollectionError:
            pass


def test_a_slow_client_does_not_hold_up_others():
    """A client trickling its request one byte at a time: others are served meanwhile, and the
    slow one is answered once its request is complete (headers are bounded by Tornado's 60 s)."""
    import socket

    with mockkit.MockServer(DEMO_COLLECTION) as server:
        request = b"GET /users/me HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 20 + b"\r\n\r\n"
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as slow:
            served_meanwhile = 0
            for i, byte in enumerate(request):
                slow.sendall(bytes([byte]))
                if i % 10 == 0:
                    assert server.get("/health").status_code == 200
                    served_meanwhile += 1
                time.sleep(0.01)
            answer = slow.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 ") and served_meanwhile >= 5
