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
    SMTPCODES_ERR_TOO_LONG = -10,  /* rendered output would exceed INT_MAX bytes */
    /* strict parse (RFC 5321 4.2 and 4.5.3.1.5), one status per violation */
    SMTPCODES_ERR_BARE_LF = -11,   /* a line ends in LF without CR */
    SMTPCODES_ERR_BARE_CR = -12,   /* a CR not followed by LF */
    SMTPCODES_ERR_NUL = -13,       /* a NUL byte in the text */
    SMTPCODES_ERR_CONTROL = -14,   /* a control byte other than HT, or a byte over 126, in the text */
    SMTPCODES_ERR_LINE_LENGTH = -15, /* a line over 512 octets with its CRLF */
    SMTPCODES_ERR_SEPARATOR = -16, /* the code is followed by neither SP, "-" nor the line end */
    SMTPCODES_ERR_TRAILING = -17,  /* a line after the final line (the one without "-") */
    SMTPCODES_ERR_NO_LINE_CODE = -18, /* a line (not the first) without a reply code */
    SMTPCODES_ERR_QUERY = -19      /* search: more than SMTPCODES_SEARCH_MAX_WORDS words, or a
                                      word over SMTPCODES_SEARCH_MAX_WORD bytes */
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
 * "range", "lang", "no-code", "incomplete", "mixed", "command", "too-long", "arg",
 * "bare-lf", "bare-cr", "nul", "control", "line-length", "separator", "trailing",
 * "no-line-code", "query";
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
 * greeting) and "ANY" (replies any command may get: 500, 501, 421) are
 * pseudo-commands. The greeting gets its own codes only (220, 421, 521, 554);
 * replies that RFC 3207 and RFC 4954 give to "every command other than ..."
 * (530, 554) belong to the commands they apply to, not to ANY. */
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
#define SMTPCODES_SEARCH_MAX_WORDS 32   /* words in a query (split at white space and commas) */
#define SMTPCODES_SEARCH_MAX_WORD 64    /* bytes in one word */
/* Entries that every word matches: the word is the entry's code (as
 * smtpcodes_lookup reads it: "5.1.1" is X.1.1, "5.7.620" the range
 * 5.7.606-649) or occurs in its title, description, when or fix text (case-
 * and accent-insensitive: ASCII and the Latin-1 letters of UTF-8). A word or
 * run of words that is a synonym of csrc/data/search.toml ("blacklist", "lista
 * negra") matches any term of its group; a word naming a provider tag ("TSS04")
 * names that tag's codes. lang < 0
 * searches both languages. Best first: entries a word names exactly, then by
 * the number of words in the title, then in the description, then elsewhere;
 * ties in table order. Writes at most cap entries (cap = smtpcodes_count()
 * always suffices); returns how many matched, or <0: ERR_EMPTY (no word),
 * ERR_QUERY (too many or too long words; nothing is dropped), ERR_LANG, ERR_ARG. */
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
    /* lenient parse of a wrapped reply ("host X said: ... (in reply to RCPT TO command)",
     * Exim's "SMTP error from remote mail server after RCPT TO:<x>: ...", Sendmail's
     * "stat=..."): the SMTP stage the wrapper names ("RCPT TO", "MAIL FROM", "end of DATA",
     * "DATA", "CONNECT", "EHLO", "HELO", "AUTH", "STARTTLS", ...) and whose format carried
     * the reply ("Postfix", "Exim", "Sendmail"); static strings, NULL for a bare reply.
     * The lines then hold the server's text only. */
    const char *stage;
    const char *mta;
    smtpcodes_line lines[SMTPCODES_MAX_LINES];
} smtpcodes_reply;

