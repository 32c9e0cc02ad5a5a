/* parse.c - SMTP replies: strict RFC 5321 parsing and the lenient reader.
 *
 * Owns smtpcodes_parse() and smtpcodes_reply_text(): splitting a reply into
 * lines, the reply code and enhanced status code of each line, multi-line
 * continuation, and, in lenient mode, finding the codes inside log lines and
 * bounce texts. The reply's text views point into the caller's buffer. */
#include "internal.h"

#include <stdint.h>
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

/* What scan_line does with each byte value: pass over it (printable ASCII but 1-5), note a
 * code that may start there (1-5), flag a control character, or read a UTF-8 sequence. */
enum { LS_PLAIN = 0, LS_DIGIT = 1, LS_TAB = 2, LS_CONTROL = 3, LS_HIGH = 4 };
#define LS_16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char line_byte[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 3, 3, 3, 3, LS_16(3),
    LS_16(0),
    0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    LS_16(0), LS_16(0), LS_16(0),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
    LS_16(4), LS_16(4), LS_16(4), LS_16(4), LS_16(4), LS_16(4), LS_16(4), LS_16(4)};
/* the bytes a code may follow: space, tab and  ( [ " ' < ; # = : */
static const unsigned char code_boundary[256] = {
    ['\t'] = 1, [' '] = 1, ['('] = 1, ['['] = 1, ['"'] = 1, ['\''] = 1, ['<'] = 1, [';'] = 1, ['#'] = 1,
    ['='] = 1, [':'] = 1};

/* 8 bytes read as one word: 1 when all are printable ASCII (0x20-0x7E), with *digits the
 * bit 7 of each byte that is a digit 1-5; 0 when one needs the byte loop (a control
 * character, tab, DEL or a byte over 0x7F). Without high bits no byte's sum carries into the
 * next, so each test is exact per byte. */
static inline int digits8(uint64_t x, uint64_t *digits) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    if (x & highs) return 0;
    uint64_t below_space = (x - ones * 0x20) & ~x & highs;
    uint64_t y = x ^ (ones * 0x7F);
    if (below_space | ((y - ones) & ~y & highs)) return 0;
    *digits = (x + ones * (0x80 - '1')) & ~(x + ones * (0x80 - '6')) & highs;
    return 1;
}

/* With a little-endian word and a count-trailing-zeros, the digits are taken bit by bit;
 * otherwise (or with SC_PORTABLE_SCAN) a word with a digit goes to the byte loop. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !defined(SC_PORTABLE_SCAN)
#define SC_DIGIT_BITS 1
#endif
/* On x86-64 (SSE2 is part of it) sixteen bytes are checked at once, with the same results. */
#if defined(__GNUC__) && defined(__SSE2__) && !defined(SC_PORTABLE_SCAN)
#define SC_SSE2_SCAN 1
#include <emmintrin.h>

/* The sixteen bytes the scans read at i (len >= 16, i <= len): from i on, or near the end the
 * last sixteen; their start goes to *base and *keep has a bit for each byte from i on (the
 * ones not seen yet). */
static inline __m128i chunk16(const char *s, size_t len, size_t i, size_t *base, unsigned *keep) {
    *base = i + 16 <= len ? i : len - 16;
    *keep = 0xFFFFu << (i - *base);
    return _mm_loadu_si128((const __m128i *)(const void *)(s + *base));
}

/* The bytes of x equal to c (0xFF each), and the bit mask of a byte mask. */
static inline __m128i eq16(__m128i x, char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); }
static inline unsigned bits16(__m128i m) { return (unsigned)_mm_movemask_epi8(m); }
#endif

