"""Publishing settings: the shipped file, overrides, and broken files rejected with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from rendering.settings import SettingsError, load_settings

FIXTURES = Path(__file__).parent / "fixtures" / "settings"


def test_shipped_settings() -> None:
    settings = load_settings()
    assert settings.routing.long_hold_seconds == 120
    assert settings.cards.max_growth_areas == 2


def test_custom_settings() -> None:
    settings = load_settings(FIXTURES / "custom.yaml")
    assert settings.routing.long_hold_seconds == 600
    assert settings.systemic.ratio == 3.0  # defaults fill what the file leaves out


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown_key.yaml", "long_hold_minutes"),
        ("negative_threshold.yaml", "routing.long_hold_seconds"),
        ("negative_threshold.yaml", "cards.max_growth_areas"),
        ("absent.yaml", "cannot read settings"),
    ],
)
def test_broken_settings_name_the_file_and_the_problem(name: str, message: str) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(FIXTURES / name)
    assert message in str(excinfo.value)
