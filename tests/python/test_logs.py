"""parse_log and `smtpcodes log`: the vectors of tests/vectors/logs.tsv (shared with C and
Lua), every line of examples/data/maillog.sample against the labels derived from
make_maillog.py's model, the LogRecord object (fields, to_dict, pickle, renderings) and the
command line."""
from __future__ import annotations

import json
import pathlib
import pickle
import subprocess
import sys

import pytest

import smtpcodes
from conftest import VECTORS, memory_growth, read_vectors, unescape

ROOT = VECTORS.parent.parent
SAMPLE = ROOT / "examples" / "data" / "maillog.sample"
MIB = 1 << 20
HUGE_POSTFIX = (b"Dec  2 00:27:01 mail postfix/smtp[1]: ABCDEF1234: to=<a@example.com>, relay=none, "
                b"delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (" + b"x" * MIB + b")")


def line_of(field: bytes) -> bytes:
    if field == b"<huge-garbage>":
        return b"a" * MIB
    if field == b"<huge-postfix>":
        return HUGE_POSTFIX
    return unescape(field)


ROWS = [r for r in read_vectors("logs.tsv") if r[0] != b"line" and len(r) >= 10]


def dash(v: object) -> str:
    return "-" if v is None else str(v)


def check_field(rec: smtpcodes.LogRecord, key: str, want: str) -> None:
    c = rec.classification
    values = {
        "queue_id": rec.queue_id, "sender": rec.sender, "orig": rec.original_recipient, "relay_ip": rec.relay_ip,
        "host": rec.host, "program": rec.program, "timestamp": rec.timestamp,
    }
    if key in values:
        assert dash(values[key]) == want, key
    elif key == "port":
        assert (rec.relay_port or 0) == int(want)
    elif key == "delay":
        assert rec.delay is not None and abs(rec.delay - float(want)) < 1e-3
    elif key == "code":
        assert dash(rec.reply.code if rec.reply else None) == want
    elif key == "reply":
        assert rec.reply is not None and want.endswith(rec.reply.text.split("\n")[-1])
    elif key == "enhanced":
        assert c.enhanced == want
    elif key == "permanence":
        assert c.permanence == want
    elif key == "hard_bounce":
        assert c.hard_bounce == (want == "true")
    else:
        raise AssertionError(f"unknown check {key}")


@pytest.mark.parametrize("row", ROWS, ids=[r[0][:60].decode("utf-8", "replace") for r in ROWS])
def test_vector(row: list[bytes]) -> None:
    f = [x.decode("utf-8") for x in row[1:]]
    kind, mta, status, rcpt, relay, dsn, retry, stage, reason = f[:9]
    checks = f[9] if len(f) > 9 else ""
    rec = smtpcodes.parse_log(line_of(row[0]))
    assert rec.kind == kind
    assert dash(rec.mta) == mta
    assert rec.status == status
    assert dash(rec.recipient) == rcpt
    assert dash(rec.relay) == relay
    assert dash(rec.dsn) == dsn
    assert rec.classification.retry == (retry == "true")
    assert dash(rec.stage) == stage
    if reason != "*":
        assert rec.classification.reason == reason
    if rec.status == "deferred":
        assert rec.classification.retry and rec.classification.reason != "expired"
        assert rec.classification.advice.startswith("Retry")
    if rec.kind == "other":
        assert rec.classification.reason == "none" and not rec.classification.retry and rec.reply is None
    for kv in filter(None, checks.split(";")):
        key, _, want = kv.partition("=")
        check_field(rec, key, want)


def test_vectors_cover_every_mta_and_flavour() -> None:
    recs = [smtpcodes.parse_log(line_of(r[0])) for r in ROWS]
    by_mta: dict[str | None, int] = {}
    for rec in recs:
        by_mta[rec.mta] = by_mta.get(rec.mta, 0) + 1
    assert by_mta["postfix"] >= 30 and by_mta["exim"] >= 15 and by_mta["sendmail"] >= 8 and by_mta["exchange"] >= 8
    stamps = {r.timestamp for r in recs if r.timestamp}
    assert any(s.startswith("Dec  2 ") for s in stamps)            # RFC 3164
    assert any("T" in s and s.endswith("Z") for s in stamps)      # RFC 5424 / CSV
    assert any(s.endswith("+0000") and "T" in s for s in stamps)  # journald short-iso
    assert any(s.startswith("2026-12-02 00:27:01") for s in stamps)  # Exim main log


