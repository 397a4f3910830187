"""Per-turn sentiment: the shipped head on the shared encoder pass, or any HF classifier.

The shipped model (``nlp/models/sentiment``: ``head.safetensors`` + ``head.json``) is a small
MLP over features of the same forward pass that produces the turn embeddings — mean-pooled
hidden states of several encoder layers concatenated with the sentence embedding — so it adds
no encoder work. A replacement (``sentiment.model`` set to a Hugging Face name or local path)
runs its own pass; its labels are mapped to negative/neutral/positive through
``sentiment.labels`` in ``analysis.yaml``.

Either way each text gets a :class:`~nlp.annotated.Sentiment`: the most probable label and
``score = P(positive) - P(negative)`` in [-1, 1]::

    classifier = load_sentiment(config.sentiment, encoder)
    classifier.classify_texts(["This is the third time I'm calling!"])
    # [Sentiment(label=<SentimentLabel.NEGATIVE>, score=-0.8..., model='qareview-sentiment-head/...')]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

from nlp.annotated import Sentiment, SentimentLabel
from nlp.config import EncoderConfig, SentimentConfig
from nlp.encoder import BatchHead, Encoder, mean_pool
from nlp.models import ModelLoadError, load_text_classifier, shipped_missing

SHIPPED_DIR = Path(__file__).parent / "models" / "sentiment"
LABELS: tuple[SentimentLabel, ...] = (
    SentimentLabel.NEGATIVE,
    SentimentLabel.NEUTRAL,
    SentimentLabel.POSITIVE,
)
HEAD_NAME = "sentiment"


class SentimentClassifier(Protocol):
    """What analysis needs from a sentiment model."""

    name: str

    @property
    def head(self) -> BatchHead | None:
        """The head to evaluate on the shared encoder pass, or None if it runs its own pass."""
        ...

    def classify_texts(self, texts: Sequence[str]) -> list[Sentiment]:
        """Label and score each text, in order."""
        ...


def sentiments_from_probabilities(probabilities: np.ndarray, model: str) -> list[Sentiment]:
    """Rows of (P(negative), P(neutral), P(positive)) to labelled, scored sentiments."""
    result = []
    for row in np.asarray(probabilities, dtype=np.float64):
        score = float(np.clip(row[2] - row[0], -1.0, 1.0))
        result.append(Sentiment(label=LABELS[int(np.argmax(row))], score=score, model=model))
    return result


# --- the shipped head ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadSpec:
    """The ``head.json`` next to the weights: what the head reads and how it was made."""

    name: str
    labels: tuple[str, ...]
    layers: tuple[int, ...]  # hidden_states indices mean-pooled (0 = token embeddings)
    include_embedding: bool  # append the normalised sentence embedding
    hidden: int
    dropout: float
    encoder: str
    metrics: dict[str, Any]
    training: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HeadSpec:
        """Parse a ``head.json`` mapping."""
        return cls(
            name=str(data["name"]),
            labels=tuple(data["labels"]),
            layers=tuple(int(i) for i in data["layers"]),
            include_embedding=bool(data["include_embedding"]),
            hidden=int(data["hidden"]),
            dropout=float(data.get("dropout", 0.0)),
            encoder=str(data["encoder"]),
            metrics=dict(data.get("metrics", {})),
            training=dict(data.get("training", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``head.json`` mapping."""
        return {
            "name": self.name,
            "labels": list(self.labels),
            "layers": list(self.layers),
            "include_embedding": self.include_embedding,
            "pooling": "mean over attention mask",
            "normalisation": "features standardised with feature_mean/feature_std stored in head.safetensors",
            "hidden": self.hidden,
            "dropout": self.dropout,
            "encoder": self.encoder,
            "metrics": self.metrics,
            "training": self.training,
        }

    @property
    def feature_dim(self) -> int:
        """Input width for a 384-wide encoder."""
        return 384 * (len(self.layers) + int(self.include_embedding))


def head_features(
    hidden_states: Sequence[torch.Tensor],
    attention_mask: torch.Tensor,
    embeddings: torch.Tensor,
    layers: Sequence[int],
    include_embedding: bool,
) -> torch.Tensor:
    """The head's input: mean-pooled ``layers`` then (optionally) the sentence embedding."""
    parts = [mean_pool(hidden_states[i], attention_mask) for i in layers]
    if include_embedding:
        parts.append(embeddings)
    return torch.cat(parts, dim=1)


