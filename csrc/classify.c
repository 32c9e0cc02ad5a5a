/* classify.c - what a reply means for the sender: the bounce classifier.
 *
 * Owns smtpcodes_classify() and smtpcodes_classify_many(): a lenient parse for
 * the codes, one pass of the generated phrase automaton (classify_data.inc,
 * compiled from rules.toml and reasons.toml by gen_rules.py) over the text, the
 * pairs and meanings (concepts whose words all appeared) read from what the pass
 * found, and the decision between what the text says and what the codes imply;
 * the reason table; and the evidence and retry advice in words. */
#include "internal.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "classify_data.inc"

/* ------------------------------------------------------------------------ */
/* Classify                                                                   */

enum { R_DELIVERED = SC_R_DELIVERED, R_ONHOLD = SC_R_ONHOLD, R_UNDEFINED = SC_R_UNDEFINED,
       R_GREYLISTED = SC_R_GREYLISTED, R_NONE = SC_R_NONE, R_SECURITYERROR = SC_R_SECURITYERROR,
       R_CONTENTERROR = SC_R_CONTENTERROR, R_EXPIRED = SC_R_EXPIRED, R_NOTACCEPT = SC_R_NOTACCEPT,
       R_FEEDBACK = SC_R_FEEDBACK, R_VACATION = SC_R_VACATION, R_MAILERERROR = SC_R_MAILERERROR,
       R_FILTERED = SC_R_FILTERED };

typedef char sc_check_reasons[(SC_NREASONS == 38) ? 1 : -1];
typedef char sc_check_sparse[(SC_SPARSE_MAX == 3) ? 1 : -1];   /* next_state tests three children */

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
        while (k < len && sc_lower((unsigned char)name[k]) == n[k]) k++;
        if (k == len) return i;
    }
    return SMTPCODES_ERR_SYNTAX;
}

const char *smtpcodes_reason_text(int reason, smtpcodes_reason_field f, smtpcodes_lang lang) {
    if (reason < 0 || reason >= SC_NREASONS || (unsigned)f > SMTPCODES_REASON_ACTION || !sc_lang_ok(lang))
        return NULL;
    return reason_info[reason].text[f][lang];
}

int smtpcodes_reason_is_hard(int reason) {
    return (reason >= 0 && reason < SC_NREASONS) ? reason_info[reason].hard : 0;
}

const char *smtpcodes_evidence_name(smtpcodes_evidence e) {
    static const char *const names[] = {"none", "phrase", "status", "reply", "subject", "success", "default",
                                        "words", "tag", "message"};
    typedef char check_names[(COUNT_OF(names) == SMTPCODES_EV_COUNT) ? 1 : -1];
    (void)sizeof(check_names);
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
    int rule;                 /* best phrase rule matched, or -1 */
    size_t rule_end;
    int word;                 /* best word rule (kind "words") matched, or -1 */
    size_t word_end;
    int vendor;               /* first provider marker seen (not an MTA's), or -1 */
    unsigned ctx;             /* SC_CTX_* bits: the session steps the text names */
    unsigned hint;            /* 1: a provider tag may be present, 2: a provider's host or wording */
    int gaveup;               /* the first "the queue gave up" context pattern, or -1 */
    int tag;                  /* the provider tag match found (tag_hints index), or -1 */
    size_t tag_end;
    int high;                 /* a byte over 0x7F appeared */
    unsigned long long concepts;   /* bit k: a word of concept k appeared (meanings) */
} scan_result;

static inline int is_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int better_rule(int cand, int best) {
    if (best < 0) return 1;
    return rules[cand].priority > rules[best].priority;
}

/* One text being walked through the automaton. */
typedef struct scan_lane {
    const unsigned char *p;
    size_t len;
    unsigned state;
    unsigned long long seen[(SC_NFRAGS + 63) / 64];   /* which fragments appeared */
    unsigned int first_end[SC_NFRAGS], last_end[SC_NFRAGS];   /* valid where seen */
    unsigned int concept_end[SC_NCONCEPTS > 0 ? SC_NCONCEPTS : 1];   /* valid where r.concepts has the bit */
    scan_result r;
} scan_lane;

static void lane_init(scan_lane *l, const char *s, size_t len) {
    l->p = (const unsigned char *)s;
    l->len = len;
    l->state = 0;
    memset(l->seen, 0, sizeof l->seen);   /* first_end and last_end are read only where seen */
    l->r.rule = -1;
    l->r.rule_end = 0;
    l->r.word = -1;
    l->r.word_end = 0;
    l->r.vendor = -1;
    l->r.ctx = 0;
    l->r.hint = SC_TAG_HINT_ALWAYS ? 1u : 0u;
    l->r.gaveup = -1;
    l->r.tag = -1;
    l->r.tag_end = 0;
    l->r.high = 0;
    l->r.concepts = 0;
}

/* A phrase with bytes over 0x7F (PAT_EXACT): the automaton matched the classes of its bytes
 * (text[0..len) is where); are they its bytes? ASCII bytes compare by class, as the automaton
 * does (letters without case); the others exactly, but for the case of Latin-1 and Cyrillic
 * capitals, which fold to lower case as fold_char() in gen_rules.py folds the phrase. */
#if SC_NEXACT > 0
static int exact_match(const unsigned char *t, const unsigned char *p, size_t len) {
    for (size_t k = 0; k < len; k++) {
        unsigned char c = t[k];
        if (c < 0x80) {
            if (p[k] >= 0x80 || byte_class[c] != byte_class[p[k]]) return 0;
            continue;
        }
        if ((c == 0xC3 || c == 0xD0) && k + 1 < len) {
            unsigned char d = t[k + 1], lead = c;
            if ((c == 0xC3 && d >= 0x80 && d <= 0x9E && d != 0x97) ||                 /* U+00C0-U+00DE */
                (c == 0xD0 && d >= 0x90 && d <= 0x9F))                                /* U+0410-U+041F */
                d += 0x20;
            else if (c == 0xD0 && d >= 0xA0 && d <= 0xAF) { lead = 0xD1; d -= 0x20; } /* U+0420-U+042F */
            else if (c == 0xD0 && d <= 0x8F && d >= 0x80) { lead = 0xD1; d += 0x10; } /* U+0400-U+040F */
            if (p[k] != lead || p[k + 1] != d) return 0;
            k++;
            continue;
        }
        if (c != p[k]) return 0;
    }
    return 1;
}
#endif

