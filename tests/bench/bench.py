#!/usr/bin/env python3
"""make bench: every benchmark in one run, each beside its baseline measured in the same run.

C (tests/bench/bench_c.c), Python (this file) and Lua (tests/bench/bench.lua) rates over the
texts of ../shared/corpus/sisimai/corpus.tsv; prints the tables and writes BENCHMARKS.md.
Ratios, not absolute numbers, are the claims: both sides of a ratio ran on the same machine
in the same minute.
"""
import argparse
import csv
import enum
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "sisimai", "corpus.tsv")
BUILD = os.path.join(ROOT, "build", "bench")

import smtpcodes  # noqa: E402  (the in-place build: make bench sets PYTHONPATH)


def corpus_texts():
    if os.path.exists(CORPUS):
        with open(CORPUS, newline="", encoding="utf-8") as f:
            return [r["diagnostic_text"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    # without the shared corpus, the parse vectors stand in (smaller, still real replies)
    texts = []
    with open(os.path.join(ROOT, "tests", "vectors", "parse.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                texts.append(line.split("\t")[1].replace("\\n", "\n").replace("\\r", ""))
    return texts


def best_rate(fn, n, repeat=5):
    """Operations per second: the best of `repeat` timings of fn() doing n operations."""
    times = timeit.repeat(fn, number=1, repeat=repeat)
    return n / min(times)


# ---- baselines written the straightforward way --------------------------------------------

class SMTPStatus(enum.IntEnum):
    """An IntEnum of the basic codes, looked up like http.HTTPStatus(550)."""
    locals().update({f"C{c.code}": c.code for c in smtpcodes.codes("basic")})


def smtplib_parse(reply):
    """Parse a reply the way smtplib.SMTP.getreply does: code from the first three
    characters of each line, '-' for continuation, text after the fourth character."""
    code, lines = -1, []
    for line in reply.split("\n"):
        line = line.rstrip("\r")
        c = line[:3]
        lines.append(line[4:].strip(" \t\r\n"))
        try:
            code = int(c)
        except ValueError:
            code = -1
            break
        if line[3:4] != "-":
            break
    return code, "\n".join(lines)


KEYWORDS = [
    ("userunknown", ("user unknown", "no such user", "does not exist", "recipient not found", "unknown user",
                     "invalid recipient", "no such mailbox", "mailbox unavailable")),
    ("mailboxfull", ("mailbox full", "over quota", "quota exceeded", "mailbox is full", "insufficient storage")),
    ("mesgtoobig", ("message too large", "message size exceeds", "too big")),
    ("hostunknown", ("host unknown", "domain not found", "no such domain", "host not found")),
    ("norelaying", ("relay access denied", "relaying denied", "unable to relay")),
    ("greylisted", ("greylist", "graylist")),
    ("spamdetected", ("spam", "junk")),
    ("virusdetected", ("virus", "malware")),
    ("authfailure", ("spf", "dkim", "dmarc")),
    ("requireptr", ("ptr record", "reverse dns")),
    ("blocked", ("blocked", "blacklist", "blocklist", "listed", "banned")),
    ("speeding", ("rate limit", "too many messages", "too fast")),
    ("toomanyconn", ("too many connections",)),
    ("expired", ("expired", "retry timeout", "timed out")),
    ("suspend", ("disabled", "suspended", "inactive")),
    ("systemerror", ("system error", "internal error", "try again later")),
]
CODE_RE = re.compile(r"\b([245][0-5][0-9])\b")


def keyword_classify(text):
    """The straightforward pure-Python classifier: lowercase, first keyword wins, else the code."""
    t = text.lower()
    for reason, words in KEYWORDS:
        for w in words:
            if w in t:
                return reason
    m = CODE_RE.search(t)
    if m:
        return "delivered" if m.group(1)[0] == "2" else "onhold"
    return "undefined"


# ---- runs --------------------------------------------------------------------------------

def run_c(texts_file):
    exe = os.path.join(ROOT, "build", "bench_c")
    out = subprocess.run([exe, texts_file], capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        name, rate, ns = line.split("\t")
        res[name] = (float(rate), float(ns))
    return res


def columns_vs_c(texts_file, rounds=5, reps=20):
    """classify_columns against the C core's classify loop over the same lines (the texts
    file decoded as bench_c decodes it), both timed in CPU time, in alternating rounds, best
    of each: a fair ratio even when other processes share the CPUs."""
    exe = os.path.join(ROOT, "build", "bench_c")
    lines = []
    with open(texts_file, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            out, i = [], 0
            while i < len(raw):
                if raw[i] == "\\" and raw[i + 1:i + 2] == "n":
                    out.append("\n")
                    i += 2
                else:
                    out.append(raw[i])
                    i += 1
            lines.append("".join(out))
    batch = lines * reps
    arrow = None
    try:
        import pyarrow
        arrow = pyarrow.array(batch)
    except ImportError:
        pass
    best = {"c": 0.0, "list": 0.0, "arrow": 0.0}
    for _ in range(rounds):
        out = subprocess.run([exe, texts_file, "--classify-cpu", str(reps)], capture_output=True, text=True,
                             check=True).stdout
        best["c"] = max(best["c"], float(out.split("\t")[1]))
        for name, data in (("list", batch), ("arrow", arrow)):
            if data is None:
                continue
            t0 = time.process_time()
            cols = smtpcodes.classify_columns(data, threads=1)
            dt = time.process_time() - t0
            assert cols.num_rows == len(batch)
            best[name] = max(best[name], len(batch) / dt)
    return best


# ---- CLI ---------------------------------------------------------------------------------

CLI_REPS = 106   # 941 corpus texts x 106 = 99,746 lines


def cli_vs_c(texts, rounds=7):
    """`smtpcodes classify FILE > /dev/null` with -j 1 and -j 2 against the C core's classify loop
    over the same lines, all three timed in wall-clock (whole processes, start-up included), in
    alternating rounds, best of each. The lines: the corpus texts (one per line; none holds a
    newline or a backslash-n, so bench_c reads them unchanged) repeated CLI_REPS times, written
    to build/bench (never committed); the core side classifies the same texts CLI_REPS times.
    Also the CPU time (user + sys) of each CLI run, which shows scaling on a loaded machine."""
    exe_c = os.path.join(ROOT, "build", "bench_c")
    exe_cli = os.path.join(ROOT, "build", "smtpcodes")
    one = os.path.join(BUILD, "cli_texts.txt")
    lines_file = os.path.join(BUILD, "cli_lines.txt")
    clean = [t for t in texts if "\n" not in t and "\\n" not in t]
    with open(one, "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in clean))
    with open(lines_file, "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in clean) * CLI_REPS)
    n = len(clean) * CLI_REPS
    runs = {"c": [exe_c, one, "--classify-cpu", str(CLI_REPS)],
            "j1": [exe_cli, "-j", "1", "classify", lines_file],
            "j2": [exe_cli, "-j", "2", "classify", lines_file]}
    best = {k: float("inf") for k in runs}
    cpu = {k: float("inf") for k in runs}
    for _ in range(rounds):
        for name, argv in runs.items():
            before = os.times()
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
            dt = time.perf_counter() - t0
            after = os.times()
            best[name] = min(best[name], dt)
            cpu[name] = min(cpu[name], (after.children_user - before.children_user)
                            + (after.children_system - before.children_system))
    return {"n": n, **{k: n / v for k, v in best.items()}, **{k + "_cpu": v for k, v in cpu.items()}}


def luajit_module():
    """build/lua-luajit/smtpcodes.so, built here with cc (as tests/lua/run_versions.sh does), or None."""
    so_dir = os.path.join(ROOT, "build", "lua-luajit")
    try:
        inc = subprocess.run(["pkg-config", "--cflags", "luajit"], capture_output=True, text=True,
                             check=True).stdout.split()
        srcs = sorted(os.path.join("csrc", f) for f in os.listdir(os.path.join(ROOT, "csrc")) if f.endswith(".c"))
        os.makedirs(so_dir, exist_ok=True)
        subprocess.run(["cc", "-std=c11", "-O2", "-pthread", "-fPIC", "-shared", "-fvisibility=hidden", *inc, "-Icsrc", "-o",
                        os.path.join(so_dir, "smtpcodes.so"), *srcs, "bindings/lua/lsmtpcodes.c"],
                       cwd=ROOT, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: LuaJIT skipped ({e})", file=sys.stderr)
        return None
    return so_dir


def run_lua(texts_file, lua="lua5.4", so_dir=os.path.join(ROOT, "build", "lua")):
    if so_dir is None:
        return {}
    code = f"package.cpath={so_dir!r}..'/?.so;'..package.cpath"
    try:
        out = subprocess.run([lua, "-e", code, os.path.join(ROOT, "tests", "bench", "bench.lua"), texts_file],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: Lua skipped ({e})", file=sys.stderr)
        return {}
    return {name: float(rate) for name, rate in (line.split("\t") for line in out.splitlines())}


LUA_WALL_LINES = 20000   # bench.lua --wall: the corpus texts repeated to at least this many lines


def lua_wall(texts_file, n_texts, lua="lua5.4", so_dir=os.path.join(ROOT, "build", "lua"), rounds=3, passes=20):
    """classify_many on 1 and 2 threads against a loop of classify that keeps its results, each a
    whole `bench.lua --wall` process timed in wall-clock (start-up included), alternating rounds,
    best of each; lines/s. Wall-clock because os.clock adds up the CPU time of all threads."""
    if so_dir is None:
        return {}
    code = f"package.cpath={so_dir!r}..'/?.so;'..package.cpath"
    lines = n_texts * -(-LUA_WALL_LINES // n_texts) * passes
    best = {}
    try:
        for _ in range(rounds):
            for mode in ("collect", "many1", "many2"):
                t0 = time.perf_counter()
                subprocess.run([lua, "-e", code, os.path.join(ROOT, "tests", "bench", "bench.lua"), texts_file,
                                "--wall", mode, str(passes)], check=True, capture_output=True)
                best[mode] = min(best.get(mode, float("inf")), time.perf_counter() - t0)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: Lua wall-clock runs skipped ({e})", file=sys.stderr)
        return {}
    return {"lua.wall_" + k: lines / v for k, v in best.items()}


def run_python(texts):
    res = {}
    n = 200_000
    lookup = smtpcodes.lookup
    prebuilt = {c.code: c for c in smtpcodes.codes()}
    get = prebuilt.get
    res["py.lookup(550)"] = best_rate(lambda: [lookup(550) for _ in range(n)], n)
    res["dict.get(550)"] = best_rate(lambda: [get(550) for _ in range(n)], n)
    res["IntEnum(550)"] = best_rate(lambda: [SMTPStatus(550) for _ in range(n)], n)
    res["py.lookup('5.1.1')"] = best_rate(lambda: [lookup("5.1.1") for _ in range(n)], n)

    replies = [t for t in texts]
    parse = smtpcodes.parse

    def parse_all():
        for t in replies:
            try:
                parse(t)
            except smtpcodes.ParseError:
                pass
    res["py.parse"] = best_rate(parse_all, len(replies))
    res["smtplib-style parse"] = best_rate(lambda: [smtplib_parse(t) for t in replies], len(replies))
    # the binding's own cost: only the texts that parse (no ParseError to build), against the
    # C core's parse of every text (c.parse), and the smtplib-style parser over the same texts
    ok = []
    for t in replies:
        try:
            parse(t)
            ok.append(t)
        except smtpcodes.ParseError:
            pass
    res["py.parse (texts that parse)"] = best_rate(lambda: [parse(t) for t in ok], len(ok))
    res["smtplib-style parse (same texts)"] = best_rate(lambda: [smtplib_parse(t) for t in ok], len(ok))

    batch = texts * 20
    res["py.classify_many"] = best_rate(lambda: smtpcodes.classify_many(batch), len(batch), repeat=3)
    res["keyword classifier"] = best_rate(lambda: [keyword_classify(t) for t in batch], len(batch), repeat=3)

    def import_time(module):
        """Median over fresh interpreters of the module's cumulative import time, in seconds,
        as python -X importtime reports it (excludes interpreter start-up)."""
        samples = []
        for _ in range(15):
            err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                                 capture_output=True, text=True, check=True, env=dict(os.environ)).stderr
            for line in err.splitlines():
                parts = [p.strip() for p in line.split("|")]
                if len(parts) == 3 and parts[2] == module:
                    samples.append(int(parts[1]) / 1e6)
        return statistics.median(samples) if samples else float("nan")
    res["import smtpcodes (ms)"] = import_time("smtpcodes") * 1000
    res["import json (ms)"] = import_time("json") * 1000
    return res


BOUNCES = os.path.join(ROOT, "..", "shared", "corpus", "bounces", "emails")


def bounce_files():
    """The bounce corpus (read in place), else the bounce vectors."""
    d = BOUNCES if os.path.isdir(BOUNCES) else os.path.join(ROOT, "tests", "vectors", "bounces")
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".eml")]


def run_bounce(files):
    """parse_bounce in C (build/bounce_tsv -b) and through Python, beside the stdlib's email
    parser walking the same messages to their delivery-status part (what a script would do)."""
    import email
    import email.policy
    exe = os.path.join(ROOT, "build", "bounce_tsv")
    out = subprocess.run([exe, "-b", "20", *files], capture_output=True, text=True, check=True).stdout
    c_rate = float(out.split()[0])
    msgs = []
    for p in files:
        with open(p, "rb") as f:
            msgs.append(f.read())

    def ours():
        for m in msgs:
            smtpcodes.parse_bounce(m)

    def stdlib():
        for m in msgs:
            e = email.message_from_bytes(m, policy=email.policy.compat32)
            for part in e.walk():
                if part.get_content_type() == "message/delivery-status":
                    part.get_payload()

    def stdlib_default():
        for m in msgs:
            e = email.message_from_bytes(m, policy=email.policy.default)
            for part in e.walk():
                if part.get_content_type() == "message/delivery-status":
                    part.get_payload()

    return {"c": c_rate, "py": best_rate(ours, len(msgs), 3), "stdlib": best_rate(stdlib, len(msgs), 3),
            "stdlib_default": best_rate(stdlib_default, len(msgs), 3), "n": len(msgs),
            "bytes": sum(len(m) for m in msgs)}


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    return (f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {cc[0] if cc else 'cc'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = ap.parse_args()
    os.makedirs(BUILD, exist_ok=True)
    texts = corpus_texts()
    texts_file = os.path.join(BUILD, "texts.txt")
    with open(texts_file, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(t.replace("\\", "\\\\").replace("\n", "\\n") + "\n")
    c = run_c(texts_file)
    cols = columns_vs_c(texts_file)
    cli = cli_vs_c(texts)
    py = run_python(texts)
    lua = run_lua(texts_file)
    lua.update(lua_wall(texts_file, len(texts)) if lua else {})
    jit_dir = luajit_module()
    luajit = run_lua(texts_file, "luajit", jit_dir)
    luajit.update(lua_wall(texts_file, len(texts), "luajit", jit_dir) if luajit else {})
    bo = run_bounce(bounce_files())

    def fmt(x):
        return f"{x:,.0f}"

    rows_c = [
        ("lookup (text: 550, 5.1.1, ...)", f"{c['c.lookup'][1]:.1f} ns/op", fmt(c["c.lookup"][0]) + " /s"),
        ("lookup_basic(550)", f"{c['c.lookup_basic_int'][1]:.1f} ns/op", fmt(c["c.lookup_basic_int"][0]) + " /s"),
        ("parse, lenient (corpus lines)", f"{c['c.parse'][1]:.0f} ns/line", fmt(c["c.parse"][0]) + " lines/s"),
        ("classify (corpus lines)", f"{c['c.classify'][1]:.0f} ns/line", fmt(c["c.classify"][0]) + " lines/s"),
        # issue 16: the byte-scan floor (one lookup per byte in a 256-byte table over the same
        # bytes), timed in alternating rounds with classify, and classify's cost over it
        ("byte-scan floor (same corpus bytes)",
         f"{c['c.floor'][1]:.0f} ns/line, {c['c.floor_byte'][1]:.2f} ns/byte", fmt(c["c.floor"][0]) + " lines/s"),
        ("classify per byte", f"{c['c.classify_byte'][1]:.2f} ns/byte",
         f"classify / floor = {c['c.classify_over_floor'][0]:.1f} "
         f"(mean line {c['c.classify_over_floor'][1]:.0f} bytes)"),
        ("dependent byte walk (4 KB table in L1, same bytes)", f"{c['c.walk_byte'][1]:.2f} ns/byte",
         f"walk / floor = {c['c.walk_over_floor'][0]:.1f}; classify / walk = {c['c.walk_over_floor'][1]:.1f}"),
        ("explain (render)", f"{c['c.explain'][1]:.0f} ns", fmt(c["c.explain"][0]) + " renders/s"),
        ("compare 211/252 (render)", f"{c['c.compare'][1]:.0f} ns", fmt(c["c.compare"][0]) + " renders/s"),
    ]
    def ratio(a, b):
        """smtpcodes' rate over the baseline's: above 1 means smtpcodes is faster."""
        return f"{a / b:.2f}"
    rows_py = [
        ("lookup(550) vs dict.get of a prebuilt object", fmt(py["py.lookup(550)"]), fmt(py["dict.get(550)"]),
         ratio(py["py.lookup(550)"], py["dict.get(550)"])),
        ("lookup(550) vs IntEnum(550) (like http.HTTPStatus)", fmt(py["py.lookup(550)"]), fmt(py["IntEnum(550)"]),
         ratio(py["py.lookup(550)"], py["IntEnum(550)"])),
        ("lookup('5.1.1') vs dict.get", fmt(py["py.lookup('5.1.1')"]), fmt(py["dict.get(550)"]),
         ratio(py["py.lookup('5.1.1')"], py["dict.get(550)"])),
        ("parse vs a smtplib-style pure-Python parser", fmt(py["py.parse"]), fmt(py["smtplib-style parse"]),
         ratio(py["py.parse"], py["smtplib-style parse"])),
        ("parse of the texts that parse (no ParseError) vs the smtplib-style parser on them",
         fmt(py["py.parse (texts that parse)"]), fmt(py["smtplib-style parse (same texts)"]),
         ratio(py["py.parse (texts that parse)"], py["smtplib-style parse (same texts)"])),
        ("classify_many vs a pure-Python keyword classifier", fmt(py["py.classify_many"]),
         fmt(py["keyword classifier"]), ratio(py["py.classify_many"], py["keyword classifier"])),
    ]
    # classify_columns against the C core over the same lines, CPU time, alternating rounds
    rows_py.append(("classify_columns (list, 1 thread) vs the C core's classify loop (CPU time, same lines)",
                    fmt(cols["list"]), fmt(cols["c"]), ratio(cols["list"], cols["c"])))
    if cols["arrow"]:
        rows_py.append(("classify_columns (Arrow array, 1 thread) vs the C core's classify loop (CPU time)",
                        fmt(cols["arrow"]), fmt(cols["c"]), ratio(cols["arrow"], cols["c"])))
    rows_c.append((f"parse_bounce (whole messages, {bo['n']} of the bounce corpus)",
                   f"{1e6 / bo['c']:.1f} us/message", fmt(bo["c"]) + " messages/s"))
    rows_py.append(("parse_bounce vs the email package (compat32) walking to the delivery-status part",
                    fmt(bo["py"]), fmt(bo["stdlib"]), ratio(bo["py"], bo["stdlib"])))
    rows_py.append(("parse_bounce vs the email package (policy.default) walking to the delivery-status part",
                    fmt(bo["py"]), fmt(bo["stdlib_default"]), ratio(bo["py"], bo["stdlib_default"])))
    def lua_rows(res):
        rows = []
        if res:
            rows.append(("lookup(550) vs a pure-Lua table lookup", fmt(res["lua.lookup"]),
                         fmt(res["lua.table_lookup"]), ratio(res["lua.lookup"], res["lua.table_lookup"])))
        if "lua.classify" in res:
            rows.append(("classify vs a pure-Lua keyword classifier", fmt(res["lua.classify"]),
                         fmt(res["lua.keyword_baseline"]), ratio(res["lua.classify"], res["lua.keyword_baseline"])))
        if "lua.lookup_const" in res:
            rows.append(("lookup(550) vs a table lookup, constant key (PUC Lua only: LuaJIT hoists both)",
                         fmt(res["lua.lookup_const"]), fmt(res["lua.table_lookup_const"]),
                         ratio(res["lua.lookup_const"], res["lua.table_lookup_const"])))
        if "lua.classify_collect" in res:
            rows.append(("classify_many (lines/s) vs a loop of classify that keeps its results in a list, as "
                         "classify_many returns them", fmt(res["lua.classify_many"]), fmt(res["lua.classify_collect"]),
                         ratio(res["lua.classify_many"], res["lua.classify_collect"])))
        if "lua.classify_many" in res:
            rows.append(("classify_many (lines/s) vs a loop of classify that drops each result at once",
                         fmt(res["lua.classify_many"]), fmt(res["lua.classify"]),
                         ratio(res["lua.classify_many"], res["lua.classify"])))
        if "lua.wall_many2" in res:
            rows.append(("classify_many, 2 threads (lines/s, wall-clock) vs a loop of classify that keeps its results",
                         fmt(res["lua.wall_many2"]), fmt(res["lua.wall_collect"]),
                         ratio(res["lua.wall_many2"], res["lua.wall_collect"])))
            rows.append(("classify_many, 1 thread (lines/s, wall-clock) vs the same loop",
                         fmt(res["lua.wall_many1"]), fmt(res["lua.wall_collect"]),
                         ratio(res["lua.wall_many1"], res["lua.wall_collect"])))
        return rows
    rows_lua = lua_rows(lua)
    rows_luajit = lua_rows(luajit)
    md = ["# Benchmarks", "",
          f"Produced by `make bench` on {time.strftime('%Y-%m-%d')}. Machine: {machine()}.", "",
          f"Input: the {len(texts)} diagnostic texts of `../shared/corpus/sisimai/corpus.tsv` "
          f"(mean {statistics.mean(len(t) for t in texts):.0f} bytes). Single thread. Each ratio compares two "
          "measurements taken in the same run; rerun `make bench` to reproduce them. Speed ratio = "
          "smtpcodes' rate divided by the baseline's (above 1: smtpcodes is faster). The smtpcodes side "
          "does more than its baseline: `parse` returns a Reply with flags, Codes and both codes "
          "checked; `classify` returns reason, permanence, hard/soft, retry and evidence.", "",
          "## C core", "", "| operation | time | rate |", "| --- | --- | --- |"]
    md += [f"| {a} | {b} | {c_} |" for a, b, c_ in rows_c]
    md += ["", f"`parse_bounce` input: the {bo['n']} messages of `../shared/corpus/bounces/emails` (mean "
           f"{bo['bytes'] / max(bo['n'], 1) / 1024:.1f} KiB), each read whole: MIME walk, decoding, DSN fields or "
           "bounce text, and one classification per recipient. For scale (not measured here): the issue quotes "
           "Sisimai at about 300 messages/s in Perl.",
           "", "The dependent byte walk is a second baseline for the classifier: one lookup per byte as in the "
           "floor, but each indexed by the state the previous lookup returned, through a 4 KB table that stays in "
           "L1 (what any byte-at-a-time automaton pays in load latency, whatever its table holds). Its ratio to "
           "the floor is what a classifier built on one such walk per text costs before it does any work."]
    md += ["", "## Command line", "",
           f"`smtpcodes classify FILE > /dev/null` over {cli['n']:,} lines (the corpus texts repeated "
           f"{CLI_REPS} times, `build/bench/cli_lines.txt`) and the C core's classify loop over the same lines "
           "(`bench_c --classify-cpu`), each a whole process timed in wall-clock, alternating rounds, best of 7.",
           "", "| run | lines/s | ratio | CPU time (user + sys) |", "| --- | --- | --- | --- |",
           f"| C core classify | {fmt(cli['c'])} | | {cli['c_cpu']:.2f} s |",
           f"| CLI `-j 1` | {fmt(cli['j1'])} | {cli['j1'] / cli['c']:.2f} of the C core (target 0.8) | "
           f"{cli['j1_cpu']:.2f} s |",
           f"| CLI `-j 2` | {fmt(cli['j2'])} | {cli['j2'] / cli['j1']:.2f} of `-j 1` (target 1.6 on 2 cores) | "
           f"{cli['j2_cpu']:.2f} s |",
           "", "`-j 2` scales only as far as a second core is free: its CPU time beside `-j 1`'s shows "
           "whether the work was spread (about equal) or repeated."]
    md += ["", "## Python (operations per second)", "", "| benchmark | smtpcodes | baseline | speed ratio |",
           "| --- | --- | --- | --- |"]
    md += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows_py]
    md += ["", f"Import time (median of 15 fresh interpreters, cumulative time from `python -X importtime`): `import smtpcodes` "
           f"{py['import smtpcodes (ms)']:.1f} ms, `import json` {py['import json (ms)']:.1f} ms.", ""]
    if rows_lua:
        md += ["## Lua 5.4 (operations per second)", "", "| benchmark | smtpcodes | baseline | speed ratio |",
               "| --- | --- | --- | --- |"]
        md += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows_lua]
        md.append("")
    if rows_luajit:
        md += ["## LuaJIT 2.1 (operations per second)", "", "| benchmark | smtpcodes | baseline | speed ratio |",
               "| --- | --- | --- | --- |"]
        md += [f"| {a} | {b} | {c_} | {d} |" for a, b, c_, d in rows_luajit]
        md.append("")
    if "lua.wall_many2" in lua:
        md += [f"The wall-clock rows: each side is a whole `bench.lua --wall` process (start-up and reading the "
               f"texts included) making {LUA_WALL_LINES:,}+ results 20 times, alternating rounds, best of 3. "
               "With 2 threads, classify_many classifies the next chunk of 2,048 lines while it makes the Lua "
               "results of the last one; it gains only as far as a second core is free.", ""]
    text = "\n".join(md)
    print(text)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"bench: wrote {os.path.relpath(args.output, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
