"""Cost per conversation and peak memory of the nightly flow as the load grows (``make bench-scale``).

    python scripts/bench_scale.py [--sizes 1000,10000,100000] [--ratio-size 2000]
        [--dask-workers 1,2] [--dask-size 1000] [--data ../shared/data] [--out .bench/scale.json]
        [--batch-size N] [--timeline FILE]

For each size, ``scripts/scale_load.py`` writes that many conversations (templates plus
public customer text from ``--data``; templates only, with a message, when it is absent)
and a fresh ``qareview run`` process (threads runner, empty store) reviews them. Printed
per size: wall seconds, milliseconds per conversation (wall and CPU of the whole process
tree: CPU hardly moves when other work shares the cores), the flow's stage seconds and the
peak RSS of the whole process tree (sampled every 0.2 s), and the cost ratios to the
smallest size.

On the ``--ratio-size`` load (distinct customer text) the flow's wall time is compared
with one plain fp32 pass of the shipped encoder over the same turn texts (length-sorted
batches of 64, nothing else: no spaCy, heads, storage or start-up), timed in this process;
when the product runs several encoder streams (``encoder.streams``), the same pass on them
beside it, so that what the streams alone gain shows.

With ``--dask-workers``, the ``--dask-size`` load also runs on local Dask clusters of
those many worker processes: speed-up over the smallest cluster, and per worker.
Targets (issue 18): ratio <= 1.0; cost at the largest size <= 1.2x the smallest; RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench_flow import CLI, ENV_DEFAULTS, last_run_summary  # noqa: E402
from scale_load import write_scale_load  # noqa: E402

TARGET_RATIO, TARGET_COST_RATIO, TARGET_RSS_GB = 1.0, 1.2, 2.0


class PeakRss:
    """Peak summed RSS of a process and all its descendants, sampled on a thread.

    With ``timeline``, every ``log_every`` seconds a line goes to that file as the run goes
    (flushed, so a run cut short still shows where its memory went): case, seconds since the
    start, the tree's RSS, the root process's RSS and its CPU seconds, in MB and seconds.
    """

    def __init__(
        self,
        pid: int,
        every: float = 0.2,
        timeline: Path | None = None,
        case: str = "",
        log_every: float = 5.0,
    ) -> None:
        self.root = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._timeline = timeline.open("a", encoding="utf-8") if timeline else None
        self._case, self._log_every = case, log_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def tree_rss(self) -> int | None:
        """The summed RSS of the process and its descendants now; None once the process is gone."""
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return None
        total = 0
        for process in tree:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        return total

    def reset(self) -> int:
        """Start a new peak at the tree's RSS now, and return it (one window per step measured)."""
        self.peak = self.tree_rss() or 0
        return self.peak

    def _sample(self) -> None:
        started, logged = time.perf_counter(), -self._log_every
        while not self._stop.is_set():
            total = self.tree_rss()
            if total is None:
                return
            self.peak = max(self.peak, total)
            elapsed = time.perf_counter() - started
            if self._timeline and elapsed - logged >= self._log_every:
                logged = elapsed
                self._log(elapsed, total)
            self._stop.wait(self.every)

    def _log(self, elapsed: float, total: int) -> None:
        try:
            root_rss, cpu = self.root.memory_info().rss, sum(self.root.cpu_times()[:2])
        except psutil.Error:
            return
        assert self._timeline is not None
        self._timeline.write(
            f"{self._case}\t{elapsed:.0f}\t{total / 1e6:.0f}\t{root_rss / 1e6:.0f}\t{cpu:.0f}\n"
        )
        self._timeline.flush()

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        if self._timeline:
            self._timeline.close()
        return self.peak


def settled_rss_mb() -> int:
    """This process's RSS in MiB once garbage is collected and the heap trimmed: what it keeps."""
    import gc

    from flows.heap import trim_heap

    gc.collect()
    trim_heap()
    return psutil.Process().memory_info().rss // 2**20


