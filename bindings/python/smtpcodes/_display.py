"""Notebook presentation (the _repr_html_ of every result object).

The C extension calls these functions. They add no knowledge: the content is
the Markdown the C core renders (headings and labels in the object's
language), turned into HTML for the small Markdown subset the core emits
(## and ### headings, "- " items, **bold**, `code`, backslash escapes).
Every piece of text is HTML-escaped.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ._smtpcodes import Classification, Code, Comparison, Explanation, Reply

_MD_ESCAPABLE = set("\\`*_[]<>|#")
_STYLE = "font-family:sans-serif;max-width:60em;line-height:1.4"


def _inline(s: str) -> str:
    out: list[str] = []
    strong = code = False
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "\\" and not code and i + 1 < n and s[i + 1] in _MD_ESCAPABLE:
            out.append(html.escape(s[i + 1]))
            i += 2
        elif ch == "`":
            out.append("</code>" if code else "<code>")
            code = not code
            i += 1
        elif not code and s.startswith("**", i):
            out.append("</strong>" if strong else "<strong>")
            strong = not strong
            i += 2
        else:
            out.append(html.escape(ch))
            i += 1
    if code:
        out.append("</code>")
    if strong:
        out.append("</strong>")
    return "".join(out)


def markdown_to_html(md: str) -> str:
    """HTML for the Markdown subset the core renders; all text escaped."""
    out: list[str] = []
    para: list[str] = []
    in_list = False

    def flush() -> None:
        nonlocal in_list
        if para:
            out.append("<p>" + "<br>".join(_inline(p) for p in para) + "</p>")
            para.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for line in md.split("\n"):
        if line.startswith("## ") or line.startswith("### "):
            flush()
            tag = "h3" if line.startswith("## ") else "h4"
            out.append(f"<{tag}>{_inline(line.split(' ', 1)[1])}</{tag}>")
        elif line.startswith("- "):
            if para:
                flush()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(line[2:])}</li>")
        elif not line.strip():
            flush()
        else:
            if in_list:
                flush()
            para.append(line)
    flush()
    return "\n".join(out)


def _card(kind: str, md: str) -> str:
    return f'<div class="smtpcodes smtpcodes-{kind}" style="{_STYLE}">\n{markdown_to_html(md)}\n</div>'


def code_html(code: Code) -> str:
    """A code card: heading, class, category, status, references and the three sections."""
    return _card("code", code._repr_markdown_())


def reply_html(reply: Reply) -> str:
    return _card("reply", reply._repr_markdown_())


def explanation_html(explanation: Explanation) -> str:
    return _card("explanation", explanation.markdown)


def _text_to_html(text: str) -> str:
    """Plain text from the core: "- " lines become a list, other lines paragraphs."""
    out: list[str] = []
    in_list = False
    for line in text.split("\n"):
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def _section_labels(markdown: str) -> list[str]:
    """The core's localized headings of the three sections (Description, When
    you'll see it, How to fix it): the first three "**...**" lines."""
    labels = [
        _inline(line)[len("<strong>") : -len("</strong>")]
        for line in markdown.split("\n")
        if len(line) > 4 and line.startswith("**") and line.endswith("**") and line.count("**") == 2
    ]
    return (labels + ["", "", ""])[:3]


def comparison_html(cmp: Comparison) -> str:
    """A side-by-side table: each code's title, every aspect (differences first,
    highlighted) and the three sections; then the key differences and when to
    use each."""
    e = html.escape
    a, b = cmp.a, cmp.b
    rows = [
        "<tr><th></th>"
        f"<th>{e(str(a.code))} \u2014 {e(a.title)}</th>"
        f"<th>{e(str(b.code))} \u2014 {e(b.title)}</th></tr>"
    ]
    for aspect, va, vb in cmp.differences:
        rows.append(
            f'<tr class="smtpcodes-differs"><th>{e(aspect)}</th>'
            f"<td><strong>{e(va)}</strong></td><td><strong>{e(vb)}</strong></td></tr>"
        )
    for aspect, v in cmp.similarities:
        rows.append(f'<tr class="smtpcodes-same"><th>{e(aspect)}</th><td colspan="2">{e(v)}</td></tr>')
    labels = _section_labels(cmp.markdown)
    for label, pair in zip(labels, ((a.description, b.description), (a.when, b.when), (a.fix, b.fix))):
        rows.append(f"<tr><th>{label}</th>" + "".join(f"<td>{e(t)}</td>" for t in pair) + "</tr>")
    return (
        f'<div class="smtpcodes smtpcodes-comparison" style="{_STYLE}">\n'
        f"<h3>{e(str(a.code))} vs {e(str(b.code))}</h3>\n{_text_to_html(cmp.summary)}\n"
        '<table style="border-collapse:collapse;text-align:left;vertical-align:top">\n'
        + "\n".join(rows)
        + f"\n</table>\n{_text_to_html(cmp.key_differences)}\n{_text_to_html(cmp.when_to_use)}\n</div>"
    )


# Labels of the classification card; every other text of the card (reason
# title, advice, evidence) comes from the core in the object's language.
_CARD_LABELS = {
    "en": {"permanence": "Permanence", "hard": "hard bounce", "soft": "soft bounce", "retry": "Retry",
           "retry_yes": "yes", "retry_no": "no", "advice": "Advice", "evidence": "Evidence",
           "vendor": "Wording", "code": "Code"},
    "es": {"permanence": "Permanencia", "hard": "rebote duro", "soft": "rebote suave", "retry": "Reintentar",
           "retry_yes": "s\u00ed", "retry_no": "no", "advice": "Consejo", "evidence": "Evidencia",
           "vendor": "Redacci\u00f3n", "code": "C\u00f3digo"},
}


def _md_escape(text: str) -> str:
    """Backslash-escape what markdown_to_html (and common renderers) would read as markup."""
    return "".join("\\" + ch if ch in _MD_ESCAPABLE else ch for ch in text)


def classification_markdown(c: Classification) -> str:
    """A small card: the reason's title and name, permanence, hard/soft, retry, advice, evidence."""
    lab = _CARD_LABELS.get(c.lang, _CARD_LABELS["en"])
    codes = " ".join(str(x) for x in (c.code, c.enhanced) if x is not None)
    lines = [
        f"### {_md_escape(c.title)} (`{c.reason}`)",
        "",
        f"- **{lab['permanence']}:** {_md_escape(c.permanence)}, {lab['hard'] if c.hard_bounce else lab['soft']}",
        f"- **{lab['retry']}:** {lab['retry_yes'] if c.retry else lab['retry_no']}",
    ]
    if codes:
        lines.append(f"- **{lab['code']}:** {_md_escape(codes)}")
    if c.vendor:
        lines.append(f"- **{lab['vendor']}:** {_md_escape(c.vendor)}")
    lines += ["", f"**{lab['advice']}:** {_md_escape(c.advice)}", "",
              f"**{lab['evidence']}:** {_md_escape(c.evidence)}"]
    return "\n".join(lines)


def classification_html(c: Classification) -> str:
    return _card("classification", classification_markdown(c))
