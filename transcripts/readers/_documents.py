"""JSON files as real exports hold them: one document, JSON Lines, or pages written back to back.

API exports are paginated (GetTranscript ``NextToken``, Sunshine ``meta.hasMore``, Twilio
``meta.next_page_url``) and pipelines often write every page, or every conversation, into one
file: one object per line (JSONL) or objects simply concatenated. ``json_values`` yields each
top-level value with where it starts; a single document keeps the locator ``file``. A value
that does not parse costs that value and what follows it in the file, never what came before.

Example::

    for item in json_values(path):
        if isinstance(item, Quarantined):
            ...
        record, value = item
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import excerpt, json_error, parse_json_text, read_text_document

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n\ufeff"


def json_values(path: Path) -> Iterator[tuple[str, Any] | Quarantined]:
    """Every top-level JSON value in ``path`` as ``(record, value)``, or quarantine entries.

    ``record`` is ``file`` for a file holding one value, else ``document N (line L)``.
    """
    text = read_text_document(path)
    if isinstance(text, Quarantined):
        yield text
        return
    whole = parse_json_text(text, path, "file")
    if not isinstance(whole, Quarantined):
        yield "file", whole
        return
    if not whole.message.split(": ", 1)[-1].startswith("Extra data"):
        yield whole
        return
    yield from _concatenated(text, path)


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
