/* _smtpcodes.c - CPython binding of the smtpcodes core (csrc/smtpcodes.h).
 *
 * The module roughly corresponds to this Python (all the knowledge, parsing,
 * matching and rendering come from the C core; this file only converts):
 *
 *     class ParseError(ValueError): reason: str; input: object
 *     class Code:                           # immutable, hashable, ordered
 *         code, kind, title, description, when, fix, references, commands,
 *         basic_codes, related, digits, class_name, category_name, is_success,
 *         is_intermediate, is_transient, is_permanent, standard, vendor,
 *         deprecated, known, lang, permanence, alt
 *         __eq__: a basic Code == its int, an enhanced Code == its text
 *     class Reply: code, enhanced, lines, text, multiline, flags, permanence,
 *                  reply_code, status_code
 *     class Explanation: text, markdown
 *     class Comparison: a, b, differences, similarities, summary,
 *                       key_differences, when_to_use, text, markdown
 *     def lookup(code, /, *, lang="en") -> Code: ...   # cached objects
 *     def parse(reply, /, *, strict=False) -> Reply: ...
 *     def explain(x, /, *, lang="en") -> Explanation: ...
 *     def compare(a, b, /, *, lang="en") -> Comparison: ...
 *     def codes(kind=None) -> list[Code]; def table(kind=None, *, lang="en") -> list[dict]
 *     def search(words, /, *, lang=None) -> list[Code]
 *     def replies_for(command, /) -> tuple[Code, ...]
 *     def is_valid_reply(command, code, /) -> bool
 *     def languages() -> tuple[str, ...]
 *     class Tag: tag, provider, title, description, when, fix, reason, codes,
 *                references, lang, text, markdown, html     # immutable, pickles
 *     def lookup_tag(tag, /, *, provider=None, lang="en") -> Tag  # KeyError if unknown
 *     def tags(provider=None, *, lang="en") -> list[Tag]; def providers() -> tuple[str, ...]
 *
 * Multi-phase initialisation; everything lives in the module state (types,
 * ParseError, the Code caches); heap types only; no static PyObject *.
 * Text decoding: the core's rendered output is valid UTF-8; the text of reply
 * lines is decoded with errors="surrogateescape", so undecodable bytes are
 * kept (line.encode("utf-8", "surrogateescape") gives the input bytes back)
 * and the reply carries the "not-utf8" flag.
 * Every rendering (text, Markdown and the HTML of _repr_html_ and .html) comes
 * from the core; this module only converts. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h> /* T_PYSSIZET, READONLY: ParseError's __weaklistoffset__ */

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "smtpcodes.h"
#include "cli.h"
#include "../common/share.h"

/* abi3 (setup.py defines Py_LIMITED_API=0x030A0000, CPython 3.10+): these macros are not
 * in the limited API; the checked functions they stand for are. Type slots are read
 * with PyType_GetSlot, type names through __name__. */
#ifdef Py_LIMITED_API
#define PyTuple_GET_ITEM PyTuple_GetItem
#define PyTuple_GET_SIZE PyTuple_Size
#define PyTuple_SET_ITEM(t, i, v) ((void)PyTuple_SetItem((t), (i), (v)))
#define PyList_GET_ITEM PyList_GetItem
#define PyList_GET_SIZE PyList_Size
#define PyList_SET_ITEM(l, i, v) ((void)PyList_SetItem((l), (i), (v)))
#define PyBytes_AS_STRING PyBytes_AsString
#define PyBytes_GET_SIZE PyBytes_Size
#define PyUnicode_GET_LENGTH PyUnicode_GetLength
#define PyDict_GET_SIZE PyDict_Size
#define Py_SETREF(dst, src)                                                                              \
    do {                                                                                                 \
        PyObject **sc_p_ = (PyObject **)&(dst);                                                          \
        PyObject *sc_t_ = *sc_p_;                                                                        \
        *sc_p_ = (PyObject *)(src);                                                                      \
        Py_XDECREF(sc_t_);                                                                               \
    } while (0)
#define PyObject_CallOneArg(f, a) PyObject_CallFunctionObjArgs((f), (a), NULL)
#define SC_TP_FREE(tp) ((freefunc)PyType_GetSlot((tp), Py_tp_free))
/* The name of o's type, for error messages: a copy in one of four per-thread buffers. */
static const char *sc_type_name(PyObject *o) {
    static _Thread_local char names[4][128];
    static _Thread_local unsigned turn;
    char *b = names[turn++ & 3u];
    PyObject *n = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__");
    const char *s = n ? PyUnicode_AsUTF8AndSize(n, NULL) : NULL;
    snprintf(b, sizeof names[0], "%s", s ? s : "?");
    if (!s) PyErr_Clear();
    Py_XDECREF(n);
    return b;
}
#define SC_TYPE_NAME(o) sc_type_name((PyObject *)(o))
#else
#define SC_TP_FREE(tp) ((tp)->tp_free)
#define SC_TYPE_NAME(o) (Py_TYPE(o)->tp_name)
#endif

#define NBASIC 900 /* basic codes 100..999 */
#define TEXT_CACHE_MAX 4096 /* entries of a language's lookup(str) cache before it is cleared */
#define REPR_MAX 60 /* characters of an input's repr quoted in error messages */
#define PE_NSTATUS 32 /* statuses -1 .. -31 have a cached int object (module_state.pe_status) */

/* ------------------------------------------------------------------------ */
/* Module state                                                               */

#define N_PERMANENCE (SMTPCODES_PERM_PERMANENT + 1)
#define N_EVIDENCE SMTPCODES_EV_COUNT

typedef struct {
    PyTypeObject *Code_Type;
    PyTypeObject *Reply_Type;
    PyTypeObject *Explanation_Type;
    PyTypeObject *Comparison_Type;
    PyTypeObject *Classification_Type;
    PyTypeObject *LogRecord_Type;
    PyTypeObject *Bounce_Type;
    PyTypeObject *BounceRecipient_Type;
    PyTypeObject *Tag_Type;
    PyObject *ParseError;
    /* ParseError's machinery (see raise_parse_error): pe_token marks the args of an
     * instance whose message is still to be built, pe_status[-status] are the statuses
     * as int objects; args_descr is BaseException's "args" descriptor (with its get and
     * set slots), which ParseError's own "args" wraps. */
    PyObject *pe_token;
    PyObject *pe_status[PE_NSTATUS];
    PyObject *args_descr;
    descrgetfunc args_get;
    descrsetfunc args_set;
    newfunc base_new;
    /* Shared str objects of the classification vocabulary, so that building
     * a Classification allocates only the object itself:
     * reasons: tuple of every reason name (reasons() returns it);
     * permanence[p], evidence_kind[e], flag[i], lang[l]: the names. */
    PyObject *reasons;
    PyObject *permanence[N_PERMANENCE];
    PyObject *evidence_kind[N_EVIDENCE];
    PyObject *flag[SMTPCODES_NFLAGS];
    PyObject *lang[SMTPCODES_NLANG];
    /* Caches of Code objects (one per language):
     * basic[lang][n - 100]: every basic code, known or not (bounded: 900);
     * enhanced[lang]: dict canonical text -> Code, known enhanced codes only
     *   (bounded by the table; unknown enhanced codes are not cached);
     * entries[lang][i]: table rows whose own code differs from what looking
     *   up their text gives (a vendor row shadowed by a registered code). */
    PyObject *enhanced[SMTPCODES_NLANG];
    PyObject **entries[SMTPCODES_NLANG];
    /* by_text[lang]: dict input str -> Code, what lookup(str) returned for
     * exactly that text (any spelling: "5.1.1", " 550 ", "x.1.1"), so a repeated
     * lookup of a text is one dict probe before any parsing. Bounded: cleared
     * when it reaches TEXT_CACHE_MAX entries. Only exact str keys (no subclass,
     * whose __eq__ / __hash__ could lie) and only successful lookups.
     * Safe because every module function runs with the GIL held: a dict probe
     * or insertion is atomic under the GIL, and the cache is never walked while
     * Python code runs. It is NOT safe without the GIL (free-threaded CPython):
     * the lazily filled basic[] / entries[] slots above are plain pointers
     * written without a lock, so the module declares no Py_mod_gil slot (and an
     * abi3 build cannot load on a free-threaded interpreter anyway). */
    PyObject *by_text[SMTPCODES_NLANG];
    PyObject *basic[SMTPCODES_NLANG][NBASIC];
} module_state;

static inline module_state *get_state(PyObject *module) {
    return (module_state *)PyModule_GetState(module);
}

/* Types are created with PyType_FromModuleAndSpec and cannot be subclassed,
 * so the defining module's state is reachable from any instance's type. */
static inline module_state *state_of(PyObject *obj) {
    return (module_state *)PyType_GetModuleState(Py_TYPE(obj));
}

typedef struct {
    PyObject_HEAD
    smtpcodes_code c;
    smtpcodes_lang lang;
    Py_hash_t hash; /* enhanced: hash of the text, computed once; -1 until then */
} CodeObject;

/* A line's text inside the reply's buffer. */
typedef struct {
    size_t off, len;
} text_span;

/* A Reply keeps what the core's parse gave (the two codes, flags, permanence, stage and
 * where each line's text lies in the input) and builds its Python fields only when they
 * are first read: parse() allocates the object and nothing else. The lazily built
 * fields are written once, with the GIL held. Not a GC type: it can only refer to
 * str, bytes, int, tuples of str and Codes, none of which refers back to a Reply. */
typedef struct {
    PyObject_VAR_HEAD
    PyObject *input;       /* exact str or bytes whose UTF-8 / bytes `buf` is: the input, parsed again by explain() */
    const char *buf;       /* the input's bytes, valid while `input` lives */
    size_t buf_len;
    /* built on first access (NULL until then) */
    PyObject *code;        /* int or None */
    PyObject *enhanced;    /* str or None */
    PyObject *lines;       /* tuple of str */
    PyObject *text;        /* str */
    PyObject *flags;       /* tuple of str */
    PyObject *reply_code;  /* Code or None */
    PyObject *status_code; /* Code or None */
    PyObject *raw;         /* bytes (input itself when it is bytes) */
    smtpcodes_code basic_c, enhanced_c; /* valid when has_basic / has_enhanced */
    int has_basic, has_enhanced;
    smtpcodes_permanence permanence;
    unsigned int options;  /* SMTPCODES_STRICT or 0 */
    unsigned int cflags;   /* SMTPCODES_F_* */
    const char *stage;     /* the wrapper's SMTP stage (a static string of the core), or NULL */
    Py_ssize_t nlines;
    text_span line[];      /* nlines items (the type's itemsize) */
} ReplyObject;

typedef struct {
    PyObject_HEAD
    PyObject *text;
    PyObject *markdown;
    PyObject *html;
} ExplanationObject;

typedef struct {
    PyObject_HEAD
    smtpcodes_comparison cmp;
    smtpcodes_lang lang;
    PyObject *a, *b;                 /* Code */
    PyObject *differences;           /* tuple of (aspect, value_a, value_b) */
    PyObject *similarities;          /* tuple of (aspect, value) */
    PyObject *summary, *key_differences, *when_to_use, *text, *markdown;
} ComparisonObject;

/* ------------------------------------------------------------------------ */
/* Errors and argument helpers                                                */


/* repr(obj), cut to REPR_MAX characters plus "..." when longer. */
static PyObject *short_repr(PyObject *obj) {
    PyObject *r = PyObject_Repr(obj);
    if (!r) return NULL;
    Py_ssize_t n = PyUnicode_GetLength(r);
    if (n <= REPR_MAX) return r;
    PyObject *head = PyUnicode_Substring(r, 0, REPR_MAX);
    Py_DECREF(r);
    if (!head) return NULL;
    PyObject *out = PyUnicode_FromFormat("%U...", head);
    Py_DECREF(head);
    return out;
}

/* "<strerror>: <repr of input>", the message of the exception a status raises. */
static PyObject *status_message(int status, PyObject *input) {
    PyObject *r = short_repr(input);
    if (!r) return NULL;
    PyObject *msg = PyUnicode_FromFormat("%s: %U", smtpcodes_strerror(status), r);
    Py_DECREF(r);
    return msg;
}

/* Raise exc_type(status_message(status, input)) (a plain ValueError); returns NULL. */
static PyObject *raise_status(module_state *st, PyObject *exc_type, int status, PyObject *input) {
    (void)st;
    PyObject *msg = status_message(status, input);
    if (!msg) return NULL;
    PyObject *exc = PyObject_CallOneArg(exc_type, msg);
    Py_DECREF(msg);
    if (!exc) return NULL;
    PyErr_SetObject(exc_type, exc);
    Py_DECREF(exc);
    return NULL;
}

/* ParseError, a ValueError with the attributes reason and input, raised cheaply:
 * for an exact str or bytes input (whose repr cannot change) the instance is made
 * with the private args (st->pe_token, input, status) and nothing else; the message
 * "<strerror>: <repr of input>" and the __dict__ entries reason and input are built
 * the first time anything reads the instance (str, repr, args, reason, input,
 * __dict__, pickling). Code that catches ParseError and moves on, like parse() over
 * a corpus of bounce texts, never formats a message. Other inputs (a bytearray that
 * may change later, a str subclass with its own __repr__, an int) get the message at
 * once. Seen from Python nothing differs from the class PyErr_NewException made and
 * whose instances got .reason and .input by setattr: same args, str, repr, __dict__,
 * pickling ((type, args, __dict__)), weak references, subclassing, layout (no C
 * fields of its own but the weak reference list: not a disjoint base), and
 * ParseError("own message") made in Python is an ordinary exception. */

static void ParseError_dealloc(PyObject *self);

static int pe_is_parse_error(PyObject *t) {
    return PyType_Check(t) && (destructor)PyType_GetSlot((PyTypeObject *)t, Py_tp_dealloc) == ParseError_dealloc;
}

/* The ParseError type self is an instance of (a borrowed reference): its type, or for
 * a Python subclass (whose dealloc is CPython's) the one in its __mro__. NULL with
 * SystemError if there is none. */
static PyTypeObject *pe_type(PyObject *self) {
    PyObject *t = (PyObject *)Py_TYPE(self);
    if (pe_is_parse_error(t)) return (PyTypeObject *)t;
    PyObject *mro = PyObject_GetAttrString(t, "__mro__");
    PyTypeObject *found = NULL;
    for (Py_ssize_t i = 0, n = mro && PyTuple_Check(mro) ? PyTuple_GET_SIZE(mro) : 0; i < n && !found; i++)
        if (pe_is_parse_error(PyTuple_GET_ITEM(mro, i))) found = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
    Py_XDECREF(mro); /* the type's __mro__ keeps found alive */
    if (!found && !PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "smtpcodes: not a ParseError");
    return found;
}

/* The state of the module whose ParseError self is an instance of, or NULL. */
static module_state *pe_state(PyObject *self) {
    PyTypeObject *t = pe_type(self);
    return t ? (module_state *)PyType_GetModuleState(t) : NULL;
}

/* For an instance of a subclass: super(ParseError, self).<name>(*args, **kwds), which is
 * what the bases after ParseError in its __mro__ do (OSError's __str__ for a class over
 * ParseError and OSError). NULL with *done = 0 for an exact ParseError, whose next base
 * is ValueError (the caller calls its slot). */
static PyObject *pe_super_call(PyObject *self, const char *name, PyObject *args, PyObject *kwds, int *done) {
    PyTypeObject *t = pe_type(self);
    *done = 1;
    if (!t) return NULL;
    if (t == Py_TYPE(self)) {
        *done = 0;
        return NULL;
    }
    PyObject *sup = PyObject_CallFunctionObjArgs((PyObject *)&PySuper_Type, (PyObject *)t, self, NULL);
    PyObject *f = sup ? PyObject_GetAttrString(sup, name) : NULL;
    Py_XDECREF(sup);
    if (!f) return NULL;
    PyObject *empty = args ? NULL : PyTuple_New(0);
    PyObject *out = args || empty ? PyObject_Call(f, args ? args : empty, kwds) : NULL;
    Py_XDECREF(empty);
    Py_DECREF(f);
    return out;
}

/* Set __dict__ entries reason (status's name) and input, as setattr did. */
static int pe_set_attrs(PyObject *self, int status, PyObject *input) {
    PyObject *dict = PyObject_GenericGetDict(self, NULL);
    if (!dict) return -1;
    PyObject *reason = PyUnicode_FromString(smtpcodes_status_name(status));
    int r = !reason || PyDict_SetItemString(dict, "reason", reason) < 0 ||
                    PyDict_SetItemString(dict, "input", input) < 0
                ? -1
                : 0;
    Py_XDECREF(reason);
    Py_DECREF(dict);
    return r;
}

/* If self's args are still the private (token, input, status), build the message
 * into args and set reason and input. 0, or -1 with an exception set. */
static int pe_materialize(PyObject *self) {
    module_state *st = pe_state(self);
    if (!st) return -1;
    PyObject *args = st->args_get(st->args_descr, self, (PyObject *)Py_TYPE(self));
    if (!args) return -1;
    int r = 0;
    if (PyTuple_CheckExact(args) && PyTuple_GET_SIZE(args) == 3 && PyTuple_GET_ITEM(args, 0) == st->pe_token) {
        PyObject *input = PyTuple_GET_ITEM(args, 1);
        int status = (int)PyLong_AsLong(PyTuple_GET_ITEM(args, 2));
        PyObject *msg = status_message(status, input);
        PyObject *margs = msg ? PyTuple_Pack(1, msg) : NULL;
        Py_XDECREF(msg);
        r = !margs || pe_set_attrs(self, status, input) < 0 || st->args_set(st->args_descr, self, margs) < 0 ? -1 : 0;
        Py_XDECREF(margs);
    }
    Py_DECREF(args);
    return r;
}

/* Raise ParseError for status and input; always returns NULL. */
static PyObject *raise_parse_error(module_state *st, int status, PyObject *input) {
    int lazy = PyUnicode_CheckExact(input) || PyBytes_CheckExact(input);
    PyObject *args;
    if (lazy) {
        PyObject *code = status < 0 && -status < PE_NSTATUS ? Py_NewRef(st->pe_status[-status]) : PyLong_FromLong(status);
        if (!code) return NULL;
        args = PyTuple_Pack(3, st->pe_token, input, code);
        Py_DECREF(code);
    } else {
        PyObject *msg = status_message(status, input);
        if (!msg) return NULL;
        args = PyTuple_Pack(1, msg);
        Py_DECREF(msg);
    }
    if (!args) return NULL;
    PyObject *exc = st->base_new((PyTypeObject *)st->ParseError, args, NULL);
    Py_DECREF(args);
    if (!exc) return NULL;
    if (!lazy && pe_set_attrs(exc, status, input) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject(st->ParseError, exc);
    Py_DECREF(exc);
    return NULL;
}

static PyObject *parse_error(module_state *st, int status, PyObject *input) {
    if (status == SMTPCODES_ERR_LANG || status == SMTPCODES_ERR_COMMAND || status == SMTPCODES_ERR_ARG ||
        status == SMTPCODES_ERR_TOO_LONG)
        return raise_status(st, PyExc_ValueError, status, input);
    return raise_parse_error(st, status, input);
}

/* ValueError's slot s (BaseException's). */
static void *ve_slot(int s) { return PyType_GetSlot((PyTypeObject *)PyExc_ValueError, s); }

static void ParseError_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    PyObject_ClearWeakRefs(self);
    ((destructor)ve_slot(Py_tp_dealloc))(self); /* clears BaseException's fields, frees self */
    Py_DECREF(tp);
}

static int ParseError_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    return ((traverseproc)ve_slot(Py_tp_traverse))(self, visit, arg);
}

static PyObject *ParseError_str(PyObject *self) {
    int done;
    if (pe_materialize(self) < 0) return NULL;
    PyObject *out = pe_super_call(self, "__str__", NULL, NULL, &done);
    return done ? out : ((reprfunc)ve_slot(Py_tp_str))(self);
}

static PyObject *ParseError_repr(PyObject *self) {
    int done;
    if (pe_materialize(self) < 0) return NULL;
    PyObject *out = pe_super_call(self, "__repr__", NULL, NULL, &done);
    return done ? out : ((reprfunc)ve_slot(Py_tp_repr))(self);
}

static PyObject *ParseError_get_args(PyObject *self, void *closure);

/* (type, args) or, with attributes, (type, args, __dict__) (as BaseException's, which
 * also gives an empty __dict__ once one exists); BaseException.__setstate__ sets them back. */
static PyObject *ParseError_reduce(PyObject *self, PyObject *unused) {
    (void)unused;
    int done;
    if (pe_materialize(self) < 0) return NULL;
    PyObject *sup = pe_super_call(self, "__reduce__", NULL, NULL, &done);
    if (done) return sup;
    PyObject *args = ParseError_get_args(self, NULL);
    if (!args) return NULL;
    PyObject *dict = PyObject_GenericGetDict(self, NULL), *out = NULL;
    if (dict)
        out = PyDict_Size(dict) ? PyTuple_Pack(3, (PyObject *)Py_TYPE(self), args, dict)
                                : PyTuple_Pack(2, (PyObject *)Py_TYPE(self), args);
    Py_DECREF(args);
    Py_XDECREF(dict);
    return out;
}

/* Any attribute assignment comes after reason and input (__notes__ of add_note, ...),
 * in the __dict__ as when they were set at the raise. */
static int ParseError_setattro(PyObject *self, PyObject *name, PyObject *value) {
    return pe_materialize(self) < 0 ? -1 : PyObject_GenericSetAttr(self, name, value);
}

/* e.__init__(...) again replaces args only, as it did (reason and input stay). */
static int ParseError_init(PyObject *self, PyObject *args, PyObject *kwds) {
    int done;
    if (pe_materialize(self) < 0) return -1;
    PyObject *r = pe_super_call(self, "__init__", args, kwds, &done);
    if (!done) return ((initproc)ve_slot(Py_tp_init))(self, args, kwds);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static PyObject *ParseError_get_args(PyObject *self, void *closure) {
    (void)closure;
    module_state *st = pe_state(self);
    if (!st || pe_materialize(self) < 0) return NULL;
    return st->args_get(st->args_descr, self, (PyObject *)Py_TYPE(self));
}

static int ParseError_set_args(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    module_state *st = pe_state(self);
    if (!st || pe_materialize(self) < 0) return -1;
    return st->args_set(st->args_descr, self, value);
}

static PyObject *ParseError_get_dict(PyObject *self, void *closure) {
    (void)closure;
    return pe_materialize(self) < 0 ? NULL : PyObject_GenericGetDict(self, NULL);
}

static int ParseError_set_dict(PyObject *self, PyObject *value, void *closure) {
    (void)closure;
    return pe_materialize(self) < 0 ? -1 : PyObject_GenericSetDict(self, value, NULL);
}

/* reason and input live in the __dict__ (closure: their name). */
static PyObject *ParseError_get_attr(PyObject *self, void *closure) {
    if (pe_materialize(self) < 0) return NULL;
    PyObject *dict = PyObject_GenericGetDict(self, NULL);
    if (!dict) return NULL;
    PyObject *v = PyDict_GetItemString(dict, (const char *)closure);
    Py_XINCREF(v);
    Py_DECREF(dict);
    if (!v)
        PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'", SC_TYPE_NAME(self),
                     (const char *)closure);
    return v;
}

static int ParseError_set_attr(PyObject *self, PyObject *value, void *closure) {
    if (pe_materialize(self) < 0) return -1;
    PyObject *dict = PyObject_GenericGetDict(self, NULL);
    if (!dict) return -1;
    int r = value ? PyDict_SetItemString(dict, (const char *)closure, value)
                  : PyDict_DelItemString(dict, (const char *)closure);
    Py_DECREF(dict);
    if (r < 0 && !value && PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
        PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%s'", SC_TYPE_NAME(self),
                     (const char *)closure);
    }
    return r;
}

/* __weakref__, as a Python class has: the first weak reference to self, or None. */
static PyObject *ParseError_get_weakref(PyObject *self, void *closure) {
    (void)closure;
    PyObject *o = PyObject_GetAttrString((PyObject *)Py_TYPE(self), "__weakrefoffset__");
    Py_ssize_t off = o ? PyLong_AsSsize_t(o) : -1;
    Py_XDECREF(o);
    if (off <= 0) return off < 0 && PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    PyObject *first = *(PyObject **)(void *)((char *)self + off);
    return Py_NewRef(first ? first : Py_None);
}

