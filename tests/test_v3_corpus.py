"""Postman v3 trees against real collections (issue 14; ../shared/corpus, skipped when absent).

* ``corpus/v3/<name>`` was written by Postman's own migrator from ``<name>.postman_collection.json``
  (MANIFEST.md): every example's own request gets the same winner, score and status from both;
* every collection in ``collections/``, ``peer-fixtures/`` and ``bad-input/`` (but the v1 files,
  which mockkit refuses), converted to v3 by mockkit and read
  back, answers every example's own request exactly as the v2.x file does (winner, score, served
  status, headers and body), and converted back to v2.1 it is the same collection for mockkit;
* ``postman collection lint`` (npm ``postman-cli``, installed by ``.ci/run``) accepts the trees
  mockkit writes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CORPUS_DIR, CORPUS_MISSING, corpus_files
from mockkit import MockEngine, load_collection
from mockkit.index import compile_target
from mockkit.model import SavedResponse
from mockkit.formats.v3fields import RESPONSE_TYPES
from mockkit.formats.v21write import collection_json
from mockkit.formats.v3write import write_tree

pytestmark = pytest.mark.corpus

V3 = CORPUS_DIR / "v3"
TREES = sorted(p.name for p in V3.iterdir()) if V3.is_dir() else []
SOURCES = corpus_files("collections", "*.postman_collection.json") + corpus_files(
    "peer-fixtures", "**/*.postman_collection.json") + [
    p for p in corpus_files("bad-input", "*.postman_collection.json") if "/v1-" not in str(p.values[0])]
POSTMAN = next((str(p) for p in (Path(__file__).parents[1] / ".ci/node/node_modules/.bin/postman",
                                 Path(shutil.which("postman") or "/nonexistent")) if p.exists()), None)


def _source_of(name: str) -> Path:
    """The v2.1 file a corpus v3 tree was migrated from (MANIFEST.md: same name)."""
    found = [*CORPUS_DIR.glob(f"collections/{name}.postman_collection.json"),
             *CORPUS_DIR.glob(f"peer-fixtures/*/{name}.postman_collection.json")]
    assert len(found) == 1, f"no single v2.1 source for v3/{name}: {found}"
    return found[0]


def _answer(engine: MockEngine, request) -> tuple | None:
    winner = engine.rank(request).winner
    return None if winner is None else (winner.example.position, winner.score, winner.example.response.code)


def _raw_disagrees(engine: MockEngine, target) -> bool:
    """A v2.1 URL whose ``raw`` and ``path`` say different things (Postman's migrator keeps raw,
    mockkit's v2.1 reader the path list, spec F4)."""
    url = target.example.request.url
    if url.path is None or not url.raw:
        return False
    as_raw = replace(target.example, request=replace(target.example.request, url=replace(url, path=None)))
    return compile_target(as_raw, engine.index.variables).path != target.path


@pytest.mark.skipif(not TREES, reason=CORPUS_MISSING)
@pytest.mark.parametrize("name", TREES or ["none"])
def test_postman_migrated_tree_answers_like_its_v21_source(name):
    v21 = MockEngine(_source_of(name), seed=1)
    v3 = MockEngine(V3 / name, seed=1)
    assert [e.name for e in v3.collection.examples] == [e.name for e in v21.collection.examples]
    raw_only = {t.example.position for t in v21.index.targets if _raw_disagrees(v21, t)}
    differ = []
    for t in v21.index.targets:
        a, b = _answer(v21, t.as_request()), _answer(v3, t.as_request())
        if a != b:
            differ.append((t.example.position, a, b))
    # the only differences: where the source's url.raw and url.path disagree (2 of 909 examples)
    unexplained = [d for d in differ if not ({d[0], d[1] and d[1][0], d[2] and d[2][0]} & raw_only)]
    assert not unexplained, unexplained


def _response(r: SavedResponse) -> SavedResponse:
    """The saved response as mockkit uses it. A preview language v3 cannot spell (``""``,
    ``plain``, ``raw``) is written as ``text``; it only matters when the response has no
    Content-Type (the mock derives one), and then mockkit keeps it (``x-mockkit-preview-language``)."""
    if r.preview_language not in RESPONSE_TYPES and any(k.lower() == "content-type" for k, _ in r.headers):
        return replace(r, preview_language="text")
    return r


def _fingerprint(engine: MockEngine) -> list[tuple]:
    """What mockkit reads of each example, resolved: names, folder, ids, the compiled request
    (method, path, query, headers, body form) and the saved response."""
    return [(t.example.name, t.example.request_name, t.example.folder, t.example.id, t.example.position,
             t.method, t.path, t.query_pairs, t.headers, t.body, _response(t.example.response))
            for t in engine.index.targets]


@pytest.mark.parametrize("path", SOURCES)
def test_round_trip_through_v3_keeps_every_answer(path, tmp_path):
    env = path.with_name(path.name.replace("_collection", "_environment"))
    env = env if env.exists() else None
    original = MockEngine(path, env, seed=7)
    write_tree(original.collection, tmp_path / "tree")
    tree = MockEngine(tmp_path / "tree", env, seed=7)
    assert len(tree.index) == len(original.index)
    for t in original.index.targets:
        request = t.as_request()
        assert _answer(tree, request) == _answer(original, request), t.example.json_path
        a, b = original.handle(request, record=False), tree.handle(request, record=False)
        assert (a.response.status, a.response.body) == (b.response.status, b.response.body), t.example.json_path
        assert a.response.headers == b.response.headers, t.example.json_path
    back = MockEngine(collection_json(tree.collection), env, seed=7)
    assert _fingerprint(back) == _fingerprint(original)
    assert (back.collection.name, back.collection.variables) == (original.collection.name, original.collection.variables)


LINTED = ["collections/twitter-api-v2.postman_collection.json", "collections/postman-api.postman_collection.json",
          "collections/fastly.postman_collection.json", "collections/gotomeeting-v200.postman_collection.json",
          "peer-fixtures/postman-local-mock-server/all-request-types.postman_collection.json"]


@pytest.mark.skipif(POSTMAN is None, reason="postman-cli is not installed (.ci/run installs it with npm into "
                    ".ci/node): `postman collection lint` cannot check the trees mockkit writes")
def test_postman_collection_lint_accepts_the_trees_mockkit_writes(tmp_path):
    """One lint run over several trees side by side (it scans every request file and the
    examples each one links; about a second in all). Its home folder is the test's, and its
    update check and any other outside call are pointed at a closed loopback port."""
    sources = [Path(__file__).parent / "fixtures" / "v3" / "Bookstore API"]
    sources += [CORPUS_DIR / rel for rel in LINTED if (CORPUS_DIR / rel).exists()]
    from test_v3 import GRAPHQL

    requests = 0
    for source in [*sources, GRAPHQL]:
        collection = load_collection(source)
        write_tree(collection, tmp_path / "trees" / (source.name.split(".")[0] if isinstance(source, Path) else "graphql"))
        requests += len(collection.requests)
    offline = {"HOME": str(tmp_path), "NO_COLOR": "1", "ARS_CLI_BASE_URL": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    result = subprocess.run([POSTMAN, "collection", "lint", str(tmp_path / "trees")], capture_output=True,
                            text=True, timeout=120, env={**os.environ, **offline}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"Scanned: {requests} | Errors: 0" in result.stdout, result.stdout[-2000:]
