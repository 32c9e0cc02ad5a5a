#!/usr/bin/env bash
# Install what `make test` needs and a fresh Debian 12 machine lacks: the Lua toolchain,
# the C checkers, the Python test packages and the headless Chromium (with its driver and
# selenium) of the browser test. Installs only what is missing; does nothing
# when SMTPCODES_NO_INSTALL=1. apt-get needs root; without it, the missing packages are listed.
set -uo pipefail
[ "${SMTPCODES_NO_INSTALL:-0}" = "1" ] && exit 0
PY=${PYTHON:-python3}
export DEBIAN_FRONTEND=noninteractive

want=(make gcc pkg-config valgrind lua5.4 liblua5.4-dev lua-busted luarocks
      lua5.3 liblua5.3-dev lua5.1 liblua5.1-0-dev luajit libluajit-5.1-dev
      clang libclang-rt-14-dev clang-tidy cppcheck chromium chromium-driver)
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install_deps: apt-get install ${missing[*]}"
    apt-get update -qq || exit 1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || exit 1
  else
    echo "install_deps: missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

pymissing=()
# pyarrow: classify_columns' Arrow tests (issue 14); dask/distributed: the distributed example's test
for m in pytest mypy setuptools wheel nbclient nbformat ipykernel pandas matplotlib nbconvert selenium pyarrow dask distributed; do
  "$PY" -c "import $m" 2>/dev/null || pymissing+=("$m")
done
if ((${#pymissing[@]})); then
  echo "install_deps: pip install ${pymissing[*]}"
  "$PY" -m pip install --quiet --disable-pip-version-check "${pymissing[@]}" || exit 1
fi
# pyproject.toml's SPDX license needs setuptools >= 77 (the offline --no-build-isolation builds use this one)
if ! "$PY" -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77)' 2>/dev/null; then
  echo "install_deps: pip install setuptools>=77"
  "$PY" -m pip install --quiet --disable-pip-version-check "setuptools>=77" || exit 1
fi
exit 0
