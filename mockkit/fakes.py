"""Postman's dynamic variables (``{{$guid}}``, ``{{$randomInt}}``, ...): a table of generators.

``DYNAMIC`` maps each of the 118 names of postman-collection 5.2.1 (spec §2.2) to a ``Dynamic``:
the name with its ``$``, a one-line description, a typical example for docs and a generator
``(FakeContext) -> str``. Values can never equal Postman's (they are random), so each generator
keeps the *shape* Postman documents: ``$randomInt`` is 0-1000, ``$randomPhoneNumber`` is
``###-###-####``, dates are JS ``Date.toString()`` text in UTC, and so on. Every value is a
``str`` (booleans ``"true"``/``"false"``, numbers decimal text); every call generates anew.

Where Faker has the data (names, addresses, internet, companies, currencies, files, lorem) an
entry is a thin lambda over a Faker method; where it does not (faker.js's hacker, commerce, job
and database words, Postman's locale and directory lists) small fixed word lists live here.

All randomness and time come from a ``FakeContext``: one ``random.Random``, one Faker (made on
first use, as importing Faker is slow: ``import mockkit.fakes`` does not) and a clock. The same
seed and clock give the same values for the same calls, Faker-backed ones included.

Only the ``MULTILINE`` names have line breaks: ``$randomLoremLines`` (LF between sentences),
``$randomLoremParagraphs`` (paragraphs joined by ``"\\n \\r"``, as in faker.js) and
``$randomLoremText`` (like faker.js, the output of a random lorem generator, so possibly either).
No other value ever contains CR or LF.
"""

from __future__ import annotations

import difflib
import functools
import random
import re
import string
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from . import fakewords as words

if TYPE_CHECKING:
    import faker as faker_module

__all__ = ["Dynamic", "FakeContext", "DYNAMIC", "MULTILINE", "generate", "suggest"]


class FakeContext:
    """Randomness + clock for one mock. Not thread-safe; one per engine."""

    __slots__ = ("rng", "_clock", "_faker", "_faker_seed")

    def __init__(
        self, seed: int | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.rng = random.Random()
        self._clock = clock
        self._faker: faker_module.Faker | None = None
        self._faker_seed = 0
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        """Restart both random streams from ``seed`` (``None``: fresh OS entropy)."""
        self.rng.seed(seed)
        # Faker's stream is seeded from ours, so one seed fixes both, yet the two never run in step.
        self._faker_seed = self.rng.getrandbits(64)
        if self._faker is not None:
            self._faker.seed_instance(self._faker_seed)

    def now(self) -> datetime:
        """The current time, timezone-aware UTC (a naive clock value is taken as UTC)."""
        moment = self._clock() if self._clock is not None else datetime.now(timezone.utc)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)

    @property
    def faker(self) -> faker_module.Faker:
        """An en_US Faker seeded from this context's seed, created on first use."""
        if self._faker is None:
            from faker import Faker

            fake = Faker("en_US")
            fake.seed_instance(self._faker_seed)
            self._faker = fake
        return self._faker


@dataclass(frozen=True, slots=True)
class Dynamic:
    """One dynamic variable: ``generate(ctx)`` returns a fresh value as text."""

    name: str
    description: str
    example: str
    generate: Callable[[FakeContext], str]


Gen = Callable[[FakeContext], str]

# --- generator builders -----------------------------------------------------------------------


def _pick(options: Sequence[str]) -> Gen:
    return lambda c: c.rng.choice(options)


def _fk(method: str, **kwargs: object) -> Gen:
    """A Faker method's value as text."""
    return lambda c: str(getattr(c.faker, method)(**kwargs))


def _digits(c: FakeContext, n: int) -> str:
    return "".join(c.rng.choices(string.digits, k=n))


def _phone(c: FakeContext) -> str:
    r = c.rng
    return f"{r.randint(2, 9)}{_digits(c, 2)}-{r.randint(2, 9)}{_digits(c, 2)}-{_digits(c, 4)}"


def _coordinate(limit: int) -> Gen:
    """faker.js latitude/longitude: a decimal in [-limit, limit] with four places."""
    return lambda c: f"{c.rng.randint(-limit * 10_000, limit * 10_000) / 10_000:.4f}"


