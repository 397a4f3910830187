"""Torch fp32 vs ONNX Runtime fp32 vs ONNX Runtime int8 for the shared encoder pass (measurement only).

    python scripts/bench_onnx.py [--data ../shared/data/tweeteval-sentiment/dev.tsv] [--turns 2400]
        [--threads 2] [--repeat 3] [--out .bench/onnx.json] [--onnx-dir .bench/onnx]
        [--per-channel] [--matmul-only]

Run with ``HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false`` and the project
venv (needs ``onnxruntime`` and ``onnx``, which are not project dependencies). Nothing in the
product changes: this script only measures.

1. Exports the encoder (``nlp.models.load_encoder_model()``, all-MiniLM-L6-v2) to
   ``<onnx-dir>/encoder-fp32.onnx`` with the TorchScript exporter (opset 17), inputs
   ``input_ids``/``attention_mask``/``token_type_ids`` and outputs ``last_hidden_state`` and
   ``hidden_state_5`` (= ``hidden_states[5]``, what the shipped sentiment head reads), batch and
   sequence axes dynamic. The export runs on a deep copy: the legacy exporter was seen to leave
   the exported module's later torch outputs changed, and the product Encoder shares the cached
   model. Then ``onnxruntime.quantization.quantize_dynamic`` (int8 weights, dynamic uint8
   activations; per-tensor and default op types unless ``--per-channel`` / ``--matmul-only``)
   writes ``encoder-int8.onnx``.
2. Throughput: the example turns (built by ``scripts/bench.py``'s helper) go through each back-end
   exactly like ``Encoder.run`` does — tokenise once, length-sort, batches of 64, same padding,
   mean-pool + L2-normalise — once for embeddings only and once with the shipped sentiment head
   on the same pass. torch uses the product ``Encoder`` itself; the ORT back-ends swap only the
   transformer forward. torch and ORT both get ``--threads`` intra-op threads (ORT: 1 inter-op
   thread, sequential). Repetitions are interleaved (rep 1 of every back-end, then rep 2, ...)
   and the best of ``--repeat`` is reported, with per-repetition speed ratios vs torch.
3. Sentiment: each back-end's ``hidden_states[5]`` + attention mask feed the shipped head
   (``nlp.sentiment.ShippedSentiment``; its LoRA-merged top layer stays torch) on ``--data``;
   macro recall (TweetEval metric), per-class recall, accuracy, label agreement with torch.
4. Embedding agreement vs torch fp32 on the example turns and on the ``--data`` texts: max abs
   difference and mean/min cosine of the normalised sentence embeddings.

Prints one line per back-end and writes everything to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import torch
import transformers
from bench import example_conversations, synthetic_conversations
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentiment_data import LABEL_INDEX, ROOT, macro_recall, read_tsv

from nlp.config import EncoderConfig
from nlp.encoder import BatchHead, Encoder, EncoderPass, _pad, _scatter, mean_pool
from nlp.models import load_encoder_model
from nlp.sentiment import HEAD_NAME, ShippedSentiment

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUTS = ("last_hidden_state", "hidden_state_5")
HIDDEN_INDEX = 5  # hidden_states index exported next to last_hidden_state
OPSET = 17
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tweeteval-sentiment" / "dev.tsv"


class _ExportWrapper(torch.nn.Module):
    """The encoder's own forward, returning (last_hidden_state, hidden_states[5])."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            output_hidden_states=True,
            return_dict=True,
        )
        return out.last_hidden_state, out.hidden_states[HIDDEN_INDEX]