/* Parse a reply: one line or a multi-line reply. Strict mode (SMTPCODES_STRICT)
 * is RFC 5321 4.2 and 4.5.3.1.5: CRLF line ends (the final CRLF may be left
 * off), text of HT and printable ASCII, lines of at most 512 octets with their
 * CRLF, the same code on every line, "-" on every line but the last; each
 * violation has its own status (ERR_BARE_LF, ERR_BARE_CR, ERR_NUL, ERR_CONTROL,
 * ERR_LINE_LENGTH, ERR_SEPARATOR, ERR_TRAILING, ERR_NO_LINE_CODE, ERR_MIXED,
 * ERR_INCOMPLETE, ERR_RANGE, ERR_SYNTAX). Lenient mode (options 0) accepts
 * CRLF, LF-only, CR-only and mixed line ends and also finds the codes inside a
 * log line or bounce text: "... said: 550 5.1.1 ...", "550 cuda_nsu 5.1.1 ...",
 * "#5.1.1", "550 #5.1.1", a trailing "(#5.1.1)" or "[5.1.1]"; a multi-line
 * reply that a log joined into one line ("550-5.7.1 a 550-5.7.1 b 550 5.7.1 c")
 * comes back as its lines. */
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
    SMTPCODES_ASPECT_MEANING,            /* the title: what each code means */
    SMTPCODES_NASPECT
} smtpcodes_aspect;

typedef struct smtpcodes_comparison {
    smtpcodes_code a, b;
    int same[SMTPCODES_NASPECT];         /* 1 when a and b agree on the aspect */
    int counterparts;                    /* transient/permanent pair: 450/550, 4.2.2/5.2.2 */
    int related;                         /* one lists the other as related */
    int identical;                       /* the same code: every same[] is 1, nothing differs */
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
    SMTPCODES_EV_DEFAULT = 6,      /* nothing decided: undefined */
    SMTPCODES_EV_WORDS = 7,        /* a word of the text (SPF, quota, HELO...; rules.toml) */
    SMTPCODES_EV_TAG = 8,          /* a provider tag the reply carries ("[TSS04]") */
    SMTPCODES_EV_MESSAGE = 9       /* parse_bounce: the bounce message itself (a feedback report, an
                                      auto-reply, a list server's notice, a local mailer's
                                      diagnostic, the DSN action, a refusal after DATA) */
} smtpcodes_evidence;
#define SMTPCODES_EV_COUNT 10      /* evidence kinds: smtpcodes_evidence_name(0 .. COUNT - 1) */

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
    /* Who said it. provider: the answering side ("Gmail", "Microsoft 365", ...), from its
     * wording, a host name in the reply or a provider tag; vendor is the same pointer
     * (kept as an alias). mta: whose format carried the reply ("Postfix", "Exim",
     * "Sendmail"), NULL for a bare reply. stage: the SMTP stage the text names
     * ("RCPT TO", "end of DATA", ...; see smtpcodes_reply.stage). tag: the id of a
     * provider tag the reply carries ("TSS04"), or NULL. All static, or NULL. */
    const char *provider;
    const char *mta;
    const char *stage;
    const char *tag;
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

/* ---- provider tags (tags.c) ------------------------------------------------------ */
/* A provider's own code inside a reply (Yahoo "TSS04", Comcast "RL000001",
 * NetEase "DT:SPM", a DNS block list's return code "zen.spamhaus.org
 * 127.0.0.2"), generated from the files of csrc/data/providers. Static data. */
typedef struct smtpcodes_provider {
    const char *name;              /* "Yahoo", "Spamhaus" */
    const char *id;                /* "yahoo", "spamhaus" */
    const char *kind;              /* "mailbox", "dnsbl", or NULL */
    const char *const *hosts;      /* nhosts host names ("yahoodns.net"): a reply naming one,
                                      or a subdomain of one, names the provider */
    const char *const *wordings;   /* nwordings phrases only this provider's replies carry */
    const char *const *refs;       /* nrefs sources (URLs) */
    unsigned char nhosts, nwordings, nrefs;
} smtpcodes_provider;

