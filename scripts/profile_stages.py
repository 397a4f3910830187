"""Peak memory and CPU of each stage of one ``qareview run``, run in this process (docs/performance.md).

    python scripts/profile_stages.py OUT.json SOURCE --db STORE --out FOLDER [other qareview run options]

Runs ``qareview run`` in-process with a progress listener (``flows.progress``) and samples,
every 0.5 s, the RSS of this process and of its children (the temporary Prefect server)
apart. Writes to ``OUT.json`` and prints: per stage (``start``, ``ingest``, ``analyse`` from
planning to the last stored batch, ``publish``), this process's CPU seconds and the peak RSS
of this process, of the children and of both; and the RSS after each stored batch, which
shows whether anything is kept from batch to batch. Use loads from ``scripts/scale_load.py``
of two sizes to see what grows with the number of conversations.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class StageProfile:
    """RSS samples and CPU times, labelled with the stage the flow last reported."""

    def __init__(self, every: float = 0.5) -> None:
        self.process = psutil.Process()
        self.started = time.perf_counter()
        self.stage = "start"
        self.cpu_at: dict[str, float] = {"start": self._cpu()}
        self.peaks: dict[str, list[int]] = {}
        self.after_batches: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)
        self._thread.start()

    def _cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def _rss(self) -> tuple[int, int]:
        children = 0
        for child in self.process.children(recursive=True):
            try:
                children += child.memory_info().rss
            except psutil.Error:
                pass
        return self.process.memory_info().rss, children

    def _record(self) -> tuple[int, int]:
        own, children = self._rss()
        with self._lock:
            peak = self.peaks.setdefault(self.stage, [0, 0, 0])
            for i, value in enumerate((own, children, own + children)):
                peak[i] = max(peak[i], value)
        return own, children

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            self._record()

    def step(self, step: Any) -> None:
        """A ``flows.progress.Step``: note stage changes and the RSS after each stored batch."""
        if step.stage != self.stage:
            self._record()
            with self._lock:
                self.stage = step.stage
            self.cpu_at[step.stage] = self._cpu()
        if step.stage == "analyse" and step.done:
            own, _ = self._record()
            self.after_batches.append({"stored": step.done, "rss_gb": round(own / 1e9, 3)})

    def finish(self) -> dict[str, Any]:
        """Stop sampling; the profile as plain data."""
        self._record()
        self._stop.set()
        self._thread.join()
        self.cpu_at["end"] = self._cpu()
        stages = list(self.cpu_at)
        cpu = {s: round(self.cpu_at[n] - self.cpu_at[s], 1) for s, n in zip(stages, stages[1:], strict=False)}
        gb = {s: {k: round(v / 1e9, 3) for k, v in zip(("own", "children", "total"), p, strict=True)}
              for s, p in self.peaks.items()}  # fmt: skip
        return {
            "wall_seconds": round(time.perf_counter() - self.started, 1),
            "cpu_seconds": cpu,
            "peak_rss_gb": gb,
            "after_batches": self.after_batches,
        }


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out = Path(sys.argv[1])
    sys.argv = ["qareview", "run", *sys.argv[2:]]
    from flows.progress import listening
    from qareview.cli import app

    profile = StageProfile()
    try:
        with listening(profile.step):
            app()
    except SystemExit as exc:
        if exc.code:
            raise
    finally:
        result = profile.finish()
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps({k: v for k, v in result.items() if k != "after_batches"}))


if __name__ == "__main__":
    main()
