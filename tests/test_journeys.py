"""Journeys: a table of contact timelines and the journeys they must form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from transcripts.journeys import (
    DEFAULTS,
    ContactSpan,
    build_journeys,
    journey_id,
    load_journey_settings,
)
from transcripts.model import Channel, Conversation

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=60)  # "newest" far away: nothing is right-censored


def at(minutes: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def span(cid: str, start: datetime | None, minutes: float = 10, customer: str | None = "cust") -> ContactSpan:
    return ContactSpan(cid, customer, start, None if start is None else start + timedelta(minutes=minutes))


# (name, contacts, newest, expected [(conversation_ids, contacts, continuations, right_censored)])
CASES = [
    ("single contact", [span("a", at())], LATER, [(["a"], 1, 0, False)]),
    (
        "repeat within the window",
        [span("a", at()), span("b", at(days=3))],
        LATER,
        [(["a", "b"], 2, 0, False)],
    ),
    (
        "continuation: next starts 5 min after the previous ended",
        [span("a", at(), minutes=10), span("b", at(minutes=15))],
        LATER,
        [(["a", "b"], 1, 1, False)],
    ),
    (
        "exactly the gap after the end is a repeat, not a continuation",
        [span("a", at(), minutes=10), span("b", at(minutes=25))],
        LATER,
        [(["a", "b"], 2, 0, False)],
    ),
    (
        "overlapping contacts continue each other",
        [span("a", at(), minutes=30), span("b", at(minutes=20))],
        LATER,
        [(["a", "b"], 1, 1, False)],
    ),
    (
        "outside the window starts a new journey",
        [span("a", at()), span("b", at(days=8))],
        LATER,
        [(["a"], 1, 0, False), (["b"], 1, 0, False)],
    ),
    (
        "exactly the window after the first contact starts a new journey",
        [span("a", at()), span("b", at(days=7))],
        LATER,
        [(["a"], 1, 0, False), (["b"], 1, 0, False)],
    ),
    (
        "the window counts from the first contact, not the previous one",
        [span("a", at()), span("b", at(days=5)), span("c", at(days=9))],
        LATER,
        [(["a", "b"], 2, 0, False), (["c"], 1, 0, False)],
    ),
    (
        "a continuation past the window stays in its journey",
        [span("a", at()), span("b", at(days=6.99), minutes=30), span("c", at(days=6.99, minutes=35))],
        LATER,
        [(["a", "b", "c"], 2, 1, False)],
    ),
    (
        "bounced: three forwarded legs then a repeat next day",
        [
            span("a", at(), minutes=5),
            span("b", at(minutes=6), minutes=5),
            span("c", at(minutes=12), minutes=5),
            span("d", at(days=1)),
        ],
        LATER,
        [(["a", "b", "c", "d"], 2, 2, False)],
    ),
    (
        "input order does not matter",
        [span("b", at(days=2)), span("a", at())],
        LATER,
        [(["a", "b"], 2, 0, False)],
    ),
    (
        "without customer or start: not journeyed",
        [span("a", at(), customer=None), span("b", None), span("c", at(), customer="")],
        LATER,
        [],
    ),
    (
        "window still open at the newest data: right-censored",
        [span("a", at()), span("b", at(days=2))],
        at(days=3),
        [(["a", "b"], 2, 0, True)],
    ),
    (
        "newest defaults to the latest contact",
        [span("a", at()), span("b", at(days=10))],
        None,
        [(["a"], 1, 0, False), (["b"], 1, 0, True)],
    ),
    (
        "same start: ordered by conversation id",
        [span("z", at()), span("m", at())],
        LATER,
        [(["m", "z"], 1, 1, False)],
    ),
]


@pytest.mark.parametrize(("name", "contacts", "newest", "expected"), CASES, ids=[c[0] for c in CASES])
def test_journey_cases(
    name: str, contacts: list[ContactSpan], newest: datetime | None, expected: list
) -> None:
    journeys = build_journeys(contacts, newest=newest)
    got = [(j.conversation_ids, j.contacts, j.continuations, j.right_censored) for j in journeys]
    assert got == expected
    for j in journeys:
        assert j.repeat_contacts == j.contacts - 1
        assert j.contacts + j.continuations == len(j.conversation_ids)
        assert len(j.is_continuation) == len(j.conversation_ids)
        assert j.is_continuation[0] is False
        assert sum(j.is_continuation) == j.continuations


def test_continuation_flags_follow_the_contacts() -> None:
    contacts = [span("a", at(), minutes=5), span("b", at(minutes=7)), span("c", at(days=1))]
    (journey,) = build_journeys(contacts, newest=LATER)
    assert journey.is_continuation == [False, True, False]
    assert journey.started_at == at()
    assert journey.ended_at == at(days=1, minutes=10)


def test_customers_are_kept_apart_and_sorted() -> None:
    contacts = [span("b1", at(), customer="bob"), span("a1", at(minutes=1), customer="alice")]
    journeys = build_journeys(contacts, newest=LATER)
    assert [(j.customer_id, j.conversation_ids) for j in journeys] == [("alice", ["a1"]), ("bob", ["b1"])]


def test_ids_are_deterministic_and_distinct() -> None:
    contacts = [span("a", at()), span("b", at(days=9)), span("a2", at(), customer="other")]
    first = [j.id for j in build_journeys(contacts, newest=LATER)]
    again = [j.id for j in build_journeys(list(reversed(contacts)), newest=LATER)]
    assert sorted(first) == sorted(again)
    assert len(set(first)) == 3
    assert journey_id("cust", "a") in first
    assert journey_id("cust", "a") != journey_id("cus", "ta")


def test_mixed_time_zones_and_naive_times_compare_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    contacts = [
        ContactSpan("a", "cust", datetime(2026, 11, 16, 9, 0), datetime(2026, 11, 16, 9, 10)),  # naive = UTC
        ContactSpan("b", "cust", datetime(2026, 11, 16, 10, 15, tzinfo=berlin), None),  # 09:15 UTC
    ]
    (journey,) = build_journeys(contacts, newest=LATER)
    assert journey.conversation_ids == ["a", "b"]
    assert journey.continuations == 1
    assert journey.started_at == T0


def test_custom_window_and_gap() -> None:
    contacts = [span("a", at(), minutes=10), span("b", at(minutes=40)), span("c", at(days=2))]
    journeys = build_journeys(
        contacts, window=timedelta(days=1), continuation_gap=timedelta(hours=1), newest=LATER
    )
    assert [(j.conversation_ids, j.continuations) for j in journeys] == [(["a", "b"], 1), (["c"], 0)]


def test_duplicate_spans_count_once() -> None:
    contacts = [span("a", at()), span("a", at()), span("b", at(days=1))]
    (journey,) = build_journeys(contacts, newest=LATER)
    assert journey.conversation_ids == ["a", "b"]


@pytest.mark.parametrize(
    ("window", "gap"), [(timedelta(0), timedelta(minutes=15)), (timedelta(days=7), timedelta(minutes=-1))]
)
def test_bad_settings_are_rejected(window: timedelta, gap: timedelta) -> None:
    with pytest.raises(ValueError):
        build_journeys([span("a", at())], window=window, continuation_gap=gap)


def test_span_of_conversation() -> None:
    conversation = Conversation(
        id="c", channel=Channel.CALL, customer_id="cust", started_at=at(), ended_at=at(5)
    )
    assert ContactSpan.of(conversation) == ContactSpan("c", "cust", at(), at(5))


def test_defaults_come_from_yaml() -> None:
    assert DEFAULTS.window == timedelta(days=7)
    assert DEFAULTS.continuation_gap == timedelta(minutes=15)


@pytest.mark.parametrize(
    "text",
    [
        "window_days: 7\ncontinuation_gap_minutes: 15\nwindow: 3\n",
        "window_days: 0\ncontinuation_gap_minutes: 15\n",
    ],
)
def test_broken_settings_file_names_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "journeys.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match="journeys.yaml"):
        load_journey_settings(path)
