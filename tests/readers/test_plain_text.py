from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.model import Channel, EventType, LegEnd, LegStart, Role
from transcripts.quarantine import ReasonCode
from transcripts.readers import plain_text
from transcripts.readers.plain_text import parse_system_event

FULL = """Conversation: C-1042
Customer-ID: cust-88
Channel: call
Date: 2026-11-17 09:14
Department: Billing
Agents: Maria=Billing, Lee=Tech Support

[00:00:03] Agent (Maria): Thanks for calling, this is Maria.
[00:00:09] Customer: Hi, I was charged twice.
  Order number: 1234, on my card.
[00:01:00] *** on hold ***
[00:02:30] *** off hold (1:30) ***
[00:04:10] --- Transferred to Technical Support (warm) ---
[00:04:30] Lee: Hi, Lee from tech support.

[00:05:00] Customer: ok
[00:05:10] --- call disconnected by customer ---
"""


def read(write, content: str, name: str = "calls.txt"):
    return split(plain_text.read(write(name, content)))


def test_full_transcript(write) -> None:
    (conversation,), quarantined = read(write, FULL)
    assert quarantined == []
    assert (conversation.id, conversation.customer_id, conversation.channel) == (
        "C-1042",
        "cust-88",
        Channel.CALL,
    )
    assert conversation.started_at == datetime(2026, 11, 17, 9, 14, tzinfo=UTC)
    assert conversation.source_record == "conversation 1 (line 1)" and conversation.source_format == "text"
    assert [(t.role, t.speaker_name, t.start_ms, t.leg) for t in conversation.turns] == [
        (Role.AGENT, "Maria", 3000, 0),
        (Role.CUSTOMER, None, 9000, 0),
        (Role.AGENT, "Lee", 270_000, 1),
        (Role.CUSTOMER, None, 300_000, 1),
    ]
    assert conversation.turns[1].text == "Hi, I was charged twice.\nOrder number: 1234, on my card."
    assert [(leg.agent_id, leg.department, leg.started_via, leg.ended_via) for leg in conversation.legs] == [
        ("Maria", "Billing", LegStart.INBOUND, LegEnd.TRANSFERRED),
        ("Lee", "Technical Support", LegStart.TRANSFER, LegEnd.CUSTOMER_DISCONNECT),
    ]
    events = [(e.type, e.at_ms, e.leg) for e in conversation.events]
    assert events == [
        (EventType.HOLD_START, 60_000, 0),
        (EventType.HOLD_END, 150_000, 0),
        (EventType.TRANSFER, 250_000, 0),
        (EventType.DISCONNECT, 310_000, 1),
    ]
    transfer = conversation.events[2]
    assert (transfer.warm, transfer.to_department, transfer.from_department, transfer.to_leg) == (
        True,
        "Technical Support",
        "Billing",
        1,
    )
    assert conversation.events[1].duration_ms == 90_000
    assert conversation.events[3].by is Role.CUSTOMER


@pytest.mark.parametrize(
    ("content", "ids"),
    [
        ("Customer: hi\nAgent: hello\n---\nCustomer: again\nAgent: yes\n", ["calls#1", "calls#2"]),
        ("Customer: hi\nAgent: hello\n===\nCustomer: again\n", ["calls#1", "calls#2"]),
        ("Conversation: A\nCustomer: hi\nConversation: B\nCustomer: again\n", ["A", "B"]),
        ("Conversation: A\nCustomer: hi\n\nChannel: chat\nCustomer: again\n", ["A", "calls#2"]),
        ("Conversation: A\n\nCustomer: hi\n\nAgent: there\n\n\nCustomer: bye\n", ["A"]),
        # without headers, a blank line before the next speaker starts the next conversation
        ("Agent (Maria): hi\nCustomer: hello\n\nAgent (Lee): hi\nCustomer: again\n", ["calls#1", "calls#2"]),
        ("[00:01] Customer: hi\n[00:05] Agent: yes\n\n\n[00:01] Customer: again\n", ["calls#1", "calls#2"]),
        ("Customer: hi\n\nmore words\nAgent: ok\n", ["calls#1"]),  # a paragraph continues the turn
    ],
)
def test_conversation_boundaries(write, content: str, ids: list[str]) -> None:
    conversations, quarantined = read(write, content)
    assert quarantined == []
    assert [c.id for c in conversations] == ids


