/* smtpcodes.c - the SMTP reply-code core: lookup, parse, explain, compare, search.
 * See smtpcodes.h for the contract. No allocation, no global mutable state. */
#include "smtpcodes.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtpcodes_data.inc"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Output buffer with snprintf semantics                                      */

typedef struct sbuf {
    char *buf;
    size_t cap;
    size_t len;   /* length the full output needs */
} sbuf;

static void sb_init(sbuf *b, char *buf, size_t cap) {
    b->buf = buf;
    b->cap = buf ? cap : 0;
    b->len = 0;
    if (b->cap) b->buf[0] = '\0';
}

static void sb_putn(sbuf *b, const char *s, size_t n) {
    if (b->len < b->cap) {
        size_t room = b->cap - 1 - b->len;
        size_t k = n < room ? n : room;
        memcpy(b->buf + b->len, s, k);
        b->buf[b->len + k] = '\0';
    }
    b->len += n;
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

static void sb_printf(sbuf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sb_putn(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int sb_result(const sbuf *b) {
    return b->len > (size_t)INT_MAX ? SMTPCODES_ERR_TOO_LONG : (int)b->len;
}

/* Length of a valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;           /* overlong */
        if (c == 0xED && s[1] >= 0xA0) return 0;          /* surrogates */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

/* Copy untrusted text: invalid UTF-8 becomes U+FFFD, control bytes '?',
 * at most max bytes of input (then an ellipsis). */
static void sb_put_safe(sbuf *b, const char *s, size_t n, size_t max) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i >= max) {
            sb_puts(b, "\xE2\x80\xA6");
            return;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) {
            sb_puts(b, "\xEF\xBF\xBD");
            i++;
        } else if (k == 1 && (p[i] < 0x20 || p[i] == 0x7F)) {
            sb_putc(b, p[i] == '\t' ? ' ' : '?');
            i++;
        } else {
            sb_putn(b, s + i, k);
            i += k;
        }
    }
}

