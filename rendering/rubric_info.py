"""What pages call rubric criteria and finding kinds, and how the overall score weighs criteria.

Criterion labels come from ``rendering/labels.yaml`` and, when the rubric that produced the
scores can be loaded, from the rubric itself (its titles, descriptions and weights win).
Criteria the rubric does not weigh count with weight 1. Finding-kind labels are declared by
the scorer that emits each kind (``Scorer.kinds``), so they cannot drift from the scorers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from configfile import ConfigValueError, load_yaml_config

LABELS_PATH = Path(__file__).with_name("labels.yaml")
RUBRICS_DIR = Path(__file__).resolve().parent.parent / "rubrics"
log = logging.getLogger(__name__)


def humanise(identifier: str) -> str:
    """``cold_transfer`` -> ``Cold transfer``."""
    text = identifier.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else identifier


@dataclass(frozen=True)
class CriterionInfo:
    """A rubric criterion as pages present it."""

    id: str
    label: str
    description: str = ""
    weight: float = 1.0
    position: int = 999


@dataclass(frozen=True)
class RubricInfo:
    """Labels, descriptions, weights and order of criteria, plus finding-kind labels."""

    version: str | None = None
    criteria: Mapping[str, CriterionInfo] = field(default_factory=dict)
    kind_labels: Mapping[str, str] = field(default_factory=dict)
    criterion_labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, criterion: str) -> str:
        """Display name of a criterion."""
        info = self.criteria.get(criterion)
        if info is not None:
            return info.label
        return self.criterion_labels.get(criterion) or humanise(criterion)

    def short_label(self, criterion: str) -> str:
        """A short column header: ``labels.yaml`` first, then the rubric's title."""
        return self.criterion_labels.get(criterion) or self.label(criterion)

    def description(self, criterion: str) -> str:
        """One-line description of a criterion (empty when unknown)."""
        info = self.criteria.get(criterion)
        return info.description if info else ""

    def weight(self, criterion: str) -> float:
        """Weight of a criterion in the overall score."""
        info = self.criteria.get(criterion)
        return info.weight if info else 1.0

    def order(self, criterion: str) -> int:
        """Position of a criterion in the rubric (unknown ones last)."""
        info = self.criteria.get(criterion)
        return info.position if info else 999

    def kind_label(self, kind: str) -> str:
        """Display name of a finding kind."""
        return self.kind_labels.get(kind) or humanise(kind)


class LabelsFile(BaseModel):
    """``labels.yaml``: short column headers per criterion id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria: dict[str, str] = Field(default_factory=dict)


def read_criterion_labels(path: Path = LABELS_PATH) -> dict[str, str]:
    """Criterion id -> short label (``labels.yaml``); a bad file raises ``ConfigValueError``."""
    return dict(load_yaml_config(path, LabelsFile, what="page labels", error=ConfigValueError).criteria)


def load_rubric_info(
    version: str | None = None, criteria: Mapping[str, CriterionInfo] | None = None
) -> RubricInfo:
    """Labels (``labels.yaml``, the scorers) plus the rubric criteria given (titles, weights, order)."""
    from nlp.scorers.registry import default_registry

    return RubricInfo(
        version=version,
        criteria=dict(criteria or {}),
        kind_labels=default_registry().kind_labels(),
        criterion_labels=read_criterion_labels(),
    )


def criteria_from_rubric(rubric: Any) -> dict[str, CriterionInfo]:
    """Criterion titles, descriptions, weights and order from a loaded ``nlp.rubric.Rubric``."""
    return {
        c.id: CriterionInfo(c.id, c.name, c.description, c.weight, position)
        for position, c in enumerate(rubric.criteria)
    }


def find_rubric_criteria(
    version: str | None, paths: Iterable[str | Path] | None = None
) -> dict[str, CriterionInfo]:
    """Criteria of the rubric whose ``id@version`` is ``version``, searched among rubric files.

    ``paths`` are rubric files or folders of them (default: the repository's ``rubrics/``).
    Returns an empty mapping when no readable rubric has that version: pages then fall back
    to ``labels.yaml`` and equal weights.
    """
    if version is None:
        return {}
    from nlp.rubric import RubricError, load_rubric_file

    candidates: list[Path] = []
    for entry in [Path(p) for p in (paths if paths is not None else [RUBRICS_DIR])]:
        if entry.is_dir():
            candidates += sorted(entry.glob("*.yaml")) + sorted(entry.glob("*.yml"))
        elif entry.is_file():
            candidates.append(entry)
    for path in candidates:
        try:
            rubric = load_rubric_file(path)
        except (RubricError, OSError, ValueError) as exc:
            log.debug("skipping rubric %s: %s", path, exc)
            continue
        if rubric.version == version:
            return criteria_from_rubric(rubric)
    log.info("no rubric file with version %s found; using labels.yaml and equal weights", version)
    return {}
