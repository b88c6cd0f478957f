"""A cheaper ``__init__`` for frozen, slotted dataclasses built by the thousand: at load time,
and on every call (``MockRequest``, ``MockResponse``, ``Served``, ``Call``, ``Ranking``: issue 17).

A frozen dataclass's generated ``__init__`` sets each field with ``object.__setattr__(self,
name, value)`` (its own ``__setattr__`` refuses), a lookup and a generic call per field: for the
model and index objects of a 50,000-example collection (``Example``, ``Url``, ``SavedRequest``,
``Target``, ``PathForms``...) that was about a sixth of the load (issue 17). ``quick_init``
replaces it with one that calls each slot's own setter (the slot's member descriptor
``__set__``), about twice as fast. Everything else stays as ``dataclass`` made it: the same
parameters, defaults, default factories and annotations; instances are as frozen as before
(assigning a field still raises ``FrozenInstanceError``); equality, hashing, ``repr`` and
pickling are untouched.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["quick_init"]

T = TypeVar("T")


class _Factory:
    """The default of a field with a ``default_factory`` (shown as ``<factory>``, as dataclass does)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def quick_init(cls: type[T]) -> type[T]:
    """Give ``cls`` (a ``@dataclass(frozen=True, slots=True)`` class, applied above that
    decorator) the cheaper ``__init__``; returns ``cls``.

    Raises:
        TypeError: ``cls`` is not a frozen, slotted dataclass, or has what this does not
            reproduce (``__post_init__``, ``InitVar`` or keyword-only fields, fields left out of
            ``__init__``).
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init needs a @dataclass(frozen=True, slots=True) class")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick_init does not run __post_init__")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # a dataclass: checked above
    names = [f.name for f in fields]
    if any(not f.init or f.kw_only for f in fields) or list(cls.__dataclass_fields__) != names:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: quick_init handles plain positional fields only")
    scope: dict[str, Any] = {"_FACTORY": _FACTORY}
    signature, body = [], []
    for f in fields:
        scope[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is not dataclasses.MISSING:
            scope[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{f.name}"] = f.default_factory
            signature.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY:\n        {f.name} = _factory_{f.name}()\n")
        else:
            signature.append(f.name)
        body.append(f"    _set_{f.name}(self, {f.name})\n")
    source = f"def __init__(self, {', '.join(signature)}):\n{''.join(body)}"
    exec(source, scope)  # noqa: S102 - code built above from the class's own field names
    init = scope["__init__"]
    original = cls.__init__
    init.__annotations__ = dict(getattr(original, "__annotations__", {}))
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = original.__doc__
    setattr(cls, "__init__", init)
    return cls
