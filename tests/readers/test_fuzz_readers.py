"""Properties: no reader raises on any bytes; every result is a conversation, a quarantine or a
duplicate; and through the real ingest into DuckDB, read = stored + quarantined + duplicates for
damaged copies of every fixture, detected and forced to each reader (deterministic: derandomize).
``make fuzz`` runs the same mutations on 10,000 inputs."""

from __future__ import annotations

import itertools
import json
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
