"""``--speakers FILE`` on ``qareview ingest`` and ``qareview run``: a role mapping the readers use."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from qareview.cli import app
from storage.store import Store

runner = CliRunner()
DIARISED = Path(__file__).parent / "readers" / "fixtures" / "vendor" / "transcribe" / "diarized.json"


def _export(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(DIARISED, folder / "call.json")
    return folder


def _roles(db: Path) -> list[tuple[str, str]]:
    with Store(db, read_only=True) as store:
        return store.connection.execute("SELECT DISTINCT speaker_id, role FROM turns ORDER BY 1").fetchall()


def test_ingest_speakers_mapping_decides_the_roles(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    inferred = tmp_path / "inferred.duckdb"
    assert runner.invoke(app, ["ingest", str(folder), "--db", str(inferred)]).exit_code == 0
    # from the speech alone spk_0 ("how can I help?") is the agent
    assert _roles(inferred) == [("spk_0", "agent"), ("spk_1", "customer")]
    mapping = tmp_path / "roles.yaml"  # not beside the export: only --speakers can bring it in
    mapping.write_text('"*":\n  spk_0: customer\n  spk_1: agent\n')
    mapped = tmp_path / "mapped.duckdb"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(mapped), "--speakers", str(mapping)])
    assert result.exit_code == 0, result.output
    assert _roles(mapped) == [("spk_0", "customer"), ("spk_1", "agent")]


def test_ingest_refuses_a_broken_mapping_before_reading(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    mapping = tmp_path / "roles.yaml"
    mapping.write_text('"*":\n  spk_0: manager\n')
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--speakers", str(mapping)])
    assert result.exit_code == 2
    assert str(mapping) in result.output and "unknown role 'manager'" in result.output
    assert not db.exists()


def test_run_refuses_a_missing_mapping_before_starting(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(
        app, ["run", str(folder), "--db", str(tmp_path / "qa.duckdb"), "--out", str(tmp_path / "out"),
              "--speakers", str(missing)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--speakers" in result.output and str(missing) in result.output


def test_run_ingest_task_passes_the_mapping_to_the_readers(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    mapping = tmp_path / "roles.yaml"
    mapping.write_text('"call.json":\n  spk_0: customer\n  spk_1: agent\n')
    db = tmp_path / "qa.duckdb"
    from flows.nightly import ingest_files  # imported here: the flow module loads the whole pipeline

    summary = ingest_files.fn([str(folder / "call.json")], str(db), False, str(mapping))
    assert summary.stored == 1
    assert _roles(db) == [("spk_0", "customer"), ("spk_1", "agent")]
