"""Operations facts (nlp/operations.py) and the agent's overall score (nlp/overall.py), by table of cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import Attribution, CriterionScore, Evidence, Finding, Polarity
from nlp.operations import (
    callback_offer_regex,
    disconnects,
    entry_route,
    handoffs,
    leg_facts,
    operations_facts,
    waits,
)
from nlp.overall import agent_leg_scores, overall_score
from nlp.routing_cost import hold_durations
from transcripts.model import Conversation, Event, EventType, Leg, LegEnd, LegStart, Role, Turn

FIXTURES = Path(__file__).parent / "fixtures" / "callback_offers"


def leg(index: int, department: str | None, via: LegStart = LegStart.INBOUND, **kw: object) -> Leg:
    return Leg(index=index, agent_id=f"a{index}", agent_name=f"Agent {index}", department=department,
               started_via=via, **kw)  # type: ignore[arg-type]  # fmt: skip


def conversation(cid: str, legs: list[Leg], events: list[Event] = (), turns: list[Turn] = ()) -> Conversation:  # type: ignore[assignment]
    return Conversation(id=cid, channel="call", legs=legs, events=list(events), turns=list(turns))


def handoff_finding(kind: str, from_leg: int, to_leg: int | None, scorer: str = "transfers.v1") -> Finding:
    detail = {"from_leg": from_leg, "to_leg": to_leg}
    evidence = Evidence("c", from_leg, None)
    return Finding(scorer, "transfers", kind, Attribution.SYSTEM, Polarity.NEGATIVE, evidence, detail=detail)


TWO_LEGS = conversation(
    "c",
    [leg(0, "Billing"), leg(1, "Technical Support", LegStart.QUEUE_TRANSFER)],
    [Event(type=EventType.TRANSFER, leg=0, from_leg=0, to_leg=1)],
)


@pytest.mark.parametrize(
    ("findings", "scored", "expected"),
    [
        # the scorer's findings are the hand-offs; departments as the legs name them
        ([handoff_finding("cold_transfer", 0, 1)], True, [("cold", "Billing", "Technical Support")]),
        ([handoff_finding("referral", 0, None)], True, [("referral", "Billing", "(unknown)")]),
        # findings of another scorer are not hand-offs
        ([handoff_finding("cold_transfer", 0, 1, scorer="other.v1")], True, []),
        # not scored: the recorded event, cold because the receiving leg came from a queue
        ([], False, [("cold", "Billing", "Technical Support")]),
        # scored without findings: the scorer decided there was none to count
        ([], True, []),
    ],
)
def test_handoffs(findings: list[Finding], scored: bool, expected: list[tuple[str, str, str]]) -> None:
    found = handoffs(TWO_LEGS, findings, scored)
    assert [(h.how, h.from_department, h.to_department) for h in found] == expected


@pytest.mark.parametrize(
    ("via", "into", "expected"),
    [
        (LegStart.INBOUND, None, "inbound"),
        (LegStart.CALLBACK, None, "callback"),
        (LegStart.BOT_HANDOFF, None, "bot_handoff"),
        (LegStart.OUTBOUND, None, "outbound"),
        (LegStart.TRANSFER, None, "warm"),
        (LegStart.QUEUE_TRANSFER, None, "cold"),
        (LegStart.QUEUE_TRANSFER, "warm", "warm"),  # the hand-off's evidence wins
        (LegStart.INBOUND, "cold", "cold"),
        (LegStart.TRANSFER, "unknown", "warm"),
    ],
)
def test_entry_route(via: LegStart, into: str | None, expected: str) -> None:
    assert entry_route(leg(0, "Billing", via), into) == expected


def test_the_stop_before_a_leg_crosses_contacts_and_skips_the_ivr() -> None:
    first = conversation("c1", [leg(0, "Billing", ended_via=LegEnd.SYSTEM_DISCONNECT)])
    second = conversation(
        "c2",
        [Leg(index=0, participant_role=Role.IVR), leg(1, "Technical Support", LegStart.QUEUE_TRANSFER),
         leg(2, "Billing", LegStart.TRANSFER)],
    )  # fmt: skip
    facts = {f.leg: f for f in leg_facts(second, "j1", [first], [])}
    assert (facts[0].department, facts[0].previous_department) == ("IVR", None)
    assert (facts[1].previous_department, facts[1].previous_conversation_id) == ("Billing", "c1")
    assert (facts[2].previous_department, facts[2].previous_conversation_id) == ("Technical Support", "c2")
    assert [f.entry_route for f in facts.values()] == ["inbound", "cold", "warm"]
    assert leg_facts(first, "j1", [], [])[0].dropped and not facts[2].dropped
    assert {f.journey_id for f in facts.values()} == {"j1"}


def test_waits_and_callback_offers() -> None:
    turns = [
        Turn(index=0, role=Role.IVR, leg=0, text="All agents are busy. Press 1 for a callback."),
        Turn(index=1, role=Role.AGENT, leg=1, text="Let me check, one moment."),
        Turn(index=2, role=Role.CUSTOMER, leg=1, text="Can you call me back?"),
        Turn(index=3, role=Role.AGENT, leg=2, text="I can call you back later today."),
    ]
    events = [
        Event(type=EventType.QUEUE_WAIT, leg=1, at_ms=0, duration_ms=700_000),
        Event(type=EventType.HOLD_START, leg=1, at_ms=1000),
        Event(type=EventType.HOLD_END, leg=1, at_ms=181_000),
        Event(type=EventType.HOLD_START, leg=2, at_ms=300_000, duration_ms=60_000),
    ]
    found = waits(
        conversation("c", [Leg(index=0, participant_role=Role.IVR), leg(1, "B"), leg(2, "C")], events, turns)
    )
    # the customer asking is no offer; the IVR's offer counts for the queue wait it led to
    assert [(w.kind, w.leg, w.duration_ms, w.callback_offered) for w in found] == [
        ("hold", 1, 180_000, False),
        ("hold", 2, 60_000, True),
        ("queue", 1, 700_000, True),
    ]


@pytest.mark.parametrize(
    ("legs", "events", "expected"),
    [
        (
            [leg(0, "Billing")],
            [Event(type=EventType.DISCONNECT, leg=0, by=Role.SYSTEM)],
            [(0, "system", "Billing")],
        ),
        # an event without a leg: the last leg's department
        ([leg(0, "A"), leg(1, "B")], [Event(type=EventType.DISCONNECT, by=None)], [(1, "unknown", "B")]),
        # no event: how the last leg ended, when someone hung up
        ([leg(0, "A", ended_via=LegEnd.ABANDONED_ON_HOLD)], [], [(0, "customer", "A")]),
        ([leg(0, "A", ended_via=LegEnd.RESOLVED)], [], []),
    ],
)
def test_disconnects(legs: list[Leg], events: list[Event], expected: list[tuple[int, str, str]]) -> None:
    assert [
        (d.leg, d.ended_by, d.department) for d in disconnects(conversation("c", legs, events))
    ] == expected


def test_operations_facts_is_one_conversation_in_its_journey() -> None:
    facts = operations_facts(TWO_LEGS, [handoff_finding("warm_transfer", 0, 1)], scored_transfers=True)
    assert [h.how for h in facts.handoffs] == ["warm"]
    assert [(f.journey_id, f.entry_route) for f in facts.legs] == [("c", "inbound"), ("c", "warm")]


def test_callback_offer_phrases() -> None:
    offer = callback_offer_regex()
    assert offer.search("I can call you back within the hour")
    assert offer.search("Would you like a callback?")
    assert not offer.search("You'll have to call again tomorrow")
    custom = callback_offer_regex(FIXTURES / "custom.jsonl")
    assert custom.search("We will phone you tonight") and not custom.search("I can call you back")


@pytest.mark.parametrize(
    ("name", "message"), [("bad.jsonl", "bad.jsonl:2"), ("absent.jsonl", "absent.jsonl")]
)
def test_broken_phrase_files_name_the_file_and_line(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        callback_offer_regex(FIXTURES / name)


def test_hold_durations_from_pairs_and_from_durations() -> None:
    events = [
        Event(type=EventType.HOLD_START, leg=0, at_ms=1000),
        Event(type=EventType.HOLD_END, leg=0, at_ms=181_000),
        Event(type=EventType.HOLD_START, leg=0, at_ms=200_000, duration_ms=30_000),
        Event(type=EventType.HOLD_END, leg=0, duration_ms=45_000),
    ]
    found = waits(conversation("c", [leg(0, "A")], events))
    assert [w.duration_ms for w in found] == [180_000, 30_000, 45_000]
    assert hold_durations([]) == []


def score(
    leg_index: int, criterion: str, value: float | None, attribution: Attribution = Attribution.AGENT
) -> CriterionScore:
    return CriterionScore(
        "c", leg_index, "a1", criterion, f"{criterion}.v1", value, 0.5, None, "", "r@1", attribution
    )


def test_overall_score_is_the_weighted_mean_of_what_counts() -> None:
    assert overall_score({"empathy": 1.0, "self_worth": 0.5}, {"empathy": 1.0, "self_worth": 3.0}) == 0.625
    assert overall_score({"empathy": None, "self_worth": 0.5}, {"empathy": 1.0, "self_worth": 1.0}) == 0.5
    assert overall_score({"empathy": 1.0}, {"empathy": 0.0}) is None
    [row] = agent_leg_scores(
        [score(0, "empathy", 1.0), score(0, "self_worth", 0.0),
         score(0, "transfers", 0.0, Attribution.SYSTEM), score(0, "unknown", 0.0)],
        {"empathy": 2.0, "self_worth": 1.0, "transfers": 1.0},
    )  # fmt: skip
    assert (row.value, row.criteria, row.weights) == (0.6667, {"empathy": 1.0, "self_worth": 0.0},
                                                     {"empathy": 2.0, "self_worth": 1.0})  # fmt: skip
