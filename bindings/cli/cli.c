/* cli.c - the smtpcodes command line, over the C core.
 *
 * smtpcodes_cli() is the whole program; bindings/cli/main.c calls it for the
 * `smtpcodes` binary and the Python extension calls it for `python -m smtpcodes`,
 * so both print exactly the same thing. Exit codes: 0 ok, 1 not found, 2 usage,
 * malformed input or a read/write error, 141 (128 + SIGPIPE) when stdout is a
 * broken pipe and SIGPIPE is ignored (with its default action the process dies
 * by SIGPIPE first, which a shell also reports as 141).
 *
 * Nothing is lost silently:
 * - stdout is written through one buffer of whole records (a classify line, a
 *   lookup card, a JSON line) with write(2), every write checked; at the first
 *   error the command stops, and a record cut short in a regular file (a
 *   file-size limit, a full disk) is truncated away, so the output ends with a
 *   whole record;
 * - input is read with read(2), every error reported with the file's name;
 * - operands, words and rendered texts have no fixed limit: buffers grow, and
 *   every render call's returned length is checked against its buffer. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpcodes.h"

enum { EXIT_OK = 0, EXIT_NOT_FOUND = 1, EXIT_USAGE = 2, EXIT_BROKEN_PIPE = 141 };

/* ---- checked output: whole records through write(2) ------------------------------- */

#define OUT_FLUSH_AT 65536

typedef struct out {
    int fd;
    char *buf;
    size_t len, cap;
    size_t *ends;            /* offsets in buf where a whole record ends, ascending */
    size_t nends, capends;
    int each;                /* a terminal: write every record at once */
    int err;                 /* errno of the failed write; 0 while all is well */
    int fatal;               /* out of memory or a render error (already reported) */
    int hold;                /* a batch of -j N: keep every record, the writer writes them */
} out;

static int out_failed(const out *o) { return o->err || o->fatal; }

static void out_oom(out *o) {
    if (!o->fatal) fputs("smtpcodes: out of memory\n", stderr);
    o->fatal = 1;
}

static int out_grow(out *o, size_t n) {
    size_t want = o->cap ? o->cap : 4096;
    while (want - o->len <= n) {
        if (want > SIZE_MAX / 2) { out_oom(o); return -1; }
        want *= 2;
    }
    char *p = realloc(o->buf, want);
    if (!p) { out_oom(o); return -1; }
    o->buf = p;
    o->cap = want;
    return 0;
}

/* Room for n more bytes and a NUL: 0, or -1 once output has failed. Inline: the output
 * of classify and log is many short strings per line. */
static inline int out_reserve(out *o, size_t n) {
    if (out_failed(o)) return -1;
    if (o->cap - o->len > n) return 0;
    return out_grow(o, n);
}

