"""Conversation pages show the vendor's own analytics beside ours, never in place of it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from rendering.conversation_pages import build_conversation_pages
from rendering.periods import Period
from rendering.redact import Redactor
from rendering.rubric_info import load_rubric_info
from rendering.site_writer import environment, render
from storage.store import Store
from transcripts.model import Channel, Conversation, Leg, Role, Turn, VendorSignal, VendorSignalKind


def _conversation(signals: list[VendorSignal]) -> Conversation:
    return Conversation(
        id="cl-1",
        channel=Channel.CALL,
        started_at=datetime(2026, 11, 18, 9),
        source_format="contact_lens",
        legs=[Leg(index=0, participant_role=Role.AGENT, agent_id="a-ann", agent_name="Ann")],
        turns=[
            Turn(index=0, role=Role.AGENT, speaker_id="a-ann", text="Thanks for calling, how can I help?"),
            Turn(index=1, role=Role.CUSTOMER, text="I was charged twice this month and nobody called back."),
        ],
        vendor_signals=signals,
    )


SIGNALS = [
    VendorSignal(
        source="contact_lens", kind=VendorSignalKind.SENTIMENT, label="NEGATIVE", score=-2.0, turn=1
    ),
    VendorSignal(
        source="contact_lens", kind=VendorSignalKind.SENTIMENT, label="NEGATIVE", role=Role.CUSTOMER
    ),
    VendorSignal(source="contact_lens", kind=VendorSignalKind.CATEGORY, label="Billing dispute"),
    VendorSignal(source="contact_lens", kind=VendorSignalKind.ISSUE, label="charged twice"),
]


def _page_html(tmp_path: Path, signals: list[VendorSignal]) -> str:
    with Store(tmp_path / "store.duckdb") as store:
        run = store.start_run("test")
        store.upsert_conversations([_conversation(signals)], run)
        store.connection.execute("INSERT INTO turn_sentiment VALUES ('cl-1', 1, 'negative', -0.71, 'ours')")
        (page,) = build_conversation_pages(
            store.connection, ["cl-1"], None, rubric=load_rubric_info(), redactor=Redactor(names=False)
        )
    common = {
        "period": Period(datetime(2026, 11, 16).date(), datetime(2026, 11, 22).date()),
        "rubric_version": None,
        "has_index": False,
        "has_report": False,
        "has_run_pages": False,
    }
    return render(environment(), "conversation.html.j2", page=page, root="../", **common)


def _turn(html: str, number: int) -> str:
    match = re.search(rf'<div class="turn [^"]*" id="turn-{number}">(.*?)\n</div>', html, re.DOTALL)
    assert match, f"turn {number} not on the page"
    return match.group(1)


def test_vendor_turn_sentiment_is_shown_beside_ours(tmp_path: Path) -> None:
    html = _page_html(tmp_path, SIGNALS)
    customer = _turn(html, 1)
    ours = customer.index("negative -0.71")
    vendor = customer.index("vendor: negative -2")
    assert ours < vendor  # ours first, the vendor's beside it, in the same sentiment cell
    assert "Amazon Connect Contact Lens" in customer
    assert "vendor:" not in _turn(html, 0)


def test_contact_level_vendor_analytics_have_their_own_section(tmp_path: Path) -> None:
    html = _page_html(tmp_path, SIGNALS)
    section = html[html.index("<h2>Vendor analytics</h2>") : html.index("</section>")]
    assert "<b>Sentiment</b>" in section and "NEGATIVE (customer)" in section
    assert "<b>Categories</b>" in section and "Billing dispute" in section
    assert "<b>Issues</b>" in section and "charged twice" in section
    assert section.index("Sentiment") < section.index("Categories") < section.index("Issues")
    assert "what the export's own analytics said" in html


def test_page_without_vendor_signals_has_no_vendor_section(tmp_path: Path) -> None:
    html = _page_html(tmp_path, [])
    assert "Vendor analytics" not in html and "vendor:" not in html
    assert "negative -0.71" in _turn(html, 1)
