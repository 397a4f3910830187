"""Publishing settings (thresholds, limits, phrase files) read from ``rendering/settings.yaml``.

Operations and QA teams edit the YAML; code only reads it::

    settings = load_settings()
    settings.routing.long_hold_seconds  # 120
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from configfile import ConfigValueError, load_yaml_config

DEFAULT_SETTINGS_PATH = Path(__file__).with_name("settings.yaml")


class SettingsError(ConfigValueError):
    """The publishing settings or a file they name are missing or invalid."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodSettings(_Section):
    """How trend charts bucket time, and which stray dates default ranges leave out."""

    daily_up_to_days: int = Field(14, ge=1)
    trend_buckets: int = Field(8, ge=2, le=52)
    outlier_gap_days: int = Field(7, ge=1)
    outlier_share: float = Field(0.1, ge=0, le=1)


class CardSettings(_Section):
    """How much a coaching card shows."""

    max_strengths: int = Field(3, ge=1)
    max_growth_areas: int = Field(2, ge=1, le=2)
    max_moments: int = Field(3, ge=1, le=3)
    min_scored_legs: int = Field(1, ge=1)
    merge_name_only_agents: bool = True


class RoutingSettings(_Section):
    """Thresholds of the routing-failure report."""

    long_hold_seconds: float = Field(120, gt=0)
    long_queue_wait_seconds: float = Field(600, gt=0)
    reexplanation_criteria: tuple[str, ...] = ("repeats",)
    longest_chains: int = Field(10, ge=1)
    examples_per_line: int = Field(3, ge=1)


class SystemicSettings(_Section):
    """How contact reasons are derived and when one counts as a spike."""

    baseline_days: int = Field(28, ge=1)
    ratio: float = Field(3.0, gt=1)
    min_daily_count: int = Field(3, ge=1)
    max_p_value: float = Field(0.01, gt=0, le=1)
    min_statement_terms: int = Field(2, ge=1)
    similarity: float = Field(0.3, gt=0, le=1)
    term_overlap: float = Field(0.3, gt=0, le=1)
    top_terms: int = Field(5, ge=1)
    example_quotes: int = Field(3, ge=1)
    ignore_terms: tuple[str, ...] = ()


class Settings(_Section):
    """Everything :func:`rendering.publish.publish` needs besides the store."""

    version: int = 1
    periods: PeriodSettings = PeriodSettings()
    cards: CardSettings = CardSettings()
    routing: RoutingSettings = RoutingSettings()
    systemic: SystemicSettings = SystemicSettings()
    source: Path = Field(DEFAULT_SETTINGS_PATH, exclude=True)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate a settings YAML file (the shipped ``rendering/settings.yaml`` by default).

    Raises :class:`SettingsError` naming the file, line and key of every problem.
    """
    source = Path(path) if path is not None else DEFAULT_SETTINGS_PATH
    settings = load_yaml_config(
        source, Settings, what="settings", error=SettingsError, extra={"source": source}
    )
    return settings
