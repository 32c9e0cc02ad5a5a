/* compare.c - two codes side by side.
 *
 * Owns smtpcodes_compare() (which aspects two codes share: kind, class,
 * category, permanence, retry, commands, status, meaning; counterparts and
 * related codes) and the reference-page rendering of a comparison in text,
 * Markdown and HTML: summary, a table with one column per code (shared values
 * said to be shared, differences first), each code's sections, key
 * differences and when to use each. The meaning is the code's title: two
 * codes of the same class and subject that mean different things (5.1.1 and
 * 5.1.10, 550 and 551) differ in it. The status includes the vendor range a
 * code falls in, so it is shared only by codes of the same range. A code
 * compared with itself is identical: no differences. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Compare                                                                    */

static const char *const aspect_names[SMTPCODES_NASPECT][SMTPCODES_NLANG] = {
    {"kind", "tipo"},
    {"class", "clase"},
    {"category", "categor\303\255a"},
    {"permanence", "permanencia"},
    {"retry", "reintento"},
    {"commands", "comandos"},
    {"standard", "est\303\241ndar"},
    {"meaning", "significado"},
};

/* The order the renderings list aspects in: the meaning first. */
static const smtpcodes_aspect display_order[SMTPCODES_NASPECT] = {
    SMTPCODES_ASPECT_MEANING, SMTPCODES_ASPECT_KIND, SMTPCODES_ASPECT_CLASS, SMTPCODES_ASPECT_CATEGORY,
    SMTPCODES_ASPECT_PERMANENCE, SMTPCODES_ASPECT_RETRY, SMTPCODES_ASPECT_COMMANDS, SMTPCODES_ASPECT_STANDARD,
};

const char *smtpcodes_aspect_name(smtpcodes_aspect x, smtpcodes_lang lang) {
    if ((unsigned)x >= SMTPCODES_NASPECT || !sc_lang_ok(lang)) return NULL;
    return aspect_names[x][lang];
}

static int lists_related(const smtpcodes_code *a, const smtpcodes_code *b) {
    if (!a->entry) return 0;
    for (size_t i = 0; i < a->entry->nrelated; i++) {
        smtpcodes_code r;
        const char *t = a->entry->related[i];
        if (smtpcodes_lookup(t, strlen(t), &r) != SMTPCODES_OK) continue;
        if (r.kind == b->kind && r.digits[1] == b->digits[1] && r.digits[2] == b->digits[2] &&
            (r.digits[0] == b->digits[0] || b->digits[0] == 0 || r.digits[0] == 0))
            return 1;
    }
    return 0;
}

static int standard_key(const smtpcodes_code *c) {
    unsigned f = smtpcodes_flags(c);
    return (f & SMTPCODES_E_VENDOR) ? 2 : (f & SMTPCODES_E_STANDARD) ? 1 : 0;
}

/* The vendor range a code falls in ("5.7.620" in 5.7.606-649), as sc_put_status
 * names it; NULL when it is no member of a range (or is the range itself). */
static const smtpcodes_entry *range_of(const smtpcodes_code *c) {
    const smtpcodes_entry *e = c->entry;
    return (e && e->detail != e->detail_last && strcmp(c->text, e->code) != 0) ? e : NULL;
}

static int same_text(const char *x, const char *y) { return x && y && strcmp(x, y) == 0; }

