/* commands.c - which replies an SMTP command may get.
 *
 * Owns command names and the validity of a (command, code) pair: the codes
 * RFC 5321 4.3.2 and the extension RFCs list for each command, plus those any
 * command may get (the ANY pseudo-command). The table itself is generated
 * (codes.toml) and read through sc_command_codes(). */
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

enum { CMD_ANY = 1 };

/* Union of the command's codes and those of ANY, ascending; returns the count. */
static size_t command_union(int cmd, unsigned short *out) {
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        int idx = pass == 0 ? cmd : CMD_ANY;
        if (pass == 1 && cmd == CMD_ANY) break;
        size_t ncodes = 0;
        const unsigned short *codes = sc_command_codes((size_t)idx, &ncodes);
        for (size_t i = 0; i < ncodes; i++) {
            unsigned short v = codes[i];
            size_t j = 0;
            while (j < n && out[j] < v) j++;
            if (j < n && out[j] == v) continue;
            memmove(out + j + 1, out + j, (n - j) * sizeof *out);
            out[j] = v;
            n++;
        }
    }
    return n;
}

int smtpcodes_replies_for(const char *command, size_t len, int *codes, size_t cap) {
    if (!codes && cap) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    unsigned short u[128];
    size_t n = command_union(cmd, u);
    for (size_t i = 0; i < n && i < cap; i++) codes[i] = u[i];
    return (int)n;
}

int smtpcodes_is_valid_reply(const char *command, size_t len, const smtpcodes_code *c) {
    if (!sc_code_ok(c)) return SMTPCODES_ERR_ARG;
    int cmd = smtpcodes_command_index(command, len);
    if (cmd < 0) return cmd;
    unsigned short u[128];
    size_t n = command_union(cmd, u);
    if (c->kind == SMTPCODES_BASIC) {
        int v = c->digits[0] * 100 + c->digits[1] * 10 + c->digits[2];
        for (size_t i = 0; i < n; i++)
            if (u[i] == v) return 1;
        return 0;
    }
    if (c->entry && c->entry->nbasic) {
        for (size_t k = 0; k < c->entry->nbasic; k++)
            for (size_t i = 0; i < n; i++)
                if (u[i] == c->entry->basic_codes[k] &&
                    (c->digits[0] == 0 || u[i] / 100 == c->digits[0]))
                    return 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)   /* no association: any reply of its class */
        if (c->digits[0] == 0 || u[i] / 100 == c->digits[0]) return 1;
    return 0;
}
