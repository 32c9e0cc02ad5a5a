"""The Python API: types, errors, equality/hash/order, reprs, str vs bytes,
languages, unknown codes and bad input."""
from __future__ import annotations

import copy
import inspect
import pickle
import random

import pytest

import smtpcodes
from smtpcodes import Code, Comparison, Explanation, ParseError, Reply

CODE_FIELDS = [
    "code", "kind", "title", "description", "when", "fix", "references", "commands", "basic_codes",
    "related", "digits", "class_name", "category_name", "is_success", "is_intermediate", "is_transient",
    "is_permanent", "standard", "vendor", "deprecated", "known", "lang",
]


# ---- module surface -------------------------------------------------------

def test_all_and_versions() -> None:
    for name in smtpcodes.__all__:
        assert hasattr(smtpcodes, name), name
    assert smtpcodes.__version__ == "0.1.0"
    assert isinstance(smtpcodes.DATA_VERSION, str) and smtpcodes.DATA_VERSION
    assert smtpcodes.languages() == ("en", "es")
    assert issubclass(ParseError, ValueError)
    assert ParseError.__module__ == "smtpcodes"
    for name in ("classify", "classify_many", "Classification", "reasons", "reason_info"):
        assert name in smtpcodes.__all__, name


@pytest.mark.parametrize("name", ["lookup", "parse", "explain", "compare", "codes", "search", "replies_for",
                                  "is_valid_reply", "languages", "table", "classify", "classify_many",
                                  "reasons", "reason_info"])
def test_functions_have_signature_and_doc(name: str) -> None:
    fn = getattr(smtpcodes, name)
    assert fn.__text_signature__, name
    inspect.signature(fn)
    assert len(fn.__doc__.strip()) > 40


def test_signatures() -> None:
    assert str(inspect.signature(smtpcodes.lookup)) == "(code, /, *, lang='en')"
    assert str(inspect.signature(smtpcodes.parse)) == "(reply, /, *, strict=False)"
    assert str(inspect.signature(smtpcodes.compare)) == "(a, b, /, *, lang='en')"
    assert str(inspect.signature(smtpcodes.codes)) == "(kind=None)"
    assert str(inspect.signature(smtpcodes.table)) == "(kind=None, *, lang='en')"
    assert str(inspect.signature(Code)) == "(code, lang='en')"
    for cls in (Code, Reply, Explanation, Comparison):
        assert cls.__doc__
        for meth in ("to_dict", "_repr_html_", "_repr_markdown_"):
            assert getattr(cls, meth).__text_signature__ == "($self, /)"


# ---- Code -------------------------------------------------------------------

def test_code_fields_basic() -> None:
    c = smtpcodes.lookup(550)
    assert isinstance(c, Code)
    assert c.code == 550 and c.kind == "basic" and c.digits == (5, 5, 0)
    assert c.is_permanent and not (c.is_success or c.is_intermediate or c.is_transient)
    assert c.standard and c.known and not c.deprecated and c.vendor is None and c.lang == "en"
    assert "RCPT" in c.commands and c.basic_codes == ()
    assert all(isinstance(r, str) for r in c.references) and c.references
    assert 450 in c.related and "5.1.1" in c.related
    assert all(isinstance(r, Code) for r in c.related)
    for f in ("title", "description", "when", "fix", "class_name", "category_name"):
        assert isinstance(getattr(c, f), str) and getattr(c, f), f
    assert c.class_name == "Permanent Negative Completion"


def test_code_fields_enhanced() -> None:
    c = smtpcodes.lookup("5.1.1")
    assert c.code == "5.1.1" and c.kind == "enhanced" and c.digits == (5, 1, 1)
    assert c.commands == () and 550 in c.basic_codes
    assert c.is_permanent and c.permanence == "permanent"
    x = smtpcodes.lookup("X.1.1")
    assert x.digits == (0, 1, 1) and x.permanence == "unknown"
    assert not (x.is_success or x.is_transient or x.is_permanent)
    assert smtpcodes.lookup("4.2.2").is_transient
    assert smtpcodes.lookup(354).is_intermediate
    assert smtpcodes.lookup("2.0.0").is_success


