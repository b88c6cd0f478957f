"""explain(response) after a reload (issue 12 item 12): each call remembers the engine generation
that answered it, and is explained against that generation, or says plainly that it is gone. The
journal keeps a bounded number of generations, so reloads never pin memory."""

from __future__ import annotations

import gc
import json
import weakref

import pytest

import mockkit
from mockkit.engine import MockEngine
from mockkit.journal import Journal
from mockkit.model import MockRequest

from builders import coll, ex


def version(n: int) -> dict:
    """Generation n of a collection: /plan answers example 'plan v<n>'; only v1 has /legacy."""
    examples = [ex("/plan", name=f"plan v{n}", id=f"p{n}", response_body=f'{{"v": {n}}}', preview="json")]
    if n == 1:
        examples.append(ex("/legacy/{{id}}", name="legacy", id="l1", response_body="old"))
    return coll(*examples)


@pytest.fixture
def served(tmp_path):
    path = tmp_path / "api.json"
    path.write_text(json.dumps(version(1)))
    with mockkit.MockServer(str(path)) as mock:
        yield mock, path


def reload_to(mock, path, n):
    path.write_text(json.dumps(version(n)))
    mock.reload()


@pytest.mark.parametrize("target, example", [("/plan", "plan v1"), ("/legacy/7", "legacy")])
def test_a_call_is_explained_by_the_generation_that_answered_it(served, target, example):
    mock, path = served
    before = mock.get(target)
    reload_to(mock, path, 2)
    frame = mock.explain(before)
    assert list(frame[frame["selected"]]["example"]) == [example]
    assert frame.attrs["generation"] == 1
    assert "reloaded since" in frame.attrs["notes"][0]
    after = mock.get("/plan")
    frame = mock.explain(after)
    assert list(frame[frame["selected"]]["example"]) == ["plan v2"] and frame.attrs["generation"] == 2
    assert not any("reloaded" in n for n in frame.attrs["notes"])


def test_a_gone_generation_is_said_plainly(served):
    mock, path = served
    first = mock.get("/legacy/3")
    kept = mock.engine.journal.kept_generations
    for n in range(2, kept + 2):
        reload_to(mock, path, n)
    gc.collect()
    with pytest.raises(LookupError, match=r"generation 1 .* is gone.*explain\('GET', '/legacy/3'\)"):
        mock.explain(first)
    assert mock.explain(mock.get("/plan"))["selected"].sum() == 1


@pytest.mark.parametrize("kept", [1, 2, 4])
def test_generations_kept_are_bounded(kept):
    journal = Journal(10, generations=kept)
    engines = [MockEngine(version(1), journal=journal)]
    refs = [weakref.ref(engines[0])]
    for n in range(2, 12):
        engines.append(MockEngine(version(n), journal=journal))
        refs.append(weakref.ref(engines[-1]))
    assert [e.generation for e in engines] == list(range(1, 12))
    del engines
    gc.collect()
    alive = [r() is not None for r in refs]
    assert alive == [False] * (11 - kept) + [True] * kept  # only the last `kept` are held


def test_replay_in_process_uses_the_old_generation():
    journal = Journal(10)
    old = MockEngine(version(1), journal=journal)
    call_id = old.handle(MockRequest.from_target("GET", "/legacy/1")).call_id
    new = MockEngine(version(2), journal=journal)
    ranking = new.replay(call_id)
    assert ranking.winner is not None and ranking.winner.example.name == "legacy"
    assert new.explain(MockRequest.from_target("GET", "/legacy/1")).winner is None  # the new one has none
    assert new.replay("c999") is None  # not in the call log
