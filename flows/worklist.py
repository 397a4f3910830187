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

_NEEDS_WORK_SQL = """
SELECT c.id FROM conversations c
WHERE NOT EXISTS (SELECT 1 FROM trajectories t WHERE t.conversation_id = c.id AND t.leg IS NULL)
   OR (EXISTS (SELECT 1 FROM scores s WHERE s.conversation_id = c.id AND s.rubric_version <> $version)
       AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.conversation_id = c.id AND s.rubric_version = $version))
ORDER BY c.started_at NULLS LAST, c.id
"""


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


def conversations_needing_work(store: Store, rubric_version: str) -> list[str]:
    """Ids with no stored analysis, or with scores only under other rubric versions."""
    found = store.connection.execute(_NEEDS_WORK_SQL, {"version": rubric_version}).fetchall()
    return [cid for (cid,) in found]


def all_conversation_ids(store: Store) -> list[str]:
    """Every stored conversation id (a ``--full`` run), by start time then id."""
    found = store.connection.execute("SELECT id FROM conversations ORDER BY started_at NULLS LAST, id")
    return [cid for (cid,) in found.fetchall()]


def build_worklist(
    store: Store, rubric_version: str, batch_dir: Path, batch_size: int, full: bool = False
) -> Worklist:
    """Choose the conversations to work on, plan batches and write their snapshots."""
    wanted = all_conversation_ids(store) if full else conversations_needing_work(store, rubric_version)
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
