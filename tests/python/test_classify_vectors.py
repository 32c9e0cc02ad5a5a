"""The shared classification vectors (tests/vectors/classify.tsv): every reason, the priority
rules and vendor wording, through the Python binding, as str and as bytes."""
import os

import pytest

import smtpcodes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}.get(n, n.encode())
            i += 2
            continue
        out += s[i].encode("utf-8")
        i += 1
    return bytes(out)


def rows():
    with open(os.path.join(ROOT, "tests", "vectors", "classify.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            yield line.rstrip("\n").split("\t")


ROWS = list(rows())


@pytest.mark.parametrize("row", ROWS, ids=[r[0][:40] for r in ROWS])
def test_vector(row):
    text, reason, permanence, hard, retry, vendor = row
    data = unescape(text)
    for arg in (data, data.decode("utf-8", "surrogateescape")):
        c = smtpcodes.classify(arg)
        assert c.reason == reason
        assert c.permanence == permanence
        assert c.hard_bounce is (hard == "1")
        assert c.retry is (retry == "1")
        assert (c.vendor or "-") == vendor
        assert c.evidence and c.advice


def test_every_reason_has_a_vector():
    assert {r[1] for r in ROWS} == set(smtpcodes.reasons())


def test_classify_many_matches_classify():
    texts = [unescape(r[0]) for r in ROWS]
    many = smtpcodes.classify_many(texts)
    assert [c.reason for c in many] == [smtpcodes.classify(t).reason for t in texts]
