"""The stored rows coaching reads (``rendering.store_queries`` provides them; columns as stored)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

AGENT = "agent"
SYSTEM = "system"
"""Values of a row's ``attribution`` (``nlp.findings.Attribution``)."""


class ConversationLike(Protocol):
    """A stored conversation."""

    id: str
    started_at: datetime | None


class LegLike(Protocol):
    """A stored leg."""

    conversation_id: str
    leg: int
    participant_role: str | None
    agent_id: str | None
    agent_name: str | None
    department: str | None
    team: str | None


class TurnLike(Protocol):
    """A stored turn."""

    conversation_id: str
    turn: int
    leg: int
    role: str
    text: str


class ScoreLike(Protocol):
    """A stored criterion score."""

    conversation_id: str
    agent_id: str | None
    criterion: str
    value: float | None
    threshold: float | None
    passed: bool | None
    attribution: str


class FindingLike(Protocol):
    """A stored finding with its evidence."""

    conversation_id: str
    leg: int | None
    turn: int | None
    agent_id: str | None
    department: str | None
    criterion: str
    kind: str
    attribution: str
    polarity: str
    char_start: int | None
    char_end: int | None
    quote: str | None
    rule: str | None
    suggestion: str | None
    detail: Mapping[str, Any]


class AgentScoreLike(Protocol):
    """A stored overall score of one agent leg (``nlp.overall``)."""

    conversation_id: str
    agent_id: str | None
    criteria: Any
    weights: Any


class LegRouteLike(Protocol):
    """How a leg was reached (``nlp.operations``)."""

    conversation_id: str
    leg: int
    entry_route: str
    dropped: bool


class WaitLike(Protocol):
    """A hold or queue wait (``nlp.operations``)."""

    conversation_id: str
    leg: int | None
    kind: str
    duration_ms: int


class TrendRows(Protocol):
    """What a rep's trend reads of the stored rows (``nlp.coaching.trend``)."""

    @property
    def conversations(self) -> Iterable[ConversationLike]: ...  # noqa: D102

    @property
    def legs(self) -> Iterable[LegLike]: ...  # noqa: D102

    @property
    def agent_scores(self) -> Iterable[AgentScoreLike]: ...  # noqa: D102


class PeriodRows(TrendRows, Protocol):
    """A period's stored rows (``rendering.store_queries.Snapshot``, or ``PeriodStream``: each read once)."""

    @property
    def scores(self) -> Iterable[ScoreLike]: ...  # noqa: D102

    @property
    def findings(self) -> Iterable[FindingLike]: ...  # noqa: D102

    @property
    def leg_routes(self) -> Iterable[LegRouteLike]: ...  # noqa: D102

    @property
    def waits(self) -> Iterable[WaitLike]: ...  # noqa: D102
