"""Properties: no reader raises on any bytes; every result is a conversation, a quarantine or a
duplicate; and through the real ingest into DuckDB, read = stored + quarantined + duplicates for
damaged copies of every fixture, detected and forced to each reader (deterministic: derandomize).
``make fuzz`` runs the same mutations on 10,000 inputs."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.admission import PlausibleDates
from storage.ingest import ingest_paths
from storage.store import Store
from transcripts.model import Conversation
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.all import readers
from transcripts.readers.base import DuplicateRecord

NEVER_SILENT = {"json", "csv", "text", "webvtt"}  # even an empty file gives one quarantine entry
VENDOR_FIXTURES = Path(__file__).parent / "fixtures" / "vendor"
RECORD = {
    "id": "C-1",
    "channel": "chat",
    "turns": [{"role": "customer", "text": "Hi"}, {"role": "agent", "text": "Yo"}],
}
SEEDS: list[bytes] = [
    json.dumps(RECORD).encode() + b"\n" + json.dumps({**RECORD, "id": "C-2"}).encode() + b"\n",
    json.dumps([RECORD, RECORD], indent=1).encode(),
    b'conversation_id,role,speaker_id,text,offset\nC,customer,,hi,1\nC,agent,a1,"hello, there",2\n',
    b"Conversation: C\nAgents: Maria=Billing\n\n[00:01] Customer: hi\n[00:02] Maria: hello\n"
    b"[00:03] --- Transferred to Tech (warm) ---\n[00:04] Agent (Lee): hi\n",
    b"WEBVTT\n\nNOTE conversation=C agents=Maria:agent\n\n00:01.000 --> 00:02.000\n<v Maria>hi\n\n"
    b"00:02.000 --> 00:03.000\n<v Customer>hello\n",
    *(p.read_bytes()[:20_000] for p in sorted(VENDOR_FIXTURES.rglob("*")) if p.is_file()),
]


@st.composite
def mutated_seed(draw: st.DrawFn) -> bytes:
    """A valid-looking file, truncated, spliced with junk or with a byte range replaced."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["truncate", "insert", "replace", "delete"]))
        junk = draw(st.binary(min_size=1, max_size=12))
        if action == "truncate":
            del data[at:]
        elif action == "insert":
            data[at:at] = junk
        elif action == "replace":
            data[at : at + len(junk)] = junk
        else:
            del data[at : at + draw(st.integers(1, 40))]
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "keep"]))
    if encoding != "keep":
        data = bytearray(bytes(data).decode("utf-8", errors="replace").encode(encoding))
    return bytes(data)


ANY_BYTES = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=400).map(str.encode),
    mutated_seed(),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(readers()))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=ANY_BYTES)
def test_reader_never_raises(scratch: Path, name: str, content: bytes) -> None:
    path = scratch / f"{name}.input"
    path.write_bytes(content)
    results = list(readers()[name].read(path))
    if name in NEVER_SILENT:
        assert results, "every file yields at least one result"
    for result in results:
        assert isinstance(result, Conversation | Quarantined | DuplicateRecord), result
        if isinstance(result, Quarantined):
            assert isinstance(result.reason, ReasonCode)
            assert result.file == str(path) and result.record and result.message
        elif isinstance(result, Conversation):
            assert result.source_file == str(path) and result.source_format == name and result.source_record


def test_seed_files_parse() -> None:
    """The fuzz seeds of our own formats are valid, so mutations start from real structure."""
    assert len(SEEDS) > 5


# Through the real ingest: damaged copies of every fixture and example (the mutations of
# scripts/fuzz_readers.py, driven by Hypothesis), detected and forced to each reader.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from fuzz_readers import RUN_STARTED, mutate, seed_files  # noqa: E402

SEED_FILES = seed_files()
_READER_BUG = "failed after"
_NUMBERS = itertools.count()  # transcripts.read's message when a reader raised


@st.composite
def damaged_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """A fixture's suffix and its bytes after one to three mutations."""
    source = draw(st.sampled_from(SEED_FILES))
    content, _ = mutate(source.read_bytes(), draw(st.randoms(use_true_random=False)))
    return source.suffix, content


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(tmp_path_factory.mktemp("fuzz-store") / "fuzz.duckdb") as store:
        yield store


