"""BERT layers that skip padding: matrix products, norms and activations on real tokens only.

A padded batch of ``b`` texts × ``w`` token positions carries about a third more positions
than real tokens on service turns (length-sorted batches, widths rounded up to 16 so a text's
numbers do not depend on its batch). Hugging Face's ``BertLayer`` multiplies every position.
Here a layer's hidden state is kept as ``(n, dim)`` rows, one per real token (``keep`` holds their
flat positions in the ``b × w`` grid), and every matrix product runs on 64 to 512 of them
(:func:`chunked`). Only attention sees the padded grid: queries, keys and values are scattered
into it, with zeros at padding, which the mask hides.

Under :class:`nlp.batch_invariant.FixedRowProducts` (every encoder batch runs under it) every
real token's numbers are bit-identical to Hugging Face's layer, in fp32 and under bf16 autocast:
both paths' products are then pieces of one row count, a row's numbers do not depend on the other
rows, and masked keys add exactly nothing (``tests/nlp/test_packed_bert.py``). Without it they
are on some CPUs only (the whole number of 64 rows below sufficed on an AMD EPYC host; on an
AVX-512/AMX Intel host other row counts sum in another order).
Padding positions hold zeros instead of the values Hugging Face computes for them, which nothing
reads: pooling and heads mask them.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

CHUNK_ROWS = 512
ROW_STEP = 64


def real_positions(attention_mask: torch.Tensor) -> torch.Tensor:
    """Flat positions (row-major in the ``b × w`` grid) of the tokens ``attention_mask`` marks real."""
    return torch.nonzero(attention_mask.reshape(-1), as_tuple=True)[0]


def chunked(linear: nn.Module, rows: torch.Tensor) -> torch.Tensor:
    """``linear`` over ``rows`` in products of a multiple of ROW_STEP rows, at most CHUNK_ROWS.

    ``rows`` is split into pieces of 512 and the last one filled up with zero rows to a multiple of
    64, so every product has one of eight row counts. A product of a few rows takes other CPU
    kernels, which sum in another order (a lone short text's numbers moved by 1e-7 in fp32); and
    the CPU kernels keep about 1 MB for every row count they meet (200 random batches with rows
    rounded up to 16 only kept 210 MB more; ``scripts/profile_encoder_shapes.py``).
    """
    n = rows.shape[0]
    out: torch.Tensor | None = None
    for start in range(0, n, CHUNK_ROWS):
        piece = rows[start : start + CHUNK_ROWS]
        size = len(piece)
        fill = -size % ROW_STEP
        if fill:  # only the last piece
            piece = torch.cat([piece, piece.new_zeros((fill, piece.shape[1]))])
        result = linear(piece)
        if out is None:  # written in place: the pieces are not all kept for a final concatenation
            out = result.new_empty((n, result.shape[1]))
        out[start : start + size] = result[:size]
    if out is None:
        raise ValueError("chunked() needs at least one row")
    return out


def gather(padded: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """``(b, w, dim)`` → ``(n, dim)``: the rows at ``keep``."""
    return padded.reshape(-1, padded.shape[-1]).index_select(0, keep)


def scatter(rows: torch.Tensor, keep: torch.Tensor, b: int, w: int) -> torch.Tensor:
    """``(n, dim)`` → ``(b, w, dim)`` with zeros at padding."""
    out = rows.new_zeros((b * w, rows.shape[-1]))
    out.index_copy_(0, keep, rows)
    return out.view(b, w, -1)


def packed_layer(
    layer: nn.Module, rows: torch.Tensor, keep: torch.Tensor, b: int, w: int, mask: torch.Tensor | None
) -> torch.Tensor:
    """One Hugging Face ``BertLayer`` (in eval mode) on real-token rows; returns its output rows.

    ``mask`` is what the layer's attention takes: None (no padding), a boolean ``(b, 1, w, w)`` or
    ``(b, 1, 1, w)`` mask, or an additive one.
    """
    attention = layer.attention.self
    heads, size = attention.num_attention_heads, attention.attention_head_size

    def by_head(projected: torch.Tensor) -> torch.Tensor:
        return scatter(projected, keep, b, w).view(b, w, heads, size).transpose(1, 2)

    query = by_head(chunked(attention.query, rows))
    key = by_head(chunked(attention.key, rows))
    value = by_head(chunked(attention.value, rows))
    context = nn.functional.scaled_dot_product_attention(
        query, key, value, attn_mask=mask, dropout_p=0.0, scale=attention.scaling, is_causal=False
    )
    del query, key, value
    context = context.transpose(1, 2).reshape(b * w, heads * size).index_select(0, keep)
    attended = layer.attention.output.LayerNorm(chunked(layer.attention.output.dense, context) + rows)
    del context
    inner = layer.intermediate.intermediate_act_fn(chunked(layer.intermediate.dense, attended))
    return layer.output.LayerNorm(chunked(layer.output.dense, inner) + attended)


def packed_layers(
    layers: Iterable[nn.Module], padded: torch.Tensor, attention_mask: torch.Tensor, mask: torch.Tensor | None
) -> torch.Tensor:
    """``layers`` one after another on a padded ``(b, w, dim)`` state, real tokens only; padded out."""
    b, w = attention_mask.shape
    keep = real_positions(attention_mask)
    rows = gather(padded, keep)
    for layer in layers:
        rows = packed_layer(layer, rows, keep, b, w, mask)
    return scatter(rows, keep, b, w)


def is_packable(model: nn.Module) -> bool:
    """Whether ``model`` is a plain BERT encoder whose layers :func:`packed_layer` can run."""
    from transformers import BertModel

    return isinstance(model, BertModel) and model.config._attn_implementation in ("sdpa", "eager")


def bert_forward(
    model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor, want_hidden: bool
) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """``BertModel`` on a padded batch: the last hidden state and (if wanted) every layer's, padded.

    The same numbers at real tokens as ``model(...)``; zeros at padding after the embeddings.
    """
    b, w = input_ids.shape
    embedded = model.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
    keep = real_positions(attention_mask)
    # Hugging Face passes no mask when nothing is padded and a boolean (b, 1, w, w) one otherwise
    mask = None if bool(attention_mask.all()) else attention_mask.bool()[:, None, None, :].expand(b, 1, w, w)
    rows = gather(embedded, keep)
    hidden: list[torch.Tensor] = [embedded]
    for layer in model.encoder.layer:
        rows = packed_layer(layer, rows, keep, b, w, mask)
        if want_hidden:
            hidden.append(scatter(rows, keep, b, w))
    last = hidden[-1] if want_hidden else scatter(rows, keep, b, w)
    return last, tuple(hidden) if want_hidden else ()
