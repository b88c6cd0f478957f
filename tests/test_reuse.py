"""``mockkit.explain(path)``, ``examples(path)`` and ``check(path)`` reuse a loaded collection
while its files are unchanged, and read them again when they change (issue 17).

Correctness only, no timings: a kept engine is handed out again for unchanged files (the same
object), and an edit of the collection, of the environment or of any file of a v3 folder (an
added file too) is seen by the next call; files written moments ago are not trusted to have
settled (``reuse.SETTLE_NS``); text and dicts are never kept; the number of kept engines is
bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

import mockkit
from mockkit import reuse

from builders import coll, env, ex

LONG_AGO = time.time() - 3600


@pytest.fixture(autouse=True)
def fresh():
    reuse.clear()
    yield
    reuse.clear()


def write(path: Path, doc: dict, *, when: float = LONG_AGO) -> Path:
    path.write_text(json.dumps(doc))
    os.utime(path, (when, when))  # settled: as a file saved a while ago
    return path


def users(body: str, name: str = "one") -> dict:
    return coll(ex("/users/{{id}}", name=name, response_body=body), ex("/health", name="health"),
                variables={"base": "/api"})


def winner(frame) -> str:
    return frame.iloc[0]["example"] if "example" in frame.columns else frame.iloc[0]["name"]


def test_an_unchanged_file_is_loaded_once_and_an_edit_is_read(tmp_path):
    path = write(tmp_path / "api.json", users("{}", name="first"))
    first = reuse.engine(str(path))
    assert reuse.engine(str(path)) is first and reuse.engine(path) is first  # str or Path, one load
    mockkit.explain(str(path), "GET", "/users/1")
    mockkit.examples(str(path))
    assert reuse.engine(str(path)) is first
    write(path, users("{}", name="second"), when=LONG_AGO + 10)  # same size, later mtime
    assert mockkit.examples(str(path))["name"].tolist()[0] == "second"
    again = reuse.engine(str(path))
    assert again is not first and again.index.targets[0].example.name == "second"


def test_a_same_size_edit_with_a_new_mtime_is_read(tmp_path):
    path = write(tmp_path / "api.json", users('{"v": 1}'))
    assert mockkit.explain(str(path), "GET", "/users/1").iloc[0]["selected"]
    before = reuse.engine(str(path))
    write(path, users('{"v": 2}'), when=LONG_AGO + 1)
    after = reuse.engine(str(path))
    assert after is not before
    assert after.handle(mockkit.MockRequest.from_target("GET", "/users/1")).response.body == b'{"v": 2}'


def test_a_changed_environment_is_read(tmp_path):
    doc = coll(ex("{{host}}/users", name="users"))
    path = write(tmp_path / "api.json", doc)
    environment = write(tmp_path / "dev.json", env({"host": "/v1"}))
    assert mockkit.examples(str(path), str(environment))["path"].tolist() == ["/v1/users"]
    write(environment, env({"host": "/v2"}), when=LONG_AGO + 5)
    assert mockkit.examples(str(path), str(environment))["path"].tolist() == ["/v2/users"]
    other = write(tmp_path / "prod.json", env({"host": "/v3"}))
    assert mockkit.examples(str(path), str(other))["path"].tolist() == ["/v3/users"]
    assert mockkit.examples(str(path))["path"].tolist() == ["/{{host}}/users"]  # no environment: as written


def test_options_are_part_of_the_key(tmp_path):
    path = write(tmp_path / "api.json", users("{}"))
    plain = reuse.engine(str(path))
    strict = reuse.engine(str(path), overrides={"match_body": True})
    assert strict is not plain and strict.options.match_body and not plain.options.match_body
    assert reuse.engine(str(path), overrides={"match_body": True}) is strict


def test_a_v3_folder_is_read_again_when_any_of_its_files_changes(tmp_path):
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "v3" / "test-collection"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus/v3 is absent (a clone without the shared corpus)")
    tree = tmp_path / "tree"
    shutil.copytree(corpus, tree)
    for file in tree.rglob("*"):
        os.utime(file, (LONG_AGO, LONG_AGO))
    first = reuse.engine(str(tree))
    assert reuse.engine(str(tree)) is first
    some = sorted(p for p in tree.rglob("*.yaml") if p.is_file())[-1]
    os.utime(some, (LONG_AGO + 7, LONG_AGO + 7))  # one file touched
    second = reuse.engine(str(tree))
    assert second is not first
    (tree / "notes.txt").write_text("an added file")
    os.utime(tree / "notes.txt", (LONG_AGO, LONG_AGO))
    assert reuse.engine(str(tree)) is not second


def test_a_file_written_moments_ago_is_not_kept(tmp_path):
    path = write(tmp_path / "api.json", users("{}"), when=time.time())
    first = reuse.engine(str(path))
    assert reuse.engine(str(path)) is not first  # its mtime may not tell the next edit apart yet
    os.utime(path, (LONG_AGO, LONG_AGO))
    kept = reuse.engine(str(path))
    assert reuse.engine(str(path)) is kept


def test_text_dicts_and_engines_are_never_kept(tmp_path):
    doc = users("{}")
    assert reuse.engine(doc) is not reuse.engine(doc)
    assert reuse.engine(json.dumps(doc)) is not reuse.engine(json.dumps(doc))
    engine = mockkit.MockEngine(doc)
    assert reuse.engine(engine) is engine
    with pytest.raises(mockkit.CollectionError):
        reuse.engine(str(tmp_path / "missing.json"))


def test_kept_engines_are_bounded_and_released_by_their_journal(tmp_path):
    engines = []
    for i in range(reuse.MAX_ENGINES + 3):
        path = write(tmp_path / f"api{i}.json", users("{}", name=f"e{i}"))
        engines.append(reuse.engine(str(path)))
    assert len(reuse._kept) == reuse.MAX_ENGINES
    assert reuse.engine(str(tmp_path / "api0.json")) is not engines[0]  # the oldest was dropped
    last = engines[-1]
    assert last.journal.generation(last.generation) is last  # still found while alive ...
    assert last not in last.journal._recent.values()  # ... but not held by its journal (no cycle)


def test_an_edited_files_old_engine_is_dropped_not_kept_beside_the_new(tmp_path):
    """The engine for a file as it was before an edit can never be handed out again: it goes as
    soon as the engine for the edited file is kept (not only when the bounds push it out)."""
    path = write(tmp_path / "api.json", users("{}", name="first"))
    other = write(tmp_path / "other.json", users("{}", name="other"))
    reuse.engine(str(path)), reuse.engine(str(other))
    write(path, users("{}", name="second"), when=LONG_AGO + 10)
    newer = reuse.engine(str(path))
    kept = list(reuse._kept.values())
    assert len(kept) == 2 and newer in kept
    assert sorted(e.index.targets[0].example.name for e in kept) == ["other", "second"]
