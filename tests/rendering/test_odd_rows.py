"""Rows the pipeline should not produce but a store may hold: publishing still works and links resolve."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from site_checks import broken_links
from synthetic_store import PERIOD, RUBRIC, build_store

from rendering.publish import publish
from rendering.redact import Redactor
from transcripts.model import Channel, Conversation, Leg, Role

pytestmark = pytest.mark.models


def test_odd_rows_are_tolerated(tmp_path: Path, redactor: Redactor) -> None:
    with build_store(tmp_path / "odd.duckdb", only=["k1", "b1", "b2", "m1"]) as store:
        run = store.start_run("test")
        store.upsert_conversations(
            [
                # metadata only (a contact record): no turns, an agent without name or department
                Conversation(
                    id="meta-1",
                    channel=Channel.CALL,
                    customer_id="cust-x",
                    started_at=datetime(2026, 11, 18, 8),
                    legs=[Leg(index=0, participant_role=Role.AGENT, agent_id="a-ghost")],
                ),
                # no start time: belongs to no period
                Conversation(id="undated", channel=Channel.CHAT, legs=[Leg(index=0, agent_id="a-kevin")]),
            ],
            run,
        )
        con = store.connection
        finding = (
            "INSERT INTO findings VALUES (?, ?, 0, ?, 'a-kevin', 'Billing', 'self_worth.v1', 'self_worth', "
            "?, 'agent', 'negative', ?, ?, ?, 'x', 'Say it kindly.', ?, ?)"
        )
        con.execute(finding, ["k1", 50, 99, "no_such_turn", None, None, "gone", None, RUBRIC])
        con.execute(finding, ["k1", 51, 1, "offsets_past_the_end", 500, 900, "??", '"a string"', RUBRIC])
        con.execute(finding, ["k1", 52, 3, "detail_not_json", -5, 3, "", "null", RUBRIC])
        con.execute(finding, ["meta-1", 0, None, "no_turn_at_all", None, None, None, "[1, 2]", RUBRIC])
        con.execute(
            "INSERT INTO scores VALUES ('meta-1', 0, 'a-ghost', 'empathy', 'empathy.v1', NULL, NULL, NULL, "
            "'scorer failed', ?, 'agent')",
            [RUBRIC],
        )
        con.execute(
            "INSERT INTO events VALUES "
            "('meta-1', 0, 'transfer', NULL, NULL, NULL, NULL, 7, NULL, NULL, NULL, "
            "NULL, NULL, NULL, NULL), ('meta-1', 1, 'hold_end', 5000, NULL, 3, NULL, NULL, NULL, NULL, NULL, "
            "NULL, NULL, NULL, NULL), ('meta-1', 2, 'disconnect', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
            "NULL, NULL, NULL, 'alien', NULL)"
        )
        # operations facts naming legs that do not exist, and an unknown kind of hang-up
        con.execute(
            "INSERT INTO handoffs VALUES ('meta-1', 0, 'unknown', NULL, 7, '(unknown)', '(unknown)', ?)",
            [RUBRIC],
        )
        con.execute("INSERT INTO waits VALUES ('meta-1', 0, 3, 'hold', 5000, 999000, false, ?)", [RUBRIC])
        con.execute("INSERT INTO disconnects VALUES ('meta-1', 0, 9, 'alien', '(unknown)', ?)", [RUBRIC])
        con.execute(
            "INSERT INTO turn_sentiment VALUES ('k1', 0, 'negative', -0.5, 'x'), ('k1', 0, 'neutral', 0, 'y')"
        )
        result = publish(store, *PERIOD, tmp_path / "out", redactor=redactor)
    assert broken_links(tmp_path / "out") == []
    assert "a-ghost" in result.card_paths
    assert result.report is not None and result.report.matrix.count("(unknown)", "(unknown)") == 1
    kevin = next(c for c in result.cards if c.agent_id == "a-kevin")
    kinds = {m.kind for area in kevin.growth_areas for m in area.moments}
    assert "no_such_turn" not in kinds


def test_a_store_without_scores_still_publishes(tmp_path: Path, redactor: Redactor) -> None:
    with build_store(tmp_path / "unscored.duckdb") as store:
        store.connection.execute("DELETE FROM scores")
        store.connection.execute("DELETE FROM findings")
        result = publish(store, *PERIOD, tmp_path / "out", redactor=redactor)
    assert result.rubric_version is None
    assert broken_links(tmp_path / "out") == []
    assert all(card.overall is None and card.criteria == [] for card in result.cards)
    # operations facts are computed when scoring: an unscored store has a report without hand-offs
    assert result.report is not None and result.report.matrix.total == 0
    assert result.report.tables["repeat_journeys"].rows  # journeys need no scores
