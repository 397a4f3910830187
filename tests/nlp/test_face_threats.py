"""The face-threat head (``nlp/face_threats.py``): shipped weights on the real encoder pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from nlp.analysis import Analyzer
from nlp.encoder import Encoder
from nlp.face_threats import FACE_DIR, FACE_HEAD, KIND_SIGNAL, FaceThreatHead, shipped_calibration
from nlp.models import ModelLoadError
from nlp.scorers.learned import cutoff
from transcripts.model import Conversation

pytestmark = pytest.mark.models

KINDS = {"blame_customer", "contradict_customer", "condescension", "stonewall", "blame_colleague"}


def test_cutoffs_rise_with_the_precision_asked_for() -> None:
    calibration = shipped_calibration()
    cuts = [calibration.cutoff(p) for p in (0.5, 0.7, 0.8, 0.9, 0.95)]
    assert cuts == sorted(cuts)
    assert 0.0 < cuts[4] < 1.0  # the model decides alone at the rubric's 95 % calibrated precision
    assert cutoff(FACE_HEAD, "true", 0.95) == cuts[4]


def _agent_signals(analyzer: Analyzer, replies: list[str]) -> list[dict[str, dict[str, float]]]:
    conversations = [
        Conversation.model_validate(
            {
                "id": f"f{n}",
                "channel": "chat",
                "turns": [
                    {"index": 0, "role": "customer", "text": "My parcel never turned up and I was charged."},
                    {"index": 1, "role": "agent", "text": reply},
                ],
            }
        )
        for n, reply in enumerate(replies)
    ]
    return [c.turns[1].signals for c in analyzer.annotate(conversations)]


THREATS = [
    ("The night shift over there couldn't organise a queue, so no surprise they lost it.", "blame_colleague"),
    ("The tracking says it was handed to you at 2:14, so it arrived.", "contradict_customer"),
]
CLEAN = [
    "Thanks, I've found the order. The refund went through this morning and should show in three days.",
    "That one's on us: the label printed with the wrong postcode. I've sent a new one by courier.",
    "Could you read me the number on the back of the router?",
]


def test_threats_in_open_language_read_as_threats_of_their_kind(analyzer: Analyzer) -> None:
    bar = cutoff(FACE_HEAD, "true", 0.95)
    for (text, kind), signals in zip(THREATS, _agent_signals(analyzer, [t for t, _ in THREATS]), strict=True):
        assert signals[FACE_HEAD]["true"] >= bar, text
        kinds = signals[KIND_SIGNAL]
        assert set(kinds) == KINDS
        assert max(kinds, key=kinds.__getitem__) == kind, (text, kinds)


def test_plain_and_owning_replies_read_clean(analyzer: Analyzer) -> None:
    bar = cutoff(FACE_HEAD, "true", 0.8)
    for text, signals in zip(CLEAN, _agent_signals(analyzer, CLEAN), strict=True):
        assert signals[FACE_HEAD]["true"] < bar, text
        assert signals[FACE_HEAD]["true"] + signals[FACE_HEAD]["false"] == pytest.approx(1.0, abs=1e-3)


def test_customer_turns_get_no_face_signals(analyzer: Analyzer) -> None:
    [annotated] = analyzer.annotate(
        [
            Conversation.model_validate(
                {
                    "id": "roles",
                    "channel": "chat",
                    "turns": [
                        {"index": 0, "role": "customer", "text": "You people are useless."},
                        {"index": 1, "role": "agent", "text": "You people are useless."},
                    ],
                }
            )
        ]
    )
    customer, agent = annotated.turns
    assert FACE_HEAD not in customer.signals and KIND_SIGNAL not in customer.signals
    assert FACE_HEAD in agent.signals


def test_the_head_runs_on_the_flagged_texts_only_and_gives_them_what_it_gives_alone(encoder: Encoder) -> None:
    head = FaceThreatHead.load(encoder)
    texts = [THREATS[0][0], CLEAN[0], THREATS[1][0], "ok"]
    flags = [True, False, True, False]
    both = encoder.run(texts, heads=[head.head], only={FACE_HEAD: flags}).head_outputs[FACE_HEAD]
    alone = encoder.run([texts[0], texts[2]], heads=[head.head]).head_outputs[FACE_HEAD]
    assert both.shape == (4, 6)
    assert not both[[1, 3]].any()
    np.testing.assert_allclose(both[[0, 2]], alone, atol=2e-3)


def test_no_flagged_text_gives_an_empty_output(encoder: Encoder) -> None:
    head = FaceThreatHead.load(encoder)
    result = encoder.run(["one", "two"], heads=[head.head], only={FACE_HEAD: [False, False]})
    assert result.head_outputs[FACE_HEAD].shape == (2, 0)


def test_a_missing_or_broken_head_names_itself_and_how_to_retrain(encoder: Encoder, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="face-threat head .*make train-face-threats"):
        FaceThreatHead.load(encoder, tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(FACE_DIR, broken)
    (broken / "head.safetensors").write_bytes(b"not weights")
    with pytest.raises(ModelLoadError, match="face-threat head"):
        FaceThreatHead.load(encoder, broken)
