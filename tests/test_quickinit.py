"""quick_init (issue 17: load time): the cheaper __init__ of frozen, slotted dataclasses builds
the same objects as dataclass's own, with the same signature, and they stay frozen."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from mockkit.model import Example, SavedRequest, SavedResponse, Url
from mockkit.quickinit import quick_init


def _plain(cls: type) -> type:
    """The same class built by dataclass alone (no quick_init)."""
    return dataclasses.dataclass(frozen=True, slots=True)(
        type(cls.__name__, (), {"__annotations__": {f.name: f.type for f in dataclasses.fields(cls)},
                                **{f.name: (dataclasses.field(default_factory=f.default_factory)
                                            if f.default_factory is not dataclasses.MISSING else f.default)
                                   for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
                                   or f.default_factory is not dataclasses.MISSING}}))


@pytest.mark.parametrize("cls", [Example, SavedRequest, SavedResponse, Url])
def test_same_signature_as_dataclass(cls: type) -> None:
    assert str(inspect.signature(cls)) == str(inspect.signature(_plain(cls)))


def test_defaults_factories_and_frozen() -> None:
    a, b = SavedRequest(), SavedRequest(method="POST")
    assert a.url == Url() and a.url is not b.url  # a fresh object per instance, as default_factory gives
    assert (b.method, b.headers, b.body) == ("POST", (), None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.method = "PUT"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(b)) == b and hash(a) == hash(SavedRequest())
    with pytest.raises(TypeError):
        SavedRequest("GET", Url(), (), None, "extra")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Example(id="x")  # type: ignore[call-arg]


def test_refuses_what_it_cannot_reproduce() -> None:
    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        a: int

    for cls in (NotFrozen, Checked, KeywordOnly):
        with pytest.raises(TypeError):
            quick_init(cls)
