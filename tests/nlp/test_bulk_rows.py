"""The bulk conversions of analysis and matching give exactly what the row-by-row code gave.

Analysis converts signal and sentiment rows to Python numbers in bulk, and pattern matching
splits a turn into sentences only when a pattern matched (docs/performance.md, "Analysis
outside the encoder, third pass"). These tests compare with the row-by-row reference, bit for
bit, on real parses and the real encoder pass.
"""

from __future__ import annotations

import numpy as np
import pytest

from nlp.analysis import Analyzer
from nlp.annotated import Sentiment
from nlp.politeness import PolitenessStrategies
from nlp.scorers.matching import CompiledPatterns, Hit, _phrase_tokenizer, in_question, is_negated
from nlp.sentiment import LABELS, sentiments_from_probabilities
from nlp.signals import turn_inputs
from transcripts.model import Conversation, Leg, Role, Turn

TEXTS = [
    "I've been on hold for forty minutes and nobody called me back!",
    "I'm so sorry about that, I completely understand how frustrating it is.",
    "Could you please check my account? I'm not saying you're wrong.",
    "Thanks.",
    "That's our policy, there's nothing I can do. Is there anything else?",
    "Hi, I was charged twice for my router. Why do I keep getting transferred?",
    "Okay.",
    "I apologise, I didn't mean to interrupt you. Would you mind holding?",
]


def _reference_sentiments(probabilities: np.ndarray, model: str) -> list[Sentiment]:
    """The row-by-row conversion this replaced."""
    result = []
    for row in np.asarray(probabilities, dtype=np.float64):
        score = float(np.clip(row[2] - row[0], -1.0, 1.0))
        result.append(Sentiment(label=LABELS[int(np.argmax(row))], score=score, model=model))
    return result


def test_bulk_sentiments_equal_row_by_row_bit_for_bit() -> None:
    rng = np.random.default_rng(12)
    raw = rng.random((500, 3)).astype(np.float32)
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    edges = np.array(
        [[1, 0, 0], [0, 0, 1], [0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3], [0, 1, 0], [0.2, 0.4, 0.4]],
        dtype=np.float32,
    )
    probabilities = np.concatenate([probabilities, edges])
    got = sentiments_from_probabilities(probabilities, "m")
    want = _reference_sentiments(probabilities, "m")
    assert [(s.label, s.score.hex(), s.model) for s in got] == [
        (s.label, s.score.hex(), s.model) for s in want
    ]
    assert sentiments_from_probabilities(np.zeros((0, 3), dtype=np.float32), "m") == []


def _conversation() -> Conversation:
    c, a = Role.CUSTOMER, Role.AGENT
    roles = [c, a, c, a, a, c, a, a]
    turns = [Turn(index=i, role=r, text=t, leg=0) for i, (r, t) in enumerate(zip(roles, TEXTS, strict=True))]
    return Conversation(id="bulk", channel="chat", legs=[Leg(index=0)], turns=turns)


@pytest.mark.models
def test_signal_dicts_equal_row_by_row(analyzer: Analyzer) -> None:
    [annotated] = analyzer.annotate([_conversation()])
    texts = [t.turn.text for t in annotated.turns]
    roles = [t.turn.role.value for t in annotated.turns]
    _, _, features, faces = analyzer._embed_and_classify(texts)
    heads = analyzer.signals
    readers = {h.role for h in heads.heads.values() if h.strategies}
    docs = [t.doc for t in annotated.turns]
    width = len(heads.strategy_names)
    rows = [
        analyzer.strategies.matrix([d])[0] if r in readers else np.zeros(width)
        for d, r in zip(docs, roles, strict=True)
    ]
    strategies = np.stack(rows).astype(np.float32)
    predicted = heads.predict(turn_inputs(features, roles, [len(texts)]), roles, strategies)
    want: list[dict[str, dict[str, float]]] = [{} for _ in roles]
    for name, probabilities in predicted.items():
        classes = heads.heads[name].classes
        for i, row in enumerate(probabilities):
            if not np.isnan(row[0]):
                want[i][name] = {c: round(float(v), 4) for c, v in zip(classes, row, strict=True)}
    for i, role in enumerate(roles):
        if role == "agent":
            want[i].update(analyzer.face_threats.signals(faces[i]))
    got = [t.signals for t in annotated.turns]
    assert got == want
    assert [list(g) for g in got] == [list(w) for w in want]  # same head order
    assert any(got) and all(isinstance(v, float) for g in got for d in g.values() for v in d.values())


def _reference_find(compiled: CompiledPatterns, doc) -> list[Hit]:  # type: ignore[no-untyped-def]
    """``CompiledPatterns.find`` as it was: sentences split for every doc."""
    found = []
    strings = doc.vocab.strings
    if compiled.has_tokens:
        for match_id, start, end in compiled.matcher(doc):
            found.append((compiled.entries[int(strings[match_id])], list(range(start, end))))
    if compiled.has_dependency and doc.has_annotation("DEP"):
        for match_id, token_ids in compiled.dep_matcher(doc):
            found.append((compiled.entries[int(strings[match_id])], sorted(token_ids)))
    sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    hits = set()
    for entry, token_ids in found:
        tokens = [doc[i] for i in token_ids]
        index = next((n for n, s in enumerate(sentences) if s.start <= token_ids[0] < s.end), 0)
        if "negated" in entry.unless and is_negated(tokens):
            continue
        if "question" in entry.unless and in_question(sentences[index]):
            continue
        start, end = token_ids[0], token_ids[-1] + 1
        hits.add(Hit(entry.label, entry.rule, entry.slot, start, end, doc[start].idx,
                     doc[end - 1].idx + len(doc[end - 1].text), index))  # fmt: skip
    return sorted(hits, key=lambda h: (h.start, h.end, h.label, h.rule))


@pytest.mark.models
def test_find_equals_the_always_split_reference(analyzer: Analyzer) -> None:
    from nlp.scoring import load_rubric

    rubric = load_rubric()
    sets = [PolitenessStrategies.load().patterns]
    sets += [p for c in rubric.criteria for p in vars(c.params).values() if hasattr(p, "matcher_entries")]
    assert len(sets) > 2
    docs = list(analyzer.nlp.pipe(TEXTS))
    matched = 0
    for patterns in sets:
        compiled = CompiledPatterns(patterns, analyzer.nlp.vocab)
        for doc in docs:
            got = compiled.find(doc)
            assert got == _reference_find(compiled, doc)
            matched += bool(got)
    assert 0 < matched < len(sets) * len(docs)  # both paths taken


def test_phrase_patterns_share_one_tokenizer() -> None:
    assert _phrase_tokenizer() is _phrase_tokenizer()
    assert [t.text for t in _phrase_tokenizer()("can't wait")] == ["ca", "n't", "wait"]
