"""Periods, the period before, and trend buckets."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from rendering.periods import Period, bucket_of, bucket_unit, settled_range, trend_buckets


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


WEEK = [(date(2026, 11, 16 + i), 9) for i in range(7)]
QUIET_WEEK_BEFORE = [(date(2026, 11, 9 + i), 2) for i in range(7)]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], None),
        (WEEK, ("2026-11-16", "2026-11-22")),
        ([*WEEK, (date(2062, 11, 18), 1)], ("2026-11-16", "2026-11-22")),  # a typo'd year
        ([*WEEK, (date(2062, 11, 18), 3), (date(2062, 11, 19), 2)], ("2026-11-16", "2026-11-22")),
        ([(date(2003, 1, 5), 2), *WEEK], ("2026-11-16", "2026-11-22")),
        ([(date(2001, 1, 1), 1), *WEEK, (date(2099, 12, 31), 1)], ("2026-11-16", "2026-11-22")),
        ([*QUIET_WEEK_BEFORE, *WEEK], ("2026-11-09", "2026-11-22")),  # contiguous data is never cut
        ([*WEEK, (date(2026, 11, 29), 1)], ("2026-11-16", "2026-11-29")),  # within the gap: joined
        ([*WEEK, *[(date(2026, 12, 10 + i), 6) for i in range(3)]], ("2026-11-16", "2026-12-12")),
        ([(date(2026, 11, 18), 1), (date(2062, 1, 1), 1)], ("2026-11-18", "2062-01-01")),  # no majority
    ],
)
def test_settled_range_leaves_out_outlier_dates(days: list, expected: tuple[str, str] | None) -> None:
    settled = settled_range(days, gap_days=7, min_share=0.1)
    if expected is None:
        assert settled is None
    else:
        assert settled == Period(date.fromisoformat(expected[0]), date.fromisoformat(expected[1]))


def test_settled_range_over_a_century_of_days_is_one_pass() -> None:
    """36,500 days with data: linear in the days with data, not in calendar days or windows."""
    first = date(2000, 1, 1)
    days = [(date.fromordinal(first.toordinal() + i), 1) for i in range(36_500)]
    assert settled_range(days, gap_days=7, min_share=0.1) == Period(days[0][0], days[-1][0])
