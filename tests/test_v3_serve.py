"""Serving v3 trees as users do (issue 14): ``mockkit serve`` with no file in a repository with
``postman/collections/``, ``--env NAME``, watching a whole tree, and the hub's uploads.

Real servers on 127.0.0.1 only; every ``mockkit serve`` process is stopped by its PID (``Served``);
every wait is a bounded loop.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

import mockkit
from test_cli import MOCKKIT, Served

FIXTURES = Path(__file__).parent / "fixtures" / "v3"
BOOKS = FIXTURES / "Bookstore API"
STAGING = FIXTURES / "Staging.environment.yaml"
LIST = "List books.request.yaml"
SECOND = Path(".resources/List books.resources/examples/Second page.example.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository as Postman's Git integration lays it out, with one collection."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(BOOKS, tmp_path / "postman" / "collections" / "Bookstore API")
    (tmp_path / "postman" / "environments").mkdir()
    shutil.copy(STAGING, tmp_path / "postman" / "environments")
    (tmp_path / "src" / "app").mkdir(parents=True)
    return tmp_path


def _until(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_serve_with_no_file_serves_the_repository_collection_and_env_by_name(repo: Path):
    served = Served("--env", "staging", "--watch", cwd=repo / "src" / "app")
    tree = repo / "postman" / "collections" / "Bookstore API"
    try:
        assert "serving 'Bookstore API: v2' (7 examples)" in "".join(served.banner)
        with httpx.Client(base_url=served.url, trust_env=False) as client:
            page = client.get("/v1/books", params={"page": "2"})
            assert page.status_code == 200 and page.json() == {"page": 2, "books": []}
            assert client.post("/v1/admin/users/42/ban").json() == {"banned": True, "user": "42"}
            example = tree / SECOND
            example.write_text(example.read_text().replace("statusCode: 200", "statusCode: 206"))
            assert _until(lambda: client.get("/v1/books", params={"page": "2"}).status_code == 206)
    finally:
        code, out, err = served.stop()
    assert code == 0, err
    assert "serving ../../postman/collections/Bookstore API" in err
    assert "reloaded" in out


def test_serve_with_several_collections_lists_them_and_how_to_pick_one(repo: Path):
    shutil.copytree(BOOKS, repo / "postman" / "collections" / "Another")
    result = _run_in(repo / "src", "serve", "--port", "0")
    assert result.returncode == 2
    assert "holds 2 collections; pick one:" in result.stderr
    assert "mockkit serve '../postman/collections/Another'" in result.stderr
    assert "mockkit serve '../postman/collections/Bookstore API'" in result.stderr
    missing = _run_in(repo, "check", "postman/collections/Another", "--env", "prod")
    assert missing.returncode == 2
    assert "no prod.environment.yaml in" in missing.stderr and "(there: Staging.environment.yaml)" in missing.stderr
    checked = _run_in(repo, "check", "postman/collections/Another", "--env", "Staging")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "skipped: a graphql-request is not an HTTP request" in checked.stdout


def _run_in(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MOCKKIT, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_watch_follows_new_deleted_renamed_and_broken_files(tmp_path: Path):
    tree = Path(shutil.copytree(BOOKS, tmp_path / "Bookstore API"))
    mock = mockkit.serve(tree, environment=STAGING, watch=True)
    try:
        assert mock.get("/v1/books", params={"page": "2"}).status_code == 200
        # a new request with a new example
        (tree / "Authors.request.yaml").write_text("$kind: http-request\nurl: '{{baseUrl}}/authors'\nmethod: GET\n")
        examples = tree / ".resources" / "Authors.resources" / "examples"
        examples.mkdir(parents=True)
        (examples / "All.example.yaml").write_text(
            "$kind: http-example\nrequest:\n  url: '{{baseUrl}}/authors'\nresponse:\n  statusCode: 200\n"
            "  body:\n    type: json\n    content: '[\"Ada\"]'\n")
        assert _until(lambda: mock.get("/v1/authors").status_code == 200)
        assert mock.get("/v1/authors").json() == ["Ada"]
        # a deleted example
        (tree / SECOND).unlink()
        assert _until(lambda: mock.get("/v1/books", params={"page": "2"}).json().get("page") == 1)
        # a renamed request file: its examples folder (found by name, no `examples:`) is left behind
        assert mock.get("/v1/books/7").status_code == 200
        (tree / "Get book.request.yaml").rename(tree / "Book.request.yaml")
        assert _until(lambda: mock.get("/v1/books/7").status_code == 404)
        assert [s.name for s in mock.collection.skipped] == ["Books query", "Get book"]
        # one that names its examples folder keeps it
        (tree / LIST).rename(tree / "Books.request.yaml")
        assert _until(lambda: "Books.request.yaml" in {r.json_path for r in mock.collection.requests})
        assert mock.get("/v1/books", params={"page": "1"}).status_code == 200
        # a broken file keeps the last good version serving, and says where
        (tree / "Authors.request.yaml").write_text("$kind: http-request\nurl: '{{baseUrl}}/authors\n")
        assert _until(lambda: bool(mock.reload_errors))
        assert "Authors.request.yaml:3:1: invalid YAML" in mock.reload_errors[-1]
        assert mock.get("/v1/authors").json() == ["Ada"]
        (tree / "Authors.request.yaml").write_text("$kind: http-request\nurl: '{{baseUrl}}/authors'\nmethod: GET\n")
        (examples / "All.example.yaml").write_text((examples / "All.example.yaml").read_text().replace("Ada", "Grace"))
        assert _until(lambda: mock.get("/v1/authors").json() == ["Grace"])
    finally:
        mock.stop()


def test_hub_uploads_a_v3_tree_and_an_environment_yaml(tmp_path: Path):
    with mockkit.serve_hub(tmp_path / "hub", api_key="k-v3-test") as hub:
        api = hub.client
        collection = api.create_collection(BOOKS)["collection"]["uid"]
        environment = api.create_environment(STAGING)["environment"]["uid"]
        mock = api.create_mock(collection, environment=environment, name="books")["mock"]
        with httpx.Client(base_url=hub.url, trust_env=False) as client:
            answer = client.get(f"/m/{mock['id']}/v1/books", params={"page": "2"})
            assert answer.status_code == 200 and answer.json() == {"page": 2, "books": []}
            assert client.get(f"/m/{mock['id']}/v1/admin/audit").text == "line 1\nline 2\ttabbed"


def test_explorer_shows_the_example_file():
    from mockkit.widgets import Explorer

    server = mockkit.MockServer(BOOKS, environment=STAGING, seed=1).start()
    explorer = Explorer(server, debounce=0, poll=0)
    try:
        pos = next(v for label, v in explorer.widgets["examples"].options if "Page 2: the rest" in label)
        explorer.widgets["examples"].value = pos
        assert "Second page.example.yaml" in explorer.widgets["example_detail"].value
    finally:
        explorer.close()
        server.stop()
