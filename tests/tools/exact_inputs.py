"""Inputs for classify_exact.sh, one text per line with \\n escaped: the Sisimai corpus texts
(../shared, when present), every vector file's first column, examples/data/maillog.sample, and,
from a fixed seed, 3,000 concatenations of 1 to 8 of those texts (long lines, phrases across
any boundary), 500 random cuts of them, and 2,000 random strings over the bytes the parser's
scans look for (digits, separators, wrapper words, line ends, tabs, non-ASCII) at every offset."""
import glob
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    texts = []
    corpus = os.path.join(ROOT, "..", "shared", "corpus", "sisimai", "corpus.tsv")
    if os.path.exists(corpus):
        with open(corpus, encoding="utf-8") as f:
            next(f)
            texts += [line.rstrip("\n").split("\t")[1] for line in f if "\t" in line]
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "vectors", "*.tsv"))):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            texts += [line.rstrip("\n").split("\t")[0] for line in f if line.strip() and not line.startswith("#")]
    with open(os.path.join(ROOT, "examples", "data", "maillog.sample"), encoding="utf-8") as f:
        texts += [line.rstrip("\n") for line in f]
    rnd = random.Random(7)
    base = [t for t in texts if t]
    for _ in range(3000):
        texts.append(" ".join(rnd.choice(base) for _ in range(rnd.randint(1, 8))))
    for _ in range(500):
        t = rnd.choice(base)
        a = rnd.randint(0, len(t))
        texts.append(t[a:rnd.randint(a, len(t))])
    pieces = [b"5", b"4", b"2", b"0", b"1", b"550", b"5.1.1", b"4.4.1", b" ", b" ", b"a", b"x", b":", b": ", b"S", b"=",
              b"(", b"[", b"#", b"<", b";", b"'", b"\"", b"\t", b"\r", b"\n", b"\r\n", b"\xc3\xa9", b"\xff", b"\x01",
              b" said: ", b"stat=", b"SMTP error from remote mail server after RCPT TO:<a@b>: ",
              b"(in reply to RCPT TO command)", b"-", b"."]
    extra = []
    for _ in range(2000):
        extra.append(b"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 60))))
    out = sys.stdout.buffer
    for t in texts:
        out.write(t.replace("\n", "\\n").encode("utf-8", "surrogateescape") + b"\n")
    for b in extra:
        out.write(b.replace(b"\\", b"\\\\").replace(b"\n", b"\\n") + b"\n")


if __name__ == "__main__":
    main()
