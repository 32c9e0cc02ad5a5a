/* parse.c - SMTP replies: strict RFC 5321 parsing and the lenient reader.
 *
 * Owns smtpcodes_parse() and smtpcodes_reply_text(): splitting a reply into
 * lines, the reply code and enhanced status code of each line, multi-line
 * continuation, and, in lenient mode, finding the codes inside log lines and
 * bounce texts. The reply's text views point into the caller's buffer. */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Parse                                                                      */

/* A basic reply code at s[i..i+2]: valid per RFC 5321 4.2 ABNF, or (lenient)
 * a non-standard code the knowledge base holds, such as 571. */
static int basic_at(const char *s, size_t len, size_t i, int strict) {
    if (i + 3 > len) return 0;
    int a = (unsigned char)s[i], b = (unsigned char)s[i + 1], c = (unsigned char)s[i + 2];
    if (!sc_is_digit(a) || !sc_is_digit(b) || !sc_is_digit(c)) return 0;
    int v = (a - '0') * 100 + (b - '0') * 10 + (c - '0');
    if (a >= '2' && a <= '5' && b <= '5') return v;
    if (!strict && sc_find_exact(SMTPCODES_BASIC, a - '0', b - '0', c - '0')) return v;
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
    int sub = sc_read_num(s, len, &j);
    if (sub < 0 || j >= len || s[j] != '.') return 0;
    j++;
    int det = sc_read_num(s, len, &j);
    if (det < 0) return 0;
    if (j < len && sc_is_digit((unsigned char)s[j])) return 0;
    if (j + 1 < len && s[j] == '.' && sc_is_digit((unsigned char)s[j + 1])) return 0;
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
        size_t k = sc_utf8_seq(p + i, len - i);
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
        if (i > 0 && (sc_is_digit((unsigned char)s[i - 1]) || s[i - 1] == '.')) continue;
        size_t j = i + 3;
        if (j < len && s[j] != ' ' && s[j] != '-' && s[j] != '\t') continue;
        if (j < len && s[j] == '-' && (j + 1 >= len || sc_is_space((unsigned char)s[j + 1]))) continue;
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
    while (t < len && sc_is_space((unsigned char)s[t])) t++;
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
            if (!v && raw_len >= 3 && sc_is_digit((unsigned char)line[0]) && sc_is_digit((unsigned char)line[1]) &&
                sc_is_digit((unsigned char)line[2]) && (raw_len == 3 || !sc_is_digit((unsigned char)line[3])))
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
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    if (!r) return 0;
    for (size_t i = 0; i < r->nlines; i++) {
        if (i) sc_sb_putc(&b, '\n');
        sc_sb_putn(&b, r->lines[i].text, r->lines[i].text_len);
    }
    return b.len;
}
