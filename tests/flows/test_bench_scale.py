"""The bench-scale load generator and the batch result's trip through Prefect (no models)."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import pytest

from flows.batches import BatchResult
from transcripts.model import Conversation
from transcripts.read import iter_input_files, read_path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from scale_load import public_customer_texts, write_scale_load  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.jsonl"))}


def test_template_load_is_deterministic_and_reads_cleanly(tmp_path: Path) -> None:
    first = write_scale_load(tmp_path / "a", 120, data=None, per_file=50)
    write_scale_load(tmp_path / "b", 120, data=None, per_file=50)
    assert _files(tmp_path / "a") == _files(tmp_path / "b") and len(_files(tmp_path / "a")) == 3
    assert first["customer_text_source"].startswith("templates")
    results = [r for f in iter_input_files([tmp_path / "a"]) for r in read_path(f)]
    conversations = [r for r in results if isinstance(r, Conversation)]
    assert len(conversations) == len(results) == 120  # nothing quarantined
    assert len({c.id for c in conversations}) == 120
    transferred = [c for c in conversations if c.events]
    assert transferred and all(len(c.legs) == 2 for c in transferred)
    customers = [c.customer_id for c in conversations]
    assert len(set(customers)) < len(customers)  # some customers come back: journeys


def test_another_seed_gives_another_load(tmp_path: Path) -> None:
    write_scale_load(tmp_path / "a", 30, data=None, seed=1)
    write_scale_load(tmp_path / "b", 30, data=None, seed=2)
    assert _files(tmp_path / "a") != _files(tmp_path / "b")


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} not found (public data for the bench)")
def test_customer_turns_are_distinct_public_text(tmp_path: Path) -> None:
    pool = public_customer_texts(SHARED_DATA)
    counts = write_scale_load(tmp_path, 200, SHARED_DATA)
    assert counts["customer_text_source"] == "public data" and counts["public_texts"] == len(pool)
    customer_texts = [
        turn["text"]
        for line in (tmp_path / "scale-00001.jsonl").read_text(encoding="utf-8").splitlines()
        for turn in json.loads(line)["turns"]
        if turn["role"] == "customer"
    ]
    assert len(customer_texts) == counts["customer_turns"] == len(set(customer_texts))
    assert set(customer_texts) <= set(pool)


def test_prefect_does_not_walk_a_batch_result() -> None:
    """Prefect looks for futures in task parameters; a batch result must not be walked item by item."""
    from prefect.utilities.collections import visit_collection

    result = BatchResult(1, ["C-1"], failed=[], seconds=1.5, worker="host:1")
    seen: list[object] = []
    visit_collection({"result": result}, lambda item: seen.append(item), return_data=False)
    assert result in seen and ["C-1"] not in seen
    copy = pickle.loads(pickle.dumps(result))  # the trip back from a Dask worker
    assert (copy.number, copy.conversation_ids, copy.seconds, copy.worker) == (1, ["C-1"], 1.5, "host:1")
    assert copy.annotated == [] and copy.scores == []
