"""`qareview run` / `serve` refuse bad inputs before starting Prefect (exit 2, one clear line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qareview.cli import app

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["run", "serve"])
def test_missing_source(command: str, tmp_path: Path) -> None:
    db = tmp_path / "q.duckdb"
    result = CliRunner().invoke(app, [command, str(tmp_path / "not-mounted"), "--db", str(db)])
    assert result.exit_code == 2
    assert "not-mounted does not exist" in result.output
    assert not db.exists()


@pytest.mark.parametrize("command", ["run", "serve"])
def test_broken_rubric(command: str, tmp_path: Path) -> None:
    rubric = tmp_path / "team.yaml"
    rubric.write_text(
        f"rubric: {{id: team, version: '1', name: Team}}\nextends: {REPO / 'rubrics' / 'default.yaml'}\n"
        "criteria:\n  - {id: empathy, scorer: empathy.v99}\n"
    )
    result = CliRunner().invoke(app, [command, str(REPO / "examples"), "--rubric", str(rubric)])
    assert result.exit_code == 2
    assert "empathy.v99" in result.output and "team.yaml" in result.output


def test_help_lists_the_schedule_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--cron", "--timezone", "--dask-workers", "--dask-address"):
        assert option in result.output
