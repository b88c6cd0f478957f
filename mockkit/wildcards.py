"""Wildcard path segments (spec step e): ``{{stem}}-{{rev}}.{{ext}}`` matched in linear time.

A saved segment with ``{{variable}}`` wildcards is literal text with holes: ``L0 W1 L1 ... Wk Lk``.
It matches a request segment when the literals fit, ignoring case, and each wildcard takes one or
more characters (never ``/``). The captures feed response templates, so which split is chosen
matters: mockkit has always used the split of the greedy regular expression
``L0([^/]+)L1([^/]+)...Lk\\Z`` (IGNORECASE): the first wildcard as long as possible, then the
second, and so on. A backtracking regex finds it in time that grows with the segment's length to
the power of the number of wildcards (a 2.5 kB segment once froze a server for 64 s), so
``WildSegment.match`` finds the same split directly:

* the first and last literals are anchored (``startswith``/``endswith``);
* the middle literals are placed right to left, each as far right as the ones after it allow.
  Each literal's rightmost possible place in *any* match is exactly where this puts it, so the
  wildcard before it is the longest any match allows: the greedy regex's captures.
  The search runs forward on the reversed text (CPython's ``str.find`` is linear, its
  ``rfind`` is not) and each search starts where the previous one stopped, so the literal
  searches pass over each character of the segment about once: the work is
  O(len(segment) + total length of the literals), whatever the collection holds.

Case is compared the way Python's ``re.IGNORECASE`` compares it (so nothing that matched before
stops matching): character by character, through the simple lower-case mapping, with the few
equivalences ``re`` adds (``ſ`` is ``s``, ``ϑ`` is ``θ``, ...). Folding never changes a text's
length, so positions in the folded text are positions in the original.
"""

from __future__ import annotations

from dataclasses import dataclass

from .templating import TOKEN

__all__ = ["WildSegment", "fold"]

# The characters Python's re module treats as equal beyond their simple lower-case mapping
# (re._casefix._EXTRA_CASES, Unicode 14 / CPython 3.11); each group folds to its first member.
_EQUIVALENT = (
    "\u0069\u0131", "\u0073\u017f", "\u00b5\u03bc", "\u0345\u03b9\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3",
    "\u03b2\u03d0", "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1",
    "\u03c2\u03c3", "\u03c6\u03d5", "\u0432\u1c80", "\u0434\u1c81", "\u043e\u1c82", "\u0441\u1c83",
    "\u0442\u1c84\u1c85", "\u044a\u1c86", "\u0463\u1c87", "\u1c88\ua64b", "\u1e61\u1e9b", "\ufb05\ufb06",
)
_CANONICAL = {ord(ch): ord(group[0]) for group in _EQUIVALENT for ch in group}
_CACHE_LIMIT = 20_000


def _fold_char(code: int) -> int:
    ch = chr(code)
    lower = ch.lower()
    if lower == ch and ch.upper() == ch:
        return code  # not cased: compared exactly
    # the simple mapping (what re uses): one character; only U+0130 has a longer full mapping
    return _CANONICAL.get(ord(lower[0]), ord(lower[0]))


class _FoldTable(dict[int, int]):
    """``str.translate`` table computed on first sight of each character (bounded cache)."""

    def __missing__(self, code: int) -> int:
        folded = _fold_char(code)
        if len(self) < _CACHE_LIMIT:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` with case folded as ``re.IGNORECASE`` compares it; same length as ``text``."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class WildSegment:
    """A saved path segment with wildcards, compiled for ``match``.

    ``names`` are the wildcard names in order (a name may repeat: the later capture wins, as in
    a dict update). ``head``/``tail`` are the folded first and last literals; ``middle`` the folded
    middle literals, reversed, right to left; ``room`` for each middle literal the fewest
    characters that must come before it (the head, one per wildcard, the literals in between).
    """

    names: tuple[str, ...]
    head: str
    tail: str
    middle: tuple[str, ...]
    room: tuple[int, ...]
    shortest: int

    @classmethod
    def compile(cls, segment: str) -> "WildSegment | None":
        """The compiled segment, or None when ``segment`` has no ``{{wildcard}}``."""
        literals, names, pos = [], [], 0
        for m in TOKEN.finditer(segment):
            literals.append(fold(segment[pos : m.start()]))
            names.append(m.group(1).strip())
            pos = m.end()
        if not names:
            return None
        literals.append(fold(segment[pos:]))
        head, inner, tail = literals[0], literals[1:-1], literals[-1]
        room, before = [], len(head)
        for i, lit in enumerate(inner):
            before += 1  # the wildcard in front of it takes at least one character
            room.append(before)
            before += len(lit)
        shortest = len(head) + len(tail) + len(names) + sum(map(len, inner))
        return cls(tuple(names), head, tail, tuple(lit[::-1] for lit in reversed(inner)),
                   tuple(reversed(room)), shortest)

    def match(self, segment: str, work: list[int] | None = None) -> tuple[str, ...] | None:
        """The captures (one per wildcard, in order) when ``segment`` fits, else None.

        ``work``, when given, receives the number of characters folded and passed over by the
        literal searches (tests bound it by the segment's length).
        """
        n = len(segment)
        if n < self.shortest or "/" in segment:
            return None
        folded = fold(segment)
        if not folded.startswith(self.head) or not folded.endswith(self.tail):
            return None
        backwards = folded[::-1]
        captures: list[str] = []
        end = n - len(self.tail)  # where the wildcard being placed ends (original positions)
        start = len(self.tail) + 1  # where the next search starts (reversed positions)
        passed = n
        for lit, room in zip(self.middle, self.room):
            found = backwards.find(lit, start, n - room)
            passed += (found + len(lit) if found >= 0 else n - room) - start
            if found < 0:
                break
            lit_start = n - found - len(lit)
            captures.append(segment[lit_start + len(lit) : end])
            end = lit_start
            start = found + len(lit) + 1
        if work is not None:
            work.append(passed)
        if len(captures) < len(self.middle):
            return None  # a middle literal has no place left
        captures.append(segment[len(self.head) : end])
        captures.reverse()
        return tuple(captures)
