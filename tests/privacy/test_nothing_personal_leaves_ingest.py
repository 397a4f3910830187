"""A real ``qareview run`` over every input format, each carrying 39 kinds of personal data.

None of it may appear in any file under ``--out``, in any DuckDB table, or on stdout/stderr; the
company's and products' names must survive.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.privacy.needles import CUSTOMER, EMAIL, ENDPOINT, NEEDLES, SURVIVORS, write_sources
from transcripts.model import Conversation
from transcripts.read import iter_input_files, read_path

pytestmark = [pytest.mark.slow, pytest.mark.models, pytest.mark.prefect]

REPO = Path(__file__).resolve().parents[2]
FORMATS = {
    "json",
    "text",
    "webvtt",
    "csv",
    "contact_lens",
    "ccai_insights",
    "transcribe_call_analytics",
    "connect_ctr",
}


def _pattern(value: str) -> re.Pattern[str]:
    """``value`` as written, not inside a longer word or number."""
    return re.compile(r"(?<![0-9A-Za-z])" + re.escape(value) + r"(?![0-9A-Za-z])")


SEARCHED = {kind: _pattern(value) for kind, value, _ in NEEDLES}
SEARCHED |= {"customer endpoint": _pattern(ENDPOINT), "customer name (metadata)": _pattern(CUSTOMER)}


def _leaks(text: str) -> list[str]:
    return sorted(kind for kind, pattern in SEARCHED.items() if pattern.search(text))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("needles")
    source, out = root / "source", root / "out"
    write_sources(source)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("QAREVIEW_PRIVACY_POLICY", None)
    command = [sys.executable, "-c", "from qareview.cli import main; main()", "run", str(source),
               "--db", str(out / "qareview.duckdb"), "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return source, out, done


def test_the_sources_carry_every_needle_in_every_format(run: tuple[Path, Path, object]) -> None:
    source, _, _ = run
    assert len(NEEDLES) >= 37
    formats: set[str] = set()
    for path in iter_input_files([source]):
        for result in read_path(path):
            if isinstance(result, Conversation):
                formats.add(result.source_format or "")
                text = " ".join(t.text for t in result.turns) or str(result.customer_id)
                assert _leaks(text), f"{path}: no needles read"  # the test input itself is not redacted
    assert formats == FORMATS


def test_no_needle_in_any_output_file(run: tuple[Path, Path, object]) -> None:
    _, out, _ = run
    files = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith("qareview.duckdb")]
    assert len(files) > 5
    found = {
        str(p.relative_to(out)): leaks for p in files if (leaks := _leaks(p.read_text(errors="replace")))
    }
    assert found == {}


def test_no_needle_in_any_table(run: tuple[Path, Path, object]) -> None:
    _, out, _ = run
    con = duckdb.connect(str(out / "qareview.duckdb"), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        found, rows = {}, 0
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
                rows += 1
                if leaks := _leaks(" | ".join(str(v) for v in row)):
                    found.setdefault(table, set()).update(leaks)
        stored = con.execute("SELECT count(*), count(DISTINCT privacy_policy) FROM conversations").fetchone()
        policies = con.execute("SELECT DISTINCT privacy_policy FROM conversations").fetchall()
        originals = con.execute("SELECT count(*) FROM conversation_originals").fetchone()
        turns = " ".join(t for (t,) in con.execute("SELECT text FROM turns").fetchall())
    finally:
        con.close()
    assert found == {}
    assert rows > 100
    assert stored == (9, 1) and policies == [("default@1",)]
    assert originals == (0,)  # keeping originals is opt-in
    for name in SURVIVORS:
        assert name in turns


def test_no_needle_on_stdout_or_stderr(run: tuple[Path, Path, subprocess.CompletedProcess[str]]) -> None:
    _, _, done = run
    assert "quarantined 1" in done.stdout or "quarantined" in done.stdout
    assert _leaks(done.stdout) == []
    assert _leaks(done.stderr) == []
    assert EMAIL not in done.stdout + done.stderr
