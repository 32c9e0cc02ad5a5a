/* log.c - MTA log lines: what one delivery attempt says happened.
 *
 * Owns smtpcodes_parse_log() and smtpcodes_render_log(): the syslog prefixes
 * (RFC 3164, RFC 5424, ISO/journald short-iso) and the Exim main-log time
 * stamp; the readers of Postfix delivery lines (smtp, lmtp, local, virtual,
 * pipe, error, bounce, qmgr), the Exim main log (<= => -> *> ** ==), Sendmail
 * (to= ... stat=) and Exchange message-tracking CSV rows; the removal of the
 * log wrapper around the remote reply ("host X said: ... (in reply to RCPT TO
 * command)", "SMTP error from remote mail server after ...:") and the SMTP
 * stage it names; and the record's classification, where the record's status
 * outranks what the bare reply implies: a deferred record is temporary and
 * will be retried, expired only when the queue gave up, sent is delivered,
 * and a line that reports no delivery is reason "none" with no retry.
 * Every field is a view into the caller's line; nothing allocates; one pass
 * (or a bounded number of passes) over the line; const data only. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Byte helpers                                                               */

typedef struct lg_span { const char *p; size_t n; } lg_span;

static int lg_alnum(int c) { return sc_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int lg_starts(const char *s, size_t n, const char *lit) {
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

static int lg_istarts(const char *s, size_t n, const char *lit) {
    size_t k = strlen(lit);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++)
        if (sc_lower((unsigned char)s[i]) != sc_lower((unsigned char)lit[i])) return 0;
    return 1;
}

/* First occurrence of lit (case-insensitive) in s[0..n), or NULL. lit is short:
 * linear in n. */
static const char *lg_ifind(const char *s, size_t n, const char *lit) {
    size_t k = strlen(lit);
    if (!k || n < k) return NULL;
    int first = sc_lower((unsigned char)lit[0]);
    for (size_t i = 0; i + k <= n; i++)
        if (sc_lower((unsigned char)s[i]) == first && lg_istarts(s + i, n - i, lit)) return s + i;
    return NULL;
}

/* Last occurrence of lit (case-sensitive), or NULL. */
static const char *lg_rfind(const char *s, size_t n, const char *lit) {
    size_t k = strlen(lit);
    if (!k || n < k) return NULL;
    for (size_t i = n - k + 1; i-- > 0;)
        if (s[i] == lit[0] && memcmp(s + i, lit, k) == 0) return s + i;
    return NULL;
}

static void lg_trim(const char **s, size_t *n) {
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) { (*s)++; (*n)--; }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* Strip one pair of angle brackets. */
static void lg_unbracket(const char **s, size_t *n) {
    lg_trim(s, n);
    if (*n >= 2 && (*s)[0] == '<' && (*s)[*n - 1] == '>') { (*s)++; *n -= 2; }
}

static void set_view(const char **p, size_t *n, const char *s, size_t len) {
    *p = len ? s : NULL;
    *n = len;
}

/* A decimal number "12", "5.38", "0.2" at s (n bytes): its value and length, 0 if none. */
static size_t lg_number(const char *s, size_t n, double *out) {
    size_t i = 0;
    double v = 0;
    while (i < n && sc_is_digit((unsigned char)s[i]) && i < 15) v = v * 10 + (s[i++] - '0');
    if (!i) return 0;
    if (i < n && s[i] == '.' && i + 1 < n && sc_is_digit((unsigned char)s[i + 1])) {
        double scale = 0.1;
        i++;
        for (size_t k = 0; i < n && sc_is_digit((unsigned char)s[i]); i++, k++)
            if (k < 9) { v += (s[i] - '0') * scale; scale /= 10; }
    }
    while (i < n && sc_is_digit((unsigned char)s[i])) i++;
    *out = v;
    return i;
}

/* An enhanced status code "5.1.1" at the start of s: its length, or 0. */
static size_t lg_enhanced(const char *s, size_t n) {
    size_t i = 0;
    if (n < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
    i = 2;
    size_t d = 0;
    while (i < n && sc_is_digit((unsigned char)s[i]) && d < 3) { i++; d++; }
    if (!d || i >= n || s[i] != '.') return 0;
    i++;
    d = 0;
    while (i < n && sc_is_digit((unsigned char)s[i]) && d < 3) { i++; d++; }
    if (!d || (i < n && (sc_is_digit((unsigned char)s[i]) || s[i] == '.'))) return 0;
    return i;
}

/* Three digits followed by space, '-' or the end: the start of a reply. */
static int lg_reply_start(const char *s, size_t n) {
    if (n < 3 || s[0] < '2' || s[0] > '5' || !sc_is_digit((unsigned char)s[1]) || !sc_is_digit((unsigned char)s[2]))
        return 0;
    return n == 3 || s[3] == ' ' || s[3] == '-' || s[3] == '\t';
}

static int lg_ip_like(const char *s, size_t n) {
    int dots = 0, colons = 0;
    if (!n) return 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '.') dots++;
        else if (c == ':') colons++;
        else if (!sc_is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return dots == 3 || colons >= 2;
}

/* ------------------------------------------------------------------------ */
/* SMTP stages                                                                */

static const struct { const char *name; const char *stage; } stage_names[] = {
    {"RCPT TO", "RCPT TO"},      {"MAIL FROM", "MAIL FROM"}, {"end of DATA", "end of DATA"},
    {"end of data", "end of DATA"}, {"DATA", "DATA"},        {"EHLO", "EHLO"},
    {"HELO", "HELO"},            {"LHLO", "LHLO"},           {"STARTTLS", "STARTTLS"},
    {"AUTH", "AUTH"},            {"QUIT", "QUIT"},           {"RSET", "RSET"},
    {"BDAT", "BDAT"},            {"XCLIENT", "XCLIENT"},     {"XFORWARD", "XFORWARD"},
    {"initial connection", "CONNECT"}, {"connect", "CONNECT"}, {"message body", "DATA"},
    {"sending data block", "DATA"},
};

/* The stage a command name at the start of s names ("RCPT TO:<x>", "end of data"). */
static const char *stage_at(const char *s, size_t n) {
    if (lg_istarts(s, n, "pipelined ")) { s += 10; n -= 10; }
    for (size_t i = 0; i < COUNT_OF(stage_names); i++) {
        const char *nm = stage_names[i].name;
        size_t k = strlen(nm);
        if (lg_istarts(s, n, nm) && (n == k || !lg_alnum((unsigned char)s[k]))) return stage_names[i].stage;
    }
    return NULL;
}

/* Postfix's words for the stage of its own text. */
static const char *postfix_stage(const char *d, size_t n) {
    const char *p = lg_rfind(d, n, "(in reply to ");
    if (p) {
        const char *st = stage_at(p + 13, n - (size_t)(p + 13 - d));
        if (st) return st;
    }
    if (lg_ifind(d, n, "refused to talk to me") || lg_ifind(d, n, "initial server greeting") ||
        lg_istarts(d, n, "connect to ") || lg_ifind(d, n, "delivery temporarily suspended: connect to"))
        return "CONNECT";
    if ((p = lg_ifind(d, n, " while sending "))) return stage_at(p + 15, n - (size_t)(p + 15 - d));
    if (lg_ifind(d, n, "while performing the EHLO handshake")) return "EHLO";
    if (lg_ifind(d, n, "while performing the HELO handshake")) return "HELO";
    if (lg_ifind(d, n, "while performing the LHLO handshake")) return "LHLO";
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Syslog prefixes                                                            */

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int is_month(const char *s) {
    for (size_t i = 0; i < 12; i++)
        if (memcmp(s, months + 3 * i, 3) == 0) return 1;
    return 0;
}

/* "hh:mm:ss" */
static int is_clock(const char *s, size_t n) {
    return n >= 8 && sc_is_digit((unsigned char)s[0]) && sc_is_digit((unsigned char)s[1]) && s[2] == ':' &&
           sc_is_digit((unsigned char)s[3]) && sc_is_digit((unsigned char)s[4]) && s[5] == ':' &&
           sc_is_digit((unsigned char)s[6]) && sc_is_digit((unsigned char)s[7]);
}

/* "YYYY-MM-DD" */
static int is_date(const char *s, size_t n) {
    if (n < 10) return 0;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7) { if (s[i] != '-') return 0; }
        else if (!sc_is_digit((unsigned char)s[i])) return 0;
    }
    return 1;
}

static size_t token_end(const char *s, size_t n, size_t i) {
    while (i < n && s[i] != ' ' && s[i] != '\t') i++;
    return i;
}

static size_t skip_spaces(const char *s, size_t n, size_t i) {
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    return i;
}

/* "prog[pid]: " or "prog: " at i: sets the program, returns the message start or
 * i when there is no tag. */
static size_t syslog_tag(const char *s, size_t n, size_t i, smtpcodes_log_record *r) {
    size_t j = i;
    while (j < n && s[j] != '[' && s[j] != ':' && s[j] != ' ' && s[j] != '\t') j++;
    if (j == i || j >= n) return i;
    size_t pend = j;
    if (s[j] == '[') {
        while (j < n && s[j] != ']' && s[j] != ' ') j++;
        if (j >= n || s[j] != ']') return i;
        j++;
    }
    if (j >= n || s[j] != ':') return i;
    set_view(&r->program, &r->program_len, s + i, pend - i);
    j++;
    return skip_spaces(s, n, j);
}

enum { PREFIX_SYSLOG, PREFIX_EXIM, PREFIX_CSV };

/* Reads a prefix at the start of the line; returns where the message starts and
 * the kind of line in *kind. */
static size_t parse_prefix(const char *s, size_t n, smtpcodes_log_record *r, int *kind) {
    size_t i = 0;
    *kind = PREFIX_SYSLOG;
    if (n && s[0] == '<') {   /* <PRI> */
        size_t j = 1;
        while (j < n && j < 5 && sc_is_digit((unsigned char)s[j])) j++;
        if (j > 1 && j < n && s[j] == '>') i = j + 1;
    }
    if (i && i + 1 < n && s[i] == '1' && s[i + 1] == ' ') {   /* RFC 5424 */
        lg_span f[5];
        size_t j = i + 2;
        for (int k = 0; k < 5; k++) {
            j = skip_spaces(s, n, j);
            size_t e = token_end(s, n, j);
            f[k].p = s + j;
            f[k].n = e - j;
            j = e;
        }
        if (!(f[0].n == 1 && f[0].p[0] == '-')) set_view(&r->timestamp, &r->timestamp_len, f[0].p, f[0].n);
        if (!(f[1].n == 1 && f[1].p[0] == '-')) set_view(&r->host, &r->host_len, f[1].p, f[1].n);
        if (!(f[2].n == 1 && f[2].p[0] == '-')) set_view(&r->program, &r->program_len, f[2].p, f[2].n);
        j = skip_spaces(s, n, j);
        if (j < n && s[j] == '-') {
            j++;
        } else {
            while (j < n && s[j] == '[') {   /* structured data: [id k="v" ...]... */
                int quoted = 0;
                j++;
                while (j < n) {
                    if (quoted && s[j] == '\\' && j + 1 < n) { j += 2; continue; }
                    if (s[j] == '"') quoted = !quoted;
                    else if (!quoted && s[j] == ']') break;
                    j++;
                }
                if (j < n) j++;
            }
        }
        j = skip_spaces(s, n, j);
        if (n - j >= 3 && memcmp(s + j, "\xEF\xBB\xBF", 3) == 0) j += 3;
        return j;
    }
    /* RFC 3164: "Dec  2 00:27:01 host tag: msg" */
    if (n - i >= 16 && is_month(s + i) && s[i + 3] == ' ' && (s[i + 4] == ' ' || sc_is_digit((unsigned char)s[i + 4])) &&
        sc_is_digit((unsigned char)s[i + 5]) && s[i + 6] == ' ' && is_clock(s + i + 7, n - i - 7)) {
        size_t j = i + 15;
        if (j < n && s[j] == '.') { j++; while (j < n && sc_is_digit((unsigned char)s[j])) j++; }
        set_view(&r->timestamp, &r->timestamp_len, s + i, j - i);
        j = skip_spaces(s, n, j);
        /* an optional year after the time ("Dec  2 00:27:01 2026 host") */
        if (n - j > 5 && sc_is_digit((unsigned char)s[j]) && sc_is_digit((unsigned char)s[j + 1]) &&
            sc_is_digit((unsigned char)s[j + 2]) && sc_is_digit((unsigned char)s[j + 3]) && s[j + 4] == ' ')
            j = skip_spaces(s, n, j + 5);
        size_t e = token_end(s, n, j);
        size_t after = skip_spaces(s, n, e);
        size_t msg = syslog_tag(s, n, after, r);
        if (msg == after) {   /* no host: "Dec  2 00:27:01 postfix/smtp[1]: ..." */
            size_t m2 = syslog_tag(s, n, j, r);
            if (m2 != j) return m2;
        }
        set_view(&r->host, &r->host_len, s + j, e - j);
        return msg;
    }
    /* journalctl -o short-full: "Wed 2026-12-02 00:27:01 UTC host tag: msg" */
    if (n - i > 24 && s[i + 3] == ' ' && lg_alnum((unsigned char)s[i]) && !sc_is_digit((unsigned char)s[i]) &&
        is_date(s + i + 4, n - i - 4) && s[i + 14] == ' ' && is_clock(s + i + 15, n - i - 15)) {
        size_t j = i + 23;
        if (j < n && s[j] == ' ') j = token_end(s, n, j + 1);   /* the time zone */
        set_view(&r->timestamp, &r->timestamp_len, s + i, j - i);
        size_t h = skip_spaces(s, n, j), he = token_end(s, n, h);
        set_view(&r->host, &r->host_len, s + h, he - h);
        return syslog_tag(s, n, skip_spaces(s, n, he), r);
    }
    /* journalctl -o short-unix: "1764635221.123456 host tag: msg" */
    if (n - i > 12 && sc_is_digit((unsigned char)s[i])) {
        size_t j = i;
        while (j < n && sc_is_digit((unsigned char)s[j])) j++;
        if (j - i >= 9 && j - i <= 11 && j < n && s[j] == '.') {
            size_t k = j + 1;
            while (k < n && sc_is_digit((unsigned char)s[k])) k++;
            if (k > j + 1 && k < n && s[k] == ' ') {
                size_t h = skip_spaces(s, n, k), he = token_end(s, n, h);
                size_t msg = syslog_tag(s, n, skip_spaces(s, n, he), r);
                if (r->program) {   /* only with its tag: a bare number is no prefix */
                    set_view(&r->timestamp, &r->timestamp_len, s + i, k - i);
                    set_view(&r->host, &r->host_len, s + h, he - h);
                    return msg;
                }
            }
        }
    }
    if (is_date(s + i, n - i)) {
        size_t j = i + 10;
        if (j < n && s[j] == 'T') {   /* ISO 8601 */
            size_t e = j;
            while (e < n && s[e] != ' ' && s[e] != '\t' && s[e] != ',') e++;
            set_view(&r->timestamp, &r->timestamp_len, s + i, e - i);
            if (e < n && s[e] == ',') { *kind = PREFIX_CSV; return i; }
            size_t h = skip_spaces(s, n, e);
            size_t he = token_end(s, n, h);
            size_t after = skip_spaces(s, n, he);
            set_view(&r->host, &r->host_len, s + h, he - h);
            return syslog_tag(s, n, after, r);
        }
        if (j < n && s[j] == ' ' && is_clock(s + j + 1, n - j - 1)) {   /* Exim: "2026-12-02 00:27:01" */
            size_t e = j + 9;
            if (e < n && s[e] == '.') { e++; while (e < n && sc_is_digit((unsigned char)s[e])) e++; }
            if (e + 5 < n && s[e] == ' ' && (s[e + 1] == '+' || s[e + 1] == '-') && sc_is_digit((unsigned char)s[e + 2]) &&
                sc_is_digit((unsigned char)s[e + 5]))
                e += 6;
            set_view(&r->timestamp, &r->timestamp_len, s + i, e - i);
            e = skip_spaces(s, n, e);
            if (e < n && s[e] == '[') {   /* +pid */
                size_t k = e + 1;
                while (k < n && sc_is_digit((unsigned char)s[k])) k++;
                if (k < n && s[k] == ']') e = skip_spaces(s, n, k + 1);
            }
            *kind = PREFIX_EXIM;
            return e;
        }
    }
    return i;
}

/* ------------------------------------------------------------------------ */
/* key=value lists (Postfix, Sendmail)                                        */

/* At s[i]: "key=" with key [a-z_]; returns the value start, or 0. */
static size_t key_at(const char *s, size_t n, size_t i, lg_span *key) {
    size_t j = i;
    while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || s[j] == '_')) j++;
    if (j == i || j >= n || s[j] != '=') return 0;
    key->p = s + i;
    key->n = j - i;
    return j + 1;
}

