from __future__ import annotations

import pytest

from transcripts.legs import LegTracker, TurnOrderError, order_turns
from transcripts.model import EventType, LegEnd, LegStart, Role

A, C, B, I = Role.AGENT, Role.CUSTOMER, Role.BOT, Role.IVR  # noqa: E741


@pytest.mark.parametrize(
    ("speakers", "legs", "starts"),
    [
        ([(C, None), (A, "a1"), (C, None), (A, "a1")], [0, 0, 0, 0], [LegStart.INBOUND]),
        ([(A, "a1"), (C, None), (A, "a2"), (C, None)], [0, 0, 1, 1], [LegStart.INBOUND, LegStart.TRANSFER]),
        ([(B, "bot"), (C, None), (A, "a1")], [0, 0, 1], [LegStart.INBOUND, LegStart.BOT_HANDOFF]),
        ([(I, "menu"), (C, None), (A, "a1")], [0, 0, 1], [LegStart.INBOUND, LegStart.BOT_HANDOFF]),
        (
            [(A, "a1"), (A, "a2"), (A, "a1")],
            [0, 1, 2],
            [LegStart.INBOUND, LegStart.TRANSFER, LegStart.TRANSFER],
        ),
        ([(C, None), (Role.SYSTEM, None), (C, None)], [0, 0, 0], [LegStart.INBOUND]),
        ([(A, None), (C, None), (A, None)], [0, 0, 0], [LegStart.INBOUND]),
    ],
)
def test_new_leg_when_participant_changes(speakers, legs, starts) -> None:
    tracker = LegTracker()
    assert [tracker.assign(role, speaker) for role, speaker in speakers] == legs
    built, events = tracker.finish()
    assert [leg.started_via for leg in built] == starts
    assert events == []


def test_department_change_for_same_agent_opens_leg() -> None:
    tracker = LegTracker()
    assert tracker.assign(A, "a1", department="Billing") == 0
    assert tracker.assign(A, "a1", department="Billing") == 0
    assert tracker.assign(A, "a1", department="Tech") == 1


def test_explicit_transfer_and_disconnect() -> None:
    tracker = LegTracker(default_department="Billing")
    tracker.assign(A, "maria", "Maria", at_ms=1000)
    tracker.assign(C, at_ms=2000)
    tracker.event(EventType.HOLD_START, at_ms=3000)
    tracker.event(EventType.HOLD_END, at_ms=5000, duration_ms=2000)
    tracker.transfer(at_ms=6000, to_department="Tech Support", warm=True)
    assert tracker.assign(A, "lee", at_ms=7000, end_ms=8000) == 1
    tracker.event(EventType.DISCONNECT, at_ms=9000, by=Role.CUSTOMER)
    legs, events = tracker.finish()
    assert [(leg.department, leg.started_via, leg.ended_via) for leg in legs] == [
        ("Billing", LegStart.INBOUND, LegEnd.TRANSFERRED),
        ("Tech Support", LegStart.TRANSFER, LegEnd.CUSTOMER_DISCONNECT),
    ]
    assert (legs[0].start_ms, legs[0].end_ms, legs[1].start_ms, legs[1].end_ms) == (1000, 6000, 7000, 9000)
    transfer = events[2]
    assert (transfer.type, transfer.from_leg, transfer.to_leg, transfer.warm) == (
        EventType.TRANSFER,
        0,
        1,
        True,
    )
    assert (transfer.from_department, transfer.to_department, transfer.from_agent) == (
        "Billing",
        "Tech Support",
        "maria",
    )
    assert [e.leg for e in events] == [0, 0, 0, 1]


def test_customer_hangs_up_on_hold() -> None:
    tracker = LegTracker()
    tracker.assign(A, "a1")
    tracker.event(EventType.HOLD_START)
    tracker.event(EventType.DISCONNECT, by=Role.CUSTOMER)
    legs, _ = tracker.finish()
    assert legs[0].ended_via is LegEnd.ABANDONED_ON_HOLD


def test_transfer_before_anyone_answered_names_first_leg() -> None:
    tracker = LegTracker()
    tracker.assign(C)
    tracker.transfer(to_department="Billing")
    assert tracker.assign(A, "a1") == 0
    legs, events = tracker.finish()
    assert len(legs) == 1 and legs[0].department == "Billing" and events[0].to_leg == 0


def test_finish_without_turns_gives_one_leg() -> None:
    legs, events = LegTracker().finish()
    assert [leg.index for leg in legs] == [0] and events == []


@pytest.mark.parametrize(
    ("items", "expected", "reordered"),
    [
        ([{"seq": 2}, {"seq": 0}, {"seq": 1}], [1, 2, 0], True),
        ([{"seq": 5}, {"seq": 9}], [0, 1], False),
        ([{"t": 30}, {"t": 10}, {"t": 10}], [1, 2, 0], True),
        ([{"t": 10}, {"t": 20}], [0, 1], False),
        ([{"t": 30}, {}, {"t": 10}], [0, 1, 2], False),  # not every turn has an offset: keep file order
        ([], [], False),
    ],
)
def test_order_turns(items, expected, reordered) -> None:
    for position, item in enumerate(items):
        item["pos"] = position
    order = order_turns(items, sequence=lambda i: i.get("seq"), offset=lambda i: i.get("t"))
    assert [i["pos"] for i in order.items] == expected
    assert order.reordered is reordered


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        ([1, 1, 2], "duplicate sequence number"),
        ([1, None, 2], "sequence number missing on turn"),
        ([1, "2", 3], "not an integer"),
        ([1, True], "not an integer"),
    ],
)
def test_order_turns_rejects_conflicting_sequences(sequence, message) -> None:
    with pytest.raises(TurnOrderError, match=message):
        order_turns([{"seq": s} for s in sequence], sequence=lambda i: i["seq"])
