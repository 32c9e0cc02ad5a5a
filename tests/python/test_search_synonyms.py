"""Search synonyms (csrc/data/search.toml, compiled by gen_search.py): the generator's checks,
and that every group finds what it promises in both languages."""
from __future__ import annotations

import pathlib
import tomllib

import pytest

import smtpcodes
from conftest import DATA, data_generator

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _gen():  # type: ignore[no-untyped-def]
    return data_generator("gen_search"), data_generator("gen_data").c_string


def test_generator_output_is_the_committed_file() -> None:
    gen, c_string = _gen()
    assert gen.generate(c_string) == (ROOT / "csrc" / "search_data.inc").read_text(encoding="utf-8")


GOOD = '''[[group]]
name = "block lists"
en = ["block list", "blacklist"]
es = ["lista de bloqueo", "lista negra"]
both = ["dnsbl"]
'''


@pytest.mark.parametrize("change,message", [
    (('"blacklist"', '"Blacklist"'), "not folded"),
    (('"lista negra"', '"lista  negra"'), "bad term"),
    (('"lista negra"', '"block list"'), "listed in"),
    (('"lista negra"', '"a, b"'), "separator"),
    (('"lista negra"', '"one two three four five"'), "more than 4 words"),
    (('both = ["dnsbl"]', 'fr = ["liste noire"]'), "unknown keys"),
    (('name = "block lists"', 'name = ""'), "needs a name"),
])
def test_generator_rejects_bad_groups(tmp_path: pathlib.Path, change: tuple[str, str], message: str) -> None:
    gen, c_string = _gen()
    f = tmp_path / "search.toml"
    f.write_text(GOOD, encoding="utf-8")
    assert "block list" in gen.generate(c_string, str(f))
    assert change[0] in GOOD
    f.write_text(GOOD.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(ValueError) as e:
        gen.generate(c_string, str(f))
    assert message in str(e.value), str(e.value)


def test_generator_rejects_a_group_that_finds_nothing(tmp_path: pathlib.Path) -> None:
    gen, c_string = _gen()
    f = tmp_path / "search.toml"
    f.write_text('[[group]]\nname = "nothing"\nen = ["zzqqx", "qqzzx"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no term occurs"):
        gen.generate(c_string, str(f))
    f.write_text('[[group]]\nname = "one"\nen = ["spam"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="at least two terms"):
        gen.generate(c_string, str(f))


GROUPS = tomllib.loads((DATA / "search.toml").read_text(encoding="utf-8"))["group"]


@pytest.mark.parametrize("group", GROUPS, ids=[g["name"] for g in GROUPS])
def test_every_term_of_a_group_finds_the_same_entries(group: dict[str, list[str]]) -> None:
    """Whatever term of a group the user types, the same entries come back (the group is
    one meaning), and at least one entry; per language, the entries found are exactly
    those whose texts in that language hold a term of the group for that language."""
    terms = [t for k in ("en", "es", "both") for t in group.get(k, [])]
    results = {t: sorted(str(c.code) for c in smtpcodes.search(t)) for t in terms}
    first = results[terms[0]]
    assert first, group["name"]
    for t, r in results.items():
        assert r == first, (group["name"], t)
    for lang, keys in (("en", ("en", "both")), ("es", ("es", "both"))):
        want = [t for k in keys for t in group.get(k, [])]
        found = {str(c.code) for c in smtpcodes.search(terms[0], lang=lang)}
        expected = set()
        for row in smtpcodes.table(lang=lang):
            texts = " ".join(row[f] for f in ("title", "description", "when", "fix")).lower()
            for a, b in zip("áéíóúñüàèìòùç", "aeiounuaeiouc"):
                texts = texts.replace(a, b)
            if any(w in texts for w in want):
                expected.add(str(row["code"]))
        assert found == expected, (group["name"], lang, sorted(found ^ expected)[:5])
