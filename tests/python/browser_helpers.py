"""Helpers of the browser test (test_browser.py): the JavaScript that measures a page in
Chromium, and the pure-Python checks that turn those measurements into a list of problems,
each naming the page, the card or element and the value that is wrong.

The checks take plain data (what survey() returned), so they can be tried on any page, a
hand-written one included, without the smtpcodes module."""
from __future__ import annotations

import re
from typing import Any, Iterable

# Every card of a page carries data-card, data-name (how the card was made, for messages),
# data-kind (code, reply, explanation, comparison, classification, ...) and data-lang. The
# standalone page writes them in its HTML; in a notebook export ANNOTATE_NOTEBOOK sets them
# on the output area of every cell tagged "smtpcodes-card" (see tag_notebook()).
ANNOTATE_NOTEBOOK = r"""
const cells = document.querySelectorAll('.jp-Cell.celltag_smtpcodes-card');
cells.forEach((cell, i) => {
  const out = cell.querySelector('.jp-Cell-outputWrapper') || cell.querySelector('.jp-OutputArea');
  if (!out) return;
  const src = cell.querySelector('.jp-InputArea-editor');
  const first = src ? src.innerText.trim().split('\n').map(l => l.trim()).filter(Boolean).join('; ') : 'cell ' + i;
  out.dataset.card = '1';
  out.dataset.name = 'notebook cell "' + (first.length > 70 ? first.slice(0, 67) + '...' : first) + '"';
  out.dataset.kind = cell.classList.contains('celltag_smtpcodes-compare') ? 'comparison' : 'other';
  out.dataset.lang = cell.classList.contains('celltag_lang-es') ? 'es' : 'en';
});
return cells.length;
"""

# One call gathers everything the checks need. arguments[0] = {scope: CSS selector of the
# areas whose overflow and visible text are checked ("body" for a standalone page, the
# output areas for a notebook)}.
SURVEY = r"""
const cfg = arguments[0];
window.scrollTo(0, 0);
const norm = s => (s || '').replace(/\s+/g, ' ').trim();
function desc(el) {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (el.classList && el.classList.length) s += '.' + [...el.classList].slice(0, 3).join('.');
  const t = norm(el.innerText || el.textContent).slice(0, 50);
  return t ? s + ' "' + t + '"' : s;
}
const de = document.documentElement;
const cw = de.clientWidth;
const out = {url: location.href, clientWidth: cw, innerWidth: window.innerWidth,
             scrollWidth: document.scrollingElement.scrollWidth};
const cards = [...document.querySelectorAll('[data-card]')];
const cardName = el => { const c = el.closest('[data-card]'); return c ? c.dataset.name : '(outside the cards)'; };

// (i) the comparison tables, and for diagnosis any other table inside a comparison card
const cells = t => [...t.querySelectorAll('td, th')].map(c => ({
  row: c.parentElement.rowIndex, col: c.cellIndex, tag: c.tagName.toLowerCase(),
  align: getComputedStyle(c).textAlign, text: norm(c.innerText).slice(0, 40)}));
out.compareTables = [...document.querySelectorAll('table.smtpcodes-compare')].map(t => ({card: cardName(t), cells: cells(t)}));
out.otherTables = cards.filter(c => c.dataset.kind === 'comparison').flatMap(c =>
  [...c.querySelectorAll('table:not(.smtpcodes-compare)')].map(t => ({card: c.dataset.name, cls: t.className, cells: cells(t)})));

// (ii), (iv), (v), (vi): per card
out.cards = cards.map(c => ({
  name: c.dataset.name, kind: c.dataset.kind, lang: c.dataset.lang,
  headings: [...c.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => ({tag: h.tagName.toLowerCase(), text: norm(h.innerText)})),
  text: c.innerText,
  codeTexts: [...c.querySelectorAll('code, kbd, samp, pre, q')].map(e => e.innerText),
  scripts: c.querySelectorAll('script').length,
  langEs: !!(c.querySelector('[lang|="es"]') || c.closest('[lang|="es"]')),
  ownLang: (c.closest('[lang]') || de).getAttribute('lang'),
}));

// (iii) overflow: every rendered element of the scope whose right edge passes the viewport
const scopes = [...document.querySelectorAll(cfg.scope)];
const seen = new Set(), offenders = [];
for (const s of scopes) for (const el of [s, ...s.querySelectorAll('*')]) {
  if (seen.has(el)) continue; seen.add(el);
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > cw + 0.5) offenders.push({el, right: Math.round(r.right), width: Math.round(r.width)});
}
const offSet = new Set(offenders.map(o => o.el));
out.overflowCount = offenders.length;
out.overflow = offenders.filter(o => !offSet.has(o.el.parentElement)).slice(0, 15)
  .map(o => ({card: cardName(o.el), desc: desc(o.el), right: o.right, width: o.width}));
// a box that scrolls (or clips) sideways: its content is wider than the box
out.scrollers = [...seen].filter(el => el !== document.body && el !== de).flatMap(el => {
  const ox = getComputedStyle(el).overflowX;
  return ox !== 'visible' && el.scrollWidth > el.clientWidth + 2
    ? [{card: cardName(el), desc: desc(el), overflowX: ox, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth}] : [];
}).slice(0, 15);
out.scopeCount = scopes.length;
out.scopeText = scopes.map(s => s.innerText).join('\n');

// (vi) colours of every visible element with text of its own, inside the cards
const seenKey = new Set();
out.colors = [];
for (const c of cards) for (const el of [c, ...c.querySelectorAll('*')]) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const st = getComputedStyle(el), r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || st.visibility !== 'visible') continue;
  const chain = [];
  for (let a = el; a; a = a.parentElement) chain.push(getComputedStyle(a).backgroundColor);
  const key = c.dataset.name + '|' + st.color + '|' + chain.join('|');
  if (seenKey.has(key)) continue; seenKey.add(key);
  out.colors.push({card: c.dataset.name, desc: desc(el), color: st.color, backgrounds: chain});
}
// (vii) field labels: a <dt> narrower than its longest word breaks that word (a theme's
// float/width rules for dt squeezing the label column)
const ctx = document.createElement('canvas').getContext('2d');
out.labels = cards.flatMap(c => [...c.querySelectorAll('dt')].map(dt => {
  const st = getComputedStyle(dt);
  ctx.font = st.font;
  const words = norm(dt.innerText).split(' ').filter(Boolean);
  const longest = words.length ? Math.max(...words.map(w => ctx.measureText(w).width)) : 0;
  return {card: c.dataset.name, text: norm(dt.innerText), width: dt.getBoundingClientRect().width, longest};
}));
out.scripts = document.querySelectorAll('script').length;
return out;
"""


