"""The ``mockkit`` command, run as a user runs it: real processes, stopped by PID."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import mockkit
from builders import coll, ex
from mockkit.demo import DEMO_COLLECTION

MOCKKIT = [sys.executable, "-m", "mockkit"]


def run(*args, timeout=60):
    return subprocess.run([*MOCKKIT, *args], capture_output=True, text=True, timeout=timeout)


class Served:
    """``mockkit serve`` in the background; the port read from its banner."""

    def __init__(self, *args, cwd=None):
        self.proc = subprocess.Popen([*MOCKKIT, "serve", *args, "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=cwd)
        self.banner = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line)
            if line.startswith("Ctrl-C"):
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)", "".join(self.banner))
        assert match, f"no URL in banner: {self.banner!r} {self.proc.stderr.read() if self.proc.poll() is not None else ''}"
        self.url = f"http://127.0.0.1:{match.group(1)}"

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:  # a stuck server: kill its whole group (workers too)
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, err = self.proc.communicate()
            raise AssertionError(f"mockkit serve did not stop on SIGTERM: {err[-2000:]}")
        finally:
            try:
                os.killpg(self.proc.pid, 0)  # anything left in the group (workers)?
            except ProcessLookupError:
                pass
            else:
                os.killpg(self.proc.pid, signal.SIGKILL)
        return self.proc.returncode, out, err


def test_serve_the_demo_by_default():
    served = Served()
    try:
        banner = "".join(served.banner)
        assert "mockkit demo" in banner and "/users/{{userId}}" in banner
        with httpx.Client(base_url=served.url, trust_env=False) as client:
            assert client.get("/users/me").json()["role"] == "admin"
            assert client.get("/nope").status_code == 404
    finally:
        code, out, err = served.stop()
    assert code == 0, err
    assert "GET /users/me -> 200 'Current user' score 110 (" in out
    assert "GET /nope -> 404 no match; nearest: '" in out
    assert "Traceback" not in err


def test_serve_logs_the_nearest_example_for_a_miss():
    served = Served(str(DEMO_COLLECTION))
    try:
        with httpx.Client(base_url=served.url, trust_env=False) as client:
            client.get("/ordres/1001/items")          # a typo, and one segment too many
            client.get("/helth")                       # close to /health but a different word
            client.get("/users", headers={"x-mock-response-name": "Nobody"})
            client.put("/users/1")                     # no example uses PUT
            client.get("/users/1", headers={"x-mock-response-code": "418"})
    finally:
        code, out, err = served.stop()
    lines = [line for line in out.splitlines() if "->" in line]
    assert "GET /ordres/1001/items -> 404 no match; nearest: 'Order 1001' (GET /orders/1001): " in lines[0]
    assert "3 segments" in lines[0] or "2 segments" in lines[0]
    assert "nearest: 'Healthy' (GET /health)" in lines[1] or " -> 200 'Healthy'" in lines[1]
    assert "Nobody" in lines[2] and "no match" in lines[2]
    assert "no example uses PUT" in lines[3]
    assert "418" in lines[4] and "nearest: 'User found' (GET /users/{{userId}})" in lines[4]


def test_call_lines_escape_what_requests_and_files_send():
    from mockkit.console import call_line

    engine = mockkit.MockEngine(coll(ex("/a", name="evil\x1b]0;pwned\x07")))
    for target in ("/a", "/b\x1b[2J\u202e"):
        request = mockkit.MockRequest.from_target("GET", target)
        line = call_line(request, engine.handle(request), 1.0)
        assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line
    assert "evil\\x1b]0;pwned\\x07" in call_line(request := mockkit.MockRequest.from_target("GET", "/a"),
                                                   engine.handle(request), 1.0)


def test_a_cors_pre_flight_answered_without_an_example_is_not_logged_as_a_miss():
    from mockkit.console import call_line

    engine = mockkit.MockEngine(coll(ex("/a", name="a")))
    request = mockkit.MockRequest.from_target("OPTIONS", "/a", headers={"Origin": "http://x.test",
                                                                        "Access-Control-Request-Method": "GET"})
    line = call_line(request, engine.handle(request), 1.0)
    assert "-> 204 CORS pre-flight, answered by mockkit" in line and "no match" not in line
    bare = mockkit.MockRequest.from_target("OPTIONS", "/a")  # not a pre-flight: a call nothing matched
    assert "-> 404 no match" in call_line(bare, engine.handle(bare), 1.0)



def test_serve_with_two_workers_and_options():
    served = Served(str(DEMO_COLLECTION), "--workers", "2", "--seed", "3", "--api-key", "k", "--quiet")
    try:
        with httpx.Client(base_url=served.url, trust_env=False) as client:
            for _ in range(20):
                assert client.get("/users", headers={"x-api-key": "k"}).status_code == 200
            assert client.get("/users").status_code == 401
    finally:
        code, out, err = served.stop()
    assert code == 0, err


@pytest.mark.parametrize("args, message", [
    (["serve", "missing.json"], "missing.json: no such file"),
    (["serve", "--delay", "9G"], "--delay must be"),
    (["explain", str(DEMO_COLLECTION), "GET", "/", "-H", "nocolon"], "-H wants"),
])
def test_user_mistakes_are_one_line_errors(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_port_in_use_is_a_clear_error():
    served = Served()
    try:
        port = served.url.rsplit(":", 1)[1]
        result = run("serve", "--port", port)
        assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    finally:
        served.stop()


def run_at(width, *args, **env):
    environ = {**os.environ, "COLUMNS": str(width), "NO_COLOR": "1", **env}
    return subprocess.run([*MOCKKIT, *args], capture_output=True, text=True, timeout=60, env=environ)


@pytest.mark.parametrize("width", [80, 120])
def test_explain_fits_the_terminal_with_whole_scores(width):
    result = run_at(width, "explain", str(DEMO_COLLECTION), "GET", "/users?page=2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "GET /users?page=2 → 200 'Users, page 2' (path a · exact, score 110)"
    assert max(len(line) for line in lines) <= width
    winner = next(line for line in lines if "Users, page 2" in line and "✓" in line)
    assert " 110 " in winner and "110.0" not in result.stdout
    assert "All users" in result.stdout and "reach it with" in result.stdout
    # the reason is wrapped in its own column, left-aligned: its words start at one column
    start = winner.index("chosen")
    following = lines[lines.index(winner) + 1]
    assert following[start - 1] == " " and following[start] != " "


def test_explain_says_plainly_when_nothing_matches():
    result = run_at(100, "explain", str(DEMO_COLLECTION), "DELETE", "/nowhere/at/all")
    assert result.returncode == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("DELETE /nowhere/at/all → no example matches: a mock answers 404 mockRequestNotFoundError")


def test_explain_into_head_exits_quietly(tmp_path: Path):
    import json

    doc = json.loads(DEMO_COLLECTION.read_text())
    doc["item"].append({"name": "many", "item": [
        {"name": f"r{i}", "request": {"method": "GET", "url": f"{{{{baseUrl}}}}/r/{i}"},
         "response": [{"name": f"thing number {i}", "code": 200, "body": "x" * 10,
                       "originalRequest": {"method": "GET", "url": f"{{{{baseUrl}}}}/r/{i}"}}]}
        for i in range(3000)]})
    big = tmp_path / "big.json"
    big.write_text(json.dumps(doc))
    shell = f"{sys.executable} -m mockkit explain {big} GET /r/7 --all | head -3"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "100"})
    assert result.stderr == ""  # no traceback, no "Exception ignored"
    assert len(result.stdout.splitlines()) == 3 and "thing number 7" in result.stdout


def test_check(tmp_path: Path):
    result = run("check", str(DEMO_COLLECTION))
    assert result.returncode == 0, result.stdout
    assert "shadowed" in result.stdout and "x-mock-response-code: 404" in result.stdout
    text = DEMO_COLLECTION.read_text().replace('"name": "Healthy"', '"name": "All users"')
    text = text.replace("{{$guid}}\\\"\\n}", "{{$guidd}}\\\"\\n}")
    broken = tmp_path / "dup.json"
    broken.write_text(text)
    result = run("check", str(broken))
    assert result.returncode == 1
    assert "duplicate-name" in result.stdout
    assert "did you mean {{$guid}}" in result.stdout


@pytest.mark.skipif(shutil.which("newman") is None and not (Path(__file__).parents[1] / ".ci/node/node_modules/.bin/newman").exists(),
                    reason="newman is not installed (.ci/run installs it with npm)")
def test_newman_runs_the_demo_tests_against_mockkit_serve():
    newman = shutil.which("newman") or str(Path(__file__).parents[1] / ".ci/node/node_modules/.bin/newman")
    served = Served()
    try:
        result = subprocess.run(
            [newman, "run", str(DEMO_COLLECTION), "--env-var", f"baseUrl={served.url}", "--env-var", "userId=42",
             "--reporters", "cli", "--disable-unicode", "--color", "off"],
            capture_output=True, text=True, timeout=120,
        )
    finally:
        served.stop()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"assertions\s*\S\s*(\d+)\s*\S\s*0\s", result.stdout), result.stdout[-2000:]


def test_serve_watch_reloads_and_keeps_the_call_log(tmp_path: Path):
    import json

    path = tmp_path / "api.json"
    doc = json.loads(DEMO_COLLECTION.read_text())
    path.write_text(json.dumps(doc))
    served = Served(str(path), "--watch")
    try:
        with httpx.Client(base_url=served.url, trust_env=False) as client:
            assert client.get("/health").status_code == 200
            doc["item"][2]["response"][0]["code"] = 299
            path.write_text(json.dumps(doc))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and client.get("/health").status_code != 299:
                time.sleep(0.1)
            assert client.get("/health").status_code == 299
            path.write_text("{ broken")
            time.sleep(1)
            assert client.get("/health").status_code == 299  # the broken edit keeps the old version
    finally:
        code, out, err = served.stop()
    assert "reloaded" in out and "reload failed, still serving the previous version" in err


# ----------------------------------------------------------------- --workers supervision (issue 11)


def worker_pids(parent: int) -> set[int]:
    """The live (not zombie) children of ``parent``, from /proc."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rpartition(b")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != b"Z":
                pids.add(int(entry))
    return pids


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_that_die_or_stop_are_reported_and_replaced():
    served = Served(str(DEMO_COLLECTION), "--workers", "3", "--quiet")
    try:
        first = wait_until(lambda: worker_pids(served.proc.pid) if len(worker_pids(served.proc.pid)) == 3 else None)
        assert first, "three workers expected"
        victim, sleeper, _ = sorted(first)
        os.kill(victim, signal.SIGKILL)
        assert wait_until(lambda: victim not in worker_pids(served.proc.pid)
                          and len(worker_pids(served.proc.pid)) == 3)
        os.kill(sleeper, signal.SIGSTOP)  # a stopped worker still gets its share of connections
        assert wait_until(lambda: sleeper not in worker_pids(served.proc.pid)
                          and len(worker_pids(served.proc.pid)) == 3)
        statuses = []
        for _ in range(60):  # a new connection each time: the kernel spreads them over the workers
            with httpx.Client(base_url=served.url, trust_env=False, timeout=10) as client:
                statuses.append(client.get("/users/me").status_code)
        assert statuses == [200] * 60
    finally:
        code, out, err = served.stop()
    assert code == 0
    assert f"(pid {victim}) was killed by SIGKILL; started pid" in err
    assert f"(pid {sleeper}) has been stopped for" in err and "Traceback" not in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_that_keep_dying_end_the_server_with_a_message():
    served = Served(str(DEMO_COLLECTION), "--workers", "2", "--quiet")
    try:
        for _ in range(12):  # bounded: the parent gives up after 5 restarts in a minute
            if served.proc.poll() is not None:
                break
            pids = wait_until(lambda: worker_pids(served.proc.pid), timeout=10)
            for pid in pids or ():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.3)
        served.proc.wait(20)
    finally:
        code, out, err = served.stop()
    assert code == 1
    assert "workers keep dying" in err and "stopping" in err and "Traceback" not in err
