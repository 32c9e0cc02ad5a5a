#define _POSIX_C_SOURCE 199309L
/* classify_tsv - read "id<TAB>text" lines (text with \n escapes), print
 * "id<TAB>reason<TAB>hard<TAB>permanence<TAB>evidence<TAB>vendor<TAB>phrase<TAB>retry<TAB>mta<TAB>stage<TAB>tag"
 * (vendor is the provider).
 * Used by `make accuracy` and `make bench`. With -b N, classify the texts N
 * times and print the rate instead. */
#include "smtpcodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unescape.h"

int main(int argc, char **argv) {
    long reps = 0;
    if (argc == 3 && strcmp(argv[1], "-b") == 0) reps = atol(argv[2]);
    static char line[1 << 16];
    static char *texts[100000];
    static size_t lens[100000];
    size_t n = 0;
    while (fgets(line, sizeof line, stdin) && n < 100000) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        size_t len = unescape(tab + 1);
        if (reps) {
            texts[n] = malloc(len + 1);
            if (!texts[n]) return 2;
            memcpy(texts[n], tab + 1, len + 1);
            lens[n++] = len;
            continue;
        }
        smtpcodes_classification c;
        int st = smtpcodes_classify(tab + 1, len, &c);
        if (st != SMTPCODES_OK) { printf("%s\terror\t0\t-\t-\t-\t%s\n", line, smtpcodes_strerror(st)); continue; }
        printf("%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", line, smtpcodes_reason_name(c.reason), c.hard_bounce,
               smtpcodes_permanence_name(c.permanence), smtpcodes_evidence_name(c.evidence),
               c.vendor ? c.vendor : "-", c.phrase ? c.phrase : "-", c.retry, c.mta ? c.mta : "-",
               c.stage ? c.stage : "-", c.tag ? c.tag : "-");
    }
    if (reps) {
        struct timespec t0, t1;
        unsigned long sink = 0;
        size_t bytes = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long r = 0; r < reps; r++)
            for (size_t i = 0; i < n; i++) {
                smtpcodes_classification c;
                smtpcodes_classify(texts[i], lens[i], &c);
                sink += (unsigned long)c.reason;
                bytes += lens[i];
            }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        double lines = (double)n * (double)reps;
        printf("%.0f lines/s (%.0f lines in %.3f s, %.1f MB/s, sink %lu)\n", lines / s, lines, s,
               (double)bytes / s / 1e6, sink % 7);
        for (size_t i = 0; i < n; i++) free(texts[i]);
    }
    return 0;
}
