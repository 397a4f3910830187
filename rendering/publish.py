"""Publish coaching cards and the routing-failure report for a date range from the store.

The one entry point the Prefect flow and the CLI call::

    result = publish(store, "2026-11-16", "2026-11-22", "out/")
    result.index_path, result.report_path, result.card_paths["a-kevin"]

Dates are inclusive; either may be None for the first/last day with data. Output layout is
described in :mod:`rendering.site_paths`. Every page is redacted (:mod:`rendering.redact`), customers'
names from the store's metadata included. Every file's fingerprint is recorded beside the outputs
(:mod:`rendering.page_ledger`); ``incremental=True`` rewrites only files whose inputs changed and
builds only the conversation pages whose inputs changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from privacy.name_index import KnownNameIndex
from rendering import site_paths
from rendering.coaching_cards import CoachingCard, build_cards
from rendering.conversation_pages import PageInputs, build_pages, load_page_inputs
from rendering.page_fingerprints import code_fingerprint, page_fingerprint, redaction_fingerprint
from rendering.page_ledger import PageLedger, fingerprint
from rendering.periods import Period
from rendering.redact import Redactor, redactor_for
from rendering.routing_report import RoutingReport, build_report
from rendering.rubric_info import RubricInfo, criteria_from_rubric, find_rubric_criteria, load_rubric_info
from rendering.settings import Settings, load_settings
from rendering.site_writer import GENERATED_AT, csv_text, environment, json_text, render
from rendering.store_queries import (
    connection_of,
    customer_names,
    data_range,
    load_conversations,
    rubric_versions,
)

log = logging.getLogger(__name__)
MAX_SYSTEM_NOTES = 25
# Conversation pages loaded, built and written at a time (bounds publishing's memory).
PAGE_CHUNK = 500


class PublishError(ValueError):
    """Nothing can be published: an empty store, a bad date, an unknown rubric version."""


@dataclass
class PublishResult:
    """Where everything was written."""

    out_dir: Path
    period: Period
    rubric_version: str | None
    index_path: Path | None = None
    index_csv_path: Path | None = None
    card_paths: dict[str, Path] = field(default_factory=dict)
    markdown_paths: dict[str, Path] = field(default_factory=dict)
    json_paths: dict[str, Path] = field(default_factory=dict)
    report_path: Path | None = None
    csv_paths: dict[str, Path] = field(default_factory=dict)
    conversation_paths: dict[str, Path] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)  # files this publish wrote
    kept: list[Path] = field(default_factory=list)  # files left as they were (incremental: unchanged)
    removed: list[Path] = field(default_factory=list)  # earlier publishes' files the site no longer has
    cards: list[CoachingCard] = field(default_factory=list, repr=False)
    report: RoutingReport | None = field(default=None, repr=False)

    def all_paths(self) -> list[Path]:
        """Every file written, pages first."""
        paths = [p for p in (self.index_path, self.report_path) if p is not None]
        for group in (
            self.card_paths,
            self.markdown_paths,
            self.json_paths,
            self.csv_paths,
            self.conversation_paths,
        ):
            paths += list(group.values())
        if self.index_csv_path is not None:
            paths.append(self.index_csv_path)
        return paths

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for logs and the CLI."""
        return {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "rubric_version": self.rubric_version,
            "index": str(self.index_path) if self.index_path else None,
            "report": str(self.report_path) if self.report_path else None,
            "cards": len(self.card_paths),
            "csv": len(self.csv_paths),
            "conversation_pages": len(self.conversation_paths),
            "written": len(self.written),
            "kept": len(self.kept),
            "removed": len(self.removed),
        }


