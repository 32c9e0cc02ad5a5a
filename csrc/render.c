/* render.c - explanations of codes and replies as text, Markdown and HTML.
 *
 * Owns the three writers every result goes through (headings, labels, field
 * lists and escaping differ by format; the words come from strings.c) and the
 * explanation of a code (smtpcodes_explain_code), of a reply
 * (smtpcodes_explain_reply) and of a classification
 * (smtpcodes_render_classification). HTML is a fragment: a <section> card
 * with semantic markup (headings, definition lists), every text escaped, no
 * scripts, and inline styles on the elements they affect so that a notebook
 * theme cannot override alignment; colours inherit, so it reads in light and
 * dark themes. compare.c uses the helpers declared in internal.h. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The writers: headings, field lists, paragraphs, in three formats           */

void sc_html_open(sc_buf *b, const char *cls, smtpcodes_lang lang) {
    sc_sb_raws(b, "<section class=\"smtpcodes smtpcodes-");
    sc_sb_raws(b, cls);
    sc_sb_raws(b, "\" lang=\"");
    sc_sb_raws(b, smtpcodes_lang_tag(lang));
    sc_sb_raws(b, "\" style=\"" ST_CARD "\">\n");
}

void sc_html_close(sc_buf *b) { sc_sb_raws(b, "</section>\n"); }

void sc_card_open(sc_buf *b, char *buf, size_t cap, smtpcodes_format fmt, const char *cls, smtpcodes_lang lang) {
    sc_sb_init(b, buf, cap);
    if (fmt == SMTPCODES_HTML) {
        b->html = 1;
        sc_html_open(b, cls, lang);
    }
}

/* A nested card (the codes inside a reply card). */
void sc_html_sub_open(sc_buf *b, const char *cls) {
    sc_sb_raws(b, "<section class=\"smtpcodes-");
    sc_sb_raws(b, cls);
    sc_sb_raws(b, "\" style=\"" ST_SUB "\">\n");
}

static const char *heading_style(int level) {
    return level <= 2 ? ST_H2 : level == 3 ? ST_H3 : ST_H4;
}

/* Headings in pieces, for titles assembled from several strings. Text: the
 * title on its own line; Markdown: "## " (level 2) or "### "; HTML: <h2>-<h4>. */
void sc_heading_open(sc_buf *b, smtpcodes_format fmt, int level) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sc_sb_puts(b, level == 2 ? "## " : "### ");
    } else if (fmt == SMTPCODES_HTML) {
        char tag[8];
        snprintf(tag, sizeof tag, "<h%d", level < 2 ? 2 : level > 4 ? 4 : level);
        sc_sb_raws(b, tag);
        sc_sb_raws(b, " style=\"");
        sc_sb_raws(b, heading_style(level));
        sc_sb_raws(b, "\">");
    }
}

void sc_heading_close(sc_buf *b, smtpcodes_format fmt, int level) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sc_sb_puts(b, "\n\n");
    } else if (fmt == SMTPCODES_HTML) {
        char tag[8];
        snprintf(tag, sizeof tag, "</h%d>", level < 2 ? 2 : level > 4 ? 4 : level);
        sc_sb_raws(b, tag);
        sc_sb_raws(b, "\n");
    } else {
        sc_sb_putc(b, '\n');
    }
}

void sc_put_heading(sc_buf *b, smtpcodes_format fmt, int level, const char *title) {
    sc_heading_open(b, fmt, level);
    sc_sb_puts(b, title);
    sc_heading_close(b, fmt, level);
}

/* "550 - Title" (text), "550 — Title" (Markdown, HTML) */
void sc_put_code_heading(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt, int level) {
    sc_heading_open(b, fmt, level);
    sc_sb_puts(b, c->text);
    sc_sb_puts(b, fmt == SMTPCODES_TEXT ? " - " : " \xE2\x80\x94 ");
    sc_sb_puts(b, smtpcodes_text(c, SMTPCODES_TITLE, lang));
    sc_heading_close(b, fmt, level);
}

