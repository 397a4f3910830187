r"""The last check before a conversation is stored: can the store hold it, is it plausible.

Readers validate shapes; this checks what only the store and the calendar care about, per
record, so one bad record is quarantined and the rest of its file is kept:

- every time lies in the plausible range (``PlausibleDates``, from ``storage/ingest.yaml``):
  reason ``implausible_date``;
- every integer fits its column, the record is not nested too deeply and all its text
  encodes as UTF-8 (no lone surrogates from ``\ud800`` escapes) without NUL characters, which
  PostgreSQL text cannot hold (quarantined in every store, so all stores hold the same):
  reason ``out_of_range`` (``bad_encoding`` for text).

Example::

    plausible = PlausibleDates.load().at(datetime.now(UTC))
    problem = admit(conversation, plausible)   # None, or a Quarantined entry
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from configfile import ConfigValueError, load_yaml_config
from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.textio import excerpt, storable

CONFIG_FILE = Path(__file__).with_name("ingest.yaml")
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_INDEX_FIELDS = {"legs": ("index",), "turns": ("index", "leg"), "events": ("leg", "from_leg", "to_leg")}
# A NUL character in the record's JSON: ``\u0000`` after an even number of backslashes.
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
_MS_FIELDS = {
    "legs": ("start_ms", "end_ms"),
    "turns": ("start_ms", "end_ms"),
    "events": ("at_ms", "duration_ms"),
}


class PlausibleDatesSetting(BaseModel):
    """``plausible_dates`` in ``ingest.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    not_before: date = date(2000, 1, 1)
    max_future_days: float = Field(1.0, ge=0)


class IngestSettings(BaseModel):
    """``storage/ingest.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plausible_dates: PlausibleDatesSetting = PlausibleDatesSetting()


@dataclass(frozen=True)
class PlausibleDates:
    """Contact times outside ``[not_before, now + max_future_days]`` are typos, not data."""

    not_before: date = date(2000, 1, 1)
    max_future_days: float = 1.0
    now: datetime | None = None  # the run's start; None: the time ``at`` is called

    @classmethod
    def load(cls, path: Path = CONFIG_FILE) -> PlausibleDates:
        """The range configured in ``path`` (``plausible_dates``); errors name file, line and key."""
        settings = load_yaml_config(path, IngestSettings, what="ingest settings", error=ConfigValueError)
        dates = settings.plausible_dates
        return cls(not_before=dates.not_before, max_future_days=dates.max_future_days)

    def at(self, now: datetime) -> PlausibleDates:
        """The same range for a run started at ``now``."""
        return PlausibleDates(self.not_before, self.max_future_days, now)

    @property
    def earliest(self) -> datetime:
        """The earliest plausible time (UTC)."""
        return datetime(self.not_before.year, self.not_before.month, self.not_before.day, tzinfo=UTC)

    @property
    def latest(self) -> datetime:
        """The latest plausible time (UTC)."""
        return (self.now or datetime.now(UTC)) + timedelta(days=self.max_future_days)

    def problem(self, value: datetime) -> str | None:
        """Why ``value`` is implausible, or None."""
        if value < self.earliest:
            return f"before {self.earliest.date().isoformat()}"
        if value > self.latest:
            latest = self.latest.isoformat(timespec="seconds")
            return f"after {latest} (more than {self.max_future_days:g} day(s) after the run)"
        return None


def admit(conversation: Conversation, plausible: PlausibleDates | None) -> Quarantined | None:
    """None if ``conversation`` can be stored, else its quarantine entry (file and record from the reader)."""
    c = conversation
    if plausible is not None:
        for name in ("started_at", "ended_at"):
            value = getattr(c, name)
            why = value is not None and plausible.problem(value)
            if why:
                return _entry(
                    c,
                    ReasonCode.IMPLAUSIBLE_DATE,
                    f"{name} {value.isoformat()} is {why}; fix the date or widen plausible_dates",
                )
    for table, fields in _INDEX_FIELDS.items():
        for position, item in enumerate(getattr(c, table)):
            for name in fields:
                too_big = _too_big(getattr(item, name), INT32_MAX)
                if too_big:
                    return _entry(
                        c, ReasonCode.OUT_OF_RANGE, f"{table}[{position}].{name} = {too_big} is out of range"
                    )
            for name in _MS_FIELDS[table]:
                too_big = _too_big(getattr(item, name), INT64_MAX)
                if too_big:
                    return _entry(
                        c, ReasonCode.OUT_OF_RANGE, f"{table}[{position}].{name} = {too_big} is out of range"
                    )
    try:
        dumped = c.model_dump_json()
    except RecursionError:
        return _entry(c, ReasonCode.OUT_OF_RANGE, "the record is nested too deeply to store")
    except ValueError as exc:  # pydantic wraps UnicodeEncodeError: a lone surrogate in extra fields
        return _entry(c, ReasonCode.BAD_ENCODING, f"text cannot be stored as UTF-8: {storable(str(exc))}")
    if "\\u0000" in dumped and _NUL.search(dumped):
        return _entry(c, ReasonCode.BAD_ENCODING, "text holds a NUL character (\\u0000); remove it")
    return None


def _too_big(value: int | None, limit: int) -> str:
    """``value`` shortened for a message if it exceeds ``limit``, else ``""``."""
    if value is None or abs(value) <= limit:
        return ""
    digits = str(value) if value.bit_length() < 200 else f"a {len(str(abs(value)))}-digit number"
    return excerpt(digits, 40)


def _entry(conversation: Conversation, reason: ReasonCode, message: str) -> Quarantined:
    file = conversation.source_file or "?"
    record = conversation.source_record or f"id {conversation.id}"
    return Quarantined(
        file, record, reason, f"{file} {record}: {message}", excerpt(storable(conversation.id))
    )
