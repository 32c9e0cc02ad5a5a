/* fuzz_smtpcodes.c - libFuzzer targets for the core. Build one binary per
 * target with -DFUZZ_TARGET=<name>: lookup, parse_strict, parse_lenient,
 * explain, compare, classify (see `make fuzz`). Each target also checks the
 * invariants the API promises, and aborts when one breaks. */
#include "smtpcodes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static char out[1 << 16];

static void check_code(const smtpcodes_code *c) {
    for (int f = 0; f < SMTPCODES_NFIELD; f++)
        for (int l = 0; l < SMTPCODES_NLANG; l++)
            REQUIRE(smtpcodes_text(c, (smtpcodes_field)f, (smtpcodes_lang)l) != NULL);
    int n = smtpcodes_explain_code(c, SMTPCODES_ES, SMTPCODES_MARKDOWN, out, sizeof out);
    REQUIRE(n > 0 && (size_t)n < sizeof out && strlen(out) == (size_t)n);
}

static void check_reply(const char *s, size_t len, const smtpcodes_reply *r) {
    REQUIRE(r->has_basic || r->has_enhanced);
    REQUIRE(r->nlines <= SMTPCODES_MAX_LINES && r->nlines <= r->total_lines);
    for (size_t i = 0; i < r->nlines; i++) {
        REQUIRE(r->lines[i].raw >= s && r->lines[i].raw + r->lines[i].raw_len <= s + len);
        REQUIRE(r->lines[i].text >= r->lines[i].raw &&
                r->lines[i].text + r->lines[i].text_len <= r->lines[i].raw + r->lines[i].raw_len);
    }
    int n = smtpcodes_explain_reply(r, SMTPCODES_EN, SMTPCODES_TEXT, out, sizeof out);
    REQUIRE(n > 0);
    n = smtpcodes_explain_reply(r, SMTPCODES_ES, SMTPCODES_MARKDOWN, NULL, 0);
    REQUIRE(n > 0);
    char small[7];
    size_t t = smtpcodes_reply_text(r, small, sizeof small);
    REQUIRE(strlen(small) <= 6 && strlen(small) <= t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
#if defined(FUZZ_lookup)
    smtpcodes_code c;
    if (smtpcodes_lookup(s, size, &c) == SMTPCODES_OK) {
        check_code(&c);
        smtpcodes_code d;
        REQUIRE(smtpcodes_lookup(c.text, strlen(c.text), &d) == SMTPCODES_OK && d.entry == c.entry);
        (void)smtpcodes_is_valid_reply(s, size, &c);
    }
    const smtpcodes_entry *found[8];
    (void)smtpcodes_search(s, size, -1, found, 8);
    int codes[8];
    (void)smtpcodes_replies_for(s, size, codes, 8);
#elif defined(FUZZ_parse_strict) || defined(FUZZ_parse_lenient)
#  if defined(FUZZ_parse_strict)
    unsigned opt = SMTPCODES_STRICT;
#  else
    unsigned opt = 0;
#  endif
    static smtpcodes_reply r;
    if (smtpcodes_parse(s, size, opt, &r) == SMTPCODES_OK) check_reply(s, size, &r);
#elif defined(FUZZ_explain)
    static smtpcodes_reply r;
    smtpcodes_code c;
    if (smtpcodes_lookup(s, size, &c) == SMTPCODES_OK) check_code(&c);
    else if (smtpcodes_parse(s, size, 0, &r) == SMTPCODES_OK) check_reply(s, size, &r);
#elif defined(FUZZ_compare)
    /* split the input at the first NUL or newline into two codes */
    size_t cut = 0;
    while (cut < size && s[cut] != '\n' && s[cut] != '\0') cut++;
    smtpcodes_code a, b;
    if (smtpcodes_lookup(s, cut, &a) != SMTPCODES_OK) return 0;
    size_t rest = cut < size ? size - cut - 1 : 0;
    if (smtpcodes_lookup(s + size - rest, rest, &b) != SMTPCODES_OK) return 0;
    smtpcodes_comparison cmp;
    REQUIRE(smtpcodes_compare(&a, &b, &cmp) == SMTPCODES_OK);
    for (int sec = 0; sec <= SMTPCODES_SECTION_WHEN_TO_USE; sec++) {
        int n = smtpcodes_render_comparison(&cmp, (smtpcodes_section)sec, SMTPCODES_ES, SMTPCODES_MARKDOWN, out, sizeof out);
        REQUIRE(n > 0 && (size_t)n < sizeof out);
    }
#elif defined(FUZZ_classify)
    smtpcodes_classification c;
    int st = smtpcodes_classify(s, size, &c);
    if (st == SMTPCODES_OK) {
        REQUIRE(smtpcodes_reason_name(c.reason) != NULL);
        REQUIRE(c.phrase_end <= size);
        REQUIRE(smtpcodes_render_evidence(&c, SMTPCODES_EN, out, sizeof out) > 0);
        REQUIRE(smtpcodes_render_retry(&c, SMTPCODES_ES, out, sizeof out) > 0);
    } else {
        REQUIRE(st == SMTPCODES_ERR_EMPTY);
    }
#else
#  error "define FUZZ_<target>"
#endif
    return 0;
}
