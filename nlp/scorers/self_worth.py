"""``self_worth.v1``: whether the agent's language preserves the customer's (and colleagues') face.

Face threats — contradicting the customer's perception, blaming the customer, condescension,
stonewalling without an alternative, siding against colleagues — are penalised; acknowledging
the customer's view and can-do framing are rewarded. Everything is matched with token and
dependency patterns from the rubric's pattern file, so "I should have caught that" is not
"you should have called", and a negated match ("I'm not saying you're wrong") is dropped.
``kinds`` maps each pattern label to its polarity and weight; a kind can be *cleared* by
other labels nearby ("there's nothing I can do" followed by "what I can do is...";
"you didn't do anything wrong"). The learned face-threat head (:mod:`nlp.face_threats`) vetoes
phrase hits it finds unlikely and, at the rubric's target precision, finds a face threat a phrase
list missed on its own, of the kind it finds most likely. Per agent leg:
``1 - penalties + min(rewards, max_reward)``.

Example::

    agent: Like I said, you should have read the terms.   -> condescension, blame_customer
    agent: I should have caught that, I'm sorry.           -> nothing (the agent owns it)
    agent: What I can do is waive the fee.                 -> can_do (positive)
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from nlp.face_threats import KIND_SIGNAL
from nlp.findings import CriterionScore, Finding, Polarity
from nlp.patterns import PatternFile
from nlp.scorers.base import Scorer, ScoreResult, ScoringContext
from nlp.scorers.evidence import hit_evidence, turn_evidence
from nlp.scorers.learned import LearnedParams, decide
from nlp.scorers.legs import agent_legs, leg_turns
from nlp.scorers.matching import Hit
from nlp.scorers.params import ScorerParams
from transcripts.model import Role

NAME = "self_worth.v1"

KIND_LABELS = {
    "contradict_customer": "Contradict customer",
    "blame_customer": "Blame customer",
    "condescension": "Condescension",
    "stonewall": "Stonewall",
    "blame_colleague": "Blame colleague",
    "acknowledge_view": "Acknowledge view",
    "can_do": "Can do",
}
"""Finding kinds and the words pages use for them."""
KINDS = frozenset(KIND_LABELS)

# Labels that only ever clear another kind: "you did nothing wrong", "but what I can do is...".
HELPER_LABELS = frozenset({"exonerate", "alternative", "wrap_up"})


class KindRule(BaseModel):
    """What a pattern label means for the score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    polarity: Polarity
    weight: float = Field(ge=0.0, le=1.0, description="Penalty (negative) or reward (positive) per turn.")
    cleared_by: tuple[str, ...] = Field((), description="Labels that, found nearby, cancel this one.")
    clear_scope: Literal["sentence", "turn", "next_agent_turn"] = Field(
        "sentence", description="How near: same sentence, same turn, or up to the next agent turn."
    )
    model_blocked_by: tuple[str, ...] = Field(
        (),
        description="Labels that, found in the turn, keep the learned model from crediting this kind on its "
        "own: the turn needs a phrase of the kind ('I'll disconnect the call now' is no can-do). Read for "
        "can_do; the face-threat head decides face threats alone (face_threat_model).",
    )


class SelfWorthParams(ScorerParams):
    """Parameters of ``self_worth.v1`` (see the module docstring)."""

    patterns: PatternFile
    kinds: dict[str, KindRule]
    face_threat_model: LearnedParams = Field(
        LearnedParams(veto_below=0.05),
        description="The learned face-threat signal: phrase hits it finds unlikely (veto_below) are dropped; "
        "a turn without a face-threat phrase gets one, of the kind the head finds most likely, at the "
        "target precision's cut-off.",
    )
    face_kind_at_least: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="A face threat on the model alone also needs the head's most likely kind at this "
        "probability: a turn the head finds threatening without knowing how is left alone.",
    )
    can_do_model: LearnedParams = Field(
        LearnedParams(target_precision=0.95, veto_below=0.1),
        description="The learned can-do signal: credits can-do at this precision, vetoes phrase hits.",
    )
    max_reward: float = Field(0.3, ge=0.0, le=1.0, description="Cap on what rewards can add back.")

    @model_validator(mode="after")
    def _labels_fit(self) -> SelfWorthParams:
        unknown_kinds = set(self.kinds) - KINDS
        if unknown_kinds:
            raise ValueError(f"kinds: unknown kind(s) {sorted(unknown_kinds)}; known kinds: {sorted(KINDS)}")
        clearing = {
            label for rule in self.kinds.values() for label in (*rule.cleared_by, *rule.model_blocked_by)
        }
        known = KINDS | HELPER_LABELS | clearing
        stray = [e for e in self.patterns.entries if e.label not in known]
        if stray:
            where = ", ".join(f"{self.patterns.path}:{e.line} ({e.label!r})" for e in stray[:5])
            raise ValueError(
                f"unknown pattern labels {where}; labels are the kinds ({', '.join(sorted(KINDS))}), "
                f"{', '.join(sorted(HELPER_LABELS))}, or a label named in a cleared_by or model_blocked_by"
            )
        missing = clearing - self.patterns.labels
        if missing:
            raise ValueError(
                f"cleared_by / model_blocked_by name labels with no patterns in {self.patterns.path}: "
                f"{sorted(missing)}"
            )
        return self


