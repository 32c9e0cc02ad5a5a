"""classify_maillog_dask.py - classify a large mail log on a Dask distributed cluster.

    python3 examples/classify_maillog_dask.py LOG [--scheduler tcp://HOST:8786] [--workers 2]
                                              [--blocksize 4MiB] [--output result.parquet]
    python3 examples/classify_maillog_dask.py --make-log build/big.log --copies 1000

Every line of LOG (a local path, or any URL fsspec reads: s3://, gs://, hdfs://, with the
matching fsspec package installed on the client and every worker) is classified with
smtpcodes.classify_columns. Dask splits the file into blocks of --blocksize bytes on line
boundaries; each worker classifies its blocks in C (GIL released) and sends back a
Columns object (plain bytes buffers: it pickles cheaply) which the client turns into one
pandas DataFrame, in the log's order. Prints the count of each reason, and writes the
columns to --output (Parquet, needs pyarrow) when asked.

Without --scheduler the script starts a LocalCluster of --workers worker processes (one
thread each) on this machine. To use a real cluster, start a scheduler (`dask scheduler`)
and workers (`dask worker tcp://HOST:8786`) on machines that have smtpcodes installed
(`pip install smtpcodes-*.whl` into the workers' environment), put the log where every
worker can read it (a shared file system or object storage), and pass --scheduler.

Why Dask and not Spark: the workers are plain Python processes that import smtpcodes as
it is installed (one abi3 wheel), a Columns result crosses the process boundary as a few
bytes objects, and the whole engine is a pip install, with no JVM to start. The same
function, classify_block, works as a Spark mapInPandas/mapInArrow body.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

import smtpcodes

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "data", "maillog.sample")


def classify_block(lines: list[str]) -> list[Any]:
    """One Dask partition: its lines (newlines stripped) -> one Columns object."""
    return [smtpcodes.classify_columns([line.rstrip("\r\n") for line in lines])]


def classify_log(path: str, client: Any, blocksize: str = "4MiB") -> Any:
    """Classify every line of path on the cluster behind client; a pandas DataFrame in the
    log's order (categorical reason, permanence, ...; nullable Int16 code)."""
    import dask.bag as db
    import pandas as pd

    if __name__ != "__main__":  # imported: the workers import this file too (client.upload_file on a real cluster)
        client.upload_file(os.path.abspath(__file__))
    bag = db.read_text(path, blocksize=blocksize, encoding="utf-8", errors="surrogateescape")
    parts = client.compute(bag.map_partitions(classify_block).to_delayed())
    frames = [cols.to_pandas() for part in client.gather(parts) for cols in part]
    if not frames:
        return smtpcodes.classify_columns([]).to_pandas()
    df = pd.concat(frames, ignore_index=True)
    # the categories of each block are its own: union them so the frame is categorical throughout
    for name in df.columns:
        if isinstance(frames[0][name].dtype, pd.CategoricalDtype) and not isinstance(df[name].dtype,
                                                                                     pd.CategoricalDtype):
            cats = sorted({c for f in frames for c in f[name].cat.categories})
            df[name] = pd.Categorical(df[name], categories=cats)
    return df


def make_log(out: str, copies: int) -> None:
    """A large log: the sample, copies times."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(SAMPLE, "rb") as src:
        data = src.read()
    with open(out, "wb") as f:
        for _ in range(copies):
            f.write(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", nargs="?", default=SAMPLE)
    ap.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    ap.add_argument("--blocksize", default="4MiB", help="bytes per partition (default 4MiB)")
    ap.add_argument("--output", help="write the columns here as Parquet")
    ap.add_argument("--make-log", metavar="OUT", help="write a large log (the sample --copies times) and exit")
    ap.add_argument("--copies", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.make_log:
        make_log(args.make_log, args.copies)
        print(f"wrote {args.make_log}")
        return 0

    from dask.distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, local_directory=os.environ.get("TMPDIR"))
        client = Client(cluster)
    try:
        workers = client.scheduler_info()["workers"]
        df = classify_log(args.log, client, args.blocksize)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"{len(df)} lines classified on {len(workers)} worker processes")
    for reason, n in df["reason"].value_counts().items():
        if n:
            print(f"{n:9d}  {reason}")
    if args.output:
        if os.path.isdir(args.output):
            shutil.rmtree(args.output)
        df.to_parquet(args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
