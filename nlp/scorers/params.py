"""The base of every scorer's parameter model (validated when a rubric names the scorer)."""

from __future__ import annotations

from typing import Annotated, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from nlp.patterns import PatternSet


class ScorerParams(BaseModel):
    """Base of every scorer's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def suggestion_variants(self) -> frozenset[str]:
        """Variants a ``suggestions`` key may name after its kind (``kind/variant``); none by default."""
        return frozenset()


def pattern_fields(params_model: type[BaseModel]) -> list[str]:
    """Names of the parameters of ``params_model`` that are pattern files (optional ones too)."""
    return [
        name
        for name, f in params_model.model_fields.items()
        if f.annotation is PatternSet or any(_is_pattern_set(a) for a in get_args(f.annotation))
    ]


def _is_pattern_set(annotation: object) -> bool:
    """``PatternSet`` itself or annotated (``PatternFile``)."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation is PatternSet
