#!/usr/bin/env python3
"""Spanish glossary check for the smtpcodes knowledge base (standard library only).

    python3 csrc/data/glossary.py            # check codes.toml, reasons.toml, rules.toml, providers/*.toml
    python3 csrc/data/glossary.py FILE...    # check only these TOML files

A violation is a rejected variant of csrc/data/glossary.toml found, as whole words and ignoring
case (accents are significant: "relé" is rejected, "rele" is not), in a Spanish text. Spanish
texts are the values of keys named `es` or ending in `_es` (e.g. `title.es`, `text_es`) at any
depth. Exit status: 0 clean, 1 violations, 2 unreadable input.
"""
import glob
import os
import re
import sys
import tomllib
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
GLOSSARY = os.path.join(HERE, "glossary.toml")
DEFAULT_FILES = ["codes.toml", "reasons.toml", "rules.toml"]


def _norm(text):
    # NFC so that a decomposed "o" + combining accent matches a precomposed one; casefold for case.
    return unicodedata.normalize("NFC", text).casefold()


def _pattern(variant):
    words = [re.escape(w) for w in _norm(variant).split()]
    # \w is Unicode-aware, so an accented letter next to the match counts as part of a word.
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


class Glossary:
    def __init__(self, terms):
        self.terms = terms
        self._rules = [(_pattern(v), v, t["preferred"]) for t in terms for v in t["rejected"]]

    def check(self, texts):
        """texts: iterable of (where, spanish_text). Returns a list of (where, message)."""
        out = []
        for where, text in texts:
            norm = _norm(text)
            for pat, variant, preferred in self._rules:
                for m in pat.finditer(norm):
                    out.append((where, f'"{variant}" -> use "{preferred}" (at character {m.start()})'))
        return out


def load(path=GLOSSARY):
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    terms = doc.get("term", [])
    for i, t in enumerate(terms):
        if not isinstance(t.get("preferred"), str) or not t["preferred"]:
            raise ValueError(f"{path}: term {i} has no preferred form")
        rej = t.get("rejected")
        if not isinstance(rej, list) or not rej or not all(isinstance(r, str) and r for r in rej):
            raise ValueError(f"{path}: term {t['preferred']!r} needs a non-empty list of rejected variants")
    return Glossary(terms)


_DEFAULT = None


def check(texts):
    """Check (where, spanish_text) pairs against the default glossary."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load()
    return _DEFAULT.check(texts)


def spanish_texts(doc, where):
    """Yield (where, text) for every Spanish string in a parsed TOML document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "es" or k.endswith("_es"):
                if isinstance(v, str):
                    yield (f"{where}.{k}", v)
                elif isinstance(v, list):
                    for i, s in enumerate(v):
                        if isinstance(s, str):
                            yield (f"{where}.{k}[{i}]", s)
            elif isinstance(v, (dict, list)):
                yield from spanish_texts(v, f"{where}.{k}")
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            label = i
            if isinstance(item, dict):
                for key in ("code", "key", "name", "id", "tag"):
                    if isinstance(item.get(key), str):
                        label = item[key]
                        break
            yield from spanish_texts(item, f"{where}[{label}]")


def default_files():
    files = [os.path.join(HERE, f) for f in DEFAULT_FILES]
    files += sorted(glob.glob(os.path.join(HERE, "providers", "*.toml")))
    return [f for f in files if os.path.exists(f)]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    files = argv or default_files()
    try:
        g = load()
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        print(f"glossary: {e}", file=sys.stderr)
        return 2
    bad = 0
    for path in files:
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            print(f"glossary: {path}: {e}", file=sys.stderr)
            return 2
        name = os.path.relpath(path, os.path.dirname(os.path.dirname(HERE)))
        for where, msg in g.check(spanish_texts(doc, name)):
            print(f"{where}: {msg}")
            bad += 1
    if bad:
        print(f"glossary: {bad} violation(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
