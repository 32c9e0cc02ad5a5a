"""Shared helpers: the vector files in tests/vectors (shared with C and Lua), and the
memory-growth measure of the leak tests; and, under `make test` (SMTPCODES_NO_SKIP=1), a hook
that turns every skip into a failure, so that no test passes the suite by skipping itself."""
from __future__ import annotations

import gc
import importlib
import os
import pathlib
import sys
import tracemalloc
from types import ModuleType
from typing import Callable

import pytest

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors"
DATA = pathlib.Path(__file__).resolve().parents[2] / "csrc" / "data"


def data_generator(name: str) -> ModuleType:
    """One of the generators in csrc/data (gen_rules, gen_tags, gen_search, gen_data), imported
    from there without leaving csrc/data on sys.path."""
    sys.path.insert(0, str(DATA))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DATA))

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
    """Net traced memory growth of a run of n calls, after a warm-up run that fills the caches:
    the smaller growth of two consecutive measured runs. A leak grows memory in every run (n
    leaked objects are n * 16+ bytes each time); a one-off growth of the interpreter's own
    tables (a dict or free list resized once, as a CI run saw: 20 KB in one window of 2,000
    calls, never again) shows in one window only."""
    for _ in range(n):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(n):
            fn()
        gc.collect()
        growths = []
        for _window in range(2):
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(n):
                fn()
            gc.collect()
            growths.append(tracemalloc.get_traced_memory()[0] - before)
        return min(growths)
    finally:
        tracemalloc.stop()


ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CLI_BINARY = pathlib.Path(os.environ.get("SMTPCODES_BINARY") or ROOT / "build" / "smtpcodes")
_CLI_SOURCES = ("csrc/*.c", "csrc/*.h", "csrc/*.inc", "bindings/cli/*.[ch]")


def cli_binary() -> pathlib.Path:
    """The command-line binary the CLI tests run (build/smtpcodes, or $SMTPCODES_BINARY).
    A missing or stale build FAILS the test (make test builds it first): a test that cannot
    run its case never passes by skipping."""
    import pytest

    if not CLI_BINARY.exists():
        pytest.fail(f"{CLI_BINARY} not built: run make build/smtpcodes")
    if "SMTPCODES_BINARY" not in os.environ:
        built = CLI_BINARY.stat().st_mtime
        stale = [p for pat in _CLI_SOURCES for p in ROOT.glob(pat) if p.stat().st_mtime > built]
        if stale:
            pytest.fail(f"{CLI_BINARY} is older than {stale[0].relative_to(ROOT)}: run make build/smtpcodes")
    return CLI_BINARY


def lua_builds() -> list[tuple[str, pathlib.Path]]:
    """(interpreter, directory of its smtpcodes.so) for every Lua built here: build/lua-<tag>
    (tests/lua/run_versions.sh), and for 5.4 the rock that run_all.sh installs before the Python
    suite (build/lua_modules), else build/lua (make lua)."""
    import shutil

    out = []
    for lua, tag in (("lua5.4", "5.4"), ("lua5.3", "5.3"), ("lua5.1", "5.1"), ("luajit", "luajit")):
        so = ROOT / "build" / f"lua-{tag}" / "smtpcodes.so"
        if tag == "5.4" and not so.exists():
            rock = ROOT / "build" / "lua_modules" / "lib" / "lua" / "5.4" / "smtpcodes.so"
            so = rock if rock.exists() else ROOT / "build" / "lua" / "smtpcodes.so"
        if shutil.which(lua) and so.exists():
            out.append((lua, so.parent))
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """With SMTPCODES_NO_SKIP=1 (tests/run_all.sh sets it) a skipped test is reported failed,
    with its skip reason: the machine that runs the suite must have what every test needs."""
    outcome = yield
    rep = outcome.get_result()
    if os.environ.get("SMTPCODES_NO_SKIP") == "1" and rep.skipped and not hasattr(rep, "wasxfail"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = f"skipped, and SMTPCODES_NO_SKIP=1 forbids skips: {reason}"
