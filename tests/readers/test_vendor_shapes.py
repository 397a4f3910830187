"""One test per vendor export shape: read with the right roles, speakers, times and events.

Fixtures are hand-written in the shapes of real exports (``fixtures/VENDOR_SHAPES.md``).
The last tests read the real public samples in ``/work/shared/data/vendor-samples`` when
that folder exists and skip cleanly when it does not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.detect import detect_format
from transcripts.model import Channel, Conversation, EventType, LegEnd, Role, RoleSource, VendorSignalKind
from transcripts.read import read_path
from transcripts.readers.all import readers

VENDOR = Path(__file__).parent / "fixtures" / "vendor"
A, C, S, B = Role.AGENT, Role.CUSTOMER, Role.SYSTEM, Role.BOT
SAMPLES = Path("/work/shared/data/vendor-samples")


def one(relative: str, **options: object) -> Conversation:
    conversations, quarantined = split(read_path(VENDOR / relative, **options))
    assert quarantined == []
    (conversation,) = conversations
    assert conversation.source_format == detect_format(VENDOR / relative) == relative.split("/")[0]
    return conversation


def roles(conversation: Conversation) -> list[Role]:
    return [t.role for t in conversation.turns]


def test_every_reader_is_one_registered_module_with_extensions() -> None:
    registered = readers()
    assert {"transcribe", "connect_chat", "pca_parsed", "srt", "genesys", "azure_speech"} <= set(registered)
    assert {"zendesk_sunco", "intercom", "twilio_conversations"} <= set(registered)
    assert all(reader.extensions for reader in registered.values())
    assert registered["csv"].option_names() == ("csv_columns",)


def test_contact_lens_redacted_chat_takes_roles_per_message() -> None:
    c = one("contact_lens/chat_redacted_roles_per_message.json")
    assert roles(c) == [S, A, C]
    assert [t.speaker_name for t in c.turns] == ["SYSTEM_MESSAGE", None, None]  # [PII] is no name
    assert c.language == "en" and c.channel is Channel.CHAT
    assert c.started_at == datetime(2024, 3, 1, 10, tzinfo=UTC)
    kinds = {(s.kind, s.label, s.turn) for s in c.vendor_signals}
    assert (VendorSignalKind.CATEGORY, "agent-intro", None) in kinds
    assert (VendorSignalKind.SENTIMENT, "NEGATIVE", 2) in kinds


def test_contact_lens_voice_start_from_recording_name_and_end_from_end_offset() -> None:
    c = one("contact_lens/voice_recording_time_in_metadata.json")
    assert c.started_at == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert c.extra["contact_lens"]["started_at_from"] == "CustomerMetadata.InputS3Uri"
    assert (c.ended_at - c.started_at).total_seconds() == 9.0  # last EndOffsetMillis, not its start (3.0)
    assert [(t.start_ms, t.end_ms) for t in c.turns] == [(500, 2500), (3000, 9000)]
    overall = {s.role: s.score for s in c.vendor_signals if s.label == "overall"}
    assert overall == {A: 1.5, C: -2.0}
    assert any(s.kind is VendorSignalKind.ISSUE and s.label == "My bill is wrong" for s in c.vendor_signals)


@pytest.mark.parametrize(
    ("fixture", "conversation_id", "expected_roles", "names"),
    [
        ("connect_chat/s3_chat_transcript.json", "chat-0001", [C, A], ["Customer", "Ann"]),
        ("connect_chat/gettranscript_items.json", "chat-0002", [S, A, C], ["SYSTEM_MESSAGE", "Lee", "Sam"]),
    ],
)
def test_connect_chat_transcripts(fixture: str, conversation_id: str, expected_roles, names) -> None:
    c = one(fixture)
    assert (c.id, c.channel, c.language) == (conversation_id, Channel.CHAT, None)
    assert roles(c) == expected_roles
    assert [t.speaker_name for t in c.turns] == names
    assert c.turns[0].start_ms is not None and c.started_at is not None


def test_connect_chat_customer_leaving_is_the_disconnect() -> None:
    c = one("connect_chat/s3_chat_transcript.json")
    (disconnect,) = [e for e in c.events if e.type is EventType.DISCONNECT]
    assert (disconnect.by, disconnect.at_ms) == (C, 60_000)


def test_contact_record_hierarchy_and_transfer_to_another_file() -> None:
    c = one("connect_ctr/hierarchy_next_elsewhere.jsonl")
    (leg,) = c.legs
    assert (leg.department, leg.team, leg.ended_via) == ("payroll_phn", "Payroll Tier 1", LegEnd.TRANSFERRED)
    assert leg.extra["connect_ctr"]["HierarchyGroups"] == [
        "Small Business",
        "Outsourcer",
        "Site A",
        "Payroll Tier 1",
    ]
    assert [e.type for e in c.events if e.type in (EventType.TRANSFER, EventType.DISCONNECT)] == [
        EventType.TRANSFER
    ]
    assert c.turns == [] and c.language is None


def test_ccai_epoch_relative_start_is_flagged_not_kept() -> None:
    c = one("ccai_insights/ingest_epoch_relative_times.json")
    assert c.started_at is None and c.ended_at is None
    assert c.warnings and "1970" in c.warnings[0]
    assert [(t.role, t.start_ms) for t in c.turns] == [(C, 0), (A, 4000)]
    assert [(s.kind, s.label) for s in c.vendor_signals] == [(VendorSignalKind.CATEGORY, "Billing")]
    assert c.language is None


def test_transcribe_diarized_words_grouped_by_speaker_and_pause() -> None:
    c = one("transcribe/diarized.json")
    assert [(t.speaker_id, t.text, t.start_ms, t.end_ms) for t in c.turns] == [
        ("spk_0", "Thanks for calling, how can I help?", 500, 2400),
        ("spk_1", "I was charged twice", 3100, 4300),
        ("spk_1", "for my order.", 7000, 8000),  # 2.7 s pause: a new turn
    ]
    assert roles(c) == [A, C, C]
    assert c.roles is not None and c.roles.source is RoleSource.INFERRED and not c.roles.uncertain
    assert (c.id, c.language, c.started_at) == ("fixture-diarized", None, None)


def test_transcribe_channels_and_a_mapping_file_overrides_inference(tmp_path: Path) -> None:
    c = one("transcribe/channels.json")
    assert [(t.speaker_id, t.role) for t in c.turns] == [("ch_0", C), ("ch_1", A)]
    assert c.language == "en"
    mapping = tmp_path / "speakers.yaml"
    mapping.write_text('"*": {ch_0: agent, ch_1: customer}\n', encoding="utf-8")
    mapped = one("transcribe/channels.json", speakers=mapping)
    assert roles(mapped) == [A, C] and mapped.roles is not None and mapped.roles.source is RoleSource.MAPPING


def test_a_broken_mapping_file_is_a_caller_error(tmp_path: Path) -> None:
    mapping = tmp_path / "speakers.yaml"
    mapping.write_text('"*": {ch_0: wizard}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown role 'wizard'"):
        list(read_path(VENDOR / "transcribe/channels.json", speakers=mapping))


def test_pca_speech_overrides_swapped_speaker_labels_with_a_warning() -> None:
    c = one("pca_parsed/labels_swapped.json")
    assert roles(c) == [A, C, A]
    assert c.warnings and "contradict the speech" in c.warnings[0]
    assert c.started_at == datetime(2024, 3, 1, 15, tzinfo=UTC)  # 10:00 New York
    assert c.id == "fixture-pca.wav" and c.language == "en"
    overall = {s.role: s.score for s in c.vendor_signals if s.label == "overall"}
    assert overall == {C: -1.5, A: 2.0}  # spk_0's trend is the customer's


def test_srt_role_prefixes_and_unlabelled_captions() -> None:
    c = one("srt/role_prefixes.srt")
    assert [(t.role, t.text, t.start_ms, t.end_ms) for t in c.turns] == [
        (A, "Thanks for calling, how can I help?", 1000, 3500),
        (C, "My card was declined.", 4000, 6000),
        (C, "Twice, actually.", 6500, 8000),
    ]
    assert c.roles is None
    bare = one("srt/no_speakers.srt")
    assert len(bare.turns) == 2 and bare.roles is not None and bare.roles.uncertain
    assert "only one speaker" in (bare.roles.reason or "")


def test_webvtt_voices_without_note_are_inferred() -> None:
    c = one("webvtt/teams_voices_no_note.vtt")
    assert [(t.speaker_name, t.role) for t in c.turns] == [("Ann Lee", A), ("Sam Cole", C), ("Ann Lee", A)]
    assert c.roles is not None and not c.roles.uncertain and (c.roles.confidence or 0) > 0.9
    uncertain = one("webvtt/meeting_voices_uncertain.vtt")
    assert uncertain.roles is not None and uncertain.roles.uncertain and uncertain.roles.reason


def test_genesys_purposes_division_queue_and_analytics() -> None:
    c = one("genesys/call_transcript.json")
    assert [(t.role, t.start_ms, t.end_ms) for t in c.turns] == [(A, 2000, 4500), (C, 5000, 8000)]
    (leg,) = c.legs
    assert (leg.agent_id, leg.department, leg.team) == ("user-ann", "Customer Care", "Billing Tier 1")
    assert c.started_at == datetime(2024, 3, 1, 10, tzinfo=UTC) and c.language == "en"
    assert {(s.kind, s.label, s.turn) for s in c.vendor_signals} == {
        (VendorSignalKind.SENTIMENT, "NEGATIVE", 1),
        (VendorSignalKind.CATEGORY, "Billing dispute", None),
    }


def test_azure_speech_phrases_ticks_and_inferred_roles() -> None:
    c = one("azure_speech/diarized.json")
    assert [(t.speaker_id, t.role, t.start_ms, t.end_ms) for t in c.turns] == [
        ("speaker_1", A, 500, 2500),
        ("speaker_2", C, 3000, 6000),
    ]
    assert (c.id, c.started_at, c.language) == (
        "call-0042",
        None,
        "en",
    )  # timestamp is the job's, not the call's


def test_zendesk_sunshine_user_business_and_bot() -> None:
    c = one("zendesk_sunco/messages.json")
    assert roles(c) == [C, B, A]
    assert [leg.participant_role for leg in c.legs] == [B, A]
    assert c.legs[1].agent_name == "Ann" and c.turns[2].start_ms == 60_000


def test_intercom_comments_not_notes() -> None:
    c = one("intercom/conversation.json")
    assert [(t.role, t.text) for t in c.turns] == [
        (C, "Hi, I was charged twice"),
        (A, "Sorry about that! Let me check."),
    ]
    assert c.legs[0].agent_id == "814860" and c.extra["intercom"]["internal_notes"] == 1
    assert [(s.kind, s.label) for s in c.vendor_signals] == [(VendorSignalKind.CATEGORY, "billing")]


def test_twilio_addresses_are_customers_identities_agents() -> None:
    c = one("twilio_conversations/messages.json")
    assert [(t.role, t.speaker_id) for t in c.turns] == [(C, "whatsapp:+15551230000"), (A, "agent_ann")]
    assert c.legs[0].agent_id == "agent_ann" and c.id == "CH0001"


# --- the real public samples, when the shared data folder is there ------------------------------

EXPECTED = {
    "amazon-connect-chat/gettranscript_items_stephanie.json": ("connect_chat", [S, A, C, A, C, A]),
    "amazon-connect-contact-lens/doc_chat_redacted.json": ("contact_lens", None),
    "amazon-transcribe/doc_diarization_output.json": ("transcribe", [C, A]),
    "amazon-transcribe/doc_channel_id_output.json": ("transcribe", [C, A]),
    "pca-parsed/testfile.json": ("pca_parsed", [C, A, C, A]),
    "ms-teams-vtt/voices_marie_paul.vtt": ("webvtt", None),
    "srt/two_cues.srt": ("srt", None),
}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared vendor samples not present")
def test_every_real_sample_is_read() -> None:
    conversations, quarantined = split(r for r in read_path(SAMPLES) if not hasattr(r, "duplicate_of"))
    assert quarantined == []
    assert len(conversations) >= 15


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared vendor samples not present")
@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_sample_roles(relative: str) -> None:
    fmt, expected = EXPECTED[relative]
    (c,) = [r for r in read_path(SAMPLES / relative) if isinstance(r, Conversation)]
    assert c.source_format == fmt
    if expected is not None:
        assert roles(c)[: len(expected)] == expected


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared vendor samples not present")
def test_real_contact_lens_voice_ends_at_last_end_offset() -> None:
    path = next((SAMPLES / "amazon-connect-contact-lens").glob("11111111-*_analysis_2023*.json"))
    (c,) = [r for r in read_path(path) if isinstance(r, Conversation)]
    assert (c.ended_at - c.started_at).total_seconds() == pytest.approx(32.11)
