"""Agreement between the first labelling pass and the blind second pass (Cohen's kappa per field).

    python scripts/label_agreement.py

Reads ``eval/ibm-customer-care/labels-part*.jsonl`` (first pass) and ``labels-second.jsonl``
(a random 10 % of threads labelled again without seeing the first labels) and prints, per
field, the items compared, raw agreement and Cohen's kappa.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

IBM = Path(__file__).resolve().parents[1] / "eval" / "ibm-customer-care"
FIELDS = {
    "customer": ("sentiment", "distress", "distress>=mild", "reexplanation"),
    "agent": ("empathic", "face_threat", "can_do", "handoff"),
}


def read(paths: list[Path]) -> dict[tuple[str, int], dict]:
    """Labels keyed by (thread, turn); later files win (shared by every script that reads labels)."""
    out = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                d = json.loads(line)
                out[(d["thread"], d["turn"])] = d
    return out


def value(label: dict, field: str) -> str:
    """A field's value as a comparable string."""
    if field == "distress>=mild":
        return str(label["distress"] != "none")
    if field == "face_threat":
        return str(bool(label["face_threat"]))
    return str(label[field])


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two raters' labels."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def first_pass() -> dict[tuple[str, int], dict]:
    """The first labelling pass (``labels-part*.jsonl``): the labels models train and are measured on."""
    return read(sorted(IBM.glob("labels-part*.jsonl")))


def main() -> None:
    """Print the agreement table."""
    first = first_pass()
    second = read([IBM / "labels-second.jsonl"])
    common = [k for k in second if k in first]
    print(f"{len({k[0] for k in common})} threads, {len(common)} turns labelled twice (blind)")
    for role, fields in FIELDS.items():
        keys = [k for k in common if first[k]["role"] == role]
        for field in fields:
            pairs = [(value(first[k], field), value(second[k], field)) for k in keys]
            agree = sum(a == b for a, b in pairs) / len(pairs)
            print(
                f"  {role:8s} {field:15s} n={len(pairs):3d}  agreement {agree:.2f}  kappa {kappa(pairs):.2f}"
            )


if __name__ == "__main__":
    main()