def _uuid4(c: FakeContext) -> str:
    return str(uuid.UUID(int=c.rng.getrandbits(128), version=4))


def _timestamp(c: FakeContext) -> str:
    micros = (c.now() - words.EPOCH) // timedelta(microseconds=1)
    return str((micros + 500_000) // 1_000_000)  # Math.round(Date.now() / 1000): half rounds up


def _date(sign: int, span_ms: int) -> Gen:
    """faker.js date.future/past/recent (now ± 1 s to ``span_ms``) as JS ``Date.toString()``."""

    def gen(c: FakeContext) -> str:
        m = c.now() + sign * timedelta(milliseconds=c.rng.randint(1000, span_ms))
        return (f"{words.DAY_ABBR[m.weekday()]} {words.MONTH_ABBR[m.month - 1]} {m.day:02d} {m.year:04d}"
                f" {m:%H:%M:%S} {words.JS_UTC}")

    return gen


def _word(c: FakeContext) -> str:
    """Like faker.js random.word: one token of a random entry of a random word list."""
    return c.rng.choice(c.rng.choice(c.rng.choice(words.WORD_POOLS)).split())


def _phrase(c: FakeContext) -> str:
    text = re.sub(r"\{(\w+)\}", lambda m: c.rng.choice(words.HACKER[m.group(1)]), c.rng.choice(words.PHRASES))
    return text[0].upper() + text[1:]


def _image(topic: str = "") -> Gen:
    url = "http://placeimg.com/640/480" + (f"/{topic}" if topic else "")
    return lambda c: url  # faker.js 5 image URLs have no random part


def _avatar(c: FakeContext) -> str:
    if c.rng.random() < 0.5:
        return f"{words.AVATAR_IPFS}/avatar/{c.rng.randint(0, 1249)}.jpg"
    return f"https://avatars.githubusercontent.com/u/{c.rng.randint(0, 100_000_000)}"


def _data_uri(c: FakeContext) -> str:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" version="1.1" baseProfile="full" width="640"'
           f' height="480"><rect width="100%" height="100%" fill="{c.faker.hex_color()}"/>'
           '<text x="320" y="240" font-size="20" alignment-baseline="middle" text-anchor="middle"'
           ' fill="white">640x480</text></svg>')
    return "data:image/svg+xml;charset=UTF-8," + quote(svg, safe="!'()*-._~")  # encodeURIComponent


def _file_name(c: FakeContext, ext: str) -> str:
    return "_".join(c.faker.words(c.rng.randint(1, 3))).lower() + "." + ext


def _company_word(attr: str, index: int) -> Gen:
    """One word of Faker's en_US company word lists (``bsWords``, ``catch_phrase_words``)."""

    def gen(c: FakeContext) -> str:
        from faker.providers.company.en_US import Provider

        return str(c.faker.random_element(getattr(Provider, attr)[index]))

    return gen


def _lorem(c: FakeContext, n: int) -> list[str]:
    """``n`` Latin lorem-ipsum words (faker.js's lorem is Latin; Faker's en_US lorem is English)."""
    from faker.providers.lorem.la import Provider

    return c.faker.words(n, ext_word_list=cast(list[str], Provider.word_list))  # a tuple: Faker reads any sequence


def _sentence(c: FakeContext) -> str:
    words = _lorem(c, c.rng.randint(3, 10))
    return " ".join(words).capitalize() + "."


def _sentences(c: FakeContext, count: int | None = None, sep: str = " ") -> str:
    n = c.rng.randint(2, 6) if count is None else count
    return sep.join(_sentence(c) for _ in range(n))


def _paragraph(c: FakeContext) -> str:
    return _sentences(c, c.rng.randint(3, 6))


# --- the table, in spec §2.2 order -------------------------------------------------------------

