#!/usr/bin/env bash
# Check the hardening of the three release artefacts from their ELF headers (readelf);
# builds nothing: run it after `make test`, which builds them all.
#   - the CLI binary            build/smtpcodes
#   - the Python extension      smtpcodes/_smtpcodes*.so as installed in build/venv
#   - the Lua rock's module     build/lua_modules/lib/lua/5.4/smtpcodes.so
# Each must have a GNU_RELRO segment, BIND_NOW (full RELRO: BIND_NOW or FLAGS_1 NOW), no
# RUNPATH or RPATH, a reference to __stack_chk_fail (-fstack-protector-strong: the code has
# local arrays) and at least one fortified *_chk function (-D_FORTIFY_SOURCE=2 with -O2).
# Extra paths given as arguments are checked too (e.g. build/lua/smtpcodes.so).
# Prints one line per missing property naming the artefact; exits 1 if any is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v readelf >/dev/null || { echo "check_hardening: readelf not found (binutils)"; exit 1; }

VPY=${VPY:-build/venv/bin/python}
ext=""
if [ -x "$VPY" ]; then
  ext=$("$VPY" -P -c 'import smtpcodes._smtpcodes as m; print(m.__file__)' 2>/dev/null)
fi
rock=$(find build/lua_modules -path '*/lib/lua/5.4/smtpcodes.so' 2>/dev/null | head -n 1)

failed=0; checked=0
missing() { echo "check_hardening: $1: $2"; failed=$((failed + 1)); }

check() {  # label, path
  local label=$1 f=$2
  if [ -z "$f" ] || [ ! -f "$f" ]; then missing "$label" "not found${f:+ at $f} (run make test first)"; return; fi
  checked=$((checked + 1))
  local prog dyn syms
  prog=$(readelf -lW "$f" 2>&1) || { missing "$label ($f)" "not an ELF file: $prog"; return; }
  dyn=$(readelf -dW "$f" 2>&1)
  syms=$(readelf --dyn-syms -W "$f" 2>&1)
  grep -q 'GNU_RELRO' <<<"$prog" || missing "$label ($f)" "no GNU_RELRO segment (link with -Wl,-z,relro)"
  if ! grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*[[:space:]]NOW' <<<"$dyn"; then
    missing "$label ($f)" "no BIND_NOW / FLAGS_1 NOW: partial RELRO only (link with -Wl,-z,now)"
  fi
  if grep -Eq '\((RUNPATH|RPATH)\)' <<<"$dyn"; then
    missing "$label ($f)" "has $(grep -Eo '\((RUNPATH|RPATH)\).*' <<<"$dyn" | head -n 1 | tr -s ' ')"
  fi
  grep -Eq '[[:space:]]__stack_chk_fail(@|$)' <<<"$syms" \
    || missing "$label ($f)" "no __stack_chk_fail reference (compile with -fstack-protector-strong)"
  grep -Eqw '__[A-Za-z0-9_]+_chk' <<<"$syms" \
    || missing "$label ($f)" "no fortified *_chk function (compile with -O2 -D_FORTIFY_SOURCE=2)"
}

check "CLI binary" build/smtpcodes
check "Python extension" "$ext"
check "Lua rock" "$rock"
for extra in "$@"; do check "$extra" "$extra"; done

if [ "$failed" -ne 0 ]; then
  echo "check_hardening: $failed missing properties"
  exit 1
fi
echo "check_hardening: $checked artefacts hardened (RELRO, BIND_NOW, no RUNPATH, stack protector, FORTIFY)"