class SentimentHead(nn.Module):
    """Standardise features, one hidden layer, three logits (negative, neutral, positive)."""

    def __init__(self, feature_dim: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.register_buffer("feature_mean", torch.zeros(feature_dim))
        self.register_buffer("feature_std", torch.ones(feature_dim))
        self.mlp = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(feature_dim, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, len(LABELS)),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Logits for standardised ``features``."""
        return self.mlp((features - self.feature_mean) / self.feature_std)


class _ShippedBatchHead:
    """Adapter evaluating the shipped head inside :meth:`Encoder.run`."""

    name = HEAD_NAME
    needs_hidden_states = True

    def __init__(self, spec: HeadSpec, module: SentimentHead) -> None:
        self.spec = spec
        self.module = module

    def __call__(
        self, hidden_states: tuple[torch.Tensor, ...], attention_mask: torch.Tensor, embeddings: torch.Tensor
    ) -> torch.Tensor:
        features = head_features(
            hidden_states, attention_mask, embeddings, self.spec.layers, self.spec.include_embedding
        )
        return torch.softmax(self.module(features), dim=1)


class ShippedSentiment:
    """The repository's sentiment head; shares the turn embedding pass."""

    def __init__(self, spec: HeadSpec, module: SentimentHead, encoder: Encoder) -> None:
        self.spec = spec
        self.name = spec.name
        self.encoder = encoder
        self._head = _ShippedBatchHead(spec, module.eval())

    @classmethod
    def load(cls, encoder: Encoder, directory: Path = SHIPPED_DIR) -> ShippedSentiment:
        """Read ``head.json`` + ``head.safetensors`` from ``directory``."""
        try:
            spec = HeadSpec.from_dict(json.loads((directory / "head.json").read_text(encoding="utf-8")))
            state = load_file(str(directory / "head.safetensors"))
            module = SentimentHead(spec.feature_dim, spec.hidden, spec.dropout)
            module.load_state_dict(state)
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise shipped_missing(directory, exc) from exc
        if tuple(spec.labels) != tuple(label.value for label in LABELS):
            raise shipped_missing(directory, ValueError(f"unexpected labels {spec.labels}"))
        return cls(spec, module, encoder)

    @property
    def head(self) -> BatchHead:
        """Evaluated on the shared encoder pass."""
        return self._head

    def from_pass(self, probabilities: np.ndarray) -> list[Sentiment]:
        """Sentiments from the head's rows of an :class:`~nlp.encoder.EncoderPass`."""
        return sentiments_from_probabilities(probabilities, self.name)

    def classify_texts(self, texts: Sequence[str]) -> list[Sentiment]:
        """One encoder pass over ``texts`` and the head on top."""
        result = self.encoder.run(texts, heads=[self._head])
        return self.from_pass(result.head_outputs[HEAD_NAME]) if texts else []


# --- replacement: any Hugging Face text classifier ------------------------------------------------


class HuggingFaceSentiment:
    """A Hugging Face sequence classifier with its labels mapped to ours; runs its own pass."""

    head = None

    def __init__(self, config: SentimentConfig) -> None:
        loaded = load_text_classifier(config.model)
        self.name = config.model
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.batch_size = config.batch_size
        limit = getattr(self.tokenizer, "model_max_length", config.max_length) or config.max_length
        self.max_length = min(config.max_length, int(limit))
        self.mapping = _label_matrix(self.model.config.id2label, config.labels, config.model)

    def classify_texts(self, texts: Sequence[str]) -> list[Sentiment]:
        """Batched, length-sorted inference; probabilities of labels mapped together are summed."""
        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        probabilities = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in rows],
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                )
                logits = self.model(**batch).logits.float()
                probabilities[rows] = (torch.softmax(logits, dim=1) @ self.mapping).numpy()
        return sentiments_from_probabilities(probabilities, self.name)


def _label_matrix(
    id2label: dict[int, str], configured: dict[str, SentimentLabel], model: str
) -> torch.Tensor:
    """A (model labels x 3) 0/1 matrix summing model probabilities into ours."""
    matrix = torch.zeros((len(id2label), len(LABELS)))
    unmapped = []
    for index, raw in sorted(id2label.items()):
        target = configured.get(raw) or configured.get(str(index))
        if target is None and raw.lower() in {label.value for label in LABELS}:
            target = SentimentLabel(raw.lower())
        if target is None:
            unmapped.append(raw)
            continue
        matrix[int(index), LABELS.index(target)] = 1.0
    if unmapped:
        example = ", ".join(f"{name}: negative|neutral|positive" for name in unmapped)
        raise ModelLoadError(
            f"sentiment model {model!r} has labels {sorted(id2label.values())} that are not mapped to "
            f"negative/neutral/positive; set sentiment.labels in nlp/analysis.yaml, e.g. {{{example}}}"
        )
    return matrix


def load_sentiment(config: SentimentConfig, encoder: Encoder | None = None) -> SentimentClassifier:
    """The configured sentiment model: the shipped head (on ``encoder``) or a HF classifier.

    ``encoder`` None loads the default encoder for the shipped head; a replacement ignores it.
    """
    if config.is_shipped:
        return ShippedSentiment.load(encoder or Encoder.from_config(EncoderConfig()))
    return HuggingFaceSentiment(config)
