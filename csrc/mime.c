/* mime.c - the message reader: RFC 5322 headers, RFC 2047 encoded words, MIME
 * multipart (RFC 2046) at any depth up to SC_MIME_MAX_DEPTH, base64 and
 * quoted-printable bodies, charsets recognised by name and converted to UTF-8
 * (ISO-2022-JP, Shift_JIS, EUC-JP and the single-byte charsets bounces use); and
 * the split of a mailbox file (mbox) into its messages.
 *
 * Nothing here allocates: decoded text goes into a caller-provided arena
 * (sc_arena, two-ended: bytes from the bottom, records from the top) and every
 * other result is a view into the message. When the arena is full or a limit
 * is reached, the reader says so (sc_arena.full, SC_MIME_CUT_* flags) and goes
 * on with what it has; it never reads past len.
 *
 * Time: the headers of each entity are read once; the body of a multipart is
 * scanned once per nesting level, and nesting stops at SC_MIME_MAX_DEPTH, so
 * the work is at most SC_MIME_MAX_DEPTH passes over the message (linear).
 * No global mutable state. */
#include "internal.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The arena                                                                  */

void sc_arena_init(sc_arena *a, void *mem, size_t cap) {
    a->base = (char *)mem;
    a->cap = mem ? cap : 0;
    a->lo = 0;
    a->hi = a->cap;
    a->full = 0;
}

char *sc_arena_bytes(sc_arena *a, size_t n) {
    if (n > a->hi - a->lo) { a->full = 1; return NULL; }
    char *p = a->base + a->lo;
    a->lo += n;
    return p;
}

void sc_arena_unget(sc_arena *a, size_t n) {
    if (n <= a->lo) a->lo -= n;
}

void *sc_arena_rec(sc_arena *a, size_t n, size_t align) {
    if (!a->base || n > a->hi) { a->full = 1; return NULL; }
    size_t top = a->hi - n;
    size_t mis = (size_t)((unsigned long long)(uintptr_t)(a->base + top) % align);
    if (mis > top) { a->full = 1; return NULL; }
    top -= mis;
    if (top < a->lo) { a->full = 1; return NULL; }
    a->hi = top;
    return a->base + top;
}

/* ------------------------------------------------------------------------ */
/* Small text helpers                                                         */

int sc_ieq(const char *a, size_t an, const char *b) {
    size_t i = 0;
    for (; b[i]; i++)
        if (i >= an || sc_lower((unsigned char)a[i]) != (unsigned char)b[i]) return 0;
    return i == an;
}

int sc_istarts(const char *a, size_t an, const char *b) {
    for (size_t i = 0; b[i]; i++)
        if (i >= an || sc_lower((unsigned char)a[i]) != (unsigned char)b[i]) return 0;
    return 1;
}

/* Case-insensitive search of the lower-case needle in s[0..n): candidates for
 * its first byte (either case) are found with memchr. */
const char *sc_ifind(const char *s, size_t n, const char *needle) {
    size_t m = strlen(needle);
    if (m == 0) return s;
    if (!s || m > n) return NULL;
    int c0 = (unsigned char)needle[0];
    int u0 = (c0 >= 'a' && c0 <= 'z') ? c0 - 32 : c0;
    const char *end = s + (n - m + 1);   /* candidate starts lie before end */
    const char *pl = s, *pu = s;
    int have_l = 0, have_u = u0 == c0;
    const char *p = s;
    while (p < end) {
        if (!have_l || pl < p) {
            pl = memchr(p, c0, (size_t)(end - p));
            if (!pl) pl = end;
            have_l = 1;
        }
        if (u0 != c0 && (!have_u || pu < p)) {
            pu = memchr(p, u0, (size_t)(end - p));
            if (!pu) pu = end;
            have_u = 1;
        }
        const char *q = (u0 != c0 && pu < pl) ? pu : pl;
        if (q >= end) return NULL;
        size_t k = 1;
        while (k < m && sc_lower((unsigned char)q[k]) == (unsigned char)needle[k]) k++;
        if (k == m) return q;
        p = q + 1;
    }
    return NULL;
}

