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
    b->html = 0;
    b->md = 0;
    if (b->cap) b->buf[0] = '\0';
}

/* Bytes as they are, whatever the escaping mode (markup). */
void sc_sb_raw(sc_buf *b, const char *s, size_t n) {
    if (b->len < b->cap) {
        size_t room = b->cap - 1 - b->len;
        size_t k = n < room ? n : room;
        memcpy(b->buf + b->len, s, k);
        b->buf[b->len + k] = '\0';
    }
    b->len += n;
}

void sc_sb_raws(sc_buf *b, const char *s) { sc_sb_raw(b, s, strlen(s)); }

/* Text: in HTML mode & < > " ' become entities, so that no text written
 * through the writer can become markup; in Markdown mode \ ` * _ [ ] < > | #
 * get a backslash. */
void sc_sb_putn(sc_buf *b, const char *s, size_t n) {
    if (!b->html && !b->md) { sc_sb_raw(b, s, n); return; }
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent;
        if (!b->html) {   /* Markdown: a backslash before what would change the rendering */
            if (!strchr("\\`*_[]<>|#", s[i]) || !s[i]) continue;
            sc_sb_raw(b, s + from, i - from);
            sc_sb_raw(b, "\\", 1);
            from = i;
            continue;
        }
        switch (s[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        sc_sb_raw(b, s + from, i - from);
        sc_sb_raws(b, ent);
        from = i + 1;
    }
    sc_sb_raw(b, s + from, n - from);
}

void sc_sb_puts(sc_buf *b, const char *s) { sc_sb_putn(b, s, strlen(s)); }

void sc_sb_putc(sc_buf *b, char c) { sc_sb_putn(b, &c, 1); }

/* A small printf for the core's own formats (%s, %d, %c, %%, %04x): each piece
 * goes through sc_sb_putn, so nothing is cut and the full length is counted
 * whatever the length of the strings. */
/* clang-analyzer 14 reports this va_list as uninitialised when several files are
 * analysed in one run (not when this file is analysed alone): a false positive. */
// NOLINTBEGIN(clang-analyzer-valist.Uninitialized)
void sc_sb_printf(sc_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const char *p = fmt;
    while (*p) {
        const char *q = strchr(p, '%');
        if (!q) { sc_sb_puts(b, p); break; }
        sc_sb_putn(b, p, (size_t)(q - p));
        char num[16];
        switch (q[1]) {
        case 's': { const char *a = va_arg(ap, const char *); sc_sb_puts(b, a ? a : ""); p = q + 2; break; }
        case 'd': snprintf(num, sizeof num, "%d", va_arg(ap, int)); sc_sb_puts(b, num); p = q + 2; break;
        case 'c': sc_sb_putc(b, (char)va_arg(ap, int)); p = q + 2; break;
        case '0':   /* %04x only */
            snprintf(num, sizeof num, "%04x", va_arg(ap, unsigned int));
            sc_sb_puts(b, num);
            p = q + 4;
            break;
        case '%': sc_sb_putc(b, '%'); p = q + 2; break;
        default: sc_sb_putc(b, '%'); p = q + 1; break;
        }
    }
    va_end(ap);
}
// NOLINTEND(clang-analyzer-valist.Uninitialized)

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

void sc_sb_put_html(sc_buf *b, const char *s) { sc_sb_put_htmln(b, s, strlen(s)); }

void sc_sb_put_htmln(sc_buf *b, const char *s, size_t n) {
    int was = b->html;
    b->html = 1;
    sc_sb_putn(b, s, n);
    b->html = was;
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
