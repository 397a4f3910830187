"""Damage that used to cost a whole file costs only the records it touches (issue 15, ``make fuzz``).

UTF-16 with junk or a NUL spliced in, a damaged first record, mixed or CR-only line ends, a
byte-level CRLF conversion of UTF-16, short text files with a junk line: each keeps every
record the damage did not touch.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.admission import PlausibleDates
from storage.ingest import ingest_paths
from storage.store import Store
from tests.readers.conftest import split
from transcripts.detect import detect_format
from transcripts.quarantine import ReasonCode
from transcripts.read import read_path
from transcripts.readers._documents import listed_elements
from transcripts.textio import sniff_text_collapsed

JUNK = bytes(
    [0x93, 0x00, 0x01, 0xFE, 0x07, 0x00, 0x00, 0xFF, 0x10, 0x81, 0x00]
)  # odd length: shifts the line
JUNK_63 = random.Random(2026).randbytes(63)  # what the fuzzer splices in: up to 64 random bytes
CSV_HEADER = "conversation_id,timestamp,role,speaker,text"
_NOW = datetime(2026, 11, 20, tzinfo=UTC)


def _record(number: int) -> str:
    turns = [{"role": "customer", "text": f"hello {number}"}, {"role": "agent", "text": "hi"}]
    started = f"2026-11-16T09:{number:02d}:00Z"
    return json.dumps({"id": f"C-{number}", "channel": "chat", "started_at": started, "turns": turns})


def _jsonl(codec: str, count: int = 6) -> list[bytes]:
    return [_record(n).encode(codec) for n in range(1, count + 1)]


def _splice(line: bytes, at: int, junk: bytes) -> bytes:
    return line[:at] + junk + line[at:]


def _short_record(number: int) -> str:
    return json.dumps({"id": f"C-{number}", "channel": "chat", "turns": [{"role": "customer", "text": "hi"}]})


@pytest.mark.parametrize(
    ("junk_line", "sent_twice", "quarantined", "duplicates"),
    [(2, 2, ["line 2", "line 3"], 0), (2, 3, ["line 2"], 1), (1, 3, ["line 1"], 1)],
)
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_junk_and_a_duplicated_line_loses_the_junk_lines_only(
    tmp_path: Path, codec: str, junk_line: int, sent_twice: int, quarantined: list[str], duplicates: int
) -> None:
    """The last whole-file loss ``make fuzz`` found: short UTF-16 JSONL, 63 junk bytes, a line sent twice.

    With the junk line sent twice the junk was a tenth of the file, which read as ``binary``;
    junk in line 1 hid the format (``unknown_format``). Now the junk lines are quarantined and
    a clean line sent twice is a duplicate.
    """
    wide = "utf-16-le" if codec == "utf-16" else codec
    newline = "\n".encode(wide)
    lines = [_short_record(n).encode(wide) for n in range(1, 4)]
    lines[junk_line - 1] = _splice(lines[junk_line - 1], 21, JUNK_63)
    lines.insert(sent_twice, lines[sent_twice - 1])
    folder = tmp_path / "in"
    folder.mkdir()
    bom = b"\xff\xfe" if codec == "utf-16" else b""
    (folder / "calls.jsonl").write_bytes(bom + newline.join(lines) + newline)
    store = Store(":memory:")
    summary = ingest_paths([folder], store, plausible=PlausibleDates(now=_NOW))
    assert summary.invariant_holds and summary.failed_files == 0
    assert sorted(c.id for c in store.load_conversations()) == [f"C-{n}" for n in (1, 2, 3) if n != junk_line]
    assert [q.record for q in store.quarantine_entries()] == quarantined
    assert (summary.read, summary.duplicates) == (4, duplicates)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_with_a_nul_in_its_first_line_keeps_the_other_lines(write, codec: str) -> None:
    """The NUL shifts most of the head: the first character gives the byte order; detection skips line 1."""
    lines = _jsonl(codec)
    lines[0] = _splice(lines[0], 9, b"\x00")
    newline = "\n".encode(codec)
    path = write("calls.jsonl", newline.join(lines) + newline)
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-2", "C-3", "C-4", "C-5", "C-6"]
    assert [q.record for q in quarantined] == ["line 1"]


def test_a_damaged_first_record_does_not_hide_the_format(write) -> None:
    lines = [_record(n) for n in range(1, 5)]
    lines[0] = lines[0][:20] + "[" * 100_000 + lines[0][20:]  # longer than the sniffed head
    path = write("calls.jsonl", "\n".join(lines) + "\n")
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-2", "C-3", "C-4"]
    assert [q.record for q in quarantined] == ["line 1"]


def test_utf16_with_a_run_of_one_byte_text_is_not_binary(write) -> None:
    lines = _jsonl("utf-16-le", 4)
    lines[1] = _splice(lines[1], 30, b"[" * 70_000)
    path = write("calls.jsonl", b"\xff\xfe"[:0] + b"\n\x00".join(lines) + b"\n\x00")
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3", "C-4"]
    assert [q.record for q in quarantined] == ["line 2"]


def test_a_short_text_file_with_a_junk_line_is_not_binary(write) -> None:
    text = "\n".join(_record(n) for n in range(1, 4)).encode()
    path = write("calls.jsonl", text.replace(b"\n", b"\n" + JUNK_63 + b"\n", 1) + b"\n")
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-2", "C-3"]
    assert [(q.record, q.reason) for q in quarantined] == [("line 2", ReasonCode.BAD_ENCODING)]


@pytest.mark.parametrize("junk_line", [0, 1])
def test_a_two_line_file_with_a_junk_line_keeps_the_other_line(write, junk_line: int) -> None:
    """Two JSON Lines records, NULs and random bytes in one: the other record is read (was: binary)."""
    lines = _jsonl("utf-8", 2)
    lines[junk_line] = _splice(lines[junk_line], 20, JUNK + JUNK_63)
    conversations, quarantined = split(read_path(write("calls.jsonl", b"\n".join(lines) + b"\n")))
    assert [c.id for c in conversations] == [f"C-{2 - junk_line}"]
    assert [q.record for q in quarantined] == [f"line {junk_line + 1}"]


def test_two_lines_of_binary_bytes_are_still_binary(write) -> None:
    data = random.Random(7).randbytes(300).replace(b"\n", b"") + b"\n" + JUNK_63.replace(b"\n", b"") + b"\n"
    conversations, quarantined = split(read_path(write("blob.jsonl", data)))
    assert conversations == [] and [q.reason for q in quarantined] == [ReasonCode.BINARY]


def _csv(line_ends: list[str]) -> str:
    rows = [CSV_HEADER] + [
        f"C-{n},2026-11-16T09:0{n}:{s}0Z,{role},{role}-{n},turn {s}"
        for n in (1, 2, 3)
        for s, role in ((1, "customer"), (2, "agent"))
    ]
    return "".join(row + line_ends[i % len(line_ends)] for i, row in enumerate(rows))


@pytest.mark.parametrize("line_ends", [["\r"], ["\r", "\n"], ["\n", "\r\n", "\r"], ["\r\n", "\r"]], ids=repr)
@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_csv_with_cr_only_or_mixed_line_ends_reads_every_row(write, line_ends: list[str], codec: str) -> None:
    path = write("export.csv", _csv(line_ends).encode(codec))
    conversations, quarantined = split(read_path(path))
    assert quarantined == []
    assert [(c.id, [t.text for t in c.turns]) for c in conversations] == [
        (f"C-{n}", ["turn 1", "turn 2"]) for n in (1, 2, 3)
    ]


def test_utf16_converted_byte_by_byte_to_crlf_reads_every_record(write) -> None:
    """``unix2dos`` or Git's ``autocrlf`` on a UTF-16 LE file: each ``0a 00`` became ``0d 0a 00``."""
    data = "".join(_record(n) + "\n" for n in range(1, 4)).encode("utf-16")
    path = write("calls.jsonl", data.replace(b"\n", b"\r\n"))
    conversations, quarantined = split(read_path(path))
    assert ([c.id for c in conversations], quarantined) == (["C-1", "C-2", "C-3"], [])


