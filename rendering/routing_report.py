"""The routing-failure report for operations: where the contact centre, not the agent, failed.

Tables: transfer matrix (warm and cold), how customers reached each department (direct, warm or
cold transfer, bot hand-off, callback), ping-pong routes, longest chains across a journey's contacts,
journeys with repeat contacts, disconnects by who hung up, re-explanations by route and by
department, long holds without a callback offer, and systemic issues (contact reasons that
spiked). Every table is a :class:`Table` (exported to CSV as is), every line carries example
conversations, and headline numbers come with the previous period of equal length. Which
journeys, bounces, waits and re-explanations count is decided in ``nlp/`` (``journey_routes``,
``long_waits``, ``operations``); this module counts and formats them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from nlp.journey_routes import (
    ROUTED_ROLES,
    Bounce,
    Chain,
    ReexplanationRoute,
    bounces,
    journey_bounce_path,
    journey_label,
    journey_stops,
    longest_chains,
    reexplanation_routes,
    reexplanations,
    repeat_journeys,
)
from nlp.long_waits import long_waits
from nlp.operations import UNKNOWN
from nlp.routing_cost import Handoff, JourneyContacts, RoutingCost, contact_durations, routing_cost
from rendering.contact_reasons import SystemicIssues, find_systemic_issues
from rendering.periods import Period
from rendering.redact import Redactor
from rendering.settings import Settings
from rendering.store_queries import (
    HandoffRow,
    JourneyRow,
    Snapshot,
    load_journeys,
    load_snapshot,
)
from rendering.tables import Column, Table


@dataclass(frozen=True)
class TransferMatrix:
    """Internal transfers department x department: counts, totals, shares, warm and cold.

    ``cold`` counts transfers without a warm hand-over, ``warm`` those with one; the rest are
    transfers whose warmth nobody could tell.
    """

    departments: list[str]
    counts: dict[tuple[str, str], int]
    examples: dict[tuple[str, str], list[str]]
    cold: dict[tuple[str, str], int] = field(default_factory=dict)
    warm: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All transfers."""
        return sum(self.counts.values())

    def count(self, source: str, target: str) -> int:
        """Transfers from ``source`` to ``target``."""
        return self.counts.get((source, target), 0)

    def cold_count(self, source: str, target: str) -> int:
        """Cold transfers (no warm hand-over) from ``source`` to ``target``."""
        return self.cold.get((source, target), 0)

    def warm_count(self, source: str, target: str) -> int:
        """Warm transfers from ``source`` to ``target``."""
        return self.warm.get((source, target), 0)

    @property
    def cold_total(self) -> int:
        """All cold transfers."""
        return sum(self.cold.values())

    def share(self, source: str, target: str) -> float:
        """That count as a share of all transfers."""
        return self.count(source, target) / self.total if self.total else 0.0

    def row_total(self, source: str) -> int:
        """Transfers out of ``source``."""
        return sum(n for (s, _), n in self.counts.items() if s == source)

    def column_total(self, target: str) -> int:
        """Transfers into ``target``."""
        return sum(n for (_, t), n in self.counts.items() if t == target)


@dataclass(frozen=True)
class Headline:
    """A headline number now and in the previous period of equal length."""

    key: str
    label: str
    value: float
    previous: float | None
    unit: str = ""  # "" for counts, "%" for shares
    lower_is_better: bool | None = True  # None: neither direction is good or bad

    @property
    def change(self) -> float | None:
        """Value - previous."""
        return None if self.previous is None else self.value - self.previous

    @property
    def direction(self) -> str:
        """``better``, ``worse`` or ``same`` relative to the previous period (``none`` without one)."""
        if self.change is None:
            return "none"
        if abs(self.change) < 1e-9 or self.lower_is_better is None:
            return "same"
        return "better" if (self.change < 0) == self.lower_is_better else "worse"


@dataclass
class RoutingReport:
    """Everything on the routing-failure report."""

    period: Period
    previous_period: Period
    rubric_version: str | None
    headlines: list[Headline]
    matrix: TransferMatrix
    tables: dict[str, Table]
    systemic: SystemicIssues
    settings: Settings
    cost: RoutingCost

    @property
    def conversation_ids(self) -> set[str]:
        """Every conversation the report links to."""
        ids = {c for ex in self.matrix.examples.values() for c in ex}
        for table in self.tables.values():
            ids.update(c for ex in table.examples for c in ex)
        return ids