def _as_date(value: date | str | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PublishError(f"{what} must be a date like 2026-11-16, got {value!r}") from None


def resolve_period(
    con: Any, date_from: date | str | None, date_to: date | str | None, settings: Settings | None = None
) -> Period:
    """The period to publish; missing ends default to the store's first/last day with data.

    Outlier dates are left out of the defaults (``store_queries.data_range``).
    """
    start, end = _as_date(date_from, "--from"), _as_date(date_to, "--to")
    if start is None or end is None:
        available = data_range(con, (settings or load_settings()).periods)
        if available is None:
            raise PublishError("the store has no conversations: ingest some first, or give --from and --to")
        start = start or available.start
        end = end or available.end
    if end < start:
        raise PublishError(f"--to ({end}) is before --from ({start})")
    return Period(start, end)


def resolve_rubric_version(con: Any, period: Period, requested: str | None) -> str | None:
    """The requested rubric version, or the one with the most scores in the period (None: no scores)."""
    versions = rubric_versions(con, period)
    if requested is None:
        return versions[0] if versions else None
    if versions and requested not in versions:
        raise PublishError(
            f"no scores with rubric version {requested!r} in {period.label}; available: {', '.join(versions)}"
        )
    return requested


def publish(
    store: Any,
    date_from: date | str | None,
    date_to: date | str | None,
    out_dir: str | Path,
    rubric_version: str | None = None,
    *,
    cards: bool = True,
    report: bool = True,
    settings: Settings | None = None,
    redactor: Redactor | None = None,
    rubric: Any = None,
    rubric_paths: Iterable[str | Path] | None = None,
    run_pages: bool = False,
    on_page: Callable[[int, int], None] | None = None,
    incremental: bool = False,
) -> PublishResult:
    """Write cards (index, HTML/Markdown/JSON per rep) and/or the routing report (HTML + CSVs).

    ``store`` is a ``storage.Store`` or a DuckDB connection. ``rubric`` (an ``nlp.rubric.Rubric``)
    or ``rubric_paths`` supply criterion titles and weights; otherwise the repository's rubric
    files are searched for the scores' version. Conversation pages are written for every
    conversation a card or the report links to. ``run_pages`` links every page to the run
    history and quarantine pages (``rendering.run_pages``; the nightly flow writes them).
    ``on_page(done, total)`` is called as conversation pages are written or found unchanged
    (for progress bars). ``incremental`` leaves files whose fingerprint is unchanged as they
    are; the site is the same as a full publish's, "Generated" times aside. Publishing both
    cards and report removes the files earlier publishes wrote that the site no longer has
    (``PageLedger.remove_others``), so the folder holds one period's site.
    """
    con = connection_of(store)
    settings = settings or load_settings()
    period = resolve_period(con, date_from, date_to, settings)
    version = resolve_rubric_version(con, period, rubric_version)
    redactor = redactor or redactor_for(con)
    redactor.add_known_names(customer_names(con))
    criteria = (
        criteria_from_rubric(rubric) if rubric is not None else find_rubric_criteria(version, rubric_paths)
    )
    info = load_rubric_info(version, criteria)
    out = Path(out_dir)
    result = PublishResult(out_dir=out, period=period, rubric_version=version)
    env = environment()
    report_exists = report or (out / site_paths.ROUTING_REPORT).exists()
    common = {
        "period": period,
        "rubric_version": version,
        "has_index": cards or (out / site_paths.INDEX).exists(),
        "has_report": report_exists,
        "has_run_pages": run_pages,
        "generated_at": GENERATED_AT,
    }
    linked: set[str] = set()
    with PageLedger(out, incremental=incremental) as ledger:
        if cards:
            built = build_cards(con, period, version, rubric=info, settings=settings, redactor=redactor)
            _write_cards(env, ledger, built, info, common, result)
            result.cards = built
            for card in built:
                linked |= card.conversation_ids
        if report:
            routing = build_report(con, period, version, settings=settings, redactor=redactor)
            _write_report(env, ledger, routing, common, result)
            result.report = routing
            linked |= routing.conversation_ids
        _write_conversation_pages(env, ledger, con, sorted(linked), info, redactor, common, result, on_page)
        if cards and report:  # the whole site: what it no longer has goes, as if published afresh
            ledger.remove_others()
    result.written, result.kept, result.removed = ledger.written, ledger.kept, ledger.removed
    log.info("published %s", result.summary())
    return result


def _write_conversation_pages(
    env: Any,
    ledger: PageLedger,
    con: Any,
    ids: list[str],
    info: RubricInfo,
    redactor: Redactor,
    common: dict[str, Any],
    result: PublishResult,
    on_page: Callable[[int, int], None] | None,
) -> None:
    """Build and write the pages whose fingerprint changed; keep the others as they are.

    Works through the pages ``PAGE_CHUNK`` at a time, in page order (start time, id), so the
    rows and pages held at once do not grow with the period's volume.
    """
    version = common["rubric_version"]
    context = {key: common[key] for key in sorted(common) if key != "generated_at"}
    shared = fingerprint(code_fingerprint(), redaction_fingerprint(redactor), repr(info), context)
    names = KnownNameIndex(redactor.known_names)
    ordered = [row.id for row in load_conversations(con, ids)]
    total, done = len(ordered), 0
    for start in range(0, total, PAGE_CHUNK):
        todo: list[tuple[PageInputs, str]] = []
        kept = 0
        for page in load_page_inputs(con, ordered[start : start + PAGE_CHUNK], version):
            path = result.out_dir / site_paths.conversation_path(page.id)
            digest = page_fingerprint(shared, page, names)
            result.conversation_paths[page.id] = path
            if ledger.is_current(path, digest):
                ledger.keep(path, digest)
                kept += 1
            else:
                todo.append((page, digest))
        done += kept
        if kept and on_page is not None:
            on_page(done, total)
        pages = build_pages([page for page, _ in todo], rubric=info, redactor=redactor)
        for page, (_, digest) in zip(pages, todo, strict=True):
            text = render(env, "conversation.html.j2", page=page, root="../", **common)
            ledger.write(result.out_dir / site_paths.conversation_path(page.id), text, digest)
            done += 1
            if on_page is not None:
                on_page(done, total)


def publish_cards(
    store: Any, date_from: Any, date_to: Any, out_dir: str | Path, **kwargs: Any
) -> PublishResult:
    """Only the coaching cards (index, cards, their conversation pages)."""
    return publish(store, date_from, date_to, out_dir, cards=True, report=False, **kwargs)


def publish_routing_report(
    store: Any, date_from: Any, date_to: Any, out_dir: str | Path, **kwargs: Any
) -> PublishResult:
    """Only the routing-failure report (HTML, CSVs, its conversation pages)."""
    return publish(store, date_from, date_to, out_dir, cards=False, report=True, **kwargs)


def _index_csv(cards: list[CoachingCard], criteria: list[str]) -> str:
    header = ["agent_id", "name", "departments", "contacts", "overall", *criteria, "previous_overall", "card"]
    rows = []
    for card in cards:
        values = card.criteria_by_id
        rows.append(
            [
                card.agent_id,
                card.display_name,
                "; ".join(card.departments),
                card.contacts,
                _r(card.overall),
                *[_r(values[c].value) if c in values else None for c in criteria],
                _r(card.previous_overall),
                site_paths.card_path(card.agent_id),
            ]
        )
    return csv_text(header, rows)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _write_cards(
    env: Any,
    ledger: PageLedger,
    cards: list[CoachingCard],
    info: RubricInfo,
    common: dict[str, Any],
    result: PublishResult,
) -> None:
    criteria = sorted(
        {c.criterion for card in cards for c in card.criteria}, key=lambda c: (info.order(c), c)
    )
    out = ledger.out
    for card in cards:
        context = {**common, "card": card, "root": "../", "max_system_notes": MAX_SYSTEM_NOTES}
        context["rubric"] = info  # the index's short criterion names, so both pages say the same
        html = out / site_paths.card_path(card.agent_id)
        result.card_paths[card.agent_id] = ledger.write(html, render(env, "card.html.j2", **context))
        markdown = out / site_paths.card_path(card.agent_id, "md")
        result.markdown_paths[card.agent_id] = ledger.write(markdown, render(env, "card.md.j2", **context))
        result.json_paths[card.agent_id] = ledger.write(
            out / site_paths.card_path(card.agent_id, "json"), json_text(card.to_dict())
        )
    result.index_path = ledger.write(
        out / site_paths.INDEX,
        render(
            env,
            "index.html.j2",
            cards=cards,
            criteria=criteria,
            rubric=info,
            root="",
            card_href=lambda card: site_paths.card_path(card.agent_id),
            **common,
        ),
    )
    result.index_csv_path = ledger.write(out / site_paths.INDEX_CSV, _index_csv(cards, criteria))


def _write_report(
    env: Any, ledger: PageLedger, report: RoutingReport, common: dict[str, Any], result: PublishResult
) -> None:
    folder = ledger.out / site_paths.ROUTING_DIR
    for key, table in report.tables.items():
        header, rows = table.csv_rows()
        result.csv_paths[key] = ledger.write(folder / f"{key}.csv", csv_text(header, rows))
    result.report_path = ledger.write(
        ledger.out / site_paths.ROUTING_REPORT,
        render(env, "report.html.j2", report=report, settings=report.settings, root="../", **common),
    )
