"""The published folder: links resolve, pages are self-contained and redacted, CSVs parse, JSON is golden."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from site_checks import broken_links, external_references, parse_page, read_csv, visible_text
from synthetic_store import PERIOD, build_store

from rendering.page_ledger import RECORDS
from rendering.publish import PublishError, PublishResult, publish
from rendering.redact import Redactor
from storage.store import Store

pytestmark = pytest.mark.models  # redaction runs spaCy NER

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("QAREVIEW_UPDATE_GOLDEN") == "1"
# PII planted in the synthetic transcripts; none of it may reach any published file.
PLANTED_PII = ["4111 1111 1111 1111", "laura.p@example.com", "Laura Palmer", "555-123-4567"]


def test_every_link_resolves(synthetic_site: PublishResult) -> None:
    assert broken_links(synthetic_site.out_dir) == []


def test_pages_are_self_contained(synthetic_site: PublishResult) -> None:
    assert external_references(synthetic_site.out_dir) == []
    html = synthetic_site.card_paths["a-kevin"].read_text(encoding="utf-8")
    style = html[html.index("<style>") : html.index("</style>")]
    assert '"Segoe UI"' in style and "&#34;" not in style  # the stylesheet is inlined unescaped
    assert "@media print" in style
    assert "<svg" in html and "table.sortable" in html


def test_no_planted_pii_in_any_output(synthetic_site: PublishResult) -> None:
    files = [p for p in synthetic_site.out_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in files if p.name != RECORDS} == {".html", ".md", ".json", ".csv"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in PLANTED_PII:
            assert secret not in text, f"{secret!r} in {path}"
    k1 = visible_text(synthetic_site.conversation_paths["k1"])
    assert "[CARD]" in k1 and "[EMAIL]" in k1
    assert "Kevin Doyle" in k1  # the agent's own name stays


def test_customer_names_from_the_metadata_are_redacted_where_ner_misses_them(tmp_path: Path) -> None:
    """Patterns only (no NER): the customer's name is known from the export and never published."""
    with build_store(tmp_path / "s.duckdb") as store:
        store.connection.execute(
            "UPDATE turns SET speaker_name = 'Marcus Lindqvist' "
            "WHERE conversation_id = 'k1' AND role = 'customer'"
        )
        store.connection.execute(
            "UPDATE turns SET text = 'Hi Kevin, it''s Marcus Lindqvist. ' || text "
            "WHERE conversation_id = 'k1' AND turn = 0"
        )
        site = publish(store, *PERIOD, tmp_path / "out", redactor=Redactor(names=False))
    for path in site.all_paths():
        text = path.read_text(encoding="utf-8")
        assert "Marcus" not in text and "Lindqvist" not in text, path
    k1 = visible_text(site.conversation_paths["k1"])
    assert "it's [NAME]" in k1 and "Kevin Doyle" in k1  # the agent's name stays


def test_csv_exports_parse_and_match_the_tables(synthetic_site: PublishResult) -> None:
    report = synthetic_site.report
    assert report is not None
    assert set(synthetic_site.csv_paths) == set(report.tables)
    for key, path in synthetic_site.csv_paths.items():
        rows = read_csv(path)
        table = report.tables[key]
        assert len(rows) == len(table.rows), key
        assert list(rows[0]) == [c.key for c in table.columns] + ["example_conversations"] if rows else True
    matrix = read_csv(synthetic_site.csv_paths["transfer_matrix"])
    assert sum(int(r["transfers"]) for r in matrix) == report.matrix.total
    assert sum(float(r["share"]) for r in matrix) == pytest.approx(1.0)
    index = read_csv(synthetic_site.out_dir / "index.csv")
    assert {r["agent_id"] for r in index} == set(synthetic_site.card_paths)


