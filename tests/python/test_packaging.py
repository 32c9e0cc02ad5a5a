"""Packages like the best (issue 14): one stripped abi3 wheel (CPython 3.10+) with LICENSE,
readme, URLs, classifiers and a `smtpcodes` console script, installed into a fresh venv of
another Python version; a complete sdist that builds and passes its tests from the unpacked
tarball."""
from __future__ import annotations

import email
import glob
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PYENV = pathlib.Path("/root/.pyenv/versions")


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("src")
    # build from a copy of the tree, so that the build leaves nothing in the checkout
    src = work / "smtpcodes"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build", ".git", "*.so", "*.o", "__pycache__",
                                                             "*.egg-info", "dist"))
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-w", str(out), str(src)])
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run([sys.executable, "setup.py", "-q", "sdist", "-d", str(out)], cwd=src)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def _other_python() -> str | None:
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    for v in ("3.12", "3.13", "3.10"):
        if v == mine:
            continue
        for exe in sorted(glob.glob(str(PYENV / f"{v}.*" / "bin" / f"python{v}"))) + [shutil.which(f"python{v}") or ""]:
            if exe and os.access(exe, os.X_OK):
                return exe
    return None


def test_wheel_is_abi3_stripped_and_complete(dist: pathlib.Path) -> None:
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1 and wheels[0].name.endswith("-cp310-abi3-linux_x86_64.whl"), wheels
    with zipfile.ZipFile(wheels[0]) as z:
        names = z.namelist()
        so = [n for n in names if n.endswith(".so")]
        assert so == ["smtpcodes/_smtpcodes.abi3.so"], so
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(z.read(meta_name))
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
        data = z.read(so[0])
    assert meta["License-Expression"] == "MIT" and meta["Requires-Python"] == ">=3.10"
    assert "Programming Language :: Python :: 3.10" in meta.get_all("Classifier", [])
    assert any(u.startswith("Source,") for u in meta.get_all("Project-URL", []))
    assert meta["Description-Content-Type"] == "text/markdown" and "smtpcodes" in (meta.get_payload() or "")
    assert "smtpcodes = smtpcodes.__main__:main" in entry
    assert b".debug_info" not in data and b".symtab" not in data  # stripped
    assert b"PyInit__smtpcodes" in data  # the dynamic symbol stays


