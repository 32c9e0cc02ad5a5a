"""classify_columns (issue 14, API.md "Columns"): lists, pandas Series and Arrow arrays or
streams in; a Columns mapping out that pandas.DataFrame and pyarrow.table accept, equal to
classify_many row by row."""
from __future__ import annotations

import pathlib
import pickle
import sys
import threading
from typing import Any

import pytest

import smtpcodes
from smtpcodes import Columns, classify_columns

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data" / "maillog.sample"
LINES: list[Any] = [
    "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
    "452 4.2.2 The email account that you tried to reach is over quota. - gsmtp",
    "", "   ", b"421 4.7.0 Try again later, closing connection.",
    b"550 5.1.1 M\xfcller unknown", "250 2.0.0 OK queued",
    "450 4.2.0 <a@b.c>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/b.c.html",
    "Nov 28 10:00:03 mx postfix/smtp[4242]: 3F2A1: to=<bob@example.org>, relay=mx.example.org[192.0.2.1]:25, "
    "delay=0.5, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>: "
    "Recipient address rejected: User unknown (in reply to RCPT TO command))",
    "550 5.7.1 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume",
]


def _lines() -> list[Any]:
    out = list(LINES)
    if SAMPLE.exists():
        out += SAMPLE.read_bytes().splitlines()
    return out


def expected_rows(lines: list[Any]) -> list[dict[str, Any]]:
    """What classify_many says, in the columns' fields (error rows: the core's message)."""
    rows = []
    for c in smtpcodes.classify_many(lines):
        if c.error is not None:
            rows.append({"reason": "error", "permanence": None, "hard_bounce": False, "retry": False,
                         "code": None, "enhanced": None, "provider": None, "mta": None, "stage": None,
                         "error": "empty input"})
            continue
        rows.append({"reason": c.reason, "permanence": c.permanence, "hard_bounce": c.hard_bounce,
                     "retry": c.retry, "code": c.code, "enhanced": c.enhanced,
                     "provider": getattr(c, "provider", c.vendor), "mta": getattr(c, "mta", None),
                     "stage": getattr(c, "stage", None), "error": None})
    return rows


def test_list_equals_classify_many() -> None:
    lines = _lines()
    cols = classify_columns(lines)
    assert isinstance(cols, Columns) and isinstance(cols, dict)
    assert list(cols) == ["reason", "permanence", "hard_bounce", "retry", "code", "enhanced", "provider", "mta",
                          "stage", "error"]
    assert cols.num_rows == len(lines) and all(len(c) == len(lines) for c in cols.values())
    assert cols.to_pylist() == expected_rows(lines)
    assert classify_columns(tuple(lines)).to_pylist() == cols.to_pylist()
    assert classify_columns(iter(lines)).to_pylist() == cols.to_pylist()


def test_threads_give_the_same_columns() -> None:
    lines = _lines() * 50
    one = classify_columns(lines, threads=1)
    assert classify_columns(lines, threads=4).to_pylist() == one.to_pylist()
    assert classify_columns(lines).to_pylist() == one.to_pylist()
    with pytest.raises(ValueError):
        classify_columns(lines, threads=0)
    with pytest.raises(TypeError):
        classify_columns(lines, threads="2")  # type: ignore[arg-type]


