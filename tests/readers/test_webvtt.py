from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.model import Channel, EventType, LegStart, Role
from transcripts.quarantine import ReasonCode
from transcripts.readers import webvtt

CALL = """WEBVTT

NOTE conversation=C-7 customer=cust-3 channel=call department=Billing
agents="Maria:agent,Lee:agent:Tech Support,Menu:ivr" started=2026-11-17T09:14:00

00:00:00.500 --> 00:00:01.000
<v Menu>Press 1 for billing.

1
00:00:01.000 --> 00:00:04.200
<v Maria>Thanks for calling, this is Maria.</v>

00:00:05.000 --> 00:00:07.500 align:start
<v Customer>Hi, I was &amp; charged <i>twice</i>.

NOTE Transferred to Tech Support (warm)

01:05.000 --> 01:07.500
<v Lee>Hi it's Lee.</v><v Customer>hello</v>
"""


def read(write, content: str | bytes, name: str = "call.vtt"):
    return split(webvtt.read(write(name, content)))


def test_call_with_metadata_note(write) -> None:
    (conversation,), quarantined = read(write, CALL)
    assert quarantined == []
    assert (conversation.id, conversation.customer_id, conversation.channel) == (
        "C-7",
        "cust-3",
        Channel.CALL,
    )
    assert conversation.started_at == datetime(2026, 11, 17, 9, 14, tzinfo=UTC)
    assert conversation.source_format == "webvtt" and conversation.source_record == "file"
    assert [(t.role, t.speaker_name, t.text, t.start_ms, t.end_ms, t.leg) for t in conversation.turns] == [
        (Role.IVR, "Menu", "Press 1 for billing.", 500, 1000, 0),
        (Role.AGENT, "Maria", "Thanks for calling, this is Maria.", 1000, 4200, 1),
        (Role.CUSTOMER, None, "Hi, I was & charged twice.", 5000, 7500, 1),
        (Role.AGENT, "Lee", "Hi it's Lee.", 65_000, 67_500, 2),
        (Role.CUSTOMER, None, "hello", 65_000, 67_500, 2),
    ]
    assert [(leg.participant_role, leg.department, leg.started_via) for leg in conversation.legs] == [
        (Role.IVR, "Billing", LegStart.INBOUND),
        (Role.AGENT, "Billing", LegStart.BOT_HANDOFF),
        (Role.AGENT, "Tech Support", LegStart.TRANSFER),
    ]
    (transfer,) = conversation.events
    assert (transfer.type, transfer.warm, transfer.from_leg, transfer.to_leg) == (
        EventType.TRANSFER,
        True,
        1,
        2,
    )


@pytest.mark.parametrize(
    ("voice", "role", "name"),
    [
        ("Customer", Role.CUSTOMER, None),
        ("Caller", Role.CUSTOMER, None),
        ("IVR", Role.IVR, None),
        ("Agent", Role.AGENT, None),
        ("Agent Maria", Role.AGENT, "Maria"),
        ("Bot", Role.BOT, None),
    ],
)
def test_speakers_by_name(write, voice: str, role: Role, name: str | None) -> None:
    (conversation,), _ = read(write, f"WEBVTT\n\n00:01.000 --> 00:02.000\n<v {voice}>hi\n")
    assert (conversation.id, conversation.turns[0].role, conversation.turns[0].speaker_name) == (
        "call",
        role,
        name,
    )


@pytest.mark.parametrize(
    "content",
    ["WEBVTT\n\n00:01.000 --> 00:02.000\n<v Bob>hi\n", "WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n"],
)
def test_unmapped_or_missing_voice_is_stored_with_uncertain_roles(write, content: str) -> None:
    (conversation,), quarantined = read(write, content)
    assert quarantined == []
    assert conversation.roles is not None and conversation.roles.uncertain
    assert "only one speaker" in (conversation.roles.reason or "")


def test_speaker_prefix_without_voice_tag(write) -> None:
    (conversation,), _ = read(write, "WEBVTT\n\n00:01.000 --> 00:02.000\nCustomer: hi there\n")
    assert (conversation.turns[0].role, conversation.turns[0].text) == (Role.CUSTOMER, "hi there")


