"""int8 products with per-row scales: exact integer sums, a row's numbers its own, close to fp32."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nlp.batch_invariant import FixedRowProducts
from nlp.config import EncoderConfig
from nlp.encoder import Encoder
from nlp.int8_linear import (
    ROW_LEVELS,
    SMOOTHING_PATH,
    Int8Weight,
    load_smoothing,
    pack_linears,
    smoothing_factors,
)
from nlp.models import load_encoder_model
from nlp.sentiment import HEAD_NAME, ShippedSentiment
from nlp.signals import FEATURES_HEAD, TurnFeatureHead

TEXTS = [
    "I have called four times about the same bill.",
    "ok",
    "Let me transfer you to the billing department, they can look into the duplicate charge for you.",
    "Thanks!",
    "Why do I have to explain everything again?",
    "I've been on hold for forty minutes and nobody has told me anything about my refund.",
]


def _linear(n_in: int, n_out: int, seed: int) -> nn.Linear:
    torch.manual_seed(seed)
    linear = nn.Linear(n_in, n_out)
    with torch.no_grad():
        linear.weight.mul_(3.0)
    return linear


@pytest.mark.parametrize("smoothed", [False, True], ids=["plain", "smoothed"])
def test_the_product_is_the_exact_integer_product_rescaled(smoothed: bool) -> None:
    """The guard row makes the kernel's input scale exactly 1: no second rounding of the inputs."""
    linear = _linear(384, 96, seed=3)
    x = torch.randn(37, 384, generator=torch.Generator().manual_seed(4)) * 2.5
    x[5, 17] = 40.0  # an outlier channel: only its own row's scale grows
    factors = smoothing_factors(linear, x.abs().amax(dim=0)) if smoothed else None
    got = Int8Weight.from_linear(linear, factors)(x).double()
    weight = linear.weight.detach().float()
    inputs = x.float()
    if factors is not None:
        weight, inputs = weight * factors, inputs * (1.0 / factors)
    weight, inputs = weight.double(), inputs.double()
    w_scale = weight.abs().amax(dim=1) / 127
    w_int = torch.round(weight / w_scale[:, None])
    x_scale = inputs.abs().amax(dim=1, keepdim=True) / ROW_LEVELS
    x_int = torch.round(inputs / x_scale)
    want = (x_int @ w_int.T) * w_scale * x_scale + linear.bias.detach().double()
    assert torch.allclose(got, want, rtol=1e-5, atol=1e-4)
    # and it approximates the float product (per-row scales keep the outlier row's neighbours exact)
    exact = linear(x).detach().double()
    assert float((got - exact).norm() / exact.norm()) < 0.03
    assert not torch.equal(got.float(), linear(x).detach())  # int8 really ran


@pytest.mark.parametrize("rows", [1, 7, 64, 300])
def test_a_rows_numbers_do_not_depend_on_the_other_rows(rows: int) -> None:
    int8 = Int8Weight.from_linear(_linear(1536, 384, seed=5))
    x = torch.randn(400, 1536, generator=torch.Generator().manual_seed(6))
    whole = int8(x)
    start = 400 - rows
    alone = int8(x[start:].clone())
    assert torch.equal(alone, whole[start:])
    louder = x[start:].clone()
    louder[0] *= 1000.0  # another row's range never reaches this one
    if rows > 1:
        assert torch.equal(int8(louder)[1:], whole[start + 1 :])


def test_the_mode_runs_the_named_products_only() -> None:
    model = nn.Sequential(_linear(64, 8, seed=1), _linear(8, 8, seed=2))
    packed, plain = model[0], model[1]
    factors = torch.linspace(0.5, 2.0, 64)
    x = torch.randn(5, 64, generator=torch.Generator().manual_seed(9))
    with torch.inference_mode(), FixedRowProducts(int8=pack_linears(model, {"0": factors})):
        got_packed = packed(x)
        got_plain = plain(got_packed)
    with torch.inference_mode():
        assert torch.equal(got_packed, Int8Weight.from_linear(packed, factors)(x))
        assert torch.equal(got_plain, plain(got_packed))


def test_factors_that_do_not_fit_the_encoder_name_the_file() -> None:
    model = nn.Sequential(_linear(64, 8, seed=1))
    with pytest.raises(ValueError, match=r"smoothing\.safetensors: .*do not fit this encoder \(0\)"):
        pack_linears(model, {"0": torch.ones(32)})
    with pytest.raises(ValueError, match="do not fit this encoder"):
        pack_linears(model, {"1": torch.ones(64)})


@pytest.mark.models
def test_the_shipped_factors_cover_attention_and_feed_forward_input_not_its_output() -> None:
    """Five int8 products per layer; the feed-forward output (1,536 → 384) stays fp32."""
    factors = load_smoothing()
    model = load_encoder_model(None).model
    assert len(factors) == 5 * len(model.encoder.layer) and SMOOTHING_PATH.is_file()
    assert not [name for name in factors if name.endswith(".output.dense") and ".attention." not in name]
    assert all(bool((f > 0).all()) and bool(torch.isfinite(f).all()) for f in factors.values())
    assert len(pack_linears(model, factors)) == len(factors)


@pytest.mark.models
def test_int8_encoder_is_batch_invariant_on_streams_and_close_to_fp32() -> None:
    """Bit-identical alone, in small batches and on two streams; embeddings at cosine 0.99+ of fp32."""
    texts = TEXTS + [f"{t} Order {n} is still missing." for n, t in enumerate(TEXTS)]
    model = load_encoder_model(None)
    whole_encoder = Encoder(model, batch_size=64, int8=True, threads=2, streams=1)
    heads = [TurnFeatureHead(), ShippedSentiment.load(whole_encoder).head]
    whole = whole_encoder.run(texts, heads=heads)
    order = np.random.default_rng(7).permutation(len(texts))
    small = Encoder(model, batch_size=3, int8=True, threads=2, streams=2)
    shuffled = small.run([texts[i] for i in order], heads=heads)
    alone = np.concatenate([small.run([t]).embeddings for t in texts])
    assert np.array_equal(shuffled.embeddings, whole.embeddings[order])
    for name in (FEATURES_HEAD, HEAD_NAME):
        assert np.array_equal(shuffled.head_outputs[name], whole.head_outputs[name][order]), name
    assert np.array_equal(alone, whole.embeddings)
    fp32 = Encoder(model, batch_size=64).run(texts).embeddings
    cosine = np.sum(fp32 * whole.embeddings, axis=1)
    assert not np.array_equal(fp32, whole.embeddings)
    assert cosine.min() >= 0.99 and cosine.mean() >= 0.995


@pytest.mark.models
def test_precision_int8_is_a_setting_and_excludes_bf16() -> None:
    assert EncoderConfig(precision="int8").uses_int8() and not EncoderConfig(precision="int8").uses_bf16()
    assert not EncoderConfig(precision="fp32").uses_int8()
    with pytest.raises(ValueError, match="bf16 or int8"):
        Encoder(load_encoder_model(None), bf16=True, int8=True)
