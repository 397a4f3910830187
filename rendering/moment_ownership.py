"""Whose moment is it: the rules that keep a coaching card from contradicting itself.

A *moment* is a turn of a conversation, ``(conversation_id, turn)``. On one card a moment is
shown once, and belongs either to the representative (a strength or a growth area) or to the
system ("Not your fault"), never both:

- a flagged moment (a negative agent finding) owns its turn, the turn the card quotes, and the
  customer's reply to it in the same leg ("I just gave it to you" after a re-ask is the
  agent's moment, not a system re-explanation);
- a good moment (a positive finding) counts only when none of its turns is flagged (the
  customer calming down right after a stonewall is not the agent's strength);
- system findings on turns the representative owns are left off "Not your fault".

Example::

    flagged = flagged_turns(negative_findings, turns)
    praise = [f for f in positive_findings if not moment_turns(f, turns) & flagged]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rendering.store_queries import FindingRow, TurnRow

MomentKey = tuple[str, int]


def quoted_turn(f: FindingRow, conv_turns: Sequence[TurnRow]) -> TurnRow | None:
    """The turn whose words the card quotes for ``f``: the agent's reply to a customer cue, else its own."""
    by_index = {t.turn: t for t in conv_turns}
    focus = by_index.get(f.turn) if f.turn is not None else None
    if focus is None or focus.role != "customer":
        return focus
    response = f.detail.get("response_turn")
    reply = by_index.get(response) if isinstance(response, int) else None
    return reply if reply is not None and reply.role != "customer" else focus


def moment_turns(f: FindingRow, turns: Mapping[str, Sequence[TurnRow]]) -> frozenset[MomentKey]:
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


def flagged_turns(findings: Iterable[FindingRow], turns: Mapping[str, Sequence[TurnRow]]) -> set[MomentKey]:
    """Every turn covered by a negative finding among ``findings``."""
    flagged: set[MomentKey] = set()
    for f in findings:
        if f.polarity == "negative":
            flagged |= moment_turns(f, turns)
    return flagged


def really_good(
    findings: Iterable[FindingRow], flagged: set[MomentKey], turns: Mapping[str, Sequence[TurnRow]]
) -> list[FindingRow]:
    """Positive findings whose moment touches no flagged turn."""
    return [
        f
        for f in findings
        if f.polarity == "positive" and f.turn is not None and not moment_turns(f, turns) & flagged
    ]