typedef struct smtpcodes_tag {
    const char *tag;               /* "TSS04" (without brackets), "DT:SPM" */
    const char *provider;          /* the provider's name: "Yahoo" */
    const smtpcodes_provider *prov;
    unsigned int provider_index;   /* smtpcodes_provider_at(provider_index) == prov */
    int reason;                    /* the bounce reason it implies: smtpcodes_reason_name(reason) */
    const char *text[SMTPCODES_NFIELD][SMTPCODES_NLANG];   /* never NULL */
    const char *const *codes;      /* ncodes codes it comes with: "421", "4.7.0" (may be none) */
    const char *const *refs;       /* nrefs sources (URLs) */
    const char *const *match;      /* nmatch strings whose presence in a reply means this tag */
    const char *zone;              /* DNSBL: "zen.spamhaus.org"; else NULL */
    const char *return_code;       /* DNSBL: "127.0.0.2"; else NULL */
    unsigned char ncodes, nrefs, nmatch;
} smtpcodes_tag;

/* Tags in table order (providers by file name, then each provider's order). */
SMTPCODES_API size_t smtpcodes_tag_count(void);
SMTPCODES_API const smtpcodes_tag *smtpcodes_tag_at(size_t i);            /* NULL past the end */
SMTPCODES_API size_t smtpcodes_provider_count(void);
SMTPCODES_API const smtpcodes_provider *smtpcodes_provider_at(size_t i);  /* NULL past the end */
SMTPCODES_API const char *smtpcodes_provider_name(size_t i);              /* NULL past the end */
/* The index of a provider named by its name or id (case-insensitive), or <0. */
SMTPCODES_API int smtpcodes_provider_index(const char *name, size_t len);
/* Look up a tag by name, case-insensitive, with or without brackets ("TSS04",
 * "[tss04]"), surrounding white space ignored; provider (NULL for any: the
 * first in table order) names the provider by name or id. Returns 1 and sets
 * *out, 0 when there is no such tag (*out = NULL), or ERR_ARG / ERR_EMPTY. */
SMTPCODES_API int smtpcodes_lookup_tag(const char *tag, size_t len, const char *provider, size_t plen,
                                       const smtpcodes_tag **out);
/* The most specific tag whose match string occurs in a reply or log line
 * (ASCII case-insensitive): the longest match wins, ties by table order.
 * Returns 1 and sets *out and *match_end (the offset just past that match;
 * match_end may be NULL), 0 when no tag matches (*out = NULL), or ERR_ARG.
 * One pass over the text (an automaton). */
SMTPCODES_API int smtpcodes_find_tag(const char *text, size_t len, const smtpcodes_tag **out, size_t *match_end);
/* The provider a reply names: by a tag's match string (as smtpcodes_find_tag),
 * else by a wording (the longest), else by a host name that is, or ends in
 * ".", one of its hosts (the longest, then the first); NULL when none. */
SMTPCODES_API const smtpcodes_provider *smtpcodes_find_provider(const char *text, size_t len);
/* A tag's card: heading "TSS04 — title (Yahoo)", provider, reason, codes,
 * references, then Description / When you'll see it / How to fix it. */
SMTPCODES_API int smtpcodes_render_tag(const smtpcodes_tag *t, smtpcodes_lang lang, smtpcodes_format fmt,
                                       char *buf, size_t cap);

/* ---- bounce messages (mime.c, bounce.c) ------------------------------------------ */
/* Read a whole message: an RFC 3464 delivery status notification (inside RFC
 * 6522 multipart/report, or mislabelled, or not multipart), an ARF feedback
 * report (RFC 5965), an auto-reply (RFC 3834, vacation notices), the MTAs'
 * own bounce texts (qmail, Exim, Sendmail, Exchange, Microsoft 365, Gmail,
 * Yahoo, Amazon SES, ...) or any other message (kind "other").
 *
 * Memory: nothing allocates. Every text view points into msg or into the
 * caller's scratch (decoded base64 / quoted-printable parts, unfolded fields,
 * diagnostics joined from several lines, the recipients array); both must
 * outlive the result. SMTPCODES_BOUNCE_SCRATCH(len) bytes (twice the message,
 * 16 KiB, and room for 64 recipients) is enough for ordinary reports; each
 * further recipient needs sizeof(smtpcodes_bounce_recipient) and its
 * diagnostic (at most SMTPCODES_MAX_DIAGNOSTIC). With less, the reading goes
 * on with what fits and sets SMTPCODES_BT_SCRATCH; total_recipients still
 * counts every recipient, so a caller can retry with room for them (the
 * Python, Lua and CLI front ends retry once with
 * SMTPCODES_BOUNCE_SCRATCH(len) + len + (total_recipients + 1) *
 * sizeof(smtpcodes_bounce_recipient), at most SMTPCODES_MAX_RECIPIENTS of them).
 * Limits: at most SMTPCODES_MAX_RECIPIENTS recipients are kept (total_recipients
 * counts them all), MIME nesting is read to depth SMTPCODES_MIME_MAX_DEPTH and
 * SMTPCODES_MIME_MAX_PARTS entities; a limit that cut the reading sets a
 * SMTPCODES_BT_* bit in truncated. Time is linear in len. */
