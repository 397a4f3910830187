"""``customer_trajectory.v1``: the change in the customer's mood during the agent's own leg.

A customer who arrives angry (about a bug, a bill, a previous call) does not count against
the agent: only the change during the agent's own leg does (``Trajectory.delta`` of the leg,
end third minus start third of the customer's mood scores, ``nlp/trajectory.py``). The value is
``0.5 + gain * delta`` clipped to [0, 1]: 0.5 means no change. Legs with fewer than
``min_customer_turns`` customer turns get None.

Example::

    leg 0: customer -0.9 ... -0.7 ... +0.4  (delta +1.3)  -> 1.0, finding "recovered" (positive)
    leg 1: customer +0.2 ... -0.6            (delta -0.8)  -> 0.1, finding "worsened"

A rise from a calm start is "improved" only when the closing turn reads pleased
(``improved_positive_close``) and a turn of the start showed distress (``improved_start_distress``);
from an upset start (``upset_start``) calming down is enough.
"""

from __future__ import annotations

from pydantic import Field

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from nlp.attribution import EXPLAINS_WORSENING
from nlp.findings import CriterionScore, Evidence, Finding, Polarity
from nlp.patterns import PatternFile
from nlp.scorers.base import Scorer, ScoreResult, ScoringContext
from nlp.scorers.evidence import turn_evidence
from nlp.scorers.learned import cutoff
from nlp.scorers.legs import agent_legs, leg_turns
from nlp.scorers.params import ScorerParams
from nlp.trajectory import DISTRESS_SIGNAL, start_turns
from transcripts.model import Role

NAME = "customer_trajectory.v1"


class TrajectoryParams(ScorerParams):
    """Parameters of ``customer_trajectory.v1`` (see the module docstring)."""

    gain: float = Field(0.5, gt=0.0, le=5.0, description="Score change per unit of sentiment change.")
    min_customer_turns: int = Field(2, ge=1, description="Fewer customer turns in the leg: not scored.")
    upset_start: float = Field(
        -0.3, ge=-1.0, le=1.0, description="Start at or below: the customer arrived upset."
    )
    improved_delta: float = Field(
        0.3, ge=0.0, le=2.0, description="Delta at or above: the customer recovered."
    )
    worsened_delta: float = Field(
        -0.3, ge=-2.0, le=0.0, description="Delta at or below: the customer got worse."
    )
    improved_positive_close: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="A customer who did not arrive upset counts as improved only when their last turn in "
        "the leg reads positive at least this much (the sentiment head's P(positive)): a calm problem "
        'report then a plain answer ("PS4") is no better mood. None: any rise counts.',
    )
    improved_start_distress: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="A target precision of the distress head: a customer who did not arrive upset counts as "
        "improved only when a turn of the leg's start third reads distressed at this precision's cut-off "
        "(the shipped calibration curve) or matches a ``closing_cues`` label. A calm report, then thanks, "
        "is no change of mood. None: no such check.",
    )
    closing_cues: PatternFile | None = Field(
        None,
        description="Customer cues (e.g. the empathy criterion's distress list): when the customer's last "
        'turn in the leg matches one labelled in ``closing_cue_labels`` ("Great. Thanks for nothing."), '
        "a rise in mood is no finding: a card never praises a closing its own cues read as distress.",
    )
    closing_cue_labels: tuple[str, ...] = Field(
        ("distress",), description="Labels of ``closing_cues`` that count."
    )
    explained_by: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(EXPLAINS_WORSENING),
        description="Agent finding kinds per scorer that make a worsening in the same leg the agent's; "
        "without one it is the system's (nlp.attribution.fair_trajectory).",
    )


def score(
    conversation: AnnotatedConversation, context: ScoringContext, params: TrajectoryParams
) -> ScoreResult:
    """Per agent leg: the customer's sentiment change, as a score and a finding when it is large."""
    scores: list[CriterionScore] = []
    findings: list[Finding] = []
    for leg in agent_legs(conversation):
        if not leg_turns(conversation, leg.index, Role.AGENT):
            continue
        trajectory = conversation.trajectory(leg.index)
        customer = leg_turns(conversation, leg.index, Role.CUSTOMER)
        if (
            trajectory is None
            or trajectory.delta is None
            or trajectory.start is None
            or len(customer) < params.min_customer_turns
        ):
            scores.append(
                context.criterion_score(conversation, leg, None, "too few customer turns to see a change")
            )
            continue
        delta = trajectory.delta
        arrived_upset = trajectory.start <= params.upset_start
        detail = {
            "start": round(trajectory.start, 3),
            "end": round(trajectory.end, 3) if trajectory.end is not None else None,
            "delta": round(delta, 3),
            "arrived_upset": arrived_upset,
            "customer_turns": trajectory.customer_turns,
        }
        reason = f"customer mood {trajectory.start:+.2f} -> {trajectory.end or 0.0:+.2f} (delta {delta:+.2f})"
        if arrived_upset:
            reason += "; arrived upset, which does not count against the agent"
        scores.append(context.criterion_score(conversation, leg, 0.5 + params.gain * delta, reason))
        evidence: Evidence = turn_evidence(conversation.id, customer[-1], "trajectory")
        closing = customer[-1]
        if (
            delta >= params.improved_delta
            and not _matches_distress_cue(closing, context, params)
            and (
                arrived_upset
                or (_closes_pleased(closing, params) and _starts_distressed(customer, context, params))
            )
        ):
            kind = "recovered" if arrived_upset else "improved"
            findings.append(context.finding(kind, Polarity.POSITIVE, evidence, leg, detail=detail))
        elif delta <= params.worsened_delta:
            findings.append(context.finding("worsened", Polarity.NEGATIVE, evidence, leg, detail=detail))
    return scores, findings


def _closes_pleased(turn: AnnotatedTurn, params: TrajectoryParams) -> bool:
    """True when the turn reads positive enough for ``improved_positive_close`` (always without one).

    Reads the sentiment head's P(positive); a turn without signals reads its sentiment score.
    """
    if params.improved_positive_close is None:
        return True
    positive = turn.signal("sentiment", "positive")
    if positive is None:
        positive = max(turn.sentiment.score, 0.0)
    return positive >= params.improved_positive_close


def _starts_distressed(
    customer: list[AnnotatedTurn], context: ScoringContext, params: TrajectoryParams
) -> bool:
    """True when a start turn shows distress for ``improved_start_distress`` (always without one)."""
    if params.improved_start_distress is None:
        return True
    bar = cutoff(*DISTRESS_SIGNAL, params.improved_start_distress)
    return any(
        (turn.signal(*DISTRESS_SIGNAL) or 0.0) >= bar or _matches_distress_cue(turn, context, params)
        for turn in start_turns(customer)
    )


def _matches_distress_cue(turn: AnnotatedTurn, context: ScoringContext, params: TrajectoryParams) -> bool:
    """True when the turn matches a ``closing_cues`` pattern of the counted labels."""
    if params.closing_cues is None:
        return False
    return any(h.label in params.closing_cue_labels for h in context.hits(params.closing_cues, turn))


SCORER = Scorer(
    name=NAME,
    description="Change in the customer's sentiment during the agent's own leg.",
    inputs=frozenset({"doc", "sentiment", "trajectory", "legs"}),
    kinds={"recovered": "Recovered", "improved": "Improved", "worsened": "Worsened"},
    params=TrajectoryParams,
    score=score,
)
