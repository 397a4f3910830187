"""BERT layers on real tokens only: Hugging Face's numbers, bit for bit, without the padding's work.

Both run under :class:`FixedRowProducts` and on one torch thread, as every encoder batch does:
otherwise a CPU kernel may sum a product of another row count in another order (MKL and oneDNN on
AVX-512; on a CPU without native bf16, oneDNN's bf16 384 -> 1,536 product splits its rows between
two threads by row count).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from transformers import DistilBertConfig, DistilBertModel

from nlp.batch_invariant import FixedRowProducts
from nlp.encoder import Encoder, mean_pool
from nlp.models import load_encoder_model
from nlp.packed_bert import CHUNK_ROWS, ROW_STEP, bert_forward, chunked, is_packable, real_positions
from nlp.sentiment import HEAD_NAME, ShippedSentiment, additive_mask
from nlp.signals import FEATURES_HEAD, TurnFeatureHead

pytestmark = pytest.mark.models

TEXTS = [
    "ok",
    "I have called four times about the same bill and nobody has fixed it.",
    "Let me transfer you to the billing department, they can look into the duplicate charge.",
    "Thanks!",
    "Why do I have to explain everything again?",
]


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run on one torch thread, as ``Encoder._run_streams`` runs every batch."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _batch(encoder: Encoder, texts: list[str], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Texts padded to ``width`` positions (wider than the longest: real padding in every row)."""
    ids = encoder.tokenizer(texts, padding="max_length", max_length=width, return_tensors="pt")
    return ids["input_ids"], ids["attention_mask"]


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
@pytest.mark.parametrize("padded", [True, False], ids=["padded", "no-padding"])
def test_every_layer_gives_hugging_faces_numbers_at_real_tokens(bf16: bool, padded: bool) -> None:
    encoder = Encoder(load_encoder_model(None), bf16=bf16)
    texts = TEXTS if padded else ["Why do I have to explain everything again?"] * 3
    width = 32 if padded else len(encoder.tokenizer(texts[0])["input_ids"])
    input_ids, mask = _batch(encoder, texts, width)
    with torch.inference_mode(), encoder._precision(), FixedRowProducts(), one_torch_thread():
        want = encoder.model(
            input_ids=input_ids,
            attention_mask=mask,
            token_type_ids=torch.zeros_like(input_ids),
            output_hidden_states=True,
        )
        last, hidden = bert_forward(encoder.model, input_ids, mask, want_hidden=True)
        last_only, no_hidden = bert_forward(encoder.model, input_ids, mask, want_hidden=False)
    real = mask.bool()
    assert (~real).any() == padded
    assert len(hidden) == len(want.hidden_states) == 7 and no_hidden == ()
    for got, expected in zip(hidden, want.hidden_states, strict=True):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert torch.equal(got[real], expected[real])
    assert torch.equal(last, hidden[-1]) and torch.equal(last_only, last)
    assert torch.equal(last[real], want.last_hidden_state[real])
    # padding holds zeros after the embeddings (Hugging Face fills it with numbers nothing reads)
    assert all(not h[~real].any() for h in hidden[1:])


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_the_sentiment_heads_own_layer_gives_the_layers_numbers(bf16: bool) -> None:
    """The shipped head's private top layer on real tokens, against the layer as Hugging Face runs it."""
    encoder = Encoder(load_encoder_model(None), bf16=bf16, skip_padding=True)
    head = ShippedSentiment.load(encoder).head.module
    assert head.skip_padding
    input_ids, mask = _batch(encoder, TEXTS, 40)
    with torch.inference_mode(), encoder._precision(), FixedRowProducts(), one_torch_thread():
        _, hidden = bert_forward(encoder.model, input_ids, mask, want_hidden=True)
        frozen = torch.linspace(-1, 1, len(TEXTS) * head.feature_mean.shape[0]).view(len(TEXTS), -1)
        packed = head(frozen, hidden[5], mask)
        x = hidden[5]
        for layer in head.top:
            x = layer(x, additive_mask(mask, x.dtype))
        parts = [(frozen - head.feature_mean) / head.feature_std, mean_pool(x, mask)]
        layered = head.mlp(torch.cat(parts, dim=1))
    assert not head.training
    assert packed.shape == (len(TEXTS), 3) and torch.equal(packed, layered)


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_skipping_padding_changes_no_number_of_a_pass(bf16: bool) -> None:
    """Embeddings, turn features and sentiment: bit for bit with and without ``skip_padding``,
    in one pass and for texts encoded alone."""
    texts = TEXTS + [f"{t} " + "The order is still missing. " * n for n, t in enumerate(TEXTS * 3)]
    plain = Encoder(load_encoder_model(None), bf16=bf16, batch_size=8, row_multiple=16)
    packed = Encoder(load_encoder_model(None), bf16=bf16, batch_size=8, row_multiple=16, skip_padding=True)
    assert packed.skip_padding and not plain.skip_padding
    layer = packed.model.encoder.layer[0]  # the same cached model object as plain's
    calls: list[str] = []
    layer.forward = lambda *a, **k: (calls.append("hf"), type(layer).forward(layer, *a, **k))[1]
    runs = []
    try:
        for encoder in (plain, packed):
            calls.clear()
            heads = [TurnFeatureHead(), ShippedSentiment.load(encoder).head]
            runs.append([encoder.run(texts, heads=heads), encoder.run(texts[:1], heads=heads)])
            assert bool(calls) == (encoder is plain)  # the packed pass never ran Hugging Face's layer
    finally:
        del layer.forward
    for want, got in zip(runs[0], runs[1], strict=True):
        assert np.array_equal(want.embeddings, got.embeddings)
        for name in (FEATURES_HEAD, HEAD_NAME):
            assert np.array_equal(want.head_outputs[name], got.head_outputs[name]), name


def test_only_bert_encoders_are_packed() -> None:
    assert is_packable(load_encoder_model(None).model)
    tiny = DistilBertModel(DistilBertConfig(vocab_size=50, dim=32, hidden_dim=64, n_layers=1, n_heads=2))
    assert not is_packable(tiny)


def test_real_positions_are_row_major_flat_indices() -> None:
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 0]])
    assert real_positions(mask).tolist() == [0, 1, 4, 5, 6]


def test_products_have_whole_steps_of_rows_up_to_a_chunk() -> None:
    """Any number of rows goes through products of 64, 128, ... 512 rows: few shapes for the CPU kernels."""
    linear = torch.nn.Linear(8, 3)
    seen: list[int] = []
    linear.register_forward_pre_hook(lambda _module, args: seen.append(args[0].shape[0]))
    rows = torch.randn(CHUNK_ROWS * 2 + 70, 8, generator=torch.Generator().manual_seed(3))
    with torch.inference_mode():
        out = chunked(linear, rows)
        assert out.shape == (CHUNK_ROWS * 2 + 70, 3)
        assert torch.allclose(out, linear(rows), atol=1e-6)
        assert chunked(linear, rows[:5]).shape == (5, 3)
        assert chunked(linear, rows[:CHUNK_ROWS]).shape == (CHUNK_ROWS, 3)
    assert seen == [CHUNK_ROWS, CHUNK_ROWS, 2 * ROW_STEP, CHUNK_ROWS * 2 + 70, ROW_STEP, CHUNK_ROWS]
