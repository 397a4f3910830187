"""Per-turn sentiment: the shipped head on the shared encoder pass, or any HF classifier.

The shipped model (``nlp/models/sentiment``: ``head.safetensors`` + ``head.json``, see its
``MODEL_CARD.md``) reads the same forward pass that produces the turn embeddings: a
LoRA-adapted private copy of the encoder's top layer runs on the hidden state below it, and a
linear classifier reads its mean-pooled output. Text is tokenised and embedded once; the extra
cost is one transformer layer per turn (the head format also allows frozen pooled-layer
features and an MLP, see :class:`HeadSpec`). A replacement (``sentiment.model`` set to a
Hugging Face name or local path) runs its own pass; its labels are mapped to
negative/neutral/positive through ``sentiment.labels`` in ``analysis.yaml``.

Either way each text gets a :class:`~nlp.annotated.Sentiment`: the most probable label and
``score = P(positive) - P(negative)`` in [-1, 1]::

    classifier = load_sentiment(config.sentiment, encoder)
    classifier.classify_texts(["This is the third time I'm calling!"])
    # [Sentiment(label=<SentimentLabel.NEGATIVE: 'negative'>, score=-0.4..., model='qareview-sentiment/...')]
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from nlp.annotated import Sentiment, SentimentLabel
from nlp.config import EncoderConfig, SentimentConfig
from nlp.encoder import BatchHead, Encoder, mean_pool
from nlp.models import ModelLoadError, load_text_classifier, shipped_missing
from nlp.packed_bert import packed_layers

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
    rows = np.asarray(probabilities, dtype=np.float64).reshape(-1, len(LABELS))
    scores = np.clip(rows[:, 2] - rows[:, 0], -1.0, 1.0).tolist()
    best = np.argmax(rows, axis=1).tolist()
    return [Sentiment(label=LABELS[b], score=s, model=model) for b, s in zip(best, scores, strict=True)]


# --- the shipped head ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadSpec:
    """The ``head.json`` next to the weights: what the head reads and how it was made.

    Features are the mean-pooled encoder ``layers`` (hidden_states indexes, 0 = token
    embeddings), the sentence embedding if ``include_embedding``, and — when ``adapted_layers``
    is k > 0 — the mean-pooled output of LoRA-adapted copies of the top k encoder layers, run
    on the shared pass's hidden state k layers below the top (so only k of the encoder's layers
    run a second time). ``hidden`` 0 means a linear classifier.
    """

    name: str
    labels: tuple[str, ...]
    layers: tuple[int, ...]
    include_embedding: bool
    adapted_layers: int
    lora: dict[str, Any]  # r, alpha, target_modules (when adapted_layers > 0)
    hidden: int
    dropout: float
    encoder: str
    encoder_layers: int = 6
    width: int = 384
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HeadSpec:
        """Parse a ``head.json`` mapping."""
        return cls(
            name=str(data["name"]),
            labels=tuple(data["labels"]),
            layers=tuple(int(i) for i in data["layers"]),
            include_embedding=bool(data["include_embedding"]),
            adapted_layers=int(data.get("adapted_layers", 0)),
            lora=dict(data.get("lora", {})),
            hidden=int(data["hidden"]),
            dropout=float(data.get("dropout", 0.0)),
            encoder=str(data["encoder"]),
            encoder_layers=int(data.get("encoder_layers", 6)),
            width=int(data.get("width", 384)),
            metrics=dict(data.get("metrics", {})),
            training=dict(data.get("training", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``head.json`` mapping."""
        data = asdict(self)
        data["labels"] = list(self.labels)
        data["layers"] = list(self.layers)
        data["pooling"] = "mean over the attention mask"
        data["normalisation"] = "frozen features standardised by feature_mean/feature_std (in the weights)"
        return data

    @property
    def frozen_dim(self) -> int:
        """Width of the features read straight off the shared pass."""
        return self.width * (len(self.layers) + int(self.include_embedding))

    @property
    def feature_dim(self) -> int:
        """Width of the classifier input."""
        return self.frozen_dim + self.width * int(self.adapted_layers > 0)

    @property
    def adapted_input(self) -> int:
        """hidden_states index the adapted layers start from."""
        return self.encoder_layers - self.adapted_layers


