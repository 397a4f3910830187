"""``repeats.v1``: re-explaining after transfers, holds, drops and repeat contacts is the system's;
being asked again by the agent who was already told is the agent's."""

from __future__ import annotations

import pytest

from nlp.attribution import agent_leg_scores
from nlp.findings import Attribution, ConversationScores
from nlp.rubric import Rubric
from tests.nlp.scorers.builders import Score, conversation, journey, kinds
from transcripts.model import Role, RoleAttribution, RoleSource

pytestmark = pytest.mark.models

TWO_LEGS = [
    {"index": 0, "agent_id": "a-cy", "department": "Billing", "ended_via": "transferred"},
    {"index": 1, "agent_id": "a-di", "department": "Technical Support", "started_via": "transfer"},
]
CASES = {
    "re-explained-after-transfer": conversation(
        [
            ("agent", "Billing, can I take your account number?", 0),
            ("customer", "Yes, it's 55102874.", 0),
            ("customer", "My TV box keeps freezing on every channel after about ten minutes of watching.", 0),
            ("agent", "That's technical, I'll put you through.", 0),
            ("agent", "Tech support. Could I get your account number please?", 1),
            ("customer", "55102874.", 1),
            (
                "customer",
                "The TV box freezes on every channel after ten minutes or so of watching anything.",
                1,
            ),
        ],
        id="re-explained-after-transfer",
        legs=TWO_LEGS,
    ),
    "asked-again-same-agent": conversation(
        [
            ("agent", "Can I grab your email to find the order?"),
            ("customer", "sure, it's leila.h@example.org"),
            ("agent", "Thanks. What's the problem?"),
            ("customer", "the blender arrived with a cracked jug"),
            ("agent", "What's the email on the order so I can pull it up?"),
            ("customer", "I literally just gave you my email"),
        ],
        id="asked-again-same-agent",
        channel="chat",
    ),
    "said-it-to-the-same-agent": conversation(
        [
            ("customer", "I've been billed for two SIM cards but I only have one."),
            ("agent", "So you'd like to add a second SIM?"),
            ("customer", "No. Like I said, I only have one SIM, but I'm charged for two."),
        ],
        id="said-it-to-the-same-agent",
    ),
    "after-a-long-hold": conversation(
        [
            ("agent", "Billing, Tess.", 0, 0),
            ("customer", "I was charged a termination fee when I upgraded my contract.", 0, 5000),
            ("agent", "Can I put you on hold?", 0, 60000),
            ("agent", "Thanks for holding. What was the problem again?", 0, 575000),
            (
                "customer",
                "As I said before you put me on hold, I got a termination fee for upgrading.",
                0,
                585000,
            ),
        ],
        id="after-a-long-hold",
        events=[{"type": "hold_start", "leg": 0, "at_ms": 90000, "duration_ms": 480000}],
    ),
    "queue-wait-is-not-a-hold": conversation(
        [
            ("agent", "Tech support, account number please?", 0, 1200000),
            ("customer", "BW-6017732. The app crashes when I open my bill.", 0, 1210000),
            ("agent", "What's your account number again?", 0, 1230000),
            ("customer", "BW-6017732. I just said it.", 0, 1240000),
        ],
        id="queue-wait-is-not-a-hold",
        events=[{"type": "queue_wait", "leg": 0, "at_ms": 0, "duration_ms": 1145000}],
    ),
    "told-other-people": conversation(
        [("agent", "Billing, Maria."), ("customer", "I've told the same story to six people already today.")],
        id="told-other-people",
    ),
    "again-is-not-a-repeat": conversation(
        [
            ("customer", "Hi, my wifi extender has stopped working again, it keeps flashing amber."),
            ("agent", "Press the pair button on the extender and then on the router."),
        ],
        id="again-is-not-a-repeat",
    ),
}


@pytest.fixture(scope="module")
def results(score: Score) -> dict[str, ConversationScores]:
    return {r.conversation_id: r for r in score(list(CASES.values()))}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "re-explained-after-transfer",
            [("re_explained", 6, "system"), ("reasked_after_transfer", 4, "system")],
        ),
        ("asked-again-same-agent", [("reasked_info", 4, "agent")]),  # the reply is that moment's
        ("said-it-to-the-same-agent", [("repeated_to_agent", 2, "agent")]),
        ("after-a-long-hold", [("re_explained", 4, "system")]),
        ("queue-wait-is-not-a-hold", [("reasked_info", 2, "agent")]),
        ("told-other-people", [("re_explained", 1, "system")]),
        ("again-is-not-a-repeat", []),
    ],
)
def test_repeat_findings(results: dict[str, ConversationScores], case: str, expected: list) -> None:
    assert kinds(results[case], "repeats.v1") == expected


