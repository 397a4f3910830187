"""Decoding and bounded-memory reading of input files, shared by every reader.

Encodings are detected from the bytes, never guessed from the platform: a BOM (UTF-8,
UTF-16 LE/BE, UTF-32 LE/BE) wins; BOM-less UTF-16/32 is recognised by its NUL-byte
pattern; otherwise the file must be UTF-8. Bytes that do not decode are bad input, never
silently replaced: line-oriented formats quarantine just the offending line
(``iter_lines``), whole-document formats quarantine the file (``read_text_document``,
``load_json_document``).

Memory stays bounded: ``iter_lines`` reads in chunks and never buffers a line longer than
``MAX_RECORD_BYTES`` (it reports a ``RECORD_TOO_LARGE`` entry and skips to the next
newline); whole documents above ``MAX_DOCUMENT_BYTES`` are refused with ``FILE_TOO_LARGE``.

Example::

    for item in iter_lines(path):
        if isinstance(item, Quarantined):
            yield item  # e.g. reason BAD_ENCODING, record "line 7"
            continue
        handle(item.number, item.text)
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import SNIFF_BYTES

MAX_RECORD_BYTES = 32 * 1024 * 1024
"""Longest single record (line, JSON array element) a reader will buffer."""
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
"""Largest file read whole (not streamable formats: one JSON document, a WebVTT file)."""
CHUNK_BYTES = 1024 * 1024
"""Read size of the streaming helpers."""
EXCERPT_CHARS = 200
"""Length of the excerpt stored with a quarantine entry."""
BINARY_CONTROL_RATIO = 0.10
"""Share of control characters in the head above which a file counts as binary."""

NUL_TEXT_RATIO = 0.01
"""Share of NUL bytes (or invalid UTF-8) above which a head holding NULs counts as binary."""

TEXT_LINE_SHARE = 0.6
"""Share of a head's lines that must be clean text for a file with junk in it to count as text."""

_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
"""Control bytes text never holds (tab, line ends, form feed, vertical tab and escape allowed)."""


@dataclass(frozen=True)
class Encoding:
    """How a file's bytes decode: a Python codec, the BOM length to skip, the code unit size."""

    codec: str
    bom: int = 0
    unit: int = 1
    line_end: str = "\n"  # "\r" for old Mac (CR-only) line endings, ANY_LINE_END for a mix

    @property
    def newline(self) -> bytes:
        r"""The encoded line end of this file (``\n``, also ending ``\r\n`` lines, or a lone ``\r``).

        A file of mixed line ends (``ANY_LINE_END``) gives ``\n``; ``iter_lines`` also ends its
        lines at a lone ``\r``.
        """
        return ("\n" if self.line_end == ANY_LINE_END else self.line_end).encode(self.codec)

    @property
    def carriage_return(self) -> bytes:
        """The encoded carriage return in this encoding."""
        return "\r".encode(self.codec)


ANY_LINE_END = "any"
"""``Encoding.line_end`` of a file that ends lines with ``\n``, ``\r\n`` and a lone ``\r`` alike."""
UTF8 = Encoding("utf-8")

_BOMS: tuple[tuple[bytes, Encoding], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, Encoding("utf-32-le", 4, 4)),
    (codecs.BOM_UTF32_BE, Encoding("utf-32-be", 4, 4)),
    (codecs.BOM_UTF8, Encoding("utf-8", 3, 1)),
    (codecs.BOM_UTF16_LE, Encoding("utf-16-le", 2, 2)),
    (codecs.BOM_UTF16_BE, Encoding("utf-16-be", 2, 2)),
)


