"""Session-scoped NLP models for tests under ``tests/nlp/`` (scorer tests included).

Loading spaCy, the encoder and the sentiment head takes seconds, so every test shares one
:class:`~nlp.analysis.Analyzer`. Fixtures that touch real models are only built when a test
asks for them; mark such tests ``@pytest.mark.models``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from nlp.analysis import Analyzer
from nlp.config import load_analysis_config
from nlp.encoder import Encoder
from nlp.models import default_encoder_path
from transcripts.model import Conversation, Leg, Role, Turn


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The shipped configuration, every model loaded once for the session."""
    return Analyzer(load_analysis_config()).load()


@pytest.fixture(scope="session")
def tiny_classifier() -> Callable[[Path, dict[int, str]], Path]:
    """A real random-weight BERT classifier saved like a downloaded HF model: ``make(dir, id2label)``."""

    def make(directory: Path, id2label: dict[int, str]) -> Path:
        from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

        torch.manual_seed(0)
        tokenizer = AutoTokenizer.from_pretrained(str(default_encoder_path()), local_files_only=True)
        config = BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
            num_labels=len(id2label),
            id2label=id2label,
            label2id={v: k for k, v in id2label.items()},
        )
        BertForSequenceClassification(config).save_pretrained(directory)
        tokenizer.save_pretrained(directory)
        return directory

    return make


@pytest.fixture(scope="session")
def encoder(analyzer: Analyzer) -> Encoder:
    """The analyzer's encoder (same weights, same caches)."""
    return analyzer.encoder


MakeConversation = Callable[..., Conversation]


@pytest.fixture
def make_conversation() -> MakeConversation:
    """Build a conversation from ``(role, text, leg)`` triples: ``make(id, turns, legs=1)``."""

    def make(conversation_id: str, turns: list[tuple[Role, str, int]], legs: int = 1) -> Conversation:
        return Conversation(
            id=conversation_id,
            channel="chat",
            legs=[Leg(index=i) for i in range(legs)],
            turns=[Turn(index=i, role=role, text=text, leg=leg) for i, (role, text, leg) in enumerate(turns)],
        )

    return make
