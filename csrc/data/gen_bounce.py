#!/usr/bin/env python3
"""Generate csrc/bounce_data.inc: the phrases bounce.c reads bounce texts with.

Run by gen_data.py (OUTPUT and generate(c_string)); also runnable alone.
Every phrase is matched case-insensitively (written here in lower case) as a
substring of the decoded text. The tables:

  FORMATS    a phrase of a bounce text without a DSN part -> the format name
             (first match in table order wins, so specific phrases come first)
  CUTS       phrases that start the returned copy of the original message:
             the bounce text ends there
  SUBJECTS   Subject phrases of bounces (with a daemon sender they make a
             text bounce; alone they are weaker evidence)
  DELAY      phrases of a delay notice (nothing failed yet)
  AUTOREPLY  Subject phrases of auto-replies and vacation notices
  STATUS     reason -> the enhanced code a report without one implies
  FORMAT_REASON  format -> the reason its reports mean when the diagnostic
             says nothing the classifier knows (Google Groups refuses a post)
  ML_NOTICES (X-MLServer prefix, Subject phrase, reason): a mailing-list server's
             notice that a post was refused or looped, with no reply code; the
             server is the format, the Subject tells which notice it is
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(os.path.dirname(HERE), "bounce_data.inc")

FORMATS = [
    ("qmail", "this is the qmail-send program"),
    ("qmail", "i'm afraid i wasn't able to deliver your message"),
    ("qmail", "(#5."),
    ("dragonfly", "this is the dragonfly mail agent"),
    ("opensmtpd", "this is the mailer-daemon, please do not reply"),
    ("gmail", "delivery to the following recipient failed permanently"),
    ("gmail", "delivery to the following recipients failed permanently"),
    ("gmail", "delivery to the following recipient has been delayed"),
    ("gmail", "technical details of permanent failure"),
    ("googlegroups", "google groups"),
    ("yahoo", "sorry, we were unable to deliver your message to the following address"),
    ("amazonses", "\"notificationtype\""),
    ("amazonworkmail", "an error occurred while trying to deliver the mail to the following recip"),
    ("exchange", "your message did not reach some or all of the intended recipients"),
    ("exchange", "delivery has failed to these recipients or groups"),
    ("exchange", "the following recipient(s) could not be reached"),
    ("notes", "not listed in public name & address book"),
    ("domino", "delivery failure:"),
    ("x2", "unable to deliver message to the following address(es)"),
    ("x3", "this is an automatically generated delivery status notification"),
    ("x4", "your mail message to the following address(es) could not be delivered"),
    ("x6", "we had trouble delivering your message"),
    ("trendmicro", "message from interscan messaging security suite"),
    ("mimecast", "an email that you attempted to send to the following address could not be"),
    ("ezweb", "each of the following recipients was rejected by a remote"),
    ("ezweb", "the user(s) account is disabled"),
    ("verizon", "message could not be delivered to mobile"),
    ("kddi", "your mail sent on:"),
    ("apachejames", "error: invalid user address"),
    ("mailru", "mail.ru"),
    ("exim", "this message was created automatically by mail delivery software"),
    ("exim", "this message was created automatically by the smtp relay"),
    ("exim", "a message that you sent could not be delivered"),
    ("exim", "a message that you sent has not yet been delivered"),
    ("exim", "a message that you sent contained one or more recipient addresses"),
    ("exim", "this message was created automatically by mail delivery system"),
    ("sendmail", "----- transcript of session follows -----"),
    ("sendmail", "----- the following addresses had permanent fatal errors -----"),
    ("sendmail", "----- the following addresses had delivery problems -----"),
    ("sendmail", "the original message was received at"),
    ("postfix", "this is the postfix program at host"),
    ("postfix", "this is the mail system at host"),
    ("postfix", "transcript of session follows."),
    ("generic", "could not be delivered"),
    ("generic", "undeliverable"),
    ("generic", "delivery failed"),
    ("generic", "user unknown"),
    ("generic", "unable to deliver"),
    ("generic", "mailbox is full"),
    ("generic", "message log follows"),
]

CUTS = [
    "--- below this line is a copy of the message",
    "------ this is a copy of the message",
    "------ this is a copy of your message",
    "----- original message -----",
    "------- returned message --------",   # Lotus Notes
    "-----original message-----",
    "--- original message ---",
    "------ original message",
    "----- original message follows -----",
    "original message follows",
    "original mail as follows:",   # fml
    "message headers follow",
    "----- unsent message below -----",
    "----- message header follows -----",
    "------ this is a copy of the message's headers",
    "content-type: message/rfc822",
    "begin forwarded message",
    "the original message headers",
    "--- the header of the original message is following",
    "----- the following is a copy of the message",
    "original message header:",
    "received: from",
    "return-path: <",
    "delivered-to: ",
]

SUBJECTS = [
    "undeliver", "undelivered", "delivery status notification", "delivery failure", "delivery failed",
    "failure notice", "mail delivery failed", "returned mail", "returned mail:", "mail system error",
    "delivery notification", "failed delivery", "failure delivery", "non remis", "unzustellbar",
    "nondeliverable", "non-deliverable", "delivery problem", "could not be delivered", "delayed mail",
    "warning: message", "warning--could not send", "mail failure", "there was an error sending your mail",
    "mail could not be delivered", "delivery final failure", "email delivery failure", "mail failed",
    "delivery status", "message delivery has failed", "returned to sender", "warning: could not send",
    "aws notification message",
]

DELAY = [
    "has not yet been delivered", "will keep trying", "still being retried", "delayed mail",
    "this is a warning message only", "warning: could not send message for past",
    "warning--could not send", "delivery has been delayed", "delivery to the following recipient has been delayed",
    "has been delayed", "delivery status notification: warning", "message delayed",
    "(delay)", "will continue trying", "there will be no further notifications",
]

AUTOREPLY = [
    "out of office", "out of the office", "automatic reply", "auto reply", "auto-reply", "autoreply",
    "autorespons", "auto response", "autoresponder", "away until", "on vacation", "vacation",
    "abwesenheit", "automatische antwort", "automatisch antwoord", "réponse automatique",
    "respuesta automática", "risposta automatica", "resposta automática", "absence du bureau",
    "fuera de la oficina", "ausente", "im urlaub", "nicht im büro",
]

STATUS = [
    ("userunknown", "5.1.1"), ("hostunknown", "5.1.2"), ("hasmoved", "5.1.6"), ("rejected", "5.1.8"),
    ("suspend", "5.2.1"), ("mailboxfull", "5.2.2"), ("exceedlimit", "5.2.3"), ("mesgtoobig", "5.3.4"),
    ("systemfull", "4.3.1"), ("systemerror", "5.3.0"), ("mailererror", "5.3.0"), ("expired", "5.4.7"),
    ("networkerror", "5.4.6"), ("norelaying", "5.7.1"), ("toomanyconn", "4.7.0"), ("blocked", "5.7.1"),
    ("securityerror", "5.7.0"), ("spamdetected", "5.7.1"), ("virusdetected", "5.7.1"),
    ("contenterror", "5.6.0"), ("syntaxerror", "5.5.2"), ("policyviolation", "5.7.0"),
    ("filtered", "5.2.0"), ("notaccept", "5.1.10"), ("requireptr", "5.7.25"), ("authfailure", "5.7.26"),
    ("badreputation", "5.7.1"), ("speeding", "4.7.1"), ("notcompliantrfc", "5.6.0"),
]

FORMAT_REASON = [
    ("googlegroups", "rejected"),
]

# fml (www.fml.org), the Japanese mailing-list manager: its notices name the list's address in
# the body and say in the Subject what happened: a post from an address that is not a member
# is refused ("You a@b are not member (list ML)"), a looping message is stopped ("Loop Alert:
# Duplicated Message-ID (list ML)"), an internal failure is reported ("fml system error message").
# Sources: the two fml notices of ../shared/corpus/bounces (lhost-fml-02, -03) for " are not member"
# and "loop alert"; the other subjects as Sisimai's fml decoder (lib/sisimai/lhost/fml, BSD-2)
# lists fml's notice subjects.
ML_NOTICES = [
    ("fml", " are not member", "rejected"),
    ("fml", "not member article", "rejected"),
    ("fml", "loop alert", "systemerror"),
    ("fml", "loop back", "systemerror"),
    ("fml", "fml system error", "systemerror"),
]


def table(name, rows, c_string):
    out = [f"static const char *const {name}[] = {{"]
    out += [f"    {c_string(r)}," for r in rows]
    out.append("};")
    return out


def generate(c_string):
    lines = ["/* Generated by csrc/data/gen_bounce.py - do not edit. */", ""]
    lines.append("static const struct sc_bounce_format { const char *format; const char *phrase; } sc_bounce_formats[] = {")
    lines += [f"    {{{c_string(f)}, {c_string(p)}}}," for f, p in FORMATS]
    lines.append("};")
    lines += table("sc_bounce_cuts", CUTS, c_string)
    lines += table("sc_bounce_subjects", SUBJECTS, c_string)
    lines += table("sc_bounce_delay", DELAY, c_string)
    lines += table("sc_bounce_autoreply", AUTOREPLY, c_string)
    lines.append("static const struct sc_bounce_status { const char *reason; const char *status; } sc_bounce_status[] = {")
    lines += [f"    {{{c_string(r)}, {c_string(s)}}}," for r, s in STATUS]
    lines.append("};")
    lines.append("static const struct sc_bounce_format_reason { const char *format; const char *reason; } sc_bounce_format_reason[] = {")
    lines += [f"    {{{c_string(f)}, {c_string(r)}}}," for f, r in FORMAT_REASON]
    lines.append("};")
    lines.append("static const struct sc_bounce_ml_notice { const char *server; const char *subject; const char *reason; } "
                 "sc_bounce_ml_notices[] = {")
    lines += [f"    {{{c_string(m)}, {c_string(t)}, {c_string(r)}}}," for m, t, r in ML_NOTICES]
    lines.append("};")
    for group in (FORMATS, CUTS, SUBJECTS, DELAY, AUTOREPLY, [t for _, t, _ in ML_NOTICES]):
        for item in group:
            p = item[1] if isinstance(item, tuple) else item
            if p != p.lower():
                raise ValueError(f"gen_bounce: phrase not in lower case: {p!r}")
    return "\n".join(lines) + "\n"


def _c_string(s):
    out = []
    for ch in s.encode("utf-8"):
        if ch in (0x22, 0x5C):
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7F:
            out.append(chr(ch))
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


if __name__ == "__main__":
    text = generate(_c_string)
    if "--check" in sys.argv:
        with open(OUTPUT, encoding="utf-8") as f:
            sys.exit(0 if f.read() == text else 1)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
