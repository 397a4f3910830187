"""Group a customer's contacts into journeys: the unit of repeat-contact analysis.

A journey starts with a customer's contact and takes in every later contact of the same
customer that starts within ``window`` of that first one. Inside a journey a contact that
starts less than ``continuation_gap`` after the previous contacts ended is the same contact
forwarded (a *continuation*: a transfer that became a new call, a chat moved to a call), not
the customer having to come back (a *repeat*)::

    >>> t0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    >>> spans = [
    ...     ContactSpan("c1", "cust-1", t0, t0 + timedelta(minutes=10)),
    ...     ContactSpan("c2", "cust-1", t0 + timedelta(minutes=12), t0 + timedelta(minutes=20)),
    ...     ContactSpan("c3", "cust-1", t0 + timedelta(days=2), t0 + timedelta(days=2, minutes=5)),
    ... ]
    >>> [(j.conversation_ids, j.contacts, j.continuations, j.repeat_contacts)
    ...  for j in build_journeys(spans, newest=t0 + timedelta(days=30))]
    [(['c1', 'c2', 'c3'], 2, 1, 1)]

A journey whose window is still open at the newest data we have (``newest``) may yet gain
contacts: it is flagged ``right_censored`` so repeat rates do not count it as settled.
Contacts without a customer id or a start time cannot be journeyed and are left out.
All times are compared in UTC; a time without a zone is taken as UTC.

The defaults (7 days, 15 minutes) live in ``journeys.yaml`` next to this module.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from configfile import ConfigValueError, load_yaml_config
from transcripts.model import Conversation, Journey

JOURNEYS_FILE = Path(__file__).with_name("journeys.yaml")


class JourneySettings(BaseModel):
    """Journey grouping defaults, as written in ``journeys.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_days: float = Field(gt=0, description="Window from a journey's first contact, in days.")
    continuation_gap_minutes: float = Field(
        ge=0, description="A contact starting less than this after the previous ended continues it."
    )

    @property
    def window(self) -> timedelta:
        """The window as a ``timedelta``."""
        return timedelta(days=self.window_days)

    @property
    def continuation_gap(self) -> timedelta:
        """The continuation gap as a ``timedelta``."""
        return timedelta(minutes=self.continuation_gap_minutes)


@cache
def load_journey_settings(path: Path = JOURNEYS_FILE) -> JourneySettings:
    """Read the journey defaults from ``path``; a bad key raises ``ConfigValueError`` (file:line: key)."""
    return load_yaml_config(path, JourneySettings, what="journey settings", error=ConfigValueError)


DEFAULTS = load_journey_settings()


@dataclass(frozen=True)
class ContactSpan:
    """The part of a conversation journeys need: who, and when it started and ended."""

    conversation_id: str
    customer_id: str | None
    started_at: datetime | None
    ended_at: datetime | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> ContactSpan:
        """The span of one canonical conversation."""
        return cls(conversation.id, conversation.customer_id, conversation.started_at, conversation.ended_at)


class JourneyWithContinuations(Journey):
    """A ``Journey`` that also says, per contact, whether it continued the previous one.

    ``is_continuation[i]`` belongs to ``conversation_ids[i]``; the first is always False.
    """

    is_continuation: list[bool] = Field(default_factory=list)


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def journey_id(customer_id: str, first_conversation_id: str) -> str:
    """Deterministic id of the journey that starts with ``first_conversation_id``."""
    digest = hashlib.sha256(f"{customer_id}\x1f{first_conversation_id}".encode()).hexdigest()
    return f"j-{digest[:20]}"


@dataclass(frozen=True, order=True)
class _Timed:
    """A journeyable contact with its times in UTC (sorts by start, then id)."""

    start: datetime
    end: datetime
    conversation_id: str


@dataclass
class _Open:
    """A journey being assembled."""

    customer_id: str
    contacts: list[_Timed]
    continuation: list[bool]
    latest_end: datetime


def build_journeys(
    contacts: Iterable[ContactSpan],
    window: timedelta = DEFAULTS.window,
    continuation_gap: timedelta = DEFAULTS.continuation_gap,
    newest: datetime | None = None,
) -> list[JourneyWithContinuations]:
    """Group ``contacts`` into journeys per customer, ordered by customer then start.

    ``newest`` is the time of the newest data in the store (default: the latest start or
    end among ``contacts``); a journey whose window ends after it is ``right_censored``.
    A contact without an end time counts as ending when it started. A continuation stays
    in its journey even when it starts past the window: it is the same contact.
    """
    if window <= timedelta(0):
        raise ValueError(f"window must be positive, got {window}")
    if continuation_gap < timedelta(0):
        raise ValueError(f"continuation_gap must not be negative, got {continuation_gap}")
    by_customer: dict[str, list[_Timed]] = defaultdict(list)
    seen: set[str] = set()
    for span in contacts:
        if not span.customer_id or span.started_at is None or span.conversation_id in seen:
            continue
        seen.add(span.conversation_id)
        start = as_utc(span.started_at)
        end = max(start, as_utc(span.ended_at)) if span.ended_at is not None else start
        by_customer[span.customer_id].append(_Timed(start, end, span.conversation_id))
    if newest is not None:
        cutoff: datetime | None = as_utc(newest)
    else:
        cutoff = max((t.end for timed in by_customer.values() for t in timed), default=None)
    journeys: list[JourneyWithContinuations] = []
    for customer_id in sorted(by_customer):
        timed = sorted(by_customer[customer_id])
        groups = _group(customer_id, timed, window, continuation_gap)
        journeys.extend(_finish(group, window, cutoff) for group in groups)
    return journeys


def _group(customer_id: str, timed: list[_Timed], window: timedelta, gap: timedelta) -> list[_Open]:
    """Split one customer's contacts (sorted by start) into journeys."""
    groups: list[_Open] = []
    current: _Open | None = None
    for contact in timed:
        if current is not None:
            continues = contact.start - current.latest_end < gap
            if continues or contact.start - current.contacts[0].start < window:
                current.contacts.append(contact)
                current.continuation.append(continues)
                current.latest_end = max(current.latest_end, contact.end)
                continue
        current = _Open(customer_id, [contact], [False], contact.end)
        groups.append(current)
    return groups


def _finish(group: _Open, window: timedelta, cutoff: datetime | None) -> JourneyWithContinuations:
    """Turn an assembled group into a ``Journey``."""
    first = group.contacts[0].start
    continuations = sum(group.continuation)
    contacts = len(group.contacts) - continuations
    return JourneyWithContinuations(
        id=journey_id(group.customer_id, group.contacts[0].conversation_id),
        customer_id=group.customer_id,
        conversation_ids=[c.conversation_id for c in group.contacts],
        started_at=first,
        ended_at=group.latest_end,
        contacts=contacts,
        continuations=continuations,
        repeat_contacts=contacts - 1,
        right_censored=cutoff is not None and first + window > cutoff,
        is_continuation=list(group.continuation),
    )
