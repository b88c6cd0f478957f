"""Issue 11, hub kinds: call-log writes never fail or stall a mock call (7), bad numbers in query
parameters are 400s (8), large collections load off the loop (10), the hub key and the files
stay private (12).

Real hubs on 127.0.0.1; ``mockkit hub`` subprocesses stopped by PID; every wait is bounded.
"""

from __future__ import annotations

import base64
import json
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mockkit
from builders import coll, ex
from processes import stop
from mockkit.hub.validation import ApiError, call_log_query

KEY = "hub-robust-key-4d2b7e0c"
ECHO = coll(ex("/echo", method="POST", name="echo", response_body="{{$headers}} {{$queryParams}} {{$body}}",
               response_headers={"X-Auth": "{{$headers 'authorization'}}"}),
            ex("/ping", name="ping", response_body="pong"))


def client(url: str, key: str | None = KEY) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"x-api-key": key} if key else {}, trust_env=False, timeout=60)


def new_mock(admin: httpx.Client, collection: dict, **mock: object) -> dict:
    uid = admin.post("/collections", json={"collection": collection}).json()["collection"]["uid"]
    return admin.post("/mocks", json={"mock": {"collection": uid, **mock}}).json()["mock"]


# ------------------------------------------------------------- kind 7: call-log writes


def test_a_locked_database_delays_no_mock_call(tmp_path):
    """Another process holds SQLite's write lock: mock calls are answered meanwhile, the call-log
    batches that time out are counted in GET /status, and admin writes finish once it is free."""
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY, call_log_timeout=0.3) as hub, client(hub.url) as admin:
        mock = new_mock(admin, ECHO)
        other = sqlite3.connect(hub.data_dir / "hub.sqlite3", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # what another program writing to the file would hold
        created: list[int] = []
        writer = threading.Thread(target=lambda: created.append(
            admin.post("/collections", json={"collection": ECHO}).status_code))
        writer.start()
        with client(mock["mockUrl"], key=None) as calls:
            answers = [calls.get("/ping").text for _ in range(40)]
        still_locked = other.in_transaction and not created
        time.sleep(0.8)  # longer than call_log_timeout: the writer gives its batch up
        other.execute("ROLLBACK")
        other.close()
        writer.join(60)
        assert answers == ["pong"] * 40 and still_locked  # answered while the lock was held
        assert created == [200]
        status = admin.get("/status").json()["status"]["callLogs"]
        assert status["failed"] >= 1 and "locked" in status["lastError"]["message"]
        assert status["written"] + status["failed"] == 40


def test_a_full_disk_fails_no_mock_call(tmp_path):
    """``mockkit hub`` whose files may not grow past 3 MB (RLIMIT_FSIZE, what a full disk does to
    writes): 300 calls with 40 kB bodies are all answered; the lost call-log rows are counted,
    reported in GET /status and on stderr a few lines at most, and the hub keeps serving."""

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000))

    err_path = tmp_path / "stderr.txt"
    with open(err_path, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data",
                                 str(tmp_path / "data"), "--api-key", KEY], stdout=subprocess.PIPE, stderr=err,
                                text=True, preexec_fn=small_disk)
    try:
        url = proc.stdout.readline().split()[3]
        with client(url) as admin:
            mock = new_mock(admin, ECHO)
            body = b"x" * 40_000
            with client(mock["mockUrl"], key=None) as calls:
                statuses = [calls.post("/echo", content=body).status_code for _ in range(300)]
            assert statuses == [200] * 300
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status = admin.get("/status").json()["status"]["callLogs"]
                if status["written"] + status["failed"] + status["dropped"] == 300:
                    break
                time.sleep(0.2)
            assert status["failed"] + status["dropped"] > 0 and status["lastError"] is not None
            assert admin.get("/mocks").status_code == 200
    finally:
        stop(proc, 30)
    logged = err_path.read_text()
    assert "call-log row(s) not written" in logged and "Traceback" not in logged
    assert logged.count("\n") <= 6, logged[:3000]


