"""Agreement of our turn sentiment with the vendor's own, where an export gives it per turn (``make eval``).

    python scripts/eval_vendor_signals.py [--data ../shared/data/vendor-samples] [--json out.json]

Reads every export file under ``--data`` with the real readers (``transcripts.read.read_path``),
takes the turns a vendor labelled (``Conversation.vendor_signals`` of kind ``sentiment`` with a
turn: Contact Lens, Transcribe Call Analytics, post-call analytics, CCAI, Genesys), labels the
same turns with our sentiment model (``Analyzer.classify_texts``, the product path) and prints,
per vendor source, how many turns and how often the labels agree, then a confusion table.
A vendor's ``MIXED`` has no counterpart in ours: such turns are counted apart, not compared.
The folder is not part of the repository: without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from transcripts.model import Conversation, VendorSignalKind  # noqa: E402
from transcripts.read import read_path  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "vendor-samples"
LABELS = ("negative", "neutral", "positive")


def vendor_turns(data: Path) -> list[tuple[str, str, str]]:
    """(source, vendor label in lower case, turn text) for every turn a vendor labelled, in file order."""
    found: list[tuple[str, str, str]] = []
    for result in read_path(data):
        if not isinstance(result, Conversation):
            continue
        for signal in result.vendor_signals:
            if signal.kind is VendorSignalKind.SENTIMENT and signal.turn is not None:
                if signal.turn < len(result.turns):
                    found.append((signal.source, signal.label.lower(), result.turns[signal.turn].text))
    return found


def agreement(pairs: list[tuple[str, str, str]], ours: list[str]) -> dict[str, dict[str, object]]:
    """Per source: turns, compared (vendor label we also have), agreeing, mixed, confusion counts."""
    by_source: dict[str, dict[str, object]] = {}
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (source, vendor, _), mine in zip(pairs, ours, strict=True):
        grouped[source].append((vendor, mine))
    for source in sorted(grouped):
        rows = grouped[source]
        compared = [(v, m) for v, m in rows if v in LABELS]
        agree = sum(1 for v, m in compared if v == m)
        confusion = Counter(f"{v}->{m}" for v, m in compared)
        by_source[source] = {
            "turns": len(rows),
            "compared": len(compared),
            "agree": agree,
            "agreement": round(agree / len(compared), 3) if compared else None,
            "not_comparable": dict(sorted(Counter(v for v, _ in rows if v not in LABELS).items())),
            "confusion_vendor_to_ours": dict(sorted(confusion.items())),
        }
    return by_source


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of vendor export samples")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"vendor sentiment agreement skipped: {args.data} not found (set SHARED=...)")
        return 0
    logging.getLogger("transcripts").setLevel(logging.ERROR)
    pairs = vendor_turns(args.data)
    if not pairs:
        print(f"vendor sentiment agreement: no per-turn vendor sentiment in {args.data}")
        return 0
    from nlp.analysis import Analyzer  # loads the encoder: only when there is something to compare
    from nlp.config import load_analysis_config

    ours = [s.label.value for s in Analyzer(load_analysis_config()).classify_texts([t for _, _, t in pairs])]
    figures = agreement(pairs, ours)
    for source, row in figures.items():
        share = "n/a" if row["agreement"] is None else f"{row['agreement']:.1%}"
        print(
            f"vendor sentiment agreement {source}: {row['agree']}/{row['compared']} turns agree ({share}); "
            f"{row['turns']} labelled turns, not comparable {row['not_comparable'] or 'none'}"
        )
        print(f"  vendor->ours {row['confusion_vendor_to_ours']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
