"""Date ranges: the published period, the one before it, and trend buckets (days or weeks).

Dates are inclusive calendar days; timestamps compare against ``[start 00:00, end + 1 day)``::

    >>> p = Period(date(2026, 11, 15), date(2026, 11, 21))
    >>> p.days, p.previous().label
    (7, '2026-11-08 – 2026-11-14')
"""

from __future__ import annotations

from collections.abc import Iterable
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


def settled_range(day_counts: Iterable[tuple[date, int]], gap_days: int, min_share: float) -> Period | None:
    """The days with data, less outlier dates; None when there are no days.

    Days with data fall into groups separated by more than ``gap_days`` empty days. A group
    whose busiest ``gap_days`` days hold less than ``min_share`` of the busiest such window of
    any group is an outlier (a typo'd year, a test record) and is left out, so a handful of
    stray dates never moves a default range. One pass over the days with data, never over
    the calendar::

        >>> d = date(2026, 11, 16)
        >>> week = [(d + timedelta(days=i), 10) for i in range(7)]
        >>> settled_range([*week, (date(2062, 11, 18), 2)], 7, 0.1).label
        '2026-11-16 – 2026-11-22'
    """
    days = sorted(day_counts)
    if not days:
        return None
    groups: list[list[tuple[date, int]]] = [[days[0]]]
    for previous, current in zip(days, days[1:], strict=False):
        if (current[0] - previous[0]).days > gap_days:
            groups.append([])
        groups[-1].append(current)
    peaks = [_busiest_window(group, gap_days) for group in groups]
    floor = min_share * max(peaks)
    kept = [group for group, peak in zip(groups, peaks, strict=True) if peak >= floor]
    return Period(kept[0][0][0], kept[-1][-1][0])


def _busiest_window(days: list[tuple[date, int]], window_days: int) -> int:
    """Most contacts in any ``window_days`` consecutive days of ``days`` (sorted)."""
    best = total = first = 0
    for day, count in days:
        total += count
        while (day - days[first][0]).days >= window_days:
            total -= days[first][1]
            first += 1
        best = max(best, total)
    return best
