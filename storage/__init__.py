"""The store (DuckDB, or PostgreSQL by URL): conversations, analysis, scores, quarantine and runs.

``Store`` is the store; ``ingest_paths`` (in ``storage.ingest``, imported on first use so
that opening a store does not load every reader) reads export files into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.store import Store, StoreError, UpsertResult

if TYPE_CHECKING:
    from storage.ingest import RunSummary, ingest_paths

__all__ = ["RunSummary", "Store", "StoreError", "UpsertResult", "ingest_paths"]


def __getattr__(name: str) -> Any:
    """``ingest_paths`` and ``RunSummary`` from ``storage.ingest``, imported when first asked for."""
    if name in ("ingest_paths", "RunSummary"):
        from storage import ingest

        return getattr(ingest, name)
    raise AttributeError(f"module 'storage' has no attribute {name!r}")
