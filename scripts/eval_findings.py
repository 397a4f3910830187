"""Finding-level precision / recall of the whole pipeline on the labelled real split (``make eval``).

Each IBM customer-care thread of the split becomes a conversation (one leg: the company's
support account, whatever signature its agents use) and goes through the product path:
``Analyzer().annotate`` then ``score_conversations`` with the default rubric. Findings are
matched to the turn labels of ``eval/ibm-customer-care`` (``docs/labelling-guidelines.md``):

- ``empathy:missed_opportunity`` on a customer turn: gold when the turn shows distress (mild
  or strong) and the agent turn after it is not an empathic response;
- ``empathy:responded`` on an agent turn: gold when it is empathic after a customer turn
  (a distressed one, or a plain problem report: "Sorry to hear you're having trouble" acknowledges
  the situation all the same);
- ``self_worth:face_threat`` (any negative self-worth kind) on an agent turn: gold when the turn
  carries a face threat; ``self_worth:can_do`` on an agent turn: gold when can-do;
- ``handoff:<kind>`` on an agent turn: gold when the labelled hand-off is that kind
  (referral and channel move findings of ``transfers.v1``);
- ``repeats:re_explained`` on a customer turn: gold when the turn is a re-explanation;
- ``trajectory:*`` per thread (:func:`trajectory_table`): the customer's trajectory, gold from the
  labelled distress of the customer's turns (rule in ``docs/labelling-guidelines.md``).

Prints precision, recall and F1 with 95 % Wilson intervals, then the same for
``rubrics/rules-only.yaml`` (phrase lists and thresholds alone, as before the learned signals)
beside it, and, with ``--errors``, each wrong item of the first rubric with its quote.

    python scripts/eval_findings.py [--split test] [--errors]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval_signals import fmt, prf  # noqa: E402
from label_agreement import first_pass  # noqa: E402

from transcripts.model import Conversation  # noqa: E402
from transcripts.readers.social_threads import post_text  # noqa: E402

IBM = ROOT / "eval" / "ibm-customer-care"
FACE_KINDS = {"contradict_customer", "blame_customer", "condescension", "stonewall", "blame_colleague"}
HANDOFF_KINDS = {
    "referral": "referral_external",
    "channel_move": "channel_move",
    "warm_transfer": "transfer_warm",
    "cold_transfer": "transfer_cold",
}
KINDS = (
    "empathy:missed_opportunity",
    "empathy:responded",
    "self_worth:face_threat",
    "self_worth:can_do",
    "handoff:channel_move",
    "handoff:referral_external",
    "handoff:transfer_warm",
    "handoff:transfer_cold",
    "repeats:re_explained",
)


def load(split: str) -> tuple[list[Conversation], dict[tuple[str, int], dict], dict[tuple[str, int], str]]:
    """Conversations of the split, labels and texts keyed by (thread, turn)."""
    turns = [json.loads(line) for line in (IBM / "turns.jsonl").read_text().splitlines()]
    for t in turns:  # the text as the social-thread reader gives it to the product
        t["text"] = post_text(t["text"])
    labels = first_pass()
    threads: dict[str, list[dict]] = defaultdict(list)
    for t in turns:
        if t["split"] == split:
            threads[t["thread"]].append(t)
    conversations = []
    for tid, items in threads.items():
        company = items[0]["company"]
        conversations.append(
            Conversation.model_validate(
                {
                    "id": tid,
                    "channel": "social",
                    "customer_id": f"ibm-{tid}",
                    "legs": [{"index": 0, "agent_id": company, "department": company}],
                    "turns": [
                        {"index": t["turn"], "role": t["role"], "leg": 0, "text": t["text"]} for t in items
                    ],
                }
            )
        )
    texts = {(t["thread"], t["turn"]): t["text"] for t in turns}
    return conversations, labels, texts


def gold_keys(conversations: list[Conversation], labels: dict) -> set[tuple[str, str, int]]:
    """(kind, thread, turn) for every labelled finding."""
    gold = set()
    for conv in conversations:
        turns = conv.turns
        for pos, turn in enumerate(turns):
            lab = labels[(conv.id, turn.index)]
            if turn.role.value == "customer":
                if lab["reexplanation"] != "none":
                    gold.add(("repeats:re_explained", conv.id, turn.index))
                if lab["distress"] != "none":
                    reply = next((t for t in turns[pos + 1 :] if t.role.value == "agent"), None)
                    if reply is not None and not labels[(conv.id, reply.index)]["empathic"]:
                        gold.add(("empathy:missed_opportunity", conv.id, turn.index))
            else:
                if lab["empathic"] and any(t.role.value == "customer" for t in turns[:pos]):
                    gold.add(("empathy:responded", conv.id, turn.index))
                if lab["face_threat"]:
                    gold.add(("self_worth:face_threat", conv.id, turn.index))
                if lab["can_do"]:
                    gold.add(("self_worth:can_do", conv.id, turn.index))
                if lab["handoff"] != "none":
                    gold.add((f"handoff:{lab['handoff']}", conv.id, turn.index))
    return gold


def predicted_keys(results: list) -> dict[tuple[str, str, int], object]:
    """(kind, thread, turn) for every finding the pipeline made, with the finding."""
    keys = {}
    for result in results:
        for f in result.findings:
            cid, turn = f.evidence.conversation_id, f.evidence.turn
            if f.scorer == "empathy.v1" and f.kind == "missed_opportunity":
                for t in f.detail.get("opportunity_turns") or [turn]:
                    keys[("empathy:missed_opportunity", cid, t)] = f
            elif f.scorer == "empathy.v1" and f.kind == "responded":
                keys[("empathy:responded", cid, turn)] = f
            elif f.scorer == "self_worth.v1" and f.kind in FACE_KINDS:
                keys[("self_worth:face_threat", cid, turn)] = f
            elif f.scorer == "self_worth.v1" and f.kind == "can_do":
                keys[("self_worth:can_do", cid, turn)] = f
            elif f.scorer == "transfers.v1" and f.kind in HANDOFF_KINDS and turn is not None:
                keys[(f"handoff:{HANDOFF_KINDS[f.kind]}", cid, turn)] = f
            elif f.scorer == "repeats.v1" and f.kind in {"re_explained", "repeated_to_agent"}:
                keys[("repeats:re_explained", cid, turn)] = f
            elif f.scorer == "repeats.v1" and "reply_turn" in f.detail:
                keys[("repeats:re_explained", cid, f.detail["reply_turn"])] = f  # said again when re-asked
    return keys


def _row(gold: set, found: set, short: bool = False) -> str:
    """Precision, recall (95 % intervals unless ``short``), F1 and counts, as ``eval_signals`` prints them."""
    keys = sorted(gold | found)
    m = prf(np.array([k in found for k in keys], dtype=bool), np.array([k in gold for k in keys], dtype=bool))
    if short:
        return f"P {m['p']:.2f} R {m['r']:.2f} F1 {m['f1']:.2f} found {m['n_flag']:3d}"
    return fmt(m)


def findings_table(
    gold: set, found: set, texts: dict[tuple[str, int], str], errors: bool = False, beside: set | None = None
) -> None:
    """One row per finding kind (``KINDS``), with ``beside`` (another rubric's findings) in short
    after a bar; ``errors``: each wrong item of ``found`` under its row, with its quote."""
    for kind in KINDS:
        g = {k for k in gold if k[0] == kind}
        f = {k for k in found if k[0] == kind}
        also = "" if beside is None else f"  |  {_row(g, {k for k in beside if k[0] == kind}, short=True)}"
        print(f"  {kind:28s} {_row(g, f)}{also}")
        if errors:
            for label, keys in (("FP", f - g), ("FN", g - f)):
                for k in sorted(keys):
                    print(f"      {label} {k[1]}#{k[2]}: {texts[(k[1], k[2])][:140]!r}")


# --- the customer's trajectory, per thread ---------------------------------------------------


def gold_trajectory(distress: list[str]) -> str | None:
    """The labelled trajectory of one thread's customer distress labels, in speaking order.

    ``none`` / ``mild`` / ``strong`` count 0 / 1 / 2; the first and the last third of the turns are
    those the product compares (:func:`nlp.trajectory.third`). More distress at the end:
    ``worsened``; less: ``improved``; else ``flat``; None under two customer turns.

    >>> [gold_trajectory(d) for d in (["strong", "none"], ["mild", "mild", "strong"], ["mild"])]
    ['improved', 'worsened', None]
    """
    from nlp.trajectory import third

    if len(distress) < 2:
        return None
    level = [{"none": 0, "mild": 1, "strong": 2}[d] for d in distress]
    k = third(len(level))
    start, end = sum(level[:k]) / k, sum(level[-k:]) / k
    return "worsened" if end > start else "improved" if end < start else "flat"


def _mood_turns(conversation) -> list:
    """The customer turns a trajectory reads: a turn of nothing but @mentions and links ("@Google",
    tagging another account) says nothing of the customer's mood (``nlp.trajectory.says_something``)."""
    from nlp.trajectory import says_something

    return [t for t in conversation.turns if t.role.value == "customer" and says_something(t)]


def trajectory_keys(annotated: list, results: list, labels: dict, gold: set) -> tuple[set, set]:
    """Gold and found ``(kind, thread)`` pairs of the trajectory rows.

    - ``trajectory:worsened`` / ``trajectory:improved``: the ``customer_trajectory.v1`` finding of
      the thread's one leg (``recovered`` counts as improved);
    - ``trajectory:worsened-agent``: a worsened finding left to the agent by fair blame
      (``nlp.attribution.fair_trajectory``); gold when the thread worsened and a labelled missed
      opportunity or face threat of the agent explains it;
    - ``direction:worsening`` / ``direction:improving``: the whole conversation's
      ``Trajectory.direction`` (conversation pages), gold as above.
    """
    from nlp.findings import Attribution

    gold_pairs: set[tuple[str, str]] = set()
    found: set[tuple[str, str]] = set()
    for conv in annotated:
        cid = conv.id
        distress = [labels[(cid, t.index)]["distress"] for t in _mood_turns(conv)]
        direction = gold_trajectory(distress)
        explained = any(
            k[1] == cid and k[0] in {"empathy:missed_opportunity", "self_worth:face_threat"} for k in gold
        )
        if direction == "worsened":
            gold_pairs |= {("trajectory:worsened", cid), ("direction:worsening", cid)}
            if explained:
                gold_pairs.add(("trajectory:worsened-agent", cid))
        elif direction == "improved":
            gold_pairs |= {("trajectory:improved", cid), ("direction:improving", cid)}
        whole = conv.trajectory(None)
        if whole is not None and whole.direction is not None and whole.customer_turns >= 2:
            if whole.direction.value != "flat":
                found.add((f"direction:{whole.direction.value}", cid))
    for result in results:
        for f in result.findings:
            if f.scorer != "customer_trajectory.v1":
                continue
            cid = f.evidence.conversation_id
            if f.kind == "worsened":
                found.add(("trajectory:worsened", cid))
                if f.attribution is Attribution.AGENT:
                    found.add(("trajectory:worsened-agent", cid))
            else:
                found.add(("trajectory:improved", cid))
    return gold_pairs, found


TRAJECTORY_KINDS = (
    "trajectory:worsened",
    "trajectory:improved",
    "trajectory:worsened-agent",
    "direction:worsening",
    "direction:improving",
)


def trajectory_table(annotated: list, results: list, labels: dict, gold: set, errors: bool = False) -> None:
    """Print the trajectory rows (threads with at least two customer turns); ``errors``: wrong threads."""
    gold_pairs, found = trajectory_keys(annotated, results, labels, gold)
    counted = [c.id for c in annotated if len(_mood_turns(c)) >= 2]
    print(f"Customer trajectory per thread ({len(counted)} threads with 2+ customer turns):")
    for kind in TRAJECTORY_KINDS:
        g = {k for k in gold_pairs if k[0] == kind}
        f = {k for k in found if k[0] == kind}
        print(f"  {kind:28s} {_row(g, f)}")
        if errors:
            for label, keys in (("FP", f - g), ("FN", g - f)):
                for _, cid in sorted(keys):
                    conv = next(c for c in annotated if c.id == cid)
                    said = " | ".join(t.text[:60] for t in conv.turns if t.role.value == "customer")
                    print(f"      {label} {cid}: {said!r}")


def main() -> int:
    """Score the split and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="test")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--rubric", default=None, help="rubric YAML (default: rubrics/default.yaml)")
    parser.add_argument(
        "--baseline", default=str(ROOT / "rubrics" / "rules-only.yaml"), help="compared rubric"
    )
    parser.add_argument(
        "--precision", choices=("fp32", "bf16", "auto"), help="override nlp/analysis.yaml's encoder.precision"
    )
    args = parser.parse_args()
    from nlp.analysis import Analyzer
    from nlp.config import load_analysis_config
    from nlp.scoring import load_rubric, score_conversations

    conversations, labels, texts = load(args.split)
    config = load_analysis_config()
    if args.precision:
        config = config.model_copy(
            update={"encoder": config.encoder.model_copy(update={"precision": args.precision})}
        )
    analyzer = Analyzer(config)
    annotated = analyzer.annotate(conversations)
    gold = gold_keys(conversations, labels)
    rubric = load_rubric(args.rubric)
    baseline = load_rubric(args.baseline)
    results = score_conversations(annotated, rubric, encode=analyzer.encoder.encode)
    predicted = predicted_keys(results)
    before = predicted_keys(score_conversations(annotated, baseline, encode=analyzer.encoder.encode))
    print(
        f"Findings on the real {args.split} split ({len(conversations)} threads, "
        f"{sum(len(c.turns) for c in conversations)} turns): rubric {rubric.version}  |  {baseline.version}"
    )
    findings_table(gold, set(predicted), texts, args.errors, set(before))
    trajectory_table(annotated, results, labels, gold, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
