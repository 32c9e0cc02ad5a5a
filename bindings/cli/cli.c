/* cli.c - the smtpcodes command line, over the C core.
 *
 * smtpcodes_cli() is the whole program; bindings/cli/main.c calls it for the
 * `smtpcodes` binary and the Python extension calls it for `python -m smtpcodes`,
 * so both print exactly the same thing. Exit codes: 0 ok, 1 not found, 2 usage
 * or malformed input. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "smtpcodes.h"

enum { EXIT_OK = 0, EXIT_NOT_FOUND = 1, EXIT_USAGE = 2 };

typedef struct opts {
    smtpcodes_lang lang;
    int json, markdown, color, stats;
    const char *kind;
    int class_digit;
} opts;

static const char usage_text[] =
    "usage: smtpcodes [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Explain SMTP reply codes and enhanced status codes, compare them, classify bounces.\n"
    "\n"
    "commands:\n"
    "  lookup CODE...          describe codes (550, 5.1.1, X.7.1)\n"
    "  explain REPLY|CODE      explain a reply (\"550 5.1.1 User unknown\") or a code\n"
    "  compare A B             compare two codes, like a reference page\n"
    "  classify [FILE|-]       classify each line of a log or of stdin: one output line per\n"
    "                          input line (TSV: line, reason, permanence, hard_bounce, retry,\n"
    "                          code, enhanced, vendor, evidence)\n"
    "  list [--kind basic|enhanced] [--class N]\n"
    "                          list the codes of the knowledge base\n"
    "  search WORDS            codes whose title or description match\n"
    "  commands [COMMAND]      SMTP commands, or the replies one command may get\n"
    "\n"
    "options:\n"
    "  --lang en|es            language of every text (default en)\n"
    "  --json                  one JSON object per result (JSON lines)\n"
    "  --markdown              Markdown instead of plain text (explain, compare)\n"
    "  --stats                 classify: a summary of reasons on stderr at the end\n"
    "  --color=auto|always|never  colour on a terminal (auto; NO_COLOR disables)\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 not found (unknown code, no match), 2 usage or malformed input\n";

/* ---- output helpers -------------------------------------------------------- */

static void json_str(FILE *f, const char *s, size_t n) {
    char small[512];
    int need = smtpcodes_json_string(s, n, small, sizeof small);
    if (need < 0) { fputs("null", f); return; }
    if ((size_t)need < sizeof small) { fwrite(small, 1, (size_t)need, f); return; }
    char *big = malloc((size_t)need + 1);
    if (!big) { fputs("null", f); return; }
    smtpcodes_json_string(s, n, big, (size_t)need + 1);
    fwrite(big, 1, (size_t)need, f);
    free(big);
}

static void json_cstr(FILE *f, const char *s) {
    if (s) json_str(f, s, strlen(s)); else fputs("null", f);
}

static void json_key(FILE *f, int *first, const char *key) {
    if (!*first) fputs(", ", f);
    *first = 0;
    json_cstr(f, key);
    fputs(": ", f);
}

/* Render through a sizing call and a heap buffer (the CLI may allocate; the core never does). */
static char *render_code(const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    int n = smtpcodes_explain_code(c, lang, fmt, NULL, 0);
    if (n < 0) return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf) smtpcodes_explain_code(c, lang, fmt, buf, (size_t)n + 1);
    return buf;
}

static char *render_reply(const smtpcodes_reply *r, smtpcodes_lang lang, smtpcodes_format fmt) {
    int n = smtpcodes_explain_reply(r, lang, fmt, NULL, 0);
    if (n < 0) return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf) smtpcodes_explain_reply(r, lang, fmt, buf, (size_t)n + 1);
    return buf;
}

static char *render_cmp(const smtpcodes_comparison *c, smtpcodes_section s, smtpcodes_lang lang, smtpcodes_format fmt) {
    int n = smtpcodes_render_comparison(c, s, lang, fmt, NULL, 0);
    if (n < 0) return NULL;
    char *buf = malloc((size_t)n + 1);
    if (buf) smtpcodes_render_comparison(c, s, lang, fmt, buf, (size_t)n + 1);
    return buf;
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
    /* headings (lines without a colon ending the first line) in bold on a terminal */
    if (!o->color || o->markdown) { fputs(text, stdout); return; }
    const char *p = text;
    int first = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        /* the title line, and short lines ending in ':' ("How to fix it:") */
        int heading = first || (n && n < 40 && p[n - 1] == ':');
        if (heading && n) printf("%s%.*s%s", BOLD, (int)n, p, RESET);
        else fwrite(p, 1, n, stdout);
        if (e) fputc('\n', stdout);
        p += n + (e ? 1 : 0);
        first = 0;
    }
}

