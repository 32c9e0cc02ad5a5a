"""python -m smtpcodes ARGS: the smtpcodes command line.

The same C code as the `smtpcodes` binary (bindings/cli/cli.c, linked into the
extension), so the output is byte-identical; see `python -m smtpcodes --help`.
"""
import sys

from ._smtpcodes import _cli


def main() -> int:
    return _cli(["smtpcodes", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