void sc_trim(const char **s, size_t *n) {
    while (*n && sc_is_space((unsigned char)**s)) { (*s)++; (*n)--; }
    while (*n && sc_is_space((unsigned char)(*s)[*n - 1])) (*n)--;
}

/* End of the line starting at i (index of '\n' or n) */
static size_t line_end(const char *s, size_t n, size_t i) {
    const char *nl = i < n ? memchr(s + i, '\n', n - i) : NULL;
    return nl ? (size_t)(nl - s) : n;
}

/* ------------------------------------------------------------------------ */
/* Headers                                                                    */

/* Offset of the body: just past the first empty line, or len when the
 * message has no body. A message that does not start with a header line has
 * an empty header block. */
size_t sc_header_block(const char *s, size_t n, size_t *hdr_len) {
    size_t i = 0;
    while (i < n) {
        size_t e = line_end(s, n, i);
        size_t l = e - i;
        if (l && s[e - 1] == '\r') l--;
        if (l == 0) {
            *hdr_len = i;
            return e < n ? e + 1 : n;
        }
        if (i == 0) {
            /* the first line must look like a header (or an mbox "From " line) */
            size_t k = 0;
            while (k < l && s[k] != ':' && s[k] != ' ' && s[k] != '\t') k++;
            if (!(k < l && s[k] == ':' && k > 0) && !(l >= 5 && memcmp(s, "From ", 5) == 0)) {
                *hdr_len = 0;
                return 0;
            }
        }
        i = e < n ? e + 1 : n;
    }
    *hdr_len = n;
    return n;
}

/* Next header field of the block s[0..n) at *pos: name and raw (folded) value. */
int sc_header_next(const char *s, size_t n, size_t *pos, sc_view *name, sc_view *value) {
    size_t i = *pos;
    while (i < n) {
        size_t e = line_end(s, n, i);
        /* a field: name ':' value, continued by lines starting with WSP */
        size_t k = i;
        while (k < e && s[k] != ':' && s[k] != ' ' && s[k] != '\t' && s[k] != '\r') k++;
        size_t end = e;
        while (end < n && end + 1 < n && (s[end + 1] == ' ' || s[end + 1] == '\t'))
            end = line_end(s, n, end + 1);
        size_t next = end < n ? end + 1 : n;
        if (k < e && s[k] == ':' && k > i) {
            name->p = s + i;
            name->n = k - i;
            size_t v = k + 1;
            size_t ve = end;
            while (v < ve && (s[v] == ' ' || s[v] == '\t')) v++;
            while (ve > v && sc_is_space((unsigned char)s[ve - 1])) ve--;
            value->p = s + v;
            value->n = ve - v;
            *pos = next;
            return 1;
        }
        i = next;   /* not a field (an mbox From line, garbage): skipped */
    }
    *pos = n;
    return 0;
}

/* The value of the first field called name, raw. */
int sc_header_get(const char *s, size_t n, const char *fname, sc_view *value) {
    size_t pos = 0;
    sc_view nm, v;
    while (sc_header_next(s, n, &pos, &nm, &v))
        if (sc_ieq(nm.p, nm.n, fname)) { *value = v; return 1; }
    return 0;
}

/* Unfold a value: CR LF and the white space that follows become one space.
 * A view into the message when nothing is folded; else copied to the arena. */
sc_view sc_unfold(sc_arena *a, sc_view v) {
    if (!memchr(v.p, '\n', v.n)) {
        sc_view r = v;
        sc_trim(&r.p, &r.n);
        return r;
    }
    char *o = sc_arena_bytes(a, v.n);
    if (!o) { sc_view r = {v.p, line_end(v.p, v.n, 0)}; sc_trim(&r.p, &r.n); return r; }
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '\r' || c == '\n') {
            while (i + 1 < v.n && (v.p[i + 1] == '\r' || v.p[i + 1] == '\n' || v.p[i + 1] == ' ' || v.p[i + 1] == '\t')) i++;
            if (k && o[k - 1] != ' ') o[k++] = ' ';
            continue;
        }
        o[k++] = c;
    }
    sc_arena_unget(a, v.n - k);
    sc_view r = {o, k};
    sc_trim(&r.p, &r.n);
    return r;
}

