"""Calibration: how far the machine's scores agree with the team's own human reviewers.

A reviewer fills in a CSV (``examples/calibration/README.md`` documents it)::

    conversation_id,agent_id,criterion,human,notes
    C-1001,a-sofia,empathy,4,Acknowledged the double charge at once
    C-1001,a-sofia,self_worth,pass,

``human`` is ``pass``/``fail`` or a rating from 1 to 5. Each row is matched with the stored
machine score of the same conversation, agent and criterion (an empty ``agent_id`` means
the system-attributed score). Per criterion: the share of exact agreement, Cohen's kappa
(quadratic-weighted for 1-5 ratings, where the machine's 0-1 value is put on the same
scale) and the confusion table; across criteria, the pairs that disagree most.

    report = compare(read_human_csv(Path("human.csv")), connection)
    report.criteria[0].kappa
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field, model_validator

from configfile import ConfigValueError, load_yaml_config

SETTINGS_PATH = Path(__file__).with_name("calibration.yaml")
COLUMNS = ("conversation_id", "agent_id", "criterion", "human")
PASS_FAIL = ("fail", "pass")


class CalibrationError(ValueError):
    """The human CSV cannot be compared: every problem found, each naming its file and line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class CalibrationSettings:
    """``rendering/calibration.yaml``: the rating scale, kappa bands and how many disagreements to show."""

    scale_min: int
    scale_max: int
    kappa_bands: list[tuple[float, str]]  # (lower bound, words), highest first
    disagreements_shown: int
    evidence_per_side: int

    def band(self, kappa: float | None) -> str:
        """Landis & Koch words for a kappa (``—`` when undefined)."""
        if kappa is None:
            return "—"
        return next((words for lower, words in self.kappa_bands if kappa >= lower), self.kappa_bands[-1][1])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleSetting(_Strict):
    """The human rating scale."""

    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> ScaleSetting:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be above min ({self.min})")
        return self


class CalibrationFile(_Strict):
    """``rendering/calibration.yaml`` as written."""

    scale: ScaleSetting
    kappa_bands: dict[float, str] = Field(min_length=1)
    disagreements_shown: int = Field(ge=1)
    evidence_per_side: int = Field(ge=0)


@cache
def load_settings(path: Path = SETTINGS_PATH) -> CalibrationSettings:
    """Read the calibration settings; a bad file raises ``ConfigValueError`` (file:line: key)."""
    data = load_yaml_config(path, CalibrationFile, what="calibration settings", error=ConfigValueError)
    return CalibrationSettings(
        scale_min=data.scale.min,
        scale_max=data.scale.max,
        kappa_bands=sorted(data.kappa_bands.items(), reverse=True),
        disagreements_shown=data.disagreements_shown,
        evidence_per_side=data.evidence_per_side,
    )


@dataclass(frozen=True)
class HumanScore:
    """One row of the human CSV."""

    line: int
    conversation_id: str
    agent_id: str | None  # None: the system-attributed score
    criterion: str
    value: str | int  # "pass"/"fail" or a 1-5 rating
    notes: str = ""

    @property
    def kind(self) -> str:
        """``pass_fail`` or ``rating``."""
        return "pass_fail" if isinstance(self.value, str) else "rating"


def read_human_csv(path: Path, settings: CalibrationSettings | None = None) -> list[HumanScore]:
    """The rows of a human calibration CSV; raises :class:`CalibrationError` listing every bad row."""
    settings = settings or load_settings()
    problems: list[str] = []
    rows: list[HumanScore] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError([f"{path}: cannot be read as UTF-8 text: {exc}"]) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CalibrationError(
            [f"{path} line 1: missing column(s) {', '.join(missing)} (needs {', '.join(COLUMNS)})"]
        )
    seen: dict[tuple[str, str | None, str], int] = {}
    for line, record in enumerate(reader, start=2):
        conversation, criterion = (
            (record["conversation_id"] or "").strip(),
            (record["criterion"] or "").strip(),
        )
        agent = (record["agent_id"] or "").strip() or None
        raw = (record["human"] or "").strip().lower()
        if not conversation or not criterion or not raw:
            problems.append(f"{path} line {line}: conversation_id, criterion and human must not be empty")
            continue
        value: str | int
        if raw in PASS_FAIL:
            value = raw
        elif raw.isdigit() and settings.scale_min <= int(raw) <= settings.scale_max:
            value = int(raw)
        else:
            problems.append(
                f"{path} line {line}: human score {raw!r} is neither pass/fail nor a rating from "
                f"{settings.scale_min} to {settings.scale_max}"
            )
            continue
        key = (conversation, agent, criterion)
        if key in seen:
            problems.append(
                f"{path} line {line}: repeats line {seen[key]} ({conversation}, {agent}, {criterion})"
            )
            continue
        seen[key] = line
        rows.append(
            HumanScore(line, conversation, agent, criterion, value, (record.get("notes") or "").strip())
        )
    kinds: dict[str, set[str]] = {}
    for row in rows:
        kinds.setdefault(row.criterion, set()).add(row.kind)
    problems += [
        f"{path}: criterion {criterion} mixes pass/fail and 1-5 ratings; use one kind per criterion"
        for criterion, found in sorted(kinds.items())
        if len(found) > 1
    ]
    if problems:
        raise CalibrationError(problems)
    return rows