def test_code_vendor_and_alt() -> None:
    r = smtpcodes.lookup("5.7.606-649")
    assert r.vendor == "Microsoft 365" and not r.standard and r.code == "5.7.606-649"
    assert smtpcodes.lookup("5.7.620").vendor == "Microsoft 365"
    shared = smtpcodes.lookup("5.1.10")
    assert shared.standard and shared.vendor is None
    assert shared.alt is not None and shared.alt.vendor == "Microsoft 365"
    assert "Microsoft 365" in smtpcodes.explain(shared).text
    assert smtpcodes.lookup(550).alt is None


def test_code_is_immutable() -> None:
    c = smtpcodes.lookup(550)
    with pytest.raises(AttributeError):
        c.code = 551  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c.anything = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        class Sub(Code):  # type: ignore[misc]
            pass
    with pytest.raises(TypeError):
        Reply()  # type: ignore[call-arg]


def test_lookup_is_cached() -> None:
    assert smtpcodes.lookup(550) is smtpcodes.lookup(550)
    assert smtpcodes.lookup("550") is smtpcodes.lookup(550)
    assert smtpcodes.lookup(" 5.1.1 ") is smtpcodes.lookup("5.1.1")
    assert smtpcodes.lookup("x.7.1") is smtpcodes.lookup("X.7.1")
    assert smtpcodes.lookup(550, lang="es") is smtpcodes.lookup(550, lang="es")
    assert Code(550) is smtpcodes.lookup(550)
    assert Code("5.1.1", "es") is smtpcodes.lookup("5.1.1", lang="es")
    assert smtpcodes.lookup(smtpcodes.lookup(550)) is smtpcodes.lookup(550)
    assert smtpcodes.lookup(smtpcodes.lookup(550), lang="es") is smtpcodes.lookup(550, lang="es")
    assert smtpcodes.codes()[0] is smtpcodes.codes()[0]
    assert smtpcodes.parse("550 5.1.1 x").status_code is smtpcodes.lookup("5.1.1")


def test_equality_hash_order() -> None:
    c550, c5 = smtpcodes.lookup(550), smtpcodes.lookup("5.1.1")
    assert c550 == 550 and 550 == c550 and c550 != 551
    assert hash(c550) == hash(550)
    assert c5 == "5.1.1" and "5.1.1" == c5 and c5 != "5.1.2"
    assert hash(c5) == hash("5.1.1")
    assert c550 == "550" and "550" == c550 and c5 != 511  # every kind equals its text (issue 14)
    assert c550 == smtpcodes.lookup(550, lang="es")
    assert {c550: 1}[550] == 1 and {"5.1.1": 2}[c5] == 2
    assert 550 in {c550} and c550 in {550}
    assert smtpcodes.lookup(450) < c550 < 551 and c550 <= 550 and c550 >= 550 and c550 > 549
    assert c550 < c5  # basic before enhanced
    assert smtpcodes.lookup("4.9.9") < c5 < smtpcodes.lookup("5.1.10") < smtpcodes.lookup("5.2.1")
    with pytest.raises(TypeError):
        c5 < "5.1.2"  # noqa: B015 - no order against text
    with pytest.raises(TypeError):
        c550 < 1.5  # noqa: B015
    everything = smtpcodes.codes()
    assert sorted(everything) == everything
    assert sorted(reversed(everything)) == everything
    assert len(set(everything)) == len(everything)
    assert c550 != None  # noqa: E711


def test_pickle_and_copy() -> None:
    for c in (smtpcodes.lookup(550), smtpcodes.lookup("5.1.1", lang="es"), smtpcodes.lookup("5.7.606-649")):
        assert pickle.loads(pickle.dumps(c)) is c
        assert copy.copy(c) is c and copy.deepcopy(c) is c


def test_unknown_codes() -> None:
    c = smtpcodes.lookup(259)
    assert not c.known and c.code == 259 and c.title and c.class_name and c.is_success
    assert c.references == () and c.related == () and c.commands == () and not c.standard
    e = smtpcodes.lookup("5.9.123")
    assert not e.known and e.is_permanent and e.title
    assert "unknown" in repr(e) and "unknown" in repr(c)
    assert smtpcodes.lookup("5.9.123") == "5.9.123"
    assert "not in the knowledge base" in smtpcodes.explain(259).text
    assert smtpcodes.compare(259, "5.9.123").differences


