"""Which stored waits count as long: one rule for the routing report and the coaching cards.

A hold is long from ``hold_seconds``, a queue wait from ``queue_seconds`` (both from the
publishing settings). Example::

    >>> from types import SimpleNamespace as W
    >>> [w.kind for w in long_waits([W(conversation_id="c", kind="hold", duration_ms=130_000),
    ...                              W(conversation_id="c", kind="queue", duration_ms=130_000)], 120, 600)]
    ['hold']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class WaitLike(Protocol):
    """A stored hold (``kind="hold"``) or queue wait (``nlp.operations``)."""

    conversation_id: str
    kind: str
    duration_ms: int


W = TypeVar("W", bound=WaitLike)


def is_long(wait: WaitLike, hold_seconds: float, queue_seconds: float) -> bool:
    """Whether ``wait`` lasted at least its kind's threshold."""
    return wait.duration_ms >= (hold_seconds if wait.kind == "hold" else queue_seconds) * 1000


def long_waits(waits: Iterable[W], hold_seconds: float, queue_seconds: float) -> list[W]:
    """The long holds and queue waits among ``waits``, longest first."""
    found = [w for w in waits if is_long(w, hold_seconds, queue_seconds)]
    return sorted(found, key=lambda w: (-w.duration_ms, w.conversation_id, w.kind))
