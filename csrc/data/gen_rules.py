"""Compile the classification rules (csrc/data/rules.toml) and the bounce
reasons (csrc/data/reasons.toml) into C tables. Used by gen_data.py.

Phrases are matched case-insensitively in one pass by a deterministic
automaton (Aho-Corasick, made dense over a small byte-class alphabet), built
here at generation time; the C side walks it one table lookup per byte.
"""
import re

# Byte classes: letters fold to one class per letter, digits share one class,
# all white space is one class, a few punctuation marks keep their own class,
# every other byte is "other" (it breaks a phrase).
PUNCT = ".-'/:@_#()[]<>=;,\"+!?&%*|$~`{}\\^"
OTHER = 0


def byte_classes(used=PUNCT):
    """Classes for the letters, digits, white space and the punctuation marks used, and two
    for the bytes over 0x7F when a phrase has some (UTF-8 continuation bytes 0x80-0xBF, lead
    bytes 0xC0-0xFF): the automaton then matches a non-ASCII phrase by the shape of its bytes
    and the classifier checks its exact bytes on a hit (patterns flagged PAT_EXACT)."""
    cls = [OTHER] * 256
    n = 1
    for i, ch in enumerate("abcdefghijklmnopqrstuvwxyz"):
        cls[ord(ch)] = cls[ord(ch.upper())] = n + i
    n += 26
    for d in "0123456789":
        cls[ord(d)] = n
    n += 1
    for ws in " \t\r\n\v\f":
        cls[ord(ws)] = n
    n += 1
    # One class for every punctuation mark a phrase uses: "x-unix;" also
    # matches "x_unix:". It keeps a state's row to one cache line.
    if any(p in used for p in PUNCT):
        for p in PUNCT:
            cls[ord(p)] = n
        n += 1
    if any(ord(ch) > 127 for ch in used):
        for b in range(0x80, 0xC0):
            cls[b] = n
        for b in range(0xC0, 0x100):
            cls[b] = n + 1
        n += 2
    return cls, n


def fold_char(ch):
    """The case folding of one character, as exact_match() in classify.c: ASCII A-Z, Latin-1
    capitals U+00C0-U+00DE (not U+00D7) and Cyrillic capitals U+0400-U+042F to lower case;
    every other character as written (it must then appear in the text exactly so)."""
    o = ord(ch)
    if 0x41 <= o <= 0x5A or (0xC0 <= o <= 0xDE and o != 0xD7) or 0x410 <= o <= 0x42F:
        return chr(o + 32)
    if 0x400 <= o <= 0x40F:
        return chr(o + 80)
    return ch


REASON_ORDER = (
    "authfailure", "badreputation", "blocked", "contenterror", "delivered", "exceedlimit", "expired",
    "failedstarttls", "feedback", "filtered", "hasmoved", "hostunknown", "mailboxfull", "mailererror",
    "mesgtoobig", "networkerror", "norelaying", "notaccept", "notcompliantrfc", "onhold",
    "policyviolation", "rejected", "requireptr", "securityerror", "spamdetected", "speeding",
    "suppressed", "suspend", "syntaxerror", "systemerror", "systemfull", "toomanyconn", "undefined",
    "userunknown", "vacation", "virusdetected", "greylisted", "none")
LANGS = ("en", "es")
# Session contexts a reply text can reveal (which SMTP step failed). `[[context]]` tables list
# the phrases that reveal each; the classifier uses them the way Sisimai uses the SMTP command.
CONTEXT_ORDER = ("rcpt", "data", "mail", "connect", "gaveup")
STATUS_RE = re.compile(r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}$")
# Pattern flags (the records' bound byte; classify.c reads them by these names, emitted below)
PAT_WORD, PAT_EXACT, PAT_TAIL, PAT_PREFIX, PAT_RULE_WORDS = 1, 2, 4, 8, 16


class RuleError(Exception):
    pass


def norm_phrase(p, where, word=False):
    if not isinstance(p, str) or not p.strip():
        raise RuleError(f"{where}: empty phrase")
    q = re.sub(r"\s+", " ", "".join(fold_char(c) for c in p.strip()))
    # two CJK characters make a word; a concept's word ("ip") is matched at word boundaries
    if len(q) < 3 and not (len(q) == 2 and (word or all(ord(c) > 0x2E7F for c in q))):
        raise RuleError(f"{where}: phrase {p!r} too short")
    if any(0xD800 <= ord(c) <= 0xDFFF or ord(c) in (0xFFFE, 0xFFFF) for c in q):
        raise RuleError(f"{where}: phrase {p!r} is not valid text")
    return q