smtpcodes_status smtpcodes_compare(const smtpcodes_code *a, const smtpcodes_code *b, smtpcodes_comparison *out) {
    if (!sc_code_ok(a) || !sc_code_ok(b) || !out) return SMTPCODES_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->a = *a;
    out->b = *b;
    smtpcodes_permanence pa = smtpcodes_permanence_of(a), pb = smtpcodes_permanence_of(b);
    out->same[SMTPCODES_ASPECT_KIND] = a->kind == b->kind;
    out->same[SMTPCODES_ASPECT_CLASS] = a->digits[0] == b->digits[0];
    out->same[SMTPCODES_ASPECT_CATEGORY] = a->kind == b->kind && a->digits[1] == b->digits[1] &&
                                           (a->kind == SMTPCODES_ENHANCED || a->digits[1] <= 5 || b->digits[1] <= 5);
    out->same[SMTPCODES_ASPECT_PERMANENCE] = pa == pb;
    out->same[SMTPCODES_ASPECT_RETRY] = pa == pb;
    out->same[SMTPCODES_ASPECT_COMMANDS] = sc_code_commands(a) == sc_code_commands(b);
    out->same[SMTPCODES_ASPECT_STANDARD] = standard_key(a) == standard_key(b) &&
        (standard_key(a) != 2 || strcmp(a->entry->vendor, b->entry->vendor) == 0) &&
        a->known == b->known && (smtpcodes_flags(a) & SMTPCODES_E_DEPRECATED) == (smtpcodes_flags(b) & SMTPCODES_E_DEPRECATED) &&
        range_of(a) == range_of(b);
    out->same[SMTPCODES_ASPECT_MEANING] = 1;
    for (int l = 0; l < SMTPCODES_NLANG; l++)
        out->same[SMTPCODES_ASPECT_MEANING] &= same_text(smtpcodes_text(a, SMTPCODES_TITLE, (smtpcodes_lang)l),
                                                         smtpcodes_text(b, SMTPCODES_TITLE, (smtpcodes_lang)l));
    out->identical = strcmp(a->text, b->text) == 0 && a->kind == b->kind;
    if (out->identical)   /* the same code: nothing differs */
        for (int x = 0; x < SMTPCODES_NASPECT; x++) out->same[x] = 1;
    out->counterparts = !out->identical && a->kind == b->kind && a->digits[1] == b->digits[1] &&
                        a->digits[2] == b->digits[2] &&
                        ((pa == SMTPCODES_PERM_TEMPORARY && pb == SMTPCODES_PERM_PERMANENT) ||
                         (pa == SMTPCODES_PERM_PERMANENT && pb == SMTPCODES_PERM_TEMPORARY));
    out->related = lists_related(a, b) || lists_related(b, a);
    return SMTPCODES_OK;
}

static void aspect_value(sc_buf *b, const smtpcodes_code *c, smtpcodes_aspect x, smtpcodes_lang lang) {
    switch (x) {
    case SMTPCODES_ASPECT_KIND:
        sc_sb_puts(b, sc_ui[c->kind == SMTPCODES_BASIC ? UI_BASIC_KIND : UI_ENH_KIND][lang]);
        break;
    case SMTPCODES_ASPECT_CLASS:
        sc_put_class_label(b, c);
        sc_sb_puts(b, smtpcodes_class_name(c, lang));
        break;
    case SMTPCODES_ASPECT_CATEGORY:
        sc_put_category_label(b, c);
        sc_sb_puts(b, smtpcodes_category_name(c, lang));
        break;
    case SMTPCODES_ASPECT_PERMANENCE:
        sc_sb_puts(b, sc_perm_local[smtpcodes_permanence_of(c)][lang]);
        break;
    case SMTPCODES_ASPECT_RETRY:
        sc_sb_puts(b, sc_retry_text(smtpcodes_permanence_of(c), lang));
        break;
    case SMTPCODES_ASPECT_COMMANDS:
        sc_put_commands(b, sc_code_commands(c), lang, ", ");
        break;
    case SMTPCODES_ASPECT_MEANING:
        sc_sb_puts(b, smtpcodes_text(c, SMTPCODES_TITLE, lang));
        break;
    default:
        sc_put_status(b, c, lang);
        break;
    }
}

int smtpcodes_aspect_value(const smtpcodes_comparison *cmp, smtpcodes_aspect x, int which,
                           smtpcodes_lang lang, char *buf, size_t cap) {
    if (!cmp || (unsigned)x >= SMTPCODES_NASPECT || (which != 0 && which != 1) || (!buf && cap))
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    aspect_value(&b, which ? &cmp->b : &cmp->a, x, lang);
    return sc_sb_result(&b);
}

/* "2xx Positive Completion" as prose uses the class digit and "xx". */
static void put_class_prose(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang) {
    if (c->kind == SMTPCODES_BASIC) sc_sb_printf(b, "%dxx ", c->digits[0]);
    else if (c->digits[0]) sc_sb_printf(b, "%d.x.x ", c->digits[0]);
    sc_sb_puts(b, smtpcodes_class_name(c, lang));
}

