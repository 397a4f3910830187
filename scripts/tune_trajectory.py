"""Choose what the customer's trajectory reads, on the real train + calibration threads only.

Runs the product analysis (``Analyzer().annotate``) once over the labelled threads of the chosen
splits, then for each reading (weights of sentiment, negative and distress,
``trajectory.customer_turn`` in ``nlp/analysis.yaml``)
and each threshold (``analysis.yaml``'s ``trajectory.flat_threshold``, and the rubric's
``customer_trajectory`` ``improved_delta`` / ``-worsened_delta``) rebuilds every thread's
trajectory with :mod:`nlp.trajectory` and prints the mean F1 of worsened and improved against the
gold of ``eval_findings.gold_trajectory``, and the precision of worsened. Also prints, per reading,
the break-even opener score for "arrived upset" (the rubric's ``upset_start``): as many openers
at or below it show distress as distressed openers are found there.

The shipped sentiment and distress heads were trained on the train split, so on its turns they are
too good; ``--oof`` (needs ``--shared``, as ``make train-signals``) replaces their outputs on
train turns with out-of-fold ones: the same heads (regularisation and temperature of
``signals.json``) refitted five times, each without a fifth of the train threads, as
``scripts/train_signals.py`` folds them.

    python scripts/tune_trajectory.py [--splits train calibration] [--oof --shared ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from eval_findings import gold_trajectory, load
from eval_signals import prf

from nlp.annotated import Sentiment
from nlp.signals import SIGNALS_DIR
from nlp.trajectory import TrajectoryReading, conversation_trajectories, turn_scores

READINGS = (
    TrajectoryReading(sentiment=1.0),
    *(
        TrajectoryReading(negative=round(1 - w, 2), distress=w)
        for w in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0)
    ),
    *(TrajectoryReading(sentiment=round(1 - w, 2), distress=w) for w in (0.25, 0.5, 0.75)),
    TrajectoryReading(sentiment=0.5, negative=0.5),
)
THRESHOLDS = (0.05, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4)


def main() -> int:
    """Print the grid."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--splits", nargs="+", default=["train", "calibration"])
    parser.add_argument("--oof", action="store_true", help="out-of-fold head outputs on train turns")
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()
    if "test" in args.splits:
        parser.error("the test split is never used to choose")
    from nlp.analysis import Analyzer

    conversations, labels = [], {}
    for split in args.splits:
        convs, labels, _ = load(split)
        conversations += convs
    annotated = Analyzer().annotate(conversations)
    if args.oof:
        replaced = 0
        oof = out_of_fold(args.shared)
        for conv in annotated:
            for turn in conv.turns:
                if (conv.id, turn.index) in oof:
                    sentiment, distress = oof[(conv.id, turn.index)]
                    score = float(sentiment[2] - sentiment[0])
                    turn.sentiment = Sentiment(turn.sentiment.label, score, "out-of-fold")
                    turn.signals["sentiment"] = dict(
                        zip(("negative", "neutral", "positive"), map(float, sentiment), strict=True)
                    )
                    turn.signals["distress"] = {"false": float(distress[0]), "true": float(distress[1])}
                    replaced += 1
        print(f"{replaced} train customer turns read out-of-fold head outputs")
    gold = {}
    for conv in annotated:
        g = gold_trajectory(
            [labels[(conv.id, t.index)]["distress"] for t in conv.turns if t.role.value == "customer"]
        )
        if g is not None:
            gold[conv.id] = g
    items = [a for a in annotated if a.id in gold]
    print(
        f"{len(items)} threads with 2+ customer turns: "
        + ", ".join(f"{k} {sum(v == k for v in gold.values())}" for k in ("worsened", "improved", "flat"))
    )
    g_w = np.array([gold[a.id] == "worsened" for a in items])
    g_i = np.array([gold[a.id] == "improved" for a in items])
    print(
        "reading (weights)                  upset_start  per flat: mean F1 (worsened, improved) / worsened P"
    )
    print(" " * 47 + "".join(f"{t:>11.3f}" for t in THRESHOLDS))
    for reading in READINGS:
        deltas = np.array(
            [
                conversation_trajectories(a.conversation, turn_scores(a.turns, reading), 0.0)[-1].delta
                for a in items
            ]
        )
        openers = [
            (score, labels[(a.id, t.index)]["distress"] != "none")
            for a in annotated
            for t in a.turns[:1]
            if t.role.value == "customer" and (score := turn_scores([t], reading)[0]) is not None
        ]
        cells = []
        for t in THRESHOLDS:
            mw, mi = prf(deltas <= -t, g_w), prf(deltas >= t, g_i)
            cells.append(f"{(mw['f1'] + mi['f1']) / 2:.2f}/{mw['p']:.2f}")
        name = " ".join(f"{k} {v:g}" for k, v in reading.model_dump().items() if v)
        print(f"{name:34s} {upset_start(openers):+.2f}       " + "".join(f"{c:>11s}" for c in cells))
    return 0


def out_of_fold(shared: Path) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """Sentiment and distress probabilities per real train customer turn, from heads without its thread."""
    import signal_data as data
    from train_signals import PLANS, _folds, fit, full_logits, softmax, training_examples, value_of

    meta = json.loads((SIGNALS_DIR / "signals.json").read_text(encoding="utf-8"))
    examples = training_examples(shared)
    inputs = data.example_inputs(examples, "train")
    probabilities: dict[str, dict[tuple[str, int], np.ndarray]] = {}
    for plan in (p for p in PLANS if p.name in {"sentiment", "distress"}):
        spec = meta["heads"][plan.name]
        tr = np.array(
            [
                i
                for i, e in enumerate(examples)
                if e.role == plan.role
                and e.split == "train"
                and e.source in plan.sources
                and value_of(e, plan)
            ]
        )
        x = inputs[tr].copy()
        if not plan.context:
            x[:, x.shape[1] // 2 :] = 0.0
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
        y = np.array([plan.classes.index(value_of(examples[i], plan)) for i in tr])
        w = np.array([plan.ibm_weight if examples[i].source == "ibm" else examples[i].weight for i in tr])
        folds = _folds(examples, tr)
        got: dict[tuple[str, int], np.ndarray] = {}
        for f in range(5):
            held = folds == f
            model = fit(x[~held], y[~held], w[~held], spec["C"])
            p = softmax(full_logits(model, x[held], len(plan.classes)) / spec["temperature"])
            real = [(i, row) for i, row in zip(tr[held], p, strict=True) if examples[i].source == "ibm"]
            got.update({examples[i].key: row for i, row in real})  # not the answer-particle copies
        probabilities[plan.name] = got
    sentiment, distress = probabilities["sentiment"], probabilities["distress"]
    return {k: (sentiment[k], distress[k]) for k in sentiment if k in distress}


def upset_start(openers: list[tuple[float, bool]]) -> float:
    """The opener score at or below which the share of openers showing distress equals the share found.

    The break-even cut-off of "arrived upset": as many of the openers at or below it show distress
    (precision) as of the distressed openers are at or below it (recall).
    """
    distressed = max(1, sum(d for _, d in openers))

    def gap(cut: float) -> float:
        below = [d for s, d in openers if s <= cut]
        return abs(sum(below) / len(below) - sum(below) / distressed)

    return min(sorted({s for s, _ in openers}), key=gap)


if __name__ == "__main__":
    sys.exit(main())
