"""Comparisons mean meanings, command validity and search (issue 13; issue 15's word limit).

- compare(): a code compared with itself is identical (no differences, a summary that says
  so); siblings of one class, subject and category (5.1.1 / 5.1.10, 550 / 551) differ in
  their meaning (the "meaning" aspect, their titles); a vendor range is shared only by codes
  of the same range.
- related never lists the code itself or a range.
- is_valid_reply() / replies_for(): every (command, code) pair of
  ../shared/reference/command_replies.tsv (next to the repository), ANY rows with the
  exemptions their notes give, plus pairs that must be false.
- search(): both languages by default, every text indexed, accents and case folded, the
  exact code first, then title matches, then the rest; an over-long query is an error.
"""
from __future__ import annotations

import csv
import os
import pathlib
import re
import subprocess
import sys

import pytest

import smtpcodes
from conftest import cli_binary
from smtpcodes import ParseError

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "command_replies.tsv"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent


# ---- comparisons ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", [550, "550", "5.1.1", "X.7.1", "5.7.606", "5.7.606-649", 259, "5.9.123"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_code_with_itself_is_identical(code: int | str, lang: str) -> None:
    cmp = smtpcodes.compare(code, code, lang=lang)
    assert cmp.identical and not cmp.counterparts
    assert cmp.differences == []
    assert len(cmp.similarities) == 8
    assert ("consigo mismo" if lang == "es" else "with itself") in cmp.summary
    assert ("Ninguna" if lang == "es" else "None: it is the same code") in cmp.key_differences
    for text in (cmp.text, cmp.markdown, cmp._repr_html_()):
        assert "only the" not in text and "solo cambia" not in text


@pytest.mark.parametrize("a, b", [("5.1.1", "5.1.10"), (550, 551), (450, 451), ("5.7.1", "5.7.26")])
def test_siblings_differ_in_meaning(a: int | str, b: int | str) -> None:
    cmp = smtpcodes.compare(a, b)
    assert not cmp.identical
    aspects = {d[0]: d[1:] for d in cmp.differences}
    same = dict(cmp.similarities)
    assert "class" in same and "category" in same
    assert aspects["meaning"] == (cmp.a.title, cmp.b.title)
    assert "mean different things" in cmp.summary
    assert "Meaning" in cmp.key_differences and cmp.a.title in cmp.key_differences
    assert "only the" not in cmp.key_differences
    es = smtpcodes.compare(a, b, lang="es")
    assert "significado" in {d[0] for d in es.differences}
    assert "no significan lo mismo" in es.summary and "Significado" in es.key_differences
    # HTML: the differences first, the meaning first of them
    html = cmp._repr_html_()
    body = html[html.index("<tbody>"):]
    rows = re.findall(r'<tr class="smtpcodes-(differs|same)"><th[^>]*>([^<]*)</th>', body)
    kinds = [k for k, _ in rows]
    assert kinds == sorted(kinds, key=lambda k: k != "differs")
    assert rows[0] == ("differs", "Meaning")
    assert len(rows) == 8


def test_one_meaning_no_meaning_difference() -> None:
    pair = smtpcodes.compare("4.2.2", "5.2.2")
    assert pair.counterparts and "meaning" in dict(pair.similarities)
    same_range = smtpcodes.compare("5.7.606", "5.7.620")
    assert not same_range.identical and same_range.differences == []
    assert "only the number differs" in same_range.key_differences


def test_range_membership_is_shared_only_within_one_range() -> None:
    cmp = smtpcodes.compare("5.7.606", "5.7.708")
    status = {d[0]: d[1:] for d in cmp.differences}["standard"]
    assert "5.7.606-649" in status[0] and "5.7.700-749" in status[1]
    assert all("range" not in value for _, value in cmp.similarities)
    html = cmp._repr_html_()
    table = html[html.index("<tbody>"):html.index("</table>")]
    shared = table[table.index('class="smtpcodes-same"'):] if 'class="smtpcodes-same"' in table else ""
    assert "5.7.606-649" not in shared
    within = smtpcodes.compare("5.7.606", "5.7.640")
    assert "5.7.606-649" in dict(within.similarities)["standard"]
    assert "standard" in {d[0] for d in smtpcodes.compare("5.7.606", "5.7.1").differences}


