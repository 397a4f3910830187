"""Where each published file lives under the output folder, and relative links between them.

Layout (``out`` is the folder given to :func:`rendering.publish.publish`)::

    out/index.html                       every rep, sortable, links to cards and the report
    out/index.csv
    out/cards/<rep>.html|.md|.json       one coaching card per representative
    out/routing/report.html              the routing-failure report
    out/routing/<table>.csv              one CSV per report table
    out/conversations/<id>.html          one page per conversation a card or the report links to
    out/.qareview-pages.tsv              each file's fingerprint (``rendering.page_ledger``)

    >>> conversation_href("conv 1/a", turn=3, from_dir="cards")
    '../conversations/conv-1-a-4ca18f.html#turn-3'
    >>> card_path("NUL")
    'cards/NUL-20fba7.html'
"""

from __future__ import annotations

import hashlib
import re

INDEX = "index.html"
INDEX_CSV = "index.csv"
CARDS_DIR = "cards"
ROUTING_DIR = "routing"
ROUTING_REPORT = f"{ROUTING_DIR}/report.html"
CONVERSATIONS_DIR = "conversations"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Device names Windows reserves whatever the extension ("nul.html" cannot be opened on a share).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)


def is_reserved(name: str) -> bool:
    """Whether Windows reserves ``name`` (``CON``, ``nul.html``, ``Com1.tar.gz``...)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED


def slug(identifier: str) -> str:
    """A file-name-safe, collision-free name for an id.

    Ids that are already safe stay as they are; others (and names Windows reserves, such
    as ``CON`` or ``nul.x``) get the unsafe characters replaced and a short hash of the
    original appended.
    """
    cleaned = _UNSAFE.sub("-", identifier).strip("-.")[:80] or "x"
    if is_reserved(cleaned):
        cleaned = cleaned.replace(".", "-", 1)  # "nul.x" -> "nul-x-<hash>": no device name before a dot
    elif cleaned == identifier:
        return cleaned
    return f"{cleaned}-{hashlib.sha1(identifier.encode()).hexdigest()[:6]}"


def card_path(agent_id: str, extension: str = "html") -> str:
    """Card file relative to the output folder."""
    return f"{CARDS_DIR}/{slug(agent_id)}.{extension}"


def conversation_path(conversation_id: str) -> str:
    """Conversation page relative to the output folder."""
    return f"{CONVERSATIONS_DIR}/{slug(conversation_id)}.html"


def _up(from_dir: str) -> str:
    return "" if from_dir in ("", ".") else "../" * (from_dir.strip("/").count("/") + 1)


def conversation_href(conversation_id: str, turn: int | None = None, *, from_dir: str) -> str:
    """Link from a page in ``from_dir`` to a conversation page (at a turn when given)."""
    anchor = f"#turn-{turn}" if turn is not None else ""
    return f"{_up(from_dir)}{conversation_path(conversation_id)}{anchor}"


def href(target: str, *, from_dir: str) -> str:
    """Link from a page in ``from_dir`` to ``target`` (a path relative to the output folder)."""
    return f"{_up(from_dir)}{target}"
