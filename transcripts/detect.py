"""Pick the reader for a file by looking at its content.

Every registered reader's ``sniff`` scores the decoded head of the file; the highest score
wins. The file extension only breaks ties (and near-ties within ``TIE_MARGIN``): each
reader declares its ``extensions`` and a ``tie_rank``, so a ``.txt`` file holding JSON Lines
is still read as JSON. Callers can override detection by
passing a format name to ``read_path``.

Example::

    >>> detect_format(Path("exports/day1.jsonl"))
    'json'
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from transcripts.readers.base import Reader, readers
from transcripts.textio import sniff_text, sniff_text_after, sniff_text_collapsed

MIN_CONFIDENCE = 0.2
"""Below this score no reader claims the file: it is quarantined as ``UNKNOWN_FORMAT``."""
TIE_MARGIN = 0.05
"""Scores this close to the best count as a tie, broken by the extension."""
SKIPPED_LINES = 3
"""Leading lines detection passes over when no reader claims the head as it is."""
WEAK_CONFIDENCE = 0.5
"""A best score below this lets the lines after a damaged first one speak, if they are surer."""
_log = logging.getLogger(__name__)


def _safe_sniff(reader: Reader, head: str, path: Path) -> float:
    try:
        score = float(reader.sniff(head, path))
    except Exception:  # noqa: BLE001 - a buggy sniffer must not stop detection of other files
        _log.exception("sniff of reader %s failed on %s", reader.name, path)
        return 0.0
    return min(max(score, 0.0), 1.0)


def sniff_scores(path: Path, candidates: Mapping[str, Reader] | None = None) -> dict[str, float]:
    """Every candidate reader's confidence for ``path`` (registered readers by default)."""
    return _scores(sniff_text(path), path, candidates)


def _scores(head: str, path: Path, candidates: Mapping[str, Reader] | None) -> dict[str, float]:
    if not head.strip():
        return {}
    pool = readers() if candidates is None else candidates
    return {name: _safe_sniff(reader, head, path) for name, reader in pool.items()}


def _confident_scores(path: Path, candidates: Mapping[str, Reader] | None) -> dict[str, float]:
    """The scores of the file's head, or of the head after up to ``SKIPPED_LINES`` damaged first lines.

    A damaged first record (a NUL, junk, a byte lost in UTF-16, nesting thousands deep)
    would otherwise make no reader claim the file, or a wrong one claim it weakly, and cost
    all of it; the reader then quarantines that line alone. When still no reader claims it,
    the head is read again with long repeats cut short (a value nested 100,000 deep inside the
    first record of a pretty-printed array fills any head with brackets).
    """
    scores = _scores(sniff_text(path), path, candidates)
    for skipped in range(1, SKIPPED_LINES + 1):
        best = max(scores.values(), default=0.0)
        if best >= WEAK_CONFIDENCE:
            break
        after = _scores(sniff_text_after(path, skipped), path, candidates)
        if best < MIN_CONFIDENCE or max(after.values(), default=0.0) >= WEAK_CONFIDENCE:
            scores = after
    if max(scores.values(), default=0.0) < MIN_CONFIDENCE:  # a head all nesting: look past it
        scores = _scores(sniff_text_collapsed(path), path, candidates) or scores
    return scores


def detect_format(path: Path | str, candidates: Mapping[str, Reader] | None = None) -> str | None:
    """Name of the reader for ``path``, or None when no reader is confident enough.

    ``candidates`` restricts or replaces the registered readers (e.g. to force a family).
    """
    path = Path(path)
    scores = _confident_scores(path, candidates)
    if not scores:
        return None
    best = max(scores.values())
    if best < MIN_CONFIDENCE:
        return None
    close = [name for name, score in scores.items() if score >= best - TIE_MARGIN]
    pool = readers() if candidates is None else candidates
    hinted = [name for name in close if _claims(name, pool[name], path.suffix.lower())]
    if hinted:
        return max(sorted(hinted), key=lambda name: (_tie_rank(name, pool[name]), scores[name]))
    return max(sorted(close), key=scores.__getitem__)


def _registered(name: str, reader: Reader) -> Reader:
    """The registered reader called ``name`` (its declarations), else ``reader`` itself."""
    return readers().get(name, reader)


def _claims(name: str, reader: Reader, suffix: str) -> bool:
    """Whether the reader declares ``suffix`` among its extensions (tie-break only)."""
    return bool(suffix) and suffix in (reader.extensions or _registered(name, reader).extensions)


def _tie_rank(name: str, reader: Reader) -> int:
    return reader.tie_rank or _registered(name, reader).tie_rank
