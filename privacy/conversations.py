"""Redaction of what ingest stores: conversations and quarantine entries, in batches.

:func:`redact_results` sits between the readers and the store (``storage/ingest.py``): every
conversation and quarantine entry a reader yields comes out redacted, in the same order, so
nothing personal reaches DuckDB, analysis, cards, pages, CSV, JSON or logs. Per conversation:

* turn texts (all roles: agents read numbers back too), with the previous turn's words as
  context ("It's 8821 3407" after "What's your account number?");
* customers' names from the speaker metadata are redacted wherever they occur, and customer
  turns lose their ``speaker_name``; agents' own names are kept (cards are about them);
* vendor fields (``extra``) and event reasons: patterns and known names everywhere, NER on
  those with spaces (ids and codes have none);
* a ``customer_id`` that is itself personal data (a phone number, an e-mail) becomes a stable
  pseudonym, so journeys still group;
* ``extra["redaction"]`` records the policy ``id@version`` (stored as
  ``conversations.privacy_policy``).

With ``keep_originals: true`` in the policy (opt-in), the unredacted canonical JSON is kept in
``conversation_originals``; nothing else changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from privacy.engine import RedactionEngine, Span, default_engine
from transcripts.model import Conversation, Role
from transcripts.quarantine import Quarantined

if TYPE_CHECKING:
    from storage.store import Store

BATCH_SIZE = 64
PSEUDONYM_PREFIX = "anon-"
_STAMP_KEY = "redaction"
_WORDS = re.compile(r"[\w'-]+")
_AGENT_ROLES = frozenset({Role.AGENT, Role.BOT, Role.IVR})

T = TypeVar("T")


def redact_results(
    results: Iterable[T],
    store: Store | None = None,
    engine: RedactionEngine | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[T]:
    """``results`` (a reader's conversations, quarantine entries, duplicates) redacted, in order.

    Works in batches of ``batch_size`` conversations so spaCy runs batched. When the policy
    keeps originals, they are written to ``store`` (inside the caller's transaction).
    """
    engine = engine or default_engine()
    pending: list[Any] = []
    conversations = 0
    for result in results:
        pending.append(result)
        conversations += isinstance(result, Conversation)
        if conversations >= batch_size:
            yield from _redact_batch(pending, store, engine)
            pending, conversations = [], 0
    if pending:
        yield from _redact_batch(pending, store, engine)


def _redact_batch(batch: list[Any], store: Store | None, engine: RedactionEngine) -> list[Any]:
    conversations = [r for r in batch if isinstance(r, Conversation)]
    entries = [r for r in batch if isinstance(r, Quarantined)]
    with engine.memory_zone():  # the batch's new words leave spaCy's vocabulary with it
        redacted = iter(redact_conversations(conversations, engine))
        cleaned = iter(redact_quarantined(entries, engine))
    if store is not None and engine.policy.keep_originals and conversations:
        store.save_originals({c.id: c.model_dump_json() for c in conversations}, engine.ref)
    out = []
    for result in batch:
        if isinstance(result, Conversation):
            out.append(next(redacted))
        elif isinstance(result, Quarantined):
            out.append(next(cleaned))
        else:
            out.append(result)
    return out


def redact_quarantined(
    entries: Sequence[Quarantined], engine: RedactionEngine | None = None
) -> list[Quarantined]:
    """Quarantine entries with their message and excerpt redacted (file and record stay)."""
    if not entries:
        return []
    engine = engine or default_engine()
    texts = [e.message for e in entries] + [e.excerpt for e in entries]
    clean = engine.redact_many(texts)
    count = len(entries)
    return [replace(entry, message=clean[i], excerpt=clean[count + i]) for i, entry in enumerate(entries)]


def redact_message(message: str, engine: RedactionEngine | None = None) -> str:
    """One free-text message (an error about a record) redacted."""
    return (engine or default_engine()).redact_many([message])[0] if message else message


def redact_conversations(
    conversations: Sequence[Conversation], engine: RedactionEngine | None = None
) -> list[Conversation]:
    """Redacted copies of ``conversations`` (see the module docstring); one spaCy pass for all."""
    if not conversations:
        return []
    engine = engine or default_engine()
    dumps = [c.model_dump(mode="python") for c in conversations]
    known = [_customer_names(c) for c in conversations]
    keep = [_agent_names(c) for c in conversations]

    texts, contexts, owners = [], [], []
    for n, conversation in enumerate(conversations):
        previous: list[str] = []
        for turn in conversation.turns:
            texts.append(turn.text)
            contexts.append(previous)
            owners.append(n)
            previous = [w.lower() for w in _WORDS.findall(turn.text)]
    clean = engine.redact_many(
        texts,
        known_names=[known[n] for n in owners],
        keep_names=[keep[n] for n in owners],
        contexts=contexts,
    )
    cursor = 0
    for dump in dumps:
        for turn in dump["turns"]:
            turn["text"] = clean[cursor]
            cursor += 1

    # Metadata: vendor fields, event reasons, customer ids - patterns and known names only.
    slots: list[tuple[int, Any, Any]] = []  # (conversation, container, key)
    for n, dump in enumerate(dumps):
        for container, key in _metadata_strings(dump):
            slots.append((n, container, key))
        if dump.get("customer_id"):
            slots.append((n, dump, "customer_id"))
    values = [container[key] for _, container, key in slots]
    found = _find_in_metadata(engine, values, [known[n] for n, _, _ in slots])
    pseudonyms: list[dict[str, str]] = [{} for _ in dumps]
    for (n, container, key), value, spans in zip(slots, values, found, strict=True):
        if not spans:
            continue
        if container is dumps[n] and key == "customer_id":
            pseudonyms[n][value] = pseudonym(value)
            container[key] = pseudonyms[n][value]
        else:
            container[key] = engine.apply(value, spans)

    out = []
    for n, dump in enumerate(dumps):
        for turn in dump["turns"]:
            if turn["role"] is Role.CUSTOMER:
                turn["speaker_name"] = None
            if turn.get("speaker_id") in pseudonyms[n]:
                turn["speaker_id"] = pseudonyms[n][turn["speaker_id"]]
        dump["extra"] = {**dump["extra"], _STAMP_KEY: {"policy": engine.ref}}
        out.append(Conversation.model_validate(dump))
    return out


def _find_in_metadata(
    engine: RedactionEngine, values: list[str], known: list[tuple[str, ...]]
) -> list[list[Span]]:
    """Spans in metadata strings: NER only for those with a space (ids and codes have none)."""
    phrases = [i for i, v in enumerate(values) if " " in v.strip()]
    tokens = [i for i, v in enumerate(values) if " " not in v.strip()]
    found: list[list[Span]] = [[] for _ in values]
    for indexes, names in ((phrases, True), (tokens, False)):
        if indexes:
            spans = engine.find_many(
                [values[i] for i in indexes], known_names=[known[i] for i in indexes], names=names
            )
            for i, span in zip(indexes, spans, strict=True):
                found[i] = span
    return found


def pseudonym(value: str) -> str:
    """A stable stand-in for an identifier that is personal data (same input, same output).

    >>> pseudonym("+44 7911 123456")
    'anon-6934c402e0e659e3'
    """
    return PSEUDONYM_PREFIX + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def _customer_names(conversation: Conversation) -> tuple[str, ...]:
    """Names the metadata gives the customer (speaker names of customer turns)."""
    return tuple(
        sorted({t.speaker_name for t in conversation.turns if t.role is Role.CUSTOMER and t.speaker_name})
    )


def _agent_names(conversation: Conversation) -> tuple[str, ...]:
    """Names of the agents, bots and menus that handled the contact (kept on cards)."""
    names = {leg.agent_name for leg in conversation.legs if leg.agent_name}
    names |= {t.speaker_name for t in conversation.turns if t.role in _AGENT_ROLES and t.speaker_name}
    return tuple(sorted(n for n in names if n))


def _metadata_strings(dump: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every string under ``extra`` (all levels) and of event reasons."""
    yield from _strings_in(dump, "extra")
    for part in ("legs", "turns", "events"):
        for item in dump[part]:
            yield from _strings_in(item, "extra")
    for event in dump["events"]:
        if event.get("reason"):
            yield event, "reason"


def _strings_in(container: Any, key: Any) -> Iterator[tuple[Any, Any]]:
    value = container[key]
    if isinstance(value, str):
        if value.strip():
            yield container, key
    elif isinstance(value, dict):
        for inner in value:
            yield from _strings_in(value, inner)
    elif isinstance(value, list):
        for index in range(len(value)):
            yield from _strings_in(value, index)
