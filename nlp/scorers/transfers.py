"""``transfers.v1``: transfers, referrals, ping-pong and chains — routing problems, mostly the system's.

Transfers come from ``transfer`` events, from legs that began by (queue) transfer after an
agent leg (on asynchronous channels only where the source states a department change: a new
signature under one account is the same team), and from what agents say ("let me transfer
you", "you'll need to call billing"): a cue in a leg that already has a recorded transfer is
that transfer's evidence; otherwise a *referral* (the customer must contact someone else) or
an unrecorded transfer. Each transfer gets a reason (the customer's issue sentence) and a
warmth: the event's ``warm`` flag when known, else warm if the transferring agent handed
over context ("they will contact you": over the hand-off model's cold class too) or the
receiving agent's first turns show they know the issue, cold if the customer has to restate it.
A *channel move* the hand-off model finds must name where the customer goes (a ``channel``
cue): not something they already have ("your ticket"), not data the agent asks for or a call
that comes to the customer (``datum``: "the email address", "they will give you a call"), not
the contact's own channel (``own_channel``: the phone on a call); an agent's own callback ("I'll
call you back next week", "we will give you a call") is no hand-off at all. A request to go on
in a private message ("Please DM us", "send us a DM": a ``channel_request`` cue) is a channel move
whatever the model reads. A transfer the model finds without a transfer phrase must name whom to
(a ``recipient`` cue or a known department).

*Ping-pong* is a return to a department the customer already left (A -> B -> A), within a
contact or across the contacts of a journey; a *chain* is a journey whose contacts passed
through ``chain_min_departments`` or more departments. All of this is **system**; the one
agent finding is ``no_context_handoff``: the agent initiated a transfer that turned out cold
without handing over context (a minor finding, scored on the transferring leg).

Example::

    leg 0 (billing) agent: That's a tech support issue, let me transfer you.  -> transfer
    leg 1 (tech)    customer: Hi, so again, my bill shows a router charge... -> cold_transfer
    leg 2 (billing) ...                                         -> ping_pong billing > tech > billing
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import Field, model_validator

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from nlp.findings import Attribution, CriterionScore, Evidence, Finding, Polarity
from nlp.patterns import PatternFile
from nlp.scorers.base import Scorer, ScoreResult, ScoringContext
from nlp.scorers.evidence import hit_evidence, quote_of, turn_evidence
from nlp.scorers.issues import cosine, issue_sentence, issue_statement, substantive_customer_turns
from nlp.scorers.learned import LearnedParams, Verdict, cutoff
from nlp.scorers.legs import leg_by_index, ordered_legs
from nlp.scorers.matching import Hit
from nlp.scorers.params import ScorerParams
from transcripts.model import ChannelKind, Event, EventType, LegStart, Role

NAME = "transfers.v1"
LABELS = frozenset(
    {
        "transfer_announce",
        "referral",
        "handoff_context",
        "receiving_context",
        "channel",
        "datum",
        "callback",
        "recipient",
        "internal_recipient",
        "customer_explains",
        "passed_on",
        "channel_request",
    }
)
_TRANSFER_STARTS = {LegStart.TRANSFER, LegStart.QUEUE_TRANSFER, LegStart.INBOUND}


class TransfersParams(ScorerParams):
    """Parameters of ``transfers.v1`` (see the module docstring)."""

    cues: PatternFile = Field(description=f"Hand-off cues, labelled {', '.join(sorted(LABELS))}.")
    departments: dict[str, list[str]] = Field(
        default_factory=dict, description="Canonical department -> names and phrases that mean it."
    )
    min_words: int = Field(6, ge=1, description="Words a customer turn needs to count as an issue statement.")
    restate_similarity: float = Field(0.7, ge=0.0, le=1.0, description="Customer restates the issue: cold.")
    receiving_similarity: float = Field(
        0.6, ge=0.0, le=1.0, description="Receiving agent states the issue: warm."
    )
    handoff_turns: int = Field(
        2, ge=1, description="Last agent turns before a transfer searched for a hand-off."
    )
    receiving_turns: int = Field(
        2, ge=1, description="First agent turns after a transfer searched for context."
    )
    restate_turns: int = Field(3, ge=1, description="First customer statements after a transfer compared.")
    transfer_penalty: float = Field(0.15, ge=0.0, le=1.0)
    cold_penalty: float = Field(0.15, ge=0.0, le=1.0)
    ping_pong_penalty: float = Field(0.3, ge=0.0, le=1.0)
    chain_min_departments: int = Field(3, ge=2)
    own_channel: dict[ChannelKind, list[str]] = Field(
        default_factory=dict,
        description="Channel cue ids that name a contact's own kind of channel, so no move: on a call, "
        '"give us a call on 0800 ..." (phone) sends the customer to no other channel.',
    )
    handoff_model: LearnedParams = Field(
        LearnedParams(veto_below=0.0),
        description="The learned hand-off signal (internal transfer warm/cold, external referral, channel "
        "move): decides on the model alone at this precision; phrase hits it finds unlikely are dropped.",
    )

    @model_validator(mode="after")
    def _labels_fit(self) -> TransfersParams:
        bad = [e for e in self.cues.entries if e.label not in LABELS]
        if bad:
            where = ", ".join(f"{self.cues.path}:{e.line} ({e.label!r})" for e in bad[:5])
            raise ValueError(f"unknown labels {where}; labels: {sorted(LABELS)}")
        channels = {e.rule for e in self.cues.entries if e.label == "channel"}
        unknown = sorted({r for rules in self.own_channel.values() for r in rules} - channels)
        if unknown:
            raise ValueError(f"own_channel names no channel cue of {self.cues.path}: {unknown}")
        return self

    def canonical_department(self, name: str | None) -> str | None:
        """The canonical name of a department as a leg or event names it."""
        if not name or not name.strip():
            return None
        lowered = name.strip().lower()
        for canonical, aliases in self.departments.items():
            if lowered == canonical.lower() or lowered in (a.lower() for a in aliases):
                return canonical
        return lowered

    def mentioned_department(self, text: str) -> str | None:
        """The first department named in ``text`` (by canonical name or alias), or None."""
        lowered = text.lower()
        best: tuple[int, str] | None = None
        for canonical, aliases in self.departments.items():
            for alias in (canonical, *aliases):
                match = re.search(rf"\b{re.escape(alias.lower())}\b", lowered)
                if match and (best is None or match.start() < best[0]):
                    best = (match.start(), canonical)
        return best[1] if best else None


@dataclass
class Transfer:
    """One transfer or referral out of a leg."""

    kind: str  # "transfer" or "referral"
    source: str  # "event", "leg" or "transcript"
    from_leg: int | None
    to_leg: int | None
    from_department: str | None
    to_department: str | None
    warm: bool | None = None
    warmth_source: str = "unknown"
    by_agent: bool = True
    cue: tuple[AnnotatedTurn, Hit] | None = None
    handed_over: bool = False
    reason: str = ""
    notes: dict[str, object] = field(default_factory=dict)


def _department(conversation: AnnotatedConversation, leg: int | None, params: TransfersParams) -> str | None:
    found = leg_by_index(conversation, leg)
    return params.canonical_department(found.department) if found is not None else None


def _from_events(conversation: AnnotatedConversation, params: TransfersParams) -> list[Transfer]:
    transfers = []
    for event in conversation.conversation.events:
        if event.type is not EventType.TRANSFER:
            continue
        from_leg = event.from_leg if event.from_leg is not None else event.leg
        transfers.append(
            Transfer(
                kind="transfer",
                source="event",
                from_leg=from_leg,
                to_leg=event.to_leg,
                from_department=params.canonical_department(event.from_department)
                or _department(conversation, from_leg, params),
                to_department=params.canonical_department(event.to_department)
                or _department(conversation, event.to_leg, params),
                warm=event.warm,
                warmth_source="event" if event.warm is not None else "unknown",
                by_agent=_agent_initiated(conversation, from_leg, event),
            )
        )
    return transfers


def _agent_initiated(conversation: AnnotatedConversation, from_leg: int | None, event: Event | None) -> bool:
    leg = leg_by_index(conversation, from_leg)
    if leg is None or leg.participant_role is not Role.AGENT:
        return False
    return event is None or event.by in (None, Role.AGENT)


def _from_legs(
    conversation: AnnotatedConversation, known: list[Transfer], params: TransfersParams
) -> list[Transfer]:
    covered = {t.to_leg for t in known}
    legs = ordered_legs(conversation)
    asynchronous = conversation.conversation.asynchronous
    transfers = []
    for previous, leg in zip(legs, legs[1:], strict=False):
        if leg.index in covered or leg.started_via not in _TRANSFER_STARTS:
            continue
        if previous.participant_role is not Role.AGENT:
            continue  # bot and IVR hand-offs are how contacts begin, not transfers
        if asynchronous and not _department_changed(previous.department, leg.department, params):
            continue  # another signature or name under one account is the same team, not a transfer
        transfers.append(
            Transfer(
                kind="transfer",
                source="leg",
                from_leg=previous.index,
                to_leg=leg.index,
                from_department=params.canonical_department(previous.department),
                to_department=params.canonical_department(leg.department),
                by_agent=True,
            )
        )
    return transfers


def _department_changed(before: str | None, after: str | None, params: TransfersParams) -> bool:
    """The source states two different departments for consecutive legs."""
    first, second = params.canonical_department(before), params.canonical_department(after)
    return first is not None and second is not None and first != second


# Hand-off classes of the learned signal -> (transfer kind, warmth).
MODEL_HANDOFFS = {
    "transfer_warm": ("transfer", True),
    "transfer_cold": ("transfer", False),
    "referral_external": ("referral", False),
    "channel_move": ("channel_move", None),
}


def _model_handoff(turn: AnnotatedTurn, params: TransfersParams) -> tuple[str, Verdict] | None:
    """The hand-off class the learned signal is sure enough of in this agent turn, if any."""
    target = params.handoff_model.target_precision
    if target is None or turn.signal("handoff", "none") is None:
        return None
    best = None
    for label in MODEL_HANDOFFS:
        p = turn.signal("handoff", label) or 0.0
        cut = cutoff("handoff", label, target)
        if p >= cut and (best is None or p > best[1].probability):
            best = (label, Verdict(True, None, f"model:handoff.{label}={p:.2f}>={cut:.2f}", p))
    return best


def _destination(hits: list[Hit], own: Collection[str]) -> Hit | None:
    """The first channel the turn names as a place to go.

    Not the contact's ``own`` kind of channel (cue ids), nor a ``datum`` ("the email address"). A
    datum match begins or ends with its channel word ("email address", "give ... email"); words
    between its ends are not part of it.
    """
    data = [h for h in hits if h.label == "datum"]
    return next(
        (
            h
            for h in hits
            if h.label == "channel"
            and h.rule not in own
            and not any(h.start == d.start or h.end == d.end for d in data)
        ),
        None,
    )


def _channel_request(turn: AnnotatedTurn, context: ScoringContext, params: TransfersParams) -> Hit | None:
    """A request to go on in a private message ("Please DM us", "send us a DM", "via DM").

    A channel move by the labelling guidelines whatever the hand-off model reads (``channel_request``).
    """
    return next((h for h in context.hits(params.cues, turn) if h.label == "channel_request"), None)


def _names_recipient(turn: AnnotatedTurn, context: ScoringContext, params: TransfersParams) -> bool:
    """The turn names a team, person or known department the customer could be passed to."""
    if any(h.label == "recipient" for h in context.hits(params.cues, turn)):
        return True
    return params.mentioned_department(turn.text) is not None


def _passed_on(turn: AnnotatedTurn, context: ScoringContext, params: TransfersParams) -> Hit | None:
    """The ``passed_on`` cue of a turn that passes the case to a named team with a hand-off cue.

    "I've sent this to our billing team ... They'll reply to you by email" is a transfer the hand-off
    model reads as a channel move: the e-mail is where the answer comes, not where the customer goes.
    """
    hits = context.hits(params.cues, turn)
    passed = next((h for h in hits if h.label == "passed_on"), None)
    if passed is None or not any(h.label == "handoff_context" for h in hits):
        return None
    return passed if _names_recipient(turn, context, params) else None


def _to_own_team(turn: AnnotatedTurn, hit: Hit, context: ScoringContext, params: TransfersParams) -> bool:
    """A referral phrase whose sentence names one of the company's own teams (``internal_recipient``).

    "You'll need to call our Retentions team on 0300 ..." sends the customer to start over inside.
    """
    hits = context.hits(params.cues, turn)
    return hit.label == "referral" and any(
        h.label == "internal_recipient" and h.sentence == hit.sentence for h in hits
    )


def _cue_vetoed(turn: AnnotatedTurn, hit: Hit, params: TransfersParams) -> bool:
    """A transfer or referral phrase the learned hand-off signal finds unlikely (not forced)."""
    learned = params.handoff_model
    if hit.rule in learned.forbid:
        return True
    none = turn.signal("handoff", "none")
    if hit.rule in learned.force or none is None or learned.target_precision is None:
        return False
    return 1.0 - none < learned.veto_below


def _attach_cues(
    conversation: AnnotatedConversation,
    transfers: list[Transfer],
    context: ScoringContext,
    params: TransfersParams,
) -> list[Transfer]:
    """Hand-offs said in agent turns: by the learned signal, or by a phrase it does not overrule.

    A phrase the rubric forces (``handoff_model.force``) decides the kind whatever the model prefers.
    """
    added: list[Transfer] = []
    for turn in conversation.turns:
        if turn.role is not Role.AGENT:
            continue
        cues = [h for h in context.hits(params.cues, turn) if h.label in ("transfer_announce", "referral")]
        forced = next((h for h in cues if h.rule in params.handoff_model.force), None)
        hit = forced or next(iter(cues), None)
        if hit is not None and _cue_vetoed(turn, hit, params):
            hit = None
        model = None if forced is not None else _model_handoff(turn, params)  # a forced phrase decides
        if (
            model is not None
            and hit is None
            and any(h.label == "callback" for h in context.hits(params.cues, turn))
        ):
            model = None  # "I'll call you back next week": the agent comes back, the customer goes nowhere
        destination = None
        if model is not None and MODEL_HANDOFFS[model[0]][0] == "channel_move":
            own = params.own_channel.get(conversation.conversation.kind, ())
            destination = _destination(context.hits(params.cues, turn), own)
            if destination is None and "channel" in params.cues.labels:
                model = None  # a move to another channel names it: DM, phone, e-mail, form, site, store
        elif (
            model is not None
            and hit is None
            and MODEL_HANDOFFS[model[0]][0] == "transfer"
            and "recipient" in params.cues.labels
            and not _names_recipient(turn, context, params)
        ):
            model = None  # a transfer names whom to: "our billing team", "a specialist", "Tech Support"
        request = None
        if hit is None and model is None:
            request = _channel_request(turn, context, params)
            if request is None:
                continue
        if request is not None:  # "Please DM us your booking reference": a channel move by policy
            kind, warm = "channel_move", None
            cue, source = (turn, request), "transcript"
        elif model is not None:
            kind, warm = MODEL_HANDOFFS[model[0]]
            evidence = hit or destination
            passed = _passed_on(turn, context, params) if kind == "channel_move" and hit is None else None
            if passed is not None:  # "I've sent this to our billing team ... They'll reply to you by email."
                kind, warm, evidence = "transfer", None, passed
            cue = (turn, evidence) if evidence is not None else None
            source = "model"
        else:
            kind = "referral" if hit.label == "referral" else "transfer"
            warm = False if hit.label == "referral" else None
            cue, source = (turn, hit), "transcript"
        if kind != "transfer" and hit is not None and _to_own_team(turn, hit, context, params):
            kind, warm = "transfer", False  # another of the company's teams: the customer starts over there
        sentence = hit_evidence(conversation.id, turn, hit).quote if hit is not None else turn.text
        mentioned = params.mentioned_department(sentence)
        existing = next((t for t in (*transfers, *added) if t.from_leg == turn.turn.leg), None)
        if existing is not None and kind == "transfer":
            if existing.cue is None and cue is not None:
                existing.cue = cue
            if existing.to_department is None and mentioned:
                existing.to_department = mentioned
            continue
        leg = leg_by_index(conversation, turn.turn.leg)
        transfer = Transfer(
            kind=kind,
            source=source,
            from_leg=turn.turn.leg,
            to_leg=None,
            from_department=params.canonical_department(leg.department) if leg else None,
            to_department=mentioned,
            warm=warm,
            warmth_source={"referral": "referral", "channel_move": "channel_move"}.get(kind, "unknown"),
            by_agent=True,
            cue=cue,
        )
        if model is not None:
            transfer.notes["turn"] = turn.index
            transfer.notes["decided_by"] = model[1].reason
        added.append(transfer)
    return added


def _label_hit(
    turns: list[AnnotatedTurn], label: str, context: ScoringContext, params: TransfersParams
) -> tuple[AnnotatedTurn, Hit] | None:
    for turn in turns:
        for hit in context.hits(params.cues, turn):
            if hit.label == label:
                return turn, hit
    return None


def _judge(
    conversation: AnnotatedConversation, transfer: Transfer, context: ScoringContext, params: TransfersParams
) -> None:
    """Fill in the reason, the hand-off and (when the event does not say) the warmth."""
    from_turns = conversation.leg_turns(transfer.from_leg) if transfer.from_leg is not None else []
    if transfer.cue is not None:
        from_turns = [t for t in from_turns if t.index <= transfer.cue[0].index]
    issue = issue_statement(from_turns, params.min_words) or issue_statement(
        conversation.turns, params.min_words
    )
    if issue is not None:
        start, end = issue_sentence(issue)
        transfer.reason = quote_of(issue.text, start, end)
    last_agent = [t for t in from_turns if t.role is Role.AGENT][-params.handoff_turns :]
    handoff = _label_hit(last_agent, "handoff_context", context, params)
    transfer.handed_over = handoff is not None
    if handoff is not None:
        transfer.notes["handoff_turn"] = handoff[0].index
    if handoff is not None and transfer.warmth_source == "unknown":  # over the model's cold, not an event's
        transfer.warm, transfer.warmth_source = True, "handoff_cue"
        return
    if transfer.warm is not None:
        return
    told = _label_hit(last_agent, "customer_explains", context, params)
    if told is not None:  # "Please explain the situation to them."
        transfer.warm, transfer.warmth_source = False, "customer_told_to_explain"
        transfer.notes["told_turn"] = told[0].index
        return
    if transfer.to_leg is None:
        return
    to_turns = conversation.leg_turns(transfer.to_leg)
    receiving = [t for t in to_turns if t.role is Role.AGENT][: params.receiving_turns]
    cue = _label_hit(receiving, "receiving_context", context, params)
    if cue is not None:
        transfer.warm, transfer.warmth_source = True, "receiving_cue"
        transfer.notes["receiving_turn"] = cue[0].index
        return
    if issue is not None:
        for turn in receiving:
            if cosine(turn.embedding, issue.embedding) >= params.receiving_similarity:
                transfer.warm, transfer.warmth_source = True, "receiving_similarity"
                transfer.notes["receiving_turn"] = turn.index
                return
        restated = substantive_customer_turns(to_turns, params.min_words)[: params.restate_turns]
        for turn in restated:
            similarity = cosine(turn.embedding, issue.embedding)
            if similarity >= params.restate_similarity:
                transfer.warm, transfer.warmth_source = False, "customer_restated"
                transfer.notes["restated_turn"] = turn.index
                transfer.notes["similarity"] = round(similarity, 3)
                return


def find_transfers(
    conversation: AnnotatedConversation, context: ScoringContext, params: TransfersParams
) -> list[Transfer]:
    """Every transfer and referral in the conversation, judged (reason, hand-off, warmth)."""
    transfers = _from_events(conversation, params)
    transfers += _from_legs(conversation, transfers, params)
    transfers += _attach_cues(conversation, transfers, context, params)
    for transfer in transfers:
        _judge(conversation, transfer, context, params)
    return sorted(transfers, key=lambda t: (t.from_leg if t.from_leg is not None else -1, t.to_leg or 0))


@dataclass(frozen=True)
class Stop:
    """One department the customer was handled by, in journey order."""

    conversation_id: str
    leg: int
    department: str


def department_path(conversation: AnnotatedConversation, params: TransfersParams) -> list[Stop]:
    """Departments of the agent legs in order, consecutive repeats collapsed."""
    path: list[Stop] = []
    for leg in ordered_legs(conversation):
        department = params.canonical_department(leg.department)
        if leg.participant_role is not Role.AGENT or department is None:
            continue
        if not path or path[-1].department != department:
            path.append(Stop(conversation.id, leg.index, department))
    return path


def ping_pongs(path: list[Stop]) -> list[tuple[Stop, Stop, Stop]]:
    """(A, B, A) triples: the customer sent back to a department they had already left."""
    return [
        (path[i - 2], path[i - 1], path[i])
        for i in range(2, len(path))
        if path[i].department == path[i - 2].department != path[i - 1].department
    ]


def _journey_path(
    conversation: AnnotatedConversation, context: ScoringContext, params: TransfersParams
) -> list[Stop]:
    earlier = context.journey.earlier if context.journey else ()
    path: list[Stop] = []
    for contact in (*earlier, conversation):
        for stop in department_path(contact, params):
            if not path or path[-1].department != stop.department:
                path.append(stop)
    return path


def _leg_evidence(
    conversation: AnnotatedConversation, leg: int | None, rule: str, last: bool = False
) -> Evidence:
    """The leg's first turn, or with ``last`` what its agent said last before the hand-off.

    A customer's "ok" to being put through says nothing of the hand-off.
    """
    turns = conversation.leg_turns(leg) if leg is not None else []
    if last:
        turns = [t for t in turns if t.role is Role.AGENT] or turns
    if turns:
        return turn_evidence(conversation.id, turns[-1] if last else turns[0], rule)
    return Evidence(conversation.id, leg, None, rule=rule)


def score(
    conversation: AnnotatedConversation, context: ScoringContext, params: TransfersParams
) -> ScoreResult:
    """Routing score per conversation (system) and hand-off score per transferring agent leg."""
    findings: list[Finding] = []
    transfers = find_transfers(conversation, context, params)
    cold = 0
    initiated: dict[int, list[Transfer]] = {}
    for transfer in transfers:
        leg = leg_by_index(conversation, transfer.from_leg)
        if transfer.kind in ("referral", "channel_move"):
            kind = transfer.kind
        else:
            kind = {True: "warm_transfer", False: "cold_transfer", None: "transfer"}[transfer.warm]
        cold += transfer.warm is False
        turn_index = transfer.notes.get("turn")
        if transfer.cue is not None:
            evidence = hit_evidence(conversation.id, *transfer.cue)
        elif isinstance(turn_index, int):
            said = next(t for t in conversation.turns if t.index == turn_index)
            evidence = turn_evidence(conversation.id, said, str(transfer.notes["decided_by"]))
        else:
            evidence = _leg_evidence(
                conversation, transfer.from_leg, f"{transfer.source}:transfer", last=True
            )
        detail = {
            "source": transfer.source,
            "from_leg": transfer.from_leg,
            "to_leg": transfer.to_leg,
            "from_department": transfer.from_department,
            "to_department": transfer.to_department,
            "warm": transfer.warm,
            "warmth_source": transfer.warmth_source,
            "reason": transfer.reason,
            "agent_initiated": transfer.by_agent,
            **transfer.notes,
        }
        # A warm hand-over is the routing working as it should: recorded, never held against anyone.
        polarity = Polarity.POSITIVE if kind == "warm_transfer" else Polarity.NEGATIVE
        findings.append(context.finding(kind, polarity, evidence, leg, Attribution.SYSTEM, detail))
        if transfer.by_agent and transfer.from_leg is not None:
            initiated.setdefault(transfer.from_leg, []).append(transfer)
            # Only an internal transfer the agent made cold is coaching; referrals and channel moves
            # are the process's, not the agent's.
            if transfer.kind == "transfer" and transfer.warm is False and not transfer.handed_over:
                findings.append(
                    context.finding(
                        "no_context_handoff",
                        Polarity.NEGATIVE,
                        evidence,
                        leg,
                        Attribution.AGENT,
                        {"to_department": transfer.to_department, "reason": transfer.reason},
                    )
                )

    path = _journey_path(conversation, context, params)
    bounces = [triple for triple in ping_pongs(path) if triple[2].conversation_id == conversation.id]
    for first, middle, back in bounces:
        leg = leg_by_index(conversation, back.leg)
        detail = {
            "departments": [first.department, middle.department, back.department],
            "path": [[s.conversation_id, s.leg, s.department] for s in (first, middle, back)],
            "across_contacts": len({first.conversation_id, middle.conversation_id, back.conversation_id}) > 1,
        }
        evidence = _leg_evidence(conversation, back.leg, "department-path")
        findings.append(
            context.finding("ping_pong", Polarity.NEGATIVE, evidence, leg, Attribution.SYSTEM, detail)
        )

    journey = context.journey
    if journey is not None and journey.earlier and journey.is_last:
        departments = {stop.department for stop in path}
        if len(path) >= params.chain_min_departments and len(departments) >= 2:
            detail = {
                "journey_id": journey.journey_id,
                "contacts": len(journey.earlier) + 1,
                "path": [[s.conversation_id, s.leg, s.department] for s in path],
            }
            evidence = _leg_evidence(conversation, ordered_legs(conversation)[0].index, "journey-path")
            findings.append(
                context.finding(
                    "transfer_chain", Polarity.NEGATIVE, evidence, None, Attribution.SYSTEM, detail
                )
            )

    moved = [t for t in transfers if t.kind != "channel_move"]  # a channel move is reported, not penalised
    value = 1.0 - params.transfer_penalty * len(moved) - params.cold_penalty * cold
    value -= params.ping_pong_penalty * len(bounces)
    reason = f"{len(transfers)} transfer(s)/referral(s), {cold} cold, {len(bounces)} ping-pong(s)"
    scores: list[CriterionScore] = [
        context.criterion_score(conversation, None, value, reason, Attribution.SYSTEM)
    ]
    for leg_index, items in sorted(initiated.items()):
        leg = leg_by_index(conversation, leg_index)
        handed = sum(1 for t in items if t.handed_over or t.warm is not False)
        scores.append(
            context.criterion_score(
                conversation,
                leg,
                handed / len(items),
                f"context handed over (or not needed) in {handed} of {len(items)} transfer(s) by this agent",
                Attribution.AGENT,
            )
        )
    return scores, findings


SCORER = Scorer(
    name=NAME,
    description="Transfers, referrals, ping-pong and journey chains (system); missing hand-offs (agent).",
    inputs=frozenset({"doc", "embedding", "signals", "legs", "events", "journey"}),
    kinds={
        "transfer": "Transferred",
        "warm_transfer": "Warm transfer",
        "cold_transfer": "Cold transfer (no context handed over)",
        "referral": "Referred elsewhere",
        "channel_move": "Asked to move to another channel (DM, phone, form)",
        "ping_pong": "Bounced between departments",
        "transfer_chain": "Long chain of transfers",
        "no_context_handoff": "Handed over without context",
    },
    params=TransfersParams,
    score=score,
)
