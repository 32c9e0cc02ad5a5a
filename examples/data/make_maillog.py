#!/usr/bin/env python3
"""Write maillog.sample: a realistic, fictional Postfix log (deterministic).

Hosts use the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and
example domains; the reply texts imitate the wording of common receiving servers.
"""
import random

rng = random.Random(5321)
DESTS = [
    ("example.com", "mx1.example.com", "192.0.2.10"),
    ("example.net", "mx.example.net", "198.51.100.25"),
    ("example.org", "mail.example.org", "203.0.113.7"),
    ("gmail.example", "gmail-smtp-in.l.google.example", "192.0.2.26"),
    ("outlook.example", "example-com.mail.protection.outlook.example", "198.51.100.110"),
    ("yahoo.example", "mta7.am0.yahoodns.example", "203.0.113.66"),
]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"]
BOUNCES = [
    ("RCPT TO", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("RCPT TO", "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. - gsmtp"),
    ("RCPT TO", "550 5.4.1 Recipient address rejected: Access denied. [AS(201806281)]"),
    ("end of DATA", "552 5.2.2 <{rcpt}>: Mailbox full: user is over quota"),
    ("RCPT TO", "554 5.7.1 <{rcpt}>: Relay access denied"),
    ("end of DATA", "550 5.7.1 Message rejected as spam by Content Filtering"),
    ("MAIL FROM", "553 5.1.8 <{sender}>: Sender address rejected: Domain not found"),
    ("end of DATA", "552 5.3.4 Message size exceeds fixed maximum message size"),
    ("RCPT TO", "550 5.7.26 Unauthenticated email from example.test is not accepted due to domain's DMARC policy"),
    ("RCPT TO", "550 5.2.1 The email account that you tried to reach is disabled. - gsmtp"),
    ("RCPT TO", "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"),
]
DEFERRALS = [
    ("RCPT TO", "450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.example/"),
    ("RCPT TO", "451 4.7.1 Please try again later"),
    ("end of DATA", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints"),
    ("RCPT TO", "452 4.2.2 The email account that you tried to reach is over quota. - gsmtp"),
    ("MAIL FROM", "421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. - gsmtp"),
    (None, "connect to {mx}[{ip}]:25: Connection timed out"),
    (None, "conversation with {mx}[{ip}] timed out while receiving the initial server greeting"),
]


def main():
    lines = []
    t = 0
    for i in range(320):
        t += rng.randint(1, 40)
        hh, mm, ss = 8 + t // 3600, t // 60 % 60, t % 60
        stamp = f"Nov 28 {hh:02d}:{mm:02d}:{ss:02d} mail postfix"
        qid = "".join(rng.choice("0123456789ABCDEF") for _ in range(10))
        dom, mx, ip = rng.choice(DESTS)
        rcpt = f"{rng.choice(USERS)}@{dom}"
        sender = f"{rng.choice(USERS)}@sender.example"
        pid = rng.randint(1000, 65000)
        roll = rng.random()
        if roll < 0.03:
            lines.append(f"{stamp}/smtpd[{pid}]: connect from unknown[203.0.113.{rng.randint(2, 250)}]")
            continue
        if roll < 0.05:
            lines.append(f"{stamp}/qmgr[{pid}]: {qid}: from=<{sender}>, size={rng.randint(900, 90000)}, nrcpt=1 (queue active)")
            continue
        delay = round(rng.uniform(0.2, 9.0), 2)
        if roll < 0.62:
            lines.append(f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                         f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn=2.0.0, status=sent "
                         f"(250 2.0.0 OK {rng.randint(10**9, 10**10)} queued as {qid[:6]})")
        elif roll < 0.82:
            cmd, text = rng.choice(BOUNCES)
            text = text.format(rcpt=rcpt, sender=sender)
            dsn = text.split()[1]
            lines.append(f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                         f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn={dsn}, status=bounced "
                         f"(host {mx}[{ip}] said: {text} (in reply to {cmd} command))")
        else:
            cmd, text = rng.choice(DEFERRALS)
            text = text.format(rcpt=rcpt, mx=mx, ip=ip)
            if cmd is None:
                lines.append(f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay=none, delay={delay}, "
                             f"delays=0.01/0/{delay:.2f}/0, dsn=4.4.1, status=deferred ({text})")
            else:
                dsn = text.split()[1]
                lines.append(f"{stamp}/smtp[{pid}]: {qid}: to=<{rcpt}>, relay={mx}[{ip}]:25, delay={delay}, "
                             f"delays=0.01/0/0.3/{delay - 0.31:.2f}, dsn={dsn}, status=deferred "
                             f"(host {mx}[{ip}] said: {text} (in reply to {cmd} command))")
    with open("maillog.sample", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} lines")


if __name__ == "__main__":
    main()
