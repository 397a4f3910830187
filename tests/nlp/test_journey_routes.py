"""Journeys, chains, bounces, repeats and re-explanation routes (``nlp.journey_routes``) on stored rows."""

from __future__ import annotations

from datetime import datetime

from nlp.journey_routes import (
    bounces,
    journey_bounce_path,
    journey_label,
    journey_stops,
    longest_chains,
    reexplanation_routes,
    reexplanations,
    repeat_journeys,
)
from rendering.store_queries import ConversationRow, FindingRow, JourneyRow, LegRouteRow

T0 = datetime(2026, 11, 16, 9)
CONVERSATIONS = [
    ConversationRow(c, "voice", "cu", T0.replace(hour=9 + i), None) for i, c in enumerate("abcd")
]
JOURNEY = JourneyRow("j1", "cu", T0, T0, 3, 1, 1, False, ("a", "b", "c"), (False, True, False))


def route(
    conversation: str,
    leg: int,
    department: str,
    previous: str | None = None,
    came_from: str | None = None,
    role: str = "agent",
    dropped: bool = False,
) -> LegRouteRow:
    return LegRouteRow(conversation, leg, "j", role, department, "inbound", previous, came_from, dropped, "r")


def finding(
    conversation: str,
    leg: int | None,
    kind: str,
    criterion: str = "repeats",
    attribution: str = "system",
    scorer: str = "transfers.v1",
    **detail: object,
) -> FindingRow:
    return FindingRow(
        conversation, 0, leg, None, None, None, scorer, criterion, kind, attribution, "negative", None, None,
        None, None, None, dict(detail), "r@1",
    )  # fmt: skip


LEGS = [
    route("a", 0, "Billing"),
    route("a", 1, "Tech", "Billing", "a"),
    route("b", 0, "Billing", "Tech", "a", dropped=True),
    route("c", 0, "IVR", role="ivr"),
    route("d", 0, "Sales"),
]


def test_stops_are_agent_legs_by_journey_and_lone_contacts_are_journeys_of_one() -> None:
    stops = journey_stops([JOURNEY], CONVERSATIONS, LEGS)
    assert [(s.journey_id, s.conversation_ids, len(s.legs)) for s in stops] == [
        ("j1", ("a", "b", "c"), 3),
        ("d", ("d",), 1),
    ]


def test_longest_chains_need_two_stops_and_count_reexplanations_and_drops() -> None:
    stops = journey_stops([JOURNEY], CONVERSATIONS, LEGS)
    (chain,) = longest_chains(stops, [finding("b", 0, "re_explained")], limit=10)
    assert (chain.handoffs, chain.dropped, chain.reexplanations) == (2, 1, 1)
    assert chain.path == ["Billing", "Tech", "Billing"]
    assert chain.linked_conversations == ["a", "b"]  # c has no agent leg
    assert journey_label(chain.conversation_ids) == "a … c"


def test_repeat_contacts_leave_out_the_first_contact_and_continuations() -> None:
    (journey,) = repeat_journeys([JOURNEY], {c.id: c for c in CONVERSATIONS})
    assert (journey.repeats, journey.continuations) == (1, 1)
    only_continuation = JourneyRow("j2", "cu", T0, T0, 2, 1, 0, False, ("a", "b"), (False, True))
    assert repeat_journeys([only_continuation], {c.id: c for c in CONVERSATIONS}) == []


def test_reexplanations_are_system_findings_on_the_criteria() -> None:
    found = [
        finding("a", 1, "re_explained"),
        finding("a", 1, "re_asked", attribution="agent"),
        finding("a", 1, "x", criterion="empathy"),
    ]
    assert [f.kind for f in reexplanations(found, ("repeats",))] == ["re_explained"]


def test_reexplanation_route_is_the_journey_stop_before() -> None:
    found = [finding("a", 0, "r"), finding("a", 1, "r"), finding("b", 0, "r"), finding("zz", 0, "r")]
    routes = [(r.origin, r.earlier_contact, r.department) for r in reexplanation_routes(found, LEGS, "?")]
    assert routes == [
        (None, False, "Billing"),
        ("Billing", False, "Tech"),
        ("Tech", True, "Billing"),
        (None, False, "?"),
    ]


def test_bounces_come_from_transfer_scorer_ping_pong_findings() -> None:
    path = [["a", 0, "B"], ["a", 1, "T"], ["b", 0, "B"]]
    found = [
        finding("a", 0, "ping_pong", path=path),
        finding("a", 0, "ping_pong", scorer="other.v1", path=path),
        finding("a", 0, "ping_pong", path=path[:2]),
    ]
    stops = journey_stops([JOURNEY], CONVERSATIONS, LEGS)
    (bounce,) = bounces(found, stops, LEGS)
    assert bounce.journey_id == "j1" and bounce.path == ("Billing", "Tech", "Billing")
    assert bounce.conversation_ids == ("a", "b")
    assert journey_bounce_path([bounce]) == ["Billing", "Tech", "Billing"]
