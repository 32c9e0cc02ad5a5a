#!/usr/bin/env python3
"""Score smtpcodes' classifier against Sisimai's labelled corpus (make accuracy).

Input for each corpus row: its diagnostic text, prefixed with its reply code and
its status when the text lacks them and the status is not a pseudo code (X.0.9NN).
Prints agreement overall and per reason, a confusion table, Sisimai's own
text-only agreement (oracle-*.tsv) beside ours, and the disagreements.
"""
import argparse
import collections
import csv
import os
import re
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXCLUDED = {"feedback", "vacation", "delivered"}
with open(os.path.join(ROOT, "csrc", "data", "reasons.toml"), "rb") as _f:
    REASONS = {r["name"] for r in tomllib.load(_f)["reason"]}


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def build_input(row, meta):
    text = row["diagnostic_text"]
    status, reply = row["status"], row["reply_code"]
    pseudo = meta.get("status_is_pseudo") == "1" or re.match(r"^[245]\.0\.9\d\d$", status or "")
    prefix = []
    if reply and not re.search(r"(?<![\d.])" + re.escape(reply) + r"(?![\d.])", text):
        prefix.append(reply)
    if status and not pseudo and status not in text:
        prefix.append(status)
    return (" ".join(prefix) + " " + text).strip() if prefix else text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "sisimai"))
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "classify_tsv"))
    ap.add_argument("--show", type=int, default=200, help="disagreements to list")
    ap.add_argument("--dev", default=os.path.join(ROOT, "tests", "vectors", "replies_dev.tsv"),
                    help="a labelled set in replies_dev.tsv's format (input, reason, permanence, provider, lang, source)")
    ap.add_argument("--fresh", default=os.path.join(ROOT, "tests", "vectors", "replies_fresh.tsv"),
                    help="fresh batches of real replies in the same format, scored apart: measured before any rule "
                         "was written from them (their comments give that figure), never tuned to the dev set's target")
    ap.add_argument("--dev-only", action="store_true", help="score only the --dev set, not the Sisimai rows")
    for name in ("email", "unit", "dev", "fresh"):
        ap.add_argument(f"--min-{name}", type=float, default=None, metavar="PCT",
                        help=f"exit 1 when the {name} figure is below PCT percent (CI keeps the figures from dropping)")
    args = ap.parse_args()
    if args.dev_only:
        dok, dn = dev_set(args)
        return below_floors([("dev", 100.0 * dok / max(dn, 1), args.min_dev)])
    rows = read_tsv(os.path.join(args.corpus, "corpus.tsv"))
    meta = {r["id"]: r for r in read_tsv(os.path.join(args.corpus, "corpus-meta.tsv"))}
    oracle = {}
    for name in ("p5", "go"):
        path = os.path.join(args.corpus, f"oracle-{name}.tsv")
        if os.path.exists(path):
            oracle[name] = {r["id"]: r for r in read_tsv(path)}
    inputs = {r["id"]: build_input(r, meta.get(r["id"], {})) for r in rows}
    payload = "".join(f"{i}\t{t.replace(chr(92), chr(92) * 2).replace(chr(10), chr(92) + 'n').replace(chr(9), ' ')}\n"
                      for i, t in inputs.items())
    res = subprocess.run([args.tool], input=payload.encode("utf-8", "surrogateescape"), capture_output=True, check=True)
    ours = {}
    for line in res.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        ours[f[0]] = f
    groups = collections.OrderedDict([("email", []), ("email-go-text", []), ("unit-pattern", [])])
    for r in rows:
        kind = meta.get(r["id"], {}).get("kind", "email")
        if r["reason"] in EXCLUDED:
            continue
        groups.setdefault(kind, []).append(r)

    def agree(rs, pick):
        ok = sum(1 for r in rs if pick(r) == r["reason"])
        return ok, len(rs)

    print("smtpcodes classify vs Sisimai labels (rows labelled feedback, vacation, delivered excluded)")
    print()
    print(f"{'rows':<16}{'n':>5}  {'smtpcodes':>10}  {'p5 match':>9}  {'p5 replyline':>12}  {'go textonly':>11}  {'go replyline':>12}")
    summary = {}
    for kind, rs in groups.items():
        if not rs:
            continue
        ok, n = agree(rs, lambda r: ours[r["id"]][1])
        cols = [f"{100.0 * ok / n:9.1f}%"]
        for name, col in (("p5", "reason_match"), ("p5", "reason_replyline"), ("go", "reason_textonly"), ("go", "reason_replyline")):
            o = oracle.get(name, {})
            ok2, _ = agree(rs, lambda r: o.get(r["id"], {}).get(col))
            cols.append(f"{100.0 * ok2 / n:8.1f}%")
        summary[kind] = (ok, n)
        print(f"{kind:<16}{n:>5}  {cols[0]:>10}  {cols[1]:>9}  {cols[2]:>12}  {cols[3]:>11}  {cols[4]:>12}")
    print()
    for kind in ("email", "unit-pattern"):
        rs = groups.get(kind, [])
        if not rs:
            continue
        print(f"Per reason, {kind} rows (label: agreed/total)")
        per = collections.Counter(r["reason"] for r in rs)
        hit = collections.Counter(r["reason"] for r in rs if ours[r["id"]][1] == r["reason"])
        line = []
        for reason, n in sorted(per.items(), key=lambda x: (-x[1], x[0])):
            line.append(f"{reason} {hit[reason]}/{n}")
        for i in range(0, len(line), 6):
            print("  " + ", ".join(line[i:i + 6]))
        print()
    rs = groups.get("email", [])
    conf = collections.Counter((r["reason"], ours[r["id"]][1]) for r in rs if ours[r["id"]][1] != r["reason"])
    print("Confusion, email rows (label -> ours: count), most frequent first")
    for (a, b), n in conf.most_common(40):
        print(f"  {a:>16} -> {b:<16} {n}")
    print()
    print(f"Disagreements (first {args.show}): id | label | ours | evidence | phrase | input")
    shown = 0
    for kind in ("email", "unit-pattern", "email-go-text"):
        for r in groups.get(kind, []):
            o = ours[r["id"]]
            if o[1] != r["reason"] and shown < args.show:
                shown += 1
                print(f"  {r['id']} | {r['reason']} | {o[1]} | {o[4]} | {o[6]} | {inputs[r['id']][:160]!r}")
    ok, n = summary.get("email", (0, 1))
    uok, un = summary.get("unit-pattern", (0, 1))
    dok, dn = dev_set(args)
    fok, fn = dev_set(args, args.fresh, "Fresh batches")
    print()
    print(f"accuracy: email {100.0 * ok / n:.1f}% ({ok}/{n}), unit-pattern {100.0 * uok / un:.1f}% ({uok}/{un}), "
          f"dev set {100.0 * dok / max(dn, 1):.1f}% ({dok}/{dn}), fresh batches {100.0 * fok / max(fn, 1):.1f}% ({fok}/{fn})")
    return below_floors([("email", 100.0 * ok / n, args.min_email), ("unit", 100.0 * uok / un, args.min_unit),
                         ("dev", 100.0 * dok / max(dn, 1), args.min_dev), ("fresh", 100.0 * fok / max(fn, 1), args.min_fresh)])


