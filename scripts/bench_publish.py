"""What publishing costs on a first night, an unchanged re-run and a night adding a few conversations.

    python scripts/bench_publish.py LOAD_DIR --work DIR [--add 10] [--skip-flow]

1. **Flow** (skipped with ``--skip-flow``). Three ``qareview run`` processes into one store and
   output folder: the load (first night), the same again (unchanged re-run), and the load plus
   ``--add`` copies of its first conversations with new conversation and customer ids (a night
   adding a few). For each it prints the flow's publish stage seconds and the files it wrote and
   kept. It keeps copies of the store after the first and the third run (``DIR/store-first.duckdb``,
   ``DIR/store-added.duckdb``).
2. **Publish only**, in this process, with the code this script runs from (so the same stores
   measure an older checkout too). Publishing the first store into an empty folder, then again
   into the same folder, then the third store into that folder. It prints CPU seconds
   (``time.process_time``), wall seconds and files written. Each step gets a fresh redaction
   engine, as a new process would; the spaCy pipeline is loaded before timing starts. Code
   without incremental publishing publishes everything each time.

Prints JSON lines; the figures in docs/performance.md come from it.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_flow import CLI, ENV_DEFAULTS, last_run_summary  # noqa: E402


def add_copies(load: Path, target: Path, count: int, tag: str = "added") -> int:
    """Write ``count`` copies of the load's first JSON Lines records with new ids to ``target``."""
    source = sorted(load.glob("*.jsonl"))[0]
    copies = []
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            if len(copies) == count:
                break
            if line.strip():
                record = json.loads(line)
                record["id"] = f"{record['id']}-{tag}"
                if record.get("customer_id"):
                    record["customer_id"] = f"{record['customer_id']}-{tag}"
                copies.append(json.dumps(record, ensure_ascii=False))
    target.write_text("\n".join(copies) + "\n", encoding="utf-8")
    return len(copies)


def flow_step(name: str, source: Path, work: Path) -> dict[str, Any]:
    """One ``qareview run`` of ``source`` into the work folder's store and site."""
    env = {**ENV_DEFAULTS, **os.environ, "PYTHONPATH": str(ROOT)}
    command = [*CLI, "run", str(source), "--db", str(work / "q.duckdb"), "--out", str(work / "out")]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
    summary = last_run_summary(work / "q.duckdb")
    return {
        "step": name,
        "rc": done.returncode,
        "wall_s": round(wall, 1),
        "analysed": summary.get("analysed"),
        "publish_s": summary.get("seconds", {}).get("publish"),
        "files_written": summary.get("pages_written"),
        "files_kept": summary.get("pages_kept"),
        "unchanged": summary.get("unchanged"),
    }


def run_flow(load: Path, work: Path, add: int) -> None:
    source = work / "source"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(load, source)
    print(json.dumps(flow_step("first", source, work)), flush=True)
    shutil.copy2(work / "q.duckdb", work / "store-first.duckdb")
    print(json.dumps(flow_step("unchanged", source, work)), flush=True)
    add_copies(load, source / "zz-added.jsonl", add)
    print(json.dumps(flow_step(f"add {add}", source, work)), flush=True)
    shutil.copy2(work / "q.duckdb", work / "store-added.duckdb")


def publish_only(work: Path) -> None:
    from nlp.scoring import load_rubric
    from privacy.engine import default_engine
    from rendering.latest_period import publish_period

    incremental = "incremental" in inspect.signature(publish_period).parameters
    out = work / "publish-only"
    shutil.rmtree(out, ignore_errors=True)
    rubric = load_rubric()
    for step, store in (("first", "store-first"), ("unchanged", "store-first"), ("add", "store-added")):
        db = work / "bench.duckdb"
        shutil.copy2(work / f"{store}.duckdb", db)
        default_engine.cache_clear()  # a fresh engine, as in a new process: no texts screened yet
        assert default_engine().nlp is not None  # spaCy loaded (once per process) before timing
        cpu, wall = time.process_time(), time.perf_counter()
        kwargs = {"incremental": True} if incremental else {}
        outcome = publish_period(str(db), out, 7, rubric, **kwargs)
        print(
            json.dumps(
                {
                    "publish_only": step,
                    "incremental": incremental,
                    "cpu_s": round(time.process_time() - cpu, 2),
                    "wall_s": round(time.perf_counter() - wall, 2),
                    "files_written": getattr(outcome, "pages_written", None),
                }
            ),
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("load", type=Path, help="a folder of JSON Lines (scripts/scale_load.py)")
    parser.add_argument("--work", type=Path, required=True, help="scratch folder (replaced)")
    parser.add_argument("--add", type=int, default=10, help="conversations the third night adds")
    parser.add_argument("--skip-flow", action="store_true", help="reuse the stores of an earlier run")
    args = parser.parse_args(argv)
    if not args.skip_flow:
        run_flow(args.load.resolve(), args.work.resolve(), args.add)
    publish_only(args.work.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
