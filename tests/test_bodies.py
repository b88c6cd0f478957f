"""Request bodies compared as the example's body type says (spec §1.5): XML as XML (9.21), and
form-field differences named once per key (issue 12 item 10)."""

from __future__ import annotations

import pytest

from mockkit import MockOptions, MockRequest, load_collection
from mockkit.bodies import RequestBody, compare, xml_canonical
from mockkit.explaining import explain
from mockkit.matching import Index, rank

from builders import coll, ex, raw_text, urlencoded

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MULTIPLY = (f'<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="{SOAP_NS}">\n  <soap:Body>\n'
            '    <Multiply xmlns="http://example.org/calc">\n      <x>6</x>\n      <y>7</y>\n    </Multiply>\n'
            '  </soap:Body>\n</soap:Envelope>')
DIVIDE = MULTIPLY.replace("Multiply", "Divide")

XML_CASES = [
    # id, example body, request body, equal
    ("crlf-line-endings", MULTIPLY, MULTIPLY.replace("\n", "\r\n"), True),
    ("no-indentation", MULTIPLY,
     f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body><Multiply xmlns="http://example.org/calc"><x>6</x><y>7</y>'
     '</Multiply></soap:Body></soap:Envelope>', True),
    ("other-prefix-same-namespace", MULTIPLY, MULTIPLY.replace("soap:", "env:").replace("xmlns:soap", "xmlns:env"), True),
    ("no-xml-declaration", MULTIPLY, MULTIPLY.split("\n", 1)[1], True),
    ("attribute-order", '<cfg a="1" b="2"/>', '<cfg b="2" a="1"></cfg>', True),
    ("comments-ignored", "<order><id>4</id></order>", "<order><!-- from the app --><id>4</id></order>", True),
    ("other-operation", MULTIPLY, DIVIDE, False),
    ("other-value", "<order><id>4</id></order>", "<order><id>5</id></order>", False),
    ("other-namespace", MULTIPLY, MULTIPLY.replace("example.org/calc", "example.org/other"), False),
    ("attribute-value", '<cfg a="1"/>', '<cfg a="2"/>', False),
    ("request-not-xml-differs", "<order><id>4</id></order>", "<order><id>4</id>", False),
    ("request-not-xml-same-text", "<a>1</a>", "<a>1</a>", True),
    ("entity-bomb-is-not-parsed", "<a>x</a>",
     '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "xxxxxxxxxx"><!ENTITY f "&e;&e;&e;&e;">]><a>&f;</a>', False),
]


@pytest.mark.parametrize("ctype, language", [("text/xml; charset=utf-8", "xml"), ("application/soap+xml", "text")])
@pytest.mark.parametrize("saved, sent, equal", [pytest.param(*row[1:], id=row[0]) for row in XML_CASES])
def test_xml_bodies_compared_as_xml(ctype, language, saved, sent, equal):
    collection = coll(ex("/calc", name="E", method="POST", headers={"Content-Type": ctype},
                         body=raw_text(saved, language)))
    index = Index(load_collection(collection))
    request = MockRequest.from_target("POST", "/calc", headers={"Content-Type": "text/xml"}, body=sent)
    c = explain(rank(request, index, MockOptions(match_body=True))).candidates[0]
    assert c.kept == equal, c.reason
    if not equal:
        assert c.stage == "body" and c.reason


def test_soap_operation_picked_by_body():
    collection = coll(
        ex("/calculator.asmx", name="Multiply", method="POST", id="m", headers={"Content-Type": "text/xml"},
           body=raw_text(MULTIPLY, "xml")),
        ex("/calculator.asmx", name="Divide", method="POST", id="d", headers={"Content-Type": "text/xml"},
           body=raw_text(DIVIDE, "xml")),
    )
    index = Index(load_collection(collection))
    for body, name in [(MULTIPLY.replace("\n", "\r\n"), "Multiply"), (DIVIDE.replace("\n  ", ""), "Divide")]:
        ranking = rank(MockRequest.from_target("POST", "/calculator.asmx", body=body), index)  # body matching off
        assert ranking.winner.example.name == name  # the equal-body bonus decides (step 6.4)
        assert ranking.winner.body_points == 5


def test_xml_difference_is_located():
    form = load_collection(coll(ex("/o", method="POST", headers={"Content-Type": "application/xml"},
                                   body=raw_text("<order><id>4</id><qty>1</qty></order>", "xml"))))
    target = Index(form).targets[0]
    ok, why = compare(target.body, RequestBody(b"<order>\n <id>4</id>\n <qty>3</qty>\n</order>"))
    assert not ok
    assert "compared as XML" in why and "<qty>3" in why and "<qty>1" in why, why


@pytest.mark.parametrize("depth, parsed", [(200, True), (256, True), (257, False), (300_000, False)])
def test_deep_xml_is_bounded(depth, parsed):
    text = "<a>" * depth + "x" + "</a>" * depth
    assert (xml_canonical(text) is not None) == parsed  # too deep: compared as text, never a stall


def test_wide_xml_is_parsed():
    text = "<r>" + "<i>1</i>" * 100_000 + "</r>"
    canonical = xml_canonical(text)
    assert canonical is not None and canonical == xml_canonical(text.replace("<i>", "\r\n  <i>"))


def test_example_that_is_not_xml_compares_as_text():
    collection = coll(ex("/x", name="E", method="POST", headers={"Content-Type": "text/xml"},
                         body=raw_text("<not closed", "xml")))
    target = Index(load_collection(collection)).targets[0]
    assert target.body.kind == "text"


FORM_CASES = [
    # id, example fields, request body, words that must appear, words that must not
    ("changed-value-named-once", [("id", "7"), ("state", "open")], "id=7&state=closed",
     ["`state` is 'closed' in the request, 'open' in the example"], ["lacks", "adds"]),
    ("missing-and-extra", [("a", "1"), ("b", "2")], "a=1&c=3",
     ["the request lacks `b`", "the request adds `c`"], ["`a`"]),
    ("repeated-key-values-differ", [("tag", "x"), ("tag", "y")], "tag=x&tag=z",
     ["`tag` is ['x', 'z'] in the request, ['x', 'y'] in the example"], ["lacks", "adds"]),
    ("two-changed", [("lang", "en"), ("page", "1")], "lang=de&page=2",
     ["`lang` is 'de' in the request, 'en' in the example", "`page` is '2' in the request, '1' in the example"],
     ["lacks", "adds"]),
]


@pytest.mark.parametrize("fields, sent, present, absent", [pytest.param(*row[1:], id=row[0]) for row in FORM_CASES])
def test_form_field_differences_name_each_key_once(fields, sent, present, absent):
    collection = coll(ex("/f", name="E", method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
                         body=urlencoded(*fields)))
    ok, why = compare(Index(load_collection(collection)).targets[0].body, RequestBody(sent.encode()))
    assert not ok
    for word in present:
        assert word in why, why
    for word in absent:
        assert word not in why, why
