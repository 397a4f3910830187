"""Check a labels file against the turn file and the guidelines' label vocabulary.

    python scripts/check_labels.py eval/ibm-customer-care/labels-part1.jsonl [--chunk CHUNK.jsonl]

Prints every problem with its line number and, with ``--chunk``, the turns not yet labelled.
Exits 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TURNS = Path(__file__).resolve().parents[1] / "eval" / "ibm-customer-care" / "turns.jsonl"
CUSTOMER = {
    "sentiment": {"negative", "neutral", "positive"},
    "distress": {"none", "mild", "strong"},
    "reexplanation": {"none", "system", "agent"},
}
AGENT = {
    "empathic": {True, False},
    "can_do": {True, False},
    "handoff": {"none", "transfer_warm", "transfer_cold", "referral_external", "channel_move"},
}
FACE = {"blame_customer", "contradict", "condescend", "stonewall", "blame_colleague"}


def problems(labels_path: Path, turns: dict[tuple[str, int], dict]) -> list[str]:
    """Every problem in the labels file, one line each."""
    out = []
    for n, line in enumerate(labels_path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            lab = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(f"{labels_path}:{n}: not JSON ({exc})")
            continue
        key = (lab.get("thread"), lab.get("turn"))
        turn = turns.get(key)
        if turn is None:
            out.append(f"{labels_path}:{n}: unknown thread/turn {key}")
            continue
        if lab.get("role") != turn["role"]:
            out.append(f"{labels_path}:{n}: role {lab.get('role')!r}, the turn is {turn['role']!r}")
        fields = CUSTOMER if turn["role"] == "customer" else AGENT
        for field, allowed in fields.items():
            if lab.get(field) not in allowed:
                out.append(
                    f"{labels_path}:{n}: {field}={lab.get(field)!r}, expected one of "
                    f"{sorted(map(str, allowed))}"
                )
        if turn["role"] == "agent":
            ft = lab.get("face_threat")
            if not isinstance(ft, list) or not set(ft) <= FACE:
                out.append(f"{labels_path}:{n}: face_threat={ft!r}, expected a list from {sorted(FACE)}")
        if not isinstance(lab.get("uncertain", []), list):
            out.append(f"{labels_path}:{n}: uncertain must be a list of field names")
    return out


def main() -> int:
    """Check one labels file; report missing turns of a chunk."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--chunk", type=Path)
    args = parser.parse_args()
    turns = {(t["thread"], t["turn"]): t for t in map(json.loads, TURNS.read_text().splitlines())}
    found = problems(args.labels, turns)
    labelled = {
        (d["thread"], d["turn"])
        for d in map(json.loads, filter(str.strip, args.labels.read_text().splitlines()))
    }
    if args.chunk:
        wanted = [(t["thread"], t["turn"]) for t in map(json.loads, args.chunk.read_text().splitlines())]
        missing = [k for k in wanted if k not in labelled]
        print(f"{len(wanted) - len(missing)} of {len(wanted)} turns labelled; {len(missing)} missing")
        if missing:
            print("first missing:", missing[:5])
    for p in found:
        print(p)
    print(f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
