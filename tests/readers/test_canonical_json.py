from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.readers.conftest import split
from transcripts.model import (
    Channel,
    Conversation,
    Event,
    EventType,
    Leg,
    LegEnd,
    LegStart,
    Role,
    Turn,
)
from transcripts.quarantine import ReasonCode
from transcripts.readers import canonical_json

MINIMAL = {
    "id": "C-1",
    "channel": "chat",
    "customer_id": "cust-9",
    "turns": [{"role": "customer", "text": "Hi"}, {"role": "agent", "speaker": "a17", "text": "Hello!"}],
}


def full_conversation() -> Conversation:
    return Conversation(
        id="C-full",
        channel=Channel.CALL,
        customer_id="cust-1",
        started_at=datetime(2026, 11, 17, 9, 14, tzinfo=UTC),
        ended_at=datetime(2026, 11, 17, 9, 30, tzinfo=UTC),
        language="en",
        source_file="elsewhere.json",
        source_format="contact_lens",
        source_record="record 9",
        legs=[
            Leg(
                index=0,
                agent_id="maria",
                agent_name="Maria",
                department="Billing",
                queue="billing-q",
                ended_via=LegEnd.TRANSFERRED,
                start_ms=0,
                end_ms=60_000,
                extra={"skill": "b1"},
            ),
            Leg(index=1, agent_id="lee", department="Tech", started_via=LegStart.TRANSFER, start_ms=70_000),
        ],
        turns=[
            Turn(
                index=0,
                role=Role.AGENT,
                speaker_id="maria",
                speaker_name="Maria",
                text="Hi",
                start_ms=0,
                end_ms=900,
                leg=0,
                extra={"sentiment": "NEUTRAL"},
            ),
            Turn(index=1, role=Role.CUSTOMER, text="Charged twice.", start_ms=1000, leg=0),
            Turn(index=2, role=Role.AGENT, speaker_id="lee", text="Tech here.", start_ms=70_000, leg=1),
        ],
        events=[
            Event(type=EventType.HOLD_START, at_ms=20_000, leg=0),
            Event(
                type=EventType.TRANSFER,
                at_ms=60_000,
                from_leg=0,
                to_leg=1,
                from_department="Billing",
                to_department="Tech",
                warm=False,
                extra={"vendor": 1},
            ),
        ],
        extra={"categories": ["billing"]},
    )


def read_text(write, name: str, content: str):
    return split(canonical_json.read(write(name, content)))


@pytest.mark.parametrize(
    ("name", "content", "records"),
    [
        ("one.json", json.dumps(MINIMAL), ["line 1"]),  # one object on one line reads as JSON Lines
        ("one-pretty.json", json.dumps(MINIMAL, indent=2), ["record 1"]),
        ("many.json", json.dumps([MINIMAL, {**MINIMAL, "id": "C-2"}]), ["record 1", "record 2"]),
        (
            "many.jsonl",
            json.dumps(MINIMAL) + "\n\n" + json.dumps({**MINIMAL, "id": "C-2"}) + "\n",
            ["line 1", "line 3"],
        ),
        (
            "lines.json",
            json.dumps(MINIMAL) + "\n" + json.dumps({**MINIMAL, "id": "C-2"}),
            ["line 1", "line 2"],
        ),
        ("wrapped.json", json.dumps({"conversations": [MINIMAL]}, indent=1), ["conversations[0]"]),
        ("wrapped.jsonl", json.dumps({"conversations": [MINIMAL]}), ["line 1 conversations[0]"]),
    ],
)
def test_shapes(write, name: str, content: str, records: list[str]) -> None:
    conversations, quarantined = read_text(write, name, content)
    assert quarantined == []
    assert [c.source_record for c in conversations] == records
    first = conversations[0]
    assert (first.id, first.channel, first.customer_id, first.source_format) == (
        "C-1",
        Channel.CHAT,
        "cust-9",
        "json",
    )
    assert first.source_file.endswith(name)
    assert [(t.index, t.role, t.speaker_id, t.text) for t in first.turns] == [
        (0, Role.CUSTOMER, None, "Hi"),
        (1, Role.AGENT, "a17", "Hello!"),
    ]
    assert [(leg.index, leg.agent_id) for leg in first.legs] == [(0, "a17")]