def test_blank_line_separated_pastes(write) -> None:
    content = (
        "[00:00:03] Agent (Maria): Thanks for calling, this is Maria.\n"
        "[00:00:09] Customer: Hi, I was charged twice.\n"
        "\n"
        "Agent (Lee): Tech support, Lee speaking.\n"
        "Customer: The app crashes.\n"
        "  It started this morning.\n"
        "\n"
        "\n"
        "Customer: Hello?\n"
        "Bot: How can I help?\n"
    )
    conversations, quarantined = read(write, content, "pasted.txt")
    assert quarantined == []
    assert [c.id for c in conversations] == ["pasted#1", "pasted#2", "pasted#3"]
    assert [c.source_record for c in conversations] == [
        "conversation 1 (line 1)",
        "conversation 2 (line 4)",
        "conversation 3 (line 9)",
    ]
    assert [[(t.role, t.speaker_name) for t in c.turns] for c in conversations] == [
        [(Role.AGENT, "Maria"), (Role.CUSTOMER, None)],
        [(Role.AGENT, "Lee"), (Role.CUSTOMER, None)],
        [(Role.CUSTOMER, None), (Role.BOT, None)],
    ]
    assert conversations[1].turns[1].text == "The app crashes.\nIt started this morning."
    assert conversations[0].turns[1].start_ms == 9000


@pytest.mark.parametrize(
    ("line", "role", "name"),
    [
        ("Agent (Maria): hi", Role.AGENT, "Maria"),
        ("Agent: hi", Role.AGENT, None),
        ("Rep (Sam): hi", Role.AGENT, "Sam"),
        ("Agent Maria: hi", Role.AGENT, "Maria"),
        ("Customer: hi", Role.CUSTOMER, None),
        ("Caller: hi", Role.CUSTOMER, None),
        ("Bot: hi", Role.BOT, None),
        ("IVR: Press 1", Role.IVR, None),
        ("System: Chat started", Role.SYSTEM, None),
        ("[01:02] Customer: hi", Role.CUSTOMER, None),
        ("Maria: hi", Role.AGENT, "Maria"),
    ],
)
def test_speaker_labels(write, line: str, role: Role, name: str | None) -> None:
    (conversation,), quarantined = read(write, f"Agents: Maria=Billing\n{line}\n")
    assert quarantined == []
    (turn,) = conversation.turns
    assert (turn.role, turn.speaker_name) == (role, name)


def test_customer_header_only_when_id_like(write) -> None:
    (conversation,), _ = read(write, "Customer: cust-88\n\nCustomer: Hi there\nAgent: hello\n")
    assert conversation.customer_id == "cust-88"
    assert [t.text for t in conversation.turns] == ["Hi there", "hello"]


@pytest.mark.parametrize(
    ("body", "type_", "fields"),
    [
        (
            "Transferred to Technical Support (warm)",
            EventType.TRANSFER,
            {"to_department": "Technical Support", "warm": True},
        ),
        ("Cold transfer to Billing", EventType.TRANSFER, {"to_department": "Billing", "warm": False}),
        ("transferring", EventType.TRANSFER, {"to_department": None, "warm": None}),
        ("on hold", EventType.HOLD_START, {}),
        ("Customer placed on hold", EventType.HOLD_START, {}),
        ("off hold (2:30)", EventType.HOLD_END, {"duration_ms": 150_000}),
        ("call disconnected by customer", EventType.DISCONNECT, {"by": Role.CUSTOMER}),
        ("Agent hung up", EventType.DISCONNECT, {"by": Role.AGENT}),
        ("call dropped", EventType.DISCONNECT, {"by": Role.SYSTEM}),
        ("waited in queue 4 min", EventType.QUEUE_WAIT, {"duration_ms": 240_000}),
    ],
)
def test_system_events(body: str, type_: EventType, fields: dict) -> None:
    event = parse_system_event(body)
    assert event is not None and event.type is type_
    for key, value in fields.items():
        assert getattr(event, key) == value


def test_unrecognised_system_line_is_a_system_turn(write) -> None:
    (conversation,), _ = read(write, "--- chat started ---\nCustomer: hi\n")
    assert [(t.role, t.text) for t in conversation.turns] == [
        (Role.SYSTEM, "chat started"),
        (Role.CUSTOMER, "hi"),
    ]
    assert parse_system_event("chat started") is None