static void json_list_strs(FILE *f, const char *const *items, size_t n) {
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(", ", f);
        json_cstr(f, items[i]);
    }
    fputc(']', f);
}

static void json_code_value(FILE *f, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) fprintf(f, "%d%d%d", c->digits[0], c->digits[1], c->digits[2]);
    else json_cstr(f, c->text);
}

/* A code as JSON, with the API's field names. */
static void json_code(FILE *f, const smtpcodes_code *c, smtpcodes_lang lang) {
    const smtpcodes_entry *e = c->entry;
    int first = 1;
    fputc('{', f);
    json_key(f, &first, "code"); json_code_value(f, c);
    json_key(f, &first, "kind"); json_cstr(f, c->kind == SMTPCODES_BASIC ? "basic" : "enhanced");
    json_key(f, &first, "title"); json_cstr(f, smtpcodes_text(c, SMTPCODES_TITLE, lang));
    json_key(f, &first, "description"); json_cstr(f, smtpcodes_text(c, SMTPCODES_DESCRIPTION, lang));
    json_key(f, &first, "when"); json_cstr(f, smtpcodes_text(c, SMTPCODES_WHEN, lang));
    json_key(f, &first, "fix"); json_cstr(f, smtpcodes_text(c, SMTPCODES_FIX, lang));
    json_key(f, &first, "references"); json_list_strs(f, e ? e->refs : NULL, e ? e->nrefs : 0);
    json_key(f, &first, "commands");
    fputc('[', f);
    if (e && c->kind == SMTPCODES_BASIC) {
        int n = 0;
        for (size_t i = 0; i < smtpcodes_command_count(); i++)
            if (e->commands & (1ul << i)) { if (n++) fputs(", ", f); json_cstr(f, smtpcodes_command_name(i)); }
    }
    fputc(']', f);
    json_key(f, &first, "basic_codes");
    fputc('[', f);
    for (size_t i = 0; e && i < e->nbasic; i++) fprintf(f, i ? ", %u" : "%u", e->basic_codes[i]);
    fputc(']', f);
    json_key(f, &first, "related"); json_list_strs(f, e ? e->related : NULL, e ? e->nrelated : 0);
    json_key(f, &first, "digits"); fprintf(f, "[%d, %d, %d]", c->digits[0], c->digits[1], c->digits[2]);
    json_key(f, &first, "class_name"); json_cstr(f, smtpcodes_class_name(c, lang));
    json_key(f, &first, "category_name"); json_cstr(f, smtpcodes_category_name(c, lang));
    smtpcodes_permanence p = smtpcodes_permanence_of(c);
    json_key(f, &first, "is_success"); fputs(p == SMTPCODES_PERM_SUCCESS ? "true" : "false", f);
    json_key(f, &first, "is_intermediate"); fputs(p == SMTPCODES_PERM_INTERMEDIATE ? "true" : "false", f);
    json_key(f, &first, "is_transient"); fputs(p == SMTPCODES_PERM_TEMPORARY ? "true" : "false", f);
    json_key(f, &first, "is_permanent"); fputs(p == SMTPCODES_PERM_PERMANENT ? "true" : "false", f);
    unsigned fl = smtpcodes_flags(c);
    json_key(f, &first, "standard"); fputs(fl & SMTPCODES_E_STANDARD ? "true" : "false", f);
    json_key(f, &first, "vendor"); json_cstr(f, e ? e->vendor : NULL);
    json_key(f, &first, "deprecated"); fputs(fl & SMTPCODES_E_DEPRECATED ? "true" : "false", f);
    json_key(f, &first, "known"); fputs(c->known ? "true" : "false", f);
    json_key(f, &first, "lang"); json_cstr(f, smtpcodes_lang_tag(lang));
    fputc('}', f);
}

