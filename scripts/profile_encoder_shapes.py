"""Memory the encoder keeps per batch shape it meets (docs/performance.md), in this process.

    python scripts/profile_encoder_shapes.py [--passes 200] [--row-multiple N]

Runs the shipped encoder configuration (``nlp/analysis.yaml``; ``--row-multiple`` overrides
``encoder.row_multiple``) over passes of 1 to 64 texts of random lengths, so every pass is one
batch of a random shape, as the last batch of each analysis batch is in the flow. Then runs the
same passes again. Prints the RSS (garbage collected, heap trimmed) every 50 passes and the
number of distinct batch shapes the forward pass saw: with rows padded to 16 the shapes, and
the memory kept for them, stop growing after a few dozen.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from bench_scale import settled_rss_mb  # noqa: E402

from nlp.config import load_analysis_config  # noqa: E402
from nlp.encoder import Encoder  # noqa: E402

WORDS = "the order was late and my account is locked please help refund card payment app crash".split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=200)
    parser.add_argument("--row-multiple", type=int, default=None, help="default: nlp/analysis.yaml")
    args = parser.parse_args()
    config = load_analysis_config().encoder
    if args.row_multiple is not None:
        config = config.model_copy(update={"row_multiple": args.row_multiple})
    encoder = Encoder.from_config(config)
    rng = np.random.default_rng(0)
    passes = [
        [" ".join(rng.choice(WORDS, size=int(length))) for length in rng.integers(1, 60, size=int(size))]
        for size in rng.integers(1, 65, size=args.passes)
    ]
    shapes: set[tuple[int, ...]] = set()
    forward = encoder.forward

    def recording(ids, mask, hidden):  # type: ignore[no-untyped-def]
        shapes.add(tuple(ids.shape))
        return forward(ids, mask, hidden)

    encoder.forward = recording  # type: ignore[method-assign]
    encoder.run(passes[0])
    _print(0, 0, len(shapes))
    for round_ in (1, 2):
        for number, texts in enumerate(passes, 1):
            encoder.run(texts)
            if number % 50 == 0 or number == len(passes):
                _print(round_, number, len(shapes))


def _print(round_: int, passes: int, shapes: int) -> None:
    row = {"round": round_, "passes": passes, "shapes": shapes, "rss_mb": settled_rss_mb()}
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