def transfer_matrix(found: Sequence[HandoffRow], examples_per_cell: int) -> TransferMatrix:
    """Internal transfers (the stored hand-offs) by (from department, to department)."""
    counts: Counter[tuple[str, str]] = Counter()
    cold: Counter[tuple[str, str]] = Counter()
    warm: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for h in found:
        if not h.internal:
            continue
        pair = (h.from_department, h.to_department)
        counts[pair] += 1
        cold[pair] += h.how == "cold"
        warm[pair] += h.how == "warm"
        if h.conversation_id not in examples[pair] and len(examples[pair]) < examples_per_cell:
            examples[pair].append(h.conversation_id)
    departments = sorted({d for pair in counts for d in pair}, key=lambda d: (d == UNKNOWN, d.lower()))
    return TransferMatrix(departments, dict(counts), dict(examples), dict(cold), dict(warm))


ENTRY_ROUTES = {
    "inbound": "direct",
    "outbound": "we called them",
    "warm": "warm transfer",
    "cold": "cold transfer",
    "bot_handoff": "handed over by the bot",
    "callback": "callback",
}


def entry_routes(snapshot: Snapshot) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """How each agent leg began, by (department, route key of :data:`ENTRY_ROUTES`): (conversation, leg)s."""
    routes: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for leg in snapshot.leg_routes:
        if leg.participant_role in ROUTED_ROLES:
            routes[(leg.department, leg.entry_route)].append((leg.conversation_id, leg.leg))
    return routes


def _route_name(a: str, b: str) -> str:
    first, second = sorted((a, b), key=str.lower)
    return f"{first} ⇄ {second}"


def build_report(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    rubric_version: str | None,
    *,
    settings: Settings,
    redactor: Redactor | None = None,
) -> RoutingReport:
    """Compute every table for ``period`` and the headline numbers for it and the period before.

    The rows of both periods are loaded once and let go before the contact reasons are derived.
    The report is the system's side: it reads no criterion scores and only the system's findings
    (re-explanations, ping-pong), most of a period's rows left unloaded.
    """
    previous_period = period.previous()
    span = Period(previous_period.start, period.end)
    rows = load_snapshot(con, span, rubric_version, scores=False, finding_attribution="system")
    current = _compute(con, period, settings, rows)
    previous = _compute(con, previous_period, settings, rows, with_examples=False)
    del rows  # not held while the contact reasons are derived
    has_previous = previous.contacts > 0
    headlines = [
        Headline(
            key, label, current.metrics[key], previous.metrics[key] if has_previous else None, unit, lower
        )
        for key, label, unit, lower in _HEADLINES
    ]
    systemic = find_systemic_issues(con, period, settings.systemic, redactor)
    tables = current.tables
    tables["systemic_issues"] = systemic.table()
    return RoutingReport(
        period=period,
        previous_period=previous_period,
        rubric_version=rubric_version,
        headlines=headlines,
        matrix=current.matrix,
        tables=tables,
        systemic=systemic,
        settings=settings,
        cost=current.cost,
    )


_HEADLINES = [
    ("contacts", "Contacts", "", None),
    ("transfers", "Transfers", "", True),
    ("cold_transfers", "Cold transfers (no hand-over)", "", True),
    ("transfer_rate", "Transfers per contact", "", True),
    ("referrals", "Referrals elsewhere (process)", "", True),
    ("channel_moves", "Moves to another channel (process)", "", True),
    ("ping_pong", "Ping-pong bounces", "", True),
    ("repeat_journeys", "Journeys with repeat contacts", "", True),
    ("reexplanations", "Times customers re-explained", "", True),
    ("system_drops", "Calls dropped by the system", "", True),
    ("long_holds_no_callback", "Long waits without a callback offer", "", True),
    ("customer_minutes_lost", "Customer minutes lost to routing", "", True),
]


@dataclass
class _Computed:
    contacts: int
    metrics: dict[str, float]
    matrix: TransferMatrix
    tables: dict[str, Table]
    cost: RoutingCost


