"""`python -m smtpcodes`: the command line through the extension.

The python -m checks always run. Each case is also run through the
`smtpcodes` binary built by `make build/smtpcodes`, and stdout, stderr and the
exit status must be byte-identical; that comparison fails when the binary
has not been built or is older than its sources (conftest.cli_binary).
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Sequence

import pytest

import smtpcodes
from conftest import cli_binary
from smtpcodes import _smtpcodes

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BINARY = ROOT / "build" / "smtpcodes"
MAILLOG = ROOT / "examples" / "data" / "maillog.sample"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    # the package this test imported, wherever it lives (in place or installed)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    return env


def run_python(args: Sequence[str | bytes], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-P", "-m", "smtpcodes", *args], input=stdin, capture_output=True,
                          env=_env(), cwd=str(ROOT), timeout=120)


def run_binary(args: Sequence[str | bytes], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(BINARY), *args], input=stdin, capture_output=True, env=_env(), cwd=str(ROOT),
                          timeout=120)


MAILLOG_ARG = str(MAILLOG)

# (id, argv, stdin, expected exit status)
CASES: list[tuple[str, list[str | bytes], bytes | None, int]] = [
    ("lookup", ["lookup", "550", "5.1.1", "X.7.1"], None, 0),
    ("lookup-json", ["--json", "lookup", "550", "5.1.1"], None, 0),
    ("lookup-es-markdown", ["--lang", "es", "--markdown", "lookup", "452"], None, 0),
    ("lookup-unknown", ["lookup", "259"], None, 1),
    ("lookup-malformed", ["lookup", "55"], None, 2),
    ("lookup-missing-arg", ["lookup"], None, 2),
    ("explain", ["explain", "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"], None, 0),
    ("explain-words", ["explain", "452", "4.2.2", "Mailbox", "full"], None, 0),
    ("explain-json", ["--json", "explain", "550 5.1.1 User unknown"], None, 0),
    ("explain-nonutf8", ["explain", b"550 5.1.1 caf\xe9 \xff unknown"], None, 0),
    ("explain-malformed", ["explain", "no code at all"], None, 2),
    ("compare", ["compare", "211", "252"], None, 0),
    ("compare-es", ["compare", "--lang", "es", "211", "252"], None, 0),
    ("compare-es-json", ["--lang=es", "--json", "compare", "450", "550"], None, 0),
    ("compare-one-arg", ["compare", "211"], None, 2),
    ("classify", ["classify", MAILLOG_ARG], None, 0),
    ("classify-json", ["--json", "classify", MAILLOG_ARG], None, 0),
    ("classify-es", ["--lang", "es", "classify", MAILLOG_ARG], None, 0),
    ("classify-stdin", ["classify", "-"],
     b"550 5.1.1 User unknown\n\n   \n452 4.2.2 Mailbox full\r\n\xff\xfe bytes\nno newline at the end", 0),
    ("classify-stdin-json", ["--json", "classify"], b"250 2.0.0 OK\n\n421 4.7.0 Try again later\n", 0),
    ("classify-stats", ["--stats", "classify", MAILLOG_ARG], None, 0),
    ("classify-missing-file", ["classify", "/nonexistent/maillog"], None, 2),
    ("list-basic", ["list", "--kind", "basic"], None, 0),
    ("list-enhanced-json", ["--json", "list", "--kind=enhanced"], None, 0),
    ("list-class", ["list", "--class", "4"], None, 0),
    ("list-bad-kind", ["list", "--kind", "weird"], None, 2),
    ("search", ["search", "mailbox", "full"], None, 0),
    ("search-es", ["--lang", "es", "search", "buzón"], None, 0),
    ("search-nothing", ["search", "zzzzqqqxxy"], None, 1),
    ("commands", ["commands"], None, 0),
    ("commands-rcpt", ["commands", "RCPT"], None, 0),
    ("commands-json", ["--json", "commands", "RCPT", "DATA"], None, 0),
    ("commands-unknown", ["commands", "FROB"], None, 2),
    ("help", ["--help"], None, 0),
    ("version", ["--version"], None, 0),
    ("no-args", [], None, 2),
    ("unknown-command", ["frobnicate"], None, 2),
    ("unknown-option", ["--frob", "lookup", "550"], None, 2),
    ("bad-lang", ["--lang", "fr", "lookup", "550"], None, 2),
    ("color-always", ["--color=always", "lookup", "550"], None, 0),
    ("html-lookup", ["--html", "lookup", "550", "5.1.1"], None, 0),
    ("html-compare", ["compare", "450", "550", "--html"], None, 0),
    ("double-dash", ["lookup", "--", "550"], None, 0),
    ("explain-unknown-in-reply", ["explain", "550", "5.9.123", "Something"], None, 1),
    ("inexact-option", ["--kindness", "lookup", "550"], None, 2),
    # a long option with one dash is a usage error naming the option, not -j or a file name
    ("single-dash-json", ["classify", "-json", MAILLOG_ARG], None, 2),
    ("single-dash-lang", ["-lang=es", "lookup", "550"], None, 2),
    ("short-j-attached", ["-j2", "classify", MAILLOG_ARG], None, 0),
    ("short-j-auto", ["-jauto", "classify", MAILLOG_ARG], None, 0),
]


@pytest.mark.parametrize("arg", ["-json", "-html", "-markdown", "-stats", "-jobs", "-lang=es", "-help"])
def test_single_dash_long_option_says_so(arg: str) -> None:
    p = run_python(["classify", arg, MAILLOG_ARG])
    assert p.returncode == 2
    assert p.stderr == f"smtpcodes: unknown option '{arg}' (did you mean '-{arg}'?)\n".encode()
    assert p.stdout == b""


@pytest.mark.parametrize("args,stdin,rc", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_python_m_exit_status(args: list[str | bytes], stdin: bytes | None, rc: int) -> None:
    p = run_python(args, stdin)
    assert p.returncode == rc, (p.stdout[-2000:], p.stderr[-2000:])
    if rc == 2:
        assert p.stderr.startswith(b"smtpcodes: ") or p.stderr.startswith(b"usage: "), p.stderr[:200]
    if rc == 0 and args[-1:] != ["--stats"]:
        assert p.stdout


@pytest.mark.parametrize("args,stdin,rc", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_identical_to_binary(args: list[str | bytes], stdin: bytes | None, rc: int) -> None:
    cli_binary()
    py = run_python(args, stdin)
    c = run_binary(args, stdin)
    assert c.returncode == rc
    assert py.returncode == c.returncode
    assert py.stdout == c.stdout
    assert py.stderr == c.stderr


def test_classify_one_line_per_input_line() -> None:
    n = len(MAILLOG.read_bytes().splitlines())
    assert n > 100
    p = run_python(["classify", MAILLOG_ARG])
    assert p.returncode == 0
    out = p.stdout.decode("utf-8").splitlines()
    assert len(out) == n
    for i, line in enumerate(out, 1):
        fields = line.split("\t")
        assert len(fields) == 12, line   # the columns README.md lists for classify
        assert fields[0] == str(i)


def test_classify_json_lines_parse() -> None:
    n = len(MAILLOG.read_bytes().splitlines())
    for args in (["--json", "classify", MAILLOG_ARG], ["classify", "--json", "--lang", "es", MAILLOG_ARG]):
        p = run_python(args)
        assert p.returncode == 0
        lines = p.stdout.decode("utf-8").splitlines()
        assert len(lines) == n
        for i, line in enumerate(lines, 1):
            rec = json.loads(line)
            assert rec["line"] == i
            assert rec["reason"] in smtpcodes.reasons() or "error" in rec


def test_classify_json_agrees_with_classify_many() -> None:
    raw = MAILLOG.read_bytes().splitlines()
    p = run_python(["--json", "classify", MAILLOG_ARG])
    records = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    results = smtpcodes.classify_many(raw)
    assert len(records) == len(results)
    for rec, c in zip(records, results):
        assert isinstance(c, smtpcodes.Classification)
        assert (rec["reason"], rec["permanence"], rec["hard_bounce"], rec["retry"], rec["code"], rec["enhanced"],
                rec["vendor"], rec["evidence"], rec["advice"]) == \
               (c.reason, c.permanence, c.hard_bounce, c.retry, c.code, c.enhanced, c.vendor, c.evidence, c.advice)


def test_classify_stdin_keeps_bad_lines() -> None:
    p = run_python(["--json", "classify", "-"], b"550 5.1.1 User unknown\n\n   \n452 4.2.2 Mailbox full\n")
    recs = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["line"] for r in recs] == [1, 2, 3, 4]
    assert "error" in recs[1] and "error" in recs[2]
    assert recs[0]["reason"] == "userunknown" and recs[3]["reason"] == "mailboxfull"


def test_version_and_help() -> None:
    p = run_python(["--version"])
    assert p.stdout.decode() == f"smtpcodes {smtpcodes.__version__} (data {smtpcodes.DATA_VERSION})\n"
    p = run_python(["--help"])
    assert p.stdout.startswith(b"usage: smtpcodes") and b"exit status" in p.stdout
    p = run_python([])
    assert p.returncode == 2 and p.stderr.startswith(b"usage: smtpcodes") and not p.stdout


def test_compare_es_is_spanish() -> None:
    en = run_python(["compare", "211", "252"]).stdout
    es = run_python(["compare", "--lang", "es", "211", "252"]).stdout
    assert en != es and en.startswith(b"211 vs 252") and es.startswith(b"211 vs 252")


# ---- _cli in process ------------------------------------------------------------

def test_cli_in_process(capfd: pytest.CaptureFixture[str]) -> None:
    print("before", flush=False)  # sys.stdout is flushed before the C code writes
    assert _smtpcodes._cli(["smtpcodes", "--version"]) == 0
    assert _smtpcodes._cli(("smtpcodes", "lookup", b"55")) == 2
    out, err = capfd.readouterr()
    assert out == f"before\nsmtpcodes {smtpcodes.__version__} (data {smtpcodes.DATA_VERSION})\n"
    assert err.startswith("smtpcodes: malformed code '55'")


def test_cli_in_process_undecodable_argument(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    # an undecodable argument (as sys.argv holds it) reaches the C code as its original bytes
    assert _smtpcodes._cli(["smtpcodes", "lookup", b"\xff5".decode("utf-8", "surrogateescape")]) == 2
    out, err = capfdbinary.readouterr()
    assert not out and err.startswith(b"smtpcodes: malformed code '\xff5'")


def test_cli_bad_arguments() -> None:
    with pytest.raises(TypeError):
        _smtpcodes._cli("smtpcodes --version")
    with pytest.raises(TypeError):
        _smtpcodes._cli(["smtpcodes", 5])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        _smtpcodes._cli(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        _smtpcodes._cli(["smtpcodes", "lookup", "5\x0050"])


def test_cli_empty_argv(capfd: pytest.CaptureFixture[str]) -> None:
    assert _smtpcodes._cli([]) == 2
    out, err = capfd.readouterr()
    assert not out and err.startswith("usage: smtpcodes")