/* A sentence of static text with its first letter lowered (ASCII only). */
static void put_lowered(sc_buf *b, const char *s) {
    if (*s >= 'A' && *s <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')) {
        sc_sb_putc(b, (char)(*s + 32));
        s++;
    }
    sc_sb_puts(b, s);
}

static void put_first_sentence(sc_buf *b, const char *s) {
    const char *p = s;
    while (*p) {
        if ((p[0] == '.' || p[0] == '!' || p[0] == '?') && (p[1] == ' ' || p[1] == '\0') &&
            !(p - s >= 2 && p[-2] == 'e' && p[-1] == '.') && !(p - s >= 1 && p[-1] == 'g' && p > s + 1 && p[-2] == '.')) {
            sc_sb_putn(b, s, (size_t)(p - s + 1));
            return;
        }
        p++;
    }
    sc_sb_puts(b, s);
}

static void summary(sc_buf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang) {
    const smtpcodes_code *a = &cmp->a, *c = &cmp->b;
    int es = lang == SMTPCODES_ES;
    const char *ka = sc_class_meaning(a, lang);
    if (cmp->identical) {
        sc_sb_printf(b, es ? "Has comparado %s consigo mismo: es el mismo c\303\263digo (" : "You compared %s with itself: it is the same code (",
                     a->text);
        sc_sb_puts(b, smtpcodes_text(a, SMTPCODES_TITLE, lang));
        sc_sb_puts(b, es ? "), as\303\255 que no hay ninguna diferencia." : "), so nothing differs.");
        return;
    }
    if (a->kind != c->kind) {
        sc_sb_printf(b, es ? "%s es un %s (RFC 5321) y %s un %s (RFC 3463). "
                        : "%s is a %s (RFC 5321) and %s an %s (RFC 3463). ",
                  a->kind == SMTPCODES_BASIC ? a->text : c->text, sc_ui[UI_BASIC_KIND][lang],
                  a->kind == SMTPCODES_BASIC ? c->text : a->text, sc_ui[UI_ENH_KIND][lang]);
    }
    if (cmp->same[SMTPCODES_ASPECT_CLASS] && ka) {
        sc_sb_printf(b, es ? "Tanto %s como %s pertenecen a la clase " : "Both %s and %s belong to the ", a->text, c->text);
        put_class_prose(b, a, lang);
        sc_sb_puts(b, es ? ": " : " class: ");
        put_lowered(b, ka);
        sc_sb_puts(b, " ");
    } else {
        sc_sb_printf(b, es ? "%s pertenece a la clase " : "%s belongs to the ", a->text);
        put_class_prose(b, a, lang);
        sc_sb_printf(b, es ? ", mientras que %s pertenece a la clase " : " class, whereas %s belongs to the ", c->text);
        put_class_prose(b, c, lang);
        sc_sb_puts(b, es ? ". " : " class. ");
    }
    /* category / subject */
    if (cmp->same[SMTPCODES_ASPECT_CATEGORY]) {
        sc_sb_puts(b, es ? "Los dos est\303\241n en la categor\303\255a " : "Both are in the ");
        sc_put_category_label(b, a);
        sc_sb_puts(b, smtpcodes_category_name(a, lang));
        sc_sb_puts(b, es ? ". " : " category. ");
        if (!cmp->same[SMTPCODES_ASPECT_MEANING]) {   /* siblings: 5.1.1 and 5.1.10, 550 and 551 */
            sc_sb_printf(b, es ? "Pero no significan lo mismo: %s es \302\253" : "But they mean different things: %s is \342\200\234",
                         a->text);
            sc_sb_puts(b, smtpcodes_text(a, SMTPCODES_TITLE, lang));
            sc_sb_printf(b, es ? "\302\273 y %s, \302\253" : "\342\200\235 and %s \342\200\234", c->text);
            sc_sb_puts(b, smtpcodes_text(c, SMTPCODES_TITLE, lang));
            sc_sb_puts(b, es ? "\302\273. " : "\342\200\235. ");
        }
    } else {
        sc_sb_printf(b, es ? "%s (%s) entra en la categor\303\255a " : "%s (%s) falls in the ", a->text,
                  smtpcodes_text(a, SMTPCODES_TITLE, lang));
        sc_put_category_label(b, a);
        sc_sb_puts(b, smtpcodes_category_name(a, lang));
        sc_sb_printf(b, es ? ", y %s (%s) en la categor\303\255a " : " category, while %s (%s) falls in the ", c->text,
                  smtpcodes_text(c, SMTPCODES_TITLE, lang));
        sc_put_category_label(b, c);
        sc_sb_puts(b, smtpcodes_category_name(c, lang));
        sc_sb_puts(b, es ? ". " : " category. ");
    }
    unsigned long ca = sc_code_commands(a), cc = sc_code_commands(c);
    if (ca && cc) {
        if (ca == cc) {
            sc_sb_puts(b, es ? "Ambos responden a " : "Both answer ");
            sc_put_commands(b, ca, lang, sc_or_word(lang));
            sc_sb_puts(b, ". ");
        } else {
            sc_sb_printf(b, es ? "Los servidores env\303\255an %s en respuesta a " : "Servers send %s in reply to ", a->text);
            sc_put_commands(b, ca, lang, sc_or_word(lang));
            sc_sb_printf(b, es ? ", y %s en respuesta a " : ", and %s in reply to ", c->text);
            sc_put_commands(b, cc, lang, sc_or_word(lang));
            sc_sb_puts(b, ". ");
        }
    }
    if (cmp->counterparts)
        sc_sb_puts(b, es ? "Son la pareja temporal y permanente de la misma condici\303\263n. "
                      : "They are counterparts: the same condition reported as temporary and as permanent. ");
    else if (cmp->related)
        sc_sb_puts(b, es ? "La base de conocimiento los registra como c\303\263digos relacionados. "
                      : "The knowledge base lists them as related codes. ");
    smtpcodes_permanence pa = smtpcodes_permanence_of(a), pc = smtpcodes_permanence_of(c);
    if (pa == pc) {
        if (pa == SMTPCODES_PERM_SUCCESS || pa == SMTPCODES_PERM_INTERMEDIATE)
            sc_sb_puts(b, es ? "Ninguno de los dos es un error, as\303\255 que no hay nada que reintentar."
                          : "Neither is an error, so there is nothing to retry.");
        else if (pa == SMTPCODES_PERM_TEMPORARY)
            sc_sb_puts(b, es ? "Los dos son temporales: el remitente debe reintentar m\303\241s tarde."
                          : "Both are temporary: the sender should retry later.");
        else if (pa == SMTPCODES_PERM_PERMANENT)
            sc_sb_puts(b, es ? "Los dos son permanentes: reenviar sin cambios volver\303\241 a fallar."
                          : "Both are permanent: resending unchanged will fail again.");
        else
            sc_sb_puts(b, es ? "Su permanencia depende de la clase con la que se env\303\255en."
                          : "Their permanence depends on the class they are sent with.");
    } else {
        sc_sb_printf(b, es ? "Para el remitente, %s significa: " : "For the sender, %s means: ", a->text);
        sc_sb_puts(b, sc_retry_text(pa, lang));
        sc_sb_printf(b, es ? "; %s significa: " : "; %s means: ", c->text);
        sc_sb_puts(b, sc_retry_text(pc, lang));
        sc_sb_puts(b, ".");
    }
}

