"""The politeness head's data and its honest estimate: grouped k-fold on the Stanford Politeness Corpus.

The paper's binary task: requests in the top quartile of ``Normalized Score`` are polite, the
bottom quartile impolite (the middle half is left out). The Wikipedia CSV has no page or
requester column, so folds are grouped by what can leak instead: the set of five annotators
who rated a request (one rating batch; raters have their own scales) and identical request
texts, joined transitively. Accuracy is at the calibrated 0.5 cut-off, with the regularisation
chosen inside each training fold (no threshold or setting is chosen on the held-out fold)::

    python scripts/politeness_cv.py --shared ../shared/data
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import signal_data as data
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

SEED = 13
FOLDS = 5
# Inverse regularisation strengths tried inside each training fold: wide for the 19 strategy
# indicators, narrow for the 1,539 encoder features (larger values overfit them and cost minutes).
WIDE = (0.01, 0.03, 0.1, 0.3, 1.0)
NARROW = (0.001, 0.003, 0.01)


@dataclass(frozen=True)
class PolitenessSet:
    """The quartile requests: texts, impolite (1) / polite (0), leakage groups."""

    texts: list[str]
    impolite: np.ndarray
    groups: np.ndarray


def load(path: Path) -> PolitenessSet:
    """Top and bottom quartile requests of the CSV with their groups (see the module doc)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = np.array([float(r["Normalized Score"]) for r in rows])
    low, high = np.quantile(scores, [0.25, 0.75])
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, object], int] = {}
    for i, r in enumerate(rows):
        raters = tuple(sorted(r[f"TurkId{k}"] for k in range(1, 6)))
        for key in (("raters", raters), ("text", " ".join(r["Request"].lower().split()))):
            if key in first:
                parent[root(i)] = root(first[key])
            else:
                first[key] = i
    keep = [i for i, s in enumerate(scores) if s <= low or s >= high]
    return PolitenessSet(
        texts=[rows[i]["Request"] for i in keep],
        impolite=np.array([scores[i] <= low for i in keep], dtype=np.int64),
        groups=np.array([root(i) for i in keep]),
    )


def topic_groups(embeddings: np.ndarray, topics: int = FOLDS) -> np.ndarray:
    """Topic clusters of the requests (k-means on sentence embeddings, fixed seed).

    Folds grouped by topic hold out whole subjects, a harder stand-in for another community:
    nothing written about a held-out topic is seen in training.
    """
    from sklearn.cluster import KMeans

    unit = embeddings / (np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-9)
    return KMeans(n_clusters=topics, n_init=10, random_state=SEED).fit_predict(unit)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
    """Standardise on ``x`` and fit a logistic regression; returns (model, mean, scale)."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit((x - mean) / scale, y)
    return model, mean, scale


def logits(fitted: tuple[LogisticRegression, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Decision values of a :func:`fit` result."""
    model, mean, scale = fitted
    return model.decision_function((x - mean) / scale)


def grid(x: np.ndarray) -> tuple[float, ...]:
    """The regularisation values tried for features as wide as ``x``."""
    return WIDE if x.shape[1] < 100 else NARROW


def choose_c(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """The regularisation with the lowest grouped 3-fold log-loss on these rows."""
    best = (np.inf, grid(x)[0])
    for c in grid(x):
        loss = 0.0
        for tr, te in GroupKFold(n_splits=3).split(x, y, groups):
            z = logits(fit(x[tr], y[tr], c), x[te])
            loss += float(np.logaddexp(0, -np.where(y[te] == 1, z, -z)).sum())
        best = min(best, (loss, c))
    return best[1]


def cross_validate(x: np.ndarray, s: PolitenessSet, c: float | None = None) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold logits (grouped ``FOLDS``-fold) and the regularisation of each fold.

    ``c`` None chooses it inside each training fold (:func:`choose_c`).
    """
    out = np.zeros(len(s.impolite))
    chosen = []
    folds = GroupKFold(n_splits=FOLDS)
    for tr, te in folds.split(x, s.impolite, s.groups):
        fold_c = choose_c(x[tr], s.impolite[tr], s.groups[tr]) if c is None else c
        out[te] = logits(fit(x[tr], s.impolite[tr], fold_c), x[te])
        chosen.append(fold_c)
    return out, chosen


def accuracy_interval(correct: np.ndarray, groups: np.ndarray, seed: int = SEED) -> tuple[float, float]:
    """95 % interval of accuracy by resampling groups (1,000 draws, fixed seed)."""
    ids, inverse = np.unique(groups, return_inverse=True)
    hits = np.bincount(inverse, weights=correct.astype(float))
    sizes = np.bincount(inverse)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ids), size=(1000, len(ids)))
    values = hits[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    return float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def feature_sets(s: PolitenessSet) -> dict[str, np.ndarray]:
    """Encoder features, strategy features, and both, for the set's texts."""
    encoder = data.turn_features(s.texts)
    strategies = data.strategy_features(s.texts)
    return {
        "encoder features": encoder,
        "politeness strategies": strategies,
        "encoder + strategies": np.concatenate([encoder, strategies], axis=1),
    }


SHIPPED = "encoder + strategies"  # the features of the shipped politeness head


def report(
    shared: Path, out: Callable[[str], None] = print, only: tuple[str, ...] = (), c: float | None = None
) -> None:
    """Print cross-validated accuracy (with a 95 % group-bootstrap interval) and AUC per feature set.

    Two groupings: by rater batch and text (no leak), and by topic (whole subjects held out).
    ``only`` limits the feature sets (default: all three); ``c`` fixes the regularisation (else
    it is chosen inside each training fold: ten times slower, the same choice on this corpus).
    """
    from sklearn.metrics import roc_auc_score

    path = shared / "politeness-wikipedia" / "wikipedia.annotated.csv"
    if not path.exists():
        out(f"  Politeness cross-validation skipped: {path} not found (set --shared)")
        return
    s = load(path)
    sets = {name: x for name, x in feature_sets(s).items() if not only or name in only}
    topics = PolitenessSet(s.texts, s.impolite, topic_groups(data.turn_features(s.texts)[:, :384]))
    for title, grouped in (
        (f"grouped by rater batch and text, {len(np.unique(s.groups))} groups", s),
        ("grouped by topic (k-means on embeddings: each fold holds out whole subjects)", topics),
    ):
        out(
            f"  Politeness (Wikipedia, {len(s.texts)} requests), impolite vs polite, {FOLDS}-fold CV "
            f"{title}; accuracy at the calibrated 0.5 cut-off:"
        )
        for name, x in sets.items():
            z, chosen = cross_validate(x, grouped, c)
            correct = (z >= 0) == (s.impolite == 1)
            low, high = accuracy_interval(correct, grouped.groups)
            out(
                f"    {name:24s} accuracy {correct.mean():.3f} [{low:.3f}-{high:.3f}]  "
                f"AUC {roc_auc_score(s.impolite, z):.3f}  "
                f"(C {'fixed' if c is not None else 'per fold'} {sorted(set(chosen))})"
            )


def main() -> None:
    """Print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=data.ROOT.parent / "shared" / "data")
    report(parser.parse_args().shared)


if __name__ == "__main__":
    main()
