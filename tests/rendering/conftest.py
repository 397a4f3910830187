"""Fixtures for rendering tests: a hand-built store, the examples run through the real pipeline,
and both published once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))  # synthetic_store, chromium, site_checks

from synthetic_store import PERIOD, build_store  # noqa: E402

from rendering.publish import PublishResult, publish  # noqa: E402
from rendering.redact import Redactor  # noqa: E402
from storage.store import Store  # noqa: E402


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the synthetic store (built once; open it read-only in tests)."""
    path = tmp_path_factory.mktemp("synthetic") / "store.duckdb"
    build_store(path).close()
    return path


@pytest.fixture(scope="session")
def synthetic_store(synthetic_db: Path) -> Iterator[Store]:
    """The synthetic store, read-only."""
    store = Store(synthetic_db, read_only=True)
    yield store
    store.close()


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    """One redactor (and spaCy pipeline) for the whole session."""
    return Redactor()


@pytest.fixture(scope="session")
def synthetic_site(
    synthetic_store: Store, redactor: Redactor, tmp_path_factory: pytest.TempPathFactory
) -> PublishResult:
    """Cards, report and conversation pages of the synthetic store's period."""
    out = tmp_path_factory.mktemp("synthetic-site")
    return publish(synthetic_store, *PERIOD, out, redactor=redactor)


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled examples ingested, analysed and scored with the real pipeline (about a minute)."""
    from nlp.analysis import Analyzer
    from nlp.scoring import load_rubric, score_conversations
    from storage.ingest import ingest_paths

    path = tmp_path_factory.mktemp("examples") / "store.duckdb"
    with Store(path) as store:
        ingest_paths([REPO / "examples"], store)
        conversations = list(store.load_conversations())
        analyzer = Analyzer()
        annotated = analyzer.annotate(conversations)
        results = score_conversations(
            annotated, load_rubric(), store.load_journeys(), encode=analyzer.encoder.encode
        )
        store.save_analysis(annotated)
        store.save_scores(results)
    return path


@pytest.fixture(scope="session")
def examples_site(
    examples_db: Path, redactor: Redactor, tmp_path_factory: pytest.TempPathFactory
) -> PublishResult:
    """Everything published for the examples' whole range."""
    out = tmp_path_factory.mktemp("examples-site")
    with Store(examples_db, read_only=True) as store:
        return publish(store, None, None, out, redactor=redactor)
