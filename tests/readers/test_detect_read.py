from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.detect import detect_format, sniff_scores
from transcripts.quarantine import ReasonCode
from transcripts.read import iter_input_files, read_path
from transcripts.readers.all import readers

VENDOR_FIXTURES = Path(__file__).parent / "fixtures" / "vendor"
RECORD = {"id": "C-1", "channel": "chat", "turns": [{"role": "customer", "text": "Hi"}]}
SAMPLES = {
    "json": json.dumps(RECORD, indent=2),
    "csv": "conversation_id,role,text\nC-1,customer,Hi\n",
    "text": "Customer: Hi\nAgent (Maria): Hello\n",
    "webvtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Customer>Hi\n",
}


def test_every_reader_module_is_registered() -> None:
    assert set(readers()) == {
        "json",
        "csv",
        "text",
        "webvtt",
        "srt",
        "contact_lens",
        "connect_chat",
        "transcribe",
        "transcribe_call_analytics",
        "pca_parsed",
        "ccai_insights",
        "connect_ctr",
        "genesys",
        "azure_speech",
        "zendesk_sunco",
        "intercom",
        "twilio_conversations",
        "social_threads",
    }


@pytest.mark.parametrize("expected", sorted(SAMPLES))
@pytest.mark.parametrize("suffix", [".dat", ".txt", ""])
def test_detects_by_content_not_extension(write, expected: str, suffix: str) -> None:
    path = write(f"export{suffix}", SAMPLES[expected])
    assert detect_format(path) == expected


def test_extension_breaks_near_ties(write) -> None:
    from transcripts.readers.base import Reader

    def always(score: float) -> Reader:
        return Reader("x", "", lambda head, path: score, lambda path: iter(()))

    path = write("a.csv", "anything\n")
    candidates = {"json": always(0.5), "csv": always(0.48), "text": always(0.2)}
    assert detect_format(path, candidates) == "csv"
    assert detect_format(write("a.bin", "anything\n"), candidates) == "json"


def test_vendor_fixtures_are_detected_as_their_format() -> None:
    fixtures = sorted(p for p in VENDOR_FIXTURES.rglob("*") if p.is_file())
    assert {p.parent.name for p in fixtures} >= {"contact_lens", "connect_ctr"}
    wrong = {p.relative_to(VENDOR_FIXTURES).as_posix(): detect_format(p) for p in fixtures}
    assert {name: fmt for name, fmt in wrong.items() if fmt != name.split("/")[0]} == {}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("Dear team, please see the invoice.\nThanks\n", ReasonCode.UNKNOWN_FORMAT),
        ("", ReasonCode.UNKNOWN_FORMAT),
        (b"\x00\x01\x02binary\x00\xff" * 20, ReasonCode.BINARY),
    ],
)
def test_unreadable_files_give_one_entry(write, content, reason: ReasonCode) -> None:
    path = write("mystery.dat", content)
    assert sniff_scores(path).get("json", 0.0) < 0.2
    (_, quarantined) = split(read_path(path))
    (entry,) = quarantined
    assert (entry.reason, entry.record, entry.file) == (reason, "file", str(path))
    assert str(path) in entry.message


def test_missing_path_is_io_error(tmp_path: Path) -> None:
    (entry,) = list(read_path(tmp_path / "nope.json"))
    assert entry.reason is ReasonCode.IO_ERROR and "no such file" in entry.message  # type: ignore[union-attr]


def test_folder_walk_is_recursive_sorted_and_skips_hidden(write, tmp_path: Path) -> None:
    write("b/2.csv", SAMPLES["csv"].replace("C-1", "C-csv"))
    write("a.json", SAMPLES["json"])
    write("b/1.vtt", SAMPLES["webvtt"])
    write("c.txt", SAMPLES["text"])
    write(".hidden.json", SAMPLES["json"])
    write(".git/x.json", SAMPLES["json"])
    files = iter_input_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.json", "b/1.vtt", "b/2.csv", "c.txt"]
    conversations, quarantined = split(read_path(tmp_path))
    assert quarantined == []
    assert [(c.source_format, Path(c.source_file).name) for c in conversations] == [
        ("json", "a.json"),
        ("webvtt", "1.vtt"),
        ("csv", "2.csv"),
        ("text", "c.txt"),
    ]


def test_explicit_files_are_kept_in_given_order(write) -> None:
    first, second = write("z.json", "{}"), write("a.json", "{}")
    assert iter_input_files([first, second]) == [first, second]


def test_format_override(write) -> None:
    path = write("chat.json", SAMPLES["text"])
    (_, quarantined) = split(read_path(path, format="json"))
    assert quarantined[0].reason is ReasonCode.INVALID_JSON
    (conversation,), _ = split(read_path(path, format="text"))
    assert conversation.source_format == "text"


def test_unknown_format_name_is_a_caller_error(write) -> None:
    with pytest.raises(KeyError, match="valid formats: .*csv"):
        list(read_path(write("a.json", "{}"), format="yaml"))


def test_csv_columns_override(write, tmp_path: Path) -> None:
    mapping = tmp_path / "cols.yaml"
    mapping.write_text("columns:\n  conversation_id: [case_no]\n  role: [who]\n  text: [said]\n")
    path = write("cases.csv", "case_no,who,said\nK-1,customer,hello\n")
    (conversation,), _ = split(read_path(path, format="csv", csv_columns=mapping))
    assert conversation.id == "K-1"
    (_, quarantined) = split(read_path(path, format="csv"))
    assert quarantined[0].reason is ReasonCode.MISSING_FIELD


def test_broken_csv_columns_file_raises(write, tmp_path: Path) -> None:
    mapping = tmp_path / "cols.yaml"
    mapping.write_text("columns:\n  conversation_id: [a]\n  role: [b]\n  text: [c]\n  bogus: [d]\n")
    with pytest.raises(ValueError, match="bogus"):
        list(read_path(write("a.csv", SAMPLES["csv"]), csv_columns=mapping))
