"""Deliberate failures for rehearsing recovery: ``QAREVIEW_INJECT_FAULT``.

Operators (and the test suite) use this to check that an interrupted night loses nothing
and that the next run finishes the job. The variable holds comma-separated stage names,
optionally with the 1-based batch number for ``batch``:

    QAREVIEW_INJECT_FAULT=batch:2      # the second analyse+score batch raises
    QAREVIEW_INJECT_FAULT=publish      # publishing raises after all batches are stored

Unset (the normal case) it costs one environment lookup per task.
"""

from __future__ import annotations

import os

FAULT_ENV = "QAREVIEW_INJECT_FAULT"
STAGES = ("discover", "ingest", "batch", "store", "publish")


class InjectedFaultError(RuntimeError):
    """Raised where ``QAREVIEW_INJECT_FAULT`` asks for a failure (never retried)."""


def _requested() -> set[str]:
    value = os.environ.get(FAULT_ENV, "")
    return {item.strip() for item in value.split(",") if item.strip()}


def check_fault(stage: str, number: int | None = None) -> None:
    """Raise :class:`InjectedFaultError` when ``QAREVIEW_INJECT_FAULT`` names this stage (and number)."""
    if stage not in STAGES:
        raise ValueError(f"unknown fault stage {stage!r}; valid stages: {', '.join(STAGES)}")
    requested = _requested()
    if stage in requested or (number is not None and f"{stage}:{number}" in requested):
        where = stage if number is None else f"{stage} {number}"
        raise InjectedFaultError(f"{FAULT_ENV} asked {where} to fail")
