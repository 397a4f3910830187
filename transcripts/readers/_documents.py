"""JSON files as real exports hold them: one document, JSON Lines, or pages written back to back.

API exports are paginated (GetTranscript ``NextToken``, Sunshine ``meta.hasMore``, Twilio
``meta.next_page_url``) and pipelines often write every page, or every conversation, into one
file: one object per line (JSONL) or objects simply concatenated. ``json_values`` yields each
top-level value with where it starts; a single document keeps the locator ``file``. A value
that does not parse costs only that value (reading resumes at the next line for one value
per line, else at the next ``}`` ``{``); bytes that do not decode cost the value holding them.
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
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from transcripts.json_stream import MARK_BAD_BYTES, lf_line_ends, scan_values
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import SNIFF_BYTES
from transcripts.textio import (
    EXCERPT_CHARS,
    UTF8,
    decode_document,
    detect_encoding,
    excerpt,
    json_error,
    lone_surrogate,
    parse_json_text,
    read_document_bytes,
    storable,
)

_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n\ufeff"
_NOT_NEWLINE = re.compile(r"[^\n]")
_NEXT_OBJECT = re.compile(r"\}\s*\{")
_KEY_BEFORE_LIST = re.compile(r'"([^"\n]{1,100})"\s*:\s*\[')
KEY_DAMAGE = 3
"""Characters of a list's key that may be lost or changed for the list still to be found by it."""


def json_values(
    path: Path, listed: Iterable[str] = (), element_start: str | None = None
) -> Iterator[tuple[str, Any] | Quarantined]:
    """Every top-level JSON value in ``path`` as ``(record, value)``, or quarantine entries.

    ``record`` is ``file`` for a file holding one value, else ``document N (line L)``. When a
    single document does not parse or decode and holds a list under one of the ``listed``
    keys, that list's elements are yielded instead as ``(key[N], element)`` (``listed_elements``);
    when no such key is left, elements of the first key are found by how each begins, the
    regular expression ``element_start`` (``elements_by_start``).
    """
    data = read_document_bytes(path)
    if isinstance(data, Quarantined):
        yield data
        return
    text = decode_document(data, path)
    failure = text if isinstance(text, Quarantined) else None
    if failure is not None:  # bytes that do not decode: marked, so that they cost only their value
        text = _marked_text(data) if failure.reason is ReasonCode.BAD_ENCODING else None
        if text is None:
            yield failure
            return
    assert isinstance(text, str)
    text = "".join(lf_line_ends([text]))  # CR-only or mixed line ends: lines, so damage costs one
    whole = parse_json_text(text, path, "file")
    if not isinstance(whole, Quarantined) and failure is None:
        yield "file", whole
        return
    if isinstance(whole, Quarantined) and (
        whole.message.split(": ", 1)[-1].startswith("Extra data") or _json_lines(text)
    ):
        yield from _concatenated(text, path)
        return
    yield from _salvaged(text, path, tuple(listed), element_start, failure or whole)


def _json_lines(text: str) -> bool:
    """True when ``text`` reads as JSON Lines: lines at their first column that open or close an object.

    At least two lines, one of them a whole ``{...}``, and half of them starting with ``{`` or
    ending with ``}`` without indentation (a pretty-printed document has two: its first and
    last). Then damage that spoils a line, or splits one (junk holding a newline), costs
    only the lines it touches instead of the file.
    """
    lines = [line.rstrip(_SPACE) for line in text.split("\n") if line.strip(_SPACE)]
    edges = [line for line in lines if not line[0].isspace() and (line[0] == "{" or line[-1] == "}")]
    whole = sum(1 for line in edges if line[0] == "{" and line[-1] == "}")
    return len(lines) >= 2 and whole >= 1 and 2 * len(edges) >= len(lines)


def _marked_text(data: bytes) -> str:
    """``data`` decoded with each byte that does not decode marked (``MARK_BAD_BYTES``).

    A head that looks binary (junk in a short first line) is read as UTF-8: the file as a
    whole passed as text (``transcripts.read``), so the junk costs only its value.
    """
    encoding = detect_encoding(data[:SNIFF_BYTES]) or UTF8
    return data[encoding.bom :].decode(encoding.codec, errors=MARK_BAD_BYTES)