def _compute(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: Settings,
    rows: Snapshot,
    with_examples: bool = True,
) -> _Computed:
    cfg = settings.routing
    n_examples = cfg.examples_per_line if with_examples else 0
    snapshot = rows.within(period)
    journeys = load_journeys(con, period)
    stops = journey_stops(journeys, snapshot.conversations, snapshot.leg_routes)
    found = snapshot.handoffs
    matrix = transfer_matrix(found, n_examples)
    reexplain = reexplanations(snapshot.findings, cfg.reexplanation_criteria)

    tables: dict[str, Table] = {}
    tables["transfer_matrix"] = _matrix_table(matrix)
    tables["handoffs_by_department"] = _handoffs_table(found, n_examples)
    tables["entry_routes"] = _entry_routes_table(snapshot, reexplain, n_examples)
    ping_pong, bounced = _ping_pong_table(bounces(snapshot.findings, stops, snapshot.leg_routes), n_examples)
    tables["ping_pong"] = ping_pong
    tables["longest_chains"] = _chains_table(longest_chains(stops, reexplain, cfg.longest_chains), n_examples)
    repeat_table = _repeat_journeys_table(journeys, snapshot, n_examples)
    tables["repeat_journeys"] = repeat_table
    disconnects = _disconnects_table(snapshot, n_examples)
    tables["disconnects"] = disconnects
    by_route, by_department = _reexplanation_tables(
        reexplanation_routes(reexplain, snapshot.leg_routes, UNKNOWN), n_examples
    )
    tables["reexplanations_by_route"] = by_route
    tables["reexplanations_by_department"] = by_department
    holds_table, holds_with_offer = _long_holds_table(snapshot, settings, n_examples)
    tables["long_holds"] = holds_table
    cost = _routing_cost(snapshot, found, journeys, n_examples)
    tables["routing_cost"] = _cost_table(cost)

    contacts = len(snapshot.conversations)
    metrics = {
        "contacts": float(contacts),
        "transfers": float(matrix.total),
        "cold_transfers": float(matrix.cold_total),
        "transfer_rate": round(matrix.total / contacts, 2) if contacts else 0.0,
        "referrals": float(sum(h.how == "referral" for h in found)),
        "channel_moves": float(sum(h.how == "channel_move" for h in found)),
        "customer_minutes_lost": round(cost.total_ms / 60000, 1),
        "repeat_contacts": float(cost.repeat_contacts),
        "ping_pong": float(bounced),
        "repeat_journeys": float(len(repeat_table.rows)),
        "reexplanations": float(len(reexplain)),
        "system_drops": float(sum(r["disconnects"] for r in disconnects.rows if r["ended_by"] == "system")),
        "long_holds_no_callback": float(len(holds_table.rows)),
    }
    metrics["long_holds_with_callback"] = float(holds_with_offer)
    return _Computed(contacts, metrics, matrix, tables, cost)