/* Field lists. Text "Label: value", Markdown "- **Label:** value", HTML a <dl>. */
void sc_list_open(sc_buf *b, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<dl style=\"" ST_DL "\">\n");
}

void sc_list_close(sc_buf *b, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</dl>\n");
}

void sc_field_open(sc_buf *b, smtpcodes_format fmt, const char *label) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sc_sb_puts(b, "- **");
        sc_sb_puts(b, label);
        sc_sb_puts(b, ":** ");
    } else if (fmt == SMTPCODES_HTML) {
        sc_sb_raws(b, "<dt style=\"" ST_DT "\">");
        sc_sb_puts(b, label);
        sc_sb_raws(b, "</dt><dd style=\"" ST_DD "\">");
    } else {
        sc_sb_puts(b, label);
        sc_sb_puts(b, ": ");
    }
}

void sc_field_close(sc_buf *b, smtpcodes_format fmt) {
    sc_sb_raws(b, fmt == SMTPCODES_HTML ? "</dd>\n" : "\n");
}

/* A paragraph of static text: Markdown-escaped, HTML-escaped in a <p>, or as is. */
void sc_paragraph(sc_buf *b, smtpcodes_format fmt, const char *s) {
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<p style=\"" ST_P "\">");
    sc_put_md(b, fmt, s);
    sc_sb_raws(b, fmt == SMTPCODES_HTML ? "</p>\n" : "\n\n");
}

/* Static text in the format: Markdown-escaped; HTML-escaped by the writer; or as is. */
void sc_put_md(sc_buf *b, smtpcodes_format fmt, const char *s) {
    int was = b->md;
    b->md = fmt == SMTPCODES_MARKDOWN;
    sc_sb_puts(b, s);
    b->md = was;
}

/* ------------------------------------------------------------------------ */
/* Pieces of an explanation                                                   */

const char *sc_retry_text(smtpcodes_permanence p, smtpcodes_lang lang) {
    switch (p) {
    case SMTPCODES_PERM_SUCCESS: return sc_ui[UI_RETRY_SUCCESS][lang];
    case SMTPCODES_PERM_INTERMEDIATE: return sc_ui[UI_RETRY_INTER][lang];
    case SMTPCODES_PERM_TEMPORARY: return sc_ui[UI_RETRY_TEMP][lang];
    case SMTPCODES_PERM_PERMANENT: return sc_ui[UI_RETRY_PERM][lang];
    default: return sc_ui[UI_RETRY_UNKNOWN][lang];
    }
}

void sc_put_class_label(sc_buf *b, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) sc_sb_printf(b, "%dyz ", c->digits[0]);
    else if (c->digits[0]) sc_sb_printf(b, "%d.x.x ", c->digits[0]);
}

void sc_put_category_label(sc_buf *b, const smtpcodes_code *c) {
    if (c->kind == SMTPCODES_BASIC) sc_sb_printf(b, "x%dz ", c->digits[1]);
    else sc_sb_printf(b, "X.%d.x ", c->digits[1]);
}

void sc_put_commands(sc_buf *b, unsigned long bits, smtpcodes_lang lang, const char *sep_last) {
    size_t n = 0, total = 0;
    size_t ncmd = smtpcodes_command_count();
    for (size_t i = 0; i < ncmd; i++)
        if (bits & (1ul << i)) total++;
    if (!total) { sc_sb_puts(b, sc_ui[UI_NO_COMMANDS][lang]); return; }
    for (size_t i = 0; i < ncmd; i++) {
        if (!(bits & (1ul << i))) continue;
        if (n) sc_sb_puts(b, n + 1 == total ? sep_last : ", ");
        sc_sb_puts(b, smtpcodes_command_name(i));
        n++;
    }
}

unsigned long sc_code_commands(const smtpcodes_code *c) {
    return (c->entry && c->kind == SMTPCODES_BASIC) ? c->entry->commands : 0ul;
}

