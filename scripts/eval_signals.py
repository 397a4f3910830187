"""Turn-level precision / recall of the shipped signal heads on the real test split (``make eval``).

For each finding class (distress, empathic response, face threat (its own adapted head), can-do,
each hand-off kind), it prints, on the labelled real test split that no model or threshold was
chosen on: the cut-off the rubric's target precision gives, precision, recall and F1 with 95 %
Wilson intervals, and the same without the items the labeller marked uncertain.
    python scripts/eval_signals.py [--precision 0.8] [--shared ../shared/data] [--errors]
        [--politeness-compare]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import politeness_cv
import signal_data as data
from train_signals import PLANS, value_of

from nlp.scorers.learned import cutoff
from nlp.signals import SignalHeads, model_text


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval for k successes out of n."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def prf(flagged: np.ndarray, gold: np.ndarray) -> dict[str, float | tuple[float, float] | int]:
    """Precision, recall, F1 and their intervals."""
    tp, fp, fn = int((flagged & gold).sum()), int((flagged & ~gold).sum()), int((~flagged & gold).sum())
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return {
        "p": p,
        "r": r,
        "f1": f,
        "p_ci": wilson(tp, tp + fp),
        "r_ci": wilson(tp, tp + fn),
        "n_pos": tp + fn,
        "n_flag": tp + fp,
    }


def fmt(m: dict) -> str:
    """One table row's figures."""
    return (
        f"P {m['p']:.2f} [{m['p_ci'][0]:.2f}-{m['p_ci'][1]:.2f}]  R {m['r']:.2f} "
        f"[{m['r_ci'][0]:.2f}-{m['r_ci'][1]:.2f}]  F1 {m['f1']:.2f}  "
        f"gold {m['n_pos']:3d} flagged {m['n_flag']:3d}"
    )


