"""Periods, the period before, and trend buckets."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from rendering.periods import Period, bucket_of, bucket_unit, trend_buckets


def test_period_basics() -> None:
    week = Period(date(2026, 11, 16), date(2026, 11, 22))
    assert week.days == 7
    assert week.previous() == Period(date(2026, 11, 9), date(2026, 11, 15))
    assert week.previous(4) == Period(date(2026, 10, 19), date(2026, 11, 15))
    assert week.bounds() == (datetime(2026, 11, 16), datetime(2026, 11, 23))
    assert week.label == "2026-11-16 – 2026-11-22"
    assert Period(date(2026, 11, 16), date(2026, 11, 16)).label == "2026-11-16"


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 11, 16), date(2026, 11, 15))


def test_daily_buckets_for_short_ranges_weekly_for_long_ones() -> None:
    week = Period(date(2026, 11, 16), date(2026, 11, 22))
    quarter = Period(date(2026, 9, 1), date(2026, 11, 22))
    assert bucket_unit(week, 14) == "day"
    assert bucket_unit(quarter, 14) == "week"
    days = trend_buckets(week, "day", 8)
    # exactly the week's days: no empty day before the period on a 7-day chart
    assert len(days) == 7 and days[-1].start == date(2026, 11, 22) and days[0].start == date(2026, 11, 16)
    weeks = trend_buckets(quarter, "week", 8)
    assert all(b.start.weekday() == 0 and b.days == 7 for b in weeks)
    assert weeks[0].start <= quarter.start and weeks[-1].end >= quarter.end  # the whole range is covered
    assert bucket_of(date(2026, 11, 19), "week") == date(2026, 11, 16)