/* A parameter of a structured field (Content-Type: x/y; name="value"). */
int sc_param(sc_view v, const char *pname, sc_view *out) {
    size_t i = 0, pn = strlen(pname);
    while (i < v.n) {
        /* skip to the next ';' outside quotes */
        int q = 0;
        while (i < v.n && (q || v.p[i] != ';')) {
            if (v.p[i] == '"') q = !q;
            else if (v.p[i] == '\\' && q) i++;
            i++;
        }
        if (i >= v.n) return 0;
        i++;
        while (i < v.n && sc_is_space((unsigned char)v.p[i])) i++;
        size_t ns = i;
        while (i < v.n && v.p[i] != '=' && v.p[i] != ';' && !sc_is_space((unsigned char)v.p[i])) i++;
        size_t ne = i;
        while (i < v.n && sc_is_space((unsigned char)v.p[i])) i++;
        if (i >= v.n || v.p[i] != '=') continue;
        i++;
        while (i < v.n && sc_is_space((unsigned char)v.p[i])) i++;
        size_t vs = i, ve;
        if (i < v.n && v.p[i] == '"') {
            vs = ++i;
            while (i < v.n && v.p[i] != '"') { if (v.p[i] == '\\') i++; i++; }
            ve = i < v.n ? i : v.n;
            if (i < v.n) i++;
        } else {
            while (i < v.n && v.p[i] != ';' && !sc_is_space((unsigned char)v.p[i])) i++;
            ve = i;
        }
        /* name or name* (RFC 2231 without continuations) */
        size_t nl = ne - ns;
        if ((nl == pn || (nl == pn + 1 && v.p[ne - 1] == '*')) && sc_istarts(v.p + ns, nl, pname)) {
            out->p = v.p + vs;
            out->n = ve - vs;
            return 1;
        }
    }
    return 0;
}

