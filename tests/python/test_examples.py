"""Every example runs clean: the Python scripts, the Lua quick start, the C program and the
notebook (executed through nbclient with a real kernel)."""
import glob
import os
import shutil
import subprocess
import sys

import pytest

import smtpcodes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")


def run(cmd, cwd=ROOT, **kw):
    # children import the same smtpcodes as this test (installed, or the in-place build)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(smtpcodes.__file__)))
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, **kw)


def test_quickstart_py():
    r = run([sys.executable, os.path.join(EXAMPLES, "quickstart.py")])
    assert r.returncode == 0, r.stderr
    assert "552 - Requested mail action aborted" in r.stdout
    assert "userunknown permanent hard" in r.stdout
    assert "ParseError:" in r.stdout


def test_classify_maillog():
    r = run([sys.executable, os.path.join(EXAMPLES, "classify_maillog.py")])
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("320 log lines, ")
    assert any(line.strip().endswith("delivered") for line in lines)
    assert "hard bounces to suppress" in r.stdout


def test_maillog_sample_is_what_the_generator_writes(tmp_path):
    gen = os.path.join(EXAMPLES, "data", "make_maillog.py")
    r = run([sys.executable, gen], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "maillog.sample", encoding="utf-8") as a, \
            open(os.path.join(EXAMPLES, "data", "maillog.sample"), encoding="utf-8") as b:
        assert a.read() == b.read()


def test_cli_classify_sample_one_line_per_input_line():
    sample = os.path.join(EXAMPLES, "data", "maillog.sample")
    with open(sample, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    r = run([sys.executable, "-m", "smtpcodes", "classify", sample])
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == n
    r = run([sys.executable, "-m", "smtpcodes", "classify", "--json", sample])
    import json
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == n and [row["line"] for row in rows] == list(range(1, n + 1))


def test_c_example(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.fail("no C compiler")
    exe = tmp_path / "explain"
    r = run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-I" + os.path.join(ROOT, "csrc"), "-o", str(exe),
             os.path.join(EXAMPLES, "explain.c"), *sorted(glob.glob(os.path.join(ROOT, "csrc", "*.c")))])
    assert r.returncode == 0, r.stderr
    r = run([str(exe), "552 5.2.2 Mailbox full"])
    assert r.returncode == 0, r.stderr
    assert "Reason: mailboxfull" in r.stdout
    assert "452" in r.stdout   # the Spanish comparison with the temporary counterpart


def test_lua_example():
    so = os.path.join(ROOT, "build", "lua_modules", "lib", "lua", "5.4", "smtpcodes.so")
    lua = shutil.which("lua5.4")
    if not (lua and os.path.exists(so)):
        pytest.skip("Lua 5.4 module not built (make rock); the busted suite covers Lua")
    r = run([lua, "-e", f"package.cpath={os.path.dirname(so)!r}..'/?.so;'..package.cpath",
             os.path.join(EXAMPLES, "quickstart.lua")])
    assert r.returncode == 0, r.stderr
    assert "552\tRequested mail action aborted" in r.stdout
    assert "63 basic codes" in r.stdout


def test_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    # the kernel imports the same smtpcodes as this test (installed, or the in-place build)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(smtpcodes.__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg_parent, os.environ.get("PYTHONPATH")]))
    nb = nbformat.read(os.path.join(EXAMPLES, "explore.ipynb"), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": EXAMPLES}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "data" in o and "text/html" in o["data"]]
    assert any("211" in h and "252" in h for h in html), "the comparison renders as HTML"
    images = [o for o in outputs if "data" in o and "image/png" in o["data"]]
    assert images, "the bounce-reason chart is drawn"
    texts = "".join(o.get("text", "") for o in outputs)
    assert f"{len(smtpcodes.codes())} codes" in texts


def test_dask_example_on_a_local_cluster(tmp_path):
    """The distributed example on a real LocalCluster of two worker processes (issue 14): its
    frame equals classify_columns over the same lines, and its command line runs end to end."""
    pytest.importorskip("dask")
    pytest.importorskip("distributed")
    pd = pytest.importorskip("pandas")
    sys.path.insert(0, EXAMPLES)
    try:
        import classify_maillog_dask as ex
    finally:
        sys.path.remove(EXAMPLES)
    log = tmp_path / "big.log"
    ex.make_log(str(log), 400)  # 128 000 lines, split into several blocks
    from dask.distributed import Client, LocalCluster

    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(smtpcodes.__file__)))
    # the workers' smtpcodes (the same as this test's) and the example module
    os.environ["PYTHONPATH"] = os.pathsep.join([pkg_parent, EXAMPLES, os.environ.get("PYTHONPATH", "")])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids  # two real worker processes
        df = ex.classify_log(str(log), client, blocksize="1MiB")
    with open(log, encoding="utf-8", errors="surrogateescape") as f:
        lines = [line.rstrip("\r\n") for line in f]
    local = smtpcodes.classify_columns(lines).to_pandas()
    assert len(df) == len(lines) == 128_000
    for name in local.columns:
        assert df[name].astype(object).where(df[name].notna(), None).tolist() == \
            local[name].astype(object).where(local[name].notna(), None).tolist(), name
    r = run([sys.executable, os.path.join(EXAMPLES, "classify_maillog_dask.py"), str(log), "--blocksize", "2MiB",
             "--output", str(tmp_path / "out.parquet")])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("128000 lines classified on 2 worker processes")
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["reason"].astype(str).tolist() == local["reason"].astype(str).tolist()