def _insights_conversation(number: int) -> dict:
    segments = [
        {"text": f"where is refund {number}?", "segmentParticipant": {"role": "END_USER"}},
        {"text": "Let me check.", "segmentParticipant": {"role": "HUMAN_AGENT", "userId": "agent-7"}},
    ]
    return {
        "name": f"projects/p/locations/us-central1/conversations/{7000 + number}",
        "medium": "CHAT",
        "startTime": f"2026-11-21T20:{number:02d}:00Z",
        "transcript": {"transcriptSegments": segments},
    }


def _insights_page(count: int = 4) -> str:
    """A CCAI Insights list page as ``gcloud``/the API write it (pretty-printed)."""
    page = {"conversations": [_insights_conversation(n) for n in range(count)], "nextPageToken": "CiQK"}
    return json.dumps(page, indent=2)


def _in_element(page: str, number: int, old: str, new: str) -> str:
    """``page`` with the first ``old`` after conversation ``number``'s name replaced by ``new``."""
    at = page.index(f"/conversations/{7000 + number}")
    return page[:at] + page[at:].replace(old, new, 1)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda page: _in_element(page, 1, '"CHAT",', '"CHAT"'), ReasonCode.INVALID_JSON),  # a lost comma
        (lambda page: _in_element(page, 1, '"startTime"', '"start\x00Time'), ReasonCode.INVALID_JSON),
        (lambda page: _in_element(page, 2, "Let me", "Let\udcff me"), ReasonCode.BAD_ENCODING),  # stand-in
    ],
    ids=["syntax", "nul", "bad-byte"],
)
def test_a_damaged_ccai_list_page_loses_only_the_damaged_conversation(write, damage, reason) -> None:
    """``make fuzz``: damage anywhere in a CCAI list page used to quarantine the whole page."""
    text = damage(_insights_page())
    data = text.encode("utf-8", errors="surrogateescape")  # \udcff -> the raw byte 0xff
    conversations, quarantined = split(read_path(write("insights_page.json", data)))
    damaged = next(n for n in range(4) if f"{7000 + n}" not in {c.id for c in conversations})
    assert sorted(c.id for c in conversations) == [f"{7000 + n}" for n in range(4) if n != damaged]
    assert [(q.record, q.reason) for q in quarantined] == [(f"conversations[{damaged}]", reason)]
    assert "insights_page.json conversations[" in quarantined[0].message
    assert {c.source_format for c in conversations} == {"ccai_insights"}
    assert {c.source_record for c in conversations} == {
        f"conversations[{n}]" for n in range(4) if n != damaged
    }


