/* internal.h - what the rooms of the core share, and nothing else.
 *
 * The core is split by capability, one .c file each (see the header comment of
 * each): buffer.c (the output writer and byte-level text helpers), strings.c
 * (versions, status messages, languages and every interface word in both
 * languages), table.c (the knowledge base: iteration, lookup, texts, classes),
 * commands.c (which replies a command may get), search.c, parse.c (replies),
 * render.c (explanations of codes, replies and classifications as text,
 * Markdown and HTML), compare.c, classify.c and tags.c (provider tags: lookup,
 * matching, cards). This header is private: the
 * public API is smtpcodes.h alone. Every symbol declared here has hidden
 * visibility, so that a binding linking the core exports only its entry point.
 * No global mutable state: everything declared here is a function or const data. */
#ifndef SMTPCODES_INTERNAL_H
#define SMTPCODES_INTERNAL_H

#include "smtpcodes.h"

#include <stddef.h>

#if defined(__GNUC__)
#  define SC_HIDDEN __attribute__((visibility("hidden")))
#  define SC_NOINLINE __attribute__((noinline))
#  define SC_INLINE inline __attribute__((always_inline))
#else
#  define SC_HIDDEN
#  define SC_NOINLINE
#  define SC_INLINE inline
#endif

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- bytes ------------------------------------------------------------------ */
static inline int sc_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int sc_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int sc_is_space(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
static inline int sc_lang_ok(smtpcodes_lang lang) { return lang == SMTPCODES_EN || lang == SMTPCODES_ES; }
static inline int sc_code_ok(const smtpcodes_code *c) {
    return c && (c->kind == SMTPCODES_BASIC || c->kind == SMTPCODES_ENHANCED);
}
static inline int sc_format_ok(smtpcodes_format f) {
    return f == SMTPCODES_TEXT || f == SMTPCODES_MARKDOWN || f == SMTPCODES_HTML;
}
/* Length of a valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
SC_HIDDEN size_t sc_utf8_seq(const unsigned char *s, size_t n);

/* ---- the output writer (buffer.c) ------------------------------------------ */
/* snprintf semantics: writes at most cap bytes, always NUL-terminated when
 * cap > 0; len counts the bytes the full output needs. */
typedef struct sc_buf {
    char *buf;
    size_t cap;
    size_t len;
    int html;     /* 1: text written through sc_sb_putn is HTML-escaped */
    int md;       /* 1 (and html 0): text written through sc_sb_putn is Markdown-escaped */
} sc_buf;

SC_HIDDEN void sc_sb_init(sc_buf *b, char *buf, size_t cap);
/* markup: written as is, even in HTML mode */
SC_HIDDEN void sc_sb_raw(sc_buf *b, const char *s, size_t n);
SC_HIDDEN void sc_sb_raws(sc_buf *b, const char *s);
SC_HIDDEN void sc_sb_putn(sc_buf *b, const char *s, size_t n);
SC_HIDDEN void sc_sb_puts(sc_buf *b, const char *s);
SC_HIDDEN void sc_sb_putc(sc_buf *b, char c);
SC_HIDDEN void sc_sb_printf(sc_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
SC_HIDDEN int sc_sb_result(const sc_buf *b);
/* Untrusted text: invalid UTF-8 becomes U+FFFD, control bytes '?' (a tab a
 * space), at most max input bytes (then an ellipsis). */
SC_HIDDEN void sc_sb_put_safe(sc_buf *b, const char *s, size_t n, size_t max);
/* HTML: the NUL-terminated text s with & < > " ' escaped. */
SC_HIDDEN void sc_sb_put_html(sc_buf *b, const char *s);
SC_HIDDEN void sc_sb_put_htmln(sc_buf *b, const char *s, size_t n);

/* ---- interface words (strings.c) ------------------------------------------- */
enum sc_ui_id {
    UI_DESCRIPTION, UI_WHEN, UI_FIX, UI_CLASS, UI_CATEGORY, UI_SUBJECT, UI_STATUS, UI_REFERENCES,
    UI_COMMANDS, UI_RELATED, UI_STANDARD, UI_NONSTANDARD, UI_VENDOR, UI_DEPRECATED, UI_UNKNOWN,
    UI_ANY_CLASS, UI_REPLY, UI_FLAGS, UI_TEXT, UI_NONE, UI_ALSO_VENDOR, UI_KEY_DIFF, UI_WHEN_USE,
    UI_BASIC_KIND, UI_ENH_KIND, UI_RETRY_SUCCESS, UI_RETRY_INTER, UI_RETRY_TEMP, UI_RETRY_PERM,
    UI_RETRY_UNKNOWN, UI_PERMANENCE, UI_RETRY, UI_KIND, UI_NO_COMMANDS, UI_RANGE_NOTE,
    UI_CLASSIFICATION, UI_REASON, UI_HARD_BOUNCE, UI_EVIDENCE, UI_PROVIDER, UI_CODE, UI_ENHANCED,
    UI_YES, UI_NO, UI_WHAT_TO_DO, UI_ASPECT, UI_BOTH, UI_SHARED, UI_LINES, UI_ERROR,
    UI_CODES,
    /* log records (log.c) */
    UI_LOG_RECORD, UI_LOG_DELIVERY, UI_LOG_OTHER, UI_LOG_NOT_DELIVERY, UI_LOG_MTA, UI_LOG_QUEUE_ID,
    UI_LOG_RECIPIENT, UI_LOG_ORIG_RECIPIENT, UI_LOG_SENDER, UI_LOG_RELAY, UI_LOG_DELAY, UI_LOG_DSN,
    UI_LOG_STAGE, UI_LOG_DIAGNOSTIC, UI_LOG_TIME, UI_LOG_HOST, UI_LOG_PROGRAM, UI_LOG_SENT, UI_LOG_DEFERRED,
    UI_LOG_BOUNCED, UI_LOG_EXPIRED, UI_LOG_STATUS_OTHER, UI_LOG_QUEUE_RETRIES, UI_LOG_QUEUE_GAVE_UP,
    UI_LOG_DELIVERED_NOTE, UI_LOG_BOUNCED_NOTE,
    /* bounce messages (bounce.c) */
    UI_BOUNCE, UI_BOUNCE_FORMAT, UI_BOUNCE_REPORTING_MTA, UI_BOUNCE_ARRIVAL, UI_BOUNCE_ORIGINAL,
    UI_BOUNCE_MESSAGE_ID, UI_BOUNCE_FROM, UI_BOUNCE_TO, UI_BOUNCE_SUBJECT, UI_BOUNCE_DATE,
    UI_BOUNCE_FEEDBACK_TYPE, UI_BOUNCE_SOURCE_IP, UI_BOUNCE_RECIPIENTS, UI_BOUNCE_RECIPIENT,
    UI_BOUNCE_ORIG_RECIPIENT, UI_BOUNCE_ACTION, UI_BOUNCE_STATUS, UI_BOUNCE_DIAGNOSTIC,
    UI_BOUNCE_REMOTE_MTA, UI_BOUNCE_STAGE, UI_BOUNCE_LAST_ATTEMPT, UI_BOUNCE_RETRY_UNTIL,
    UI_BOUNCE_TRUNCATED, UI_BOUNCE_NO_RECIPIENTS,
    UI_BOUNCE_K_OTHER, UI_BOUNCE_K_BOUNCE, UI_BOUNCE_K_DELAY, UI_BOUNCE_K_FEEDBACK, UI_BOUNCE_K_AUTOREPLY,
    UI_BOUNCE_K_DELIVERED,
    UI_BOUNCE_A_FAILED, UI_BOUNCE_A_DELAYED, UI_BOUNCE_A_DELIVERED, UI_BOUNCE_A_RELAYED, UI_BOUNCE_A_EXPANDED,
    UI_COUNT
};
SC_HIDDEN extern const char *const sc_ui[UI_COUNT][SMTPCODES_NLANG];
/* permanence names in each language, indexed by smtpcodes_permanence (0-4) */
SC_HIDDEN extern const char *const sc_perm_local[5][SMTPCODES_NLANG];
/* reply-flag names ("class-mismatch") and their descriptions in each language */
SC_HIDDEN extern const char *const sc_flag_names[SMTPCODES_NFLAGS];
SC_HIDDEN extern const char *const sc_flag_local[SMTPCODES_NFLAGS][SMTPCODES_NLANG];

/* ---- the knowledge base (table.c) ------------------------------------------ */
#define SC_MAX_ENTRIES 1024   /* bound on the table size, checked in table.c */
SC_HIDDEN const smtpcodes_entry *sc_find_exact(int kind, int cls, int subject, int detail);
/* 1-3 digits without a leading zero at s[*i] (advancing *i); -1 if malformed. */
SC_HIDDEN int sc_read_num(const char *s, size_t len, size_t *i);
/* The class meaning of a code in a language, NULL when it has no class digit. */
SC_HIDDEN const char *sc_class_meaning(const smtpcodes_code *c, smtpcodes_lang lang);
/* The generator's folded title (field 0) and description (field 1) of entry i. */
SC_HIDDEN const char *sc_search_text(size_t i, int field, int lang);
/* The basic codes listed for command i in the command table, and how many. */
SC_HIDDEN const unsigned short *sc_command_codes(size_t i, size_t *n);

/* ---- rendering helpers shared by render.c and compare.c --------------------- */
SC_HIDDEN const char *sc_retry_text(smtpcodes_permanence p, smtpcodes_lang lang);
SC_HIDDEN void sc_put_class_label(sc_buf *b, const smtpcodes_code *c);
SC_HIDDEN void sc_put_category_label(sc_buf *b, const smtpcodes_code *c);
SC_HIDDEN void sc_put_commands(sc_buf *b, unsigned long bits, smtpcodes_lang lang, const char *sep_last);
SC_HIDDEN unsigned long sc_code_commands(const smtpcodes_code *c);
SC_HIDDEN const char *sc_or_word(smtpcodes_lang lang);
SC_HIDDEN void sc_put_status(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang);
SC_HIDDEN void sc_put_heading(sc_buf *b, smtpcodes_format fmt, int level, const char *title);
/* "550 - Title" (text) or "550 — Title" (Markdown, HTML) as a heading of level 2-4 */
SC_HIDDEN void sc_put_code_heading(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt,
                                   int level);
/* static text in the format: Markdown-escaped, HTML-escaped, or as is */
SC_HIDDEN void sc_put_md(sc_buf *b, smtpcodes_format fmt, const char *s);
SC_HIDDEN void sc_put_sections(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt,
                               int level);
/* a classification's permanence, hard-bounce and retry fields (render.c) */
SC_HIDDEN void sc_put_verdict(sc_buf *b, const smtpcodes_classification *c, smtpcodes_lang lang, smtpcodes_format fmt);
/* a provider tag's explanation, heading at `level` (tags.c) */
SC_HIDDEN void sc_put_tag(sc_buf *b, const smtpcodes_tag *t, smtpcodes_lang lang, smtpcodes_format fmt, int level);
/* the evidence and the retry advice of a classification, in words (classify.c) */
SC_HIDDEN void sc_put_evidence(sc_buf *b, const smtpcodes_classification *c, smtpcodes_lang lang);
SC_HIDDEN void sc_put_retry(sc_buf *b, const smtpcodes_classification *c, smtpcodes_lang lang);
/* HTML card framing: the opening <section> with its inline style, and the close;
 * a nested card (<section class="smtpcodes-CLS">, closed with sc_html_close) */
SC_HIDDEN void sc_html_open(sc_buf *b, const char *cls, smtpcodes_lang lang);
SC_HIDDEN void sc_html_close(sc_buf *b);
/* A card's start: b writes into buf (cap bytes, snprintf semantics); in HTML it is an HTML
 * buffer and the card's <section class="smtpcodes smtpcodes-CLS"> is open */
SC_HIDDEN void sc_card_open(sc_buf *b, char *buf, size_t cap, smtpcodes_format fmt, const char *cls,
                            smtpcodes_lang lang);
SC_HIDDEN void sc_html_sub_open(sc_buf *b, const char *cls);

/* ---- the writers every room renders its results with (render.c) ---------------
 * A card: open it with sc_card_open() (in HTML: b->html = 1 and sc_html_open()); then
 * headings, field lists and paragraphs, the same calls for the three formats:
 *   text      "Title\n"        "Label: value\n"          "text\n\n"
 *   Markdown  "## Title\n\n"   "- **Label:** value\n"    escaped text
 *   HTML      <h2>..</h2>      <dl><dt>..</dt><dd>..</dd>  <p>..</p>
 * Text written between sc_field_open() and sc_field_close() goes through the
 * writer, so it is escaped in HTML; markup goes through sc_sb_raw(s). */
SC_HIDDEN void sc_heading_open(sc_buf *b, smtpcodes_format fmt, int level);
SC_HIDDEN void sc_heading_close(sc_buf *b, smtpcodes_format fmt, int level);
SC_HIDDEN void sc_list_open(sc_buf *b, smtpcodes_format fmt);
SC_HIDDEN void sc_list_close(sc_buf *b, smtpcodes_format fmt);
SC_HIDDEN void sc_field_open(sc_buf *b, smtpcodes_format fmt, const char *label);
SC_HIDDEN void sc_field_close(sc_buf *b, smtpcodes_format fmt);
SC_HIDDEN void sc_paragraph(sc_buf *b, smtpcodes_format fmt, const char *s);

/* Inline styles. Colours and backgrounds inherit (light and dark themes);
 * alignment, margins and wrapping are set on each element so that a notebook
 * theme's rules for td, dl or headings cannot override them. */
#define ST_CARD "box-sizing:border-box;max-width:100%;margin:0.5em 0;padding:0.75em 1em;" \
    "border:1px solid rgba(128,128,128,0.5);border-radius:6px;color:inherit;background:transparent;" \
    "text-align:left;line-height:1.45;overflow-wrap:anywhere"
#define ST_SUB "box-sizing:border-box;max-width:100%;margin:0.8em 0 0;padding:0.5em 0 0;" \
    "border-top:1px solid rgba(128,128,128,0.35);text-align:left;overflow-wrap:anywhere"
#define ST_H2 "margin:0 0 0.5em;font-size:1.3em;font-weight:600;line-height:1.3;text-align:left;color:inherit"
#define ST_H3 "margin:0.8em 0 0.3em;font-size:1.12em;font-weight:600;line-height:1.3;text-align:left;color:inherit"
#define ST_H4 "margin:0.6em 0 0.2em;font-size:1em;font-weight:600;line-height:1.3;text-align:left;color:inherit"
#define ST_DL "display:grid;grid-template-columns:minmax(7em,max-content) minmax(0,1fr);gap:0.2em 1em;" \
    "margin:0.3em 0 0.6em;padding:0"
#define ST_DT "margin:0;padding:0;float:none;width:auto;font-weight:600;text-align:left;overflow-wrap:normal"
#define ST_DD "margin:0;padding:0;float:none;width:auto;text-align:left;min-width:0"
#define ST_P "margin:0.2em 0 0.6em;text-align:left"
#define ST_CODE "font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere;background:transparent;color:inherit"


#define ST_UL "margin:0.2em 0 0.6em;padding-left:1.4em;text-align:left"
#define ST_LI "margin:0.15em 0;text-align:left"
#define ST_TABLE "width:100%;max-width:100%;table-layout:fixed;border-collapse:collapse;margin:0.5em 0 0.8em;" \
    "font-size:inherit;color:inherit;background:transparent"
#define ST_CELL "text-align:left;vertical-align:top;padding:0.35em 0.6em;border:1px solid rgba(128,128,128,0.45);" \
    "overflow-wrap:anywhere;white-space:normal;color:inherit;background:transparent;line-height:1.4"
#define ST_TH ST_CELL ";font-weight:600"
#define ST_TD ST_CELL ";font-weight:normal"

/* ---- the message reader (mime.c) ---------------------------------------------
 * Views into the message or into the caller's scratch arena; nothing allocates. */
typedef struct sc_view { const char *p; size_t n; } sc_view;
/* Two-ended arena over caller memory: bytes from the bottom, records (aligned)
 * from the top. full is set when a request did not fit. */
typedef struct sc_arena { char *base; size_t cap, lo, hi; int full; } sc_arena;
SC_HIDDEN void sc_arena_init(sc_arena *a, void *mem, size_t cap);
SC_HIDDEN char *sc_arena_bytes(sc_arena *a, size_t n);
SC_HIDDEN void sc_arena_unget(sc_arena *a, size_t n);   /* give back the last n bytes */
SC_HIDDEN void *sc_arena_rec(sc_arena *a, size_t n, size_t align);

#define SC_MIME_MAX_DEPTH SMTPCODES_MIME_MAX_DEPTH /* multipart nesting read; deeper parts are opaque */
#define SC_MIME_MAX_PARTS SMTPCODES_MIME_MAX_PARTS /* entities read per message */
#define SC_MIME_CUT_DEPTH    0x1u
#define SC_MIME_CUT_PARTS    0x2u
#define SC_MIME_CUT_BOUNDARY 0x4u /* a missing delimiter or closing boundary */

typedef struct sc_part {
    sc_view headers, body;        /* body still transfer-encoded */
    sc_view content_type, type;   /* the raw field and its media type ("text/plain") */
    sc_view charset, boundary, report_type, cte;
    int depth, in_message, is_container;
} sc_part;
typedef void (*sc_part_cb)(void *ctx, const sc_part *p);

SC_HIDDEN int sc_ieq(const char *a, size_t an, const char *b);        /* b lower case */
SC_HIDDEN int sc_istarts(const char *a, size_t an, const char *b);
SC_HIDDEN const char *sc_ifind(const char *s, size_t n, const char *needle);
SC_HIDDEN void sc_trim(const char **s, size_t *n);
SC_HIDDEN size_t sc_header_block(const char *s, size_t n, size_t *hdr_len);
SC_HIDDEN int sc_header_next(const char *s, size_t n, size_t *pos, sc_view *name, sc_view *value);
SC_HIDDEN int sc_header_get(const char *s, size_t n, const char *fname, sc_view *value);
SC_HIDDEN sc_view sc_unfold(sc_arena *a, sc_view v);
SC_HIDDEN int sc_param(sc_view v, const char *pname, sc_view *out);
SC_HIDDEN sc_view sc_media_type(sc_view v);
/* v in charset as UTF-8 in the arena (ISO-2022-JP whenever v holds its escapes; labelled
 * ISO-2022-JP without them but 8-bit, EUC-JP or Shift_JIS); v itself
 * when it is ASCII or valid UTF-8 already, the charset is not one mime.c converts, or the
 * arena lacks room (the text then stays as it came) */
SC_HIDDEN sc_view sc_to_utf8(sc_arena *a, sc_view v, sc_view charset);
SC_HIDDEN size_t sc_base64_decode(const char *s, size_t n, char *out, size_t *bad);
SC_HIDDEN size_t sc_qp_decode(const char *s, size_t n, char *out, int q);
SC_HIDDEN sc_view sc_decode_body(sc_arena *a, sc_view body, sc_view cte, size_t *bad);
SC_HIDDEN sc_view sc_decode_words(sc_arena *a, sc_view v, sc_view *charset);
SC_HIDDEN unsigned sc_mime_walk(const char *s, size_t n, sc_part_cb cb, void *ctx);

#endif /* SMTPCODES_INTERNAL_H */
