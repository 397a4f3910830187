"""A small, fully known store for rendering tests, written through the real Store API.

Stories (period 2026-11-16 .. 2026-11-22, with a quieter week before it):

* ``a-kevin`` (Billing) argues with customers: negative self-worth findings with better phrasings.
* ``a-maria`` (Technical Support) recovers an angry customer with empathy.
* ``cust-bounce`` is bounced between Billing and Technical Support over five contacts, has to
  re-explain again and again, and one call is dropped by the system.
* From 2026-11-20 an "app keeps crashing after the update" spike with long holds.
* A warm transfer to Sales, a bot hand-off and a callback.

Scores and findings are written by hand (``ConversationScores``) so every number is known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from nlp.findings import Attribution, ConversationScores, CriterionScore, Evidence, Finding, Polarity
from nlp.operations import operations_facts
from nlp.overall import agent_leg_scores
from storage.store import Store
from transcripts.journeys import build_journeys
from transcripts.model import (
    Channel,
    Conversation,
    Event,
    EventType,
    Journey,
    Leg,
    LegEnd,
    LegStart,
    Role,
    Turn,
)

RUBRIC = "test-rubric@1.0"
PERIOD = ("2026-11-16", "2026-11-22")
AGENTS = {
    "a-kevin": ("Kevin Doyle", "Billing"),
    "a-sam": ("Sam Okafor", "Billing"),
    "a-maria": ("Maria Santos", "Technical Support"),
    "a-lee": ("Lee Chen", "Technical Support"),
    "a-priya": ("Priya Nair", "Technical Support"),
    "a-tom": ("Tom Baker", "Sales"),
    "bot-va": ("Virtual Assistant", "Virtual Assistant"),
}
THRESHOLDS = {"empathy": 0.6, "self_worth": 0.7}
STEP_MS = 20_000


@dataclass
class Story:
    """One conversation under construction, plus its hand-written scores and findings."""

    id: str
    customer: str
    start: datetime
    legs: list[tuple[str, LegStart, LegEnd]]  # (agent id, started via, ended via)
    lines: list[tuple[int, str]]  # (leg, text); the leg's customer speaks on even lines of a leg
    events: list[Event] = field(default_factory=list)
    values: dict[int, dict[str, float]] = field(default_factory=dict)  # leg -> criterion -> value
    findings: list[Finding] = field(default_factory=list)

    def conversation(self) -> Conversation:
        """The canonical conversation."""
        turns = []
        leg_bounds: dict[int, list[int]] = {}
        speaker_flip: dict[int, int] = {}
        for index, (leg, text) in enumerate(self.lines):
            n = speaker_flip.get(leg, 0)
            speaker_flip[leg] = n + 1
            agent_id = self.legs[leg][0]
            role = Role.CUSTOMER if n % 2 == 0 else (Role.BOT if agent_id.startswith("bot") else Role.AGENT)
            turns.append(
                Turn(
                    index=index,
                    role=role,
                    speaker_id=None if role == Role.CUSTOMER else agent_id,
                    text=text,
                    start_ms=index * STEP_MS,
                    end_ms=index * STEP_MS + STEP_MS - 1000,
                    leg=leg,
                )
            )
            leg_bounds.setdefault(leg, [index * STEP_MS, index * STEP_MS])[1] = index * STEP_MS + STEP_MS
        legs = []
        for i, (agent_id, via, end) in enumerate(self.legs):
            name, department = AGENTS[agent_id]
            bounds = leg_bounds.get(i, [0, 0])
            legs.append(
                Leg(
                    index=i,
                    participant_role=Role.BOT if agent_id.startswith("bot") else Role.AGENT,
                    agent_id=agent_id,
                    agent_name=name,
                    department=department,
                    queue=department.lower().replace(" ", "_"),
                    started_via=via,
                    ended_via=end,
                    start_ms=bounds[0],
                    end_ms=bounds[1],
                )
            )
        duration = timedelta(milliseconds=len(self.lines) * STEP_MS + 60_000)
        return Conversation(
            id=self.id,
            channel=Channel.CALL,
            customer_id=self.customer,
            started_at=self.start,
            ended_at=self.start + duration,
            source_file="synthetic",
            legs=legs,
            turns=turns,
            events=self.events,
        )

    def scores(self) -> ConversationScores:
        """Agent criteria per leg, system criteria per conversation, and the findings."""
        rows = []
        for leg, values in self.values.items():
            agent_id = self.legs[leg][0]
            for criterion, value in values.items():
                threshold = THRESHOLDS[criterion]
                rows.append(
                    CriterionScore(
                        self.id,
                        leg,
                        agent_id,
                        criterion,
                        f"{criterion}.v1",
                        value,
                        threshold,
                        value >= threshold,
                        "synthetic",
                        RUBRIC,
                        Attribution.AGENT,
                    )  # fmt: skip
                )
        for criterion in ("transfers", "repeats"):
            bad = [f for f in self.findings if f.criterion == criterion and f.polarity is Polarity.NEGATIVE]
            rows.append(
                CriterionScore(
                    self.id,
                    None,
                    None,
                    criterion,
                    f"{criterion}.v1",
                    0.3 if bad else 1.0,
                    0.5,
                    not bad,
                    "synthetic",
                    RUBRIC,
                    Attribution.SYSTEM,
                )  # fmt: skip
            )
        return ConversationScores(self.id, RUBRIC, rows, self.findings)

    def turn_text(self, turn: int) -> str:
        """Text of a turn."""
        return self.lines[turn][1]

    def agent_finding(
        self,
        turn: int,
        criterion: str,
        kind: str,
        quote: str,
        polarity: Polarity,
        suggestion: str | None = None,
    ) -> None:
        """Add an agent-attributed finding quoting ``quote`` in ``turn``."""
        leg, text = self.lines[turn]
        start = text.index(quote)
        agent_id = self.legs[leg][0]
        self.findings.append(
            Finding(
                scorer=f"{criterion}.v1",
                criterion=criterion,
                kind=kind,
                attribution=Attribution.AGENT,
                polarity=polarity,
                evidence=Evidence(
                    self.id, leg, turn, start, start + len(quote), quote, f"{criterion}.{kind}"
                ),
                agent_id=agent_id,
                department=AGENTS[agent_id][1],
                suggestion=suggestion,
            )
        )

    def system_finding(
        self,
        turn: int | None,
        criterion: str,
        kind: str,
        quote: str = "",
        leg: int | None = None,
        detail: dict[str, object] | None = None,
        polarity: Polarity = Polarity.NEGATIVE,
    ) -> None:
        """Add a system-attributed finding (re-explanation, cold transfer...)."""
        if turn is not None:
            leg, text = self.lines[turn]
            start: int | None = text.index(quote) if quote else None
        else:
            text, start = "", None
        agent_id = self.legs[leg][0] if leg is not None else None
        self.findings.append(
            Finding(
                scorer=f"{criterion}.v1",
                criterion=criterion,
                kind=kind,
                attribution=Attribution.SYSTEM,
                polarity=polarity,
                evidence=Evidence(
                    self.id,
                    leg,
                    turn,
                    start,
                    None if start is None else start + len(quote),
                    quote,
                    f"{criterion}.{kind}",
                ),
                agent_id=agent_id,
                department=AGENTS[agent_id][1] if agent_id else None,
                detail=dict(detail or {}),
            )
        )

    def handoff(self, kind: str, from_leg: int, to_leg: int | None = None, turn: int | None = None) -> None:
        """A hand-off finding of ``transfers.v1``, its legs in ``detail``; a warm transfer is positive.

        On the receiving leg when there is one (it is that agent's "not your fault"), else the sender's.
        """
        quote = self.lines[turn][1] if turn is not None else ""
        self.system_finding(
            turn,
            "transfers",
            kind,
            quote,
            leg=to_leg if to_leg is not None and turn is None else from_leg,
            detail={"from_leg": from_leg, "to_leg": to_leg},
            polarity=Polarity.POSITIVE if kind == "warm_transfer" else Polarity.NEGATIVE,
        )


def transfer(from_leg: int, to_leg: int, src: str, dst: str, at: int, warm: bool) -> Event:
    """A transfer event between two legs."""
    return Event(
        type=EventType.TRANSFER, at_ms=at * STEP_MS, leg=from_leg, from_leg=from_leg, to_leg=to_leg,
        from_department=AGENTS[src][1], to_department=AGENTS[dst][1], from_agent=src, to_agent=dst, warm=warm,
    )  # fmt: skip


def hold(leg: int, at: int, seconds: int) -> Event:
    """A hold of ``seconds`` starting before line ``at``."""
    return Event(type=EventType.HOLD_START, at_ms=at * STEP_MS - 500, duration_ms=seconds * 1000, leg=leg)


def queue_wait(leg: int, at: int, seconds: int) -> Event:
    """A queue wait of ``seconds`` before ``leg`` (picked up at line ``at``)."""
    return Event(type=EventType.QUEUE_WAIT, at_ms=at * STEP_MS, duration_ms=seconds * 1000, leg=leg)


def disconnect(leg: int, at: int, by: Role, reason: str | None = None) -> Event:
    """A disconnect event."""
    return Event(type=EventType.DISCONNECT, at_ms=at * STEP_MS, leg=leg, by=by, reason=reason)


IN = LegStart.INBOUND
XFER = LegStart.TRANSFER
OK = LegEnd.RESOLVED
OUT = LegEnd.TRANSFERRED
BUG = [
    "The app keeps crashing since the latest update and I can't log in.",
    "Since the latest update your app crashes every time I open it.",
    "Your app crashes right after the update, it just closes on startup.",
    "After updating the app it keeps crashing, I can't see my account.",
]


def _routine(
    cid: str, customer: str, start: datetime, agent: str, ask: str, values: dict[str, float]
) -> Story:
    story = Story(
        cid, customer, start, [(agent, IN, OK)],
        [(0, ask), (0, "Thanks for calling, I can help with that right away."), (0, "Great, thank you."),
         (0, "You're welcome, it's all sorted now. Anything else I can do?")],
    )  # fmt: skip
    story.values = {0: values}
    story.events = [disconnect(0, 4, Role.CUSTOMER)]
    return story


def stories() -> list[Story]:
    """All conversations of the synthetic store."""
    d = datetime(2026, 11, 9)
    out: list[Story] = []
    # --- the quieter week before -------------------------------------------------------------
    asks = [
        "I have a question about a charge on my bill from last month.",
        "I need to reset my password for the online account portal.",
        "I moved house and want to update my billing address on the account.",
    ]
    week_before = [
        ("p1", "a-kevin", 1, 0, {"empathy": 0.6, "self_worth": 0.7}),
        ("p2", "a-kevin", 2, 2, {"empathy": 0.5, "self_worth": 0.6}),
        ("p3", "a-maria", 2, 1, {"empathy": 0.8, "self_worth": 0.9}),
        ("p4", "a-maria", 3, 1, {"empathy": 0.9, "self_worth": 0.9}),
        ("p5", "a-sam", 4, 0, {"empathy": 0.7, "self_worth": 0.8}),
        ("p6", "a-lee", 5, 1, {"empathy": 0.7, "self_worth": 0.8}),
        ("p7", "a-priya", 3, 2, {"empathy": 0.8, "self_worth": 0.8}),
    ]
    for cid, agent, day, ask, values in week_before:
        out.append(_routine(cid, f"cust-{cid}", d + timedelta(days=day, hours=10), agent, asks[ask], values))

    # --- the arguing agent ---------------------------------------------------------------------
    k1 = Story(
        "k1", "cust-k1", datetime(2026, 11, 17, 10, 0), [("a-kevin", IN, LegEnd.CUSTOMER_DISCONNECT)],
        [
            (0, "I was charged twice on my card 4111 1111 1111 1111 for my subscription this month."),
            (0, "You were not charged twice, you're reading the statement wrong."),
            (0, "I'm looking at it right now, there are two charges! Email me at laura.p@example.com."),
            (0, "That's not my problem, you should have read the terms before signing up."),
            (0, "Unbelievable. I'm cancelling."),
        ],
    )  # fmt: skip
    better = {
        "contradict": "I can see why that looks like a double charge; let me check it with you.",
        "blame": "Let's look at the terms together so it's clear what happened.",
        "empathy": "I'm sorry this has been so frustrating — I'll sort out the charge for you.",
    }
    wrong, terms = "you're reading the statement wrong", "you should have read the terms before signing up"
    k1.agent_finding(1, "self_worth", "contradict_customer", wrong, Polarity.NEGATIVE, better["contradict"])
    k1.agent_finding(3, "self_worth", "blame_customer", terms, Polarity.NEGATIVE, better["blame"])
    k1.agent_finding(
        3, "empathy", "missed_opportunity", "That's not my problem", Polarity.NEGATIVE, better["empathy"]
    )
    k1.values = {0: {"empathy": 0.2, "self_worth": 0.1}}
    k1.events = [disconnect(0, 5, Role.CUSTOMER)]
    out.append(k1)

    k2 = Story(
        "k2", "cust-k2", datetime(2026, 11, 19, 15, 0), [("a-kevin", IN, OK)],
        [
            (0, "My name is Laura Palmer and my bill doubled this month, why?"),
            (0, "Calm down, I can't help you if you keep shouting."),
            (0, "I'm not shouting, I just want to know why it doubled."),
            (0, "The promotional discount ended. It was in the contract."),
        ],
    )  # fmt: skip
    k2.agent_finding(1, "self_worth", "dismissive", "Calm down", Polarity.NEGATIVE,
                     "I understand this is frustrating — let's find out what changed.")  # fmt: skip
    k2.values = {0: {"empathy": 0.4, "self_worth": 0.3}}
    out.append(k2)

    k3 = _routine(
        "k3",
        "cust-k3",
        datetime(2026, 11, 18, 9, 30),
        "a-kevin",
        asks[0],
        {"empathy": 0.7, "self_worth": 0.8},
    )
    out.append(k3)

    # --- the empathic recovery -----------------------------------------------------------------
    m1 = Story(
        "m1", "cust-m1", datetime(2026, 11, 18, 11, 0), [("a-maria", IN, OK)],
        [
            (0, "This is the third time my internet has dropped today and I'm furious."),
            (0, "I'm really sorry, having your internet drop again and again is exhausting. I'll fix it."),
            (0, "Okay. I work from home so this is a big deal."),
            (0, "Completely understood. I've reset the line and booked a technician for tomorrow morning."),
            (0, "Thank you, that actually helps a lot."),
        ],
    )  # fmt: skip
    exhausting = "having your internet drop again and again is exhausting"
    m1.agent_finding(1, "empathy", "acknowledged_emotion", exhausting, Polarity.POSITIVE)
    m1.agent_finding(
        3, "self_worth", "ownership", "I've reset the line and booked a technician", Polarity.POSITIVE
    )
    m1.values = {0: {"empathy": 0.95, "self_worth": 1.0}}
    out.append(m1)
    out.append(
        _routine(
            "m2",
            "cust-m2",
            datetime(2026, 11, 19, 9, 0),
            "a-maria",
            asks[1],
            {"empathy": 0.9, "self_worth": 0.9},
        )
    )

    # --- the bounced customer ------------------------------------------------------------------
    router = "my router stopped working after you changed my plan"
    b1 = Story(
        "b1", "cust-bounce", datetime(2026, 11, 17, 9, 0),
        [("a-sam", IN, OUT), ("a-lee", XFER, LegEnd.SYSTEM_DISCONNECT)],
        [
            (0, f"Hi, {router} and now I have no internet."),
            (0, "That sounds technical, let me transfer you to Technical Support."),
            (1, f"Again? I already explained that {router}."),
            (1, "Sorry, I have no notes here. Can you tell me what happened?"),
        ],
    )  # fmt: skip
    b1.events = [
        transfer(0, 1, "a-sam", "a-lee", 2, False),
        queue_wait(1, 2, 90),  # 1.5 customer minutes lost to the hand-off
        disconnect(1, 4, Role.SYSTEM, "line dropped"),
    ]
    b1.system_finding(2, "repeats", "re_explained", f"I already explained that {router}")
    b1.handoff("cold_transfer", 0, 1)
    b1.values = {0: {"empathy": 0.7, "self_worth": 0.8}, 1: {"empathy": 0.7, "self_worth": 0.8}}
    b2 = Story(
        "b2", "cust-bounce", datetime(2026, 11, 17, 10, 30),
        [("a-priya", IN, OUT), ("a-kevin", XFER, OK)],
        [
            (0, f"The call dropped. For the third time: {router}."),
            (0, "That's a billing change, so Billing has to fix it. Transferring you now."),
            (1, f"Please listen, {router} and nobody is fixing it."),
            (1, "I'm sorry about the runaround. I'll check what changed on your plan."),
        ],
    )  # fmt: skip
    b2.events = [transfer(0, 1, "a-priya", "a-kevin", 2, False)]
    b2.system_finding(0, "repeats", "re_explained", f"For the third time: {router}")
    b2.system_finding(2, "repeats", "re_explained", f"{router} and nobody is fixing it")
    b2.handoff("cold_transfer", 0, 1)
    b2.values = {0: {"empathy": 0.6, "self_worth": 0.8}, 1: {"empathy": 0.8, "self_worth": 0.9}}
    b3 = Story(
        "b3", "cust-bounce", datetime(2026, 11, 17, 14, 0),
        [("a-sam", IN, OUT), ("a-maria", XFER, OK)],
        [
            (0, f"I'm calling again because {router}."),
            (0, "Billing made the change but the router is technical. Transferring you back."),
            (1, f"Unbelievable. {router}, I've said it four times."),
            (1, "I'm so sorry you've had to repeat this. I'll stay with you until it works."),
        ],
    )  # fmt: skip
    b3.events = [transfer(0, 1, "a-sam", "a-maria", 2, True)]
    b3.handoff("warm_transfer", 0, 1)
    b3.system_finding(0, "repeats", "re_explained", f"I'm calling again because {router}")
    b3.system_finding(2, "repeats", "re_explained", f"{router}, I've said it four times")
    b3.values = {0: {"empathy": 0.6, "self_worth": 0.8}, 1: {"empathy": 0.9, "self_worth": 0.9}}
    b4 = Story(
        "b4", "cust-bounce", datetime(2026, 11, 18, 9, 0),
        [("a-lee", IN, OUT), ("a-sam", XFER, OK)],
        [
            (0, f"It's still broken. {router}."),
            (0, "The technician says it's a provisioning flag on the billing side. Sending you to Billing."),
            (1, f"Fine. {router}, again."),
            (1, "I've removed the flag. It should come back within an hour."),
        ],
    )  # fmt: skip
    b4.events = [transfer(0, 1, "a-lee", "a-sam", 2, False)]
    b4.system_finding(0, "repeats", "re_explained", f"It's still broken. {router}")
    b4.system_finding(2, "repeats", "re_explained", f"Fine. {router}, again")
    b4.handoff("cold_transfer", 0, 1)
    b4.values = {0: {"empathy": 0.7, "self_worth": 0.8}, 1: {"empathy": 0.7, "self_worth": 0.8}}
    back = "Just confirming the internet is back, thanks."
    b5 = _routine(
        "b5", "cust-bounce", datetime(2026, 11, 18, 16, 0), "a-lee", back, {"empathy": 0.8, "self_worth": 0.9}
    )
    # transfers.v1's ping-pong findings on the path B T | T B | B T | T B | T (a stop: first leg of a run)
    stops = {"b1.0": "billing", "b1.1": "tech_support", "b2.1": "billing", "b3.1": "tech_support",
             "b4.1": "billing", "b5.0": "tech_support"}  # fmt: skip
    order = list(stops)
    for story, back in ((b2, "b2.1"), (b3, "b3.1"), (b4, "b4.1"), (b5, "b5.0")):
        i = order.index(back)
        path = [[s.split(".")[0], int(s.split(".")[1]), stops[s]] for s in order[i - 2 : i + 1]]
        story.system_finding(
            None, "transfers", "ping_pong", leg=path[-1][1],
            detail={"departments": [p[2] for p in path], "path": path, "across_contacts": True},
        )  # fmt: skip
    out += [b1, b2, b3, b4, b5]

    # --- the bug spike -------------------------------------------------------------------------
    spike_days = {20: 4, 21: 5, 22: 4}
    agents = ["a-lee", "a-priya", "a-maria"]
    n = 0
    for day, count in spike_days.items():
        for i in range(count):
            n += 1
            agent = agents[n % 3]
            offer = n % 4 == 0
            s = Story(
                f"bug{n}", f"cust-bug{n}", datetime(2026, 11, day, 8 + i, 15),
                [(agent, IN, LegEnd.ABANDONED_ON_HOLD if n == 2 else OK)],
                [
                    (0, BUG[n % len(BUG)]),
                    (0, "Let me check with our engineers, please hold."),
                    (0, "Okay, I'm still here."),
                    (0, "I can call you back once engineering has a fix." if offer
                        else "Engineering is aware. Please try reinstalling the app."),
                ],
            )  # fmt: skip
            s.events = [hold(0, 2, 420 if n % 2 else 240)]
            s.values = {0: {"empathy": 0.7, "self_worth": 0.8}}
            out.append(s)
    # A routine bill question in the period, so the spike stands out against other reasons.
    out.append(
        _routine(
            "r1",
            "cust-r1",
            datetime(2026, 11, 20, 12, 0),
            "a-sam",
            asks[0],
            {"empathy": 0.7, "self_worth": 0.8},
        )
    )
    out.append(
        _routine(
            "r2",
            "cust-r2",
            datetime(2026, 11, 16, 12, 0),
            "a-sam",
            asks[2],
            {"empathy": 0.8, "self_worth": 0.8},
        )
    )

    # --- warm transfer, bot hand-off, callback -------------------------------------------------
    w1 = Story(
        "w1", "cust-w1", datetime(2026, 11, 19, 13, 0), [("a-sam", IN, OUT), ("a-tom", XFER, OK)],
        [
            (0, "I'd like to upgrade to the fibre plan, call me on 555-123-4567 if we get cut off."),
            (0, "Happy to help. I'll bring in Tom from Sales and tell him what you need."),
            (1, "Hi Tom."),
            (1, "Hi! Sam told me you want fibre. I can set that up now."),
        ],
    )  # fmt: skip
    w1.events = [transfer(0, 1, "a-sam", "a-tom", 2, True)]
    w1.handoff("warm_transfer", 0, 1)
    w1.values = {0: {"empathy": 0.8, "self_worth": 0.9}, 1: {"empathy": 0.8, "self_worth": 0.9}}
    bot = Story(
        "bot1", "cust-bot1", datetime(2026, 11, 20, 16, 0),
        [("bot-va", IN, OUT), ("a-kevin", LegStart.BOT_HANDOFF, OK)],
        [
            (0, "I need to dispute a late fee on my account."),
            (0, "I can connect you with a billing specialist."),
            (1, "I need to dispute a late fee on my account, the bot couldn't help."),
            (1, "Sure, I've waived the late fee for you."),
        ],
    )  # fmt: skip
    bot.values = {1: {"empathy": 0.6, "self_worth": 0.8}}
    callback = Story(
        "cb1", "cust-cb1", datetime(2026, 11, 21, 17, 0), [("a-priya", LegStart.CALLBACK, OK)],
        [
            (0, "Hi, you said you'd call me back about my modem replacement."),
            (0, "Yes, calling you back as promised — the new modem ships today."),
        ],
    )  # fmt: skip
    callback.values = {0: {"empathy": 0.8, "self_worth": 0.9}}
    out += [w1, bot, callback]
    return out


def scored(
    chosen: Sequence[Story], conversations: Sequence[Conversation], journeys: Sequence[Journey]
) -> list[ConversationScores]:
    """Each story's hand-written scores plus what scoring computes from them with the real code.

    The agents' overall leg scores (``nlp.overall``, every criterion weighing 1) and the
    operations facts (``nlp.operations``) in the story's journey.
    """
    by_id = {c.id: c for c in conversations}
    placed: dict[str, tuple[str, list[Conversation]]] = {}
    for journey in journeys:
        for position, cid in enumerate(journey.conversation_ids):
            earlier = [by_id[c] for c in journey.conversation_ids[:position] if c in by_id]
            placed.setdefault(cid, (journey.id, earlier))
    results = []
    for story in chosen:
        base = story.scores()
        journey_id, earlier = placed.get(story.id, (None, []))
        facts = operations_facts(
            by_id[story.id], base.findings, scored_transfers=True, journey_id=journey_id, earlier=earlier
        )
        weights = dict.fromkeys(THRESHOLDS, 1.0)
        results.append(replace(base, agent_scores=agent_leg_scores(base.scores, weights), operations=facts))
    return results


def build_store(
    path: str | Path,
    only: Sequence[str] | None = None,
    adjust: Callable[[dict[str, Story]], None] | None = None,
) -> Store:
    """Create and fill the synthetic store at ``path`` (conversations, journeys, scores).

    ``adjust`` may change the chosen stories (by id) before they are stored, e.g. add findings.
    """
    store = Store(path)
    chosen = [s for s in stories() if only is None or s.id in only]
    if adjust is not None:
        adjust({s.id: s for s in chosen})
    run = store.start_run("test")
    conversations = [s.conversation() for s in chosen]
    store.upsert_conversations(conversations, run)
    spans = store.contact_spans()
    journeys = build_journeys(spans, newest=store.newest_contact_time())
    store.replace_journeys(journeys)
    store.save_scores(scored(chosen, conversations, journeys))
    sentiment = []
    for conversation in conversations:
        for turn in conversation.turns:
            text = turn.text.lower()
            if any(w in text for w in ("furious", "unbelievable", "again", "crash", "twice", "shouting")):
                sentiment.append((conversation.id, turn.index, "negative", -0.7, "synthetic"))
            elif any(w in text for w in ("thank", "great", "happy", "sorry")):
                sentiment.append((conversation.id, turn.index, "positive", 0.6, "synthetic"))
            else:
                sentiment.append((conversation.id, turn.index, "neutral", 0.0, "synthetic"))
    store.connection.executemany("INSERT INTO turn_sentiment VALUES (?, ?, ?, ?, ?)", sentiment)
    return store