def test_matrix_cells_on_the_page_add_up(synthetic_site: PublishResult) -> None:
    assert synthetic_site.report_path is not None
    html = synthetic_site.report_path.read_text(encoding="utf-8")
    cells = [int(n) for n in re.findall(r'data-count="(\d+)"', html)]
    rows = [int(n) for n in re.findall(r'data-row-total="(\d+)"', html)]
    columns = [int(n) for n in re.findall(r'data-column-total="(\d+)"', html)]
    (grand,) = [int(n) for n in re.findall(r'data-grand-total="(\d+)"', html)]
    assert sum(cells) == sum(rows) == sum(columns) == grand == 5


def test_report_sections_name_the_bounced_customer_and_the_spike(synthetic_site: PublishResult) -> None:
    assert synthetic_site.report_path is not None
    page = parse_page(synthetic_site.report_path)
    text = visible_text(synthetic_site.report_path)
    assert {"systemic", "transfer-matrix", "ping_pong", "reexplanations_by_route", "long_holds"} <= page.ids
    assert "Billing ⇄ Technical Support" in text
    assert "spike" in text and "app" in text
    assert any(link.endswith("conversations/b1.html") for link in page.links)


def test_card_json_matches_golden(synthetic_site: PublishResult) -> None:
    data = json.loads(synthetic_site.json_paths["a-kevin"].read_text(encoding="utf-8"))
    golden = GOLDEN / "card_a-kevin.json"
    if UPDATE_GOLDEN:
        golden.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))


def test_markdown_card(synthetic_site: PublishResult) -> None:
    text = synthetic_site.markdown_paths["a-kevin"].read_text(encoding="utf-8")
    assert text.startswith("# Kevin Doyle — coaching card")
    assert "## Growth areas" in text and "## Not your fault" in text
    assert "Better: I can see why that looks like a double charge; let me check it with you." in text
    assert "excluded from your score" in text
    assert "](../conversations/k1.html#turn-1)" in text


def test_index_lists_every_card_and_the_report(synthetic_site: PublishResult) -> None:
    assert synthetic_site.index_path is not None
    links = parse_page(synthetic_site.index_path).links
    assert {f"cards/{a}.html" for a in synthetic_site.card_paths} <= set(links)
    assert "routing/report.html" in links and "index.csv" in links


def test_cards_and_report_can_be_published_separately(
    synthetic_store: Store, redactor: Redactor, tmp_path: Path
) -> None:
    cards_only = publish(synthetic_store, *PERIOD, tmp_path / "cards", redactor=redactor, report=False)
    assert cards_only.report_path is None and cards_only.csv_paths == {}
    assert cards_only.index_path is not None
    assert "routing/report.html" not in parse_page(cards_only.index_path).links
    assert broken_links(tmp_path / "cards") == []
    report_only = publish(synthetic_store, *PERIOD, tmp_path / "report", redactor=redactor, cards=False)
    assert report_only.index_path is None and report_only.card_paths == {}
    assert broken_links(tmp_path / "report") == []


def test_dates_default_to_the_data_range(synthetic_store: Store, redactor: Redactor, tmp_path: Path) -> None:
    result = publish(synthetic_store, None, None, tmp_path, redactor=redactor, report=False)
    assert (result.period.start.isoformat(), result.period.end.isoformat()) == ("2026-11-10", "2026-11-22")


@pytest.mark.parametrize(
    ("dates", "version", "message"),
    [
        (("2026-11-22", "2026-11-16"), None, "before"),
        (("16/11/2026", "2026-11-22"), None, "must be a date"),
        (PERIOD, "other-rubric@9", "available: test-rubric@1.0"),
    ],
)
def test_bad_requests_are_refused_clearly(
    synthetic_store: Store, tmp_path: Path, dates: tuple[str, str], version: str | None, message: str
) -> None:
    with pytest.raises(PublishError, match=message):
        publish(synthetic_store, *dates, tmp_path, rubric_version=version, redactor=Redactor(names=False))


def test_an_empty_store_has_nothing_to_publish(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.duckdb") as store, pytest.raises(PublishError, match="no conversations"):
        publish(store, None, None, tmp_path / "out", redactor=Redactor(names=False))
