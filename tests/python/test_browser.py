"""The HTML of every result, as a person sees it in a real headless Chromium.

Three pages are built under build/browser/ and opened at 800 px wide:
- cards.html: a standalone HTML5 page holding the `_repr_html_()` of every result type, in
  English and Spanish (and the "HTML specials" sample), with nothing but that HTML;
- notebook.html / notebook-dark.html: examples/explore.ipynb, executed, exported by nbconvert
  with the lab template (JupyterLab's CSS, whose `td`/`th` rules right-align cells), light
  and dark themes.
Each check reads the page as a person would: computed styles, layout boxes, visible text
(the checks themselves are in browser_helpers.py):
- every cell of a comparison table (table.smtpcodes-compare, which must exist) is computed
  left- or start-aligned, whatever the notebook theme's td/th rules say;
- each comparison card has "Key differences" / "When to use each" (Spanish: "Diferencias
  clave" / "Cuándo usar cada uno", as the text and Markdown renderings print them) as h2-h4;
- at 800 px nothing ends right of the viewport, nothing scrolls sideways (for the notebooks:
  in the output areas);
- the visible text shows no markup (**, &lt; &amp; ..., <script, tags, # headings), and the
  "<script>alert(1)</script>" reply text is shown as typed, with no script element;
- a Spanish card shows none of the English labels and values, and says lang="es";
- the text of the cards contrasts with its background by at least 4.5:1 (light and dark).
A full-page screenshot of each page goes to build/screenshots/ for a person to look at.

Chromium, chromedriver and selenium come from tests/install_deps.sh; when they cannot be
started the test fails (it never skips)."""
from __future__ import annotations

import html
import os
import pathlib
import site
import sys
import time

import pytest

import smtpcodes
import browser_helpers as bh

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "build" / "browser"
SHOTS = ROOT / "build" / "screenshots"
EXAMPLES = ROOT / "examples"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 800, 1000

SPECIALS_TEXT = '<script>alert(1)</script> & "x" **bold**'
SPECIALS = "550 5.7.1 " + SPECIALS_TEXT
MULTILINE = "550-5.7.1 a\r\n550 5.7.1 b"


def _samples() -> list[tuple[str, str, object]]:
    """(kind, description, call) for every card: every result type, in each language the
    call takes."""
    s = smtpcodes
    q = "452 4.2.2 The email account that you tried to reach is over quota"
    both = [
        ("code", "lookup(550)", lambda lang: s.lookup(550, lang=lang)),
        ("code", 'lookup("5.1.1")', lambda lang: s.lookup("5.1.1", lang=lang)),
        ("code", "lookup(259) (not in the knowledge base)", lambda lang: s.lookup(259, lang=lang)),
        ("explanation", 'explain("550 5.1.1 <bob@example.org>: ... User unknown")',
         lambda lang: s.explain("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown", lang=lang)),
        ("explanation", "explain(211)", lambda lang: s.explain(211, lang=lang)),
        ("explanation", "explain(a multiline reply)", lambda lang: s.explain(MULTILINE, lang=lang)),
        ("explanation", "explain(a reply with HTML specials)", lambda lang: s.explain(SPECIALS, lang=lang)),
        ("comparison", "compare(211, 252)", lambda lang: s.compare(211, 252, lang=lang)),
        ("comparison", 'compare("5.1.1", 550)', lambda lang: s.compare("5.1.1", 550, lang=lang)),
        ("classification", 'classify("452 4.2.2 ... over quota")', lambda lang: s.classify(q, lang=lang)),
    ]
    out = []
    for kind, what, call in both:
        for lang in ("en", "es"):
            out.append((kind, f'{what}, lang="{lang}"', lang, lambda call=call, lang=lang: call(lang)))
    # parse() takes no language today: a Reply in Spanish is shown through explain() above.
    try:
        s.parse(MULTILINE, lang="es")
        langs = ("en", "es")
    except TypeError:
        langs = ("en",)
    for lang in langs:
        kw = {"lang": lang} if len(langs) > 1 else {}
        out.append(("reply", f"parse(a multiline reply){', lang=' + repr(lang) if kw else ''}", lang,
                    lambda kw=kw: s.parse(MULTILINE, **kw)))
    # The results the issues after 10 added: log records, bounce messages, provider tags.
    # Every one must exist and render (a missing function is a failure, not a gap).
    later = [
        ("logrecord", "parse_log", "parse_log", "Jan  1 00:00:00 mx postfix/smtp[123]: 4B2C1: to=<bob@example.org>, "
         "relay=mx.example.org[192.0.2.1]:25, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 "
         "<bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))"),
        ("bounce", "parse_bounce", "parse_bounce", "From: MAILER-DAEMON@example.org\r\nSubject: Undelivered Mail\r\n"
         "Content-Type: text/plain\r\n\r\n<bob@example.org>: host mx.example.org said: 550 5.1.1 User unknown\r\n"),
        ("tag", "lookup_tag", "lookup_tag", "TSS04"),
    ]
    for kind, name, fn, arg in later:
        if not hasattr(s, fn):
            pytest.fail(f"smtpcodes.{fn} is missing")
        for lang in ("en", "es"):
            out.append((kind, f'{name}(sample), lang="{lang}"', lang,
                        lambda fn=fn, arg=arg, lang=lang: getattr(s, fn)(arg, lang=lang)))
    return out


