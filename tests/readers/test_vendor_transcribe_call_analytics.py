"""Amazon Transcribe Call Analytics output, raw and redacted, plus the job wrapper."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcripts.model import Channel, Conversation, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers import contact_lens, transcribe_call_analytics

FIXTURES = Path(__file__).parent / "fixtures" / "vendor" / "transcribe_call_analytics"
A, C = Role.AGENT, Role.CUSTOMER
KEY = "transcribe_call_analytics"


def read_one(path: Path) -> Conversation | Quarantined:
    results = list(transcribe_call_analytics.read(path))
    assert len(results) == 1, results
    return results[0]


def conversation(name: str) -> Conversation:
    result = read_one(FIXTURES / name)
    assert isinstance(result, Conversation), result
    return result


@pytest.mark.parametrize(
    ("name", "conversation_id", "roles"),
    [
        ("call_raw.json", "contoso-2026-11-21-call-0042", (A, C, A, C, A, C, A, C)),
        ("call_redacted.json", "contoso-2026-11-21-call-0043", (A, C, A, C, A, C, A, C)),
        # JobName comes from the merged GetCallAnalyticsJob response
        ("job_with_output.json", "contoso-2026-11-21-call-0046", (A, C, A, C, A, C, A, C)),
        # no JobName, Channel, sentiment or loudness: id is the file stem
        ("call_minimal_out_of_order.json", "call_minimal_out_of_order", (A, C, A, A, C)),
    ],
)
def test_id_channel_and_roles(name: str, conversation_id: str, roles: tuple[Role, ...]) -> None:
    result = conversation(name)
    assert result.id == conversation_id
    assert result.channel is Channel.CALL
    assert tuple(t.role for t in result.turns) == roles
    assert result.source_format == KEY
    assert len(result.legs) == 1 and result.legs[0].participant_role is A


@pytest.mark.parametrize(
    ("name", "turn", "text"),
    [
        (
            "call_redacted.json",
            0,
            "Thanks for calling Contoso Mobile, my name is [PII]. Can I start with your account number?",
        ),
        (
            "call_redacted.json",
            1,
            "Yes, it's [PII]. I'm calling because my phone has had no data since yesterday.",
        ),
        (
            "call_raw.json",
            1,
            "Yes, it's 4 4 1 7 9 0 2. I'm calling because my phone has had no data since yesterday.",
        ),
    ],
)
def test_content_passes_through_redacted_or_not(name: str, turn: int, text: str) -> None:
    assert conversation(name).turns[turn].text == text


@pytest.mark.parametrize(
    ("name", "output"),
    [("call_raw.json", "Raw"), ("call_redacted.json", "Redacted")],
)
def test_content_metadata_kept(name: str, output: str) -> None:
    assert conversation(name).extra[KEY]["ContentMetadata"]["Output"] == output


@pytest.mark.parametrize(
    ("turn", "field", "value"),
    [
        (0, "Sentiment", "NEUTRAL"),
        (1, "Sentiment", "NEGATIVE"),
        (1, "IssuesDetected", [{"CharacterOffsets": {"Begin": 35, "End": 87}}]),
        (4, "ActionItemsDetected", [{"CharacterOffsets": {"Begin": 40, "End": 93}}]),
        (6, "OutcomesDetected", [{"CharacterOffsets": {"Begin": 7, "End": 36}}]),
        (7, "LoudnessScores", [74.1]),
    ],
)
def test_vendor_turn_fields_kept_in_extra(turn: int, field: str, value: object) -> None:
    assert conversation("call_raw.json").turns[turn].extra[KEY][field] == value


def test_conversation_analytics_kept_in_extra() -> None:
    kept = conversation("call_raw.json").extra[KEY]
    assert kept["Categories"]["MatchedCategories"] == ["network-outage", "repeat-caller"]
    assert kept["ConversationCharacteristics"]["Sentiment"]["OverallSentiment"] == {
        "AGENT": 2.7,
        "CUSTOMER": 0.6,
    }
    assert kept["ConversationCharacteristics"]["NonTalkTime"]["TotalTimeMillis"] == 32750
    assert kept["JobName"] == "contoso-2026-11-21-call-0042"


@pytest.mark.parametrize(
    ("name", "turn", "start_ms", "end_ms"),
    [
        ("call_raw.json", 0, 0, 5230),
        ("call_raw.json", 5, 61870, 65500),
        ("call_minimal_out_of_order.json", 2, 5600, 7900),
        ("call_minimal_out_of_order.json", 3, 9800, 13100),
    ],
)
def test_offsets(name: str, turn: int, start_ms: int, end_ms: int) -> None:
    result = conversation(name).turns[turn]
    assert (result.start_ms, result.end_ms) == (start_ms, end_ms)


def test_items_out_of_order_are_sorted_and_flagged() -> None:
    result = conversation("call_minimal_out_of_order.json")
    assert [t.start_ms for t in result.turns] == sorted(t.start_ms or 0 for t in result.turns)
    assert result.extra["reordered"] is True
    assert result.language == "en"
    assert result.turns[0].extra == {}


def test_job_wrapper_metadata_kept() -> None:
    job = conversation("job_with_output.json").extra[KEY]["CallAnalyticsJob"]
    assert job["Media"]["MediaFileUri"] == "s3://contoso-calls/2026/11/21/call-0046.wav"
    assert "Settings" not in job


@pytest.mark.parametrize(
    ("name", "reason", "record", "message_part"),
    [
        (
            "call_unknown_role.json",
            ReasonCode.UNKNOWN_ROLE,
            "Transcript[3] (Id=2f9c1e4a-0003-4d7b-b3e1-000000000003)",
            "'spk_1'",
        ),
        ("call_truncated.json", ReasonCode.TRUNCATED, "file", "ends before"),
        (
            "job_description_only.json",
            ReasonCode.MISSING_FIELD,
            "CallAnalyticsJob",
            "s3://contoso-analytics/analytics/redacted/contoso-2026-11-21-call-0046.json",
        ),
    ],
)
def test_bad_documents_are_quarantined(name: str, reason: ReasonCode, record: str, message_part: str) -> None:
    result = read_one(FIXTURES / name)
    assert isinstance(result, Quarantined), result
    assert (result.reason, result.record) == (reason, record)
    assert message_part in result.message


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("call_raw.json", 0.9),
        ("call_minimal_out_of_order.json", 0.7),
        ("job_description_only.json", 0.9),
    ],
)
def test_sniff_prefers_call_analytics_over_contact_lens(name: str, minimum: float) -> None:
    head = (FIXTURES / name).read_text()[:65536]
    ours = transcribe_call_analytics.sniff(head, FIXTURES / name)
    assert ours >= minimum
    assert ours > contact_lens.sniff(head, FIXTURES / name)


def test_sniff_defers_to_contact_lens_on_its_files() -> None:
    path = FIXTURES.parent / "contact_lens" / "voice_raw.json"
    head = path.read_text()[:65536]
    assert transcribe_call_analytics.sniff(head, path) < contact_lens.sniff(head, path)