/* The last two bytes of the text at t[i-1..i], case-folded as exact_match() folds a character
 * (the tail a PAT_TAIL record holds). */
static inline unsigned text_tail(const unsigned char *t, size_t i) {
    unsigned c = t[i - 1], d = t[i];
    if ((c == 0xC3 && d >= 0x80 && d <= 0x9E && d != 0x97) || (c == 0xD0 && d >= 0x90 && d <= 0x9F)) d += 0x20;
    else if (c == 0xD0 && d >= 0xA0 && d <= 0xAF) { c = 0xD1; d -= 0x20; }
    else if (c == 0xD0 && d >= 0x80 && d <= 0x8F) { c = 0xD1; d += 0x10; }
    return c << 8 | d;
}

/* One pattern that ends at position i: a rule's phrase or word, a vendor marker, a context
 * phrase, a provider tag's match string or host, a concept's word, or a pair fragment. */
static SC_INLINE void lane_output(scan_lane *l, const struct out_rec *pt, size_t i) {
    scan_result *r = &l->r;
#if SC_NEXACT > 0
    if (pt->bound & PAT_EXACT) {
        if ((pt->bound & PAT_TAIL) && text_tail(l->p, i) != pattern_tail[pt->pid]) return;
        if (!exact_match(l->p + i + 1 - pt->len, (const unsigned char *)pattern_exact[pt->pid], pt->len)) return;
    }
#endif
    if (pt->kind == 1) {
        if (pt->bound & PAT_WORD) {   /* a word: no letter or digit on either side */
            size_t start = i + 1 - pt->len;
            if ((start > 0 && is_alnum(l->p[start - 1])) || (i + 1 < l->len && is_alnum(l->p[i + 1]))) return;
        }
        /* the first of the highest priority wins (as better_rule, with the record's priority) */
        if (pt->bound & PAT_RULE_WORDS) {
            if (r->word < 0 || pt->prio > rules[r->word].priority) { r->word = pt->arg; r->word_end = i + 1; }
        } else if (r->rule < 0 || pt->prio > rules[r->rule].priority) {
            r->rule = pt->arg;
            r->rule_end = i + 1;
        }
    } else if (pt->kind == 2) {
        if (r->vendor < 0 && !vendor_is_mta[pt->arg]) r->vendor = pt->arg;
    } else if (pt->kind == 4) {
        r->ctx |= 1u << pt->arg;
        if ((1u << pt->arg) == SC_CTX_GAVEUP && r->gaveup < 0) r->gaveup = pt->pid;
    } else if (pt->kind == 5) {
        /* a provider tag's match string: its exact bytes, ASCII case-insensitive (as tags.c);
         * the longest wins, ties by table order */
        const struct tag_hint *th = &tag_hints[pt->arg];
        size_t start = i + 1 - pt->len;
        if (start + th->len <= l->len && (r->tag < 0 || th->len > tag_hints[r->tag].len ||
                                          (th->len == tag_hints[r->tag].len && pt->arg < r->tag))) {
            size_t q = 0;
            while (q < th->len && sc_lower(l->p[start + q]) == (unsigned char)th->match[q]) q++;
            if (q == th->len) { r->tag = pt->arg; r->tag_end = start + th->len; }
        }
    } else if (pt->kind == 6) {
        r->hint |= 2u;
    } else if (pt->kind == 7) {   /* a concept's word, at word boundaries (a PAT_PREFIX one at its start) */
        size_t start = i + 1 - pt->len;
        if ((start > 0 && is_alnum(l->p[start - 1])) || ((pt->bound & PAT_WORD) && i + 1 < l->len && is_alnum(l->p[i + 1])))
            return;
        r->concepts |= 1ull << pt->arg;
        l->concept_end[pt->arg] = i + 1 > (size_t)UINT_MAX ? UINT_MAX : (unsigned)(i + 1);
    } else {
        unsigned f = pt->arg;
        unsigned end = i + 1 > (size_t)UINT_MAX ? UINT_MAX : (unsigned)(i + 1);
        if (f < SC_NFRAGS) {
            unsigned long long bit = 1ull << (f % 64);
            if (!(l->seen[f / 64] & bit)) { l->seen[f / 64] |= bit; l->first_end[f] = end; }
            l->last_end[f] = end;
        }
    }
}

/* The patterns that end at position i (the lane's state has outputs); kept out of the walk's
 * loop so that the loop stays a few instructions per byte. A header record (kind 8) stands
 * for a group of PAT_TAIL records in tail_out[], sorted by tail: only those whose tail is the
 * text's are tried, found by binary search. */
SC_NOINLINE static void lane_outputs(scan_lane *l, size_t i) {
    unsigned at = state_out_at[l->state - SC_FIRST_OUT];   /* the state has outputs */
    const struct out_rec *o = &state_out[at >> 8];
    for (unsigned k = 0, n = at & 0xFFu; k < n; k++) {
        const struct out_rec *pt = &o[k];
        if (pt->kind != 8) {
            lane_output(l, pt, i);
            continue;
        }
        unsigned want = text_tail(l->p, i), lo = pt->arg, hi = pt->arg + pt->len;
        while (lo < hi) {
            unsigned mid = lo + (hi - lo) / 2;
            if (pattern_tail[tail_out[mid].pid] < want) lo = mid + 1; else hi = mid;
        }
        for (unsigned e = pt->arg + pt->len; lo < e && pattern_tail[tail_out[lo].pid] == want; lo++)
            lane_output(l, &tail_out[lo], i);
    }
}

/* Does state s end a pattern? (gen_rules.py numbers the states with outputs in one range) */
static inline int has_outputs(unsigned s) { return s - SC_FIRST_OUT < SC_END_OUT - SC_FIRST_OUT; }

