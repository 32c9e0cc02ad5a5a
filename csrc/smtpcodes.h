/* smtpcodes.h - SMTP reply-code knowledge base: lookup, parse, explain, compare,
 * classify, in English and Spanish.
 *
 * Memory: nothing in this API allocates. Entries and strings returned by the
 * library are static and valid for the life of the process; never free them.
 * Results (smtpcodes_code, smtpcodes_reply, smtpcodes_comparison,
 * smtpcodes_class) live in storage the caller provides; the text views of a
 * smtpcodes_reply point into the caller's input buffer and are valid as long
 * as that buffer is.
 * Strings are passed with their length and may contain any byte, NUL included.
 * Thread safety: no mutable global state; every function is reentrant.
 * Errors: functions returning smtpcodes_status (or an int that may be
 * negative) report errors as negative smtpcodes_status values; see
 * smtpcodes_strerror(). No input makes the library abort.
 * Rendering functions have snprintf semantics: they write at most cap bytes,
 * always NUL-terminate when cap > 0, and return the length the full text
 * needs (excluding the NUL), or a negative status. */
#ifndef SMTPCODES_H
#define SMTPCODES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every declaration is hidden from the dynamic symbol table, so that the
 * Python and Lua modules export only their entry points. */
#ifndef SMTPCODES_API
#  if defined(__GNUC__)
#    define SMTPCODES_API __attribute__((visibility("hidden")))
#  else
#    define SMTPCODES_API
#  endif
#endif

#define SMTPCODES_VERSION "0.1.0"

typedef enum smtpcodes_status {
    SMTPCODES_OK = 0,
    SMTPCODES_ERR_ARG = -1,        /* NULL pointer or out-of-range enum value */
    SMTPCODES_ERR_EMPTY = -2,      /* empty input (or only white space) */
    SMTPCODES_ERR_SYNTAX = -3,     /* not a reply code, enhanced code or reply */
    SMTPCODES_ERR_RANGE = -4,      /* well-formed digits outside SMTP's ranges (999, 6.1.1) */
    SMTPCODES_ERR_LANG = -5,       /* unknown language tag */
    SMTPCODES_ERR_NO_CODE = -6,    /* lenient parse: no reply or enhanced code in the text */
    SMTPCODES_ERR_INCOMPLETE = -7, /* strict parse: the last line is a continuation ("550-") */
    SMTPCODES_ERR_MIXED = -8,      /* strict parse: lines carry different codes */
    SMTPCODES_ERR_COMMAND = -9,    /* unknown SMTP command name */
    SMTPCODES_ERR_TOO_LONG = -10   /* rendered output would exceed INT_MAX bytes */
} smtpcodes_status;

typedef enum smtpcodes_kind {
    SMTPCODES_BASIC = 1,           /* three-digit reply code, RFC 5321 */
    SMTPCODES_ENHANCED = 2         /* class.subject.detail, RFC 3463 */
} smtpcodes_kind;

typedef enum smtpcodes_lang { SMTPCODES_EN = 0, SMTPCODES_ES = 1, SMTPCODES_NLANG = 2 } smtpcodes_lang;

typedef enum smtpcodes_field {
    SMTPCODES_TITLE = 0,
    SMTPCODES_DESCRIPTION = 1,
    SMTPCODES_WHEN = 2,
    SMTPCODES_FIX = 3,
    SMTPCODES_NFIELD = 4
} smtpcodes_field;

/* Output formats of every rendering. HTML is a fragment (a <section> card):
 * semantic markup, every text escaped, no scripts, inline styles only. */
typedef enum smtpcodes_format { SMTPCODES_TEXT = 0, SMTPCODES_MARKDOWN = 1, SMTPCODES_HTML = 2 } smtpcodes_format;

