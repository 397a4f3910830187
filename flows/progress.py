"""Progress of the nightly flow's stages, for a console that wants to draw it.

The flow reports ``(stage, done, total, detail)`` as it goes: ``ingest`` per file,
``analyse`` per stored batch (in conversations), ``publish`` per step. Nobody listens
by default; ``qareview run`` listens while it runs the flow in-process::

    with listening(lambda step: print(step)):
        nightly_review(...)

Listening is per process: with Dask, batches are counted as the flow stores them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """How far one stage is: ``done`` of ``total`` units (None while unknown)."""

    stage: str  # "ingest", "analyse", "publish"
    done: int
    total: int | None
    detail: str = ""


Listener = Callable[[Step], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def report(stage: str, done: int, total: int | None, detail: str = "") -> None:
    """Tell every listener how far ``stage`` is (a no-op when nobody listens)."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(Step(stage, done, total, detail))


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with every step reported while the block runs."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
