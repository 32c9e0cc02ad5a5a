/* search.c - full-text search of the knowledge base.
 *
 * Owns smtpcodes_search(): the query is split into words, folded to
 * lowercase ASCII without accents, and matched against the code and the
 * generator's folded texts of every entry; results are ranked (exact code,
 * then title, then description) and stable in table order. */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Search                                                                     */

/* Fold s to lowercase ASCII (Latin-1 accents stripped) into out; returns length. */
static size_t fold(const char *s, size_t n, char *out, size_t cap) {
    static const char latin[64] = "aaaaaaaceeeeiiii" "dnooooo*ouuuuyts" "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
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

#define MAX_WORDS 16
#define MAX_WORD 64

int smtpcodes_search(const char *words, size_t len, int lang, const smtpcodes_entry **out, size_t cap) {
    if ((!words && len) || (!out && cap)) return SMTPCODES_ERR_ARG;
    if (lang >= SMTPCODES_NLANG || lang < -1) return SMTPCODES_ERR_LANG;
    char w[MAX_WORDS][MAX_WORD];
    size_t wn[MAX_WORDS];
    size_t nw = 0;
    size_t i = 0;
    while (i < len && nw < MAX_WORDS) {
        while (i < len && (sc_is_space((unsigned char)words[i]) || words[i] == ',')) i++;
        size_t start = i;
        while (i < len && !sc_is_space((unsigned char)words[i]) && words[i] != ',') i++;
        if (i > start) {
            if (i - start >= MAX_WORD) return 0;   /* no text holds such a word */
            wn[nw] = fold(words + start, i - start, w[nw], MAX_WORD);
            nw++;
        }
    }
    if (!nw) return SMTPCODES_ERR_EMPTY;
    size_t count = smtpcodes_count();
    int score[SC_MAX_ENTRIES] = {0};
    size_t order[SC_MAX_ENTRIES] = {0};
    size_t found = 0;
    const char *title[SMTPCODES_NLANG], *desc[SMTPCODES_NLANG];
    size_t tn[SMTPCODES_NLANG], dn[SMTPCODES_NLANG];
    for (size_t e = 0; e < count; e++) {
        const smtpcodes_entry *en = smtpcodes_at(e);
        for (int l = 0; l < SMTPCODES_NLANG; l++) {   /* folded by the generator */
            int on = lang < 0 || l == lang;
            title[l] = sc_search_text(e, 0, l);
            desc[l] = sc_search_text(e, 1, l);
            tn[l] = on ? strlen(title[l]) : 0;
            dn[l] = on ? strlen(desc[l]) : 0;
        }
        char cf[32];
        size_t cn = fold(en->code, strlen(en->code), cf, sizeof cf);
        int total = 0;
        size_t matched = 0;
        for (size_t k = 0; k < nw; k++) {
            int best = (wn[k] == cn && memcmp(cf, w[k], cn) == 0) ? 100 : 0;
            for (int l = 0; l < SMTPCODES_NLANG && best < 10; l++) {
                if (contains(title[l], tn[l], w[k], wn[k])) best = 10;
                else if (best < 3 && contains(desc[l], dn[l], w[k], wn[k])) best = 3;
            }
            if (best) matched++;
            total += best;
        }
        if (matched != nw) continue;
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