/* The next state after a byte of class c. A dense
 * state answers from its row; a sparse state answers when c is one of its children's
 * classes, and otherwise hands the byte to its failure state (shallower each time, so the
 * fallback costs at most one step per byte consumed, amortised). */
static inline unsigned next_state(unsigned s, unsigned c) {
    for (;;) {
        if (s < SC_NDENSE) return automaton[s][c];
        const struct sparse_state *sp = &sparse_states[s - SC_NDENSE];
        if (sp->cls[0] == c) return sp->next[0];
        if (sp->cls[1] == c) return sp->next[1];
        if (sp->cls[2] == c) return sp->next[2];
        s = sp->fail;
    }
}

/* After the walk: the pairs whose fragments all appeared, in order. Only the pairs whose first
 * fragment was seen are checked, in table order (ascending fragments are ascending pairs). */
static void lane_finish(scan_lane *l) {
    scan_result *r = &l->r;
    for (size_t w = 0; w < COUNT_OF(l->seen); w++) {
        for (unsigned long long m = l->seen[w] & pair_first_mask[w]; m; m &= m - 1) {
            const struct pair *pr = &pairs[frag_pair[w * 64 + (unsigned)__builtin_ctzll(m)]];
            unsigned at = 0;
            int ok = 1;
            for (unsigned j = 0; j < pr->n && ok; j++) {
                unsigned f = pr->frag[j];
                /* the fragment must end after the previous one ended */
                if (!(l->seen[f / 64] >> (f % 64) & 1) || l->last_end[f] <= at) ok = 0;
                else at = l->first_end[f] > at ? l->first_end[f] : l->last_end[f];
            }
            if (ok && better_rule(pr->rule, r->rule)) { r->rule = pr->rule; r->rule_end = at; }
        }
    }
}

/* After the walk: the meanings whose concepts all appeared (in any order), ranked with the
 * phrases; it ends where the last of its words ends. */
static void lane_meanings(scan_lane *l) {
#if SC_NCOMBOS > 0
    scan_result *r = &l->r;
    for (size_t k = 0; k < SC_NCOMBOS; k++) {
        unsigned long long need = combos[k].need;
        if ((r->concepts & need) != need || !better_rule(combos[k].rule, r->rule)) continue;
        unsigned end = 0;
        for (unsigned b = 0; b < SC_NCONCEPTS; b++)
            if ((need >> b & 1) && l->concept_end[b] > end) end = l->concept_end[b];
        r->rule = combos[k].rule;
        r->rule_end = end;
    }
#else
    (void)l;
#endif
}

/* A multi-line reply's continuation marker, "550-5.7.1 " or "550 " again, starting at p[i]
 * right after white space: the length to skip (0: not one), so that a phrase running over a
 * line break ("unusual rate of\r\n550-5.7.1 unsolicited mail", or a log that joined the lines
 * with spaces) reads as it was written. m is the reply's code, then its enhanced code. */
typedef struct scan_marker {
    const char *code;     /* 3 digits, or NULL: no marker to skip */
    const char *enh;      /* the enhanced code's text, or NULL */
    size_t enh_len;
} scan_marker;

SC_NOINLINE static size_t marker_len(const unsigned char *p, size_t i, size_t len, const scan_marker *m) {
    if (i == 0 || len - i < 4 || (p[i - 1] != ' ' && p[i - 1] != '\t' && p[i - 1] != '\n' && p[i - 1] != '\r'))
        return 0;
    if (p[i + 1] != (unsigned char)m->code[1] || p[i + 2] != (unsigned char)m->code[2] ||
        (p[i + 3] != '-' && p[i + 3] != ' '))
        return 0;
    size_t k = i + 4;
    if (m->enh && len - k > m->enh_len && memcmp(p + k, m->enh, m->enh_len) == 0 &&
        (p[k + m->enh_len] == ' ' || p[k + m->enh_len] == '\t'))
        k += m->enh_len + 1;
    return k - i;
}

/* One byte of the walk: the next state, and the lane touched only where it has outputs. */
static inline void walk_byte(scan_lane *l, unsigned *st, const unsigned char *p, size_t i) {
    *st = next_state(*st, byte_class[p[i]]);
    if (has_outputs(*st)) {
        l->state = *st;
        lane_outputs(l, i);
    }
}

/* The walk of a text in blocks, each read by four walks at once (issue 16): one walk is a
 * chain of dependent lookups, bound by their latency, and independent chains overlap. Lane 0
 * goes on from the state the previous block left; lanes 1 to 3 start at the root, each at
 * the start of its own quarter of the block, and every lane writes its state after each byte
 * to rec[] (has_outputs() says which states end a pattern). Then, from the third lane back to the first, each
 * lane goes on past the end of its quarter until its state equals the one rec[] holds there,
 * overwriting rec[] until it does. A walk that started later and one that started earlier
 * agree for good once they agree after one byte, and an Aho-Corasick state depends on no more
 * bytes back than the longest phrase, so they meet within a few bytes (as a rule at the next
 * space). rec[] then holds, byte for byte, the one walk from the start of the text (after
 * each lane's catch-up, rec[] from that lane's start on is one walk), and the outputs are read
 * from it in the order of the bytes, as a single walk would meet them. Returns the state
 * after the block. */
enum { SCAN_LANES = 4, SCAN_BLOCK = 1024, SCAN_MIN_STRETCH = 16 };