@dataclass(frozen=True)
class Evidence:
    """One machine finding behind a score: what it saw, where, and the words."""

    kind: str
    polarity: str
    turn: int | None
    quote: str


@dataclass(frozen=True)
class Pair:
    """A human score and the machine's for the same conversation, agent and criterion."""

    human: HumanScore
    machine_value: float | None  # 0-1; None: the machine found nothing to score
    machine_passed: bool | None
    machine_reason: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def human_category(self) -> str | int:
        """``pass``/``fail`` or the 1-5 rating."""
        return self.human.value

    def machine_category(self, settings: CalibrationSettings) -> str | int | None:
        """The machine's score on the human's scale (None when it did not score)."""
        if self.human.kind == "pass_fail":
            return None if self.machine_passed is None else ("pass" if self.machine_passed else "fail")
        if self.machine_value is None:
            return None
        span = settings.scale_max - settings.scale_min
        return settings.scale_min + math.floor(self.machine_value * span + 0.5)

    def distance(self, settings: CalibrationSettings) -> float:
        """How far apart they are, 0-1 (1: opposite ends of the scale; pass vs fail)."""
        machine = self.machine_category(settings)
        if machine is None:
            return 0.0
        if isinstance(machine, str):
            return float(machine != self.human_category)
        return abs(machine - int(self.human_category)) / (settings.scale_max - settings.scale_min)


def cohen_kappa(pairs: Sequence[tuple[Any, Any]], categories: Sequence[Any], weighted: bool) -> float | None:
    """Cohen's kappa of (rater A, rater B) pairs; quadratic weights when ``weighted``. None if undefined."""
    k, n = len(categories), len(pairs)
    if n == 0 or k < 2:
        return None
    index = {c: i for i, c in enumerate(categories)}
    observed = [[0.0] * k for _ in range(k)]
    for a, b in pairs:
        observed[index[a]][index[b]] += 1
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]

    def weight(i: int, j: int) -> float:  # disagreement weight
        return ((i - j) / (k - 1)) ** 2 if weighted else float(i != j)

    disagreement = sum(weight(i, j) * observed[i][j] for i in range(k) for j in range(k)) / n
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / (n * n)
    if expected == 0:
        return None  # both raters used one and the same category: agreement by chance alone
    return 1 - disagreement / expected


@dataclass
class CriterionAgreement:
    """Agreement on one criterion."""

    criterion: str
    kind: str  # "pass_fail" or "rating"
    categories: list[Any]
    pairs: list[Pair]
    compared: int = 0  # pairs the machine scored
    not_scored: int = 0  # the machine found nothing to score (e.g. no emotional moment)
    exact: float | None = None
    kappa: float | None = None
    band: str = "—"
    confusion: list[list[int]] = field(default_factory=list)  # rows: human, columns: machine

    @property
    def kappa_name(self) -> str:
        """Which kappa this is."""
        return "weighted κ (quadratic)" if self.kind == "rating" else "Cohen's κ"


@dataclass
class CalibrationReport:
    """Everything the agreement page shows."""

    source: str
    rubric_version: str
    criteria: list[CriterionAgreement]
    disagreements: list[Pair]
    settings: CalibrationSettings


def _machine_rows(con: duckdb.DuckDBPyConnection, version: str) -> dict[tuple[str, str | None, str], tuple]:
    """(conversation, agent or None for the system, criterion) -> (mean value, all passed, reasons)."""
    found = con.execute(
        "SELECT conversation_id, CASE WHEN attribution = 'agent' THEN agent_id END AS who, criterion, "
        "avg(value), bool_and(passed), string_agg(DISTINCT reason, '; ' ORDER BY reason) FROM scores "
        "WHERE rubric_version = ? "
        "AND ((attribution = 'agent' AND agent_id IS NOT NULL) OR attribution = 'system') GROUP BY ALL",
        [version],
    ).fetchall()
    return {(c, a, k): (v, p, r or "") for c, a, k, v, p, r in found}