static int key_is(const lg_span *k, const char *name) {
    size_t m = strlen(name);
    return k->n == m && memcmp(k->p, name, m) == 0;
}

/* The next "key=value" of a ", "-separated list from *pos; the value runs to the
 * next ", key=" (an angle-bracketed value first to its '>'); "status" and "stat"
 * run to the end. Returns 0 when no field starts at *pos. */
static int next_field(const char *s, size_t n, size_t *pos, lg_span *key, lg_span *val) {
    size_t i = *pos;
    while (i < n && (s[i] == ',' || s[i] == ' ')) i++;
    size_t v = key_at(s, n, i, key);
    if (!v) return 0;
    if (key_is(key, "status") || key_is(key, "stat")) {
        val->p = s + v;
        val->n = n - v;
        *pos = n;
        return 1;
    }
    size_t j = v;
    if (j < n && s[j] == '<') {
        const char *gt = memchr(s + j, '>', n - j);
        if (gt) j = (size_t)(gt - s);
    }
    for (;;) {
        const char *c = j < n ? memchr(s + j, ',', n - j) : NULL;
        if (!c) { j = n; break; }
        j = (size_t)(c - s);
        lg_span k2;
        size_t t = j + 1;
        while (t < n && s[t] == ' ') t++;
        if (key_at(s, n, t, &k2)) break;
        j++;
    }
    val->p = s + v;
    val->n = j - v;
    *pos = j;
    return 1;
}

