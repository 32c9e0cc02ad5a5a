"""classify_maillog.py - classify every delivery line of a Postfix log.

    python3 examples/classify_maillog.py [examples/data/maillog.sample]

Prints the count of each bounce reason, the hard bounces to suppress and the
deferrals the queue will retry. Lines that are not deliveries (connect, qmgr)
are skipped before classification; classify_many keeps one result per input.
"""
import collections
import os
import re
import sys

import smtpcodes

HERE = os.path.dirname(os.path.abspath(__file__))
DELIVERY = re.compile(r"\bto=<(?P<rcpt>[^>]*)>.*\bstatus=(?P<status>sent|bounced|deferred)\b")


def main(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = [line.rstrip("\n") for line in f]
    deliveries = [(m.group("rcpt"), m.group("status"), line)
                  for line in lines if (m := DELIVERY.search(line))]
    results = smtpcodes.classify_many([line for _, _, line in deliveries])
    assert len(results) == len(deliveries)
    reasons = collections.Counter()
    hard, retry = [], []
    for (rcpt, status, _), c in zip(deliveries, results):
        reasons[c.reason] += 1
        if c.hard_bounce:
            hard.append((rcpt, c.reason, c.enhanced or c.code))
        elif status == "deferred" and c.retry:
            retry.append((rcpt, c.reason))
    print(f"{len(lines)} log lines, {len(deliveries)} deliveries")
    for reason, n in reasons.most_common():
        print(f"{n:6d}  {reason}")
    print(f"\nhard bounces to suppress ({len(hard)}):")
    for rcpt, reason, code in sorted(set(hard))[:10]:
        print(f"  {rcpt:<28} {reason:<12} {code}")
    print(f"\ndeferrals the queue will retry: {len(retry)}")
    return reasons


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data", "maillog.sample"))
