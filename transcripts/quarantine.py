"""What a reader returns for input it cannot turn into a conversation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    """Why a record was quarantined. Stable codes: reports and alerts key on them."""

    INVALID_JSON = "invalid_json"
    TRUNCATED = "truncated"
    BAD_ENCODING = "bad_encoding"
    BINARY = "binary"
    UNKNOWN_FORMAT = "unknown_format"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_SPEAKER = "unknown_speaker"
    EMPTY_TURN = "empty_turn"
    NO_TURNS = "no_turns"
    TURNS_OUT_OF_ORDER = "turns_out_of_order"
    MISSING_FIELD = "missing_field"
    INVALID_RECORD = "invalid_record"
    RECORD_TOO_LARGE = "record_too_large"
    FILE_TOO_LARGE = "file_too_large"
    IO_ERROR = "io_error"
    IMPLAUSIBLE_DATE = "implausible_date"  # a time outside the configured plausible range
    OUT_OF_RANGE = "out_of_range"  # a number the store cannot hold, text it cannot encode, nesting too deep
    ANALYSIS_FAILED = "analysis_failed"  # stored, but analysing or scoring it raised; retried each run


@dataclass(frozen=True)
class Quarantined:
    """One input record that did not become a conversation, and why.

    ``record`` locates it inside ``file`` (``line 12``, ``record 3``, ``entries[4]``,
    ``ContactId=abc``) so a person can open the file and find it.
    """

    file: str
    record: str
    reason: ReasonCode
    message: str
    excerpt: str = ""

    def __str__(self) -> str:
        return f"{self.file} [{self.record}] {self.reason.value}: {self.message}"
