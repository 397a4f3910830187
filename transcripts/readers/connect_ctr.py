"""Amazon Connect contact records (CTRs): routing metadata, no transcript.

A file holds CTRs as a JSON array, as JSON Lines, or as objects concatenated back to back
(what a Kinesis Data Firehose delivery to S3 writes). Records arrive at least once, so
they are deduplicated on ``ContactId`` keeping the latest ``LastUpdateTimestamp`` (each
dropped copy is reported as a ``DuplicateRecord``). The contact records of one transfer
chain (linked by ``InitialContactId``, ``PreviousContactId`` and ``NextContactId``) are
stitched into ONE conversation, id = the initial ``ContactId``, with one leg per record
in chain order and events for queue waits, holds, transfers and disconnects. CTRs carry
no transcript, so these conversations have ``turns == []``.

Files are streamed (``transcripts.json_stream.scan_values``): memory holds one decoded
chunk plus the records read so far, cut down to the fields used (``KEPT_FIELDS``); a broken
record is quarantined alone and reading resumes at the next one.

Limitation: chains are stitched within one file. A chain whose records are spread over
several files becomes one partial conversation per file, all with the initial contact's
id; ``extra["connect_ctr"]["missing_contact_ids"]`` names the linked contacts that were
not in the file. Hold times are totals per contact (``CustomerHoldDuration``,
``NumberOfHolds``, ``LongestHoldDuration``): each hold becomes a ``hold_start`` event
without a timestamp.

Example::

    for result in read(Path("ctr-2026-11-21.jsonl")):
        ...  # Conversation (one per chain), Quarantined, or DuplicateRecord
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from transcripts.json_stream import ScannedValue, UnreadableError, scan_values, text_chunks
from transcripts.model import Channel, Conversation, Event, EventType, Leg, LegEnd, LegStart, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers._speech import finite_ms
from transcripts.readers.base import DuplicateRecord, Reader, ReadResult, register
from transcripts.textio import MAX_DOCUMENT_BYTES, Encoding, excerpt, file_encoding, io_error

NAME = "connect_ctr"

_CHANNELS = {"VOICE": Channel.CALL, "CHAT": Channel.CHAT}

_STARTS = {
    "INBOUND": LegStart.INBOUND,
    "OUTBOUND": LegStart.OUTBOUND,
    "TRANSFER": LegStart.TRANSFER,
    "EXTERNAL_OUTBOUND": LegStart.OUTBOUND,
    "QUEUE_TRANSFER": LegStart.QUEUE_TRANSFER,
    "CALLBACK": LegStart.CALLBACK,
}
"""InitiationMethod -> how the leg began; API is INBOUND for chat (StartChatContact), else OUTBOUND."""

_SIDE_METHODS = frozenset({"MONITOR", "DISCONNECT"})
"""Contacts that are not a stretch of the customer's conversation (a supervisor listening in,
the disconnect flow after the customer left): listed in ``extra``, never a leg."""

_DISCONNECTS: dict[str, tuple[LegEnd, Role | None]] = {
    "CUSTOMER_DISCONNECT": (LegEnd.CUSTOMER_DISCONNECT, Role.CUSTOMER),
    "AGENT_DISCONNECT": (LegEnd.AGENT_DISCONNECT, Role.AGENT),
    "AGENT_NETWORK_DISCONNECT": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "THIRD_PARTY_DISCONNECT": (LegEnd.UNKNOWN, None),
    "TELECOM_PROBLEM": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "CONTACT_FLOW_DISCONNECT": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "CUSTOMER_CONNECTION_NOT_ESTABLISHED": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "EXPIRED": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "IDLE_DISCONNECT": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "API": (LegEnd.SYSTEM_DISCONNECT, Role.SYSTEM),
    "BARGED": (LegEnd.AGENT_DISCONNECT, Role.AGENT),
    "OTHER": (LegEnd.UNKNOWN, None),
}
"""DisconnectReason -> (how the leg ended, who hung up)."""

KEPT_FIELDS = (
    "ContactId",
    "InitialContactId",
    "PreviousContactId",
    "NextContactId",
    "Channel",
    "InitiationMethod",
    "InitiationTimestamp",
    "ConnectedToSystemTimestamp",
    "DisconnectTimestamp",
    "LastUpdateTimestamp",
    "DisconnectReason",
    "TransferCompletedTimestamp",
    "TransferredToEndpoint",
    "Agent",
    "Queue",
    "CustomerEndpoint",
    "Attributes",
    "Recording",
    "Recordings",
)
"""Contact record fields the reader uses; the rest is dropped while the file is read."""
LINK_FIELDS = ("InitialContactId", "PreviousContactId", "NextContactId")
"""Fields that link a contact record to the others of its chain."""

_CUSTOMER_ID_ATTRIBUTES = ("customer_id", "CustomerId", "customerId", "CustomerID", "customer_number")
_WARM_ATTRIBUTES = ("transfer_type", "TransferType", "transferType")
_WARM_FLAG_ATTRIBUTES = ("warm_transfer", "WarmTransfer", "warmTransfer")


@dataclass(frozen=True)
class RawRecord(ScannedValue):
    """One top-level JSON value of a CTR file: its 1-based position, first line and value."""

    @property
    def locator(self) -> str:
        """Where a person finds the record: ``record 3 (ContactId=abc)``."""
        contact_id = self.value.get("ContactId") if isinstance(self.value, dict) else None
        suffix = f" (ContactId={contact_id})" if isinstance(contact_id, str) and contact_id else ""
        return f"record {self.number}{suffix}"


def sniff(head: str, path: Path) -> float:
    """Confidence that ``head`` starts a file of Connect contact records."""
    if '"ContactId"' not in head:
        return 0.0
    keys = ("InitiationMethod", "InitiationTimestamp", "DisconnectTimestamp", "InitialContactId")
    hits = sum(f'"{key}"' in head for key in keys)
    if hits >= 2:
        return 0.95
    return 0.5 if hits == 1 else 0.1


def read(path: Path) -> Iterator[ReadResult]:
    """Yield one conversation per contact chain, plus quarantine entries and dropped duplicates.

    Records are streamed and kept compact (``KEPT_FIELDS``) until the whole file is read;
    files above ``MAX_DOCUMENT_BYTES`` are refused. Bytes that do not decode cost only the
    record holding them (``BAD_ENCODING``); the records before and after it are still used.
    """
    encoding = _checked_encoding(path)
    if isinstance(encoding, Quarantined):
        yield encoding
        return
    latest: dict[str, RawRecord] = {}
    try:
        for scanned in scan_values(text_chunks(path, encoding, mark_bad_bytes=True), path):
            if isinstance(scanned, Quarantined):
                yield scanned
                continue
            item = RawRecord(scanned.number, scanned.line, scanned.value)
            problem = _record_problem(item, path)
            if problem is not None:
                yield problem
                continue
            item = RawRecord(item.number, item.line, compact_record(item.value))
            contact_id = item.value["ContactId"]
            kept = latest.get(contact_id)
            if kept is None:
                latest[contact_id] = item
                continue
            newer, older = (item, kept) if _updated(item) >= _updated(kept) else (kept, item)
            latest[contact_id] = newer
            yield DuplicateRecord(str(path), older.locator, newer.locator)
    except UnreadableError as problem:
        yield problem.quarantined
    for chain in contact_chains(list(latest.values())):
        yield conversation_from_chain(chain, path)


def compact_record(record: dict[str, Any]) -> dict[str, Any]:
    """Only the fields this reader uses, so that a big file's records fit in memory.

    Links to other contacts are kept only when they are non-empty strings.
    """
    kept = {key: record[key] for key in KEPT_FIELDS if key in record}
    for key in LINK_FIELDS:
        if not isinstance(kept.get(key), str) or not kept[key].strip():
            kept.pop(key, None)
    return kept


def _checked_encoding(path: Path) -> Encoding | Quarantined:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return io_error(path, exc)
    if size > MAX_DOCUMENT_BYTES:
        message = (
            f"{path} is {size:,} bytes; contact records are stitched per file and the limit is "
            f"{MAX_DOCUMENT_BYTES:,} bytes (split the export)"
        )
        return Quarantined(str(path), "file", ReasonCode.FILE_TOO_LARGE, message)
    return file_encoding(path)


def _record_problem(item: RawRecord, path: Path) -> Quarantined | None:
    """A quarantine entry if ``item`` is not a contact record with a ``ContactId``."""
    if not isinstance(item.value, dict):
        kind = type(item.value).__name__
        return Quarantined(
            str(path),
            item.locator,
            ReasonCode.INVALID_RECORD,
            f"{item.locator} is a JSON {kind}, not a contact record object",
            excerpt(json.dumps(item.value, default=str)),
        )
    contact_id = item.value.get("ContactId")
    if not isinstance(contact_id, str) or not contact_id.strip():
        return Quarantined(
            str(path),
            item.locator,
            ReasonCode.MISSING_FIELD,
            f"{item.locator} has no ContactId; contact records are keyed on it",
            excerpt(json.dumps(item.value, default=str)),
        )
    return None


def _updated(item: RawRecord) -> datetime:
    return parse_timestamp(item.value.get("LastUpdateTimestamp")) or datetime.min.replace(tzinfo=UTC)


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or epoch seconds/milliseconds; None if absent/bad."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(value, str) and value.strip():
            parsed = datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def contact_chains(records: list[RawRecord]) -> list[list[RawRecord]]:
    """Group records linked by Initial/Previous/NextContactId; each group in chain order.

    Order follows ``PreviousContactId``/``NextContactId`` links from the record with no
    predecessor in the group; ties and unlinked records fall back to ``InitiationTimestamp``
    and then file order. Groups come out in the file order of their first record.
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for item in records:
        contact_id = item.value["ContactId"]
        find(contact_id)
        for key in LINK_FIELDS:
            linked = item.value.get(key)
            if isinstance(linked, str) and linked:
                parent[find(linked)] = find(contact_id)
    groups: dict[str, list[RawRecord]] = {}
    for item in records:
        groups.setdefault(find(item.value["ContactId"]), []).append(item)
    return [_chain_order(group) for group in groups.values()]