static void scan_line(const char *s, size_t len, line_scan *ls) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned flags = 0;
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
#ifdef SC_SSE2_SCAN
        if (len >= 16) {   /* sixteen printable bytes at a time (SSE2, every x86-64) */
            size_t base;
            unsigned keep;
            __m128i x = chunk16(s, len, i, &base, &keep);
            /* signed: the bytes over 0x7F are negative, so below the space too */
            if (!(keep & bits16(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), eq16(x, 0x7F))))) {
                unsigned m = keep & (unsigned)_mm_movemask_epi8(
                    _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0')), _mm_cmplt_epi8(x, _mm_set1_epi8('6'))));
                if (m) {   /* keep the digits whose previous byte is a boundary (code_boundary) */
                    /* the previous bytes; at the line's start, shifted in, and its first byte
                     * is a candidate by itself */
                    __m128i q = base ? _mm_loadu_si128((const __m128i *)(const void *)(p + base - 1)) : _mm_slli_si128(x, 1);
                    const __m128i zero = _mm_setzero_si128();
                    /* HT, SP and '[' alone; '"' '#', '\'' '(' and ':' ';' '<' '=' as ranges */
                    __m128i b = _mm_or_si128(_mm_cmpeq_epi8(q, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(q, _mm_set1_epi8(' ')));
                    b = _mm_or_si128(b, _mm_cmpeq_epi8(q, _mm_set1_epi8('[')));
                    b = _mm_or_si128(b, _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(q, _mm_set1_epi8('"')), _mm_set1_epi8(1)), zero));
                    b = _mm_or_si128(b, _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(q, _mm_set1_epi8('\'')), _mm_set1_epi8(1)), zero));
                    b = _mm_or_si128(b, _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(q, _mm_set1_epi8(':')), _mm_set1_epi8(3)), zero));
                    m &= (unsigned)_mm_movemask_epi8(b) | (base ? 0u : 1u);
                }
                while (m) {
                    if (n < MAX_CANDS) ls->pos[n] = base + (size_t)__builtin_ctz(m);
                    n++;
                    m &= m - 1;
                }
                i = base + 16;
                continue;
            }
        }
#endif
        if (i + 8 <= len) {   /* eight ordinary bytes at a time: the common case */
            uint64_t x;
            memcpy(&x, p + i, 8);
            uint64_t d;
            if (digits8(x, &d)) {   /* printable ASCII: only the digits 1-5 need a look */
#ifdef SC_DIGIT_BITS
                while (d) {
                    size_t at = i + (size_t)(__builtin_ctzll(d) >> 3);
                    if (at == 0 || code_boundary[p[at - 1]]) {
                        if (n < MAX_CANDS) ls->pos[n] = at;
                        n++;
                    }
                    d &= d - 1;
                }
#endif
                if (!d) { i += 8; continue; }
            }
        }
        size_t stop = i + 8 < len ? i + 8 : len;
        while (i < stop) {
            unsigned k = line_byte[p[i]];
            if (k == LS_PLAIN) { i++; continue; }
            if (k == LS_DIGIT) {
                if (i == 0 || code_boundary[p[i - 1]]) {
                    if (n < MAX_CANDS) ls->pos[n] = i;
                    n++;
                }
                i++;
                continue;
            }
            if (k != LS_HIGH) {
                if (k == LS_CONTROL) flags |= SMTPCODES_F_CONTROL_CHARS;
                i++;
                continue;
            }
            size_t q = sc_utf8_seq(p + i, len - i);
            if (!q) { flags |= SMTPCODES_F_NOT_UTF8; q = 1; }
            i += q;
        }
    }
    ls->flags = flags;
    ls->n = n;
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
        if (!n || d[1] > 7) continue;   /* RFC 3463 subjects are 0-7: "Postfix 2.11.3" is a version */
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

/* ------------------------------------------------------------------------ */
/* Strict: RFC 5321 4.2 and 4.5.3.1.5                                          */

/* Record a line and check its codes against the earlier lines. */
static void store_line(smtpcodes_reply *out, const char *line, size_t raw_len, int got, const found_code *f,
                       size_t from, unsigned int *flags) {
    if (out->nlines < SMTPCODES_MAX_LINES) {
        smtpcodes_line *L = &out->lines[out->nlines++];
        L->raw = line;
        L->raw_len = raw_len;
        L->basic = got == 1 ? f->basic : 0;
        L->continued = got == 1 ? f->continued : 0;
        L->has_enhanced = f->has_enh;
        memcpy(L->enhanced, f->enh, sizeof f->enh);
        L->text = line + from;
        L->text_len = raw_len - from;
        if (got == 1 && !L->text_len && out->total_lines == 0) *flags |= SMTPCODES_F_BARE;
    } else {
        *flags |= SMTPCODES_F_TRUNCATED;
    }
    out->total_lines++;
}

