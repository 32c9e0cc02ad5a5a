/* main.c - the `smtpcodes` command. */
#include "cli.h"

int main(int argc, char **argv) { return smtpcodes_cli(argc, argv); }
