"""Turns as pages show them: who spoke (never the customer's name), redacted text, highlights.

Every turn text that reaches a page goes through :func:`build_turn_views`, which redacts PII
(keeping the names in ``keep_names``) and highlights finding spans on the original offsets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rendering.redact import Redactor
from rendering.store_queries import LegRow, TurnRow
from rendering.text_segments import Segment, flatten, segments

_ROLE_LABELS = {"customer": "Customer", "bot": "Bot", "ivr": "IVR", "system": "System", "agent": "Agent"}


@dataclass(frozen=True)
class TurnView:
    """One turn ready for a template."""

    conversation_id: str
    turn: int
    leg: int
    role: str
    speaker: str
    parts: tuple[Segment, ...]
    sentiment_label: str | None = None
    sentiment_score: float | None = None
    start_ms: int | None = None

    @property
    def text(self) -> str:
        """The redacted text."""
        return flatten(self.parts)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (redacted text only)."""
        return {
            "turn": self.turn,
            "leg": self.leg,
            "role": self.role,
            "speaker": self.speaker,
            "text": self.text,
        }


def speaker_label(turn: TurnRow, legs: Mapping[int, LegRow]) -> str:
    """``Customer`` for customers (their names are PII); the leg's agent name for agents."""
    if turn.role == "agent":
        leg = legs.get(turn.leg)
        name = (leg.agent_name if leg else None) or turn.speaker_name
        return name or "Agent"
    if turn.role in ("bot", "ivr"):
        leg = legs.get(turn.leg)
        return (leg.agent_name if leg else None) or _ROLE_LABELS[turn.role]
    return _ROLE_LABELS.get(turn.role, turn.role.title())


def build_turn_views(
    turns: Sequence[TurnRow],
    legs: Iterable[LegRow],
    redactor: Redactor,
    *,
    keep_names: Iterable[str] = (),
    marks: Mapping[int, Sequence[tuple[int | None, int | None]]] | None = None,
) -> list[TurnView]:
    """Redacted, highlighted views of ``turns`` (one spaCy batch for all of them)."""
    by_leg = {leg.leg: leg for leg in legs}
    keep = list(keep_names)
    found = redactor.find_many([t.text for t in turns], keep, [t.redacted_by for t in turns])
    marks = marks or {}
    return [
        TurnView(
            conversation_id=t.conversation_id,
            turn=t.turn,
            leg=t.leg,
            role=t.role,
            speaker=speaker_label(t, by_leg),
            parts=tuple(segments(t.text, pii, marks.get(t.turn, ()))),
            sentiment_label=t.sentiment_label,
            sentiment_score=t.sentiment_score,
            start_ms=t.start_ms,
        )
        for t, pii in zip(turns, found, strict=True)
    ]


def quote_policy(quote: str | None, turn: TurnRow | None) -> str | None:
    """The policy that redacted ``quote`` at ingest when it is cut from the stored ``turn``, else None.

    Such a quote shows no character that the turn, shown in full on the conversation page, does
    not (``Redactor.find_many``'s ``policies``).
    """
    if quote and turn is not None and quote in turn.text:
        return turn.redacted_by
    return None