static inline void out_putn(out *o, const char *s, size_t n) {
    if (out_reserve(o, n)) return;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void out_puts(out *o, const char *s) { out_putn(o, s, strlen(s)); }

static inline void out_putc(out *o, char c) {
    if (out_reserve(o, 1)) return;
    o->buf[o->len++] = c;
}

/* Numbers in decimal, as printf's %zu and %d write them, without printf's cost per call. */
static void out_put_size(out *o, size_t v) {
    if (v < 10) { out_putc(o, (char)('0' + v)); return; }
    char d[24];
    size_t i = sizeof d;
    do { d[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    out_putn(o, d + i, sizeof d - i);
}

static void out_put_int(out *o, int v) {
    if (v < 0) {
        out_putc(o, '-');
        out_put_size(o, (size_t)0 - (size_t)(long long)v);   /* INT_MIN too */
        return;
    }
    out_put_size(o, (size_t)v);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void out_printf(out *o, const char *fmt, ...) {
    if (out_reserve(o, 256)) return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    /* clang-analyzer 14 calls ap uninitialised when several files are analysed in one run */
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);   // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    if (n < 0) { va_end(ap2); fputs("smtpcodes: cannot format output\n", stderr); o->fatal = 1; return; }
    if ((size_t)n >= o->cap - o->len) {
        if (out_reserve(o, (size_t)n)) { va_end(ap2); return; }
        int m = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap2);
        if (m != n) { va_end(ap2); fputs("smtpcodes: cannot format output\n", stderr); o->fatal = 1; return; }
    }
    va_end(ap2);
    o->len += (size_t)n;
}

/* Bytes [0, done) of a batch reached the file, then a write failed: in a regular
 * file, cut back to the end of the last whole record. */
static void out_drop_partial(out *o, size_t done) {
    size_t keep = 0;
    for (size_t i = 0; i < o->nends && o->ends[i] <= done; i++) keep = o->ends[i];
    if (keep == done) return;
    struct stat sb;
    if (fstat(o->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return;
    off_t pos = lseek(o->fd, 0, SEEK_CUR);
    if (pos < 0 || (uintmax_t)pos < (uintmax_t)(done - keep)) return;
    off_t cut = pos - (off_t)(done - keep);
    if (ftruncate(o->fd, cut) == 0) (void)lseek(o->fd, cut, SEEK_SET);
}

/* Write every whole record; 0, or -1 once a write has failed. (After a fatal
 * error the records completed before it are still written.) */
static int out_flush(out *o) {
    if (o->err) return -1;
    size_t n = o->nends ? o->ends[o->nends - 1] : 0, done = 0;
    while (done < n) {
        ssize_t k = write(o->fd, o->buf + done, n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            o->err = k < 0 ? errno : EIO;
            out_drop_partial(o, done);
            return -1;
        }
        done += (size_t)k;   /* a short write: the next write reports why (EFBIG, ENOSPC) */
    }
    if (n) {
        memmove(o->buf, o->buf + n, o->len - n);
        o->len -= n;
    }
    o->nends = 0;
    return 0;
}

/* End a record: it is written whole or not at all. 0, or -1 once output has failed. */
static int out_record(out *o) {
    if (out_failed(o)) return -1;
    if (o->nends == o->capends) {
        size_t c = o->capends ? o->capends * 2 : 256;
        size_t *p = realloc(o->ends, c * sizeof *p);
        if (!p) { out_oom(o); return -1; }
        o->ends = p;
        o->capends = c;
    }
    o->ends[o->nends++] = o->len;
    if (!o->hold && (o->each || o->len >= OUT_FLUSH_AT)) return out_flush(o);
    return 0;
}

/* ---- options ---------------------------------------------------------------------- */

typedef struct opts {
    smtpcodes_lang lang;
    int json, color, stats;
    smtpcodes_format format;
    const char *kind;
    int class_digit;
    out *out;
    int jobs;                /* -j N: classify and log on N threads */
} opts;

static const char usage_text[] =
    "usage: smtpcodes [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Explain SMTP reply codes and enhanced status codes, compare them, classify bounces.\n"
    "\n"
    "commands:\n"
    "  lookup CODE|TAG...      describe codes (550, 5.1.1, X.7.1) or providers' tags\n"
    "                          (TSS04, [RL000002], DT:SPM)\n"
    "  explain REPLY|CODE|FILE explain a reply (\"550 5.1.1 User unknown\") or a code; a message\n"
    "                          file (a bounce) gets a diagnosis per recipient\n"
    "  compare A B             compare two codes, like a reference page\n"
    "  classify [FILE|-]       classify each line of a log or of stdin: one output line per\n"
    "                          input line (TSV: line, reason, permanence, hard_bounce, retry,\n"
    "                          code, enhanced, vendor (the provider), evidence, mta, stage,\n"
    "                          tag)\n"
    "  log [FILE|-]            read each line of an MTA log (Postfix, Exim, Sendmail, Exchange\n"
    "                          CSV): one output line per input line (TSV: line, kind, mta,\n"
    "                          status, recipient, relay, dsn, reason, retry, stage)\n"
    "  bounce [FILE|DIR|MBOX|-]...\n"
    "                          read whole bounce messages (DSN, ARF, auto-replies, MTA texts);\n"
    "                          a directory is a maildir (cur/, new/) or a folder of files, a\n"
    "                          file starting with \"From \" an mbox: one output line per\n"
    "                          recipient (TSV: file, recipient, action, reason, permanence,\n"
    "                          hard_bounce, status, code, provider, evidence); --markdown or\n"
    "                          --html print each message's card\n"
    "  list [--kind basic|enhanced] [--class N]\n"
    "                          list the codes of the knowledge base\n"
    "  search WORDS            codes that every word matches (code, title, description,\n"
    "                          when, fix; both languages unless --lang); at most 32 words\n"
    "                          of at most 64 bytes, more is an error (exit 2)\n"
    "  commands [COMMAND]      SMTP commands, or the replies one command may get\n"
    "  tags [PROVIDER]         providers' own tags (Yahoo, Comcast, NetEase, ...), all or\n"
    "                          one provider's (name or id)\n"
    "\n"
    "options (exact names; options may follow the command; -- ends them):\n"
    "  --lang en|es            language of every text (default en)\n"
    "  --json                  one JSON object per result (JSON lines)\n"
    "  --markdown              Markdown cards instead of plain text (lookup, explain, compare, classify, ...)\n"
    "  --html                  HTML cards instead of plain text (lookup, explain, compare, classify, ...)\n"
    "  --stats                 classify, log, bounce: a summary of reasons on stderr at the end\n"
    "  -j N, --jobs N          classify, log: on N threads (1 to 64, or auto: one per CPU),\n"
    "                          the same output in input order (default 1)\n"
    "  --color=auto|always|never  colour on a terminal (auto; NO_COLOR disables)\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 not found (unknown code, no match), 2 usage, malformed input or\n"
    "a read/write error; a broken pipe ends it by SIGPIPE (141)\n";

/* ---- growable render buffers ------------------------------------------------------ */

typedef struct gbuf { char *p; size_t cap; } gbuf;

/* Every rendering goes through the core's one entry point, smtpcodes_render(). */
typedef smtpcodes_render_req render_req;

static render_req req(smtpcodes_render_what what, const void *obj, smtpcodes_lang lang, smtpcodes_format fmt) {
    render_req q = {what, obj, SMTPCODES_SECTION_ALL, SMTPCODES_ASPECT_KIND, 0, lang, fmt};
    return q;
}

static const char *render_name(smtpcodes_render_what what) {
    switch (what) {
    case SMTPCODES_RENDER_COMPARISON: return "the comparison";
    case SMTPCODES_RENDER_ASPECT: return "a compared value";
    case SMTPCODES_RENDER_EVIDENCE: return "the evidence";
    case SMTPCODES_RENDER_RETRY: return "the retry advice";
    case SMTPCODES_RENDER_CLASSIFICATION: return "the classification";
    case SMTPCODES_RENDER_TAG: return "the tag";
    case SMTPCODES_RENDER_LOG: return "the log record";
    case SMTPCODES_RENDER_BOUNCE: return "the bounce";
    default: return "the explanation";
    }
}

/* Render into g, growing it until the text fits: the returned length is checked
 * against the buffer every time, so a text is never printed cut short. Returns
 * the text (NUL-terminated, in g->p), or NULL after a message on stderr. */
static const char *render(out *o, const render_req *q, gbuf *g) {
    if (out_failed(o)) return NULL;
    for (int attempt = 0; attempt < 4; attempt++) {
        int n = smtpcodes_render(q, g->p, g->cap);
        if (n < 0) {
            fprintf(stderr, "smtpcodes: cannot render %s%s: %s\n", render_name(q->what),
                    q->fmt == SMTPCODES_HTML ? " as HTML" : "", smtpcodes_strerror(n));
            o->fatal = 1;
            return NULL;
        }
        if (g->p && (size_t)n < g->cap) return g->p;
        char *p = realloc(g->p, (size_t)n + 1);
        if (!p) { out_oom(o); return NULL; }
        g->p = p;
        g->cap = (size_t)n + 1;
    }
    fprintf(stderr, "smtpcodes: cannot render %s: its length keeps changing\n", render_name(q->what));
    o->fatal = 1;
    return NULL;
}

/* The same, straight into the output, without a copy through a scratch buffer: the text
 * is appended to o (not yet a record) and its start returned, with its length in *len,
 * for the caller to edit in place; NULL after a message on stderr. */
static char *out_render(out *o, const render_req *q, size_t *len) {
    if (out_reserve(o, 256)) return NULL;
    for (int attempt = 0; attempt < 4; attempt++) {
        size_t room = o->cap - o->len;
        int n = smtpcodes_render(q, o->buf + o->len, room);
        if (n < 0) {
            fprintf(stderr, "smtpcodes: cannot render %s%s: %s\n", render_name(q->what),
                    q->fmt == SMTPCODES_HTML ? " as HTML" : "", smtpcodes_strerror(n));
            o->fatal = 1;
            return NULL;
        }
        if ((size_t)n < room) {
            char *t = o->buf + o->len;
            o->len += (size_t)n;
            *len = (size_t)n;
            return t;
        }
        if (out_reserve(o, (size_t)n + 1)) return NULL;
    }
    fprintf(stderr, "smtpcodes: cannot render %s: its length keeps changing\n", render_name(q->what));
    o->fatal = 1;
    return NULL;
}

static const char *render_code(const opts *o, const smtpcodes_code *c, smtpcodes_format fmt, gbuf *g) {
    render_req q = req(SMTPCODES_RENDER_CODE, c, o->lang, fmt);
    return render(o->out, &q, g);
}

static const char *render_reply(const opts *o, const smtpcodes_reply *r, smtpcodes_format fmt, gbuf *g) {
    render_req q = req(SMTPCODES_RENDER_REPLY, r, o->lang, fmt);
    return render(o->out, &q, g);
}

static const char *render_cmp(const opts *o, const smtpcodes_comparison *c, smtpcodes_section s,
                              smtpcodes_format fmt, gbuf *g) {
    render_req q = req(SMTPCODES_RENDER_COMPARISON, c, o->lang, fmt);
    q.section = s;
    return render(o->out, &q, g);
}

/* ---- output helpers -------------------------------------------------------- */

static void json_str(out *o, const char *s, size_t n) {
    if (out_reserve(o, n + 3)) return;
    for (int attempt = 0; attempt < 3; attempt++) {
        size_t room = o->cap - o->len;
        int need = smtpcodes_json_string(s, n, o->buf + o->len, room);
        if (need < 0) {
            fprintf(stderr, "smtpcodes: cannot write a JSON string: %s\n", smtpcodes_strerror(need));
            o->fatal = 1;
            return;
        }
        if ((size_t)need < room) { o->len += (size_t)need; return; }
        if (out_reserve(o, (size_t)need + 1)) return;
    }
    fputs("smtpcodes: cannot write a JSON string: its length keeps changing\n", stderr);
    o->fatal = 1;
}

static void json_cstr(out *o, const char *s) {
    if (s) json_str(o, s, strlen(s)); else out_puts(o, "null");
}

/* A key: every key is a plain ASCII name, which JSON writes between quotes as it is. */
static void json_key(out *o, int *first, const char *key) {
    if (!*first) out_puts(o, ", ");
    *first = 0;
    out_putc(o, '"');
    out_puts(o, key);
    out_puts(o, "\": ");
}

static const char *color(const opts *o, const char *code) { return o->color ? code : ""; }
#define BOLD "\033[1m"
#define RESET "\033[0m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define GREEN "\033[32m"
#define CYAN "\033[36m"

static const char *perm_color(const opts *o, smtpcodes_permanence p) {
    switch (p) {
    case SMTPCODES_PERM_SUCCESS: return color(o, GREEN);
    case SMTPCODES_PERM_INTERMEDIATE: return color(o, CYAN);
    case SMTPCODES_PERM_TEMPORARY: return color(o, YELLOW);
    case SMTPCODES_PERM_PERMANENT: return color(o, RED);
    default: return "";
    }
}

static void print_text(const opts *o, const char *text) {
    out *f = o->out;
    /* headings (lines without a colon ending the first line) in bold on a terminal */
    if (!o->color || o->format != SMTPCODES_TEXT) { out_puts(f, text); return; }
    const char *p = text;
    int first = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        /* the title line, and short lines ending in ':' ("How to fix it:") */
        int heading = first || (n && n < 40 && p[n - 1] == ':');
        if (heading && n) { out_puts(f, BOLD); out_putn(f, p, n); out_puts(f, RESET); }
        else out_putn(f, p, n);
        if (e) out_putc(f, '\n');
        p += n + (e ? 1 : 0);
        first = 0;
    }
}

static void json_list_strs(out *f, const char *const *items, size_t n) {
    out_putc(f, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) out_puts(f, ", ");
        json_cstr(f, items[i]);
    }
    out_putc(f, ']');
}

static void json_code_value(out *f, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) { out_put_int(f, c->digits[0]); out_put_int(f, c->digits[1]); out_put_int(f, c->digits[2]); }
    else json_cstr(f, c->text);
}

static void json_bool(out *f, int v) { out_puts(f, v ? "true" : "false"); }

/* A code as JSON, with the API's field names. */
static void json_code(out *f, const smtpcodes_code *c, smtpcodes_lang lang) {
    const smtpcodes_entry *e = c->entry;
    int first = 1;
    out_putc(f, '{');
    json_key(f, &first, "code"); json_code_value(f, c);
    json_key(f, &first, "kind"); json_cstr(f, c->kind == SMTPCODES_BASIC ? "basic" : "enhanced");
    json_key(f, &first, "title"); json_cstr(f, smtpcodes_text(c, SMTPCODES_TITLE, lang));
    json_key(f, &first, "description"); json_cstr(f, smtpcodes_text(c, SMTPCODES_DESCRIPTION, lang));
    json_key(f, &first, "when"); json_cstr(f, smtpcodes_text(c, SMTPCODES_WHEN, lang));
    json_key(f, &first, "fix"); json_cstr(f, smtpcodes_text(c, SMTPCODES_FIX, lang));
    json_key(f, &first, "references"); json_list_strs(f, e ? e->refs : NULL, e ? e->nrefs : 0);
    json_key(f, &first, "commands");
    out_putc(f, '[');
    if (e && c->kind == SMTPCODES_BASIC) {
        int n = 0;
        for (size_t i = 0; i < smtpcodes_command_count(); i++)
            if (e->commands & (1ul << i)) { if (n++) out_puts(f, ", "); json_cstr(f, smtpcodes_command_name(i)); }
    }
    out_putc(f, ']');
    json_key(f, &first, "basic_codes");
    out_putc(f, '[');
    for (size_t i = 0; e && i < e->nbasic; i++) out_printf(f, i ? ", %u" : "%u", e->basic_codes[i]);
    out_putc(f, ']');
    json_key(f, &first, "related"); json_list_strs(f, e ? e->related : NULL, e ? e->nrelated : 0);
    json_key(f, &first, "digits"); out_printf(f, "[%d, %d, %d]", c->digits[0], c->digits[1], c->digits[2]);
    json_key(f, &first, "class_name"); json_cstr(f, smtpcodes_class_name(c, lang));
    json_key(f, &first, "category_name"); json_cstr(f, smtpcodes_category_name(c, lang));
    smtpcodes_permanence p = smtpcodes_permanence_of(c);
    json_key(f, &first, "is_success"); json_bool(f, p == SMTPCODES_PERM_SUCCESS);
    json_key(f, &first, "is_intermediate"); json_bool(f, p == SMTPCODES_PERM_INTERMEDIATE);
    json_key(f, &first, "is_transient"); json_bool(f, p == SMTPCODES_PERM_TEMPORARY);
    json_key(f, &first, "is_permanent"); json_bool(f, p == SMTPCODES_PERM_PERMANENT);
    unsigned fl = smtpcodes_flags(c);
    json_key(f, &first, "standard"); json_bool(f, (fl & SMTPCODES_E_STANDARD) != 0);
    json_key(f, &first, "vendor"); json_cstr(f, e ? e->vendor : NULL);
    json_key(f, &first, "deprecated"); json_bool(f, (fl & SMTPCODES_E_DEPRECATED) != 0);
    json_key(f, &first, "known"); json_bool(f, c->known);
    json_key(f, &first, "lang"); json_cstr(f, smtpcodes_lang_tag(lang));
    out_putc(f, '}');
}

static void print_code_line(const opts *o, const smtpcodes_code *c) {
    out *f = o->out;
    out_printf(f, "%s%s%s%s  %s%s", color(o, BOLD), perm_color(o, smtpcodes_permanence_of(c)), c->text,
               color(o, RESET), smtpcodes_text(c, SMTPCODES_TITLE, o->lang),
               c->known ? "" : (o->lang == SMTPCODES_ES ? "  [desconocido]" : "  [unknown]"));
    if (c->entry && c->entry->vendor) out_printf(f, "  (%s)", c->entry->vendor);
    out_putc(f, '\n');
}

/* The arguments joined with spaces, in a new buffer (NULL when out of memory). */
static char *join_args(int argc, char **argv) {
    size_t len = 1;
    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s) return NULL;
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        size_t k = strlen(argv[i]);
        if (i) s[n++] = ' ';
        memcpy(s + n, argv[i], k);
        n += k;
    }
    s[n] = '\0';
    return s;
}

static int bad_input(const char *what, const char *arg, int st) {
    fprintf(stderr, "smtpcodes: %s '%s': %s\n", what, arg, smtpcodes_strerror(st));
    return EXIT_USAGE;
}

static int oom(const opts *o) {
    out_oom(o->out);
    return EXIT_USAGE;
}

/* ---- commands ----------------------------------------------------------------- */

/* ---- provider tags --------------------------------------------------------------- */

/* A tag as JSON, with the API's field names (codes: numbers for basic, strings for enhanced). */
static void json_tag(out *f, const smtpcodes_tag *t, smtpcodes_lang lang) {
    static const char *const fields[SMTPCODES_NFIELD] = {"title", "description", "when", "fix"};
    int first = 1;
    out_putc(f, '{');
    json_key(f, &first, "tag"); json_cstr(f, t->tag);
    json_key(f, &first, "provider"); json_cstr(f, t->provider);
    for (int i = 0; i < SMTPCODES_NFIELD; i++) { json_key(f, &first, fields[i]); json_cstr(f, t->text[i][lang]); }
    json_key(f, &first, "reason"); json_cstr(f, smtpcodes_reason_name(t->reason));
    json_key(f, &first, "codes");
    out_putc(f, '[');
    for (size_t i = 0; i < t->ncodes; i++) {
        if (i) out_puts(f, ", ");
        if (strlen(t->codes[i]) == 3) out_puts(f, t->codes[i]);
        else json_cstr(f, t->codes[i]);
    }
    out_putc(f, ']');
    json_key(f, &first, "references"); json_list_strs(f, t->refs, t->nrefs);
    json_key(f, &first, "lang"); json_cstr(f, smtpcodes_lang_tag(lang));
    out_putc(f, '}');
}

