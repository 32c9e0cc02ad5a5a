"""Lua explain() of a bounce (issue 12): smtpcodes.explain(smtpcodes.parse_bounce(msg), lang)
in Lua gives the same text, Markdown and HTML bytes as Python's explain(parse_bounce(msg),
lang=...) and as `smtpcodes explain [--markdown|--html] --lang en|es FILE`, for every bounce
vector, on every Lua interpreter built (5.4, 5.3, 5.1, LuaJIT: tests/lua/run_versions.sh)."""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

import smtpcodes
from conftest import cli_binary, lua_builds

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "bounces"
FILES = sorted(VECTORS.glob("*.eml"))
FORMATS = ("text", "markdown", "html")

# For each file and language, each rendering framed by its length (binary-safe).
LUA_SCRIPT = r"""
local s = require("smtpcodes")
local out = {}
for _, path in ipairs(FILES) do
  local f = assert(io.open(path, "rb")); local msg = f:read("*a"); f:close()
  for _, lang in ipairs({"en", "es"}) do
    local e = s.explain(s.parse_bounce(msg), lang)
    for _, k in ipairs({"text", "markdown", "html"}) do out[#out + 1] = #e[k] .. ":" .. e[k] end
  end
end
io.write(table.concat(out))
"""


def _interpreters() -> list[tuple[str, pathlib.Path]]:
    return lua_builds()


def _unframe(data: bytes) -> list[bytes]:
    items, i = [], 0
    while i < len(data):
        colon = data.index(b":", i)
        n = int(data[i:colon])
        items.append(data[colon + 1:colon + 1 + n])
        i = colon + 1 + n
    return items


def _cli(*args: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    env["NO_COLOR"] = "1"
    r = subprocess.run([str(cli_binary()), *args], capture_output=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_there_are_vectors_and_a_lua() -> None:
    assert len(FILES) >= 5
    assert _interpreters(), "no Lua build (make lua, or tests/lua/run_versions.sh for every version)"


@pytest.fixture(scope="module")
def cli_cards() -> list[bytes]:
    cards = []
    for path in FILES:
        for lang in ("en", "es"):
            for opt in ([], ["--markdown"], ["--html"]):
                cards.append(_cli("explain", "--lang", lang, *opt, str(path)))
    return cards


@pytest.mark.parametrize("lua,cpath", _interpreters() or [("", ROOT)])
def test_lua_explain_of_a_bounce_is_python_and_the_cli(lua: str, cpath: pathlib.Path,
                                                      cli_cards: list[bytes]) -> None:
    if not lua:
        pytest.fail("no Lua build to compare with (make lua)")
    files = "FILES = {" + ",".join('"' + str(p).replace("\\", "\\\\") + '"' for p in FILES) + "}\n"
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    env["LUA_CPATH"] = f"{cpath}/?.so;;"
    r = subprocess.run([lua, "-e", files + LUA_SCRIPT], capture_output=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    got = _unframe(r.stdout)
    assert len(got) == len(FILES) * 2 * len(FORMATS)
    k = 0
    for path in FILES:
        for lang in ("en", "es"):
            e = smtpcodes.explain(smtpcodes.parse_bounce(path.read_bytes()), lang=lang)
            for fmt in FORMATS:
                py = getattr(e, fmt).encode("utf-8")
                assert got[k] == py, (lua, path.name, lang, fmt)
                assert got[k] + b"\n" == cli_cards[k], (lua, path.name, lang, fmt)
                k += 1
