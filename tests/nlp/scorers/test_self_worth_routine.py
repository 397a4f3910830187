"""``self_worth.v1``: routine actions are not can-do framing; remedies and alternatives still are."""

from __future__ import annotations

import pytest

from nlp.findings import ConversationScores
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

OPENER = "Hi, my last bill has a roaming charge I don't understand."

CASES: list[tuple[str, str, set[str]]] = [
    ("note-added", "I've added a note to your account about the call.", set()),
    ("made-a-note", "I've made a note of that for the team.", set()),
    ("email-sent", "I'll send you an email with the details of today's call.", set()),
    ("email-updated", "I've updated the email address on the account.", set()),
    ("call-logged", "I've logged this call against your account.", set()),
    ("refund-is-can-do", "I've refunded the roaming charge, you'll see it in three days.", {"can_do"}),
    ("credit-is-can-do", "I've added a ten pound credit to your next bill.", {"can_do"}),
    ("request-put-in", "I've put in a refund request for the whole amount.", {"can_do"}),
    (
        "stonewall-with-alternative",
        "There's nothing I can do about the fee itself, but I can spread it over two bills.",
        {"can_do"},
    ),
]


@pytest.fixture(scope="module")
def results(score: Score) -> dict[str, ConversationScores]:
    items = [conversation([("customer", OPENER), ("agent", text)], id=case) for case, text, _ in CASES]
    return {r.conversation_id: r for r in score(items)}


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_kinds(results: dict[str, ConversationScores], case: str, text: str, expected: set[str]) -> None:
    found = {f.kind for f in results[case].findings if f.scorer == "self_worth.v1"}
    assert found == expected