/* A tag's card into g, grown until it fits; NULL after a message. */
static const char *render_tag(const opts *o, const smtpcodes_tag *t, gbuf *g) {
    render_req q = req(SMTPCODES_RENDER_TAG, t, o->lang, o->format);
    return render(o->out, &q, g);
}

/* An operand that may name a tag rather than a code: it has a letter other than
 * the X of "X.1.1", or a tag's punctuation, and does not start with '-'. "55",
 * "5.01.1" and "-1" stay malformed codes. */
static int tag_like(const char *s) {
    if (*s == '-') return 0;   /* "--json" after "--", "-1": not a tag */
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) && ch != 'x' && ch != 'X') return 1;
        if (ch == '[' || ch == ':' || ch == '_') return 1;
    }
    return 0;
}

/* lookup's fall-through: print the tag an operand names; EXIT_OK, EXIT_NOT_FOUND,
 * or EXIT_USAGE when it could not be rendered. */
static int lookup_tag_operand(const opts *o, const char *arg, int index, gbuf *g) {
    const smtpcodes_tag *t = NULL;
    if (smtpcodes_lookup_tag(arg, strlen(arg), NULL, 0, &t) != 1 || !t) {
        fprintf(stderr, "smtpcodes: unknown code or provider tag '%s'\n", arg);
        return EXIT_NOT_FOUND;
    }
    if (o->json) {
        json_tag(o->out, t, o->lang);
        out_putc(o->out, '\n');
    } else {
        const char *text = render_tag(o, t, g);
        if (!text) return EXIT_USAGE;
        if (index) out_putc(o->out, '\n');
        print_text(o, text);
    }
    out_record(o->out);
    return EXIT_OK;
}

/* tags [PROVIDER]: one line (or JSON object) per tag; the words of PROVIDER are joined. */
static int cmd_tags(const opts *o, int argc, char **argv) {
    int want = -1;
    if (argc > 0) {
        char *name = join_args(argc, argv);
        if (!name) return oom(o);
        want = smtpcodes_provider_index(name, strlen(name));
        if (want < 0) {
            fprintf(stderr, "smtpcodes: unknown provider '%s'\n", name);
            free(name);
            return EXIT_NOT_FOUND;
        }
        free(name);
    }
    for (size_t i = 0; i < smtpcodes_tag_count() && !out_failed(o->out); i++) {
        const smtpcodes_tag *t = smtpcodes_tag_at(i);
        if (want >= 0 && t->provider_index != (unsigned)want) continue;
        if (o->json) {
            json_tag(o->out, t, o->lang);
        } else {
            out_printf(o->out, "%s%s%s  %s  (%s)", color(o, BOLD), t->tag, color(o, RESET),
                       t->text[SMTPCODES_TITLE][o->lang], t->provider);
        }
        out_putc(o->out, '\n');
        out_record(o->out);
    }
    return EXIT_OK;
}

static int cmd_lookup(const opts *o, int argc, char **argv) {
    if (argc < 1) { fputs("smtpcodes: lookup needs at least one CODE\n", stderr); return EXIT_USAGE; }
    int rc = EXIT_OK;
    gbuf g = {NULL, 0};
    for (int i = 0; i < argc && !out_failed(o->out); i++) {
        smtpcodes_code c;
        int st = smtpcodes_lookup(argv[i], strlen(argv[i]), &c);
        if (st != SMTPCODES_OK && st != SMTPCODES_ERR_EMPTY && tag_like(argv[i])) {
            int r = lookup_tag_operand(o, argv[i], i, &g);
            if (r == EXIT_USAGE) { rc = r; break; }
            if (r != EXIT_OK && rc == EXIT_OK) rc = r;
            continue;
        }
        if (st != SMTPCODES_OK) { rc = bad_input("malformed code", argv[i], st); continue; }
        if (!c.known && rc == EXIT_OK) rc = EXIT_NOT_FOUND;
        if (o->json) {
            json_code(o->out, &c, o->lang);
            out_putc(o->out, '\n');
        } else {
            const char *t = render_code(o, &c, o->format, &g);
            if (!t) break;
            if (i) out_putc(o->out, '\n');
            print_text(o, t);
        }
        out_record(o->out);
    }
    free(g.p);
    return rc;
}

/* 1 when a parsed reply names a code the knowledge base does not know */
static int reply_unknown(const smtpcodes_reply *r) {
    return (r->has_basic && !r->reply_code.known) || (r->has_enhanced && !r->status_code.known);
}

static int explain_message_file(const opts *o, const char *path);

static int cmd_explain(const opts *o, int argc, char **argv) {
    if (argc < 1) { fputs("smtpcodes: explain needs a REPLY or a CODE\n", stderr); return EXIT_USAGE; }
    /* `smtpcodes explain bounce.eml`: a message file gets the bounce card, one diagnosis per recipient */
    {
        struct stat sb;
        smtpcodes_code probe;
        if (argc == 1 && smtpcodes_lookup(argv[0], strlen(argv[0]), &probe) != SMTPCODES_OK && stat(argv[0], &sb) == 0 &&
            S_ISREG(sb.st_mode))
            return explain_message_file(o, argv[0]);
    }
    /* the arguments form one reply: `smtpcodes explain 550 5.1.1 User unknown` */
    char *s = join_args(argc, argv);
    if (!s) return oom(o);
    size_t len = strlen(s);
    out *f = o->out;
    smtpcodes_code c;
    gbuf g1 = {NULL, 0}, g2 = {NULL, 0};
    int rc = EXIT_OK;
    if (smtpcodes_lookup(s, len, &c) == SMTPCODES_OK) {
        if (!c.known) rc = EXIT_NOT_FOUND;
        if (o->json) {
            const char *tx = render_code(o, &c, SMTPCODES_TEXT, &g1);
            const char *md = render_code(o, &c, SMTPCODES_MARKDOWN, &g2);
            if (tx && md) {
                int first = 1;
                out_putc(f, '{');
                json_key(f, &first, "code"); json_code(f, &c, o->lang);
                json_key(f, &first, "text"); json_cstr(f, tx);
                json_key(f, &first, "markdown"); json_cstr(f, md);
                out_puts(f, "}\n");
            }
        } else {
            const char *t = render_code(o, &c, o->format, &g1);
            if (t) print_text(o, t);
        }
    } else {
        smtpcodes_reply *r = malloc(sizeof *r);
        if (!r) { free(s); return oom(o); }
        int st = smtpcodes_parse(s, len, 0, r);
        if (st != SMTPCODES_OK) { rc = bad_input("cannot explain", s, st); free(r); free(s); return rc; }
        if (reply_unknown(r)) rc = EXIT_NOT_FOUND;
        if (o->json) {
            const char *tx = render_reply(o, r, SMTPCODES_TEXT, &g1);
            const char *md = render_reply(o, r, SMTPCODES_MARKDOWN, &g2);
            if (tx && md) {
                int first = 1;
                out_putc(f, '{');
                json_key(f, &first, "code");
                if (r->has_basic) json_code_value(f, &r->reply_code); else out_puts(f, "null");
                json_key(f, &first, "enhanced");
                if (r->has_enhanced) json_cstr(f, r->status_code.text); else out_puts(f, "null");
                json_key(f, &first, "permanence"); json_cstr(f, smtpcodes_permanence_name(r->permanence));
                json_key(f, &first, "flags");
                out_putc(f, '[');
                int n = 0;
                for (size_t i = 0; i < SMTPCODES_NFLAGS; i++)
                    if (r->flags & (1u << i)) { if (n++) out_puts(f, ", "); json_cstr(f, smtpcodes_flag_name(i)); }
                out_putc(f, ']');
                json_key(f, &first, "text"); json_cstr(f, tx);
                json_key(f, &first, "markdown"); json_cstr(f, md);
                out_puts(f, "}\n");
            }
        } else {
            const char *t = render_reply(o, r, o->format, &g1);
            if (t) print_text(o, t);
        }
        free(r);
    }
    out_record(f);
    free(g1.p);
    free(g2.p);
    free(s);
    return rc;
}

static int cmd_compare(const opts *o, int argc, char **argv) {
    if (argc != 2) { fputs("smtpcodes: compare needs exactly two codes: A B\n", stderr); return EXIT_USAGE; }
    smtpcodes_code a, b;
    int st = smtpcodes_lookup(argv[0], strlen(argv[0]), &a);
    if (st != SMTPCODES_OK) return bad_input("malformed code", argv[0], st);
    st = smtpcodes_lookup(argv[1], strlen(argv[1]), &b);
    if (st != SMTPCODES_OK) return bad_input("malformed code", argv[1], st);
    smtpcodes_comparison cmp;
    smtpcodes_compare(&a, &b, &cmp);
    out *f = o->out;
    gbuf g = {NULL, 0};
    if (o->json) {
        int first = 1;
        out_putc(f, '{');
        json_key(f, &first, "a"); json_code(f, &a, o->lang);
        json_key(f, &first, "b"); json_code(f, &b, o->lang);
        for (int pass = 0; pass < 2; pass++) {
            json_key(f, &first, pass ? "similarities" : "differences");
            out_putc(f, '[');
            int n = 0;
            for (int x = 0; x < SMTPCODES_NASPECT; x++) {
                if (cmp.same[x] != pass) continue;
                if (n++) out_puts(f, ", ");
                out_putc(f, '[');
                json_cstr(f, smtpcodes_aspect_name((smtpcodes_aspect)x, SMTPCODES_EN));
                for (int which = 0; which < (pass ? 1 : 2); which++) {
                    render_req q = req(SMTPCODES_RENDER_ASPECT, &cmp, o->lang, SMTPCODES_TEXT);
                    q.aspect = (smtpcodes_aspect)x;
                    q.which = which;
                    const char *v = render(f, &q, &g);
                    out_puts(f, ", ");
                    if (v) json_cstr(f, v);
                }
                out_putc(f, ']');
            }
            out_putc(f, ']');
        }
        static const struct { const char *key; smtpcodes_section s; smtpcodes_format f; } parts[] = {
            {"summary", SMTPCODES_SECTION_SUMMARY, SMTPCODES_TEXT},
            {"key_differences", SMTPCODES_SECTION_KEY_DIFFERENCES, SMTPCODES_TEXT},
            {"when_to_use", SMTPCODES_SECTION_WHEN_TO_USE, SMTPCODES_TEXT},
            {"text", SMTPCODES_SECTION_ALL, SMTPCODES_TEXT},
            {"markdown", SMTPCODES_SECTION_ALL, SMTPCODES_MARKDOWN},
        };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            const char *t = render_cmp(o, &cmp, parts[i].s, parts[i].f, &g);
            json_key(f, &first, parts[i].key);
            if (t) json_cstr(f, t);
        }
        out_puts(f, "}\n");
    } else {
        const char *t = render_cmp(o, &cmp, SMTPCODES_SECTION_ALL, o->format, &g);
        if (t) print_text(o, t);
    }
    out_record(f);
    free(g.p);
    return (a.known && b.known) ? EXIT_OK : EXIT_NOT_FOUND;
}

