"""`smtpcodes classify|log -j N` (issue 16): N threads, the same bytes as -j 1, in input order.

Every case runs through `python -m smtpcodes` and through the `smtpcodes` binary (build/smtpcodes,
or $SMTPCODES_BINARY; the binary cases fail when it is missing or older than its sources, as in
test_cli_io). The input mixes corpus-like replies, MTA log lines, blank lines, a NUL, bytes that
are not UTF-8, CR line ends, a 100 kB line and a last line without its newline, and is big enough
(several 64 KiB batches) for the workers to finish out of order. The sanitizer and valgrind cases
build and run the CLI themselves.
"""
from __future__ import annotations

import json
import os
import pathlib
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

import pytest

import smtpcodes
from conftest import cli_binary

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
MAILLOG = ROOT / "examples" / "data" / "maillog.sample"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent
BINARY = pathlib.Path(os.environ.get("SMTPCODES_BINARY") or ROOT / "build" / "smtpcodes")
RUNNERS = ["python", "binary"]
runners = pytest.mark.parametrize("runner", RUNNERS)

REPLIES = [
    b"550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
    b"452 4.2.2 The email account that you tried to reach is over quota. - gsmtp",
    b"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume",
    b"554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org",
    b"451 4.7.1 Greylisting in action, please come back later",
    b"250 2.0.0 Ok: queued as 4BC0F1A2B3",
    b"host mx.example.net[198.51.100.7] said: 552 5.2.2 mailbox full (in reply to RCPT TO command)",
    b"no code at all, just words",
]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    return env


def argv_for(runner: str, args: Sequence[str]) -> list[str]:
    if runner == "python":
        return [sys.executable, "-P", "-m", "smtpcodes", *args]
    cli_binary()
    return [str(BINARY), *args]


def run(argv: list[str], stdin: bytes | None = None, **kw) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, input=stdin, stdout=kw.pop("stdout", subprocess.PIPE), stderr=subprocess.PIPE,
                          env=_env(), cwd=str(ROOT), timeout=kw.pop("timeout", 300), **kw)


def make_input(n: int = 4000, seed: int = 16) -> bytes:
    rnd = random.Random(seed)
    log = [x for x in MAILLOG.read_bytes().split(b"\n") if x]
    lines = []
    for _ in range(n):
        r = rnd.random()
        if r < 0.05:
            lines.append(b"")
        elif r < 0.07:
            lines.append(b"550 5.1.1 user\x00unknown")
        elif r < 0.09:
            lines.append(b"451 4.7.1 \xff\xfe greylisted \xc3")
        elif r < 0.11:
            lines.append(rnd.choice(REPLIES) + b"\r")
        elif r < 0.5:
            lines.append(rnd.choice(log))
        else:
            lines.append(rnd.choice(REPLIES))
    lines.insert(n // 2, b"550 5.7.1 " + b"spam " * 20000)   # a 100 kB line
    return b"\n".join(lines) + b"\n421 4.4.2 last line without its newline"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, bytes]:
    raw = make_input()
    p = tmp_path_factory.mktemp("jobs") / "input.log"
    p.write_bytes(raw)
    return p, raw


FORMATS = [[], ["--json"], ["--markdown"], ["--html"], ["--lang", "es"], ["--json", "--lang", "es"]]


@runners
@pytest.mark.parametrize("command", ["classify", "log"])
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: " ".join(f) or "tsv")
def test_jobs_output_identical(runner: str, command: str, fmt: list[str], data: tuple[pathlib.Path, bytes]) -> None:
    path, raw = data
    one = run(argv_for(runner, [*fmt, "--stats", command, str(path)]))
    assert one.returncode == 0, one.stderr
    nlines = raw.count(b"\n") + 1
    assert one.stderr.startswith(f"{nlines} lines, ".encode()), one.stderr[:200]
    for jobs in (["-j", "2"], ["-j3"], ["--jobs", "8"], ["--jobs=5"]):
        many = run(argv_for(runner, [*jobs, *fmt, "--stats", command, str(path)]))
        assert many.returncode == 0, (jobs, many.stderr)
        assert many.stdout == one.stdout, jobs
        assert many.stderr == one.stderr, jobs   # the --stats summary too