def tag_notebook(nb: Any) -> None:
    """Tag the code cells of an executed notebook whose outputs are smtpcodes results, so
    the HTML export marks them (nbconvert's lab template writes a class celltag_<tag>):
    smtpcodes-card on each, smtpcodes-compare on comparisons, lang-es on Spanish ones.
    A result is an HTML output that names smtpcodes (the object's repr or its markup), or
    a Markdown output of a cell that calls smtpcodes; a DataFrame of smtpcodes.table() is not."""
    for cell in nb.cells:
        if cell.cell_type != "code" or "smtpcodes" not in cell.source:
            continue
        rich = [o for o in cell.get("outputs", []) if "data" in o and (
                ("text/html" in o["data"] and ("smtpcodes" in o["data"]["text/html"]
                                               or "smtpcodes" in o["data"].get("text/plain", "")))
                or "text/markdown" in o["data"])]
        if not rich:
            continue
        tags = set(cell.metadata.get("tags", [])) | {"smtpcodes-card"}
        if "compare(" in cell.source:
            tags.add("smtpcodes-compare")
        if re.search(r"""lang\s*=\s*["']es["']""", cell.source):
            tags.add("lang-es")
        cell.metadata["tags"] = sorted(tags)


# --- colours -------------------------------------------------------------------------

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_color(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' / 'rgba(1, 2, 3, 0.5)' (as getComputedStyle gives them) -> (r, g, b, a)."""
    if css.strip() == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    m = _RGB.match(css.strip())
    if not m:
        raise ValueError(f"unreadable computed colour {css!r}")
    alpha = m.group(4)
    a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha))
    return (float(m.group(1)), float(m.group(2)), float(m.group(3)), a)


def _over(top: tuple[float, float, float, float], below: tuple[float, float, float]) -> tuple[float, float, float]:
    a = top[3]
    return tuple(top[i] * a + below[i] * (1 - a) for i in range(3))  # type: ignore[return-value]


