"""Torch fp32 vs ONNX Runtime fp32 / int8 dynamic / int8 static for the shared encoder pass.

    python scripts/bench_onnx.py [--data ../shared/data/tweeteval-sentiment/dev.tsv] [--turns 2400]
        [--threads 2] [--repeat 3] [--out .bench/onnx.json] [--onnx-dir .bench/onnx]
        [--per-channel] [--matmul-only]
        [--calibration <dir of --data>/train.tsv] [--calibration-n 512] [--calibration-seed 0]
        [--invariance-n 300] [--invariance-tol 1e-4]

The decision run:

    python scripts/bench_onnx.py --data ../shared/data/tweeteval-sentiment/dev.tsv \
        --per-channel --matmul-only --out .bench/onnx.json

Run with ``HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false`` and the project
venv (needs ``onnxruntime`` and ``onnx``, which are not project dependencies). Nothing in the
product changes: this script only measures.

Four back-ends: ``torch-fp32`` (the product ``Encoder``), ``ort-fp32``, ``ort-int8`` (dynamic
quantisation) and ``ort-int8-static`` (static QDQ quantisation).

1. Exports the encoder (``nlp.models.load_encoder_model()``, all-MiniLM-L6-v2) to
   ``<onnx-dir>/encoder-fp32.onnx`` with the TorchScript exporter (opset 17), inputs
   ``input_ids``/``attention_mask``/``token_type_ids`` and outputs ``last_hidden_state`` and
   ``hidden_state_5`` (= ``hidden_states[5]``, what the shipped sentiment head reads), batch and
   sequence axes dynamic. The export runs on a deep copy: the legacy exporter was seen to leave
   the exported module's later torch outputs changed, and the product Encoder shares the cached
   model. Then:

   * ``onnxruntime.quantization.quantize_dynamic`` (int8 weights, uint8 activations whose scale
     is computed per batch tensor at run time; per-tensor and default op types unless
     ``--per-channel`` / ``--matmul-only``) writes ``encoder-int8.onnx``;
   * ``quantize_static`` (QDQ format, per-channel QInt8 weights, MatMul only, QUInt8 activations,
     MinMax calibration; fixed settings, not affected by ``--per-channel`` / ``--matmul-only``)
     writes ``encoder-int8-static.onnx``. Calibration: ``--calibration-n`` texts drawn without
     replacement (``numpy.random.default_rng(--calibration-seed)``) from ``--calibration``
     (default: ``train.tsv`` next to ``--data``), tokenised like ``Encoder.run``, length-sorted,
     padded batches of 32. Calibrating on the evaluation file is refused (same path or same
     bytes); how many calibration texts also occur in ``--data`` is recorded.
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
5. Batch invariance, per back-end: the first ``--invariance-n`` ``--data`` texts run one at a
   time (``run([text])``) vs in one ``run(texts)`` call (length-sorted batches of 64, as the
   product does); max |difference| of the sentiment probabilities, sentiment label agreement,
   and min cosine of the sentence embeddings between the two. Dynamic quantisation is expected
   to fail this: its activation scales depend on what else is in the batch.

Conclusion criteria, printed as one verdict line per int8 variant and stored under ``verdicts``
in the JSON:

* within 1 point: dev macro recall >= torch fp32 macro recall - 0.01;
* faster: best-of-``--repeat`` encoder + sentiment throughput on the example turns above torch
  fp32's (speed-up > 1.0);
* batch-invariant: label agreement 1.0 between single and batched runs, max |Δp| <=
  ``--invariance-tol`` and 1 - min embedding cosine <= ``--invariance-tol``;
* qualifies as the default back-end only if all three hold.

Prints one line per back-end plus the verdicts and writes everything to ``--out`` (JSON).
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
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)
from sentiment_data import LABEL_INDEX, ROOT, macro_recall, read_tsv

from nlp.config import EncoderConfig
from nlp.encoder import BatchHead, Encoder, EncoderPass, _pad
from nlp.models import load_encoder_model
from nlp.sentiment import HEAD_NAME, ShippedSentiment

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUTS = ("last_hidden_state", "hidden_state_5")
HIDDEN_INDEX = 5  # hidden_states index exported next to last_hidden_state
OPSET = 17
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "tweeteval-sentiment" / "dev.tsv"
CALIBRATION_BATCH = 32  # static quantisation: calibration batch size (padded, length-sorted)
STATIC_SETTINGS: dict[str, Any] = {  # quantize_static arguments besides the reader
    "quant_format": QuantFormat.QDQ,
    "per_channel": True,
    "op_types_to_quantize": ["MatMul"],
    "activation_type": QuantType.QUInt8,
    "weight_type": QuantType.QInt8,
    "calibrate_method": CalibrationMethod.MinMax,
}
RECALL_MARGIN = 0.01  # "within 1 point" of torch fp32 macro recall
TORCH, DYNAMIC, STATIC = "torch-fp32", "ort-int8", "ort-int8-static"
INT8_VARIANTS = (DYNAMIC, STATIC)


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


class CalibrationReader(CalibrationDataReader):
    """Calibration feeds tokenised like ``Encoder.run``: length-sorted, padded batches."""

    def __init__(self, texts: Sequence[str], like: Encoder, batch_size: int = CALIBRATION_BATCH) -> None:
        ids: list[list[int]] = like.tokenizer(
            list(texts), truncation=True, max_length=like.max_length, add_special_tokens=True
        )["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        pad_id = like.tokenizer.pad_token_id or 0
        self.feeds: list[dict[str, np.ndarray]] = []
        for start in range(0, len(order), batch_size):
            input_ids, attention_mask = _pad([ids[i] for i in order[start : start + batch_size]], pad_id)
            self.feeds.append(
                {
                    "input_ids": input_ids.numpy(),
                    "attention_mask": attention_mask.numpy(),
                    "token_type_ids": np.zeros_like(input_ids.numpy()),
                }
            )
        self._iter = iter(self.feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._iter, None)

    def rewind(self) -> None:
        self._iter = iter(self.feeds)


def calibration_texts(path: Path, n: int, seed: int) -> list[str]:
    """``n`` texts drawn without replacement from ``path`` with ``default_rng(seed)``."""
    texts, _ = read_tsv(path)
    if n > len(texts):
        raise SystemExit(f"--calibration-n {n} exceeds the {len(texts)} texts in {path}")
    rng = np.random.default_rng(seed)
    return [texts[i] for i in rng.choice(len(texts), n, replace=False)]


def quantize_static_model(fp32_path: Path, out_path: Path, reader: CalibrationReader) -> Path:
    """Static QDQ int8 copy of the fp32 export (``STATIC_SETTINGS``), calibrated on ``reader``."""
    quantize_static(str(fp32_path), str(out_path), reader, **STATIC_SETTINGS)
    onnx.checker.check_model(str(out_path))
    return out_path


class OrtEncoder(Encoder):
    """The product ``Encoder`` with only its transformer forward replaced by an ONNX Runtime session.

    Tokenising, length-sorted batching, padding, pooling and head calls are ``Encoder.run``'s
    own, so the back-ends differ in the model call alone.
    """

    def __init__(self, path: Path, like: Encoder, threads: int) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.name = f"onnxruntime:{path.name}"
        self.tokenizer = like.tokenizer
        self.batch_size = like.batch_size
        self.max_batch_tokens = like.max_batch_tokens
        self.width_multiple = like.width_multiple
        self.row_multiple = like.row_multiple
        self.max_length = like.max_length
        self.dim = like.dim
        self._exemplars = {}

    def forward(  # type: ignore[override]
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, want_hidden: bool
    ) -> tuple[torch.Tensor, Mapping[int, torch.Tensor]]:
        """The exported graph on one padded batch: last hidden state and ``hidden_states[5]``."""
        feed = {
            "input_ids": input_ids.numpy(),
            "attention_mask": attention_mask.numpy(),
            "token_type_ids": np.zeros_like(input_ids.numpy()),
        }
        wanted = list(OUTPUTS) if want_hidden else [OUTPUTS[0]]
        result = self.session.run(wanted, feed)
        hidden = {HIDDEN_INDEX: torch.from_numpy(result[1])} if want_hidden else {}
        return torch.from_numpy(result[0]), hidden


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


def batch_invariance(
    run: Callable[..., EncoderPass], texts: Sequence[str], head: BatchHead
) -> dict[str, Any]:
    """One text per ``run`` call vs one batched ``run`` over all of ``texts`` (as the product)."""
    batched = run(texts, heads=[head])
    singles = [run([text], heads=[head]) for text in texts]
    single_p = np.concatenate([s.head_outputs[HEAD_NAME] for s in singles])
    single_e = np.concatenate([s.embeddings for s in singles])
    batched_p = batched.head_outputs[HEAD_NAME]
    emb = agreement(batched.embeddings, single_e)
    return {
        "n": len(texts),
        "max_abs_prob_diff": float(np.abs(single_p - batched_p).max()),
        "label_agreement": round(float((single_p.argmax(axis=1) == batched_p.argmax(axis=1)).mean()), 4),
        "labels_changed": int((single_p.argmax(axis=1) != batched_p.argmax(axis=1)).sum()),
        "embedding_min_cosine": emb["min_cosine"],
        "embedding_max_abs_diff": emb["max_abs_diff"],
    }


def is_batch_invariant(inv: Mapping[str, Any], tol: float) -> bool:
    """Same labels, probabilities within ``tol``, embeddings within ``tol`` of cosine 1."""
    return (
        inv["labels_changed"] == 0
        and inv["max_abs_prob_diff"] <= tol
        and 1.0 - inv["embedding_min_cosine"] <= tol
    )


def verdict(entry: Mapping[str, Any], base_recall: float, tol: float) -> dict[str, Any]:
    """The three default-back-end criteria for one back-end; ``qualifies`` needs all three."""
    recall = entry["sentiment"]["macro_recall"]
    speedup = entry["with_sentiment"]["speedup_vs_torch_best"]
    inv = entry["batch_invariance"]
    delta = round(recall - base_recall, 4)  # both rounded to 4 places: compare the rounded delta
    within = delta >= -RECALL_MARGIN
    faster = speedup > 1.0
    invariant = is_batch_invariant(inv, tol)
    return {
        "macro_recall_delta_vs_torch": delta,
        "within_1_point": within,
        "speedup_with_sentiment": speedup,
        "faster": faster,
        "batch_max_abs_prob_diff": inv["max_abs_prob_diff"],
        "batch_label_agreement": inv["label_agreement"],
        "batch_embedding_min_cosine": inv["embedding_min_cosine"],
        "batch_invariant": invariant,
        "qualifies_as_default": within and faster and invariant,
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
    parser.add_argument(
        "--calibration",
        type=Path,
        default=None,
        help="static int8 calibration TSV (default: train.tsv next to --data; never the --data file)",
    )
    parser.add_argument("--calibration-n", type=int, default=512, help="calibration texts (static int8)")
    parser.add_argument("--calibration-seed", type=int, default=0, help="calibration sample seed")
    parser.add_argument(
        "--invariance-n", type=int, default=300, help="first N --data texts for the batch-invariance check"
    )
    parser.add_argument(
        "--invariance-tol",
        type=float,
        default=1e-4,
        help="batch-invariant: max |dp| and 1 - min embedding cosine at most this (labels must all agree)",
    )
    args = parser.parse_args()
    quant: dict[str, Any] = {"per_channel": args.per_channel}
    if args.matmul_only:
        quant["op_types_to_quantize"] = ["MatMul"]
    if not args.data.is_file():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 2
    calibration_path: Path = args.calibration or args.data.parent / "train.tsv"
    if not calibration_path.is_file():
        print(f"error: calibration file {calibration_path} not found (see --calibration)", file=sys.stderr)
        return 2
    if (
        calibration_path.resolve() == args.data.resolve()
        or calibration_path.read_bytes() == args.data.read_bytes()
    ):
        print(f"error: refusing to calibrate on the evaluation file {args.data}", file=sys.stderr)
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
    dev_texts, gold = read_tsv(args.data)
    calib = calibration_texts(calibration_path, args.calibration_n, args.calibration_seed)
    dev_set = set(dev_texts)
    calib_in_data = sum(text in dev_set for text in calib)
    static_path = args.onnx_dir / "encoder-int8-static.onnx"
    started = time.perf_counter()
    quantize_static_model(fp32_path, static_path, CalibrationReader(calib, encoder))
    static_s = time.perf_counter() - started
    print(
        f"quantized {static_path.name} ({static_path.stat().st_size / 2**20:.1f} MiB) in {static_s:.1f} s: "
        f"static QDQ, MinMax on {len(calib)} texts from {calibration_path} (seed {args.calibration_seed}; "
        f"{calib_in_data} of them also in {args.data.name})",
        flush=True,
    )
    torch.set_num_threads(args.threads)
    sentiment = ShippedSentiment.load(encoder)
    head = sentiment.head
    if sentiment.spec.adapted_layers != 1 or sentiment.spec.layers or sentiment.spec.include_embedding:
        raise SystemExit(f"this bench assumes the head reads hidden_states[{HIDDEN_INDEX}] only")
    backends = [
        Backend(TORCH, encoder.run),
        Backend("ort-fp32", OrtEncoder(fp32_path, encoder, args.threads).run),
        Backend(DYNAMIC, OrtEncoder(int8_path, encoder, args.threads).run),
        Backend(STATIC, OrtEncoder(static_path, encoder, args.threads).run),
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
    dev_pass = {b.name: b.run(dev_texts, heads=[head]) for b in backends}
    reference = dev_pass[TORCH]
    invariance_texts = dev_texts[: args.invariance_n]
    invariance = {b.name: batch_invariance(b.run, invariance_texts, head) for b in backends}

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
            "quantization_static": "quantize_static("
            + ", ".join(f"{k}={getattr(v, 'name', v)}" for k, v in STATIC_SETTINGS.items())
            + ")",
            "fp32_mib": round(fp32_path.stat().st_size / 2**20, 1),
            "int8_mib": round(int8_path.stat().st_size / 2**20, 1),
            "int8_static_mib": round(static_path.stat().st_size / 2**20, 1),
            "static_quantize_seconds": round(static_s, 1),
        },
        "calibration": {
            "file": str(calibration_path),
            "n": len(calib),
            "seed": args.calibration_seed,
            "sampling": "numpy.random.default_rng(seed).choice(len, n, replace=False)",
            "batch_size": CALIBRATION_BATCH,
            "also_in_data": calib_in_data,
        },
        "sentiment_model": sentiment.name,
        "data": str(args.data),
        "dev_n": len(dev_texts),
        "batch_invariance_setup": {
            "texts": f"first {len(invariance_texts)} of {args.data.name}",
            "single": "run([text]) per text",
            "batched": f"one run(texts): length-sorted batches of {encoder.batch_size}",
            "tolerance": args.invariance_tol,
        },
        "criteria": {
            "within_1_point": f"dev macro recall >= torch fp32 - {RECALL_MARGIN}",
            "faster": f"best-of-{args.repeat} encoder + sentiment throughput speed-up vs torch fp32 > 1.0",
            "batch_invariant": "single vs batched: all labels agree, max |dp| <= tolerance, "
            "1 - min embedding cosine <= tolerance",
            "qualifies_as_default": "all three",
        },
        "backends": {},
    }
    torch_best = {m: min(seconds[TORCH][m]) for m in modes}
    for backend in backends:
        name = backend.name
        entry: dict[str, Any] = {}
        for mode in modes:
            times = seconds[name][mode]
            ratios = [t0 / t for t0, t in zip(seconds[TORCH][mode], times, strict=True)]
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
            "example_turns": agreement(example_embeddings[TORCH], example_embeddings[name]),
            "dev_texts": agreement(reference.embeddings, dev_pass[name].embeddings),
        }
        entry["batch_invariance"] = invariance[name]
        entry["batch_invariant"] = is_batch_invariant(invariance[name], args.invariance_tol)
        results["backends"][name] = entry

    base_recall = results["backends"][TORCH]["sentiment"]["macro_recall"]
    for name, entry in results["backends"].items():
        emb, sent = entry["embeddings_vs_torch"]["example_turns"], entry["sentiment"]
        inv = entry["batch_invariance"]
        print(
            f"{name:>15}: {entry['embeddings']['turns_per_s']:7.1f} turns/s embeddings, "
            f"{entry['with_sentiment']['turns_per_s']:7.1f} turns/s +sentiment "
            f"(x{entry['with_sentiment']['speedup_vs_torch_best']:.2f} vs torch); "
            f"macro recall {sent['macro_recall']:.4f} ({sent['macro_recall'] - base_recall:+.4f}), "
            f"labels agree {sent['label_agreement_vs_torch']:.4f}; "
            f"embeddings max|diff| {emb['max_abs_diff']:.2e}, mean cos {emb['mean_cosine']:.6f}; "
            f"single vs batched ({inv['n']} dev): max|dp| {inv['max_abs_prob_diff']:.2e}, "
            f"labels agree {inv['label_agreement']:.4f}, min cos {inv['embedding_min_cosine']:.6f}"
        )
    results["verdicts"] = {}
    for name in INT8_VARIANTS:
        v = verdict(results["backends"][name], base_recall, args.invariance_tol)
        results["verdicts"][name] = v
        print(
            f"verdict {name}: within 1 point {'yes' if v['within_1_point'] else 'NO'} "
            f"({v['macro_recall_delta_vs_torch']:+.4f}); "
            f"faster {'yes' if v['faster'] else 'NO'} (x{v['speedup_with_sentiment']:.2f}, "
            f"encoder + sentiment, best-of-{args.repeat}); "
            f"batch-invariant {'yes' if v['batch_invariant'] else 'NO'} "
            f"(max|dp| {v['batch_max_abs_prob_diff']:.2e}, labels agree {v['batch_label_agreement']:.4f}); "
            f"{'QUALIFIES' if v['qualifies_as_default'] else 'does NOT qualify'} as the default"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
