"""What differs between the DuckDB and the PostgreSQL store, in one place.

The store's SQL is written once, in the subset both engines run (``array_agg(x ORDER BY y)``,
``unnest(?::VARCHAR[])``, ``ON CONFLICT``, ``?`` placeholders). What remains different is here:
telling a PostgreSQL URL from a DuckDB path, the DDL types, the errors a store raises, and how a
URL is shown (without its password)::

    >>> is_postgres("postgresql://qa@db.example/qareview")
    True
    >>> display("postgresql://qa:secret@db.example/qareview")
    'postgresql://qa:***@db.example/qareview'
"""

from __future__ import annotations

import re
from pathlib import Path

DUCKDB = "duckdb"
POSTGRES = "postgresql"
_SCHEMES = ("postgresql://", "postgres://")
# A URL that went through ``pathlib.Path`` lost one slash of its "//" (``postgresql:/qa@db/x``).
_COLLAPSED = re.compile(r"^(postgresql|postgres):/(?!/)")
_PASSWORD = re.compile(r"^(\w+://[^/@:]*):[^/@]*@")
# Text columns get the byte-order collation in PostgreSQL, so ORDER BY sorts as DuckDB does
# whatever the database's locale. (The schema spells floats DOUBLE PRECISION, which both take.)
_PG_TYPES = ((re.compile(r"\bVARCHAR\b(?!\[)"), 'VARCHAR COLLATE "C"'),)


def target(db: str | Path) -> str:
    """``db`` as the store opens it: a PostgreSQL URL (its "//" restored), else the path as given."""
    text = str(db)
    if _COLLAPSED.match(text):
        text = _COLLAPSED.sub(lambda m: m.group(1) + "://", text)
    return text


def is_postgres(db: str | Path) -> bool:
    """Whether ``db`` names a PostgreSQL store (``postgresql://`` or ``postgres://``)."""
    return target(db).startswith(_SCHEMES)


def dialect_of(db: str | Path) -> str:
    """``"postgresql"`` or ``"duckdb"``."""
    return POSTGRES if is_postgres(db) else DUCKDB


def resolved(db: str | Path) -> str:
    """``db`` for other processes: a URL unchanged, a DuckDB path made absolute."""
    if is_postgres(db) or str(db) == ":memory:":
        return target(db)
    return str(Path(db).resolve())


def display(db: str | Path) -> str:
    """``db`` for messages and summaries: a URL without its password, a path as given."""
    return _PASSWORD.sub(r"\1:***@", target(db))


def ddl(sql: str, dialect: str) -> str:
    """Schema SQL written for DuckDB, in ``dialect``."""
    if dialect == POSTGRES:
        for pattern, replacement in _PG_TYPES:
            sql = pattern.sub(replacement, sql)
    return sql


def database_errors() -> tuple[type[BaseException], ...]:
    """The exception classes a store's database raises (DuckDB's, and psycopg's when installed)."""
    import duckdb

    errors: tuple[type[BaseException], ...] = (duckdb.Error,)
    try:
        import psycopg
    except ImportError:
        return errors
    return (*errors, psycopg.Error)


def transient_errors() -> tuple[type[BaseException], ...]:
    """Database errors a retry may fix: DuckDB I/O, a lost PostgreSQL connection."""
    import duckdb

    errors: tuple[type[BaseException], ...] = (duckdb.IOException,)
    try:
        import psycopg
    except ImportError:
        return errors
    return (*errors, psycopg.OperationalError)