def run_flow(
    name: str, source: Path, work: Path, extra: list[str] = (), timeline: Path | None = None
) -> dict[str, Any]:
    """One ``qareview run`` into an empty store: wall time, peak RSS and the recorded summary."""
    db, out = work / f"{name}.duckdb", work / f"{name}-out"
    env = {**ENV_DEFAULTS, **os.environ, "PYTHONPATH": str(ROOT)}
    command = [*CLI, "run", str(source), "--db", str(db), "--out", str(out), *extra]
    started, cpu_before = time.perf_counter(), _children_cpu()
    log = (work / f"{name}.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    sampler = PeakRss(process.pid, timeline=timeline, case=name)
    code = process.wait()
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    peak = sampler.stop()
    log.close()
    if code != 0:
        sys.stderr.write((work / f"{name}.log").read_text()[-4000:])
        raise SystemExit(f"{name}: qareview run failed with exit code {code}")
    summary = last_run_summary(db)
    analysed = summary["analysed"]
    return {
        "case": name,
        "conversations": analysed,
        "wall_seconds": round(wall, 1),
        "ms_per_conversation": round(1000 * wall / analysed, 1) if analysed else None,
        "cpu_seconds": round(cpu, 1),
        "cpu_ms_per_conversation": round(1000 * cpu / analysed, 1) if analysed else None,
        "peak_rss_gb": round(peak / 1e9, 3),
        "stage_seconds": summary["seconds"],
        "runner": summary["runner"],
        "batches": summary["batches"],
    }


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process of this one and their descendants.

    Unlike wall time it hardly moves when other work shares the cores, so it shows whether
    the cost per conversation grows with the load on a busy machine too.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def turn_texts(load_dir: Path) -> list[str]:
    """Every turn text of a generated load, in file and record order."""
    texts = []
    for path in sorted(load_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                texts.extend(turn["text"] for turn in json.loads(line)["turns"])
    return texts


def plain_encoder_seconds(texts: list[str], streams: int = 1) -> float:
    """Seconds for one plain fp32 pass of the shipped encoder (loaded beforehand) over ``texts``.

    The yardstick is fixed whatever the product's settings, and does not go through
    :meth:`Encoder.run` (whose batches now run single-threaded, in fixed-row products): texts
    tokenised once and sorted by token count, batches of 64 padded to their longest text only,
    Hugging Face's forward in fp32, mean-pooled and normalised, no heads, one stream on every
    torch thread. That is the encoder pass as it was before bf16, whole-block padding, streams
    and batch invariance. ``streams`` > 1 times the same pass on that many single-threaded
    streams (printed beside the yardstick, so a gain of the streams alone shows).
    """
    from concurrent.futures import ThreadPoolExecutor

    import torch

    from nlp.config import load_analysis_config
    from nlp.encoder import _pad, length_batches, mean_pool
    from nlp.models import load_encoder_model

    config = load_analysis_config().encoder
    loaded = load_encoder_model(config.path)
    threads = config.threads()
    torch.set_num_threads(threads)
    pad = loaded.tokenizer.pad_token_id or 0

    def run(batch_texts: list[str]) -> None:
        ids = loaded.tokenizer(batch_texts, truncation=True, max_length=config.max_length)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        batches = [[ids[i] for i in rows] for rows in length_batches(order, [len(t) for t in ids], 64, None)]

        def encode(batch: list[list[int]]) -> None:
            input_ids, mask = _pad(batch, pad)  # padded to the longest text only
            with torch.inference_mode():
                out = loaded.model(input_ids=input_ids, attention_mask=mask, token_type_ids=0 * mask)
                torch.nn.functional.normalize(mean_pool(out.last_hidden_state, mask), p=2, dim=1)

        if streams <= 1:
            for batch in batches:
                encode(batch)
            return
        with ThreadPoolExecutor(streams, initializer=torch.set_num_threads, initargs=(1,)) as pool:
            list(pool.map(encode, batches))
        torch.set_num_threads(threads)

    run(texts[:64])  # warm-up
    started = time.perf_counter()
    run(texts)
    return time.perf_counter() - started


def _product_streams() -> int:
    """How many encoder streams the product runs (``encoder.streams`` in ``nlp/analysis.yaml``)."""
    from nlp.config import load_analysis_config

    return load_analysis_config().encoder.stream_count()


def _sizes(text: str) -> list[int]:
    if text.strip().lower() == "none":  # e.g. only the Dask cases
        return []
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated whole numbers, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be at least 1, got {text!r}")
    return sizes


def _print(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000, 100000])
    parser.add_argument("--ratio-size", type=int, default=2000, help="0 skips the encoder comparison")
    parser.add_argument("--dask-workers", type=_sizes, default=None, help="e.g. 1,2 (default: no Dask cases)")
    parser.add_argument("--dask-size", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "scale.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores, outputs, logs)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="conversations per batch (default: flows/nightly.yaml)"
    )
    parser.add_argument(
        "--timeline",
        type=Path,
        default=None,
        help="append samples every 5 s while each run goes: case, s, tree MB, flow MB, flow CPU s",
    )
    args = parser.parse_args(argv)
    data = args.data if args.data.is_dir() else None
    if data is None:
        print(f"{args.data} not found: customer turns come from templates only (no public text)", flush=True)

    batching = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    work = Path(tempfile.mkdtemp(prefix="qareview-bench-scale-"))
    loads: dict[int, dict[str, Any]] = {}

    def load(size: int) -> Path:
        folder = work / f"load-{size}"
        if size not in loads:
            loads[size] = write_scale_load(folder, size, data)
        return folder

    report: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "sizes": [],
    }
    try:
        for size in args.sizes:
            row = run_flow(f"scale-{size}", load(size), work, batching, timeline=args.timeline)
            row["load"] = loads[size]
            report["sizes"].append(row)
            _print(row)
            if not args.keep:  # bound the disk a 100k run needs
                shutil.rmtree(work / f"scale-{size}-out", ignore_errors=True)
                (work / f"scale-{size}.duckdb").unlink(missing_ok=True)
        if args.ratio_size:
            size = args.ratio_size
            flow = next((r for r in report["sizes"] if r["load"]["conversations"] == size), None)
            if flow is None:
                flow = run_flow(f"ratio-{size}", load(size), work, batching)
                _print(flow)
            texts = turn_texts(load(size))
            encoder = plain_encoder_seconds(texts)
            streams = _product_streams()
            report["ratio"] = {
                "conversations": size,
                "turns": len(texts),
                "distinct_texts": len(set(texts)),
                "flow_seconds": flow["wall_seconds"],
                "encoder_seconds": round(encoder, 1),
                "ratio": round(flow["wall_seconds"] / encoder, 2),
                "target": TARGET_RATIO,
            }
            if streams > 1:
                streamed = plain_encoder_seconds(texts, streams=streams)
                report["ratio"]["streamed_encoder_seconds"] = round(streamed, 1)
                report["ratio"]["ratio_to_streamed_encoder"] = round(flow["wall_seconds"] / streamed, 2)
            _print(report["ratio"])
        if args.dask_workers:
            report["dask"] = []
            for workers in args.dask_workers:
                row = run_flow(
                    f"dask-{workers}", load(args.dask_size), work, ["--dask-workers", str(workers), *batching]
                )
                report["dask"].append(row)
                _print(row)
            base = report["dask"][0]
            for row, workers in zip(report["dask"], args.dask_workers, strict=True):
                speedup = base["wall_seconds"] / row["wall_seconds"]
                row["workers"] = workers
                row["speedup"] = round(speedup, 2)  # over the first (smallest) cluster
                row["speedup_per_worker"] = round(speedup / (workers / args.dask_workers[0]), 2)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


