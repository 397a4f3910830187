"""Rubrics: the YAML files QA teams edit, validated into typed criteria with compiled-ready patterns.

This module loads, merges and validates rubric files; the model they load into is in
``nlp.rubric_model``, pattern files in ``nlp.patterns`` and scorer parameters in
``nlp.scorers.params`` (imports run one way: rubric -> registry -> scorers -> patterns).
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

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from configfile import (
    ConfigFileError,
    ConfigProblem,
    Located,
    parse_yaml,
    problem_message,
    validation_problems,
)
from nlp.patterns import PatternEntry, PatternFile, PatternSet, load_pattern_file
from nlp.rubric_model import Criterion, CriterionSpec, Rubric, RubricFileSpec, RubricIdentity
from nlp.scorers.params import ScorerParams, pattern_fields

if TYPE_CHECKING:
    from nlp.scorers.registry import ScorerRegistry

__all__ = [  # the rubric's public names, wherever they are defined
    "Criterion",
    "PatternEntry",
    "PatternFile",
    "PatternSet",
    "Rubric",
    "RubricError",
    "RubricIdentity",
    "RubricProblem",
    "RubricValidationError",
    "ScorerParams",
    "load_pattern_file",
    "load_rubric_file",
    "pattern_fields",
]

RubricProblem = ConfigProblem
"""One thing wrong with a rubric or pattern file, and where."""


class RubricError(ConfigFileError):
    """The rubric's author got something wrong (distinct from bad transcripts and from findings)."""


class RubricValidationError(RubricError):
    """A rubric failed to load; ``problems`` lists every problem found, each with file and line."""


def _overridden_by(base: Located, other: Located) -> Located:
    """The criterion ``base`` with ``other``'s keys replacing its own (params/suggestions per key)."""
    data = dict(base.data)
    marks = dict(base.marks)
    for key, value in other.data.items():
        nested = (
            key in ("params", "suggestions") and isinstance(value, dict) and isinstance(data.get(key), dict)
        )
        if nested:
            data[key] = {**data[key], **value}
        else:
            data[key] = value
            marks = {loc: m for loc, m in marks.items() if loc[:1] != (key,)}
    marks.update(other.marks)  # the override's own position becomes the criterion's
    return Located(data, marks)


# --- loading ------------------------------------------------------------------------------------


@dataclass
class _Layer:
    path: Path
    spec: RubricFileSpec
    located: Located


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
    located = parse_yaml(path, problems, "rubric file")
    if located is None:
        return []
    if not isinstance(located.data, dict):
        problems.append(
            RubricProblem(str(path), 1, "expected a mapping with 'rubric' and 'criteria' at the top")
        )
        return []
    try:
        spec = RubricFileSpec.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, located))
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
        info = RubricIdentity.model_validate(data.get("rubric"))
    except ValidationError:
        info = RubricIdentity(id="invalid", version="0", name="invalid")
    criteria = data.get("criteria")
    disable = data.get("disable")
    extends = data.get("extends")
    return RubricFileSpec.model_construct(
        rubric=info,
        extends=extends if isinstance(extends, str) else None,
        criteria=criteria if isinstance(criteria, list) else [],
        disable=[d for d in disable if isinstance(d, str)] if isinstance(disable, list) else [],
    )


def _merge_criteria(layers: list[_Layer], problems: list[RubricProblem]) -> list[Located]:
    merged: dict[str, Located] = {}
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
                _overridden_by(merged[criterion_id], entry) if criterion_id in merged else entry
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
    source: Located, registry: ScorerRegistry, problems: list[RubricProblem]
) -> Criterion | None:
    criterion_id = source.data.get("id")
    label = f"criterion {criterion_id!r}"
    spec: CriterionSpec | None = None
    try:
        spec = CriterionSpec.model_validate(source.data)
    except ValidationError as exc:
        for err in exc.errors():
            file, line = source.where(tuple(err["loc"]))
            problems.append(RubricProblem(file, line, f"{label}: {problem_message(err)}"))
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
            problems.append(RubricProblem(file, line, f"{label}: {problem_message(err, ('params',))}"))
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