int smtpcodes_json_string(const char *s, size_t n, char *buf, size_t cap) {
    if ((!s && n) || (!buf && cap)) return SMTPCODES_ERR_ARG;
    sbuf b;
    sb_init(&b, buf, cap);
    const unsigned char *p = (const unsigned char *)s;
    sb_putc(&b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') { sb_putc(&b, '\\'); sb_putc(&b, (char)c); i++; continue; }
        if (c == '\n') { sb_puts(&b, "\\n"); i++; continue; }
        if (c == '\t') { sb_puts(&b, "\\t"); i++; continue; }
        if (c == '\r') { sb_puts(&b, "\\r"); i++; continue; }
        if (c < 0x20 || c == 0x7F) { sb_printf(&b, "\\u%04x", c); i++; continue; }
        size_t k = utf8_seq(p + i, n - i);
        if (!k) { sb_puts(&b, "\\ufffd"); i++; continue; }
        sb_putn(&b, s + i, k);
        i += k;
    }
    sb_putc(&b, '"');
    return sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* Versions, errors, languages                                               */

const char *smtpcodes_version(void) { return SMTPCODES_VERSION; }
const char *smtpcodes_data_version(void) { return SMTPCODES_DATA_VERSION; }

const char *smtpcodes_strerror(int status) {
    switch (status) {
    case SMTPCODES_OK: return "success";
    case SMTPCODES_ERR_ARG: return "invalid argument";
    case SMTPCODES_ERR_EMPTY: return "empty input";
    case SMTPCODES_ERR_SYNTAX: return "not an SMTP reply code, enhanced status code or reply";
    case SMTPCODES_ERR_RANGE: return "digits outside the ranges SMTP allows";
    case SMTPCODES_ERR_LANG: return "unknown language (use \"en\" or \"es\")";
    case SMTPCODES_ERR_NO_CODE: return "no reply code or enhanced status code found in the text";
    case SMTPCODES_ERR_INCOMPLETE: return "the reply ends with a continuation line";
    case SMTPCODES_ERR_MIXED: return "the lines of the reply carry different codes";
    case SMTPCODES_ERR_COMMAND: return "unknown SMTP command";
    case SMTPCODES_ERR_TOO_LONG: return "output too long";
    default: return "unknown error";
    }
}

const char *smtpcodes_status_name(int status) {
    switch (status) {
    case SMTPCODES_OK: return "ok";
    case SMTPCODES_ERR_ARG: return "arg";
    case SMTPCODES_ERR_EMPTY: return "empty";
    case SMTPCODES_ERR_SYNTAX: return "syntax";
    case SMTPCODES_ERR_RANGE: return "range";
    case SMTPCODES_ERR_LANG: return "lang";
    case SMTPCODES_ERR_NO_CODE: return "no-code";
    case SMTPCODES_ERR_INCOMPLETE: return "incomplete";
    case SMTPCODES_ERR_MIXED: return "mixed";
    case SMTPCODES_ERR_COMMAND: return "command";
    case SMTPCODES_ERR_TOO_LONG: return "too-long";
    default: return "error";
    }
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

smtpcodes_status smtpcodes_lang_from_tag(const char *tag, size_t len, smtpcodes_lang *out) {
    if (!tag || !out) return SMTPCODES_ERR_ARG;
    if (len >= 2 && (len == 2 || tag[2] == '-' || tag[2] == '_')) {
        int a = lower((unsigned char)tag[0]), b = lower((unsigned char)tag[1]);
        if (a == 'e' && b == 'n') { *out = SMTPCODES_EN; return SMTPCODES_OK; }
        if (a == 'e' && b == 's') { *out = SMTPCODES_ES; return SMTPCODES_OK; }
    }
    return SMTPCODES_ERR_LANG;
}

const char *smtpcodes_lang_tag(smtpcodes_lang lang) {
    switch (lang) {
    case SMTPCODES_EN: return "en";
    case SMTPCODES_ES: return "es";
    default: return NULL;
    }
}

static int lang_ok(smtpcodes_lang lang) { return lang == SMTPCODES_EN || lang == SMTPCODES_ES; }

/* ------------------------------------------------------------------------ */
/* Interface strings                                                          */

enum ui_id {
    UI_DESCRIPTION, UI_WHEN, UI_FIX, UI_CLASS, UI_CATEGORY, UI_SUBJECT, UI_STATUS, UI_REFERENCES,
    UI_COMMANDS, UI_RELATED, UI_STANDARD, UI_NONSTANDARD, UI_VENDOR, UI_DEPRECATED, UI_UNKNOWN,
    UI_ANY_CLASS, UI_REPLY, UI_FLAGS, UI_TEXT, UI_NONE, UI_ALSO_VENDOR, UI_KEY_DIFF, UI_WHEN_USE,
    UI_BASIC_KIND, UI_ENH_KIND, UI_RETRY_SUCCESS, UI_RETRY_INTER, UI_RETRY_TEMP, UI_RETRY_PERM,
    UI_RETRY_UNKNOWN, UI_PERMANENCE, UI_RETRY, UI_KIND, UI_NO_COMMANDS, UI_RANGE_NOTE, UI_COUNT
};

static const char *const ui[UI_COUNT][SMTPCODES_NLANG] = {
    [UI_DESCRIPTION] = {"Description", "Descripci\303\263n"},
    [UI_WHEN] = {"When you'll see it", "Cu\303\241ndo lo ver\303\241s"},
    [UI_FIX] = {"How to fix it", "C\303\263mo solucionarlo"},
    [UI_CLASS] = {"Class", "Clase"},
    [UI_CATEGORY] = {"Category", "Categor\303\255a"},
    [UI_SUBJECT] = {"Subject", "Asunto"},
    [UI_STATUS] = {"Status", "Estado"},
    [UI_REFERENCES] = {"References", "Referencias"},
    [UI_COMMANDS] = {"Returned by", "Lo devuelven"},
    [UI_RELATED] = {"Related", "Relacionados"},
    [UI_STANDARD] = {"standard", "est\303\241ndar"},
    [UI_NONSTANDARD] = {"non-standard", "no est\303\241ndar"},
    [UI_VENDOR] = {"vendor-specific", "propio de un proveedor"},
    [UI_DEPRECATED] = {"deprecated", "obsoleto"},
    [UI_UNKNOWN] = {"not in the knowledge base: explained from its digits",
                    "no figura en la base de conocimiento: se explica a partir de sus d\303\255gitos"},
    [UI_ANY_CLASS] = {"any class (2, 4 or 5)", "cualquier clase (2, 4 o 5)"},
    [UI_REPLY] = {"Reply", "Respuesta"},
    [UI_FLAGS] = {"Flags", "Indicadores"},
    [UI_TEXT] = {"Text", "Texto"},
    [UI_NONE] = {"none", "ninguno"},
    [UI_ALSO_VENDOR] = {"Also used with another meaning by", "Tambi\303\251n lo usa con otro significado"},
    [UI_KEY_DIFF] = {"Key differences", "Diferencias clave"},
    [UI_WHEN_USE] = {"When to use each", "Cu\303\241ndo usar cada uno"},
    [UI_BASIC_KIND] = {"basic reply code", "c\303\263digo de respuesta b\303\241sico"},
    [UI_ENH_KIND] = {"enhanced status code", "c\303\263digo de estado extendido"},
    [UI_RETRY_SUCCESS] = {"nothing to retry: the command succeeded",
                          "no hay nada que reintentar: el comando tuvo \303\251xito"},
    [UI_RETRY_INTER] = {"no retry: the client continues the dialogue",
                        "no se reintenta: el cliente contin\303\272a el di\303\241logo"},
    [UI_RETRY_TEMP] = {"retry later: the condition is temporary",
                       "reintentar m\303\241s tarde: la condici\303\263n es temporal"},
    [UI_RETRY_PERM] = {"do not retry unchanged: it will fail again",
                       "no reintentar sin cambios: volver\303\241 a fallar"},
    [UI_RETRY_UNKNOWN] = {"depends on the class it is sent with",
                          "depende de la clase con la que se env\303\255e"},
    [UI_PERMANENCE] = {"Permanence", "Permanencia"},
    [UI_RETRY] = {"Retry", "Reintento"},
    [UI_KIND] = {"Kind", "Tipo"},
    [UI_NO_COMMANDS] = {"no command listed", "ning\303\272n comando registrado"},
    [UI_RANGE_NOTE] = {"part of the vendor range", "parte del rango del proveedor"},
};

static const char *const perm_names[5] = {"unknown", "success", "intermediate", "temporary", "permanent"};
static const char *const perm_local[5][SMTPCODES_NLANG] = {
    {"unknown", "desconocida"},
    {"success", "\303\251xito"},
    {"intermediate", "intermedia"},
    {"temporary", "temporal"},
    {"permanent", "permanente"},
};

static const char *const flag_names[SMTPCODES_NFLAGS] = {
    "class-mismatch", "mixed-codes", "non-standard", "not-utf8", "bare-code", "multiline",
    "incomplete", "truncated", "embedded", "enhanced-only", "control-chars", "long-line",
    "unknown-code",
};

const char *smtpcodes_flag_name(size_t i) { return i < SMTPCODES_NFLAGS ? flag_names[i] : NULL; }

/* ------------------------------------------------------------------------ */
/* Iteration and lookup                                                      */

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

static const smtpcodes_entry *find_exact(int kind, int cls, int subject, int detail) {
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
    const smtpcodes_entry *e = find_exact(SMTPCODES_BASIC, d0, d1, d2);
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
    const smtpcodes_entry *reg = find_exact(SMTPCODES_ENHANCED, 0, subject, detail);
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

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

/* Read 1-3 digits without a leading zero at s[*i]; -1 if malformed. */
static int read_num(const char *s, size_t len, size_t *i) {
    size_t start = *i;
    int v = 0;
    while (*i < len && is_digit((unsigned char)s[*i]) && *i - start < 4) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    size_t n = *i - start;
    if (n == 0 || n > 3 || (n > 1 && s[start] == '0')) return -1;
    return v;
}

smtpcodes_status smtpcodes_lookup(const char *s, size_t len, smtpcodes_code *out) {
    if (!out || (!s && len)) return SMTPCODES_ERR_ARG;
    while (len && is_space((unsigned char)s[0])) { s++; len--; }
    while (len && is_space((unsigned char)s[len - 1])) len--;
    if (!len) return SMTPCODES_ERR_EMPTY;
    if (is_digit((unsigned char)s[0]) && (len < 2 || s[1] != '.')) {
        for (size_t i = 0; i < len; i++)
            if (!is_digit((unsigned char)s[i])) return SMTPCODES_ERR_SYNTAX;
        if (len != 3) return SMTPCODES_ERR_SYNTAX;
        return smtpcodes_lookup_basic((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'), out);
    }
    int cls;
    if (s[0] == 'X' || s[0] == 'x') cls = 0;
    else if (is_digit((unsigned char)s[0])) cls = s[0] - '0';
    else return SMTPCODES_ERR_SYNTAX;
    size_t i = 1;
    if (i >= len || s[i] != '.') return SMTPCODES_ERR_SYNTAX;
    i++;
    int subject = read_num(s, len, &i);
    if (subject < 0 || i >= len || s[i] != '.') return SMTPCODES_ERR_SYNTAX;
    i++;
    int detail = read_num(s, len, &i);
    if (detail < 0) return SMTPCODES_ERR_SYNTAX;
    if (i < len) {
        /* a vendor range written as in the table: "5.7.606-649" */
        if (s[i] != '-') return SMTPCODES_ERR_SYNTAX;
        i++;
        int last = read_num(s, len, &i);
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

static int code_ok(const smtpcodes_code *c) {
    return c && (c->kind == SMTPCODES_BASIC || c->kind == SMTPCODES_ENHANCED);
}

const char *smtpcodes_text(const smtpcodes_code *c, smtpcodes_field f, smtpcodes_lang lang) {
    if (!code_ok(c) || !lang_ok(lang) || f < 0 || f >= SMTPCODES_NFIELD) return NULL;
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
    if (!code_ok(c) || !lang_ok(lang)) return NULL;
    const struct class_text *k = class_of(c);
    return k ? k->name[lang] : ui[UI_ANY_CLASS][lang];
}

const char *smtpcodes_category_name(const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!code_ok(c) || !lang_ok(lang)) return NULL;
    return category_of(c)->name[lang];
}

smtpcodes_permanence smtpcodes_permanence_of(const smtpcodes_code *c) {
    if (!code_ok(c)) return SMTPCODES_PERM_UNKNOWN;
    switch (c->digits[0]) {
    case 2: return SMTPCODES_PERM_SUCCESS;
    case 3: return c->kind == SMTPCODES_BASIC ? SMTPCODES_PERM_INTERMEDIATE : SMTPCODES_PERM_UNKNOWN;
    case 4: return SMTPCODES_PERM_TEMPORARY;
    case 5: return SMTPCODES_PERM_PERMANENT;
    default: return SMTPCODES_PERM_UNKNOWN;
    }
}

const char *smtpcodes_permanence_name(smtpcodes_permanence p) {
    return ((unsigned)p < 5u) ? perm_names[p] : NULL;
}

unsigned int smtpcodes_flags(const smtpcodes_code *c) {
    return (c && c->entry) ? c->entry->flags : 0u;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                   */

size_t smtpcodes_command_count(void) { return COUNT_OF(command_names); }

const char *smtpcodes_command_name(size_t i) {
    return i < COUNT_OF(command_names) ? command_names[i] : NULL;
}

int smtpcodes_command_index(const char *name, size_t len) {
    if (!name && len) return SMTPCODES_ERR_ARG;
    while (len && is_space((unsigned char)name[0])) { name++; len--; }
    size_t n = 0;   /* the first word: "MAIL FROM:<a@b>" names MAIL */
    while (n < len && !is_space((unsigned char)name[n]) && name[n] != ':') n++;
    if (!n) return SMTPCODES_ERR_EMPTY;
    for (size_t i = 0; i < COUNT_OF(command_names); i++) {
        const char *c = command_names[i];
        if (strlen(c) != n) continue;
        size_t k = 0;
        while (k < n && lower((unsigned char)name[k]) == lower((unsigned char)c[k])) k++;
        if (k == n) return (int)i;
    }
    return SMTPCODES_ERR_COMMAND;
}

enum { CMD_ANY = 1 };

/* Union of the command's codes and those of ANY, ascending; returns the count. */
static size_t command_union(int cmd, unsigned short *out) {
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        int idx = pass == 0 ? cmd : CMD_ANY;
        if (pass == 1 && cmd == CMD_ANY) break;
        const struct command_codes *cc = &command_codes[idx];
        for (size_t i = 0; i < cc->n; i++) {
            unsigned short v = cc->codes[i];
            size_t j = 0;
            while (j < n && out[j] < v) j++;
            if (j < n && out[j] == v) continue;
            memmove(out + j + 1, out + j, (n - j) * sizeof *out);
            out[j] = v;
            n++;
        }
    }
    return n;
}

int smtpcodes_replies_for(const char *command, size_t len, int *codes, size_t cap) {
    if (!codes && cap) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    unsigned short u[128];
    size_t n = command_union(cmd, u);
    for (size_t i = 0; i < n && i < cap; i++) codes[i] = u[i];
    return (int)n;
}

int smtpcodes_is_valid_reply(const char *command, size_t len, const smtpcodes_code *c) {
    if (!code_ok(c)) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    unsigned short u[128];
    size_t n = command_union(cmd, u);
    if (c->kind == SMTPCODES_BASIC) {
        int v = c->digits[0] * 100 + c->digits[1] * 10 + c->digits[2];
        for (size_t i = 0; i < n; i++)
            if (u[i] == v) return 1;
        return 0;
    }
    if (c->entry && c->entry->nbasic) {
        for (size_t k = 0; k < c->entry->nbasic; k++)
            for (size_t i = 0; i < n; i++)
                if (u[i] == c->entry->basic_codes[k] &&
                    (c->digits[0] == 0 || u[i] / 100 == c->digits[0]))
                    return 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)   /* no association: any reply of its class */
        if (c->digits[0] == 0 || u[i] / 100 == c->digits[0]) return 1;
    return 0;
}

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
            out[k++] = (char)lower(c);
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
        while (i < len && (is_space((unsigned char)words[i]) || words[i] == ',')) i++;
        size_t start = i;
        while (i < len && !is_space((unsigned char)words[i]) && words[i] != ',') i++;
        if (i > start) {
            if (i - start >= MAX_WORD) return 0;   /* no text holds such a word */
            wn[nw] = fold(words + start, i - start, w[nw], MAX_WORD);
            nw++;
        }
    }
    if (!nw) return SMTPCODES_ERR_EMPTY;
    int score[SMTPCODES_TABLE_SIZE] = {0};
    size_t order[SMTPCODES_TABLE_SIZE] = {0};
    size_t found = 0;
    const char *title[SMTPCODES_NLANG], *desc[SMTPCODES_NLANG];
    size_t tn[SMTPCODES_NLANG], dn[SMTPCODES_NLANG];
    for (size_t e = 0; e < SMTPCODES_TABLE_SIZE; e++) {
        const smtpcodes_entry *en = &smtpcodes_table[e];
        for (int l = 0; l < SMTPCODES_NLANG; l++) {   /* folded by the generator */
            int on = lang < 0 || l == lang;
            title[l] = search_fold[e][0][l];
            desc[l] = search_fold[e][1][l];
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
    for (size_t k = 0; k < found && k < cap; k++) out[k] = &smtpcodes_table[order[k]];
    return (int)found;
}

/* ------------------------------------------------------------------------ */
/* Parse                                                                      */

/* A basic reply code at s[i..i+2]: valid per RFC 5321 4.2 ABNF, or (lenient)
 * a non-standard code the knowledge base holds, such as 571. */
static int basic_at(const char *s, size_t len, size_t i, int strict) {
    if (i + 3 > len) return 0;
    int a = (unsigned char)s[i], b = (unsigned char)s[i + 1], c = (unsigned char)s[i + 2];
    if (!is_digit(a) || !is_digit(b) || !is_digit(c)) return 0;
    int v = (a - '0') * 100 + (b - '0') * 10 + (c - '0');
    if (a >= '2' && a <= '5' && b <= '5') return v;
    if (!strict && find_exact(SMTPCODES_BASIC, a - '0', b - '0', c - '0')) return v;
    return 0;
}

/* An enhanced code at s[i]: class 2/4/5, 1-3 digit subject and detail without
 * leading zeros, not followed by a digit or by ".digit" (so "4.16.55.1" and
 * version numbers fail). Fills d and returns the length, 0 if none. */
static size_t enhanced_at(const char *s, size_t len, size_t i, int d[3]) {
    if (i >= len || (s[i] != '2' && s[i] != '4' && s[i] != '5')) return 0;
    size_t j = i + 1;
    if (j >= len || s[j] != '.') return 0;
    j++;
    int sub = read_num(s, len, &j);
    if (sub < 0 || j >= len || s[j] != '.') return 0;
    j++;
    int det = read_num(s, len, &j);
    if (det < 0) return 0;
    if (j < len && is_digit((unsigned char)s[j])) return 0;
    if (j + 1 < len && s[j] == '.' && is_digit((unsigned char)s[j + 1])) return 0;
    d[0] = s[i] - '0';
    d[1] = sub;
    d[2] = det;
    return j - i;
}

static int left_boundary(const char *s, size_t i, const char *allowed) {
    if (i == 0) return 1;
    unsigned char p = (unsigned char)s[i - 1];
    return p == ' ' || p == '\t' || strchr(allowed, p) != NULL;
}

typedef struct found_code {
    size_t pos, end;       /* the code's span in the line */
    int basic;
    int has_enh, enh[3];
    size_t text;           /* where the text after the code starts */
    int continued;
} found_code;

/* Skip a separator and an optional enhanced code after a basic code at s[pos]. */
static void after_basic(const char *s, size_t len, found_code *f, int strict) {
    size_t j = f->pos + 3;
    f->continued = 0;
    f->has_enh = 0;
    if (j < len && s[j] == '-') { f->continued = 1; j++; }
    else if (j < len && (s[j] == ' ' || (!strict && s[j] == '\t'))) j++;
    size_t k = j;
    if (!strict) {
        while (k < len && (s[k] == ' ' || s[k] == '\t')) k++;
        if (k + 1 < len && s[k] == '#') k++;   /* Sendmail's "550 #5.1.0 ..." */
    }
    size_t n = enhanced_at(s, len, k, f->enh);
    if (n && (k + n == len || s[k + n] == ' ' || (!strict && (s[k + n] == '\t' || s[k + n] == ':' || s[k + n] == ',')))) {
        f->has_enh = 1;
        j = k + n;
        if (j < len && (s[j] == ' ' || (!strict && (s[j] == '\t' || s[j] == ':' || s[j] == ',')))) j++;
    }
    if (!strict) while (j < len && (s[j] == ' ' || s[j] == '\t')) j++;
    f->end = j;
    f->text = j;
}

/* One pass over a line: the text flags (SMTPCODES_F_NOT_UTF8, _CONTROL_CHARS)
 * and the positions where a code may start (a digit 1-5 after a boundary). */
#define MAX_CANDS 48
typedef struct line_scan {
    unsigned int flags;
    size_t n;          /* candidates found; > MAX_CANDS means "too many, scan all" */
    size_t pos[MAX_CANDS];
} line_scan;

static void scan_line(const char *s, size_t len, line_scan *ls) {
    const unsigned char *p = (const unsigned char *)s;
    ls->flags = 0;
    ls->n = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7F) {   /* printable ASCII: the common case */
            if (c >= '1' && c <= '5' && (i == 0 || strchr(" \t([\"'<;#=:", s[i - 1]))) {
                if (ls->n < MAX_CANDS) ls->pos[ls->n] = i;
                ls->n++;
            }
            i++;
            continue;
        }
        if (c < 0x80) {
            if (c != '\t') ls->flags |= SMTPCODES_F_CONTROL_CHARS;
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, len - i);
        if (!k) { ls->flags |= SMTPCODES_F_NOT_UTF8; k = 1; }
        i += k;
    }
}

/* The k-th place to try: a recorded candidate, or every index when there were too many. */
static int next_cand(const line_scan *ls, size_t len, size_t *k, size_t *i) {
    if (ls->n <= MAX_CANDS) {
        if (*k >= ls->n) return 0;
        *i = ls->pos[(*k)++];
        return 1;
    }
    if (*k >= len) return 0;
    *i = (*k)++;
    return 1;
}

/* Lenient: the best reply code inside a log line. */
static int find_embedded_basic(const char *s, size_t len, const line_scan *ls, found_code *best) {
    int best_score = 0;
    size_t k = 0, i;
    while (next_cand(ls, len, &k, &i)) {
        if (i + 3 > len || s[i] < '1' || s[i] > '5') continue;
        int v = basic_at(s, len, i, 0);
        if (!v || !left_boundary(s, i, "([\"'<;#")) continue;   /* '#': Exchange's "#550 5.1.1 ..." */
        if (i > 0 && (is_digit((unsigned char)s[i - 1]) || s[i - 1] == '.')) continue;
        size_t j = i + 3;
        if (j < len && s[j] != ' ' && s[j] != '-' && s[j] != '\t') continue;
        if (j < len && s[j] == '-' && (j + 1 >= len || is_space((unsigned char)s[j + 1]))) continue;
        found_code f;
        memset(&f, 0, sizeof f);
        f.pos = i;
        f.basic = v;
        after_basic(s, len, &f, 0);
        int score = 1;
        if (f.has_enh) score += 4;
        /* after "said:", "error:", "; " or at the start of the line */
        size_t p = i;
        while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == '\t')) p--;
        if (p == 0 || s[p - 1] == ':' || s[p - 1] == ';' || s[p - 1] == '(' || s[p - 1] == '"') score += 2;
        if (score > best_score) {
            best_score = score;
            *best = f;
        }
    }
    return best_score >= 3;
}

/* Lenient: a standalone enhanced code ("#5.1.1", "(#5.1.1)", "dsn=5.1.1"). */
static int find_embedded_enhanced(const char *s, size_t len, const line_scan *ls, found_code *f) {
    size_t k = 0, i;
    while (next_cand(ls, len, &k, &i)) {
        if (s[i] != '2' && s[i] != '4' && s[i] != '5') continue;
        if (!left_boundary(s, i, "([#=\"'<;:")) continue;
        int d[3];
        size_t n = enhanced_at(s, len, i, d);
        if (!n) continue;
        size_t j = i + n;
        if (j < len && strchr(" \t)]>,;:\"'.", s[j]) == NULL) continue;
        memset(f, 0, sizeof *f);
        f->pos = i;
        f->has_enh = 1;
        memcpy(f->enh, d, sizeof d);
        while (j < len && strchr(" \t)]>,;:", s[j]) != NULL) j++;
        f->end = j;
        f->text = j;
        return 1;
    }
    return 0;
}

smtpcodes_status smtpcodes_parse(const char *s, size_t len, unsigned int options, smtpcodes_reply *out) {
    if (!out || (!s && len)) return SMTPCODES_ERR_ARG;
    int strict = (options & SMTPCODES_STRICT) != 0;
    /* everything but lines[], which is filled as far as nlines says */
    memset(out, 0, offsetof(smtpcodes_reply, lines));
    size_t t = 0;
    while (t < len && is_space((unsigned char)s[t])) t++;
    if (t == len) return SMTPCODES_ERR_EMPTY;
    if (!strict) {   /* leading blank lines of a pasted reply */
        size_t k = 0, line_start = 0;
        while (k < t) { if (s[k] == '\n') line_start = k + 1; k++; }
        s += line_start;
        len -= line_start;
    }

    size_t pos = 0;
    int first_basic = 0;
    int saw_final = 0;
    unsigned int flags = 0;
    int last_continued = 0;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - s) : len;
        size_t next = eol < len ? eol + 1 : eol;
        size_t raw_len = eol - pos;
        if (raw_len && s[pos + raw_len - 1] == '\r') raw_len--;
        const char *line = s + pos;
        pos = next;
        if (raw_len == 0 && pos >= len) break;   /* final newline */
        if (!strict && raw_len == 0) continue;   /* blank line inside pasted text */

        line_scan ls;
        scan_line(line, raw_len, &ls);
        found_code f;
        memset(&f, 0, sizeof f);
        int got = 0;
        size_t lead = 0;
        if (!strict) while (lead < raw_len && (line[lead] == ' ' || line[lead] == '\t')) lead++;
        int v = basic_at(line, raw_len, lead, strict);
        size_t after = lead + 3;
        if (v && (after == raw_len || line[after] == ' ' || line[after] == '-' ||
                  (!strict && line[after] == '\t'))) {
            f.pos = lead;
            f.basic = v;
            after_basic(line, raw_len, &f, strict);
            got = 1;
        } else if (strict) {
            if (saw_final) return SMTPCODES_ERR_SYNTAX;
            if (!v && raw_len >= 3 && is_digit((unsigned char)line[0]) && is_digit((unsigned char)line[1]) &&
                is_digit((unsigned char)line[2]) && (raw_len == 3 || !is_digit((unsigned char)line[3])))
                return SMTPCODES_ERR_RANGE;
            return SMTPCODES_ERR_SYNTAX;
        } else if (find_embedded_basic(line, raw_len, &ls, &f)) {
            got = 1;
            flags |= SMTPCODES_F_EMBEDDED;
        } else if (find_embedded_enhanced(line, raw_len, &ls, &f)) {
            got = 2;
            size_t k = lead;   /* "#5.1.1" and "(#5.1.1)" at the start are not embedded */
            while (k < f.pos && (line[k] == '#' || line[k] == '(' || line[k] == '[')) k++;
            if (k < f.pos) flags |= SMTPCODES_F_EMBEDDED;
        }

        if (strict && saw_final) return SMTPCODES_ERR_SYNTAX;   /* a line after the last one */
        if (got == 1) {
            if (!first_basic) first_basic = f.basic;
            else if (f.basic != first_basic) {
                if (strict) return SMTPCODES_ERR_MIXED;
                flags |= SMTPCODES_F_MIXED_CODES;
            }
            if (f.continued) last_continued = 1;
            else { last_continued = 0; saw_final = 1; }
            if (!out->has_basic) {
                smtpcodes_lookup_basic(f.basic, &out->reply_code);
                out->has_basic = 1;
            }
        }
        if (f.has_enh) {
            if (!out->has_enhanced) {
                smtpcodes_lookup_enhanced(f.enh[0], f.enh[1], f.enh[2], &out->status_code);
                out->has_enhanced = 1;
            } else if (out->status_code.digits[0] != f.enh[0] || out->status_code.digits[1] != f.enh[1] ||
                       out->status_code.digits[2] != f.enh[2]) {
                if (strict) return SMTPCODES_ERR_MIXED;
                flags |= SMTPCODES_F_MIXED_CODES;
            }
        }
        flags |= ls.flags;
        if (raw_len > 510) flags |= SMTPCODES_F_LONG_LINE;

        if (out->nlines < SMTPCODES_MAX_LINES) {
            smtpcodes_line *L = &out->lines[out->nlines++];
            L->raw = line;
            L->raw_len = raw_len;
            L->basic = got == 1 ? f.basic : 0;
            L->continued = got == 1 ? f.continued : 0;
            L->has_enhanced = f.has_enh;
            memcpy(L->enhanced, f.enh, sizeof f.enh);
            size_t from = got ? f.text : lead;
            L->text = line + from;
            L->text_len = raw_len - from;
            if (got == 1 && !L->text_len && out->total_lines == 0) flags |= SMTPCODES_F_BARE;
        } else {
            flags |= SMTPCODES_F_TRUNCATED;
        }
        out->total_lines++;
    }
    if (!out->has_basic && !out->has_enhanced) return strict ? SMTPCODES_ERR_SYNTAX : SMTPCODES_ERR_NO_CODE;
    if (last_continued) {
        if (strict) return SMTPCODES_ERR_INCOMPLETE;
        flags |= SMTPCODES_F_INCOMPLETE;
    }
    if (out->total_lines > 1) flags |= SMTPCODES_F_MULTILINE;
    if (flags & SMTPCODES_F_BARE) {   /* bare only if no line carries text */
        for (size_t i = 0; i < out->nlines; i++)
            if (out->lines[i].text_len) { flags &= ~SMTPCODES_F_BARE; break; }
    }
    if (out->has_basic) {
        const smtpcodes_code *rc = &out->reply_code;
        if (!rc->known) flags |= SMTPCODES_F_UNKNOWN_CODE;
        if (!(smtpcodes_flags(rc) & SMTPCODES_E_STANDARD)) flags |= SMTPCODES_F_NONSTANDARD;
        out->permanence = smtpcodes_permanence_of(rc);
        if (out->has_enhanced && out->status_code.digits[0] != rc->digits[0])
            flags |= SMTPCODES_F_CLASS_MISMATCH;
    } else {
        flags |= SMTPCODES_F_ENHANCED_ONLY;
        if (strict) return SMTPCODES_ERR_SYNTAX;
        out->permanence = smtpcodes_permanence_of(&out->status_code);
    }
    if (out->has_enhanced && !out->status_code.known) flags |= SMTPCODES_F_UNKNOWN_CODE;
    out->flags = flags;
    return SMTPCODES_OK;
}