_E = Dynamic
_ENTRIES: tuple[Dynamic, ...] = (
    # common
    _E("$guid", "A v4 UUID", "611c2e81-2ccb-42d8-9ddc-2d0bfa65c1b4", _uuid4),
    _E("$timestamp", "The current Unix time in seconds (rounded)", "1767323046", _timestamp),
    _E("$isoTimestamp", "The current time, ISO-8601 UTC with ms", "2026-01-02T03:04:05.678Z",
       lambda c: f"{c.now():%Y-%m-%dT%H:%M:%S.%f}"[:23] + "Z"),
    _E("$randomUUID", "A random UUID", "6929bb52-3ab2-448a-9796-d6480ecad36b", _uuid4),
    _E("$randomInt", "A random integer from 0 to 1000", "472",
       lambda c: str(c.rng.randint(0, 1000))),
    # text, numbers, colours
    _E("$randomAlphaNumeric", "One lowercase letter or digit", "w",
       _pick(string.ascii_lowercase + string.digits)),
    _E("$randomBoolean", "true or false", "true", _pick(("true", "false"))),
    _E("$randomColor", "A colour name", "olive", _fk("safe_color_name")),
    _E("$randomHexColor", "A hex colour, #rrggbb", "#47594a", _fk("hex_color")),
    _E("$randomAbbreviation", "A tech abbreviation", "SQL", _pick(words.ABBREVIATIONS)),
    _E("$randomWord", "A random word", "transmitter", _word),
    _E("$randomWords", "Two to five random words", "portal bypass Wooden",
       lambda c: " ".join(_word(c) for _ in range(c.rng.randint(2, 5)))),
    _E("$randomAdjective", "A tech adjective", "auxiliary", _pick(words.HACKER_ADJECTIVES)),
    _E("$randomNoun", "A tech noun", "bus", _pick(words.HACKER_NOUNS)),
    _E("$randomVerb", "A tech verb", "parse", _pick(words.HACKER_VERBS)),
    _E("$randomIngverb", "A tech verb ending in -ing", "synthesizing", _pick(words.HACKER_INGVERBS)),
    _E("$randomPhrase", "A hacker phrase", "We need to bypass the neural SQL array!", _phrase),
    # internet
    _E("$randomIP", "An IPv4 address", "147.236.215.88", _fk("ipv4")),
    _E("$randomIPV6", "An IPv6 address", "dbe2:7ae6:119b:c161:1560:6dda:3a9b:90a9", _fk("ipv6")),
    _E("$randomMACAddress", "A MAC address", "33:d4:68:5f:b4:c7", _fk("mac_address")),
    _E("$randomPassword", "A 15-character alphanumeric password", "t9iXe7COoDKv8k3",
       lambda c: "".join(c.rng.choices(string.ascii_letters + string.digits, k=15))),
    _E("$randomLocale", "A two-letter ISO 639-1 language code", "sr", _pick(words.LOCALES)),
    _E("$randomUserAgent", "A browser user agent", "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/532.2"
       " (KHTML, like Gecko) Chrome/48.0.877.0 Safari/532.2", _fk("user_agent")),
    _E("$randomProtocol", "http or https", "https", _pick(("http", "https"))),
    _E("$randomSemver", "A semantic version of three digits", "7.0.5",
       lambda c: ".".join(str(c.rng.randint(0, 9)) for _ in range(3))),
    _E("$randomEmail", "An email address", "aaron89@gmail.com", _fk("email", safe=False)),
    _E("$randomExampleEmail", "An email address at example.com, .net or .org",
       "kelly22@example.net", _fk("safe_email")),
    _E("$randomUserName", "A user name", "twilson", _fk("user_name")),
    _E("$randomUrl", "A URL", "http://www.bush-gregory.net/", _fk("url")),
    _E("$randomDomainName", "A domain name", "johnston.com", _fk("domain_name")),
    _E("$randomDomainSuffix", "A domain suffix (com, net, ...)", "org", _fk("tld")),
    _E("$randomDomainWord", "A domain label without dots", "vargas-vasquez", _fk("domain_word")),
    # names and jobs
    _E("$randomFirstName", "A first name", "Ethan", _fk("first_name")),
    _E("$randomLastName", "A last name", "Schaefer", _fk("last_name")),
    _E("$randomFullName", "A first and a last name", "Connie Runolfsdottir",
       lambda c: f"{c.faker.first_name()} {c.faker.last_name()}"),
    _E("$randomNamePrefix", "A name prefix (Mr., Mrs., Ms., Miss or Dr.)", "Dr.",
       lambda c: c.rng.choice((c.faker.prefix_male, c.faker.prefix_female))()),
    _E("$randomNameSuffix", "A name suffix (Jr., PhD, ...)", "MD", _fk("suffix")),
    _E("$randomJobTitle", "A job title", "Global Creative Planner",
       lambda c: " ".join(c.rng.choice(w) for w in (words.JOB_DESCRIPTORS, words.JOB_AREAS, words.JOB_TYPES))),
    _E("$randomJobDescriptor", "A job-title descriptor", "Corporate", _pick(words.JOB_DESCRIPTORS)),
    _E("$randomJobArea", "A job area", "Mobility", _pick(words.JOB_AREAS)),
    _E("$randomJobType", "A job type", "Coordinator", _pick(words.JOB_TYPES)),
    # phone, address, location
    _E("$randomPhoneNumber", "A phone number, ###-###-####", "700-846-4529", _phone),
    _E("$randomPhoneNumberExt", "A phone number after a 2-digit prefix", "27-599-983-3864",
       lambda c: f"{c.rng.randint(10, 99)}-{_phone(c)}"),
    _E("$randomCity", "A city", "Spinkahaven", _fk("city")),
    _E("$randomStreetName", "A street name", "Kuhic Island", _fk("street_name")),
    _E("$randomStreetAddress", "A building number and street", "5742 Harvey Streets",
       lambda c: f"{c.faker.building_number()} {c.faker.street_name()}"),
    _E("$randomCountry", "A country", "Lao People's Democratic Republic", _fk("country")),
    _E("$randomCountryCode", "An ISO 3166-1 alpha-2 country code", "CV", _fk("country_code")),
    _E("$randomLatitude", "A latitude, -90 to 90, four decimals", "55.2099", _coordinate(90)),
    _E("$randomLongitude", "A longitude, -180 to 180, four decimals", "40.6609", _coordinate(180)),
    # images
    _E("$randomAvatarImage", "An avatar image URL", "https://avatars.githubusercontent.com/u/37126",
       _avatar),
    _E("$randomImageUrl", "An image URL", "http://placeimg.com/640/480", _image()),
    *(_E(f"$random{topic.capitalize()}Image", f"An image URL on the topic {topic}",
         f"http://placeimg.com/640/480/{topic}", _image(topic))
      for topic in ("abstract", "animals", "business", "cats", "city", "food", "nightlife",
                    "fashion", "people", "nature", "sports", "transport")),
    _E("$randomImageDataUri", "An SVG image as a data URI",
       "data:image/svg+xml;charset=UTF-8,%3Csvg%20xmlns%3D%22http...", _data_uri),
    # finance
    _E("$randomBankAccount", "An 8-digit bank account number", "09454073", lambda c: _digits(c, 8)),
    _E("$randomBankAccountName", "A bank account name", "Home Loan Account",
       lambda c: c.rng.choice(words.ACCOUNT_TYPES) + " Account"),
    _E("$randomCreditCardMask", "The last 4 digits of a card", "3622", lambda c: _digits(c, 4)),
    _E("$randomBankAccountBic", "A BIC (SWIFT) code", "EZIAGBJ1", _fk("swift")),
    _E("$randomBankAccountIban", "An IBAN", "GB70DOFV32166848475135", _fk("iban")),
    _E("$randomTransactionType", "A transaction type", "invoice", _pick(words.TRANSACTION_TYPES)),
    _E("$randomCurrencyCode", "An ISO 4217 currency code", "CDF", _fk("currency_code")),
    _E("$randomCurrencyName", "A currency name", "CFP franc", _fk("currency_name")),
    _E("$randomCurrencySymbol", "A currency symbol", "£", _fk("currency_symbol")),
    _E("$randomBitcoin", "A bitcoin address", "3VB8JGT7Y4Z63U68KGGKDXMLLH5",
       lambda c: c.rng.choice("13") + "".join(c.rng.choices(words.BASE58, k=c.rng.randint(24, 33)))),
    _E("$randomPrice", "A price from 0.00 to 1000.00", "531.55",
       lambda c: f"{c.rng.randint(0, 100_000) / 100:.2f}"),
    # business
    _E("$randomCompanyName", "A company name", "Carter LLC", _fk("company")),
    _E("$randomCompanySuffix", "A company suffix (Inc, LLC, ...)", "LLC", _fk("company_suffix")),
    _E("$randomBs", "A business-speak phrase", "reinvent B2C eyeballs", _fk("bs")),
    _E("$randomBsAdjective", "A business-speak adjective", "viral", _company_word("bsWords", 1)),
    _E("$randomBsBuzz", "A business-speak verb", "strategize", _company_word("bsWords", 0)),
    _E("$randomBsNoun", "A business-speak noun", "e-markets", _company_word("bsWords", 2)),
    _E("$randomCatchPhrase", "A catch phrase", "Synergistic neutral synergy", _fk("catch_phrase")),
    _E("$randomCatchPhraseAdjective", "A catch-phrase adjective", "Self-enabling",
       _company_word("catch_phrase_words", 0)),
    _E("$randomCatchPhraseDescriptor", "A catch-phrase descriptor", "bandwidth-monitored",
       _company_word("catch_phrase_words", 1)),
    _E("$randomCatchPhraseNoun", "A catch-phrase noun", "Graphical User Interface",
       _company_word("catch_phrase_words", 2)),
    # database
    _E("$randomDatabaseColumn", "A database column name", "updatedAt", _pick(words.DB_COLUMNS)),
    _E("$randomDatabaseType", "A database column type", "tinyint", _pick(words.DB_TYPES)),
    _E("$randomDatabaseCollation", "A database collation", "utf8_bin", _pick(words.DB_COLLATIONS)),
    _E("$randomDatabaseEngine", "A database engine", "InnoDB", _pick(words.DB_ENGINES)),
    # dates
    _E("$randomDateFuture", "A date in the next year", f"Tue Jun 09 2026 10:11:12 {words.JS_UTC}",
       _date(1, 365 * words.DAY_MS)),
    _E("$randomDatePast", "A date in the last year", f"Sun Mar 02 2025 09:09:26 {words.JS_UTC}",
       _date(-1, 365 * words.DAY_MS)),
    _E("$randomDateRecent", "A date in the last day", f"Fri Jan 02 2026 01:12:37 {words.JS_UTC}",
       _date(-1, words.DAY_MS)),
    _E("$randomWeekday", "A weekday name", "Thursday", _fk("day_of_week")),
    _E("$randomMonth", "A month name", "February", _fk("month_name")),
    # files
    _E("$randomFileName", "A file name", "neural_gloves.json",
       lambda c: _file_name(c, c.faker.file_extension())),
    _E("$randomFileType", "A MIME top-level type", "video",
       lambda c: c.faker.mime_type().partition("/")[0]),
    _E("$randomFileExt", "A file extension", "odp", _fk("file_extension")),
    _E("$randomCommonFileName", "A file name with a common extension", "woman.mp4",
       lambda c: _file_name(c, c.rng.choice(words.COMMON_FILE_EXTS))),
    _E("$randomCommonFileType", "A common MIME top-level type", "audio", _pick(words.COMMON_FILE_TYPES)),
    _E("$randomCommonFileExt", "A common file extension", "pdf", _pick(words.COMMON_FILE_EXTS)),
    _E("$randomFilePath", "A directory path and file name", "/usr/share/mobile_usb.json",
       lambda c: c.rng.choice(words.DIRECTORY_PATHS) + "/" + _file_name(c, c.faker.file_extension())),
    _E("$randomDirectoryPath", "A Unix directory path", "/usr/local/bin", _pick(words.DIRECTORY_PATHS)),
    _E("$randomMimeType", "A MIME type", "audio/mpeg", _fk("mime_type")),
    # commerce
    _E("$randomProduct", "A product", "Towels", _pick(words.PRODUCTS)),
    _E("$randomProductAdjective", "A product adjective", "Refined", _pick(words.PRODUCT_ADJECTIVES)),
    _E("$randomProductMaterial", "A product material", "Cotton", _pick(words.PRODUCT_MATERIALS)),
    _E("$randomProductName", "A product name", "Handmade Concrete Tuna", lambda c: " ".join(
        c.rng.choice(w) for w in (words.PRODUCT_ADJECTIVES, words.PRODUCT_MATERIALS, words.PRODUCTS))),
    _E("$randomDepartment", "A store department", "Tools", _pick(words.DEPARTMENTS)),
    # lorem
    _E("$randomLoremWord", "A lorem ipsum word", "est", lambda c: _lorem(c, 1)[0]),
    _E("$randomLoremWords", "Three lorem ipsum words", "vel repellat nobis",
       lambda c: " ".join(_lorem(c, 3))),
    _E("$randomLoremSentence", "A lorem ipsum sentence", "Molestias et dolor quis.", _sentence),
    _E("$randomLoremSentences", "Two to six lorem ipsum sentences",
       "Et sint voluptas. Quia ut quo.", _sentences),
    _E("$randomLoremParagraph", "A lorem ipsum paragraph of 3 to 6 sentences",
       "Ut a et. Quia neque illo. Sed aut dolore.", _paragraph),
    _E("$randomLoremParagraphs", "Three lorem ipsum paragraphs, joined by LF, space, CR",
       "Ut a et. Quia neque illo. Sed aut.\n \rNihil est qui. Sint et. Aut quo.\n \rQui"
       " fugit. Et rem. Aut ut ea.",
       lambda c: "\n \r".join(_paragraph(c) for _ in range(3))),
    # $randomLoremText, like faker.js's lorem.text, is the value of a random lorem generator.
    _E("$randomLoremText", "Lorem ipsum text of a random kind, a word to paragraphs",
       "Quisquam asperiores exercitationem ut.",
       lambda c: DYNAMIC["$randomLorem" + c.rng.choice(_LOREM_TEXT_KINDS)].generate(c)),
    _E("$randomLoremLines", "One to five lorem ipsum sentences, one per line",
       "Tempora aut.\nEt eaque qui.", lambda c: _sentences(c, c.rng.randint(1, 5), "\n")),
    _E("$randomLoremSlug", "Three lorem ipsum words joined by hyphens", "eos-aperiam-accusamus",
       lambda c: "-".join(_lorem(c, 3))),
)