static PyGetSetDef ParseError_getset[] = {
    {"args", ParseError_get_args, ParseError_set_args, NULL, NULL},
    {"__dict__", ParseError_get_dict, ParseError_set_dict, NULL, NULL},
    {"__weakref__", ParseError_get_weakref, NULL, "list of weak references to the object (if defined)", NULL},
    {"reason", ParseError_get_attr, ParseError_set_attr,
     "The problem: 'empty', 'syntax', 'range', 'no-code', 'incomplete', 'mixed', ...", "reason"},
    {"input", ParseError_get_attr, ParseError_set_attr, "The input that could not be read.", "input"},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef ParseError_methods[] = {
    {"__reduce__", ParseError_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* Create ParseError (a subclass of ValueError) into st->ParseError and the module. */
static int init_parse_error(PyObject *module, module_state *st) {
    PyObject *v = PyObject_GetAttrString(PyExc_ValueError, "__basicsize__");
    Py_ssize_t base = v ? PyLong_AsSsize_t(v) : -1;
    Py_XDECREF(v);
    if (base < 0) return -1;
    Py_ssize_t align = (Py_ssize_t)_Alignof(PyObject *);
    Py_ssize_t weaklist = (base + align - 1) / align * align; /* a weak reference list, as a Python class has */
    if (!(st->args_descr = PyObject_GetAttrString(PyExc_BaseException, "args")) ||
        !(st->pe_token = PyObject_CallNoArgs((PyObject *)&PyBaseObject_Type)))
        return -1;
    for (int i = 0; i < PE_NSTATUS; i++)
        if (!(st->pe_status[i] = PyLong_FromLong(-i))) return -1;
    st->args_get = (descrgetfunc)PyType_GetSlot(Py_TYPE(st->args_descr), Py_tp_descr_get);
    st->args_set = (descrsetfunc)PyType_GetSlot(Py_TYPE(st->args_descr), Py_tp_descr_set);
    st->base_new = (newfunc)ve_slot(Py_tp_new);
    if (!st->args_get || !st->args_set || !st->base_new || !ve_slot(Py_tp_dealloc) || !ve_slot(Py_tp_traverse) ||
        !ve_slot(Py_tp_str) || !ve_slot(Py_tp_repr) || !ve_slot(Py_tp_init)) {
        PyErr_SetString(PyExc_SystemError, "smtpcodes: ValueError lacks a slot ParseError chains to");
        return -1;
    }
    PyMemberDef members[] = {
        {"__weaklistoffset__", T_PYSSIZET, weaklist, READONLY, NULL},
        {NULL, 0, 0, 0, NULL},
    };
    PyType_Slot slots[] = {
        {Py_tp_doc, "Malformed input: not a reply code, an enhanced status code or a reply.\n\n"
                    "A ValueError. The message quotes the input; .reason names the problem\n"
                    "('empty', 'syntax', 'range', 'no-code', 'incomplete', 'mixed') and .input\n"
                    "holds the input."},
        {Py_tp_dealloc, ParseError_dealloc},
        {Py_tp_traverse, ParseError_traverse},
        {Py_tp_str, ParseError_str},
        {Py_tp_repr, ParseError_repr},
        {Py_tp_setattro, ParseError_setattro},
        {Py_tp_init, ParseError_init},
        {Py_tp_getset, ParseError_getset},
        {Py_tp_methods, ParseError_methods},
        {Py_tp_members, members},
        {0, NULL},
    };
    PyType_Spec spec = {
        .name = "smtpcodes.ParseError",
        .basicsize = (int)(weaklist + (Py_ssize_t)sizeof(PyObject *)),
        .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
        .slots = slots,
    };
    st->ParseError = PyType_FromModuleAndSpec(module, &spec, PyExc_ValueError);
    return st->ParseError ? PyModule_AddObjectRef(module, "ParseError", st->ParseError) : -1;
}

/* A hand-written parser for METH_FASTCALL|METH_KEYWORDS functions (the
 * CPython one is private). names[] lists every parameter; the first nposonly
 * are positional-only, at most maxpos may be positional, the first nreq are
 * required. out[i] receives a borrowed reference or NULL. */
typedef struct {
    const char *fname;
    int nposonly, maxpos, nreq, nnames;
    const char *const *names;
} signature;

static int parse_args(const signature *s, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                      PyObject **out) {
    for (int i = 0; i < s->nnames; i++) out[i] = NULL;
    if (nargs > s->maxpos) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d positional argument%s (%zd given)", s->fname,
                     s->maxpos, s->maxpos == 1 ? "" : "s", nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) out[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int found = -1;
        for (int j = s->nposonly; j < s->nnames; j++) {
            if (PyUnicode_CompareWithASCIIString(key, s->names[j]) == 0) {
                found = j;
                break;
            }
        }
        if (found < 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", s->fname, key);
            return -1;
        }
        if (out[found]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", s->fname,
                         s->names[found]);
            return -1;
        }
        out[found] = args[nargs + k];
    }
    for (int i = 0; i < s->nreq; i++) {
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %d)", s->fname,
                         s->names[i], i + 1);
            return -1;
        }
    }
    return 0;
}

/* lang: NULL (absent) -> en; None -> -1 when allow_none; "en"/"es" (and
 * "es-ES", "en_US") -> the language; other str -> ValueError; else TypeError. */
static int lang_from_obj(module_state *st, PyObject *o, int allow_none, int *out) {
    if (!o) {
        *out = SMTPCODES_EN;
        return 0;
    }
    if (o == Py_None && allow_none) {
        *out = -1;
        return 0;
    }
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "lang must be a str, not %.100s", SC_TYPE_NAME(o));
        return -1;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    smtpcodes_lang lang;
    if (!s) {
        PyErr_Clear();
        s = "";
        n = 0;
    }
    if (smtpcodes_lang_from_tag(s, (size_t)n, &lang) != SMTPCODES_OK) {
        raise_status(st, PyExc_ValueError, SMTPCODES_ERR_LANG, o);
        return -1;
    }
    *out = (int)lang;
    return 0;
}

/* The UTF-8 bytes of a str (lone surrogates: surrogateescape, else
 * surrogatepass, so no str raises), or the bytes of a bytes-like object.
 * Returns a new bytes object, or NULL with TypeError naming what. */
static PyObject *to_bytes(PyObject *x, const char *fname, const char *what) {
    if (PyBytes_Check(x)) return Py_NewRef(x);
    if (PyUnicode_Check(x)) {
        PyObject *b = PyUnicode_AsUTF8String(x);
        if (b) return b;
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return NULL;
        PyErr_Clear();
        b = PyUnicode_AsEncodedString(x, "utf-8", "surrogateescape");
        if (b) return b;
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return NULL;
        PyErr_Clear();
        return PyUnicode_AsEncodedString(x, "utf-8", "surrogatepass");
    }
    if (PyByteArray_Check(x) || PyMemoryView_Check(x)) return PyBytes_FromObject(x);
    PyErr_Format(PyExc_TypeError, "%s() argument must be %s, not %.100s", fname, what, SC_TYPE_NAME(x));
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Code objects and their caches                                              */

static PyObject *new_code(module_state *st, const smtpcodes_code *c, smtpcodes_lang lang) {
    CodeObject *self = (CodeObject *)PyType_GenericAlloc(st->Code_Type, 0);
    if (!self) return NULL;
    self->c = *c;
    self->lang = lang;
    self->hash = -1;
    return (PyObject *)self;
}

static int basic_value(const smtpcodes_code *c) {
    return c->digits[0] * 100 + c->digits[1] * 10 + c->digits[2];
}

static size_t entry_index(const smtpcodes_entry *e) { return (size_t)(e - smtpcodes_at(0)); }

/* The only place a smtpcodes_code becomes a Python object: cached when the
 * code is basic, or known and either what looking up its text gives or a
 * table row of its own. Returns a new reference. */
static PyObject *code_get(module_state *st, const smtpcodes_code *c, smtpcodes_lang lang) {
    if (c->kind == SMTPCODES_BASIC) {
        int n = basic_value(c);
        if (n < 100 || n > 999) return new_code(st, c, lang);
        PyObject **slot = &st->basic[lang][n - 100];
        if (!*slot && !(*slot = new_code(st, c, lang))) return NULL;
        return Py_NewRef(*slot);
    }
    if (!c->known) return new_code(st, c, lang);
    smtpcodes_code l;
    if (smtpcodes_lookup(c->text, strlen(c->text), &l) == SMTPCODES_OK && l.entry == c->entry &&
        l.alt == c->alt) {
        PyObject *key = PyUnicode_FromString(c->text);
        if (!key) return NULL;
        PyObject *v = PyDict_GetItemWithError(st->enhanced[lang], key);
        if (v) {
            Py_DECREF(key);
            return Py_NewRef(v);
        }
        if (PyErr_Occurred() || !(v = new_code(st, c, lang))) {
            Py_DECREF(key);
            return NULL;
        }
        int rc = PyDict_SetItem(st->enhanced[lang], key, v);
        Py_DECREF(key);
        if (rc < 0) {
            Py_DECREF(v);
            return NULL;
        }
        return v;
    }
    smtpcodes_code own;
    if (!c->alt && smtpcodes_code_of(c->entry, &own) == SMTPCODES_OK && strcmp(own.text, c->text) == 0) {
        PyObject **slot = &st->entries[lang][entry_index(c->entry)];
        if (!*slot && !(*slot = new_code(st, c, lang))) return NULL;
        return Py_NewRef(*slot);
    }
    return new_code(st, c, lang);
}

static PyObject *code_from_entry(module_state *st, const smtpcodes_entry *e, smtpcodes_lang lang) {
    smtpcodes_code c;
    smtpcodes_code_of(e, &c);
    return code_get(st, &c, lang);
}

/* Fill *out from an int, a str or a Code; on failure raise (TypeError or
 * ParseError quoting x) and return -1. */
static int code_struct_from_obj(module_state *st, PyObject *x, const char *fname, smtpcodes_code *out) {
    int status;
    if (Py_IS_TYPE(x, st->Code_Type)) {
        *out = ((CodeObject *)x)->c;
        return 0;
    }
    if (PyLong_Check(x) && !PyBool_Check(x)) {
        int overflow;
        long v = PyLong_AsLongAndOverflow(x, &overflow);
        if (v == -1 && PyErr_Occurred()) return -1;
        if (overflow) status = overflow > 0 ? SMTPCODES_ERR_RANGE : SMTPCODES_ERR_SYNTAX;
        else if (v > 99999 || v < -99999) status = v > 0 ? SMTPCODES_ERR_RANGE : SMTPCODES_ERR_SYNTAX;
        else status = smtpcodes_lookup_basic((int)v, out);
    } else if (PyUnicode_Check(x)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(x, &n);
        if (!s) {   /* lone surrogates: not a code */
            PyErr_Clear();
            status = SMTPCODES_ERR_SYNTAX;
        } else {
            status = smtpcodes_lookup(s, (size_t)n, out);
        }
    } else {
        PyErr_Format(PyExc_TypeError, "%s() argument must be an int, a str or a Code, not %.100s", fname,
                     SC_TYPE_NAME(x));
        return -1;
    }
    if (status < 0) {
        parse_error(st, status, x);
        return -1;
    }
    return 0;
}

static PyObject *lookup_impl(module_state *st, PyObject *x, smtpcodes_lang lang, const char *fname) {
    if (Py_IS_TYPE(x, st->Code_Type) && ((CodeObject *)x)->lang == lang) return Py_NewRef(x);
    int cache = PyUnicode_CheckExact(x);
    if (cache) { /* the text cache (see module_state.by_text) */
        PyObject *v = PyDict_GetItemWithError(st->by_text[lang], x);
        if (v) return Py_NewRef(v);
        if (PyErr_Occurred()) return NULL;
    }
    smtpcodes_code c;
    if (code_struct_from_obj(st, x, fname, &c) < 0) return NULL;
    PyObject *v = code_get(st, &c, lang);
    if (v && cache) {
        if (PyDict_GET_SIZE(st->by_text[lang]) >= TEXT_CACHE_MAX) PyDict_Clear(st->by_text[lang]);
        if (PyDict_SetItem(st->by_text[lang], x, v) < 0) Py_CLEAR(v);
    }
    return v;
}

/* ------------------------------------------------------------------------ */
/* Rendering with the snprintf idiom                                          */

/* Every rendering goes through the core's one entry point, smtpcodes_render(). */
typedef smtpcodes_render_req render_job;
enum {
    R_CODE = SMTPCODES_RENDER_CODE, R_REPLY = SMTPCODES_RENDER_REPLY, R_COMPARISON = SMTPCODES_RENDER_COMPARISON,
    R_ASPECT = SMTPCODES_RENDER_ASPECT, R_EVIDENCE = SMTPCODES_RENDER_EVIDENCE, R_RETRY = SMTPCODES_RENDER_RETRY,
    R_CLASSIFICATION = SMTPCODES_RENDER_CLASSIFICATION
};

static render_job job(int what, const void *obj, smtpcodes_lang lang, smtpcodes_format fmt) {
    render_job j = {(smtpcodes_render_what)what, obj, SMTPCODES_SECTION_ALL, SMTPCODES_ASPECT_KIND, 0, lang, fmt};
    return j;
}

static PyObject *render(const render_job *j) {
    char stack[8192];
    int n = smtpcodes_render(j, stack, sizeof stack);
    if (n < 0) {
        PyErr_Format(PyExc_ValueError, "smtpcodes: %s", smtpcodes_strerror(n));
        return NULL;
    }
    if ((size_t)n < sizeof stack) return PyUnicode_DecodeUTF8(stack, n, "replace");
    char *heap = PyMem_Malloc((size_t)n + 1);
    if (!heap) return PyErr_NoMemory();
    int m = smtpcodes_render(j, heap, (size_t)n + 1);
    PyObject *out = m < 0 ? (PyErr_Format(PyExc_ValueError, "smtpcodes: %s", smtpcodes_strerror(m)), NULL)
                          : PyUnicode_DecodeUTF8(heap, m < n ? m : n, "replace");
    PyMem_Free(heap);
    return out;
}

static PyObject *render_code(const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    render_job j = job(R_CODE, c, lang, fmt);
    return render(&j);
}


/* A list copy of a tuple; tuples of str inside stay as they are. */
static PyObject *list_of(PyObject *tuple) { return PySequence_List(tuple); }

/* ------------------------------------------------------------------------ */
/* Code                                                                       */

enum code_field {
    F_CODE, F_KIND, F_TITLE, F_DESCRIPTION, F_WHEN, F_FIX, F_REFERENCES, F_COMMANDS, F_BASIC_CODES,
    F_RELATED, F_DIGITS, F_CLASS_NAME, F_CATEGORY_NAME, F_IS_SUCCESS, F_IS_INTERMEDIATE, F_IS_TRANSIENT,
    F_IS_PERMANENT, F_STANDARD, F_VENDOR, F_DEPRECATED, F_KNOWN, F_LANG, F_PERMANENCE, F_ALT, F_NFIELDS
};

/* The API's field names, in to_dict() order (F_PERMANENCE and F_ALT are
 * Python extras and stay out of to_dict()). */
static const char *const code_field_names[F_NFIELDS] = {
    "code", "kind", "title", "description", "when", "fix", "references", "commands", "basic_codes",
    "related", "digits", "class_name", "category_name", "is_success", "is_intermediate", "is_transient",
    "is_permanent", "standard", "vendor", "deprecated", "known", "lang", "permanence", "alt",
};
#define CODE_DICT_FIELDS F_PERMANENCE

static PyObject *str_or_empty(const char *s) { return PyUnicode_FromString(s ? s : ""); }

static PyObject *code_value(const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) return PyLong_FromLong(basic_value(c));
    return PyUnicode_FromString(c->text);
}

/* as_values: related codes as their values (int/str) instead of Codes. */
static PyObject *code_field(CodeObject *self, int f, int as_values) {
    const smtpcodes_code *c = &self->c;
    const smtpcodes_entry *e = c->entry;
    smtpcodes_lang lang = self->lang;
    switch (f) {
    case F_CODE: return code_value(c);
    case F_KIND: return PyUnicode_FromString(c->kind == SMTPCODES_BASIC ? "basic" : "enhanced");
    case F_TITLE: return str_or_empty(smtpcodes_text(c, SMTPCODES_TITLE, lang));
    case F_DESCRIPTION: return str_or_empty(smtpcodes_text(c, SMTPCODES_DESCRIPTION, lang));
    case F_WHEN: return str_or_empty(smtpcodes_text(c, SMTPCODES_WHEN, lang));
    case F_FIX: return str_or_empty(smtpcodes_text(c, SMTPCODES_FIX, lang));
    case F_REFERENCES: {
        Py_ssize_t n = e ? e->nrefs : 0;
        PyObject *t = PyTuple_New(n);
        for (Py_ssize_t i = 0; t && i < n; i++) {
            PyObject *s = PyUnicode_FromString(e->refs[i]);
            if (!s) Py_CLEAR(t);
            else PyTuple_SET_ITEM(t, i, s);
        }
        return t;
    }
    case F_COMMANDS: {
        unsigned long bits = (e && c->kind == SMTPCODES_BASIC) ? e->commands : 0ul;
        PyObject *l = PyList_New(0);
        for (size_t i = 0; l && i < smtpcodes_command_count() && i < sizeof bits * 8; i++) {
            if (!(bits & (1ul << i))) continue;
            PyObject *s = PyUnicode_FromString(smtpcodes_command_name(i));
            if (!s || PyList_Append(l, s) < 0) Py_CLEAR(l);
            Py_XDECREF(s);
        }
        if (!l) return NULL;
        PyObject *t = PyList_AsTuple(l);
        Py_DECREF(l);
        return t;
    }
    case F_BASIC_CODES: {
        Py_ssize_t n = (e && c->kind == SMTPCODES_ENHANCED) ? e->nbasic : 0;
        PyObject *t = PyTuple_New(n);
        for (Py_ssize_t i = 0; t && i < n; i++) {
            PyObject *v = PyLong_FromLong(e->basic_codes[i]);
            if (!v) Py_CLEAR(t);
            else PyTuple_SET_ITEM(t, i, v);
        }
        return t;
    }
    case F_RELATED: {
        PyObject *l = PyList_New(0);
        module_state *st = state_of((PyObject *)self);
        for (size_t i = 0; l && e && i < e->nrelated; i++) {
            smtpcodes_code r;
            const char *txt = e->related[i];
            if (smtpcodes_lookup(txt, strlen(txt), &r) != SMTPCODES_OK) continue;
            PyObject *v = as_values ? code_value(&r) : code_get(st, &r, lang);
            if (!v || PyList_Append(l, v) < 0) Py_CLEAR(l);
            Py_XDECREF(v);
        }
        if (!l) return NULL;
        PyObject *t = PyList_AsTuple(l);
        Py_DECREF(l);
        return t;
    }
    case F_DIGITS: return Py_BuildValue("(iii)", c->digits[0], c->digits[1], c->digits[2]);
    case F_CLASS_NAME: return str_or_empty(smtpcodes_class_name(c, lang));
    case F_CATEGORY_NAME: return str_or_empty(smtpcodes_category_name(c, lang));
    case F_IS_SUCCESS: return PyBool_FromLong(smtpcodes_permanence_of(c) == SMTPCODES_PERM_SUCCESS);
    case F_IS_INTERMEDIATE: return PyBool_FromLong(smtpcodes_permanence_of(c) == SMTPCODES_PERM_INTERMEDIATE);
    case F_IS_TRANSIENT: return PyBool_FromLong(smtpcodes_permanence_of(c) == SMTPCODES_PERM_TEMPORARY);
    case F_IS_PERMANENT: return PyBool_FromLong(smtpcodes_permanence_of(c) == SMTPCODES_PERM_PERMANENT);
    case F_STANDARD: return PyBool_FromLong((smtpcodes_flags(c) & SMTPCODES_E_STANDARD) != 0);
    case F_VENDOR:
        if (e && e->vendor) return PyUnicode_FromString(e->vendor);
        Py_RETURN_NONE;
    case F_DEPRECATED: return PyBool_FromLong((smtpcodes_flags(c) & SMTPCODES_E_DEPRECATED) != 0);
    case F_KNOWN: return PyBool_FromLong(c->known != 0);
    case F_LANG: return PyUnicode_FromString(smtpcodes_lang_tag(lang));
    case F_PERMANENCE: return PyUnicode_FromString(smtpcodes_permanence_name(smtpcodes_permanence_of(c)));
    case F_ALT:
        if (c->alt) return code_from_entry(state_of((PyObject *)self), c->alt, lang);
        Py_RETURN_NONE;
    default: PyErr_SetString(PyExc_SystemError, "bad Code field"); return NULL;
    }
}

static PyObject *Code_getfield(PyObject *self, void *closure) {
    return code_field((CodeObject *)self, (int)(intptr_t)closure, 0);
}

static PyObject *code_to_dict(CodeObject *self) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (int f = 0; f < CODE_DICT_FIELDS; f++) {
        PyObject *v = code_field(self, f, 1);
        if (v && PyTuple_Check(v)) {
            PyObject *l = list_of(v);
            Py_SETREF(v, l);
        }
        if (!v || PyDict_SetItemString(d, code_field_names[f], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

static PyObject *Code_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static const char *const names[] = {"code", "lang"};
    static const signature sig = {"Code", 0, 2, 1, 2, names};
    PyObject *av[2];
    module_state *st = (module_state *)PyType_GetModuleState(type);
    if (!st) return NULL;
    /* Turn the classic call into the fastcall layout parse_args expects. */
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t nkw = kwds ? PyDict_GET_SIZE(kwds) : 0;
    PyObject *stack[4], *kwnames = NULL;
    if (nargs + nkw > 4) {
        PyErr_SetString(PyExc_TypeError, "Code() takes at most 2 arguments");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nargs; i++) stack[i] = PyTuple_GET_ITEM(args, i);
    if (nkw) {
        kwnames = PyTuple_New(nkw);
        if (!kwnames) return NULL;
        Py_ssize_t pos = 0, k = 0;
        PyObject *key, *val;
        while (PyDict_Next(kwds, &pos, &key, &val)) {
            PyTuple_SET_ITEM(kwnames, k, Py_NewRef(key));
            stack[nargs + k] = val;
            k++;
        }
    }
    int rc = parse_args(&sig, stack, nargs, kwnames, av);
    Py_XDECREF(kwnames);
    int lang;
    if (rc < 0 || lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    return lookup_impl(st, av[0], (smtpcodes_lang)lang, "Code");
}

static void Code_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

static int Code_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    return 0;
}

/* Order: basic before enhanced, then digits, then text (a vendor range after
 * its first code), then table row (two rows sharing a number). */
static int code_cmp(const smtpcodes_code *a, const smtpcodes_code *b) {
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    for (int i = 0; i < 3; i++)
        if (a->digits[i] != b->digits[i]) return a->digits[i] < b->digits[i] ? -1 : 1;
    int t = strcmp(a->text, b->text);
    if (t) return t < 0 ? -1 : 1;
    long ia = a->entry ? (long)entry_index(a->entry) : -1, ib = b->entry ? (long)entry_index(b->entry) : -1;
    return ia < ib ? -1 : ia > ib;
}

static PyObject *Code_richcompare(PyObject *self, PyObject *other, int op) {
    const smtpcodes_code *a = &((CodeObject *)self)->c;
    if (Py_TYPE(other) == Py_TYPE(self)) {
        int r = code_cmp(a, &((CodeObject *)other)->c);
        Py_RETURN_RICHCOMPARE(r, 0, op);
    }
    if (a->kind == SMTPCODES_BASIC && PyLong_Check(other)) {
        int overflow;
        long v = PyLong_AsLongAndOverflow(other, &overflow);
        if (v == -1 && PyErr_Occurred()) return NULL;
        long mine = basic_value(a);
        if (overflow) {
            v = overflow > 0 ? LONG_MAX : LONG_MIN;
            if (mine == v) mine = 0; /* cannot be equal */
        }
        Py_RETURN_RICHCOMPARE(mine, v, op);
    }
    /* every kind equals its canonical text: lookup(550) == "550", lookup("5.1.1") == "5.1.1" */
    if (PyUnicode_Check(other) && (op == Py_EQ || op == Py_NE)) {
        int eq = PyUnicode_CompareWithASCIIString(other, a->text) == 0;
        if (PyErr_Occurred()) return NULL;
        if (op == Py_EQ ? eq : !eq) Py_RETURN_TRUE;
        Py_RETURN_FALSE;
    }
    Py_RETURN_NOTIMPLEMENTED;
}

static Py_hash_t Code_hash(PyObject *self) {
    CodeObject *o = (CodeObject *)self;
    if (o->c.kind == SMTPCODES_BASIC) return (Py_hash_t)basic_value(&o->c); /* == hash(int) */
    if (o->hash == -1) {
        PyObject *s = PyUnicode_FromString(o->c.text);
        if (!s) return -1;
        o->hash = PyObject_Hash(s); /* == hash(text) */
        Py_DECREF(s);
    }
    return o->hash;
}

static PyObject *Code_repr(PyObject *self) {
    CodeObject *o = (CodeObject *)self;
    PyObject *title = str_or_empty(smtpcodes_text(&o->c, SMTPCODES_TITLE, o->lang));
    if (!title) return NULL;
    PyObject *r = PyUnicode_FromFormat("<Code %s %R%s%s%s>", o->c.text, title,
                                       o->c.known ? "" : " unknown", o->lang == SMTPCODES_EN ? "" : " lang=",
                                       o->lang == SMTPCODES_EN ? "" : smtpcodes_lang_tag(o->lang));
    Py_DECREF(title);
    return r;
}

static PyObject *Code_str(PyObject *self) {
    CodeObject *o = (CodeObject *)self;
    const char *title = smtpcodes_text(&o->c, SMTPCODES_TITLE, o->lang);
    return PyUnicode_FromFormat("%s %s", o->c.text, title ? title : "");
}

static PyObject *Code_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return code_to_dict((CodeObject *)self);
}

static PyObject *Code_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    CodeObject *o = (CodeObject *)self;
    return render_code(&o->c, o->lang, SMTPCODES_MARKDOWN);
}

