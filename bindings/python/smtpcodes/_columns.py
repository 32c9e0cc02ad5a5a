"""classify_columns: text columns in, result columns out (see API.md, "Columns").

The work is done in C (bindings/python/_columns.c): the input is read as
(pointer, length) views, classified in batches with the GIL released, and
encoded straight into column buffers (dictionary indices, bit-packed booleans,
int16 codes, validity bitmaps) held in bytes objects. No Python object is made
per line on the way. This module only wraps those buffers: Columns is a dict
from field name to Column, and both export the Arrow C data interface
(__arrow_c_stream__ / __arrow_c_array__), so pyarrow, polars and duckdb read
them without smtpcodes importing any of them. numpy (for __array__) and pandas
(for to_pandas) are imported only when those methods are called.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from . import _smtpcodes

__all__ = ["Column", "Columns", "classify_columns", "FIELDS"]

FIELDS = ("reason", "permanence", "hard_bounce", "retry", "code", "enhanced", "provider", "mta", "stage", "error")

_DTYPES = {1: "i1", 2: "i2", 4: "i4"}


class Column(Sequence):  # type: ignore[type-arg]
    """One result column: equal length to the input, read-only.

    kind "dict": dictionary-encoded strings (indices into `dictionary`; None
    where null); "bool": bit-packed booleans; "int16": the basic reply code
    (None where the line has none). Exports __arrow_c_array__ (a dictionary
    array for "dict" columns) and __array__ (numpy)."""

    __slots__ = ("name", "kind", "_width", "_data", "_valid", "null_count", "dictionary", "_n")

    def __init__(self, spec: tuple[Any, ...], n: int) -> None:
        self.name, self.kind, self._width, self._data, self._valid, self.null_count, self.dictionary = spec
        self._n = n

    def _spec(self) -> tuple[Any, ...]:
        return (self.name, self.kind, self._width, self._data, self._valid, self.null_count, self.dictionary)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Column, (self._spec(), self._n))

    def __len__(self) -> int:
        return self._n

    def _is_valid(self, i: int) -> bool:
        return self._valid is None or bool(self._valid[i >> 3] >> (i & 7) & 1)

    def _get(self, i: int) -> Any:
        if not self._is_valid(i):
            return None
        if self.kind == "bool":
            return bool(self._data[i >> 3] >> (i & 7) & 1)
        if self.kind == "int16":
            return int.from_bytes(self._data[2 * i:2 * i + 2], "little", signed=True)
        w = self._width
        return self.dictionary[int.from_bytes(self._data[w * i:w * i + w], "little", signed=True)]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._get(k) for k in range(*i.indices(self._n))]
        i = i.__index__()
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("Column index out of range")
        return self._get(i)

    def __iter__(self) -> Iterator[Any]:
        return (self._get(i) for i in range(self._n))

    def to_pylist(self) -> list[Any]:
        """The values as a list (one Python object per row: for small results and tests)."""
        return list(self)

    @property
    def indices(self) -> memoryview:
        """A "dict" column's dictionary indices (a memoryview of int8/int16/int32)."""
        if self.kind != "dict":
            raise TypeError(f"column {self.name!r} is not dictionary-encoded")
        fmt: Any = {1: "b", 2: "h", 4: "i"}[self._width]
        return memoryview(self._data).cast(fmt)

    def __arrow_c_array__(self, requested_schema: Any = None) -> tuple[Any, Any]:
        return _smtpcodes._arrow_export(self._n, [self._spec()], 0, 0)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        n = self._n
        valid = None
        if self._valid is not None:
            valid = np.unpackbits(np.frombuffer(self._valid, np.uint8), bitorder="little")[:n].astype(bool)
        if self.kind == "bool":
            out = np.unpackbits(np.frombuffer(self._data, np.uint8), bitorder="little")[:n].astype(bool)
        elif self.kind == "int16":
            out = np.frombuffer(self._data, "<i2", count=n).astype(np.int32)
            if valid is not None:
                out = np.where(valid, out, np.nan)
        else:
            idx = np.frombuffer(self._data, "<" + _DTYPES[self._width], count=n)
            values = np.empty(len(self.dictionary) + 1, dtype=object)
            values[:-1] = self.dictionary
            values[-1] = None
            out = values[np.where(valid, idx, -1) if valid is not None else idx]
        return out if dtype is None else out.astype(dtype)

    def to_pandas(self) -> Any:
        """A pandas Series: categorical for "dict" columns, boolean, nullable Int16."""
        import numpy as np
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]

        if self.kind == "dict":
            codes = np.frombuffer(self._data, "<" + _DTYPES[self._width], count=self._n).astype(np.int32)
            if self._valid is not None:
                valid = np.unpackbits(np.frombuffer(self._valid, np.uint8), bitorder="little")[:self._n]
                codes = np.where(valid.astype(bool), codes, -1)
            cat = pd.Categorical.from_codes(codes, categories=pd.Index(list(self.dictionary), dtype=object))
            return pd.Series(cat, name=self.name)
        if self.kind == "bool":
            return pd.Series(self.__array__(), name=self.name, dtype=bool)
        values = np.frombuffer(self._data, "<i2", count=self._n)
        mask = None
        if self._valid is not None:
            mask = ~np.unpackbits(np.frombuffer(self._valid, np.uint8), bitorder="little")[:self._n].astype(bool)
        else:
            mask = np.zeros(self._n, dtype=bool)
        return pd.Series(pd.arrays.IntegerArray(values.copy(), mask), name=self.name)

    def __repr__(self) -> str:
        head = ", ".join(repr(v) for v in self[:5])
        return f"<Column {self.name} ({self.kind}) [{head}{', ...' if self._n > 5 else ''}] len={self._n}>"


