"""`qareview score --db` and the nightly flow store the same findings, scores and operations facts.

Both run ``nlp.scoring.analyse_and_score``'s steps on the same input (two days of the bundled
week, with customers who come back across them); the CLI prints ``ConversationScores.to_dict``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.nightly import nightly_review
from qareview.cli import app
from tests.flows.flow_helpers import copy_examples, dump_store

pytestmark = [pytest.mark.prefect, pytest.mark.models, pytest.mark.slow]
DAYS = ("2026-11-16", "2026-11-17")
SCORED = ("scores", "findings", "agent_scores", "handoffs", "leg_routes", "waits", "disconnects")


def test_score_command_and_flow_store_the_same_results(flow_env: None, tmp_path: Path) -> None:
    inbox = copy_examples(tmp_path / "inbox", *DAYS)
    state = nightly_review(source=str(inbox), db=str(tmp_path / "flow.duckdb"), out=str(tmp_path / "out"),
                           return_state=True)  # fmt: skip
    assert state.is_completed(), state.message
    result = CliRunner().invoke(app, ["score", str(inbox), "--db", str(tmp_path / "cli.duckdb")])
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(
        set(line) == {"conversation_id", "rubric_version", "scores", "leg_scores", "agent_scores", "findings"}
        for line in lines
    )
    flow, cli = dump_store(tmp_path / "flow.duckdb"), dump_store(tmp_path / "cli.duckdb")
    assert flow["handoffs"] and flow["leg_routes"] and flow["agent_scores"]  # the comparison has substance
    # a stop reached from an earlier contact: journeys were in play (previous_conversation_id is column 8)
    assert any(row[7] not in (None, row[0]) for row in flow["leg_routes"])
    for table in SCORED:
        assert cli[table] == flow[table], table
    printed = sorted((line["conversation_id"], len(line["findings"])) for line in lines)
    stored = sorted({(row[0], sum(1 for r in flow["findings"] if r[0] == row[0])) for row in flow["scores"]})
    assert printed == stored
