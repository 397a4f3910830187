"""A PostgreSQL connection that the store and the rendering queries use as they use DuckDB's.

``PgConnection`` takes the store's SQL as written for DuckDB (``?`` placeholders) and offers
the DuckDB calls the store makes: ``execute(...).fetchall()``, ``cursor()``, ``begin``/
``commit``/``rollback`` (autocommit otherwise, as DuckDB), and a bulk ``insert`` through
``COPY``. JSON columns come back as the text stored, as DuckDB returns them. Needs the
``postgres`` extra (``psycopg[binary]``)::

    con = connect("postgresql://qa@localhost/qareview")
    con.execute("SELECT count(*) FROM conversations WHERE channel = ?", ["chat"]).fetchall()
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from storage.bulk import quote
from storage.dialect import display

_cursor_names = itertools.count()


def _driver() -> Any:
    """The psycopg module, or ImportError saying which extra installs it."""
    try:
        import psycopg
    except ImportError:
        raise ImportError("a postgresql:// store needs psycopg: pip install 'qareview[postgres]'") from None
    return psycopg


def _sql(sql: str, params: Sequence[Any] | None) -> tuple[str, Sequence[Any] | None]:
    """DuckDB-style SQL for psycopg: ``?`` becomes ``%s`` (and ``%`` ``%%``) when there are parameters."""
    if not params:
        return sql, None
    return sql.replace("%", "%%").replace("?", "%s"), list(params)


class PgCursor:
    """A server-side cursor (streams ``fetchmany``), with DuckDB's ``execute`` signature."""

    def __init__(self, connection: Any) -> None:
        self._cursor = connection.cursor(name=f"qareview_{next(_cursor_names)}", withhold=True)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        """Run ``sql``; rows are fetched in pieces as asked for."""
        self._cursor.execute(*_sql(sql, params))
        return self

    @property
    def description(self) -> Any:
        """Column descriptions (``d[0]`` is the name)."""
        return self._cursor.description

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every remaining row."""
        return self._cursor.fetchall()

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        """Up to ``size`` more rows."""
        return self._cursor.fetchmany(size)

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None."""
        return self._cursor.fetchone()

    def close(self) -> None:
        """Close the server-side cursor."""
        self._cursor.close()


class PgConnection:
    """One psycopg connection in autocommit mode, used with DuckDB's SQL and calls."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        psycopg = _driver()
        from psycopg.types.string import TextLoader

        self.url = url
        self._con = psycopg.connect(url, autocommit=True)
        for json_type in ("json", "jsonb"):
            self._con.adapters.register_loader(json_type, TextLoader)
        if read_only:
            self._con.execute("SET default_transaction_read_only = on")

    @property
    def raw(self) -> Any:
        """The psycopg connection."""
        return self._con

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Run ``sql`` (``?`` placeholders); the psycopg cursor, for ``fetchall``/``fetchone``."""
        return self._con.execute(*_sql(sql, params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` once per row."""
        if rows:
            with self._con.cursor() as cursor:
                cursor.executemany(sql.replace("%", "%%").replace("?", "%s"), [list(r) for r in rows])

    def cursor(self) -> PgCursor:
        """A cursor of its own, for streaming a large result while other statements run."""
        return PgCursor(self._con)

    def begin(self) -> None:
        """Start a transaction."""
        self._con.execute("BEGIN")

    def commit(self) -> None:
        """Commit the transaction."""
        self._con.execute("COMMIT")

    def rollback(self) -> None:
        """Roll the transaction back (nothing when none is open)."""
        if self._con.info.transaction_status != _driver().pq.TransactionStatus.IDLE:
            self._con.execute("ROLLBACK")

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], on_conflict: str = ""
    ) -> int:
        """Insert ``rows`` (tuples in ``columns`` order); ``COPY`` unless ``on_conflict`` is given."""
        if not rows:
            return 0
        names = ", ".join(quote(c) for c in columns)
        if on_conflict:
            marks = ", ".join("?" for _ in columns)
            self.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks}) {on_conflict}", rows)
            return len(rows)
        with self._con.cursor() as cursor, cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __repr__(self) -> str:
        return f"PgConnection({display(self.url)!r})"


def connect(url: str, read_only: bool = False) -> PgConnection:
    """A ``PgConnection`` to ``url``."""
    return PgConnection(url, read_only=read_only)
