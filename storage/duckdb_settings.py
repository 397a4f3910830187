"""DuckDB settings for every store connection, read from ``storage/duckdb.yaml``.

    settings = active_duckdb_settings()      # memory_limit "512MB", threads None
    apply_duckdb_settings(connection, settings)

``$QAREVIEW_DUCKDB_CONFIG`` names an edited copy of the file. Settings are applied with
``SET`` after connecting, so a second connection to a file already open in this process
(``duckdb.connect`` with other options would be refused) gets them too.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from configfile import ConfigValueError, load_yaml_config

DEFAULT_CONFIG_PATH = Path(__file__).with_name("duckdb.yaml")
CONFIG_ENV = "QAREVIEW_DUCKDB_CONFIG"
_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


class DuckDBSettings(BaseModel):
    """``storage/duckdb.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory_limit: str | None = None  # e.g. "512MB"; None: DuckDB's default (80% of RAM)
    threads: int | None = Field(None, ge=1)  # None: DuckDB's default (one per core)

    @field_validator("memory_limit")
    @classmethod
    def _size(cls, value: str | None) -> str | None:
        if value is not None and not _SIZE.match(value.strip()):
            raise ValueError(f"expected a size such as 512MB or 2GB, got {value!r}")
        return value.strip() if value is not None else None


def load_duckdb_settings(path: Path | str | None = None) -> DuckDBSettings:
    """Read and validate a DuckDB settings file (the shipped one by default); errors say file:line: key."""
    source = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    return load_yaml_config(source, DuckDBSettings, what="DuckDB settings", error=ConfigValueError)


@cache
def active_duckdb_settings() -> DuckDBSettings:
    """The file named by ``$QAREVIEW_DUCKDB_CONFIG``, else the shipped one; read once per process."""
    return load_duckdb_settings(os.environ.get(CONFIG_ENV) or None)


def apply_duckdb_settings(connection: duckdb.DuckDBPyConnection, settings: DuckDBSettings) -> None:
    """``SET`` the configured memory limit and threads on ``connection`` (the others stay DuckDB's)."""
    if settings.memory_limit is not None:
        connection.execute(f"SET memory_limit = '{settings.memory_limit}'")
    if settings.threads is not None:
        connection.execute(f"SET threads = {settings.threads}")
