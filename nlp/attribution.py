"""Who is accountable: what the system caused, and agent scores that only count the agent's part.

Re-explaining after a transfer, a bot hand-off, a callback, a long hold, a dropped call or a
repeat contact is the system's doing (:func:`re_explanation_cause`); system findings and
system-attributed scores never enter an agent's overall score
(:func:`agent_leg_scores`: weighted mean of the agent-attributed criteria only)::

    for leg_score in agent_leg_scores(result.scores, rubric):
        print(leg_score.agent_id, leg_score.value)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum

from nlp.findings import Attribution, CriterionScore, Finding
from nlp.overall import AgentLegScore
from nlp.overall import agent_leg_scores as _agent_leg_scores
from nlp.rubric_model import Rubric
from transcripts.model import Conversation, Event, EventType, LegEnd, LegStart, Role, Turn


class SystemCause(StrEnum):
    """Why a customer had to start over, none of it the current agent's doing."""

    TRANSFER = "transfer"
    BOT_HANDOFF = "bot_handoff"
    CALLBACK = "callback"
    LONG_HOLD = "long_hold"
    DROPPED_CONTACT = "dropped_contact"
    REPEAT_CONTACT = "repeat_contact"


_LEG_STARTS = {
    LegStart.TRANSFER: SystemCause.TRANSFER,
    LegStart.QUEUE_TRANSFER: SystemCause.TRANSFER,
    LegStart.BOT_HANDOFF: SystemCause.BOT_HANDOFF,
    LegStart.CALLBACK: SystemCause.CALLBACK,
}
_DROPPED_ENDS = {LegEnd.SYSTEM_DISCONNECT, LegEnd.AGENT_DISCONNECT, LegEnd.ABANDONED_ON_HOLD}


def entry_leg(conversation: Conversation) -> int | None:
    """The first leg the customer talked to after the phone menu (IVR legs are skipped)."""
    legs = sorted(conversation.legs, key=lambda item: item.index)
    return next((leg.index for leg in legs if leg.participant_role is not Role.IVR), None)


def leg_entry_cause(conversation: Conversation, leg: int) -> SystemCause | None:
    """How the customer reached leg ``leg`` if it was a hand-over (a later leg is a new person).

    Reaching the first agent or bot from the phone menu is how a contact starts, not a hand-over.
    """
    legs = sorted(conversation.legs, key=lambda item: item.index)
    position = next((n for n, item in enumerate(legs) if item.index == leg), None)
    if position is None:
        return None
    current = legs[position]
    cause = _LEG_STARTS.get(current.started_via)
    if cause is None and position > 0 and current.started_via is LegStart.INBOUND:
        if legs[position - 1].participant_role is not Role.IVR:
            return SystemCause.TRANSFER  # a later leg the reader could not label: someone new took over
    return cause


def hold_durations(
    conversation: Conversation, queue_waits: bool = True
) -> list[tuple[int | None, int | None, int]]:
    """(leg, end_ms, duration_ms) of every hold (and queue wait) with a known duration."""
    kinds = (EventType.HOLD_START, EventType.QUEUE_WAIT) if queue_waits else (EventType.HOLD_START,)
    holds: list[tuple[int | None, int | None, int]] = []
    open_holds: dict[int | None, Event] = {}
    for event in conversation.events:
        if event.type in kinds and event.duration_ms is not None:
            end = event.at_ms + event.duration_ms if event.at_ms is not None else None
            holds.append((event.leg, end, event.duration_ms))
        elif event.type is EventType.HOLD_START:
            open_holds[event.leg] = event
        elif event.type is EventType.HOLD_END:
            start = open_holds.pop(event.leg, None)
            if start is not None and start.at_ms is not None and event.at_ms is not None:
                holds.append((event.leg, event.at_ms, max(0, event.at_ms - start.at_ms)))
    return holds


def long_hold_before(conversation: Conversation, turn: Turn, min_ms: int) -> int | None:
    """Duration of the latest long hold in ``turn``'s leg before ``turn``, or None.

    Only holds of at least ``min_ms`` that began after the customer had already spoken in the
    leg count: a queue wait before the agent picked up is no reason to say it all again.
    """
    if turn.start_ms is None:
        return None
    spoken = [
        t.start_ms
        for t in conversation.leg_turns(turn.leg)
        if t.role is Role.CUSTOMER and t.start_ms is not None
    ]
    if not spoken:
        return None
    first_said = min(spoken)
    found = [
        duration
        for leg, end, duration in hold_durations(conversation, queue_waits=False)
        if duration >= min_ms
        and end is not None
        and first_said < end - duration
        and end <= turn.start_ms
        and leg in (None, turn.leg)
    ]
    return found[-1] if found else None


def before_any_agent(conversation: Conversation, turn: Turn) -> bool:
    """Whether ``turn`` comes before the contact's first agent turn (the customer's opening)."""
    return not any(t.role is Role.AGENT and t.index < turn.index for t in conversation.turns)


