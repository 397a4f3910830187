"""Learned, calibrated decisions for scorers, with phrase lists as evidence and team overrides.

A scorer asks :func:`decide` whether a turn shows something (distress, an empathic response, a
face threat, can-do framing, a hand-off). The calibrated probability of the turn's signal head
(``AnnotatedTurn.signals``, see :mod:`nlp.signals`) decides:

- at or above the cut-off for the rubric's ``target_precision`` (from the calibration curve that
  ships with the heads): yes, on the model alone;
- a phrase-list hit stands unless the model finds it unlikely (probability below ``veto_below``):
  phrase lists are evidence the model can overrule, not decisions;
- a phrase whose rule id the team lists in ``force`` always counts; one in ``forbid`` never does.

Turns without signals (no model ran, e.g. hand-built test turns) fall back to the phrase lists,
and ``target_precision: null`` in the rubric switches the model off (rules only)::

    verdict = decide(turn, "distress", "true", hits, rubric_params.learned)
    verdict.decided, verdict.reason   # True, "model:distress=0.91>=0.70"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from nlp.annotated import AnnotatedTurn
from nlp.face_threats import FACE_HEAD, shipped_calibration
from nlp.scorers.matching import Hit
from nlp.signals import SignalHeads


class LearnedParams(BaseModel):
    """How much a scorer trusts its learned signal (a rubric's ``learned:`` block)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_precision: float | None = Field(
        0.8,
        ge=0.5,
        le=1.0,
        description="Findings on the model alone need this calibrated precision; null: rules only.",
    )
    veto_below: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="A phrase-list hit is dropped when the model's probability is below this.",
    )
    force: tuple[str, ...] = Field(
        (), description="Pattern rule ids that always count, whatever the model says."
    )
    forbid: tuple[str, ...] = Field((), description="Pattern rule ids that never count.")


@dataclass(frozen=True)
class Verdict:
    """Whether the turn shows the signal, the hit to quote (if any) and why."""

    decided: bool
    hit: Hit | None
    reason: str
    probability: float | None = None


@lru_cache(maxsize=256)
def cutoff(signal: str, label: str, precision: float) -> float:
    """The shipped heads' probability cut-off for ``precision`` (1.0: the model alone never decides).

    The face-threat signal comes from its own adapted head (:mod:`nlp.face_threats`), the others
    from the linear signal heads.
    """
    if signal == FACE_HEAD:
        return shipped_calibration().cutoff(precision)
    return SignalHeads.load().cutoff(signal, label, precision)


def decide(
    turn: AnnotatedTurn,
    signal: str,
    label: str,
    hits: Sequence[Hit],
    params: LearnedParams,
    exemplar: str | None = None,
) -> Verdict:
    """Decide one turn from its calibrated probability and its phrase-list evidence (see the module doc).

    ``exemplar`` names a rubric exemplar sentence the turn is close to: evidence like a phrase
    hit, without a span to quote.
    """
    hits = [h for h in hits if h.rule not in params.forbid]
    forced = next((h for h in hits if h.rule in params.force), None)
    if forced is not None:
        return Verdict(True, forced, f"cue:{forced.rule} (forced by the rubric)")
    rule = f"cue:{hits[0].rule}" if hits else f"exemplar:{exemplar}" if exemplar else ""
    p = turn.signal(signal, label)
    if p is None or params.target_precision is None:
        return Verdict(bool(rule), hits[0] if hits else None, rule, p)
    cut = cutoff(signal, label, params.target_precision)
    if p >= cut:
        return Verdict(True, hits[0] if hits else None, f"model:{signal}={p:.2f}>={cut:.2f}", p)
    if rule and p >= params.veto_below:
        return Verdict(True, hits[0] if hits else None, f"{rule} (model {signal}={p:.2f})", p)
    return Verdict(False, None, f"model:{signal}={p:.2f}<{cut:.2f}", p)
