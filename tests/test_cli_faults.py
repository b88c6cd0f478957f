"""Small CLI and notebook-API faults (issue 12): a full URL given to ``explain``, an environment
given as the collection (and the reverse), ``mock.explain`` with a path but no method."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mockkit
from mockkit.cli import main
from mockkit.model import MockRequest

from builders import coll, env, ex

API = coll(ex("/todos", name="all", id="t1"), ex("/todos/{{id}}", name="one", id="t2"),
           ex("/todos?done=true", name="done", id="t3"))


@pytest.mark.parametrize("target, path, query", [
    ("http://localhost:3000/todos", "/todos", ()),
    ("https://api.example.test:8443/todos/5?x=1", "/todos/5", (("x", "1"),)),
    ("HTTP://host/", "/", ()),
    ("http://host", "/", ()),
    ("/todos?done=true", "/todos", (("done", "true"),)),
    ("todos", "/todos", ()),
])
def test_from_target_takes_the_path_of_a_full_url(target, path, query):
    request = MockRequest.from_target("GET", target)
    assert (request.path, request.query) == (path, query)


@pytest.fixture
def files(tmp_path: Path):
    collection = tmp_path / "todo.postman_collection.json"
    collection.write_text(json.dumps(API))
    environment = tmp_path / "local.postman_environment.json"
    environment.write_text(json.dumps(env({"baseUrl": "http://localhost:3000"})))
    return collection, environment


@pytest.mark.parametrize("url, winner", [
    ("http://localhost:3000/todos/17", "one"),
    ("https://todo.example.test/todos?done=true", "done"),
])
def test_cli_explain_with_a_full_url(files, capsys, url, winner):
    collection, _ = files
    assert main(["explain", str(collection), "GET", url]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("GET /todos") and f"→ 200 '{winner}'" in first, first
    assert "http:/" not in out


@pytest.mark.parametrize("command", [["explain", "{env}", "GET", "/todos"], ["check", "{env}"], ["serve", "{env}"]])
def test_environment_as_collection_names_env(files, capsys, command):
    collection, environment = files
    args = [a.format(env=environment) for a in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--env" in err and "environment, not a collection" in err and str(environment) in err
    assert len(err.strip().splitlines()) == 1


def test_collection_as_env_names_env(files, capsys):
    collection, _ = files
    assert main(["check", str(collection), "--env", str(collection)]) == 2
    err = capsys.readouterr().err
    assert "--env wants a Postman environment" in err


@pytest.mark.parametrize("arg, hint", [
    ("/users", "mock.explain('GET', '/users')"),
    ("http://127.0.0.1/users", "mock.explain('GET', 'http://127.0.0.1/users')"),
    ("GET", "mock.explain('GET', '/users/42')"),
])
def test_explain_without_a_method_or_path_says_what_it_needs(arg, hint):
    with mockkit.MockServer(API) as mock:
        with pytest.raises(TypeError, match="needs a method and a path") as info:
            mock.explain(arg)
        assert hint in str(info.value)
        frame = mock.explain("GET", f"{mock.url}/todos/3")  # a full URL works as the path
        assert list(frame[frame["selected"]]["example"]) == ["one"]