def test_full_model_round_trips(write) -> None:
    original = full_conversation()
    dumped = json.dumps(original.model_dump(mode="json"), indent=2)
    conversations, quarantined = read_text(write, "full.json", dumped)
    assert quarantined == []
    (read_back,) = conversations
    assert read_back.source_file.endswith("full.json") and read_back.source_record == "record 1"
    expected = original.model_copy(
        update={"source_file": read_back.source_file, "source_format": "json", "source_record": "record 1"}
    )
    assert read_back == expected
    assert read_back.content_hash() == original.model_copy(update={"source_format": "json"}).content_hash()


def test_aliases_vendor_roles_and_inferred_legs(write) -> None:
    record = {
        "id": 42,
        "channel": "Chat",
        "turns": [
            {"role": "AUTOMATED_AGENT", "speaker": "bot-1", "text": "How can I help?"},
            {"role": "END_USER", "text": "A human please", "start_ms": 1000},
            {"role": "HUMAN_AGENT", "speaker": "a17", "name": "Maria", "department": "Billing", "text": "Hi"},
            {"role": "rep", "speaker": "a22", "name": "Lee", "department": "Tech", "text": "Tech here"},
        ],
    }
    (conversation,), _ = read_text(write, "aliases.json", json.dumps(record))
    assert conversation.id == "42"
    assert [t.role for t in conversation.turns] == [Role.BOT, Role.CUSTOMER, Role.AGENT, Role.AGENT]
    assert [t.leg for t in conversation.turns] == [0, 0, 1, 2]
    assert [
        (leg.participant_role, leg.agent_id, leg.agent_name, leg.department, leg.started_via)
        for leg in conversation.legs
    ] == [
        (Role.BOT, "bot-1", None, None, LegStart.INBOUND),
        (Role.AGENT, "a17", "Maria", "Billing", LegStart.BOT_HANDOFF),
        (Role.AGENT, "a22", "Lee", "Tech", LegStart.TRANSFER),
    ]


def test_turns_sorted_by_offset_are_noted(write) -> None:
    record = {
        **MINIMAL,
        "turns": [
            {"role": "agent", "text": "second", "start_ms": 2000},
            {"role": "customer", "text": "first", "start_ms": 1000},
        ],
    }
    (conversation,), _ = read_text(write, "late.json", json.dumps(record))
    assert [t.text for t in conversation.turns] == ["first", "second"]
    assert conversation.extra == {"reordered": True}


def test_explicit_indexes_decide_order(write) -> None:
    record = {
        **MINIMAL,
        "turns": [
            {"index": 1, "role": "agent", "text": "second"},
            {"index": 0, "role": "customer", "text": "first"},
        ],
    }
    (conversation,), _ = read_text(write, "idx.json", json.dumps(record))
    assert [(t.index, t.text) for t in conversation.turns] == [(0, "first"), (1, "second")]
    assert conversation.extra == {"reordered": True}


def _with_turns(*turns: dict) -> dict:
    return {**MINIMAL, "turns": list(turns)}