static int cmd_list(const opts *o) {
    int kind = 0;
    if (o->kind) {
        if (strcmp(o->kind, "basic") == 0) kind = SMTPCODES_BASIC;
        else if (strcmp(o->kind, "enhanced") == 0) kind = SMTPCODES_ENHANCED;
        else { fprintf(stderr, "smtpcodes: --kind must be basic or enhanced, not '%s'\n", o->kind); return EXIT_USAGE; }
    }
    int n = 0;
    for (size_t i = 0; i < smtpcodes_count() && !out_failed(o->out); i++) {
        smtpcodes_code c;
        smtpcodes_code_of(smtpcodes_at(i), &c);
        if (kind && c.kind != kind) continue;
        if (o->class_digit >= 0 && c.digits[0] != o->class_digit) continue;
        n++;
        if (o->json) { json_code(o->out, &c, o->lang); out_putc(o->out, '\n'); }
        else print_code_line(o, &c);
        out_record(o->out);
    }
    return n ? EXIT_OK : EXIT_NOT_FOUND;
}

static int cmd_search(const opts *o, int argc, char **argv, int lang_given) {
    if (argc < 1) { fputs("smtpcodes: search needs WORDS\n", stderr); return EXIT_USAGE; }
    char *s = join_args(argc, argv);
    if (!s) return oom(o);
    /* every match: the array grows to the count the core reports */
    size_t cap = smtpcodes_count() ? smtpcodes_count() : 1;
    const smtpcodes_entry **found = NULL;
    int n;
    for (;;) {
        const smtpcodes_entry **p = realloc(found, cap * sizeof(const smtpcodes_entry *));
        if (!p) { free(found); free(s); return oom(o); }
        found = p;
        n = smtpcodes_search(s, strlen(s), lang_given ? (int)o->lang : -1, found, cap);
        if (n < 0 || (size_t)n <= cap) break;
        cap = (size_t)n;
    }
    if (n < 0) { int rc = bad_input("cannot search", s, n); free(found); free(s); return rc; }
    free(s);
    for (int i = 0; i < n && !out_failed(o->out); i++) {
        smtpcodes_code c;
        smtpcodes_code_of(found[i], &c);
        if (o->json) { json_code(o->out, &c, o->lang); out_putc(o->out, '\n'); }
        else print_code_line(o, &c);
        out_record(o->out);
    }
    free(found);
    return n ? EXIT_OK : EXIT_NOT_FOUND;
}

/* The replies a command may get, into a growing array; <0 (a status) on error. */
static int replies_for(const opts *o, const char *name, int **codes, size_t *cap) {
    for (;;) {
        int n = smtpcodes_replies_for(name, strlen(name), *codes, *cap);
        if (n < 0 || (size_t)n <= *cap) return n;
        int *p = realloc(*codes, (size_t)n * sizeof *p);
        if (!p) { out_oom(o->out); return SMTPCODES_ERR_ARG; }
        *codes = p;
        *cap = (size_t)n;
    }
}

static void json_replies(const opts *o, const char *name, const int *codes, int n) {
    out *f = o->out;
    out_puts(f, "{\"command\": ");
    json_cstr(f, name);
    out_puts(f, ", \"replies\": [");
    for (int k = 0; k < n; k++) out_printf(f, k ? ", %d" : "%d", codes[k]);
    out_puts(f, "]}\n");
}

static int cmd_commands(const opts *o, int argc, char **argv) {
    size_t cap = 128;
    int *codes = malloc(cap * sizeof *codes);
    if (!codes) return oom(o);
    int rc = EXIT_OK;
    if (argc == 0) {
        for (size_t i = 0; i < smtpcodes_command_count() && !out_failed(o->out); i++) {
            const char *name = smtpcodes_command_name(i);
            if (o->json) {
                int n = replies_for(o, name, &codes, &cap);
                if (n < 0) break;
                json_replies(o, name, codes, n);
            } else {
                out_puts(o->out, name);
                out_putc(o->out, '\n');
            }
            out_record(o->out);
        }
        free(codes);
        return EXIT_OK;
    }
    for (int i = 0; i < argc && !out_failed(o->out); i++) {
        int n = replies_for(o, argv[i], &codes, &cap);
        if (out_failed(o->out)) break;
        if (n < 0) { rc = bad_input("unknown command", argv[i], n); continue; }
        int idx = smtpcodes_command_index(argv[i], strlen(argv[i]));
        const char *name = smtpcodes_command_name((size_t)idx);
        if (o->json) {
            json_replies(o, name, codes, n);
        } else {
            out_printf(o->out, "%s%s%s\n", color(o, BOLD), name, color(o, RESET));
            for (int k = 0; k < n; k++) {
                smtpcodes_code c;
                smtpcodes_lookup_basic(codes[k], &c);
                out_puts(o->out, "  ");
                print_code_line(o, &c);
            }
        }
        out_record(o->out);
    }
    free(codes);
    return rc;
}

/* ---- classify and log: one loop over the lines, on one thread or on N (-j) ---------- */

/* Lines of a file descriptor, read with read(2): no length limit, every error kept. */
typedef struct reader {
    int fd;
    char *buf;
    size_t cap, start, end, scanned;
    int eof, err;
} reader;

/* The next line (its '\n' included, if any) in *line; its length, 0 at the end of
 * the input or -1 on a read error (r->err) or when out of memory (r->err ENOMEM). */
static ssize_t read_line(reader *r, const char **line) {
    for (;;) {
        char *nl = r->end > r->scanned ? memchr(r->buf + r->scanned, '\n', r->end - r->scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->start)) + 1;
            *line = r->buf + r->start;
            r->start += n;
            r->scanned = r->start;
            return (ssize_t)n;
        }
        r->scanned = r->end;
        if (r->eof) {
            size_t n = r->end - r->start;
            if (n == 0) return 0;
            *line = r->buf + r->start;
            r->start = r->scanned = r->end;
            return (ssize_t)n;
        }
        if (r->start > 0) {   /* move the partial line to the front */
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->scanned -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) {
            size_t c = r->cap ? r->cap * 2 : 65536;
            char *p = c > r->cap ? realloc(r->buf, c) : NULL;
            if (!p) { r->err = ENOMEM; return -1; }
            r->buf = p;
            r->cap = c;
        }
        ssize_t k = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) { r->err = errno; return -1; }
        if (k == 0) r->eof = 1;
        r->end += (size_t)k;
    }
}

static void progress(long long done, long long total, size_t lines) {
    int width = 30;
    int filled = total > 0 ? (int)((double)done / (double)total * width) : 0;
    if (filled > width) filled = width;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %zu lines", filled, "##############################", width - filled, "",
            total > 0 ? (int)(100.0 * (double)done / (double)total) : 0, lines);
}

static void input_error(const char *name, int err) {
    if (name) fprintf(stderr, "smtpcodes: cannot read '%s': %s\n", name, strerror(err));
    else fprintf(stderr, "smtpcodes: cannot read standard input: %s\n", strerror(err));
}

/* A view as one TSV field: "-" when absent, tabs and line ends as spaces. */
static void tsv_view(out *f, const char *p, size_t n) {
    if (!p || !n) { out_putc(f, '-'); return; }
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\t' || c == '\n' || c == '\r' || c == '\0') {
            out_putn(f, p + start, i - start);
            out_putc(f, ' ');
            start = i + 1;
        }
    }
    out_putn(f, p + start, n - start);
}

static void json_view(out *f, const char *p, size_t n) {
    if (!p) out_puts(f, "null"); else json_str(f, p, n);
}

static const char *const log_status_names[] = {"other", "sent", "deferred", "bounced", "expired"};

/* a string field, "-" when absent */
static const char *or_dash(const char *s) { return s ? s : "-"; }

enum line_cmd { LINES_CLASSIFY, LINES_LOG };

/* What one thread needs for its lines, allocated once and reused for every line (no
 * allocation per line once the buffers have grown), and its share of the --stats counts. */
typedef struct line_state {
    gbuf ev, advice;
    smtpcodes_log_record *rec;    /* log */
    size_t nreasons;
    size_t *counts;               /* per reason */
    size_t errors;                /* classify: lines the core refused (empty, ...) */
    size_t deliveries, status_counts[5];   /* log */
} line_state;

static int line_state_init(line_state *s) {
    memset(s, 0, sizeof *s);
    s->nreasons = smtpcodes_reason_count();
    s->counts = calloc(s->nreasons + 1, sizeof *s->counts);
    s->ev.p = malloc(1024);
    s->ev.cap = s->ev.p ? 1024 : 0;
    s->advice.p = malloc(2048);
    s->advice.cap = s->advice.p ? 2048 : 0;
    s->rec = malloc(sizeof *s->rec);
    return s->counts && s->ev.p && s->advice.p && s->rec ? 0 : -1;
}

static void line_state_free(line_state *s) {
    free(s->counts);
    free(s->ev.p);
    free(s->advice.p);
    free(s->rec);
}

/* The text just rendered at t (n bytes, at the end of f) up to its first NUL, as a C
 * string is printed. */
static void out_cut_at_nul(out *f, const char *t, size_t n) { f->len -= n - strnlen(t, n); }

/* classify: one record per input line. On a render error (reported, f failed) the
 * line's record is left unfinished and never written. */
static void classify_line(const opts *o, out *f, line_state *s, const char *line, size_t len, size_t lineno) {
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    smtpcodes_classification c;
    int st = smtpcodes_classify(line, len, &c);
    if (st != SMTPCODES_OK) {
        s->errors++;
        if (o->json) {
            out_puts(f, "{\"line\": ");
            out_put_size(f, lineno);
            out_puts(f, ", \"error\": ");
            json_cstr(f, smtpcodes_strerror(st));
            out_puts(f, "}\n");
        } else {
            out_put_size(f, lineno);
            /* the 12 columns of every row: the message stands in the evidence column */
            out_puts(f, "\terror\t-\t-\t-\t-\t-\t-\t");
            out_puts(f, smtpcodes_strerror(st));
            out_puts(f, "\t-\t-\t-\n");
        }
        out_record(f);
        return;
    }
    if ((size_t)c.reason < s->nreasons) s->counts[c.reason]++;
    if (o->format != SMTPCODES_TEXT && !o->json) {
        /* --markdown / --html: the classification's card, one per input line */
        render_req qc = req(SMTPCODES_RENDER_CLASSIFICATION, &c, o->lang, o->format);
        size_t n;
        const char *card = out_render(f, &qc, &n);
        if (!card) return;
        out_cut_at_nul(f, card, n);
        out_putc(f, '\n');
        out_record(f);
        return;
    }
    render_req qe = req(SMTPCODES_RENDER_EVIDENCE, &c, o->lang, SMTPCODES_TEXT);
    const char *reason = or_dash(smtpcodes_reason_name(c.reason));
    if (o->json) {
        const char *evtext = render(f, &qe, &s->ev);
        if (!evtext) return;
        render_req qa = qe;
        qa.what = SMTPCODES_RENDER_RETRY;
        const char *adv = render(f, &qa, &s->advice);
        if (!adv) return;
        int first = 1;
        out_putc(f, '{');
        json_key(f, &first, "line"); out_put_size(f, lineno);
        json_key(f, &first, "reason"); json_cstr(f, reason);
        json_key(f, &first, "permanence"); json_cstr(f, smtpcodes_permanence_name(c.permanence));
        json_key(f, &first, "hard_bounce"); json_bool(f, c.hard_bounce);
        json_key(f, &first, "retry"); json_bool(f, c.retry);
        json_key(f, &first, "advice"); json_cstr(f, adv);
        json_key(f, &first, "evidence"); json_cstr(f, evtext);
        json_key(f, &first, "vendor"); json_cstr(f, c.vendor);
        json_key(f, &first, "provider"); json_cstr(f, c.provider);
        json_key(f, &first, "mta"); json_cstr(f, c.mta);
        json_key(f, &first, "stage"); json_cstr(f, c.stage);
        json_key(f, &first, "tag"); json_cstr(f, c.tag);
        json_key(f, &first, "code");
        if (c.has_basic) json_code_value(f, &c.code); else out_puts(f, "null");
        json_key(f, &first, "enhanced");
        if (c.has_enhanced) json_cstr(f, c.enhanced.text); else out_puts(f, "null");
        out_puts(f, "}\n");
        out_record(f);
        return;
    }
    /* TSV: line, reason, permanence, hard_bounce, retry, code, enhanced, vendor, evidence, mta, stage, tag */
    out_put_size(f, lineno);
    out_putc(f, '\t');
    out_puts(f, perm_color(o, c.permanence));
    out_puts(f, reason);
    out_puts(f, color(o, RESET));
    out_putc(f, '\t');
    out_puts(f, or_dash(smtpcodes_permanence_name(c.permanence)));
    out_putc(f, '\t');
    out_put_int(f, c.hard_bounce);
    out_putc(f, '\t');
    out_put_int(f, c.retry);
    out_putc(f, '\t');
    out_puts(f, c.has_basic ? c.code.text : "-");
    out_putc(f, '\t');
    out_puts(f, c.has_enhanced ? c.enhanced.text : "-");
    out_putc(f, '\t');
    out_puts(f, or_dash(c.vendor));
    out_putc(f, '\t');
    size_t n;
    char *ev = out_render(f, &qe, &n);   /* the evidence, rendered in place: tabs and line ends as spaces */
    if (!ev) return;
    out_cut_at_nul(f, ev, n);
    n = strnlen(ev, n);
    if (memchr(ev, '\t', n) || memchr(ev, '\n', n))
        for (size_t i = 0; i < n; i++) if (ev[i] == '\t' || ev[i] == '\n') ev[i] = ' ';
    out_putc(f, '\t');
    out_puts(f, or_dash(c.mta));
    out_putc(f, '\t');
    out_puts(f, or_dash(c.stage));
    out_putc(f, '\t');
    out_puts(f, or_dash(c.tag));
    out_putc(f, '\n');
    out_record(f);
}

