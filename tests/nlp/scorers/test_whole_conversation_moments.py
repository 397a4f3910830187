"""Rubric 1.8.14: empathy across a hand-over, pushback as distress, can-do completions, DM requests.

Each case comes from an error on the dev half of the written conversations
(``eval/written/conversations.jsonl``): a transfer's recipient who opens by owning what the
customer went through was never credited (``empathy.credit_handovers``); "Sorry you didn't hear
back" was read as "sorry, I didn't catch that" and "I think I know what it is" as "I know how it
feels"; a customer pushing back at being re-asked ("I just gave it to you") or shrugging the agent
off ("ok whatever") showed no distress the model saw; "done, you'll get a confirmation" and "I'll
text you when it's in" were no can-do; "Please DM us your booking reference" was no channel move
(the hand-off model read it "none" at 0.96).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.scoring import load_rubric
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

DEFAULT = Path(__file__).resolve().parents[3] / "rubrics" / "default.yaml"
UPSET = "This is the third time I've called about this, I'm sick of being passed around."
HANDING_OVER = "I'll put you through to billing now and tell them everything."
RECIPIENT = "Hi, this is Leah in billing. Marcus has filled me in. I'm sorry you've had to chase this."
RECIPIENT_PLAIN = "Hi, this is Leah in billing. Can I take your postcode?"


def findings(results: list, scorer: str, kind: str | None = None) -> list:
    """One scored conversation's findings of ``scorer`` (and ``kind`` if given)."""
    return [f for f in results[0].findings if f.scorer == scorer and kind in (None, f.kind)]


def _handover(recipient: str):
    return conversation(
        [
            ("agent", "Tech support, Marcus speaking.", 0),
            ("customer", UPSET, 0),
            ("agent", HANDING_OVER, 0),
            ("customer", "fine", 0),
            ("agent", recipient, 1),
            ("customer", "ok", 1),
        ]
    )


def test_a_recipient_owning_the_earlier_trouble_is_credited(score: Score) -> None:
    results = score(_handover(RECIPIENT))
    responded = [f for f in findings(results, "empathy.v1", "responded") if f.evidence.turn == 4]
    (found,) = responded
    assert found.detail["opportunity_turns"] == [1]  # the feeling shown before the hand-over
    assert "sorry you've had to chase this" in found.evidence.quote.lower()


def test_a_recipient_who_does_not_is_not_blamed_for_it(score: Score) -> None:
    results = score(_handover(RECIPIENT_PLAIN))
    assert [f for f in findings(results, "empathy.v1") if f.evidence.turn == 4] == []


def test_the_hand_over_credit_is_a_rubric_choice(score: Score, tmp_path: Path) -> None:
    path = tmp_path / "off.yaml"
    path.write_text(
        f"rubric: {{id: no-handovers, version: '1', name: no-handovers}}\nextends: {DEFAULT}\n"
        "criteria:\n  - id: empathy\n    params: {credit_handovers: false}\n",
        encoding="utf-8",
    )
    results = score(_handover(RECIPIENT), rubric_=load_rubric(path))
    assert [f for f in findings(results, "empathy.v1") if f.evidence.turn == 4] == []


@pytest.mark.parametrize(
    ("reply", "responded"),
    [
        # "sorry you didn't hear back" owns a failure; "sorry, I didn't catch that" is boilerplate
        ("Sorry you didn't hear back on your email, and for the double charge. What's the email?", True),
        ("Sorry, I didn't catch that - could you say the number again?", False),
    ],
)
def test_sorry_you_didnt_hear_back_is_an_apology(score: Score, reply: str, responded: bool) -> None:
    customer = "I emailed about this 4 days ago and heard nothing. I was charged twice and I want it back."
    results = score(conversation([("customer", customer), ("agent", reply)]))
    assert bool(findings(results, "empathy.v1", "responded")) is responded


def test_i_think_i_know_what_it_is_acknowledges_nothing(score: Score) -> None:
    results = score(
        conversation(
            [
                ("customer", "My readings still aren't going through and I've no idea why."),
                ("agent", "I think I know what it is. Could you read me the serial number on the meter?"),
            ]
        )
    )
    assert [f.evidence.rule for f in findings(results, "empathy.v1", "responded")] == []


@pytest.mark.parametrize(
    ("customer", "rule"),
    [
        ("I just gave it to you. 20419963.", "i_just_told_you"),
        ("ok whatever", "whatever_dismissal"),
        ("how was i supposed to know that?? it came with my graphics card", "how_was_i_supposed_to_know"),
        ("Did you read what I wrote? I have photos from pickup.", "did_you_even_read"),
    ],
)
def test_pushback_at_the_agent_is_an_emotional_moment(score: Score, customer: str, rule: str) -> None:
    results = score(
        conversation(
            [
                ("agent", "Can I take the account number?"),
                ("customer", customer),
                ("agent", "Right. Is there anything else I can help you with today?"),
            ]
        )
    )
    (missed,) = findings(results, "empathy.v1", "missed_opportunity")
    assert (missed.evidence.turn, missed.evidence.rule) == (1, rule)