def effective_background(chain: list[str]) -> tuple[float, float, float]:
    """The colour behind an element: its background and its ancestors' (chain = element
    first, root last), composited from the root down over the white canvas."""
    rgb = (255.0, 255.0, 255.0)
    for css in reversed(chain):
        rgb = _over(parse_color(css), rgb)
    return rgb


def luminance(rgb: Iterable[float]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: Iterable[float], bg: Iterable[float]) -> float:
    """WCAG 2 contrast ratio of two opaque colours, 1..21."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# --- checks: each returns a list of problems (empty = pass) ----------------------------

def _more(items: list[str], limit: int = 12) -> list[str]:
    return items[:limit] + ([f"... and {len(items) - limit} more"] if len(items) > limit else [])


def check_compare_alignment(page: str, s: dict) -> list[str]:
    """(i) every cell of every table.smtpcodes-compare is computed left- (or start-) aligned."""
    if not s["compareTables"]:
        other = []
        for t in s["otherTables"]:
            bad = [c for c in t["cells"] if c["align"] not in ("left", "start")]
            other.append(f'{t["card"]}: <table class="{t["cls"]}"> with {len(t["cells"])} cells, '
                         f'{len(bad)} not left-aligned ({", ".join(sorted({c["align"] for c in bad})) or "-"})')
        return [f"{page}: no table.smtpcodes-compare on the page (the comparison cards must hold a "
                f"<table class=\"smtpcodes-compare\">)" + ("; tables found in comparison cards instead: "
                + "; ".join(other) if other else "")]
    bad = []
    for t in s["compareTables"]:
        for c in t["cells"]:
            if c["align"] not in ("left", "start"):
                bad.append(f'{t["card"]}: row {c["row"]} col {c["col"]} <{c["tag"]}> "{c["text"]}" '
                           f'text-align={c["align"]}')
    total = sum(len(t["cells"]) for t in s["compareTables"])
    return [f"{page}: {len(bad)} of {total} comparison cells are not left-aligned: " + "; ".join(_more(bad))] if bad else []


HEADINGS = {"en": ("Key differences", "When to use each"),
            "es": ("Diferencias clave", "Cuándo usar cada uno")}


def check_compare_headings(page: str, s: dict) -> list[str]:
    """(ii) each comparison card has the two section headings of its language as h2-h4."""
    problems = []
    cards = [c for c in s["cards"] if c["kind"] == "comparison"]
    if not cards:
        return [f"{page}: no comparison card on the page"]
    for c in cards:
        found = [h["text"] for h in c["headings"] if h["tag"] in ("h2", "h3", "h4")]
        for want in HEADINGS[c["lang"]]:
            if want not in found:
                where = "it appears as body text, not as a heading" if want in c["text"] else "absent"
                problems.append(f'{page}: {c["name"]}: no <h2>-<h4> "{want}" ({where}); headings present: {found}')
    return problems


def check_overflow(page: str, s: dict) -> list[str]:
    """(iii) nothing wider than the viewport, no horizontal scrolling."""
    problems = []
    if s["scrollWidth"] > s["clientWidth"]:
        problems.append(f'{page}: the page scrolls horizontally: scrollWidth {s["scrollWidth"]} > '
                        f'clientWidth {s["clientWidth"]}')
    if s["overflow"]:
        problems.append(f'{page}: {s["overflowCount"]} elements end right of the viewport '
                        f'(clientWidth {s["clientWidth"]}); outermost: ' + "; ".join(
                            f'{o["card"]}: {o["desc"]} right={o["right"]} width={o["width"]}' for o in s["overflow"]))
    for b in s["scrollers"]:
        problems.append(f'{page}: {b["card"]}: {b["desc"]} (overflow-x: {b["overflowX"]}) holds content '
                        f'{b["scrollWidth"]} px wide in a box {b["clientWidth"]} px wide: it scrolls or cuts sideways')
    return problems


LITERAL_MARKUP = [
    ("**", re.compile(r"\*\*")),
    ("an HTML entity (&lt; &gt; &amp; &quot; &#...;)", re.compile(r"&(?:lt|gt|amp|quot|apos|nbsp|#x?[0-9a-fA-F]+);")),
    ("<script", re.compile(r"<script", re.I)),
    ("an HTML tag", re.compile(r"</?(?:strong|em|b|i|code|p|div|span|table|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|br|a|style)\b[^>]*>", re.I)),
    ("a Markdown heading (#)", re.compile(r"(?m)^#{1,6} ")),
]


def check_literal_markup(page: str, s: dict, verbatim: Iterable[str] = ()) -> list[str]:
    """(iv) the visible text of the scope shows no markup: the verbatim strings (user input
    that legitimately holds such characters, shown as typed) are taken out first."""
    text = s["scopeText"]
    for v in verbatim:
        text = text.replace(v, " ")
    problems = []
    if not s["scopeCount"]:
        problems.append(f"{page}: nothing to check: no element matches the scope")
    for what, rx in LITERAL_MARKUP:
        for m in list(rx.finditer(text))[:3]:
            ctx = text[max(0, m.start() - 40): m.end() + 40].replace("\n", " ")
            problems.append(f"{page}: visible text shows {what} literally: ...{ctx}...")
    return problems


def check_no_script_in_cards(page: str, s: dict) -> list[str]:
    return [f'{page}: {c["name"]}: {c["scripts"]} <script> element(s) inside the card' for c in s["cards"] if c["scripts"]]


# English words a Spanish card must not show: the labels and values the English cards
# print (field labels, section titles, permanence, flags, yes). Matched as whole words,
# case-insensitive, outside <code>/<pre>/<kbd>/<samp>/<q> (which quote server text). "No"
# is left out on purpose: it is a Spanish word too ("No hay nada que corregir").
ENGLISH_WORDS = ["temporary", "permanent", "success", "soft bounce", "hard bounce", "multiline",
                 "not-utf8", "yes", "true", "false", "Permanence", "Retry", "Advice", "Evidence",
                 "Wording", "Description", "Category", "Commands", "Returned by", "References",
                 "Related", "Flags", "Key differences", "When to use each", "When you'll see it",
                 "How to fix it", "differs", "shared", "both"]
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])", re.I)


def text_outside_code(card: dict) -> str:
    text = card["text"]
    for quoted in sorted(card["codeTexts"], key=len, reverse=True):
        if quoted.strip():
            text = text.replace(quoted, " ")
    return text


def check_spanish_words(page: str, s: dict) -> list[str]:
    """(v) Spanish cards show no English label or value."""
    problems = []
    for c in s["cards"]:
        if c["lang"] != "es":
            continue
        text = text_outside_code(c)
        hits = []
        for m in _ENGLISH.finditer(text):
            ctx = text[max(0, m.start() - 25): m.end() + 25].replace("\n", " | ")
            hits.append(f'"{m.group(1)}" in "...{ctx}..."')
        if hits:
            problems.append(f'{page}: Spanish card {c["name"]} shows English words: ' + "; ".join(_more(hits, 8)))
    return problems


def check_lang_attribute(page: str, s: dict) -> list[str]:
    """(vii) a Spanish card says so: lang="es" on the card's markup, so that a screen
    reader or a hyphenator reads it as Spanish (the page around it is lang="en")."""
    return [f'{page}: Spanish card {c["name"]} carries no lang="es" (its language resolves to '
            f'{c["ownLang"]!r})' for c in s["cards"] if c["lang"] == "es" and not c["langEs"]]


def check_contrast(page: str, s: dict, minimum: float = 4.5) -> list[str]:
    """(vi) the text of every card contrasts with what is behind it."""
    bad = []
    if not s["colors"]:
        return [f"{page}: no text found in the cards"]
    for e in s["colors"]:
        bg = effective_background(e["backgrounds"])
        fg = _over(parse_color(e["color"]), bg)
        ratio = contrast_ratio(fg, bg)
        if ratio < minimum:
            bad.append(f'{e["card"]}: {e["desc"]} color {e["color"]} on '
                       f'rgb({", ".join(str(round(c)) for c in bg)}): contrast {ratio:.2f}')
    return [f"{page}: {len(bad)} text elements contrast less than {minimum}:1 with their background: "
            + "; ".join(_more(bad, 8))] if bad else []


def check_labels_unbroken(page: str, s: dict) -> list[str]:
    """Every field label (<dt>) is at least as wide as its longest word."""
    if not s.get("labels"):
        return [f"{page}: no field label (<dt>) found in the cards"]
    return _more([f'{page}: {lab["card"]}: the label "{lab["text"]}" is {lab["width"]:.0f} px wide, narrower '
                  f'than its longest word ({lab["longest"]:.0f} px): the word breaks'
                  for lab in s["labels"] if lab["width"] + 1 < lab["longest"]])
