"""Inline SVG charts: valid, self-contained markup that reflects the numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from rendering.svg_charts import daily_columns, heat_style, score_bar, sparkline, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_sparkline_breaks_at_missing_values_and_titles_every_point() -> None:
    svg = _parse(sparkline([0.2, 0.4, None, 0.6, 0.8], ["a", "b", "c", "d", "e"]))
    assert svg.tag == f"{SVG}svg"
    assert len(svg.findall(f"{SVG}polyline")) == 2  # [a, b] and [d, e]
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "a: 20%" in titles and "e: 80%" in titles and not any(t and t.startswith("c:") for t in titles)


def test_trend_chart_puts_higher_scores_higher() -> None:
    svg = _parse(trend_chart([0.1, 0.9], ["Nov 15", "Nov 16"], title="trend"))
    low, high = (float(c.get("cy", 0)) for c in svg.iter(f"{SVG}circle"))
    assert high < low  # SVG y grows downwards


def test_score_bar_width_median_and_threshold() -> None:
    svg = _parse(score_bar(0.5, 0.75, 0.6, width=200))
    bars = [r for r in svg.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")]
    assert float(bars[0].get("width", 0)) == 100
    assert "chart-bar-low" in (bars[0].get("class") or "")  # below its threshold
    median = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-median")
    assert float(median.get("x1", 0)) == 150


def test_daily_columns_flag_spike_days_and_escape_labels() -> None:
    markup = str(daily_columns([0, 1, 6], ["<d1>", "d2", "d3"], baseline=0.5, flagged=[False, False, True]))
    svg = _parse(markup)
    flagged = [r for r in svg.iter(f"{SVG}rect") if "chart-col-flag" in (r.get("class") or "")]
    assert len(flagged) == 1
    assert "<d1>" not in markup and "&lt;d1&gt;" in markup


def test_charts_fetch_nothing() -> None:
    for markup in (sparkline([0.5], ["x"]), trend_chart([0.5], ["x"], title="t"), score_bar(None, None)):
        assert not re.search(r"href|url\(|<script", str(markup))


def test_heat_style_scales_with_share() -> None:
    assert heat_style(0.0).endswith("0.00)")
    assert heat_style(1.0) != heat_style(0.1)
