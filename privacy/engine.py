"""The redaction engine: Presidio's analyzer and anonymizer, configured by the policy file.

One spaCy pipeline per process (the one qareview already ships, loaded once and handed to
Presidio's NLP engine, so nothing downloads at run time) gives Presidio its tokens, lemmas (for
context words) and named entities. Recognisers are Presidio's own where it has them (cards and
IBANs with checksums, SSN, NINO, phone numbers through ``phonenumbers``, e-mail, IP) plus the
policy's pattern recognisers, a filtered spaCy PERSON recogniser, and names known from the
metadata. Overlaps are resolved here (longest, then highest score); the anonymizer replaces each
span by its typed placeholder::

    >>> engine = default_engine()
    >>> engine.redact_many(["card 4111 1111 1111 1111, mail jo@example.com"], names=False)
    ['card [CARD], mail [EMAIL]']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer import predefined_recognizers as presidio
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as AnonymizerResult
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from privacy.lru import BoundedCache
from privacy.policy import Policy, PresidioRecognizerSetting, RecognizerSetting, load_policy

log = logging.getLogger(__name__)

NAME_SCORE = 0.85
SPAN_CACHE = 100_000
"""Texts whose spans context words cannot change are remembered, least recently used forgotten
first: agents' stock lines recur across batches, and cards and pages show the same turns."""
PIPE_BATCH = 1_000  # docs per spaCy batch (annotations do not depend on a doc's batch-mates)
_LEMMA_ONLY = ("lemmatizer",)  # components that add lemmas and nothing the recognisers read
# What a text's spans depend on beyond its screen (RedactionEngine._need), in increasing order.
_NOTHING, _TEXT, _POS, _LEMMAS = range(4)
_NER = "spacy_person"
_SENTENCE_END = frozenset(".!?")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
# Bundled public-suffix snapshot only: tldextract must never fetch the list at run time.
_OFFLINE_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text, with the recogniser that fired (evidence)."""

    start: int
    end: int
    entity: str
    placeholder: str
    recognizer: str
    score: float


class _OfflineEmailRecognizer(presidio.EmailRecognizer):
    """Presidio's e-mail recogniser, validating domains against the bundled suffix list."""

    def validate_result(self, pattern_text: str) -> bool:
        return _OFFLINE_TLD(pattern_text).fqdn != ""


# Presidio warns once per entity for every spaCy label it has no mapping for (CARDINAL, DATE...);
# our own recognisers decide what those are, so the warnings are noise on the console.
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)


class _SharedSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine around a pipeline that is already loaded.

    Only PERSON entities matter (``_PersonRecognizer`` reads them from the doc); every other NER
    label is ignored when Presidio builds its artifacts, which also stops Presidio logging a
    warning for each CARDINAL, MONEY, ... entity of every text (thousands per night).
    """

    def __init__(self, nlp: Language, language: str) -> None:
        labels = nlp.get_pipe("ner").labels if "ner" in nlp.pipe_names else ()
        config = NerModelConfiguration(labels_to_ignore=[label for label in labels if label != "PERSON"])
        super().__init__(
            models=[{"lang_code": language, "model_name": nlp.meta.get("name", "shared")}],
            ner_model_configuration=config,
        )
        self.nlp = {language: nlp}

    def load(self) -> None:  # the pipeline is given, never loaded or downloaded here
        """Nothing to load."""

    def artifacts(self, doc: Doc, language: str) -> NlpArtifacts:
        """Presidio's view of a parsed doc (tokens, lemmas, entities)."""
        return self._doc_to_nlp_artifact(doc, language)


