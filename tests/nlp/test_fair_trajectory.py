"""A worsening mood counts against the agent only when the agent's own moments in that leg explain it."""

from __future__ import annotations

import pytest

from nlp.attribution import fair_trajectory
from nlp.findings import Attribution, CriterionScore, Evidence, Finding, Polarity


def finding(scorer: str, kind: str, leg: int, polarity: Polarity = Polarity.NEGATIVE) -> Finding:
    return Finding(
        scorer=scorer, criterion=scorer.split(".")[0], kind=kind, attribution=Attribution.AGENT,
        polarity=polarity, evidence=Evidence("c", leg, 1, quote="..."), agent_id=f"a{leg}",
        suggestion="do better",
    )  # fmt: skip


def trajectory_score(leg: int) -> CriterionScore:
    return CriterionScore("c", leg, f"a{leg}", "customer_trajectory", "customer_trajectory.v1",
                          0.2, 0.5, False, "customer sentiment +0.2 -> -0.6", "default@1.6.0")  # fmt: skip


WORSENED = ("customer_trajectory.v1", "worsened")
CASES = [
    ("missed opportunity in the leg", [("empathy.v1", "missed_opportunity", 0)], Attribution.AGENT),
    ("face threat in the leg", [("self_worth.v1", "stonewall", 0)], Attribution.AGENT),
    ("nothing the agent did", [], Attribution.SYSTEM),
    ("a face threat in another leg", [("self_worth.v1", "stonewall", 1)], Attribution.SYSTEM),
    ("only a good moment", [("empathy.v1", "responded", 0)], Attribution.SYSTEM),
]


@pytest.mark.parametrize(("case", "others", "expected"), CASES, ids=[c[0] for c in CASES])
def test_worsened_blame(case: str, others: list[tuple[str, str, int]], expected: Attribution) -> None:
    findings = [finding(*WORSENED, 0)] + [finding(s, k, leg) for s, k, leg in others]
    scores, fair = fair_trajectory([trajectory_score(0), trajectory_score(1)], findings)
    [worsened] = [f for f in fair if f.kind == "worsened"]
    assert worsened.attribution is expected
    [leg0, leg1] = scores
    assert leg0.attribution is expected and leg1.attribution is Attribution.AGENT
    if expected is Attribution.SYSTEM:
        assert worsened.suggestion is None
        assert worsened.detail["attribution_reason"] == "no agent moment in this leg explains it"
        assert "not explained" in leg0.reason
    else:
        assert worsened.detail["explained_by"][0]["kind"] == others[0][1]
