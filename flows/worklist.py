"""Which conversations a run analyses and scores, and the batch snapshots that carry them.

A conversation needs work when it has no analysis (it is new, its content changed, which
drops its analysis and scores, or an earlier run stopped before its batch was stored), or
when it was scored under another rubric version but not under the current one. Its
journey's other contacts join it, so cross-contact repeats are scored with their context.
Because a batch's analysis and scores are committed together, "has analysis" means "done":
a re-run after an interruption picks up exactly the batches that were not stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.batches import BatchSpec, plan_batches, write_snapshot
from storage.store import Store
from transcripts.journeys import JourneyWithContinuations


@dataclass(frozen=True)
class Worklist:
    """The conversations of a run's analyse+score stage, split into batches."""

    needing_work: int  # conversations that needed analysis or scoring themselves
    journey_context: int  # other contacts of their journeys, re-scored with them
    batches: list[BatchSpec]

    @property
    def conversations(self) -> int:
        """All conversations the run analyses and scores."""
        return sum(batch.size for batch in self.batches)


def build_worklist(
    store: Store, rubric_version: str, batch_dir: Path, batch_size: int, full: bool = False
) -> Worklist:
    """Choose the conversations to work on, plan batches and write their snapshots."""
    wanted = store.conversation_ids() if full else store.conversations_needing_work(rubric_version)
    journeys = store.journeys_for(wanted) if wanted else []
    journey_of: dict[str, str] = {}
    for journey in journeys:
        for cid in journey.conversation_ids:
            journey_of.setdefault(cid, journey.id)
    first_seen = set(wanted)
    ordered = list(wanted)
    for journey in journeys:
        ordered.extend(cid for cid in journey.conversation_ids if cid not in first_seen)
        first_seen.update(journey.conversation_ids)
    # Keep each journey's contacts together and in journey order.
    by_journey: dict[str, JourneyWithContinuations] = {j.id: j for j in journeys}
    planned = plan_batches(_journey_ordered(ordered, journey_of, by_journey), journey_of, batch_size)
    specs: list[BatchSpec] = []
    for number, ids in enumerate(planned, start=1):
        conversations = {c.id: c for c in store.load_conversations(ids)}
        journey_ids = dict.fromkeys(journey_of[cid] for cid in ids if cid in journey_of)
        batch_journeys = [by_journey[jid] for jid in journey_ids]
        present = [conversations[cid] for cid in ids if cid in conversations]
        specs.append(write_snapshot(batch_dir / f"batch-{number:05d}.json", number, present, batch_journeys))
    return Worklist(needing_work=len(wanted), journey_context=len(ordered) - len(wanted), batches=specs)


def _journey_ordered(
    ordered: list[str], journey_of: dict[str, str], journeys: dict[str, JourneyWithContinuations]
) -> list[str]:
    """``ordered`` with each journey's contacts listed together, at its first appearance."""
    result: list[str] = []
    placed: set[str] = set()
    for cid in ordered:
        if cid in placed:
            continue
        jid = journey_of.get(cid)
        members = journeys[jid].conversation_ids if jid else [cid]
        result.extend(m for m in members if m not in placed)
        placed.update(members)
    return result
