"""Every DuckDB store connection gets the memory limit and threads of ``storage/duckdb.yaml``.

DuckDB's own default memory limit is 80% of RAM: its page cache grows with the store. The
shipped file bounds it; a deployment's copy (``$QAREVIEW_DUCKDB_CONFIG``) can change it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from configfile import ConfigValueError
from storage.duckdb_settings import CONFIG_ENV, active_duckdb_settings, load_duckdb_settings
from storage.store import Store


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(f"SELECT current_setting('{name}')").fetchone()[0])


def _as_duckdb_shows(memory_limit: str) -> str:
    """How DuckDB reports ``memory_limit`` once set (e.g. 512MB shows as 488.2 MiB)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        return _setting(con, "memory_limit")
    finally:
        con.close()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Re-read the settings file in this test and again after it (it is read once per process)."""
    active_duckdb_settings.cache_clear()
    yield
    active_duckdb_settings.cache_clear()


def test_the_shipped_file_bounds_duckdb_memory(tmp_path: Path) -> None:
    shipped = load_duckdb_settings()
    assert shipped.memory_limit is not None
    default = _setting(duckdb.connect(":memory:"), "memory_limit")
    with Store(tmp_path / "store.duckdb") as store:
        got = _setting(store.connection, "memory_limit")
    assert got == _as_duckdb_shows(shipped.memory_limit)
    assert got != default


def test_a_deployment_copy_sets_memory_and_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    config = tmp_path / "duckdb.yaml"
    config.write_text("memory_limit: 300MB\nthreads: 1\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    db = tmp_path / "store.duckdb"
    with Store(db) as store:
        assert _setting(store.connection, "memory_limit") == _as_duckdb_shows("300MB")
        assert _setting(store.connection, "threads") == "1"
    with Store(db, read_only=True) as store:  # readers too
        assert _setting(store.connection, "memory_limit") == _as_duckdb_shows("300MB")


def test_a_bad_value_names_the_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "duckdb.yaml"
    config.write_text("threads: 2\nmemory_limit: plenty\n", encoding="utf-8")
    with pytest.raises(ConfigValueError, match=r"duckdb\.yaml:2.*memory_limit.*512MB"):
        load_duckdb_settings(config)