@runners
@pytest.mark.parametrize("command", ["classify", "log"])
def test_jobs_on_stdin(runner: str, command: str, data: tuple[pathlib.Path, bytes]) -> None:
    path, raw = data
    one = run(argv_for(runner, ["--json", command, str(path)]))
    for args in (["-j", "2", "--json", command], ["-j", "4", "--json", command, "-"]):
        p = run(argv_for(runner, args), stdin=raw)
        assert p.returncode == 0, p.stderr
        assert p.stdout == one.stdout


@runners
def test_jobs_order(runner: str, data: tuple[pathlib.Path, bytes]) -> None:
    path, raw = data
    p = run(argv_for(runner, ["-j", "4", "--json", "classify", str(path)]))
    assert p.returncode == 0
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["line"] for r in rows] == list(range(1, raw.count(b"\n") + 2))
    lines = raw.split(b"\n")
    assert "error" in rows[lines.index(b"")]                 # a blank line: an error row in its place
    big = next(i for i, x in enumerate(lines) if len(x) > 100000)
    assert rows[big]["reason"] == "spamdetected" or rows[big]["code"] == 550, rows[big]
    assert rows[-1]["code"] == 421                           # the last line, without its newline


@runners
def test_jobs_tsv_rows(runner: str, data: tuple[pathlib.Path, bytes]) -> None:
    path, raw = data
    p = run(argv_for(runner, ["-j", "3", "classify", str(path)]))
    rows = p.stdout.split(b"\n")
    assert rows[-1] == b"" and len(rows) - 1 == raw.count(b"\n") + 1
    for i, r in enumerate(rows[:-1], 1):
        fields = r.split(b"\t")
        assert fields[0] == str(i).encode(), r[:100]
        # every row has 12 columns; an error row (a blank line) has the line, "error", six
        # dashes, the message in the evidence column and three more dashes
        assert len(fields) == 12, r[:100]
        if fields[1] == b"error":
            assert fields[2:8] == [b"-"] * 6 and fields[8] and fields[9:] == [b"-"] * 3, r[:100]


@runners
@pytest.mark.parametrize("value", ["0", "-1", "-3", "abc", "65", "1000000000000", "", "2x", " 2", "+2", "1.5"])
def test_jobs_bad_value_is_usage_error(runner: str, value: str) -> None:
    for args in (["-j", value], [f"--jobs={value}"]):
        p = run(argv_for(runner, [*args, "classify", str(MAILLOG)]))
        assert p.returncode == 2, (args, p)
        assert p.stderr.startswith(b"smtpcodes: ") and b"jobs" in p.stderr, p.stderr
        assert not p.stdout


@runners
@pytest.mark.parametrize("args", [["classify", "-j"], ["classify", "--jobs"]])
def test_jobs_without_value(runner: str, args: list[str]) -> None:
    p = run(argv_for(runner, args))
    assert p.returncode == 2 and b"needs a value" in p.stderr, p


@runners
def test_jobs_auto_and_cap(runner: str) -> None:
    one = run(argv_for(runner, ["classify", str(MAILLOG)]))
    for args in (["-j", "auto"], ["-j", "64"], ["-j1"]):
        p = run(argv_for(runner, [*args, "classify", str(MAILLOG)]))
        assert p.returncode == 0 and p.stdout == one.stdout, args


@runners
def test_jobs_help(runner: str) -> None:
    p = run(argv_for(runner, ["--help"]))
    assert b"-j N, --jobs N" in p.stdout


@runners
def test_jobs_read_errors(runner: str, tmp_path: pathlib.Path) -> None:
    p = run(argv_for(runner, ["-j", "2", "classify", str(tmp_path)]))
    assert p.returncode == 2 and b"directory" in p.stderr.lower() and not p.stdout
    p = run(argv_for(runner, ["-j", "2", "log", str(tmp_path / "missing")]))
    assert p.returncode == 2 and b"cannot open" in p.stderr


