#!/usr/bin/env python3
"""Generate csrc/smtpcodes_data.inc and csrc/classify_data.inc from csrc/data/*.toml.

smtpcodes_data.inc (the knowledge base, from codes.toml) is included by
csrc/table.c only; classify_data.inc (the classification rules and reasons,
from rules.toml and reasons.toml, compiled by gen_rules.py) by csrc/classify.c
only.

Standard library only. The output is deterministic (no dates, no paths), so
`--check` is a byte comparison with the committed file.

    python3 csrc/data/gen_data.py            # write both files
    python3 csrc/data/gen_data.py --check    # exit 1 if a committed file is stale
"""
import argparse
import hashlib
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.dirname(HERE)
DEFAULT_INPUTS = [os.path.join(HERE, "codes.toml")]
RULES = os.path.join(HERE, "rules.toml")
REASONS = os.path.join(HERE, "reasons.toml")
OUTPUT = os.path.join(CSRC, "smtpcodes_data.inc")
RULES_OUTPUT = os.path.join(CSRC, "classify_data.inc")
# Further generators, one module each in csrc/data, used when its file exists: NAME.OUTPUT (the
# path of the file it writes, in csrc/) and NAME.generate(c_string) -> that file's text (raises
# ValueError on bad data). Each room of the core that has data of its own adds one.
EXTRA_GENERATORS = ("gen_tags", "gen_logs", "gen_bounce", "gen_search", "gen_charsets")

LANGS = ("en", "es")
FIELDS = ("title", "description", "when", "fix")
# Fixed order: the bit of a command in smtpcodes_entry.commands.
COMMANDS = ("CONNECTION", "ANY", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "BURL",
            "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN", "ATRN",
            "TURN", "SEND", "SOML", "SAML")
CODE_KEYS = {"code", "standard", "deprecated", "vendor", "refs", "basic_codes", "related"} | set(FIELDS)
COMMAND_KEYS = {"name", "success", "intermediate", "error", "source", "except"}
PSEUDO_COMMANDS = ("CONNECTION", "ANY")
BASIC_RE = re.compile(r"^([1-5])([0-9])([0-9])$")
NUM = r"(0|[1-9][0-9]{0,2})"
ENH_RE = re.compile(r"^(X|[245])\." + NUM + r"\." + NUM + r"(?:-([1-9][0-9]{0,2}))?$")
DOUBLED = re.compile(r"\b([^\W\d]+) \1\b", re.I)
CLASS_KEYS = (["1yz", "2yz", "3yz", "4yz", "5yz"] + ["x%dz" % i for i in range(7)]
              + ["2.XXX.YYY", "4.XXX.YYY", "5.XXX.YYY"] + ["X.%d.YYY" % i for i in range(9)])
GENERIC_CLASSES = {"2yz", "3yz", "4yz", "5yz", "2.XXX.YYY", "4.XXX.YYY", "5.XXX.YYY"}


class DataError(Exception):
    pass


def fail(where, msg):
    raise DataError(f"{where}: {msg}")


def c_literal(data):
    """A C string literal for bytes: printable ASCII as is, everything else as a 3-digit
    octal escape (unlike \\x, it cannot run into the next character); ? is escaped too."""
    out = ['"']
    for b in data:
        ch = chr(b)
        if ch in '"\\?':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def c_string(s):
    """A C string literal for a str, UTF-8 encoded."""
    return c_literal(s.encode("utf-8"))


LATIN_FOLD = "aaaaaaaceeeeiiii" "dnooooo*ouuuuyts" "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty"


def fold(text):
    """Search folding of a str's UTF-8 bytes, byte for byte as fold() in search.c: ASCII
    A-Z lowercased; C3 80-BF (U+00C0-U+00FF) to one byte, the base letter; every other
    byte kept. Returns bytes."""
    data = text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0xC3 and i + 1 < len(data) and 0x80 <= data[i + 1] <= 0xBF:
            out.append(ord(LATIN_FOLD[data[i + 1] - 0x80]))
            i += 2
            continue
        out.append(b + 32 if 65 <= b <= 90 else b)
        i += 1
    return bytes(out)


def c_str_or_null(s):
    return "NULL" if s is None else c_string(s)


