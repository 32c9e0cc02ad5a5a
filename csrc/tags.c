/* tags.c - provider tags: the providers' own codes inside replies.
 *
 * Owns the provider and tag tables generated from the files of csrc/data/providers
 * (tags_data.inc, included here only): iteration (smtpcodes_tag_count/at,
 * smtpcodes_provider_count/at/name/index), lookup by name
 * (smtpcodes_lookup_tag: case-insensitive, brackets optional, a binary search
 * over the generated sorted keys), finding the tag and the provider a reply
 * names (smtpcodes_find_tag, smtpcodes_find_provider: one pass of the
 * generated Aho-Corasick automaton over the ASCII-lowercased bytes) and a
 * tag's card in text, Markdown and HTML (smtpcodes_render_tag, through the
 * shared writers of render.c). No allocation, no mutable state. */
#include "internal.h"

#include <string.h>

#include "tags_data.inc"

size_t smtpcodes_tag_count(void) { return SC_NTAGS; }

const smtpcodes_tag *smtpcodes_tag_at(size_t i) { return i < SC_NTAGS ? &sc_tags[i] : NULL; }

size_t smtpcodes_provider_count(void) { return SC_NPROVIDERS; }

const smtpcodes_provider *smtpcodes_provider_at(size_t i) { return i < SC_NPROVIDERS ? &sc_providers[i] : NULL; }

const char *smtpcodes_provider_name(size_t i) { return i < SC_NPROVIDERS ? sc_providers[i].name : NULL; }

/* ------------------------------------------------------------------------ */
/* Lookup by name                                                             */

/* s[0..n) equals the NUL-terminated z, ASCII case-insensitively. */
static int eq_fold(const char *s, size_t n, const char *z) {
    size_t i = 0;
    for (; i < n; i++)
        if (!z[i] || sc_lower((unsigned char)s[i]) != sc_lower((unsigned char)z[i])) return 0;
    return z[i] == '\0';
}

/* Trim white space, then (for tags) one pair of surrounding brackets and the space inside. */
static void trim(const char **s, size_t *n, int brackets) {
    const char *p = *s;
    size_t len = *n;
    while (len && sc_is_space((unsigned char)p[0])) { p++; len--; }
    while (len && sc_is_space((unsigned char)p[len - 1])) len--;
    if (brackets && len >= 2 && p[0] == '[' && p[len - 1] == ']') {
        p++;
        len -= 2;
        while (len && sc_is_space((unsigned char)p[0])) { p++; len--; }
        while (len && sc_is_space((unsigned char)p[len - 1])) len--;
    }
    *s = p;
    *n = len;
}

int smtpcodes_provider_index(const char *name, size_t len) {
    if (!name) return SMTPCODES_ERR_ARG;
    trim(&name, &len, 0);
    if (!len) return SMTPCODES_ERR_EMPTY;
    for (size_t i = 0; i < SC_NPROVIDERS; i++)
        if (eq_fold(name, len, sc_providers[i].id) || eq_fold(name, len, sc_providers[i].name)) return (int)i;
    return SMTPCODES_ERR_ARG;
}

/* <0, 0, >0 as the folded q[0..n) sorts before, equal to or after the key
 * (keys are folded already; bytes compare unsigned, as the generator sorted). */
static int key_cmp(const char *q, size_t n, const char *key) {
    for (size_t i = 0; i < n; i++) {
        int a = sc_lower((unsigned char)q[i]), b = (unsigned char)key[i];
        if (!b) return 1;
        if (a != b) return a - b;
    }
    return key[n] ? -1 : 0;
}

