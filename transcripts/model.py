"""The canonical conversation model every reader produces and every stage consumes.

One conversation (a contact) is a list of legs (stretches handled by one agent, bot or
IVR in one department), a list of turns (who said what, in order) and a list of events
(holds, queue waits, transfers, disconnects). Vendor shapes never leak past the readers:
a vendor's own sentiment and categories become ``vendor_signals`` (evidence kept beside
ours, never replacing it); other vendor fields we keep live in ``extra``. ``roles`` says
how speakers got their roles when the source did not name them.

The JSON Schema in ``schema/conversation.v1.json`` is generated from these models
(``python -m transcripts.schema``) and a test keeps the two in step.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = "1.0"


class Channel(StrEnum):
    """How the customer reached us: spoken (``call``) or written (``chat``)."""

    CALL = "call"
    CHAT = "chat"


class ChannelKind(StrEnum):
    """What kind of channel a contact came through, which decides how its structure is read.

    ``voice`` and ``live_chat`` are synchronous: one agent at a time, and a new agent speaking
    is a new leg. ``social``, ``messaging`` and ``email`` are asynchronous: one company
    account answers, often under several agents' signatures ("^JK", "-Maria"), and a change
    of signature or agent name is one team, not a new leg or a transfer.
    """

    VOICE = "voice"
    LIVE_CHAT = "live_chat"
    SOCIAL = "social"
    MESSAGING = "messaging"
    EMAIL = "email"

    @property
    def asynchronous(self) -> bool:
        """Social, messaging and e-mail: the customer and the company answer when they can."""
        return self in _ASYNCHRONOUS

    @property
    def channel(self) -> Channel:
        """The spoken/written channel of this kind (``voice`` is a call, the rest are written)."""
        return Channel.CALL if self is ChannelKind.VOICE else Channel.CHAT

    @classmethod
    def default_for(cls, channel: Channel) -> ChannelKind:
        """The kind a source that only says ``call``/``chat`` gets: voice or live chat."""
        return cls.VOICE if channel is Channel.CALL else cls.LIVE_CHAT


_ASYNCHRONOUS = frozenset({ChannelKind.SOCIAL, ChannelKind.MESSAGING, ChannelKind.EMAIL})


def parse_channel(value: str) -> tuple[Channel, ChannelKind | None]:
    """``"call"``/``"chat"`` or a kind (``"email"``, ``"social"``...) as (channel, kind or None).

    Raises ``ValueError`` naming the accepted values.
    """
    text = value.strip().lower()
    if text in Channel.__members__.values():
        return Channel(text), None
    if text in ChannelKind.__members__.values():
        kind = ChannelKind(text)
        return kind.channel, kind
    accepted = ", ".join([*(c.value for c in Channel), *(k.value for k in ChannelKind)])
    raise ValueError(f"unknown channel {value!r} ({accepted})")


class Role(StrEnum):
    """Who produced a turn."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    IVR = "ivr"
    SYSTEM = "system"


class LegStart(StrEnum):
    """How a leg began."""

    INBOUND = "inbound"
    TRANSFER = "transfer"
    QUEUE_TRANSFER = "queue_transfer"
    CALLBACK = "callback"
    BOT_HANDOFF = "bot_handoff"
    OUTBOUND = "outbound"


class LegEnd(StrEnum):
    """How a leg ended."""

    RESOLVED = "resolved"
    TRANSFERRED = "transferred"
    CUSTOMER_DISCONNECT = "customer_disconnect"
    AGENT_DISCONNECT = "agent_disconnect"
    SYSTEM_DISCONNECT = "system_disconnect"
    ABANDONED_ON_HOLD = "abandoned_on_hold"
    UNKNOWN = "unknown"


class EventType(StrEnum):
    """Things that happen to a contact besides talk."""

    HOLD_START = "hold_start"
    HOLD_END = "hold_end"
    QUEUE_WAIT = "queue_wait"
    TRANSFER = "transfer"
    DISCONNECT = "disconnect"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False, frozen=False)


