"""Builders for hand-made conversations and stores in ``tmp_path``."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.store import Store
from tests.storage.postgres_server import PgServer, ServerUnavailableError, start_server
from transcripts.model import (
    Channel,
    Conversation,
    Event,
    EventType,
    Leg,
    LegEnd,
    LegStart,
    Role,
    Turn,
)

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def make_conversation(
    cid: str = "c1",
    customer: str | None = "cust-1",
    start: datetime | None = T0,
    texts: tuple[str, ...] = ("My card was charged twice.", "I am sorry, let me check that for you."),
    **extra: Any,
) -> Conversation:
    """A two-leg call with a warm transfer, a hold and a vendor ``extra`` field."""
    turns = [
        Turn(
            index=i,
            role=Role.CUSTOMER if i % 2 == 0 else Role.AGENT,
            text=text,
            leg=0 if i < 2 else 1,
            start_ms=i * 5000,
            end_ms=i * 5000 + 4000,
            speaker_id=None if i % 2 == 0 else "agent-7",
            extra={"vendor_sentiment": -0.5} if i == 0 else {},
        )
        for i, text in enumerate(texts)
    ]
    return Conversation(
        id=cid,
        channel=Channel.CALL,
        customer_id=customer,
        started_at=start,
        ended_at=None if start is None else start + timedelta(minutes=12),
        source_file="/exports/day1.jsonl",
        source_format="canonical_json",
        source_record="line 1",
        legs=[
            Leg(
                index=0,
                agent_id="agent-7",
                agent_name="Ann",
                department="billing",
                queue="q-bill",
                start_ms=0,
                end_ms=9000,
                ended_via=LegEnd.TRANSFERRED,
            ),
            Leg(
                index=1,
                agent_id="agent-9",
                department="fraud",
                started_via=LegStart.TRANSFER,
                start_ms=60000,
                ended_via=LegEnd.RESOLVED,
            ),
        ],
        turns=turns,
        events=[
            Event(type=EventType.HOLD_START, at_ms=9000, leg=0),
            Event(type=EventType.HOLD_END, at_ms=40000, leg=0, duration_ms=31000),
            Event(
                type=EventType.TRANSFER,
                at_ms=41000,
                from_leg=0,
                to_leg=1,
                from_department="billing",
                to_department="fraud",
                warm=True,
                reason="fraud check",
            ),
            Event(type=EventType.DISCONNECT, at_ms=700000, by=Role.CUSTOMER),
        ],
        extra={"vendor": {"categories": ["billing", "refund"]}, **extra},
    )


@pytest.fixture
def conversation_factory():
    """The ``make_conversation`` builder."""
    return make_conversation


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's DuckDB file lives."""
    return tmp_path / "store" / "qareview.duckdb"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh store in a real DuckDB file."""
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def dump_tables():
    """The ``table_dump`` helper."""
    return table_dump


def table_dump(store: Store, skip: dict[str, set[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, except the columns in ``skip`` (``{table: {columns}}``)."""
    skip = skip or {}
    con = store.connection
    tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    dump: dict[str, list[tuple]] = {}
    for table in sorted(tables):
        columns = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if c not in skip.get(table, set())
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        dump[table] = sorted(con.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
    return dump


def write_jsonl(path: Path, records: list[Conversation | str | dict]) -> Path:
    """A canonical JSONL export: conversations dumped as JSON, strings written as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for record in records:
        if isinstance(record, Conversation):
            lines.append(record.model_dump_json(exclude={"source_file", "source_format", "source_record"}))
        elif isinstance(record, dict):
            lines.append(json.dumps(record))
        else:
            lines.append(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def jsonl_writer():
    """The ``write_jsonl`` helper."""
    return write_jsonl


_databases = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the session (initdb in a temporary folder); skips without one."""
    pytest.importorskip("psycopg", reason="PostgreSQL tests need psycopg (the dev extra)")
    try:
        server = start_server()
    except ServerUnavailableError as exc:
        pytest.skip(f"PostgreSQL tests need a server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return pg_server.create_database(f"qareview_{next(_databases)}")
