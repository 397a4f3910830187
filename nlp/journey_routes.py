"""Routes across a customer's journey, from stored operations facts: chains, bounces, repeats.

``rendering/`` counts and formats these; the rules live here:

- a journey's **stops** are the agent legs of its in-period contacts, in order (a contact in no
  journey is a journey of its own); its **chain** has a hand-off between each pair of stops,
  and the longest chains are those with the most stops, then the most contacts;
- a **bounce** (A → B → A) is a ``ping_pong`` finding of ``transfers.v1``, its stops named as
  the period's legs name them;
- a journey has **repeat contacts** when, in the period, it has more contacts than its first
  and its continuations;
- a **re-explanation** is a system finding on one of the re-explanation criteria; its origin is
  the journey stop before the leg it happened on.

Example::

    stops = journey_stops(journeys, conversations, leg_routes)
    longest = longest_chains(stops, reexplanations(findings, ("repeats",)), limit=10)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

ROUTED_ROLES = ("agent",)
"""Leg roles that are stops of a journey."""
TRANSFERS_SCORER = "transfers."


class ConversationLike(Protocol):
    """A stored conversation."""

    id: str
    started_at: datetime | None


class JourneyLike(Protocol):
    """A stored journey with its contacts in order."""

    journey_id: str
    right_censored: bool
    conversation_ids: tuple[str, ...]
    continuation_flags: tuple[bool, ...]


class LegRouteLike(Protocol):
    """How a leg was reached (``nlp.operations``)."""

    conversation_id: str
    leg: int
    participant_role: str
    department: str
    previous_department: str | None
    previous_conversation_id: str | None
    dropped: bool


class FindingLike(Protocol):
    """A stored finding."""

    conversation_id: str
    leg: int | None
    department: str | None
    scorer: str
    criterion: str
    kind: str
    attribution: str
    detail: Mapping[str, Any]


F = TypeVar("F", bound=FindingLike)


@dataclass(frozen=True)
class JourneyStops:
    """A journey's in-period contacts and their routed legs, in order."""

    journey_id: str
    conversation_ids: tuple[str, ...]
    legs: tuple[LegRouteLike, ...]


def journey_stops(
    journeys: Iterable[JourneyLike],
    conversations: Sequence[ConversationLike],
    leg_routes: Iterable[LegRouteLike],
    roles: Sequence[str] = ROUTED_ROLES,
) -> list[JourneyStops]:
    """Every journey with a contact among ``conversations``; contacts in no journey as journeys of one."""
    in_period = {c.id for c in conversations}
    by_conversation: dict[str, list[LegRouteLike]] = defaultdict(list)
    for leg in leg_routes:
        if leg.participant_role in roles:
            by_conversation[leg.conversation_id].append(leg)
    seen: set[str] = set()
    result = []
    for j in journeys:
        ids = tuple(c for c in j.conversation_ids if c in in_period)
        if not ids:
            continue
        seen.update(ids)
        result.append(
            JourneyStops(j.journey_id, ids, tuple(leg for c in ids for leg in by_conversation.get(c, [])))
        )
    for c in conversations:
        if c.id not in seen:
            result.append(JourneyStops(c.id, (c.id,), tuple(by_conversation.get(c.id, []))))
    return result


def journey_label(conversation_ids: Sequence[str]) -> str:
    """``C-1101 … C-1301`` for a journey of several contacts, the id itself for one."""
    if not conversation_ids:
        return ""
    if len(conversation_ids) == 1:
        return conversation_ids[0]
    return f"{conversation_ids[0]} … {conversation_ids[-1]}"


def collapse(departments: Iterable[str]) -> list[str]:
    """A path with consecutive stops in one department given once."""
    out: list[str] = []
    for d in departments:
        if not out or out[-1] != d:
            out.append(d)
    return out


def reexplanations(findings: Iterable[F], criteria: Iterable[str]) -> list[F]:
    """The system findings on the re-explanation ``criteria`` (the settings' ``reexplanation_criteria``)."""
    wanted = set(criteria)
    return [f for f in findings if f.criterion in wanted and f.attribution == "system"]


@dataclass(frozen=True)
class ReexplanationRoute:
    """Where a customer re-explained: the department before (None: first contact) and the one after."""

    conversation_id: str
    origin: str | None
    earlier_contact: bool  # the stop before was in an earlier contact of the journey
    department: str


def reexplanation_routes(
    found: Iterable[FindingLike], leg_routes: Iterable[LegRouteLike], unknown: str
) -> list[ReexplanationRoute]:
    """The route of each re-explanation in ``found`` (``unknown``: the name of an unknown department)."""
    legs = {(leg.conversation_id, leg.leg): leg for leg in leg_routes}
    routes = []
    for f in found:
        leg = legs.get((f.conversation_id, f.leg))
        department = f.department or (leg.department if leg else unknown)
        origin = leg.previous_department if leg is not None else None
        earlier = leg is not None and origin is not None and leg.previous_conversation_id != f.conversation_id
        routes.append(ReexplanationRoute(f.conversation_id, origin, earlier, department))
    return routes