size_t smtpcodes_reply_text(const smtpcodes_reply *r, char *buf, size_t cap) {
    sbuf b;
    sb_init(&b, buf, cap);
    if (!r) return 0;
    for (size_t i = 0; i < r->nlines; i++) {
        if (i) sb_putc(&b, '\n');
        sb_putn(&b, r->lines[i].text, r->lines[i].text_len);
    }
    return b.len;
}

/* ------------------------------------------------------------------------ */
/* Explain                                                                    */

static void put_heading(sbuf *b, smtpcodes_format fmt, int level, const char *title) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sb_puts(b, level == 2 ? "## " : "### ");
        sb_puts(b, title);
        sb_puts(b, "\n\n");
    } else {
        sb_puts(b, title);
        sb_putc(b, '\n');
    }
}

static void put_label(sbuf *b, smtpcodes_format fmt, const char *label) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sb_puts(b, "- **");
        sb_puts(b, label);
        sb_puts(b, ":** ");
    } else {
        sb_puts(b, label);
        sb_puts(b, ": ");
    }
}

/* Markdown-escape characters that would change the rendering. */
static void put_md(sbuf *b, smtpcodes_format fmt, const char *s) {
    if (fmt != SMTPCODES_MARKDOWN) { sb_puts(b, s); return; }
    for (; *s; s++) {
        if (strchr("\\`*_[]<>|#", *s)) sb_putc(b, '\\');
        sb_putc(b, *s);
    }
}