const char *sc_or_word(smtpcodes_lang lang) { return lang == SMTPCODES_ES ? " o " : " or "; }

void sc_put_status(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang) {
    if (!c->known) { sc_sb_puts(b, sc_ui[UI_UNKNOWN][lang]); return; }
    const smtpcodes_entry *e = c->entry;
    if (e->flags & SMTPCODES_E_VENDOR) {
        sc_sb_puts(b, sc_ui[UI_VENDOR][lang]);
        sc_sb_puts(b, " (");
        sc_sb_puts(b, e->vendor);
        sc_sb_puts(b, ")");
    } else {
        sc_sb_puts(b, sc_ui[(e->flags & SMTPCODES_E_STANDARD) ? UI_STANDARD : UI_NONSTANDARD][lang]);
    }
    if (e->flags & SMTPCODES_E_DEPRECATED) {
        sc_sb_puts(b, ", ");
        sc_sb_puts(b, sc_ui[UI_DEPRECATED][lang]);
    }
    if (e->detail != e->detail_last && strcmp(c->text, e->code) != 0) {
        sc_sb_puts(b, ", ");
        sc_sb_puts(b, sc_ui[UI_RANGE_NOTE][lang]);
        sc_sb_puts(b, " ");
        sc_sb_puts(b, e->code);
    }
}

/* The three sections Description / When you'll see it / How to fix it:
 * bold labels in Markdown, "Label:" lines in text, headings of `level` in HTML. */
void sc_put_sections(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt, int level) {
    static const int heads[3] = {UI_DESCRIPTION, UI_WHEN, UI_FIX};
    for (int f = 1; f <= 3; f++) {
        const char *head = sc_ui[heads[f - 1]][lang];
        if (fmt == SMTPCODES_MARKDOWN) {
            sc_sb_puts(b, "**");
            sc_sb_puts(b, head);
            sc_sb_puts(b, "**\n\n");
        } else if (fmt == SMTPCODES_HTML) {
            sc_put_heading(b, fmt, level, head);
        } else {
            sc_sb_puts(b, head);
            sc_sb_puts(b, ":\n");
        }
        sc_paragraph(b, fmt, smtpcodes_text(c, (smtpcodes_field)f, lang));
    }
}

/* ------------------------------------------------------------------------ */
/* Explain a code                                                             */

static void explain_code(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt, int level) {
    sc_put_code_heading(b, c, lang, fmt, level);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(b, '\n');
    sc_list_open(b, fmt);
    sc_field_open(b, fmt, sc_ui[UI_CLASS][lang]);
    sc_put_class_label(b, c);
    sc_sb_puts(b, smtpcodes_class_name(c, lang));
    sc_sb_puts(b, " (");
    sc_sb_puts(b, sc_retry_text(smtpcodes_permanence_of(c), lang));
    sc_sb_puts(b, ")");
    sc_field_close(b, fmt);
    sc_field_open(b, fmt, sc_ui[c->kind == SMTPCODES_BASIC ? UI_CATEGORY : UI_SUBJECT][lang]);
    sc_put_category_label(b, c);
    sc_sb_puts(b, smtpcodes_category_name(c, lang));
    sc_field_close(b, fmt);
    sc_field_open(b, fmt, sc_ui[UI_STATUS][lang]);
    sc_put_status(b, c, lang);
    sc_field_close(b, fmt);
    if (c->kind == SMTPCODES_BASIC && c->entry) {
        sc_field_open(b, fmt, sc_ui[UI_COMMANDS][lang]);
        sc_put_commands(b, c->entry->commands, lang, ", ");
        sc_field_close(b, fmt);
    }
    if (c->entry && c->entry->nrelated) {
        sc_field_open(b, fmt, sc_ui[UI_RELATED][lang]);
        for (size_t i = 0; i < c->entry->nrelated; i++) {
            if (i) sc_sb_puts(b, ", ");
            sc_sb_puts(b, c->entry->related[i]);
        }
        sc_field_close(b, fmt);
    }
    if (c->entry) {
        sc_field_open(b, fmt, sc_ui[UI_REFERENCES][lang]);
        for (size_t i = 0; i < c->entry->nrefs; i++) {
            if (i) sc_sb_puts(b, "; ");
            sc_sb_puts(b, c->entry->refs[i]);
        }
        sc_field_close(b, fmt);
    }
    if (c->alt) {
        sc_field_open(b, fmt, sc_ui[UI_ALSO_VENDOR][lang]);
        sc_sb_puts(b, c->alt->vendor);
        sc_sb_puts(b, ": ");
        sc_put_md(b, fmt, c->alt->text[SMTPCODES_TITLE][lang]);
        sc_field_close(b, fmt);
    }
    sc_list_close(b, fmt);
    if (fmt != SMTPCODES_HTML) sc_sb_putc(b, '\n');
    sc_put_sections(b, c, lang, fmt, level + 1);
}

