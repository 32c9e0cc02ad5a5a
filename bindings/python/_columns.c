/* _columns.c - classify_columns for the CPython binding: text columns in, result
 * columns out, through the Arrow C data interface, with no Python object per line.
 *
 * Part of the smtpcodes._smtpcodes extension (setup.py lists it beside
 * _smtpcodes.c, which registers the two functions below). The Python side is
 * smtpcodes/_columns.py.
 *
 *   _classify_columns(kind, a, b, threads) -> (n, [(name, kind, data, validity, nulls, dictionary), ...])
 *       kind 0: a is a tuple of str / bytes / None (None: an error row)
 *       kind 1: a, b are the capsules of __arrow_c_array__ (schema, array)
 *       kind 2: a is the capsule of __arrow_c_stream__
 *     The inputs are read as (pointer, length) views (with the GIL for str
 *     objects, without it for Arrow buffers); the core classifies each batch of
 *     CHUNK lines with the GIL released (split over `threads` POSIX threads) and
 *     the results are encoded straight into C column buffers, which end up in
 *     bytes objects: dictionary indices (int8/int16/int32), bit-packed booleans,
 *     int16 codes, Arrow validity bitmaps.
 *   _arrow_export(n, columns, which, stream) -> capsules
 *     Exports those bytes as Arrow C data interface structs (ArrowSchema,
 *     ArrowArray, ArrowArrayStream; the structs are declared here, as the
 *     interface intends): which = -1 for a struct array of every column, else
 *     one column; stream = 1 for an "arrow_array_stream" capsule. The exported
 *     arrays point into the bytes objects, kept alive until the consumer's
 *     release call (which takes the GIL to drop them).
 *
 * Accepted Arrow input types: utf8 "u", large utf8 "U", binary "z", large
 * binary "Z", string and binary views "vu"/"vz", a dictionary of any of those
 * with any integer index, null "n", and a struct of exactly one such child
 * (a one-column table or record batch). Null entries give error rows. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpcodes.h"
#include "../common/share.h"

/* ---- the Arrow C data interface (https://arrow.apache.org/docs/format/CDataInterface.html) ---- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE
#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};
#endif
#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};
#endif

PyObject *smtpcodes_py_classify_columns(PyObject *module, PyObject *args);
PyObject *smtpcodes_py_arrow_export(PyObject *module, PyObject *args);

#define CHUNK 16384
#define MAX_THREADS SC_SHARE_MAX_THREADS

/* ------------------------------------------------------------------------ */
/* Growable buffers and the column builders                                   */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} buf;

static int buf_reserve(buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) return -1;
    memset(p + b->cap, 0, cap - b->cap); /* bitmaps rely on zeroed growth */
    b->p = p;
    b->cap = cap;
    return 0;
}

/* A dictionary of strings: open addressing on the content, insertion order kept. */
typedef struct {
    const char **str; /* copies, NUL-terminated */
    size_t *len;
    size_t n, cap;
    int32_t *slot; /* hash table of indices, -1 empty */
    size_t nslot;
} strdict;

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int strdict_grow(strdict *d) {
    size_t nslot = d->nslot ? d->nslot * 2 : 64;
    int32_t *slot = malloc(nslot * sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i < nslot; i++) slot[i] = -1;
    for (size_t k = 0; k < d->n; k++) {
        size_t h = (size_t)hash_bytes(d->str[k], d->len[k]) & (nslot - 1);
        while (slot[h] >= 0) h = (h + 1) & (nslot - 1);
        slot[h] = (int32_t)k;
    }
    free(d->slot);
    d->slot = slot;
    d->nslot = nslot;
    return 0;
}

/* The index of s in d, added if new; -1 when out of memory. */
static int32_t strdict_index(strdict *d, const char *s, size_t n) {
    if ((d->n + 1) * 2 > d->nslot && strdict_grow(d) < 0) return -1;
    size_t h = (size_t)hash_bytes(s, n) & (d->nslot - 1);
    for (;;) {
        int32_t k = d->slot[h];
        if (k < 0) break;
        if (d->len[k] == n && memcmp(d->str[k], s, n) == 0) return k;
        h = (h + 1) & (d->nslot - 1);
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        const char **str = realloc(d->str, cap * sizeof *str);
        if (!str) return -1;
        d->str = str;
        size_t *len = realloc(d->len, cap * sizeof *len);
        if (!len) return -1;
        d->len = len;
        d->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy) return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    d->str[d->n] = copy;
    d->len[d->n] = n;
    d->slot[h] = (int32_t)d->n;
    return (int32_t)d->n++;
}

static void strdict_free(strdict *d) {
    for (size_t k = 0; k < d->n; k++) free((void *)d->str[k]);
    free(d->str);
    free(d->len);
    free(d->slot);
    memset(d, 0, sizeof *d);
}

enum col_kind { K_DICT, K_BOOL, K_INT16 };