def test_codes_and_table() -> None:
    basic, enhanced = smtpcodes.codes("basic"), smtpcodes.codes(kind="enhanced")
    assert basic and enhanced and all(c.kind == "basic" for c in basic)
    assert all(c.kind == "enhanced" for c in enhanced)
    assert smtpcodes.codes() == basic + enhanced
    assert all(c.known for c in smtpcodes.codes())
    with pytest.raises(ValueError):
        smtpcodes.codes("weird")
    with pytest.raises(TypeError):
        smtpcodes.codes(5)  # type: ignore[arg-type]
    rows = smtpcodes.table()
    assert len(rows) == len(smtpcodes.codes())
    assert list(rows[0]) == CODE_FIELDS + ["classes", "codes"]
    assert all(isinstance(r["references"], list) and isinstance(r["digits"], list) for r in rows)
    # one type per column (issue 14): code and related as str
    for r, c in zip(rows, smtpcodes.codes()):
        assert r == {**c.to_dict(), "code": str(c.code) if c.kind == "basic" else r["code"],
                     "related": r["related"], "classes": r["classes"], "codes": r["codes"]}
        assert isinstance(r["code"], str) and all(isinstance(x, str) for x in r["related"])
    es = smtpcodes.table("basic", lang="es")
    assert len(es) == len(basic) and es[0]["lang"] == "es"
    row = next(r for r in rows if r["code"] == "550")
    assert "450" in row["related"] and "5.1.1" in row["related"]
    assert row["codes"] == ["550"] and row["classes"] == [5]


def test_to_dict_is_json_ready() -> None:
    import json

    for obj in (smtpcodes.lookup(550), smtpcodes.parse("550 5.1.1 x"), smtpcodes.explain(550),
                smtpcodes.compare(450, 550)):
        d = obj.to_dict()
        assert isinstance(d, dict)
        json.dumps(d)
    d = smtpcodes.lookup("5.1.1").to_dict()
    assert d["code"] == "5.1.1" and d["digits"] == [5, 1, 1] and isinstance(d["basic_codes"], list)
    cmp = smtpcodes.compare(450, 550).to_dict()
    assert cmp["a"]["code"] == 450 and isinstance(cmp["differences"][0], list)


# ---- search, commands ---------------------------------------------------------

def test_search() -> None:
    found = smtpcodes.search("mailbox full")
    assert found and all(isinstance(c, Code) for c in found)
    assert "X.2.2" in found
    assert smtpcodes.search("550")[0] == 550
    assert smtpcodes.search("buzon lleno", lang="es")[0].lang == "es"
    assert smtpcodes.search("zzzzqqq") == []
    with pytest.raises(ValueError):
        smtpcodes.search("mailbox", lang="fr")
    with pytest.raises(TypeError):
        smtpcodes.search(550)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        smtpcodes.search("   ")


def test_replies_for_and_is_valid_reply() -> None:
    rcpt = smtpcodes.replies_for("RCPT")
    assert isinstance(rcpt, tuple) and 550 in rcpt and 250 in rcpt and list(rcpt) == sorted(rcpt)
    assert smtpcodes.replies_for("MAIL FROM:<a@example.org>") == smtpcodes.replies_for("mail")
    with pytest.raises(ValueError, match="unknown SMTP command: 'FROB'"):
        smtpcodes.replies_for("FROB")
    with pytest.raises(ValueError):
        smtpcodes.replies_for("")
    with pytest.raises(TypeError):
        smtpcodes.replies_for(5)  # type: ignore[arg-type]
    assert smtpcodes.is_valid_reply("RCPT", 550) is True
    assert smtpcodes.is_valid_reply("RCPT", "5.1.1") is True
    assert smtpcodes.is_valid_reply("HELO", 354) is False
    assert smtpcodes.is_valid_reply("DATA", smtpcodes.lookup(354)) is True
    with pytest.raises(ValueError):
        smtpcodes.is_valid_reply("FROB", 550)
    with pytest.raises(ParseError):
        smtpcodes.is_valid_reply("RCPT", "55")
    with pytest.raises(TypeError):
        smtpcodes.is_valid_reply("RCPT")  # type: ignore[call-arg]


# ---- errors -----------------------------------------------------------------------

@pytest.mark.parametrize("bad", [None, 5.5, b"550", [550], True])
def test_lookup_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError):
        smtpcodes.lookup(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [123, None, 5.5, ["550 x"]])
def test_parse_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError):
        smtpcodes.parse(bad)  # type: ignore[arg-type]


