"""``scripts/train_sentiment.py``: the token states the LoRA head trains on belong to their own texts.

Two encoder streams finish batches in either order, so a capture that assumes the sorted order
paired texts with other texts' states (the retrained head then disagreed with its saved files).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import train_sentiment  # noqa: E402

from nlp.config import EncoderConfig  # noqa: E402
from nlp.encoder import Encoder  # noqa: E402

TEXTS = [
    f"{'My order ' * (n % 9)}number {n} has not arrived and I {'really ' * (n % 5)}need it."
    for n in range(150)
]


class _Hidden:
    """Records hidden_states[5] of a one-text pass."""

    name = "hidden"
    needs_hidden_states = True

    def __init__(self) -> None:
        self.state: torch.Tensor | None = None

    def __call__(self, hidden_states, attention_mask, embeddings):  # type: ignore[no-untyped-def]
        self.state = hidden_states[5][0, : int(attention_mask[0].sum())].clone()
        return embeddings[:, :1]


def test_each_text_gets_its_own_hidden_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train_sentiment, "CACHE_DIR", tmp_path / "cache")
    source = tmp_path / "train.tsv"
    source.write_text("text\tlabel\n" + "".join(f"{t}\tneutral\n" for t in TEXTS), encoding="utf-8")
    encoder = Encoder.from_config(EncoderConfig(num_threads=2, streams=1))
    states = train_sentiment.token_states(source, TEXTS, 5, encoder)
    assert train_sentiment.token_states(source, TEXTS, 5, encoder)[7].equal(states[7])  # from the cache
    for n in (0, 3, 41, 77, 149):
        alone = _Hidden()
        encoder.run([TEXTS[n]], heads=[alone])
        assert alone.state is not None
        assert states[n].shape == alone.state.shape
        assert torch.allclose(states[n].float(), alone.state, atol=2e-2)


def test_an_encoder_running_two_streams_is_refused(tmp_path: Path) -> None:
    encoder = Encoder.from_config(EncoderConfig(num_threads=2, streams=2))
    with pytest.raises(ValueError, match="one stream"):
        train_sentiment.token_states(tmp_path / "train.tsv", TEXTS, 5, encoder)