def _cleared(
    hit: Hit,
    rule: KindRule,
    turn: AnnotatedTurn,
    following: list[AnnotatedTurn],
    context: ScoringContext,
    params: SelfWorthParams,
) -> bool:
    if not rule.cleared_by:
        return False
    clearing = set(rule.cleared_by)
    nearby = [h for h in context.hits(params.patterns, turn) if h.label in clearing]
    if rule.clear_scope == "sentence":
        return any(h.sentence == hit.sentence for h in nearby)
    if nearby:
        return True
    if rule.clear_scope == "next_agent_turn" and following:
        return any(h.label in clearing for h in context.hits(params.patterns, following[0]))
    return False


def turn_kinds(
    turn: AnnotatedTurn, following: list[AnnotatedTurn], context: ScoringContext, params: SelfWorthParams
) -> dict[str, tuple[Hit | None, str]]:
    """Each kind found in one agent turn: its first surviving hit (None: the model alone) and why.

    Phrase hits of face threats stand unless the learned face-threat signal finds the turn
    unlikely to be one; a turn without any is a face threat on the model alone at the target
    precision (:func:`_model_face_threat`). Can-do framing is decided by the learned can-do
    signal with its phrase hits as evidence (see :mod:`nlp.scorers.learned`).
    """
    found: dict[str, tuple[Hit | None, str]] = {}
    for hit in context.hits(params.patterns, turn):
        rule = params.kinds.get(hit.label)
        if rule is None or hit.label in found:
            continue
        if not _cleared(hit, rule, turn, following, context, params):
            found[hit.label] = (hit, f"cue:{hit.rule}")
    for kind in [k for k in found if params.kinds[k].polarity is Polarity.NEGATIVE]:
        verdict = decide(turn, "face_threat", "true", [found[kind][0]], params.face_threat_model)
        if verdict.decided:
            found[kind] = (found[kind][0], verdict.reason)
        else:
            del found[kind]
    if not any(params.kinds[k].polarity is Polarity.NEGATIVE for k in found):
        alone = _model_face_threat(turn, context, params)
        if alone is not None:
            found[alone[0]] = (None, alone[1])
    if "can_do" in params.kinds:
        hits = [found["can_do"][0]] if "can_do" in found else []
        blockers = set(params.kinds["can_do"].model_blocked_by)
        if not hits and any(h.label in blockers for h in context.hits(params.patterns, turn)):
            return found  # closing the chat, disconnecting: no credit on the model alone
        verdict = decide(turn, "can_do", "true", [h for h in hits if h is not None], params.can_do_model)
        if verdict.decided:
            found["can_do"] = (verdict.hit, verdict.reason)
        else:
            found.pop("can_do", None)
    return found


def _model_face_threat(
    turn: AnnotatedTurn, context: ScoringContext, params: SelfWorthParams
) -> tuple[str, str] | None:
    """The kind and reason of a face threat the head finds without a phrase (None: none found).

    The head's calibrated P(face threat) must reach the cut-off of ``face_threat_model``'s target
    precision; the kind is the rubric's negative kind the head rates most likely, and must reach
    ``face_kind_at_least``. What clears that kind's phrases (``cleared_by``) anywhere in the turn
    clears the model's finding too: "it's nothing you did wrong" is no blame of the customer.
    """
    verdict = decide(turn, "face_threat", "true", [], params.face_threat_model)
    kinds = turn.signals.get(KIND_SIGNAL, {})
    negative = [
        k for k in sorted(kinds) if k in params.kinds and params.kinds[k].polarity is Polarity.NEGATIVE
    ]
    if not verdict.decided or not negative:
        return None
    kind = max(negative, key=lambda k: kinds[k])
    if kinds[kind] < params.face_kind_at_least:
        return None
    clearing = set(params.kinds[kind].cleared_by)
    if clearing and any(h.label in clearing for h in context.hits(params.patterns, turn)):
        return None
    return kind, f"{verdict.reason}, most likely {kind} ({kinds[kind]:.2f})"


def score(
    conversation: AnnotatedConversation, context: ScoringContext, params: SelfWorthParams
) -> ScoreResult:
    """Per agent leg: face threats found, face-preserving moves found, and the resulting score."""
    scores: list[CriterionScore] = []
    findings: list[Finding] = []
    for leg in agent_legs(conversation):
        agent_turns = leg_turns(conversation, leg.index, Role.AGENT)
        if not agent_turns:
            continue
        penalty = reward = 0.0
        counts: dict[str, int] = {}
        for position, turn in enumerate(agent_turns):
            for kind, (hit, why) in turn_kinds(turn, agent_turns[position + 1 :], context, params).items():
                rule = params.kinds[kind]
                counts[kind] = counts.get(kind, 0) + 1
                if rule.polarity is Polarity.NEGATIVE:
                    penalty += rule.weight
                else:
                    reward += rule.weight
                evidence = (
                    hit_evidence(conversation.id, turn, hit)
                    if hit is not None
                    else turn_evidence(conversation.id, turn, why)
                )
                findings.append(
                    context.finding(kind, rule.polarity, evidence, leg, detail={"decided_by": why})
                )
        value = 1.0 - penalty + min(reward, params.max_reward)
        summary = ", ".join(f"{kind} x{n}" for kind, n in sorted(counts.items())) or "no face threats"
        scores.append(context.criterion_score(conversation, leg, value, summary))
    return scores, findings


SCORER = Scorer(
    name=NAME,
    description="Face-threatening vs face-preserving agent language, from token and dependency patterns.",
    inputs=frozenset({"doc", "legs", "signals"}),
    kinds=KIND_LABELS,
    params=SelfWorthParams,
    score=score,
)
