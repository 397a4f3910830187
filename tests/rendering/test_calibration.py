"""`qareview calibrate`: reading the human CSV, kappa, matching with stored scores, the page."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import duckdb
import pytest
from chromium import Chromium, require_chromium
from png import read_png
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from qareview.cli import app
from rendering.calibration import CalibrationError, cohen_kappa, compare, load_settings, read_human_csv
from rendering.calibration_page import write_calibration_page
from rendering.redact import Redactor

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = REPO / "docs" / "calibration" / "example-week.csv"
HEADER = "conversation_id,agent_id,criterion,human,notes\n"


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_matches_scikit_learn(seed: int, weighted: bool) -> None:
    rng = random.Random(seed)
    categories = [1, 2, 3, 4, 5]
    human = [rng.choice(categories) for _ in range(60)]
    machine = [h if rng.random() < 0.6 else rng.choice(categories) for h in human]
    expected = cohen_kappa_score(human, machine, labels=categories, weights="quadratic" if weighted else None)
    pairs = list(zip(human, machine, strict=True))
    assert cohen_kappa(pairs, categories, weighted) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("pass", "pass"), ("fail", "fail")], 1.0),
        ([("pass", "fail"), ("fail", "pass")], -1.0),
        ([("pass", "pass"), ("pass", "pass")], None),  # one category only: kappa is undefined
        ([], None),
    ],
)
def test_kappa_edge_cases(pairs: list[tuple[str, str]], expected: float | None) -> None:
    assert cohen_kappa(pairs, ["fail", "pass"], weighted=False) == expected


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("C-1,a,empathy,6,\n", "line 2: human score '6' is neither pass/fail nor a rating from 1 to 5"),
        ("C-1,a,empathy,,\n", "line 2: conversation_id, criterion and human must not be empty"),
        ("C-1,a,empathy,3,\nC-1,a,empathy,4,\n", "line 3: repeats line 2 (C-1, a, empathy)"),
        ("C-1,a,empathy,3,\nC-2,a,empathy,pass,\n", "criterion empathy mixes pass/fail and 1-5 ratings"),
    ],
)
def test_bad_rows_are_reported_with_their_line(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "human.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(CalibrationError) as raised:
        read_human_csv(path)
    assert [p for p in raised.value.problems if problem in p], raised.value.problems


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "human.csv"
    path.write_text("conversation,agent,score\nC-1,a,3\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match="line 1: missing column"):
        read_human_csv(path)


def _human_csv(db: Path, target: Path, flips: dict[str, int]) -> list[tuple[str, str, int]]:
    """Empathy ratings equal to the machine's, except ``flips`` (conversation -> rating)."""
    settings = load_settings()
    con = duckdb.connect(str(db), read_only=True)
    found = con.execute(
        "SELECT conversation_id, agent_id, value FROM scores WHERE criterion = 'empathy' "
        "AND attribution = 'agent' ORDER BY 1, 2"
    ).fetchall()
    con.close()
    rows = []
    for conversation, agent, value in found:
        machine = settings.scale_min + int(value * (settings.scale_max - settings.scale_min) + 0.5)
        rows.append((conversation, agent, flips.get(conversation, machine), machine))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["conversation_id", "agent_id", "criterion", "human", "notes"])
        for conversation, agent, human, _ in rows:
            writer.writerow([conversation, agent, "empathy", human, f"reviewer note on {conversation}"])
    return rows


def test_compare_with_stored_scores(synthetic_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "human.csv"
    rows = _human_csv(synthetic_db, path, {"k1": 5, "m1": 1, "b1": 4})
    con = duckdb.connect(str(synthetic_db), read_only=True)
    report = compare(read_human_csv(path), con, str(path))
    con.close()
    [empathy] = report.criteria
    pairs = [(human, machine) for _, _, human, machine in rows]
    assert empathy.compared == len(rows) and empathy.not_scored == 0
    humans, machines = [h for h, _ in pairs], [m for _, m in pairs]
    expected = cohen_kappa_score(humans, machines, labels=[1, 2, 3, 4, 5], weights="quadratic")
    assert empathy.kappa == pytest.approx(expected)
    assert empathy.exact == pytest.approx(sum(h == m for h, m in pairs) / len(pairs))
    assert sum(map(sum, empathy.confusion)) == len(rows)
    assert empathy.confusion[5 - 1][2 - 1] == 1  # k1: human 5, machine 0.2 -> 2
    # most apart first: k1 (5 vs 2) and m1 (1 vs 5) before b1 (4 vs 4: no disagreement)
    assert [p.human.conversation_id for p in report.disagreements] == ["m1", "k1"]


def test_unknown_ids_are_all_reported(synthetic_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "human.csv"
    body = "nope,a-kevin,empathy,3,\nk1,a-kevin,warmth,3,\nk1,a-sam,empathy,3,\n"
    path.write_text(HEADER + body, encoding="utf-8")
    con = duckdb.connect(str(synthetic_db), read_only=True)
    with pytest.raises(CalibrationError) as raised:
        compare(read_human_csv(path), con, "human.csv")
    con.close()
    assert raised.value.problems == [
        "human.csv line 2: conversation nope is not in the store",
        "human.csv line 3: unknown criterion 'warmth' (known: empathy, repeats, self_worth, transfers)",
        "human.csv line 4: the machine has no empathy score for agent a-sam in k1",
    ]


@pytest.fixture(scope="module")
def calibration_page(
    synthetic_db: Path, redactor: Redactor, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("calibration")
    path = out / "human.csv"
    _human_csv(synthetic_db, path, {"k1": 5, "m1": 1})
    con = duckdb.connect(str(synthetic_db), read_only=True)
    report = compare(read_human_csv(path), con, str(path))
    con.close()
    page, _ = write_calibration_page(report, out, redactor=redactor)
    return page, report


@pytest.mark.browser
@pytest.mark.models
def test_agreement_table_renders_in_chromium(calibration_page: tuple[Path, object], tmp_path: Path) -> None:
    page, report = calibration_page
    browser = Chromium(require_chromium())
    try:
        assert browser.visit(page, screenshot=tmp_path / "page.png").problems == []
        shot = browser.screenshot_element("#agreement", tmp_path / "agreement.png")
        cells = browser.evaluate(
            "[...document.querySelectorAll('#agreement tbody tr')].map(tr => "
            "[...tr.querySelectorAll('td')].map(td => td.textContent.trim()))"
        )
        confusion = browser.evaluate("document.querySelectorAll('table.confusion tbody tr').length")
    finally:
        browser.close()
    width, height, pixels = read_png(shot)
    assert width > 600 and 40 < height < 400  # a header row and one criterion row, laid out
    dark = sum(1 for row in pixels for r, g, b in row if r + g + b < 200)
    assert dark > 500  # text was drawn, not an empty box
    [empathy] = report.criteria
    assert cells == [
        ["Empathy", "1–5 rating", str(empathy.compared), "0", f"{empathy.exact * 100:.0f}%",
         f"{empathy.kappa:.2f}", "weighted κ (quadratic)", empathy.band],
    ]  # fmt: skip
    assert confusion == 5


@pytest.mark.slow
@pytest.mark.models
def test_shipped_example_compares_with_the_bundled_week(examples_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["calibrate", str(EXAMPLE_CSV), "--db", str(examples_db), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["empathy", "self_worth", "transfers"]
    assert lines[-1] == f"Agreement page: {(tmp_path / 'calibration.html').resolve()}"
    with (tmp_path / "calibration.csv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    assert len(pairs) == len(EXAMPLE_CSV.read_text(encoding="utf-8").splitlines()) - 1
