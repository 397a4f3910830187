"""Check that two ``qareview run`` results are the same: every store table and every output file.

    python scripts/compare_runs.py RUN_A RUN_B [--root DIR ...]

Each RUN is a folder holding ``q.duckdb`` and ``out/`` (``qareview run SRC --db RUN/q.duckdb
--out RUN/out``). What legitimately differs between two runs is replaced before comparing:
the run folders and ``--root`` folders (code checkouts the source paths start with), run
ids, clock times, durations, the ``Generated`` line and process ids (``pid`` columns).
Prints each table and file that still differs; exits 1 if any does. Used to show that a
performance change leaves results alone (docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path
from typing import Any

import duckdb

_VOLATILE = re.compile(
    r"(?:nightly|ingest|publish)-\d{8}T\d{6}Z-[0-9a-f]{8}"  # run ids
    r"|\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?"  # clock times
    r"|\"seconds\":(?:\{[^}]*\}|[\d.]+)"  # stage durations in run details
    r"|<td class=\"num\">\d+(?:\.\d+)?</td>"  # durations on the run history page
    r"|vm:\d+|[\w.-]+:\d+(?=\"?:\s*\d)"  # host:pid of workers
    r"|Generated[^<\n]*"
)


def normalise(value: Any, replace: list[tuple[str, str]], column: str = "") -> Any:
    """``value`` with folders, run ids, times, durations and process ids replaced by placeholders."""
    if isinstance(value, datetime.datetime | datetime.date):
        return "TIME"
    if column == "pid":
        return "PID"
    if isinstance(value, str):
        for old, new in replace:
            value = value.replace(old, new)
        return _VOLATILE.sub("X", value)
    return value


def table_rows(db: Path, table: str, replace: list[tuple[str, str]]) -> list[str]:
    """The table's rows, normalised, as sorted strings."""
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    return sorted(repr([normalise(v, replace, c) for v, c in zip(row, columns, strict=True)]) for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--root", action="append", default=[], help="a code checkout to replace by ROOT")
    args = parser.parse_args(argv)
    runs = [args.run_a.resolve(), args.run_b.resolve()]
    replaces = [[(str(run), "RUN"), *((str(Path(r).resolve()), "ROOT") for r in args.root)] for run in runs]
    with duckdb.connect(str(runs[0] / "q.duckdb"), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()
        ]
    differing = 0
    for table in tables:
        a, b = (table_rows(run / "q.duckdb", table, rep) for run, rep in zip(runs, replaces, strict=True))
        if a != b:
            differing += 1
            print(f"table {table}: differs ({len(a)} vs {len(b)} rows)")
    files = [
        sorted(p.relative_to(run / "out") for p in (run / "out").rglob("*") if p.is_file()) for run in runs
    ]
    if files[0] != files[1]:
        differing += 1
        print(f"output files differ: {sorted(set(files[0]) ^ set(files[1]))[:10]}")
    for name in sorted(set(files[0]) & set(files[1])):
        x, y = ((run / "out" / name).read_bytes() for run in runs)
        if x == y:
            continue
        try:
            same = normalise(x.decode(), replaces[0]) == normalise(y.decode(), replaces[1])
        except UnicodeDecodeError:
            same = False
        if not same:
            differing += 1
            print(f"file {name}: differs")
    print(f"{len(tables)} tables, {len(files[0])} output files compared; {differing} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
