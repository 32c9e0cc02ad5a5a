/* unescape.h - the test tools' reading of one text per line: \n, \t, \r and \\ escaped.
 * Unescapes s in place and returns its length. */
#ifndef SMTPCODES_TOOLS_UNESCAPE_H
#define SMTPCODES_TOOLS_UNESCAPE_H
#include <stddef.h>

static size_t unescape(char *s) {
    size_t n = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1] == 'n') { s[n++] = '\n'; i++; }
        else if (s[i] == '\\' && s[i + 1] == 't') { s[n++] = '\t'; i++; }
        else if (s[i] == '\\' && s[i + 1] == 'r') { s[n++] = '\r'; i++; }
        else if (s[i] == '\\' && s[i + 1] == '\\') { s[n++] = '\\'; i++; }
        else s[n++] = s[i];
    }
    s[n] = '\0';
    return n;
}
#endif
