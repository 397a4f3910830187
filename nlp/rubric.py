"""Rubrics: the YAML files QA teams edit, validated into typed criteria with compiled-ready patterns.

A rubric names its criteria; each criterion names a registered scorer (``empathy.v1``), a
weight, a threshold, who is accountable by default (agent or system), scorer parameters and
better phrasings per finding kind. Phrase lists live in spaCy-style JSONL pattern files
(``{"label", "id", "pattern"}`` or ``{"label", "id", "exemplar"}``) referenced by path::

    rubric = load_rubric_file("rubrics/default.yaml")
    rubric.version                     # "default@1.0.0", stored with every score
    rubric.criterion("empathy").params.response_similarity

A team file says ``extends: default.yaml`` and lists criteria: an entry whose id exists in
the base overrides the keys it gives (``params`` and ``suggestions`` key by key); a new id
adds a criterion; ``disable: [id]`` drops one. Everything wrong with a rubric — YAML syntax,
unknown keys, wrong types, unknown scorers, invalid spaCy patterns — is collected and raised
at once as :class:`RubricValidationError`, each problem naming its file and line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, ValidationInfo
from spacy.errors import MatchPatternError
from spacy.matcher import DependencyMatcher, Matcher
from spacy.vocab import Vocab

from nlp.findings import Attribution

if TYPE_CHECKING:
    from nlp.scorers.registry import ScorerRegistry

Loc = tuple[str | int, ...]


# --- errors -------------------------------------------------------------------------------------


class RubricError(Exception):
    """The rubric's author got something wrong (distinct from bad transcripts and from findings)."""


