"""The safety net for everything that reaches a page: the ingest redaction engine, run again.

Personal data is removed at ingest (:mod:`privacy`), so a store written by qareview holds only
redacted text. Rendering keeps no rules of its own: :class:`Redactor` runs the same engine
(``privacy/policy.yaml``) over page texts in case a store was written some other way, turning any
leftover into the same typed placeholders. Its placeholders and vendor ``[PII]`` markers pass
through unchanged. A store redacted at ingest gets the cheap pass (patterns and known names, no
second NER run); any other store gets the full one (:func:`redactor_for`)::

    >>> redactor = Redactor(names=False)
    >>> redactor.redact("card 4111 1111 1111 1111, mail me at jo@example.com")
    'card [CARD], mail me at [EMAIL]'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from privacy.engine import RedactionEngine, Span, default_engine


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data in a text, in that text's character offsets."""

    start: int
    end: int
    label: str
    replacement: str
    recognizer: str


def apply_spans(text: str, spans: Sequence[PiiSpan]) -> str:
    """``text`` with every span replaced by its placeholder (spans must not overlap)."""
    out: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(text[cursor : span.start])
        out.append(span.replacement)
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def _pii(span: Span) -> PiiSpan:
    return PiiSpan(span.start, span.end, span.entity, span.placeholder, span.recognizer)


class Redactor:
    """Page-side redaction through the ingest engine, cached per (text, kept names).

    ``names=False`` skips the spaCy NER component (patterns, context and known names still run).
    The representative's own name (``keep_names``) is kept.
    """

    def __init__(self, engine: RedactionEngine | None = None, *, names: bool = True) -> None:
        self.engine = engine or default_engine()
        self.names = names
        self._known: frozenset[str] = frozenset()
        self._cache: dict[tuple[str, frozenset[str]], tuple[PiiSpan, ...]] = {}

    @property
    def known_names(self) -> frozenset[str]:
        """The names redacted wherever they appear (:meth:`add_known_names`)."""
        return self._known

    def add_known_names(self, names: Iterable[str]) -> None:
        """Also redact these names (customers' names from the metadata) wherever they appear.

        >>> redactor = Redactor(names=False)
        >>> redactor.add_known_names(["Marcus Lindqvist"])
        >>> redactor.redact("Hi Sofia, it's Marcus Lindqvist. Marcus's line is down.")
        "Hi Sofia, it's [NAME]. [NAME]'s line is down."
        """
        added = frozenset(n for n in names if n and n.strip())
        if not added <= self._known:
            self._known |= added
            self._cache.clear()

    def prepare(self, texts: Iterable[str], keep_names: Iterable[str] = ()) -> None:
        """Find the spans of many texts in one batch up front (later calls hit the cache)."""
        self.find_many(list(texts), keep_names)

    def find(self, text: str, keep_names: Iterable[str] = ()) -> list[PiiSpan]:
        """Spans in ``text``, non-overlapping, in order."""
        return self.find_many([text], keep_names)[0]

    def find_many(self, texts: Sequence[str], keep_names: Iterable[str] = ()) -> list[list[PiiSpan]]:
        """Spans for each text, found in one batch."""
        keep = frozenset(n for n in keep_names if n)
        todo = [t for t in dict.fromkeys(texts) if t and (t, keep) not in self._cache]
        if todo:
            found = self.engine.find_many(
                todo, known_names=sorted(self._known), keep_names=sorted(keep), names=self.names
            )
            for text, spans in zip(todo, found, strict=True):
                self._cache[(text, keep)] = tuple(_pii(s) for s in spans)
        return [list(self._cache.get((t, keep), ())) for t in texts]

    def redact(self, text: str, keep_names: Iterable[str] = ()) -> str:
        """``text`` with personal data replaced by placeholders such as ``[CARD]`` and ``[NAME]``."""
        return apply_spans(text, self.find(text, keep_names))

    def redact_many(self, texts: Sequence[str], keep_names: Iterable[str] = ()) -> list[str]:
        """:meth:`redact` for many texts at once."""
        return [apply_spans(t, s) for t, s in zip(texts, self.find_many(texts, keep_names), strict=True)]


def redacted_at_ingest(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every stored conversation records the redaction policy that cleaned it."""
    missing = con.execute("SELECT count(*) FROM conversations WHERE privacy_policy IS NULL").fetchone()
    return bool(missing is not None and missing[0] == 0)


def redactor_for(con: duckdb.DuckDBPyConnection) -> Redactor:
    """The safety net a store needs: no second NER pass when ingest already redacted it all."""
    return Redactor(names=not redacted_at_ingest(con))


def default_redactor() -> Redactor:
    """The full safety net (NER included), for pages that have no store to ask."""
    return Redactor()