@runners
def test_jobs_dev_full(runner: str, data: tuple[pathlib.Path, bytes]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        p = run(argv_for(runner, ["-j", "2", "classify", str(data[0])]), stdout=full.fileno())
    assert p.returncode == 2 and b"No space left on device" in p.stderr, p.stderr


@runners
def test_jobs_file_size_limit_leaves_whole_lines(runner: str, data: tuple[pathlib.Path, bytes],
                                                 tmp_path: pathlib.Path) -> None:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (150000, 150000))
    out = tmp_path / "out.jsonl"
    with out.open("wb") as f:
        p = run(argv_for(runner, ["-j", "3", "--json", "classify", str(data[0])]), stdout=f.fileno(),
                preexec_fn=limit)
    assert p.returncode == 2 and b"standard output" in p.stderr, p.stderr
    got = out.read_bytes()
    assert 0 < len(got) <= 150000 and got.endswith(b"\n")
    assert [json.loads(x)["line"] for x in got.splitlines()] == list(range(1, len(got.splitlines()) + 1))


@runners
def test_jobs_streams_a_slow_pipe(runner: str) -> None:
    # a pipe that stays open: each line is classified and written as it comes, not at the end
    cli = subprocess.Popen(argv_for(runner, ["-j", "2", "classify"]), stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=str(ROOT))
    assert cli.stdin is not None and cli.stdout is not None
    try:
        cli.stdin.write(b"550 5.1.1 User unknown\n")
        cli.stdin.flush()
        first = cli.stdout.readline()
        assert first.startswith(b"1\tuserunknown\t"), first
        cli.stdin.write(b"452 4.2.2 over quota\n")
        cli.stdin.flush()
        assert cli.stdout.readline().startswith(b"2\tmailboxfull\t")
        cli.stdin.close()
        assert cli.wait(timeout=60) == 0
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        cli.stdout.close()
        assert cli.stderr is not None
        cli.stderr.close()


def test_jobs_broken_pipe_in_process() -> None:
    # SIGPIPE ignored (as Python does): the writer gets EPIPE, stops the reader waiting on an endless
    # pipe and the workers, and the call returns 141 at once
    code = ("import sys; from smtpcodes._smtpcodes import _cli\n"
            "sys.exit(_cli(['smtpcodes', '-j', '2', 'classify']))\n")
    yes = subprocess.Popen(["yes", "550 5.1.1 x"], stdout=subprocess.PIPE)
    assert yes.stdout is not None
    try:
        cli = subprocess.Popen([sys.executable, "-P", "-c", code], stdin=yes.stdout, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_env(), cwd=str(ROOT))
        yes.stdout.close()
        assert cli.stdout is not None
        first = cli.stdout.readline()
        cli.stdout.close()
        try:
            rc = cli.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cli.kill()
            cli.wait()
            rc = None
        assert first.startswith(b"1\tuserunknown\t")
        assert rc == 141
    finally:
        yes.kill()
        yes.wait()


@runners
def test_jobs_broken_pipe_ends_by_sigpipe(runner: str) -> None:
    yes = subprocess.Popen(["yes", "550 5.1.1 x"], stdout=subprocess.PIPE)
    assert yes.stdout is not None
    try:
        cli = subprocess.Popen(argv_for(runner, ["--jobs", "2", "classify"]), stdin=yes.stdout,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(), cwd=str(ROOT))
        yes.stdout.close()
        assert cli.stdout is not None
        cli.stdout.readline()
        cli.stdout.close()
        assert cli.wait(timeout=30) == -signal.SIGPIPE
    finally:
        yes.kill()
        yes.wait()


# ---- sanitizers and valgrind on the threaded CLI ------------------------------------------

