"""How often a customer turn with a negative cue is labelled negative (``negative_cues``, nlp/analysis.yaml).

    python scripts/measure_negative_cues.py

Per real split: the customer turns whose sentiment a distress cue set (``Sentiment.cue``), how many
of them are labelled negative (the measured ``confidence``), how many the sentiment head already
called negative, and product-path macro recall of customer sentiment without and with the cues.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_findings  # noqa: E402

from nlp.analysis import Analyzer  # noqa: E402
from nlp.config import load_analysis_config  # noqa: E402

CLASSES = ("negative", "neutral", "positive")


def macro_recall(pairs: Counter, gold: Counter) -> float:
    """Mean over the gold classes of the share read as that class."""
    return sum(pairs[(k, k)] / gold[k] for k in gold) / len(gold)


def main() -> int:
    config = load_analysis_config()
    with_cues = Analyzer(config)
    without = Analyzer(config.model_copy(update={"negative_cues": None}))
    total = labelled_negative = 0
    for split in ("train", "calibration", "test"):
        conversations, labels, _ = eval_findings.load(split)
        cued, plain = with_cues.annotate(conversations), without.annotate(conversations)
        gold, before, after = Counter(), Counter(), Counter()
        n = negative = head_negative = 0
        for a, b in zip(cued, plain, strict=True):
            for turn, model_turn in zip(a.turns, b.turns, strict=True):
                label = (labels.get((a.id, turn.index)) or {}).get("sentiment")
                if turn.role.value != "customer" or label is None:
                    continue
                gold[label] += 1
                before[(label, model_turn.sentiment.label.value)] += 1
                after[(label, turn.sentiment.label.value)] += 1
                if turn.sentiment.cue:
                    n += 1
                    negative += label == "negative"
                    head_negative += model_turn.sentiment.label.value == "negative"
        if split != "test":
            total, labelled_negative = total + n, labelled_negative + negative
        recall = f"{macro_recall(before, gold):.3f} without cues, {macro_recall(after, gold):.3f} with"
        print(
            f"{split}: {n} cue turns, {negative} labelled negative, "
            f"{head_negative} negative by the head alone; macro recall {recall}"
        )
    share = labelled_negative / total
    print(f"train + calibration: {labelled_negative} of {total} cue turns negative ({share:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
