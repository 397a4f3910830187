"""The rubric as code uses it: identity, criteria as written, validated criteria and the loaded rubric.

No loading here (``nlp.rubric`` reads and validates files) and nothing from the scorers, so
that scorers can name :class:`Criterion` without an import circle::

    rubric.version                     # "default@1.0.0", stored with every score
    rubric.criterion("empathy").params.response_similarity
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nlp.findings import Attribution


class RubricIdentity(BaseModel):
    """Who the rubric is and which version: ``id@version`` is stored with every score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    version: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = ""


class CriterionSpec(BaseModel):
    """A criterion as written in YAML (parameters checked afterwards against its scorer)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str = ""
    scorer: str
    weight: float = Field(1.0, ge=0.0)
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    attribution: Attribution = Attribution.AGENT
    params: dict[str, Any] = Field(default_factory=dict)
    suggestions: dict[str, str] = Field(default_factory=dict)


class RubricFileSpec(BaseModel):
    """The top level of a rubric file."""

    model_config = ConfigDict(extra="forbid")

    rubric: RubricIdentity
    extends: str | None = None
    criteria: list[dict[str, Any]] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Criterion:
    """A validated criterion: its scorer exists and its parameters fit that scorer.

    ``attribution`` is the default for the criterion's findings; a scorer may tag single
    findings otherwise (e.g. a missing transfer hand-off is the agent's in a system criterion).
    """

    id: str
    name: str
    description: str
    scorer: str
    weight: float
    threshold: float | None
    attribution: Attribution
    params: Any  # the scorer's ScorerParams subclass instance
    suggestions: Mapping[str, str]
    source: str  # file:line where the criterion was (last) defined

    def suggestion(self, kind: str, variant: str | None = None) -> str | None:
        """The rubric's better phrasing for a finding kind (``kind/variant`` first), if it has one."""
        if variant is not None and f"{kind}/{variant}" in self.suggestions:
            return self.suggestions[f"{kind}/{variant}"]
        return self.suggestions.get(kind)


@dataclass(eq=False)
class Rubric:
    """A loaded rubric: its identity, its enabled criteria in order, and where it came from."""

    info: RubricIdentity
    criteria: tuple[Criterion, ...]
    source: str
    extends: tuple[str, ...] = ()  # versions of the rubrics it builds on, nearest first
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # compiled patterns, per process

    @property
    def version(self) -> str:
        """``id@version``: what every stored score records."""
        return f"{self.info.id}@{self.info.version}"

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; an unknown id lists the valid ones."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        valid = ", ".join(c.id for c in self.criteria)
        raise KeyError(f"rubric {self.version} has no criterion {criterion_id!r}; criteria: {valid}")

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["cache"] = {}  # compiled matchers and encoders stay in the process that built them
        return state
