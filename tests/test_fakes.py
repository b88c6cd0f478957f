"""Dynamic variables: the exact name list, each value's shape and range, seeding, the clock,
"did you mean" and the lazy Faker import (spec §2.1 D3, §2.2)."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockkit import fakes, fakewords
from mockkit.fakes import DYNAMIC, MULTILINE, FakeContext, generate, suggest

NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
CLOCK = lambda: NOW  # noqa: E731
DRAWS = 50
REPO = Path(__file__).resolve().parent.parent

# Transcribed from spec §2.2, in its order ($randomPrice and $randomColor are listed there twice).
SPEC_NAMES = """
$guid $timestamp $isoTimestamp $randomUUID $randomInt
$randomAlphaNumeric $randomBoolean $randomColor $randomHexColor $randomAbbreviation $randomWord
$randomWords $randomAdjective $randomNoun $randomVerb $randomIngverb $randomPhrase
$randomIP $randomIPV6 $randomMACAddress $randomPassword $randomLocale $randomUserAgent
$randomProtocol $randomSemver $randomEmail $randomExampleEmail $randomUserName $randomUrl
$randomDomainName $randomDomainSuffix $randomDomainWord
$randomFirstName $randomLastName $randomFullName $randomNamePrefix $randomNameSuffix
$randomJobTitle $randomJobDescriptor $randomJobArea $randomJobType
$randomPhoneNumber $randomPhoneNumberExt $randomCity $randomStreetName $randomStreetAddress
$randomCountry $randomCountryCode $randomLatitude $randomLongitude
$randomAvatarImage $randomImageUrl $randomAbstractImage $randomAnimalsImage $randomBusinessImage
$randomCatsImage $randomCityImage $randomFoodImage $randomNightlifeImage $randomFashionImage
$randomPeopleImage $randomNatureImage $randomSportsImage $randomTransportImage $randomImageDataUri
$randomBankAccount $randomBankAccountName $randomCreditCardMask $randomBankAccountBic
$randomBankAccountIban $randomTransactionType $randomCurrencyCode $randomCurrencyName
$randomCurrencySymbol $randomBitcoin $randomPrice
$randomCompanyName $randomCompanySuffix $randomBs $randomBsAdjective $randomBsBuzz $randomBsNoun
$randomCatchPhrase $randomCatchPhraseAdjective $randomCatchPhraseDescriptor $randomCatchPhraseNoun
$randomDatabaseColumn $randomDatabaseType $randomDatabaseCollation $randomDatabaseEngine
$randomDateFuture $randomDatePast $randomDateRecent $randomWeekday $randomMonth
$randomFileName $randomFileType $randomFileExt $randomCommonFileName $randomCommonFileType
$randomCommonFileExt $randomFilePath $randomDirectoryPath $randomMimeType
$randomProduct $randomProductAdjective $randomProductMaterial $randomProductName $randomDepartment
$randomLoremWord $randomLoremWords $randomLoremSentence $randomLoremSentences $randomLoremParagraph
$randomLoremParagraphs $randomLoremText $randomLoremLines $randomLoremSlug
""".split()

IMAGE_TOPICS = ("abstract", "animals", "business", "cats", "city", "food", "nightlife", "fashion",
                "people", "nature", "sports", "transport")
# Values that cannot change between calls: faker.js 5 image URLs, and the time under a fixed clock.
CONSTANT = {"$randomImageUrl", "$timestamp", "$isoTimestamp"} | {
    f"$random{t.capitalize()}Image" for t in IMAGE_TOPICS
}

# --- validators ------------------------------------------------------------------------------

Check = Callable[[str], bool]


def rx(pattern: str) -> Check:
    compiled = re.compile(pattern)
    return lambda v: compiled.fullmatch(v) is not None


def int_in(lo: int, hi: int) -> Check:
    return lambda v: re.fullmatch(r"0|-?[1-9]\d*", v) is not None and lo <= int(v) <= hi


def fixed_in(lo: float, hi: float, places: int) -> Check:
    pattern = re.compile(rf"-?\d+\.\d{{{places}}}")
    return lambda v: pattern.fullmatch(v) is not None and lo <= float(v) <= hi


def ip(version: int) -> Check:
    def check(v: str) -> bool:
        try:
            return ipaddress.ip_address(v).version == version
        except ValueError:
            return False

    return check


def iban(v: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", v) or not 15 <= len(v) <= 31:
        return False
    digits = "".join(str(int(ch, 36)) for ch in v[4:] + v[:4])
    return int(digits) % 97 == 1


def js_date(lo: timedelta, hi: timedelta) -> Check:
    """JS Date.toString() in UTC, the weekday consistent, NOW+lo <= date <= NOW+hi (1 s slack
    for the dropped milliseconds)."""

    def check(v: str) -> bool:
        m = re.fullmatch(r"(\w{3}) (\w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2}) GMT\+0000 "
                         r"\(Coordinated Universal Time\)", v)
        if m is None:
            return False
        moment = datetime.strptime(m.group(2), "%b %d %Y %H:%M:%S").replace(tzinfo=timezone.utc)
        weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
        slack = timedelta(seconds=1)
        return m.group(1) == weekday and NOW + lo - slack <= moment <= NOW + hi

    return check


def sentences(lo: int, hi: int, sep: str = " ") -> Check:
    sentence = r"[A-Z][a-z]*(?: [a-z]+)*\."
    return lambda v: (all(re.fullmatch(sentence, s) for s in re.split(rf"(?<=\.){sep}", v))
                      and lo <= len(re.split(rf"(?<=\.){sep}", v)) <= hi)


def data_uri(v: str) -> bool:
    prefix = "data:image/svg+xml;charset=UTF-8,"
    body = v.removeprefix(prefix)
    svg = unquote(body)
    return (v.startswith(prefix) and re.fullmatch(r"[A-Za-z0-9%!'()*._~-]+", body) is not None
            and svg.startswith("<svg ") and svg.endswith("</svg>") and 'fill="#' in svg)


YEAR, DAY = timedelta(days=365), timedelta(days=1)
WORD = r"[^\s]+"
CAPWORD = r"[A-Z][a-z]+"
PARAGRAPH = sentences(3, 6)
FILE_NAME = r"[a-z0-9]+(?:_[a-z0-9]+)*\.[a-z0-9]+"
COMMON_EXT = r"(?:pdf|mp3|wav|png|jpeg|jpg|gif|mp4|mpeg|html)"
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = ("January February March April May June July August September October November"
          " December").split()

VALIDATORS: dict[str, Check] = {
    "$guid": rx(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "$timestamp": lambda v: v == "1767323046",
    "$isoTimestamp": lambda v: v == "2026-01-02T03:04:05.678Z",
    "$randomUUID": rx(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
    "$randomInt": int_in(0, 1000),
    "$randomAlphaNumeric": rx(r"[a-z0-9]"),
    "$randomBoolean": rx(r"true|false"),
    "$randomColor": rx(r"[a-z]+(?: [a-z]+)*"),
    "$randomHexColor": rx(r"#[0-9a-f]{6}"),
    "$randomAbbreviation": rx(r"[A-Z][A-Z0-9]{1,4}"),
    "$randomWord": rx(WORD),
    "$randomWords": rx(rf"{WORD}(?: {WORD}){{1,4}}"),
    "$randomAdjective": rx(r"[a-z0-9-]+(?: [a-z]+)?"),
    "$randomNoun": rx(r"[a-z]+(?: [a-z]+)?"),
    "$randomVerb": rx(r"[a-z]+(?: up)?"),
    "$randomIngverb": rx(r"[a-z]+ing(?: up)?"),
    "$randomPhrase": rx(r"[A-Z][^\r\n{}]+!"),
    "$randomIP": ip(4),
    "$randomIPV6": ip(6),
    "$randomMACAddress": rx(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}"),
    "$randomPassword": rx(r"[A-Za-z0-9]{15}"),
    "$randomLocale": rx(r"[a-z]{2}"),
    "$randomUserAgent": rx(r"(?:Mozilla|Opera)/\d+\.\d+[ .]\([^\r\n]+"),
    "$randomProtocol": rx(r"https?"),
    "$randomSemver": rx(r"\d\.\d\.\d"),
    "$randomEmail": rx(r"[A-Za-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
    "$randomExampleEmail": rx(r"[A-Za-z0-9._%+-]+@example\.(?:com|net|org)"),
    "$randomUserName": rx(r"[A-Za-z0-9._-]+"),
    "$randomUrl": rx(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/"),
    "$randomDomainName": rx(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
    "$randomDomainSuffix": rx(r"[a-z]{2,}"),
    "$randomDomainWord": rx(r"[a-z0-9]+(?:-[a-z0-9]+)*"),
    "$randomFirstName": rx(r"[A-Z][A-Za-z'-]+"),
    "$randomLastName": rx(r"[A-Z][A-Za-z' -]+"),
    "$randomFullName": rx(r"[A-Z][A-Za-z'-]+ [A-Z][A-Za-z' -]+"),
    "$randomNamePrefix": rx(r"Mr\.|Mrs\.|Ms\.|Miss|Dr\."),
    "$randomNameSuffix": rx(r"Jr\.|Sr\.|I|II|III|IV|V|MD|DDS|PhD|DVM"),
    "$randomJobTitle": rx(rf"{CAPWORD} {CAPWORD} {CAPWORD}"),
    "$randomJobDescriptor": rx(CAPWORD),
    "$randomJobArea": rx(CAPWORD),
    "$randomJobType": rx(CAPWORD),
    "$randomPhoneNumber": rx(r"[2-9]\d{2}-[2-9]\d{2}-\d{4}"),
    "$randomPhoneNumberExt": rx(r"[1-9]\d-[2-9]\d{2}-[2-9]\d{2}-\d{4}"),
    "$randomCity": rx(r"[A-Z][^\r\n]*\S"),
    "$randomStreetName": rx(r"[A-Z][^\r\n]* [A-Z][a-z]+"),
    "$randomStreetAddress": rx(r"\d{3,5} [A-Z][^\r\n]* [A-Z][a-z]+"),
    "$randomCountry": rx(r"\S[^\r\n]*\S"),
    "$randomCountryCode": rx(r"[A-Z]{2}"),
    "$randomLatitude": fixed_in(-90, 90, 4),
    "$randomLongitude": fixed_in(-180, 180, 4),
    "$randomAvatarImage": rx(r"https://cloudflare-ipfs\.com/ipfs/\w+/avatar/\d{1,4}\.jpg"
                             r"|https://avatars\.githubusercontent\.com/u/\d+"),
    "$randomImageUrl": lambda v: v == "http://placeimg.com/640/480",
    **{f"$random{t.capitalize()}Image": (lambda v, t=t: v == f"http://placeimg.com/640/480/{t}")
       for t in IMAGE_TOPICS},
    "$randomImageDataUri": data_uri,
    "$randomBankAccount": rx(r"\d{8}"),
    "$randomBankAccountName": rx(r"[A-Z][a-z]+(?: [A-Z][a-z]+)? Account"),
    "$randomCreditCardMask": rx(r"\d{4}"),
    "$randomBankAccountBic": rx(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"),
    "$randomBankAccountIban": iban,
    "$randomTransactionType": rx(r"deposit|withdrawal|payment|invoice"),
    "$randomCurrencyCode": rx(r"[A-Z]{3}"),
    "$randomCurrencyName": rx(r"\S[^\r\n]*\S"),
    "$randomCurrencySymbol": rx(r"\S{1,6}"),
    "$randomBitcoin": rx(r"[13][1-9A-HJ-NP-Za-km-z]{24,33}"),
    "$randomPrice": lambda v: fixed_in(0, 1000, 2)(v) and not v.startswith("-"),
    "$randomCompanyName": rx(r"[A-Z][^\r\n]*\S"),
    "$randomCompanySuffix": rx(r"Inc|and Sons|LLC|Group|PLC|Ltd"),
    "$randomBs": rx(rf"{WORD}(?: {WORD}){{2,}}"),
    "$randomBsAdjective": rx(r"[\w/-]+(?: [\w/-]+)*"),
    "$randomBsBuzz": rx(r"[a-z-]+(?: [a-z-]+)*"),
    "$randomBsNoun": rx(r"[\w/-]+(?: [\w/-]+)*"),
    "$randomCatchPhrase": rx(rf"[A-Z]\S*(?: {WORD}){{2,}}"),
    "$randomCatchPhraseAdjective": rx(r"[A-Z][\w-]+"),
    "$randomCatchPhraseDescriptor": rx(r"[\w/-]+(?: [\w/-]+)*"),
    "$randomCatchPhraseNoun": rx(r"[\w/-]+(?: [\w/-]+)*"),
    "$randomDatabaseColumn": rx(r"[a-z]+(?:[A-Z][a-z]+)?"),
    "$randomDatabaseType": rx(r"[a-z]+"),
    "$randomDatabaseCollation": rx(r"[a-z0-9]+(?:_[a-z0-9]+)+"),
    "$randomDatabaseEngine": rx(r"InnoDB|MyISAM|MEMORY|CSV|BLACKHOLE|ARCHIVE"),
    "$randomDateFuture": js_date(timedelta(seconds=1), YEAR),
    "$randomDatePast": js_date(-YEAR, -timedelta(seconds=1)),
    "$randomDateRecent": js_date(-DAY, -timedelta(seconds=1)),
    "$randomWeekday": lambda v: v in WEEKDAYS,
    "$randomMonth": lambda v: v in MONTHS,
    "$randomFileName": rx(FILE_NAME),
    "$randomFileType": rx(r"[a-z]+(?:-[a-z]+)*"),
    "$randomFileExt": rx(r"[a-z0-9]+"),
    "$randomCommonFileName": rx(rf"[a-z0-9]+(?:_[a-z0-9]+)*\.{COMMON_EXT}"),
    "$randomCommonFileType": rx(r"video|audio|image|text|application"),
    "$randomCommonFileExt": rx(COMMON_EXT),
    "$randomFilePath": rx(rf"(?:/[A-Za-z0-9+]+)+/{FILE_NAME}"),
    "$randomDirectoryPath": rx(r"(?:/[A-Za-z0-9+]+)+"),
    "$randomMimeType": rx(r"[a-z]+(?:-[a-z]+)*/[A-Za-z0-9.+-]+"),
    "$randomProduct": rx(CAPWORD),
    "$randomProductAdjective": rx(CAPWORD),
    "$randomProductMaterial": rx(CAPWORD),
    "$randomProductName": rx(rf"{CAPWORD} {CAPWORD} {CAPWORD}"),
    "$randomDepartment": rx(CAPWORD),
    "$randomLoremWord": rx(r"[a-z]+"),
    "$randomLoremWords": rx(r"[a-z]+ [a-z]+ [a-z]+"),
    "$randomLoremSentence": rx(r"[A-Z][a-z]*(?: [a-z]+){2,9}\."),
    "$randomLoremSentences": sentences(2, 6),
    "$randomLoremParagraph": PARAGRAPH,
    "$randomLoremParagraphs": lambda v: len(v.split("\n \r")) == 3 and all(
        PARAGRAPH(p) for p in v.split("\n \r")),
    "$randomLoremText": lambda v: bool(v.strip()) and not v.startswith(" "),
    "$randomLoremLines": sentences(1, 5, "\n"),
    "$randomLoremSlug": rx(r"[a-z]+-[a-z]+-[a-z]+"),
}


def draws(name: str, n: int = DRAWS, seed: int | None = None) -> list[str]:
    ctx = FakeContext(zlib.crc32(name.encode()) if seed is None else seed, CLOCK)
    return [generate(name, ctx) for _ in range(n)]  # type: ignore[misc]


# --- the name list ---------------------------------------------------------------------------


def test_spec_list_is_118_distinct_names():
    assert len(SPEC_NAMES) == 118
    assert len(set(SPEC_NAMES)) == 118


def test_exactly_the_spec_names():
    assert set(DYNAMIC) == set(SPEC_NAMES)
    assert len(DYNAMIC) == 118


def test_every_name_has_a_validator():
    assert set(VALIDATORS) == set(SPEC_NAMES)


def test_table_is_read_only():
    with pytest.raises(TypeError):
        DYNAMIC["$new"] = DYNAMIC["$guid"]  # type: ignore[index]


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_entry_is_documented(name):
    entry = DYNAMIC[name]
    assert entry.name == name
    assert entry.description and "\n" not in entry.description and len(entry.description) < 80
    assert isinstance(entry.example, str) and entry.example
    if name != "$randomImageDataUri":  # the docs example is shortened with "..."
        assert VALIDATORS[name](entry.example), entry.example


def test_multiline_names_are_the_lorem_ones():
    assert MULTILINE == {"$randomLoremParagraphs", "$randomLoremLines", "$randomLoremText"}


# --- shapes and ranges -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_values_have_the_documented_shape(name):
    check = VALIDATORS[name]
    for value in draws(name):
        assert isinstance(value, str)
        assert check(value), f"{name} gave {value!r}"
        if name not in MULTILINE:
            assert "\r" not in value and "\n" not in value, f"{name} gave {value!r}"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("$randomInt", set(map(str, range(0, 1001)))),
        ("$randomBoolean", {"true", "false"}),
        ("$randomProtocol", {"http", "https"}),
        ("$randomCommonFileType", {"video", "audio", "image", "text", "application"}),
    ],
)
def test_small_ranges_are_covered(name, expected):
    """Both ends are reachable (0 and 1000 for $randomInt) and nothing outside appears."""
    seen = set(draws(name, 20_000 if name == "$randomInt" else 200))
    assert seen <= expected
    assert seen == expected if len(expected) < 10 else {"0", "1000"} <= seen


def test_locale_and_directory_lists():
    assert len(fakewords.LOCALES) == len(set(fakewords.LOCALES)) >= 100
    assert all(re.fullmatch(r"[a-z]{2}", code) for code in fakewords.LOCALES)
    assert len(fakewords.DIRECTORY_PATHS) == len(set(fakewords.DIRECTORY_PATHS)) == 60
    assert set(draws("$randomDirectoryPath", 300)) <= set(fakewords.DIRECTORY_PATHS)
    folders = {path.rpartition("/")[0] for path in draws("$randomFilePath", 300)}
    assert folders <= set(fakewords.DIRECTORY_PATHS)


def test_lorem_multiline_separators():
    for value in draws("$randomLoremParagraphs", 20):
        assert value.count("\n \r") == 2 and value.count("\n") == 2 and value.count("\r") == 2
    counts = {value.count("\n") + 1 for value in draws("$randomLoremLines", 300)}
    assert counts == {1, 2, 3, 4, 5}
    assert "\r" not in "".join(draws("$randomLoremLines", 50))


def test_lorem_sentences_count_two_to_six():
    counts = {len(re.split(r"(?<=\.) ", v)) for v in draws("$randomLoremSentences", 300)}
    assert counts == {2, 3, 4, 5, 6}


def test_random_words_count_two_to_five():
    assert {len(v.split()) for v in draws("$randomWords", 300)} >= {2, 5}


# --- seeding and freshness -------------------------------------------------------------------


def run_all(ctx: FakeContext, rounds: int = 3) -> list[str | None]:
    return [generate(name, ctx) for _ in range(rounds) for name in SPEC_NAMES]


def test_same_seed_same_values_for_every_name():
    first, second = run_all(FakeContext(1, CLOCK)), run_all(FakeContext(1, CLOCK))
    assert first == second
    assert None not in first


def test_other_seed_other_values():
    assert run_all(FakeContext(1, CLOCK)) != run_all(FakeContext(2, CLOCK))


def test_reseed_restarts_both_streams():
    ctx = FakeContext(5, CLOCK)
    before = run_all(ctx, 1)
    ctx.reseed(5)  # Faker now exists, so it must be reseeded too
    assert run_all(ctx, 1) == before
    ctx.reseed(6)
    assert run_all(ctx, 1) != before


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_any_seed_is_reproducible(seed):
    names = ["$guid", "$randomFirstName", "$randomLoremSentence", "$randomDatePast", "$randomBs"]
    a, b = FakeContext(seed, CLOCK), FakeContext(seed, CLOCK)
    assert [generate(n, a) for n in names * 2] == [generate(n, b) for n in names * 2]


def test_unseeded_contexts_differ():
    assert generate("$guid", FakeContext()) != generate("$guid", FakeContext())
    assert run_all(FakeContext(None, CLOCK), 1) != run_all(FakeContext(None, CLOCK), 1)


def test_each_call_is_new():
    ctx = FakeContext(3, CLOCK)
    assert generate("$guid", ctx) != generate("$guid", ctx)


@pytest.mark.parametrize("name", sorted(set(SPEC_NAMES) - CONSTANT))
def test_values_vary_between_calls(name):
    assert len(set(draws(name, 30))) > 1


# --- the clock -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, timestamp, iso",
    [
        (NOW, "1767323046", "2026-01-02T03:04:05.678Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 499999, tzinfo=timezone.utc), "1767323045",
         "2026-01-02T03:04:05.499Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc), "1767323046",
         "2026-01-02T03:04:05.500Z"),
        (datetime(1970, 1, 1, tzinfo=timezone.utc), "0", "1970-01-01T00:00:00.000Z"),
        # a naive clock is taken as UTC; another zone is converted to UTC
        (datetime(2026, 1, 2, 3, 4, 5, 678000), "1767323046", "2026-01-02T03:04:05.678Z"),
        (datetime(2026, 1, 2, 5, 4, 5, 678000, tzinfo=timezone(timedelta(hours=2))), "1767323046",
         "2026-01-02T03:04:05.678Z"),
    ],
)
def test_time_comes_from_the_clock(moment, timestamp, iso):
    ctx = FakeContext(1, lambda: moment)
    assert generate("$timestamp", ctx) == timestamp
    assert generate("$isoTimestamp", ctx) == iso
    assert ctx.now().tzinfo == timezone.utc


def test_dates_follow_the_clock():
    then = datetime(2030, 7, 1, 12, tzinfo=timezone.utc)
    ctx = FakeContext(1, lambda: then)
    for _ in range(50):
        recent = datetime.strptime(generate("$randomDateRecent", ctx)[4:24], "%b %d %Y %H:%M:%S")
        assert then - DAY - timedelta(seconds=1) <= recent.replace(tzinfo=timezone.utc) < then


def test_default_clock_is_now_utc():
    ctx = FakeContext(1)
    now = ctx.now()
    assert now.tzinfo == timezone.utc
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert abs(int(generate("$timestamp", ctx)) - now.timestamp()) <= 2


# --- lookup, suggestions, laziness -----------------------------------------------------------


@pytest.mark.parametrize("name", ["$nope", "randomInt", "$RandomInt", "", "$", "{{$guid}}"])
def test_unknown_name_gives_none(name):
    assert generate(name, FakeContext(1, CLOCK)) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("$randomint", "$randomInt"),
        ("$guidd", "$guid"),
        ("$RANDOMUUID", "$randomUUID"),
        ("$randomIPv6", "$randomIPV6"),
        ("$isotimestamp", "$isoTimestamp"),
        ("$randomFirstNme", "$randomFirstName"),
        ("$randomEmial", "$randomEmail"),
        ("$randomCatImage", "$randomCatsImage"),
        ("randomInt", "$randomInt"),
        ("$guid", "$guid"),
    ],
)
def test_suggest_finds_the_closest_name(typed, expected):
    assert suggest(typed) == expected


@pytest.mark.parametrize("typed", ["$foo", "$xyzzy", "$", "", "$body", "$headers", "userId"])
def test_suggest_gives_none_when_nothing_is_close(typed):
    assert suggest(typed) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_suggest_never_fails(text):
    assert suggest(text) in (None, *DYNAMIC)


def test_import_does_not_load_faker():
    code = (
        "import sys, mockkit.fakes as f\n"
        "assert 'faker' not in sys.modules, 'import'\n"
        "ctx = f.FakeContext(1)\n"
        "assert f.generate('$randomInt', ctx) and f.generate('$guid', ctx)\n"
        "assert 'faker' not in sys.modules, 'non-Faker generator'\n"
        "assert ctx.faker is ctx.faker and 'faker' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)
