"""Contact reasons and spikes: grouping statements, per-term spikes, and the baseline rules."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from nlp.contact_reasons import (
    Statement,
    cluster_statements,
    derive_reasons,
    extract_statements,
    name_words,
    poisson_tail,
    spiking_term_groups,
    statement_terms_from_lemmas,
)
from rendering.contact_reasons import find_systemic_issues
from rendering.periods import Period
from rendering.redact import Redactor
from rendering.settings import SystemicSettings, load_settings
from rendering.store_queries import OpeningTurns, connection_of, representative_names
from storage.store import Store

PERIOD = Period(date(2026, 11, 16), date(2026, 11, 22))
BASELINE = Period(date(2026, 11, 2), date(2026, 11, 15))
SETTINGS = SystemicSettings(min_daily_count=3, ratio=3.0, max_p_value=0.01, term_overlap=0.5)


def _statement(n: int, day: date, terms: str, customer: str | None = None) -> Statement:
    at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=n)
    return Statement(f"c{n}", customer or f"cust{n}", at, terms, tuple(terms.split()))


def _history() -> list[Statement]:
    """Two steady reasons for two weeks, then an app-crash spike on the 20th and 21st."""
    out = []
    n = 0
    for offset in range(-14, 7):
        day = PERIOD.start + timedelta(days=offset)
        out.append(_statement(n := n + 1, day, "bill charge month"))
        if offset % 2 == 0:
            out.append(_statement(n := n + 1, day, "password reset portal"))
    for day, count in ((date(2026, 11, 20), 6), (date(2026, 11, 21), 5)):
        for i in range(count):
            out.append(_statement(n := n + 1, day, "app crash update" if i % 2 else "app update login"))
    return out


def test_terms_are_content_lemmas_minus_ignored() -> None:
    tokens = [
        ("the", "DET"),
        ("app", "NOUN"),
        ("keep", "VERB"),
        ("crash", "VERB"),
        ("!", "PUNCT"),
        ("5.2", "NUM"),
    ]
    assert statement_terms_from_lemmas(tokens, {"keep"}) == ["app", "crash"]


@pytest.mark.models
@pytest.mark.models
def test_representatives_names_never_become_contact_reason_terms() -> None:
    """Customers greet the agent by name ("Hi Kevin"): "charge · kevin · month" is no reason to call."""
    texts = ("Hi Kevin, there's a charge on my bill this month I don't recognise.",)
    rows = [OpeningTurns("c1", "cust1", datetime(2026, 11, 16, 9), texts)]
    [plain], _ = extract_statements(rows, SETTINGS)
    assert "kevin" in plain.terms
    [named], _ = extract_statements(rows, SETTINGS, ignore_words=name_words(["Kevin O'Neil"]))
    assert "kevin" not in named.terms and {"charge", "bill", "month"} <= set(named.terms)


def test_representative_names_come_from_legs_and_agent_speakers(synthetic_store: Store) -> None:
    names = representative_names(connection_of(synthetic_store))
    assert names == sorted(set(names)) and names
    assert all(name.strip() for name in names)


def test_names_and_addresses_never_become_contact_reason_terms(redactor: Redactor) -> None:
    text = "Hi Lee, this is Gareth Pryce. My router keeps dropping since you moved me to 14 Kestrel Lane."
    rows = [OpeningTurns("c1", "cust1", datetime(2026, 11, 17, 9), (text,))]
    settings = load_settings().systemic
    (plain,), _ = extract_statements(rows, settings)
    assert {"gareth", "pryce", "kestrel"} <= set(plain.terms)  # spaCy alone keeps proper nouns
    (statement,), _ = extract_statements(rows, settings, redactor.find_many)
    assert set(statement.terms) == {"router", "drop", "move"}
    assert statement.text == text  # the statement itself is kept; quotes are redacted later


def test_poisson_tail() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert poisson_tail(1, 1.0) == pytest.approx(1 - 0.36788, abs=1e-4)
    assert poisson_tail(9, 0.5) < 1e-6


def test_spiking_terms_group_into_one_issue() -> None:
    statements = _history()
    groups = spiking_term_groups(statements, PERIOD, BASELINE, SETTINGS)
    assert len(groups) == 1
    terms, members = groups[0]
    assert set(terms) >= {"app", "update"}  # "crash" and "login" may join or stay below the threshold
    assert {statements[i].terms[0] for i in members} == {"app"}


def test_steady_reasons_do_not_spike_and_one_customer_calling_often_is_not_a_trend() -> None:
    statements = [s for s in _history() if "app" not in s.terms]
    # one customer calls six times on one day about the same thing
    statements += [
        _statement(900 + i, date(2026, 11, 19), "router plan change", "cust-bounce") for i in range(6)
    ]
    assert spiking_term_groups(statements, PERIOD, BASELINE, SETTINGS) == []


def test_within_period_baseline_when_nothing_older_is_stored() -> None:
    statements = [s for s in _history() if s.started_at.date() >= PERIOD.start]
    groups = spiking_term_groups(statements, PERIOD, None, SETTINGS)
    assert [sorted(t)[0] for t, _ in groups] == ["app"]


def test_a_reason_keeps_only_its_example_statements_and_every_count() -> None:
    reason = next(r for r in derive_reasons(_history(), PERIOD, BASELINE, SETTINGS) if r.spiking)

    def counts() -> tuple:
        return (reason.daily, reason.period_count, reason.baseline_daily, reason.top_terms, reason.spike_days)

    before = counts()
    first = reason.conversation_ids[:3]
    assert len(reason.statements) > 3
    reason.keep_examples(3)
    assert [s.conversation_id for s in reason.statements] == first == reason.conversation_ids
    assert counts() == before


def test_clusters_separate_different_reasons() -> None:
    statements = [
        _statement(1, PERIOD.start, "bill charge month"),
        _statement(2, PERIOD.start, "bill charge twice"),
        _statement(3, PERIOD.start, "password reset portal"),
        _statement(4, PERIOD.start, "password reset login"),
        _statement(5, PERIOD.start, "router light orange"),
    ]
    groups = cluster_statements(statements, similarity=0.3)
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2, 3], [4]]


@pytest.mark.models
def test_synthetic_store_bug_spike_is_the_one_systemic_issue(synthetic_store: Store) -> None:
    issues = find_systemic_issues(connection_of(synthetic_store), PERIOD, load_settings().systemic)
    assert issues.baseline is not None and issues.baseline.end == date(2026, 11, 15)
    assert [set(r.spike_terms) >= {"app"} for r in issues.spikes] == [True]
    spike = issues.spikes[0]
    assert spike.spike_days == [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
    assert {c for c, _ in spike.quotes} <= {f"bug{n}" for n in range(1, 14)}
    assert all("app" in q.lower() for _, q in spike.quotes)
    assert len(spike.statements) <= max(load_settings().systemic.example_quotes, 3) < spike.period_contacts
    # the bounced customer's five contacts are one customer: never a spike
    assert not any("router" in r.label for r in issues.spikes)
    table = issues.table()
    assert table.rows[0]["spiking"] == "yes" and table.rows[0]["period_customers"] == spike.period_count


def test_a_century_long_period_is_one_pass_over_its_days() -> None:
    """``routing-report --from 2000-01-01`` ran past 300 s: each day's baseline summed every earlier day."""
    statements = _history()
    century = Period(date(2000, 1, 1), date(2099, 12, 31))
    started = time.perf_counter()
    groups = spiking_term_groups(statements, century, None, SETTINGS)
    assert time.perf_counter() - started < 10  # a few hundred ms; quadratic took minutes
    assert [sorted(t)[0] for t, _ in groups] == ["app"]
