"""classify, classify_many, reasons, reason_info and the Classification type.

Only clear-cut replies assert an exact reason: the phrase rules are tuned
against the corpus, and the accuracy is measured by `make accuracy`.
"""
from __future__ import annotations

import gc
import inspect
import os
import pathlib
import re
import threading
from typing import Any

import pytest

import smtpcodes
from conftest import memory_growth
from smtpcodes import Classification, ParseError

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "sisimai" / "corpus.tsv"

USER_UNKNOWN = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
MAILBOX_FULL = "452 4.2.2 Mailbox full"
GREYLISTED = "450 4.2.0 Greylisted, see http://postgrey.example/"
GODADDY = "550 5.1.1 <x@example.com>... too many recipients this hour"
DELIVERED = "250 2.0.0 OK queued"

FIELDS = ["reason", "permanence", "hard_bounce", "retry", "advice", "evidence", "evidence_kind", "phrase",
          "vendor", "code", "enhanced", "flags", "lang", "title", "error", "provider", "mta", "stage", "tag"]
HARD = {"userunknown", "hostunknown", "hasmoved", "notaccept"}

SAMPLE: list[str | bytes] = [
    USER_UNKNOWN, MAILBOX_FULL, GREYLISTED, GODADDY, DELIVERED,
    "421 4.7.0 Try again later, closing connection.",
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "552 5.3.4 Message size exceeds fixed limit",
    "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
    "451 4.7.1 Please try again later",
    "550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please try again.",
    "host mx.example.net[192.0.2.7] said: 554 5.7.1 <x@y>: Relay access denied (in reply to RCPT TO command)",
    "no code here at all",
    b"550 5.1.1 caf\xe9 \xff\x00 unknown user",
]


def _corpus_texts() -> list[str]:
    if not CORPUS.exists():
        return []
    rows = CORPUS.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    header = rows[0].split("\t")
    col = header.index("diagnostic_text")
    return [r.split("\t")[col] for r in rows[1:] if r.count("\t") >= col]


# ---- reasons and reason_info ------------------------------------------------------

def test_reasons() -> None:
    names = smtpcodes.reasons()
    assert isinstance(names, tuple) and len(names) == len(set(names)) >= 38
    for name in ("userunknown", "mailboxfull", "speeding", "greylisted", "none", "undefined", "delivered"):
        assert name in names
    assert smtpcodes.reasons() is smtpcodes.reasons()  # immutable: one shared tuple


@pytest.mark.parametrize("name", smtpcodes.reasons())
def test_every_reason_has_texts_in_both_languages(name: str) -> None:
    en = smtpcodes.reason_info(name)
    assert en == smtpcodes.reason_info(name, lang="en")
    es = smtpcodes.reason_info(name, lang="es")
    assert set(en) == set(es) == {"name", "title", "description", "action", "hard"}
    assert en["name"] == es["name"] == name
    for key in ("title", "description", "action"):
        assert isinstance(en[key], str) and len(en[key]) > 3, (name, key)
        assert isinstance(es[key], str) and len(es[key]) > 3, (name, key)
    assert en["description"] != es["description"] and en["action"] != es["action"]
    assert en["hard"] is es["hard"] is (name in HARD)