/* relay=mx.example.com[192.0.2.10]:25, relay=none, relay=host. [ip] (Sendmail) */
static void parse_relay(const char *v, size_t n, smtpcodes_log_record *r) {
    const char *lb = memchr(v, '[', n);
    if (!lb) {
        size_t m = n;
        if (m > 1 && v[m - 1] == '.') m--;
        set_view(&r->relay, &r->relay_len, v, m);
        return;
    }
    size_t name = (size_t)(lb - v);
    while (name && (v[name - 1] == ' ')) name--;
    if (name > 1 && v[name - 1] == '.') name--;   /* Sendmail's "mx.example.net. [ip]" */
    const char *rb = memchr(lb, ']', n - (size_t)(lb - v));
    if (!rb) {
        set_view(&r->relay, &r->relay_len, v, n);
        return;
    }
    const char *ip = lb + 1;
    size_t ipn = (size_t)(rb - ip);
    if (ipn > 5 && lg_istarts(ip, ipn, "IPv6:")) { ip += 5; ipn -= 5; }
    if (lg_ip_like(ip, ipn)) {
        set_view(&r->relay_ip, &r->relay_ip_len, ip, ipn);
        set_view(&r->relay, &r->relay_len, name ? v : ip, name ? name : ipn);
    } else {
        set_view(&r->relay, &r->relay_len, v, name ? name : n);
    }
    size_t k = (size_t)(rb - v) + 1;
    if (k < n && v[k] == ':') {
        int port = 0;
        size_t d = 0;
        for (k++; k < n && sc_is_digit((unsigned char)v[k]) && d < 6; k++, d++) port = port * 10 + (v[k] - '0');
        if (d && port <= 65535) r->relay_port = port;
    }
}

/* ------------------------------------------------------------------------ */
/* Postfix                                                                    */

/* A Postfix or Sendmail queue id followed by ": " at the start: its length, or 0. */
static size_t queue_id_len(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && lg_alnum((unsigned char)s[i]) && i < 32) i++;
    if (i < 5 || i + 1 >= n || s[i] != ':' || s[i + 1] != ' ') return 0;
    return i;
}

static void postfix_reply(smtpcodes_log_record *r) {
    const char *d = r->diagnostic;
    size_t n = r->diagnostic_len;
    if (!d) return;
    const char *p;
    if (lg_reply_start(d, n)) {
        set_view(&r->reply_text, &r->reply_len, d, n);
    } else if ((p = lg_ifind(d, n, " said: ")) || (p = lg_ifind(d, n, " refused to talk to me: "))) {
        /* which one matched decides the skip: the match is case-insensitive (" Said: ") */
        const char *start = p + (sc_lower((unsigned char)p[1]) == 's' ? 7 : 24);
        const char *end = d + n;
        const char *irt = lg_rfind(start, (size_t)(end - start), " (in reply to ");
        if (irt) end = irt;
        set_view(&r->reply_text, &r->reply_len, start, (size_t)(end - start));
    }
    r->stage = postfix_stage(d, n);
}

static void parse_postfix(const char *s, size_t n, smtpcodes_log_record *r) {
    r->mta = SMTPCODES_MTA_POSTFIX;
    size_t q = queue_id_len(s, n), pos = 0;
    if (q) {
        set_view(&r->queue_id, &r->queue_id_len, s, q);
        pos = q + 2;
    } else if (!lg_starts(s, n, "to=")) {
        return;   /* "connect from ...", "NOQUEUE: reject: ...", warnings */
    }
    const char *b = s + pos;
    size_t bn = n - pos;
    int to = lg_starts(b, bn, "to="), from = lg_starts(b, bn, "from=");
    if (!to && !from) return;   /* "removed", "sender non-delivery notification: ...", "client=..." */
    lg_span k, v;
    int status_seen = 0;
    while (next_field(s, n, &pos, &k, &v)) {
        if (key_is(&k, "to")) {
            lg_unbracket(&v.p, &v.n);
            set_view(&r->recipient, &r->recipient_len, v.p, v.n);
        } else if (key_is(&k, "orig_to")) {
            lg_unbracket(&v.p, &v.n);
            set_view(&r->original_recipient, &r->original_recipient_len, v.p, v.n);
        } else if (key_is(&k, "from")) {
            lg_unbracket(&v.p, &v.n);
            set_view(&r->sender, &r->sender_len, v.p, v.n);
        } else if (key_is(&k, "relay")) {
            lg_trim(&v.p, &v.n);
            parse_relay(v.p, v.n, r);
        } else if (key_is(&k, "delay")) {
            double d;
            if (lg_number(v.p, v.n, &d)) { r->delay = d; r->has_delay = 1; }
        } else if (key_is(&k, "dsn")) {
            lg_trim(&v.p, &v.n);
            if (lg_enhanced(v.p, v.n) == v.n) set_view(&r->dsn, &r->dsn_len, v.p, v.n);
        } else if (key_is(&k, "status")) {
            size_t w = 0;
            while (w < v.n && v.p[w] != ' ' && v.p[w] != ',' && v.p[w] != '(') w++;
            status_seen = 1;
            if (w == 4 && memcmp(v.p, "sent", 4) == 0) r->status = SMTPCODES_LOG_SENT;
            else if ((w == 8 && memcmp(v.p, "deferred", 8) == 0) || (w == 10 && memcmp(v.p, "SOFTBOUNCE", 10) == 0))
                r->status = SMTPCODES_LOG_DEFERRED;   /* soft_bounce=yes: a bounce kept in the queue */
            else if (w == 7 && memcmp(v.p, "bounced", 7) == 0) r->status = SMTPCODES_LOG_BOUNCED;
            else if (w == 7 && memcmp(v.p, "expired", 7) == 0) r->status = SMTPCODES_LOG_EXPIRED;
            else r->status = SMTPCODES_LOG_STATUS_OTHER;   /* deliverable, undeliverable (address probes) */
            const char *t = v.p + w;
            size_t tn = v.n - w;
            while (tn && (*t == ' ' || *t == ',')) { t++; tn--; }
            if (tn && *t == '(') {
                t++;
                tn--;
                if (tn && t[tn - 1] == ')') tn--;
            }
            set_view(&r->diagnostic, &r->diagnostic_len, t, tn);
        }
    }
    if (!status_seen) return;   /* qmgr "from=<...>, size=..., nrcpt=1 (queue active)" */
    if (!to && r->status != SMTPCODES_LOG_EXPIRED) return;
    r->kind = SMTPCODES_LOG_DELIVERY;
    postfix_reply(r);
}

