"""Turn text split into plain, highlighted and redacted pieces, ready for a template.

Findings point at character offsets of the original text; redaction changes lengths. This
module applies both at once, on original offsets, so a highlight still covers the right
words after names and numbers are replaced::

    >>> from rendering.redact import PiiSpan

    >>> pii = [PiiSpan(0, 5, "NAME", "[NAME]", "spacy_ner")]
    >>> [(s.text, s.marked, s.redacted) for s in segments("Maria, that is wrong", pii, [(15, 20)])]
    [('[NAME]', False, True), (', that is ', False, False), ('wrong', True, False)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rendering.redact import PiiSpan

_JOINERS = frozenset("'’-")  # inside a word: don't, re-rate


@dataclass(frozen=True)
class Segment:
    """A run of text that is uniformly highlighted (or not) and redacted (or not)."""

    text: str
    marked: bool = False
    redacted: bool = False


def segments(
    text: str, pii: Sequence[PiiSpan], marks: Sequence[tuple[int | None, int | None]]
) -> list[Segment]:
    """Split ``text`` at PII spans and highlight ranges; PII becomes its placeholder.

    Highlight ranges with missing or out-of-range offsets are clipped or ignored; a range that
    starts or ends inside a word is widened to the whole word (``n't`` -> ``don't``).
    """
    size = len(text)
    ranges = []
    for start, end in marks:
        if start is None or end is None:
            continue
        lo, hi = max(0, start), min(size, end)
        if lo < hi:
            ranges.append(whole_words(text, lo, hi))
    cuts = {0, size}
    for lo, hi in ranges:
        cuts.update((lo, hi))
    for span in pii:
        cuts.update((span.start, span.end))
    points = sorted(c for c in cuts if 0 <= c <= size)
    out: list[Segment] = []
    emitted: set[PiiSpan] = set()
    for lo, hi in zip(points, points[1:], strict=False):
        marked = any(a <= lo and hi <= b for a, b in ranges)
        owner = next((s for s in pii if s.start <= lo and hi <= s.end), None)
        if owner is not None:
            if owner in emitted:
                continue
            emitted.add(owner)
            piece = Segment(owner.replacement, marked, True)
        else:
            piece = Segment(text[lo:hi], marked, False)
        if out and not piece.redacted and not out[-1].redacted and out[-1].marked == piece.marked:
            out[-1] = Segment(out[-1].text + piece.text, piece.marked, False)
        else:
            out.append(piece)
    return out


def _in_word(c: str) -> bool:
    return c.isalnum() or c in _JOINERS


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened so that it neither starts nor ends in the middle of a word.

    >>> text = "I don't think it's fair"
    >>> lo, hi = whole_words(text, 4, 13)
    >>> text[lo:hi]
    "don't think"
    """
    while 0 < start < len(text) and _in_word(text[start]) and _in_word(text[start - 1]):
        start -= 1
    while 0 < end < len(text) and _in_word(text[end]) and _in_word(text[end - 1]):
        end += 1
    return start, end


def flatten(parts: Sequence[Segment]) -> str:
    """The redacted text the segments spell out."""
    return "".join(p.text for p in parts)