# --------------------------------------------------------------- kind 8: numbers in queries

NUMBERISH = st.one_of(
    st.text(alphabet="0123456789", max_size=30),
    st.text(alphabet="0123456789²³¹٣۴߅०१২੩૪୫௬౭೮൯๑໒༣၄႕០᠑-+_. \t eE", max_size=12),
    st.integers(-10**40, 10**40).map(str),
    st.just("9" * 5000),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["limit", "responseStatusCode", "cursor"]), value=NUMBERISH)
def test_numbers_in_call_log_queries_are_read_strictly(name, value):
    query = {name: value if name != "cursor" else base64.urlsafe_b64encode(f"d{value}".encode()).decode()}
    try:
        parsed = call_log_query(query)
    except ApiError as exc:
        assert exc.status == 400 and exc.name == "malformedRequestError"
        assert exc.message.startswith(name), exc.message
        return
    assert value.strip(" \t").isascii() and value.strip(" \t").isdigit()
    if name == "limit":
        assert 1 <= parsed.limit <= 100
    elif name == "responseStatusCode":
        assert 100 <= parsed.status <= 599
    else:
        assert 0 <= parsed.after_seq < 2**63


def test_bad_numbers_are_400s_over_http(tmp_path):
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY) as hub, client(hub.url) as admin:
        mock = new_mock(admin, ECHO)
        forged = base64.urlsafe_b64encode(b"a" + b"7" * 60).decode()
        for params, name in [({"limit": "٣"}, "limit"), ({"limit": "1" * 6000}, "limit"),
                             ({"limit": "-1"}, "limit"), ({"responseStatusCode": "2" * 30}, "responseStatusCode"),
                             ({"responseStatusCode": "٢٠٠"}, "responseStatusCode"),
                             ({"cursor": forged, "sort": "servedAt", "direction": "asc"}, "cursor"),
                             ({"since": "99999-01-01"}, "since")]:
            r = admin.get(f"/mocks/{mock['id']}/call-logs", params=params)
            assert r.status_code == 400, (params, r.text[:200])
            assert r.json()["error"]["message"].startswith(name)
        assert admin.get(f"/mocks/{mock['id']}/call-logs", params={"limit": "0007"}).status_code == 200


# ----------------------------------------------------------------- kind 12: privacy


def test_files_are_private_even_in_an_existing_folder(tmp_path):
    data = tmp_path / "shared"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "hub.lock").write_text("")
    (data / "hub.lock").chmod(0o644)
    with mockkit.serve_hub(data) as hub, client(hub.url, hub.api_key) as admin:
        new_mock(admin, ECHO)
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = sorted(p.name for p in data.iterdir())
        assert {"hub.sqlite3", "hub.lock", "api-key"} <= set(files)
        for path in data.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path.name, oct(path.stat().st_mode))


def test_the_hub_key_is_redacted_from_answers_and_call_logs_in_every_form(tmp_path):
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY) as hub, client(hub.url) as admin:
        mock = new_mock(admin, ECHO, private=True)
        basic = base64.b64encode(f"me:{KEY}".encode()).decode()
        sends = [
            {"headers": {"x-api-key": KEY, "authorization": f"Bearer {KEY}"}},
            {"headers": {"x-api-key": KEY, "authorization": f"Basic {basic}", "cookie": f"session=1; key={KEY}"}},
            {"headers": {"x-api-key": KEY}, "params": {"x-api-key": KEY, "apikey": KEY, "api_key": KEY, "token": KEY}},
            {"headers": {"x-api-key": KEY}, "content": f'{{"apiKey": "{KEY}"}}'.encode()},
            {"headers": {"x-api-key": KEY}, "content": f"apikey={KEY}&x=1".encode()},
        ]
        with httpx.Client(base_url=mock["mockUrl"], trust_env=False, timeout=30) as calls:
            for send in sends:
                r = calls.post("/echo", **send)
                assert r.status_code == 200
                assert KEY not in r.headers.get("x-auth", "")
                assert KEY not in r.text.split("} ", 2)[0] + r.text.split("} ", 2)[1]  # headers, query echoed
        logs = admin.get(f"/mocks/{mock['id']}/call-logs", params={
            "include": "request.headers,request.body,response.headers,response.body"}).json()
        assert len(logs["call-logs"]) == len(sends)
        text = json.dumps(logs)
        assert KEY not in text and "[redacted]" in text
        assert basic not in text and "Basic [redacted]" in text
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").iterdir() if p.name.startswith("hub.sqlite3"))
    assert KEY.encode() not in raw