#define SMTPCODES_MAX_RECIPIENTS 1024
#define SMTPCODES_MIME_MAX_DEPTH 16
#define SMTPCODES_MIME_MAX_PARTS 4096

#define SMTPCODES_BT_RECIPIENTS 0x01u  /* more recipients than SMTPCODES_MAX_RECIPIENTS */
#define SMTPCODES_BT_SCRATCH    0x02u  /* the scratch space ran out */
#define SMTPCODES_BT_DEPTH      0x04u  /* multipart nested deeper than the limit */
#define SMTPCODES_BT_PARTS      0x08u  /* more MIME entities than the limit */
#define SMTPCODES_BT_BOUNDARY   0x10u  /* a missing boundary or closing boundary (read to the end) */
#define SMTPCODES_BT_BASE64     0x20u  /* invalid base64 bytes were skipped */
#define SMTPCODES_BT_DIAGNOSTIC 0x40u  /* a diagnostic longer than SMTPCODES_MAX_DIAGNOSTIC was cut */
#define SMTPCODES_MAX_DIAGNOSTIC 4096

typedef enum smtpcodes_bounce_kind {
    SMTPCODES_BOUNCE_OTHER = 0,      /* not a report */
    SMTPCODES_BOUNCE_FAILED = 1,     /* "bounce": a delivery failed */
    SMTPCODES_BOUNCE_DELAY = 2,      /* a delay notice, nothing failed yet */
    SMTPCODES_BOUNCE_FEEDBACK = 3,   /* an ARF feedback report */
    SMTPCODES_BOUNCE_AUTOREPLY = 4,  /* an auto-reply or vacation notice */
    SMTPCODES_BOUNCE_DELIVERED = 5   /* a success DSN */
} smtpcodes_bounce_kind;

/* A text view; ptr is NULL (len 0) when absent. */
typedef struct smtpcodes_span { const char *ptr; size_t len; } smtpcodes_span;

typedef struct smtpcodes_bounce_recipient {
    smtpcodes_span recipient;        /* the address, without "rfc822;" and angle brackets */
    smtpcodes_span original_recipient;
    const char *action;              /* "failed", "delayed", "delivered", "relayed", "expanded"; static */
    smtpcodes_span status;           /* the enhanced code ("5.1.1"); may be inferred from the reply */
    smtpcodes_span diagnostic;       /* the diagnostic text, unfolded, without "smtp;" */
    smtpcodes_span diagnostic_type;  /* "smtp", "x-postfix", ... when the DSN names it */
    smtpcodes_span remote_mta;       /* without "dns;" */
    const char *stage;               /* "RCPT TO", "MAIL FROM", "DATA", "end of DATA", "CONNECT",
                                        "HELO", "EHLO", "QUIT" when the text says so; static */
    smtpcodes_span last_attempt, will_retry_until;
    int has_reply;                   /* reply valid: the diagnostic parsed as a reply */
    smtpcodes_reply reply;
    smtpcodes_classification classification;  /* smtpcodes_classify of the diagnostic */
} smtpcodes_bounce_recipient;

