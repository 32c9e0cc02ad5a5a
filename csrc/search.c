/* search.c - full-text search of the knowledge base.
 *
 * Owns smtpcodes_search(): the query is split into words (white space and
 * commas), each folded to lowercase ASCII without accents, and an entry
 * matches when every query term is its code or occurs in one of its texts
 * (title, description, when, fix) in the languages searched; the generator
 * folded those texts the same way (gen_data.py fold(), byte for byte as fold()
 * here). A term is one word, or a run of up to SC_SYN_MAX_WORDS words that is
 * a synonym of search.toml (search_data.inc, by gen_search.py): a synonym
 * matches when any term of its group occurs ("blacklist" finds the entries
 * that say "block list", "lista negra" those that say "lista de bloqueo"). A
 * word that names a provider tag ("TSS04", "DT:SPM") names the codes that tag
 * comes with, as a code would.
 * Ranking: entries that a word names exactly (smtpcodes_lookup of the word
 * gives the entry: "5.1.1" names X.1.1, "5.7.620" the range 5.7.606-649; or a
 * tag's codes) first, then by how many terms occur in the title, then in the
 * description, then in the other texts; ties keep table order. A query of
 * more than SMTPCODES_SEARCH_MAX_WORDS words, or with a word of more than
 * SMTPCODES_SEARCH_MAX_WORD bytes, is refused (SMTPCODES_ERR_QUERY): no word
 * is ever dropped silently. */
#include "internal.h"

#include <string.h>

#include "search_data.inc"

/* ------------------------------------------------------------------------ */
/* Search                                                                     */

/* Fold n bytes of s: ASCII A-Z lowercased, a UTF-8 sequence C3 80-BF (U+00C0-
 * U+00FF) becomes its base letter, every other byte is kept. out must hold n
 * bytes plus the NUL; returns the folded length. gen_data.py fold() is the
 * same function: keep the two identical. */
static size_t fold(const char *s, size_t n, char *out) {
    static const char latin[64] = "aaaaaaaceeeeiiii" "dnooooo*ouuuuyts" "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0xBF) {
            out[k++] = latin[p[i + 1] - 0x80];
            i++;
        } else {
            out[k++] = (char)sc_lower(c);
        }
    }
    out[k] = '\0';
    return k;
}

static int contains(const char *hay, size_t hn, const char *needle, size_t nn) {
    if (nn == 0 || nn > hn) return 0;
    const char *p = hay, *end = hay + hn - nn + 1;
    while (p < end) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (!p) return 0;
        if (memcmp(p, needle, nn) == 0) return 1;
        p++;
    }
    return 0;
}

/* smtpcodes_strerror(SMTPCODES_ERR_QUERY) in strings.c names both limits */
typedef char sc_check_syn_langs[(SMTPCODES_NLANG == 2) ? 1 : -1];   /* syn_term.langs: 2 bits */
typedef char sc_check_query_limits[(SMTPCODES_SEARCH_MAX_WORDS == 32 && SMTPCODES_SEARCH_MAX_WORD == 64) ? 1 : -1];

static int is_separator(int c) { return sc_is_space(c) || c == ','; }

/* A query term: one folded word, or a synonym group that one or more words named. */
enum { TERM_NAMES = 8 };
typedef struct query_word {
    char text[SMTPCODES_SEARCH_MAX_WORD + 1];   /* folded */
    size_t len;
    int group;                                  /* a synonym group (syn_terms), or -1 */
    const smtpcodes_entry *names[TERM_NAMES];   /* entries the word names as a code or tag */
} query_word;

/* The synonym term that the words w[i..] start with: the longest run of words
 * equal to a term, or one word that begins with a term of SC_SYN_MIN_PREFIX or
 * more bytes. Returns the term's index and sets *span, or -1. */
static int synonym_at(const query_word *w, size_t nw, size_t i, size_t *span) {
    char joined[SC_SYN_MAX_WORDS * (SMTPCODES_SEARCH_MAX_WORD + 1)];
    size_t most = nw - i < SC_SYN_MAX_WORDS ? nw - i : SC_SYN_MAX_WORDS;
    for (size_t s = most; s >= 1; s--) {
        size_t n = 0;
        for (size_t k = 0; k < s; k++) {
            if (k) joined[n++] = ' ';
            memcpy(joined + n, w[i + k].text, w[i + k].len);
            n += w[i + k].len;
        }
        for (int t = 0; t < SC_NSYN_TERMS; t++) {
            const struct syn_term *st = &syn_terms[t];
            if (st->words != s) continue;
            if ((st->len == n || (s == 1 && st->len >= SC_SYN_MIN_PREFIX && st->len < n)) &&
                memcmp(joined, st->text, st->len) == 0) {
                *span = s;
                return t;
            }
        }
    }
    return -1;
}

/* A word names a tag when it looks like one: it holds a digit or a colon, or it
 * is typed in capitals ("TSS04", "DT:SPM", "CXDNS"; not "dial"). */
static int tag_like(const char *s, size_t n) {
    int upper = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || c == ':') return 1;
        lower += c >= 'a' && c <= 'z';
        upper += c >= 'A' && c <= 'Z';
    }
    return upper >= 2 && !lower;
}

/* The entries a word names: as a code (smtpcodes_lookup), else as a provider tag
 * (the codes the tag comes with). */
