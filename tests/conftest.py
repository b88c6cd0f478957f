"""Shared test helpers: where our fixtures and the (out-of-repo) corpus live.

The corpus of real Postman collections sits beside the repository, in ``../shared/corpus``; it
exists only in the development checkout, so every test that needs it is marked ``corpus`` and
skips itself when the folder is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
CORPUS_DIR = TESTS_DIR.parent.parent / "shared" / "corpus"
CORPUS_MISSING = "../shared/corpus not found: corpus tests run only in the development checkout"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: uses ../shared/corpus (skipped when absent)")


@pytest.fixture
def corpus_dir() -> Path:
    """The corpus folder; the test is skipped when it is not there."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(CORPUS_MISSING)
    return CORPUS_DIR


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES_DIR


def corpus_files(subdir: str, pattern: str = "*.json") -> list:
    """Sorted corpus files for ``parametrize`` (ids relative to the corpus folder).

    When nothing is found (no corpus, or an empty folder) the list holds one skipped parameter,
    so test collection never fails and the report says why.
    """
    base = CORPUS_DIR / subdir
    files = sorted(p for p in base.glob(pattern) if p.is_file()) if base.is_dir() else []
    if not files:
        reason = CORPUS_MISSING if not CORPUS_DIR.is_dir() else f"no {pattern} in corpus/{subdir}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id=f"{subdir}-none")]
    return [pytest.param(p, id=p.relative_to(CORPUS_DIR).as_posix()) for p in files]


def fixture_files(pattern: str = "*.json") -> list[Path]:
    """Our own small collections under ``tests/fixtures``."""
    return sorted(FIXTURES_DIR.glob(pattern))
