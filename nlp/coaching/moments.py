"""Whose moment is it, and what a moment quotes: the rules that keep a card from contradicting itself.

A *moment* is a turn of a conversation, ``(conversation_id, turn)``. On one card a moment is
shown once, and belongs either to the representative (a strength or a growth area) or to the
system ("Not your fault"), never both:

- a flagged moment (a negative agent finding) owns its turn, the turn the card quotes, and the
  customer's reply to it in the same leg ("I just gave it to you" after a re-ask is the
  agent's moment, not a system re-explanation);
- a good moment (a positive finding) counts only when none of its turns is flagged (the
  customer calming down right after a stonewall is not the agent's strength);
- system findings on turns the representative owns are left off "Not your fault".

A quoted moment shows the agent's words for agent turns and for customer cues the agent
answered (``response_turn`` in the finding's detail), otherwise the customer's; a better
phrasing answers a flagged moment only. Example::

    flagged = flagged_turns(negative_findings, turns)
    praise = [f for f in positive_findings if not moment_turns(f, turns) & flagged]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from nlp.coaching.rows import FindingLike, TurnLike

MomentKey = tuple[str, int]
F = TypeVar("F", bound=FindingLike)
T = TypeVar("T", bound=TurnLike)


def quoted_turn(f: FindingLike, conv_turns: Sequence[T]) -> T | None:
    """The turn whose words the card quotes for ``f``: the agent's reply to a customer cue, else its own."""
    by_index = {t.turn: t for t in conv_turns}
    focus = by_index.get(f.turn) if f.turn is not None else None
    if focus is None or focus.role != "customer":
        return focus
    response = f.detail.get("response_turn")
    reply = by_index.get(response) if isinstance(response, int) else None
    return reply if reply is not None and reply.role != "customer" else focus


def moment_turns(f: FindingLike, turns: Mapping[str, Sequence[TurnLike]]) -> frozenset[MomentKey]:
    """The turns a finding's moment covers (see the module docstring)."""
    if f.turn is None:
        return frozenset()
    conv_turns = turns.get(f.conversation_id, ())
    keys = {(f.conversation_id, f.turn)}
    quoted = quoted_turn(f, conv_turns)
    if quoted is not None:
        keys.add((f.conversation_id, quoted.turn))
        if f.polarity == "negative" and quoted.role != "customer":
            after = next((t for t in conv_turns if t.turn > quoted.turn), None)
            if after is not None and after.role == "customer" and after.leg == quoted.leg:
                keys.add((f.conversation_id, after.turn))
    return frozenset(keys)


def flagged_turns(findings: Iterable[FindingLike], turns: Mapping[str, Sequence[TurnLike]]) -> set[MomentKey]:
    """Every turn covered by a negative finding among ``findings``."""
    flagged: set[MomentKey] = set()
    for f in findings:
        if f.polarity == "negative":
            flagged |= moment_turns(f, turns)
    return flagged


def really_good(
    findings: Iterable[F], flagged: set[MomentKey], turns: Mapping[str, Sequence[TurnLike]]
) -> list[F]:
    """Positive findings whose moment touches no flagged turn."""
    return [
        f
        for f in findings
        if f.polarity == "positive" and f.turn is not None and not moment_turns(f, turns) & flagged
    ]


@dataclass(frozen=True)
class QuotedMoment(Generic[F, T]):
    """A finding as a card quotes it: the turns shown (in order), whose words, and the better phrasing.

    ``said`` and ``better`` are the stored text, not yet redacted; ``better`` is set only for a
    flagged moment (a good moment needs none).
    """

    finding: F
    context: tuple[T, ...]
    said: str
    said_by: str
    better: str | None


def context_turns(f: FindingLike, conv_turns: Sequence[T]) -> tuple[list[T], T | None]:
    """The turns to show around a finding, in order, and the one whose words the card quotes."""
    quoted = quoted_turn(f, conv_turns)
    if quoted is None:
        return [], None
    if quoted.turn != f.turn:  # the agent's reply to the customer's cue
        focus = next(t for t in conv_turns if t.turn == f.turn)
        return [focus, quoted], quoted
    wanted = "customer" if quoted.role != "customer" else None
    before = next(
        (
            t
            for t in reversed(conv_turns)
            if t.turn < quoted.turn and ((t.role == "customer") if wanted else (t.role != "customer"))
        ),
        None,
    )
    return [t for t in (before, quoted) if t is not None], quoted


def quote_moment(f: F, conv_turns: Sequence[T]) -> QuotedMoment[F, T] | None:
    """``f`` as the card quotes it, or None when its turn is not stored."""
    context, quoted = context_turns(f, conv_turns)
    if quoted is None or f.turn is None:
        return None
    if quoted.turn == f.turn:
        said = f.quote or quoted.text
    else:
        said = str(f.detail.get("response_quote") or quoted.text)
    return QuotedMoment(
        finding=f,
        context=tuple(context),
        said=said,
        said_by="customer" if quoted.role == "customer" else "agent",
        better=f.suggestion if f.suggestion and f.polarity == "negative" else None,
    )
