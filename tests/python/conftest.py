"""Shared helpers: the vector files in tests/vectors (shared with C and Lua), and the
memory-growth measure of the leak tests."""
from __future__ import annotations

import gc
import pathlib
import tracemalloc
from typing import Callable

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors"

_SIMPLE = {ord("t"): b"\t", ord("n"): b"\n", ord("r"): b"\r", ord("\\"): b"\\", ord("0"): b"\0"}


def unescape(field: bytes) -> bytes:
    """Decode the vector escapes \\t \\n \\r \\\\ \\0 \\xNN into bytes."""
    out = bytearray()
    i = 0
    while i < len(field):
        c = field[i]
        if c == ord("\\") and i + 1 < len(field):
            n = field[i + 1]
            if n in _SIMPLE:
                out += _SIMPLE[n]
                i += 2
                continue
            if n == ord("x") and i + 4 <= len(field):
                out.append(int(field[i + 2 : i + 4], 16))
                i += 4
                continue
        out.append(c)
        i += 1
    return bytes(out)


def read_vectors(name: str) -> list[list[bytes]]:
    """Rows of a vector file as lists of raw (still escaped) byte fields."""
    rows = []
    for line in (VECTORS / name).read_bytes().split(b"\n"):
        if not line or line.startswith(b"#"):
            continue
        rows.append(line.split(b"\t"))
    return rows


def as_str(data: bytes) -> str | None:
    """The bytes as str when they are valid UTF-8, else None."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def memory_growth(fn: Callable[[], None], n: int) -> int:
    """Net traced memory growth of the second of two runs of n calls (after a warm-up run
    that fills the caches)."""
    for _ in range(n):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(n):
            fn()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            fn()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