def test_re_explanation_after_transfer_is_system_and_never_lowers_the_agent(
    results: dict[str, ConversationScores], rubric: Rubric
) -> None:
    result = results["re-explained-after-transfer"]
    [again] = [f for f in result.findings if f.kind == "re_explained"]
    assert again.detail["cause"] == "transfer" and again.detail["previous_turn"] == 2
    assert again.detail["similarity"] >= rubric.criterion("repeats").params.similarity
    [reask] = [f for f in result.findings if f.kind == "reasked_after_transfer"]
    assert reask.detail["slot"] == "account_number" and reask.detail["supplied_leg"] == 0
    repeats = {s.leg: s for s in result.scores if s.criterion == "repeats"}
    assert repeats[None].attribution is Attribution.SYSTEM and repeats[None].value == pytest.approx(0.5)
    # the agent who took the transfer did not cause it
    assert repeats[1].attribution is Attribution.AGENT and repeats[1].value == 1.0
    overall = {s.leg: s for s in agent_leg_scores(result.scores, rubric)}
    assert overall[1].criteria["repeats"] == 1.0


def test_agent_caused_repeats_lower_the_agent_leg(results: dict[str, ConversationScores]) -> None:
    [leg_score] = [
        s for s in results["asked-again-same-agent"].scores if s.criterion == "repeats" and s.leg == 0
    ]
    # one re-ask, one moment: "I literally just gave you my email" is its evidence, not a second repeat
    assert leg_score.value == pytest.approx(0.75) and leg_score.attribution is Attribution.AGENT
    [reask] = [f for f in results["asked-again-same-agent"].findings if f.kind == "reasked_info"]
    assert reask.suggestion and reask.detail["supplied_quote"] == "sure, it's leila.h@example.org"
    reply = (reask.detail["reply_turn"], reask.detail["reply_quote"])
    assert reply == (5, "I literally just gave you my email")


def test_a_protest_that_answers_no_re_ask_is_its_own_moment(score: Score) -> None:
    """A repeat cue after the agent asked something new (not a re-ask) stays the customer's repeat."""
    [result] = score(
        [
            conversation(
                [
                    ("agent", "Can I grab your email to find the order?"),
                    ("customer", "sure, it's leila.h@example.org"),
                    ("agent", "Thanks. Is the jug cracked or the base?"),
                    ("customer", "As I said, the jug. I literally just told you that"),
                ],
                id="protest-without-re-ask",
                channel="chat",
            )
        ]
    )
    assert kinds(result, "repeats.v1") == [("repeated_to_agent", 3, "agent")]


def test_an_email_the_customer_will_get_is_no_re_ask(score: Score) -> None:
    """ "you'll get an email" (rubric 1.8.13, ``unless: received``) asks for nothing; asking again does."""
    turns = [
        ("agent", "What's the original email on the account?"),
        ("customer", "r.okafor.gaming@mail.example"),
        ("agent", "Got it. I've reset the password, and you'll get an email when it's done."),
    ]
    again = [*turns, ("agent", "Sorry, can I get your email again?")]
    told, asked = score(
        [conversation(turns, id="told", channel="chat"), conversation(again, id="asked", channel="chat")]
    )
    assert kinds(told, "repeats.v1") == []
    assert kinds(asked, "repeats.v1") == [("reasked_info", 3, "agent")]


def test_re_explaining_after_a_dropped_call_is_system(score: Score) -> None:
    dropped = conversation(
        [
            ("agent", "Tech support, Quinn."),
            (
                "customer",
                "My smart meter stopped sending readings two weeks ago and my estimated bill doubled.",
            ),
        ],
        id="drop-1",
        customer_id="cust-d",
        started_at="2026-10-07T14:00:00Z",
        legs=[
            {
                "index": 0,
                "agent_id": "a-q",
                "department": "Technical Support",
                "ended_via": "system_disconnect",
            }
        ],
        events=[{"type": "disconnect", "leg": 0, "by": "system"}],
    )
    again = conversation(
        [
            ("agent", "Technical support, Rosa speaking."),
            (
                "customer",
                "I got cut off. My smart meter hasn't sent a reading in two weeks and the bill doubled.",
            ),
        ],
        id="drop-2",
        customer_id="cust-d",
        started_at="2026-10-07T14:12:00Z",
    )
    results = {r.conversation_id: r for r in score([dropped, again], [journey(dropped, again)])}
    [finding] = [f for f in results["drop-2"].findings if f.kind == "re_explained"]
    assert finding.attribution is Attribution.SYSTEM and finding.detail["cause"] == "dropped_contact"
    assert finding.detail["previous_conversation_id"] == "drop-1"
    assert not [f for f in results["drop-1"].findings if f.scorer == "repeats.v1"]


