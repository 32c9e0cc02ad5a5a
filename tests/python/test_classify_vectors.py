"""The shared classification vectors (tests/vectors/classify.tsv): every reason, the priority
rules and vendor wording, through the Python binding, as str and as bytes."""
import pytest

import smtpcodes
from conftest import read_vectors, unescape


def rows():
    return [[field.decode("utf-8") for field in row] for row in read_vectors("classify.tsv")]


ROWS = list(rows())


@pytest.mark.parametrize("row", ROWS, ids=[r[0][:40] for r in ROWS])
def test_vector(row):
    text, reason, permanence, hard, retry, vendor, *extra = row   # optional: mta, stage
    data = unescape(text.encode("utf-8"))
    for arg in (data, data.decode("utf-8", "surrogateescape")):
        c = smtpcodes.classify(arg)
        assert c.reason == reason
        assert c.permanence == permanence
        assert c.hard_bounce is (hard == "1")
        assert c.retry is (retry == "1")
        assert (c.vendor or "-") == vendor
        assert c.provider == c.vendor
        if extra:
            assert (c.mta or "-") == extra[0]
        if len(extra) > 1:
            assert (c.stage or "-") == extra[1]
        assert c.evidence and c.advice


def test_every_reason_has_a_vector():
    assert {r[1] for r in ROWS} == set(smtpcodes.reasons())


def test_classify_many_matches_classify():
    texts = [unescape(r[0].encode("utf-8")) for r in ROWS]
    many = smtpcodes.classify_many(texts)
    assert [c.reason for c in many] == [smtpcodes.classify(t).reason for t in texts]
