"""The routing-failure report on the synthetic store: every table against numbers known by hand."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from site_checks import parse_page, read_csv, visible_text
from synthetic_store import PERIOD, Story, build_store

from rendering.periods import Period
from rendering.publish import PublishResult, publish
from rendering.redact import Redactor
from rendering.routing_report import RoutingReport
from rendering.store_queries import connection_of
from storage.store import Store

pytestmark = pytest.mark.models  # contact reasons and redaction run spaCy


@pytest.fixture(scope="module")
def report(synthetic_site: PublishResult) -> RoutingReport:
    assert synthetic_site.report is not None
    return synthetic_site.report


def test_transfer_matrix_counts_add_up(report: RoutingReport) -> None:
    m = report.matrix
    assert m.total == 5
    assert m.count("Billing", "Technical Support") == 2
    assert m.count("Technical Support", "Billing") == 2
    assert m.count("Billing", "Sales") == 1
    assert sum(m.row_total(d) for d in m.departments) == m.total
    assert sum(m.column_total(d) for d in m.departments) == m.total
    assert sum(m.share(a, b) for a in m.departments for b in m.departments) == pytest.approx(1.0)
    rows = report.tables["transfer_matrix"].rows
    assert sum(r["transfers"] for r in rows) == m.total


def test_transfer_matrix_tells_cold_transfers_from_warm_ones(report: RoutingReport) -> None:
    m = report.matrix
    assert m.cold_count("Billing", "Technical Support") == 1  # b1 cold, b3 warm
    assert m.cold_count("Technical Support", "Billing") == 2  # b2, b4
    assert m.cold_count("Billing", "Sales") == 0  # w1: Sam brings Tom in
    assert m.cold_total == 3
    for row in report.tables["transfer_matrix"].rows:
        assert row["cold"] + row["warm"] + row["unknown"] == row["transfers"]
        assert row["unknown"] == 0  # every synthetic transfer was recorded warm or cold
    cold = next(h for h in report.headlines if h.key == "cold_transfers")
    assert (cold.value, cold.previous, cold.direction) == (3, 0, "worse")


def test_how_customers_reached_each_department(report: RoutingReport, synthetic_store: Store) -> None:
    table = report.tables["entry_routes"]
    rows = {
        (r["department"], r["reached_via"]): (r, ex) for r, ex in zip(table.rows, table.examples, strict=True)
    }
    sales, examples = rows[("Sales", "warm transfer")]
    assert (sales["legs"], sales["reexplained"], examples) == (1, 0, ["w1"])
    assert rows[("Billing", "handed over by the bot")][1] == ["bot1"]
    assert rows[("Technical Support", "callback")][1] == ["cb1"]
    cold, examples = rows[("Billing", "cold transfer")]
    assert (cold["legs"], cold["reexplained"], set(examples)) == (2, 2, {"b2", "b4"})
    assert rows[("Technical Support", "cold transfer")][1] == ["b1"]
    # every leg with a person in the period, exactly once
    (agent_legs,) = (
        connection_of(synthetic_store)
        .execute(
            "SELECT count(*) FROM legs l JOIN conversations c ON c.id = l.conversation_id "
            "WHERE l.participant_role = 'agent' AND c.started_at >= ? AND c.started_at < ?",
            list(Period(date(2026, 11, 16), date(2026, 11, 22)).bounds()),
        )
        .fetchone()
    )
    assert sum(r["legs"] for r in table.rows) == agent_legs
    for department in {r["department"] for r in table.rows}:
        shares = [r["share"] for r in table.rows if r["department"] == department]
        assert sum(shares) == pytest.approx(1.0, abs=1e-3)


def test_report_page_shows_cold_transfers_and_entry_routes(synthetic_site: PublishResult) -> None:
    assert synthetic_site.report_path is not None
    html = synthetic_site.report_path.read_text(encoding="utf-8")
    assert sum(int(n) for n in re.findall(r'data-cold="(\d+)"', html)) == 3
    page = parse_page(synthetic_site.report_path)
    assert "entry_routes" in page.ids
    assert any(link.endswith("conversations/cb1.html") for link in page.links)
    text = visible_text(synthetic_site.report_path)
    assert "Cold transfers (no hand-over) 3" in text
    assert "handed over by the bot" in text and "callback" in text
    rows = read_csv(synthetic_site.csv_paths["entry_routes"])
    assert {r["reached_via"] for r in rows} >= {"direct", "warm transfer", "cold transfer", "callback"}


def test_bounced_customer_is_a_ping_pong_route_and_the_longest_chain(report: RoutingReport) -> None:
    (route,) = report.tables["ping_pong"].rows
    assert route["route"] == "Billing ⇄ Technical Support"
    assert route["bounces"] == 4 and route["journeys"] == 1
    assert report.tables["ping_pong"].examples[0][0] == "b1"
    chain = report.tables["longest_chains"].rows[0]
    assert (chain["contacts"], chain["legs"], chain["reexplanations"], chain["dropped"]) == (5, 9, 7, 1)
    assert chain["journey"] == "b1 … b5"


def test_repeat_journeys_count_repeats_not_continuations(report: RoutingReport) -> None:
    (journey,) = report.tables["repeat_journeys"].rows
    assert (journey["contacts"], journey["continuations"], journey["repeats"]) == (5, 0, 4)
    assert journey["right_censored"] == "yes"  # its 7-day window runs past the newest data


def test_reexplanations_by_route_and_department(report: RoutingReport) -> None:
    by_department = {
        r["department"]: r["reexplanations"] for r in report.tables["reexplanations_by_department"].rows
    }
    assert by_department == {"Technical Support": 4, "Billing": 3}
    by_route = {r["route"]: r["reexplanations"] for r in report.tables["reexplanations_by_route"].rows}
    assert by_route["Billing → Technical Support"] == 2
    assert by_route["Technical Support → Billing"] == 2
    assert by_route["Technical Support (earlier contact) → Technical Support"] == 2
    assert sum(by_route.values()) == sum(by_department.values())


def test_disconnects_by_who_hung_up(report: RoutingReport) -> None:
    rows = report.tables["disconnects"].rows
    system = [r for r in rows if r["ended_by"] == "system"]
    assert system == [
        {
            "ended_by": "system",
            "department": "Technical Support",
            "disconnects": 1,
            "share": system[0]["share"],
        }
    ]
    assert sum(r["share"] for r in rows) == pytest.approx(1.0, abs=1e-3)


def test_long_holds_without_a_callback_offer(report: RoutingReport) -> None:
    listed = {r["conversation"] for r in report.tables["long_holds"].rows}
    offered = {"bug4", "bug8", "bug12"}  # the agent said "I can call you back"
    assert listed == {f"bug{n}" for n in range(1, 14)} - offered
    assert all(r["minutes"] >= 2 and r["wait"] == "on hold" for r in report.tables["long_holds"].rows)


def test_headlines_compare_with_the_previous_week(report: RoutingReport) -> None:
    headlines = {h.key: h for h in report.headlines}
    assert (
        headlines["contacts"].previous == 7 and headlines["contacts"].direction == "same"
    )  # volume is neutral
    assert headlines["transfers"].value == 5 and headlines["transfers"].previous == 0
    assert headlines["transfers"].direction == "worse"
    assert headlines["ping_pong"].value == 4
    assert headlines["system_drops"].value == 1
    assert headlines["long_holds_no_callback"].value == 10


def test_every_line_links_to_example_conversations(report: RoutingReport) -> None:
    for key, table in report.tables.items():
        assert len(table.examples) == len(table.rows), key
        for row, examples in zip(table.rows, table.examples, strict=True):
            assert examples, f"{key}: {row}"


def test_every_kind_of_hand_off_has_its_own_column(tmp_path: Path, redactor: Redactor) -> None:
    """Referrals and channel moves the scorer found are counted, each apart, never as transfers."""

    def found(stories: dict[str, Story]) -> None:
        stories["k1"].handoff("referral", 0, turn=1)
        stories["k1"].handoff("channel_move", 0, turn=1)
        stories["m1"].handoff("channel_move", 0, turn=1)
        stories["m1"].system_finding(1, "transfers", "transfer", leg=0, detail={"to_department": "sales"})

    with build_store(tmp_path / "handoffs.duckdb", only=["b1", "w1", "k1", "m1"], adjust=found) as store:
        result = publish(store, *PERIOD, tmp_path / "out", redactor=redactor)
    report = result.report
    assert report is not None
    headlines = {h.key: h.value for h in report.headlines}
    # b1 cold and w1 warm (recorded and found), m1's said transfer; never the referral or channel moves
    assert (headlines["transfers"], headlines["cold_transfers"]) == (3, 1)
    assert (headlines["referrals"], headlines["channel_moves"]) == (1, 2)
    assert report.matrix.count("Technical Support", "sales") == 1
    table = report.tables["handoffs_by_department"]
    by_department = {r["department"]: r for r in table.rows}
    billing, tech = by_department["Billing"], by_department["Technical Support"]
    assert (billing["cold"], billing["warm"], billing["referral"], billing["channel_move"]) == (1, 1, 1, 1)
    assert (tech["channel_move"], tech["unknown"], tech["total"]) == (1, 1, 2)
    assert sum(r["total"] for r in table.rows) == 6
    csv = {r["department"]: r for r in read_csv(result.csv_paths["handoffs_by_department"])}
    assert csv["Billing"]["referral"] == "1" and csv["Technical Support"]["channel_move"] == "1"
    text = visible_text(result.report_path)
    assert "Referrals elsewhere (process) 1" in text and "Moves to another channel (process) 2" in text
    assert "Channel moves" in text and "Referrals elsewhere" in text


def test_cost_of_routing_failures(report: RoutingReport) -> None:
    """Minutes and extra contacts on the synthetic week, known by hand.

    Holds: 7 bug-spike holds of 7 min and 6 of 4 min = 73 min. Hand-offs: b1's 90 s queue wait.
    Repeat contacts: b2-b5, 140 s each (4 lines of 20 s + a minute) = 9.33 min. Each repeat is
    charged to the hand-off before it: b2 and b4 to Billing → Technical Support (b1, b3), b3 and
    b5 to Technical Support → Billing (b2, b4).
    """
    cost = report.cost
    assert (cost.hold_ms, cost.handoff_ms, cost.repeat_ms) == (4_380_000, 90_000, 560_000)
    assert cost.repeat_contacts == 4
    headlines = {h.key: h for h in report.headlines}
    assert headlines["customer_minutes_lost"].value == 83.8
    routes = {r["route"]: r for r in report.tables["routing_cost"].rows}
    there, back = routes["Billing → Technical Support"], routes["Technical Support → Billing"]
    assert (there["handoffs"], there["handoff_minutes"], there["repeat_contacts"]) == (2, 1.5, 2)
    assert (there["repeat_minutes"], there["extra_per_handoff"]) == (4.7, 1.0)
    assert (back["handoffs"], back["repeat_contacts"], back["extra_per_handoff"]) == (2, 2, 1.0)
    assert routes["Billing → Sales"]["extra_per_handoff"] == 0.0
    assert sum(r["repeat_contacts"] for r in routes.values()) == cost.repeat_contacts
    assert report.tables["routing_cost"].examples[0][0] in {"b1", "b2"}


def test_cost_is_on_the_page(synthetic_site: PublishResult) -> None:
    assert synthetic_site.report_path is not None
    html = synthetic_site.report_path.read_text(encoding="utf-8")
    assert 'data-cost-total="83.8"' in html and 'data-cost-hold="73.0"' in html
    text = visible_text(synthetic_site.report_path)
    assert "customers spent 83.8 minutes on routing failures" in text
    assert read_csv(synthetic_site.csv_paths["routing_cost"])[0]["route"]
