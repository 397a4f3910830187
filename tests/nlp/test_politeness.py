"""Politeness strategies on the real spaCy parse, and the shipped politeness head on the real encoder pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from configfile import ConfigFileError
from nlp.analysis import Analyzer
from nlp.politeness import STRATEGIES_PATH, PolitenessStrategies, strategy_rows
from nlp.signals import SignalHeads
from transcripts.model import Conversation

pytestmark = pytest.mark.models

STRATEGY_CASES = [
    ("Could you please check the settings for me?", {"counterfactual", "please"}, {"please_start"}),
    ("Why would you do that?", {"direct_question", "second_person"}, {"gratitude"}),
    ("@AdobeCare Please DM us. Thanks!", {"please_start", "gratitude", "first_person_plural"}, {"please"}),
    ("Hi there, sorry for the trouble.", {"greeting", "apologizing"}, {"direct_question"}),
    ("I think, by the way, that in fact it works.", {"hedge_subject", "indirect_btw", "factuality"}, set()),
    ("So what is your problem?", {"direct_start", "direct_question"}, {"counterfactual"}),
    ("Can you send it again? We appreciate it.", {"indicative", "gratitude"}, {"counterfactual"}),
]


@pytest.mark.parametrize(("text", "present", "absent"), STRATEGY_CASES)
def test_strategies_found_in_real_parses(analyzer: Analyzer, text: str, present: set, absent: set) -> None:
    found = PolitenessStrategies.load().found(analyzer.nlp(text))
    assert present <= set(found), (text, sorted(found))
    assert not absent & set(found), (text, sorted(found))


def test_strategy_matrix_follows_the_file_order(analyzer: Analyzer) -> None:
    strategies = PolitenessStrategies.load()
    assert strategies.names[0] == "gratitude"
    assert len(set(strategies.names)) == len(strategies.names) >= 19
    docs = [analyzer.nlp(t) for t in ("Thanks!", "Why?")]
    rows = strategies.matrix(docs)
    assert rows.shape == (2, len(strategies.names))
    assert rows[0].tolist() == [1.0 if n == "gratitude" else 0.0 for n in strategies.names]
    assert rows[1, strategies.names.index("direct_question")] == 1.0


def test_a_broken_strategy_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "strategies.jsonl"
    lines = STRATEGIES_PATH.read_text(encoding="utf-8").splitlines()[:8]
    path.write_text("\n".join([*lines, '{"label": "please", "patern": "please"}']) + "\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=rf"{path.name}.*9"):
        PolitenessStrategies.load(path)


def test_the_heads_were_trained_with_the_shipped_strategy_file() -> None:
    assert SignalHeads.load().strategy_names == PolitenessStrategies.load().names


def _agent_signals(analyzer: Analyzer, texts: list[str]) -> list[float]:
    conversation = Conversation.model_validate(
        {
            "id": "p",
            "channel": "chat",
            "turns": [{"index": i, "role": "agent", "text": t} for i, t in enumerate(texts)],
        }
    )
    return [t.signals["politeness"]["impolite"] for t in analyzer.annotate([conversation])[0].turns]


# Requests from the paper's other community (Stack Exchange-style, written for this test) and
# agent replies: each impolite one must score as more impolite than its polite counterpart.
PAIRS = [
    (
        "Why would you post this without reading the documentation first?",
        "Could you please share which version you're using? Thanks so much for your help!",
    ),
    (
        "What is wrong with your code? Did you even test it?",
        "Hi, I think there may be a typo on line 3 - would you mind checking? Thanks!",
    ),
    (
        "You need to read the terms before complaining.",
        "Sorry for the trouble! Could you send us your order number so we can take a look?",
    ),
]


@pytest.mark.parametrize(("impolite", "polite"), PAIRS)
def test_an_impolite_request_scores_more_impolite_than_a_polite_one(
    analyzer: Analyzer, impolite: str, polite: str
) -> None:
    rude, kind = _agent_signals(analyzer, [impolite, polite])
    assert rude > 0.5 > kind, (rude, kind)


def test_politeness_head_is_calibrated_on_grouped_folds() -> None:
    spec = SignalHeads.load().meta["heads"]["politeness"]
    assert spec["strategies"] is True and spec["context"] is False
    assert spec["grouped_cv_accuracy"] >= 0.8
    assert spec["calibration_items"] == sum(spec["counts"]["train"].values())


def test_strategy_rows_only_for_wanted_turns_and_shared_parses(analyzer: Analyzer) -> None:
    strategies = PolitenessStrategies.load()
    thanks, why = analyzer.nlp("Thanks, could you check?"), analyzer.nlp("Why?")
    rows = strategy_rows(strategies, [thanks, why, thanks, why], [True, False, True, True])
    assert rows[0].tolist() == rows[2].tolist() == strategies.matrix([thanks])[0].tolist()
    assert rows[0].sum() >= 2
    assert rows[1].sum() == 0.0
    assert rows[3].tolist() == strategies.matrix([why])[0].tolist()


def test_analysis_refuses_a_strategy_file_the_heads_were_not_trained_with(
    analyzer: Analyzer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "strategies.jsonl"
    kept = [
        line for line in STRATEGIES_PATH.read_text(encoding="utf-8").splitlines() if '"greeting"' not in line
    ]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    monkeypatch.setitem(analyzer.__dict__, "strategies", PolitenessStrategies.load(path))
    conversation = Conversation.model_validate(
        {"id": "s", "channel": "chat", "turns": [{"index": 0, "role": "agent", "text": "Hi there!"}]}
    )
    with pytest.raises(ValueError, match="retrain"):
        analyzer.annotate([conversation])
