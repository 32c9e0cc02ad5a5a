"""The shared vectors: tests/vectors/lookup.tsv, parse.tsv, reference_codes.tsv."""
from __future__ import annotations

import pytest

import smtpcodes
from conftest import as_str, read_vectors, unescape

LOOKUP = read_vectors("lookup.tsv")
PARSE = read_vectors("parse.tsv")
REFERENCE = read_vectors("reference_codes.tsv")


def _id(row: list[bytes]) -> str:
    return row[0].decode("utf-8", "backslashreplace")[:40] or "<empty>"


def test_vector_files_are_not_empty() -> None:
    assert len(LOOKUP) > 30 and len(PARSE) > 30 and len(REFERENCE) > 150
    assert all(len(r) == 7 for r in LOOKUP)
    assert all(len(r) == 8 for r in PARSE)
    assert all(len(r) == 4 for r in REFERENCE)


@pytest.mark.parametrize("row", LOOKUP, ids=_id)
def test_lookup_vector(row: list[bytes]) -> None:
    raw = unescape(row[0])
    status, kind, text, known, permanence, entry_flags = (f.decode("utf-8") for f in row[1:])
    # lookup() takes str: undecodable input arrives as surrogate escapes
    arg = as_str(raw)
    if arg is None:
        arg = raw.decode("utf-8", "surrogateescape")
    if status.startswith("error:"):
        with pytest.raises(smtpcodes.ParseError) as info:
            smtpcodes.lookup(arg)
        assert info.value.reason == status.split(":", 1)[1]
        assert isinstance(info.value, ValueError)
        assert repr(arg)[:40] in str(info.value)
        return
    code = smtpcodes.lookup(arg)
    assert code.kind == kind
    assert str(code.code) == text
    assert code.known == (known == "1")
    assert code.permanence == permanence
    flags = set() if entry_flags == "-" else set(entry_flags.split(","))
    assert code.standard == ("standard" in flags)
    assert (code.vendor is not None) == ("vendor" in flags)
    assert code.deprecated == ("deprecated" in flags)
    assert code is smtpcodes.lookup(arg) or not code.known  # cached
    if kind == "basic":
        assert smtpcodes.lookup(int(text)) is smtpcodes.lookup(text)
        assert code == int(text)
    else:
        assert code == text


@pytest.mark.parametrize("row", PARSE, ids=lambda r: (r[0] + b" " + r[1]).decode("utf-8", "replace")[:50])
def test_parse_vector(row: list[bytes]) -> None:
    mode = row[0].decode()
    raw = unescape(row[1])
    status, code, enhanced, permanence, flags, nlines = (f.decode("utf-8") for f in row[2:])
    inputs: list[str | bytes] = [raw]
    text = as_str(raw)
    if text is not None:
        inputs.append(text)
    for arg in inputs:
        if status.startswith("error:"):
            with pytest.raises(smtpcodes.ParseError) as info:
                smtpcodes.parse(arg, strict=mode == "strict")
            assert info.value.reason == status.split(":", 1)[1]
            assert repr(arg)[:30] in str(info.value)
            continue
        r = smtpcodes.parse(arg, strict=mode == "strict")
        assert r.code == (None if code == "-" else int(code))
        assert r.enhanced == (None if enhanced == "-" else enhanced)
        assert r.permanence == permanence
        assert set(r.flags) == (set() if flags == "-" else set(flags.split(",")))
        assert len(r.lines) == int(nlines)
        assert r.multiline == ("multiline" in r.flags)
        assert r.text == "\n".join(r.lines)
        if r.code is not None:
            assert r.reply_code is smtpcodes.lookup(r.code)
        else:
            assert r.reply_code is None
        if r.enhanced is not None:
            assert r.status_code == r.enhanced
        else:
            assert r.status_code is None


def test_parse_vector_str_and_bytes_agree() -> None:
    for row in PARSE:
        raw = unescape(row[1])
        text = as_str(raw)
        if text is None or row[2] != b"ok":
            continue
        strict = row[0] == b"strict"
        a, b = smtpcodes.parse(raw, strict=strict), smtpcodes.parse(text, strict=strict)
        assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("row", REFERENCE, ids=lambda r: (r[0] + b" " + r[1]).decode())
def test_reference_code(row: list[bytes]) -> None:
    kind, code, standard, vendor = (f.decode("utf-8").strip() for f in row)
    want_vendor = None if vendor == "-" else vendor
    if kind == "enhanced" and want_vendor is None:
        assert code.startswith("X."), "registered enhanced rows are X.s.d"
    c = smtpcodes.lookup(int(code) if kind == "basic" else code)
    # a vendor number that the registry also assigns looks up as the registered
    # code; the vendor meaning is then its .alt
    if c.vendor != want_vendor and c.alt is not None:
        c = c.alt
    assert c.known, code
    assert c.kind == kind
    assert c.vendor == want_vendor
    assert c.standard == (standard == "1")
    assert str(c.code) == code
    # and the same row is among codes()
    assert any(str(x.code) == code and x.vendor == want_vendor for x in smtpcodes.codes(kind))