static unsigned walk_block(const unsigned char *q, size_t n, unsigned st, unsigned short *rec) {
    size_t seg = n / SCAN_LANES;
    if (seg < SCAN_MIN_STRETCH) {   /* a short block: one walk */
        for (size_t j = 0; j < n; j++) {
            st = next_state(st, byte_class[q[j]]);
            rec[j] = (unsigned short)st;
        }
        return st;
    }
    unsigned s0 = st, s1 = 0, s2 = 0, s3 = 0;
    const unsigned char *q1 = q + seg, *q2 = q + 2 * seg, *q3 = q + 3 * seg;
    unsigned short *r1 = rec + seg, *r2 = rec + 2 * seg, *r3 = rec + 3 * seg;
    for (size_t j = 0; j < seg; j++) {
        s0 = next_state(s0, byte_class[q[j]]);
        s1 = next_state(s1, byte_class[q1[j]]);
        s2 = next_state(s2, byte_class[q2[j]]);
        s3 = next_state(s3, byte_class[q3[j]]);
        rec[j] = (unsigned short)s0;
        r1[j] = (unsigned short)s1;
        r2[j] = (unsigned short)s2;
        r3[j] = (unsigned short)s3;
    }
    for (size_t j = SCAN_LANES * seg; j < n; j++) {   /* the last lane reads the rest */
        s3 = next_state(s3, byte_class[q[j]]);
        rec[j] = (unsigned short)s3;
    }
    unsigned last = s3;
    const unsigned lane_state[SCAN_LANES - 1] = {s0, s1, s2};
    for (size_t k = SCAN_LANES - 1; k-- > 0;) {   /* each lane on until it meets the walk after it */
        unsigned s = lane_state[k];
        size_t j = (k + 1) * seg;
        for (; j < n; j++) {
            s = next_state(s, byte_class[q[j]]);
            if (s == rec[j]) break;
            rec[j] = (unsigned short)s;
        }
        if (j == n) last = s;   /* it never met: its state is the one after the block */
    }
    return last;
}

/* The walk, in blocks of SCAN_BLOCK bytes (walk_block), then the outputs in the order of the
 * bytes; the lane is touched only where a state has outputs, and the pairs are checked only
 * when a fragment was seen. From the second line of a multi-line failure reply on, its
 * continuation markers are skipped (marker_len), one byte at a time. */
static void scan(const char *s, size_t len, scan_result *r, const scan_marker *m) {
    scan_lane l;
    lane_init(&l, s, len);
    const unsigned char *p = l.p;
    unsigned st = 0;
    if (m && m->code) {   /* a multi-line failure reply: the loop that skips its markers */
        unsigned first = (unsigned char)m->code[0];
        for (size_t i = 0; i < len; i++) {
            size_t skip = p[i] == first ? marker_len(p, i, len, m) : 0;
            if (skip) {
                i += skip - 1;   /* the white space before it already stands for the line break */
                continue;
            }
            walk_byte(&l, &st, p, i);
        }
    } else {
        unsigned short rec[SCAN_BLOCK];
        for (size_t at = 0; at < len; at += SCAN_BLOCK) {
            size_t n = len - at;   /* at least 1 */
            if (n > SCAN_BLOCK) n = SCAN_BLOCK;
            st = walk_block(p + at, n, st, rec);
            for (size_t j = 0; j < n; j++)
                if (has_outputs(rec[j])) {
                    l.state = rec[j];
                    lane_outputs(&l, at + j);
                }
        }
    }
    uint64_t high = 0;   /* a byte over 0x7F, eight bytes at a time */
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        high |= w;
    }
    for (; i < len; i++) high |= p[i];
    unsigned long long any = 0;   /* no pair can hold without a fragment */
    for (size_t k = 0; k < COUNT_OF(l.seen); k++) any |= l.seen[k];
    if (any) lane_finish(&l);
    if (l.r.concepts) lane_meanings(&l);
    l.r.high = (high & 0x8080808080808080u) != 0;
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
static int context_reason(int reason, int definitive, const smtpcodes_classification *c, unsigned ctx,
                          int sender_named) {
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
    /* "554 5.3.2 ... ESMTP not accepting connections": the system takes no mail at all */
    if (definitive) return reason;   /* a provider's own wording (Naver's "421 4.3.2 Your IP ... is filtered") */
    if (reason == SC_R_BLOCKED && st == SC_R_NOTACCEPT) return st;
    if (st >= 0 && c->has_enhanced && c->enhanced.digits[0] == 5 && early_rank(st) < 99) {
        if (reason == SC_R_MESGTOOBIG && st == SC_R_EXCEEDLIMIT) return st;
        if (early_rank(reason) > early_rank(st)) return st;
    }
    if (reason == SC_R_MAILBOXFULL && (st == SC_R_SYSTEMFULL || (subject == 4 && detail == 5))) return SC_R_SYSTEMFULL;
    int address = reason == SC_R_USERUNKNOWN || reason == SC_R_HOSTUNKNOWN || reason == SC_R_FILTERED;
    /* the sender's address refused (Postfix "Sender address rejected: ... does not accept mail",
     * "Sender address rejected: mailbox disabled": the sender's mailbox, not the recipient's) */
    if ((address || reason == SC_R_NOTACCEPT || reason == SC_R_NETWORKERROR || reason == SC_R_SUSPEND) && mail && !rcpt)
        return SC_R_REJECTED;
    /* a domain that does not exist or takes no mail, in a text that names the sender and no
     * recipient, is the sender's ("550 5.7.27 Sender address has null MX", "The domain of your
     * sender address has no mail exchanger (MX)") */
    if ((reason == SC_R_HOSTUNKNOWN || reason == SC_R_NOTACCEPT) && sender_named && !rcpt) return SC_R_REJECTED;
    /* X.1.7 and X.1.8 are about the sender's address (RFC 3463): a mailbox wording under them
     * ("550 5.1.7 Invalid address") is the sender's, unless the text names the recipient (a
     * domain wording stays hostunknown, as Sisimai has "550 5.1.7 No such domain") */
    if (reason == SC_R_USERUNKNOWN && !rcpt && subject == 1 && (detail == 7 || detail == 8))
        return SC_R_REJECTED;
    /* before any address was sent, no mailbox can be full, unknown or suspended: the client is refused */
    if ((address || reason == SC_R_MAILBOXFULL || reason == SC_R_SUSPEND) && conn && !rcpt && !mail) return SC_R_BLOCKED;
    if (reason == SC_R_USERUNKNOWN && !rcpt && st != SC_R_USERUNKNOWN) {
        if (ctx & SC_CTX_DATA) return SC_R_FILTERED;
        if ((subject == 2 && detail == 0) || subject == 3 || subject == 7) return SC_R_FILTERED;
    }
    return reason;
}

/* "5.0.0 504 Command parameter not implemented", "4.0.0 426 connection timed out": a delivery
 * status put before the reply it summarises (a DSN's Status: ahead of its Diagnostic-Code).
 * The reply code right after the leading status, of the same class, is the reply's. */
