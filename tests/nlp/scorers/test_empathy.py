"""``empathy.v1``: emotional moments and whether the agent answered the feeling or jumped to procedure."""

from __future__ import annotations

import pytest

from nlp.findings import Attribution, ConversationScores, Polarity
from nlp.scoring import load_rubric
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

# (case id, turns after the agent's greeting, expected outcome per opportunity in order)
CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "frustrated-procedure",
        [
            ("customer", "I'm so frustrated, this is the third time I've called."),
            ("agent", "Can I have your account number?"),
        ],
        ["missed_opportunity"],
    ),
    (
        "frustrated-acknowledged",
        [
            ("customer", "I'm so frustrated, this is the third time I've called."),
            (
                "agent",
                "I'm really sorry you've had to call three times, that's exhausting. Let's fix it now.",
            ),
        ],
        ["responded"],
    ),
    (
        "waiting-hours-apology-second-turn",
        [
            ("customer", "I've been waiting for hours for someone to pick up."),
            ("agent", "Thanks for holding."),
            ("agent", "I apologize for the wait, that's far too long."),
        ],
        ["responded"],
    ),
    (
        "apology-too-late",
        [
            ("customer", "This is ridiculous, nobody ever calls me back."),
            ("agent", "What's the reference number?"),
            ("agent", "And the postcode?"),
            ("agent", "Sorry about the trouble you've had."),
        ],
        ["missed_opportunity"],
    ),
    (
        "scared-reflected",
        [
            ("customer", "I'm scared I'll lose my apartment if this payment doesn't go through."),
            ("agent", "That sounds really stressful. Let's make sure it goes through today."),
        ],
        ["responded"],
    ),
    (
        "bare-understand-is-not-enough",
        [
            ("customer", "Honestly I'm fed up with this."),
            ("agent", "I understand. What is the order number?"),
        ],
        ["missed_opportunity"],
    ),
    (
        "two-moments",
        [
            ("customer", "I'm really worried about this bill."),
            ("agent", "I can imagine, let me look."),
            ("customer", "Okay."),
            ("agent", "The bill includes a one-off fee."),
            ("customer", "That's ridiculous, nobody told me about any fee."),
            ("agent", "It was in the terms."),
        ],
        ["responded", "missed_opportunity"],
    ),
    (
        "no-emotion",
        [
            ("customer", "Hi, I'd like to change my payment date to the 15th."),
            ("agent", "Sure, that's done."),
        ],
        [],
    ),
    (
        "negated-emotion",
        [("customer", "I'm not angry, I just want it sorted."), ("agent", "Of course, let's sort it.")],
        [],
    ),
    (
        "consecutive-customer-turns-are-one-moment",
        [
            ("customer", "This is a complete joke."),
            ("customer", "I'm absolutely livid."),
            ("agent", "I hear you, and I'm sorry."),
        ],
        ["responded"],
    ),
    # Sarcasm the distress model reads as pleased (P 0.19): the rubric forces these cues.
    (
        "sarcasm-just-great",
        [
            ("customer", "Great, another dropped call. Just great."),
            ("agent", "Let me check the line for you."),
        ],
        ["missed_opportunity"],
    ),
    (
        "sarcasm-another-failure",
        [
            ("customer", "Oh great, another update that breaks everything."),
            ("agent", "Which version of the app do you have?"),
        ],
        ["missed_opportunity"],
    ),
    (
        "urgent-plea",
        [
            ("customer", "I can't get into my account and I need my files for work, please help asap."),
            ("agent", "Can you confirm the email address on the account?"),
        ],
        ["missed_opportunity"],
    ),
    (
        "not-urgent",
        [
            ("customer", "It's not urgent, I just wondered when the new plan starts."),
            ("agent", "It starts on the first of the month."),
        ],
        [],
    ),
    (
        "asks-for-a-manager",
        [
            ("customer", "I want to speak to your manager right now."),
            ("agent", "Can I have your account number?"),
        ],
        ["missed_opportunity"],
    ),
    # Thanks for the feeling is boilerplate, not an acknowledgement of it (a real reply's wording).
    (
        "thanks-for-your-concern-is-not-a-response",
        [
            ("customer", "This is ridiculous, you blocked my video for no reason and I've lost my views."),
            ("agent", "Thanks for your concern – it's the copyright owner's call where to block it."),
        ],
        ["missed_opportunity"],
    ),
    (
        "hearing-the-concern-is-a-response",
        [
            ("customer", "This is ridiculous, you blocked my video for no reason and I've lost my views."),
            ("agent", "We hear your concern. It's the copyright owner's discretion where to block it."),
        ],
        ["responded"],
    ),
    (
        "hang-up-is-not-a-moment",
        [("agent", "Is there anything else?"), ("customer", "This is awful service. Goodbye.")],
        [],
    ),
]
GREETING = ("agent", "Thanks for calling, this is Sam.")


