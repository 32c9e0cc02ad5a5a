/* lsmtpcodes.c - Lua binding of the smtpcodes core (csrc/smtpcodes.h).
 *
 * Lua 5.4 is the target; Lua 5.3, 5.1 and LuaJIT 2.1 are supported through the
 * small compatibility shims below.
 *
 * Roughly corresponds to:
 *
 *   local smtpcodes = require "smtpcodes"
 *   smtpcodes.lookup(code [, lang])        --> Code | nil, msg, errname
 *   smtpcodes.parse(reply [, opts])        --> {code=, enhanced=, lines=, text=, multiline=, flags=,
 *                                               permanence=, reply_code=, status_code=} | nil, msg, errname
 *   smtpcodes.explain(x [, lang])          --> {text=, markdown=, html=} | nil, msg, errname
 *                                               (x a code, a reply, a parse() or parse_bounce() result)
 *   smtpcodes.compare(a, b [, lang])       --> {a=, b=, differences=, similarities=, summary=,
 *                                               key_differences=, when_to_use=, text=, markdown=, html=}
 *   for i, code in smtpcodes.codes([kind [, lang]]) do ... end
 *   smtpcodes.search(words [, lang])       --> {Code...} (best first)
 *   smtpcodes.replies_for(command)         --> {Code...}
 *   smtpcodes.is_valid_reply(command, code) --> boolean
 *   smtpcodes.languages()                  --> {"en", "es"}
 *   smtpcodes.classify(reply [, lang])     --> {reason=, permanence=, hard_bounce=, retry=, advice=,
 *                                               evidence=, evidence_kind=, phrase=, vendor= (alias of
 *                                               provider=), provider=, mta=, stage=, tag=, code=,
 *                                               enhanced=, flags=, title=, lang=} | nil, msg, errname
 *                                               (a lazy table: every field, and text=, markdown=,
 *                                               html=, is made on first access and then kept)
 *   smtpcodes.classify_many(list [, lang [, threads]]) --> {classification | {error = msg}, ...}
 *                                               (one per input, in order; threads: POSIX threads per chunk)
 *   smtpcodes.reasons()                    --> {"authfailure", ...}
 *   smtpcodes.reason(name [, lang])        --> {name=, title=, description=, action=, hard=} | nil, msg, errname
 *   smtpcodes.lookup_tag(tag [, provider [, lang]]) --> {tag=, provider=, title=, description=, when=, fix=,
 *                                               reason=, codes=, references=, lang=} | nil, msg, errname
 *                                               (text=, markdown=, html= rendered on first access)
 *   smtpcodes.tags([provider [, lang]])    --> {tag...};  smtpcodes.providers() --> {"AOL", ...}
 *   smtpcodes._VERSION, smtpcodes.DATA_VERSION
 *
 * Every rendering (text, Markdown, HTML) comes from the core: Codes serve
 * text/markdown/html from __index, parse() and classify() results render
 * theirs on first access (their metatables), explain() and compare() results
 * carry all three.
 *
 * Codes are full userdata (metatable "smtpcodes.Code") holding a smtpcodes_code
 * and a language; fields are served by __index. Codes are cached per (code, lang)
 * in a weak-valued table in the registry of each lua_State, so repeated lookups
 * return the same object while it is alive; lookup() answers a repeated argument
 * from a second weak-valued cache before parsing it (l_lookup_cached; on LuaJIT a
 * small Lua function the JIT can inline, lookup_chunk).
 *
 * Errors follow the io/lfs split: malformed input returns nil, a message quoting
 * the input, and a short error name ("empty", "syntax", "range", "no-code", ...);
 * wrong argument types and unknown languages raise.
 *
 * Memory: nothing here calls malloc. Rendering uses a stack buffer and, when the
 * text is longer, a second call into a GC-managed userdata of the needed size.
 * No static mutable state: the module is safe in several lua_States at once. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "../common/share.h"

#include "lua.h"
#include "lauxlib.h"

#include "smtpcodes.h"

/* ---- compatibility ------------------------------------------------------- */

#if LUA_VERSION_NUM < 502
static void compat_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
    luaL_checkstack(L, nup + 1, "too many upvalues");
    for (; l->name; l++) {
        int i;
        for (i = 0; i < nup; i++) lua_pushvalue(L, -nup);
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}
static void *compat_testudata(lua_State *L, int idx, const char *tname) {
    void *p = lua_touserdata(L, idx);
    if (p && lua_getmetatable(L, idx)) {
        luaL_getmetatable(L, tname);
        if (!lua_rawequal(L, -1, -2)) p = NULL;
        lua_pop(L, 2);
        return p;
    }
    return NULL;
}
#  define luaL_setfuncs(L, l, n) compat_setfuncs((L), (l), (n))
#  define luaL_testudata(L, i, t) compat_testudata((L), (i), (t))
#  define lua_rawlen(L, i) lua_objlen((L), (i))
#  ifndef luaL_newlib   /* LuaJIT 2.1 has it */
#    define luaL_newlibtable(L, l) lua_createtable((L), 0, (int)(sizeof(l) / sizeof((l)[0]) - 1))
#    define luaL_newlib(L, l) (luaL_newlibtable((L), (l)), luaL_setfuncs((L), (l), 0))
#  endif
#endif
#ifndef LUAMOD_API
#  define LUAMOD_API extern
#endif

#if LUA_VERSION_NUM < 504
#  define lua_newuserdatauv(L, sz, nuv) lua_newuserdata((L), (sz))
#  define luaL_pushfail(L) lua_pushnil(L)
#endif

#define CODE_MT "smtpcodes.Code"
#define REPLY_MT "smtpcodes.Reply"                 /* metatable of parse() results */
#define CLS_MT "smtpcodes.Classification"          /* metatable of classify() results */
#define CACHE_KEY "smtpcodes.cache"   /* registry: weak-valued (text/lang) -> Code */

/* ---- helpers ---------------------------------------------------------------- */

typedef struct lcode {
    smtpcodes_code c;
    smtpcodes_lang lang;
} lcode;


/* Push the input quoted for an error message: printable ASCII as is, other
 * bytes as \xNN, at most QUOTE_MAX input bytes, then "..." if cut. */
#define QUOTE_MAX 60
static void push_quoted(lua_State *L, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char out[QUOTE_MAX * 4 + 8];
    size_t n = 0, i;
    out[n++] = '\'';
    for (i = 0; i < len && i < QUOTE_MAX; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'') {
            out[n++] = (char)ch;
        } else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    out[n++] = '\'';
    if (len > QUOTE_MAX) {
        out[n++] = '.';
        out[n++] = '.';
        out[n++] = '.';
    }
    lua_pushlstring(L, out, n);
}

/* Data error: nil, "<what>: '<input>'", "<name>". Returns 3 (values pushed). */
static int push_error(lua_State *L, int st, const char *input, size_t len) {
    luaL_pushfail(L);
    lua_pushstring(L, smtpcodes_strerror(st));
    lua_pushliteral(L, ": ");
    push_quoted(L, input, len);
    lua_concat(L, 3);
    lua_pushstring(L, smtpcodes_status_name(st));
    return 3;
}

/* "bad argument #n to 'f' (<expected> expected, got <type>)", as luaL_typeerror. */
static int type_error(lua_State *L, int arg, const char *expected) {
    const char *got = luaL_typename(L, arg);
    if (luaL_getmetafield(L, arg, "__name") && lua_type(L, -1) == LUA_TSTRING) got = lua_tostring(L, -1);
    return luaL_argerror(L, arg, lua_pushfstring(L, "%s expected, got %s", expected, got));
}

/* Optional language argument: nil/none gives dflt; unknown tags raise. */
static smtpcodes_lang opt_lang(lua_State *L, int arg, smtpcodes_lang dflt) {
    size_t len;
    const char *tag;
    smtpcodes_lang lang;
    if (lua_isnoneornil(L, arg)) return dflt;
    tag = luaL_checklstring(L, arg, &len);
    if (smtpcodes_lang_from_tag(tag, len, &lang) != SMTPCODES_OK) {
        lua_pushliteral(L, "unknown language ");
        push_quoted(L, tag, len);
        lua_pushliteral(L, " (use \"en\" or \"es\")");
        lua_concat(L, 3);
        return (smtpcodes_lang)luaL_argerror(L, arg, lua_tostring(L, -1));
    }
    return lang;
}

/* Position of the code's entry in the table, -1 if unknown. */
static int entry_index(const smtpcodes_code *c) {
    return c->entry ? (int)(c->entry - smtpcodes_at(0)) : -1;
}

/* Push the Code userdata for c in lang, from the per-state cache if alive. */
static void push_code(lua_State *L, const smtpcodes_code *c, smtpcodes_lang lang) {
    lcode *u;
    lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY);             /* cache */
    if (c->entry) {
        /* known code: an integer key from its entry (a vendor entry may share the text of
         * a registered one), class digit, detail (vendor ranges) and language */
        int whole_range = c->entry->detail != c->entry->detail_last && strcmp(c->text, c->entry->code) == 0;
        lua_Integer key = ((((lua_Integer)entry_index(c) * 10 + c->digits[0]) * 1000 + c->digits[2]) * 2
                           + whole_range) * 2 + lang + 1;
        lua_pushinteger(L, key);
    } else {
        lua_pushfstring(L, "%d:%s/%s", c->kind, c->text, smtpcodes_lang_tag(lang));
    }
    lua_pushvalue(L, -1);
    lua_rawget(L, -3);                                         /* cache key hit? */
    if (!lua_isnil(L, -1)) {
        lua_replace(L, -3);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    u = (lcode *)lua_newuserdatauv(L, sizeof *u, 0);
    u->c = *c;
    u->lang = lang;
    luaL_getmetatable(L, CODE_MT);
    lua_setmetatable(L, -2);                                   /* cache key ud */
    lua_pushvalue(L, -1);
    lua_insert(L, -4);                                         /* ud cache key ud */
    lua_rawset(L, -3);                                         /* ud cache */
    lua_pop(L, 1);
}

static lcode *check_code(lua_State *L, int arg) {
    return (lcode *)luaL_checkudata(L, arg, CODE_MT);
}

/* Convert argument arg (integer, string or Code) into *out. On a data error
 * pushes nil, msg, name and returns 0; raises on a wrong type. When the
 * argument is a Code and lang_out is not NULL, stores its language there. */