def _probe_batch() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A padded batch with varied lengths (the export must not bake in one padding pattern)."""
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 20000, (7, 23), generator=generator)
    lengths = torch.tensor([23, 5, 1, 17, 9, 23, 2])
    mask = (torch.arange(23)[None, :] < lengths[:, None]).long()
    ids[:, 0] = 101
    return ids, mask, torch.zeros_like(ids)


def export_models(onnx_dir: Path, quant: Mapping[str, Any]) -> tuple[Path, Path]:
    """Write the fp32 ONNX export and its int8 dynamic-quantised copy; check the export."""
    onnx_dir.mkdir(parents=True, exist_ok=True)
    fp32_path, int8_path = onnx_dir / "encoder-fp32.onnx", onnx_dir / "encoder-int8.onnx"
    shared = load_encoder_model().model
    probe = _probe_batch()
    with torch.inference_mode():
        reference = _ExportWrapper(shared)(*probe)
    dummy_ids = torch.randint(1000, 20000, (2, 9), generator=torch.Generator().manual_seed(1))
    dummy_mask = torch.ones_like(dummy_ids)
    dummy_mask[1, 5:] = 0
    wrapper = _ExportWrapper(copy.deepcopy(shared)).eval()
    dynamic = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, *OUTPUTS)}
    torch.onnx.export(
        wrapper,
        (dummy_ids, dummy_mask, torch.zeros_like(dummy_ids)),
        str(fp32_path),
        dynamo=False,
        opset_version=OPSET,
        input_names=list(INPUTS),
        output_names=list(OUTPUTS),
        dynamic_axes=dynamic,
        do_constant_folding=True,
    )
    onnx.checker.check_model(str(fp32_path))
    with torch.inference_mode():
        after = _ExportWrapper(shared)(*probe)
    if any(not torch.equal(a, b) for a, b in zip(reference, after, strict=True)):
        raise SystemExit("exporting changed the shared torch encoder's outputs; refusing to compare")
    session = ort.InferenceSession(str(fp32_path), providers=["CPUExecutionProvider"])
    got = session.run(list(OUTPUTS), {k: v.numpy() for k, v in zip(INPUTS, probe, strict=True)})
    real = probe[1].bool().numpy()
    worst = max(float(np.abs(g - r.numpy())[real].max()) for g, r in zip(got, reference, strict=True))
    if worst > 1e-3:
        raise SystemExit(f"ONNX fp32 export disagrees with torch on a padded probe batch: max |diff| {worst}")
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8, **quant)
    return fp32_path, int8_path


class OrtEncoder:
    """``Encoder.run`` with the transformer forward replaced by an ONNX Runtime session."""

    def __init__(self, path: Path, like: Encoder, threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = like.tokenizer
        self.batch_size = like.batch_size
        self.max_length = like.max_length
        self.dim = like.dim

    def run(self, texts: Sequence[str], heads: Sequence[BatchHead] = ()) -> EncoderPass:
        """Same tokenisation, length-sorted batching, padding, pooling and head calls as torch."""
        n = len(texts)
        embeddings = np.zeros((n, self.dim), dtype=np.float32)
        outputs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {h.name: [] for h in heads}
        if n == 0:
            return EncoderPass(embeddings, {h.name: np.zeros((0, 0), dtype=np.float32) for h in heads})
        encoded = self.tokenizer(
            list(texts), truncation=True, max_length=self.max_length, add_special_tokens=True
        )
        ids: list[list[int]] = encoded["input_ids"]
        order = sorted(range(n), key=lambda i: len(ids[i]))
        want_hidden = any(h.needs_hidden_states for h in heads)
        wanted = list(OUTPUTS) if want_hidden else [OUTPUTS[0]]
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, n, self.batch_size):
                rows = np.asarray(order[start : start + self.batch_size])
                input_ids, attention_mask = _pad([ids[i] for i in rows], pad_id)
                feed = {
                    "input_ids": input_ids.numpy(),
                    "attention_mask": attention_mask.numpy(),
                    "token_type_ids": np.zeros_like(input_ids.numpy()),
                }
                result = self.session.run(wanted, feed)
                last = torch.from_numpy(result[0])
                pooled = torch.nn.functional.normalize(mean_pool(last, attention_mask), p=2, dim=1)
                embeddings[rows] = pooled.numpy()
                hidden: Mapping[int, torch.Tensor] = (
                    {HIDDEN_INDEX: torch.from_numpy(result[1])} if want_hidden else {}
                )
                for head in heads:
                    value = head(hidden, attention_mask, pooled)  # type: ignore[arg-type]
                    outputs[head.name].append((rows, value.float().numpy()))
        return EncoderPass(embeddings, {name: _scatter(parts, n) for name, parts in outputs.items()})


@dataclass
class Backend:
    """One way of running the encoder pass."""

    name: str
    run: Callable[..., EncoderPass]


def agreement(reference: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Max abs difference and mean/min cosine of two sets of L2-normalised embeddings."""
    cosine = np.sum(reference * other, axis=1) / (
        np.linalg.norm(reference, axis=1) * np.linalg.norm(other, axis=1)
    )
    return {
        "max_abs_diff": float(np.abs(reference - other).max()),
        "mean_cosine": float(cosine.mean()),
        "min_cosine": float(cosine.min()),
    }


