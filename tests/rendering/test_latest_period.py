"""The nightly publish step: the period ending with the newest contact (outlier dates aside),
condensed for the run summary."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from synthetic_store import PERIOD

from rendering.latest_period import TOP_ROUTING_FAILURES, publish_period
from rendering.store_queries import data_range
from storage.store import Store
from transcripts.model import Channel, Conversation, Leg, Role, Turn


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


def test_outlier_dates_do_not_move_the_published_week(synthetic_db: Path, tmp_path: Path) -> None:
    """A 2062 typo and a 2003 stray (stored before ingest refused them) change nothing."""
    db = tmp_path / "store.duckdb"
    shutil.copy(synthetic_db, db)
    with Store(db) as store:
        before = data_range(store.connection)
        store.upsert_conversations(
            [
                Conversation(
                    id=f"typo-{year}",
                    channel=Channel.CHAT,
                    customer_id=f"cust-typo-{year}",
                    started_at=datetime(year, 11, 18, 9),
                    legs=[Leg(index=0, participant_role=Role.AGENT, agent_id=f"a-typo-{year}")],
                    turns=[Turn(index=0, leg=0, role=Role.CUSTOMER, text="Hello, my bill is wrong.")],
                )
                for year in (2062, 2003)
            ],
            store.start_run("test"),
        )
        assert data_range(store.connection) == before
    outcome = publish_period(str(db), tmp_path / "out", period_days=7)
    assert outcome.period == f"2026-11-16 – {PERIOD[1]}"
    cards = {p.stem for p in (tmp_path / "out" / "cards").glob("*.html")}
    assert outcome.reps_carded == len(cards) > 1 and not any("typo" in c for c in cards)
