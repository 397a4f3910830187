"""Scoring the bundled examples surfaces the planted stories of ``examples/README.md``.

* the bounced customer (cust-1007): re-explanations attributed to the system, Billing <-> Technical
  Support ping-pong, a journey chain, and no agent blamed for the re-explaining;
* the arguing agent (Kevin): agent self-worth findings with his quotes and better phrasings;
* the empathic recovery (C-1204, Sofia): positive empathy findings and an improving trajectory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.analysis import Analyzer
from nlp.attribution import agent_leg_scores
from nlp.findings import Attribution, ConversationScores, Polarity
from nlp.rubric import Rubric
from nlp.scoring import score_conversations
from transcripts.journeys import ContactSpan, build_journeys
from transcripts.model import Conversation
from transcripts.read import read_path

pytestmark = [pytest.mark.models, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BOUNCED = ["C-1101", "C-1102", "C-1103", "C-1201", "C-1202", "C-1301"]
KEVIN = ["C-1003", "C-1105", "C-1203", "C-1302", "C-1409", "C-1508", "C-1604"]


@pytest.fixture(scope="module")
def results(analyzer: Analyzer, rubric: Rubric) -> dict[str, ConversationScores]:
    conversations = [r for r in read_path(EXAMPLES) if isinstance(r, Conversation)]
    journeys = build_journeys(ContactSpan.of(c) for c in conversations)
    annotated = analyzer.annotate(conversations)
    scored = score_conversations(annotated, rubric, journeys, encode=analyzer.encoder.encode)
    return {r.conversation_id: r for r in scored}


def test_bounced_customer_is_a_routing_failure_not_the_agents(results: dict[str, ConversationScores]) -> None:
    findings = [f for cid in BOUNCED for f in results[cid].findings]
    re_explained = [f for f in findings if f.kind == "re_explained"]
    assert len({f.evidence.conversation_id for f in re_explained}) >= 4
    assert all(f.attribution is Attribution.SYSTEM for f in re_explained)
    quotes = " ".join(f.evidence.quote for f in re_explained)
    assert "As I just explained to your colleague in billing" in quotes
    assert "I've told the same story to six people." in quotes
    ping_pong = [f for f in findings if f.kind == "ping_pong"]
    assert ping_pong and all(f.attribution is Attribution.SYSTEM for f in ping_pong)
    assert {tuple(f.detail["departments"]) for f in ping_pong} >= {("billing", "tech_support", "billing")}
    [chain] = [f for f in findings if f.kind == "transfer_chain"]
    assert chain.evidence.conversation_id == "C-1301" and chain.detail["contacts"] == 6
    assert not [
        f for f in findings if f.kind == "repeated_to_agent" and f.evidence.conversation_id == "C-1102"
    ]
    routing = [
        s
        for cid in ("C-1101", "C-1202")
        for s in results[cid].scores
        if s.criterion == "transfers" and s.leg is None
    ]
    assert all(s.attribution is Attribution.SYSTEM and s.passed is False for s in routing)


def test_bounced_customers_final_contact_is_a_strength(
    results: dict[str, ConversationScores], rubric: Rubric
) -> None:
    c1301 = results["C-1301"]
    assert not [
        f for f in c1301.findings if f.polarity is Polarity.NEGATIVE and f.attribution is Attribution.AGENT
    ]
    [sofia] = [s for s in agent_leg_scores(c1301.scores, rubric) if s.agent_id == "a-sofia"]
    assert sofia.value is not None and sofia.value >= 0.8


def test_arguing_agent_gets_quoted_self_worth_findings(results: dict[str, ConversationScores]) -> None:
    kevin = [
        f
        for cid in KEVIN
        for f in results[cid].findings
        if f.scorer == "self_worth.v1" and f.agent_id == "a-kevin" and f.polarity is Polarity.NEGATIVE
    ]
    assert all(f.attribution is Attribution.AGENT and f.suggestion for f in kevin)
    by_kind = {f.kind: [] for f in kevin}
    for f in kevin:
        by_kind[f.kind].append(f.evidence.quote)
    assert set(by_kind) == {
        "contradict_customer",
        "blame_customer",
        "condescension",
        "stonewall",
        "blame_colleague",
    }
    assert "You're wrong about that." in by_kind["contradict_customer"]
    assert "That's not true, the app works fine." in by_kind["contradict_customer"]
    assert any(q.startswith("You should have read the terms") for q in by_kind["blame_customer"])
    assert "Calm down, sir." in by_kind["condescension"]
    assert any("sales team messed this up" in q for q in by_kind["blame_colleague"])
    assert len(by_kind["stonewall"]) >= 4


def test_arguing_agent_scores_lowest(results: dict[str, ConversationScores], rubric: Rubric) -> None:
    per_agent: dict[str, list[float]] = {}
    for result in results.values():
        for leg in agent_leg_scores(result.scores, rubric):
            if leg.agent_id and leg.value is not None:
                per_agent.setdefault(leg.agent_id, []).append(leg.value)
    means = {agent: sum(v) / len(v) for agent, v in per_agent.items() if len(v) >= 5}
    assert min(means, key=means.get) == "a-kevin"  # type: ignore[arg-type]
    self_worth = [
        s.value
        for cid in KEVIN
        for s in results[cid].scores
        if s.criterion == "self_worth" and s.value is not None
    ]
    assert sum(self_worth) / len(self_worth) < 0.5


def test_empathic_recovery_is_positive(results: dict[str, ConversationScores]) -> None:
    c1204 = results["C-1204"]
    responded = [f for f in c1204.findings if f.kind == "responded"]
    assert len(responded) >= 2 and all(f.polarity is Polarity.POSITIVE for f in responded)
    quotes = " ".join(f.evidence.quote for f in responded)
    assert "I'm really sorry" in quotes
    [trajectory] = [s for s in c1204.scores if s.criterion == "customer_trajectory"]
    assert trajectory.value is not None and trajectory.value > 0.7
    assert "arrived upset" in trajectory.reason
    assert any(f.kind == "recovered" for f in c1204.findings)
    assert {"acknowledge_view", "can_do"} <= {f.kind for f in c1204.findings}


def test_tomas_re_asks_are_his_and_after_transfer_are_not(results: dict[str, ConversationScores]) -> None:
    reasked = [
        (f.evidence.conversation_id, f.kind, f.attribution)
        for r in results.values()
        for f in r.findings
        if f.kind in ("reasked_info", "reasked_after_transfer") and f.agent_id == "a-tomas"
    ]
    assert len({cid for cid, _, _ in reasked}) >= 8
    assert ("C-1206", "reasked_info", Attribution.AGENT) in reasked
    assert ("C-1101", "reasked_after_transfer", Attribution.SYSTEM) in reasked
    assert all((kind == "reasked_info") == (who is Attribution.AGENT) for _, kind, who in reasked)
