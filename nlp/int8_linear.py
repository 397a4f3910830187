"""The encoder's matrix products in int8 whose numbers do not depend on the batch.

Each weight is stored as int8 per output channel (scale = the channel's largest magnitude / 127)
and each input row is scaled by its own largest magnitude to integers in [-63, 63]. The product
of two integer matrices is exact in int32 whatever order a kernel sums it in, so a row's result
depends on that row alone: as batch-invariant as :mod:`nlp.batch_invariant`'s fixed row counts,
without them. Per-row (per-token) scales keep the error small where the encoder's hidden states
have outlier channels: one scale per tensor (what ``quantize_dynamic`` uses, from the whole
batch's range) moved all-MiniLM-L6-v2's sentence embeddings to cosine 0.94 of fp32, per-row
scales to 0.995 (``docs/performance.md``, "int8 with per-row scales").

Per-row scales alone still moved short texts ("Thanks!" to cosine 0.93): a few input channels
carry most of a row's range. Each product's inputs are therefore divided per channel by a
smoothing factor that its weights take on (SmoothQuant, Xiao et al. 2023: ``s = max|x|^0.5 /
max|w|^0.5``, from the fp32 encoder's channel ranges on the real train turns,
``scripts/calibrate_int8.py``), and the feed-forward output products (1,536 → 384, whose inputs
are the most uneven) stay in fp32: short texts then stay at cosine 0.99 or more. The factors, and
which products run in int8, ship in ``nlp/models/int8/smoothing.safetensors``.

The integer product is fbgemm's dynamic-quantized linear, which picks the input's scale from
the batch's range. One extra row holding -64 and 63 fixes that range, so the kernel's scale is
exactly 1 and zero point 64, and the already-integer rows pass through its quantization
unchanged. ``reduce_range`` (7-bit inputs) keeps AVX2's pairwise int16 sums from saturating, so
the integers are the same on every x86 CPU.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

ROW_LEVELS = 63  # a row's largest magnitude maps to ±63: 7-bit inputs (reduce_range)
SMOOTHING_PATH = Path(__file__).parent / "models" / "int8" / "smoothing.safetensors"
SMOOTHING_ALPHA = 0.5


@dataclass(frozen=True)
class Int8Weight:
    """One ``nn.Linear``'s weight, packed for fbgemm (int8 per output channel), and its bias."""

    packed: Any  # torch.classes.quantized.LinearPackedParamsBase
    bias: torch.Tensor | None
    guard: torch.Tensor  # (1, in_features): -64 and 63, the row that fixes the kernel's input range
    unsmooth: torch.Tensor | None  # (in_features,): 1 / smoothing, applied to inputs

    @classmethod
    def from_linear(cls, linear: nn.Linear, smoothing: torch.Tensor | None = None) -> Int8Weight:
        """Quantise ``linear.weight`` (times ``smoothing`` per input channel) per output channel."""
        weight = linear.weight.detach().float()
        if smoothing is not None:
            weight = weight * smoothing.float()
        scales = (weight.abs().amax(dim=1) / 127).clamp(min=1e-12).double()
        zero_points = torch.zeros(weight.shape[0], dtype=torch.long)
        with warnings.catch_warnings():  # quantized tensors are deprecated; torch is pinned (2.13.0)
            warnings.filterwarnings("ignore", ".*quantized tensor creation functions", UserWarning)
            quantised = torch.quantize_per_channel(weight, scales, zero_points, 0, torch.qint8)
        guard = torch.zeros((1, weight.shape[1]))
        guard[0, 0], guard[0, 1] = -(ROW_LEVELS + 1), ROW_LEVELS
        bias = None if linear.bias is None else linear.bias.detach().float()
        unsmooth = None if smoothing is None else 1.0 / smoothing.float()
        return cls(torch.ops.quantized.linear_prepack(quantised, None), bias, guard, unsmooth)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """``x @ weight.T + bias`` with int8 inputs scaled row by row; float32 out."""
        flat = x.reshape(-1, x.shape[-1]).float()
        if self.unsmooth is not None:
            flat = flat * self.unsmooth
        scale = flat.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / ROW_LEVELS
        integers = torch.round(flat / scale)
        out = torch.ops.quantized.linear_dynamic(torch.cat([integers, self.guard]), self.packed, True)[:-1]
        out = out * scale if self.bias is None else torch.addcmul(self.bias, out, scale)
        return out.reshape(*x.shape[:-1], out.shape[-1])


def smoothing_factors(
    linear: nn.Linear, input_max: torch.Tensor, alpha: float = SMOOTHING_ALPHA
) -> torch.Tensor:
    """SmoothQuant's per-input-channel factors: ``max|x|^alpha / max|w|^(1 - alpha)``."""
    weight_max = linear.weight.detach().float().abs().amax(dim=0).clamp(min=1e-5)
    return (input_max.float().clamp(min=1e-5) ** alpha / weight_max ** (1 - alpha)).clamp(min=1e-5)


def load_smoothing(path: Path = SMOOTHING_PATH) -> dict[str, torch.Tensor]:
    """Module name -> smoothing factors of every product that runs in int8 (the shipped file by default)."""
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"{path}: cannot read the int8 smoothing factors ({exc}); run scripts/calibrate_int8.py"
        ) from exc


def pack_linears(
    model: nn.Module, smoothing: Mapping[str, torch.Tensor], source: str | Path = SMOOTHING_PATH
) -> dict[int, Int8Weight]:
    """The linears ``smoothing`` names, packed for int8, keyed by ``id`` of their weight."""
    engine = torch.backends.quantized.engine
    if engine not in ("x86", "fbgemm"):
        raise ValueError(f"precision int8 needs fbgemm (an x86 CPU); torch's quantized engine is {engine}")
    modules = dict(model.named_modules())
    wrong = [
        name
        for name, factors in smoothing.items()
        if not isinstance(modules.get(name), nn.Linear) or modules[name].in_features != factors.numel()
    ]
    if wrong or not smoothing:
        raise ValueError(
            f"{source}: the int8 smoothing factors do not fit this encoder "
            f"({', '.join(sorted(wrong)) or 'none'}); run scripts/calibrate_int8.py for it"
        )
    with torch.no_grad():
        return {
            id(modules[name].weight): Int8Weight.from_linear(modules[name], smoothing[name])
            for name in sorted(smoothing)
        }