@pytest.mark.parametrize(
    ("record", "reason", "fragment"),
    [
        ({k: v for k, v in MINIMAL.items() if k != "id"}, ReasonCode.MISSING_FIELD, "field 'id' is missing"),
        ({k: v for k, v in MINIMAL.items() if k != "channel"}, ReasonCode.MISSING_FIELD, "field 'channel'"),
        ({k: v for k, v in MINIMAL.items() if k != "turns"}, ReasonCode.MISSING_FIELD, "field 'turns'"),
        ({**MINIMAL, "channel": "fax"}, ReasonCode.INVALID_RECORD, "field 'channel'"),
        ({**MINIMAL, "turns": "hello"}, ReasonCode.INVALID_RECORD, "'turns' is str"),
        ({**MINIMAL, "turns": []}, ReasonCode.NO_TURNS, "no turns"),
        ({**MINIMAL, "custmer_id": "x"}, ReasonCode.INVALID_RECORD, "field 'custmer_id' is not a field"),
        ({**MINIMAL, "started_at": "yesterday"}, ReasonCode.INVALID_RECORD, "field 'started_at'"),
        (
            _with_turns({"role": "robot", "text": "x"}),
            ReasonCode.UNKNOWN_ROLE,
            "turn 1 has unknown role 'robot'",
        ),
        (
            _with_turns({"role": "agent", "text": "a"}, {"text": "x"}),
            ReasonCode.MISSING_FIELD,
            "turn 2 has no 'role'",
        ),
        (_with_turns({"role": "agent"}), ReasonCode.MISSING_FIELD, "turn 1 has no 'text'"),
        (
            _with_turns({"role": "agent", "text": "ok"}, {"role": "customer", "text": " \n\t"}),
            ReasonCode.EMPTY_TURN,
            "turn 2 has empty text",
        ),
        (_with_turns({"role": "agent", "text": ""}), ReasonCode.EMPTY_TURN, "turn 1"),
        (_with_turns({"role": "agent", "text": 5}), ReasonCode.INVALID_RECORD, "'text' is int"),
        (_with_turns("hello"), ReasonCode.INVALID_RECORD, "turn 1 is not an object"),
        (
            _with_turns(
                {"role": "agent", "text": "a", "index": 0}, {"role": "agent", "text": "b", "index": 0}
            ),
            ReasonCode.TURNS_OUT_OF_ORDER,
            "duplicate sequence number(s) 0",
        ),
        (
            _with_turns({"role": "agent", "text": "a", "index": 0}, {"role": "agent", "text": "b"}),
            ReasonCode.TURNS_OUT_OF_ORDER,
            "missing on turn(s) 2",
        ),
        (
            _with_turns({"role": "agent", "text": "a", "start_ms": -5}),
            ReasonCode.INVALID_RECORD,
            "field 'turns[0].start_ms'",
        ),
        (
            {**_with_turns({"role": "agent", "text": "a", "leg": 3}), "legs": [{"index": 0}]},
            ReasonCode.INVALID_RECORD,
            "unknown leg 3",
        ),
        ([MINIMAL], ReasonCode.INVALID_RECORD, "expected a JSON object, got list"),
    ],
)
def test_bad_records_are_quarantined(write, record, reason: ReasonCode, fragment: str) -> None:
    good = {**MINIMAL, "id": "C-ok"}
    path = write("mixed.jsonl", json.dumps(good) + "\n" + json.dumps(record) + "\n")
    conversations, quarantined = split(canonical_json.read(path))
    assert [c.id for c in conversations] == ["C-ok"]
    (entry,) = quarantined
    assert (entry.reason, entry.record, entry.file) == (reason, "line 2", str(path))
    assert fragment in entry.message
    assert entry.message.startswith(f"{path} line 2")


def test_legs_given_without_turn_legs_default_to_leg_zero(write) -> None:
    record = {**MINIMAL, "legs": [{"index": 0, "agent_id": "a17", "department": "Billing"}]}
    (conversation,), _ = read_text(write, "legs.json", json.dumps(record))
    assert conversation.legs[0].department == "Billing" and {t.leg for t in conversation.turns} == {0}


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (json.dumps(MINIMAL), 0.9),
        ('[{"id": "x", "turns": [', 0.7),
        ('{"id": "x", "channel": "chat"', 0.5),
        ('{"Transcript": []}', 0.1),
        ("conversation_id,role,text", 0.0),
        ("", 0.0),
    ],
)
def test_sniff(tmp_path, head: str, expected: float) -> None:
    assert canonical_json.sniff(head, tmp_path / "x.json") == expected


def test_jsonl_with_first_record_longer_than_the_sniff_head(write) -> None:
    long_record = {**MINIMAL, "id": "long", "turns": [{"role": "customer", "text": "x" * 200_000}]}
    path = write("long.json", json.dumps(long_record) + "\n" + json.dumps(MINIMAL) + "\n")
    conversations, quarantined = split(canonical_json.read(path))
    assert quarantined == []
    assert [(c.id, c.source_record) for c in conversations] == [("long", "line 1"), ("C-1", "line 2")]