DYNAMIC: Mapping[str, Dynamic] = MappingProxyType({e.name: e for e in _ENTRIES})
"""Every dynamic variable by name (with its ``$``), read-only."""

MULTILINE = frozenset({"$randomLoremLines", "$randomLoremParagraphs", "$randomLoremText"})
"""The only names whose values may contain line breaks (see the module docstring)."""

_LOREM_TEXT_KINDS: tuple[str, ...] = ("Word", "Words", "Sentence", "Sentences", "Paragraph", "Paragraphs", "Lines")
_BY_LOWER: dict[str, str] = {name.lower(): name for name in DYNAMIC}
_LONGEST = max(map(len, _BY_LOWER))


def generate(name: str, ctx: FakeContext) -> str | None:
    """A fresh value for the dynamic variable ``name`` (e.g. ``"$randomInt"``); None if unknown."""
    entry = DYNAMIC.get(name)
    return None if entry is None else entry.generate(ctx)


@functools.lru_cache(maxsize=2048)
def suggest(name: str) -> str | None:
    """The known name closest to ``name`` ("did you mean"), ignoring case; None if none is close.

    A missing leading ``$`` is tolerated, and a known name suggests itself. Memoised (a large
    collection repeats its misspellings); a name over 1.5 times the longest known one is not
    compared (difflib's ratio 2M/(a+b) cannot then reach the 0.8 cutoff).
    """
    key = name.strip().lower()
    if len(key) * 2 > (_LONGEST + 1) * 3:
        return None
    if not key.startswith("$"):
        key = "$" + key
    if key in _BY_LOWER:
        return _BY_LOWER[key]
    close = difflib.get_close_matches(key, list(_BY_LOWER), n=1, cutoff=0.8)
    return _BY_LOWER[close[0]] if close else None
