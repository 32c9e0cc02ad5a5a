"""Provider tags: lookup_tag, tags, providers and the Tag type, the shared tag vectors
(tests/vectors/tags_a.tsv, tags_b.tsv), and the command line (`lookup TAG`, `tags`), through
`python -m smtpcodes` and the `smtpcodes` binary (built here when missing or stale)."""
from __future__ import annotations

import copy
import json
import os
import pathlib
import pickle
import re
import subprocess
import sys
from collections.abc import Sequence

import pytest

import smtpcodes
from conftest import data_generator, read_vectors

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
BINARY = ROOT / "build" / "smtpcodes"
PKG_PARENT = pathlib.Path(smtpcodes.__file__).resolve().parent.parent
FIELDS = ("tag", "provider", "title", "description", "when", "fix", "reason", "codes", "references", "lang")


# ---- providers() and tags() ---------------------------------------------------------------

def test_providers() -> None:
    p = smtpcodes.providers()
    assert isinstance(p, tuple) and len(p) >= 15 and len(set(p)) == len(p)
    assert {"Yahoo", "Comcast", "NetEase", "Apple iCloud", "Spamhaus"} <= set(p)
    assert all(isinstance(x, str) and x for x in p)


def test_tags_fields() -> None:
    all_tags = smtpcodes.tags()
    assert isinstance(all_tags, list) and len(all_tags) >= 150
    reasons = set(smtpcodes.reasons())
    for t in all_tags:
        assert isinstance(t, smtpcodes.Tag)
        for f in ("tag", "provider", "title", "description", "when", "fix"):
            assert isinstance(getattr(t, f), str) and getattr(t, f), (t, f)
        assert t.reason in reasons and t.lang == "en"
        assert t.provider in smtpcodes.providers()
        assert isinstance(t.references, tuple) and t.references
        assert isinstance(t.codes, tuple)
        for c in t.codes:
            if isinstance(c, int):
                assert 200 <= c <= 599 and smtpcodes.lookup(c).kind == "basic"
            else:
                assert isinstance(c, str) and smtpcodes.lookup(c).kind == "enhanced", (t, c)


def test_tags_by_provider_partition_the_list() -> None:
    all_tags = smtpcodes.tags()
    total = 0
    for name in smtpcodes.providers():
        some = smtpcodes.tags(name, lang="es")
        assert some and all(t.provider == name and t.lang == "es" for t in some)
        total += len(some)
    assert total == len(all_tags)
    assert smtpcodes.tags("yahoo") == smtpcodes.tags(provider="Yahoo")
    assert [t.tag for t in smtpcodes.tags("Yahoo")][:1] == ["TSS04"]


