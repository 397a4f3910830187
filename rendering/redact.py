"""The safety net for everything that reaches a page: the ingest redaction engine, run again.

Personal data is removed at ingest (:mod:`privacy`), so a store written by qareview holds only
redacted text. Rendering keeps no rules of its own: :class:`Redactor` runs the same engine
(``privacy/policy.yaml``) over page texts in case a store was written some other way, turning any
leftover into the same typed placeholders. Its placeholders and vendor ``[PII]`` markers pass
through unchanged. A store redacted at ingest gets the cheap pass (patterns and known names, no
second NER run); any other store gets the full one (:func:`redactor_for`). A stored turn that
ingest redacted with this very policy version is only searched for the customers' names known
since (:meth:`Redactor.find_many`'s ``policies``)::

    >>> redactor = Redactor(names=False)
    >>> redactor.redact("card 4111 1111 1111 1111, mail me at jo@example.com")
    'card [CARD], mail me at [EMAIL]'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb

from privacy.engine import RedactionEngine, Span, default_engine
from privacy.lru import BoundedCache
from privacy.name_index import KnownNameIndex


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


CACHE_SIZE = 20_000
"""Texts whose spans a :class:`Redactor` remembers (least recently used forgotten first): a page
chunk's and the cards' texts fit, and memory does not grow with the period's volume."""

_Key = tuple[str, bool, frozenset[str]]  # (text, redacted at ingest by this policy, kept names)


class Redactor:
    """Page-side redaction through the ingest engine, cached per (text, how it was stored, kept names).

    ``names=False`` skips the spaCy NER component (patterns, context and known names still run).
    The representative's own name (``keep_names``) is kept.

    What the net checks depends on where a text comes from. A stored text that ingest redacted
    with this engine's policy (``policies`` gives, per text, the ``id@version`` recorded with its
    conversation) has been through every recogniser already, with NER and the previous turn as
    context, so only the customers' names learnt since then are looked for in it. Every other
    text (quotes, suggestions, labels, texts of stores written another way or under another
    policy version) gets the engine's full pass.
    """

    def __init__(
        self, engine: RedactionEngine | None = None, *, names: bool = True, cache_size: int = CACHE_SIZE
    ) -> None:
        self.engine = engine or default_engine()
        self.names = names
        self._known: frozenset[str] = frozenset()
        self._index = KnownNameIndex(())
        self._cache: BoundedCache[_Key, tuple[PiiSpan, ...]] = BoundedCache(cache_size)

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
            self._index = KnownNameIndex(self._known)
            self._cache.clear()

    def prepare(
        self,
        texts: Iterable[str],
        keep_names: Iterable[str] = (),
        policies: Sequence[str | None] | None = None,
    ) -> None:
        """Find the spans of many texts in one batch up front (later calls hit the cache)."""
        self.find_many(list(texts), keep_names, policies)

    def find(self, text: str, keep_names: Iterable[str] = ()) -> list[PiiSpan]:
        """Spans in ``text``, non-overlapping, in order."""
        return self.find_many([text], keep_names)[0]

    def find_many(
        self,
        texts: Sequence[str],
        keep_names: Iterable[str] = (),
        policies: Sequence[str | None] | None = None,
    ) -> list[list[PiiSpan]]:
        """Spans for each text, found in one batch.

        ``policies``: per text, the policy ``id@version`` that redacted it at ingest (None: not
        known), as ``conversations.privacy_policy`` records it for stored turns.

        Kept names only matter to a text with a name span: the engine drops a name span made of
        kept words and decides everything else the same way. So each text is looked at once
        without kept names, and again with them only when that found a name.
        """
        keep = frozenset(n for n in keep_names if n)
        ref = self.engine.ref
        stored = [False] * len(texts) if policies is None else [p == ref for p in policies]
        if len(stored) != len(texts):
            raise ValueError(f"{len(stored)} policies for {len(texts)} texts")
        keys = [(t, s, frozenset[str]()) for t, s in zip(texts, stored, strict=True)]
        found = self._spans(keys)
        if keep:
            name = self.engine.policy.names.entity
            again = [i for i, spans in enumerate(found) if any(s.label == name for s in spans)]
            if again:
                redone = self._spans([(keys[i][0], keys[i][1], keep) for i in again])
                for i, spans in zip(again, redone, strict=True):
                    found[i] = spans
        return [list(spans) for spans in found]

    def _spans(self, keys: Sequence[_Key]) -> list[tuple[PiiSpan, ...]]:
        """Spans per key, from the cache or the engine (one batch per kind of text).

        Cached spans are read before fresh ones are stored, so a call with more texts than the
        cache holds never loses a text's spans to its own evictions.
        """
        found: dict[_Key, tuple[PiiSpan, ...]] = {}
        todo: list[_Key] = []
        for key in dict.fromkeys(keys):
            cached = self._cache.get(key) if key[0] else ()
            if cached is None:
                todo.append(key)
            else:
                found[key] = cached
        for stored in (False, True):
            for keep in sorted({k[2] for k in todo if k[1] == stored}, key=sorted):
                batch = [k[0] for k in todo if k[1] == stored and k[2] == keep]
                spans = self._known_names_only(batch, keep) if stored else self._full(batch, keep)
                for text, fresh in zip(batch, spans, strict=True):
                    key = (text, stored, keep)
                    found[key] = tuple(_pii(s) for s in fresh)
                    self._cache.put(key, found[key])
        return [found[k] for k in keys]

    def _full(self, texts: list[str], keep: frozenset[str]) -> list[list[Span]]:
        """The engine's whole pass (recognisers, NER when ``names``, known names)."""
        known = [self._index.words_in([t]) for t in texts]
        return self.engine.find_many(texts, known_names=known, keep_names=sorted(keep), names=self.names)

    def _known_names_only(self, texts: list[str], keep: frozenset[str]) -> list[list[Span]]:
        """What the engine's pass gives a text on which no recogniser finds anything: known names.

        ``RedactionEngine.find_known_names``: the tail of its ``find_many``.
        """
        return [self.engine.find_known_names(text, self._index.words_in([text]), keep) for text in texts]

    def redact(self, text: str, keep_names: Iterable[str] = ()) -> str:
        """``text`` with personal data replaced by placeholders such as ``[CARD]`` and ``[NAME]``."""
        return apply_spans(text, self.find(text, keep_names))

    def redact_many(
        self,
        texts: Sequence[str],
        keep_names: Iterable[str] = (),
        policies: Sequence[str | None] | None = None,
    ) -> list[str]:
        """:meth:`redact` for many texts at once (``policies`` as for :meth:`find_many`)."""
        found = self.find_many(texts, keep_names, policies)
        return [apply_spans(t, s) for t, s in zip(texts, found, strict=True)]


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