def _native_env(**extra: str) -> dict[str, str]:
    """The environment for a binary the test builds itself: without the LD_PRELOAD of an
    ASan-instrumented Python (make asan-python), which a TSan build or valgrind cannot share."""
    env = {k: v for k, v in _env().items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    env.update(extra)
    return env


def _build(tmp: pathlib.Path, flags: list[str]) -> pathlib.Path:
    cc = os.environ.get("CC", "cc")
    exe = tmp / "smtpcodes"
    srcs = sorted(str(p) for p in (ROOT / "csrc").glob("*.c")) + [str(ROOT / "bindings/cli/cli.c"),
                                                                     str(ROOT / "bindings/cli/main.c")]
    subprocess.run([cc, "-std=c11", "-g", "-pthread", *flags, "-I", str(ROOT / "csrc"), "-I",
                    str(ROOT / "bindings/cli"), "-o", str(exe), *srcs], check=True, timeout=900)
    return exe


def test_jobs_clean_under_asan_ubsan(tmp_path: pathlib.Path) -> None:
    exe = _build(tmp_path, ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                            "-fno-omit-frame-pointer"])
    raw = make_input(1500, seed=3)
    (tmp_path / "in.log").write_bytes(raw)
    env = dict(_env(), ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="halt_on_error=1")
    for args in (["-j", "1"], ["-j", "3"]):
        outs = []
        for fmt in ([], ["--json"], ["--html"]):
            for cmd in ("classify", "log"):
                p = subprocess.run([str(exe), *args, *fmt, "--stats", cmd, str(tmp_path / "in.log")],
                                   capture_output=True, env=env, timeout=300)
                assert p.returncode == 0, p.stderr[-3000:]
                assert b"ERROR: AddressSanitizer" not in p.stderr and b"runtime error" not in p.stderr
                outs.append(p.stdout)
        p = subprocess.run([str(exe), *args, "classify"], input=raw, capture_output=True, env=env, timeout=300)
        assert p.returncode == 0, p.stderr[-3000:]
        outs.append(p.stdout)
        if args == ["-j", "1"]:
            ref = outs
        else:
            assert outs == ref


def test_jobs_clean_under_tsan(tmp_path: pathlib.Path) -> None:
    try:
        exe = _build(tmp_path, ["-O1", "-fsanitize=thread"])
    except subprocess.CalledProcessError:
        pytest.fail("cannot build with -fsanitize=thread")
    raw = make_input(1500, seed=4)
    (tmp_path / "in.log").write_bytes(raw)
    env = _native_env(TSAN_OPTIONS="halt_on_error=1:exitcode=66")
    for args in (["-j", "4", "--json", "classify", str(tmp_path / "in.log")], ["-j", "3", "log", "-"]):
        p = subprocess.run([str(exe), *args], input=raw, capture_output=True, env=env, timeout=600)
        if p.returncode != 0 and b"unexpected memory mapping" in p.stderr:
            pytest.fail("TSan cannot run here (ASLR); run with setarch -R: " + p.stderr[-300:].decode())
        assert p.returncode == 0, p.stderr[-3000:]
        assert b"WARNING: ThreadSanitizer" not in p.stderr


def test_jobs_clean_under_valgrind(tmp_path: pathlib.Path) -> None:
    exe = _build(tmp_path, ["-O1"])
    raw = make_input(300, seed=5)
    (tmp_path / "in.log").write_bytes(raw)
    for args in (["-j", "2", "--json", "classify", str(tmp_path / "in.log")], ["-j", "2", "log", "-"]):
        p = subprocess.run(["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=all", str(exe), *args], input=raw, capture_output=True,
                           env=_native_env(), timeout=600)
        assert p.returncode == 0, p.stderr[-3000:]
        ref = subprocess.run([str(exe), *args[2:]], input=raw, capture_output=True, env=_native_env(), timeout=60)
        assert p.stdout == ref.stdout


def test_jobs_scale_in_cpu_time(data: tuple[pathlib.Path, bytes]) -> None:
    # -j 2 does the same work as -j 1: its CPU time (user + sys) is not much larger, so the work
    # is spread, not repeated; wall-clock scaling is `make bench`'s (it needs a quiet machine)
    cli_binary()
    path, _ = data

    def cpu(args: list[str]) -> float:
        best = 1e9
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([str(BINARY), *args, "classify", str(path)], stdout=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            best = min(best, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        return best
    one, two = cpu(["-j", "1"]), cpu(["-j", "2"])
    assert two < one * 1.5 + 0.05, (one, two)