def test_no_agent_credit_without_agent_turns_or_with_uncertain_roles(score: Score) -> None:
    """A contact record (no turns) and a caption file with guessed roles give no agent score."""
    no_turns = conversation(
        [], id="ctr-only", legs=[{"index": 0, "agent_id": "a-x", "department": "Billing"}]
    )
    guessed = conversation(
        [("agent", "Hello there."), ("customer", "My router keeps dropping the connection every evening.")],
        id="guessed",
    )
    guessed.roles = RoleAttribution(
        source=RoleSource.INFERRED,
        speakers={"spk_0": Role.AGENT, "spk_1": Role.CUSTOMER},
        confidence=0.6,
        uncertain=True,
        reason="too few cues",
    )
    for result in score([no_turns, guessed]):
        agent_scores = [s for s in result.scores if s.attribution is Attribution.AGENT]
        assert agent_scores == [], result.conversation_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # earlier contacts that went nowhere: the system made the customer tell it again
        ("This is my third email about the broken hinge and nobody has replied.", ["re_explained"]),
        ("I've messaged you guys so many times about this refund.", ["re_explained"]),
        ("Please read my two messages from last week, the router still drops.", ["re_explained"]),
        ("I already filled in the claim form last month, why is my parcel still missing?", ["re_explained"]),
        ("I submitted a ticket three weeks ago and never heard back about my account.", ["re_explained"]),
        ("Despite several emails nobody has fixed the double charge on my card.", ["re_explained"]),
        ("Your support team confirmed the fault last week but the line is still dead.", ["re_explained"]),
        ("I explained my flight was cancelled and all I got was a voucher I can't use.", ["re_explained"]),
        # earlier contacts counted or dated (rubric 1.8.13, from our written conversations)
        ("This is my third chat about this. Our sync has been failing since Tuesday.", ["re_explained"]),
        ("I've rung you three times and been told it's being looked at.", ["re_explained"]),
        ("My meter hasn't sent a reading since August. I've reported it twice already.", ["re_explained"]),
        ("hi, i emailed about this 4 days ago and heard nothing. i got charged twice.", ["re_explained"]),
        ("I called your line, explained everything, waited an hour and got cut off.", ["re_explained"]),
        ("look, I've been through all this already, the internet drops every evening.", ["re_explained"]),
        # an opening that says the trouble outlived an earlier contact (prior_contact cues)
        ("Hello, I still need help getting into my old account please!", ["re_explained"]),
        ("still having problems with the TV app on my Samsung, it drops out mid-show.", ["re_explained"]),
        ("Still no reply about my refund for order 5531.", ["re_explained"]),
        ("I still haven't heard back about the replacement card.", ["re_explained"]),
        ("The bank gave me this case number to give to you: 88213. My card is blocked.", ["re_explained"]),
        ("I reset the router per your instructions and the line still drops every hour.", ["re_explained"]),
        # not re-explanations: a recurrence, a quantity, a count of people, a message the app showed
        ("The app logged me out and wants my password. AGAIN.", []),
        ("How many times is the app going to ask me to log in today?", []),
        ("There were 9 people in the queue and only 2 staff at the counter.", []),
        ("I have reinstalled the app and restarted my phone many times. It's still an issue!", []),
        ("I tried a new account and it said the address was already in use.", []),
        ("Should I submit a ticket or fill in the form for a refund?", []),
        ("The app crashed three times today and I lost my basket.", []),
    ],
)
def test_repeat_cues_on_service_phrasings(score: Score, text: str, expected: list[str]) -> None:
    """Cues rechecked on the real threads of ``eval/ibm-customer-care``; our own lines in their shape."""
    [result] = score(conversation([("customer", text), ("agent", "Thanks, let me look into this for you.")]))
    assert [f.kind for f in result.findings if f.scorer == "repeats.v1"] == expected


def test_an_opening_repeat_is_a_repeat_contact_and_a_later_still_is_a_follow_up(score: Score) -> None:
    """Before any agent spoke nobody here was told anything: "as I said" then is the system's.
    "Still having the issue" after the agent's advice is a follow-up, not an earlier contact."""
    opening, follow_up = score(
        [
            conversation(
                [
                    ("customer", "As I said in my email, the router has no internet since Monday."),
                    ("agent", "Sorry about that, let me check the line."),
                ],
                id="opening",
            ),
            conversation(
                [
                    ("customer", "The router has had no internet since Monday."),
                    ("agent", "Please restart it and wait two minutes."),
                    ("customer", "Done that, I'm still having the same issue and I still need help."),
                ],
                id="follow-up",
            ),
        ]
    )
    [finding] = [f for f in opening.findings if f.scorer == "repeats.v1"]
    assert (finding.kind, finding.attribution, finding.detail["cause"]) == (
        "re_explained",
        Attribution.SYSTEM,
        "repeat_contact",
    )
    assert [f.kind for f in follow_up.findings if f.scorer == "repeats.v1"] == []
