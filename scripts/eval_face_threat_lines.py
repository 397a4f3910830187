"""Face threats the rubric finds on our own written agent replies (``eval/written/agent-face-threats.jsonl``).

    python scripts/eval_face_threat_lines.py [--rubric FILE] [--errors]

520 agent replies, each with the customer message it answers, written for this project in
live-chat, phone, e-mail and social-media styles across industries (260 face threats, 52-56 per
kind, and 260 clean replies that look like threats: refusals with an alternative, owned
mistakes, instructions to "you", kind corrections). The set is split in two halves by a hash of
the reply: rubric 1.8.11's phrases were written from the misses of the ``dev`` half, so only the
``held`` half measures how far phrase lists reach on threats nobody wrote phrases for.

These lines are ours, not real conversations: they show coverage and catch false alarms on
hard negatives; they cannot show a phrase's precision on real text (``make eval`` does that on the
labelled real threads).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transcripts.model import Conversation  # noqa: E402

LINES = ROOT / "eval" / "written" / "agent-face-threats.jsonl"
KINDS = ("blame_customer", "contradict_customer", "condescension", "stonewall", "blame_colleague")


def half(text: str) -> str:
    """``dev`` or ``held``, fixed by the reply's text."""
    return "dev" if int(hashlib.sha256(text.encode()).hexdigest(), 16) % 2 == 0 else "held"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--rubric", type=Path, default=None, help="rubric YAML (default: rubrics/default.yaml)"
    )
    parser.add_argument("--errors", action="store_true", help="list false alarms on clean replies")
    args = parser.parse_args(argv)

    from nlp.analysis import Analyzer
    from nlp.scoring import load_rubric, score_conversations

    items = [json.loads(line) for line in LINES.read_text(encoding="utf-8").splitlines() if line.strip()]
    conversations = [
        Conversation.model_validate(
            {
                "id": f"w{n:03d}",
                "channel": "chat",
                "turns": [
                    {"index": 0, "role": "customer", "text": item["context"]},
                    {"index": 1, "role": "agent", "text": item["text"]},
                ],
            }
        )
        for n, item in enumerate(items)
    ]
    analyzer = Analyzer().load()
    rubric = load_rubric(args.rubric)
    results = score_conversations(
        analyzer.annotate(conversations), rubric, [], encode=analyzer.encoder.encode
    )
    where = LINES.relative_to(ROOT)
    print(f"Face threats found on our written agent replies ({where}), rubric {rubric.version}:")
    for part in ("dev", "held"):
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
            f"  {part:4s}  threats found (right kind) {found['any']:3d} of {gold['any']:3d} ({share:.2f})"
            f"  false alarms on clean replies {len(false)} of {gold['clean']}  |  {by_kind}"
        )
        if args.errors:
            for kinds, text in false:
                print(f"        false {kinds}: {text[:120]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