static void status_then_reply(const char *s, size_t len, smtpcodes_classification *out) {
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t n = strlen(out->enhanced.text);
    if (i + n + 4 > len || memcmp(s + i, out->enhanced.text, n) != 0) return;
    i += n;
    if (s[i] != ' ') return;
    while (i < len && s[i] == ' ') i++;
    if (i + 3 > len || !sc_is_digit((unsigned char)s[i]) || !sc_is_digit((unsigned char)s[i + 1]) ||
        !sc_is_digit((unsigned char)s[i + 2]))
        return;
    if (i + 3 < len && s[i + 3] != ' ' && s[i + 3] != '-') return;
    int d0 = s[i] - '0', d1 = s[i + 1] - '0', d2 = s[i + 2] - '0';
    if (d0 != out->enhanced.digits[0] || d1 > 5) return;
    smtpcodes_code c;
    if (smtpcodes_lookup_basic(d0 * 100 + d1 * 10 + d2, &c) != SMTPCODES_OK) return;
    out->code = c;
    out->has_basic = 1;
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
        out->stage = r.stage;
        out->mta = r.mta;
        if (r.has_enhanced && !r.has_basic) status_then_reply(s, len, out);
    }
    return SMTPCODES_OK;
}

/* The session step the parse found in a wrapper, as the context bits the rules use. */
static unsigned stage_ctx(const char *stage) {
    if (!stage) return 0;
    if (!strcmp(stage, "RCPT TO")) return SC_CTX_RCPT;
    if (!strcmp(stage, "MAIL FROM")) return SC_CTX_MAIL;
    if (!strcmp(stage, "end of DATA") || !strcmp(stage, "DATA")) return SC_CTX_DATA;
    if (!strcmp(stage, "CONNECT") || !strcmp(stage, "EHLO") || !strcmp(stage, "HELO")) return SC_CTX_CONNECT;
    return 0;
}

/* A fallback by class when the reply code has no reason of its own. */
static int class_reason(int cls) {
    return cls == 4 ? SC_R_SYSTEMERROR : cls == 5 ? SC_R_REJECTED : -1;
}

/* The reason, from the codes and what the scan of the text found: a provider tag, then the
 * phrases, then the words of the text, then the enhanced code, then the basic code. */