/* ------------------------------------------------------------------------ */
/* Exim                                                                       */

/* An Exim message id ("1abcDE-0001Xy-AB", 4.97+: "1abcDE-00000001Xy-ABCD"). */
static size_t exim_id_len(const char *s, size_t n) {
    size_t i = 0, part = 0, len[3] = {0, 0, 0};
    while (i < n && part < 3) {
        if (lg_alnum((unsigned char)s[i])) { len[part]++; i++; }
        else if (s[i] == '-' && part < 2) { part++; i++; }
        else break;
    }
    if (part != 2 || len[0] != 6 || (len[1] != 6 && len[1] != 11) || (len[2] != 2 && len[2] != 4)) return 0;
    if (i < n && s[i] != ' ') return 0;
    return i;
}

/* "** ", "== ", "=> ", "-> ", "*> " followed by an address */
static int exim_marker(const char *s, size_t n) {
    if (n < 4 || s[2] != ' ' || s[3] == ' ') return 0;
    return (s[0] == '*' && (s[1] == '*' || s[1] == '>')) || (s[0] == '=' && (s[1] == '=' || s[1] == '>')) ||
           (s[0] == '-' && s[1] == '>');
}

/* Exim durations: "2s", "1m2s", "1d3h", "0.123s" */
static int exim_duration(const char *s, size_t n, double *out) {
    double total = 0;
    size_t i = 0;
    int any = 0;
    while (i < n) {
        double v;
        size_t k = lg_number(s + i, n - i, &v);
        if (!k || i + k >= n) return any ? (*out = total, 1) : 0;
        char u = s[i + k];
        double mult = u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : u == 'w' ? 604800 : -1;
        if (mult < 0) return 0;
        total += v * mult;
        any = 1;
        i += k + 1;
    }
    if (!any) return 0;
    *out = total;
    return 1;
}

/* The reply and stage inside Exim's error text. */
static void exim_reply(smtpcodes_log_record *r, const char *t, size_t n) {
    const char *p = lg_ifind(t, n, "SMTP error from remote mail server after ");
    size_t skip = 41;
    if (!p) { p = lg_ifind(t, n, "SMTP error from remote mailer after "); skip = 36; }
    if (p) {
        const char *a = p + skip;
        size_t an = n - (size_t)(a - t);
        r->stage = stage_at(a, an);
        const char *c = NULL;
        for (size_t i = 0; i + 1 < an; i++)
            if (a[i] == ':' && a[i + 1] == ' ') { c = a + i + 2; break; }
        if (!c) return;
        size_t cn = an - (size_t)(c - a);
        if (lg_istarts(c, cn, "host ")) {   /* older Exim: "...: host mx [ip]: 550 ..." */
            for (size_t i = 0; i + 1 < cn; i++)
                if (c[i] == ':' && c[i + 1] == ' ') {
                    if (!r->relay && !r->relay_ip) parse_relay(c + 5, i - 5, r);   /* the host that answered */
                    c += i + 2;
                    cn -= i + 2;
                    break;
                }
        }
        lg_trim(&c, &cn);
        if (lg_reply_start(c, cn)) set_view(&r->reply_text, &r->reply_len, c, cn);
        return;
    }
    if ((p = lg_ifind(t, n, " in response to "))) {
        r->stage = stage_at(p + 16, n - (size_t)(p + 16 - t));
    } else if (lg_ifind(t, n, "Connection timed out") || lg_ifind(t, n, "Connection refused") ||
               lg_ifind(t, n, "initial connection")) {
        r->stage = "CONNECT";
    }
    if (lg_reply_start(t, n)) set_view(&r->reply_text, &r->reply_len, t, n);
}

static void parse_exim(const char *s, size_t n, smtpcodes_log_record *r) {
    r->mta = SMTPCODES_MTA_EXIM;
    size_t q = exim_id_len(s, n);
    if (q) set_view(&r->queue_id, &r->queue_id_len, s, q);
    else if (!exim_marker(s, n)) return;   /* a line pasted without its id starts with the marker */
    size_t i = skip_spaces(s, n, q);
    if (n - i < 3 || s[i + 2] != ' ') return;   /* "Completed", "Frozen", "SMTP connection ..." */
    char m0 = s[i], m1 = s[i + 1];
    int arrival = m0 == '<' && m1 == '=';
    if (arrival) {
        i = skip_spaces(s, n, i + 3);
        size_t e = token_end(s, n, i);
        const char *a = s + i;
        size_t an = e - i;
        lg_unbracket(&a, &an);
        set_view(&r->sender, &r->sender_len, a, an);
        return;   /* an arrival is not a delivery */
    }
    if ((m0 == '=' || m0 == '-' || m0 == '*') && m1 == '>') r->status = SMTPCODES_LOG_SENT;   /* *>: fake (-N) */
    else if (m0 == '*' && m1 == '*') r->status = SMTPCODES_LOG_BOUNCED;
    else if (m0 == '=' && m1 == '=') r->status = SMTPCODES_LOG_DEFERRED;
    else return;
    r->kind = SMTPCODES_LOG_DELIVERY;
    i = skip_spaces(s, n, i + 3);
    /* the address, up to a space or ": " */
    size_t e = i;
    while (e < n && s[e] != ' ' && !(s[e] == ':' && (e + 1 == n || s[e + 1] == ' '))) e++;
    {
        const char *a = s + i;
        size_t an = e - i;
        lg_unbracket(&a, &an);
        set_view(&r->recipient, &r->recipient_len, a, an);
    }
    const char *text = NULL;
    size_t j = e;
    int have_qt = 0;
    while (j < n) {
        if (s[j] == ':' && (j + 1 == n || s[j + 1] == ' ')) { text = s + j + 1; break; }
        j = skip_spaces(s, n, j);
        if (j >= n) break;
        if (s[j] == '(') {   /* "(parent)" or "defer (110)" */
            const char *c = memchr(s + j, ')', n - j);
            j = c ? (size_t)(c - s) + 1 : n;
            continue;
        }
        if (s[j] == '<') {   /* the original address */
            size_t k = j;
            while (k < n && s[k] != '>') k++;
            if (k < n && !r->original_recipient) set_view(&r->original_recipient, &r->original_recipient_len,
                                                        s + j + 1, k - j - 1);
            j = k < n ? k + 1 : n;
            continue;
        }
        size_t k = j;
        while (k < n && (lg_alnum((unsigned char)s[k]) || s[k] == '_')) k++;
        if (k < n && s[k] == '=' && k > j) {
            size_t kn = k - j;
            const char *key = s + j;
            size_t v = k + 1;
            if (v < n && s[v] == '"') {   /* C="250 2.0.0 OK" with \" escapes */
                size_t w = v + 1;
                while (w < n && s[w] != '"') w += (s[w] == '\\' && w + 1 < n) ? 2 : 1;
                if (kn == 1 && key[0] == 'C') set_view(&r->reply_text, &r->reply_len, s + v + 1, (w < n ? w : n) - v - 1);
                j = w < n ? w + 1 : n;
                continue;
            }
            size_t w = v;
            while (w < n && s[w] != ' ' && !(s[w] == ':' && (w + 1 == n || s[w + 1] == ' '))) w++;
            if (kn == 1 && key[0] == 'H') {   /* H=host [ip]:port or H=[ip] */
                size_t hw = w;
                size_t t = skip_spaces(s, n, w);
                if (t < n && s[t] == '[' && s[v] != '[') {
                    hw = t;
                    while (hw < n && s[hw] != ']') hw++;
                    if (hw < n) hw++;
                    if (hw < n && s[hw] == ':' && hw + 1 < n && sc_is_digit((unsigned char)s[hw + 1])) {
                        hw++;
                        while (hw < n && sc_is_digit((unsigned char)s[hw])) hw++;
                    }
                }
                parse_relay(s + v, hw - v, r);
                w = hw;
            } else if (kn == 1 && key[0] == 'F') {
                const char *a = s + v;
                size_t an = w - v;
                lg_unbracket(&a, &an);
                set_view(&r->sender, &r->sender_len, a, an);
            } else if ((kn == 2 && key[0] == 'Q' && key[1] == 'T') || (kn == 2 && key[0] == 'D' && key[1] == 'T' && !have_qt)) {
                double d;
                if (exim_duration(s + v, w - v, &d)) {
                    r->delay = d;
                    r->has_delay = 1;
                    have_qt |= key[0] == 'Q';
                }
            }
            j = w;
            continue;
        }
        j = token_end(s, n, j);   /* a word ("defer") */
        if (j > 0 && s[j - 1] == ':' ) { text = s + j; break; }
    }
    if (text) {
        size_t tn = n - (size_t)(text - s);
        lg_trim(&text, &tn);
        set_view(&r->diagnostic, &r->diagnostic_len, text, tn);
        if (r->status == SMTPCODES_LOG_BOUNCED &&
            (lg_ifind(text, tn, "retry timeout exceeded") ||
             lg_ifind(text, tn, "retry time not reached for any host after a long failure period")))
            r->status = SMTPCODES_LOG_EXPIRED;
        const char *reply_before = r->reply_text;
        exim_reply(r, text, tn);
        if (!r->reply_text) r->reply_text = reply_before;
    }
    if (r->reply_text && !r->reply_len) r->reply_text = NULL;
}