def previous_contact_cause(earlier: Sequence[Conversation]) -> SystemCause | None:
    """Why this contact exists at all: the previous one dropped, or was not resolved."""
    if not earlier:
        return None
    previous = earlier[-1]
    dropped = any(leg.ended_via in _DROPPED_ENDS for leg in previous.legs) or any(
        e.type is EventType.DISCONNECT and e.by in (Role.SYSTEM, Role.AGENT) for e in previous.events
    )
    return SystemCause.DROPPED_CONTACT if dropped else SystemCause.REPEAT_CONTACT


def re_explanation_cause(
    conversation: Conversation,
    turn: Turn,
    earlier_contacts: Sequence[Conversation] = (),
    *,
    long_hold_ms: int,
    first_leg_turns: int,
) -> SystemCause | None:
    """The system cause behind a customer repeating themselves at ``turn``, or None.

    A repeat within the customer's first ``first_leg_turns`` turns of a leg reached by
    transfer/hand-off/callback (or of a contact that follows an earlier one in the journey)
    is the system's; so is one after a hold of at least ``long_hold_ms``, and one said before any
    agent had spoken in this contact (no agent here was told anything yet: a repeat contact).
    """
    customer_turns = [t for t in conversation.leg_turns(turn.leg) if t.role is Role.CUSTOMER]
    early = turn.index in {t.index for t in customer_turns[:first_leg_turns]}
    if early:
        cause = leg_entry_cause(conversation, turn.leg)
        if cause is not None:
            return cause
        if turn.leg == entry_leg(conversation):
            contact = previous_contact_cause(earlier_contacts)
            if contact is not None:
                return contact
    if long_hold_before(conversation, turn, long_hold_ms) is not None:
        return SystemCause.LONG_HOLD
    if before_any_agent(conversation, turn):
        return previous_contact_cause(earlier_contacts) or SystemCause.REPEAT_CONTACT
    return None


# --- agent scores -------------------------------------------------------------------------------


def agent_leg_scores(scores: Iterable[CriterionScore], rubric: Rubric) -> list[AgentLegScore]:
    """:func:`nlp.overall.agent_leg_scores` with the rubric's criteria weights."""
    return _agent_leg_scores(scores, {c.id: c.weight for c in rubric.criteria})


# Agent findings that can explain a customer's mood falling during the agent's leg: the default of
# the rubric's ``customer_trajectory.params.explained_by`` (rubrics/default.yaml).
EXPLAINS_WORSENING: dict[str, tuple[str, ...]] = {
    "empathy.v1": ("missed_opportunity",),
    "self_worth.v1": (
        "contradict_customer",
        "blame_customer",
        "condescension",
        "stonewall",
        "blame_colleague",
    ),
}
TRAJECTORY_SCORER = "customer_trajectory.v1"


def fair_trajectory(
    scores: Sequence[CriterionScore],
    findings: Sequence[Finding],
    explains: Mapping[str, Sequence[str]] = EXPLAINS_WORSENING,
) -> tuple[list[CriterionScore], list[Finding]]:
    """Hold a customer's worsening mood against the agent only when the agent's own moments explain it.

    A ``worsened`` trajectory finding stays the agent's when the same leg has an agent finding that
    can explain it (a missed empathy opportunity, a face threat); its detail lists them. Otherwise
    the finding and the leg's trajectory score become the system's ("no agent moment in this leg
    explains it"), so they never lower the agent's overall score.
    """
    explained: dict[tuple[str, int | None], list[dict[str, object]]] = {}
    for f in findings:
        if f.attribution is Attribution.AGENT and f.kind in explains.get(f.scorer, ()):
            key = (f.evidence.conversation_id, f.evidence.leg)
            explained.setdefault(key, []).append({"kind": f.kind, "turn": f.evidence.turn})
    unexplained: set[tuple[str, int | None]] = set()
    fair_findings: list[Finding] = []
    for f in findings:
        if f.scorer == TRAJECTORY_SCORER and f.kind == "worsened":
            key = (f.evidence.conversation_id, f.evidence.leg)
            causes = explained.get(key, [])
            detail = {**f.detail, "explained_by": causes}
            if causes:
                f = replace(f, detail=detail)
            else:
                unexplained.add(key)
                detail["attribution_reason"] = "no agent moment in this leg explains it"
                f = replace(f, attribution=Attribution.SYSTEM, detail=detail, suggestion=None)
        fair_findings.append(f)
    fair_scores = [
        replace(
            s,
            attribution=Attribution.SYSTEM,
            reason=f"{s.reason}; the drop is not explained by the agent's own moments",
        )
        if s.scorer == TRAJECTORY_SCORER and (s.conversation_id, s.leg) in unexplained
        else s
        for s in scores
    ]
    return fair_scores, fair_findings
