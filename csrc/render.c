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

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Explain                                                                    */

void sc_put_heading(sc_buf *b, smtpcodes_format fmt, int level, const char *title) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sc_sb_puts(b, level == 2 ? "## " : "### ");
        sc_sb_puts(b, title);
        sc_sb_puts(b, "\n\n");
    } else {
        sc_sb_puts(b, title);
        sc_sb_putc(b, '\n');
    }
}

static void put_label(sc_buf *b, smtpcodes_format fmt, const char *label) {
    if (fmt == SMTPCODES_MARKDOWN) {
        sc_sb_puts(b, "- **");
        sc_sb_puts(b, label);
        sc_sb_puts(b, ":** ");
    } else {
        sc_sb_puts(b, label);
        sc_sb_puts(b, ": ");
    }
}

/* Markdown-escape characters that would change the rendering. */
void sc_put_md(sc_buf *b, smtpcodes_format fmt, const char *s) {
    if (fmt != SMTPCODES_MARKDOWN) { sc_sb_puts(b, s); return; }
    for (; *s; s++) {
        if (strchr("\\`*_[]<>|#", *s)) sc_sb_putc(b, '\\');
        sc_sb_putc(b, *s);
    }
}

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

/* The three sections Description / When you'll see it / How to fix it. */
void sc_put_sections(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    static const int heads[3] = {UI_DESCRIPTION, UI_WHEN, UI_FIX};
    for (int f = 1; f <= 3; f++) {
        if (fmt == SMTPCODES_MARKDOWN) {
            sc_sb_puts(b, "**");
            sc_sb_puts(b, sc_ui[heads[f - 1]][lang]);
            sc_sb_puts(b, "**\n\n");
        } else {
            sc_sb_puts(b, sc_ui[heads[f - 1]][lang]);
            sc_sb_puts(b, ":\n");
        }
        sc_put_md(b, fmt, smtpcodes_text(c, (smtpcodes_field)f, lang));
        sc_sb_puts(b, "\n\n");
    }
}

static void explain_code(sc_buf *b, const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt) {
    char head[600];
    snprintf(head, sizeof head, "%s %s %s", c->text, fmt == SMTPCODES_MARKDOWN ? "\xE2\x80\x94" : "-",
             smtpcodes_text(c, SMTPCODES_TITLE, lang));
    sc_put_heading(b, fmt, 2, head);
    if (fmt != SMTPCODES_MARKDOWN) sc_sb_putc(b, '\n');
    put_label(b, fmt, sc_ui[UI_CLASS][lang]);
    sc_put_class_label(b, c);
    sc_sb_puts(b, smtpcodes_class_name(c, lang));
    sc_sb_puts(b, " (");
    sc_sb_puts(b, sc_retry_text(smtpcodes_permanence_of(c), lang));
    sc_sb_puts(b, ")\n");
    put_label(b, fmt, sc_ui[c->kind == SMTPCODES_BASIC ? UI_CATEGORY : UI_SUBJECT][lang]);
    sc_put_category_label(b, c);
    sc_sb_puts(b, smtpcodes_category_name(c, lang));
    sc_sb_putc(b, '\n');
    put_label(b, fmt, sc_ui[UI_STATUS][lang]);
    sc_put_status(b, c, lang);
    sc_sb_putc(b, '\n');
    if (c->kind == SMTPCODES_BASIC && c->entry) {
        put_label(b, fmt, sc_ui[UI_COMMANDS][lang]);
        sc_put_commands(b, c->entry->commands, lang, ", ");
        sc_sb_putc(b, '\n');
    }
    if (c->entry && c->entry->nrelated) {
        put_label(b, fmt, sc_ui[UI_RELATED][lang]);
        for (size_t i = 0; i < c->entry->nrelated; i++) {
            if (i) sc_sb_puts(b, ", ");
            sc_sb_puts(b, c->entry->related[i]);
        }
        sc_sb_putc(b, '\n');
    }
    if (c->entry) {
        put_label(b, fmt, sc_ui[UI_REFERENCES][lang]);
        for (size_t i = 0; i < c->entry->nrefs; i++) {
            if (i) sc_sb_puts(b, "; ");
            sc_sb_puts(b, c->entry->refs[i]);
        }
        sc_sb_putc(b, '\n');
    }
    if (c->alt) {
        put_label(b, fmt, sc_ui[UI_ALSO_VENDOR][lang]);
        sc_sb_puts(b, c->alt->vendor);
        sc_sb_puts(b, ": ");
        sc_put_md(b, fmt, c->alt->text[SMTPCODES_TITLE][lang]);
        sc_sb_putc(b, '\n');
    }
    sc_sb_putc(b, '\n');
    sc_put_sections(b, c, lang, fmt);
}

