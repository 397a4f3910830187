"""Operations facts of one conversation, computed once when it is scored and stored for reports.

Reports and cards only count and format these; every rule lives here:

* **hand-offs** — the ``transfers.v1`` findings that are hand-offs (warm, cold or unknown
  internal transfers, referrals, channel moves); a conversation the scorer did not run on
  counts its recorded ``transfer`` events instead (warm or cold as the event or the receiving
  leg's start says);
* **legs** — per leg: its department as reports name it, how it was reached (direct, warm or
  cold transfer, bot hand-off, callback, outbound), the stop before it in the customer's
  journey (agent and bot legs, across earlier contacts), and whether the system dropped it;
* **waits** — holds and queue waits with their length, and whether anyone on our side offered
  a callback (phrases in ``rubrics/patterns/callback_offers.jsonl``);
* **disconnects** — who ended the contact and on which leg's department.

Example::

    facts = operations_facts(conversation, earlier_contacts, findings, scored_transfers=True)
    [(leg.leg, leg.department, leg.entry_route) for leg in facts.legs]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from configfile import ConfigFileError, ConfigProblem, ConfigValueError
from nlp.findings import Finding
from nlp.operations_facts import (
    DisconnectFact,
    HandoffFact,
    LegFact,
    OperationsFacts,
    WaitFact,
)
from nlp.patterns import read_pattern_file
from nlp.routing_cost import hold_durations, queue_waits
from transcripts.model import Conversation, EventType, Leg, LegEnd, LegStart, Role

UNKNOWN = "(unknown)"
TRANSFERS_SCORER = "transfers."
CALLBACK_OFFERS = Path(__file__).resolve().parent.parent / "rubrics" / "patterns" / "callback_offers.jsonl"
HANDOFF_KINDS = {
    "warm_transfer": "warm",
    "cold_transfer": "cold",
    "transfer": "unknown",
    "referral": "referral",
    "channel_move": "channel_move",
}
"""Finding kinds of ``transfers.v1`` that are hand-offs -> how the hand-off is counted."""
ENTRY_ROUTES = ("inbound", "outbound", "warm", "cold", "bot_handoff", "callback")
"""How a leg can be reached, in report order."""
_ENDED_BY = {
    LegEnd.CUSTOMER_DISCONNECT: "customer",
    LegEnd.AGENT_DISCONNECT: "agent",
    LegEnd.SYSTEM_DISCONNECT: "system",
    LegEnd.ABANDONED_ON_HOLD: "customer",
}
_OURS = (Role.AGENT, Role.BOT, Role.IVR)


def department_name(leg: Leg | None) -> str:
    """The leg's department; a bot's or the IVR's own name when it has none."""
    if leg is None:
        return UNKNOWN
    if leg.department:
        return leg.department
    if leg.participant_role is Role.BOT:
        return f"{leg.agent_name or 'Bot'} (bot)"
    if leg.participant_role is Role.IVR:
        return "IVR"
    return UNKNOWN


def _leg(conversation: Conversation, index: int | None) -> Leg | None:
    return next((leg for leg in conversation.legs if leg.index == index), None) if index is not None else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def handoffs(conversation: Conversation, findings: Sequence[Finding], scored: bool) -> list[HandoffFact]:
    """The conversation's hand-offs, by leg: ``transfers.v1`` findings, else (``scored`` False) events."""
    found = []
    for f in findings:
        how = HANDOFF_KINDS.get(f.kind)
        if how is None or not f.scorer.startswith(TRANSFERS_SCORER):
            continue
        from_leg, to_leg = _int(f.detail.get("from_leg")), _int(f.detail.get("to_leg"))
        source = _leg(conversation, from_leg if from_leg is not None else f.evidence.leg)
        target = _leg(conversation, to_leg)
        found.append(
            HandoffFact(
                how,
                from_leg,
                to_leg,
                department_name(source)
                if source
                else f.department or str(f.detail.get("from_department") or "") or UNKNOWN,
                department_name(target) if target else str(f.detail.get("to_department") or "") or UNKNOWN,
            )
        )
    if not scored:
        for e in conversation.events:
            if e.type is not EventType.TRANSFER:
                continue
            from_leg = e.from_leg if e.from_leg is not None else e.leg
            target = _leg(conversation, e.to_leg)
            warm = (
                e.warm
                if e.warm is not None
                else (None if target is None else target.started_via is not LegStart.QUEUE_TRANSFER)
            )
            found.append(
                HandoffFact(
                    {True: "warm", False: "cold", None: "unknown"}[warm],
                    from_leg,
                    e.to_leg,
                    e.from_department or department_name(_leg(conversation, from_leg)),
                    e.to_department or department_name(target),
                )
            )
    return sorted(
        found, key=lambda h: (-1 if h.from_leg is None else h.from_leg, -1 if h.to_leg is None else h.to_leg)
    )


def entry_route(leg: Leg, into: str | None) -> str:
    """How ``leg`` was reached: ``into`` is the internal hand-off that led into it (warm/cold/unknown).

    A leg begun by (queue) transfer without a hand-off is warm or cold by how it began (from a
    queue: cold).
    """
    via = leg.started_via
    if into is not None or via in (LegStart.TRANSFER, LegStart.QUEUE_TRANSFER):
        cold = into == "cold" or (into != "warm" and via is LegStart.QUEUE_TRANSFER)
        return "cold" if cold else "warm"
    return via.value if via.value in ENTRY_ROUTES else "inbound"