def frozen_features(
    hidden_states: Sequence[torch.Tensor] | dict[int, torch.Tensor],
    attention_mask: torch.Tensor,
    embeddings: torch.Tensor,
    spec: HeadSpec,
) -> torch.Tensor:
    """Mean-pooled ``spec.layers`` then (optionally) the sentence embedding: no extra compute."""
    parts = [mean_pool(hidden_states[i], attention_mask) for i in spec.layers]
    if spec.include_embedding:
        parts.append(embeddings)
    if not parts:
        return embeddings.new_zeros((embeddings.shape[0], 0))
    return torch.cat(parts, dim=1)


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(batch, 1, 1, seq) mask for BERT layers: 0 on tokens, a large negative on padding."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class SentimentHead(nn.Module):
    """Optional adapted top layers, standardised pooled features, an MLP to one logit per label."""

    def __init__(self, spec: HeadSpec, top_layers: Sequence[nn.Module] = ()) -> None:
        super().__init__()
        if len(top_layers) != spec.adapted_layers:
            raise ValueError(f"head needs {spec.adapted_layers} top layers, got {len(top_layers)}")
        self.top = nn.ModuleList(top_layers)
        self.skip_padding = False  # set by ShippedSentiment.load from the encoder's skip_padding
        self.register_buffer("feature_mean", torch.zeros(spec.frozen_dim))
        self.register_buffer("feature_std", torch.ones(spec.frozen_dim))
        if spec.hidden:
            self.mlp: nn.Module = nn.Sequential(
                nn.Dropout(spec.dropout),
                nn.Linear(spec.feature_dim, spec.hidden),
                nn.GELU(),
                nn.Dropout(spec.dropout),
                nn.Linear(spec.hidden, len(spec.labels)),
            )
        else:
            self.mlp = nn.Sequential(nn.Dropout(spec.dropout), nn.Linear(spec.feature_dim, len(spec.labels)))

    def forward(
        self, frozen: torch.Tensor, adapted_input: torch.Tensor | None, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """Logits from frozen pooled features and (with adapted layers) the hidden state they start at."""
        parts = [(frozen - self.feature_mean) / self.feature_std]
        if len(self.top):
            x = adapted_input
            mask = additive_mask(attention_mask, x.dtype)
            if self.training or not self.skip_padding:  # training needs Hugging Face's layers (dropout)
                for layer in self.top:
                    x = layer(x, mask)
            else:  # real tokens only, the same numbers (nlp/packed_bert.py)
                x = packed_layers(self.top, x, attention_mask, mask)
            parts.append(mean_pool(x, attention_mask))
        return self.mlp(torch.cat(parts, dim=1))


def save_head(directory: Path, spec: HeadSpec, head: SentimentHead) -> None:
    """Write ``head.json`` and ``head.safetensors``: buffers, classifier and LoRA matrices only.

    ``head.top`` may carry peft LoRA adapters (``inject_adapter_in_model``); the copied encoder
    weights are not saved — loading copies them from the shared encoder again.
    """
    state = {
        k: v.detach().contiguous()
        for k, v in head.state_dict().items()
        if k.startswith(("feature_mean", "feature_std", "mlp."))
    }
    if spec.adapted_layers:
        from peft import get_peft_model_state_dict

        lora = get_peft_model_state_dict(head.top)
        state.update({f"top.{k}": v.detach().contiguous() for k, v in lora.items()})
    directory.mkdir(parents=True, exist_ok=True)
    save_file(state, str(directory / "head.safetensors"))
    os.chmod(directory / "head.safetensors", 0o644)
    (directory / "head.json").write_text(json.dumps(spec.to_dict(), indent=2) + "\n", encoding="utf-8")


def top_layer_copies(encoder_model: nn.Module, k: int) -> list[nn.Module]:
    """Private copies of the encoder's top ``k`` transformer layers (the shared ones stay untouched)."""
    if k == 0:
        return []
    layers = encoder_model.encoder.layer
    return [copy.deepcopy(layer) for layer in layers[len(layers) - k :]]


def merge_lora(head: SentimentHead, state: dict[str, torch.Tensor], scale: float) -> None:
    """Fold saved LoRA matrices into the copied top layers: ``W += scale * B @ A``."""
    with torch.no_grad():
        for key, a in state.items():
            if not key.endswith(".lora_A.weight"):
                continue
            base = key[: -len(".lora_A.weight")]
            b = state[f"{base}.lora_B.weight"]
            target = head.get_submodule(base)
            target.weight += scale * (b.float() @ a.float())


def read_adapted_head(directory: Path, encoder: Encoder) -> tuple[dict[str, Any], HeadSpec, SentimentHead]:
    """``head.json`` (as read), its spec and the module of ``directory``'s weights, ready on ``encoder``.

    The adapted layers are copied from the shared encoder and their saved LoRA matrices folded in.
    Raises what reading or fitting the files raises; the caller names the head in its error.
    """
    meta = json.loads((directory / "head.json").read_text(encoding="utf-8"))
    spec = HeadSpec.from_dict(meta)
    state = load_file(str(directory / "head.safetensors"))
    module = SentimentHead(spec, top_layer_copies(encoder.model, spec.adapted_layers))
    plain = {k: v for k, v in state.items() if ".lora_" not in k}
    missing, unexpected = module.load_state_dict(plain, strict=False)
    if unexpected or any(k.startswith(("feature_", "mlp.")) for k in missing):
        raise ValueError(f"weights do not fit head.json: missing {missing}, extra {unexpected}")
    if spec.adapted_layers:
        merge_lora(module, state, float(spec.lora["alpha"]) / float(spec.lora["r"]))
    module.skip_padding = encoder.skip_padding
    return meta, spec, module


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
        frozen = frozen_features(hidden_states, attention_mask, embeddings, self.spec)
        adapted_input = hidden_states[self.spec.adapted_input] if self.spec.adapted_layers else None
        return torch.softmax(self.module(frozen, adapted_input, attention_mask), dim=1)


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
            _, spec, module = read_adapted_head(directory, encoder)
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
