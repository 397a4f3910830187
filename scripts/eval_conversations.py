"""Findings on our own written conversations (``eval/written/conversations.jsonl``, ``make eval``).

96 conversations (chat, phone, e-mail, social; 806 turns) written for the project by writers who saw
only ``docs/labelling-guidelines.md``, labelled turn by turn under it. ``dev`` (60) is the half whose
errors rubrics 1.8.13 and 1.8.14 were written from; ``held`` (36) was written afterwards and only
measured. Each conversation goes through the product path (``Analyzer().annotate``,
``score_conversations`` with the default rubric) with its legs and departments, and findings are
matched to the labels exactly as ``scripts/eval_findings.py`` matches them on the real threads.

Being our own text, these measure coverage and false alarms on hard cases (transfers across legs,
calls, e-mails), never precision on real conversations (``eval/written/README.md``).

    python scripts/eval_conversations.py [--half dev|held] [--errors] [--rubric FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_findings  # noqa: E402

from transcripts.model import Conversation  # noqa: E402

SET = ROOT / "eval" / "written" / "conversations.jsonl"
CHANNELS = {"phone": "voice", "chat": "live_chat", "email": "email", "social": "social"}


def conversation(item: dict[str, Any]) -> Conversation:
    """The canonical conversation of one written item: its legs (agent, department) and turns."""
    legs = [
        {
            "index": i,
            "agent_id": f"{item['id']}-{leg['agent']}",
            "agent_name": leg["agent"],
            "department": leg.get("department"),
        }
        for i, leg in enumerate(item["legs"])
    ]
    turns = [
        {"index": i, "role": t["role"], "leg": t["leg"], "text": t["text"]}
        for i, t in enumerate(item["turns"])
    ]
    return Conversation.model_validate(
        {
            "id": item["id"],
            "channel": CHANNELS[item["channel"]],
            "customer_id": f"cust-{item['id']}",
            "legs": legs,
            "turns": turns,
        }
    )


def load(
    half: str | None = None,
) -> tuple[list[Conversation], dict[tuple[str, int], dict], dict[tuple[str, int], str]]:
    """Conversations of ``half`` (both when None), labels and texts keyed by (conversation, turn)."""
    items = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]
    items = [i for i in items if half is None or i["half"] == half]
    labels = {(i["id"], n): t for i in items for n, t in enumerate(i["turns"])}
    texts = {key: t["text"] for key, t in labels.items()}
    return [conversation(i) for i in items], labels, texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half", choices=("dev", "held"), help="one half (default: each in turn)")
    parser.add_argument("--errors", action="store_true", help="list each wrong item with its quote")
    parser.add_argument("--rubric", default=None, help="rubric YAML (default: rubrics/default.yaml)")
    args = parser.parse_args(argv)
    from nlp.analysis import Analyzer
    from nlp.scoring import load_rubric, score_conversations

    analyzer = Analyzer()
    rubric = load_rubric(args.rubric)
    print(f"Our own written conversations (eval/written/conversations.jsonl), rubric {rubric.version}")
    for half in [args.half] if args.half else ["dev", "held"]:
        conversations, labels, texts = load(half)
        annotated = analyzer.annotate(conversations)
        results = score_conversations(annotated, rubric, encode=analyzer.encoder.encode)
        gold = eval_findings.gold_keys(conversations, labels)
        found = eval_findings.predicted_keys(results)
        turns = sum(len(c.turns) for c in conversations)
        print(f"{half}: {len(conversations)} conversations, {turns} turns")
        eval_findings.findings_table(gold, set(found), texts, args.errors)
        eval_findings.trajectory_table(annotated, results, labels, gold, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
