"""Which criteria a card shows as growth areas and strengths, and which moments illustrate each.

- A **growth area** is a criterion with flagged moments where the rep is below the pass mark,
  below the team median, or failed some scored contact; below the pass mark first, then furthest
  below the median, then most flagged.
- A **strength** is a criterion at or above both the rubric's pass mark and the team median,
  with more really good moments (:func:`nlp.coaching.moments.really_good`) than flagged ones;
  furthest above the median first.
- Growth areas pick their moments first; no moment is shown twice on one card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from nlp.coaching.moments import MomentKey, flagged_turns, moment_turns, really_good
from nlp.coaching.rows import FindingLike, TurnLike
from nlp.coaching.standings import CriterionStanding

F = TypeVar("F", bound=FindingLike)


class CardLimits(Protocol):
    """How much a card shows (``rendering.settings.CardSettings``)."""

    max_strengths: int
    max_growth_areas: int
    max_moments: int
    min_scored_legs: int


@dataclass(frozen=True)
class FocusChoice(Generic[F]):
    """A strength or growth area and the findings chosen to illustrate it, best first."""

    standing: CriterionStanding
    findings: tuple[F, ...]


@dataclass(frozen=True)
class FocusChoices(Generic[F]):
    """A card's strengths and growth areas, and every moment the rep owns on it."""

    strengths: tuple[FocusChoice[F], ...]
    growth_areas: tuple[FocusChoice[F], ...]
    owned: frozenset[MomentKey]


def _moment_rank(f: FindingLike) -> tuple[int, int, int]:
    return (0 if f.suggestion else 1, 0 if f.quote else 1, 0 if f.turn is not None else 1)


def pick_findings(
    findings: Iterable[F],
    limit: int,
    turns: Mapping[str, Sequence[TurnLike]],
    seen_turns: set[MomentKey],
) -> list[F]:
    """Up to ``limit`` quotable findings, spread over kinds and conversations.

    Each pick prefers a kind and a conversation not shown yet, then findings with a better
    phrasing and a quote. A moment whose turns the card already shows (``seen_turns``, updated)
    is skipped, so no card lists one moment twice.
    """
    pool = sorted((f for f in findings if f.turn is not None), key=_moment_rank)
    picked: list[F] = []
    while pool and len(picked) < limit:
        kinds = {f.kind for f in picked}
        conversations = {f.conversation_id for f in picked}
        best = min(
            pool,
            key=lambda f: (f.kind in kinds, f.conversation_id in conversations, _moment_rank(f)),
        )
        pool.remove(best)
        covered = moment_turns(best, turns)
        if covered & seen_turns:
            continue
        seen_turns |= covered
        picked.append(best)
    return picked


def needs_growth(c: CriterionStanding) -> bool:
    """Below the pass mark, below the team median, or failed on some scored contact."""
    assert c.value is not None
    return (
        (c.threshold is not None and c.value < c.threshold)
        or (c.vs_median or 0.0) < 0
        or c.passed_legs < c.scored_legs
    )


def earned(c: CriterionStanding) -> bool:
    """At or above both the rubric's pass mark and the team median."""
    if c.value is None:
        return False
    at_pass = c.threshold is None or c.value >= c.threshold
    at_median = c.team_median is None or c.value >= c.team_median - 1e-9
    return at_pass and at_median


def strengths(
    candidates: Sequence[CriterionStanding],
    positive: Mapping[str, Sequence[FindingLike]],
    negative: Mapping[str, Sequence[FindingLike]],
) -> list[CriterionStanding]:
    """Criteria :func:`earned`, with more really good moments than flagged ones, best first."""

    def rank(c: CriterionStanding) -> tuple[float, int, float]:
        return (-(c.vs_median or 0.0), -len(positive.get(c.criterion, ())), -(c.value or 0.0))

    quotable = [
        c
        for c in candidates
        if earned(c) and len(positive.get(c.criterion, ())) > len(negative.get(c.criterion, ()))
    ]
    return sorted(quotable, key=rank)


def choose_focus(
    criteria: Sequence[CriterionStanding],
    findings: Sequence[F],
    turns: Mapping[str, Sequence[TurnLike]],
    limits: CardLimits,
) -> FocusChoices[F]:
    """Growth areas, strengths and the moments the rep owns (``findings``: the rep's own).

    The owned set is every flagged turn and every shown moment.
    """
    scored = [c for c in criteria if c.value is not None and c.scored_legs >= limits.min_scored_legs]
    flagged = flagged_turns(findings, turns)
    negative: dict[str, list[F]] = defaultdict(list)
    positive: dict[str, list[F]] = defaultdict(list)
    for f in findings:
        if f.polarity == "negative":
            negative[f.criterion].append(f)
    for f in really_good(findings, flagged, turns):
        positive[f.criterion].append(f)

    candidates = [c for c in scored if negative[c.criterion] and needs_growth(c)]
    candidates.sort(
        key=lambda c: (
            0 if c.threshold is not None and c.value is not None and c.value < c.threshold else 1,
            c.vs_median if c.vs_median is not None else 0.0,
            -len(negative[c.criterion]),
        )
    )
    shown: set[MomentKey] = set()
    growth: list[FocusChoice[F]] = []
    for c in candidates:
        if len(growth) == limits.max_growth_areas:
            break
        picked = pick_findings(negative[c.criterion], limits.max_moments, turns, shown)
        if picked:
            growth.append(FocusChoice(c, tuple(picked)))
    chosen = {g.standing.criterion for g in growth}
    good: list[FocusChoice[F]] = []
    for c in strengths([c for c in scored if c.criterion not in chosen], positive, negative):
        if len(good) == limits.max_strengths:
            break
        picked = pick_findings(positive[c.criterion], limits.max_moments, turns, shown)
        if picked:
            good.append(FocusChoice(c, tuple(picked)))
    return FocusChoices(tuple(good), tuple(growth), frozenset(flagged | shown))