static void classify_decide(const char *s, size_t len, smtpcodes_classification *out, const scan_result *scanned) {
    scan_result sr = *scanned;
    sr.ctx |= stage_ctx(out->stage);
#if defined(SC_CONCEPT_SENDER) && defined(SC_CONCEPT_USER)
    /* the text names the sender's address and no recipient (context_reason) */
    int sender_named = (sr.concepts & SC_CONCEPT_SENDER) && !(sr.concepts & SC_CONCEPT_USER);
#else
    int sender_named = 0;
#endif
    const char *provider = sr.vendor >= 0 ? vendor_names[sr.vendor] : NULL;
    int deciding = sr.rule >= 0 ? sr.rule : sr.word;
    if (deciding >= 0) {
        out->phrase = rules[deciding].phrase;
        out->phrase_end = deciding == sr.rule ? sr.rule_end : sr.word_end;
        if (rules[deciding].vendor >= 0) out->rule_vendor = vendor_names[rules[deciding].vendor];
    }
    if (SC_NNONASCII_TAGS && sr.tag < 0 && sr.high) {   /* a tag whose match string is not ASCII ("请使用授权码登录") */
        for (size_t t = 0; t < SC_NNONASCII_TAGS; t++) {
            const struct tag_hint *th = &tag_hints[nonascii_tags[t]];
            for (size_t at = 0; at + th->len <= len; at++) {
                const char *hit = memchr(s + at, th->match[0], len - at);
                if (!hit) break;   /* its first byte is over 0x7F */
                at = (size_t)(hit - s);
                if (at + th->len > len) break;
                size_t q = 1;
                while (q < th->len && sc_lower((unsigned char)s[at + q]) == (unsigned char)th->match[q]) q++;
                if (q == th->len) {
                    if (sr.tag < 0 || th->len > tag_hints[sr.tag].len) { sr.tag = nonascii_tags[t]; sr.tag_end = at + q; }
                    break;
                }
            }
        }
    }
#if SC_HINT_NONASCII > 1
    if (!(sr.hint & 2u) && sr.high) sr.hint |= 2u;   /* a provider wording only non-ASCII text carries */
#endif

    const smtpcodes_tag *tag = NULL;
    size_t tag_end = 0;
    if (sr.tag >= 0) {
        if (smtpcodes_lookup_tag(tag_hints[sr.tag].tag, strlen(tag_hints[sr.tag].tag), tag_hints[sr.tag].provider,
                                 strlen(tag_hints[sr.tag].provider), &tag) != 1)
            tag = NULL;
        tag_end = sr.tag_end;
    }
    if (tag) {
        out->tag = tag->tag;
        if (!provider) provider = tag->provider;
    } else {
        tag = NULL;
    }
    if (!provider && out->rule_vendor && !vendor_is_mta[rules[deciding].vendor]) provider = out->rule_vendor;
    if (!provider && (sr.hint & 2u)) {   /* a provider's host or wording appears */
        const smtpcodes_provider *pv = smtpcodes_find_provider(s, len);
        if (pv) provider = pv->name;
    }
    if (!provider) provider = out->rule_vendor;   /* an MTA's own wording: the answering side runs it */
    out->provider = out->vendor = provider;

    smtpcodes_permanence perm = out->permanence;
    int phrase_reason = sr.rule >= 0 ? rules[sr.rule].reason : -1;
    int word_reason = sr.word >= 0 ? rules[sr.word].reason : -1;
    if (phrase_reason == SC_R_MAILERERROR && (perm == SMTPCODES_PERM_SUCCESS || perm == SMTPCODES_PERM_INTERMEDIATE)) {
        /* "X-Unix; 255": the number is the local mailer's exit status, not a reply code */
        out->has_basic = 0;
        out->permanence = perm = SMTPCODES_PERM_UNKNOWN;
    }
    int code = out->has_basic ? out->code.digits[0] * 100 + out->code.digits[1] * 10 + out->code.digits[2] : 0;

    if (perm == SMTPCODES_PERM_SUCCESS || perm == SMTPCODES_PERM_INTERMEDIATE) {
        /* delivered: a message accepted at the end of DATA ("250 2.0.0 Ok: queued as ..."), or a
         * delivery status 2.x.x with no reply code; any other positive reply is "none" */
        int delivered = phrase_reason == R_DELIVERED || (!out->has_basic && out->has_enhanced) ||
                        (code == 250 && out->stage && !strcmp(out->stage, "end of DATA"));
        if (!delivered && code == 250 && !(out->flags & SMTPCODES_F_MULTILINE) &&
            (!out->has_enhanced || (out->enhanced.digits[2] == 0 &&
                                    (out->enhanced.digits[1] == 0 || out->enhanced.digits[1] == 5)))) {
            /* "250 2.0.0 OK  1700000000 x.123 - gsmtp", "250 ok 1700000000 qp 123",
             * "250 2.0.0 OK ef6e1f86a16411ef8a54", "250 2.5.0 OK (3E1B65A7C2F10B6E4)": an acceptance
             * names the message by a number of nine digits or more, or by a queue id: a word of
             * twelve letters and digits or more, at least four of them digits, that is not a label
             * of a host name ("250 AM5EUR02FT052.mail.protection.outlook.com Hello" is not one) */
            size_t run = 0, word = 0, wdigits = 0;
            unsigned char before = ' ';
            for (size_t k = 0; k <= len && !delivered; k++) {
                unsigned char c = k < len ? (unsigned char)s[k] : ' ';
                int digit = sc_is_digit(c);
                run = digit ? run + 1 : 0;
                delivered = run >= 9;
                if (digit || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
                    if (!word) before = k ? (unsigned char)s[k - 1] : ' ';
                    word++;
                    wdigits += (size_t)digit;
                    continue;
                }
                delivered = delivered || (word >= 12 && wdigits >= 4 && wdigits < word && c != '.' && before != '.');
                word = wdigits = 0;
            }
        }
        out->reason = (perm == SMTPCODES_PERM_SUCCESS && delivered) ? R_DELIVERED : R_NONE;
        out->evidence = SMTPCODES_EV_SUCCESS;
    } else {
        if (out->has_enhanced) out->code_reason = status_reason(&out->enhanced);
        int reply_r = -1;
        if (out->has_basic) reply_r = reply_reason(code);
        int text_reason = phrase_reason >= 0 && phrase_reason != R_DELIVERED &&
                          (rules[sr.rule].strong || out->code_reason < 0) ? phrase_reason : -1;
        /* a weak word yields to a status with a reason, and to a syntax reply (RFC 5321 4.2.1:
         * 500-504 are "x0z", syntax: '502 Error: command HELO not implemented') */
        int code_decides = out->code_reason >= 0 || (code >= 500 && code <= 504);
        int text_rule = text_reason >= 0 ? sr.rule : -1;
        smtpcodes_evidence text_ev = text_rule >= 0 && rules[text_rule].words == 2 ? SMTPCODES_EV_WORDS
                                                                                   : SMTPCODES_EV_PHRASE;
        if (text_reason < 0 && word_reason >= 0 && word_reason != R_DELIVERED &&
            (rules[sr.word].strong || !code_decides)) {
            text_reason = word_reason;
            text_rule = sr.word;
            text_ev = SMTPCODES_EV_WORDS;
        }
        if (text_rule >= 0 && text_rule != deciding) {
            out->phrase = rules[text_rule].phrase;
            out->phrase_end = sr.word_end;
            out->rule_vendor = rules[text_rule].vendor >= 0 ? vendor_names[rules[text_rule].vendor] : NULL;
        }
        /* the queue gave up: a network error, or nothing more specific than the code, is
         * "expired" (the give-up phrases are also phrases of the weak expired rule) */
        if (sr.gaveup >= 0 &&
            (text_reason < 0 || text_reason == SC_R_NETWORKERROR || text_reason == SC_R_SYSTEMERROR) &&
            out->code_reason != SC_R_USERUNKNOWN && out->code_reason != SC_R_MAILBOXFULL) {
            text_reason = R_EXPIRED;
            text_rule = -1;
            text_ev = SMTPCODES_EV_PHRASE;
            out->phrase = context_text[sr.gaveup];
            out->rule_vendor = NULL;
        }
        int ctx_only = text_reason < 0, before_ctx = text_reason;
        text_reason = context_reason(text_reason, text_reason >= 0 && (text_rule < 0 || rules[text_rule].priority >= 100),
                                     out, sr.ctx, sender_named);
        if (ctx_only && text_reason >= 0) { out->phrase = NULL; out->rule_vendor = NULL; }
        /* the status outranked the phrase (Sisimai's order: "5.7.13 ... not authenticated" is the
         * status's suspend): the status decided, and the evidence says so */
        int status_won = before_ctx >= 0 && text_reason != before_ctx && text_reason == out->code_reason &&
                         out->has_enhanced;
        /* "4.4.1 Connection timed out" under a 5xx (a final bounce after the timeouts) expired */
        int st_reason = out->code_reason;
        if (out->has_enhanced && out->has_basic && out->code.digits[0] == 5 && out->enhanced.digits[0] == 4 &&
            out->enhanced.digits[1] == 4 && (out->enhanced.digits[2] == 7 || out->enhanced.digits[2] == 1))
            out->code_reason = st_reason = R_EXPIRED;
        if (tag && tag->reason >= 0 && tag->reason < SC_NREASONS && tag->reason != R_DELIVERED) {
            out->reason = tag->reason;
            out->evidence = SMTPCODES_EV_TAG;
            out->phrase = NULL;
            out->phrase_end = tag_end;
            out->rule_vendor = NULL;
        } else if (status_won) {
            out->reason = text_reason;
            out->evidence = SMTPCODES_EV_STATUS;
        } else if (text_reason >= 0) {
            out->reason = text_reason;
            out->evidence = text_ev;
            out->overridden = out->code_reason >= 0 && out->code_reason != text_reason;
        } else if (st_reason >= 0) {
            out->reason = st_reason;
            out->evidence = SMTPCODES_EV_STATUS;
        } else if (out->has_enhanced && (out->enhanced.digits[1] == 6 || out->enhanced.digits[1] == 7)) {
            out->reason = out->enhanced.digits[1] == 6 ? R_CONTENTERROR : R_SECURITYERROR;
            out->evidence = SMTPCODES_EV_SUBJECT;
        } else if (reply_r >= 0 || (out->has_basic && class_reason(out->code.digits[0]) >= 0)) {
            out->reason = reply_r >= 0 ? reply_r : class_reason(out->code.digits[0]);
            out->evidence = SMTPCODES_EV_REPLY;
            if (out->code_reason < 0) out->code_reason = out->reason;
        } else if (out->has_enhanced && class_reason(out->enhanced.digits[0]) >= 0) {
            /* the status's class decided (its subject and detail have no reason of their own) */
            out->reason = class_reason(out->enhanced.digits[0]);
            out->evidence = SMTPCODES_EV_STATUS;
            out->code_reason = out->reason;
        } else {
            /* neither a code nor a known phrase: undefined, and no retry advice */
            out->reason = R_UNDEFINED;
            out->evidence = SMTPCODES_EV_DEFAULT;
        }
    }
    const struct reason_info *ri = &reason_info[out->reason];
    out->hard_bounce = ri->hard && perm != SMTPCODES_PERM_TEMPORARY && perm != SMTPCODES_PERM_SUCCESS &&
                       perm != SMTPCODES_PERM_INTERMEDIATE &&
                       (out->reason != R_NOTACCEPT || perm == SMTPCODES_PERM_PERMANENT);
    switch (perm) {
    case SMTPCODES_PERM_TEMPORARY: out->retry = out->reason != R_EXPIRED; break;
    case SMTPCODES_PERM_UNKNOWN: out->retry = out->reason != R_UNDEFINED && ri->retry; break;
    default: out->retry = 0; break;   /* permanent, or a positive reply */
    }
    if (out->reason == R_GREYLISTED) out->retry = 1;
}