/* log: one record per input line: TSV (line, kind, mta, status, recipient, relay, dsn,
 * reason, retry, stage), JSON lines with the API's keys, or a card (--markdown, --html). */
static void log_line(const opts *o, out *f, line_state *s, const char *line, size_t n, size_t lineno) {
    smtpcodes_log_record *r = s->rec;
    smtpcodes_parse_log(line, n, r);
    const smtpcodes_classification *c = &r->classification;
    const char *reason = or_dash(smtpcodes_reason_name(c->reason));
    const char *mta = smtpcodes_log_mta_name(r->mta);
    const char *status = log_status_names[(unsigned)r->status < 5u ? r->status : 0];
    int delivery = r->kind == SMTPCODES_LOG_DELIVERY;
    if (delivery) {
        s->deliveries++;
        if ((unsigned)r->status < 5u) s->status_counts[r->status]++;
        if ((size_t)c->reason < s->nreasons) s->counts[c->reason]++;
    }
    if (o->format != SMTPCODES_TEXT && !o->json) {
        render_req q = req(SMTPCODES_RENDER_LOG, r, o->lang, o->format);
        size_t k;
        const char *text = out_render(f, &q, &k);
        if (!text) return;
        out_cut_at_nul(f, text, k);
        out_putc(f, '\n');
    } else if (o->json) {
        render_req qe = req(SMTPCODES_RENDER_EVIDENCE, c, o->lang, SMTPCODES_TEXT);
        render_req qa = qe;
        qa.what = SMTPCODES_RENDER_RETRY;
        const char *evtext = render(f, &qe, &s->ev);
        const char *adv = evtext ? render(f, &qa, &s->advice) : NULL;
        if (!adv) return;
        int first = 1;
        out_putc(f, '{');
        json_key(f, &first, "line"); out_put_size(f, lineno);
        json_key(f, &first, "kind"); json_cstr(f, smtpcodes_log_kind_name(r->kind));
        json_key(f, &first, "mta"); json_cstr(f, mta);
        json_key(f, &first, "status"); json_cstr(f, status);
        json_key(f, &first, "queue_id"); json_view(f, r->queue_id, r->queue_id_len);
        json_key(f, &first, "recipient"); json_view(f, r->recipient, r->recipient_len);
        json_key(f, &first, "original_recipient"); json_view(f, r->original_recipient, r->original_recipient_len);
        json_key(f, &first, "sender"); json_view(f, r->sender, r->sender_len);
        json_key(f, &first, "relay"); json_view(f, r->relay, r->relay_len);
        json_key(f, &first, "relay_ip"); json_view(f, r->relay_ip, r->relay_ip_len);
        json_key(f, &first, "relay_port");
        if (r->relay_port) out_put_int(f, r->relay_port); else out_puts(f, "null");
        json_key(f, &first, "delay");
        if (r->has_delay) {
            char num[48];
            snprintf(num, sizeof num, "%.3f", r->delay >= 0 && r->delay < 1e15 ? r->delay : 0.0);
            out_puts(f, num);
        } else {
            out_puts(f, "null");
        }
        json_key(f, &first, "dsn"); json_view(f, r->dsn, r->dsn_len);
        json_key(f, &first, "stage"); json_cstr(f, r->stage);
        json_key(f, &first, "reply");
        if (r->has_reply) {
            int f2 = 1;
            out_putc(f, '{');
            json_key(f, &f2, "code");
            if (r->reply.has_basic) json_code_value(f, &r->reply.reply_code); else out_puts(f, "null");
            json_key(f, &f2, "enhanced");
            if (r->reply.has_enhanced) json_cstr(f, r->reply.status_code.text); else out_puts(f, "null");
            json_key(f, &f2, "text"); json_view(f, r->reply_text, r->reply_len);
            out_putc(f, '}');
        } else {
            out_puts(f, "null");
        }
        json_key(f, &first, "classification");
        {
            int f2 = 1;
            out_putc(f, '{');
            json_key(f, &f2, "reason"); json_cstr(f, reason);
            json_key(f, &f2, "permanence"); json_cstr(f, smtpcodes_permanence_name(c->permanence));
            json_key(f, &f2, "hard_bounce"); json_bool(f, c->hard_bounce);
            json_key(f, &f2, "retry"); json_bool(f, c->retry);
            json_key(f, &f2, "advice"); json_cstr(f, delivery ? adv : NULL);
            json_key(f, &f2, "evidence"); json_cstr(f, delivery ? evtext : NULL);
            json_key(f, &f2, "provider"); json_cstr(f, c->provider);
            json_key(f, &f2, "code");
            if (c->has_basic) json_code_value(f, &c->code); else out_puts(f, "null");
            json_key(f, &f2, "enhanced");
            if (c->has_enhanced) json_cstr(f, c->enhanced.text); else out_puts(f, "null");
            out_putc(f, '}');
        }
        json_key(f, &first, "timestamp"); json_view(f, r->timestamp, r->timestamp_len);
        json_key(f, &first, "host"); json_view(f, r->host, r->host_len);
        json_key(f, &first, "program"); json_view(f, r->program, r->program_len);
        json_key(f, &first, "diagnostic"); json_view(f, r->diagnostic, r->diagnostic_len);
        out_puts(f, "}\n");
    } else {
        out_put_size(f, lineno);
        out_putc(f, '\t');
        out_puts(f, or_dash(smtpcodes_log_kind_name(r->kind)));
        out_putc(f, '\t');
        out_puts(f, or_dash(mta));
        out_putc(f, '\t');
        out_puts(f, status);
        out_putc(f, '\t');
        tsv_view(f, r->recipient, r->recipient_len);
        out_putc(f, '\t');
        tsv_view(f, r->relay, r->relay_len);
        out_putc(f, '\t');
        tsv_view(f, r->dsn, r->dsn_len);
        out_putc(f, '\t');
        out_puts(f, perm_color(o, c->permanence));
        out_puts(f, reason);
        out_puts(f, color(o, RESET));
        out_putc(f, '\t');
        out_put_int(f, c->retry);
        out_putc(f, '\t');
        out_puts(f, or_dash(r->stage));
        out_putc(f, '\n');
    }
    out_record(f);
}

static void do_line(enum line_cmd cmd, const opts *o, out *f, line_state *s, const char *line, size_t n,
                    size_t lineno) {
    if (cmd == LINES_LOG) log_line(o, f, s, line, n, lineno);
    else classify_line(o, f, s, line, n, lineno);
}

/* ---- -j N: a reader, N workers and one writer ---------------------------------------
 *
 * The reader thread cuts the input into batches of whole lines (about BATCH_BYTES, or
 * what one read of a pipe or a terminal returns, so that a slow input is classified as
 * it comes), numbers their first lines and hands them out in order; each worker takes
 * the next batch and writes its records into the batch's own output buffer, with its
 * own scratch buffers (the core keeps no state between calls); the writer (the calling
 * thread) writes the batches in input order, each with one write(2) or a few. One lock,
 * taken a few times per batch, never per line. The records are the ones the one-thread
 * loop writes, byte for byte, and a failed write or a render error stops everything
 * after the last whole record, as there. */

#define JOBS_MAX 64
#define BATCH_BYTES 65536

typedef struct batch {
    char *in;             /* whole lines; at the end of the input the last may lack its '\n' */
    size_t len, cap;
    size_t first_line, nlines;
    long long end;        /* input bytes up to the end of this batch, for the progress bar */
    out o;                /* its records (hold: only the writer writes them) */
    int done;             /* classified: the writer may write it */
} batch;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_work, can_write;
    batch *b;
    size_t nb;
    size_t filled, taken, written;   /* batches filled by the reader, taken by workers, written */
    size_t lines;                    /* lines in the filled batches */
    int reader_done, stop, rerr;
    int fd, may_block, wake[2];      /* wake: the writer's stop reaches a reader waiting in poll() */
    const opts *o;
    enum line_cmd cmd;
} pool;

typedef struct worker { pool *p; line_state *st; } worker;

/* 0 once capacity *cap >= need (doubling from 64 KiB), -1 when out of memory */
static int grow_to(char **buf, size_t *cap, size_t need) {
    if (*buf && *cap >= need) return 0;
    size_t c = *cap ? *cap : BATCH_BYTES;
    while (c < need) {
        if (c > SIZE_MAX / 2) return -1;
        c *= 2;
    }
    char *q = realloc(*buf, c);
    if (!q) return -1;
    *buf = q;
    *cap = c;
    return 0;
}

/* Before a read that may block (a pipe, a terminal): 0 when the input is ready (or poll
 * cannot tell: read() reports), 1 when the writer has stopped everything. */
static int wait_input(const pool *p) {
    struct pollfd fds[2] = {{p->fd, POLLIN, 0}, {p->wake[0], POLLIN, 0}};
    for (;;) {
        int k = poll(fds, 2, -1);
        if (k < 0 && errno == EINTR) continue;
        return k > 0 && fds[1].revents ? 1 : 0;
    }
}