static PyObject *Code_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    CodeObject *o = (CodeObject *)self;
    return render_code(&o->c, o->lang, SMTPCODES_HTML);
}

static PyObject *Code_get_rendered(PyObject *self, void *closure) {
    CodeObject *o = (CodeObject *)self;
    return render_code(&o->c, o->lang, (smtpcodes_format)(intptr_t)closure);
}

/* int(code), operator.index(code): basic codes only (an enhanced code is not a number). */
static PyObject *Code_int(PyObject *self) {
    CodeObject *o = (CodeObject *)self;
    if (o->c.kind != SMTPCODES_BASIC) {
        PyErr_Format(PyExc_TypeError, "enhanced code %s is not an integer (use .code or str)", o->c.text);
        return NULL;
    }
    return PyLong_FromLong(basic_value(&o->c));
}

/* format(code, spec): an empty spec gives str(code); otherwise a basic code
 * formats as its int (f"{lookup(550):>5}" == "  550") and an enhanced code as
 * its text (f"{lookup('5.1.1'):<8}"). */
static PyObject *Code_format(PyObject *self, PyObject *spec) {
    CodeObject *o = (CodeObject *)self;
    if (!PyUnicode_Check(spec)) {
        PyErr_SetString(PyExc_TypeError, "format spec must be a str");
        return NULL;
    }
    if (PyUnicode_GetLength(spec) == 0) return PyObject_Str(self);
    PyObject *v = o->c.kind == SMTPCODES_BASIC ? PyLong_FromLong(basic_value(&o->c)) : PyUnicode_FromString(o->c.text);
    if (!v) return NULL;
    PyObject *r = PyObject_Format(v, spec);
    Py_DECREF(v);
    return r;
}

static PyObject *Code_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    CodeObject *o = (CodeObject *)self;
    return Py_BuildValue("O(ss)", (PyObject *)Py_TYPE(self), o->c.text, smtpcodes_lang_tag(o->lang));
}

