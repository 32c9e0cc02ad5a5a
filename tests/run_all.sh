#!/usr/bin/env bash
# Run every test suite (C, Python, Lua) and end with one line: "N passed, N failed".
# Called by `make test`. Each suite's log is kept in build/logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
mkdir -p build/logs
bash tests/install_deps.sh || { echo "run_all: could not install the test dependencies"; exit 1; }
total_pass=0; total_fail=0; status=0
note() { printf '%s\n' "$*"; }

count() {  # suite name, passed, failed, exit status
  total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
  note "== $1: $2 passed, $3 failed (exit $4)"
  if [ "$4" -ne 0 ] || [ "$3" -ne 0 ] || [ "$2" -eq 0 ]; then status=1; fi
}

# 1. generated table is fresh
if "$PY" csrc/data/gen_data.py --check; then count gen 1 0 0; else count gen 0 1 1; fi

# 2. C core (ASan + UBSan)
make -s build/test_smtpcodes_san >build/logs/c-build.log 2>&1 || { cat build/logs/c-build.log; count c 0 1 1; }
if [ -x build/test_smtpcodes_san ]; then
  (cd tests && ../build/test_smtpcodes_san) >build/logs/c.log 2>&1; rc=$?
  tail -n 20 build/logs/c.log
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' build/logs/c.log | tail -n 1)
  p=$(echo "$line" | grep -Eo '^[0-9]+'); f=$(echo "$line" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
  count c "${p:-0}" "${f:-1}" "$rc"
fi

# The CLI binary and the Lua rock first: the Python suite compares python -m smtpcodes with the
# binary byte for byte and runs the Lua example.
make -s build/smtpcodes >build/logs/cli-build.log 2>&1 || { cat build/logs/cli-build.log; count cli-build 0 1 1; }
if ls ./*.rockspec >/dev/null 2>&1; then
  make -s rock >build/logs/rock.log 2>&1 || { cat build/logs/rock.log; count lua-build 0 1 1; }
fi

# 3. Python: the installed package, in a throwaway venv, tested with -P
if [ -f setup.py ]; then
  if [ ! -x build/venv/bin/python ]; then "$PY" -m venv --system-site-packages build/venv; fi
  VPY=build/venv/bin/python
  # the venv's own setuptools predates the SPDX license of pyproject.toml (needs >= 77)
  "$VPY" -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77)' 2>/dev/null \
    || "$VPY" -m pip install --quiet --disable-pip-version-check "setuptools>=77" >>build/logs/py-install.log 2>&1
  # files of an older install (a pre-abi3 _smtpcodes.cpython-*.so shadows the abi3 one; removed modules linger)
  rm -rf build/venv/lib/python*/site-packages/smtpcodes
  rm -rf build/lib.* build/bdist.*  # setuptools' build dir keeps files the sources no longer have
  "$VPY" -m pip install --quiet --no-build-isolation --force-reinstall --no-deps . >build/logs/py-install.log 2>&1 \
    || { cat build/logs/py-install.log; count python-install 0 1 1; }
  # a skipped test fails here (tests/python/conftest.py): every test must run
  SMTPCODES_NO_SKIP=1 "$VPY" -P -m pytest -q -p no:cacheprovider tests/python >build/logs/py.log 2>&1; rc=$?
  tail -n 15 build/logs/py.log
  last=$(grep -E '(passed|failed|error)' build/logs/py.log | tail -n 1)
  p=$(echo "$last" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+'); f=$(echo "$last" | grep -Eo '[0-9]+ (failed|error)' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  count python "${p:-0}" "${f:-0}" "$rc"
fi

# 4. Lua: the rockspec build under Lua 5.4, then every other installed Lua
if ls ./*.rockspec >/dev/null 2>&1; then
  busted --run=rock -o TAP >build/logs/lua.log 2>&1; rc=$?
  p=$(grep -c '^ok ' build/logs/lua.log); f=$(grep -c '^not ok ' build/logs/lua.log)
  grep -A3 '^not ok ' build/logs/lua.log | head -n 40
  count lua5.4 "$p" "$f" "$rc"
  if [ -f tests/lua/run_versions.sh ]; then
    bash tests/lua/run_versions.sh >build/logs/lua-versions.log 2>&1; rc=$?
    sed -n '/^Lua versions:/,$p' build/logs/lua-versions.log
    # the other interpreters (5.4 was counted above): "5.3: N successes / N failures / N errors ..."
    others=$(grep -E '^(5\.[0-35-9]|luajit): [0-9]+ success' build/logs/lua-versions.log)
    p=$(echo "$others" | grep -Eo '[0-9]+ success' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
    f=$(echo "$others" | grep -Eo '[0-9]+ (failure|error)' | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
    count lua-5.3/5.1/luajit "$p" "$f" "$rc"
  fi
fi

echo "$total_pass passed, $total_fail failed"
exit $status