def _evidence(
    con: duckdb.DuckDBPyConnection, version: str, pair_keys: list[tuple[str, str | None, str]]
) -> dict[tuple[str, str | None, str], list[Evidence]]:
    found = con.execute(
        "SELECT conversation_id, CASE WHEN attribution = 'agent' THEN agent_id END, criterion, kind, "
        "polarity, turn, quote FROM findings WHERE rubric_version = ? "
        "AND ((attribution = 'agent' AND agent_id IS NOT NULL) OR attribution = 'system') "
        "ORDER BY conversation_id, seq",
        [version],
    ).fetchall()
    wanted = set(pair_keys)
    evidence: dict[tuple[str, str | None, str], list[Evidence]] = {}
    for conversation, agent, criterion, kind, polarity, turn, quote in found:
        key = (conversation, agent, criterion)
        if key in wanted:
            evidence.setdefault(key, []).append(Evidence(kind, polarity, turn, quote or ""))
    return evidence


def rubric_version_of(con: duckdb.DuckDBPyConnection, requested: str | None) -> str:
    """The rubric version to compare with: ``requested``, else the most used one in the store."""
    sql = "SELECT rubric_version FROM scores GROUP BY 1 ORDER BY count(*) DESC, 1 DESC"
    versions = [v for (v,) in con.execute(sql).fetchall()]
    if not versions:
        raise CalibrationError(["the store has no machine scores yet: run `qareview run` first"])
    if requested is None:
        return versions[0]
    if requested not in versions:
        raise CalibrationError(
            [f"rubric version {requested} has no scores; the store has {', '.join(versions)}"]
        )
    return requested


def compare(
    rows: list[HumanScore],
    con: duckdb.DuckDBPyConnection,
    source: str,
    rubric_version: str | None = None,
    settings: CalibrationSettings | None = None,
) -> CalibrationReport:
    """Match every human row with the machine's score and compute the agreement per criterion."""
    settings = settings or load_settings()
    version = rubric_version_of(con, rubric_version)
    machine = _machine_rows(con, version)
    known = {c for (c,) in con.execute("SELECT id FROM conversations").fetchall()}
    criteria_known = sorted({k for (_, _, k) in machine})
    problems = []
    for row in rows:
        key = (row.conversation_id, row.agent_id, row.criterion)
        if row.conversation_id not in known:
            problems.append(
                f"{source} line {row.line}: conversation {row.conversation_id} is not in the store"
            )
        elif row.criterion not in criteria_known:
            problems.append(
                f"{source} line {row.line}: unknown criterion {row.criterion!r} "
                f"(known: {', '.join(criteria_known)})"
            )
        elif key not in machine:
            who = f"agent {row.agent_id}" if row.agent_id else "the system (empty agent_id)"
            problems.append(
                f"{source} line {row.line}: the machine has no {row.criterion} score for {who} in "
                f"{row.conversation_id}"
            )
    if problems:
        raise CalibrationError(problems)
    keys = [(r.conversation_id, r.agent_id, r.criterion) for r in rows]
    evidence = _evidence(con, version, keys)
    pairs = [Pair(r, *machine[k], evidence.get(k, [])) for r, k in zip(rows, keys, strict=True)]
    by_criterion: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_criterion.setdefault(pair.human.criterion, []).append(pair)
    agreements = [_agreement(c, ps, settings) for c, ps in sorted(by_criterion.items())]
    disagreeing = [p for p in pairs if p.distance(settings) > 0]
    disagreeing.sort(key=lambda p: (-p.distance(settings), p.human.criterion, p.human.conversation_id))
    return CalibrationReport(
        source, version, agreements, disagreeing[: settings.disagreements_shown], settings
    )


def _agreement(criterion: str, pairs: list[Pair], settings: CalibrationSettings) -> CriterionAgreement:
    kind = pairs[0].human.kind
    categories: list[Any] = (
        list(PASS_FAIL) if kind == "pass_fail" else list(range(settings.scale_min, settings.scale_max + 1))
    )
    result = CriterionAgreement(criterion, kind, categories, pairs)
    scored = [(p.human_category, p.machine_category(settings)) for p in pairs]
    compared = [(h, m) for h, m in scored if m is not None]
    result.compared, result.not_scored = len(compared), len(scored) - len(compared)
    index = {c: i for i, c in enumerate(categories)}
    result.confusion = [[0] * len(categories) for _ in categories]
    for human, machine in compared:
        result.confusion[index[human]][index[machine]] += 1
    if compared:
        result.exact = sum(h == m for h, m in compared) / len(compared)
        result.kappa = cohen_kappa(compared, categories, weighted=kind == "rating")
        result.band = settings.band(result.kappa)
    return result
