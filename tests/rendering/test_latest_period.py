"""The nightly publish step: the period ending with the newest contact, condensed for the run summary."""

from __future__ import annotations

import shutil
from pathlib import Path

from synthetic_store import PERIOD

from rendering.latest_period import TOP_ROUTING_FAILURES, publish_period
from storage.store import Store


def test_publishes_the_days_up_to_the_newest_contact(synthetic_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(synthetic_db, db)
    outcome = publish_period(str(db), tmp_path / "out", period_days=7)
    assert outcome.period is not None and outcome.period.endswith(PERIOD[1]), outcome.period
    assert outcome.index_path == str(tmp_path / "out" / "index.html")
    assert Path(outcome.index_path).is_file() and outcome.reps_carded > 0
    assert all(Path(p).is_file() for p in outcome.outputs)
    assert 0 < len(outcome.top_routing_failures) <= TOP_ROUTING_FAILURES
    values = [float(line.rsplit(": ", 1)[1]) for line in outcome.top_routing_failures]
    assert values == sorted(values, reverse=True) and all(v > 0 for v in values)


def test_an_empty_store_publishes_nothing(tmp_path: Path) -> None:
    Store(tmp_path / "empty.duckdb").close()
    outcome = publish_period(str(tmp_path / "empty.duckdb"), tmp_path / "out", period_days=7)
    assert outcome.index_path is None and outcome.reps_carded == 0 and not (tmp_path / "out").exists()