def print_table(report: dict[str, Any]) -> None:
    """The human-readable summary: one line per size, the ratio, the Dask speed-ups."""
    rows = report["sizes"]
    if rows:
        base, cpu_base = rows[0]["ms_per_conversation"], rows[0].get("cpu_ms_per_conversation")
        print(
            f"{'conversations':>13} {'wall s':>8} {'ms/conv':>8} {'x smallest':>10} "
            f"{'CPU ms/conv':>11} {'x smallest':>10} {'peak RSS GB':>11}"
        )
        for row in rows:
            cpu = row.get("cpu_ms_per_conversation")
            cpu_text = f"{cpu:>11.1f} {cpu / cpu_base:>10.2f}" if cpu and cpu_base else f"{'-':>11} {'-':>10}"
            print(
                f"{row['conversations']:>13} {row['wall_seconds']:>8.1f} {row['ms_per_conversation']:>8.1f} "
                f"{row['ms_per_conversation'] / base:>10.2f} {cpu_text} {row['peak_rss_gb']:>11.2f}"
            )
        worst = max(r["ms_per_conversation"] for r in rows) / base
        rss = max(r["peak_rss_gb"] for r in rows)
        print(
            f"cost ratio largest/smallest {rows[-1]['ms_per_conversation'] / base:.2f} (worst {worst:.2f}; "
            f"target <= {TARGET_COST_RATIO}), peak RSS {rss:.2f} GB (target <= {TARGET_RSS_GB})"
        )
        if cpu_base and rows[-1].get("cpu_ms_per_conversation"):
            print(f"CPU cost ratio largest/smallest {rows[-1]['cpu_ms_per_conversation'] / cpu_base:.2f}")
    if "ratio" in report:
        r = report["ratio"]
        print(
            f"whole flow / plain encoder pass on {r['conversations']} conversations ({r['turns']} turns, "
            f"{r['distinct_texts']} distinct): {r['flow_seconds']} s / {r['encoder_seconds']} s = "
            f"{r['ratio']} (target <= {TARGET_RATIO})"
        )
        if "streamed_encoder_seconds" in r:
            print(
                f"the same plain pass on the product's encoder streams: {r['streamed_encoder_seconds']} s "
                f"(flow / it = {r['ratio_to_streamed_encoder']})"
            )
    for row in report.get("dask", []):
        print(
            f"dask {row['runner']}: {row['wall_seconds']} s, speed-up {row['speedup']}x over "
            f"{report['dask'][0]['workers']} worker(s), {row['speedup_per_worker']} per added worker share"
        )


if __name__ == "__main__":  # the Dask cases start worker processes: keep the guard
    main()
