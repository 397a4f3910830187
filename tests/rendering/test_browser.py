"""Headless Chromium opens the published pages: no console errors, no network, readable, printable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import Chromium, require_chromium

from rendering.publish import PublishResult

pytestmark = [pytest.mark.browser, pytest.mark.models]
FITS = (
    "document.documentElement.scrollWidth <= window.innerWidth && "
    "[...document.querySelectorAll('.scroll')].every(box => box.scrollWidth <= box.clientWidth + 1)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    chromium = Chromium(require_chromium())
    yield chromium
    chromium.close()


def _pages(site: PublishResult) -> dict[str, Path]:
    assert site.index_path and site.report_path
    return {
        "index": site.index_path,
        "card": site.card_paths["a-kevin"],
        "report": site.report_path,
        "conversation": next(iter(site.conversation_paths.values())),
    }


@pytest.mark.parametrize("page", ["index", "card", "report", "conversation"])
def test_page_loads_cleanly(
    browser: Chromium, synthetic_site: PublishResult, tmp_path: Path, page: str
) -> None:
    shot = tmp_path / f"{page}.png"
    visit = browser.visit(_pages(synthetic_site)[page], screenshot=shot)
    assert visit.problems == []
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # fits a laptop screen: nothing wider than the window, no table cut off in its scroll box
    assert browser.evaluate(FITS)
    # every chart rendered with a size
    sizes = browser.evaluate(
        "[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width)"
    )
    assert all(width > 0 for width in sizes)


def test_index_table_sorts_on_click(browser: Chromium, synthetic_site: PublishResult) -> None:
    assert synthetic_site.index_path is not None
    assert browser.visit(synthetic_site.index_path).problems == []
    names = "[...document.querySelectorAll('#reps tbody tr td:first-child')].map(td => td.textContent.trim())"
    before = browser.evaluate(names)
    assert before == sorted(before, key=str.lower)
    browser.evaluate("document.querySelectorAll('#reps thead th')[3].click()")  # Overall, descending
    overall = browser.evaluate(
        "[...document.querySelectorAll('#reps tbody tr td:nth-child(4)')]"
        ".map(td => parseFloat(td.dataset.sort))"
    )
    assert overall == sorted(overall, reverse=True)
    assert browser.evaluate(names) != before


def test_card_prints_to_pdf(browser: Chromium, synthetic_site: PublishResult, tmp_path: Path) -> None:
    assert browser.visit(synthetic_site.card_paths["a-kevin"]).problems == []
    pdf = browser.print_pdf(tmp_path / "card.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    # print CSS hides the navigation
    browser.call("Emulation.setEmulatedMedia", media="print")
    assert browser.evaluate("getComputedStyle(document.querySelector('header.site nav')).display") == "none"
    browser.call("Emulation.setEmulatedMedia", media="")


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index", "card", "report"])
def test_examples_pages_load_cleanly(
    browser: Chromium, examples_site: PublishResult, tmp_path: Path, page: str
) -> None:
    visit = browser.visit(_pages(examples_site)[page], screenshot=tmp_path / f"examples-{page}.png")
    assert visit.problems == []
    assert browser.evaluate(FITS)