/* List items: "- " lines in text and Markdown, <li> in HTML. */
static void item_open(sc_buf *b, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<li style=\"" ST_LI "\">");
    else sc_sb_puts(b, "- ");
}

static void item_close(sc_buf *b, smtpcodes_format fmt) { sc_sb_raws(b, fmt == SMTPCODES_HTML ? "</li>\n" : "\n"); }

static void strong_open(sc_buf *b, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_raws(b, "**");
    else if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<strong>");
}

static void strong_close(sc_buf *b, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_raws(b, "**");
    else if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</strong>");
}

/* An aspect's name with a capital (the names start with an ASCII letter). */
static void put_aspect_name(sc_buf *b, int x, smtpcodes_lang lang) {
    const char *name = aspect_names[x][lang];
    sc_sb_putc(b, (char)(name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0]));
    sc_sb_puts(b, name + 1);
}

/* An aspect's value in a list item: titles are text of the knowledge base,
 * Markdown-escaped in Markdown (HTML escapes everything already). */
static void item_value(sc_buf *b, const smtpcodes_code *c, smtpcodes_aspect x, smtpcodes_lang lang,
                       smtpcodes_format fmt) {
    if (x == SMTPCODES_ASPECT_MEANING) sc_put_md(b, fmt, smtpcodes_text(c, SMTPCODES_TITLE, lang));
    else aspect_value(b, c, x, lang);
}