/* The media type of a Content-Type value, without parameters. */
sc_view sc_media_type(sc_view v) {
    size_t i = 0;
    while (i < v.n && v.p[i] != ';') i++;
    sc_view r = {v.p, i};
    sc_trim(&r.p, &r.n);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Charsets                                                                   */

/* Conversion to UTF-8 of the texts a bounce is read from (csrc/data/gen_charsets.py makes
 * the tables from Python's codecs): ISO-2022-JP (recognised by its escape sequences, whatever
 * the label says), Shift_JIS and EUC-JP through JIS X 0208, and the single-byte charsets by
 * their upper halves. A byte or pair that names no character becomes U+FFFD. */
enum { SC_CS_ISO2022JP = 1000, SC_CS_SJIS, SC_CS_EUCJP };
#include "charset_data.inc"

static int charset_kind(sc_view cs) {
    if (!cs.p) return -1;
    for (size_t i = 0; i < COUNT_OF(sc_charsets); i++)
        if (sc_ieq(cs.p, cs.n, sc_charsets[i].name)) return sc_charsets[i].kind;
    return -1;
}

/* UTF-8 of cp (below 0x10000) at o + k, when o is not NULL; the new length */
static size_t put_cp(char *o, size_t k, unsigned cp) {
    if (cp < 0x80) {
        if (o) o[k] = (char)cp;
        return k + 1;
    }
    if (cp < 0x800) {
        if (o) { o[k] = (char)(0xC0 | (cp >> 6)); o[k + 1] = (char)(0x80 | (cp & 0x3F)); }
        return k + 2;
    }
    if (o) {
        o[k] = (char)(0xE0 | (cp >> 12));
        o[k + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[k + 2] = (char)(0x80 | (cp & 0x3F));
    }
    return k + 3;
}

static unsigned jis_char(unsigned row, unsigned cell) {   /* both 0-93 */
    unsigned cp = row < 94 && cell < 94 ? sc_jis0208[row * 94 + cell] : 0;
    return cp ? cp : 0xFFFD;
}

/* The text p[0..n) of charset kind as UTF-8 into o (NULL: only count); its length. */
static size_t convert(const unsigned char *p, size_t n, int kind, char *o) {
    size_t k = 0, i = 0;
    int mode = 0;   /* ISO-2022-JP: 0 ASCII, 1 JIS X 0208, 2 half-width katakana */
    while (i < n) {
        unsigned b = p[i];
        if (kind == SC_CS_ISO2022JP) {
            if (b == 0x1B && i + 2 < n) {
                unsigned x = p[i + 1], y = p[i + 2];
                int m = x == '$' && (y == 'B' || y == '@') ? 1 : x == '(' && (y == 'B' || y == 'J') ? 0
                        : x == '(' && y == 'I' ? 2 : -1;
                if (m >= 0) { mode = m; i += 3; continue; }
            }
            if (mode == 1 && b >= 0x21 && b <= 0x7E && i + 1 < n && p[i + 1] >= 0x21 && p[i + 1] <= 0x7E) {
                k = put_cp(o, k, jis_char(b - 0x21, p[i + 1] - 0x21u));
                i += 2;
                continue;
            }
            if (mode == 2 && b >= 0x21 && b <= 0x5F) { k = put_cp(o, k, 0xFF61 + (b - 0x21)); i++; continue; }
            k = put_cp(o, k, b < 0x80 ? b : 0xFFFD);
            i++;
            continue;
        }
        if (b < 0x80) { k = put_cp(o, k, b); i++; continue; }
        if (kind == SC_CS_SJIS) {
            if (b >= 0xA1 && b <= 0xDF) { k = put_cp(o, k, 0xFF61 + (b - 0xA1)); i++; continue; }
            unsigned t = i + 1 < n ? p[i + 1] : 0;
            if (((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xEF)) && t >= 0x40 && t <= 0xFC && t != 0x7F) {
                unsigned row = (b <= 0x9F ? b - 0x81 : b - 0xC1) * 2;   /* 0-based, even */
                unsigned cell;
                if (t >= 0x9F) { row++; cell = t - 0x9F; }
                else cell = t - (t >= 0x80 ? 0x41 : 0x40);
                k = put_cp(o, k, jis_char(row, cell));
                i += 2;
                continue;
            }
        } else if (kind == SC_CS_EUCJP) {
            unsigned t = i + 1 < n ? p[i + 1] : 0;
            if (b == 0x8E && t >= 0xA1 && t <= 0xDF) { k = put_cp(o, k, 0xFF61 + (t - 0xA1)); i += 2; continue; }
            if (b == 0x8F && i + 2 < n) { k = put_cp(o, k, 0xFFFD); i += 3; continue; }   /* JIS X 0212 */
            if (b >= 0xA1 && b <= 0xFE && t >= 0xA1 && t <= 0xFE) {
                k = put_cp(o, k, jis_char(b - 0xA1, t - 0xA1));
                i += 2;
                continue;
            }
        } else if (kind >= 0 && kind < (int)COUNT_OF(sc_high_maps)) {
            unsigned cp = sc_high_maps[kind][b - 0x80];
            k = put_cp(o, k, cp ? cp : 0xFFFD);
            i++;
            continue;
        }
        k = put_cp(o, k, 0xFFFD);
        i++;
    }
    return k;
}

/* 1 when v holds an ISO-2022-JP shift to JIS X 0208 (ESC $ B or ESC $ @) */
static int has_jis_escape(sc_view v) {
    for (const char *q = v.p, *end = v.p + v.n; (q = memchr(q, 0x1B, (size_t)(end - q))) != NULL; q++)
        if (end - q >= 3 && q[1] == '$' && (q[2] == 'B' || q[2] == '@')) return 1;
    return 0;
}

/* 1 when v is ASCII or valid UTF-8 */
static int is_utf8(sc_view v) {
    const unsigned char *p = (const unsigned char *)v.p;
    for (size_t i = 0; i < v.n;) {
        if (p[i] < 0x80) { i++; continue; }
        size_t q = sc_utf8_seq(p + i, v.n - i);
        if (!q) return 0;
        i += q;
    }
    return 1;
}

#define SC_CONVERT_RESERVE 16384   /* scratch left for the recipients' records after a conversion */

sc_view sc_to_utf8(sc_arena *a, sc_view v, sc_view charset) {
    if (!v.p || !v.n) return v;
    int escapes = has_jis_escape(v);
    int kind = escapes ? SC_CS_ISO2022JP : charset_kind(charset);
    if (kind < 0 || (!escapes && is_utf8(v))) return v;   /* ASCII, or UTF-8 whatever its label */
    if (kind == SC_CS_ISO2022JP && !escapes) {
        /* labelled ISO-2022-JP but 8-bit: the usual mislabel of EUC-JP (or of Shift_JIS, whose
         * lead bytes 0x81-0x9F EUC-JP never has but for 0x8E and 0x8F) */
        kind = SC_CS_EUCJP;
        for (size_t i = 0; i < v.n; i++) {
            unsigned char b = (unsigned char)v.p[i];
            if (b >= 0x81 && b <= 0x9F && b != 0x8E && b != 0x8F) { kind = SC_CS_SJIS; break; }
        }
    }
    size_t need = convert((const unsigned char *)v.p, v.n, kind, NULL);
    if (a->hi - a->lo < need + SC_CONVERT_RESERVE) return v;   /* no room: the text stays as it came */
    char *o = sc_arena_bytes(a, need);
    if (!o) return v;
    convert((const unsigned char *)v.p, v.n, kind, o);
    sc_view r = {o, need};
    return r;
}

/* ------------------------------------------------------------------------ */
/* Transfer encodings                                                         */

static int b64val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* base64 of s[0..n) into out (at least n*3/4+3 bytes); bytes that are not
 * base64 are skipped and counted in *bad. */
size_t sc_base64_decode(const char *s, size_t n, char *out, size_t *bad) {
    unsigned long acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '=') continue;
        int v = b64val(c);
        if (v < 0) {
            if (!sc_is_space(c) && bad) (*bad)++;
            continue;
        }
        acc = ((acc << 6) | (unsigned long)v) & 0xffffffUL;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    return k;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = sc_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* quoted-printable (RFC 2045 6.7; with q = 1 the RFC 2047 Q form, '_' a space) */
size_t sc_qp_decode(const char *s, size_t n, char *out, int q) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=' && i + 1 < n) {
            if (s[i + 1] == '\n') { i++; continue; }
            if (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n') { i += 2; continue; }
            int h = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int l = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (h >= 0 && l >= 0) { out[k++] = (char)(h * 16 + l); i += 2; continue; }
        }
        out[k++] = (q && c == '_') ? ' ' : c;
    }
    return k;
}

