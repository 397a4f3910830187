"""The agreement page of ``qareview calibrate``: ``out/calibration.html`` and ``out/calibration.csv``.

    paths = write_calibration_page(report, Path("out"))

Human notes and machine evidence are redacted like every other page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rendering import site_paths
from rendering.calibration import CalibrationReport, Evidence, Pair
from rendering.redact import Redactor
from rendering.rubric_info import find_rubric_criteria, load_rubric_info
from rendering.site_writer import csv_text, environment, render, write_text

PAGE = "calibration.html"
CSV = "calibration.csv"


def _redacted(pairs: list[Pair], redactor: Redactor, per_side: int) -> list[Pair]:
    texts = [p.human.notes for p in pairs] + [e.quote for p in pairs for e in p.evidence[:per_side]]
    clean = iter(redactor.redact_many(texts))
    notes = [next(clean) for _ in pairs]
    result = []
    for pair, note in zip(pairs, notes, strict=True):
        evidence = [Evidence(e.kind, e.polarity, e.turn, next(clean)) for e in pair.evidence[:per_side]]
        result.append(replace(pair, human=replace(pair.human, notes=note), evidence=evidence))
    return result


def pairs_csv(report: CalibrationReport) -> str:
    """Every compared pair: ids, criterion, human and machine scores on the human's scale, distance."""
    settings = report.settings
    rows = [
        [p.human.conversation_id, p.human.agent_id or "", p.human.criterion, p.human.value,
         p.machine_category(settings) if p.machine_category(settings) is not None else "not scored",
         None if p.machine_value is None else round(p.machine_value, 4), round(p.distance(settings), 4)]
        for c in report.criteria for p in c.pairs
    ]  # fmt: skip
    header = ["conversation_id", "agent_id", "criterion", "human", "machine", "machine_value", "distance"]
    return csv_text(header, rows)


def write_calibration_page(
    report: CalibrationReport, out_dir: Path, redactor: Redactor | None = None
) -> list[Path]:
    """Write the agreement page and the CSV of pairs; return their paths."""
    redactor = redactor or Redactor()
    settings = report.settings
    info = load_rubric_info(report.rubric_version, find_rubric_criteria(report.rubric_version))
    disagreements = _redacted(report.disagreements, redactor, settings.evidence_per_side)
    pages = {
        p.human.conversation_id: site_paths.conversation_path(p.human.conversation_id)
        for p in disagreements
        if (out_dir / site_paths.conversation_path(p.human.conversation_id)).exists()
    }
    html = render(
        environment(), "calibration.html.j2", report=report, disagreements=disagreements, rubric=info,
        conversation_pages=pages, csv_name=CSV, period=None, rubric_version=report.rubric_version, root="",
        has_index=(out_dir / site_paths.INDEX).exists(),
        has_report=(out_dir / site_paths.ROUTING_REPORT).exists(),
        has_run_pages=(out_dir / "runs.html").exists(),
    )  # fmt: skip
    return [write_text(out_dir / PAGE, html), write_text(out_dir / CSV, pairs_csv(report))]
