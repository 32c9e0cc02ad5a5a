/* bounce.c - whole bounce messages: delivery status notifications (RFC 3464
 * inside RFC 6522 multipart/report, also mislabelled or not multipart), ARF
 * feedback reports (RFC 5965), auto-replies (RFC 3834, vacation notices) and
 * the MTAs' own bounce texts without a DSN part (qmail, Exim, Sendmail,
 * Exchange, Microsoft 365, Gmail, Yahoo, Amazon SES, OpenSMTPD, ...).
 *
 * The message is read by mime.c (parts, decoding, headers); this room finds
 * the recipients and their diagnostics and classifies each diagnostic with
 * smtpcodes_classify (the public API of classify.c). The phrases that tell
 * the formats apart are data (csrc/data/gen_bounce.py -> bounce_data.inc).
 *
 * Order of the readers: a DSN part (any part whose fields are DSN fields);
 * a feedback report; a bounce text (a daemon sender, a bounce Subject,
 * X-Failed-Recipients or a format's phrase, and not a forwarded message);
 * an auto-reply; else "other". A forwarded report (a message/rfc822
 * attachment of an ordinary message) is not entered, so it stays "other".
 *
 * Memory: recipients and decoded text in the caller's scratch (see
 * smtpcodes.h); no global mutable state. Time: linear in the message size
 * (each phrase search is bounded by the text read, each recipient's
 * diagnostic by SMTPCODES_MAX_DIAGNOSTIC). */
#include "internal.h"

#include <stdint.h>
#include <string.h>

#include "bounce_data.inc"

#define MAX_DSN 8
#define MAX_TEXT 8
#define REGION_MAX (1u << 20)   /* bounce text read for recipients (bytes per part) */

typedef struct bctx {
    sc_arena a;
    const char *msg;
    size_t len;
    sc_view top;                  /* the message's header block */
    sc_view report_type;
    sc_view dsn[MAX_DSN];
    int ndsn;
    sc_view fbr;                  /* message/feedback-report body */
    int has_fbr;
    sc_view text[MAX_TEXT];
    int ntext;
    size_t rend[MAX_TEXT];        /* where each text's bounce part ends (region_end, once) */
    int transcript[MAX_TEXT];     /* the text has ">>> " command lines */
    const char *fmt0;             /* text_format of text[0]'s region */
    sc_view orig;                 /* header block of the returned message */
    int has_orig;
    sc_view orig_msg;             /* the whole attached message (message/rfc822) */
    int nested;                   /* 1 while reading a bounce attached to a bounce */
    size_t bad64;
    unsigned mime_flags;
    int first;
    const char *pipes[8];         /* recipients (their span's ptr) whose failure was an Exim pipe delivery */
    int npipes;
} bctx;

/* ------------------------------------------------------------------------ */
/* Collecting the parts                                                       */

static sc_view strip_html(sc_arena *a, sc_view v) {
    char *o = sc_arena_bytes(a, v.n);
    if (!o) return v;
    size_t k = 0;
    int tag = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '<') {
            tag = 1;
            /* block elements end a line */
            if (i + 3 < v.n && (sc_lower((unsigned char)v.p[i + 1]) == 'b' || sc_lower((unsigned char)v.p[i + 1]) == 'p' ||
                                sc_lower((unsigned char)v.p[i + 1]) == 'd' || sc_lower((unsigned char)v.p[i + 1]) == 't' ||
                                v.p[i + 1] == '/'))
                if (k && o[k - 1] != '\n') o[k++] = '\n';
            continue;
        }
        if (tag) { if (c == '>') tag = 0; continue; }
        if (c == '&' && i + 5 < v.n && memcmp(v.p + i, "&nbsp;", 6) == 0) { o[k++] = ' '; i += 5; continue; }
        if (c == '&' && i + 3 < v.n && memcmp(v.p + i, "&lt;", 4) == 0) { o[k++] = '<'; i += 3; continue; }
        if (c == '&' && i + 3 < v.n && memcmp(v.p + i, "&gt;", 4) == 0) { o[k++] = '>'; i += 3; continue; }
        if (c == '&' && i + 4 < v.n && memcmp(v.p + i, "&amp;", 5) == 0) { o[k++] = '&'; i += 4; continue; }
        o[k++] = c;
    }
    sc_arena_unget(a, v.n - k);
    sc_view r = {o, k};
    return r;
}

static int type_is(sc_view t, const char *name) { return sc_ieq(t.p, t.n, name); }

static void on_part(void *vctx, const sc_part *p) {
    bctx *c = vctx;
    if (c->first) {
        c->first = 0;
        c->top = p->headers;
        c->report_type = p->report_type;
        if (p->is_container) return;
    }
    if (p->is_container) return;
    sc_view t = p->type;
    if (type_is(t, "message/delivery-status") || type_is(t, "message/global-delivery-status") ||
        type_is(t, "text/delivery-status") || type_is(t, "message/x-delivery-status")) {
        if (c->ndsn < MAX_DSN)
            c->dsn[c->ndsn++] = sc_to_utf8(&c->a, sc_decode_body(&c->a, p->body, p->cte, &c->bad64), p->charset);
        return;
    }
    if (type_is(t, "message/feedback-report")) {
        if (!c->has_fbr) { c->fbr = sc_decode_body(&c->a, p->body, p->cte, &c->bad64); c->has_fbr = 1; }
        return;
    }
    if (type_is(t, "message/rfc822") || type_is(t, "message/global") || type_is(t, "text/rfc822-headers") ||
        type_is(t, "message/rfc822-headers") || type_is(t, "message/global-headers") || type_is(t, "message/partial")) {
        if (!c->has_orig) {
            sc_view body = sc_decode_body(&c->a, p->body, p->cte, &c->bad64);
            size_t hl;
            sc_header_block(body.p, body.n, &hl);
            c->orig.p = body.p;
            c->orig.n = hl;
            c->has_orig = 1;
            if (type_is(t, "message/rfc822") || type_is(t, "message/global")) c->orig_msg = body;
        }
        return;
    }
    if (t.n == 0 || sc_istarts(t.p, t.n, "text/")) {
        if (c->ntext >= MAX_TEXT) return;
        if (c->has_orig && c->ntext > 0) return;   /* text after the returned message: its body */
        sc_view body = sc_to_utf8(&c->a, sc_decode_body(&c->a, p->body, p->cte, &c->bad64), p->charset);
        if (type_is(t, "text/html")) {
            /* HTML only when no plain text came first (multipart/alternative) */
            if (c->ntext > 0) return;
            body = strip_html(&c->a, body);
        }
        c->text[c->ntext++] = body;
    }
}

/* ------------------------------------------------------------------------ */
/* Text helpers                                                               */

static size_t lend(const char *s, size_t n, size_t i) {
    const char *nl = i < n ? memchr(s + i, '\n', n - i) : NULL;
    return nl ? (size_t)(nl - s) : n;
}

static int blank(const char *s, size_t a, size_t b) {
    for (size_t i = a; i < b; i++)
        if (!sc_is_space((unsigned char)s[i])) return 0;
    return 1;
}

/* Does the line s[0..n) start with a header or DSN field ("To: ...", "Subject: ...",
 * "Action: delayed"), or, when after_addr, does the rest of a line after an address, past
 * blanks and punctuation? Such a line is a quoted header block or the report's own fields,
 * not an explanation of a recipient. An indented line is no field: it continues the line
 * above (a transcript's "     FROM:<a@b>"). */
static int field_line(const char *s, size_t n, int after_addr) {
    static const char *const names[] = {"action:", "status:", "diagnostic-code:", "remote-mta:", "reporting-mta:",
                                        "final-recipient:", "original-recipient:", "last-attempt-date:",
                                        "will-retry-until:", "arrival-date:", "x-actual-recipient:", "subject:", "date:",
                                        "from:", "to:", "cc:", "message-id:", "received:", "return-path:",
                                        "mime-version:", "content-type:", "reply-to:", "sender:"};
    size_t i = 0;
    while (after_addr && i < n && (sc_is_space((unsigned char)s[i]) || s[i] == ';' || s[i] == ':' || s[i] == ',' ||
                                   s[i] == '.' || s[i] == '>'))
        i++;
    for (size_t k = 0; k < COUNT_OF(names); k++)
        if (sc_istarts(s + i, n - i, names[k])) return 1;
    return 0;
}

/* Is the mention of an address at t[a..e) (t is n bytes) inside fields: its line starts with a
 * field ("Final-Recipient: rfc822;a@b", "To: a@b"), fields follow it on its line ("a@b; Action:
 * Delayed"), or nothing follows it and the next line is a field ("To: a@b" then "Subject: ...")? */
static int addr_in_fields(const char *t, size_t n, size_t a, size_t e) {
    size_t ls = a, le = lend(t, n, e);
    while (ls > 0 && t[ls - 1] != '\n') ls--;
    if (field_line(t + ls, le - ls, 0) || field_line(t + e, le - e, 1)) return 1;
    if (!blank(t, e, le) || le >= n) return 0;
    return field_line(t + le + 1, lend(t, n, le + 1) - le - 1, 0);
}

static int is_local_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sc_is_digit(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL;
}
static int is_domain_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sc_is_digit(c) || c == '.' || c == '-' || c == '_';
}

/* An address whose '@' is at s[at]: its span, 0 if not an address. */
static int addr_at(const char *s, size_t n, size_t at, size_t lo, sc_view *out) {
    if (at >= n || s[at] != '@') return 0;
    size_t b = at;
    while (b > lo && is_local_char((unsigned char)s[b - 1]) && at - b < 128) b--;
    while (b < at && s[b] == '.') b++;
    size_t e = at + 1;
    while (e < n && is_domain_char((unsigned char)s[e]) && e - at < 256) e++;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) e--;
    if (b == at || e <= at + 1) return 0;
    if (!memchr(s + at + 1, '.', e - at - 1) && !(e - at - 1 == 9 && sc_istarts(s + at + 1, 9, "localhost"))) return 0;
    out->p = s + b;
    out->n = e - b;
    return 1;
}

/* The first address in s[i..e) (its span), 0 if none. */
static int find_addr(const char *s, size_t i, size_t e, sc_view *out) {
    while (i < e) {
        const char *at = memchr(s + i, '@', e - i);
        if (!at) return 0;
        size_t k = (size_t)(at - s);
        if (addr_at(s, e, k, i, out)) return 1;
        i = k + 1;
    }
    return 0;
}

static int view_contains(sc_view hay, sc_view needle) {
    if (!hay.p || needle.n == 0 || needle.n > hay.n) return 0;
    for (size_t i = 0; i + needle.n <= hay.n; i++)
        if (hay.p[i] == needle.p[0] && memcmp(hay.p + i, needle.p, needle.n) == 0) return 1;
    return 0;
}

/* The literal (exact bytes) occurs in v. */
static int memmem_lit(sc_view v, const char *lit) {
    sc_view n = {lit, strlen(lit)};
    return view_contains(v, n);
}

static int view_has(sc_view v, const char *needle) { return v.p && sc_ifind(v.p, v.n, needle) != NULL; }

static int same_addr(sc_view a, sc_view b) {
    if (a.n != b.n) return 0;
    for (size_t i = 0; i < a.n; i++)
        if (sc_lower((unsigned char)a.p[i]) != sc_lower((unsigned char)b.p[i])) return 0;
    return 1;
}

/* Address of a DSN recipient field: "rfc822; <a@b>" -> a@b */
static sc_view dsn_addr(sc_view v) {
    const char *semi = memchr(v.p, ';', v.n);
    if (semi) { v.n -= (size_t)(semi + 1 - v.p); v.p = semi + 1; }
    sc_trim(&v.p, &v.n);
    sc_view a;
    if (find_addr(v.p, 0, v.n, &a)) return a;
    while (v.n && (v.p[0] == '<' || v.p[0] == '"')) { v.p++; v.n--; }
    while (v.n && (v.p[v.n - 1] == '>' || v.p[v.n - 1] == '"')) v.n--;
    return v;
}

static smtpcodes_span span(sc_view v) {
    smtpcodes_span s = {v.n ? v.p : NULL, v.n ? v.n : 0};
    return s;
}
static sc_view view(smtpcodes_span s) {
    sc_view v = {s.ptr, s.len};
    return v;
}

