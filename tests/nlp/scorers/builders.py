"""Small hand-written conversations for scorer tests.

A turn is ``(role, text)``, ``(role, text, leg)`` or ``(role, text, leg, start_ms)``; legs
default to one agent leg per leg index used (agent ``agent-<n>``, department ``Billing``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nlp.findings import ConversationScores
from transcripts.model import Conversation, Journey

TurnSpec = tuple[Any, ...]
# The ``score`` fixture: annotate with the real models, then score.
Score = Callable[..., list[ConversationScores]]


def conversation(
    turns: Sequence[TurnSpec],
    *,
    id: str = "c1",
    legs: Sequence[dict[str, Any]] | None = None,
    events: Sequence[dict[str, Any]] = (),
    channel: str = "call",
    customer_id: str | None = None,
    started_at: str | None = None,
) -> Conversation:
    """A canonical conversation from compact turn tuples."""
    turn_dicts = []
    for index, spec in enumerate(turns):
        role, text, *rest = spec
        turn: dict[str, Any] = {"index": index, "role": role, "text": text, "leg": rest[0] if rest else 0}
        if len(rest) > 1:
            turn["start_ms"] = rest[1]
        turn_dicts.append(turn)
    if legs is None:
        used = sorted({t["leg"] for t in turn_dicts}) or [0]
        legs = [{"index": i, "agent_id": f"agent-{i}", "department": "Billing"} for i in used]
    return Conversation.model_validate(
        {
            "id": id,
            "channel": channel,
            "customer_id": customer_id,
            "started_at": started_at,
            "legs": list(legs),
            "events": list(events),
            "turns": turn_dicts,
        }
    )


def journey(*conversations: Conversation, id: str = "j1") -> Journey:
    """A journey over ``conversations`` in the given order."""
    starts = [c.started_at for c in conversations if c.started_at is not None]
    return Journey(
        id=id,
        customer_id=conversations[0].customer_id or "cust",
        conversation_ids=[c.id for c in conversations],
        started_at=min(starts),
        ended_at=max(starts),
        contacts=len(conversations),
        repeat_contacts=len(conversations) - 1,
    )


def kinds(result: Any, scorer: str | None = None) -> list[tuple[str, int | None, str]]:
    """(kind, turn, attribution) of a result's findings, optionally of one scorer."""
    return [
        (f.kind, f.evidence.turn, f.attribution.value)
        for f in result.findings
        if scorer is None or f.scorer == scorer
    ]