typedef enum smtpcodes_permanence {
    SMTPCODES_PERM_UNKNOWN = 0,    /* no class digit (registered "X." entries) */
    SMTPCODES_PERM_SUCCESS = 1,
    SMTPCODES_PERM_INTERMEDIATE = 2,
    SMTPCODES_PERM_TEMPORARY = 3,
    SMTPCODES_PERM_PERMANENT = 4
} smtpcodes_permanence;

/* Entry flags. */
#define SMTPCODES_E_STANDARD   0x1u  /* defined by an RFC or the IANA registry */
#define SMTPCODES_E_DEPRECATED 0x2u
#define SMTPCODES_E_VENDOR     0x4u  /* vendor-specific enhanced code */

/* One row of the knowledge base (generated from csrc/data/codes.toml). */
typedef struct smtpcodes_entry {
    unsigned char kind;            /* smtpcodes_kind */
    unsigned char cls;             /* basic: first digit; enhanced: 2, 4, 5, or 0 for a
                                      registered code that applies to any class ("X.1.1") */
    unsigned short subject;        /* basic: second digit; enhanced: subject */
    unsigned short detail;         /* basic: third digit; enhanced: detail (first of a range) */
    unsigned short detail_last;    /* == detail, except for vendor ranges ("5.7.606-649") */
    unsigned int flags;            /* SMTPCODES_E_* */
    const char *code;              /* "550", "X.1.1", "5.1.10", "5.7.606-649" */
    const char *vendor;            /* "Microsoft 365", "Gmail", or NULL */
    const char *text[SMTPCODES_NFIELD][SMTPCODES_NLANG];   /* never NULL */
    const char *const *refs;       /* nrefs strings, e.g. "RFC 5321 4.2.3" */
    const char *const *related;    /* nrelated code texts, e.g. "450", "5.1.1" */
    const unsigned short *basic_codes; /* enhanced: registry's associated basic codes */
    unsigned long commands;        /* basic: bit (1ul << smtpcodes_command) per command */
    unsigned char nrefs, nrelated, nbasic;
} smtpcodes_entry;

/* A looked-up code: a knowledge-base entry, or a well-formed code that is not
 * in the table (known == 0, entry == NULL, explained from its digits). */
typedef struct smtpcodes_code {
    const smtpcodes_entry *entry;  /* NULL when unknown */
    const smtpcodes_entry *alt;    /* vendor entry reusing this registered number, or NULL */
    int kind;                      /* smtpcodes_kind */
    int digits[3];                 /* 550 -> 5,5,0; 5.1.1 -> 5,1,1; X.1.1 -> 0,1,1 */
    int known;
    char text[16];                 /* canonical text, NUL-terminated: "550", "5.1.1", "X.1.1" */
} smtpcodes_code;

/* ---- versions, errors, languages -------------------------------------- */
SMTPCODES_API const char *smtpcodes_version(void);          /* SMTPCODES_VERSION */
SMTPCODES_API const char *smtpcodes_data_version(void);     /* from codes.toml */
SMTPCODES_API const char *smtpcodes_strerror(int status);   /* never NULL */
/* A short stable name for a status, for bindings and tests: "ok", "empty", "syntax",
 * "range", "lang", "no-code", "incomplete", "mixed", "command", "too-long", "arg";
 * "error" for any other value. Never NULL. */
SMTPCODES_API const char *smtpcodes_status_name(int status);
/* Parse "en" / "es" (case-insensitive; "es-ES", "en_US" accepted). */
SMTPCODES_API smtpcodes_status smtpcodes_lang_from_tag(const char *tag, size_t len, smtpcodes_lang *out);
SMTPCODES_API const char *smtpcodes_lang_tag(smtpcodes_lang lang);   /* NULL if out of range */

/* A JSON string literal (quotes included) for n bytes of s: control bytes
 * escaped, invalid UTF-8 replaced by \ufffd. snprintf semantics. */
SMTPCODES_API int smtpcodes_json_string(const char *s, size_t n, char *buf, size_t cap);