class _PersonRecognizer(EntityRecognizer):
    """spaCy PERSON entities, minus capitalised words that are not names (policy ``names``)."""

    def __init__(self, policy: Policy) -> None:
        settings = policy.names
        self._not_names = frozenset(n.lower() for n in (*settings.not_names, *policy.allow_list))
        self._not_name_pos = frozenset(settings.sentence_start_not_name_pos)
        super().__init__(supported_entities=[settings.entity], name=_NER, supported_language=policy.language)

    def load(self) -> None:
        """Nothing to load: entities come with the NLP artifacts."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """PERSON entities of the parsed doc that pass the filters."""
        doc = nlp_artifacts.tokens if nlp_artifacts is not None else None
        if not isinstance(doc, Doc) or not doc.has_annotation("ENT_IOB"):
            return []
        found = []
        for ent in self._candidates(doc):
            if self._pos_decides(ent) and ent[0].pos_ in self._not_name_pos:
                continue  # "Calm down, ..." - a capitalised verb, not a name
            found.append(
                RecognizerResult(self.supported_entities[0], ent.start_char, ent.end_char, NAME_SCORE)
            )
        return found

    def needs_pos(self, doc: Doc) -> bool:
        """Whether parts of speech decide whether any of ``doc``'s PERSON entities is kept."""
        return any(self._pos_decides(ent) for ent in self._candidates(doc))

    def _candidates(self, doc: Doc) -> Iterator[SpacySpan]:
        """PERSON entities that pass the filters which read the text alone."""
        for ent in doc.ents:
            if ent.label_ != "PERSON" or ent.text.lower().strip() in self._not_names:
                continue
            if not any(t.is_alpha for t in ent) or any(c.isdigit() for c in ent.text):
                continue  # names have letters and no digits ("Pixel 8", "95 Mbps")
            yield ent

    @staticmethod
    def _pos_decides(ent: SpacySpan) -> bool:
        """A one-word entity starting a sentence: kept unless tagged as a non-name part of speech."""
        first = ent[0]
        doc = ent.doc
        return len(ent) == 1 and (first.i == 0 or doc[first.i - 1].text in _SENTENCE_END)


class _Prescreened:
    """A recogniser's ``analyze``, skipped (no results) for texts without what its patterns need."""

    def __init__(self, analyze: Callable[..., list[RecognizerResult]], needs: str) -> None:
        self._analyze = analyze
        self._needs = regex.compile(needs, regex.IGNORECASE)

    def __call__(self, text: str, *args: Any, **kwargs: Any) -> list[RecognizerResult]:
        return self._analyze(text, *args, **kwargs) if self._needs.search(text) else []


def _prescreen(recognizer: EntityRecognizer, needs: str | None) -> EntityRecognizer:
    """``recognizer``, running only on texts where ``needs`` (policy: ``needs``) is found."""
    if needs is not None:
        recognizer.analyze = _Prescreened(recognizer.analyze, needs)  # type: ignore[method-assign]
    return recognizer


def _presidio_recognizer(setting: PresidioRecognizerSetting, language: str) -> EntityRecognizer:
    """One of Presidio's predefined recognisers, as the policy configures it."""
    if setting.name == "EmailRecognizer":
        recognizer: EntityRecognizer = _OfflineEmailRecognizer(supported_language=language)
    elif setting.name == "PhoneRecognizer":
        regions = setting.regions or ("GB", "US")
        recognizer = presidio.PhoneRecognizer(supported_language=language, supported_regions=regions)
    else:
        recognizer = getattr(presidio, setting.name)(supported_language=language)
    if setting.entity:
        recognizer.supported_entities = [setting.entity]
    return _prescreen(recognizer, setting.needs)


def _pattern_recognizer(setting: RecognizerSetting, language: str) -> EntityRecognizer:
    recognizer = PatternRecognizer(
        supported_entity=setting.entity,
        name=setting.name,
        supported_language=language,
        patterns=[Pattern(p.name, p.regex, p.score) for p in setting.patterns] or None,
        deny_list=list(setting.deny_list) or None,
        context=list(setting.context) or None,
        global_regex_flags=setting.regex_flags(),
    )
    return _prescreen(recognizer, setting.needs)


@lru_cache(maxsize=2)
def shared_pipeline(models: tuple[str, ...]) -> Language:
    """The spaCy pipeline redaction uses: the one analysis loads (nlp.models.load_spacy), shared."""
    from nlp.models import load_spacy

    return load_spacy(models)


