"""Pattern files: spaCy-style JSONL phrase lists that rubrics and settings name by path.

One JSON object per line, ``{"label", "id", "pattern"}`` or ``{"label", "id", "exemplar"}``;
blank lines and lines starting with ``//`` are skipped::

    patterns = read_pattern_file("rubrics/patterns/empathy_responses.jsonl")
    patterns.labels          # {"ACKNOWLEDGE", ...}

Every problem names the file and line (``ConfigProblem``); this module depends on nothing else
in ``nlp`` so that scorers and rubrics can both build on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, ValidationInfo

from configfile import ConfigFileError, ConfigProblem, problem_message

if TYPE_CHECKING:
    from spacy.matcher import DependencyMatcher, Matcher

Unless = Literal["negated", "question", "yours", "thanked", "offered", "received", "by_us", "relieved"]


class PatternEntry(BaseModel):
    """One line of a pattern file: a spaCy pattern or an exemplar sentence, under a label.

    ``pattern`` is a phrase (string, matched case-insensitively token by token), a token
    pattern (list of token dicts, spaCy ``Matcher``) or a dependency pattern (list of
    ``RIGHT_ID``/``LEFT_ID`` dicts, spaCy ``DependencyMatcher``). ``exemplar`` is a sentence
    for semantic matching. ``unless`` drops a match that is negated ("I'm not saying you're
    wrong"), sits in a question, names something the customer already has ("your ticket"), is
    what a thank-you is for ("Thanks for your concern") or is only offered ("I can escalate").
    ``slot`` names what a match is about (e.g. ``email``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    id: str | None = None
    pattern: str | list[dict[str, Any]] | None = None
    exemplar: str | None = Field(None, min_length=1)
    unless: tuple[Unless, ...] = ()
    slot: str | None = None
    line: int = Field(0, exclude=True, description="Line in the pattern file (filled by the loader).")

    @property
    def kind(self) -> Literal["phrase", "token", "dependency", "exemplar"]:
        """Which matcher handles this entry."""
        if self.exemplar is not None:
            return "exemplar"
        if isinstance(self.pattern, str):
            return "phrase"
        if self.pattern and "RIGHT_ID" in self.pattern[0]:
            return "dependency"
        return "token"

    @property
    def rule(self) -> str:
        """The id reported as evidence: the entry's id, else label and line."""
        return self.id or f"{self.label}@{self.line}"


@dataclass(frozen=True, eq=False)
class PatternSet:
    """The valid entries of one pattern file (compiled per spaCy vocab by the scorers)."""

    path: str
    entries: tuple[PatternEntry, ...]

    @property
    def labels(self) -> set[str]:
        """Every label used in the file."""
        return {e.label for e in self.entries}

    def matcher_entries(self) -> list[PatternEntry]:
        """Entries matched on parsed text (everything but exemplars)."""
        return [e for e in self.entries if e.kind != "exemplar"]

    def exemplars(self) -> list[PatternEntry]:
        """Exemplar sentences for semantic matching."""
        return [e for e in self.entries if e.kind == "exemplar"]


def load_pattern_file(path: str | Path) -> tuple[PatternSet, list[ConfigProblem]]:
    """Read and validate a JSONL pattern file; returns its valid entries and every problem.

    Token and dependency patterns are checked by spaCy's own validators, so a typo such as
    ``{"LOWERR": "you"}`` is reported with the file and line it is on.
    """
    from spacy.matcher import DependencyMatcher, Matcher
    from spacy.vocab import Vocab

    source = Path(path)
    problems: list[ConfigProblem] = []
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return PatternSet(str(source), ()), [
            ConfigProblem(str(source), None, f"cannot read pattern file: {exc}")
        ]
    vocab = Vocab()
    matcher = Matcher(vocab, validate=True)
    dep_matcher = DependencyMatcher(vocab, validate=True)
    entries: list[PatternEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        problem = _entry_problem(raw, number, matcher, dep_matcher)
        if isinstance(problem, str):
            problems.append(ConfigProblem(str(source), number, problem))
        else:
            entries.append(problem)
    if not entries and not problems:
        problems.append(ConfigProblem(str(source), None, "pattern file has no entries"))
    return PatternSet(str(source), tuple(entries)), problems


def read_pattern_file(path: str | Path) -> PatternSet:
    """The entries of a pattern file; raises :class:`ConfigFileError` listing every problem."""
    pattern_set, problems = load_pattern_file(path)
    if problems:
        raise ConfigFileError(problems)
    return pattern_set


def _entry_problem(
    raw: str, number: int, matcher: Matcher, dep_matcher: DependencyMatcher
) -> PatternEntry | str:
    from spacy.errors import MatchPatternError

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return 'expected an object like {"label": ..., "id": ..., "pattern": [...]}'
    try:
        entry = PatternEntry.model_validate({**data, "line": number})
    except ValidationError as exc:
        return "; ".join(problem_message(err) for err in exc.errors())
    if (entry.pattern is None) == (entry.exemplar is None):
        return f"entry {entry.rule!r} needs exactly one of 'pattern' or 'exemplar'"
    if entry.kind == "phrase" and not str(entry.pattern).strip():
        return f"entry {entry.rule!r} has an empty phrase"
    if entry.kind in ("token", "dependency") and not entry.pattern:
        return f"entry {entry.rule!r} has an empty pattern"
    try:
        if entry.kind == "token":
            matcher.add(f"line{number}", [entry.pattern])
        elif entry.kind == "dependency":
            dep_matcher.add(f"line{number}", [entry.pattern])
    except MatchPatternError as exc:
        details = [ln.strip("- ").strip() for ln in str(exc).splitlines() if ln.strip().startswith("- [")]
        return f"invalid token pattern {entry.rule!r}: {'; '.join(details) or exc}"
    except (ValueError, KeyError, TypeError) as exc:
        return f"invalid dependency pattern {entry.rule!r}: {exc}"
    return entry


def _pattern_set_from_path(value: Any, info: ValidationInfo) -> PatternSet:
    if isinstance(value, PatternSet):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected the path of a JSONL pattern file, e.g. patterns/empathy.jsonl")
    context = info.context if isinstance(info.context, dict) else {}
    path = Path(value)
    if not path.is_absolute():
        path = Path(context.get("base_dir", ".")) / path
    if not path.is_file():
        raise ValueError(f"pattern file not found: {path}")
    pattern_set, problems = load_pattern_file(path)
    sink = context.get("problems")
    if sink is None and problems:
        raise ValueError("; ".join(str(p) for p in problems))
    if sink is not None:
        sink.extend(problems)
    return pattern_set


PatternFile = Annotated[PatternSet, PlainValidator(_pattern_set_from_path)]
"""Type of a parameter naming a pattern file; validation reads and checks the file."""
