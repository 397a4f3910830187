"""Amazon Connect contact records: dedupe, chain stitching, events, the three file layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcripts.model import Channel, Conversation, Event, EventType, LegEnd, LegStart, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers import connect_ctr
from transcripts.readers.base import DuplicateRecord

FIXTURES = Path(__file__).parent / "fixtures" / "vendor" / "connect_ctr"
CHAIN = (
    "6a1f0c52-8a8e-4b9e-9b1a-2c3d4e5f6a01",
    "6a1f0c52-8a8e-4b9e-9b1a-2c3d4e5f6a02",
    "6a1f0c52-8a8e-4b9e-9b1a-2c3d4e5f6a03",
)


def results(name: str) -> tuple[list[Conversation], list[Quarantined], list[DuplicateRecord]]:
    conversations: list[Conversation] = []
    quarantined: list[Quarantined] = []
    duplicates: list[DuplicateRecord] = []
    for result in connect_ctr.read(FIXTURES / name):
        if isinstance(result, Conversation):
            conversations.append(result)
        elif isinstance(result, Quarantined):
            quarantined.append(result)
        else:
            assert isinstance(result, DuplicateRecord), result
            duplicates.append(result)
    return conversations, quarantined, duplicates


def by_id(name: str) -> dict[str, Conversation]:
    return {c.id: c for c in results(name)[0]}


def chain() -> Conversation:
    return by_id("transfer_chain.jsonl")[CHAIN[0]]


def events(conversation: Conversation, kind: EventType) -> list[Event]:
    return [e for e in conversation.events if e.type is kind]


def test_dedupe_keeps_latest_last_update_timestamp() -> None:
    conversations, quarantined, duplicates = results("transfer_chain.jsonl")
    assert quarantined == []
    # record 1 is an early copy of record 3; record 6 is a stale copy of record 2 delivered last
    assert [(d.record, d.duplicate_of) for d in duplicates] == [
        (f"record 1 (ContactId={CHAIN[0]})", f"record 3 (ContactId={CHAIN[0]})"),
        (f"record 6 (ContactId={CHAIN[1]})", f"record 2 (ContactId={CHAIN[1]})"),
    ]
    assert all(d.file == str(FIXTURES / "transfer_chain.jsonl") for d in duplicates)
    stitched = chain()
    # the kept copies are the complete ones: holds and transfer fields survive
    assert stitched.legs[0].ended_via is LegEnd.TRANSFERRED
    assert len(events(stitched, EventType.HOLD_START)) == 3
    assert len(conversations) == 2


def test_chain_is_one_conversation_with_a_leg_per_contact_in_chain_order() -> None:
    stitched = chain()
    assert stitched.channel is Channel.CALL
    assert stitched.turns == []
    assert stitched.extra["contact_ids"] == list(CHAIN)
    assert [
        (leg.index, leg.participant_role, leg.agent_id, leg.department, leg.started_via, leg.ended_via)
        for leg in stitched.legs
    ] == [
        (0, Role.AGENT, "jdoe", "Billing", LegStart.INBOUND, LegEnd.TRANSFERRED),
        (1, Role.AGENT, "asmith", "Technical Support", LegStart.TRANSFER, LegEnd.TRANSFERRED),
        (2, Role.AGENT, "mlee", "Returns", LegStart.TRANSFER, LegEnd.CUSTOMER_DISCONNECT),
    ]
    assert [(leg.start_ms, leg.end_ms) for leg in stitched.legs] == [
        (0, 490000),
        (490000, 1790000),
        (1790000, 2575000),
    ]
    assert stitched.started_at is not None and stitched.started_at.isoformat() == "2026-11-20T14:00:00+00:00"
    assert stitched.ended_at is not None and stitched.ended_at.isoformat() == "2026-11-20T14:42:55+00:00"
    assert stitched.customer_id == "CUST-88412"
    assert stitched.legs[1].extra["connect_ctr"]["RoutingProfile"] == "Tech Support Tier 1"
    assert [leg.extra["connect_ctr"]["Recordings"] for leg in stitched.legs] == [
        [],
        [],
        ["connect-recordings/2026/11/20/c3.wav"],
    ]


def test_transfer_events_between_consecutive_legs_in_order() -> None:
    transfers = events(chain(), EventType.TRANSFER)
    assert [
        (e.at_ms, e.from_leg, e.to_leg, e.from_department, e.to_department, e.from_agent, e.to_agent)
        for e in transfers
    ] == [
        (489000, 0, 1, "Billing", "Technical Support", "jdoe", "asmith"),
        (1789000, 1, 2, "Technical Support", "Returns", "asmith", "mlee"),
    ]
    # the second contact was created by a transfer its attributes call warm; the third says nothing
    assert [e.warm for e in transfers] == [True, None]


def test_warm_is_unknown_without_attributes() -> None:
    stitched = by_id("firehose_concatenated.json")["f5e4d3c2-4444-4c3d-9e4f-7a8b9c0d1e20"]
    [transfer] = events(stitched, EventType.TRANSFER)
    assert transfer.warm is None
    assert (transfer.from_department, transfer.to_department, transfer.reason) == (
        "Sales",
        "Sales Overflow",
        "queue_transfer",
    )


def test_queue_waits_and_holds() -> None:
    stitched = chain()
    waits = events(stitched, EventType.QUEUE_WAIT)
    assert [(e.leg, e.at_ms, e.duration_ms, e.reason) for e in waits] == [
        (0, 35000, 126000, "Billing"),
        (1, 491000, 199000, "Technical Support"),
        (2, 1791000, 374000, "Returns"),
    ]
    holds = events(stitched, EventType.HOLD_START)
    # leg 0: one hold of 45 s; leg 1: two holds totalling 400 s, the longest 300 s
    assert [(e.leg, e.duration_ms) for e in holds] == [(0, 45000), (1, 300000), (1, 100000)]
    assert all(e.at_ms is None for e in holds)
    assert not any(e.extra["connect_ctr"]["duration_estimated"] for e in holds)


@pytest.mark.parametrize(
    ("name", "conversation_id", "reason", "by", "ended_via"),
    [
        ("transfer_chain.jsonl", CHAIN[0], "CUSTOMER_DISCONNECT", Role.CUSTOMER, LegEnd.CUSTOMER_DISCONNECT),
        (
            "records_array.json",
            "e4d3c2b1-3333-4b2c-8d3e-6f7a8b9c0d12",
            "TELECOM_PROBLEM",
            Role.SYSTEM,
            LegEnd.SYSTEM_DISCONNECT,
        ),
        (
            "records_array.json",
            "d3c2b1a0-1111-4a2b-9c3d-5e6f7a8b9c10",
            "AGENT_DISCONNECT",
            Role.AGENT,
            LegEnd.AGENT_DISCONNECT,
        ),
        (
            "transfer_chain.jsonl",
            "0b7d2e91-3c4f-4d6a-a8b9-c0d1e2f3a409",
            "CUSTOMER_DISCONNECT",
            Role.CUSTOMER,
            LegEnd.CUSTOMER_DISCONNECT,
        ),
    ],
)
def test_disconnect_reason_mapped(
    name: str, conversation_id: str, reason: str, by: Role, ended_via: LegEnd
) -> None:
    conversation = by_id(name)[conversation_id]
    last = events(conversation, EventType.DISCONNECT)[-1]
    assert (last.reason, last.by, last.leg) == (reason, by, conversation.legs[-1].index)
    assert conversation.legs[-1].ended_via is ended_via


def test_callback_chain_in_array_order_independent() -> None:
    """The array lists the callback before the original contact; links decide the order."""
    callback = by_id("records_array.json")["d3c2b1a0-1111-4a2b-9c3d-5e6f7a8b9c10"]
    assert [(leg.participant_role, leg.started_via, leg.ended_via) for leg in callback.legs] == [
        (Role.IVR, LegStart.INBOUND, LegEnd.CUSTOMER_DISCONNECT),
        (Role.AGENT, LegStart.CALLBACK, LegEnd.AGENT_DISCONNECT),
    ]
    # agent without Username: the ARN's last segment
    assert callback.legs[1].agent_id == "7e8f9a0b-2222-4c3d-8e9f-0a1b2c3d4e5f"
    assert events(callback, EventType.TRANSFER) == []
    assert callback.customer_id == "+442079460321"


def test_chat_contact_from_api_is_inbound() -> None:
    chat = by_id("transfer_chain.jsonl")["0b7d2e91-3c4f-4d6a-a8b9-c0d1e2f3a409"]
    assert chat.channel is Channel.CHAT
    assert [(leg.participant_role, leg.started_via, leg.department) for leg in chat.legs] == [
        (Role.IVR, LegStart.INBOUND, "Chat General")
    ]
    assert chat.customer_id == "CUST-10077"


def test_monitor_contact_is_kept_aside_not_a_leg() -> None:
    stitched = by_id("firehose_concatenated.json")["f5e4d3c2-4444-4c3d-9e4f-7a8b9c0d1e20"]
    assert len(stitched.legs) == 2
    assert stitched.extra["connect_ctr"]["side_contacts"] == [
        {"ContactId": "f5e4d3c2-4444-4c3d-9e4f-7a8b9c0d1e22", "InitiationMethod": "MONITOR"}
    ]
    assert "f5e4d3c2-4444-4c3d-9e4f-7a8b9c0d1e22" in stitched.extra["contact_ids"]
    assert "supervisor.kim" not in {leg.agent_id for leg in stitched.legs}


@pytest.mark.parametrize(
    ("name", "conversations", "quarantined"),
    [
        ("transfer_chain.jsonl", 2, 0),
        ("records_array.json", 2, 0),
        ("firehose_concatenated.json", 1, 0),
        ("broken_records.jsonl", 1, 4),
        ("truncated_array.json", 1, 1),
    ],
)
def test_file_layouts(name: str, conversations: int, quarantined: int) -> None:
    found, bad, _ = results(name)
    assert (len(found), len(bad)) == (conversations, quarantined)


def test_broken_records_are_quarantined_one_by_one() -> None:
    found, bad, _ = results("broken_records.jsonl")
    assert [(q.record, q.reason) for q in bad] == [
        ("record 2", ReasonCode.TRUNCATED),
        ("record 3", ReasonCode.MISSING_FIELD),
        ("record 5", ReasonCode.INVALID_RECORD),
        ("record 4 (ContactId=a0a0a0a0-5555-4d4e-8f5a-8b9c0d1e2f32)", ReasonCode.INVALID_RECORD),
    ]
    assert "(line 2)" in bad[0].message
    assert "Channel TASK" in bad[3].message
    assert [c.id for c in found] == ["a0a0a0a0-5555-4d4e-8f5a-8b9c0d1e2f30"]


def test_truncated_array_keeps_the_complete_records() -> None:
    found, [bad], _ = results("truncated_array.json")
    assert (bad.record, bad.reason) == ("record 2", ReasonCode.TRUNCATED)
    assert [c.id for c in found] == ["a0a0a0a0-5555-4d4e-8f5a-8b9c0d1e2f30"]


def test_partial_chain_names_the_missing_contacts(tmp_path: Path) -> None:
    """Records of one chain spread over files: each file gives a partial conversation."""
    lines = (FIXTURES / "transfer_chain.jsonl").read_text().splitlines()
    path = tmp_path / "second-half.jsonl"
    path.write_text("\n".join(lines[3:4]) + "\n")  # only the third contact of the chain
    [partial] = [r for r in connect_ctr.read(path) if isinstance(r, Conversation)]
    assert partial.id == CHAIN[0]
    assert partial.extra["contact_ids"] == [CHAIN[2]]
    assert partial.extra["connect_ctr"]["missing_contact_ids"] == [CHAIN[0], CHAIN[1]]
    assert partial.legs[0].started_via is LegStart.TRANSFER


def test_three_holds_split_the_remainder_and_say_so(tmp_path: Path) -> None:
    record = json.loads((FIXTURES / "transfer_chain.jsonl").read_text().splitlines()[1])
    record["Agent"].update(CustomerHoldDuration=500, NumberOfHolds=3, LongestHoldDuration=300)
    record["NextContactId"] = record["PreviousContactId"] = record["InitialContactId"] = None
    path = tmp_path / "holds.jsonl"
    path.write_text(json.dumps(record) + "\n")
    [conversation] = list(connect_ctr.read(path))
    assert isinstance(conversation, Conversation)
    holds = events(conversation, EventType.HOLD_START)
    assert [e.duration_ms for e in holds] == [300000, 100000, 100000]
    assert [e.extra["connect_ctr"]["duration_estimated"] for e in holds] == [False, True, True]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2026-11-20T14:00:00Z", "2026-11-20T14:00:00+00:00"),
        ("2026-11-20T14:00:00.250Z", "2026-11-20T14:00:00.250000+00:00"),
        ("2026-11-20T14:00:00", "2026-11-20T14:00:00+00:00"),
        (1795183200, "2026-11-20T14:00:00+00:00"),
        (1795183200000, "2026-11-20T14:00:00+00:00"),
        ("yesterday", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_timestamp(value: object, iso: str | None) -> None:
    parsed = connect_ctr.parse_timestamp(value)
    assert (parsed.isoformat() if parsed else None) == iso


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '{"ContactId": "c", "InitiationMethod": "INBOUND", "InitiationTimestamp": "x"}',
            0.95,
        ),
        ('[{"ContactId": "c", "DisconnectTimestamp": "x"}', 0.5),
        ('{"CustomerMetadata": {"ContactId": "c", "InstanceId": "i"}, "Transcript": []}', 0.1),
        ('{"id": "C-1", "turns": []}', 0.0),
    ],
)
def test_sniff(head: str, expected: float) -> None:
    assert connect_ctr.sniff(head, Path("x.json")) == expected
