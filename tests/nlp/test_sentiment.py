"""Sentiment: the signals' sentiment head on service sentences; the LoRA head it reads (size, save/load)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from peft import LoraConfig, inject_adapter_in_model

from nlp.analysis import Analyzer
from nlp.annotated import SentimentLabel
from nlp.encoder import Encoder
from nlp.models import load_encoder_model
from nlp.sentiment import (
    SHIPPED_DIR,
    HeadSpec,
    SentimentHead,
    ShippedSentiment,
    frozen_features,
    save_head,
    sentiments_from_probabilities,
    top_layer_copies,
)
from nlp.signals import FEATURES_HEAD, SENTIMENT_SIGNAL, TurnFeatureHead, model_text

NEGATIVE = [
    "This is the worst customer service I have ever experienced.",
    "You people are useless and I hate dealing with your company.",
    "I am very angry and disappointed, this is terrible.",
    "This is ridiculous, I'm sick of being ignored.",
    "Your service is awful and I'm furious.",
]
POSITIVE = [
    "Thank you so much, you've been incredibly helpful!",
    "That's perfect, I really appreciate your help.",
    "Great, thanks, you made my day!",
    "I'm so happy with the service today, thank you.",
    "You were wonderful, have a lovely day!",
]


@pytest.mark.models
@pytest.mark.parametrize(
    ("text", "label"),
    [(t, SentimentLabel.NEGATIVE) for t in NEGATIVE] + [(t, SentimentLabel.POSITIVE) for t in POSITIVE],
)
def test_obvious_service_sentences(analyzer: Analyzer, text: str, label: SentimentLabel) -> None:
    (result,) = analyzer.classify_texts([text])
    assert result.label == label
    assert result.score < -0.3 if label == SentimentLabel.NEGATIVE else result.score > 0.3


@pytest.mark.models
def test_scores_are_probability_differences(analyzer: Analyzer) -> None:
    texts = NEGATIVE + POSITIVE + ["My account number is 4417 2290.", "I called on Tuesday."]
    shipped = analyzer.sentiment
    assert isinstance(shipped, ShippedSentiment)
    run = analyzer.encoder.run([model_text(t) for t in texts], heads=[shipped.head, TurnFeatureHead()])
    features = np.concatenate([run.head_outputs[FEATURES_HEAD], run.head_outputs["sentiment"]], axis=1)
    head = analyzer.signals.heads[SENTIMENT_SIGNAL]  # every turn's sentiment: the signals' sentiment head
    probabilities = head.probabilities(np.concatenate([features, np.zeros_like(features)], axis=1))
    assert probabilities.shape == (len(texts), 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    for row, result in zip(probabilities, analyzer.classify_texts(texts), strict=True):
        assert result.score == pytest.approx(float(row[2] - row[0]), abs=1e-5)
        assert (
            result.label
            == [SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE][int(row.argmax())]
        )


def test_sentiments_from_probabilities_table() -> None:
    rows = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.0, 0.0, 1.0], [0.3, 0.3, 0.4]])
    result = sentiments_from_probabilities(rows, "m")
    assert [r.label.value for r in result] == ["negative", "neutral", "positive", "positive"]
    assert [r.score for r in result] == pytest.approx([-0.6, 0.0, 1.0, 0.1])
    assert {r.model for r in result} == {"m"}


def test_shipped_files_are_small_and_documented() -> None:
    files = [p for p in SHIPPED_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 5 * 2**20
    assert {"head.json", "head.safetensors", "MODEL_CARD.md"} <= {p.name for p in files}
    spec = HeadSpec.from_dict(json.loads((SHIPPED_DIR / "head.json").read_text()))
    assert spec.labels == ("negative", "neutral", "positive")
    assert 0.0 < spec.metrics["dev"]["macro_recall"] <= 1.0
    assert spec.adapted_layers <= 2  # the shared encoder pass does the rest


@pytest.mark.models
def test_lora_head_round_trips_through_save_and_load(encoder: Encoder, tmp_path: Path) -> None:
    encoder = Encoder(load_encoder_model(None), bf16=False)  # the reference below is written out in fp32
    torch.manual_seed(0)
    spec = HeadSpec(
        name="test-head",
        labels=("negative", "neutral", "positive"),
        layers=(2,),
        include_embedding=True,
        adapted_layers=1,
        lora={"r": 4, "alpha": 8.0, "target_modules": ["query", "value", "dense"]},
        hidden=16,
        dropout=0.0,
        encoder="test",
    )
    head = SentimentHead(spec, top_layer_copies(encoder.model, 1))
    inject_adapter_in_model(
        LoraConfig(r=4, lora_alpha=8.0, target_modules=["query", "value", "dense"]), head.top
    )
    for name, parameter in head.named_parameters():
        if "lora_B" in name:  # peft starts B at zero; make the adapter matter
            torch.nn.init.normal_(parameter, std=0.05)
    head.feature_mean.normal_()
    head.feature_std.uniform_(0.5, 2.0)
    head.eval()
    texts = ["I was cut off twice.", "thanks, all sorted", "Could you repeat the reference number please?"]
    batch = encoder.tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        out = encoder.model(**batch, output_hidden_states=True)
        pooled = torch.nn.functional.normalize(
            (out.last_hidden_state * batch["attention_mask"][..., None]).sum(1)
            / batch["attention_mask"].sum(1, keepdim=True),
            dim=1,
        )
        frozen = frozen_features(out.hidden_states, batch["attention_mask"], pooled, spec)
        expected = torch.softmax(head(frozen, out.hidden_states[5], batch["attention_mask"]), dim=1).numpy()

    shared_top = encoder.model.encoder.layer[-1].attention.self.query.weight.detach().clone()
    save_head(tmp_path, spec, head)
    loaded = ShippedSentiment.load(encoder, tmp_path)
    results = loaded.classify_texts(texts)
    assert [r.score for r in results] == pytest.approx(list(expected[:, 2] - expected[:, 0]), abs=1e-4)
    # The merge changed the head's private copy, never the shared encoder's top layer.
    assert torch.equal(encoder.model.encoder.layer[-1].attention.self.query.weight, shared_top)
    assert not torch.equal(loaded.head.module.top[0].attention.self.query.weight, shared_top)
    assert not any("lora" in name for name, _ in encoder.model.named_parameters())
