"""The in-process door: an httpx transport over the engine, and the pytest fixture."""

from __future__ import annotations

import asyncio

import httpx

import mockkit
from mockkit.demo import DEMO_COLLECTION


def test_sync_transport_answers_like_the_server():
    transport = mockkit.transport(DEMO_COLLECTION, seed=1, strict=False)  # /nope: a 404 on purpose
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        r = client.get("/users/42")
        assert r.status_code == 200 and r.json()["id"] == "42"
        assert r.headers["x-mockkit-call"]
        assert client.get("/users", params={"page": "2"}).json()["page"] == 2
        missing = client.get("/nope")
        assert missing.status_code == 404 and missing.json()["error"]["name"] == "mockRequestNotFoundError"
        created = client.post("/users", json={"name": "Ann"})
        assert created.status_code == 201 and created.json()["name"] == "Ann"
        assert created.reason_phrase == "Created"
    assert [c.status for c in transport.engine.journal] == [200, 200, 404, 201]


def test_async_transport():
    async def run():
        transport = mockkit.transport(DEMO_COLLECTION)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            results = await asyncio.gather(*(client.get("/health") for _ in range(5)))
        return [r.json()["status"] for r in results]

    assert asyncio.run(run()) == ["ok"] * 5


def test_same_seed_same_answers_in_process():
    def body(seed):
        with httpx.Client(transport=mockkit.transport(DEMO_COLLECTION, seed=seed), base_url="http://m") as c:
            answer = c.get("/users/1").json()
        answer.pop("createdAt")  # the clock, not the seed
        return answer

    assert body(5) == body(5)
    assert body(5)["name"] != body(6)["name"] or body(5)["email"] != body(6)["email"]


def test_pytest_fixture_starts_and_stops(mockkit_server):
    mock = mockkit_server(DEMO_COLLECTION, seed=1)
    assert mock.running
    assert mock.get("/users/me").json()["role"] == "admin"
    assert mock.calls["status"].tolist() == [200]
    second = mockkit_server()  # the bundled demo by default
    assert second.port != mock.port


def test_transport_calls_frame():
    transport = mockkit.transport(DEMO_COLLECTION)
    with httpx.Client(transport=transport, base_url="http://mock") as client:
        client.get("/users/me")
    assert transport.calls["example"].tolist() == ["Current user"]
