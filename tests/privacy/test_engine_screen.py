"""The screen, annotating only where it matters, and the span cache change speed, never results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.tokens import Doc

from privacy.engine import _LEMMAS, _NOTHING, _POS, _TEXT, RedactionEngine, _broken_runs, _Prescreened

pytestmark = pytest.mark.models  # the real spaCy pipeline feeds Presidio

EVAL = Path(__file__).resolve().parents[2] / "eval" / "pii"
_MARK = re.compile(r"</?[A-Z_]+>")
# Texts for each thing a screen can find: nothing; a name NER finds mid-sentence; a capitalised
# word starting a sentence (parts of speech decide); numbers whose scores hang on context words.
EXTRA = [
    "Thanks for waiting, I have sorted that out for you.",
    "I spoke to Margaret Okafor yesterday about the bill.",
    "Calm down, I am trying to help.",
    "Sarah, can you confirm the address?",
    "Thanks. Sarah here from the billing team.",
    "It's 8821 3407",
    "the code was 4471 I think",
    "Mr Donovan called about 42 Oak Street.",
]


class _Unscreened(RedactionEngine):
    """The engine as it was before any screen: every text gets every component but the parser."""

    def _prepare(self, texts: list[str], with_ner: bool) -> tuple[dict, dict[str, Doc]]:
        disable = [c for c in ("parser", *(() if with_ner else ("ner",))) if c in self.nlp.pipe_names]
        docs = self.nlp.pipe((_broken_runs(t) for t in texts), disable=disable, batch_size=7)
        return {}, dict(zip(texts, docs, strict=True))


def _texts() -> list[str]:
    lines = [
        line for name in ("labelled.txt", "holdout.txt") for line in (EVAL / name).read_text().splitlines()
    ]
    return [_MARK.sub("", line) for line in lines if line.strip() and not line.startswith("#")] + EXTRA


def _contexts(texts: list[str]) -> list[list[str]]:
    return [["account", "number"] if i % 3 == 0 else ["pin"] if i % 3 == 1 else [] for i in range(len(texts))]


@pytest.mark.parametrize("names", [True, False])
def test_screened_spans_equal_full_parse_spans(engine: RedactionEngine, names: bool) -> None:
    texts = _texts()
    reference = _Unscreened(engine.policy, engine.nlp)
    fresh = RedactionEngine(engine.policy, engine.nlp)
    for options in ({}, {"known_names": ["Fiona Gallagher"], "keep_names": ["Priya"]}):
        for contexts in (_contexts(texts), None, _contexts(texts[::-1])[::-1]):  # cached the second time
            screened = fresh.find_many(texts, names=names, contexts=contexts, **options)
            full = reference.find_many(texts, names=names, contexts=contexts, **options)
            assert screened == full
    assert sum(map(bool, screened)) > len(texts) // 3  # the eval set has plenty to find


def test_every_kind_of_screen_result_occurs(engine: RedactionEngine) -> None:
    """The equality above covers each path: nothing more, NER alone, parts of speech, lemmas."""
    texts = _texts()
    docs = engine.nlp.pipe(texts, disable=[c for c in engine.nlp.pipe_names if c != "ner"])
    recognizers = engine._recognizers()
    needs = {engine._need(t, d, recognizers) for t, d in zip(texts, docs, strict=True)}
    assert needs == {_NOTHING, _TEXT, _POS, _LEMMAS}


def test_context_words_still_count_for_a_cached_engine(engine: RedactionEngine) -> None:
    fresh = RedactionEngine(engine.policy, engine.nlp)
    text = "It's 8821 3407"
    for _ in range(2):
        assert fresh.redact_many([text], contexts=[["your", "account", "number"]]) == ["It's [ACCOUNT]"]
        assert fresh.redact_many([text]) == [text]


def test_only_texts_where_something_fires_are_annotated_further(engine: RedactionEngine) -> None:
    quiet, name, number = (
        "Thanks for waiting, I have sorted that out.",
        "I spoke to Margaret Okafor.",
        "It's 8821 3407",
    )
    fresh = RedactionEngine(engine.policy, engine.nlp)
    fixed, parsed = fresh._prepare([quiet, name, number], with_ner=True)
    assert fixed[quiet] == ()
    assert [s.entity for s in fixed[name]] == ["PERSON"]
    assert list(parsed) == [number]  # context words can raise its score: analysed per occurrence
    assert parsed[number].has_annotation("LEMMA")
    fixed, parsed = fresh._prepare([quiet, name, number], with_ner=True)
    assert set(fixed) == {quiet, name} and list(parsed) == [number]  # the first two from the cache


def test_the_span_cache_is_bounded(engine: RedactionEngine) -> None:
    texts = [f"Order {n} from Margaret Okafor arrived." for n in range(12)] + EXTRA
    small = RedactionEngine(engine.policy, engine.nlp, cache_size=5)
    reference = _Unscreened(engine.policy, engine.nlp)
    for _ in range(2):
        assert small.find_many(texts) == reference.find_many(texts)
        assert len(small._spans) == 5


# Texts each recogniser with a ``needs`` prescreen fires on, one trigger per text, so that a
# ``needs`` missing any one of them fails the test below.
NEEDS_TEXTS = [
    "card 4111 1111 1111 1111 please",
    "expiry 09/27",
    "the CVV is 737",
    "IBAN GB82 WEST 1234 5698 7654 32",
    "sort code 20-00-00",
    "My social security number is 536-22-8743.",
    "NI number AB 12 34 56 C",
    "call (212) 555-0147",
    "or +44 20 7946 0958 from abroad",
    "my mobile is 07911 123456",
    "mail jo.smith+bills@mail.example.co.uk",
    "my IP address is 192.168.14.201",
    "the gateway is fe80::1ff:fe23:4567:890a",
    "postcode LS1 4AP",
    "the zip code is 90210",
    "I live at 42 Oak Street, Apt 5.",
    "P.O. Box 1234",
    "flat 3B",
    "my date of birth is 14/07/1983",
    "born on 3 March 1979",
    "my PIN is 4471",
    "my password is Tr0ub4dor&3",
    "passcode: 8812",
    "my memorable word is Fluffy",
    "secret word = Hunter",
    "pass word is Rosebud",
    "my mother's maiden name is Henderson",
    "my first pet was called Biscuit.",
    "my pet's name is Rex",
    "my first school was Hillside",
    "my first car was Fiesta",
    "my favourite teacher is Mrs Green",
    "my favorite film is Alien",
    "the town I was born in is Leeds",
    "my place of birth is Leeds",
    "my memorable place is Whitby",
    "the answer to my security question is Rover",
    "my security answer: Rover",
    "my account number is 88213407",
    "the reference is REF-449182",
    "It's r dot dunn eighty-eight at mailbox dot example.",
    "four one one one two two three three",
    "oh oh seven seven",
    "MY PASSWORD IS Hunter2",
]


def test_needs_never_hides_a_match(engine: RedactionEngine) -> None:
    """Each recogniser's ``needs`` prescreen gives the results it gives without it, and it fires."""
    texts = _texts() + NEEDS_TEXTS
    docs = list(engine.nlp.pipe(texts, disable=["parser"]))
    screened = [r for r in engine._recognizers() if isinstance(r.analyze, _Prescreened)]
    assert len(screened) >= 20  # the shipped policy screens most recognisers
    for recognizer in screened:
        unscreened = recognizer.analyze._analyze
        fired = 0
        for text, doc in zip(texts, docs, strict=True):
            artifacts = engine._engine.artifacts(doc, "en")
            expected = unscreened(text=text, entities=engine._entities, nlp_artifacts=artifacts)
            found = recognizer.analyze(text=text, entities=engine._entities, nlp_artifacts=artifacts)
            assert _plain(found) == _plain(expected), (recognizer.name, text)
            fired += bool(expected)
        assert fired, f"{recognizer.name} fires on none of the texts: the test would not notice a wrong needs"


def _plain(results: list) -> list[tuple[str, int, int, float]]:
    return [(r.entity_type, r.start, r.end, r.score) for r in results]
