"""What went wrong on a rep's contacts that was not the rep's doing ("Not your fault").

System findings (negative, system-attributed) on the rep's legs or on the whole conversation,
except on moments the card shows as the rep's own; plus counts of the rep's legs reached by
transfer, long holds on them, and legs the system dropped. None of it enters a score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from nlp.coaching.moments import MomentKey
from nlp.coaching.rows import ConversationLike, FindingLike, LegLike, LegRouteLike, WaitLike
from nlp.coaching.standings import CriterionLabels
from nlp.journey_routes import reexplanations
from nlp.long_waits import long_waits

TRANSFERRED_IN = ("warm", "cold", "bot_handoff")
"""Entry routes (``nlp.operations.ENTRY_ROUTES``) by which a leg was transferred in."""


@dataclass(frozen=True)
class SystemNote:
    """A system finding on one of the rep's contacts: context, not score (``quote`` as stored)."""

    conversation_id: str
    started_at: datetime | None
    leg: int | None
    turn: int | None
    criterion: str
    kind: str
    label: str
    quote: str
    department: str | None


@dataclass(frozen=True)
class NotYourFault:
    """System problems on the rep's contacts, excluded from every score on the card."""

    transfers_in: int
    reexplanations: int
    long_holds: int
    drops: int
    by_kind: tuple[tuple[str, int], ...]
    notes: tuple[SystemNote, ...]

    @property
    def total(self) -> int:
        """How many system findings there were."""
        return sum(n for _, n in self.by_kind)


def long_hold_legs(
    waits: Iterable[WaitLike], hold_seconds: float, queue_seconds: float
) -> set[tuple[str, int]]:
    """(conversation, leg) of every long hold (:func:`nlp.long_waits.long_waits`, the report's rule)."""
    return {
        (w.conversation_id, w.leg)
        for w in long_waits(waits, hold_seconds, queue_seconds)
        if w.kind == "hold" and w.leg is not None
    }


def not_your_fault(
    agent_id: str,
    legs: Sequence[LegLike],
    system_findings: Mapping[str, Sequence[FindingLike]],
    leg_routes: Iterable[LegRouteLike],
    long_holds: set[tuple[str, int]],
    conversations: Mapping[str, ConversationLike],
    owned: frozenset[MomentKey],
    reexplanation_criteria: Iterable[str],
    labels: CriterionLabels,
) -> NotYourFault:
    """System findings (``system_findings``: by conversation) on the rep's ``legs``, except owned moments."""
    my_legs = {(leg.conversation_id, leg.leg) for leg in legs}
    routes = {(r.conversation_id, r.leg): r for r in leg_routes if (r.conversation_id, r.leg) in my_legs}
    my_conversations = sorted({leg.conversation_id for leg in legs})
    system = [
        f
        for conversation_id in my_conversations
        for f in system_findings.get(conversation_id, [])
        if f.polarity == "negative"
        and (f.agent_id == agent_id or (f.conversation_id, f.leg) in my_legs or f.leg is None)
        and (f.turn is None or (f.conversation_id, f.turn) not in owned)
    ]
    notes = tuple(
        SystemNote(
            conversation_id=f.conversation_id,
            started_at=conversations[f.conversation_id].started_at
            if f.conversation_id in conversations
            else None,
            leg=f.leg,
            turn=f.turn,
            criterion=f.criterion,
            kind=f.kind,
            label=labels.kind_label(f.kind),
            quote=f.quote or "",
            department=f.department,
        )
        for f in system
    )
    return NotYourFault(
        transfers_in=sum(1 for r in routes.values() if r.entry_route in TRANSFERRED_IN),
        reexplanations=len(reexplanations(system, reexplanation_criteria)),
        long_holds=len(my_legs & long_holds),
        drops=sum(1 for r in routes.values() if r.dropped),
        by_kind=tuple(Counter(labels.kind_label(f.kind) for f in system).most_common()),
        notes=notes,
    )
