"""Strict mode is RFC 5321 4.2 and 4.5.3.1.5 exactly: each violation raises ParseError with
its own reason; lenient mode reads the same inputs (CR-only, LF-only and mixed line ends)."""
import pytest

import smtpcodes
from smtpcodes import ParseError

CASES = [
    ("bare-lf", b"550-5.1.1 first\n550 5.1.1 last\r\n"),
    ("bare-cr", b"550-5.1.1 first\r550 5.1.1 last\r\n"),
    ("nul", b"550 5.1.1 User\x00unknown\r\n"),
    ("control", b"550 5.1.1 a bell \x07 here\r\n"),
    ("line-length", b"550 5.1.1 " + b"x" * 501 + b"\r\n"),
    ("separator", b"550:5.1.1 colon after the code\r\n"),
    ("trailing", b"550 5.1.1 last\r\n550 5.1.1 after the last\r\n"),
    ("no-line-code", b"550-5.1.1 first\r\nno code\r\n"),
    ("mixed", b"550-5.1.1 first\r\n551 5.1.1 last\r\n"),
    ("incomplete", b"550-5.1.1 first\r\n550-5.1.1 second\r\n"),
    ("range", b"650 5.1.1 out of range\r\n"),
    ("syntax", b"hello 550\r\n"),
]


@pytest.mark.parametrize("reason,data", CASES, ids=[c[0] for c in CASES])
def test_each_violation_has_its_status(reason: str, data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        smtpcodes.parse(data, strict=True)
    assert info.value.reason == reason
    assert str(info.value)


def test_512_octets_with_crlf_is_the_limit() -> None:
    ok = b"550 5.1.1 " + b"x" * 500 + b"\r\n"
    assert len(ok) == 512
    assert smtpcodes.parse(ok, strict=True).code == 550
    with pytest.raises(ParseError) as info:
        smtpcodes.parse(ok[:-2] + b"x\r\n", strict=True)
    assert info.value.reason == "line-length"
    assert "long-line" in smtpcodes.parse(ok[:-2] + b"x\r\n").flags


def test_strict_accepts_crlf_and_lenient_accepts_every_line_end() -> None:
    assert len(smtpcodes.parse("550-5.1.1 a\r\n550 5.1.1 b\r\n", strict=True).lines) == 2
    r = smtpcodes.parse("550-a\r550-b\n550 c\r\n")
    assert r.lines == ("a", "b", "c") and "control-chars" not in r.flags


def test_wrapped_reply_stage_and_text() -> None:
    r = smtpcodes.parse("host mx.example.com[192.0.2.1] said: 550-5.7.1 first 550-5.7.1 second "
                        "550 5.7.1 third (in reply to end of DATA command)")
    assert r.lines == ("first", "second", "third") and "incomplete" not in r.flags
    assert r.stage == "end of DATA"
    c = smtpcodes.classify("Nov 28 10:00:03 mx postfix/smtp[1]: 3F2A1: to=<bob@example.org>, dsn=5.1.1, "
                           "status=bounced (host aspmx.l.google.com[192.0.2.1] said: 550-5.1.1 The email account "
                           "that you tried to reach does not exist. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser "
                           "x - gsmtp (in reply to RCPT TO command))")
    assert (c.reason, c.provider, c.vendor, c.mta, c.stage) == ("userunknown", "Gmail", "Gmail", "Postfix", "RCPT TO")
    d = c.to_dict()
    assert d["provider"] == "Gmail" and d["mta"] == "Postfix" and d["stage"] == "RCPT TO"
