"""Date ranges: the published period, the one before it, and trend buckets (days or weeks).

Dates are inclusive calendar days; timestamps compare against ``[start 00:00, end + 1 day)``::

    >>> p = Period(date(2026, 11, 15), date(2026, 11, 21))
    >>> p.days, p.previous().label
    (7, '2026-11-08 – 2026-11-14')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

BucketUnit = Literal["day", "week"]


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """``2026-11-15 – 2026-11-21`` (or one date for a single day)."""
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def slug(self) -> str:
        """File-name friendly label: ``2026-11-15_2026-11-21``."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        """Naive timestamps ``[start 00:00, end + 1 day 00:00)`` for SQL range filters."""
        return datetime.combine(self.start, time.min), datetime.combine(
            self.end + timedelta(days=1), time.min
        )

    def previous(self, count: int = 1) -> Period:
        """The ``count`` periods of equal length right before this one, as one period."""
        return Period(self.start - timedelta(days=self.days * count), self.start - timedelta(days=1))

    def day_list(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]


def bucket_unit(period: Period, daily_up_to_days: int) -> BucketUnit:
    """``day`` for short ranges, ``week`` for longer ones."""
    return "day" if period.days <= daily_up_to_days else "week"


def bucket_of(day: date, unit: BucketUnit) -> date:
    """The first day of the bucket that contains ``day`` (ISO weeks start on Monday)."""
    return day if unit == "day" else day - timedelta(days=day.weekday())


def trend_buckets(period: Period, unit: BucketUnit, minimum: int) -> list[Period]:
    """Consecutive buckets ending with the one containing ``period.end``.

    Days cover exactly the period (a 7-day card shows 7 days, not an empty day before it);
    weeks number at least ``minimum``, and always enough to cover the whole period.
    """
    step = timedelta(days=1 if unit == "day" else 7)
    last_start = bucket_of(period.end, unit)
    first_needed = bucket_of(period.start, unit)
    covering = (last_start - first_needed) // step + 1
    count = covering if unit == "day" else max(minimum, covering)
    starts = [last_start - step * i for i in reversed(range(count))]
    return [Period(s, s + step - timedelta(days=1)) for s in starts]