@dataclass(frozen=True)
class RubricProblem:
    """One thing wrong with a rubric or pattern file, and where."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class RubricValidationError(RubricError):
    """A rubric failed to load; ``problems`` lists every problem found, each with file and line."""

    def __init__(self, problems: list[RubricProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid rubric ({count} problem{'s' if count != 1 else ''}):\n{lines}")


# --- pattern files ------------------------------------------------------------------------------

Unless = Literal["negated", "question"]


class PatternEntry(BaseModel):
    """One line of a pattern file: a spaCy pattern or an exemplar sentence, under a label.

    ``pattern`` is a phrase (string, matched case-insensitively token by token), a token
    pattern (list of token dicts, spaCy ``Matcher``) or a dependency pattern (list of
    ``RIGHT_ID``/``LEFT_ID`` dicts, spaCy ``DependencyMatcher``). ``exemplar`` is a sentence
    for semantic matching. ``unless`` drops a match that is negated ("I'm not saying you're
    wrong") or sits in a question. ``slot`` names what a match is about (e.g. ``email``).
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


def load_pattern_file(path: str | Path) -> tuple[PatternSet, list[RubricProblem]]:
    """Read and validate a JSONL pattern file; returns its valid entries and every problem.

    One JSON object per line; blank lines and lines starting with ``//`` (comments) are skipped.

    Token and dependency patterns are checked by spaCy's own validators, so a typo such as
    ``{"LOWERR": "you"}`` is reported with the file and line it is on.
    """
    source = Path(path)
    problems: list[RubricProblem] = []
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return PatternSet(str(source), ()), [
            RubricProblem(str(source), None, f"cannot read pattern file: {exc}")
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
            problems.append(RubricProblem(str(source), number, problem))
        else:
            entries.append(problem)
    if not entries and not problems:
        problems.append(RubricProblem(str(source), None, "pattern file has no entries"))
    return PatternSet(str(source), tuple(entries)), problems


def _entry_problem(
    raw: str, number: int, matcher: Matcher, dep_matcher: DependencyMatcher
) -> PatternEntry | str:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return 'expected an object like {"label": ..., "id": ..., "pattern": [...]}'
    try:
        entry = PatternEntry.model_validate({**data, "line": number})
    except ValidationError as exc:
        return "; ".join(_pydantic_message(err) for err in exc.errors())
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
"""Type of a scorer parameter naming a pattern file; the loader reads and validates it."""


class ScorerParams(BaseModel):
    """Base of every scorer's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def suggestion_variants(self) -> frozenset[str]:
        """Variants a ``suggestions`` key may name after its kind (``kind/variant``); none by default."""
        return frozenset()


def pattern_fields(params_model: type[BaseModel]) -> list[str]:
    """Names of the parameters of ``params_model`` that are pattern files."""
    return [name for name, f in params_model.model_fields.items() if f.annotation is PatternSet]


# --- the rubric model ---------------------------------------------------------------------------


class RubricInfo(BaseModel):
    """Who the rubric is and which version: ``id@version`` is stored with every score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    version: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = ""


class CriterionSpec(BaseModel):
    """A criterion as written in YAML (parameters checked afterwards against its scorer)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str = ""
    scorer: str
    weight: float = Field(1.0, ge=0.0)
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    attribution: Attribution = Attribution.AGENT
    params: dict[str, Any] = Field(default_factory=dict)
    suggestions: dict[str, str] = Field(default_factory=dict)


class RubricFileSpec(BaseModel):
    """The top level of a rubric file."""

    model_config = ConfigDict(extra="forbid")

    rubric: RubricInfo
    extends: str | None = None
    criteria: list[dict[str, Any]] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Criterion:
    """A validated criterion: its scorer exists and its parameters fit that scorer.

    ``attribution`` is the default for the criterion's findings; a scorer may tag single
    findings otherwise (e.g. a missing transfer hand-off is the agent's in a system criterion).
    """

    id: str
    name: str
    description: str
    scorer: str
    weight: float
    threshold: float | None
    attribution: Attribution
    params: Any  # the scorer's ScorerParams subclass instance
    suggestions: Mapping[str, str]
    source: str  # file:line where the criterion was (last) defined

    def suggestion(self, kind: str, variant: str | None = None) -> str | None:
        """The rubric's better phrasing for a finding kind (``kind/variant`` first), if it has one."""
        if variant is not None and f"{kind}/{variant}" in self.suggestions:
            return self.suggestions[f"{kind}/{variant}"]
        return self.suggestions.get(kind)


@dataclass(eq=False)
class Rubric:
    """A loaded rubric: its identity, its enabled criteria in order, and where it came from."""

    info: RubricInfo
    criteria: tuple[Criterion, ...]
    source: str
    extends: tuple[str, ...] = ()  # versions of the rubrics it builds on, nearest first
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # compiled patterns, per process

    @property
    def version(self) -> str:
        """``id@version``: what every stored score records."""
        return f"{self.info.id}@{self.info.version}"

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; an unknown id lists the valid ones."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        valid = ", ".join(c.id for c in self.criteria)
        raise KeyError(f"rubric {self.version} has no criterion {criterion_id!r}; criteria: {valid}")

    def __iter__(self) -> Iterator[Criterion]:
        return iter(self.criteria)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["cache"] = {}  # compiled matchers and encoders stay in the process that built them
        return state


# --- YAML with line numbers ---------------------------------------------------------------------


@dataclass
class _Located:
    """A YAML value plus the file and line each nested key or item was written on."""

    data: Any
    marks: dict[Loc, tuple[str, int]]

    def where(self, loc: Loc) -> tuple[str, int | None]:
        """File and line of the deepest written part of ``loc``."""
        for cut in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:cut]))
            if mark is not None:
                return mark
        return ("<unknown>", None)

    def child(self, key: str | int) -> _Located:
        """The located value under ``key`` (marks re-rooted)."""
        marks = {loc[1:]: mark for loc, mark in self.marks.items() if loc[:1] == (key,)}
        return _Located(self.data[key], marks)

    def overridden_by(self, other: _Located) -> _Located:
        """The criterion with ``other``'s keys replacing its own (params/suggestions per key)."""
        data = dict(self.data)
        marks = dict(self.marks)
        for key, value in other.data.items():
            nested = (
                key in ("params", "suggestions")
                and isinstance(value, dict)
                and isinstance(data.get(key), dict)
            )
            if nested:
                data[key] = {**data[key], **value}
            else:
                data[key] = value
                marks = {loc: m for loc, m in marks.items() if loc[:1] != (key,)}
        marks.update(other.marks)  # the override's own position becomes the criterion's
        return _Located(data, marks)


