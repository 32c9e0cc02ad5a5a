"""Compile the provider tags (csrc/data/providers/*.toml) into csrc/tags_data.inc,
included by csrc/tags.c only. Used by gen_data.py (EXTRA_GENERATORS).

Standard library only; the output is deterministic (files in name order, tags
in file order). Each file holds one [provider] table (id, name, hosts,
wordings, references, optional kind = "dnsbl" or "mailbox") and its [[tag]]
tables (tag, match, reason, codes, references, title/description/when/fix in
en and es; DNSBL tags also zone and return_code). Bad data raises ValueError
naming the file and the tag.

Matching: every match string, wording and host name, folded to ASCII
lowercase, goes into one Aho-Corasick automaton built here. The C side walks
it once over a reply: a dense row for the root, sorted edge lists for the
other states (most have one edge), failure links, and per state the longest
tag match, the longest wording and the longest host name that end there.
"""
import glob
import os
import re
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.dirname(HERE)
PROVIDERS = os.path.join(HERE, "providers")
REASONS = os.path.join(HERE, "reasons.toml")
OUTPUT = os.path.join(CSRC, "tags_data.inc")

LANGS = ("en", "es")
FIELDS = ("title", "description", "when", "fix")
PROVIDER_KEYS = {"id", "name", "hosts", "wordings", "references"}
PROVIDER_OPTIONAL = {"kind"}
KINDS = ("mailbox", "dnsbl")
TAG_KEYS = {"tag", "match", "reason", "codes", "references"} | set(FIELDS)
DNSBL_KEYS = {"zone", "return_code"}
ID_RE = re.compile(r"^[a-z0-9_]+$")
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
BASIC_RE = re.compile(r"^[2-5][0-9][0-9]$")
ENH_RE = re.compile(r"^[245]\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$")
IPV4_RE = re.compile(r"^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$")
MAX_U16 = 0xFFFF


def fail(where, msg):
    raise ValueError(f"{where}: {msg}")


def text_ok(s):
    return isinstance(s, str) and s.strip() == s and s != "" and not any(c in s for c in "\t\r\n\0")


def str_list(where, table, key, allow_empty=False):
    v = table.get(key)
    if not isinstance(v, list) or (not v and not allow_empty):
        fail(where, f"'{key}' must be a {'' if allow_empty else 'non-empty '}list of strings")
    for s in v:
        if not text_ok(s):
            fail(where, f"'{key}' holds {s!r}: each must be a non-empty string without surrounding"
                        " white space, tabs or line breaks")
    if len({s.lower() for s in v}) != len(v):
        fail(where, f"'{key}' lists the same string twice")
    return v


def bilingual(where, table, key):
    v = table.get(key)
    if not isinstance(v, dict) or set(v) != set(LANGS):
        fail(where, f"'{key}' needs exactly {' and '.join(LANGS)}")
    for lang in LANGS:
        if not text_ok(v[lang]):
            fail(where, f"'{key}.{lang}' must be a non-empty string without tabs or line breaks")
    return [v[lang] for lang in LANGS]


def reason_names():
    with open(REASONS, "rb") as f:
        reasons = tomllib.load(f)
    names = [r.get("name") for r in reasons.get("reason", [])]
    try:
        from gen_rules import REASON_ORDER   # the order of the reason indices in classify_data.inc
    except ImportError:
        REASON_ORDER = tuple(names)
    return set(names), list(REASON_ORDER)


def bare(tag):
    """The lookup key of a tag: ASCII lowercase, without surrounding brackets."""
    t = tag.strip()
    if len(t) >= 2 and t[0] == "[" and t[-1] == "]":
        t = t[1:-1].strip()
    return fold_bytes(t).decode("utf-8")