def test_meaning_aspect_in_every_rendering() -> None:
    cmp = smtpcodes.compare("5.1.1", "5.1.10")
    assert "**Meaning**" in cmp.markdown
    assert "Meaning: 5.1.1: Bad destination mailbox address" in cmp.text
    assert ">Meaning</th>" in cmp._repr_html_()
    assert ">Significado</th>" in smtpcodes.compare("5.1.1", "5.1.10", lang="es")._repr_html_()
    assert cmp.to_dict()["differences"][0][0] == "meaning" or any(
        d[0] == "meaning" for d in cmp.to_dict()["differences"])


# ---- related -------------------------------------------------------------------------------

def test_related_never_lists_itself_or_a_range() -> None:
    for code in smtpcodes.codes():
        for lang in ("en", "es"):
            c = smtpcodes.lookup(code.code, lang=lang) if code.kind == "basic" else code
            for r in c.related:
                assert "-" not in str(r.code), (code, r)
                assert str(r.code) != str(code.code) and r != code, code
    assert "5.7.1" not in [str(r.code) for r in smtpcodes.lookup("5.7.1").related]
    assert "4.7.1" not in [str(r.code) for r in smtpcodes.lookup("5.7.1").related]
    assert all("-" not in str(r.code) for r in smtpcodes.lookup("4.7.500").related)
    assert smtpcodes.lookup("5.7.1").related  # what remains: 550, 554


# ---- command validity ------------------------------------------------------------------------

def reference_rows() -> list[dict[str, str]]:
    assert REFERENCE.exists(), f"{REFERENCE} missing: the reference table lives next to the repository"
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def row_codes(row: dict[str, str]) -> list[int]:
    return [int(x) for col in ("success_codes", "intermediate_codes", "error_codes") for x in row[col].split()]


def all_commands() -> list[str]:
    names = []
    for row in reference_rows():
        if row["command"] not in names:
            names.append(row["command"])
    return names


def exempt_of(row: dict[str, str]) -> set[str] | None:
    """The commands an ANY row exempts (the names after "except" or "other than" in its
    notes, to the end of that sentence), None when it exempts none. LHLO is LMTP's EHLO
    (RFC 2033 4.1); STARTTLS is exempt from 530 (RFC 3207 4), the RFC 4954 row too."""
    m = re.search(r"(?:except|other than) ([^.]*)", row["notes"])
    if not m:
        return None
    names = set(re.findall(r"\b[A-Z]{3,}\b", m.group(1))) & set(all_commands())
    if "EHLO" in names:
        names.add("LHLO")
    if row["source"].startswith("RFC 4954"):
        names.add("STARTTLS")
    return names


def expected_sets() -> dict[str, set[int]]:
    commands = all_commands()
    real = [c for c in commands if c not in ("CONNECTION", "ANY")]
    want: dict[str, set[int]] = {c: set() for c in commands}
    for row in reference_rows():
        if not row["source"].startswith("RFC"):
            continue
        codes = row_codes(row)
        if row["command"] != "ANY":
            want[row["command"]].update(codes)
            continue
        exempt = exempt_of(row)
        if exempt is None:
            for c in real + ["ANY"]:
                want[c].update(codes)
        else:
            for c in real:
                if c not in exempt:
                    want[c].update(codes)
    want["CONNECTION"].add(421)  # RFC 5321 3.8: a server that must shut down greets with 421
    return want


def test_reference_table_is_complete() -> None:
    rows = reference_rows()
    assert len(rows) >= 60 and sum(len(row_codes(r)) for r in rows) >= 200
    assert set(all_commands()) == {"CONNECTION", "ANY", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT",
                                   "BURL", "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH",
                                   "ETRN", "ATRN", "TURN", "SEND", "SOML", "SAML"}


def test_every_reference_pair() -> None:
    checked = 0
    real = [c for c in all_commands() if c not in ("CONNECTION", "ANY")]
    for row in reference_rows():
        for code in row_codes(row):
            if not row["source"].startswith("RFC"):  # registry-only basic codes, no RFC reply
                assert smtpcodes.is_valid_reply(row["command"], code) is False, row
                checked += 1
                continue
            if row["command"] != "ANY":
                assert smtpcodes.is_valid_reply(row["command"], code) is True, (row["command"], code, row["source"])
                checked += 1
                continue
            exempt = exempt_of(row)
            for cmd in real:
                if exempt is None or cmd not in exempt:
                    assert smtpcodes.is_valid_reply(cmd, code) is True, (cmd, code, row["source"])
                    checked += 1
            if exempt is None:
                assert smtpcodes.is_valid_reply("ANY", code) is True, code
    assert checked > 300