def _parse_yaml(path: Path, problems: list[RubricProblem]) -> _Located | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(RubricProblem(str(path), None, f"cannot read rubric file: {exc}"))
        return None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(RubricProblem(str(path), line, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        problems.append(
            RubricProblem(str(path), 1, "expected a mapping with 'rubric' and 'criteria' at the top")
        )
        return None
    marks: dict[Loc, tuple[str, int]] = {}
    _collect_marks(node, (), str(path), marks, problems)
    return _Located(data, marks)


def _collect_marks(
    node: yaml.Node, loc: Loc, file: str, marks: dict[Loc, tuple[str, int]], problems: list[RubricProblem]
) -> None:
    marks[loc] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(RubricProblem(file, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            seen.add(key)
            _collect_marks(value_node, (*loc, key), file, marks, problems)
            marks[(*loc, key)] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, (*loc, index), file, marks, problems)


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pydantic_message(err: Mapping[str, Any], prefix: Loc = ()) -> str:
    loc = (*prefix, *(p for p in err.get("loc", ()) if p != "line"))
    message = str(err.get("msg", "invalid value"))
    if err.get("type") == "extra_forbidden":
        message = "unknown key (not allowed here)"
    elif err.get("type") == "missing":
        message = "required key is missing"
    value = err.get("input")
    if err.get("type") not in ("missing", "extra_forbidden") and isinstance(value, str | int | float | bool):
        message += f" (got {value!r})"
    return f"{_dotted(loc)}: {message}" if loc else message


# --- loading ------------------------------------------------------------------------------------


@dataclass
class _Layer:
    path: Path
    spec: RubricFileSpec
    located: _Located


def load_rubric_file(path: str | Path, registry: ScorerRegistry | None = None) -> Rubric:
    """Load, merge (``extends``) and validate a rubric; every problem is raised at once.

    Raises :class:`RubricValidationError` listing each problem as ``file:line: what``.
    """
    if registry is None:
        from nlp.scorers.registry import default_registry

        registry = default_registry()
    problems: list[RubricProblem] = []
    layers = _load_layers(Path(path), problems, [])
    if not layers:
        raise RubricValidationError(problems)
    sources = _merge_criteria(layers, problems)
    criteria = [c for c in (_build_criterion(s, registry, problems) for s in sources) if c is not None]
    if problems:
        raise RubricValidationError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    top = layers[-1]
    return Rubric(
        info=top.spec.rubric,
        criteria=tuple(criteria),
        source=str(top.path),
        extends=tuple(
            f"{layer.spec.rubric.id}@{layer.spec.rubric.version}" for layer in reversed(layers[:-1])
        ),
    )


def _load_layers(path: Path, problems: list[RubricProblem], chain: list[Path]) -> list[_Layer]:
    """The rubric at ``path`` and the files it extends, base first."""
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        problems.append(RubricProblem(str(path), None, f"rubrics extend each other in a cycle: {cycle}"))
        return []
    located = _parse_yaml(path, problems)
    if located is None:
        return []
    try:
        spec = RubricFileSpec.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            file, line = located.where(tuple(err["loc"]))
            problems.append(RubricProblem(file, line, _pydantic_message(err)))
        spec = _salvage(located.data)  # keep going: report the criteria's problems too
    layers: list[_Layer] = []
    if spec.extends:
        base = Path(spec.extends)
        if not base.is_absolute():
            base = path.parent / base
        if not base.is_file():
            file, line = located.where(("extends",))
            problems.append(RubricProblem(file, line, f"extends: rubric file not found: {base}"))
            return []
        layers = _load_layers(base, problems, [*chain, resolved])
        if not layers:
            return []
    return [*layers, _Layer(path, spec, located)]


def _salvage(data: dict[str, Any]) -> RubricFileSpec:
    """What can still be checked of a file whose top level is invalid (its load fails anyway)."""
    try:
        info = RubricInfo.model_validate(data.get("rubric"))
    except ValidationError:
        info = RubricInfo(id="invalid", version="0", name="invalid")
    criteria = data.get("criteria")
    disable = data.get("disable")
    extends = data.get("extends")
    return RubricFileSpec.model_construct(
        rubric=info,
        extends=extends if isinstance(extends, str) else None,
        criteria=criteria if isinstance(criteria, list) else [],
        disable=[d for d in disable if isinstance(d, str)] if isinstance(disable, list) else [],
    )


def _merge_criteria(layers: list[_Layer], problems: list[RubricProblem]) -> list[_Located]:
    merged: dict[str, _Located] = {}
    for layer in layers:
        seen_here: set[str] = set()
        criteria = layer.located.child("criteria") if "criteria" in layer.located.data else None
        for index, _ in enumerate(layer.spec.criteria):
            assert criteria is not None
            entry = criteria.child(index)
            if not isinstance(entry.data, dict):
                continue  # already reported: criteria entries must be mappings
            criterion_id = entry.data.get("id")
            if not isinstance(criterion_id, str):
                file, line = entry.where(())
                problems.append(
                    RubricProblem(file, line, f"criteria[{index}]: every criterion needs an 'id'")
                )
                continue
            if criterion_id in seen_here:
                file, line = entry.where(("id",))
                problems.append(
                    RubricProblem(file, line, f"criterion {criterion_id!r} is defined twice in this file")
                )
                continue
            seen_here.add(criterion_id)
            merged[criterion_id] = (
                merged[criterion_id].overridden_by(entry) if criterion_id in merged else entry
            )
        for index, criterion_id in enumerate(layer.spec.disable):
            if merged.pop(criterion_id, None) is None:
                file, line = layer.located.where(("disable", index))
                valid = ", ".join(merged) or "(none)"
                problems.append(
                    RubricProblem(file, line, f"disable: no criterion {criterion_id!r}; criteria: {valid}")
                )
    return list(merged.values())


def _build_criterion(
    source: _Located, registry: ScorerRegistry, problems: list[RubricProblem]
) -> Criterion | None:
    criterion_id = source.data.get("id")
    label = f"criterion {criterion_id!r}"
    spec: CriterionSpec | None = None
    try:
        spec = CriterionSpec.model_validate(source.data)
    except ValidationError as exc:
        for err in exc.errors():
            file, line = source.where(tuple(err["loc"]))
            problems.append(RubricProblem(file, line, f"{label}: {_pydantic_message(err)}"))
    scorer_name = source.data.get("scorer")
    if not isinstance(scorer_name, str):
        return None
    scorer = registry.find(scorer_name)
    if scorer is None:
        file, line = source.where(("scorer",))
        valid = ", ".join(registry.names())
        problems.append(
            RubricProblem(file, line, f"{label}: unknown scorer {scorer_name!r}; valid scorers: {valid}")
        )
        return None
    raw_params = source.data.get("params", {})
    raw_suggestions = source.data.get("suggestions", {})
    if not isinstance(raw_params, dict) or not isinstance(raw_suggestions, dict):
        return None  # reported above by the criterion model
    params = dict(raw_params)
    for name in pattern_fields(scorer.params):
        value = params.get(name)
        if isinstance(value, str) and not Path(value).is_absolute():
            file, _ = source.where(("params", name))
            params[name] = os.path.normpath(Path(file).parent / value)
    file_problems: list[RubricProblem] = []
    try:
        validated = scorer.params.model_validate(params, context={"problems": file_problems})
    except ValidationError as exc:
        for err in exc.errors():
            file, line = source.where(("params", *err["loc"]))
            problems.append(RubricProblem(file, line, f"{label}: {_pydantic_message(err, ('params',))}"))
        validated = None
    problems.extend(file_problems)
    for key in raw_suggestions:
        kind, _, variant = str(key).partition("/")
        file, line = source.where(("suggestions", key))
        if kind not in scorer.kinds:
            kinds = ", ".join(sorted(scorer.kinds))
            problems.append(
                RubricProblem(
                    file,
                    line,
                    f"{label}: suggestions: {scorer_name} has no finding kind {kind!r}; kinds: {kinds}",
                )
            )
        elif variant and validated is not None and variant not in validated.suggestion_variants():
            variants = ", ".join(sorted(validated.suggestion_variants())) or "none"
            problems.append(
                RubricProblem(
                    file,
                    line,
                    f"{label}: suggestions: {key!r} names variant {variant!r}, which {scorer_name} "
                    f"does not define with these params; variants: {variants}",
                )
            )
    if spec is None or validated is None or file_problems:
        return None
    file, line = source.where(())
    return Criterion(
        id=spec.id,
        name=spec.name,
        description=spec.description,
        scorer=spec.scorer,
        weight=spec.weight,
        threshold=spec.threshold,
        attribution=spec.attribution,
        params=validated,
        suggestions=dict(spec.suggestions),
        source=f"{file}:{line}",
    )
