/* search.c - full-text search of the knowledge base.
 *
 * Owns smtpcodes_search(): the query is split into words (white space and
 * commas), each folded to lowercase ASCII without accents, and an entry
 * matches when every word is its code or occurs in one of its texts (title,
 * description, when, fix) in the languages searched; the generator folded
 * those texts the same way (gen_data.py fold(), byte for byte as fold() here).
 * Ranking: entries that a word names exactly (smtpcodes_lookup of the word
 * gives the entry: "5.1.1" names X.1.1, "5.7.620" the range 5.7.606-649)
 * first, then by how many words occur in the title, then in the description,
 * then in the other texts; ties keep table order. A query of more than
 * SMTPCODES_SEARCH_MAX_WORDS words, or with a word of more than
 * SMTPCODES_SEARCH_MAX_WORD bytes, is refused (SMTPCODES_ERR_QUERY): no word
 * is ever dropped silently. */
#include "internal.h"

#include <string.h>

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
typedef char sc_check_query_limits[(SMTPCODES_SEARCH_MAX_WORDS == 32 && SMTPCODES_SEARCH_MAX_WORD == 64) ? 1 : -1];

static int is_separator(int c) { return sc_is_space(c) || c == ','; }

typedef struct query_word {
    char text[SMTPCODES_SEARCH_MAX_WORD + 1];   /* folded */
    size_t len;
    const smtpcodes_entry *names[2];            /* entries the word names as a code */
} query_word;

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
        q->names[0] = q->names[1] = NULL;
        smtpcodes_code c;
        if (smtpcodes_lookup(words + start, i - start, &c) == SMTPCODES_OK) {
            q->names[0] = c.entry;
            q->names[1] = c.alt;
        }
    }
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
            int best = (q->names[0] == en || q->names[1] == en) ? HIT_CODE : HIT_NONE;
            for (int l = 0; l < SMTPCODES_NLANG && best < HIT_TITLE; l++) {
                if (contains(text[SMTPCODES_TITLE][l], tn[SMTPCODES_TITLE][l], q->text, q->len)) best = HIT_TITLE;
                else if (best < HIT_DESCRIPTION &&
                         contains(text[SMTPCODES_DESCRIPTION][l], tn[SMTPCODES_DESCRIPTION][l], q->text, q->len))
                    best = HIT_DESCRIPTION;
                else if (best < HIT_OTHER &&
                         (contains(text[SMTPCODES_WHEN][l], tn[SMTPCODES_WHEN][l], q->text, q->len) ||
                          contains(text[SMTPCODES_FIX][l], tn[SMTPCODES_FIX][l], q->text, q->len)))
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
