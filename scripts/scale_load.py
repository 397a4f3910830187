"""Deterministic synthetic loads for ``scripts/bench_scale.py``: templates plus public text.

    python scripts/scale_load.py OUT_DIR --conversations 1000 [--data ../shared/data] [--seed 18]

Customer turns are real public text (TweetEval sentiment and GoEmotions, from
``--data``), each used once until the pool runs out, then reused; agent turns come from
the templates below with slots filled (names, amounts, references), so they are distinct
too. Without the data folder customer turns come from templates as well (the script says
so). Contacts fall in one 7-day week, some customers come back (journeys), some contacts
are transferred (two legs and a transfer event). Writes canonical JSON Lines files;
the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEK_START = datetime(2026, 11, 15, 8, 0, tzinfo=UTC)
DEPARTMENTS = ("Billing", "Technical Support", "Sales", "Retentions", "Accounts")
FIRST_NAMES = (
    "Priya",
    "Marcus",
    "Lena",
    "Tom",
    "Aisha",
    "Diego",
    "Mei",
    "Owen",
    "Sara",
    "Jonas",
    "Ines",
    "Ravi",
)
LAST_INITIALS = "ABCDEFGHJKLMNPRSTW"
PRODUCTS = ("broadband", "mobile plan", "TV package", "router", "landline", "data add-on", "Travel Pass")
TURNS = (8, 10, 12, 12, 12, 14, 16)

OPENINGS = (
    "Thanks for contacting Brightwave {dept}, this is {agent}. How can I help today?",
    "Hello, you're through to {agent} in {dept}. What can I do for you?",
    "Good {part}, {agent} from {dept} here. How can I help?",
)
AGENT_TURNS = (
    "I'm sorry to hear that. Let me pull up your {product} account and check.",
    "I can see the charge of ${amount} on the {day} bill. Let me look into why it was applied.",
    "Thanks for waiting. I've raised reference {ref} for the {product} issue.",
    "I understand how frustrating that is. I'll credit ${amount} back to your account today.",
    "That sounds really stressful, and I want to get this fixed for you properly.",
    "Can you confirm the postcode on the account, please? Just the first half is fine.",
    "I've checked the line and the fault was cleared on {day}, but I'll run one more test now.",
    "You're right, that shouldn't have happened. I've added a note so it doesn't happen again.",
    "The {product} change will take effect from {day}; you'll get a text when it's done.",
    "As per the policy you should have read the terms before signing up for the {product}.",
    "I'm afraid I can't change that from here, but reference {ref} has everything you told me.",
    "Is there anything else about your {product} I can help with while you're here?",
    "I've booked an engineer for {day} between 8 and 12; the reference is {ref}.",
    "No problem at all. I've updated the {product} details and emailed a summary.",
)
LEADS = (
    "",
    "Okay.",
    "Right, thanks.",
    "Thanks for explaining.",
    "I see.",
    "Sure.",
    "Of course.",
    "Thanks, {customer}.",
    "Got it.",
    "Understood.",
    "Sorry about the wait.",
    "Bear with me a moment.",
)
TRANSFER_TURN = "I'll transfer you to {dept} now; they can sort out the {product} for you."
CLOSINGS = (
    "Thanks for your patience today. Have a good {part}.",
    "You're all set. Thanks for contacting Brightwave, and take care.",
    "Glad we got there. Reference {ref} if you need us again.",
)
CUSTOMER_TEMPLATES = (
    "My {product} has stopped working again and I've been on hold for {amount} minutes.",
    "Why was I charged ${amount} this month? Nobody told me about it.",
    "I already explained this to the last person about my {product}.",
    "Okay, thank you, that helps a lot.",
    "This is the third time I've called about the {product} this week.",
    "Fine. Can you at least tell me when it'll be fixed?",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = ("morning", "afternoon", "evening")


def public_customer_texts(data: Path | None) -> list[str]:
    """Distinct customer-like sentences from TweetEval and GoEmotions, in a fixed order."""
    if data is None:
        return []
    found: dict[str, None] = {}
    for name in ("tweeteval-sentiment/train.tsv", "tweeteval-sentiment/dev.tsv"):
        path = data / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    _keep(found, row.get("text") or "")
    for name in ("goemotions/train.tsv", "goemotions/dev.tsv", "goemotions/test.tsv"):
        path = data / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    _keep(found, row[0] if row else "")
    return list(found)


_MENTION = re.compile(r"@user\b|\[NAME\]|\s+")


def _keep(found: dict[str, None], text: str) -> None:
    clean = _MENTION.sub(" ", text.replace("@user", " ")).strip()
    if 12 <= len(clean) <= 280 and any(c.isalpha() for c in clean):
        found.setdefault(clean, None)


@dataclass
class _Slots:
    rng: random.Random
    number: int

    def fill(self, template: str, **fixed: str) -> str:
        rng = self.rng
        values = {
            "product": rng.choice(PRODUCTS),
            "amount": str(rng.randint(5, 240)),
            "ref": f"BW-{self.number:06d}-{rng.randint(10, 99)}",
            "day": rng.choice(DAYS),
            "part": rng.choice(PARTS),
            **fixed,
        }
        return template.format(**values)


class LoadGenerator:
    """Conversations ``0..n-1`` of one load; ``customers`` public texts (may be empty)."""

    def __init__(self, customers: list[str], seed: int = 18) -> None:
        self.rng = random.Random(seed)
        self.customers = customers
        self.next_customer = 0
        agents = []
        for number in range(60):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            name = f"{first} {LAST_INITIALS[number % len(LAST_INITIALS)]}."
            agents.append((f"a-{number:03d}", name, DEPARTMENTS[number % len(DEPARTMENTS)]))
        self.agents = agents

    def customer_text(self, slots: _Slots) -> str:
        if self.customers:
            text = self.customers[self.next_customer % len(self.customers)]
            self.next_customer += 1
            return text
        return slots.fill(self.rng.choice(CUSTOMER_TEMPLATES))

    def conversation(self, number: int, total: int) -> dict:
        rng = self.rng
        slots = _Slots(rng, number)
        customer = f"cust-{rng.randrange(max(1, int(total * 0.8))):07d}"
        started = WEEK_START + timedelta(seconds=rng.randrange(7 * 24 * 3600 - 4 * 3600))
        first = rng.choice(self.agents)
        transfer = rng.random() < 0.15
        second = rng.choice([a for a in self.agents if a[2] != first[2]]) if transfer else None
        count = rng.choice(TURNS)
        switch = count // 2 if transfer else count
        turns, clock = [], 0
        for index in range(count):
            leg = 0 if index < switch else 1
            agent = first if leg == 0 else second
            assert agent is not None
            agent_turn = index % 2 == 0
            if not agent_turn:
                text = self.customer_text(slots)
            elif index in (0, switch):
                text = slots.fill(rng.choice(OPENINGS), agent=agent[1].split()[0], dept=agent[2])
            elif transfer and index == switch - 2:
                text = slots.fill(TRANSFER_TURN, dept=second[2])  # type: ignore[index]
            elif index >= count - 2:
                text = slots.fill(rng.choice(CLOSINGS))
            else:
                lead = slots.fill(rng.choice(LEADS), customer=rng.choice(FIRST_NAMES))
                text = f"{lead} {slots.fill(rng.choice(AGENT_TURNS))}".strip()
            turns.append(
                {
                    "index": index,
                    "role": "agent" if agent_turn else "customer",
                    "speaker_id": agent[0] if agent_turn else customer,
                    "speaker_name": agent[1] if agent_turn else None,
                    "text": text,
                    "start_ms": clock,
                    "leg": leg,
                }
            )
            clock += rng.randint(4, 40) * 1000
        legs = [_leg(0, first, "inbound", "transferred" if transfer else "resolved", 0, clock)]
        events = []
        if transfer:
            at = turns[switch]["start_ms"]
            legs[0]["end_ms"] = at
            legs.append(_leg(1, second, "transfer", "resolved", at, clock))  # type: ignore[arg-type]
            events.append(
                {
                    "type": "transfer", "at_ms": at, "leg": 0, "from_leg": 0, "to_leg": 1,
                    "from_department": first[2], "to_department": second[2],  # type: ignore[index]
                    "from_agent": first[0], "to_agent": second[0], "warm": rng.random() < 0.5,  # type: ignore[index]
                }
            )  # fmt: skip
        return {
            "schema_version": "1.0",
            "id": f"S-{number:07d}",
            "channel": "chat",
            "customer_id": customer,
            "started_at": started.isoformat().replace("+00:00", "Z"),
            "ended_at": (started + timedelta(milliseconds=clock)).isoformat().replace("+00:00", "Z"),
            "legs": legs,
            "turns": turns,
            "events": events,
        }

    def records(self, total: int) -> Iterator[dict]:
        for number in range(total):
            yield self.conversation(number, total)


def _leg(index: int, agent: tuple[str, str, str], via: str, ended: str, start: int, end: int) -> dict:
    return {
        "index": index, "participant_role": "agent", "agent_id": agent[0], "agent_name": agent[1],
        "department": agent[2], "started_via": via, "ended_via": ended, "start_ms": start, "end_ms": end,
    }  # fmt: skip


def write_scale_load(
    out_dir: Path, total: int, data: Path | None, seed: int = 18, per_file: int = 1000
) -> dict:
    """Write ``total`` conversations as JSON Lines under ``out_dir``; returns counts."""
    customers = public_customer_texts(data if data is not None and data.is_dir() else None)
    generator = LoadGenerator(customers, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    turns = customer_turns = 0
    handle = None
    texts: set[str] = set()
    for number, record in enumerate(generator.records(total)):
        if number % per_file == 0:
            if handle is not None:
                handle.close()
            handle = (out_dir / f"scale-{number // per_file + 1:05d}.jsonl").open("w", encoding="utf-8")
        turns += len(record["turns"])
        customer_turns += sum(t["role"] == "customer" for t in record["turns"])
        texts.update(t["text"] for t in record["turns"])
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if handle is not None:
        handle.close()
    return {
        "out_dir": str(out_dir),
        "conversations": total,
        "turns": turns,
        "customer_turns": customer_turns,
        "distinct_texts": len(texts),
        "public_texts": len(customers),
        "customer_text_source": "public data" if customers else "templates (data folder absent)",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data} not found: customer turns come from templates only", file=sys.stderr)
    print(json.dumps(write_scale_load(args.out_dir, args.conversations, args.data, args.seed)))


if __name__ == "__main__":
    main()
