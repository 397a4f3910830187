"""A large store from a kept one, for measuring publishing at scale without analysing again.

    python scripts/replicate_store.py SMALL.duckdb LARGE.duckdb --times 10

Copies ``SMALL`` (a store ``qareview run`` wrote, e.g. kept by ``bench_scale.py --keep``) to
``LARGE`` and adds ``--times - 1`` copies of every conversation with all its rows (legs, turns,
events, sentiment, trajectories, scores, findings, operations facts, journeys), every
conversation, customer and journey id suffixed ``~k``. Agents stay who they are, so ten copies of
``scale_load.py``'s 10k are its 100k: the same 60 representatives, ten times their contacts.
Bookkeeping tables (runs, source files, quarantine, the journey to-do list) are not copied.
Prints each table's rows before and after. For probes only: the copies' texts repeat.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

ID_COLUMNS = ("conversation_id", "customer_id", "journey_id", "previous_conversation_id")
NOT_COPIED = frozenset({"runs", "source_files", "quarantine", "journey_todo", "schema_version"})


def replicate(source: Path, target: Path, times: int) -> dict[str, tuple[int, int]]:
    """Write ``target``; per copied table, its rows before and after."""
    if times < 1:
        raise ValueError(f"--times must be at least 1, got {times}")
    shutil.copy2(source, target)
    counts: dict[str, tuple[int, int]] = {}
    with duckdb.connect(str(target)) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for table in tables:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
            ).fetchall()]  # fmt: skip
            ids = (["id"] if table == "conversations" else []) + [c for c in ID_COLUMNS if c in columns]
            if table in NOT_COPIED or not ids:
                continue
            (before,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
            for k in range(1, times):
                suffixed = ", ".join(f"{c} || '~{k}' AS {c}" for c in ids)
                con.execute(
                    f"INSERT INTO {table} SELECT * REPLACE ({suffixed}) FROM {table} "
                    f"WHERE {ids[0]} NOT LIKE '%~%'"
                )
            (after,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[misc]
            counts[table] = (before, after)
        con.execute("CHECKPOINT")
    return counts


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("source", type=Path, help="a store qareview run wrote (never changed)")
    parser.add_argument("target", type=Path, help="the large store to write (replaced)")
    parser.add_argument("--times", type=int, default=10, help="copies in all, the original included")
    args = parser.parse_args()
    for table, (before, after) in replicate(args.source, args.target, args.times).items():
        print(f"{table:24} {before:>10,} -> {after:>12,}")


if __name__ == "__main__":
    main()