@pytest.mark.parametrize(
    ("content", "reason", "record", "fragment"),
    [
        ("Customer: hi\nBob: who am I\n", ReasonCode.UNKNOWN_SPEAKER, "line 2", "unknown speaker 'Bob'"),
        ("Customer: hi\n[00:10] Manager (Ann): hi\n", ReasonCode.UNKNOWN_SPEAKER, "line 2", "'Manager'"),
        ("Hello, anyone there?\nAgent: hi\n", ReasonCode.UNKNOWN_SPEAKER, "line 1", "without a speaker"),
        ("Customer:\nAgent: hi\n", ReasonCode.EMPTY_TURN, "line 1", "no text"),
        (
            "Conversation: X\nChannel: fax\nCustomer: hi\n",
            ReasonCode.INVALID_RECORD,
            "line 2",
            "unknown channel",
        ),
        ("Date: tomorrow\nCustomer: hi\n", ReasonCode.INVALID_RECORD, "line 1", "date 'tomorrow'"),
        ("Conversation: X\nChannel: chat\n", ReasonCode.NO_TURNS, "line 1", "no turns"),
    ],
)
def test_bad_conversation_is_quarantined_others_kept(write, content, reason, record, fragment) -> None:
    path = write("bad.txt", content + "---\nCustomer: fine\n")
    conversations, quarantined = split(plain_text.read(path))
    assert [c.id for c in conversations] == ["bad#2"]
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (reason, record)
    assert fragment in entry.message and entry.message.startswith(f"{path} {record} (conversation 1)")


def test_undecodable_line_quarantines_its_conversation(write) -> None:
    path = write("enc.txt", b"Customer: caf\xe9\n---\nCustomer: fine\n")
    conversations, quarantined = split(plain_text.read(path))
    assert [c.id for c in conversations] == ["enc#2"]
    assert [(q.reason, q.record) for q in quarantined] == [(ReasonCode.BAD_ENCODING, "line 1")]


@pytest.mark.parametrize(
    "content", ["", "\n\n  \n", "---\n---\n", "Conversation:\n", "Conversation:\n---\nChannel:\n"]
)
def test_empty_file_gives_one_entry(write, content: str) -> None:
    (_, quarantined) = read(write, content)
    assert [(q.reason, q.record) for q in quarantined] == [(ReasonCode.NO_TURNS, "file")]


@pytest.mark.parametrize(
    ("head", "low", "high"),
    [
        (FULL, 0.6, 0.9),
        ("Customer: hi\nAgent: hello\n", 0.6, 0.9),
        ("Dear team,\nplease find attached: the invoice\nthanks\n", 0.0, 0.0),
        ('{"turns": []}', 0.0, 0.0),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Agent>hi\n", 0.0, 0.0),
        ("conversation_id,role,text\nC,customer,hi\n", 0.0, 0.0),
    ],
)
def test_sniff(tmp_path: Path, head: str, low: float, high: float) -> None:
    assert low <= plain_text.sniff(head, tmp_path / "x.txt") <= high


WITH_IDS = """Conversation: C-2001
Agents: Maria (a-maria)=Billing, Lee (a-lee)=Technical Support, Sam=Retention, Jo (a-jo)

[00:00:01] Agent (Maria): Billing, Maria speaking.
[00:00:05] Customer: Hi.
[00:00:10] --- Transferred to Technical Support (cold) ---
[00:00:20] Lee: Lee here.
[00:00:30] --- Transferred to Retention (cold) ---
[00:00:40] Agent Sam: Sam here.
[00:00:50] --- Transferred to Sales (cold) ---
[00:01:00] Agent (Jo): Jo here.
"""


def test_agents_header_carries_agent_ids(write) -> None:
    (conversation,), quarantined = read(write, WITH_IDS)
    assert quarantined == []
    assert [(leg.agent_id, leg.agent_name, leg.department) for leg in conversation.legs] == [
        ("a-maria", "Maria", "Billing"),
        ("a-lee", "Lee", "Technical Support"),
        ("Sam", "Sam", "Retention"),  # no id declared: the name stays the id
        ("a-jo", "Jo", "Sales"),  # no department declared: the transfer's target
    ]
    agent_turns = [(t.speaker_id, t.speaker_name) for t in conversation.turns if t.role is Role.AGENT]
    assert agent_turns == [("a-maria", "Maria"), ("a-lee", "Lee"), ("Sam", "Sam"), ("a-jo", "Jo")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Maria=Billing", {"maria": ("Maria", "Billing", None)}),
        ("Maria (a-maria)=Billing", {"maria": ("Maria", "Billing", "a-maria")}),
        ("Maria(a-maria) = Billing ", {"maria": ("Maria", "Billing", "a-maria")}),
        ("Maria (a-maria), Lee", {"maria": ("Maria", None, "a-maria"), "lee": ("Lee", None, None)}),
        ("Maria ( )=Billing", {"maria": ("Maria", "Billing", None)}),
        (
            "Mary Ann (a-mary)=Accounts & Retention",
            {"maryann": ("Mary Ann", "Accounts & Retention", "a-mary")},
        ),
    ],
)
def test_parse_agents(value: str, expected: dict) -> None:
    assert plain_text.parse_agents(value) == expected
