"""The redaction engine on the shipped policy: one table of cases per kind of personal data."""

from __future__ import annotations

import pytest

from privacy.engine import RedactionEngine

pytestmark = pytest.mark.models  # the real spaCy pipeline feeds Presidio

CASES = [
    # cards: Luhn-valid (Presidio) and card-shaped without a valid checksum (ours)
    ("card 4111 1111 1111 1111 please", "card [CARD] please"),
    ("card 4111-1111-1111-1111", "card [CARD]"),
    ("4111111111111111", "[CARD]"),
    ("amex 3782 822463 10005 ok", "amex [CARD] ok"),
    ("the long number is 4111 1111 1111 1112", "the long number is [CARD]"),
    ("expiry 09/27 and the CVV is 737", "expiry [EXPIRY] and the CVV is [CVV]"),
    # bank
    ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN [IBAN] please"),
    ("pay to DE89370400440532013000", "pay to [IBAN]"),
    ("sort code 20-00-00", "sort code [SORT_CODE]"),
    # national ids
    ("My social security number is 536-22-8743.", "My social security number is [SSN]."),
    ("NI number AB 12 34 56 C", "NI number [NINO]"),
    # phones
    ("call me on 555-123-4567", "call me on [PHONE]"),
    ("call (212) 555-0147 today", "call [PHONE] today"),
    ("or +44 20 7946 0958 from abroad", "or [PHONE] from abroad"),
    ("my mobile is 07911 123456", "my mobile is [PHONE]"),
    ("ring me on 07700 900123", "ring me on [PHONE]"),
    # e-mail, typed and spoken; IP
    ("mail jo.smith+bills@mail.example.co.uk now", "mail [EMAIL] now"),
    ("It's r dot dunn eighty-eight at mailbox dot example. Thanks", "It's [EMAIL]. Thanks"),
    ("my IP address is 192.168.14.201", "my IP address is [IP]"),
    # addresses and postcodes
    ("I live at 42 Oak Street, Apt 5.", "I live at [ADDRESS]."),
    ("send it to 1600 Pennsylvania Avenue", "send it to [ADDRESS]"),
    ("P.O. Box 1234", "[ADDRESS]"),
    ("postcode LS1 4AP", "postcode [POSTCODE]"),
    ("the zip code is 90210", "the zip code is [POSTCODE]"),
    # dates of birth, three ways
    ("my date of birth is 14/07/1983.", "my date of birth is [DOB]."),
    ("born on 3 March 1979", "born on [DOB]"),
    ("DOB 1985-11-02", "DOB [DOB]"),
    ("it's March 4, 1990", "it's [DOB]"),
    # secrets
    ("my PIN is 4471", "my PIN is [PIN]"),
    ("my password is Tr0ub4dor&3, ok", "my password is [PASSWORD], ok"),
    ("my mother's maiden name is Henderson", "my mother's maiden name is [SECURITY_ANSWER]"),
    ("my first pet was called Biscuit.", "my first pet was called [SECURITY_ANSWER]."),
    # account and reference numbers near context words; spoken digits
    ("my account number is 88213407", "my account number is [ACCOUNT]"),
    ("the reference is REF-449182", "the reference is [ACCOUNT]"),
    ("four one one one two two three three", "[NUMBER]"),
    # not personal data: kept as written
    ("I waited 20 minutes on the road", "I waited 20 minutes on the road"),
    ("ticket T-55810, $36.50 at 10:30", "ticket T-55810, $36.50 at 10:30"),
    ("I pay for Fibre 500 and get 95 Mbps", "I pay for Fibre 500 and get 95 Mbps"),
    ("Brightwave Billing sent the bill on 2026-11-15", "Brightwave Billing sent the bill on 2026-11-15"),
    ("the password is wrong", "the password is wrong"),
    ("my card is [PII] and my email [PII]", "my card is [PII] and my email [PII]"),
    ("name [PII:NAME], phone [REDACTED], card [CARD]", "name [PII:NAME], phone [REDACTED], card [CARD]"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_cases(engine: RedactionEngine, text: str, expected: str) -> None:
    assert engine.redact_many([text]) == [expected]


NAME_CASES = [  # (text, names to keep, expected)
    ("My name is Laura Palmer and my bill doubled.", (), "My name is [NAME] and my bill doubled."),
    ("Hi, this is Kevin from Billing.", ("Kevin",), "Hi, this is Kevin from Billing."),
    ("Kevin Doyle here; Maria Santos calls.", ("Kevin Doyle",), "Kevin Doyle here; [NAME] calls."),
    ("Calm down, I can't help you if you shout.", (), "Calm down, I can't help you if you shout."),
    ("It's an Android, a new Pixel 8.", (), "It's an Android, a new Pixel 8."),
    ("I'm Dana Whitfield, card 4111 1111 1111 1111.", (), "I'm [NAME], card [CARD]."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "keep", "expected"), NAME_CASES)
def test_names(engine: RedactionEngine, text: str, keep: tuple[str, ...], expected: str) -> None:
    assert engine.redact_many([text], keep_names=keep) == [expected]


def test_known_names_are_redacted_without_ner(engine: RedactionEngine) -> None:
    texts = ["Hi Sofia, it's Marcus Lindqvist.", "Okay, Lindqvist, one moment", "marcus in lower case"]
    known = ["Marcus Lindqvist", "Customer"]
    assert engine.redact_many(texts, known_names=known, names=False) == [
        "Hi Sofia, it's [NAME].",
        "Okay, [NAME], one moment",
        "marcus in lower case",
    ]
    assert engine.redact_many(["Customer care"], known_names=known, names=False) == ["Customer care"]


def test_previous_turn_is_context(engine: RedactionEngine) -> None:
    bare = engine.redact_many(["It's 8821 3407."])
    asked = engine.redact_many(["It's 8821 3407."], contexts=[["what's", "your", "account", "number"]])
    assert (bare, asked) == (["It's 8821 3407."], ["It's [ACCOUNT]."])


def test_every_span_says_which_recogniser_fired(engine: RedactionEngine) -> None:
    [spans] = engine.find_many(["card 4111 1111 1111 1111, Laura Palmer"])
    assert [(s.entity, s.placeholder, s.recognizer) for s in spans] == [
        ("CREDIT_CARD", "[CARD]", "CreditCardRecognizer"),
        ("PERSON", "[NAME]", "spacy_person"),
    ]


def test_batch_and_single_agree(engine: RedactionEngine) -> None:
    texts = [case[0] for case in CASES]
    assert engine.redact_many(texts) == [engine.redact_many([t])[0] for t in texts]


def test_a_long_run_of_punctuation_is_redacted_in_linear_time(engine: RedactionEngine) -> None:
    """Damaged input (200 KB of ``]``) kept spaCy's tokenizer busy for minutes; names nearby still go."""
    import time

    text = "Hi, this is Sarah Johnson, call me on 555-123-4567 " + "]" * 200_000 + " thanks Sarah Johnson"
    started = time.perf_counter()
    (redacted,) = engine.redact_many([text])
    assert time.perf_counter() - started < 20
    assert "Sarah" not in redacted and "555-123-4567" not in redacted
    assert "]" * 200_000 in redacted  # the blob itself is kept as it was