int smtpcodes_explain_code(const smtpcodes_code *c, smtpcodes_lang lang, smtpcodes_format fmt,
                           char *buf, size_t cap) {
    if (!sc_code_ok(c) || (!buf && cap) || (fmt != SMTPCODES_TEXT && fmt != SMTPCODES_MARKDOWN))
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    explain_code(&b, c, lang, fmt);
    return sc_sb_result(&b);
}

int smtpcodes_explain_reply(const smtpcodes_reply *r, smtpcodes_lang lang, smtpcodes_format fmt,
                            char *buf, size_t cap) {
    if (!r || (!buf && cap) || (fmt != SMTPCODES_TEXT && fmt != SMTPCODES_MARKDOWN))
        return SMTPCODES_ERR_ARG;
    if (!sc_lang_ok(lang)) return SMTPCODES_ERR_LANG;
    if (!r->has_basic && !r->has_enhanced) return SMTPCODES_ERR_ARG;
    sc_buf b;
    sc_sb_init(&b, buf, cap);
    char head[64];
    snprintf(head, sizeof head, "%s: %s%s%s (%s)", sc_ui[UI_REPLY][lang],
             r->has_basic ? r->reply_code.text : "", r->has_basic && r->has_enhanced ? " " : "",
             r->has_enhanced ? r->status_code.text : "",
             sc_perm_local[(unsigned)r->permanence < 5u ? r->permanence : 0][lang]);
    sc_put_heading(&b, fmt, 2, head);
    if (fmt != SMTPCODES_MARKDOWN) sc_sb_putc(&b, '\n');
    size_t total = 0;
    for (size_t i = 0; i < r->nlines; i++) total += r->lines[i].text_len;
    if (total) {
        put_label(&b, fmt, sc_ui[UI_TEXT][lang]);
        if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
        size_t budget = 300;
        for (size_t i = 0; i < r->nlines && budget; i++) {
            const smtpcodes_line *L = &r->lines[i];
            if (!L->text_len) continue;
            if (i) sc_sb_putc(&b, ' ');
            size_t take = L->text_len < budget ? L->text_len : budget;
            char clean[1024];
            sc_buf cb;
            sc_sb_init(&cb, clean, sizeof clean);
            sc_sb_put_safe(&cb, L->text, L->text_len, take);
            for (const char *p = clean; *p; p++) sc_sb_putc(&b, *p == '`' ? '\'' : *p);
            budget -= take;
        }
        if (fmt == SMTPCODES_MARKDOWN) sc_sb_putc(&b, '`');
        sc_sb_putc(&b, '\n');
    }
    if (r->flags) {
        put_label(&b, fmt, sc_ui[UI_FLAGS][lang]);
        int n = 0;
        for (size_t i = 0; i < SMTPCODES_NFLAGS; i++) {
            if (!(r->flags & (1u << i))) continue;
            if (n++) sc_sb_puts(&b, ", ");
            sc_sb_puts(&b, sc_flag_names[i]);
        }
        sc_sb_putc(&b, '\n');
    }
    put_label(&b, fmt, sc_ui[UI_RETRY][lang]);
    sc_sb_puts(&b, sc_retry_text(r->permanence, lang));
    sc_sb_puts(&b, "\n\n");
    if (r->has_basic) explain_code(&b, &r->reply_code, lang, fmt);
    if (r->has_enhanced) explain_code(&b, &r->status_code, lang, fmt);
    return sc_sb_result(&b);
}