class Columns(dict):  # type: ignore[type-arg]
    """The result of classify_columns: a dict from field name to Column, every
    column as long as the input. pandas.DataFrame(cols) and pyarrow.table(cols)
    accept it; it exports __arrow_c_stream__ (one struct batch) and pickles."""

    num_rows: int

    def __init__(self, n: int, specs: list[tuple[Any, ...]]) -> None:
        super().__init__((s[0], Column(s, n)) for s in specs)
        self.num_rows = n
        self._specs = specs

    def __reduce__(self) -> tuple[Any, ...]:
        return (Columns, (self.num_rows, self._specs))

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return _smtpcodes._arrow_export(self.num_rows, list(self._specs), -1, 1)

    def __arrow_c_array__(self, requested_schema: Any = None) -> tuple[Any, Any]:
        return _smtpcodes._arrow_export(self.num_rows, list(self._specs), -1, 0)

    def to_pandas(self) -> Any:
        """A pandas DataFrame with categorical, boolean and nullable Int16 dtypes."""
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]

        return pd.DataFrame({name: col.to_pandas() for name, col in self.items()})

    def to_pylist(self) -> list[dict[str, Any]]:
        """One dict per row (for small results and tests)."""
        cols = {k: v.to_pylist() for k, v in self.items()}
        return [{k: cols[k][i] for k in cols} for i in range(self.num_rows)]

    def __repr__(self) -> str:
        return f"<Columns {self.num_rows} rows: {', '.join(self)}>"


def _threads(threads: int | None) -> int:
    if threads is None:
        return max(1, min(8, os.cpu_count() or 1))
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be an int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError("threads must be >= 1 or None")
    return min(threads, 64)  # the C side's MAX_THREADS; a huge int would not fit a C long


def classify_columns(data: Any, *, lang: str = "en", threads: int | None = None) -> Columns:
    """Classify a column of replies or log lines and return a Columns object.

    data: a list, tuple or any sequence or iterable of str / bytes (None is a
    missing value), a pandas Series, or any object with the Arrow PyCapsule
    interface (__arrow_c_stream__ or __arrow_c_array__: pyarrow arrays,
    chunked arrays and one-column tables, polars Series, duckdb results) of
    strings or binaries (a dictionary of them too). lang is checked like
    classify()'s (the columns hold names, which have no language). threads:
    how many POSIX threads classify each batch (None: one per CPU, at most 8).

    Fields: reason (dictionary-encoded; "error" for a line that cannot be
    classified), permanence, hard_bounce, retry, code (int16), enhanced,
    provider, mta, stage, error (the core's message, e.g. "empty input" or
    "missing value" for a null, else null). Rows match classify_many entry by
    entry; error rows carry the message without quoting the line."""
    _smtpcodes.classify("250 ok", lang=lang)  # the same ValueError for a bad language
    t = _threads(threads)
    if isinstance(data, (str, bytes, bytearray)):
        raise TypeError(f"classify_columns() needs a column of texts, not a single {type(data).__name__}")
    stream: Any = getattr(data, "__arrow_c_stream__", None)
    array: Any = getattr(data, "__arrow_c_array__", None)
    if stream is not None or array is not None:
        try:
            if stream is not None:
                n, specs = _smtpcodes._classify_columns(2, stream(), None, t)
            else:
                schema, arr = array()
                n, specs = _smtpcodes._classify_columns(1, schema, arr, t)
            return Columns(n, specs)
        except ImportError:  # e.g. a pandas Series without pyarrow installed
            pass
    to_numpy = getattr(data, "to_numpy", None)
    if to_numpy is not None and hasattr(data, "dtype"):  # pandas Series or Index: its objects, no copies of them
        items = tuple(to_numpy(dtype=object, na_value=None))
    elif isinstance(data, tuple):
        items = data
    elif isinstance(data, Iterable):
        items = tuple(data)
    else:
        raise TypeError(f"classify_columns() needs a sequence of str or bytes, a pandas Series or an Arrow "
                        f"array or stream, not {type(data).__name__}")
    n, specs = _smtpcodes._classify_columns(0, items, None, t)
    return Columns(n, specs)
