from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.model import Channel, LegStart, Role
from transcripts.quarantine import ReasonCode
from transcripts.readers import csv_turns

BASIC = """conversation_id,role,speaker_id,text
C-1,customer,,My card was declined
C-1,agent,a17,"I'm sorry, let me check."
C-2,customer,,Hello
"""


def read(write, content: str | bytes, name: str = "turns.csv", columns: Path | None = None):
    return split(csv_turns.read_csv(write(name, content), columns))


def test_basic_grouping(write) -> None:
    conversations, quarantined = read(write, BASIC)
    assert quarantined == []
    assert [(c.id, c.channel, c.source_record, c.source_format) for c in conversations] == [
        ("C-1", Channel.CHAT, "conversation C-1 (line 2)", "csv"),
        ("C-2", Channel.CHAT, "conversation C-2 (line 4)", "csv"),
    ]
    assert [(t.role, t.speaker_id, t.text) for t in conversations[0].turns] == [
        (Role.CUSTOMER, None, "My card was declined"),
        (Role.AGENT, "a17", "I'm sorry, let me check."),
    ]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("Contact ID,Participant,Agent ID,Message", ","),
        ("ticket_id;author_type;sender_id;body", ";"),
        ("chat_id\tspeaker_role\tagent_id\tutterance", "\t"),
        ("CONVERSATION_ID|ROLE|SPEAKER_ID|CONTENT", "|"),
    ],
)
def test_header_aliases_and_delimiters(write, header: str, delimiter: str) -> None:
    rows = ["C-9", "END_USER", "", "Help"], ["C-9", "HUMAN_AGENT", "a1", "Sure"]
    content = header + "\n" + "\n".join(delimiter.join(r) for r in rows) + "\n"
    (conversation,), quarantined = read(write, content)
    assert quarantined == []
    assert [(t.role, t.text) for t in conversation.turns] == [(Role.CUSTOMER, "Help"), (Role.AGENT, "Sure")]
    assert conversation.legs[0].agent_id == "a1"


def test_non_contiguous_rows_are_grouped_correctly(write) -> None:
    content = """conversation_id,role,text
A,customer,a1
B,customer,b1
A,agent,a2
B,agent,b2
A,customer,a3
"""
    conversations, quarantined = read(write, content)
    assert quarantined == []
    by_id = {c.id: [t.text for t in c.turns] for c in conversations}
    assert by_id == {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
    assert [c.id for c in conversations] == ["B", "A"]  # each emitted once its last row is read


def test_full_columns_timestamps_legs_and_multiline(write) -> None:
    content = """Contact ID,Participant,Agent ID,Agent Name,Message,Department,Time,Channel,Customer ID
C-1,customer,,,My card was declined,,2026-11-17T09:00:00,call,cust-1
C-1,agent,a17,Maria,"I'm sorry, let me
check.",Billing,2026-11-17T09:00:05,call,cust-1
C-1,agent,a22,Lee,Tech here,Tech,2026-11-17T09:01:00,call,cust-1
"""
    (conversation,), quarantined = read(write, content)
    assert quarantined == []
    assert conversation.channel is Channel.CALL and conversation.customer_id == "cust-1"
    assert conversation.started_at == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert [(t.text, t.start_ms, t.leg) for t in conversation.turns] == [
        ("My card was declined", 0, 0),
        ("I'm sorry, let me\ncheck.", 5000, 0),
        ("Tech here", 60000, 1),
    ]
    assert [(leg.agent_id, leg.agent_name, leg.department, leg.started_via) for leg in conversation.legs] == [
        ("a17", "Maria", "Billing", LegStart.INBOUND),
        ("a22", "Lee", "Tech", LegStart.TRANSFER),
    ]


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("offset", ["0", "1.5", "3"], [0, 1500, 3000]),
        ("start_ms", ["0", "1500", "3000"], [0, 1500, 3000]),
        ("time", ["00:00", "00:01.5", "1:00:03"], [0, 1500, 3_603_000]),
    ],
)
def test_offset_formats(write, header: str, values: list[str], expected: list[int]) -> None:
    rows = "\n".join(
        f"C,{role},{v},t{i}"
        for i, (role, v) in enumerate(zip(["customer", "agent", "customer"], values, strict=True))
    )
    (conversation,), _ = read(write, f"conversation_id,role,{header},text\n{rows}\n")
    assert [t.start_ms for t in conversation.turns] == expected


def test_rows_out_of_time_order_are_sorted(write) -> None:
    content = "conversation_id,role,offset,text\nC,agent,5,second\nC,customer,1,first\n"
    (conversation,), _ = read(write, content)
    assert [t.text for t in conversation.turns] == ["first", "second"]
    assert conversation.extra == {"reordered": True}


def test_sequence_column_decides_order(write) -> None:
    content = "conversation_id,role,seq,text\nC,agent,2,second\nC,customer,1,first\n"
    (conversation,), _ = read(write, content)
    assert [t.text for t in conversation.turns] == ["first", "second"]