def test_a_private_serve_keeps_its_key_out_of_the_journal():
    with mockkit.MockServer(ECHO, api_key=KEY) as server:
        r = server.post("/echo?apikey=" + KEY, headers={"x-api-key": KEY, "authorization": f"Bearer {KEY}"})
        assert r.status_code == 200 and KEY not in r.text
        call = server.engine.journal.get(r.headers["x-mockkit-call"])
        assert KEY not in repr(call)


# ------------------------------------------------------------ kind 10: large collections


def big_collection(n: int) -> dict:
    return coll(*(ex(f"/items/{i}/detail", name=f"item {i}", response_body=f"{{{{$unknown{i % 500}}}}}")
                  for i in range(n)), name="big")


def test_uploading_and_loading_a_large_collection_does_not_stall_other_mocks(tmp_path):
    """A 20,000-example upload and its mock's first call (the engine build) while another mock is
    called in a loop: that mock keeps answering while the upload and the build are in flight."""
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY) as hub, client(hub.url) as admin:
        small = new_mock(admin, ECHO)
        in_flight = threading.Event()
        done = threading.Event()
        answered_meanwhile = [0]

        def ping() -> None:
            with client(small["mockUrl"], key=None) as calls:
                while not done.is_set():
                    assert calls.get("/ping").text == "pong"
                    if in_flight.is_set():
                        answered_meanwhile[0] += 1

        pinger = threading.Thread(target=ping)
        pinger.start()
        try:
            in_flight.set()
            big = new_mock(admin, big_collection(20_000))
            with client(big["mockUrl"], key=None) as calls:
                assert calls.get("/items/19999/detail").status_code == 200
            in_flight.clear()
        finally:
            done.set()
            pinger.join(60)
        assert answered_meanwhile[0] >= 10


def test_compiling_many_unknown_dynamic_variables_stays_linear(monkeypatch):
    """Operation count: the fuzzy "did you mean" search runs for the kept problems only, and
    once per distinct name across templates, not once per token."""
    import difflib

    from mockkit import fakes
    from mockkit.templating import MAX_PROBLEMS, compile_template

    searched = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: searched.append(a[0]) or real(*a, **k))
    fakes.suggest.cache_clear()
    compile_template("".join(f"{{{{$nope{i}}}}}" for i in range(100_000)), {})
    assert len(searched) <= MAX_PROBLEMS
    searched.clear()
    for _ in range(2_000):
        compile_template("{{$randomFirstNam}} {{$guidd}} {{$timestam}}", {})
    assert len(searched) == 3


def test_builds_pause_the_collector_and_big_ones_leave_later_collections_alone():
    """Operation count: no collection runs during a build; after a big build the permanent
    generation holds what was built, so a full collection no longer scans it."""
    import gc

    from mockkit import gcpause

    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    doc = big_collection(gcpause.FREEZE_ABOVE + 500)
    gc.collect()
    frozen_before = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        engine = mockkit.MockEngine(doc)
    finally:
        gc.callbacks.remove(count)
    assert runs == [] and gc.isenabled()
    assert gc.get_freeze_count() > frozen_before
    scanned = {id(o) for o in gc.get_objects()}  # generations 0-2: what a collection scans
    assert id(engine.index) not in scanned and id(engine.index.targets[-1]) not in scanned
    with gcpause.paused():
        with gcpause.paused():  # nested (or on other threads): one switch
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and len(engine.index) == gcpause.FREEZE_ABOVE + 500
    gc.unfreeze()
