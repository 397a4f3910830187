"""Rows loaded for a period: a finding's detail reads as its parsed JSON, and repeats share objects."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from synthetic_store import PERIOD, RUBRIC, build_store

from rendering.periods import Period
from rendering.store_queries import StoredDetail, connection_of, load_findings, load_snapshot


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ('{"response_turn": 3, "path": [["a", 0, "B"]]}', {"response_turn": 3, "path": [["a", 0, "B"]]}),
        ("{}", {}),
        ("null", {}),
        ('"a string"', {"value": "a string"}),
        ("[1, 2]", {"value": [1, 2]}),
        ("detail_not_json", {"raw": "detail_not_json"}),
    ],
)
def test_stored_detail_reads_equals_and_prints_as_the_parsed_value(text: str, parsed: dict) -> None:
    detail = StoredDetail(text)
    assert detail == parsed and parsed == detail
    assert repr(detail) == repr(parsed)  # page fingerprints hash the repr of the rows
    assert dict(detail) == parsed and len(detail) == len(parsed) and list(detail) == list(parsed)
    assert detail.get("response_turn") == parsed.get("response_turn")
    assert detail.get("absent", 7) == 7
    assert {**detail, "extra": 1} == {**parsed, "extra": 1}
    for key, value in parsed.items():
        assert detail[key] == value
    with pytest.raises(KeyError):
        detail["absent"]


def test_snapshot_findings_equal_the_stored_json_and_share_repeated_values(tmp_path: Path) -> None:
    with build_store(tmp_path / "s.duckdb") as store:
        con = connection_of(store)
        long = "Name the feeling before the fix: " + "I can hear how frustrating this has been. " * 3
        con.execute("UPDATE findings SET suggestion = ? WHERE seq % 2 = 0", [long])  # one text, many rows
        snapshot = load_snapshot(con, Period(*map(date.fromisoformat, PERIOD)), RUBRIC)
        stored = con.execute(
            "SELECT conversation_id, seq, detail FROM findings WHERE rubric_version = ?", [RUBRIC]
        ).fetchall()
        by_key = {(c, s): d for c, s, d in stored}
        assert snapshot.findings, "the synthetic store has findings"
        for finding in snapshot.findings:
            text = by_key[(finding.conversation_id, finding.seq)]
            assert finding.detail == (json.loads(text) if text else {})
        suggestions = [f.suggestion for f in snapshot.findings if f.suggestion]
        assert suggestions.count(long) > 1
        assert len({id(s) for s in suggestions}) == len(set(suggestions))  # one object per distinct text
        thresholds = [s.threshold for s in snapshot.scores if s.threshold]
        assert len(thresholds) > len(set(thresholds))
        assert len({id(t) for t in thresholds}) == len(set(thresholds))
        grouped = load_findings(con, {f.conversation_id for f in snapshot.findings}, RUBRIC)
        assert sorted(
            (f.conversation_id, f.seq, repr(f.detail)) for rows in grouped.values() for f in rows
        ) == sorted((f.conversation_id, f.seq, repr(f.detail)) for f in snapshot.findings)
