"""Bad input end to end through ``read_path``: each problem is one quarantine entry naming file and record."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.readers.conftest import split
from transcripts.quarantine import ReasonCode
from transcripts.read import read_path
from transcripts.textio import MAX_DOCUMENT_BYTES, MAX_RECORD_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORD = {
    "id": "C-1",
    "channel": "chat",
    "customer_id": "cust-1",
    "turns": [
        {"role": "customer", "text": "Café ☕ is cold"},
        {"role": "agent", "speaker": "a1", "text": "Désolé!"},
    ],
}
SAMPLES = {
    "json": json.dumps([RECORD], ensure_ascii=False, indent=1),
    "jsonl": json.dumps(RECORD, ensure_ascii=False) + "\n",
    "csv": "conversation_id,role,speaker_id,text\nC-1,customer,,Café ☕ is cold\nC-1,agent,a1,Désolé!\n",
    "txt": "Conversation: C-1\n\nCustomer: Café ☕ is cold\nAgent (a1): Désolé!\n",
    "vtt": "WEBVTT\n\nNOTE conversation=C-1\n\n00:01.000 --> 00:02.000\n<v Customer>Café ☕ is cold\n\n"
    "00:02.000 --> 00:03.000\n<v Agent a1>Désolé!\n",
}
ENCODINGS = {  # name: (BOM, codec)
    "utf-8": (b"", "utf-8"),
    "utf-8-bom": (codecs.BOM_UTF8, "utf-8"),
    "utf-16-le-bom": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "utf-16-be-bom": (codecs.BOM_UTF16_BE, "utf-16-be"),
    "utf-16-le-no-bom": (b"", "utf-16-le"),
    "utf-16-be-no-bom": (b"", "utf-16-be"),
    "utf-32-le-bom": (codecs.BOM_UTF32_LE, "utf-32-le"),
}


def _encode(text: str, name: str) -> bytes:
    bom, codec = ENCODINGS[name]
    return bom + text.encode(codec)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_supported_encodings_read_identically(write, kind: str, encoding: str) -> None:
    path = write(f"sample.{kind}", _encode(SAMPLES[kind], encoding))
    (conversation,), quarantined = split(read_path(path))
    assert quarantined == []
    assert conversation.id == "C-1"
    assert [t.text for t in conversation.turns] == ["Café ☕ is cold", "Désolé!"]


@pytest.mark.parametrize(
    ("name", "content", "reason", "record"),
    [
        (
            "trunc.json",
            '[{"id": "C-1", "channel": "chat", "turns": [{"role": "cust',
            ReasonCode.TRUNCATED,
            "record 1",
        ),
        ("trunc-doc.json", '{\n "id": "C-1",\n "turns": [', ReasonCode.TRUNCATED, "file"),
        (
            "trunc.jsonl",
            json.dumps(RECORD) + "\n" + json.dumps(RECORD)[:40] + "\n",
            ReasonCode.TRUNCATED,
            "line 2",
        ),
        (
            "cut-literal.jsonl",
            json.dumps(RECORD) + "\n" + '{"id": "C-2", "customer_id": nu\n',
            ReasonCode.TRUNCATED,
            "line 2",
        ),
        ("invalid.json", '[{"id": "C-1", "turns": [}]', ReasonCode.INVALID_JSON, "record 1"),
        (
            "invalid.jsonl",
            json.dumps(RECORD) + "\n{'id': 'single quotes'}\n",
            ReasonCode.INVALID_JSON,
            "line 2",
        ),
    ],
)
def test_truncated_and_invalid_json(write, name: str, content: str, reason: ReasonCode, record: str) -> None:
    path = write(name, content)
    _, quarantined = split(read_path(path, format="json"))
    (entry,) = quarantined
    assert (entry.reason, entry.record, entry.file) == (reason, record, str(path))
    assert str(path) in entry.message and record in entry.message


@pytest.mark.parametrize(
    ("kind", "content", "reason", "record"),
    [
        ("jsonl", {"turns": [{"role": "wizard", "text": "hi"}]}, ReasonCode.UNKNOWN_ROLE, "line 1"),
        ("jsonl", {"turns": [{"role": "agent", "text": "   "}]}, ReasonCode.EMPTY_TURN, "line 1"),
        ("jsonl", {"turns": [{"role": "agent", "text": ""}]}, ReasonCode.EMPTY_TURN, "line 1"),
        (
            "jsonl",
            {
                "turns": [
                    {"index": 1, "role": "agent", "text": "a"},
                    {"index": 1, "role": "customer", "text": "b"},
                ]
            },
            ReasonCode.TURNS_OUT_OF_ORDER,
            "line 1",
        ),
        ("csv", "conversation_id,role,text\nC,wizard,hi\n", ReasonCode.UNKNOWN_ROLE, "line 2"),
        ("csv", "conversation_id,role,text\nC,agent,\t \n", ReasonCode.EMPTY_TURN, "line 2"),
        (
            "csv",
            "conversation_id,role,seq,text\nC,agent,1,a\nC,customer,1,b\n",
            ReasonCode.TURNS_OUT_OF_ORDER,
            "line 2",
        ),
        ("txt", "Customer: hi\nWizard (Ann): hello\n", ReasonCode.UNKNOWN_SPEAKER, "line 2"),
    ],
)
def test_record_problems(write, kind: str, content, reason: ReasonCode, record: str) -> None:
    text = json.dumps({**RECORD, **content}) + "\n" if isinstance(content, dict) else content
    path = write(f"bad.{kind}", text)
    conversations, quarantined = split(read_path(path))
    assert conversations == []
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (reason, record)
    assert entry.message.startswith(f"{path} {record}")


def test_turns_out_of_time_order_are_sorted_not_rejected(write) -> None:
    record = {
        **RECORD,
        "turns": [
            {"role": "agent", "text": "b", "start_ms": 5},
            {"role": "customer", "text": "a", "start_ms": 1},
        ],
    }
    (conversation,), _ = split(read_path(write("late.jsonl", json.dumps(record) + "\n")))
    assert [t.text for t in conversation.turns] == ["a", "b"] and conversation.extra["reordered"] is True


@pytest.mark.parametrize(
    ("name", "content", "record", "survivors"),
    [
        (
            "cp1252.jsonl",
            json.dumps(RECORD).encode()
            + b'\n{"id": "C-2", "channel": "chat", "turns": [{"role": "customer", "text": "caf\xe9"}]}\n',
            "line 2",
            ["C-1"],
        ),
        (
            "cp1252.csv",
            b"conversation_id,role,text\nC-2,customer,\x93quoted\x94\nC-1,customer,fine\n",
            "line 2",
            ["C-1"],
        ),
        ("cp1252.txt", b"Customer: caf\xe9\n---\nConversation: C-1\nCustomer: fine\n", "line 1", ["C-1"]),
        (
            "cp1252.json",
            b'[{"id": "C-2", "channel": "chat", "turns": [{"role": "customer", "text": "caf\xe9"}]}]',
            "record 1",
            [],
        ),
        ("cp1252.vtt", b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Customer>caf\xe9\n", "line 4", []),
    ],
)
def test_non_utf8_is_bad_encoding_never_mangled(
    write, name: str, content: bytes, record: str, survivors
) -> None:
    path = write(name, content)
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == survivors
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (ReasonCode.BAD_ENCODING, record)
    assert str(path) in entry.message
    assert all("\ufffd" not in t.text for c in conversations for t in c.turns)


@pytest.mark.parametrize("fmt", [None, "json", "csv", "text", "webvtt", "contact_lens", "connect_ctr"])
def test_binary_junk(write, fmt: str | None) -> None:
    path = write("junk.json", os.urandom(64) + b"\x00" * 32 + os.urandom(4000))
    (entry,) = list(read_path(path, format=fmt))
    assert (entry.reason, entry.record) == (ReasonCode.BINARY, "file")  # type: ignore[union-attr]
    assert str(path) in entry.message  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "big_line"), [("huge.jsonl", 2), ("huge-first.json", 1)])
def test_huge_jsonl_record_is_skipped(tmp_path: Path, name: str, big_line: int) -> None:
    path = tmp_path / name
    small = [json.dumps({**RECORD, "id": f"C-{n}"}).encode() + b"\n" for n in (1, 3)]
    with path.open("wb") as handle:
        if big_line == 2:
            handle.write(small.pop(0))
        handle.write(b'{"id": "big", "channel": "chat", "turns": [{"role": "customer", "text": "')
        handle.write(b"x" * (MAX_RECORD_BYTES + 1024))
        handle.write(b'"}]}\n')
        handle.writelines(small)
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3"]
    (entry,) = quarantined
    assert (entry.reason, entry.record) == (ReasonCode.RECORD_TOO_LARGE, f"line {big_line}")
    assert f"{path} line {big_line}" in entry.message


@pytest.mark.parametrize("fmt", ["json", "contact_lens"])
def test_oversized_whole_document_is_refused(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "giant.json"
    with path.open("wb") as handle:
        handle.write(b"{\n" + b" " * 70_000)
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no real disk use
    (entry,) = list(read_path(path, format=fmt))
    assert (entry.reason, entry.record) == (ReasonCode.FILE_TOO_LARGE, "file")  # type: ignore[union-attr]
    assert str(path) in entry.message  # type: ignore[union-attr]


_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from transcripts.read import read_path
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
results = [(type(r).__name__, getattr(r, "id", None), getattr(r, "reason", None), getattr(r, "record", None),
            getattr(r, "message", None)) for r in read_path(Path(sys.argv[1]))]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
seconds = time.perf_counter() - started
print(json.dumps({"results": results, "growth_kib": peak - baseline, "seconds": seconds}))
"""


