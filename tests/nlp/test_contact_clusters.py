"""Clustering first statements with pruned comparisons gives the groups of comparing every cluster."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import pytest

from nlp.contact_reasons import Statement, _tfidf, cluster_statements


def reference_clusters(statements: Sequence[Statement], similarity: float) -> list[list[int]]:
    """The algorithm before pruning (rubric 1.8.0): every cluster sharing a term is compared."""
    vectors = _tfidf(statements)
    sums: list[dict[str, float]] = []
    norms_sq: list[float] = []
    index: dict[str, set[int]] = defaultdict(set)

    def best(vec: dict[str, float]) -> tuple[int | None, float]:
        candidates = set().union(*(index[t] for t in vec)) if vec else set()
        top, top_sim = None, 0.0
        for c in sorted(candidates):
            dot = sum(w * sums[c].get(t, 0.0) for t, w in vec.items())
            sim = dot / math.sqrt(norms_sq[c]) if norms_sq[c] > 0 else 0.0
            if sim > top_sim:
                top, top_sim = c, sim
        return top, top_sim

    def add(c: int, vec: dict[str, float]) -> None:
        for t, w in vec.items():
            old = sums[c].get(t, 0.0)
            sums[c][t] = old + w
            norms_sq[c] += (old + w) ** 2 - old**2
            index[t].add(c)

    for vec in vectors:
        c, sim = best(vec)
        if c is None or sim < similarity:
            sums.append({})
            norms_sq.append(0.0)
            c = len(sums) - 1
        add(c, vec)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        c, _ = best(vec)
        groups[c if c is not None else -1 - i].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _statements(seed: int, count: int, vocabulary: int) -> list[Statement]:
    """Statements over a Zipf-like vocabulary: a few very common terms, repeats, exact duplicates."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    weights = [1 / (i + 1) for i in range(vocabulary)]
    out = []
    for n in range(count):
        terms = tuple(rng.choices(words, weights, k=rng.randint(0, 7)))
        if out and rng.random() < 0.1:
            terms = out[rng.randrange(len(out))].terms  # the same statement again
        out.append(Statement(f"c{n}", f"u{n}", datetime(2026, 11, 16), " ".join(terms), terms))
    return out


@pytest.mark.parametrize("similarity", [0.1, 0.3, 0.6, 0.95])
@pytest.mark.parametrize(("seed", "vocabulary"), [(1, 12), (2, 60), (3, 400)])
def test_pruned_clustering_equals_comparing_all(seed: int, vocabulary: int, similarity: float) -> None:
    statements = _statements(seed, 500, vocabulary)
    assert cluster_statements(statements, similarity) == reference_clusters(statements, similarity)