def _stops(conversation: Conversation) -> list[Leg]:
    """Agent and bot legs in order: the stops of a journey."""
    return [
        leg
        for leg in sorted(conversation.legs, key=lambda g: g.index)
        if leg.participant_role in (Role.AGENT, Role.BOT)
    ]


def leg_facts(
    conversation: Conversation,
    journey_id: str,
    earlier: Sequence[Conversation],
    found: Sequence[HandoffFact],
) -> list[LegFact]:
    """One :class:`LegFact` per leg of ``conversation`` (``earlier``: the journey's earlier contacts)."""
    into: dict[int, str] = {}
    for h in found:
        if h.internal and h.to_leg is not None:
            into[h.to_leg] = h.how
    previous: tuple[str, str] | None = None
    for contact in earlier:
        stops = _stops(contact)
        if stops:
            previous = (department_name(stops[-1]), contact.id)
    before: dict[int, tuple[str, str] | None] = {}
    for leg in _stops(conversation):
        before[leg.index] = previous
        previous = (department_name(leg), conversation.id)
    facts = []
    for leg in sorted(conversation.legs, key=lambda g: g.index):
        came_from = before.get(leg.index)
        facts.append(
            LegFact(
                leg=leg.index,
                journey_id=journey_id,
                participant_role=leg.participant_role.value,
                department=department_name(leg),
                entry_route=entry_route(leg, into.get(leg.index)),
                previous_department=came_from[0] if came_from else None,
                previous_conversation_id=came_from[1] if came_from else None,
                dropped=leg.ended_via is LegEnd.SYSTEM_DISCONNECT,
            )
        )
    return facts


@dataclass(frozen=True)
class _EventView:
    conversation_id: str
    seq: int
    type: str
    at_ms: int | None
    duration_ms: int | None
    leg: int | None


@cache
def callback_offer_regex(path: Path = CALLBACK_OFFERS) -> re.Pattern[str]:
    """One case-insensitive regex for every callback-offer phrase in the pattern file.

    Raises :class:`ConfigValueError` naming the file and line of every problem (an entry that
    is not a phrase included).
    """
    try:
        patterns = read_pattern_file(path)
    except ConfigFileError as exc:
        raise ConfigValueError(exc.problems) from None
    problems = [
        ConfigProblem(str(path), e.line, f"pattern: entry {e.rule!r} must be a phrase (a string)")
        for e in patterns.entries
        if e.kind != "phrase"
    ]
    if not patterns.entries:
        problems.append(ConfigProblem(str(path), None, "no phrase patterns"))
    if problems:
        raise ConfigValueError(problems)
    phrases = [str(e.pattern).strip() for e in patterns.entries]
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)


def waits(conversation: Conversation, offer: re.Pattern[str] | None = None) -> list[WaitFact]:
    """Holds and queue waits, each with whether a callback was offered.

    For a hold: on the hold's leg. For a queue wait: up to the end of the leg it led to (an IVR
    or bot offer before the queue counts).
    """
    offer = offer or callback_offer_regex()
    events = [
        _EventView(conversation.id, seq, e.type.value, e.at_ms, e.duration_ms, e.leg)
        for seq, e in enumerate(conversation.events)
    ]
    ours = [t for t in conversation.turns if t.role in _OURS]
    found = []
    for wait in [*hold_durations(events), *queue_waits(events)]:
        said = ours
        if wait.leg is not None:
            said = [t for t in ours if (t.leg == wait.leg if wait.kind == "hold" else t.leg <= wait.leg)]
        offered = any(offer.search(t.text) for t in said)
        found.append(WaitFact(wait.leg, wait.kind, wait.at_ms, wait.duration_ms, offered))
    return found


def disconnects(conversation: Conversation) -> list[DisconnectFact]:
    """Each ``disconnect`` event; without one, how the last leg ended when someone hung up."""
    legs = sorted(conversation.legs, key=lambda g: g.index)
    found = []
    for e in conversation.events:
        if e.type is not EventType.DISCONNECT:
            continue
        leg = _leg(conversation, e.leg) or (legs[-1] if legs else None)
        by = (e.by.value if e.by is not None else "unknown").lower()
        found.append(DisconnectFact(leg.index if leg else None, by, department_name(leg)))
    if not found and legs and legs[-1].ended_via in _ENDED_BY:
        found.append(DisconnectFact(legs[-1].index, _ENDED_BY[legs[-1].ended_via], department_name(legs[-1])))
    return found


def operations_facts(
    conversation: Conversation,
    findings: Sequence[Finding],
    *,
    scored_transfers: bool,
    journey_id: str | None = None,
    earlier: Sequence[Conversation] = (),
    offer: re.Pattern[str] | None = None,
) -> OperationsFacts:
    """Every fact of the module docstring for ``conversation``.

    ``scored_transfers``: whether ``transfers.v1`` ran on it (its findings are then the
    hand-offs); ``journey_id`` and ``earlier`` place it in the customer's journey (a
    conversation in no journey is a journey of its own).
    """
    found = handoffs(conversation, findings, scored_transfers)
    return OperationsFacts(
        handoffs=tuple(found),
        legs=tuple(leg_facts(conversation, journey_id or conversation.id, earlier, found)),
        waits=tuple(waits(conversation, offer)),
        disconnects=tuple(disconnects(conversation)),
    )
