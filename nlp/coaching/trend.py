"""A rep's overall score over time: one value per trend bucket (a day or a week).

A conversation falls in the bucket its start falls in; a bucket's value is
:func:`nlp.overall.overall_of` the rep's stored leg scores there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from nlp.coaching.rows import TrendRows
from nlp.overall import OverallOf


class Bucket(Protocol):
    """A trend bucket (``rendering.periods.Period``)."""

    def bounds(self) -> tuple[datetime, datetime]: ...  # noqa: D102


@dataclass(frozen=True)
class BucketScore:
    """The rep's overall score in one bucket and how many contacts they had there."""

    value: float | None
    contacts: int


def bucket_scores(history: TrendRows, buckets: Sequence[Bucket]) -> Callable[[str], list[BucketScore]]:
    """A function giving an agent's :class:`BucketScore` per bucket.

    Reads ``history``'s conversations, legs and agent scores once each, in order, keeping none
    of their rows (streams of the period's rows will do).
    """
    bucket_of_conversation: dict[str, int] = {}
    for conversation in history.conversations:
        if conversation.started_at is None:
            continue
        for i, bucket in enumerate(buckets):
            lo, hi = bucket.bounds()
            if lo <= conversation.started_at < hi:
                bucket_of_conversation[conversation.id] = i
                break
    contacts: dict[tuple[str, int], set[str]] = defaultdict(set)
    for leg in history.legs:
        i = bucket_of_conversation.get(leg.conversation_id)
        if leg.agent_id and i is not None:
            contacts[(leg.agent_id, i)].add(leg.conversation_id)
    overall: dict[tuple[str, int], OverallOf] = defaultdict(OverallOf)
    for row in history.agent_scores:
        i = bucket_of_conversation.get(row.conversation_id)
        if row.agent_id and i is not None:
            overall[(row.agent_id, i)].add(row.criteria or {}, row.weights or {})
    counts = {key: len(ids) for key, ids in contacts.items()}
    del contacts, bucket_of_conversation

    def trend(agent_id: str) -> list[BucketScore]:
        return [
            BucketScore(
                overall[(agent_id, i)].value if (agent_id, i) in overall else None,
                counts.get((agent_id, i), 0),
            )
            for i in range(len(buckets))
        ]

    return trend