def load(files=None):
    known_reasons, order = reason_names()
    files = sorted(glob.glob(os.path.join(PROVIDERS, "*.toml"))) if files is None else files
    if not files:
        fail(PROVIDERS, "no provider files")
    providers, tags = [], []
    ids, names, matches, wordings = {}, {}, {}, {}
    for path in files:
        fname = os.path.relpath(path, HERE)
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            fail(fname, f"not valid TOML: {e}")
        if set(doc) - {"provider", "tag"}:
            fail(fname, f"unknown top-level keys {sorted(set(doc) - {'provider', 'tag'})}")
        p = doc.get("provider")
        where = f"{fname} [provider]"
        if not isinstance(p, dict):
            fail(where, "missing")
        if PROVIDER_KEYS - set(p):
            fail(where, f"missing {sorted(PROVIDER_KEYS - set(p))}")
        if set(p) - PROVIDER_KEYS - PROVIDER_OPTIONAL:
            fail(where, f"unknown keys {sorted(set(p) - PROVIDER_KEYS - PROVIDER_OPTIONAL)}")
        pid, pname = p["id"], p["name"]
        if not isinstance(pid, str) or not ID_RE.match(pid):
            fail(where, f"id {pid!r} must be lowercase letters, digits and _")
        if not text_ok(pname):
            fail(where, "name must be a non-empty string")
        if pid in ids:
            fail(where, f"id {pid!r} already used by {ids[pid]}")
        if pname.lower() in names:
            fail(where, f"name {pname!r} already used by {names[pname.lower()]}")
        ids[pid] = fname
        names[pname.lower()] = fname
        kind = p.get("kind")
        if kind is not None and kind not in KINDS:
            fail(where, f"kind {kind!r} must be one of {KINDS}")
        hosts = str_list(where, p, "hosts")
        for h in hosts:
            if not HOST_RE.match(h):
                fail(where, f"host {h!r} is not a lowercase host name")
        words = str_list(where, p, "wordings")
        for w in words:
            if w.lower() in wordings:
                fail(where, f"wording {w!r} already claimed by {wordings[w.lower()]}: "
                            "find_provider could not tell the two apart")
            wordings[w.lower()] = fname
        prov = {"id": pid, "name": pname, "kind": kind, "hosts": hosts, "wordings": words,
                "refs": str_list(where, p, "references"), "index": len(providers)}
        providers.append(prov)
        raw_tags = doc.get("tag")
        if not isinstance(raw_tags, list) or not raw_tags:
            fail(fname, "no [[tag]] tables")
        seen = {}
        for n, t in enumerate(raw_tags, 1):
            label = t.get("tag") if isinstance(t, dict) else None
            where = f"{fname} tag {label!r}" if isinstance(label, str) else f"{fname} [[tag]] #{n}"
            if not isinstance(t, dict):
                fail(where, "not a table")
            need = TAG_KEYS | (DNSBL_KEYS if kind == "dnsbl" else set())
            if need - set(t):
                fail(where, f"missing {sorted(need - set(t))}")
            if set(t) - need:
                fail(where, f"unknown keys {sorted(set(t) - need)}"
                            + (" (zone and return_code are for kind = \"dnsbl\")" if set(t) & DNSBL_KEYS else ""))
            if not text_ok(label) or "[" in label or "]" in label:
                fail(where, "tag must be a non-empty string without brackets")
            key = bare(label)
            if key in seen:
                fail(where, f"tag repeated in this file (first as {seen[key]!r})")
            seen[key] = label
            reason = t["reason"]
            if reason not in known_reasons or reason not in order:
                fail(where, f"reason {reason!r} is not a reason of reasons.toml")
            codes = str_list(where, t, "codes", allow_empty=True)
            for c in codes:
                if not (BASIC_RE.match(c) or ENH_RE.match(c)):
                    fail(where, f"code {c!r} is neither a reply code (421) nor an enhanced code (4.7.0)")
            ms = str_list(where, t, "match")
            for m in ms:
                k = m.lower()
                if k in matches:
                    fail(where, f"match string {m!r} already used by {matches[k]}")
                matches[k] = where
            zone = ret = None
            if kind == "dnsbl":
                zone, ret = t["zone"], t["return_code"]
                if not isinstance(zone, str) or not HOST_RE.match(zone):
                    fail(where, f"zone {zone!r} is not a host name")
                if not isinstance(ret, str) or not IPV4_RE.match(ret):
                    fail(where, f"return_code {ret!r} is not a 127.x.x.x address")
            tags.append({"tag": label, "key": key, "provider": prov["index"], "reason": reason,
                         "reason_index": order.index(reason), "codes": codes,
                         "refs": str_list(where, t, "references"), "match": ms,
                         "texts": [bilingual(where, t, f) for f in FIELDS], "zone": zone, "ret": ret,
                         "where": where})
    for key in {t["key"] for t in tags}:
        same = [t for t in tags if t["key"] == key]
        # The same tag under two providers is allowed (lookup_tag's provider argument tells them
        # apart) but not twice under one provider; checked per file above.
        assert len({t["provider"] for t in same}) == len(same)
    if len(providers) > 255 or len(tags) > MAX_U16:
        fail(PROVIDERS, "too many providers or tags for the tables' index types")
    return providers, tags


def fold_bytes(s):
    """ASCII lowercase of the UTF-8 bytes (other bytes kept), as sc_lower() in C."""
    return s.encode("utf-8").lower()