def test_errors_nulls_and_bad_arguments() -> None:
    cols = classify_columns(["", None, "550 5.1.1 x", "\ud800 550 odd"])
    assert cols["reason"].to_pylist()[:3] == ["error", "error", "userunknown"]
    assert cols["error"].to_pylist()[:3] == ["empty input", "missing value", None]
    assert cols["permanence"][0] is None and cols["code"][2] == 550
    assert classify_columns([]).num_rows == 0 and classify_columns([]).to_pylist() == []
    with pytest.raises(TypeError):
        classify_columns("550 x")
    with pytest.raises(TypeError):
        classify_columns([550])
    with pytest.raises(TypeError):
        classify_columns(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        classify_columns(["550 x"], lang="fr")


def test_columns_pickle_and_index() -> None:
    cols = classify_columns(LINES)
    back = pickle.loads(pickle.dumps(cols))
    assert isinstance(back, Columns) and back.to_pylist() == cols.to_pylist()
    reason = cols["reason"]
    assert reason[-1] == reason[len(LINES) - 1] and reason[0:2] == reason.to_pylist()[:2]
    assert list(reason.indices)[0] == reason.dictionary.index(reason[0])
    with pytest.raises(IndexError):
        reason[len(LINES)]


def test_no_python_object_per_line() -> None:
    lines = ["550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown %d" % i for i in range(100_000)]
    before = sys.getallocatedblocks()
    cols = classify_columns(lines)
    grown = sys.getallocatedblocks() - before
    assert cols.num_rows == 100_000
    assert grown < 2_000, grown  # the result holds buffers, not 100 000 objects


def test_gil_is_released() -> None:
    lines = _lines() * 400
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        classify_columns(lines, threads=1)
    finally:
        done.set()
        t.join()
    assert ticks > 0


def test_pandas() -> None:
    pd = pytest.importorskip("pandas")
    lines = _lines()
    series = pd.Series([x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in lines])
    cols = classify_columns(series)
    df = pd.DataFrame(cols)
    assert list(df.columns) == list(cols) and len(df) == len(lines)
    assert list(df["reason"]) == cols["reason"].to_pylist()
    assert df["hard_bounce"].dtype == bool
    typed = cols.to_pandas()
    assert str(typed["reason"].dtype) == "category" and str(typed["code"].dtype) == "Int16"
    assert typed["reason"].tolist() == cols["reason"].to_pylist()
    assert typed["code"].iloc[0] == 550 and pd.isna(typed["code"].iloc[2])
    # object Series with None, and a Series of bytes
    assert classify_columns(pd.Series(["550 5.1.1 x", None]))["error"].to_pylist() == [None, "missing value"]
    assert classify_columns(pd.Series([b"550 5.1.1 x"], dtype=object))["code"].to_pylist() == [550]
    assert (df.groupby("reason", observed=True).size() > 0).all()


def test_pyarrow_in_and_out() -> None:
    pa = pytest.importorskip("pyarrow")
    lines = [x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in _lines()]
    ref = classify_columns(lines).to_pylist()
    arr = pa.array(lines)
    for data in (arr, arr.cast(pa.large_string()), arr.cast(pa.string_view()), arr.dictionary_encode(),
                 pa.array([x.encode() for x in lines]), pa.chunked_array([arr.slice(0, 3), arr.slice(3)]),
                 pa.table({"line": arr}), pa.record_batch([arr], names=["line"])):
        assert classify_columns(data).to_pylist() == ref, type(data)
    assert classify_columns(arr.slice(2, 5)).to_pylist() == ref[2:7]
    nulls = classify_columns(pa.array(["550 5.1.1 x", None]))
    assert nulls["error"].to_pylist() == [None, "missing value"]
    with pytest.raises(TypeError):
        classify_columns(pa.array([1, 2]))
    with pytest.raises(TypeError):
        classify_columns(pa.table({"a": arr, "b": arr}))
    cols = classify_columns(arr)
    table = pa.table(cols)
    assert table.num_rows == len(lines) and table.column_names == list(cols)
    assert pa.types.is_dictionary(table.schema.field("reason").type)
    assert table.to_pylist() == ref
    stream = pa.RecordBatchReader.from_stream(cols).read_all()
    assert stream.to_pylist() == ref and stream.schema.names == table.schema.names
    assert not stream.schema.field("reason").nullable and stream.schema.field("code").nullable
    assert pa.array(cols["reason"]).to_pylist() == cols["reason"].to_pylist()
    # the exported buffers outlive the Columns object
    del cols
    import gc
    gc.collect()
    assert table.to_pylist() == ref