/* The codes of a line against the reply's first ones: 0, or 1 when they differ. */
static int note_codes(smtpcodes_reply *out, int got, const found_code *f, int *first_basic) {
    int differ = 0;
    if (got == 1) {
        if (!*first_basic) *first_basic = f->basic;
        else if (f->basic != *first_basic) differ = 1;
        if (!out->has_basic) {
            smtpcodes_lookup_basic(f->basic, &out->reply_code);
            out->has_basic = 1;
        }
    }
    if (f->has_enh) {
        if (!out->has_enhanced) {
            smtpcodes_lookup_enhanced(f->enh[0], f->enh[1], f->enh[2], &out->status_code);
            out->has_enhanced = 1;
        } else if (out->status_code.digits[0] != f->enh[0] || out->status_code.digits[1] != f->enh[1] ||
                   out->status_code.digits[2] != f->enh[2]) {
            differ = 1;
        }
    }
    return differ;
}

/* The flags every parse derives from the codes once the lines are read. */
static smtpcodes_status finish(smtpcodes_reply *out, unsigned int flags, int strict) {
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

/* Reply = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF,
 * textstring = 1*(%d09 / %d32-126) (valid UTF-8 also accepted, RFC 6531), a reply line at
 * most 512 octets with its CRLF. The final CRLF may be left off. */
static smtpcodes_status parse_strict(const char *s, size_t len, smtpcodes_reply *out) {
    size_t pos = 0;
    int first_basic = 0, saw_final = 0, last_continued = 0;
    unsigned int flags = 0;
    while (pos < len) {
        size_t i = pos, eol = len, next = len;
        const unsigned char *p = (const unsigned char *)s;
        while (i < len) {
            unsigned char c = p[i];
            if (c >= 0x20 && c < 0x7F) { i++; continue; }
            if (c == '\r') {
                if (i + 1 < len && s[i + 1] == '\n') { eol = i; next = i + 2; break; }
                return SMTPCODES_ERR_BARE_CR;
            }
            if (c == '\n') return SMTPCODES_ERR_BARE_LF;
            if (c == 0) return SMTPCODES_ERR_NUL;
            if (c == '\t') { i++; continue; }
            if (c < 0x80) return SMTPCODES_ERR_CONTROL;
            size_t k = sc_utf8_seq(p + i, len - i);
            if (!k) return SMTPCODES_ERR_CONTROL;
            i += k;
        }
        const char *line = s + pos;
        size_t raw_len = eol - pos;
        pos = next;
        if (raw_len + 2 > 512) return SMTPCODES_ERR_LINE_LENGTH;
        if (saw_final) return SMTPCODES_ERR_TRAILING;
        int first = out->total_lines == 0;
        int v = basic_at(line, raw_len, 0, 1);
        if (!v) {
            if (raw_len >= 3 && sc_is_digit((unsigned char)line[0]) && sc_is_digit((unsigned char)line[1]) &&
                sc_is_digit((unsigned char)line[2]) && (raw_len == 3 || !sc_is_digit((unsigned char)line[3])))
                return SMTPCODES_ERR_RANGE;
            return first ? SMTPCODES_ERR_SYNTAX : SMTPCODES_ERR_NO_LINE_CODE;
        }
        if (raw_len > 3 && line[3] != ' ' && line[3] != '-')
            return sc_is_digit((unsigned char)line[3]) ? (first ? SMTPCODES_ERR_SYNTAX : SMTPCODES_ERR_NO_LINE_CODE)
                                                       : SMTPCODES_ERR_SEPARATOR;
        found_code f;
        memset(&f, 0, sizeof f);
        f.pos = 0;
        f.basic = v;
        after_basic(line, raw_len, &f, 1);
        if (note_codes(out, 1, &f, &first_basic)) return SMTPCODES_ERR_MIXED;
        if (f.continued) last_continued = 1;
        else { last_continued = 0; saw_final = 1; }
        store_line(out, line, raw_len, 1, &f, f.text, &flags);
    }
    if (!out->has_basic) return SMTPCODES_ERR_SYNTAX;
    if (last_continued) return SMTPCODES_ERR_INCOMPLETE;
    return finish(out, flags, 1);
}

/* ------------------------------------------------------------------------ */
/* Lenient: wrappers, placements, line ends                                    */

static const char *find_str(const char *s, size_t len, const char *needle) {
    size_t n = strlen(needle);
    if (n > len) return NULL;
    const char *end = s + len - n;
    for (const char *p = s; p <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (!p) return NULL;
        if (memcmp(p, needle, n) == 0) return p;
    }
    return NULL;
}

static int ci_prefix(const char *s, size_t len, const char *word) {
    size_t n = strlen(word);
    if (n > len) return 0;
    for (size_t i = 0; i < n; i++)
        if (sc_lower((unsigned char)s[i]) != sc_lower((unsigned char)word[i])) return 0;
    return 1;
}

/* SMTP stages as wrappers name them, and the name smtpcodes reports. */
static const struct { const char *word; const char *stage; } stages[] = {
    {"RCPT TO", "RCPT TO"}, {"MAIL FROM", "MAIL FROM"}, {"end of DATA", "end of DATA"},
    {"end of data", "end of DATA"}, {"DATA", "DATA"}, {"BDAT", "end of DATA"},
    {"initial connection", "CONNECT"}, {"EHLO", "EHLO"}, {"HELO", "HELO"}, {"LHLO", "LHLO"},
    {"AUTH", "AUTH"}, {"STARTTLS", "STARTTLS"}, {"QUIT", "QUIT"}, {"RSET", "RSET"},
    {"XFORWARD", "XFORWARD"}, {"XCLIENT", "XCLIENT"}, {"connect", "CONNECT"},
    {"greeting", "CONNECT"},
};

static const char *stage_at(const char *s, size_t len, size_t *used) {
    for (size_t i = 0; i < COUNT_OF(stages); i++)
        if (ci_prefix(s, len, stages[i].word)) {
            size_t n = strlen(stages[i].word);
            if (n < len && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))) continue;
            if (used) *used = n;
            return stages[i].stage;
        }
    return NULL;
}

