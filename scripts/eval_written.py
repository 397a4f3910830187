"""Findings on our own written service lines (``eval/written/``), per half of each set (``make eval``).

    python scripts/eval_written.py [--rubric FILE] [--errors]

Two sets, written for this project by helpers who never saw the pattern files (invented companies,
people and numbers; ``eval/written/README.md``):

- ``agent-face-threats.jsonl``: 520 agent replies with the customer message each answers, 260 face
  threats (five kinds) and 260 clean lookalikes. Printed: threats found with the right kind, and
  false alarms on the clean replies.
- ``service-lines.jsonl``: 260 customer messages labelled for distress and sentiment (each followed
  by a neutral agent reply, "Let me check that for you.", so distress shows as an empathy
  opportunity), and 260 agent replies with the message they answer, labelled empathic and can-do.
  Printed: distress and can-do precision / recall, empathic replies credited as a responded moment
  (of every agent reply), and customer sentiment macro recall.

Each set is split in two halves by a hash of the text. Rubric 1.8.11's phrases were written from the
misses of the ``dev`` halves only, so the ``held`` halves show how far phrases reach on wording
nobody wrote a phrase for. Being our own text, these lines measure coverage and false alarms on
hard cases, never precision on real conversations (that is ``scripts/eval_findings.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_findings import FACE_KINDS  # noqa: E402

from transcripts.model import Conversation  # noqa: E402

WRITTEN = ROOT / "eval" / "written"
FACE_THREATS = WRITTEN / "agent-face-threats.jsonl"
SERVICE_LINES = WRITTEN / "service-lines.jsonl"
KINDS = sorted(FACE_KINDS)
NEUTRAL_REPLY = "Let me check that for you."
HALVES = ("dev", "held")


def half(text: str) -> str:
    """``dev`` or ``held``, fixed by the text."""
    return "dev" if int(hashlib.sha256(text.encode()).hexdigest(), 16) % 2 == 0 else "held"


def two_turns(n: int, customer: str, agent: str) -> Conversation:
    """A chat of one customer turn and the agent's reply."""
    turns = [{"index": 0, "role": "customer", "text": customer}, {"index": 1, "role": "agent", "text": agent}]
    return Conversation.model_validate({"id": f"w{n:03d}", "channel": "chat", "turns": turns})


def pr(tp: int, fp: int, fn: int) -> str:
    """Precision and recall with their counts."""
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"P {p:.2f} R {r:.2f} ({tp} of {tp + fn} found, {fp} false)"


def scores(counts: Counter, name: str) -> str:
    """Precision and recall of one yes/no finding from ``(name, gold, found)`` counts."""
    return pr(counts[(name, True, True)], counts[(name, False, True)], counts[(name, True, False)])


def face_threats(items: list[dict[str, Any]], results: list[Any], errors: bool) -> None:
    """Threats found with the right kind, per kind, and false alarms on clean replies, per half."""
    for part in HALVES:
        gold, found, false = Counter(), Counter(), []
        for item, result in zip(items, results, strict=True):
            if half(item["text"]) != part:
                continue
            kinds = {f.kind for f in result.findings if f.kind in KINDS and f.evidence.turn == 1}
            for kind in item["kinds"]:
                gold[kind] += 1
                found[kind] += kind in kinds
            if kinds and not item["kinds"]:
                false.append((sorted(kinds), item["text"]))
            gold["any"] += bool(item["kinds"])
            found["any"] += bool(set(item["kinds"]) & kinds)
            gold["clean"] += not item["kinds"]
        by_kind = ", ".join(f"{k} {found[k]}/{gold[k]}" for k in KINDS)
        share = found["any"] / gold["any"]
        print(
            f"  {part:4s}  face threats found (right kind) {found['any']:3d} of {gold['any']:3d}"
            f" ({share:.2f}), false alarms on clean replies {len(false)} of {gold['clean']}  |  {by_kind}"
        )
        if errors:
            for kinds, text in false:
                print(f"        false {kinds}: {text[:120]!r}")


def service_lines(
    items: list[dict[str, Any]], annotated: list[Any], results: list[Any], errors: bool
) -> None:
    """Distress, can-do, empathic responses and customer sentiment, per half."""
    labels = ("negative", "neutral", "positive")
    for part in HALVES:
        counts: Counter = Counter()
        wrong: list[str] = []
        for item, conversation, result in zip(items, annotated, results, strict=True):
            if half(item["text"]) != part:
                continue
            kinds = {(f.kind, f.evidence.turn) for f in result.findings}
            opportunity = any(k in ("missed_opportunity", "responded") for k, _ in kinds)
            if item["role"] == "customer":
                gold = item["distress"] != "none"
                counts[("distress", gold, opportunity)] += 1
                if gold != opportunity:
                    wrong.append(f"distress {item['distress']}: {item['text'][:100]!r}")
                counts[("sentiment", item["sentiment"], conversation.turns[0].sentiment.label.value)] += 1
            else:
                can_do = ("can_do", 1) in kinds
                counts[("can_do", item["can_do"], can_do)] += 1
                if item["can_do"] != can_do:
                    wrong.append(f"can_do {item['can_do']}: {item['text'][:100]!r}")
                responded = ("responded", 1) in kinds
                counts[("empathic", item["empathic"], responded)] += 1
                if item["empathic"] != responded:
                    wrong.append(f"empathic {item['empathic']}: {item['text'][:100]!r}")

        gold = {g: sum(counts[("sentiment", g, p)] for p in labels) for g in labels}
        macro = sum(counts[("sentiment", g, g)] / gold[g] for g in labels if gold[g]) / sum(
            1 for g in labels if gold[g]
        )
        print(
            f"  {part:4s}  distress {scores(counts, 'distress')}; can-do {scores(counts, 'can_do')}; "
            f"empathic reply credited as responded {scores(counts, 'empathic')}; "
            f"customer sentiment macro recall {macro:.2f}"
        )
        if errors:
            for line in wrong:
                print(f"        {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--rubric", type=Path, default=None, help="rubric YAML (default: rubrics/default.yaml)"
    )
    parser.add_argument("--errors", action="store_true", help="list false alarms and misses")
    args = parser.parse_args(argv)

    from nlp.analysis import Analyzer
    from nlp.scoring import load_rubric, score_conversations

    analyzer = Analyzer().load()
    rubric = load_rubric(args.rubric)

    def score(conversations: list[Conversation]) -> tuple[list[Any], list[Any]]:
        annotated = analyzer.annotate(conversations)
        return annotated, score_conversations(annotated, rubric, [], encode=analyzer.encoder.encode)

    read = [
        json.loads(line) for line in FACE_THREATS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    _, results = score([two_turns(n, item["context"], item["text"]) for n, item in enumerate(read)])
    print(f"Our own written lines (eval/written/), rubric {rubric.version}; phrases came from the dev halves")
    print(f"{FACE_THREATS.name}:")
    face_threats(read, results, args.errors)
    lines = [
        json.loads(line) for line in SERVICE_LINES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    conversations = [
        two_turns(n, item["text"], NEUTRAL_REPLY)
        if item["role"] == "customer"
        else two_turns(n, item["context"], item["text"])
        for n, item in enumerate(lines)
    ]
    annotated, results = score(conversations)
    print(f"{SERVICE_LINES.name}:")
    service_lines(lines, annotated, results, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
