"""``scripts/eval_vendor_signals.py``: which turns it compares and how it counts agreement."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "eval_vendor_signals", ROOT / "scripts" / "eval_vendor_signals.py"
)
assert _spec is not None and _spec.loader is not None
evs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(evs)

VENDOR = Path(__file__).parent / "fixtures" / "vendor"


def test_vendor_turns_are_the_turns_a_vendor_labelled(tmp_path: Path) -> None:
    shutil.copy(VENDOR / "genesys" / "call_transcript.json", tmp_path / "genesys.json")
    shutil.copy(VENDOR / "azure_speech" / "diarized.json", tmp_path / "azure.json")  # no vendor sentiment
    pairs = evs.vendor_turns(tmp_path)
    assert pairs == [("genesys", "negative", "Hi, I was charged twice this month.")]


def test_agreement_compares_only_labels_we_also_have() -> None:
    pairs = [
        ("contact_lens", "positive", "a"),
        ("contact_lens", "negative", "b"),
        ("contact_lens", "mixed", "c"),
        ("genesys", "neutral", "d"),
    ]
    figures = evs.agreement(pairs, ["positive", "neutral", "negative", "neutral"])
    assert figures["contact_lens"] == {
        "turns": 3,
        "compared": 2,
        "agree": 1,
        "agreement": 0.5,
        "not_comparable": {"mixed": 1},
        "confusion_vendor_to_ours": {"negative->neutral": 1, "positive->positive": 1},
    }
    assert figures["genesys"]["agreement"] == 1.0
