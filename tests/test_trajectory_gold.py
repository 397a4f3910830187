"""The labelled customer trajectory ``make eval`` measures (``scripts/eval_findings.py``).

The rule is written down in ``docs/labelling-guidelines.md``; the counts per split are those
``nlp/models/signals/MODEL_CARD.md`` reports.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from eval_findings import IBM, gold_trajectory  # noqa: E402
from label_agreement import first_pass  # noqa: E402


@pytest.mark.parametrize(
    ("distress", "expected"),
    [
        ([], None),
        (["strong"], None),  # one customer turn: no trajectory
        (["none", "mild"], "worsened"),
        (["strong", "none"], "improved"),
        (["strong", "strong"], "flat"),  # arrived angry, stayed angry: not worse
        (["mild", "none", "mild"], "flat"),  # first third vs last third, the middle ignored
        (["none", "none", "mild", "strong"], "worsened"),  # thirds of two: 0 vs 1.5
        (["strong", "mild", "mild", "strong"], "flat"),  # 1.5 vs 1.5
    ],
)
def test_gold_trajectory_table(distress: list[str], expected: str | None) -> None:
    assert gold_trajectory(distress) == expected


def test_labelled_trajectories_per_split() -> None:
    labels = first_pass()
    threads: dict[tuple[str, str], list[str]] = {}
    for line in (IBM / "turns.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        if t["role"] == "customer":
            threads.setdefault((t["split"], t["thread"]), []).append(
                labels[(t["thread"], t["turn"])]["distress"]
            )
    counts = Counter((split, gold_trajectory(d)) for (split, _), d in threads.items())
    assert {k: v for k, v in counts.items() if k[1] is not None} == {
        ("train", "worsened"): 8, ("train", "improved"): 20, ("train", "flat"): 22,
        ("calibration", "improved"): 6, ("calibration", "flat"): 5,
        ("test", "worsened"): 1, ("test", "improved"): 5, ("test", "flat"): 7,
    }  # fmt: skip
