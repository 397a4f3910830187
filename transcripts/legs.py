"""Build legs and events for sources that only list turns, and put turns in order.

Most exports have no explicit legs: a chat log or a caption file just says who spoke.
``LegTracker`` infers them the way a supervisor reads a transcript: a new leg starts when a
different agent, bot or IVR starts speaking (``started_via`` is ``bot_handoff`` after a bot
or IVR leg, ``transfer`` otherwise) or after an explicit transfer line. Customer and system
turns stay in the current leg.

On an asynchronous channel (``LegTracker(asynchronous=True)``: social, messaging, e-mail) the
company side is one team: a different agent name, id or signature answering is the same leg
(each turn keeps its ``representative``), and a new leg starts only with evidence — an
explicit transfer, a department the source states changing, or a bot handing over. A team
leg's ``agent_id`` is its one representative (``account/JK`` for a signature under an
account) or, when several answered, the account; ``extra["representatives"]`` lists them all.

Example::

    tracker = LegTracker()
    tracker.assign(Role.BOT, "bot-1")                # leg 0 (bot)
    tracker.assign(Role.CUSTOMER)                    # leg 0
    tracker.assign(Role.AGENT, "a17", department="Billing")  # leg 1, bot_handoff
    tracker.transfer(to_department="Tech Support", warm=False)
    tracker.assign(Role.AGENT, "a22")                # leg 2, transfer, department Tech Support
    legs, events = tracker.finish()

``order_turns`` decides turn order from an explicit sequence field or start offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from transcripts.model import Event, EventType, Leg, LegEnd, LegStart, Role

T = TypeVar("T")

_PARTICIPANTS = frozenset({Role.AGENT, Role.BOT, Role.IVR})
_AUTOMATED = frozenset({Role.BOT, Role.IVR})
_DISCONNECT_END = {
    Role.CUSTOMER: LegEnd.CUSTOMER_DISCONNECT,
    Role.AGENT: LegEnd.AGENT_DISCONNECT,
    Role.SYSTEM: LegEnd.SYSTEM_DISCONNECT,
}


@dataclass
class _OpenLeg:
    index: int
    role: Role | None = None  # None until an agent/bot/IVR speaks in it
    agent_id: str | None = None
    agent_name: str | None = None
    department: str | None = None
    queue: str | None = None
    started_via: LegStart = LegStart.INBOUND
    ended_via: LegEnd = LegEnd.UNKNOWN
    start_ms: int | None = None
    end_ms: int | None = None
    after_explicit_transfer: bool = False
    representatives: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)

    def add_representative(self, account: str | None, representative: str | None) -> None:
        """Note who wrote a team turn: the account it came from and the individual (if known)."""
        if account is not None and account not in self.accounts:
            self.accounts.append(account)
        individual = representative_id(account, representative) if representative else account
        if individual is not None and individual not in self.representatives:
            self.representatives.append(individual)

    def settle_team(self) -> None:
        """Team legs: the one representative is the agent; several share the account's id.

        Unsigned turns under an account that other turns sign count as that account's, not as
        another representative.
        """
        signed = [r for r in self.representatives if r not in self.accounts]
        self.representatives = signed or self.representatives
        if not self.representatives:
            return
        if len(self.representatives) == 1:
            self.agent_id = self.representatives[0]
            if signed:
                self.agent_name = self.agent_id.rsplit("/", 1)[-1]
        else:
            self.agent_id = self.accounts[0] if len(self.accounts) == 1 else self.representatives[0]
            self.agent_name = None

    def to_leg(self) -> Leg:
        extra = {"representatives": list(self.representatives)} if len(self.representatives) > 1 else {}
        return Leg(
            index=self.index,
            participant_role=self.role or Role.AGENT,
            agent_id=self.agent_id,
            agent_name=self.agent_name,
            department=self.department,
            queue=self.queue,
            started_via=self.started_via,
            ended_via=self.ended_via,
            start_ms=self.start_ms,
            end_ms=self.end_ms
            if self.end_ms is None or self.start_ms is None
            else max(self.end_ms, self.start_ms),
            extra=extra,
        )


def representative_id(account: str | None, representative: str) -> str:
    """The id of a representative signing under ``account``: ``TeamYouTube/JK`` (or ``JK``)."""
    return f"{account}/{representative}" if account else representative


@dataclass
class LegTracker:
    """Assigns turns to legs and collects events while a reader walks a conversation in order."""

    default_department: str | None = None
    default_queue: str | None = None
    asynchronous: bool = False
    _legs: list[_OpenLeg] = field(default_factory=list)
    _events: list[Event] = field(default_factory=list)
    _pending_transfer: Event | None = None
    _on_hold: bool = False

    @property
    def current(self) -> int:
        """Index of the leg turns are being added to (0 before anyone spoke)."""
        return self._legs[-1].index if self._legs else 0

    def _open(self, started_via: LegStart, at_ms: int | None) -> _OpenLeg:
        if self._legs and at_ms is not None and self._legs[-1].end_ms is None:
            self._legs[-1].end_ms = at_ms
        leg = _OpenLeg(index=len(self._legs), started_via=started_via, start_ms=at_ms)
        self._legs.append(leg)
        return leg

    def _same_participant(self, leg: _OpenLeg, role: Role, speaker_id: str | None, name: str | None) -> bool:
        if leg.role != role:
            return False
        if self.asynchronous and role is Role.AGENT:
            return True  # one company team answers; a new name or signature is not a new leg
        if speaker_id is not None or leg.agent_id is not None:
            return speaker_id == leg.agent_id
        return name is None or leg.agent_name is None or name == leg.agent_name

    def assign(
        self,
        role: Role,
        speaker_id: str | None = None,
        speaker_name: str | None = None,
        *,
        department: str | None = None,
        queue: str | None = None,
        at_ms: int | None = None,
        end_ms: int | None = None,
        representative: str | None = None,
    ) -> int:
        """The leg index for the next turn, opening a new leg when the participant changes.

        ``at_ms``/``end_ms`` (the turn's offsets) extend the leg's time span; ``representative``
        is who signed an agent turn under a team account (asynchronous channels).
        """
        if not self._legs:
            self._open(LegStart.INBOUND, at_ms)
        leg = self._legs[-1]
        if role not in _PARTICIPANTS:
            self._touch(leg, at_ms)
            return leg.index
        if self._pending_transfer is not None:
            leg = self._start_after_transfer(at_ms)
        elif leg.role is not None and not self._same_participant(leg, role, speaker_id, speaker_name):
            via = LegStart.BOT_HANDOFF if leg.role in _AUTOMATED else LegStart.TRANSFER
            leg = self._open(via, at_ms)
        elif (
            leg.role is not None
            and department is not None
            and leg.department is not None
            and department != leg.department
        ):
            leg = self._open(LegStart.TRANSFER, at_ms)
        if leg.role is None:
            leg.role, leg.agent_id, leg.agent_name = role, speaker_id, speaker_name
        leg.agent_name = leg.agent_name or speaker_name
        if self.asynchronous and role is Role.AGENT:
            leg.add_representative(speaker_id or speaker_name, representative)
        leg.department = leg.department or department
        leg.queue = leg.queue or queue
        self._touch(leg, at_ms)
        self._touch(leg, end_ms)
        return leg.index

    def _touch(self, leg: _OpenLeg, at_ms: int | None) -> None:
        if at_ms is None:
            return
        if leg.start_ms is None:
            leg.start_ms = at_ms
        leg.end_ms = at_ms if leg.end_ms is None else max(leg.end_ms, at_ms)

    def _start_after_transfer(self, at_ms: int | None) -> _OpenLeg:
        event = self._pending_transfer
        assert event is not None
        self._pending_transfer = None
        previous = self._legs[-1]
        if previous.role is None:
            # nobody had answered yet: the transfer routed the contact before the first leg
            leg = previous
        else:
            previous.ended_via = LegEnd.TRANSFERRED
            leg = self._open(LegStart.TRANSFER, at_ms if at_ms is not None else event.at_ms)
        leg.department = event.to_department
        leg.after_explicit_transfer = True
        event.to_leg = leg.index
        return leg

    def _department_of(self, leg: _OpenLeg) -> str | None:
        if leg.department is not None or leg.after_explicit_transfer:
            return leg.department
        return self.default_department

    def transfer(
        self,
        *,
        at_ms: int | None = None,
        to_department: str | None = None,
        to_agent: str | None = None,
        warm: bool | None = None,
        reason: str | None = None,
    ) -> Event:
        """Record a transfer out of the current leg; the next agent/bot turn opens the new leg."""
        from_leg = self._legs[-1] if self._legs else None
        event = Event(
            type=EventType.TRANSFER,
            at_ms=at_ms,
            leg=self.current,
            from_leg=self.current,
            from_department=self._department_of(from_leg) if from_leg else None,
            to_department=to_department,
            from_agent=from_leg.agent_id or from_leg.agent_name if from_leg else None,
            to_agent=to_agent,
            warm=warm,
            reason=reason,
        )
        self._events.append(event)
        self._pending_transfer = event
        if from_leg is not None:
            self._touch(from_leg, at_ms)
        return event

    def event(
        self,
        type_: EventType,
        *,
        at_ms: int | None = None,
        duration_ms: int | None = None,
        by: Role | None = None,
        reason: str | None = None,
    ) -> Event:
        """Record a hold, queue wait or disconnect during the current leg."""
        if not self._legs:
            self._open(LegStart.INBOUND, at_ms)
        event = Event(
            type=type_, at_ms=at_ms, duration_ms=duration_ms, leg=self.current, by=by, reason=reason
        )
        self._events.append(event)
        leg = self._legs[-1]
        if type_ is EventType.HOLD_START:
            self._on_hold = True
        elif type_ is EventType.HOLD_END:
            self._on_hold = False
        elif type_ is EventType.DISCONNECT:
            if self._on_hold and by is Role.CUSTOMER:
                leg.ended_via = LegEnd.ABANDONED_ON_HOLD
            elif by in _DISCONNECT_END:
                leg.ended_via = _DISCONNECT_END[by]
        self._touch(leg, at_ms)
        return event

    def finish(self) -> tuple[list[Leg], list[Event]]:
        """The legs (at least one) and events collected so far.

        Legs without a department or queue of their own get the tracker's defaults (the
        conversation's), except legs reached through an explicit transfer.
        """
        if not self._legs:
            self._open(LegStart.INBOUND, None)
        for leg in self._legs:
            leg.settle_team()
            if not leg.after_explicit_transfer:
                leg.department = leg.department or self.default_department
                leg.queue = leg.queue or self.default_queue
        return [leg.to_leg() for leg in self._legs], list(self._events)


class TurnOrderError(ValueError):
    """Turns cannot be put in a trustworthy order (duplicate or partial sequence numbers)."""


@dataclass(frozen=True)
class TurnOrder:
    """Turns in speaking order, and whether that differs from the order in the file."""

    items: list
    reordered: bool


def order_turns(
    items: Sequence[T],
    *,
    sequence: Callable[[T], object] | None = None,
    offset: Callable[[T], int | None] | None = None,
) -> TurnOrder:
    """Put raw turns in speaking order.

    An explicit sequence field wins: every turn must carry a distinct integer, else
    ``TurnOrderError``. Without one, if every turn has a start offset and they are out of
    order, turns are sorted stably by offset. ``reordered`` tells the reader to note
    ``extra["reordered"] = True``.
    """
    listed = list(items)
    if sequence is not None:
        values = [sequence(item) for item in listed]
        given = [v for v in values if v is not None]
        if given:
            if len(given) != len(values):
                missing = [str(i + 1) for i, v in enumerate(values) if v is None]
                raise TurnOrderError(f"sequence number missing on turn(s) {', '.join(missing[:5])}")
            numbers: list[int] = []
            for position, value in enumerate(values, start=1):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TurnOrderError(f"turn {position} has sequence {value!r}, not an integer")
                numbers.append(value)
            if len(set(numbers)) != len(numbers):
                seen: set[int] = set()
                dupes = sorted({n for n in numbers if n in seen or seen.add(n)})
                raise TurnOrderError(f"duplicate sequence number(s) {', '.join(map(str, dupes[:5]))}")
            ranked = sorted(range(len(listed)), key=numbers.__getitem__)
            return TurnOrder([listed[i] for i in ranked], ranked != list(range(len(listed))))
    if offset is not None and listed:
        offsets = [offset(item) for item in listed]
        if all(o is not None for o in offsets) and any(
            a > b for a, b in zip(offsets, offsets[1:], strict=False)
        ):  # type: ignore[operator]
            ranked = sorted(range(len(listed)), key=lambda i: offsets[i])  # type: ignore[arg-type,return-value]
            return TurnOrder([listed[i] for i in ranked], True)
    return TurnOrder(listed, False)