def test_a_truncated_ccai_list_page_keeps_the_conversations_before_the_cut(write) -> None:
    page = _insights_page()
    cut = page[: page.index("Let me check.", page.index("/conversations/7002"))]
    conversations, quarantined = split(read_path(write("insights_page.json", cut)))
    assert [c.id for c in conversations] == ["7000", "7001"]
    assert [(q.record, q.reason) for q in quarantined] == [("conversations[2]", ReasonCode.TRUNCATED)]
    assert "(line " in quarantined[0].message


def test_an_intact_ccai_list_page_is_still_read_whole(write) -> None:
    conversations, quarantined = split(read_path(write("insights_page.json", _insights_page())))
    assert [c.id for c in conversations] == ["7000", "7001", "7002", "7003"]
    assert not quarantined


def _intercom_conversation(number: int) -> dict:
    reply = {
        "type": "conversation_part",
        "part_type": "comment",
        "body": "<p>Let me check.</p>",
        "created_at": 1764000000 + number * 600 + 30,
        "author": {"type": "admin", "id": "admin-7"},
    }
    return {
        "type": "conversation",
        "id": f"{9000 + number}",
        "created_at": 1764000000 + number * 600,
        "source": {
            "type": "conversation",
            "body": f"<p>Where is refund {number}?</p>",
            "author": {"type": "user", "id": f"u{number}"},
        },
        "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [reply]},
    }


def test_a_damaged_intercom_conversation_list_loses_only_the_damaged_conversation(write) -> None:
    page = json.dumps(
        {"type": "conversation.list", "conversations": [_intercom_conversation(n) for n in range(3)]},
        indent=2,
    )
    at = page.index('"9001"')
    damaged = page[:at] + page[at:].replace('"source": {', '"source": {{', 1)
    conversations, quarantined = split(read_path(write("intercom_list.json", damaged)))
    assert [c.id for c in conversations] == ["9000", "9002"]
    assert [(q.record, q.reason) for q in quarantined] == [("conversations[1]", ReasonCode.INVALID_JSON)]
    assert {c.source_format for c in conversations} == {"intercom"}