@pytest.mark.parametrize("name", [None, *sorted(readers())])
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=damaged_file())
def test_ingest_accounts_for_every_record(
    fuzz_store: Store, scratch: Path, name: str | None, case: tuple[str, bytes]
) -> None:
    suffix, content = case
    path = scratch / f"{name or 'detected'}-{next(_NUMBERS)}{suffix}"
    path.write_bytes(content)
    plausible = PlausibleDates.load().at(RUN_STARTED)
    summary = ingest_paths([path], fuzz_store, format=name, plausible=plausible, full=True)
    assert summary.invariant_holds, summary.invariant_text()
    if content:
        assert summary.read >= 1, "a non-empty file always leaves a trace: stored, quarantined or duplicate"
    rows = fuzz_store.connection.execute(
        "SELECT record, reason, message FROM quarantine WHERE file = ?", [str(path)]
    ).fetchall()
    assert len(rows) <= summary.quarantined
    for record, reason, message in rows:
        assert record and reason and message
        assert _READER_BUG not in message, f"reader crashed: {message}"
    stored = fuzz_store.connection.execute(
        "SELECT count(*) FROM conversations WHERE id IN (SELECT unnest(?))", [summary.stored_ids]
    ).fetchone()
    assert stored is not None and stored[0] == len(set(summary.stored_ids)) == summary.stored


# How `make fuzz` classifies a whole-file entry, and that a fixed seed gives the same run.
from fuzz_readers import may_hold_an_intact_record  # noqa: E402

GENESYS_LINES = VENDOR_FIXTURES / "genesys" / "communications_per_line.jsonl"
CCAI_PAGE = VENDOR_FIXTURES / "ccai_insights" / "conversation_list_page.json"
CHAT_CSV = Path(__file__).resolve().parents[2] / "examples" / "2026-11-21" / "chat-export.csv"


def _cut_in_line(seed: Path, line: int) -> bytes:
    """``seed`` cut halfway through its ``line``-th line (1-based)."""
    data = seed.read_bytes()
    start = sum(len(part) + 1 for part in data.split(b"\n")[: line - 1])
    return data[: start + len(data.split(b"\n")[line - 1]) // 2]


@pytest.mark.parametrize(
    ("seed", "damage", "intact"),
    [
        (GENESYS_LINES, lambda seed: _cut_in_line(seed, 1), False),  # cut inside the first record
        (GENESYS_LINES, lambda seed: b"", False),  # emptied
        (GENESYS_LINES, lambda seed: _cut_in_line(seed, 2), True),  # the first record is whole
        (CCAI_PAGE, lambda seed: seed.read_bytes().replace(b'"conversations"', b'"conver\xb0sations"'), True),
        (CHAT_CSV, lambda seed: seed.read_bytes()[:16], False),  # cut inside the header
        (CHAT_CSV, lambda seed: _cut_in_line(seed, 3), True),  # a conversation's id is still there
    ],
    ids=[
        "jsonl-cut-in-first",
        "empty",
        "jsonl-cut-in-second",
        "page-key-damaged",
        "csv-header",
        "csv-rows",
    ],
)
def test_a_whole_file_entry_is_record_level_only_when_no_record_is_left_intact(
    tmp_path: Path, seed: Path, damage, intact: bool
) -> None:
    path = tmp_path / f"damaged{seed.suffix}"
    path.write_bytes(damage(seed))
    assert may_hold_an_intact_record(path, seed) is intact


@pytest.mark.slow
def test_a_fixed_seed_gives_the_same_fuzz_run_under_any_hash_seed(tmp_path: Path) -> None:
    """Same ``--seed``: the same figures and the same outcome for every input, whatever PYTHONHASHSEED."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "fuzz_readers.py"
    runs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"fuzz-{hash_seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        command = [sys.executable, str(script), "--inputs", "30", "--batch", "15", "--out", str(out)]
        subprocess.run(command, check=False, env=env, capture_output=True, timeout=600)
        figures = json.loads(out.read_text())
        del figures["seconds"]
        runs.append(figures)
    assert runs[0]["inputs"] == 30
    assert runs[0] == runs[1]