def main() -> int:
    """Print the table; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--precision", type=float, default=0.8, help="target precision (the rubric's)")
    parser.add_argument("--shared", type=Path, default=data.ROOT.parent / "shared" / "data")
    parser.add_argument("--split", default="test")
    parser.add_argument("--errors", action="store_true", help="print the wrong items")
    parser.add_argument(
        "--politeness-compare",
        action="store_true",
        help="cross-validate encoder features alone and strategies alone beside the shipped politeness head",
    )
    args = parser.parse_args()
    heads = SignalHeads.load()
    examples = [e for e in data.ibm_examples() if e.split == args.split]
    inputs = data.example_inputs(examples, args.split)
    probs = heads.predict(inputs, [e.role for e in examples], data.example_strategies(examples))
    print(
        f"Signals on the real {args.split} split ({len({e.key[0] for e in examples})} threads, "
        f"{len(examples)} turns), cut-offs for target precision {args.precision}:"
    )
    for plan in PLANS:
        rows = [i for i, e in enumerate(examples) if e.role == plan.role and value_of(e, plan) is not None]
        for label in plan.findings:
            j = plan.classes.index(label)
            cut = heads.cutoff(plan.name, label, args.precision)
            p = probs[plan.name][rows, j]
            gold = np.array([value_of(examples[i], plan) == label for i in rows])
            flagged = p >= cut
            sure = np.array([plan.field not in examples[i].uncertain for i in rows])
            print(f"  {plan.name + ':' + label:32s} cut {cut:.2f}  {fmt(prf(flagged, gold))}")
            print(f"  {'  (certain items only)':32s}           {fmt(prf(flagged[sure], gold[sure]))}")
            if args.errors:
                for k, i in enumerate(rows):
                    if flagged[k] != gold[k]:
                        kind = "FP" if flagged[k] else "FN"
                        print(f"      {kind} {p[k]:.2f} {examples[i].text[:150]!r}")
    agents = [e for e in examples if e.role == "agent"]
    p = face_threat_probabilities([e.text for e in agents])
    gold = np.array([e.labels["face_threat"] == "true" for e in agents])
    cut = cutoff("face_threat", "true", args.precision)
    sure = np.array(["face_threat" not in e.uncertain for e in agents])
    print(f"  {'face_threat:true (adapted head)':32s} cut {cut:.2f}  {fmt(prf(p >= cut, gold))}")
    print(f"  {'  (certain items only)':32s}           {fmt(prf(p[sure] >= cut, gold[sure]))}")
    sentiment_summary(examples, inputs, probs)
    answer_particles(heads, examples, probs, args.split)
    public_benchmarks(heads, args.shared, args.precision, args.politeness_compare)
    return 0


SENTIMENTS = ("negative", "neutral", "positive")


def labelled_customer_turns(examples: list[data.Example]) -> tuple[list[int], np.ndarray]:
    """Rows of the customer turns with a sentiment label, and their labels as class indexes."""
    rows = [
        i for i, e in enumerate(examples) if e.role == "customer" and e.labels.get("sentiment") in SENTIMENTS
    ]
    return rows, np.array([SENTIMENTS.index(examples[i].labels["sentiment"]) for i in rows], dtype=int)


def face_threat_probabilities(texts: list[str]) -> np.ndarray:
    """P(face threat) of each text from the shipped face-threat head (``nlp/face_threats.py``)."""
    from nlp.encoder import Encoder
    from nlp.face_threats import FACE_HEAD, FaceThreatHead

    encoder = Encoder.from_config(data.ENCODER)
    head = FaceThreatHead.load(encoder)
    return encoder.run([model_text(t) for t in texts], heads=[head.head]).head_outputs[FACE_HEAD][:, 0]


def sentiment_summary(examples: list[data.Example], inputs: np.ndarray, probs: dict[str, np.ndarray]) -> None:
    """Customer sentiment on the split: the shipped head beside the tweets-only head it replaced.

    Macro recall over negative / neutral / positive (the TweetEval metric; few real customer
    turns are positive, so its interval is wide) and the AUC of P(negative) for negative turns.
    """
    from sklearn.metrics import recall_score, roc_auc_score

    rows, gold = labelled_customer_turns(examples)
    if "sentiment" not in probs or not rows:
        return
    width = inputs.shape[1] // 2
    tweets_only = inputs[rows, width - 3 : width]  # the LoRA head's probabilities, a feature of every head
    counts = ", ".join(f"{c} {int((gold == k).sum())}" for k, c in enumerate(SENTIMENTS))
    print(f"Customer sentiment ({len(rows)} customer turns: {counts}):")
    for name, p in (("shipped head", probs["sentiment"][rows]), ("tweets-only head (before)", tweets_only)):
        macro = recall_score(gold, p.argmax(axis=1), average="macro")
        auc = roc_auc_score(gold == 0, p[:, 0])
        print(f"  {name:28s} macro recall {macro:.3f}   negative-vs-rest AUC {auc:.3f}")


def answer_particles(
    heads: SignalHeads, examples: list[data.Example], probs: dict[str, np.ndarray], split: str
) -> None:
    """Customer sentiment and distress when the same real turns open with an answer particle.

    The particle says nothing of the customer's mood, so the macro recall should stay where it
    is and few labels should change (MODEL_CARD.md, "Answer particles"). Distress is read at the
    default rubric's cut-off (the empathy criterion's ``distress_model`` target precision): turns
    the particle moves across it. These are the heads alone: since rubric 1.8.7 the product skips a
    customer turn's leading "No," / "Nope," / "Sorry," (``customer_openers`` in
    ``nlp/analysis.yaml``), so the heads' failure on "Sorry, " no longer reaches the cards.
    """
    from sklearn.metrics import recall_score

    from nlp.config import load_analysis_config
    from nlp.scoring import load_rubric

    rows, gold = labelled_customer_turns(examples)
    if "sentiment" not in probs or "distress" not in probs or not rows:
        return
    before = probs["sentiment"][rows].argmax(axis=1)
    empathy = next(c for c in load_rubric().criteria if c.id == "empathy")
    target = empathy.params.distress_model.target_precision
    cut = heads.cutoff("distress", "true", target)
    distressed = probs["distress"][rows, 1] >= cut
    print(
        "  the same turns opening with an answer particle, read by the heads alone "
        f"(distress at the rubric's {target} cut-off, {cut:.2f};\n"
        f"  the product skips a customer's leading {', '.join(load_analysis_config().customer_openers)}):"
    )
    for particle in ("No, ", "Nope, ", "Yes, ", "Sorry, "):
        changed = [
            data.Example(data.with_particle(particle, examples[i].text), "customer", {}, "answer-particle")
            for i in rows
        ]
        inputs = data.example_inputs(changed, f"{split}-particles")
        predicted = heads.predict(inputs, ["customer"] * len(changed))
        after = predicted["sentiment"].argmax(axis=1)
        macro = recall_score(gold, after, average="macro")
        changed_share, to_negative = (after != before).mean(), ((after == 0) & (before != 0)).mean()
        now = predicted["distress"][:, 1] >= cut
        print(
            f"    {particle!r:9s} macro recall {macro:.3f}   label changed on {changed_share:.1%}, "
            f"to negative on {to_negative:.1%}; distress {int((now & ~distressed).sum())} up, "
            f"{int((distressed & ~now).sum())} down"
        )


def public_benchmarks(heads: SignalHeads, shared: Path, precision: float, compare: bool = False) -> None:
    """Out-of-domain checks on public sets (skipped when ``shared`` is absent).

    GoEmotions test (Reddit; distress = anger, annoyance, disappointment, ... vs calm; the head saw
    GoEmotions *train* at weight 0.1) and the Stanford Politeness Corpus' Wikipedia requests
    (impolite = bottom quartile vs polite = top quartile; the face-threat head never saw them),
    with the politeness head's grouped cross-validated accuracy at its shipped regularisation
    (``politeness_cv``; ``compare``: C chosen inside each fold, and encoder features alone and
    strategies alone beside it).
    """
    go_test = shared / "goemotions" / "test.tsv"
    polite = shared / "politeness-wikipedia" / "wikipedia.annotated.csv"
    if not go_test.exists() or not polite.exists():
        print(f"Public benchmarks skipped: {shared} not found (set --shared)")
        return
    from sklearn.metrics import f1_score, roc_auc_score

    print("Public benchmarks (out of domain):")
    go = [e for e in data.goemotions(go_test, 100_000) if e.role == "customer"]
    gold = np.array([e.labels["distress"] == "true" for e in go])
    p = heads.predict(data.example_inputs(go, "go-test"), ["customer"] * len(go))["distress"][:, 1]
    flagged = p >= heads.cutoff("distress", "true", precision)
    print(
        f"  GoEmotions test, distress vs calm ({len(go)} comments): AUC {roc_auc_score(gold, p):.3f}, "
        f"macro-F1 at the cut-off {f1_score(gold, flagged, average='macro'):.3f}, {fmt(prf(flagged, gold))}"
    )
    pol = data.politeness(polite)
    gold = np.array([e.labels["face_threat"] == "true" for e in pol])
    p = face_threat_probabilities([e.text for e in pol])
    print(
        f"  Politeness (Wikipedia), impolite vs polite ({len(pol)} requests) by the face-threat head "
        f"(service face threats; it never saw the requests): AUC {roc_auc_score(gold, p):.3f}, "
        f"accuracy at 0.5 {((p >= 0.5) == gold).mean():.3f}"
    )
    if compare:
        politeness_cv.report(shared)
    elif "politeness" in heads.heads:  # the shipped head's features and C (chosen by grouped CV)
        politeness_cv.report(shared, only=(politeness_cv.SHIPPED,), c=heads.meta["heads"]["politeness"]["C"])


if __name__ == "__main__":
    sys.exit(main())
