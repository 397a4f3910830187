"""Contact reasons and spikes for a period: queried and formatted here, derived in ``nlp.contact_reasons``.

The baseline is the ``baseline_days`` before the period; when the store holds nothing that
old, the earlier days of the period itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from nlp.contact_reasons import ContactReason, derive_reasons, extract_statements, name_words
from rendering.periods import Period
from rendering.redact import PiiSpan, Redactor, apply_spans
from rendering.settings import SystemicSettings
from rendering.store_queries import OpeningTurns, load_first_customer_turns, representative_names
from rendering.tables import Column, Table

FindPii = Callable[[Sequence[str]], Sequence[Sequence[PiiSpan]]]
EXAMPLE_LINKS = 3
"""Conversations a reason links to when it has no quotes (the table and the report page)."""


@dataclass
class SystemicIssues:
    """All contact reasons of the period, spiking ones first, and how the baseline was taken."""

    period: Period
    baseline: Period | None
    baseline_note: str
    reasons: list[ContactReason]
    statements: int
    unclassified: int

    @property
    def spikes(self) -> list[ContactReason]:
        """Reasons that spiked."""
        return [r for r in self.reasons if r.spiking]

    def table(self) -> Table:
        """The reasons as a report table (exported to CSV)."""
        table = Table(
            "systemic_issues",
            "Contact reasons and spikes",
            "Reasons derived from customers' first issue statements; a reason spikes when a day's count "
            "is well "
            "above its baseline daily mean. " + self.baseline_note,
            [
                Column("reason", "Reason (top terms)"),
                Column("spiking", "Spike"),
                Column("period_customers", "Customers", True),
                Column("period_contacts", "Contacts", True),
                Column("baseline_per_day", "Baseline customers / day", True),
                Column("peak_day", "Peak day"),
                Column("peak_customers", "Peak day customers", True),
                Column("peak_ratio", "Peak vs baseline", True),
                Column("terms", "Top terms"),
            ],
        )
        for r in self.reasons:
            if r.period_count == 0:
                continue
            table.add(
                {
                    "reason": r.label,
                    "spiking": "yes" if r.spiking else "no",
                    "period_customers": r.period_count,
                    "period_contacts": r.period_contacts,
                    "baseline_per_day": round(r.baseline_daily, 2),
                    "peak_day": r.peak_day.isoformat() if r.peak_day else "",
                    "peak_customers": r.peak_count,
                    "peak_ratio": round(r.peak_ratio, 1) if r.peak_ratio is not None else None,
                    "terms": ", ".join(f"{t} ({n})" for t, n in r.top_terms),
                },
                [c for c, _ in r.quotes] or r.conversation_ids[:EXAMPLE_LINKS],
            )
        return table


def find_systemic_issues(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: SystemicSettings,
    redactor: Redactor | None = None,
) -> SystemicIssues:
    """Derive contact reasons over baseline + period and flag the ones that spiked in the period.

    ``redactor`` redacts the example quotes and keeps PII out of terms (words inside the spans
    it finds never become terms); None leaves quotes as they are and finds no PII.
    """
    wanted_baseline = Period(
        period.start - timedelta(days=settings.baseline_days), period.start - timedelta(days=1)
    )
    rows = load_first_customer_turns(con, Period(wanted_baseline.start, period.end))
    policies = _policies(rows)
    find_pii = None if redactor is None else lambda texts: redactor.find_many(texts, (), policies(texts))
    names = name_words(representative_names(con))
    statements, unclassified = extract_statements(rows, settings, find_pii, names)
    before = [s for s in statements if s.started_at.date() < period.start]
    first_day = min((s.started_at.date() for s in before), default=None)
    if first_day is not None:
        baseline: Period | None = Period(first_day, wanted_baseline.end)
        note = f"Baseline: {baseline.label} ({baseline.days} days before the period)."
    else:
        baseline = None
        note = (
            "No contacts before the period are stored, so each day is compared with the earlier days of the "
            "period itself; the first day cannot spike."
        )
    reasons = derive_reasons(statements, period, baseline, settings)
    for r in reasons:
        chosen = set(r.conversation_ids[: settings.example_quotes])
        picks = [s for s in r.statements if s.conversation_id in chosen]
        texts = [s.text for s in picks]
        if find_pii is not None:
            texts = [apply_spans(t, s) for t, s in zip(texts, find_pii(texts), strict=True)]
        r.quotes = list(zip([s.conversation_id for s in picks], texts, strict=True))
        r.keep_examples(max(settings.example_quotes, EXAMPLE_LINKS))
    in_period = sum(1 for s in statements if s.started_at.date() >= period.start)
    return SystemicIssues(period, baseline, note, reasons, in_period, unclassified)


def _policies(rows: Sequence[OpeningTurns]) -> Callable[[Sequence[str]], list[str | None]]:
    """Per stored text, the policy that redacted it at ingest (``Redactor.find_many``'s ``policies``).

    A text that occurs in several conversations counts as redacted by a policy only when all of
    them record that policy.
    """
    policy: dict[str, str | None] = {}
    for row in rows:
        for text in row.texts:
            policy[text] = row.redacted_by if policy.get(text, row.redacted_by) == row.redacted_by else None
    return lambda texts: [policy.get(t) for t in texts]