static void print_code_line(const opts *o, const smtpcodes_code *c) {
    printf("%s%s%s%s  %s%s", color(o, BOLD), perm_color(o, smtpcodes_permanence_of(c)), c->text, color(o, RESET),
           smtpcodes_text(c, SMTPCODES_TITLE, o->lang), c->known ? "" : (o->lang == SMTPCODES_ES ? "  [desconocido]" : "  [unknown]"));
    if (c->entry && c->entry->vendor) printf("  (%s)", c->entry->vendor);
    fputc('\n', stdout);
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

/* ---- commands ----------------------------------------------------------------- */

static int cmd_lookup(const opts *o, int argc, char **argv) {
    if (argc < 1) { fputs("smtpcodes: lookup needs at least one CODE\n", stderr); return EXIT_USAGE; }
    int rc = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        smtpcodes_code c;
        int st = smtpcodes_lookup(argv[i], strlen(argv[i]), &c);
        if (st != SMTPCODES_OK) { rc = bad_input("malformed code", argv[i], st); continue; }
        if (!c.known && rc == EXIT_OK) rc = EXIT_NOT_FOUND;
        if (o->json) { json_code(stdout, &c, o->lang); fputc('\n', stdout); continue; }
        char *t = render_code(&c, o->lang, o->markdown ? SMTPCODES_MARKDOWN : SMTPCODES_TEXT);
        if (!t) return EXIT_USAGE;
        if (i) fputc('\n', stdout);
        print_text(o, t);
        free(t);
    }
    return rc;
}

static int cmd_explain(const opts *o, int argc, char **argv) {
    if (argc < 1) { fputs("smtpcodes: explain needs a REPLY or a CODE\n", stderr); return EXIT_USAGE; }
    /* the arguments form one reply: `smtpcodes explain 550 5.1.1 User unknown` */
    char *s = join_args(argc, argv);
    if (!s) return EXIT_USAGE;
    size_t len = strlen(s);
    smtpcodes_code c;
    char *t = NULL;
    int rc = EXIT_OK;
    if (smtpcodes_lookup(s, len, &c) == SMTPCODES_OK) {
        t = render_code(&c, o->lang, o->markdown ? SMTPCODES_MARKDOWN : SMTPCODES_TEXT);
        if (o->json) {
            char *md = render_code(&c, o->lang, SMTPCODES_MARKDOWN);
            char *tx = render_code(&c, o->lang, SMTPCODES_TEXT);
            int first = 1;
            fputc('{', stdout);
            json_key(stdout, &first, "code"); json_code(stdout, &c, o->lang);
            json_key(stdout, &first, "text"); json_cstr(stdout, tx);
            json_key(stdout, &first, "markdown"); json_cstr(stdout, md);
            fputs("}\n", stdout);
            free(md); free(tx);
        }
        if (!c.known) rc = EXIT_NOT_FOUND;
    } else {
        smtpcodes_reply *r = malloc(sizeof *r);
        if (!r) { free(s); return EXIT_USAGE; }
        int st = smtpcodes_parse(s, len, 0, r);
        if (st != SMTPCODES_OK) { rc = bad_input("cannot explain", s, st); free(r); free(s); return rc; }
        t = render_reply(r, o->lang, o->markdown ? SMTPCODES_MARKDOWN : SMTPCODES_TEXT);
        if (o->json) {
            char *md = render_reply(r, o->lang, SMTPCODES_MARKDOWN);
            char *tx = render_reply(r, o->lang, SMTPCODES_TEXT);
            int first = 1;
            fputc('{', stdout);
            json_key(stdout, &first, "code");
            if (r->has_basic) json_code_value(stdout, &r->reply_code); else fputs("null", stdout);
            json_key(stdout, &first, "enhanced");
            if (r->has_enhanced) json_cstr(stdout, r->status_code.text); else fputs("null", stdout);
            json_key(stdout, &first, "permanence"); json_cstr(stdout, smtpcodes_permanence_name(r->permanence));
            json_key(stdout, &first, "flags");
            fputc('[', stdout);
            int n = 0;
            for (size_t i = 0; i < SMTPCODES_NFLAGS; i++)
                if (r->flags & (1u << i)) { if (n++) fputs(", ", stdout); json_cstr(stdout, smtpcodes_flag_name(i)); }
            fputc(']', stdout);
            json_key(stdout, &first, "text"); json_cstr(stdout, tx);
            json_key(stdout, &first, "markdown"); json_cstr(stdout, md);
            fputs("}\n", stdout);
            free(md); free(tx);
        }
        free(r);
    }
    if (!o->json && t) print_text(o, t);
    free(t);
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
    if (o->json) {
        int first = 1;
        fputc('{', stdout);
        json_key(stdout, &first, "a"); json_code(stdout, &a, o->lang);
        json_key(stdout, &first, "b"); json_code(stdout, &b, o->lang);
        for (int pass = 0; pass < 2; pass++) {
            json_key(stdout, &first, pass ? "similarities" : "differences");
            fputc('[', stdout);
            int n = 0;
            for (int x = 0; x < SMTPCODES_NASPECT; x++) {
                if (cmp.same[x] != pass) continue;
                char va[512], vb[512];
                smtpcodes_aspect_value(&cmp, (smtpcodes_aspect)x, 0, o->lang, va, sizeof va);
                smtpcodes_aspect_value(&cmp, (smtpcodes_aspect)x, 1, o->lang, vb, sizeof vb);
                if (n++) fputs(", ", stdout);
                fputc('[', stdout);
                json_cstr(stdout, smtpcodes_aspect_name((smtpcodes_aspect)x, SMTPCODES_EN));
                fputs(", ", stdout);
                json_cstr(stdout, va);
                if (!pass) { fputs(", ", stdout); json_cstr(stdout, vb); }
                fputc(']', stdout);
            }
            fputc(']', stdout);
        }
        static const struct { const char *key; smtpcodes_section s; smtpcodes_format f; } parts[] = {
            {"summary", SMTPCODES_SECTION_SUMMARY, SMTPCODES_TEXT},
            {"key_differences", SMTPCODES_SECTION_KEY_DIFFERENCES, SMTPCODES_TEXT},
            {"when_to_use", SMTPCODES_SECTION_WHEN_TO_USE, SMTPCODES_TEXT},
            {"text", SMTPCODES_SECTION_ALL, SMTPCODES_TEXT},
            {"markdown", SMTPCODES_SECTION_ALL, SMTPCODES_MARKDOWN},
        };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            char *t = render_cmp(&cmp, parts[i].s, o->lang, parts[i].f);
            json_key(stdout, &first, parts[i].key);
            json_cstr(stdout, t);
            free(t);
        }
        fputs("}\n", stdout);
    } else {
        char *t = render_cmp(&cmp, SMTPCODES_SECTION_ALL, o->lang, o->markdown ? SMTPCODES_MARKDOWN : SMTPCODES_TEXT);
        if (!t) return EXIT_USAGE;
        print_text(o, t);
        free(t);
    }
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
    for (size_t i = 0; i < smtpcodes_count(); i++) {
        smtpcodes_code c;
        smtpcodes_code_of(smtpcodes_at(i), &c);
        if (kind && c.kind != kind) continue;
        if (o->class_digit >= 0 && c.digits[0] != o->class_digit) continue;
        n++;
        if (o->json) { json_code(stdout, &c, o->lang); fputc('\n', stdout); }
        else print_code_line(o, &c);
    }
    return n ? EXIT_OK : EXIT_NOT_FOUND;
}

