"""``nlp.coaching.compose`` on stored rows: the synthetic store's cards, composed without formatting.

The synthetic store (``synthetic_store.py``) is queried with the shipped queries and composed
with the shipped rubric labels and settings; no redaction or spaCy is involved.
"""

from __future__ import annotations

import shutil
import statistics
from datetime import date
from pathlib import Path

import duckdb
import pytest
from synthetic_store import PERIOD, RUBRIC

from nlp.coaching.compose import CardContent, CardRows, coached_conversations, compose_cards
from nlp.coaching.focus import earned
from nlp.coaching.moments import moment_turns
from rendering.coaching_cards import compose_by_representative
from rendering.periods import Period, bucket_unit, trend_buckets
from rendering.rubric_info import load_rubric_info
from rendering.settings import load_settings
from rendering.store_queries import connection_of, data_range, load_snapshot, load_turns, rubric_versions
from storage.store import Store


def _compose(con: duckdb.DuckDBPyConnection, period: Period, rubric: str) -> list[CardContent]:
    """The period's cards, composed from the store as publishing composes them."""
    settings = load_settings()
    buckets = trend_buckets(period, bucket_unit(period, settings.periods.daily_up_to_days), 8)
    current = load_snapshot(con, period, rubric)
    rows = CardRows(
        current,
        load_snapshot(con, period.previous(), rubric),
        load_snapshot(con, Period(min(buckets[0].start, period.previous().start), period.end), rubric),
    )
    turns = load_turns(con, coached_conversations(current.findings))
    return compose_cards(rows, buckets, turns, load_rubric_info(), settings.cards, settings.routing)


@pytest.fixture(scope="module")
def composed(synthetic_store: Store) -> dict[str, CardContent]:
    period = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
    return {c.agent_id: c for c in _compose(connection_of(synthetic_store), period, RUBRIC)}


def test_one_card_per_representative(composed: dict[str, CardContent]) -> None:
    assert sorted(composed) == ["a-kevin", "a-lee", "a-maria", "a-priya", "a-sam", "a-tom"]


def test_team_medians_are_the_median_of_the_reps_means(composed: dict[str, CardContent]) -> None:
    criteria = {c.criterion for card in composed.values() for c in card.criteria}
    for criterion in criteria:
        means = [s.value for card in composed.values() for s in card.criteria if s.criterion == criterion]
        expected = statistics.median(v for v in means if v is not None)
        for card in composed.values():
            (standing,) = [s for s in card.criteria if s.criterion == criterion]
            assert standing.team_median == pytest.approx(expected)
    overall = [card.overall for card in composed.values() if card.overall is not None]
    assert {card.overall_team_median for card in composed.values()} == {statistics.median(overall)}


def test_kevin_growth_area_quotes_him_with_a_better_phrasing(composed: dict[str, CardContent]) -> None:
    kevin = composed["a-kevin"]
    assert [a.standing.criterion for a in kevin.growth_areas] == ["self_worth"]
    moments = kevin.growth_areas[0].moments
    assert {m.said for m in moments} == {
        "you're reading the statement wrong",
        "you should have read the terms before signing up",
        "Calm down",
    }
    assert all(m.better and m.said_by == "agent" for m in moments)
    assert [t.role for t in moments[0].context] == ["customer", "agent"]


def test_maria_strengths_are_earned_and_need_no_better_phrasing(composed: dict[str, CardContent]) -> None:
    maria = composed["a-maria"]
    assert maria.growth_areas == ()
    assert {a.standing.criterion for a in maria.strengths} == {"empathy", "self_worth"}
    for area in maria.strengths:
        assert earned(area.standing)
        assert all(m.better is None and m.finding.polarity == "positive" for m in area.moments)


def test_not_your_fault_counts(composed: dict[str, CardContent]) -> None:
    kevin = composed["a-kevin"].not_your_fault
    assert (kevin.transfers_in, kevin.reexplanations) == (2, 1)
    assert {(n.conversation_id, n.kind) for n in kevin.notes} == {
        ("b2", "re_explained"),
        ("b2", "cold_transfer"),
        ("b2", "ping_pong"),
    }
    assert composed["a-lee"].not_your_fault.drops == 1


def test_every_card_is_consistent(composed: dict[str, CardContent], synthetic_store: Store) -> None:
    """No moment twice, none both the rep's and the system's; strengths at or above pass mark and median."""
    con = connection_of(synthetic_store)
    for card in composed.values():
        areas = card.strengths + card.growth_areas
        turns = load_turns(con, {m.finding.conversation_id for a in areas for m in a.moments})
        covered = [moment_turns(m.finding, turns) for a in areas for m in a.moments]
        assert sum(len(c) for c in covered) == len(frozenset().union(*covered)), card.agent_id
        system = {(n.conversation_id, n.turn) for n in card.not_your_fault.notes if n.turn is not None}
        assert not system & frozenset().union(*covered), card.agent_id
        for area in card.strengths:
            s = area.standing
            assert s.value is not None and s.threshold is not None and s.team_median is not None
            assert s.value >= s.threshold and s.value >= s.team_median - 1e-9, (card.agent_id, s.criterion)
        for area in card.growth_areas:
            assert all(m.finding.polarity == "negative" for m in area.moments)