int smtpcodes_explain_code(const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt,
                           char *buf, size_t cap) {
    if (!sc_code_ok(c) || (!buf && cap) || !sc_format_ok(fmt)) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "code", lang);
    explain_code(&b, c, lang, fmt, 2);
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* Explain a reply                                                            */

/* The reply's text, sanitised, at most 300 bytes of it. */
static void reply_text(sc_buf *b, const smtpcodes_reply *r, smtpcodes_format fmt) {
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "<code style=\"" ST_CODE "\">");
    size_t budget = 300;
    for (size_t i = 0; i < r->nlines && budget; i++) {
        const smtpcodes_line *L = &r->lines[i];
        if (!L->text_len) continue;
        if (i) sc_sb_putc(b, ' ');
        size_t take = L->text_len < budget ? L->text_len : budget;
        char clean[1024];
        sc_buf cb;
        sc_sb_init(&cb, clean, sizeof clean);
        sc_sb_put_safe(&cb, L->text, L->text_len, take);
        for (const char *p = clean; *p; p++) sc_sb_putc(b, (fmt == SMTPCODES_MARKDOWN && *p == '`') ? '\'' : *p);
        budget -= take;
    }
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(b, "</code>");
}

int smtpcodes_explain_reply(const smtpcodes_reply *r, smtpcodes_lang lang, smtpcodes_format fmt,
                            char *buf, size_t cap) {
    if (!r || (!buf && cap) || !sc_format_ok(fmt)) return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    if (!r->has_basic && !r->has_enhanced) return SMTPCODES_ERR_ARG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "reply", lang);
    sc_heading_open(&b, fmt, 2);
    sc_sb_puts(&b, sc_ui[UI_REPLY][lang]);
    sc_sb_puts(&b, ": ");
    if (r->has_basic) sc_sb_puts(&b, r->reply_code.text);
    if (r->has_basic && r->has_enhanced) sc_sb_putc(&b, ' ');
    if (r->has_enhanced) sc_sb_puts(&b, r->status_code.text);
    sc_sb_puts(&b, " (");
    sc_sb_puts(&b, sc_perm_local[(unsigned)r->permanence < 5u ? r->permanence : 0][lang]);
    sc_sb_puts(&b, ")");
    sc_heading_close(&b, fmt, 2);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(&b, '\n');
    sc_list_open(&b, fmt);
    size_t total = 0;
    for (size_t i = 0; i < r->nlines; i++) total += r->lines[i].text_len;
    if (total) {
        sc_field_open(&b, fmt, sc_ui[UI_TEXT][lang]);
        reply_text(&b, r, fmt);
        sc_field_close(&b, fmt);
    }
    if (r->flags) {
        sc_field_open(&b, fmt, sc_ui[UI_FLAGS][lang]);
        int n = 0;
        for (size_t i = 0; i < SMTPCODES_NFLAGS; i++) {
            if (!(r->flags & (1u << i))) continue;
            if (n++) sc_sb_puts(&b, ", ");
            sc_sb_puts(&b, sc_flag_local[i][lang]);
        }
        sc_field_close(&b, fmt);
    }
    sc_field_open(&b, fmt, sc_ui[UI_RETRY][lang]);
    sc_sb_puts(&b, sc_retry_text(r->permanence, lang));
    sc_field_close(&b, fmt);
    sc_list_close(&b, fmt);
    if (fmt != SMTPCODES_HTML) sc_sb_putc(&b, '\n');
    /* a provider tag in the reply: the provider's meaning first, then the codes */
    const smtpcodes_tag *tag = NULL;
    for (size_t i = 0; i < r->nlines && !tag; i++) {
        size_t end;
        if (smtpcodes_find_tag(r->lines[i].raw, r->lines[i].raw_len, &tag, &end) != 1) tag = NULL;
    }
    if (tag && fmt == SMTPCODES_HTML) {
        sc_html_sub_open(&b, "tag");
        sc_put_tag(&b, tag, lang, fmt, 3);
        sc_sb_raws(&b, "</section>\n");
    } else if (tag) {
        sc_put_tag(&b, tag, lang, fmt, 2);
    }
    const smtpcodes_code *codes[2] = {r->has_basic ? &r->reply_code : NULL, r->has_enhanced ? &r->status_code : NULL};
    for (int i = 0; i < 2; i++) {
        if (!codes[i]) continue;
        if (fmt == SMTPCODES_HTML) {
            sc_html_sub_open(&b, "code");
            explain_code(&b, codes[i], lang, fmt, 3);
            sc_sb_raws(&b, "</section>\n");
        } else {
            explain_code(&b, codes[i], lang, fmt, 2);
        }
    }
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* A classification                                                           */

