"""Real collections written by others (../shared/corpus): every example can be reached.

For every saved example of ``collections/`` and ``peer-fixtures/``:
* its own request with ``x-mock-response-id`` returns exactly that example;
* its own request, sent plainly, gets a winner whose score is the top score of the full table
  (the pruned hot path and the full explanation agree).
"""

from __future__ import annotations

import math

import pytest

from conftest import corpus_files
from mockkit.engine import MockEngine
from mockkit.explaining import explain

pytestmark = pytest.mark.corpus

FILES = corpus_files("collections", "*.postman_collection.json") + corpus_files(
    "peer-fixtures", "**/*.postman_collection.json"
)


@pytest.fixture(scope="module")
def engines():
    cache: dict = {}

    def get(path):
        if path not in cache:
            env = path.with_name(path.name.replace("_collection", "_environment"))
            cache[path] = MockEngine(path, env if env.exists() else None, seed=1)
        return cache[path]

    return get


@pytest.mark.parametrize("path", FILES)
def test_every_example_is_reachable_by_its_id(path, engines):
    engine = engines(path)
    with_ids = [t for t in engine.index.targets if t.example.id]
    for t in with_ids:
        request = t.as_request({"x-mock-response-id": t.example.id})
        winner = engine.rank(request).winner
        assert winner is not None, f"{t.example.json_path} ({t.example.name}) not found by id"
        assert winner.example is t.example


@pytest.mark.parametrize("path", FILES)
def test_plain_request_winner_has_the_top_score(path, engines):
    engine = engines(path)
    for t in engine.index.targets:
        pruned = engine.rank(t.as_request())
        winner = pruned.winner
        assert winner is not None, f"{t.example.json_path} ({t.example.name}): its own request found nothing"
        ranking = explain(pruned)  # the full table
        scores = [c.score for c in ranking.candidates if c.score is not None]
        assert winner.score == max(scores)
        assert ranking.candidates[0] is ranking.winner and ranking.winner.example is winner.example
        assert sum(1 for c in ranking.candidates if c is ranking.winner) == 1
        assert len(ranking.candidates) == len(engine.index)
        assert all(c.reason for c in ranking.candidates), "every candidate says why"


@pytest.mark.parametrize("path", FILES)
def test_every_example_renders(path, engines):
    engine = engines(path)
    for t in engine.index.targets:
        request = t.as_request({"x-mock-response-id": t.example.id} if t.example.id else None)
        served = engine.handle(request, record=False)
        assert isinstance(served.response.body, bytes)
        for key, value in served.response.headers:
            assert "\r" not in value and "\n" not in value
        if served.winner is not None:
            assert not math.isnan(served.response.status)