/* ------------------------------------------------------------------------ */
/* Sendmail                                                                   */

/* "00:00:01", "1+02:03:04" */
static int sendmail_delay(const char *s, size_t n, double *out) {
    double days = 0, v;
    size_t i = 0, k;
    const char *plus = memchr(s, '+', n);
    if (plus) {
        k = lg_number(s, (size_t)(plus - s), &days);
        if (!k) return 0;
        i = (size_t)(plus - s) + 1;
    }
    if (!is_clock(s + i, n - i)) return 0;
    k = lg_number(s + i, 2, &v);
    double h = v;
    lg_number(s + i + 3, 2, &v);
    double m = v;
    lg_number(s + i + 6, 2, &v);
    *out = days * 86400 + h * 3600 + m * 60 + v;
    (void)k;
    return 1;
}

static void parse_sendmail(const char *s, size_t n, smtpcodes_log_record *r) {
    r->mta = SMTPCODES_MTA_SENDMAIL;
    size_t q = queue_id_len(s, n), pos = 0;
    if (q) {
        set_view(&r->queue_id, &r->queue_id_len, s, q);
        pos = q + 2;
    }
    int to = lg_starts(s + pos, n - pos, "to="), from = lg_starts(s + pos, n - pos, "from=");
    if (!to && !from) return;
    lg_span k, v, stat = {NULL, 0};
    while (next_field(s, n, &pos, &k, &v)) {
        if (key_is(&k, "to")) {
            const char *a = v.p;
            size_t an = v.n;
            if (an && a[0] == '<') {
                const char *gt = memchr(a, '>', an);
                an = gt ? (size_t)(gt - a) + 1 : an;
            } else {
                const char *c = memchr(a, ',', an);
                if (c) an = (size_t)(c - a);
            }
            lg_unbracket(&a, &an);
            set_view(&r->recipient, &r->recipient_len, a, an);
        } else if (key_is(&k, "from")) {
            const char *a = v.p;
            size_t an = v.n;
            lg_unbracket(&a, &an);
            set_view(&r->sender, &r->sender_len, a, an);
        } else if (key_is(&k, "relay")) {
            const char *a = v.p;
            size_t an = v.n;
            const char *paren = memchr(a, '(', an);   /* "(may be forged)" */
            if (paren) an = (size_t)(paren - a);
            lg_trim(&a, &an);
            parse_relay(a, an, r);
        } else if (key_is(&k, "delay")) {
            double d;
            if (sendmail_delay(v.p, v.n, &d)) { r->delay = d; r->has_delay = 1; }
        } else if (key_is(&k, "dsn")) {
            lg_trim(&v.p, &v.n);
            if (lg_enhanced(v.p, v.n) == v.n) set_view(&r->dsn, &r->dsn_len, v.p, v.n);
        } else if (key_is(&k, "stat")) {
            stat = v;
        }
    }
    if (!to || !stat.p) return;   /* "from=<...>, size=..., nrcpts=1, ..." is the arrival */
    r->kind = SMTPCODES_LOG_DELIVERY;
    lg_trim(&stat.p, &stat.n);
    set_view(&r->diagnostic, &r->diagnostic_len, stat.p, stat.n);
    const char *t = stat.p;
    size_t tn = stat.n;
    int dsn_cls = r->dsn ? r->dsn[0] - '0' : 0;
    int sent = lg_istarts(t, tn, "Sent"), deferred = lg_istarts(t, tn, "Deferred");
    if (!sent && !deferred && !lg_ifind(t, tn, "Cannot send message for") && !lg_istarts(t, tn, "queued")) {
        sent = dsn_cls == 2;   /* no telling word: the dsn's class */
        deferred = dsn_cls == 4;
    }
    if (sent) r->status = SMTPCODES_LOG_SENT;
    else if (deferred) r->status = SMTPCODES_LOG_DEFERRED;
    else if (lg_ifind(t, tn, "Cannot send message for")) r->status = SMTPCODES_LOG_EXPIRED;
    else if (lg_istarts(t, tn, "queued")) r->status = SMTPCODES_LOG_STATUS_OTHER;
    else r->status = SMTPCODES_LOG_BOUNCED;
    if (lg_istarts(t, tn, "Deferred: ")) { t += 10; tn -= 10; }
    else if (lg_istarts(t, tn, "Deferred")) { t += 8; tn -= 8; }
    lg_trim(&t, &tn);
    if (lg_reply_start(t, tn)) set_view(&r->reply_text, &r->reply_len, t, tn);
    if (lg_ifind(t, tn, "Connection timed out with") || lg_ifind(t, tn, "Connection refused by") ||
        lg_ifind(t, tn, "during initial connection"))
        r->stage = "CONNECT";
}

/* ------------------------------------------------------------------------ */
/* Exchange message tracking (CSV)                                            */

#define CSV_MAX 40

static size_t csv_fields(const char *s, size_t n, lg_span *f, size_t max) {
    size_t nf = 0, i = 0;
    while (nf < max) {
        if (i < n && s[i] == '"') {
            size_t j = i + 1;
            while (j < n) {
                if (s[j] == '"') {
                    if (j + 1 < n && s[j + 1] == '"') { j += 2; continue; }
                    break;
                }
                j++;
            }
            f[nf].p = s + i + 1;
            f[nf].n = (j < n ? j : n) - i - 1;
            nf++;
            i = j < n ? j + 1 : n;
            while (i < n && s[i] != ',') i++;
        } else {
            const char *c = i < n ? memchr(s + i, ',', n - i) : NULL;
            size_t e = c ? (size_t)(c - s) : n;
            f[nf].p = s + i;
            f[nf].n = e - i;
            nf++;
            i = e;
        }
        if (i >= n) break;
        i++;   /* the comma */
    }
    return nf;
}

static int field_is(const lg_span *f, const char *name) {
    size_t m = strlen(name);
    return f->n == m && lg_istarts(f->p, f->n, name);
}