def _matrix_table(matrix: TransferMatrix) -> Table:
    table = Table(
        "transfer_matrix",
        "Transfers between departments",
        "Every internal transfer the transfer scorer found in the period (recorded or said), from the "
        "department that sent the customer to the one that received them.",
        [
            Column("from_department", "From"),
            Column("to_department", "To"),
            Column("transfers", "Transfers", True),
            Column("share", "Share of all transfers", True),
            Column("cold", "Cold (no hand-over)", True),
            Column("warm", "Warm", True),
            Column("unknown", "Warmth unknown", True),
        ],
    )
    for (source, target), n in sorted(matrix.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        cold = matrix.cold_count(source, target)
        table.add(
            {
                "from_department": source,
                "to_department": target,
                "transfers": n,
                "share": round(n / matrix.total, 4),
                "cold": cold,
                "warm": matrix.warm_count(source, target),
                "unknown": n - cold - matrix.warm_count(source, target),
            },
            matrix.examples.get((source, target), []),
        )
    return table


_HANDOFF_COLUMNS = [
    ("warm", "Warm transfers"),
    ("cold", "Cold transfers"),
    ("unknown", "Transfers (warmth unknown)"),
    ("referral", "Referrals elsewhere"),
    ("channel_move", "Channel moves"),
]


def _handoffs_table(found: Sequence[HandoffRow], n_examples: int) -> Table:
    table = Table(
        "handoffs_by_department",
        "Hand-offs by department",
        "Every hand-off the transfer scorer found, by the department that handed the customer on: "
        "internal transfers (warm, cold, or warmth unknown), referrals to someone outside the company "
        "(a bank, a manufacturer, a store) and moves to another channel (DM, phone, web form, e-mail). "
        "Referrals and channel moves are the process's, not the agent's.",
        [
            Column("department", "Department"),
            *(Column(key, label, True) for key, label in _HANDOFF_COLUMNS),
            Column("total", "All hand-offs", True),
        ],
    )
    by_department: dict[str, list[HandoffRow]] = defaultdict(list)
    for h in found:
        by_department[h.from_department].append(h)
    for department, rows in sorted(
        by_department.items(), key=lambda kv: (-len(kv[1]), kv[0] == UNKNOWN, kv[0].lower())
    ):
        counts = Counter(h.how for h in rows)
        ids = list(dict.fromkeys(h.conversation_id for h in rows))
        table.add(
            {"department": department, **{k: counts[k] for k, _ in _HANDOFF_COLUMNS}, "total": len(rows)},
            ids[:n_examples] if n_examples else [],
        )
    return table


def _routing_cost(
    snapshot: Snapshot, found: Sequence[HandoffRow], journeys: Sequence[JourneyRow], n_examples: int
) -> RoutingCost:
    """:func:`nlp.routing_cost.routing_cost` on the period's rows."""
    return routing_cost(
        [Handoff(h.conversation_id, h.route, h.from_leg, h.to_leg) for h in found],
        snapshot.events,
        snapshot.legs_by_conversation,
        [JourneyContacts(j.journey_id, j.conversation_ids, j.continuation_flags) for j in journeys],
        contact_durations(snapshot.conversations),
        set(snapshot.by_id),
        n_examples,
    )


def _cost_table(cost: RoutingCost) -> Table:
    table = Table(
        "routing_cost",
        "What routing failures cost customers — by route",
        "For each hand-off route: how many hand-offs took it, the customer minutes spent waiting to be "
        "picked up after them (queue waits on the receiving leg, else the gap between the two legs), and "
        "the repeat contacts that followed — each repeat contact is charged to the last hand-off before it "
        "in the same journey — with their minutes. Extra contacts per hand-off: repeat contacts over "
        "hand-offs.",
        [
            Column("route", "Route", wide=True),
            Column("handoffs", "Hand-offs", True),
            Column("handoff_minutes", "Minutes waiting after hand-off", True),
            Column("repeat_contacts", "Repeat contacts after", True),
            Column("repeat_minutes", "Minutes in repeat contacts", True),
            Column("extra_per_handoff", "Extra contacts per hand-off", True),
        ],
    )
    for r in cost.routes:
        table.add(
            {
                "route": r.route,
                "handoffs": r.handoffs,
                "handoff_minutes": round(r.handoff_ms / 60000, 1),
                "repeat_contacts": r.repeat_contacts,
                "repeat_minutes": round(r.repeat_ms / 60000, 1),
                "extra_per_handoff": r.extra_per_handoff,
            },
            r.examples,
        )
    return table


def _entry_routes_table(snapshot: Snapshot, reexplain: Sequence[Any], n_examples: int) -> Table:
    table = Table(
        "entry_routes",
        "How customers reached each department",
        "Every conversation leg with a person, by how it began: directly, by a warm transfer (introduced "
        "while the customer was on the line), a cold transfer (sent back into a queue with no hand-over), "
        "handed over by the bot, or a callback. Re-explained: legs where the customer had to explain again.",
        [
            Column("department", "Department"),
            Column("reached_via", "Reached via"),
            Column("legs", "Legs", True),
            Column("share", "Share of the department's legs", True),
            Column("reexplained", "Re-explained", True),
            Column("route", "Route key", hidden=True),
        ],
    )
    found = entry_routes(snapshot)
    per_department: Counter[str] = Counter()
    for (department, _), legs in found.items():
        per_department[department] += len(legs)
    explained = {(f.conversation_id, f.leg) for f in reexplain if f.leg is not None}
    order = list(ENTRY_ROUTES)
    for (department, route), legs in sorted(
        found.items(), key=lambda kv: (kv[0][0] == UNKNOWN, kv[0][0].lower(), order.index(kv[0][1]))
    ):
        again = [leg for leg in legs if leg in explained]
        ids = list(dict.fromkeys(c for c, _ in again + legs))
        table.add(
            {
                "department": department,
                "reached_via": ENTRY_ROUTES[route],
                "legs": len(legs),
                "share": round(len(legs) / per_department[department], 4),
                "reexplained": len(again),
                "route": route,
            },
            ids[:n_examples] if n_examples else [],
        )
    return table


def _ping_pong_table(bounces: Sequence[Bounce], n_examples: int) -> tuple[Table, int]:
    table = Table(
        "ping_pong",
        "Ping-pong routes",
        "Customers sent from one department to another and back again (A → B → A), within a contact or "
        "across the contacts of one journey, as the transfer scorer found them.",
        [
            Column("route", "Route"),
            Column("bounces", "Bounces", True),
            Column("journeys", "Journeys", True),
            Column("longest_path", "Longest path seen", wide=True),
        ],
    )
    per_route: dict[str, dict[str, Any]] = {}
    by_journey: dict[str, list[Bounce]] = defaultdict(list)
    for bounce in bounces:
        by_journey[bounce.journey_id].append(bounce)
    for bounce in bounces:
        a, b, _ = bounce.path
        route = per_route.setdefault(
            _route_name(a, b), {"bounces": 0, "journeys": set(), "path": [], "examples": []}
        )
        route["bounces"] += 1
        route["journeys"].add(bounce.journey_id)
        path = journey_bounce_path(by_journey[bounce.journey_id])
        if len(path) > len(route["path"]):
            route["path"] = path
        for c in bounce.conversation_ids:
            if c not in route["examples"] and len(route["examples"]) < n_examples:
                route["examples"].append(c)
    for name, r in sorted(per_route.items(), key=lambda kv: (-kv[1]["bounces"], kv[0])):
        table.add(
            {
                "route": name,
                "bounces": r["bounces"],
                "journeys": len(r["journeys"]),
                "longest_path": " → ".join(r["path"]),
            },
            r["examples"],
        )
    return table, len(bounces)


def _chains_table(chains: Sequence[Chain], n_examples: int) -> Table:
    table = Table(
        "longest_chains",
        "Longest chains",
        "Journeys (all of a customer's contacts in the window) with the most hand-offs between people.",
        [
            Column("journey", "Journey"),
            Column("contacts", "Contacts", True),
            Column("legs", "People", True),
            Column("handoffs", "Hand-offs", True),
            Column("departments", "Path", wide=True),
            Column("reexplanations", "Re-explained", True),
            Column("dropped", "Dropped", True),
            Column("journey_id", "Journey id", hidden=True),
        ],
    )
    for chain in chains:
        table.add(
            {
                "journey": journey_label(chain.conversation_ids),
                "contacts": len(chain.conversation_ids),
                "legs": len(chain.legs),
                "handoffs": chain.handoffs,
                "departments": " → ".join(chain.path),
                "reexplanations": chain.reexplanations,
                "dropped": chain.dropped,
                "journey_id": chain.journey_id,
            },
            chain.linked_conversations[:n_examples] if n_examples else [],
        )
    return table


def _repeat_journeys_table(journeys: Sequence[JourneyRow], snapshot: Snapshot, n_examples: int) -> Table:
    table = Table(
        "repeat_journeys",
        "Journeys with repeat contacts",
        "Customers who had to come back within the window. Continuations (a new contact starting less than "
        "the continuation gap after the previous one ended, e.g. a transfer that became a new call) are not "
        "repeats. Journeys marked “may continue” ended near the newest data and may still gain contacts.",
        [
            Column("journey", "Journey"),
            Column("contacts", "Contacts in period", True),
            Column("continuations", "Continuations", True),
            Column("repeats", "Repeat contacts", True),
            Column("first_contact", "First contact"),
            Column("last_contact", "Last contact"),
            Column("right_censored", "May continue"),
            Column("journey_id", "Journey id", hidden=True),
        ],
    )
    for j in repeat_journeys(journeys, snapshot.by_id):
        table.add(
            {
                "journey": journey_label(j.conversation_ids),
                "contacts": len(j.conversation_ids),
                "continuations": j.continuations,
                "repeats": j.repeats,
                "first_contact": min(j.starts).isoformat(sep=" ", timespec="minutes") if j.starts else "",
                "last_contact": max(j.starts).isoformat(sep=" ", timespec="minutes") if j.starts else "",
                "right_censored": "yes" if j.right_censored else "no",
                "journey_id": j.journey_id,
            },
            j.conversation_ids[:n_examples] if n_examples else [],
        )
    return table


def _disconnects_table(snapshot: Snapshot, n_examples: int) -> Table:
    table = Table(
        "disconnects",
        "Disconnects by who hung up",
        "How contacts ended when someone hung up or the line dropped, by the department of the leg "
        "it happened in.",
        [
            Column("ended_by", "Ended by"),
            Column("department", "Department"),
            Column("disconnects", "Disconnects", True),
            Column("share", "Share of all disconnects", True),
        ],
    )
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in snapshot.disconnects:
        found[(d.ended_by, d.department)].append(d.conversation_id)
    total = sum(len(v) for v in found.values())
    for (by, department), ids in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        table.add(
            {
                "ended_by": by,
                "department": department,
                "disconnects": len(ids),
                "share": round(len(ids) / total, 4),
            },
            list(dict.fromkeys(ids))[:n_examples] if n_examples else [],
        )
    return table


def _reexplanation_tables(found: Sequence[ReexplanationRoute], n_examples: int) -> tuple[Table, Table]:
    routes: dict[str, list[str]] = defaultdict(list)
    departments: dict[str, list[str]] = defaultdict(list)
    for r in found:
        if r.origin is None:
            origin = "(first contact)"
        elif r.earlier_contact:
            origin = f"{r.origin} (earlier contact)"
        else:
            origin = r.origin
        routes[f"{origin} → {r.department}"].append(r.conversation_id)
        departments[r.department].append(r.conversation_id)
    by_route = Table(
        "reexplanations_by_route",
        "Where customers had to explain again — by route",
        "Re-explanation findings, by the department the customer came from and the one they had to "
        "explain to.",
        [
            Column("route", "Route"),
            Column("reexplanations", "Re-explanations", True),
            Column("contacts", "Contacts", True),
        ],
    )
    by_department = Table(
        "reexplanations_by_department",
        "Where customers had to explain again — by department",
        "Re-explanation findings by the department the customer had to explain to.",
        [
            Column("department", "Department"),
            Column("reexplanations", "Re-explanations", True),
            Column("contacts", "Contacts", True),
        ],
    )
    for name, ids in sorted(routes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        unique = list(dict.fromkeys(ids))
        by_route.add(
            {"route": name, "reexplanations": len(ids), "contacts": len(unique)},
            unique[:n_examples] if n_examples else [],
        )
    for name, ids in sorted(departments.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        unique = list(dict.fromkeys(ids))
        by_department.add(
            {"department": name, "reexplanations": len(ids), "contacts": len(unique)},
            unique[:n_examples] if n_examples else [],
        )
    return by_route, by_department


def _long_holds_table(snapshot: Snapshot, settings: Settings, n_examples: int) -> tuple[Table, int]:
    cfg = settings.routing
    table = Table(
        "long_holds",
        "Long holds and queue waits without a callback offer",
        f"Holds of at least {cfg.long_hold_seconds / 60:g} minutes and queue waits of at least "
        f"{cfg.long_queue_wait_seconds / 60:g} minutes where nobody offered to call the customer back.",
        [
            Column("conversation", "Conversation"),
            Column("wait", "Wait"),
            Column("department", "Department"),
            Column("agent", "Agent"),
            Column("minutes", "Minutes", True),
            Column("ended_via", "Leg ended"),
        ],
    )
    waits = long_waits(snapshot.waits, cfg.long_hold_seconds, cfg.long_queue_wait_seconds)
    routes = {(leg.conversation_id, leg.leg): leg for leg in snapshot.leg_routes}
    with_offer = 0
    for wait in waits:
        if wait.callback_offered:
            with_offer += 1
            continue
        leg = snapshot.leg(wait.conversation_id, wait.leg)
        route = routes.get((wait.conversation_id, wait.leg))
        table.add(
            {
                "conversation": wait.conversation_id,
                "wait": "on hold" if wait.kind == "hold" else "in queue",
                "department": route.department if route else UNKNOWN,
                "agent": (leg.agent_name or leg.agent_id or "") if leg else "",
                "minutes": round(wait.duration_ms / 60000, 1),
                "ended_via": (leg.ended_via or "").replace("_", " ") if leg else "",
            },
            [wait.conversation_id] if n_examples else [],
        )
    return table, with_offer
