#!/usr/bin/env python3
"""Score smtpcodes' bounce reader against Sisimai's expectations (make accuracy).

Reads ../shared/corpus/bounces (in place; never copied), runs build/bounce_tsv
over every message and compares, per message, the number of recipients found
and, per recipient (in report order), status, reply code, reason, hard bounce,
action and SMTP stage with expected.tsv. Prints a table overall and per Sisimai
decoder, then the disagreements (--show N).

Agreement is counted on the rows where Sisimai states a value: status on rows
with a status, stage on rows with a command, and so on. Messages without an
expectation row are counted separately (Sisimai reads no recipient from them).
"""
import argparse
import collections
import csv
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGE = {"RCPT TO": "RCPT", "MAIL FROM": "MAIL", "DATA": "DATA", "end of DATA": "DATA", "HELO": "HELO",
         "EHLO": "EHLO", "QUIT": "QUIT", "CONNECT": "CONN"}
COLS = ["file", "no", "kind", "format", "n", "recipient", "action", "status", "reply_code", "reason", "hard",
        "stage", "truncated", "diagnostic"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "bounces"))
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "bounce_tsv"))
    ap.add_argument("--show", type=int, default=40, help="disagreements to list per field")
    args = ap.parse_args()
    emails = os.path.join(args.corpus, "emails")
    files = sorted(f for f in os.listdir(emails) if f.endswith(".eml"))
    with open(os.path.join(args.corpus, "expected.tsv"), newline="", encoding="utf-8") as f:
        exp_rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    expected = collections.defaultdict(list)
    for r in exp_rows:
        expected[r["file"]].append(r)
    for rs in expected.values():
        rs.sort(key=lambda r: int(r["recipient_no"]))
    res = subprocess.run([args.tool, "-"], input="".join(os.path.join(emails, f) + "\n" for f in files).encode(),
                         capture_output=True)
    if res.returncode not in (0, 1) or res.returncode < 0:
        print(f"bounce_tsv failed: exit {res.returncode}\n{res.stderr.decode(errors='replace')}")
        return 1
    ours = collections.defaultdict(list)
    errors = []
    for line in res.stdout.decode("utf-8", "replace").splitlines():
        f = dict(zip(COLS, line.split("\t")))
        if f.get("kind") == "error":
            errors.append(f["file"])
        if f.get("no", "0") != "0":
            ours[f["file"]].append(f)
        else:
            ours.setdefault(f["file"], [])
    fields = [("reason (rows with a status)", "reason", lambda o: o["reason"]),
              ("status", "status", lambda o: o["status"]), ("reply code", "reply_code", lambda o: o["reply_code"]),
              ("reason", "reason", lambda o: o["reason"]), ("hard bounce", "hardbounce", lambda o: o["hard"]),
              ("action", "action", lambda o: o["action"]), ("stage", "command", lambda o: STAGE.get(o["stage"], o["stage"]))]
    per = collections.defaultdict(lambda: collections.Counter())
    bad = collections.defaultdict(list)
    for fname in files:
        exp = expected.get(fname)
        got = ours.get(fname, [])
        if not exp:
            per["(no expectation)"]["msgs"] += 1
            per["(no expectation)"]["found_any"] += bool(got)
            continue
        dec = exp[0]["decoder"]
        for key in ("ALL", dec):
            per[key]["msgs"] += 1
            per[key]["count_ok"] += len(got) == len(exp)
        if len(got) != len(exp):
            bad["count"].append(f"{fname}: {len(got)} found, {len(exp)} expected ({dec})")
        for i, e in enumerate(exp):
            o = got[i] if i < len(got) else None
            for label, ecol, pick in fields:
                want = e[ecol]
                if label in ("status", "reply code", "stage") and not want:
                    continue
                if label == "reason (rows with a status)" and not e["status"]:
                    continue
                if label == "action" and not want:
                    continue
                mine = pick(o) if o else "(none)"
                for key in ("ALL", dec):
                    per[key][label + "_n"] += 1
                    per[key][label + "_ok"] += mine == want
                if mine != want:
                    diag = (o or {}).get("diagnostic", "")[:150]
                    bad[label].append(f"{fname}#{i + 1} ours={mine} sisimai={want} ({dec}) {diag}")

    def pct(c, label):
        n = c[label + "_n"]
        return f"{100.0 * c[label + '_ok'] / n:5.1f}% ({c[label + '_ok']}/{n})" if n else "-"

    print("smtpcodes parse_bounce vs Sisimai's expectations (../shared/corpus/bounces)")
    print()
    hdr = ["decoder", "msgs", "recipients", "reason (rows with a status)", "status", "reply code", "reason", "hard bounce", "action", "stage"]
    rows = []
    keys = ["ALL"] + sorted((k for k in per if k not in ("ALL", "(no expectation)")), key=lambda k: -per[k]["msgs"])
    for k in keys:
        c = per[k]
        rows.append([k, str(c["msgs"]), f"{100.0 * c['count_ok'] / c['msgs']:5.1f}% ({c['count_ok']}/{c['msgs']})"]
                    + [pct(c, label) for label, _, _ in fields])
    widths = [max(len(r[i]) for r in rows + [hdr]) for i in range(len(hdr))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(hdr, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |")
    ne = per["(no expectation)"]
    print()
    print(f"messages without an expectation row: {ne['msgs']} (recipients found in {ne['found_any']})")
    print(f"errors: {len(errors)} {' '.join(errors[:10])}")
    kinds = collections.Counter(o[0]["kind"] if o else "?" for o in ours.values() if o)
    print("kinds (messages with recipients): " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for label in ["count"] + [f[0] for f in fields if not f[0].startswith("reason (")]:
        items = bad.get(label, [])
        if not items or args.show <= 0:
            continue
        print()
        print(f"disagreements: {label} ({len(items)})")
        for it in items[: args.show]:
            print("  " + it)
    c = per["ALL"]
    print()
    print(f"bounce accuracy: recipients {100.0 * c['count_ok'] / c['msgs']:.1f}%, reason {pct(c, 'reason')}, "
          f"reason on rows with a status {pct(c, 'reason (rows with a status)')}, status {pct(c, 'status')}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