typedef struct {
    const char *name;
    int kind;        /* col_kind */
    int width;       /* K_DICT: index bytes (1, 2 or 4) */
    int nullable;
    buf data;        /* indices, bits or int16 values */
    buf valid;       /* validity bits (nullable columns) */
    size_t nulls;
    strdict dict;
    /* most values are the core's static strings: a small pointer-keyed cache skips the hashing */
    const char *cptr[16];
    size_t clen[16];
    int32_t cidx[16];
    int nocache;     /* values in reused storage (enhanced: the result array's text): no cache */
} column;

enum { C_REASON, C_PERMANENCE, C_HARD, C_RETRY, C_CODE, C_ENHANCED, C_PROVIDER, C_MTA, C_STAGE, C_ERROR, NCOLS };

static const struct {
    const char *name;
    int kind, width, nullable;
} col_spec[NCOLS] = {
    {"reason", K_DICT, 1, 0},     {"permanence", K_DICT, 1, 1}, {"hard_bounce", K_BOOL, 0, 0},
    {"retry", K_BOOL, 0, 0},      {"code", K_INT16, 0, 1},      {"enhanced", K_DICT, 4, 1},
    {"provider", K_DICT, 2, 1},   {"mta", K_DICT, 1, 1},        {"stage", K_DICT, 1, 1},
    {"error", K_DICT, 1, 1},
};

typedef struct {
    column col[NCOLS];
    size_t n; /* rows so far */
    int oom;
} builder;

static void builder_init(builder *b) {
    memset(b, 0, sizeof *b);
    for (int i = 0; i < NCOLS; i++) {
        b->col[i].name = col_spec[i].name;
        b->col[i].kind = col_spec[i].kind;
        b->col[i].width = col_spec[i].width;
        b->col[i].nullable = col_spec[i].nullable;
    }
    b->col[C_ENHANCED].nocache = 1;
    /* fixed vocabularies first, in a stable order: every reason (then "error"), every permanence */
    for (size_t r = 0; r < smtpcodes_reason_count(); r++) {
        const char *s = smtpcodes_reason_name((int)r);
        if (strdict_index(&b->col[C_REASON].dict, s, strlen(s)) < 0) b->oom = 1;
    }
    if (strdict_index(&b->col[C_REASON].dict, "error", 5) < 0) b->oom = 1;
    for (int p = 0; p <= SMTPCODES_PERM_PERMANENT; p++) {
        const char *s = smtpcodes_permanence_name((smtpcodes_permanence)p);
        if (strdict_index(&b->col[C_PERMANENCE].dict, s, strlen(s)) < 0) b->oom = 1;
    }
}

static void builder_free(builder *b) {
    for (int i = 0; i < NCOLS; i++) {
        free(b->col[i].data.p);
        free(b->col[i].valid.p);
        strdict_free(&b->col[i].dict);
    }
}

/* Make room for m more rows in every column. */
static int builder_reserve(builder *b, size_t m) {
    size_t rows = b->n + m, bits = (rows + 7) / 8 + 8;
    for (int i = 0; i < NCOLS; i++) {
        column *c = &b->col[i];
        size_t need = c->kind == K_DICT ? rows * (size_t)c->width : c->kind == K_INT16 ? rows * 2 : bits;
        if (need > c->data.len && buf_reserve(&c->data, need - c->data.len) < 0) return -1;
        c->data.len = need > c->data.len ? need : c->data.len;
        if (c->nullable) {
            if (bits > c->valid.len && buf_reserve(&c->valid, bits - c->valid.len) < 0) return -1;
            c->valid.len = bits > c->valid.len ? bits : c->valid.len;
        }
    }
    return 0;
}

static void set_bit(buf *b, size_t i) { b->p[i >> 3] |= (unsigned char)(1u << (i & 7)); }

static void put_null(column *c, size_t row) {
    c->nulls++;
    if (c->kind == K_DICT) memset(c->data.p + row * (size_t)c->width, 0, (size_t)c->width);
    else if (c->kind == K_INT16) memset(c->data.p + row * 2, 0, 2);
}

static int put_str(column *c, size_t row, const char *s, size_t n) {
    if (!s) {
        put_null(c, row);
        return 0;
    }
    size_t slot = ((uintptr_t)s >> 3) & 15u;
    int32_t k;
    if (!c->nocache && c->cptr[slot] == s && c->clen[slot] == n) {
        k = c->cidx[slot];
    } else {
        k = strdict_index(&c->dict, s, n);
        if (k < 0) return -1;
        c->cptr[slot] = s;
        c->clen[slot] = n;
        c->cidx[slot] = k;
    }
    if (c->nullable) set_bit(&c->valid, row);
    unsigned char *p = c->data.p + row * (size_t)c->width;
    if (c->width == 1) {
        if (k > 127) return -1;
        *(int8_t *)p = (int8_t)k;
    } else if (c->width == 2) {
        if (k > 32767) return -1;
        int16_t v = (int16_t)k;
        memcpy(p, &v, 2);
    } else {
        memcpy(p, &k, 4);
    }
    return 0;
}

static const char *cstr(const char *s) { return s; }

