"""The customer's issue statement: the first substantive thing they say in a leg or contact.

Used by ``repeats.v1`` (did the customer have to explain it again?) and ``transfers.v1``
(what was the transfer about; did the receiving agent already know?).
"""

from __future__ import annotations

import numpy as np

from nlp.annotated import AnnotatedTurn
from transcripts.model import Role


def word_count(turn: AnnotatedTurn) -> int:
    """Alphabetic tokens in the turn."""
    return sum(1 for token in turn.doc if token.is_alpha)


def substantive_customer_turns(turns: list[AnnotatedTurn], min_words: int) -> list[AnnotatedTurn]:
    """Customer turns with at least ``min_words`` words (greetings and one-word answers drop out)."""
    return [t for t in turns if t.role is Role.CUSTOMER and word_count(t) >= min_words]


def issue_statement(turns: list[AnnotatedTurn], min_words: int) -> AnnotatedTurn | None:
    """The first substantive customer turn, or None."""
    found = substantive_customer_turns(turns, min_words)
    return found[0] if found else None


def issue_sentence(turn: AnnotatedTurn, min_words: int = 6) -> tuple[int, int]:
    """Character span of the turn's first sentence with ``min_words`` words (else the whole turn)."""
    if turn.doc.has_annotation("SENT_START"):
        for sentence in turn.doc.sents:
            if sum(1 for t in sentence if t.is_alpha) >= min_words:
                return sentence.start_char, sentence.end_char
    return 0, len(turn.text)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two normalised embeddings."""
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))