@pytest.mark.parametrize(
    ("damaged_line", "reason"),
    [
        (lambda line: line.replace(b'"medium"', b'"med\xffium"', 1), ReasonCode.BAD_ENCODING),  # in a string
        (lambda line: line.replace(b', "startTime"', b',\xff "startTime"', 1), ReasonCode.BAD_ENCODING),
        (lambda line: line.replace(b'"CHAT",', b'"CHAT"', 1), ReasonCode.INVALID_JSON),
        (lambda line: line[: len(line) // 2], ReasonCode.INVALID_JSON),  # cut short, the next line follows
    ],
    ids=["bad-byte-in-string", "bad-byte-between", "syntax", "cut"],
)
def test_json_lines_read_as_documents_lose_only_the_damaged_line(write, damaged_line, reason) -> None:
    """JSONL exports read by ``json_values`` (CCAI, Genesys, Connect chat...) used to lose every line
    after a broken one, and all of them for one bad byte."""
    lines = [json.dumps(_insights_conversation(n)).encode() for n in range(4)]
    lines[1] = damaged_line(lines[1])
    conversations, quarantined = split(read_path(write("insights_export.jsonl", b"\n".join(lines) + b"\n")))
    assert [c.id for c in conversations] == ["7000", "7002", "7003"]
    assert [(q.record, q.reason) for q in quarantined] == [("document 2 (line 2)", reason)]
    assert {c.source_format for c in conversations} == {"ccai_insights"}


def test_json_lines_read_as_documents_lose_only_a_damaged_first_line(write) -> None:
    lines = [json.dumps(_insights_conversation(n)).encode() for n in range(3)]
    lines[0] = lines[0].replace(b"refund", b"ref\x00und", 1)  # a raw NUL: not valid in a JSON string
    conversations, quarantined = split(read_path(write("insights_export.jsonl", b"\n".join(lines) + b"\n")))
    assert [c.id for c in conversations] == ["7001", "7002"]
    assert [(q.record, q.reason) for q in quarantined] == [("document 1 (line 1)", ReasonCode.INVALID_JSON)]


def test_a_damaged_ccai_list_page_on_one_line_says_what_it_did_not_read(write) -> None:
    """A minified page resumes at the next line: the entry says the elements after it are lost."""
    page = _insights_page().replace("\n", "").replace("  ", "")
    conversations, quarantined = split(
        read_path(write("insights_page.json", _in_element(page, 1, '"CHAT",', '"CHAT"')))
    )
    assert [c.id for c in conversations] == ["7000"]
    assert [(q.record, q.reason) for q in quarantined] == [("conversations[1]", ReasonCode.INVALID_JSON)]
    assert "elements after it on the same line, if any, were not read" in quarantined[0].message


@pytest.mark.parametrize(
    "key",
    [b'"conversatio\xed\xa0\x80ns"', b'"conver[\xb0\x90\x92\xed8\x89\xfdsations"', b'"conversatiXns"'],
    ids=["bad-bytes", "junk", "flipped-still-json"],
)
def test_a_ccai_list_page_with_a_damaged_key_keeps_its_conversations(write, key: bytes) -> None:
    """``make fuzz``: bytes spliced into ``"conversations"`` left no list to find; the page was lost."""
    page = _insights_page().encode().replace(b'"conversations"', key, 1)
    conversations, quarantined = split(read_path(write("insights_page.json", page)))
    assert [c.id for c in conversations] == ["7000", "7001", "7002", "7003"]
    assert quarantined == []


def test_a_damaged_key_and_a_damaged_conversation_cost_only_that_conversation(write) -> None:
    page = _in_element(_insights_page(), 2, '"CHAT",', '"CHAT"')
    page = page.replace('"conversations"', '"conver\x00sat\x07ions"', 1)
    conversations, quarantined = split(read_path(write("insights_page.json", page)))
    assert [c.id for c in conversations] == ["7000", "7001", "7003"]
    assert [(q.record, q.reason) for q in quarantined] == [("conversations[2]", ReasonCode.INVALID_JSON)]


def test_a_nested_list_is_never_taken_for_a_damaged_page_key(write) -> None:
    """Intercom's ``"conversation_parts": [`` is close to ``"conversations"`` but nested: never the page's.

    With the page's key beyond recognition the conversations are found by how they begin.
    """
    page = json.dumps({"type": "conversation.list", "conversations": [_intercom_conversation(0)]}, indent=2)
    page = page.replace('"conversations"', '"c\x00nv\x00rs\x00t\x00ons"', 1)
    path = write("intercom_list.json", page)
    assert listed_elements(page, path, "conversations") is None
    conversations, quarantined = split(read_path(path))
    found = [(c.id, c.source_record) for c in conversations]
    assert found == [("9000", "conversations from line 4, element 1")]
    assert [(q.record, q.reason) for q in quarantined] == [
        ("conversations before line 4", ReasonCode.INVALID_JSON)
    ]


VENDOR_FIXTURES = Path(__file__).parent / "fixtures" / "vendor"
INTERCOM_LIST = VENDOR_FIXTURES / "intercom" / "list_v1_attachments.json"


def test_an_intercom_list_whose_key_was_cut_away_keeps_the_conversations_after_it(write) -> None:
    """``make fuzz``: a deletion took ``"conversations": [`` with the start of the first conversation."""
    data = INTERCOM_LIST.read_bytes()
    cut = data[: data.index(b'"page":') + 2] + data[data.index(b'"conversation", "id": "2001"') :]
    conversations, quarantined = split(read_path(write("intercom_list.json", cut)))
    line = cut[: cut.index(b'{"type": "conversation", "id": "2002"')].count(b"\n") + 1
    assert [(c.id, c.source_record) for c in conversations] == [
        ("2002", f"conversations from line {line}, element 1")
    ]
    assert [(q.record, q.reason) for q in quarantined] == [
        (f"conversations before line {line}", ReasonCode.INVALID_JSON)
    ]
    assert "may hold elements" in quarantined[0].message


def test_an_intercom_list_with_a_flipped_key_is_still_a_list(write) -> None:
    data = INTERCOM_LIST.read_bytes().replace(b'"conversations"', b'"conversatiXns"', 1)
    conversations, quarantined = split(read_path(write("intercom_list.json", data)))
    assert [c.id for c in conversations] == ["2001", "2002"]
    assert quarantined == []


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "mixed"])
def test_a_pretty_printed_array_with_cr_line_ends_loses_only_its_broken_element(write, line_end: str) -> None:
    """``make fuzz``: with CR-only line ends the array was one line, and a broken element cost the rest."""
    text = json.dumps([json.loads(_record(n)) for n in range(1, 5)], indent=2)
    text = text.replace('"C-2",', '"C-2"', 1)  # a lost comma
    lines = text.split("\n")
    ends = ["\r", "\n", "\r\n"] if line_end == "mixed" else [line_end]
    path = write("conversations.json", "".join(line + ends[i % len(ends)] for i, line in enumerate(lines)))
    conversations, quarantined = split(read_path(path))
    assert [c.id for c in conversations] == ["C-1", "C-3", "C-4"]
    assert [(q.record, q.reason) for q in quarantined] == [("record 2", ReasonCode.INVALID_JSON)]
    assert "were not read" not in quarantined[0].message