class RedactionEngine:
    """Finds and replaces personal data in batches of texts, as ``policy`` says.

    The spaCy pipeline is loaded on first use; ``names=False`` calls skip the NER component
    (patterns, context words and known names still apply). Up to ``cache_size`` texts' spans
    are remembered (see ``_prepare``).
    """

    def __init__(
        self, policy: Policy | None = None, nlp: Language | None = None, cache_size: int = SPAN_CACHE
    ) -> None:
        self.policy = policy or load_policy()
        self._nlp = nlp
        self._analyzer: AnalyzerEngine | None = None
        self._anonymizer = AnonymizerEngine()
        self._pass_through = re.compile(self.policy.pass_through)
        allowed = sorted({a for a in self.policy.allow_list if a.strip()}, key=lambda a: (-len(a), a))
        self._allow = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in allowed) + r")(?!\w)", re.IGNORECASE)
            if allowed
            else None
        )
        self._name_placeholders = frozenset(w.lower() for w in self.policy.names.known_name_placeholders)
        self._operators = {
            entity: OperatorConfig("replace", {"new_value": setting.placeholder})
            for entity, setting in self.policy.entities.items()
        }
        self._entities = [e for e, s in self.policy.entities.items() if s.enabled]
        # (with NER, text) -> its spans, for texts whose spans context words cannot change (_prepare)
        self._spans: BoundedCache[tuple[bool, str], tuple[Span, ...]] = BoundedCache(cache_size)

    @property
    def ref(self) -> str:
        """The policy's ``id@version``."""
        return self.policy.ref

    @property
    def nlp(self) -> Language:
        """The shared spaCy pipeline."""
        if self._nlp is None:
            self._nlp = shared_pipeline(self.policy.spacy_models)
        return self._nlp

    @contextmanager
    def memory_zone(self) -> Iterator[None]:
        """A block whose new words are freed from the pipeline at its end (:func:`nlp.models.memory_zone`).

        On when analysis has them on (``spacy.memory_zones`` in ``nlp/analysis.yaml``: the
        pipeline is shared). Spans found inside are plain offsets and outlive the block.
        """
        from nlp.models import memory_zone, memory_zones_on

        with memory_zone(self.nlp, memory_zones_on()):
            yield

    @property
    def analyzer(self) -> AnalyzerEngine:
        """Presidio's analyzer with the policy's recognisers (built once)."""
        if self._analyzer is None:
            language = self.policy.language
            registry = RecognizerRegistry(supported_languages=[language])
            for setting in self.policy.presidio_recognizers:
                if setting.enabled:
                    registry.add_recognizer(_presidio_recognizer(setting, language))
            for custom in self.policy.recognizers:
                if custom.enabled:
                    registry.add_recognizer(_pattern_recognizer(custom, language))
            if self.policy.names.enabled:
                registry.add_recognizer(_PersonRecognizer(self.policy))
            self._engine = _SharedSpacyNlpEngine(self.nlp, language)
            self._analyzer = AnalyzerEngine(
                registry=registry,
                nlp_engine=self._engine,
                supported_languages=[language],
                default_score_threshold=self.policy.score_threshold,
                context_aware_enhancer=LemmaContextAwareEnhancer(context_matching_mode="whole_word"),
            )
        return self._analyzer

    # -- finding --------------------------------------------------------------------------------

    def find_many(
        self,
        texts: Sequence[str],
        *,
        known_names: Sequence[Iterable[str]] | Iterable[str] = (),
        keep_names: Sequence[Iterable[str]] | Iterable[str] = (),
        contexts: Sequence[Iterable[str]] | None = None,
        names: bool = True,
    ) -> list[list[Span]]:
        """Spans to redact in each text, non-overlapping, in order; one batched spaCy pass.

        ``known_names``/``keep_names`` are names to redact wherever they appear (customers'
        names from the metadata) and names to keep (the agents'), either one collection for all
        texts or one per text. ``contexts`` are extra context words per text (the previous
        turn's words, so "It's 8821 3407" after "your account number?" counts as an account).
        ``names=False`` skips spaCy's NER (patterns, context words and known names still apply).
        """
        if not texts:
            return []
        known = _per_text(known_names, len(texts))
        keep = _per_text(keep_names, len(texts))
        with_ner = names and self.policy.names.enabled and "ner" in self.nlp.pipe_names
        fixed, parsed = self._prepare(list(dict.fromkeys(texts)), with_ner)
        found: list[list[Span]] = []
        for index, text in enumerate(texts):
            if text in fixed:
                spans = list(fixed[text])
            else:
                context = list(contexts[index]) if contexts is not None else None
                spans = self._analyze(text, parsed[text], context)
            spans += self._known_name_spans(text, known[index])
            found.append(self._resolve(text, spans, _name_words(keep[index])))
        return found

    def _analyze(self, text: str, doc: Doc, context: list[str] | None) -> list[Span]:
        """Presidio's spans in ``text``, read with ``doc``'s annotations and the context words."""
        language = self.policy.language
        results = self.analyzer.analyze(
            text,
            language=language,
            entities=self._entities,
            nlp_artifacts=self._engine.artifacts(doc, language),
            context=context,
        )
        return [self._span(r, text) for r in results]

    def _prepare(
        self, texts: list[str], with_ner: bool
    ) -> tuple[dict[str, tuple[Span, ...]], dict[str, Doc]]:
        """Presidio's spans of the texts whose spans do not depend on context words; docs of the others.

        Each text is screened first: the recognisers run on a doc with NER alone (``with_ner``)
        or tokens alone. NER has its own embedding layer over lexical features (norm, prefix,
        suffix, shape), which no other component sets, so its entities equal the full pipeline's.
        The other recognisers read the text alone. What else a text needs follows from what
        fired (``_need``): nothing, when nothing fired or nothing that fired reads more than that;
        parts of speech (tagger, attribute ruler), when they decide whether a PERSON entity is
        kept; lemmas too, when a recogniser with context words fired, because then context words
        and the lemmas around the match can raise its score. The parse is never needed. Spans
        that do not depend on context are computed once per text and remembered (``SPAN_CACHE``
        texts, least recently used forgotten first); the others are analysed per occurrence.
        """
        fixed: dict[str, tuple[Span, ...]] = {}
        todo: list[str] = []
        for text in texts:
            spans = self._spans.get((with_ner, text))
            if spans is None:
                todo.append(text)
            else:
                fixed[text] = spans
        if not todo:
            return fixed, {}
        screen = ("ner",) if with_ner else ()
        disable = [c for c in self.nlp.pipe_names if c not in screen]
        tokenizable = (_broken_runs(t) for t in todo)
        screened = self.nlp.pipe(tokenizable, disable=disable, batch_size=PIPE_BATCH)
        docs = dict(zip(todo, screened, strict=True))
        recognizers = self._recognizers()
        needs = {text: self._need(text, doc, recognizers) for text, doc in docs.items()}
        tagged = [t for t in todo if needs[t] >= _POS]
        for name, component in self.nlp.pipeline:
            if name in screen or name == "parser":
                continue
            chosen = [t for t in tagged if needs[t] == _LEMMAS or name not in _LEMMA_ONLY]
            if chosen:
                annotated = component.pipe([docs[t] for t in chosen], batch_size=PIPE_BATCH)
                docs.update(zip(chosen, annotated, strict=True))
        parsed: dict[str, Doc] = {}
        for text in todo:
            if needs[text] == _LEMMAS:
                parsed[text] = docs[text]
                continue
            spans = tuple(self._analyze(text, docs[text], None)) if needs[text] else ()
            self._spans.put((with_ner, text), spans)
            fixed[text] = spans
        return fixed, parsed

    def _need(self, text: str, doc: Doc, recognizers: list[EntityRecognizer]) -> int:
        """What ``text``'s spans depend on beyond ``doc`` (tokens, maybe NER): see ``_prepare``."""
        artifacts = self._engine.artifacts(doc, self.policy.language)
        need = _NOTHING
        for recognizer in recognizers:
            if not recognizer.analyze(text=text, entities=self._entities, nlp_artifacts=artifacts):
                continue
            if recognizer.context or _enhances_itself(recognizer):
                return _LEMMAS
            pos = isinstance(recognizer, _PersonRecognizer) and recognizer.needs_pos(doc)
            need = max(need, _POS if pos else _TEXT)
        return need

    def _recognizers(self) -> list[EntityRecognizer]:
        """The analyzer's recognisers for the policy's entities, loaded."""
        recognizers = self.analyzer.registry.get_recognizers(
            language=self.policy.language, entities=self._entities, all_fields=False
        )
        for recognizer in recognizers:
            if not recognizer.is_loaded:
                recognizer.load()
                recognizer.is_loaded = True
        return recognizers

    def redact_many(self, texts: Sequence[str], **options: object) -> list[str]:
        """Each text with its personal data replaced by placeholders (see :meth:`find_many`)."""
        spans = self.find_many(texts, **options)  # type: ignore[arg-type]
        return [self.apply(text, found) for text, found in zip(texts, spans, strict=True)]

    def apply(self, text: str, spans: Sequence[Span]) -> str:
        """``text`` with ``spans`` (non-overlapping) replaced, through Presidio's anonymizer."""
        if not spans:
            return text
        results = [AnonymizerResult(s.entity, s.start, s.end, s.score) for s in spans]
        return self._anonymizer.anonymize(text, results, operators=self._operators).text

    # -- helpers --------------------------------------------------------------------------------

    def _span(self, result: RecognizerResult, text: str) -> Span:
        """Our span for a Presidio result, without surrounding whitespace."""
        meta = result.recognition_metadata or {}
        placeholder = self.policy.placeholder(result.entity_type) or "[PII]"
        start, end = result.start, result.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(
            start,
            end,
            result.entity_type,
            placeholder,
            str(meta.get(RecognizerResult.RECOGNIZER_NAME_KEY, "presidio")),
            round(float(result.score), 4),
        )

    def find_known_names(
        self, text: str, known_names: Iterable[str], keep_names: Iterable[str] = ()
    ) -> list[Span]:
        """The spans ``find_many`` gives ``text`` when no recogniser fires on it: known names only.

        The same tail as :meth:`find_many` (known-name spans, then allowed text, kept names and
        overlaps resolved); for text already redacted under this policy, where only names learnt
        since can be new (``rendering.redact``).
        """
        return self._resolve(text, self._known_name_spans(text, known_names), _name_words(keep_names))

    def _known_name_spans(self, text: str, names: Iterable[str]) -> list[Span]:
        entity = self.policy.names.entity
        placeholder = self.policy.placeholder(entity)
        if placeholder is None:
            return []
        words = {
            w
            for name in names
            if name
            for w in _WORD.findall(name)
            if len(w) >= 2 and w[0].isupper() and w.lower() not in self._name_placeholders
        }
        if not words:
            return []
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
        pattern = re.compile(rf"(?<![\w'-])(?:{alternatives})(?:\s+(?:{alternatives}))*(?![\w-])")
        return [
            Span(m.start(), m.end(), entity, placeholder, "known_name", 1.0) for m in pattern.finditer(text)
        ]

    def _resolve(self, text: str, spans: list[Span], keep: frozenset[str]) -> list[Span]:
        """Patterns before NER, longest and surest first; drop allowed text, kept names, overlaps."""
        taken = [m.span() for m in self._pass_through.finditer(text)]
        allowed = [m.span() for m in self._allow.finditer(text)] if self._allow else []
        kept: list[Span] = []
        for span in sorted(
            spans, key=lambda s: (s.recognizer == _NER, -(s.end - s.start), -s.score, s.start, s.entity)
        ):
            if any(start <= span.start and span.end <= end for start, end in allowed):
                continue
            if (
                keep
                and span.entity == self.policy.names.entity
                and _name_words([text[span.start : span.end]]) <= keep
            ):
                continue
            if any(span.start < end and start < span.end for start, end in taken):
                continue
            taken.append((span.start, span.end))
            kept.append(span)
        return sorted(kept, key=lambda s: s.start)


