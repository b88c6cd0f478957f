"""One hosting module (issue 13): one URL rule, one bind path, one replace-on-rerun registry for
mock servers and hubs, one file watcher, and the hub as a handler like the engine (its failures
logged, not swallowed)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

import mockkit
from mockkit import ServerError
from mockkit.engine import MockEngine
from mockkit.hosting import FileWatcher, Registry, bind, url_for

from builders import coll, ex

APP = coll(ex("/ping", name="ping", response_body="pong"))


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host, port, url", [
    ("127.0.0.1", 3000, "http://127.0.0.1:3000"), ("::1", 80, "http://[::1]:80"), ("[::1]", 80, "http://[::1]:80"),
    ("fe80::1%lo", 1, "http://[fe80::1%lo]:1"), ("localhost", None, "http://localhost:0"),
])
def test_url_for_brackets_ipv6(host, port, url):
    assert url_for(host, port) == url


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_ipv6_servers_and_hubs_give_bracketed_urls(tmp_path):
    with mockkit.MockServer(APP, host="::1") as server:
        assert server.url == f"http://[::1]:{server.port}"
        assert httpx.get(server.url + "/ping", trust_env=False).text == "pong"
    with mockkit.serve_hub(tmp_path / "hub", host="::1", api_key="k") as hub:
        assert hub.url == f"http://[::1]:{hub.port}"
        assert hub.client.status()["status"]["failures"]["count"] == 0


def test_a_taken_port_is_one_clear_error_everywhere(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for start in (lambda: bind("127.0.0.1", port), lambda: mockkit.MockServer(APP, port=port).start(),
                      lambda: mockkit.serve_hub(tmp_path / "h", port=port, api_key="k")):
            with pytest.raises(ServerError, match=f"cannot listen on 127.0.0.1:{port}"):
                start()


def test_rerunning_a_cell_replaces_the_server_and_keeps_its_port(tmp_path):
    """``serve`` and ``serve_hub`` share one registry rule: same key -> the old one stops, its
    port is taken again; when that port is held by someone else, a free one."""
    first = mockkit.serve(APP)
    port = first.port
    second = mockkit.serve(APP)
    try:
        assert not first.running and second.running and second.port == port
        assert mockkit.mock.running_servers() == [second]
    finally:
        second.stop()
    hub = mockkit.serve_hub(tmp_path / "hub", api_key="k")
    port = hub.port
    again = mockkit.serve_hub(tmp_path / "hub", api_key="k")
    try:
        assert not hub.running and again.running and again.port == port
    finally:
        again.stop()


def test_registry_takes_a_free_port_when_the_old_one_is_gone():
    class Fake:
        def __init__(self, host: str, port: int) -> None:
            self.host, self.port, self.stopped = host, port, False

        def stop(self) -> None:
            self.stopped = True

    tried: list[int] = []

    def start(port: int) -> Fake:
        tried.append(port)
        if port == 4000:
            raise ServerError("cannot listen on 127.0.0.1:4000: in use")
        return Fake("127.0.0.1", port or 5000)

    registry: Registry[Fake] = Registry()
    old = registry.replace("k", "127.0.0.1", 4000, lambda p: Fake("127.0.0.1", p))
    new = registry.replace("k", "127.0.0.1", 0, start)
    assert old.stopped and tried == [4000, 0] and new.port == 5000 and registry.held() == [new]
    other_host = registry.replace("k", "::1", 0, lambda p: Fake("::1", p or 6000))
    assert other_host.port == 6000  # another host: the old port is not asked for
    registry.stop_all()
    assert other_host.stopped and registry.held() == []


def test_the_file_watcher_reports_each_reload_one_way(tmp_path: Path):
    watched = tmp_path / "a.json"
    watched.write_text("1")
    outcomes: list[str | None] = []
    results = iter([None, ValueError("broken")])

    def reload() -> None:
        result = next(results)
        if result is not None:
            raise result

    watcher = FileWatcher([watched], reload, on_reload=outcomes.append, interval=0.05).start()
    try:
        for text in ("22", "333"):
            count = len(outcomes)
            watched.write_text(text)
            deadline = time.monotonic() + 10
            while len(outcomes) == count and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        watcher.stop()
    assert outcomes == [None, "ValueError: broken"] and watcher.errors == ["ValueError: broken"]


def test_engine_failures_in_the_hub_are_logged_like_anywhere_else(tmp_path, monkeypatch):
    """The hub is a ``server.Handler`` with ``record_failure``: a mock whose engine raises gets a
    500 in Postman's shape, a row in its call log, and a count in GET /status."""
    with mockkit.serve_hub(tmp_path / "hub", api_key="k") as hub:
        uid = hub.client.create_collection(APP)["collection"]["uid"]
        mock = hub.client.create_mock(uid)["mock"]

        def boom(self, request, *, record=True):
            raise RuntimeError("the engine broke")

        monkeypatch.setattr(MockEngine, "handle", boom)
        answer = httpx.get(mock["mockUrl"] + "/ping", trust_env=False)
        assert answer.status_code == 500 and answer.json()["error"]["name"] == "serverError"
        assert "RuntimeError: the engine broke" in answer.json()["error"]["message"]
        monkeypatch.undo()
        status = hub.client.status()["status"]["failures"]
        assert status["count"] == 1 and "GET /m/" in status["last"] and "the engine broke" in status["last"]
        logs = hub.client.call_logs(mock["id"], include="response.body")["call-logs"]
        assert [(c["response"]["statusCode"], c["response"]["type"], c["request"]["path"]) for c in logs] == \
            [(500, "error", "/ping")]
        assert "the engine broke" in logs[0]["response"]["body"]["data"]
        assert httpx.get(mock["mockUrl"] + "/ping", trust_env=False).text == "pong"


def test_a_failing_engine_is_logged_by_a_mock_server_too(monkeypatch):
    with mockkit.MockServer(APP) as server:
        monkeypatch.setattr(server.engine, "rank", lambda request: 1 / 0)
        assert server.get("/ping").status_code == 500
        monkeypatch.undo()
        (call,) = server.engine.journal.snapshot()
        assert call.status == 500 and call.error.startswith("ZeroDivisionError")


def test_the_hubs_default_data_folder_is_the_users_data_folder(tmp_path, monkeypatch):
    """platformdirs: ``$XDG_DATA_HOME/mockkit/hub`` on Linux, else ``~/.local/share/mockkit/hub``."""
    from mockkit.hub import default_data_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "mockkit" / "hub"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "mockkit" / "hub"
