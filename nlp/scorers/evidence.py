"""Evidence from turns: conversation, leg, turn, character span and the quoted words."""

from __future__ import annotations

from nlp.annotated import AnnotatedTurn
from nlp.findings import Evidence
from nlp.scorers.matching import Hit

MAX_QUOTE = 400


def quote_of(text: str, start: int = 0, end: int | None = None) -> str:
    """``text[start:end]``, shortened with an ellipsis past ``MAX_QUOTE`` characters."""
    span = text[start:end].strip()
    return span if len(span) <= MAX_QUOTE else span[: MAX_QUOTE - 1].rstrip() + "…"


def turn_evidence(conversation_id: str, turn: AnnotatedTurn, rule: str) -> Evidence:
    """Evidence quoting a whole turn."""
    return Evidence(
        conversation_id=conversation_id,
        leg=turn.turn.leg,
        turn=turn.index,
        char_start=0,
        char_end=len(turn.text),
        quote=quote_of(turn.text),
        rule=rule,
    )


def hit_evidence(conversation_id: str, turn: AnnotatedTurn, hit: Hit) -> Evidence:
    """Evidence quoting the sentence a pattern matched in, with the match's own span.

    ``char_start``/``char_end`` locate the matched words; the quote is the whole sentence so
    a reader sees them in context.
    """
    sentences = list(turn.doc.sents) if turn.doc.has_annotation("SENT_START") else [turn.doc[:]]
    sentence = sentences[min(hit.sentence, len(sentences) - 1)]
    return Evidence(
        conversation_id=conversation_id,
        leg=turn.turn.leg,
        turn=turn.index,
        char_start=hit.char_start,
        char_end=hit.char_end,
        quote=quote_of(turn.text, sentence.start_char, sentence.end_char),
        rule=hit.rule,
    )
