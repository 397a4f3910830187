"""What every reader is, and the one registry that lists them.

A reader turns one file of one export format into canonical conversations. It never
raises on bad input: each record becomes a ``Conversation`` or a ``Quarantined`` entry
naming the file, the record and the reason. Readers stream: memory stays bounded by the
largest single record, not the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transcripts.model import Conversation
from transcripts.quarantine import Quarantined


@dataclass(frozen=True)
class DuplicateRecord:
    """An input record a reader dropped as a redelivery of another.

    E.g. a Connect contact record superseded by a later ``LastUpdateTimestamp``: counted
    in the run summary, never silently lost.
    """

    file: str
    record: str
    duplicate_of: str


ReadResult = Conversation | Quarantined | DuplicateRecord


@dataclass(frozen=True)
class ReaderOption:
    """A keyword a reader's ``read`` accepts, e.g. ``csv_columns`` or ``speakers``.

    ``check`` (optional) validates the value before any file is read and returns what the
    reader receives; it raises ``ValueError`` for a caller error (a broken mapping file).
    """

    name: str
    help: str
    check: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Reader:
    """A registered export format: one module declares it and registers it, nothing else.

    ``sniff(head, path)`` looks at the first bytes of a file (at most ``SNIFF_BYTES``,
    already decoded to text) and returns a confidence in [0, 1] that the file is in this
    format; ``read(path, **options)`` yields one result per input record. ``extensions``
    (``(".json",)``) only break near-ties in detection; among hinted readers the higher
    ``tie_rank`` wins. ``options`` are the keywords ``read`` accepts.
    """

    name: str
    description: str
    sniff: Callable[[str, Path], float]
    read: Callable[..., Iterator[ReadResult]]
    extensions: tuple[str, ...] = ()
    options: tuple[ReaderOption, ...] = field(default=())
    tie_rank: int = 0

    def option_names(self) -> tuple[str, ...]:
        """The keywords ``read`` accepts."""
        return tuple(option.name for option in self.options)

    def read_with(self, path: Path, options: Mapping[str, Any]) -> Iterator[ReadResult]:
        """``read(path)`` with the given options this reader declares (others are ignored)."""
        mine = {name: options[name] for name in self.option_names() if options.get(name) is not None}
        return self.read(path, **mine)


SNIFF_BYTES = 64 * 1024
_REGISTRY: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    """Add a reader; a second reader with the same name is a programming error."""
    if reader.name in _REGISTRY:
        raise ValueError(f"reader {reader.name!r} is already registered")
    _REGISTRY[reader.name] = reader
    return reader


def readers() -> dict[str, Reader]:
    """All registered readers by name (importing ``transcripts.readers.all`` fills it)."""
    return dict(_REGISTRY)


def get_reader(name: str) -> Reader:
    """The reader called ``name``; an unknown name lists the valid ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY)) or "(none registered)"
        raise KeyError(f"unknown format {name!r}; valid formats: {valid}") from None
