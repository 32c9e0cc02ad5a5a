"""One renderer for every format: the HTML (and text and Markdown) of every result type is
produced by the C core, so Python, Lua and the command line print the same bytes.

Lua runs the module built by `make rock` (build/lua_modules) or `make lua` (build/lua); the CLI
is build/smtpcodes. tests/run_all.sh builds both before the Python suite; a missing build is a
failure, not a skip.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess

import pytest

import smtpcodes

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / "build" / "smtpcodes"
LUA_DIRS = [ROOT / "build" / "lua_modules" / "lib" / "lua" / "5.4", ROOT / "build" / "lua"]

REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown & \"quoted\" <script>"
CLASSIFIED = "452 4.2.2 The email account that you tried to reach is over quota. - gsmtp"
LOGLINE = ("Dec  2 00:27:01 mx postfix/smtp[123]: 4B2C1: to=<bob@example.org>, relay=mx.example.org[192.0.2.1]:25, "
           "delay=1.2, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection timed out)")
BOUNCE = ("From: MAILER-DAEMON@example.org\r\nTo: alice@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
          "Content-Type: text/plain\r\n\r\n<bob@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 "
          "<bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command)\r\n")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    env["NO_COLOR"] = "1"
    return env


def _lua_dir() -> pathlib.Path:
    built = [d for d in LUA_DIRS if (d / "smtpcodes.so").exists()]
    if not built:
        pytest.fail("no Lua build (make rock or make lua) under build/")
    return max(built, key=lambda d: (d / "smtpcodes.so").stat().st_mtime)   # the freshest build


def _lua() -> str:
    lua = shutil.which("lua5.4")
    if not lua:
        pytest.fail("lua5.4 is not installed (tests/install_deps.sh installs it)")
    return lua


# (name, Python value, Lua expression)
CASES = [
    ("code-550-en", lambda: smtpcodes.lookup(550).html, 'sc.lookup(550).html'),
    ("code-5.1.1-es", lambda: smtpcodes.lookup("5.1.1", lang="es").html, 'sc.lookup("5.1.1", "es").html'),
    ("code-unknown-es", lambda: smtpcodes.lookup(259, lang="es").html, 'sc.lookup(259, "es").html'),
    ("explain-reply-en", lambda: smtpcodes.explain(REPLY).html, "sc.explain(REPLY).html"),
    ("explain-reply-es", lambda: smtpcodes.explain(REPLY, lang="es").html, 'sc.explain(REPLY, "es").html'),
    ("explain-code-es-md", lambda: smtpcodes.explain(211, lang="es").markdown, 'sc.explain(211, "es").markdown'),
    ("reply-html", lambda: smtpcodes.parse(REPLY).html, "sc.parse(REPLY).html"),
    ("compare-en", lambda: smtpcodes.compare(211, 252).html, "sc.compare(211, 252).html"),
    ("compare-es", lambda: smtpcodes.compare(211, 252, lang="es").html, 'sc.compare(211, 252, "es").html'),
    ("compare-mixed-es", lambda: smtpcodes.compare("5.1.1", 550, lang="es").html,
     'sc.compare("5.1.1", 550, "es").html'),
    ("classify-en", lambda: smtpcodes.classify(CLASSIFIED).html, "sc.classify(CLASSIFIED).html"),
    ("classify-es", lambda: smtpcodes.classify(CLASSIFIED, lang="es").html, 'sc.classify(CLASSIFIED, "es").html'),
    ("classify-es-text", lambda: smtpcodes.classify(CLASSIFIED, lang="es").text, 'sc.classify(CLASSIFIED, "es").text'),
    ("classify-md", lambda: smtpcodes.classify(CLASSIFIED).markdown, "sc.classify(CLASSIFIED).markdown"),
    ("tag-en", lambda: smtpcodes.lookup_tag("TSS04").html, 'sc.lookup_tag("TSS04").html'),
    ("tag-es", lambda: smtpcodes.lookup_tag("DT:SPM", lang="es").html, 'sc.lookup_tag("DT:SPM", nil, "es").html'),
    ("log-en", lambda: smtpcodes.parse_log(LOGLINE).html, "sc.parse_log(LOGLINE).html"),
    ("log-es", lambda: smtpcodes.parse_log(LOGLINE, lang="es").html, 'sc.parse_log(LOGLINE, "es").html'),
    ("bounce-en", lambda: smtpcodes.parse_bounce(BOUNCE).html, "sc.parse_bounce(BOUNCE).html"),
    ("bounce-es", lambda: smtpcodes.parse_bounce(BOUNCE, lang="es").html, 'sc.parse_bounce(BOUNCE, "es").html'),
    ("bounce-md", lambda: smtpcodes.parse_bounce(BOUNCE).markdown, "sc.parse_bounce(BOUNCE).markdown"),
]


@pytest.fixture(scope="module")
def lua_values() -> dict[str, str]:
    d = _lua_dir()
    lines = [f"package.cpath = {json.dumps(str(d) + '/?.so;')} .. package.cpath",
             'local sc = require("smtpcodes")',
             f"local REPLY = {json.dumps(REPLY)}",
             f"local CLASSIFIED = {json.dumps(CLASSIFIED)}",
             f"local LOGLINE = {json.dumps(LOGLINE)}",
             f"local BOUNCE = {json.dumps(BOUNCE)}",
             "local function out(name, s) io.write(name, '\\0', #s, '\\0', s) end"]
    lines += [f"out({json.dumps(name)}, {expr})" for name, _, expr in CASES]
    r = subprocess.run([_lua(), "-e", "\n".join(lines)], capture_output=True, env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    values, data = {}, r.stdout
    while data:
        name, size, rest = data.split(b"\0", 2)
        values[name.decode()] = rest[: int(size)].decode("utf-8")
        data = rest[int(size):]
    return values


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_python_and_lua_print_the_same_bytes(name: str, lua_values: dict[str, str]) -> None:
    py = dict((n, f) for n, f, _ in CASES)[name]()
    assert py, name
    assert lua_values[name] == py


def _cli(*args: str) -> str:
    if not BINARY.exists():
        pytest.fail("build/smtpcodes is missing (make build/smtpcodes)")
    r = subprocess.run([str(BINARY), *args], capture_output=True, env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode("utf-8")


@pytest.mark.parametrize(("args", "value"), [
    (["compare", "211", "252", "--html", "--lang", "es"], lambda: smtpcodes.compare(211, 252, lang="es").html),
    (["--html", "compare", "211", "252"], lambda: smtpcodes.compare(211, 252).html),
    (["--html", "lookup", "550"], lambda: smtpcodes.lookup(550).html),
    (["--html", "--lang", "es", "lookup", "5.1.1"], lambda: smtpcodes.lookup("5.1.1", lang="es").html),
    (["--html", "--lang", "es", "explain", REPLY], lambda: smtpcodes.explain(REPLY, lang="es").html),
    (["--html", "--lang", "es", "lookup", "TSS04"], lambda: smtpcodes.lookup_tag("TSS04", lang="es").html),
])
def test_cli_prints_the_core_html(args: list[str], value) -> None:  # type: ignore[no-untyped-def]
    out = _cli(*args)
    expected = value()
    # the CLI ends its output with one newline; the card already ends with one
    assert out in (expected, expected + "\n"), (out[:200], expected[:200])


@pytest.mark.parametrize("fmt", ["--html", "--markdown"])
def test_cli_classify_cards_are_the_core_cards(fmt: str) -> None:
    if not BINARY.exists():
        pytest.fail("build/smtpcodes is missing (make build/smtpcodes)")
    lines = [CLASSIFIED, "550 5.1.1 <a@example.org>: user unknown"]
    r = subprocess.run([str(BINARY), fmt, "--lang", "es", "classify"], input="\n".join(lines).encode(),
                       capture_output=True, env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    attr = "html" if fmt == "--html" else "markdown"
    expected = "".join(getattr(smtpcodes.classify(x, lang="es"), attr) + "\n" for x in lines)
    assert r.stdout.decode("utf-8") == expected


def test_python_module_has_no_html_of_its_own() -> None:
    pkg = pathlib.Path(smtpcodes.__file__).parent
    assert not (pkg / "_display.py").exists()
    for f in pkg.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "<table" not in text and "<section" not in text and "<div" not in text, f
