"""Results that travel (issue 14): every result type pickles, copies and crosses a
process boundary; Code is a number where it is one; table() filters by a concrete code;
bytes that are not UTF-8 never reach a str as a lone surrogate."""
from __future__ import annotations

import copy
import io
import json
import multiprocessing
import operator
import pathlib
import pickle
from typing import Any

import pytest

import smtpcodes

LATIN1 = b"550 5.1.1 M\xfcller unknown"


def _results() -> list[Any]:
    out: list[Any] = [
        smtpcodes.lookup(550), smtpcodes.lookup("5.1.1", lang="es"), smtpcodes.lookup("X.1.1"),
        smtpcodes.lookup(259), smtpcodes.lookup("5.9.123"),
        smtpcodes.parse("550-5.1.1 first\r\n550 5.1.1 second"), smtpcodes.parse(LATIN1),
        smtpcodes.parse("250 OK", strict=True),
        smtpcodes.explain(550), smtpcodes.explain("452 4.2.2 Mailbox full", lang="es"),
        smtpcodes.compare(450, 550), smtpcodes.compare("5.1.1", 550, lang="es"),
        smtpcodes.classify("452 4.2.2 The email account that you tried to reach is over quota"),
        smtpcodes.classify(LATIN1, lang="es"), smtpcodes.classify(bytearray(b"550 5.1.1 x")),
        *smtpcodes.classify_many(["550 5.1.1 User unknown", "", b"  "]),
    ]
    # the result types other engineers add, when they exist
    if hasattr(smtpcodes, "lookup_tag"):
        try:
            out.append(smtpcodes.lookup_tag("TSS04"))
        except KeyError:
            pass
    if hasattr(smtpcodes, "parse_log"):
        out.append(smtpcodes.parse_log("Jan  1 00:00:00 mx postfix/smtp[1]: ABC: to=<a@b.c>, relay=x[1.2.3.4]:25, "
                                       "dsn=5.1.1, status=bounced (host x said: 550 5.1.1 User unknown)"))
    eml = pathlib.Path(__file__).resolve().parents[1] / "vectors" / "bounces" / "postfix-userunknown.eml"
    if hasattr(smtpcodes, "parse_bounce") and eml.exists():
        out.append(smtpcodes.parse_bounce(eml.read_bytes()))
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a.to_dict() == b.to_dict() and getattr(a, "text", None) == getattr(b, "text", None)


@pytest.mark.parametrize("i", range(len(_results())))
def test_pickle_and_copy_round_trip(i: int) -> None:
    obj = _results()[i]
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert _same(pickle.loads(pickle.dumps(obj, protocol=proto)), obj)
    assert _same(copy.copy(obj), obj) and _same(copy.deepcopy(obj), obj)


def _classify_in_child(lines: list[str]) -> list[Any]:
    return smtpcodes.classify_many(lines)


def test_multiprocessing_returns_results() -> None:
    lines = ["550 5.1.1 User unknown", "", "452 4.2.2 Mailbox full", "421 try again later"]
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing shared
    with ctx.Pool(2) as pool:
        remote = pool.map(_classify_in_child, [lines, lines[::-1]])
        results = pool.map(smtpcodes.explain, [550, "5.1.1"])
    assert [c.to_dict() for c in remote[0]] == [c.to_dict() for c in smtpcodes.classify_many(lines)]
    assert [c.to_dict() for c in remote[1]] == [c.to_dict() for c in smtpcodes.classify_many(lines[::-1])]
    assert results[0].text == smtpcodes.explain(550).text


def test_classify_many_one_type_per_entry() -> None:
    out = smtpcodes.classify_many(["550 5.1.1 x", "", "   "])
    assert all(type(c) is smtpcodes.Classification for c in out)
    assert [c.reason for c in out] == ["userunknown", "error", "error"]
    assert [c.error for c in out][0] is None and out[1].error == "empty input: ''"
    json.dumps([c.to_dict() for c in out])  # every entry is a dict, JSON-ready
    assert out[1].raw == b"" and out[2].raw == b"   " and out[0].raw == b"550 5.1.1 x"
    assert "empty input" in out[1].text and "&#x27;" in out[1].html or "&#39;" in out[1].html


def test_code_int_index_format_and_text_equality() -> None:
    c, e = smtpcodes.lookup(550), smtpcodes.lookup("5.1.1")
    assert int(c) == 550 and operator.index(c) == 550 and hex(c) == "0x226"
    assert f"{c:>5}" == "  550" and f"{c:05d}" == "00550" and f"{c}" == str(c)
    assert f"{e:<7}|" == "5.1.1  |" and f"{e:>6}" == " 5.1.1"
    with pytest.raises(TypeError):
        int(e)
    with pytest.raises(TypeError):
        operator.index(e)
    assert c == "550" and "550" == c and c != "551" and c == 550
    assert e == "5.1.1" and smtpcodes.lookup("X.1.1") == "X.1.1" and smtpcodes.lookup(259) == "259"


def test_table_filters_by_a_concrete_code() -> None:
    rows = smtpcodes.table()
    assert {type(r["code"]) for r in rows} == {str}
    x11 = next(r for r in rows if r["code"] == "X.1.1")
    assert x11["classes"] == [2, 4, 5] and {"5.1.1", "4.1.1", "2.1.1"} <= set(x11["codes"])
    for concrete in ("5.1.1", "4.1.1"):
        assert "X.1.1" in [r["code"] for r in rows if concrete in r["codes"]]
    assert [r["code"] for r in rows if "550" in r["codes"]] == ["550"]
    ranged = [r for r in rows if "-" in r["code"]]
    for r in ranged:  # a vendor range lists every code it covers
        first, last = r["code"].rsplit(".", 1)[1].split("-")
        assert len(r["codes"]) == int(last) - int(first) + 1
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(rows)
    assert df.sort_values("code").code.is_monotonic_increasing
    assert "X.1.1" in set(df[df.codes.map(lambda cs: "5.1.1" in cs)].code)
    assert "X.1.1" in set(df.explode("codes").query("codes == '4.1.1'").code)


def test_not_utf8_bytes_become_replacement_characters() -> None:
    r = smtpcodes.parse(LATIN1)
    assert r.lines == ("M\ufffdller unknown",) and r.text == "M\ufffdller unknown" and r.raw == LATIN1
    assert "not-utf8" in r.flags
    surrogate = LATIN1.decode("utf-8", "surrogateescape")  # what a log read with surrogateescape holds
    r2 = smtpcodes.parse(surrogate)
    assert r2.lines == r.lines and r2.raw == LATIN1
    c = smtpcodes.classify(LATIN1)
    assert c.raw == LATIN1
    strings: list[str] = [*r.lines, r.text, str(r), repr(r), r.markdown, r.html, c.evidence, c.advice, c.text,
                          c.markdown, c.html, str(c), json.dumps(r.to_dict(), ensure_ascii=False),
                          json.dumps(c.to_dict(), ensure_ascii=False)]
    for x in (smtpcodes.explain(LATIN1), smtpcodes.explain(r), smtpcodes.explain(surrogate, lang="es")):
        strings += [x.text, x.markdown, x.html]
    for s in strings:
        s.encode("utf-8")  # never a lone surrogate
        assert "\udcfc" not in s
    # every writer works
    buf = io.StringIO()
    json.dump([r.to_dict(), c.to_dict()], buf, ensure_ascii=False)
    buf.getvalue().encode("utf-8")
    pd = pytest.importorskip("pandas")
    pd.DataFrame([r.to_dict()]).to_csv(io.BytesIO(), encoding="utf-8")
