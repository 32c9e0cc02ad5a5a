"""Re-import, subinterpreters and memory: no input or usage pattern may leak."""
from __future__ import annotations

import gc
import importlib
import os
import sys
import textwrap
import tracemalloc


import pytest

import smtpcodes
from conftest import memory_growth

PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(smtpcodes.__file__)))

SUBINTERP_SCRIPT = textwrap.dedent(
    f"""
    import sys
    sys.path.insert(0, {PKG_PARENT!r})
    import smtpcodes
    assert smtpcodes.lookup(550) == 550
    assert smtpcodes.lookup(550) is smtpcodes.lookup(550)
    assert smtpcodes.parse("550 5.1.1 x").status_code == "5.1.1"
    assert smtpcodes.compare(211, 252).text.startswith("211 vs 252")
    assert "<table" in smtpcodes.compare(211, 252)._repr_html_()
    try:
        smtpcodes.lookup("55")
    except smtpcodes.ParseError:
        pass
    else:
        raise AssertionError("no ParseError")
    assert len(smtpcodes.codes()) == {len(smtpcodes.codes())}
    """
)


def _fresh_import() -> object:
    saved = {k: v for k, v in sys.modules.items() if k == "smtpcodes" or k.startswith("smtpcodes.")}
    try:
        for k in saved:
            del sys.modules[k]
        return importlib.import_module("smtpcodes")
    finally:
        for k in [k for k in sys.modules if k == "smtpcodes" or k.startswith("smtpcodes.")]:
            del sys.modules[k]
        sys.modules.update(saved)


def test_reimport_gives_an_independent_module() -> None:
    m2 = _fresh_import()
    assert m2 is not smtpcodes
    assert m2.Code is not smtpcodes.Code  # type: ignore[attr-defined]
    assert m2.ParseError is not smtpcodes.ParseError  # type: ignore[attr-defined]
    assert m2.lookup(550) == 550 and m2.lookup(550) is not smtpcodes.lookup(550)  # type: ignore[attr-defined]
    assert m2.compare(211, 252).text == smtpcodes.compare(211, 252).text  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        m2.lookup("55")  # type: ignore[attr-defined]
    # the original module is untouched
    assert smtpcodes.lookup(550) is smtpcodes.lookup(550)
    del m2
    gc.collect()


def test_reimport_many_times_releases_modules() -> None:
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(3):
            _fresh_import()
        gc.collect()
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            m = _fresh_import()
            m.lookup(550)  # type: ignore[attr-defined]
            m.codes()  # type: ignore[attr-defined]
            del m
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - first
    finally:
        tracemalloc.stop()
    assert grown < 200_000, f"20 imports kept {grown} bytes"


def _run_in_subinterpreter(script: str) -> bool:
    """Run script in a subinterpreter; False when no way exists here."""
    try:
        import _testcapi
    except ImportError:
        _testcapi = None
    if _testcapi is not None and hasattr(_testcapi, "run_in_subinterp"):
        assert _testcapi.run_in_subinterp(script) == 0
        return True
    try:
        from test.support import interpreters  # type: ignore[attr-defined]
    except ImportError:
        interpreters = None
    if interpreters is not None:
        interp = interpreters.create()
        try:
            interp.exec(script) if hasattr(interp, "exec") else interp.run(script)
        finally:
            interp.close()
        return True
    return False


def test_subinterpreter() -> None:
    # the in-process checks above always run; only this sub-check may skip
    if not _run_in_subinterpreter(SUBINTERP_SCRIPT):
        pytest.skip("no _testcapi.run_in_subinterp nor test.support.interpreters")
    # and twice, then the main interpreter still works
    assert _run_in_subinterpreter(SUBINTERP_SCRIPT)
    assert smtpcodes.lookup(550) is smtpcodes.lookup(550)


# ---- memory -------------------------------------------------------------------