def bilingual(where, table, name, required=True):
    v = table.get(name)
    if v is None and not required:
        return None
    if not isinstance(v, dict) or set(v) != set(LANGS):
        fail(where, f"'{name}' needs exactly {LANGS}")
    for lang in LANGS:
        s = v[lang]
        if not isinstance(s, str) or not s.strip():
            fail(where, f"'{name}.{lang}' must be a non-empty string")
        if "\t" in s or "\r" in s:
            fail(where, f"'{name}.{lang}' contains a tab or CR")
        m = DOUBLED.search(s)
        if m:
            fail(where, f"'{name}.{lang}' has a doubled word: {m.group(0)!r}")
    return tuple(v[lang] for lang in LANGS)


def parse_code(where, text):
    m = BASIC_RE.match(text)
    if m:
        d = tuple(int(x) for x in m.groups())
        return {"kind": 1, "cls": d[0], "subject": d[1], "detail": d[2], "detail_last": d[2]}
    m = ENH_RE.match(text)
    if m:
        cls = 0 if m.group(1) == "X" else int(m.group(1))
        subject, detail = int(m.group(2)), int(m.group(3))
        last = int(m.group(4)) if m.group(4) else detail
        if last < detail:
            fail(where, "range end before its start")
        return {"kind": 2, "cls": cls, "subject": subject, "detail": detail, "detail_last": last}
    fail(where, f"malformed code {text!r}")


def load(inputs):
    doc = {"code": [], "class": [], "command": []}
    meta = {}
    for path in inputs:
        with open(path, "rb") as f:
            part = tomllib.load(f)
        for k, v in part.items():
            if k in doc:
                doc[k].extend(v)
            elif k in ("schema", "data_version", "languages"):
                meta[k] = v
            else:
                fail(path, f"unknown top-level key {k!r}")
    if meta.get("schema") != 1:
        fail("codes.toml", "schema must be 1")
    if tuple(meta.get("languages", ())) != LANGS:
        fail("codes.toml", f"languages must be {list(LANGS)}")
    if not isinstance(meta.get("data_version"), str):
        fail("codes.toml", "data_version missing")
    return meta, doc


def resolve(entries, text):
    """The entries smtpcodes_lookup() gives for a code text: [entry] or [entry, alt] (a
    registered X.s.d first, then a vendor entry whose range holds the detail), [] if unknown."""
    d = parse_code(text, text)
    if d["kind"] == 1:
        return [e for e in entries if e["kind"] == 1 and e["code"] == text]
    if d["detail"] != d["detail_last"]:
        return [e for e in entries if e["kind"] == 2 and e["code"] == text]
    reg = [e for e in entries if e["kind"] == 2 and e["cls"] == 0 and
           (e["subject"], e["detail"]) == (d["subject"], d["detail"])]
    ven = [e for e in entries if e["kind"] == 2 and d["cls"] and e["cls"] == d["cls"] and
           e["subject"] == d["subject"] and e["detail"] <= d["detail"] <= e["detail_last"]]
    return reg[:1] + ven[:1]


def drop_self_related(entries):
    """A code is not related to itself: drop from each entry's related list the codes that
    name the entry (its own code, or a class form of a registered entry: 5.7.1 and 4.7.1 of
    X.7.1, a code inside a vendor range) and repeated codes; keep the order."""
    for e in entries:
        kept = []
        for r in e["related"]:
            if r == e["code"] or r in kept or any(x is e for x in resolve(entries, r)):
                continue
            kept.append(r)
        e["related"] = kept


