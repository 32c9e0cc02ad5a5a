#!/usr/bin/env python3
"""Write libFuzzer seed corpora from tests/vectors into build/fuzz/seeds/<target>/."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}.get(n, n.encode())
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def rows(name):
    with open(os.path.join(ROOT, "tests", "vectors", name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip("\n"):
                continue
            yield line.rstrip("\n").split("\t")


def main():
    base = os.path.join(ROOT, "build", "fuzz", "seeds")
    codes = [unescape(r[0]) for r in rows("lookup.tsv")] + [r[1].encode() for r in rows("reference_codes.tsv")]
    replies = [unescape(r[1]) for r in rows("parse.tsv")]
    seeds = {
        "lookup": codes + [b"RCPT", b"mailbox full"],
        "parse_strict": replies,
        "parse_lenient": replies,
        "explain": codes + replies,
        "compare": [a + b"\n" + b for a in codes[:12] for b in codes[12:24]],
        "classify": replies,
        "tags": [unescape(r[0]) for r in rows("tags_a.tsv")] + [unescape(r[0]) for r in rows("tags_b.tsv")]
        + [b"[TSS04]", b"zen.spamhaus.org 127.0.0.2"],
    }
    # the message reader: the bounce vectors, and the shared corpus when it is there (read, not copied into the repo)
    bounce_dirs = [os.path.join(ROOT, "tests", "vectors", "bounces"),
                   os.path.join(ROOT, "..", "shared", "corpus", "bounces", "emails")]
    seeds["bounce"] = []
    for d in bounce_dirs:
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if name.endswith(".eml"):
                    with open(os.path.join(d, name), "rb") as f:
                        seeds["bounce"].append(f.read())
    # MTA log lines: the log vectors and the sample Postfix log
    seeds["log"] = [unescape(r[0]) for r in rows("logs.tsv") if not r[0].startswith("<") and r[0] != "line"]
    with open(os.path.join(ROOT, "examples", "data", "maillog.sample"), "rb") as f:
        seeds["log"] += f.read().splitlines()[:60]
    for target, items in seeds.items():
        d = os.path.join(base, target)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(d, f"seed-{i:04d}"), "wb") as f:
                f.write(data)
    print(f"seeds written to {os.path.relpath(base, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
