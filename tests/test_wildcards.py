"""Issue 11, kind 1: wildcard segments match in linear time, with the greedy regex's captures.

The old matcher compiled ``L0{{a}}L1{{b}}L2`` into ``L0([^/]+)L1([^/]+)L2\\Z`` (IGNORECASE): it is
kept here as the oracle. Hypothesis compares match/no-match and every capture on small inputs;
the work of ``WildSegment.match`` is bounded by an operation count on large adversarial ones.
"""

from __future__ import annotations

import re
import socket
import sys
import threading

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mockkit
from builders import coll, ex
from mockkit.templating import TOKEN
from mockkit.wildcards import WildSegment, fold


def oracle(segment: str) -> re.Pattern[str]:
    """The regex mockkit used before issue 11 (index._wild_pattern)."""
    parts, pos = [], 0
    for m in TOKEN.finditer(segment):
        parts.append(re.escape(segment[pos : m.start()]))
        parts.append("([^/]+)")
        pos = m.end()
    parts.append(re.escape(segment[pos:]))
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL)


def both(saved: str, request: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    compiled = WildSegment.compile(saved)
    assert compiled is not None
    m = oracle(saved).match(request)
    return compiled.match(request), (m.groups() if m else None)


# letters with case twins (some of them change length under str.lower/upper), separators, '/'
TRICKY = "aAbB-._~iIİıKkKsSſßẞσςΣθϑ/1"
LITERALS = st.text(alphabet="aAbB-._~iIİıKsſσΣθ1", max_size=3)
SHAPES = st.lists(st.tuples(LITERALS, st.sampled_from(["{{a}}", "{{b}}", "{{ c }}", "{{a}}{{b}}"])),
                  min_size=1, max_size=4).flatmap(
    lambda pieces: LITERALS.map(lambda last: "".join(lit + tok for lit, tok in pieces) + last))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(saved=SHAPES, request=st.text(alphabet=TRICKY, max_size=14))
@example(saved="{{stem}}-{{rev}}.{{ext}}", request="a-b-c.d.e")
@example(saved="x{{a}}{{b}}y", request="XabcY")
@example(saved="{{a}}ſ{{b}}", request="aSb")
@example(saved="{{a}}İ{{b}}", request="aib")
def test_same_matches_and_captures_as_the_greedy_regex(saved, request):
    mine, theirs = both(saved, request)
    assert mine == theirs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(saved=SHAPES, data=st.data())
def test_segments_built_to_fit_match_like_the_regex(saved, data):
    """Requests made from the saved segment itself (wildcards filled, case flipped) mostly match,
    which random text rarely does: this exercises the capture split, not just the refusals."""
    filler = st.text(alphabet=TRICKY.replace("/", ""), min_size=1, max_size=4)
    request = TOKEN.sub(lambda _: data.draw(filler), saved)
    request = "".join(ch.swapcase() if len(ch.swapcase()) == 1 and data.draw(st.booleans()) else ch
                      for ch in request)
    mine, theirs = both(saved, request)
    assert mine == theirs


def test_fold_agrees_with_re_ignorecase_on_every_cased_character():
    """Each cased character, its simple case twins and its fold group: fold-equal exactly when
    ``re.IGNORECASE`` matches them (so nothing that matched before stops matching)."""
    checked = 0
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if 0xD800 <= code < 0xE000 or (ch.lower() == ch and ch.upper() == ch):
            continue
        twins = {c for c in ch.lower() + ch.upper() + ch.title() + ch.casefold() + fold(ch)}
        pattern = re.compile(re.escape(ch), re.IGNORECASE)
        for other in twins:
            assert (fold(ch) == fold(other)) == bool(pattern.fullmatch(other)), (hex(code), other)
            checked += 1
    assert checked > 5000
    assert len(fold("İstanbul")) == len("İstanbul")  # str.lower would make it longer


N = 60_000
ADVERSARIAL = [
    ("{{a}}-{{b}}+{{c}}-{{d}}", ["-" * N, "-+" * (N // 2), "+" * N]),  # many '-', '+' misplaced
    ("{{a}}-{{b}}-{{c}}-{{d}}", ["-" * N, "a-" * (N // 2)]),
    ("pre{{a}}ab{{b}}ab{{c}}suf", ["pre" + "ab" * (N // 2) + "suf", "pre" + "a" * N + "suf"]),
    ("{{x}}{{y}}{{z}}", ["x" * N]),
    ("{{a}}" + "ab" * 200 + "c{{b}}", ["ab" * (N // 2), "ab" * (N // 4) + "c" + "ab" * (N // 4)]),
    ("{{a}}.{{b}}.{{c}}.{{d}}.{{e}}.{{f}}!", ["." * N + "!", "a." * (N // 2) + "!"]),
]


@pytest.mark.parametrize("saved, segments", ADVERSARIAL, ids=[s for s, _ in ADVERSARIAL])
def test_the_work_is_linear_in_the_segment_length(saved, segments):
    """Operation count, not wall clock: characters folded plus characters the literal searches
    pass over stay within twice the segment's length plus the literals, for segments built to
    make a backtracking matcher explode (each needs more than 10^9 regex steps)."""
    compiled = WildSegment.compile(saved)
    assert compiled is not None
    literal_total = sum(map(len, compiled.middle)) + len(compiled.head) + len(compiled.tail)
    for segment in segments:
        work: list[int] = []
        compiled.match(segment, work)
        assert len(work) == 1  # every one of these reaches the literal searches
        assert work[0] <= 2 * len(segment) + 2 * literal_total, (saved, segment[:20], work)


def test_a_near_miss_segment_does_not_stall_other_clients():
    """60 kB near-miss segments against ``/blobs/{{name}}_{{hash}}~{{kind}}.{{v}}!`` while plain
    requests flow: every answer arrives (the old regex needed minutes for each of these)."""
    collection = coll(ex("/blobs/{{name}}_{{hash}}~{{kind}}.{{v}}!", name="blob", response_body="{{kind}}"),
                      ex("/ping", name="ping", response_body="pong"))
    attack = "/blobs/" + "_." * 30_000 + "!"
    with mockkit.MockServer(collection) as server:
        outcomes: list[int] = []

        def attacker() -> None:
            with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as c:
                for _ in range(3):
                    outcomes.append(c.get(attack).status_code)

        threads = [threading.Thread(target=attacker) for _ in range(3)]
        for t in threads:
            t.start()
        with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as c:
            pings = [c.get("/ping").text for _ in range(20)]
            fitting = c.get("/blobs/photo_ab12~raw.png!")
        for t in threads:
            t.join(120)
        assert pings == ["pong"] * 20
        assert fitting.status_code == 200 and fitting.text == "raw"
        assert len(outcomes) == 9 and set(outcomes) <= {200, 404}  # step h may still take it (distance)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10):
            pass  # still accepting
