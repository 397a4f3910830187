"""One batched encoder pass per turn: sentence embeddings plus whatever heads read from it.

:meth:`Encoder.run` tokenises all texts once, sorts them by length so batches carry little
padding, runs the transformer under ``torch.inference_mode()`` and returns mean-pooled,
L2-normalised sentence embeddings (the sentence-transformers recipe for all-MiniLM-L6-v2).
Heads — the shipped sentiment classifier — see the same forward pass per batch (hidden states
of every layer, attention mask, pooled embedding), so no text goes through the encoder twice::

    encoder = Encoder.from_config(EncoderConfig())
    result = encoder.run(["I was on hold for an hour."], heads=[sentiment_head])
    result.embeddings.shape  # (1, 384)
    result.head_outputs["sentiment"].shape  # (1, 3)

:meth:`Encoder.encode` is the cached variant for rubric exemplar sentences. A text's numbers do
not depend on its batch: every batch runs on one torch thread, its products in pieces of a fixed
row count and its attention in float32 (:mod:`nlp.batch_invariant`), and batches are padded to
whole 16-token blocks (``width_multiple``). A batch's rows are padded to a multiple of
``row_multiple`` (16) with a minimal filler text, so a night's passes use a few dozen batch
shapes, not a new one for each pass's last, odd-sized batch: the CPU kernels keep what they
prepare for every shape they meet (about 2 MB each in bf16), and new shapes kept the flow's
memory growing batch after batch.
With ``bf16`` the matrix products run in bfloat16 under torch's CPU autocast, with ``int8`` the
encoder's own in int8 with per-row scales (:mod:`nlp.int8_linear`; ``precision`` in
``nlp/analysis.yaml``). With ``skip_padding`` the layers skip padded positions (:mod:`nlp.packed_bert`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch

from nlp.batch_invariant import FixedRowProducts
from nlp.config import EncoderConfig
from nlp.int8_linear import load_smoothing, pack_linears
from nlp.models import LoadedTransformer, load_encoder_model
from nlp.packed_bert import bert_forward, is_packable


class BatchHead(Protocol):
    """Something computed from the encoder's forward pass, batch by batch.

    ``hidden_states`` holds the embedding layer output and every transformer layer's output
    (``output_hidden_states=True`` order); ``embeddings`` are the normalised sentence
    embeddings of the batch. Returns one row per text.
    """

    name: str
    needs_hidden_states: bool

    def __call__(
        self, hidden_states: tuple[torch.Tensor, ...], attention_mask: torch.Tensor, embeddings: torch.Tensor
    ) -> torch.Tensor:
        """Rows for this batch, shape ``(batch, k)``."""
        ...


@dataclass(frozen=True)
class EncoderPass:
    """What one pass over a list of texts produced, rows in input order."""

    embeddings: np.ndarray  # (n, dim) float32, L2-normalised
    head_outputs: dict[str, np.ndarray] = field(default_factory=dict)  # head name -> (n, k)


class _SomeRows:
    """The hidden states of some rows of a batch, each layer indexed only when a head reads it."""

    def __init__(self, hidden_states: Sequence[torch.Tensor], index: torch.Tensor) -> None:
        self.hidden_states = hidden_states
        self.index = index

    def __getitem__(self, layer: int) -> torch.Tensor:
        return self.hidden_states[layer][self.index]

    def __len__(self) -> int:
        return len(self.hidden_states)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average token vectors over real (unpadded) tokens."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


class Encoder:
    """A sentence encoder run in length-sorted batches, offline, on CPU."""

    def __init__(
        self,
        loaded: LoadedTransformer,
        *,
        batch_size: int = 64,
        max_length: int = 256,
        threads: int | None = None,
        bf16: bool = False,
        int8: bool = False,
        width_multiple: int = 16,
        max_batch_tokens: int | None = None,
        row_multiple: int = 1,
        streams: int | None = None,
        skip_padding: bool = False,
    ) -> None:
        self.name = loaded.name
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.batch_size = batch_size
        self.max_length = max_length
        self.dim = int(self.model.config.hidden_size)
        if bf16 and int8:
            raise ValueError("choose one precision: bf16 or int8")
        self.bf16 = bf16
        self.int8 = pack_linears(self.model, load_smoothing()) if int8 else None
        self.width_multiple = width_multiple
        self.max_batch_tokens = max_batch_tokens
        self.row_multiple = row_multiple
        if threads:
            torch.set_num_threads(threads)
        self.threads = torch.get_num_threads()
        self.streams = max(1, min(streams or self.threads, self.threads))  # None: one per thread
        self.skip_padding = skip_padding and is_packable(self.model)
        self._exemplars: dict[str, np.ndarray] = {}

    @classmethod
    def from_config(cls, config: EncoderConfig) -> Encoder:
        """Load the configured encoder (the cached weights are shared per process)."""
        return cls(
            load_encoder_model(config.path),
            batch_size=config.batch_size,
            max_length=config.max_length,
            threads=config.threads(),
            bf16=config.uses_bf16(),
            int8=config.uses_int8(),
            width_multiple=config.width_multiple,
            max_batch_tokens=config.max_batch_tokens,
            row_multiple=config.row_multiple,
            streams=config.stream_count(),
            skip_padding=config.skip_padding,
        )

    def run(
        self,
        texts: Sequence[str],
        heads: Sequence[BatchHead] = (),
        only: Mapping[str, Sequence[bool]] | None = None,
    ) -> EncoderPass:
        """Embed ``texts`` in one batched pass and evaluate ``heads`` on the same forward pass.

        ``only`` maps a head's name to one flag per text: that head runs on the flagged texts alone
        (the face-threat head reads agent turns only) and its other rows stay zero.
        """
        n = len(texts)
        wanted = {name: np.asarray(flags, dtype=bool) for name, flags in (only or {}).items()}
        embeddings = np.zeros((n, self.dim), dtype=np.float32)
        # Head rows go straight into arrays of n rows, allocated at the first batch: batch-sized
        # pieces kept until the end would sit between each batch's freed activations and keep
        # the heap from reusing that space (the pass's memory grew with the number of texts).
        outputs: dict[str, np.ndarray] = {}
        if n == 0:
            return EncoderPass(embeddings, {h.name: np.zeros((0, 0), dtype=np.float32) for h in heads})
        encoded = self.tokenizer(
            list(texts), truncation=True, max_length=self.max_length, add_special_tokens=True
        )
        ids: list[list[int]] = encoded["input_ids"]
        order = sorted(range(n), key=lambda i: len(ids[i]))
        batches = list(
            length_batches(
                order,
                [len(t) for t in ids],
                self._batch_size(n),
                self.max_batch_tokens,
                self.width_multiple,
                self.row_multiple,
            )
        )
        want_hidden = any(h.needs_hidden_states for h in heads)
        pad_id = self.tokenizer.pad_token_id or 0
        filler = self._filler()
        allocating = threading.Lock()

        def encode_batch(rows: np.ndarray) -> None:
            k = len(rows)
            batch = [ids[i] for i in rows] + [filler] * (_width(k, self.row_multiple) - k)
            input_ids, attention_mask = _pad(batch, pad_id, self.width_multiple)
            # inference mode, autocast and the products' mode are per thread: entered on the one running it
            with torch.inference_mode(), self._precision(), FixedRowProducts(int8=self.int8):
                last, hidden = self.forward(input_ids, attention_mask, want_hidden)
                pooled = torch.nn.functional.normalize(mean_pool(last, attention_mask), p=2, dim=1)
                embeddings[rows] = pooled[:k].float().numpy()
                for head in heads:  # on the whole padded batch too: its own layers see the same shapes
                    keep = rows if head.name not in wanted else rows[wanted[head.name][rows]]
                    if keep.size == 0:
                        continue
                    if head.name in wanted:
                        index = torch.from_numpy(np.flatnonzero(wanted[head.name][rows]))
                        value = head(_SomeRows(hidden, index), attention_mask[index], pooled[index]).float()
                    else:
                        value = head(hidden, attention_mask, pooled)[:k].float()
                    with allocating:
                        if head.name not in outputs:
                            outputs[head.name] = np.zeros((n, value.shape[1]), dtype=np.float32)
                    outputs[head.name][keep] = value.numpy()
                del last, hidden, pooled

        self._run_streams(batches, encode_batch, min(self.streams, len(batches)))
        for head in heads:  # a head that ran on no text at all
            outputs.setdefault(head.name, np.zeros((n, 0), dtype=np.float32))
        return EncoderPass(embeddings, outputs)

    def _run_streams(
        self, batches: list[np.ndarray], encode_batch: Callable[[np.ndarray], None], streams: int
    ) -> None:
        """Encode ``batches`` on ``streams`` threads at once, each on one torch thread.

        A product split across threads sums in another order on some CPUs (MKL and oneDNN on
        AVX-512 split a 1,536-long sum between two threads), so each batch runs on one torch
        thread whatever the stream count: a text's numbers do not depend on how many streams or
        cores ran the pass (tests/nlp/test_encoder.py). Several single-threaded streams also keep
        the cores busier than one stream whose threads share each product: the work between
        products, and a thread waiting for a core (the spaCy parse runs beside the pass), no
        longer stall the others.
        """
        try:
            with ThreadPoolExecutor(
                max(1, streams),
                thread_name_prefix="qareview-encoder",
                initializer=torch.set_num_threads,
                initargs=(1,),
            ) as pool:
                futures = [pool.submit(encode_batch, rows) for rows in batches]
                try:
                    for done in futures:
                        done.result()
                except BaseException:
                    pool.shutdown(cancel_futures=True)
                    raise
        finally:
            # torch.set_num_threads also sets the count new threads start with: give it back
            torch.set_num_threads(self.threads)

    def _batch_size(self, n: int) -> int:
        """Texts per batch for a pass of ``n``: ``batch_size``, or fewer so that every stream gets one.

        Each batch runs on one thread, so a pass of one batch would leave the other cores idle; a
        text's numbers do not depend on its batch, so splitting it changes none.
        """
        per_stream = _width(-(-n // self.streams), self.row_multiple)
        return max(1, min(self.batch_size, per_stream))

    def _filler(self) -> list[int]:
        """The token ids of the empty text ([CLS] [SEP]): the rows that pad a batch to ``row_multiple``."""
        return list(self.tokenizer("", add_special_tokens=True)["input_ids"])

    def _precision(self) -> contextlib.AbstractContextManager[object]:
        """bfloat16 matrix products (fp32 accumulation, norms and softmax) when configured, else a no-op.

        int8 is not a context: :class:`FixedRowProducts` runs the packed products (``self.int8``).
        """
        if self.bf16:
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, want_hidden: bool
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """One padded batch through the transformer: last hidden state and (if wanted) all hidden states.

        The only step tied to torch; everything else in :meth:`run` (tokenising, length-sorted
        batching, pooling, heads) is shared by any back-end that overrides this. With
        ``skip_padding`` a BERT encoder (the shipped one) runs its layers on real tokens only
        (:mod:`nlp.packed_bert`: the same numbers, zeros at padding).
        """
        if self.skip_padding:
            return bert_forward(self.model, input_ids, attention_mask, want_hidden)
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
            output_hidden_states=want_hidden,
        )
        return out.last_hidden_state, (out.hidden_states if want_hidden else ())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings for ``texts`` (e.g. rubric exemplars), cached by text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._exemplars))
        if missing:
            fresh = self.run(missing).embeddings
            for text, vector in zip(missing, fresh, strict=True):
                self._exemplars[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._exemplars[t] for t in texts])


def length_batches(
    order: Sequence[int],
    lengths: Sequence[int],
    batch_size: int,
    max_tokens: int | None,
    multiple: int = 1,
    row_multiple: int = 1,
) -> Iterator[np.ndarray]:
    """Consecutive runs of ``order`` (indices sorted by ``lengths``, shortest first) to encode together.

    A batch has at most ``batch_size`` texts and, with ``max_tokens``, at most that many padded
    tokens (rows, rounded up to ``row_multiple``, × the width :func:`_pad` gives it), so a batch
    of long texts holds fewer of them: the forward pass's activations, which grow with texts ×
    width (× width again in attention), stay bounded. A text wider than ``max_tokens`` goes alone.
    """
    start, n = 0, len(order)
    while start < n:
        end = min(n, start + batch_size)
        if max_tokens is not None:
            while (
                end - start > 1
                and _width(end - start, row_multiple) * _width(lengths[order[end - 1]], multiple) > max_tokens
            ):
                end -= 1
        yield np.asarray(order[start:end])
        start = end


def _width(longest: int, multiple: int) -> int:
    """``longest`` rounded up to a multiple of ``multiple``: a batch's padded width (or row count)."""
    return -(-longest // multiple) * multiple


def _pad(sequences: list[list[int]], pad_id: int, multiple: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad to the longest sequence, rounded up to a multiple of ``multiple``.

    With 16 a text's numbers are bit-identical whatever else shares its batch. Torch's attention
    kernels give one result for a sequence of n tokens at any batch width of at least n rounded
    up to a multiple of 16. A width that ends inside that last 16-token block is summed another
    way: about 1e-7 apart in fp32 and 1e-3 in bf16.
    """
    width = _width(max(len(s) for s in sequences), multiple)
    input_ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        attention_mask[row, : len(seq)] = 1
    return input_ids, attention_mask
