"""The base of every scorer's parameter model (validated when a rubric names the scorer)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from nlp.patterns import PatternSet


class ScorerParams(BaseModel):
    """Base of every scorer's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def suggestion_variants(self) -> frozenset[str]:
        """Variants a ``suggestions`` key may name after its kind (``kind/variant``); none by default."""
        return frozenset()


def pattern_fields(params_model: type[BaseModel]) -> list[str]:
    """Names of the parameters of ``params_model`` that are pattern files."""
    return [name for name, f in params_model.model_fields.items() if f.annotation is PatternSet]