int smtpcodes_lookup_tag(const char *tag, size_t len, const char *provider, size_t plen,
                         const smtpcodes_tag **out) {
    if (!out) return SMTPCODES_ERR_ARG;
    *out = NULL;
    if (!tag) return SMTPCODES_ERR_ARG;
    int want = -1;
    if (provider) {
        want = smtpcodes_provider_index(provider, plen);
        if (want == SMTPCODES_ERR_EMPTY) return SMTPCODES_ERR_EMPTY;
        if (want < 0) return 0;   /* no such provider: no such tag */
    }
    trim(&tag, &len, 1);
    if (!len) return SMTPCODES_ERR_EMPTY;
    size_t lo = 0, hi = SC_NTAGS;   /* first key >= the query */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(tag, len, sc_tag_keys[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < SC_NTAGS && key_cmp(tag, len, sc_tag_keys[lo]) == 0; lo++) {
        const smtpcodes_tag *t = &sc_tags[sc_tag_sorted[lo]];
        if (want < 0 || t->provider_index == (unsigned)want) {
            *out = t;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Matching: one pass of the automaton                                        */

static unsigned ac_step(unsigned st, unsigned c) {
    for (;;) {
        if (st == 0) return sc_ac_root[c];
        for (unsigned a = sc_ac_first[st], e = sc_ac_first[st + 1]; a < e; a++) {
            if (sc_ac_byte[a] == c) return sc_ac_to[a];
            if (sc_ac_byte[a] > c) break;
        }
        st = sc_ac_fail[st];
    }
}

static int host_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sc_is_digit(c) || c == '-' || c == '_';
}

/* A host name of n bytes ending at end is a whole host name or its suffix
 * after a dot: not preceded by a letter, digit or '-', not followed by one or
 * by a dot and one. */
static int host_at(const unsigned char *s, size_t len, size_t end, size_t n) {
    size_t start = end - n;
    if (start && s[start - 1] != '.' && host_byte(s[start - 1])) return 0;
    if (end < len && host_byte(s[end])) return 0;
    if (end + 1 < len && s[end] == '.' && host_byte(s[end + 1])) return 0;
    return 1;
}

typedef struct scan_result {
    int match;          /* best match string (index into sc_match_*), -1 */
    size_t match_end;
    int word;           /* longest wording, -1 */
    int host;           /* longest host name at a boundary, -1 */
} scan_result;

static void scan(const char *text, size_t len, int providers_too, scan_result *r) {
    const unsigned char *s = (const unsigned char *)text;
    unsigned st = 0;
    r->match = r->word = r->host = -1;
    r->match_end = 0;
    for (size_t i = 0; i < len; i++) {
        st = ac_step(st, (unsigned)sc_lower(s[i]));
        int m = sc_ac_match[st];
        if (m >= 0) {
            int b = r->match;
            if (b < 0 || sc_match_len[m] > sc_match_len[b] ||
                (sc_match_len[m] == sc_match_len[b] && sc_match_tag[m] < sc_match_tag[b])) {
                r->match = m;
                r->match_end = i + 1;
            }
        }
        if (!providers_too) continue;
        int w = sc_ac_word[st];
        if (w >= 0 && (r->word < 0 || sc_word_len[w] > sc_word_len[r->word])) r->word = w;
        for (int h = sc_ac_host[st]; h >= 0; h = sc_host_next[h]) {
            if (r->host >= 0 && sc_host_len[h] <= sc_host_len[r->host]) break;
            if (host_at(s, len, i + 1, sc_host_len[h])) {
                r->host = h;
                break;
            }
        }
    }
}

int smtpcodes_find_tag(const char *text, size_t len, const smtpcodes_tag **out, size_t *match_end) {
    if (!out) return SMTPCODES_ERR_ARG;
    *out = NULL;
    if (match_end) *match_end = 0;
    if (!text && len) return SMTPCODES_ERR_ARG;
    scan_result r;
    scan(text, text ? len : 0, 0, &r);
    if (r.match < 0) return 0;
    *out = &sc_tags[sc_match_tag[r.match]];
    if (match_end) *match_end = r.match_end;
    return 1;
}

const smtpcodes_provider *smtpcodes_find_provider(const char *text, size_t len) {
    if (!text) return NULL;
    scan_result r;
    scan(text, len, 1, &r);
    if (r.match >= 0) return sc_tags[sc_match_tag[r.match]].prov;
    if (r.word >= 0) return &sc_providers[sc_word_prov[r.word]];
    if (r.host >= 0) return &sc_providers[sc_host_prov[r.host]];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* A tag's card                                                               */

static void put_code_span(sc_buf *b, smtpcodes_format fmt, const char *s) {
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<code style=\"" ST_CODE "\">");
    if (fmt == SMTPCODES_MARKDOWN) {
        for (const char *p = s; *p; p++) sc_sb_putc(b, *p == '`' ? '\'' : *p);
    } else {
        sc_sb_puts(b, s);
    }
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</code>");
}

static int tag_ok(const smtpcodes_tag *t) {
    return t && t >= sc_tags && t < sc_tags + SC_NTAGS;
}

/* A tag's explanation with its heading at `level` (the body of its card; the
 * explanation of a reply that carries the tag shows it first). */
void sc_put_tag(sc_buf *bp, const smtpcodes_tag *t, smtpcodes_lang lang, smtpcodes_format fmt, int level) {
#define b (*bp)
    sc_heading_open(&b, fmt, level);
    sc_put_md(&b, fmt, t->tag);
    sc_sb_puts(&b, fmt == SMTPCODES_TEXT ? " - " : " \xE2\x80\x94 ");
    sc_put_md(&b, fmt, t->text[SMTPCODES_TITLE][lang]);
    sc_sb_puts(&b, " (");
    sc_put_md(&b, fmt, t->provider);
    sc_sb_puts(&b, ")");
    sc_heading_close(&b, fmt, level);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(&b, '\n');

    sc_list_open(&b, fmt);
    sc_field_open(&b, fmt, sc_ui[UI_PROVIDER][lang]);
    sc_put_md(&b, fmt, t->provider);
    sc_field_close(&b, fmt);
    sc_field_open(&b, fmt, sc_ui[UI_REASON][lang]);
    put_code_span(&b, fmt, smtpcodes_reason_name(t->reason));
    sc_sb_puts(&b, " (");
    sc_put_md(&b, fmt, smtpcodes_reason_text(t->reason, SMTPCODES_REASON_TITLE, lang));
    sc_sb_puts(&b, ")");
    sc_field_close(&b, fmt);
    sc_field_open(&b, fmt, sc_ui[UI_CODES][lang]);
    if (!t->ncodes) sc_sb_puts(&b, sc_ui[UI_NONE][lang]);
    for (size_t i = 0; i < t->ncodes; i++) {
        if (i) sc_sb_puts(&b, ", ");
        sc_sb_puts(&b, t->codes[i]);
    }
    sc_field_close(&b, fmt);
    sc_field_open(&b, fmt, sc_ui[UI_REFERENCES][lang]);
    for (size_t i = 0; i < t->nrefs; i++) {
        if (i) sc_sb_puts(&b, "; ");
        sc_sb_puts(&b, t->refs[i]);
    }
    sc_field_close(&b, fmt);
    sc_list_close(&b, fmt);
    if (fmt != SMTPCODES_HTML) sc_sb_putc(&b, '\n');

    static const int heads[3] = {UI_DESCRIPTION, UI_WHEN, UI_FIX};
    for (int f = 1; f <= 3; f++) {
        const char *head = sc_ui[heads[f - 1]][lang];
        if (fmt == SMTPCODES_MARKDOWN) {
            sc_sb_puts(&b, "**");
            sc_sb_puts(&b, head);
            sc_sb_puts(&b, "**\n\n");
        } else if (fmt == SMTPCODES_HTML) {
            sc_put_heading(&b, fmt, level + 1, head);
        } else {
            sc_sb_puts(&b, head);
            sc_sb_puts(&b, ":\n");
        }
        sc_paragraph(&b, fmt, t->text[f][lang]);
    }
#undef b
}

int smtpcodes_render_tag(const smtpcodes_tag *t, smtpcodes_lang lang, smtpcodes_format fmt, char *buf, size_t cap) {
    if (!tag_ok(t) || (!buf && cap) || !sc_format_ok(fmt)) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "tag", lang);
    sc_put_tag(&b, t, lang, fmt, 2);
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}
