"""Train the shipped sentiment head on TweetEval tweets (``make train-sentiment``).

    python scripts/train_sentiment.py --train ../shared/data/tweeteval-sentiment/train.tsv \
        [--dev ../shared/data/tweeteval-sentiment/dev.tsv] [--out nlp/models/sentiment]

The encoder is frozen; its per-layer mean-pooled features are computed once and cached under
.bench/sentiment-features/. The head (standardise -> Linear -> GELU -> Linear) is trained with
class-balanced cross-entropy, seeded, on the training file only. ``--dev`` is only reported
(and written into head.json); it never influences training.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from sentiment_data import ROOT, layer_features, macro_recall, read_tsv, select

from nlp.sentiment import HeadSpec, SentimentHead

DEFAULT_OUT = ROOT / "nlp" / "models" / "sentiment"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=Path, required=True, help="TSV with text<TAB>label")
    parser.add_argument("--dev", type=Path, help="TSV reported after training (never trained on)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--layers", default="2,3,4", help="hidden_states indexes to mean-pool")
    parser.add_argument("--no-embedding", action="store_true", help="leave the sentence embedding out")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    return parser.parse_args()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def train_head(
    features: np.ndarray, labels: np.ndarray, spec: HeadSpec, *, epochs: int, lr: float, weight_decay: float
) -> SentimentHead:
    head = SentimentHead(features.shape[1], spec.hidden, spec.dropout)
    head.feature_mean.copy_(torch.tensor(features.mean(axis=0)))
    head.feature_std.copy_(torch.tensor(features.std(axis=0) + 1e-6))
    x = torch.tensor(features, dtype=torch.float32)
    y = torch.tensor(labels)
    weights = torch.tensor(len(labels) / (3 * np.bincount(labels, minlength=3)), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimiser = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        head.train()
        order = torch.randperm(len(y), generator=generator)
        for start in range(0, len(y), 64):
            batch = order[start : start + 64]
            optimiser.zero_grad()
            loss_fn(head(x[batch]), y[batch]).backward()
            optimiser.step()
    return head.eval()


def evaluate(head: SentimentHead, features: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    with torch.inference_mode():
        predicted = head(torch.tensor(features, dtype=torch.float32)).argmax(dim=1).numpy()
    macro, per_class = macro_recall(labels, predicted)
    return {
        "macro_recall": round(macro, 4),
        "recall": dict(
            zip(("negative", "neutral", "positive"), (round(r, 4) for r in per_class), strict=True)
        ),
        "accuracy": round(float((predicted == labels).mean()), 4),
        "n": int(len(labels)),
    }


def main() -> None:
    args = parse_args()
    torch.set_num_threads(2)
    seed_everything(args.seed)
    started = time.time()
    layers = tuple(int(i) for i in args.layers.split(",") if i.strip())
    texts, labels = read_tsv(args.train)
    train_x = select(layer_features(args.train, texts), layers, not args.no_embedding)
    print(f"features for {len(texts)} training texts in {time.time() - started:.0f}s")
    spec = HeadSpec(
        name="qareview-sentiment-head/minilm-l6-v1",
        labels=("negative", "neutral", "positive"),
        layers=layers,
        include_embedding=not args.no_embedding,
        hidden=args.hidden,
        dropout=args.dropout,
        encoder="sentence-transformers/all-MiniLM-L6-v2",
        metrics={},
        training={},
    )
    head = train_head(train_x, labels, spec, epochs=args.epochs, lr=args.lr, weight_decay=args.weight_decay)
    metrics = {"train": evaluate(head, train_x, labels)}
    if args.dev:
        dev_texts, dev_labels = read_tsv(args.dev)
        dev_x = select(layer_features(args.dev, dev_texts), layers, not args.no_embedding)
        metrics["dev"] = evaluate(head, dev_x, dev_labels)
    training = {
        "data": args.train.name,
        "command": "make train-sentiment",
        "seed": args.seed,
        "epochs": args.epochs,
        "lr": args.lr,
        "weight_decay": args.weight_decay,
        "loss": "class-balanced cross-entropy",
        "seconds": round(time.time() - started, 1),
    }
    spec = HeadSpec(**{**spec.__dict__, "metrics": metrics, "training": training})
    args.out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in head.state_dict().items()}
    save_file(state, str(args.out / "head.safetensors"))
    (args.out / "head.json").write_text(json.dumps(spec.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    print(f"saved {args.out / 'head.safetensors'} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