static int cmd_search(const opts *o, int argc, char **argv, int lang_given) {
    if (argc < 1) { fputs("smtpcodes: search needs WORDS\n", stderr); return EXIT_USAGE; }
    char *s = join_args(argc, argv);
    if (!s) return EXIT_USAGE;
    const smtpcodes_entry *found[512];
    int n = smtpcodes_search(s, strlen(s), lang_given ? (int)o->lang : -1, found, 512);
    if (n < 0) { int rc = bad_input("cannot search", s, n); free(s); return rc; }
    free(s);
    for (int i = 0; i < n && i < 512; i++) {
        smtpcodes_code c;
        smtpcodes_code_of(found[i], &c);
        if (o->json) { json_code(stdout, &c, o->lang); fputc('\n', stdout); }
        else print_code_line(o, &c);
    }
    return n ? EXIT_OK : EXIT_NOT_FOUND;
}

static int cmd_commands(const opts *o, int argc, char **argv) {
    if (argc == 0) {
        for (size_t i = 0; i < smtpcodes_command_count(); i++) {
            const char *name = smtpcodes_command_name(i);
            if (o->json) {
                int codes[128];
                int n = smtpcodes_replies_for(name, strlen(name), codes, 128);
                printf("{\"command\": \"%s\", \"replies\": [", name);
                for (int k = 0; k < n && k < 128; k++) printf(k ? ", %d" : "%d", codes[k]);
                fputs("]}\n", stdout);
            } else {
                puts(name);
            }
        }
        return EXIT_OK;
    }
    int rc = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        int codes[128];
        int n = smtpcodes_replies_for(argv[i], strlen(argv[i]), codes, 128);
        if (n < 0) { rc = bad_input("unknown command", argv[i], n); continue; }
        int idx = smtpcodes_command_index(argv[i], strlen(argv[i]));
        const char *name = smtpcodes_command_name((size_t)idx);
        if (o->json) {
            printf("{\"command\": \"%s\", \"replies\": [", name);
            for (int k = 0; k < n && k < 128; k++) printf(k ? ", %d" : "%d", codes[k]);
            fputs("]}\n", stdout);
            continue;
        }
        printf("%s%s%s\n", color(o, BOLD), name, color(o, RESET));
        for (int k = 0; k < n && k < 128; k++) {
            smtpcodes_code c;
            smtpcodes_lookup_basic(codes[k], &c);
            fputs("  ", stdout);
            print_code_line(o, &c);
        }
    }
    return rc;
}