@pytest.mark.parametrize(
    ("content", "reason", "record", "fragment"),
    [
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent></v>\n",  # an empty cue is skipped, not a turn
            ReasonCode.NO_TURNS,
            "file",
            "no cues with speech",
        ),
        ("WEBVTT\n\nnot a cue\n", ReasonCode.INVALID_RECORD, "line 3", "not a cue"),
        (
            "WEBVTT\n\nNOTE channel=fax\n\n00:01.000 --> 00:02.000\n<v Agent>hi\n",
            ReasonCode.INVALID_RECORD,
            "NOTE",
            "channel",
        ),
        ("WEBVTT\n", ReasonCode.NO_TURNS, "file", "no cues"),
        ("Agent: hi\n", ReasonCode.INVALID_RECORD, "file", "does not start with WEBVTT"),
        ("", ReasonCode.INVALID_RECORD, "file", "empty"),
    ],
)
def test_bad_files(write, content: str, reason: ReasonCode, record: str, fragment: str) -> None:
    path = write("bad.vtt", content)
    conversations, quarantined = split(webvtt.read(path))
    assert conversations == []
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (reason, record)
    assert fragment in entry.message and str(path) in entry.message


def test_undecodable_cue_quarantines_the_call(write) -> None:
    content = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent>caf\xe9\n"
    (_, quarantined) = read(write, content)
    assert [(q.reason, q.record) for q in quarantined] == [(ReasonCode.BAD_ENCODING, "line 4")]


def test_note_metadata_parsing() -> None:
    meta = webvtt.parse_note_metadata(
        'conversation=C-1 department="Tech Support" unknown=1 agents=Maria:agent'
    )
    assert meta == {"id": "C-1", "department": "Tech Support", "agents": "Maria:agent"}
    assert webvtt.parse_agents(
        "Maria:agent, Lee:rep:Tech,Broken,X:robot,Jo:agent::a-jo,Ann:agent:Sales:a-ann"
    ) == {
        "maria": (Role.AGENT, None, None),
        "lee": (Role.AGENT, "Tech", None),
        "jo": (Role.AGENT, None, "a-jo"),
        "ann": (Role.AGENT, "Sales", "a-ann"),
    }


@pytest.mark.parametrize(
    ("head", "expected"),
    [("WEBVTT\n\n", 0.95), ("\ufeffWEBVTT - x\n", 0.95), ("WEBVTTX", 0.0), ("Agent: hi", 0.0)],
)
def test_sniff(tmp_path: Path, head: str, expected: float) -> None:
    assert webvtt.sniff(head, tmp_path / "a.vtt") == expected


WITH_IDS = """WEBVTT

NOTE conversation=C-8 department=Billing
agents="Maria:agent:Billing:a-maria,Lee:agent::a-lee,Menu:ivr::ivr-main"

00:00:00.500 --> 00:00:01.000
<v Menu>Press 1 for billing.

00:00:01.000 --> 00:00:02.000
<v Maria>Billing, Maria speaking.

00:00:03.000 --> 00:00:04.000
<v Customer>Hi.

NOTE Transferred to Technical Support (cold)

00:00:05.000 --> 00:00:06.000
<v Lee>Lee here.
"""


def test_note_agents_carry_speaker_ids(write) -> None:
    (conversation,), quarantined = read(write, WITH_IDS)
    assert quarantined == []
    assert [
        (leg.participant_role, leg.agent_id, leg.agent_name, leg.department) for leg in conversation.legs
    ] == [
        (Role.IVR, "ivr-main", "Menu", "Billing"),
        (Role.AGENT, "a-maria", "Maria", "Billing"),
        (Role.AGENT, "a-lee", "Lee", "Technical Support"),
    ]
    assert [(t.role, t.speaker_id, t.speaker_name) for t in conversation.turns] == [
        (Role.IVR, "ivr-main", "Menu"),
        (Role.AGENT, "a-maria", "Maria"),
        (Role.CUSTOMER, None, None),
        (Role.AGENT, "a-lee", "Lee"),
    ]


def test_note_agents_without_ids_keep_the_name(write) -> None:
    (conversation,), _ = read(write, CALL)
    assert [leg.agent_id for leg in conversation.legs] == ["Menu", "Maria", "Lee"]
