"""Small inline SVG charts: no scripts, no fonts to fetch, readable in print.

Every chart is a self-contained ``<svg>`` with a ``<title>`` for screen readers and a
tooltip per point; colours come from CSS classes in the one stylesheet (``chart-*``)::

    >>> str(sparkline([0.5, None, 0.8], ["w1", "w2", "w3"])).startswith("<svg")
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> Markup:
    return Markup(
        f'<svg class="chart {css_class}" xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" '
        f'height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _value_text(value: float | None, as_percent: bool) -> str:
    if value is None:
        return "no data"
    return f"{value * 100:.0f}%" if as_percent else _fmt(value)


def sparkline(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    width: float = 120,
    height: float = 28,
    domain: tuple[float, float] = (0.0, 1.0),
    title: str = "trend",
    as_percent: bool = True,
) -> Markup:
    """A line over buckets; ``None`` breaks the line, the last point is emphasised."""
    pad = 3.0
    lo, hi = domain
    span = (hi - lo) or 1.0
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        clamped = min(max(v, lo), hi)
        return pad + i * step, height - pad - (clamped - lo) / span * (height - 2 * pad)

    body = [
        f'<line class="chart-axis" x1="{pad}" y1="{_fmt(height - pad)}" x2="{_fmt(width - pad)}" '
        f'y2="{_fmt(height - pad)}"/>'
    ]
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(xy(i, v))
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            body.append(f'<polyline class="chart-line" fill="none" points="{points}"/>')
    for i, v in enumerate(values):
        if v is None:
            continue
        x, y = xy(i, v)
        css = "chart-point chart-point-last" if i == n - 1 else "chart-point"
        tip = f"{labels[i] if i < len(labels) else i}: {_value_text(v, as_percent)}"
        radius = 2.6 if i == n - 1 else 1.6
        body.append(
            f'<circle class="{css}" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{radius}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    return _svg(width, height, title, body, "sparkline")


def trend_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    title: str,
    width: float = 320,
    height: float = 96,
) -> Markup:
    """The card's trend chart: scores in [0, 1] per bucket, with 0/50/100% gridlines and dates."""
    left, right, top, bottom = 30.0, 8.0, 6.0, 18.0
    inner_w, inner_h = width - left - right, height - top - bottom
    n = len(values)
    step = inner_w / max(n - 1, 1)

    def y_of(v: float) -> float:
        return top + (1 - min(max(v, 0.0), 1.0)) * inner_h

    body: list[str] = []
    for level in (0.0, 0.5, 1.0):
        y = y_of(level)
        body.append(
            f'<line class="chart-grid" x1="{left}" y1="{_fmt(y)}" x2="{_fmt(width - right)}" y2="{_fmt(y)}"/>'
        )
        body.append(
            f'<text class="chart-label" x="{_fmt(left - 4)}" y="{_fmt(y + 3)}" text-anchor="end">'
            f"{level * 100:.0f}%</text>"
        )
    segment: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if len(segment) > 1:
                body.append(f'<polyline class="chart-line" fill="none" points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{_fmt(left + i * step)},{_fmt(y_of(v))}")
    if len(segment) > 1:
        body.append(f'<polyline class="chart-line" fill="none" points="{" ".join(segment)}"/>')
    for i, v in enumerate(values):
        if v is None:
            continue
        css = "chart-point chart-point-last" if i == n - 1 else "chart-point"
        body.append(
            f'<circle class="{css}" cx="{_fmt(left + i * step)}" cy="{_fmt(y_of(v))}" r="3">'
            f"<title>{escape(labels[i])}: {v * 100:.0f}%</title></circle>"
        )
    if labels:
        body.append(f'<text class="chart-label" x="{left}" y="{_fmt(height - 4)}">{escape(labels[0])}</text>')
        body.append(
            f'<text class="chart-label" x="{_fmt(width - right)}" y="{_fmt(height - 4)}" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    return _svg(width, height, title, body, "trend")


def score_bar(
    value: float | None,
    median: float | None,
    threshold: float | None = None,
    *,
    width: float = 160,
    height: float = 14,
    title: str = "score",
) -> Markup:
    """A 0-100% bar for the rep's score with ticks for the team median (solid) and threshold (dashed)."""
    body = [
        f'<rect class="chart-track" x="0" y="2" width="{_fmt(width)}" height="{_fmt(height - 4)}" rx="2"/>'
    ]
    if value is not None:
        css = "chart-bar" if threshold is None or value >= threshold else "chart-bar chart-bar-low"
        body.append(
            f'<rect class="{css}" x="0" y="2" width="{_fmt(width * min(max(value, 0.0), 1.0))}" '
            f'height="{_fmt(height - 4)}" rx="2"/>'
        )
    if threshold is not None:
        x = _fmt(width * min(max(threshold, 0.0), 1.0))
        body.append(f'<line class="chart-threshold" x1="{x}" y1="0" x2="{x}" y2="{_fmt(height)}"/>')
    if median is not None:
        x = _fmt(width * min(max(median, 0.0), 1.0))
        body.append(f'<line class="chart-median" x1="{x}" y1="0" x2="{x}" y2="{_fmt(height)}"/>')
    return _svg(width, height, title, body, "score-bar")


def daily_columns(
    counts: Sequence[int],
    labels: Sequence[str],
    *,
    baseline: float | None,
    flagged: Sequence[bool] = (),
    width: float = 240,
    height: float = 60,
    title: str = "per day",
) -> Markup:
    """Columns of daily counts with a dashed line at the baseline daily mean; spike days stand out.

    The first and last labels are written under the columns.
    """
    plot_h = height - 12
    top = max([*counts, baseline or 0, 1])
    n = max(len(counts), 1)
    gap = 2.0
    col_w = max((width - gap * (n - 1)) / n, 1.0)
    body: list[str] = [
        f'<line class="chart-axis" x1="0" y1="{_fmt(plot_h)}" x2="{_fmt(width)}" y2="{_fmt(plot_h)}"/>'
    ]
    for i, count in enumerate(counts):
        h = (plot_h - 2) * count / top
        css = "chart-col chart-col-flag" if i < len(flagged) and flagged[i] else "chart-col"
        body.append(
            f'<rect class="{css}" x="{_fmt(i * (col_w + gap))}" y="{_fmt(plot_h - h)}" width="{_fmt(col_w)}" '
            f'height="{_fmt(h)}"><title>{escape(labels[i])}: {count}</title></rect>'
        )
    if baseline is not None:
        y = _fmt(plot_h - (plot_h - 2) * baseline / top)
        body.append(
            f'<line class="chart-threshold" x1="0" y1="{y}" x2="{_fmt(width)}" y2="{y}">'
            f"<title>baseline {baseline:.2f} a day</title></line>"
        )
    if labels:
        body.append(f'<text class="chart-label" x="0" y="{_fmt(height - 1)}">{escape(labels[0])}</text>')
        body.append(
            f'<text class="chart-label" x="{_fmt(width)}" y="{_fmt(height - 1)}" text-anchor="end">'
            f"{escape(labels[-1])}</text>"
        )
    return _svg(width, height, title, body, "columns")


def heat_style(share: float) -> str:
    """Inline background for a matrix cell: the larger the share, the stronger the tint."""
    alpha = 0.08 + 0.6 * min(max(share, 0.0), 1.0) if share > 0 else 0.0
    return f"background-color: rgba(196, 69, 54, {alpha:.2f})"
