"""The streaming JSON scanner: records, line numbers, and how broken values are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transcripts.json_stream import ScannedValue, UnreadableError, scan_values, text_chunks
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import UTF8

GOOD = [{"id": 1, "ok": True}, {"id": 2, "ok": None}]


def scan(text: str, size: int | None = None) -> list[tuple]:
    """(number, line, value) per record and (record, reason) per quarantine entry."""
    size = size or len(text) + 1
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    return [
        (r.number, r.line, r.value) if isinstance(r, ScannedValue) else (r.record, r.reason)
        for r in scan_values(chunks, Path("x.json"))
    ]


@pytest.mark.parametrize("size", [1, 5, None])
@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("".join(json.dumps(v) + "\n" for v in GOOD), [1, 2]),  # JSON Lines
        ("".join(json.dumps(v) for v in GOOD), [1, 1]),  # concatenated objects
        (json.dumps(GOOD, indent=2), [2, 6]),  # pretty-printed array
        (json.dumps(GOOD[:1]) + "\n" + json.dumps(GOOD[1:]), [1, 2]),  # arrays back to back
    ],
)
def test_layouts_give_the_same_records(text: str, lines: list[int], size: int | None) -> None:
    assert scan(text, size) == [(1, lines[0], GOOD[0]), (2, lines[1], GOOD[1])]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ('{"id": 9, "ok": nu', ReasonCode.TRUNCATED),
        ('{"id": 9, "ok": fal', ReasonCode.TRUNCATED),
        ('{"id": 9, "note": "half a sen', ReasonCode.TRUNCATED),
        ('{"id": 9, "ok": nul}', ReasonCode.INVALID_JSON),
        ("{'id': 9}", ReasonCode.INVALID_JSON),
    ],
)
def test_a_broken_json_line_is_reported_alone(broken: str, reason: ReasonCode) -> None:
    text = json.dumps(GOOD[0]) + "\n" + broken + "\n" + json.dumps(GOOD[1]) + "\n"
    assert scan(text) == [(1, 1, GOOD[0]), ("record 2", reason), (3, 3, GOOD[1])]


def test_a_stream_cut_inside_a_literal_is_truncated() -> None:
    text = json.dumps(GOOD[0]) + '{"id": 2, "ok": tr'
    assert scan(text, 4) == [(1, 1, GOOD[0]), ("record 2", ReasonCode.TRUNCATED)]


def test_concatenated_objects_resume_after_a_bad_one() -> None:
    text = json.dumps(GOOD[0]) + '{"id": x}' + json.dumps(GOOD[1])
    assert scan(text) == [(1, 1, GOOD[0]), ("record 2", ReasonCode.INVALID_JSON), (3, 1, GOOD[1])]


def test_text_chunks_stop_at_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{"a": 1}\n{"b": "caf\xe9"}\n')
    seen: list[str] = []
    with pytest.raises(UnreadableError) as raised:
        seen.extend(text_chunks(path, UTF8))
    assert "".join(seen) == '{"a": 1}\n{"b": "caf'
    assert isinstance(raised.value.quarantined, Quarantined)
    assert (raised.value.quarantined.reason, raised.value.quarantined.record) == (
        ReasonCode.BAD_ENCODING,
        "byte 19",
    )