def load(rules, reasons):
    rs = {r["name"]: r for r in reasons.get("reason", [])}
    for name in REASON_ORDER:
        if name not in rs:
            raise RuleError(f"reasons.toml: reason {name!r} missing")
        r = rs[name]
        for f in ("title", "description", "action"):
            v = r.get(f)
            if not isinstance(v, dict) or set(v) != set(LANGS) or not all(isinstance(v[x], str) and v[x] for x in LANGS):
                raise RuleError(f"reasons.toml: {name}.{f} needs en and es")
        if not isinstance(r.get("hard"), bool) or not isinstance(r.get("retry"), bool):
            raise RuleError(f"reasons.toml: {name} needs hard and retry booleans")
    extra = set(rs) - set(REASON_ORDER)
    if extra:
        raise RuleError(f"reasons.toml: unknown reasons {sorted(extra)}")

    vendors = []
    vendor_mta = []   # 1: an MTA (whose format carries replies), not an answering provider
    for v in rules.get("vendor", []):
        name = v.get("name")
        if not isinstance(name, str) or not name:
            raise RuleError("vendor without a name")
        kind = v.get("kind", "provider")
        if kind not in ("provider", "mta"):
            raise RuleError(f"vendor {name}: kind must be provider or mta")
        vendors.append((name, [norm_phrase(p, name) for p in v.get("markers", [])]))
        vendor_mta.append(1 if kind == "mta" else 0)
    vendor_names = [v[0] for v in vendors]

    patterns = []   # (kind, payload): kind 1 = rule phrase, 2 = vendor marker, 3 = pair fragment,
                    # 4 = context phrase, 7 = concept word
    rule_list = []  # (reason, priority, vendor or None, display phrase, strong, words)
    bounded = set() # pattern ids matched only at word boundaries (rules of kind "words")
    pairs = []      # (rule index, fragment pattern ids)
    # Concepts: a name and the words (in every language the rules cover) that carry it, matched
    # at word boundaries (pattern kind 7). A rule's "meanings" are sets of concepts that must all
    # appear anywhere in the text ("user" and "unknown": "Unbekannter Empfaenger", "no such
    # mailbox"); a meaning ranks with the phrases by its priority, so one below the providers'
    # and the MTAs' own wordings and above the one-word phrases.
    concept_index = {}
    combos = []     # (rule index, bit mask of the concepts it needs)
    prefixes = set()   # concept words matched where no letter or digit precedes (PAT_PREFIX)
    for c in rules.get("concept", []):
        name = c.get("name")
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name) or name in concept_index:
            raise RuleError(f"concept {name!r}: a new lower-case name")
        for key in c:
            if key not in ("name", "words", "note"):
                raise RuleError(f"concept {name}: unknown key {key!r}")
        if len(concept_index) >= 64:
            raise RuleError("at most 64 concepts (a bit each)")
        concept_index[name] = len(concept_index)
        ws = c.get("words", [])
        if not ws:
            raise RuleError(f"concept {name}: no words")
        for wd in ws:
            # "recipient*": a word that may go on (recipients), matched only at its start's boundary
            prefix = isinstance(wd, str) and wd.endswith("*")
            patterns.append((7, concept_index[name], norm_phrase(wd[:-1] if prefix else wd, f"concept {name}", word=True)))
            (prefixes if prefix else bounded).add(len(patterns) - 1)
    for i, r in enumerate(rules.get("rule", [])):
        where = f"rule {i + 1} ({r.get('reason')})"
        reason = r.get("reason")
        if reason not in REASON_ORDER:
            raise RuleError(f"{where}: unknown reason")
        vendor = r.get("vendor")
        if vendor is not None and vendor not in vendor_names:
            raise RuleError(f"{where}: unknown vendor {vendor!r}")
        prio = r.get("priority", 50)
        if not isinstance(prio, int) or not 0 <= prio <= 255:
            raise RuleError(f"{where}: priority must be 0-255")
        strong = r.get("strength", "strong")
        if strong not in ("strong", "weak"):
            raise RuleError(f"{where}: strength must be strong or weak")
        for key in r:
            if key not in ("reason", "vendor", "priority", "strength", "phrases", "pairs", "meanings", "note", "kind"):
                raise RuleError(f"{where}: unknown key {key!r}")
        kind = r.get("kind", "phrases")
        if kind not in ("phrases", "words"):
            raise RuleError(f"{where}: kind must be phrases or words")
        words = kind == "words"
        for p in r.get("phrases", []):
            q = norm_phrase(p, where)
            rule_list.append((reason, prio, vendor, q, strong == "strong", words))
            patterns.append((1, len(rule_list) - 1, q))
            if words:
                bounded.add(len(patterns) - 1)
        for pr in r.get("pairs", []):
            if not isinstance(pr, list) or len(pr) < 2:
                raise RuleError(f"{where}: a pair lists two or more fragments")
            frags = [norm_phrase(x, where) for x in pr]
            rule_list.append((reason, prio, vendor, " \u2026 ".join(frags), strong == "strong", words))
            ids = []
            for fr in frags:
                patterns.append((3, len(rule_list) - 1, fr))
                ids.append(len(patterns) - 1)
            pairs.append((len(rule_list) - 1, ids))
        for m in r.get("meanings", []):
            if not isinstance(m, list) or not m or not all(x in concept_index for x in m):
                raise RuleError(f"{where}: a meaning lists concepts defined by [[concept]] tables")
            if words:
                raise RuleError(f"{where}: meanings belong to a rule of kind phrases (they rank with the phrases)")
            rule_list.append((reason, prio, vendor, " + ".join(x.replace("_", " ") for x in m), strong == "strong", 2))
            need = 0
            for x in m:
                need |= 1 << concept_index[x]
            combos.append((len(rule_list) - 1, need))
    for vi, (name, markers) in enumerate(vendors):
        for m in markers:
            patterns.append((2, vi, m))
    for c in rules.get("context", []):
        name = c.get("name")
        if name not in CONTEXT_ORDER:
            raise RuleError(f"context {name!r}: unknown (one of {', '.join(CONTEXT_ORDER)})")
        for key in c:
            if key not in ("name", "phrases", "note"):
                raise RuleError(f"context {name}: unknown key {key!r}")
        for p in c.get("phrases", []):
            patterns.append((4, CONTEXT_ORDER.index(name), norm_phrase(p, f"context {name}")))

    status = {}
    for code, reason in rules.get("status", {}).items():
        if not STATUS_RE.match(code) or reason not in REASON_ORDER:
            raise RuleError(f"status {code} -> {reason}: bad entry")
        status[code] = reason
    reply = {}
    for code, reason in rules.get("reply", {}).items():
        if not re.match(r"^[2-5][0-9][0-9]$", code) or reason not in REASON_ORDER:
            raise RuleError(f"reply {code} -> {reason}: bad entry")
        reply[int(code)] = reason
    used = {b for _, need in combos for b in range(64) if need >> b & 1}
    for name, i in concept_index.items():
        if i not in used:
            raise RuleError(f"concept {name}: no rule's meanings use it")
    return (rs, vendors, patterns, rule_list, pairs, status, reply, vendor_mta, (bounded, prefixes), combos,
            sorted(concept_index.items(), key=lambda x: x[1]))


