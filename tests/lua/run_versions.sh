#!/bin/sh
# Build the Lua module with cc for every installed Lua (5.4, 5.3, 5.1, LuaJIT)
# into build/lua-VERSION/smtpcodes.so and run the busted suite under each.
# Interpreters that are not installed are skipped with a note.
# Exits non-zero if any build or suite fails. Run from anywhere.
#   CC=clang tests/lua/run_versions.sh        EXTRA_CFLAGS="-fsanitize=..." also honoured
set -u
cd "$(dirname "$0")/../.." || exit 2

CC=${CC:-cc}
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -pthread -fPIC -shared -fvisibility=hidden ${EXTRA_CFLAGS:-}"
SOURCES="$(ls csrc/*.c) bindings/lua/lsmtpcodes.c"   # every source of the core (csrc/*.c)

if ! command -v busted >/dev/null 2>&1; then
    echo "run_versions: busted is not installed" >&2
    exit 2
fi

status=0
ran=0
summary=""
# version  interpreter  pkg-config name
for spec in "5.4 lua5.4 lua5.4" "5.3 lua5.3 lua5.3" "5.1 lua5.1 lua5.1" "luajit luajit luajit"; do
    set -- $spec
    version=$1 interp=$2 pc=$3
    if ! command -v "$interp" >/dev/null 2>&1; then
        echo "== $version: $interp not installed, skipped"
        summary="$summary
$version: skipped ($interp not installed)"
        continue
    fi
    if ! inc=$(pkg-config --cflags "$pc" 2>/dev/null); then
        echo "== $version: no pkg-config '$pc' (install its -dev package), skipped"
        summary="$summary
$version: skipped (no headers)"
        continue
    fi
    out=build/lua-$version
    mkdir -p "$out"
    echo "== $version: building $out/smtpcodes.so"
    # shellcheck disable=SC2086
    if ! $CC $CFLAGS $inc -Icsrc -o "$out/smtpcodes.so" $SOURCES; then
        echo "== $version: BUILD FAILED"
        summary="$summary
$version: build failed"
        status=1
        continue
    fi
    log=$out/busted.log
    echo "== $version: busted --lua=$interp --cpath=./$out/?.so"
    busted --lua="$interp" --cpath="./$out/?.so" >"$log" 2>&1
    rc=$?
    counts=$(grep -E '^[0-9]+ success(es)? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$log" | tail -n 1)
    [ -n "$counts" ] || counts="no busted summary (see $log)"
    ran=$((ran + 1))
    if [ "$rc" -ne 0 ]; then
        status=1
        sed -n '3,60p' "$log"
        counts="$counts  FAILED (exit $rc)"
    fi
    echo "== $version: $counts"
    summary="$summary
$version: $counts"
done

echo
echo "Lua versions:$summary"
if [ "$ran" -eq 0 ]; then
    echo "run_versions: no Lua interpreter ran" >&2
    exit 1
fi
exit $status