def build_automaton(patterns):
    """patterns: list of byte strings (unique). Returns states, each a dict with
    edges {byte: state}, fail, and the pattern indices ending there (own)."""
    edges = [dict()]
    own = [None]
    for i, p in enumerate(patterns):
        s = 0
        for b in p:
            if b not in edges[s]:
                edges.append(dict())
                own.append(None)
                edges[s][b] = len(edges) - 1
            s = edges[s][b]
        assert own[s] is None, "patterns must be unique"
        own[s] = i
    n = len(edges)
    fail_ = [0] * n
    order = []
    queue = list(edges[0].values())
    while queue:
        nxt = []
        for s in queue:
            order.append(s)
            for b, t in sorted(edges[s].items()):
                f = fail_[s]
                while f and b not in edges[f]:
                    f = fail_[f]
                fail_[t] = edges[f][b] if s and b in edges[f] else 0
                nxt.append(t)
        queue = nxt
    return edges, fail_, own, order


def generate(c_string, files=None):
    providers, tags = load(files)
    # Patterns: each distinct folded string with what it stands for.
    pats, roles = [], []
    index = {}

    def add(s, role):
        k = fold_bytes(s)
        if k not in index:
            index[k] = len(pats)
            pats.append(k)
            roles.append([])
        roles[index[k]].append(role)

    match_rows = []    # (tag index, length)
    for ti, t in enumerate(tags):
        for m in t["match"]:
            add(m, ("match", len(match_rows)))
            match_rows.append((ti, len(fold_bytes(m))))
    word_rows = []     # (provider, length)
    host_rows = []     # (provider, length)
    for p in providers:
        for w in p["wordings"]:
            add(w, ("word", len(word_rows)))
            word_rows.append((p["index"], len(fold_bytes(w))))
        for h in p["hosts"]:
            add(h, ("host", len(host_rows)))
            host_rows.append((p["index"], len(fold_bytes(h))))
    edges, fail_, own, order = build_automaton(pats)
    n = len(edges)
    nedges = sum(len(e) for e in edges) - len(edges[0])
    if n > MAX_U16 or nedges > MAX_U16:
        fail(PROVIDERS, f"automaton too large ({n} states, {nedges} edges): at most {MAX_U16}")
    # Outputs per state: the longest of each role ending there (its own pattern, else the fail
    # state's: a fail state is a proper suffix, so it is shorter). Hosts also chain to the next
    # shorter host ending at the same place (a host must start at a label boundary, and the
    # longest one may not).
    out = {r: [-1] * n for r in ("match", "word", "host")}
    host_next = [-1] * len(host_rows)
    for s in [0] + order:
        for r in out:
            out[r][s] = out[r][fail_[s]] if s else -1
        if own[s] is not None:
            for role, row in roles[own[s]]:
                if role == "host":
                    host_next[row] = out["host"][fail_[s]]
                out[role][s] = row

    lines = []
    w = lines.append
    w("/* Generated by csrc/data/gen_tags.py from the files of csrc/data/providers: do not edit.")
    w(f" * {len(providers)} providers, {len(tags)} tags, {len(match_rows)} match strings,")
    w(f" * automaton of {n} states and {nedges} edges. Included by csrc/tags.c only. */")
    w("")
    w(f"#define SC_NPROVIDERS {len(providers)}")
    w(f"#define SC_NTAGS {len(tags)}")
    w(f"#define SC_NMATCH {len(match_rows)}")
    w(f"#define SC_NWORDS {len(word_rows)}")
    w(f"#define SC_NHOSTS {len(host_rows)}")
    w(f"#define SC_AC_NSTATES {n}")
    w(f"#define SC_AC_NEDGES {max(nedges, 1)}")
    w("")

    def str_array(name, items):
        if not items:
            return "NULL"
        w(f"static const char *const {name}[] = {{" + ", ".join(c_string(x) for x in items) + "};")
        return name

    prov_rows = []
    for p in providers:
        i = p["index"]
        h = str_array(f"prov_hosts_{i}", p["hosts"])
        wd = str_array(f"prov_words_{i}", p["wordings"])
        rf = str_array(f"prov_refs_{i}", p["refs"])
        kind = c_string(p["kind"]) if p["kind"] else "NULL"
        prov_rows.append(f"    {{{c_string(p['name'])}, {c_string(p['id'])}, {kind}, {h}, {wd}, {rf}, "
                         f"{len(p['hosts'])}, {len(p['wordings'])}, {len(p['refs'])}}},")
    w("")
    w("static const smtpcodes_provider sc_providers[SC_NPROVIDERS] = {")
    lines.extend(prov_rows)
    w("};")
    w("")
    tag_rows = []
    for i, t in enumerate(tags):
        cd = str_array(f"tag_codes_{i}", t["codes"])
        rf = str_array(f"tag_refs_{i}", t["refs"])
        ms = str_array(f"tag_match_{i}", t["match"])
        texts = ", ".join("{" + ", ".join(c_string(x) for x in f) + "}" for f in t["texts"])
        p = providers[t["provider"]]
        zone = c_string(t["zone"]) if t["zone"] else "NULL"
        ret = c_string(t["ret"]) if t["ret"] else "NULL"
        tag_rows.append(f"    {{{c_string(t['tag'])}, {c_string(p['name'])}, &sc_providers[{p['index']}], "
                        f"{p['index']}, {t['reason_index']} /* {t['reason']} */,\n      {{{texts}}},\n"
                        f"      {cd}, {rf}, {ms}, {zone}, {ret}, {len(t['codes'])}, {len(t['refs'])}, "
                        f"{len(t['match'])}}},")
    w("")
    w("static const smtpcodes_tag sc_tags[SC_NTAGS] = {")
    lines.extend(tag_rows)
    w("};")
    w("")
    # Lookup index: tags sorted by their key (lowercase, no brackets), then table order.
    srt = sorted(range(len(tags)), key=lambda i: (tags[i]["key"].encode("utf-8"), i))
    w("/* Tags in order of their lookup key (lowercase, without brackets), for a binary search. */")
    w("static const char *const sc_tag_keys[SC_NTAGS] = {")
    for i in srt:
        w(f"    {c_string(tags[i]['key'])},")
    w("};")
    w("static const unsigned short sc_tag_sorted[SC_NTAGS] = {")
    w("    " + ", ".join(str(i) for i in srt))
    w("};")
    w("")
    w("/* Match strings, wordings and hosts: (owner, folded length). */")
    w("static const unsigned short sc_match_tag[SC_NMATCH] = {" + ", ".join(str(r[0]) for r in match_rows) + "};")
    w("static const unsigned short sc_match_len[SC_NMATCH] = {" + ", ".join(str(r[1]) for r in match_rows) + "};")
    w("static const unsigned char sc_word_prov[SC_NWORDS] = {" + ", ".join(str(r[0]) for r in word_rows) + "};")
    w("static const unsigned short sc_word_len[SC_NWORDS] = {" + ", ".join(str(r[1]) for r in word_rows) + "};")
    w("static const unsigned char sc_host_prov[SC_NHOSTS] = {" + ", ".join(str(r[0]) for r in host_rows) + "};")
    w("static const unsigned short sc_host_len[SC_NHOSTS] = {" + ", ".join(str(r[1]) for r in host_rows) + "};")
    w("/* the next shorter host ending where this one ends, or -1 */")
    w("static const short sc_host_next[SC_NHOSTS] = {" + ", ".join(str(x) for x in host_next) + "};")
    w("")
    # Automaton: root dense, other states sorted edges.
    w("/* The automaton over ASCII-lowercased bytes: the root's transitions for every byte,")
    w(" * then for every state its edges [sc_ac_first[s], sc_ac_first[s + 1]) sorted by byte,")
    w(" * its failure link and the longest match, wording and host ending there (-1: none). */")
    root = [edges[0].get(b, 0) for b in range(256)]
    w("static const unsigned short sc_ac_root[256] = {")
    for k in range(0, 256, 16):
        w("    " + ", ".join(str(x) for x in root[k:k + 16]) + ",")
    w("};")
    first, ebytes, eto = [], [], []
    for s in range(n):
        first.append(len(ebytes))
        if s == 0:
            continue
        for b, t in sorted(edges[s].items()):
            ebytes.append(b)
            eto.append(t)
    first.append(len(ebytes))
    if not ebytes:
        ebytes, eto = [0], [0]

    def num_array(ctype, name, vals, per=20):
        w(f"static const {ctype} {name}[] = {{")
        for k in range(0, len(vals), per):
            w("    " + ", ".join(str(x) for x in vals[k:k + per]) + ",")
        w("};")

    num_array("unsigned short", "sc_ac_first", first)
    num_array("unsigned char", "sc_ac_byte", ebytes)
    num_array("unsigned short", "sc_ac_to", eto)
    num_array("unsigned short", "sc_ac_fail", fail_)
    num_array("short", "sc_ac_match", out["match"])
    num_array("short", "sc_ac_word", out["word"])
    num_array("short", "sc_ac_host", out["host"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys
    sys.path.insert(0, HERE)
    from gen_data import c_string as _c_string
    text = generate(_c_string)
    print(text[:600])
