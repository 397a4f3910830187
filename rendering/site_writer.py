"""Turn cards, the report and conversation pages into files: HTML, Markdown, JSON and CSV.

HTML pages are self-contained: the one stylesheet (``templates/style.css``) and the optional
table-sorting script are inlined, charts are inline SVG, nothing is fetched from a network.
CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR, their
full-width forms, after any leading spaces) are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from rendering import site_paths, svg_charts

TEMPLATES = Path(__file__).with_name("templates")
_FORMULA_START = frozenset("=+-@\t\r")
_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})
GENERATED_AT = "\u2063qareview-generated-at\u2063"
"""Stands for the "Generated" time in rendered text until the page is written (``generated_now``).

A page rendered with it is the same text whenever its inputs are the same, so its hash tells
whether the page changed (``rendering.page_ledger``). Templates never emit U+2063 (an invisible
separator); only a stored text holding this exact sequence could be mistaken for it.
"""


def pct(value: float | None, digits: int = 0) -> str:
    """``0.734`` -> ``73%``; None -> ``—``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def num(value: Any) -> str:
    """Integers without decimals, other numbers with at most two; None -> ``—``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def when(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A timestamp for people (UTC as stored)."""
    if value is None:
        return ""
    return value.strftime(fmt)


def md(value: Any) -> str:
    """Text safe inside Markdown: special characters escaped, newlines folded."""
    if value is None:
        return ""
    return " ".join(str(value).split()).translate(_MD_SPECIAL)


def environment() -> Environment:
    """The Jinja2 environment with the filters and chart helpers every template uses."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, num=num, when=when, md=md)
    env.globals.update(
        sparkline=svg_charts.sparkline,
        trend_chart=svg_charts.trend_chart,
        score_bar=svg_charts.score_bar,
        daily_columns=svg_charts.daily_columns,
        heat_style=svg_charts.heat_style,
        conversation_href=site_paths.conversation_href,
        stylesheet=Markup((TEMPLATES / "style.css").read_text(encoding="utf-8")),
    )
    return env


def generated_now() -> str:
    """The "Generated" time a page written now shows."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(env: Environment, template: str, **context: Any) -> str:
    """Render one template with the shared page context."""
    context.setdefault("generated_at", generated_now())
    return env.get_template(template).render(**context)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def json_text(data: Any) -> str:
    """Pretty, stable JSON text."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_json(path: Path, data: Any) -> Path:
    """Write pretty, stable JSON."""
    return write_text(path, json_text(data))


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula (``＝1+1`` and `` =1`` included)."""
    first = text.lstrip(" \u00a0\u3000")[:1]
    return first in _FORMULA_START or unicodedata.normalize("NFKC", first)[:1] in _FORMULA_START


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    if value is None:
        return ""
    return value


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row; text that looks like a formula is neutralised."""
    buffer = io.StringIO()
    # A "\r\n" terminator makes the writer quote cells holding a bare CR too (with "\n" it
    # would not, and the row would split in a reader); each row still ends with "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = []
    for row in [header, *rows]:
        writer.writerow([_safe_cell(v) for v in row])
        lines.append(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()
    return "".join(lines)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write a CSV file (UTF-8)."""
    return write_text(path, csv_text(header, rows))
