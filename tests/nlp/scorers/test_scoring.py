"""``nlp.scoring``: running a rubric's scorers, journeys, caching, and a scorer that fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.analysis import Analyzer
from nlp.findings import Attribution
from nlp.rubric import Rubric, ScorerParams
from nlp.scorers.base import Scorer
from nlp.scorers.registry import ScorerRegistry, default_registry
from nlp.scoring import journey_contexts, load_rubric, pattern_library, score_conversations
from tests.nlp.scorers.builders import Score, conversation, journey


class NoParams(ScorerParams):
    """No parameters."""


def explode(conversation, context, params):  # noqa: ANN001, ANN201 - a deliberately broken scorer
    raise RuntimeError("boom")


def test_journey_contexts_give_earlier_contacts_in_order() -> None:
    a, b, c = (
        conversation([("customer", "hi")], id=i, customer_id="cu", started_at=f"2026-10-0{n}T09:00:00Z")
        for n, i in enumerate(("a", "b", "c"), start=1)
    )
    fake = [type("A", (), {"id": x.id})() for x in (a, c)]  # only a and c are being scored
    contexts = journey_contexts(fake, [journey(a, b, c)])  # type: ignore[arg-type]
    assert contexts["a"].earlier == () and contexts["a"].is_last is False
    assert [x.id for x in contexts["c"].earlier] == ["a"] and contexts["c"].position == 2
    assert contexts["c"].is_last is True and "b" not in contexts


@pytest.mark.models
def test_every_score_and_finding_is_stamped(score: Score) -> None:
    [result] = score(
        conversation(
            [
                ("agent", "Billing, Kevin."),
                ("customer", "I've been charged a late fee but I paid on time, this is ridiculous."),
                ("agent", "That's not true. You should have paid earlier. Calm down."),
                ("customer", "Unbelievable."),
            ],
            id="stamped",
        )
    )
    assert result.rubric_version == "default@1.8.15"
    assert {s.criterion for s in result.scores} == {
        "empathy",
        "self_worth",
        "transfers",
        "repeats",
        "customer_trajectory",
    }
    assert all(s.rubric_version == "default@1.8.15" and s.conversation_id == "stamped" for s in result.scores)
    assert {f.kind for f in result.findings} >= {
        "contradict_customer",
        "blame_customer",
        "condescension",
        "missed_opportunity",
    }
    for finding in result.findings:
        assert finding.evidence.conversation_id == "stamped" and finding.evidence.quote
        assert finding.attribution in (Attribution.AGENT, Attribution.SYSTEM)
        assert finding.to_dict()["attribution"] in ("agent", "system")
    line = result.to_dict()
    assert line["conversation_id"] == "stamped" and line["findings"][0]["quote"]


@pytest.mark.models
def test_a_failing_scorer_yields_none_and_the_rest_still_score(tmp_path: Path, analyzer: Analyzer) -> None:
    registry = ScorerRegistry([default_registry().get("self_worth.v1")])
    registry.register(Scorer("explode.v1", "always fails", frozenset({"doc"}), {"x": "X"}, NoParams, explode))
    patterns = Path(__file__).resolve().parents[3] / "rubrics" / "patterns" / "self_worth.jsonl"
    path = tmp_path / "r.yaml"
    path.write_text(
        "rubric: {id: t, version: '1', name: T}\n"
        "criteria:\n"
        "  - {id: broken, name: Broken, scorer: explode.v1}\n"
        "  - id: self_worth\n    name: Self-worth\n    scorer: self_worth.v1\n"
        f"    params:\n      patterns: {patterns}\n"
        "      kinds: {blame_customer: {polarity: negative, weight: 0.3}}\n"
    )
    rubric = load_rubric(path, registry)
    annotated = analyzer.annotate([conversation([("agent", "You should have called earlier.")], id="x")])
    [result] = score_conversations(annotated, rubric, registry=registry, encode=analyzer.encoder.encode)
    broken, language = result.scores
    assert (broken.criterion, broken.value, broken.passed) == ("broken", None, None)
    assert broken.reason == "scorer failed: RuntimeError: boom"
    assert language.value == pytest.approx(0.7)


def test_compiled_patterns_are_cached_per_rubric_and_encoder() -> None:
    rubric = load_rubric()

    def encode(texts):  # noqa: ANN001, ANN202
        raise AssertionError("not called until exemplars are needed")

    first = pattern_library(rubric, encode)
    assert pattern_library(rubric, encode) is first
    assert pattern_library(rubric, None) is not first


def test_a_repeated_phrase_is_matched_once_per_batch_and_scores_as_alone(
    analyzer: Analyzer, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock = "I'm sorry to hear that, I completely understand how frustrating this must be."
    items = [
        conversation(
            [
                ("customer", "My internet has been down for three days and nobody calls back."),
                ("agent", stock),
                ("agent", "That's our policy, you should have read the contract."),
            ],
            id="a",
        ),
        conversation(
            [("customer", "I was billed twice this month, I'm really annoyed."), ("agent", stock)], id="b"
        ),
    ]
    alone = [
        score_conversations(analyzer.annotate([c]), rubric, encode=analyzer.encoder.encode)[0] for c in items
    ]
    calls: list[tuple[int, int]] = []
    library = pattern_library(rubric, analyzer.encoder.encode)
    real_find = type(library).find

    def counting_find(self, patterns, doc):  # noqa: ANN001, ANN202
        calls.append((id(patterns), id(doc)))
        return real_find(self, patterns, doc)

    monkeypatch.setattr(type(library), "find", counting_find)
    annotated = analyzer.annotate(items)
    assert annotated[0].turns[1].doc is annotated[1].turns[1].doc
    together = score_conversations(annotated, rubric, encode=analyzer.encoder.encode)
    assert calls and len(calls) == len(set(calls))  # each (pattern file, parse) matched once
    assert {key for key in calls if key[1] == id(annotated[0].turns[1].doc)}
    for x, y in zip(together, alone, strict=True):
        assert (x.scores, x.findings) == (y.scores, y.findings)
