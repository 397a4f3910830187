"""One bad record costs that record only: surrogates, NULs, CR line ends, depth, huge numbers, odd dates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storage.admission import PlausibleDates
from storage.ingest import ingest_paths
from storage.store import Store
from transcripts.quarantine import ReasonCode

NOW = datetime(2026, 11, 20, tzinfo=UTC)
PLAUSIBLE = PlausibleDates(now=NOW)


def record(cid: str, **fields: object) -> dict:
    base = {
        "id": cid,
        "channel": "chat",
        "customer_id": f"cust-{cid}",
        "started_at": "2026-11-16T09:00:00Z",
        "turns": [{"role": "customer", "text": "Hi"}, {"role": "agent", "text": "Hello"}],
    }
    return {**base, **fields}


def lines(*items: dict | str) -> str:
    return "".join((json.dumps(i) if isinstance(i, dict) else i) + "\n" for i in items)


def ingest(
    folder: Path, plausible: PlausibleDates = PLAUSIBLE
) -> tuple[Store, list[str], dict[str, ReasonCode]]:
    store = Store(":memory:")
    summary = ingest_paths([folder], store, plausible=plausible)
    assert summary.invariant_holds and summary.failed_files == 0, summary
    stored = sorted(c.id for c in store.load_conversations())
    return store, stored, {q.record: q.reason for q in store.quarantine_entries()}


BAD_LINES = {
    "surrogate id": ('{"id": "C-\\ud800", "channel": "chat", "turns": [{"role": "customer", "text": "x"}]}',),
    "surrogate customer": (
        '{"id": "bad", "channel": "chat", "customer_id": "\\udc00", "turns": [{"role": "customer", "text": "x"}]}',  # noqa: E501
    ),
    "surrogate speaker": (
        '{"id": "bad", "channel": "chat", "turns": [{"role": "customer", "text": "x", "speaker_name": "A\\ud83d"}]}',  # noqa: E501
    ),
    "surrogate extra": (
        '{"id": "bad", "channel": "chat", "extra": {"k": "\\ud800"}, "turns": [{"role": "customer", "text": "x"}]}',  # noqa: E501
    ),
    "too deep": (
        '{"id": "bad", "channel": "chat", "extra": {"k": '
        + "[" * 900
        + "]" * 900
        + '}, "turns": [{"role": "customer", "text": "x"}]}',
    ),
    "huge integer": (
        '{"id": "bad", "channel": "chat", "turns": [{"role": "customer", "text": "x", "start_ms": '
        + "9" * 40
        + "}]}",
    ),
    "far future": (json.dumps(record("bad", started_at="9999-12-31T23:59:59Z")),),
    "typo year": (json.dumps(record("bad", started_at="2062-11-16T09:00:00Z")),),
    "too old": (json.dumps(record("bad", started_at="1970-01-01T00:00:00Z")),),
    "NUL byte": ('{"id": "bad\x00", "channel": "chat"}',),
    "escaped NUL in text": (
        '{"id": "bad", "channel": "chat", "turns": [{"role": "customer", "text": "a\\u0000b"}]}',
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_a_bad_record_loses_only_itself(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        lines(record("g1"), *BAD_LINES[name], record("g2")), encoding="utf-8", errors="surrogatepass"
    )
    (folder / "b.jsonl").write_text(lines(record("g3")), encoding="utf-8")  # files after it are read
    _, stored, quarantined = ingest(folder)
    assert stored == ["g1", "g2", "g3"]
    assert list(quarantined) == ["line 2"]


def test_surrogates_stay_out_on_every_rerun(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(lines(record("g1"), *BAD_LINES["surrogate id"]), encoding="utf-8")
    store = Store(tmp_path / "db.duckdb")
    for full in (False, True):
        summary = ingest_paths([folder], store, full=full, plausible=PLAUSIBLE)
        assert summary.failed_files == 0 and summary.invariant_holds
    assert [q.record for q in store.quarantine_entries()] == ["line 2"]


def test_cr_only_line_endings_read_every_record(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "mac.jsonl").write_bytes(
        lines(record("g1"), record("g2"), record("g3")).replace("\n", "\r").encode()
    )
    _, stored, quarantined = ingest(folder)
    assert (stored, quarantined) == (["g1", "g2", "g3"], {})


def test_implausible_dates_name_the_reason_and_the_range_is_configurable(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(lines(record("old", started_at="1999-06-01T00:00:00Z"), record("ok")))
    store, stored, quarantined = ingest(folder)
    assert (stored, quarantined) == (["ok"], {"line 1": ReasonCode.IMPLAUSIBLE_DATE})
    assert "before 2000-01-01" in store.quarantine_entries()[0].message
    _, stored, _ = ingest(folder, PlausibleDates(not_before=date(1990, 1, 1), now=NOW))
    assert stored == ["ok", "old"]


def test_default_range_comes_from_the_data_file() -> None:
    assert PlausibleDates.load() == PlausibleDates(not_before=date(2000, 1, 1), max_future_days=1.0)