static const char *retry_text(smtpcodes_permanence p, smtpcodes_lang lang) {
    switch (p) {
    case SMTPCODES_PERM_SUCCESS: return ui[UI_RETRY_SUCCESS][lang];
    case SMTPCODES_PERM_INTERMEDIATE: return ui[UI_RETRY_INTER][lang];
    case SMTPCODES_PERM_TEMPORARY: return ui[UI_RETRY_TEMP][lang];
    case SMTPCODES_PERM_PERMANENT: return ui[UI_RETRY_PERM][lang];
    default: return ui[UI_RETRY_UNKNOWN][lang];
    }
}

static void put_class_label(sbuf *b, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) sb_printf(b, "%dyz ", c->digits[0]);
    else if (c->digits[0]) sb_printf(b, "%d.x.x ", c->digits[0]);
}

static void put_category_label(sbuf *b, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) sb_printf(b, "x%dz ", c->digits[1]);
    else sb_printf(b, "X.%d.x ", c->digits[1]);
}

static void put_commands(sbuf *b, unsigned long bits, smtpcodes_lang lang, const char *sep_last) {
    size_t n = 0, total = 0;
    for (size_t i = 0; i < COUNT_OF(command_names); i++)
        if (bits & (1ul << i)) total++;
    if (!total) { sb_puts(b, ui[UI_NO_COMMANDS][lang]); return; }
    for (size_t i = 0; i < COUNT_OF(command_names); i++) {
        if (!(bits & (1ul << i))) continue;
        if (n) sb_puts(b, n + 1 == total ? sep_last : ", ");
        sb_puts(b, command_names[i]);
        n++;
    }
}

static unsigned long code_commands(const smtpcodes_code *c) {
    return (c->entry && c->kind == SMTPCODES_BASIC) ? c->entry->commands : 0ul;
}

static const char *or_word(smtpcodes_lang lang) { return lang == SMTPCODES_ES ? " o " : " or "; }

static void put_status(sbuf *b, const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!c->known) { sb_puts(b, ui[UI_UNKNOWN][lang]); return; }
    const smtpcodes_entry *e = c->entry;
    if (e->flags & SMTPCODES_E_VENDOR) {
        sb_puts(b, ui[UI_VENDOR][lang]);
        sb_puts(b, " (");
        sb_puts(b, e->vendor);
        sb_puts(b, ")");
    } else {
        sb_puts(b, ui[(e->flags & SMTPCODES_E_STANDARD) ? UI_STANDARD : UI_NONSTANDARD][lang]);
    }
    if (e->flags & SMTPCODES_E_DEPRECATED) {
        sb_puts(b, ", ");
        sb_puts(b, ui[UI_DEPRECATED][lang]);
    }
    if (e->detail != e->detail_last && strcmp(c->text, e->code) != 0) {
        sb_puts(b, ", ");
        sb_puts(b, ui[UI_RANGE_NOTE][lang]);
        sb_puts(b, " ");
        sb_puts(b, e->code);
    }
}

/* The three sections Description / When you'll see it / How to fix it. */
static void put_sections(sbuf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    static const int heads[3] = {UI_DESCRIPTION, UI_WHEN, UI_FIX};
    for (int f = 1; f <= 3; f++) {
        if (fmt == SMTPCODES_MARKDOWN) {
            sb_puts(b, "**");
            sb_puts(b, ui[heads[f - 1]][lang]);
            sb_puts(b, "**\n\n");
        } else {
            sb_puts(b, ui[heads[f - 1]][lang]);
            sb_puts(b, ":\n");
        }
        put_md(b, fmt, smtpcodes_text(c, (smtpcodes_field)f, lang));
        sb_puts(b, "\n\n");
    }
}

static void explain_code(sbuf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    char head[600];
    snprintf(head, sizeof head, "%s %s %s", c->text, fmt == SMTPCODES_MARKDOWN ? "\xE2\x80\x94" : "-",
             smtpcodes_text(c, SMTPCODES_TITLE, lang));
    put_heading(b, fmt, 2, head);
    if (fmt != SMTPCODES_MARKDOWN) sb_putc(b, '\n');
    put_label(b, fmt, ui[UI_CLASS][lang]);
    put_class_label(b, c);
    sb_puts(b, smtpcodes_class_name(c, lang));
    sb_puts(b, " (");
    sb_puts(b, retry_text(smtpcodes_permanence_of(c), lang));
    sb_puts(b, ")\n");
    put_label(b, fmt, ui[c->kind == SMTPCODES_BASIC ? UI_CATEGORY : UI_SUBJECT][lang]);
    put_category_label(b, c);
    sb_puts(b, smtpcodes_category_name(c, lang));
    sb_putc(b, '\n');
    put_label(b, fmt, ui[UI_STATUS][lang]);
    put_status(b, c, lang);
    sb_putc(b, '\n');
    if (c->kind == SMTPCODES_BASIC && c->entry) {
        put_label(b, fmt, ui[UI_COMMANDS][lang]);
        put_commands(b, c->entry->commands, lang, ", ");
        sb_putc(b, '\n');
    }
    if (c->entry && c->entry->nrelated) {
        put_label(b, fmt, ui[UI_RELATED][lang]);
        for (size_t i = 0; i < c->entry->nrelated; i++) {
            if (i) sb_puts(b, ", ");
            sb_puts(b, c->entry->related[i]);
        }
        sb_putc(b, '\n');
    }
    if (c->entry) {
        put_label(b, fmt, ui[UI_REFERENCES][lang]);
        for (size_t i = 0; i < c->entry->nrefs; i++) {
            if (i) sb_puts(b, "; ");
            sb_puts(b, c->entry->refs[i]);
        }
        sb_putc(b, '\n');
    }
    if (c->alt) {
        put_label(b, fmt, ui[UI_ALSO_VENDOR][lang]);
        sb_puts(b, c->alt->vendor);
        sb_puts(b, ": ");
        put_md(b, fmt, c->alt->text[SMTPCODES_TITLE][lang]);
        sb_putc(b, '\n');
    }
    sb_putc(b, '\n');
    put_sections(b, c, lang, fmt);
}

