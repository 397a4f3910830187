"""Shared test set-up: offline environment, Prefect settings and the one Prefect harness.

The environment is fixed before anything imports Prefect, transformers or huggingface_hub,
so no test can download a model or talk to a Prefect server outside the test session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent

_TEST_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "PREFECT_HOME": str(REPO_ROOT / ".prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}
for _name, _value in _TEST_ENV.items():
    os.environ.setdefault(_name, _value)
# Tests never talk to a real Prefect server, whatever the developer's shell points at.
os.environ.pop("PREFECT_API_URL", None)

# Randomised (Hypothesis) tests draw the same examples on every run and every machine.
settings.register_profile("qareview", derandomize=True, database=None)
settings.load_profile("qareview")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server and database for the whole test session (~12 s to start).

    Request it (directly or through a module fixture) in every test that runs a flow;
    it is not autouse, so tests that do not need Prefect do not pay for it.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):
        yield