static int to_code(lua_State *L, int arg, smtpcodes_code *out, smtpcodes_lang *lang_out) {
    int st;
    switch (lua_type(L, arg)) {
    case LUA_TNUMBER: {
        lua_Number n = lua_tonumber(L, arg);
        int v;
#if LUA_VERSION_NUM >= 503
        if (lua_isinteger(L, arg)) {
            lua_Integer i = lua_tointeger(L, arg);
            v = i < 0 ? -1 : i > 1000 ? 1000 : (int)i;
        } else
#endif
        if (n != n || floor(n) != n) {
            v = -1;                                 /* 550.5, nan: not a code */
        } else {
            v = n < 0 ? -1 : n > 1000 ? 1000 : (int)n;
        }
        st = smtpcodes_lookup_basic(v, out);
        if (st != SMTPCODES_OK) {
            size_t len;
            const char *s;
            lua_pushvalue(L, arg);
            s = lua_tolstring(L, -1, &len);          /* converts the copy only */
            push_error(L, st, s, len);
            lua_remove(L, -4);
            return 0;
        }
        return 1;
    }
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, arg, &len);
        st = smtpcodes_lookup(s, len, out);
        if (st != SMTPCODES_OK) {
            push_error(L, st, s, len);
            return 0;
        }
        return 1;
    }
    default: {
        lcode *u = (lcode *)luaL_testudata(L, arg, CODE_MT);
        if (!u) {
            type_error(L, arg, "number, string or " CODE_MT);   /* raises; never returns */
            return 0;
        }
        *out = u->c;
        if (lang_out) *lang_out = u->lang;
        return 1;
    }
    }
}

/* ---- rendering ------------------------------------------------------------- */

/* Every rendering goes through the core's one entry point, smtpcodes_render(). */
typedef smtpcodes_render_req render_req;

/* Push the rendered text (snprintf semantics: a second call at the needed size). */
static void push_rendered(lua_State *L, const render_req *q) {
    char stackbuf[4096];
    int n = smtpcodes_render(q, stackbuf, sizeof stackbuf);
    if (n < 0) {
        luaL_error(L, "smtpcodes: rendering failed: %s", smtpcodes_strerror(n));
        return;
    }
    if ((size_t)n < sizeof stackbuf) {
        lua_pushlstring(L, stackbuf, (size_t)n);
    } else {
        size_t cap = (size_t)n + 1;
        char *big = (char *)lua_newuserdatauv(L, cap, 0);
        int m = smtpcodes_render(q, big, cap);
        if (m < 0 || m > n) luaL_error(L, "smtpcodes: rendering failed: %s", smtpcodes_strerror(m));
        lua_pushlstring(L, big, (size_t)m);
        lua_remove(L, -2);
    }
}

/* ---- Code userdata ----------------------------------------------------------- */

static const char *const code_fields[] = {
    "code", "kind", "title", "description", "when", "fix", "references", "commands",
    "basic_codes", "related", "digits", "class_name", "category_name", "is_success",
    "is_intermediate", "is_transient", "is_permanent", "standard", "vendor", "deprecated",
    "known", "lang", "text", "markdown", "html", "alt", "permanence", NULL
};
enum {
    F_CODE, F_KIND, F_TITLE, F_DESCRIPTION, F_WHEN, F_FIX, F_REFERENCES, F_COMMANDS,
    F_BASIC_CODES, F_RELATED, F_DIGITS, F_CLASS_NAME, F_CATEGORY_NAME, F_IS_SUCCESS,
    F_IS_INTERMEDIATE, F_IS_TRANSIENT, F_IS_PERMANENT, F_STANDARD, F_VENDOR, F_DEPRECATED,
    F_KNOWN, F_LANG, F_TEXT, F_MARKDOWN, F_HTML, F_ALT, F_PERMANENCE
};

/* The format a rendered field names ("text", "markdown", "html"), or -1. */
static int format_of_key(const char *key) {
    if (strcmp(key, "text") == 0) return SMTPCODES_TEXT;
    if (strcmp(key, "markdown") == 0) return SMTPCODES_MARKDOWN;
    if (strcmp(key, "html") == 0) return SMTPCODES_HTML;
    return -1;
}

static void push_code_value(lua_State *L, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC)
        lua_pushinteger(L, c->digits[0] * 100 + c->digits[1] * 10 + c->digits[2]);
    else
        lua_pushstring(L, c->text);
}

static int code_to_table(lua_State *L);

static int code_index(lua_State *L) {
    lcode *u = check_code(L, 1);
    const smtpcodes_code *c = &u->c;
    const smtpcodes_entry *e = c->entry;
    const char *key;
    int f;
    size_t i;
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    key = lua_tostring(L, 2);
    for (f = 0; code_fields[f]; f++)
        if (strcmp(code_fields[f], key) == 0) break;
    switch (f) {
    case F_CODE: push_code_value(L, c); break;
    case F_KIND: lua_pushstring(L, c->kind == SMTPCODES_BASIC ? "basic" : "enhanced"); break;
    case F_TITLE: lua_pushstring(L, smtpcodes_text(c, SMTPCODES_TITLE, u->lang)); break;
    case F_DESCRIPTION: lua_pushstring(L, smtpcodes_text(c, SMTPCODES_DESCRIPTION, u->lang)); break;
    case F_WHEN: lua_pushstring(L, smtpcodes_text(c, SMTPCODES_WHEN, u->lang)); break;
    case F_FIX: lua_pushstring(L, smtpcodes_text(c, SMTPCODES_FIX, u->lang)); break;
    case F_REFERENCES:
        lua_createtable(L, e ? e->nrefs : 0, 0);
        for (i = 0; e && i < e->nrefs; i++) {
            lua_pushstring(L, e->refs[i]);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    case F_COMMANDS: {
        lua_newtable(L);
        if (e && c->kind == SMTPCODES_BASIC) {
            int n = 0;
            for (i = 0; i < smtpcodes_command_count() && i < sizeof e->commands * CHAR_BIT; i++) {
                if (!(e->commands & (1ul << i))) continue;
                lua_pushstring(L, smtpcodes_command_name(i));
                lua_rawseti(L, -2, ++n);
            }
        }
        break;
    }
    case F_BASIC_CODES:
        lua_createtable(L, e ? e->nbasic : 0, 0);
        for (i = 0; e && c->kind == SMTPCODES_ENHANCED && i < e->nbasic; i++) {
            lua_pushinteger(L, e->basic_codes[i]);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    case F_RELATED: {
        int n = 0;
        lua_createtable(L, e ? e->nrelated : 0, 0);
        for (i = 0; e && i < e->nrelated; i++) {
            smtpcodes_code r;
            const char *t = e->related[i];
            if (smtpcodes_lookup(t, strlen(t), &r) != SMTPCODES_OK) continue;
            push_code(L, &r, u->lang);
            lua_rawseti(L, -2, ++n);
        }
        break;
    }
    case F_DIGITS:
        lua_createtable(L, 3, 0);
        for (i = 0; i < 3; i++) {
            lua_pushinteger(L, c->digits[i]);
            lua_rawseti(L, -2, (int)i + 1);
        }
        break;
    case F_TEXT:
    case F_MARKDOWN:
    case F_HTML: {
        render_req q;
        memset(&q, 0, sizeof q);
        q.what = SMTPCODES_RENDER_CODE;
        q.obj = c;
        q.lang = u->lang;
        q.fmt = (smtpcodes_format)format_of_key(key);
        push_rendered(L, &q);
        break;
    }
    case F_CLASS_NAME: lua_pushstring(L, smtpcodes_class_name(c, u->lang)); break;
    case F_CATEGORY_NAME: lua_pushstring(L, smtpcodes_category_name(c, u->lang)); break;
    case F_IS_SUCCESS: lua_pushboolean(L, smtpcodes_permanence_of(c) == SMTPCODES_PERM_SUCCESS); break;
    case F_IS_INTERMEDIATE:
        lua_pushboolean(L, smtpcodes_permanence_of(c) == SMTPCODES_PERM_INTERMEDIATE);
        break;
    case F_IS_TRANSIENT: lua_pushboolean(L, smtpcodes_permanence_of(c) == SMTPCODES_PERM_TEMPORARY); break;
    case F_IS_PERMANENT: lua_pushboolean(L, smtpcodes_permanence_of(c) == SMTPCODES_PERM_PERMANENT); break;
    case F_STANDARD: lua_pushboolean(L, (smtpcodes_flags(c) & SMTPCODES_E_STANDARD) != 0); break;
    case F_VENDOR:
        if (e && e->vendor) lua_pushstring(L, e->vendor);
        else lua_pushnil(L);
        break;
    case F_DEPRECATED: lua_pushboolean(L, (smtpcodes_flags(c) & SMTPCODES_E_DEPRECATED) != 0); break;
    case F_KNOWN: lua_pushboolean(L, c->known); break;
    case F_LANG: lua_pushstring(L, smtpcodes_lang_tag(u->lang)); break;
    case F_PERMANENCE: lua_pushstring(L, smtpcodes_permanence_name(smtpcodes_permanence_of(c))); break;
    case F_ALT: { /* the vendor entry that reuses this registered number, as in Python */
        smtpcodes_code alt;
        if (c->alt && smtpcodes_code_of(c->alt, &alt) == SMTPCODES_OK) push_code(L, &alt, u->lang);
        else lua_pushnil(L);
        break;
    }
    default:
        if (strcmp(key, "to_table") == 0) {
            lua_pushcfunction(L, code_to_table);
            return 1;
        }
        return 0;   /* unknown field: nil */
    }
    return 1;
}

static int code_tostring(lua_State *L) {
    lcode *u = check_code(L, 1);
    lua_pushfstring(L, "%s %s", u->c.text, smtpcodes_text(&u->c, SMTPCODES_TITLE, u->lang));
    return 1;
}

/* Order: basic before enhanced, then by digits, then by text (vendor ranges),
 * then by entry (a registered meaning before a vendor's reuse of the number,
 * as in iteration). Equal means the same code with the same meaning. */
static int code_cmp(const smtpcodes_code *a, const smtpcodes_code *b) {
    int i;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    for (i = 0; i < 3; i++)
        if (a->digits[i] != b->digits[i]) return a->digits[i] < b->digits[i] ? -1 : 1;
    i = strcmp(a->text, b->text);
    if (i) return i < 0 ? -1 : 1;
    i = entry_index(a) - entry_index(b);
    return i < 0 ? -1 : i > 0;
}

static int code_eq(lua_State *L) {
    lcode *a = (lcode *)luaL_testudata(L, 1, CODE_MT), *b = (lcode *)luaL_testudata(L, 2, CODE_MT);
    lua_pushboolean(L, a && b && code_cmp(&a->c, &b->c) == 0);
    return 1;
}

static int code_lt(lua_State *L) {
    lua_pushboolean(L, code_cmp(&check_code(L, 1)->c, &check_code(L, 2)->c) < 0);
    return 1;
}

static int code_le(lua_State *L) {
    lua_pushboolean(L, code_cmp(&check_code(L, 1)->c, &check_code(L, 2)->c) <= 0);
    return 1;
}

/* ---- module functions ----------------------------------------------------------- */

static int l_lookup(lua_State *L) {
    smtpcodes_code c;
    smtpcodes_lang lang = SMTPCODES_EN;
    luaL_checkany(L, 1);
    if (!to_code(L, 1, &c, &lang)) return 3;
    lang = opt_lang(L, 2, lang);
    push_code(L, &c, lang);
    return 1;
}

static void push_reply(lua_State *L, const smtpcodes_reply *r) {
    render_req q;
    size_t i;
    int n = 0;
    lua_createtable(L, 0, 9);
    if (r->has_basic) {
        push_code_value(L, &r->reply_code);
        lua_setfield(L, -2, "code");
        push_code(L, &r->reply_code, SMTPCODES_EN);
        lua_setfield(L, -2, "reply_code");
    }
    if (r->has_enhanced) {
        lua_pushstring(L, r->status_code.text);
        lua_setfield(L, -2, "enhanced");
        push_code(L, &r->status_code, SMTPCODES_EN);
        lua_setfield(L, -2, "status_code");
    }
    lua_createtable(L, (int)r->nlines, 0);
    for (i = 0; i < r->nlines; i++) {
        lua_pushlstring(L, r->lines[i].raw, r->lines[i].raw_len);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "lines");
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_REPLY_TEXT;
    q.obj = r;
    push_rendered(L, &q);
    lua_setfield(L, -2, "text");
    lua_pushboolean(L, (r->flags & SMTPCODES_F_MULTILINE) != 0);
    lua_setfield(L, -2, "multiline");
    if (r->stage) {
        lua_pushstring(L, r->stage);
        lua_setfield(L, -2, "stage");
    }
    lua_newtable(L);
    for (i = 0; i < SMTPCODES_NFLAGS; i++) {
        if (!(r->flags & (1u << i))) continue;
        lua_pushstring(L, smtpcodes_flag_name(i));
        lua_rawseti(L, -2, ++n);
    }
    lua_setfield(L, -2, "flags");
    lua_pushstring(L, smtpcodes_permanence_name(r->permanence));
    lua_setfield(L, -2, "permanence");
    luaL_getmetatable(L, REPLY_MT);
    lua_setmetatable(L, -2);
}

/* parse() results: markdown and html, rendered on first access from the
 * reply's lines (parsed again, leniently, as explain() does) and kept. */
static int reply_index(lua_State *L) {
    luaL_Buffer b;
    smtpcodes_reply r;
    render_req q;
    size_t i, n, len;
    const char *s;
    int fmt = lua_type(L, 2) == LUA_TSTRING ? format_of_key(lua_tostring(L, 2)) : -1;
    if (fmt < 0 && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "to_table") == 0)
        return luaL_getmetafield(L, 1, "to_table") ? 1 : 0;
    if (fmt != SMTPCODES_MARKDOWN && fmt != SMTPCODES_HTML) return 0;
    lua_settop(L, 2);
    lua_getfield(L, 1, "lines");                                 /* at 3 */
    if (lua_type(L, 3) != LUA_TTABLE) return 0;
    n = lua_rawlen(L, 3);
    luaL_buffinit(L, &b);
    for (i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\n');
        lua_rawgeti(L, 3, (int)i);
        if (lua_type(L, -1) != LUA_TSTRING) return luaL_error(L, "smtpcodes: reply lines must be strings");
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);                                         /* at 4 */
    s = lua_tolstring(L, 4, &len);
    if (smtpcodes_parse(s, len, 0, &r) != SMTPCODES_OK) return 0;
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_REPLY;
    q.obj = &r;
    q.lang = SMTPCODES_EN;
    q.fmt = (smtpcodes_format)fmt;
    push_rendered(L, &q);                                        /* at 5 */
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 5);
    lua_rawset(L, 1);
    return 1;
}

