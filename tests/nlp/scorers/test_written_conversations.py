"""Our written multi-turn conversations (``eval/written/conversations.jsonl``): hand-offs across legs,
calls and e-mails, and the customer's trajectory, on the half rubric 1.8.13 was written from.

Before 1.8.13 this half had 3 right of 7 warm transfers flagged, 1 of 2 cold, 5 of 7 referrals and
21 of 32 improved trajectories (now 7 of 7, 6 of 7, 5 of 5, 21 of 27): "You'll need to call our
Retentions team on 0300 ..." was a channel move, "Please explain the situation to them." after a
transfer was warm, "so I can deal with this" was a referral, "by 5pm" a private message, and a calm
request then thanks an improvement.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nlp.analysis import Analyzer
from nlp.rubric import Rubric
from nlp.scoring import score_conversations

pytestmark = [pytest.mark.models, pytest.mark.slow]

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


@functools.cache
def eval_module() -> ModuleType:
    """``scripts/eval_conversations.py`` as a module (it is a script, not part of a package)."""
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("eval_conversations", SCRIPTS / "eval_conversations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev(analyzer: Analyzer, rubric: Rubric) -> tuple[set, set, set, set]:
    """Gold and found finding keys, then gold and found trajectory pairs, of the dev half."""
    evaluation = eval_module()
    conversations, labels, _ = evaluation.load("dev")
    assert len(conversations) == 60
    annotated = analyzer.annotate(conversations)
    results = score_conversations(annotated, rubric, encode=analyzer.encoder.encode)
    findings = evaluation.eval_findings
    gold, found = findings.gold_keys(conversations, labels), set(findings.predicted_keys(results))
    gold_paths, found_paths = findings.trajectory_keys(annotated, results, labels, gold)
    return gold, found, gold_paths, found_paths


HANDOFFS = ["handoff:transfer_warm", "handoff:transfer_cold", "handoff:referral_external"]


@pytest.mark.parametrize("kind", HANDOFFS)
def test_handoffs_are_right_at_least_8_times_in_10(dev: tuple[set, set, set, set], kind: str) -> None:
    gold, found, _, _ = dev
    flagged = {k for k in found if k[0] == kind}
    right = flagged & gold
    assert len(flagged) >= 5 and len(right) >= 0.8 * len(flagged), sorted(flagged - gold)


def test_improved_trajectories_are_right_at_least_3_times_in_4(dev: tuple[set, set, set, set]) -> None:
    _, _, gold, found = dev
    flagged = {k for k in found if k[0] == "trajectory:improved"}
    assert len(flagged & gold) >= 0.75 * len(flagged), sorted(flagged - gold)