def test_a_ccai_list_page_with_cr_line_ends_loses_only_the_damaged_conversation(write) -> None:
    page = _in_element(_insights_page(), 1, '"CHAT",', '"CHAT"').replace("\n", "\r")
    conversations, quarantined = split(read_path(write("insights_page.json", page)))
    assert [c.id for c in conversations] == ["7000", "7002", "7003"]
    assert [(q.record, q.reason) for q in quarantined] == [("conversations[1]", ReasonCode.INVALID_JSON)]
    assert "were not read" not in quarantined[0].message


def test_pretty_printed_documents_back_to_back_lose_only_the_broken_one(write) -> None:
    """A broken document among pretty-printed ones used to cost, silently, every document after it."""
    documents = [json.dumps(_insights_conversation(n), indent=2) for n in range(4)]
    documents[1] = documents[1].replace('"CHAT",', '"CHAT"', 1)
    conversations, quarantined = split(read_path(write("insights_pages.json", "\n".join(documents) + "\n")))
    assert [c.id for c in conversations] == ["7000", "7002", "7003"]
    line = documents[0].count("\n") + 2
    assert [(q.record, q.reason) for q in quarantined] == [
        (f"document 2 (line {line})", ReasonCode.INVALID_JSON)
    ]


# control bytes and bytes that do not decode, with a newline inside: the line is split in two
CONTROL_JUNK = bytes(range(1, 9)) * 12 + b"\x97\xc6\n\x98\x19\xd2" + bytes(range(14, 26)) * 8


