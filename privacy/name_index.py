"""Which known customer names could be redacted in a text, without running the redaction.

The engine redacts every word of every known name wherever it stands as a word
(``RedactionEngine._known_name_spans``). Such a match is bounded by characters that are not word
characters on both sides, so the first run of word characters of the matched name word is a
whole run of word characters of the text. :class:`KnownNameIndex` inverts that: given the texts,
it lists the name words whose first run occurs in them. That is a superset of the words that
can match, so a text whose list is unchanged is redacted the same way whatever other names
become known. Publishing uses it to rebuild only the pages a newly known name could change.

    >>> KnownNameIndex(["Marcus Lindqvist"]).words_in(["Hi, it's Marcus's line."])
    ['Marcus']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from privacy.engine import _WORD  # the engine's own definition of a name's words

_RUN = re.compile(r"\w+")


class KnownNameIndex:
    """Known names' words, by the first run of word characters of each word."""

    def __init__(self, names: Iterable[str]) -> None:
        by_run: dict[str, set[str]] = defaultdict(set)
        for name in names:
            for word in _WORD.findall(name or ""):
                run = _RUN.match(word)
                if run is not None:
                    by_run[run.group()].add(word)
        self._by_run = {run: tuple(sorted(words)) for run, words in by_run.items()}

    def words_in(self, texts: Iterable[str]) -> list[str]:
        """The name words that could be redacted somewhere in ``texts``, sorted."""
        runs = {run for text in texts for run in _RUN.findall(text)}
        return sorted(word for run in runs & self._by_run.keys() for word in self._by_run[run])
