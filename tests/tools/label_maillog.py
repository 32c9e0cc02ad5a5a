#!/usr/bin/env python3
"""Labels of examples/data/maillog.sample, from the model that wrote it.

Replays examples/data/make_maillog.py's generator (same seed, same draws, its own
tables) and writes, for each line it produced, what parse_log must say about it:
line number, kind, status, recipient, relay, dsn, retry and stage ("-" when absent).

    python3 tests/tools/label_maillog.py            # writes tests/vectors/maillog_labels.tsv
    python3 tests/tools/label_maillog.py --check    # exit 1 if the file or the sample is stale

--check also verifies that the replayed lines are exactly examples/data/maillog.sample, so the
labels cannot drift from the log they describe.
"""
import importlib.util
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "examples", "data", "maillog.sample")
LABELS = os.path.join(ROOT, "tests", "vectors", "maillog_labels.tsv")
HEADER = ["#line", "kind", "status", "recipient", "relay", "dsn", "retry", "stage"]


def load_model():
    spec = importlib.util.spec_from_file_location("make_maillog", os.path.join(ROOT, "examples", "data", "make_maillog.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def replay():
    """(line, label dict) for each line, drawing exactly as make_maillog.main() does."""
    m = load_model()
    rng = random.Random(5321)
    out = []
    t = 0
    for _ in range(320):
        t += rng.randint(1, 40)
        hh, mm, ss = 8 + t // 3600, t // 60 % 60, t % 60
        stamp = f"Nov 28 {hh:02d}:{mm:02d}:{ss:02d} mail postfix"
        qid = "".join(rng.choice("0123456789ABCDEF") for _ in range(10))
        dom, mx, ip = rng.choice(m.DESTS)
        rcpt = f"{rng.choice(m.USERS)}@{dom}"
        sender = f"{rng.choice(m.USERS)}@sender.example"
        pid = rng.randint(1000, 65000)
        roll = rng.random()
        other = dict(kind="other", status="other", recipient="-", relay="-", dsn="-", retry="false", stage="-")
        if roll < 0.03:
            out.append((f"{stamp}/smtpd[{pid}]: connect from unknown[203.0.113.{rng.randint(2, 250)}]", other))
            continue
        if roll < 0.05:
            out.append((f"{stamp}/qmgr[{pid}]: {qid}: from=<{sender}>, size={rng.randint(900, 90000)}, nrcpt=1 (queue active)",
                        other))
            continue
        delay = round(rng.uniform(0.2, 9.0), 2)
        if roll < 0.62:
            line = (f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                    f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn=2.0.0, status=sent "
                    f"(250 2.0.0 OK {rng.randint(10**9, 10**10)} queued as {qid[:6]})")
            out.append((line, dict(kind="delivery", status="sent", recipient=rcpt, relay=mx, dsn="2.0.0", retry="false",
                                   stage="-")))
        elif roll < 0.82:
            cmd, text = rng.choice(m.BOUNCES)
            text = text.format(rcpt=rcpt, sender=sender)
            dsn = text.split()[1]
            line = (f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                    f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn={dsn}, status=bounced "
                    f"(host {mx}[{ip}] said: {text} (in reply to {cmd} command))")
            out.append((line, dict(kind="delivery", status="bounced", recipient=rcpt, relay=mx, dsn=dsn, retry="false",
                                   stage=cmd)))
        else:
            cmd, text = rng.choice(m.DEFERRALS)
            text = text.format(rcpt=rcpt, mx=mx, ip=ip)
            if cmd is None:
                line = (f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay=none, delay={delay}, "
                        f"delays=0.01/0/{delay:.2f}/0, dsn=4.4.1, status=deferred ({text})")
                out.append((line, dict(kind="delivery", status="deferred", recipient=rcpt, relay="none", dsn="4.4.1",
                                       retry="true", stage="CONNECT")))
            else:
                dsn = text.split()[1]
                line = (f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                        f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn={dsn}, status=deferred "
                        f"(host {mx}[{ip}] said: {text} (in reply to {cmd} command))")
                out.append((line, dict(kind="delivery", status="deferred", recipient=rcpt, relay=mx, dsn=dsn,
                                       retry="true", stage=cmd)))
    return out


def render(rows):
    lines = ["\t".join(HEADER)]
    for i, (_, lab) in enumerate(rows, 1):
        lines.append("\t".join([str(i)] + [lab[k] for k in HEADER[1:]]))
    return "\n".join(lines) + "\n"


def main(argv):
    rows = replay()
    text = render(rows)
    if "--check" in argv:
        with open(SAMPLE, encoding="utf-8") as f:
            sample = f.read().splitlines()
        if sample != [line for line, _ in rows]:
            print("label_maillog: examples/data/maillog.sample differs from make_maillog.py's model", file=sys.stderr)
            return 1
        with open(LABELS, encoding="utf-8") as f:
            if f.read() != text:
                print("label_maillog: tests/vectors/maillog_labels.tsv is stale (run tests/tools/label_maillog.py)",
                      file=sys.stderr)
                return 1
        return 0
    with open(LABELS, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{len(rows)} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