def test_tags_bad_arguments() -> None:
    with pytest.raises(KeyError, match="Nobody"):
        smtpcodes.tags("Nobody")
    with pytest.raises(TypeError):
        smtpcodes.tags(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        smtpcodes.tags(lang="fr")
    with pytest.raises(TypeError):
        smtpcodes.tags("Yahoo", "es")  # type: ignore[misc]
    with pytest.raises(TypeError):
        smtpcodes.providers(1)  # type: ignore[call-arg]


# ---- lookup_tag() -------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["TSS04", "tss04", "[TSS04]", "  [ Tss04 ]\n"])
def test_lookup_tag_spellings(spelling: str) -> None:
    t = smtpcodes.lookup_tag(spelling)
    assert (t.tag, t.provider, t.reason, t.codes) == ("TSS04", "Yahoo", "badreputation", (421, "4.7.0"))


def test_lookup_tag_provider_and_lang() -> None:
    en = smtpcodes.lookup_tag("DT:SPM")
    es = smtpcodes.lookup_tag("dt:spm", provider="netease", lang="es")
    assert es.provider == "NetEase" and es.lang == "es" and es.tag == "DT:SPM"
    assert es.title != en.title and es.reason == en.reason and es.codes == en.codes
    assert smtpcodes.lookup_tag("DT:SPM", provider="NetEase", lang="es-ES") == es


def test_lookup_every_tag_in_both_languages() -> None:
    for lang in ("en", "es"):
        for t in smtpcodes.tags(lang=lang):
            for spelling in (t.tag, t.tag.lower(), "[" + t.tag.upper() + "]"):
                u = smtpcodes.lookup_tag(spelling, provider=t.provider, lang=lang)
                assert u == t and u.to_dict() == t.to_dict()


@pytest.mark.parametrize("tag,provider", [("NOSUCH99", None), ("TSS04", "Gmail"), ("TSS04", "Nobody"),
                                          ("", None), ("[]", None), ("TSS0", None), ("TSS04\x00", None)])
def test_lookup_tag_unknown_raises_keyerror(tag: str, provider: str | None) -> None:
    with pytest.raises(KeyError):
        smtpcodes.lookup_tag(tag, provider=provider)


def test_lookup_tag_bad_arguments() -> None:
    with pytest.raises(TypeError):
        smtpcodes.lookup_tag(b"TSS04")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.lookup_tag("TSS04", "Yahoo")  # type: ignore[misc]
    with pytest.raises(TypeError):
        smtpcodes.lookup_tag(tag="TSS04")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        smtpcodes.lookup_tag("TSS04", provider=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        smtpcodes.lookup_tag()  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        smtpcodes.lookup_tag("TSS04", lang="fr")


# ---- the Tag type ---------------------------------------------------------------------------

def test_tag_is_immutable_hashable_and_pickles() -> None:
    t = smtpcodes.lookup_tag("TSS04", lang="es")
    with pytest.raises(AttributeError):
        t.title = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        t.extra = 1  # type: ignore[attr-defined]
    assert t == smtpcodes.lookup_tag("[tss04]", lang="es") and t != smtpcodes.lookup_tag("TSS04")
    assert len({t, smtpcodes.lookup_tag("TSS04", lang="es"), smtpcodes.lookup_tag("TSS04")}) == 2
    assert str(t) == "TSS04" and repr(t).startswith("<Tag TSS04 (Yahoo) '")
    assert smtpcodes.Tag("TSS04", "yahoo", "es") == t and smtpcodes.Tag("TSS04") == smtpcodes.lookup_tag("TSS04")
    with pytest.raises(KeyError):
        smtpcodes.Tag("NOSUCH99")
    with pytest.raises(TypeError):
        type("Sub", (smtpcodes.Tag,), {})
    for lang in ("en", "es"):
        for tag in smtpcodes.tags(lang=lang):
            back = pickle.loads(pickle.dumps(tag))
            assert back == tag and back.lang == lang and back.title == tag.title
    assert copy.deepcopy(t) == t


def test_tag_to_dict() -> None:
    t = smtpcodes.lookup_tag("TSS04")
    d = t.to_dict()
    assert tuple(d) == FIELDS
    assert d["codes"] == [421, "4.7.0"] and isinstance(d["references"], list)
    assert {k: getattr(t, k) for k in FIELDS} == {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
    assert json.loads(json.dumps(d)) == d


def test_tag_renderings_come_from_the_core() -> None:
    for lang, provider_label, fix_label in (("en", "Provider", "How to fix it"), ("es", "Proveedor",
                                                                                  "Cómo solucionarlo")):
        for t in smtpcodes.tags(lang=lang):
            assert t.text.startswith(f"{t.tag} - {t.title} ({t.provider})\n\n")
            assert f"{provider_label}: {t.provider}\n" in t.text and f"{fix_label}:\n{t.fix}" in t.text
            assert all(str(c) in t.text for c in t.codes) and t.references[0] in t.text
            assert t.markdown.startswith("## ") and f"**{fix_label}**" in t.markdown
            assert t.html.startswith(f'<section class="smtpcodes smtpcodes-tag" lang="{lang}" style="')
            assert t.html.endswith("</section>\n") and "<script" not in t.html
            assert t.html.count("<dt ") == t.html.count("</dt>") == 4
            assert t._repr_html_() == t.html and t._repr_markdown_() == t.markdown
    es = smtpcodes.lookup_tag("TSS04", lang="es")
    assert "Motivo: badreputation" in es.text and "Reason" not in es.text


# ---- the shared vectors ---------------------------------------------------------------------

def _tag_rows() -> list[list[str]]:
    rows = read_vectors("tags_a.tsv") + read_vectors("tags_b.tsv")
    return [[f.decode("utf-8") for f in r] for r in rows]


def test_vectors_name_every_tag() -> None:
    rows = _tag_rows()
    named = {(r[1], r[2]) for r in rows}
    assert named == {(t.tag, t.provider) for t in smtpcodes.tags()}


@pytest.mark.parametrize("row", _tag_rows(), ids=lambda r: f"{r[2]}:{r[1]}")
def test_vector(row: list[str]) -> None:
    reply, tag, provider, reason = row[:4]
    t = smtpcodes.lookup_tag(tag, provider=provider)
    assert (t.tag, t.provider, t.reason) == (tag, provider, reason) and reply


# ---- the command line -------------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PKG_PARENT), env.get("PYTHONPATH")]))
    return env


def _sources_newer_than_binary() -> bool:
    built = BINARY.stat().st_mtime
    sources = list(ROOT.glob("csrc/*.[ch]")) + list(ROOT.glob("csrc/*.inc")) + list(ROOT.glob("bindings/cli/*.[ch]"))
    return any(p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="module")
def binary() -> pathlib.Path:
    """build/smtpcodes, built (make build/smtpcodes) when missing or older than its sources."""
    if not BINARY.exists() or _sources_newer_than_binary():
        subprocess.run(["make", "-s", "build/smtpcodes"], cwd=str(ROOT), check=True, capture_output=True,
                       timeout=600)
    assert BINARY.exists()
    return BINARY


def run_both(binary: pathlib.Path, args: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI through python -m smtpcodes and the binary; they must agree byte for byte."""
    py = subprocess.run([sys.executable, "-P", "-m", "smtpcodes", *args], capture_output=True, env=_env(),
                        cwd=str(ROOT), timeout=120)
    c = subprocess.run([str(binary), *args], capture_output=True, env=_env(), cwd=str(ROOT), timeout=120)
    assert (py.returncode, py.stdout, py.stderr) == (c.returncode, c.stdout, c.stderr), args
    return c


@pytest.mark.parametrize("lang", ["en", "es"])
def test_cli_lookup_tag_formats(binary: pathlib.Path, lang: str) -> None:
    t = smtpcodes.lookup_tag("TSS04", lang=lang)
    p = run_both(binary, ["--lang", lang, "lookup", "TSS04"])
    assert p.returncode == 0 and p.stdout.decode() == t.text and not p.stderr
    p = run_both(binary, ["lookup", "[tss04]", "--markdown", "--lang", lang])
    assert p.returncode == 0 and p.stdout.decode() == t.markdown
    p = run_both(binary, ["--html", "--lang", lang, "lookup", "TSS04"])
    assert p.returncode == 0 and p.stdout.decode() == t.html
    p = run_both(binary, ["--json", "--lang", lang, "lookup", "TSS04", "DT:SPM"])
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert p.returncode == 0 and lines == [t.to_dict(), smtpcodes.lookup_tag("DT:SPM", lang=lang).to_dict()]


def test_cli_lookup_mixes_codes_and_tags(binary: pathlib.Path) -> None:
    p = run_both(binary, ["--json", "lookup", "550", "HL:REP", "5.1.1"])
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert p.returncode == 0 and [x.get("code", x.get("tag")) for x in lines] == [550, "HL:REP", "5.1.1"]
    p = run_both(binary, ["lookup", "550", "TSS04"])
    assert p.returncode == 0 and b"\n\nTSS04 - " in p.stdout


@pytest.mark.parametrize("args,rc,err", [
    (["lookup", "NOSUCH99"], 1, b"smtpcodes: unknown code or provider tag 'NOSUCH99'\n"),
    (["lookup", "TSS04", "NOSUCH99"], 1, b"smtpcodes: unknown code or provider tag 'NOSUCH99'\n"),
    (["lookup", "55"], 2, b"smtpcodes: malformed code '55'"),
    (["lookup", "NOSUCH99", "55"], 2, b"smtpcodes: unknown code or provider tag 'NOSUCH99'\n"),
    (["tags", "Nobody"], 1, b"smtpcodes: unknown provider 'Nobody'\n"),
])
def test_cli_not_found_and_malformed(binary: pathlib.Path, args: list[str], rc: int, err: bytes) -> None:
    p = run_both(binary, args)
    assert p.returncode == rc and p.stderr.startswith(err), p


def test_cli_tags_lists(binary: pathlib.Path) -> None:
    p = run_both(binary, ["tags"])
    lines = p.stdout.decode().splitlines()
    assert p.returncode == 0 and len(lines) == len(smtpcodes.tags())
    first = smtpcodes.tags()[0]
    assert lines[0] == f"{first.tag}  {first.title}  ({first.provider})"
    p = run_both(binary, ["tags", "Apple", "iCloud", "--lang", "es"])
    assert p.returncode == 0
    assert p.stdout.decode().splitlines() == [f"{t.tag}  {t.title}  ({t.provider})"
                                              for t in smtpcodes.tags("Apple iCloud", lang="es")]
    p = run_both(binary, ["--json", "tags", "gmail"])
    assert [json.loads(x) for x in p.stdout.decode().splitlines()] == [t.to_dict() for t in smtpcodes.tags("gmail")]
    assert b"tags [PROVIDER]" in run_both(binary, ["--help"]).stdout


# ---- the generator (csrc/data/gen_tags.py) ------------------------------------------------------

GOOD_PROVIDER = '''[provider]
id = "example"
name = "Example Mail"
hosts = ["example.net"]
wordings = ["postmaster.example.net"]
references = ["https://example.net/errors"]
'''
GOOD_TAG = '''
[[tag]]
tag = "EX01"
match = ["[EX01]"]
reason = "blocked"
codes = ["550", "5.7.1"]
references = ["https://example.net/errors#ex01"]
title.en = "Blocked"
title.es = "Bloqueado"
description.en = "Blocked by Example."
description.es = "Bloqueado por Example."
when.en = "At RCPT."
when.es = "En RCPT."
fix.en = "Sending admin: ask Example."
fix.es = "Administrador emisor: pregunte a Example."
'''


def _gen_tags():  # type: ignore[no-untyped-def]
    return data_generator("gen_tags")


def test_generator_output_is_the_committed_file() -> None:
    gen_tags = _gen_tags()
    c_string = data_generator("gen_data").c_string
    assert gen_tags.generate(c_string) == (ROOT / "csrc" / "tags_data.inc").read_text(encoding="utf-8")


def test_generator_accepts_a_good_file(tmp_path: pathlib.Path) -> None:
    f = tmp_path / "example.toml"
    f.write_text(GOOD_PROVIDER + GOOD_TAG, encoding="utf-8")
    providers, tags = _gen_tags().load([str(f)])
    assert [p["name"] for p in providers] == ["Example Mail"] and [t["tag"] for t in tags] == ["EX01"]


@pytest.mark.parametrize("change,message", [
    (('reason = "blocked"', 'reason = "nosuchreason"'), "reason 'nosuchreason'"),
    (('codes = ["550", "5.7.1"]', 'codes = ["550", "5.7"]'), "code '5.7'"),
    (('match = ["[EX01]"]', 'match = [""]'), "'match'"),
    (('match = ["[EX01]"]', 'match = []'), "'match'"),
    (('fix.es = "Administrador emisor: pregunte a Example."\n', ''), "'fix'"),
    (('title.en = "Blocked"\n', 'title.en = "Blocked"\ntitle.fr = "Bloqué"\n'), "'title'"),
    (('references = ["https://example.net/errors#ex01"]\n', ''), "missing ['references']"),
    (('tag = "EX01"', 'tag = "[EX01]"'), "brackets"),
    (('id = "example"', 'id = "Example Mail"'), "id 'Example Mail'"),
    (('hosts = ["example.net"]', 'hosts = ["not a host"]'), "host 'not a host'"),
    (('reason = "blocked"', 'reason = "blocked"\nzone = "x.example.net"'), "unknown keys ['zone']"),
])
def test_generator_rejects_bad_data(tmp_path: pathlib.Path, change: tuple[str, str], message: str) -> None:
    text = GOOD_PROVIDER + GOOD_TAG
    assert change[0] in text
    f = tmp_path / "example.toml"
    f.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ValueError) as e:
        _gen_tags().load([str(f)])
    assert "example.toml" in str(e.value) and message in str(e.value), str(e.value)
    if "[provider]" not in str(e.value):
        assert "EX01" in str(e.value)


def test_generator_rejects_clashes_between_files(tmp_path: pathlib.Path) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(GOOD_PROVIDER + GOOD_TAG, encoding="utf-8")
    other = GOOD_PROVIDER.replace('id = "example"', 'id = "other"').replace("Example Mail", "Other Mail")
    cases = [
        (other.replace("postmaster.example.net", "other.example"), GOOD_TAG.replace('"EX01"', '"EX02"'),
         "match string '[EX01]' already used"),
        (GOOD_PROVIDER, GOOD_TAG.replace("[EX01]", "[EX02]"), "id 'example' already used"),
        (other, GOOD_TAG.replace("[EX01]", "[EX02]"), "wording 'postmaster.example.net' already claimed"),
        (other.replace("postmaster.example.net", "other.example"), GOOD_TAG.replace("[EX01]", "[ex01]"),
         "match string '[ex01]' already used"),
    ]
    for provider, tag, message in cases:
        b.write_text(provider + tag, encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(message)):
            _gen_tags().load([str(a), str(b)])


def test_no_memory_growth() -> None:
    from conftest import memory_growth

    def work() -> None:
        for t in smtpcodes.tags("Yahoo", lang="es"):
            t.to_dict()
            assert t.html and t.text
            pickle.loads(pickle.dumps(t))
        with pytest.raises(KeyError):
            smtpcodes.lookup_tag("NOSUCH99")
        smtpcodes.providers()

    assert memory_growth(work, 30) < 16 * 1024


TAGGED = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_explain_and_classify_show_the_providers_meaning(lang: str) -> None:
    tag = smtpcodes.lookup_tag("TSS04", lang=lang)
    e = smtpcodes.explain(TAGGED, lang=lang)
    assert tag.description in e.text and tag.fix in e.text
    assert e.text.index(tag.description) < e.text.index("421 - ")   # the provider's meaning first
    assert '<section class="smtpcodes-tag"' in e.html
    c = smtpcodes.classify(TAGGED, lang=lang)
    assert c.tag == "TSS04" and c.provider == "Yahoo" and c.reason == tag.reason
    assert "TSS04" in c.evidence


def test_cli_explain_shows_the_tag() -> None:
    r = subprocess.run([sys.executable, "-m", "smtpcodes", "explain", TAGGED], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert smtpcodes.lookup_tag("TSS04").description in r.stdout.decode("utf-8")