/* The body of an entity decoded by its Content-Transfer-Encoding: a view
 * into the message for 7bit/8bit/binary, else a decoded copy in the arena.
 * *bad counts invalid base64 bytes. */
sc_view sc_decode_body(sc_arena *a, sc_view body, sc_view cte, size_t *bad) {
    int b64 = sc_ieq(cte.p, cte.n, "base64");
    int qp = sc_ieq(cte.p, cte.n, "quoted-printable");
    if (!b64 && !qp) return body;
    size_t need = b64 ? body.n / 4 * 3 + 3 : body.n;
    char *o = sc_arena_bytes(a, need);
    if (!o) return body;
    size_t k = b64 ? sc_base64_decode(body.p, body.n, o, bad) : sc_qp_decode(body.p, body.n, o, 0);
    sc_arena_unget(a, need - k);
    sc_view r = {o, k};
    return r;
}

/* RFC 2047 encoded words in an unstructured value (Subject): decoded into the
 * arena; white space between adjacent encoded words dropped. *charset is the
 * charset of the first encoded word (the text is passed on as bytes). */
sc_view sc_decode_words(sc_arena *a, sc_view v, sc_view *charset) {
    charset->p = NULL;
    charset->n = 0;
    if (!v.n || !sc_ifind(v.p, v.n, "=?")) return v;
    char *o = sc_arena_bytes(a, v.n);
    if (!o) return v;
    size_t k = 0, i = 0, pending_ws = 0, pend_from = 0;
    int last_encoded = 0;
    while (i < v.n) {
        if (v.p[i] == '=' && i + 1 < v.n && v.p[i + 1] == '?') {
            /* =?charset?X?text?= */
            size_t cs = i + 2, j = cs;
            while (j < v.n && v.p[j] != '?' && !sc_is_space((unsigned char)v.p[j])) j++;
            if (j + 3 < v.n && v.p[j] == '?' && v.p[j + 2] == '?') {
                int enc = sc_lower((unsigned char)v.p[j + 1]);
                size_t ts = j + 3, te = ts;
                while (te + 1 < v.n && !(v.p[te] == '?' && v.p[te + 1] == '=')) te++;
                if ((enc == 'b' || enc == 'q') && te + 1 < v.n) {
                    if (pending_ws && !last_encoded) {
                        memcpy(o + k, v.p + pend_from, pending_ws);
                        k += pending_ws;
                    }
                    pending_ws = 0;
                    if (!charset->p) {
                        charset->p = v.p + cs;
                        charset->n = j - cs;
                        for (size_t t = 0; t < charset->n; t++)   /* RFC 2231 language suffix */
                            if (charset->p[t] == '*') { charset->n = t; break; }
                    }
                    /* decoded text is never longer than its encoded form */
                    size_t got = enc == 'b' ? sc_base64_decode(v.p + ts, te - ts, o + k, NULL)
                                            : sc_qp_decode(v.p + ts, te - ts, o + k, 1);
                    k += got;
                    i = te + 2;
                    last_encoded = 1;
                    continue;
                }
            }
        }
        if (v.p[i] == ' ' || v.p[i] == '\t') {
            if (!pending_ws) pend_from = i;
            pending_ws++;
            i++;
            continue;
        }
        if (pending_ws) {
            memcpy(o + k, v.p + pend_from, pending_ws);
            k += pending_ws;
            pending_ws = 0;
        }
        last_encoded = 0;
        o[k++] = v.p[i++];
    }
    if (pending_ws && !last_encoded) { memcpy(o + k, v.p + pend_from, pending_ws); k += pending_ws; }
    sc_arena_unget(a, v.n - k);
    sc_view r = {o, k};
    return r;
}

