"""Train the shipped sentiment head on TweetEval tweets (``make train-sentiment``).

    python scripts/train_sentiment.py --train ../shared/data/tweeteval-sentiment/train.tsv \
        [--dev ../shared/data/tweeteval-sentiment/dev.tsv] [--out nlp/models/sentiment]

The shared encoder stays frozen. Its features are computed once and cached under
.bench/sentiment-features/: mean-pooled hidden states of every layer plus the sentence
embedding, and (for ``--adapted-layers k`` > 0) the token-level hidden state k layers below
the top. The head — LoRA adapters (peft) on private copies of the top k encoder layers (the
default and shipped k is 1), their mean-pooled output, optionally concatenated with frozen
pooled layers (``--layers``, ``--embedding``), then a linear layer or MLP — is trained with
class-balanced cross-entropy, seeded, on the training file only.

``--dev`` (default: ``dev.tsv`` beside the training file) is evaluated after training through
the product path (``ShippedSentiment`` on a fresh encoder pass) and written into head.json;
it never influences training.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from peft import LoraConfig, inject_adapter_in_model
from sentiment_data import CACHE_DIR, ROOT, cache_key, layer_features, macro_recall, read_tsv, select

from nlp.config import EncoderConfig
from nlp.encoder import Encoder
from nlp.sentiment import HeadSpec, SentimentHead, ShippedSentiment, save_head, top_layer_copies

DEFAULT_OUT = ROOT / "nlp" / "models" / "sentiment"
LORA_TARGETS = ["query", "key", "value", "dense"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=Path, required=True, help="TSV with text<TAB>label")
    parser.add_argument(
        "--dev",
        type=Path,
        help="TSV reported after training, never trained on (default: dev.tsv beside --train)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--layers", default="", help="hidden_states indexes mean-pooled as frozen features")
    parser.add_argument("--embedding", action="store_true", help="add the sentence embedding as a feature")
    parser.add_argument("--adapted-layers", type=int, default=1, help="top encoder layers adapted with LoRA")
    parser.add_argument("--lora-r", type=int, default=8)
    parser.add_argument("--lora-alpha", type=float, default=16.0)
    parser.add_argument("--hidden", type=int, default=0, help="MLP width (0: linear classifier)")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


class _TokenCapture:
    """Batch head keeping hidden_states[index] of every row, unpadded, in the order batches arrive."""

    name = "capture"
    needs_hidden_states = True

    def __init__(self, index: int) -> None:
        self.index = index
        self.rows: list[torch.Tensor] = []

    def __call__(self, hidden_states, attention_mask, embeddings):  # type: ignore[no-untyped-def]
        lengths = attention_mask.sum(dim=1)
        self.rows.extend(
            h[: int(n)].half().clone() for h, n in zip(hidden_states[self.index], lengths, strict=True)
        )
        return embeddings[:, :1]


def token_states(path: Path, texts: list[str], index: int, encoder: Encoder) -> list[torch.Tensor]:
    """hidden_states[index] per text (unpadded, float16), cached next to the pooled features.

    ``encoder`` must run one stream without filler rows: the capture receives whole batches in the
    order they are encoded, and only one stream encodes them in the order :meth:`Encoder.run`
    sorts them.
    """
    if encoder.streams != 1 or encoder.row_multiple != 1:
        raise ValueError(
            f"token states need one stream and no filler rows: {encoder.streams}, {encoder.row_multiple}"
        )
    encoded = encoder.tokenizer(texts, truncation=True, max_length=encoder.max_length)["input_ids"]
    cache = CACHE_DIR / f"{cache_key(path)}-tokens-{index}-ordered.pt"
    if cache.exists():
        states = torch.load(cache)
    else:
        capture = _TokenCapture(index)
        encoder.run(texts, heads=[capture])
        # Encoder.run visits texts sorted by length; map the captured rows back to input order.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        states = [torch.empty(0)] * len(texts)
        for position, row in enumerate(order):
            states[row] = capture.rows[position]
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        torch.save(states, cache)
    misplaced = [i for i, (s, ids) in enumerate(zip(states, encoded, strict=True)) if s.shape[0] != len(ids)]
    if misplaced:
        raise ValueError(
            f"token states of {len(misplaced)} texts do not fit their tokens (first: {misplaced[0]})"
        )
    return states


def pad(rows: list[torch.Tensor], width: int) -> tuple[torch.Tensor, torch.Tensor]:
    longest = max(r.shape[0] for r in rows)
    x = torch.zeros(len(rows), longest, width)
    mask = torch.zeros(len(rows), longest, dtype=torch.long)
    for i, r in enumerate(rows):
        x[i, : r.shape[0]] = r.float()
        mask[i, : r.shape[0]] = 1
    return x, mask


def batch_inputs(
    frozen: torch.Tensor, states: list[torch.Tensor] | None, rows: list[int], spec: HeadSpec
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    if states is None:
        return frozen[rows], None, torch.ones(len(rows), 1, dtype=torch.long)
    x, mask = pad([states[i] for i in rows], spec.width)
    return frozen[rows], x, mask


def train(
    spec: HeadSpec,
    head: SentimentHead,
    frozen: torch.Tensor,
    states: list[torch.Tensor] | None,
    labels: np.ndarray,
    args: argparse.Namespace,
) -> None:
    y = torch.tensor(labels)
    weights = torch.tensor(len(labels) / (3 * np.bincount(labels, minlength=3)), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    params = [p for p in head.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = (len(y) + args.batch_size - 1) // args.batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.1
    )
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        started, total = time.time(), 0.0
        head.train()
        order = torch.randperm(len(y), generator=generator).tolist()
        for start in range(0, len(order), args.batch_size):
            rows = order[start : start + args.batch_size]
            f, x, mask = batch_inputs(frozen, states, rows, spec)
            optimiser.zero_grad()
            loss = loss_fn(head(f, x, mask), y[rows])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(rows)
        print(
            f"epoch {epoch + 1}/{args.epochs}: loss {total / len(y):.4f} ({time.time() - started:.0f}s)",
            flush=True,
        )
    head.eval()


def scores(gold: np.ndarray, predicted: np.ndarray) -> dict[str, object]:
    macro, per_class = macro_recall(gold, predicted)
    return {
        "macro_recall": round(macro, 4),
        "recall": {
            k: round(r, 4) for k, r in zip(("negative", "neutral", "positive"), per_class, strict=True)
        },
        "accuracy": round(float((predicted == gold).mean()), 4),
        "n": int(len(gold)),
    }


def main() -> None:
    args = parse_args()
    if args.dev is None and (args.train.parent / "dev.tsv").is_file():
        args.dev = args.train.parent / "dev.tsv"
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    started = time.time()
    spec = HeadSpec(
        name=f"qareview-sentiment/minilm-l6-lora{args.adapted_layers}-v1",
        labels=("negative", "neutral", "positive"),
        layers=tuple(int(i) for i in args.layers.split(",") if i.strip()),
        include_embedding=args.embedding,
        adapted_layers=args.adapted_layers,
        lora={"r": args.lora_r, "alpha": args.lora_alpha, "target_modules": LORA_TARGETS}
        if args.adapted_layers
        else {},
        hidden=args.hidden,
        dropout=args.dropout,
        encoder="sentence-transformers/all-MiniLM-L6-v2",
    )
    # one stream: token_states captures batches in the order they are encoded
    encoder = Encoder.from_config(EncoderConfig(num_threads=args.threads, streams=1))
    texts, labels = read_tsv(args.train)
    frozen = torch.tensor(
        select(layer_features(args.train, texts, encoder), spec.layers, spec.include_embedding)
    )
    states = token_states(args.train, texts, spec.adapted_input, encoder) if spec.adapted_layers else None
    print(f"features for {len(texts)} training texts ready in {time.time() - started:.0f}s", flush=True)

    head = SentimentHead(spec, top_layer_copies(encoder.model, spec.adapted_layers))
    if spec.frozen_dim:
        head.feature_mean.copy_(frozen.mean(dim=0))
        head.feature_std.copy_(frozen.std(dim=0) + 1e-6)
    for p in head.top.parameters():
        p.requires_grad_(False)
    if spec.adapted_layers:
        config = LoraConfig(
            r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=0.1, target_modules=LORA_TARGETS
        )
        inject_adapter_in_model(config, head.top)
    train(spec, head, frozen, states, labels, args)

    training = {
        "data": f"{args.train.name} ({len(texts)} tweets; TweetEval sentiment, see MODEL_CARD.md)",
        "command": "make train-sentiment",
        "seed": args.seed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "weight_decay": args.weight_decay,
        "lora_dropout": 0.1 if spec.adapted_layers else None,
        "loss": "class-balanced cross-entropy",
        "threads": args.threads,
        "seconds": round(time.time() - started, 1),
    }
    save_head(args.out, replace(spec, training=training), head)

    # Check the saved files through the product loader: same predictions as the trained module.
    shipped = ShippedSentiment.load(encoder, args.out)
    check = texts[:64]
    product = np.asarray(
        [["negative", "neutral", "positive"].index(s.label.value) for s in shipped.classify_texts(check)]
    )
    f, x, mask = batch_inputs(frozen, states, list(range(len(check))), spec)
    with torch.inference_mode():
        trained = head(f, x, mask).argmax(dim=1).numpy()
    agreement = float((product == trained).mean())
    print(f"saved head agrees with the trained module on {agreement:.0%} of {len(check)} texts")
    if agreement < 0.97:
        raise SystemExit("the saved head does not reproduce the trained one")

    metrics: dict[str, object] = {}
    if args.dev:
        dev_texts, dev_labels = read_tsv(args.dev)
        predicted = shipped.classify_texts(dev_texts)
        index = {"negative": 0, "neutral": 1, "positive": 2}
        metrics["dev"] = scores(dev_labels, np.asarray([index[p.label.value] for p in predicted]))
        metrics["dev"]["data"] = args.dev.name
    training["seconds"] = round(time.time() - started, 1)
    final = replace(spec, metrics=metrics, training=training)
    (args.out / "head.json").write_text(json.dumps(final.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.2f} MB) in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