class Leg(_Strict):
    """One stretch of a contact handled by one agent (or bot/IVR) in one department."""

    index: int = Field(ge=0, description="Position of the leg in the conversation, from 0.")
    participant_role: Role = Field(Role.AGENT, description="agent, bot or ivr.")
    agent_id: str | None = Field(None, description="Stable id of the agent, bot or IVR.")
    agent_name: str | None = Field(None, description="Display name of the agent.")
    department: str | None = Field(None, description="Department or queue family.")
    team: str | None = Field(None, description="Team within the department (e.g. a hierarchy group).")
    queue: str | None = Field(None, description="Queue the leg was routed through.")
    started_via: LegStart = LegStart.INBOUND
    ended_via: LegEnd = LegEnd.UNKNOWN
    start_ms: int | None = Field(None, ge=0, description="Offset from conversation start.")
    end_ms: int | None = Field(None, ge=0)
    extra: dict[str, Any] = Field(default_factory=dict)


class Turn(_Strict):
    """One utterance or chat message."""

    index: int = Field(ge=0, description="Position of the turn in the conversation, from 0.")
    role: Role
    speaker_id: str | None = None
    speaker_name: str | None = None
    text: str = Field(min_length=1)
    start_ms: int | None = Field(None, ge=0, description="Offset from conversation start.")
    end_ms: int | None = Field(None, ge=0)
    leg: int = Field(0, ge=0, description="Index of the leg this turn belongs to.")
    representative: str | None = Field(
        None,
        description="The individual who wrote an agent turn under a team account (a signature such "
        "as '^JK' or a name on an asynchronous channel); None when the speaker is the individual.",
    )
    extra: dict[str, Any] = Field(default_factory=dict, description="Vendor fields kept as-is.")

    @model_validator(mode="after")
    def _text_not_blank(self) -> Turn:
        if not self.text.strip():
            raise ValueError("turn text is empty or whitespace")
        return self


class Event(_Strict):
    """A hold, queue wait, transfer or disconnect."""

    type: EventType
    at_ms: int | None = Field(None, ge=0, description="Offset from conversation start.")
    duration_ms: int | None = Field(None, ge=0)
    leg: int | None = Field(None, ge=0, description="Leg during which it happened.")
    from_leg: int | None = None
    to_leg: int | None = None
    from_department: str | None = None
    to_department: str | None = None
    from_agent: str | None = None
    to_agent: str | None = None
    warm: bool | None = Field(None, description="Transfer with context handed over; None if unknown.")
    by: Role | None = Field(None, description="Who disconnected (customer, agent, system).")
    reason: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class RoleSource(StrEnum):
    """Where the turns' roles came from when the export did not name them."""

    MAPPING = "mapping"
    INFERRED = "inferred"


class RoleAttribution(_Strict):
    """How speaker labels (``spk_0``, ``ch_1``, a caption voice) were given roles."""

    source: RoleSource
    speakers: dict[str, Role] = Field(description="Speaker label -> the role its turns got.")
    confidence: float | None = Field(
        None, ge=0.0, le=1.0, description="Of the inference; None for a mapping."
    )
    uncertain: bool = Field(False, description="Roles are a guess too weak to score the agent on.")
    reason: str | None = Field(
        None, description="Why, in words (the cues that decided, or what was missing)."
    )


class VendorSignalKind(StrEnum):
    """What a vendor's own analytics said."""

    SENTIMENT = "sentiment"
    CATEGORY = "category"
    ISSUE = "issue"
    OUTCOME = "outcome"
    ACTION_ITEM = "action_item"


class VendorSignal(_Strict):
    """One finding of the vendor's analytics, kept as evidence beside ours (never replacing it)."""

    source: str = Field(description="Reader name of the export it came from (e.g. contact_lens).")
    kind: VendorSignalKind
    label: str = Field(min_length=1, description="POSITIVE, a category name, an issue's text...")
    score: float | None = Field(None, description="The vendor's own number, on its own scale.")
    turn: int | None = Field(None, ge=0, description="Turn it is about; None for the whole contact.")
    role: Role | None = Field(None, description="Whose sentiment, for per-speaker summaries.")


