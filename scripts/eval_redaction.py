"""Redaction quality on the labelled sentences in eval/pii/labelled.txt: recall per entity, over-redaction.

Recall of a label: the share of its marked spans that the engine removed entirely (covered by
redacted spans, whatever placeholder they got); ``typed`` counts only those given the right
placeholder. Over-redaction: the share of redacted spans that touch no marked span, and the
share of sentences without personal data that lost anything.

    python scripts/eval_redaction.py [--data eval/pii/labelled.txt] [--policy privacy/policy.yaml]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from privacy.engine import RedactionEngine, Span
from privacy.policy import load_policy

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "eval" / "pii" / "labelled.txt"
_MARK = re.compile(r"<([A-Z_]+)>(.*?)</\1>")


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    label: str


def parse_line(line: str) -> tuple[str, list[Gold]]:
    """Plain text and gold spans of one marked-up line.

    >>> parse_line("card <CARD>4111</CARD> ok")
    ('card 4111 ok', [Gold(start=5, end=9, label='CARD')])
    """
    text, spans, cursor = "", [], 0
    for match in _MARK.finditer(line):
        text += line[cursor : match.start()]
        spans.append(Gold(len(text), len(text) + len(match.group(2)), match.group(1)))
        text += match.group(2)
        cursor = match.end()
    return text + line[cursor:], spans


def load(path: Path) -> list[tuple[str, list[Gold]]]:
    """Every labelled sentence in ``path`` (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_line(line) for line in lines if line.strip() and not line.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--policy", type=Path, default=None)
    args = parser.parse_args()
    items = load(args.data)
    engine = RedactionEngine(load_policy(args.policy))
    found = engine.find_many([text for text, _ in items])

    total, covered, typed = Counter[str](), Counter[str](), Counter[str]()
    predicted = spurious = clean_sentences = clean_touched = 0
    misses: list[str] = []
    for (text, gold), spans in zip(items, found, strict=True):
        for g in gold:
            total[g.label] += 1
            if _covered(g, spans, text):
                covered[g.label] += 1
                typed[g.label] += any(_overlaps(g, s) and s.placeholder == f"[{g.label}]" for s in spans)
            else:
                misses.append(f"  missed {g.label}: {text[g.start : g.end]!r} in {text!r}")
        predicted += len(spans)
        spurious += sum(not any(_overlaps(g, s) for g in gold) for s in spans)
        if not gold:
            clean_sentences += 1
            clean_touched += bool(spans)
            misses += [f"  over-redacted {s.entity}: {text[s.start : s.end]!r} in {text!r}" for s in spans]

    print(f"redaction policy {engine.ref} on {args.data.name}: {len(items)} sentences, "
          f"{sum(total.values())} marked spans")  # fmt: skip
    print(f"{'entity':<16}{'spans':>6}{'recall':>9}{'typed':>9}")
    for label in [*sorted(total), "ALL"]:
        n = sum(total.values()) if label == "ALL" else total[label]
        hit = sum(covered.values()) if label == "ALL" else covered[label]
        right = sum(typed.values()) if label == "ALL" else typed[label]
        print(f"{label:<16}{n:>6}{hit / n:>9.2f}{right / n:>9.2f}")
    print(f"over-redaction: {spurious}/{predicted} redacted spans touch no personal data "
          f"({spurious / max(predicted, 1):.1%}); {clean_touched}/{clean_sentences} sentences without "
          f"personal data were changed ({clean_touched / max(clean_sentences, 1):.1%})")  # fmt: skip
    if misses:
        print("details:")
        print("\n".join(misses))


def _overlaps(gold: Gold, span: Span) -> bool:
    return span.start < gold.end and gold.start < span.end


def _covered(gold: Gold, spans: list[Span], text: str) -> bool:
    """Every non-space character of the gold span lies inside some redacted span."""
    return all(
        any(s.start <= i < s.end for s in spans) for i in range(gold.start, gold.end) if not text[i].isspace()
    )


if __name__ == "__main__":
    main()
