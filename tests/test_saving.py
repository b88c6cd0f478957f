"""``mock.save()`` (issue 16): recordings written back to a v2.1 file (atomically, the previous
file kept as ``.bak``, everything else in it kept) or as new files in a v3 tree; what was saved
loads again (``load_collection``) and answers every request as the recording mock did."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import mockkit
from mockkit.recorded import NOT_SAVED

from builders import coll, ex
from upstream import Upstream

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with Upstream() as up:
        yield up


def answers(server: mockkit.MockServer, requests: list[str]) -> list[tuple[int, bytes, str]]:
    out = []
    for target in requests:
        got = server.get(target)
        out.append((got.status_code, got.content, got.headers.get("content-type", "")))
    return out


def same_answers_from_the_files(recorded: mockkit.Collection, source: Path, requests: list[str]) -> None:
    """A mock of the saved files answers ``requests`` as the collection the recording mock
    answered from before it saved (both without a proxy, with the same seed for fake data)."""
    with mockkit.MockServer(recorded, seed=1) as live, \
            mockkit.MockServer(mockkit.load_collection(str(source)), seed=1) as reread:
        assert answers(reread, requests) == answers(live, requests)


def hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


USER_FILE = {
    "info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
    "event": [{"listen": "prerequest", "script": {"exec": ["console.log('kept')"]}}],
    "item": [
        {"name": "users", "description": "user things", "item": [
            {"name": "Get user", "protocolProfileBehavior": {"disableBodyPruning": True},
             "request": {"method": "GET", "url": "{{baseUrl}}/users/1"},
             "response": [{"name": "one", "code": 200, "body": "{\"id\": 1}",
                           "originalRequest": {"method": "GET", "url": "{{baseUrl}}/users/1"}}]}]},
        {"name": "health", "request": {"method": "GET", "url": "{{baseUrl}}/health"},
         "response": [{"name": "fine", "code": 200, "body": "ok"}]}],
    "variable": [{"key": "baseUrl", "value": "http://example.test"}],
}
RECORDED = ["/users/7", "/items?page=1", "/items?page=2", "/gzip", "/status/404"]


def test_a_v21_file_is_saved_atomically_with_a_backup_and_keeps_everything_else(upstream, tmp_path):
    source = tmp_path / "shop.postman_collection.json"
    original = json.dumps(USER_FILE, indent=2).encode()
    source.write_bytes(original)
    with mockkit.MockServer(str(source), proxy=upstream.url, record="new_episodes") as mock:
        for target in RECORDED:
            mock.get(target)
        recorded = mock.engine.collection
        written = mock.save()
        assert written == [source, tmp_path / "shop.postman_collection.json.bak"]
        assert (tmp_path / "shop.postman_collection.json.bak").read_bytes() == original
        assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.postman_collection.json",
                                                              "shop.postman_collection.json.bak"]  # no temp file
        saved = json.loads(source.read_text())
        assert source.read_text().startswith('{\n  "info"')  # the file's own indentation
        for key in ("auth", "event", "variable"):
            assert saved[key] == USER_FILE[key], key
        users = saved["item"][0]
        assert users["description"] == "user things" and users["item"][0]["protocolProfileBehavior"]
        assert [i["name"] for i in users["item"]] == ["Get user", "GET /users/7"]  # into the existing folder
        items = next(i for i in saved["item"] if i["name"] == "items")
        assert [r["name"] for r in items["item"][0]["response"]] == ["200 OK", "200 OK ?page=2"]
        assert mock.engine.recorder.pending == 0 and NOT_SAVED not in set(mock.examples["location"])
        same_answers_from_the_files(recorded, source, RECORDED + ["/users/1", "/health"])
        assert mock.save() == []  # nothing new: the file and its backup stay as they are
        first_save = source.read_bytes()
        mock.get("/users/8")
        mock.save()
        assert (tmp_path / "shop.postman_collection.json.bak").read_bytes() == first_save
    assert upstream.hits["/users/7"] == 1 and upstream.hits["/items"] == 2


def test_a_v3_tree_gets_new_files_and_the_others_stay_as_they_were(upstream, tmp_path):
    root = tmp_path / "Bookstore API"
    shutil.copytree(FIXTURES / "v3" / "Bookstore API", root)
    before = hashes(root)
    requests = ["/api/books/007", "/api/books?page=1", "/users/3", "/users/3?view=full", "/api/authors/1"]
    with mockkit.MockServer(str(root), proxy=upstream.url + "/echo", record="all") as mock:
        for target in requests:
            assert mock.get(target).json()["uri"].startswith("/echo/")
        recorded = mock.engine.collection
        written = mock.save()
        after = hashes(root)
        changed = {name for name in before if after[name] != before[name]}
        assert changed == {".resources/Get book.resources/examples/Found.example.yaml",
                           ".resources/List books.resources/examples/200 OK.example.yaml"}  # the refreshed ones
        new = set(after) - set(before)
        assert new == {
            "users/.resources/definition.yaml", "users/GET -users-3.request.yaml",
            "users/.resources/GET -users-3.resources/examples/200 OK.example.yaml",
            "users/.resources/GET -users-3.resources/examples/200 OK -view=full.example.yaml",  # ? is not a file name
            "authors/.resources/definition.yaml", "authors/GET -api-authors-1.request.yaml",  # past the api prefix
            "authors/.resources/GET -api-authors-1.resources/examples/200 OK.example.yaml"}
        assert {p.relative_to(root).as_posix() for p in written} == new | changed
        same_answers_from_the_files(recorded, root, requests + ["/api/books/999", "/api/books?page=2"])
        locations = set(mock.examples["location"])
        assert "users/.resources/GET -users-3.resources/examples/200 OK.example.yaml" in locations
    assert mockkit.check(str(root)).query("severity == 'error'").empty


def test_a_collection_that_is_not_a_file_is_saved_where_it_is_told(upstream, tmp_path):
    with mockkit.MockServer(coll(ex("/health", name="fine")), proxy=upstream.url, record="new_episodes") as mock:
        mock.get("/users/2")
        with pytest.raises(mockkit.MockkitError, match="give save\\(\\) a destination"):
            mock.save()
        json_file, tree = tmp_path / "out.postman_collection.json", tmp_path / "out-tree"
        assert mock.save(json_file) == [json_file]
        mock.get("/users/3")
        recorded = mock.engine.collection
        mock.save(tmp_path / "again.json")
        with mockkit.MockServer(str(json_file)) as reread:
            assert reread.get("/users/2").json()["id"] == 2
        same_answers_from_the_files(recorded, tmp_path / "again.json", ["/users/2", "/users/3", "/health"])
        mock.get("/users/4")
        recorded = mock.engine.collection
        assert mock.save(tree)[0].is_relative_to(tree)
        same_answers_from_the_files(recorded, tree, ["/users/2", "/users/3", "/users/4", "/health"])


def test_recording_into_a_file_that_does_not_exist_yet(upstream, tmp_path):
    target = tmp_path / "recorded.postman_collection.json"
    with mockkit.MockServer(str(target), proxy=upstream.url, record="once") as mock:
        assert len(mock.examples) == 0 and mock.collection.name == "recorded"
        mock.get("/users/6")
        assert mock.save() == [target]
    assert mockkit.load_collection(str(target)).examples[0].request_name == "GET /users/6"
    with pytest.raises(mockkit.CollectionError, match="no such file"):
        mockkit.MockServer(str(tmp_path / "typo.json"))  # without a record mode a missing file is an error


def test_mockkit_serve_records_and_saves_on_stop(upstream, tmp_path):
    target = tmp_path / "api.postman_collection.json"
    proc = subprocess.Popen([sys.executable, "-m", "mockkit", "serve", str(target), "--port", "0", "--proxy",
                             upstream.url, "--record", "new_episodes", "--redact", "x-token"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = []
        for _ in range(20):
            line = proc.stdout.readline()  # type: ignore[union-attr]
            banner.append(line)
            if not line or "Ctrl-C" in line:
                break
        text = "".join(banner)
        url = re.search(r"http://127\.0\.0\.1:\d+", text).group(0)  # type: ignore[union-attr]
        assert f"Forwarding requests without an example of their own to {upstream.url}" in text
        assert f"saved to {target} when the server stops" in text
        with httpx.Client(base_url=url, trust_env=False) as client:
            assert client.get("/users/5", headers={"X-Token": "t0k"}).json()["id"] == 5
            assert client.get("/users/5").json()["id"] == 5
            assert client.get("/items?page=4").json()["page"] == 4
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert "GET /users/5 -> 200 forwarded, upstream 200 in" in line
        assert "recorded as 'users / GET /users/5 / 200 OK'" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=10)
    assert f"saved 2 recorded example(s) to {target}" in out, (out, err)
    assert upstream.hits == {"/users/5": 1, "/items": 1}
    saved = target.read_text()
    assert "t0k" not in saved and "s3cr3t" not in saved
    with mockkit.MockServer(str(target)) as reread:
        assert reread.get("/items?page=4").json()["page"] == 4


def test_the_cli_refuses_workers_with_record(tmp_path, capsys):
    from mockkit.cli import main

    assert main(["serve", str(tmp_path / "a.json"), "--port", "0", "--workers", "2", "--proxy",
                 "http://127.0.0.1:9", "--record", "all"]) == 2
    assert "--workers must be 1 with --record" in capsys.readouterr().err


def test_saved_files_get_the_usual_permissions(tmp_path):
    """A new file gets 0666 less the umask (not the temporary file's 0600); a replaced file keeps
    the mode it had."""
    import os
    import stat

    from mockkit.atomicfile import atomic_write

    new = tmp_path / "new.json"
    old_mask = os.umask(0o027)
    try:
        atomic_write(new, b"{}")
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    kept = tmp_path / "kept.json"
    kept.write_bytes(b"{}")
    kept.chmod(0o604)
    atomic_write(kept, b"{ }")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_bytes() == b"{ }"


def test_a_v3_request_file_spelled_yml_is_found_again_not_written_twice(upstream, tmp_path):
    """The v3 reader takes ``*.request.yml`` as well as ``.yaml``: a recording for that request
    joins its examples instead of writing a second request file beside it."""
    root = tmp_path / "tree"
    with mockkit.MockServer(coll(ex("/health", name="fine")), proxy=upstream.url, record="new_episodes") as mock:
        mock.get("/users/3")
        mock.save(root)
    for request in list(root.rglob("*.request.yaml")):
        request.rename(request.with_name(request.name[: -len(".yaml")] + ".yml"))
    with mockkit.MockServer(str(root), proxy=upstream.url, record="new_episodes") as mock:
        mock.get("/users/3?view=full")
        mock.save()
    assert list(root.rglob("*.request.yaml")) == [] and len(list(root.rglob("*.request.yml"))) == 2
    examples = sorted(p.name for p in root.rglob("*.example.yaml"))
    assert len(examples) == 3, examples
    assert len(mockkit.load_collection(str(root)).examples) == 3