def build(meta, doc):
    # classes
    classes = {}
    for c in doc["class"]:
        key = c.get("key")
        if key not in CLASS_KEYS:
            fail("class", f"unknown key {key!r}")
        if key in classes:
            fail(key, "duplicate class")
        entry = {"name": bilingual(key, c, "name"), "meaning": bilingual(key, c, "meaning")}
        for g in ("generic_title", "generic_when", "generic_fix"):
            entry[g] = bilingual(key, c, g, required=key in GENERIC_CLASSES)
        classes[key] = entry
    missing = [k for k in CLASS_KEYS if k not in classes]
    if missing:
        fail("class", f"missing {missing}")

    # commands: a row's codes go to its command; an ANY row with `except` (RFC 3207 4 and 4.1,
    # RFC 4954 6: "every command other than ...") goes to each real command it does not exempt,
    # and the ANY row itself keeps only what every command may get (RFC 5321 4.3.2: 500, 501, 421).
    # CONNECTION (the greeting) is no command: it gets its own rows only.
    cmd_rows = {}
    for r in doc["command"]:
        name = r.get("name")
        if name not in COMMANDS:
            fail("command", f"unknown command {name!r}")
        for k in r:
            if k not in COMMAND_KEYS:
                fail(f"command {name}", f"unknown key {k!r}")
        codes = []
        for col in ("success", "intermediate", "error"):
            for code in r.get(col, []):
                if not isinstance(code, int) or not 100 <= code <= 599:
                    fail(name, f"bad code {code!r}")
                codes.append(code)
        exempt = r.get("except")
        if exempt is None:
            cmd_rows.setdefault(name, set()).update(codes)
            continue
        if name != "ANY":
            fail(f"command {name}", "only an ANY row has 'except'")
        if not isinstance(exempt, list) or not exempt or len(set(exempt)) != len(exempt) or \
                any(c not in COMMANDS or c in PSEUDO_COMMANDS for c in exempt):
            fail(f"command {name}", f"'except' must list distinct SMTP commands, got {exempt!r}")
        for c in COMMANDS:
            if c not in PSEUDO_COMMANDS and c not in exempt:
                cmd_rows.setdefault(c, set()).update(codes)

    # codes
    entries = []
    seen = set()
    fixes = {}
    for e in doc["code"]:
        code = e.get("code")
        where = f"code {code}"
        if not isinstance(code, str):
            fail("code", "an entry has no code")
        for k in e:
            if k not in CODE_KEYS:
                fail(where, f"unknown key {k!r}")
        d = parse_code(where, code)
        vendor = e.get("vendor")
        if vendor is not None and (not isinstance(vendor, str) or not vendor):
            fail(where, "vendor must be a non-empty string")
        if (code, vendor) in seen:
            fail(where, "duplicate entry")
        seen.add((code, vendor))
        if not isinstance(e.get("standard"), bool):
            fail(where, "standard must be true or false")
        if d["kind"] == 2 and d["cls"] == 0 and vendor:
            fail(where, "vendor codes need a concrete class")
        if d["kind"] == 2 and d["cls"] != 0 and not vendor:
            fail(where, "a registered enhanced code is written X.s.d")
        refs = e.get("refs")
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) and r for r in refs):
            fail(where, "refs must be a non-empty list of strings")
        related = e.get("related", [])
        if not isinstance(related, list):
            fail(where, "related must be a list of codes")
        for r in related:
            if not isinstance(r, str) or not (BASIC_RE.match(r) or ENH_RE.match(r)):
                fail(where, f"related {r!r} is not a code")
            m = ENH_RE.match(r)
            if m and m.group(4):
                fail(where, f"related {r!r} is a range, not a code: name one code of it "
                            f"({r.split('-')[0]})")
        basic_codes = e.get("basic_codes", [])
        if d["kind"] == 1 and basic_codes:
            fail(where, "basic codes have no basic_codes")
        for b in basic_codes:
            if not isinstance(b, int) or not 100 <= b <= 599:
                fail(where, f"bad basic code {b!r}")
        texts = tuple(bilingual(where, e, f) for f in FIELDS)
        for lang_i, lang in enumerate(LANGS):
            fx = texts[3][lang_i]
            if fx in fixes:
                fail(where, f"fix.{lang} is the same text as the fix of {fixes[fx]}")
            fixes[fx] = code
        flags = []
        if e["standard"]:
            flags.append("SMTPCODES_E_STANDARD")
        if e.get("deprecated", False):
            flags.append("SMTPCODES_E_DEPRECATED")
        if vendor:
            flags.append("SMTPCODES_E_VENDOR")
        commands = []
        if d["kind"] == 1:
            commands = [c for c in COMMANDS if int(code) in cmd_rows.get(c, ())]
        entries.append(dict(d, code=code, vendor=vendor, flags=flags, texts=texts, refs=refs,
                            related=related, basic_codes=basic_codes, commands=commands))

    entries.sort(key=lambda x: (x["kind"], x["cls"], x["subject"], x["detail"], x["vendor"] or ""))
    drop_self_related(entries)
    # vendor ranges must not overlap within one class and subject
    for a, b in zip(entries, entries[1:]):
        if (a["kind"], a["cls"], a["subject"]) == (b["kind"], b["cls"], b["subject"]) and \
                a["detail_last"] >= b["detail"]:
            fail(b["code"], f"overlaps {a['code']}")
    known_basic = {int(x["code"]) for x in entries if x["kind"] == 1}
    for name, codes in cmd_rows.items():
        for code in codes:
            if code not in known_basic:
                fail(name, f"command table names {code}, which is not in the knowledge base")
    return classes, cmd_rows, entries