int smtpcodes_explain_code(const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt,
                           char *buf, size_t cap) {
    if (!code_ok(c) || (!buf && cap) || (fmt != SMTPCODES_TEXT && fmt != SMTPCODES_MARKDOWN))
        return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sbuf b;
    sb_init(&b, buf, cap);
    explain_code(&b, c, lang, fmt);
    return sb_result(&b);
}

int smtpcodes_explain_reply(const smtpcodes_reply *r, smtpcodes_lang lang, smtpcodes_format fmt,
                            char *buf, size_t cap) {
    if (!r || (!buf && cap) || (fmt != SMTPCODES_TEXT && fmt != SMTPCODES_MARKDOWN))
        return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    if (!r->has_basic && !r->has_enhanced) return SMTPCODES_ERR_ARG;
    sbuf b;
    sb_init(&b, buf, cap);
    char head[64];
    snprintf(head, sizeof head, "%s: %s%s%s (%s)", ui[UI_REPLY][lang],
             r->has_basic ? r->reply_code.text : "", r->has_basic && r->has_enhanced ? " " : "",
             r->has_enhanced ? r->status_code.text : "",
             perm_local[(unsigned)r->permanence < 5u ? r->permanence : 0][lang]);
    put_heading(&b, fmt, 2, head);
    if (fmt != SMTPCODES_MARKDOWN) sb_putc(&b, '\n');
    size_t total = 0;
    for (size_t i = 0; i < r->nlines; i++) total += r->lines[i].text_len;
    if (total) {
        put_label(&b, fmt, ui[UI_TEXT][lang]);
        if (fmt == SMTPCODES_MARKDOWN) sb_putc(&b, '`');
        size_t budget = 300;
        for (size_t i = 0; i < r->nlines && budget; i++) {
            const smtpcodes_line *L = &r->lines[i];
            if (!L->text_len) continue;
            if (i) sb_putc(&b, ' ');
            size_t take = L->text_len < budget ? L->text_len : budget;
            char clean[1024];
            sbuf cb;
            sb_init(&cb, clean, sizeof clean);
            sb_put_safe(&cb, L->text, L->text_len, take);
            for (const char *p = clean; *p; p++) sb_putc(&b, *p == '`' ? '\'' : *p);
            budget -= take;
        }
        if (fmt == SMTPCODES_MARKDOWN) sb_putc(&b, '`');
        sb_putc(&b, '\n');
    }
    if (r->flags) {
        put_label(&b, fmt, ui[UI_FLAGS][lang]);
        int n = 0;
        for (size_t i = 0; i < SMTPCODES_NFLAGS; i++) {
            if (!(r->flags & (1u << i))) continue;
            if (n++) sb_puts(&b, ", ");
            sb_puts(&b, flag_names[i]);
        }
        sb_putc(&b, '\n');
    }
    put_label(&b, fmt, ui[UI_RETRY][lang]);
    sb_puts(&b, retry_text(r->permanence, lang));
    sb_puts(&b, "\n\n");
    if (r->has_basic) explain_code(&b, &r->reply_code, lang, fmt);
    if (r->has_enhanced) explain_code(&b, &r->status_code, lang, fmt);
    return sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* Compare                                                                    */

static const char *const aspect_names[SMTPCODES_NASPECT][SMTPCODES_NLANG] = {
    {"kind", "tipo"},
    {"class", "clase"},
    {"category", "categor\303\255a"},
    {"permanence", "permanencia"},
    {"retry", "reintento"},
    {"commands", "comandos"},
    {"standard", "est\303\241ndar"},
};

const char *smtpcodes_aspect_name(smtpcodes_aspect x, smtpcodes_lang lang) {
    if ((unsigned)x >= SMTPCODES_NASPECT || !lang_ok(lang)) return NULL;
    return aspect_names[x][lang];
}

static int lists_related(const smtpcodes_code *a, const smtpcodes_code *b) {
    if (!a->entry) return 0;
    for (size_t i = 0; i < a->entry->nrelated; i++) {
        smtpcodes_code r;
        const char *t = a->entry->related[i];
        if (smtpcodes_lookup(t, strlen(t), &r) != SMTPCODES_OK) continue;
        if (r.kind == b->kind && r.digits[1] == b->digits[1] && r.digits[2] == b->digits[2] &&
            (r.digits[0] == b->digits[0] || b->digits[0] == 0 || r.digits[0] == 0))
            return 1;
    }
    return 0;
}

static int standard_key(const smtpcodes_code *c) {
    unsigned f = smtpcodes_flags(c);
    return (f & SMTPCODES_E_VENDOR) ? 2 : (f & SMTPCODES_E_STANDARD) ? 1 : 0;
}

smtpcodes_status smtpcodes_compare(const smtpcodes_code *a, const smtpcodes_code *b, smtpcodes_comparison *out) {
    if (!code_ok(a) || !code_ok(b) || !out) return SMTPCODES_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->a = *a;
    out->b = *b;
    smtpcodes_permanence pa = smtpcodes_permanence_of(a), pb = smtpcodes_permanence_of(b);
    out->same[SMTPCODES_ASPECT_KIND] = a->kind == b->kind;
    out->same[SMTPCODES_ASPECT_CLASS] = a->digits[0] == b->digits[0];
    out->same[SMTPCODES_ASPECT_CATEGORY] = a->kind == b->kind && a->digits[1] == b->digits[1] &&
                                           (a->kind == SMTPCODES_ENHANCED || a->digits[1] <= 5 || b->digits[1] <= 5);
    out->same[SMTPCODES_ASPECT_PERMANENCE] = pa == pb;
    out->same[SMTPCODES_ASPECT_RETRY] = pa == pb;
    out->same[SMTPCODES_ASPECT_COMMANDS] = code_commands(a) == code_commands(b);
    out->same[SMTPCODES_ASPECT_STANDARD] = standard_key(a) == standard_key(b) &&
        (standard_key(a) != 2 || strcmp(a->entry->vendor, b->entry->vendor) == 0);
    out->identical = strcmp(a->text, b->text) == 0 && a->kind == b->kind;
    out->counterparts = !out->identical && a->kind == b->kind && a->digits[1] == b->digits[1] &&
                        a->digits[2] == b->digits[2] &&
                        ((pa == SMTPCODES_PERM_TEMPORARY && pb == SMTPCODES_PERM_PERMANENT) ||
                         (pa == SMTPCODES_PERM_PERMANENT && pb == SMTPCODES_PERM_TEMPORARY));
    out->related = lists_related(a, b) || lists_related(b, a);
    return SMTPCODES_OK;
}

static void aspect_value(sbuf *b, const smtpcodes_code *c, smtpcodes_aspect x, smtpcodes_lang lang) {
    switch (x) {
    case SMTPCODES_ASPECT_KIND:
        sb_puts(b, ui[c->kind == SMTPCODES_BASIC ? UI_BASIC_KIND : UI_ENH_KIND][lang]);
        break;
    case SMTPCODES_ASPECT_CLASS:
        put_class_label(b, c);
        sb_puts(b, smtpcodes_class_name(c, lang));
        break;
    case SMTPCODES_ASPECT_CATEGORY:
        put_category_label(b, c);
        sb_puts(b, smtpcodes_category_name(c, lang));
        break;
    case SMTPCODES_ASPECT_PERMANENCE:
        sb_puts(b, perm_local[smtpcodes_permanence_of(c)][lang]);
        break;
    case SMTPCODES_ASPECT_RETRY:
        sb_puts(b, retry_text(smtpcodes_permanence_of(c), lang));
        break;
    case SMTPCODES_ASPECT_COMMANDS:
        put_commands(b, code_commands(c), lang, ", ");
        break;
    default:
        put_status(b, c, lang);
        break;
    }
}

int smtpcodes_aspect_value(const smtpcodes_comparison *cmp, smtpcodes_aspect x, int which,
                           smtpcodes_lang lang, char *buf, size_t cap) {
    if (!cmp || (unsigned)x >= SMTPCODES_NASPECT || (which != 0 && which != 1) || (!buf && cap))
        return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sbuf b;
    sb_init(&b, buf, cap);
    aspect_value(&b, which ? &cmp->b : &cmp->a, x, lang);
    return sb_result(&b);
}

/* "2xx Positive Completion" as prose uses the class digit and "xx". */
static void put_class_prose(sbuf *b, const smtpcodes_code *c, smtpcodes_lang lang) {
    if (c->kind == SMTPCODES_BASIC) sb_printf(b, "%dxx ", c->digits[0]);
    else if (c->digits[0]) sb_printf(b, "%d.x.x ", c->digits[0]);
    sb_puts(b, smtpcodes_class_name(c, lang));
}

/* A sentence of static text with its first letter lowered (ASCII only). */
static void put_lowered(sbuf *b, const char *s) {
    if (*s >= 'A' && *s <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')) {
        sb_putc(b, (char)(*s + 32));
        s++;
    }
    sb_puts(b, s);
}

static void put_first_sentence(sbuf *b, const char *s) {
    const char *p = s;
    while (*p) {
        if ((p[0] == '.' || p[0] == '!' || p[0] == '?') && (p[1] == ' ' || p[1] == '\0') &&
            !(p - s >= 2 && p[-2] == 'e' && p[-1] == '.') && !(p - s >= 1 && p[-1] == 'g' && p > s + 1 && p[-2] == '.')) {
            sb_putn(b, s, (size_t)(p - s + 1));
            return;
        }
        p++;
    }
    sb_puts(b, s);
}

static void summary(sbuf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang) {
    const smtpcodes_code *a = &cmp->a, *c = &cmp->b;
    int es = lang == SMTPCODES_ES;
    const struct class_text *ka = class_of(a);
    if (cmp->identical) {
        sb_printf(b, es ? "Has comparado %s consigo mismo: " : "You compared %s with itself: ", a->text);
        sb_puts(b, smtpcodes_text(a, SMTPCODES_TITLE, lang));
        sb_puts(b, ".");
        return;
    }
    if (a->kind != c->kind) {
        sb_printf(b, es ? "%s es un %s (RFC 5321) y %s un %s (RFC 3463). "
                        : "%s is a %s (RFC 5321) and %s an %s (RFC 3463). ",
                  a->kind == SMTPCODES_BASIC ? a->text : c->text, ui[UI_BASIC_KIND][lang],
                  a->kind == SMTPCODES_BASIC ? c->text : a->text, ui[UI_ENH_KIND][lang]);
    }
    if (cmp->same[SMTPCODES_ASPECT_CLASS] && ka) {
        sb_printf(b, es ? "Tanto %s como %s pertenecen a la clase " : "Both %s and %s belong to the ", a->text, c->text);
        put_class_prose(b, a, lang);
        sb_puts(b, es ? ": " : " class: ");
        put_lowered(b, ka->meaning[lang]);
        sb_puts(b, " ");
    } else {
        sb_printf(b, es ? "%s pertenece a la clase " : "%s belongs to the ", a->text);
        put_class_prose(b, a, lang);
        sb_printf(b, es ? ", mientras que %s pertenece a la clase " : " class, whereas %s belongs to the ", c->text);
        put_class_prose(b, c, lang);
        sb_puts(b, es ? ". " : " class. ");
    }
    /* category / subject */
    if (cmp->same[SMTPCODES_ASPECT_CATEGORY]) {
        sb_puts(b, es ? "Los dos est\303\241n en la categor\303\255a " : "Both are in the ");
        put_category_label(b, a);
        sb_puts(b, smtpcodes_category_name(a, lang));
        sb_puts(b, es ? ". " : " category. ");
    } else {
        sb_printf(b, es ? "%s (%s) entra en la categor\303\255a " : "%s (%s) falls in the ", a->text,
                  smtpcodes_text(a, SMTPCODES_TITLE, lang));
        put_category_label(b, a);
        sb_puts(b, smtpcodes_category_name(a, lang));
        sb_printf(b, es ? ", y %s (%s) en la categor\303\255a " : " category, while %s (%s) falls in the ", c->text,
                  smtpcodes_text(c, SMTPCODES_TITLE, lang));
        put_category_label(b, c);
        sb_puts(b, smtpcodes_category_name(c, lang));
        sb_puts(b, es ? ". " : " category. ");
    }
    unsigned long ca = code_commands(a), cc = code_commands(c);
    if (ca && cc) {
        if (ca == cc) {
            sb_puts(b, es ? "Ambos responden a " : "Both answer ");
            put_commands(b, ca, lang, or_word(lang));
            sb_puts(b, ". ");
        } else {
            sb_printf(b, es ? "Los servidores env\303\255an %s en respuesta a " : "Servers send %s in reply to ", a->text);
            put_commands(b, ca, lang, or_word(lang));
            sb_printf(b, es ? ", y %s en respuesta a " : ", and %s in reply to ", c->text);
            put_commands(b, cc, lang, or_word(lang));
            sb_puts(b, ". ");
        }
    }
    if (cmp->counterparts)
        sb_puts(b, es ? "Son la pareja temporal y permanente de la misma condici\303\263n. "
                      : "They are counterparts: the same condition reported as temporary and as permanent. ");
    else if (cmp->related)
        sb_puts(b, es ? "La base de conocimiento los registra como c\303\263digos relacionados. "
                      : "The knowledge base lists them as related codes. ");
    smtpcodes_permanence pa = smtpcodes_permanence_of(a), pc = smtpcodes_permanence_of(c);
    if (pa == pc) {
        if (pa == SMTPCODES_PERM_SUCCESS || pa == SMTPCODES_PERM_INTERMEDIATE)
            sb_puts(b, es ? "Ninguno de los dos es un error, as\303\255 que no hay nada que reintentar."
                          : "Neither is an error, so there is nothing to retry.");
        else if (pa == SMTPCODES_PERM_TEMPORARY)
            sb_puts(b, es ? "Los dos son temporales: el remitente debe reintentar m\303\241s tarde."
                          : "Both are temporary: the sender should retry later.");
        else if (pa == SMTPCODES_PERM_PERMANENT)
            sb_puts(b, es ? "Los dos son permanentes: reenviar sin cambios volver\303\241 a fallar."
                          : "Both are permanent: resending unchanged will fail again.");
        else
            sb_puts(b, es ? "Su permanencia depende de la clase con la que se env\303\255en."
                          : "Their permanence depends on the class they are sent with.");
    } else {
        sb_printf(b, es ? "Para el remitente, %s significa: " : "For the sender, %s means: ", a->text);
        sb_puts(b, retry_text(pa, lang));
        sb_printf(b, es ? "; %s significa: " : "; %s means: ", c->text);
        sb_puts(b, retry_text(pc, lang));
        sb_puts(b, ".");
    }
}

static void key_differences(sbuf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang, smtpcodes_format fmt) {
    int n = 0;
    for (int x = 0; x < SMTPCODES_NASPECT; x++) {
        if (cmp->same[x]) continue;
        n++;
        sb_puts(b, "- ");
        const char *name = aspect_names[x][lang];
        if (fmt == SMTPCODES_MARKDOWN) sb_puts(b, "**");
        sb_putc(b, (char)(name[0] - 32));
        sb_puts(b, name + 1);
        if (fmt == SMTPCODES_MARKDOWN) sb_puts(b, "**");
        sb_puts(b, ": ");
        sb_printf(b, "%s: ", cmp->a.text);
        aspect_value(b, &cmp->a, (smtpcodes_aspect)x, lang);
        sb_printf(b, "; %s: ", cmp->b.text);
        aspect_value(b, &cmp->b, (smtpcodes_aspect)x, lang);
        sb_puts(b, ".\n");
    }
    if (!n) {
        sb_puts(b, lang == SMTPCODES_ES
                       ? "- Coinciden en clase, categor\303\255a, permanencia, comandos y estatus; solo cambia el detalle del c\303\263digo.\n"
                       : "- They agree on class, category, permanence, commands and status; only the detail of the code differs.\n");
    }
}

static void when_to_use(sbuf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang, smtpcodes_format fmt) {
    const smtpcodes_code *codes[2] = {&cmp->a, &cmp->b};
    for (int i = 0; i < 2; i++) {
        const smtpcodes_code *c = codes[i];
        if (i && cmp->identical) break;
        sb_puts(b, "- ");
        if (fmt == SMTPCODES_MARKDOWN) sb_puts(b, "**");
        sb_puts(b, c->text);
        if (fmt == SMTPCODES_MARKDOWN) sb_puts(b, "**");
        sb_puts(b, " (");
        put_md(b, fmt, smtpcodes_text(c, SMTPCODES_TITLE, lang));
        sb_puts(b, "): ");
        unsigned long cm = code_commands(c);
        if (cm) {
            sb_puts(b, lang == SMTPCODES_ES ? "respuesta a " : "the reply to ");
            put_commands(b, cm, lang, or_word(lang));
            sb_puts(b, ". ");
        }
        char tmp[1024];
        sbuf t;
        sb_init(&t, tmp, sizeof tmp);
        put_first_sentence(&t, smtpcodes_text(c, SMTPCODES_WHEN, lang));
        put_md(b, fmt, tmp);
        sb_puts(b, " ");
        const char *r = retry_text(smtpcodes_permanence_of(c), lang);
        sb_putc(b, (char)(r[0] >= 'a' && r[0] <= 'z' ? r[0] - 32 : r[0]));
        sb_puts(b, r + 1);
        sb_puts(b, ".\n");
    }
}

int smtpcodes_render_comparison(const smtpcodes_comparison *cmp, smtpcodes_section section,
                                smtpcodes_lang lang, smtpcodes_format fmt, char *buf, size_t cap) {
    if (!cmp || (!buf && cap) || (fmt != SMTPCODES_TEXT && fmt != SMTPCODES_MARKDOWN) ||
        (unsigned)section > SMTPCODES_SECTION_WHEN_TO_USE || !code_ok(&cmp->a) || !code_ok(&cmp->b))
        return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sbuf b;
    sb_init(&b, buf, cap);
    switch (section) {
    case SMTPCODES_SECTION_SUMMARY: summary(&b, cmp, lang); break;
    case SMTPCODES_SECTION_KEY_DIFFERENCES: key_differences(&b, cmp, lang, fmt); break;
    case SMTPCODES_SECTION_WHEN_TO_USE: when_to_use(&b, cmp, lang, fmt); break;
    default: {
        char head[96];
        snprintf(head, sizeof head, "%s vs %s", cmp->a.text, cmp->b.text);
        put_heading(&b, fmt, 2, head);
        if (fmt != SMTPCODES_MARKDOWN) sb_putc(&b, '\n');
        summary(&b, cmp, lang);
        sb_puts(&b, "\n\n");
        const smtpcodes_code *codes[2] = {&cmp->a, &cmp->b};
        for (int i = 0; i < 2; i++) {
            if (i && cmp->identical) break;
            char h[600];
            snprintf(h, sizeof h, "%s %s %s", codes[i]->text, fmt == SMTPCODES_MARKDOWN ? "\xE2\x80\x94" : "-",
                     smtpcodes_text(codes[i], SMTPCODES_TITLE, lang));
            put_heading(&b, fmt, 3, h);
            if (fmt != SMTPCODES_MARKDOWN) sb_putc(&b, '\n');
            put_sections(&b, codes[i], lang, fmt);
        }
        put_heading(&b, fmt, 3, ui[UI_KEY_DIFF][lang]);
        if (fmt != SMTPCODES_MARKDOWN) sb_putc(&b, '\n');
        key_differences(&b, cmp, lang, fmt);
        sb_putc(&b, '\n');
        put_heading(&b, fmt, 3, ui[UI_WHEN_USE][lang]);
        if (fmt != SMTPCODES_MARKDOWN) sb_putc(&b, '\n');
        when_to_use(&b, cmp, lang, fmt);
        break;
    }
    }
    return sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* Classify                                                                   */

enum { R_DELIVERED = SC_R_DELIVERED, R_ONHOLD = SC_R_ONHOLD, R_UNDEFINED = SC_R_UNDEFINED,
       R_GREYLISTED = SC_R_GREYLISTED, R_NONE = SC_R_NONE, R_SECURITYERROR = SC_R_SECURITYERROR,
       R_CONTENTERROR = SC_R_CONTENTERROR, R_EXPIRED = SC_R_EXPIRED, R_NOTACCEPT = SC_R_NOTACCEPT };

typedef char sc_check_reasons[(SC_NREASONS == 38) ? 1 : -1];

size_t smtpcodes_reason_count(void) { return SC_NREASONS; }

const char *smtpcodes_reason_name(int reason) {
    return (reason >= 0 && reason < SC_NREASONS) ? reason_info[reason].name : NULL;
}

int smtpcodes_reason_index(const char *name, size_t len) {
    if (!name && len) return SMTPCODES_ERR_ARG;
    for (int i = 0; i < SC_NREASONS; i++) {
        const char *n = reason_info[i].name;
        if (strlen(n) != len) continue;
        size_t k = 0;
        while (k < len && lower((unsigned char)name[k]) == n[k]) k++;
        if (k == len) return i;
    }
    return SMTPCODES_ERR_SYNTAX;
}

const char *smtpcodes_reason_text(int reason, smtpcodes_reason_field f, smtpcodes_lang lang) {
    if (reason < 0 || reason >= SC_NREASONS || (unsigned)f > SMTPCODES_REASON_ACTION || !lang_ok(lang))
        return NULL;
    return reason_info[reason].text[f][lang];
}

int smtpcodes_reason_is_hard(int reason) {
    return (reason >= 0 && reason < SC_NREASONS) ? reason_info[reason].hard : 0;
}

const char *smtpcodes_evidence_name(smtpcodes_evidence e) {
    static const char *const names[] = {"none", "phrase", "status", "reply", "subject", "success", "default"};
    return ((unsigned)e < COUNT_OF(names)) ? names[e] : NULL;
}

static int status_reason(const smtpcodes_code *c) {
    size_t lo = 0, hi = SC_NSTATUS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct status_reason *s = &status_reasons[mid];
        int cmp = s->cls != c->digits[0] ? (s->cls < c->digits[0] ? -1 : 1)
                : s->subject != c->digits[1] ? (s->subject < c->digits[1] ? -1 : 1)
                : s->detail != c->digits[2] ? (s->detail < c->digits[2] ? -1 : 1) : 0;
        if (!cmp) return s->reason;
        if (cmp < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

static int reply_reason(int code) {
    for (size_t i = 0; i < SC_NREPLY; i++)
        if (reply_reasons[i].code == code) return reply_reasons[i].reason;
    return -1;
}

/* One pass of the phrase automaton over the whole input. */
typedef struct scan_result {
    int rule;                 /* best rule matched, or -1 */
    size_t rule_end;
    int vendor;               /* first vendor marker seen, or -1 */
    unsigned ctx;             /* SC_CTX_* bits: the session steps the text names */
} scan_result;

static int better_rule(int cand, int best) {
    if (best < 0) return 1;
    return rules[cand].priority > rules[best].priority;
}

/* One text being walked through the automaton. */
typedef struct scan_lane {
    const unsigned char *p;
    size_t len;
    unsigned state;
    unsigned int first_end[SC_NFRAGS], last_end[SC_NFRAGS];
    scan_result r;
} scan_lane;

static void lane_init(scan_lane *l, const char *s, size_t len) {
    l->p = (const unsigned char *)s;
    l->len = len;
    l->state = 0;
    memset(l->first_end, 0, sizeof l->first_end);
    memset(l->last_end, 0, sizeof l->last_end);
    l->r.rule = -1;
    l->r.rule_end = 0;
    l->r.vendor = -1;
    l->r.ctx = 0;
}

/* The patterns that end at position i (the lane's state has outputs). */
static void lane_outputs(scan_lane *l, size_t i) {
    scan_result *r = &l->r;
    unsigned n = state_out_count[l->state];
    const unsigned short *o = &state_out[state_out_start[l->state]];
    for (unsigned k = 0; k < n; k++) {
        const struct pattern *pt = &patterns[o[k]];
        if (pt->kind == 1) {
            if (better_rule(pt->arg, r->rule)) { r->rule = pt->arg; r->rule_end = i + 1; }
        } else if (pt->kind == 2) {
            if (r->vendor < 0) r->vendor = pt->arg;
        } else if (pt->kind == 4) {
            r->ctx |= 1u << pt->arg;
        } else {
            unsigned f = pattern_frag[o[k]];
            unsigned end = i + 1 > (size_t)UINT_MAX ? UINT_MAX : (unsigned)(i + 1);
            if (f < SC_NFRAGS) {
                if (!l->first_end[f]) l->first_end[f] = end;
                l->last_end[f] = end;
            }
        }
    }
}

/* One byte: the next state; bit 15 of a table entry says it has outputs. */
static inline void lane_step(scan_lane *l, size_t i) {
    unsigned next = automaton[l->state][byte_class[l->p[i]]];
    l->state = next & 0x7FFFu;
    if (next & 0x8000u) lane_outputs(l, i);
}

/* After the walk: the pairs whose fragments all appeared, in order. */
static void lane_finish(scan_lane *l) {
    scan_result *r = &l->r;
    for (size_t k = 0; k < COUNT_OF(pairs); k++) {
        const struct pair *pr = &pairs[k];
        if (!pr->n) continue;
        unsigned at = 0;
        int ok = 1;
        for (unsigned j = 0; j < pr->n && ok; j++) {
            unsigned f = pr->frag[j];
            /* the fragment must end after the previous one ended */
            if (!l->last_end[f] || l->last_end[f] <= at) ok = 0;
            else at = l->first_end[f] > at ? l->first_end[f] : l->last_end[f];
        }
        if (ok && better_rule(pr->rule, r->rule)) { r->rule = pr->rule; r->rule_end = at; }
    }
}

static void scan(const char *s, size_t len, scan_result *r) {
    scan_lane l;
    lane_init(&l, s, len);
    for (size_t i = 0; i < len; i++) lane_step(&l, i);
    lane_finish(&l);
    *r = l.r;
}

/* Sisimai decides a few reasons from the status code before it looks at the text:
 * mailboxfull, mesgtoobig, exceedlimit, suspend and hasmoved, in that order. */
static int early_rank(int reason) {
    switch (reason) {
    case SC_R_MAILBOXFULL: return 0;
    case SC_R_MESGTOOBIG: return 1;
    case SC_R_EXCEEDLIMIT: return 2;
    case SC_R_SUSPEND: return 3;
    case SC_R_HASMOVED: return 4;
    default: return 99;
    }
}

/* Context and status refinements of what an ordinary (non-definitive) phrase decided,
 * following Sisimai's decision order, with the session step read from the text instead
 * of the SMTP command:
 * - a permanent status that points at mailboxfull/mesgtoobig/exceedlimit/suspend/hasmoved
 *   outranks a phrase of a reason Sisimai checks later (a size phrase under 5.2.3 is
 *   exceedlimit); a mailbox-full phrase under a system-full status is systemfull;
 * - a recipient refusal at MAIL FROM is about the sender ("rejected"); at connection or
 *   HELO, "blocked"; after DATA, or under a status that points at a filter, a security
 *   check or the mail system (X.2.0, X.3.x, X.7.x), "filtered" (Sisimai: userunknown only
 *   at RCPT or under a userunknown status);
 * - with no phrase and no telling status, a refusal at connection/HELO is "blocked" and
 *   one at MAIL FROM is "rejected".
 * `reason` is what the phrases decided (or -1); `definitive` is set for vendor wordings. */
static int context_reason(int reason, int definitive, const smtpcodes_classification *c, unsigned ctx) {
    int st = c->code_reason;
    int subject = c->has_enhanced ? c->enhanced.digits[1] : -1;
    int detail = c->has_enhanced ? c->enhanced.digits[2] : -1;
    int rcpt = (ctx & SC_CTX_RCPT) != 0, mail = (ctx & SC_CTX_MAIL) != 0;
    int conn = (ctx & SC_CTX_CONNECT) != 0;
    if (reason < 0) {
        if (st >= 0) return reason;
        if (conn && !rcpt && !mail) return SC_R_BLOCKED;
        if (mail && !rcpt) return SC_R_REJECTED;
        return reason;
    }
    if (definitive) return reason;
    if (st >= 0 && c->has_enhanced && c->enhanced.digits[0] == 5 && early_rank(st) < 99) {
        if (reason == SC_R_MESGTOOBIG && st == SC_R_EXCEEDLIMIT) return st;
        if (early_rank(reason) > early_rank(st)) return st;
    }
    if (reason == SC_R_MAILBOXFULL && st == SC_R_SYSTEMFULL) return st;
    int address = reason == SC_R_USERUNKNOWN || reason == SC_R_HOSTUNKNOWN || reason == SC_R_FILTERED;
    if (address && mail && !rcpt) return SC_R_REJECTED;
    if (address && conn && !rcpt && !mail) return SC_R_BLOCKED;
    if (reason == SC_R_USERUNKNOWN && !rcpt && st != SC_R_USERUNKNOWN) {
        if (ctx & SC_CTX_DATA) return SC_R_FILTERED;
        if ((subject == 2 && detail == 0) || subject == 3 || subject == 7) return SC_R_FILTERED;
    }
    return reason;
}

/* The codes of a reply, before its text is scanned. */
static smtpcodes_status classify_codes(const char *s, size_t len, smtpcodes_classification *out) {
    if (!out || (!s && len)) return SMTPCODES_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->reason = R_UNDEFINED;
    out->code_reason = -1;
    smtpcodes_reply r;
    int st = smtpcodes_parse(s, len, 0, &r);
    if (st == SMTPCODES_ERR_EMPTY || st == SMTPCODES_ERR_ARG) return (smtpcodes_status)st;
    if (st == SMTPCODES_OK) {
        out->has_basic = r.has_basic;
        out->has_enhanced = r.has_enhanced;
        out->code = r.reply_code;
        out->enhanced = r.status_code;
        out->permanence = r.permanence;
        out->flags = r.flags;
    }
    return SMTPCODES_OK;
}

/* The reason, from the codes and what the scan of the text found. */
static void classify_decide(const char *s, size_t len, smtpcodes_classification *out, const scan_result *scanned) {
    scan_result sr = *scanned;
    if (sr.vendor >= 0) out->vendor = vendor_names[sr.vendor];
    if (sr.rule >= 0) {
        out->phrase = rules[sr.rule].phrase;
        out->phrase_end = sr.rule_end;
        if (rules[sr.rule].vendor >= 0) out->rule_vendor = vendor_names[rules[sr.rule].vendor];
        if (!out->vendor) out->vendor = out->rule_vendor;   /* the wording names its vendor */
    }
    smtpcodes_permanence perm = out->permanence;
    int phrase_reason = sr.rule >= 0 ? rules[sr.rule].reason : -1;
    if (phrase_reason == SC_R_MAILERERROR && (perm == SMTPCODES_PERM_SUCCESS || perm == SMTPCODES_PERM_INTERMEDIATE)) {
        /* "X-Unix; 255": the number is the local mailer's exit status, not a reply code */
        out->has_basic = 0;
        out->permanence = perm = SMTPCODES_PERM_UNKNOWN;
    }

    if (perm == SMTPCODES_PERM_SUCCESS || perm == SMTPCODES_PERM_INTERMEDIATE) {
        int code = out->has_basic ? out->code.digits[0] * 100 + out->code.digits[1] * 10 + out->code.digits[2] : 0;
        int delivered = (out->has_enhanced && out->enhanced.digits[0] == 2) || phrase_reason == R_DELIVERED ||
                        (!out->has_basic && out->has_enhanced) || code == 251;
        out->reason = (perm == SMTPCODES_PERM_SUCCESS && delivered) ? R_DELIVERED : R_NONE;
        out->evidence = SMTPCODES_EV_SUCCESS;
    } else {
        if (out->has_enhanced) out->code_reason = status_reason(&out->enhanced);
        int reply_r = -1;
        if (out->has_basic)
            reply_r = reply_reason(out->code.digits[0] * 100 + out->code.digits[1] * 10 + out->code.digits[2]);
        int text_reason = phrase_reason >= 0 && phrase_reason != R_DELIVERED &&
                          (rules[sr.rule].strong || out->code_reason < 0) ? phrase_reason : -1;
        text_reason = context_reason(text_reason, text_reason >= 0 && rules[sr.rule].priority >= 100, out, sr.ctx);
        if (text_reason >= 0) {
            out->reason = text_reason;
            out->evidence = SMTPCODES_EV_PHRASE;
            out->overridden = out->code_reason >= 0 && out->code_reason != text_reason;
        } else if (out->code_reason >= 0) {
            out->reason = out->code_reason;
            out->evidence = SMTPCODES_EV_STATUS;
        } else if (out->has_enhanced && (out->enhanced.digits[1] == 6 || out->enhanced.digits[1] == 7)) {
            out->reason = out->enhanced.digits[1] == 6 ? R_CONTENTERROR : R_SECURITYERROR;
            out->evidence = SMTPCODES_EV_SUBJECT;
        } else if (reply_r >= 0) {
            out->reason = reply_r;
            out->evidence = SMTPCODES_EV_REPLY;
            if (out->code_reason < 0) out->code_reason = reply_r;
        } else {
            /* Sisimai's last resort: text to read is "on hold"; nothing to read (no code,
             * no word: "***", "0", control bytes) is "undefined" */
            int words = out->has_basic || out->has_enhanced;
            for (size_t k = 0; k < len && !words; k++) {
                unsigned char ch = (unsigned char)s[k];
                words = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
            }
            out->reason = words ? R_ONHOLD : R_UNDEFINED;
            out->evidence = SMTPCODES_EV_DEFAULT;
        }
    }
    const struct reason_info *ri = &reason_info[out->reason];
    out->hard_bounce = ri->hard && perm != SMTPCODES_PERM_TEMPORARY && perm != SMTPCODES_PERM_SUCCESS &&
                       perm != SMTPCODES_PERM_INTERMEDIATE &&
                       (out->reason != R_NOTACCEPT || perm == SMTPCODES_PERM_PERMANENT);
    switch (perm) {
    case SMTPCODES_PERM_TEMPORARY: out->retry = out->reason != R_EXPIRED; break;
    case SMTPCODES_PERM_UNKNOWN: out->retry = ri->retry; break;
    default: out->retry = 0; break;   /* permanent, or a positive reply */
    }
    if (out->reason == R_GREYLISTED) out->retry = 1;
}

smtpcodes_status smtpcodes_classify(const char *s, size_t len, smtpcodes_classification *out) {
    smtpcodes_status st = classify_codes(s, len, out);
    if (st != SMTPCODES_OK) return st;
    scan_result sr;
    scan(s, len, &sr);
    classify_decide(s, len, out, &sr);
    return SMTPCODES_OK;
}

size_t smtpcodes_classify_many(const char *const *texts, const size_t *lens, size_t n,
                               smtpcodes_classification *out, int *status) {
    if (!texts || !lens || !out || !status) return 0;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        status[i] = smtpcodes_classify(texts[i], lens[i], &out[i]);
        ok += status[i] == SMTPCODES_OK;
    }
    return ok;
}

int smtpcodes_render_evidence(const smtpcodes_classification *c, smtpcodes_lang lang, char *buf, size_t cap) {
    if (!c || (!buf && cap) || c->reason < 0 || c->reason >= SC_NREASONS) return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    int es = lang == SMTPCODES_ES;
    sbuf b;
    sb_init(&b, buf, cap);
    const char *reason = reason_info[c->reason].name;
    switch (c->evidence) {
    case SMTPCODES_EV_PHRASE:
        sb_printf(&b, es ? "la frase \"%s\"" : "the phrase \"%s\"", c->phrase ? c->phrase : "");
        if (c->rule_vendor) sb_printf(&b, es ? " (redacci\303\263n de %s)" : " (%s wording)", c->rule_vendor);
        sb_printf(&b, es ? " indica %s" : " indicates %s", reason);
        if (c->overridden) {
            const char *what = c->has_enhanced ? c->enhanced.text : c->code.text;
            sb_printf(&b, es ? "; el texto prevalece sobre el c\303\263digo %s, que por s\303\255 solo indicar\303\255a %s"
                             : "; the text outranks code %s, which alone would mean %s",
                      what, reason_info[c->code_reason].name);
        }
        break;
    case SMTPCODES_EV_STATUS:
        sb_printf(&b, es ? "el c\303\263digo de estado %s indica %s" : "status %s implies %s", c->enhanced.text, reason);
        break;
    case SMTPCODES_EV_SUBJECT:
        sb_printf(&b, es ? "el asunto X.%d de %s indica %s" : "the X.%d subject of %s implies %s",
                  c->enhanced.digits[1], c->enhanced.text, reason);
        break;
    case SMTPCODES_EV_REPLY:
        sb_printf(&b, es ? "el c\303\263digo de respuesta %s indica %s" : "reply code %s implies %s", c->code.text, reason);
        break;
    case SMTPCODES_EV_SUCCESS:
        sb_printf(&b, es ? "respuesta positiva %s: %s" : "positive reply %s: %s",
                  c->has_basic ? c->code.text : c->enhanced.text, reason);
        break;
    default:
        sb_puts(&b, c->reason == R_ONHOLD
                        ? (es ? "ni el c\303\263digo ni ninguna frase conocida permiten decidir: queda en espera (onhold)"
                              : "neither a code nor a known phrase decides: on hold (onhold)")
                        : (es ? "no hay c\303\263digo ni palabras que leer (undefined)"
                              : "no code and no words to read (undefined)"));
        break;
    }
    if (c->vendor && (!c->rule_vendor || strcmp(c->vendor, c->rule_vendor) != 0))
        sb_printf(&b, es ? "; respuesta de %s" : "; reply written by %s", c->vendor);
    return sb_result(&b);
}

int smtpcodes_render_retry(const smtpcodes_classification *c, smtpcodes_lang lang, char *buf, size_t cap) {
    if (!c || (!buf && cap) || c->reason < 0 || c->reason >= SC_NREASONS) return SMTPCODES_ERR_ARG;
    if (!lang_ok(lang)) return SMTPCODES_ERR_LANG;
    int es = lang == SMTPCODES_ES;
    sbuf b;
    sb_init(&b, buf, cap);
    if (c->permanence == SMTPCODES_PERM_SUCCESS || c->permanence == SMTPCODES_PERM_INTERMEDIATE)
        sb_puts(&b, es ? "No hace falta reintentar: la respuesta es positiva. "
                       : "No retry needed: the reply is positive. ");
    else if (c->reason == R_GREYLISTED)
        sb_puts(&b, es ? "Reintenta: el listado gris acepta el mismo mensaje en un intento posterior, pasados unos minutos. "
                       : "Retry: greylisting accepts the same message on a later attempt, after a few minutes. ");
    else if (c->retry)
        sb_puts(&b, es ? "Reintenta m\303\241s tarde: el fallo es temporal y la cola emisora lo reintentar\303\241. "
                       : "Retry later: the failure is temporary and the sending queue will try again. ");
    else if (c->permanence == SMTPCODES_PERM_TEMPORARY)
        sb_puts(&b, es ? "No reintentes: los reintentos ya se agotaron. "
                       : "Do not retry: the retries have already run out. ");
    else
        sb_puts(&b, es ? "No reintentes sin cambios: volver\303\241 a fallar. "
                       : "Do not retry unchanged: it will fail again. ");
    sb_puts(&b, reason_info[c->reason].text[2][lang]);
    return sb_result(&b);
}