static const char *norm_action(sc_view v) {
    sc_trim(&v.p, &v.n);
    if (!v.n) return NULL;
    if (sc_istarts(v.p, v.n, "fail")) return "failed";
    if (sc_istarts(v.p, v.n, "delay") || sc_istarts(v.p, v.n, "defer")) return "delayed";
    if (sc_istarts(v.p, v.n, "deliver")) return "delivered";
    if (sc_istarts(v.p, v.n, "relay")) return "relayed";
    if (sc_istarts(v.p, v.n, "expand")) return "expanded";
    return "failed";
}

/* A status code d.d{1,3}.d{1,3} at s[i]: its length, 0 if none. */
static size_t status_len(const char *s, size_t n, size_t i) {
    if (i >= n || !(s[i] == '2' || s[i] == '4' || s[i] == '5') || i + 1 >= n || s[i + 1] != '.') return 0;
    size_t k = i + 2, d = 0;
    while (k < n && sc_is_digit((unsigned char)s[k]) && d < 3) { k++; d++; }
    if (!d || k >= n || s[k] != '.') return 0;
    k++;
    d = 0;
    while (k < n && sc_is_digit((unsigned char)s[k]) && d < 3) { k++; d++; }
    if (!d || (k < n && (sc_is_digit((unsigned char)s[k]) || s[k] == '.'))) return 0;
    return k - i;
}

static sc_view dsn_status(sc_view v) {
    sc_trim(&v.p, &v.n);
    size_t i = 0;
    while (i < v.n && !sc_is_digit((unsigned char)v.p[i]) && i < 4) i++;
    size_t l = status_len(v.p, v.n, i);
    sc_view r = {v.p + i, l};
    if (!l) r.p = NULL;
    return r;
}

/* ------------------------------------------------------------------------ */
/* Recipients                                                                 */

typedef struct rlist {
    bctx *c;
    smtpcodes_bounce *out;
    smtpcodes_bounce_recipient *last;   /* most recent (lowest address) */
    size_t n;                           /* kept */
    size_t total;
} rlist;

static smtpcodes_bounce_recipient *add_rec(rlist *l) {
    l->total++;
    if (l->n >= SMTPCODES_MAX_RECIPIENTS) { l->out->truncated |= SMTPCODES_BT_RECIPIENTS; return NULL; }
    smtpcodes_bounce_recipient *r = sc_arena_rec(&l->c->a, sizeof *r, _Alignof(smtpcodes_bounce_recipient));
    if (!r) { l->out->truncated |= SMTPCODES_BT_SCRATCH; return NULL; }
    /* records come from the top of the arena, each below the last: contiguous */
    memset(r, 0, offsetof(smtpcodes_bounce_recipient, has_reply));
    r->has_reply = 0;
    l->last = r;
    l->n++;
    return r;
}

/* The record i (0 = first added) before the final reversal. */
static smtpcodes_bounce_recipient *rec_at(rlist *l, size_t i) { return l->last + (l->n - 1 - i); }

static int rec_find(rlist *l, sc_view a) {
    for (size_t i = 0; i < l->n && i < 64; i++)
        if (same_addr(view(rec_at(l, i)->recipient), a)) return 1;
    return 0;
}

/* Parse DSN fields: per-message fields, then recipient groups. Returns the
 * number of recipient groups seen. */
static size_t parse_dsn(rlist *l, sc_view body) {
    bctx *c = l->c;
    smtpcodes_bounce *out = l->out;
    const char *s = body.p;
    size_t n = body.n, i = 0, groups = 0;
    smtpcodes_bounce_recipient *cur = NULL;
    int closed = 1, cur_fields = 0, dropped = 0, note_diag = 0;
    while (i < n) {
        size_t e = lend(s, n, i);
        if (blank(s, i, e)) {
            if (cur_fields) closed = 1;
            i = e < n ? e + 1 : n;
            continue;
        }
        size_t k = i;
        while (k < e && s[k] != ':' && s[k] != ' ' && s[k] != '\t') k++;
        size_t end = e;
        while (end < n && end + 1 < n && (s[end + 1] == ' ' || s[end + 1] == '\t') && !blank(s, end + 1, lend(s, n, end + 1)))
            end = lend(s, n, end + 1);
        size_t next = end < n ? end + 1 : n;
        if (k >= e || s[k] != ':' || k == i) { i = next; continue; }
        sc_view name = {s + i, k - i};
        sc_view raw = {s + k + 1, end - k - 1};
        i = next;
        int isrec = sc_ieq(name.p, name.n, "final-recipient") || sc_ieq(name.p, name.n, "original-recipient") ||
                    sc_ieq(name.p, name.n, "action") || sc_ieq(name.p, name.n, "status") ||
                    sc_ieq(name.p, name.n, "remote-mta") || sc_ieq(name.p, name.n, "diagnostic-code") ||
                    sc_ieq(name.p, name.n, "last-attempt-date") || sc_ieq(name.p, name.n, "will-retry-until") ||
                    sc_ieq(name.p, name.n, "x-actual-recipient");
        if (!isrec) {
            sc_view v = sc_unfold(&c->a, raw);
            if (sc_ieq(name.p, name.n, "reporting-mta") && !out->reporting_mta.ptr) out->reporting_mta = span(v);
            else if (sc_ieq(name.p, name.n, "arrival-date") && !out->arrival_date.ptr) out->arrival_date = span(v);
            continue;
        }
        int fin = sc_ieq(name.p, name.n, "final-recipient");
        int orig = sc_ieq(name.p, name.n, "original-recipient");
        int start = (!cur && !dropped) || closed;
        if (cur && !closed) {
            if (fin && cur->recipient.ptr) start = 1;
            if (orig && cur->original_recipient.ptr) start = 1;
            if (sc_ieq(name.p, name.n, "action") && cur->action) start = 1;
        }
        if (start && !dropped) {
            /* a group without an address is dropped when the next starts */
            if (cur && !cur->recipient.ptr && !cur->original_recipient.ptr && l->n) {
                l->n--;
                l->total--;
                c->a.hi += sizeof *cur;
                l->last = l->n ? l->last + 1 : NULL;
            }
            cur = add_rec(l);
            groups++;
            closed = 0;
            cur_fields = 0;
            note_diag = 0;
            if (!cur) { dropped = 1; }
        } else if (dropped) {
            /* past the limit: groups are counted, not kept */
            if (start) { l->total++; closed = 0; }
            cur_fields++;
            continue;
        }
        if (!cur) continue;
        cur_fields++;
        sc_view v = sc_unfold(&c->a, raw);
        if (fin || sc_ieq(name.p, name.n, "x-actual-recipient")) {
            if (!cur->recipient.ptr) cur->recipient = span(dsn_addr(v));
        } else if (orig) {
            cur->original_recipient = span(dsn_addr(v));
        } else if (sc_ieq(name.p, name.n, "action")) {
            cur->action = norm_action(v);
        } else if (sc_ieq(name.p, name.n, "status")) {
            cur->status = span(dsn_status(v));
            /* "Status: 4.0.0 (cat.example.net: host name lookup failure)": a comment that says where
             * and what ("host: reason") stands for a Diagnostic-Code the group lacks; a bare title
             * ("(permanent failure)") only restates the code */
            const char *op = v.n ? memchr(v.p, '(', v.n) : NULL;
            const char *cp = op ? memchr(op, ')', v.n - (size_t)(op - v.p)) : NULL;
            if (!cur->diagnostic.ptr && cp && memchr(op, ':', (size_t)(cp - op))) {
                sc_view note = {op + 1, (size_t)(cp - op - 1)};
                sc_trim(&note.p, &note.n);
                if (note.n) { cur->diagnostic = span(note); note_diag = 1; }
            }
        } else if (sc_ieq(name.p, name.n, "remote-mta")) {
            sc_view r = v;
            const char *semi = memchr(r.p, ';', r.n);
            if (semi) { r.n -= (size_t)(semi + 1 - r.p); r.p = semi + 1; sc_trim(&r.p, &r.n); }
            cur->remote_mta = span(r);
        } else if (sc_ieq(name.p, name.n, "diagnostic-code")) {
            sc_view d = v;
            const char *semi = memchr(d.p, ';', d.n);
            if (semi && semi - d.p < 24 && !memchr(d.p, ' ', (size_t)(semi - d.p))) {
                sc_view t = {d.p, (size_t)(semi - d.p)};
                sc_trim(&t.p, &t.n);
                cur->diagnostic_type = span(t);
                d.n -= (size_t)(semi + 1 - d.p);
                d.p = semi + 1;
                sc_trim(&d.p, &d.n);
            }
            if (d.n > SMTPCODES_MAX_DIAGNOSTIC) { d.n = SMTPCODES_MAX_DIAGNOSTIC; out->truncated |= SMTPCODES_BT_DIAGNOSTIC; }
            if (!cur->diagnostic.ptr || note_diag) { cur->diagnostic = span(d); note_diag = 0; }
        } else if (sc_ieq(name.p, name.n, "last-attempt-date")) {
            cur->last_attempt = span(v);
        } else if (sc_ieq(name.p, name.n, "will-retry-until")) {
            cur->will_retry_until = span(v);
        }
    }
    if (cur && !cur->recipient.ptr) {
        if (cur->original_recipient.ptr) cur->recipient = cur->original_recipient;
        else if (l->n) {
            l->n--;
            l->total--;
            c->a.hi += sizeof *cur;
            l->last = l->n ? l->last + 1 : NULL;
        }
    }
    for (size_t r = 0; r < l->n; r++) {
        smtpcodes_bounce_recipient *x = rec_at(l, r);
        if (!x->recipient.ptr && x->original_recipient.ptr) x->recipient = x->original_recipient;
    }
    return groups;
}

/* ------------------------------------------------------------------------ */
/* Bounce texts                                                               */

/* The end of the bounce text in t: where the copy of the original begins. */
static size_t region_end(sc_view t) {
    size_t i = 0, n = t.n < REGION_MAX ? t.n : REGION_MAX;
    // cppcheck-suppress knownConditionTrueFalse ; a false positive: n is the text's length, not 0
    while (i < n) {
        size_t e = lend(t.p, n, i);
        const char *p = t.p + i;
        size_t l = e - i;
        while (l && (*p == ' ' || *p == '\t' || *p == '>' || *p == '|')) { p++; l--; }
        for (size_t k = 0; k < COUNT_OF(sc_bounce_cuts); k++)
            if (sc_istarts(p, l, sc_bounce_cuts[k]) || (l > 8 && p[0] == '-' && sc_ifind(p, l < 120 ? l : 120, sc_bounce_cuts[k])))
                return i;
        // cppcheck-suppress knownConditionTrueFalse ; see above
        i = e < n ? e + 1 : n;
    }
    return n;
}

/* A reply code or enhanced code in s[a..b) */
static int has_code(const char *s, size_t a, size_t b) {
    for (size_t i = a; i + 3 <= b; i++) {
        if ((s[i] == '4' || s[i] == '5') && (i == a || !sc_is_digit((unsigned char)s[i - 1]))) {
            if (status_len(s, b, i)) return 1;
            if (i + 3 <= b && sc_is_digit((unsigned char)s[i + 1]) && sc_is_digit((unsigned char)s[i + 2]) &&
                (i + 3 == b || s[i + 3] == ' ' || s[i + 3] == '-'))
                return 1;
        }
    }
    return 0;
}

/* Start of the address on a recipient line, after the prefixes bounce texts
 * put before it; 0 when the line is not a recipient line. */
