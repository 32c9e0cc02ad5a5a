/* buffer.c - the output writer and byte-level text helpers.
 *
 * Owns sc_buf, the one writer every rendering goes through (snprintf
 * semantics: output is cut at the caller's capacity but the full length is
 * always counted, so a caller can grow its buffer and render again), UTF-8
 * validation, the sanitising copy of untrusted reply text, HTML escaping and
 * smtpcodes_json_string(). Nothing here allocates. */
#include "internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Output buffer with snprintf semantics                                      */

void sc_sb_init(sc_buf *b, char *buf, size_t cap) {
    b->buf = buf;
    b->cap = buf ? cap : 0;
    b->len = 0;
    if (b->cap) b->buf[0] = '\0';
}

void sc_sb_putn(sc_buf *b, const char *s, size_t n) {
    if (b->len < b->cap) {
        size_t room = b->cap - 1 - b->len;
        size_t k = n < room ? n : room;
        memcpy(b->buf + b->len, s, k);
        b->buf[b->len + k] = '\0';
    }
    b->len += n;
}

void sc_sb_puts(sc_buf *b, const char *s) { sc_sb_putn(b, s, strlen(s)); }

void sc_sb_putc(sc_buf *b, char c) { sc_sb_putn(b, &c, 1); }

void sc_sb_printf(sc_buf *b, const char *fmt, ...) {
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sc_sb_putn(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

int sc_sb_result(const sc_buf *b) {
    return b->len > (size_t)INT_MAX ? SMTPCODES_ERR_TOO_LONG : (int)b->len;
}

/* Length of a valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
size_t sc_utf8_seq(const unsigned char *s, size_t n) {
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
void sc_sb_put_safe(sc_buf *b, const char *s, size_t n, size_t max) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i >= max) {
            sc_sb_puts(b, "\xE2\x80\xA6");
            return;
        }
        size_t k = sc_utf8_seq(p + i, n - i);
        if (!k) {
            sc_sb_puts(b, "\xEF\xBF\xBD");
            i++;
        } else if (k == 1 && (p[i] < 0x20 || p[i] == 0x7F)) {
            sc_sb_putc(b, p[i] == '\t' ? ' ' : '?');
            i++;
        } else {
            sc_sb_putn(b, s + i, k);
            i += k;
        }
    }
}

int smtpcodes_json_string(const char *s, size_t n, char *buf, size_t cap) {
    if ((!s && n) || (!buf && cap)) return SMTPCODES_ERR_ARG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    const unsigned char *p = (const unsigned char *)s;
    sc_sb_putc(&b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') { sc_sb_putc(&b, '\\'); sc_sb_putc(&b, (char)c); i++; continue; }
        if (c == '\n') { sc_sb_puts(&b, "\\n"); i++; continue; }
        if (c == '\t') { sc_sb_puts(&b, "\\t"); i++; continue; }
        if (c == '\r') { sc_sb_puts(&b, "\\r"); i++; continue; }
        if (c < 0x20 || c == 0x7F) { sc_sb_printf(&b, "\\u%04x", c); i++; continue; }
        size_t k = sc_utf8_seq(p + i, n - i);
        if (!k) { sc_sb_puts(&b, "\\ufffd"); i++; continue; }
        sc_sb_putn(&b, s + i, k);
        i += k;
    }
    sc_sb_putc(&b, '"');
    return sc_sb_result(&b);
}
