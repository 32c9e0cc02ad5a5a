"""A small typed user of smtpcodes; `mypy --strict` must accept it (test_typing.py)."""
from __future__ import annotations

from typing import Any

import smtpcodes
from smtpcodes import Classification, Code, Comparison, Explanation, ParseError, Reply


def describe(value: int | str) -> str:
    code: Code = smtpcodes.lookup(value, lang="en")
    number: int | str = code.code
    digits: tuple[int, int, int] = code.digits
    related: tuple[Code, ...] = code.related
    vendor: str | None = code.vendor
    return f"{number} {code.title} {digits} {len(related)} {vendor or '-'} {code.known}"


def permanence(line: str | bytes) -> str | None:
    try:
        reply: Reply = smtpcodes.parse(line, strict=False)
    except ParseError as exc:
        reason: str = exc.reason
        return reason
    status: Code | None = reply.status_code
    flags: tuple[str, ...] = reply.flags
    basic: int | None = reply.code
    return f"{reply.permanence} {basic} {status} {','.join(flags)}"


def side_by_side(a: int, b: int) -> list[tuple[str, str, str]]:
    cmp: Comparison = smtpcodes.compare(a, b, lang="es")
    first: Code = cmp.a
    assert first == a
    return cmp.differences


def rows(kind: str | None = None) -> list[dict[str, Any]]:
    if kind == "basic":
        return smtpcodes.table("basic", lang="es")
    return smtpcodes.table()


def bounces(lines: list[str | bytes]) -> list[str]:
    one: Classification = smtpcodes.classify(lines[0], lang="es")
    out = [f"{one.reason} {one.permanence} {one.hard_bounce} {one.retry} {one.title}"]
    for entry in smtpcodes.classify_many(lines, lang="en"):
        if entry.error is not None:  # a line classify_many could not classify
            out.append(f"error {entry.error}")
            continue
        code: int | None = entry.code
        enhanced: str | None = entry.enhanced
        vendor: str | None = entry.vendor
        flags: tuple[str, ...] = entry.flags
        out.append(f"{entry.reason} {code} {enhanced} {vendor or '-'} {len(flags)} {entry.evidence_kind}")
    info = smtpcodes.reason_info(smtpcodes.reasons()[0], lang="es")
    hard: bool = info["hard"]
    out.append(f"{info['title']} {hard}")
    return out


def main() -> list[str]:
    out = [describe(550), describe("5.1.1")]
    out.append(str(permanence(b"550 5.1.1 User unknown")))
    out.append(str(permanence("no code here")))
    out.append(str(len(side_by_side(450, 550))))
    out.append(str(len(rows("basic"))))
    explanation: Explanation = smtpcodes.explain("550 5.1.1 User unknown")
    out.append(explanation.markdown.splitlines()[0])
    found: list[Code] = smtpcodes.search("mailbox full", lang=None)
    out.append(str(found[0]))
    codes: list[Code] = sorted(smtpcodes.codes("enhanced"))
    out.append(str(codes[0].code))
    valid: bool = smtpcodes.is_valid_reply("RCPT", smtpcodes.replies_for("RCPT")[0])
    out.append(str(valid))
    out.append(",".join(smtpcodes.languages()) + " " + smtpcodes.__version__ + " " + smtpcodes.DATA_VERSION)
    out.extend(bounces(["550 5.1.1 User unknown", b"452 4.2.2 Mailbox full", "  "]))
    html: str = smtpcodes.lookup(550)._repr_html_()
    out.append(str(len(html) > 0))
    return out


if __name__ == "__main__":
    print("\n".join(main()))