@pytest.fixture(scope="module")
def results(score: Score) -> dict[str, ConversationScores]:
    items = [conversation([GREETING, *turns], id=case) for case, turns, _ in CASES]
    return {r.conversation_id: r for r in score(items)}


def outcomes(result: ConversationScores) -> list[str]:
    found = [f for f in result.findings if f.scorer == "empathy.v1"]
    return [f.kind for f in sorted(found, key=lambda f: f.detail["opportunity_turns"][0])]


@pytest.mark.parametrize(("case", "turns", "expected"), CASES, ids=[c[0] for c in CASES])
def test_outcomes(
    results: dict[str, ConversationScores], case: str, turns: list, expected: list[str]
) -> None:
    assert outcomes(results[case]) == expected


def test_rate_per_leg_and_none_without_opportunity(results: dict[str, ConversationScores]) -> None:
    def empathy(case: str) -> tuple[float | None, bool | None]:
        [s] = [s for s in results[case].scores if s.criterion == "empathy"]
        return s.value, s.passed

    assert empathy("two-moments") == (0.5, False)
    assert empathy("frustrated-acknowledged") == (1.0, True)
    assert empathy("no-emotion") == (None, None)  # never a silent pass


def test_missed_opportunity_quotes_both_sides_with_suggestion(results: dict[str, ConversationScores]) -> None:
    [missed] = [f for f in results["frustrated-procedure"].findings if f.scorer == "empathy.v1"]
    assert missed.attribution is Attribution.AGENT and missed.polarity is Polarity.NEGATIVE
    assert missed.evidence.turn == 1 and "I'm so frustrated" in missed.evidence.quote
    assert missed.detail["response_turn"] == 2
    assert missed.detail["response_quote"] == "Can I have your account number?"
    assert missed.suggestion and "explain this so many times" in missed.suggestion  # passed-around phrasing


def test_response_is_a_positive_finding_on_the_agent_turn(results: dict[str, ConversationScores]) -> None:
    [answered] = [
        f for f in results["waiting-hours-apology-second-turn"].findings if f.scorer == "empathy.v1"
    ]
    assert answered.polarity is Polarity.POSITIVE and answered.suggestion is None
    assert answered.evidence.turn == 3 and answered.evidence.quote.startswith("I apologize for the wait")
    assert answered.detail["opportunity_turn"] == 1


@pytest.mark.parametrize(
    ("customer", "group"),
    [
        ("I've been on hold for ages, this is ridiculous.", "waiting"),
        ("Two weeks and I'm still waiting for the engineer. This is ridiculous.", "waiting"),
        ("It's not fair, I never agreed to this fee.", "unfair"),
        ("I'm so frustrated, this is the third time I've called.", "passed_around"),
    ],
)
def test_missed_opportunity_phrasing_fits_the_kind_of_distress(
    score: Score, customer: str, group: str
) -> None:
    [result] = score(conversation([("customer", customer), ("agent", "Can I have your account number?")]))
    [missed] = [f for f in result.findings if f.kind == "missed_opportunity"]
    empathy = load_rubric().criterion("empathy")
    assert missed.detail["suggestion_group"] == group
    assert missed.suggestion == empathy.suggestion("missed_opportunity", group)
    assert missed.suggestion != empathy.suggestion("missed_opportunity")


def test_a_fix_that_did_not_work_gets_no_waiting_phrasing(score: Score) -> None:
    """ "Still nothing" after trying a fix is no wait: the plain phrasing, not "waiting that long"."""
    [result] = score(
        conversation(
            [
                ("customer", "I switched it off and on like you said. Still nothing, this is ridiculous."),
                ("agent", "Can I have your account number?"),
            ]
        )
    )
    [missed] = [f for f in result.findings if f.kind == "missed_opportunity"]
    assert missed.detail["suggestion_group"] is None
    assert missed.suggestion == load_rubric().criterion("empathy").suggestion("missed_opportunity")
