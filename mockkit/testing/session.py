"""What the running pytest session asks of mocks created without explicit settings.

The pytest plugin pushes a ``TestDefaults`` per session and sets the running test's seed on it:
``settle_seed`` gives that seed to every mock the test creates without one (else a fresh one,
so every mock's fake data can be replayed: ``mock.seed``), ``note_mock`` records each for the
failure report, and ``default_strict`` makes mocks strict in a pytest session (unless its ini
says ``mockkit_strict = false``) and nowhere else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["TestDefaults", "pick_seed", "settle_seed", "note_mock", "default_strict", "push_defaults",
           "pop_defaults", "current_defaults"]


def pick_seed() -> int:
    """A fresh seed for fake data (8 digits: short enough to type into a rerun)."""
    return secrets.randbelow(90_000_000) + 10_000_000


@dataclass
class TestDefaults:
    """What the running pytest session (and test) asks of mocks created without explicit options.

    ``strict``: the project default (ini ``mockkit_strict``); ``seed``: the running test's seed,
    given to every mock it creates without one; ``mocks``: (what, seed) of each mock created
    during the running test, for the failure report."""

    strict: bool = True
    seed: int | None = None
    mocks: list[tuple[str, int]] = field(default_factory=list)


_defaults: list[TestDefaults] = []  # a stack: pytest's own pytester nests sessions in one process


def push_defaults(defaults: TestDefaults) -> None:
    _defaults.append(defaults)


def pop_defaults(defaults: TestDefaults) -> None:
    if defaults in _defaults:
        _defaults.remove(defaults)


def current_defaults() -> TestDefaults | None:
    return _defaults[-1] if _defaults else None


def settle_seed(seed: int | None) -> int:
    """``seed``, or the running test's seed, or a fresh one."""
    if seed is not None:
        return int(seed)
    defaults = current_defaults()
    return defaults.seed if defaults is not None and defaults.seed is not None else pick_seed()


def note_mock(what: str, seed: int | None) -> None:
    """Tell the running test (if any) that a mock with this seed was created."""
    defaults = current_defaults()
    if defaults is not None and seed is not None:
        defaults.mocks.append((what, seed))


def default_strict() -> bool:
    """Strict in a pytest session (unless its ini says ``mockkit_strict = false``), not elsewhere."""
    defaults = current_defaults()
    return defaults.strict if defaults is not None else False
