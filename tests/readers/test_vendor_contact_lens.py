"""Amazon Connect Contact Lens analysis output: voice and chat, raw and redacted."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from transcripts.model import Channel, Conversation, EventType, LegEnd, LegStart, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers import contact_lens

FIXTURES = Path(__file__).parent / "fixtures" / "vendor" / "contact_lens"
A, C, B, S = Role.AGENT, Role.CUSTOMER, Role.BOT, Role.SYSTEM


def read_one(path: Path) -> Conversation | Quarantined:
    results = list(contact_lens.read(path))
    assert len(results) == 1, results
    return results[0]


def conversation(name: str) -> Conversation:
    result = read_one(FIXTURES / name)
    assert isinstance(result, Conversation), result
    return result


@pytest.mark.parametrize(
    ("name", "conversation_id", "channel", "language", "roles"),
    [
        (
            "voice_raw.json",
            "b1c2d3e4-5f60-4718-92a3-b4c5d6e7f801",
            Channel.CALL,
            "en",
            (A, C, C, A, A, C, A, C, A, C),
        ),
        (
            "voice_redacted_opaque_ids.json",
            "b1c2d3e4-5f60-4718-92a3-b4c5d6e7f802",
            Channel.CALL,
            "en",
            (A, C, C, A, C, A, C, A, C, A, C),
        ),
        (
            "chat_bot_handoff.json",
            "5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e",
            Channel.CHAT,
            "en",
            (B, C, B, C, S, A, C, A, C),
        ),
        # no Channel, CustomerMetadata, Version, characteristics, sentiment or loudness
        ("voice_minimal.json", "voice_minimal", Channel.CALL, "en", (A, C, A, C, A)),
    ],
)
def test_conversation_id_channel_and_roles_through_participants(
    name: str, conversation_id: str, channel: Channel, language: str, roles: tuple[Role, ...]
) -> None:
    result = conversation(name)
    assert result.id == conversation_id
    assert result.channel is channel
    assert result.language == language
    assert tuple(turn.role for turn in result.turns) == roles
    assert result.source_format == "contact_lens"
    assert result.source_file == str(FIXTURES / name)


def test_participant_ids_are_never_read_as_roles(tmp_path: Path) -> None:
    """An id spelled like a role still maps through Participants."""
    document = json.loads((FIXTURES / "voice_raw.json").read_text())
    document["Participants"] = [
        {"ParticipantId": "AGENT", "ParticipantRole": "CUSTOMER"},
        {"ParticipantId": "CUSTOMER", "ParticipantRole": "AGENT"},
    ]
    path = tmp_path / "swapped.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert isinstance(result, Conversation)
    assert [t.role for t in result.turns[:3]] == [C, A, A]
    assert result.turns[0].speaker_id == "AGENT"


def test_opaque_participant_ids_become_speaker_ids_not_agent_ids() -> None:
    result = conversation("voice_redacted_opaque_ids.json")
    agent_ids = {t.speaker_id for t in result.turns if t.role is A}
    assert agent_ids == {"7c4e9d1a-2b3f-4a5c-8d6e-0f1a2b3c4d5e"}
    # a per-contact participant id is not an agent identity across contacts
    assert [leg.agent_id for leg in result.legs] == [None]
    assert result.legs[0].extra["contact_lens"]["ParticipantId"] == "7c4e9d1a-2b3f-4a5c-8d6e-0f1a2b3c4d5e"


@pytest.mark.parametrize(
    ("turn", "text"),
    [
        (0, "Thank you for calling Northwind Energy, this is [PII]. How can I help you today?"),
        (4, "Sure, it's [PII]."),
    ],
)
def test_redacted_content_passes_through(turn: int, text: str) -> None:
    result = conversation("voice_redacted_opaque_ids.json")
    assert result.turns[turn].text == text
    assert result.turns[turn].extra["contact_lens"]["Redaction"]["RedactedTimestamps"]
    metadata = result.extra["contact_lens"]["ContentMetadata"]
    assert metadata["Output"] == "Redacted"
    assert metadata["RedactionTypes"] == ["PII"]


def test_redacted_chat_masks_pii_but_keeps_roles_legs_and_analytics() -> None:
    raw, redacted = conversation("chat_bot_handoff.json"), conversation("chat_redacted.json")
    assert redacted.id == "5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0f" and redacted.channel is Channel.CHAT
    assert [t.role for t in redacted.turns] == [t.role for t in raw.turns]
    assert [(leg.participant_role, leg.started_via) for leg in redacted.legs] == [
        (leg.participant_role, leg.started_via) for leg in raw.legs
    ]
    assert redacted.turns[5].text.startswith("Hi [PII], I'm [PII].")
    assert redacted.turns[6].text == "Thanks. I paid on [PII], here's the confirmation"
    customer = [t for t in redacted.turns if t.role is C]
    assert {t.speaker_name for t in customer} == {None}, "a masked DisplayName is not a name"
    assert {t.speaker_name for t in raw.turns if t.role is C} == {"Priya"}
    kept = redacted.extra["contact_lens"]
    assert kept["ContentMetadata"]["Output"] == "Redacted"
    assert kept["Categories"]["MatchedCategories"] == ["LateFee"]
    assert [t.extra["contact_lens"].get("Sentiment") for t in redacted.turns] == [
        t.extra["contact_lens"].get("Sentiment") for t in raw.turns
    ]


@pytest.mark.parametrize(
    ("name", "turn", "sentiment", "issues"),
    [
        ("voice_raw.json", 0, "NEUTRAL", None),
        (
            "voice_raw.json",
            2,
            "NEGATIVE",
            [{"CharacterOffsets": {"BeginOffsetChar": 0, "EndOffsetChar": 65}}],
        ),
        ("voice_raw.json", 7, "POSITIVE", None),
        (
            "chat_bot_handoff.json",
            7,
            "POSITIVE",
            [{"CharacterOffsets": {"BeginOffsetChar": 13, "EndOffsetChar": 86}}],
        ),
    ],
)
def test_vendor_turn_sentiment_and_issues_kept_in_extra(
    name: str, turn: int, sentiment: str, issues: list | None
) -> None:
    kept = conversation(name).turns[turn].extra["contact_lens"]
    assert kept["Sentiment"] == sentiment
    assert kept.get("IssuesDetected") == issues


def test_conversation_level_analytics_kept_in_extra() -> None:
    kept = conversation("voice_raw.json").extra["contact_lens"]
    assert kept["Categories"]["MatchedCategories"] == ["BillingDispute", "EstimatedRead"]
    characteristics = kept["ConversationCharacteristics"]
    assert characteristics["Sentiment"]["OverallSentiment"] == {"AGENT": 1.8, "CUSTOMER": -0.9}
    assert characteristics["TotalConversationDurationMillis"] == 74010
    assert characteristics["NonTalkTime"]["TotalTimeMillis"] == 28090
    assert kept["JobStatus"] == "COMPLETED"
    assert kept["CustomerMetadata"]["InstanceId"] == "4f6a1b2c-0d3e-4a5b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("name", "turn", "start_ms", "end_ms"),
    [
        ("voice_raw.json", 0, 0, 4620),
        ("voice_raw.json", 4, 48200, 54930),
        ("voice_raw.json", 9, 72900, 74010),
        ("voice_minimal.json", 4, 11500, 14200),
        # chat: milliseconds since the first AbsoluteTime (participant joined at 09:30:00.120)
        ("chat_bot_handoff.json", 0, 730, None),
        ("chat_bot_handoff.json", 5, 249298, None),
    ],
)
def test_offsets(name: str, turn: int, start_ms: int, end_ms: int | None) -> None:
    result = conversation(name).turns[turn]
    assert (result.start_ms, result.end_ms) == (start_ms, end_ms)


def test_missing_optional_keys_are_tolerated() -> None:
    result = conversation("voice_minimal.json")
    assert result.turns[0].extra == {"contact_lens": {"Id": "m-1"}}
    assert "ConversationCharacteristics" not in result.extra["contact_lens"]
    assert result.started_at is None
    # the blank utterance m-5 is skipped and listed, not turned into an empty turn
    assert result.extra["contact_lens"]["skipped_items"] == ["m-5"]
    assert [t.extra["contact_lens"]["Id"] for t in result.turns] == ["m-1", "m-2", "m-3", "m-4", "m-6"]


def test_chat_bot_leg_hands_off_to_agent_and_customer_disconnects() -> None:
    result = conversation("chat_bot_handoff.json")
    assert [(leg.participant_role, leg.started_via) for leg in result.legs] == [
        (B, LegStart.INBOUND),
        (A, LegStart.BOT_HANDOFF),
    ]
    assert result.legs[1].agent_name == "Marco"
    assert [t.leg for t in result.turns] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    [disconnect] = [e for e in result.events if e.type is EventType.DISCONNECT]
    assert (disconnect.by, disconnect.leg, disconnect.at_ms) == (C, 1, 422830)
    assert result.legs[1].ended_via is LegEnd.CUSTOMER_DISCONNECT
    assert (
        result.started_at is not None and result.started_at.isoformat() == "2026-11-21T09:30:00.120000+00:00"
    )
    # the attachment has no text: skipped, listed by its Id
    assert result.extra["contact_lens"]["skipped_items"] == ["9f8e7d6c-0012-4b3a-8c2d-000000000012"]
    kinds = [e["ContentType"].rsplit(".", 2)[-2:] for e in result.extra["contact_lens"]["chat_events"]]
    assert ["participant", "left"] in kinds and ["chat", "ended"] in kinds
    assert all("typing" not in e["ContentType"] for e in result.extra["contact_lens"]["chat_events"])


@pytest.mark.parametrize(
    ("name", "reason", "record", "message_part"),
    [
        (
            "voice_unknown_participant.json",
            ReasonCode.UNKNOWN_SPEAKER,
            "Transcript[5] (Id=b1c2d3e4-0005-4e2b-9a51-000000000005)",
            "'3d9f2c71-8e4a-4b6d-a1c3-5e7f9b0d2a4c', not in Participants",
        ),
        ("voice_truncated.json", ReasonCode.TRUNCATED, "file", "ends before"),
        ("chat_truncated_mid_string.json", ReasonCode.TRUNCATED, "file", "ends before"),
        ("voice_job_failed.json", ReasonCode.NO_TURNS, "file", "JobStatus FAILED"),
    ],
)
def test_bad_documents_are_quarantined(name: str, reason: ReasonCode, record: str, message_part: str) -> None:
    result = read_one(FIXTURES / name)
    assert isinstance(result, Quarantined), result
    assert (result.reason, result.record) == (reason, record)
    assert message_part in result.message
    assert result.file == str(FIXTURES / name)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([], ReasonCode.INVALID_RECORD),
        ({"Transcript": "not a list"}, ReasonCode.INVALID_RECORD),
        (
            {"Participants": [{"ParticipantId": "X", "ParticipantRole": "JANITOR"}], "Transcript": []},
            ReasonCode.UNKNOWN_ROLE,
        ),
        (
            {"Participants": [{"ParticipantId": "A", "ParticipantRole": "AGENT"}], "Transcript": []},
            ReasonCode.NO_TURNS,
        ),
        ({"Transcript": [{"Content": "hello"}]}, ReasonCode.MISSING_FIELD),
        ({"Channel": "EMAIL", "Participants": [], "Transcript": []}, ReasonCode.INVALID_RECORD),
    ],
)
def test_malformed_documents_quarantine_instead_of_raising(document: object, reason: ReasonCode) -> None:
    result = contact_lens.conversation_from_analysis(document, Path("x.json"))
    assert isinstance(result, Quarantined)
    assert result.reason is reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("voice_raw.json", 0.95),
        ("chat_bot_handoff.json", 0.95),
        ("voice_minimal.json", 0.9),
    ],
)
def test_sniff_recognises_contact_lens(name: str, expected: float) -> None:
    head = (FIXTURES / name).read_text()[:65536]
    assert contact_lens.sniff(head, FIXTURES / name) == pytest.approx(expected)


def test_sniff_ignores_other_json() -> None:
    assert contact_lens.sniff('{"id": "C-1", "channel": "chat", "turns": []}', Path("c.json")) == 0.0


def test_chat_transfer_between_agents_opens_a_transfer_leg(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "chat_bot_handoff.json").read_text())
    second = "f4c4e9ab-5f6b-4a7c-8d8e-9f0a1b2c3d45"
    document["Participants"].append(
        {"DisplayName": "Ines", "ParticipantId": second, "ParticipantRole": "AGENT"}
    )
    items = document["Transcript"]
    transfer = {
        "AbsoluteTime": "2026-11-21T09:35:30.000Z",
        "ContentType": "application/vnd.amazonaws.connect.event.transfer.succeeded",
        "Id": "transfer-1",
        "ParticipantId": items[8]["ParticipantId"],
        "Type": "EVENT",
    }
    items.insert(12, transfer)  # after the attachment, before Marco's reply...
    items[13]["ParticipantId"] = second  # ...which Ines now sends
    path = tmp_path / "transfer.json"
    path.write_text(json.dumps(document))
    result = read_one(path)
    assert isinstance(result, Conversation)
    assert [(leg.participant_role, leg.agent_name, leg.started_via) for leg in result.legs] == [
        (B, "BOT", LegStart.INBOUND),
        (A, "Marco", LegStart.BOT_HANDOFF),
        (A, "Ines", LegStart.TRANSFER),
    ]
    assert result.legs[1].ended_via is LegEnd.TRANSFERRED
    [event] = [e for e in result.events if e.type is EventType.TRANSFER]
    assert (event.from_leg, event.to_leg, event.at_ms) == (1, 2, 329880)
    assert [t.leg for t in result.turns][-3:] == [1, 2, 2]


@pytest.mark.parametrize(
    ("fixture", "name", "started_at"),
    [
        ("voice_raw.json", "b1c2_analysis_2026-11-21T09:14:03Z.json", "2026-11-21T09:14:03+00:00"),
        ("voice_raw.json", "b1c2_analysis_redacted_2026-11-21T09:14:03Z.json", "2026-11-21T09:14:03+00:00"),
        ("voice_raw.json", "b1c2_analysis_2026-11-21T09-14-03Z.json", "2026-11-21T09:14:03+00:00"),
        ("voice_raw.json", "b1c2_analysis_2026-11-21T09%3A14%3A03Z.json", "2026-11-21T09:14:03+00:00"),
        ("voice_raw.json", "b1c2_analysis_2026-11-21T09:14:03.250Z.json", "2026-11-21T09:14:03+00:00"),
        ("voice_raw.json", "b1c2_analysis.json", None),  # no time in the name
        ("voice_raw.json", "b1c2_analysis_2026-13-21T09:14:03Z.json", None),  # not a date
        ("voice_raw.json", "b1c2_2026-11-21T09:14:03Z.json", None),  # not the output pattern
    ],
)
def test_voice_start_time_comes_from_the_output_file_name(
    tmp_path: Path, fixture: str, name: str, started_at: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes((FIXTURES / fixture).read_bytes())
    result = read_one(path)
    assert isinstance(result, Conversation), result
    assert result.started_at == (None if started_at is None else datetime.fromisoformat(started_at))
    source = result.extra["contact_lens"].get("started_at_from")
    assert source == (None if started_at is None else "file_name")
    if started_at is not None:
        # the call ends when the last utterance ends, not when it starts
        last_end = max(t.end_ms or 0 for t in result.turns)
        assert last_end > max(t.start_ms or 0 for t in result.turns)
        assert result.ended_at == result.started_at + timedelta(milliseconds=last_end)


def test_chat_start_time_stays_the_first_absolute_time(tmp_path: Path) -> None:
    expected = conversation("chat_bot_handoff.json").started_at
    assert expected is not None
    path = tmp_path / "5d6e_analysis_2020-01-01T00:00:00Z.json"
    path.write_bytes((FIXTURES / "chat_bot_handoff.json").read_bytes())
    result = read_one(path)
    assert isinstance(result, Conversation)
    assert result.started_at == expected
    assert "started_at_from" not in result.extra["contact_lens"]


def test_contact_id_from_the_file_name_when_metadata_has_none(tmp_path: Path) -> None:
    path = tmp_path / "6a1f0c52-aaaa_analysis_redacted_2026-11-21T09:14:03Z.json"
    path.write_bytes((FIXTURES / "voice_minimal.json").read_bytes())
    result = read_one(path)
    assert isinstance(result, Conversation)
    assert result.id == "6a1f0c52-aaaa"
