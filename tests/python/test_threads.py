"""threads= of classify_many and classify_columns (issue 16): the same results, in input order,
whatever the thread count; bad thread counts and bad lines are errors, never a crash."""
import pytest

import smtpcodes

BASE = [
    "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
    "452 4.2.2 Mailbox full",
    "421 4.7.0 Try again later, closing connection",
    "250 2.0.0 Ok: queued as 4ABC",
    "",             # an error entry
    "   ",          # an error entry
    b"554 5.7.1 \xff\xfe not utf-8",
    "550\x005.1.1 nul inside",
    "x" * 5000,
]
# enough lines that every thread gets a share (at least 1024 lines each), in a varied order
def _line(i: int) -> str | bytes:
    x = BASE[(i * 7) % len(BASE)]
    if i % 3:
        return x
    return x + (f" #{i}".encode() if isinstance(x, bytes) else f" #{i}")


LINES = [_line(i) for i in range(20_000)]


def key(c: smtpcodes.Classification) -> tuple:
    return (c.reason, c.permanence, c.hard_bounce, c.retry, c.code, c.enhanced, c.error, c.raw)


@pytest.mark.parametrize("threads", [2, 3, 4, 64, 10**30])
def test_classify_many_threads_equal_one_thread(threads: int) -> None:
    one = [key(c) for c in smtpcodes.classify_many(LINES, threads=1)]
    many = [key(c) for c in smtpcodes.classify_many(LINES, threads=threads)]
    assert many == one
    assert len(many) == len(LINES)
    # in input order: each entry is its own line's
    assert [c.raw for c in smtpcodes.classify_many(LINES[:3000], threads=threads)] == \
        [smtpcodes.classify_many([x])[0].raw for x in LINES[:3000]]


def test_classify_many_default_is_one_thread() -> None:
    assert [key(c) for c in smtpcodes.classify_many(LINES[:5000])] == \
        [key(c) for c in smtpcodes.classify_many(LINES[:5000], threads=None)]


def test_classify_many_bad_lines_give_error_entries_with_threads() -> None:
    out = smtpcodes.classify_many(["", "550 5.1.1 x", "  "] * 2000, threads=4)
    assert [c.reason for c in out[:3]] == ["error", "userunknown", "error"]
    assert out[0].error and out[1].error is None
    with pytest.raises(TypeError, match="item 1"):
        smtpcodes.classify_many(["550 x", None], threads=2)  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [0, -1, -(10**30)])
def test_bad_thread_counts_are_value_errors(bad: int) -> None:
    with pytest.raises(ValueError, match="threads"):
        smtpcodes.classify_many(LINES[:10], threads=bad)
    with pytest.raises(ValueError, match="threads"):
        smtpcodes.classify_columns(LINES[:10], threads=bad)


@pytest.mark.parametrize("bad", ["2", 2.0, True, [2]])
def test_wrong_thread_types_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError, match="threads"):
        smtpcodes.classify_many(LINES[:10], threads=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="threads"):
        smtpcodes.classify_columns(LINES[:10], threads=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("threads", [2, 4, 10**30])
def test_classify_columns_threads_equal_one_thread(threads: int) -> None:
    one = smtpcodes.classify_columns(LINES, threads=1).to_pylist()
    assert smtpcodes.classify_columns(LINES, threads=threads).to_pylist() == one
    many = smtpcodes.classify_many(LINES, threads=threads)
    assert [r["reason"] for r in one] == [c.reason for c in many]
