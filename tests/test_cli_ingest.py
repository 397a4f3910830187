"""`qareview ingest` through the real CLI app: exit codes, summary, quarantine lines, --strict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qareview.cli import app
from storage.store import Store

runner = CliRunner()
BAD_LINE = '{"id": "broken", "channel": chat, "turns": []}'


def conversation(cid: str, customer: str = "cust-1", text: str = "Hello, my card was charged twice.") -> str:
    return json.dumps(
        {
            "id": cid,
            "channel": "chat",
            "customer_id": customer,
            "started_at": "2026-11-16T09:00:00Z",
            "ended_at": "2026-11-16T09:10:00Z",
            "turns": [
                {"role": "customer", "text": text},
                {"role": "agent", "speaker": "a17", "text": "I'm sorry about that, let me look."},
            ],
        }
    )


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    folder = tmp_path / "clean"
    folder.mkdir()
    (folder / "day1.jsonl").write_text(conversation("c1") + "\n" + conversation("c2", "cust-2") + "\n")
    return folder


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    folder = tmp_path / "dirty"
    folder.mkdir()
    (folder / "day2.jsonl").write_text(
        conversation("c3") + "\n" + BAD_LINE + "\n" + conversation("c3") + "\n"
    )
    return folder


def invoke(*args: str | Path):
    return runner.invoke(app, ["ingest", *map(str, args)])


def test_clean_run_exits_0_and_prints_the_summary(clean: Path, tmp_path: Path) -> None:
    db = tmp_path / "out" / "qa.duckdb"
    result = invoke(clean, "--db", db)
    assert result.exit_code == 0, result.output
    assert "invariant ok: read 2 = stored 2 + quarantined 0 + duplicates 0" in result.output
    assert str(db) in result.output
    assert "records by format: json 2" in result.output
    with Store(db, read_only=True) as store:
        assert sorted(c.id for c in store.load_conversations()) == ["c1", "c2"]


def test_quarantine_is_counted_not_fatal_and_listed(dirty: Path, tmp_path: Path) -> None:
    result = invoke(dirty, "--db", tmp_path / "qa.duckdb")
    assert result.exit_code == 0, result.output
    assert "invariant ok: read 3 = stored 1 + quarantined 1 + duplicates 1" in result.output
    assert "invalid_json" in result.output
    line = next(line for line in result.output.splitlines() if "[line 2]" in line)
    assert str(dirty / "day2.jsonl") in line and "invalid_json" in line


def test_strict_exits_1_when_anything_was_quarantined(clean: Path, dirty: Path, tmp_path: Path) -> None:
    assert invoke(clean, "--db", tmp_path / "a.duckdb", "--strict").exit_code == 0
    for _ in range(2):  # the re-run skips the unchanged file, but its record is still quarantined
        result = invoke(dirty, "--db", tmp_path / "b.duckdb", "--strict")
        assert result.exit_code == 1
        assert "--strict: 1 record(s) of these inputs are in quarantine" in result.output


def test_second_run_skips_unchanged_files_and_full_rereads(clean: Path, tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    invoke(clean, "--db", db)
    again = invoke(clean, "--db", db)
    assert again.exit_code == 0
    assert "1 file(s): 1 skipped as unchanged" in again.output
    assert "read 0 = stored 0" in again.output
    full = invoke(clean, "--db", db, "--full")
    assert "read 2 = stored 0 + quarantined 0 + duplicates 2" in full.output


def test_format_and_csv_columns_options(tmp_path: Path) -> None:
    columns = tmp_path / "columns.yaml"
    columns.write_text("columns:\n  conversation_id: [ticket]\n  role: [who]\n  text: [said]\n")
    export = tmp_path / "export.dat"
    export.write_text("ticket;who;said\nT1;customer;Where is my parcel?\nT1;agent;Let me check.\n")
    result = invoke(export, "--db", tmp_path / "qa.duckdb", "--format", "csv", "--csv-columns", columns)
    assert result.exit_code == 0, result.output
    assert "read 1 = stored 1" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "nope"], "valid formats"),
        (["--csv-columns", "missing-columns.yaml"], "missing-columns.yaml"),
    ],
)
def test_bad_options_exit_2(clean: Path, tmp_path: Path, extra: list[str], message: str) -> None:
    result = invoke(clean, "--db", tmp_path / "qa.duckdb", *extra)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "qa.duckdb").exists(), "no store is created for a refused run"


def test_unreachable_postgres_url_exits_2_in_one_line(clean: Path) -> None:
    result = invoke(clean, "--db", "postgresql://qa:secret@127.0.0.1:1/qareview")
    assert result.exit_code == 2
    assert result.output.startswith("error: --db postgresql://qa:***@127.0.0.1:1/qareview: cannot connect")
    assert len(result.output.strip().splitlines()) == 1 and "secret" not in result.output


def test_missing_path_exits_2_naming_it(tmp_path: Path) -> None:
    result = invoke(tmp_path / "nope.jsonl", "--db", tmp_path / "qa.duckdb")
    assert result.exit_code == 2, result.output
    assert f"PATH {tmp_path / 'nope.jsonl'} does not exist" in result.output
    assert not (tmp_path / "qa.duckdb").exists()


def test_help_explains_every_option() -> None:
    result = runner.invoke(app, ["ingest", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--db", "--format", "--csv-columns", "--full", "--strict", "PATH"):
        assert option in result.output
    assert "skipped" in result.output and "status 1" in result.output


def test_summary_names_the_store_by_its_absolute_path(
    clean: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(clean, "--db", "rel/qa.duckdb")
    assert result.exit_code == 0, result.output
    assert f"store: {(tmp_path / 'rel' / 'qa.duckdb').resolve()}  (" in result.output


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    folder = tmp_path / "days"
    folder.mkdir()
    for n in range(3):
        (folder / f"day{n}.jsonl").write_text(conversation(f"c{n}") + "\n")
    on_tty = runner.invoke(
        app, ["ingest", str(folder), "--db", str(tmp_path / "a.duckdb")], env={"TTY_COMPATIBLE": "1"}
    )
    assert on_tty.exit_code == 0, on_tty.output
    assert "━" in on_tty.stderr and "3/3" in on_tty.stderr and "day2.jsonl" in on_tty.stderr
    assert "3/3" not in on_tty.stdout  # the bar goes to stderr; the summary stays clean on stdout
    piped = runner.invoke(
        app, ["ingest", str(folder), "--db", str(tmp_path / "b.duckdb")], env={"TTY_COMPATIBLE": "0"}
    )
    assert piped.exit_code == 0, piped.output
    assert "━" not in piped.stderr and "3/3" not in piped.stderr


def test_top_level_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    names = [command.name for command in app.registered_commands]
    assert {"ingest", "run", "score", "cards", "routing-report", "sentiment", "serve"} <= set(names)
    listed = result.output.split("Commands", 1)[1]
    rows = [line.strip("│ ") for line in listed.splitlines()[1:]]
    helps = dict(row.split(maxsplit=1) for row in rows if " " in row)
    for name in names:
        assert len(helps.get(name, "")) > 20, f"{name} has no help text in: {listed}"


def test_run_prints_the_store_path_before_the_index(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from flows.run_summary import NightlySummary
    from qareview.commands.orchestrate import _print_summary

    db = tmp_path / "out" / "qareview.duckdb"
    index = tmp_path / "out" / "index.html"
    summary = NightlySummary(
        run_id="nightly-1", source="examples", db=str(db), out=str(index.parent), runner="threads",
        full=False, rubric_version="1.1.0", read=3, stored=2, quarantined=1, period="2026-11-15..21",
        index_path=str(index),
    )  # fmt: skip
    _print_summary(summary)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("read 3 = stored 2 + quarantined 1 + duplicates 0")
    assert lines[-2:] == [f"Store: {db.resolve()}", f"Cards and reports: {index}"]
    summary.index_path = None
    _print_summary(summary)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2] == f"Store: {db.resolve()}" and lines[-1].startswith("Cards and reports: nothing")