/* ---- iteration ----------------------------------------------------------- */
/* Entries are sorted: basic before enhanced, then by digits (registered "X."
 * entries before class-specific vendor entries). */
SMTPCODES_API size_t smtpcodes_count(void);
SMTPCODES_API const smtpcodes_entry *smtpcodes_at(size_t i);        /* NULL past the end */

/* ---- lookup -------------------------------------------------------------- */
/* Look up "550", "5.1.1", "X.1.1" or a vendor range as written ("5.7.606-649").
 * Surrounding white space is ignored. On success fills *out (known or not).
 * Errors: ERR_ARG, ERR_EMPTY, ERR_SYNTAX ("55", "abc", "5.01.1"), ERR_RANGE
 * ("999", "6.1.1", "1000"). */
SMTPCODES_API smtpcodes_status smtpcodes_lookup(const char *s, size_t len, smtpcodes_code *out);
SMTPCODES_API smtpcodes_status smtpcodes_lookup_basic(int code, smtpcodes_code *out);
SMTPCODES_API smtpcodes_status smtpcodes_lookup_enhanced(int cls, int subject, int detail,
                                                         smtpcodes_code *out);
/* The code of an entry (as iteration yields it). ERR_ARG if e is NULL. */
SMTPCODES_API smtpcodes_status smtpcodes_code_of(const smtpcodes_entry *e, smtpcodes_code *out);

/* Texts of a code in a language; generic texts for unknown codes. Never NULL
 * unless an argument is invalid. */
SMTPCODES_API const char *smtpcodes_text(const smtpcodes_code *c, smtpcodes_field f, smtpcodes_lang lang);
SMTPCODES_API const char *smtpcodes_class_name(const smtpcodes_code *c, smtpcodes_lang lang);
SMTPCODES_API const char *smtpcodes_category_name(const smtpcodes_code *c, smtpcodes_lang lang);
SMTPCODES_API smtpcodes_permanence smtpcodes_permanence_of(const smtpcodes_code *c);
SMTPCODES_API const char *smtpcodes_permanence_name(smtpcodes_permanence p); /* "success", ... */
SMTPCODES_API unsigned int smtpcodes_flags(const smtpcodes_code *c);   /* entry flags, 0 if unknown */

/* ---- SMTP commands --------------------------------------------------------- */
/* Commands are numbered 0..smtpcodes_command_count()-1; "CONNECTION" (the
 * greeting) and "ANY" (replies any command may get) are pseudo-commands. */
SMTPCODES_API size_t smtpcodes_command_count(void);
SMTPCODES_API const char *smtpcodes_command_name(size_t i);          /* NULL past the end */
SMTPCODES_API int smtpcodes_command_index(const char *name, size_t len);  /* <0: ERR_COMMAND */
/* The basic codes a command may get (including those any command may get),
 * ascending. Writes at most cap codes; returns how many there are, or <0. */
SMTPCODES_API int smtpcodes_replies_for(const char *command, size_t len, int *codes, size_t cap);
/* 1 if the basic code (or, for an enhanced code, one of its associated basic
 * codes) may answer the command, 0 if not, <0 on error. */
SMTPCODES_API int smtpcodes_is_valid_reply(const char *command, size_t len, const smtpcodes_code *c);

/* ---- search ---------------------------------------------------------------- */
/* Entries whose code, title or description contain every word (case- and
 * accent-insensitive), best first. lang < 0 searches both languages.
 * Writes at most cap entries; returns how many matched, or <0. */
SMTPCODES_API int smtpcodes_search(const char *words, size_t len, int lang,
                                   const smtpcodes_entry **out, size_t cap);

/* ---- parse ----------------------------------------------------------------- */
#define SMTPCODES_MAX_LINES 32

#define SMTPCODES_STRICT 0x1u      /* parse options: RFC 5321 conformance */

