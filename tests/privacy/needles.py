"""Personal data planted in every input format the readers support, for the leak test.

``NEEDLES`` are (kind, value, sentence): the sentence a customer says, with the value in it.
:func:`write_sources` writes one conversation per format carrying every needle (and a bad record
that gets quarantined), in the shapes of ``examples/`` and ``tests/readers/fixtures``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from transcripts.model import Channel, Conversation, Leg, Role, Turn

CUSTOMER = "Harriet Templeton"
EMAIL = "harriet.t@example.co.uk"
ENDPOINT = "+442079460958"

NEEDLES: list[tuple[str, str, str]] = [
    ("card (valid checksum)", "5500 0055 5555 5559", "My card number is 5500 0055 5555 5559."),
    ("card (hyphens)", "4111-1111-1111-1111", "Or try the other one, 4111-1111-1111-1111."),
    ("card (compact)", "4539148803436467", "The debit card is 4539148803436467."),
    ("card (bad checksum)", "4929 1234 5678 9012", "The long number on the card is 4929 1234 5678 9012."),
    ("card expiry", "09/27", "It expires 09/27."),
    ("CVV", "6428", "The CVV on the back is 6428."),  # 4 digits: a 3-digit needle collides with run counts
    ("IBAN (grouped)", "GB82 WEST 1234 5698 7654 32", "My IBAN is GB82 WEST 1234 5698 7654 32."),
    ("IBAN (compact)", "DE89370400440532013000", "The German account is DE89370400440532013000."),
    ("sort code", "20-45-77", "Sort code 20-45-77."),
    ("US SSN", "536-22-8743", "My social security number is 536-22-8743."),
    ("US SSN (spaces)", "536 22 8743", "That's 536 22 8743 for the SSN."),
    ("UK NI number", "AB 12 34 56 C", "My national insurance number is AB 12 34 56 C."),
    ("UK NI number (compact)", "JG103759A", "NI number JG103759A."),
    ("account number", "88213407", "My account number is 88213407."),
    ("account number (prefixed)", "BW-4471902", "The account is BW-4471902."),
    ("reference number", "REF-449182", "The reference is REF-449182."),
    ("policy number", "55310098", "My policy number is 55310098."),
    ("UK mobile", "07911 123456", "Call me on 07911 123456."),
    ("UK landline (intl)", "+44 20 7946 0958", "Or the landline, +44 20 7946 0958."),
    ("US phone", "(212) 555-0147", "My US number is (212) 555-0147."),
    ("US phone (dashes)", "415-555-2671", "My cell is 415-555-2671."),
    ("UK postcode", "LS1 4AP", "The postcode is LS1 4AP."),
    ("US ZIP", "30318", "The zip code is 30318."),
    ("street address (UK)", "42 Kestrel Lane", "I live at 42 Kestrel Lane, Leeds."),
    ("street address (US)", "1600 Pennsylvania Avenue", "Send it to 1600 Pennsylvania Avenue."),
    ("date of birth (dd/mm/yyyy)", "14/07/1983", "My date of birth is 14/07/1983."),
    ("date of birth (d Month yyyy)", "3 March 1979", "I was born on 3 March 1979."),
    ("date of birth (ISO)", "1985-11-02", "DOB 1985-11-02."),
    ("date of birth (Month d, yyyy)", "March 4, 1990", "Her birthday is March 4, 1990."),
    ("full name", CUSTOMER, f"My name is {CUSTOMER}."),
    ("full name (other person)", "Dmitri Vasquez", "The account holder is my husband, Dmitri Vasquez."),
    ("PIN", "835271", "My PIN is 835271."),
    ("password", "Tr0ub4dor&3", "My password is Tr0ub4dor&3, I think."),
    ("security answer (maiden name)", "Fairweather", "My mother's maiden name is Fairweather."),
    ("security answer (pet)", "Biscuit", "My first pet was called Biscuit."),
    ("IP address", "192.168.14.201", "My IP address is 192.168.14.201."),
    ("e-mail", EMAIL, f"Email me at {EMAIL} please."),
    (
        "e-mail (spoken)",
        "dunn eighty-eight at mailbox",
        "It's r dot dunn eighty-eight at mailbox dot example.",
    ),
    ("spoken digits", "four one one one two two", "The number is four one one one two two three three."),
]
SURVIVORS = ("Brightwave Billing", "Fibre 500")
AGENT_LINES = [
    "Thanks for calling Brightwave Billing, this is Priya.",
    "I can see you're on Fibre 500. Can I take a few details?",
    "Thank you, go on.",
]


def conversation(
    cid: str, started: str, *, name: bool = True, customer_id: str | None = None
) -> Conversation:
    """One call in which the customer gives every needle, one per turn."""
    turns: list[Turn] = []
    lines = [(Role.AGENT, AGENT_LINES[0]), (Role.AGENT, AGENT_LINES[1])]
    for _, _, sentence in NEEDLES:
        lines += [(Role.CUSTOMER, sentence), (Role.AGENT, AGENT_LINES[2])]
    for index, (role, text) in enumerate(lines):
        agent = role is Role.AGENT
        turns.append(
            Turn(
                index=index,
                role=role,
                speaker_id="a-priya" if agent else customer_id,
                speaker_name="Priya" if agent else (CUSTOMER if name else None),
                text=text,
                start_ms=index * 4000,
                end_ms=index * 4000 + 3000,
            )
        )
    leg = Leg(index=0, agent_id="a-priya", agent_name="Priya", department="Billing", start_ms=0)
    return Conversation(
        id=cid,
        channel=Channel.CALL,
        customer_id=customer_id or f"cust-{cid}",
        started_at=f"{started}T10:00:00+00:00",
        legs=[leg],
        turns=turns,
    )


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _vtt_time(ms: int) -> str:
    return f"{_clock(ms)}.{ms % 1000:03d}"


def write_sources(root: Path) -> None:
    """Write one conversation per input format (and one bad record) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    day = "2026-11-20"
    canonical = conversation("P-json", day)
    (root / "conversations.json").write_text(
        json.dumps([canonical.model_dump(mode="json")]), encoding="utf-8"
    )
    jsonl = conversation("P-jsonl", day, customer_id=EMAIL)  # an e-mail used as the customer id
    bad = jsonl.model_dump(mode="json") | {"id": "P-bad"}
    bad["turns"][2]["role"] = "interpreter"  # quarantined: its excerpt carries the needles
    (root / "calls.jsonl").write_text(
        json.dumps(jsonl.model_dump(mode="json")) + "\n" + json.dumps(bad) + "\n", encoding="utf-8"
    )
    _write_text(root / "call-notes.txt", conversation("P-text", day))
    _write_vtt(root / "P-vtt.vtt", conversation("P-vtt", day))
    _write_csv(root / "chat-export.csv", conversation("P-csv", day))
    _write_contact_lens(root / "contact-lens", conversation("P-cl", day, name=False))
    _write_ccai(root / "ccai-insights" / "P-ccai.json", conversation("P-ccai", day, name=False))
    _write_transcribe(root / "transcribe" / "P-tca.json", conversation("P-tca", day, name=False))
    _write_ctr(root / "ctr" / "records.jsonl")


