"""Highlights and redaction applied together on original offsets."""

from __future__ import annotations

import pytest

from rendering.redact import PiiSpan
from rendering.site_paths import conversation_href, slug
from rendering.text_segments import Segment, flatten, segments

NAME = PiiSpan(0, 5, "NAME", "[NAME]", "spacy_ner")


@pytest.mark.parametrize(
    ("text", "pii", "marks", "expected"),
    [
        ("plain text", [], [], [Segment("plain text")]),
        ("Maria, that is wrong", [NAME], [(15, 20)],
         [Segment("[NAME]", redacted=True), Segment(", that is "), Segment("wrong", marked=True)]),
        # a highlight covering redacted text keeps the placeholder, marked
        ("Maria, that is wrong", [NAME], [(0, 20)],
         [Segment("[NAME]", True, True), Segment(", that is wrong", marked=True)]),
        # offsets from a finding that do not fit the text are clipped or ignored
        ("so short", [], [(3, 99), (None, 2), (12, 13)], [Segment("so "), Segment("short", marked=True)]),
        # a finding's span that starts or ends inside a word highlights the whole word
        ("I don't think it's fair.", [], [(5, 12)], [Segment("I "), Segment("don't think", marked=True),
                                                      Segment(" it's fair.")]),
        ("I can re-rate it", [], [(0, 9)], [Segment("I can re-rate", marked=True), Segment(" it")]),
    ],
)  # fmt: skip
def test_segments(text: str, pii: list[PiiSpan], marks: list, expected: list[Segment]) -> None:
    parts = segments(text, pii, marks)
    assert parts == expected
    assert "Maria" not in flatten(parts)


def test_slugs_are_safe_and_distinct() -> None:
    assert slug("C-1101") == "C-1101"
    assert slug("a/b") != slug("a?b")
    assert "/" not in slug("../../etc/passwd")
    assert conversation_href("C-1", 4, from_dir="cards") == "../conversations/C-1.html#turn-4"
    assert conversation_href("C-1", from_dir="") == "conversations/C-1.html"