static void key_differences(sc_buf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang, smtpcodes_format fmt) {
    int n = 0;
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<ul style=\"" ST_UL "\">\n");
    for (int i = 0; i < SMTPCODES_NASPECT; i++) {
        smtpcodes_aspect x = display_order[i];
        if (cmp->same[x]) continue;
        n++;
        item_open(b, fmt);
        strong_open(b, fmt);
        put_aspect_name(b, x, lang);
        strong_close(b, fmt);
        sc_sb_puts(b, ": ");
        sc_sb_printf(b, "%s: ", cmp->a.text);
        item_value(b, &cmp->a, x, lang, fmt);
        sc_sb_printf(b, "; %s: ", cmp->b.text);
        item_value(b, &cmp->b, x, lang, fmt);
        sc_sb_puts(b, ".");
        item_close(b, fmt);
    }
    if (!n) {
        item_open(b, fmt);
        if (cmp->identical)
            sc_sb_puts(b, lang == SMTPCODES_ES ? "Ninguna: es el mismo c\303\263digo."
                                               : "None: it is the same code.");
        else   /* two codes of one vendor range (5.7.606 and 5.7.620): one meaning */
            sc_sb_puts(b, lang == SMTPCODES_ES
                           ? "Coinciden en significado, clase, categor\303\255a, permanencia, comandos y estado; solo cambia el n\303\272mero."
                           : "They agree on meaning, class, category, permanence, commands and status; only the number differs.");
        item_close(b, fmt);
    }
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</ul>\n");
}

static void when_to_use(sc_buf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang, smtpcodes_format fmt) {
    const smtpcodes_code *codes[2] = {&cmp->a, &cmp->b};
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<ul style=\"" ST_UL "\">\n");
    for (int i = 0; i < 2; i++) {
        const smtpcodes_code *c = codes[i];
        if (i && cmp->identical) break;
        item_open(b, fmt);
        strong_open(b, fmt);
        sc_sb_puts(b, c->text);
        strong_close(b, fmt);
        sc_sb_puts(b, " (");
        sc_put_md(b, fmt, smtpcodes_text(c, SMTPCODES_TITLE, lang));
        sc_sb_puts(b, "): ");
        unsigned long cm = sc_code_commands(c);
        if (cm) {
            sc_sb_puts(b, lang == SMTPCODES_ES ? "respuesta a " : "the reply to ");
            sc_put_commands(b, cm, lang, sc_or_word(lang));
            sc_sb_puts(b, ". ");
        }
        int was = b->md;
        b->md = fmt == SMTPCODES_MARKDOWN;
        put_first_sentence(b, smtpcodes_text(c, SMTPCODES_WHEN, lang));
        b->md = was;
        sc_sb_puts(b, " ");
        const char *r = sc_retry_text(smtpcodes_permanence_of(c), lang);
        sc_sb_putc(b, (char)(r[0] >= 'a' && r[0] <= 'z' ? r[0] - 32 : r[0]));
        sc_sb_puts(b, r + 1);
        sc_sb_puts(b, ".");
        item_close(b, fmt);
    }
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</ul>\n");
}

/* The side-by-side table (HTML): one column per code, the aspects where they
 * differ first, then those they share, each said to be shared in its cell. */