/* The verdict fields of a classification (permanence, hard bounce, retry), shared
 * by the classification card and the cards that embed one (log records). */
void sc_put_verdict(sc_buf *b, const smtpcodes_classification *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    sc_field_open(b, fmt, sc_ui[UI_PERMANENCE][lang]);
    sc_sb_puts(b, sc_perm_local[(unsigned)c->permanence < 5u ? c->permanence : 0][lang]);
    sc_field_close(b, fmt);
    sc_field_open(b, fmt, sc_ui[UI_HARD_BOUNCE][lang]);
    sc_sb_puts(b, sc_ui[c->hard_bounce ? UI_YES : UI_NO][lang]);
    sc_field_close(b, fmt);
    sc_field_open(b, fmt, sc_ui[UI_RETRY][lang]);
    sc_sb_puts(b, sc_ui[c->retry ? UI_YES : UI_NO][lang]);
    sc_field_close(b, fmt);
}

int smtpcodes_render_classification(const smtpcodes_classification *c, smtpcodes_lang lang, smtpcodes_format fmt,
                                    char *buf, size_t cap) {
    if (!c || (!buf && cap) || !sc_format_ok(fmt) || c->reason < 0 || (size_t)c->reason >= smtpcodes_reason_count())
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_card_open(&b, buf, cap, fmt, "classification", lang);
    const char *name = smtpcodes_reason_name(c->reason);
    sc_heading_open(&b, fmt, 2);
    sc_sb_puts(&b, sc_ui[UI_CLASSIFICATION][lang]);
    sc_sb_puts(&b, ": ");
    sc_sb_puts(&b, smtpcodes_reason_text(c->reason, SMTPCODES_REASON_TITLE, lang));
    sc_heading_close(&b, fmt, 2);
    if (fmt == SMTPCODES_TEXT) sc_sb_putc(&b, '\n');
    sc_list_open(&b, fmt);
    sc_field_open(&b, fmt, sc_ui[UI_REASON][lang]);
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "<code style=\"" ST_CODE "\">");
    sc_sb_puts(&b, name);
    if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
    if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "</code>");
    sc_field_close(&b, fmt);
    sc_put_verdict(&b, c, lang, fmt);
    if (c->has_basic || c->has_enhanced) {
        sc_field_open(&b, fmt, sc_ui[UI_CODE][lang]);
        if (c->has_basic) sc_sb_puts(&b, c->code.text);
        if (c->has_basic && c->has_enhanced) sc_sb_putc(&b, ' ');
        if (c->has_enhanced) sc_sb_puts(&b, c->enhanced.text);
        sc_field_close(&b, fmt);
    }
    if (c->provider) {
        sc_field_open(&b, fmt, sc_ui[UI_PROVIDER][lang]);
        sc_put_md(&b, fmt, c->provider);
        sc_field_close(&b, fmt);
    }
    {   /* who carried it, at which stage, with which provider tag */
        static const char *const labels[3][SMTPCODES_NLANG] = {
            {"MTA", "MTA"}, {"SMTP stage", "Etapa SMTP"}, {"Provider tag", "Etiqueta del proveedor"}};
        const char *vals[3] = {c->mta, c->stage, c->tag};
        for (int k = 0; k < 3; k++) {
            if (!vals[k]) continue;
            sc_field_open(&b, fmt, labels[k][lang]);
            sc_put_md(&b, fmt, vals[k]);
            sc_field_close(&b, fmt);
        }
    }
    sc_field_open(&b, fmt, sc_ui[UI_EVIDENCE][lang]);
    b.md = fmt == SMTPCODES_MARKDOWN;   /* the evidence quotes a phrase of the rules */
    sc_put_evidence(&b, c, lang);
    b.md = 0;
    sc_field_close(&b, fmt);
    sc_list_close(&b, fmt);
    if (fmt != SMTPCODES_HTML) sc_sb_putc(&b, '\n');
    sc_put_heading(&b, fmt, 3, sc_ui[UI_WHAT_TO_DO][lang]);
    if (fmt == SMTPCODES_HTML) sc_sb_raws(&b, "<p style=\"" ST_P "\">");
    b.md = fmt == SMTPCODES_MARKDOWN;
    sc_put_retry(&b, c, lang);
    b.md = 0;
    sc_sb_raws(&b, fmt == SMTPCODES_HTML ? "</p>\n" : "\n");
    if (fmt == SMTPCODES_HTML) sc_html_close(&b);
    return sc_sb_result(&b);
}

