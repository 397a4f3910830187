"""Wall time of the nightly flow (``make bench``, after ``scripts/bench.py``).

    python scripts/bench_flow.py [--conversations 1000] [--dask-workers 2] [--batch-size N]
        [--out .bench/flow.json] [--skip-demo] [--skip-threads] [--skip-dask]

Times, each as a fresh ``qareview run`` process (so Prefect's temporary server, model
loading and publishing are all included, as in production):

1. the ``make demo`` equivalent: ``qareview run examples`` into an empty store;
2. ``--conversations`` conversations (``scripts/make_load_set.py`` replicates the examples
   with new ids and customers) with the default thread runner;
3. the same load set into another empty store on a local Dask cluster of
   ``--dask-workers`` processes.

Prints one line per case (wall seconds, the flow's own stage seconds, conversations per
second of analyse+score) and writes everything to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from qareview.cli import main; main()"]
ENV_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PREFECT_HOME": str(ROOT / ".prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def last_run_summary(db: Path) -> dict[str, Any]:
    """The summary the latest nightly run stored in the DuckDB store ``db``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (details,) = con.execute(
            "SELECT details FROM runs WHERE kind = 'nightly' ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return json.loads(details)


def run_case(name: str, source: Path, work: Path, extra: list[str]) -> dict[str, Any]:
    """One ``qareview run`` into an empty store; wall time plus the flow's recorded summary."""
    db, out = work / f"{name}.duckdb", work / f"{name}-out"
    env = {**ENV_DEFAULTS, **os.environ}
    command = [*CLI, "run", str(source), "--db", str(db), "--out", str(out), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{name}: qareview run failed with exit code {done.returncode}")
    summary = last_run_summary(db)
    analyse = summary["seconds"].get("analyse_and_score") or 0.0
    return {
        "case": name,
        "wall_seconds": round(wall, 1),
        "stage_seconds": summary["seconds"],
        "runner": summary["runner"],
        "conversations": summary["analysed"],
        "batches": summary["batches"],
        "worker_processes": len(summary["batches_by_worker"]),
        "model_loads": summary["model_loads"],
        "analyse_score_per_second": round(summary["analysed"] / analyse, 2) if analyse else None,
        "last_line": done.stdout.strip().splitlines()[-1],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "flow.json")
    parser.add_argument("--batch-size", type=int, help="conversations per batch (default: nightly.yaml)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-threads", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "scripts"))
    from make_load_set import write_load_set

    work = Path(tempfile.mkdtemp(prefix="qareview-bench-flow-"))
    results: list[dict[str, Any]] = []
    try:
        if not args.skip_demo:
            results.append(run_case("demo", ROOT / "examples", work, []))
            print(json.dumps(results[-1]), flush=True)
        load = write_load_set(ROOT / "examples", work / "load-set", args.conversations, per_file=200)
        sizing = ["--batch-size", str(args.batch_size)] if args.batch_size else []
        if not args.skip_threads:
            results.append(run_case(f"load-{args.conversations}-threads", work / "load-set", work, sizing))
            print(json.dumps(results[-1]), flush=True)
        if not args.skip_dask:
            name = f"load-{args.conversations}-dask-{args.dask_workers}"
            extra = ["--dask-workers", str(args.dask_workers), *sizing]
            results.append(run_case(name, work / "load-set", work, extra))
            print(json.dumps(results[-1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "load_set": load,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":  # the Dask case starts worker processes: keep the guard
    main()
