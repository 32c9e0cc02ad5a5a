/* cli.h - the smtpcodes command line as a function, shared by the `smtpcodes`
 * binary and `python -m smtpcodes`. Writes to stdout/stderr, reads stdin or
 * the named file; returns the exit status (0 ok, 1 not found, 2 usage). */
#ifndef SMTPCODES_CLI_H
#define SMTPCODES_CLI_H
#if defined(__GNUC__)
__attribute__((visibility("hidden")))
#endif
int smtpcodes_cli(int argc, char **argv);
#endif
