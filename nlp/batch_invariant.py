"""Matrix products whose numbers do not depend on the batch: a text's numbers are its own.

A CPU kernel may sum a product's terms in another order for another number of rows: MKL at two
threads on AVX-512 splits a 1,536-long sum between the threads for 256 rows and more, and
oneDNN's bfloat16 kernels (AMX) block the same sum by the row count even on one thread; the
bfloat16 attention kernel blocks keys by the padded width. So a turn's embedding and sentiment
moved with the other turns of its batch (by up to 4e-3 in bf16 on an AMX host), and a night
analysed in other batches — one conversation alone, a rerun after a crash, Dask workers — gave
other numbers.

Inside :class:`FixedRowProducts` every ``linear`` with a long sum (``LONG_SUM`` terms or more:
the encoder's 1,536 → 384 products) runs in products of exactly ``rows`` rows (the last one
filled with zeros), which gives each row the same numbers wherever it sits and whatever the
other rows hold, and attention runs in float32, whose kernel adds masked keys as exact zeros.
Each encoder batch also runs on one torch thread (``Encoder._run_streams``): there the shorter
products gave every row the same numbers at any row count, in fp32 and bf16, and splitting them
too cost a third more time per batch (each product re-packs its weights for the CPU kernel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch.nn import functional
from torch.overrides import TorchFunctionMode

from nlp.int8_linear import Int8Weight

PRODUCT_ROWS = 512
LONG_SUM = 1024


def fixed_row_linear(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, rows: int = PRODUCT_ROWS
) -> torch.Tensor:
    """``functional.linear`` in products of exactly ``rows`` rows; the same result, row by row."""
    flat = x.reshape(-1, x.shape[-1])
    n = flat.shape[0]
    fill = -n % rows
    if fill:
        flat = torch.cat([flat, flat.new_zeros((fill, flat.shape[1]))])
    if len(flat) == rows:
        out = functional.linear(flat, weight, bias)
    else:
        out = torch.cat([functional.linear(piece, weight, bias) for piece in flat.split(rows)])
    return out[:n].reshape(*x.shape[:-1], out.shape[-1])


def float32_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    **options: Any,
) -> torch.Tensor:
    """``scaled_dot_product_attention`` in float32 (outside autocast), returned in the query's dtype."""
    dtype = query.dtype
    if attn_mask is not None and attn_mask.is_floating_point():
        attn_mask = attn_mask.float()
    with torch.autocast("cpu", enabled=False):
        out = functional.scaled_dot_product_attention(
            query.float(), key.float(), value.float(), attn_mask=attn_mask, **options
        )
    return out.to(dtype)


def _input(args: Sequence[Any], kwargs: Mapping[str, Any]) -> torch.Tensor:
    """The ``input`` argument of a ``functional.linear`` call."""
    return args[0] if args else kwargs["input"]


def _weight(args: Sequence[Any], kwargs: Mapping[str, Any]) -> torch.Tensor:
    """The ``weight`` argument of a ``functional.linear`` call."""
    return args[1] if len(args) > 1 else kwargs["weight"]


class FixedRowProducts(TorchFunctionMode):
    """While active, long-sum ``linear`` and attention take their batch-invariant forms (see the module).

    ``int8`` (weight ``id`` -> :class:`~nlp.int8_linear.Int8Weight`, ``precision: int8``) runs those
    products in int8 instead, which is batch-invariant by itself (exact integer sums, per-row scales).
    """

    def __init__(self, rows: int = PRODUCT_ROWS, int8: Mapping[int, Int8Weight] | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.int8 = int8 or {}

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Sequence[type],
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
    ) -> Any:
        kwargs = dict(kwargs or {})
        if func is functional.linear:
            int8 = self.int8.get(id(_weight(args, kwargs)))
            if int8 is not None:
                return int8(_input(args, kwargs))
            if _input(args, kwargs).shape[-1] >= LONG_SUM:
                return fixed_row_linear(*args, **kwargs, rows=self.rows)
        if func is functional.scaled_dot_product_attention:
            return float32_attention(*args, **kwargs)
        return func(*args, **kwargs)