def below_floors(figures):
    """1 (and a message per figure) when a figure is below its --min-* floor (None: no floor), else 0."""
    low = [(name, got, floor) for name, got, floor in figures if floor is not None and got < floor]
    for name, got, floor in low:
        print(f"accuracy: the {name} figure {got:.1f}% is below its floor {floor:.1f}%", file=sys.stderr)
    return 1 if low else 0


def dev_unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in "tnr\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def dev_set(args, path=None, title="Development set"):
    """Score tests/vectors/replies_dev.tsv (or --dev, or the fresh batches; labelled by meaning, not
    Sisimai's): agreement, a per-reason table (agreed/total and what the misses became) and the
    disagreements."""
    path = path or args.dev
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fl = line.rstrip("\n").split("\t")
            # a comment starts with "#"; a reply may too (Exchange's "#5.1.1 SMTP; 550 ..."): a line
            # of six fields whose second is a reason name is a row
            if not line.strip() or len(fl) < 6 or fl[1] == "reason" or (line.startswith("#") and fl[1] not in REASONS):
                continue
            rows.append({"input": dev_unescape(fl[0]), "reason": fl[1], "permanence": fl[2], "provider": fl[3],
                         "lang": fl[4], "source": fl[5]})
    esc = lambda t: t.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    payload = "".join(f"{i}\t{esc(r['input'])}\n" for i, r in enumerate(rows))
    res = subprocess.run([args.tool], input=payload.encode("utf-8", "surrogateescape"), capture_output=True, check=True)
    ours = {}
    for line in res.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        ours[int(f[0])] = f
    ok = sum(1 for i, r in enumerate(rows) if ours[i][1] == r["reason"])
    perm_ok = sum(1 for i, r in enumerate(rows) if ours[i][3] == r["permanence"])
    nonen = [i for i, r in enumerate(rows) if r["lang"] != "en"]
    nonen_ok = sum(1 for i in nonen if ours[i][1] == rows[i]["reason"])
    print()
    print(f"{title} ({os.path.relpath(path, ROOT)}, labelled by meaning): reason {ok}/{len(rows)} "
          f"({100.0 * ok / max(len(rows), 1):.1f}%), permanence {perm_ok}/{len(rows)}, "
          f"not English {nonen_ok}/{len(nonen)}")
    print(f"Per reason, {title.lower()} (label: agreed/total; misses as ours x count)")
    per = collections.Counter(r["reason"] for r in rows)
    for reason, n in sorted(per.items(), key=lambda x: (-x[1], x[0])):
        hit = sum(1 for i, r in enumerate(rows) if r["reason"] == reason and ours[i][1] == reason)
        miss = collections.Counter(ours[i][1] for i, r in enumerate(rows) if r["reason"] == reason and ours[i][1] != reason)
        conf = ", ".join(f"{k} x{v}" for k, v in miss.most_common())
        print(f"  {reason:<16} {hit:>3}/{n:<3} {100.0 * hit / n:5.1f}%  {conf}")
    print(f"Disagreements, {title.lower()}: label | ours | evidence | phrase | input")
    for i, r in enumerate(rows):
        o = ours[i]
        if o[1] != r["reason"]:
            print(f"  {r['reason']} | {o[1]} | {o[4]} | {o[6]} | {r['input'][:150]!r}")
    return ok, len(rows)


if __name__ == "__main__":
    sys.exit(main())
