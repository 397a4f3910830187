"""`qareview sentiment`: JSON line per stdin line, order kept, blank lines neutral."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from qareview.commands import sentiment


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    group = typer.Typer()

    @group.callback()
    def _root() -> None:
        """Test app holding only the sentiment command."""

    sentiment.register(group)
    return group


@pytest.mark.models
def test_one_json_line_per_input_line(app: typer.Typer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "CHUNK_LINES", 2)  # several chunks, order must hold across them
    lines = [
        "This is absolutely terrible, I hate this company.",
        "",
        "Thank you so much, you were wonderful!",
        "   ",
        "I am furious, this is the worst service ever.",
    ]
    result = CliRunner().invoke(app, ["sentiment"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert all(set(row) == {"label", "score"} and -1.0 <= row["score"] <= 1.0 for row in rows)
    assert [row["label"] for row in rows] == ["negative", "neutral", "positive", "neutral", "negative"]
    assert rows[1] == rows[3] == {"label": "neutral", "score": 0.0}
    assert rows[0]["score"] < -0.3 and rows[2]["score"] > 0.3


@pytest.mark.models
def test_empty_input_prints_nothing(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["sentiment"], input="")
    assert result.exit_code == 0 and result.stdout == ""


def test_unloadable_model_exits_2_with_download_hint(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["sentiment", "--model", "/nonexistent/model"], input="hello\n")
    assert result.exit_code == 2
    assert "huggingface-cli download /nonexistent/model" in result.stderr
    assert result.stdout == ""


def test_bad_config_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "analysis.yaml"
    bad.write_text("sentiment:\n  batch_size: -1\n")
    result = CliRunner().invoke(app, ["sentiment", "--config", str(bad)], input="hello\n")
    assert result.exit_code == 2 and "sentiment.batch_size" in result.stderr
