from __future__ import annotations

import codecs
import json
from pathlib import Path

import ijson
import pytest

from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import (
    Encoding,
    Line,
    detect_encoding,
    iter_lines,
    load_json_document,
    open_utf8_stream,
    read_text_document,
    sniff_text,
)

TEXT = "héllo\r\nwörld €\n\nlast"
LINES = [(1, "héllo"), (2, "wörld €"), (3, ""), (4, "last")]


@pytest.mark.parametrize(
    ("raw", "codec", "bom"),
    [
        (TEXT.encode("utf-8"), "utf-8", 0),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", 3),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le", 2),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", 2),
        (TEXT.encode("utf-16-le"), "utf-16-le", 0),
        (TEXT.encode("utf-16-be"), "utf-16-be", 0),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le", 4),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32-be", 4),
        (TEXT.encode("utf-32-le"), "utf-32-le", 0),
    ],
)
@pytest.mark.parametrize("chunk", [1, 3, 1024])
def test_encodings_decode_line_by_line(write, raw: bytes, codec: str, bom: int, chunk: int) -> None:
    path = write("a.txt", raw)
    encoding = detect_encoding(raw)
    assert encoding is not None and (encoding.codec, encoding.bom) == (codec, bom)
    lines = list(iter_lines(path, chunk_bytes=chunk))
    assert [(line.number, line.text) for line in lines] == LINES  # type: ignore[union-attr]
    assert sniff_text(path) == TEXT
    assert read_text_document(path) == TEXT


@pytest.mark.parametrize(
    "head",
    [
        bytes(range(256)) * 4,
        b"\x00\x01\x02\x03garbage\x00\x00\xff",
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 50,
    ],
)
def test_binary_heads_are_detected(write, head: bytes) -> None:
    assert detect_encoding(head) is None
    path = write("junk.bin", head)
    (entry,) = list(iter_lines(path))
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.BINARY
    assert entry.record == "file" and str(path) in entry.message
    assert sniff_text(path) == ""


def test_invalid_utf8_quarantines_only_its_line(write) -> None:
    path = write("cp1252.txt", b"ok\nbad \x93quote\x94\nfine\n")
    items = list(iter_lines(path))
    assert items[0] == Line(1, "ok") and items[2] == Line(3, "fine")
    bad = items[1]
    assert isinstance(bad, Quarantined)
    assert (bad.reason, bad.record) == (ReasonCode.BAD_ENCODING, "line 2")
    assert "cp1252.txt line 2" in bad.message and "93" in bad.message


def test_invalid_utf8_quarantines_whole_document(write) -> None:
    path = write("doc.json", b'{"a": "caf\xe9"}')
    entry = load_json_document(path)
    assert isinstance(entry, Quarantined)
    assert (entry.reason, entry.record) == (ReasonCode.BAD_ENCODING, "file")


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_long_lines_are_reported_not_buffered(write, chunk: int) -> None:
    path = write("long.txt", b"a\n" + b"x" * 100 + b"\nb\n" + b"y" * 50)
    items = list(iter_lines(path, max_line_bytes=20, chunk_bytes=chunk))
    assert [type(i).__name__ for i in items] == ["Line", "Quarantined", "Line", "Quarantined"]
    assert items[2] == Line(3, "b")
    assert [(i.record, i.reason) for i in items if isinstance(i, Quarantined)] == [
        ("line 2", ReasonCode.RECORD_TOO_LARGE),
        ("line 4", ReasonCode.RECORD_TOO_LARGE),
    ]
    assert set(items[1].excerpt) == {"x"}  # type: ignore[union-attr]


def test_long_line_in_utf16_keeps_alignment(write) -> None:
    text = "a\n" + "x" * 100 + "\nb\n"
    path = write("long16.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    items = list(iter_lines(path, max_line_bytes=40, chunk_bytes=7))
    assert items[0] == Line(1, "a") and items[2] == Line(3, "b")
    assert isinstance(items[1], Quarantined) and items[1].reason is ReasonCode.RECORD_TOO_LARGE


@pytest.mark.parametrize(
    ("content", "reason", "where"),
    [
        (b'{"a": [1, 2', ReasonCode.TRUNCATED, "line 1 column 12"),
        (b'{"a": [1, 2}', ReasonCode.INVALID_JSON, "line 1 column 12"),
        (b'{"a": nu', ReasonCode.TRUNCATED, "line 1 column 7"),
        (b'{"a": [true, fals', ReasonCode.TRUNCATED, "line 1 column 14"),
        (b'{"a": tr\n', ReasonCode.TRUNCATED, "line 1 column 7"),
        (b'{"a": "caf', ReasonCode.TRUNCATED, "line 1 column 7"),
        (b'{"a": 1.', ReasonCode.TRUNCATED, "line 1 column 8"),
        (b'{"a": "\\u00', ReasonCode.TRUNCATED, "line 1 column 9"),
        (b'{"a": nul}', ReasonCode.INVALID_JSON, "line 1 column 7"),
        (b'{"a": tru e}', ReasonCode.INVALID_JSON, "line 1 column 7"),
        (b'{"a": 1.}', ReasonCode.INVALID_JSON, "line 1 column 8"),
        (b'{"a": "\\u00zz"}', ReasonCode.INVALID_JSON, "line 1 column 9"),
        (b'{\n  "a": 1,\n  "b": x\n}', ReasonCode.INVALID_JSON, "line 3 column 8"),
        (b"", ReasonCode.INVALID_JSON, "empty"),
        (b"   \n", ReasonCode.INVALID_JSON, "empty"),
    ],
)
def test_json_document_errors_name_position(write, content: bytes, reason: ReasonCode, where: str) -> None:
    path = write("doc.json", content)
    entry = load_json_document(path)
    assert isinstance(entry, Quarantined)
    assert entry.reason is reason
    assert where in entry.message and str(path) in entry.message


def test_json_document_too_large(write) -> None:
    path = write("big.json", json.dumps({"a": "x" * 200}))
    entry = load_json_document(path, max_bytes=100)
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.FILE_TOO_LARGE
    assert load_json_document(path) == {"a": "x" * 200}


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_utf8_stream_transcodes_for_ijson(write, codec: str) -> None:
    data = [{"text": "café €"}, {"text": "naïve"}]
    path = write("a.json", json.dumps(data, ensure_ascii=False).encode(codec))
    stream = open_utf8_stream(path)
    assert not isinstance(stream, Quarantined)
    with stream:
        assert list(ijson.items(stream, "item")) == data


def test_unreadable_file_is_io_error(tmp_path: Path) -> None:
    (entry,) = list(iter_lines(tmp_path / "missing.txt"))
    assert isinstance(entry, Quarantined) and entry.reason is ReasonCode.IO_ERROR


def test_encoding_newline_bytes() -> None:
    assert Encoding("utf-16-le", 2, 2).newline == b"\n\x00"
    assert Encoding("utf-32-be", 4, 4).newline == b"\x00\x00\x00\n"
