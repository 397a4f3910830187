"""``KnownNameIndex``: the known names it leaves out of a text cannot change that text's redaction.

Checked against the real engine: redacting with every known name gives the same spans as
redacting with only the name words the index finds in the text.
"""

from __future__ import annotations

import random

from privacy.engine import RedactionEngine
from privacy.name_index import KnownNameIndex

NAMES = [
    "Marcus Lindqvist", "Anne-Marie O'Brien", "Anne Ng", "Jo", "Ann", "Zoë Ådahl", "McDonald",
    "D'Angelo Smith-Jones", "Lee_2 Park", "Ola", "Olaf",
]  # fmt: skip
WORDS = [
    "Marcus", "Marcus's", "Lindqvist", "Anne", "Anne-Marie", "Marie", "O'Brien", "Brien", "Ng", "Jo",
    "Jo-Jo", "Ann", "Anna", "Zoë", "Ådahl", "McDonald", "Donald", "D'Angelo", "Angelo", "Smith",
    "Smith-Jones", "Jones", "Lee", "Park", "Ola", "Olaf", "hello", "the", "line", "is", "down",
    "-", "'", ",", ".", "2", "_",
]  # fmt: skip


def test_names_left_out_never_change_the_redaction(engine: RedactionEngine) -> None:
    rng = random.Random(18)
    texts = [
        "".join(rng.choice(WORDS) + rng.choice([" ", "", ", ", "-", "'s "]) for _ in range(rng.randint(1, 8)))
        for _ in range(300)
    ]
    index = KnownNameIndex(NAMES)
    everything = engine.find_many(texts, known_names=NAMES, names=False)
    relevant = [index.words_in([text]) for text in texts]
    narrowed = engine.find_many(texts, known_names=relevant, names=False)
    assert narrowed == everything
    assert sum(1 for spans in everything if any(s.recognizer == "known_name" for s in spans)) > 100


def test_words_in_lists_the_words_of_names_that_occur() -> None:
    index = KnownNameIndex(NAMES)
    assert index.words_in(["Hi, it's Marcus's line."]) == ["Marcus"]
    assert index.words_in(["Anne-Marie called"]) == ["Anne", "Anne-Marie"]
    assert index.words_in(["Donald called", "MarcusX"]) == []