@pytest.mark.parametrize(
    ("rows", "reason", "record", "fragment"),
    [
        (["C,robot,hi"], ReasonCode.UNKNOWN_ROLE, "line 3", "unknown role 'robot'"),
        (["C,customer,   "], ReasonCode.EMPTY_TURN, "line 3", "empty text"),
        (["C,customer,"], ReasonCode.EMPTY_TURN, "line 3", "empty text"),
        ([",customer,hi"], ReasonCode.MISSING_FIELD, "line 3", "no conversation id"),
    ],
)
def test_bad_row_quarantines_its_conversation(write, rows, reason, record, fragment) -> None:
    content = (
        "conversation_id,role,text\nC,customer,first\n"
        + "\n".join(rows)
        + "\nC,agent,after\nOK,customer,fine\n"
    )
    path = write("bad.csv", content)
    conversations, quarantined = split(csv_turns.read(path))
    ids = [c.id for c in conversations]
    assert "OK" in ids
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (reason, record)
    assert fragment in entry.message and entry.message.startswith(f"{path} {record}")
    if reason is not ReasonCode.MISSING_FIELD:
        assert ids == ["OK"] and "conversation C" in entry.message


@pytest.mark.parametrize(
    ("rows", "reason", "fragment"),
    [
        (["C,customer,2026-13-45,hi"], ReasonCode.INVALID_RECORD, "bad time"),
        (["C,customer,-3,hi"], ReasonCode.INVALID_RECORD, "negative time"),
    ],
)
def test_bad_values_quarantine_conversation(write, rows, reason, fragment) -> None:
    content = "conversation_id,role,time,text\n" + "\n".join(rows) + "\nOK,customer,1,fine\n"
    conversations, quarantined = read(write, content)
    assert [c.id for c in conversations] == ["OK"]
    (entry,) = quarantined
    assert entry.reason is reason and fragment in entry.message and "conversation C" in entry.message


def test_duplicate_sequence_is_out_of_order(write) -> None:
    content = "conversation_id,role,seq,text\nC,customer,1,a\nC,agent,1,b\n"
    (_, quarantined) = read(write, content)
    (entry,) = quarantined
    assert entry.reason is ReasonCode.TURNS_OUT_OF_ORDER and "duplicate sequence" in entry.message


def test_undecodable_row_quarantines_its_conversation(write) -> None:
    content = b"conversation_id,role,text\nC-1,customer,ok\nC-1,agent,caf\x93\nC-2,agent,fine\n"
    conversations, quarantined = read(write, content)
    assert [c.id for c in conversations] == ["C-2"]
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (ReasonCode.BAD_ENCODING, "line 3")
    assert "conversation C-1" in entry.message


def test_missing_required_column_quarantines_file(write) -> None:
    (_, quarantined) = read(write, "foo,role,text\n1,customer,hi\n")
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (ReasonCode.MISSING_FIELD, "line 1")
    assert "conversation_id" in entry.message and "contact_id" in entry.message


def test_empty_file(write) -> None:
    (_, quarantined) = read(write, "")
    assert [q.reason for q in quarantined] == [ReasonCode.NO_TURNS]


def test_custom_column_mapping(write, tmp_path: Path) -> None:
    mapping = tmp_path / "cols.yaml"
    mapping.write_text(
        "columns:\n  conversation_id: [case_no]\n  role: [who]\n  text: [said]\ndefaults:\n  channel: call\n"
    )
    (conversation,), _ = read(write, "case_no,who,said\nX,customer,hi\n", columns=mapping)
    assert (conversation.id, conversation.channel) == ("X", Channel.CALL)
    default_only = "Contact ID,Participant,Message\nX,customer,hi\n"
    (_, quarantined) = read(write, default_only, name="default.csv", columns=mapping)
    assert quarantined[0].reason is ReasonCode.MISSING_FIELD


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "columns:\n  conversation_id: [a]\n  role: [b]\n  text: [c]\n  mood: [d]\n",
            "unknown field.*mood.*valid fields",
        ),
        ("columns:\n  conversation_id: [a]\n  role: [a]\n  text: [c]\n", "given to both"),
        ("columns:\n  conversation_id: [a]\n  text: [c]\n", "required field.*role"),
    ],
)
def test_broken_mapping_files_fail_fast(tmp_path: Path, yaml_text: str, message: str) -> None:
    mapping = tmp_path / "cols.yaml"
    mapping.write_text(yaml_text)
    with pytest.raises(ValueError, match=message):
        csv_turns.load_columns(mapping)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("conversation_id,role,text\n", 0.9),
        ("Contact ID;Participant;Message\n", 0.9),
        ("conversation_id,role,foo\n", 0.4),
        ('{"id": 1}', 0.0),
        ("Agent: hello\n", 0.0),
    ],
)
def test_sniff(tmp_path: Path, head: str, expected: float) -> None:
    assert csv_turns.sniff(head, tmp_path / "x.csv") == expected