static void aspect_table(sc_buf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang) {
    sc_sb_raws(b, "<table class=\"smtpcodes-compare\" style=\"" ST_TABLE "\">\n<thead><tr>");
    sc_sb_raws(b, "<th scope=\"col\" style=\"" ST_TH ";width:22%\">");
    sc_sb_puts(b, sc_ui[UI_ASPECT][lang]);
    sc_sb_raws(b, "</th><th scope=\"col\" style=\"" ST_TH "\">");
    sc_sb_puts(b, cmp->a.text);
    sc_sb_raws(b, "</th><th scope=\"col\" style=\"" ST_TH "\">");
    sc_sb_puts(b, cmp->b.text);
    sc_sb_raws(b, "</th></tr></thead>\n<tbody>\n");
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < SMTPCODES_NASPECT; i++) {
            smtpcodes_aspect x = display_order[i];
            if (cmp->same[x] != pass) continue;
            sc_sb_raws(b, pass ? "<tr class=\"smtpcodes-same\">" : "<tr class=\"smtpcodes-differs\">");
            sc_sb_raws(b, "<th scope=\"row\" style=\"" ST_TH "\">");
            put_aspect_name(b, x, lang);
            sc_sb_raws(b, "</th>");
            if (pass) {
                sc_sb_raws(b, "<td colspan=\"2\" style=\"" ST_TD "\"><em>");
                sc_sb_puts(b, sc_ui[UI_BOTH][lang]);
                sc_sb_raws(b, ":</em> ");
                aspect_value(b, &cmp->a, (smtpcodes_aspect)x, lang);
                sc_sb_raws(b, "</td>");
            } else {
                for (int k = 0; k < 2; k++) {
                    sc_sb_raws(b, "<td style=\"" ST_TD "\">");
                    aspect_value(b, k ? &cmp->b : &cmp->a, (smtpcodes_aspect)x, lang);
                    sc_sb_raws(b, "</td>");
                }
            }
            sc_sb_raws(b, "</tr>\n");
        }
    }
    sc_sb_raws(b, "</tbody></table>\n");
}

static void comparison_page(sc_buf *b, const smtpcodes_comparison *cmp, smtpcodes_lang lang, smtpcodes_format fmt) {
    int html = fmt == SMTPCODES_HTML;
    if (html) sc_html_open(b, "comparison", lang);
    char head[64];
    snprintf(head, sizeof head, "%s vs %s", cmp->a.text, cmp->b.text);
    sc_put_heading(b, fmt, 2, head);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(b, '\n');
    if (html) sc_sb_raws(b, "<p style=\"margin:0.2em 0 0.6em;text-align:left\">");
    summary(b, cmp, lang);
    sc_sb_raws(b, html ? "</p>\n" : "\n\n");
    if (html) aspect_table(b, cmp, lang);
    const smtpcodes_code *codes[2] = {&cmp->a, &cmp->b};
    for (int i = 0; i < 2; i++) {
        if (i && cmp->identical) break;
        sc_put_code_heading(b, codes[i], lang, fmt, 3);
        if (fmt == SMTPCODES_TEXT) sc_sb_putc(b, '\n');
        sc_put_sections(b, codes[i], lang, fmt, 4);
    }
    sc_put_heading(b, fmt, 3, sc_ui[UI_KEY_DIFF][lang]);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(b, '\n');
    key_differences(b, cmp, lang, fmt);
    if (!html) sc_sb_putc(b, '\n');
    sc_put_heading(b, fmt, 3, sc_ui[UI_WHEN_USE][lang]);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(b, '\n');
    when_to_use(b, cmp, lang, fmt);
    if (html) sc_html_close(b);
}

int smtpcodes_render_comparison(const smtpcodes_comparison *cmp, smtpcodes_section section,
                                smtpcodes_lang lang, smtpcodes_format fmt, char *buf, size_t cap) {
    if (!cmp || (!buf && cap) || !sc_format_ok(fmt) ||
        (unsigned)section > SMTPCODES_SECTION_WHEN_TO_USE || !sc_code_ok(&cmp->a) || !sc_code_ok(&cmp->b))
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    b.html = fmt == SMTPCODES_HTML;
    switch (section) {
    case SMTPCODES_SECTION_SUMMARY:
        if (b.html) sc_sb_raws(&b, "<p style=\"margin:0.2em 0 0.6em;text-align:left\">");
        summary(&b, cmp, lang);
        if (b.html) sc_sb_raws(&b, "</p>\n");
        break;
    case SMTPCODES_SECTION_KEY_DIFFERENCES: key_differences(&b, cmp, lang, fmt); break;
    case SMTPCODES_SECTION_WHEN_TO_USE: when_to_use(&b, cmp, lang, fmt); break;
    default: comparison_page(&b, cmp, lang, fmt); break;
    }
    return sc_sb_result(&b);
}
