/* explain.c - a C program linking the smtpcodes core.
 *
 *   cc -std=c11 -I../csrc -o explain explain.c $(ls ../csrc/[a-z]*.c)
 *   (that is, every .c file of the core in ../csrc)
 *   ./explain "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
 *
 * Parses the reply, prints its explanation, classifies it and compares its
 * basic code with the temporary counterpart. No allocation: every result lives
 * in storage this program provides. */
#include <stdio.h>
#include <string.h>

#include "smtpcodes.h"

int main(int argc, char **argv) {
    const char *reply = argc > 1 ? argv[1] : "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown";
    static smtpcodes_reply r;   /* large: keep it off the stack */
    int st = smtpcodes_parse(reply, strlen(reply), 0, &r);
    if (st != SMTPCODES_OK) {
        fprintf(stderr, "explain: %s\n", smtpcodes_strerror(st));
        return 2;
    }
    static char buf[1 << 15];
    smtpcodes_explain_reply(&r, SMTPCODES_EN, SMTPCODES_TEXT, buf, sizeof buf);
    fputs(buf, stdout);

    smtpcodes_classification c;
    smtpcodes_classify(reply, strlen(reply), &c);
    smtpcodes_render_evidence(&c, SMTPCODES_EN, buf, sizeof buf);
    printf("Reason: %s (%s, hard bounce: %s)\nEvidence: %s\n", smtpcodes_reason_name(c.reason),
           smtpcodes_permanence_name(c.permanence), c.hard_bounce ? "yes" : "no", buf);

    if (r.has_basic && r.reply_code.digits[0] == 5) {
        smtpcodes_code temp;
        smtpcodes_lookup_basic(400 + r.reply_code.digits[1] * 10 + r.reply_code.digits[2], &temp);
        smtpcodes_comparison cmp;
        smtpcodes_compare(&r.reply_code, &temp, &cmp);
        smtpcodes_render_comparison(&cmp, SMTPCODES_SECTION_SUMMARY, SMTPCODES_ES, SMTPCODES_TEXT, buf, sizeof buf);
        printf("\n%s\n", buf);
    }
    return 0;
}