typedef struct smtpcodes_bounce {
    smtpcodes_bounce_kind kind;
    const char *format;              /* "rfc3464", "arf", "autoreply", "qmail", "exim", ... or NULL; static */
    smtpcodes_span reporting_mta, arrival_date;
    smtpcodes_span subject;          /* the report's own Subject, RFC 2047 decoded (bytes) */
    smtpcodes_span subject_charset;  /* the charset of its encoded words, when any */
    struct {
        smtpcodes_span message_id, from, to, subject, date;
    } original;                      /* the returned message, when the report carries it */
    smtpcodes_span feedback_type, source_ip;   /* ARF */
    smtpcodes_bounce_recipient *recipients;    /* nrecipients, in the report's order, in scratch */
    size_t nrecipients;
    size_t total_recipients;         /* all found, > nrecipients when cut */
    unsigned int truncated;          /* SMTPCODES_BT_* */
} smtpcodes_bounce;

#define SMTPCODES_BOUNCE_SCRATCH(len) (2 * (size_t)(len) + 16384 + 64 * sizeof(smtpcodes_bounce_recipient))

/* ERR_ARG when msg, out or scratch is NULL; any message otherwise gets a
 * result (kind "other" when it is not a report). */
SMTPCODES_API smtpcodes_status smtpcodes_parse_bounce(const char *msg, size_t len, void *scratch,
                                                      size_t scratch_cap, smtpcodes_bounce *out);
/* Mailbox files (mime.c): 1 when m starts with a "From " line (an mbox). smtpcodes_mbox_next
 * gives the messages of a buffer one by one: set *pos to 0 first; each call stores the next
 * message in *msg (a view into m: after its "From " line, up to the next line "From " that
 * follows an empty line or carries a date, "From sender Thu Jul  2 12:05:05 2020", or the end) and moves *pos past it, returning 1; at the end it
 * returns 0. A buffer that is not an mbox is one message. ERR_ARG for NULL pos or msg, or
 * a NULL m with len > 0. Lines starting ">From " are left as written. */
SMTPCODES_API int smtpcodes_is_mbox(const char *m, size_t len);
SMTPCODES_API int smtpcodes_mbox_next(const char *m, size_t len, size_t *pos, smtpcodes_span *msg);
/* "bounce", "delay", "feedback", "autoreply", "delivered", "other" */
SMTPCODES_API const char *smtpcodes_bounce_kind_name(smtpcodes_bounce_kind k);
/* The report as a card: kind, format, reporting MTA, the original message and
 * each recipient (a table of recipients in HTML). snprintf semantics. */
SMTPCODES_API int smtpcodes_render_bounce(const smtpcodes_bounce *b, smtpcodes_lang lang, smtpcodes_format fmt,
                                          char *buf, size_t cap);

/* ---- log records (log.c) --------------------------------------------------------- */
/* One MTA log line that reports a delivery attempt: Postfix (smtp, lmtp, local,
 * virtual, pipe, error, bounce, qmgr), the Exim main log (<= => -> ** == *>),
 * Sendmail (to=... stat=...) and Exchange message-tracking CSV rows, with or
 * without a syslog prefix (RFC 3164 "Dec  2 00:27:01 host prog[pid]:", RFC 5424
 * "<34>1 2026-12-02T00:27:01Z host prog pid - -", ISO "2026-12-02T00:27:01+0000
 * host prog[pid]:"). Every text field is a view into the caller's line (pointer
 * and length; NULL and 0 when absent), valid as long as the line is; nothing
 * allocates. A line that is not a delivery record is kind OTHER (never an
 * error): its classification is reason "none" with no retry. */
typedef enum smtpcodes_log_kind { SMTPCODES_LOG_OTHER = 0, SMTPCODES_LOG_DELIVERY = 1 } smtpcodes_log_kind;

typedef enum smtpcodes_log_mta {
    SMTPCODES_MTA_UNKNOWN = 0,
    SMTPCODES_MTA_POSTFIX = 1,
    SMTPCODES_MTA_EXIM = 2,
    SMTPCODES_MTA_SENDMAIL = 3,
    SMTPCODES_MTA_EXCHANGE = 4
} smtpcodes_log_mta;

