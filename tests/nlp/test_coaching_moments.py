"""Whose moment is it: flagged turns cover the customer's reply; good moments never touch them."""

from __future__ import annotations

from nlp.coaching.moments import flagged_turns, moment_turns, really_good
from rendering.store_queries import FindingRow, TurnRow

ROLES = ["customer", "agent", "customer", "agent", "customer", "agent"]
TURNS = {
    "c": [
        TurnRow("c", i, 0 if i < 5 else 1, role, None, None, f"t{i}", None, None)
        for i, role in enumerate(ROLES)
    ]
}


def finding(turn: int, polarity: str, kind: str = "k", **detail: object) -> FindingRow:
    return FindingRow(
        "c", turn, 0, turn, "a", None, "s.v1", "crit", kind, "agent", polarity, None, None, None, None, None,
        dict(detail), "r@1",
    )  # fmt: skip


def test_flagged_agent_turn_covers_the_customer_reply_in_its_leg() -> None:
    assert moment_turns(finding(1, "negative"), TURNS) == {("c", 1), ("c", 2)}
    assert moment_turns(finding(3, "negative"), TURNS) == {("c", 3), ("c", 4)}
    assert moment_turns(finding(1, "positive"), TURNS) == {("c", 1)}
    assert moment_turns(finding(4, "negative"), TURNS) == {("c", 4)}  # next turn is another leg's


def test_customer_cue_covers_the_agent_response() -> None:
    assert moment_turns(finding(0, "negative", response_turn=1), TURNS) >= {("c", 0), ("c", 1)}


def test_good_moments_touching_a_flagged_turn_are_not_praise() -> None:
    flagged = flagged_turns([finding(1, "negative")], TURNS)
    calmed = finding(2, "positive", "recovered")  # the customer's reply to the flagged turn
    later = finding(3, "positive", "can_do")
    assert really_good([calmed, later], flagged, TURNS) == [later]