@pytest.mark.parametrize(
    ("damage", "lost"),
    [
        (lambda line: b"\x00" + line, ["document 1 (line 1)"]),  # no longer starts with "{"
        (lambda line: line[:40] + CONTROL_JUNK + line[40:], ["document 1 (line 1)", "document 2 (line 2)"]),
    ],
    ids=["nul-before-the-first-brace", "junk-splitting-the-line"],
)
def test_json_lines_whose_first_line_is_spoiled_or_split_keep_the_other_lines(write, damage, lost) -> None:
    """``make fuzz`` (10,000 inputs): such a first line hid that the file is JSON Lines; it was lost whole."""
    lines = [json.dumps(_insights_conversation(n)).encode() for n in range(4)]
    lines[0] = damage(lines[0])
    conversations, quarantined = split(read_path(write("insights_export.jsonl", b"\n".join(lines) + b"\n")))
    assert [c.id for c in conversations] == ["7001", "7002", "7003"]
    assert [q.record for q in quarantined] == lost


CONNECT_CHAT_PAGES = VENDOR_FIXTURES / "connect_chat" / "gettranscript_pages.jsonl"


def test_a_first_line_nested_deep_does_not_let_a_weak_guess_pick_the_reader(write) -> None:
    """``make fuzz``: its head read as a weak ``transcribe_call_analytics``; now the next lines decide."""
    data = CONNECT_CHAT_PAGES.read_bytes()
    at = data.index(b'"AbsoluteTime": ') + len(b'"AbsoluteTime": ')
    nested = b"[" * 100_000 + b"1" + b"]" * 100_000 + b","
    conversations, quarantined = split(read_path(write("pages.jsonl", data[:at] + nested + data[at:])))
    assert sorted(c.id for c in conversations) == ["chat-0005", "chat-0006"]
    assert {c.source_format for c in conversations} == {"connect_chat"}
    assert [(q.record, q.reason) for q in quarantined] == [("document 1 (line 1)", ReasonCode.INVALID_JSON)]


CTR_TRUNCATED = VENDOR_FIXTURES / "connect_ctr" / "truncated_array.json"


@pytest.mark.parametrize(
    "after",
    [b'"CustomerHoldDuration": ', b'"RoutingProfile": {\n        "ARN": "arn:aws:connect:'],
    ids=["value", "inside-a-string"],
)
def test_a_value_nested_deep_in_the_first_record_does_not_hide_the_format(write, after: bytes) -> None:
    """What ``make fuzz`` found: ``{"a":`` 100,000 deep in a pretty-printed CTR array fills every head."""
    data = CTR_TRUNCATED.read_bytes()
    at = data.index(after) + len(after)
    nested = b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b","
    path = write("records.json", data[:at] + nested + data[at:])
    assert detect_format(path) == "connect_ctr"
    conversations, quarantined = split(read_path(path))
    assert conversations == []  # the fixture's second record is cut short, its first now damaged
    assert [(q.record, q.reason) for q in quarantined] == [
        ("record 1", ReasonCode.INVALID_JSON),
        ("record 2", ReasonCode.TRUNCATED),
    ]


def test_the_collapsed_head_cuts_long_repeats_only(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('[{"a": "==", "b": ' + "[" * 100 + "1" + "]" * 100 + ', "c": "ab"}]', encoding="utf-8")
    assert sniff_text_collapsed(path) == '[{"a": "==", "b": [1], "c": "ab"}]'
