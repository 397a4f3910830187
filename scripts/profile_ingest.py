"""CPU seconds of the ingest stage alone (``storage.ingest.ingest_paths``), in this process.

    python scripts/profile_ingest.py SOURCE STORE.duckdb [--no-memory-zones]

Imports first and loads the redaction engine (spaCy, Presidio) apart, then ingests ``SOURCE``
into a new store and prints one JSON line: CPU seconds (user + system, this process) of the
imports, of loading the engine and of the ingest itself, its wall seconds and the counts. CPU
seconds are the figure to compare on a shared machine; run the code before and after a change
alternately (``PYTHONPATH=CHECKOUT``) on the same load (``scripts/scale_load.py``). Also the
memory ingest leaves behind: RSS after loading and after the ingest (heap trimmed both times)
and the strings in spaCy's vocabulary. ``--no-memory-zones`` redacts without spaCy memory
zones (as ``spacy.memory_zones: false`` in ``nlp/analysis.yaml``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--no-memory-zones"]
    if len(args) != 2:
        raise SystemExit(__doc__)
    source, store_path = Path(args[0]), Path(args[1])
    if store_path.exists():
        raise SystemExit(f"{store_path} exists: give a new store")
    started = _cpu()
    from bench_scale import settled_rss_mb

    from privacy.engine import default_engine
    from storage.ingest import ingest_paths
    from storage.store import Store

    imported = _cpu()
    if "--no-memory-zones" in sys.argv:
        import nlp.models

        nlp.models.memory_zones_on = lambda: False  # the flag's one reader
    engine = default_engine()
    engine.analyzer  # noqa: B018 - loads spaCy and builds Presidio's recognisers
    rss_loaded = settled_rss_mb()
    loaded = _cpu()
    wall = time.perf_counter()
    with Store(store_path) as store:
        summary = ingest_paths([source], store)
    done = _cpu()
    figures = {
        "imports_cpu_s": round(imported - started, 2),
        "engine_load_cpu_s": round(loaded - imported, 2),
        "ingest_cpu_s": round(done - loaded, 2),
        "ingest_wall_s": round(time.perf_counter() - wall, 2),
        "read": summary.read,
        "stored": summary.stored,
        "quarantined": summary.quarantined,
        "journeys": summary.journeys,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "rss_loaded_mb": rss_loaded,
        "rss_kept_mb": settled_rss_mb(),
        "spacy_strings": len(engine.nlp.vocab.strings),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