def test_replies_for_is_exactly_the_reference() -> None:
    for cmd, want in expected_sets().items():
        got = [c.code for c in smtpcodes.replies_for(cmd)]
        assert got == sorted(got)
        assert set(got) == want, (cmd, sorted(set(got) - want), sorted(want - set(got)))


@pytest.mark.parametrize("cmd, code, valid", [
    ("QUIT", 530, False), ("QUIT", 554, False), ("NOOP", 530, False), ("STARTTLS", 530, False),
    ("EHLO", 530, False), ("LHLO", 530, False), ("CONNECTION", 500, False), ("CONNECTION", 501, False),
    ("CONNECTION", 530, False), ("ANY", 530, False), ("ANY", 554, False), ("AUTH", 422, False),
    ("AUTH", 523, False), ("AUTH", 524, False), ("AUTH", 525, False), ("QUIT", 250, False), ("RSET", 550, False),
    ("HELO", 530, True), ("RSET", 530, True), ("AUTH", 530, True), ("MAIL FROM:<a@example.org>", 530, True),
    ("NOOP", 554, True), ("STARTTLS", 554, True), ("CONNECTION", 220, True), ("CONNECTION", 421, True),
    ("CONNECTION", 554, True), ("CONNECTION", 521, True), ("QUIT", 221, True), ("QUIT", 421, True),
    ("QUIT", 501, True),
])
def test_pairs(cmd: str, code: int, valid: bool) -> None:
    assert smtpcodes.is_valid_reply(cmd, code) is valid


def test_commands_field_agrees_with_is_valid_reply() -> None:
    commands = all_commands()
    for code in smtpcodes.codes("basic"):
        for cmd in commands:
            listed = cmd in code.commands or (cmd not in ("CONNECTION", "ANY") and "ANY" in code.commands)
            assert listed == smtpcodes.is_valid_reply(cmd, code), (code.code, cmd)
    assert [c.code for c in smtpcodes.replies_for("CONNECTION")] == [220, 421, 521, 554]
    assert "QUIT" not in smtpcodes.lookup(530).commands and "ANY" not in smtpcodes.lookup(530).commands


# ---- search ------------------------------------------------------------------------------------

def codes_of(found: list[smtpcodes.Code]) -> list[str]:
    return [str(c.code) for c in found]


def test_search_both_languages_by_default() -> None:
    found = codes_of(smtpcodes.search("buzón lleno"))
    assert "552" in found and "X.2.2" in found
    assert codes_of(smtpcodes.search("buzón lleno", lang=None)) == found
    assert codes_of(smtpcodes.search("BUZON LLENO")) == found
    assert codes_of(smtpcodes.search("Buzón, lleno")) == found
    assert smtpcodes.search("destinatario", lang="en") == []
    assert smtpcodes.search("destinatario", lang="es")
    assert "X.2.2" in codes_of(smtpcodes.search("buzón lleno", lang="es"))
    assert all(c.lang == "en" for c in smtpcodes.search("buzón lleno"))
    assert all(c.lang == "es" for c in smtpcodes.search("buzón lleno", lang="es"))
    assert codes_of(smtpcodes.search("mailbox full")) == codes_of(smtpcodes.search("MAILBOX FULL"))


@pytest.mark.parametrize("words", ["greylisted", "too many connections", "local_recipient_maps",
                                   "virtual_mailbox_maps", "NXDOMAIN", "blacklist", "blacklisted",
                                   "lista negra", "throttled", "graylisted", "spoofing", "DNSBL"])
def test_search_every_text(words: str) -> None:
    assert smtpcodes.search(words), words


def _mentions(code: smtpcodes.Code, *needles: str) -> bool:
    texts = []
    for lang in ("en", "es"):
        c = smtpcodes.lookup(str(code.code), lang=lang) if "-" not in str(code.code) else code
        texts += [c.title, c.description, c.when, c.fix]
    folded = " ".join(texts).lower()
    return any(n in folded for n in needles)


def test_search_synonyms_find_what_the_texts_call_otherwise() -> None:
    """search.toml: 'blacklist' is not a word of the knowledge base (the glossary prefers
    "block list" / "lista de bloqueo"), yet it finds exactly the entries that speak of
    block lists, in both languages, whatever the user's spelling."""
    found = codes_of(smtpcodes.search("blacklist"))
    assert "X.7.1" in found
    for c in smtpcodes.search("blacklist"):
        assert _mentions(c, "block list", "blocklist", "lista de bloqueo", "dnsbl", "rbl"), c.code
    assert codes_of(smtpcodes.search("blacklisted")) == found
    assert codes_of(smtpcodes.search("Listas negras")) == found
    assert codes_of(smtpcodes.search("lista negra", lang="es"))
    assert len(smtpcodes.search("lista")) > len(found)          # one word alone is a plain word
    assert codes_of(smtpcodes.search("mailbox full")) == codes_of(smtpcodes.search("over quota"))
    # a synonym's English terms are looked for in the English texts, so a Spanish query
    # finds English entries when lang="en"
    assert "X.2.2" in codes_of(smtpcodes.search("buzón lleno", lang="en"))


