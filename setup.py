"""Build the CPython extension smtpcodes._smtpcodes over the C core in csrc/.

The package metadata lives in pyproject.toml; this file only declares the
extension (the core's sources, every csrc/*.c, as the Lua rockspec lists them
and `make check-rockspec` checks; plus the command line of bindings/cli for
`python -m smtpcodes`) and the package.
"""
import glob

from setuptools import Extension, setup

ext = Extension(
    "smtpcodes._smtpcodes",
    # bindings/cli/cli.c: the command line, run by `python -m smtpcodes`
    # bindings/python/_columns.c: classify_columns and its Arrow C data interface export
    sources=sorted(glob.glob("csrc/*.c")) + ["bindings/cli/cli.c", "bindings/python/_smtpcodes.c",
                                             "bindings/python/_columns.c"],
    include_dirs=["csrc", "bindings/cli"],
    # build_ext compares only `sources` with the .so: list the header and the
    # generated table so that editing them rebuilds the extension.
    depends=sorted(glob.glob("csrc/*.h")) + sorted(glob.glob("csrc/*.inc")) + ["bindings/cli/cli.h"],
    # no -Wpedantic here: PyType_Slot stores function pointers in void *
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-fvisibility=hidden"],
)

setup(
    ext_modules=[ext],
    packages=["smtpcodes"],
    package_dir={"": "bindings/python"},
    package_data={"smtpcodes": ["py.typed", "*.pyi"]},
    py_modules=[],  # no flat-layout auto-discovery of csrc/ and bindings/
)