/* What the record says happened: Postfix status=, Exim => -> (sent) == (deferred)
 * ** (bounced), Sendmail stat=, Exchange event-id. EXPIRED only when the queue
 * gave up (Postfix status=expired, qmgr "expired, returned to sender", Exim
 * "retry timeout exceeded"). */
typedef enum smtpcodes_log_status {
    SMTPCODES_LOG_STATUS_OTHER = 0,
    SMTPCODES_LOG_SENT = 1,
    SMTPCODES_LOG_DEFERRED = 2,
    SMTPCODES_LOG_BOUNCED = 3,
    SMTPCODES_LOG_EXPIRED = 4
} smtpcodes_log_status;

typedef struct smtpcodes_log_record {
    smtpcodes_log_kind kind;
    smtpcodes_log_mta mta;
    smtpcodes_log_status status;
    const char *timestamp; size_t timestamp_len;   /* syslog, Exim or CSV time, as written */
    const char *host; size_t host_len;             /* syslog host name */
    const char *program; size_t program_len;       /* "postfix/smtp", "exim4", "sm-mta" */
    const char *queue_id; size_t queue_id_len;
    const char *recipient; size_t recipient_len;   /* without angle brackets */
    const char *original_recipient; size_t original_recipient_len;
    const char *sender; size_t sender_len;
    const char *relay; size_t relay_len;           /* next hop: "mx.example.com", "none", "local" */
    const char *relay_ip; size_t relay_ip_len;     /* "192.0.2.10", "2001:db8::1" */
    int relay_port;                                /* 0 when absent */
    int has_delay;
    double delay;                                  /* seconds, valid when has_delay */
    const char *dsn; size_t dsn_len;               /* the enhanced code the MTA logged: "5.1.1" */
    /* the MTA's own text about the outcome: Postfix's parenthesised text, Exim's
     * error text, Sendmail's stat=, Exchange's recipient-status */
    const char *diagnostic; size_t diagnostic_len;
    const char *stage;                             /* static: "RCPT TO", "end of DATA", "CONNECT"...; or NULL */
    int has_reply;                                 /* the remote server's reply, log wrapper removed */
    const char *reply_text; size_t reply_len;      /* "550 5.1.1 ..." as a view */
    smtpcodes_reply reply;                         /* valid when has_reply */
    smtpcodes_classification classification;      /* deferred: retry 1; sent: delivered; other: none */
} smtpcodes_log_record;

/* Read one log line (a trailing CR/LF is ignored). Fills *out and returns
 * SMTPCODES_OK for any line, a delivery record or not; ERR_ARG only for a NULL
 * out (or a NULL line with len > 0). Linear in len. */
SMTPCODES_API smtpcodes_status smtpcodes_parse_log(const char *line, size_t len, smtpcodes_log_record *out);
/* Stable names: "delivery"/"other"; "postfix", "exim", "sendmail", "exchange"
 * (NULL for unknown); "sent", "deferred", "bounced", "expired", "other". */
SMTPCODES_API const char *smtpcodes_log_kind_name(smtpcodes_log_kind k);
SMTPCODES_API const char *smtpcodes_log_mta_name(smtpcodes_log_mta m);
SMTPCODES_API const char *smtpcodes_log_status_name(smtpcodes_log_status s);
/* A record as a card: kind and status, MTA, queue id, addresses, relay, delay,
 * DSN, stage, the reply, the classification and what to do. */
SMTPCODES_API int smtpcodes_render_log(const smtpcodes_log_record *rec, smtpcodes_lang lang, smtpcodes_format fmt,
                                       char *buf, size_t cap);

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
    SMTPCODES_RENDER_RETRY,              /* obj: smtpcodes_classification */
    SMTPCODES_RENDER_TAG,                /* obj: smtpcodes_tag, smtpcodes_render_tag */
    SMTPCODES_RENDER_BOUNCE,             /* obj: smtpcodes_bounce, smtpcodes_render_bounce */
    SMTPCODES_RENDER_LOG                 /* obj: smtpcodes_log_record, smtpcodes_render_log */
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
