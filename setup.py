"""Build the CPython extension smtpcodes._smtpcodes over the C core in csrc/.

The package metadata lives in pyproject.toml; this file only declares the
extension (the core's sources, every csrc/*.c, as the Lua rockspec lists them
and `make check-rockspec` checks; plus the command line of bindings/cli for
`python -m smtpcodes`) and the package.
"""
import glob
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# Hardened release build, as the Makefile's CLI and Lua targets (tests/check_hardening.sh
# checks the installed extension): stack protector, FORTIFY with -O2, full RELRO. FORTIFY is
# left out under a sanitizer (make asan-python sets CFLAGS), whose checks it would replace.
HARDEN = ["-O2", "-fstack-protector-strong"]
if "-fsanitize" not in os.environ.get("CFLAGS", ""):
    HARDEN.append("-D_FORTIFY_SOURCE=2")
HARDEN_LD = ["-Wl,-z,relro,-z,now"]
# Stripped (no debug info or symbol table: the wheel is about a third of the size); set
# SMTPCODES_NO_STRIP=1 to keep them for a debugger. Not under a sanitizer.
if os.environ.get("SMTPCODES_NO_STRIP") != "1" and "-fsanitize" not in os.environ.get("CFLAGS", ""):
    HARDEN_LD.append("-Wl,-s")


class BuildExt(build_ext):
    """No RUNPATH: an interpreter built with -Wl,-rpath (pyenv's lib directory) puts it in
    LDSHARED, and from there into every extension; this one links no library of its own."""

    def build_extensions(self) -> None:
        for attr in ("linker_so", "linker_so_cxx"):
            cmd = getattr(self.compiler, attr, None)
            if cmd:
                setattr(self.compiler, attr, [a for a in cmd if not a.startswith(("-Wl,-rpath", "-Wl,-R", "-R"))])
        super().build_extensions()


ext = Extension(
    "smtpcodes._smtpcodes",
    # bindings/cli/cli.c: the command line, run by `python -m smtpcodes`
    # bindings/python/_columns.c: classify_columns and its Arrow C data interface export
    sources=sorted(glob.glob("csrc/*.c")) + ["bindings/cli/cli.c", "bindings/python/_smtpcodes.c",
                                             "bindings/python/_columns.c"],
    include_dirs=["csrc", "bindings/cli"],
    # build_ext compares only `sources` with the .so: list the header and the
    # generated table so that editing them rebuilds the extension.
    depends=sorted(glob.glob("csrc/*.h")) + sorted(glob.glob("csrc/*.inc")) + ["bindings/cli/cli.h",
                                                                                "bindings/common/share.h"],
    # no -Wpedantic here: PyType_Slot stores function pointers in void *
    # -Werror=implicit-function-declaration: a call outside the limited API (abi3) fails the build
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-fvisibility=hidden", "-Werror=implicit-function-declaration",
                        *HARDEN],
    extra_link_args=HARDEN_LD,
    # abi3: the stable ABI of CPython 3.10+ (every call in _smtpcodes.c and _columns.c is in the
    # limited API; the shims at the top of _smtpcodes.c stand in for the macros that are not),
    # so one wheel, cp310-abi3, serves every later CPython.
    define_macros=[("Py_LIMITED_API", "0x030A0000")],
    py_limited_api=True,
)

setup(
    ext_modules=[ext],
    cmdclass={"build_ext": BuildExt},
    packages=["smtpcodes"],
    package_dir={"": "bindings/python"},
    package_data={"smtpcodes": ["py.typed", "*.pyi"]},
    py_modules=[],  # no flat-layout auto-discovery of csrc/ and bindings/
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