def test_search_a_tag_names_its_codes() -> None:
    tag = smtpcodes.lookup_tag("TSS04")
    found = codes_of(smtpcodes.search("TSS04"))
    assert found, "TSS04"
    named = {str(smtpcodes.lookup(c).code) for c in tag.codes}
    assert set(found[:len(named)]) <= named | {"X.7.0", "4.7.0"}
    assert codes_of(smtpcodes.search("[tss04]")) == found
    assert smtpcodes.search("zzqq:xx") == []


def test_search_exact_code_first() -> None:
    assert codes_of(smtpcodes.search("5.1.1"))[0] == "X.1.1"
    assert codes_of(smtpcodes.search("5.1.10"))[:2] == ["X.1.10", "5.1.10"]
    assert codes_of(smtpcodes.search("550"))[0] == "550"
    assert codes_of(smtpcodes.search("5.7.620"))[0] == "5.7.606-649"
    assert codes_of(smtpcodes.search("x.7.1"))[0] == "X.7.1"
    for code in smtpcodes.codes():
        assert str(code.code) in codes_of(smtpcodes.search(str(code.code)))[:2], code


def test_search_title_matches_before_the_rest() -> None:
    found = smtpcodes.search("mailbox", lang="en")
    assert len(found) > 10
    keys = [(0 if "mailbox" in c.title.lower() else 1 if "mailbox" in c.description.lower() else 2) for c in found]
    assert keys == sorted(keys)
    table = [str(c.code) for c in smtpcodes.codes()]
    for tier in set(keys):  # stable: table order within one tier
        idx = [table.index(str(c.code)) for c, k in zip(found, keys) if k == tier]
        assert idx == sorted(idx)


def test_search_finds_every_entry_by_its_texts() -> None:
    """The query is folded as the generator folded the texts: every entry is found by its
    own title, and by the first words of its other texts, in each language."""
    for lang in ("en", "es"):
        for row in smtpcodes.table(lang=lang):
            code = str(row["code"])
            for field in ("title", "description", "when", "fix"):
                words = row[field].split()[:6 if field != "title" else 32]
                if any(len(w.encode()) > 64 for w in words):
                    continue
                assert code in codes_of(smtpcodes.search(" ".join(words), lang=lang)), (code, lang, field)


def test_search_word_limits_are_errors() -> None:
    assert smtpcodes.search(" ".join(["mailbox"] * 16 + ["zzzzqqq"])) == []
    assert smtpcodes.search(" ".join(["mailbox"] * 15 + ["zzzzqqq"])) == []
    assert smtpcodes.search(" ".join(["mailbox"] * 32))
    with pytest.raises(ValueError) as e:
        smtpcodes.search(" ".join(["mailbox"] * 33))
    assert isinstance(e.value, ParseError) and e.value.reason == "query"
    assert "32 words" in str(e.value)
    assert smtpcodes.search("a" * 64) == []
    with pytest.raises(ValueError):
        smtpcodes.search("a" * 65)
    with pytest.raises(ValueError):
        smtpcodes.search("mailbox " + "é" * 33)  # 66 bytes


def cli(args: list[str], binary: bool) -> subprocess.CompletedProcess[bytes]:
    if binary:
        argv = [str(cli_binary()), *args]
    else:
        argv = [sys.executable, "-P", "-m", "smtpcodes", *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PKG_PARENT), os.environ.get("PYTHONPATH")])))
    return subprocess.run(argv, capture_output=True, env=env, cwd=str(ROOT), timeout=120)


@pytest.mark.parametrize("binary", [False, True], ids=["python", "binary"])
def test_cli_search_long_query_exits_2(binary: bool) -> None:
    p = cli(["search", *(["mailbox"] * 33)], binary)
    assert p.returncode == 2 and b"too long" in p.stderr and p.stdout == b"", p
    p = cli(["search", *(["mailbox"] * 16), "zzzzqqq"], binary)
    assert p.returncode == 1 and p.stdout == b"", p
    p = cli(["search", "buzón", "lleno"], binary)
    assert p.returncode == 0 and b"552" in p.stdout, p