/* Encode one row: a classification (status OK) or an error row with its message. */
static int put_row(builder *b, const smtpcodes_classification *c, int status, const char *error) {
    size_t row = b->n++;
    column *col = b->col;
    if (status != SMTPCODES_OK || error) {
        const char *msg = error ? error : smtpcodes_strerror(status);
        int rc = put_str(&col[C_REASON], row, "error", 5);
        for (int i = C_PERMANENCE; i < NCOLS; i++)
            if (col[i].nullable && i != C_ERROR) put_null(&col[i], row);
        return rc | put_str(&col[C_ERROR], row, msg, strlen(msg));
    }
    const char *reason = smtpcodes_reason_name(c->reason);
    int rc = put_str(&col[C_REASON], row, reason ? reason : "undefined", strlen(reason ? reason : "undefined"));
    const char *perm = smtpcodes_permanence_name(c->permanence);
    rc |= put_str(&col[C_PERMANENCE], row, cstr(perm), perm ? strlen(perm) : 0);
    if (c->hard_bounce) set_bit(&col[C_HARD].data, row);
    if (c->retry) set_bit(&col[C_RETRY].data, row);
    if (c->has_basic) {
        int16_t v = (int16_t)(c->code.digits[0] * 100 + c->code.digits[1] * 10 + c->code.digits[2]);
        memcpy(col[C_CODE].data.p + row * 2, &v, 2);
        set_bit(&col[C_CODE].valid, row);
    } else {
        put_null(&col[C_CODE], row);
    }
    rc |= put_str(&col[C_ENHANCED], row, c->has_enhanced ? c->enhanced.text : NULL,
                  c->has_enhanced ? strlen(c->enhanced.text) : 0);
    const char *prov = c->provider ? c->provider : c->vendor;
    rc |= put_str(&col[C_PROVIDER], row, prov, prov ? strlen(prov) : 0);
    rc |= put_str(&col[C_MTA], row, c->mta, c->mta ? strlen(c->mta) : 0);
    rc |= put_str(&col[C_STAGE], row, c->stage, c->stage ? strlen(c->stage) : 0);
    put_null(&col[C_ERROR], row);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Classifying a batch of views, on several threads                           */

typedef sc_text view;

typedef struct {
    builder b;
    smtpcodes_classification *out;
    int *status;
    int threads;
} classifier;

/* Classify m views and append them to the builder; call without the GIL. */
static int classify_views(classifier *cl, const view *v, size_t m) {
    if (builder_reserve(&cl->b, m) < 0) return -1;
    sc_classify_shared(v, m, cl->out, cl->status, cl->threads, 2048);
    for (size_t k = 0; k < m; k++)
        if (put_row(&cl->b, &cl->out[k], cl->status[k], v[k].null ? "missing value" : NULL) < 0) return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading Arrow input                                                        */

typedef struct {
    const struct ArrowSchema *schema;
    const struct ArrowArray *array;
    int64_t extra_offset; /* a struct parent's offset */
    const uint8_t *parent_valid;
    int64_t parent_offset;
    int type; /* 'u' 32-bit offsets, 'U' 64-bit, 'v' views, 'n' null, 'd' dictionary */
    int index_bytes, index_signed;
    int dtype;                         /* a dictionary's value type ('u', 'U', 'v'), read once at init */
} arrow_src;

static int string_type(const char *f, int *type) {
    if (!strcmp(f, "u") || !strcmp(f, "z")) *type = 'u';
    else if (!strcmp(f, "U") || !strcmp(f, "Z")) *type = 'U';
    else if (!strcmp(f, "vu") || !strcmp(f, "vz")) *type = 'v';
    else if (!strcmp(f, "n")) *type = 'n';
    else return -1;
    return 0;
}

static int index_type(const char *f, int *bytes, int *sign) {
    if (strlen(f) != 1) return -1;
    switch (f[0]) {
    case 'c': *bytes = 1; *sign = 1; return 0;
    case 'C': *bytes = 1; *sign = 0; return 0;
    case 's': *bytes = 2; *sign = 1; return 0;
    case 'S': *bytes = 2; *sign = 0; return 0;
    case 'i': *bytes = 4; *sign = 1; return 0;
    case 'I': *bytes = 4; *sign = 0; return 0;
    case 'l': *bytes = 8; *sign = 1; return 0;
    case 'L': *bytes = 8; *sign = 0; return 0;
    default: return -1;
    }
}

/* Set up src for schema/array (a string column, a dictionary of strings or a
 * one-child struct); -1 with a Python TypeError otherwise (GIL held). */
static int arrow_src_init(arrow_src *src, const struct ArrowSchema *schema, const struct ArrowArray *array) {
    memset(src, 0, sizeof *src);
    if (schema->format && !strcmp(schema->format, "+s")) {
        if (schema->n_children != 1 || array->n_children != 1) {
            PyErr_Format(PyExc_TypeError, "classify_columns() needs one text column, not a struct of %lld fields",
                         (long long)schema->n_children);
            return -1;
        }
        src->extra_offset = array->offset;
        src->parent_valid = array->null_count != 0 && array->n_buffers > 0 ? array->buffers[0] : NULL;
        src->parent_offset = array->offset;
        schema = schema->children[0];
        array = array->children[0];
    }
    src->schema = schema;
    src->array = array;
    const char *f = schema->format ? schema->format : "";
    if (schema->dictionary) {
        if (index_type(f, &src->index_bytes, &src->index_signed) < 0 || !array->dictionary ||
            string_type(schema->dictionary->format ? schema->dictionary->format : "", &src->dtype) < 0 ||
            src->dtype == 'n')
            goto bad;
        src->type = 'd';
        return 0;
    }
    if (string_type(f, &src->type) < 0) goto bad;
    return 0;
bad:
    PyErr_Format(PyExc_TypeError,
                 "classify_columns() needs Arrow strings or binaries (utf8, large_utf8, binary, large_binary, "
                 "string_view, or a dictionary of them), not Arrow format %.40s%s%.40s",
                 f, schema->dictionary ? " with dictionary " : "",
                 schema->dictionary && schema->dictionary->format ? schema->dictionary->format : "");
    return -1;
}

static int bit(const uint8_t *bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

/* Row i of a plain string array (type u, U, v): its view. */
static void string_at(const struct ArrowArray *a, int type, int64_t i, view *out) {
    int64_t j = a->offset + i;
    out->null = 0;
    if (a->null_count != 0 && a->buffers[0] && !bit(a->buffers[0], j)) {
        out->null = 1;
        out->s = "";
        out->n = 0;
        return;
    }
    if (type == 'u') {
        const int32_t *off = a->buffers[1];
        out->s = (const char *)a->buffers[2] + off[j];
        out->n = (size_t)(off[j + 1] - off[j]);
    } else if (type == 'U') {
        const int64_t *off = a->buffers[1];
        out->s = (const char *)a->buffers[2] + off[j];
        out->n = (size_t)(off[j + 1] - off[j]);
    } else {
        const unsigned char *v = (const unsigned char *)a->buffers[1] + 16 * j;
        int32_t len, bi, boff;
        memcpy(&len, v, 4);
        if (len <= 12) {
            out->s = (const char *)v + 4;
        } else {
            memcpy(&bi, v + 8, 4);
            memcpy(&boff, v + 12, 4);
            out->s = (const char *)a->buffers[2 + bi] + boff;
        }
        out->n = (size_t)len;
    }
}

static void arrow_row(const arrow_src *src, int64_t i, view *out) {
    const struct ArrowArray *a = src->array;
    if (src->parent_valid && !bit(src->parent_valid, src->parent_offset + i)) {
        out->null = 1;
        out->s = "";
        out->n = 0;
        return;
    }
    i += src->extra_offset;
    if (src->type == 'n') {
        out->null = 1;
        out->s = "";
        out->n = 0;
        return;
    }
    if (src->type != 'd') {
        string_at(a, src->type, i, out);
        return;
    }
    int64_t j = a->offset + i;
    if (a->null_count != 0 && a->buffers[0] && !bit(a->buffers[0], j)) {
        out->null = 1;
        out->s = "";
        out->n = 0;
        return;
    }
    const unsigned char *p = (const unsigned char *)a->buffers[1] + (size_t)j * (size_t)src->index_bytes;
    int64_t k = 0;
    switch (src->index_bytes) {
    case 1: k = src->index_signed ? (int64_t)*(const int8_t *)p : (int64_t)*p; break;
    case 2: { int16_t v; uint16_t u; memcpy(&v, p, 2); memcpy(&u, p, 2); k = src->index_signed ? v : u; break; }
    case 4: { int32_t v; uint32_t u; memcpy(&v, p, 4); memcpy(&u, p, 4); k = src->index_signed ? v : (int64_t)u; break; }
    default: { int64_t v; memcpy(&v, p, 8); k = v; break; }
    }
    if (k < 0 || k >= a->dictionary->length) {
        out->null = 1;
        out->s = "";
        out->n = 0;
        return;
    }
    string_at(a->dictionary, src->dtype, k, out);
}

/* Classify every row of one Arrow array into cl (releases the GIL per chunk). */
static int classify_arrow(classifier *cl, const struct ArrowSchema *schema, const struct ArrowArray *array,
                          view *views) {
    arrow_src src;
    if (arrow_src_init(&src, schema, array) < 0) return -1;
    int64_t n = array->length, rc = 0;
    for (int64_t start = 0; start < n && rc == 0; start += CHUNK) {
        size_t m = (size_t)(n - start < CHUNK ? n - start : CHUNK);
        Py_BEGIN_ALLOW_THREADS
        for (size_t k = 0; k < m; k++) arrow_row(&src, start + (int64_t)k, &views[k]);
        rc = classify_views(cl, views, m);
        Py_END_ALLOW_THREADS
    }
    if (rc < 0) PyErr_NoMemory();
    return (int)rc;
}

/* ------------------------------------------------------------------------ */
/* Results as Python bytes                                                    */

static PyObject *column_result(column *c, size_t n) {
    size_t size = c->kind == K_DICT ? n * (size_t)c->width : c->kind == K_INT16 ? n * 2 : (n + 7) / 8;
    PyObject *data = PyBytes_FromStringAndSize(size ? (const char *)c->data.p : "", (Py_ssize_t)size);
    PyObject *valid = NULL, *dict = NULL;
    if (c->nullable && c->nulls) valid = PyBytes_FromStringAndSize((const char *)c->valid.p, (Py_ssize_t)((n + 7) / 8));
    else valid = Py_NewRef(Py_None);
    if (c->kind == K_DICT) {
        dict = PyTuple_New((Py_ssize_t)c->dict.n);
        for (size_t k = 0; dict && k < c->dict.n; k++) {
            PyObject *s = PyUnicode_DecodeUTF8(c->dict.str[k], (Py_ssize_t)c->dict.len[k], "replace");
            if (!s) Py_CLEAR(dict);
            else PyTuple_SetItem(dict, (Py_ssize_t)k, s);
        }
    } else {
        dict = Py_NewRef(Py_None);
    }
    static const char *const kinds[] = {"dict", "bool", "int16"};
    PyObject *r = NULL;
    if (data && valid && dict)
        r = Py_BuildValue("(ssiOOnO)", c->name, kinds[c->kind], c->width, data, valid, (Py_ssize_t)c->nulls, dict);
    Py_XDECREF(data);
    Py_XDECREF(valid);
    Py_XDECREF(dict);
    return r;
}

static int parse_threads(PyObject *o, int *out) {
    if (o == Py_None) {
        *out = 1;
        return 0;
    }
    long t = PyLong_AsLong(o);
    if (t == -1 && PyErr_Occurred()) return -1;
    if (t < 1) {
        PyErr_SetString(PyExc_ValueError, "classify_columns() threads must be >= 1 or None");
        return -1;
    }
    *out = t > MAX_THREADS ? MAX_THREADS : (int)t;
    return 0;
}

PyObject *smtpcodes_py_classify_columns(PyObject *module, PyObject *args) {
    (void)module;
    int kind;
    PyObject *a, *b, *tobj;
    if (!PyArg_ParseTuple(args, "iOOO:_classify_columns", &kind, &a, &b, &tobj)) return NULL;
    classifier cl;
    memset(&cl, 0, sizeof cl);
    if (parse_threads(tobj, &cl.threads) < 0) return NULL;
    builder_init(&cl.b);
    PyObject *result = NULL, *held = NULL;
    view *views = PyMem_Malloc(CHUNK * sizeof *views);
    cl.out = PyMem_Malloc(CHUNK * sizeof *cl.out);
    cl.status = PyMem_Malloc(CHUNK * sizeof *cl.status);
    if (!views || !cl.out || !cl.status || cl.b.oom) {
        PyErr_NoMemory();
        goto done;
    }
    if (kind == 0) {
        if (!PyTuple_Check(a)) {
            PyErr_SetString(PyExc_TypeError, "_classify_columns(0, ...) needs a tuple");
            goto done;
        }
        Py_ssize_t n = PyTuple_Size(a);
        for (Py_ssize_t start = 0; start < n; start += CHUNK) {
            size_t m = (size_t)(n - start < CHUNK ? n - start : CHUNK);
            for (size_t k = 0; k < m; k++) { /* views of the str/bytes objects, with the GIL */
                PyObject *x = PyTuple_GetItem(a, start + (Py_ssize_t)k);
                view *v = &views[k];
                v->null = 0;
                if (x == Py_None) {
                    v->null = 1;
                    v->s = "";
                    v->n = 0;
                } else if (PyUnicode_Check(x)) {
                    Py_ssize_t len;
                    v->s = PyUnicode_AsUTF8AndSize(x, &len);
                    if (!v->s) { /* lone surrogates: their surrogateescape bytes */
                        PyErr_Clear();
                        PyObject *bytes = PyUnicode_AsEncodedString(x, "utf-8", "surrogateescape");
                        if (!bytes) {
                            PyErr_Clear();
                            bytes = PyUnicode_AsEncodedString(x, "utf-8", "surrogatepass");
                        }
                        if (!bytes || ((!held && !(held = PyList_New(0))) || PyList_Append(held, bytes) < 0)) {
                            Py_XDECREF(bytes);
                            goto done;
                        }
                        Py_DECREF(bytes);
                        v->s = PyBytes_AsString(bytes);
                        len = PyBytes_Size(bytes);
                    }
                    v->n = (size_t)len;
                } else if (PyBytes_Check(x)) {
                    v->s = PyBytes_AsString(x);
                    v->n = (size_t)PyBytes_Size(x);
                } else {
                    PyErr_Format(PyExc_TypeError, "classify_columns() item %zd must be str, bytes or None",
                                 start + (Py_ssize_t)k);
                    goto done;
                }
            }
            int rc;
            Py_BEGIN_ALLOW_THREADS
            rc = classify_views(&cl, views, m);
            Py_END_ALLOW_THREADS
            if (rc < 0) {
                PyErr_NoMemory();
                goto done;
            }
        }
    } else if (kind == 1) {
        struct ArrowSchema *schema = PyCapsule_GetPointer(a, "arrow_schema");
        struct ArrowArray *array = schema ? PyCapsule_GetPointer(b, "arrow_array") : NULL;
        if (!array || classify_arrow(&cl, schema, array, views) < 0) goto done;
    } else if (kind == 2) {
        struct ArrowArrayStream *stream = PyCapsule_GetPointer(a, "arrow_array_stream");
        if (!stream) goto done;
        struct ArrowSchema schema;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = stream->get_schema(stream, &schema);
        Py_END_ALLOW_THREADS
        if (rc != 0) {
            const char *msg = stream->get_last_error ? stream->get_last_error(stream) : NULL;
            PyErr_Format(PyExc_ValueError, "Arrow stream: get_schema failed: %s", msg ? msg : "error");
            goto done;
        }
        for (;;) {
            struct ArrowArray array;
            Py_BEGIN_ALLOW_THREADS
            rc = stream->get_next(stream, &array);
            Py_END_ALLOW_THREADS
            if (rc != 0) {
                const char *msg = stream->get_last_error ? stream->get_last_error(stream) : NULL;
                PyErr_Format(PyExc_ValueError, "Arrow stream: get_next failed: %s", msg ? msg : "error");
                break;
            }
            if (!array.release) break; /* the end */
            rc = classify_arrow(&cl, &schema, &array, views);
            array.release(&array);
            if (rc < 0) break;
        }
        schema.release(&schema);
        if (PyErr_Occurred()) goto done;
    } else {
        PyErr_SetString(PyExc_ValueError, "_classify_columns(): bad kind");
        goto done;
    }
    {
        PyObject *cols = PyList_New(NCOLS);
        for (int i = 0; cols && i < NCOLS; i++) {
            PyObject *c = column_result(&cl.b.col[i], cl.b.n);
            if (!c) Py_CLEAR(cols);
            else PyList_SetItem(cols, i, c);
        }
        if (cols) result = Py_BuildValue("(nN)", (Py_ssize_t)cl.b.n, cols);
    }
done:
    builder_free(&cl.b);
    PyMem_Free(views);
    PyMem_Free(cl.out);
    PyMem_Free(cl.status);
    Py_XDECREF(held);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Arrow export                                                               */

typedef struct {
    char name[32];
    char format[4];
    int kind, width;
    int64_t nulls;
    const void *data, *valid;  /* into the bytes objects */
    int32_t *doffsets;          /* dictionary: utf8 offsets and data (malloc'd) */
    char *ddata;
    int64_t dlen;
} xcol;

typedef struct {
    int refs; /* atomic */
    int64_t n;
    int ncols;
    xcol *cols;
    PyObject *keep; /* the column tuples: the bytes the arrays point into */
} xspec;

static void xspec_ref(xspec *x) { __atomic_add_fetch(&x->refs, 1, __ATOMIC_RELAXED); }

static void xspec_unref(xspec *x) {
    if (__atomic_sub_fetch(&x->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    if (Py_IsInitialized()) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_XDECREF(x->keep);
        PyGILState_Release(g);
    }
    for (int i = 0; i < x->ncols; i++) {
        free(x->cols[i].doffsets);
        free(x->cols[i].ddata);
    }
    free(x->cols);
    free(x);
}

/* One allocation per exported schema or array: the node owns its children. */
typedef struct {
    xspec *spec;
    const void *bufs[3];
    int64_t nchildren;
    void *children[NCOLS]; /* struct ArrowSchema * or struct ArrowArray * */
    void *dictionary;
} xnode;

static void release_schema(struct ArrowSchema *s) {
    xnode *node = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++) {
        struct ArrowSchema *c = s->children[i];
        if (c->release) c->release(c);
        free(c);
    }
    if (s->dictionary) {
        if (s->dictionary->release) s->dictionary->release(s->dictionary);
        free(s->dictionary);
    }
    free(s->children);
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the analyzer does not follow the atomic count; every node holds a reference */
    xspec_unref(node->spec);
    free(node);
    s->release = NULL;
}

static void release_array(struct ArrowArray *a) {
    xnode *node = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++) {
        struct ArrowArray *c = a->children[i];
        if (c->release) c->release(c);
        free(c);
    }
    if (a->dictionary) {
        if (a->dictionary->release) a->dictionary->release(a->dictionary);
        free(a->dictionary);
    }
    free(a->children);
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the analyzer does not follow the atomic count; every node holds a reference */
    xspec_unref(node->spec);
    free(node);
    a->release = NULL;
}

static int schema_leaf(xspec *x, struct ArrowSchema *s, const char *format, const char *name, int nullable) {
    xnode *node = calloc(1, sizeof *node);
    if (!node) return -1;
    node->spec = x;
    xspec_ref(x);
    *s = (struct ArrowSchema){format, name, NULL, nullable ? ARROW_FLAG_NULLABLE : 0, 0, NULL, NULL,
                              release_schema, node};
    return 0;
}

static int export_col_schema(xspec *x, int i, struct ArrowSchema *s) {
    xcol *c = &x->cols[i];
    if (schema_leaf(x, s, c->format, c->name, c->kind != K_BOOL && strcmp(c->name, "reason") != 0) < 0) return -1;
    if (c->kind == K_DICT) {
        struct ArrowSchema *d = malloc(sizeof *d);
        if (!d || schema_leaf(x, d, "u", NULL, 0) < 0) {
            free(d);
            release_schema(s);
            return -1;
        }
        s->dictionary = d;
    }
    return 0;
}

static int array_leaf(xspec *x, struct ArrowArray *a, int64_t length, int64_t nulls, int nbufs, const void *b0,
                      const void *b1, const void *b2) {
    xnode *node = calloc(1, sizeof *node);
    if (!node) return -1;
    node->spec = x;
    xspec_ref(x);
    node->bufs[0] = b0;
    node->bufs[1] = b1;
    node->bufs[2] = b2;
    *a = (struct ArrowArray){length, nulls, 0, nbufs, 0, node->bufs, NULL, NULL, release_array, node};
    return 0;
}

static int export_col_array(xspec *x, int i, struct ArrowArray *a) {
    xcol *c = &x->cols[i];
    if (array_leaf(x, a, x->n, c->nulls, 2, c->nulls ? c->valid : NULL, c->data, NULL) < 0) return -1;
    if (c->kind == K_DICT) {
        struct ArrowArray *d = malloc(sizeof *d);
        if (!d || array_leaf(x, d, c->dlen, 0, 3, NULL, c->doffsets, c->ddata) < 0) {
            free(d);
            release_array(a);
            return -1;
        }
        a->dictionary = d;
    }
    return 0;
}

static int export_struct_schema(xspec *x, struct ArrowSchema *s) {
    if (schema_leaf(x, s, "+s", "", 0) < 0) return -1;
    s->children = calloc((size_t)x->ncols, sizeof(struct ArrowSchema *));
    if (!s->children) goto fail;
    for (int i = 0; i < x->ncols; i++) {
        struct ArrowSchema *c = malloc(sizeof *c);
        if (!c || export_col_schema(x, i, c) < 0) {
            free(c);
            goto fail;
        }
        s->children[i] = c;
        s->n_children = i + 1;
    }
    return 0;
fail:
    release_schema(s);
    return -1;
}

static int export_struct_array(xspec *x, struct ArrowArray *a) {
    if (array_leaf(x, a, x->n, 0, 1, NULL, NULL, NULL) < 0) return -1;
    a->children = calloc((size_t)x->ncols, sizeof(struct ArrowArray *));
    if (!a->children) goto fail;
    for (int i = 0; i < x->ncols; i++) {
        struct ArrowArray *c = malloc(sizeof *c);
        if (!c || export_col_array(x, i, c) < 0) {
            free(c);
            goto fail;
        }
        a->children[i] = c;
        a->n_children = i + 1;
    }
    return 0;
fail:
    release_array(a);
    return -1;
}

/* The stream yields the one struct array, then the end. */
typedef struct {
    xspec *spec;
    int done;
} xstream;

static int stream_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
    xstream *p = st->private_data;
    return export_struct_schema(p->spec, out) < 0 ? 12 /* ENOMEM */ : 0;
}

static int stream_get_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
    xstream *p = st->private_data;
    if (p->done) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    p->done = 1;
    return export_struct_array(p->spec, out) < 0 ? 12 : 0;
}

static const char *stream_last_error(struct ArrowArrayStream *st) {
    (void)st;
    return "out of memory";
}

static void stream_release(struct ArrowArrayStream *st) {
    xstream *p = st->private_data;
    xspec_unref(p->spec);
    free(p);
    st->release = NULL;
}

static void capsule_schema_free(PyObject *cap) {
    struct ArrowSchema *s = PyCapsule_GetPointer(cap, "arrow_schema");
    if (s && s->release) s->release(s);
    free(s);
}
static void capsule_array_free(PyObject *cap) {
    struct ArrowArray *a = PyCapsule_GetPointer(cap, "arrow_array");
    if (a && a->release) a->release(a);
    free(a);
}
static void capsule_stream_free(PyObject *cap) {
    struct ArrowArrayStream *s = PyCapsule_GetPointer(cap, "arrow_array_stream");
    if (s && s->release) s->release(s);
    free(s);
}

/* Build the export spec from n and the column tuples (name, kind, width, data, validity, nulls, dictionary). */
static xspec *make_spec(Py_ssize_t n, PyObject *columns) {
    Py_ssize_t ncols = PyList_Check(columns) ? PyList_Size(columns) : -1;
    if (ncols < 0 || ncols > NCOLS) {
        PyErr_SetString(PyExc_TypeError, "_arrow_export(): columns must be a list of column tuples");
        return NULL;
    }
    xspec *x = calloc(1, sizeof *x);
    if (!x || !(x->cols = calloc((size_t)(ncols ? ncols : 1), sizeof *x->cols))) {
        free(x);
        PyErr_NoMemory();
        return NULL;
    }
    x->refs = 1;
    x->n = n;
    x->ncols = (int)ncols;
    x->keep = PyList_AsTuple(columns);
    if (!x->keep) goto fail;
    for (Py_ssize_t i = 0; i < ncols; i++) {
        PyObject *t = PyTuple_GetItem(x->keep, i);
        const char *name, *kind;
        int width;
        PyObject *data, *valid, *dict;
        Py_ssize_t nulls;
        if (!PyArg_ParseTuple(t, "ssiSOnO", &name, &kind, &width, &data, &valid, &nulls, &dict)) goto fail;
        xcol *c = &x->cols[i];
        snprintf(c->name, sizeof c->name, "%s", name);
        c->kind = !strcmp(kind, "dict") ? K_DICT : !strcmp(kind, "bool") ? K_BOOL : K_INT16;
        c->width = width;
        c->nulls = nulls;
        c->data = PyBytes_AsString(data);
        c->valid = valid != Py_None && PyBytes_Check(valid) ? PyBytes_AsString(valid) : NULL;
        if (c->nulls && !c->valid) c->nulls = 0;
        Py_ssize_t need = c->kind == K_DICT ? n * width : c->kind == K_INT16 ? n * 2 : (n + 7) / 8;
        if (PyBytes_Size(data) < need || (c->valid && PyBytes_Size(valid) < (n + 7) / 8)) {
            PyErr_SetString(PyExc_ValueError, "_arrow_export(): a column buffer is too short");
            goto fail;
        }
        snprintf(c->format, sizeof c->format, "%s",
                 c->kind == K_BOOL ? "b" : c->kind == K_INT16 ? "s" : width == 1 ? "c" : width == 2 ? "s" : "i");
        if (c->kind == K_DICT) {
            if (!PyTuple_Check(dict)) {
                PyErr_SetString(PyExc_TypeError, "_arrow_export(): a dictionary must be a tuple");
                goto fail;
            }
            Py_ssize_t nd = PyTuple_Size(dict), total = 0;
            for (Py_ssize_t k = 0; k < nd; k++) {
                Py_ssize_t len;
                if (!PyUnicode_AsUTF8AndSize(PyTuple_GetItem(dict, k), &len)) goto fail;
                total += len;
            }
            c->dlen = nd;
            c->doffsets = malloc((size_t)(nd + 1) * sizeof *c->doffsets);
            c->ddata = malloc((size_t)(total ? total : 1));
            if (!c->doffsets || !c->ddata || total > INT32_MAX) {
                PyErr_NoMemory();
                goto fail;
            }
            int32_t off = 0;
            for (Py_ssize_t k = 0; k < nd; k++) {
                Py_ssize_t len;
                const char *s = PyUnicode_AsUTF8AndSize(PyTuple_GetItem(dict, k), &len);
                c->doffsets[k] = off;
                memcpy(c->ddata + off, s, (size_t)len);
                off += (int32_t)len;
            }
            c->doffsets[nd] = off;
        }
    }
    return x;
fail:
    Py_CLEAR(x->keep);
    xspec_unref(x);
    return NULL;
}

PyObject *smtpcodes_py_arrow_export(PyObject *module, PyObject *args) {
    (void)module;
    Py_ssize_t n;
    PyObject *columns;
    int which, want_stream;
    if (!PyArg_ParseTuple(args, "nOii:_arrow_export", &n, &columns, &which, &want_stream)) return NULL;
    xspec *x = make_spec(n, columns);
    if (!x) return NULL;
    PyObject *result = NULL;
    if (which >= x->ncols) {
        PyErr_SetString(PyExc_IndexError, "_arrow_export(): no such column");
    } else if (want_stream) {
        struct ArrowArrayStream *st = calloc(1, sizeof *st);
        xstream *p = calloc(1, sizeof *p);
        if (!st || !p) {
            free(st);
            free(p);
            PyErr_NoMemory();
        } else {
            p->spec = x;
            xspec_ref(x);
            *st = (struct ArrowArrayStream){stream_get_schema, stream_get_next, stream_last_error, stream_release, p};
            result = PyCapsule_New(st, "arrow_array_stream", capsule_stream_free);
            if (!result) stream_release(st), free(st);
        }
    } else {
        struct ArrowSchema *s = calloc(1, sizeof *s);
        struct ArrowArray *a = calloc(1, sizeof *a);
        int bad = !s || !a;
        if (!bad) bad = which < 0 ? export_struct_schema(x, s) : export_col_schema(x, which, s);
        if (!bad && (which < 0 ? export_struct_array(x, a) : export_col_array(x, which, a)) < 0) {
            release_schema(s);
            bad = 1;
        }
        if (bad) {
            free(s);
            free(a);
            PyErr_NoMemory();
        } else {
            PyObject *cs = PyCapsule_New(s, "arrow_schema", capsule_schema_free);
            PyObject *ca = cs ? PyCapsule_New(a, "arrow_array", capsule_array_free) : NULL;
            if (!cs) { /* neither capsule: both exports go (the array was leaked here before) */
                release_schema(s);
                free(s);
            }
            if (!ca) {
                release_array(a);
                free(a);
            }
            if (cs && ca) result = PyTuple_Pack(2, cs, ca);
            Py_XDECREF(cs);
            Py_XDECREF(ca);
        }
    }
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): the analyzer does not follow the atomic count; every node holds a reference */
    xspec_unref(x);
    return result;
}
