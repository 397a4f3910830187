"""Products and attention under FixedRowProducts: a row's numbers do not depend on its batch."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

from nlp.batch_invariant import PRODUCT_ROWS, FixedRowProducts, fixed_row_linear


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_a_rows_product_is_the_same_whatever_the_row_count(bf16: bool, threads: int) -> None:
    """The encoder's widest sum (1,536 terms): MKL and oneDNN split it by row count on AVX-512."""
    generator = torch.Generator().manual_seed(11)
    weight, bias = torch.randn(384, 1536, generator=generator), torch.randn(384, generator=generator)
    x = torch.randn(2 * PRODUCT_ROWS + 48, 1536, generator=generator)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            with FixedRowProducts():
                whole = functional.linear(x, weight, bias)
                pieces = [
                    functional.linear(x[start:stop], weight, bias)
                    for start, stop in [(0, 16), (5, 300), (40, 560)]
                ]
            plain = functional.linear(x, weight, bias)
    finally:
        torch.set_num_threads(before)
    assert whole.shape == (len(x), 384) and whole.dtype == plain.dtype
    assert torch.equal(pieces[0], whole[0:16])
    assert torch.equal(pieces[1], whole[5:300])
    assert torch.equal(pieces[2], whole[40:560])
    tolerance = 1.0 if bf16 else 1e-3  # sums of 1,536 terms of about 40 in all; bf16 keeps 8 bits
    # the same product, summed in fixed pieces
    assert torch.allclose(whole.float(), plain.float(), atol=tolerance)


def test_fixed_row_linear_keeps_leading_dimensions_and_fills_only_the_last_piece() -> None:
    calls: list[int] = []
    generator = torch.Generator().manual_seed(5)
    weight = torch.randn(3, 8, generator=generator)
    x = torch.randn(2, 300, 8, generator=generator)  # 600 rows: one full product and one filled
    original = functional.linear
    try:
        functional.linear = lambda rows, w, b=None: (calls.append(rows.shape[0]), original(rows, w, b))[1]
        out = fixed_row_linear(x, weight, None, rows=PRODUCT_ROWS)
    finally:
        functional.linear = original
    assert calls == [PRODUCT_ROWS, PRODUCT_ROWS]
    assert out.shape == (2, 300, 3)
    assert torch.allclose(out, original(x, weight), atol=1e-5)


@pytest.mark.parametrize("bf16", [False, True], ids=["fp32", "bf16"])
def test_attention_of_a_text_does_not_depend_on_the_padded_width(bf16: bool) -> None:
    """bf16 attention blocks keys by width; under the mode it runs in float32, padding adding exact zeros."""
    generator = torch.Generator().manual_seed(7)
    dtype = torch.bfloat16 if bf16 else torch.float32
    q, k, v = (torch.randn(1, 12, 37, 32, generator=generator).to(dtype) for _ in range(3))
    outputs = []
    for width in (48, 112, 256):
        pad = (0, 0, 0, width - 37)
        mask = torch.zeros(1, 1, width, width, dtype=torch.bool)
        mask[..., :37] = True
        with torch.inference_mode(), FixedRowProducts():
            out = functional.scaled_dot_product_attention(
                functional.pad(q, pad), functional.pad(k, pad), functional.pad(v, pad), attn_mask=mask
            )
        assert out.dtype == dtype
        outputs.append(out[:, :, :37])
    assert torch.equal(outputs[0], outputs[1]) and torch.equal(outputs[0], outputs[2])
