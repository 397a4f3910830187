"""Pattern files compiled into spaCy matchers, and exemplar sentences embedded once.

:class:`PatternLibrary` is built once per rubric and encoder: it compiles each pattern file
per spaCy vocab (phrase and token patterns into a ``Matcher``, dependency patterns into a
``DependencyMatcher``) and embeds exemplar sentences with the same encoder as the turns::

    library = PatternLibrary(encode=encoder.encode)
    for hit in library.find(patterns, doc):
        print(hit.label, hit.rule, doc.text[hit.char_start:hit.char_end])

A pattern entry with ``"unless": ["negated"]`` is dropped when a matched token or one of its
syntactic heads is negated ("I'm **not** saying you're wrong", "there's **nothing** I can
change": see :func:`is_negated`); ``"question"`` drops matches in a sentence ending with a
question mark; ``"yours"`` drops a match on something the customer already has ("I can see **your
ticket**", "restart **your phone**": see :func:`is_yours`); ``"thanked"`` drops a match that is
what someone is thanked for ("Thanks for **your concern**": see :func:`is_thanked_for`);
``"offered"`` drops a match the agent only offers ("I **can escalate to my manager** if you'd like":
see :func:`is_offered`); ``"received"`` drops a "get" whose subject is the customer ("you'll **get an
email** when it's back": see :func:`is_received`); ``"by_us"`` drops a verb the agent's side does ("I've
**called the pharmacy** directly": see :func:`is_by_us`); ``"relieved"`` drops a feeling told as over
in a turn that thanks ("thank you so much, she was **really worried** we'd be sat apart": see
:func:`is_relieved`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import spacy
from spacy.matcher import DependencyMatcher, Matcher
from spacy.strings import hash_string
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from nlp.patterns import PatternEntry, PatternSet

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Hit:
    """One pattern match in a parsed turn."""

    label: str
    rule: str
    slot: str | None
    start: int  # token offsets in the doc
    end: int
    char_start: int
    char_end: int
    sentence: int  # index of the sentence holding the first matched token

    def quote(self, doc: Doc) -> str:
        """The matched text."""
        return doc.text[self.char_start : self.char_end]


@dataclass(frozen=True)
class ExemplarMatch:
    """The closest exemplar sentence to an embedding."""

    label: str
    rule: str
    exemplar: str
    similarity: float


NEGATIVE_WORDS = frozenset({"nothing", "nobody", "none", "noone", "nowhere"})  # "nothing I can change"
RELATIVE_CLAUSES = frozenset({"relcl", "acl"})


def is_negated(tokens: Iterable[Token]) -> bool:
    """True when a matched token, or a head governing it from the left, is negated.

    "You're **not** wrong" and "I'm **not** saying you're wrong" are negated (a negation
    child). So is a match inside a relative clause of a negative word: "there's **nothing**
    on the line I can change", "there's **no** way I can refund it" (the clause is about what
    cannot be done). In a comma splice such as "You're right, that fee shouldn't be there" the
    parser may hang the first clause under the second, so heads to the right of the match are
    not consulted; nor is a negation after the match, which negates something else ("That's our
    mistake, **not** yours").
    """
    tokens = list(tokens)
    first, last = min(t.i for t in tokens), max(t.i for t in tokens)
    for token in tokens:
        heads = [token, *(a for a in token.ancestors if a.i < first)]
        if any(child.dep_ == "neg" and child.i <= last for node in heads for child in node.children):
            return True
        if _in_negative_relative_clause(heads):
            return True
    return False


def _in_negative_relative_clause(heads: Sequence[Token]) -> bool:
    """True when the head chain leaves a relative clause into a phrase headed by a negative word."""
    for position, node in enumerate(heads):
        if node.dep_ in RELATIVE_CLAUSES:
            above = heads[position + 1 :]
            return any(
                head.lower_ in NEGATIVE_WORDS
                or any(c.dep_ == "det" and c.lower_ == "no" for c in head.children)
                for head in above
            )
    return False


def is_yours(tokens: Sequence[Token]) -> bool:
    """True when a matched word is possessed by "your" (its ``poss`` child), as in "your ticket"."""
    return any(
        child.dep_ == "poss" and child.lower_ in ("your", "yours", "ur")
        for t in tokens
        for child in t.children
    )


THANKS = frozenset({"thank", "thanks", "thx", "ty", "tks"})


def is_thanked_for(tokens: Sequence[Token]) -> bool:
    """True when a matched word sits under a "for" that hangs on a thank-you ("Thanks for your concern").

    Boilerplate gratitude names the feeling without acknowledging it (labelling guidelines:
    thanks is not an empathic response).
    """
    return any(
        above.lower_ == "for" and above.dep_ == "prep" and above.head.lower_ in THANKS
        for t in tokens
        for above in t.ancestors
    )


OFFER_MODALS = frozenset({"can", "could", "may", "might"})


def is_offered(tokens: Sequence[Token]) -> bool:
    """True when a matched verb is only offered, with "can", "could", "may" or "might" ("I can escalate")."""
    return any(
        child.dep_ == "aux" and child.lower_ in OFFER_MODALS
        for t in tokens
        if t.pos_ in ("VERB", "AUX")
        for child in t.children
    )


def is_received(tokens: Sequence[Token]) -> bool:
    """True when a matched "get" has "you" as its subject, the customer receiving ("you'll get an email")."""
    return any(
        child.dep_ in ("nsubj", "nsubjpass") and child.lower_ in ("you", "u", "ya")
        for t in tokens
        if t.lemma_ == "get"
        for child in t.children
    )


US = frozenset({"i", "we"})


def is_by_us(tokens: Sequence[Token]) -> bool:
    """True when a matched verb has "I" or "we" as its subject: the agent acts ("I've called the pharmacy").

    A verb joined to another ("I've cleared the hold and called the pharmacy") shares its subject.
    """
    for t in tokens:
        if t.pos_ not in ("VERB", "AUX"):
            continue
        verbs = [t]
        while verbs[-1].dep_ == "conj" and verbs[-1].head is not verbs[-1]:
            verbs.append(verbs[-1].head)
        if any(c.dep_ == "nsubj" and c.lower_ in US for v in verbs for c in v.children):
            return True
    return False


def is_relieved(tokens: Sequence[Token]) -> bool:
    """True when a matched adjective hangs on a past-tense "was" or "were" in a turn that thanks.

    "thank you so much, she was really worried we'd be sat apart" is relief, not distress; "Right, I
    was worried about that." (no thanks) and "I've been worried all week" (not past) still count.
    """
    past = any(t.dep_ == "acomp" and t.head.lemma_ == "be" and t.head.tag_ == "VBD" for t in tokens)
    return past and any(t.lower_ in THANKS for t in tokens[0].doc)


# The ``unless`` conditions read from the matched tokens ("question" reads the sentence).
UNLESS: dict[str, Callable[[Sequence[Token]], bool]] = {
    "negated": is_negated,
    "yours": is_yours,
    "thanked": is_thanked_for,
    "offered": is_offered,
    "received": is_received,
    "by_us": is_by_us,
    "relieved": is_relieved,
}


def in_question(sentence: Span) -> bool:
    """True when the sentence ends with a question mark."""
    return sentence.text.rstrip().endswith("?")


class CompiledPatterns:
    """One pattern file compiled for one spaCy vocab.

    Matches are mapped back to their entries by the key's hash, never through the vocab's
    string store: a matcher first built inside a spaCy memory zone (``nlp.memory_zone()``,
    one per batch in the flow) keeps working after the zone has dropped its key strings.
    """

    def __init__(self, patterns: PatternSet, vocab: Vocab) -> None:
        self.entries = patterns.matcher_entries()
        self.matcher = Matcher(vocab)
        self.dep_matcher = DependencyMatcher(vocab)
        self._entry_of: dict[int, PatternEntry] = {}
        tokenizer = _phrase_tokenizer()
        for number, entry in enumerate(self.entries):
            key = str(number)
            self._entry_of[hash_string(key)] = entry
            if entry.kind == "phrase":
                words = [t.text.lower() for t in tokenizer(str(entry.pattern))]
                self.matcher.add(key, [[{"LOWER": w} for w in words]])
            elif entry.kind == "token":
                self.matcher.add(key, [entry.pattern])
            else:
                self.dep_matcher.add(key, [entry.pattern])
        self.has_dependency = any(e.kind == "dependency" for e in self.entries)
        self.has_tokens = any(e.kind in ("phrase", "token") for e in self.entries)

    def find(self, doc: Doc) -> list[Hit]:
        """Every match in ``doc`` that survives its entry's ``unless`` conditions, in text order."""
        found: list[tuple[PatternEntry, list[int]]] = []
        if self.has_tokens:
            for match_id, start, end in self.matcher(doc):
                found.append((self._entry_of[match_id], list(range(start, end))))
        if self.has_dependency and doc.has_annotation("DEP"):
            for match_id, token_ids in self.dep_matcher(doc):
                found.append((self._entry_of[match_id], sorted(token_ids)))
        if not found:  # most (file, turn) pairs: no sentence split needed
            return []
        sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        hits: set[Hit] = set()
        for entry, token_ids in found:
            tokens = [doc[i] for i in token_ids]
            sentence_index = next((n for n, s in enumerate(sentences) if s.start <= token_ids[0] < s.end), 0)
            if any(UNLESS[name](tokens) for name in entry.unless if name in UNLESS):
                continue
            if "question" in entry.unless and in_question(sentences[sentence_index]):
                continue
            start, end = token_ids[0], token_ids[-1] + 1
            hits.add(
                Hit(
                    label=entry.label,
                    rule=entry.rule,
                    slot=entry.slot,
                    start=start,
                    end=end,
                    char_start=doc[start].idx,
                    char_end=doc[end - 1].idx + len(doc[end - 1].text),
                    sentence=sentence_index,
                )
            )
        return sorted(hits, key=lambda h: (h.start, h.end, h.label, h.rule))


@cache
def _phrase_tokenizer() -> Callable[[str], Doc]:
    """A blank English tokenizer for phrase patterns, built once per process (not per file)."""
    return spacy.blank("en").tokenizer


class ExemplarIndex:
    """Exemplar sentences of one pattern file, embedded once."""

    def __init__(self, entries: Sequence[PatternEntry], vectors: np.ndarray) -> None:
        self.entries = list(entries)
        self.vectors = np.asarray(vectors, dtype=np.float32)

    def nearest(self, embedding: np.ndarray, labels: set[str] | None = None) -> ExemplarMatch | None:
        """The most similar exemplar (cosine; embeddings are normalised), optionally within ``labels``."""
        if not self.entries:
            return None
        similarities = self.vectors @ np.asarray(embedding, dtype=np.float32)
        order = np.argsort(-similarities)
        for index in order:
            entry = self.entries[int(index)]
            if labels is None or entry.label in labels:
                return ExemplarMatch(entry.label, entry.rule, str(entry.exemplar), float(similarities[index]))
        return None


class PatternLibrary:
    """Compiled matchers and exemplar embeddings for the pattern files of one rubric.

    ``encode`` embeds exemplar sentences (normally the analyzer's encoder); without it,
    exemplar matching is off and only patterns match.
    """

    def __init__(self, encode: Encode | None = None) -> None:
        self.encode = encode
        self._compiled: dict[tuple[int, int], CompiledPatterns] = {}
        self._exemplars: dict[int, ExemplarIndex | None] = {}
        self._keep: list[PatternSet] = []  # keep ids stable while cached

    def compiled(self, patterns: PatternSet, vocab: Vocab) -> CompiledPatterns:
        """The matchers for ``patterns`` in ``vocab`` (compiled on first use)."""
        key = (id(patterns), id(vocab))
        if key not in self._compiled:
            self._keep.append(patterns)
            self._compiled[key] = CompiledPatterns(patterns, vocab)
        return self._compiled[key]

    def find(self, patterns: PatternSet, doc: Doc) -> list[Hit]:
        """Pattern matches of ``patterns`` in ``doc``."""
        return self.compiled(patterns, doc.vocab).find(doc)

    def exemplar_index(self, patterns: PatternSet) -> ExemplarIndex | None:
        """The embedded exemplars of ``patterns`` (None without exemplars or without an encoder)."""
        key = id(patterns)
        if key not in self._exemplars:
            self._keep.append(patterns)
            entries = patterns.exemplars()
            if not entries or self.encode is None:
                self._exemplars[key] = None
            else:
                vectors = self.encode([str(e.exemplar) for e in entries])
                self._exemplars[key] = ExemplarIndex(entries, vectors)
        return self._exemplars[key]

    def nearest(
        self, patterns: PatternSet, embedding: np.ndarray, labels: set[str] | None = None
    ) -> ExemplarMatch | None:
        """The exemplar of ``patterns`` closest to ``embedding``."""
        index = self.exemplar_index(patterns)
        return index.nearest(embedding, labels) if index is not None else None
