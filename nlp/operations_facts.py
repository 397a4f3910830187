"""The operations facts of one conversation, as scoring stores them (computed in :mod:`nlp.operations`)."""

from __future__ import annotations

from dataclasses import dataclass

INTERNAL = ("warm", "cold", "unknown")
"""Hand-off kinds inside the company (the others are referrals and channel moves)."""


@dataclass(frozen=True)
class HandoffFact:
    """One hand-off: ``how`` is a value of ``nlp.operations.HANDOFF_KINDS``; departments as legs name them."""

    how: str
    from_leg: int | None
    to_leg: int | None
    from_department: str
    to_department: str

    @property
    def internal(self) -> bool:
        """A transfer inside the company (not a referral or a channel move)."""
        return self.how in INTERNAL


@dataclass(frozen=True)
class LegFact:
    """One leg as routing reports see it."""

    leg: int
    journey_id: str
    participant_role: str
    department: str
    entry_route: str  # a value of ENTRY_ROUTES
    previous_department: str | None  # the journey's agent or bot stop before this leg; None: first
    previous_conversation_id: str | None
    dropped: bool  # the system cut the leg off


@dataclass(frozen=True)
class WaitFact:
    """A hold (``kind="hold"``) or queue wait (``"queue"``) and whether a callback was offered."""

    leg: int | None
    kind: str
    at_ms: int | None
    duration_ms: int
    callback_offered: bool


@dataclass(frozen=True)
class DisconnectFact:
    """Who ended the contact (customer, agent, system, ...) and in which department."""

    leg: int | None
    ended_by: str
    department: str


@dataclass(frozen=True)
class OperationsFacts:
    """Every operations fact of one conversation (see the module docstring)."""

    handoffs: tuple[HandoffFact, ...] = ()
    legs: tuple[LegFact, ...] = ()
    waits: tuple[WaitFact, ...] = ()
    disconnects: tuple[DisconnectFact, ...] = ()
