"""Conversation pages are built a chunk at a time (bounded memory); the site is the same as in one go.

Real synthetic store, real redactor, real files: publishing with chunks of one page gives
byte-identical files (the "Generated" time blanked) and the same page order as one chunk
holding every page, in full and incremental publishes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_store import PERIOD
from test_incremental_publish import site

from rendering import publish as publish_module
from rendering.publish import PublishResult, publish
from rendering.redact import Redactor
from storage.store import Store


def _publish(db: Path, out: Path, redactor: Redactor, incremental: bool = False) -> PublishResult:
    with Store(db, read_only=True) as store:
        return publish(store, *PERIOD, out, redactor=redactor, incremental=incremental)


def test_pages_in_chunks_of_one_equal_one_chunk(
    synthetic_db: Path, redactor: Redactor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _publish(synthetic_db, tmp_path / "whole", redactor)
    assert len(whole.conversation_paths) > 2 and len(whole.conversation_paths) < publish_module.PAGE_CHUNK
    monkeypatch.setattr(publish_module, "PAGE_CHUNK", 1)
    progress: list[tuple[int, int]] = []
    with Store(synthetic_db, read_only=True) as store:
        chunked = publish(
            store, *PERIOD, tmp_path / "chunked", redactor=redactor,
            on_page=lambda done, total: progress.append((done, total)),
        )  # fmt: skip
    assert site(tmp_path / "chunked") == site(tmp_path / "whole")
    assert [p.name for p in chunked.conversation_paths.values()] == [
        p.name for p in whole.conversation_paths.values()
    ]
    total = len(whole.conversation_paths)
    assert progress == [(done, total) for done in range(1, total + 1)]
    again = _publish(synthetic_db, tmp_path / "chunked", redactor, incremental=True)
    assert again.written == [] and site(tmp_path / "chunked") == site(tmp_path / "whole")
