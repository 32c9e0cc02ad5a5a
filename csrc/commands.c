/* commands.c - which replies an SMTP command may get.
 *
 * Owns command names and the validity of a (command, code) pair: the codes
 * RFC 5321 4.3.2 and the extension RFCs list for each command, plus those
 * every command may get (the ANY pseudo-command: 500, 501 and 421, RFC 5321
 * 4.3.2). The replies that apply to "every command other than ..." (530 of
 * RFC 3207 4 and RFC 4954 6, 554 of RFC 3207 4.1) are in the rows of the
 * commands they apply to, not in ANY: the generator (gen_data.py) expands
 * them, so that QUIT, NOOP, EHLO and STARTTLS never get 530, nor QUIT 554.
 * CONNECTION (the greeting) is no command: it gets its own codes only (220,
 * 421, 554 and RFC 7504's 521), never ANY's. The table itself is generated
 * from codes.toml and read through sc_command_codes(). */
#include "internal.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Commands                                                                   */

int smtpcodes_command_index(const char *name, size_t len) {
    if (!name && len) return SMTPCODES_ERR_ARG;
    while (len && sc_is_space((unsigned char)name[0])) { name++; len--; }
    size_t n = 0;   /* the first word: "MAIL FROM:<a@b>" names MAIL */
    while (n < len && !sc_is_space((unsigned char)name[n]) && name[n] != ':') n++;
    if (!n) return SMTPCODES_ERR_EMPTY;
    for (size_t i = 0; i < smtpcodes_command_count(); i++) {
        const char *c = smtpcodes_command_name(i);
        if (strlen(c) != n) continue;
        size_t k = 0;
        while (k < n && sc_lower((unsigned char)name[k]) == sc_lower((unsigned char)c[k])) k++;
        if (k == n) return (int)i;
    }
    return SMTPCODES_ERR_COMMAND;
}

enum { CMD_CONNECTION = 0, CMD_ANY = 1 };

/* The codes a command may get, as a set of basic codes (bit v for code v). */
typedef struct code_set { unsigned char bits[1000 / 8 + 1]; } code_set;

static void set_add_command(code_set *s, size_t cmd) {
    size_t n = 0;
    const unsigned short *codes = sc_command_codes(cmd, &n);
    for (size_t i = 0; i < n; i++)
        if (codes[i] < 1000) s->bits[codes[i] / 8] |= (unsigned char)(1u << (codes[i] % 8));
}

static int set_has(const code_set *s, int v) {
    return v >= 0 && v < 1000 && (s->bits[v / 8] >> (v % 8) & 1);
}

/* The command's own codes, and those of ANY unless it is the greeting. */
static void command_set(int cmd, code_set *s) {
    memset(s, 0, sizeof *s);
    set_add_command(s, (size_t)cmd);
    if (cmd != CMD_CONNECTION && cmd != CMD_ANY) set_add_command(s, CMD_ANY);
}

int smtpcodes_replies_for(const char *command, size_t len, int *codes, size_t cap) {
    if (!codes && cap) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    code_set s;
    command_set(cmd, &s);
    size_t n = 0;
    for (int v = 100; v < 1000; v++) {
        if (!set_has(&s, v)) continue;
        if (n < cap) codes[n] = v;
        n++;
    }
    return (int)n;
}

int smtpcodes_is_valid_reply(const char *command, size_t len, const smtpcodes_code *c) {
    if (!sc_code_ok(c)) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    code_set s;
    command_set(cmd, &s);
    if (c->kind == SMTPCODES_BASIC) return set_has(&s, c->digits[0] * 100 + c->digits[1] * 10 + c->digits[2]);
    if (c->entry && c->entry->nbasic) {
        for (size_t k = 0; k < c->entry->nbasic; k++) {
            int v = c->entry->basic_codes[k];
            if (set_has(&s, v) && (c->digits[0] == 0 || v / 100 == c->digits[0])) return 1;
        }
        return 0;
    }
    for (int v = 100; v < 1000; v++)   /* no association: any reply of its class */
        if (set_has(&s, v) && (c->digits[0] == 0 || v / 100 == c->digits[0])) return 1;
    return 0;
}
