"""The hub (issue 5): a Postman-shaped management API over many mocks, state kept in SQLite.

Real hubs on 127.0.0.1 only: ``serve_hub`` in this process, and ``mockkit hub`` subprocesses
stopped by PID. Every data folder is a pytest temporary folder; every loop is bounded.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

import mockkit
from mockkit.demo import DEMO_COLLECTION
from mockkit.errors import MockkitError, ServerError
from mockkit.hub import Hub, HubError, HubServer

KEY = "hub-test-key-7f3a9c"
DEMO = json.loads(Path(DEMO_COLLECTION).read_text(encoding="utf-8"))
GREETING = {
    "info": {"name": "greeting", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "item": [{"name": "hello", "request": {"method": "GET", "url": "{{baseUrl}}/hello"},
              "response": [{"name": "Hello", "code": 200, "originalRequest": {"method": "GET", "url": "{{baseUrl}}/hello"},
                            "header": [{"key": "Content-Type", "value": "text/plain"}], "body": "{{greeting}}"}]}],
}
ENV = {"name": "dev", "values": [{"key": "greeting", "value": "hello from dev", "enabled": True}]}


def raw(url: str, key: str | None = KEY) -> httpx.Client:
    """A plain client (no proxies from the environment), with or without the hub key."""
    return httpx.Client(base_url=url, headers={"x-api-key": key} if key else {}, trust_env=False, timeout=30)


@pytest.fixture
def hub(tmp_path):
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY) as running:
        yield running


def _demo_mock(client: Hub, **config) -> dict:
    uid = client.create_collection(DEMO)["collection"]["uid"]
    return client.create_mock(uid, name="demo", config=config or None)["mock"]


# ------------------------------------------------------------------------- the whole guide


def test_mock_with_the_api_guide_end_to_end_then_restart(tmp_path):
    data = tmp_path / "data"
    hub = mockkit.serve_hub(data)
    try:
        assert hub.key_created and len(hub.api_key) >= 32
        key_file = data / "api-key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        api = hub.client

        # 1. upload a collection and an environment (Postman exports), list and read them back
        col = api.create_collection(DEMO_COLLECTION)["collection"]
        assert re.fullmatch(r"\d+-[0-9a-f-]{36}", col["uid"]) and col["name"] == DEMO["info"]["name"]
        assert [c["uid"] for c in api.list_collections()["collections"]] == [col["uid"]]
        got = api.get_collection(col["uid"])["collection"]
        assert got["info"]["_postman_id"] == col["id"] and len(got["item"]) == len(DEMO["item"])
        greet = api.create_collection(GREETING)["collection"]
        env = api.create_environment(ENV)["environment"]
        assert api.get_environment(env["uid"])["environment"]["values"][0]["key"] == "greeting"

        # 2. create mocks: the demo (public) and one with an environment
        mock = api.create_mock(col["uid"], name="shop")["mock"]
        owner = mock["owner"]
        assert mock["uid"] == f"{owner}-{mock['id']}" and mock["collection"] == col["uid"]
        assert mock["mockUrl"] == f"{hub.url}/m/{mock['id']}" and mock["isPublic"] and not mock["deactivated"]
        assert mock["config"] == {"headers": [], "matchBody": False, "matchQueryParams": True,
                                  "matchWildcards": True, "delay": None, "serverResponseId": None}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", mock["createdAt"])
        greeter = api.create_mock(greet["uid"], environment=env["uid"], name="greeter")["mock"]
        assert greeter["environment"] == env["uid"]

        # 3. call the mock URLs: the path after the base is matched untouched
        with raw(mock["mockUrl"], key=None) as calls:
            assert calls.get("/users/me").json()["role"] == "admin"
            assert calls.get("/orders", params={"status": "open"}).status_code == 200
            created = calls.post("/users", json={"name": "Katherine Johnson", "email": "k@example.com"})
            assert created.status_code == 201
            missing = calls.get("/nope")
            assert missing.status_code == 404 and missing.json()["error"]["name"] == "mockRequestNotFoundError"
            assert calls.get("/users/42", params={"x": "1"}).status_code == 200
        with raw(greeter["mockUrl"], key=None) as calls:
            assert calls.get("/hello").text == "hello from dev"

        # 4. call logs: shape, filters, include, paging with the cursor
        logs = api.call_logs(mock["id"])
        entries = logs["call-logs"]
        assert len(entries) == 5 and logs["meta"]["nextCursor"] is None
        assert [e["request"]["path"] for e in entries][:2] == ["/users/42?x=1", "/nope"]  # newest first
        assert entries[-1]["responseName"] == "Current user" and entries[-1]["response"] == {"type": "success", "statusCode": 200}
        assert "headers" not in entries[0]["request"] and "body" not in entries[0]["response"]
        assert [e["request"]["method"] for e in api.call_logs(mock["id"], requestMethod="post")["call-logs"]] == ["POST"]
        assert len(api.call_logs(mock["id"], requestPath="/USERS/ME")["call-logs"]) == 1
        assert len(api.call_logs(mock["id"], requestPath="/users/42")["call-logs"]) == 1
        nope = api.call_logs(mock["id"], responseStatusCode=404, responseType="error")["call-logs"]
        assert [e["request"]["path"] for e in nope] == ["/nope"] and nope[0]["responseName"] is None
        future = datetime.now(timezone.utc) + timedelta(minutes=5)
        assert api.call_logs(mock["id"], since=future)["call-logs"] == []
        assert api.call_logs(mock["id"], until=future - timedelta(minutes=30))["call-logs"] == []
        assert len(api.call_logs(mock["id"], since=future - timedelta(minutes=30))["call-logs"]) == 5
        full = api.call_logs(mock["id"], requestMethod="POST",
                             include=["request.headers", "request.body", "response.headers", "response.body"])
        post = full["call-logs"][0]
        assert json.loads(post["request"]["body"]["data"])["name"] == "Katherine Johnson"
        assert post["request"]["body"]["mode"] == "raw" and "data" in post["response"]["body"]
        assert {"key", "value", "description"} <= set(post["response"]["headers"][0])
        assert any(h["key"].lower() == "content-type" for h in post["request"]["headers"])
        seen, cursor, pages = [], None, 0
        for _ in range(10):
            page = api.call_logs(mock["id"], limit=2, cursor=cursor, sort="servedAt", direction="asc")
            seen += [e["id"] for e in page["call-logs"]]
            pages += 1
            cursor = page["meta"]["nextCursor"]
            if cursor is None:
                break
        assert pages == 3 and seen == [e["id"] for e in reversed(entries)]

        # 5. a server response: create, activate (every call returns it), deactivate
        sr = api.create_server_response(mock["id"], "Outage", 503, body='{"down": true}', language="json",
                                        headers={"Retry-After": "30"})
        assert sr["statusCode"] == 503 and sr["mock"] == mock["id"] and sr["createdBy"] == owner
        listed = api.list_server_responses(mock["id"])
        assert isinstance(listed, list) and [s["id"] for s in listed] == [sr["id"]] and "body" not in listed[0]
        assert api.get_server_response(mock["id"], sr["id"])["headers"] == [{"key": "Retry-After", "value": "30"}]
        active = api.activate_server_response(mock["id"], sr["id"])["mock"]
        assert active["config"]["serverResponseId"] == sr["id"]
        with raw(mock["mockUrl"], key=None) as calls:
            for path in ("/users/me", "/nope", "/orders/1001"):
                answer = calls.get(path)
                assert (answer.status_code, answer.json(), answer.headers["retry-after"]) == (503, {"down": True}, "30")
            api.update_server_response(mock["id"], sr["id"], statusCode=500, body="broken")
            assert (calls.get("/users/me").status_code, calls.get("/users/me").text) == (500, "broken")
            served = api.call_logs(mock["id"], responseType="serverResponse", limit=1)["call-logs"][0]
            assert served["responseName"] == "Outage" and served["response"]["statusCode"] == 500
            assert api.activate_server_response(mock["id"], None)["mock"]["config"]["serverResponseId"] is None
            assert calls.get("/users/me").status_code == 200

            # 6. unpublish (private: the hub key, in the header only) and publish again
            assert api.unpublish_mock(mock["id"]) == {"mock": {"id": mock["id"]}}
            refused = calls.get("/users/me", params={"x-api-key": hub.api_key, "apikey": hub.api_key})
            assert refused.status_code == 401 and refused.json()["error"]["name"] == "unauthorizedError"
            assert hub.api_key not in refused.text
            assert calls.get("/users/me", headers={"x-api-key": hub.api_key}).status_code == 200
            preflight = calls.options("/users/me", headers={"Origin": "http://app.test",
                                                            "Access-Control-Request-Method": "GET",
                                                            "Access-Control-Request-Headers": "x-api-key"})
            assert preflight.status_code == 204 and preflight.headers["access-control-allow-headers"] == "x-api-key"
            assert api.get_mock(mock["id"])["mock"]["isPublic"] is False
            assert api.publish_mock(mock["id"]) == {"mock": {"id": mock["id"]}}
            assert calls.get("/users/me").status_code == 200
            everything = api.call_logs(mock["id"], include="request.headers,request.body,response.headers,response.body")
            assert hub.api_key not in json.dumps(everything)

            # 7. update the collection: the next call sees it, no restart
            changed = copy.deepcopy(DEMO)
            changed["item"][0]["item"][1]["response"][0]["body"] = '{"id": 1, "name": "Grace Hopper", "role": "admin"}'
            assert api.update_collection(col["uid"], changed)["collection"]["uid"] == col["uid"]
            assert calls.get("/users/me").json()["name"] == "Grace Hopper"
            api.update_mock(mock["id"], name="shop v2")

        # 8. delete: a throwaway mock and its server responses go; its URL is unknown
        spare = api.create_mock(col["uid"], name="spare")["mock"]
        api.create_server_response(spare["id"], "gone", 500)
        assert api.delete_mock(spare["id"]) == {"mock": {"id": spare["id"], "uid": spare["uid"]}}
        with pytest.raises(HubError) as info:
            api.get_mock(spare["id"])
        assert (info.value.status, info.value.name) == (404, "instanceNotFoundError")
        with raw(spare["mockUrl"], key=None) as calls:
            assert calls.get("/users/me").json()["error"]["name"] == "mockNotFoundError"

        before = {
            "collections": api.list_collections(), "environments": api.list_environments(),
            "mocks": api.list_mocks()["mocks"], "srs": api.list_server_responses(mock["id"]),
            "logs": api.call_logs(mock["id"], include="response.body"),
        }
    finally:
        hub.stop()

    # 9. restart on the same folder: the same key, and everything is still there
    with mockkit.serve_hub(data) as again:
        assert not again.key_created and again.api_key == hub.api_key
        api = again.client
        assert api.list_collections() == before["collections"]
        assert api.list_environments() == before["environments"]
        mocks = api.list_mocks()["mocks"]
        def strip(ms: list[dict]) -> list[dict]:
            return [{k: v for k, v in m.items() if k != "mockUrl"} for m in ms]

        assert strip(mocks) == strip(before["mocks"]) and {m["name"] for m in mocks} == {"shop v2", "greeter"}
        assert api.list_server_responses(mock["id"]) == before["srs"]
        assert api.call_logs(mock["id"], include="response.body") == before["logs"]
        shop = api.get_mock(mock["id"])["mock"]
        assert shop["mockUrl"] == f"{again.url}/m/{mock['id']}"
        with raw(shop["mockUrl"], key=None) as calls:
            assert calls.get("/users/me").json()["name"] == "Grace Hopper"
        assert len(api.call_logs(mock["id"])["call-logs"]) == len(before["logs"]["call-logs"]) + 1


# --------------------------------------------------------------------------- mock behaviour


def test_deleting_a_collection_or_environment_deactivates_its_mocks(hub):
    api = hub.client
    col = api.create_collection(GREETING)["collection"]["uid"]
    env = api.create_environment(ENV)["environment"]["uid"]
    by_col = api.create_mock(col)["mock"]
    by_env = api.create_mock(col, environment=env)["mock"]
    assert api.delete_environment(env) == {"environment": {"id": env.split("-", 1)[1], "uid": env}}
    assert api.get_mock(by_env["id"])["mock"]["deactivated"] is True
    assert api.get_mock(by_col["id"])["mock"]["deactivated"] is False
    with raw(hub.url, key=None) as calls:
        answer = calls.get(f"/m/{by_env['id']}/hello")
        assert answer.status_code == 400 and answer.json()["error"]["name"] == "inactiveMockError"
        api.update_mock(by_env["id"], environment=None)  # pointing it at existing documents reactivates it
        assert calls.get(f"/m/{by_env['id']}/hello").text == "{{greeting}}"
        api.delete_collection(col)
        assert {m["deactivated"] for m in api.list_mocks()["mocks"]} == {True}
        assert calls.get(f"/m/{by_col['id']}/hello").json()["error"]["name"] == "inactiveMockError"


def test_mock_paths_are_matched_untouched_and_config_changes_apply_at_once(hub):
    api = hub.client
    mock = _demo_mock(api)
    with raw(hub.url, key=None) as calls:
        assert calls.get(f"/m/{mock['id']}/users/a%20b", params={"x": "1"}).status_code == 200
        assert calls.get(f"/m/{mock['id']}").json()["error"]["name"] == "mockRequestNotFoundError"
        paths = [e["request"]["path"] for e in api.call_logs(mock["id"])["call-logs"]]
        assert paths == ["/", "/users/a%20b?x=1"]
        api.update_mock(mock["id"], config={"delay": {"type": "fixed", "duration": 250}})
        started = time.perf_counter()
        assert calls.get(f"/m/{mock['id']}/users/me").status_code == 200
        assert time.perf_counter() - started >= 0.24
        preset = api.update_mock(mock["id"], config={"delay": {"type": "fixed", "preset": "2"}})["mock"]["config"]
        assert preset["delay"] == {"type": "fixed", "preset": "2", "duration": 100} and preset["matchBody"] is False
        api.update_mock(mock["id"], config={"delay": None, "matchQueryParams": False})
        assert api.get_mock(mock["id"])["mock"]["config"]["delay"] is None


def test_server_responses_alias_path_and_call_log_bound(tmp_path):
    with mockkit.serve_hub(tmp_path / "data", api_key=KEY, call_log_size=5) as small:
        api = small.client
        mock = _demo_mock(api)
        with raw(small.url) as admin:
            made = admin.post(f"/mocks/{mock['id']}/serverResponses",
                              json={"serverResponse": {"name": "x", "statusCode": 502}})
            assert made.status_code == 200 and made.json()["language"] is None
            assert admin.get(f"/mocks/{mock['uid']}/serverResponses/{made.json()['id']}").json()["name"] == "x"
        with raw(mock["mockUrl"], key=None) as calls:
            for i in range(8):
                calls.get(f"/users/{i}")
        paths = [e["request"]["path"] for e in api.call_logs(mock["id"])["call-logs"]]
        assert paths == [f"/users/{i}" for i in (7, 6, 5, 4, 3)]
        with pytest.raises(ServerError, match="another mockkit hub"):
            HubServer(tmp_path / "data", api_key=KEY).start()


def test_serve_hub_again_replaces_the_running_hub_and_keeps_its_port(tmp_path):
    first = mockkit.serve_hub(tmp_path / "data", api_key=KEY)
    mock, url = _demo_mock(first.client), first.url
    second = mockkit.serve_hub(tmp_path / "data", api_key=KEY)
    try:
        assert not first.running and second.running and second.url == url
        with raw(mock["mockUrl"], key=None) as calls:
            assert calls.get("/users/me").status_code == 200
    finally:
        second.stop()
    assert not second.running


# ------------------------------------------------------------------------------ bad input

BAD_BODIES = [
    ("POST", "/mocks", b"{not json", "the request body is not valid JSON"),
    ("POST", "/mocks", b"", "the request body is empty"),
    ("POST", "/mocks", b"[1, 2]", "the request body must be a JSON object"),
    ("POST", "/mocks", {}, "mock is required"),
    ("POST", "/mocks", {"mock": "x"}, "mock must be an object"),
    ("POST", "/mocks", {"mock": {"name": "m"}}, "mock.collection is required"),
    ("POST", "/mocks", {"mock": {"collection": 7}}, "mock.collection must be a string"),
    ("POST", "/mocks", {"mock": {"collection": "1-nope"}}, "mock.collection: there is no collection"),
    ("POST", "/mocks", {"mock": {"collection": "{col}", "environment": "x"}}, "mock.environment: there is no environment"),
    ("POST", "/mocks", {"mock": {"collection": "{col}", "private": "yes"}}, "mock.private must be true or false"),
    ("POST", "/mocks", {"mock": {"collection": "{col}", "colour": 1}}, "mock.colour is not a known field"),
    ("POST", "/mocks", {"mock": {"collection": "{col}", "config": {"matchbody": True}}}, "mock.config.matchbody is not a known field"),
    ("PUT", "/mocks/{mock}", {"mock": {"config": {"headers": "x-a"}}}, "mock.config.headers must be a list"),
    ("PUT", "/mocks/{mock}", {"mock": {"config": {"delay": {"type": "fixed", "duration": 0}}}}, "mock.config.delay.duration"),
    ("PUT", "/mocks/{mock}", {"mock": {"config": {"delay": {"preset": "9"}}}}, "mock.config.delay.preset"),
    ("PUT", "/mocks/{mock}", {"mock": {"config": {"serverResponseId": "nope"}}}, "mock.config.serverResponseId"),
    ("PUT", "/mocks/{mock}", {"mock": {"name": None}}, "mock.name must be a string"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"statusCode": 500}}, "serverResponse.name is required"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"name": "x"}}, "serverResponse.statusCode is required"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"name": "x", "statusCode": 404}}, "serverResponse.statusCode must be a 5xx"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"name": "x", "statusCode": True}}, "serverResponse.statusCode must be a 5xx"),
    ("POST", "/mocks/{mock}/server-responses",
     {"serverResponse": {"name": "x", "statusCode": 500, "headers": [{"key": "a", "value": "b"}, {"value": "c"}]}},
     "serverResponse.headers[1].key must be a non-empty string"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"name": "x", "statusCode": 500, "language": "yaml"}}, "serverResponse.language"),
    ("POST", "/mocks/{mock}/server-responses", {"serverResponse": {"name": "x", "statusCode": 500, "body": {"a": 1}}}, "serverResponse.body must be a string"),
    ("POST", "/collections", {"collections": {}}, "collection is required"),
    ("POST", "/collections", {"collection": {"info": {"name": "x"}, "item": "nope"}}, "collection.item"),
    ("POST", "/collections", {"collection": {"values": []}}, "collection"),
    ("PUT", "/collections/{col}", {"collection": {"info": {"name": "x"}, "item": [{"name": "r", "request": {"method": 5}}]}}, "collection.item[0].request.method"),
    ("POST", "/environments", {"environment": {"name": "e", "values": "x"}}, "environment.values"),
    ("POST", "/collections", b'{"collection": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested deeper than 256 levels"),
]
BAD_QUERIES = [
    ("limit=abc", "limit"), ("limit=0", "limit"), ("sort=servedAt", "sort and direction"),
    ("direction=asc", "sort and direction"), ("sort=name&direction=asc", "sort must be servedAt"),
    ("sort=servedAt&direction=up", "direction must be asc or desc"), ("since=yesterday", "since"),
    ("until=2024-13-45", "until"), ("responseStatusCode=ok", "responseStatusCode"),
    ("include=request.cookies", "include"), ("cursor=%%%", "cursor"), ("cursor=YTU", "cursor"),
]


def test_bad_bodies_and_queries_are_400s_that_name_the_field(hub):
    api = hub.client
    col = api.create_collection(DEMO)["collection"]["uid"]
    mock = api.create_mock(col)["mock"]["id"]
    with raw(hub.url) as admin:
        for method, path, body, expected in BAD_BODIES:
            content = body if isinstance(body, bytes) else json.dumps(body).replace("{col}", col).encode()
            answer = admin.request(method, path.format(col=col, mock=mock), content=content)
            error = answer.json()["error"]
            assert (answer.status_code, error["name"]) == (400, "malformedRequestError"), (path, body, error)
            assert error["message"].startswith(expected) or expected in error["message"], (expected, error)
        for query, expected in BAD_QUERIES:
            answer = admin.get(f"/mocks/{mock}/call-logs?{query}")
            assert answer.status_code == 400 and expected in answer.json()["error"]["message"], (query, answer.text)
        assert admin.get(f"/mocks/{mock}/call-logs?limit=500").status_code == 200  # served as 100
        assert len(api.list_mocks()["mocks"]) == 1 and len(api.list_collections()["collections"]) == 1


def test_unknown_ids_routes_and_methods(hub):
    api = hub.client
    mock = _demo_mock(api)["id"]
    missing = "00000000-0000-4000-8000-000000000000"
    with raw(hub.url) as admin:
        for method, path in [
            ("GET", f"/mocks/{missing}"), ("PUT", f"/mocks/{missing}"), ("DELETE", f"/mocks/{missing}"),
            ("POST", f"/mocks/{missing}/publish"), ("DELETE", f"/mocks/{missing}/unpublish"),
            ("GET", f"/mocks/{missing}/call-logs"), ("GET", f"/mocks/{missing}/server-responses"),
            ("GET", f"/mocks/{mock}/server-responses/{missing}"), ("PUT", f"/mocks/{mock}/server-responses/{missing}"),
            ("DELETE", f"/mocks/{mock}/serverResponses/{missing}"), ("GET", f"/collections/{missing}"),
            ("PUT", f"/collections/{missing}"), ("DELETE", f"/environments/1-{missing}"),
        ]:
            answer = admin.request(method, path, json={"mock": {}, "serverResponse": {}, "collection": {}})
            assert answer.status_code == 404 and answer.json()["error"]["name"] == "instanceNotFoundError", (method, path)
        assert admin.get("/workspaces").json()["error"]["name"] == "notFound"
        assert admin.patch("/mocks").status_code == 405
    with raw(hub.url, key=None) as calls:
        assert calls.get(f"/m/{missing}/users").json()["error"]["name"] == "mockNotFoundError"
        assert calls.get("/m/").status_code == 404
    with pytest.raises(HubError) as info:
        api.delete_collection(missing)
    assert isinstance(info.value, MockkitError) and info.value.status == 404


def test_wrong_or_missing_keys_are_401_and_never_echoed(hub):
    wrong = "wrong-key-5d1e8b"
    with raw(hub.url, key=None) as nobody, raw(hub.url, key=wrong) as stranger:
        for client in (nobody, stranger):
            for method, path in [("GET", "/mocks"), ("POST", "/collections"), ("GET", "/nope"), ("DELETE", "/mocks/x")]:
                answer = client.request(method, path)
                assert answer.status_code == 401 and answer.json()["error"]["name"] == "AuthenticationError"
                assert "access-control-allow-origin" not in answer.headers  # the admin API is not for browsers
                assert wrong not in answer.text and KEY not in answer.text
        assert nobody.get("/mocks", params={"apikey": KEY}).status_code == 401  # header only
    bad = Hub(hub.url, wrong)
    with pytest.raises(HubError) as info:
        bad.list_mocks()
    bad.close()
    assert (info.value.status, info.value.name) == (401, "AuthenticationError")
    assert wrong not in str(info.value) and wrong not in repr(bad) and KEY not in repr(hub.client)


# ----------------------------------------------------------------------------- concurrency


def test_concurrent_creates_and_deletes_from_threads_stay_consistent(hub):
    col = hub.client.create_collection(DEMO)["collection"]["uid"]
    kept: list[str] = []
    deleted: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            with Hub(hub.url, KEY) as api, raw(hub.url, key=None) as calls:
                previous = None
                for i in range(10):
                    if i % 2 == 0:
                        previous = api.create_mock(col, name=f"t{n}-{i}")["mock"]["id"]
                        api.create_server_response(previous, f"sr{n}-{i}", 500)
                        assert calls.get(f"/m/{previous}/users/me").status_code == 200
                    else:
                        keep = api.create_mock(col, name=f"t{n}-{i}")["mock"]["id"]
                        api.delete_mock(previous)
                        with lock:
                            kept.append(keep)
                            deleted.append(previous)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert not any(t.is_alive() for t in threads)
    mocks = hub.client.list_mocks()["mocks"]
    assert sorted(m["id"] for m in mocks) == sorted(kept) and len(kept) == 40
    assert len({m["name"] for m in mocks}) == 40
    for mock_id in deleted[:5]:
        with pytest.raises(HubError):
            hub.client.list_server_responses(mock_id)
    with sqlite3.connect(hub.data_dir / "hub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM server_responses").fetchone()[0] == 0  # all cascaded
        assert db.execute("SELECT count(*) FROM call_logs").fetchone()[0] == 0


# ---------------------------------------------------------------------- the mockkit command


class HubProcess:
    """``mockkit hub`` as a subprocess; URL (and a first-start key) read from its banner."""

    def __init__(self, data: Path, *args: str) -> None:
        cmd = [sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data", str(data), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.banner: list[str] = []
        for _ in range(20):
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            self.banner.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(self.banner)
        match = re.search(r"http://127\.0\.0\.1:(\d+)", text)
        if match is None:
            self.stop(signal.SIGKILL)
            raise AssertionError(f"no URL in the banner: {text!r}")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        shown = re.search(r"API key \(shown once.*\): (\S+)", text)
        self.key = shown.group(1) if shown else None

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            out, err = self.proc.communicate(timeout=15)
        return self.proc.returncode, out, err


def test_cli_hub_prints_a_generated_key_once_and_keeps_state(tmp_path):
    data = tmp_path / "data"
    first = HubProcess(data)
    try:
        assert first.key and (data / "api-key").read_text().strip() == first.key
        assert stat.S_IMODE((data / "api-key").stat().st_mode) == 0o600
        with Hub(first.url, first.key) as api:
            uid = api.create_collection(DEMO)["collection"]["uid"]
            mock = api.create_mock(uid, private=True)["mock"]
        with raw(mock["mockUrl"], key=None) as calls:
            assert calls.get("/users/me").status_code == 401
    finally:
        code, out, err = first.stop()
    assert code == 0 and "Traceback" not in err and "warning" not in err
    second = HubProcess(data)
    try:
        assert second.key is None and first.key not in "".join(second.banner)
        with Hub(second.url, first.key) as api:
            assert api.get_mock(mock["id"])["mock"]["collection"] == uid
        with raw(f"{second.url}/m/{mock['id']}", key=first.key) as calls:
            assert calls.get("/users/me").json()["role"] == "admin"
    finally:
        code, out, err = second.stop()
    assert code == 0 and "stopped" in out


def test_cli_hub_refuses_bad_options_in_one_line(tmp_path):
    def hub(*args: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data", str(tmp_path / "d"), *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    remote = hub("--host", "203.0.113.7")  # TEST-NET: not a local address, so nothing is bound
    assert remote.returncode == 2 and "warning: the hub listens on 203.0.113.7" in remote.stderr
    assert "cannot listen on 203.0.113.7" in remote.stderr and not (tmp_path / "d" / "api-key").exists()
    empty = hub("--api-key", "")
    assert empty.returncode == 2 and "--api-key must not be empty" in empty.stderr
    (tmp_path / "d" / "hub.sqlite3").write_bytes(b"not a database" * 100)
    broken = hub("--api-key", KEY)
    assert broken.returncode == 2 and "cannot open the hub database" in broken.stderr
    assert all("Traceback" not in r.stderr for r in (remote, empty, broken))


def test_sigkill_during_writes_loses_no_acknowledged_write(tmp_path):
    data = tmp_path / "data"
    proc = HubProcess(data, "--api-key", KEY)
    acked: list[tuple[str, str]] = []
    with Hub(proc.url, KEY) as api:
        col = api.create_collection(GREETING)["collection"]["uid"]
        acked.append(("collections", col))

    def writer() -> None:
        with Hub(proc.url, KEY, timeout=20) as api:
            for i in range(400):
                try:
                    if i % 3 == 2:
                        acked.append(("mocks", api.create_mock(col, name=f"m{i}")["mock"]["id"]))
                    else:
                        env = {"name": f"e{i}", "values": [{"key": "i", "value": str(i) * 50}]}
                        acked.append(("environments", api.create_environment(env)["environment"]["uid"]))
                except (httpx.HTTPError, HubError):
                    return

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 20
    while len(acked) < 30 and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    proc.stop(signal.SIGKILL)
    thread.join(20)
    assert not thread.is_alive() and proc.proc.returncode == -signal.SIGKILL and len(acked) >= 30

    again = HubProcess(data, "--api-key", KEY)
    try:
        with Hub(again.url, KEY) as api:
            present = {
                "collections": {c["uid"] for c in api.list_collections()["collections"]},
                "environments": {e["uid"] for e in api.list_environments()["environments"]},
                "mocks": {m["id"] for m in api.list_mocks()["mocks"]},
            }
            assert all(ident in present[kind] for kind, ident in acked), "an acknowledged write was lost"
            assert api.create_environment(ENV)["environment"]["name"] == "dev"  # still writable
    finally:
        code, _, err = again.stop()
    assert code == 0, err
    with sqlite3.connect(data / "hub.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
