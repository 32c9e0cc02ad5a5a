#define _POSIX_C_SOURCE 199309L
/* classify_dump - read texts, one per line (\n, \r, \t and \\ escaped), and print every field
 * of their classification, then of their lenient and strict parse (each line's span, text span,
 * codes), one line each, so that two builds of the core can be compared field by field
 * (tests/tools/classify_exact.sh: a change to the matcher or the parser that must not change
 * any verdict). */
#include "smtpcodes.h"

#include <stdio.h>
#include <string.h>

#include "unescape.h"

static const char *or_dash(const char *s) { return s ? s : "-"; }

static void dump_parse(unsigned long n, const char *s, size_t len, unsigned opt) {
    static smtpcodes_reply r;
    int st = smtpcodes_parse(s, len, opt, &r);
    printf("%lu\t%s %d\t%d %d %s %s %u %d %zu %zu %s %s", n, opt ? "strict" : "lenient", st, r.has_basic,
           r.has_enhanced, r.has_basic ? r.reply_code.text : "-", r.has_enhanced ? r.status_code.text : "-", r.flags,
           (int)r.permanence, r.nlines, r.total_lines, or_dash(r.stage), or_dash(r.mta));
    for (size_t i = 0; i < r.nlines; i++) {
        const smtpcodes_line *l = &r.lines[i];
        printf("\t%td+%zu %td+%zu %d %d %d.%d.%d %d", l->raw ? l->raw - s : -1, l->raw_len, l->text ? l->text - s : -1,
               l->text_len, l->basic, l->has_enhanced, l->enhanced[0], l->enhanced[1], l->enhanced[2], l->continued);
    }
    putchar('\n');
}

int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!f) { perror(argv[1]); return 2; }
    static char line[1 << 17];
    unsigned long n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        size_t len = unescape(line);
        smtpcodes_classification c;
        int st = smtpcodes_classify(line, len, &c);
        n++;
        if (st != SMTPCODES_OK) { printf("%lu\tstatus %d\n", n, st); continue; }
        printf("%lu\t%d %d %d %d\t%s %s\t%d %s %zu %s\t%d %d %u\t%s %s %s %s\n", n, c.reason, (int)c.permanence,
               c.hard_bounce, c.retry, c.has_basic ? c.code.text : "-", c.has_enhanced ? c.enhanced.text : "-",
               (int)c.evidence, or_dash(c.phrase), c.phrase_end, or_dash(c.rule_vendor), c.code_reason, c.overridden,
               c.flags, or_dash(c.provider), or_dash(c.mta), or_dash(c.stage), or_dash(c.tag));
        dump_parse(n, line, len, 0);
        dump_parse(n, line, len, SMTPCODES_STRICT);
    }
    if (ferror(f)) { perror("read"); return 2; }
    return 0;
}
