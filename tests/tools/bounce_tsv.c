#define _POSIX_C_SOURCE 199309L
/* bounce_tsv - read bounce messages (file names as arguments, or one per line
 * on stdin with -), print one TSV row per recipient:
 *   file no kind format nrecipients recipient action status reply_code reason
 *   hard_bounce stage truncated diagnostic
 * (a message without recipients prints one row with no = 0; an mbox file gives
 * the rows of each of its messages, numbered on). Used by
 * `make accuracy` (tests/tools/bounce_accuracy.py). With -b N FILE..., parse
 * the messages N times and print the rate (make bench). */
#include "smtpcodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *nb = realloc(b, cap * 2);
        if (!nb) { free(b); b = NULL; break; }
        b = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return b;
}

static void put_clean(const char *s, size_t n, size_t max) {
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        putchar(c == '\t' || c == '\n' || c == '\r' || c < 0x20 ? ' ' : c);
    }
}

static void span_out(smtpcodes_span s) {
    if (s.ptr) put_clean(s.ptr, s.len, 400);
}

/* The rows of one message; *no numbers the recipients across the messages of one file. */
static int one_message(const char *base, const char *m, size_t len, void *scratch, size_t cap, size_t *no) {
    size_t need = SMTPCODES_BOUNCE_SCRATCH(len);
    if (need > cap) { need = cap; }
    smtpcodes_bounce b;
    int st = smtpcodes_parse_bounce(m, len, scratch, need, &b);
    if (st != SMTPCODES_OK) {
        printf("%s\t0\terror\t\t0\t\t\t\t\t\t\t\t\t%s\n", base, smtpcodes_strerror(st));
        return 1;
    }
    if (!b.nrecipients)
        printf("%s\t0\t%s\t%s\t0\t\t\t\t\t\t\t\t%u\t\n", base, smtpcodes_bounce_kind_name(b.kind), b.format ? b.format : "",
               b.truncated);
    for (size_t i = 0; i < b.nrecipients; i++) {
        const smtpcodes_bounce_recipient *r = &b.recipients[i];
        printf("%s\t%zu\t%s\t%s\t%zu\t", base, ++*no, smtpcodes_bounce_kind_name(b.kind), b.format ? b.format : "",
               b.nrecipients);
        span_out(r->recipient);
        printf("\t%s\t", r->action ? r->action : "");
        span_out(r->status);
        printf("\t%s\t%s\t%d\t%s\t%u\t", r->has_reply && r->reply.has_basic ? r->reply.reply_code.text : "",
               smtpcodes_reason_name(r->classification.reason), r->classification.hard_bounce,
               r->stage ? r->stage : "", b.truncated);
        span_out(r->diagnostic);
        putchar('\n');
    }
    return 0;
}

/* A file: one message, or every message of an mbox (as `smtpcodes bounce` reads it). */
static int one(const char *path, void *scratch, size_t cap) {
    size_t len;
    char *m = slurp(path, &len);
    if (!m) { printf("%s\t0\terror\t\t0\t\t\t\t\t\t\t\t\tunreadable\n", path); return 1; }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t pos = 0, no = 0;
    smtpcodes_span msg;
    int bad = 0;
    while (smtpcodes_mbox_next(m, len, &pos, &msg) == 1) bad |= one_message(base, msg.ptr, msg.len, scratch, cap, &no);
    free(m);
    return bad;
}

int main(int argc, char **argv) {
    size_t cap = (size_t)256 << 20;
    void *scratch = malloc(cap);
    if (!scratch) return 2;
    if (argc > 3 && strcmp(argv[1], "-b") == 0) {
        long reps = atol(argv[2]);
        int n = argc - 3;
        char **msgs = calloc((size_t)n, sizeof *msgs);
        size_t *lens = calloc((size_t)n, sizeof *lens);
        size_t total = 0;
        if (!msgs || !lens) return 2;
        for (int i = 0; i < n; i++) { msgs[i] = slurp(argv[i + 3], &lens[i]); total += lens[i]; }
        /* the best of reps passes over the messages (one core; other load only slows a pass down) */
        unsigned long sink = 0;
        double best = 0;
        for (long r = 0; r < reps; r++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (int i = 0; i < n; i++) {
                if (!msgs[i]) continue;
                smtpcodes_bounce b;
                smtpcodes_parse_bounce(msgs[i], lens[i], scratch, SMTPCODES_BOUNCE_SCRATCH(lens[i]), &b);
                sink += b.nrecipients;
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            if (r == 0 || s < best) best = s;
        }
        printf("%.0f messages/s (best of %ld passes over %d messages, %.1f MB/s, %lu recipients)\n", (double)n / best,
               reps, n, (double)total / best / 1e6, sink);
        return 0;
    }
    int bad = 0;
    if (argc == 2 && strcmp(argv[1], "-") == 0) {
        char line[4096];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (*line) bad |= one(line, scratch, cap);
        }
    } else {
        for (int i = 1; i < argc; i++) bad |= one(argv[i], scratch, cap);
    }
    free(scratch);
    return bad;
}
