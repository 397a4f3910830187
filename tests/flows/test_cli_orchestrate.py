"""`qareview run` / `serve`: their defaults, and bad inputs refused before Prefect starts (exit 2)."""

from __future__ import annotations

import inspect
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


def test_run_defaults_are_the_bundled_examples_a_local_store_and_out() -> None:
    from qareview.commands.orchestrate import _default_source, run

    d = {name: p.default for name, p in inspect.signature(run).parameters.items()}
    assert (d["source"], d["db"], d["out"]) == (None, Path("out/qareview.duckdb"), Path("out"))
    assert (d["full"], d["dask_address"], d["dask_workers"]) == (False, None, None)  # threads, incremental
    assert _default_source(None) == str(REPO / "examples")
    demo = (REPO / "Makefile").read_text().split("\ndemo:", 1)[1].splitlines()[1].split()
    assert demo[1:] == ["run", "examples", "--db", "out/qareview.duckdb", "--out", "out"]