static void parse_exchange(const char *s, size_t n, smtpcodes_log_record *r) {
    r->mta = SMTPCODES_MTA_EXCHANGE;
    lg_span f[CSV_MAX];
    size_t nf = csv_fields(s, n, f, CSV_MAX);
    if (nf < 13) return;
    int v2010 = memchr(f[11].p, '@', f[11].n) != NULL;
    size_t ircpt = v2010 ? 11 : 12, istatus = v2010 ? 12 : 13, isender = v2010 ? 18 : 19;
    if (istatus >= nf) return;
    const lg_span *ev = &f[8];
    if (field_is(ev, "DELIVER") || field_is(ev, "SEND")) r->status = SMTPCODES_LOG_SENT;
    else if (field_is(ev, "FAIL")) r->status = SMTPCODES_LOG_BOUNCED;
    else if (field_is(ev, "DEFER")) r->status = SMTPCODES_LOG_DEFERRED;
    else {
        if (f[9].n) set_view(&r->queue_id, &r->queue_id_len, f[9].p, f[9].n);
        return;   /* RECEIVE, SUBMIT, DSN, EXPAND, RESOLVE, TRANSFER, AGENTINFO, ... */
    }
    r->kind = SMTPCODES_LOG_DELIVERY;
    set_view(&r->program, &r->program_len, f[7].p, f[7].n);
    set_view(&r->queue_id, &r->queue_id_len, f[9].p, f[9].n);
    {
        const char *a = f[ircpt].p;
        size_t an = f[ircpt].n;
        const char *semi = memchr(a, ';', an);
        if (semi) an = (size_t)(semi - a);
        lg_unbracket(&a, &an);
        set_view(&r->recipient, &r->recipient_len, a, an);
    }
    if (isender < nf) {
        const char *a = f[isender].p;
        size_t an = f[isender].n;
        lg_unbracket(&a, &an);
        set_view(&r->sender, &r->sender_len, a, an);
    }
    if (f[4].n) set_view(&r->relay, &r->relay_len, f[4].p, f[4].n);
    if (lg_ip_like(f[3].p, f[3].n)) set_view(&r->relay_ip, &r->relay_ip_len, f[3].p, f[3].n);
    const char *t = f[istatus].p;
    size_t tn = f[istatus].n;
    lg_trim(&t, &tn);
    set_view(&r->diagnostic, &r->diagnostic_len, t, tn);
    if (lg_reply_start(t, tn)) {
        set_view(&r->reply_text, &r->reply_len, t, tn);
        size_t k = 3;
        while (k < tn && t[k] == ' ') k++;
        size_t el = lg_enhanced(t + k, tn - k);
        if (el) set_view(&r->dsn, &r->dsn_len, t + k, el);
    }
    if (r->status == SMTPCODES_LOG_BOUNCED &&
        ((r->dsn && r->dsn_len == 5 && memcmp(r->dsn + 1, ".4.7", 4) == 0) || lg_ifind(t, tn, "QUEUE.Expired") ||
         lg_ifind(t, tn, "message expired")))
        r->status = SMTPCODES_LOG_EXPIRED;
}

/* ------------------------------------------------------------------------ */
/* The record's classification                                                */

static const char *const mta_names[] = {NULL, "postfix", "exim", "sendmail", "exchange"};
static const char *const mta_titles[] = {NULL, "Postfix", "Exim", "Sendmail", "Exchange"};
static const char *const status_names[] = {"other", "sent", "deferred", "bounced", "expired"};

const char *smtpcodes_log_kind_name(smtpcodes_log_kind k) {
    return k == SMTPCODES_LOG_DELIVERY ? "delivery" : k == SMTPCODES_LOG_OTHER ? "other" : NULL;
}

const char *smtpcodes_log_mta_name(smtpcodes_log_mta m) {
    return (unsigned)m < COUNT_OF(mta_names) ? mta_names[m] : NULL;
}

const char *smtpcodes_log_status_name(smtpcodes_log_status s) {
    return (unsigned)s < COUNT_OF(status_names) ? status_names[s] : NULL;
}

static int reason_id(const char *name) { return smtpcodes_reason_index(name, strlen(name)); }

/* Not a delivery: reason "none", nothing to retry, no evidence. */
static void classify_none(smtpcodes_classification *c) {
    memset(c, 0, sizeof *c);
    c->reason = reason_id("none");
    if (c->reason < 0) c->reason = 0;
    c->permanence = SMTPCODES_PERM_UNKNOWN;
    c->code_reason = -1;
    c->evidence = SMTPCODES_EV_NONE;
}

#define COMPOSE_MAX 2048

static void classify_record(smtpcodes_log_record *r) {
    smtpcodes_classification *c = &r->classification;
    if (r->kind != SMTPCODES_LOG_DELIVERY) { classify_none(c); return; }
    const char *src = r->diagnostic ? r->diagnostic : r->reply_text;
    size_t srcn = r->diagnostic ? r->diagnostic_len : r->reply_len;
    if (r->reply_text && r->diagnostic &&
        !(r->reply_text >= r->diagnostic && r->reply_text + r->reply_len <= r->diagnostic + r->diagnostic_len)) {
        src = r->reply_text;   /* Exim's C="..." confirmation */
        srcn = r->reply_len;
    }
    smtpcodes_code dsn;
    int dsn_ok = r->dsn && smtpcodes_lookup(r->dsn, r->dsn_len, &dsn) == SMTPCODES_OK;
    int st = src ? smtpcodes_classify(src, srcn, c) : SMTPCODES_ERR_EMPTY;
    if (st != SMTPCODES_OK) {
        if (dsn_ok) st = smtpcodes_classify(r->dsn, r->dsn_len, c);
        if (st != SMTPCODES_OK) {
            classify_none(c);
            c->reason = reason_id("undefined");
            c->evidence = SMTPCODES_EV_DEFAULT;
        }
    } else if (dsn_ok && !c->has_enhanced) {
        if (!c->has_basic) {
            /* the MTA's own words ("connect to ...: Connection timed out"): read with its dsn */
            char buf[COMPOSE_MAX];
            size_t k = r->dsn_len;
            memcpy(buf, r->dsn, k);
            buf[k++] = ' ';
            size_t take = srcn < COMPOSE_MAX - k ? srcn : COMPOSE_MAX - k;
            memcpy(buf + k, src, take);
            smtpcodes_classification c2;
            if (smtpcodes_classify(buf, k + take, &c2) == SMTPCODES_OK) {
                c2.phrase_end = 0;   /* an offset into buf, not into the line */
                *c = c2;
            }
        } else {
            c->has_enhanced = 1;
            c->enhanced = dsn;
            smtpcodes_classification c2;
            if ((c->evidence == SMTPCODES_EV_DEFAULT || c->evidence == SMTPCODES_EV_REPLY) &&
                smtpcodes_classify(r->dsn, r->dsn_len, &c2) == SMTPCODES_OK && c2.evidence == SMTPCODES_EV_STATUS) {
                c->reason = c2.reason;
                c->code_reason = c2.code_reason;
                c->evidence = SMTPCODES_EV_STATUS;
            }
        }
    }
    int delivered = reason_id("delivered"), none = reason_id("none"), undefined = reason_id("undefined");
    int expired = reason_id("expired"), network = reason_id("networkerror");
    int stage_connect = r->stage && strcmp(r->stage, "CONNECT") == 0;
    if (!r->has_reply && network >= 0 && ((dsn_ok && dsn.digits[1] == 4) || stage_connect) &&
        (r->status == SMTPCODES_LOG_DEFERRED || r->status == SMTPCODES_LOG_BOUNCED)) {
        /* the MTA's own report of a network or routing failure (connect, DNS, lost
         * connection): no server answered, whatever words the report uses; a final
         * "host not found" (x.4.4, or the words) is an unknown destination */
        int unknown_host = r->status == SMTPCODES_LOG_BOUNCED &&
                           ((dsn_ok && dsn.digits[2] == 4 && dsn.digits[1] == 4) ||
                            (r->diagnostic && (lg_ifind(r->diagnostic, r->diagnostic_len, "Host not found") ||
                                               lg_ifind(r->diagnostic, r->diagnostic_len, "domain name not found"))));
        int hostunknown = reason_id("hostunknown");
        c->reason = unknown_host && hostunknown >= 0 ? hostunknown : network;
        c->code_reason = c->reason;
        c->evidence = dsn_ok ? SMTPCODES_EV_STATUS : SMTPCODES_EV_PHRASE;
        if (!dsn_ok) {   /* quote the words of the report that say so */
            static const char *const words[] = {"Connection timed out", "Connection refused", "Connection reset",
                                                "No route to host", "Network is unreachable", "initial connection",
                                                "connect to"};
            c->phrase = NULL;
            for (size_t k = 0; k < COUNT_OF(words) && !c->phrase && r->diagnostic; k++)
                if (lg_ifind(r->diagnostic, r->diagnostic_len, words[k])) c->phrase = words[k];
            if (!c->phrase) c->evidence = SMTPCODES_EV_DEFAULT;
            c->rule_vendor = NULL;
            c->phrase_end = 0;
        }
        if (dsn_ok) {
            c->has_enhanced = 1;
            c->enhanced = dsn;
        }
        c->overridden = 0;
        c->hard_bounce = smtpcodes_reason_is_hard(c->reason) && r->status == SMTPCODES_LOG_BOUNCED;
    }
    switch (r->status) {
    case SMTPCODES_LOG_SENT:
        c->reason = delivered;
        c->permanence = SMTPCODES_PERM_SUCCESS;
        c->retry = 0;
        c->hard_bounce = 0;
        c->overridden = 0;
        if (!c->has_basic && !c->has_enhanced) {
            c->has_enhanced = smtpcodes_lookup("2.0.0", 5, &c->enhanced) == SMTPCODES_OK;
        }
        if (c->has_basic && c->code.digits[0] != 2) c->has_basic = 0;
        if (c->has_enhanced && c->enhanced.digits[0] != 2) c->has_enhanced = 0;
        if (!c->has_basic && !c->has_enhanced) c->has_enhanced = smtpcodes_lookup("2.0.0", 5, &c->enhanced) == SMTPCODES_OK;
        c->evidence = SMTPCODES_EV_SUCCESS;
        break;
    case SMTPCODES_LOG_DEFERRED:
        /* the queue keeps the message and tries again, whatever the reply alone implies */
        c->retry = 1;
        c->hard_bounce = 0;
        c->permanence = SMTPCODES_PERM_TEMPORARY;   /* a 5xx under soft_bounce too: the queue keeps it */
        if (c->reason == expired) {
            c->reason = network >= 0 ? network : undefined;
        } else if (c->reason == delivered || c->reason == none || c->reason == undefined) {
            /* nothing in the text decides, but the record does: a failure the queue retries */
            int onhold = reason_id("onhold");
            if (onhold >= 0) c->reason = onhold;
            c->evidence = SMTPCODES_EV_PHRASE;
            c->phrase = r->mta == SMTPCODES_MTA_POSTFIX ? "status=deferred"
                      : r->mta == SMTPCODES_MTA_EXIM ? "=="
                      : r->mta == SMTPCODES_MTA_SENDMAIL ? "stat=Deferred" : "DEFER";
            c->phrase_end = 0;
            c->rule_vendor = NULL;
            c->overridden = 0;
        }
        break;
    case SMTPCODES_LOG_BOUNCED:
        c->retry = 0;
        c->permanence = SMTPCODES_PERM_PERMANENT;   /* the MTA gave up on the recipient */
        c->hard_bounce = smtpcodes_reason_is_hard(c->reason) &&
                         (c->reason != reason_id("notaccept") || (c->has_basic && c->code.digits[0] == 5));
        if (c->reason == delivered || c->reason == none) c->reason = undefined;
        break;
    case SMTPCODES_LOG_EXPIRED:
        /* the queue gave up: the record's own words decide, not the last reply */
        c->reason = expired;
        c->permanence = SMTPCODES_PERM_PERMANENT;
        c->retry = 0;
        c->hard_bounce = 0;
        c->overridden = 0;
        c->code_reason = expired;
        c->evidence = SMTPCODES_EV_PHRASE;
        c->phrase = NULL;
        if (r->mta == SMTPCODES_MTA_POSTFIX) {
            c->phrase = "status=expired";
        } else {
            static const char *const words[] = {"retry timeout exceeded", "retry time not reached for any host after a long failure period",
                                                "Cannot send message for", "QUEUE.Expired", "message expired"};
            for (size_t k = 0; k < COUNT_OF(words) && !c->phrase && r->diagnostic; k++)
                if (lg_ifind(r->diagnostic, r->diagnostic_len, words[k])) c->phrase = words[k];
        }
        if (!c->phrase) c->evidence = c->has_enhanced ? SMTPCODES_EV_STATUS : SMTPCODES_EV_DEFAULT;
        c->phrase_end = 0;
        c->rule_vendor = NULL;
        break;
    default:
        break;
    }
    if (c->reason < 0) c->reason = 0;
    /* who answered: not the MTA that wrote the log; else the relay's host name may tell */
    if (c->provider && mta_titles[r->mta] && sc_lower((unsigned char)c->provider[0]) == mta_names[r->mta][0] &&
        strlen(c->provider) == strlen(mta_names[r->mta]) &&
        lg_istarts(c->provider, strlen(c->provider), mta_names[r->mta]))
        c->provider = NULL;
    if (c->vendor && mta_titles[r->mta] && strlen(c->vendor) == strlen(mta_names[r->mta]) &&
        lg_istarts(c->vendor, strlen(c->vendor), mta_names[r->mta]))
        c->vendor = NULL;
    if (!c->provider && r->relay && r->kind == SMTPCODES_LOG_DELIVERY) {
        const smtpcodes_provider *pv = smtpcodes_find_provider(r->relay, r->relay_len);
        if (pv) c->provider = pv->name;
    }
    if (c->provider) c->vendor = c->provider;
    c->mta = mta_titles[r->mta];
    if (!c->stage) c->stage = r->stage;
}