static int l_parse(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    unsigned int options = 0;
    smtpcodes_reply r;
    int st;
    if (!lua_isnoneornil(L, 2)) {
        if (lua_type(L, 2) != LUA_TTABLE) return type_error(L, 2, "table or nil");
        lua_getfield(L, 2, "strict");
        if (lua_toboolean(L, -1)) options |= SMTPCODES_STRICT;
        lua_pop(L, 1);
    }
    st = smtpcodes_parse(s, len, options, &r);
    if (st != SMTPCODES_OK) return push_error(L, st, s, len);
    push_reply(L, &r);
    return 1;
}

static void push_text_markdown(lua_State *L, render_req *q) {
    lua_createtable(L, 0, 3);
    luaL_getmetatable(L, "smtpcodes.Explanation");
    lua_setmetatable(L, -2);
    q->fmt = SMTPCODES_TEXT;
    push_rendered(L, q);
    lua_setfield(L, -2, "text");
    q->fmt = SMTPCODES_MARKDOWN;
    push_rendered(L, q);
    lua_setfield(L, -2, "markdown");
    q->fmt = SMTPCODES_HTML;
    push_rendered(L, q);
    lua_setfield(L, -2, "html");
}

/* registry, one per language: parse_bounce() table made in that language -> its message (weak keys) */
static const char *const bounce_store[SMTPCODES_NLANG] = {"smtpcodes.bounces.en", "smtpcodes.bounces.es"};
static int explain_bounce_lua(lua_State *L);

static int l_explain(lua_State *L) {
    render_req q;
    smtpcodes_code c;
    smtpcodes_reply r;
    smtpcodes_lang lang = SMTPCODES_EN;
    size_t len;
    const char *s;
    int st;
    memset(&q, 0, sizeof q);
    switch (lua_type(L, 1)) {
    case LUA_TNUMBER:
        if (!to_code(L, 1, &c, NULL)) return 3;
        goto code;
    case LUA_TUSERDATA:
        if (!luaL_testudata(L, 1, CODE_MT)) return type_error(L, 1, "number, string, table or " CODE_MT);
        to_code(L, 1, &c, &lang);
        goto code;
    case LUA_TSTRING:
        s = lua_tolstring(L, 1, &len);
        if (smtpcodes_lookup(s, len, &c) == SMTPCODES_OK) goto code;
        break;
    case LUA_TTABLE: {
        /* a parse() result: parse its lines again, leniently */
        luaL_Buffer b;
        size_t i, n;
        if (explain_bounce_lua(L)) return 1;                    /* a parse_bounce() result */
        lua_settop(L, 2);
        lua_getfield(L, 1, "lines");                            /* at 3 */
        if (lua_type(L, 3) != LUA_TTABLE)
            return luaL_argerror(L, 1, "table without 'lines' (a parse() result expected)");
        n = lua_rawlen(L, 3);
        luaL_buffinit(L, &b);
        for (i = 1; i <= n; i++) {
            if (i > 1) luaL_addchar(&b, '\n');
            lua_rawgeti(L, 3, (int)i);
            if (lua_type(L, -1) != LUA_TSTRING)
                return luaL_argerror(L, 1, "'lines' must hold strings");
            luaL_addvalue(&b);
        }
        luaL_pushresult(&b);
        lua_replace(L, 1);
        lua_settop(L, 2);
        s = lua_tolstring(L, 1, &len);
        break;
    }
    default:
        return type_error(L, 1, "number, string, table or " CODE_MT);
    }
    lang = opt_lang(L, 2, lang);
    st = smtpcodes_parse(s, len, 0, &r);
    if (st != SMTPCODES_OK) return push_error(L, st, s, len);
    q.what = SMTPCODES_RENDER_REPLY;
    q.obj = &r;
    q.lang = lang;
    push_text_markdown(L, &q);
    return 1;
code:
    q.what = SMTPCODES_RENDER_CODE;
    q.obj = &c;
    q.lang = opt_lang(L, 2, lang);
    push_text_markdown(L, &q);
    return 1;
}

static int l_compare(lua_State *L) {
    static const smtpcodes_section sections[3] = {
        SMTPCODES_SECTION_SUMMARY, SMTPCODES_SECTION_KEY_DIFFERENCES, SMTPCODES_SECTION_WHEN_TO_USE
    };
    static const char *const section_names[3] = {"summary", "key_differences", "when_to_use"};
    smtpcodes_code a, b;
    smtpcodes_comparison cmp;
    smtpcodes_lang lang = SMTPCODES_EN;
    render_req q;
    int x, nd = 0, ns = 0, i;
    luaL_checkany(L, 1);
    luaL_checkany(L, 2);
    if (!to_code(L, 1, &a, &lang)) return 3;
    if (!to_code(L, 2, &b, NULL)) return 3;
    lang = opt_lang(L, 3, lang);
    if (smtpcodes_compare(&a, &b, &cmp) != SMTPCODES_OK) return luaL_error(L, "smtpcodes: compare failed");
    lua_settop(L, 3);
    lua_createtable(L, 0, 13);                                  /* result at 4 */
    push_code(L, &cmp.a, lang);
    lua_setfield(L, 4, "a");
    push_code(L, &cmp.b, lang);
    lua_setfield(L, 4, "b");
    memset(&q, 0, sizeof q);
    q.obj = &cmp;
    q.lang = lang;
    lua_newtable(L);                                            /* differences at 5 */
    lua_newtable(L);                                            /* similarities at 6 */
    for (x = 0; x < SMTPCODES_NASPECT; x++) {
        q.what = SMTPCODES_RENDER_ASPECT;
        q.aspect = (smtpcodes_aspect)x;
        if (cmp.same[x]) {
            /* similarities[i] = the aspect's name, similarities[name] = the shared value */
            lua_pushstring(L, smtpcodes_aspect_name(q.aspect, lang));
            lua_pushvalue(L, -1);
            lua_rawseti(L, 6, ++ns);
            q.which = 0;
            push_rendered(L, &q);
            lua_rawset(L, 6);
            continue;
        }
        lua_createtable(L, 3, 3);
        lua_pushstring(L, smtpcodes_aspect_name(q.aspect, lang));
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, 1);
        lua_setfield(L, -2, "aspect");
        for (i = 0; i < 2; i++) {
            q.which = i;
            push_rendered(L, &q);
            lua_pushvalue(L, -1);
            lua_rawseti(L, -3, i + 2);
            lua_setfield(L, -2, i ? "value_b" : "value_a");
        }
        lua_rawseti(L, 5, ++nd);
    }
    lua_setfield(L, 4, "similarities");
    lua_setfield(L, 4, "differences");
    lua_pushstring(L, smtpcodes_lang_tag(lang));
    lua_setfield(L, 4, "lang");
    luaL_getmetatable(L, "smtpcodes.Comparison");
    lua_setmetatable(L, 4);
    lua_pushboolean(L, cmp.identical);                          /* the same code: no differences */
    lua_setfield(L, 4, "identical");
    lua_pushboolean(L, cmp.counterparts);
    lua_setfield(L, 4, "counterparts");
    lua_pushboolean(L, cmp.related);
    lua_setfield(L, 4, "related");
    q.what = SMTPCODES_RENDER_COMPARISON;
    q.fmt = SMTPCODES_TEXT;
    for (i = 0; i < 3; i++) {
        q.section = sections[i];
        push_rendered(L, &q);
        lua_setfield(L, 4, section_names[i]);
    }
    q.section = SMTPCODES_SECTION_ALL;
    push_rendered(L, &q);
    lua_setfield(L, 4, "text");
    q.fmt = SMTPCODES_MARKDOWN;
    push_rendered(L, &q);
    lua_setfield(L, 4, "markdown");
    q.fmt = SMTPCODES_HTML;
    push_rendered(L, &q);
    lua_setfield(L, 4, "html");
    return 1;
}

