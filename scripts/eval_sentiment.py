"""Measure the configured sentiment model on a labelled TSV (first step of ``make eval``).

    python scripts/eval_sentiment.py --data ../shared/data/tweeteval-sentiment/dev.tsv [--model NAME]

Runs the product path (``Analyzer.classify_texts``), not cached training features, and prints
macro-averaged recall (the TweetEval metric) first, then per-class recall and accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sentiment_data import LABEL_INDEX, macro_recall, read_tsv

from nlp.analysis import Analyzer
from nlp.config import load_analysis_config
from nlp.models import ModelLoadError


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="TSV with text<TAB>label and a header")
    parser.add_argument("--model", help="override sentiment.model ('shipped', HF name or local path)")
    parser.add_argument("--json", type=Path, help="also write the metrics to this JSON file")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"error: {args.data} not found (the TweetEval files live in ../shared/data)", file=sys.stderr)
        return 2
    config = load_analysis_config()
    if args.model:
        config = config.with_sentiment_model(args.model)
    texts, gold = read_tsv(args.data)
    try:
        analyzer = Analyzer(config)
        started = time.perf_counter()
        predictions = analyzer.classify_texts(texts)
    except ModelLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    predicted = np.asarray([LABEL_INDEX[p.label.value] for p in predictions])
    macro, per_class = macro_recall(gold, predicted)
    metrics = {
        "model": analyzer.sentiment_name,
        "data": str(args.data),
        "n": len(texts),
        "macro_recall": round(macro, 4),
        "recall": {name: round(r, 4) for name, r in zip(LABEL_INDEX, per_class, strict=True)},
        "accuracy": round(float((predicted == gold).mean()), 4),
        "texts_per_second": round(len(texts) / seconds, 1) if seconds else None,
    }
    print(
        f"sentiment macro recall: {macro:.4f}  ({metrics['model']}, {len(texts)} texts from {args.data.name})"
    )
    print("per-class recall: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics["recall"].items()))
    print(f"accuracy: {metrics['accuracy']:.4f}; {metrics['texts_per_second']} texts/s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
