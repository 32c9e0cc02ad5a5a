#!/usr/bin/env bash
# classify_exact.sh [REF] - does the working tree classify exactly as REF (default HEAD) does?
# Builds tests/tools/classify_dump.c against REF's csrc/ (from git archive, in a temporary
# directory) and against the working tree's, runs both over tests/tools/exact_inputs.py's
# texts and compares every field of every classification. For changes to the matcher or the
# parser that must not change a verdict or a parse (issue 16). Exit 0: identical; 1: a difference (the
# first ones are shown); 2: a build failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ref=${1:-HEAD}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ref"
git archive "$ref" csrc | tar -x -C "$tmp/ref" || exit 2
"$cc" -std=c11 -O2 -I"$tmp/ref/csrc" -o "$tmp/dump_ref" "$tmp"/ref/csrc/*.c tests/tools/classify_dump.c || exit 2
"$cc" -std=c11 -O2 -Icsrc -o "$tmp/dump_new" csrc/*.c tests/tools/classify_dump.c || exit 2
# the working tree's portable byte scans (no word-wide or SSE2 paths) must agree with its fast ones
"$cc" -std=c11 -O2 -DSC_PORTABLE_SCAN -Icsrc -o "$tmp/dump_port" csrc/*.c tests/tools/classify_dump.c || exit 2
"${PYTHON:-python3}" tests/tools/exact_inputs.py > "$tmp/inputs.txt" || exit 2
"$tmp/dump_ref" "$tmp/inputs.txt" > "$tmp/ref.txt" || exit 2
"$tmp/dump_new" "$tmp/inputs.txt" > "$tmp/new.txt" || exit 2
"$tmp/dump_port" "$tmp/inputs.txt" > "$tmp/port.txt" || exit 2
n=$(wc -l < "$tmp/inputs.txt")
if ! cmp -s "$tmp/new.txt" "$tmp/port.txt"; then
  echo "classify_exact: the working tree's fast scans differ from its portable ones (SC_PORTABLE_SCAN; - fast, + portable):"
  diff "$tmp/new.txt" "$tmp/port.txt" | head -n 40
  exit 1
fi
if cmp -s "$tmp/ref.txt" "$tmp/new.txt"; then
  echo "classify_exact: $n texts, every field the same as $ref (and with SC_PORTABLE_SCAN)"
  exit 0
fi
echo "classify_exact: classifications differ from $ref (line<TAB>fields; - $ref, + working tree):"
diff "$tmp/ref.txt" "$tmp/new.txt" | head -n 40
exit 1
