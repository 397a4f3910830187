"""Helpers for reader tests: write a small file, split results by kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from transcripts.model import Conversation
from transcripts.quarantine import Quarantined


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write ``content`` (text as UTF-8, or raw bytes) to ``tmp_path / name`` and return the path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        return path

    return _write


def split(results: Iterable[object]) -> tuple[list[Conversation], list[Quarantined]]:
    """Conversations and quarantine entries of a reader run (anything else fails the test)."""
    conversations: list[Conversation] = []
    quarantined: list[Quarantined] = []
    for result in results:
        if isinstance(result, Conversation):
            conversations.append(result)
        elif isinstance(result, Quarantined):
            quarantined.append(result)
        else:
            raise AssertionError(f"unexpected result {result!r}")
    return conversations, quarantined