@pytest.mark.models  # the examples are analysed with the real pipeline
def test_bundled_week_cards_are_consistent_by_construction(examples_db: Path) -> None:
    """On the bundled week: no moment twice or both the rep's and the system's; strengths earned and
    quoted from good moments; the stories the issue found contradicted stay fixed."""
    with duckdb.connect(str(examples_db), read_only=True) as con:
        period = data_range(con)
        assert period is not None
        cards = {c.agent_id: c for c in _compose(con, period, rubric_versions(con, period)[0])}
        strengths = 0
        for card in cards.values():
            areas = card.strengths + card.growth_areas
            turns = load_turns(con, {m.finding.conversation_id for a in areas for m in a.moments})
            covered = [moment_turns(m.finding, turns) for a in areas for m in a.moments]
            owned = frozenset().union(*covered)
            assert sum(len(c) for c in covered) == len(owned), card.agent_id
            system = {(n.conversation_id, n.turn) for n in card.not_your_fault.notes if n.turn is not None}
            assert not system & owned, card.agent_id
            for area in card.strengths:
                s = area.standing
                assert s.value is not None and s.team_median is not None, card.agent_id
                assert s.value >= s.team_median - 1e-9, (card.agent_id, s.criterion)
                assert s.threshold is None or s.value >= s.threshold, (card.agent_id, s.criterion)
                assert all(m.finding.polarity == "positive" and m.better is None for m in area.moments)
                strengths += 1
    assert strengths >= 8
    jamal = cards["a-jamal"]
    assert ("C-1609", 5) not in {
        (m.finding.conversation_id, m.finding.turn) for a in jamal.strengths for m in a.moments
    }
    for agent_id, conversation_id in (("a-priya", "C-1101"), ("a-tomas", "C-1202"), ("a-maria", "C-1102")):
        growth = {
            (m.finding.conversation_id, m.finding.kind)
            for a in cards[agent_id].growth_areas
            for m in a.moments
        }
        assert (conversation_id, "no_context_handoff") in growth, agent_id
        notes = {(n.conversation_id, n.kind) for n in cards[agent_id].not_your_fault.notes}
        assert (conversation_id, "cold_transfer") not in notes, agent_id


def _by_representative(con: duckdb.DuckDBPyConnection, period: Period, rubric: str) -> list[CardContent]:
    settings = load_settings()
    return [c for c, _ in compose_by_representative(con, period, rubric, load_rubric_info(), settings)]


def test_composing_a_representative_at_a_time_gives_the_same_cards(synthetic_store: Store) -> None:
    """Publishing composes each card from the rep's conversations and streamed team figures."""
    period = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
    con = connection_of(synthetic_store)
    whole = _compose(con, period, RUBRIC)
    assert len(whole) == 6 and _by_representative(con, period, RUBRIC) == whole


def test_a_name_only_id_merges_the_same_way_a_representative_at_a_time(
    synthetic_db: Path, tmp_path: Path
) -> None:
    """One of Kevin's contacts exported under his name only: one card for him either way, with it."""
    db = tmp_path / "store.duckdb"
    shutil.copy2(synthetic_db, db)
    period = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
    with duckdb.connect(str(db)) as con:
        before = {c.agent_id: c for c in _compose(con, period, RUBRIC)}
        for table in ("legs", "scores", "findings", "agent_scores"):
            con.execute(
                f"UPDATE {table} SET agent_id = 'Kevin Doyle' WHERE agent_id = 'a-kevin' "
                "AND conversation_id = 'k1'"
            )
        assert con.execute("SELECT count(*) FROM legs WHERE agent_id = 'Kevin Doyle'").fetchone() == (1,)
        whole = _compose(con, period, RUBRIC)
        assert _by_representative(con, period, RUBRIC) == whole
    kevin = {c.agent_id: c for c in whole}["a-kevin"]
    assert "Kevin Doyle" not in {c.agent_id for c in whole}
    assert (kevin.contacts, kevin.overall) == (before["a-kevin"].contacts, before["a-kevin"].overall)


@pytest.mark.models  # the examples are analysed with the real pipeline
def test_bundled_week_cards_are_the_same_composed_a_representative_at_a_time(examples_db: Path) -> None:
    with duckdb.connect(str(examples_db), read_only=True) as con:
        period = data_range(con)
        assert period is not None
        rubric = rubric_versions(con, period)[0]
        whole = _compose(con, period, rubric)
        assert len(whole) == 8 and _by_representative(con, period, rubric) == whole