/* ------------------------------------------------------------------------ */
/* Multipart                                                                  */

/* Is the line s[i..e) a delimiter "--boundary" or close "--boundary--"
 * (followed only by white space)? 1 delimiter, 2 close, 0 no. A boundary that
 * is a prefix of another does not match the longer one's lines. */
static int is_delim(const char *s, size_t i, size_t e, sc_view b) {
    if (e - i < b.n + 2 || s[i] != '-' || s[i + 1] != '-' || memcmp(s + i + 2, b.p, b.n) != 0) return 0;
    size_t k = i + 2 + b.n;
    int close = 0;
    if (k + 1 < e + 1 && k + 2 <= e && s[k] == '-' && s[k + 1] == '-') { close = 1; k += 2; }
    while (k < e && sc_is_space((unsigned char)s[k])) k++;
    if (k != e) return 0;
    return close ? 2 : 1;
}

/* The next delimiter line of boundary b in s[from..end): its start (*ls), the
 * offset after it (*after); returns 1/2 as is_delim, 0 when none. */
static int next_delim(const char *s, size_t from, size_t end, sc_view b, size_t *ls, size_t *after) {
    size_t i = from;
    while (i < end) {
        if (s[i] == '-' && i + 1 < end && s[i + 1] == '-') {
            size_t e = line_end(s, end, i);
            int d = is_delim(s, i, e, b);
            if (d) {
                *ls = i;
                *after = e < end ? e + 1 : end;
                return d;
            }
            i = e < end ? e + 1 : end;
            continue;
        }
        const char *nl = memchr(s + i, '\n', end - i);
        if (!nl) break;
        i = (size_t)(nl - s) + 1;
    }
    return 0;
}

