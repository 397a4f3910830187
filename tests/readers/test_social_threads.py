"""Asynchronous channels: channel kinds, signatures, and team legs (never a leg per signature)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import transcripts.readers.all  # noqa: F401  (registers the readers)
from transcripts.legs import LegTracker
from transcripts.model import Channel, ChannelKind, Conversation, LegStart, Role
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.read import read_path
from transcripts.signatures import agent_signature, load_signatures

THREADS = Path(__file__).parent / "fixtures" / "social" / "threads.jsonl"
A, C, B = Role.AGENT, Role.CUSTOMER, Role.BOT


def by_id(path: Path = THREADS) -> dict[str, Conversation]:
    results = list(read_path(path))
    assert all(isinstance(r, Conversation) for r in results), results
    return {r.id: r for r in results}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "signature"),
    [
        ("Sorry for the wait! ^JK", "JK"),
        ("Thanks, we see it now. *SR", "SR"),
        ("Anything else? -Maria", "Maria"),
        ("Anything else? - Maria", "Maria"),
        ("part of the community.~ Olivia", "Olivia"),
        ("More here: apple.co/GetSupport", None),
        ("See https://support.apple.com/en-us/HT201354", None),
        ("Use the Two-Step-Verification-issues", None),
        ("Thanks! ^JK 1/2", "JK"),
        ("We are here to help!", None),
    ],
)
def test_agent_signature(text: str, signature: str | None) -> None:
    assert agent_signature(text) == signature


def test_signature_file_errors_name_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "signatures.yaml"
    bad.write_text("version: 1\npatterns:\n  - id: x\n    regex: '[\\^*](?P<nom>[A-Z]+)$'\n")
    with pytest.raises(ValueError, match=r"signatures\.yaml:4: patterns\[0\]\.regex: .*named group 'name'"):
        load_signatures(bad)


def test_channel_kind_defaults_from_channel_and_can_be_named() -> None:
    call = Conversation(id="c", channel="call")
    assert call.kind is ChannelKind.VOICE and not call.asynchronous and call.channel_kind is None
    assert Conversation(id="c", channel="chat").kind is ChannelKind.LIVE_CHAT
    email = Conversation.model_validate({"id": "c", "channel": "email"})
    assert (email.channel, email.kind, email.asynchronous) == (Channel.CHAT, ChannelKind.EMAIL, True)
    assert Conversation(id="c", channel="chat", channel_kind="social").asynchronous
    with pytest.raises(ValidationError, match="cannot be of kind 'voice'"):
        Conversation(id="c", channel="chat", channel_kind="voice")


def test_content_hash_unchanged_when_kind_not_given() -> None:
    """Contacts stored before channel kinds existed keep their hash (no spurious re-analysis)."""
    plain = Conversation(id="c", channel="chat", turns=[{"index": 0, "role": "customer", "text": "hi"}])
    data = plain.model_dump(mode="json")
    data.pop("channel_kind")
    data["turns"][0].pop("representative")
    assert Conversation.model_validate(data).content_hash() == plain.content_hash()
    assert (
        Conversation(id="c", channel="chat", channel_kind="email").content_hash()
        != Conversation(id="c", channel="chat").content_hash()
    )


def test_reader_gives_one_team_leg_whatever_the_signatures() -> None:
    threads = by_id()
    relay = threads["sig-relay"]
    assert relay.kind is ChannelKind.SOCIAL and relay.customer_id == "dana_k"
    assert len(relay.legs) == 1 and relay.legs[0].started_via is LegStart.INBOUND
    assert [t.representative for t in relay.turns if t.role is A] == ["JK", "SR", "Maria", "JK"]
    assert relay.legs[0].agent_id == "AcmeCare"
    assert relay.legs[0].team == "AcmeCare"
    assert relay.legs[0].extra["representatives"] == ["AcmeCare/JK", "AcmeCare/SR", "AcmeCare/Maria"]
    assert relay.events == []


def test_single_signature_is_the_representatives_id() -> None:
    leg = by_id()["one-rep"].legs[0]
    assert (leg.agent_id, leg.agent_name, leg.team) == ("AcmeCare/Olivia", "Olivia", "AcmeCare")


def test_brand_banter_is_one_leg() -> None:
    banter = by_id()["brand-banter"]
    assert {t.leg for t in banter.turns} == {0} and len(banter.legs) == 1


def test_bad_row_quarantines_its_thread_only(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in THREADS.read_text().splitlines()]
    rows[2]["text"] = "  "
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    results = list(read_path(path))
    bad = [r for r in results if isinstance(r, Quarantined)]
    assert sorted((q.record, q.reason) for q in bad) == [
        ("line 21", ReasonCode.INVALID_JSON),
        ("thread sig-relay", ReasonCode.EMPTY_TURN),
    ]
    assert "line 3" in next(q.message for q in bad if q.record == "thread sig-relay")
    assert {r.id for r in results if isinstance(r, Conversation)} == {"brand-banter", "one-rep"}


def test_canonical_json_on_an_asynchronous_channel_keeps_one_team(tmp_path: Path) -> None:
    """A source naming each signature as the speaker still gets one leg on a social channel."""
    record = {
        "id": "T-1",
        "channel": "social",
        "turns": [
            {"role": "customer", "text": "my parcel is lost"},
            {"role": "agent", "speaker_name": "JK", "text": "Sorry! Which order? ^JK"},
            {"role": "customer", "text": "4471"},
            {"role": "agent", "speaker_name": "SR", "text": "Found it, it ships today. *SR"},
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(record))
    [conversation] = list(read_path(path))
    assert isinstance(conversation, Conversation)
    assert conversation.kind is ChannelKind.SOCIAL and len(conversation.legs) == 1
    assert [t.representative for t in conversation.turns] == [None, "JK", None, "SR"]
    live = tmp_path / "live.json"
    live.write_text(json.dumps({**record, "id": "T-2", "channel": "chat"}))
    [chat] = list(read_path(live))
    assert isinstance(chat, Conversation) and len(chat.legs) == 2  # live chat: a new agent is a new leg


@pytest.mark.parametrize(
    ("speakers", "legs", "starts"),
    [
        # another name or signature under the account: same leg
        (
            [(C, None, None), (A, "acct", "JK"), (A, "acct", "SR"), (A, "other", None)],
            [0, 0, 0, 0],
            [LegStart.INBOUND],
        ),
        # a bot handing over is still a new leg
        (
            [(B, "bot", None), (C, None, None), (A, "acct", "JK")],
            [0, 0, 1],
            [LegStart.INBOUND, LegStart.BOT_HANDOFF],
        ),
    ],
)
def test_asynchronous_tracker(speakers, legs, starts) -> None:
    tracker = LegTracker(asynchronous=True)
    assigned = [tracker.assign(role, speaker, representative=rep) for role, speaker, rep in speakers]
    assert assigned == legs
    built, events = tracker.finish()
    assert [leg.started_via for leg in built] == starts and events == []


def test_asynchronous_tracker_opens_legs_only_with_evidence() -> None:
    tracker = LegTracker(asynchronous=True)
    assert tracker.assign(A, "acct", department="Billing", representative="JK") == 0
    assert tracker.assign(A, "acct", department="Billing", representative="SR") == 0
    assert tracker.assign(A, "acct", department="Tech", representative="SR") == 1  # stated department change
    tracker.transfer(to_department="Sales")
    assert tracker.assign(A, "acct", representative="SR") == 2  # explicit transfer
    built, events = tracker.finish()
    assert [leg.started_via for leg in built] == [LegStart.INBOUND, LegStart.TRANSFER, LegStart.TRANSFER]
    assert [leg.agent_id for leg in built] == ["acct", "acct/SR", "acct/SR"]
    assert len(events) == 1


VENDOR = Path(__file__).parent / "fixtures" / "vendor"


def _variant(tmp_path: Path, source: str, change) -> Conversation:
    document = json.loads((VENDOR / source).read_text())
    change(document)
    path = tmp_path / Path(source).name
    path.write_text(json.dumps(document))
    [conversation] = list(read_path(path))
    assert isinstance(conversation, Conversation), conversation
    return conversation


def _set_user_source(kind: str):
    def change(document: dict) -> None:
        for message in document["messages"]:
            if message["author"]["type"] == "user":
                message["source"] = {"type": kind}

    return change


@pytest.mark.parametrize(
    ("source", "change", "kind"),
    [
        ("genesys/call_transcript.json", lambda d: d.update(mediaType="email"), ChannelKind.EMAIL),
        ("genesys/call_transcript.json", lambda d: d.update(mediaType="message"), ChannelKind.MESSAGING),
        ("genesys/call_transcript.json", lambda d: d.update(mediaType="call"), ChannelKind.VOICE),
        ("intercom/conversation.json", lambda d: d["source"].update(type="email"), ChannelKind.EMAIL),
        ("intercom/conversation.json", lambda d: d["source"].update(type="twitter"), ChannelKind.SOCIAL),
        (
            "intercom/conversation.json",
            lambda d: d["source"].update(type="conversation"),
            ChannelKind.LIVE_CHAT,
        ),
        ("zendesk_sunco/messages.json", _set_user_source("whatsapp"), ChannelKind.MESSAGING),
        ("zendesk_sunco/messages.json", _set_user_source("web"), ChannelKind.LIVE_CHAT),
    ],
)
def test_vendor_readers_set_the_kind_they_know(tmp_path: Path, source, change, kind) -> None:
    assert _variant(tmp_path, source, change).kind is kind


def test_two_agents_on_an_email_thread_are_one_team(tmp_path: Path) -> None:
    def second_admin(kind: str):
        def change(document: dict) -> None:
            document["source"]["type"] = kind
            parts = document["conversation_parts"]["conversation_parts"]
            parts.append(
                {
                    "part_type": "comment",
                    "id": "p-9",
                    "created_at": 1709290000,
                    "body": "<p>Hi, Bob here, the refund went out today.</p>",
                    "author": {"type": "admin", "id": "999", "name": "Bob"},
                }
            )

        return change

    email = _variant(tmp_path, "intercom/conversation.json", second_admin("email"))
    assert len(email.legs) == 1 and email.legs[0].extra["representatives"] == ["814860", "999"]
    chat = _variant(tmp_path, "intercom/conversation.json", second_admin("conversation"))
    assert [leg.started_via for leg in chat.legs] == [LegStart.INBOUND, LegStart.TRANSFER]


def test_csv_and_text_accept_a_channel_kind(tmp_path: Path) -> None:
    csv_file = tmp_path / "threads.csv"
    csv_file.write_text(
        "conversation_id,channel,role,speaker_name,text\n"
        "E-1,email,customer,,My invoice is wrong\n"
        "E-1,email,agent,Ann,Sorry - which invoice? -Ann\n"
        "E-1,email,customer,,The March one\n"
        "E-1,email,agent,Bob,Corrected and re-sent. -Bob\n"
    )
    [from_csv] = list(read_path(csv_file))
    assert isinstance(from_csv, Conversation)
    assert from_csv.kind is ChannelKind.EMAIL and len(from_csv.legs) == 1
    assert [t.representative for t in from_csv.turns] == [None, "Ann", None, "Bob"]
    text_file = tmp_path / "thread.txt"
    text_file.write_text(
        "Conversation: M-1\nChannel: messaging\n\nCustomer: my card is blocked\n"
        "Agent (Ann): Sorry! Unblocked now ^AN\nCustomer: thanks\nAgent (Bob): Anything else? ^BO\n"
    )
    [from_text] = list(read_path(text_file))
    assert isinstance(from_text, Conversation)
    assert from_text.kind is ChannelKind.MESSAGING and len(from_text.legs) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("conversation_id,channel,role,text\nX,fax,customer,hello\n")
    [problem] = list(read_path(bad))
    assert isinstance(problem, Quarantined) and "unknown channel 'fax'" in problem.message


def test_posts_read_with_the_platforms_escapes_undone_once_and_links_left_alone(tmp_path: Path) -> None:
    rows = [
        {"thread": "t", "turn": 0, "company": "Co", "speaker": "ann", "text": "@Co AT&amp;T &lt;3 &amp;lt;"},
        {
            "thread": "t",
            "turn": 1,
            "company": "Co",
            "speaker": "Co",
            "text": "@ann Profile &gt; Settings: https://x.co/?a=1&copy=2&lang=en ^JK",
        },
    ]
    path = tmp_path / "escaped.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    texts = [turn.text for turn in by_id(path)["t"].turns]
    assert texts == ["@Co AT&T <3 &lt;", "@ann Profile > Settings: https://x.co/?a=1&copy=2&lang=en ^JK"]