/* Reply flags. */
#define SMTPCODES_F_CLASS_MISMATCH 0x0001u /* "550 4.4.7": the basic code decides */
#define SMTPCODES_F_MIXED_CODES    0x0002u /* lines carry different codes */
#define SMTPCODES_F_NONSTANDARD    0x0004u /* basic code not defined by an RFC */
#define SMTPCODES_F_NOT_UTF8       0x0008u /* text is not valid UTF-8 */
#define SMTPCODES_F_BARE           0x0010u /* code with no text */
#define SMTPCODES_F_MULTILINE      0x0020u
#define SMTPCODES_F_INCOMPLETE     0x0040u /* last line is a continuation ("550-") */
#define SMTPCODES_F_TRUNCATED      0x0080u /* more than SMTPCODES_MAX_LINES lines */
#define SMTPCODES_F_EMBEDDED       0x0100u /* code found inside a log line, not at its start */
#define SMTPCODES_F_ENHANCED_ONLY  0x0200u /* an enhanced code but no basic code */
#define SMTPCODES_F_CONTROL_CHARS  0x0400u /* NUL or other control bytes in the text */
#define SMTPCODES_F_LONG_LINE      0x0800u /* a line over 512 octets (RFC 5321 4.5.3.1.5) */
#define SMTPCODES_F_UNKNOWN_CODE   0x1000u /* a code not in the knowledge base */
#define SMTPCODES_NFLAGS 13
/* Name of flag bit i (0..SMTPCODES_NFLAGS-1): "class-mismatch", ...; NULL past the end. */
SMTPCODES_API const char *smtpcodes_flag_name(size_t i);

typedef struct smtpcodes_line {
    const char *raw;  size_t raw_len;    /* the line without its CR LF */
    const char *text; size_t text_len;   /* after code, separator and enhanced code */
    int basic;                           /* 0 if the line has none */
    int has_enhanced;
    int enhanced[3];
    int continued;                       /* 1: "550-..." continuation line */
} smtpcodes_line;

typedef struct smtpcodes_reply {
    int has_basic, has_enhanced;
    smtpcodes_code reply_code;           /* valid when has_basic */
    smtpcodes_code status_code;          /* valid when has_enhanced */
    unsigned int flags;                  /* SMTPCODES_F_* */
    smtpcodes_permanence permanence;     /* the basic code decides; else the enhanced class */
    size_t nlines;                       /* lines stored in lines[] */
    size_t total_lines;                  /* lines in the input (> nlines when truncated) */
    smtpcodes_line lines[SMTPCODES_MAX_LINES];
} smtpcodes_reply;

/* Parse a reply: one line or a multi-line reply (CRLF or LF). Lenient mode
 * (options 0) also finds the code inside a log line or bounce text
 * ("... said: 550 5.1.1 ...", "#5.1.1", "(#5.1.1)"). */
SMTPCODES_API smtpcodes_status smtpcodes_parse(const char *s, size_t len, unsigned int options,
                                               smtpcodes_reply *out);
/* The reply's text: each line's text joined with "\n". */
SMTPCODES_API size_t smtpcodes_reply_text(const smtpcodes_reply *r, char *buf, size_t cap);

/* ---- explain ---------------------------------------------------------------- */
SMTPCODES_API int smtpcodes_explain_code(const smtpcodes_code *c, smtpcodes_lang lang,
                                         smtpcodes_format fmt, char *buf, size_t cap);
SMTPCODES_API int smtpcodes_explain_reply(const smtpcodes_reply *r, smtpcodes_lang lang,
                                          smtpcodes_format fmt, char *buf, size_t cap);

/* ---- compare ---------------------------------------------------------------- */
typedef enum smtpcodes_aspect {
    SMTPCODES_ASPECT_KIND = 0,
    SMTPCODES_ASPECT_CLASS,
    SMTPCODES_ASPECT_CATEGORY,
    SMTPCODES_ASPECT_PERMANENCE,
    SMTPCODES_ASPECT_RETRY,
    SMTPCODES_ASPECT_COMMANDS,
    SMTPCODES_ASPECT_STANDARD,
    SMTPCODES_NASPECT
} smtpcodes_aspect;