/* codes([kind [, lang]]): upvalues 1 = first index, 2 = end index, 3 = lang. */
static int codes_iter(lua_State *L) {
    lua_Integer first = lua_tointeger(L, lua_upvalueindex(1));
    lua_Integer end = lua_tointeger(L, lua_upvalueindex(2));
    lua_Integer i = lua_tointeger(L, 2);                      /* control: position in the selection */
    smtpcodes_code c;
    if (i < 0 || i >= end - first || smtpcodes_code_of(smtpcodes_at((size_t)(first + i)), &c) != SMTPCODES_OK)
        return 0;
    i++;
    lua_pushinteger(L, i);
    push_code(L, &c, (smtpcodes_lang)lua_tointeger(L, lua_upvalueindex(3)));
    return 2;
}

static int l_codes(lua_State *L) {
    static const char *const kinds[] = {"all", "basic", "enhanced", NULL};
    int kind = lua_isnoneornil(L, 1) ? 0 : luaL_checkoption(L, 1, NULL, kinds);
    smtpcodes_lang lang = opt_lang(L, 2, SMTPCODES_EN);
    size_t n = smtpcodes_count(), nbasic = 0, first = 0, end = n;
    while (nbasic < n && smtpcodes_at(nbasic)->kind == SMTPCODES_BASIC) nbasic++;
    if (kind == 1) end = nbasic;
    if (kind == 2) first = nbasic;
    lua_pushinteger(L, (lua_Integer)first);
    lua_pushinteger(L, (lua_Integer)end);
    lua_pushinteger(L, (lua_Integer)lang);
    lua_pushcclosure(L, codes_iter, 3);
    lua_pushnil(L);
    lua_pushinteger(L, 0);
    return 3;
}

