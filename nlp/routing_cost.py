"""What routing failures cost the customer, from stored durations: computed here, only formatted elsewhere.

Three costs, in customer minutes, plus the extra contacts each hand-off route was followed by:

* **hand-offs** — the wait between being handed off and someone picking up: the queue waits
  recorded on the receiving leg, else the gap between the sending leg's end and the receiving
  leg's start (hand-offs without a receiving leg, referrals and channel moves, cost nothing
  measurable here);
* **holds** — every hold, from a ``hold_start`` with its duration or a start/end pair
  (:func:`hold_durations`, the same holds the long-hold table lists);
* **repeat contacts** — the length of every contact that was a repeat (not the journey's
  first, not a continuation of the one before).

Extra contacts per route: each repeat contact is charged to the last hand-off the customer went
through before it in the same journey (or to no hand-off). Example::

    cost = routing_cost(handoffs, events, legs, journeys, minutes)
    cost.handoff_minutes, cost.routes[0].extra_per_handoff
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

NO_HANDOFF = "(no hand-off before)"


class EventLike(Protocol):
    """What is read of a stored event."""

    conversation_id: str
    seq: int
    type: str
    at_ms: int | None
    duration_ms: int | None
    leg: int | None


class LegLike(Protocol):
    """What is read of a stored leg."""

    leg: int
    start_ms: int | None
    end_ms: int | None


@dataclass(frozen=True)
class Hold:
    """One hold (or queue wait, ``kind="queue"``) with its length."""

    conversation_id: str
    leg: int | None
    at_ms: int | None
    duration_ms: int
    kind: str = "hold"


def hold_durations(events: Iterable[EventLike]) -> list[Hold]:
    """Holds with their duration: a ``hold_start`` carrying ``duration_ms``, or a start/end pair."""
    holds = []
    open_starts: dict[tuple[str, int | None], EventLike] = {}
    for e in sorted(events, key=lambda e: (e.conversation_id, e.seq)):
        key = (e.conversation_id, e.leg)
        if e.type == "hold_start":
            if e.duration_ms is not None:
                holds.append(Hold(e.conversation_id, e.leg, e.at_ms, e.duration_ms))
            else:
                open_starts[key] = e
        elif e.type == "hold_end":
            start = open_starts.pop(key, None)
            if start is not None and start.at_ms is not None and e.at_ms is not None:
                holds.append(Hold(e.conversation_id, e.leg, start.at_ms, max(0, e.at_ms - start.at_ms)))
            elif start is None and e.duration_ms is not None:
                at = e.at_ms - e.duration_ms if e.at_ms is not None else None
                holds.append(Hold(e.conversation_id, e.leg, at, e.duration_ms))
    return holds


def queue_waits(events: Iterable[EventLike]) -> list[Hold]:
    """Queue waits with a recorded duration."""
    return [
        Hold(e.conversation_id, e.leg, e.at_ms, e.duration_ms, "queue")
        for e in events
        if e.type == "queue_wait" and e.duration_ms is not None
    ]


@dataclass(frozen=True)
class Handoff:
    """One hand-off as a finding states it, with the route name it is reported under."""

    conversation_id: str
    route: str
    from_leg: int | None
    to_leg: int | None


@dataclass(frozen=True)
class JourneyContacts:
    """A journey's contacts in order, each flagged when it continues the one before."""

    journey_id: str
    conversation_ids: tuple[str, ...]
    continuation_flags: tuple[bool, ...]

    def repeats(self) -> list[str]:
        """Contacts after the first that are not continuations."""
        flags = dict(zip(self.conversation_ids, self.continuation_flags, strict=False))
        return [c for c in self.conversation_ids[1:] if not flags.get(c)]


@dataclass
class RouteCost:
    """What one hand-off route cost: its hand-offs, their waits, the repeat contacts after them."""

    route: str
    handoffs: int = 0
    handoff_ms: int = 0
    repeat_contacts: int = 0
    repeat_ms: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def extra_per_handoff(self) -> float | None:
        """Repeat contacts that followed this route per hand-off on it (None for no hand-off)."""
        return round(self.repeat_contacts / self.handoffs, 2) if self.handoffs else None


