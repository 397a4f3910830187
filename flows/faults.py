"""Deliberate failures for rehearsing recovery: ``QAREVIEW_INJECT_FAULT``.

Operators (and the test suite) use this to check that an interrupted night loses nothing
and that the next run finishes the job. The variable holds comma-separated stage names,
optionally with the 1-based batch number for ``batch``, and ``conversation:<id>`` for one
conversation whose analysis raises (a stand-in for a bug tripped by odd data):

    QAREVIEW_INJECT_FAULT=batch:2              # the second analyse+score batch raises
    QAREVIEW_INJECT_FAULT=publish              # publishing raises after all batches are stored
    QAREVIEW_INJECT_FAULT=page:3               # publishing raises once 3 conversation pages are done
    QAREVIEW_INJECT_FAULT=conversation:C-1003  # analysing C-1003 raises (ids: comma-free)

A ``conversation`` fault is checked where conversations are annotated (``flows.batches``):
its batch fails, is re-run one conversation at a time, and only C-1003 fails (and is
quarantined as ``analysis_failed``); its batch-mates are stored.

Unset (the normal case) it costs one environment lookup per task (per batch for
``conversation``).
"""

from __future__ import annotations

import os
from collections.abc import Collection

FAULT_ENV = "QAREVIEW_INJECT_FAULT"
STAGES = ("discover", "ingest", "batch", "store", "publish", "page")
CONVERSATION_STAGE = "conversation"  # conversation:<id>, see check_conversation_fault


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


def faulty_conversations() -> frozenset[str]:
    """Ids named as ``conversation:<id>`` in ``QAREVIEW_INJECT_FAULT`` (one environment lookup)."""
    prefix = f"{CONVERSATION_STAGE}:"
    return frozenset(item.removeprefix(prefix) for item in _requested() if item.startswith(prefix))


def check_conversation_fault(conversation_id: str, faulty: Collection[str]) -> None:
    """Raise :class:`InjectedFaultError` when ``conversation_id`` is one of ``faulty``."""
    if conversation_id in faulty:
        raise InjectedFaultError(f"{FAULT_ENV} asked conversation {conversation_id} to fail")