static int recipient_line(const char *s, size_t i, size_t e, sc_view *addr, size_t *rest) {
    const char *p = s + i;
    size_t l = e - i;
    while (l && (sc_is_space((unsigned char)*p) || *p == '*' || *p == '-')) { p++; l--; }
    static const char *const skip_pre[] = {">>> ", "<<< ", "rcpt to:", "rcpt to: ", "recipient address:",
                                           "recipient:", "original-recipient:", "final-recipient:",
                                           "rfc822;", "address:", "to: ", "failed recipient:", "user "};
    static const char *const reject_pre[] = {"from:", "to:", "cc:", "sender:", "reply-to:", "return-path:",
                                             "mail from:", "envelope-from", "subject:", "message-id",
                                             "references:", "in-reply-to:", "date:", "x-", "list-", "dkim",
                                             "received:", "authentication-results:", "arc-"};
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k < COUNT_OF(reject_pre); k++)
            if (sc_istarts(p, l, reject_pre[k]) && round == 0) return 0;
        int moved = 0;
        for (size_t k = 0; k < COUNT_OF(skip_pre); k++)
            if (sc_istarts(p, l, skip_pre[k])) {
                size_t m = strlen(skip_pre[k]);
                p += m;
                l -= m;
                moved = 1;
            }
        while (l && (*p == ' ' || *p == '\t')) { p++; l--; }
        if (!moved) break;
    }
    /* "550 <a@b>... User unknown" (Sendmail transcripts) */
    if (l > 5 && sc_is_digit((unsigned char)p[0]) && sc_is_digit((unsigned char)p[1]) && sc_is_digit((unsigned char)p[2]) &&
        p[3] == ' ' && p[4] == '<') { p += 4; l -= 4; }
    {
        /* "Unknown user: a@b" - a short note, a colon, the address ending the line */
        const char *colon = memchr(p, ':', l < 48 ? l : 48);
        if (colon && !(l > 0 && (*p == '<' || is_local_char((unsigned char)*p)) && memchr(p, '@', (size_t)(colon - p)))) {
            const char *q = colon + 1;
            size_t ql = l - (size_t)(q - p);
            while (ql && (*q == ' ' || *q == '\t' || *q == '<')) { q++; ql--; }
            while (ql && sc_is_space((unsigned char)q[ql - 1])) ql--;
            if (ql && q[ql - 1] == '>') ql--;
            if (ql && q[ql - 1] == '.') ql--;
            const char *at = ql ? memchr(q, '@', ql) : NULL;
            sc_view a2;
            if (at && addr_at(s, e, (size_t)(at - s), (size_t)(q - s), &a2) && a2.p == q && a2.n == ql &&
                !memchr(p, '@', (size_t)(colon - p))) {
                *addr = a2;
                *rest = i;
                return 1;
            }
        }
    }
    int angle = 0;
    while (l && (*p == '<' || *p == '"' || *p == '(' || *p == '\'')) { if (*p == '<') angle = 1; p++; l--; }
    /* the address must start here */
    size_t k = 0;
    while (k < l && is_local_char((unsigned char)p[k])) k++;
    if (k == 0 || k >= l || p[k] != '@') return 0;
    sc_view a;
    size_t at = (size_t)(p + k - s);
    if (!addr_at(s, e, at, (size_t)(p - s), &a) || a.p != p) return 0;
    size_t r = (size_t)(a.p + a.n - s);
    /* what follows: punctuation, a reply, or a short note */
    size_t j = r;
    while (j < e && (s[j] == '>' || s[j] == '"' || s[j] == ')' || s[j] == '\'' || s[j] == ':' || s[j] == ',' || s[j] == ';' ||
                     s[j] == '.' || s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
        j++;
    (void)angle;
    *addr = a;
    *rest = j;
    return 1;
}

/* Collapse s[a..b) into the arena: lines joined by one space, runs of blanks
 * one space, at most SMTPCODES_MAX_DIAGNOSTIC bytes. */
static sc_view collapse(bctx *c, const char *s, size_t a, size_t b, unsigned *trunc) {
    if (b - a > SMTPCODES_MAX_DIAGNOSTIC) { b = a + SMTPCODES_MAX_DIAGNOSTIC; *trunc |= SMTPCODES_BT_DIAGNOSTIC; }
    char *o = sc_arena_bytes(&c->a, b - a);
    sc_view r = {s + a, 0};
    if (!o) { r.n = lend(s, b, a) - a; return r; }
    size_t k = 0;
    for (size_t i = a; i < b; i++) {
        char ch = s[i];
        if (sc_is_space((unsigned char)ch)) {
            if (k && o[k - 1] != ' ') o[k++] = ' ';
            continue;
        }
        o[k++] = ch;
    }
    while (k && o[k - 1] == ' ') k--;
    sc_arena_unget(&c->a, (b - a) - k);
    r.p = o;
    r.n = k;
    return r;
}

static int is_daemon(sc_view from) {
    static const char *const w[] = {"mailer-daemon", "mailer_daemon", "postmaster", "mail delivery", "maildelivery",
                                    "mdaemon", "<>", "mail administrator", "mail system", "mailerdaemon",
                                    "no-reply@sns.amazonaws", "bounce", "daemon@", "post_master@"};
    if (!from.p) return 0;
    for (size_t i = 0; i < COUNT_OF(w); i++)
        if (sc_ifind(from.p, from.n, w[i])) return 1;
    return 0;
}

static int is_forward(sc_view subj) {
    static const char *const w[] = {"fwd:", "fw:", "wg:", "tr:", "re:", "aw:", "sv:", "rv:", "enc:"};
    const char *p = subj.p;
    size_t l = subj.n;
    if (!p) return 0;
    sc_trim(&p, &l);
    for (size_t i = 0; i < COUNT_OF(w); i++)
        if (sc_istarts(p, l, w[i])) return 1;
    return 0;
}

static const char *text_format(sc_view t, size_t n) {
    for (size_t k = 0; k < COUNT_OF(sc_bounce_formats); k++)
        if (sc_ifind(t.p, n, sc_bounce_formats[k].phrase)) return sc_bounce_formats[k].format;
    return NULL;
}

/* Recipients of a bounce text: recipient lines of the bounce region, each
 * with the diagnostic that follows it. */
static void read_text(rlist *l, sc_view t, size_t n, sc_view *exclude, size_t nexcl, const char *action) {
    bctx *c = l->c;
    const char *s = t.p;
    size_t i = 0;
    size_t starts[64];
    size_t rests[64];
    sc_view addrs[64];
    size_t na = 0;
    while (i < n && na < 64) {
        size_t e = lend(s, n, i);
        sc_view a;
        size_t rest;
        if (recipient_line(s, i, e, &a, &rest)) {
            int skip = 0;
            for (size_t x = 0; x < nexcl; x++)
                if (exclude[x].p && same_addr(exclude[x], a)) skip = 1;
            if (sc_istarts(a.p, a.n, "mailer-daemon@") || sc_istarts(a.p, a.n, "postmaster@")) skip = 1;
            for (size_t x = 0; x < na && !skip; x++)
                if (same_addr(addrs[x], a)) skip = 1;
            if (!skip) {
                starts[na] = i;
                rests[na] = rest;
                addrs[na++] = a;
            }
        }
        i = e < n ? e + 1 : n;
    }
    for (size_t r = 0; r < na; r++) {
        if (rec_find(l, addrs[r])) continue;
        smtpcodes_bounce_recipient *x = add_rec(l);
        if (!x) { l->total += na - r - 1; break; }
        x->recipient = span(addrs[r]);
        x->action = action;
        /* the paragraph after the address: to a blank line or the next recipient */
        size_t a = rests[r];
        size_t lim = r + 1 < na ? starts[r + 1] : n;
        size_t j = lend(s, n, a);
        size_t b = j;
        int lines = 0;
        while (j < lim && lines < 40) {
            size_t nx = j < n ? j + 1 : n;
            size_t ne = lend(s, n, nx);
            if (nx >= lim || blank(s, nx, ne)) break;
            b = ne;
            j = ne;
            lines++;
        }
        if (b > lim) b = lim;
        if (!has_code(s, a, b) || b - a < 8) {
            /* no reply in the paragraph: everything up to the next recipient */
            size_t b2 = lim;
            if (b2 - a > 2048) b2 = a + 2048;
            if (has_code(s, a, b2) || b - a < 8) b = b2;
        }
        if (!has_code(s, a, b)) {
            /* the reply stands before the address ("Error message below:\n550 - ...",
             * then "RCPT TO: a@b"; EZweb's reason, then the address alone): the
             * nearest line with a code above it, else the paragraph above it, within
             * 2048 bytes and after the previous recipient */
            size_t lo = r ? rests[r - 1] : 0, st = starts[r];
            if (st - lo > 2048) lo = st - 2048;
            size_t code_line = st, para_b = st, para_e = st, prev_b = st, prev_e = st, q = lo;
            while (q < st) {
                size_t e = lend(s, st, q);
                if (has_code(s, q, e)) code_line = q;
                if (!blank(s, q, e)) {
                    if (para_e != q - (q > 0)) {   /* a new paragraph starts */
                        if (para_e > para_b) { prev_b = para_b; prev_e = para_e; }
                        para_b = q;
                    }
                    para_e = e;
                }
                q = e < st ? e + 1 : st;
            }
            {   /* "The following recipients did not receive this message:": a one-line
                 * introduction of the list; the reason is the paragraph before it */
                size_t t_e = para_e;
                while (t_e > para_b && sc_is_space((unsigned char)s[t_e - 1])) t_e--;
                if (t_e > para_b && s[t_e - 1] == ':' && !memchr(s + para_b, '\n', t_e - para_b) && prev_e > prev_b &&
                    !has_code(s, para_b, t_e)) {
                    para_b = prev_b;
                    para_e = prev_e;
                }
            }
            size_t letters = 0;
            for (size_t k = a; k < b && letters < 8; k++)
                if ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')) letters++;
            if (code_line < st) {
                size_t ce = lend(s, st, code_line);
                x->diagnostic = span(collapse(c, s, code_line, ce, &l->out->truncated));
                continue;
            }
            if (letters < 8 && para_e > para_b && para_e <= st) {
                x->diagnostic = span(collapse(c, s, para_b, para_e, &l->out->truncated));
                continue;
            }
        }
        x->diagnostic = span(collapse(c, s, a, b, &l->out->truncated));
    }
}

/* ------------------------------------------------------------------------ */
/* Per-recipient: reply, status, stage, classification                         */

static const char *find_stage(sc_view d) {
    static const struct { const char *w; const char *stage; } st[] = {
        {"in reply to rcpt to", "RCPT TO"},   {"after rcpt to", "RCPT TO"},
        {"does not like recipient", "RCPT TO"}, {"most progress was rcpt to", "RCPT TO"},   /* qmail */
        {"did not like our rcpt to", "RCPT TO"}, {"did not like our mail from", "MAIL FROM"},
        {"failed after i sent the message", "DATA"}, {"failed on data command", "DATA"},     {"in reply to mail from", "MAIL FROM"},
        {"after mail from", "MAIL FROM"},     {"in reply to end of data", "DATA"}, {"after end of data", "DATA"},
        {"in reply to data", "DATA"},         {"after data", "DATA"},           {"final data", "DATA"},
        {"in reply to helo", "HELO"},         {"after helo", "HELO"},           {"in reply to ehlo", "EHLO"},
        {"after ehlo", "EHLO"},               {"in reply to quit", "QUIT"},     {">>> rcpt to", "RCPT TO"},
        {">>> mail from", "MAIL FROM"},       {">>> data", "DATA"},             {"[rcpt_to]", "RCPT TO"},
        {"rcpt to:", "RCPT TO"},              {"mail from:", "MAIL FROM"},       {"rcpt to", "RCPT TO"},
        {"end of data", "DATA"},              {"after the initial connection", "CONNECT"},
        {"during the initial connection", "CONNECT"}, {"greeting", "CONNECT"},
        /* Exim-style texts of other MTAs (GMX): "SMTP error from remote server after RCPT command" */
        {"after rcpt command", "RCPT TO"},    {"after mail command", "MAIL FROM"},
        /* "SMTP:RCPT host 192.0.2.8: 553 ..." (X3) and m-FILTER's "-------SMTP command" section */
        {"smtp:rcpt", "RCPT TO"},             {"smtp:mail", "MAIL FROM"},       {"smtp:data", "DATA"},
        {"smtp command rcpt", "RCPT TO"},     {"smtp command mail", "MAIL FROM"}, {"smtp command data", "DATA"},
        /* qmail-remote: "Connected to ... but sender was rejected" / "... but my name was rejected" */
        {"but sender was rejected", "MAIL FROM"}, {"but my name was rejected", "EHLO"},
        /* Postfix: the greeting refused ("refused to talk to me"), the connection lost at HELO */
        {"refused to talk to me", "CONNECT"},  {"while performing the helo handshake", "HELO"},
        {"while performing the ehlo handshake", "EHLO"},
        /* X6: "(Error following RCPT command)", "refused to accept your message (DATA)";
         * 1&1: "SMTP error from remote server for TEXT command" (the message text, after DATA) */
        {"error following rcpt command", "RCPT TO"}, {"error following mail command", "MAIL FROM"},
        {"error following data command", "DATA"}, {"refused to accept your message (data)", "DATA"},
        {"for text command", "DATA"},
        /* Microsoft 365 relaying a remote refusal of the address: 5.1.351 "Remote server
         * returned unknown recipient" (the remote answered RCPT TO) */
        {"returned unknown recipient", "RCPT TO"},
        /* Gmail's "(state N)": the step of its SMTP client when the remote refused; the
         * numbers seen in Gmail bounces with the refused command they correspond to */
        {"(state 6)", "MAIL FROM"},           {"(state 13)", "EHLO"},           {"(state 14)", "RCPT TO"},
        {"(state 18)", "DATA"},
    };
    if (!d.p) return NULL;
    for (size_t i = 0; i < COUNT_OF(st); i++)
        if (sc_ifind(d.p, d.n, st[i].w)) return st[i].stage;
    return NULL;
}

/* Sendmail's transcript: ">>> COMMAND" lines and "<<< reply" lines. The stage
 * of the address is the last command sent before the first error reply that
 * names it (or, when none names it, before the first error reply). */
static const char *transcript_stage(sc_view t, size_t n, sc_view a) {
    const char *last = NULL, *first_err = NULL, *named = NULL;
    size_t i = 0;
    while (i < n && !named) {
        size_t e = lend(t.p, n, i);
        const char *p = t.p + i;
        size_t l = e - i;
        while (l && (*p == ' ' || *p == '\t')) { p++; l--; }
        if (l > 4 && memcmp(p, ">>> ", 4) == 0) {
            sc_view cmd = {p + 4, l - 4};
            last = find_stage(cmd);
            if (!last) {
                if (sc_istarts(cmd.p, cmd.n, "data")) last = "DATA";
                else if (sc_istarts(cmd.p, cmd.n, "ehlo")) last = "EHLO";
                else if (sc_istarts(cmd.p, cmd.n, "helo")) last = "HELO";
                else if (sc_istarts(cmd.p, cmd.n, "quit")) last = "QUIT";
            }
        } else if (l > 5 && memcmp(p, "<<< ", 4) == 0 && (p[4] == '4' || p[4] == '5') && last) {
            if (!first_err) first_err = last;
            if (a.n && l >= a.n) {
                for (size_t k = 0; k + a.n <= l; k++)
                    if (sc_lower((unsigned char)p[k]) == sc_lower((unsigned char)a.p[0]) && same_addr((sc_view){p + k, a.n}, a)) {
                        named = last;
                        break;
                    }
            }
        }
        i = e < n ? e + 1 : n;
    }
    return named ? named : first_err;
}

static void finish_rec(bctx *c, smtpcodes_bounce *out, smtpcodes_bounce_recipient *x) {
    sc_view d = view(x->diagnostic);
    /* a transcript ("Out: 250 2.1.0 Ok ... Out: 451 4.3.0 Error") is read from its
     * first failure: the reply that made the bounce */
    sc_view rd = d;
    size_t first45 = d.n;
    if (d.p && d.n) {
        size_t first23 = d.n;
        for (size_t i = 0; i + 3 < d.n && first45 == d.n; i++) {
            if ((i == 0 || !sc_is_digit((unsigned char)d.p[i - 1]) ) && sc_is_digit((unsigned char)d.p[i]) &&
                sc_is_digit((unsigned char)d.p[i + 1]) && sc_is_digit((unsigned char)d.p[i + 2]) &&
                (d.p[i + 3] == ' ' || d.p[i + 3] == '-') && (i == 0 || d.p[i - 1] == ' ' || d.p[i - 1] == ':')) {
                if (d.p[i] == '4' || d.p[i] == '5') first45 = i;
                else if ((d.p[i] == '2' || d.p[i] == '3') && first23 == d.n) first23 = i;
            }
        }
        if (first23 < first45 && first45 < d.n) {
            rd.p = d.p + first45;
            rd.n = d.n - first45;
        }
    }
    int leads = rd.p && rd.n > 4 && (rd.p[0] == '2' || rd.p[0] == '4' || rd.p[0] == '5') && sc_is_digit((unsigned char)rd.p[1]) &&
                sc_is_digit((unsigned char)rd.p[2]) && (rd.p[3] == ' ' || rd.p[3] == '-');
    if (rd.p && rd.n && (leads || has_code(rd.p, 0, rd.n)) && smtpcodes_parse(rd.p, rd.n, 0, &x->reply) == SMTPCODES_OK)
        x->has_reply = 1;
    if ((!x->has_reply || !x->reply.has_basic) && rd.p && rd.n > 4) {
        /* a reply code written as a label: "550: 5.1.1 <a@b>... User Unknown" (Yahoo),
         * "ERROR_CODE :550, ERROR_CODE :5.1.1 <a@b>... User Unknown" (Zoho): read as
         * "550 5.1.1 <a@b>... User Unknown" */
        const char *code = NULL, *rest = NULL, *end = rd.p + rd.n;
        const char *sq = rd.n > 6 ? sc_ifind(rd.p, rd.n, "-'") : NULL;
        if ((rd.p[0] == '4' || rd.p[0] == '5') && sc_is_digit((unsigned char)rd.p[1]) && sc_is_digit((unsigned char)rd.p[2]) &&
            rd.p[3] == ':') {
            code = rd.p;
            rest = rd.p + 4;
        } else if (sq && sq - rd.p >= 3 && (sq[-3] == '4' || sq[-3] == '5') && sc_is_digit((unsigned char)sq[-2]) &&
                   sc_is_digit((unsigned char)sq[-1]) && (sq - rd.p == 3 || sq[-4] == ' ') && end - sq > 4 &&
                   sc_is_digit((unsigned char)sq[2]) && sq[3] == '.') {
            /* Amazon SES quotes the remote reply: "5.1.0 - Unknown address error 550-'5.2.2
             * <a@b>... Mailbox Full' (delivery attempts: 0)": read "550 5.2.2 <a@b>... Mailbox Full"
             * (only when the quote starts with its own status: else SES's stays) */
            code = sq - 3;
            rest = sq + 2;
            const char *close = memchr(rest, '\'', (size_t)(end - rest));
            if (close) end = close;
        } else {
            const char *ec = sc_ifind(rd.p, rd.n, "error_code :");
            if (ec && (size_t)(end - ec) > 15 && (ec[12] == '4' || ec[12] == '5') && sc_is_digit((unsigned char)ec[13]) &&
                sc_is_digit((unsigned char)ec[14]) && (ec + 15 == end || !sc_is_digit((unsigned char)ec[15]))) {
                code = ec + 12;
                rest = ec + 15;
                const char *ec2 = sc_ifind(rest, (size_t)(end - rest), "error_code :");
                if (ec2) rest = ec2 + 12;
            }
        }
        while (rest && rest < end && (*rest == ':' || *rest == ',' || *rest == ' ')) rest++;
        if (code && rest) {
            size_t rn = (size_t)(end - rest);
            char *o = sc_arena_bytes(&c->a, 4 + rn);
            if (o) {
                memcpy(o, code, 3);
                o[3] = ' ';
                if (rn) memcpy(o + 4, rest, rn);
                smtpcodes_reply rp;
                if (smtpcodes_parse(o, 4 + rn, 0, &rp) == SMTPCODES_OK && rp.has_basic) {
                    x->reply = rp;
                    x->has_reply = 1;
                }
            }
        }
    }
    if ((!x->has_reply || !x->reply.has_basic) && d.p && first45 + 3 < d.n && d.p + first45 != rd.p &&
        d.p[first45 + 3] == ' ') {
        /* the reply inside a longer text ("----- Transcript of session follows ----- 550 sorry,
         * no mailbox here by that name (#5.1.1)"): read from its code */
        smtpcodes_reply rp;
        if (smtpcodes_parse(d.p + first45, d.n - first45, 0, &rp) == SMTPCODES_OK && rp.has_basic) {
            x->reply = rp;
            x->has_reply = 1;
        }
    }
    /* a generic X.0.0 status gives way to the reply's more specific code */
    if (x->has_reply && x->reply.has_enhanced) {
        sc_view st = view(x->status);
        int generic = st.p && st.n >= 4 && memcmp(st.p + st.n - 4, ".0.0", 4) == 0;
        const char *rt = x->reply.status_code.text;
        size_t rl = strlen(rt);
        int rgeneric = rl >= 4 && memcmp(rt + rl - 4, ".0.0", 4) == 0;
        /* the remote server's own code is more precise than the reporting MTA's
         * summary (Sendmail's 5.1.1 over "550 5.7.1 ... blacklisted", 4.4.7 over "450 4.7.1") */
        int differs = st.p && (st.n != rl || memcmp(st.p, rt, rl) != 0);
        if (!st.p || (generic && !rgeneric && st.p[0] == rt[0]) || (differs && !rgeneric && x->reply.has_basic)) {
            x->status.ptr = rt;
            x->status.len = rl;
        }
    }
    if (!x->stage) x->stage = find_stage(d);
    /* classify the diagnostic (from its first failure), with the status when the text lacks it */
    d = rd;
    sc_view st = view(x->status);
    const char *in = d.p;
    size_t inn = d.n;
    if (st.p && !view_contains(d, st)) {
        char *o = sc_arena_bytes(&c->a, st.n + 1 + d.n);
        if (o) {
            memcpy(o, st.p, st.n);
            o[st.n] = ' ';
            if (d.p && d.n) memcpy(o + st.n + 1, d.p, d.n);
            in = o;
            inn = st.n + 1 + d.n;
        } else {
            out->truncated |= SMTPCODES_BT_SCRATCH;
        }
    }
    if (!in || !inn || smtpcodes_classify(in, inn, &x->classification) != SMTPCODES_OK) {
        memset(&x->classification, 0, sizeof x->classification);
        x->classification.reason = smtpcodes_reason_index("undefined", 9);
        if (x->classification.reason < 0) x->classification.reason = 0;
        x->classification.code_reason = -1;
        x->classification.evidence = SMTPCODES_EV_DEFAULT;
    }
    if (!x->status.ptr) {
        const char *rn = smtpcodes_reason_name(x->classification.reason);
        for (size_t k = 0; rn && k < COUNT_OF(sc_bounce_status); k++)
            if (strcmp(sc_bounce_status[k].reason, rn) == 0) {
                const char *inf = sc_bounce_status[k].status;
                if (x->action && strcmp(x->action, "delayed") == 0 && inf[0] == '5') {
                    /* a delay is transient: the same detail in class 4 (static copies) */
                    static const char *const four[] = {"4.1.1", "4.1.2", "4.1.6", "4.1.8", "4.2.1", "4.2.2", "4.2.3",
                                                       "4.3.4", "4.3.1", "4.3.0", "4.4.7", "4.4.6", "4.7.1", "4.7.0",
                                                       "4.6.0", "4.5.2", "4.2.0", "4.1.10", "4.7.25", "4.7.26"};
                    for (size_t q = 0; q < COUNT_OF(four); q++)
                        if (strcmp(four[q] + 1, inf + 1) == 0) { inf = four[q]; break; }
                }
                x->status.ptr = inf;
                x->status.len = strlen(inf);
                break;
            }
    }
}

/* ------------------------------------------------------------------------ */
/* The message                                                                */

/* The text after each mention of the address in t[0..n): the rest of its
 * line and the lines up to a blank one, for every mention that says more than
 * punctuation (Sendmail lists the address alone, then "addr... Deferred: ..."),
 * joined with a space, at most SMTPCODES_MAX_DIAGNOSTIC bytes, in the arena. */
/* Exim's local deliveries among "The following address(es) failed:": an indented
 * "save to PATH" or "pipe to |COMMAND" line, then indented lines with "generated by ADDR"
 * and the reason ("mailbox is full: retry timeout exceeded"). The block that names the
 * recipient (in its first line or in its "generated by") gives the reason lines; for a pipe
 * with none, the first paragraph under "The following text was generated during the delivery
 * attempt:" after its "------ pipe to ... ------" heading. *pipe is set for a pipe block.
 * With any, the first block is the recipient's (a report with one recipient, whose block
 * names it only as anonymised text). NULL when no block names the recipient. */
static sc_view exim_local(bctx *c, sc_view t, size_t n, sc_view rcpt, int any, int *pipe, unsigned *trunc) {
    sc_view none = {NULL, 0};
    for (size_t i = 0; (rcpt.n || any) && i < n;) {
        size_t e = lend(t.p, n, i), j = i;
        while (j < e && (t.p[j] == ' ' || t.p[j] == '\t')) j++;
        int is_save = sc_istarts(t.p + j, e - j, "save to "), is_pipe = sc_istarts(t.p + j, e - j, "pipe to ");
        if (!(is_save || is_pipe) || j == i) { i = e < n ? e + 1 : n; continue; }
        sc_view head = {t.p + j, e - j};
        int named = any || view_contains(head, rcpt);
        size_t rs = 0, re = 0, k = e < n ? e + 1 : n, b = e;
        while (k < n) {
            size_t ke = lend(t.p, n, k), kj = k;
            if (blank(t.p, k, ke) || !(t.p[k] == ' ' || t.p[k] == '\t')) break;
            while (kj < ke && (t.p[kj] == ' ' || t.p[kj] == '\t')) kj++;
            sc_view line = {t.p + kj, ke - kj};
            if (sc_istarts(line.p, line.n, "generated by ")) named |= view_contains(line, rcpt);
            else if (!rs) { rs = kj; re = ke; }
            else re = ke;
            b = ke;
            k = ke < n ? ke + 1 : n;
        }
        if (!named) { i = b < n ? b + 1 : n; continue; }
        *pipe = is_pipe;
        if (rs) return collapse(c, t.p, rs, re, trunc);
        const char *g = is_pipe ? sc_ifind(t.p + b, n - b, "generated during the delivery attempt:") : NULL;
        if (!g) return none;
        size_t q = lend(t.p, n, (size_t)(g - t.p));
        /* skip the blank lines and the "------ pipe to ... ------" heading (one or two lines) */
        int heading = 0;
        while (q < n) {
            size_t qs = q + 1, qe = lend(t.p, n, qs);
            if (qs >= n) return none;
            if (blank(t.p, qs, qe)) { q = qe; if (heading == 1) heading = 2; continue; }
            if (heading < 2) {
                heading = 1;
                q = qe;
                continue;
            }
            size_t pe = qe;
            while (pe < n) {
                size_t ne = lend(t.p, n, pe + 1);
                if (pe + 1 >= n || blank(t.p, pe + 1, ne)) break;
                pe = ne;
            }
            return collapse(c, t.p, qs, pe, trunc);
        }
        return none;
    }
    return none;
}

static sc_view addr_paragraphs(bctx *c, sc_view t, size_t n, sc_view a, unsigned *trunc) {
    size_t rs[8], re[8], nr = 0, total = 0;
    for (size_t j = 0; a.n && j + a.n <= n && nr < 8;) {
        const char *f = memchr(t.p + j, '@', n - j);
        if (!f) break;
        size_t at = (size_t)(f - t.p);
        sc_view got;
        j = at + 1;
        if (!addr_at(t.p, n, at, 0, &got) || !same_addr(got, a)) continue;
        size_t as = (size_t)(got.p - t.p) + got.n;
        size_t b = lend(t.p, n, as);
        if (addr_in_fields(t.p, n, (size_t)(got.p - t.p), as)) {   /* a field names it: no explanation */
            j = b > j ? b : j;
            continue;
        }
        int lines = 0;
        while (b < n && lines < 20) {
            size_t ne = lend(t.p, n, b + 1), rest;
            sc_view other;
            if (blank(t.p, b + 1, ne)) break;
            /* the next line is another recipient's ("b@x: 552 5.2.2 ..." under "a@x: 550 ...");
             * an indented line is the reply's continuation, even when it starts with an address */
            if (b + 1 < ne && !sc_is_space((unsigned char)t.p[b + 1]) && recipient_line(t.p, b + 1, ne, &other, &rest) &&
                !same_addr(other, a))
                break;
            b = ne;
            lines++;
        }
        size_t letters = 0;
        for (size_t k = as; k < b && letters < 3; k++)
            if ((t.p[k] >= 'a' && t.p[k] <= 'z') || (t.p[k] >= 'A' && t.p[k] <= 'Z') || sc_is_digit((unsigned char)t.p[k]))
                letters++;
        if (letters >= 3) {
            rs[nr] = as;
            re[nr] = b;
            nr++;
            total += b - as + 1;
            break;   /* the first mention that says something */
        }
        j = b > j ? b : j;
    }
    sc_view r = {NULL, 0};
    if (!nr) return r;
    if (total > SMTPCODES_MAX_DIAGNOSTIC) { total = SMTPCODES_MAX_DIAGNOSTIC; *trunc |= SMTPCODES_BT_DIAGNOSTIC; }
    char *o = sc_arena_bytes(&c->a, total);
    if (!o) return collapse(c, t.p, rs[0], re[0], trunc);
    size_t k = 0;
    for (size_t i = 0; i < nr && k < total; i++) {
        if (k && k < total) o[k++] = ' ';
        for (size_t q = rs[i]; q < re[i] && k < total; q++) {
            char ch = t.p[q];
            if (sc_is_space((unsigned char)ch)) {
                if (k && o[k - 1] != ' ') o[k++] = ' ';
                continue;
            }
            if (k == 0 && (ch == '>' || ch == ':' || ch == ',' || ch == '.')) continue;
            o[k++] = ch;
        }
    }
    while (k && o[k - 1] == ' ') k--;
    sc_arena_unget(&c->a, total - k);
    r.p = o;
    r.n = k;
    return r;
}

/* An Exim local-delivery block names the recipient: its reason lines (remembering a pipe
 * delivery, whose failure is the local mailer's); NULL when none names it. */
static sc_view local_diagnostic(bctx *c, sc_view t, size_t n, sc_view a, int any, unsigned *trunc) {
    int pipe = 0;
    sc_view v = exim_local(c, t, n, a, any, &pipe, trunc);
    if (pipe && c->npipes < 8 && a.p) c->pipes[c->npipes++] = a.p;
    return v;
}

static int was_pipe(const bctx *c, smtpcodes_span r) {
    for (int k = 0; k < c->npipes; k++)
        if (c->pipes[k] == r.ptr) return 1;
    return 0;
}

/* Amazon SES notifications (JSON, also inside an SNS envelope where the quotes
 * are escaped): the string value of "key" at or after from, before lim. */
static int json_value(sc_view t, size_t from, size_t lim, const char *key, sc_view *val, size_t *after) {
    size_t kl = strlen(key);
    for (size_t i = from; i + kl + 2 <= lim;) {
        const char *f = memchr(t.p + i, key[0], lim - i);
        if (!f) return 0;
        size_t k = (size_t)(f - t.p);
        i = k + 1;
        if (k + kl >= lim || memcmp(t.p + k, key, kl) != 0 || k == 0 || t.p[k - 1] != '"' || t.p[k + kl] != '\\') {
            if (!(k + kl < lim && k > 0 && memcmp(t.p + k, key, kl) == 0 && t.p[k - 1] == '"' && t.p[k + kl] == '"'))
                continue;
        }
        size_t j = k + kl;
        while (j < lim && (t.p[j] == '"' || t.p[j] == '\\' || t.p[j] == ' ' || t.p[j] == ':' || t.p[j] == '\t')) {
            if (t.p[j] == ':') { j++; break; }
            j++;
        }
        while (j < lim && (t.p[j] == ' ' || t.p[j] == '\\' || t.p[j] == '"' || t.p[j] == '[')) j++;
        size_t e = j;
        while (e < lim && t.p[e] != '"' && t.p[e] != '\\' && t.p[e] != ',' && t.p[e] != '}' && t.p[e] != ']') e++;
        val->p = t.p + j;
        val->n = e - j;
        if (after) *after = e;
        return 1;
    }
    return 0;
}

static void read_ses(rlist *l, sc_view t, smtpcodes_bounce *out) {
    sc_view type, v;
    size_t n = t.n, pos = 0;
    if (!json_value(t, 0, n, "notificationType", &type, NULL)) return;
    out->format = "amazonses";
    if (json_value(t, 0, n, "reportingMTA", &v, NULL)) out->reporting_mta = span(v);
    if (sc_ieq(type.p, type.n, "bounce")) {
        while (json_value(t, pos, n, "emailAddress", &v, &pos)) {
            smtpcodes_bounce_recipient *x = add_rec(l);
            if (!x) continue;
            x->recipient = span(v);
            x->action = "failed";
            /* this recipient's fields: up to the next emailAddress */
            sc_view nx;
            size_t lim = n, np;
            if (json_value(t, pos, n, "emailAddress", &nx, &np)) lim = (size_t)(nx.p - t.p);
            if (json_value(t, pos, lim, "action", &v, NULL)) x->action = norm_action(v);
            if (json_value(t, pos, lim, "status", &v, NULL)) x->status = span(dsn_status(v));
            if (json_value(t, pos, lim, "diagnosticCode", &v, NULL)) {
                const char *semi = memchr(v.p, ';', v.n);
                if (semi && semi - v.p < 12) { v.n -= (size_t)(semi + 1 - v.p); v.p = semi + 1; sc_trim(&v.p, &v.n); }
                x->diagnostic = span(v);
            }
        }
        out->kind = SMTPCODES_BOUNCE_FAILED;
    } else if (sc_ieq(type.p, type.n, "complaint")) {
        while (json_value(t, pos, n, "emailAddress", &v, &pos)) {
            smtpcodes_bounce_recipient *x = add_rec(l);
            if (x) x->recipient = span(v);
        }
        if (json_value(t, 0, n, "complaintFeedbackType", &v, NULL)) out->feedback_type = span(v);
        else { out->feedback_type.ptr = "abuse"; out->feedback_type.len = 5; }
        out->kind = SMTPCODES_BOUNCE_FEEDBACK;
    } else if (sc_ieq(type.p, type.n, "delivery")) {
        const char *d = sc_ifind(t.p, n, "\"delivery\"");
        if (!d) d = sc_ifind(t.p, n, "delivery\\\"");
        size_t dpos = d ? (size_t)(d - t.p) : 0;
        sc_view resp = {NULL, 0};
        json_value(t, dpos, n, "smtpResponse", &resp, NULL);
        if (json_value(t, dpos, n, "recipients", &v, &pos)) {
            smtpcodes_bounce_recipient *x = add_rec(l);
            if (x) {
                x->recipient = span(v);
                x->action = "delivered";
                x->diagnostic = span(resp);
            }
        }
        out->kind = SMTPCODES_BOUNCE_DELIVERED;
    }
}

static sc_view hdr(bctx *c, sc_view block, const char *name) {
    sc_view v = {NULL, 0};
    if (block.p && sc_header_get(block.p, block.n, name, &v)) return sc_unfold(&c->a, v);
    v.p = NULL;
    v.n = 0;
    return v;
}

static sc_view first_addr(sc_view v) {
    sc_view a = {NULL, 0};
    if (v.p && find_addr(v.p, 0, v.n, &a)) return a;
    a.p = NULL;
    a.n = 0;
    return a;
}

/* A line of t starting with the field name (lower case, with its colon). */
static int line_field(sc_view t, const char *name, sc_view *val) {
    size_t i = 0, n = t.n < REGION_MAX ? t.n : REGION_MAX;
    size_t m = strlen(name);
    // cppcheck-suppress knownConditionTrueFalse ; a false positive: n is the text's length, not 0
    while (i < n) {
        size_t e = lend(t.p, n, i);
        if (sc_istarts(t.p + i, e - i, name)) {
            if (val) {
                val->p = t.p + i + m;
                val->n = e - i - m;
                sc_trim(&val->p, &val->n);
            }
            return 1;
        }
        // cppcheck-suppress knownConditionTrueFalse ; see above
        i = e < n ? e + 1 : n;
    }
    return 0;
}

/* The message, not the reply, decides the reason: evidence "message" (rendered from the
 * reason by sc_put_evidence), unless the reply's own evidence already gave that reason. A refusal after DATA keeps its phrase, which the evidence quotes;
 * otherwise the reply's phrase did not decide and is dropped. */
static void set_reason(smtpcodes_bounce_recipient *x, const char *name) {
    int r = smtpcodes_reason_index(name, strlen(name));
    if (r < 0) return;
    smtpcodes_classification *c = &x->classification;
    int same = c->reason == r && c->evidence != SMTPCODES_EV_DEFAULT && c->evidence != SMTPCODES_EV_NONE;
    c->reason = r;
    c->hard_bounce = 0;
    c->retry = 0;
    if (same) return;   /* the reply already said so ("250 2.0.0 Ok" under action delivered): its evidence stays */
    c->evidence = SMTPCODES_EV_MESSAGE;
    c->overridden = 0;
    if (strcmp(name, "filtered") != 0) {
        c->phrase = NULL;
        c->rule_vendor = NULL;
    }
}

static int any_phrase(sc_view t, size_t n, const char *const *list, size_t count) {
    if (!t.p) return 0;
    for (size_t k = 0; k < count; k++)
        if (sc_ifind(t.p, n < t.n ? n : t.n, list[k])) return 1;
    return 0;
}

const char *smtpcodes_bounce_kind_name(smtpcodes_bounce_kind k) {
    switch (k) {
    case SMTPCODES_BOUNCE_FAILED: return "bounce";
    case SMTPCODES_BOUNCE_DELAY: return "delay";
    case SMTPCODES_BOUNCE_FEEDBACK: return "feedback";
    case SMTPCODES_BOUNCE_AUTOREPLY: return "autoreply";
    case SMTPCODES_BOUNCE_DELIVERED: return "delivered";
    default: return "other";
    }
}

static smtpcodes_status parse_bounce(const char *msg, size_t len, void *scratch, size_t scratch_cap,
                                     smtpcodes_bounce *out, int nested);

smtpcodes_status smtpcodes_parse_bounce(const char *msg, size_t len, void *scratch, size_t scratch_cap,
                                        smtpcodes_bounce *out) {
    return parse_bounce(msg, len, scratch, scratch_cap, out, 0);
}

static smtpcodes_status parse_bounce(const char *msg, size_t len, void *scratch, size_t scratch_cap,
                                     smtpcodes_bounce *out, int nested) {
    if (!out) return SMTPCODES_ERR_ARG;
    memset(out, 0, sizeof *out);
    if ((!msg && len) || !scratch) return SMTPCODES_ERR_ARG;
    if (!msg) msg = "";
    bctx c;
    memset(&c, 0, sizeof c);
    c.nested = nested;
    sc_arena_init(&c.a, scratch, scratch_cap);
    c.msg = msg;
    c.len = len;
    c.first = 1;
    c.mime_flags = sc_mime_walk(msg, len, on_part, &c);
    if (c.mime_flags & SC_MIME_CUT_DEPTH) out->truncated |= SMTPCODES_BT_DEPTH;
    if (c.mime_flags & SC_MIME_CUT_PARTS) out->truncated |= SMTPCODES_BT_PARTS;
    if (c.mime_flags & SC_MIME_CUT_BOUNDARY) out->truncated |= SMTPCODES_BT_BOUNDARY;
    if (c.bad64) out->truncated |= SMTPCODES_BT_BASE64;
    for (int i = 0; i < c.ntext; i++) {
        c.rend[i] = region_end(c.text[i]);
        sc_view head = {c.text[i].p, c.rend[i]};
        c.transcript[i] = memmem_lit(head, ">>> ");
    }
    c.fmt0 = c.ntext ? text_format(c.text[0], c.rend[0]) : NULL;

    sc_view from = hdr(&c, c.top, "from");
    sc_view to = hdr(&c, c.top, "to");
    sc_view subj_raw = hdr(&c, c.top, "subject");
    sc_view cs = {NULL, 0};
    sc_view subj = subj_raw.p ? sc_to_utf8(&c.a, sc_decode_words(&c.a, subj_raw, &cs), cs) : subj_raw;
    out->subject = span(subj);
    out->subject_charset = span(cs);
    sc_view xfr = hdr(&c, c.top, "x-failed-recipients");
    if (c.has_orig) {
        sc_view o = c.orig;
        out->original.message_id = span(hdr(&c, o, "message-id"));
        out->original.from = span(hdr(&c, o, "from"));
        out->original.to = span(hdr(&c, o, "to"));
        sc_view os = hdr(&c, o, "subject"), ocs;
        out->original.subject = span(os.p ? sc_decode_words(&c.a, os, &ocs) : os);
        out->original.date = span(hdr(&c, o, "date"));
    }
    rlist l = {&c, out, NULL, 0, 0};
    /* a mailing-list server's notice (fml): its X-MLServer and the kind of notice its Subject names */
    const struct sc_bounce_ml_notice *ml = NULL;
    sc_view mls = hdr(&c, c.top, "x-mlserver");
    for (size_t k = 0; mls.p && subj.p && !ml && k < COUNT_OF(sc_bounce_ml_notices); k++)
        if (sc_istarts(mls.p, mls.n, sc_bounce_ml_notices[k].server) &&
            sc_ifind(subj.p, subj.n, sc_bounce_ml_notices[k].subject))
            ml = &sc_bounce_ml_notices[k];
    int daemon = is_daemon(from) || is_daemon(hdr(&c, c.top, "return-path"));
    int forward = is_forward(subj) && !daemon && !c.report_type.n && !c.ndsn && !c.has_fbr;

    /* 1. delivery status fields */
    for (int i = 0; i < c.ndsn; i++) parse_dsn(&l, c.dsn[i]);
    int mislabelled = 0;
    if (!l.n && !forward) {
        for (int i = 0; i < c.ntext && !l.n; i++)
            if (line_field(c.text[i], "final-recipient:", NULL) || line_field(c.text[i], "original-recipient:", NULL)) {
                parse_dsn(&l, c.text[i]);
                mislabelled = 1;
            }
    }
    int ses = 0;
    if (!l.n && !forward)
        for (int i = 0; i < c.ntext && !ses; i++)
            if (memmem_lit(c.text[i], "notificationType")) {
                read_ses(&l, c.text[i], out);
                ses = l.n > 0;
            }
    int feedback = !ses && (c.has_fbr || sc_ieq(c.report_type.p, c.report_type.n, "feedback-report"));
    sc_view hm = {NULL, 0};
    if (c.has_orig) hm = hdr(&c, c.orig, "x-hmxmroriginalrecipient");
    if (!feedback && c.ntext && line_field(c.text[0], "feedback-type:", NULL) && !l.n) feedback = 1;
    if (!feedback && hm.p && !l.n) feedback = 1;
    /* Apple Mail's unsubscribe message (X-Apple-Unsubscribe: true): an opt-out from its sender,
     * though it says Auto-Submitted: auto-replied */
    sc_view apple = hdr(&c, c.top, "x-apple-unsubscribe");
    int unsubscribe = apple.p && sc_istarts(apple.p, apple.n, "true") && !l.n;
    if (unsubscribe) feedback = 1;

    /* auto-reply evidence: RFC 3834 headers or a vacation Subject, from a person */
    sc_view as = hdr(&c, c.top, "auto-submitted");
    sc_view prec = hdr(&c, c.top, "precedence");
    int autoreply_like = !is_daemon(from) && !xfr.p &&
                         ((as.p && sc_istarts(as.p, as.n, "auto-replied")) || hdr(&c, c.top, "x-autoreply").p ||
                          hdr(&c, c.top, "x-autorespond").p || (prec.p && sc_ifind(prec.p, prec.n, "auto_reply")) ||
                          any_phrase(subj, subj.n, sc_bounce_autoreply, COUNT_OF(sc_bounce_autoreply)));
    if (ses) {
        /* read_ses set kind and format */
    } else if (l.n && !feedback) {
        out->format = "rfc3464";
        (void)mislabelled;
        /* diagnostics the DSN lacks: the bounce text's paragraph for the address */
        for (size_t r = 0; r < l.n; r++) {
            smtpcodes_bounce_recipient *x = rec_at(&l, r);
            if (x->diagnostic.ptr && x->stage) continue;
            for (int i = 0; i < c.ntext; i++) {
                sc_view t = c.text[i];
                size_t n = c.rend[i];
                if (r >= 256) break;   /* the text is searched for the first 256 recipients (linear time) */
                sc_view para = local_diagnostic(&c, t, n, view(x->recipient), 0, &out->truncated);
                if (!para.n) para = addr_paragraphs(&c, t, n, view(x->recipient), &out->truncated);
                if (!para.n) continue;
                if (!x->stage) x->stage = find_stage(para);
                if (!x->diagnostic.ptr && para.n) x->diagnostic = span(para);
                break;
            }
            /* one recipient and still nothing: the bounce text's first line with a reply code (a
             * Sendmail transcript's "554 "|/usr/bin/procmail"... Service unavailable") */
            for (int i = 0; !x->diagnostic.ptr && l.n == 1 && i < c.ntext; i++) {
                const char *tp = c.text[i].p;
                size_t n = c.rend[i];
                for (size_t j = 0; j < n;) {
                    size_t e = lend(tp, n, j);
                    if (has_code(tp, j, e) && !field_line(tp + j, e - j, 0)) {
                        x->diagnostic = span(collapse(&c, tp, j, e, &out->truncated));
                        break;
                    }
                    j = e < n ? e + 1 : n;
                }
            }
        }
        int failed = 0, delayed = 0, delivered = 0;
        for (size_t r = 0; r < l.n; r++) {
            smtpcodes_bounce_recipient *x = rec_at(&l, r);
            if (!x->action) {
                if (x->status.ptr && x->status.ptr[0] == '2') x->action = "delivered";
                else x->action = "failed";
            }
            if (strcmp(x->action, "failed") == 0) failed++;
            else if (strcmp(x->action, "delayed") == 0) delayed++;
            else delivered++;
        }
        out->kind = failed ? SMTPCODES_BOUNCE_FAILED : delayed ? SMTPCODES_BOUNCE_DELAY : SMTPCODES_BOUNCE_DELIVERED;
        (void)delivered;
    } else if (feedback && !forward) {
        out->kind = SMTPCODES_BOUNCE_FEEDBACK;
        out->format = "arf";
        sc_view f = c.has_fbr ? c.fbr : (c.ntext ? c.text[0] : c.fbr);
        sc_view v;
        if (f.p && line_field(f, "feedback-type:", &v)) out->feedback_type = span(v);
        if (f.p && line_field(f, "source-ip:", &v)) out->source_ip = span(v);
        sc_view rcpt = {NULL, 0};
        if (f.p && (line_field(f, "original-rcpt-to:", &v) || line_field(f, "removal-recipient:", &v))) rcpt = first_addr(v);
        if (!rcpt.p && hm.p) rcpt = first_addr(hm);
        if (!rcpt.p && unsubscribe) rcpt = first_addr(from);   /* who asks to be removed */
        if (!rcpt.p && out->original.to.ptr) rcpt = first_addr(view(out->original.to));
        if (!rcpt.p) rcpt = first_addr(to);   /* the report names nobody: its own addressee */
        if (!out->feedback_type.ptr && hm.p) { out->feedback_type.ptr = "abuse"; out->feedback_type.len = 5; }
        if (!out->feedback_type.ptr && view_has(subj, "unsubscribe")) { out->feedback_type.ptr = "opt-out"; out->feedback_type.len = 7; }
        if (f.p && (sc_ifind(f.p, f.n, "original-rcpt-to:"))) {
            /* every Original-Rcpt-To line is a recipient */
            size_t i = 0;
            while (i < f.n) {
                size_t e = lend(f.p, f.n, i);
                sc_view a;
                if (sc_istarts(f.p + i, e - i, "original-rcpt-to:") && find_addr(f.p, i, e, &a) && !rec_find(&l, a)) {
                    smtpcodes_bounce_recipient *x = add_rec(&l);
                    if (x) x->recipient = span(a);
                }
                i = e < f.n ? e + 1 : f.n;
            }
        }
        if (rcpt.p && !l.n) {
            smtpcodes_bounce_recipient *x = add_rec(&l);
            if (x) x->recipient = span(rcpt);
        }
    } else if (!forward && !autoreply_like && (daemon || xfr.p || ml || any_phrase(subj, subj.n, sc_bounce_subjects, COUNT_OF(sc_bounce_subjects)) ||
                            (c.fmt0 && strcmp(c.fmt0, "generic") != 0))) {
        sc_view excl[4] = {first_addr(from), first_addr(to), first_addr(hdr(&c, c.top, "return-path")),
                           first_addr(view(out->original.from))};
        int delay = any_phrase(subj, subj.n, sc_bounce_delay, COUNT_OF(sc_bounce_delay));
        const char *fmt = ml ? ml->server : NULL;
        for (int i = 0; i < c.ntext; i++) {
            size_t n = c.rend[i];
            if (!fmt) fmt = i == 0 ? c.fmt0 : text_format(c.text[i], n);
            if (!delay && any_phrase(c.text[i], n, sc_bounce_delay, COUNT_OF(sc_bounce_delay))) {
                /* a delay notice unless it also says it gave up */
                if (!sc_ifind(c.text[i].p, n, "permanent") && !sc_ifind(c.text[i].p, n, "failed")) delay = 1;
            }
        }
        const char *action = delay ? "delayed" : "failed";
        if (ml && c.ntext) {
            /* the notice's first paragraph names the list ("You are not a member of this
             * mailing list <list@host>."): that address, with the paragraph as its diagnostic */
            sc_view t = c.text[0], a;
            size_t n = c.rend[0], j = 0;
            while (j < n && blank(t.p, j, lend(t.p, n, j))) j = lend(t.p, n, j) + 1;
            size_t e = j;
            while (e < n && !blank(t.p, e, lend(t.p, n, e))) e = lend(t.p, n, e) + 1;
            if (e > n) e = n;
            if (j < e && find_addr(t.p, j, e, &a)) {
                smtpcodes_bounce_recipient *x = add_rec(&l);
                if (x) {
                    x->recipient = span(a);
                    x->action = action;
                    x->diagnostic = span(collapse(&c, t.p, j, e, &out->truncated));
                }
            }
        }
        for (int i = 0; i < c.ntext && !(ml && l.n); i++) read_text(&l, c.text[i], c.rend[i], excl, 4, action);
        size_t named_in_text = 0;
        for (size_t r = 0; xfr.p && r < l.n && r < 64; r++) {
            size_t j = 0;
            sc_view b;
            while (j < xfr.n && find_addr(xfr.p, j, xfr.n, &b)) {
                if (same_addr(b, view(rec_at(&l, r)->recipient))) { named_in_text++; break; }
                j = (size_t)(b.p + b.n - xfr.p);
            }
        }
        /* X-Failed-Recipients is the list (unless the text names none of it:
         * then the text's own recipients, which carry the diagnostics, stay) */
        if (xfr.p && (named_in_text || !l.n)) {
            size_t i = 0;
            sc_view a;
            while (i < xfr.n && find_addr(xfr.p, i, xfr.n, &a)) {
                if (!rec_find(&l, a)) {
                    smtpcodes_bounce_recipient *x = add_rec(&l);
                    if (x) { x->recipient = span(a); x->action = action; }
                }
                i = (size_t)(a.p + a.n - xfr.p);
            }
            /* drop text recipients X-Failed-Recipients does not name (the text's
             * recipient lines are at most 64: the check stays linear) */
            size_t keep = 0;
            for (size_t r = 0; r < l.n && l.n <= 128; r++) {
                smtpcodes_bounce_recipient *x = rec_at(&l, r);
                {
                    int named = 0;
                    size_t j = 0;
                    sc_view b;
                    while (j < xfr.n && find_addr(xfr.p, j, xfr.n, &b)) {
                        if (same_addr(b, view(x->recipient))) named = 1;
                        j = (size_t)(b.p + b.n - xfr.p);
                    }
                    if (!named) continue;
                }
                if (keep != r) *rec_at(&l, keep) = *x;
                keep++;
            }
            if (l.n > 128) keep = l.n;
            if (keep < l.n) {
                /* the kept records are the highest keep slots: release the others */
                size_t drop = l.n - keep;
                c.a.hi += drop * sizeof *l.last;
                l.last = keep ? l.last + drop : NULL;
                l.n = keep;
                l.total -= drop;
            }
        }
        if (!l.n) {
            /* every recipient line named an excluded address (anonymised reports give the
             * sender and the recipient the same address): read them without exclusions */
            for (int i = 0; i < c.ntext; i++) read_text(&l, c.text[i], c.rend[i], excl, 0, action);
        }
        if (!l.n && daemon && c.orig_msg.p && !c.nested) {
            /* a bounce whose own text names nobody, carrying the real report as an
             * attachment (a relay returning the DSN it got): read that one, in the
             * free part of the scratch */
            smtpcodes_bounce inner;
            size_t room = c.a.hi - c.a.lo;
            if (parse_bounce(c.orig_msg.p, c.orig_msg.n, c.a.base + c.a.lo, room, &inner, 1) == SMTPCODES_OK &&
                inner.nrecipients && (inner.kind == SMTPCODES_BOUNCE_FAILED || inner.kind == SMTPCODES_BOUNCE_DELAY)) {
                unsigned keep = out->truncated;
                inner.truncated |= keep;
                if (!inner.subject.ptr) inner.subject = out->subject;
                *out = inner;
                return SMTPCODES_OK;
            }
        }
        if (!l.n) {
            /* last resort: the first address of the bounce text, else the returned message's To */
            /* (a postmaster@ address only when the text names no other: mail to a postmaster
             * bounces too, "error delivering your mail to <postmaster@...>") */
            sc_view a = {NULL, 0};
            for (int round = 0; round < 2 && !a.p; round++)
            for (int i = 0; i < c.ntext && !a.p; i++) {
                size_t n = c.rend[i], j = 0;
                sc_view b;
                while (j < n && find_addr(c.text[i].p, j, n, &b)) {
                    int bad = 0;
                    for (int x = 0; x < 4; x++)
                        if (excl[x].p && same_addr(excl[x], b)) bad = 1;
                    if (sc_istarts(b.p, b.n, "mailer-daemon@") || (!round && sc_istarts(b.p, b.n, "postmaster@")))
                        bad = 1;
                    if (!bad) { a = b; break; }
                    j = (size_t)(b.p + b.n - c.text[i].p);
                }
                if (a.p) {
                    smtpcodes_bounce_recipient *x = add_rec(&l);
                    if (x) {
                        x->recipient = span(a);
                        x->action = action;
                        const char *tp = c.text[i].p;
                        size_t s0 = (size_t)(a.p + a.n - tp), ls = (size_t)(a.p - tp);
                        while (ls > 0 && tp[ls - 1] != '\n') ls--;
                        if (addr_in_fields(tp, n, (size_t)(a.p - tp), s0)) {
                            /* the address stands in a quoted header block ("To: a@b" then "Subject:
                             * ..."): the explanation is the text's first paragraph above it */
                            size_t q = 0, pb = 0, pe = 0;
                            while (q < ls) {
                                size_t e = lend(tp, ls, q);
                                if (blank(tp, q, e)) {
                                    if (pe > pb) break;
                                    pb = e + 1;
                                } else if (!field_line(tp + q, e - q, 0)) {
                                    pe = e;
                                } else if (pe > pb) {
                                    break;
                                } else {
                                    pb = e + 1;
                                }
                                q = e < ls ? e + 1 : ls;
                            }
                            if (pe > pb) x->diagnostic = span(collapse(&c, tp, pb, pe, &out->truncated));
                        } else {
                            size_t s1 = s0 + 2048 < n ? s0 + 2048 : n;
                            x->diagnostic = span(collapse(&c, tp, s0, s1, &out->truncated));
                        }
                    }
                }
            }
            if (!a.p && out->original.to.ptr) {
                a = first_addr(view(out->original.to));
                if (a.p) {
                    smtpcodes_bounce_recipient *x = add_rec(&l);
                    if (x) { x->recipient = span(a); x->action = action; }
                }
            }
        }
        /* Exim's local deliveries ("save to", "pipe to") name their recipients in blocks */
        for (size_t r = 0; r < l.n && r < 64; r++) {
            smtpcodes_bounce_recipient *x = rec_at(&l, r);
            for (int i = 0; !x->diagnostic.ptr && i < c.ntext; i++) {
                sc_view v = local_diagnostic(&c, c.text[i], c.rend[i], view(x->recipient), l.n == 1, &out->truncated);
                if (v.n) x->diagnostic = span(v);
            }
        }
        /* recipients the text does not explain (named only by X-Failed-Recipients, or
         * by a line without its domain): the first paragraph of the bounce text that
         * carries a reply code */
        smtpcodes_span first_para = {NULL, 0};
        int first_done = 0;
        for (size_t r = 0; r < l.n; r++) {
            smtpcodes_bounce_recipient *x = rec_at(&l, r);
            if (x->diagnostic.ptr) continue;
            if (first_done) { x->diagnostic = first_para; continue; }   /* found once, shared */
            first_done = 1;
            for (int i = 0; i < c.ntext && !x->diagnostic.ptr; i++) {
                sc_view t = c.text[i];
                size_t n = c.rend[i], j = 0, para = 0;
                while (j < n) {
                    size_t e = lend(t.p, n, j);
                    if (blank(t.p, j, e)) para = e < n ? e + 1 : n;
                    else if (has_code(t.p, j, e)) {
                        size_t b = e;
                        while (b < n) {
                            size_t ne = lend(t.p, n, b + 1);
                            if (blank(t.p, b + 1, ne)) break;
                            b = ne;
                        }
                        x->diagnostic = span(collapse(&c, t.p, para, b, &out->truncated));
                        first_para = x->diagnostic;
                        break;
                    }
                    j = e < n ? e + 1 : n;
                }
            }
        }
        if (l.n) {
            out->kind = delay ? SMTPCODES_BOUNCE_DELAY : SMTPCODES_BOUNCE_FAILED;
            out->format = fmt ? fmt : "text";
        }
    }
    if (out->kind == SMTPCODES_BOUNCE_OTHER && !l.n && !forward) {
        int ar = (as.p && !sc_istarts(as.p, as.n, "no")) || hdr(&c, c.top, "x-autoreply").p ||
                 hdr(&c, c.top, "x-autorespond").p || (prec.p && sc_ifind(prec.p, prec.n, "auto_reply")) ||
                 any_phrase(subj, subj.n, sc_bounce_autoreply, COUNT_OF(sc_bounce_autoreply));
        if (ar && !is_daemon(from)) {   /* an auto-reply's Return-Path is <> (RFC 3834 3.3) */
            out->kind = SMTPCODES_BOUNCE_AUTOREPLY;
            out->format = "autoreply";
            sc_view a = first_addr(from);
            if (a.p) {
                smtpcodes_bounce_recipient *x = add_rec(&l);
                if (x) {
                    x->recipient = span(a);
                    if (c.ntext) {
                        size_t n = c.text[0].n < 1024 ? c.text[0].n : 1024;
                        x->diagnostic = span(collapse(&c, c.text[0].p, 0, n, &out->truncated));
                    }
                }
            }
        }
    }
    /* the records were taken from the top of the arena, last first: reverse */
    if (l.n > 1) {
        for (size_t i = 0, j = l.n - 1; i < j; i++, j--) {
            smtpcodes_bounce_recipient tmp = l.last[i];
            l.last[i] = l.last[j];
            l.last[j] = tmp;
        }
    }
    out->recipients = l.n ? l.last : NULL;
    out->nrecipients = l.n;
    out->total_recipients = l.total;
    for (size_t r = 0; r < l.n; r++) {
        smtpcodes_bounce_recipient *x = &out->recipients[r];
        for (int i = 0; !x->stage && i < c.ntext; i++)
            if (c.transcript[i] && r < 256) x->stage = transcript_stage(c.text[i], c.rend[i], view(x->recipient));
        finish_rec(&c, out, x);
        const char *rn = smtpcodes_reason_name(x->classification.reason);
        int vague = !rn || strcmp(rn, "undefined") == 0 || strcmp(rn, "onhold") == 0;
        if (ml && !x->has_reply) {   /* the list server's own notice says what happened */
            set_reason(x, ml->reason);
            vague = 0;
        }
        /* a local delivery program failed: an Exim pipe, or an "X-Unix; 255" diagnostic (RFC
         * 3464's type for a Unix mailer, not a reply of a remote server); mailererror unless a
         * wording (a phrase, the words, a tag) says more than its status */
        smtpcodes_evidence ev = x->classification.evidence;
        int worded = ev == SMTPCODES_EV_PHRASE || ev == SMTPCODES_EV_WORDS || ev == SMTPCODES_EV_TAG;
        if (!worded && (was_pipe(&c, x->recipient) ||
                        (x->diagnostic_type.ptr && sc_ieq(x->diagnostic_type.ptr, x->diagnostic_type.len, "x-unix")))) {
            set_reason(x, "mailererror");
            vague = 0;
        }
        for (size_t k = 0; vague && out->format && k < COUNT_OF(sc_bounce_format_reason); k++)
            if (strcmp(out->format, sc_bounce_format_reason[k].format) == 0) set_reason(x, sc_bounce_format_reason[k].reason);
        rn = smtpcodes_reason_name(x->classification.reason);
        /* "user unknown" answered to DATA: the address was accepted at RCPT TO, a
         * filter refused the message (reasons.toml: filtered) */
        int st511 = x->status.ptr && x->status.len == 5 && memcmp(x->status.ptr + 1, ".1.1", 4) == 0;
        int st521 = x->status.ptr && x->status.len == 5 && memcmp(x->status.ptr + 1, ".2.1", 4) == 0;
        (void)st521;   /* Sisimai is split on 5.2.1 "user unknown" (filtered 4 times, userunknown 4 times) */
        /* ... unless a provider's own tag said userunknown: the tag is definitive (Yahoo answers
         * "554 ... This user doesn't have a yahoo.com account" to DATA) */
        if (rn && strcmp(rn, "userunknown") == 0 && x->stage && strcmp(x->stage, "DATA") == 0 && !st511 &&
            x->classification.evidence != SMTPCODES_EV_TAG) {
            set_reason(x, "filtered");
        }
        /* a final failure after temporary network errors: "Action: failed" under a class-4 status
         * with a network cause (Postfix after its queue lifetime: "4.4.1 connect to ...: Connection
         * timed out") says the queue gave up (reasons.toml: expired). A server's own answer
         * (mailboxfull, systemerror, ...) stays the cause: it says more than the give-up. */
        else if (rn && strcmp(rn, "networkerror") == 0 && x->action && strcmp(x->action, "failed") == 0 &&
                 x->status.ptr && x->status.len && x->status.ptr[0] == '4') {
            set_reason(x, "expired");
        }
        if (out->kind == SMTPCODES_BOUNCE_FEEDBACK) set_reason(x, "feedback");
        else if (out->kind == SMTPCODES_BOUNCE_AUTOREPLY) set_reason(x, "vacation");
        else if (x->action && (strcmp(x->action, "delivered") == 0 || strcmp(x->action, "relayed") == 0 ||
                               strcmp(x->action, "expanded") == 0))
            set_reason(x, "delivered");
    }
    if (c.a.full) out->truncated |= SMTPCODES_BT_SCRATCH;
    return SMTPCODES_OK;
}

/* ------------------------------------------------------------------------ */
/* Rendering: a card (text, Markdown, HTML; a table of recipients in HTML)     */

static int kind_ui(smtpcodes_bounce_kind k) {
    switch (k) {
    case SMTPCODES_BOUNCE_FAILED: return UI_BOUNCE_K_BOUNCE;
    case SMTPCODES_BOUNCE_DELAY: return UI_BOUNCE_K_DELAY;
    case SMTPCODES_BOUNCE_FEEDBACK: return UI_BOUNCE_K_FEEDBACK;
    case SMTPCODES_BOUNCE_AUTOREPLY: return UI_BOUNCE_K_AUTOREPLY;
    case SMTPCODES_BOUNCE_DELIVERED: return UI_BOUNCE_K_DELIVERED;
    default: return UI_BOUNCE_K_OTHER;
    }
}

static const char *action_local(const char *a, smtpcodes_lang lang) {
    if (!a) return NULL;
    if (strcmp(a, "failed") == 0) return sc_ui[UI_BOUNCE_A_FAILED][lang];
    if (strcmp(a, "delayed") == 0) return sc_ui[UI_BOUNCE_A_DELAYED][lang];
    if (strcmp(a, "delivered") == 0) return sc_ui[UI_BOUNCE_A_DELIVERED][lang];
    if (strcmp(a, "relayed") == 0) return sc_ui[UI_BOUNCE_A_RELAYED][lang];
    if (strcmp(a, "expanded") == 0) return sc_ui[UI_BOUNCE_A_EXPANDED][lang];
    return a;
}

/* untrusted text: invalid UTF-8 replaced, control bytes '?', escaped by format */
static void put_untrusted(sc_buf *b, smtpcodes_format fmt, smtpcodes_span s, size_t max) {
    int was = b->md;
    b->md = fmt == SMTPCODES_MARKDOWN;
    sc_sb_put_safe(b, s.ptr ? s.ptr : "", s.len, max);
    b->md = was;
}

static void field_span(sc_buf *b, smtpcodes_format fmt, int ui, smtpcodes_span s, smtpcodes_lang lang) {
    if (!s.ptr || !s.len) return;
    sc_field_open(b, fmt, sc_ui[ui][lang]);
    put_untrusted(b, fmt, s, 300);
    sc_field_close(b, fmt);
}

static void field_static(sc_buf *b, smtpcodes_format fmt, int ui, const char *s, smtpcodes_lang lang) {
    if (!s) return;
    sc_field_open(b, fmt, sc_ui[ui][lang]);
    sc_put_md(b, fmt, s);
    sc_field_close(b, fmt);
}

static void put_reason(sc_buf *b, smtpcodes_format fmt, const smtpcodes_bounce_recipient *r, smtpcodes_lang lang) {
    const char *name = smtpcodes_reason_name(r->classification.reason);
    const char *title = smtpcodes_reason_text(r->classification.reason, SMTPCODES_REASON_TITLE, lang);
    sc_put_md(b, fmt, title ? title : name ? name : "");
    if (name && title && strcmp(name, title) != 0) {
        sc_sb_puts(b, " (");
        sc_put_md(b, fmt, name);
        sc_sb_puts(b, ")");
    }
}

static void put_td_open(sc_buf *b) { sc_sb_raws(b, "<td style=\"" ST_TD "\">"); }
static void put_td_close(sc_buf *b) { sc_sb_raws(b, "</td>"); }

int smtpcodes_render_bounce(const smtpcodes_bounce *bo, smtpcodes_lang lang, smtpcodes_format fmt, char *buf,
                            size_t cap) {
    if (!bo || (!buf && cap) || !sc_format_ok(fmt)) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "bounce", lang);
    sc_heading_open(&b, fmt, 2);
    sc_put_md(&b, fmt, sc_ui[UI_BOUNCE][lang]);
    sc_sb_puts(&b, fmt == SMTPCODES_TEXT ? " - " : " \xE2\x80\x94 ");
    sc_put_md(&b, fmt, sc_ui[kind_ui(bo->kind)][lang]);
    sc_heading_close(&b, fmt, 2);
    sc_list_open(&b, fmt);
    field_static(&b, fmt, UI_BOUNCE_FORMAT, bo->format, lang);
    field_span(&b, fmt, UI_BOUNCE_REPORTING_MTA, bo->reporting_mta, lang);
    field_span(&b, fmt, UI_BOUNCE_ARRIVAL, bo->arrival_date, lang);
    field_span(&b, fmt, UI_BOUNCE_FEEDBACK_TYPE, bo->feedback_type, lang);
    field_span(&b, fmt, UI_BOUNCE_SOURCE_IP, bo->source_ip, lang);
    field_span(&b, fmt, UI_BOUNCE_SUBJECT, bo->subject, lang);
    sc_list_close(&b, fmt);
    if (fmt != SMTPCODES_HTML) sc_sb_putc(&b, '\n');
    if (bo->truncated) sc_paragraph(&b, fmt, sc_ui[UI_BOUNCE_TRUNCATED][lang]);
    if (bo->original.message_id.ptr || bo->original.from.ptr || bo->original.to.ptr || bo->original.subject.ptr) {
        sc_put_heading(&b, fmt, 3, sc_ui[UI_BOUNCE_ORIGINAL][lang]);
        sc_list_open(&b, fmt);
        field_span(&b, fmt, UI_BOUNCE_MESSAGE_ID, bo->original.message_id, lang);
        field_span(&b, fmt, UI_BOUNCE_FROM, bo->original.from, lang);
        field_span(&b, fmt, UI_BOUNCE_TO, bo->original.to, lang);
        field_span(&b, fmt, UI_BOUNCE_SUBJECT, bo->original.subject, lang);
        field_span(&b, fmt, UI_BOUNCE_DATE, bo->original.date, lang);
        sc_list_close(&b, fmt);
        if (fmt != SMTPCODES_HTML) sc_sb_putc(&b, '\n');
    }
    sc_put_heading(&b, fmt, 3, sc_ui[UI_BOUNCE_RECIPIENTS][lang]);
    if (!bo->nrecipients || !bo->recipients) {
        sc_paragraph(&b, fmt, sc_ui[UI_BOUNCE_NO_RECIPIENTS][lang]);
    } else if (fmt == SMTPCODES_HTML) {
        static const int cols[] = {UI_BOUNCE_RECIPIENT, UI_BOUNCE_ACTION, UI_BOUNCE_STATUS, UI_REASON,
                                   UI_HARD_BOUNCE, UI_BOUNCE_STAGE, UI_BOUNCE_DIAGNOSTIC};
        sc_sb_raws(&b, "<table style=\"" ST_TABLE "\">\n<thead><tr>");
        for (size_t i = 0; i < COUNT_OF(cols); i++) {
            sc_sb_raws(&b, "<th scope=\"col\" style=\"" ST_TH "\">");
            sc_sb_puts(&b, sc_ui[cols[i]][lang]);
            sc_sb_raws(&b, "</th>");
        }
        sc_sb_raws(&b, "</tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < bo->nrecipients; i++) {
            const smtpcodes_bounce_recipient *r = &bo->recipients[i];
            sc_sb_raws(&b, "<tr>");
            put_td_open(&b);
            put_untrusted(&b, fmt, r->recipient, 200);
            put_td_close(&b);
            put_td_open(&b);
            if (r->action) sc_sb_puts(&b, action_local(r->action, lang));
            put_td_close(&b);
            put_td_open(&b);
            put_untrusted(&b, fmt, r->status, 20);
            if (r->has_reply && r->reply.has_basic) {
                if (r->status.ptr) sc_sb_putc(&b, ' ');
                sc_sb_puts(&b, r->reply.reply_code.text);
            }
            put_td_close(&b);
            put_td_open(&b);
            put_reason(&b, fmt, r, lang);
            put_td_close(&b);
            put_td_open(&b);
            sc_sb_puts(&b, sc_ui[r->classification.hard_bounce ? UI_YES : UI_NO][lang]);
            put_td_close(&b);
            put_td_open(&b);
            if (r->stage) sc_sb_puts(&b, r->stage);
            put_td_close(&b);
            put_td_open(&b);
            if (r->diagnostic.ptr) {
                sc_sb_raws(&b, "<code style=\"" ST_CODE "\">");
                put_untrusted(&b, fmt, r->diagnostic, 300);
                sc_sb_raws(&b, "</code>");
            }
            put_td_close(&b);
            sc_sb_raws(&b, "</tr>\n");
        }
        sc_sb_raws(&b, "</tbody>\n</table>\n");
    } else {
        for (size_t i = 0; i < bo->nrecipients; i++) {
            const smtpcodes_bounce_recipient *r = &bo->recipients[i];
            if (fmt == SMTPCODES_MARKDOWN) sc_sb_puts(&b, "#### ");
            put_untrusted(&b, fmt, r->recipient, 200);
            sc_sb_puts(&b, fmt == SMTPCODES_MARKDOWN ? "\n\n" : "\n");
            field_span(&b, fmt, UI_BOUNCE_ORIG_RECIPIENT, r->original_recipient, lang);
            field_static(&b, fmt, UI_BOUNCE_ACTION, action_local(r->action, lang), lang);
            field_span(&b, fmt, UI_BOUNCE_STATUS, r->status, lang);
            if (r->has_reply && r->reply.has_basic) field_static(&b, fmt, UI_CODE, r->reply.reply_code.text, lang);
            sc_field_open(&b, fmt, sc_ui[UI_REASON][lang]);
            put_reason(&b, fmt, r, lang);
            sc_field_close(&b, fmt);
            field_static(&b, fmt, UI_PERMANENCE,
                         sc_perm_local[(unsigned)r->classification.permanence < 5u ? r->classification.permanence : 0][lang],
                         lang);
            field_static(&b, fmt, UI_HARD_BOUNCE, sc_ui[r->classification.hard_bounce ? UI_YES : UI_NO][lang], lang);
            field_static(&b, fmt, UI_PROVIDER, r->classification.vendor, lang);
            field_static(&b, fmt, UI_BOUNCE_STAGE, r->stage, lang);
            field_span(&b, fmt, UI_BOUNCE_REMOTE_MTA, r->remote_mta, lang);
            field_span(&b, fmt, UI_BOUNCE_LAST_ATTEMPT, r->last_attempt, lang);
            field_span(&b, fmt, UI_BOUNCE_RETRY_UNTIL, r->will_retry_until, lang);
            field_span(&b, fmt, UI_BOUNCE_DIAGNOSTIC, r->diagnostic, lang);
            sc_sb_putc(&b, '\n');
        }
    }
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}
