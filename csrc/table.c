/* table.c - the knowledge base: iteration, lookup, texts and classes.
 *
 * Owns the generated table of codes (smtpcodes_data.inc, compiled from
 * csrc/data/codes.toml by gen_data.py): iterating it, looking up a basic or
 * enhanced code (registered "X." entries, vendor entries and ranges), the
 * texts of a code in a language (generic texts from the class and subject for
 * a well-formed code that is not in the table), class and category names,
 * permanence, and the raw command and search tables that commands.c and
 * search.c read through the accessors of internal.h. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "smtpcodes_data.inc"

/* ------------------------------------------------------------------------ */
/* Iteration and lookup                                                      */

const char *smtpcodes_data_version(void) { return SMTPCODES_DATA_VERSION; }

size_t smtpcodes_count(void) { return SMTPCODES_TABLE_SIZE; }

const smtpcodes_entry *smtpcodes_at(size_t i) {
    return i < SMTPCODES_TABLE_SIZE ? &smtpcodes_table[i] : NULL;
}

static int key_cmp(const smtpcodes_entry *e, int kind, int cls, int subject, int detail) {
    if (e->kind != kind) return e->kind < kind ? -1 : 1;
    if (e->cls != cls) return e->cls < cls ? -1 : 1;
    if (e->subject != subject) return e->subject < subject ? -1 : 1;
    if (e->detail != detail) return e->detail < detail ? -1 : 1;
    return 0;
}