/* ------------------------------------------------------------------------ */
/* smtpcodes_parse_log                                                        */

static int is_postfix_program(const char *p, size_t n) {
    return lg_starts(p, n, "postfix");
}

static int is_sendmail_program(const char *p, size_t n) {
    return lg_starts(p, n, "sendmail") || lg_starts(p, n, "sm-mta") || lg_starts(p, n, "sm-msp");
}

smtpcodes_status smtpcodes_parse_log(const char *line, size_t len, smtpcodes_log_record *out) {
    if (!out || (!line && len)) return SMTPCODES_ERR_ARG;
    if (!line) line = "";   /* NULL with length 0: the empty line */
    memset(out, 0, sizeof *out);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    int kind;
    size_t m = parse_prefix(line, len, out, &kind);
    const char *s = line + m;
    size_t n = len - m;
    int postfix = out->program && is_postfix_program(out->program, out->program_len);
    int sendmail = out->program && is_sendmail_program(out->program, out->program_len);
    int exim = kind == PREFIX_EXIM || (out->program && lg_starts(out->program, out->program_len, "exim")) ||
               (!postfix && !sendmail && (exim_id_len(s, n) || exim_marker(s, n)));
    size_t q = queue_id_len(s, n);
    if (!postfix && !sendmail && !exim && (q || lg_starts(s, n, "to="))) {
        /* no program named: Sendmail's stat= and mailer= tell it from Postfix's status= */
        const char *body = s + (q ? q + 2 : 0);
        size_t bn = n - (q ? q + 2 : 0);
        if (lg_ifind(body, bn, ", stat=") || lg_ifind(body, bn, ", mailer=")) sendmail = 1;
        else if (lg_ifind(body, bn, "status=") || lg_starts(body, bn, "to=") || lg_starts(body, bn, "from=<"))
            postfix = 1;
    }
    if (kind == PREFIX_CSV) {
        parse_exchange(line, len, out);
    } else if (len && line[0] == '#' && (lg_starts(line, len, "#Fields:") || lg_starts(line, len, "#Software:") ||
                                         lg_starts(line, len, "#Version:") || lg_starts(line, len, "#Log-type:") ||
                                         lg_starts(line, len, "#Date:"))) {
        out->mta = SMTPCODES_MTA_EXCHANGE;
    } else if (exim) {
        parse_exim(s, n, out);
    } else if (postfix) {
        parse_postfix(s, n, out);
    } else if (sendmail) {
        parse_sendmail(s, n, out);
    }
    if (out->kind != SMTPCODES_LOG_DELIVERY) {
        /* keep what an "other" line told (queue id, sender), but no outcome */
        out->status = SMTPCODES_LOG_STATUS_OTHER;
        out->has_reply = 0;
        out->reply_text = NULL;
        out->reply_len = 0;
        out->stage = NULL;
        out->relay = out->relay_ip = NULL;   /* a client, not a next hop */
        out->relay_len = out->relay_ip_len = 0;
        out->relay_port = 0;
    } else if (out->reply_text && out->reply_len) {
        lg_trim(&out->reply_text, &out->reply_len);
        if (out->reply_len && smtpcodes_parse(out->reply_text, out->reply_len, 0, &out->reply) == SMTPCODES_OK)
            out->has_reply = 1;
        else {
            out->reply_text = NULL;
            out->reply_len = 0;
        }
    }
    classify_record(out);
    return SMTPCODES_OK;
}

/* ------------------------------------------------------------------------ */
/* The card                                                                   */

/* Untrusted text of the line: at most 300 bytes, sanitised; in a code span
 * (Markdown, backticks made quotes) or <code> (HTML). */