def test_explain_compare_wrong_type() -> None:
    with pytest.raises(TypeError):
        smtpcodes.explain(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.explain(5.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.compare(550, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.compare(550)  # type: ignore[call-arg]


def test_argument_errors() -> None:
    with pytest.raises(TypeError, match="unexpected keyword"):
        smtpcodes.lookup(550, language="es")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.lookup(code=550)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.lookup(550, "es")  # type: ignore[misc]
    with pytest.raises(TypeError):
        smtpcodes.lookup()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.lookup(550, lang=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.codes("basic", kind="basic")  # type: ignore[misc]


@pytest.mark.parametrize("lang", ["fr", "", "english", "e"])
def test_unknown_language(lang: str) -> None:
    for call in (lambda: smtpcodes.lookup(550, lang=lang), lambda: smtpcodes.explain(550, lang=lang),
                 lambda: smtpcodes.compare(450, 550, lang=lang), lambda: smtpcodes.table(lang=lang)):
        with pytest.raises(ValueError) as info:
            call()
        assert not isinstance(info.value, ParseError)
        assert repr(lang) in str(info.value)


def test_language_tags_accepted() -> None:
    assert smtpcodes.lookup(550, lang="ES").lang == "es"
    assert smtpcodes.lookup(550, lang="es-ES").lang == "es"
    assert smtpcodes.lookup(550, lang="en_US").lang == "en"


@pytest.mark.parametrize("bad", ["55", "abc", "", "   ", "999", "6.1.1", "5.01.1", 99, 1000, -550, 10**40,
                                 "5.7.606-650", "\udcff", "5" * 100_000])
def test_lookup_malformed(bad: object) -> None:
    with pytest.raises(ParseError) as info:
        smtpcodes.lookup(bad)  # type: ignore[arg-type]
    msg = str(info.value)
    assert repr(bad)[:50] in msg
    assert len(msg) < 200  # the quoted input is cut
    assert info.value.input is bad or info.value.input == bad
    assert info.value.reason in ("empty", "syntax", "range")


def test_parse_error_messages_quote_input() -> None:
    with pytest.raises(ParseError, match=r"'hello there'"):
        smtpcodes.parse("hello there")
    with pytest.raises(ParseError, match=r"b'\\xff\\xfe'"):
        smtpcodes.parse(b"\xff\xfe")
    with pytest.raises(ParseError) as info:
        smtpcodes.parse("550-a\r\n551 b", strict=True)
    assert info.value.reason == "mixed"
    with pytest.raises(ParseError) as info:
        smtpcodes.explain("just some words")
    assert "'just some words'" in str(info.value)


# ---- parse: str vs bytes, bad input ---------------------------------------------------

def test_parse_reply_fields() -> None:
    r = smtpcodes.parse("550-5.7.1 Message rejected\r\n550 5.7.1 See https://example.org\r\n")
    assert isinstance(r, Reply)
    assert r.code == 550 and r.enhanced == "5.7.1" and r.multiline
    assert r.lines == ("Message rejected", "See https://example.org")
    assert r.text == "Message rejected\nSee https://example.org"
    assert r.flags == ("multiline",) and r.permanence == "permanent"
    assert r.reply_code == 550 and r.status_code == "5.7.1"
    m = smtpcodes.parse("550 4.4.7 Message expired")
    assert m.permanence == "permanent" and "class-mismatch" in m.flags
    assert smtpcodes.parse("250 OK").permanence == "success"
    assert smtpcodes.parse("354 go").permanence == "intermediate"
    assert smtpcodes.parse("421 4.7.0 later").permanence == "temporary"
    assert smtpcodes.parse("#5.1.1 bounce").code is None


def test_parse_str_and_bytes() -> None:
    text = "550 5.1.1 Usuario desconocido: á"
    a, b = smtpcodes.parse(text), smtpcodes.parse(text.encode())
    assert a.to_dict() == b.to_dict() and a.lines == ("Usuario desconocido: á",)
    assert smtpcodes.parse(bytearray(b"250 OK")).code == 250
    assert smtpcodes.parse(memoryview(b"250 OK")).code == 250


def test_parse_not_utf8_bytes_are_kept() -> None:
    raw = b"550 Usuario desconocido \xe1\xe9"
    r = smtpcodes.parse(raw)
    assert "not-utf8" in r.flags
    # U+FFFD in every str (issue 14), the bytes in .raw
    assert r.lines[0] == "Usuario desconocido \ufffd\ufffd" and r.raw == raw
    # a str with lone surrogates (e.g. from surrogateescape) never raises
    s = raw.decode("utf-8", "surrogateescape")
    r2 = smtpcodes.parse(s)
    assert r2.lines == r.lines and "not-utf8" in r2.flags
    r3 = smtpcodes.parse("550 odd \ud800 text")
    assert r3.code == 550 and "not-utf8" in r3.flags
    # and the renderings are clean UTF-8
    for obj in (r, r2, r3):
        for s in (smtpcodes.explain(obj).text, obj._repr_html_(), obj._repr_markdown_()):
            s.encode("utf-8")


def test_parse_bad_input() -> None:
    for empty in ("", b"", "   ", "\r\n\r\n"):
        with pytest.raises(ParseError) as info:
            smtpcodes.parse(empty)
        assert info.value.reason == "empty"
    long_line = "550 5.1.1 " + "x" * 100_000
    r = smtpcodes.parse(long_line)
    assert r.code == 550 and "long-line" in r.flags and len(r.text) == 100_000
    assert smtpcodes.explain(long_line).text
    with pytest.raises(ParseError):
        smtpcodes.parse("x" * 100_000)
    nul = smtpcodes.parse(b"550 User\0unknown")
    assert "control-chars" in nul.flags and nul.lines == ("User\0unknown",)
    assert "\0" not in smtpcodes.explain(nul).text
    many = "\n".join(["250-line"] * 100 + ["250 end"])
    r = smtpcodes.parse(many)
    assert "truncated" in r.flags and len(r.lines) == 32


def test_random_bytes_never_crash() -> None:
    rng = random.Random(1234)
    alphabet = b"0123455 .-\r\n\t\0\xff\xc3\xa1#()5.1.1X"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        for strict in (False, True):
            try:
                r = smtpcodes.parse(data, strict=strict)
            except ParseError:
                continue
            assert r.permanence in ("success", "intermediate", "temporary", "permanent", "unknown")
            smtpcodes.explain(r).text.encode("utf-8")
        try:
            smtpcodes.explain(data)
        except ParseError:
            pass


# ---- explain ---------------------------------------------------------------------

def test_explain_inputs() -> None:
    by_int = smtpcodes.explain(550)
    assert isinstance(by_int, Explanation)
    assert by_int.text == smtpcodes.explain("550").text == smtpcodes.explain(smtpcodes.lookup(550)).text
    assert by_int.markdown.startswith("## 550")
    assert "Description" in by_int.text and "How to fix it" in by_int.text
    reply = smtpcodes.parse("550 5.1.1 <bob@example.org>: User unknown")
    assert smtpcodes.explain(reply).text == smtpcodes.explain("550 5.1.1 <bob@example.org>: User unknown").text
    assert smtpcodes.explain(b"550 5.1.1 User unknown").text.startswith("Reply: 550 5.1.1")
    log = "status=bounced (host x said: 552 5.2.2 Mailbox full (in reply to RCPT TO command))"
    assert "552" in smtpcodes.explain(log).text
    assert str(by_int) == by_int.text
    assert by_int.to_dict() == {"text": by_int.text, "markdown": by_int.markdown, "html": by_int.html}
    with pytest.raises(ParseError):
        smtpcodes.explain(999)


def test_explain_strict_reply_reuses_mode() -> None:
    r = smtpcodes.parse("550 5.1.1 x", strict=True)
    assert r.strict and smtpcodes.explain(r).text


# ---- compare ---------------------------------------------------------------------------

def test_compare() -> None:
    cmp = smtpcodes.compare(450, 550)
    assert isinstance(cmp, Comparison)
    assert cmp.a is smtpcodes.lookup(450) and cmp.b is smtpcodes.lookup(550)
    aspects = [d[0] for d in cmp.differences]
    assert "permanence" in aspects and "class" in aspects
    assert ("permanence", "temporary", "permanent") in cmp.differences
    assert all(len(d) == 3 for d in cmp.differences) and all(len(s) == 2 for s in cmp.similarities)
    assert len(cmp.differences) + len(cmp.similarities) == 8  # 7 aspects and the meaning (issue 13)
    assert cmp.counterparts and not cmp.identical
    assert cmp.summary and cmp.key_differences and cmp.when_to_use
    assert cmp.text.startswith("450 vs 550")
    assert cmp.markdown.startswith("## 450 vs 550")
    assert isinstance(cmp.differences, list)
    cmp.differences.clear()  # a copy: the object stays unchanged
    assert cmp.differences
    same = smtpcodes.compare("5.1.1", smtpcodes.lookup("5.1.1"))
    assert same.identical and same.differences == []
    mixed = smtpcodes.compare(550, "5.1.1")
    assert "kind" in [d[0] for d in mixed.differences]
    with pytest.raises(ParseError):
        smtpcodes.compare(550, "55")


def test_compare_211_252() -> None:
    text = smtpcodes.compare(211, 252).text
    assert text.startswith("211 vs 252")
    for heading in ("Description", "When you'll see it", "How to fix it", "Key differences", "When to use each"):
        assert heading in text


# ---- languages -------------------------------------------------------------------------

def test_spanish() -> None:
    es = smtpcodes.compare(211, 252, lang="es")
    for heading in ("Descripción", "Cuándo lo verás", "Cómo solucionarlo", "Diferencias clave",
                    "Cuándo usar cada uno"):
        assert heading in es.text, heading
    assert es.lang == "es" and es.a.lang == "es"
    assert es.differences[0][0] in ("categoría", "comandos", "clase", "tipo")
    c_es, c_en = smtpcodes.lookup(550, lang="es"), smtpcodes.lookup(550)
    assert c_es.lang == "es" and c_es.title != c_en.title
    assert c_es.class_name != c_en.class_name
    assert "Descripción" in smtpcodes.explain(550, lang="es").text
    assert "Respuesta" in smtpcodes.explain("550 5.1.1 x", lang="es").text
    assert all(c.lang == "es" for c in c_es.related)
    assert "Descripción" in c_es._repr_markdown_()


# ---- reprs -------------------------------------------------------------------------------

def test_reprs_and_str() -> None:
    c = smtpcodes.lookup(550)
    assert repr(c) == "<Code 550 'Requested action not taken: mailbox unavailable'>"
    assert str(c) == "550 Requested action not taken: mailbox unavailable"
    assert repr(smtpcodes.lookup("5.1.1")).startswith("<Code 5.1.1 '")
    assert "lang=es" in repr(smtpcodes.lookup(550, lang="es"))
    r = smtpcodes.parse("550 5.1.1 User unknown")
    assert repr(r) == "<Reply 550 5.1.1 permanent 'User unknown'>"
    assert str(r) == "550 5.1.1 User unknown"
    assert str(smtpcodes.parse("#5.1.1")) == "5.1.1"
    assert repr(smtpcodes.explain(550)).startswith("<Explanation '550 - ")
    cmp = smtpcodes.compare(450, 550)
    assert repr(cmp) == "<Comparison 450 vs 550: 5 difference(s)>"  # their titles (meanings) differ too
    assert str(cmp) == cmp.text
    assert len(repr(smtpcodes.parse("550 " + "y" * 5000))) < 200


def test_html_and_markdown_reprs() -> None:
    for obj in (smtpcodes.lookup(550), smtpcodes.lookup("5.1.10"), smtpcodes.lookup(259),
                smtpcodes.parse("550 5.1.1 x"), smtpcodes.explain(550), smtpcodes.compare(450, 550),
                smtpcodes.compare(211, 252, lang="es")):
        html = obj._repr_html_()
        md = obj._repr_markdown_()
        assert html.startswith('<section class="smtpcodes smtpcodes-') and html.endswith("</section>\n")
        assert html == obj.html and md == obj.markdown   # the core's renderings, as attributes too
        assert "<script" not in html and "**" not in html
        assert md.startswith("## ")
    assert "<table" in smtpcodes.compare(450, 550)._repr_html_()
    es = smtpcodes.compare(211, 252, lang="es")._repr_html_()
    assert "Descripción" in es and '<table class="smtpcodes-compare"' in es
    for heading in ("Diferencias clave", "Cuándo usar cada uno"):
        assert f">{heading}</h3>" in es
    assert "<em>Ambos:</em>" in es and 'lang="es"' in es


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<b>&amp;</b>", "a \"quoted\" 'x' <img src=x>"])
def test_html_is_escaped(payload: str) -> None:
    r = smtpcodes.parse("550 5.1.1 " + payload)
    assert r.text == payload
    for html in (r._repr_html_(), smtpcodes.explain(r)._repr_html_()):
        assert payload not in html
        assert "<script" not in html and "<img" not in html
        assert "&lt;" in html
    assert "<script>" not in smtpcodes.parse("550 <script>")._repr_html_()