static int l_search(lua_State *L) {
    size_t len, i;
    const char *s = luaL_checklstring(L, 1, &len);
    /* lang left out or nil: both languages */
    int lang = lua_isnoneornil(L, 2) ? -1 : (int)opt_lang(L, 2, SMTPCODES_EN);
    /* one pass: smtpcodes_count() entries always hold every match */
    size_t cap = smtpcodes_count();
    const smtpcodes_entry **found =
        (const smtpcodes_entry **)lua_newuserdatauv(L, (cap ? cap : 1) * sizeof(const smtpcodes_entry *), 0);
    int n = smtpcodes_search(s, len, lang, found, cap);
    if (n < 0) return push_error(L, n, s, len);
    if ((size_t)n > cap) n = (int)cap;
    lua_createtable(L, n, 0);
    for (i = 0; i < (size_t)n; i++) {
        smtpcodes_code c;
        if (smtpcodes_code_of(found[i], &c) != SMTPCODES_OK) continue;
        push_code(L, &c, lang < 0 ? SMTPCODES_EN : (smtpcodes_lang)lang);
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

static int l_replies_for(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int small[128], *codes = small, i;
    int n = smtpcodes_replies_for(s, len, small, 128);
    if (n < 0) return push_error(L, n, s, len);
    if (n > 128) {
        codes = (int *)lua_newuserdatauv(L, (size_t)n * sizeof *codes, 0);
        n = smtpcodes_replies_for(s, len, codes, (size_t)n);
        if (n < 0) return push_error(L, n, s, len);
    }
    lua_createtable(L, n, 0);
    for (i = 0; i < n; i++) {
        smtpcodes_code c;
        if (smtpcodes_lookup_basic(codes[i], &c) != SMTPCODES_OK) continue;
        push_code(L, &c, SMTPCODES_EN);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int l_is_valid_reply(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    smtpcodes_code c;
    int r;
    luaL_checkany(L, 2);
    if (!to_code(L, 2, &c, NULL)) return 3;
    r = smtpcodes_is_valid_reply(s, len, &c);
    if (r < 0) return push_error(L, r, s, len);
    lua_pushboolean(L, r);
    return 1;
}

/* ---- classify ------------------------------------------------------------------ */

static void push_flags(lua_State *L, unsigned int flags) {
    size_t i;
    int n = 0;
    lua_newtable(L);
    for (i = 0; i < SMTPCODES_NFLAGS; i++) {
        if (!(flags & (1u << i))) continue;
        lua_pushstring(L, smtpcodes_flag_name(i));
        lua_rawseti(L, -2, ++n);
    }
}

/* A classification is a table with metatable CLS_MT holding only the core's struct (a
 * userdata under a private light-userdata key, CLS_KEY): every field is made on first
 * access (cls_index) and then stored in the table, so later reads are plain table reads.
 * classify() then costs little more than the core's classify; pairs() shows the fields
 * read so far and the private key (to_table() gives every field as a plain table). */
typedef struct lcls {
    smtpcodes_classification c;   /* holds no pointer into the input */
    smtpcodes_lang lang;
} lcls;

#define LCLS_MT "smtpcodes.ClassificationCore"   /* metatable of the private struct userdata */
static const char cls_key = 0;   /* its address is the private key (constant: no mutable state) */

/* Push a classification: a table with metatable CLS_MT (at index mt) holding the struct in a
 * userdata with metatable LCLS_MT (at index umt). mt and umt may be upvalue indices: classify and
 * classify_many hold both metatables as upvalues, so no registry lookup is made per result. */
static void push_cls_with(lua_State *L, const smtpcodes_classification *c, smtpcodes_lang lang, int mt, int umt) {
    lcls *u;
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, mt);
    lua_setmetatable(L, -2);
#if LUA_VERSION_NUM < 502
    lua_pushlightuserdata(L, (void *)&cls_key);
#endif
    u = (lcls *)lua_newuserdatauv(L, sizeof *u, 0);
    u->c = *c;
    u->lang = lang;
    lua_pushvalue(L, umt);   /* __eq, so that deep comparisons (busted's same) work */
    lua_setmetatable(L, -2);
#if LUA_VERSION_NUM < 502
    lua_rawset(L, -3);
#else
    lua_rawsetp(L, -2, &cls_key);
#endif
}

/* The same with the metatables from the registry (parse_log, parse_bounce). */
static void push_classification(lua_State *L, const smtpcodes_classification *c, smtpcodes_lang lang) {
    int top = lua_gettop(L);
    luaL_getmetatable(L, CLS_MT);
    luaL_getmetatable(L, LCLS_MT);
    push_cls_with(L, c, lang, top + 1, top + 2);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
}

/* The struct of the classification at idx (a table), or NULL. */
static const lcls *cls_of(lua_State *L, int idx) {
    const lcls *u = NULL;
    if (lua_type(L, idx) != LUA_TTABLE) return NULL;
    lua_pushlightuserdata(L, (void *)&cls_key);
    lua_rawget(L, idx < 0 ? idx - 1 : idx);
    if (lua_type(L, -1) == LUA_TUSERDATA && lua_rawlen(L, -1) == sizeof(lcls)) u = (const lcls *)lua_touserdata(L, -1);
    lua_pop(L, 1);   /* the table still holds the userdata */
    return u;
}

enum {
    C_REASON, C_PERMANENCE, C_HARD, C_RETRY, C_ADVICE, C_EVIDENCE, C_EVIDENCE_KIND, C_PHRASE, C_VENDOR,
    C_CODE, C_ENHANCED, C_FLAGS, C_LANG, C_TITLE, C_PROVIDER, C_MTA, C_STAGE, C_TAG,
    C_TEXT, C_MARKDOWN, C_HTML, C_TO_TABLE
};
static const char *const cls_fields[] = {
    "reason", "permanence", "hard_bounce", "retry", "advice", "evidence", "evidence_kind", "phrase", "vendor",
    "code", "enhanced", "flags", "lang", "title", "provider", "mta", "stage", "tag",
    "text", "markdown", "html", "to_table", NULL
};
/* to_table() keys: Python's to_dict() keys (error: nil for a classification) */
static const char *const cls_table_fields[] = {
    "reason", "permanence", "hard_bounce", "retry", "advice", "evidence", "evidence_kind", "phrase", "vendor",
    "code", "enhanced", "flags", "lang", "title", "provider", "mta", "stage", "tag", NULL
};

static int push_static_or_nil(lua_State *L, const char *s) {
    if (!s) return 0;
    lua_pushstring(L, s);
    return 1;
}

/* The fields of a classification, made on first access and kept in the table. */
static int cls_index(lua_State *L) {
    const lcls *u;
    const smtpcodes_classification *c;
    render_req q;
    int f;
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    if (!key) return 0;
    for (f = 0; cls_fields[f]; f++)
        if (cls_fields[f][0] == key[0] && strcmp(cls_fields[f], key) == 0) break;
    if (!cls_fields[f]) return 0;
    lua_settop(L, 2);
    if (f == C_TO_TABLE) {                              /* the method, from the metatable */
        if (!lua_getmetatable(L, 1)) return 0;
        lua_getfield(L, -1, "to_table");
        return 1;
    }
    u = cls_of(L, 1);
    if (!u) return 0;
    c = &u->c;
    memset(&q, 0, sizeof q);
    q.obj = c;
    q.lang = u->lang;
    switch (f) {
    case C_REASON: {
        const char *r = smtpcodes_reason_name(c->reason);
        lua_pushstring(L, r ? r : "undefined");
        break;
    }
    case C_PERMANENCE: {
        const char *p = smtpcodes_permanence_name(c->permanence);
        lua_pushstring(L, p ? p : "unknown");
        break;
    }
    case C_HARD: lua_pushboolean(L, c->hard_bounce); break;
    case C_RETRY: lua_pushboolean(L, c->retry); break;
    case C_ADVICE: q.what = SMTPCODES_RENDER_RETRY; push_rendered(L, &q); break;
    case C_EVIDENCE: q.what = SMTPCODES_RENDER_EVIDENCE; push_rendered(L, &q); break;
    case C_EVIDENCE_KIND: {
        const char *e = smtpcodes_evidence_name(c->evidence);
        lua_pushstring(L, e ? e : "none");
        break;
    }
    case C_PHRASE: if (!push_static_or_nil(L, c->phrase)) return 0; break;
    case C_VENDOR: if (!push_static_or_nil(L, c->vendor)) return 0; break;   /* alias of provider */
    case C_PROVIDER: if (!push_static_or_nil(L, c->provider)) return 0; break;
    case C_MTA: if (!push_static_or_nil(L, c->mta)) return 0; break;
    case C_STAGE: if (!push_static_or_nil(L, c->stage)) return 0; break;
    case C_TAG: if (!push_static_or_nil(L, c->tag)) return 0; break;
    case C_CODE:
        if (!c->has_basic) return 0;
        push_code_value(L, &c->code);
        break;
    case C_ENHANCED:
        if (!c->has_enhanced) return 0;
        lua_pushstring(L, c->enhanced.text);
        break;
    case C_FLAGS: push_flags(L, c->flags); break;
    case C_TITLE:
        if (!push_static_or_nil(L, smtpcodes_reason_text(c->reason, SMTPCODES_REASON_TITLE, u->lang))) return 0;
        break;
    case C_LANG: lua_pushstring(L, smtpcodes_lang_tag(u->lang)); break;
    default:
        q.what = SMTPCODES_RENDER_CLASSIFICATION;
        q.fmt = (smtpcodes_format)format_of_key(key);
        push_rendered(L, &q);
        break;
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

static int cls_same(const smtpcodes_classification *a, const smtpcodes_classification *b) {
    return a->reason == b->reason && a->permanence == b->permanence && a->hard_bounce == b->hard_bounce &&
           a->retry == b->retry && a->has_basic == b->has_basic && a->has_enhanced == b->has_enhanced &&
           (!a->has_basic || code_cmp(&a->code, &b->code) == 0) &&
           (!a->has_enhanced || code_cmp(&a->enhanced, &b->enhanced) == 0) && a->vendor == b->vendor &&
           a->evidence == b->evidence && a->phrase == b->phrase && a->rule_vendor == b->rule_vendor &&
           a->code_reason == b->code_reason && a->overridden == b->overridden && a->flags == b->flags &&
           a->provider == b->provider && a->mta == b->mta && a->stage == b->stage && a->tag == b->tag;
}

static int lcls_eq(lua_State *L) {
    const lcls *a = (const lcls *)luaL_testudata(L, 1, LCLS_MT), *b = (const lcls *)luaL_testudata(L, 2, LCLS_MT);
    lua_pushboolean(L, a && b && a->lang == b->lang && cls_same(&a->c, &b->c));
    return 1;
}

/* __eq: the same core struct in the same language (classify_many vs classify). */
static int cls_eq(lua_State *L) {
    const lcls *a = cls_of(L, 1), *b = cls_of(L, 2);
    lua_pushboolean(L, a && b && a->lang == b->lang && cls_same(&a->c, &b->c));
    return 1;
}

/* classify(reply [, lang]); upvalues 1 = CLS_MT, 2 = LCLS_MT (luaopen_smtpcodes). */
static int l_classify(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    smtpcodes_lang lang = lua_gettop(L) < 2 ? SMTPCODES_EN : opt_lang(L, 2, SMTPCODES_EN);
    smtpcodes_classification c;
    int st = smtpcodes_classify(s, len, &c);
    if (st != SMTPCODES_OK) return push_error(L, st, s, len);
    push_cls_with(L, &c, lang, lua_upvalueindex(1), lua_upvalueindex(2));
    return 1;
}

/* The key at idx as a list index: a positive integer (below 2^63) as a double, else 0. */
static double list_index(lua_State *L, int idx) {
    double k;
#if LUA_VERSION_NUM >= 503
    /* a float key never has an integer value here: Lua stores those as integers */
    if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        return i >= 1 ? (double)i : 0;
    }
#endif
    if (lua_type(L, idx) != LUA_TNUMBER) return 0;
    k = lua_tonumber(L, idx);
    return k >= 1 && k < 9223372036854775808.0 && k == floor(k) ? k : 0;
}

#define ERR_MT "smtpcodes.Error"

/* classify_many(list [, lang [, threads]]): one entry per element, in order; a bad line gives
 * {error = msg} (its metatable gives it to_table(), as every result has). How many elements
 * list holds is the same on every Lua version: list.n when it is a number (table.pack), else
 * the largest positive integer key (not the # border, which is unspecified for a table with
 * holes: {"a", nil, "b"} gives 1 on LuaJIT and 5.1, 3 on 5.4). A nil or non-string element
 * below that count raises a bad argument error naming its index, and nothing is returned.
 *
 * One pass of lua_next finds the count and any bad element; then the strings go to the core
 * in chunks of MANY_CHUNK (MANY_CHUNK_ONE on one thread). A chunk's strings are pinned in
 * fixed stack slots (two regions, one per chunk in flight), so whatever runs during the pushes
 * (a finalizer that empties the list) cannot free the bytes a thread reads; an element that
 * is no longer a string when its chunk is gathered raises an error. The first chunk is
 * classified on up to `threads` POSIX threads (bindings/common/share.h, at least MANY_MIN_SHARE lines each; nil: 1
 * thread); after that, while this thread makes the Lua results of chunk k, `threads`
 * workers classify chunk k + 1 (with threads - 1 the classification, the larger part, would
 * run on fewer cores than asked: measured no faster than one thread). The results are made under lua_pcall (many_push), so a memory
 * error there waits for the workers before it is raised again: no thread outlives the call.
 * Upvalues 1 = CLS_MT, 2 = LCLS_MT. */
#define MANY_CHUNK 2048     /* two regions of pinned strings stay under Lua 5.1's 8,000 C slots */
#define MANY_CHUNK_ONE 64   /* on one thread: 64 results (14 KB) stay in L1 between classify and push */
#define MANY_MIN_SHARE 256  /* fewer lines per thread: fewer threads (a thread costs ~20 us to start) */
#define MANY_PIN 6          /* first pinned slot: 1 list, 2 lang, 3 threads, 4 result, 5 scratch */

typedef struct many_buf {
    smtpcodes_classification *out;
    sc_text *text;
    int *status;
} many_buf;

typedef struct many_push_args {
    const many_buf *b;
    int lo, m;            /* list indices lo .. lo + m - 1 */
    smtpcodes_lang lang;
} many_push_args;

/* lua_pcall'd: the results of one classified chunk into the result table.
 * 1 = args (light userdata), 2 = result, 3 = CLS_MT, 4 = LCLS_MT. */
static int many_push(lua_State *L) {
    const many_push_args *a = (const many_push_args *)lua_touserdata(L, 1);
    const many_buf *b = a->b;
    for (int i = 0; i < a->m; i++) {
        if (b->status[i] == SMTPCODES_OK) {
            push_cls_with(L, &b->out[i], a->lang, 3, 4);
        } else {
            lua_createtable(L, 0, 1);
            push_error(L, b->status[i], b->text[i].s, b->text[i].n);   /* t nil msg name (pinned text) */
            lua_pop(L, 1);
            lua_setfield(L, -3, "error");
            lua_pop(L, 1);
            luaL_getmetatable(L, ERR_MT);
            lua_setmetatable(L, -2);
        }
        lua_rawseti(L, 2, a->lo + i);
    }
    return 0;
}

/* The strings of list[lo .. lo + m - 1] into b->text, each pinned in slot pin + i. They were
 * all strings when counted; one that is not any more was changed during the call (by a
 * finalizer run by an allocation): an error, raised when no worker thread runs. */
static void many_gather(lua_State *L, const many_buf *b, int lo, int m, int pin) {
    for (int i = 0; i < m; i++) {
        lua_rawgeti(L, 1, lo + i);
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "classify_many: the list changed during the call (index %d is now %s)", lo + i,
                       luaL_typename(L, -1));
        b->text[i].s = lua_tolstring(L, -1, &b->text[i].n);
        b->text[i].null = 0;
        lua_replace(L, pin + i);
    }
}

static int l_classify_many(lua_State *L) {
    smtpcodes_lang lang;
    double limit = 0, max = 0, bad = 0, count = 0, n;
    int has_n = 0, threads = 1, total, cap, chunks, chunk;
    many_buf buf[2];
    luaL_checktype(L, 1, LUA_TTABLE);
    lang = opt_lang(L, 2, SMTPCODES_EN);
    if (!lua_isnoneornil(L, 3)) {
        double t;
        if (lua_type(L, 3) != LUA_TNUMBER) return type_error(L, 3, "number");
        t = lua_tonumber(L, 3);
        if (!(t >= 1) || t != floor(t)) return luaL_argerror(L, 3, "threads must be an integer >= 1");
        threads = t > SC_SHARE_MAX_THREADS ? SC_SHARE_MAX_THREADS : (int)t;
    }
    lua_settop(L, 3);
    lua_getfield(L, 1, "n");
    if (lua_type(L, -1) == LUA_TNUMBER) {
        double v = lua_tonumber(L, -1);
        has_n = 1;
        limit = v >= 1 && v < (double)INT_MAX ? floor(v) : 0;
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {                                   /* key at 4, value at 5 */
        double k = list_index(L, 4);
        if (k != 0 && (!has_n || k <= limit)) {
            if (k > max) max = k;
            if (lua_type(L, 5) != LUA_TSTRING) {
                if (bad == 0 || k < bad) bad = k;
            } else {
                count++;
            }
        }
        lua_settop(L, 4);
    }
    n = has_n ? limit : max;
    if (n > (double)INT_MAX - 1) return luaL_argerror(L, 1, "list too long");
    if (bad != 0 || count < n) {                   /* a hole or a non-string: the first one */
        for (int i = 1; i <= (int)n; i++) {
            lua_rawgeti(L, 1, i);
            if (lua_type(L, -1) != LUA_TSTRING) {
                const char *got = luaL_typename(L, -1);
                return luaL_argerror(L, 1, lua_pushfstring(L, "string expected at index %d, got %s", i, got));
            }
            lua_pop(L, 1);
        }
    }
    total = (int)n;
    /* one thread: small chunks, whose results stay in cache between the core and the pushes */
    chunk = threads > 1 ? MANY_CHUNK : MANY_CHUNK_ONE;
    lua_settop(L, 3);
    lua_createtable(L, total, 0);                                   /* result at 4 */
    if (total == 0) return 1;
    /* scratch at 5 (collected after the call): results, texts and statuses of two chunks */
    cap = total < chunk ? total : chunk;
    chunks = (total + chunk - 1) / chunk;
    {
        size_t one = (size_t)cap * (sizeof(smtpcodes_classification) + sizeof(sc_text) + sizeof(int));
        char *mem = (char *)lua_newuserdatauv(L, (chunks > 1 ? 2 : 1) * one, 0);
        for (int k = 0; k < (chunks > 1 ? 2 : 1); k++) {
            buf[k].out = (smtpcodes_classification *)(void *)(mem + (size_t)k * one);
            buf[k].text = (sc_text *)(void *)(buf[k].out + cap);
            buf[k].status = (int *)(void *)(buf[k].text + cap);
        }
    }
    luaL_checkstack(L, (chunks > 1 ? 2 : 1) * cap + 8, "too many lines for classify_many");
    lua_settop(L, MANY_PIN - 1 + (chunks > 1 ? 2 : 1) * cap);      /* the pinned slots, nil */
    many_gather(L, &buf[0], 1, cap, MANY_PIN);
    sc_classify_shared(buf[0].text, (size_t)cap, buf[0].out, buf[0].status, threads, MANY_MIN_SHARE);
    for (int k = 0; k < chunks; k++) {
        int lo = 1 + k * chunk, m = total - lo + 1 < chunk ? total - lo + 1 : chunk;
        int next_lo = lo + chunk, next_m = total - next_lo + 1 < chunk ? total - next_lo + 1 : chunk;
        const many_buf *cur = &buf[k & 1], *nxt = &buf[(k + 1) & 1];
        many_push_args args = {cur, lo, m, lang};
        sc_share_async async;
        int async_on = 0, rc;
        if (k + 1 < chunks) many_gather(L, nxt, next_lo, next_m, MANY_PIN + ((k + 1) & 1) * cap);
        lua_pushcfunction(L, many_push);
        lua_pushlightuserdata(L, &args);
        lua_pushvalue(L, 4);
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_pushvalue(L, lua_upvalueindex(2));
        if (k + 1 < chunks && threads > 1) {                       /* chunk k + 1 meanwhile */
            sc_share_start(&async, nxt->text, (size_t)next_m, nxt->out, nxt->status, threads, MANY_MIN_SHARE);
            async_on = 1;
        }
        rc = lua_pcall(L, 4, 0, 0);
        if (async_on) sc_share_join(&async);
        if (rc != 0) return lua_error(L);                           /* the workers are done: raise again */
        if (k + 1 < chunks && !async_on)
            sc_classify_shared(nxt->text, (size_t)next_m, nxt->out, nxt->status, 1, MANY_MIN_SHARE);
    }
    lua_settop(L, 4);
    return 1;
}

static int l_reasons(lua_State *L) {
    size_t i, n = smtpcodes_reason_count();
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, smtpcodes_reason_name((int)i));
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

static int l_reason(lua_State *L) {
    static const char *const fields[3] = {"title", "description", "action"};
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    smtpcodes_lang lang = opt_lang(L, 2, SMTPCODES_EN);
    int r = smtpcodes_reason_index(s, len), f;
    if (r < 0 || !smtpcodes_reason_name(r)) {
        luaL_pushfail(L);
        lua_pushliteral(L, "unknown reason: ");
        push_quoted(L, s, len);
        lua_concat(L, 2);
        lua_pushliteral(L, "unknown");
        return 3;
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, smtpcodes_reason_name(r));
    lua_setfield(L, -2, "name");
    for (f = 0; f < 3; f++) {
        const char *t = smtpcodes_reason_text(r, (smtpcodes_reason_field)f, lang);
        lua_pushstring(L, t ? t : "");
        lua_setfield(L, -2, fields[f]);
    }
    lua_pushboolean(L, smtpcodes_reason_is_hard(r) == 1);
    lua_setfield(L, -2, "hard");
    return 1;
}

static int l_languages(lua_State *L) {
    int i;
    lua_createtable(L, SMTPCODES_NLANG, 0);
    for (i = 0; i < SMTPCODES_NLANG; i++) {
        lua_pushstring(L, smtpcodes_lang_tag((smtpcodes_lang)i));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* ---- provider tags ------------------------------------------------------------ */

#define TAG_MT "smtpcodes.Tag"                     /* metatable of tag tables */
#define TAG_STORE "smtpcodes.tags"                 /* registry: tag table -> index * 2 + lang (weak keys) */

static void push_tag_strings(lua_State *L, const char *const *v, size_t n, int as_number) {
    size_t i;
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        const char *s = v[i];
        if (as_number && strlen(s) == 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
            s[2] >= '0' && s[2] <= '9')
            lua_pushinteger(L, (lua_Integer)(s[0] - '0') * 100 + (lua_Integer)(s[1] - '0') * 10 + (s[2] - '0'));
        else
            lua_pushstring(L, s);
        lua_rawseti(L, -2, (int)i + 1);
    }
}

/* A tag as a table: tag, provider, title, description, when, fix, reason,
 * codes (numbers for basic codes, strings for enhanced), references, lang;
 * text, markdown and html rendered on first access (TAG_MT). */
static void push_tag(lua_State *L, const smtpcodes_tag *t, smtpcodes_lang lang) {
    static const char *const fields[SMTPCODES_NFIELD] = {"title", "description", "when", "fix"};
    int f;
    const char *reason = smtpcodes_reason_name(t->reason);
    lua_createtable(L, 0, 13);
    lua_pushstring(L, t->tag);
    lua_setfield(L, -2, "tag");
    lua_pushstring(L, t->provider);
    lua_setfield(L, -2, "provider");
    for (f = 0; f < SMTPCODES_NFIELD; f++) {
        lua_pushstring(L, t->text[f][lang]);
        lua_setfield(L, -2, fields[f]);
    }
    lua_pushstring(L, reason ? reason : "undefined");
    lua_setfield(L, -2, "reason");
    push_tag_strings(L, t->codes, t->ncodes, 1);
    lua_setfield(L, -2, "codes");
    push_tag_strings(L, t->refs, t->nrefs, 0);
    lua_setfield(L, -2, "references");
    lua_pushstring(L, smtpcodes_lang_tag(lang));
    lua_setfield(L, -2, "lang");
    luaL_getmetatable(L, TAG_MT);
    lua_setmetatable(L, -2);
    lua_getfield(L, LUA_REGISTRYINDEX, TAG_STORE);
    lua_pushvalue(L, -2);
    lua_pushinteger(L, (lua_Integer)(t - smtpcodes_tag_at(0)) * 2 + lang);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int tag_index(lua_State *L) {
    render_req q;
    lua_Integer k;
    int fmt = lua_type(L, 2) == LUA_TSTRING ? format_of_key(lua_tostring(L, 2)) : -1;
    if (fmt < 0 && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "to_table") == 0)
        return luaL_getmetafield(L, 1, "to_table") ? 1 : 0;
    if (fmt < 0) return 0;
    lua_settop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, TAG_STORE);
    lua_pushvalue(L, 1);
    lua_rawget(L, 3);
    if (lua_type(L, 4) != LUA_TNUMBER) return 0;
    k = lua_tointeger(L, 4);
    if (k < 0 || !smtpcodes_tag_at((size_t)(k / 2))) return 0;
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_TAG;
    q.obj = smtpcodes_tag_at((size_t)(k / 2));
    q.lang = (smtpcodes_lang)(k % 2);
    q.fmt = (smtpcodes_format)fmt;
    push_rendered(L, &q);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
}

/* nil, "unknown provider: 'x'", "unknown" */
static int push_unknown(lua_State *L, const char *what, const char *s, size_t len) {
    luaL_pushfail(L);
    lua_pushstring(L, what);
    push_quoted(L, s, len);
    lua_concat(L, 2);
    lua_pushliteral(L, "unknown");
    return 3;
}

/* lookup_tag(tag [, provider [, lang]]) --> tag table | nil, msg, errname */
static int l_lookup_tag(lua_State *L) {
    size_t len, plen = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *p = luaL_optlstring(L, 2, NULL, &plen);
    smtpcodes_lang lang = opt_lang(L, 3, SMTPCODES_EN);
    const smtpcodes_tag *t = NULL;
    int st;
    if (p && smtpcodes_provider_index(p, plen) < 0) return push_unknown(L, "unknown provider: ", p, plen);
    st = smtpcodes_lookup_tag(s, len, p, plen, &t);
    if (st < 0) return push_error(L, st, s, len);
    if (st != 1 || !t) return push_unknown(L, "unknown provider tag: ", s, len);
    push_tag(L, t, lang);
    return 1;
}

/* tags([provider [, lang]]) --> {tag table...} in table order | nil, msg, "unknown" */
static int l_tags(lua_State *L) {
    size_t plen = 0, i, n = 0;
    const char *p = luaL_optlstring(L, 1, NULL, &plen);
    smtpcodes_lang lang = opt_lang(L, 2, SMTPCODES_EN);
    int want = -1;
    if (p && (want = smtpcodes_provider_index(p, plen)) < 0) return push_unknown(L, "unknown provider: ", p, plen);
    lua_newtable(L);
    for (i = 0; i < smtpcodes_tag_count(); i++) {
        const smtpcodes_tag *t = smtpcodes_tag_at(i);
        if (want >= 0 && t->provider_index != (unsigned)want) continue;
        push_tag(L, t, lang);
        lua_rawseti(L, -2, (int)++n);
    }
    return 1;
}

/* providers() --> {"AOL", ...} */
static int l_providers(lua_State *L) {
    size_t i, n = smtpcodes_provider_count();
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, smtpcodes_provider_name(i));
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

/* ---- log records -------------------------------------------------------------- */

#define LOG_MT "smtpcodes.LogRecord"

static void set_view_field(lua_State *L, const char *key, const char *p, size_t n) {
    if (!p) return;
    lua_pushlstring(L, p, n);
    lua_setfield(L, -2, key);
}

/* parse_log() results: text, markdown and html, rendered on first access from the
 * record's line (read again) and kept. */
static int log_index(lua_State *L) {
    smtpcodes_log_record *r;
    render_req q;
    size_t len;
    const char *s;
    smtpcodes_lang lang = SMTPCODES_EN;
    int fmt = lua_type(L, 2) == LUA_TSTRING ? format_of_key(lua_tostring(L, 2)) : -1;
    if (fmt < 0 && lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "to_table") == 0)
        return luaL_getmetafield(L, 1, "to_table") ? 1 : 0;
    if (fmt < 0) return 0;
    lua_settop(L, 2);
    lua_pushliteral(L, "line");
    lua_rawget(L, 1);                                            /* at 3 */
    s = lua_tolstring(L, 3, &len);
    if (!s) return 0;
    lua_pushliteral(L, "lang");
    lua_rawget(L, 1);                                            /* at 4 */
    if (lua_type(L, 4) == LUA_TSTRING && strcmp(lua_tostring(L, 4), "es") == 0) lang = SMTPCODES_ES;
    r = (smtpcodes_log_record *)lua_newuserdatauv(L, sizeof *r, 0);   /* at 5, collected */
    smtpcodes_parse_log(s, len, r);
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_LOG;
    q.obj = r;
    q.lang = lang;
    q.fmt = (smtpcodes_format)fmt;
    push_rendered(L, &q);                                        /* at 6 */
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 6);
    lua_rawset(L, 1);
    return 1;
}

/* parse_log(line [, lang]) --> a table: kind, mta, status, queue_id, recipient,
 * original_recipient, sender, relay, relay_ip, relay_port, delay, dsn, stage,
 * reply (a parse() table or nil), classification (a classify() table),
 * timestamp, host, program, diagnostic, line, lang; text, markdown, html. */
static int l_parse_log(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    smtpcodes_lang lang = opt_lang(L, 2, SMTPCODES_EN);
    smtpcodes_log_record *r = (smtpcodes_log_record *)lua_newuserdatauv(L, sizeof *r, 0);   /* kept until return */
    const char *mta;
    smtpcodes_parse_log(s, len, r);
    lua_createtable(L, 0, 24);
    lua_pushstring(L, smtpcodes_log_kind_name(r->kind));
    lua_setfield(L, -2, "kind");
    mta = smtpcodes_log_mta_name(r->mta);
    if (mta) {
        lua_pushstring(L, mta);
        lua_setfield(L, -2, "mta");
    }
    lua_pushstring(L, smtpcodes_log_status_name(r->status));
    lua_setfield(L, -2, "status");
    set_view_field(L, "queue_id", r->queue_id, r->queue_id_len);
    set_view_field(L, "recipient", r->recipient, r->recipient_len);
    set_view_field(L, "original_recipient", r->original_recipient, r->original_recipient_len);
    set_view_field(L, "sender", r->sender, r->sender_len);
    set_view_field(L, "relay", r->relay, r->relay_len);
    set_view_field(L, "relay_ip", r->relay_ip, r->relay_ip_len);
    if (r->relay_port) {
        lua_pushinteger(L, r->relay_port);
        lua_setfield(L, -2, "relay_port");
    }
    if (r->has_delay) {
        lua_pushnumber(L, r->delay);
        lua_setfield(L, -2, "delay");
    }
    set_view_field(L, "dsn", r->dsn, r->dsn_len);
    if (r->stage) {
        lua_pushstring(L, r->stage);
        lua_setfield(L, -2, "stage");
    }
    set_view_field(L, "timestamp", r->timestamp, r->timestamp_len);
    set_view_field(L, "host", r->host, r->host_len);
    set_view_field(L, "program", r->program, r->program_len);
    set_view_field(L, "diagnostic", r->diagnostic, r->diagnostic_len);
    if (r->has_reply) {
        push_reply(L, &r->reply);
        lua_setfield(L, -2, "reply");
    }
    push_classification(L, &r->classification, lang);
    lua_setfield(L, -2, "classification");
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "line");
    lua_pushstring(L, smtpcodes_lang_tag(lang));
    lua_setfield(L, -2, "lang");
    luaL_getmetatable(L, LOG_MT);
    lua_setmetatable(L, -2);
    return 1;
}

/* parse_bounce(message [, lang]) --> a table: kind, format, reporting_mta,
 * arrival_date, subject, original = {message_id, from, to, subject, date},
 * feedback_type, source_ip, recipients = { {recipient, original_recipient,
 * action, status, reply (a parse() table or nil), diagnostic, diagnostic_type,
 * remote_mta, stage, last_attempt, will_retry_until, classification}, ... },
 * total_recipients, truncated, and the card as text, markdown and html. */
static void set_span(lua_State *L, const char *key, smtpcodes_span s) {
    if (!s.ptr) return;
    lua_pushlstring(L, s.ptr, s.len);
    lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const char *key, const char *s) {
    if (!s) return;
    lua_pushstring(L, s);
    lua_setfield(L, -2, key);
}

/* Parse message s into a bounce held by two userdata pushed on the stack (the struct, then
 * its scratch; both collected with them), once more with room for every recipient when the
 * documented scratch holds fewer (as the CLI does). */
static smtpcodes_bounce *bounce_parse_lua(lua_State *L, const char *s, size_t len) {
    smtpcodes_bounce *b = (smtpcodes_bounce *)lua_newuserdatauv(L, sizeof *b, 0);
    size_t cap = SMTPCODES_BOUNCE_SCRATCH(len);
    void *scratch = lua_newuserdatauv(L, cap, 0);
    if (smtpcodes_parse_bounce(s, len, scratch, cap, b) != SMTPCODES_OK) luaL_error(L, "smtpcodes: parse_bounce failed");
    if (b->truncated & SMTPCODES_BT_SCRATCH) {
        /* more recipients than the documented scratch holds: once more, with room for them */
        size_t n = b->total_recipients < SMTPCODES_MAX_RECIPIENTS ? b->total_recipients : SMTPCODES_MAX_RECIPIENTS;
        lua_pop(L, 1);
        cap = SMTPCODES_BOUNCE_SCRATCH(len) + (n + 1) * sizeof(smtpcodes_bounce_recipient) + len;
        scratch = lua_newuserdatauv(L, cap, 0);
        if (smtpcodes_parse_bounce(s, len, scratch, cap, b) != SMTPCODES_OK)
            luaL_error(L, "smtpcodes: parse_bounce failed");
    }
    return b;
}

static int l_parse_bounce(lua_State *L) {
    size_t len, i;
    const char *s = luaL_checklstring(L, 1, &len);
    smtpcodes_lang lang = opt_lang(L, 2, SMTPCODES_EN);
    smtpcodes_bounce *b;
    render_req q;
    lua_settop(L, 2);
    b = bounce_parse_lua(L, s, len);                               /* at 3 and 4 */
    lua_createtable(L, 0, 16);                                     /* at 5 */
    set_str(L, "kind", smtpcodes_bounce_kind_name(b->kind));
    set_str(L, "format", b->format);
    set_span(L, "reporting_mta", b->reporting_mta);
    set_span(L, "arrival_date", b->arrival_date);
    set_span(L, "subject", b->subject);
    set_span(L, "feedback_type", b->feedback_type);
    set_span(L, "source_ip", b->source_ip);
    lua_createtable(L, 0, 5);
    set_span(L, "message_id", b->original.message_id);
    set_span(L, "from", b->original.from);
    set_span(L, "to", b->original.to);
    set_span(L, "subject", b->original.subject);
    set_span(L, "date", b->original.date);
    lua_setfield(L, -2, "original");
    lua_pushinteger(L, (lua_Integer)b->total_recipients);
    lua_setfield(L, -2, "total_recipients");
    lua_pushboolean(L, b->truncated != 0);
    lua_setfield(L, -2, "truncated");
    lua_createtable(L, (int)b->nrecipients, 0);
    for (i = 0; i < b->nrecipients; i++) {
        const smtpcodes_bounce_recipient *r = &b->recipients[i];
        lua_createtable(L, 0, 12);
        set_span(L, "recipient", r->recipient);
        set_span(L, "original_recipient", r->original_recipient);
        set_str(L, "action", r->action);
        set_span(L, "status", r->status);
        set_span(L, "diagnostic", r->diagnostic);
        set_span(L, "diagnostic_type", r->diagnostic_type);
        set_span(L, "remote_mta", r->remote_mta);
        set_str(L, "stage", r->stage);
        set_span(L, "last_attempt", r->last_attempt);
        set_span(L, "will_retry_until", r->will_retry_until);
        if (r->has_reply) {
            push_reply(L, &r->reply);
            lua_setfield(L, -2, "reply");
        }
        push_classification(L, &r->classification, lang);
        lua_setfield(L, -2, "classification");
        luaL_getmetatable(L, "smtpcodes.BounceRecipient");
        lua_setmetatable(L, -2);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "recipients");
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_BOUNCE;
    q.obj = b;
    q.lang = lang;
    for (int fmt = 0; fmt < 3; fmt++) {
        q.fmt = (smtpcodes_format)fmt;
        push_rendered(L, &q);
        lua_setfield(L, -2, fmt == 0 ? "text" : fmt == 1 ? "markdown" : "html");
    }
    luaL_getmetatable(L, "smtpcodes.Bounce");
    lua_setmetatable(L, -2);
    /* the message (and by its store the language), out of sight of pairs(), for explain() */
    lua_getfield(L, LUA_REGISTRYINDEX, bounce_store[lang]);        /* at 6 */
    lua_pushvalue(L, 5);
    lua_pushvalue(L, 1);
    lua_rawset(L, 6);
    lua_settop(L, 5);
    return 1;
}

/* explain(b [, lang]) of a parse_bounce() table at 1: its message parsed again and its card
 * rendered in lang (the bounce's language by default), as `smtpcodes explain FILE` prints it.
 * Returns 0 when the table at 1 is no parse_bounce() result (left for l_explain to report). */
static int explain_bounce_lua(lua_State *L) {
    int k;
    smtpcodes_lang lang;
    size_t len;
    const char *s;
    smtpcodes_bounce *b;
    render_req q;
    lua_settop(L, 2);
    for (k = 0;; k++) {
        if (k == SMTPCODES_NLANG) return 0;
        lua_getfield(L, LUA_REGISTRYINDEX, bounce_store[k]);       /* at 3 */
        lua_pushvalue(L, 1);
        lua_rawget(L, 3);                                          /* at 4: the message */
        if (lua_type(L, 4) == LUA_TSTRING) break;
        lua_settop(L, 2);
    }
    lang = opt_lang(L, 2, (smtpcodes_lang)k);
    s = lua_tolstring(L, 4, &len);
    b = bounce_parse_lua(L, s, len);                               /* at 5 and 6 */
    memset(&q, 0, sizeof q);
    q.what = SMTPCODES_RENDER_BOUNCE;
    q.obj = b;
    q.lang = lang;
    push_text_markdown(L, &q);
    return 1;
}

/* to_table(): the fields names[] of the result at 1 (read through its __index) as a new
 * plain table: lists copied, a Code in a list as its code value (as Python's to_dict()). */
static int plain_by_fields(lua_State *L, const char *const *names) {
    int k;
    lua_settop(L, 1);
    lua_newtable(L);                                             /* at 2 */
    for (k = 0; names[k]; k++) {
        lua_getfield(L, 1, names[k]);                            /* at 3 */
        if (luaL_testudata(L, 3, CODE_MT) || luaL_getmetafield(L, 3, "to_table")) {
            if (lua_gettop(L) == 3) lua_pushcfunction(L, code_to_table);   /* a Code */
            lua_insert(L, 3);
            lua_call(L, 1, 1);                                   /* a nested result, as a plain table */
        } else if (lua_type(L, 3) == LUA_TTABLE) {
            /* a plain table (a list, or original's fields): copied, each element plain */
            lua_newtable(L);                                     /* at 4 */
            lua_pushnil(L);
            while (lua_next(L, 3) != 0) {                        /* key 5, value 6 */
                if (luaL_testudata(L, 6, CODE_MT)) {
                    push_code_value(L, &((lcode *)lua_touserdata(L, 6))->c);
                    lua_replace(L, 6);
                } else if (luaL_getmetafield(L, 6, "to_table")) {
                    lua_insert(L, 6);
                    lua_call(L, 1, 1);
                }
                lua_pushvalue(L, 5);
                lua_insert(L, 6);
                lua_rawset(L, 4);
            }
            lua_replace(L, 3);
        }
        lua_setfield(L, 2, names[k]);
    }
    return 1;
}

static int code_to_table(lua_State *L) {
    static const char *const names[] = {
        "code", "kind", "title", "description", "when", "fix", "references", "commands", "basic_codes", "related",
        "digits", "class_name", "category_name", "is_success", "is_intermediate", "is_transient", "is_permanent",
        "standard", "vendor", "deprecated", "known", "lang", NULL
    };
    check_code(L, 1);
    return plain_by_fields(L, names);
}

static int reply_to_table(lua_State *L) {
    static const char *const names[] = {"code", "enhanced", "lines", "text", "multiline", "flags", "permanence",
                                        "reply_code", "status_code", "stage", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

static int tag_to_table(lua_State *L) {
    static const char *const names[] = {"tag", "provider", "title", "description", "when", "fix", "reason",
                                        "codes", "references", "lang", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

static int log_to_table(lua_State *L) {
    static const char *const names[] = {
        "kind", "mta", "status", "queue_id", "recipient", "original_recipient", "sender", "relay", "relay_ip",
        "relay_port", "delay", "dsn", "stage", "reply", "classification", "timestamp", "host", "program",
        "diagnostic", NULL
    };
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

#define BOUNCE_MT "smtpcodes.Bounce"
#define BREC_MT "smtpcodes.BounceRecipient"

static int bounce_to_table(lua_State *L) {
    static const char *const names[] = {"kind", "format", "reporting_mta", "arrival_date", "subject", "original",
                                        "feedback_type", "source_ip", "recipients", "total_recipients",
                                        "truncated", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

static int brec_to_table(lua_State *L) {
    static const char *const names[] = {"recipient", "original_recipient", "action", "status", "reply",
                                        "diagnostic", "diagnostic_type", "remote_mta", "stage", "last_attempt",
                                        "will_retry_until", "classification", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

/* classify_many's entry for a bad line: {error = msg} */
static int err_to_table(lua_State *L) {
    static const char *const names[] = {"error", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

static int expl_to_table(lua_State *L) {
    static const char *const names[] = {"text", "markdown", "html", NULL};
    luaL_checktype(L, 1, LUA_TTABLE);
    return plain_by_fields(L, names);
}

/* As Python's: differences as {aspect, value_a, value_b} lists, similarities as {aspect, value}. */
static int cmp_to_table(lua_State *L) {
    static const char *const names[] = {"a", "b", "summary", "key_differences", "when_to_use", "text",
                                        "markdown", "lang", NULL};
    size_t i, n;
    int j;
    luaL_checktype(L, 1, LUA_TTABLE);
    plain_by_fields(L, names);                                  /* result at 2 */
    lua_getfield(L, 1, "differences");                          /* 3 */
    lua_newtable(L);                                            /* 4 */
    n = lua_type(L, 3) == LUA_TTABLE ? lua_rawlen(L, 3) : 0;
    for (i = 1; i <= n; i++) {
        lua_rawgeti(L, 3, (int)i);
        lua_createtable(L, 3, 0);
        for (j = 1; j <= 3; j++) {
            lua_rawgeti(L, -2, j);
            lua_rawseti(L, -2, j);
        }
        lua_rawseti(L, 4, (int)i);
        lua_pop(L, 1);
    }
    lua_setfield(L, 2, "differences");
    lua_pop(L, 1);
    lua_getfield(L, 1, "similarities");                         /* 3 */
    lua_newtable(L);                                            /* 4 */
    n = lua_type(L, 3) == LUA_TTABLE ? lua_rawlen(L, 3) : 0;
    for (i = 1; i <= n; i++) {
        lua_createtable(L, 2, 0);
        lua_rawgeti(L, 3, (int)i);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, 1);
        lua_rawget(L, 3);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, 4, (int)i);
    }
    lua_setfield(L, 2, "similarities");
    lua_pop(L, 1);
    return 1;
}

static int cls_to_table(lua_State *L) {
    if (!cls_of(L, 1)) return type_error(L, 1, CLS_MT);
    return plain_by_fields(L, cls_table_fields);
}

static const luaL_Reg code_meta[] = {
    {"__index", code_index},
    {"__tostring", code_tostring},
    {"__eq", code_eq},
    {"__lt", code_lt},
    {"__le", code_le},
    {NULL, NULL}
};

static const luaL_Reg funcs[] = {
    {"lookup", l_lookup},
    {"parse", l_parse},
    {"explain", l_explain},
    {"compare", l_compare},
    {"codes", l_codes},
    {"search", l_search},
    {"replies_for", l_replies_for},
    {"is_valid_reply", l_is_valid_reply},
    {"languages", l_languages},
    {"parse_log", l_parse_log},
    {"reasons", l_reasons},
    {"reason", l_reason},
    {"reason_info", l_reason},  /* the Python name (the parity test compares the two APIs) */
    {"lookup_tag", l_lookup_tag},
    {"tags", l_tags},
    {"providers", l_providers},
    {"parse_bounce", l_parse_bounce},
    {NULL, NULL}
};

__attribute__((visibility("default"))) LUAMOD_API int luaopen_smtpcodes(lua_State *L);

/* A weak table in the registry under key (mode "k" or "v"), made once per lua_State. */
static void registry_weak_table(lua_State *L, const char *key, const char *mode) {
    lua_getfield(L, LUA_REGISTRYINDEX, key);
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_createtable(L, 0, 1);
        lua_pushstring(L, mode);
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, key);
    } else {
        lua_pop(L, 1);
    }
}

/* A metatable whose __index serves a result's renderings. */
static void result_metatable(lua_State *L, const char *name, lua_CFunction index) {
    if (luaL_newmetatable(L, name)) {
        lua_pushcfunction(L, index);
        lua_setfield(L, -2, "__index");
#if LUA_VERSION_NUM < 503
        lua_pushstring(L, name);
        lua_setfield(L, -2, "__name");
#endif
    }
    lua_pop(L, 1);
}

/* lookup(code [, lang]) answers a repeated argument from a cache (the argument -> its Code,
 * default language only, weak-valued: an entry lives as long as its Code) before any parsing.
 * On PUC Lua the cache is upvalue 1 of this C function: a call with one argument costs one
 * raw table read. A miss calls l_lookup and caches a Code found for a number or a string. */
static int l_lookup_cached(lua_State *L) {
    int t, n, dflt;
    if (lua_gettop(L) == 1) {
        lua_pushvalue(L, 1);
#if LUA_VERSION_NUM >= 503
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
#else
        lua_rawget(L, lua_upvalueindex(1));
        if (lua_type(L, -1) != LUA_TNIL) return 1;
#endif
        lua_pop(L, 1);
    }
    t = lua_type(L, 1);
    dflt = lua_isnoneornil(L, 2);
    n = l_lookup(L);
    if (n == 1 && dflt && (t == LUA_TNUMBER || t == LUA_TSTRING)) {
        lua_pushvalue(L, 1);
        lua_pushvalue(L, -2);
        lua_rawset(L, lua_upvalueindex(1));
    }
    return n;
}

/* On LuaJIT the same cache is read by a small Lua function, which the JIT compiles into the
 * caller's trace (a C function would end the trace); a miss calls the C lookup (a local named
 * lookup, so a bad argument is still reported "to 'lookup'"). */
#define LOOKUP_CACHE_KEY "smtpcodes.lookup_cache"
static const char lookup_chunk[] =
    "local lookup, cache = ...\n"
    "local type = type\n"
    "return function(code, lang)\n"
    "  if lang == nil then\n"
    "    local hit = cache[code]\n"
    "    if hit ~= nil then return hit end\n"
    "  end\n"
    "  local r, msg, name = lookup(code, lang)\n"
    "  if r ~= nil and lang == nil then\n"
    "    local t = type(code)\n"
    "    if t == 'number' or t == 'string' then cache[code] = r end\n"
    "  end\n"
    "  return r, msg, name\n"
    "end\n";

/* 1 when this state runs LuaJIT (its jit library is loaded). */
static int is_luajit(lua_State *L) {
#if LUA_VERSION_NUM == 501
    int jit;
    lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        return 0;
    }
    lua_getfield(L, -1, "jit");
    jit = lua_type(L, -1) == LUA_TTABLE;
    lua_pop(L, 2);
    return jit;
#else
    (void)L;
    return 0;
#endif
}

__attribute__((visibility("default"))) LUAMOD_API int luaopen_smtpcodes(lua_State *L) {
    /* the code cache, weak-valued, shared by every copy of the module in this state */
    registry_weak_table(L, CACHE_KEY, "v");
    /* lookup's argument -> Code (numbers and strings, default language), weak-valued */
    registry_weak_table(L, LOOKUP_CACHE_KEY, "v");
    /* tag tables and the tag and language they show, weak-keyed */
    registry_weak_table(L, TAG_STORE, "k");
    /* parse_bounce() tables and their message, one store per language, weak-keyed */
    registry_weak_table(L, bounce_store[SMTPCODES_EN], "k");
    registry_weak_table(L, bounce_store[SMTPCODES_ES], "k");
    if (luaL_newmetatable(L, CODE_MT)) {
        luaL_setfuncs(L, code_meta, 0);
#if LUA_VERSION_NUM < 503
        lua_pushliteral(L, CODE_MT);
        lua_setfield(L, -2, "__name");
#endif
    }
    lua_pop(L, 1);
    result_metatable(L, REPLY_MT, reply_index);
    result_metatable(L, CLS_MT, cls_index);
    luaL_getmetatable(L, CLS_MT);
    lua_pushcfunction(L, cls_eq);
    lua_setfield(L, -2, "__eq");
    lua_pushcfunction(L, cls_to_table);
    lua_setfield(L, -2, "to_table");
    lua_pop(L, 1);
    if (luaL_newmetatable(L, LCLS_MT)) {
        lua_pushcfunction(L, lcls_eq);
        lua_setfield(L, -2, "__eq");
        lua_pushliteral(L, "private");
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    result_metatable(L, LOG_MT, log_index);
    result_metatable(L, TAG_MT, tag_index);
    {
        static const char *const mts[3] = {REPLY_MT, LOG_MT, TAG_MT};
        static const lua_CFunction fns[3] = {reply_to_table, log_to_table, tag_to_table};
        int k;
        static const char *const plain_mts[5] = {BOUNCE_MT, BREC_MT, "smtpcodes.Explanation",
                                                 "smtpcodes.Comparison", ERR_MT};
        static const lua_CFunction plain_fns[5] = {bounce_to_table, brec_to_table, expl_to_table, cmp_to_table,
                                                   err_to_table};
        for (k = 0; k < 3; k++) {
            luaL_getmetatable(L, mts[k]);
            lua_pushcfunction(L, fns[k]);
            lua_setfield(L, -2, "to_table");
            lua_pop(L, 1);
        }
        /* bounce tables: plain fields, the method through __index (a table) */
        for (k = 0; k < 5; k++) {
            if (luaL_newmetatable(L, plain_mts[k])) {
                lua_pushcfunction(L, plain_fns[k]);
                lua_pushvalue(L, -1);
                lua_setfield(L, -3, "to_table");
                lua_createtable(L, 0, 1);
                lua_insert(L, -2);
                lua_setfield(L, -2, "to_table");
                lua_setfield(L, -2, "__index");
#if LUA_VERSION_NUM < 503
                lua_pushstring(L, plain_mts[k]);
                lua_setfield(L, -2, "__name");
#endif
            }
            lua_pop(L, 1);
        }
    }
    luaL_newlib(L, funcs);
    {   /* classify and classify_many hold the classification metatables as upvalues */
        static const char *const names[2] = {"classify", "classify_many"};
        static const lua_CFunction fns[2] = {l_classify, l_classify_many};
        int k;
        for (k = 0; k < 2; k++) {
            luaL_getmetatable(L, CLS_MT);
            luaL_getmetatable(L, LCLS_MT);
            lua_pushcclosure(L, fns[k], 2);
            lua_setfield(L, -2, names[k]);
        }
    }
    /* lookup served from a cache before any parsing (issue 16) */
    if (is_luajit(L)) {
        if (luaL_loadbuffer(L, lookup_chunk, sizeof lookup_chunk - 1, "=smtpcodes") != 0) lua_error(L);
        lua_pushcfunction(L, l_lookup);
        lua_getfield(L, LUA_REGISTRYINDEX, LOOKUP_CACHE_KEY);
        lua_call(L, 2, 1);
    } else {
        lua_getfield(L, LUA_REGISTRYINDEX, LOOKUP_CACHE_KEY);
        lua_pushcclosure(L, l_lookup_cached, 1);
    }
    lua_setfield(L, -2, "lookup");
    lua_pushstring(L, smtpcodes_version());
    lua_setfield(L, -2, "_VERSION");
    lua_pushstring(L, smtpcodes_data_version());
    lua_setfield(L, -2, "DATA_VERSION");
    return 1;
}