def emit(meta, classes, cmd_rows, entries, rules_c, digest):
    o = []
    w = o.append
    w("/* Generated by csrc/data/gen_data.py from csrc/data/codes.toml. DO NOT EDIT. */")
    w(f"#define SMTPCODES_DATA_VERSION {c_string(meta['data_version'])}")
    w(f"#define SMTPCODES_DATA_SHA256 {c_string(digest)}")
    w(f"#define SMTPCODES_TABLE_SIZE {len(entries)}")
    w("typedef char smtpcodes_check_nlang[(SMTPCODES_NLANG == %d) ? 1 : -1];" % len(LANGS))
    w("typedef char smtpcodes_check_nfield[(SMTPCODES_NFIELD == %d) ? 1 : -1];" % len(FIELDS))
    w("")
    w("/* SMTP commands, in bit order */")
    w("static const char *const command_names[%d] = {" % len(COMMANDS))
    for c in COMMANDS:
        w(f"    {c_string(c)},")
    w("};")
    for i, c in enumerate(COMMANDS):
        codes = sorted(cmd_rows.get(c, ()))
        w(f"static const unsigned short cmd_codes_{i}[] = {{{', '.join(map(str, codes)) or '0'}}};")
    w("static const struct command_codes { const unsigned short *codes; unsigned char n; } command_codes[%d] = {" % len(COMMANDS))
    for i, c in enumerate(COMMANDS):
        w(f"    {{cmd_codes_{i}, {len(cmd_rows.get(c, ()))}}},")
    w("};")
    w("")
    w("/* Classes, categories and subjects: name, meaning and generic texts per language */")
    w("struct class_text {")
    w("    const char *key;")
    w("    const char *name[SMTPCODES_NLANG], *meaning[SMTPCODES_NLANG];")
    w("    const char *generic[3][SMTPCODES_NLANG];   /* title, when, fix; NULL where none */")
    w("};")
    w("static const struct class_text class_texts[%d] = {" % len(CLASS_KEYS))
    for key in CLASS_KEYS:
        c = classes[key]
        gen = []
        for g in ("generic_title", "generic_when", "generic_fix"):
            v = c[g]
            gen.append("{" + ", ".join(c_str_or_null(x) for x in (v or (None,) * len(LANGS))) + "}")
        w(f"    {{{c_string(key)},")
        w(f"     {{{', '.join(c_string(x) for x in c['name'])}}},")
        w(f"     {{{', '.join(c_string(x) for x in c['meaning'])}}},")
        w(f"     {{{', '.join(gen)}}}}},")
    w("};")
    w("")
    for i, e in enumerate(entries):
        w(f"static const char *const refs_{i}[] = {{{', '.join(c_string(r) for r in e['refs'])}}};")
        if e["related"]:
            w(f"static const char *const related_{i}[] = {{{', '.join(c_string(r) for r in e['related'])}}};")
        if e["basic_codes"]:
            w(f"static const unsigned short basic_{i}[] = {{{', '.join(map(str, e['basic_codes']))}}};")
    w("")
    w("static const smtpcodes_entry smtpcodes_table[SMTPCODES_TABLE_SIZE] = {")
    for i, e in enumerate(entries):
        bits = " | ".join(f"(1ul << {COMMANDS.index(c)})" for c in e["commands"]) or "0ul"
        flags = " | ".join(e["flags"]) or "0u"
        w(f"  {{ /* {e['code']}{' (' + e['vendor'] + ')' if e['vendor'] else ''} */")
        w(f"    {e['kind']}, {e['cls']}, {e['subject']}, {e['detail']}, {e['detail_last']}, {flags},")
        w(f"    {c_string(e['code'])}, {c_str_or_null(e['vendor'])},")
        w("    {")
        for f_i, f in enumerate(FIELDS):
            w(f"      {{{', '.join(c_string(x) for x in e['texts'][f_i])}}},")
        w("    },")
        rel = f"related_{i}" if e["related"] else "NULL"
        bas = f"basic_{i}" if e["basic_codes"] else "NULL"
        w(f"    refs_{i}, {rel}, {bas}, {bits},")
        w(f"    {len(e['refs'])}, {len(e['related'])}, {len(e['basic_codes'])}")
        w("  },")
    w("};")
    w("")
    w("/* Direct indexes (entry index + 1, 0 = none): basic codes by value, registered")
    w(" * enhanced codes X.s.d by subject (0-7) and detail (0-63). */")
    basic_idx = [0] * 1000
    reg_idx = [[0] * 64 for _ in range(8)]
    for i, e in enumerate(entries):
        if e["kind"] == 1:
            basic_idx[int(e["code"])] = i + 1
        elif e["cls"] == 0:
            if e["subject"] > 7 or e["detail"] > 63:
                raise DataError(f"{e['code']}: outside the direct index")
            reg_idx[e["subject"]][e["detail"]] = i + 1
    w("static const unsigned short basic_index[1000] = {" + ",".join(map(str, basic_idx)) + "};")
    w("static const unsigned short registered_index[8][64] = {")
    for row in reg_idx:
        w("    {" + ",".join(map(str, row)) + "},")
    w("};")
    w("")
    w("/* Every text of each entry (title, description, when, fix) folded for search")
    w(" * (see fold() in search.c) */")
    w("static const char *const search_fold[SMTPCODES_TABLE_SIZE][SMTPCODES_NFIELD][SMTPCODES_NLANG] = {")
    for e in entries:
        fields = ("{" + ", ".join(c_literal(fold(x)) for x in e["texts"][f_i]) + "}" for f_i in range(len(FIELDS)))
        w(f"    {{{', '.join(fields)}}},")
    w("};")
    rules = ["/* Generated by csrc/data/gen_data.py from csrc/data/rules.toml and reasons.toml. DO NOT EDIT. */"]
    rules.extend(rules_c)
    return "\n".join(o) + "\n", "\n".join(rules) + "\n"