/* ---- classify ----------------------------------------------------------------- */

static void progress(long done, long total, size_t lines) {
    int width = 30;
    int filled = total > 0 ? (int)((double)done / (double)total * width) : 0;
    if (filled > width) filled = width;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %zu lines", filled, "##############################", width - filled, "",
            total > 0 ? (int)(100.0 * (double)done / (double)total) : 0, lines);
}

static int cmd_classify(const opts *o, int argc, char **argv) {
    if (argc > 1) { fputs("smtpcodes: classify takes at most one FILE\n", stderr); return EXIT_USAGE; }
    FILE *in = stdin;
    long total = -1;
    int is_file = 0;
    if (argc == 1 && strcmp(argv[0], "-") != 0) {
        in = fopen(argv[0], "rb");
        if (!in) { fprintf(stderr, "smtpcodes: cannot open '%s'\n", argv[0]); return EXIT_USAGE; }
        struct stat sb;
        if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode)) { total = (long)sb.st_size; is_file = 1; }
    }
    int show_progress = is_file && isatty(STDERR_FILENO);
    size_t counts[64] = {0};
    size_t errors = 0, lineno = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long done = 0;
    char ev[1024], advice[2048];
    while ((n = getline(&line, &cap, in)) != -1) {
        done += n;
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        smtpcodes_classification c;
        int st = smtpcodes_classify(line, len, &c);
        if (st != SMTPCODES_OK) {
            errors++;
            if (o->json) {
                printf("{\"line\": %zu, \"error\": ", lineno);
                json_cstr(stdout, smtpcodes_strerror(st));
                fputs("}\n", stdout);
            } else {
                printf("%zu\terror\t-\t-\t-\t-\t-\t-\t%s\n", lineno, smtpcodes_strerror(st));
            }
            continue;
        }
        if ((size_t)c.reason < sizeof counts / sizeof counts[0]) counts[c.reason]++;
        smtpcodes_render_evidence(&c, o->lang, ev, sizeof ev);
        const char *reason = smtpcodes_reason_name(c.reason);
        if (o->json) {
            smtpcodes_render_retry(&c, o->lang, advice, sizeof advice);
            int first = 1;
            fputc('{', stdout);
            json_key(stdout, &first, "line"); printf("%zu", lineno);
            json_key(stdout, &first, "reason"); json_cstr(stdout, reason);
            json_key(stdout, &first, "permanence"); json_cstr(stdout, smtpcodes_permanence_name(c.permanence));
            json_key(stdout, &first, "hard_bounce"); fputs(c.hard_bounce ? "true" : "false", stdout);
            json_key(stdout, &first, "retry"); fputs(c.retry ? "true" : "false", stdout);
            json_key(stdout, &first, "advice"); json_cstr(stdout, advice);
            json_key(stdout, &first, "evidence"); json_cstr(stdout, ev);
            json_key(stdout, &first, "vendor"); json_cstr(stdout, c.vendor);
            json_key(stdout, &first, "code");
            if (c.has_basic) json_code_value(stdout, &c.code); else fputs("null", stdout);
            json_key(stdout, &first, "enhanced");
            if (c.has_enhanced) json_cstr(stdout, c.enhanced.text); else fputs("null", stdout);
            fputs("}\n", stdout);
        } else {
            for (char *p = ev; *p; p++) if (*p == '\t' || *p == '\n') *p = ' ';
            printf("%zu\t%s%s%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", lineno, perm_color(o, c.permanence), reason,
                   color(o, RESET), smtpcodes_permanence_name(c.permanence), c.hard_bounce, c.retry,
                   c.has_basic ? c.code.text : "-", c.has_enhanced ? c.enhanced.text : "-",
                   c.vendor ? c.vendor : "-", ev);
        }
        if (show_progress && (lineno & 1023) == 0) progress(done, total, lineno);
    }
    free(line);
    if (show_progress) { progress(total, total, lineno); fputc('\n', stderr); }
    if (in != stdin) fclose(in);
    if (o->stats) {
        fprintf(stderr, "%zu lines, %zu errors\n", lineno, errors);
        for (size_t i = 0; i < smtpcodes_reason_count(); i++)
            if (counts[i]) fprintf(stderr, "%8zu  %s\n", counts[i], smtpcodes_reason_name((int)i));
    }
    return EXIT_OK;
}