/* Index of the last entry whose key is <= the given key, or -1. */
static long find_le(int kind, int cls, int subject, int detail) {
    long lo = 0, hi = (long)SMTPCODES_TABLE_SIZE - 1, best = -1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (key_cmp(&smtpcodes_table[mid], kind, cls, subject, detail) <= 0) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

const smtpcodes_entry *sc_find_exact(int kind, int cls, int subject, int detail) {
    /* the generated direct indexes cover the common keys */
    if (kind == SMTPCODES_BASIC && cls >= 0 && cls <= 9 && subject >= 0 && subject <= 9 && detail >= 0 && detail <= 9) {
        unsigned idx = basic_index[cls * 100 + subject * 10 + detail];
        return idx ? &smtpcodes_table[idx - 1] : NULL;
    }
    if (kind == SMTPCODES_ENHANCED && cls == 0 && subject >= 0 && subject < 8 && detail >= 0 && detail < 64) {
        unsigned idx = registered_index[subject][detail];
        return idx ? &smtpcodes_table[idx - 1] : NULL;
    }
    long i = find_le(kind, cls, subject, detail);
    if (i < 0) return NULL;
    const smtpcodes_entry *e = &smtpcodes_table[i];
    return key_cmp(e, kind, cls, subject, detail) == 0 ? e : NULL;
}

/* A vendor entry of this class and subject whose range holds detail. */
static const smtpcodes_entry *find_vendor(int cls, int subject, int detail) {
    long i = find_le(SMTPCODES_ENHANCED, cls, subject, detail);
    if (i < 0) return NULL;
    const smtpcodes_entry *e = &smtpcodes_table[i];
    if (e->kind == SMTPCODES_ENHANCED && e->cls == cls && e->subject == subject &&
        e->detail <= detail && detail <= e->detail_last)
        return e;
    return NULL;
}

/* Decimal digits of v (0-999) at p; returns the new end. */
static char *put_num(char *p, int v) {
    if (v >= 100) *p++ = (char)('0' + v / 100);
    if (v >= 10) *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static void code_init(smtpcodes_code *out, int kind, int d0, int d1, int d2) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->digits[0] = d0;
    out->digits[1] = d1;
    out->digits[2] = d2;
    char *p = out->text;
    if (kind == SMTPCODES_BASIC) {
        *p++ = (char)('0' + d0);
        *p++ = (char)('0' + d1);
        *p++ = (char)('0' + d2);
    } else {
        *p++ = d0 ? (char)('0' + d0) : 'X';
        *p++ = '.';
        p = put_num(p, d1);
        *p++ = '.';
        p = put_num(p, d2);
    }
    *p = '\0';
}

smtpcodes_status smtpcodes_lookup_basic(int code, smtpcodes_code *out) {
    if (!out) return SMTPCODES_ERR_ARG;
    if (code < 100 || code > 999) return code < 0 ? SMTPCODES_ERR_SYNTAX : SMTPCODES_ERR_RANGE;
    int d0 = code / 100, d1 = code / 10 % 10, d2 = code % 10;
    const smtpcodes_entry *e = sc_find_exact(SMTPCODES_BASIC, d0, d1, d2);
    if (!e && (d0 < 2 || d0 > 5 || d1 > 5)) return SMTPCODES_ERR_RANGE;
    code_init(out, SMTPCODES_BASIC, d0, d1, d2);
    out->entry = e;
    out->known = e != NULL;
    return SMTPCODES_OK;
}

smtpcodes_status smtpcodes_lookup_enhanced(int cls, int subject, int detail, smtpcodes_code *out) {
    if (!out) return SMTPCODES_ERR_ARG;
    if (subject < 0 || subject > 999 || detail < 0 || detail > 999) return SMTPCODES_ERR_RANGE;
    if (cls != 0 && cls != 2 && cls != 4 && cls != 5) return SMTPCODES_ERR_RANGE;
    code_init(out, SMTPCODES_ENHANCED, cls, subject, detail);
    const smtpcodes_entry *reg = sc_find_exact(SMTPCODES_ENHANCED, 0, subject, detail);
    const smtpcodes_entry *ven = cls ? find_vendor(cls, subject, detail) : NULL;
    out->entry = reg ? reg : ven;
    out->alt = reg ? ven : NULL;
    out->known = out->entry != NULL;
    return SMTPCODES_OK;
}

smtpcodes_status smtpcodes_code_of(const smtpcodes_entry *e, smtpcodes_code *out) {
    if (!e || !out) return SMTPCODES_ERR_ARG;
    code_init(out, e->kind, e->cls, e->subject, e->detail);
    out->entry = e;
    out->known = 1;
    if (e->detail != e->detail_last) snprintf(out->text, sizeof out->text, "%s", e->code);
    return SMTPCODES_OK;
}

/* Read 1-3 digits without a leading zero at s[*i]; -1 if malformed. */
int sc_read_num(const char *s, size_t len, size_t *i) {
    size_t start = *i;
    int v = 0;
    while (*i < len && sc_is_digit((unsigned char)s[*i]) && *i - start < 4) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    size_t n = *i - start;
    if (n == 0 || n > 3 || (n > 1 && s[start] == '0')) return -1;
    return v;
}

smtpcodes_status smtpcodes_lookup(const char *s, size_t len, smtpcodes_code *out) {
    if (!out || (!s && len)) return SMTPCODES_ERR_ARG;
    while (len && sc_is_space((unsigned char)s[0])) { s++; len--; }
    while (len && sc_is_space((unsigned char)s[len - 1])) len--;
    if (!len) return SMTPCODES_ERR_EMPTY;
    if (sc_is_digit((unsigned char)s[0]) && (len < 2 || s[1] != '.')) {
        for (size_t i = 0; i < len; i++)
            if (!sc_is_digit((unsigned char)s[i])) return SMTPCODES_ERR_SYNTAX;
        if (len != 3) return SMTPCODES_ERR_SYNTAX;
        return smtpcodes_lookup_basic((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'), out);
    }
    int cls;
    if (s[0] == 'X' || s[0] == 'x') cls = 0;
    else if (sc_is_digit((unsigned char)s[0])) cls = s[0] - '0';
    else return SMTPCODES_ERR_SYNTAX;
    size_t i = 1;
    if (i >= len || s[i] != '.') return SMTPCODES_ERR_SYNTAX;
    i++;
    int subject = sc_read_num(s, len, &i);
    if (subject < 0 || i >= len || s[i] != '.') return SMTPCODES_ERR_SYNTAX;
    i++;
    int detail = sc_read_num(s, len, &i);
    if (detail < 0) return SMTPCODES_ERR_SYNTAX;
    if (i < len) {
        /* a vendor range written as in the table: "5.7.606-649" */
        if (s[i] != '-') return SMTPCODES_ERR_SYNTAX;
        i++;
        int last = sc_read_num(s, len, &i);
        if (last < 0 || i != len || cls == 0) return SMTPCODES_ERR_SYNTAX;
        const smtpcodes_entry *v = find_vendor(cls, subject, detail);
        if (!v || v->detail != detail || v->detail_last != last) return SMTPCODES_ERR_SYNTAX;
        return smtpcodes_code_of(v, out);
    }
    if (cls != 0 && cls != 2 && cls != 4 && cls != 5) return SMTPCODES_ERR_RANGE;
    return smtpcodes_lookup_enhanced(cls, subject, detail, out);
}

/* ------------------------------------------------------------------------ */
/* Texts and classes                                                          */

enum { CT_BASIC_CLASS = 0, CT_CATEGORY = 5, CT_ENH_CLASS = 12, CT_SUBJECT = 15 };

static const struct class_text *class_of(const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) {
        int d = c->digits[0];
        return (d >= 1 && d <= 5) ? &class_texts[CT_BASIC_CLASS + d - 1] : NULL;
    }
    switch (c->digits[0]) {
    case 2: return &class_texts[CT_ENH_CLASS];
    case 4: return &class_texts[CT_ENH_CLASS + 1];
    case 5: return &class_texts[CT_ENH_CLASS + 2];
    default: return NULL;
    }
}

static const struct class_text *category_of(const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) {
        int d = c->digits[1];
        return &class_texts[CT_CATEGORY + (d <= 5 ? d : 6)];
    }
    int s = c->digits[1];
    return &class_texts[CT_SUBJECT + (s <= 7 ? s : 8)];
}

const char *smtpcodes_text(const smtpcodes_code *c, smtpcodes_field f, smtpcodes_lang lang) {
    if (!sc_code_ok(c) || !sc_lang_ok(lang) || f < 0 || f >= SMTPCODES_NFIELD) return NULL;
    if (c->entry) return c->entry->text[f][lang];
    const struct class_text *k = class_of(c);
    const struct class_text *sub = category_of(c);
    if (!k || !k->generic[0][lang]) {
        /* "X.s.d" not in the table: the subject is all we know */
        k = &class_texts[CT_ENH_CLASS + 2];
        if (f == SMTPCODES_TITLE) return sub->name[lang];
        if (f == SMTPCODES_DESCRIPTION) return sub->meaning[lang];
    }
    switch (f) {
    case SMTPCODES_TITLE: return k->generic[0][lang];
    case SMTPCODES_DESCRIPTION: return k->meaning[lang];
    case SMTPCODES_WHEN: return k->generic[1][lang];
    default: return k->generic[2][lang];
    }
}

const char *smtpcodes_class_name(const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!sc_code_ok(c) || !sc_lang_ok(lang)) return NULL;
    const struct class_text *k = class_of(c);
    return k ? k->name[lang] : sc_ui[UI_ANY_CLASS][lang];
}