/* Read an entity's headers into a part description. */
static void read_entity(const char *s, size_t off, size_t end, int depth, int in_msg, sc_part *p) {
    memset(p, 0, sizeof *p);
    size_t hl;
    size_t b = sc_header_block(s + off, end - off, &hl);
    p->headers.p = s + off;
    p->headers.n = hl;
    p->body.p = s + off + b;
    p->body.n = end - off - b;
    p->depth = depth;
    p->in_message = in_msg;
    size_t pos = 0;
    sc_view nm, v;
    while (sc_header_next(p->headers.p, p->headers.n, &pos, &nm, &v)) {
        if (sc_ieq(nm.p, nm.n, "content-type")) {
            p->content_type = v;
            p->type = sc_media_type(v);
            sc_param(v, "charset", &p->charset);
            sc_param(v, "boundary", &p->boundary);
            sc_param(v, "report-type", &p->report_type);
        } else if (sc_ieq(nm.p, nm.n, "content-transfer-encoding")) {
            p->cte = v;
            sc_trim(&p->cte.p, &p->cte.n);
        }
    }
    /* "Content-Type: multipart/alternative;" with "boundary=..." on the next line
     * not indented (a header line without a colon, seen in carriers' bounces): the
     * parameter is read from that line when the field itself has no boundary */
    if (!p->boundary.n && p->content_type.p && sc_istarts(p->type.p, p->type.n, "multipart/")) {
        const char *he = p->headers.p + p->headers.n, *q = p->content_type.p + p->content_type.n;
        if (q < he && *q == '\r') q++;
        if (q < he && *q == '\n') q++;
        if (q < he && sc_istarts(q, (size_t)(he - q), "boundary=")) {
            const char *nl = memchr(q, '\n', (size_t)(he - q));
            sc_view v2 = {p->content_type.p, (size_t)((nl ? nl : he) - p->content_type.p)};
            sc_param(v2, "boundary", &p->boundary);
        }
    }
}

/* Walk every leaf entity of the message in document order, calling cb for
 * each (and for each multipart container first, with is_container set).
 * Parts of a message/rfc822 attachment are not entered: the attachment is
 * one leaf (a forwarded report stays a forwarded message). Returns the
 * SC_MIME_CUT_* flags of the limits that cut the reading. */
unsigned sc_mime_walk(const char *s, size_t n, sc_part_cb cb, void *ctx) {
    struct frame { sc_view b; size_t pos, end; int depth, started; } st[SC_MIME_MAX_DEPTH];
    int top = 0;
    unsigned flags = 0;
    size_t parts = 0;
    sc_part p;
    read_entity(s, 0, n, 0, 0, &p);
    if (sc_istarts(p.type.p, p.type.n, "multipart/") && p.boundary.n) {
        p.is_container = 1;
        cb(ctx, &p);
        st[0].b = p.boundary;
        st[0].pos = (size_t)(p.body.p - s);
        st[0].end = n;
        st[0].depth = 1;
        st[0].started = 0;
        top = 1;
    } else {
        if (sc_istarts(p.type.p, p.type.n, "multipart/")) flags |= SC_MIME_CUT_BOUNDARY;
        cb(ctx, &p);
        return flags;
    }
    while (top > 0) {
        struct frame *f = &st[top - 1];
        size_t ls, after;
        if (!f->started) {
            size_t body = f->pos;
            int d = next_delim(s, f->pos, f->end, f->b, &ls, &after);
            f->started = 1;
            if (!d) {
                /* no delimiter at all: the body is read as one text part */
                flags |= SC_MIME_CUT_BOUNDARY;
                memset(&p, 0, sizeof p);
                p.body.p = s + body;
                p.body.n = f->end - body;
                p.type.p = "text/plain";
                p.type.n = 10;
                p.depth = f->depth;
                cb(ctx, &p);
                top--;
                continue;
            }
            f->pos = after;
            if (d == 2) { top--; continue; }
        }
        if (f->pos >= f->end) { top--; continue; }
        size_t pstart = f->pos, pend;
        int d = next_delim(s, f->pos, f->end, f->b, &ls, &after);
        if (d) {
            pend = ls;
            f->pos = d == 2 ? f->end : after;
        } else {
            pend = f->end;
            f->pos = f->end;
            flags |= SC_MIME_CUT_BOUNDARY;   /* missing closing boundary: the part runs to the end */
        }
        /* the CR LF before a delimiter belongs to the delimiter */
        if (pend > pstart && s[pend - 1] == '\n') pend--;
        if (pend > pstart && s[pend - 1] == '\r') pend--;
        int depth = f->depth;
        if (++parts > SC_MIME_MAX_PARTS) { flags |= SC_MIME_CUT_PARTS; break; }
        read_entity(s, pstart, pend, depth, 0, &p);
        if (sc_istarts(p.type.p, p.type.n, "multipart/") && p.boundary.n) {
            if (top < SC_MIME_MAX_DEPTH) {
                p.is_container = 1;
                cb(ctx, &p);
                st[top].b = p.boundary;
                st[top].pos = (size_t)(p.body.p - s);
                st[top].end = pend;
                st[top].depth = depth + 1;
                st[top].started = 0;
                top++;
                continue;
            }
            flags |= SC_MIME_CUT_DEPTH;   /* too deep: read as one opaque part */
        }
        cb(ctx, &p);
    }
    return flags;
}