def sentiment_metrics(probabilities: np.ndarray, gold: np.ndarray, reference: np.ndarray) -> dict[str, Any]:
    """Macro recall, per-class recall, accuracy and label agreement with the torch predictions."""
    predicted = probabilities.argmax(axis=1)
    macro, per_class = macro_recall(gold, predicted)
    return {
        "macro_recall": round(macro, 4),
        "recall": {name: round(r, 4) for name, r in zip(LABEL_INDEX, per_class, strict=True)},
        "accuracy": round(float((predicted == gold).mean()), 4),
        "label_agreement_vs_torch": round(float((predicted == reference.argmax(axis=1)).mean()), 4),
        "max_abs_prob_diff_vs_torch": float(np.abs(probabilities - reference).max()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TweetEval TSV (text<TAB>label)")
    parser.add_argument("--turns", type=int, default=2400, help="at least this many example turns")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads, torch and ORT")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved timed repetitions (best-of)")
    parser.add_argument("--onnx-dir", type=Path, default=ROOT / ".bench" / "onnx")
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "onnx.json")
    parser.add_argument("--per-channel", action="store_true", help="int8: per-channel weight scales")
    parser.add_argument("--matmul-only", action="store_true", help="int8: quantise MatMul only")
    args = parser.parse_args()
    quant: dict[str, Any] = {"per_channel": args.per_channel}
    if args.matmul_only:
        quant["op_types_to_quantize"] = ["MatMul"]
    if not args.data.is_file():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    fp32_path, int8_path = export_models(args.onnx_dir, quant)
    export_s = time.perf_counter() - started
    print(
        f"exported {fp32_path.name} ({fp32_path.stat().st_size / 2**20:.1f} MiB) and {int8_path.name} "
        f"({int8_path.stat().st_size / 2**20:.1f} MiB) in {export_s:.1f} s; onnxruntime {ort.__version__}"
    )

    encoder = Encoder.from_config(EncoderConfig(num_threads=args.threads))
    torch.set_num_threads(args.threads)
    sentiment = ShippedSentiment.load(encoder)
    head = sentiment.head
    if sentiment.spec.adapted_layers != 1 or sentiment.spec.layers or sentiment.spec.include_embedding:
        raise SystemExit(f"this bench assumes the head reads hidden_states[{HIDDEN_INDEX}] only")
    backends = [
        Backend("torch-fp32", encoder.run),
        Backend("ort-fp32", OrtEncoder(fp32_path, encoder, args.threads).run),
        Backend("ort-int8", OrtEncoder(int8_path, encoder, args.threads).run),
    ]

    conversations = example_conversations(args.turns)
    source = "examples/"
    if not conversations:
        conversations, source = synthetic_conversations(args.turns), "synthetic templates"
    texts = [t.text for c in conversations for t in c.turns]
    n = len(texts)
    print(f"{n} turns from {source}; {args.threads} threads; best of {args.repeat}, interleaved")

    for backend in backends:  # warm-up (allocators, ORT arenas, thread pools)
        backend.run(texts[:256], heads=[head])

    modes: dict[str, list[BatchHead]] = {"embeddings": [], "with_sentiment": [head]}
    seconds: dict[str, dict[str, list[float]]] = {b.name: {m: [] for m in modes} for b in backends}
    for rep in range(args.repeat):
        for mode, heads in modes.items():
            for backend in backends:
                tick = time.perf_counter()
                backend.run(texts, heads=heads)
                seconds[backend.name][mode].append(time.perf_counter() - tick)
        print(
            f"  rep {rep + 1}: "
            + ", ".join(f"{b.name} {seconds[b.name]['with_sentiment'][-1]:.1f} s" for b in backends)
            + " (+sentiment)",
            flush=True,
        )

    example_embeddings = {b.name: b.run(texts).embeddings for b in backends}
    dev_texts, gold = read_tsv(args.data)
    dev_pass = {b.name: b.run(dev_texts, heads=[head]) for b in backends}
    reference = dev_pass["torch-fp32"]

    results: dict[str, Any] = {
        "turns": n,
        "source": source,
        "threads": args.threads,
        "repeat": args.repeat,
        "batch_size": encoder.batch_size,
        "max_length": encoder.max_length,
        "cpu": platform.processor() or platform.machine(),
        "cores_available": len(os.sched_getaffinity(0)),
        "load_average": os.getloadavg(),
        "versions": {
            "torch": torch.__version__,
            "onnxruntime": ort.__version__,
            "onnx": onnx.__version__,
            "transformers": transformers.__version__,
        },
        "onnx": {
            "opset": OPSET,
            "exporter": "torch.onnx.export(dynamo=False)",
            "quantization": f"quantize_dynamic(weight_type=QInt8, {quant})",
            "fp32_mib": round(fp32_path.stat().st_size / 2**20, 1),
            "int8_mib": round(int8_path.stat().st_size / 2**20, 1),
        },
        "sentiment_model": sentiment.name,
        "data": str(args.data),
        "dev_n": len(dev_texts),
        "backends": {},
    }
    torch_best = {m: min(seconds["torch-fp32"][m]) for m in modes}
    for backend in backends:
        name = backend.name
        entry: dict[str, Any] = {}
        for mode in modes:
            times = seconds[name][mode]
            ratios = [t0 / t for t0, t in zip(seconds["torch-fp32"][mode], times, strict=True)]
            entry[mode] = {
                "best_seconds": round(min(times), 3),
                "turns_per_s": round(n / min(times), 1),
                "all_seconds": [round(t, 3) for t in times],
                "speedup_vs_torch_best": round(torch_best[mode] / min(times), 3),
                "speedup_vs_torch_per_rep": [round(r, 3) for r in ratios],
            }
        entry["sentiment"] = sentiment_metrics(
            dev_pass[name].head_outputs[HEAD_NAME], gold, reference.head_outputs[HEAD_NAME]
        )
        entry["embeddings_vs_torch"] = {
            "example_turns": agreement(example_embeddings["torch-fp32"], example_embeddings[name]),
            "dev_texts": agreement(reference.embeddings, dev_pass[name].embeddings),
        }
        results["backends"][name] = entry

    base_recall = results["backends"]["torch-fp32"]["sentiment"]["macro_recall"]
    for name, entry in results["backends"].items():
        emb, sent = entry["embeddings_vs_torch"]["example_turns"], entry["sentiment"]
        print(
            f"{name:>10}: {entry['embeddings']['turns_per_s']:7.1f} turns/s embeddings, "
            f"{entry['with_sentiment']['turns_per_s']:7.1f} turns/s +sentiment "
            f"(x{entry['with_sentiment']['speedup_vs_torch_best']:.2f} vs torch); "
            f"macro recall {sent['macro_recall']:.4f} ({sent['macro_recall'] - base_recall:+.4f}), "
            f"labels agree {sent['label_agreement_vs_torch']:.4f}; "
            f"embeddings max|diff| {emb['max_abs_diff']:.2e}, mean cos {emb['mean_cosine']:.6f}"
        )
    int8 = results["backends"]["ort-int8"]
    within = int8["sentiment"]["macro_recall"] >= base_recall - 0.01
    faster = int8["with_sentiment"]["speedup_vs_torch_best"] > 1.0
    results["int8_within_1_point"] = within
    results["int8_faster_with_sentiment"] = faster
    results["int8_meets_issue_bar"] = within and faster
    print(
        f"int8: macro recall within 1 point {'yes' if within else 'NO'}; faster (encoder + sentiment, "
        f"best-of-{args.repeat}) {'yes' if faster else 'NO'}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
