"""Precision, recall and F1 of the rubric's scorers on the hand-labelled set (``make eval``, line 2).

The labelled set lives in ``tests/data/labelled/`` (see its README for the labelling rules):

* ``conversations.jsonl`` — whole conversations (legs, events, journeys) with labels per turn
  (``empathy``, ``self_worth``, ``repeats``) and per conversation (``transfers``);
* ``turns.jsonl`` — single agent turns labelled with self-worth kinds, and single customer
  turns labelled as empathy opportunities or not.

Everything runs through the real pipeline (``Analyzer().annotate`` then
``score_conversations``), and findings are matched to labels by (conversation, turn or leg,
kind). The set labels empathy opportunities only where the customer shows emotion, so credit for
acknowledging a plain problem report (the rubric's ``credit_reports``) is left out here and
measured on the real threads (``scripts/eval_findings.py``). Prints one line per scorer and per
kind; ``--errors`` lists every false positive and false negative with its quote; ``--check`` exits 1
when a scorer is below ``--min-f1``.

    .venv/bin/python scripts/eval_scorers.py --errors
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from nlp.findings import ConversationScores, Finding  # noqa: E402
from nlp.scorers.empathy import REPORT  # noqa: E402
from transcripts.model import Conversation, Journey  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled"
SCORERS = {
    "empathy.v1": ("missed_opportunity", "responded"),
    "self_worth.v1": (
        "contradict_customer",
        "blame_customer",
        "condescension",
        "stonewall",
        "blame_colleague",
        "acknowledge_view",
        "can_do",
    ),
    "transfers.v1": (
        "transfer",
        "warm_transfer",
        "cold_transfer",
        "referral",
        "ping_pong",
        "transfer_chain",
        "no_context_handoff",
    ),
    "repeats.v1": ("re_explained", "repeated_to_agent", "reasked_info", "reasked_after_transfer"),
}
EMPATHY_OUTCOMES = {"missed": "missed_opportunity", "responded": "responded"}
NEUTRAL_REPLY = "Okay, let me take a look at that for you."

Key = tuple[str, str, Any, str]  # (scorer, conversation id, turn or leg, kind)


@dataclass
class LabelledSet:
    """Conversations to score and the labels they should produce."""

    conversations: list[Conversation] = field(default_factory=list)
    journeys: list[Journey] = field(default_factory=list)
    gold: set[Key] = field(default_factory=set)
    opportunities: set[tuple[str, int]] = field(default_factory=set)  # (conversation, customer turn)
    quotes: dict[tuple[str, Any], str] = field(default_factory=dict)
    turn_count: int = 0


def _conversation(item: dict[str, Any]) -> Conversation:
    turns = []
    for index, turn in enumerate(item["turns"]):
        turns.append({k: v for k, v in turn.items() if k != "labels"} | {"index": index})
    started = item.get("started_at")
    return Conversation.model_validate(
        {
            "id": item["id"],
            "channel": item.get("channel", "call"),
            "customer_id": item.get("customer_id"),
            "started_at": started,
            "legs": item.get("legs") or [{"index": 0}],
            "events": item.get("events", []),
            "turns": turns,
        }
    )


def load_labelled(folder: Path = LABELLED) -> LabelledSet:
    """Read both labelled files into conversations, journeys and gold keys."""
    data = LabelledSet()
    journeys: dict[str, list[tuple[int, Conversation]]] = defaultdict(list)
    for line in (folder / "conversations.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        conversation = _conversation(item)
        data.conversations.append(conversation)
        data.turn_count += len(conversation.turns)
        cid = conversation.id
        for index, turn in enumerate(item["turns"]):
            data.quotes[(cid, index)] = turn["text"]
            labels = turn.get("labels", {})
            if "empathy" in labels:
                data.gold.add(("empathy.v1", cid, index, EMPATHY_OUTCOMES[labels["empathy"]]))
                data.opportunities.add((cid, index))
            for kind in labels.get("self_worth", []):
                data.gold.add(("self_worth.v1", cid, index, kind))
            for kind in labels.get("repeats", []):
                data.gold.add(("repeats.v1", cid, index, kind))
        for label in item.get("labels", {}).get("transfers", []):
            where = None if label.get("conversation") else label["leg"]
            data.gold.add(("transfers.v1", cid, where, label["kind"]))
        if item.get("journey"):
            journeys[item["journey"]["id"]].append((item["journey"]["position"], conversation))
    for journey_id, members in journeys.items():
        members.sort(key=lambda pair: pair[0])
        ordered = [c for _, c in members]
        times = [c.started_at or datetime(2026, 1, 1, tzinfo=UTC) for c in ordered]
        data.journeys.append(
            Journey(
                id=journey_id,
                customer_id=ordered[0].customer_id or journey_id,
                conversation_ids=[c.id for c in ordered],
                started_at=min(times),
                ended_at=max(times),
                contacts=len(ordered),
                repeat_contacts=len(ordered) - 1,
            )
        )
    for line in (folder / "turns.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        cid = item["id"]
        data.quotes[(cid, 0)] = item["text"]
        data.turn_count += 1
        if item["scorer"] == "self_worth.v1":
            turns = [{"index": 0, "role": "agent", "text": item["text"]}]
            for kind in item["kinds"]:
                data.gold.add(("self_worth.v1", cid, 0, kind))
        else:
            turns = [
                {"index": 0, "role": "customer", "text": item["text"]},
                {"index": 1, "role": "agent", "text": NEUTRAL_REPLY},
            ]
            if item["opportunity"]:
                data.opportunities.add((cid, 0))
                data.gold.add(("empathy.v1", cid, 0, "missed_opportunity"))
        data.conversations.append(Conversation.model_validate({"id": cid, "channel": "chat", "turns": turns}))
    return data


def predicted_keys(results: Iterable[ConversationScores]) -> tuple[dict[Key, Finding], set[tuple[str, int]]]:
    """Findings as matchable keys, plus every empathy opportunity the scorer saw."""
    keys: dict[Key, Finding] = {}
    opportunities: set[tuple[str, int]] = set()
    for result in results:
        for finding in result.findings:
            if finding.scorer not in SCORERS:
                continue
            cid = (
                finding.conversation_id
                if hasattr(finding, "conversation_id")
                else finding.evidence.conversation_id
            )
            if finding.scorer == "empathy.v1":
                if finding.detail.get("opportunity_reason") == REPORT:
                    continue  # no opportunity in this set (README); eval_findings measures these
                turns = finding.detail.get("opportunity_turns") or [finding.evidence.turn]
                opportunities.update((cid, t) for t in turns)
                for turn in turns:
                    keys[(finding.scorer, cid, turn, finding.kind)] = finding
            elif finding.scorer == "transfers.v1":
                where = None if finding.kind == "transfer_chain" else finding.evidence.leg
                keys[(finding.scorer, cid, where, finding.kind)] = finding
            else:
                keys[(finding.scorer, cid, finding.evidence.turn, finding.kind)] = finding
    return keys, opportunities


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Report:
    """Counts per scorer and kind, and the errors behind them."""

    rows: dict[tuple[str, str], tuple[int, int, int]]
    errors: list[str]

    def f1(self, scorer: str) -> float:
        """Micro F1 of one scorer over its kinds."""
        tp = sum(v[0] for (s, _), v in self.rows.items() if s == scorer)
        fp = sum(v[1] for (s, _), v in self.rows.items() if s == scorer)
        fn = sum(v[2] for (s, _), v in self.rows.items() if s == scorer)
        return _prf(tp, fp, fn)[2]


def evaluate(data: LabelledSet, results: list[ConversationScores]) -> Report:
    """Compare predictions with labels; empathy opportunities are reported as their own row."""
    predicted, seen_opportunities = predicted_keys(results)
    rows: dict[tuple[str, str], tuple[int, int, int]] = {}
    errors: list[str] = []
    pred_set = set(predicted)
    for scorer, kinds in SCORERS.items():
        for kind in kinds:
            gold = {k for k in data.gold if k[0] == scorer and k[3] == kind}
            pred = {k for k in pred_set if k[0] == scorer and k[3] == kind}
            if scorer == "empathy.v1":  # a merged opportunity matches any of its turns
                pred_groups = {}
                for key in pred:
                    finding = predicted[key]
                    group = (key[1], tuple(finding.detail.get("opportunity_turns") or [key[2]]))
                    pred_groups.setdefault(group, set()).add(key)
                tp_groups = {g for g, members in pred_groups.items() if members & gold}
                fp_groups = set(pred_groups) - tp_groups
                fn = gold - pred
                tp, fp = len(tp_groups), len(fp_groups)
                fp_keys = [sorted(pred_groups[g])[0] for g in fp_groups]
            else:
                tp, fp, fn = len(gold & pred), len(pred - gold), gold - pred
                fp_keys = sorted(pred - gold, key=str)
            rows[(scorer, kind)] = (tp, fp, len(fn))
            for key in fp_keys:
                errors.append(_describe("FP", key, data, predicted.get(key)))
            for key in sorted(fn, key=str):
                errors.append(_describe("FN", key, data, None))
    tp = len(data.opportunities & seen_opportunities)
    rows[("empathy.v1", "(opportunity detection)")] = (
        tp,
        len(seen_opportunities - data.opportunities),
        len(data.opportunities - seen_opportunities),
    )
    for cid, turn in sorted(seen_opportunities - data.opportunities):
        errors.append(f"FP empathy.v1 opportunity {cid} turn {turn}: {data.quotes.get((cid, turn), '')!r}")
    for cid, turn in sorted(data.opportunities - seen_opportunities):
        errors.append(f"FN empathy.v1 opportunity {cid} turn {turn}: {data.quotes.get((cid, turn), '')!r}")
    return Report(rows, errors)


def _describe(tag: str, key: Key, data: LabelledSet, finding: Finding | None) -> str:
    scorer, cid, where, kind = key
    quote = finding.evidence.quote if finding is not None else data.quotes.get((cid, where), "")
    rule = f" [{finding.evidence.rule}]" if finding is not None else ""
    return f"{tag} {scorer} {kind} {cid} @{where}{rule}: {quote!r}"


def print_report(report: Report, data: LabelledSet, seconds: float) -> None:
    """The table ``make eval`` shows."""
    conversations = sum(1 for c in data.conversations if len(c.turns) > 2)
    print(f"{len(data.conversations)} items ({conversations} conversations), {data.turn_count} turns")
    print(f"{'scorer':16} {'kind':26} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    for scorer in SCORERS:
        items = [(kind, counts) for (s, kind), counts in report.rows.items() if s == scorer]
        total = [sum(c[i] for k, c in items if not k.startswith("(")) for i in range(3)]
        precision, recall, f1 = _prf(*total)
        counts = f"{total[0]:4} {total[1]:4} {total[2]:4}"
        print(f"{scorer:16} {'ALL':26} {precision:6.3f} {recall:6.3f} {f1:6.3f} {counts}")
        for kind, (tp, fp, fn) in items:
            if tp + fp + fn == 0:
                continue
            precision, recall, f1 = _prf(tp, fp, fn)
            print(f"{'':16} {kind:26} {precision:6.3f} {recall:6.3f} {f1:6.3f} {tp:4} {fp:4} {fn:4}")
    print(f"(scored in {seconds:.1f}s)")


def combine(reports: list[Report]) -> Report:
    """Counts of several labelled sets added up."""
    rows: dict[tuple[str, str], tuple[int, int, int]] = {}
    for report in reports:
        for key, counts in report.rows.items():
            old = rows.get(key, (0, 0, 0))
            rows[key] = (old[0] + counts[0], old[1] + counts[1], old[2] + counts[2])
    return Report(rows, [e for r in reports for e in r.errors])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--rubric", type=Path, default=None, help="rubric YAML (default: rubrics/default.yaml)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        help="labelled folder (repeatable; default: tests/data/labelled and its holdout/ and check/ sets)",
    )
    parser.add_argument("--errors", action="store_true", help="list false positives and negatives")
    parser.add_argument("--check", action="store_true", help="exit 1 if a scorer's F1 is below --min-f1")
    parser.add_argument("--min-f1", type=float, default=0.85)
    args = parser.parse_args(argv)

    from nlp.analysis import Analyzer
    from nlp.scoring import load_rubric

    folders = args.data or [LABELLED, LABELLED / "holdout", LABELLED / "check"]
    rubric = load_rubric(args.rubric)
    analyzer = Analyzer().load()
    reports = []
    for folder in folders:
        data = load_labelled(folder)
        started = time.perf_counter()
        report = run(data, rubric, analyzer)
        print(f"== {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}")
        print_report(report, data, time.perf_counter() - started)
        if args.errors and report.errors:
            print("errors:")
            for line in report.errors:
                print("  " + line)
        print()
        reports.append(report)
    total = combine(reports)
    if len(reports) > 1:
        print("== all sets: F1 " + ", ".join(f"{s} {total.f1(s):.3f}" for s in SCORERS))
    below = [s for s in SCORERS if total.f1(s) < args.min_f1]
    if args.check and below:
        print(f"below F1 {args.min_f1}: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


def run(data: LabelledSet, rubric: Any, analyzer: Any) -> Report:
    """Annotate and score a labelled set with the real pipeline, then compare with its labels."""
    from nlp.scoring import score_conversations

    annotated = analyzer.annotate(data.conversations)
    results = score_conversations(annotated, rubric, data.journeys, encode=analyzer.encoder.encode)
    return evaluate(data, results)


if __name__ == "__main__":
    sys.exit(main())