def build_cards_page(path: pathlib.Path) -> None:
    parts = []
    for i, (kind, what, lang, make) in enumerate(_samples()):
        try:
            obj = make()
        except Exception as exc:  # a sample that cannot be made is a failure, not a gap
            pytest.fail(f"cards.html: the sample {what} raised {exc!r}")
        card_html = obj._repr_html_()
        assert isinstance(card_html, str) and card_html.strip(), f"{what}: _repr_html_() gave {card_html!r}"
        parts.append(
            f'<section class="sample">\n<p style="font:12px monospace;color:#555;margin:24px 0 4px">'
            f'{i + 1}. {html.escape(what)}</p>\n'
            f'<div data-card="1" data-kind="{kind}" data-lang="{lang}" data-name="{html.escape(what)}">\n'
            f'{card_html}\n</div>\n</section>')
    path.write_text('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                    '<title>smtpcodes: every result card</title>\n</head>\n<body>\n'
                    + "\n".join(parts) + "\n</body>\n</html>\n", encoding="utf-8")


def build_notebook_pages(light: pathlib.Path, dark: pathlib.Path) -> None:
    import nbclient
    import nbformat
    from nbconvert import HTMLExporter
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(smtpcodes.__file__)))
    old = os.environ.get("PYTHONPATH")
    # the kernel imports the same smtpcodes as this test (installed, or the in-place build)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_parent, old]))
    try:
        nb = nbformat.read(EXAMPLES / "explore.ipynb", as_version=4)
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    bh.tag_notebook(nb)
    # nbconvert's templates live under the prefix that installed it, which a venv with
    # --system-site-packages does not search: add the base interpreter's (and the user's)
    data = [str(pathlib.Path(p, "share", "jupyter")) for p in (sys.base_prefix, site.getuserbase())]
    old_path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [old_path, *data]))
    try:
        for path, theme in ((light, "light"), (dark, "dark")):
            exporter = HTMLExporter(template_name="lab", theme=theme)
            body, _ = exporter.from_notebook_node(nb)
            path.write_text(body, encoding="utf-8")
    finally:
        if old_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old_path


PAGES = {
    "cards.html": {"scope": "body", "shot": "cards-800.png"},
    "notebook.html": {"scope": ".jp-OutputArea-output", "shot": "notebook-light.png"},
    "notebook-dark.html": {"scope": ".jp-OutputArea-output", "shot": "notebook-dark.png"},
}


