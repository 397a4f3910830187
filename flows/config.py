"""Defaults of the nightly flow, read from ``flows/nightly.yaml``.

Unknown keys and bad values fail at load time with the file name, so a typo in a
deployment's copy never silently falls back to a default::

    config = load_flow_config()            # the shipped defaults
    config.batch_size, config.schedule.cron

A deployment points ``$QAREVIEW_FLOW_CONFIG`` at its own copy; :func:`active_flow_config`
reads that (or the shipped file) once per process.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from configfile import ConfigValueError, load_yaml_config

DEFAULT_CONFIG_PATH = Path(__file__).with_name("nightly.yaml")
CONFIG_ENV = "QAREVIEW_FLOW_CONFIG"


class FlowConfigError(ConfigValueError):
    """The flow configuration file is missing, malformed or has invalid values."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaskConfig(_Section):
    """Shape of the local Dask cluster started for ``--dask-workers``."""

    workers: int = Field(2, ge=1)
    threads_per_worker: int = Field(1, ge=1)


class ScheduleConfig(_Section):
    """Deployment name and schedule used by ``qareview serve``."""

    deployment: str = Field("nightly", min_length=1)
    cron: str = Field("0 2 * * *", min_length=9)
    timezone: str = "Europe/Berlin"


class FlowConfig(_Section):
    """Everything the nightly flow needs to know that is not a per-run choice."""

    batch_size: int = Field(100, ge=1)
    io_retries: int = Field(2, ge=0)
    io_retry_delay_seconds: tuple[float, ...] = (2.0, 10.0)
    period_days: int = Field(7, ge=1)
    threads: int = Field(2, ge=1)
    dask: DaskConfig = DaskConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    work_dir: str = ".qareview-work"

    def work_path(self, out_dir: Path) -> Path:
        """The working folder for a run that writes to ``out_dir``."""
        path = Path(self.work_dir).expanduser()
        return path if path.is_absolute() else out_dir / path


def load_flow_config(path: Path | str | None = None) -> FlowConfig:
    """Read and validate a flow configuration file (the shipped one by default); errors say file:line: key."""
    source = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    return load_yaml_config(source, FlowConfig, what="flow configuration", error=FlowConfigError)


@cache
def active_flow_config() -> FlowConfig:
    """The file named by ``$QAREVIEW_FLOW_CONFIG``, else the shipped defaults; read once per process."""
    return load_flow_config(os.environ.get(CONFIG_ENV) or None)