class Conversation(_Strict):
    """One contact: a call or a chat, from first turn to disconnect."""

    schema_version: str = SCHEMA_VERSION
    id: str = Field(min_length=1)
    channel: Channel
    channel_kind: ChannelKind | None = Field(
        None,
        description="voice, live_chat, social, messaging or email; when the source does not say, "
        "voice for a call and live_chat for a chat. ``channel`` may also name a kind directly.",
    )
    customer_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    language: str | None = Field(
        None, description="Primary language subtag; None when the source does not say."
    )
    source_file: str | None = None
    source_format: str | None = None
    source_record: str | None = Field(None, description="Record/line locator inside the source file.")
    legs: list[Leg] = Field(default_factory=list)
    turns: list[Turn] = Field(
        default_factory=list,
        description="Empty only for metadata-only contacts (e.g. Connect contact records).",
    )
    events: list[Event] = Field(default_factory=list)
    roles: RoleAttribution | None = Field(None, description="None when the source named every role.")
    vendor_signals: list[VendorSignal] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="What the reader doubted (an implausible time...), in words."
    )
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _channel_named_by_kind(cls, data: Any) -> Any:
        """``channel: "email"`` (a kind) means channel ``chat`` of kind ``email``."""
        if isinstance(data, dict) and isinstance(data.get("channel"), str):
            value = data["channel"].strip().lower()
            if value not in Channel.__members__.values() and value in ChannelKind.__members__.values():
                kind = ChannelKind(value)
                data = {**data, "channel": kind.channel.value}
                data.setdefault("channel_kind", kind.value)
        return data

    @property
    def kind(self) -> ChannelKind:
        """The channel kind, defaulted from ``channel`` when the source did not say."""
        return self.channel_kind or ChannelKind.default_for(self.channel)

    @property
    def asynchronous(self) -> bool:
        """Social, messaging or e-mail (see ``ChannelKind``)."""
        return self.kind.asynchronous

    @field_validator("started_at", "ended_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """Times without a zone are UTC, so contacts from every format compare."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Conversation:
        if self.channel_kind is not None and self.channel_kind.channel is not self.channel:
            raise ValueError(f"channel {self.channel.value!r} cannot be of kind {self.channel_kind.value!r}")
        if not self.legs:
            self.legs = [Leg(index=0)]
        leg_ids = {leg.index for leg in self.legs}
        if len(leg_ids) != len(self.legs):
            raise ValueError("duplicate leg index")
        for turn in self.turns:
            if turn.leg not in leg_ids:
                raise ValueError(f"turn {turn.index} refers to unknown leg {turn.leg}")
        if [t.index for t in self.turns] != list(range(len(self.turns))):
            raise ValueError("turn indexes must be 0..n-1 in order")
        return self

    def content_hash(self) -> str:
        """Hash of everything but where it came from: equal hashes mean the same contact."""
        payload = self.model_dump(mode="json", exclude={"source_file", "source_record"})
        # fields added after 1.0 count only when set, so stored contacts keep their hashes
        if payload.get("channel_kind") is None:
            payload.pop("channel_kind", None)
        for turn in payload["turns"]:
            if turn.get("representative") is None:
                turn.pop("representative", None)
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def leg_turns(self, leg: int) -> list[Turn]:
        """Turns spoken during leg ``leg``."""
        return [t for t in self.turns if t.leg == leg]


class Journey(_Strict):
    """Contacts of one customer within a window; the unit of repeat-contact analysis."""

    id: str
    customer_id: str
    conversation_ids: list[str]
    started_at: datetime
    ended_at: datetime
    contacts: int = Field(description="Contacts that are not continuations of the previous one.")
    continuations: int = Field(0, description="Contacts starting < gap after the previous ended.")
    repeat_contacts: int = Field(0, description="contacts - 1: times the customer had to come back.")
    right_censored: bool = Field(False, description="Window runs past the newest data.")