@dataclass(frozen=True)
class Line:
    """One decoded line of a text file; ``number`` is 1-based, ``text`` has no line ending."""

    number: int
    text: str


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of ``text`` on one line, for quarantine entries."""
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> int | None:
    r"""Index of the first lone surrogate in ``text`` (from a JSON ``\ud800`` escape), or None.

    Such text cannot be written as UTF-8: a record holding one is quarantined, never stored.
    """
    found = _SURROGATE.search(text)
    return None if found is None else found.start()


def storable(text: str) -> str:
    r"""``text`` with lone surrogates written as ``\udXXX`` escapes, so it can be stored as UTF-8."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _bomless_wide(head: bytes) -> Encoding | None:
    """UTF-16/UTF-32 without a BOM, recognised by where the NUL bytes fall."""
    sample = head[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    if len(sample) >= 8:
        quads = len(sample) // 4
        le32 = sum(1 for i in range(quads) if sample[4 * i] and not any(sample[4 * i + 1 : 4 * i + 4]))
        be32 = sum(1 for i in range(quads) if sample[4 * i + 3] and not any(sample[4 * i : 4 * i + 3]))
        if le32 / quads > 0.9:
            return Encoding("utf-32-le", 0, 4)
        if be32 / quads > 0.9:
            return Encoding("utf-32-be", 0, 4)
    pairs = len(sample) // 2
    even_nul = sum(1 for i in range(pairs) if sample[2 * i] == 0) / pairs
    odd_nul = sum(1 for i in range(pairs) if sample[2 * i + 1] == 0) / pairs
    in_step = (odd_nul > 0.6 and even_nul < 0.1) or (even_nul > 0.6 and odd_nul < 0.1)
    starts_wide = len(sample) >= 64 and _text_pair_share(sample[:64]) >= 0.95  # junk later spoils no more
    if not (in_step or starts_wide or _text_pair_share(sample) >= 0.9 or _mostly_wide_lines(head)):
        return None
    return Encoding(_utf16_order(sample, even_nul, odd_nul), 0, 2)


_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | frozenset(b"\t\n\r")
WIDE_LINE_SHARE = 0.6
"""Share of a head's lines that must look like UTF-16 for a file damaged elsewhere to count as UTF-16."""


def _text_pair_share(data: bytes) -> float:
    """Share of adjacent byte pairs that are an ASCII text byte and a NUL, in either order.

    In ASCII-range UTF-16 every two adjacent bytes are such a pair, whether or not a byte
    added or lost has shifted the NULs from odd to even offsets.
    """
    if len(data) < 2:
        return 0.0
    pairs = sum(
        1 for a, b in zip(data, data[1:], strict=False) if (a == 0) != (b == 0) and (a or b) in _TEXT_BYTES
    )
    return pairs / (len(data) - 1)


def _mostly_wide_lines(head: bytes) -> bool:
    """Whether most lines of ``head`` are UTF-16 text although junk elsewhere spoils the whole.

    Junk bytes or a run of one-byte text spliced into a UTF-16 file break its NUL pattern
    only on the lines they land in: the other lines decode, the damaged ones are quarantined
    one by one (``iter_lines``).
    """
    lines = [line for line in head.split(b"\n")[:-1] if len(line.strip(b"\x00\r")) >= 4]
    if len(lines) < 3:
        return False
    wide = sum(1 for line in lines if _text_pair_share(line.strip(b"\x00")) >= 0.9)
    return wide >= WIDE_LINE_SHARE * len(lines)


def _utf16_order(sample: bytes, even_nul: float, odd_nul: float) -> str:
    """``utf-16-le`` or ``utf-16-be``: the order of the first character, else where most NULs fall.

    A byte added or lost shifts every later character of its line, and a shifted stretch of
    one order reads like the other: only the start of the file, before any damage, tells.
    """
    if (sample[0] == 0) != (sample[1] == 0):
        return "utf-16-be" if sample[0] == 0 else "utf-16-le"
    return "utf-16-le" if odd_nul >= even_nul else "utf-16-be"


def looks_binary(head: bytes) -> bool:
    """True for bytes that are not text in any supported encoding (NULs, many control bytes).

    Judged line by line when the whole head fails: junk spliced into a text file spoils the
    lines it lands in (quarantined one by one by the readers), not the file.
    """
    return bool(head) and _binary_bytes(head) and not _mostly_text_lines(head)


def _binary_bytes(data: bytes) -> bool:
    controls = len(_CONTROL.findall(data))
    if controls / len(data) > BINARY_CONTROL_RATIO:
        return True
    if b"\x00" not in data:
        return False
    # A few NULs in otherwise valid UTF-8 text are bad records, quarantined one by one by the
    # reader; NULs in bytes that are not UTF-8 either make a binary file.
    invalid = data.decode("utf-8", errors="replace").count("\ufffd") - data.count("\ufffd".encode())
    return max(invalid, data.count(0)) / len(data) > NUL_TEXT_RATIO


def _mostly_text_lines(head: bytes) -> bool:
    """Whether most complete lines of ``head`` are clean UTF-8 text (no NUL, no stray control byte).

    With fewer than three lines a share says little; one line that is a whole JSON object (a
    JSON Lines record, which binary bytes never form) is then the evidence of text.
    """
    lines = [line for line in head.split(b"\n")[:-1] if line.strip()]
    if len(lines) < 3:
        return any(_json_object_line(line) for line in lines)
    clean = sum(1 for line in lines if _clean_utf8(line))
    return clean >= TEXT_LINE_SHARE * len(lines)


def _json_object_line(line: bytes) -> bool:
    """A clean UTF-8 line holding exactly one JSON object."""
    text = line.strip()
    if not (text.startswith(b"{") and text.endswith(b"}")) or not _clean_utf8(text):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _clean_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(line) is None


def detect_encoding(head: bytes) -> Encoding | None:
    """The encoding of a file starting with ``head``; None when the bytes look binary.

    A BOM decides; BOM-less UTF-16/32 is recognised from its NUL pattern; anything else
    with NULs or many control bytes is binary; the rest is UTF-8 (validated on decode).
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    wide = _bomless_wide(head)
    if wide is not None:
        return wide
    if looks_binary(head):
        return None
    return UTF8


def _read_head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def file_encoding(path: Path) -> Encoding | Quarantined:
    """The encoding of ``path``, or a quarantine entry (``BINARY``, ``IO_ERROR``) for the file."""
    try:
        head = _read_head(path, SNIFF_BYTES)
    except OSError as exc:
        return io_error(path, exc)
    encoding = detect_encoding(head)
    if encoding is None:
        return binary_file(path, head)
    return _with_line_end(encoding, head)


def _with_line_end(encoding: Encoding, head: bytes) -> Encoding:
    r"""``encoding`` with the line ends of ``head``.

    ``\r`` when it has carriage returns but no line feed; ``ANY_LINE_END`` when it has both
    lone carriage returns and line feeds (files joined from several systems).
    """
    body = head[encoding.bom :]
    text = codecs.decode(body[: len(body) - len(body) % encoding.unit], encoding.codec, errors="replace")
    if "\r" not in text:
        return encoding
    if "\n" not in text:
        return replace(encoding, line_end="\r")
    if _LONE_CR.search(text[:-1]):  # the last character may be a CR whose LF the head cut off
        return replace(encoding, line_end=ANY_LINE_END)
    return encoding


_LONE_CR = re.compile("\r(?!\n)")


def io_error(path: Path, exc: OSError, record: str = "file") -> Quarantined:
    """The quarantine entry for a file that cannot be opened or read."""
    return Quarantined(str(path), record, ReasonCode.IO_ERROR, f"cannot read {path}: {exc.strerror or exc}")


def binary_file(path: Path, head: bytes = b"") -> Quarantined:
    """The quarantine entry for a file that is binary junk, not text."""
    return Quarantined(
        str(path),
        "file",
        ReasonCode.BINARY,
        f"{path} looks binary (NUL or control bytes in the first {len(head)} bytes), not a transcript",
        repr(head[:80])[2:-1],
    )


def sniff_text(path: Path, size: int = SNIFF_BYTES) -> str:
    """The decoded first ``size`` bytes of ``path`` for format sniffing.

    Lenient on purpose (undecodable bytes become U+FFFD, a cut multi-byte character at
    the end is dropped): the reader reports bad bytes properly. Binary or unreadable
    files give ``""``.
    """
    try:
        head = _read_head(path, size)
    except OSError:
        return ""
    encoding = detect_encoding(head)
    if encoding is None:
        return ""
    encoding = _with_line_end(encoding, head)
    body = head[encoding.bom :]
    if encoding.unit == 2:  # line by line, so a byte added or lost garbles its own line only
        *lines, last = body.split(encoding.newline)
        decoded = [_lenient(line, encoding, final=True) for line in lines]
        text = encoding.newline.decode(encoding.codec).join([*decoded, _lenient(last, encoding, final=False)])
    else:
        text = _lenient(body, encoding, final=False)
    return text if encoding.line_end == "\n" else _LONE_CR.sub("\n", text)


def sniff_text_after(path: Path, skipped: int, size: int = SNIFF_BYTES) -> str:
    """The text after the first ``skipped`` lines of ``path`` (at most ``size`` characters), for sniffing.

    Lines that do not decode are left out. For detection to pass over a damaged first record.
    """
    parts: list[str] = []
    length = 0
    for item in iter_lines(path):
        if length >= size:
            break
        if isinstance(item, Line) and item.number > skipped:
            parts.append(item.text)
            length += len(item.text) + 1
    return "\n".join(parts)[:size]


COLLAPSED_SCAN_BYTES = 8 * 1024 * 1024
"""How far :func:`sniff_text_collapsed` reads for a head that is not all repetition."""
_LONG_REPEAT = re.compile(r"(.{1,8}?)\1{64,}", re.DOTALL)


def sniff_text_collapsed(path: Path, size: int = SNIFF_BYTES) -> str:
    """The head of ``path`` with every run of a short unit repeated more than 64 times cut to one.

    For detection to see past a value nested thousands deep (``[[[[…`` or ``{"a":{"a":…``) near
    the start of a file, whose brackets would otherwise fill the whole head, whether or not the
    nesting sits inside a string. Reads at most ``COLLAPSED_SCAN_BYTES``.
    """
    return _LONG_REPEAT.sub(r"\1", sniff_text(path, COLLAPSED_SCAN_BYTES))[:size]


def _lenient(data: bytes, encoding: Encoding, final: bool) -> str:
    """``data`` decoded with bad bytes as U+FFFD; a character cut at the end dropped unless ``final``."""
    data = data[: len(data) - len(data) % encoding.unit]
    return codecs.getincrementaldecoder(encoding.codec)(errors="replace").decode(data, final=final)


def _decode_error_message(path: Path, where: str, exc: UnicodeDecodeError, encoding: Encoding) -> str:
    bad = exc.object[exc.start : min(exc.end, exc.start + 4)]
    return (
        f"{path} {where}: bytes {bad.hex(' ')} at offset {exc.start} are not valid {encoding.codec} "
        "(export the file as UTF-8 or UTF-16)"
    )


def decode_line(raw: bytes, encoding: Encoding, path: Path, number: int) -> Line | Quarantined:
    """Decode one line's bytes strictly; invalid bytes quarantine the line as ``BAD_ENCODING``."""
    try:
        text = raw.decode(encoding.codec)
    except UnicodeDecodeError as exc:
        return Quarantined(
            str(path),
            f"line {number}",
            ReasonCode.BAD_ENCODING,
            _decode_error_message(path, f"line {number}", exc, encoding),
            excerpt(raw.decode(encoding.codec, errors="replace")),
        )
    return Line(number, text)


def _find_line_end(buffer: bytearray, start: int, encoding: Encoding) -> tuple[int, int]:
    r"""Index and length of the next line end, or ``(-1, 0)``.

    In a file of mixed line ends a lone ``\r`` ends a line too, and ``\r\n`` is one line end;
    a ``\r`` in the buffer's last code unit waits for the next chunk (its ``\n`` may follow).
    """
    newline = encoding.newline
    index = _find_newline(buffer, start, encoding)
    if encoding.line_end != ANY_LINE_END:
        return index, len(newline) if index != -1 else 0
    cr = encoding.carriage_return
    at = _find_unit(buffer, cr, start, index if index != -1 else len(buffer), encoding.unit)
    if at == -1:
        return index, len(newline) if index != -1 else 0
    after = at + len(cr)
    if buffer.startswith(newline, after):
        return at, len(cr) + len(newline)
    if len(buffer) - after < len(newline):
        return -1, 0
    return at, len(cr)


def _find_unit(buffer: bytearray, token: bytes, start: int, end: int, unit: int) -> int:
    """Index of ``token`` in ``buffer[start:end]`` at a code-unit boundary (any offset for UTF-16)."""
    index = buffer.find(token, start, end)
    while unit == 4 and index != -1 and index % unit:
        index = buffer.find(token, index + 1, end)
    return index


def _find_newline(buffer: bytearray, start: int, encoding: Encoding) -> int:
    """Index of the next encoded newline, or -1.

    UTF-32 newlines count only at a code-unit boundary. UTF-16 ones count anywhere: a byte
    added to or lost from a line shifts the rest of the file by one byte, and a newline at an
    odd offset (``0a 00`` across two characters, a text byte then ``U+xx00``, hardly occurs in
    real text) ends the damaged line, which fails to decode, and puts the next line back in step.
    """
    newline = encoding.newline
    index = buffer.find(newline, start)
    if encoding.unit == 2:
        return index
    while index != -1 and index % encoding.unit:
        index = buffer.find(newline, index + 1)
    return index


def _strip_line_end(raw: bytes, encoding: Encoding) -> bytes:
    r"""``raw`` without the ``\r`` of a ``\r\n`` line end.

    In UTF-16 LE that ``\r`` may be a single byte: a byte-oriented tool (``unix2dos``, Git's
    ``autocrlf``) that turned every ``0a`` into ``0d 0a`` leaves ``0d`` before the ``0a 00``.
    """
    if encoding.line_end == "\r":
        return raw
    cr = encoding.carriage_return
    if raw.endswith(cr) and (len(raw) - len(cr)) % encoding.unit == 0:
        return raw[: -len(cr)]
    if encoding.codec == "utf-16-le" and raw.endswith(b"\r") and len(raw) % 2:
        return raw[:-1]
    return raw


def _too_large(path: Path, number: int, head: bytes, limit: int, encoding: Encoding) -> Quarantined:
    return Quarantined(
        str(path),
        f"line {number}",
        ReasonCode.RECORD_TOO_LARGE,
        f"{path} line {number} is longer than {limit:,} bytes; skipped",
        excerpt(head[: EXCERPT_CHARS * encoding.unit].decode(encoding.codec, errors="replace")),
    )


def iter_lines(
    path: Path,
    *,
    max_line_bytes: int = MAX_RECORD_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
    encoding: Encoding | None = None,
) -> Iterator[Line | Quarantined]:
    """Yield the lines of ``path`` with 1-based numbers, in bounded memory.

    Lines longer than ``max_line_bytes`` are not buffered: a ``RECORD_TOO_LARGE`` entry
    naming the line is yielded and reading resumes after its newline. Lines that do not
    decode yield ``BAD_ENCODING`` entries; the other lines still come through. A binary or
    unreadable file yields a single ``BINARY``/``IO_ERROR`` entry.
    """
    if encoding is None:
        detected = file_encoding(path)
        if isinstance(detected, Quarantined):
            yield detected
            return
        encoding = detected
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield io_error(path, exc)
        return
    with handle:
        yield from _iter_open_lines(handle, path, encoding, max_line_bytes, chunk_bytes)


def _iter_open_lines(
    handle: BinaryIO, path: Path, encoding: Encoding, max_line_bytes: int, chunk_bytes: int
) -> Iterator[Line | Quarantined]:
    mixed = encoding.line_end == ANY_LINE_END
    longest_end = len(encoding.newline) + (len(encoding.carriage_return) if mixed else 0)
    buffer = bytearray()
    number = 1
    skipping = False  # inside a too-large line: drop bytes until its newline
    scanned = 0  # bytes at the head of ``buffer`` already known to hold no newline
    try:
        handle.seek(encoding.bom)
        while True:
            chunk = handle.read(chunk_bytes)
            if not chunk:
                break
            buffer += chunk
            start = 0
            while True:
                index, size = _find_line_end(buffer, max(start, scanned), encoding)
                if index == -1:
                    break
                if skipping:
                    skipping = False
                elif index - start > max_line_bytes:
                    head = bytes(buffer[start : min(index, start + 4096)])
                    yield _too_large(path, number, head, max_line_bytes, encoding)
                else:
                    raw = _strip_line_end(bytes(buffer[start:index]), encoding)
                    yield decode_line(raw, encoding, path, number)
                number += 1
                start = index + size
            del buffer[:start]
            scanned = max(0, len(buffer) - longest_end + 1)  # a line end may start in the last bytes
            if skipping:
                del buffer[: len(buffer) - len(buffer) % encoding.unit]  # keep unit alignment
            elif len(buffer) > max_line_bytes:
                yield _too_large(path, number, bytes(buffer[:4096]), max_line_bytes, encoding)
                skipping = True
                del buffer[: len(buffer) - len(buffer) % encoding.unit]
            if skipping:
                scanned = 0
    except OSError as exc:
        yield io_error(path, exc, f"line {number}")
        return
    if buffer and not skipping:
        yield decode_line(_strip_line_end(bytes(buffer), encoding), encoding, path, number)


def read_document_bytes(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes | Quarantined:
    """All bytes of ``path`` if it is not larger than ``max_bytes``, else ``FILE_TOO_LARGE``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Quarantined(
                str(path),
                "file",
                ReasonCode.FILE_TOO_LARGE,
                f"{path} is {size:,} bytes; documents of this format are read whole and the limit "
                f"is {max_bytes:,} bytes (split the export)",
            )
        with path.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        return io_error(path, exc)


def decode_document(data: bytes, path: Path) -> str | Quarantined:
    """Decode a whole document strictly; binary junk or invalid bytes quarantine the file."""
    encoding = detect_encoding(data[:SNIFF_BYTES])
    if encoding is None:
        return binary_file(path, data[:SNIFF_BYTES])
    body = data[encoding.bom :]
    try:
        return body.decode(encoding.codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(encoding.newline) + 1
        return Quarantined(
            str(path),
            "file",
            ReasonCode.BAD_ENCODING,
            _decode_error_message(path, f"line {line}", exc, encoding),
            excerpt(body[max(0, exc.start - 60) : exc.start + 60].decode(encoding.codec, errors="replace")),
        )


def read_text_document(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> str | Quarantined:
    """The whole decoded text of ``path`` (size limit, strict decoding) or a file quarantine entry."""
    data = read_document_bytes(path, max_bytes)
    if isinstance(data, Quarantined):
        return data
    return decode_document(data, path)


_CUT_WORDS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
_CUT_NUMBER_TAIL = re.compile(r"[.eE][+-]?")
_CUT_ESCAPE = re.compile(r"u[0-9a-fA-F]{0,3}")


def json_cut_short(text: str, exc: json.JSONDecodeError, end: int | None = None) -> bool:
    r"""True when the parse error ``exc`` on ``text`` means the JSON stops early, not that it is bad.

    ``end`` is where the JSON's text ends (default: ``text`` without trailing whitespace).
    The JSON is cut short when the error is at that end, inside an unterminated string or
    ``\u`` escape, or in a literal or number that the end cuts off (``nu`` of ``null``, ``tr``
    of ``true``, ``1.`` of ``1.5``)::

        >>> try:
        ...     json.loads('{"ok": tr')
        ... except json.JSONDecodeError as exc:
        ...     json_cut_short('{"ok": tr', exc)
        True
    """
    limit = len(text.rstrip()) if end is None else end
    if exc.pos >= limit or exc.msg.startswith("Unterminated string"):
        return True
    rest = text[exc.pos : limit]
    if exc.msg.startswith(r"Invalid \uXXXX escape"):
        return _CUT_ESCAPE.fullmatch(rest) is not None
    return any(word.startswith(rest) for word in _CUT_WORDS) or _CUT_NUMBER_TAIL.fullmatch(rest) is not None


def json_error(path: Path, record: str, text: str, exc: json.JSONDecodeError) -> Quarantined:
    """Quarantine entry for a JSON parse error: ``TRUNCATED`` if the text ends early, else ``INVALID_JSON``.

    ``record`` names where the JSON came from (``file``, ``line 7``); ``json_cut_short``
    decides which.
    """
    truncated = bool(text.strip()) and json_cut_short(text, exc)
    reason = ReasonCode.TRUNCATED if truncated else ReasonCode.INVALID_JSON
    what = "ends before the JSON is complete" if truncated else "is not valid JSON"
    message = f"{path} {record} {what}: {exc.msg} at line {exc.lineno} column {exc.colno}"
    return Quarantined(str(path), record, reason, message, excerpt(text[max(0, exc.pos - 80) : exc.pos + 80]))


def parse_json_text(text: str, path: Path, record: str) -> Any | Quarantined:
    """``json.loads`` that returns a quarantine entry instead of raising."""
    if not text.strip():
        return Quarantined(str(path), record, ReasonCode.INVALID_JSON, f"{path} {record} is empty, no JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return json_error(path, record, text, exc)
    except RecursionError:
        return Quarantined(
            str(path), record, ReasonCode.INVALID_JSON, f"{path} {record} is nested too deeply", excerpt(text)
        )


def load_json_document(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any | Quarantined:
    """Load one whole JSON document from ``path``, or a quarantine entry for the file.

    Checks the size limit (``FILE_TOO_LARGE``), decodes strictly (``BINARY``,
    ``BAD_ENCODING``) and parses (``TRUNCATED`` / ``INVALID_JSON`` with line and column).
    Callers test ``isinstance(result, Quarantined)``.
    """
    text = read_text_document(path, max_bytes)
    if isinstance(text, Quarantined):
        return text
    return parse_json_text(text, path, "file")


class _Utf8Transcoder(io.RawIOBase):
    """A binary stream of UTF-8 bytes decoded incrementally from another encoding."""

    def __init__(self, raw: BinaryIO, encoding: Encoding, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding.codec)(errors="strict")
        self._pending = b""
        self._chunk = chunk_bytes
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            chunk = self._raw.read(self._chunk)
            self._done = not chunk
            self._pending = self._decoder.decode(chunk, final=self._done).encode("utf-8")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_utf8_stream(path: Path) -> BinaryIO | Quarantined:
    """Open ``path`` as a stream of UTF-8 bytes (BOM skipped, UTF-16/32 transcoded) for ``ijson``.

    Invalid bytes surface as ``UnicodeDecodeError`` while reading (UTF-16/32) or as a
    parser error (UTF-8); the caller turns them into a ``BAD_ENCODING`` entry.
    """
    encoding = file_encoding(path)
    if isinstance(encoding, Quarantined):
        return encoding
    try:
        handle = path.open("rb")
        handle.seek(encoding.bom)
    except OSError as exc:
        return io_error(path, exc)
    if encoding.codec == "utf-8":
        return handle
    return io.BufferedReader(_Utf8Transcoder(handle, encoding))  # type: ignore[return-value]
