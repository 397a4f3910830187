"""Write the int8 encoder's smoothing factors (``nlp/models/int8/smoothing.safetensors``).

The fp32 encoder reads every real train-split turn of the labelled IBM set
(``eval/ibm-customer-care/turns.jsonl``), one text at a time so that no padding enters the
ranges; each product's largest input magnitude per channel gives SmoothQuant's factors
(:func:`nlp.int8_linear.smoothing_factors`). The products that run in int8 are the attention
projections (query, key, value, output) and the feed-forward input; the feed-forward output
stays in fp32 (``nlp/int8_linear.py`` says why). Deterministic: the same file from the same
weights and turns.

    python scripts/calibrate_int8.py [--out nlp/models/int8/smoothing.safetensors]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import torch
from safetensors.torch import save_file

from nlp.int8_linear import SMOOTHING_ALPHA, SMOOTHING_PATH, smoothing_factors
from nlp.models import load_encoder_model

TURNS = Path(__file__).resolve().parent.parent / "eval" / "ibm-customer-care" / "turns.jsonl"
INT8_PRODUCTS = re.compile(
    r"^encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense)$"
)


def train_turns(path: Path = TURNS) -> list[str]:
    """The train split's turn texts, in file order."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["split"] == "train"]


def channel_ranges(texts: list[str]) -> dict[str, torch.Tensor]:
    """Largest input magnitude per channel of every int8 product, over ``texts`` (fp32, unbatched)."""
    loaded = load_encoder_model(None)
    model, tokenizer = loaded.model, loaded.tokenizer
    ranges: dict[str, torch.Tensor] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and INT8_PRODUCTS.match(name):

            def record(module: torch.nn.Module, inputs: tuple[torch.Tensor, ...], name: str = name) -> None:
                seen = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
                ranges[name] = seen if name not in ranges else torch.maximum(ranges[name], seen)

            hooks.append(module.register_forward_pre_hook(record))
    torch.set_num_threads(1)
    with torch.inference_mode():
        for text in texts:
            batch = tokenizer(text, return_tensors="pt", truncation=True, max_length=256)
            model(**batch)
    for hook in hooks:
        hook.remove()
    return ranges


def main() -> None:
    """Compute and write the factors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SMOOTHING_PATH)
    args = parser.parse_args()
    texts = train_turns()
    ranges = channel_ranges(texts)
    modules = dict(load_encoder_model(None).model.named_modules())
    factors = {name: smoothing_factors(modules[name], ranges[name]).contiguous() for name in sorted(ranges)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"alpha": str(SMOOTHING_ALPHA), "texts": f"{len(texts)} train turns of {TURNS.name}"}
    save_file(factors, str(args.out), metadata=metadata)
    print(f"wrote {args.out}: {len(factors)} products from {len(texts)} turns")


if __name__ == "__main__":
    main()