const char *smtpcodes_category_name(const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!sc_code_ok(c) || !sc_lang_ok(lang)) return NULL;
    return category_of(c)->name[lang];
}

smtpcodes_permanence smtpcodes_permanence_of(const smtpcodes_code *c) {
    if (!sc_code_ok(c)) return SMTPCODES_PERM_UNKNOWN;
    switch (c->digits[0]) {
    case 2: return SMTPCODES_PERM_SUCCESS;
    case 3: return c->kind == SMTPCODES_BASIC ? SMTPCODES_PERM_INTERMEDIATE : SMTPCODES_PERM_UNKNOWN;
    case 4: return SMTPCODES_PERM_TEMPORARY;
    case 5: return SMTPCODES_PERM_PERMANENT;
    default: return SMTPCODES_PERM_UNKNOWN;
    }
}

unsigned int smtpcodes_flags(const smtpcodes_code *c) {
    return (c && c->entry) ? c->entry->flags : 0u;
}

/* ------------------------------------------------------------------------ */
/* Raw tables for commands.c and search.c                                     */

typedef char sc_check_table_size[(SMTPCODES_TABLE_SIZE <= SC_MAX_ENTRIES) ? 1 : -1];

size_t smtpcodes_command_count(void) { return COUNT_OF(command_names); }

const char *smtpcodes_command_name(size_t i) {
    return i < COUNT_OF(command_names) ? command_names[i] : NULL;
}

const unsigned short *sc_command_codes(size_t i, size_t *n) {
    if (i >= COUNT_OF(command_codes)) { *n = 0; return NULL; }
    *n = command_codes[i].n;
    return command_codes[i].codes;
}

/* Entry i's text of a field (title, description, when, fix: every smtpcodes_field)
 * as the generator folded it for search.c; "" out of range. */
const char *sc_search_text(size_t i, int field, int lang) {
    if (i >= SMTPCODES_TABLE_SIZE || field < 0 || field >= SMTPCODES_NFIELD || lang < 0 || lang >= SMTPCODES_NLANG)
        return "";
    return search_fold[i][field][lang];
}

const char *sc_class_meaning(const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!sc_code_ok(c) || !sc_lang_ok(lang)) return NULL;
    const struct class_text *k = class_of(c);
    return k ? k->meaning[lang] : NULL;
}
