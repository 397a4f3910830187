"""Vendor readers against damaged input, chunk boundaries and each other's files."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcripts.detect import detect_format
from transcripts.json_stream import ScannedValue, scan_values
from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import read_path
from transcripts.readers import ccai_insights, connect_ctr, contact_lens, transcribe_call_analytics
from transcripts.readers.base import DuplicateRecord

VENDOR = Path(__file__).parent / "fixtures" / "vendor"
FORMATS = ("contact_lens", "transcribe_call_analytics", "ccai_insights", "connect_ctr")
CONVERTERS = {
    "contact_lens": contact_lens.conversation_from_analysis,
    "transcribe_call_analytics": transcribe_call_analytics.conversation_from_output,
    "ccai_insights": ccai_insights.conversation_from_document,
}
DOCUMENTS = {
    "contact_lens": ["voice_raw.json", "chat_bot_handoff.json"],
    "transcribe_call_analytics": ["call_raw.json", "job_with_output.json"],
    "ccai_insights": ["phone_call.json", "chat_bot_handoff.json", "ingest_chat.json"],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key/index path inside a JSON document."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _damage(document: Any, path: tuple, value: Any, delete: bool) -> Any:
    """A copy of ``document`` with the node at ``path`` replaced by ``value`` (or deleted)."""
    damaged = copy.deepcopy(document)
    if not path:
        return value
    parent = damaged
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return damaged


def _fixture_paths() -> list[tuple[str, Path]]:
    return [(fmt, path) for fmt in FORMATS for path in sorted((VENDOR / fmt).iterdir())]


@pytest.mark.parametrize(("fmt", "path"), _fixture_paths(), ids=lambda v: getattr(v, "name", v))
def test_every_vendor_fixture_is_detected_as_its_format(fmt: str, path: Path) -> None:
    """Content sniffing against every registered reader, not just the vendor ones."""
    assert detect_format(path) == fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_path_reads_every_fixture_of_a_format_without_errors_escaping(fmt: str) -> None:
    results = list(read_path(VENDOR / fmt))
    assert results
    assert all(isinstance(r, Conversation | Quarantined | DuplicateRecord) for r in results)
    # no result is a reader crash caught by read_path
    assert not [r for r in results if isinstance(r, Quarantined) and r.record.startswith("after result")]
    assert {r.source_format for r in results if isinstance(r, Conversation)} == {fmt}


@pytest.mark.parametrize(("fmt", "name"), [(fmt, name) for fmt, names in DOCUMENTS.items() for name in names])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_documents_never_raise(fmt: str, name: str, data: st.DataObject) -> None:
    """Any node replaced by any JSON value, or deleted: a conversation or a quarantine entry."""
    document = json.loads((VENDOR / fmt / name).read_text())
    paths = _paths(document)
    path = data.draw(st.sampled_from(paths), label="path")
    delete = bool(path) and data.draw(st.booleans(), label="delete")
    value = None if delete else data.draw(json_values, label="value")
    damaged = _damage(document, path, value, delete)
    result = CONVERTERS[fmt](damaged, VENDOR / fmt / name)
    assert isinstance(result, Conversation | Quarantined)
    if isinstance(result, Quarantined):
        assert result.message and result.record
        assert isinstance(result.reason, ReasonCode)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_damaged_contact_records_never_raise(data: st.DataObject) -> None:
    records = [
        json.loads(line)
        for line in (VENDOR / "connect_ctr" / "transfer_chain.jsonl").read_text().splitlines()
    ]
    index = data.draw(st.integers(0, len(records) - 1), label="record")
    paths = _paths(records[index])
    path = data.draw(st.sampled_from(paths), label="path")
    delete = bool(path) and data.draw(st.booleans(), label="delete")
    value = None if delete else data.draw(json_values, label="value")
    records[index] = _damage(records[index], path, value, delete)
    text = "".join(json.dumps(r) + "\n" for r in records)
    results = list(scan_values([text], Path("ctr.jsonl")))
    # a top-level array is a batch: its elements are the records
    assert len(results) == sum(len(r) if isinstance(r, list) else 1 for r in records)
    raw = [r for r in results if isinstance(r, ScannedValue)]
    kept = [
        connect_ctr.RawRecord(r.number, r.line, connect_ctr.compact_record(r.value))
        for r in raw
        if isinstance(r.value, dict)
        and isinstance(r.value.get("ContactId"), str)
        and r.value["ContactId"].strip()
    ]
    for chain in connect_ctr.contact_chains(kept):
        assert isinstance(
            connect_ctr.conversation_from_chain(chain, Path("ctr.jsonl")), Conversation | Quarantined
        )


def _scan(text: str, size: int) -> list[tuple]:
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        (r.number, r.line, r.value) if isinstance(r, ScannedValue) else (r.record, r.reason)
        for r in scan_values(chunks, Path("x"))
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in (VENDOR / "connect_ctr").iterdir()))
@pytest.mark.parametrize("size", [1, 7, 113, 4096])
def test_chunk_boundaries_do_not_change_what_is_scanned(name: str, size: int) -> None:
    text = (VENDOR / "connect_ctr" / name).read_text()
    assert _scan(text, size) == _scan(text, len(text) + 1)


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0))
def test_contact_records_cut_anywhere_keep_every_complete_line(cut: int) -> None:
    lines = (VENDOR / "connect_ctr" / "transfer_chain.jsonl").read_text().splitlines(keepends=True)
    text = "".join(lines)
    cut %= len(text) + 1
    complete = text[:cut].count("\n")
    results = list(scan_values([text[:cut]], Path("x")))
    scanned = [r for r in results if isinstance(r, ScannedValue)]
    assert len(scanned) >= complete
    assert [r.value for r in scanned[:complete]] == [json.loads(line) for line in lines[:complete]]
    bad = [r for r in results if isinstance(r, Quarantined)]
    assert all(q.reason is ReasonCode.TRUNCATED for q in bad)
    assert len(bad) <= 1


def test_record_larger_than_the_limit_is_skipped() -> None:
    big = {"ContactId": "big", "Attributes": {"blob": "x" * 500}}
    small = {"ContactId": "small", "InitiationMethod": "INBOUND", "Channel": "VOICE"}
    text = json.dumps(big) + "\n" + json.dumps(small) + "\n"
    results = list(scan_values([text[i : i + 50] for i in range(0, len(text), 50)], Path("x"), 200))
    assert isinstance(results[0], Quarantined) and results[0].reason is ReasonCode.RECORD_TOO_LARGE
    assert isinstance(results[1], ScannedValue) and results[1].value == small
    assert results[1].line == 2


@pytest.mark.parametrize(
    ("content", "reason", "record"),
    [
        (bytes(range(256)) * 4, ReasonCode.BINARY, "file"),
        (
            b'{"ContactId": "a", "InitiationMethod": "INBOUND", "Channel": "VOICE"}\n'
            b'{"ContactId": "caf\xe9"}\n'
            b'{"ContactId": "c", "InitiationMethod": "INBOUND", "Channel": "VOICE"}\n',
            ReasonCode.BAD_ENCODING,
            "record 2",  # the record holding the \xe9, and only it
        ),
    ],
)
def test_undecodable_contact_record_files(
    tmp_path: Path, content: bytes, reason: ReasonCode, record: str
) -> None:
    path = tmp_path / "ctr.jsonl"
    path.write_bytes(content)
    results = list(connect_ctr.read(path))
    bad = [r for r in results if isinstance(r, Quarantined)]
    assert [(q.reason, q.record) for q in bad] == [(reason, record)]
    if reason is ReasonCode.BAD_ENCODING:
        assert "bytes e9" in bad[0].message
        # the records before and after the bad bytes are still read (make fuzz: they used to be lost)
        assert sorted(r.id for r in results if isinstance(r, Conversation)) == ["a", "c"]


def test_utf16_contact_records_are_read(tmp_path: Path) -> None:
    text = (VENDOR / "connect_ctr" / "records_array.json").read_text()
    path = tmp_path / "ctr-utf16.json"
    path.write_bytes(text.encode("utf-16"))
    conversations = [r for r in connect_ctr.read(path) if isinstance(r, Conversation)]
    assert sorted(c.id for c in conversations) == [
        "d3c2b1a0-1111-4a2b-9c3d-5e6f7a8b9c10",
        "e4d3c2b1-3333-4b2c-8d3e-6f7a8b9c0d12",
    ]
