"""Read a YAML configuration file with the line of every key, and validate it into a pydantic model.

:func:`load_yaml_config` is what each configuration module calls; :func:`parse_yaml` and
:func:`validation_problems` are its parts, for loaders that merge several files (rubrics).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, RootModel, ValidationError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration file, and where: ``file:line: key: what is wrong``."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class ConfigFileError(Exception):
    """A configuration file failed to load; ``problems`` lists every problem, one per message line.

    The author of a file got something wrong: a family of its own, apart from bad transcripts
    (quarantined) and findings about the contact centre.
    """

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid configuration file")


class ConfigValueError(ConfigFileError, ValueError):
    """A :class:`ConfigFileError` that is also a ``ValueError``, for files whose callers catch one."""


@dataclass
class Located:
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

    def child(self, key: str | int) -> Located:
        """The located value under ``key`` (marks re-rooted)."""
        marks = {loc[1:]: mark for loc, mark in self.marks.items() if loc[:1] == (key,)}
        return Located(self.data[key], marks)


def parse_yaml(path: Path, problems: list[ConfigProblem], what: str = "configuration file") -> Located | None:
    """The YAML document in ``path`` with its marks; None (and a problem) when unreadable or not YAML.

    An empty document is an empty mapping. A key written twice in one mapping is a problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ConfigProblem(str(path), None, f"cannot read {what}: {exc}"))
        return None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.append(ConfigProblem(str(path), line, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    finally:
        loader.dispose()
    marks: dict[Loc, tuple[str, int]] = {(): (str(path), 1)}
    if node is None:
        return Located({}, marks)
    _collect_marks(node, (), str(path), marks, problems)
    return Located(data, marks)


def _collect_marks(
    node: yaml.Node, loc: Loc, file: str, marks: dict[Loc, tuple[str, int]], problems: list[ConfigProblem]
) -> None:
    marks[loc] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(
                    ConfigProblem(file, key_node.start_mark.line + 1, f"{dotted((*loc, key))}: duplicate key")
                )
            seen.add(key)
            _collect_marks(value_node, (*loc, _key(key_node)), file, marks, problems)
            marks[(*loc, _key(key_node))] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, (*loc, index), file, marks, problems)


def _key(node: yaml.Node) -> str | int:
    """A mapping key as pydantic reports it in an error location (plain integers stay integers)."""
    value = node.value
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        try:
            return int(value)
        except ValueError:
            return str(value)
    return str(value)


def dotted(loc: Loc) -> str:
    """``("criteria", 0, "params", "x")`` -> ``criteria[0].params.x``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def problem_message(err: Mapping[str, Any], prefix: Loc = ()) -> str:
    """``key: what is wrong`` for one pydantic error (``prefix`` is where the validated value sits)."""
    loc = (*prefix, *(p for p in err.get("loc", ()) if p != "[key]"))
    kind = err.get("type")
    if kind == "extra_forbidden":
        message = "unknown key (not allowed here)"
    elif kind == "missing":
        message = "required key is missing"
    else:
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        value = err.get("input")
        if isinstance(value, str | int | float | bool):
            message += f" (got {value!r})"
    return f"{dotted(loc)}: {message}" if loc else message


def validation_problems(exc: ValidationError, located: Located, prefix: Loc = ()) -> list[ConfigProblem]:
    """Each error of ``exc`` as a problem at the line of the key it is about."""
    problems = []
    for err in exc.errors():
        loc = (*prefix, *(p for p in err["loc"] if p != "[key]"))
        file, line = located.where(loc)
        problems.append(ConfigProblem(file, line, problem_message(err, prefix)))
    return problems


def load_yaml_config(
    path: str | Path,
    model: type[M],
    *,
    what: str = "configuration file",
    error: type[ConfigFileError] = ConfigFileError,
    context: dict[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> M:
    """Read ``path`` and validate it as ``model``; raises ``error`` listing every problem.

    ``what`` names the file in messages ("cannot read settings"); ``extra`` adds keys the file
    does not hold (e.g. its own path); ``context`` is passed to pydantic validators.
    """
    source = Path(path)
    problems: list[ConfigProblem] = []
    located = parse_yaml(source, problems, what)
    if located is None:
        raise error(problems)
    data = located.data
    if not issubclass(model, RootModel) and not isinstance(data, dict):
        problems.append(
            ConfigProblem(
                str(source),
                located.where(())[1],
                f"expected a mapping of keys at the top level (got {type(data).__name__})",
            )  # fmt: skip
        )
        raise error(problems)
    if extra:
        data = {**data, **extra}
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, located))
        result = None
    if problems:
        raise error(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    assert result is not None
    return result
