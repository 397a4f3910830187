"""Shared by train_sentiment.py and eval_sentiment.py: TweetEval TSV reading and cached encoder features.

Features are computed once per file with the product encoder (the same length-sorted batched
pass analysis uses) and cached as .npy under ``.bench/sentiment-features/`` keyed by the
file's content hash, so retraining with other head settings costs seconds.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlp.config import EncoderConfig  # noqa: E402
from nlp.encoder import Encoder, mean_pool  # noqa: E402
from nlp.sentiment import LABELS  # noqa: E402

CACHE_DIR = ROOT / ".bench" / "sentiment-features"
LABEL_INDEX = {label.value: i for i, label in enumerate(LABELS)}
ALL_LAYERS = tuple(range(7))  # hidden_states of MiniLM-L6: embeddings + 6 layers


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
CLEANING = "csv-quoting+html-entities+u-escapes"  # part of the feature cache key


def clean_tweet(text: str) -> str:
    """Undo dataset artefacts: HTML entities (``&amp;``) and literal ``\\u2019`` escapes."""
    return html.unescape(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)).strip()


def read_tsv(path: Path) -> tuple[list[str], np.ndarray]:
    """Cleaned texts and label indexes from a ``text<TAB>label`` file (CSV-quoted) with a header."""
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        if header[:2] != ["text", "label"]:
            raise SystemExit(f"{path}: expected a 'text<TAB>label' header, got {header}")
        for row in reader:
            if len(row) != 2 or row[1].strip() not in LABEL_INDEX:
                continue
            texts.append(clean_tweet(row[0]))
            labels.append(LABEL_INDEX[row[1].strip()])
    return texts, np.asarray(labels, dtype=np.int64)


def cache_key(path: Path) -> str:
    """File content hash + cleaning version: features are recomputed when either changes."""
    digest = hashlib.sha256(path.read_bytes() + CLEANING.encode()).hexdigest()[:16]
    return f"{path.stem}-{digest}"


class _AllLayers:
    """Batch head that returns every layer's mean-pooled hidden state plus the embedding."""

    name = "all_layers"
    needs_hidden_states = True

    def __call__(self, hidden_states, attention_mask, embeddings):  # type: ignore[no-untyped-def]
        parts = [mean_pool(hidden_states[i], attention_mask) for i in ALL_LAYERS]
        return torch.cat([*parts, embeddings], dim=1)


def layer_features(path: Path, texts: list[str], encoder: Encoder | None = None) -> np.ndarray:
    """(n, 8 * 384): pooled hidden states 0..6 then the sentence embedding; cached on disk."""
    cache = CACHE_DIR / f"{cache_key(path)}.npy"
    if cache.exists():
        return np.load(cache)
    encoder = encoder or Encoder.from_config(EncoderConfig())
    features = encoder.run(texts, heads=[_AllLayers()]).head_outputs["all_layers"]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(cache, features)
    return features


def select(features: np.ndarray, layers: tuple[int, ...], include_embedding: bool) -> np.ndarray:
    """Columns of the cached features that a head with ``layers`` reads, in head order."""
    blocks = [features[:, i * 384 : (i + 1) * 384] for i in layers]
    if include_embedding:
        blocks.append(features[:, 7 * 384 : 8 * 384])
    if not blocks:
        return np.zeros((features.shape[0], 0), dtype=features.dtype)
    return np.concatenate(blocks, axis=1)


def macro_recall(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, list[float]]:
    """TweetEval's metric: mean over classes of recall, plus the per-class recalls."""
    recalls = []
    for k in range(len(LABELS)):
        mask = gold == k
        recalls.append(float((predicted[mask] == k).mean()) if mask.any() else 0.0)
    return float(np.mean(recalls)), recalls
