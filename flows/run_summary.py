"""What one nightly run did, as data (kept in the store's ``runs.details``) and as Markdown.

The Markdown is the Prefect artifact of the run (``templates/run_summary.md.j2``): counts
of the ingest invariant, what was analysed, failed batches and conversations, reps carded,
top routing failures, and where the outputs are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from transcripts.quarantine import Quarantined, ReasonCode

TEMPLATE_DIR = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class FailedBatch:
    """A batch whose analysis or scoring raised; its conversations are retried next run."""

    number: int
    conversations: int
    error: str


@dataclass(frozen=True)
class FailedConversation:
    """A conversation whose analysis or scoring raised while its batch-mates' did not.

    ``file`` and ``record`` locate it in its source (its quarantine entry); it has no stored
    analysis, so every run retries it until it succeeds.
    """

    conversation_id: str
    error: str  # "ExceptionType: message"
    file: str
    record: str

    def quarantined(self) -> Quarantined:
        """Its ``analysis_failed`` quarantine entry."""
        message = f"conversation {self.conversation_id} could not be analysed or scored: {self.error}"
        return Quarantined(self.file, self.record, ReasonCode.ANALYSIS_FAILED, message)


@dataclass
class NightlySummary:
    """The outcome of one ``nightly_review`` run."""

    run_id: str
    source: str
    db: str
    out: str
    runner: str
    full: bool
    rubric_version: str
    files_found: int = 0
    files_downloaded: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    read: int = 0
    stored: int = 0
    new: int = 0
    changed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    ingest_run_id: str = ""
    needing_work: int = 0
    journey_context: int = 0
    analysed: int = 0
    batches: int = 0
    batches_stored: int = 0
    failed_batches: list[FailedBatch] = field(default_factory=list)
    failed_conversations: list[FailedConversation] = field(default_factory=list)  # batch-mates stored
    batches_by_worker: dict[str, int] = field(default_factory=dict)  # host:pid -> batches run
    model_loads: int = 0  # analyzer loads across the worker processes (one per process)
    period: str | None = None
    index_path: str | None = None
    reps_carded: int = 0
    top_routing_failures: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    pages_written: int = 0  # published files written; unchanged ones are left alone
    pages_kept: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False  # nothing new: the published outputs were left as they were
    run_pages: list[str] = field(default_factory=list)  # runs.html, quarantine.html, quarantine.csv

    @property
    def nothing_new(self) -> bool:
        """True when this run stored, analysed and failed nothing, so republishing would change nothing.

        A ``--full`` run always publishes.
        """
        return (
            not self.full and self.new == 0 and self.changed == 0 and self.needing_work == 0
            and self.analysed == 0 and self.succeeded
        )  # fmt: skip

    def take_previous_publication(self, previous: dict[str, Any]) -> None:
        """Mark the outputs unchanged and carry over what the last publishing run wrote."""
        self.unchanged = True
        self.period = previous.get("period")
        self.index_path = previous.get("index_path")
        self.reps_carded = previous.get("reps_carded", 0)
        self.top_routing_failures = list(previous.get("top_routing_failures", []))
        self.outputs = list(previous.get("outputs", []))

    @property
    def succeeded(self) -> bool:
        """True when every batch and every conversation was analysed, scored and stored."""
        return not self.failed_batches and not self.failed_conversations

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict; ``read``/``stored``/``quarantined``/``duplicates`` feed ``runs``."""
        data = asdict(self)
        data["succeeded"] = self.succeeded
        return data

    def to_markdown(self) -> str:
        """The run summary as Markdown (the Prefect artifact)."""
        return _template().render(s=self)


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["file_url"] = _file_url
    return env.get_template("run_summary.md.j2")


def _file_url(path: str) -> str:
    """``file://`` URL of a local path (links in the Prefect UI open the output)."""
    return Path(path).resolve().as_uri()
