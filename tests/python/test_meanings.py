"""Meanings (csrc/data/rules.toml [[concept]] tables and rules' "meanings", compiled by
gen_rules.py): the generator's checks, the automaton's numbering that the classifier relies
on, and what a meaning decides through the binding."""
from __future__ import annotations

import tomllib
from types import ModuleType

import pytest

import smtpcodes
from conftest import DATA, data_generator


def _gen() -> ModuleType:
    return data_generator("gen_rules")


def _reasons() -> dict:  # type: ignore[type-arg]
    with open(DATA / "reasons.toml", "rb") as f:
        return tomllib.load(f)


GOOD = '''
[[concept]]
name = "user"
words = ["user*", "empfaenger", "收件人"]
[[concept]]
name = "unknown"
words = ["unknown", "unbekannt", "不存在"]
[[rule]]
reason = "userunknown"
priority = 66
meanings = [["user", "unknown"]]
'''


def test_generator_compiles_meanings() -> None:
    g = _gen()
    rs, vendors, patterns, rule_list, pairs, status, reply, mta, (bounded, prefixes), combos, names = g.load(
        tomllib.loads(GOOD), _reasons())
    assert names == [("user", 0), ("unknown", 1)]
    assert len(combos) == 1 and combos[0][1] == 0b11
    assert rule_list[combos[0][0]][3] == "user + unknown" and rule_list[combos[0][0]][5] == 2
    words = [(k, t) for k, _, t in patterns if k == 7]
    assert ("user" in [t for _, t in words]) and len(prefixes) == 1 and len(bounded) == 5


@pytest.mark.parametrize("change,message", [
    (('meanings = [["user", "unknown"]]', 'meanings = [["user", "nosuch"]]'), "concepts defined by"),
    (('name = "unknown"', 'name = "user"'), "a new lower-case name"),
    (('words = ["unknown", "unbekannt", "不存在"]', 'words = []'), "no words"),
    (('meanings = [["user", "unknown"]]', 'meanings = [["user"]]'), "no rule's meanings use it"),
    (('priority = 66', 'priority = 66\nkind = "words"'), "rank with the phrases"),
    (('"unbekannt"', '"u"'), "too short"),
    (('name = "user"\n', 'name = "user"\nlang = "de"\n'), "unknown key"),
])
def test_generator_rejects_bad_meanings(change: tuple[str, str], message: str) -> None:
    g = _gen()
    assert change[0] in GOOD
    with pytest.raises(g.RuleError) as e:
        g.load(tomllib.loads(GOOD.replace(change[0], change[1], 1)), _reasons())
    assert message in str(e.value), str(e.value)


def test_states_with_outputs_are_one_range() -> None:
    """classify.c's has_outputs() is one compare: the generator numbers the states so that
    those ending a pattern are SC_FIRST_OUT to SC_END_OUT - 1, and the dense ones first."""
    g = _gen()
    patterns = [(1, 0, "user unknown"), (1, 0, "unknown"), (7, 0, "user"), (1, 0, "über"), (7, 1, "收件人")]
    cls, nclass = g.byte_classes(set("".join(p[2] for p in patterns)))
    table, out, ndense, chain, first, end = g.build_automaton(patterns, cls, nclass)
    assert 0 < first < end <= len(table)
    assert all(bool(out[s]) == (first <= s < end) for s in range(len(table)))
    assert not out[0] and ndense >= 1


@pytest.mark.parametrize("text,reason,phrase", [
    ("550 5.5.0 Empfaenger unbekannt", "userunknown", "user + unknown"),
    ("550 5.5.0 unbekannt: Empfaenger", "userunknown", "user + unknown"),
    ("452 收件人邮箱已满", "mailboxfull", "user + full"),
    ("421 4.7.0 Zu viele Verbindungen von Ihrer Adresse", "toomanyconn", "conn + toomany"),
    ("420 TCP Read Error", "networkerror", "network + error"),
    ("550 Sending requires a SASL login", "securityerror", "login + required"),
    ("500 5.5.0 Serverfehler, bitte später erneut versuchen", "systemerror", "server error"),
    ("554 Message rejected: suspicious content", "spamdetected", "content + suspect"),
    ("554 Dateianhang verboten", "policyviolation", "attachment + denied"),
    ("550 Mottagaren finns inte", "userunknown", "user + unknown"),
    ("550 Message-ID header missing", "notcompliantrfc", "header + missing"),
])
def test_a_meaning_decides_with_its_words(text: str, reason: str, phrase: str) -> None:
    c = smtpcodes.classify(text)
    assert (c.reason, c.evidence_kind, c.phrase) == (reason, "words", phrase)
    assert f'the words "{phrase}" in the text indicate {reason}' in c.evidence
    es = smtpcodes.classify(text, lang="es")
    assert f'las palabras "{phrase}" del texto indican {reason}' in es.evidence


def test_a_meaning_of_one_concept_reads_as_one_word() -> None:
    text = "451 Sistem aşırı yük altında, daha sonra deneyin"
    c = smtpcodes.classify(text)
    assert (c.reason, c.evidence_kind, c.phrase) == ("systemerror", "words", "overload")
    assert 'the word "overload" in the text indicates systemerror' in c.evidence
    assert 'la palabra "overload" del texto indica systemerror' in smtpcodes.classify(text, lang="es").evidence


def test_an_acceptance_in_another_language_is_delivered_only_on_success() -> None:
    c = smtpcodes.classify("250 2.0.0 Nachricht eingereiht")
    assert (c.reason, c.evidence_kind, c.phrase) == ("delivered", "success", "queued ok")
    assert smtpcodes.classify("250 2.0.0 Ok").reason == "none"
    assert smtpcodes.classify("550 5.7.1 Nachricht nicht angenommen").reason != "delivered"


def test_a_word_inside_a_longer_word_is_not_the_word() -> None:
    c = smtpcodes.classify("550 usernames unknownx")
    assert c.evidence_kind != "words"
