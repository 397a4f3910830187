"""Fixtures for flow tests (the Prefect harness itself is session-wide, in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def flow_env(prefect_harness: None) -> None:
    """Flow tests run under the session's Prefect harness."""
