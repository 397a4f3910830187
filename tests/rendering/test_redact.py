"""PII redaction: one table of cases per recogniser, the NER names, and broken pattern files."""

from __future__ import annotations

from pathlib import Path

import pytest

from rendering.redact import PiiConfigError, PiiSpan, Redactor, apply_spans, load_pii_config, luhn_valid

FIXTURES = Path(__file__).parent / "fixtures" / "pii"


@pytest.fixture(scope="module")
def patterns_only() -> Redactor:
    """Regex recognisers only: no spaCy model."""
    return Redactor(load_pii_config(), names=False)


PATTERN_CASES = [
    # card numbers: Luhn-checked digit runs, grouped or not
    ("card 4111 1111 1111 1111 please", "card [CARD] please"),
    ("card 4111-1111-1111-1111", "card [CARD]"),
    ("4111111111111111", "[CARD]"),
    ("amex 3782 822463 10005 ok", "amex [CARD] ok"),
    ("not a card: 4111 1111 1111 1112", "not a card: 4111 1111 1111 1112"),
    ("order 123456789012 shipped", "order 123456789012 shipped"),
    # phone numbers
    ("call me on 555-123-4567", "call me on [PHONE]"),
    ("call (555) 123-4567 today", "call [PHONE] today"),
    ("or +44 20 7946 0958 from abroad", "or [PHONE] from abroad"),
    ("mobile +1 415 555 2671.", "mobile [PHONE]."),
    # e-mail
    ("mail jo.smith+bills@mail.example.co.uk now", "mail [EMAIL] now"),
    ("Email me at laura.p@example.com.", "Email me at [EMAIL]."),
    ("It's r dot dunn eighty-eight at mailbox dot example. Thanks", "It's [EMAIL]. Thanks"),
    ("jo underscore smith at example dot co dot uk", "[EMAIL]"),
    ("I looked at the bill at home dot by dot", "I looked at the bill at home dot by dot"),
    # street addresses
    ("I live at 42 Oak Street, Apt 5.", "I live at [ADDRESS]."),
    ("Dana Whitfield, 17 Kestrel Lane.", "Dana Whitfield, [ADDRESS]."),
    ("send it to 1600 Pennsylvania Avenue", "send it to [ADDRESS]"),
    ("P.O. Box 1234", "[ADDRESS]"),
    # things that look like PII but are not
    ("I waited 20 minutes on the road", "I waited 20 minutes on the road"),
    (
        "ticket T-55810, account BW-4471902, $36.50 at 10:30",
        "ticket T-55810, account BW-4471902, $36.50 at 10:30",
    ),
    ("I pay for 500 megabits and get 95", "I pay for 500 megabits and get 95"),
    # vendor markers pass through untouched
    ("my card is [PII] and my email [PII]", "my card is [PII] and my email [PII]"),
    ("name [PII:NAME], phone [REDACTED]", "name [PII:NAME], phone [REDACTED]"),
]


@pytest.mark.parametrize(("text", "expected"), PATTERN_CASES)
def test_pattern_recognisers(patterns_only: Redactor, text: str, expected: str) -> None:
    assert patterns_only.redact(text) == expected


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("5500005555555559", True), ("378282246310005", True),
     ("4111111111111112", False), ("1234567890123", False), ("12a4", False)],
)  # fmt: skip
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_spans_keep_original_offsets(patterns_only: Redactor) -> None:
    text = "mail a@b.io or call 555-123-4567"
    spans = patterns_only.find(text)
    assert [(text[s.start : s.end], s.label, s.recognizer) for s in spans] == [
        ("a@b.io", "EMAIL", "email"),
        ("555-123-4567", "PHONE", "phone_north_america"),
    ]
    assert apply_spans(text, spans) == "mail [EMAIL] or call [PHONE]"


def test_earlier_recogniser_wins_overlaps(patterns_only: Redactor) -> None:
    # 16 Luhn-valid digits would also match a phone pattern in part; the card recogniser comes first.
    spans = patterns_only.find("4111 1111 1111 1111")
    assert [s.label for s in spans] == ["CARD"]