typedef struct smtpcodes_comparison {
    smtpcodes_code a, b;
    int same[SMTPCODES_NASPECT];         /* 1 when a and b agree on the aspect */
    int counterparts;                    /* transient/permanent pair: 450/550, 4.2.2/5.2.2 */
    int related;                         /* one lists the other as related */
    int identical;                       /* the same code */
} smtpcodes_comparison;

typedef enum smtpcodes_section {
    SMTPCODES_SECTION_ALL = 0,           /* the whole reference page */
    SMTPCODES_SECTION_SUMMARY,
    SMTPCODES_SECTION_KEY_DIFFERENCES,
    SMTPCODES_SECTION_WHEN_TO_USE
} smtpcodes_section;

SMTPCODES_API smtpcodes_status smtpcodes_compare(const smtpcodes_code *a, const smtpcodes_code *b,
                                                 smtpcodes_comparison *out);
SMTPCODES_API const char *smtpcodes_aspect_name(smtpcodes_aspect x, smtpcodes_lang lang);
/* The value of an aspect for code a (which = 0) or b (which = 1), as text. */
SMTPCODES_API int smtpcodes_aspect_value(const smtpcodes_comparison *cmp, smtpcodes_aspect x, int which,
                                         smtpcodes_lang lang, char *buf, size_t cap);
SMTPCODES_API int smtpcodes_render_comparison(const smtpcodes_comparison *cmp, smtpcodes_section section,
                                              smtpcodes_lang lang, smtpcodes_format fmt,
                                              char *buf, size_t cap);

/* ---- classify ----------------------------------------------------------------- */
/* What decided a classification's reason. */
typedef enum smtpcodes_evidence {
    SMTPCODES_EV_NONE = 0,
    SMTPCODES_EV_PHRASE = 1,       /* a phrase of the rules (rules.toml) */
    SMTPCODES_EV_STATUS = 2,       /* the enhanced status code */
    SMTPCODES_EV_REPLY = 3,        /* the basic reply code */
    SMTPCODES_EV_SUBJECT = 4,      /* the enhanced code's subject (X.6 content, X.7 security) */
    SMTPCODES_EV_SUCCESS = 5,      /* a positive reply */
    SMTPCODES_EV_DEFAULT = 6       /* nothing decided: onhold (text) or undefined */
} smtpcodes_evidence;

typedef struct smtpcodes_classification {
    int reason;                    /* reason index: smtpcodes_reason_name(reason) */
    smtpcodes_permanence permanence; /* the basic code decides; else the enhanced class */
    int hard_bounce;               /* Sisimai's definition: userunknown, hostunknown, hasmoved,
                                      notaccept with a permanent code */
    int retry;                     /* 1: retrying later may succeed */
    int has_basic, has_enhanced;
    smtpcodes_code code;           /* valid when has_basic */
    smtpcodes_code enhanced;       /* valid when has_enhanced */
    const char *vendor;            /* whose wording was recognised, or NULL */
    smtpcodes_evidence evidence;   /* what decided the reason */
    const char *phrase;            /* the deciding (or best) phrase, static; NULL if none */
    size_t phrase_end;             /* offset just past that phrase in the input */
    const char *rule_vendor;       /* vendor of the deciding rule, or NULL */
    int code_reason;               /* reason the codes alone imply, or -1 */
    int overridden;                /* 1: the text outranked what the code implies */
    unsigned int flags;            /* SMTPCODES_F_* from the lenient parse */
} smtpcodes_classification;

/* Classify a reply, a multi-line reply or a log line (lenient parse, then the
 * phrase automaton over the whole input). ERR_ARG, ERR_EMPTY; any other input
 * gets a classification (reason "undefined" when nothing is known). */