LONG_RUN = 64
"""Runs of non-space characters longer than this are blanked for spaCy (see ``_broken_runs``)."""
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def _broken_runs(text: str) -> str:
    """``text`` with runs of more than ``LONG_RUN`` non-space characters blanked, for spaCy.

    Such a run is no language for the tagger or NER (damaged input, a pasted blob), and
    spaCy's tokenizer strips its affixes one at a time, each a search over the rest of the
    token: a 200 KB run of ``]]]]`` took many minutes. The length is unchanged, so the doc's
    offsets are the text's; the pattern recognizers (cards, emails, URLs) still read the
    original text.
    """
    if len(text) <= LONG_RUN or _LONG_RUN.search(text) is None:
        return text
    return _LONG_RUN.sub(lambda m: " " * len(m.group(0)), text)


def _enhances_itself(recognizer: EntityRecognizer) -> bool:
    """Whether the recogniser changes its own scores from the context (overrides Presidio's no-op)."""
    return type(recognizer).enhance_using_context is not EntityRecognizer.enhance_using_context


def _per_text(value: Sequence[Iterable[str]] | Iterable[str], count: int) -> list[tuple[str, ...]]:
    """One tuple of names per text from a shared collection or a per-text sequence."""
    items = list(value)
    if items and not isinstance(items[0], str):
        if len(items) != count:
            raise ValueError(f"{len(items)} name collections for {count} texts")
        return [tuple(i) for i in items]
    return [tuple(items)] * count


def _name_words(names: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for name in names if name for w in _WORD.findall(name))


@lru_cache(maxsize=1)
def default_engine() -> RedactionEngine:
    """The process-wide engine with the policy in force (``QAREVIEW_PRIVACY_POLICY`` or shipped)."""
    return RedactionEngine(load_policy())