/* ------------------------------------------------------------------------ */
/* One entry point for the bindings                                           */

int smtpcodes_render(const smtpcodes_render_req *q, char *buf, size_t cap) {
    if (!q || !q->obj) return SMTPCODES_ERR_ARG;
    switch (q->what) {
    case SMTPCODES_RENDER_CODE: return smtpcodes_explain_code(q->obj, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_REPLY: return smtpcodes_explain_reply(q->obj, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_REPLY_TEXT: {
        if (!buf && cap) return SMTPCODES_ERR_ARG;
        size_t n = smtpcodes_reply_text(q->obj, buf, cap);
        return n > (size_t)INT_MAX ? SMTPCODES_ERR_TOO_LONG : (int)n;
    }
    case SMTPCODES_RENDER_COMPARISON:
        return smtpcodes_render_comparison(q->obj, q->section, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_ASPECT: return smtpcodes_aspect_value(q->obj, q->aspect, q->which, q->lang, buf, cap);
    case SMTPCODES_RENDER_CLASSIFICATION:
        return smtpcodes_render_classification(q->obj, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_EVIDENCE: return smtpcodes_render_evidence(q->obj, q->lang, buf, cap);
    case SMTPCODES_RENDER_RETRY: return smtpcodes_render_retry(q->obj, q->lang, buf, cap);
    case SMTPCODES_RENDER_BOUNCE: return smtpcodes_render_bounce(q->obj, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_TAG: return smtpcodes_render_tag(q->obj, q->lang, q->fmt, buf, cap);
    case SMTPCODES_RENDER_LOG: return smtpcodes_render_log(q->obj, q->lang, q->fmt, buf, cap);
    default: return SMTPCODES_ERR_ARG;
    }
}