def generate(inputs):
    meta, doc = load(inputs)
    classes, cmd_rows, entries = build(meta, doc)
    h = hashlib.sha256()
    for path in inputs:
        with open(path, "rb") as f:
            h.update(f.read())
    rules_c = []
    if os.path.exists(RULES):
        sys.path.insert(0, HERE)
        import gen_rules  # noqa: E402  (classification rules, compiled to an automaton)
        docs = []
        for path in (RULES, REASONS):
            with open(path, "rb") as f:
                raw = f.read()
            h.update(raw)
            docs.append(tomllib.loads(raw.decode("utf-8")))
        try:
            rules_c = gen_rules.emit(docs[0], docs[1], c_string)
        except gen_rules.RuleError as e:
            raise DataError(str(e))
    return emit(meta, classes, cmd_rows, entries, rules_c, h.hexdigest())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a committed output is stale")
    ap.add_argument("--output", default=OUTPUT, help="the knowledge-base table")
    ap.add_argument("--rules-output", default=RULES_OUTPUT, help="the classification tables")
    ap.add_argument("inputs", nargs="*", default=DEFAULT_INPUTS)
    args = ap.parse_args()
    try:
        texts = dict(zip((args.output, args.rules_output), generate(args.inputs)))
        sys.path.insert(0, HERE)
        for name in EXTRA_GENERATORS:
            if os.path.exists(os.path.join(HERE, name + ".py")):
                mod = __import__(name)
                texts[mod.OUTPUT] = mod.generate(c_string)
        import glossary  # noqa: E402  (one Spanish glossary for every text: glossary.toml)
        problems = glossary.check(t for f in glossary.default_files()
                                  for t in glossary.spanish_texts(tomllib.load(open(f, "rb")), os.path.relpath(f, HERE)))
        if problems:
            raise DataError("Spanish glossary: " + "; ".join(f"{w}: {m}" for w, m in problems[:20]))
    except (DataError, ValueError) as e:
        print(f"gen_data: {e}", file=sys.stderr)
        return 2
    if args.check:
        stale = 0
        for path, text in texts.items():
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                print(f"gen_data: {os.path.relpath(path)} is stale: run make gen", file=sys.stderr)
                stale = 1
        if not stale:
            print("gen_data: up to date")
        return stale
    for path, text in texts.items():
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"gen_data: wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
