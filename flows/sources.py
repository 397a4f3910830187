"""Finding transcript files in a source folder, local or remote (any fsspec URL).

A local source is read in place. A remote source (``s3://bucket/exports``, or any URL an
installed fsspec implementation understands; ``pip install 'qareview[s3]'`` for S3) is
mirrored into a local staging folder first, so ingest always reads local files and the
watermark records stable paths: a file whose remote size and modification time did not
change is not downloaded again.

    discover_local(Path("examples"))                       # sorted files, hidden ones skipped
    mirror_remote("s3://bucket/exports", Path("out/.qareview-work/mirror"))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any


@dataclass(frozen=True)
class MirrorResult:
    """Local copies of a remote source: every file, and the ones fetched this time."""

    files: list[Path]
    downloaded: list[Path]


def is_remote(source: str) -> bool:
    """True for fsspec URLs other than plain local paths (``file://`` counts as local)."""
    return "://" in source and not source.startswith("file://")


def local_path(source: str) -> Path:
    """The local path a non-remote source names (``file://`` prefix removed)."""
    return Path(source.removeprefix("file://")).expanduser()


def mirror_name(source: str) -> str:
    """A folder name for the local mirror of ``source`` (``s3://b/x`` -> ``s3-b-x``)."""
    return re.sub(r"[^A-Za-z0-9._]+", "-", source).strip("-.") or "source"


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") for part in parts)


def discover_local(source: Path, exclude: Sequence[Path] = ()) -> list[Path]:
    """Regular files under ``source`` (or ``source`` itself), sorted, hidden entries skipped.

    Walks the way ingest does (``transcripts.read.iter_input_files``); files under an
    ``exclude`` folder (the run's own output folder, when it lies inside the source) are left
    out, so published cards and CSVs are never read back as transcripts. Raises
    ``FileNotFoundError`` when the source does not exist: a missing inbox is an operator
    error or an unmounted share (which a retry may fix), not bad data.
    """
    from transcripts.read import iter_input_files

    if not source.exists():
        raise FileNotFoundError(f"transcript source {source} does not exist")
    skipped = [folder.resolve() for folder in exclude]
    found = (path.resolve() for path in iter_input_files([source]))
    return [path for path in found if not any(path.is_relative_to(folder) for folder in skipped)]


def _mtime(info: dict[str, Any]) -> str:
    for key in ("mtime", "LastModified", "last_modified", "updated", "created", "ETag", "etag"):
        if info.get(key) is not None:
            return str(info[key])
    return ""


def mirror_remote(source: str, staging: Path) -> MirrorResult:
    """Copy every file under the remote ``source`` to ``staging``, skipping unchanged ones.

    A file is fetched when it has no local copy yet, or its size or modification time
    differs from the last fetch (remembered in a ``.stamp`` file next to the copy). Copies
    are written to a temporary name and renamed, so an interrupted download never leaves
    a half file that looks complete.
    """
    import fsspec  # a Prefect dependency; remote protocols need their extras (s3fs, gcsfs...)

    fs, root = fsspec.core.url_to_fs(source)
    root = root.rstrip("/")
    entries: dict[str, dict[str, Any]] = (
        fs.find(root, detail=True) if fs.isdir(root) else {root: fs.info(root)}
    )
    files: list[Path] = []
    downloaded: list[Path] = []
    for remote in sorted(entries):
        info = entries[remote]
        if info.get("type", "file") != "file":
            continue
        rel = (
            PurePosixPath(remote).relative_to(root)
            if remote != root
            else PurePosixPath(PurePosixPath(root).name)
        )
        if _hidden(rel.parts):
            continue
        target = staging.joinpath(*rel.parts)
        stamp = target.with_name(f".{target.name}.stamp")
        signature = f"{info.get('size')}|{_mtime(info)}"
        if not (target.is_file() and stamp.is_file() and stamp.read_text() == signature):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            fs.get_file(remote, str(partial))
            partial.replace(target)
            stamp.write_text(signature)
            downloaded.append(target.resolve())
        files.append(target.resolve())
    return MirrorResult(files=files, downloaded=downloaded)
