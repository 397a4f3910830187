"""Ids and text that would harm whoever opens the output: Windows device names and CSV formulas."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from synthetic_store import PERIOD, build_store

from rendering.publish import publish
from rendering.redact import Redactor
from rendering.site_paths import card_path, conversation_path, is_reserved, slug
from rendering.site_writer import csv_text, looks_like_formula
from transcripts.model import Channel, Conversation, Leg, Role, Turn

RESERVED = ["CON", "con", "PRN", "aux", "NUL", "nul.x", "Com1", "COM9", "lpt1", "LPT9.tar.gz", "CON .txt"]
FORMULAS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "﹦1",
    " =1",
    "\u3000＝1",
]


@pytest.mark.parametrize("name", RESERVED)
def test_windows_device_names_never_become_file_names(name: str) -> None:
    assert is_reserved(name)
    for path in (card_path(name), card_path(name, "json"), conversation_path(name)):
        assert not is_reserved(Path(path).name), path
    assert slug(name) != slug(name.swapcase())


@pytest.mark.parametrize("name", ["CONSOLE", "COM10", "LPT", "a-con", "nul-1", "x.CON"])
def test_names_that_only_resemble_device_names_stay_as_they_are(name: str) -> None:
    assert not is_reserved(name) and slug(name) == name


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_neutralised(text: str) -> None:
    assert looks_like_formula(text)
    header, row = list(csv.reader(io.StringIO(csv_text(["h"], [[text]]), newline="")))
    assert row == ["'" + text]


@pytest.mark.parametrize("text", ["plain", "1-1", "a=b", "", "'=1", "x＝1"])
def test_ordinary_cells_stay_as_they_are(text: str) -> None:
    assert csv_text(["h"], [[text]]) == f"h\n{text}\n" if text else 'h\n""\n'


@pytest.mark.models
def test_published_files_have_safe_names_and_csv_cells(tmp_path: Path, redactor: Redactor) -> None:
    with build_store(tmp_path / "hostile.duckdb", only=["k1", "b1"]) as store:
        store.upsert_conversations(
            [
                Conversation(
                    id=f"hostile-{i}",
                    channel=Channel.CHAT,
                    customer_id=f"cust-{i}",
                    started_at=datetime(2026, 11, 18, 9 + i),
                    legs=[Leg(index=0, participant_role=Role.AGENT, agent_id=agent, department=department)],
                    turns=[Turn(index=0, leg=0, role=Role.CUSTOMER, text="My app keeps crashing again.")],
                )
                for i, (agent, department) in enumerate(
                    [("CON", '＝HYPERLINK("http://x")'), ("nul.x", "＠SUM(A1)"), ("LPT1", "-Billing")]
                )
            ],
            store.start_run("test"),
        )
        result = publish(store, *PERIOD, tmp_path / "out", redactor=redactor)
    assert {"CON", "nul.x", "LPT1"} <= set(result.card_paths)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert [p for p in files if is_reserved(p.name)] == []
    cells = [
        cell
        for p in files
        if p.suffix == ".csv"
        for row in csv.reader(p.open(encoding="utf-8"))
        for cell in row
    ]
    assert any("HYPERLINK" in c for c in cells) and any("SUM(A1)" in c for c in cells)
    assert [c for c in cells if looks_like_formula(c)] == []