@dataclass(frozen=True)
class RoutingCost:
    """Customer minutes lost to hand-offs, holds and repeat contacts, and the routes behind them."""

    handoff_ms: int
    hold_ms: int
    repeat_ms: int
    repeat_contacts: int
    routes: list[RouteCost]

    @property
    def total_ms(self) -> int:
        """Every measured minute together."""
        return self.handoff_ms + self.hold_ms + self.repeat_ms


def handoff_wait_ms(handoff: Handoff, waits: Sequence[Hold], legs: Mapping[int, LegLike]) -> int:
    """Queue waits on the receiving leg, else the gap between the two legs; 0 when not measurable."""
    if handoff.to_leg is None:
        return 0
    queued = sum(w.duration_ms for w in waits if w.leg == handoff.to_leg)
    if queued:
        return queued
    before = legs.get(handoff.from_leg) if handoff.from_leg is not None else None
    after = legs.get(handoff.to_leg)
    if before is None or after is None or before.end_ms is None or after.start_ms is None:
        return 0
    return max(0, after.start_ms - before.end_ms)


def _leg_order(h: Handoff) -> tuple[int, int]:
    return (-1 if h.from_leg is None else h.from_leg, -1 if h.to_leg is None else h.to_leg)


class ContactLike(Protocol):
    """What is read of a stored conversation."""

    id: str
    started_at: datetime | None
    ended_at: datetime | None


def contact_durations(conversations: Iterable[ContactLike]) -> dict[str, int]:
    """Each contact's length in ms (none for a contact without a start or an end, or ending first)."""
    return {
        c.id: int((c.ended_at - c.started_at).total_seconds() * 1000)
        for c in conversations
        if c.started_at is not None and c.ended_at is not None and c.ended_at >= c.started_at
    }


def routing_cost(
    handoffs: Sequence[Handoff],
    events: Iterable[EventLike],
    legs: Mapping[str, Sequence[LegLike]],
    journeys: Sequence[JourneyContacts],
    contact_ms: Mapping[str, int],
    in_period: set[str],
    n_examples: int = 3,
) -> RoutingCost:
    """The costs of the module docstring for the contacts in ``in_period``.

    ``contact_ms`` is each contact's length; ``legs`` each contact's legs; repeat contacts
    outside ``in_period`` are not charged (they belong to another period's report).
    """
    events = list(events)
    waits: dict[str, list[Hold]] = defaultdict(list)
    for wait in queue_waits(events):
        waits[wait.conversation_id].append(wait)
    routes: dict[str, RouteCost] = {}
    by_conversation: dict[str, list[Handoff]] = defaultdict(list)
    handoff_ms = 0
    for h in handoffs:
        by_conversation[h.conversation_id].append(h)
        route = routes.setdefault(h.route, RouteCost(h.route))
        ms = handoff_wait_ms(
            h, waits[h.conversation_id], {leg.leg: leg for leg in legs.get(h.conversation_id, ())}
        )
        route.handoffs += 1
        route.handoff_ms += ms
        handoff_ms += ms
        if h.conversation_id not in route.examples and len(route.examples) < n_examples:
            route.examples.append(h.conversation_id)
    repeat_ms = repeats = 0
    for journey in journeys:
        repeated = set(journey.repeats())
        last: str | None = None
        for contact in journey.conversation_ids:
            if contact in repeated and contact in in_period:
                ms = contact_ms.get(contact, 0)
                route = routes.setdefault(last or NO_HANDOFF, RouteCost(last or NO_HANDOFF))
                route.repeat_contacts += 1
                route.repeat_ms += ms
                if contact not in route.examples and len(route.examples) < n_examples:
                    route.examples.append(contact)
                repeats += 1
                repeat_ms += ms
            ordered = sorted(by_conversation.get(contact, []), key=_leg_order)
            if ordered:
                last = ordered[-1].route
    hold_ms = sum(h.duration_ms for h in hold_durations(events) if h.conversation_id in in_period)
    ordered_routes = sorted(
        routes.values(), key=lambda r: (r.route == NO_HANDOFF, -r.repeat_contacts, -r.handoff_ms, r.route)
    )
    return RoutingCost(handoff_ms, hold_ms, repeat_ms, repeats, ordered_routes)
