"""``scripts/replicate_store.py``: a large store for publishing probes, from a small one (real DuckDB)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from synthetic_store import PERIOD, RUBRIC

from nlp.coaching.compose import CardContent
from rendering.coaching_cards import compose_by_representative
from rendering.periods import Period
from rendering.rubric_info import load_rubric_info
from rendering.settings import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from replicate_store import replicate  # noqa: E402


def _cards(db: Path) -> dict[str, CardContent]:
    period = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
    with duckdb.connect(str(db), read_only=True) as con:
        found = compose_by_representative(con, period, RUBRIC, load_rubric_info(), load_settings())
        return {content.agent_id: content for content, _ in found}


def test_three_copies_triple_every_conversation_and_keep_the_representatives(
    synthetic_db: Path, tmp_path: Path
) -> None:
    large = tmp_path / "large.duckdb"
    counts = replicate(synthetic_db, large, 3)
    for table in ("conversations", "legs", "turns", "scores", "findings", "agent_scores", "journeys"):
        before, after = counts[table]
        assert before > 0 and after == 3 * before, table
    with duckdb.connect(str(large), read_only=True) as con:
        ids = [i for (i,) in con.execute("SELECT id FROM conversations").fetchall()]
        assert len(ids) == len(set(ids)) and sum(i.endswith("~2") for i in ids) == len(ids) // 3
        orphans = con.execute(
            "SELECT count(*) FROM findings f LEFT JOIN conversations c ON c.id = f.conversation_id "
            "WHERE c.id IS NULL"
        ).fetchone()
        assert orphans == (0,)
    small, big = _cards(synthetic_db), _cards(large)
    assert sorted(big) == sorted(small)
    for agent_id, card in small.items():
        assert big[agent_id].contacts == 3 * card.contacts
        assert big[agent_id].overall == pytest.approx(card.overall)


def test_one_copy_is_the_store_itself_and_none_is_refused(synthetic_db: Path, tmp_path: Path) -> None:
    counts = replicate(synthetic_db, tmp_path / "same.duckdb", 1)
    assert all(before == after for before, after in counts.values())
    with pytest.raises(ValueError, match="at least 1"):
        replicate(synthetic_db, tmp_path / "none.duckdb", 0)
