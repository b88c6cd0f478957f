"""Issue 11's failure kinds at the issue's scale; each prints one JSON line (RELIABILITY.md).

    python bench/attacks.py wildcard [SEGMENT_CHARS]     # one near-miss segment, ms per request
    python bench/attacks.py journal [POSTS] [MB]         # RSS after POSTS posts of MB each
    python bench/attacks.py delays [POSTS] [MB]          # delayed posts whose clients all leave
    python bench/attacks.py emfile [IDLE]                # ulimit -n 1024 and IDLE idle connections
    python bench/attacks.py large [EXAMPLES]             # a miss, unknown {{$x}} tokens, hub builds
    python bench/attacks.py hub-disk [CALLS]             # call logs on a "full disk" (RLIMIT_FSIZE)
    python bench/attacks.py hub-lock [SECONDS]           # another process holds SQLite's write lock

The tests (tests/test_robustness.py, test_wildcards.py, test_hub_robustness.py, ...) run bounded
versions of each on every CI run; these are the larger runs behind RELIABILITY.md's figures.
Timings come from a shared development machine: read them as orders of magnitude. Run against
another tree with PYTHONPATH=/path/to/tree python bench/attacks.py ...
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import mockkit  # noqa: E402
from builders import coll, ex  # noqa: E402
from processes import cpu_seconds as cpu  # noqa: E402
from processes import rss_mib as rss  # noqa: E402
from mockkit.model import MockRequest  # noqa: E402

UPLOAD = coll(ex("/upload", method="POST", name="upload", response_body="stored"),
              ex("/ping", name="ping", response_body="pong"))
SERVE = "import json, sys, mockkit\ns = mockkit.serve(json.loads(sys.argv[1]))\nprint(s.port, flush=True)\nsys.stdin.read()\n"


def server(collection: dict) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SERVE, json.dumps(collection)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def stop(proc: subprocess.Popen) -> None:
    if proc.stdin:
        proc.stdin.close()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def wildcard(chars: int = 2500, wildcards: int = 3) -> dict:
    """``/files/{{w0}}-{{w1}}-...{{wk}}.x`` against a segment of '-' with no '.x' at the end:
    every split of the '-'s is a candidate, none fits (a near miss), distance step off."""
    saved = "-".join(f"{{{{w{i}}}}}" for i in range(wildcards)) + ".x"
    engine = mockkit.MockEngine(coll(ex("/files/" + saved, name="file", response_body="{{w0}}")),
                                options=mockkit.MockOptions(distance_threshold=0))
    request = MockRequest.from_target("GET", "/files/" + "-" * (chars - 2) + ".y")
    started = time.perf_counter()
    status = engine.handle(request, record=False).response.status
    return {"kind": "wildcard", "segment_chars": chars, "wildcards": wildcards, "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 2)}


def journal(posts: int = 300, mb: float = 9) -> dict:
    proc, port = server(UPLOAD)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=120) as c:
            c.post("/upload", content=b"warm")
            before = rss(proc.pid)
            body = os.urandom(int(mb * 1_000_000))
            statuses = {c.post("/upload", content=body).status_code for _ in range(posts)}
            time.sleep(3)  # the heap is trimmed after a burst
            return {"kind": "journal", "posts": posts, "mb_each": mb, "statuses": sorted(statuses),
                    "rss_before_mib": round(before, 1), "rss_after_mib": round(rss(proc.pid), 1)}
    finally:
        stop(proc)


def delays(posts: int = 1000, mb: float = 1) -> dict:
    proc, port = server(UPLOAD)
    try:
        before = rss(proc.pid)
        body = os.urandom(int(mb * 1_000_000))
        head = (f"POST /upload HTTP/1.1\r\nHost: x\r\nx-mock-response-delay: 120000\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        socks, refused = [], 0
        for _ in range(posts):
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            s.sendall(head + body)
            socks.append(s)
        time.sleep(2)
        for s in socks:
            s.settimeout(0.01)
            try:
                refused += s.recv(64).startswith(b"HTTP/1.1 503")
            except OSError:
                pass
        peak = rss(proc.pid)
        for s in socks:
            s.close()
        time.sleep(5)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30) as c:
            ping = c.get("/ping").text
        return {"kind": "delays", "posts": posts, "mb_each": mb, "answered_503_at_once": refused,
                "rss_before_mib": round(before, 1), "rss_while_pending_mib": round(peak, 1),
                "rss_after_clients_left_mib": round(rss(proc.pid), 1), "then": ping}
    finally:
        stop(proc)


def emfile(idle: int = 1100) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path, log = Path(tmp) / "api.json", Path(tmp) / "stderr.txt"
        path.write_text(json.dumps(UPLOAD))
        with open(log, "w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mockkit", "serve", str(path), "--port", "0", "--quiet"], stdout=subprocess.PIPE,
                stderr=err, text=True, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, idle + 200), max(hard, idle + 200)))
        try:
            port = int(proc.stdout.readline().split("http://127.0.0.1:")[1].split()[0])
            keeper = socket.create_connection(("127.0.0.1", port), timeout=10)
            conns = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(idle)]
            time.sleep(0.5)
            spent = cpu(proc.pid)
            time.sleep(7)
            spent = cpu(proc.pid) - spent
            keeper.sendall(b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
            kept = keeper.recv(4096).split(b"\r\n")[0].decode()
            for s in conns:
                s.close()
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=30) as c:
                after = c.get("/ping").text
        finally:
            stop(proc)
        text = log.read_text()
        return {"kind": "emfile", "idle_connections": idle, "cpu_s_in_7s": round(spent, 2), "stderr_bytes": len(text),
                "stderr_lines": text.count("\n"), "open_connection_answered": kept, "after_freeing": after}


def large(examples: int = 50_000) -> dict:
    doc = coll(*(ex(f"/items/{i}/detail", name=f"item {i}", response_body="x") for i in range(examples)), name="big")
    engine = mockkit.MockEngine(doc)
    misses = []
    for i in range(5):
        started = time.perf_counter()
        engine.handle(MockRequest.from_target("GET", f"/nothing/here/{i}"), record=False)
        misses.append(time.perf_counter() - started)
    from mockkit.templating import compile_template

    started = time.perf_counter()
    compile_template("".join(f"{{{{$unknown{i}}}}}" for i in range(100_000)), {})
    tokens_s = time.perf_counter() - started
    return {"kind": "large", "examples": examples, "miss_ms_median": round(statistics.median(misses) * 1000, 1),
            "unknown_tokens_100k_compile_s": round(tokens_s, 2), **_hub_build(doc)}


def _hub_build(doc: dict) -> dict:
    """The slowest answer of a small mock while a big mock is uploaded and built, in a ``mockkit
    hub`` process of its own (the upload is encoded before the pings start: a client in the same
    process would stall them itself)."""
    upload = json.dumps({"collection": doc}).encode()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data", f"{tmp}/d",
                                 "--api-key", "k"], stdout=subprocess.PIPE, text=True)
        try:
            url = proc.stdout.readline().split()[3]
            admin = httpx.Client(base_url=url, headers={"x-api-key": "k"}, trust_env=False, timeout=600)
            small_uid = admin.post("/collections", json={"collection": UPLOAD}).json()["collection"]["uid"]
            small = admin.post("/mocks", json={"mock": {"collection": small_uid}}).json()["mock"]["mockUrl"]
            slowest, done = [0.0], threading.Event()

            def ping() -> None:
                with httpx.Client(trust_env=False, timeout=60) as c:
                    while not done.is_set():
                        started = time.perf_counter()
                        c.get(small + "/ping")
                        slowest[0] = max(slowest[0], time.perf_counter() - started)

            pinger = threading.Thread(target=ping)
            pinger.start()
            started = time.perf_counter()
            uid = admin.post("/collections", content=upload).json()["collection"]["uid"]
            big = admin.post("/mocks", json={"mock": {"collection": uid}}).json()["mock"]["mockUrl"]
            status = httpx.get(big + "/items/1/detail", trust_env=False, timeout=600).status_code
            build_s = time.perf_counter() - started
            done.set()
            pinger.join(60)
            admin.close()
        finally:
            stop(proc)
        return {"hub_upload_mb": round(len(upload) / 1e6, 1), "hub_upload_and_first_call_s": round(build_s, 1),
                "hub_first_call_status": status, "hub_slowest_other_mock_call_ms_meanwhile": round(slowest[0] * 1000, 1)}


def hub_disk(calls: int = 400) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        def small_disk() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (3_000_000, 3_000_000))

        log = Path(tmp) / "stderr.txt"
        with open(log, "w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data", f"{tmp}/d",
                                     "--api-key", "k"], stdout=subprocess.PIPE, stderr=err, text=True,
                                    preexec_fn=small_disk)
        try:
            url = proc.stdout.readline().split()[3]
            admin = httpx.Client(base_url=url, headers={"x-api-key": "k"}, trust_env=False, timeout=60)
            uid = admin.post("/collections", json={"collection": UPLOAD}).json()["collection"]["uid"]
            mock = admin.post("/mocks", json={"mock": {"collection": uid}}).json()["mock"]["mockUrl"]
            with httpx.Client(trust_env=False, timeout=60) as c:
                statuses = [c.post(mock + "/upload", content=b"x" * 40_000).status_code for _ in range(calls)]
            time.sleep(3)
            status = admin.get("/status").json()["status"]["callLogs"]
            admin.close()
        finally:
            stop(proc)
        return {"kind": "hub-disk", "calls": calls, "answered_200": statuses.count(200),
                "call_logs": status, "stderr_lines": log.read_text().count("\n")}


def hub_lock(seconds: float = 10) -> dict:
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp, mockkit.serve_hub(Path(tmp) / "d", api_key="k") as hub:
        admin = httpx.Client(base_url=hub.url, headers={"x-api-key": "k"}, trust_env=False, timeout=60)
        uid = admin.post("/collections", json={"collection": UPLOAD}).json()["collection"]["uid"]
        mock = admin.post("/mocks", json={"mock": {"collection": uid}}).json()["mock"]["mockUrl"]
        other = sqlite3.connect(hub.data_dir / "hub.sqlite3", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        slowest, calls, end = 0.0, 0, time.monotonic() + seconds
        with httpx.Client(trust_env=False, timeout=60) as c:
            while time.monotonic() < end:
                started = time.perf_counter()
                c.get(mock + "/ping")
                slowest, calls = max(slowest, time.perf_counter() - started), calls + 1
        other.execute("ROLLBACK")
        other.close()
        status = admin.get("/status").json()["status"]["callLogs"]
        admin.close()
        return {"kind": "hub-lock", "lock_held_s": seconds, "mock_calls_meanwhile": calls,
                "slowest_call_ms": round(slowest * 1000, 1), "call_logs": status}


KINDS = {"wildcard": wildcard, "journal": journal, "delays": delays, "emfile": emfile, "large": large,
         "hub-disk": hub_disk, "hub-lock": hub_lock}

if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    print(json.dumps(KINDS[kind](*(float(a) if "." in a else int(a) for a in args))), flush=True)
