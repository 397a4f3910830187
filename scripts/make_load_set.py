"""Generate a load set: the bundled examples replicated with new conversation and customer ids.

    python scripts/make_load_set.py OUT_DIR [--conversations 1000] [--source examples]
        [--per-file 200]

Reads ``--source`` with the product readers (bad records are simply not replicated), then
writes canonical JSON Lines files of ``--per-file`` conversations each until
``--conversations`` conversations exist. Replica ``r`` of conversation ``C-1001`` of
customer ``cust-2011`` becomes ``C-1001-r007`` of ``cust-2011-r007``: contact times,
agents and departments are kept, so each replica forms the same journeys, reps get
proportionally more contacts, and published periods are unchanged. Prints a JSON line
with the counts. Deterministic: the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from transcripts.model import Conversation  # noqa: E402
from transcripts.read import iter_input_files, read_path  # noqa: E402

_PROVENANCE = {"source_file", "source_format", "source_record"}


def source_conversations(source: Path) -> list[Conversation]:
    """Every conversation the readers get out of ``source`` (first record wins per id)."""
    found: dict[str, Conversation] = {}
    for path in iter_input_files([source]):
        for result in read_path(path):
            if isinstance(result, Conversation):
                found.setdefault(result.id, result)
    return list(found.values())  # file order, then record order: deterministic


def replicas(conversations: list[Conversation], total: int) -> Iterator[dict]:
    """``total`` canonical records: replica 0, 1, ... of ``conversations`` with new ids."""
    if not conversations:
        raise SystemExit("the source has no readable conversations to replicate")
    made = 0
    replica = 0
    while made < total:
        suffix = f"-r{replica:03d}"
        for conversation in conversations:
            if made == total:
                return
            record = conversation.model_dump(mode="json", exclude=_PROVENANCE)
            record["id"] = conversation.id + suffix
            if conversation.customer_id:
                record["customer_id"] = conversation.customer_id + suffix
            yield record
            made += 1
        replica += 1


def write_load_set(source: Path, out_dir: Path, total: int, per_file: int) -> dict:
    """Write the load set; returns counts for the report line."""
    conversations = source_conversations(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    handle = None
    turns = 0
    for number, record in enumerate(replicas(conversations, total)):
        if number % per_file == 0:
            if handle is not None:
                handle.close()
            path = out_dir / f"load-{number // per_file + 1:04d}.jsonl"
            files.append(str(path))
            handle = path.open("w", encoding="utf-8")
        turns += len(record["turns"])
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if handle is not None:
        handle.close()
    return {
        "out_dir": str(out_dir),
        "conversations": total,
        "turns": turns,
        "files": len(files),
        "source_conversations": len(conversations),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--source", type=Path, default=ROOT / "examples")
    parser.add_argument("--per-file", type=int, default=200)
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.per_file < 1:
        parser.error("--conversations and --per-file must be at least 1")
    print(json.dumps(write_load_set(args.source, args.out_dir, args.conversations, args.per_file)))


if __name__ == "__main__":
    main()