static void word_names(const char *s, size_t n, query_word *q) {
    size_t k = 0;
    smtpcodes_code c;
    if (smtpcodes_lookup(s, n, &c) == SMTPCODES_OK) {
        q->names[k++] = c.entry;
        q->names[k++] = c.alt;
        return;
    }
    const smtpcodes_tag *t = NULL;
    if (!tag_like(s, n) || smtpcodes_lookup_tag(s, n, NULL, 0, &t) != 1 || !t) return;
    for (unsigned j = 0; j < t->ncodes && k + 2 <= TERM_NAMES; j++)
        if (smtpcodes_lookup(t->codes[j], strlen(t->codes[j]), &c) == SMTPCODES_OK) {
            q->names[k++] = c.entry;
            q->names[k++] = c.alt;
        }
}

/* Does the term occur in the folded text hay, of language lang? A synonym: does
 * any term of its group that is looked for in that language? */
static int term_in(const query_word *q, const char *hay, size_t hn, int lang) {
    if (q->group < 0) return contains(hay, hn, q->text, q->len);
    for (unsigned t = syn_group_start[q->group]; t < syn_group_start[q->group + 1]; t++)
        if ((syn_terms[t].langs >> lang & 1u) && contains(hay, hn, syn_terms[t].text, syn_terms[t].len)) return 1;
    return 0;
}

/* Per word, the best place it occurs in an entry. */
enum { HIT_NONE = 0, HIT_OTHER, HIT_DESCRIPTION, HIT_TITLE, HIT_CODE };

int smtpcodes_search(const char *words, size_t len, int lang, const smtpcodes_entry **out, size_t cap) {
    if ((!words && len) || (!out && cap)) return SMTPCODES_ERR_ARG;
    if (lang >= SMTPCODES_NLANG || lang < -1) return SMTPCODES_ERR_LANG;
    query_word w[SMTPCODES_SEARCH_MAX_WORDS];
    size_t nw = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_separator((unsigned char)words[i])) i++;
        if (i >= len) break;
        size_t start = i;
        while (i < len && !is_separator((unsigned char)words[i])) i++;
        if (nw == SMTPCODES_SEARCH_MAX_WORDS || i - start > SMTPCODES_SEARCH_MAX_WORD) return SMTPCODES_ERR_QUERY;
        query_word *q = &w[nw++];
        q->len = fold(words + start, i - start, q->text);
        q->group = -1;
        memset(q->names, 0, sizeof q->names);
        word_names(words + start, i - start, q);
    }
    if (!nw) return SMTPCODES_ERR_EMPTY;
    /* runs of words that are a synonym become one term (in place: terms <= words) */
    size_t nt = 0;
    for (size_t k = 0; k < nw;) {
        size_t span = 1;
        int t = synonym_at(w, nw, k, &span);
        if (k != nt) w[nt] = w[k];
        if (t >= 0) {
            w[nt].group = syn_terms[t].group;
            if (span > 1) memset(w[nt].names, 0, sizeof w[nt].names);
        }
        nt++;
        k += span;
    }
    nw = nt;
    if (!nw) return SMTPCODES_ERR_EMPTY;
    size_t count = smtpcodes_count();
    /* the score orders (code, title, description, other) hits lexicographically:
     * base SMTPCODES_SEARCH_MAX_WORDS + 1 digits, at most 4 of them */
    enum { BASE = SMTPCODES_SEARCH_MAX_WORDS + 1 };
    static const long weight[5] = {0, 1, BASE, (long)BASE * BASE, (long)BASE * BASE * BASE};
    long score[SC_MAX_ENTRIES];
    size_t order[SC_MAX_ENTRIES];
    size_t found = 0;
    const char *text[SMTPCODES_NFIELD][SMTPCODES_NLANG];
    size_t tn[SMTPCODES_NFIELD][SMTPCODES_NLANG];
    for (size_t e = 0; e < count; e++) {
        const smtpcodes_entry *en = smtpcodes_at(e);
        for (int f = 0; f < SMTPCODES_NFIELD; f++)
            for (int l = 0; l < SMTPCODES_NLANG; l++) {   /* folded by the generator */
                int on = lang < 0 || l == lang;
                text[f][l] = sc_search_text(e, f, l);
                tn[f][l] = on ? strlen(text[f][l]) : 0;
            }
        long total = 0;
        size_t k;
        for (k = 0; k < nw; k++) {
            const query_word *q = &w[k];
            int best = HIT_NONE;
            for (int j = 0; j < TERM_NAMES; j++)
                if (q->names[j] == en) best = HIT_CODE;
            for (int l = 0; l < SMTPCODES_NLANG && best < HIT_TITLE; l++) {
                if (term_in(q, text[SMTPCODES_TITLE][l], tn[SMTPCODES_TITLE][l], l)) best = HIT_TITLE;
                else if (best < HIT_DESCRIPTION &&
                         term_in(q, text[SMTPCODES_DESCRIPTION][l], tn[SMTPCODES_DESCRIPTION][l], l))
                    best = HIT_DESCRIPTION;
                else if (best < HIT_OTHER &&
                         (term_in(q, text[SMTPCODES_WHEN][l], tn[SMTPCODES_WHEN][l], l) ||
                          term_in(q, text[SMTPCODES_FIX][l], tn[SMTPCODES_FIX][l], l)))
                    best = HIT_OTHER;
            }
            if (best == HIT_NONE) break;   /* every word must match */
            total += weight[best];
        }
        if (k != nw) continue;
        /* insertion by score, stable in table order */
        size_t j = found;
        while (j > 0 && score[order[j - 1]] < total) {
            order[j] = order[j - 1];
            j--;
        }
        score[e] = total;
        order[j] = e;
        found++;
    }
    for (size_t k = 0; k < found && k < cap; k++) out[k] = smtpcodes_at(order[k]);
    return (int)found;
}
