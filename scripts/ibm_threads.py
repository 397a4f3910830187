"""Extract the IBM customer-care threads into the labelled set's turn file.

Reads ``../shared/data/ibm-customer-care/dev.json`` (development only; the product never
needs it) and writes ``eval/ibm-customer-care/turns.jsonl``: one line per turn with the
thread id, turn index, role, speaker handle, time, split and text. The agent's final
message (``agentURL.url_utterance``) is the thread's last turn. Splits are by thread,
from a hash of the thread id: 60 % train, 20 % calibration, 20 % test.

    python scripts/ibm_threads.py --data ../shared/data/ibm-customer-care/dev.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "eval" / "ibm-customer-care" / "turns.jsonl"


def split_of(thread_id: str) -> str:
    """Train / calibration / test by a stable hash of the thread id (60/20/20)."""
    bucket = int(hashlib.sha256(thread_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "calibration" if bucket < 8 else "test"


def thread_turns(thread: dict) -> list[dict]:
    """The thread's turns in order, the agent's final message last."""
    tid = thread["dialogHeader"]["sessionID"]
    company = thread["dialogHeader"]["company"]
    turns = []
    seen = set()
    for message in thread["dialogContent"]:
        role = "agent" if "agent" in message else "customer"
        speaker = message.get("agent") or message.get("client") or message.get("client1")
        seen.add(message["tweet_ID"])
        turns.append(
            {
                "speaker": speaker,
                "role": role,
                "at": message["datetime"],
                "tweet_id": message["tweet_ID"],
                "text": message["message"],
            }
        )
    final = thread["agentURL"]
    if final["tweet_ID"] not in seen:
        turns.append(
            {
                "speaker": company,
                "role": "agent",
                "at": None,
                "tweet_id": final["tweet_ID"],
                "text": final["url_utterance"],
            }
        )
    return [
        {"thread": tid, "turn": i, "company": company, "split": split_of(tid), **t}
        for i, t in enumerate(turns)
    ]


def main() -> None:
    """Write the turn file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="../shared/data/ibm-customer-care/dev.json")
    args = parser.parse_args()
    threads = json.loads(Path(args.data).read_text())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w") as out:
        for thread in threads:
            for turn in thread_turns(thread):
                out.write(json.dumps(turn, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
