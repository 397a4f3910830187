"""Coaching cards built from the synthetic store, whose every number is known."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from synthetic_store import PERIOD, build_store

from nlp.coaching.aliases import agent_aliases
from rendering.coaching_cards import CoachingCard, build_cards
from rendering.periods import Period
from rendering.publish import PublishResult
from rendering.redact import Redactor
from rendering.rubric_info import load_rubric_info
from rendering.settings import load_settings
from rendering.store_queries import LegRow, connection_of
from storage.store import Store

pytestmark = pytest.mark.models  # redaction runs spaCy NER


def _card(site: PublishResult, agent_id: str) -> CoachingCard:
    return next(c for c in site.cards if c.agent_id == agent_id)


def _agent_means_sql(store: Store) -> dict[str, dict[str, float]]:
    """Per agent and criterion, the mean agent-attributed score in the period, straight from SQL."""
    rows = (
        connection_of(store)
        .execute(
            "SELECT s.agent_id, s.criterion, avg(s.value) FROM scores s "
            "JOIN conversations c ON c.id = s.conversation_id "
            "WHERE s.attribution = 'agent' AND c.started_at >= ? AND c.started_at < ? GROUP BY ALL",
            list(_period().bounds()),
        )
        .fetchall()
    )
    means: dict[str, dict[str, float]] = {}
    for agent, criterion, value in rows:
        means.setdefault(agent, {})[criterion] = value
    return means


def _period() -> Period:
    from datetime import date

    return Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))


def test_one_card_per_representative_not_per_bot(synthetic_site: PublishResult) -> None:
    assert sorted(c.agent_id for c in synthetic_site.cards) == [
        "a-kevin", "a-lee", "a-maria", "a-priya", "a-sam", "a-tom",
    ]  # fmt: skip


def test_headline_numbers_match_the_store(synthetic_site: PublishResult, synthetic_store: Store) -> None:
    means = _agent_means_sql(synthetic_store)
    kevin = _card(synthetic_site, "a-kevin")
    assert kevin.contacts == 5  # k1, k2, k3, b2 (second leg), bot1 (after the bot)
    values = {c.criterion: c.value for c in kevin.criteria}
    assert values == pytest.approx(means["a-kevin"])
    # the overall score is the mean of agent criteria only (no rubric file: equal weights)
    assert kevin.overall == pytest.approx(statistics.mean(means["a-kevin"].values()))
    assert {c.criterion for c in kevin.criteria} == {"empathy", "self_worth"}
    for standing in kevin.criteria:
        expected = statistics.median(m[standing.criterion] for m in means.values())
        assert standing.team_median == pytest.approx(expected)
    # the week before: p1 and p2
    assert kevin.previous_overall == pytest.approx((0.55 + 0.65) / 2)


def test_arguing_agent_growth_areas_quote_him_with_better_phrasing(synthetic_site: PublishResult) -> None:
    kevin = _card(synthetic_site, "a-kevin")
    # his missed empathy moment is the same turn as "you should have read the terms": shown once
    assert [a.standing.criterion for a in kevin.growth_areas] == ["self_worth"]
    self_worth = kevin.growth_areas[0]
    said = {m.said: m.better for m in self_worth.moments}
    assert said == {
        "you're reading the statement wrong": (
            "I can see why that looks like a double charge; let me check it with you."
        ),
        "you should have read the terms before signing up": (
            "Let's look at the terms together so it's clear what happened."
        ),
        "Calm down": "I understand this is frustrating — let's find out what changed.",
    }
    first = self_worth.moments[0]
    assert [t.role for t in first.context] == ["customer", "agent"]
    assert (
        first.customer is not None and "[CARD]" in first.customer.text and "4111" not in first.customer.text
    )
    assert any(p.marked and p.text == first.said for p in first.agent.parts)  # type: ignore[union-attr]
    assert len(kevin.growth_areas) <= 2 and all(1 <= len(a.moments) <= 3 for a in kevin.growth_areas)


def test_empathic_agent_gets_strengths_with_quoted_moments(synthetic_site: PublishResult) -> None:
    maria = _card(synthetic_site, "a-maria")
    assert maria.growth_areas == []
    strengths = {a.standing.criterion: a for a in maria.strengths}
    assert set(strengths) == {"empathy", "self_worth"}
    assert strengths["empathy"].moments[0].said == "having your internet drop again and again is exhausting"
    assert strengths["empathy"].moments[0].conversation_id == "m1"


def test_system_problems_are_not_your_fault(synthetic_site: PublishResult) -> None:
    kevin = _card(synthetic_site, "a-kevin")
    fault = kevin.not_your_fault
    assert fault.transfers_in == 2  # b2 by transfer, bot1 from the bot
    assert fault.reexplanations == 1  # b2: the customer re-explains to him (the one to Priya is hers)
    assert {(n.conversation_id, n.kind) for n in fault.notes} == {
        ("b2", "re_explained"),
        ("b2", "cold_transfer"),
        ("b2", "ping_pong"),  # bounced back to Billing, on his leg
    }
    lee = _card(synthetic_site, "a-lee")
    assert lee.not_your_fault.drops == 1  # b1 dropped by the system on his leg
    assert lee.not_your_fault.long_holds >= 1  # bug-spike holds


def test_the_bounced_customer_is_never_a_growth_area(synthetic_site: PublishResult) -> None:
    bounce = {"b1", "b2", "b3", "b4", "b5"}
    for card in synthetic_site.cards:
        for area in card.growth_areas:
            assert not {m.conversation_id for m in area.moments} & bounce, card.agent_id
            assert not any("router" in m.said for m in area.moments)


def test_system_findings_and_scores_never_change_an_agent_score(tmp_path: Path, redactor: Redactor) -> None:
    """Make every system score 0 and add system findings on Kevin's legs: his card's numbers stay."""
    settings, rubric = load_settings(), load_rubric_info()
    with build_store(tmp_path / "s.duckdb") as store:
        first = build_cards(
            store.connection,
            _period(),
            "test-rubric@1.0",
            rubric=rubric,
            settings=settings,
            redactor=redactor,
        )
        before = {c.agent_id: (c.overall, [s.value for s in c.criteria]) for c in first}
        store.connection.execute("UPDATE scores SET value = 0, passed = false WHERE attribution = 'system'")
        (added,) = store.connection.execute(
            "SELECT count(*) FROM findings WHERE agent_id = 'a-kevin'"
        ).fetchone()
        copy = (
            "INSERT INTO findings SELECT conversation_id, seq + {offset}, leg, {turn}, agent_id, department, "
            "scorer, criterion, 'long_hold', 'system', 'negative', char_start, char_end, quote, rule, NULL, "
            "detail, rubric_version FROM findings WHERE agent_id = 'a-kevin' AND seq < 100"
        )
        # on his legs (shown as context), and on his own flagged turns (his moments: not listed)
        store.connection.execute(copy.format(offset=100, turn="NULL"))
        flagged = " AND attribution = 'agent' AND polarity = 'negative'"
        store.connection.execute(copy.format(offset=200, turn="turn") + flagged)
        after_cards = build_cards(
            store.connection,
            _period(),
            "test-rubric@1.0",
            rubric=rubric,
            settings=settings,
            redactor=redactor,
        )
    after = {c.agent_id: (c.overall, [s.value for s in c.criteria]) for c in after_cards}
    assert after == before
    kevin = next(c for c in after_cards if c.agent_id == "a-kevin")
    # shown as context, not scored; a moment that is his own is never also "not your fault"
    assert dict(kevin.not_your_fault.by_kind)["Long hold"] == added
    assert all(n.turn is None for n in kevin.not_your_fault.notes if n.kind == "long_hold")


def test_trend_has_a_point_per_day_and_previous_days(synthetic_site: PublishResult) -> None:
    kevin = _card(synthetic_site, "a-kevin")
    assert kevin.trend_unit == "day"
    assert [p.start for p in kevin.trend][-7:] == [f"2026-11-{d}" for d in range(16, 23)]
    by_day = {p.start: p for p in kevin.trend}
    assert by_day["2026-11-17"].contacts == 2 and by_day["2026-11-17"].value == pytest.approx(
        (0.15 + 0.85) / 2
    )
    assert by_day["2026-11-21"].value is None  # no contacts that day


def test_name_only_agent_ids_merge_into_the_real_one() -> None:
    def leg(conversation: str, agent_id: str, name: str, department: str) -> LegRow:
        return LegRow(conversation, 0, "agent", agent_id, name, department, None, None, None, None, None)

    legs = [
        leg("c1", "a-kevin", "Kevin", "Billing"),
        leg("c2", "Kevin", "Kevin", "Billing"),
        leg("c3", "a-lee", "Lee", "Technical Support"),
        leg("c4", "a-lee-2", "Lee", "Technical Support"),
        leg("c5", "Lee", "Lee", "Technical Support"),  # two real Lees: ambiguous, left alone
        leg("c6", "Sam", "Sam", "Sales"),  # no real Sam
        leg("c7", "Maria", "Maria", "Billing"),
        leg("c8", "a-maria", "Maria", "Technical Support"),  # different department
    ]
    assert agent_aliases(legs) == {"Kevin": "a-kevin"}