def _chain_order(group: list[RawRecord]) -> list[RawRecord]:
    by_id = {item.value["ContactId"]: item for item in group}
    successor: dict[str, str] = {}
    for item in group:
        previous, following = item.value.get("PreviousContactId"), item.value.get("NextContactId")
        if previous in by_id:
            successor.setdefault(previous, item.value["ContactId"])
        if following in by_id:
            successor.setdefault(item.value["ContactId"], following)
    has_predecessor = set(successor.values())

    def when(item: RawRecord) -> tuple[datetime, int]:
        started = parse_timestamp(item.value.get("InitiationTimestamp"))
        return started or datetime.max.replace(tzinfo=UTC), item.number

    ordered: list[RawRecord] = []
    seen: set[str] = set()
    starts = sorted((item for item in group if item.value["ContactId"] not in has_predecessor), key=when)
    for item in [*starts, *sorted(group, key=when)]:
        contact_id = item.value["ContactId"]
        while contact_id not in seen and contact_id in by_id:
            seen.add(contact_id)
            ordered.append(by_id[contact_id])
            contact_id = successor.get(contact_id, "")
    return ordered


def conversation_from_chain(chain: list[RawRecord], path: Path) -> Conversation | Quarantined:
    """One conversation from the ordered contact records of a chain, or a quarantine entry."""
    locator = ", ".join(item.locator for item in chain)
    try:
        return _build_conversation(chain, path, locator)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
        return Quarantined(
            str(path),
            locator,
            ReasonCode.INVALID_RECORD,
            f"contact records {locator} do not form a valid conversation: {_first_line(exc)}",
            excerpt(json.dumps(chain[0].value, default=str)),
        )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _build_conversation(chain: list[RawRecord], path: Path, locator: str) -> Conversation | Quarantined:
    records = [item.value for item in chain]
    leg_records = [r for r in records if str(r.get("InitiationMethod", "")).upper() not in _SIDE_METHODS]
    if not leg_records:
        methods = sorted({str(r.get("InitiationMethod")) for r in records})
        return Quarantined(
            str(path),
            locator,
            ReasonCode.INVALID_RECORD,
            f"{locator}: only {'/'.join(methods)} contacts, no customer conversation to review",
        )
    channel_name = next((str(r["Channel"]).upper() for r in leg_records if r.get("Channel")), None)
    channel = _CHANNELS.get(channel_name or "")
    if channel is None:
        reason = ReasonCode.MISSING_FIELD if channel_name is None else ReasonCode.INVALID_RECORD
        detail = "no Channel" if channel_name is None else f"Channel {channel_name} (only VOICE and CHAT)"
        return Quarantined(str(path), locator, reason, f"{locator}: {detail}; cannot tell call from chat")
    origin = _origin(records)
    legs = [_leg(index, record, channel, origin) for index, record in enumerate(leg_records)]
    _mark_transfers(legs, leg_records)
    events = _events(legs, leg_records, origin)
    contact_ids = [r["ContactId"] for r in records]
    linked = {
        r.get(key) for r in records for key in LINK_FIELDS if isinstance(r.get(key), str) and r.get(key)
    }
    initial = next(
        (r["InitialContactId"] for r in records if isinstance(r.get("InitialContactId"), str)),
        leg_records[0]["ContactId"],
    )
    ends = [t for t in (parse_timestamp(r.get("DisconnectTimestamp")) for r in records) if t]
    return Conversation(
        id=initial,
        channel=channel,
        customer_id=_customer_id(records),
        started_at=origin,
        ended_at=max(ends) if ends else None,
        source_file=str(path),
        source_format=NAME,
        source_record=locator,
        legs=legs,
        turns=[],
        events=events,
        extra={
            "contact_ids": contact_ids,
            NAME: {
                "missing_contact_ids": sorted(linked - set(contact_ids)),
                "side_contacts": [
                    {"ContactId": r["ContactId"], "InitiationMethod": r.get("InitiationMethod")}
                    for r in records
                    if r not in leg_records
                ],
                "attributes": _attributes(leg_records[-1]),
            },
        },
    )


