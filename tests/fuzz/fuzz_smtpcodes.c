/* fuzz_smtpcodes.c - libFuzzer targets for the core. Build one binary per
 * target with -DFUZZ_TARGET=<name>: lookup, parse_strict, parse_lenient,
 * explain, compare, classify, tags, bounce, log (see `make fuzz`). Each target also checks the
 * invariants the API promises, and aborts when one breaks. */
#include "smtpcodes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static char out[1 << 16];

#if defined(FUZZ_tags)
static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
#endif

static void check_code(const smtpcodes_code *c) {
    for (int f = 0; f < SMTPCODES_NFIELD; f++)
        for (int l = 0; l < SMTPCODES_NLANG; l++)
            REQUIRE(smtpcodes_text(c, (smtpcodes_field)f, (smtpcodes_lang)l) != NULL);
    int n = smtpcodes_explain_code(c, SMTPCODES_ES, SMTPCODES_MARKDOWN, out, sizeof out);
    REQUIRE(n > 0 && (size_t)n < sizeof out && strlen(out) == (size_t)n);
}

static void check_reply(const char *s, size_t len, const smtpcodes_reply *r) {
    REQUIRE(r->has_basic || r->has_enhanced);
    REQUIRE(r->nlines <= SMTPCODES_MAX_LINES && r->nlines <= r->total_lines);
    for (size_t i = 0; i < r->nlines; i++) {
        REQUIRE(r->lines[i].raw >= s && r->lines[i].raw + r->lines[i].raw_len <= s + len);
        REQUIRE(r->lines[i].text >= r->lines[i].raw &&
                r->lines[i].text + r->lines[i].text_len <= r->lines[i].raw + r->lines[i].raw_len);
    }
    int n = smtpcodes_explain_reply(r, SMTPCODES_EN, SMTPCODES_TEXT, out, sizeof out);
    REQUIRE(n > 0);
    n = smtpcodes_explain_reply(r, SMTPCODES_ES, SMTPCODES_MARKDOWN, NULL, 0);
    REQUIRE(n > 0);
    char small[7];
    size_t t = smtpcodes_reply_text(r, small, sizeof small);
    REQUIRE(strlen(small) <= 6 && strlen(small) <= t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
#if defined(FUZZ_lookup)
    smtpcodes_code c;
    if (smtpcodes_lookup(s, size, &c) == SMTPCODES_OK) {
        check_code(&c);
        smtpcodes_code d;
        REQUIRE(smtpcodes_lookup(c.text, strlen(c.text), &d) == SMTPCODES_OK && d.entry == c.entry);
        (void)smtpcodes_is_valid_reply(s, size, &c);
    }
    const smtpcodes_entry *found[8];
    (void)smtpcodes_search(s, size, -1, found, 8);
    int codes[8];
    (void)smtpcodes_replies_for(s, size, codes, 8);
#elif defined(FUZZ_parse_strict) || defined(FUZZ_parse_lenient)
#  if defined(FUZZ_parse_strict)
    unsigned opt = SMTPCODES_STRICT;
#  else
    unsigned opt = 0;
#  endif
    static smtpcodes_reply r;
    if (smtpcodes_parse(s, size, opt, &r) == SMTPCODES_OK) check_reply(s, size, &r);
#elif defined(FUZZ_explain)
    static smtpcodes_reply r;
    smtpcodes_code c;
    if (smtpcodes_lookup(s, size, &c) == SMTPCODES_OK) check_code(&c);
    else if (smtpcodes_parse(s, size, 0, &r) == SMTPCODES_OK) check_reply(s, size, &r);
#elif defined(FUZZ_compare)
    /* split the input at the first NUL or newline into two codes */
    size_t cut = 0;
    while (cut < size && s[cut] != '\n' && s[cut] != '\0') cut++;
    smtpcodes_code a, b;
    if (smtpcodes_lookup(s, cut, &a) != SMTPCODES_OK) return 0;
    size_t rest = cut < size ? size - cut - 1 : 0;
    if (smtpcodes_lookup(s + size - rest, rest, &b) != SMTPCODES_OK) return 0;
    smtpcodes_comparison cmp;
    REQUIRE(smtpcodes_compare(&a, &b, &cmp) == SMTPCODES_OK);
    for (int sec = 0; sec <= SMTPCODES_SECTION_WHEN_TO_USE; sec++) {
        int n = smtpcodes_render_comparison(&cmp, (smtpcodes_section)sec, SMTPCODES_ES, SMTPCODES_MARKDOWN, out, sizeof out);
        REQUIRE(n > 0 && (size_t)n < sizeof out);
    }
#elif defined(FUZZ_classify)
    smtpcodes_classification c;
    int st = smtpcodes_classify(s, size, &c);
    if (st == SMTPCODES_OK) {
        REQUIRE(smtpcodes_reason_name(c.reason) != NULL);
        REQUIRE(c.phrase_end <= size);
        REQUIRE(smtpcodes_render_evidence(&c, SMTPCODES_EN, out, sizeof out) > 0);
        REQUIRE(smtpcodes_render_retry(&c, SMTPCODES_ES, out, sizeof out) > 0);
    } else {
        REQUIRE(st == SMTPCODES_ERR_EMPTY);
    }
#elif defined(FUZZ_tags)
    /* find_tag against a brute-force search of every match string: the same
     * longest length, the same tag (ties: table order) */
    const smtpcodes_tag *t = NULL, *best = NULL;
    size_t end = 0, best_len = 0;
    int st = smtpcodes_find_tag(s, size, &t, &end);
    REQUIRE(st == 0 || st == 1);
    for (size_t i = 0; i < smtpcodes_tag_count(); i++) {
        const smtpcodes_tag *u = smtpcodes_tag_at(i);
        for (size_t m = 0; m < u->nmatch; m++) {
            size_t k = strlen(u->match[m]);
            if (k > size || k <= best_len) continue;
            for (size_t p = 0; p + k <= size; p++) {
                size_t j = 0;
                while (j < k && ascii_lower((unsigned char)s[p + j]) == ascii_lower((unsigned char)u->match[m][j])) j++;
                if (j == k) { best = u; best_len = k; break; }
            }
        }
    }
    REQUIRE((st == 1) == (best != NULL) && t == best);
    if (t) {
        REQUIRE(end >= best_len && end <= size);
        int seen = 0;
        for (size_t m = 0; m < t->nmatch; m++) {
            size_t k = strlen(t->match[m]), j = 0;
            if (k != best_len) continue;
            while (j < k && ascii_lower((unsigned char)s[end - k + j]) == ascii_lower((unsigned char)t->match[m][j])) j++;
            seen |= j == k;
        }
        REQUIRE(seen);
        REQUIRE(smtpcodes_find_provider(s, size) == t->prov);
        REQUIRE(smtpcodes_render_tag(t, SMTPCODES_ES, SMTPCODES_HTML, out, sizeof out) > 0);
    }
    const smtpcodes_provider *p = smtpcodes_find_provider(s, size);
    REQUIRE(!p || smtpcodes_provider_index(p->id, strlen(p->id)) >= 0);
    const smtpcodes_tag *u = NULL;
    st = smtpcodes_lookup_tag(s, size, NULL, 0, &u);
    REQUIRE((st == 1 && u) || (st <= 0 && !u));
    if (u) {
        const smtpcodes_tag *v = NULL;
        REQUIRE(smtpcodes_lookup_tag(u->tag, strlen(u->tag), u->provider, strlen(u->provider), &v) == 1 && v == u);
    }
#elif defined(FUZZ_bounce)
    /* the message reader: every view inside the message or the scratch, the
     * limits kept, every card renders; once with the documented scratch, once
     * with an eighth of it (the reading goes on, flagged) */
    for (int round = 0; round < 2; round++) {
        size_t cap = SMTPCODES_BOUNCE_SCRATCH(size);
        if (round) cap /= 8;
        char *scratch = malloc(cap ? cap : 1);
        REQUIRE(scratch);
        smtpcodes_bounce b;
        REQUIRE(smtpcodes_parse_bounce(s, size, scratch, cap, &b) == SMTPCODES_OK);
        REQUIRE(b.nrecipients <= SMTPCODES_MAX_RECIPIENTS && b.nrecipients <= b.total_recipients);
        REQUIRE((unsigned)b.kind <= SMTPCODES_BOUNCE_DELIVERED);
        REQUIRE(b.nrecipients == 0 || (b.kind != SMTPCODES_BOUNCE_OTHER));
#  define INSIDE(sp) REQUIRE(!(sp).ptr || ((sp).ptr >= s && (sp).ptr + (sp).len <= s + size) || \
                             ((sp).ptr >= scratch && (sp).ptr + (sp).len <= scratch + cap) || (sp).len < 16)
        INSIDE(b.reporting_mta); INSIDE(b.arrival_date); INSIDE(b.subject); INSIDE(b.feedback_type);
        INSIDE(b.source_ip); INSIDE(b.original.message_id); INSIDE(b.original.from); INSIDE(b.original.to);
        INSIDE(b.original.subject); INSIDE(b.original.date);
        for (size_t i = 0; i < b.nrecipients; i++) {
            const smtpcodes_bounce_recipient *r = &b.recipients[i];
            REQUIRE((const char *)r >= scratch && (const char *)(r + 1) <= scratch + cap);
            INSIDE(r->recipient); INSIDE(r->original_recipient); INSIDE(r->status); INSIDE(r->diagnostic);
            INSIDE(r->remote_mta); INSIDE(r->last_attempt); INSIDE(r->will_retry_until);
            REQUIRE(r->diagnostic.len <= SMTPCODES_MAX_DIAGNOSTIC);
            REQUIRE(smtpcodes_reason_name(r->classification.reason) != NULL);
        }
#  undef INSIDE
        int n = smtpcodes_render_bounce(&b, round ? SMTPCODES_ES : SMTPCODES_EN, SMTPCODES_HTML, out, sizeof out);
        REQUIRE(n > 0);
        REQUIRE(smtpcodes_render_bounce(&b, SMTPCODES_EN, SMTPCODES_MARKDOWN, NULL, 0) > 0);
        REQUIRE(smtpcodes_render_bounce(&b, SMTPCODES_ES, SMTPCODES_TEXT, NULL, 0) > 0);
        free(scratch);
    }
    {   /* the mbox split: the messages are consecutive views that move forward, ending at size */
        size_t pos = 0, prev = 0, count = 0;
        smtpcodes_span m;
        int got;
        while ((got = smtpcodes_mbox_next(s, size, &pos, &m)) == 1) {
            REQUIRE(pos > prev || (size == 0));
            REQUIRE(m.ptr >= s + prev && m.ptr + m.len == s + pos);
            prev = pos;
            REQUIRE(++count <= size);
        }
        REQUIRE(got == 0 && pos == size);
    }
#elif defined(FUZZ_log)
    /* MTA log lines: every view inside the line, the record's status agrees with
     * its classification, every card renders */
    static smtpcodes_log_record r;
    REQUIRE(smtpcodes_parse_log(s, size, &r) == SMTPCODES_OK);
#  define IN_LINE(p, n) REQUIRE(!(p) || ((p) >= s && (p) + (n) <= s + size))
    IN_LINE(r.timestamp, r.timestamp_len); IN_LINE(r.host, r.host_len); IN_LINE(r.program, r.program_len);
    IN_LINE(r.queue_id, r.queue_id_len); IN_LINE(r.recipient, r.recipient_len); IN_LINE(r.sender, r.sender_len);
    IN_LINE(r.original_recipient, r.original_recipient_len); IN_LINE(r.relay, r.relay_len);
    IN_LINE(r.relay_ip, r.relay_ip_len); IN_LINE(r.dsn, r.dsn_len); IN_LINE(r.diagnostic, r.diagnostic_len);
    IN_LINE(r.reply_text, r.reply_len);
#  undef IN_LINE
    REQUIRE(smtpcodes_log_kind_name(r.kind) && smtpcodes_log_status_name(r.status));
    REQUIRE(smtpcodes_reason_name(r.classification.reason) != NULL);
    REQUIRE(r.relay_port >= 0 && r.relay_port <= 65535 && (!r.has_delay || r.delay >= 0));
    if (r.has_reply) check_reply(r.reply_text, r.reply_len, &r.reply);
    if (r.status == SMTPCODES_LOG_DEFERRED) REQUIRE(r.classification.retry && !r.classification.hard_bounce);
    if (r.status == SMTPCODES_LOG_EXPIRED || r.status == SMTPCODES_LOG_BOUNCED || r.status == SMTPCODES_LOG_SENT)
        REQUIRE(!r.classification.retry);
    if (r.kind == SMTPCODES_LOG_OTHER)
        REQUIRE(r.status == SMTPCODES_LOG_STATUS_OTHER && !r.classification.retry && !r.has_reply);
    for (int f = 0; f < 3; f++) {
        int n = smtpcodes_render_log(&r, (smtpcodes_lang)(f & 1), (smtpcodes_format)f, out, sizeof out);
        REQUIRE(n > 0 && smtpcodes_render_log(&r, (smtpcodes_lang)(f & 1), (smtpcodes_format)f, NULL, 0) == n);
    }
#else
#  error "define FUZZ_<target>"
#endif
    return 0;
}
