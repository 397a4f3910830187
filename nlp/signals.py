"""Learned, calibrated turn signals on the shared encoder pass (distress, empathy, face threat, …).

Every turn's features come from the one encoder pass analysis already runs: the sentence
embedding, mean-pooled hidden states of the middle layers and the shipped sentiment head's
probabilities (:class:`TurnFeatureHead`; no text is encoded twice). An agent turn is read
together with the customer turn it answers (the last customer turn before it). Each signal is
a linear head (multinomial logistic regression) trained on labelled real service
conversations plus public emotion, politeness and sentiment data (``scripts/train_signals.py``,
``nlp/models/signals/MODEL_CARD.md``), then calibrated on a held-apart calibration split::

    heads = SignalHeads.load()
    probabilities = heads.predict(features, roles)      # {signal: (n, k) calibrated}
    heads.cutoff("empathic", "true", precision=0.8)      # the probability a finding needs

A rubric asks for a *target precision*; :meth:`SignalHeads.cutoff` turns it into a probability
cut-off from the precision curve measured on the calibration split that ships with the heads.
Below the cut-off there is no finding.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.numpy import load_file

from nlp.annotated import Sentiment
from nlp.encoder import mean_pool
from nlp.sentiment import sentiments_from_probabilities

SIGNALS_DIR = Path(__file__).parent / "models" / "signals"
FEATURE_LAYERS = (2, 3, 4)  # hidden_states indexes pooled besides the sentence embedding
FEATURES_HEAD = "turn_features"
SENTIMENT_SIGNAL = "sentiment"  # the head every turn's sentiment comes from, when it ships

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def model_text(text: str) -> str:
    """The text the models read: HTML entities undone, links and @handles replaced by placeholders.

    >>> model_text("@AdobeCare see https://x.y/z &amp; more")
    '@user see http & more'
    """
    text = html.unescape(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
    return _MENTION.sub("@user", _URL.sub("http", text)).strip()


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=8)
def _openers_pattern(openers: tuple[str, ...], followers: tuple[str, ...]) -> re.Pattern[str]:
    ends = r"[,.!]+\s+"
    if followers:
        ends += rf"|\s+(?=(?:{_alternatives(followers)})(?:\W|$))"
    return re.compile(rf"^((?:@user\s+)*)(?:(?:{_alternatives(openers)})(?:{ends}))+(?=\S)", re.IGNORECASE)


def without_openers(text: str, openers: tuple[str, ...], followers: tuple[str, ...] = ()) -> str:
    """A model text without the answer particles or "Sorry," it opens with, after any @handles.

    An opener needs ',', '.' or '!' after it, or one of ``followers`` ("no that's all").

    >>> without_openers("@user No, sorry, I bought it in November.", ("no", "sorry"))
    '@user I bought it in November.'
    >>> without_openers("No one called me back.", ("no",))
    'No one called me back.'
    >>> without_openers("nope thats all", ("nope",), ("thats",))
    'thats all'
    """
    if not openers:
        return text
    return _openers_pattern(openers, followers).sub(r"\1", text, count=1)


class TurnFeatureHead:
    """Per-turn features read off the shared pass: embedding + mean-pooled layers 2-4 (1,536 wide)."""

    name = FEATURES_HEAD
    needs_hidden_states = True

    def __call__(
        self, hidden_states: tuple[torch.Tensor, ...], attention_mask: torch.Tensor, embeddings: torch.Tensor
    ) -> torch.Tensor:
        """Rows of ``[embedding, pool(h2), pool(h3), pool(h4)]``."""
        parts = [embeddings] + [mean_pool(hidden_states[i], attention_mask) for i in FEATURE_LAYERS]
        return torch.cat(parts, dim=1)


def turn_inputs(features: np.ndarray, roles: Sequence[str], conversation_sizes: Sequence[int]) -> np.ndarray:
    """Each turn's own features beside those of the customer turn it answers (zeros when none).

    ``features`` are per-turn rows for consecutive conversations of ``conversation_sizes``
    turns; a customer turn's context is its own previous customer turn, an agent turn's the
    last customer turn before it, both within the same conversation.
    """
    n, width = features.shape
    context = np.zeros((n, width), dtype=np.float32)
    start = 0
    for size in conversation_sizes:
        last_customer: int | None = None
        for i in range(start, start + size):
            if last_customer is not None:
                context[i] = features[last_customer]
            if roles[i] == "customer":
                last_customer = i
        start += size
    return np.concatenate([features, context], axis=1)


@dataclass(frozen=True)
class SignalHead:
    """One linear head: which turns it reads, its classes, weights and calibration."""

    name: str
    role: str  # "customer" or "agent": the turns it applies to
    context: bool  # reads the customer turn this one answers (else that half of the inputs is zeroed)
    classes: tuple[str, ...]
    strategies: bool  # also reads the turn's politeness strategies (nlp.politeness), appended to the inputs
    weight: np.ndarray  # (k, d)
    bias: np.ndarray  # (k,)
    mean: np.ndarray  # (d,) standardisation
    scale: np.ndarray  # (d,)
    temperature: float  # calibration: logits / T before the softmax
    curves: dict[
        str, list[tuple[float, float, float, int]]
    ]  # class -> [(cut-off, precision, recall, flagged)]

    def probabilities(self, inputs: np.ndarray, strategies: np.ndarray | None = None) -> np.ndarray:
        """Calibrated class probabilities, one row per input row.

        ``strategies`` (one row of politeness strategy indicators per input row) is required by
        heads trained with them.
        """
        if not self.context:
            inputs = inputs.copy()
            inputs[:, inputs.shape[1] // 2 :] = 0.0
        if self.strategies:
            if strategies is None:
                raise ValueError(f"signal head {self.name!r} needs the turns' politeness strategies")
            inputs = np.concatenate([inputs, strategies.astype(inputs.dtype)], axis=1)
        z = ((inputs - self.mean) / self.scale) @ self.weight.T + self.bias
        z = z / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def cutoff(self, label: str, precision: float, support: int = 5) -> float:
        """The lowest probability whose findings reached ``precision`` on the calibration data."""
        return curve_cutoff(self.curves[label], precision, support)


def curve_cutoff(
    curve: Sequence[tuple[float, float, float, int]], precision: float, support: int = 5
) -> float:
    """The loosest cut-off of a calibration curve whose findings reached ``precision``.

    Scans the curve from the loosest cut-off up and returns the first at which at least
    ``support`` calibration items were flagged and at least ``precision`` of them were right;
    1.0 (no findings) when none does.
    """
    for threshold, reached, _recall, flagged in sorted(curve):
        if flagged >= support and reached >= precision:
            return threshold
    return 1.0


class SignalHeads:
    """The shipped signal heads (``nlp/models/signals``), applied to turn features."""

    def __init__(self, heads: dict[str, SignalHead], meta: dict[str, Any]) -> None:
        self.heads = heads
        self.meta = meta
        self.name = str(meta.get("name", "qareview-signals"))

    @classmethod
    def load(cls, directory: Path = SIGNALS_DIR) -> SignalHeads:
        """Read ``signals.json`` + ``signals.safetensors``."""
        return _load(str(directory))

    @property
    def strategy_names(self) -> tuple[str, ...]:
        """The politeness strategies the heads were trained with, in column order (empty: none)."""
        return tuple(self.meta.get("strategies", ()))

    def predict(
        self, inputs: np.ndarray, roles: Sequence[str], strategies: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Calibrated probabilities per signal, NaN rows for turns of the other role.

        ``strategies``: per-row politeness strategy indicators in :attr:`strategy_names` order,
        needed when a head reads them.
        """
        roles_arr = np.asarray(roles)
        result = {}
        for name, head in self.heads.items():
            out = np.full((len(roles_arr), len(head.classes)), np.nan, dtype=np.float32)
            rows = np.flatnonzero(roles_arr == head.role)
            if rows.size:
                own = strategies[rows] if strategies is not None else None
                out[rows] = head.probabilities(inputs[rows], own)
            result[name] = out
        return result

    def cutoff(self, signal: str, label: str, precision: float) -> float:
        """See :meth:`SignalHead.cutoff`."""
        return self.heads[signal].cutoff(label, precision)

    @property
    def sentiment_model(self) -> str:
        """The model name every sentiment from :meth:`sentiments` carries."""
        return f"{self.name}:{SENTIMENT_SIGNAL}"

    def sentiments(self, features: np.ndarray) -> list[Sentiment]:
        """Every turn's sentiment from the sentiment head, read as a customer's words.

        Trained on customer turns of real service threads, tweets and Reddit comments, it reads
        each turn alone; agent turns get the same scale (their tone in trajectories).
        """
        head = self.heads[SENTIMENT_SIGNAL]
        inputs = np.concatenate([features, np.zeros_like(features)], axis=1)
        return sentiments_from_probabilities(head.probabilities(inputs), self.sentiment_model)


@lru_cache(maxsize=4)
def _load(directory: str) -> SignalHeads:
    folder = Path(directory)
    meta = json.loads((folder / "signals.json").read_text(encoding="utf-8"))
    tensors = load_file(str(folder / "signals.safetensors"))
    heads = {}
    for name, spec in meta["heads"].items():
        heads[name] = SignalHead(
            name=name,
            role=spec["role"],
            context=bool(spec.get("context", True)),
            classes=tuple(spec["classes"]),
            strategies=bool(spec.get("strategies", False)),
            weight=tensors[f"{name}.weight"],
            bias=tensors[f"{name}.bias"],
            mean=tensors[f"{name}.mean"],
            scale=tensors[f"{name}.scale"],
            temperature=float(spec["temperature"]),
            curves={k: [tuple(p) for p in v] for k, v in spec["curves"].items()},
        )
    return SignalHeads(heads, meta)