def _salvaged(
    text: str | None, path: Path, listed: tuple[str, ...], element_start: str | None, failure: Quarantined
) -> Iterator[tuple[str, Any] | Quarantined]:
    """The elements of the first ``listed`` list found in ``text``, else just ``failure``."""
    for key in listed if text is not None else ():
        elements = listed_elements(text, path, key)
        if elements is not None:
            yield from elements
            return
    if text is not None and listed and element_start is not None:
        elements = elements_by_start(text, path, listed[0], element_start)
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
    match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text) or _damaged_key(text, key)
    if match is None:
        return None
    start = match.end() - 1
    padded = _NOT_NEWLINE.sub(" ", text[:start]) + text[start:]  # keeps line numbers
    return _elements(padded, path, key)


def _damaged_key(text: str, key: str) -> re.Match[str] | None:
    r"""The first ``"name": [`` of the top-level object whose name is ``key`` damaged, else None.

    Damaged means that at most ``KEY_DAMAGE`` of the key's characters are lost or changed,
    whatever was spliced in (junk, a NUL, bytes that do not decode): ``"conversat\xedions"``.
    Only a key of the top-level object counts, so a nested list (Intercom's
    ``"conversation_parts"``) is never taken for the page's.
    """
    depth = _Depth(text)
    for match in _KEY_BEFORE_LIST.finditer(text):
        if _close(key, match.group(1)) and depth.at(match.start()) == 1:
            return match
    return None


