"""parse_bounce(): whole bounce messages through the C core (issue 12).

Vectors: tests/vectors/bounces/*.eml with expected.tsv (one per kind: bounce,
delay, feedback, autoreply, delivered, other; plus qmail, Exim and a
forwarded report). The same files are read by the C and Lua suites.
"""
import csv
import email
import email.policy
import json
import os
import pickle

import pytest

import smtpcodes

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors", "bounces")


def rows():
    with open(os.path.join(VECTORS, "expected.tsv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read(name):
    with open(os.path.join(VECTORS, name), "rb") as f:
        return f.read()


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["file"])
def test_vector(row):
    b = smtpcodes.parse_bounce(read(row["file"]))
    assert isinstance(b, smtpcodes.Bounce)
    assert b.kind == row["kind"]
    assert (b.format or "") == row["format"]
    assert len(b.recipients) == int(row["nrecipients"])
    assert b.truncated is False
    if b.recipients:
        r = b.recipients[0]
        assert isinstance(r, smtpcodes.BounceRecipient)
        assert r.recipient == row["recipient"]
        assert (r.action or "") == row["action"]
        assert (r.status or "") == row["status"]
        assert isinstance(r.classification, smtpcodes.Classification)
        assert r.classification.reason == row["reason"]
        assert (r.stage or "") == row["stage"]
        assert r.classification.evidence_kind == row["evidence_kind"]
        for lang, none in (("en", "neither a code"), ("es", "ni ninguna frase")):
            ev = smtpcodes.parse_bounce(read(row["file"]), lang=lang).recipients[0].classification.evidence
            assert row["reason"] in ev and none not in ev, ev   # the evidence names what decided
        assert r.reply is None or isinstance(r.reply, smtpcodes.Reply)
    for fmt in ("text", "markdown", "html"):
        for lang in ("en", "es"):
            card = b.render(lang=lang, format=fmt)
            assert card
            if fmt == "html":
                assert 'class="smtpcodes smtpcodes-bounce"' in card and f'lang="{lang}"' in card
    json.dumps(b.to_dict())


def test_every_kind_has_a_vector():
    assert {r["kind"] for r in rows()} == {"bounce", "delay", "feedback", "autoreply", "delivered", "other"}


def test_input_types():
    raw = read("postfix-userunknown.eml")
    a = smtpcodes.parse_bounce(raw)
    b = smtpcodes.parse_bounce(raw.decode("utf-8"))
    c = smtpcodes.parse_bounce(email.message_from_bytes(raw))
    d = smtpcodes.parse_bounce(email.message_from_bytes(raw, policy=email.policy.default))
    e = smtpcodes.parse_bounce(bytearray(raw))
    for x in (a, b, c, d, e):
        assert x.kind == "bounce"
        assert [r.recipient for r in x.recipients] == ["bob@example.org"]
    with pytest.raises(TypeError):
        smtpcodes.parse_bounce(42)
    with pytest.raises(ValueError):
        smtpcodes.parse_bounce(raw, lang="xx")


def test_postfix_fields():
    b = smtpcodes.parse_bounce(read("postfix-userunknown.eml"))
    assert b.reporting_mta == "dns; mx.example.net"
    assert b.original["subject"] == "Hola Bob"
    assert b.original["message_id"] == "<msg-1@example.net>"
    r = b.recipients[0]
    assert r.reply.code == 550 and r.reply.enhanced == "5.1.1"
    assert r.classification.hard_bounce is True
    assert r.remote_mta == "mx.example.org"
    assert r.diagnostic_type == "smtp"
    d = b.to_dict()
    assert d["recipients"][0]["classification"]["reason"] == "userunknown"
    assert d["recipients"][0]["reply"]["code"] == 550


def test_feedback_fields():
    b = smtpcodes.parse_bounce(read("arf.eml"))
    assert (b.feedback_type, b.source_ip) == ("abuse", "192.0.2.99")


def test_cards_and_pickle():
    b = smtpcodes.parse_bounce(read("exim.eml"), lang="es")
    assert "Destinatarios" in b.text
    assert "<table" in b.html and "<script" not in b.html
    assert b._repr_html_() == b.html
    assert "Recipients" in b.render(lang="en")
    c = pickle.loads(pickle.dumps(b))
    assert c.to_dict() == b.to_dict()
    assert c.render() == b.render()


def test_many_recipients_truncated():
    head = ("From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n"
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"XX\"\n\n"
            "--XX\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n")
    body = "".join(f"Final-Recipient: rfc822; u{i}@example.org\nAction: failed\nStatus: 5.1.1\n\n" for i in range(10000))
    b = smtpcodes.parse_bounce(head + body + "--XX--\n")
    assert b.total_recipients == 10000
    assert len(b.recipients) == 1024
    assert b.truncated is True
    assert b.recipients[-1].recipient == "u1023@example.org"


def test_malformed_messages():
    assert smtpcodes.parse_bounce(b"").kind == "other"
    assert smtpcodes.parse_bounce(b"\x00\xff" * 1000).kind == "other"
    deep = "Content-Type: multipart/mixed; boundary=b0\n\n" + "".join(
        f"--b{i}\nContent-Type: multipart/mixed; boundary=b{i + 1}\n\n" for i in range(10000))
    b = smtpcodes.parse_bounce(deep)
    assert b.kind == "other" and b.truncated is True


# ---- the command line: smtpcodes bounce FILE|DIR|MBOX -------------------------------

import pathlib  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

ROOT = pathlib.Path(HERE).parent.parent
BINARY = ROOT / "build" / "smtpcodes"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent


def runners():
    out = ["python"]
    if BINARY.exists():
        out.append("binary")
    return out


def cli(runner, *args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    argv = [sys.executable, "-P", "-m", "smtpcodes"] if runner == "python" else [str(BINARY)]
    return subprocess.run(argv + list(args), capture_output=True, env=env, timeout=120)


def tsv(res):
    return [line.split("\t") for line in res.stdout.decode().splitlines()]


@pytest.fixture()
def maildir(tmp_path):
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "Maildir" / sub).mkdir(parents=True)
    shutil.copy(os.path.join(VECTORS, "postfix-userunknown.eml"), tmp_path / "Maildir" / "cur" / "1.host:2,S")
    shutil.copy(os.path.join(VECTORS, "exim.eml"), tmp_path / "Maildir" / "new" / "2.host")
    (tmp_path / "Maildir" / "tmp" / "3.host").write_bytes(read("qmail.eml"))   # tmp/ is not read
    return tmp_path / "Maildir"


@pytest.mark.parametrize("runner", runners())
def test_cli_maildir(runner, maildir):
    res = cli(runner, "bounce", "--stats", str(maildir))
    assert res.returncode == 0, res.stderr
    rows = tsv(res)
    assert [(r[1], r[3]) for r in rows] == [("bob@example.org", "userunknown"), ("ivan@example.com", "userunknown"),
                                            ("judy@example.com", "mesgtoobig")]
    assert all(len(r) == 10 for r in rows)
    assert rows[0][0].endswith("cur/1.host:2,S") and rows[0][2] == "failed" and rows[0][5] == "1"
    assert rows[0][6] == "5.1.1" and rows[0][7] == "550"
    assert b"2 messages, 3 recipients" in res.stderr
    assert b"\r[" not in res.stderr   # no progress bar when stderr is not a terminal


@pytest.mark.parametrize("runner", runners())
def test_cli_mbox_json(runner, tmp_path):
    mbox = tmp_path / "bounces.mbox"
    parts = []
    for name in ("qmail.eml", "other.eml", "arf.eml"):
        parts.append(b"From MAILER-DAEMON Mon Mar  2 10:00:00 2026\n" + read(name).rstrip(b"\n") + b"\n\n")
    mbox.write_bytes(b"".join(parts))
    res = cli(runner, "bounce", "--json", str(mbox))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert [(r["file"].rsplit(":", 1)[1], r["kind"], r["recipient"], r["reason"]) for r in rows] == [
        ("1", "bounce", "heidi@example.com", "mailboxfull"), ("2", "other", None, None),
        ("3", "feedback", "erin@example.com", "feedback")]


@pytest.mark.parametrize("runner", runners())
def test_cli_folder_and_errors(runner, tmp_path):
    folder = tmp_path / "eml"
    folder.mkdir()
    for name in ("delay.eml", "delivered.eml"):
        shutil.copy(os.path.join(VECTORS, name), folder / name)
    res = cli(runner, "bounce", str(folder), str(tmp_path / "missing.eml"))
    assert res.returncode == 2   # an unreadable input is reported, the rest is read
    assert b"missing.eml" in res.stderr
    assert [(r[1], r[2]) for r in tsv(res)] == [("carol@example.com", "delayed"), ("dave@example.com", "delivered")]
    card = cli(runner, "bounce", "--html", "--lang", "es", os.path.join(VECTORS, "exim.eml"))
    assert card.returncode == 0 and b"<table" in card.stdout and b'lang="es"' in card.stdout


@pytest.mark.parametrize("runner", runners())
def test_cli_explain_message_file(runner):
    res = cli(runner, "explain", os.path.join(VECTORS, "qmail.eml"))
    assert res.returncode == 0, res.stderr
    assert b"heidi@example.com" in res.stdout and b"mailboxfull" in res.stdout
    es = cli(runner, "--lang", "es", "--markdown", "explain", os.path.join(VECTORS, "exim.eml"))
    assert b"#### judy@example.com" in es.stdout and b"Destinatarios" in es.stdout


@pytest.mark.parametrize("name,diagnostic", [
    # a DSN group without Diagnostic-Code: the Status comment that says where and what, not the
    # text part's "dave@example.net; Action: Delayed" line
    ("dsn-status-comment.eml", "example.net: host name lookup failure"),
    # the address found only in the returned message's quoted headers: the text's explanation
    # above them, not "Subject: hello Date: ..."
    ("text-quoted-headers.eml", "Message could not be delivered to mobile. Error: No valid recipients for this message"),
    # one recipient, no diagnostic in the DSN and no mention in the text: the text's reply line
    ("dsn-transcript-only.eml", '554 "|/usr/bin/procmail -f-"... Service unavailable'),
])
def test_diagnostic_is_an_explanation_not_fields(name, diagnostic):
    r = smtpcodes.parse_bounce(read(name)).recipients[0]
    assert r.diagnostic == diagnostic


def test_a_generic_status_comment_is_no_diagnostic():
    msg = read("dsn-status-comment.eml").replace(b"(example.net: host name lookup failure)", b"(persistent transient failure)")
    msg = msg.replace(b"dave@example.net; Action: Delayed", b"dave@example.net")
    r = smtpcodes.parse_bounce(msg).recipients[0]
    assert r.diagnostic is None and r.status == "4.4.3"