SPARSE_MAX = 3   # children a state keeps as a list rather than a full row
DENSE_DEPTH = 16  # states this shallow keep a full row (the walk spends most of its bytes there)


def build_automaton(patterns, cls, nclass):
    """Dense Aho-Corasick automaton over byte classes. Returns (next table,
    per-state output lists of pattern ids)."""
    goto = [dict()]
    out = [[]]
    ws = cls[ord(" ")]
    last = [None]   # the class of the byte that leads into each state
    for pid, (_, _, text) in enumerate(patterns):
        s = 0
        prev = None
        for ch in text.encode("utf-8"):
            c = cls[ch]
            if c == OTHER:
                raise RuleError(f"phrase {text!r}: character {chr(ch)!r} cannot be matched")
            if c == ws and (prev == ws or s == 0):
                raise RuleError(f"phrase {text!r}: white space at its start or twice in a row (the walk reads a run of white space as one)")
            prev = c
            if c not in goto[s]:
                goto.append(dict())
                out.append([])
                last.append(c)
                goto[s][c] = len(goto) - 1
            s = goto[s][c]
        out[s].append(pid)
    n = len(goto)
    fail = [0] * n
    order = []
    queue = list(goto[0].values())
    for s in queue:
        fail[s] = 0
    head = 0
    while head < len(queue):
        s = queue[head]
        head += 1
        order.append(s)
        for c, t in goto[s].items():
            queue.append(t)
            f = fail[s]
            while f and c not in goto[f]:
                f = fail[f]
            fail[t] = goto[f][c] if c in goto[f] and goto[f][c] != t else 0
            out[t] = out[t] + [p for p in out[fail[t]] if p not in out[t]]
    table = [[0] * nclass for _ in range(n)]
    for c in range(nclass):
        table[0][c] = goto[0].get(c, 0)
    for s in order:   # breadth-first, so fail[s] is complete
        for c in range(nclass):
            table[s][c] = goto[s][c] if c in goto[s] else table[fail[s]][c]
    # A run of white space reads as one: a state entered by white space stays where it is on
    # more ("user  unknown", "rate of\r\n550-5.7.1 unsolicited" once the marker is skipped).
    # Exact: every state whose failure chain ends in such a state also ends in white space,
    # and the root maps white space to itself (no phrase starts with it).
    loops = [dict(g) for g in goto]
    for s in order:
        if last[s] == ws:
            table[s][ws] = s
            loops[s][ws] = s
    assert table[0][ws] == 0
    # Two kinds of state. A "dense" state (the root, the states at most DENSE_DEPTH bytes deep,
    # and every state with more than SPARSE_MAX children) keeps a full row of next states.
    # Every other state is sparse: it keeps the classes and ids of its children (up to
    # SPARSE_MAX) and its failure state; on another class the walk falls back along the
    # failure links (each step shallower) until a sparse state's class or a dense row
    # answers. That gives exactly the dense automaton's next state, table[s][c] = goto[s][c]
    # or table[fail[s]][c] (checked below), from about 1.2 MB of rows (the states up to sixteen
    # bytes deep: 19,249 of 33,618 at stop 28) and 12-byte sparse entries, instead of a 64-byte row
    # for every state (2.1 MB). Measured with bench_c --classify-cpu in alternating rounds: sparse
    # beside a two-deep dense core took about a quarter less time per classify than all rows
    # dense (an AMD EPYC, single-lane walk); on an Intel Xeon with 2 MB of L2 per core and the
    # four-lane walk, a ten-deep core took about 4% less than a six-deep one (the walk reaches
    # a sparse state, where it has to branch, on 22% of the corpus bytes at six, 15% at ten).
    # At stop 28, with the concepts' words (2,100 more states, mostly shallow), sixteen deep took
    # about 4% less than ten (1,215 against 1,265 ns per text) and all rows dense about 6% less
    # (1,185) for 0.9 MB more of rows; sixteen is the middle.
    depth = [0] * n
    for s in order:
        for t in goto[s].values():
            depth[t] = depth[s] + 1
    dense = [s for s in [0] + order if s == 0 or depth[s] <= DENSE_DEPTH or len(loops[s]) > SPARSE_MAX]
    is_dense = set(dense)
    # Numbering: the dense states breadth-first, then the sparse ones depth-first, so that
    # the states along a phrase are near each other in memory; and in four ranges, so that one
    # compare says dense (id < ndense) and one unsigned subtraction and compare says "has
    # outputs" (first_out <= id < end_out), with no flag bit taken from the 16-bit ids:
    # dense without outputs, dense with outputs, sparse with outputs, sparse without.
    sparse_order = []
    stack = [0]
    done = set(dense)
    while stack:
        s = stack.pop()
        if s not in done:
            done.add(s)
            sparse_order.append(s)
        stack.extend(t for _, t in sorted(goto[s].items(), reverse=True))
    ranked = ([s for s in dense if not out[s]] + [s for s in dense if out[s]] +
              [s for s in sparse_order if out[s]] + [s for s in sparse_order if not out[s]])
    assert ranked[0] == 0 and not out[0] and len(ranked) == n
    new_id = {s: i for i, s in enumerate(ranked)}
    first_out = sum(1 for s in dense if not out[s])
    end_out = first_out + sum(1 for s in range(n) if out[s])
    table2 = [None] * n
    out2 = [None] * n
    sparse = [None] * (n - len(dense))
    for s in range(n):
        table2[new_id[s]] = [new_id[t] for t in table[s]]
        out2[new_id[s]] = out[s]
        if s not in is_dense:
            sparse[new_id[s] - len(dense)] = ([(c, new_id[t]) for c, t in sorted(loops[s].items())], new_id[fail[s]])
    # the walk the C side does, checked against the dense automaton for every state and class
    nd = len(dense)
    for s in range(nd, n):
        for c in range(nclass):
            q, got = s, None
            while q >= nd and got is None:
                kids, f = sparse[q - nd]
                got = next((t for cc, t in kids if cc == c), None)
                q = f
            if got is None:
                got = table2[q][c]
            if got != table2[s][c]:
                raise RuleError(f"sparse automaton disagrees at state {s}, class {c}")
    chain = sparse
    assert all(bool(out2[i]) == (first_out <= i < end_out) for i in range(n))
    return table2, out2, len(dense), chain, first_out, end_out


