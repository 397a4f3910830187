"""``empathy.v1``: general response phrasings, mild worry, and feelings restated after an acknowledgement.

Each case is a greeting, then the turns given; the outcome per opportunity is checked in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import ConversationScores
from nlp.scoring import load_rubric
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

RULES_ONLY = Path(__file__).resolve().parents[3] / "rubrics" / "rules-only.yaml"
GREETING = ("agent", "Good morning, Lakeside Water, you're through to Amira.")

CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "i-completely-understand-and-stressful-for-anyone",
        [
            ("customer", "The boiler's broken and my mum is staying with us, so I'm getting quite stressed."),
            (
                "agent",
                "I completely understand, Priti. No heating with a guest in the house would be stressful "
                "for anyone. Let's get an engineer out. What's the postcode?",
            ),
        ],
        ["responded"],
    ),
    (
        "feeling-adjective-after-an-article",
        [
            ("customer", "I've been cut off three times during the same call, this is unbelievable."),
            ("agent", "Sorry, Joe, that's a really maddening afternoon. Let me look at the line."),
        ],
        ["responded"],
    ),
    (
        "common-worry-validated",
        [
            ("customer", "I'm a little worried the new meter will cost me more."),
            ("agent", "That's an understandable worry, lots of people ask us. The meter itself is free."),
        ],
        ["responded"],
    ),
    (
        "anyone-in-your-position",
        [
            ("customer", "The water's been brown for two days and I've got a newborn. I'm so scared."),
            ("agent", "Anyone in your position would be frightened. I'm sending a team to test it today."),
        ],
        ["responded"],
    ),
    (
        "sorry-again-about",
        [
            ("customer", "This is the fourth time I've rung about the leak."),
            ("agent", "Thanks, let me check."),
            ("agent", "I'm sorry again about all the calls, the job was never assigned."),
        ],
        ["responded"],
    ),
    (
        "mild-worry-solved-customer-relieved",
        [
            (
                "customer",
                "We're going away for a month and I'm nervous about a pipe bursting while we're gone.",
            ),
            ("agent", "You can turn the stopcock off before you leave, it's under the kitchen sink."),
            ("customer", "Oh brilliant, that's really reassuring, thank you!"),
        ],
        ["responded"],
    ),
    (
        "mild-worry-reassured",
        [
            ("customer", "I'm a bit worried I've paid the bill twice."),
            ("agent", "No need to worry, the second payment was refused by your bank."),
        ],
        ["responded"],
    ),
    (
        "mild-worry-procedure-no-relief",
        [
            ("customer", "I'm slightly worried about the new charges on my bill."),
            ("agent", "What's the account number?"),
            ("customer", "LW-33019."),
        ],
        ["missed_opportunity"],
    ),
    (
        "strong-worry-dont-worry-is-not-enough",
        [
            ("customer", "I'm really worried, the bailiffs letter says they're coming on Monday."),
            ("agent", "Don't worry. What's your account number?"),
            ("customer", "Oh good, thank you so much."),
        ],
        ["missed_opportunity"],
    ),
    (
        "restated-after-acknowledgement-not-a-miss",
        [
            ("customer", "I've been waiting for hours for someone to answer."),
            ("agent", "I'm so sorry about that wait, that's far too long."),
            ("customer", "Honestly it's driving me mad."),
            ("agent", "I've booked the repair for tomorrow morning."),
        ],
        ["responded"],
    ),
    (
        "restated-without-earlier-acknowledgement-is-missed",
        [
            ("customer", "I've been waiting for hours for someone to answer."),
            ("agent", "Account number?"),
            ("customer", "Honestly it's driving me mad."),
            ("agent", "And the postcode?"),
        ],
        ["missed_opportunity", "missed_opportunity"],
    ),
    (
        "bare-i-understand-still-not-enough",
        [
            ("customer", "I'm so frustrated, the app has logged me out again."),
            ("agent", "I understand. What's your username?"),
        ],
        ["missed_opportunity"],
    ),
    (
        "sorry-after-a-greeting-counts",  # issue 12: "sorry anywhere in a clause counts"
        [
            ("customer", "I'm so fed up, my refund still hasn't arrived after three weeks!"),
            ("agent", "Hi Dana, sorry for the trouble! I'll chase the refund with Billing now."),
        ],
        ["responded"],
    ),
    (
        "sorry-after-a-handle-counts",
        [
            ("customer", "@acme_help my parcel is lost again and nobody answers, this is so frustrating"),
            ("agent", "@dana_k So sorry to hear that - can you send us the tracking number?"),
        ],
        ["responded"],
    ),
    (
        "bare-sorry-before-a-question-does-not",
        [
            ("customer", "I'm so fed up, my refund still hasn't arrived after three weeks!"),
            ("agent", "Sorry, what's the order number?"),
        ],
        ["missed_opportunity"],
    ),
    # Time lost and threats to leave are distress (rubric 1.8.11); moving banks is not a threat.
    (
        "spent-hours-on-it",
        [("customer", "I've spent hours on this already."), ("agent", "Let me check that for you.")],
        ["missed_opportunity"],
    ),
    (
        "about-to-switch-providers",
        [("customer", "Honestly I'm about to switch providers."), ("agent", "Let me check that for you.")],
        ["missed_opportunity"],
    ),
    (
        "never-booking-again",
        [
            ("customer", "Stained sheets and no hot water. Never booking with you again."),
            ("agent", "Let me check that for you."),
        ],
        ["missed_opportunity"],
    ),
    # Hardship, going over the company's head and urgency (rubric 1.8.13); a plain how-to is none.
    *(
        (case, [("customer", line), ("agent", "Let me check that for you.")], ["missed_opportunity"])
        for case, line in (
            ("how-will-i-pay", "I'm a pensioner and I genuinely don't know how I'm going to pay this."),
            ("ombudsman", "are you serious. im going to the ombudsman"),
            ("chargeback", "Fine, I'll just do a chargeback through my bank then."),
            ("sorted-now", "My exam starts in 25 minutes. Please, I need this sorted now."),
        )
    ),
    (
        "how-i-can-pay-is-a-question",
        [("customer", "I don't know how I can pay my bill online."), ("agent", "Let me check that for you.")],
        [],
    ),
    (
        "never-used-again-is-passive",
        [
            ("customer", "If I close my old account, will the address never be used again?"),
            ("agent", "Let me check that for you."),
        ],
        [],
    ),
    (
        "moving-to-a-new-bank",
        [
            ("customer", "I'm moving to a new bank and need my statements."),
            ("agent", "Let me check that for you."),
        ],
        [],
    ),
    # Complaint wording from an independently written set of customer lines (rubric 1.8.11).
    *(
        (
            f"complaint-{n}",
            [("customer", line), ("agent", "Let me check that for you.")],
            ["missed_opportunity"],
        )
        for n, line in enumerate(
            (
                "This is the second wrong item in a row.",
                "Been charged for a subscription I cancelled. Not happy.",
                "Sort it out or I'm taking this to the papers.",
                "How the hell does a parcel get 'delivered' to a house that doesn't exist?",
                "why does the rider keep cancelling on me 😩",
            )
        )
    ),
    # A drawn-out plea is distress (rubric 1.8.12); a plain one is not.
    (
        "drawn-out-plea",
        [("customer", "heeeelp!!! my account got hacked"), ("agent", "Let me check that for you.")],
        ["missed_opportunity"],
    ),
    (
        "plain-plea",
        [("customer", "Can you help me please? I need a new PIN."), ("agent", "Let me check that for you.")],
        [],
    ),
    (
        "premium-going-up",
        [
            ("customer", "I got a letter saying my premium's going up, and I just wanted to understand why."),
            ("agent", "Let me check that for you."),
        ],
        [],
    ),
    (
        "not-happy-in-a-question",
        [("customer", "If I'm not happy with it, can I return it?"), ("agent", "Let me check that for you.")],
        [],
    ),
    # Thanks for patience is boilerplate (rubric empathy.model_blocked_by): the model read these 0.94
    # and 0.95, above its cut-off; a response phrase beside it still counts.
    (
        "thanks-for-patience-is-boilerplate",
        [
            ("customer", "I'm really frustrated, my internet has been down for three days."),
            ("agent", "Thank you for your patience while we sort this out."),
        ],
        ["missed_opportunity"],
    ),
    (
        "thanks-for-understanding-is-boilerplate",
        [
            ("customer", "I'm really frustrated, my internet has been down for three days."),
            ("agent", "Thank you for your understanding."),
        ],
        ["missed_opportunity"],
    ),
    (
        "thanks-for-patience-beside-an-apology",
        [
            ("customer", "I'm really frustrated, my internet has been down for three days."),
            ("agent", "Thank you for your patience, and I'm so sorry it's taken this long."),
        ],
        ["responded"],
    ),
]


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


def test_solved_worry_quotes_the_agent_reply_and_the_relieved_turn(
    results: dict[str, ConversationScores],
) -> None:
    [answered] = [
        f for f in results["mild-worry-solved-customer-relieved"].findings if f.scorer == "empathy.v1"
    ]
    assert answered.evidence.turn == 2 and answered.evidence.quote.startswith("You can turn the stopcock")
    assert answered.evidence.rule == "worry_resolved:3"


def test_unanswered_restatement_after_acknowledgement_is_left_out_of_the_rate(
    results: dict[str, ConversationScores],
) -> None:
    [value] = [
        s.value
        for s in results["restated-after-acknowledgement-not-a-miss"].scores
        if s.criterion == "empathy"
    ]
    assert value == 1.0
    [value] = [
        s.value
        for s in results["restated-without-earlier-acknowledgement-is-missed"].scores
        if s.criterion == "empathy"
    ]
    assert value == 0.0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Hi Dana, sorry for the trouble! I'll chase the refund with Billing now.", "responded"),
        ("@dana_k So sorry to hear that - can you send us the order number?", "responded"),
        ("Sorry, what's the order number?", "missed_opportunity"),
        ("Hi Holly, sorry to bother you, could you DM us your order number?", "missed_opportunity"),
        # regret at what the customer reports (real agent replies are labelled empathic)
        ("That's not what we like to hear! What device are you using?", "responded"),
        ("Hey there, I hate to see this. Are you still facing the issue?", "responded"),
        ("That's not the experience we want you to have. Can you DM us?", "responded"),
        ("That's what we like to hear? What device are you using?", "missed_opportunity"),
        # "sorry" opening a clause about the trouble, without a comma
        ("Hi! Sorry it's playing up, and on movie night of all nights. Try signing out first.", "responded"),
        ("Sorry you've had to chase this three times. Let me look at the refund.", "responded"),
        ("Sorry, I didn't catch that. What's the order number?", "missed_opportunity"),
    ],
)
def test_apology_phrases_count_anywhere_in_a_clause(score: Score, reply: str, expected: str) -> None:
    """The phrase list alone (rules-only rubric): an owned apology need not open the sentence."""
    turns = [GREETING, ("customer", "I'm so frustrated, my refund still hasn't arrived!"), ("agent", reply)]
    [result] = score([conversation(turns, id="apology")], rubric_=load_rubric(RULES_ONLY))
    assert outcomes(result) == [expected]


@pytest.mark.parametrize(
    "reply",
    [
        "sorry, could you repeat that? the line broke up a little after the T",
        "Sorry, I didn't catch that, you cut out there.",
    ],
)
def test_sorry_for_the_line_is_no_response(score: Score, reply: str) -> None:
    """Asking to hear it again is about the line, not the trouble: the empathic-response head read the
    first at 0.93 (cut-off 0.91); boilerplate now blocks the model alone (default rubric)."""
    turns = [GREETING, ("customer", "I'm so frustrated, my refund still hasn't arrived!"), ("agent", reply)]
    [result] = score([conversation(turns, id="line")])
    assert outcomes(result) == ["missed_opportunity"]


def test_model_blocked_by_must_name_labels_of_the_responses_file() -> None:
    from nlp.scorers.empathy import EmpathyParams

    patterns = Path(__file__).resolve().parents[3] / "rubrics" / "patterns"
    files = {"cues": str(patterns / "distress.jsonl"), "responses": str(patterns / "empathy_responses.jsonl")}
    with pytest.raises(ValueError, match=r"sign_off"):
        EmpathyParams.model_validate({**files, "model_blocked_by": ["sign_off"]})
    params = EmpathyParams.model_validate({**files, "model_blocked_by": ["boilerplate"]})
    assert params.model_blocked_by == ("boilerplate",)
