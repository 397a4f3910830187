"""``transfers.v1``: transfers from events, legs and words; warmth; ping-pong; chains; who is accountable."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.attribution import agent_leg_scores
from nlp.findings import Attribution, ConversationScores
from nlp.rubric import Rubric
from tests.nlp.scorers.builders import Score, conversation, journey, kinds
from transcripts.model import Conversation

pytestmark = pytest.mark.models


def leg(index: int, department: str, via: str = "inbound", role: str = "agent") -> dict:
    return {
        "index": index,
        "participant_role": role,
        "agent_id": f"a-{index}",
        "department": department,
        "started_via": via,
    }


def transfer(frm: int, to: int, warm: bool | None = None, by: str | None = None) -> dict:
    event = {"type": "transfer", "from_leg": frm, "to_leg": to, "leg": frm}
    if warm is not None:
        event["warm"] = warm
    if by is not None:
        event["by"] = by
    return event


ISSUE = "My router keeps dropping the connection every evening and I work from home."
CALL_US = [  # the same words on a call and in a chat
    ("customer", "My router keeps dropping the connection every evening."),
    ("agent", "Please give us a call on 0800 123 456 so we can run a line test."),
]
CASES = {
    "cold-event": conversation(
        [
            ("agent", "Billing, how can I help?", 0),
            ("customer", ISSUE, 0),
            ("agent", "That's technical, I'll transfer you.", 0),
            ("agent", "Tech support, what's the problem?", 1),
            ("customer", "My router drops the connection every single evening and I work from home.", 1),
        ],
        id="cold-event",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "transfer")],
        events=[transfer(0, 1, warm=False)],
    ),
    "warm-handoff-cue": conversation(
        [
            ("customer", ISSUE, 0),
            (
                "agent",
                "I'll put you through to technical support and I'll let them know what's happening.",
                0,
            ),
            ("agent", "Hi, I understand you've been losing the connection in the evenings.", 1),
        ],
        id="warm-handoff-cue",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "transfer")],
    ),
    "restated-no-event": conversation(
        [
            ("customer", ISSUE, 0),
            ("agent", "One moment.", 0),
            ("agent", "Technical support, how can I help?", 1),
            (
                "customer",
                "So my router keeps dropping the connection every evening, and I work from home.",
                1,
            ),
        ],
        id="restated-no-event",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "queue_transfer")],
    ),
    "referral": conversation(
        [
            ("customer", "I want to dispute a roaming charge from my holiday."),
            ("agent", "You'll need to call the international team for that, they're on 0800 440 220."),
        ],
        id="referral",
    ),
    # Another of the company's own teams the customer must contact themselves: a cold transfer (not
    # a referral, not a channel move to the phone), as the labelling guidelines define it.
    "own-team-on-a-number": conversation(
        [
            ("customer", "I'd like to cancel my broadband, how do I do that?"),
            (
                "agent",
                "For cancellations you'll need to call our Retentions team on 0300 555 0190, we can't "
                "process them over chat.",
            ),
        ],
        id="own-team-on-a-number",
        channel="chat",
    ),
    "call-billing-yourself": conversation(
        [
            ("customer", "Can you refund the double charge?"),
            (
                "agent",
                "No, tech support can't do refunds. You'll have to call billing yourself, they're on a "
                "different line.",
            ),
        ],
        id="call-billing-yourself",
        legs=[leg(0, "Technical Support")],
    ),
    # The customer is told to explain it all again to whoever takes the call: cold, and coaching.
    "explain-it-to-them": conversation(
        [
            (
                "customer",
                "Your hotel says there's no booking under my name and I'm at the desk with my kids.",
            ),
            ("agent", "I'll transfer you to the duty manager now. Please explain the situation to them."),
        ],
        id="explain-it-to-them",
    ),
    # "so I can deal with this" is no "we can't deal with this"; "by 5pm" is no private message.
    "deal-with-it-here": conversation(
        [
            ("customer", "My mum's delivery had the wrong medicine in it."),
            (
                "agent",
                "I'm so glad she's alright. Can I take the order number so I can deal with this properly?",
            ),
        ],
        id="deal-with-it-here",
        channel="chat",
    ),
    "five-pm": conversation(
        [
            ("customer", "Tracking says delivered but my parcel isn't here."),
            (
                "agent",
                "I've opened a trace with the depot, and if it isn't found by 5pm tomorrow I'll arrange "
                "the refund myself.",
            ),
        ],
        id="five-pm",
        channel="chat",
    ),
    # The hand-off model reads "They'll reply to you by email" as a channel move (0.90); the agent
    # passed the case to a named team that answers: a warm transfer.
    "sent-to-billing": conversation(
        [
            ("customer", "I was charged twice for the upgrade."),
            (
                "agent",
                "I can't issue refunds from support myself, but I've sent this to our billing team with "
                "both charges attached. They'll refund the duplicate and reply to you by email within 1 "
                "business day.",
            ),
        ],
        id="sent-to-billing",
        channel="chat",
    ),
    # A leg transfer with no phrase to quote quotes what the agent said last, not the customer's "ok".
    "quiet-handover": conversation(
        [
            ("customer", ISSUE, 0),
            ("agent", "One moment please.", 0),
            ("customer", "ok", 0),
            ("agent", "Technical support, how can I help?", 1),
        ],
        id="quiet-handover",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "transfer")],
    ),
    # an emergency number is no channel of the company's (the hand-off model reads a move, 0.54)
    "emergency-number": conversation(
        [
            ("customer", "My mum is on oxygen and the power has been off for two hours."),
            (
                "agent",
                "I've added her to our Priority Services Register and passed everything to our Vulnerable "
                "Customers team. Dami from that team will call you within 30 minutes to arrange a "
                "generator. If her cylinder gets low before then, call 999 straight away.",
            ),
        ],
        id="emergency-number",
        channel="social",
    ),
    "your-card-issuer": conversation(
        [
            ("customer", "I was charged twice for a game I bought on my phone."),
            (
                "agent",
                "That charge comes from the app store, so please contact your card issuer to dispute it.",
            ),
        ],
        id="your-card-issuer",
    ),
    "administered-by": conversation(
        [
            ("customer", "My refund hasn't arrived and it's been two weeks."),
            (
                "agent",
                "Hi Chris, thanks for reaching out. As your subscription is administered directly by "
                "Google Play, you can request a refund by filling in this form: "
                "https://support.google.com/googleplay/contact/refund",
            ),
        ],
        id="administered-by",
    ),
    "named-party": conversation(
        [
            ("customer", "There's a charge from your app on my phone bill that I never agreed to."),
            (
                "agent",
                "Because it was billed through your network, you'll need to contact Vodafone for a refund.",
            ),
        ],
        id="named-party",
    ),
    "not-ours": conversation(
        [
            ("customer", "How do I cancel my yearly plan? I got it on my iPhone."),
            (
                "agent",
                "Sorry Sam, plans bought in the app are not managed by us. Apple can cancel it for you.",
            ),
        ],
        id="not-ours",
    ),
    "the-developer": conversation(
        [
            ("customer", "The puzzle game I downloaded from your store keeps crashing."),
            ("agent", "That game is made by another studio, so please reach out to the developer about it."),
        ],
        id="the-developer",
    ),
    "own-support-team": conversation(
        [
            ("customer", "My refund for the broken speaker still hasn't come through."),
            ("agent", "You'll need to contact Brightwave Support for that, they handle refunds."),
        ],
        id="own-support-team",
    ),
    "spoken-only": conversation(
        [
            ("customer", "I'd like to cancel, I'm moving abroad."),
            ("agent", "I'm going to connect you to retention now."),
        ],
        id="spoken-only",
    ),
    "dm-us": conversation(
        [
            ("customer", "@BrightwaveHelp my internet has been down since this morning"),
            (
                "agent",
                "@user Sorry about that! Please send us a DM with your account email and we'll look into it.",
            ),
        ],
        id="dm-us",
    ),
    "greeting": conversation(
        [
            ("agent", "Hi, thanks for contacting Brightwave Technical Support. How can I help?"),
            ("customer", "I've been trying to pay for two days and the app keeps saying payment failed."),
        ],
        id="greeting",
        channel="chat",
    ),
    # the hand-off model read this can-do line as a cold transfer (0.62): a transfer names whom to
    "replacement-is-no-transfer": conversation(
        [
            ("customer", "My parcel hasn't arrived."),
            ("agent", "What I can do is send you a replacement today."),
        ],
        id="replacement-is-no-transfer",
        channel="chat",
    ),
    # a flight ticket is no support ticket to go to (the model read a channel move here)
    "flight-ticket": conversation(
        [
            ("customer", "I can't make my flight."),
            ("agent", "While we can't refund the ticket, we can move it to another date for free."),
        ],
        id="flight-ticket",
        channel="chat",
    ),
    "sees-your-ticket": conversation(
        [
            ("customer", "Ticket T-40217. I need to talk to a person about my router dropping out"),
            ("agent", "Hi Sam, Lee from Technical Support here. I can see your ticket, thanks for waiting."),
            ("agent", "Please restart your phone and the router while I check the line."),
        ],
        id="sees-your-ticket",
        channel="chat",
    ),
    "asks-for-email": conversation(
        [
            ("customer", "hi, just checking on the status of my refund"),
            ("agent", "sure, could you give me your full name or account ID"),
            ("customer", "Maya Lindqvist"),
            ("agent", "additional to this you would give me the order ID and email"),
            ("agent", "Could you also confirm the email address on the order?"),
        ],
        id="asks-for-email",
        channel="chat",
    ),
    "callback-on-a-call": conversation(
        [
            ("customer", "I'm thinking of cancelling, the bill went up again and nobody told me."),
            ("agent", "I can offer you a 15% discount to stay with us."),
            ("customer", "OK, that works."),
            ("agent", "I'll send you the details later today and call you back next week to check on you."),
        ],
        id="callback-on-a-call",
    ),
    "call-us-on-a-call": conversation(CALL_US, id="call-us-on-a-call"),
    "call-us-from-a-chat": conversation(CALL_US, id="call-us-from-a-chat", channel="chat"),
    "ticket-we-raised": conversation(
        [
            ("customer", "The app crashes every time I open my bill."),
            ("agent", "I have raised a ticket with our engineers and they will contact you."),
        ],
        id="ticket-we-raised",
        channel="chat",
    ),
    "our-callback-in-a-chat": conversation(
        [
            ("customer", "When will my refund arrive? It's been two weeks."),
            ("agent", "We will give you a call once the refund is processed."),
        ],
        id="our-callback-in-a-chat",
        channel="chat",
    ),
    "manager-will-call": conversation(  # ABCD's role-played chat
        [
            ("customer", "What if I ask really, really nicely?"),
            ("agent", "OK, I have let my manager know, they will give you a call."),
        ],
        id="manager-will-call",
        channel="chat",
    ),
    "escalated-with-callback": conversation(
        [
            ("customer", "I was charged twice for my order last week and want the money back."),
            ("agent", "I'll escalate your case to our billing team and they will contact you soon."),
        ],
        id="escalated-with-callback",
        channel="chat",
    ),
    "escalate-to-supervisor": conversation(
        [
            ("customer", "This is the third time I've called about this charge."),
            ("agent", "I'm going to escalate this to my supervisor."),
        ],
        id="escalate-to-supervisor",
    ),
    "offers-to-escalate": conversation(  # ABCD's role-played chat
        [
            ("customer", "What if I ask really, really nicely?"),
            ("agent", "I can escalate to my manager if you'd like."),
        ],
        id="offers-to-escalate",
        channel="chat",
    ),
    "closes-the-ticket": conversation(
        [
            ("customer", "My internet has been down since yesterday."),
            ("agent", "We will close this ticket if we don't hear from you."),
        ],
        id="closes-the-ticket",
        channel="chat",
    ),
    "passed-to-team-lead": conversation(
        [
            ("customer", "This is the third time I've called about this charge."),
            ("agent", "I've passed this to my team lead and she will call you tomorrow."),
        ],
        id="passed-to-team-lead",
    ),
    "pass-this-over": conversation(
        [
            ("customer", "I was charged twice for my order last week and want the money back."),
            ("agent", "I'm going to pass this over to my colleague in billing."),
        ],
        id="pass-this-over",
        channel="chat",
    ),
    "being-transferred": conversation(
        [
            ("customer", "I've been on hold forever and I just need my bill explained."),
            ("agent", "You're now being transferred to billing."),
        ],
        id="being-transferred",
        channel="chat",
    ),
    "declined": conversation(
        [
            ("customer", "Do I need billing for the router rental?"),
            ("agent", "I won't transfer you, I can remove the rental from here."),
        ],
        id="declined",
    ),
    "ping-pong": conversation(
        [
            ("customer", "I'm charged for 5G but only get 4G.", 0),
            ("agent", "Transferring you now.", 0),
            ("customer", "I'm charged for 5G but only get 4G.", 1),
            ("agent", "Billing has to change the plan, sending you back.", 1),
            ("agent", "Billing, hello.", 2),
        ],
        id="ping-pong",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "transfer"), leg(2, "Billing", "transfer")],
        events=[transfer(0, 1, warm=False), transfer(1, 2, warm=False)],
    ),
    "ivr-then-agent": conversation(
        [
            ("ivr", "Why are you calling?", 0),
            ("customer", "Billing question.", 0),
            ("agent", "Billing, hi.", 1),
        ],
        id="ivr-then-agent",
        legs=[leg(0, "Menu", role="ivr"), leg(1, "Billing")],
    ),
    "system-routed": conversation(
        [("customer", ISSUE, 0), ("agent", "Let me check.", 0), ("agent", "Tech here.", 1)],
        id="system-routed",
        legs=[leg(0, "Billing"), leg(1, "Technical Support", "transfer")],
        events=[transfer(0, 1, warm=False, by="system")],
    ),
}


@pytest.fixture(scope="module")
def results(score: Score) -> dict[str, ConversationScores]:
    return {r.conversation_id: r for r in score(list(CASES.values()))}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("cold-event", [("cold_transfer", 2, "system"), ("no_context_handoff", 2, "agent")]),
        ("warm-handoff-cue", [("warm_transfer", 1, "system")]),
        ("restated-no-event", [("cold_transfer", 1, "system"), ("no_context_handoff", 1, "agent")]),
        # "call the international team": another internal team to start over with, i.e. a cold
        # internal transfer the agent could have made warm (the hand-off taxonomy of the real set).
        ("referral", [("cold_transfer", 1, "system"), ("no_context_handoff", 1, "agent")]),
        # A named third party: a referral the process requires, never the agent's fault, even where
        # the hand-off model prefers another class (the rubric forces these phrases).
        ("own-team-on-a-number", [("cold_transfer", 1, "system"), ("no_context_handoff", 1, "agent")]),
        ("call-billing-yourself", [("cold_transfer", 1, "system"), ("no_context_handoff", 1, "agent")]),
        ("explain-it-to-them", [("cold_transfer", 1, "system"), ("no_context_handoff", 1, "agent")]),
        ("deal-with-it-here", []),
        ("five-pm", []),
        ("sent-to-billing", [("warm_transfer", 1, "system")]),
        ("emergency-number", []),
        ("your-card-issuer", [("referral", 1, "system")]),
        ("administered-by", [("referral", 1, "system")]),
        ("named-party", [("referral", 1, "system")]),
        ("not-ours", [("referral", 1, "system")]),
        ("the-developer", [("referral", 1, "system")]),
        ("spoken-only", [("transfer", 1, "system")]),
        ("dm-us", [("channel_move", 1, "system")]),  # the process's move, never the agent's fault
        # the hand-off model reads a greeting as a channel move (0.47 against a cut-off of 0.23); a
        # move names where the customer goes (DM, phone, e-mail, form, site, store): none here
        ("greeting", []),
        # "your ticket", "your phone": something the customer already has, no place to go
        ("sees-your-ticket", []),
        ("replacement-is-no-transfer", []),
        ("flight-ticket", []),
        # "give me the order ID and email", "the email address": something the customer gives here
        ("asks-for-email", []),
        # "I'll call you back": the agent comes back, the customer goes nowhere
        ("callback-on-a-call", []),
        # "call us on ..." is the contact's own channel on a call, a move to the phone from a chat
        ("call-us-on-a-call", []),
        ("call-us-from-a-chat", [("channel_move", 1, "system")]),
        # a ticket the agent raised sends the customer nowhere; passing the case over is a transfer
        ("ticket-we-raised", []),
        ("pass-this-over", [("transfer", 1, "system")]),
        ("being-transferred", [("transfer", 1, "system")]),
        # a call that comes to the customer moves them nowhere (the hand-off model read both as a
        # channel move to the phone); whoever calls back has the case ("they will give you a call"),
        # so a hand-off that says so is warm, not a cold transfer with a coaching point
        ("our-callback-in-a-chat", []),
        ("manager-will-call", [("warm_transfer", 1, "system")]),
        ("escalated-with-callback", [("warm_transfer", 1, "system")]),
        # an escalation to a supervisor is an internal hand-off: warm when the lead will answer
        ("escalate-to-supervisor", [("transfer", 1, "system")]),
        ("offers-to-escalate", []),  # an offer the customer may decline sends nobody anywhere
        ("passed-to-team-lead", [("warm_transfer", 1, "system")]),
        ("closes-the-ticket", []),  # the ticket the agent closes is no channel the customer is sent to
        ("declined", []),
        ("ivr-then-agent", []),
        ("system-routed", [("cold_transfer", 1, "system")]),  # not the agent's: the system moved the call
    ],
)
def test_transfer_findings(results: dict[str, ConversationScores], case: str, expected: list) -> None:
    assert kinds(results[case], "transfers.v1") == expected


def test_a_channel_move_quotes_where_the_customer_is_sent(results: dict[str, ConversationScores]) -> None:
    [move] = [f for f in results["dm-us"].findings if f.kind == "channel_move"]
    assert move.evidence.rule in {"direct_message", "direct_message_words", "message_us"}
    assert move.evidence.quote.endswith("we'll look into it.")


def test_a_leg_transfer_quotes_the_agents_last_words(results: dict[str, ConversationScores]) -> None:
    [moved] = [f for f in results["quiet-handover"].findings if f.scorer == "transfers.v1"]
    assert (moved.evidence.turn, moved.evidence.quote) == (1, "One moment please.")


def test_the_companys_own_team_is_no_third_party(results: dict[str, ConversationScores]) -> None:
    # "contact <Name> Support": a capitalised name followed by one of the company's own teams is
    # not a referral (need_to_contact_named stops at team words); what else it is, the model says.
    assert "referral" not in [kind for kind, *_ in kinds(results["own-support-team"], "transfers.v1")]


def test_ping_pong_is_a_system_finding_on_the_return(results: dict[str, ConversationScores]) -> None:
    found = [f for f in results["ping-pong"].findings if f.kind == "ping_pong"]
    [bounce] = found
    assert bounce.attribution is Attribution.SYSTEM
    assert bounce.detail["departments"] == ["billing", "tech_support", "billing"]
    assert bounce.evidence.leg == 2 and bounce.detail["across_contacts"] is False


def test_transfer_detail_has_reason_departments_and_warmth(results: dict[str, ConversationScores]) -> None:
    [cold] = [f for f in results["cold-event"].findings if f.kind == "cold_transfer"]
    assert cold.detail["reason"] == ISSUE
    assert (cold.detail["from_department"], cold.detail["to_department"]) == ("billing", "tech_support")
    assert (cold.detail["warm"], cold.detail["warmth_source"]) == (False, "event")
    [restated] = [f for f in results["restated-no-event"].findings if f.kind == "cold_transfer"]
    assert restated.detail["warmth_source"] == "customer_restated" and restated.detail["restated_turn"] == 3
    [referral] = [f for f in results["referral"].findings if f.kind == "cold_transfer"]
    assert referral.evidence.quote.startswith("You'll need to call the international team")


def test_routing_score_is_system_and_stays_out_of_the_agent_score(
    results: dict[str, ConversationScores], rubric: Rubric
) -> None:
    scores = results["ping-pong"].scores
    [routing] = [s for s in scores if s.criterion == "transfers" and s.leg is None]
    assert routing.attribution is Attribution.SYSTEM and routing.agent_id is None
    assert routing.value == pytest.approx(1 - 2 * 0.15 - 2 * 0.15 - 0.3)
    handoffs = [s for s in scores if s.criterion == "transfers" and s.leg is not None]
    assert {(s.leg, s.value, s.attribution) for s in handoffs} == {
        (0, 0.0, Attribution.AGENT),
        (1, 0.0, Attribution.AGENT),
    }
    overall = {s.leg: s for s in agent_leg_scores(scores, rubric)}
    assert set(overall[0].criteria) == {"self_worth", "transfers", "repeats"}  # the agent's part only
    assert "transfers" not in overall[2].criteria  # leg 2 transferred nobody


def test_chain_and_ping_pong_across_the_contacts_of_a_journey(score: Score) -> None:
    first = conversation(
        [
            ("customer", "My landline has no dial tone but I'm still paying rental."),
            ("agent", "You'd need to call technical support about that."),
        ],
        id="j-1",
        legs=[leg(0, "Billing")],
        customer_id="cust-j",
        started_at="2026-10-05T09:00:00Z",
    )
    second = conversation(
        [
            ("customer", "Billing sent me here. No dial tone on my landline, still paying for it."),
            ("agent", "Refunds are billing, you'll need to contact them."),
        ],
        id="j-2",
        legs=[leg(0, "Technical Support")],
        customer_id="cust-j",
        started_at="2026-10-05T09:30:00Z",
    )
    third = conversation(
        [
            ("customer", "Third call. My landline has no dial tone and I'm still paying."),
            ("agent", "I'm sorry, I'll credit the month."),
        ],
        id="j-3",
        legs=[leg(0, "Billing")],
        customer_id="cust-j",
        started_at="2026-10-06T10:00:00Z",
    )
    results = {r.conversation_id: r for r in score([first, second, third], [journey(first, second, third)])}
    assert ("ping_pong", 0, "system") in kinds(results["j-3"], "transfers.v1")
    [chain] = [f for f in results["j-3"].findings if f.kind == "transfer_chain"]
    assert chain.detail["contacts"] == 3 and [p[2] for p in chain.detail["path"]] == [
        "billing",
        "tech_support",
        "billing",
    ]
    assert not [f for f in results["j-2"].findings if f.kind in ("ping_pong", "transfer_chain")]


SOCIAL = Path(__file__).parents[2] / "readers" / "fixtures" / "social" / "threads.jsonl"


def _leg_or_event_transfers(result: ConversationScores) -> list[str]:
    return [
        f.kind
        for f in result.findings
        if f.scorer == "transfers.v1" and f.detail.get("source") in ("leg", "event")
    ]


def test_signatures_alone_never_make_a_transfer(score: Score) -> None:
    """Twitter-shaped threads: signatures (^JK, *SR, -Maria) and a second brand are one team."""
    import transcripts.readers.all  # noqa: F401
    from transcripts.read import read_path

    threads = [c for c in read_path(SOCIAL) if isinstance(c, Conversation)]
    results = {r.conversation_id: r for r in score(threads)}
    assert set(results) == {"sig-relay", "brand-banter", "one-rep"}
    for result in results.values():
        assert _leg_or_event_transfers(result) == [], result.conversation_id
        assert not {"ping_pong", "transfer_chain", "no_context_handoff"} & {f.kind for f in result.findings}


def test_legs_per_signature_on_a_social_channel_are_not_transfers(score: Score) -> None:
    """Even a source that splits legs per signature gets a transfer only from a stated department change."""
    turns = [
        ("customer", "My order 4471 has not shipped after two weeks.", 0),
        ("agent", "Sorry for the wait! Which email is the order under? ^JK", 0),
        ("customer", "The one on my account.", 0),
        ("agent", "Thanks, it is packed and ships tomorrow. *SR", 1),
    ]
    same_team = [
        {"index": 0, "agent_id": "Acme/JK", "department": "Care"},
        {"index": 1, "agent_id": "Acme/SR", "department": "Care", "started_via": "transfer"},
    ]
    other_department = [same_team[0], {**same_team[1], "department": "Shipping"}]
    signed = conversation(turns, id="signed", legs=same_team, channel="social")
    moved = conversation(turns, id="moved", legs=other_department, channel="social")
    live = conversation(turns, id="live", legs=same_team, channel="chat")
    results = {r.conversation_id: r for r in score([signed, moved, live])}
    assert _leg_or_event_transfers(results["signed"]) == []
    assert len(_leg_or_event_transfers(results["moved"])) == 1
    assert len(_leg_or_event_transfers(results["live"])) == 1  # live chat: a new agent leg is a transfer