@pytest.mark.slow
def test_one_gib_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one-gib.jsonl"
    chunk = b"x" * (8 * 1024 * 1024)
    with path.open("wb") as handle:
        handle.write(json.dumps(RECORD).encode() + b"\n")
        handle.write(b'{"id": "big", "channel": "chat", "turns": [{"role": "customer", "text": "')
        for _ in range(128):  # 1 GiB
            handle.write(chunk)
        handle.write(b'"}]}\n')
        handle.write(json.dumps({**RECORD, "id": "C-3"}).encode() + b"\n")
    assert path.stat().st_size > 1024**3
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    elapsed = time.perf_counter() - started
    path.unlink()
    report = json.loads(done.stdout.strip().splitlines()[-1])
    kinds = [(kind, ident, reason, record) for kind, ident, reason, record, _ in report["results"]]
    assert kinds == [
        ("Conversation", "C-1", None, None),
        ("Quarantined", None, "record_too_large", "line 2"),
        ("Conversation", "C-3", None, None),
    ]
    assert f"{path} line 2" in report["results"][1][4]
    growth_mb = report["growth_kib"] / 1024
    assert growth_mb < 200, f"peak RSS grew by {growth_mb:.0f} MB while reading 1 GiB"
    assert elapsed < 60, f"reading 1 GiB took {elapsed:.1f} s"


