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
# Sisimai's commands have no connection stage: a refusal of the greeting or of the connection is
# its "HELO", so our CONNECT is compared as HELO.
STAGE = {"RCPT TO": "RCPT", "MAIL FROM": "MAIL", "DATA": "DATA", "end of DATA": "DATA", "HELO": "HELO",
         "EHLO": "EHLO", "QUIT": "QUIT", "CONNECT": "HELO"}
COLS = ["file", "no", "kind", "format", "n", "recipient", "action", "status", "reply_code", "reason", "hard",
        "stage", "truncated", "diagnostic"]


NOTES = """Where Sisimai's label is debatable (we keep ours; these rows count as disagreements):
- Delay notices: Sisimai labels a still-queued message "expired" (47 of its 50 "delayed" rows) and
  writes action "delayed" for a queue that gave up (lhost-postfix-08: the DSN says Action: failed).
  Our "expired" is reasons.toml's: the queue gave up; a delay keeps the reason of its last deferral
  (networkerror, mailboxfull, ...) with retry true. Gmail's delay notices with "The recipient server
  did not accept our requests to connect" (lhost-gmail-09, -17, lhost-gsuite-06) are such delays.
- A final failure (Action: failed) under a class-4 status with a network cause is expired for us (the
  queue gave up); Sisimai agrees on Postfix's "connect to ...: Connection timed out" (6 rows) and says
  networkerror for lhost-postfix-56, lhost-gsuite-13 and rfc3464-40.
- qmail "I'm not going to try again; this message has been in the queue too long": the queue gave up,
  so we say expired; Sisimai gives the last deferral's cause (networkerror, systemerror).
- "User unknown" with 5.2.1: Sisimai says filtered 4 times and userunknown 4 times for the same
  wording (AmazonWorkMail, MessagingServer, Zoho vs PowerMTA, qmail, GMX); we follow the text
  (userunknown) unless the reply answered DATA (filtered, as reasons.toml defines it). Sisimai also
  calls NTT docomo's "550 Unknown user" after DATA "rejected".
- "550 5.1.1 Mailbox does not exist" (ReceivingSES) is filtered for Sisimai; "550 5.1.1 ... User
  Unknown" is mailboxfull in rfc3464-01: both are userunknown by their codes and words.
- Sendmail's X-Unix exit statuses: 255 and 71 are mailererror for Sisimai, 77 systemerror; we call
  every X-Unix status a mailer error (a local delivery program failed).
- Amazon SES "5.1.0 - Unknown address error 550-'5.7.1 ... Access denied'": Sisimai takes the quoted
  inner code; we keep the notification's own status.
- Mimecast "554 email rejected due to security policies - MCSpamSignature.sa.2.2": Sisimai gives every
  security-policies refusal virusdetected; the suffix names the anti-spam signature, so spamdetected.
- Gmail/GSuite "DNS Error: ... responded with code NXDOMAIN Domain name not found": Sisimai says
  networkerror; NXDOMAIN is the resolver's answer that the domain does not exist (the notification
  itself says "the domain couldn't be found"), so hostunknown. SERVFAIL and timeouts stay networkerror.
- Sendmail "Deferred: Connection refused by <host>": Sisimai says blocked; the words are the errno
  text of a refused TCP connection, so networkerror, and expired once the notice says the queue gave
  up ("Message will be deleted from queue", lhost-sendmail-21).
"""


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
    print()
    print(NOTES)
    c = per["ALL"]
    print(f"bounce accuracy: recipients {100.0 * c['count_ok'] / c['msgs']:.1f}%, reason {pct(c, 'reason')}, "
          f"reason on rows with a status {pct(c, 'reason (rows with a status)')}, status {pct(c, 'status')}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