def test_reason_info_errors() -> None:
    for bad in ("nope", "", "USERUNKNOWN ", "x" * 10000, "user\x00unknown", "\ud800"):
        with pytest.raises(ValueError, match="unknown reason"):
            smtpcodes.reason_info(bad)
    for wrong in (None, 5, b"userunknown", ["userunknown"]):
        with pytest.raises(TypeError):
            smtpcodes.reason_info(wrong)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        smtpcodes.reason_info("userunknown", lang="fr")
    with pytest.raises(TypeError):
        smtpcodes.reason_info("userunknown", lang=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.reason_info()  # type: ignore[call-arg]


# ---- clear cases ------------------------------------------------------------------

def test_user_unknown() -> None:
    c = smtpcodes.classify(USER_UNKNOWN)
    assert isinstance(c, Classification)
    assert (c.reason, c.permanence, c.hard_bounce, c.retry) == ("userunknown", "permanent", True, False)
    assert (c.code, c.enhanced, c.lang) == (550, "5.1.1", "en")
    assert c.title == smtpcodes.reason_info("userunknown")["title"]
    assert repr(c) == "<Classification userunknown permanent hard>"
    assert str(c).startswith("userunknown (permanent, hard): ") and c.evidence in str(c)


def test_mailbox_full() -> None:
    c = smtpcodes.classify(MAILBOX_FULL)
    assert (c.reason, c.permanence, c.hard_bounce, c.retry) == ("mailboxfull", "temporary", False, True)
    assert (c.code, c.enhanced) == (452, "4.2.2")
    assert repr(c) == "<Classification mailboxfull temporary soft>"


def test_greylisted() -> None:
    c = smtpcodes.classify(GREYLISTED)
    assert (c.reason, c.permanence, c.retry, c.hard_bounce) == ("greylisted", "temporary", True, False)
    assert c.evidence_kind == "phrase" and c.phrase


def test_text_outranks_code_godaddy() -> None:
    c = smtpcodes.classify(GODADDY)
    assert c.reason != "userunknown" and not c.hard_bounce
    assert c.reason == "speeding"
    assert c.evidence_kind == "phrase"
    assert c.phrase and c.phrase in GODADDY.lower()
    assert c.phrase in c.evidence and "outranks" in c.evidence and "userunknown" in c.evidence
    es = smtpcodes.classify(GODADDY, lang="es")
    assert es.phrase == c.phrase and c.phrase in es.evidence and es.evidence != c.evidence


def test_delivered() -> None:
    c = smtpcodes.classify(DELIVERED)
    assert (c.reason, c.permanence, c.hard_bounce, c.retry) == ("delivered", "success", False, False)
    assert c.evidence_kind == "success"


def test_spanish() -> None:
    en = smtpcodes.classify(MAILBOX_FULL)
    es = smtpcodes.classify(MAILBOX_FULL, lang="es")
    assert es.lang == "es" and en.lang == "en"
    assert (es.reason, es.permanence, es.retry) == (en.reason, en.permanence, en.retry)
    assert es.advice != en.advice and es.evidence != en.evidence and es.title != en.title
    assert smtpcodes.reason_info("mailboxfull", lang="es")["action"] in es.advice
    assert smtpcodes.reason_info("mailboxfull")["action"] in en.advice
    assert repr(es) == "<Classification mailboxfull temporary soft lang=es>"
    assert smtpcodes.classify(MAILBOX_FULL, lang="es-ES").lang == "es"
    assert "Retry" in en.advice


EVIDENCE_KINDS = ("none", "phrase", "status", "reply", "subject", "success", "default", "words", "tag", "message")


@pytest.mark.parametrize("text,kind", [
    ("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table", "phrase"),
    ("421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to user complaints", "tag"),
    ("550 Reject due to SPF policy", "words"),
    ("554 5.4.7 something happened", "status"),
    ("250 2.0.0 Ok: queued as 4Bq1", "success"),
    ("no code and nothing known here", "default"),
    # Sisimai's order: a suspend status outranks an ordinary phrase, and then the status decided
    ("550 5.7.13 Sender was not authorized, not authenticated", "status"),
])
def test_evidence_kind(text: str, kind: str) -> None:
    # every kind by its name (words and tag came back "none" before: the name table stopped at default)
    assert smtpcodes.classify(text).evidence_kind == kind


def test_fields_and_to_dict() -> None:
    for text in SAMPLE:
        c = smtpcodes.classify(text)
        d = c.to_dict()
        assert list(d) == FIELDS
        for f in FIELDS:
            v = getattr(c, f)
            assert d[f] == (list(v) if f == "flags" else v), f
        assert c.reason in smtpcodes.reasons()
        assert c.permanence in ("success", "intermediate", "temporary", "permanent", "unknown")
        assert c.evidence_kind in EVIDENCE_KINDS
        assert isinstance(c.hard_bounce, bool) and isinstance(c.retry, bool)
        assert isinstance(c.flags, tuple) and all(isinstance(x, str) for x in c.flags)
        assert c.code is None or isinstance(c.code, int)
        assert c.enhanced is None or isinstance(c.enhanced, str)
        assert isinstance(c.advice, str) and c.advice and isinstance(c.evidence, str) and c.evidence
        assert c.advice is c.advice  # rendered once, then kept
        if c.hard_bounce:  # only the hard-bounce reasons, never with a 4xx code
            assert smtpcodes.reason_info(c.reason)["hard"] and c.permanence != "temporary"


def test_matches_parse() -> None:
    for text in SAMPLE:
        c = smtpcodes.classify(text)
        try:
            r = smtpcodes.parse(text)
        except ParseError:
            assert c.code is None and c.enhanced is None
            continue
        assert (c.code, c.enhanced, c.permanence) == (r.code, r.enhanced, r.permanence)
        assert c.flags == r.flags


def test_immutable() -> None:
    c = smtpcodes.classify(USER_UNKNOWN)
    for f in FIELDS:
        with pytest.raises(AttributeError):
            setattr(c, f, "x")
    with pytest.raises(AttributeError):
        c.other = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        Classification()
    with pytest.raises(TypeError):
        class Sub(Classification):  # type: ignore[misc]
            pass


def test_notebook_reprs() -> None:
    c = smtpcodes.classify(GODADDY)
    md = c._repr_markdown_()
    assert md.startswith("## ") and c.title in md and "`speeding`" in md and md == c.markdown
    html = c._repr_html_()
    assert html.startswith('<section class="smtpcodes smtpcodes-classification"') and html == c.html
    assert "<script" not in html and "&quot;too many recipients this hour&quot;" in html
    assert c.text.startswith("Classification: " + c.title)
    es = smtpcodes.classify(USER_UNKNOWN, lang="es")._repr_html_()
    assert "Indicios" in es and "Rebote permanente" in es and "permanente" in es
    for english in ("Permanence", "permanent", "Evidence", "yes", "Retry", "temporary"):
        assert not re.search(rf"\b{english}\b", es), english


def test_card_escapes_text() -> None:
    # the evidence quotes a phrase of the rules and the codes; the card escapes every piece
    c = smtpcodes.classify("550 5.7.1 <script>alert(1)</script> & <img src=x> greylisted")
    html = c.html
    assert "<script" not in html and "<img" not in html
    for tag in ("section", "h2", "h3", "dl", "dt", "dd", "p", "code"):
        assert html.count(f"<{tag}") == html.count(f"</{tag}>"), tag


def test_signatures_and_docs() -> None:
    assert str(inspect.signature(smtpcodes.classify)) == "(reply, /, *, lang='en')"
    assert str(inspect.signature(smtpcodes.classify_many)) == "(lines, /, *, lang='en', threads=None)"
    assert str(inspect.signature(smtpcodes.reason_info)) == "(name, /, *, lang='en')"
    assert str(inspect.signature(smtpcodes.reasons)) == "()"
    for fn in (smtpcodes.classify, smtpcodes.classify_many, smtpcodes.reasons, smtpcodes.reason_info):
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40
    assert "ParseError" in (smtpcodes.classify_many.__doc__ or "")
    assert Classification.__doc__
    for meth in ("to_dict", "_repr_html_", "_repr_markdown_"):
        assert getattr(Classification, meth).__text_signature__ == "($self, /)"
    assert Classification.__module__ == "smtpcodes"


# ---- input types and bad input --------------------------------------------------------

def test_str_and_bytes_agree() -> None:
    for text in SAMPLE:
        if isinstance(text, bytes):
            continue
        a = smtpcodes.classify(text).to_dict()
        assert smtpcodes.classify(text.encode()).to_dict() == a
        assert smtpcodes.classify(bytearray(text.encode())).to_dict() == a
        assert smtpcodes.classify(memoryview(text.encode())).to_dict() == a


def test_empty_and_blank_raise_parse_error() -> None:
    for bad in ("", "   ", "\r\n", b"", b" \t \r\n ", "\n\n\n"):
        with pytest.raises(ParseError) as info:
            smtpcodes.classify(bad)
        assert repr(bad) in str(info.value)
        assert info.value.reason == "empty" and info.value.input == bad
        assert isinstance(info.value, ValueError)


def test_wrong_types() -> None:
    for wrong in (None, 550, 5.5, ["550 x"], object()):
        with pytest.raises(TypeError):
            smtpcodes.classify(wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.classify()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.classify("550 x", "en")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.classify("550 x", language="en")  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        smtpcodes.classify("550 x", lang="fr")
    with pytest.raises(TypeError):
        smtpcodes.classify("550 x", lang=None)  # type: ignore[arg-type]


def test_hostile_input() -> None:
    big = "550 5.1.1 " + "user unknown " * 8000  # ~100 kB
    assert len(big) > 100_000
    c = smtpcodes.classify(big)
    assert c.code == 550 and c.reason in smtpcodes.reasons()
    huge = b"x" * 100_000
    assert smtpcodes.classify(huge).code is None
    for text in (b"550 5.1.1 \x00\x00 user unknown", "550 5.1.1 user\x00unknown", b"\xff\xfe\xfd",
                 b"550 5.2.2 \xc3\x28 mailbox full", "550 5.1.1 \ud800 unknown", b"\x00", "\x1b[31m550\x1b[0m",
                 "550-" * 5000, "5" * 100_000, "550 5.1.1\n" * 10_000, b"\r" * 1000 + b"550"):
        c = smtpcodes.classify(text)
        assert c.reason in smtpcodes.reasons()
        c.advice, c.evidence, c.to_dict(), repr(c), str(c), c._repr_html_()
    assert "not-utf8" in smtpcodes.classify(b"550 5.1.1 \xff unknown").flags
    assert "control-chars" in smtpcodes.classify(b"550 5.1.1 \x00 unknown").flags


# ---- classify_many ---------------------------------------------------------------

def test_classify_many_order_and_error_entries() -> None:
    lines: list[str | bytes] = [USER_UNKNOWN, "", MAILBOX_FULL, "   ", GREYLISTED, GODADDY, b"", DELIVERED]
    out = smtpcodes.classify_many(lines)
    assert isinstance(out, list) and len(out) == len(lines)
    for i, (line, entry) in enumerate(zip(lines, out)):
        assert isinstance(entry, Classification), i  # one type per entry (issue 14)
        if line.strip():
            assert entry.error is None and entry.to_dict() == smtpcodes.classify(line).to_dict()
        else:
            with pytest.raises(ParseError) as exc:
                smtpcodes.classify(line)
            assert entry.error == str(exc.value) and repr(line) in entry.error
            assert entry.permanence is None and entry.code is None and not entry.hard_bounce and not entry.retry
    assert [e.reason for e in out] == \
        [smtpcodes.classify(x).reason if x.strip() else "error" for x in lines]
    assert [e.reason for e in out][:6] == ["userunknown", "error", "mailboxfull", "error", "greylisted", "speeding"]
    assert [e.to_dict()["error"] is None for e in out] == [bool(x.strip()) for x in lines]


def test_classify_many_inputs() -> None:
    expected = [c.to_dict() for c in smtpcodes.classify_many(list(SAMPLE))]  # type: ignore[union-attr]
    assert [smtpcodes.classify(t).to_dict() for t in SAMPLE] == expected
    assert [c.to_dict() for c in smtpcodes.classify_many(tuple(SAMPLE))] == expected  # type: ignore[union-attr]
    assert [c.to_dict() for c in smtpcodes.classify_many(t for t in SAMPLE)] == expected  # type: ignore[union-attr]
    assert [c.to_dict() for c in  # type: ignore[union-attr]
            smtpcodes.classify_many(t if isinstance(t, bytes) else t.encode() for t in SAMPLE)] == expected
    assert smtpcodes.classify_many([]) == []
    assert smtpcodes.classify_many(iter(())) == []
    es = smtpcodes.classify_many([MAILBOX_FULL], lang="es")[0]
    assert isinstance(es, Classification) and es.lang == "es"
    assert es.advice == smtpcodes.classify(MAILBOX_FULL, lang="es").advice
    big = smtpcodes.classify_many([MAILBOX_FULL, ""] * 10_000)  # several chunks
    assert len(big) == 20_000
    assert all(isinstance(c, Classification) and c.reason == "mailboxfull" for c in big[0::2])
    assert all(isinstance(c, Classification) and c.reason == "error" for c in big[1::2])


def test_classify_many_bad_arguments() -> None:
    with pytest.raises(TypeError, match="item 2"):
        smtpcodes.classify_many(["550 x", b"452 y", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="item 0"):
        smtpcodes.classify_many([550])  # type: ignore[list-item]
    for wrong in ("550 5.1.1 user unknown", b"550 x", 5, None):
        with pytest.raises(TypeError):
            smtpcodes.classify_many(wrong)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        smtpcodes.classify_many(["550 x"], lang="fr")

    def failing() -> Any:
        yield "550 x"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        smtpcodes.classify_many(failing())


def test_classify_many_list_mutated_by_other_thread() -> None:
    """The batch holds its own references: mutating the list meanwhile is harmless."""
    lines = [USER_UNKNOWN + " " + str(i) for i in range(50_000)]
    stop = threading.Event()

    def mutate() -> None:
        while not stop.is_set():
            lines.append("452 4.2.2 x")
            lines.pop()
            if len(lines) > 10:
                del lines[-1]

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for _ in range(3):
            out = smtpcodes.classify_many(lines)
            assert all(isinstance(c, Classification) for c in out)
    finally:
        stop.set()
        t.join()


def test_corpus_classify_many_equals_classify() -> None:
    texts = _corpus_texts()
    if not texts:
        pytest.skip(f"no corpus at {CORPUS}")
    many = smtpcodes.classify_many(texts)
    assert len(many) == len(texts)
    seen = set()
    for text, c in zip(texts, many):
        single: Classification | ParseError
        try:
            single = smtpcodes.classify(text)
        except ParseError as exc:
            single = exc
        assert isinstance(c, Classification)
        if isinstance(single, Classification):
            assert c.error is None and c.to_dict() == single.to_dict()
            seen.add(c.reason)
        else:
            assert c.reason == "error" and c.error == str(single)
    assert seen <= set(smtpcodes.reasons()) and len(seen) > 20


# ---- threads --------------------------------------------------------------------

def _workload() -> list[Any]:
    out: list[Any] = []
    for lang in ("en", "es"):
        out.append([c.to_dict() if isinstance(c, Classification) else ("error", str(c))
                    for c in smtpcodes.classify_many([*SAMPLE, "", "  ", *THREAD_LINES], lang=lang)])
    out.append([smtpcodes.lookup(x).title for x in (550, "5.1.1", 452, "4.2.2", 259, "5.9.123")])
    out.append([smtpcodes.parse(t).to_dict() for t in SAMPLE[:-2]])
    out.append(smtpcodes.compare(450, 550).text)
    out.append(smtpcodes.compare("5.1.1", 550, lang="es").markdown)
    out.append(smtpcodes.classify(GODADDY, lang="es").evidence)
    return out


THREAD_LINES = [t for t in _corpus_texts()[:400]] or [f"550 5.1.{i % 10} user {i} unknown" for i in range(400)]


def test_threads_agree_with_single_threaded_run() -> None:
    expected = _workload()
    results: list[list[Any]] = [[] for _ in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for _ in range(5):
                results[k].append(_workload())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(8):
        assert len(results[k]) == 5
        for run in results[k]:
            assert run == expected


# ---- memory --------------------------------------------------------------------

_growth = memory_growth


LEAK_LINES: list[str | bytes | bytearray] = [
    *SAMPLE, "", "   ", b"", "550 5.1.1 \ud800 x", bytearray(b"452 4.2.2 full"),
    *(f"550 5.1.1 <u{i}@example.org> user unknown" for i in range(100)),
]


def _exercise_classify() -> None:
    out = smtpcodes.classify_many(LEAK_LINES)
    for c in out[:20]:
        if isinstance(c, Classification):
            c.advice, c.evidence, c.flags, c.to_dict(), repr(c), str(c), c.title, c.phrase, c.vendor
    smtpcodes.classify_many(LEAK_LINES[:10], lang="es")
    smtpcodes.classify(GODADDY, lang="es").evidence
    smtpcodes.reason_info("mailboxfull", lang="es")
    smtpcodes.reasons()
    for bad in ("", b"  "):
        try:
            smtpcodes.classify(bad)
        except ParseError:
            pass
    for wrong in (None, [1]):
        try:
            smtpcodes.classify_many(wrong)  # type: ignore[arg-type]
        except TypeError:
            pass
    try:
        smtpcodes.reason_info("nope")
    except ValueError:
        pass


def test_no_memory_growth_classify_many() -> None:
    n = int(os.environ.get("SMTPCODES_LEAK_ITERATIONS", "2000")) // 4
    grown = _growth(_exercise_classify, n)
    assert grown < 16 * 1024, f"{grown} bytes after {n} runs"


def test_no_memory_growth_repr_html() -> None:
    c = smtpcodes.classify(GODADDY)
    grown = _growth(lambda: (c._repr_html_(), c._repr_markdown_(), None)[-1], 200)
    assert grown < 16 * 1024, f"{grown} bytes"


def test_classification_outlives_input() -> None:
    text = bytearray(GODADDY.encode())
    c = smtpcodes.classify(text)
    many = smtpcodes.classify_many([bytes(text)])
    text[:] = b"\xff" * len(text)
    del text
    gc.collect()
    assert c.reason == "speeding" and c.phrase and "too many recipients this hour" in c.evidence
    assert isinstance(many[0], Classification) and many[0].to_dict() == c.to_dict()
