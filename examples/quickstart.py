"""quickstart.py - smtpcodes from Python.

    python3 -m pip install .
    python3 examples/quickstart.py
"""
import smtpcodes

# Look a code up: an int, or text for enhanced codes. Codes compare equal to their number.
code = smtpcodes.lookup(552)
print(code.code, "-", code.title)
print("permanent:", code.is_permanent, "| class:", code.class_name, "| commands:", ", ".join(code.commands))
assert code == 552

# The same entry in Spanish.
print(smtpcodes.lookup("5.2.2", lang="es").fix[:120], "...")

# Parse a reply pasted from a Postfix log (lenient by default).
reply = smtpcodes.parse("status=bounced (host mx.example.org said: 550 5.1.1 <bob@example.org>: "
                        "Recipient address rejected: User unknown (in reply to RCPT TO command))")
print(reply.code, reply.enhanced, reply.permanence, reply.flags)

# Explain it, then classify it: reason, hard/soft, retry advice and the evidence.
print(smtpcodes.explain(reply).text.splitlines()[0])
verdict = smtpcodes.classify("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown")
print(verdict.reason, verdict.permanence, "hard" if verdict.hard_bounce else "soft", "|", verdict.evidence)

# Compare two codes like a reference page.
print(smtpcodes.compare(450, 550).summary)

# Malformed input raises ParseError (a ValueError); an unknown but well-formed code is flagged.
try:
    smtpcodes.lookup("55")
except smtpcodes.ParseError as e:
    print("ParseError:", e)
print(smtpcodes.lookup(259).known)
