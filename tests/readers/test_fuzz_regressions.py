"""Damage ``make fuzz`` found: each case is one record quarantined with a reason (or repaired), never a crash.

Inputs are the reader fixtures with one edit, made the way the fuzzer makes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.detect import detect_format
from transcripts.model import Conversation, EventType
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import read_path

VENDOR = Path(__file__).parent / "fixtures" / "vendor"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_CRASH = "failed after"  # transcripts.read's message for an exception out of a reader


def _edited(tmp_path: Path, fixture: str, pattern: bytes, replacement: bytes) -> Path:
    source = VENDOR / fixture
    data = source.read_bytes()
    edited, count = re.subn(pattern, lambda _: replacement, data, count=1)
    assert count == 1, f"{pattern!r} not in {fixture}"
    path = tmp_path / source.name
    path.write_bytes(edited)
    return path


@pytest.mark.parametrize(
    ("fixture", "fmt", "pattern"),
    [
        ("transcribe/diarized.json", "transcribe", rb'"content": "'),
        ("transcribe/channels.json", "transcribe", rb'"content": "'),
        ("azure_speech/diarized.json", "azure_speech", rb'"display": "Hi,'),
        ("twilio_conversations/messages.json", "twilio_conversations", rb'"body": "'),
        ("genesys/call_transcript.json", "genesys", rb'"text": "'),
    ],
)
def test_lone_surrogate_in_turn_text_is_bad_encoding(
    tmp_path: Path, fixture: str, fmt: str, pattern: bytes
) -> None:
    path = _edited(tmp_path, fixture, pattern, pattern + rb"\ud800")
    conversations, quarantined = split(read_path(path, format=fmt))
    assert conversations == []
    (entry,) = quarantined
    assert entry.reason is ReasonCode.BAD_ENCODING, entry.message
    assert _CRASH not in entry.message
    assert str(path) in entry.message and "lone surrogate" in entry.message and "text" in entry.message


def test_lone_surrogate_in_a_vendor_topic_is_bad_encoding(tmp_path: Path) -> None:
    path = _edited(tmp_path, "genesys/call_transcript.json", rb'"topicName": "', rb'"topicName": "\udfff')
    (entry,) = list(read_path(path, format="genesys"))
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.BAD_ENCODING, entry
    assert entry.record == "transcripts[0].analytics" and _CRASH not in entry.message


@pytest.mark.parametrize("number", [b"9" * 40, b"-" + b"9" * 25, b"18446744073709551616"])
def test_genesys_huge_phrase_duration_is_out_of_range(tmp_path: Path, number: bytes) -> None:
    path = _edited(
        tmp_path, "genesys/call_transcript.json", rb'"milliseconds": \d+', b'"milliseconds": ' + number
    )
    results = list(read_path(path, format="genesys"))
    (result,) = results
    if number.startswith(b"-"):  # a negative length is no length: the end stays unknown
        assert isinstance(result, Conversation) and result.turns[0].end_ms is None
        return
    assert isinstance(result, Quarantined), result
    assert result.reason is ReasonCode.OUT_OF_RANGE and _CRASH not in result.message


@pytest.mark.parametrize("number", [b"9" * 40, b"18446744073709551616"])
def test_contact_lens_offset_beyond_the_calendar_is_out_of_range(tmp_path: Path, number: bytes) -> None:
    """``make fuzz``: a huge EndOffsetMillis raised OverflowError out of the reader (one crash in 10,000)."""
    path = _edited(
        tmp_path,
        "contact_lens/voice_recording_time_in_metadata.json",
        rb'"EndOffsetMillis": 2500',
        b'"EndOffsetMillis": ' + number,
    )
    (result,) = list(read_path(path))
    assert isinstance(result, Quarantined), result
    assert (result.record, result.reason) == ("Transcript", ReasonCode.OUT_OF_RANGE)
    assert _CRASH not in result.message and "beyond the calendar" in result.message


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"NaN"])
def test_genesys_infinite_phrase_duration_leaves_the_end_unknown(tmp_path: Path, number: bytes) -> None:
    path = _edited(
        tmp_path, "genesys/call_transcript.json", rb'"milliseconds": \d+', b'"milliseconds": ' + number
    )
    (conversation,) = list(read_path(path, format="genesys"))
    assert isinstance(conversation, Conversation), conversation
    assert conversation.turns[0].end_ms is None and conversation.turns[1].end_ms is not None


def test_genesys_sentiment_for_a_phrase_that_does_not_exist_is_dropped(tmp_path: Path) -> None:
    path = _edited(
        tmp_path, "genesys/call_transcript.json", rb'"phraseIndex": \d+', b'"phraseIndex": -' + b"9" * 25
    )
    (conversation,) = list(read_path(path, format="genesys"))
    assert isinstance(conversation, Conversation), conversation
    assert all(s.turn is None or 0 <= s.turn < len(conversation.turns) for s in conversation.vendor_signals)


@pytest.mark.parametrize(
    ("field", "number"),
    [
        (b"CustomerHoldDuration", b"1e400"),
        (b"LongestHoldDuration", b"1e400"),
        (b"CustomerHoldDuration", b"NaN"),
        (b"NumberOfHolds", b"9" * 40),
        (b"NumberOfHolds", b"18446744073709551616"),
    ],
)
def test_connect_ctr_infinite_or_huge_hold_figures_are_read(
    tmp_path: Path, field: bytes, number: bytes
) -> None:
    source = VENDOR / "connect_ctr" / "records_array.json"
    data = re.sub(b'"' + field + rb'": \d+', b'"' + field + b'": ' + number, source.read_bytes())
    data = re.sub(rb'"NumberOfHolds": 0', b'"NumberOfHolds": 2', data) if field != b"NumberOfHolds" else data
    path = tmp_path / "records.json"
    path.write_bytes(data)
    conversations, quarantined = split(read_path(path, format="connect_ctr"))
    baseline, _ = split(read_path(source, format="connect_ctr"))
    assert quarantined == [] and len(conversations) == len(baseline)
    holds = [e for c in conversations for e in c.events if e.type is EventType.HOLD_START]
    assert len(holds) <= 2 * len(conversations)  # a damaged count is not expanded into events
    if field == b"CustomerHoldDuration":
        assert holds and all(e.duration_ms is None for e in holds)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*/call-notes.txt")), ids=lambda p: p.parent.name)
def test_truncated_plain_text_is_still_plain_text(tmp_path: Path, example: Path) -> None:
    data = example.read_bytes()
    first_header_end = data.index(b"\n")
    path = tmp_path / "call-notes.txt"
    for cut in range(first_header_end, len(data), 7):
        path.write_bytes(data[:cut])
        assert detect_format(path) == "text", data[:cut][-80:]


def test_headers_only_file_is_plain_text_with_no_turns(write) -> None:
    path = write("notes.txt", "Conversation: C-1\nCustomer-ID: cust-9\nChannel: call\n")
    assert detect_format(path) == "text"
    (entry,) = list(read_path(path))
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.NO_TURNS


def test_headers_without_a_conversation_are_not_plain_text(write) -> None:
    assert detect_format(write("mail.txt", "Date: 2026-11-17\nDepartment: Billing\n")) is None


def _record(number: int) -> dict:
    return {
        "id": f"C-{number}",
        "channel": "chat",
        "turns": [{"role": "customer", "text": f"hello {number}"}],
    }


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_jsonl_with_a_byte_lost_or_added_keeps_the_other_lines(write, codec: str) -> None:
    lines = [json.dumps(_record(n)).encode(codec) for n in range(1, 6)]
    newline = "\n".encode(codec)
    lines[1] = lines[1][:11] + b"\x00" + lines[1][11:]  # a NUL added: the rest of the file is out of step
    lines[3] = lines[3][:20] + lines[3][21:]  # a byte lost: back in step
    path = write("calls.jsonl", newline.join(lines) + newline)
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3", "C-5"]
    assert [(q.record, q.reason) for q in quarantined] == [
        ("line 2", ReasonCode.BAD_ENCODING),
        ("line 4", ReasonCode.BAD_ENCODING),
    ]


def test_binary_with_nul_pairs_is_still_binary(write) -> None:
    path = write("junk.jsonl", bytes(range(256)) * 8)
    (entry,) = list(read_path(path))
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.BINARY


def test_array_element_with_a_syntax_error_costs_only_itself(write) -> None:
    elements = [json.dumps(_record(n), indent=2) for n in range(1, 5)]
    elements[1] = elements[1].replace('"chat",', '"chat" "oops",')
    text = "[\n" + ",\n".join("  " + e.replace("\n", "\n  ") for e in elements) + "\n]\n"
    path = write("export.json", text)
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3", "C-4"]
    (entry,) = quarantined
    assert (entry.record, entry.reason) == ("record 2", ReasonCode.INVALID_JSON)
    assert str(path) in entry.message


def test_array_element_with_bad_bytes_costs_only_itself(write) -> None:
    elements = [json.dumps(_record(n)).encode() for n in range(1, 4)]
    elements[1] = elements[1].replace(b"hello", b"caf\xe9")
    path = write("export.json", b"[" + b",\n".join(elements) + b"]")
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3"]
    (entry,) = quarantined
    assert (entry.record, entry.reason) == ("record 2", ReasonCode.BAD_ENCODING)
    assert "e9" in entry.message and str(path) in entry.message


def test_lone_surrogate_anywhere_in_a_record_is_bad_encoding_naming_the_field(write) -> None:
    good = json.dumps(_record(1))
    bad = '{"id": "C-2", "channel": "chat", "turns": [{"role": "customer", "text": "x", "name": "A\\ud83d"}]}'
    path = write("calls.jsonl", good + "\n" + bad + "\n")
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1"]
    (entry,) = quarantined
    assert (entry.record, entry.reason) == ("line 2", ReasonCode.BAD_ENCODING)
    assert "turns[0].speaker_name" in entry.message and str(path) in entry.message