def _write_text(path: Path, c: Conversation) -> None:
    head = [
        f"Conversation: {c.id}",
        f"Customer-ID: {c.customer_id}",
        "Channel: call",
        "Date: 2026-11-20 10:00",
        "Department: Billing",
        "Agents: Priya (a-priya)=Billing",
        "",
    ]
    body = [
        f"[{_clock(t.start_ms or 0)}] "
        + ("Agent (Priya)" if t.role is Role.AGENT else "Customer")
        + f": {t.text}"
        for t in c.turns
    ]
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")


def _write_vtt(path: Path, c: Conversation) -> None:
    lines = [
        "WEBVTT",
        "",
        f"NOTE conversation={c.id} customer={c.customer_id} channel=call department=Billing "
        "agents=Priya:agent:Billing:a-priya started=2026-11-20T10:00:00+00:00",
        "",
    ]
    for t in c.turns:
        voice = "Priya" if t.role is Role.AGENT else "Customer"
        lines += [
            f"{_vtt_time(t.start_ms or 0)} --> {_vtt_time(t.end_ms or 0)}",
            f"<v {voice}>{t.text}</v>",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _write_csv(path: Path, c: Conversation) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["conversation_id", "timestamp", "role", "speaker", "agent_name", "department", "channel",
             "customer_id", "text"]
        )  # fmt: skip
        for t in c.turns:
            agent = t.role is Role.AGENT
            stamp = (
                f"2026-11-20T10:{(t.start_ms or 0) // 60000:02d}:{(t.start_ms or 0) // 1000 % 60:02d}+00:00"
            )
            writer.writerow(
                [c.id, stamp, t.role.value, "a-priya" if agent else c.customer_id, "Priya" if agent else "",
                 "Billing", "chat", c.customer_id, t.text]
            )  # fmt: skip


def _write_contact_lens(folder: Path, c: Conversation) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "JobStatus": "COMPLETED",
        "LanguageCode": "en-GB",
        "Participants": [
            {"ParticipantId": "AGENT", "ParticipantRole": "AGENT"},
            {"ParticipantId": "CUSTOMER", "ParticipantRole": "CUSTOMER"},
        ],
        "Transcript": [
            {
                "Id": f"m-{t.index}",
                "ParticipantId": "AGENT" if t.role is Role.AGENT else "CUSTOMER",
                "Content": t.text,
                "BeginOffsetMillis": t.start_ms,
                "EndOffsetMillis": t.end_ms,
            }
            for t in c.turns
        ],
    }
    name = "5e1d7c20-9a4b-4c1e-8f2d-3b6a9c0d1e2f_analysis_2026-11-20T10-00-00Z.json"
    (folder / name).write_text(json.dumps(data, indent=1), encoding="utf-8")


def _write_ccai(path: Path, c: Conversation) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [
        {
            "text": t.text,
            "role": "HUMAN_AGENT" if t.role is Role.AGENT else "CUSTOMER",
            "user_id": t.index % 2,
        }
        for t in c.turns
    ]
    path.write_text(json.dumps({"entries": entries}, indent=1), encoding="utf-8")


def _write_transcribe(path: Path, c: Conversation) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "JobName": "needles-call-0001",
        "AccountId": "210987654321",
        "JobStatus": "COMPLETED",
        "LanguageCode": "en-GB",
        "Channel": "VOICE",
        "ContentMetadata": {"Output": "Raw"},
        "Transcript": [
            {
                "Content": t.text,
                "ParticipantRole": "AGENT" if t.role is Role.AGENT else "CUSTOMER",
                "Id": f"0000-{t.index:04d}",
                "BeginOffsetMillis": t.start_ms,
                "EndOffsetMillis": t.end_ms,
                "Sentiment": "NEUTRAL",
            }
            for t in c.turns
        ],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _write_ctr(path: Path) -> None:
    """A Connect contact record (metadata only): the customer's phone number is the endpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = (
        Path(__file__).parents[1] / "readers" / "fixtures" / "vendor" / "connect_ctr" / "records_array.json"
    )
    record = json.loads(source.read_text(encoding="utf-8"))[0]
    record["CustomerEndpoint"] = {"Address": ENDPOINT, "Type": "TELEPHONE_NUMBER"}
    record["Attributes"] = {"customer_email": EMAIL, "caller_name": CUSTOMER}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
