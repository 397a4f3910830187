"""The page-side safety net: the ingest engine again, cached, with known and kept names."""

from __future__ import annotations

import pytest

from rendering.redact import PiiSpan, Redactor, apply_spans, redacted_at_ingest, redactor_for
from storage.store import Store
from transcripts.model import Conversation, Role, Turn

pytestmark = pytest.mark.models


def test_pages_use_the_ingest_engine_and_its_placeholders() -> None:
    redactor = Redactor(names=False)
    text = "mail a@b.io or call 555-123-4567, card [CARD] already done"
    spans = redactor.find(text)
    assert [(text[s.start : s.end], s.label, s.replacement) for s in spans] == [
        ("a@b.io", "EMAIL_ADDRESS", "[EMAIL]"),
        ("555-123-4567", "PHONE_NUMBER", "[PHONE]"),
    ]
    assert apply_spans(text, spans) == "mail [EMAIL] or call [PHONE], card [CARD] already done"


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        ("Hi Sofia, it's Marcus Lindqvist.", (), "Hi Sofia, it's [NAME]."),
        ("Marcus's router again", (), "[NAME]'s router again"),
        ("Lee here, hi Marcus", ("Lee",), "Lee here, hi [NAME]"),
        ("Lee here, hi Marcus", (), "[NAME] here, hi [NAME]"),
        ("it's [PII] Lindqvist", (), "it's [PII] [NAME]"),
    ],
)
def test_known_customer_names(text: str, keep: tuple[str, ...], expected: str) -> None:
    redactor = Redactor(names=False)
    redactor.add_known_names(["Marcus Lindqvist", "Lee Chen", "Customer", "Speaker 3", ""])
    assert redactor.redact(text, keep) == expected
    assert redactor.redact("Customer care, speaker 3") == "Customer care, speaker 3"  # labels, not names


def test_adding_known_names_clears_cached_results() -> None:
    redactor = Redactor(names=False)
    assert redactor.redact("it's Marcus") == "it's Marcus"
    redactor.add_known_names(["Marcus Lindqvist"])
    assert redactor.redact("it's Marcus") == "it's [NAME]"


def test_names_from_ner_when_the_store_was_not_redacted_at_ingest(redactor: Redactor) -> None:
    assert redactor.find("My name is Laura Palmer.") == [PiiSpan(11, 23, "PERSON", "[NAME]", "spacy_person")]
    assert redactor.redact_many(["My name is Laura Palmer.", "x"]) == ["My name is [NAME].", "x"]


def test_a_store_redacted_at_ingest_gets_no_second_ner_pass() -> None:
    turn = Turn(index=0, role=Role.CUSTOMER, text="hello")
    with Store() as store:
        run = store.start_run("test")
        store.upsert_conversations([Conversation(id="raw", channel="chat", turns=[turn])], run)
        assert not redacted_at_ingest(store.connection)
        assert redactor_for(store.connection).names
        stamped = Conversation(
            id="clean", channel="chat", turns=[turn], extra={"redaction": {"policy": "p@1"}}
        )
        store.connection.execute("DELETE FROM conversations")
        store.upsert_conversations([stamped], run)
        assert redacted_at_ingest(store.connection)
        assert not redactor_for(store.connection).names
