"""explain() of a bounce (issue 12): smtpcodes.explain(parse_bounce(msg)) gives the core's
bounce card, one diagnosis per recipient, byte for byte what `smtpcodes explain FILE` prints
(the command line run as `python -m smtpcodes`, the same C code the binary is built from)."""
import os
import pathlib
import subprocess
import sys

import pytest

import smtpcodes

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "bounces"
FILES = sorted(p.name for p in VECTORS.glob("*.eml"))
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent


def cli(*args: str) -> bytes:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    res = subprocess.run([sys.executable, "-P", "-m", "smtpcodes", *args], capture_output=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_there_are_vectors() -> None:
    assert len(FILES) >= 5


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_explain_of_a_bounce_is_the_cli_card(name: str, lang: str) -> None:
    path = VECTORS / name
    e = smtpcodes.explain(smtpcodes.parse_bounce(path.read_bytes()), lang=lang)
    assert isinstance(e, smtpcodes.Explanation)
    for opt, text in (([], e.text), (["--markdown"], e.markdown), (["--html"], e.html)):
        assert cli("explain", "--lang", lang, *opt, str(path)) == (text + "\n").encode("utf-8"), (name, opt)


def test_explain_of_a_bounce_names_each_recipient() -> None:
    b = smtpcodes.parse_bounce((VECTORS / "postfix-userunknown.eml").read_bytes())
    assert b.recipients
    text = smtpcodes.explain(b).text
    for r in b.recipients:
        assert r.recipient in text
    assert smtpcodes.explain(b, lang="es").text != text


def test_explain_of_a_bounce_checks_lang() -> None:
    b = smtpcodes.parse_bounce((VECTORS / "postfix-userunknown.eml").read_bytes())
    with pytest.raises(ValueError):
        smtpcodes.explain(b, lang="xx")
    with pytest.raises(TypeError):
        smtpcodes.explain(b, lang=1)  # type: ignore[arg-type]


def test_explain_defaults_to_the_objects_language() -> None:
    """No lang: a Bounce's or a Code's own language (as the Lua explain does); lang wins when given."""
    raw = (VECTORS / "postfix-userunknown.eml").read_bytes()
    b_es, b_en = smtpcodes.parse_bounce(raw, lang="es"), smtpcodes.parse_bounce(raw)
    assert smtpcodes.explain(b_es).text == smtpcodes.explain(b_en, lang="es").text
    assert smtpcodes.explain(b_es, lang=None).text == smtpcodes.explain(b_en, lang="es").text
    assert smtpcodes.explain(b_es, lang="en").text == smtpcodes.explain(b_en).text
    assert smtpcodes.explain(b_es).text != smtpcodes.explain(b_en).text
    c_es = smtpcodes.lookup("5.1.1", lang="es")
    assert smtpcodes.explain(c_es).text == smtpcodes.explain("5.1.1", lang="es").text
    assert smtpcodes.explain(c_es, lang="en").text == smtpcodes.explain("5.1.1").text
    assert smtpcodes.explain(smtpcodes.lookup(550)).text == smtpcodes.explain(550, lang="en").text
    # text input has no language of its own: English unless asked
    assert smtpcodes.explain("550 5.1.1 User unknown", lang=None).text == smtpcodes.explain("550 5.1.1 User unknown",
                                                                                          lang="en").text
