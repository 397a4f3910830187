"""Publishing's cost and memory: what the safety net checks, and rows loaded once or a group at a time.

Real redaction engine, real DuckDB stores (the synthetic store and the bundled examples through
the real ingest and analysis), real files.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from synthetic_store import PERIOD, RUBRIC
from test_incremental_publish import site

from privacy.engine import RedactionEngine, default_engine
from rendering.coaching_cards import history_period
from rendering.periods import Period
from rendering.publish import publish
from rendering.redact import Redactor, apply_spans
from rendering.settings import load_settings
from rendering.store_queries import PeriodStream, TurnRow, agent_conversations, connection_of, load_snapshot
from rendering.turn_views import quote_policy
from storage.store import Store

CARD = "card 4111 1111 1111 1111, mail jo@example.com"


@pytest.mark.models
def test_stored_text_the_same_policy_redacted_is_checked_for_known_names_only() -> None:
    redactor = Redactor(names=False)
    redactor.add_known_names(["Marcus Lindqvist"])
    ref = redactor.engine.ref
    text = f"{CARD}, Marcus here"
    full = "card [CARD], mail [EMAIL], [NAME] here"
    assert redactor.redact_many([text]) == [full]
    stored = redactor.find_many([text, text, text], policies=[ref, None, "older-policy@0"])
    assert [apply_spans(text, spans) for spans in stored] == [f"{CARD}, [NAME] here", full, full]
    with pytest.raises(ValueError, match="2 policies for 1 texts"):
        redactor.find_many([text], policies=[ref, ref])


TEXTS = [
    "Lee here, hi Marcus, my Brightwave Billing account",
    "Marcus Lindqvist and Lee Chen both called",
    "it's [PII] Lindqvist, Lee's line",
    "nothing personal at all",
    "O'Brien-Lee rang Marcus's mum",
]


@pytest.mark.models
@pytest.mark.parametrize("keep", [(), ("Lee",), ("Lee Chen", "Marcus"), ("Nobody",)])
def test_the_known_names_pass_equals_the_engines_whole_pass_where_no_recogniser_fires(
    keep: tuple[str, ...],
) -> None:
    engine = default_engine()
    names = ["Marcus Lindqvist", "Lee Chen", "Ann O'Brien-Lee", "Customer"]
    expected = engine.find_many(TEXTS, known_names=names, keep_names=keep, names=False)
    redactor = Redactor(engine, names=False)
    redactor.add_known_names(names)
    stored = redactor.find_many(TEXTS, keep, [engine.ref] * len(TEXTS))
    full = redactor.find_many(TEXTS, keep)
    as_tuples = [
        [(s.start, s.end, s.entity, s.placeholder, s.recognizer) for s in spans] for spans in expected
    ]
    for found in (stored, full):
        assert [
            [(s.start, s.end, s.label, s.replacement, s.recognizer) for s in spans] for spans in found
        ] == as_tuples


@pytest.mark.models
def test_kept_names_give_what_the_engine_gives_them() -> None:
    engine = default_engine()
    texts = ["Lee here, card 4111 1111 1111 1111", "Lee Chen, call 555-123-4567", CARD, "hi Marcus"]
    names = ["Lee Chen", "Marcus Lindqvist"]
    redactor = Redactor(engine, names=False)
    redactor.add_known_names(names)
    redactor.prepare(texts)  # cached without kept names first, as pages and cards do
    for keep in ((), ("Lee",), ("Lee Chen",), ("Marcus",)):
        expected = engine.find_many(texts, known_names=names, keep_names=keep, names=False)
        found = redactor.find_many(texts, keep)
        assert [[(s.start, s.end, s.label) for s in spans] for spans in found] == [
            [(s.start, s.end, s.entity) for s in spans] for spans in expected
        ]


@pytest.mark.models
def test_the_redactor_cache_is_bounded() -> None:
    redactor = Redactor(names=False, cache_size=3)
    texts = [f"call 555-123-{4560 + i}" for i in range(10)]
    assert redactor.redact_many(texts) == ["call [PHONE]"] * 10
    assert len(redactor._cache) == 3
    assert redactor.redact_many(texts[:2]) == ["call [PHONE]"] * 2  # forgotten ones found again


@pytest.mark.models
def test_a_call_with_more_texts_than_the_cache_loses_no_spans() -> None:
    # Cached texts are read before the call's fresh ones evict them: nothing comes back unredacted.
    redactor = Redactor(names=False, cache_size=3)
    texts = [f"call 555-123-{4560 + i}" for i in range(8)]
    assert redactor.redact_many(texts[:2]) == ["call [PHONE]"] * 2
    assert redactor.redact_many(texts) == ["call [PHONE]"] * 8
    assert len(redactor._cache) == 3


def test_a_snapshot_within_a_longer_one_equals_loading_that_period(synthetic_store: Store) -> None:
    con = connection_of(synthetic_store)
    period = Period(*(date.fromisoformat(d) for d in PERIOD))
    span = history_period(period, load_settings())
    whole = load_snapshot(con, span, RUBRIC)
    assert whole.within(span) is whole
    for part in (period, period.previous()):
        loaded, derived = load_snapshot(con, part, RUBRIC), whole.within(part)
        assert derived.period == loaded.period
        for name in ("conversations", "legs", "events", "scores", "findings", "agent_scores", "handoffs"):
            assert getattr(derived, name) == getattr(loaded, name), name
        for name in ("leg_routes", "waits", "disconnects"):
            assert getattr(derived, name) == getattr(loaded, name), name
    assert period.previous().start >= span.start and load_snapshot(con, period, RUBRIC).conversations
    with pytest.raises(ValueError, match="not within"):
        load_snapshot(con, period, RUBRIC).within(span)


@pytest.mark.models
def test_trusting_stored_turns_changes_no_byte_of_the_examples(examples_db: Path, tmp_path: Path) -> None:
    """The examples (planted personal data, redacted at ingest) published with the net trusting
    stored turns, and with a policy version no conversation records, so every text gets the
    engine's whole pass: the same site, fingerprints aside (they hash the policy)."""
    engine = default_engine()
    other = RedactionEngine(
        engine.policy.model_copy(update={"version": engine.policy.version + 1}), engine.nlp
    )
    with Store(examples_db, read_only=True) as store:
        publish(store, None, None, tmp_path / "trusting", redactor=Redactor(engine, names=False))
        publish(store, None, None, tmp_path / "full", redactor=Redactor(other, names=False))
    trusting, full = site(tmp_path / "trusting"), site(tmp_path / "full")
    for files in (trusting, full):
        del files[".qareview-pages.tsv"]
    assert len(trusting) > 50 and trusting == full


