"""Results of scoring: findings with evidence, and per-criterion scores.

Every score a supervisor sees can be traced back to the findings that produced it, and
every finding carries its evidence (conversation, leg, turn, character span, quote, and
the rule or model that fired) and who is accountable for it: the agent or the system.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # both import this module
    from nlp.operations_facts import OperationsFacts


class Attribution(StrEnum):
    """Who a finding is about. System findings never lower an agent's score."""

    AGENT = "agent"
    SYSTEM = "system"


class Polarity(StrEnum):
    """Whether a finding is something to keep doing or something to change."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


@dataclass(frozen=True)
class Evidence:
    """Where in a conversation a finding comes from."""

    conversation_id: str
    leg: int | None
    turn: int | None
    char_start: int | None = None
    char_end: int | None = None
    quote: str = ""
    rule: str = ""  # pattern id, cue list name or model name that fired


@dataclass(frozen=True)
class Finding:
    """One thing a scorer noticed, e.g. a missed empathy opportunity or a cold transfer."""

    scorer: str  # registered scorer name with version, e.g. "empathy.v1"
    criterion: str  # rubric criterion id
    kind: str  # e.g. "missed_opportunity", "blame_customer", "cold_transfer"
    attribution: Attribution
    polarity: Polarity
    evidence: Evidence
    agent_id: str | None = None
    department: str | None = None
    suggestion: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["attribution"] = self.attribution.value
        data["polarity"] = self.polarity.value
        return data


@dataclass(frozen=True)
class CriterionScore:
    """A rubric criterion scored for one leg (agent criteria) or conversation (system).

    ``value`` is in [0, 1] (1 best) or None when the criterion could not be computed
    (e.g. no empathy opportunity arose); ``passed`` is then None too, never a silent pass.
    """

    conversation_id: str
    leg: int | None
    agent_id: str | None
    criterion: str
    scorer: str
    value: float | None
    threshold: float | None
    passed: bool | None
    reason: str
    rubric_version: str
    attribution: Attribution = Attribution.AGENT

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["attribution"] = self.attribution.value
        return data


@dataclass(frozen=True)
class AgentLegScore:
    """An agent's overall rubric score for one leg: agent-attributed criteria only."""

    conversation_id: str
    leg: int
    agent_id: str | None
    value: float | None  # weighted mean; None when no agent criterion could be computed
    rubric_version: str
    criteria: dict[str, float] = field(default_factory=dict)  # criterion -> value that counted
    weights: dict[str, float] = field(default_factory=dict)  # criterion -> the rubric's weight


@dataclass(frozen=True)
class ConversationScores:
    """Everything scoring produced for one conversation under one rubric version."""

    conversation_id: str
    rubric_version: str
    scores: list[CriterionScore]
    findings: list[Finding]
    agent_scores: list[AgentLegScore] = field(default_factory=list)  # nlp.overall, one per agent leg
    operations: OperationsFacts | None = None  # nlp.operations; None when not computed

    def to_dict(self) -> dict[str, Any]:
        """The one JSON shape of a scoring result: the line `qareview score` prints.

        ``scores`` holds one value per criterion (rubric order): the conversation-level (system)
        value when there is one, else the mean over the agent legs; ``leg_scores`` every leg's;
        ``agent_scores`` each agent leg's overall score (``nlp.overall``) with the criteria and
        weights behind it; ``findings`` flat, with their evidence.
        """
        return {
            "conversation_id": self.conversation_id,
            "rubric_version": self.rubric_version,
            "scores": self.criterion_values(),
            "leg_scores": [
                {
                    "leg": s.leg,
                    "agent_id": s.agent_id,
                    "criterion": s.criterion,
                    "value": s.value,
                    "passed": s.passed,
                    "attribution": s.attribution.value,
                    "reason": s.reason,
                }
                for s in self.scores
                if s.leg is not None
            ],
            "agent_scores": [
                {
                    "leg": a.leg,
                    "agent_id": a.agent_id,
                    "value": a.value,
                    "criteria": a.criteria,
                    "weights": a.weights,
                }
                for a in self.agent_scores
            ],
            "findings": [
                {
                    "scorer": f.scorer,
                    "criterion": f.criterion,
                    "kind": f.kind,
                    "attribution": f.attribution.value,
                    "polarity": f.polarity.value,
                    "leg": f.evidence.leg,
                    "turn": f.evidence.turn,
                    "char_start": f.evidence.char_start,
                    "char_end": f.evidence.char_end,
                    "quote": f.evidence.quote,
                    "rule": f.evidence.rule,
                    "agent_id": f.agent_id,
                    "department": f.department,
                    "suggestion": f.suggestion,
                    "detail": f.detail,
                }
                for f in self.findings
            ],
        }

    def criterion_values(self) -> dict[str, float | None]:
        """One value per criterion: the conversation-level one, else the mean of the leg values."""
        values: dict[str, float | None] = {}
        for criterion in dict.fromkeys(s.criterion for s in self.scores):
            items = [s for s in self.scores if s.criterion == criterion]
            whole = [s.value for s in items if s.leg is None]
            legs = [s.value for s in items if s.leg is not None and s.value is not None]
            if whole:
                values[criterion] = whole[0]
            else:
                values[criterion] = round(sum(legs) / len(legs), 4) if legs else None
        return values
