"""CPU seconds and memory of publishing one store, alone, in this process (docs/performance.md).

    python scripts/profile_publish.py STORE OUT [--trace] [--warm SMALL_STORE]

Copies ``STORE`` beside ``OUT`` and publishes it into the empty folder ``OUT`` as the nightly
flow does (``rendering.latest_period.publish_period``), with the spaCy pipeline and the
rubric loaded before timing. Prints one JSON line: CPU seconds (``time.process_time``), wall
seconds, this process's RSS before and its peak during publishing (sampled every 50 ms) and
files written. ``--trace`` adds the peak of the Python heap during publishing (``tracemalloc``,
which slows it down; its CPU seconds then mean little). Run it with ``PYTHONPATH`` pointing at
the checkout to measure, so the same store measures older code too. ``--warm SMALL_STORE``
first analyses, scores and stores four batches of a copy of ``SMALL_STORE`` in this process (the
encoder, heads and spaCy loaded and used), so the RSS figures are those of the nightly flow's
process when it publishes; with ``scripts/replicate_store.py`` it measures publishing at 100k
without a 100k run.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import threading
import time
import tracemalloc
from pathlib import Path

import psutil


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("store", type=Path, help="a store written by qareview run (copied, never changed)")
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("--trace", action="store_true", help="also the Python heap's peak (tracemalloc)")
    parser.add_argument("--warm", type=Path, help="analyse 4 batches of a copy of this store first")
    args = parser.parse_args()
    from nlp.scoring import load_rubric
    from privacy.engine import default_engine
    from rendering.latest_period import publish_period

    shutil.rmtree(args.out, ignore_errors=True)
    db = args.out.parent / f"{args.out.name}.duckdb"
    shutil.copy2(args.store, db)
    rubric = load_rubric()
    assert default_engine().nlp is not None  # spaCy loaded before timing
    if args.warm is not None:
        _warm(args.warm, args.out.parent / f"{args.out.name}-warm")
    process = psutil.Process()
    before = peak = process.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if args.trace:
        tracemalloc.start()
    heap = tracemalloc.get_traced_memory()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = publish_period(str(db), args.out, 7, rubric, incremental=True)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    heap_peak = tracemalloc.get_traced_memory()[1] - heap if args.trace else None
    done.set()
    sampler.join()
    peak = max(peak, process.memory_info().rss)
    print(
        json.dumps(
            {
                "store": str(args.store),
                "cpu_s": round(cpu, 2),
                "wall_s": round(wall, 2),
                "rss_before_mb": round(before / 2**20),
                "rss_peak_mb": round(peak / 2**20),
                "rss_growth_mb": round((peak - before) / 2**20),
                "python_heap_peak_mb": None if heap_peak is None else round(heap_peak / 2**20, 1),
                "files": outcome.pages_written,
            }
        )
    )


def _warm(store: Path, work: Path, batches: int = 4) -> None:
    """Analyse, score and store ``batches`` batches of a copy of ``store`` here, as the flow does."""
    from flows.batches import analyse_and_score_snapshot
    from flows.heap import trim_heap
    from flows.nightly import store_batch
    from flows.worklist import build_worklist
    from storage.store import Store

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "warm.duckdb"
    shutil.copy2(store, db)
    with Store(db) as opened:
        worklist = build_worklist(opened, "warm", work / "batches", 100, full=True)
    for spec in worklist.batches[:batches]:
        result = analyse_and_score_snapshot(spec, None)
        store_batch.fn(str(db), result, None)
        result.release()
    shutil.rmtree(work, ignore_errors=True)
    gc.collect()
    trim_heap()


if __name__ == "__main__":
    main()