def test_a_quote_counts_as_stored_text_only_when_cut_from_its_stored_turn() -> None:
    turn = TurnRow("c", 3, 0, "customer", None, None, "my card 4111 1111 1111 1111 is blocked", None, None)
    stamped = replace(turn, redacted_by="default@1")
    assert quote_policy("card 4111 1111", stamped) == "default@1"
    assert quote_policy("card 4111 1111", turn) is None  # a store written another way
    assert quote_policy("card 4242", stamped) is None  # not the stored words
    assert quote_policy("", stamped) is None and quote_policy("card", None) is None


def test_streamed_rows_and_one_representatives_rows_equal_the_snapshots(synthetic_store: Store) -> None:
    con = connection_of(synthetic_store)
    period = Period(*(date.fromisoformat(d) for d in PERIOD))
    whole = load_snapshot(con, period, RUBRIC)
    stream = PeriodStream(con, period, RUBRIC, batch=3)  # several batches per table
    for name in ("conversations", "legs", "scores", "findings", "agent_scores", "leg_routes", "waits"):
        assert list(getattr(stream, name)) == getattr(whole, name), name
        assert list(getattr(stream, name)) == getattr(whole, name), name  # each read runs the query again
    assert len(whole.scores) > 3 and len(whole.findings) > 3
    kevin = agent_conversations(con, period, ["a-kevin"])
    assert kevin and kevin == sorted({leg.conversation_id for leg in whole.legs if leg.agent_id == "a-kevin"})
    part = load_snapshot(con, period, RUBRIC, kevin)
    assert [c.id for c in part.conversations] == [c.id for c in whole.conversations if c.id in kevin]
    assert part.findings == [f for f in whole.findings if f.conversation_id in kevin]
    assert part.scores == [s for s in whole.scores if s.conversation_id in kevin]
    assert load_snapshot(con, period, RUBRIC, scores=False).scores == []
    assert agent_conversations(con, period, ["nobody"]) == []