def provider_hints(providers_dir=None):
    """Prefilter strings for the provider tags (csrc/data/providers, compiled by gen_tags.py):
    every tag match string (kind 5) and every provider host and wording (kind 6), as the phrase
    automaton can match them (a string is cut at its first byte no class holds; one shorter than
    three bytes makes the hint always on). The classifier calls smtpcodes_find_tag and
    smtpcodes_find_provider only when a hint fired, so most replies pay one pass, not three."""
    import glob
    import os
    import tomllib
    d = providers_dir or os.path.join(os.path.dirname(os.path.abspath(__file__)), "providers")
    ok = set("abcdefghijklmnopqrstuvwxyz0123456789 " + PUNCT)
    hints, always, tags, nonascii, provs = [], [False, False, False], [], [], []

    def cut(text, kind, arg=0):
        low = text.lower()
        n = 0
        while n < len(low) and low[n] in ok and not (low[n].isspace() and low[n] != " "):
            n += 1
        q = low[:n]
        if len(q.strip()) < 3 or q != q.strip():
            if any(ord(c) > 127 for c in text):
                always[1 if kind == 5 else 2] = True   # hinted by any byte over 0x7F
            elif kind == 5:
                always[0] = True
            return
        hints.append((kind, arg, q))

    for f in sorted(glob.glob(os.path.join(d, "*.toml"))):
        with open(f, "rb") as fh:
            doc = tomllib.load(fh)
        prov = doc.get("provider", {})
        # kind 6 only hints: smtpcodes_find_provider decides (few replies get that far; checking
        # every host here costs more than the rare second pass)
        for h in prov.get("hosts", []) + prov.get("wordings", []):
            cut(h, 6)
        for t in doc.get("tag", []):
            for m in t.get("match", []):
                # kind 5 carries its match string: the classifier checks the exact bytes (ASCII
                # case-insensitive, as tags.c) and knows the tag without a second pass
                tags.append((m.encode("utf-8").lower(), t["tag"], prov.get("name", "")))
                if any(ord(c) > 127 for c in m):
                    nonascii.append(len(tags) - 1)   # searched for as bytes in non-ASCII text
                else:
                    cut(m, 5, len(tags) - 1)
    return hints, always, tags, nonascii, provs



