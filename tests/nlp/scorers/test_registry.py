"""The scorer registry: explicit, rejects duplicates and bad declarations, lists valid names."""

from __future__ import annotations

import importlib

import pytest

from nlp.findings import CriterionScore
from nlp.rubric import ScorerParams
from nlp.scorers.base import Scorer
from nlp.scorers.registry import DuplicateScorerError, ScorerRegistry, UnknownScorerError, default_registry


class NoParams(ScorerParams):
    """No parameters."""


def _noop(conversation: object, context: object, params: object) -> tuple[list[CriterionScore], list]:
    return [], []


def make(name: str, inputs: frozenset[str] = frozenset({"doc"})) -> Scorer:
    return Scorer(
        name=name, description="test", inputs=inputs, kinds={"x": "X"}, params=NoParams, score=_noop
    )


def test_default_registry_lists_the_shipped_scorers() -> None:
    assert default_registry().names() == [
        "customer_trajectory.v1",
        "empathy.v1",
        "repeats.v1",
        "self_worth.v1",
        "transfers.v1",
    ]
    for name in default_registry().names():
        scorer = default_registry().get(name)
        assert scorer.kinds and scorer.inputs and scorer.params.__doc__
        assert "Example::" in (importlib.import_module(scorer.score.__module__).__doc__ or "")


def test_duplicate_names_are_rejected() -> None:
    registry = ScorerRegistry([make("tone.v1")])
    with pytest.raises(DuplicateScorerError, match="'tone.v1' is already registered"):
        registry.register(make("tone.v1"))
    registry.register(make("tone.v2"))  # a new version is a new name
    assert registry.names() == ["tone.v1", "tone.v2"]


def test_unknown_name_lists_valid_ones() -> None:
    with pytest.raises(UnknownScorerError) as caught:
        default_registry().get("empathy.v9")
    assert "valid scorers: customer_trajectory.v1, empathy.v1" in str(caught.value)
    assert default_registry().find("empathy.v9") is None


@pytest.mark.parametrize("name", ["empathy", "Empathy.v1", "empathy.1", "empathy.v1.2", ""])
def test_names_must_be_namespaced_and_versioned(name: str) -> None:
    with pytest.raises(ValueError, match="must look like"):
        make(name)


def test_declared_inputs_must_be_known() -> None:
    with pytest.raises(ValueError, match="unknown inputs \\['telepathy'\\]"):
        make("tone.v1", frozenset({"doc", "telepathy"}))


def test_params_must_be_a_scorer_params_model() -> None:
    with pytest.raises(TypeError, match="ScorerParams"):
        Scorer("tone.v1", "", frozenset(), frozenset(), dict, _noop)  # type: ignore[arg-type]


@pytest.mark.parametrize("kinds", [frozenset({"x"}), {}, {"x": ""}, {"x": 3}])
def test_every_finding_kind_is_declared_with_its_label(kinds: object) -> None:
    with pytest.raises((TypeError, ValueError), match="label"):
        Scorer("tone.v1", "", frozenset(), kinds, NoParams, _noop)  # type: ignore[arg-type]


def test_pages_label_every_kind_the_scorers_emit_as_the_scorers_declare() -> None:
    from rendering.rubric_info import load_rubric_info

    info = load_rubric_info()
    registry = default_registry()
    for name in registry.names():
        for kind, label in registry.get(name).kinds.items():
            assert info.kind_label(kind) == label


def test_two_scorers_cannot_label_one_kind_differently() -> None:
    registry = ScorerRegistry(
        [make("a.v1"), Scorer("b.v1", "", frozenset(), {"x": "Other"}, NoParams, _noop)]
    )
    with pytest.raises(ValueError, match="labelled both 'X' and 'Other'"):
        registry.kind_labels()