static void *reader_main(void *arg) {
    pool *p = arg;
    char *carry = NULL;   /* the start of a line that the next batch begins with */
    size_t ncarry = 0, capcarry = 0, line = 1, seq = 0;
    long long offset = 0;
    int eof = 0, err = 0;
    while (!eof && !err) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->filled - p->written >= p->nb) pthread_cond_wait(&p->can_fill, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        batch *b = &p->b[seq % p->nb];
        if (grow_to(&b->in, &b->cap, ncarry + BATCH_BYTES)) { err = ENOMEM; break; }
        if (ncarry) memcpy(b->in, carry, ncarry);
        b->len = ncarry;
        ncarry = 0;
        /* read until the batch holds a whole line, or the input ends or fails */
        for (;;) {
            if (b->len == b->cap && grow_to(&b->in, &b->cap, b->cap + 1)) { err = ENOMEM; break; }
            if (p->may_block && wait_input(p)) { stop = 1; break; }
            ssize_t k = read(p->fd, b->in + b->len, b->cap - b->len);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) { err = errno; break; }
            if (k == 0) { eof = 1; break; }
            int nl = memchr(b->in + b->len, '\n', (size_t)k) != NULL;
            b->len += (size_t)k;
            if (nl) break;
        }
        if (stop) break;
        /* the batch ends after its last '\n' (a partial line before a read error is dropped,
         * as the one-thread loop drops it); at the end of the input, with the last line */
        size_t end = b->len;
        if (!eof) while (end && b->in[end - 1] != '\n') end--;
        if (!eof && !err && end < b->len) {
            if (grow_to(&carry, &capcarry, b->len - end)) err = ENOMEM;
            else {
                ncarry = b->len - end;
                memcpy(carry, b->in + end, ncarry);
            }
        }
        b->len = end;
        if (end == 0) continue;   /* nothing whole: eof or err ends the loop */
        size_t n = 0;
        for (const char *s = b->in, *e = b->in + end; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++) n++;
        if (b->in[end - 1] != '\n') n++;
        offset += (long long)end;
        b->first_line = line;
        b->nlines = n;
        b->end = offset;
        line += n;
        pthread_mutex_lock(&p->mu);
        p->filled = ++seq;
        p->lines = line - 1;
        pthread_cond_signal(&p->can_work);
        pthread_mutex_unlock(&p->mu);
    }
    free(carry);
    pthread_mutex_lock(&p->mu);
    p->reader_done = 1;
    p->rerr = err;
    pthread_cond_broadcast(&p->can_work);
    pthread_cond_broadcast(&p->can_write);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void *worker_main(void *arg) {
    worker *w = arg;
    pool *p = w->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->taken == p->filled && !p->reader_done) pthread_cond_wait(&p->can_work, &p->mu);
        if (p->stop || p->taken == p->filled) { pthread_mutex_unlock(&p->mu); break; }
        batch *b = &p->b[p->taken++ % p->nb];
        pthread_mutex_unlock(&p->mu);
        const char *s = b->in, *e = b->in + b->len;
        size_t lineno = b->first_line;
        while (s < e && !out_failed(&b->o)) {
            const char *nl = memchr(s, '\n', (size_t)(e - s));
            const char *next = nl ? nl + 1 : e;
            do_line(p->cmd, p->o, &b->o, w->st, s, (size_t)(next - s), lineno++);
            s = next;
        }
        pthread_mutex_lock(&p->mu);
        b->done = 1;
        pthread_cond_signal(&p->can_write);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

static void pool_stop(pool *p) {
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->can_fill);
    pthread_cond_broadcast(&p->can_work);
    pthread_cond_broadcast(&p->can_write);
    pthread_mutex_unlock(&p->mu);
    if (p->wake[1] >= 0) {
        ssize_t k;
        do k = write(p->wake[1], "", 1); while (k < 0 && errno == EINTR);
    }
}

/* The lines of fd on `jobs` workers, written by this thread into o->out. Returns 0, with
 * the number of lines read in *lines and a read error (errno, ENOMEM) in *rerr; or -1
 * when no thread could be started (nothing has been read: the caller runs the loop
 * itself). */
static int run_jobs(const opts *o, enum line_cmd cmd, int fd, int may_block, line_state *st, int jobs,
                    long long total, int show_progress, size_t *lines, int *rerr) {
    out *f = o->out;
    pool p;
    memset(&p, 0, sizeof p);
    p.fd = fd;
    p.may_block = may_block;
    p.wake[0] = p.wake[1] = -1;
    p.o = o;
    p.cmd = cmd;
    p.nb = 2 * (size_t)jobs + 2;
    p.b = calloc(p.nb, sizeof *p.b);
    worker *w = calloc((size_t)jobs, sizeof *w);
    pthread_t *tid = calloc((size_t)jobs, sizeof *tid);
    pthread_t rtid;
    int started = 0, reader_ok = 0, ok = p.b && w && tid;
    if (ok && may_block && pipe(p.wake) != 0) ok = 0;
    if (ok && pthread_mutex_init(&p.mu, NULL) != 0) ok = 0;
    if (ok && (pthread_cond_init(&p.can_fill, NULL) != 0 || pthread_cond_init(&p.can_work, NULL) != 0 ||
               pthread_cond_init(&p.can_write, NULL) != 0)) ok = 0;   /* (never fails on Linux) */
    for (size_t i = 0; ok && i < p.nb; i++) {
        out z = {f->fd, NULL, 0, 0, NULL, 0, 0, 0, 0, 0, 1};
        p.b[i].o = z;
    }
    for (int i = 0; ok && i < jobs; i++) {
        w[i].p = &p;
        w[i].st = &st[i];
        if (pthread_create(&tid[i], NULL, worker_main, &w[i]) != 0) break;
        started++;
    }
    if (started > 0) reader_ok = pthread_create(&rtid, NULL, reader_main, &p) == 0;
    if (reader_ok) {
        for (;;) {
            pthread_mutex_lock(&p.mu);
            batch *b = &p.b[p.written % p.nb];
            while (!b->done && !(p.reader_done && p.written == p.filled)) pthread_cond_wait(&p.can_write, &p.mu);
            int more = b->done;
            pthread_mutex_unlock(&p.mu);
            if (!more) break;
            out_flush(&b->o);   /* its whole records, even after a render error */
            if (b->o.err) f->err = b->o.err;
            if (b->o.fatal) f->fatal = 1;
            b->o.len = b->o.nends = 0;
            b->o.err = b->o.fatal = 0;
            if (show_progress) progress(b->end, total, b->first_line - 1 + b->nlines);
            pthread_mutex_lock(&p.mu);
            b->done = 0;
            p.written++;
            pthread_cond_signal(&p.can_fill);
            pthread_mutex_unlock(&p.mu);
            if (out_failed(f)) { pool_stop(&p); break; }
        }
        pthread_join(rtid, NULL);
    } else if (started > 0) {
        pool_stop(&p);
    }
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    *lines = p.lines;
    *rerr = p.rerr;
    if (ok) {
        pthread_cond_destroy(&p.can_fill);
        pthread_cond_destroy(&p.can_work);
        pthread_cond_destroy(&p.can_write);
        pthread_mutex_destroy(&p.mu);
    }
    for (size_t i = 0; p.b && i < p.nb; i++) {
        free(p.b[i].in);
        free(p.b[i].o.buf);
        free(p.b[i].o.ends);
    }
    if (p.wake[0] >= 0) { close(p.wake[0]); close(p.wake[1]); }
    free(p.b);
    free(w);
    free(tid);
    return reader_ok ? 0 : -1;
}

/* classify [FILE|-], log [FILE|-]: the input, then the lines on this thread (-j 1) or on
 * N workers (-j N, same output), then the --stats summary on stderr. */
static int cmd_lines(const opts *o, enum line_cmd cmd, int argc, char **argv) {
    if (argc > 1) {
        fprintf(stderr, "smtpcodes: %s takes at most one FILE\n", cmd == LINES_LOG ? "log" : "classify");
        return EXIT_USAGE;
    }
    const char *name = NULL;   /* NULL: standard input */
    int fd = STDIN_FILENO;
    if (argc == 1 && strcmp(argv[0], "-") != 0) {
        name = argv[0];
        fd = open(name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) { fprintf(stderr, "smtpcodes: cannot open '%s': %s\n", name, strerror(errno)); return EXIT_USAGE; }
    }
    long long total = -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        input_error(name, errno);
        if (name) close(fd);
        return EXIT_USAGE;
    }
    if (S_ISDIR(sb.st_mode)) {
        input_error(name, EISDIR);
        if (name) close(fd);
        return EXIT_USAGE;
    }
    if (name && S_ISREG(sb.st_mode)) total = (long long)sb.st_size;
    int show_progress = total >= 0 && isatty(STDERR_FILENO);
    int jobs = o->jobs > 1 ? o->jobs : 1;
    line_state *st = calloc((size_t)jobs, sizeof *st);
    int ok = st != NULL;
    for (int i = 0; ok && i < jobs; i++) ok = line_state_init(&st[i]) == 0;
    if (!ok) {
        for (int i = 0; st && i < jobs; i++) line_state_free(&st[i]);
        free(st);
        if (name) close(fd);
        return oom(o);
    }
    out *f = o->out;
    size_t lineno = 0;
    int rerr = 0;
    if (jobs == 1 || run_jobs(o, cmd, fd, !S_ISREG(sb.st_mode), st, jobs, total, show_progress, &lineno, &rerr) != 0) {
        reader rd = {fd, NULL, 0, 0, 0, 0, 0, 0};
        long long done = 0;
        const char *line;
        ssize_t n;
        while (!out_failed(f) && (n = read_line(&rd, &line)) > 0) {
            done += n;
            do_line(cmd, o, f, &st[0], line, (size_t)n, ++lineno);
            if (show_progress && (lineno & 1023) == 0) progress(done, total, lineno);
        }
        rerr = rd.err;
        free(rd.buf);
    }
    int rc = EXIT_OK;
    if (rerr) {
        if (rerr == ENOMEM) out_oom(f); else input_error(name, rerr);
        rc = EXIT_USAGE;
    }
    if (show_progress) { progress(total, total, lineno); fputc('\n', stderr); }
    if (name && close(fd) != 0 && rc == EXIT_OK) { input_error(name, errno); rc = EXIT_USAGE; }
    if (o->stats && !out_failed(f)) {
        line_state *s = &st[0];   /* the workers' counts, summed */
        for (int j = 1; j < jobs; j++) {
            for (size_t i = 0; i < s->nreasons; i++) s->counts[i] += st[j].counts[i];
            for (size_t i = 0; i < 5; i++) s->status_counts[i] += st[j].status_counts[i];
            s->errors += st[j].errors;
            s->deliveries += st[j].deliveries;
        }
        if (cmd == LINES_LOG) {
            fprintf(stderr, "%zu lines, %zu delivery records, %zu other lines\n", lineno, s->deliveries,
                    lineno - s->deliveries);
            for (size_t i = 1; i < 5; i++)
                if (s->status_counts[i]) fprintf(stderr, "%8zu  %s\n", s->status_counts[i], log_status_names[i]);
            if (s->status_counts[0]) fprintf(stderr, "%8zu  %s\n", s->status_counts[0], "other status");
            for (size_t i = 0; i < s->nreasons; i++)
                if (s->counts[i]) fprintf(stderr, "%8zu  reason %s\n", s->counts[i], smtpcodes_reason_name((int)i));
        } else {
            fprintf(stderr, "%zu lines, %zu errors\n", lineno, s->errors);
            for (size_t i = 0; i < s->nreasons; i++)
                if (s->counts[i]) fprintf(stderr, "%8zu  %s\n", s->counts[i], smtpcodes_reason_name((int)i));
        }
        if (fflush(stderr) != 0 || ferror(stderr)) rc = EXIT_USAGE;   /* the summary is output too */
    }
    for (int i = 0; i < jobs; i++) line_state_free(&st[i]);
    free(st);
    return rc;
}

