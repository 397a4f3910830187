"""Our own customer lines for the sentiment head (``eval/synthetic/customer-sentiment.jsonl``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINES = ROOT / "eval" / "synthetic" / "customer-sentiment.jsonl"
REAL = ROOT / "eval" / "ibm-customer-care" / "turns.jsonl"


def test_lines_are_labelled_once_and_none_is_real_text() -> None:
    rows = [json.loads(line) for line in LINES.read_text(encoding="utf-8").splitlines()]
    assert rows and all(set(r) == {"text", "sentiment", "kind"} for r in rows)
    assert {r["sentiment"] for r in rows} == {"negative", "neutral", "positive"}
    duplicates = [t for t, n in Counter(r["text"].casefold() for r in rows).items() if n > 1]
    assert duplicates == []
    real = {json.loads(line)["text"].casefold() for line in REAL.read_text(encoding="utf-8").splitlines()}
    assert [r["text"] for r in rows if r["text"].casefold() in real] == []
