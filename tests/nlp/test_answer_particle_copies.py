"""``scripts/signal_data.py``: the sentiment head's answer-particle copies.

MODEL_CARD.md in nlp/models/signals, "Answer particles".
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from signal_data import ANSWER_PARTICLES, Example, answer_particle_copies, with_particle  # noqa: E402


def test_the_particle_goes_after_leading_handles_and_the_sentence_goes_on() -> None:
    assert with_particle("No, ", "@Acme @help My order never came.") == "@Acme @help No, My order never came."
    assert with_particle("Yes. ", "I bought it in November.") == "Yes. I bought it in November."


def _examples() -> list[Example]:
    out = []
    for n in range(400):
        label = ("negative", "neutral", "positive")[n % 3]
        split = ("train", "calibration", "test")[n % 5 % 3]
        source = "ibm" if n % 2 else "tweeteval"
        key = (f"thread-{n // 4}", n % 4) if source == "ibm" else None
        out.append(Example(f"Text number {n}.", "customer", {"sentiment": label}, source, split, key=key))
    out.append(Example("Where is my order?", "customer", {"distress": "true"}, "goemotions"))
    out.append(Example("Text for another head.", "customer", {"sentiment": "negative"}, "synthetic"))
    return out


def test_copies_keep_label_and_fold_and_come_only_from_the_train_split_of_the_sources() -> None:
    examples = _examples()
    copies = answer_particle_copies(examples, ("ibm", "tweeteval"), share=0.3, weight=1.0)
    originals = {e.text: e for e in examples}
    train = [e for e in examples if e.split == "train" and e.source in {"ibm", "tweeteval"}]
    assert 0.15 * len(train) < len(copies) < 0.45 * len(train)
    particles = [next(p for p in ANSWER_PARTICLES if c.text.startswith(p)) for c in copies]
    for copy, particle in zip(copies, particles, strict=True):
        original = originals[copy.text[len(particle) :]]
        assert original.split == "train" and original.source in {"ibm", "tweeteval"}
        assert copy.labels == original.labels and copy.key == original.key  # the same fold
        assert copy.source == "answer-particle" and copy.split == "train" and copy.weight == 1.0
    assert set(particles) == set(ANSWER_PARTICLES)
    # picked and prefixed by a hash of the text: the same copies on every run, in any order
    again = answer_particle_copies(list(reversed(examples)), ("ibm", "tweeteval"), share=0.3, weight=1.0)
    assert sorted(c.text for c in again) == sorted(c.text for c in copies)
    assert answer_particle_copies(examples, ("goemotions",), share=1.0, weight=1.0) == []  # no sentiment
    (only,) = answer_particle_copies(examples, ("synthetic",), share=1.0, weight=0.5)
    assert only.text.endswith(", Text for another head.") or only.text.endswith(". Text for another head.")
    assert only.weight == 0.5 and only.labels == {"sentiment": "negative"}