typedef struct wrapper {
    size_t a, b;          /* the server's text */
    const char *stage, *mta;
} wrapper;

/* A trailing ")" that closes a parenthesis opened before the region ("status=bounced (host
 * x said: 550 ...)") is the wrapper's. */
static size_t trim_region_end(const char *s, size_t a, size_t b) {
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
    while (b > a && s[b - 1] == ')') {
        int depth = 0;
        for (size_t k = a; k < b - 1; k++) depth += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
        if (depth > 0) break;
        b--;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
    }
    return b;
}

/* The wrapper words, each found at its rarer byte: m[0] the first " said: ", m[1] the first
 * "refused to talk to me: " (both at their ':'), m[2] the first "SMTP error from remote" (at
 * its 'S'), m[3] the first "stat=" (at its '='). Returns 1 at " said: ", which outranks the rest. */
static int wrapper_mark(const char *s, size_t len, size_t i, const char *m[4]) {
    switch (s[i]) {
    case ':':
        if (i + 1 >= len || s[i + 1] != ' ') return 0;
        if (i >= 5 && memcmp(s + i - 5, " said", 5) == 0) { m[0] = s + i - 5; return 1; }
        if (!m[1] && i >= 21 && memcmp(s + i - 21, "refused to talk to me", 21) == 0) m[1] = s + i - 21;
        return 0;
    case 'S':
        if (!m[2] && len - i >= 22 && memcmp(s + i, "SMTP error from remote", 22) == 0) m[2] = s + i;
        return 0;
    case '=':
        if (!m[3] && i >= 4 && memcmp(s + i - 4, "stat", 4) == 0) m[3] = s + i - 4;
        return 0;
    default: return 0;
    }
}

static void wrapper_marks(const char *s, size_t len, const char *m[4]) {
    m[0] = m[1] = m[2] = m[3] = NULL;
#ifdef SC_SSE2_SCAN
    /* one pass over the three bytes, sixteen at a time */
    if (len < 16) {
        for (size_t i = 0; i < len; i++)
            if (wrapper_mark(s, len, i, m)) return;
        return;
    }
    for (size_t i = 0; i < len;) {
        size_t base;
        unsigned keep;
        __m128i x = chunk16(s, len, i, &base, &keep);
        unsigned b = keep & bits16(_mm_or_si128(_mm_or_si128(eq16(x, ':'), eq16(x, 'S')), eq16(x, '=')));
        for (; b; b &= b - 1)
            if (wrapper_mark(s, len, base + (size_t)__builtin_ctz(b), m)) return;
        i = base + 16;
    }
#else
    for (const char *q = s, *end = s + len; (q = memchr(q, ':', (size_t)(end - q))) != NULL; q++)
        if (wrapper_mark(s, len, (size_t)(q - s), m)) return;
    if (m[1]) return;
    for (const char *q = s, *end = s + len; !m[2] && (q = memchr(q, 'S', (size_t)(end - q))) != NULL; q++)
        wrapper_mark(s, len, (size_t)(q - s), m);
    for (const char *q = s, *end = s + len; !m[2] && !m[3] && (q = memchr(q, '=', (size_t)(end - q))) != NULL; q++)
        wrapper_mark(s, len, (size_t)(q - s), m);
#endif
}

