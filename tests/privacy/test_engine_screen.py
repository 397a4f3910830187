"""The screen before the full parse (``names=False`` calls) changes speed, never results."""

from __future__ import annotations

import re
from pathlib import Path

from privacy.engine import RedactionEngine

EVAL = Path(__file__).resolve().parents[2] / "eval" / "pii"
_MARK = re.compile(r"</?[A-Z_]+>")


class _Unscreened(RedactionEngine):
    """The engine as it was before the screen: every text gets the full parse."""

    def _screen(self, texts: list[str]) -> set[str]:
        return set(texts)


def _eval_texts() -> list[str]:
    lines = [
        line for name in ("labelled.txt", "holdout.txt") for line in (EVAL / name).read_text().splitlines()
    ]
    return [_MARK.sub("", line) for line in lines if line.strip() and not line.startswith("#")]


def test_screened_spans_equal_full_parse_spans(engine: RedactionEngine) -> None:
    texts = _eval_texts()
    contexts = [["account", "number"] if i % 3 == 0 else [] for i in range(len(texts))]
    reference = _Unscreened(engine.policy, engine.nlp)
    for options in ({}, {"known_names": ["Fiona Gallagher"], "keep_names": ["Priya"]}):
        screened = engine.find_many(texts, names=False, contexts=contexts, **options)
        full = reference.find_many(texts, names=False, contexts=contexts, **options)
        assert screened == full
    assert sum(map(bool, screened)) > len(texts) // 3  # the eval set has plenty to find


def test_screen_skips_texts_where_nothing_fires(engine: RedactionEngine) -> None:
    quiet, loud = "Thanks for waiting, I have sorted that out for you.", "Call me on 0770 555 0182."
    assert engine._screen([quiet, loud]) == {loud}
