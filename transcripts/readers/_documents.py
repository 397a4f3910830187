"""JSON files as real exports hold them: one document, JSON Lines, or pages written back to back.

API exports are paginated (GetTranscript ``NextToken``, Sunshine ``meta.hasMore``, Twilio
``meta.next_page_url``) and pipelines often write every page, or every conversation, into one
file: one object per line (JSONL) or objects simply concatenated. ``json_values`` yields each
top-level value with where it starts; a single document keeps the locator ``file``. A value
that does not parse costs that value and what follows it in the file, never what came before.
A page holding its records in one list (``{"conversations": [...]}``) that does not parse,
or holds bytes that do not decode, is read element by element (``listed``): a damaged
element costs only itself, a cut only the elements it reaches.

Example::

    for item in json_values(path):
        if isinstance(item, Quarantined):
            ...
        record, value = item
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from transcripts.json_stream import MARK_BAD_BYTES, scan_values
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import SNIFF_BYTES
from transcripts.textio import (
    decode_document,
    detect_encoding,
    excerpt,
    json_error,
    parse_json_text,
    read_document_bytes,
)

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n\ufeff"
_NOT_NEWLINE = re.compile(r"[^\n]")


def json_values(path: Path, listed: Iterable[str] = ()) -> Iterator[tuple[str, Any] | Quarantined]:
    """Every top-level JSON value in ``path`` as ``(record, value)``, or quarantine entries.

    ``record`` is ``file`` for a file holding one value, else ``document N (line L)``. When a
    single document does not parse or decode and holds a list under one of the ``listed``
    keys, that list's elements are yielded instead as ``(key[N], element)`` (``listed_elements``).
    """
    data = read_document_bytes(path)
    if isinstance(data, Quarantined):
        yield data
        return
    text = decode_document(data, path)
    if isinstance(text, Quarantined):
        salvaged = _marked_text(data) if text.reason is ReasonCode.BAD_ENCODING else None
        yield from _salvaged(salvaged, path, listed, text)
        return
    whole = parse_json_text(text, path, "file")
    if not isinstance(whole, Quarantined):
        yield "file", whole
        return
    if not whole.message.split(": ", 1)[-1].startswith("Extra data"):
        yield from _salvaged(text, path, listed, whole)
        return
    yield from _concatenated(text, path)


def _marked_text(data: bytes) -> str | None:
    """``data`` decoded with each byte that does not decode marked (``MARK_BAD_BYTES``)."""
    encoding = detect_encoding(data[:SNIFF_BYTES])
    return None if encoding is None else data[encoding.bom :].decode(encoding.codec, errors=MARK_BAD_BYTES)


def _salvaged(
    text: str | None, path: Path, listed: Iterable[str], failure: Quarantined
) -> Iterator[tuple[str, Any] | Quarantined]:
    """The elements of the first ``listed`` list found in ``text``, else just ``failure``."""
    for key in listed if text is not None else ():
        elements = listed_elements(text, path, key)
        if elements is not None:
            yield from elements
            return
    yield failure


def listed_elements(text: str, path: Path, key: str) -> Iterator[tuple[str, Any] | Quarantined] | None:
    """Each element of the list under ``"key": [`` in a damaged document, or None if there is none.

    Elements are scanned with ``transcripts.json_stream.scan_values``: one that does not
    parse, or holds marked bad bytes, is a quarantine entry located ``key[N]`` (0-based, as
    in the intact document) and reading resumes at the next element.
    """
    match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
    if match is None:
        return None
    start = match.end() - 1
    padded = _NOT_NEWLINE.sub(" ", text[:start]) + text[start:]  # keeps line numbers
    return _elements(padded, path, key)


def _elements(text: str, path: Path, key: str) -> Iterator[tuple[str, Any] | Quarantined]:
    for item in scan_values([text], path, one_array=True):
        if isinstance(item, Quarantined):
            where = f"{key}[{int(item.record.split()[-1]) - 1}]"
            message = item.message.replace(f"{path} {item.record}", f"{path} {where}", 1)
            yield dataclasses.replace(item, record=where, message=message)
        else:
            yield f"{key}[{item.number - 1}]", item.value


def _concatenated(text: str, path: Path) -> Iterator[tuple[str, Any] | Quarantined]:
    """The values of ``text`` written one after another (JSON Lines or back to back)."""
    position, number = 0, 0
    while True:
        while position < len(text) and text[position] in _SPACE:
            position += 1
        if position >= len(text):
            return
        number += 1
        line = text.count("\n", 0, position) + 1
        record = f"document {number} (line {line})"
        try:
            value, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            yield json_error(path, record, text, exc)
            return
        except RecursionError:
            message = f"{path} {record} is nested too deeply"
            yield Quarantined(str(path), record, ReasonCode.INVALID_JSON, message, excerpt(text[position:]))
            return
        yield record, value


def records_of(value: Any, keys: Iterable[str]) -> list[Any] | None:
    """The list ``value`` is, or the list under the first of ``keys`` it holds; None otherwise.

    E.g. Intercom's ``{"type": "conversation.list", "conversations": [...]}``.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return value[key]
    return None


def count_skipped(skipped: dict[str, int], reason: str) -> None:
    """Add one to ``skipped[reason]``: a source item that did not become a turn, and why."""
    skipped[reason] = skipped.get(reason, 0) + 1