/* ---- main ---------------------------------------------------------------------- */

int smtpcodes_cli(int argc, char **argv) {
    opts o = {SMTPCODES_EN, 0, 0, -1, 0, NULL, -1};
    int lang_given = 0;
    char *rest[256];
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { fputs(usage_text, stdout); return EXIT_OK; }
        if (strcmp(a, "--version") == 0) {
            printf("smtpcodes %s (data %s)\n", smtpcodes_version(), smtpcodes_data_version());
            return EXIT_OK;
        }
        if (strcmp(a, "--json") == 0) { o.json = 1; continue; }
        if (strcmp(a, "--markdown") == 0) { o.markdown = 1; continue; }
        if (strcmp(a, "--stats") == 0) { o.stats = 1; continue; }
        if (strncmp(a, "--color", 7) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : "");
            if (strcmp(v, "always") == 0) o.color = 1;
            else if (strcmp(v, "never") == 0) o.color = 0;
            else if (strcmp(v, "auto") == 0) o.color = -1;
            else { fprintf(stderr, "smtpcodes: --color must be auto, always or never\n"); return EXIT_USAGE; }
            continue;
        }
        if (strncmp(a, "--lang", 6) == 0) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : "");
            if (smtpcodes_lang_from_tag(v, strlen(v), &o.lang) != SMTPCODES_OK) {
                fprintf(stderr, "smtpcodes: unknown language '%s' (use en or es)\n", v);
                return EXIT_USAGE;
            }
            lang_given = 1;
            continue;
        }
        if (strncmp(a, "--kind", 6) == 0) { o.kind = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : ""); continue; }
        if (strncmp(a, "--class", 7) == 0) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : "");
            if (!(v[0] >= '1' && v[0] <= '5' && v[1] == '\0')) {
                fprintf(stderr, "smtpcodes: --class must be a digit 1-5\n");
                return EXIT_USAGE;
            }
            o.class_digit = v[0] - '0';
            continue;
        }
        if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
            fprintf(stderr, "smtpcodes: unknown option '%s'\n\n%s", a, usage_text);
            return EXIT_USAGE;
        }
        if (nrest < 256) rest[nrest++] = argv[i];
    }
    const char *no_color = getenv("NO_COLOR");   /* no-color.org: set and not empty */
    if (o.color < 0) o.color = isatty(STDOUT_FILENO);
    if (no_color && no_color[0]) o.color = 0;
    if (o.json) o.color = 0;
    if (nrest <= 0) { fputs(usage_text, stderr); return EXIT_USAGE; }
    const char *cmd = rest[0];
    int rc;
    if (strcmp(cmd, "lookup") == 0) rc = cmd_lookup(&o, nrest - 1, rest + 1);
    else if (strcmp(cmd, "explain") == 0) rc = cmd_explain(&o, nrest - 1, rest + 1);
    else if (strcmp(cmd, "compare") == 0) rc = cmd_compare(&o, nrest - 1, rest + 1);
    else if (strcmp(cmd, "classify") == 0) rc = cmd_classify(&o, nrest - 1, rest + 1);
    else if (strcmp(cmd, "list") == 0) rc = nrest == 1 ? cmd_list(&o) : (fputs("smtpcodes: list takes options only\n", stderr), EXIT_USAGE);
    else if (strcmp(cmd, "search") == 0) rc = cmd_search(&o, nrest - 1, rest + 1, lang_given);
    else if (strcmp(cmd, "commands") == 0) rc = cmd_commands(&o, nrest - 1, rest + 1);
    else {
        fprintf(stderr, "smtpcodes: unknown command '%s'\n\n%s", cmd, usage_text);
        rc = EXIT_USAGE;
    }
    fflush(stdout);
    return rc;
}