/* Postfix's "said:" / "refused to talk to me:" with "(in reply to X command)", Exim's
 * "SMTP error from remote mail server after X:", Sendmail's "stat=", in that order. */
static int find_wrapper(const char *s, size_t len, wrapper *w) {
    const char *m[4];
    memset(w, 0, sizeof *w);
    wrapper_marks(s, len, m);
    const char *p = NULL, *said = m[0], *refusal = said ? NULL : m[1];
    const char *exim = said || refusal ? NULL : m[2], *stat = said || refusal || exim ? NULL : m[3];
    int refused = 0;
    if (said) p = said;
    else if (refusal) { p = refusal; refused = 1; }
    if (p) {
        size_t a = (size_t)(p - s) + (refused ? 23 : 7);
        size_t b = len;
        const char *q = NULL, *t = s + a;
        while ((t = find_str(t, len - (size_t)(t - s), "(in reply to ")) != NULL) { q = t; t++; }
        w->mta = "Postfix";
        if (refused) w->stage = "CONNECT";
        else if (find_str(s, (size_t)(p - s), "SASL authentication failed")) w->stage = "AUTH";
        if (q) {
            b = (size_t)(q - s);
            size_t used = 0;
            size_t at = (size_t)(q - s) + 13;
            const char *st = stage_at(q + 13, len - at, &used);
            if (st) w->stage = st;
        }
        w->a = a;
        w->b = trim_region_end(s, a, b);
        return w->b > w->a;
    }
    if ((p = exim) != NULL) {
        size_t i = (size_t)(p - s);
        const char *after = find_str(p, len - i, " after ");
        w->mta = "Exim";
        if (!after) return 0;
        i = (size_t)(after - s) + 7;
        if (ci_prefix(s + i, len - i, "pipelined ")) i += 10;
        size_t used = 0;
        w->stage = stage_at(s + i, len - i, &used);
        i += used;
        if (i < len && s[i] == ':') i++;
        if (i < len && s[i] == '<') { while (i < len && s[i] != '>') i++; }
        while (i < len && !(s[i] == ':' && (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n'))) i++;
        if (i >= len) return 0;
        i++;
        while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
        if (ci_prefix(s + i, len - i, "host ")) {   /* older Exim: "host mx.example.com [192.0.2.1]: 550 ..." */
            size_t k = i;
            while (k + 1 < len && !(s[k] == ':' && s[k + 1] == ' ')) k++;
            if (k + 1 < len) i = k + 2;
        }
        w->a = i;
        w->b = trim_region_end(s, i, len);
        return w->b > w->a;
    }
    if ((p = stat) != NULL) {
        size_t a = (size_t)(p - s) + 5;
        w->mta = "Sendmail";
        w->a = a;
        w->b = trim_region_end(s, a, len);
        return w->b > w->a;
    }
    return 0;
}

/* The next line end of the lenient reader: CRLF, LF or a CR alone. */
static void next_eol(const char *s, size_t len, size_t pos, size_t *eol, size_t *next) {
#ifdef SC_SSE2_SCAN
    size_t i = pos;   /* the first CR or LF, sixteen bytes at a time */
    if (len >= 16) {
        for (;;) {
            size_t base;
            unsigned keep;
            __m128i x = chunk16(s, len, i, &base, &keep);
            unsigned m = keep & bits16(_mm_or_si128(eq16(x, '\n'), eq16(x, '\r')));
            if (m) { i = base + (size_t)__builtin_ctz(m); break; }
            i = base + 16;
            if (i >= len) break;
        }
    } else {
        while (i < len && s[i] != '\n' && s[i] != '\r') i++;
    }
#else
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t lim = nl ? (size_t)(nl - s) : len;
    const char *cr = lim > pos ? memchr(s + pos, '\r', lim - pos) : NULL;
    size_t i = cr ? (size_t)(cr - s) : lim;
#endif
    *eol = i;
    if (i >= len) *next = len;
    else if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') *next = i + 2;
    else *next = i + 1;
}

/* "550 cuda_nsu 5.1.1 text": an enhanced code after one vendor token. */
static void vendor_token_enhanced(const char *s, size_t len, found_code *f) {
    size_t k = f->text, t = k;
    while (t < len && t - k <= 24 && (sc_is_digit((unsigned char)s[t]) || s[t] == '_' ||
                                      (s[t] >= 'a' && s[t] <= 'z') || (s[t] >= 'A' && s[t] <= 'Z'))) t++;
    if (t - k < 2 || t - k > 24 || t + 1 >= len || s[t] != ' ') return;
    int d[3];
    size_t n = enhanced_at(s, len, t + 1, d);
    if (!n) return;
    size_t j = t + 1 + n;
    if (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != ':' && s[j] != ',') return;
    f->has_enh = 1;
    memcpy(f->enh, d, sizeof d);
    if (j < len) j++;
    while (j < len && (s[j] == ' ' || s[j] == '\t')) j++;
    f->text = f->end = j;
}

/* A bracketed or hashed enhanced code elsewhere in a line: "(#5.1.1)", "[5.1.1]", "#5.1.1",
 * at one of the line's candidate positions (a digit after '(', '[' or '#') from `from` on.
 * Returns its opening position (the bracket or hash) or len, and the span's end in *end. */
static size_t bracketed_enhanced(const char *s, size_t len, const line_scan *ls, size_t from, int d[3], size_t *end) {
    size_t k = 0, i;
    while (next_cand(ls, len, &k, &i)) {
        if (i < from + 1 || (s[i] != '2' && s[i] != '4' && s[i] != '5')) continue;
        char c = s[i - 1];
        if (c != '(' && c != '[' && c != '#') continue;
        size_t open = i - 1;
        if (c == '#' && open > from && (s[open - 1] == '(' || s[open - 1] == '[')) c = s[--open];
        size_t n = enhanced_at(s, len, i, d);
        if (!n || d[1] > 7) continue;
        size_t j = i + n;
        if (c == '(' && (j >= len || s[j] != ')')) continue;
        if (c == '[' && (j >= len || s[j] != ']')) continue;
        if (c == '#' && j < len && strchr(" \t)]>,;:.", s[j]) == NULL) continue;
        if (c != '#') j++;
        *end = j;
        return open;
    }
    return len;
}

/* "version 2.5.1", "v5.1.1": a version number, not an enhanced code. */
static int after_version_word(const char *s, size_t i) {
    if (i >= 1 && (s[i - 1] == 'v' || s[i - 1] == 'V')) return 1;
    size_t k = i;
    while (k > 0 && s[k - 1] == ' ') k--;
    return (k >= 7 && ci_prefix(s + k - 7, 7, "version")) || (k >= 7 && ci_prefix(s + k - 7, 7, "release"));
}

/* One reply line of the lenient reader: its codes, where its text starts and ends. */
static int lenient_line(const char *line, size_t raw_len, const line_scan *ls, found_code *f, size_t *text_end,
                        unsigned int *flags) {
    int got = 0;
    size_t lead = 0;
    while (lead < raw_len && (line[lead] == ' ' || line[lead] == '\t')) lead++;
    *text_end = raw_len;
    memset(f, 0, sizeof *f);
    int v = basic_at(line, raw_len, lead, 0);
    size_t after = lead + 3;
    if (v && (after == raw_len || line[after] == ' ' || line[after] == '-' || line[after] == '\t')) {
        f->pos = lead;
        f->basic = v;
        after_basic(line, raw_len, f, 0);
        got = 1;
    } else if (find_embedded_basic(line, raw_len, ls, f)) {
        got = 1;
        *flags |= SMTPCODES_F_EMBEDDED;
    } else if (find_embedded_enhanced(line, raw_len, ls, f) && !after_version_word(line, f->pos)) {
        got = 2;
        size_t k = lead;   /* "#5.1.1" and "(#5.1.1)" at the start are not embedded */
        while (k < f->pos && (line[k] == '#' || line[k] == '(' || line[k] == '[')) k++;
        if (k < f->pos) *flags |= SMTPCODES_F_EMBEDDED;
        /* qmail's trailing "(#5.1.1)": the text is what comes before it */
        size_t rest = f->end;
        while (rest < raw_len && strchr(" \t)].", line[rest])) rest++;
        if (rest == raw_len && k < f->pos) {
            size_t open = f->pos;
            while (open > lead && (line[open - 1] == '#' || line[open - 1] == '(' || line[open - 1] == '[')) open--;
            while (open > lead && (line[open - 1] == ' ' || line[open - 1] == '\t')) open--;
            f->text = lead;
            *text_end = open;
        }
    } else {
        memset(f, 0, sizeof *f);
        f->text = lead;
        return 0;
    }
    if (got == 1 && !f->has_enh) vendor_token_enhanced(line, raw_len, f);
    if (got == 1 && !f->has_enh) {
        int d[3];
        size_t end = 0;
        size_t open = bracketed_enhanced(line, raw_len, ls, f->text, d, &end);
        if (open < raw_len) {
            f->has_enh = 1;
            memcpy(f->enh, d, sizeof d);
            size_t rest = end;
            while (rest < raw_len && strchr(" \t.", line[rest])) rest++;
            if (rest == raw_len) {   /* trailing: the text ends before it */
                while (open > f->text && (line[open - 1] == ' ' || line[open - 1] == '\t')) open--;
                *text_end = open;
            } else if (open == f->text) {
                size_t j = end;
                while (j < raw_len && (line[j] == ' ' || line[j] == '\t')) j++;
                f->text = j;
            }
        }
    }
    return got;
}

/* A joined multi-line reply: where the next "550-5.7.1 " or "550 5.7.1 " of the same codes
 * starts inside the line, or 0. */
static size_t joined_split(const char *line, size_t raw_len, const found_code *f) {
    for (size_t p = f->text + 1; p + 3 <= raw_len; p++) {
        if (line[p] != (char)('0' + f->basic / 100) || line[p - 1] != ' ') continue;
        if (basic_at(line, raw_len, p, 0) != f->basic) continue;
        if (p + 3 < raw_len && line[p + 3] != '-' && line[p + 3] != ' ') continue;
        if (f->has_enh) {
            int d[3];
            size_t n = p + 4 < raw_len ? enhanced_at(line, raw_len, p + 4, d) : 0;
            if (!n || d[0] != f->enh[0] || d[1] != f->enh[1] || d[2] != f->enh[2]) continue;
        }
        return p;
    }
    return 0;
}

/* A positive reply joined on one line with the failure that followed it ("354 End data with
 * <CR><LF>.<CR><LF> 451 4.3.0 Error: queue file write error"): where the failure starts, or 0.
 * The failure needs its enhanced code, of its class, right after it, so that a number in
 * the positive reply's text is not taken for one. */
static size_t transcript_split(const char *line, size_t raw_len, const found_code *f) {
    if (f->basic >= 400 || f->continued) return 0;
    for (size_t p = f->text + 1; p + 9 <= raw_len; p++) {
        if ((line[p] != '4' && line[p] != '5') || line[p - 1] != ' ') continue;
        if (!basic_at(line, raw_len, p, 0) || line[p + 3] != ' ') continue;
        int d[3];
        size_t n = enhanced_at(line, raw_len, p + 4, d);
        if (!n || d[0] != line[p] - '0' || (p + 4 + n < raw_len && line[p + 4 + n] != ' ')) continue;
        return p;
    }
    return 0;
}

static smtpcodes_status parse_lenient(const char *s, size_t len, smtpcodes_reply *out, int wrapped) {
    size_t pos = 0;
    int first_basic = 0, last_continued = 0;
    unsigned int flags = wrapped ? SMTPCODES_F_EMBEDDED : 0;
    const char *seg = NULL;    /* the rest of a joined multi-line reply */
    size_t seg_len = 0;
    while (pos < len || seg) {
        const char *line;
        size_t raw_len;
        if (seg) {
            line = seg;
            raw_len = seg_len;
            seg = NULL;
        } else {
            size_t eol, next;
            next_eol(s, len, pos, &eol, &next);
            line = s + pos;
            raw_len = eol - pos;
            pos = next;
            if (raw_len == 0) continue;   /* blank line inside pasted text, final newline */
        }
        /* Sendmail's transcript: ">>> RCPT To:<x>" names the stage, "<<< 550 ..." is the reply */
        if (raw_len > 4 && memcmp(line, ">>> ", 4) == 0) {
            const char *st = stage_at(line + 4, raw_len - 4, NULL);
            if (st) out->stage = st;
            continue;
        }
        if (raw_len > 4 && memcmp(line, "<<< ", 4) == 0) {
            line += 4;
            raw_len -= 4;
            if (!out->mta) out->mta = "Sendmail";
        }
        line_scan ls;
        scan_line(line, raw_len, &ls);
        found_code f;
        size_t text_end;
        int got = lenient_line(line, raw_len, &ls, &f, &text_end, &flags);
        if (got == 1 && (f.continued || f.basic < 400)) {
            size_t p = f.continued ? joined_split(line, raw_len, &f) : transcript_split(line, raw_len, &f);
            if (p) {
                seg = line + p;
                seg_len = raw_len - p;
                raw_len = p;
                while (raw_len > f.text && line[raw_len - 1] == ' ') raw_len--;
                if (text_end > raw_len) text_end = raw_len;
                scan_line(line, raw_len, &ls);
            }
        }
        /* a session transcript ("220 mx ESMTP", "250 2.1.0 Ok", then "550 5.1.1 ..."): a failure
         * after a completed positive reply is the reply; the lines before it are the session's */
        if (got == 1 && out->has_basic && !last_continued && out->reply_code.digits[0] <= 3 && f.basic >= 400) {
            const char *keep_stage = out->stage, *keep_mta = out->mta;
            memset(out, 0, offsetof(smtpcodes_reply, lines));
            out->stage = keep_stage;
            out->mta = keep_mta;
            first_basic = 0;
            flags = wrapped ? SMTPCODES_F_EMBEDDED : 0;
        }
        if (note_codes(out, got, &f, &first_basic)) flags |= SMTPCODES_F_MIXED_CODES;
        if (got == 1) last_continued = f.continued;
        flags |= ls.flags;
        if (raw_len > 510) flags |= SMTPCODES_F_LONG_LINE;
        store_line(out, line, text_end, got, &f, f.text <= text_end ? f.text : text_end, &flags);
        if (out->nlines && out->lines[out->nlines - 1].raw == line) out->lines[out->nlines - 1].raw_len = raw_len;
    }
    if (!out->has_basic && !out->has_enhanced) return SMTPCODES_ERR_NO_CODE;
    if (last_continued) flags |= SMTPCODES_F_INCOMPLETE;
    return finish(out, flags, 0);
}

smtpcodes_status smtpcodes_parse(const char *s, size_t len, unsigned int options, smtpcodes_reply *out) {
    if (!out || (!s && len)) return SMTPCODES_ERR_ARG;
    int strict = (options & SMTPCODES_STRICT) != 0;
    /* everything but lines[], which is filled as far as nlines says */
    memset(out, 0, offsetof(smtpcodes_reply, lines));
    size_t t = 0;
    while (t < len && sc_is_space((unsigned char)s[t])) t++;
    if (t == len) return SMTPCODES_ERR_EMPTY;
    if (strict) return parse_strict(s, len, out);
    {   /* leading blank lines of a pasted reply */
        size_t k = 0, line_start = 0;
        while (k < t) { if (s[k] == '\n' || s[k] == '\r') line_start = k + 1; k++; }
        s += line_start;
        len -= line_start;
    }
    wrapper w;
    /* a reply that starts with its code is bare, even when its text quotes another server's
     * ("550 5.1.0 <a@b>: Sender address rejected: undeliverable address: host x said: ...") */
    size_t lead = 0;
    while (lead < len && (s[lead] == ' ' || s[lead] == '\t')) lead++;
    int bare = basic_at(s, len, lead, 0) && (lead + 3 == len || s[lead + 3] == ' ' || s[lead + 3] == '-');
    if (!bare && find_wrapper(s, len, &w)) {
        smtpcodes_status st = parse_lenient(s + w.a, w.b - w.a, out, 1);
        if (st == SMTPCODES_OK) {
            if (!out->stage) out->stage = w.stage;
            out->mta = w.mta;
            return st;
        }
        memset(out, 0, offsetof(smtpcodes_reply, lines));
        st = parse_lenient(s, len, out, 0);
        if (!out->stage) out->stage = w.stage;
        out->mta = w.mta;
        return st;
    }
    return parse_lenient(s, len, out, 0);
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
