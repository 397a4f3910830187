"""Streaming scan of a text stream holding JSON values: JSON Lines, arrays, concatenated objects.

Format-independent: a reader hands ``scan_values`` the decoded chunks of a file
(``text_chunks``) and gets each top-level value (or each element of a top-level array)
with its 1-based position and first line, in bounded memory (one chunk plus the value
being decoded). A value that does not parse becomes a quarantine entry and scanning
resumes at the next one; ``json_cut_short`` (in ``transcripts.textio``) tells ``TRUNCATED``
from ``INVALID_JSON``.

Example::

    for item in scan_values(text_chunks(path, encoding), path):
        if isinstance(item, Quarantined):
            ...  # record N: truncated / invalid_json / record_too_large
        else:
            handle(item.number, item.line, item.value)

Used by ``transcripts.readers.connect_ctr`` and for the arrays of ``transcripts.readers.canonical_json``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import (
    CHUNK_BYTES,
    MAX_RECORD_BYTES,
    Encoding,
    excerpt,
    io_error,
    json_cut_short,
    lone_surrogate,
    storable,
)

_NEXT_OBJECT = re.compile(r"\}\s*\{")
_LINE_END = re.compile(r"\r\n?")
_REST_OF_LINE = "the array's elements after it on the same line, if any, were not read"


@dataclass(frozen=True)
class ScannedValue:
    """One top-level JSON value of a stream: its 1-based position, first line and value."""

    number: int
    line: int
    value: Any

    @property
    def locator(self) -> str:
        """Where a person finds the value: ``record 3``."""
        return f"record {self.number}"


class UnreadableError(Exception):
    """The rest of a file cannot be read (bad bytes, I/O error); carries its quarantine entry."""

    def __init__(self, quarantined: Quarantined) -> None:
        super().__init__(quarantined.message)
        self.quarantined = quarantined


MARK_BAD_BYTES = "qareview-mark-bad-bytes"
"""Decoding error handler: each byte that does not decode becomes the lone surrogate U+DC00 + byte."""


def _mark_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(MARK_BAD_BYTES, _mark_bad_bytes)


def text_chunks(path: Path, encoding: Encoding, *, mark_bad_bytes: bool = False) -> Iterator[str]:
    """Decoded text of ``path`` in chunks; ``UnreadableError`` on bad bytes or I/O errors.

    With ``mark_bad_bytes`` bytes that do not decode become lone surrogates (U+DC00 + byte)
    instead, so that ``scan_values`` quarantines just the record holding them.
    """
    errors = MARK_BAD_BYTES if mark_bad_bytes else "strict"
    decoder = codecs.getincrementaldecoder(encoding.codec)(errors=errors)
    offset = encoding.bom
    try:
        with path.open("rb") as handle:
            handle.seek(encoding.bom)
            while True:
                data = handle.read(CHUNK_BYTES)
                pending = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(data, final=not data)
                except UnicodeDecodeError as exc:
                    yield exc.object[: exc.start].decode(encoding.codec)  # the good text before
                    at = offset - pending + exc.start
                    message = (
                        f"{path}: bytes at offset {at} are not valid {encoding.codec}; the record there "
                        "and everything after it were not read (export the file as UTF-8)"
                    )
                    bad = Quarantined(str(path), f"byte {at}", ReasonCode.BAD_ENCODING, message)
                    raise UnreadableError(bad) from None
                offset += len(data)
                if text:
                    yield text
                if not data:
                    return
    except OSError as exc:
        raise UnreadableError(io_error(path, exc, f"byte {offset}")) from None


class RecordTooLargeError(ValueError):
    """A single JSON value longer than the record limit."""


class _TextWindow:
    """A sliding window of decoded text over a stream of chunks, with absolute line numbers."""

    def __init__(self, chunks: Iterator[str], max_record_chars: int) -> None:
        self.text = ""
        self.eof = False
        self._chunks = chunks
        self._max = max_record_chars
        self._decoder = json.JSONDecoder()
        self._lines_before = 0  # newlines in text already dropped
        self._counted = (0, 0)  # (position, newlines before it) within self.text

    def fill(self) -> bool:
        """Append the next chunk; False at the end of the stream."""
        if self.eof:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self.eof = True
            return False
        self.text += chunk
        return True

    def drop_before(self, pos: int) -> int:
        """Forget text before ``pos`` once enough has been consumed; returns the new ``pos``."""
        if pos < CHUNK_BYTES:
            return pos
        self._lines_before += self.line(pos) - 1 - self._lines_before
        self.text = self.text[pos:]
        self._counted = (0, 0)
        return 0

    def line(self, pos: int) -> int:
        """1-based line number of ``pos`` in the whole stream."""
        counted_pos, counted_lines = self._counted
        if pos < counted_pos:
            counted_pos, counted_lines = 0, 0
        counted_lines += self.text.count("\n", counted_pos, pos)
        self._counted = (pos, counted_lines)
        return self._lines_before + counted_lines + 1

    def char(self, pos: int) -> str:
        """The character at ``pos`` (reading more if needed), ``""`` at the end."""
        while pos >= len(self.text) and self.fill():
            pass
        return self.text[pos] if pos < len(self.text) else ""

    def skip_space(self, pos: int) -> int:
        """The first position at or after ``pos`` that is not whitespace."""
        while self.char(pos) in (" ", "\t", "\r", "\n"):
            pos += 1
        return pos

    def decode(self, pos: int) -> tuple[Any, int]:
        """The JSON value starting at ``pos`` and where it ends, reading more text as needed."""
        while True:
            try:
                value, end = self._decoder.raw_decode(self.text, pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.text) - 8 or exc.msg.startswith("Unterminated string")
                if not near_end or self.eof:
                    raise
                if len(self.text) - pos > self._max:
                    raise RecordTooLargeError(f"longer than {self._max:,} characters") from None
                self.fill()
                continue
            if end < len(self.text) or isinstance(value, dict | list) or not self.fill():
                return value, end  # a number at the end of the text may go on in the next chunk

    def find(self, needle: str, pos: int) -> int:
        """Index of ``needle`` at or after ``pos`` (reading more, dropping what was searched), -1 if none."""
        while True:
            index = self.text.find(needle, pos)
            if index != -1:
                return index
            pos = self.drop_before(max(pos, len(self.text) - len(needle)))
            if not self.fill():
                return -1

    def search(self, pattern: re.Pattern[str], pos: int, overlap: int = 64) -> re.Match[str] | None:
        """First match of ``pattern`` at or after ``pos``, like ``find``."""
        while True:
            match = pattern.search(self.text, pos)
            if match is not None:
                return match
            pos = self.drop_before(max(pos, len(self.text) - overlap))
            if not self.fill():
                return None

    def exhaust(self) -> int:
        """Skip the rest of the stream without keeping it; returns the (end) position."""
        for _ in self._chunks:
            pass
        self.eof = True
        self.text = ""
        self._counted = (0, 0)
        return 0


def scan_values(
    chunks: Iterable[str], path: Path, max_record_chars: int = MAX_RECORD_BYTES, *, one_array: bool = False
) -> Iterator[ScannedValue | Quarantined]:
    """The records of a text stream: JSON lines, concatenated objects, or elements of arrays.

    A top-level array's elements are records (several arrays may follow each other, one
    per line or back to back); any other top-level value is a record. Memory holds one
    chunk plus the record being decoded. A value that does not parse is quarantined
    (``TRUNCATED`` when its line, or the stream, ends inside it; else ``INVALID_JSON``;
    ``RECORD_TOO_LARGE`` past ``max_record_chars``) and scanning resumes at the next record:
    the next line for JSON Lines and one-line arrays, the next ``}{`` for concatenated
    objects (also when they share one line), the next element at the first element's
    indentation in a pretty-printed array. With ``one_array`` the scan ends where the first
    array does (a list inside a larger document, e.g. a page's ``"conversations": [...]``).
    """
    window = _TextWindow(lf_line_ends(chunks), max_record_chars)
    pos = window.skip_space(0)
    in_array = False
    prefix: str | None = None  # indentation of a pretty-printed array's elements
    single_lines = True  # JSON Lines until a top-level record spans lines
    last_line = 0  # line where the last top-level record ended
    number = 0
    arrays = 0
    while char := window.char(pos):
        if one_array and arrays and not in_array:
            return
        if not in_array and char == "[":
            in_array = True
            arrays += 1
            pos = window.skip_space(pos + 1)
            prefix = _line_prefix(window.text, pos)
            continue
        if in_array and char in ",]":
            in_array = char == ","
            pos = window.skip_space(pos + 1)
            continue
        number += 1
        pos = window.drop_before(pos)
        line = window.line(pos)
        try:
            value, end = window.decode(pos)
        except (json.JSONDecodeError, RecursionError, RecordTooLargeError) as exc:
            one_line = prefix is None if in_array else single_lines
            broken = _broken_record(path, number, line, window, pos, exc, one_line)
            by_lines = single_lines and line != last_line  # else objects back to back on one line
            left_line = in_array and prefix is None  # a one-line array resumes at the next line
            pos, in_array = _resync(window, pos, in_array, by_lines, prefix)
            if left_line:
                broken = replace(broken, message=f"{broken.message}; {_REST_OF_LINE}")
            yield broken
            continue
        if not in_array:
            single_lines = single_lines and window.text.find("\n", pos, end) == -1
            last_line = window.line(end)
        marked = _bad_bytes(window.text, pos, end)
        if marked is not None:
            yield _bad_bytes_record(path, number, line, window.text[pos:end], marked)
        else:
            yield ScannedValue(number, line, value)
        pos = window.skip_space(end)


def lf_line_ends(chunks: Iterable[str]) -> Iterator[str]:
    """``chunks`` with CRLF and lone CR line ends written as LF.

    JSON reads both as whitespace (a raw CR inside a string is invalid either way), so values
    are unchanged; but a file with old Mac (CR-only) or mixed line ends then has lines, and a
    broken record costs only itself instead of everything after it on a "line" that is the file.
    """
    held = ""
    for chunk in chunks:
        text = held + chunk
        held = "\r" if text.endswith("\r") else ""
        text = _LINE_END.sub("\n", text[:-1] if held else text)
        if text:
            yield text
    if held:
        yield "\n"


def _line_prefix(text: str, pos: int) -> str | None:
    """The whitespace before ``pos`` on its line, or None if something else precedes it."""
    line_start = text.rfind("\n", 0, pos) + 1
    prefix = text[line_start:pos]
    return prefix if not prefix.strip() else None


def _broken_record(
    path: Path,
    number: int,
    line: int,
    window: _TextWindow,
    start: int,
    exc: json.JSONDecodeError | RecursionError | RecordTooLargeError,
    single_line: bool,
) -> Quarantined:
    record = f"record {number}"
    where = f"{path} {record}"
    snippet = excerpt(window.text[start : start + 400])
    if isinstance(exc, RecordTooLargeError):
        message = f"{where} (line {line}) is {exc}; skipped"
        return Quarantined(str(path), record, ReasonCode.RECORD_TOO_LARGE, message, snippet)
    if isinstance(exc, RecursionError):
        message = f"{where} (line {line}) is nested too deeply"
        return Quarantined(str(path), record, ReasonCode.INVALID_JSON, message, snippet)
    text = window.text
    marked = _bad_bytes(text, start, exc.pos + 1)
    if marked is not None:
        return _bad_bytes_record(path, number, line, text[start : start + max(400, marked + 4)], marked)
    if single_line:
        line_end = text.find("\n", start)
        limit = len(text[start : line_end if line_end != -1 else len(text)].rstrip()) + start
    else:
        limit = len(text.rstrip())
    truncated = json_cut_short(text, exc, limit)
    reason = ReasonCode.TRUNCATED if truncated else ReasonCode.INVALID_JSON
    what = "ends before its JSON is complete" if truncated else "is not valid JSON"
    message = f"{where} (line {line}) {what}: {exc.msg} (character {exc.pos - start + 1} of the record)"
    return Quarantined(str(path), record, reason, message, snippet)


def _bad_bytes(text: str, start: int, end: int) -> int | None:
    r"""Index in ``text[start:end]`` of the first undecodable byte marked by ``MARK_BAD_BYTES``, or None.

    Only raw lone surrogates mark bytes: a JSON ``\ud800`` escape is six ASCII characters.
    """
    return lone_surrogate(text[start:end])


def _bad_bytes_record(path: Path, number: int, line: int, text: str, at: int) -> Quarantined:
    record = f"record {number}"
    bad = bytes(ord(c) - 0xDC00 for c in text[at : at + 4] if 0xDC00 <= ord(c) <= 0xDCFF)
    message = (
        f"{path} {record} (line {line}): bytes {bad.hex(' ')} at character {at + 1} of the record are "
        "not valid text in the file's encoding; the record was skipped (export the file as UTF-8)"
    )
    return Quarantined(str(path), record, ReasonCode.BAD_ENCODING, message, excerpt(storable(text[:400])))


def _resync(
    window: _TextWindow, failed_at: int, in_array: bool, single_lines: bool, prefix: str | None
) -> tuple[int, bool]:
    """Where the next record may start after a broken one, and whether it is an array element."""
    if in_array and prefix is not None:
        index = window.find("\n" + prefix + "{", failed_at)
    elif in_array or single_lines:
        index = window.find("\n", failed_at)
        in_array = False
    else:
        match = window.search(_NEXT_OBJECT, failed_at + 1)
        index = -1 if match is None else match.end() - 2
    if index == -1:
        return window.exhaust(), False
    return window.skip_space(index + 1), in_array
