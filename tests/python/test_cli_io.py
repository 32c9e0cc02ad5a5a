"""The command line never loses output or input silently (issue 15).

Every case runs through `python -m smtpcodes` and through the `smtpcodes` binary
(build/smtpcodes, or the binary named by $SMTPCODES_BINARY); the binary cases fail
when it has not been built or is older than its sources. Cases: read errors (a
directory as FILE or as stdin), write errors (/dev/full, a closed stdout, a file-size
limit: no half record is left), a broken pipe, operands beyond any fixed limit, exact
option names and `--`, the README's exit-status table row by row, and --html.
"""
from __future__ import annotations

import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import pytest

import smtpcodes
from conftest import cli_binary

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
MAILLOG = ROOT / "examples" / "data" / "maillog.sample"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent
BINARY = pathlib.Path(os.environ.get("SMTPCODES_BINARY") or ROOT / "build" / "smtpcodes")
RUNNERS = ["python", "binary"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    return env


def argv_for(runner: str, args: Sequence[str | bytes]) -> list[str | bytes]:
    if runner == "python":
        return [sys.executable, "-P", "-m", "smtpcodes", *args]
    cli_binary()
    return [str(BINARY), *args]


def run(runner: str, args: Sequence[str | bytes], stdin: bytes | int | None = None,
        preexec: Callable[[], None] | None = None, stdout: int | None = subprocess.PIPE,
        timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    kw: dict = {"input": stdin} if isinstance(stdin, bytes) or stdin is None else {"stdin": stdin}
    return subprocess.run(argv_for(runner, args), stdout=stdout, stderr=subprocess.PIPE, env=_env(), cwd=str(ROOT),
                          timeout=timeout, preexec_fn=preexec, **kw)


runners = pytest.mark.parametrize("runner", RUNNERS)


# ---- read errors ------------------------------------------------------------------

@runners
def test_classify_directory_as_file(runner: str, tmp_path: pathlib.Path) -> None:
    p = run(runner, ["classify", str(tmp_path)])
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: ") and str(tmp_path).encode() in p.stderr, p.stderr
    assert b"directory" in p.stderr.lower()
    assert not p.stdout


@runners
def test_classify_directory_as_stdin(runner: str, tmp_path: pathlib.Path) -> None:
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        p = run(runner, ["classify"], stdin=fd)
        q = run(runner, ["classify", "-"], stdin=fd)
    finally:
        os.close(fd)
    for r in (p, q):
        if runner == "python":
            # the interpreter itself refuses to start (before smtpcodes runs): not silent either
            assert r.returncode != 0 and b"<stdin> is a directory" in r.stderr, r
            continue
        assert r.returncode == 2, r
        assert r.stderr.startswith(b"smtpcodes: ") and b"standard input" in r.stderr, r.stderr
        assert b"directory" in r.stderr
        assert not r.stdout


@runners
def test_classify_closed_stdin(runner: str) -> None:
    p = run(runner, ["classify"], stdin=subprocess.DEVNULL, preexec=lambda: os.close(0))
    assert p.returncode == 2, p
    assert b"standard input" in p.stderr


# ---- write errors -----------------------------------------------------------------

WRITERS = [["lookup", "550"], ["--json", "classify", str(MAILLOG)], ["classify", str(MAILLOG)], ["--help"],
           ["--version"], ["compare", "450", "550"], ["list"], ["commands", "RCPT"], ["explain", "550 5.1.1 x"]]


@runners
@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_write_to_dev_full(runner: str, args: list[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        p = run(runner, args, stdout=full.fileno())
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: ") and b"standard output" in p.stderr, p.stderr
    assert b"No space left on device" in p.stderr


@runners
@pytest.mark.parametrize("args", [["classify", str(MAILLOG)], ["lookup", "550"], ["--version"]],
                         ids=["classify", "lookup", "version"])
def test_closed_stdout(runner: str, args: list[str]) -> None:
    p = run(runner, args, stdout=subprocess.DEVNULL, preexec=lambda: os.close(1))
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: ") and b"standard output" in p.stderr, p.stderr


def _fsize_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@runners
@pytest.mark.parametrize("limit", [10000, 4096, 777])
def test_file_size_limit_leaves_whole_json_lines(runner: str, limit: int, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out.jsonl"
    with out.open("wb") as f:
        p = run(runner, ["--json", "classify", str(MAILLOG)], stdout=f.fileno(), preexec=_fsize_limit(limit))
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: ") and b"standard output" in p.stderr, p.stderr
    data = out.read_bytes()
    assert 0 < len(data) <= limit
    assert data.endswith(b"\n"), data[-200:]
    lines = data.decode("utf-8").splitlines()
    for i, line in enumerate(lines, 1):
        assert json.loads(line)["line"] == i


@runners
def test_file_size_limit_leaves_whole_tsv_lines(runner: str, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out.tsv"
    with out.open("wb") as f:
        p = run(runner, ["classify", str(MAILLOG)], stdout=f.fileno(), preexec=_fsize_limit(5000))
    assert p.returncode == 2, p
    data = out.read_bytes()
    assert data.endswith(b"\n")
    lines = data.decode("utf-8").splitlines()
    columns = len(run(runner, ["classify", str(MAILLOG)]).stdout.splitlines()[0].split(b"\t"))
    for i, line in enumerate(lines, 1):
        fields = line.split("\t")
        assert len(fields) == columns and fields[0] == str(i), line


@runners
def test_file_size_limit_appending(runner: str, tmp_path: pathlib.Path) -> None:
    # `>>` onto an existing file: what was there stays, what is added is whole lines
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"line": 0}\n')
    with out.open("ab") as f:
        p = run(runner, ["--json", "classify", str(MAILLOG)], stdout=f.fileno(), preexec=_fsize_limit(3000))
    assert p.returncode == 2, p
    data = out.read_bytes()
    assert data.startswith(b'{"line": 0}\n') and data.endswith(b"\n")
    assert [json.loads(x)["line"] for x in data.splitlines()] == list(range(len(data.splitlines())))


# ---- broken pipe --------------------------------------------------------------------

def _first_line_then_close(argv: list[str | bytes]) -> tuple[bytes, int | None]:
    """`yes '550 5.1.1 x' | ARGV | head -1`: the first line and ARGV's exit status (None: still running
    20 s after its reader went away)."""
    yes = subprocess.Popen(["yes", "550 5.1.1 x"], stdout=subprocess.PIPE)
    assert yes.stdout is not None
    try:
        cli = subprocess.Popen(argv, stdin=yes.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                               cwd=str(ROOT))
        yes.stdout.close()
        assert cli.stdout is not None and cli.stderr is not None
        first = cli.stdout.readline()
        cli.stdout.close()
        try:
            rc: int | None = cli.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cli.kill()
            cli.wait()
            rc = None
        cli.stderr.close()
        return first, rc
    finally:
        yes.kill()
        yes.wait()


@runners
def test_broken_pipe_ends_promptly(runner: str) -> None:
    first, rc = _first_line_then_close(argv_for(runner, ["classify"]))
    assert first.startswith(b"1\tuserunknown\t")
    assert rc == -signal.SIGPIPE      # killed by SIGPIPE, as a shell pipeline expects (141)


def test_broken_pipe_in_process_cli() -> None:
    # a program that ignores SIGPIPE (as Python does) and calls _cli itself gets status 141 at once
    code = ("import signal, sys; from smtpcodes._smtpcodes import _cli\n"
            "assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN\n"
            "sys.exit(_cli(['smtpcodes', '--json', 'classify']))\n")
    first, rc = _first_line_then_close([sys.executable, "-P", "-c", code])
    assert json.loads(first)["reason"] == "userunknown"
    assert rc == 141


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_python_m_interrupted_like_the_binary(sig: int) -> None:
    # blocked reading a terminal-like stdin that never ends: a signal ends it as it ends the binary
    r, w = os.pipe()
    cli = subprocess.Popen(argv_for("python", ["classify"]), stdin=r, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=_env(), cwd=str(ROOT))
    os.close(r)
    try:
        os.write(w, b"550 5.1.1 x\n")
        time.sleep(1.5)   # let it reach the read
        cli.send_signal(sig)
        rc = cli.wait(timeout=20)
    finally:
        os.close(w)
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        assert cli.stderr is not None
        cli.stderr.close()
    assert rc == -sig


# ---- no fixed limit drops input ---------------------------------------------------------

@runners
def test_lookup_more_than_255_operands(runner: str) -> None:
    codes = ["550", "5.1.1", "421"] * 100 + ["259"]
    p = run(runner, ["--json", "lookup", *codes])
    lines = p.stdout.decode().splitlines()
    assert len(lines) == len(codes)
    assert [json.loads(x)["code"] for x in lines][-2:] == [421, 259]
    assert p.returncode == 1          # the unknown 301st code counts
    p = run(runner, ["lookup", *(["550"] * 400), "55"])
    assert p.returncode == 2 and b"'55'" in p.stderr


@runners
def test_explain_reply_of_300_words(runner: str) -> None:
    words = ["said:", *(["word"] * 300), "550", "5.1.1", "User", "unknown"]
    p = run(runner, ["explain", *words])
    assert p.returncode == 0, p.stderr[-300:]
    assert p.stdout.startswith(b"Reply: 550 5.1.1 (permanent)")
    p = run(runner, ["--json", "explain", *words])
    assert p.returncode == 0 and json.loads(p.stdout)["enhanced"] == "5.1.1"


@runners
def test_many_options(runner: str) -> None:
    p = run(runner, [*(["--json"] * 300), "lookup", "550"])
    assert p.returncode == 0 and json.loads(p.stdout)["code"] == 550


# ---- exact options, `--` -------------------------------------------------------------------

INEXACT = [["--kindness", "lookup", "550"], ["--langs", "es", "lookup", "550"], ["--language=es", "lookup", "550"],
           ["--classy", "4", "list"], ["--colors=always", "lookup", "550"], ["--jsonl", "lookup", "550"],
           ["lookup", "550", "--markdowns"], ["--kind=basicx", "list"]]


@runners
@pytest.mark.parametrize("args", INEXACT, ids=[a[0] if a[0].startswith("--") else a[2] for a in INEXACT])
def test_options_match_exactly(runner: str, args: list[str]) -> None:
    p = run(runner, args)
    assert p.returncode == 2, p
    bad = next(a for a in args if a.startswith("--"))
    if bad.startswith("--kind="):
        assert b"--kind must be basic or enhanced" in p.stderr, p.stderr
    else:
        assert p.stderr.startswith(f"smtpcodes: unknown option '{bad}'".encode()), p.stderr
    assert not p.stdout


@runners
@pytest.mark.parametrize("opt", ["--lang", "--kind", "--class", "--color"])
def test_option_without_value(runner: str, opt: str) -> None:
    p = run(runner, ["list", opt])
    assert p.returncode == 2
    assert p.stderr.startswith(f"smtpcodes: option '{opt}' needs a value".encode()), p.stderr


@runners
def test_double_dash_ends_options(runner: str) -> None:
    p = run(runner, ["lookup", "--", "550"])
    assert p.returncode == 0 and p.stdout.startswith(b"550 - "), p
    p = run(runner, ["lookup", "--", "-1"])
    assert p.returncode == 2 and b"'--'" not in p.stderr and b"malformed code '-1'" in p.stderr, p.stderr
    p = run(runner, ["lookup", "--", "--json"])
    assert p.returncode == 2 and b"malformed code '--json'" in p.stderr
    p = run(runner, ["--json", "explain", "--", "550", "--lang", "es"])   # options before `--` still count
    assert p.returncode == 0 and json.loads(p.stdout)["code"] == 550
    assert "--lang es" in json.loads(p.stdout)["text"]
    p = run(runner, ["--", "--help"])
    assert p.returncode == 2 and b"unknown command '--help'" in p.stderr


# ---- the README's exit-status table, one test per row ----------------------------------------------

README_TABLE_ROWS = ["malformed input", "well-formed but unknown", "wrong argument", "unknown language",
                     "unknown or inexact option", "read or write error", "broken pipe"]


def test_readme_table_has_these_rows() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Errors"):]
    table = table[:table.index("\n\n", table.index("| situation"))]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| situation", "| ---"))]
    # each row tested below is in the table, in this order (other rows have their own tests)
    starts = [next((i for i, row in enumerate(rows) if row.startswith(f"| {name}")), -1) for name in README_TABLE_ROWS]
    assert -1 not in starts and starts == sorted(starts), (starts, rows)


OK_CASES = [["lookup", "550", "5.1.1"], ["explain", "550", "5.1.1", "User", "unknown"], ["explain", "5.1.1"],
            ["compare", "450", "550"], ["classify", str(MAILLOG)], ["list", "--class", "2"], ["search", "mailbox"],
            ["commands"], ["commands", "RCPT"], ["--help"], ["--version"]]


@runners
@pytest.mark.parametrize("args", OK_CASES, ids=[" ".join(a[:2]) for a in OK_CASES])
def test_exit_0_ok(runner: str, args: list[str]) -> None:
    p = run(runner, args, stdin=b"")
    assert p.returncode == 0 and p.stdout and not p.stderr, p


MALFORMED = [["lookup", "55"], ["lookup", "259", "55"], ["lookup", "55", "259"], ["--json", "lookup", "5.01.1"],
             ["explain", "no code at all"], ["explain", "55"], ["compare", "55", "550"], ["compare", "550", "6.1.1"],
             ["search", ""], ["search", "   "], ["commands", "FROB"], ["commands", "RCPT", "FROB"]]


@runners
@pytest.mark.parametrize("args", MALFORMED, ids=[" ".join(a) for a in MALFORMED])
def test_row_malformed_input_exits_2(runner: str, args: list[str]) -> None:
    p = run(runner, args)
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: "), p.stderr


@runners
def test_row_malformed_input_classify_reports_a_row(runner: str) -> None:
    p = run(runner, ["classify"], stdin=b"550 5.1.1 x\n\n")
    assert p.returncode == 0 and p.stdout.splitlines()[1] == b"2\terror\t-\t-\t-\t-\t-\t-\tempty input\t-\t-\t-"
    # every row has the header's 12 columns, error rows too
    mixed = run(runner, ["classify"], stdin=b"550 5.1.1 x\n\n\x00\n451 4.7.1 greylisted\n \n")
    assert mixed.returncode == 0
    assert [len(r.split(b"\t")) for r in mixed.stdout.splitlines()] == [12] * 5, mixed.stdout


UNKNOWN = [["lookup", "259"], ["lookup", "550", "259"], ["lookup", "5.9.123"], ["explain", "259"],
           ["explain", "259", "text"], ["explain", "259 text"], ["explain", "550", "5.9.123", "Something"],
           ["explain", "4.9.99"], ["--json", "explain", "259", "text"], ["--json", "explain", "550 5.9.123 x"],
           ["compare", "259", "550"], ["compare", "550", "5.9.123"], ["search", "zzzzqqqxxy"],
           ["list", "--kind", "enhanced", "--class", "1"]]


@runners
@pytest.mark.parametrize("args", UNKNOWN, ids=[" ".join(a) for a in UNKNOWN])
def test_row_unknown_exits_1(runner: str, args: list[str]) -> None:
    p = run(runner, args)
    assert p.returncode == 1, p
    assert not p.stderr


USAGE = [[], ["lookup"], ["explain"], ["compare", "211"], ["compare", "1", "2", "3"], ["classify", "a", "b"],
         ["list", "extra"], ["search"], ["frobnicate"], ["list", "--kind", "weird"], ["list", "--class", "7"],
         ["--color=sometimes", "lookup", "550"]]


@runners
@pytest.mark.parametrize("args", USAGE, ids=[" ".join(a) or "no-args" for a in USAGE])
def test_row_wrong_argument_exits_2(runner: str, args: list[str]) -> None:
    p = run(runner, args)
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: ") or p.stderr.startswith(b"usage: "), p.stderr
    assert not p.stdout


@runners
@pytest.mark.parametrize("args", [["--lang", "fr", "lookup", "550"], ["--lang=xx", "classify"],
                                  ["search", "--lang", "", "mailbox"]], ids=["fr", "xx", "empty"])
def test_row_unknown_language_exits_2(runner: str, args: list[str]) -> None:
    p = run(runner, args, stdin=b"")
    assert p.returncode == 2, p
    assert p.stderr.startswith(b"smtpcodes: unknown language"), p.stderr


@runners
def test_row_unknown_option_exits_2(runner: str) -> None:
    for args in (["--frob", "lookup", "550"], ["--kindness", "lookup", "550"], ["lookup", "550", "--json=1"]):
        p = run(runner, args)
        assert p.returncode == 2 and p.stderr.startswith(b"smtpcodes: unknown option"), (args, p.stderr)


@runners
def test_row_read_or_write_error_exits_2(runner: str, tmp_path: pathlib.Path) -> None:
    p = run(runner, ["classify", str(tmp_path)])
    assert p.returncode == 2 and str(tmp_path).encode() in p.stderr
    p = run(runner, ["classify", str(tmp_path / "missing")])
    assert p.returncode == 2 and str(tmp_path / "missing").encode() in p.stderr
    assert b"No such file or directory" in p.stderr
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            p = run(runner, ["search", "mailbox"], stdout=full.fileno())
        assert p.returncode == 2 and b"standard output" in p.stderr


@runners
def test_row_broken_pipe(runner: str) -> None:
    first, rc = _first_line_then_close(argv_for(runner, ["--json", "classify"]))
    assert json.loads(first)["line"] == 1 and rc == -signal.SIGPIPE


# ---- --html ------------------------------------------------------------------------------------

HTML = [["--html", "lookup", "550"], ["lookup", "5.1.1", "421", "--html"], ["--html", "explain", "550 5.1.1 User unknown"],
        ["--html", "explain", "4.2.2"], ["--html", "compare", "450", "550"], ["--lang", "es", "--html", "compare", "211", "252"]]


@runners
@pytest.mark.parametrize("args", HTML, ids=[" ".join(a) for a in HTML])
def test_html_accepted(runner: str, args: list[str]) -> None:
    p = run(runner, args)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip()


@runners
def test_html_keeps_exit_statuses(runner: str) -> None:
    assert run(runner, ["--html", "lookup", "259"]).returncode == 1
    assert run(runner, ["--html", "explain", "259 text"]).returncode == 1
    assert run(runner, ["--html", "compare", "55", "550"]).returncode == 2
