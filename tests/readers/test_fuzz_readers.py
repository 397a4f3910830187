"""Property: no reader raises on any bytes; every result is a conversation, a quarantine or a duplicate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
