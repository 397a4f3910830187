"""What a conversation page depends on, as one hash, so unchanged pages need not be built again.

A conversation page is a function of:

* its stored rows (``conversation_pages.PageInputs``): conversation, legs, events, turns with
  their sentiment, findings of the rubric version, trajectories and vendor signals;
* the context every page shares: period, rubric version, which site pages exist to link to;
* the rubric's labels (``RubricInfo``), the redaction policy and mode, and the code and templates
  that render and redact (the files of ``rendering/`` and ``privacy/``, and the versions of the
  libraries and spaCy models they use);
* the customers' names known to the store (``store_queries.customer_names``). The redaction
  engine looks for the words of every known name in every text, but only the name words that
  ``privacy.name_index.KnownNameIndex`` finds in the page's rows can match there. So the page
  depends on those words alone, and a new customer's name changes only the pages that could
  contain it.

Hashing these is cheap next to building a page, whose cost is redacting its texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from privacy.name_index import KnownNameIndex
from rendering.conversation_pages import PageInputs
from rendering.page_ledger import fingerprint
from rendering.redact import Redactor

_ROOT = Path(__file__).resolve().parent.parent
_CODE = ("rendering", "privacy")
_SUFFIXES = {".py", ".j2", ".css", ".js", ".yaml", ".yml", ".json", ".txt"}
_LIBRARIES = ("jinja2", "markupsafe", "presidio-analyzer", "presidio-anonymizer", "spacy", "tldextract")


@cache
def code_fingerprint() -> str:
    """A hash of the rendering and redaction code, templates and data files, and library versions."""
    digest = hashlib.sha256()
    for folder in _CODE:
        for path in sorted((_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in _SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        digest.update(f"{name}={_version(name)}\0".encode())
    return digest.hexdigest()


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def redaction_fingerprint(redactor: Redactor) -> str:
    """The redaction policy in force, the spaCy models it names, and whether NER runs."""
    policy = redactor.engine.policy
    models = [(m, _version(m)) for m in getattr(policy, "spacy_models", ())]
    return fingerprint(repr(policy), models, redactor.names)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside rows, tuples, lists and dicts."""
    if isinstance(value, str):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def page_fingerprint(shared: str, page: PageInputs, names: KnownNameIndex) -> str:
    """The fingerprint of one conversation page; ``shared`` covers what all pages share.

    Of the known names it takes the words that could be redacted in any string of the page's rows.
    """
    return fingerprint(shared, page, names.words_in(_strings(page)))
