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