static void put_view(sc_buf *b, smtpcodes_format fmt, const char *s, size_t n, int code) {
    char clean[1024];
    sc_buf cb;
    sc_sb_init(&cb, clean, sizeof clean);
    sc_sb_put_safe(&cb, s, n, 300);
    if (code && fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (code && fmt == SMTPCODES_HTML) sc_sb_raws(b, "<code style=\"" ST_CODE "\">");
    int was = b->md;
    b->md = fmt == SMTPCODES_MARKDOWN && !code;
    for (const char *p = clean; *p; p++) {
        char ch = *p;
        if (fmt == SMTPCODES_MARKDOWN && code && ch == '`') ch = '\'';
        sc_sb_putc(b, ch);
    }
    b->md = was;
    if (code && fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (code && fmt == SMTPCODES_HTML) sc_sb_raws(b, "</code>");
}

static void view_field(sc_buf *b, smtpcodes_format fmt, int label, smtpcodes_lang lang, const char *s, size_t n,
                       int code) {
    if (!s || !n) return;
    sc_field_open(b, fmt, sc_ui[label][lang]);
    put_view(b, fmt, s, n, code);
    sc_field_close(b, fmt);
}

static int status_label(smtpcodes_log_status s) {
    switch (s) {
    case SMTPCODES_LOG_SENT: return UI_LOG_SENT;
    case SMTPCODES_LOG_DEFERRED: return UI_LOG_DEFERRED;
    case SMTPCODES_LOG_BOUNCED: return UI_LOG_BOUNCED;
    case SMTPCODES_LOG_EXPIRED: return UI_LOG_EXPIRED;
    default: return UI_LOG_STATUS_OTHER;
    }
}

int smtpcodes_render_log(const smtpcodes_log_record *r, smtpcodes_lang lang, smtpcodes_format fmt, char *buf,
                         size_t cap) {
    if (!r || (!buf && cap) || !sc_format_ok(fmt) || (unsigned)r->mta >= COUNT_OF(mta_names) ||
        r->classification.reason < 0 || (size_t)r->classification.reason >= smtpcodes_reason_count())
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "log", lang);
    int delivery = r->kind == SMTPCODES_LOG_DELIVERY;
    sc_heading_open(&b, fmt, 2);
    sc_sb_puts(&b, sc_ui[UI_LOG_RECORD][lang]);
    sc_sb_puts(&b, ": ");
    if (delivery) {
        sc_sb_puts(&b, sc_ui[UI_LOG_DELIVERY][lang]);
        sc_sb_puts(&b, ", ");
        sc_sb_puts(&b, sc_ui[status_label(r->status)][lang]);
    } else {
        sc_sb_puts(&b, sc_ui[UI_LOG_OTHER][lang]);
    }
    sc_heading_close(&b, fmt, 2);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(&b, '\n');
    sc_list_open(&b, fmt);
    if (r->mta) {
        sc_field_open(&b, fmt, sc_ui[UI_LOG_MTA][lang]);
        sc_sb_puts(&b, mta_titles[r->mta]);
        sc_field_close(&b, fmt);
    }
    if (delivery) {
        sc_field_open(&b, fmt, sc_ui[UI_STATUS][lang]);
        sc_sb_puts(&b, sc_ui[status_label(r->status)][lang]);
        sc_field_close(&b, fmt);
    }
    view_field(&b, fmt, UI_LOG_TIME, lang, r->timestamp, r->timestamp_len, 0);
    view_field(&b, fmt, UI_LOG_HOST, lang, r->host, r->host_len, 0);
    view_field(&b, fmt, UI_LOG_PROGRAM, lang, r->program, r->program_len, 0);
    view_field(&b, fmt, UI_LOG_QUEUE_ID, lang, r->queue_id, r->queue_id_len, 1);
    view_field(&b, fmt, UI_LOG_RECIPIENT, lang, r->recipient, r->recipient_len, 0);
    view_field(&b, fmt, UI_LOG_ORIG_RECIPIENT, lang, r->original_recipient, r->original_recipient_len, 0);
    view_field(&b, fmt, UI_LOG_SENDER, lang, r->sender, r->sender_len, 0);
    if (r->relay || r->relay_ip) {
        sc_field_open(&b, fmt, sc_ui[UI_LOG_RELAY][lang]);
        if (r->relay) put_view(&b, fmt, r->relay, r->relay_len, 0);
        if (r->relay_ip && !(r->relay == r->relay_ip)) {
            sc_sb_puts(&b, r->relay ? " [" : "[");
            put_view(&b, fmt, r->relay_ip, r->relay_ip_len, 0);
            sc_sb_puts(&b, "]");
        }
        if (r->relay_port) sc_sb_printf(&b, ":%d", r->relay_port);
        sc_field_close(&b, fmt);
    }
    if (r->has_delay) {
        sc_field_open(&b, fmt, sc_ui[UI_LOG_DELAY][lang]);
        char num[48];
        double d = r->delay < 0 ? 0 : r->delay > 1e12 ? 1e12 : r->delay;
        snprintf(num, sizeof num, "%.2f s", d);
        if (lang == SMTPCODES_ES)
            for (char *p = num; *p; p++) if (*p == '.') *p = ',';
        sc_sb_puts(&b, num);
        sc_field_close(&b, fmt);
    }
    view_field(&b, fmt, UI_LOG_DSN, lang, r->dsn, r->dsn_len, 1);
    if (r->stage) {
        sc_field_open(&b, fmt, sc_ui[UI_LOG_STAGE][lang]);
        sc_sb_puts(&b, r->stage);
        sc_field_close(&b, fmt);
    }
    if (r->has_reply) view_field(&b, fmt, UI_REPLY, lang, r->reply_text, r->reply_len, 1);
    if (r->diagnostic && !(r->has_reply && r->diagnostic == r->reply_text && r->diagnostic_len == r->reply_len))
        view_field(&b, fmt, UI_LOG_DIAGNOSTIC, lang, r->diagnostic, r->diagnostic_len, 1);
    const smtpcodes_classification *c = &r->classification;
    if (delivery) {
        sc_field_open(&b, fmt, sc_ui[UI_REASON][lang]);
        if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
        if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "<code style=\"" ST_CODE "\">");
        sc_sb_puts(&b, smtpcodes_reason_name(c->reason));
        if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
        if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "</code>");
        sc_sb_puts(&b, " (");
        sc_put_md(&b, fmt, smtpcodes_reason_text(c->reason, SMTPCODES_REASON_TITLE, lang));
        sc_sb_puts(&b, ")");
        sc_field_close(&b, fmt);
        sc_put_verdict(&b, c, lang, fmt);
        if (c->provider) {
            sc_field_open(&b, fmt, sc_ui[UI_PROVIDER][lang]);
            sc_put_md(&b, fmt, c->provider);
            sc_field_close(&b, fmt);
        }
        sc_field_open(&b, fmt, sc_ui[UI_EVIDENCE][lang]);
        b.md = fmt == SMTPCODES_MARKDOWN;
        sc_put_evidence(&b, c, lang);
        b.md = 0;
        sc_field_close(&b, fmt);
    }
    sc_list_close(&b, fmt);
    if (fmt != SMTPCODES_HTML && (delivery || r->mta || r->timestamp || r->host || r->program || r->queue_id ||
                                  r->sender))
        sc_sb_putc(&b, '\n');
    if (!delivery) {
        sc_paragraph(&b, fmt, sc_ui[UI_LOG_NOT_DELIVERY][lang]);
    } else {
        sc_put_heading(&b, fmt, 3, sc_ui[UI_WHAT_TO_DO][lang]);
        if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "<p style=\"" ST_P "\">");
        b.md = fmt == SMTPCODES_MARKDOWN;
        int note = r->status == SMTPCODES_LOG_DEFERRED ? UI_LOG_QUEUE_RETRIES
                 : r->status == SMTPCODES_LOG_EXPIRED ? UI_LOG_QUEUE_GAVE_UP
                 : r->status == SMTPCODES_LOG_SENT ? UI_LOG_DELIVERED_NOTE
                 : r->status == SMTPCODES_LOG_BOUNCED ? UI_LOG_BOUNCED_NOTE : -1;
        if (note >= 0) {
            sc_sb_puts(&b, sc_ui[note][lang]);
            sc_sb_putc(&b, ' ');
        }
        if (r->status != SMTPCODES_LOG_SENT) sc_put_retry(&b, c, lang);
        b.md = 0;
        sc_sb_raws(&b, fmt == SMTPCODES_HTML ? "</p>\n" : "\n");
    }
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}