/* ---- main ---------------------------------------------------------------------- */

/* An option with a value, "--name=VALUE" or "--name VALUE", matched exactly:
 * 1 (value in *v), 0 (not this option), -1 (no value follows). */
/* ---- bounce ------------------------------------------------------------------- */

/* A whole file read with read(2): *buf grows; 0, or an errno. */
static int read_all(int fd, char **buf, size_t *cap, size_t *len) {
    *len = 0;
    for (;;) {
        if (*len == *cap) {
            size_t c = *cap ? *cap * 2 : 65536;
            char *p = realloc(*buf, c);
            if (!p) return ENOMEM;
            *buf = p;
            *cap = c;
        }
        ssize_t k = read(fd, *buf + *len, *cap - *len);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return errno;
        if (k == 0) return 0;
        *len += (size_t)k;
    }
}

typedef struct bounce_run {
    const opts *o;
    void *scratch;
    size_t scratch_cap;
    gbuf ev, card;
    size_t messages, recipients, unreadable, truncated;
    size_t kinds[6];
    size_t *reasons;
    size_t done, total;        /* progress: inputs done of total */
    int progress;
    int cards;                 /* print each message's card, also as plain text */
} bounce_run;

static const char *bounce_evidence(bounce_run *br, const smtpcodes_classification *c) {
    for (int attempt = 0; attempt < 4; attempt++) {
        int n = smtpcodes_render_evidence(c, br->o->lang, br->ev.p, br->ev.cap);
        if (n < 0) return "";
        if (br->ev.p && (size_t)n < br->ev.cap) return br->ev.p;
        char *p = realloc(br->ev.p, (size_t)n + 1);
        if (!p) { out_oom(br->o->out); return NULL; }
        br->ev.p = p;
        br->ev.cap = (size_t)n + 1;
    }
    return "";
}

/* One message: one output line per recipient (a message without recipients
 * gets one line with recipient "-" and its kind in parentheses as the reason). */
static int bounce_message(bounce_run *br, const char *name, const char *m, size_t len) {
    out *f = br->o->out;
    size_t need = SMTPCODES_BOUNCE_SCRATCH(len);
    smtpcodes_bounce b;
    for (int round = 0; round < 2; round++) {
        if (br->scratch_cap < need) {
            void *p = realloc(br->scratch, need);
            if (!p) { out_oom(f); return -1; }
            br->scratch = p;
            br->scratch_cap = need;
        }
        smtpcodes_parse_bounce(m, len, br->scratch, br->scratch_cap, &b);
        if (!(b.truncated & SMTPCODES_BT_SCRATCH) || round) break;
        size_t n = b.total_recipients < SMTPCODES_MAX_RECIPIENTS ? b.total_recipients : SMTPCODES_MAX_RECIPIENTS;
        need = SMTPCODES_BOUNCE_SCRATCH(len) + (n + 1) * sizeof(smtpcodes_bounce_recipient) + len;
    }
    br->messages++;
    br->recipients += b.nrecipients;
    if (b.truncated) br->truncated++;
    if ((unsigned)b.kind < 6) br->kinds[b.kind]++;
    const char *kind = smtpcodes_bounce_kind_name(b.kind);
    if ((br->o->format != SMTPCODES_TEXT || br->cards) && !br->o->json) {
        /* --markdown / --html: the card of each message */
        render_req q = req(SMTPCODES_RENDER_BOUNCE, &b, br->o->lang, br->o->format);
        const char *card = render(f, &q, &br->card);
        if (!card) return -1;   /* render() said why */
        out_puts(f, card);
        out_putc(f, '\n');
        return out_record(f);
    }
    size_t rows = b.nrecipients ? b.nrecipients : 1;
    for (size_t i = 0; i < rows && !out_failed(f); i++) {
        const smtpcodes_bounce_recipient *r = b.nrecipients ? &b.recipients[i] : NULL;
        const smtpcodes_classification *c = r ? &r->classification : NULL;
        const char *reason = c ? smtpcodes_reason_name(c->reason) : NULL;
        const char *ev = c ? bounce_evidence(br, c) : "";
        if (!ev) return -1;
        if (c && br->reasons && (size_t)c->reason < smtpcodes_reason_count()) br->reasons[c->reason]++;
        const char *code = r && r->has_reply && r->reply.has_basic ? r->reply.reply_code.text : NULL;
        if (br->o->json) {
            int first = 1;
            out_putc(f, '{');
            json_key(f, &first, "file"); json_cstr(f, name);
            json_key(f, &first, "kind"); json_cstr(f, kind);
            json_key(f, &first, "format"); json_cstr(f, b.format);
            json_key(f, &first, "recipient"); json_view(f, r ? r->recipient.ptr : NULL, r ? r->recipient.len : 0);
            json_key(f, &first, "action"); json_cstr(f, r ? r->action : NULL);
            json_key(f, &first, "reason"); json_cstr(f, reason);
            json_key(f, &first, "permanence"); json_cstr(f, c ? smtpcodes_permanence_name(c->permanence) : NULL);
            json_key(f, &first, "hard_bounce"); if (c) json_bool(f, c->hard_bounce); else out_puts(f, "null");
            json_key(f, &first, "status"); json_view(f, r ? r->status.ptr : NULL, r ? r->status.len : 0);
            json_key(f, &first, "code"); json_cstr(f, code);
            json_key(f, &first, "provider"); json_cstr(f, c ? c->provider : NULL);
            json_key(f, &first, "stage"); json_cstr(f, r ? r->stage : NULL);
            json_key(f, &first, "diagnostic"); json_view(f, r ? r->diagnostic.ptr : NULL, r ? r->diagnostic.len : 0);
            json_key(f, &first, "evidence"); json_cstr(f, c ? ev : NULL);
            json_key(f, &first, "truncated"); json_bool(f, b.truncated != 0);
            out_puts(f, "}\n");
        } else {
            tsv_view(f, name, strlen(name));
            out_putc(f, '\t');
            if (r) tsv_view(f, r->recipient.ptr, r->recipient.len); else out_putc(f, '-');
            out_putc(f, '\t');
            out_puts(f, r && r->action ? r->action : "-");
            out_putc(f, '\t');
            if (c) out_printf(f, "%s%s%s", perm_color(br->o, c->permanence), reason, color(br->o, RESET));
            else out_printf(f, "(%s)", kind);
            out_printf(f, "\t%s\t%s\t", c ? smtpcodes_permanence_name(c->permanence) : "-",
                       c ? (c->hard_bounce ? "1" : "0") : "-");
            if (r) tsv_view(f, r->status.ptr, r->status.len); else out_putc(f, '-');
            out_printf(f, "\t%s\t%s\t", code ? code : "-", c && c->provider ? c->provider : "-");
            tsv_view(f, c ? ev : NULL, c ? strlen(ev) : 0);
            out_putc(f, '\n');
        }
        if (out_record(f) < 0) return -1;
    }
    return 0;
}

/* An mbox: its messages (the core's smtpcodes_mbox_next), each labelled name:N. */
static int bounce_mbox(bounce_run *br, const char *name, const char *m, size_t len) {
    size_t pos = 0, no = 0;
    smtpcodes_span msg;
    char *label = malloc(strlen(name) + 32);
    if (!label) { out_oom(br->o->out); return -1; }
    while (!out_failed(br->o->out) && smtpcodes_mbox_next(m, len, &pos, &msg) == 1) {
        sprintf(label, "%s:%zu", name, ++no);
        if (bounce_message(br, label, msg.ptr, msg.len) < 0) { free(label); return -1; }
    }
    free(label);
    return 0;
}

