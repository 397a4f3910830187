"""Google CCAI Insights conversations: the resource JSON and the chat ingest format."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcripts.model import Channel, Conversation, LegStart, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers import ccai_insights

FIXTURES = Path(__file__).parent / "fixtures" / "vendor" / "ccai_insights"
A, C, B = Role.AGENT, Role.CUSTOMER, Role.BOT
KEY = "ccai_insights"


def read_all(name: str) -> list[Conversation | Quarantined]:
    results = list(ccai_insights.read(FIXTURES / name))
    assert all(isinstance(r, Conversation | Quarantined) for r in results), results
    return results  # type: ignore[return-value]


def conversation(name: str) -> Conversation:
    [result] = read_all(name)
    assert isinstance(result, Conversation), result
    return result


@pytest.mark.parametrize(
    ("name", "conversation_id", "channel", "roles"),
    [
        ("phone_call.json", "8243107719120033", Channel.CALL, (A, C, A, C, A, C, A, C)),
        # no segmentParticipant.role: roles come from channelTag via callMetadata
        ("phone_channel_tags.json", "8243107719120034", Channel.CALL, (A, C, A, C, A, C, A, C)),
        ("chat_bot_handoff.json", "9911", Channel.CHAT, (B, C, B, C, B, A, C, A, C)),
        ("ingest_chat.json", "ingest_chat", Channel.CHAT, (B, C, B, A, C, A, C)),
        # no user_id or timestamps
        ("ingest_minimal.json", "ingest_minimal", Channel.CHAT, (B, C, B)),
    ],
)
def test_id_channel_and_roles(
    name: str, conversation_id: str, channel: Channel, roles: tuple[Role, ...]
) -> None:
    result = conversation(name)
    assert result.id == conversation_id
    assert result.channel is channel
    assert tuple(t.role for t in result.turns) == roles
    assert result.source_format == KEY


@pytest.mark.parametrize(
    ("name", "legs"),
    [
        ("phone_call.json", [(A, "agent-jordan-4471", LegStart.INBOUND)]),
        ("phone_channel_tags.json", [(A, None, LegStart.INBOUND)]),
        (
            "chat_bot_handoff.json",
            [
                (
                    B,
                    "projects/acme-insights/locations/us-central1/conversations/9911/participants/virtual-agent-1",
                    LegStart.INBOUND,
                ),
                (A, "agent-maria-2210", LegStart.BOT_HANDOFF),
            ],
        ),
        # ingest user_ids number the participants of one chat: not agent ids
        ("ingest_chat.json", [(B, None, LegStart.INBOUND), (A, None, LegStart.BOT_HANDOFF)]),
    ],
)
def test_automated_agent_leg_hands_off_to_human(
    name: str, legs: list[tuple[Role, str | None, LegStart]]
) -> None:
    result = conversation(name)
    assert [(leg.participant_role, leg.agent_id, leg.started_via) for leg in result.legs] == legs


def test_turns_are_assigned_to_their_legs() -> None:
    result = conversation("chat_bot_handoff.json")
    assert [t.leg for t in result.turns] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert result.turns[5].speaker_id == "agent-maria-2210"


@pytest.mark.parametrize(
    ("name", "turn", "start_ms", "end_ms"),
    [
        # words[0].startOffset / words[-1].endOffset
        ("phone_call.json", 0, 400, 4100),
        ("phone_call.json", 4, 48200, 55600),
        # chat: messageTime - startTime
        ("chat_bot_handoff.json", 1, 14201, None),
        ("chat_bot_handoff.json", 5, 221902, None),
        # ingest: start_timestamp_usec - first, in ms
        ("ingest_chat.json", 1, 12500, None),
        ("ingest_chat.json", 3, 200000, None),
        ("ingest_minimal.json", 0, None, None),
    ],
)
def test_offsets(name: str, turn: int, start_ms: int | None, end_ms: int | None) -> None:
    result = conversation(name).turns[turn]
    assert (result.start_ms, result.end_ms) == (start_ms, end_ms)


@pytest.mark.parametrize(
    ("name", "started", "ended"),
    [
        ("phone_call.json", "2026-11-21T15:10:00+00:00", "2026-11-21T15:11:06.300000+00:00"),
        ("chat_bot_handoff.json", "2026-11-21T18:02:00+00:00", "2026-11-21T18:08:50+00:00"),
        ("ingest_chat.json", "2026-11-21T18:00:00+00:00", "2026-11-21T18:05:22+00:00"),
    ],
)
def test_start_and_end_times(name: str, started: str, ended: str) -> None:
    result = conversation(name)
    assert result.started_at is not None and result.started_at.isoformat() == started
    assert result.ended_at is not None and result.ended_at.isoformat() == ended


def test_insights_analysis_kept_in_extra() -> None:
    result = conversation("phone_call.json")
    kept = result.extra[KEY]
    metadata = kept["latestAnalysis"]["analysisResult"]["callAnalysisMetadata"]
    assert metadata["sentiments"] == [
        {"channelTag": 1, "sentimentData": {"magnitude": 3.1, "score": -0.3}},
        {"channelTag": 2, "sentimentData": {"magnitude": 1.9, "score": 0.3}},
    ]
    assert metadata["issueModelResult"]["issues"][0]["displayName"] == "Claim payment delay"
    assert kept["labels"] == {"customer_id": "POL-2298814", "line_of_business": "auto"}
    assert result.customer_id == "POL-2298814"
    assert result.turns[1].extra[KEY]["sentiment"] == {"magnitude": 0.84, "score": -0.6}
    assert result.turns[1].extra[KEY]["confidence"] == 0.93
    assert "words" not in result.turns[1].extra[KEY]


def test_ingest_extras_and_blank_messages() -> None:
    ingest = conversation("ingest_chat.json")
    assert ingest.extra[KEY]["conversation_info"] == {"categories": [{"display_name": "claims"}]}
    assert ingest.turns[3].extra[KEY] == {"user_id": 2, "start_timestamp_usec": 1795284200000000}
    assert ingest.turns[3].speaker_id == "2"
    chat = conversation("chat_bot_handoff.json")
    assert chat.extra[KEY]["skipped_items"] == ["transcriptSegments[8]"]
    assert chat.customer_id == "8f14e45fceea167a5a36dedd4bea2543"


def test_list_page_yields_each_conversation() -> None:
    good, bad = read_all("conversation_list_page.json")
    assert isinstance(good, Conversation) and good.id == "7001"
    assert good.source_record == "conversations[0]"
    assert isinstance(bad, Quarantined)
    assert (bad.reason, bad.record) == (ReasonCode.UNKNOWN_ROLE, "conversations[1].transcriptSegments[0]")
    assert "'OBSERVER'" in bad.message


@pytest.mark.parametrize(
    ("name", "reason", "record", "message_part"),
    [
        (
            "phone_unknown_channel.json",
            ReasonCode.UNKNOWN_SPEAKER,
            "transcriptSegments[3]",
            "channelTag 3 is not assigned by callMetadata (agentChannel=2, customerChannel=1)",
        ),
        ("ingest_unknown_role.json", ReasonCode.UNKNOWN_ROLE, "entries[4]", "'MODERATOR'"),
        ("phone_truncated.json", ReasonCode.TRUNCATED, "file", "ends before"),
    ],
)
def test_bad_documents_are_quarantined(name: str, reason: ReasonCode, record: str, message_part: str) -> None:
    [result] = read_all(name)
    assert isinstance(result, Quarantined), result
    assert (result.reason, result.record) == (reason, record)
    assert message_part in result.message


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("just a string", ReasonCode.INVALID_RECORD),
        ({"name": "projects/p/locations/l/conversations/1", "medium": "CHAT"}, ReasonCode.NO_TURNS),
        (
            {"transcript": {"transcriptSegments": [{"text": "hi", "channelTag": 1}]}},
            ReasonCode.UNKNOWN_SPEAKER,
        ),
        ({"entries": [{"text": "hi"}]}, ReasonCode.MISSING_FIELD),
        ({"entries": [{"text": " ", "role": "AGENT"}]}, ReasonCode.NO_TURNS),
        ({"entries": [{"text": "hi", "role": "AGENT"}, 7]}, ReasonCode.INVALID_RECORD),
    ],
)
def test_malformed_documents_quarantine_instead_of_raising(document: object, reason: ReasonCode) -> None:
    result = ccai_insights.conversation_from_document(document, Path("x.json"))
    assert isinstance(result, Quarantined)
    assert result.reason is reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.500s", 12500), ("0s", 0), ("3s", 3000), ("-1s", None), ("12.5", None), (12, None)],
)
def test_parse_duration_ms(value: object, expected: int | None) -> None:
    assert ccai_insights.parse_duration_ms(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("phone_call.json", 0.95),
        ("ingest_chat.json", 0.9),
        ("ingest_minimal.json", 0.6),
    ],
)
def test_sniff(name: str, expected: float) -> None:
    head = (FIXTURES / name).read_text()[:65536]
    assert ccai_insights.sniff(head, FIXTURES / name) == expected


def test_sniff_ignores_canonical_json() -> None:
    head = '{"id": "C-1", "channel": "chat", "turns": [{"role": "agent", "text": "hi"}]}'
    assert ccai_insights.sniff(head, Path("c.json")) == 0.0