def test_wheel_installs_into_a_venv_of_another_python(dist: pathlib.Path, tmp_path: pathlib.Path) -> None:
    other = _other_python()
    if other is None:
        pytest.skip("no other CPython version on this machine")
    venv = tmp_path / "venv"
    r = _run([other, "-m", "venv", str(venv)])
    assert r.returncode == 0, r.stderr
    py = venv / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    r = _run([str(py), "-m", "pip", "install", "--no-index", "--no-deps", str(wheel)],
             env={k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_TARGET"))})
    assert r.returncode == 0, r.stdout + r.stderr
    code = ("import sys, pickle, smtpcodes; c = smtpcodes.lookup(550); assert int(c) == 550; "
            "v = smtpcodes.classify_columns(['550 5.1.1 x', ''])['reason'].to_pylist(); "
            "assert v == ['userunknown', 'error'], v; "
            "assert pickle.loads(pickle.dumps(smtpcodes.classify('452 4.2.2 full'))).reason == 'mailboxfull'; "
            "print(sys.version_info[:2], smtpcodes.__file__)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    r = _run([str(py), "-P", "-c", code], cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert str(venv) in r.stdout
    r = _run([str(venv / "bin" / "smtpcodes"), "lookup", "552"], cwd=tmp_path, env=env)
    assert r.returncode == 0 and r.stdout.startswith("552 - "), r.stdout + r.stderr


def test_sdist_is_complete_and_passes_its_tests(dist: pathlib.Path, tmp_path: pathlib.Path) -> None:
    sdists = list(dist.glob("*.tar.gz"))
    assert len(sdists) == 1
    with tarfile.open(sdists[0]) as t:
        names = t.getnames()
        t.extractall(tmp_path, filter="data")
    top = names[0].split("/")[0]
    for need in ("LICENSE", "pytest.ini", "README.md", "csrc/smtpcodes.h", "bindings/python/_columns.c",
                 "tests/python/test_api.py", "tests/vectors", "examples/classify_maillog_dask.py",
                 "smtpcodes-dev-1.rockspec"):
        assert any(n == f"{top}/{need}" or n.startswith(f"{top}/{need}/") for n in names), need
    assert not any(n.endswith((".so", ".o")) for n in names)
    src = tmp_path / top
    r = _run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=src)
    assert r.returncode == 0, r.stderr
    env = dict(os.environ, PYTHONPATH=str(src / "bindings" / "python"))
    r = _run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/python/test_api.py",
              "tests/python/test_vectors.py", "tests/python/test_travel.py", "tests/python/test_columns.py"],
             cwd=src, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert " passed" in r.stdout


def test_luarocks_make_leaves_the_source_tree_clean(tmp_path: pathlib.Path) -> None:
    """The rockspec's make backend compiles straight into the rock tree: after `luarocks make`
    `git status --ignored` shows nothing new (no smtpcodes.so in the root, no .o beside sources)."""
    if not shutil.which("luarocks") or not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.skip("needs luarocks and a git checkout")
    status = ["git", "status", "--short", "--ignored", "--untracked-files=all", "--", "."]
    before = _run(status, cwd=ROOT).stdout
    r = _run(["luarocks", "--lua-version=5.4", "make", f"--tree={tmp_path}", "smtpcodes-dev-1.rockspec"], cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "lib" / "lua" / "5.4" / "smtpcodes.so").exists()
    after = _run(status, cwd=ROOT).stdout
    new = set(after.splitlines()) - set(before.splitlines())
    assert not {x for x in new if x.endswith((".so", ".o"))}, new


def _offline() -> list[str]:
    """`unshare -rn` (a user namespace with no network) where the kernel allows it."""
    if shutil.which("unshare") and _run(["unshare", "-rn", "true"]).returncode == 0:
        return ["unshare", "-rn"]
    return []


def test_source_rock_packs_and_builds_offline(tmp_path: pathlib.Path) -> None:
    """`make rock-src` packs build/smtpcodes-dev-1.src.rock from the committed tree (git archive,
    a file:// source, luarocks pack); `luarocks build` of that rock, with no network and away
    from the checkout, installs a module that loads; nothing new appears outside build/."""
    assert shutil.which("luarocks") and shutil.which("lua5.4") and shutil.which("git"), \
        "needs luarocks, lua5.4 and git (tests/install_deps.sh)"
    assert (ROOT / ".git").exists(), "needs a git checkout"
    status = ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--", "."]
    before = set(_run(status, cwd=ROOT).stdout.splitlines())
    net = _offline()
    r = _run([*net, "make", "-s", "rock-src"], cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    rock = ROOT / "build" / "smtpcodes-dev-1.src.rock"
    with zipfile.ZipFile(rock) as z:
        assert sorted(z.namelist()) == ["smtpcodes-dev-1.rockspec", "smtpcodes-dev.tar.gz"]
        spec = z.read("smtpcodes-dev-1.rockspec").decode()
    assert f'url = "file://{ROOT}/build/smtpcodes-dev.tar.gz"' in spec, spec[:300]
    assert 'dir = "smtpcodes-dev"' in spec
    # the rock carries its tarball: build a copy of it elsewhere, into a fresh tree
    shutil.copy(rock, tmp_path)
    tree = tmp_path / "tree"
    r = _run([*net, "luarocks", "--lua-version=5.4", "build", rock.name, f"--tree={tree}"], cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    so = tree / "lib" / "lua" / "5.4" / "smtpcodes.so"
    assert so.exists(), r.stdout
    r = _run(["lua5.4", "-e", f'package.path = "" package.cpath = "{tree}/lib/lua/5.4/?.so" '
              'local s = require("smtpcodes") assert(s.lookup(550).code == 550) '
              'assert(s.lookup("5.1.1").code == "5.1.1") print("loaded " .. package.searchpath("smtpcodes", package.cpath))'],
             cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == f"loaded {so}"
    after = set(_run(status, cwd=ROOT).stdout.splitlines())
    new = {x for x in after - before if not x[3:].startswith("build/")}
    assert not new, new