@pytest.mark.parametrize(
    ("reply", "rule"),
    [
        ("done, you'll get an updated confirmation email in the next few minutes", "done_report"),
        ("All done: the address is updated and your photo is in the queue.", "all_done"),
        ("I'll text you when it's in, or ring you on Thursday.", "ill_contact_you_when"),
        ("Understood. I'll be in touch on Friday.", "ill_be_in_touch_when"),
    ],
)
def test_completions_and_dated_commitments_are_can_do(score: Score, reply: str, rule: str) -> None:
    results = score(conversation([("customer", "Can you move my delivery to Saturday?"), ("agent", reply)]))
    (found,) = findings(results, "self_worth.v1", "can_do")
    assert found.evidence.rule == rule


@pytest.mark.parametrize(
    "reply",
    [
        "I'll email you a link to reset your password.",  # a channel, no commitment in time
        "Done?",  # a question
        "Is that all done?",
    ],
)
def test_no_completion_or_commitment_phrase(score: Score, reply: str) -> None:
    results = score(conversation([("customer", "Can you move my delivery to Saturday?"), ("agent", reply)]))
    rules = {f.evidence.rule for f in findings(results, "self_worth.v1", "can_do")}
    assert not rules & {"done_report", "all_done", "ill_contact_you_when", "ill_be_in_touch_when"}


@pytest.mark.parametrize(
    "reply",
    [
        "Please DM us your booking reference and the photos and we'll look into it. ^KM",
        "We're really sorry, Karen. Could you DM us your account number and postcode?",
        "Send us a DM with the order number and we'll chase the courier.",
    ],
)
def test_asking_for_a_private_message_is_a_channel_move(score: Score, reply: str) -> None:
    # The hand-off model read the first 0.96 "none"; the guidelines name "Please DM us" a channel move.
    customer = "@Marisol hair in the shower, stains on the duvet and the sea view is a car park."
    results = score(conversation([("customer", customer), ("agent", reply)], channel="social"))
    (move,) = findings(results, "transfers.v1", "channel_move")
    assert move.evidence.turn == 1 and "dm" in move.evidence.quote.lower()
    assert move.attribution.value == "system"


def test_a_private_contractor_is_no_private_message(score: Score) -> None:
    reply = "The appointment centres are run by a private contractor. I'll book you a new slot now."
    results = score(conversation([("customer", "Nobody turned up to my appointment."), ("agent", reply)]))
    assert findings(results, "transfers.v1", "channel_move") == []


@pytest.mark.parametrize(
    ("reply", "referral"),
    [
        ("What you can try is calling your insurance and asking them to reprocess it.", True),
        ("You would need to speak to your GP about that.", True),
        ("If you forward it to your bank's card services team they can release it the same day.", True),
        ("I've cleared the billing hold and called the pharmacy directly, it's ready at 2pm.", False),
    ],
)
def test_sending_the_customer_to_their_own_provider_is_a_referral(
    score: Score, reply: str, referral: bool
) -> None:
    results = score(conversation([("customer", "The claim still hasn't been paid."), ("agent", reply)]))
    assert bool(findings(results, "transfers.v1", "referral")) is referral


def test_an_apology_after_the_customer_speaks_again_answers_nothing_earlier(score: Score) -> None:
    # The labels give a moment to the agent's next reply (window_ends_at_reply): with a window of two
    # agent turns across the customer's answer, this later apology excused the first reply.
    results = score(
        conversation(
            [
                ("customer", "I just gave it to you. 20419963. 23 minutes now."),
                ("agent", "Thanks. And the postcode?"),
                ("customer", "LN8 3QT"),
                ("agent", "I'm sorry about the wait today."),
            ]
        )
    )
    missed = findings(results, "empathy.v1", "missed_opportunity")
    assert [f.detail["opportunity_turns"] for f in missed] == [[0]]


@pytest.mark.parametrize(
    ("reply", "rule"),
    [
        ("I'm really sorry. I'll get you rebooked here so you don't have to call back.", "ill_get_it_done"),
        ("Can I take your claim number and I'll find out what's happening.", "ill_find_out"),
        ("I'm going to run a line test now while you're on the line.", "ill_run_a_test"),
        ("Welcome! I've also let the restaurant know so they double check their bags.", "ive_let_them_know"),
    ],
)
def test_spoken_commitments_are_can_do(score: Score, reply: str, rule: str) -> None:
    results = score(conversation([("customer", "My order never turned up."), ("agent", reply)]))
    assert rule in {f.evidence.rule for f in findings(results, "self_worth.v1", "can_do")}


def test_a_customer_turn_saying_nothing_before_the_reply_keeps_the_window(score: Score) -> None:
    # A real calibration thread: the customer tags two accounts before the agent replies.
    results = score(
        conversation(
            [
                ("customer", "I forgot my password and nobody helps, this is ridiculous."),
                ("customer", "@sundarpichai @Google"),
                ("agent", "Hi there. Did you try resetting your password with the steps on this page?"),
            ]
        )
    )
    (missed,) = findings(results, "empathy.v1", "missed_opportunity")
    assert missed.detail["opportunity_turns"] == [0]


@pytest.mark.parametrize(
    ("customer", "missed"),
    [
        # relief: the worry is over, with thanks ("relieved", nlp.scorers.matching.is_relieved)
        ("that's great, honestly thank you so much, she was really worried we'd be sat apart", False),
        ("I'm really worried we'll be sat apart the whole way.", True),
        ("Right, I was really worried about that.", True),
    ],
)
def test_a_worry_told_as_over_is_no_moment(score: Score, customer: str, missed: bool) -> None:
    results = score(conversation([("customer", customer), ("agent", "Anything else I can help with today?")]))
    assert bool(findings(results, "empathy.v1", "missed_opportunity")) is missed