NAME_CASES = [
    ("My name is Laura Palmer and my bill doubled.", (), "My name is [NAME] and my bill doubled."),
    ("Thanks Sarah, bye.", (), "Thanks [NAME], bye."),
    ("Hi, this is Kevin from Billing.", ("Kevin",), "Hi, this is Kevin from Billing."),
    ("Hi, this is Kevin from Billing.", (), "Hi, this is [NAME] from Billing."),
    (
        "Kevin Doyle here, and Maria Santos will call you.",
        ("Kevin Doyle",),
        "Kevin Doyle here, and [NAME] will call you.",
    ),
    (
        "Calm down, I can't help you if you keep shouting.",
        (),
        "Calm down, I can't help you if you keep shouting.",
    ),
    ("[PII] told me to call back on 555-123-4567.", (), "[PII] told me to call back on [PHONE]."),
    ("I'm Dana Whitfield, card 4111 1111 1111 1111.", (), "I'm [NAME], card [CARD]."),
]


@pytest.mark.models
@pytest.mark.parametrize(("text", "keep", "expected"), NAME_CASES)
def test_names_from_spacy_ner(redactor: Redactor, text: str, keep: tuple[str, ...], expected: str) -> None:
    assert redactor.redact(text, keep_names=keep) == expected


@pytest.mark.models
def test_batch_and_single_agree(redactor: Redactor) -> None:
    texts = [case[0] for case in NAME_CASES]
    assert redactor.redact_many(texts) == [redactor.redact(t) for t in texts]


@pytest.mark.models
def test_names_recogniser_explains_itself(redactor: Redactor) -> None:
    spans = redactor.find("My name is Laura Palmer.")
    assert spans == [PiiSpan(11, 23, "NAME", "[NAME]", "spacy_ner")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown_key.yaml", "colour"),
        ("bad_regex.yaml", "invalid regex"),
        ("duplicate_name.yaml", "defined twice"),
        ("not_a_mapping.yaml", "expected a mapping"),
        ("bad_validator.yaml", "validator"),
        ("bad_yaml.yaml", "not valid YAML"),
        ("missing.yaml", "cannot read"),
    ],
)
def test_broken_pattern_files_are_rejected_with_the_reason(name: str, message: str) -> None:
    with pytest.raises(PiiConfigError) as excinfo:
        load_pii_config(FIXTURES / name)
    assert name in str(excinfo.value)
    assert message in str(excinfo.value)


def test_shipped_pattern_file_loads() -> None:
    config = load_pii_config()
    assert {r.label for r in config.recognizers} >= {"CARD", "PHONE", "EMAIL", "ADDRESS"}
    assert config.names.entity_labels == ("PERSON",)


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        # names the export knows, caught without NER; adjacent words become one placeholder
        ("Hi Sofia, it's Marcus Lindqvist.", (), "Hi Sofia, it's [NAME]."),
        ("Marcus's router again", (), "[NAME]'s router again"),
        ("Okay, Lindqvist, one moment", (), "Okay, [NAME], one moment"),
        # lower-case words and words inside other words are not names
        ("marcus is a word here, and Lindqvists too", (), "marcus is a word here, and Lindqvists too"),
        # the rep's own name is kept; earlier recognisers still win
        ("Lee here, hi Marcus", ("Lee",), "Lee here, hi [NAME]"),
        ("mail marcus@example.com", (), "mail [EMAIL]"),
        # vendor markers pass through
        ("it's [PII] Lindqvist", (), "it's [PII] [NAME]"),
    ],
)
def test_known_customer_names(text: str, keep: tuple[str, ...], expected: str) -> None:
    redactor = Redactor(load_pii_config(), names=False)
    redactor.add_known_names(["Marcus Lindqvist", "Lee Chen", "Customer", "Speaker 3", ""])
    redactor.add_known_names([])  # adding nothing new keeps the compiled pattern
    assert redactor.redact(text, keep) == expected
    assert redactor.redact("Customer care, speaker 3") == "Customer care, speaker 3"  # labels, not names


def test_adding_known_names_clears_cached_results() -> None:
    redactor = Redactor(load_pii_config(), names=False)
    assert redactor.redact("it's Marcus") == "it's Marcus"
    redactor.add_known_names(["Marcus Lindqvist"])
    assert redactor.redact("it's Marcus") == "it's [NAME]"
