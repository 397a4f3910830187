"""Report tables: columns, rows with their example conversations, and the CSV each is exported as."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    """A table column: key in the row dicts, header text, and whether it is a number."""

    key: str
    label: str
    numeric: bool = False
    wide: bool = False  # long text (a route path): give it room
    hidden: bool = False  # in the CSV only (ids people do not read)


@dataclass
class Table:
    """One report table; ``rows`` are dicts keyed by column key, ``examples`` one id list per row."""

    key: str
    title: str
    description: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    examples: list[list[str]] = field(default_factory=list)

    def add(self, row: dict[str, Any], examples: Iterable[str] = ()) -> None:
        """Append a row with its example conversations."""
        self.rows.append(row)
        self.examples.append(list(examples))

    def csv_rows(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows for CSV, with example conversation ids as the last column."""
        header = [c.key for c in self.columns] + ["example_conversations"]
        body = [
            [row.get(c.key) for c in self.columns] + [" ".join(ex)]
            for row, ex in zip(self.rows, self.examples, strict=True)
        ]
        return header, body