/* ------------------------------------------------------------------------ */
/* Mailbox files                                                              */

/* "From sender Thu Jul  2 12:05:05 2020": after "From " (at i), a sender and an asctime date
 * starting with a weekday and a month name, as mail systems write the separator line. */
static int from_line_dated(const char *m, size_t len, size_t i) {
    static const char days[] = "MonTueWedThuFriSatSun", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    size_t j = i + 5;
    while (j < len && m[j] != ' ' && m[j] != '\t' && m[j] != '\n') j++;   /* the sender */
    while (j < len && (m[j] == ' ' || m[j] == '\t')) j++;
    if (j + 7 > len || m[j + 3] != ' ') return 0;
    int day = 0, month = 0;
    for (size_t k = 0; k < 7 && !day; k++) day = memcmp(m + j, days + 3 * k, 3) == 0;
    for (size_t k = 0; k < 12 && !month; k++) month = memcmp(m + j + 4, months + 3 * k, 3) == 0;
    return day && month;
}

/* 1 when a line that starts at i is a message separator: "From " after an empty line, or a
 * dated "From " line (some mailboxes lack the empty line before it). */
static int mbox_separator(const char *m, size_t len, size_t i) {
    if (i + 5 > len || memcmp(m + i, "From ", 5) != 0 || i < 1 || m[i - 1] != '\n') return 0;
    if (i >= 2 && (m[i - 2] == '\n' || (i >= 3 && m[i - 2] == '\r' && m[i - 3] == '\n'))) return 1;
    return from_line_dated(m, len, i);
}

int smtpcodes_mbox_next(const char *m, size_t len, size_t *pos, smtpcodes_span *msg) {
    if (!pos || !msg || (!m && len)) return SMTPCODES_ERR_ARG;
    size_t start = *pos;
    if (start >= len) return 0;
    if (start == 0 && !smtpcodes_is_mbox(m, len)) {   /* a lone message */
        msg->ptr = m;
        msg->len = len;
        *pos = len;
        return 1;
    }
    /* the message begins after its "From " line and runs to the next separator */
    const char *nl = memchr(m + start, '\n', len - start);
    size_t body = nl ? (size_t)(nl - m) + 1 : len, end = len;
    for (size_t i = body; i < len;) {
        if (mbox_separator(m, len, i)) { end = i; break; }
        const char *n2 = memchr(m + i, '\n', len - i);
        if (!n2) break;
        i = (size_t)(n2 - m) + 1;
    }
    msg->ptr = m + body;
    msg->len = end - body;
    *pos = end;
    return 1;
}

int smtpcodes_is_mbox(const char *m, size_t len) {
    return m && len >= 5 && memcmp(m, "From ", 5) == 0;
}
