"""What a scorer is, and the context it scores in.

A scorer is a named, versioned unit (``empathy.v1``) declaring the inputs it reads, the
finding kinds it emits, its parameter model (validated when a rubric loads) and one function::

    def score(conversation, context, params) -> tuple[list[CriterionScore], list[Finding]]

``context`` gives it the criterion (threshold, weight, suggestions, default attribution), the
rubric version, compiled patterns and exemplar similarity, and the earlier contacts of the
customer's journey; its helpers stamp every score and finding with those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from nlp.findings import Attribution, CriterionScore, Evidence, Finding, Polarity
from nlp.patterns import PatternSet
from nlp.rubric_model import Criterion
from nlp.scorers.matching import ExemplarMatch, Hit, PatternLibrary
from nlp.scorers.params import ScorerParams
from transcripts.model import Leg

ScoreResult = tuple[list[CriterionScore], list[Finding]]
ScoreFunction = Callable[[AnnotatedConversation, "ScoringContext", Any], ScoreResult]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.v[0-9]+$")

# Inputs a scorer may declare: what it reads from the annotated conversation and its context.
INPUTS = frozenset({"doc", "embedding", "sentiment", "signals", "trajectory", "legs", "events", "journey"})


@dataclass(frozen=True)
class Scorer:
    """A registered scorer: name with version, what it reads, what it emits, and how.

    ``kinds`` maps every finding kind it can emit to the words pages use for it (rubric
    ``suggestions`` are keyed by the kinds); ``params`` is its
    :class:`~nlp.scorers.params.ScorerParams` model.
    """

    name: str
    description: str
    inputs: frozenset[str]
    kinds: Mapping[str, str] = field(hash=False)
    params: type[ScorerParams]
    score: ScoreFunction

    def __post_init__(self) -> None:
        if not NAME_PATTERN.match(self.name):
            raise ValueError(f"scorer name {self.name!r} must look like 'family.v1'")
        unknown = self.inputs - INPUTS
        if unknown:
            raise ValueError(
                f"scorer {self.name!r} declares unknown inputs {sorted(unknown)}; known: {sorted(INPUTS)}"
            )
        if not (isinstance(self.params, type) and issubclass(self.params, ScorerParams)):
            raise TypeError(f"scorer {self.name!r}: params must be a ScorerParams subclass")
        if not isinstance(self.kinds, Mapping) or not self.kinds:
            raise TypeError(f"scorer {self.name!r}: kinds must map each finding kind to its label")
        unlabelled = sorted(
            k for k, label in self.kinds.items() if not (isinstance(label, str) and label.strip())
        )
        if unlabelled:
            raise ValueError(f"scorer {self.name!r}: finding kinds without a label: {unlabelled}")
        object.__setattr__(self, "kinds", MappingProxyType(dict(self.kinds)))


@dataclass(frozen=True)
class JourneyContext:
    """The customer's journey as far as this contact: earlier contacts present in the input."""

    journey_id: str
    position: int  # 0-based position of this contact in the journey
    earlier: tuple[AnnotatedConversation, ...]  # in journey order, only those being scored
    is_last: bool = True  # no later contact of the journey is being scored


@dataclass
class TurnCache:
    """Pattern hits per (pattern file, parse), shared by all criteria of one scoring call.

    Keyed by the turn's ``Doc``: turns repeating a text share one parse (``Analyzer.annotate``),
    and hits depend on the parse alone, so a repeated stock phrase is matched once.
    """

    hits: dict[tuple[int, int], list[Hit]] = field(default_factory=dict)


@dataclass
class ScoringContext:
    """Everything a scorer needs besides the conversation; helpers stamp results consistently."""

    criterion: Criterion
    rubric_version: str
    library: PatternLibrary
    journey: JourneyContext | None = None
    cache: TurnCache = field(default_factory=TurnCache)

    @property
    def scorer(self) -> str:
        """Registered name of the scorer this criterion uses."""
        return self.criterion.scorer

    # --- matching -----------------------------------------------------------------------------

    def hits(self, patterns: PatternSet, turn: AnnotatedTurn) -> list[Hit]:
        """Pattern matches in one turn (computed once per parse and pattern file)."""
        key = (id(patterns), id(turn.doc))
        if key not in self.cache.hits:
            self.cache.hits[key] = self.library.find(patterns, turn.doc)
        return self.cache.hits[key]

    def similar(
        self, patterns: PatternSet, turn: AnnotatedTurn, labels: set[str] | None = None
    ) -> ExemplarMatch | None:
        """The exemplar of ``patterns`` closest to the turn's embedding (None without exemplars)."""
        return self.library.nearest(patterns, turn.embedding, labels)

    # --- results ------------------------------------------------------------------------------

    def criterion_score(
        self,
        conversation: AnnotatedConversation,
        leg: Leg | None,
        value: float | None,
        reason: str,
        attribution: Attribution | None = None,
    ) -> CriterionScore:
        """A score for one leg (or the whole conversation when ``leg`` is None).

        ``passed`` is None when ``value`` is None or the criterion has no threshold.
        """
        threshold = self.criterion.threshold
        if value is not None:
            value = round(min(1.0, max(0.0, float(value))), 4)
        passed = None if value is None or threshold is None else value >= threshold
        return CriterionScore(
            conversation_id=conversation.id,
            leg=leg.index if leg is not None else None,
            agent_id=leg.agent_id if leg is not None else None,
            criterion=self.criterion.id,
            scorer=self.scorer,
            value=value,
            threshold=threshold,
            passed=passed,
            reason=reason,
            rubric_version=self.rubric_version,
            attribution=attribution or self.criterion.attribution,
        )

    def finding(
        self,
        kind: str,
        polarity: Polarity,
        evidence: Evidence,
        leg: Leg | None,
        attribution: Attribution | None = None,
        detail: dict[str, Any] | None = None,
        variant: str | None = None,
    ) -> Finding:
        """A finding with the rubric's suggestion (kind, then variant) and the leg's agent/department."""
        return Finding(
            scorer=self.scorer,
            criterion=self.criterion.id,
            kind=kind,
            attribution=attribution or self.criterion.attribution,
            polarity=polarity,
            evidence=evidence,
            agent_id=leg.agent_id if leg is not None else None,
            department=leg.department if leg is not None else None,
            suggestion=self.criterion.suggestion(kind, variant) if polarity is Polarity.NEGATIVE else None,
            detail=dict(detail or {}),
        )