SMTPCODES_API smtpcodes_status smtpcodes_classify(const char *s, size_t len, smtpcodes_classification *out);
/* Classify n texts (texts[i], lens[i] bytes) into out[i], with status[i] the
 * result smtpcodes_classify gives for it (out[i] is valid when it is
 * SMTPCODES_OK): a batch, in order, none dropped. Returns how many were
 * classified; 0 when an array is NULL. */
SMTPCODES_API size_t smtpcodes_classify_many(const char *const *texts, const size_t *lens, size_t n,
                                             smtpcodes_classification *out, int *status);

typedef enum smtpcodes_reason_field {
    SMTPCODES_REASON_TITLE = 0,
    SMTPCODES_REASON_DESCRIPTION = 1,
    SMTPCODES_REASON_ACTION = 2    /* what to do, by role */
} smtpcodes_reason_field;

SMTPCODES_API size_t smtpcodes_reason_count(void);
SMTPCODES_API const char *smtpcodes_reason_name(int reason);           /* NULL if out of range */
SMTPCODES_API int smtpcodes_reason_index(const char *name, size_t len); /* <0 if unknown */
SMTPCODES_API const char *smtpcodes_reason_text(int reason, smtpcodes_reason_field f, smtpcodes_lang lang);
SMTPCODES_API int smtpcodes_reason_is_hard(int reason);               /* 1 for the hard-bounce set */
SMTPCODES_API const char *smtpcodes_evidence_name(smtpcodes_evidence e); /* "phrase", "status", ... */
/* The evidence and the retry advice, in words. */
SMTPCODES_API int smtpcodes_render_evidence(const smtpcodes_classification *c, smtpcodes_lang lang,
                                            char *buf, size_t cap);
SMTPCODES_API int smtpcodes_render_retry(const smtpcodes_classification *c, smtpcodes_lang lang,
                                         char *buf, size_t cap);
/* The whole classification as a card: reason, permanence, hard bounce, retry,
 * codes, provider, evidence and what to do, in text, Markdown or HTML. */
SMTPCODES_API int smtpcodes_render_classification(const smtpcodes_classification *c, smtpcodes_lang lang,
                                                  smtpcodes_format fmt, char *buf, size_t cap);

/* ---- one entry point for every rendering ---------------------------------------- */
/* The bindings render through this one call: a tagged request naming what to
 * render (and its object), the language and the format. snprintf semantics. */
typedef enum smtpcodes_render_what {
    SMTPCODES_RENDER_CODE = 0,           /* obj: smtpcodes_code, smtpcodes_explain_code */
    SMTPCODES_RENDER_REPLY,              /* obj: smtpcodes_reply, smtpcodes_explain_reply */
    SMTPCODES_RENDER_REPLY_TEXT,         /* obj: smtpcodes_reply, smtpcodes_reply_text */
    SMTPCODES_RENDER_COMPARISON,         /* obj: smtpcodes_comparison, section */
    SMTPCODES_RENDER_ASPECT,             /* obj: smtpcodes_comparison, aspect and which */
    SMTPCODES_RENDER_CLASSIFICATION,     /* obj: smtpcodes_classification, the whole card */
    SMTPCODES_RENDER_EVIDENCE,           /* obj: smtpcodes_classification */
    SMTPCODES_RENDER_RETRY               /* obj: smtpcodes_classification */
} smtpcodes_render_what;

typedef struct smtpcodes_render_req {
    smtpcodes_render_what what;
    const void *obj;
    smtpcodes_section section;
    smtpcodes_aspect aspect;
    int which;
    smtpcodes_lang lang;
    smtpcodes_format fmt;
} smtpcodes_render_req;

SMTPCODES_API int smtpcodes_render(const smtpcodes_render_req *q, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SMTPCODES_H */
