"""The face-threat head: a LoRA-adapted private copy of the encoder's top layer, on the shared pass.

Face threats (blaming or contradicting the customer, talking down, stonewalling, siding against
colleagues) are said in open language that phrase lists and linear heads on pooled features do
not reach (``nlp/models/face_threat/MODEL_CARD.md``). This head runs one adapted transformer
layer on the shared pass's hidden state below the top layer (as the sentiment head does), pools
it and reads six logits: whether the agent turn threatens the customer's face at all, then one
per kind. The first is calibrated (a temperature fitted on the calibration set) and ships with
its precision curve, so a rubric's target precision becomes a cut-off; the kind logits only say
which kind a threat found on the model alone is::

    head = FaceThreatHead.load(encoder)
    rows = encoder.run(texts, heads=[head.head]).head_outputs[FACE_HEAD]   # (n, 6) probabilities
    head.signals(rows[0])   # {"face_threat": {"false": .., "true": ..}, "face_kind": {...}}
    head.cutoff(0.8)        # the probability a finding on the model alone needs
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError

from nlp.encoder import BatchHead, Encoder
from nlp.models import shipped_missing
from nlp.sentiment import HeadSpec, SentimentHead, frozen_features, read_adapted_head
from nlp.signals import curve_cutoff

FACE_DIR = Path(__file__).parent / "models" / "face_threat"
FACE_HEAD = "face_threat"  # the head's name in an encoder pass, and the signal it gives
KIND_SIGNAL = "face_kind"  # the signal naming the most likely kind
ANY = "any"  # the first output: a face threat of any kind


@dataclass(frozen=True)
class Calibration:
    """The temperature of the ``any`` logit and its precision curve on the calibration set."""

    temperature: float
    curve: tuple[tuple[float, float, float, int], ...]  # (cut-off, precision, recall, flagged)

    def cutoff(self, precision: float, support: int = 5) -> float:
        """The lowest probability whose findings reached ``precision`` (1.0: none did)."""
        return curve_cutoff(self.curve, precision, support)


class _FaceBatchHead:
    """Evaluates the head inside :meth:`Encoder.run`: calibrated P(any) then P(kind) per row."""

    name = FACE_HEAD
    needs_hidden_states = True

    def __init__(self, spec: HeadSpec, module: SentimentHead, temperature: float) -> None:
        self.spec = spec
        self.module = module
        self.temperature = temperature

    def __call__(
        self, hidden_states: tuple[torch.Tensor, ...], attention_mask: torch.Tensor, embeddings: torch.Tensor
    ) -> torch.Tensor:
        frozen = frozen_features(hidden_states, attention_mask, embeddings, self.spec)
        logits = self.module(frozen, hidden_states[self.spec.adapted_input], attention_mask)
        scale = torch.ones_like(logits[:1])
        scale[0, 0] = 1.0 / self.temperature
        return torch.sigmoid(logits * scale)


class FaceThreatHead:
    """The shipped face-threat head (``nlp/models/face_threat``)."""

    def __init__(self, spec: HeadSpec, module: SentimentHead, calibration: Calibration) -> None:
        self.spec = spec
        self.name = spec.name
        self.kinds = tuple(spec.labels[1:])
        self.calibration = calibration
        self._head = _FaceBatchHead(spec, module.eval(), calibration.temperature)

    @classmethod
    def load(cls, encoder: Encoder, directory: Path = FACE_DIR) -> FaceThreatHead:
        """Read ``head.json`` + ``head.safetensors``; the adapted layer is copied from ``encoder``."""
        try:
            meta, spec, module = read_adapted_head(directory, encoder)
            if spec.labels[0] != ANY or spec.adapted_layers < 1:
                raise ValueError(f"expected labels ({ANY!r}, kinds...) and adapted layers, got {spec.labels}")
            calibration = _calibration(meta["calibration"])
        except (OSError, KeyError, ValueError, RuntimeError, SafetensorError) as exc:
            raise shipped_missing(directory, exc, "face-threat", "train-face-threats") from exc
        return cls(spec, module, calibration)

    @property
    def head(self) -> BatchHead:
        """Evaluated on the shared encoder pass."""
        return self._head

    def cutoff(self, precision: float) -> float:
        """See :meth:`Calibration.cutoff`."""
        return self.calibration.cutoff(precision)

    def signals(self, row: np.ndarray) -> dict[str, dict[str, float]]:
        """One agent turn's signals from its row of the pass: P(face threat) and P(each kind)."""
        p = round(float(row[0]), 4)
        kinds = {k: round(float(v), 4) for k, v in zip(self.kinds, row[1:], strict=True)}
        return {FACE_HEAD: {"false": round(1.0 - p, 4), "true": p}, KIND_SIGNAL: kinds}


def _calibration(data: dict[str, Any]) -> Calibration:
    return Calibration(float(data["temperature"]), tuple(tuple(p) for p in data["curve"]))


@lru_cache(maxsize=4)
def shipped_calibration(directory: str = str(FACE_DIR)) -> Calibration:
    """The shipped head's calibration, without loading its weights (for rubric cut-offs)."""
    meta = json.loads((Path(directory) / "head.json").read_text(encoding="utf-8"))
    return _calibration(meta["calibration"])
