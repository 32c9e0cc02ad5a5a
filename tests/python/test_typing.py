"""The stubs: mypy --strict accepts a typed example, which also runs."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import sysconfig

import pytest

import smtpcodes

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLE = HERE / "typed_example.py"


def test_typed_example_runs() -> None:
    sys.path.insert(0, str(HERE))
    try:
        import typed_example
    finally:
        sys.path.remove(str(HERE))
    out = typed_example.main()
    assert out[0].startswith("550 ") and out[3] == "no-code" and out[-1] == "True"


def test_stub_files_are_shipped() -> None:
    pkg = pathlib.Path(smtpcodes.__file__).resolve().parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "__init__.pyi").exists() and (pkg / "_smtpcodes.pyi").exists()


def test_stub_names_match_module() -> None:
    import ast

    pkg = pathlib.Path(smtpcodes.__file__).resolve().parent
    tree = ast.parse((pkg / "_smtpcodes.pyi").read_text())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    # Column, Columns and classify_columns are Python (smtpcodes/_columns.py, typed inline)
    assert set(smtpcodes.__all__) - {"__version__", "DATA_VERSION", "Column", "Columns", "classify_columns"} <= names
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for cls_name in ("Code", "Reply", "Explanation", "Comparison"):
        stubbed = {n.name for n in classes[cls_name].body if isinstance(n, ast.FunctionDef)}
        real = {n for n in dir(getattr(smtpcodes, cls_name)) if not n.startswith("__")}
        assert real <= stubbed, (cls_name, real - stubbed)


def _mypy_env() -> dict[str, str]:
    pkg_parent = pathlib.Path(smtpcodes.__file__).resolve().parent.parent
    env = dict(os.environ)
    paths = sysconfig.get_paths()
    site_dirs = {pathlib.Path(paths[k]).resolve() for k in ("purelib", "platlib")}
    if pkg_parent not in site_dirs:  # in-tree: mypy does not read PYTHONPATH
        env["MYPYPATH"] = str(pkg_parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pkg_parent), env.get("PYTHONPATH")]))
    return env


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    env = _mypy_env()
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull,
         "--python-executable", sys.executable, str(EXAMPLE)],
        capture_output=True, text=True, env=env, cwd=str(HERE), timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_stubtest() -> None:
    """The stubs agree with the runtime module (mypy's stubtest)."""
    pytest.importorskip("mypy.stubtest")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "smtpcodes", "--mypy-config-file", os.devnull],
        capture_output=True, text=True, env=_mypy_env(), cwd=str(HERE), timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