def start_chromium():
    """selenium driving Debian's chromium through its chromedriver; any failure fails."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        pytest.fail(f"selenium cannot be imported ({exc}); tests/install_deps.sh installs it")
    for f in (CHROMIUM, CHROMEDRIVER):
        if not os.access(f, os.X_OK):
            pytest.fail(f"{f} is missing; tests/install_deps.sh installs Debian's chromium and chromium-driver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={WIDTH},{HEIGHT}",
              "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
              # no network: the nbconvert page names CDN scripts; make them fail at once
              "--host-resolver-rules=MAP * ~NOTFOUND"):
        opts.add_argument(a)
    # the browser is no part of what a sanitizer run (make asan-python preloads libasan)
    # checks: start it without the preload
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    try:
        driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER, env=env))
    except Exception as exc:
        pytest.fail(f"headless Chromium could not be started through {CHROMEDRIVER}: {exc}")
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def full_page_screenshot(driver, path: pathlib.Path) -> None:
    import base64
    m = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = m.get("cssContentSize") or m["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": max(size["width"], WIDTH), "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def surveys():
    """Build the pages, open each in Chromium, measure it and take its screenshot."""
    t0 = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    build_cards_page(OUT / "cards.html")
    build_notebook_pages(OUT / "notebook.html", OUT / "notebook-dark.html")
    driver = start_chromium()
    result = {}
    try:
        for name, cfg in PAGES.items():
            driver.get((OUT / name).as_uri())
            if name.startswith("notebook"):
                n = driver.execute_script(bh.ANNOTATE_NOTEBOOK)
                assert n, f"{name}: no notebook cell shows a smtpcodes result (tagging found none)"
            result[name] = driver.execute_script(bh.SURVEY, {"scope": cfg["scope"]})
            full_page_screenshot(driver, SHOTS / cfg["shot"])
    finally:
        driver.quit()
    assert result["cards.html"]["innerWidth"] == WIDTH, f'the window is {result["cards.html"]["innerWidth"]} px wide, not {WIDTH}'
    result["_seconds"] = time.monotonic() - t0
    return result


def _assert_none(problems: list[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("page", list(PAGES))
def test_compare_cells_left_aligned(surveys, page):
    _assert_none(bh.check_compare_alignment(page, surveys[page]))


@pytest.mark.parametrize("page", list(PAGES))
def test_compare_section_headings(surveys, page):
    _assert_none(bh.check_compare_headings(page, surveys[page]))


@pytest.mark.parametrize("page", list(PAGES))
def test_no_horizontal_overflow_at_800px(surveys, page):
    _assert_none(bh.check_overflow(page, surveys[page]))


@pytest.mark.parametrize("page", list(PAGES))
def test_no_literal_markup_in_visible_text(surveys, page):
    _assert_none(bh.check_literal_markup(page, surveys[page], verbatim=[SPECIALS_TEXT]))


def test_html_specials_shown_as_text(surveys):
    s = surveys["cards.html"]
    cards = [c for c in s["cards"] if "HTML specials" in c["name"]]
    assert cards, "cards.html: the HTML-specials sample is missing"
    problems = bh.check_no_script_in_cards("cards.html", s)
    if s["scripts"]:
        problems.append(f'cards.html: the page holds {s["scripts"]} <script> element(s); it should hold none')
    for c in cards:
        if "<script>alert(1)</script>" not in c["text"]:
            problems.append(f'cards.html: {c["name"]}: "<script>alert(1)</script>" is not visible as text')
        if SPECIALS_TEXT not in c["text"]:
            problems.append(f'cards.html: {c["name"]}: the reply text {SPECIALS_TEXT!r} is not shown as typed')
    _assert_none(problems)


@pytest.mark.parametrize("page", list(PAGES))
def test_spanish_cards_have_no_english_words(surveys, page):
    if not any(c["lang"] == "es" for c in surveys[page]["cards"]):
        pytest.fail(f"{page}: no Spanish card on the page")
    _assert_none(bh.check_spanish_words(page, surveys[page]))


def test_spanish_cards_say_lang_es(surveys):
    _assert_none(bh.check_lang_attribute("cards.html", surveys["cards.html"]))


@pytest.mark.parametrize("page", list(PAGES))
def test_field_labels_not_broken(surveys, page):
    _assert_none(bh.check_labels_unbroken(page, surveys[page]))


@pytest.mark.parametrize("page", list(PAGES))
def test_card_text_contrasts_with_background(surveys, page):
    _assert_none(bh.check_contrast(page, surveys[page]))


def test_screenshots_written_and_quick(surveys):
    for cfg in PAGES.values():
        shot = SHOTS / cfg["shot"]
        assert shot.exists() and shot.stat().st_size > 1000, f"{shot} was not written"
    assert surveys["_seconds"] < 60, f'building and measuring the pages took {surveys["_seconds"]:.0f} s'
