"""Helpers for flow tests: example inboxes in tmp, store dumps, artifacts."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
# Columns that name the run that wrote a row (differ between any two runs by design).
RUN_COLUMNS = {
    "conversations": ["ingested_run", "updated_run"],
    "source_files": ["first_seen_run", "last_run"],
    "quarantine": ["run_id"],
}
# Bookkeeping tables, not store contents.
SKIP_TABLES = {"runs", "schema_version"}


def copy_examples(inbox: Path, *parts: str) -> Path:
    """Copy example files or folders (relative to examples/) into ``inbox``, keeping their paths."""
    for part in parts:
        source, target = EXAMPLES / part, inbox / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return inbox


def conversation_ids(path: Path) -> set[str]:
    """Ids of the conversations the readers get out of ``path`` (the expected ``stored``)."""
    from transcripts.model import Conversation
    from transcripts.read import iter_input_files, read_path

    return {r.id for f in iter_input_files([path]) for r in read_path(f) if isinstance(r, Conversation)}


def dump_store(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without run ids."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        dump: dict[str, list[tuple[Any, ...]]] = {}
        for table in sorted(set(tables) - SKIP_TABLES):
            excluded = RUN_COLUMNS.get(table)
            columns = f"* EXCLUDE ({', '.join(excluded)})" if excluded else "*"
            dump[table] = con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        return dump
    finally:
        con.close()


_GENERATED = re.compile(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
RUN_PAGES = frozenset({"runs.html", "quarantine.html", "quarantine.csv"})


def published_site(out: Path) -> dict[str, bytes]:
    """Every published file under ``out`` but the run pages, "Generated" times blanked."""
    return {
        p.relative_to(out).as_posix(): _GENERATED.sub(b"Generated <time>", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).as_posix() not in RUN_PAGES
    }


_DECIMAL = re.compile(r"-?\d+\.\d+")


def _same_value(a: Any, b: Any, abs_tol: float) -> bool:
    """Equal, floats within ``abs_tol``; decimals printed inside text (JSON details, reasons)
    may differ by one unit in their last printed digit (a rounding flip), the rest exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=abs_tol)
    if isinstance(a, str) and isinstance(b, str) and a != b:
        if _DECIMAL.sub("#", a) != _DECIMAL.sub("#", b):
            return False
        pairs = zip(_DECIMAL.findall(a), _DECIMAL.findall(b), strict=True)
        return all(
            abs(float(x) - float(y)) <= 10 ** -min(len(x.split(".")[1]), len(y.split(".")[1])) + abs_tol
            for x, y in pairs
        )
    return a == b


def assert_same_store(
    actual: dict[str, list[tuple[Any, ...]]], expected: dict[str, list[tuple[Any, ...]]], abs_tol: float
) -> None:
    """Dumps equal table by table and row by row, up to float noise (ids and labels exact)."""
    assert actual.keys() == expected.keys()
    for table, rows in expected.items():
        assert len(actual[table]) == len(rows), table
        for got, want in zip(actual[table], rows, strict=True):
            assert len(got) == len(want), table
            assert all(_same_value(a, b, abs_tol) for a, b in zip(got, want, strict=True)), (table, got, want)


def scalar(db: Path, sql: str, *args: Any) -> Any:
    """One value from the store (opened read-only, closed again)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(args)).fetchone()[0]
    finally:
        con.close()


def run_artifacts(flow_run_id: UUID, key: str) -> list[Any]:
    """Artifacts with ``key`` that the flow run created, from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    wanted = ArtifactFilter(
        flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]), key=ArtifactFilterKey(any_=[key])
    )
    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=wanted)
