"""Politeness strategies (Danescu-Niculescu-Mizil et al., ACL 2013) read off a turn's spaCy parse.

The strategies — gratitude, deference, greeting, "please" (inside or starting a sentence),
"by the way", direct questions and starts, "could you" / "can you", first and second person
(inside or starting a sentence), hedges, factuality, apologising — are spaCy token and
dependency patterns in ``nlp/models/signals/politeness_strategies.jsonl`` (data, not code).
Each label is one binary feature beside the encoder features of the politeness and face-threat
heads (:mod:`nlp.signals`); they transfer across communities better than words do (the paper's
cross-domain results)::

    strategies = PolitenessStrategies.load()
    strategies.names                      # ('gratitude', 'deference', ...), the file's order
    strategies.found(nlp("Could you please check?"))   # {'counterfactual': [...], 'please': [...]}
    strategies.matrix([doc1, doc2])       # (2, len(names)) of 0.0 / 1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from nlp.patterns import PatternSet, read_pattern_file
from nlp.scorers.matching import CompiledPatterns, Hit

STRATEGIES_PATH = Path(__file__).parent / "models" / "signals" / "politeness_strategies.jsonl"


@dataclass(frozen=True, eq=False)
class PolitenessStrategies:
    """The strategy patterns of one file, with their feature order (labels by first appearance)."""

    patterns: PatternSet

    @classmethod
    def load(cls, path: Path = STRATEGIES_PATH) -> PolitenessStrategies:
        """Read and validate the strategy file (errors name the file and line)."""
        return _load(str(path))

    @property
    def names(self) -> tuple[str, ...]:
        """Feature names: the labels in order of first appearance in the file."""
        return tuple(dict.fromkeys(e.label for e in self.patterns.entries))

    def found(self, doc: Doc) -> dict[str, list[Hit]]:
        """The strategies present in ``doc``, each with its matches (evidence spans), in name order."""
        hits: dict[str, list[Hit]] = {}
        for hit in _compiled(self, doc).find(doc):
            hits.setdefault(hit.label, []).append(hit)
        return {name: hits[name] for name in self.names if name in hits}

    def matrix(self, docs: Sequence[Doc]) -> np.ndarray:
        """One row per doc: 1.0 where the strategy is present, else 0.0 (``float32``)."""
        column = {name: j for j, name in enumerate(self.names)}
        out = np.zeros((len(docs), len(column)), dtype=np.float32)
        for i, doc in enumerate(docs):
            for name in self.found(doc):
                out[i, column[name]] = 1.0
        return out


def strategy_rows(
    strategies: PolitenessStrategies, docs: Sequence[Doc], wanted: Sequence[bool]
) -> np.ndarray:
    """:meth:`PolitenessStrategies.matrix` for the ``wanted`` docs only (zero rows elsewhere).

    A doc object shared by several turns (analysis parses each distinct text once) is matched once.
    """
    out = np.zeros((len(docs), len(strategies.names)), dtype=np.float32)
    rows_of: dict[int, list[int]] = {}
    for i, doc in enumerate(docs):
        if wanted[i]:
            rows_of.setdefault(id(doc), []).append(i)
    unique = [docs[rows[0]] for rows in rows_of.values()]
    for row, rows in zip(strategies.matrix(unique), rows_of.values(), strict=True):
        out[rows] = row
    return out


@lru_cache(maxsize=4)
def _load(path: str) -> PolitenessStrategies:
    return PolitenessStrategies(read_pattern_file(path))


_COMPILED: dict[tuple[int, int], CompiledPatterns] = {}


def _compiled(strategies: PolitenessStrategies, doc: Doc) -> CompiledPatterns:
    """The file's patterns compiled once per spaCy vocab."""
    key = (id(strategies), id(doc.vocab))
    if key not in _COMPILED:
        _COMPILED[key] = CompiledPatterns(strategies.patterns, doc.vocab)
    return _COMPILED[key]