_COUNT = """
import json, resource, sys, time
from collections import Counter
from pathlib import Path
from transcripts.read import read_path
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
kinds, turns, last = Counter(), 0, None
for result in read_path(Path(sys.argv[1])):
    kinds[type(result).__name__] += 1
    turns += len(getattr(result, "turns", ()))
    last = getattr(result, "id", getattr(result, "record", None))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kinds": kinds, "turns": turns, "last": last, "growth_kib": peak - baseline,
                  "seconds": time.perf_counter() - started}))
"""


@pytest.mark.slow
def test_one_gib_of_ordinary_records_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A 1 GiB export of normal conversations: every one is read, none is held after it is yielded."""
    path = tmp_path / "one-gib-export.jsonl"
    sentence = "My card was charged twice for the same order and I would like the second charge refunded. "
    text = (sentence * 50)[:4000]
    turns = [{"role": "customer" if n % 2 == 0 else "agent", "text": text} for n in range(8)]
    line = json.dumps({"id": "C-ID", "channel": "chat", "customer_id": "cust-1", "turns": turns}) + "\n"
    count = 1024**3 // len(line) + 1
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(line.replace("C-ID", f"C-{n:06d}", 1))
        handle.write('{"id": "C-broken", "channel": "chat", "turns": [\n')  # a cut-off last record
    assert path.stat().st_size > 1024**3
    done = subprocess.run(
        [sys.executable, "-c", _COUNT, str(path)], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    path.unlink()
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["kinds"] == {"Conversation": count, "Quarantined": 1}
    assert report["turns"] == 8 * count and report["last"] == f"line {count + 1}"
    growth_mb = report["growth_kib"] / 1024
    assert growth_mb < 200, f"peak RSS grew by {growth_mb:.0f} MB while reading {count} conversations"
    assert report["seconds"] < 300, f"reading 1 GiB took {report['seconds']:.0f} s"
