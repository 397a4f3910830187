"""Vendor readers against the variation real exports have (fixtures: ``fixtures/VENDOR_SHAPES.md``).

Each fixture follows a vendor's published schema or documentation in a shape the first fixtures
did not cover: optional fields missing, numbers written as text, other time encodings,
paginated exports in one file, bot/IVR/system participants, attachments and other non-text
messages, empty transcripts. Non-text items are skipped and counted in ``extra``, never a
crash or a lost file; what the source does not say stays unknown.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.readers.conftest import split
from transcripts.detect import detect_format
from transcripts.model import Channel, ChannelKind, Conversation, EventType, LegStart, Role, RoleSource
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import read_path

VENDOR = Path(__file__).parent / "fixtures" / "vendor"
A, C, S, B, IVR = Role.AGENT, Role.CUSTOMER, Role.SYSTEM, Role.BOT, Role.IVR


def read_all(relative: str) -> tuple[list[Conversation], list[Quarantined]]:
    return split(read_path(VENDOR / relative))


def one(relative: str) -> Conversation:
    conversations, quarantined = read_all(relative)
    assert quarantined == []
    (conversation,) = conversations
    assert conversation.source_format == relative.split("/")[0]
    return conversation


def roles(conversation: Conversation) -> list[Role]:
    return [t.role for t in conversation.turns]


def times(conversation: Conversation) -> list[tuple[int | None, int | None]]:
    return [(t.start_ms, t.end_ms) for t in conversation.turns]


def skipped(conversation: Conversation) -> dict[str, int]:
    return conversation.extra[conversation.source_format]["skipped"]


FIXTURES = sorted(
    (folder.name, path)
    for folder in VENDOR.iterdir()
    if folder.is_dir()
    for path in folder.iterdir()
    if path.is_file()
)


@pytest.mark.parametrize(("fmt", "path"), FIXTURES, ids=lambda v: getattr(v, "name", v))
def test_every_vendor_fixture_is_detected_as_its_folder_format(fmt: str, path: Path) -> None:
    assert detect_format(path) == fmt


def test_genesys_offsets_words_epoch_text_and_an_undocumented_purpose() -> None:
    c = one("genesys/variants_offsets_words_bot.json")
    assert c.started_at == datetime(2024, 3, 1, 10, tzinfo=UTC)  # conversationStartTime as text
    assert roles(c)[:3] == [IVR, A, C]
    # offset.milliseconds counts from the communication's startTime (10 s after the conversation)
    assert times(c)[:3] == [(10_000, 13_000), (15_000, 17_000), (18_000, 20_500)]
    assert c.turns[1].text.startswith("Hello, you are speaking with Lee")  # decoratedText
    assert c.turns[2].text == "my router keeps dropping"  # words only
    assert c.turns[1].speaker_id == "user-lee"
    assert c.turns[3].speaker_id == "station" and c.roles is not None
    assert c.roles.source is RoleSource.INFERRED and set(c.roles.speakers) == {"station"}
    assert any("'station'" in w for w in c.warnings)
    assert skipped(c) == {"phrase without text": 1}
    (sentiment,) = c.vendor_signals
    assert (sentiment.turn, sentiment.score) == (2, -0.3)  # "phrase": "2" is the customer's phrase
    assert c.legs[1].department is None  # divisionId is an id, not a department name
    assert c.language == "en"


def test_azure_fast_transcription_result() -> None:
    c = one("azure_speech/fast_transcription_diarized.json")
    assert [(t.speaker_id, t.role) for t in c.turns] == [("speaker_1", A), ("speaker_2", C)]
    assert times(c) == [(400, 4500), (5200, 8800)]
    assert c.started_at is None and c.language == "en"
    assert skipped(c) == {"no text": 1}


def test_azure_batch_iso_offsets_ticks_as_text_and_failed_phrases() -> None:
    c = one("azure_speech/batch_stereo_iso_durations.json")
    assert c.id == "call-0077"  # the audio name, without the SAS query string
    assert [t.speaker_id for t in c.turns] == ["channel_0", "channel_1"]  # ordered by offset
    assert times(c) == [(300, 4300), (6500, 8750)]
    assert c.turns[1].text == "ja meine Rechnung ist falsch"  # itn when display is blank
    assert skipped(c) == {"recognitionStatus InitialSilenceTimeout": 1}
    assert c.language == "de" and c.started_at is None  # timestamp is the job's, not the call's
    assert c.roles is not None and c.roles.source is RoleSource.INFERRED


def test_connect_chat_bot_interactive_attachments_and_receipts() -> None:
    c = one("connect_chat/s3_bot_attachments_receipts.json")
    assert c.id == "chat-0004"
    assert roles(c) == [B, C, S, A, C, A]
    assert c.turns[0].text == "What can we help you with? (Billing / Delivery)"
    assert c.turns[1].text == "Delivery"  # the customer's pick in the list
    assert [t.start_ms for t in c.turns] == [1000, 4000, 10_000, 35_000, 60_000, 80_000]
    assert skipped(c) == {"attachment": 1}
    assert [leg.started_via for leg in c.legs] == [LegStart.INBOUND, LegStart.BOT_HANDOFF]
    (disconnect,) = c.events
    assert (disconnect.type, disconnect.by, disconnect.at_ms) == (EventType.DISCONNECT, A, 100_000)
    assert c.started_at == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_connect_gettranscript_pages_in_one_file_are_merged_per_contact() -> None:
    conversations, quarantined = read_all("connect_chat/gettranscript_pages.jsonl")
    assert quarantined == []
    first, second = conversations
    assert (first.id, second.id) == ("chat-0005", "chat-0006")
    assert [t.text for t in first.turns][1:] == [
        "Sure, I can help with that. What is the order number?",  # on both pages, read once
        "It is 4471",
    ]
    assert roles(first) == [C, A, C] and roles(second) == [C, A]
    assert [e.by for e in first.events] == [C]
    assert first.source_record == "document 1 (line 1) + 1 more page(s)"
    assert second.source_record == "document 3 (line 3)"
    assert first.warnings == []  # its last page has no NextToken
    assert second.warnings == [
        "the last GetTranscript page has a NextToken: later items are not in the export"
    ]


def test_transcribe_language_identification_and_redacted_words() -> None:
    c = one("transcribe/language_id_audio_segments.json")
    assert c.language == "es"  # best score of language_identification
    assert [t.text for t in c.turns] == [
        "Hola, gracias por llamar, ¿en qué puedo ayudarle?",
        "Mi tarjeta [PII] fue rechazada.",
    ]
    assert times(c) == [(500, 3200), (4000, 6100)]
    assert [t.speaker_id for t in c.turns] == ["spk_0", "spk_1"]


def test_transcribe_multi_language_channels() -> None:
    c = one("transcribe/multi_language_channels.json")
    assert c.language == "fr"  # the language spoken longest
    assert [(t.speaker_id, t.role) for t in c.turns] == [("ch_0", A), ("ch_1", C)]
    assert times(c) == [(200, 2300), (3000, 5100)]


def test_transcribe_empty_transcript_is_no_turns_not_unknown_format() -> None:
    conversations, quarantined = read_all("transcribe/empty_silence.json")
    assert conversations == []
    assert [(q.reason, q.record) for q in quarantined] == [(ReasonCode.NO_TURNS, "file")]


def test_sunshine_pages_media_and_forms() -> None:
    c = one("zendesk_sunco/pages_media_forms.jsonl")
    assert roles(c) == [C, B, C, A]
    assert [t.text for t in c.turns][1:3] == ["Your email", "Your email: priya@example.com"]
    assert [t.start_ms for t in c.turns] == [0, 30_000, 60_000, 120_000]
    assert skipped(c) == {"image without text": 1, "file without text": 1, "location without text": 1}
    assert c.extra["zendesk_sunco"]["pages"] == 2
    assert c.customer_id == "cust-991" and c.channel_kind is ChannelKind.MESSAGING
    assert c.id == "pages_media_forms"  # the pages name no conversation id


def test_twilio_bare_list_media_system_and_rfc2822_dates() -> None:
    c = one("twilio_conversations/bare_list_media_rfc2822.json")
    assert c.id == "CH0002"
    assert roles(c) == [C, S, A]
    assert [t.start_ms for t in c.turns] == [0, 6000, 60_000]  # the last date is RFC 2822
    assert skipped(c) == {"media without text": 1}
    assert c.legs[-1].agent_id == "jane.doe@acme.example"


def test_intercom_list_api_v1_parts_and_attachments() -> None:
    conversations, quarantined = read_all("intercom/list_v1_attachments.json")
    assert quarantined == []
    first, second = conversations
    assert (first.id, first.source_record) == ("2001", "conversations[0]")
    assert roles(first) == [C, B, A]  # conversation_message (API 1.x) opens it
    assert first.turns[2].text == "Hello! Yes, I can update it for you. What is the new address?"
    assert skipped(first) == {"assignment part": 1, "attachment without text": 1, "close part": 1}
    assert [t.start_ms for t in first.turns] == [0, 10_000, 100_000]
    assert first.warnings == ["conversation_parts lists 5 of 7 parts; the rest are not in the export"]
    assert second.warnings == []
    assert second.channel_kind is ChannelKind.EMAIL and roles(second) == [C, A]
    assert second.started_at == datetime(2024, 3, 3, 10, tzinfo=UTC)  # ISO created_at


def test_ccai_jsonl_export_of_resource_and_ingest_shapes() -> None:
    conversations, quarantined = read_all("ccai_insights/export_lines.jsonl")
    assert quarantined == []
    resource, ingest = conversations
    assert resource.id == "5550001" and roles(resource) == [A, C]
    assert roles(ingest) == [C, A] and ingest.started_at == datetime(2024, 3, 6, 13, tzinfo=UTC)
    # protobuf's JSON writes int64 as text: the first entry's "1709730000000000" is a time too
    assert [t.start_ms for t in ingest.turns] == [0, 15_000]


def test_srt_bom_crlf_cue_settings_tags_and_empty_cues() -> None:
    c = one("srt/bom_crlf_settings_tags.srt")
    assert roles(c) == [A, C, A]
    assert len(c.legs) == 1  # "AGENT:" and "Agent:" are one speaker, not a transfer
    assert c.turns[1].text == "My package says delivered but it is not here."
    assert c.turns[2].text.startswith("I'm sorry")  # &#39; unescaped
    assert times(c) == [(1000, 4200), (5000, 8000), (9500, 12_250)]
    assert skipped(c) == {"cue without text": 1}


def test_srt_without_cue_numbers() -> None:
    c = one("srt/no_cue_numbers.srt")
    assert times(c) == [(500, 2000), (2500, 5000)]
    assert c.roles is not None and c.roles.uncertain  # one unlabelled voice: stored, flagged


def test_webvtt_teams_bom_crlf_style_classes_karaoke_and_empty_cue() -> None:
    c = one("webvtt/teams_bom_crlf_styles_classes.vtt")
    assert [(t.speaker_name, t.role) for t in c.turns] == [("Ann Lee", A), ("Tom Baker", C), ("Ann Lee", A)]
    assert c.turns[1].text == "My internet keeps dropping & I work from home."
    assert times(c) == [(1000, 4500), (5000, 8000), (9000, 10_500)]
    assert c.language == "en"  # the header's Language: en-GB
    assert skipped(c) == {"cue without text": 1}


def test_webvtt_zoom_name_prefixes() -> None:
    c = one("webvtt/zoom_name_prefixes.vtt")
    assert [(t.speaker_name, t.role) for t in c.turns] == [
        ("Maria Lopez", A),
        ("David Chen", C),
        ("Maria Lopez", A),
    ]
    assert c.channel is Channel.CALL and c.language is None


JSON_FIXTURES = [
    "genesys/variants_offsets_words_bot.json",
    "azure_speech/fast_transcription_diarized.json",
    "azure_speech/batch_stereo_iso_durations.json",
    "azure_speech/diarized.json",
    "connect_chat/s3_bot_attachments_receipts.json",
    "transcribe/language_id_audio_segments.json",
    "zendesk_sunco/messages.json",
    "zendesk_sunco/v1_smooch_messages.json",
    "twilio_conversations/bare_list_media_rfc2822.json",
    "intercom/list_v1_attachments.json",
]
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _replaced(document: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy


@pytest.mark.parametrize("relative", JSON_FIXTURES)
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_variant_documents_cost_at_most_the_document(relative: str, data: st.DataObject) -> None:
    """Any node replaced by any JSON value or deleted: conversations or quarantine entries, no crash."""
    fmt = relative.split("/")[0]
    document = json.loads((VENDOR / relative).read_text())
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    delete = bool(path) and data.draw(st.booleans(), label="delete")
    damaged = _replaced(document, path, None if delete else data.draw(_VALUES, label="value"), delete)
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "damaged.json"
        file.write_text(json.dumps(damaged))
        results = list(read_path(file, format=fmt))
    assert results
    crashed = [r for r in results if isinstance(r, Quarantined) and r.record.startswith("after result")]
    assert crashed == []


@pytest.mark.parametrize("parts", [True, 7, "parts"])
def test_intercom_parts_that_are_not_a_list_cost_only_the_parts(parts: object, tmp_path: Path) -> None:
    """Found by the damaged-variant test above: ``"conversation_parts": true`` crashed the reader."""
    document = json.loads((VENDOR / "intercom/list_v1_attachments.json").read_text())
    document["conversations"][0]["conversation_parts"]["conversation_parts"] = parts
    file = tmp_path / "damaged.json"
    file.write_text(json.dumps(document))
    conversations, quarantined = split(read_path(file, format="intercom"))
    assert quarantined == []
    first = conversations[0]
    assert len(first.turns) == 1  # the opening message survives
    assert any("not a list" in w for w in first.warnings)


def test_contact_lens_chat_attachment_receipt_and_summary() -> None:
    c = one("contact_lens/chat_attachment_summary.json")
    assert (c.id, roles(c), [t.start_ms for t in c.turns]) == ("cl-chat-0009", [C, A], [4000, 30_000])
    assert skipped(c) == {"attachment": 1}  # the receipt item is an event, not a lost file
    assert [(e.type, e.by) for e in c.events] == [(EventType.DISCONNECT, C)]
    summary = c.extra["contact_lens"]["ConversationCharacteristics"]["ContactSummary"]
    assert summary["PostContactSummary"]["Content"].startswith("Customer received a damaged lamp")
    assert any(s.label == "damaged-item" for s in c.vendor_signals)


def test_sunshine_api_v1_smooch_messages() -> None:
    c = one("zendesk_sunco/v1_smooch_messages.json")
    assert (c.id, roles(c), [t.speaker_name for t in c.turns]) == ("smooch-conv-7", [C, A], ["Lena", "Sam"])
    assert [t.start_ms for t in c.turns] == [0, 60_377]  # epoch seconds with fractions
    assert skipped(c) == {"author type 'whisper'": 1, "image without text": 1}
    assert c.channel_kind is ChannelKind.MESSAGING


def test_azure_speech_sdk_results_one_per_line() -> None:
    c = one("azure_speech/sdk_conversation_transcriber.jsonl")
    assert c.id == "sdk_conversation_transcriber"
    assert [t.speaker_id for t in c.turns] == ["speaker_Guest-1", "channel_0", "speaker_Guest-2"]  # Unknown
    assert times(c) == [(600, 4400), (4600, 4600), (5200, 7300)]  # ticks / 10 000
    assert c.turns[1].text == "hi i need to reset my password"  # NBest ITN when the display is blank
    assert roles(c)[0] is A and skipped(c) == {"recognitionStatus NoMatch": 1}


def test_genesys_communications_one_per_line_message_and_email() -> None:
    conversations, quarantined = read_all("genesys/communications_per_line.jsonl")
    assert quarantined == []
    message, email = conversations
    assert (message.id, message.channel_kind, roles(message)) == ("gen-conv-3", ChannelKind.MESSAGING, [C, A])
    assert [t.start_ms for t in message.turns] == [1000, 20_000]
    assert (message.legs[0].agent_id, message.legs[0].department, message.legs[0].team) == (
        "user-kai",
        "Digital",
        "Web Messaging",
    )
    assert (email.id, email.channel_kind, roles(email)) == ("gen-conv-4", ChannelKind.EMAIL, [C, A])
    assert email.started_at == datetime(2024, 3, 7, 12, tzinfo=UTC)  # ISO conversationStartTime
    assert [leg.agent_id for leg in email.legs] == [None]  # no userId: unknown, not "internal"
    assert email.source_record == "document 2 (line 2)"


def test_sunshine_last_page_saying_more_follow_is_a_warning(write) -> None:
    page = json.loads((VENDOR / "zendesk_sunco/messages.json").read_text())
    page["meta"] = {"hasMore": True, "afterCursor": "m3"}
    (c,) = [r for r in read_path(write("page.json", json.dumps(page))) if isinstance(r, Conversation)]
    assert c.warnings == ["the last page says meta.hasMore: later messages are not in the export"]
    assert len(c.turns) == 3


def test_srt_names_only_at_speaker_changes() -> None:
    c = one("srt/names_at_speaker_changes.srt")
    assert [(t.speaker_id, t.role) for t in c.turns[:4]] == [
        ("agent", A),
        ("agent", A),
        ("customer", C),
        ("customer", C),
    ]
    assert c.turns[0].text == "Thanks for calling Litware, this is Joe."  # a two-line cue is one turn
    assert c.turns[4].speaker_id == "unlabelled"  # ">>" marks a new, unnamed speaker
    assert c.roles is not None and set(c.roles.speakers) == {"unlabelled"}
