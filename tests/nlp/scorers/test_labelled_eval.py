"""The scorers reach F1 >= 0.85 on the hand-labelled sets (``scripts/eval_scorers.py``, ``make eval``)."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nlp.analysis import Analyzer
from nlp.rubric import Rubric

pytestmark = [pytest.mark.models, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


@functools.cache
def eval_module() -> ModuleType:
    """``scripts/eval_scorers.py`` as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("eval_scorers", ROOT / "scripts" / "eval_scorers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("folder", ["", "holdout", "check"])
def test_each_scorer_reaches_the_target_f1(folder: str, analyzer: Analyzer, rubric: Rubric) -> None:
    evaluation = eval_module()
    data = evaluation.load_labelled(evaluation.LABELLED / folder)
    assert len(data.conversations) >= 40 and data.turn_count >= 75
    report = evaluation.run(data, rubric, analyzer)
    scores = {scorer: report.f1(scorer) for scorer in evaluation.SCORERS}
    assert all(f1 >= 0.85 for f1 in scores.values()), (scores, report.errors)


def test_the_development_set_is_big_enough() -> None:
    data = eval_module().load_labelled()
    conversations = [c for c in data.conversations if len(c.turns) > 2]
    assert len(conversations) >= 30 and data.turn_count >= 150
    assert {k[0] for k in data.gold} == {"empathy.v1", "self_worth.v1", "transfers.v1", "repeats.v1"}
