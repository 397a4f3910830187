"""Finding files in local folders and mirroring remote (fsspec) sources."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from flows.nightly import discover_files
from flows.sources import discover_local, is_remote, local_path, mirror_name, mirror_remote


def test_local_discovery_is_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "calls.jsonl").write_text("{}\n")
    (tmp_path / "a.csv").write_text("x\n")
    (tmp_path / ".partial.jsonl").write_text("{}\n")
    (tmp_path / ".qareview-work").mkdir()
    (tmp_path / ".qareview-work" / "batch.json").write_text("{}")
    assert discover_local(tmp_path) == [tmp_path / "a.csv", tmp_path / "b" / "calls.jsonl"]
    assert discover_local(tmp_path / "a.csv") == [tmp_path / "a.csv"]


def test_an_output_folder_inside_the_source_is_never_read_back(tmp_path: Path) -> None:
    (tmp_path / "calls.jsonl").write_text("{}\n")
    (tmp_path / "out" / "cards").mkdir(parents=True)
    (tmp_path / "out" / "cards" / "a-kevin.json").write_text("{}")
    (tmp_path / "out" / "index.csv").write_text("x\n")
    (tmp_path / "outgoing.csv").write_text("x\n")  # a sibling whose name starts the same stays
    assert discover_local(tmp_path, exclude=[tmp_path / "out"]) == [
        tmp_path / "calls.jsonl",
        tmp_path / "outgoing.csv",
    ]


def test_missing_local_source_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover_local(tmp_path / "not-mounted")


@pytest.mark.parametrize(
    ("source", "remote"),
    [
        ("examples", False),
        ("/data/x", False),
        ("file:///data/x", False),
        ("s3://b/x", True),
        ("memory://x", True),
    ],
)
def test_is_remote(source: str, remote: bool) -> None:
    assert is_remote(source) is remote


def test_names() -> None:
    assert local_path("file:///data/x") == Path("/data/x")
    assert mirror_name("s3://bucket/exports/") == "s3-bucket-exports"


@pytest.fixture
def remote_inbox() -> Iterator[str]:
    """A folder on fsspec's in-memory filesystem, standing in for s3://."""
    root = f"memory://inbox-{uuid.uuid4().hex[:8]}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{root}/2026-11-16/chats.jsonl", b'{"id": "c1"}\n')
    fs.pipe(f"{root}/2026-11-17/calls.jsonl", b'{"id": "c2"}\n')
    fs.pipe(f"{root}/.tmp-upload", b"partial")
    yield root
    fs.rm(root, recursive=True)


def test_mirror_copies_new_and_changed_files_only(remote_inbox: str, tmp_path: Path) -> None:
    staging = tmp_path / "mirror"
    first = mirror_remote(remote_inbox, staging)
    expected = [staging / "2026-11-16" / "chats.jsonl", staging / "2026-11-17" / "calls.jsonl"]
    assert first.files == expected
    assert first.downloaded == expected
    assert expected[0].read_bytes() == b'{"id": "c1"}\n'

    again = mirror_remote(remote_inbox, staging)
    assert again.files == expected and again.downloaded == []

    fsspec.filesystem("memory").pipe(f"{remote_inbox}/2026-11-17/calls.jsonl", b'{"id": "c2", "v": 2}\n')
    changed = mirror_remote(remote_inbox, staging)
    assert changed.downloaded == [expected[1]]
    assert expected[1].read_bytes() == b'{"id": "c2", "v": 2}\n'


def test_discover_task_mirrors_remote_sources(remote_inbox: str, tmp_path: Path) -> None:
    found = discover_files.fn(remote_inbox, str(tmp_path / "mirror"))
    assert found.downloaded == 2
    assert [Path(f).name for f in found.files] == ["chats.jsonl", "calls.jsonl"]
    assert all(Path(f).is_relative_to(tmp_path / "mirror") for f in found.files)
