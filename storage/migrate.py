"""Numbered schema migrations, applied when a store is opened for writing.

``storage/migrations/NNN_name.sql`` runs on every store; ``NNN_name.postgresql.sql`` (or
``.duckdb.sql``) only on that dialect, and the other records the version without running
anything, so both count versions alike. The ``schema_version`` table holds one row per
applied version. All pending migrations run in one transaction, so a store is never left
half-migrated; on PostgreSQL an advisory lock keeps two processes from migrating at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage.dialect import DUCKDB, POSTGRES, ddl

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3})_(\w+?)(?:\.(duckdb|postgresql))?\.sql$")
# pg_advisory_xact_lock key serialising migrations (any bigint; "qareview" in ASCII, plus one).
MIGRATION_LOCK = 0x7161726576696577 + 1


class MigrationError(RuntimeError):
    """The store cannot be brought to this code's schema (newer, or not a qareview store)."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    path: Path
    only: str | None  # the dialect it is for; None: every dialect

    def sql(self, dialect: str) -> str:
        """The statements to run on ``dialect`` ("" when the migration is for the other one)."""
        if self.only not in (None, dialect):
            return ""
        return ddl(self.path.read_text(encoding="utf-8"), dialect)


def migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in ``folder``, by version; a gap or a repeated number is an error."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: a migration is named NNN_name[.duckdb|.postgresql].sql")
        found.append(Migration(int(match.group(1)), match.group(2), path, match.group(3)))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{folder}: migrations must be numbered 1, 2, 3 ... without gaps: {versions}")
    return found


LATEST = len(migrations())


def current_version(con: Any) -> int:
    """The highest applied version (0: no qareview tables yet)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'schema_version' AND table_schema = current_schema()"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def check_version(version: int, where: str) -> None:
    """``MigrationError`` if ``version`` was written by newer code."""
    if version > LATEST:
        raise MigrationError(
            f"{where} has schema version {version}; this qareview reads up to {LATEST}: upgrade qareview"
        )


def migrate(con: Any, dialect: str, where: str) -> list[int]:
    """Apply the pending migrations in one transaction; the versions applied.

    ``con`` is a DuckDB connection or a ``storage.postgres.PgConnection`` (both take
    ``execute``, ``begin``, ``commit`` and ``rollback``).
    """
    if dialect not in (DUCKDB, POSTGRES):
        raise ValueError(f"unknown dialect {dialect!r}")
    con.begin()
    try:
        if dialect == POSTGRES:
            con.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK])
        version = current_version(con)
        check_version(version, where)
        applied = []
        for migration in migrations()[version:]:
            sql = migration.sql(dialect)
            if sql.strip():
                con.execute(sql)
            now = datetime.now(UTC).replace(tzinfo=None)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [migration.version, now])
            applied.append(migration.version)
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return applied
