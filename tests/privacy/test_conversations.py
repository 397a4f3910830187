"""What ingest stores: redacted conversations and quarantine entries, originals only on opt-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.conversations import pseudonym, redact_conversations, redact_results
from privacy.engine import RedactionEngine
from privacy.policy import load_policy
from storage.store import Store
from transcripts.model import Channel, Conversation, Leg, Role, Turn
from transcripts.quarantine import Quarantined, ReasonCode
from transcripts.readers.base import DuplicateRecord

pytestmark = pytest.mark.models


def _speaker(role: Role, customer_id: str) -> str:
    return customer_id if role is Role.CUSTOMER else "a-sofia"


def _call(cid: str = "c1", customer_id: str = "cust-1") -> Conversation:
    lines = [
        (Role.AGENT, "Sofia", "Brightwave Billing, Sofia speaking. What's your account number?"),
        (Role.CUSTOMER, "Marcus Lindqvist", "It's 8821 3407. Marcus Lindqvist, I'm on Fibre 500."),
        (Role.AGENT, "Sofia", "Thanks Marcus, card 4111 1111 1111 1111 is on file."),
    ]
    return Conversation(
        id=cid,
        channel=Channel.CALL,
        customer_id=customer_id,
        legs=[Leg(index=0, agent_id="a-sofia", agent_name="Sofia")],
        turns=[
            Turn(index=i, role=role, speaker_name=name, speaker_id=_speaker(role, customer_id), text=text)
            for i, (role, name, text) in enumerate(lines)
        ],
        extra={"vendor": {"DisplayName": "Marcus Lindqvist", "Id": "6a1f-22"}},
    )  # fmt: skip


def test_a_conversation_is_stored_redacted_and_stamped(engine: RedactionEngine) -> None:
    [done] = redact_conversations([_call()], engine)
    assert [t.text for t in done.turns] == [
        "Brightwave Billing, Sofia speaking. What's your account number?",
        "It's [ACCOUNT]. [NAME], I'm on Fibre 500.",
        "Thanks [NAME], card [CARD] is on file.",
    ]
    assert [t.speaker_name for t in done.turns] == ["Sofia", None, "Sofia"]
    assert done.extra == {
        "vendor": {"DisplayName": "[NAME]", "Id": "6a1f-22"},
        "redaction": {"policy": "default@1"},
    }
    assert done.customer_id == "cust-1"


def test_a_customer_id_that_is_personal_data_becomes_a_stable_pseudonym(engine: RedactionEngine) -> None:
    first, second = redact_conversations(
        [_call("c1", "jo@example.com"), _call("c2", "jo@example.com")], engine
    )
    assert first.customer_id == second.customer_id == pseudonym("jo@example.com")
    assert first.turns[1].speaker_id == first.customer_id


def test_results_keep_their_order_and_quarantine_messages_are_redacted(engine: RedactionEngine) -> None:
    bad = Quarantined(
        "f.jsonl", "line 2", ReasonCode.UNKNOWN_ROLE, "bad role", '{"text": "card 4111 1111 1111 1111"}'
    )
    duplicate = DuplicateRecord("f.jsonl", "line 3", "c1")
    out = list(redact_results([_call("c1"), bad, duplicate, _call("c2")], engine=engine, batch_size=1))
    assert [type(r).__name__ for r in out] == [
        "Conversation",
        "Quarantined",
        "DuplicateRecord",
        "Conversation",
    ]
    assert out[1].excerpt == '{"text": "card [CARD]"}'
    assert out[2] is duplicate


@pytest.mark.parametrize("keep", [False, True])
def test_originals_are_kept_only_when_the_policy_opts_in(tmp_path: Path, keep: bool) -> None:
    policy = load_policy().model_copy(update={"keep_originals": keep, "id": "team", "version": 2})
    engine = RedactionEngine(policy)
    with Store() as store:
        run = store.start_run("test")
        store.upsert_conversations(redact_results([_call()], store, engine), run)
        con = store.connection
        assert con.execute("SELECT privacy_policy FROM conversations").fetchall() == [("team@2",)]
        originals = con.execute(
            "SELECT conversation_id, privacy_policy, raw FROM conversation_originals"
        ).fetchall()
        stored = con.execute("SELECT string_agg(text, ' ') FROM turns").fetchone()
    assert "4111" not in stored[0]
    if keep:
        assert [(cid, ref) for cid, ref, _ in originals] == [("c1", "team@2")]
        assert "4111 1111 1111 1111" in originals[0][2]
    else:
        assert originals == []


def test_redacting_a_batch_leaves_no_new_words_in_the_shared_pipeline(engine: RedactionEngine) -> None:
    """Ingest redacts each batch in a spaCy memory zone: a night's new words do not pile up."""
    strings = engine.nlp.vocab.strings
    new = "quaxelby"  # in no model vocabulary
    call = _call()
    call.turns[2].text = f"Thanks Marcus, your {new} plan and card 4111 1111 1111 1111 are on file."
    assert new not in strings
    before = len(strings)
    [zoned] = redact_results([call], engine=engine)
    assert new not in strings and len(strings) == before
    assert zoned.turns[2].text == f"Thanks [NAME], your {new} plan and card [CARD] are on file."
    [plain] = redact_conversations([call], engine)  # outside any zone: the word stays
    assert new in strings
    assert plain == zoned