def _exercise() -> None:
    """Every API once, successes and errors."""
    L = smtpcodes
    L.lookup(550)
    L.lookup("550")
    L.lookup("5.1.1", lang="es")
    L.lookup("5.9.123")  # unknown: a fresh object each time
    L.lookup(259)
    L.Code(421)
    for bad in ("55", "", 999, "x" * 300):
        try:
            L.lookup(bad)
        except L.ParseError:
            pass
    for bad in (None, 5.5):
        try:
            L.lookup(bad)  # type: ignore[arg-type]
        except TypeError:
            pass
    try:
        L.lookup(550, lang="fr")
    except ValueError:
        pass
    r = L.parse("550-5.1.1 first\r\n550 5.1.1 second <x@y>\r\n")
    r.flags, r.lines, r.text, r.reply_code, r.status_code, r.to_dict()
    L.parse(b"550 bad \xff\x00 bytes")
    L.parse("550 odd \ud800")
    for bad_reply in ("", "no code here", b"\xff\xfe"):
        try:
            L.parse(bad_reply)
        except L.ParseError:
            pass
    try:
        L.parse("550-x", strict=True)
    except L.ParseError:
        pass
    try:
        L.parse(123)  # type: ignore[arg-type]
    except TypeError:
        pass
    L.explain(550).text
    L.explain("said: 552 5.2.2 Mailbox full", lang="es")
    L.explain(r)
    L.explain(L.lookup("5.1.10"))
    c = L.compare(450, 550)
    c.differences, c.similarities, c.to_dict()
    L.compare("5.1.1", 550, lang="es")
    code = L.lookup("5.1.10")
    code.related, code.alt, code.commands, code.references, code.basic_codes, code.digits, code.to_dict()
    hash(code), code == "5.1.10", code < L.lookup("5.2.1"), repr(code), str(code)
    L.search("mailbox")
    L.replies_for("RCPT")
    L.is_valid_reply("RCPT", "5.1.1")
    try:
        L.replies_for("FROB")
    except ValueError:
        pass
    L.languages()


def _exercise_heavy() -> None:
    smtpcodes.codes()
    smtpcodes.table("basic", lang="es")
    smtpcodes.search("mail", lang=None)
    smtpcodes.lookup(550)._repr_html_()
    smtpcodes.compare(450, 550)._repr_html_()
    smtpcodes.parse("550 <script>")._repr_html_()
    smtpcodes.explain(550)._repr_markdown_()


_growth = memory_growth


def test_no_memory_growth() -> None:
    n = int(os.environ.get("SMTPCODES_LEAK_ITERATIONS", "2000"))
    grown = _growth(_exercise, n)
    # one leaked object per iteration would be n * 16+ bytes
    assert grown < 16 * 1024, f"{grown} bytes after {n} runs of every API"


def test_no_memory_growth_lookup_parse_20000() -> None:
    def small() -> None:
        smtpcodes.lookup(550)
        smtpcodes.lookup("5.1.1")
        smtpcodes.lookup("5.9.123")
        smtpcodes.parse("550 5.1.1 User unknown")
        try:
            smtpcodes.lookup("55")
        except smtpcodes.ParseError:
            pass

    grown = _growth(small, 20000)
    assert grown < 16 * 1024, f"{grown} bytes"


def test_no_memory_growth_heavy() -> None:
    grown = _growth(_exercise_heavy, 100)
    assert grown < 32 * 1024, f"{grown} bytes"


def test_no_reference_leaks_on_cached_objects() -> None:
    """An extra reference to a cached object allocates nothing: count them."""
    objs = [smtpcodes.lookup(550), smtpcodes.lookup(450), smtpcodes.lookup("5.1.1"),
            smtpcodes.lookup(250), smtpcodes.lookup("5.1.10"), smtpcodes.lookup("5.1.10").alt,
            smtpcodes.Code, smtpcodes.Reply, smtpcodes.Comparison, smtpcodes.Explanation,
            smtpcodes.ParseError, None, True, False]
    for _ in range(10):
        _exercise()
    gc.collect()
    before = [sys.getrefcount(o) for o in objs]
    for _ in range(500):
        _exercise()
    gc.collect()
    after = [sys.getrefcount(o) for o in objs]
    diffs = {repr(o): a - b for o, a, b in zip(objs, after, before) if a - b > 0 and o not in (None, True, False)}
    assert not diffs, diffs
    # None/True/False are immortal-ish shared objects: allow small noise only
    for o, a, b in zip(objs[-3:], after[-3:], before[-3:]):
        assert abs(a - b) < 100, (o, a - b)


def test_memory_growth_sees_a_leak() -> None:
    # the measure itself: one object kept per call must show, in both windows
    kept: list[object] = []
    grown = _growth(lambda: kept.append(object()), 2000)
    assert grown >= 2000 * 16, grown