smtpcodes_status smtpcodes_classify(const char *s, size_t len, smtpcodes_classification *out) {
    smtpcodes_status st = classify_codes(s, len, out);
    if (st != SMTPCODES_OK) return st;
    scan_result sr;
    scan_marker mk = {NULL, NULL, 0};
    if ((out->flags & SMTPCODES_F_MULTILINE) && out->has_basic && out->code.digits[0] >= 4) {   /* failures only */
        mk.code = out->code.text;
        if (out->has_enhanced) { mk.enh = out->enhanced.text; mk.enh_len = strlen(out->enhanced.text); }
    }
    scan(s, len, &sr, &mk);
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

void sc_put_evidence(sc_buf *bp, const smtpcodes_classification *c, smtpcodes_lang lang) {
    int es = lang == SMTPCODES_ES;
#define b (*bp)
    const char *reason = reason_info[c->reason].name;
    switch (c->evidence) {
    case SMTPCODES_EV_PHRASE:
    case SMTPCODES_EV_WORDS: {
        /* several words ("reverse dns", a meaning "user + unknown") take the plural */
        int plural = c->evidence == SMTPCODES_EV_WORDS && c->phrase && strchr(c->phrase, ' ');
        if (!c->phrase) {   /* the session step alone */
            if (c->stage) sc_sb_printf(&b, es ? "la etapa %s de la sesi\303\263n" : "the %s stage of the session", c->stage);
            else sc_sb_puts(&b, es ? "la etapa de la sesi\303\263n que nombra el texto" : "the session stage the text names");
        } else if (c->evidence == SMTPCODES_EV_WORDS) {
            sc_sb_printf(&b, es ? (plural ? "las palabras \"%s\" del texto" : "la palabra \"%s\" del texto")
                                : (plural ? "the words \"%s\" in the text" : "the word \"%s\" in the text"),
                         c->phrase);
        } else {
            sc_sb_printf(&b, es ? "la frase \"%s\"" : "the phrase \"%s\"", c->phrase);
        }
        if (c->rule_vendor) sc_sb_printf(&b, es ? " (redacci\303\263n de %s)" : " (%s wording)", c->rule_vendor);
        sc_sb_printf(&b, es ? (plural ? " indican %s" : " indica %s") : (plural ? " indicate %s" : " indicates %s"), reason);
        if (c->overridden) {
            const char *what = c->has_enhanced ? c->enhanced.text : c->code.text;
            sc_sb_printf(&b, es ? "; el texto prevalece sobre el c\303\263digo %s, que por s\303\255 solo indicar\303\255a %s"
                             : "; the text outranks code %s, which alone would mean %s",
                      what, reason_info[c->code_reason].name);
        }
        break;
    }
    case SMTPCODES_EV_TAG:
        sc_sb_printf(&b, es ? "la etiqueta %s%s%s indica %s" : "the %s%s tag %s implies %s",
                     es ? (c->tag ? c->tag : "") : (c->provider ? c->provider : ""), es ? " de " : "",
                     es ? (c->provider ? c->provider : "") : (c->tag ? c->tag : ""), reason);
        break;
    case SMTPCODES_EV_STATUS:
        if (status_reason(&c->enhanced) < 0 && c->reason == class_reason(c->enhanced.digits[0]))
            /* the class fallback of classify_decide: neither the subject nor the detail decided */
            sc_sb_printf(&b, es ? "la clase %d del c\303\263digo de estado %s (%s) indica %s"
                                : "the class %d of status %s (%s) implies %s",
                         c->enhanced.digits[0], c->enhanced.text,
                         sc_perm_local[c->enhanced.digits[0] == 4 ? SMTPCODES_PERM_TEMPORARY : SMTPCODES_PERM_PERMANENT][es],
                         reason);
        else
            sc_sb_printf(&b, es ? "el c\303\263digo de estado %s indica %s" : "status %s implies %s", c->enhanced.text, reason);
        break;
    case SMTPCODES_EV_SUBJECT:
        sc_sb_printf(&b, es ? "el asunto X.%d de %s indica %s" : "the X.%d subject of %s implies %s",
                  c->enhanced.digits[1], c->enhanced.text, reason);
        break;
    case SMTPCODES_EV_REPLY:
        sc_sb_printf(&b, es ? "el c\303\263digo de respuesta %s indica %s" : "reply code %s implies %s", c->code.text, reason);
        break;
    case SMTPCODES_EV_MESSAGE: {   /* parse_bounce decided from the message, not from the reply */
        static const struct { int reason; const char *text[2]; } why[] = {
            {R_FEEDBACK, {"the message is an ARF feedback report, not a bounce (feedback)",
                          "el mensaje es un informe de retroalimentaci\303\263n ARF, no un rebote (feedback)"}},
            {R_VACATION, {"the message is an automatic reply, not a bounce (vacation)",
                          "el mensaje es una respuesta autom\303\241tica, no un rebote (vacation)"}},
            {R_DELIVERED, {"the delivery report's action says the message was delivered or relayed (delivered)",
                           "la acci\303\263n del informe de entrega dice que el mensaje se entreg\303\263 o se retransmiti\303\263 (delivered)"}},
            {R_EXPIRED, {"the report says delivery failed for good after temporary network errors (a class-4 status): the queue stopped retrying (expired)",
                         "el informe da la entrega por fallida definitivamente tras errores de red temporales (un estado de clase 4): la cola dej\303\263 de reintentar (expired)"}},
            {R_MAILERERROR, {"the diagnostic comes from a local delivery program (an X-Unix status or a pipe), not from a remote server (mailererror)",
                             "el diagn\303\263stico viene de un programa de entrega local (un estado X-Unix o una tuber\303\255a), no de un servidor remoto (mailererror)"}},
        };
        size_t k = 0;
        while (k < COUNT_OF(why) && why[k].reason != c->reason) k++;
        if (k < COUNT_OF(why)) {
            sc_sb_puts(&b, why[k].text[es]);
        } else if (c->reason == R_FILTERED) {   /* a refusal after DATA, quoting its phrase */
            if (c->phrase) sc_sb_printf(&b, es ? "la frase \"%s\" respondi\303\263 a DATA" : "the phrase \"%s\" answered DATA", c->phrase);
            else sc_sb_puts(&b, es ? "el rechazo respondi\303\263 a DATA" : "the refusal answered DATA");
            sc_sb_puts(&b, es ? ": la direcci\303\263n ya se hab\303\255a aceptado en RCPT TO, as\303\255 que un filtro rechaz\303\263 el mensaje (filtered)"
                              : ": the address had been accepted at RCPT TO, so a filter refused the message (filtered)");
        } else {
            sc_sb_printf(&b, es ? "la redacci\303\263n y la forma del propio mensaje de rebote indican %s"
                                : "the bounce message's own wording and form imply %s", reason);
        }
        break;
    }
    case SMTPCODES_EV_SUCCESS:
        sc_sb_printf(&b, es ? "respuesta positiva %s: %s" : "positive reply %s: %s",
                  c->has_basic ? c->code.text : c->enhanced.text, reason);
        break;
    default:
        sc_sb_puts(&b, es ? "el texto no lleva c\303\263digo ni ninguna frase conocida (undefined)"
                          : "the text carries neither a code nor a known phrase (undefined)");
        break;
    }
    if (c->provider && (!c->rule_vendor || strcmp(c->provider, c->rule_vendor) != 0) &&
        c->evidence != SMTPCODES_EV_TAG)
        sc_sb_printf(&b, es ? "; respuesta de %s" : "; reply from %s", c->provider);
    if (c->mta) sc_sb_printf(&b, es ? "; en el formato de %s" : "; in %s's format", c->mta);
#undef b
}

int smtpcodes_render_evidence(const smtpcodes_classification *c, smtpcodes_lang lang, char *buf, size_t cap) {
    if (!c || (!buf && cap) || c->reason < 0 || c->reason >= SC_NREASONS) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    sc_put_evidence(&b, c, lang);
    return sc_sb_result(&b);
}

void sc_put_retry(sc_buf *bp, const smtpcodes_classification *c, smtpcodes_lang lang) {
    int es = lang == SMTPCODES_ES;
#define b (*bp)
    if (c->permanence == SMTPCODES_PERM_SUCCESS || c->permanence == SMTPCODES_PERM_INTERMEDIATE)
        sc_sb_puts(&b, es ? "No hace falta reintentar: la respuesta es positiva. "
                       : "No retry needed: the reply is positive. ");
    else if (c->reason == R_GREYLISTED)
        sc_sb_puts(&b, es ? "Reintenta: el listado gris acepta el mismo mensaje en un intento posterior, pasados unos minutos. "
                       : "Retry: greylisting accepts the same message on a later attempt, after a few minutes. ");
    else if (c->reason == R_UNDEFINED)
        sc_sb_puts(&b, es ? "Sin consejo sobre reintentar: el texto no lleva c\303\263digo ni ninguna frase conocida. "
                       : "No retry advice: the text carries neither a code nor a known phrase. ");
    else if (c->retry)
        sc_sb_puts(&b, es ? "Reintenta m\303\241s tarde: el fallo es temporal y la cola emisora lo reintentar\303\241. "
                       : "Retry later: the failure is temporary and the sending queue will try again. ");
    else if (c->permanence == SMTPCODES_PERM_TEMPORARY)
        sc_sb_puts(&b, es ? "No reintentes: los reintentos ya se agotaron. "
                       : "Do not retry: the retries have already run out. ");
    else
        sc_sb_puts(&b, es ? "No reintentes sin cambios: volver\303\241 a fallar. "
                       : "Do not retry unchanged: it will fail again. ");
    sc_sb_puts(&b, reason_info[c->reason].text[2][lang]);
#undef b
}

int smtpcodes_render_retry(const smtpcodes_classification *c, smtpcodes_lang lang, char *buf, size_t cap) {
    if (!c || (!buf && cap) || c->reason < 0 || c->reason >= SC_NREASONS) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    sc_put_retry(&b, c, lang);
    return sc_sb_result(&b);
}
