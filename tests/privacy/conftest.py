from __future__ import annotations

import pytest

from privacy.engine import RedactionEngine, default_engine


@pytest.fixture(scope="session")
def engine() -> RedactionEngine:
    """The shipped policy's engine (one spaCy load for the session)."""
    return default_engine()