class _Depth:
    """How many JSON objects and arrays are open at a position, for positions asked in order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def at(self, end: int) -> int:
        """The depth at ``end`` (not before the last position asked); strings and escapes skipped."""
        for char in self.text[self.position : end]:
            if self.escaped:
                self.escaped = False
            elif self.in_string:
                self.escaped = char == "\\"
                self.in_string = char != '"'
            elif char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            elif char in "}]":
                self.depth -= 1
        self.position = max(self.position, end)
        return self.depth


def elements_by_start(
    text: str, path: Path, key: str, element_start: str
) -> Iterator[tuple[str, Any] | Quarantined] | None:
    """The elements of a pretty-printed list whose key is lost, found by how they begin; else None.

    A deletion or a cut can take a page's ``"conversations": [`` away with the start of its
    first element. The list is then read from the first line that opens an element
    (``element_start``, indented); what comes before that line is one quarantine entry
    (``key before line L``: it may hold elements) and the elements after it are located
    ``key from line L, element N``, since their place in the list is no longer known.
    """
    match = re.compile(rf"^[ \t]+(?:{element_start})", re.MULTILINE).search(text)
    if match is None or match.start() == 0:
        return None
    line = text.count("\n", 0, match.start()) + 1
    padded = _NOT_NEWLINE.sub(" ", text[: match.start() - 1]) + "[" + text[match.start() - 1 :]
    return _head_then_elements(text[: match.start()], padded, path, key, line)


def _head_then_elements(
    head: str, padded: str, path: Path, key: str, line: int
) -> Iterator[tuple[str, Any] | Quarantined]:
    where = f"{key} before line {line}"
    bad = lone_surrogate(head)
    reason = ReasonCode.INVALID_JSON if bad is None else ReasonCode.BAD_ENCODING
    message = (
        f"{path} {where}: the list {key!r} has no readable key; what comes before line {line}, where its "
        "first recognisable element begins, was not read (it may hold elements)"
    )
    yield Quarantined(str(path), where, reason, message, excerpt(storable(head)))
    yield from _elements(padded, path, key, lambda number: f"{key} from line {line}, element {number}")


def _elements(
    text: str, path: Path, key: str, locate: Callable[[int], str] | None = None
) -> Iterator[tuple[str, Any] | Quarantined]:
    locate = locate or (lambda number: f"{key}[{number - 1}]")
    for item in scan_values([text], path, one_array=True):
        if isinstance(item, Quarantined):
            where = locate(int(item.record.split()[-1]))
            message = item.message.replace(f"{path} {item.record}", f"{path} {where}", 1)
            yield dataclasses.replace(item, record=where, message=message)
        else:
            yield locate(item.number), item.value


def _concatenated(text: str, path: Path) -> Iterator[tuple[str, Any] | Quarantined]:
    """The values of ``text`` written one after another (JSON Lines or back to back).

    A value that does not parse costs only itself: reading resumes at the next line while the
    values so far were one per line, else at the next ``}`` ``{`` (values written back to back,
    pretty-printed); a value holding marked bad bytes (``MARK_BAD_BYTES``) is one
    ``BAD_ENCODING`` entry.
    """
    position, number, by_lines = 0, 0, True
    while True:
        while position < len(text) and text[position] in _SPACE:
            position += 1
        if position >= len(text):
            return
        number += 1
        line = text.count("\n", 0, position) + 1
        record = f"document {number} (line {line})"
        try:
            value, end = _DECODER.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as exc:
            cut = exc.pos + 1 if isinstance(exc, json.JSONDecodeError) else position + EXCERPT_CHARS
            yield _broken(path, record, text, position, cut, exc)
            position = text.find("\n", position) if by_lines else _next_value(text, position)
            if position == -1:
                return
            continue
        by_lines = by_lines and "\n" not in text[position:end]
        bad = lone_surrogate(text[position:end])
        yield (record, value) if bad is None else _bad_bytes(path, record, text[position:end], bad)
        position = end


def _next_value(text: str, failed_at: int) -> int:
    """Where the value after a broken one spread over lines may start: its ``{`` after ``}``, or -1.

    Objects inside a value are separated by commas, so ``}`` then ``{`` is the next value.
    """
    match = _NEXT_OBJECT.search(text, failed_at + 1)
    return -1 if match is None else match.end() - 1


def _broken(
    path: Path, record: str, text: str, start: int, cut: int, exc: json.JSONDecodeError | RecursionError
) -> Quarantined:
    """The entry for a value that does not parse: bad bytes before the error, too deep, or bad JSON."""
    bad = lone_surrogate(text[start:cut])
    if bad is not None:
        return _bad_bytes(path, record, text[start:cut], bad)
    if isinstance(exc, json.JSONDecodeError):
        return json_error(path, record, text, exc)
    message = f"{path} {record} is nested too deeply"
    return Quarantined(str(path), record, ReasonCode.INVALID_JSON, message, excerpt(text[start:]))


def _bad_bytes(path: Path, record: str, text: str, at: int) -> Quarantined:
    message = (
        f"{path} {record}: bytes at character {at + 1} of the record are not valid text in the "
        "file's encoding; the record was skipped (export the file as UTF-8)"
    )
    return Quarantined(str(path), record, ReasonCode.BAD_ENCODING, message, excerpt(storable(text)))


def records_of(value: Any, keys: Iterable[str]) -> list[Any] | None:
    """The list ``value`` is, or the list under the first of ``keys`` it holds; None otherwise.

    E.g. Intercom's ``{"type": "conversation.list", "conversations": [...]}``.
    """
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            listed = list_under(value, key)
            if listed is not None:
                return listed
    return None


def list_under(document: dict[str, Any], key: str) -> list[Any] | None:
    """The list under ``key`` in ``document``, or under the one key that is ``key`` damaged; else None.

    A byte flipped in a key can leave valid JSON (``"conversatiXns"``): the list is still the
    page's when exactly one list-valued key differs from ``key`` in at most ``KEY_DAMAGE``
    characters.
    """
    if isinstance(document.get(key), list):
        return document[key]
    near = [
        value
        for name, value in document.items()
        if isinstance(value, list) and abs(len(name) - len(key)) <= KEY_DAMAGE and _close(key, name)
    ]
    return near[0] if len(near) == 1 else None


def _close(key: str, name: str) -> bool:
    """Whether ``name`` keeps all but at most ``KEY_DAMAGE`` of ``key``'s characters, in order."""
    blocks = SequenceMatcher(None, key, name, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) >= len(key) - KEY_DAMAGE


def count_skipped(skipped: dict[str, int], reason: str) -> None:
    """Add one to ``skipped[reason]``: a source item that did not become a turn, and why."""
    skipped[reason] = skipped.get(reason, 0) + 1
