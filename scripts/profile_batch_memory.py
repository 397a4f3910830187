"""Memory of the analyse+score+store loop, batch by batch, in this process (docs/performance.md).

    python scripts/scale_load.py /tmp/l6k --conversations 6000 --data ../shared/data
    qareview ingest /tmp/l6k --db /tmp/l6k.duckdb
    MALLOC_ARENA_MAX=2 python scripts/profile_batch_memory.py /tmp/l6k.duckdb [--batch-size N] [--limit N] \
        [--no-memory-zones] [--row-multiple N] [--skip-padding on|off]

Plans batches of the ingested store as the flow does, then for each: analyses and scores it
with this process's models (``flows.batches``), stores it (``store-batch``'s own function),
releases the result and trims the heap, as ``flows.nightly`` does between batches, without
Prefect. Prints one line per batch: RSS before it (the trough: what the night keeps), the
peak while it ran (sampled every 10 ms) and the rise. The store is written: use a copy.
Set ``MALLOC_ARENA_MAX`` in the environment to compare allocator settings (`qareview` sets 2);
``--no-memory-zones`` analyses without spaCy memory zones (``spacy.memory_zones: false``);
``--row-multiple N`` pads the encoder's batches to N rows instead of ``encoder.row_multiple``;
``--skip-padding on|off`` overrides ``encoder.skip_padding`` (encoder and sentiment head).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench_scale import PeakRss  # noqa: E402

from flows.batches import analyse_and_score_snapshot, process_analyzer  # noqa: E402
from flows.config import load_flow_config  # noqa: E402
from flows.heap import trim_heap  # noqa: E402
from flows.nightly import store_batch  # noqa: E402
from flows.worklist import build_worklist  # noqa: E402
from nlp.packed_bert import is_packable  # noqa: E402
from storage.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="an ingested DuckDB store (it is written: give a copy)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: flows/nightly.yaml")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many conversations (0: all)")
    parser.add_argument("--no-memory-zones", action="store_true", help="keep every word spaCy meets")
    parser.add_argument("--row-multiple", type=int, default=None, help="default: nlp/analysis.yaml")
    parser.add_argument(
        "--skip-padding", choices=("on", "off"), default=None, help="default: nlp/analysis.yaml"
    )
    args = parser.parse_args()
    analyzer = process_analyzer()  # the one every batch uses
    if args.no_memory_zones:
        spacy_config = analyzer.config.spacy.model_copy(update={"memory_zones": False})
        analyzer.config = analyzer.config.model_copy(update={"spacy": spacy_config})
    if args.row_multiple is not None:
        analyzer.encoder.row_multiple = args.row_multiple
    if args.skip_padding is not None:
        analyzer.encoder.skip_padding = args.skip_padding == "on" and is_packable(analyzer.encoder.model)
        analyzer.sentiment.head.module.skip_padding = analyzer.encoder.skip_padding
    print(json.dumps({"skip_padding": analyzer.encoder.skip_padding}), flush=True)
    batch_size = args.batch_size or load_flow_config().batch_size
    sampler = PeakRss(os.getpid(), every=0.01)
    mb = 2**20
    with tempfile.TemporaryDirectory(prefix="qareview-batch-memory-") as work:
        with Store(args.db) as store:
            worklist = build_worklist(store, "profile", Path(work), batch_size, full=True)
        done, started = 0, time.perf_counter()
        for spec in worklist.batches:
            gc.collect()
            trim_heap()
            trough = sampler.reset()
            result = analyse_and_score_snapshot(spec, None)
            store_batch.fn(args.db, result, None)
            result.release()
            del result
            done += spec.size
            row = {
                "batch": spec.number,
                "conversations": done,
                "seconds": round(time.perf_counter() - started, 1),
                "trough_mb": round(trough / mb),
                "peak_mb": round(sampler.peak / mb),
                "rise_mb": round((sampler.peak - trough) / mb),
            }
            print(json.dumps(row), flush=True)
            if args.limit and done >= args.limit:
                break
    sampler.stop()


if __name__ == "__main__":
    main()
