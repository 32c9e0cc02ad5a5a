/* main.c - the `smtpcodes` command. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv) {
    int rc = smtpcodes_cli(argc, argv);
    /* smtpcodes_cli() has written and checked its output; closing stdout reports what
     * only a close can (an NFS write-back error). 141: a broken pipe, nothing to say. */
    if (fclose(stdout) != 0 && rc == 0) {
        fprintf(stderr, "smtpcodes: cannot write to standard output: %s\n", strerror(errno));
        rc = 2;
    }
    return rc;
}
