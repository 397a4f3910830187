"""``self_worth.v1``: a table of agent turns and the face threats / face-preserving moves expected.

All cases are annotated in one batch with the real spaCy model and encoder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import Attribution, ConversationScores, Polarity
from tests.nlp.scorers.builders import Score, conversation

pytestmark = pytest.mark.models

OPENER = "Hi, I'm calling about a charge on my bill."

# (case id, agent turns, expected self-worth kinds over those turns)
CASES: list[tuple[str, list[str], set[str]]] = [
    ("you-should-have", ["You should have called us before the due date."], {"blame_customer"}),
    ("you-shouldve", ["You should've set up autopay."], {"blame_customer"}),
    ("i-should-have", ["I should have caught that on your last call, I'm sorry."], {"acknowledge_view"}),
    ("we-should-have", ["We should have warned you about the price change."], {"acknowledge_view"}),
    ("you-shouldnt-have-had-to", ["You shouldn't have had to call about this twice."], set()),
    ("you-didnt", ["You didn't return the form, so the claim was closed."], {"blame_customer"}),
    ("you-didnt-do-anything-wrong", ["You didn't do anything wrong, the form was faulty."], set()),
    ("question-not-blame", ["You didn't get the text message?"], set()),
    ("contradict", ["That's not true, the parcel was delivered on Monday."], {"contradict_customer"}),
    ("youre-wrong", ["You're wrong about that."], {"contradict_customer"}),
    ("negated-contradiction", ["I'm not saying you're wrong, I just need to check the notes."], set()),
    ("not-wrong", ["You're not wrong, the letter was confusing."], set()),
    ("calm-down", ["Calm down, sir."], {"condescension"}),
    ("like-i-said", ["Like I said, the refund takes five days."], {"condescension"}),
    ("as-i-already-told-you", ["As I already told you, the fee stays."], {"condescension"}),
    ("stonewall", ["There's nothing I can do about that."], {"stonewall"}),
    (
        "stonewall-then-offer",
        ["There's nothing I can do about the fee.", "But what I can do is spread it over three bills."],
        {"can_do"},
    ),
    (
        "stonewall-with-offer",
        ["I can't remove the fee, but what I can do is waive next month's charge."],
        {"can_do"},
    ),
    # An offer inside a relative clause of a negative word is no offer.
    (
        "nothing-i-can-change",
        [
            "I understand, but there's nothing on the line I can change from here. "
            "It has to be corrected by billing. I'll put you back through to them."
        ],
        set(),
    ),
    ("no-way-i-can-refund", ["There's no way I can refund this."], {"stonewall"}),
    ("no-problem-then-offer", ["No problem, I can book it for Friday."], {"can_do"}),
    ("policy", ["That's company policy, I'm afraid."], {"stonewall"}),
    ("blame-colleague", ["Honestly, the sales team messed this up, not me."], {"blame_colleague"}),
    ("blame-billing", ["Billing screwed this up again."], {"blame_colleague"}),
    ("gave-wrong-date", ["The last agent gave you the wrong date, it's Friday."], {"blame_colleague"}),
    ("thats-on-them", ["If the depot mess it up again that's on them, not you."], {"blame_colleague"}),
    (
        "supposed-to-but-never",
        ["Their scheduling people are supposed to flag that and they just never do."],
        {"blame_colleague"},
    ),
    ("ive-explained", ["I've explained, it's in the tariff."], {"condescension"}),
    ("ive-explained-the-steps", ["I've explained the steps below, they take a minute."], set()),
    ("no-changing-it", ["The balance is valid as billed, so there's no changing it."], {"stonewall"}),
    ("not-on-social", ["We aren't able to discuss compensation or claims on social media."], {"stonewall"}),
    ("not-here-so-dm", ["We can't discuss account details on a public channel, so please DM us."], set()),
    # wrong goods from a third party blame nobody here
    ("seller-sent-wrong-item", ["When a seller sends the wrong item they cover the return postage."], set()),
    ("own-it", ["We messed this up, and I'm sorry."], {"acknowledge_view"}),
    ("see-why", ["I can see why that's frustrating."], {"acknowledge_view"}),
    ("right-to-ask", ["You're right to ask about it."], {"acknowledge_view"}),
    (
        "right-despite-later-negation",
        ["You're absolutely right, that charge shouldn't be there."],
        {"acknowledge_view"},
    ),
    ("what-i-can-do", ["What I can do is send a replacement today."], {"can_do"}),
    # a spoken commitment the tweet-trained can-do head puts at 0.10: over the 0.05 veto
    ("let-me-fix-that", ["Let me fix that for you right now."], {"can_do"}),
    ("heres-what", ["Here's what I'll do: I'll escalate this to the network team."], {"can_do"}),
    # Real service phrasings (labelled face threats of the IBM train split, reworded).
    ("as-we-shared", ["As we shared in our last post, your account is under review."], {"condescension"}),
    ("as-previously-stated", ["As previously stated, the order can't be changed."], {"condescension"}),
    ("flat-not-possible", ["Sorry, that is not possible. See this article for more."], {"stonewall"}),
    ("you-cannot-do-that", ["Sorry, but you cannot do that. Please read our rules."], {"stonewall"}),
    ("possible-to-enable", ["It is possible to enable this in Settings."], set()),
    # Known QA red flags, checked for false hits on the 896 real and bundled agent turns (none).
    ("clearly-stated", ["It's clearly stated on our website that the fee applies."], {"blame_customer"}),
    ("your-banks-problem", ["That's your bank's problem, not ours."], {"stonewall"}),
    ("your-problem", ["That's your problem, not ours."], {"blame_customer"}),
    ("dont-know-what-to-tell-you", ["I don't know what else to tell you."], {"stonewall"}),
    ("read-before-contacting", ["Please read the FAQ before contacting us."], {"condescension"}),
    ("whoever-told-you", ["Whoever told you that was mistaken, the fee stays."], {"blame_colleague"}),
    ("read-the-faq", ["Please read our FAQ, it explains how to reset the router."], set()),
    # Errors a held-out evaluation on real chats found (rubric 1.8.10): sympathy read as a
    # contradiction, closing the chat credited as can-do.
    ("not-what-we-like-to-hear", ["That's not what we like to hear. Which device are you using?"], set()),
    (
        "not-how-it-works",
        ["That's not how our system works, the charge is correct."],
        {"contradict_customer"},
    ),
    (
        "not-what-happened",
        ["That's not what happened, the engineer arrived at nine."],
        {"contradict_customer"},
    ),
    ("closing-the-chat", ["It seems like you're busy, so I'm going to close out the chat."], set()),
    ("not-something-we-can-do", ["I'm afraid that's not something we can do."], {"stonewall"}),
    ("it-clearly-says", ["It clearly says on the website that shipping takes ten days."], {"blame_customer"}),
    # Deflecting is no ownership; owning it beside a "not" that negates something else still is.
    ("not-our-fault", ["It's not our fault that your bank declined it."], set()),
    ("our-mistake-not-yours", ["That's our mistake, not yours."], {"acknowledge_view"}),
    # Wrapping up is no can-do on the model alone (rubric can_do.model_blocked_by: [wrap_up]); a
    # can-do phrase in the same turn still counts.
    ("disconnecting", ["I will disconnect the call now."], set()),
    ("closing-the-ticket", ["We will close this ticket if we don't hear from you."], set()),
    ("remedy-then-close", ["I've refunded the late fee, and I'll close this ticket now."], {"can_do"}),
    # Live-chat face threats (rubric 1.8.11) and the lookalikes that must stay clean.
    ("read-my-previous-message", ["Please read my previous message again."], {"condescension"}),
    ("see-my-previous-message", ["Please see my previous message for the link."], set()),
    ("did-you-even", ["Did you even try restarting it?"], {"condescension"}),
    (
        "you-obviously-havent",
        ["As it says in the manual, which you obviously haven't read, hold the button."],
        {"condescension"},
    ),
    ("let-me-finish", ["If you would just let me finish."], {"condescension"}),
    ("let-me-finish-setting-up", ["Let me finish setting this up and I'll confirm."], set()),
    ("keep-your-tone", ["Please keep your tone respectful."], {"condescension"}),
    ("language-settings", ["You can check your language settings under Profile."], set()),
    ("read-before-you-sign", ["You need to read the terms before you sign up."], {"blame_customer"}),
    ("cancelled-it-yourself", ["The system shows that you cancelled it yourself."], {"contradict_customer"}),
    ("you-gave-the-wrong", ["You gave us the wrong address."], {"blame_customer"}),
    ("you-received-the-wrong", ["I'm sorry you received the wrong item."], set()),
    ("chose-in-question", ["Since you set it up yourself, could you tell me which option you chose?"], set()),
    ("no-record-of-you", ["We have no record of you contacting us."], {"contradict_customer"}),
    (
        "no-record-of-the-order",
        ["I don't see any record of the order yet, could you share the order number?"],
        set(),
    ),
    ("no-one-would-have", ["No one here would have promised that."], {"contradict_customer"}),
    ("no-one-can-say", ["No one can say exactly when the outage will end."], set()),
    ("dont-know-why-they-told", ["I don't know why they told you that."], {"blame_colleague"}),
    ("agents-not-good", ["Yeah, some of the agents here are not very good."], {"blame_colleague"}),
    ("cannot-be-waived", ["No, the fee cannot be waived."], {"stonewall"}),
    ("cannot-be-done-but", ["This can't be done online, but I can do it for you now."], {"can_do"}),
    # A second set of live-chat face threats (rubric 1.8.11) and their lookalikes.
    ("not-rocket-science", ["Tap it, choose off. Not rocket science!"], {"condescension"}),
    ("take-a-deep-breath", ["Okay, take a deep breath. Now, booking reference?"], {"condescension"}),
    ("most-people-manage", ["Most customers manage to do this without any help."], {"condescension"}),
    ("just-read-the-screen", ["It pops up when you open the game, just read the screen."], {"condescension"}),
    ("just-reading-the-system", ["I'm just reading what the system shows."], set()),
    ("so-he-did-knock", ["The driver's card says two knocks, so he did knock."], {"contradict_customer"}),
    ("nothing-from-you", ["There's nothing in our system from you."], {"contradict_customer"}),
    ("careless-contractor", ["That courier firm is frankly careless with parcels."], {"blame_colleague"}),
    (
        "read-off-a-script",
        ["The first-line team just read off a script, sorry about them."],
        {"blame_colleague"},
    ),
    (
        "passengers-responsibility",
        ["Reaching the airport in time is the passenger's responsibility."],
        {"blame_customer"},
    ),
    ("decision-is-final", ["The decision is final."], {"stonewall"}),
    ("fees-are-fees", ["No, I can't do that. Fees are fees."], {"stonewall"}),
    ("dear-mr", ["Dear Mr Webb, I've refunded the fee and sent you the receipt."], {"can_do"}),
    ("okay-dear", ["Okay dear, let me explain it again."], {"condescension"}),
    (
        "recap-as-i-mentioned",
        ["Hi Nadia, as I mentioned on the phone, we've agreed a payment plan."],
        {"can_do"},
    ),
    (
        "payments-you-didnt-recognise",
        ["The two payments you didn't recognise are being investigated."],
        set(),
    ),
    ("if-youd-rather", ["You can pay by card, or at the desk if you'd rather pay in person."], set()),
    ("sorry-you-had-to", ["Sorry you had to keep telling us, it's being repaired today."], set()),
    ("no-signal-down-there", ["Smart meters can't get a signal down there."], set()),
    # Spoken commitments (rubric 1.8.11).
    ("start-the-refund", ["I'll start the refund now; you'll see it in 3 to 5 days."], {"can_do"}),
    ("walk-you-through", ["I'll walk you through it step by step."], {"can_do"}),
    ("send-the-right-size", ["I'll send the right size today."], {"can_do"}),
    ("chase-the-courier", ["I'll chase the courier and update you by 5pm today."], {"can_do"}),
    ("refund-has-been-processed", ["Your refund of £24.99 has been processed."], {"can_do"}),
    ("moved-the-account", ["I've moved the account into your name today."], {"can_do"}),
    ("marked-as-paid", ["I've marked the account as paid and stopped the reminder texts."], {"can_do"}),
    ("emailed-the-passes", ["I've emailed all four boarding passes to you just now."], {"can_do"}),
    ("opened-a-claim", ["I've opened a missing-parcel claim for you."], {"can_do"}),
    ("now-in-place", ["Auto-renew is now off, so you won't be charged again."], {"can_do"}),
    ("transfer-is-no-can-do", ["I'll transfer you to billing."], set()),
    # Getting a remedy done, taking it on (rubric 1.8.12).
    ("get-it-resent", ["I can get that resent to you at no extra charge."], {"can_do"}),
    ("get-one-out", ["I'll get a new one out to you first thing tomorrow."], {"can_do"}),
    ("take-care-of-it", ["Absolutely, I can take care of that for you."], {"can_do"}),
    ("cant-get-it-fixed", ["I can't get it fixed until Monday, sorry."], set()),
    ("get-the-number-out", ["I can get the tracking number out of the system for you."], set()),
    ("do-it-for-you", ["You can change it online, or I can do it for you now."], {"can_do"}),
    ("now-on-the-flight", ["Done! You're now on the 3pm flight on Friday."], {"can_do"}),
    ("asked-if-now-on", ["Are you now on the new plan? Let me check."], set()),
    ("place-on-hold", ["I'm just going to place you on a brief hold while I check."], set()),
    ("place-an-order", ["I've placed a new order for you at no cost."], {"can_do"}),
    (
        "close-this-ticket",
        ["I'm going to go ahead and close this ticket since the issue is resolved."],
        set(),
    ),
    ("logged-as-a-complaint", ["I've logged your call as a complaint."], set()),
    ("should-have-been-fixed", ["It should have been fixed by now, let me check with the team."], set()),
    ("fallen-short", ["We've fallen short here. I'll transfer you to the complaints team."], set()),
    ("refund-not-processed-yet", ["The refund has not been processed yet."], set()),
    ("neutral", ["Let me pull up your account.", "Your last payment was on the 3rd."], set()),
    ("neutral-advice", ["You should receive a confirmation email shortly."], set()),
]


@pytest.fixture(scope="module")
def results(score: Score) -> dict[str, ConversationScores]:
    items = [
        conversation([("customer", OPENER), *(("agent", text) for text in turns)], id=case)
        for case, turns, _ in CASES
    ]
    return {r.conversation_id: r for r in score(items)}


@pytest.mark.parametrize(("case", "turns", "expected"), CASES, ids=[c[0] for c in CASES])
def test_kinds(
    results: dict[str, ConversationScores], case: str, turns: list[str], expected: set[str]
) -> None:
    found = {f.kind for f in results[case].findings if f.scorer == "self_worth.v1"}
    assert found == expected


def test_findings_carry_agent_attribution_evidence_and_suggestion(
    results: dict[str, ConversationScores],
) -> None:
    [finding] = [f for f in results["you-should-have"].findings if f.scorer == "self_worth.v1"]
    assert finding.attribution is Attribution.AGENT and finding.polarity is Polarity.NEGATIVE
    evidence = finding.evidence
    assert (evidence.conversation_id, evidence.leg, evidence.turn) == ("you-should-have", 0, 1)
    assert evidence.quote == "You should have called us before the due date."
    text = "You should have called us before the due date."
    assert text[evidence.char_start : evidence.char_end].startswith("You should have called")
    assert evidence.rule == "you_should_have"
    assert finding.suggestion and "what happens next" in finding.suggestion
    assert finding.agent_id == "agent-0"


def test_score_is_one_minus_penalties_with_capped_rewards(results: dict[str, ConversationScores]) -> None:
    def value(case: str) -> float | None:
        [s] = [s for s in results[case].scores if s.criterion == "self_worth"]
        assert s.rubric_version == "default@1.8.15" and s.attribution is Attribution.AGENT
        return s.value

    assert value("neutral") == 1.0
    assert value("what-i-can-do") == 1.0  # rewards never lift the score above 1
    assert value("you-should-have") == pytest.approx(0.7)
    assert value("stonewall") == pytest.approx(0.75)
    [failed] = [s for s in results["you-should-have"].scores if s.criterion == "self_worth"]
    assert failed.passed is False and "blame_customer x1" in failed.reason


def test_model_blocked_by_must_name_labels_of_the_pattern_file() -> None:
    from nlp.scorers.self_worth import SelfWorthParams

    patterns = str(Path(__file__).resolve().parents[3] / "rubrics" / "patterns" / "self_worth.jsonl")
    kinds = {"can_do": {"polarity": "positive", "weight": 0.1, "model_blocked_by": ["sign_off"]}}
    with pytest.raises(ValueError, match=r"sign_off"):
        SelfWorthParams.model_validate({"patterns": patterns, "kinds": kinds})
    kinds["can_do"]["model_blocked_by"] = ["wrap_up"]
    assert (
        SelfWorthParams.model_validate({"patterns": patterns, "kinds": kinds})
        .kinds["can_do"]
        .model_blocked_by
    )