def emit(rules, reasons, c_string):
    rs, vendors, patterns, rule_list, pairs, status, reply, vendor_mta, (bounded, prefixes), combos, concept_names = \
        load(rules, reasons)
    hints, hint_flags, tag_hints, nonascii_tags, _ = provider_hints()
    seen = set()
    for kind, arg, q in hints:
        if kind == 5 or (kind, q) not in seen:
            seen.add((kind, q))
            patterns.append((kind, arg, q))
    cls, nclass = byte_classes(set("".join(p[2] for p in patterns)))
    table, out, ndense, chain, first_out, end_out = build_automaton(patterns, cls, nclass)
    if len(table) > 0xFFFF:
        raise RuleError("automaton too large: at most 65535 states (16-bit ids)")
    o = []
    w = o.append
    w("/* ---- classification: reasons, rules and the phrase automaton ---- */")
    w(f"#define SC_NREASONS {len(REASON_ORDER)}")
    # rows padded to a power of two: the walk indexes them with a shift, not a multiply
    row = 1
    while row < nclass:
        row *= 2
    w(f"#define SC_NCLASSES {row}")
    w(f"#define SC_NSTATES {len(table)}")
    w(f"#define SC_NPATTERNS {len(patterns)}")
    w(f"#define SC_NRULES {len(rule_list)}")
    w(f"#define SC_NPAIRS {len(pairs)}")
    w(f"#define SC_NVENDORS {len(vendors)}")
    w(f"#define SC_TAG_HINT_ALWAYS {int(hint_flags[0])}")
    w(f"#define SC_NTAG_HINTS {len(tag_hints)}")
    w("/* each provider tag match string (lowercase bytes), its length, its tag and provider, in the")
    w("   table order of tags.c (files by name, tags in file order) */")
    w("struct tag_hint { const char *match; unsigned short len; const char *tag; const char *provider; };")
    w("static const struct tag_hint tag_hints[SC_NTAG_HINTS > 0 ? SC_NTAG_HINTS : 1] = {")
    for m, tg, pv in tag_hints:
        w(f"    {{{c_string(m.decode('utf-8'))}, {len(m)}, {c_string(tg)}, {c_string(pv)}}},")
    if not tag_hints:
        w("    {\"\", 0, \"\", \"\"},")
    w("};")
    w("/* tag match strings with non-ASCII bytes: searched for as bytes when the text has some */")
    w(f"#define SC_NNONASCII_TAGS {len(nonascii_tags)}")
    w(f"static const unsigned short nonascii_tags[{max(len(nonascii_tags), 1)}] = {{"
      + (", ".join(map(str, nonascii_tags)) or "0") + "};")
    w("/* a tag (1) or a provider wording (2) that only non-ASCII text can carry */")
    w(f"#define SC_HINT_NONASCII {int(hint_flags[1]) | (2 * int(hint_flags[2]))}u")
    for i, name in enumerate(REASON_ORDER):
        w(f"#define SC_R_{name.upper()} {i}")
    for i, name in enumerate(CONTEXT_ORDER):
        w(f"#define SC_CTX_{name.upper()} {1 << i}u")
    w("struct reason_info { const char *name; unsigned char hard, retry; const char *text[3][SMTPCODES_NLANG]; };")
    w("static const struct reason_info reason_info[SC_NREASONS] = {")
    for name in REASON_ORDER:
        r = rs[name]
        texts = ", ".join("{" + ", ".join(c_string(r[f][lang]) for lang in LANGS) + "}"
                          for f in ("title", "description", "action"))
        w(f"    {{{c_string(name)}, {int(r['hard'])}, {int(r['retry'])}, {{{texts}}}}},")
    w("};")
    w("static const char *const vendor_names[SC_NVENDORS + 1] = {"
      + ", ".join(c_string(v[0]) for v in vendors) + (", " if vendors else "") + "NULL};")
    w("/* 1: the vendor is an MTA (whose format carries a reply), not the answering provider */")
    w("static const unsigned char vendor_is_mta[SC_NVENDORS + 1] = {"
      + ", ".join(str(x) for x in vendor_mta) + (", " if vendors else "") + "0};")
    w("static const unsigned char byte_class[256] = {")
    for i in range(0, 256, 32):
        w("    " + ", ".join(str(c) for c in cls[i:i + 32]) + ",")
    w("};")
    w("/* words: 1, a rule of kind \"words\" (a word of the text, matched at word boundaries); 2, a")
    w("   meaning (concepts that all appeared: it ranks with the phrases, its evidence is the words) */")
    w("struct rule { unsigned char reason, priority, strong, words; signed char vendor; const char *phrase; };")
    w("static const struct rule rules[SC_NRULES] = {")
    for reason, prio, vendor, text, strong, words in rule_list:
        vi = -1 if vendor is None else [v[0] for v in vendors].index(vendor)
        w(f"    {{{REASON_ORDER.index(reason)}, {prio}, {int(strong)}, {int(words)}, {vi}, {c_string(text)}}},")
    w("};")
    w("/* pattern kinds: 1 rule phrase, 2 vendor marker, 3 pair fragment, 4 context phrase,")
    w("   5 a provider tag's match string, 6 a provider's host or wording (prefilters), 7 a word of")
    w("   a concept */")
    w("/* bound: PAT_WORD, matched only where no letter or digit precedes or follows; PAT_EXACT, a")
    w("   phrase with bytes over 0x7F, whose bytes pattern_exact[] holds (the automaton only knows")
    w("   their classes) */")
    w("/* PAT_TAIL: a PAT_EXACT pattern whose last character is not ASCII: the record's tail holds its")
    w("   last two bytes (case-folded), compared before the whole pattern (two CJK characters, or four")
    w("   Cyrillic or Greek letters, have one shape of classes, so such a run of any text ends each word") 
    w("   of that shape) */")
    w(f"#define PAT_WORD {PAT_WORD}u")
    w(f"#define PAT_EXACT {PAT_EXACT}u")
    w(f"#define PAT_TAIL {PAT_TAIL}u")
    w("/* PAT_PREFIX: a concept's word that may go on ('recipient*': recipients), matched where no letter or")
    w("   digit precedes it */")
    w(f"#define PAT_PREFIX {PAT_PREFIX}u")
    w(f"#define PAT_RULE_WORDS {PAT_RULE_WORDS}u")
    exact = []
    pat_flags = []
    for pid, (kind, arg, text) in enumerate(patterns):
        b = text.encode("utf-8")
        if len(b) > 0xFFFF:
            raise RuleError(f"phrase {text[:40]!r}...: longer than 65535 bytes")
        flags = ((PAT_WORD if pid in bounded else 0) | (PAT_EXACT if len(b) != len(text) else 0) |
                 (PAT_PREFIX if pid in prefixes else 0))
        if flags & PAT_EXACT and ord(text[-1]) >= 0x80:
            flags |= PAT_TAIL
        if flags & PAT_EXACT:
            exact.append((pid, text))
        pat_flags.append(flags)
    w(f"#define SC_NEXACT {len(exact)}")
    w("/* the bytes of each PAT_EXACT pattern (case-folded as fold_char() in gen_rules.py), else NULL */")
    w("static const char *const pattern_exact[SC_NEXACT > 0 ? SC_NPATTERNS : 1] = {"
      + (", ".join(c_string(t) if len(t.encode("utf-8")) != len(t) else "NULL" for _, _, t in patterns)
         if exact else "NULL") + "};")
    frag_index = {}
    for ri, ids in pairs:
        for k in ids:
            frag_index[k] = len(frag_index)
    w(f"#define SC_NFRAGS {max(1, len(frag_index))}")
    w("struct pair { unsigned short rule; unsigned char n; unsigned short frag[4]; };")
    w("static const struct pair pairs[SC_NPAIRS > 0 ? SC_NPAIRS : 1] = {")
    for ri, ids in pairs:
        if len(ids) > 4:
            raise RuleError("a pair has at most 4 fragments")
        fr = [frag_index[k] for k in ids] + [0] * (4 - len(ids))
        w(f"    {{{ri}, {len(ids)}, {{{', '.join(map(str, fr))}}}}},")
    if not pairs:
        w("    {0, 0, {0, 0, 0, 0}},")
    w("};")
    # each fragment belongs to one pair, and the pairs number their fragments in order: the first
    # fragments seen, in ascending order, are the pairs to check, in table order
    nf = max(1, len(frag_index))
    first_mask = [0] * ((nf + 63) // 64)
    frag_pair = [0] * nf
    for pi, (ri, ids) in enumerate(pairs):
        for k in ids:
            frag_pair[frag_index[k]] = pi
        f0 = frag_index[ids[0]]
        first_mask[f0 // 64] |= 1 << (f0 % 64)
    w("/* the fragments that start a pair (bit f), and the pair each fragment belongs to */")
    w("static const unsigned long long pair_first_mask[(SC_NFRAGS + 63) / 64] = {"
      + ", ".join(f"0x{m:x}ull" for m in first_mask) + "};")
    w("static const unsigned short frag_pair[SC_NFRAGS] = {" + ", ".join(map(str, frag_pair)) + "};")
    w("/* meanings: a rule that holds when every concept of its mask appeared (pattern kind 7, arg")
    w("   the concept's bit); the rule's phrase names the concepts */")
    w(f"#define SC_NCONCEPTS {len(concept_names)}")
    for name, i in concept_names:
        w(f"#define SC_CONCEPT_{name.upper()} (1ull << {i})")
    w(f"#define SC_NCOMBOS {len(combos)}")
    w("struct combo { unsigned short rule; unsigned long long need; };")
    w("static const struct combo combos[SC_NCOMBOS > 0 ? SC_NCOMBOS : 1] = {")
    for ri, need in combos:
        w(f"    {{{ri}, 0x{need:x}ull}},")
    if not combos:
        w("    {0, 0},")
    w("};")
    w("/* the text of each context phrase (the evidence quotes the one that decided), else NULL */")
    w("static const char *const context_text[SC_NPATTERNS] = {"
      + ", ".join(c_string(t) if k == 4 else "NULL" for k, _, t in patterns) + "};")
    # Outputs: each state's patterns as self-contained records in one array, so that a state
    # with outputs costs one lookup for where its records are and one read of them (no trip
    # through a pattern table and the rule table for the priority).
    # A state that ends many PAT_TAIL patterns (the shape of two CJK characters, or of four
    # Cyrillic letters, ends every such word, and every longer phrase of that script inherits
    # them) keeps one header record (kind 8) instead: its group of PAT_TAIL records, sorted by
    # their last two bytes (stably: patterns of the same tail keep their order, and only those
    # can match at one byte), is stored once in tail_out[] (arg: where, len: how many) for every
    # state that ends the same group, and the classifier finds the equal ones by binary search.
    # No ASCII pattern ends at such a state, so moving the group last changes no order that counts.
    def tail_of(pid):
        tb = patterns[pid][2].encode("utf-8")
        return tb[-2] << 8 | tb[-1]
    flat = []
    starts = []
    TAIL_GROUP = 4
    groups = {}
    tail_flat = []
    for k, lst in enumerate(out):
        tails = [x for x in lst if pat_flags[x] & PAT_TAIL]
        if len(tails) >= TAIL_GROUP:
            key = tuple(sorted(tails, key=tail_of))
            if key not in groups:
                if len(key) > 255:
                    raise RuleError("a group of more than 255 PAT_TAIL patterns")
                groups[key] = len(tail_flat)
                tail_flat.extend(key)
            lst = [x for x in lst if not pat_flags[x] & PAT_TAIL] + [("group", groups[key], len(key))]
            out[k] = lst
        if len(lst) > 255:
            raise RuleError("a state ends more than 255 patterns")
        starts.append(len(flat))
        flat.extend(lst)
    if len(tail_flat) > 0xFFFF:
        raise RuleError("more than 65535 grouped PAT_TAIL records")
    if len(flat) >= 1 << 24:
        raise RuleError("more than 2^24 outputs")
    w("/* one pattern a state ends: its kind and bound (above), for a rule phrase the rule's priority,")
    w("   arg (rule, vendor, pair fragment or context index), its length in bytes and")
    w("   its pattern id (pattern_exact[], context_text[]); bound has PAT_RULE_WORDS for a rule of kind")
    w("   \"words\". Kind 8, a header: tail_out[arg .. arg + len) holds the state's PAT_TAIL records */")
    w("struct out_rec { unsigned char kind, bound, prio, len; unsigned short arg, pid; };")
    w(f"static const struct out_rec state_out[{max(1, len(flat))}] = {{")
    def record(pid):
        kind, arg, text = patterns[pid]
        prio = 0
        flags = pat_flags[pid]
        if kind == 1:
            prio = rule_list[arg][1]
            flags |= PAT_RULE_WORDS if rule_list[arg][5] else 0
        if kind == 3:
            arg = frag_index.get(pid, 0xFFFF)
        tb = text.encode("utf-8")
        if len(tb) > 255:
            raise RuleError(f"pattern {text[:40]!r}...: longer than 255 bytes")
        return f"    {{{kind}, {flags}, {prio}, {len(tb)}, {arg}, {pid}}},"
    for pid in flat:
        if isinstance(pid, tuple):   # a header: where its group starts in tail_out[], and how many
            _, start, count = pid
            w(f"    {{8, 0, 0, {count}, {start}, 0}},")
            continue
        w(record(pid))
    if not flat:
        w("    {0, 0, 0, 0, 0, 0},")
    w("};")
    w("/* the groups of PAT_TAIL records that header records (kind 8) point to, each sorted by tail */")
    w(f"#define SC_NTAIL_OUT {len(tail_flat)}")
    w(f"static const struct out_rec tail_out[{max(1, len(tail_flat))}] = {{")
    for pid in tail_flat:
        w(record(pid))
    if not tail_flat:
        w("    {0, 0, 0, 0, 0, 0},")
    w("};")
    w("/* the last two bytes (case-folded) of each PAT_TAIL pattern, else 0 */")
    w(f"static const unsigned short pattern_tail[SC_NPATTERNS] = {{"
      + ", ".join(str(tail_of(pid) if pat_flags[pid] & PAT_TAIL else 0) for pid in range(len(patterns))) + "};")
    # only the states with outputs (SC_FIRST_OUT to SC_END_OUT - 1) need an entry: a table of
    # a fifth of the states, read at each output, stays in a nearer cache
    w("/* per state with outputs (index: state - SC_FIRST_OUT): its first record << 8 | how many */")
    w(f"static const unsigned int state_out_at[{max(1, end_out - first_out)}] = {{"
      + ", ".join(str(starts[q] << 8 | len(out[q])) for q in range(first_out, end_out)) + "};")
    assert all(not out[q] for q in range(len(out)) if not first_out <= q < end_out)
    w("/* States 0 to SC_NDENSE - 1 keep a full row of next states. States SC_FIRST_OUT to")
    w("   SC_END_OUT - 1 (dense ones, then sparse ones) are those with outputs */")
    w(f"#define SC_NDENSE {ndense}")
    w(f"#define SC_FIRST_OUT {first_out}u")
    w(f"#define SC_END_OUT {end_out}u")
    w("static const unsigned short automaton[SC_NDENSE][SC_NCLASSES] = {")
    for trans in table[:ndense]:
        w("    {" + ",".join(map(str, trans)) + "},")
    w("};")
    w("/* States from SC_NDENSE on are sparse: up to SC_SPARSE_MAX children (their classes, unused")
    w("   ones SC_NCLASSES, and next states), and the state to fall back to */")
    w(f"#define SC_SPARSE_MAX {SPARSE_MAX}")
    w("struct sparse_state { unsigned short next[SC_SPARSE_MAX], fail; unsigned char cls[SC_SPARSE_MAX]; };")
    w(f"static const struct sparse_state sparse_states[{max(1, len(chain))}] = {{")
    for kids, f in chain:
        nx = [t for _, t in kids] + [0] * (SPARSE_MAX - len(kids))
        cc = [c for c, _ in kids] + [nclass] * (SPARSE_MAX - len(kids))
        w("    {{" + ",".join(map(str, nx)) + f"}}, {f}, {{" + ",".join(map(str, cc)) + "}},")
    if not chain:
        w("    {{0}, 0, {0}},")
    w("};")
    # status and reply tables, sorted for binary search
    w("struct status_reason { unsigned short cls, subject, detail; unsigned char reason; };")
    items = sorted((tuple(int(x) for x in k.split(".")), v) for k, v in status.items())
    w(f"#define SC_NSTATUS {len(items)}")
    w("static const struct status_reason status_reasons[SC_NSTATUS > 0 ? SC_NSTATUS : 1] = {")
    for (a, b, c), v in items:
        w(f"    {{{a}, {b}, {c}, {REASON_ORDER.index(v)}}},")
    if not items:
        w("    {0, 0, 0, 0},")
    w("};")
    w(f"#define SC_NREPLY {len(reply)}")
    w("struct reply_reason { unsigned short code; unsigned char reason; };")
    w("static const struct reply_reason reply_reasons[SC_NREPLY > 0 ? SC_NREPLY : 1] = {")
    for code in sorted(reply):
        w(f"    {{{code}, {REASON_ORDER.index(reply[code])}}},")
    if not reply:
        w("    {0, 0},")
    w("};")
    return o
