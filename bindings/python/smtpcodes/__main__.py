"""python -m smtpcodes ARGS: the smtpcodes command line.

The same C code as the `smtpcodes` binary (bindings/cli/cli.c, linked into the
extension), so the output is byte-identical; see `python -m smtpcodes --help`.

Python ignores SIGPIPE and turns SIGINT into KeyboardInterrupt, which the C code,
busy reading stdin, would never see: the signals get back the default action a
command has, so that `... | python -m smtpcodes classify | head -1` ends by SIGPIPE
as soon as head exits, and Ctrl-C ends it at once, exactly like the binary.
"""
import signal
import sys

from ._smtpcodes import _cli


def main() -> int:
    for name in ("SIGPIPE", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    return _cli(["smtpcodes", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
