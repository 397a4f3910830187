"""Checks over a published folder: links resolve, pages are self-contained, CSVs parse."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        for attr in ("src", "srcset"):
            if values.get(attr):
                self.resources.append(str(values[attr]))
        if tag == "link" and values.get("href"):
            self.resources.append(str(values["href"]))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse_page(path: Path) -> _Page:
    """Links, resource references, element ids and visible text of an HTML file."""
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def visible_text(path: Path) -> str:
    """The page's text without markup, scripts or styles, whitespace folded."""
    return " ".join(" ".join(parse_page(path).text).split())


def broken_links(root: Path) -> list[str]:
    """Every relative link under ``root`` whose file (or ``#anchor`` in it) does not exist."""
    problems = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(root.rglob("*.html")):
        for link in parse_page(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                problems.append(f"{page}: external link {link}")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not target.is_file():
                problems.append(f"{page}: missing {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse_page(target).ids
                if parts.fragment not in ids[target]:
                    problems.append(f"{page}: no #{parts.fragment} in {link}")
    return problems


def external_references(root: Path) -> list[str]:
    """Anything in an HTML page that would load from the network (src, link href, CSS url(), @import)."""
    found = []
    for page in sorted(root.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for ref in parse_page(page).resources:
            if not ref.startswith("data:"):
                found.append(f"{page}: {ref}")
        for match in re.finditer(r"url\(\s*['\"]?(?!data:)([^)'\"]+)|@import", html):
            found.append(f"{page}: {match.group(0)}")
    return found


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts (strict parsing)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, strict=True))
