"""Read files and folders of exports into conversations: the one entry point of ingest.

``read_path`` walks a file or a folder (recursively, sorted, skipping hidden files and
folders), detects each file's format by content unless one is given, and yields every
reader result. Nothing here raises on bad input: an unreadable file is one ``IO_ERROR``
entry, binary junk one ``BINARY`` entry, a file no reader recognises one
``UNKNOWN_FORMAT`` entry.

Example::

    for result in read_path("exports/2026-11-17"):
        if isinstance(result, Conversation):
            ...
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import transcripts.readers.all  # noqa: F401  (registers every reader)
from transcripts.detect import detect_format
from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import ReadResult, get_reader, readers
from transcripts.textio import excerpt, file_encoding, lone_surrogate, storable

_log = logging.getLogger(__name__)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


DOCUMENTATION_FILES = ("README*", "*.md", "*.rst", "LICENSE*", "NOTICE*", "speakers.yaml", "speakers.yml")
"""Names a folder walk passes over: documentation and speaker mapping files kept next to
exports are not input."""


def iter_input_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files under ``paths``: a file as given, a folder walked recursively, sorted.

    A folder walk skips hidden entries and documentation (``DOCUMENTATION_FILES``); a file
    named explicitly is always read. Paths that do not exist are kept (``read_path``
    reports them as ``IO_ERROR``).
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = (
                p for p in path.rglob("*") if not _hidden(p, path) and p.is_file() and not _documentation(p)
            )
            files.extend(sorted(found))
        else:
            files.append(path)
    return files


def _documentation(path: Path) -> bool:
    return any(path.match(pattern) for pattern in DOCUMENTATION_FILES)


def _read_file(path: Path, format: str | None, options: Mapping[str, Any]) -> Iterator[ReadResult]:
    if not path.exists():
        yield Quarantined(str(path), "file", ReasonCode.IO_ERROR, f"{path}: no such file or directory")
        return
    encoding = file_encoding(path)
    if isinstance(encoding, Quarantined):
        yield encoding
        return
    name = format or detect_format(path)
    if name is None:
        known = ", ".join(sorted(readers()))
        message = (
            f"{path}: no reader recognises this file (known formats: {known}); pass format= to force one"
        )
        yield Quarantined(str(path), "file", ReasonCode.UNKNOWN_FORMAT, message)
        return
    results = get_reader(name).read_with(path, options)
    count = 0
    try:
        for count, result in enumerate(results, start=1):  # noqa: B007 - count used after the loop
            yield text_only(result)
    except OSError as exc:
        yield Quarantined(
            str(path), f"after result {count}", ReasonCode.IO_ERROR, f"cannot read {path}: {exc}"
        )
    except Exception as exc:  # noqa: BLE001 - a reader bug must cost one file, not the run
        _log.exception("reader %s failed on %s", name, path)
        message = f"{path}: reader {name!r} failed after {count} result(s): {type(exc).__name__}: {exc}"
        yield Quarantined(str(path), f"after result {count}", ReasonCode.INVALID_RECORD, message)


def text_only(result: ReadResult) -> ReadResult:
    r"""``result`` as text every later step can handle: no lone surrogates (``\ud800`` escapes).

    A conversation holding one anywhere (an id, a name, ``extra``) becomes a ``BAD_ENCODING``
    entry naming the field; a quarantine entry gets them written as escapes. Redaction, the
    store and the pages then never meet text that cannot be encoded.
    """
    if isinstance(result, Quarantined):
        if lone_surrogate(result.record + result.message + result.excerpt) is None:
            return result
        return replace(
            result,
            record=storable(result.record),
            message=storable(result.message),
            excerpt=storable(result.excerpt),
        )
    if not isinstance(result, Conversation):
        return result
    try:
        result.model_dump_json()
    except ValueError:  # pydantic wraps the UnicodeEncodeError of a lone surrogate
        where = _surrogate_at(result.model_dump(mode="python")) or "a text field"
        file = result.source_file or "?"
        record = storable(result.source_record or f"id {result.id}")
        message = (
            f"{file} [{record}]: {where} holds a lone surrogate (a \\udXXX escape without its pair), "
            "which is not text"
        )
        return Quarantined(file, record, ReasonCode.BAD_ENCODING, message, excerpt(storable(result.id)))
    return result


def _surrogate_at(value: Any, path: str = "") -> str | None:
    """Dotted path of the first string (or key) in ``value`` holding a lone surrogate, else None."""
    if isinstance(value, str):
        return (path or "value") if lone_surrogate(value) is not None else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{storable(str(key))}" if path else storable(str(key))
            if isinstance(key, str) and lone_surrogate(key) is not None:
                return name
            found = _surrogate_at(item, name)
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _surrogate_at(item, f"{path}[{index}]")
            if found:
                return found
    return None


def reader_options(**given: Any) -> dict[str, Any]:
    """``given`` options checked once by the readers that declare them (``None`` values dropped).

    An option no reader declares raises ``TypeError`` listing the valid ones; a value its
    ``check`` rejects raises ``ValueError`` (a caller error, raised before any file is read).
    """
    declared = {option.name: option for reader in readers().values() for option in reader.options}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        valid = ", ".join(sorted(declared)) or "(none)"
        raise TypeError(f"unknown reader option(s) {', '.join(unknown)}; valid options: {valid}")
    checked: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        check = declared[name].check
        checked[name] = check(value) if check is not None else value
    return checked


def read_path(path: Path | str, format: str | None = None, **options: Any) -> Iterator[ReadResult]:
    """Yield every conversation, quarantine entry and duplicate in ``path`` (a file or a folder).

    ``format`` forces a reader for every file (an unknown name raises ``KeyError`` listing
    the valid ones: that is a caller error, not bad input). ``options`` go to the readers
    that declare them (``csv_columns=`` a CSV column mapping file, ``speakers=`` a speaker
    role mapping file); they are checked before any file is read.
    """
    if format is not None:
        get_reader(format)
    checked = reader_options(**options)
    for file in iter_input_files([path]):
        yield from _read_file(file, format, checked)