def labels() -> list[list[str]]:
    rows = []
    for line in (VECTORS / "maillog_labels.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def test_labels_follow_the_model() -> None:
    """maillog_labels.tsv is what tests/tools/label_maillog.py derives from make_maillog.py,
    and the model replays maillog.sample exactly."""
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "tools" / "label_maillog.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_maillog_sample_every_line() -> None:
    lines = SAMPLE.read_text().splitlines()
    labs = labels()
    assert len(lines) == len(labs) == 320
    deferred = 0
    for line, lab in zip(lines, labs):
        n, kind, status, rcpt, relay, dsn, retry, stage = lab
        rec = smtpcodes.parse_log(line)
        where = f"maillog.sample line {n}"
        assert rec.kind == kind, where
        assert rec.status == status, where
        assert dash(rec.recipient) == rcpt, where
        assert dash(rec.relay) == relay, where
        assert dash(rec.dsn) == dsn, where
        assert rec.classification.retry == (retry == "true"), where
        assert dash(rec.stage) == stage, where
        if status == "deferred":
            deferred += 1
            c = rec.classification
            assert c.retry and c.permanence == "temporary" and c.reason != "expired", where
            assert "run out" not in c.advice and c.advice.startswith("Retry"), where
    assert deferred == sum(1 for lab in labs if lab[2] == "deferred") > 0


def test_record_fields_and_types() -> None:
    rec = smtpcodes.parse_log(SAMPLE.read_text().splitlines()[4])
    assert isinstance(rec, smtpcodes.LogRecord)
    assert rec.mta == "postfix" and rec.status == "deferred" and rec.queue_id == "5564F24F3E"
    assert rec.relay_ip == "198.51.100.25" and rec.relay_port == 25 and rec.delay == pytest.approx(5.35)
    assert isinstance(rec.reply, smtpcodes.Reply) and rec.reply.code == 451 and rec.reply.enhanced == "4.7.1"
    assert rec.reply.text == "Please try again later"
    assert isinstance(rec.classification, smtpcodes.Classification)
    assert rec.classification.mta == "Postfix" and rec.classification.stage == "RCPT TO"
    assert rec.program == "postfix/smtp" and rec.host == "mail" and rec.timestamp == "Nov 28 08:01:26"
    d = rec.to_dict()
    assert list(d)[:15] == ["kind", "mta", "status", "queue_id", "recipient", "original_recipient", "sender",
                            "relay", "relay_ip", "relay_port", "delay", "dsn", "stage", "reply", "classification"]
    assert d["reply"]["code"] == 451 and d["classification"]["retry"] is True
    json.dumps(d)
    assert "LogRecord" in repr(rec)


def test_renderings() -> None:
    rec = smtpcodes.parse_log(SAMPLE.read_text().splitlines()[4])
    assert rec.text.startswith("Log record: delivery, deferred\n")
    assert rec.markdown.startswith("## Log record: delivery, deferred")
    assert rec.html.startswith('<section class="smtpcodes smtpcodes-log" lang="en"')
    assert rec._repr_html_() == rec.html and rec._repr_markdown_() == rec.markdown
    es = rec.render(lang="es", format="html")
    assert 'lang="es"' in es and "Destinatario" in es and ">Recipient<" not in es
    assert rec.render("es").startswith("Registro de correo: entrega, aplazado")
    assert "will try again" in rec.text
    other = smtpcodes.parse_log("hello")
    assert "not a delivery record" in other.text
    with pytest.raises(ValueError):
        rec.render(format="pdf")
    with pytest.raises(ValueError):
        rec.render(lang="xx")
    es_rec = smtpcodes.parse_log(SAMPLE.read_text().splitlines()[4], lang="es")
    assert 'lang="es"' in es_rec.html and es_rec._repr_html_() == es_rec.html
    assert es_rec.text.startswith("Registro de correo") and es_rec.render("en").startswith("Log record")
    assert pickle.loads(pickle.dumps(es_rec)).html == es_rec.html
    evil = smtpcodes.parse_log(b"Dec  2 00:27:01 mail postfix/smtp[1]: ABCDEF1234: to=<a@example.com>, relay=none, "
                               b"delay=1, delays=0/0/1/0, dsn=5.1.1, status=bounced (<script>alert(1)</script>`x`)")
    assert "<script>" not in evil.html and "&lt;script&gt;" in evil.html


def test_pickle_and_bytes() -> None:
    line = SAMPLE.read_text().splitlines()[1]
    rec = smtpcodes.parse_log(line)
    again = pickle.loads(pickle.dumps(rec))
    assert again.to_dict() == rec.to_dict()
    assert smtpcodes.parse_log(line.encode()).to_dict() == rec.to_dict()
    assert smtpcodes.parse_log(bytearray(line.encode())).recipient == rec.recipient
    assert smtpcodes.parse_log(line + "\r\n").to_dict() == rec.to_dict()


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        smtpcodes.parse_log(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.parse_log()  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        smtpcodes.parse_log("x", lang="xx")
    assert smtpcodes.parse_log("x", lang="es").classification.lang == "es"


@pytest.mark.parametrize("data", [b"", b"\0" * 100, b"\xff\xfe" * 50, "caf\udce9".encode("utf-8", "surrogateescape"),
                                  b"<" * 5000, b"Dec  2 00:27:01 " * 2000, b"1abcDE-0001Xy-AB == " * 3000,
                                  b"a,b," * 4000, b"ABCDEF: to=<" * 4000])
def test_odd_input_is_other_or_delivery(data: bytes) -> None:
    rec = smtpcodes.parse_log(data)
    assert rec.kind in ("delivery", "other")
    rec.text, rec.html, rec.to_dict()


def test_huge_line_is_linear() -> None:
    import time
    t0 = time.perf_counter()
    rec = smtpcodes.parse_log(HUGE_POSTFIX)
    assert rec.status == "deferred" and rec.classification.retry
    small = smtpcodes.parse_log(b"a" * (MIB // 16))
    assert small.kind == "other"
    assert time.perf_counter() - t0 < 5


def test_no_leak() -> None:
    line = SAMPLE.read_text().splitlines()[1]
    assert memory_growth(lambda: smtpcodes.parse_log(line).to_dict(), 2000) < 64 * 1024


# ---- the command line ----------------------------------------------------------------

def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "smtpcodes", *args], input=stdin, capture_output=True, timeout=120)


def test_cli_log_file_tsv() -> None:
    proc = cli("log", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    labs = labels()
    assert len(out) == 320
    for row, lab in zip(out, labs):
        f = row.split("\t")
        # line, kind, mta, status, recipient, relay, dsn, reason, retry, stage
        assert f[0] == lab[0] and f[1] == lab[1] and f[3] == lab[2] and f[4] == lab[3] and f[5] == lab[4]
        assert f[6] == lab[5] and f[8] == ("1" if lab[6] == "true" else "0") and f[9] == lab[7]


def test_cli_log_stdin_json_and_stats() -> None:
    data = SAMPLE.read_bytes()
    proc = cli("log", "--json", "--stats", "-", stdin=data)
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(recs) == 320
    for rec, lab in zip(recs, labels()):
        assert rec["line"] == int(lab[0]) and rec["kind"] == lab[1] and rec["status"] == lab[2]
        assert (rec["recipient"] or "-") == lab[3] and (rec["dsn"] or "-") == lab[5]
        assert rec["classification"]["retry"] == (lab[6] == "true")
        for key in ("mta", "queue_id", "original_recipient", "sender", "relay", "relay_ip", "relay_port", "delay",
                    "stage", "reply"):
            assert key in rec
    stats = proc.stderr.decode()
    assert "320 lines" in stats and "deferred" in stats and "sent" in stats


def test_cli_log_errors() -> None:
    proc = cli("log", "/nonexistent/file")
    assert proc.returncode == 2 and b"cannot open" in proc.stderr
    proc = cli("log", "a", "b")
    assert proc.returncode == 2
    proc = cli("log", "-", stdin=b"\n\0\0\nnot a log line\n")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 3
