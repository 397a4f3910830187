"""The encoder pass: normalised mean-pooled embeddings, order kept despite length sorting."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from nlp.encoder import Encoder, length_batches, mean_pool
from nlp.models import load_encoder_model
from nlp.sentiment import HEAD_NAME, ShippedSentiment
from nlp.signals import FEATURES_HEAD, TurnFeatureHead

pytestmark = pytest.mark.models

TEXTS = [
    "I have called four times about the same bill.",
    "ok",
    "Let me transfer you to the billing department, they can look into the duplicate charge for you.",
    "Thanks!",
    "Why do I have to explain everything again?",
]


def _reference(encoder: Encoder, text: str) -> np.ndarray:
    """One text, no padding, no batching: the sentence-transformers recipe written out."""
    batch = encoder.tokenizer(text, return_tensors="pt", truncation=True, max_length=encoder.max_length)
    with torch.inference_mode():
        hidden = encoder.model(**batch).last_hidden_state
    vector = mean_pool(hidden, batch["attention_mask"])
    return torch.nn.functional.normalize(vector, dim=1)[0].numpy()


def test_run_matches_unbatched_reference_in_input_order() -> None:
    fp32 = Encoder(load_encoder_model(None), bf16=False)
    result = fp32.run(TEXTS)
    assert result.embeddings.shape == (len(TEXTS), 384) and result.embeddings.dtype == np.float32
    assert np.allclose(np.linalg.norm(result.embeddings, axis=1), 1.0, atol=1e-5)
    for row, text in enumerate(TEXTS):
        assert np.allclose(result.embeddings[row], _reference(fp32, text), atol=1e-5)


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_a_texts_numbers_do_not_depend_on_its_batch(bf16: bool) -> None:
    """Bit-identical alone, in any order and in any batch size: embeddings and head inputs alike."""
    texts = TEXTS + [f"{t} Order {n} is still missing." for n, t in enumerate(TEXTS)]
    heads = [TurnFeatureHead()]
    whole = Encoder(load_encoder_model(None), batch_size=64, bf16=bf16).run(texts, heads=heads)
    order = np.random.default_rng(7).permutation(len(texts))
    small = Encoder(load_encoder_model(None), batch_size=3, bf16=bf16)
    shuffled = small.run([texts[i] for i in order], heads=heads)
    alone = [small.run([t], heads=heads) for t in texts]
    assert np.array_equal(shuffled.embeddings, whole.embeddings[order])
    assert np.array_equal(shuffled.head_outputs[FEATURES_HEAD], whole.head_outputs[FEATURES_HEAD][order])
    assert np.array_equal(np.concatenate([a.embeddings for a in alone]), whole.embeddings)
    features_alone = np.concatenate([a.head_outputs[FEATURES_HEAD] for a in alone])
    assert np.array_equal(features_alone, whole.head_outputs[FEATURES_HEAD])


def test_a_token_budget_splits_batches_of_long_texts_without_changing_a_number() -> None:
    """With ``max_batch_tokens`` long texts share smaller batches; every output stays bit-identical."""
    texts = [f"{t} " + "The router keeps dropping the line. " * (n % 4) * 6 for n, t in enumerate(TEXTS * 3)]
    heads = [TurnFeatureHead()]
    whole = Encoder(load_encoder_model(None), batch_size=64).run(texts, heads=heads)
    budget = Encoder(load_encoder_model(None), batch_size=64, max_batch_tokens=256)
    calls: list[tuple[int, ...]] = []
    forward = budget.forward
    budget.forward = lambda ids, mask, hidden: (calls.append(tuple(ids.shape)), forward(ids, mask, hidden))[1]
    split = budget.run(texts, heads=heads)
    assert len(calls) > 1 and all(rows * width <= 256 or rows == 1 for rows, width in calls)
    assert np.array_equal(split.embeddings, whole.embeddings)
    assert np.array_equal(split.head_outputs[FEATURES_HEAD], whole.head_outputs[FEATURES_HEAD])


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_rows_padded_to_whole_blocks_change_no_number_and_bound_the_batch_shapes(bf16: bool) -> None:
    """Filler rows make every batch 16, 32, 48 or 64 rows; the real rows' outputs stay bit-identical."""
    rng = np.random.default_rng(11)
    texts = [f"{TEXTS[n % 5]} " + "My order is late. " * int(rng.integers(0, 12)) for n in range(45)]
    plain = Encoder(load_encoder_model(None), bf16=bf16, max_batch_tokens=4096)
    padded = Encoder(load_encoder_model(None), bf16=bf16, max_batch_tokens=4096, row_multiple=16)
    heads = [TurnFeatureHead(), ShippedSentiment.load(plain).head]
    shapes: list[tuple[int, int]] = []
    forward = padded.forward

    def recording(
        ids: torch.Tensor, mask: torch.Tensor, hidden: bool
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        shapes.append(tuple(ids.shape))
        return forward(ids, mask, hidden)

    padded.forward = recording  # type: ignore[method-assign]
    want = plain.run(texts, heads=heads)
    for size in (45, 7, 1):  # passes whose last batch is odd-sized
        got = padded.run(texts[:size], heads=heads)
        assert np.array_equal(got.embeddings, want.embeddings[:size])
        for name in (FEATURES_HEAD, HEAD_NAME):
            assert np.array_equal(got.head_outputs[name], want.head_outputs[name][:size]), name
    assert shapes and all(rows % 16 == 0 for rows, _ in shapes)


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_batches_encoded_on_two_streams_give_every_number_of_one_stream(bf16: bool) -> None:
    """Two single-threaded streams: the same embeddings and head outputs bit for bit, threads given back."""
    rng = np.random.default_rng(5)
    texts = [f"{TEXTS[n % 5]} " + "The bill is wrong again. " * int(rng.integers(0, 6)) for n in range(40)]
    one = Encoder(load_encoder_model(None), batch_size=4, bf16=bf16, threads=2, streams=1)
    two = Encoder(load_encoder_model(None), batch_size=4, bf16=bf16, threads=2, streams=2)
    heads = [TurnFeatureHead(), ShippedSentiment.load(one).head]
    workers: set[str] = set()
    forward = two.forward
    two.forward = lambda ids, mask, hidden: (
        workers.add(threading.current_thread().name),
        forward(ids, mask, hidden),
    )[1]
    single, streamed = one.run(texts, heads=heads), two.run(texts, heads=heads)
    assert len(workers) == 2 and all(name.startswith("qareview-encoder") for name in workers)
    assert np.array_equal(streamed.embeddings, single.embeddings)
    for name in (FEATURES_HEAD, HEAD_NAME):
        assert np.array_equal(streamed.head_outputs[name], single.head_outputs[name])
    assert torch.get_num_threads() == 2


def test_a_pass_of_one_batch_is_split_so_that_every_stream_gets_one() -> None:
    """Each batch runs on one thread: 20 texts on two streams go as two batches of 16 rows, not one of 32."""
    texts = [f"{TEXTS[n % 5]} ({n})" for n in range(20)]
    encoder = Encoder(load_encoder_model(None), batch_size=64, threads=2, streams=2, row_multiple=16)
    rows: list[int] = []
    forward = encoder.forward
    encoder.forward = lambda ids, mask, hidden: (rows.append(ids.shape[0]), forward(ids, mask, hidden))[1]
    split = encoder.run(texts)
    assert sorted(rows) == [16, 16]
    whole = Encoder(load_encoder_model(None), batch_size=64, threads=2, streams=1, row_multiple=16).run(texts)
    assert np.array_equal(split.embeddings, whole.embeddings)


def test_length_batches_keep_within_rows_and_padded_tokens() -> None:
    lengths = [5, 40, 3, 17, 100, 33, 16, 300]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches = [list(b) for b in length_batches(order, lengths, 3, 64, multiple=16)]
    assert [i for b in batches for i in b] == order  # every text once, in length order
    # widths: 16 for lengths up to 16, 48 for 33 and 40, 112 for 100, 304 for 300 (alone)
    assert batches == [[2, 0, 6], [3], [5], [1], [4], [7]]
    unbounded = [list(b) for b in length_batches(order, lengths, 3, None, multiple=16)]
    assert unbounded == [[2, 0, 6], [3, 5, 1], [4, 7]]
    # rows padded to 4: a budget of 128 padded tokens holds at most 4 rows of width 32
    lengths = [20] * 7
    batches = length_batches(list(range(7)), lengths, 8, 128, multiple=16, row_multiple=4)
    assert [len(b) for b in batches] == [4, 3]


def test_bf16_stays_within_cosine_0_9999_of_fp32() -> None:
    fp32 = Encoder(load_encoder_model(None), bf16=False).run(TEXTS).embeddings
    bf16 = Encoder(load_encoder_model(None), bf16=True).run(TEXTS).embeddings
    assert not np.array_equal(fp32, bf16)  # bf16 really ran
    assert np.min(np.sum(fp32 * bf16, axis=1)) >= 0.9999


def test_small_batches_give_the_same_embeddings(encoder: Encoder) -> None:
    small = Encoder(load_encoder_model(None), batch_size=2, bf16=encoder.bf16)
    assert small.model is encoder.model  # weights are loaded once per process
    assert np.array_equal(small.run(TEXTS).embeddings, encoder.run(TEXTS).embeddings)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder: Encoder) -> None:
    a, b, c = encoder.encode(
        [
            "I already explained my problem to the last agent.",
            "I told the previous person all of this.",
            "Nice weather.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_encode_caches_exemplars(encoder: Encoder) -> None:
    first = encoder.encode(["I understand how frustrating that is.", "I'm sorry to hear that."])
    cached = len(encoder._exemplars)
    again = encoder.encode(["I'm sorry to hear that.", "I understand how frustrating that is."])
    assert len(encoder._exemplars) == cached
    assert np.array_equal(first[::-1], again)
    assert encoder.encode([]).shape == (0, 384)


def test_empty_run(encoder: Encoder) -> None:
    assert encoder.run([]).embeddings.shape == (0, 384)


def test_long_text_is_truncated_not_rejected(encoder: Encoder) -> None:
    long_text = "I was on hold and then the call dropped. " * 200
    (vector,) = encoder.run([long_text]).embeddings
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
