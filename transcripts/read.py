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
from collections.abc import Iterable, Iterator
from pathlib import Path

import transcripts.readers.all  # noqa: F401  (registers every reader)
from transcripts.detect import detect_format
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers import csv_turns
from transcripts.readers.base import ReadResult, get_reader, readers
from transcripts.textio import file_encoding

_log = logging.getLogger(__name__)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


DOCUMENTATION_FILES = ("README*", "*.md", "*.rst", "LICENSE*", "NOTICE*")
"""Names a folder walk passes over: documentation kept next to exports is not input."""


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
                p
                for p in path.rglob("*")
                if not _hidden(p, path) and p.is_file() and not _documentation(p)
            )
            files.extend(sorted(found))
        else:
            files.append(path)
    return files


def _documentation(path: Path) -> bool:
    return any(path.match(pattern) for pattern in DOCUMENTATION_FILES)


def _read_file(path: Path, format: str | None, csv_columns: Path | None) -> Iterator[ReadResult]:
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
    if name == csv_turns.NAME and csv_columns is not None:
        results = csv_turns.read_csv(path, csv_columns)
    else:
        results = get_reader(name).read(path)
    count = 0
    try:
        for count, result in enumerate(results, start=1):  # noqa: B007 - count used after the loop
            yield result
    except OSError as exc:
        yield Quarantined(
            str(path), f"after result {count}", ReasonCode.IO_ERROR, f"cannot read {path}: {exc}"
        )
    except Exception as exc:  # noqa: BLE001 - a reader bug must cost one file, not the run
        _log.exception("reader %s failed on %s", name, path)
        message = f"{path}: reader {name!r} failed after {count} result(s): {type(exc).__name__}: {exc}"
        yield Quarantined(str(path), f"after result {count}", ReasonCode.INVALID_RECORD, message)


def read_path(
    path: Path | str, format: str | None = None, csv_columns: Path | str | None = None
) -> Iterator[ReadResult]:
    """Yield every conversation, quarantine entry and duplicate in ``path`` (a file or a folder).

    ``format`` forces a reader for every file (an unknown name raises ``KeyError`` listing
    the valid ones: that is a caller error, not bad input); ``csv_columns`` is a column
    mapping file for the CSV reader.
    """
    if format is not None:
        get_reader(format)
    columns = Path(csv_columns) if csv_columns is not None else None
    if columns is not None:
        csv_turns.load_columns(columns)  # a broken mapping file is a caller error: raise now
    for file in iter_input_files([path]):
        yield from _read_file(file, format, columns)