static PyMethodDef Code_methods[] = {
    {"to_dict", Code_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe API's fields as a dict (lists as lists, related codes as int/str)."},
    {"_repr_markdown_", Code_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe explanation in Markdown (for notebooks)."},
    {"_repr_html_", Code_repr_html, METH_NOARGS,
     "_repr_html_($self, /)\n--\n\nAn HTML code card, escaped (for notebooks)."},
    {"__reduce__", Code_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle as Code(text, lang)."},
    {"__format__", Code_format, METH_O,
     "__format__($self, format_spec, /)\n--\n\nA basic code formats as its int, an enhanced one as its text."},
    {NULL, NULL, 0, NULL},
};

#define CODE_GETTER(name, id, doc) {name, Code_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef Code_getset[] = {
    {"text", Code_get_rendered, NULL, "The explanation as plain text (in the code's language).",
     (void *)(intptr_t)SMTPCODES_TEXT},
    {"markdown", Code_get_rendered, NULL, "The explanation as Markdown.", (void *)(intptr_t)SMTPCODES_MARKDOWN},
    {"html", Code_get_rendered, NULL, "The explanation as an HTML card (escaped, inline styles, no scripts).",
     (void *)(intptr_t)SMTPCODES_HTML},
    CODE_GETTER("code", F_CODE, "The code: an int for a basic code (550), a str for an enhanced one (\"5.1.1\")."),
    CODE_GETTER("kind", F_KIND, "\"basic\" or \"enhanced\"."),
    CODE_GETTER("title", F_TITLE, "Short name."),
    CODE_GETTER("description", F_DESCRIPTION, "What it means."),
    CODE_GETTER("when", F_WHEN, "When you will see it."),
    CODE_GETTER("fix", F_FIX, "How to fix it."),
    CODE_GETTER("references", F_REFERENCES, "Tuple of references, e.g. \"RFC 5321 4.2.3\"."),
    CODE_GETTER("commands", F_COMMANDS, "Basic codes: tuple of the SMTP commands that may return it."),
    CODE_GETTER("basic_codes", F_BASIC_CODES, "Enhanced codes: tuple of the associated basic codes."),
    CODE_GETTER("related", F_RELATED, "Tuple of related Codes (counterparts and close relatives)."),
    CODE_GETTER("digits", F_DIGITS, "The three numbers: 550 -> (5, 5, 0); 5.1.1 -> (5, 1, 1); X.1.1 -> (0, 1, 1)."),
    CODE_GETTER("class_name", F_CLASS_NAME, "Name of the class (first digit)."),
    CODE_GETTER("category_name", F_CATEGORY_NAME, "Basic: the category (second digit); enhanced: the subject."),
    CODE_GETTER("is_success", F_IS_SUCCESS, "True for class 2."),
    CODE_GETTER("is_intermediate", F_IS_INTERMEDIATE, "True for basic class 3."),
    CODE_GETTER("is_transient", F_IS_TRANSIENT, "True for class 4."),
    CODE_GETTER("is_permanent", F_IS_PERMANENT, "True for class 5."),
    CODE_GETTER("standard", F_STANDARD, "True when defined by an RFC or the IANA registry."),
    CODE_GETTER("vendor", F_VENDOR, "The vendor of a vendor-specific code, or None."),
    CODE_GETTER("deprecated", F_DEPRECATED, "True when deprecated."),
    CODE_GETTER("known", F_KNOWN, "False for a well-formed code that is not in the knowledge base."),
    CODE_GETTER("lang", F_LANG, "Language of the texts: \"en\" or \"es\"."),
    CODE_GETTER("permanence", F_PERMANENCE,
                "\"success\", \"intermediate\", \"temporary\", \"permanent\" or \"unknown\" (X.s.d)."),
    CODE_GETTER("alt", F_ALT, "The vendor-specific Code that reuses this registered number, or None."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Code_slots[] = {
    {Py_tp_doc, "Code(code, lang='en')\n--\n\n"
                "An SMTP reply code (550) or enhanced status code (\"5.1.1\") with its explanation.\n\n"
                "Immutable, hashable and ordered (basic before enhanced, then by digits). A basic\n"
                "Code equals its int (lookup(550) == 550), an enhanced Code its text. Code(x) is\n"
                "lookup(x) and returns the same cached object."},
    {Py_tp_new, Code_new},
    {Py_tp_dealloc, Code_dealloc},
    {Py_tp_traverse, Code_traverse},
    {Py_tp_richcompare, Code_richcompare},
    {Py_tp_hash, Code_hash},
    {Py_tp_repr, Code_repr},
    {Py_tp_str, Code_str},
    {Py_tp_methods, Code_methods},
    {Py_tp_getset, Code_getset},
    {Py_nb_int, Code_int},
    {Py_nb_index, Code_int},
    {0, NULL},
};

static PyType_Spec Code_spec = {
    .name = "smtpcodes.Code",
    .basicsize = sizeof(CodeObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Code_slots,
};

/* ------------------------------------------------------------------------ */
/* Reply                                                                      */

static int Reply_clear(PyObject *self) {
    ReplyObject *o = (ReplyObject *)self;
    Py_CLEAR(o->input);
    Py_CLEAR(o->code);
    Py_CLEAR(o->enhanced);
    Py_CLEAR(o->lines);
    Py_CLEAR(o->text);
    Py_CLEAR(o->flags);
    Py_CLEAR(o->reply_code);
    Py_CLEAR(o->status_code);
    Py_CLEAR(o->raw);
    return 0;
}

static void Reply_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    Reply_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

static PyObject *none_if_null(PyObject *o) { return Py_NewRef(o ? o : Py_None); }

/* The lazily built fields: each returns a borrowed reference (kept in the object),
 * or NULL with an exception set. */
static PyObject *reply_code_int(ReplyObject *o) {
    if (!o->code) o->code = o->has_basic ? PyLong_FromLong(basic_value(&o->basic_c)) : Py_NewRef(Py_None);
    return o->code;
}
static PyObject *reply_enhanced(ReplyObject *o) {
    if (!o->enhanced)
        o->enhanced = o->has_enhanced ? PyUnicode_FromString(o->enhanced_c.text) : Py_NewRef(Py_None);
    return o->enhanced;
}
static PyObject *reply_lines(ReplyObject *o) {
    if (o->lines) return o->lines;
    PyObject *t = PyTuple_New(o->nlines);
    for (Py_ssize_t i = 0; t && i < o->nlines; i++) {
        /* U+FFFD for undecodable bytes, as in every rendering; .raw keeps the bytes */
        PyObject *x = PyUnicode_DecodeUTF8(o->buf + o->line[i].off, (Py_ssize_t)o->line[i].len, "replace");
        if (!x) Py_CLEAR(t);
        else PyTuple_SET_ITEM(t, i, x);
    }
    return o->lines = t;
}
static PyObject *reply_text(ReplyObject *o) {
    if (o->text) return o->text;
    if (o->nlines == 1 && !o->lines) /* one line: its str is the text */
        return o->text = PyUnicode_DecodeUTF8(o->buf + o->line[0].off, (Py_ssize_t)o->line[0].len, "replace");
    PyObject *lines = reply_lines(o), *nl = lines ? PyUnicode_FromString("\n") : NULL;
    if (nl) o->text = PyUnicode_Join(nl, lines);
    Py_XDECREF(nl);
    return o->text;
}
static PyObject *reply_flags(ReplyObject *o) {
    if (o->flags) return o->flags;
    module_state *st = state_of((PyObject *)o);
    Py_ssize_t n = 0;
    for (size_t i = 0; i < SMTPCODES_NFLAGS; i++) n += (o->cflags >> i) & 1u;
    PyObject *t = PyTuple_New(n);
    for (size_t i = 0, k = 0; t && i < SMTPCODES_NFLAGS; i++)
        if (o->cflags & (1u << i)) PyTuple_SET_ITEM(t, (Py_ssize_t)k++, Py_NewRef(st->flag[i]));
    return o->flags = t;
}
static PyObject *reply_permanence(ReplyObject *o) { return state_of((PyObject *)o)->permanence[o->permanence]; }
static PyObject *reply_basic_code(ReplyObject *o) {
    if (!o->reply_code)
        o->reply_code = o->has_basic ? code_get(state_of((PyObject *)o), &o->basic_c, SMTPCODES_EN) : Py_NewRef(Py_None);
    return o->reply_code;
}
static PyObject *reply_status_code(ReplyObject *o) {
    if (!o->status_code)
        o->status_code =
            o->has_enhanced ? code_get(state_of((PyObject *)o), &o->enhanced_c, SMTPCODES_EN) : Py_NewRef(Py_None);
    return o->status_code;
}
static PyObject *reply_raw(ReplyObject *o) {
    if (!o->raw)
        o->raw = PyBytes_Check(o->input) ? Py_NewRef(o->input)
                                         : PyBytes_FromStringAndSize(o->buf, (Py_ssize_t)o->buf_len);
    return o->raw;
}

#define REPLY_FIELD(name, fn)                                                                            \
    static PyObject *name(PyObject *self, void *c) {                                                     \
        (void)c;                                                                                         \
        PyObject *v = fn((ReplyObject *)self);                                                           \
        return v ? Py_NewRef(v) : NULL;                                                                  \
    }
REPLY_FIELD(Reply_get_code, reply_code_int)
REPLY_FIELD(Reply_get_enhanced, reply_enhanced)
REPLY_FIELD(Reply_get_lines, reply_lines)
REPLY_FIELD(Reply_get_text, reply_text)
REPLY_FIELD(Reply_get_flags, reply_flags)
REPLY_FIELD(Reply_get_permanence, reply_permanence)
REPLY_FIELD(Reply_get_reply_code, reply_basic_code)
REPLY_FIELD(Reply_get_status_code, reply_status_code)
REPLY_FIELD(Reply_get_raw, reply_raw)
static PyObject *Reply_get_multiline(PyObject *self, void *c) {
    (void)c;
    return PyBool_FromLong((((ReplyObject *)self)->cflags & SMTPCODES_F_MULTILINE) != 0);
}
static PyObject *Reply_get_stage(PyObject *self, void *c) {
    (void)c;
    const char *stage = ((ReplyObject *)self)->stage;
    if (!stage) Py_RETURN_NONE;
    return PyUnicode_FromString(stage);
}
static PyObject *Reply_get_strict(PyObject *self, void *c) {
    (void)c;
    return PyBool_FromLong((((ReplyObject *)self)->options & SMTPCODES_STRICT) != 0);
}

static PyObject *Reply_get_markdown(PyObject *self, void *c);
static PyObject *Reply_get_html(PyObject *self, void *c);

static PyGetSetDef Reply_getset[] = {
    {"markdown", Reply_get_markdown, NULL, "The reply's explanation as Markdown (English; explain() takes lang).",
     NULL},
    {"html", Reply_get_html, NULL, "The reply's explanation as an HTML card (English; explain() takes lang).",
     NULL},
    {"code", Reply_get_code, NULL, "The basic reply code (int), or None.", NULL},
    {"enhanced", Reply_get_enhanced, NULL, "The enhanced status code (str), or None.", NULL},
    {"lines", Reply_get_lines, NULL, "Tuple of each line's text (after the codes).", NULL},
    {"text", Reply_get_text, NULL, "The lines joined with \"\\n\".", NULL},
    {"multiline", Reply_get_multiline, NULL, "True when the reply has several lines.", NULL},
    {"flags", Reply_get_flags, NULL, "Tuple of flag names, e.g. (\"class-mismatch\",).", NULL},
    {"permanence", Reply_get_permanence, NULL,
     "\"success\", \"intermediate\", \"temporary\" or \"permanent\" (the basic code decides).", NULL},
    {"reply_code", Reply_get_reply_code, NULL, "The basic code as a Code, or None.", NULL},
    {"status_code", Reply_get_status_code, NULL, "The enhanced code as a Code, or None.", NULL},
    {"strict", Reply_get_strict, NULL, "Whether the reply was parsed in strict mode.", NULL},
    {"stage", Reply_get_stage, NULL,
     "The SMTP stage a log wrapper names (\"RCPT TO\", \"end of DATA\", ...), or None.", NULL},
    {"raw", Reply_get_raw, NULL,
     "The input as bytes (a str encoded as UTF-8): the original bytes, where the str fields show U+FFFD.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const reply_dict_fields[] = {"code", "enhanced", "lines", "text", "multiline", "flags",
                                                "permanence", "reply_code", "status_code", "stage"};

static PyObject *Reply_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < sizeof reply_dict_fields / sizeof *reply_dict_fields; i++) {
        PyObject *v = PyObject_GetAttrString(self, reply_dict_fields[i]);
        if (v && PyTuple_Check(v)) Py_SETREF(v, list_of(v));
        else if (v && v != Py_None && Py_IS_TYPE(v, state_of(self)->Code_Type))
            Py_SETREF(v, code_to_dict((CodeObject *)v));
        if (!v || PyDict_SetItemString(d, reply_dict_fields[i], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* Parse the reply's input again: the core's views point into that buffer. */
static int reply_reparse(ReplyObject *o, smtpcodes_reply *r) {
    int status = smtpcodes_parse(o->buf, o->buf_len, o->options, r);
    if (status < 0) PyErr_Format(PyExc_SystemError, "smtpcodes: reparse failed: %s", smtpcodes_strerror(status));
    return status;
}

static PyObject *reply_explain(ReplyObject *o, smtpcodes_lang lang, smtpcodes_format fmt) {
    smtpcodes_reply r;
    if (reply_reparse(o, &r) < 0) return NULL;
    render_job j = job(R_REPLY, &r, lang, fmt);
    return render(&j);
}

static PyObject *Reply_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return reply_explain((ReplyObject *)self, SMTPCODES_EN, SMTPCODES_MARKDOWN);
}

static PyObject *Reply_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return reply_explain((ReplyObject *)self, SMTPCODES_EN, SMTPCODES_HTML);
}

static PyObject *Reply_get_markdown(PyObject *self, void *c) {
    (void)c;
    return reply_explain((ReplyObject *)self, SMTPCODES_EN, SMTPCODES_MARKDOWN);
}

static PyObject *Reply_get_html(PyObject *self, void *c) {
    (void)c;
    return reply_explain((ReplyObject *)self, SMTPCODES_EN, SMTPCODES_HTML);
}

static PyObject *Reply_repr(PyObject *self) {
    ReplyObject *o = (ReplyObject *)self;
    if (!reply_code_int(o) || !reply_enhanced(o) || !reply_text(o)) return NULL;
    PyObject *t = short_repr(o->text);
    if (!t) return NULL;
    PyObject *r = PyUnicode_FromFormat("<Reply %S %S %U %U>", o->code, o->enhanced, reply_permanence(o), t);
    Py_DECREF(t);
    return r;
}

static PyObject *Reply_str(PyObject *self) {
    ReplyObject *o = (ReplyObject *)self;
    if (!reply_code_int(o) || !reply_enhanced(o) || !reply_text(o)) return NULL;
    PyObject *parts = PyList_New(0);
    if (!parts) return NULL;
    if ((o->code != Py_None && PyList_Append(parts, o->code) < 0) ||
        (o->enhanced != Py_None && PyList_Append(parts, o->enhanced) < 0) ||
        (PyUnicode_GET_LENGTH(o->text) && PyList_Append(parts, o->text) < 0)) {
        Py_DECREF(parts);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(parts); i++) {
        PyObject *s = PyObject_Str(PyList_GET_ITEM(parts, i));
        if (!s) {
            Py_DECREF(parts);
            return NULL;
        }
        PyList_SetItem(parts, i, s);
    }
    PyObject *sep = PyUnicode_FromString(" ");
    PyObject *r = sep ? PyUnicode_Join(sep, parts) : NULL;
    Py_XDECREF(sep);
    Py_DECREF(parts);
    return r;
}

static PyObject *Reply_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ReplyObject *o = (ReplyObject *)self;
    PyObject *restore = PyObject_GetAttrString(PyType_GetModule(Py_TYPE(self)), "_restore");
    if (!restore) return NULL;
    PyObject *raw = reply_raw(o);
    if (!raw) {
        Py_DECREF(restore);
        return NULL;
    }
    PyObject *r = Py_BuildValue("N(sOi)", restore, "reply", raw, (o->options & SMTPCODES_STRICT) != 0);
    return r;
}

static PyMethodDef Reply_methods[] = {
    {"__reduce__", Reply_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle as parse(raw, strict=...)."},
    {"to_dict", Reply_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe fields as a dict (lists as lists, codes as dicts)."},
    {"_repr_markdown_", Reply_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe explanation in Markdown (for notebooks)."},
    {"_repr_html_", Reply_repr_html, METH_NOARGS, "_repr_html_($self, /)\n--\n\nEscaped HTML (for notebooks)."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Reply_slots[] = {
    {Py_tp_doc, "A parsed SMTP reply; made by smtpcodes.parse()."},
    {Py_tp_dealloc, Reply_dealloc},
    {Py_tp_repr, Reply_repr},
    {Py_tp_str, Reply_str},
    {Py_tp_methods, Reply_methods},
    {Py_tp_getset, Reply_getset},
    {0, NULL},
};

static PyType_Spec Reply_spec = {
    .name = "smtpcodes.Reply",
    .basicsize = (int)offsetof(ReplyObject, line),
    .itemsize = (int)sizeof(text_span),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Reply_slots,
};

/* A Reply from the core's parse r of the n bytes at base. input is an exact str or bytes
 * whose bytes (buf) are those n bytes, or a copy of them: r's line views are taken as
 * offsets from base and read later in buf. A line outside [base, base + n) (a wrapper's
 * reply parsed from elsewhere) has its text decoded now. */
static PyObject *new_reply(module_state *st, const smtpcodes_reply *r, PyObject *input, const char *buf,
                           const char *base, size_t n, unsigned int options) {
    ReplyObject *o = (ReplyObject *)PyType_GenericAlloc(st->Reply_Type, (Py_ssize_t)r->nlines);
    if (!o) return NULL;
    o->input = Py_NewRef(input);
    o->buf = buf;
    o->buf_len = n;
    o->options = options;
    o->cflags = r->flags;
    o->stage = r->stage;
    o->has_basic = r->has_basic;
    o->has_enhanced = r->has_enhanced;
    if (r->has_basic) o->basic_c = r->reply_code;
    if (r->has_enhanced) o->enhanced_c = r->status_code;
    o->permanence = r->permanence < N_PERMANENCE ? r->permanence : SMTPCODES_PERM_PERMANENT;
    o->nlines = (Py_ssize_t)r->nlines;
    int outside = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const char *t = r->lines[i].text;
        size_t len = r->lines[i].text_len;
        if (len && (t < base || (size_t)(t - base) > n || len > n - (size_t)(t - base))) outside = 1;
        o->line[i].off = len ? (size_t)(t - base) : 0;
        o->line[i].len = len;
    }
    if (outside) { /* decode every line now, from the core's views */
        PyObject *lines = PyTuple_New((Py_ssize_t)r->nlines);
        for (size_t i = 0; lines && i < r->nlines; i++) {
            PyObject *x = PyUnicode_DecodeUTF8(r->lines[i].text, (Py_ssize_t)r->lines[i].text_len, "replace");
            if (!x) Py_CLEAR(lines);
            else PyTuple_SET_ITEM(lines, (Py_ssize_t)i, x);
        }
        if (!lines) {
            Py_DECREF(o);
            return NULL;
        }
        o->lines = lines;
    }
    return (PyObject *)o;
}

/* A Reply that owns a bytes copy of the n bytes at base (log records, bounce recipients). */
static PyObject *new_reply_copy(module_state *st, const smtpcodes_reply *r, const char *base, size_t n,
                                unsigned int options) {
    PyObject *raw = PyBytes_FromStringAndSize(base, (Py_ssize_t)n);
    if (!raw) return NULL;
    PyObject *o = new_reply(st, r, raw, PyBytes_AS_STRING(raw), base, n, options);
    Py_DECREF(raw);
    return o;
}

/* ------------------------------------------------------------------------ */
/* Explanation                                                                */

static int Explanation_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(((ExplanationObject *)self)->text);
    Py_VISIT(((ExplanationObject *)self)->markdown);
    Py_VISIT(((ExplanationObject *)self)->html);
    return 0;
}

static int Explanation_clear(PyObject *self) {
    Py_CLEAR(((ExplanationObject *)self)->text);
    Py_CLEAR(((ExplanationObject *)self)->markdown);
    Py_CLEAR(((ExplanationObject *)self)->html);
    return 0;
}

static void Explanation_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Explanation_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

static PyObject *Explanation_get_text(PyObject *self, void *c) {
    (void)c;
    return none_if_null(((ExplanationObject *)self)->text);
}
static PyObject *Explanation_get_markdown(PyObject *self, void *c) {
    (void)c;
    return none_if_null(((ExplanationObject *)self)->markdown);
}

static PyObject *Explanation_get_html(PyObject *self, void *c) {
    (void)c;
    return none_if_null(((ExplanationObject *)self)->html);
}

static PyGetSetDef Explanation_getset[] = {
    {"html", Explanation_get_html, NULL, "The explanation as an HTML card (escaped, inline styles, no scripts).",
     NULL},
    {"text", Explanation_get_text, NULL, "The explanation as plain text.", NULL},
    {"markdown", Explanation_get_markdown, NULL, "The explanation as Markdown.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *Explanation_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ExplanationObject *o = (ExplanationObject *)self;
    return Py_BuildValue("{sOsOsO}", "text", o->text, "markdown", o->markdown, "html", o->html);
}
static PyObject *Explanation_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return none_if_null(((ExplanationObject *)self)->markdown);
}
static PyObject *Explanation_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return none_if_null(((ExplanationObject *)self)->html);
}
static PyObject *Explanation_str(PyObject *self) { return none_if_null(((ExplanationObject *)self)->text); }
static PyObject *Explanation_repr(PyObject *self) {
    PyObject *text = ((ExplanationObject *)self)->text;
    Py_ssize_t end = PyUnicode_FindChar(text, '\n', 0, PyUnicode_GET_LENGTH(text), 1);
    if (end == -2) return NULL;
    PyObject *first = PyUnicode_Substring(text, 0, end < 0 ? PyUnicode_GET_LENGTH(text) : end);
    if (!first) return NULL;
    PyObject *r = PyUnicode_FromFormat("<Explanation %R>", first);
    Py_DECREF(first);
    return r;
}

static PyObject *Explanation_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ExplanationObject *o = (ExplanationObject *)self;
    PyObject *restore = PyObject_GetAttrString(PyType_GetModule(Py_TYPE(self)), "_restore");
    if (!restore) return NULL;
    return Py_BuildValue("N(sOOO)", restore, "explanation", o->text, o->markdown, o->html);
}

static PyMethodDef Explanation_methods[] = {
    {"__reduce__", Explanation_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle the three texts."},
    {"to_dict", Explanation_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\n{'text': ..., 'markdown': ..., 'html': ...}."},
    {"_repr_markdown_", Explanation_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe Markdown text (for notebooks)."},
    {"_repr_html_", Explanation_repr_html, METH_NOARGS,
     "_repr_html_($self, /)\n--\n\nEscaped HTML (for notebooks)."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Explanation_slots[] = {
    {Py_tp_doc, "What a code or reply means; made by smtpcodes.explain()."},
    {Py_tp_dealloc, Explanation_dealloc},
    {Py_tp_traverse, Explanation_traverse},
    {Py_tp_clear, Explanation_clear},
    {Py_tp_repr, Explanation_repr},
    {Py_tp_str, Explanation_str},
    {Py_tp_methods, Explanation_methods},
    {Py_tp_getset, Explanation_getset},
    {0, NULL},
};

static PyType_Spec Explanation_spec = {
    .name = "smtpcodes.Explanation",
    .basicsize = sizeof(ExplanationObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Explanation_slots,
};

static PyObject *new_explanation(module_state *st, const render_job *text_job) {
    render_job md = *text_job, html = *text_job;
    md.fmt = SMTPCODES_MARKDOWN;
    html.fmt = SMTPCODES_HTML;
    ExplanationObject *o = (ExplanationObject *)PyType_GenericAlloc(st->Explanation_Type, 0);
    if (!o) return NULL;
    if (!(o->text = render(text_job)) || !(o->markdown = render(&md)) || !(o->html = render(&html))) {
        Py_DECREF(o);
        return NULL;
    }
    return (PyObject *)o;
}

/* ------------------------------------------------------------------------ */
/* Comparison                                                                 */

static int Comparison_traverse(PyObject *self, visitproc visit, void *arg) {
    ComparisonObject *o = (ComparisonObject *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(o->a);
    Py_VISIT(o->b);
    Py_VISIT(o->differences);
    Py_VISIT(o->similarities);
    Py_VISIT(o->summary);
    Py_VISIT(o->key_differences);
    Py_VISIT(o->when_to_use);
    Py_VISIT(o->text);
    Py_VISIT(o->markdown);
    return 0;
}

static int Comparison_clear(PyObject *self) {
    ComparisonObject *o = (ComparisonObject *)self;
    Py_CLEAR(o->a);
    Py_CLEAR(o->b);
    Py_CLEAR(o->differences);
    Py_CLEAR(o->similarities);
    Py_CLEAR(o->summary);
    Py_CLEAR(o->key_differences);
    Py_CLEAR(o->when_to_use);
    Py_CLEAR(o->text);
    Py_CLEAR(o->markdown);
    return 0;
}

static void Comparison_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Comparison_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

enum { C_A, C_B, C_DIFF, C_SIM, C_SUMMARY, C_KEY, C_WHEN, C_TEXT, C_MD, C_COUNTERPARTS, C_RELATED, C_IDENTICAL,
       C_LANG };

static PyObject *Comparison_get(PyObject *self, void *closure) {
    ComparisonObject *o = (ComparisonObject *)self;
    switch ((int)(intptr_t)closure) {
    case C_A: return Py_NewRef(o->a);
    case C_B: return Py_NewRef(o->b);
    case C_DIFF: return list_of(o->differences);
    case C_SIM: return list_of(o->similarities);
    case C_SUMMARY: return Py_NewRef(o->summary);
    case C_KEY: return Py_NewRef(o->key_differences);
    case C_WHEN: return Py_NewRef(o->when_to_use);
    case C_TEXT: return Py_NewRef(o->text);
    case C_MD: return Py_NewRef(o->markdown);
    case C_COUNTERPARTS: return PyBool_FromLong(o->cmp.counterparts);
    case C_RELATED: return PyBool_FromLong(o->cmp.related);
    case C_IDENTICAL: return PyBool_FromLong(o->cmp.identical);
    default: return PyUnicode_FromString(smtpcodes_lang_tag(o->lang));
    }
}

#define CMP_GETTER(name, id, doc) {name, Comparison_get, NULL, doc, (void *)(intptr_t)(id)}
static PyObject *Comparison_get_html(PyObject *self, void *c);

static PyGetSetDef Comparison_getset[] = {
    {"html", Comparison_get_html, NULL, "The whole comparison as an HTML card (escaped, inline styles).", NULL},
    CMP_GETTER("a", C_A, "The first Code."),
    CMP_GETTER("b", C_B, "The second Code."),
    CMP_GETTER("differences", C_DIFF, "List of (aspect, value_a, value_b) where the codes differ."),
    CMP_GETTER("similarities", C_SIM, "List of (aspect, value) where the codes agree."),
    CMP_GETTER("summary", C_SUMMARY, "One paragraph on how the two codes relate."),
    CMP_GETTER("key_differences", C_KEY, "The key differences, as text."),
    CMP_GETTER("when_to_use", C_WHEN, "When to use each, as text."),
    CMP_GETTER("text", C_TEXT, "The whole comparison as plain text."),
    CMP_GETTER("markdown", C_MD, "The whole comparison as Markdown."),
    CMP_GETTER("counterparts", C_COUNTERPARTS, "True for a transient/permanent pair (450/550, 4.2.2/5.2.2)."),
    CMP_GETTER("related", C_RELATED, "True when one lists the other as related."),
    CMP_GETTER("identical", C_IDENTICAL, "True when both are the same code."),
    CMP_GETTER("lang", C_LANG, "Language of the texts."),
    {NULL, NULL, NULL, NULL, NULL},
};

static const char *const cmp_dict_fields[] = {"a", "b", "differences", "similarities", "summary",
                                              "key_differences", "when_to_use", "text", "markdown", "lang"};

static PyObject *Comparison_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < sizeof cmp_dict_fields / sizeof *cmp_dict_fields; i++) {
        PyObject *v = PyObject_GetAttrString(self, cmp_dict_fields[i]);
        if (v && Py_IS_TYPE(v, state_of(self)->Code_Type)) {
            Py_SETREF(v, code_to_dict((CodeObject *)v));
        } else if (v && PyList_Check(v)) {
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(v); k++) {
                PyObject *l = list_of(PyList_GET_ITEM(v, k));
                if (!l) {
                    Py_CLEAR(v);
                    break;
                }
                PyList_SetItem(v, k, l);
            }
        }
        if (!v || PyDict_SetItemString(d, cmp_dict_fields[i], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *Comparison_repr(PyObject *self) {
    ComparisonObject *o = (ComparisonObject *)self;
    return PyUnicode_FromFormat("<Comparison %s vs %s: %zd difference(s)>", o->cmp.a.text, o->cmp.b.text,
                                PyTuple_GET_SIZE(o->differences));
}
static PyObject *Comparison_str(PyObject *self) { return Py_NewRef(((ComparisonObject *)self)->text); }
static PyObject *Comparison_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return Py_NewRef(((ComparisonObject *)self)->markdown);
}
static PyObject *Comparison_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ComparisonObject *o = (ComparisonObject *)self;
    render_job j = job(R_COMPARISON, &o->cmp, o->lang, SMTPCODES_HTML);
    return render(&j);
}

static PyObject *Comparison_get_html(PyObject *self, void *c) {
    (void)c;
    return Comparison_repr_html(self, NULL);
}

static PyObject *Comparison_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ComparisonObject *o = (ComparisonObject *)self;
    PyObject *restore = PyObject_GetAttrString(PyType_GetModule(Py_TYPE(self)), "_restore");
    if (!restore) return NULL;
    return Py_BuildValue("N(sOOs)", restore, "comparison", o->a, o->b, smtpcodes_lang_tag(o->lang));
}

static PyMethodDef Comparison_methods[] = {
    {"__reduce__", Comparison_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle as compare(a, b, lang)."},
    {"to_dict", Comparison_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe fields as a dict (codes as dicts, tuples as lists)."},
    {"_repr_markdown_", Comparison_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe comparison in Markdown (for notebooks)."},
    {"_repr_html_", Comparison_repr_html, METH_NOARGS,
     "_repr_html_($self, /)\n--\n\nA side-by-side HTML table, escaped (for notebooks)."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Comparison_slots[] = {
    {Py_tp_doc, "Two codes side by side; made by smtpcodes.compare()."},
    {Py_tp_dealloc, Comparison_dealloc},
    {Py_tp_traverse, Comparison_traverse},
    {Py_tp_clear, Comparison_clear},
    {Py_tp_repr, Comparison_repr},
    {Py_tp_str, Comparison_str},
    {Py_tp_methods, Comparison_methods},
    {Py_tp_getset, Comparison_getset},
    {0, NULL},
};

static PyType_Spec Comparison_spec = {
    .name = "smtpcodes.Comparison",
    .basicsize = sizeof(ComparisonObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Comparison_slots,
};

static PyObject *aspect_text(const smtpcodes_comparison *cmp, int x, int which, smtpcodes_lang lang) {
    render_job j = job(R_ASPECT, cmp, lang, SMTPCODES_TEXT);
    j.aspect = (smtpcodes_aspect)x;
    j.which = which;
    return render(&j);
}

static PyObject *section_text(const smtpcodes_comparison *cmp, int section, smtpcodes_lang lang,
                              smtpcodes_format fmt) {
    render_job j = job(R_COMPARISON, cmp, lang, fmt);
    j.section = (smtpcodes_section)section;
    return render(&j);
}

static PyObject *new_comparison(module_state *st, const smtpcodes_code *a, const smtpcodes_code *b,
                                smtpcodes_lang lang) {
    ComparisonObject *o = (ComparisonObject *)PyType_GenericAlloc(st->Comparison_Type, 0);
    if (!o) return NULL;
    o->lang = lang;
    int status = smtpcodes_compare(a, b, &o->cmp);
    if (status < 0) {
        PyErr_Format(PyExc_ValueError, "smtpcodes: %s", smtpcodes_strerror(status));
        goto fail;
    }
    PyObject *diff = PyList_New(0), *sim = PyList_New(0);
    o->differences = diff;
    o->similarities = sim;
    if (!diff || !sim) goto fail;
    for (int x = 0; x < SMTPCODES_NASPECT; x++) {
        PyObject *name = PyUnicode_FromString(smtpcodes_aspect_name((smtpcodes_aspect)x, lang));
        PyObject *va = aspect_text(&o->cmp, x, 0, lang);
        PyObject *vb = o->cmp.same[x] ? NULL : aspect_text(&o->cmp, x, 1, lang);
        PyObject *item = NULL;
        if (name && va && (o->cmp.same[x] || vb))
            item = o->cmp.same[x] ? PyTuple_Pack(2, name, va) : PyTuple_Pack(3, name, va, vb);
        Py_XDECREF(name);
        Py_XDECREF(va);
        Py_XDECREF(vb);
        int bad = !item || PyList_Append(o->cmp.same[x] ? sim : diff, item) < 0;
        Py_XDECREF(item);
        if (bad) goto fail;
    }
    Py_SETREF(o->differences, PyList_AsTuple(diff));
    if (!o->differences) goto fail;
    Py_SETREF(o->similarities, PyList_AsTuple(sim));
    if (!o->similarities) goto fail;
    if (!(o->a = code_get(st, &o->cmp.a, lang)) || !(o->b = code_get(st, &o->cmp.b, lang)) ||
        !(o->summary = section_text(&o->cmp, SMTPCODES_SECTION_SUMMARY, lang, SMTPCODES_TEXT)) ||
        !(o->key_differences = section_text(&o->cmp, SMTPCODES_SECTION_KEY_DIFFERENCES, lang, SMTPCODES_TEXT)) ||
        !(o->when_to_use = section_text(&o->cmp, SMTPCODES_SECTION_WHEN_TO_USE, lang, SMTPCODES_TEXT)) ||
        !(o->text = section_text(&o->cmp, SMTPCODES_SECTION_ALL, lang, SMTPCODES_TEXT)) ||
        !(o->markdown = section_text(&o->cmp, SMTPCODES_SECTION_ALL, lang, SMTPCODES_MARKDOWN)))
        goto fail;
    return (PyObject *)o;
fail:
    Py_DECREF(o);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Classification                                                             */

/* The object keeps a copy of the core's result: smtpcodes_classification
 * holds no pointer into the input (phrase, vendor and rule_vendor are static
 * strings of the core), so the copy stays valid after the input is gone.
 * Attributes are built on access from that copy; the two rendered texts
 * (evidence, advice) are rendered once, on first access, and kept. Only str
 * objects are referenced, so the type needs no GC support. */
typedef struct {
    PyObject_HEAD
    smtpcodes_classification c;
    smtpcodes_lang lang;
    PyObject *evidence; /* str, rendered on first access, or NULL */
    PyObject *advice;   /* str, rendered on first access, or NULL */
    PyObject *input;    /* the classified str or bytes (for pickle and .raw), or NULL */
    PyObject *error;    /* str: the ParseError message of a line classify_many could not
                           classify (reason "error", c zeroed), or NULL */
} ClassificationObject;

static void Classification_dealloc(PyObject *self) {
    ClassificationObject *o = (ClassificationObject *)self;
    PyTypeObject *tp = Py_TYPE(self);
    Py_CLEAR(o->evidence);
    Py_CLEAR(o->advice);
    Py_CLEAR(o->input);
    Py_CLEAR(o->error);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

enum {
    K_REASON, K_PERMANENCE, K_HARD, K_RETRY, K_ADVICE, K_EVIDENCE, K_EVIDENCE_KIND, K_PHRASE, K_VENDOR, K_CODE,
    K_ENHANCED, K_FLAGS, K_LANG, K_TITLE, K_ERROR, K_PROVIDER, K_MTA, K_STAGE, K_TAG, K_NFIELDS
};

/* to_dict() keys, in order (every attribute; flags as a list). */
static const char *const cls_field_names[K_NFIELDS] = {
    "reason", "permanence", "hard_bounce", "retry", "advice", "evidence", "evidence_kind", "phrase",
    "vendor", "code", "enhanced", "flags", "lang", "title", "error", "provider", "mta", "stage", "tag",
};

static PyObject *static_str_or_none(const char *s) {
    if (!s) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *cls_rendered(ClassificationObject *o, PyObject **slot, int kind) {
    if (!*slot) {
        render_job j = job(kind, &o->c, o->lang, SMTPCODES_TEXT);
        if (!(*slot = render(&j))) return NULL;
    }
    return Py_NewRef(*slot);
}

static PyObject *cls_flags(module_state *st, unsigned int flags, int as_list) {
    PyObject *l = PyList_New(0);
    for (size_t i = 0; l && i < SMTPCODES_NFLAGS; i++)
        if ((flags & (1u << i)) && PyList_Append(l, st->flag[i]) < 0) Py_CLEAR(l);
    if (!l || as_list) return l;
    PyObject *t = PyList_AsTuple(l);
    Py_DECREF(l);
    return t;
}

/* The fields of an error entry (classify_many's bad line): reason "error",
 * evidence the message, permanence None, every other field empty. */
static PyObject *cls_error_field(ClassificationObject *o, int f, int for_dict) {
    switch (f) {
    case K_REASON: return PyUnicode_FromString("error");
    case K_EVIDENCE: case K_ERROR: return Py_NewRef(o->error);
    case K_ADVICE: return PyUnicode_FromString("");
    case K_TITLE: return PyUnicode_FromString("Error");
    case K_HARD: case K_RETRY: Py_RETURN_FALSE;
    case K_EVIDENCE_KIND: return PyUnicode_FromString("none");
    case K_FLAGS: return for_dict ? PyList_New(0) : PyTuple_New(0);
    case K_LANG: return Py_NewRef(state_of((PyObject *)o)->lang[o->lang]);
    default: Py_RETURN_NONE;
    }
}

static PyObject *cls_field(ClassificationObject *o, int f, int for_dict) {
    module_state *st = state_of((PyObject *)o);
    const smtpcodes_classification *c = &o->c;
    if (o->error) return cls_error_field(o, f, for_dict);
    switch (f) {
    case K_ERROR: Py_RETURN_NONE;
    case K_REASON: {
        Py_ssize_t n = PyTuple_GET_SIZE(st->reasons);
        if (c->reason >= 0 && c->reason < n) return Py_NewRef(PyTuple_GET_ITEM(st->reasons, c->reason));
        return static_str_or_none(smtpcodes_reason_name(c->reason));
    }
    case K_PERMANENCE:
        if ((unsigned)c->permanence <= SMTPCODES_PERM_PERMANENT) return Py_NewRef(st->permanence[c->permanence]);
        return PyUnicode_FromString("unknown");
    case K_HARD: return PyBool_FromLong(c->hard_bounce != 0);
    case K_RETRY: return PyBool_FromLong(c->retry != 0);
    case K_ADVICE: return cls_rendered(o, &o->advice, R_RETRY);
    case K_EVIDENCE: return cls_rendered(o, &o->evidence, R_EVIDENCE);
    case K_EVIDENCE_KIND:
        if ((unsigned)c->evidence < N_EVIDENCE) return Py_NewRef(st->evidence_kind[c->evidence]);
        return PyUnicode_FromString("none");
    case K_PHRASE: return static_str_or_none(c->phrase);
    case K_VENDOR: return static_str_or_none(c->vendor);
    case K_PROVIDER: return static_str_or_none(c->provider);
    case K_MTA: return static_str_or_none(c->mta);
    case K_STAGE: return static_str_or_none(c->stage);
    case K_TAG: return static_str_or_none(c->tag);
    case K_CODE:
        if (c->has_basic) return PyLong_FromLong(basic_value(&c->code));
        Py_RETURN_NONE;
    case K_ENHANCED:
        if (c->has_enhanced) return PyUnicode_FromString(c->enhanced.text);
        Py_RETURN_NONE;
    case K_FLAGS: return cls_flags(st, c->flags, for_dict);
    case K_LANG: return Py_NewRef(st->lang[o->lang]);
    case K_TITLE: return static_str_or_none(smtpcodes_reason_text(c->reason, SMTPCODES_REASON_TITLE, o->lang));
    default: PyErr_SetString(PyExc_SystemError, "bad Classification field"); return NULL;
    }
}

static PyObject *Classification_getfield(PyObject *self, void *closure) {
    return cls_field((ClassificationObject *)self, (int)(intptr_t)closure, 0);
}

static PyObject *Classification_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *d = PyDict_New();
    for (int f = 0; d && f < K_NFIELDS; f++) {
        PyObject *v = cls_field((ClassificationObject *)self, f, 1);
        if (!v || PyDict_SetItemString(d, cls_field_names[f], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *Classification_repr(PyObject *self) {
    ClassificationObject *o = (ClassificationObject *)self;
    PyObject *reason = cls_field(o, K_REASON, 0);
    if (!reason) return NULL;
    PyObject *perm = cls_field(o, K_PERMANENCE, 0);
    if (!perm) {
        Py_DECREF(reason);
        return NULL;
    }
    PyObject *r = PyUnicode_FromFormat("<Classification %S %S %s%s%s>", reason, perm,
                                       o->c.hard_bounce ? "hard" : "soft", o->lang == SMTPCODES_EN ? "" : " lang=",
                                       o->lang == SMTPCODES_EN ? "" : smtpcodes_lang_tag(o->lang));
    Py_DECREF(reason);
    Py_DECREF(perm);
    return r;
}

/* "userunknown (permanent, hard): <evidence>" */
static PyObject *Classification_str(PyObject *self) {
    ClassificationObject *o = (ClassificationObject *)self;
    PyObject *reason = cls_field(o, K_REASON, 0), *perm = NULL, *ev = NULL, *r = NULL;
    if (reason && (perm = cls_field(o, K_PERMANENCE, 0)) && (ev = cls_field(o, K_EVIDENCE, 0)))
        r = PyUnicode_FromFormat("%S (%S, %s): %S", reason, perm, o->c.hard_bounce ? "hard" : "soft", ev);
    Py_XDECREF(reason);
    Py_XDECREF(perm);
    Py_XDECREF(ev);
    return r;
}

/* An error entry's card: its message, escaped for HTML. */
static PyObject *cls_error_render(ClassificationObject *o, smtpcodes_format fmt) {
    if (fmt != SMTPCODES_HTML) return Py_NewRef(o->error);
    PyObject *html = PyImport_ImportModule("html");
    PyObject *esc = html ? PyObject_CallMethod(html, "escape", "O", o->error) : NULL;
    Py_XDECREF(html);
    if (!esc) return NULL;
    PyObject *r = PyUnicode_FromFormat("<section class=\"smtpcodes smtpcodes-error\"><p>%U</p></section>", esc);
    Py_DECREF(esc);
    return r;
}

static PyObject *cls_render(PyObject *self, smtpcodes_format fmt) {
    ClassificationObject *o = (ClassificationObject *)self;
    if (o->error) return cls_error_render(o, fmt);
    render_job j = job(R_CLASSIFICATION, &o->c, o->lang, fmt);
    return render(&j);
}

static PyObject *Classification_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return cls_render(self, SMTPCODES_MARKDOWN);
}

static PyObject *Classification_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return cls_render(self, SMTPCODES_HTML);
}

static PyObject *Classification_get_rendered(PyObject *self, void *closure) {
    return cls_render(self, (smtpcodes_format)(intptr_t)closure);
}

static PyObject *Classification_get_raw(PyObject *self, void *closure) {
    (void)closure;
    PyObject *in = ((ClassificationObject *)self)->input;
    if (!in) Py_RETURN_NONE;
    return to_bytes(in, "raw", "str or bytes");
}

/* Pickle (and copy) as the classification of the same input again: the
 * core's result holds pointers to its static strings, which another process
 * has at other addresses. */
static PyObject *Classification_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    ClassificationObject *o = (ClassificationObject *)self;
    if (!o->input) {
        PyErr_SetString(PyExc_TypeError, "this Classification keeps no input and cannot be pickled");
        return NULL;
    }
    PyObject *in = PyUnicode_Check(o->input) || PyBytes_Check(o->input) ? Py_NewRef(o->input)
                                                                         : to_bytes(o->input, "pickle", "str or bytes");
    if (!in) return NULL;
    PyObject *restore = PyObject_GetAttrString(PyType_GetModule(Py_TYPE(self)), "_restore");
    if (!restore) {
        Py_DECREF(in);
        return NULL;
    }
    return Py_BuildValue("N(sNsO)", restore, "classification", in, smtpcodes_lang_tag(o->lang),
                         o->error ? o->error : Py_None);
}

static PyMethodDef Classification_methods[] = {
    {"__reduce__", Classification_reduce, METH_NOARGS,
     "__reduce__($self, /)\n--\n\nPickle as the classification of the same input."},
    {"to_dict", Classification_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nEvery attribute as a dict (flags as a list)."},
    {"_repr_markdown_", Classification_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nA small Markdown card (for notebooks)."},
    {"_repr_html_", Classification_repr_html, METH_NOARGS,
     "_repr_html_($self, /)\n--\n\nA small HTML card, escaped (for notebooks)."},
    {NULL, NULL, 0, NULL},
};

#define CLS_GETTER(name, id, doc) {name, Classification_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef Classification_getset[] = {
    {"text", Classification_get_rendered, NULL, "The classification as a plain-text card (in the language).",
     (void *)(intptr_t)SMTPCODES_TEXT},
    {"markdown", Classification_get_rendered, NULL, "The classification as Markdown.",
     (void *)(intptr_t)SMTPCODES_MARKDOWN},
    {"html", Classification_get_rendered, NULL, "The classification as an HTML card (escaped, inline styles).",
     (void *)(intptr_t)SMTPCODES_HTML},
    CLS_GETTER("reason", K_REASON, "The bounce reason: \"userunknown\", \"mailboxfull\", ... (see reasons())."),
    CLS_GETTER("permanence", K_PERMANENCE,
               "\"success\", \"intermediate\", \"temporary\" or \"permanent\" (the basic code decides)."),
    CLS_GETTER("hard_bounce", K_HARD,
               "True for a hard bounce (userunknown, hostunknown, hasmoved; notaccept with a 5xx code)."),
    CLS_GETTER("retry", K_RETRY, "True when retrying later may succeed."),
    CLS_GETTER("advice", K_ADVICE, "The retry advice and what to do, in words (in the language)."),
    CLS_GETTER("evidence", K_EVIDENCE, "What decided the reason, in words (in the language)."),
    CLS_GETTER("evidence_kind", K_EVIDENCE_KIND,
               "\"phrase\", \"status\", \"reply\", \"subject\", \"success\", \"default\" or \"none\"."),
    CLS_GETTER("phrase", K_PHRASE, "The deciding (or best) phrase of the rules, or None."),
    CLS_GETTER("vendor", K_VENDOR, "Alias of provider (the same value)."),
    CLS_GETTER("provider", K_PROVIDER,
               "The answering side (\"Gmail\", \"Microsoft 365\", ...): from its wording, a host name or a tag; or None."),
    CLS_GETTER("mta", K_MTA, "Whose format carried the reply (\"Postfix\", \"Exim\", \"Sendmail\"), None for a bare reply."),
    CLS_GETTER("stage", K_STAGE, "The SMTP stage the text names (\"RCPT TO\", \"end of DATA\", ...), or None."),
    CLS_GETTER("tag", K_TAG, "The id of a provider tag the reply carries (\"TSS04\"), or None."),
    CLS_GETTER("code", K_CODE, "The basic reply code (int), or None."),
    CLS_GETTER("enhanced", K_ENHANCED, "The enhanced status code (str), or None."),
    CLS_GETTER("flags", K_FLAGS, "Tuple of the lenient parse's flag names, e.g. (\"embedded\",)."),
    CLS_GETTER("lang", K_LANG, "Language of advice, evidence and title: \"en\" or \"es\"."),
    CLS_GETTER("title", K_TITLE, "The reason's title, in the language (\"User unknown\")."),
    CLS_GETTER("error", K_ERROR,
               "None, or for a line classify_many could not classify (reason \"error\") the ParseError message."),
    {"raw", Classification_get_raw, NULL, "The classified input as bytes (a str encoded as UTF-8), or None.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Classification_slots[] = {
    {Py_tp_doc, "What a reply means for the sender; made by smtpcodes.classify() and classify_many().\n\n"
                "Immutable: reason, permanence, hard_bounce, retry, advice, evidence, evidence_kind,\n"
                "phrase, vendor, code, enhanced, flags, lang, title."},
    {Py_tp_dealloc, Classification_dealloc},
    {Py_tp_repr, Classification_repr},
    {Py_tp_str, Classification_str},
    {Py_tp_methods, Classification_methods},
    {Py_tp_getset, Classification_getset},
    {0, NULL},
};

static PyType_Spec Classification_spec = {
    .name = "smtpcodes.Classification",
    .basicsize = sizeof(ClassificationObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Classification_slots,
};

static PyObject *new_classification(module_state *st, const smtpcodes_classification *c, smtpcodes_lang lang) {
    ClassificationObject *o = PyObject_New(ClassificationObject, st->Classification_Type);
    if (!o) return NULL;
    memcpy(&o->c, c, sizeof *c);
    o->lang = lang;
    o->evidence = NULL;
    o->advice = NULL;
    o->input = NULL;
    o->error = NULL;
    return (PyObject *)o;
}

/* classify_many's entry for a line it cannot classify: a Classification with
 * reason "error" and error = the message ParseError would carry. */
static PyObject *new_error_classification(module_state *st, int status, PyObject *input, smtpcodes_lang lang) {
    smtpcodes_classification zero;
    memset(&zero, 0, sizeof zero);
    PyObject *msg = status_message(status, input);
    if (!msg) return NULL;
    ClassificationObject *o = (ClassificationObject *)new_classification(st, &zero, lang);
    if (!o) {
        Py_DECREF(msg);
        return NULL;
    }
    o->error = msg;
    o->input = Py_NewRef(input);
    return (PyObject *)o;
}

/* A view of the text of x for the core: the UTF-8 of a str (cached inside the
 * str), the buffer of a bytes object, or a bytes copy made by to_bytes()
 * (bytearray, memoryview, str with lone surrogates) stored in *hold (a new
 * reference the caller releases). Returns 0, or -1 with an exception set
 * (TypeError for another type). */
static int text_view(PyObject *x, const char *fname, PyObject **hold, const char **s, Py_ssize_t *n) {
    *hold = NULL;
    if (PyUnicode_Check(x)) {
        *s = PyUnicode_AsUTF8AndSize(x, n);
        if (*s) return 0;
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1;
        PyErr_Clear();
    } else if (PyBytes_Check(x)) {
        *s = PyBytes_AS_STRING(x);
        *n = PyBytes_GET_SIZE(x);
        return 0;
    }
    if (!(*hold = to_bytes(x, fname, "str or bytes"))) return -1;
    *s = PyBytes_AS_STRING(*hold);
    *n = PyBytes_GET_SIZE(*hold);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Module functions                                                           */

PyDoc_STRVAR(lookup_doc,
"lookup($module, code, /, *, lang='en')\n--\n\n"
"Look up a reply code (550, \"550\") or an enhanced status code (\"5.1.1\",\n"
"\"X.1.1\", a vendor range \"5.7.606-649\") and return its Code.\n\n"
"The same cached object comes back on every call. A well-formed code that is\n"
"not in the knowledge base gives a Code with known=False. Raises ParseError\n"
"(a ValueError) for malformed input, TypeError for a wrong type and\n"
"ValueError for an unknown language.");

static PyObject *mod_lookup(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    if (nargs == 1 && kwnames == NULL) {
        PyObject *x = args[0];
        if (PyLong_CheckExact(x)) { /* the fast path: an array index */
            long v = PyLong_AsLong(x);
            if (v >= 100 && v <= 999) {
                PyObject *o = st->basic[SMTPCODES_EN][v - 100];
                if (o) return Py_NewRef(o);
            } else if (v == -1) {
                PyErr_Clear();
            }
        } else if (PyUnicode_CheckExact(x)) { /* the text cache, before any parsing */
            PyObject *o = PyDict_GetItemWithError(st->by_text[SMTPCODES_EN], x);
            if (o) return Py_NewRef(o);
            if (PyErr_Occurred()) return NULL;
        }
        return lookup_impl(st, x, SMTPCODES_EN, "lookup");
    }
    static const char *const names[] = {"code", "lang"};
    static const signature sig = {"lookup", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    return lookup_impl(st, av[0], (smtpcodes_lang)lang, "lookup");
}

PyDoc_STRVAR(parse_doc,
"parse($module, reply, /, *, strict=False)\n--\n\n"
"Parse an SMTP reply (one line or a multi-line reply, str or bytes) and\n"
"return a Reply.\n\n"
"Lenient mode (the default) also finds the code inside a log line or bounce\n"
"text; strict mode checks RFC 5321 conformance. A str is encoded as UTF-8;\n"
"bytes that are not UTF-8 are kept (line texts decode them with\n"
"errors='surrogateescape') and flagged 'not-utf8'. Raises ParseError when no\n"
"reply can be read, TypeError for a wrong type.");

/* The Reply keeps an exact str (its UTF-8, cached inside the str) or bytes object as
 * it is; anything else (a str subclass, a str with lone surrogates, bytearray,
 * memoryview) becomes a bytes copy, which no one can change under the Reply. */
static PyObject *parse_impl(module_state *st, PyObject *x, unsigned int options) {
    PyObject *input = NULL;
    const char *s = NULL;
    Py_ssize_t n = 0;
    if (PyUnicode_CheckExact(x)) {
        s = PyUnicode_AsUTF8AndSize(x, &n);
        if (s) input = Py_NewRef(x);
        else if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return NULL;
        else PyErr_Clear();
    } else if (PyBytes_CheckExact(x)) {
        input = Py_NewRef(x);
        s = PyBytes_AS_STRING(x);
        n = PyBytes_GET_SIZE(x);
    }
    if (!input) {
        if (!(input = to_bytes(x, "parse", "str or bytes"))) return NULL;
        s = PyBytes_AS_STRING(input);
        n = PyBytes_GET_SIZE(input);
    }
    smtpcodes_reply r;
    int status = smtpcodes_parse(s, (size_t)n, options, &r);
    PyObject *out = status < 0 ? parse_error(st, status, x) : new_reply(st, &r, input, s, s, (size_t)n, options);
    Py_DECREF(input);
    return out;
}

static PyObject *mod_parse(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    if (nargs == 1 && !kwnames) return parse_impl(st, args[0], 0u); /* the common call */
    static const char *const names[] = {"reply", "strict"};
    static const signature sig = {"parse", 1, 1, 1, 2, names};
    PyObject *av[2];
    if (parse_args(&sig, args, nargs, kwnames, av) < 0) return NULL;
    int strict = av[1] ? PyObject_IsTrue(av[1]) : 0;
    if (strict < 0) return NULL;
    return parse_impl(st, av[0], strict ? SMTPCODES_STRICT : 0u);
}

/* explain(parse_bounce(msg)): the core's bounce card (one diagnosis per recipient), the
 * bytes `smtpcodes explain FILE` prints for the message; defined after the Bounce type. */
static PyObject *explain_bounce(module_state *st, void *bounce, smtpcodes_lang lang);
static smtpcodes_lang bounce_lang_of(void *bounce);

PyDoc_STRVAR(explain_doc,
"explain($module, x, /, *, lang=None)\n--\n\n"
"Explain a code (int or str), a reply text (str or bytes; anything that is not\n"
"a code is parsed leniently as a reply), a Reply, a Code, or a Bounce from\n"
"parse_bounce() (its diagnosis per recipient, as `smtpcodes explain FILE` prints\n"
"it). lang: 'en' or 'es'; None (the default) takes a Code's or a Bounce's own\n"
"language, else 'en'. Returns an Explanation with .text, .markdown and .html.\n"
"Raises ParseError when x holds no code.");

static PyObject *mod_explain(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"x", "lang"};
    static const signature sig = {"explain", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang = SMTPCODES_EN;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0) return NULL;
    PyObject *x = av[0];
    if (av[1] && av[1] != Py_None) {
        if (lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    } else if (Py_IS_TYPE(x, st->Code_Type)) {   /* no lang: a Code's or a Bounce's own, as in Lua */
        lang = (int)((CodeObject *)x)->lang;
    } else if (Py_IS_TYPE(x, st->Bounce_Type)) {
        lang = (int)bounce_lang_of(x);
    }
    smtpcodes_code c;
    render_job j = job(R_CODE, &c, (smtpcodes_lang)lang, SMTPCODES_TEXT);
    if (Py_IS_TYPE(x, st->Code_Type) || (PyLong_Check(x) && !PyBool_Check(x))) {
        if (code_struct_from_obj(st, x, "explain", &c) < 0) return NULL;
        return new_explanation(st, &j);
    }
    smtpcodes_reply r;
    j.what = SMTPCODES_RENDER_REPLY;
    j.obj = &r;
    if (Py_IS_TYPE(x, st->Reply_Type)) {
        if (reply_reparse((ReplyObject *)x, &r) < 0) return NULL;
        return new_explanation(st, &j);
    }
    if (Py_IS_TYPE(x, st->Bounce_Type)) return explain_bounce(st, x, (smtpcodes_lang)lang);
    PyObject *raw = to_bytes(x, "explain", "an int, a str, bytes, a Code or a Reply");
    if (!raw) return NULL;
    const char *s = PyBytes_AS_STRING(raw);
    size_t n = (size_t)PyBytes_GET_SIZE(raw);
    PyObject *out;
    int status;
    if (smtpcodes_lookup(s, n, &c) == SMTPCODES_OK) {
        j.what = SMTPCODES_RENDER_CODE;
        j.obj = &c;
        out = new_explanation(st, &j);
    } else if ((status = smtpcodes_parse(s, n, 0, &r)) == SMTPCODES_OK) {
        out = new_explanation(st, &j);
    } else {
        out = parse_error(st, status, x);
    }
    Py_DECREF(raw);
    return out;
}

PyDoc_STRVAR(compare_doc,
"compare($module, a, b, /, *, lang='en')\n--\n\n"
"Compare two codes (int, str or Code) and return a Comparison: the aspects\n"
"where they differ and agree, a summary, the key differences, when to use\n"
"each, and the whole comparison as text and Markdown.");

static PyObject *mod_compare(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"a", "b", "lang"};
    static const signature sig = {"compare", 2, 2, 2, 3, names};
    PyObject *av[3];
    int lang;
    smtpcodes_code a, b;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[2], 0, &lang) < 0 ||
        code_struct_from_obj(st, av[0], "compare", &a) < 0 || code_struct_from_obj(st, av[1], "compare", &b) < 0)
        return NULL;
    return new_comparison(st, &a, &b, (smtpcodes_lang)lang);
}

/* kind: NULL/None -> 0 (all), "basic" -> SMTPCODES_BASIC, "enhanced" -> ... */
static int kind_from_obj(PyObject *o, const char *fname, int *out) {
    *out = 0;
    if (!o || o == Py_None) return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() kind must be a str or None, not %.100s", fname, SC_TYPE_NAME(o));
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(o, "basic") == 0) *out = SMTPCODES_BASIC;
    else if (PyUnicode_CompareWithASCIIString(o, "enhanced") == 0) *out = SMTPCODES_ENHANCED;
    else {
        PyErr_Format(PyExc_ValueError, "%s() kind must be 'basic', 'enhanced' or None, not %R", fname, o);
        return -1;
    }
    return 0;
}

/* A table() row: to_dict() with one type per column: code and related as
 * str ("550", "X.1.1", "5.7.606-649"), plus classes (the class digits the
 * entry covers: [2, 4, 5] for "X.1.1") and codes (every concrete code it
 * covers: "2.1.1", "4.1.1", "5.1.1"; a range gives each of its codes), so
 * that a concrete code finds its entry (df[df.codes.map(lambda c: "5.1.1" in c)]). */
static PyObject *table_row(CodeObject *code) {
    PyObject *d = code_to_dict(code);
    if (!d) return NULL;
    const smtpcodes_code *c = &code->c;
    const smtpcodes_entry *e = c->entry;
    PyObject *text = PyUnicode_FromString(c->text), *classes = PyList_New(0), *codes = PyList_New(0);
    PyObject *related = PyList_New(0);
    int bad = !text || !classes || !codes || !related || PyDict_SetItemString(d, "code", text) < 0;
    for (size_t i = 0; !bad && e && i < e->nrelated; i++) {
        PyObject *s = PyUnicode_FromString(e->related[i]);
        bad = !s || PyList_Append(related, s) < 0;
        Py_XDECREF(s);
    }
    if (!bad && c->kind == SMTPCODES_BASIC) {
        PyObject *k = PyLong_FromLong(c->digits[0]);
        bad = !k || PyList_Append(classes, k) < 0 || PyList_Append(codes, text) < 0;
        Py_XDECREF(k);
    } else if (!bad) {
        static const int any[] = {2, 4, 5};
        int one = e ? e->cls : c->digits[0];
        int first = e ? e->detail : c->digits[2], last = e ? e->detail_last : c->digits[2];
        int subject = e ? e->subject : c->digits[1];
        for (int ci = 0; !bad && ci < 3; ci++) {
            if (one != 0 && one != any[ci]) continue;
            PyObject *k = PyLong_FromLong(any[ci]);
            bad = !k || PyList_Append(classes, k) < 0;
            Py_XDECREF(k);
            for (int dd = first; !bad && dd <= last; dd++) {
                PyObject *s = PyUnicode_FromFormat("%d.%d.%d", any[ci], subject, dd);
                bad = !s || PyList_Append(codes, s) < 0;
                Py_XDECREF(s);
            }
        }
    }
    bad = bad || PyDict_SetItemString(d, "related", related) < 0 || PyDict_SetItemString(d, "classes", classes) < 0 ||
          PyDict_SetItemString(d, "codes", codes) < 0;
    Py_XDECREF(text);
    Py_XDECREF(classes);
    Py_XDECREF(codes);
    Py_XDECREF(related);
    if (bad) Py_CLEAR(d);
    return d;
}

/* Every Code of the table (of one kind), in table order, as Codes or table rows. */
static PyObject *all_codes(module_state *st, int kind, smtpcodes_lang lang, int as_dicts) {
    PyObject *l = PyList_New(0);
    for (size_t i = 0; l && i < smtpcodes_count(); i++) {
        const smtpcodes_entry *e = smtpcodes_at(i);
        if (kind && e->kind != kind) continue;
        PyObject *v = code_from_entry(st, e, lang);
        if (v && as_dicts) Py_SETREF(v, table_row((CodeObject *)v));
        if (!v || PyList_Append(l, v) < 0) Py_CLEAR(l);
        Py_XDECREF(v);
    }
    return l;
}

PyDoc_STRVAR(codes_doc,
"codes($module, /, kind=None)\n--\n\n"
"Every Code of the knowledge base, sorted (basic before enhanced, then by\n"
"digits), as a list. kind: None, 'basic' or 'enhanced' (else ValueError).");

static PyObject *mod_codes(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"kind"};
    static const signature sig = {"codes", 0, 1, 0, 1, names};
    PyObject *av[1];
    int kind;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || kind_from_obj(av[0], "codes", &kind) < 0) return NULL;
    return all_codes(get_state(module), kind, SMTPCODES_EN, 0);
}

PyDoc_STRVAR(table_doc,
"table($module, /, kind=None, *, lang='en')\n--\n\n"
"The knowledge base as a list of dicts, ready for pandas.DataFrame(table()):\n"
"one per entry, to_dict()'s fields (lists as lists) with one type per column\n"
"(code and related as str: \"550\", \"X.1.1\", \"5.7.606-649\"), plus classes\n"
"(the class digits the entry covers: [2, 4, 5] for X.1.1) and codes (every\n"
"concrete code it covers: \"5.1.1\" and \"4.1.1\" find X.1.1), so that\n"
"df[df.codes.map(lambda c: \"5.1.1\" in c)] or df.explode(\"codes\") filters\n"
"by a concrete code, and sort_values(\"code\") sorts.");

static PyObject *mod_table(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"kind", "lang"};
    static const signature sig = {"table", 0, 1, 0, 2, names};
    PyObject *av[2];
    int kind, lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || kind_from_obj(av[0], "table", &kind) < 0 ||
        lang_from_obj(st, av[1], 0, &lang) < 0)
        return NULL;
    return all_codes(st, kind, (smtpcodes_lang)lang, 1);
}

PyDoc_STRVAR(search_doc,
"search($module, words, /, *, lang=None)\n--\n\n"
"Codes that every word matches: the word is the code (\"5.1.1\") or occurs in\n"
"its title, description, when or fix text (case- and accent-insensitive).\n"
"Best first: the code a word names, then title matches, then the rest.\n"
"lang=None (the default) searches both languages and returns English Codes;\n"
"'en' or 'es' searches and returns that language. ParseError (a ValueError,\n"
"reason 'query') for more than 32 words or a word over 64 bytes: no word is\n"
"dropped.");

static PyObject *mod_search(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"words", "lang"};
    static const signature sig = {"search", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1] ? av[1] : Py_None, 1, &lang) < 0)
        return NULL;   /* lang left out is lang=None: both languages */
    if (!PyUnicode_Check(av[0])) {
        PyErr_Format(PyExc_TypeError, "search() argument must be str, not %.100s", SC_TYPE_NAME(av[0]));
        return NULL;
    }
    PyObject *raw = to_bytes(av[0], "search", "str");
    if (!raw) return NULL;
    size_t cap = smtpcodes_count();
    const smtpcodes_entry **found = PyMem_New(const smtpcodes_entry *, cap ? cap : 1);
    if (!found) {
        Py_DECREF(raw);
        return PyErr_NoMemory();
    }
    int n = smtpcodes_search(PyBytes_AS_STRING(raw), (size_t)PyBytes_GET_SIZE(raw), lang, found, cap);
    Py_DECREF(raw);
    PyObject *l = n < 0 ? parse_error(st, n, av[0]) : PyList_New(0);
    for (int i = 0; l && i < n && (size_t)i < cap; i++) {
        PyObject *v = code_from_entry(st, found[i], lang < 0 ? SMTPCODES_EN : (smtpcodes_lang)lang);
        if (!v || PyList_Append(l, v) < 0) Py_CLEAR(l);
        Py_XDECREF(v);
    }
    PyMem_Free(found);
    return l;
}

/* The command as UTF-8 (str only), or NULL with TypeError. */
static const char *command_arg(PyObject *o, const char *fname, Py_ssize_t *n) {
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() command must be a str, not %.100s", fname, SC_TYPE_NAME(o));
        return NULL;
    }
    const char *s = PyUnicode_AsUTF8AndSize(o, n);
    if (!s) { /* lone surrogates: no such command */
        PyErr_Clear();
        s = "\x01";
        *n = 1;
    }
    return s;
}

PyDoc_STRVAR(replies_for_doc,
"replies_for($module, command, /)\n--\n\n"
"The basic Codes an SMTP command may get (those any command may get\n"
"included), ascending. 'MAIL FROM:<a@b>' names MAIL. ValueError for an\n"
"unknown command.");

static PyObject *mod_replies_for(PyObject *module, PyObject *command) {
    module_state *st = get_state(module);
    Py_ssize_t len;
    const char *s = command_arg(command, "replies_for", &len);
    if (!s) return NULL;
    int stack[128], *codes = stack;
    int n = smtpcodes_replies_for(s, (size_t)len, stack, 128);
    if (n < 0) return raise_status(st, PyExc_ValueError, n, command);
    if (n > 128) {
        if (!(codes = PyMem_New(int, (size_t)n))) return PyErr_NoMemory();
        n = smtpcodes_replies_for(s, (size_t)len, codes, (size_t)n);
    }
    PyObject *t = PyTuple_New(n > 0 ? n : 0);
    for (int i = 0; t && i < n; i++) {
        smtpcodes_code c;
        PyObject *v = smtpcodes_lookup_basic(codes[i], &c) == SMTPCODES_OK ? code_get(st, &c, SMTPCODES_EN) : NULL;
        if (!v) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "smtpcodes: bad code in command table");
            Py_CLEAR(t);
        } else {
            PyTuple_SET_ITEM(t, i, v);
        }
    }
    if (codes != stack) PyMem_Free(codes);
    return t;
}

PyDoc_STRVAR(is_valid_reply_doc,
"is_valid_reply($module, command, code, /)\n--\n\n"
"True if the code (int, str or Code; an enhanced code through its associated\n"
"basic codes) may answer the SMTP command. ValueError for an unknown command,\n"
"ParseError for a malformed code.");

static PyObject *mod_is_valid_reply(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    module_state *st = get_state(module);
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "is_valid_reply() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    Py_ssize_t len;
    const char *s = command_arg(args[0], "is_valid_reply", &len);
    smtpcodes_code c;
    if (!s || code_struct_from_obj(st, args[1], "is_valid_reply", &c) < 0) return NULL;
    int r = smtpcodes_is_valid_reply(s, (size_t)len, &c);
    if (r < 0) return raise_status(st, PyExc_ValueError, r, args[0]);
    return PyBool_FromLong(r);
}

PyDoc_STRVAR(languages_doc,
"languages($module, /)\n--\n\n"
"The language tags every text is available in: ('en', 'es').");

static PyObject *mod_languages(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    (void)module;
    PyObject *t = PyTuple_New(SMTPCODES_NLANG);
    for (int i = 0; t && i < SMTPCODES_NLANG; i++) {
        PyObject *s = PyUnicode_FromString(smtpcodes_lang_tag((smtpcodes_lang)i));
        if (!s) Py_CLEAR(t);
        else PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

PyDoc_STRVAR(classify_doc,
"classify($module, reply, /, *, lang='en')\n--\n\n"
"Classify a server reply, a multi-line reply or a log line (str or bytes, as\n"
"for parse()) and return a Classification: the bounce reason, permanence,\n"
"hard_bounce, retry and its advice, and the evidence that decided.\n\n"
"Raises ParseError (quoting the input) for empty or blank input, TypeError\n"
"for a wrong type and ValueError for an unknown language. Any other text is\n"
"classified (reason 'undefined' when nothing is recognised).");

static PyObject *mod_classify(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"reply", "lang"};
    static const signature sig = {"classify", 1, 1, 1, 2, names};
    PyObject *av[2], *hold;
    int lang;
    const char *s;
    Py_ssize_t n;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0 ||
        text_view(av[0], "classify", &hold, &s, &n) < 0)
        return NULL;
    smtpcodes_classification c;
    int status = smtpcodes_classify(s, (size_t)n, &c);
    if (status < 0) {
        Py_XDECREF(hold);
        return parse_error(st, status, av[0]);
    }
    PyObject *out = new_classification(st, &c, (smtpcodes_lang)lang);
    /* keep the input (a bytes copy for bytearray, memoryview) for pickle and .raw */
    if (out) ((ClassificationObject *)out)->input = Py_NewRef(hold ? hold : av[0]);
    Py_XDECREF(hold);
    return out;
}

/* classify_many classifies in chunks of this many lines: the GIL is released
 * once per chunk, and the C result array stays small (about 1 MB) whatever
 * the batch size. */
#define CLASSIFY_CHUNK 4096

#define CLASSIFY_MAX_THREADS SC_SHARE_MAX_THREADS
#define CLASSIFY_MIN_SHARE 1024 /* fewer lines per thread: fewer threads */

/* threads=: absent or None -> 1; an int >= 1 (a huge one is CLASSIFY_MAX_THREADS);
 * 0 or negative -> ValueError; bool or any other type -> TypeError. */
static int threads_from_obj(PyObject *o, const char *fname, int *out) {
    *out = 1;
    if (!o || o == Py_None) return 0;
    if (!PyLong_Check(o) || PyBool_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() threads must be an int or None, not %.100s", fname, SC_TYPE_NAME(o));
        return -1;
    }
    int overflow;
    long t = PyLong_AsLongAndOverflow(o, &overflow);
    if (t == -1 && PyErr_Occurred()) return -1;
    if (overflow < 0 || (!overflow && t < 1)) {
        PyErr_Format(PyExc_ValueError, "%s() threads must be >= 1 or None", fname);
        return -1;
    }
    *out = overflow > 0 || t > CLASSIFY_MAX_THREADS ? CLASSIFY_MAX_THREADS : (int)t;
    return 0;
}

PyDoc_STRVAR(classify_many_doc,
"classify_many($module, lines, /, *, lang='en', threads=None)\n--\n\n"
"Classify every reply or log line of an iterable of str or bytes and return a\n"
"list with one Classification per input, in order. A line that cannot be\n"
"classified (empty or blank) gives a Classification with reason 'error',\n"
"error set to the message of the ParseError classify() would raise for it\n"
"(error is None on every other entry), permanence, code and enhanced None,\n"
"hard_bounce and retry False. No line is dropped.\n\n"
"The core classifies the batch with the GIL released, in chunks; threads (an\n"
"int >= 1; None: 1) splits each chunk over that many POSIX threads, with the\n"
"same result in the same order. Raises TypeError naming\n"
"the index of an element that is not str or bytes (or when lines is itself a\n"
"str or bytes), ValueError for an unknown language.");

static PyObject *mod_classify_many(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"lines", "lang", "threads"};
    static const signature sig = {"classify_many", 1, 1, 1, 3, names};
    PyObject *av[3];
    int lang, threads;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0 ||
        threads_from_obj(av[2], "classify_many", &threads) < 0)
        return NULL;
    PyObject *lines = av[0];
    if (PyUnicode_Check(lines) || PyBytes_Check(lines) || PyByteArray_Check(lines)) {
        PyErr_Format(PyExc_TypeError, "classify_many() argument must be an iterable of str or bytes, not %.100s "
                     "(use classify() for one reply)", SC_TYPE_NAME(lines));
        return NULL;
    }
    /* A tuple holds every element for the whole call: no other thread can
     * drop one while the GIL is released (a list could be mutated). */
    PyObject *items = PySequence_Tuple(lines);
    if (!items) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "classify_many() argument must be an iterable of str or bytes, not %.100s",
                         SC_TYPE_NAME(lines));
        }
        return NULL;
    }
    Py_ssize_t total = PyTuple_GET_SIZE(items);
    PyObject *held = NULL;   /* list of the bytes copies made by text_view(), if any */
    PyObject *result = NULL;
    sc_text *refs = PyMem_New(sc_text, total ? (size_t)total : 1);
    size_t chunk = total < CLASSIFY_CHUNK ? (size_t)(total ? total : 1) : CLASSIFY_CHUNK;
    smtpcodes_classification *out = PyMem_New(smtpcodes_classification, chunk);
    int *status = PyMem_New(int, chunk);
    if (!refs || !out || !status) {
        PyErr_NoMemory();
        goto done;
    }
    /* 1. every input as (pointer, length), with the GIL */
    for (Py_ssize_t i = 0; i < total; i++) {
        PyObject *x = PyTuple_GET_ITEM(items, i), *hold;
        const char *s;
        Py_ssize_t n;
        if (!PyUnicode_Check(x) && !PyBytes_Check(x) && !PyByteArray_Check(x) && !PyMemoryView_Check(x)) {
            PyErr_Format(PyExc_TypeError, "classify_many() item %zd must be str or bytes, not %.100s", i,
                         SC_TYPE_NAME(x));
            goto done;
        }
        if (text_view(x, "classify_many", &hold, &s, &n) < 0) goto done;
        if (hold) {
            int bad = (!held && !(held = PyList_New(0))) || PyList_Append(held, hold) < 0;
            Py_DECREF(hold); /* the list keeps it */
            if (bad) goto done;
        }
        refs[i].s = s;
        refs[i].n = (size_t)n;
        refs[i].null = 0;
    }
    if (!(result = PyList_New(total))) goto done;
    for (Py_ssize_t start = 0; start < total; start += (Py_ssize_t)chunk) {
        size_t m = (size_t)(total - start) < chunk ? (size_t)(total - start) : chunk;
        const sc_text *r = refs + start;
        /* 2. the core classifies the chunk without the GIL */
        Py_BEGIN_ALLOW_THREADS
        sc_classify_shared(r, m, out, status, threads, CLASSIFY_MIN_SHARE);
        Py_END_ALLOW_THREADS
        /* 3. the result objects, with the GIL */
        for (size_t k = 0; k < m; k++) {
            Py_ssize_t i = start + (Py_ssize_t)k;
            PyObject *in = PyTuple_GET_ITEM(items, i);
            PyObject *v = status[k] == SMTPCODES_OK
                              ? new_classification(st, &out[k], (smtpcodes_lang)lang)
                              : new_error_classification(st, status[k], in, (smtpcodes_lang)lang);
            if (v && !((ClassificationObject *)v)->input) ((ClassificationObject *)v)->input = Py_NewRef(in);
            if (!v) {
                Py_CLEAR(result); /* the unfilled slots are NULL: safe to free */
                goto done;
            }
            PyList_SET_ITEM(result, i, v);
        }
    }
done:
    PyMem_Free(refs);
    PyMem_Free(out);
    PyMem_Free(status);
    Py_XDECREF(held);
    Py_DECREF(items);
    return result;
}

PyDoc_STRVAR(restore_doc,
"_restore($module, kind, /, *args)\n--\n\n"
"Rebuild a pickled result (the __reduce__ of Reply, Explanation, Comparison\n"
"and Classification): ('reply', raw, strict), ('explanation', text, markdown,\n"
"html), ('comparison', a, b, lang), ('classification', input, lang, error).");

static PyObject *mod_restore(PyObject *module, PyObject *args) {
    module_state *st = get_state(module);
    const char *kind;
    PyObject *x, *y = NULL, *z = NULL;
    if (!PyArg_ParseTuple(args, "sO|OO:_restore", &kind, &x, &y, &z)) return NULL;
    if (strcmp(kind, "reply") == 0 && PyBytes_Check(x)) {
        unsigned int options = y && PyObject_IsTrue(y) == 1 ? SMTPCODES_STRICT : 0u;
        smtpcodes_reply r;
        int status = smtpcodes_parse(PyBytes_AsString(x), (size_t)PyBytes_Size(x), options, &r);
        return status < 0 ? parse_error(st, status, x)
                          : new_reply(st, &r, x, PyBytes_AsString(x), PyBytes_AsString(x), (size_t)PyBytes_Size(x),
                                      options);
    }
    if (strcmp(kind, "explanation") == 0 && y && z && PyUnicode_Check(x) && PyUnicode_Check(y) &&
        PyUnicode_Check(z)) {
        ExplanationObject *o = (ExplanationObject *)PyType_GenericAlloc(st->Explanation_Type, 0);
        if (!o) return NULL;
        o->text = Py_NewRef(x);
        o->markdown = Py_NewRef(y);
        o->html = Py_NewRef(z);
        return (PyObject *)o;
    }
    int lang;
    if (strcmp(kind, "comparison") == 0 && y && z) {
        smtpcodes_code a, b;
        if (lang_from_obj(st, z, 0, &lang) < 0 || code_struct_from_obj(st, x, "_restore", &a) < 0 ||
            code_struct_from_obj(st, y, "_restore", &b) < 0)
            return NULL;
        return new_comparison(st, &a, &b, (smtpcodes_lang)lang);
    }
    if (strcmp(kind, "classification") == 0 && y && z && (PyUnicode_Check(x) || PyBytes_Check(x))) {
        if (lang_from_obj(st, y, 0, &lang) < 0) return NULL;
        ClassificationObject *o;
        if (z != Py_None) {
            if (!PyUnicode_Check(z)) goto bad;
            smtpcodes_classification zero;
            memset(&zero, 0, sizeof zero);
            if (!(o = (ClassificationObject *)new_classification(st, &zero, (smtpcodes_lang)lang))) return NULL;
            o->error = Py_NewRef(z);
        } else {
            PyObject *hold;
            const char *s;
            Py_ssize_t n;
            smtpcodes_classification c;
            if (text_view(x, "_restore", &hold, &s, &n) < 0) return NULL;
            int status = smtpcodes_classify(s, (size_t)n, &c);
            Py_XDECREF(hold);
            if (status < 0) return parse_error(st, status, x);
            if (!(o = (ClassificationObject *)new_classification(st, &c, (smtpcodes_lang)lang))) return NULL;
        }
        o->input = Py_NewRef(x);
        return (PyObject *)o;
    }
bad:
    PyErr_Format(PyExc_TypeError, "_restore(): bad arguments for %s", kind);
    return NULL;
}

PyDoc_STRVAR(reasons_doc,
"reasons($module, /)\n--\n\n"
"Every bounce reason classify() may give, as a tuple of names\n"
"('authfailure', ..., 'greylisted', 'none').");

static PyObject *mod_reasons(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    return Py_NewRef(get_state(module)->reasons);
}

PyDoc_STRVAR(reason_info_doc,
"reason_info($module, name, /, *, lang='en')\n--\n\n"
"What a bounce reason means: a dict with name, title, description, action\n"
"(what to do, by role) and hard (True for the hard-bounce reasons).\n"
"ValueError for an unknown reason or language, TypeError if name is not a str.");

static PyObject *mod_reason_info(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"name", "lang"};
    static const signature sig = {"reason_info", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    if (!PyUnicode_Check(av[0])) {
        PyErr_Format(PyExc_TypeError, "reason_info() argument must be str, not %.100s", SC_TYPE_NAME(av[0]));
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(av[0], &n);
    int r = s ? smtpcodes_reason_index(s, (size_t)n) : -1;
    if (!s) PyErr_Clear();
    if (r < 0 || r >= PyTuple_GET_SIZE(st->reasons)) {
        PyObject *rep = short_repr(av[0]);
        if (rep) {
            PyErr_Format(PyExc_ValueError, "unknown reason: %U (see smtpcodes.reasons())", rep);
            Py_DECREF(rep);
        }
        return NULL;
    }
    smtpcodes_lang l = (smtpcodes_lang)lang;
    PyObject *title = static_str_or_none(smtpcodes_reason_text(r, SMTPCODES_REASON_TITLE, l));
    PyObject *desc = static_str_or_none(smtpcodes_reason_text(r, SMTPCODES_REASON_DESCRIPTION, l));
    PyObject *action = static_str_or_none(smtpcodes_reason_text(r, SMTPCODES_REASON_ACTION, l));
    PyObject *d = NULL;
    if (title && desc && action)
        d = Py_BuildValue("{sOsOsOsOsO}", "name", PyTuple_GET_ITEM(st->reasons, r), "title", title, "description",
                          desc, "action", action, "hard", smtpcodes_reason_is_hard(r) == 1 ? Py_True : Py_False);
    Py_XDECREF(title);
    Py_XDECREF(desc);
    Py_XDECREF(action);
    return d;
}

/* ---- the command line ---------------------------------------------------- */

static void flush_std(const char *name) {
    PyObject *f = PySys_GetObject(name); /* borrowed */
    if (!f || f == Py_None) return;
    PyObject *r = PyObject_CallMethod(f, "flush", NULL);
    if (!r) PyErr_Clear(); /* a closed stream: the CLI still runs */
    Py_XDECREF(r);
}

PyDoc_STRVAR(cli_doc,
"_cli($module, argv, /)\n--\n\n"
"Run the smtpcodes command line (the same C code as the `smtpcodes` binary)\n"
"with argv (argv[0] is the program name; str, encoded as UTF-8 with\n"
"surrogateescape, or bytes) and return its exit status: 0 ok, 1 not found,\n"
"2 usage or malformed input. It writes to the process's stdout and stderr\n"
"(sys.stdout and sys.stderr are flushed first) and may read stdin.\n"
"`python -m smtpcodes` calls it.");

static PyObject *mod_cli(PyObject *module, PyObject *arg) {
    (void)module;
    if (PyUnicode_Check(arg) || PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "_cli() argument must be a list of str, not a single string");
        return NULL;
    }
    PyObject *seq = PySequence_Tuple(arg);
    if (!seq) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    PyObject *encoded = PyTuple_New(n);
    char **argv = PyMem_New(char *, (size_t)n + 1);
    PyObject *result = NULL;
    if (!encoded || !argv) {
        if (encoded) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyTuple_GET_ITEM(seq, i), *b;
        if (PyUnicode_Check(x)) b = PyUnicode_AsEncodedString(x, "utf-8", "surrogateescape");
        else if (PyBytes_Check(x)) b = Py_NewRef(x);
        else {
            PyErr_Format(PyExc_TypeError, "_cli() argv[%zd] must be str or bytes, not %.100s", i, SC_TYPE_NAME(x));
            goto done;
        }
        if (!b) goto done;
        PyTuple_SET_ITEM(encoded, i, b);
        if ((size_t)PyBytes_GET_SIZE(b) != strlen(PyBytes_AS_STRING(b))) {
            PyErr_Format(PyExc_ValueError, "_cli() argv[%zd] contains a NUL character", i);
            goto done;
        }
        argv[i] = PyBytes_AS_STRING(b);
    }
    argv[n] = NULL;
    flush_std("stdout");
    flush_std("stderr");
    int rc = smtpcodes_cli((int)(n > INT_MAX ? INT_MAX : n), argv);
    fflush(stdout);
    fflush(stderr);
    result = PyLong_FromLong(rc);
done:
    PyMem_Free(argv);
    Py_XDECREF(encoded);
    Py_DECREF(seq);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Tag: a provider's own code (csrc/tags.c); fields read from the static entry */

typedef struct {
    PyObject_HEAD
    const smtpcodes_tag *t;
    smtpcodes_lang lang;
} TagObject;

enum { T_TAG, T_PROVIDER, T_TITLE, T_DESCRIPTION, T_WHEN, T_FIX, T_REASON, T_CODES, T_REFERENCES, T_LANG, T_NFIELDS };
static const char *const tag_field_names[T_NFIELDS] = {"tag", "provider", "title", "description", "when",
                                                       "fix", "reason", "codes", "references", "lang"};

static PyObject *new_tag(module_state *st, const smtpcodes_tag *t, smtpcodes_lang lang) {
    TagObject *o = PyObject_New(TagObject, st->Tag_Type);
    if (!o) return NULL;
    o->t = t;
    o->lang = lang;
    return (PyObject *)o;
}

/* A tuple of n static strings; as_int: a three-digit code becomes an int. */
static PyObject *tag_strings(const char *const *v, size_t n, int as_int) {
    PyObject *tup = PyTuple_New((Py_ssize_t)n);
    if (!tup) return NULL;
    for (size_t i = 0; i < n; i++) {
        int digits = as_int && strlen(v[i]) == 3 && v[i][0] >= '0' && v[i][0] <= '9' && v[i][1] >= '0' &&
                     v[i][1] <= '9' && v[i][2] >= '0' && v[i][2] <= '9';
        PyObject *x = digits ? PyLong_FromLong(atoi(v[i])) : PyUnicode_FromString(v[i]);
        if (!x) {
            Py_DECREF(tup);
            return NULL;
        }
        PyTuple_SET_ITEM(tup, (Py_ssize_t)i, x);
    }
    return tup;
}

static PyObject *tag_field(TagObject *o, int f) {
    const smtpcodes_tag *t = o->t;
    switch (f) {
    case T_TAG: return PyUnicode_FromString(t->tag);
    case T_PROVIDER: return PyUnicode_FromString(t->provider);
    case T_TITLE: return PyUnicode_FromString(t->text[SMTPCODES_TITLE][o->lang]);
    case T_DESCRIPTION: return PyUnicode_FromString(t->text[SMTPCODES_DESCRIPTION][o->lang]);
    case T_WHEN: return PyUnicode_FromString(t->text[SMTPCODES_WHEN][o->lang]);
    case T_FIX: return PyUnicode_FromString(t->text[SMTPCODES_FIX][o->lang]);
    case T_REASON: return Py_NewRef(PyTuple_GET_ITEM(state_of((PyObject *)o)->reasons, t->reason));
    case T_CODES: return tag_strings(t->codes, t->ncodes, 1);
    case T_REFERENCES: return tag_strings(t->refs, t->nrefs, 0);
    case T_LANG: return Py_NewRef(state_of((PyObject *)o)->lang[o->lang]);
    default: PyErr_SetString(PyExc_AttributeError, "no such field"); return NULL;
    }
}

static PyObject *Tag_getfield(PyObject *self, void *closure) {
    return tag_field((TagObject *)self, (int)(intptr_t)closure);
}

static PyObject *Tag_render(PyObject *self, smtpcodes_format fmt) {
    TagObject *o = (TagObject *)self;
    render_job j = job(SMTPCODES_RENDER_TAG, o->t, o->lang, fmt);
    return render(&j);
}

static PyObject *Tag_get_rendered(PyObject *self, void *closure) {
    return Tag_render(self, (smtpcodes_format)(intptr_t)closure);
}
static PyObject *Tag_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return Tag_render(self, SMTPCODES_MARKDOWN);
}
static PyObject *Tag_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    return Tag_render(self, SMTPCODES_HTML);
}

/* The fields as a dict, the tuples as lists (JSON-ready). */
static PyObject *Tag_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (int f = 0; f < T_NFIELDS; f++) {
        PyObject *v = tag_field((TagObject *)self, f);
        if (v && PyTuple_Check(v)) Py_SETREF(v, PySequence_List(v));
        if (!v || PyDict_SetItemString(d, tag_field_names[f], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

static PyObject *Tag_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    TagObject *o = (TagObject *)self;
    return Py_BuildValue("O(sss)", (PyObject *)Py_TYPE(self), o->t->tag, o->t->prov->id, smtpcodes_lang_tag(o->lang));
}

static PyObject *Tag_repr(PyObject *self) {
    TagObject *o = (TagObject *)self;
    PyObject *title = PyUnicode_FromString(o->t->text[SMTPCODES_TITLE][o->lang]);
    if (!title) return NULL;
    PyObject *r = PyUnicode_FromFormat("<Tag %s (%s) %R>", o->t->tag, o->t->provider, title);
    Py_DECREF(title);
    return r;
}

static PyObject *Tag_str(PyObject *self) { return PyUnicode_FromString(((TagObject *)self)->t->tag); }

static PyObject *Tag_richcompare(PyObject *self, PyObject *other, int op) {
    if (Py_TYPE(other) != Py_TYPE(self) || (op != Py_EQ && op != Py_NE)) Py_RETURN_NOTIMPLEMENTED;
    TagObject *a = (TagObject *)self, *b = (TagObject *)other;
    int eq = a->t == b->t && a->lang == b->lang;
    if (op == Py_EQ ? eq : !eq) Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

static Py_hash_t Tag_hash(PyObject *self) {
    TagObject *o = (TagObject *)self;
    Py_hash_t h = (Py_hash_t)((size_t)(o->t - smtpcodes_tag_at(0)) * 2 + (size_t)o->lang);
    return h == -1 ? -2 : h;
}

static void Tag_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_Free(self);
    Py_DECREF(tp);
}

/* A str argument as UTF-8 (tag or provider name); NULL with TypeError otherwise. */
static const char *tag_arg(PyObject *x, const char *fname, const char *what, Py_ssize_t *n) {
    if (!PyUnicode_Check(x)) {
        PyErr_Format(PyExc_TypeError, "%s() %s must be a str, not %.100s", fname, what, SC_TYPE_NAME(x));
        return NULL;
    }
    return PyUnicode_AsUTF8AndSize(x, n);
}

/* provider: NULL or None -> -1 (any); a known name or id -> its index; else KeyError. */
static int tag_provider_arg(PyObject *p, const char *fname, int *out) {
    *out = -1;
    if (!p || p == Py_None) return 0;
    Py_ssize_t n;
    const char *s = tag_arg(p, fname, "provider", &n);
    if (!s) return -1;
    int i = smtpcodes_provider_index(s, (size_t)n);
    if (i < 0) {
        PyErr_Format(PyExc_KeyError, "unknown provider: %R", p);
        return -1;
    }
    *out = i;
    return 0;
}

static PyObject *lookup_tag_impl(module_state *st, PyObject *tag, PyObject *provider, PyObject *langobj,
                                 const char *fname) {
    int lang, prov;
    if (lang_from_obj(st, langobj, 0, &lang) < 0 || tag_provider_arg(provider, fname, &prov) < 0) return NULL;
    Py_ssize_t n;
    const char *s = tag_arg(tag, fname, "argument", &n);
    if (!s) return NULL;
    const smtpcodes_tag *t = NULL;
    const char *pname = prov >= 0 ? smtpcodes_provider_name((size_t)prov) : NULL;
    int rc = smtpcodes_lookup_tag(s, (size_t)n, pname, pname ? strlen(pname) : 0, &t);
    if (rc != 1 || !t) {
        if (prov >= 0) PyErr_Format(PyExc_KeyError, "unknown provider tag: %R (provider %s)", tag, pname);
        else PyErr_Format(PyExc_KeyError, "unknown provider tag: %R", tag);
        return NULL;
    }
    return new_tag(st, t, (smtpcodes_lang)lang);
}

static PyObject *Tag_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *names[] = {"tag", "provider", "lang", NULL};
    PyObject *tag, *provider = NULL, *lang = NULL;
    module_state *st = (module_state *)PyType_GetModuleState(type);
    if (!st || !PyArg_ParseTupleAndKeywords(args, kwds, "O|OO:Tag", names, &tag, &provider, &lang)) return NULL;
    return lookup_tag_impl(st, tag, provider, lang, "Tag");
}

static PyMethodDef Tag_methods[] = {
    {"to_dict", Tag_to_dict, METH_NOARGS, "to_dict($self, /)\n--\n\nThe fields as a dict (tuples as lists)."},
    {"_repr_markdown_", Tag_repr_markdown, METH_NOARGS, "_repr_markdown_($self, /)\n--\n\nThe card in Markdown."},
    {"_repr_html_", Tag_repr_html, METH_NOARGS, "_repr_html_($self, /)\n--\n\nAn HTML tag card, escaped."},
    {"__reduce__", Tag_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle as Tag(tag, provider, lang)."},
    {NULL, NULL, 0, NULL},
};

#define TAG_GETTER(name, id, doc) {name, Tag_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef Tag_getset[] = {
    TAG_GETTER("tag", T_TAG, "The provider's tag, without brackets: \"TSS04\", \"DT:SPM\"."),
    TAG_GETTER("provider", T_PROVIDER, "The provider's name: \"Yahoo\"."),
    TAG_GETTER("title", T_TITLE, "Short name."),
    TAG_GETTER("description", T_DESCRIPTION, "What it means."),
    TAG_GETTER("when", T_WHEN, "When you will see it."),
    TAG_GETTER("fix", T_FIX, "How to fix it (who does what)."),
    TAG_GETTER("reason", T_REASON, "The bounce reason it implies (a name of reasons())."),
    TAG_GETTER("codes", T_CODES, "Tuple of the codes it comes with: ints for basic codes, str for enhanced."),
    TAG_GETTER("references", T_REFERENCES, "Tuple of sources (URLs)."),
    TAG_GETTER("lang", T_LANG, "Language of the texts: \"en\" or \"es\"."),
    {"text", Tag_get_rendered, NULL, "The card as plain text.", (void *)(intptr_t)SMTPCODES_TEXT},
    {"markdown", Tag_get_rendered, NULL, "The card as Markdown.", (void *)(intptr_t)SMTPCODES_MARKDOWN},
    {"html", Tag_get_rendered, NULL, "The card as HTML (escaped, inline styles, no scripts).",
     (void *)(intptr_t)SMTPCODES_HTML},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Tag_slots[] = {
    {Py_tp_doc, "Tag(tag, provider=None, lang='en')\n--\n\n"
                "A provider's own code inside a reply (Yahoo TSS04, Comcast RL000001, NetEase DT:SPM,\n"
                "a DNS block list's return code), with its meaning. Immutable. Tag(...) is lookup_tag()."},
    {Py_tp_new, Tag_new},
    {Py_tp_dealloc, Tag_dealloc},
    {Py_tp_richcompare, Tag_richcompare},
    {Py_tp_hash, Tag_hash},
    {Py_tp_repr, Tag_repr},
    {Py_tp_str, Tag_str},
    {Py_tp_methods, Tag_methods},
    {Py_tp_getset, Tag_getset},
    {0, NULL},
};

static PyType_Spec Tag_spec = {
    .name = "smtpcodes.Tag",
    .basicsize = sizeof(TagObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Tag_slots,
};

PyDoc_STRVAR(lookup_tag_doc, "lookup_tag(tag, /, *, provider=None, lang='en')\n--\n\n"
                             "The provider tag named tag (case-insensitive, brackets optional: \"TSS04\",\n"
                             "\"[tss04]\"), of any provider or of provider (name or id). KeyError if unknown.");
static PyObject *mod_lookup_tag(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"tag", "provider", "lang"};
    static const signature sig = {"lookup_tag", 1, 1, 1, 3, names};
    PyObject *av[3];
    if (parse_args(&sig, args, nargs, kwnames, av) < 0) return NULL;
    return lookup_tag_impl(get_state(module), av[0], av[1], av[2], "lookup_tag");
}

PyDoc_STRVAR(tags_doc, "tags(provider=None, *, lang='en')\n--\n\n"
                       "Every provider tag in table order, or those of provider (name or id; KeyError if unknown).");
static PyObject *mod_tags(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *const names[] = {"provider", "lang"};
    static const signature sig = {"tags", 0, 1, 0, 2, names};
    PyObject *av[2];
    module_state *st = get_state(module);
    int lang, prov;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0 ||
        tag_provider_arg(av[0], "tags", &prov) < 0)
        return NULL;
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (size_t i = 0; i < smtpcodes_tag_count(); i++) {
        const smtpcodes_tag *t = smtpcodes_tag_at(i);
        if (prov >= 0 && t->provider_index != (unsigned)prov) continue;
        PyObject *o = new_tag(st, t, (smtpcodes_lang)lang);
        if (!o || PyList_Append(list, o) < 0) {
            Py_XDECREF(o);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(o);
    }
    return list;
}

PyDoc_STRVAR(providers_doc, "providers()\n--\n\nThe names of the providers that have tags, in table order.");
static PyObject *mod_providers(PyObject *module, PyObject *Py_UNUSED(ignored)) {
    (void)module;
    size_t n = smtpcodes_provider_count();
    PyObject *tup = PyTuple_New((Py_ssize_t)n);
    if (!tup) return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(smtpcodes_provider_name(i));
        if (!s) {
            Py_DECREF(tup);
            return NULL;
        }
        PyTuple_SET_ITEM(tup, (Py_ssize_t)i, s);
    }
    return tup;
}

/* classify_columns and its Arrow export live in _columns.c */
PyObject *smtpcodes_py_classify_columns(PyObject *module, PyObject *args);
PyObject *smtpcodes_py_arrow_export(PyObject *module, PyObject *args);

/* ------------------------------------------------------------------------ */
/* LogRecord (parse_log)                                                      */

/* A LogRecord keeps its line (bytes) and the converted fields; the core's
 * record holds views into the line, so the text, Markdown and HTML cards
 * parse the line again. Holds a Reply and a Classification: GC-tracked. */
enum {
    L_KIND, L_MTA, L_STATUS, L_QUEUE_ID, L_RECIPIENT, L_ORIG, L_SENDER, L_RELAY, L_RELAY_IP, L_RELAY_PORT, L_DELAY,
    L_DSN, L_STAGE, L_REPLY, L_CLASSIFICATION, L_TIMESTAMP, L_HOST, L_PROGRAM, L_DIAGNOSTIC, L_NFIELDS
};

/* attribute and to_dict() names, in order */
static const char *const log_field_names[L_NFIELDS] = {
    "kind", "mta", "status", "queue_id", "recipient", "original_recipient", "sender", "relay", "relay_ip",
    "relay_port", "delay", "dsn", "stage", "reply", "classification", "timestamp", "host", "program", "diagnostic",
};


typedef struct {
    PyObject_HEAD
    PyObject *line;            /* bytes */
    smtpcodes_lang lang;       /* of the renderings and the classification */
    PyObject *f[L_NFIELDS];
} LogRecordObject;

static int LogRecord_traverse(PyObject *self, visitproc visit, void *arg) {
    LogRecordObject *o = (LogRecordObject *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(o->line);
    for (int i = 0; i < L_NFIELDS; i++) Py_VISIT(o->f[i]);
    return 0;
}

static int LogRecord_clear(PyObject *self) {
    LogRecordObject *o = (LogRecordObject *)self;
    Py_CLEAR(o->line);
    for (int i = 0; i < L_NFIELDS; i++) Py_CLEAR(o->f[i]);
    return 0;
}

static void LogRecord_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    LogRecord_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}

static PyObject *view_str(const char *p, size_t n) {
    if (!p) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)n, "surrogateescape");
}

static PyObject *LogRecord_getfield(PyObject *self, void *closure) {
    return none_if_null(((LogRecordObject *)self)->f[(int)(intptr_t)closure]);
}

static PyObject *log_render(LogRecordObject *o, smtpcodes_lang lang, smtpcodes_format fmt) {
    smtpcodes_log_record *r = PyMem_Malloc(sizeof *r);
    if (!r) return PyErr_NoMemory();
    smtpcodes_parse_log(PyBytes_AS_STRING(o->line), (size_t)PyBytes_GET_SIZE(o->line), r);
    render_job j = job(SMTPCODES_RENDER_LOG, r, lang, fmt);
    PyObject *out = render(&j);
    PyMem_Free(r);
    return out;
}

static PyObject *LogRecord_get_rendered(PyObject *self, void *closure) {
    LogRecordObject *o = (LogRecordObject *)self;
    return log_render(o, o->lang, (smtpcodes_format)(intptr_t)closure);
}

static PyObject *LogRecord_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    LogRecordObject *o = (LogRecordObject *)self;
    return log_render(o, o->lang, SMTPCODES_MARKDOWN);
}

static PyObject *LogRecord_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    LogRecordObject *o = (LogRecordObject *)self;
    return log_render(o, o->lang, SMTPCODES_HTML);
}

PyDoc_STRVAR(log_render_doc,
"render($self, /, lang=None, format='text')\n--\n\n"
"The record as a card in a language (\"en\", \"es\"; None: the record's own) and a\n"
"format (\"text\", \"markdown\", \"html\").");

static PyObject *LogRecord_render(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = state_of(self);
    static const char *const names[] = {"lang", "format"};
    static const signature sig = {"render", 0, 2, 0, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[0], 1, &lang) < 0) return NULL;
    if (!av[0] || lang < 0) lang = (int)((LogRecordObject *)self)->lang;
    smtpcodes_format fmt = SMTPCODES_TEXT;
    if (av[1]) {
        if (!PyUnicode_Check(av[1])) {
            PyErr_Format(PyExc_TypeError, "format must be a str, not %.100s", SC_TYPE_NAME(av[1]));
            return NULL;
        }
        if (PyUnicode_CompareWithASCIIString(av[1], "markdown") == 0) fmt = SMTPCODES_MARKDOWN;
        else if (PyUnicode_CompareWithASCIIString(av[1], "html") == 0) fmt = SMTPCODES_HTML;
        else if (PyUnicode_CompareWithASCIIString(av[1], "text") != 0) {
            PyErr_Format(PyExc_ValueError, "format must be 'text', 'markdown' or 'html', not %R", av[1]);
            return NULL;
        }
    }
    return log_render((LogRecordObject *)self, (smtpcodes_lang)lang, fmt);
}

static PyObject *LogRecord_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    LogRecordObject *o = (LogRecordObject *)self;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < L_NFIELDS; i++) {
        PyObject *v = none_if_null(o->f[i]);
        if (v != Py_None && (i == L_REPLY || i == L_CLASSIFICATION))
            Py_SETREF(v, PyObject_CallMethod(v, "to_dict", NULL));
        if (!v || PyDict_SetItemString(d, log_field_names[i], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* Pickles as parse_log(line, lang=...): the record is a function of its line. */
static PyObject *LogRecord_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    LogRecordObject *o = (LogRecordObject *)self;
    PyObject *mod = PyImport_ImportModule("smtpcodes");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, "parse_log") : NULL;
    Py_XDECREF(mod);
    if (!fn) return NULL;
    PyObject *functools = PyImport_ImportModule("functools");
    PyObject *partial = functools ? PyObject_GetAttrString(functools, "partial") : NULL;
    Py_XDECREF(functools);
    PyObject *kw = partial ? Py_BuildValue("{s:s}", "lang", smtpcodes_lang_tag(o->lang)) : NULL;
    PyObject *args = kw ? PyTuple_Pack(1, fn) : NULL;
    PyObject *call = args ? PyObject_Call(partial, args, kw) : NULL;
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_XDECREF(partial);
    Py_DECREF(fn);
    if (!call) return NULL;
    return Py_BuildValue("(N(O))", call, o->line);
}

static PyObject *LogRecord_repr(PyObject *self) {
    LogRecordObject *o = (LogRecordObject *)self;
    PyObject *reason = o->f[L_CLASSIFICATION] ? PyObject_GetAttrString(o->f[L_CLASSIFICATION], "reason") : NULL;
    if (!reason) return NULL;
    PyObject *r = PyUnicode_FromFormat("<LogRecord %S %S %S %S %S>", o->f[L_KIND], o->f[L_MTA], o->f[L_STATUS],
                                       o->f[L_RECIPIENT], reason);
    Py_DECREF(reason);
    return r;
}

static PyObject *LogRecord_str(PyObject *self) {
    LogRecordObject *o = (LogRecordObject *)self;
    return log_render(o, o->lang, SMTPCODES_TEXT);
}

static PyMethodDef LogRecord_methods[] = {
    {"to_dict", LogRecord_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe fields as a dict (reply and classification as dicts)."},
    {"render", (PyCFunction)(void (*)(void))LogRecord_render, METH_FASTCALL | METH_KEYWORDS, log_render_doc},
    {"_repr_markdown_", LogRecord_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe record as Markdown (for notebooks)."},
    {"_repr_html_", LogRecord_repr_html, METH_NOARGS, "_repr_html_($self, /)\n--\n\nAn HTML card (for notebooks)."},
    {"__reduce__", LogRecord_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle support: parse_log(line)."},
    {NULL, NULL, 0, NULL},
};

#define LOG_GETTER(name, id, doc) {name, LogRecord_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef LogRecord_getset[] = {
    {"text", LogRecord_get_rendered, NULL, "The record as a plain-text card (in parse_log's language).",
     (void *)(intptr_t)SMTPCODES_TEXT},
    {"markdown", LogRecord_get_rendered, NULL, "The record as Markdown (in parse_log's language).",
     (void *)(intptr_t)SMTPCODES_MARKDOWN},
    {"html", LogRecord_get_rendered, NULL, "The record as an HTML card (in parse_log's language).",
     (void *)(intptr_t)SMTPCODES_HTML},
    LOG_GETTER("kind", L_KIND,
               "\"delivery\" or \"other\" (a line that reports no delivery attempt)."),
    LOG_GETTER("mta", L_MTA,
               "\"postfix\", \"exim\", \"sendmail\", \"exchange\", or None."),
    LOG_GETTER("status", L_STATUS,
               "\"sent\", \"deferred\", \"bounced\", \"expired\" or \"other\"."),
    LOG_GETTER("queue_id", L_QUEUE_ID,
               "The queue or message id, or None."),
    LOG_GETTER("recipient", L_RECIPIENT,
               "The recipient address as logged (without angle brackets), or None."),
    LOG_GETTER("original_recipient", L_ORIG,
               "The original recipient (Postfix orig_to=, Exim <...>), or None."),
    LOG_GETTER("sender", L_SENDER,
               "The sender address, or None."),
    LOG_GETTER("relay", L_RELAY,
               "The next hop as logged (\"mx.example.com\", \"none\", \"local\"), or None."),
    LOG_GETTER("relay_ip", L_RELAY_IP,
               "The next hop's IP address, or None."),
    LOG_GETTER("relay_port", L_RELAY_PORT,
               "The next hop's port (int), or None."),
    LOG_GETTER("delay", L_DELAY,
               "Seconds (float), or None."),
    LOG_GETTER("dsn", L_DSN,
               "The enhanced status code the MTA logged (\"5.1.1\"), or None."),
    LOG_GETTER("stage", L_STAGE,
               "The SMTP stage the reply answered (\"RCPT TO\", \"end of DATA\", \"CONNECT\"...), or None."),
    LOG_GETTER("reply", L_REPLY,
               "The remote server's reply as a Reply (log wrapper removed), or None."),
    LOG_GETTER("classification", L_CLASSIFICATION,
               "The Classification of this record (a deferred record always has retry True)."),
    LOG_GETTER("timestamp", L_TIMESTAMP,
               "The log's time stamp as written, or None."),
    LOG_GETTER("host", L_HOST,
               "The syslog host name, or None."),
    LOG_GETTER("program", L_PROGRAM,
               "The syslog program (\"postfix/smtp\"), or None."),
    LOG_GETTER("diagnostic", L_DIAGNOSTIC,
               "The MTA's own text about the outcome (Postfix's parenthesised text, Sendmail's stat=), or None."),
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot LogRecord_slots[] = {
    {Py_tp_doc, "One MTA log line read by smtpcodes.parse_log(): kind, mta, status, queue_id, recipient,\n"
                "original_recipient, sender, relay, relay_ip, relay_port, delay, dsn, stage, reply,\n"
                "classification, timestamp, host, program, diagnostic."},
    {Py_tp_dealloc, LogRecord_dealloc},
    {Py_tp_traverse, LogRecord_traverse},
    {Py_tp_clear, LogRecord_clear},
    {Py_tp_repr, LogRecord_repr},
    {Py_tp_str, LogRecord_str},
    {Py_tp_methods, LogRecord_methods},
    {Py_tp_getset, LogRecord_getset},
    {0, NULL},
};

static PyType_Spec LogRecord_spec = {
    .name = "smtpcodes.LogRecord",
    .basicsize = sizeof(LogRecordObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = LogRecord_slots,
};

static PyObject *new_log_record(module_state *st, PyObject *line, smtpcodes_lang lang) {
    smtpcodes_log_record *r = PyMem_Malloc(sizeof *r);
    if (!r) return PyErr_NoMemory();
    smtpcodes_parse_log(PyBytes_AS_STRING(line), (size_t)PyBytes_GET_SIZE(line), r);
    LogRecordObject *o = (LogRecordObject *)PyType_GenericAlloc(st->LogRecord_Type, 0);
    if (!o) {
        PyMem_Free(r);
        return NULL;
    }
    o->line = Py_NewRef(line);
    o->lang = lang;
    PyObject **f = o->f;
    f[L_KIND] = PyUnicode_InternFromString(smtpcodes_log_kind_name(r->kind));
    f[L_MTA] = r->mta ? PyUnicode_InternFromString(smtpcodes_log_mta_name(r->mta)) : Py_NewRef(Py_None);
    f[L_STATUS] = PyUnicode_InternFromString(smtpcodes_log_status_name(r->status));
    f[L_QUEUE_ID] = view_str(r->queue_id, r->queue_id_len);
    f[L_RECIPIENT] = view_str(r->recipient, r->recipient_len);
    f[L_ORIG] = view_str(r->original_recipient, r->original_recipient_len);
    f[L_SENDER] = view_str(r->sender, r->sender_len);
    f[L_RELAY] = view_str(r->relay, r->relay_len);
    f[L_RELAY_IP] = view_str(r->relay_ip, r->relay_ip_len);
    f[L_RELAY_PORT] = r->relay_port ? PyLong_FromLong(r->relay_port) : Py_NewRef(Py_None);
    f[L_DELAY] = r->has_delay ? PyFloat_FromDouble(r->delay) : Py_NewRef(Py_None);
    f[L_DSN] = view_str(r->dsn, r->dsn_len);
    f[L_STAGE] = r->stage ? PyUnicode_InternFromString(r->stage) : Py_NewRef(Py_None);
    f[L_TIMESTAMP] = view_str(r->timestamp, r->timestamp_len);
    f[L_HOST] = view_str(r->host, r->host_len);
    f[L_PROGRAM] = view_str(r->program, r->program_len);
    f[L_DIAGNOSTIC] = view_str(r->diagnostic, r->diagnostic_len);
    if (r->has_reply) {
        f[L_REPLY] = new_reply_copy(st, &r->reply, r->reply_text, r->reply_len, 0);
    } else {
        f[L_REPLY] = Py_NewRef(Py_None);
    }
    f[L_CLASSIFICATION] = new_classification(st, &r->classification, lang);
    PyMem_Free(r);
    for (int i = 0; i < L_NFIELDS; i++) {
        if (!f[i]) {
            Py_DECREF(o);
            return NULL;
        }
    }
    return (PyObject *)o;
}

PyDoc_STRVAR(parse_log_doc,
"parse_log($module, line, /, *, lang='en')\n--\n\n"
"Read one MTA log line (str or bytes): Postfix, Exim, Sendmail or an Exchange\n"
"message-tracking CSV row, with or without a syslog prefix. Returns a LogRecord;\n"
"a line that reports no delivery attempt is a LogRecord with kind 'other'\n"
"(never an error). lang is the language of the classification's texts.\n"
"Raises TypeError for a wrong type and ValueError for an unknown language.");

static PyObject *mod_parse_log(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"line", "lang"};
    static const signature sig = {"parse_log", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    PyObject *line = to_bytes(av[0], "parse_log", "str or bytes");
    if (!line) return NULL;
    PyObject *r = new_log_record(st, line, (smtpcodes_lang)lang);
    Py_DECREF(line);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Bounce, BounceRecipient (parse_bounce)                                     */

/* A Bounce keeps the message (bytes) and the converted fields; its cards
 * parse the message again (the core's result is views into the message and
 * a scratch buffer). Recipients are BounceRecipient objects holding a Reply
 * (or None) and a Classification: both types are GC-tracked. */
enum {
    BR_RECIPIENT, BR_ORIG, BR_ACTION, BR_STATUS, BR_REPLY, BR_DIAGNOSTIC, BR_DIAGNOSTIC_TYPE, BR_REMOTE_MTA,
    BR_STAGE, BR_LAST_ATTEMPT, BR_RETRY_UNTIL, BR_CLASSIFICATION, BR_NFIELDS
};
static const char *const bounce_rec_names[BR_NFIELDS] = {
    "recipient", "original_recipient", "action", "status", "reply", "diagnostic", "diagnostic_type",
    "remote_mta", "stage", "last_attempt", "will_retry_until", "classification",
};
enum {
    B_KIND, B_FORMAT, B_REPORTING_MTA, B_ARRIVAL_DATE, B_SUBJECT, B_ORIGINAL, B_FEEDBACK_TYPE, B_SOURCE_IP,
    B_RECIPIENTS, B_TOTAL, B_TRUNCATED, B_NFIELDS
};
static const char *const bounce_names[B_NFIELDS] = {
    "kind", "format", "reporting_mta", "arrival_date", "subject", "original", "feedback_type", "source_ip",
    "recipients", "total_recipients", "truncated",
};

typedef struct {
    PyObject_HEAD
    PyObject *f[BR_NFIELDS];
} BounceRecipientObject;

typedef struct {
    PyObject_HEAD
    PyObject *msg;             /* bytes */
    int lang;
    PyObject *f[B_NFIELDS];
} BounceObject;

static int BounceRecipient_traverse(PyObject *self, visitproc visit, void *arg) {
    BounceRecipientObject *o = (BounceRecipientObject *)self;
    Py_VISIT(Py_TYPE(self));
    for (int i = 0; i < BR_NFIELDS; i++) Py_VISIT(o->f[i]);
    return 0;
}
static int BounceRecipient_clear(PyObject *self) {
    BounceRecipientObject *o = (BounceRecipientObject *)self;
    for (int i = 0; i < BR_NFIELDS; i++) Py_CLEAR(o->f[i]);
    return 0;
}
static void BounceRecipient_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    BounceRecipient_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}
static PyObject *BounceRecipient_getfield(PyObject *self, void *closure) {
    return none_if_null(((BounceRecipientObject *)self)->f[(int)(intptr_t)closure]);
}
static PyObject *BounceRecipient_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    BounceRecipientObject *o = (BounceRecipientObject *)self;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < BR_NFIELDS; i++) {
        PyObject *v = none_if_null(o->f[i]);
        if (v != Py_None && (i == BR_REPLY || i == BR_CLASSIFICATION))
            Py_SETREF(v, PyObject_CallMethod(v, "to_dict", NULL));
        if (!v || PyDict_SetItemString(d, bounce_rec_names[i], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}
static PyObject *BounceRecipient_repr(PyObject *self) {
    BounceRecipientObject *o = (BounceRecipientObject *)self;
    PyObject *reason = o->f[BR_CLASSIFICATION] ? PyObject_GetAttrString(o->f[BR_CLASSIFICATION], "reason") : NULL;
    if (!reason) return NULL;
    PyObject *r = PyUnicode_FromFormat("<BounceRecipient %R %S %S %S>", o->f[BR_RECIPIENT], o->f[BR_ACTION],
                                       o->f[BR_STATUS], reason);
    Py_DECREF(reason);
    return r;
}
static PyMethodDef BounceRecipient_methods[] = {
    {"to_dict", BounceRecipient_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe fields as a dict (reply and classification as dicts)."},
    {NULL, NULL, 0, NULL},
};
#define BR_GETTER(name, id, doc) {name, BounceRecipient_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef BounceRecipient_getset[] = {
    BR_GETTER("recipient", BR_RECIPIENT, "The address (without rfc822; and angle brackets), or None."),
    BR_GETTER("original_recipient", BR_ORIG, "The Original-Recipient address, or None."),
    BR_GETTER("action", BR_ACTION, "\"failed\", \"delayed\", \"delivered\", \"relayed\", \"expanded\", or None."),
    BR_GETTER("status", BR_STATUS, "The enhanced status code (\"5.1.1\"), or None."),
    BR_GETTER("reply", BR_REPLY, "The diagnostic read as a Reply, or None when it carries no reply code."),
    BR_GETTER("diagnostic", BR_DIAGNOSTIC, "The diagnostic text (unfolded, without \"smtp;\"), or None."),
    BR_GETTER("diagnostic_type", BR_DIAGNOSTIC_TYPE, "The diagnostic's type (\"smtp\", \"X-Postfix\"), or None."),
    BR_GETTER("remote_mta", BR_REMOTE_MTA, "The remote MTA (without \"dns;\"), or None."),
    BR_GETTER("stage", BR_STAGE, "The SMTP stage (\"RCPT TO\", \"MAIL FROM\", \"DATA\", ...), or None."),
    BR_GETTER("last_attempt", BR_LAST_ATTEMPT, "Last-Attempt-Date as written, or None."),
    BR_GETTER("will_retry_until", BR_RETRY_UNTIL, "Will-Retry-Until as written, or None."),
    BR_GETTER("classification", BR_CLASSIFICATION, "The Classification of the diagnostic."),
    {NULL, NULL, NULL, NULL, NULL},
};
static PyType_Slot BounceRecipient_slots[] = {
    {Py_tp_doc, "One recipient of a bounce message (Bounce.recipients)."},
    {Py_tp_dealloc, BounceRecipient_dealloc},
    {Py_tp_traverse, BounceRecipient_traverse},
    {Py_tp_clear, BounceRecipient_clear},
    {Py_tp_repr, BounceRecipient_repr},
    {Py_tp_methods, BounceRecipient_methods},
    {Py_tp_getset, BounceRecipient_getset},
    {0, NULL},
};
static PyType_Spec BounceRecipient_spec = {
    .name = "smtpcodes.BounceRecipient",
    .basicsize = sizeof(BounceRecipientObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = BounceRecipient_slots,
};

static int Bounce_traverse(PyObject *self, visitproc visit, void *arg) {
    BounceObject *o = (BounceObject *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(o->msg);
    for (int i = 0; i < B_NFIELDS; i++) Py_VISIT(o->f[i]);
    return 0;
}
static int Bounce_clear(PyObject *self) {
    BounceObject *o = (BounceObject *)self;
    Py_CLEAR(o->msg);
    for (int i = 0; i < B_NFIELDS; i++) Py_CLEAR(o->f[i]);
    return 0;
}
static void Bounce_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Bounce_clear(self);
    SC_TP_FREE(tp)(self);
    Py_DECREF(tp);
}
static PyObject *Bounce_getfield(PyObject *self, void *closure) {
    return none_if_null(((BounceObject *)self)->f[(int)(intptr_t)closure]);
}

/* Parse msg into *b with scratch from PyMem (*scratch, freed by the caller):
 * the documented size first, more when the recipients did not fit. */
static int bounce_parse_py(const char *m, size_t len, void **scratch, smtpcodes_bounce *b) {
    size_t cap = SMTPCODES_BOUNCE_SCRATCH(len);
    for (int round = 0; round < 2; round++) {
        *scratch = PyMem_Malloc(cap);
        if (!*scratch) {
            PyErr_NoMemory();
            return -1;
        }
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = smtpcodes_parse_bounce(m, len, *scratch, cap, b);
        Py_END_ALLOW_THREADS
        if (st != SMTPCODES_OK) {
            PyErr_SetString(PyExc_ValueError, smtpcodes_strerror(st));
            return -1;
        }
        if (!(b->truncated & SMTPCODES_BT_SCRATCH) || round) return 0;
        size_t n = b->total_recipients < SMTPCODES_MAX_RECIPIENTS ? b->total_recipients : SMTPCODES_MAX_RECIPIENTS;
        PyMem_Free(*scratch);
        *scratch = NULL;
        cap = SMTPCODES_BOUNCE_SCRATCH(len) + (n + 1) * sizeof(smtpcodes_bounce_recipient) + len;
    }
    return 0;
}

static PyObject *bounce_render(BounceObject *o, smtpcodes_lang lang, smtpcodes_format fmt) {
    smtpcodes_bounce b;
    void *scratch = NULL;
    if (bounce_parse_py(PyBytes_AS_STRING(o->msg), (size_t)PyBytes_GET_SIZE(o->msg), &scratch, &b) < 0) {
        PyMem_Free(scratch);
        return NULL;
    }
    render_job j = job(SMTPCODES_RENDER_BOUNCE, &b, lang, fmt);
    PyObject *out = render(&j);
    PyMem_Free(scratch);
    return out;
}
static smtpcodes_lang bounce_lang_of(void *bounce) { return (smtpcodes_lang)((BounceObject *)bounce)->lang; }

static PyObject *explain_bounce(module_state *st, void *bounce, smtpcodes_lang lang) {
    BounceObject *o = bounce;
    smtpcodes_bounce b;
    void *scratch = NULL;
    if (bounce_parse_py(PyBytes_AS_STRING(o->msg), (size_t)PyBytes_GET_SIZE(o->msg), &scratch, &b) < 0) {
        PyMem_Free(scratch);
        return NULL;
    }
    render_job j = job(SMTPCODES_RENDER_BOUNCE, &b, lang, SMTPCODES_TEXT);
    PyObject *out = new_explanation(st, &j);
    PyMem_Free(scratch);
    return out;
}
static PyObject *Bounce_get_rendered(PyObject *self, void *closure) {
    BounceObject *o = (BounceObject *)self;
    return bounce_render(o, (smtpcodes_lang)o->lang, (smtpcodes_format)(intptr_t)closure);
}
static PyObject *Bounce_repr_markdown(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    BounceObject *o = (BounceObject *)self;
    return bounce_render(o, (smtpcodes_lang)o->lang, SMTPCODES_MARKDOWN);
}
static PyObject *Bounce_repr_html(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    BounceObject *o = (BounceObject *)self;
    return bounce_render(o, (smtpcodes_lang)o->lang, SMTPCODES_HTML);
}
static PyObject *Bounce_str(PyObject *self) {
    BounceObject *o = (BounceObject *)self;
    return bounce_render(o, (smtpcodes_lang)o->lang, SMTPCODES_TEXT);
}

PyDoc_STRVAR(bounce_render_doc,
"render($self, /, lang=None, format='text')\n--\n\n"
"The bounce as a card in a language (\"en\", \"es\"; default: parse_bounce's)\n"
"and a format (\"text\", \"markdown\", \"html\").");

static PyObject *Bounce_render(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = state_of(self);
    BounceObject *o = (BounceObject *)self;
    static const char *const names[] = {"lang", "format"};
    static const signature sig = {"render", 0, 2, 0, 2, names};
    PyObject *av[2];
    int lang = o->lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0) return NULL;
    if (av[0] && av[0] != Py_None && lang_from_obj(st, av[0], 0, &lang) < 0) return NULL;
    smtpcodes_format fmt = SMTPCODES_TEXT;
    if (av[1]) {
        if (!PyUnicode_Check(av[1])) {
            PyErr_Format(PyExc_TypeError, "format must be a str, not %.100s", SC_TYPE_NAME(av[1]));
            return NULL;
        }
        if (PyUnicode_CompareWithASCIIString(av[1], "markdown") == 0) fmt = SMTPCODES_MARKDOWN;
        else if (PyUnicode_CompareWithASCIIString(av[1], "html") == 0) fmt = SMTPCODES_HTML;
        else if (PyUnicode_CompareWithASCIIString(av[1], "text") != 0) {
            PyErr_Format(PyExc_ValueError, "format must be 'text', 'markdown' or 'html', not %R", av[1]);
            return NULL;
        }
    }
    return bounce_render(o, (smtpcodes_lang)lang, fmt);
}

static PyObject *Bounce_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    BounceObject *o = (BounceObject *)self;
    PyObject *d = PyDict_New();
    for (int i = 0; d && i < B_NFIELDS; i++) {
        PyObject *v = none_if_null(o->f[i]);
        if (v && i == B_ORIGINAL) Py_SETREF(v, PyDict_Copy(v));
        if (v && i == B_RECIPIENTS) {
            PyObject *l = PyList_New(PyTuple_GET_SIZE(v));
            for (Py_ssize_t k = 0; l && k < PyTuple_GET_SIZE(v); k++) {
                PyObject *x = BounceRecipient_to_dict(PyTuple_GET_ITEM(v, k), NULL);
                if (!x) Py_CLEAR(l);
                else PyList_SET_ITEM(l, k, x);
            }
            Py_SETREF(v, l);
        }
        if (!v || PyDict_SetItemString(d, bounce_names[i], v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* Pickles as parse_bounce(message, lang=...): the result is a function of its message. */
static PyObject *Bounce_reduce(PyObject *self, PyObject *Py_UNUSED(ignored)) {
    BounceObject *o = (BounceObject *)self;
    PyObject *mod = PyImport_ImportModule("smtpcodes");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, "_parse_bounce_lang") : NULL;
    Py_XDECREF(mod);
    if (!fn) return NULL;
    return Py_BuildValue("(N(Os))", fn, o->msg, smtpcodes_lang_tag((smtpcodes_lang)o->lang));
}

static PyObject *Bounce_repr(PyObject *self) {
    BounceObject *o = (BounceObject *)self;
    return PyUnicode_FromFormat("<Bounce %S %S, %zd recipient(s)>", o->f[B_KIND], o->f[B_FORMAT],
                                PyTuple_GET_SIZE(o->f[B_RECIPIENTS]));
}

static PyMethodDef Bounce_methods[] = {
    {"to_dict", Bounce_to_dict, METH_NOARGS,
     "to_dict($self, /)\n--\n\nThe fields as a dict (recipients as a list of dicts)."},
    {"render", (PyCFunction)(void (*)(void))Bounce_render, METH_FASTCALL | METH_KEYWORDS, bounce_render_doc},
    {"_repr_markdown_", Bounce_repr_markdown, METH_NOARGS,
     "_repr_markdown_($self, /)\n--\n\nThe card as Markdown (for notebooks)."},
    {"_repr_html_", Bounce_repr_html, METH_NOARGS, "_repr_html_($self, /)\n--\n\nAn HTML card (for notebooks)."},
    {"__reduce__", Bounce_reduce, METH_NOARGS, "__reduce__($self, /)\n--\n\nPickle support: parse_bounce(message)."},
    {NULL, NULL, 0, NULL},
};
#define B_GETTER(name, id, doc) {name, Bounce_getfield, NULL, doc, (void *)(intptr_t)(id)}
static PyGetSetDef Bounce_getset[] = {
    {"text", Bounce_get_rendered, NULL, "The bounce as a plain-text card.", (void *)(intptr_t)SMTPCODES_TEXT},
    {"markdown", Bounce_get_rendered, NULL, "The bounce as Markdown.", (void *)(intptr_t)SMTPCODES_MARKDOWN},
    {"html", Bounce_get_rendered, NULL, "The bounce as an HTML card (a table of recipients).",
     (void *)(intptr_t)SMTPCODES_HTML},
    B_GETTER("kind", B_KIND, "\"bounce\", \"delay\", \"feedback\", \"autoreply\", \"delivered\" or \"other\"."),
    B_GETTER("format", B_FORMAT, "The reader that understood it: \"rfc3464\", \"arf\", \"qmail\", \"exim\", ..., or None."),
    B_GETTER("reporting_mta", B_REPORTING_MTA, "Reporting-MTA as written, or None."),
    B_GETTER("arrival_date", B_ARRIVAL_DATE, "Arrival-Date as written, or None."),
    B_GETTER("subject", B_SUBJECT, "The report's own Subject (RFC 2047 decoded), or None."),
    B_GETTER("original", B_ORIGINAL, "The returned message's message_id, from, to, subject, date (a dict; None values when absent)."),
    B_GETTER("feedback_type", B_FEEDBACK_TYPE, "ARF Feedback-Type (\"abuse\", ...), or None."),
    B_GETTER("source_ip", B_SOURCE_IP, "ARF Source-IP, or None."),
    B_GETTER("recipients", B_RECIPIENTS, "Tuple of BounceRecipient, in the report's order."),
    B_GETTER("total_recipients", B_TOTAL, "How many recipients the report has (more than len(recipients) when cut)."),
    B_GETTER("truncated", B_TRUNCATED, "True when a limit cut the reading (recipients, depth, parts, scratch, boundaries, base64)."),
    {NULL, NULL, NULL, NULL, NULL},
};
static PyType_Slot Bounce_slots[] = {
    {Py_tp_doc, "A bounce, delay, feedback, auto-reply or delivery report read by smtpcodes.parse_bounce()."},
    {Py_tp_dealloc, Bounce_dealloc},
    {Py_tp_traverse, Bounce_traverse},
    {Py_tp_clear, Bounce_clear},
    {Py_tp_repr, Bounce_repr},
    {Py_tp_str, Bounce_str},
    {Py_tp_methods, Bounce_methods},
    {Py_tp_getset, Bounce_getset},
    {0, NULL},
};
static PyType_Spec Bounce_spec = {
    .name = "smtpcodes.Bounce",
    .basicsize = sizeof(BounceObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Bounce_slots,
};

static PyObject *span_str(smtpcodes_span s) { return view_str(s.ptr, s.len); }
static PyObject *static_str(const char *s) { return s ? PyUnicode_InternFromString(s) : Py_NewRef(Py_None); }

static PyObject *new_bounce_recipient(module_state *st, const smtpcodes_bounce_recipient *r, smtpcodes_lang lang) {
    BounceRecipientObject *o = (BounceRecipientObject *)PyType_GenericAlloc(st->BounceRecipient_Type, 0);
    if (!o) return NULL;
    PyObject **f = o->f;
    f[BR_RECIPIENT] = span_str(r->recipient);
    f[BR_ORIG] = span_str(r->original_recipient);
    f[BR_ACTION] = static_str(r->action);
    f[BR_STATUS] = span_str(r->status);
    f[BR_DIAGNOSTIC] = span_str(r->diagnostic);
    f[BR_DIAGNOSTIC_TYPE] = span_str(r->diagnostic_type);
    f[BR_REMOTE_MTA] = span_str(r->remote_mta);
    f[BR_STAGE] = static_str(r->stage);
    f[BR_LAST_ATTEMPT] = span_str(r->last_attempt);
    f[BR_RETRY_UNTIL] = span_str(r->will_retry_until);
    if (r->has_reply) {
        f[BR_REPLY] = new_reply_copy(st, &r->reply, r->diagnostic.ptr, r->diagnostic.len, 0);
    } else {
        f[BR_REPLY] = Py_NewRef(Py_None);
    }
    f[BR_CLASSIFICATION] = new_classification(st, &r->classification, lang);
    for (int i = 0; i < BR_NFIELDS; i++)
        if (!f[i]) {
            Py_DECREF(o);
            return NULL;
        }
    return (PyObject *)o;
}

static PyObject *new_bounce(module_state *st, PyObject *msg, smtpcodes_lang lang) {
    smtpcodes_bounce b;
    void *scratch = NULL;
    if (bounce_parse_py(PyBytes_AS_STRING(msg), (size_t)PyBytes_GET_SIZE(msg), &scratch, &b) < 0) {
        PyMem_Free(scratch);
        return NULL;
    }
    BounceObject *o = (BounceObject *)PyType_GenericAlloc(st->Bounce_Type, 0);
    if (!o) {
        PyMem_Free(scratch);
        return NULL;
    }
    o->msg = Py_NewRef(msg);
    o->lang = (int)lang;
    PyObject **f = o->f;
    f[B_KIND] = PyUnicode_InternFromString(smtpcodes_bounce_kind_name(b.kind));
    f[B_FORMAT] = static_str(b.format);
    f[B_REPORTING_MTA] = span_str(b.reporting_mta);
    f[B_ARRIVAL_DATE] = span_str(b.arrival_date);
    f[B_SUBJECT] = span_str(b.subject);
    f[B_FEEDBACK_TYPE] = span_str(b.feedback_type);
    f[B_SOURCE_IP] = span_str(b.source_ip);
    f[B_TOTAL] = PyLong_FromSize_t(b.total_recipients);
    f[B_TRUNCATED] = PyBool_FromLong(b.truncated != 0);
    PyObject *orig = PyDict_New();
    const smtpcodes_span *ov[5] = {&b.original.message_id, &b.original.from, &b.original.to, &b.original.subject,
                                   &b.original.date};
    static const char *const on[5] = {"message_id", "from", "to", "subject", "date"};
    for (int i = 0; orig && i < 5; i++) {
        PyObject *v = span_str(*ov[i]);
        if (!v || PyDict_SetItemString(orig, on[i], v) < 0) Py_CLEAR(orig);
        Py_XDECREF(v);
    }
    f[B_ORIGINAL] = orig;
    PyObject *recs = PyTuple_New((Py_ssize_t)b.nrecipients);
    for (size_t i = 0; recs && i < b.nrecipients; i++) {
        PyObject *r = new_bounce_recipient(st, &b.recipients[i], lang);
        if (!r) Py_CLEAR(recs);
        else PyTuple_SET_ITEM(recs, (Py_ssize_t)i, r);
    }
    f[B_RECIPIENTS] = recs;
    PyMem_Free(scratch);
    for (int i = 0; i < B_NFIELDS; i++)
        if (!f[i]) {
            Py_DECREF(o);
            return NULL;
        }
    return (PyObject *)o;
}

PyDoc_STRVAR(parse_bounce_doc,
"parse_bounce($module, message, /, *, lang='en')\n--\n\n"
"Read a whole message (bytes, str, or an email.message.Message, read with\n"
"as_bytes()): an RFC 3464 delivery status notification, an ARF feedback\n"
"report, an auto-reply or an MTA's own bounce text. Returns a Bounce (kind\n"
"'other' for a message that is not a report; never an error for content).\n"
"lang is the language of the classifications and cards.\n"
"Raises TypeError for a wrong type and ValueError for an unknown language.");

static PyObject *mod_parse_bounce(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    module_state *st = get_state(module);
    static const char *const names[] = {"message", "lang"};
    static const signature sig = {"parse_bounce", 1, 1, 1, 2, names};
    PyObject *av[2];
    int lang;
    if (parse_args(&sig, args, nargs, kwnames, av) < 0 || lang_from_obj(st, av[1], 0, &lang) < 0) return NULL;
    PyObject *x = av[0], *msg;
    if (!PyBytes_Check(x) && !PyUnicode_Check(x) && !PyByteArray_Check(x) && !PyMemoryView_Check(x) &&
        PyObject_HasAttrString(x, "as_bytes")) {
        msg = PyObject_CallMethod(x, "as_bytes", NULL);
        if (msg && !PyBytes_Check(msg)) {
            PyErr_SetString(PyExc_TypeError, "parse_bounce(): as_bytes() did not return bytes");
            Py_CLEAR(msg);
        }
    } else {
        msg = to_bytes(x, "parse_bounce", "bytes, str or email.message.Message");
    }
    if (!msg) return NULL;
    PyObject *r = new_bounce(st, msg, (smtpcodes_lang)lang);
    Py_DECREF(msg);
    return r;
}

static PyMethodDef module_methods[] = {
    {"lookup", (PyCFunction)(void (*)(void))mod_lookup, METH_FASTCALL | METH_KEYWORDS, lookup_doc},
    {"parse", (PyCFunction)(void (*)(void))mod_parse, METH_FASTCALL | METH_KEYWORDS, parse_doc},
    {"explain", (PyCFunction)(void (*)(void))mod_explain, METH_FASTCALL | METH_KEYWORDS, explain_doc},
    {"compare", (PyCFunction)(void (*)(void))mod_compare, METH_FASTCALL | METH_KEYWORDS, compare_doc},
    {"codes", (PyCFunction)(void (*)(void))mod_codes, METH_FASTCALL | METH_KEYWORDS, codes_doc},
    {"table", (PyCFunction)(void (*)(void))mod_table, METH_FASTCALL | METH_KEYWORDS, table_doc},
    {"search", (PyCFunction)(void (*)(void))mod_search, METH_FASTCALL | METH_KEYWORDS, search_doc},
    {"replies_for", mod_replies_for, METH_O, replies_for_doc},
    {"is_valid_reply", (PyCFunction)(void (*)(void))mod_is_valid_reply, METH_FASTCALL, is_valid_reply_doc},
    {"languages", mod_languages, METH_NOARGS, languages_doc},
    {"classify", (PyCFunction)(void (*)(void))mod_classify, METH_FASTCALL | METH_KEYWORDS, classify_doc},
    {"classify_many", (PyCFunction)(void (*)(void))mod_classify_many, METH_FASTCALL | METH_KEYWORDS,
     classify_many_doc},
    {"parse_log", (PyCFunction)(void (*)(void))mod_parse_log, METH_FASTCALL | METH_KEYWORDS, parse_log_doc},
    {"parse_bounce", (PyCFunction)(void (*)(void))mod_parse_bounce, METH_FASTCALL | METH_KEYWORDS, parse_bounce_doc},
    {"reasons", mod_reasons, METH_NOARGS, reasons_doc},
    {"reason_info", (PyCFunction)(void (*)(void))mod_reason_info, METH_FASTCALL | METH_KEYWORDS, reason_info_doc},
    {"lookup_tag", (PyCFunction)(void (*)(void))mod_lookup_tag, METH_FASTCALL | METH_KEYWORDS, lookup_tag_doc},
    {"tags", (PyCFunction)(void (*)(void))mod_tags, METH_FASTCALL | METH_KEYWORDS, tags_doc},
    {"providers", mod_providers, METH_NOARGS, providers_doc},
    {"_cli", mod_cli, METH_O, cli_doc},
    {"_restore", mod_restore, METH_VARARGS, restore_doc},
    {"_classify_columns", smtpcodes_py_classify_columns, METH_VARARGS,
     "_classify_columns($module, kind, a, b, threads, /)\n--\n\n"
     "The C side of smtpcodes.classify_columns (see _columns.c): text columns in, result column buffers out."},
    {"_arrow_export", smtpcodes_py_arrow_export, METH_VARARGS,
     "_arrow_export($module, n, columns, which, stream, /)\n--\n\n"
     "Arrow C data interface capsules over the column buffers of classify_columns."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------------ */
/* Module lifecycle                                                           */

static int module_traverse(PyObject *module, visitproc visit, void *arg) {
    module_state *st = get_state(module);
    if (!st) return 0;
    Py_VISIT(st->Code_Type);
    Py_VISIT(st->Reply_Type);
    Py_VISIT(st->Explanation_Type);
    Py_VISIT(st->Comparison_Type);
    Py_VISIT(st->Classification_Type);
    Py_VISIT(st->LogRecord_Type);
    Py_VISIT(st->Bounce_Type);
    Py_VISIT(st->BounceRecipient_Type);
    Py_VISIT(st->Tag_Type);
    Py_VISIT(st->ParseError);
    Py_VISIT(st->args_descr);
    Py_VISIT(st->pe_token);
    for (int i = 0; i < PE_NSTATUS; i++) Py_VISIT(st->pe_status[i]);
    Py_VISIT(st->reasons);
    for (int l = 0; l < SMTPCODES_NLANG; l++) {
        Py_VISIT(st->enhanced[l]);
        Py_VISIT(st->by_text[l]);
        for (int i = 0; i < NBASIC; i++) Py_VISIT(st->basic[l][i]);
        if (st->entries[l])
            for (size_t i = 0; i < smtpcodes_count(); i++) Py_VISIT(st->entries[l][i]);
    }
    return 0;
}

static int module_clear(PyObject *module) {
    module_state *st = get_state(module);
    if (!st) return 0;
    for (int l = 0; l < SMTPCODES_NLANG; l++) {
        Py_CLEAR(st->enhanced[l]);
        Py_CLEAR(st->by_text[l]);
        for (int i = 0; i < NBASIC; i++) Py_CLEAR(st->basic[l][i]);
        if (st->entries[l])
            for (size_t i = 0; i < smtpcodes_count(); i++) Py_CLEAR(st->entries[l][i]);
    }
    Py_CLEAR(st->Code_Type);
    Py_CLEAR(st->Reply_Type);
    Py_CLEAR(st->Explanation_Type);
    Py_CLEAR(st->Comparison_Type);
    Py_CLEAR(st->Classification_Type);
    Py_CLEAR(st->LogRecord_Type);
    Py_CLEAR(st->Bounce_Type);
    Py_CLEAR(st->BounceRecipient_Type);
    Py_CLEAR(st->Tag_Type);
    Py_CLEAR(st->ParseError);
    Py_CLEAR(st->args_descr);
    Py_CLEAR(st->pe_token);
    for (int i = 0; i < PE_NSTATUS; i++) Py_CLEAR(st->pe_status[i]);
    Py_CLEAR(st->reasons);
    for (size_t i = 0; i < N_PERMANENCE; i++) Py_CLEAR(st->permanence[i]);
    for (size_t i = 0; i < N_EVIDENCE; i++) Py_CLEAR(st->evidence_kind[i]);
    for (size_t i = 0; i < SMTPCODES_NFLAGS; i++) Py_CLEAR(st->flag[i]);
    for (size_t i = 0; i < SMTPCODES_NLANG; i++) Py_CLEAR(st->lang[i]);
    return 0;
}

static void module_free(void *module) {
    module_state *st = get_state((PyObject *)module);
    if (!st) return;
    module_clear((PyObject *)module);
    for (int l = 0; l < SMTPCODES_NLANG; l++) {
        PyMem_Free(st->entries[l]);
        st->entries[l] = NULL;
    }
}

static PyTypeObject *add_type(PyObject *module, PyType_Spec *spec) {
    PyTypeObject *tp = (PyTypeObject *)PyType_FromModuleAndSpec(module, spec, NULL);
    if (tp && PyModule_AddType(module, tp) < 0) Py_CLEAR(tp);
    return tp;
}

/* An interned str of a static name of the core ("?" if NULL). */
static PyObject *interned(const char *name) {
    return PyUnicode_InternFromString(name ? name : "?");
}

static int init_vocabulary(module_state *st) {
    size_t nr = smtpcodes_reason_count();
    if (!(st->reasons = PyTuple_New((Py_ssize_t)nr))) return -1;
    for (size_t i = 0; i < nr; i++) {
        PyObject *s = interned(smtpcodes_reason_name((int)i));
        if (!s) return -1;
        PyTuple_SET_ITEM(st->reasons, (Py_ssize_t)i, s);
    }
    for (int p = 0; p <= SMTPCODES_PERM_PERMANENT; p++)
        if (!(st->permanence[p] = interned(smtpcodes_permanence_name((smtpcodes_permanence)p)))) return -1;
    for (int e = 0; e < N_EVIDENCE; e++)
        if (!(st->evidence_kind[e] = interned(smtpcodes_evidence_name((smtpcodes_evidence)e)))) return -1;
    for (size_t i = 0; i < SMTPCODES_NFLAGS; i++)
        if (!(st->flag[i] = interned(smtpcodes_flag_name(i)))) return -1;
    for (int l = 0; l < SMTPCODES_NLANG; l++)
        if (!(st->lang[l] = interned(smtpcodes_lang_tag((smtpcodes_lang)l)))) return -1;
    return 0;
}

static int module_exec(PyObject *module) {
    module_state *st = get_state(module);
    if (!(st->Code_Type = add_type(module, &Code_spec)) || !(st->Reply_Type = add_type(module, &Reply_spec)) ||
        !(st->Explanation_Type = add_type(module, &Explanation_spec)) ||
        !(st->Comparison_Type = add_type(module, &Comparison_spec)) ||
        !(st->Classification_Type = add_type(module, &Classification_spec)) ||
        !(st->Tag_Type = add_type(module, &Tag_spec)))
        return -1;
    if (!(st->LogRecord_Type = add_type(module, &LogRecord_spec))) return -1;
    if (!(st->Bounce_Type = add_type(module, &Bounce_spec)) ||
        !(st->BounceRecipient_Type = add_type(module, &BounceRecipient_spec)))
        return -1;
    if (init_vocabulary(st) < 0) return -1;
    if (init_parse_error(module, st) < 0) return -1;
    for (int l = 0; l < SMTPCODES_NLANG; l++) {
        if (!(st->enhanced[l] = PyDict_New()) || !(st->by_text[l] = PyDict_New())) return -1;
        if (!(st->entries[l] = PyMem_Calloc(smtpcodes_count() ? smtpcodes_count() : 1, sizeof(PyObject *)))) {
            PyErr_NoMemory();
            return -1;
        }
    }
    /* Fill the basic cache of the default language up front, so that the
     * fast path of lookup(int) never misses for a known code. */
    for (size_t i = 0; i < smtpcodes_count(); i++) {
        const smtpcodes_entry *e = smtpcodes_at(i);
        if (e->kind != SMTPCODES_BASIC) continue;
        PyObject *v = code_from_entry(st, e, SMTPCODES_EN);
        if (!v) return -1;
        Py_DECREF(v);
    }
    if (PyModule_AddStringConstant(module, "__version__", smtpcodes_version()) < 0 ||
        PyModule_AddStringConstant(module, "DATA_VERSION", smtpcodes_data_version()) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    /* No Py_mod_gil: the lazily filled caches rely on the GIL. */
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "smtpcodes._smtpcodes",
    .m_doc = "C core of smtpcodes: SMTP reply codes and enhanced status codes explained.\n"
             "Use the smtpcodes package; this module is its implementation.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__smtpcodes(void); /* the only exported symbol */
PyMODINIT_FUNC PyInit__smtpcodes(void) { return PyModuleDef_Init(&module_def); }