static int bounce_file(bounce_run *br, const char *path, char **buf, size_t *cap) {
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    const char *name = strcmp(path, "-") == 0 ? "-" : path;
    if (fd < 0) {
        fprintf(stderr, "smtpcodes: cannot open '%s': %s\n", path, strerror(errno));
        br->unreadable++;
        return 0;
    }
    size_t len;
    int err = read_all(fd, buf, cap, &len);
    if (fd != STDIN_FILENO && close(fd) != 0 && !err) err = errno;
    if (err == ENOMEM) { out_oom(br->o->out); return -1; }
    if (err) {
        input_error(fd == STDIN_FILENO ? NULL : path, err);
        br->unreadable++;
        return 0;
    }
    if (smtpcodes_is_mbox(*buf, len)) return bounce_mbox(br, name, *buf, len);
    return bounce_message(br, name, *buf, len);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The regular files of a directory, sorted (a maildir: of its cur/ and new/). */
static int list_dir(const char *dir, char ***names, size_t *n, size_t *cap) {
    DIR *d = opendir(dir);
    if (!d) return errno;
    struct dirent *e;
    int err = 0;
    size_t first = *n;
    while ((errno = 0, e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(l);
        if (!p) { err = ENOMEM; break; }
        snprintf(p, l, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) { free(p); continue; }
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 64;
            char **q = realloc(*names, c * sizeof *q);
            if (!q) { free(p); err = ENOMEM; break; }
            *names = q;
            *cap = c;
        }
        (*names)[(*n)++] = p;
    }
    if (!err && errno) err = errno;
    closedir(d);
    if (*names && *n > first) qsort(*names + first, *n - first, sizeof **names, cmp_str);
    return err;
}

static int explain_message_file(const opts *o, const char *path) {
    bounce_run br;
    memset(&br, 0, sizeof br);
    br.o = o;
    br.cards = 1;
    char *buf = NULL;
    size_t cap = 0;
    int r = bounce_file(&br, path, &buf, &cap);
    free(buf);
    free(br.scratch);
    free(br.ev.p);
    free(br.card.p);
    if (r < 0 || out_failed(o->out)) return EXIT_USAGE;
    return br.unreadable ? EXIT_USAGE : EXIT_OK;
}

static int cmd_bounce(const opts *o, int argc, char **argv) {
    static char dash[] = "-";
    char *stdin_only[1] = {dash};
    if (argc == 0) { argc = 1; argv = stdin_only; }
    bounce_run br;
    memset(&br, 0, sizeof br);
    br.o = o;
    br.reasons = calloc(smtpcodes_reason_count() + 1, sizeof *br.reasons);
    char **files = NULL;
    size_t nfiles = 0, capfiles = 0;
    int rc = EXIT_OK;
    if (!br.reasons) return oom(o);
    /* expand directories first, so that the progress bar knows the total */
    for (int i = 0; i < argc; i++) {
        struct stat sb;
        if (strcmp(argv[i], "-") != 0 && stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            size_t l = strlen(argv[i]) + 5;
            char *cur = malloc(l), *nw = malloc(l);
            struct stat c1, c2;
            int err = 0;
            if (!cur || !nw) err = ENOMEM;
            else {
                snprintf(cur, l, "%s/cur", argv[i]);
                snprintf(nw, l, "%s/new", argv[i]);
                int maildir = (stat(cur, &c1) == 0 && S_ISDIR(c1.st_mode)) | (stat(nw, &c2) == 0 && S_ISDIR(c2.st_mode));
                if (maildir) {
                    if (stat(cur, &c1) == 0) err = list_dir(cur, &files, &nfiles, &capfiles);
                    if (!err && stat(nw, &c2) == 0) err = list_dir(nw, &files, &nfiles, &capfiles);
                } else {
                    err = list_dir(argv[i], &files, &nfiles, &capfiles);
                }
            }
            free(cur);
            free(nw);
            if (err == ENOMEM) { rc = oom(o); goto done; }
            if (err) { input_error(argv[i], err); br.unreadable++; }
            continue;
        }
        if (nfiles == capfiles) {
            size_t c = capfiles ? capfiles * 2 : 64;
            char **q = realloc(files, c * sizeof *q);
            if (!q) { rc = oom(o); goto done; }
            files = q;
            capfiles = c;
        }
        files[nfiles] = strdup(argv[i]);
        if (!files[nfiles]) { rc = oom(o); goto done; }
        nfiles++;
    }
    br.total = nfiles;
    br.progress = isatty(STDERR_FILENO) && nfiles > 1;
    {
        char *buf = NULL;
        size_t cap = 0;
        for (size_t i = 0; i < nfiles && !out_failed(o->out); i++) {
            if (bounce_file(&br, files[i], &buf, &cap) < 0) break;
            br.done = i + 1;
            if (br.progress && ((i & 63) == 0 || i + 1 == nfiles)) progress((long long)br.done, (long long)br.total, br.messages);
        }
        free(buf);
    }
    if (br.progress) fputc('\n', stderr);
    if (out_failed(o->out)) rc = EXIT_USAGE;
    if (br.unreadable) rc = EXIT_USAGE;
    if (o->stats && !out_failed(o->out)) {
        fprintf(stderr, "%zu messages, %zu recipients, %zu unreadable, %zu cut by a limit\n", br.messages,
                br.recipients, br.unreadable, br.truncated);
        for (int k = 0; k < 6; k++)
            if (br.kinds[k]) fprintf(stderr, "%8zu  %s\n", br.kinds[k], smtpcodes_bounce_kind_name((smtpcodes_bounce_kind)k));
        for (size_t i = 0; i < smtpcodes_reason_count(); i++)
            if (br.reasons[i]) fprintf(stderr, "%8zu  %s\n", br.reasons[i], smtpcodes_reason_name((int)i));
        if (fflush(stderr) != 0 || ferror(stderr)) rc = EXIT_USAGE;
    }
done:
    for (size_t i = 0; i < nfiles; i++) free(files[i]);
    free(files);
    free(br.scratch);
    free(br.ev.p);
    free(br.card.p);
    free(br.reasons);
    return rc;
}

/* The long options: one table for parsing, and for the hint that "-json" means "--json". */
enum opt_id { OPT_HELP, OPT_VERSION, OPT_JSON, OPT_MARKDOWN, OPT_HTML, OPT_STATS, OPT_COLOR, OPT_LANG, OPT_JOBS,
              OPT_KIND, OPT_CLASS };
static const struct long_opt { const char *name; enum opt_id id; int takes_value; } long_opts[] = {
    {"help", OPT_HELP, 0},      {"version", OPT_VERSION, 0}, {"json", OPT_JSON, 0},   {"markdown", OPT_MARKDOWN, 0},
    {"html", OPT_HTML, 0},      {"stats", OPT_STATS, 0},     {"color", OPT_COLOR, 1}, {"lang", OPT_LANG, 1},
    {"jobs", OPT_JOBS, 1},      {"kind", OPT_KIND, 1},       {"class", OPT_CLASS, 1},
};

/* The long option a word after the dashes names: "json", "lang" or "lang=es" (a name followed by
 * the end or '='), or NULL. */
static const struct long_opt *long_named(const char *w) {
    for (size_t k = 0; k < sizeof long_opts / sizeof long_opts[0]; k++) {
        size_t n = strlen(long_opts[k].name);
        if (strncmp(w, long_opts[k].name, n) == 0 && (w[n] == '\0' || w[n] == '=')) return &long_opts[k];
    }
    return NULL;
}

/* -j's value: 1 to JOBS_MAX, or "auto" (the CPUs online, at most JOBS_MAX); -1 otherwise */
static int parse_jobs(const char *v, int *jobs) {
    if (strcmp(v, "auto") == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        *jobs = n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : (int)n;
        return 0;
    }
    int n = 0;
    if (!*v) return -1;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        n = n * 10 + (*p - '0');
        if (n > JOBS_MAX) return -1;
    }
    if (n < 1) return -1;
    *jobs = n;
    return 0;
}

static int run(opts *o, int argc, char **argv, char **rest) {
    int lang_given = 0, nrest = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (options_done || a[0] != '-' || a[1] == '\0') { rest[nrest++] = argv[i]; continue; }
        if (strcmp(a, "--") == 0) { options_done = 1; continue; }
        if (strcmp(a, "-h") == 0) { out_puts(o->out, usage_text); return EXIT_OK; }
        const struct long_opt *lo;
        /* -j N, -jN, -jauto: --jobs; a longer word such as "-json" is not -j (it gets the hint below) */
        if (a[1] == 'j' && (a[2] == '\0' || (a[2] >= '0' && a[2] <= '9') || strcmp(a + 2, "auto") == 0)) {
            lo = long_named("jobs");
            if (a[2]) v = a + 2;
            else if (i + 1 < argc) v = argv[++i];
        } else if (a[1] != '-') {
            /* "-json" for "--json": say so rather than read it as a file name */
            if (long_named(a + 1)) {
                fprintf(stderr, "smtpcodes: unknown option '%s' (did you mean '-%s'?)\n", a, a);
                return EXIT_USAGE;
            }
            rest[nrest++] = argv[i];   /* "-1", "-x": operands, as before (a code never starts with '-') */
            continue;
        } else {
            lo = long_named(a + 2);
            const char *eq = lo ? strchr(a + 2, '=') : NULL;
            if (lo && eq && !lo->takes_value) lo = NULL;   /* "--json=x" */
            else if (lo && eq) v = eq + 1;
            else if (lo && lo->takes_value && i + 1 < argc) v = argv[++i];
        }
        if (!lo) {
            fprintf(stderr, "smtpcodes: unknown option '%s'\n\n%s", a, usage_text);
            return EXIT_USAGE;
        }
        if (lo->takes_value && !v) {
            fprintf(stderr, "smtpcodes: option '%s' needs a value\n", a);   /* "-j" or "--lang": no '=' */
            return EXIT_USAGE;
        }
        if (!v) v = "";   /* a flag: no value is read below */
        switch (lo->id) {
        case OPT_HELP: out_puts(o->out, usage_text); return EXIT_OK;
        case OPT_VERSION:
            out_printf(o->out, "smtpcodes %s (data %s)\n", smtpcodes_version(), smtpcodes_data_version());
            return EXIT_OK;
        case OPT_JSON: o->json = 1; break;
        case OPT_MARKDOWN: o->format = SMTPCODES_MARKDOWN; break;
        case OPT_HTML: o->format = SMTPCODES_HTML; break;
        case OPT_STATS: o->stats = 1; break;
        case OPT_COLOR:
            if (strcmp(v, "always") == 0) o->color = 1;
            else if (strcmp(v, "never") == 0) o->color = 0;
            else if (strcmp(v, "auto") == 0) o->color = -1;
            else { fprintf(stderr, "smtpcodes: --color must be auto, always or never\n"); return EXIT_USAGE; }
            break;
        case OPT_LANG:
            if (smtpcodes_lang_from_tag(v, strlen(v), &o->lang) != SMTPCODES_OK) {
                fprintf(stderr, "smtpcodes: unknown language '%s' (use en or es)\n", v);
                return EXIT_USAGE;
            }
            lang_given = 1;
            break;
        case OPT_JOBS:
            if (parse_jobs(v, &o->jobs) != 0) {
                fprintf(stderr, "smtpcodes: --jobs must be a number from 1 to %d or auto, not '%s'\n", JOBS_MAX, v);
                return EXIT_USAGE;
            }
            break;
        case OPT_KIND: o->kind = v; break;
        case OPT_CLASS:
            if (!(v[0] >= '1' && v[0] <= '5' && v[1] == '\0')) {
                fprintf(stderr, "smtpcodes: --class must be a digit 1-5\n");
                return EXIT_USAGE;
            }
            o->class_digit = v[0] - '0';
            break;
        }
    }
    const char *no_color = getenv("NO_COLOR");   /* no-color.org: set and not empty */
    if (o->color < 0) o->color = isatty(STDOUT_FILENO);
    if (no_color && no_color[0]) o->color = 0;
    if (o->json) o->color = 0;
    if (nrest <= 0) { fputs(usage_text, stderr); return EXIT_USAGE; }
    const char *cmd = rest[0];
    if (strcmp(cmd, "lookup") == 0) return cmd_lookup(o, nrest - 1, rest + 1);
    if (strcmp(cmd, "explain") == 0) return cmd_explain(o, nrest - 1, rest + 1);
    if (strcmp(cmd, "compare") == 0) return cmd_compare(o, nrest - 1, rest + 1);
    if (strcmp(cmd, "classify") == 0) return cmd_lines(o, LINES_CLASSIFY, nrest - 1, rest + 1);
    if (strcmp(cmd, "log") == 0) return cmd_lines(o, LINES_LOG, nrest - 1, rest + 1);
    if (strcmp(cmd, "bounce") == 0) return cmd_bounce(o, nrest - 1, rest + 1);
    if (strcmp(cmd, "list") == 0) {
        if (nrest == 1) return cmd_list(o);
        fputs("smtpcodes: list takes options only\n", stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "search") == 0) return cmd_search(o, nrest - 1, rest + 1, lang_given);
    if (strcmp(cmd, "commands") == 0) return cmd_commands(o, nrest - 1, rest + 1);
    if (strcmp(cmd, "tags") == 0) return cmd_tags(o, nrest - 1, rest + 1);
    fprintf(stderr, "smtpcodes: unknown command '%s'\n\n%s", cmd, usage_text);
    return EXIT_USAGE;
}

int smtpcodes_cli(int argc, char **argv) {
    /* whatever stdio holds goes first: from here on stdout is written with write(2) */
    if (fflush(stdout) != 0) {
        fprintf(stderr, "smtpcodes: cannot write to standard output: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    clearerr(stderr);
    /* a closed stdout fails now, before a file opened by classify could take its number */
    if (fcntl(STDOUT_FILENO, F_GETFL) < 0) {
        fprintf(stderr, "smtpcodes: cannot write to standard output: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    out f = {STDOUT_FILENO, NULL, 0, 0, NULL, 0, 0, isatty(STDOUT_FILENO), 0, 0, 0};
    opts o = {SMTPCODES_EN, 0, -1, 0, SMTPCODES_TEXT, NULL, -1, &f, 1};
    char **rest = malloc(((size_t)(argc > 0 ? argc : 1)) * sizeof *rest);   /* every operand, no fixed limit */
    int rc;
    if (!rest) { out_oom(&f); rc = EXIT_USAGE; }
    else rc = run(&o, argc, argv, rest);
    free(rest);
    if (!out_failed(&f) && (f.nends == 0 || f.ends[f.nends - 1] != f.len)) out_record(&f);   /* --help, --version */
    out_flush(&f);   /* the whole records, even after a fatal error */
    if (f.err == EPIPE) {
        rc = EXIT_BROKEN_PIPE;   /* SIGPIPE is ignored (else it would have ended us): no message, as a kill */
    } else if (f.err) {
        fprintf(stderr, "smtpcodes: cannot write to standard output: %s\n", strerror(f.err));
        rc = EXIT_USAGE;
    } else if (f.fatal) {
        rc = EXIT_USAGE;
    }
    free(f.buf);
    free(f.ends);
    if (rc == EXIT_OK && (fflush(stderr) != 0 || ferror(stderr))) rc = EXIT_USAGE;
    return rc;
}
