"""Strengths, growth areas and their moments, chosen by ``nlp.coaching.focus`` from stored rows."""

from __future__ import annotations

from dataclasses import dataclass

from nlp.coaching.focus import choose_focus, earned, pick_findings
from nlp.coaching.moments import quote_moment
from nlp.coaching.standings import CriterionStanding
from rendering.settings import CardSettings
from rendering.store_queries import FindingRow, TurnRow

ROLES = ["customer", "agent", "customer", "agent", "customer", "agent", "customer", "agent"]
TURNS = {"c": [TurnRow("c", i, 0, role, None, None, f"t{i}", None, None) for i, role in enumerate(ROLES)]}


def finding(
    turn: int, polarity: str, criterion: str = "empathy", kind: str = "k", **extra: object
) -> FindingRow:
    suggestion = extra.pop("suggestion", None)
    return FindingRow(
        "c", turn, 0, turn, "a", None, "s.v1", criterion, kind, "agent", polarity, None, None, f"q{turn}",
        None, suggestion, dict(extra), "r@1",
    )  # fmt: skip


def standing(
    criterion: str, value: float, median: float, threshold: float = 0.5, passed: int = 2
) -> CriterionStanding:
    return CriterionStanding(criterion, criterion, "", value, median, threshold, 2, passed, 0, 0)


@dataclass(frozen=True)
class Case:
    standing: CriterionStanding
    earned: bool


def test_a_strength_is_at_or_above_both_pass_mark_and_median() -> None:
    cases = [
        Case(standing("x", 0.8, 0.7), True),
        Case(standing("x", 0.7, 0.7), True),
        Case(standing("x", 0.6, 0.7), False),  # below the team median
        Case(standing("x", 0.4, 0.3), False),  # below the pass mark
    ]
    assert [earned(c.standing) for c in cases] == [c.earned for c in cases]


def test_below_the_median_is_no_strength_even_with_good_moments() -> None:
    good = [finding(1, "positive"), finding(3, "positive"), finding(5, "positive")]
    choices = choose_focus([standing("empathy", 0.6, 0.7)], good, TURNS, CardSettings())
    assert choices.strengths == () and choices.growth_areas == ()


def test_good_moment_after_a_flagged_turn_is_not_praise() -> None:
    flagged = finding(1, "negative", criterion="self_worth", suggestion="Say it kindly.")
    calmed = finding(2, "positive")  # the customer's reply to the flagged turn
    later = finding(5, "positive")
    criteria = [standing("empathy", 0.9, 0.7), standing("self_worth", 0.2, 0.7, passed=0)]
    choices = choose_focus(criteria, [flagged, calmed, later], TURNS, CardSettings())
    assert [(a.standing.criterion, a.findings) for a in choices.growth_areas] == [("self_worth", (flagged,))]
    assert [(a.standing.criterion, a.findings) for a in choices.strengths] == [("empathy", (later,))]
    assert {("c", 1), ("c", 2), ("c", 5)} <= choices.owned


def test_one_moment_is_shown_once() -> None:
    seen: set[tuple[str, int]] = set()
    first = pick_findings([finding(1, "negative")], 3, TURNS, seen)
    again = pick_findings([finding(1, "negative", criterion="other"), finding(3, "negative")], 3, TURNS, seen)
    assert [f.turn for f in first] == [1] and [f.turn for f in again] == [3]


def test_a_better_phrasing_answers_a_flagged_moment_only() -> None:
    flagged = quote_moment(finding(1, "negative", suggestion="Try this."), TURNS["c"])
    good = quote_moment(finding(3, "positive", suggestion="Try this."), TURNS["c"])
    assert flagged is not None and flagged.better == "Try this." and flagged.said == "q1"
    assert good is not None and good.better is None
    cue = quote_moment(finding(2, "negative", response_turn=3, response_quote="r3"), TURNS["c"])
    assert cue is not None and (cue.said, cue.said_by) == ("r3", "agent")
    assert [t.turn for t in cue.context] == [2, 3]
