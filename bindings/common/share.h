/* share.h - one batch of texts classified on several POSIX threads, for the bindings'
 * batch calls: Python's classify_many (_smtpcodes.c) and classify_columns (_columns.c), and
 * Lua's classify_many (lsmtpcodes.c). Each thread takes a contiguous share, so the results
 * stay in input order whatever the thread count; a thread that cannot be started has its
 * share run by the caller. Called without the GIL in Python and without touching the
 * lua_State in Lua (the core keeps no state between calls). Header-only: static
 * functions (the async pair inline, so the bindings that do not use it get no warning). */
#ifndef SMTPCODES_SHARE_H
#define SMTPCODES_SHARE_H

#include <pthread.h>
#include <stddef.h>

#include "smtpcodes.h"

#define SC_SHARE_MAX_THREADS 64 /* a larger threads= is taken as this many */

typedef struct sc_text {
    const char *s;
    size_t n;
    int null; /* 1: a missing value (classify_columns): status SMTPCODES_ERR_EMPTY */
} sc_text;

typedef struct sc_share {
    const sc_text *v;
    size_t lo, hi;
    smtpcodes_classification *out;
    int *status;
} sc_share;

static void *sc_share_run(void *arg) {
    sc_share *j = arg;
    for (size_t k = j->lo; k < j->hi; k++)
        j->status[k] = j->v[k].null ? SMTPCODES_ERR_EMPTY : smtpcodes_classify(j->v[k].s, j->v[k].n, &j->out[k]);
    return NULL;
}

/* How many threads m texts get: `threads` (at least 1, at most SC_SHARE_MAX_THREADS), fewer
 * when a thread would get fewer than min_share texts; never 0. */
static inline size_t sc_share_threads(int threads, size_t m, size_t min_share) {
    size_t t = threads > 0 ? (size_t)threads : 1;
    if (t > SC_SHARE_MAX_THREADS) t = SC_SHARE_MAX_THREADS;
    if (t > m / min_share) t = m / min_share;
    return t < 1 ? 1 : t;
}

/* Classify m texts into out[] and status[] on up to `threads` threads (this one included),
 * with at least min_share texts per thread. */
static void sc_classify_shared(const sc_text *v, size_t m, smtpcodes_classification *out, int *status, int threads,
                               size_t min_share) {
    size_t t = sc_share_threads(threads, m, min_share);
    if (t == 1) {
        sc_share j = {v, 0, m, out, status};
        sc_share_run(&j);
        return;
    }
    pthread_t tid[SC_SHARE_MAX_THREADS];
    sc_share jobs[SC_SHARE_MAX_THREADS];
    int started[SC_SHARE_MAX_THREADS] = {0};
    for (size_t i = 0; i < t; i++) {
        jobs[i] = (sc_share){v, m * i / t, m * (i + 1) / t, out, status};
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, sc_share_run, &jobs[i]) == 0;
    }
    for (size_t i = 0; i < t; i++)
        if (!started[i]) sc_share_run(&jobs[i]); /* this thread's share, and any thread that did not start */
    for (size_t i = 1; i < t; i++)
        if (started[i]) pthread_join(tid[i], NULL);
}

/* The same batch on worker threads only, while the caller does something else (Lua's
 * classify_many makes the results of the previous batch meanwhile): sc_share_start splits
 * the m texts over up to `workers` threads (at least one, at least min_share texts each) and
 * returns; sc_share_join waits for them and runs any share whose thread did not start, so
 * after it out[] and status[] are complete. Every started batch must be joined. */
typedef struct sc_share_async {
    size_t t;
    pthread_t tid[SC_SHARE_MAX_THREADS];
    sc_share jobs[SC_SHARE_MAX_THREADS];
    int started[SC_SHARE_MAX_THREADS];
} sc_share_async;

static inline void sc_share_start(sc_share_async *a, const sc_text *v, size_t m, smtpcodes_classification *out,
                                  int *status, int workers, size_t min_share) {
    size_t t = sc_share_threads(workers, m, min_share);
    a->t = t;
    for (size_t i = 0; i < t; i++) {
        a->jobs[i] = (sc_share){v, m * i / t, m * (i + 1) / t, out, status};
        a->started[i] = pthread_create(&a->tid[i], NULL, sc_share_run, &a->jobs[i]) == 0;
    }
}

static inline void sc_share_join(sc_share_async *a) {
    for (size_t i = 0; i < a->t; i++) {
        if (a->started[i]) pthread_join(a->tid[i], NULL);
        else sc_share_run(&a->jobs[i]);
    }
}

#endif