@dataclass(frozen=True)
class Chain:
    """A journey's chain of stops."""

    journey_id: str
    conversation_ids: tuple[str, ...]
    legs: tuple[LegRouteLike, ...]
    reexplanations: int

    @property
    def handoffs(self) -> int:
        """Hand-offs between people: one between each pair of stops."""
        return len(self.legs) - 1

    @property
    def dropped(self) -> int:
        """Stops the system dropped."""
        return sum(1 for leg in self.legs if leg.dropped)

    @property
    def path(self) -> list[str]:
        """The departments passed through, consecutive repeats once."""
        return collapse(leg.department for leg in self.legs)

    @property
    def linked_conversations(self) -> list[str]:
        """The contacts (in order) with a stop, so example links show the hand-offs themselves."""
        with_legs = {leg.conversation_id for leg in self.legs}
        return [c for c in self.conversation_ids if c in with_legs]


def longest_chains(
    stops: Iterable[JourneyStops], reexplained: Iterable[FindingLike], limit: int
) -> list[Chain]:
    """The ``limit`` journeys with the most stops (at least two), then contacts, then by label."""
    per_conversation = Counter(f.conversation_id for f in reexplained)
    chains = [
        Chain(s.journey_id, s.conversation_ids, s.legs, sum(per_conversation[c] for c in s.conversation_ids))
        for s in stops
        if len(s.legs) >= 2
    ]
    chains.sort(key=lambda c: (-len(c.legs), -len(c.conversation_ids), journey_label(c.conversation_ids)))
    return chains[:limit]


@dataclass(frozen=True)
class RepeatJourney:
    """A journey whose customer came back within the period."""

    journey_id: str
    conversation_ids: tuple[str, ...]
    continuations: int
    right_censored: bool
    starts: tuple[datetime, ...]

    @property
    def repeats(self) -> int:
        """Contacts beyond the first that were not continuations."""
        return len(self.conversation_ids) - self.continuations - 1


def repeat_journeys(
    journeys: Iterable[JourneyLike], conversations: Mapping[str, ConversationLike]
) -> list[RepeatJourney]:
    """Journeys with at least one repeat contact in the period (``conversations``), most repeats first."""
    found = []
    for j in journeys:
        flags = dict(zip(j.conversation_ids, j.continuation_flags, strict=False))
        ids = tuple(c for c in j.conversation_ids if c in conversations)
        continuations = sum(1 for c in ids if flags.get(c))
        starts = tuple(s for c in ids if (s := conversations[c].started_at) is not None)
        journey = RepeatJourney(j.journey_id, ids, continuations, j.right_censored, starts)
        if journey.repeats >= 1:
            found.append(journey)
    return sorted(found, key=lambda r: (-r.repeats, journey_label(r.conversation_ids)))


@dataclass(frozen=True)
class Bounce:
    """One A -> B -> A bounce: the departments (the legs' names) and the contacts it passed through."""

    journey_id: str
    path: tuple[str, str, str]
    conversation_ids: tuple[str, ...]
    stops: tuple[tuple[str, int], ...] = ()


def bounces(
    findings: Iterable[FindingLike], stops: Iterable[JourneyStops], leg_routes: Iterable[LegRouteLike]
) -> list[Bounce]:
    """Ping-pong bounces as the ``ping_pong`` findings of ``transfers.v1`` state them.

    Stops are named as the period's legs name them where it holds them, else as the finding does.
    """
    journey_of = {c: s.journey_id for s in stops for c in s.conversation_ids}
    names_of = {(leg.conversation_id, leg.leg): leg.department for leg in leg_routes}
    found = []
    for f in findings:
        if f.kind != "ping_pong" or not f.scorer.startswith(TRANSFERS_SCORER):
            continue
        path = [stop for stop in f.detail.get("path", []) if isinstance(stop, list) and len(stop) == 3]
        if len(path) != 3:
            continue
        names = [names_of.get((str(cid), leg), str(department)) for cid, leg, department in path]
        found.append(
            Bounce(
                journey_of.get(f.conversation_id, f.conversation_id),
                (names[0], names[1], names[2]),
                tuple(dict.fromkeys(str(stop[0]) for stop in path)),
                tuple((str(stop[0]), stop[1]) for stop in path),
            )
        )
    return found


def journey_bounce_path(found: Sequence[Bounce]) -> list[str]:
    """The departments one journey's bounces passed through, in order (stops from findings when known)."""
    if not all(b.stops for b in found):
        return max((list(b.path) for b in found), key=len, default=[])
    named = {stop: name for b in found for stop, name in zip(b.stops, b.path, strict=True)}
    contacts = list(dict.fromkeys(c for b in found for c in b.conversation_ids))
    ordered = sorted(named, key=lambda stop: (contacts.index(stop[0]), stop[1]))
    return collapse(named[stop] for stop in ordered)