def _origin(records: list[dict[str, Any]]) -> datetime | None:
    known = [t for t in (parse_timestamp(r.get("InitiationTimestamp")) for r in records) if t]
    return min(known) if known else None


def _offset(value: Any, origin: datetime | None) -> int | None:
    moment = parse_timestamp(value)
    if moment is None or origin is None:
        return None
    return max(0, round((moment - origin).total_seconds() * 1000))


def _seconds_ms(value: Any) -> int | None:
    return finite_ms(value, 1000)


def _section(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _attributes(record: dict[str, Any]) -> dict[str, Any]:
    return _section(record, "Attributes")


def _name(value: Any) -> str | None:
    """A display name from a string or a ``{"Name": ...}`` object (RoutingProfile, Queue)."""
    if isinstance(value, dict):
        value = value.get("Name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def agent_id(agent: dict[str, Any]) -> str | None:
    """``Agent.Username``, else the last path segment of ``Agent.ARN``."""
    username = agent.get("Username")
    if isinstance(username, str) and username.strip():
        return username.strip()
    arn = agent.get("ARN")
    if isinstance(arn, str) and arn.strip():
        return arn.strip().rstrip("/").rsplit("/", 1)[-1]
    return None


def _leg(index: int, record: dict[str, Any], channel: Channel, origin: datetime | None) -> Leg:
    agent = _section(record, "Agent")
    queue = _section(record, "Queue")
    method = str(record.get("InitiationMethod") or "").upper()
    if method == "API":
        started = LegStart.INBOUND if channel is Channel.CHAT else LegStart.OUTBOUND
    else:
        started = _STARTS.get(method, LegStart.INBOUND)
    reason = str(record.get("DisconnectReason") or "").upper()
    ended = _DISCONNECTS.get(reason, (LegEnd.UNKNOWN, None))[0]
    identity = agent_id(agent) if agent else None
    groups = hierarchy(agent)
    return Leg(
        index=index,
        participant_role=Role.AGENT if identity else Role.IVR,
        agent_id=identity,
        department=_name(queue) or (groups[0] if groups else None),
        team=groups[-1] if groups else None,
        queue=_name(queue),
        started_via=started,
        ended_via=ended,
        start_ms=_offset(record.get("InitiationTimestamp"), origin),
        end_ms=_offset(record.get("DisconnectTimestamp"), origin),
        extra={
            NAME: {
                "ContactId": record["ContactId"],
                "InitiationMethod": record.get("InitiationMethod"),
                "DisconnectReason": record.get("DisconnectReason"),
                "RoutingProfile": _name(agent.get("RoutingProfile")),
                "AgentInteractionDuration": agent.get("AgentInteractionDuration"),
                "AfterContactWorkDuration": agent.get("AfterContactWorkDuration"),
                "ConnectedToAgentTimestamp": agent.get("ConnectedToAgentTimestamp"),
                "Recordings": _recordings(record),
                "HierarchyGroups": groups,
            }
        },
    )


def _recordings(record: dict[str, Any]) -> list[str]:
    """Locations of the contact's recordings (``Recordings[].Location``, else ``Recording.Location``)."""
    listed = record.get("Recordings")
    items = listed if isinstance(listed, list) else [record.get("Recording")]
    return [
        item["Location"] for item in items if isinstance(item, dict) and isinstance(item.get("Location"), str)
    ]


def _transferred(record: dict[str, Any]) -> bool:
    return bool(record.get("TransferCompletedTimestamp") or record.get("TransferredToEndpoint"))


def _continues_elsewhere(record: dict[str, Any]) -> bool:
    """A ``NextContactId`` whose record is not here, and the customer did not hang up.

    The next record of a transfer is often in another file (another Firehose delivery):
    the leg ended in a transfer, not a disconnect. A customer who hung up and was called
    back later also gets a ``NextContactId``; that stays a disconnect.
    """
    reason = str(record.get("DisconnectReason") or "").upper()
    return bool(record.get("NextContactId")) and reason != "CUSTOMER_DISCONNECT"


def hierarchy(agent: dict[str, Any]) -> list[str]:
    """``Agent.HierarchyGroups`` group names, top level (``Level1``) first; empty levels skipped."""
    groups = agent.get("HierarchyGroups")
    if not isinstance(groups, dict):
        return []
    levels = (groups.get(f"Level{level}") for level in range(1, 6))
    names = (_name({"Name": level.get("GroupName")}) for level in levels if isinstance(level, dict))
    return [name for name in names if name]


def _mark_transfers(legs: list[Leg], records: list[dict[str, Any]]) -> None:
    """A leg followed by a (queue) transfer leg, or with transfer fields, ended by transfer."""
    for index, (leg, record) in enumerate(zip(legs, records, strict=True)):
        following = legs[index + 1] if index + 1 < len(legs) else None
        by_link = following is not None and following.started_via in (
            LegStart.TRANSFER,
            LegStart.QUEUE_TRANSFER,
        )
        elsewhere = following is None and _continues_elsewhere(record)
        if by_link or _transferred(record) or elsewhere:
            leg.ended_via = LegEnd.TRANSFERRED


def _warm(record: dict[str, Any]) -> bool | None:
    """Whether the transfer that created ``record``'s contact was warm, if an attribute says so.

    Reads ``transfer_type`` (warm/cold) or a ``warm_transfer`` flag from the contact
    attributes of the contact the transfer created; None when they do not say.
    """
    attributes = _attributes(record)
    for key in _WARM_ATTRIBUTES:
        kind = str(attributes.get(key, "")).strip().lower()
        if kind in ("warm", "cold"):
            return kind == "warm"
    for key in _WARM_FLAG_ATTRIBUTES:
        flag = str(attributes.get(key, "")).strip().lower()
        if flag in ("true", "yes", "1", "false", "no", "0"):
            return flag in ("true", "yes", "1")
    return None


MAX_HOLDS = 1000
"""More holds than this in one contact is a damaged count: it is kept in ``extra``, not expanded."""


def _hold_events(leg: Leg, agent: dict[str, Any]) -> list[Event]:
    """One ``hold_start`` per hold, from the per-contact totals (no timestamps in CTRs).

    The total is ``CustomerHoldDuration`` (``HoldDuration`` in some exports). The longest
    hold gets ``LongestHoldDuration``; with two holds the other is the rest of the total;
    with more, the rest is split evenly and marked ``duration_estimated``.
    """
    total = _seconds_ms(agent.get("CustomerHoldDuration", agent.get("HoldDuration")))
    count = agent.get("NumberOfHolds")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_HOLDS:
        count = 1 if total else 0
    if count == 0:
        return []
    longest = _seconds_ms(agent.get("LongestHoldDuration"))
    if count == 1:
        durations: list[tuple[int | None, bool]] = [(total if total is not None else longest, False)]
    elif longest is not None and total is not None:
        rest = max(0, total - longest)
        share = round(rest / (count - 1))
        durations = [(longest, False)] + [(share, count > 2)] * (count - 1)
    else:
        durations = [(None, False)] * count
    summary = {"HoldDurationMillis": total, "NumberOfHolds": agent.get("NumberOfHolds")}
    return [
        Event(
            type=EventType.HOLD_START,
            duration_ms=duration,
            leg=leg.index,
            extra={NAME: {**summary, "duration_estimated": estimated}},
        )
        for duration, estimated in durations
    ]


def _events(legs: list[Leg], records: list[dict[str, Any]], origin: datetime | None) -> list[Event]:
    events: list[Event] = []
    for index, (leg, record) in enumerate(zip(legs, records, strict=True)):
        queue = _section(record, "Queue")
        if queue:
            enqueued, dequeued = queue.get("EnqueueTimestamp"), queue.get("DequeueTimestamp")
            wait = _seconds_ms(queue.get("Duration"))
            if wait is None:
                start, end = _offset(enqueued, origin), _offset(dequeued, origin)
                wait = end - start if start is not None and end is not None and end >= start else None
            events.append(
                Event(
                    type=EventType.QUEUE_WAIT,
                    at_ms=_offset(enqueued, origin),
                    duration_ms=wait,
                    leg=index,
                    to_department=leg.department,
                    reason=_name(queue),
                )
            )
        events.extend(_hold_events(leg, _section(record, "Agent")))
        following = legs[index + 1] if index + 1 < len(legs) else None
        if leg.ended_via is LegEnd.TRANSFERRED:
            events.append(_transfer(leg, following, record, records, index, origin))
        else:
            events.append(_disconnect(leg, record, origin))
    return events


def _transfer(
    leg: Leg,
    following: Leg | None,
    record: dict[str, Any],
    records: list[dict[str, Any]],
    index: int,
    origin: datetime | None,
) -> Event:
    next_record = records[index + 1] if following is not None else {}
    at = _offset(record.get("TransferCompletedTimestamp"), origin)
    if at is None and following is not None:
        at = following.start_ms
    endpoint = _section(record, "TransferredToEndpoint")
    return Event(
        type=EventType.TRANSFER,
        at_ms=at,
        leg=leg.index,
        from_leg=leg.index,
        to_leg=following.index if following else None,
        from_department=leg.department,
        to_department=following.department if following else None,
        from_agent=leg.agent_id,
        to_agent=following.agent_id if following else None,
        warm=_warm(next_record) if following is not None else None,
        reason=str(following.started_via) if following else "transferred out of this file's records",
        extra={NAME: {"TransferredToEndpoint": endpoint}} if endpoint else {},
    )


def _disconnect(leg: Leg, record: dict[str, Any], origin: datetime | None) -> Event:
    reason = str(record.get("DisconnectReason") or "").upper()
    by = _DISCONNECTS.get(reason, (LegEnd.UNKNOWN, None))[1]
    return Event(
        type=EventType.DISCONNECT,
        at_ms=_offset(record.get("DisconnectTimestamp"), origin),
        leg=leg.index,
        by=by,
        reason=reason or None,
    )


def _customer_id(records: list[dict[str, Any]]) -> str | None:
    for record in records:
        attributes = _attributes(record)
        for key in _CUSTOMER_ID_ATTRIBUTES:
            value = attributes.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    for record in records:
        address = _section(record, "CustomerEndpoint").get("Address")
        if isinstance(address, str) and address.strip():
            return address.strip()
    return None


READER = register(
    Reader(
        name=NAME,
        description="Amazon Connect contact records (JSON array, JSON Lines or concatenated objects)",
        sniff=sniff,
        read=read,
        extensions=(".json", ".jsonl", ".ndjson"),
        tie_rank=2,
    )
)
