"""Publishing the latest period with data (the nightly flow's publish step): which period, and a summary.

The period is the ``period_days`` calendar days ending with the newest stored contact's
day, so a nightly run publishes the week up to last night and a backfill publishes the
period it filled. Outlier dates (a lone 2062 typo among this month's contacts) do not count
as the newest day: ``rendering.store_queries.data_range`` leaves them out. The cards and the
report are written by ``rendering.publish``; this module only picks the period and condenses
the result for the run summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from storage.store import Store

if TYPE_CHECKING:
    from nlp.rubric import Rubric

TOP_ROUTING_FAILURES = 5
# Report headlines that describe volume rather than a failure.
_NOT_FAILURES = {"contacts", "transfer_rate"}


@dataclass(frozen=True)
class PublishOutcome:
    """What the publish step wrote, condensed for the run summary."""

    period: str | None = None
    index_path: str | None = None
    reps_carded: int = 0
    top_routing_failures: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    pages_written: int = 0  # files written (an incremental publish leaves unchanged ones alone)
    pages_kept: int = 0  # files left as they were


def publish_period(
    db: str,
    out_dir: Path,
    period_days: int,
    rubric: Rubric | None = None,
    on_page: Callable[[int, int], None] | None = None,
    incremental: bool = True,
) -> PublishOutcome:
    """Publish cards and the routing report for the last ``period_days`` days with data.

    ``rubric`` (the one the run scored with) picks the scores' version and gives criterion
    titles. An empty store publishes nothing. ``incremental`` rewrites only the files whose
    inputs changed since the last publish into ``out_dir`` (``rendering.page_ledger``).
    """
    from rendering.periods import Period
    from rendering.publish import publish
    from rendering.store_queries import data_range, rubric_versions

    with Store(db) as store:
        available = data_range(store.connection)
        if available is None:
            return PublishOutcome()
        period = Period(max(available.start, available.end - timedelta(days=period_days - 1)), available.end)
        versions = rubric_versions(store.connection, period)
        version = rubric.version if rubric is not None and rubric.version in versions else None
        result = publish(
            store, period.start, period.end, out_dir, rubric_version=version,
            rubric=rubric if version is not None else None, run_pages=True, on_page=on_page,
            incremental=incremental,
        )  # fmt: skip
    headlines = result.report.headlines if result.report is not None else []
    failures = sorted(
        (h for h in headlines if h.key not in _NOT_FAILURES and h.value > 0),
        key=lambda h: (-h.value, h.label),
    )
    return PublishOutcome(
        period=period.label,
        index_path=str(result.index_path) if result.index_path else None,
        reps_carded=len(result.card_paths),
        top_routing_failures=[f"{h.label}: {h.value:g}" for h in failures[:TOP_ROUTING_FAILURES]],
        outputs=[str(p) for p in (result.report_path, result.index_csv_path) if p is not None],
        pages_written=len(result.written),
        pages_kept=len(result.kept),
    )
