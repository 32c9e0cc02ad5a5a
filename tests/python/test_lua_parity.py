"""Python and Lua offer the same API (issue 14): the names come from each language's own
introspection (dir() in Python, pairs() over the module and the result tables in Lua) and
are compared name by name, on every Lua interpreter installed (5.4, 5.3, 5.1, LuaJIT)."""
from __future__ import annotations

import inspect
import json
import os
import pathlib
import shutil
import subprocess

import pytest

import smtpcodes
from conftest import lua_builds

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Python only, by design: columns for pandas/Arrow and a table of dicts for DataFrames
PYTHON_ONLY = {"classify_columns", "table"}
LUA_ONLY = {"reason"}  # Lua's older name of reason_info (kept as an alias)

REPLY = "550-5.1.1 first\n550 5.1.1 user unknown"
LOG = ("Dec  2 10:00:00 mx postfix/smtp[1]: ABC123: to=<a@b.c>, relay=mx.b.c[1.2.3.4]:25, delay=1, dsn=5.1.1, "
       "status=bounced (host mx.b.c[1.2.3.4] said: 550 5.1.1 user unknown (in reply to RCPT TO command))")

BOUNCE = ROOT / "tests" / "vectors" / "bounces" / "postfix-userunknown.eml"

LUA_SCRIPT = r"""
local s = require("smtpcodes")
local function keys(t, want)
  local out = {}
  for k, v in pairs(t) do
    if type(k) == "string" and (want == nil or type(v) == want) then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end
local code = s.lookup(550)
local fields = {}
for _, name in ipairs(FIELDS) do fields[#fields + 1] = {name, code[name] ~= nil} end
local cls = s.classify("452 4.2.2 The email account that you tried to reach is over quota. - gsmtp")
local cmp = s.compare(450, 550)
-- classifications are lazy tables (fields made on first access): ask for each Python field by name
local clsf = {}
for _, name in ipairs(CLS_FIELDS) do if cls[name] ~= nil then clsf[#clsf + 1] = name end end
local function enc(list) local q = {} for i, x in ipairs(list) do q[i] = string.format("%q", x) end return "[" .. table.concat(q, ",") .. "]" end
local f = {}
for i, p in ipairs(fields) do f[i] = string.format("[%q,%s]", p[1], tostring(p[2])) end
local sim = {}
for _, a in ipairs(cmp.similarities) do sim[#sim + 1] = string.format("[%q,%q]", a, tostring(cmp.similarities[a])) end
print("{\"functions\":" .. enc(keys(s, "function")) .. ",\"code_fields\":[" .. table.concat(f, ",") ..
      "],\"classification\":" .. enc(clsf) .. ",\"similarities\":[" .. table.concat(sim, ",") .. "]" ..
      ",\"code_table\":" .. enc(keys(s.lookup("5.1.1"):to_table())) ..
      ",\"cls_table\":" .. enc(keys(cls:to_table())) ..
      ",\"reply_table\":" .. enc(keys(s.parse(REPLY):to_table())) ..
      ",\"tag_table\":" .. enc(keys(s.lookup_tag("TSS04"):to_table())) ..
      ",\"log_table\":" .. enc(keys(s.parse_log(LOG):to_table())) ..
      ",\"expl_table\":" .. enc(keys(s.explain(550):to_table())) ..
      ",\"cmp_table\":" .. enc(keys(cmp:to_table())) ..
      ",\"cmp_sim\":[" .. (function() local q = {} for i, p in ipairs(cmp:to_table().similarities) do
        q[i] = string.format("[%q,%q]", p[1], p[2]) end return table.concat(q, ",") end)() .. "]" ..
      ",\"bounce_table\":" .. enc(keys(s.parse_bounce(io.open(BOUNCE, "rb"):read("*a")):to_table())) ..
      ",\"recipient_table\":" ..
      enc(keys(s.parse_bounce(io.open(BOUNCE, "rb"):read("*a")).recipients[1]:to_table())) .. "}")
"""


def _interpreters() -> list[tuple[str, str]]:
    return [(lua, str(d)) for lua, d in lua_builds()]


def _python_functions() -> set[str]:
    return {n for n in dir(smtpcodes) if not n.startswith("_") and callable(getattr(smtpcodes, n))
            and not inspect.isclass(getattr(smtpcodes, n))}


def _python_fields(cls: type) -> list[str]:
    return sorted(n for n in dir(cls) if not n.startswith("_") and not callable(getattr(cls, n)))


@pytest.mark.parametrize("lua,cpath", _interpreters() or [("", "")])
def test_python_and_lua_apis_match_name_by_name(lua: str, cpath: str) -> None:
    if not lua:
        pytest.fail("no Lua build to compare with (make rock or make lua; tests/install_deps.sh installs Lua)")
    fields = _python_fields(smtpcodes.Code)
    py_cls = smtpcodes.classify("452 4.2.2 The email account that you tried to reach is over quota. - gsmtp")
    cls_fields = _python_fields(type(py_cls))
    script = (f"BOUNCE = {json.dumps(str(BOUNCE))}\nREPLY = {json.dumps(REPLY)}\nLOG = {json.dumps(LOG)}\n" + "FIELDS = {" + ",".join(f'"{f}"' for f in fields) + "}\nCLS_FIELDS = {" +
              ",".join(f'"{f}"' for f in cls_fields) + "}\n" + LUA_SCRIPT)
    env = dict(os.environ, LUA_CPATH=f"{cpath}/?.so;;")
    r = subprocess.run([lua, "-e", script], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert set(got["functions"]) - LUA_ONLY == _python_functions() - PYTHON_ONLY
    missing = [name for name, present in got["code_fields"] if not present and name not in ("vendor", "alt")]
    assert missing == [], f"Code fields Python has and Lua lacks: {missing}"
    lua_cls = set(got["classification"])
    py_fields = {f for f in _python_fields(type(py_cls)) if getattr(py_cls, f) is not None}
    # raw: Python only (the original bytes); every other field Python sets, Lua has too
    assert py_fields - {"raw"} == lua_cls, py_fields ^ lua_cls
    assert dict(got["similarities"]) == dict(smtpcodes.compare(450, 550).similarities)
    # to_table() keys are to_dict() keys (Lua has no nil values: keys whose value is None are absent)
    def set_keys(d: dict) -> set:
        return {k for k, v in d.items() if v is not None}
    assert set(got["code_table"]) == set_keys(smtpcodes.lookup("5.1.1").to_dict())
    assert set(got["cls_table"]) == set_keys(py_cls.to_dict())
    assert set(got["reply_table"]) == set_keys(smtpcodes.parse(REPLY).to_dict())
    assert set(got["tag_table"]) == set_keys(smtpcodes.lookup_tag("TSS04").to_dict())
    assert set(got["log_table"]) == set_keys(smtpcodes.parse_log(LOG).to_dict())
    assert set(got["expl_table"]) == set_keys(smtpcodes.explain(550).to_dict())
    assert set(got["cmp_table"]) == set_keys(smtpcodes.compare(450, 550).to_dict())
    assert got["cmp_sim"] == [list(p) for p in smtpcodes.compare(450, 550).to_dict()["similarities"]]
    bounce = smtpcodes.parse_bounce(BOUNCE.read_bytes())
    assert set(got["bounce_table"]) == set_keys(bounce.to_dict())
    assert set(got["recipient_table"]) == set_keys(bounce.recipients[0].to_dict())
