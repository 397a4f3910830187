"""One person, one card: name-only agent ids merged into the real id with the same name.

Some export formats know agents only by first name, and their readers use that name as the id
(``Kevin``); the canonical exports give the same person a real id (``a-kevin``). A name-only id
is merged into a real id only when exactly one matches (same name, a shared department).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TypeVar

from nlp.coaching.rows import AGENT, LegLike

R = TypeVar("R")


def agent_aliases(legs: Iterable[LegLike]) -> dict[str, str]:
    """Name-only agent ids mapped to the one real id with the same name and department."""
    seen: dict[str, tuple[str, set[str]]] = {}
    for leg in legs:
        if not leg.agent_id or (leg.participant_role or AGENT) != AGENT:
            continue
        name, departments = seen.setdefault(leg.agent_id, ((leg.agent_name or "").strip().lower(), set()))
        if leg.department:
            departments.add(leg.department)
    aliases = {}
    for agent_id, (name, departments) in seen.items():
        if not name or agent_id.strip().lower() != name:
            continue
        matches = [
            other
            for other, (other_name, other_departments) in seen.items()
            if other != agent_id
            and other_name == name
            and other.strip().lower() != other_name
            and (not departments or not other_departments or departments & other_departments)
        ]
        if len(matches) == 1:
            aliases[agent_id] = matches[0]
    return aliases


def aliased(rows: Iterable[R], aliases: Mapping[str, str]) -> Iterator[R]:
    """``rows`` (dataclasses with an ``agent_id``) with aliased agent ids replaced, one at a time."""
    for row in rows:
        agent_id = getattr(row, "agent_id", None)
        yield replace(row, agent_id=aliases[agent_id]) if agent_id in aliases else row  # type: ignore[type-var]


def with_aliases(rows: Iterable[R], aliases: Mapping[str, str]) -> list[R]:
    """``rows`` (dataclasses with an ``agent_id``) with aliased agent ids replaced."""
    return list(aliased(rows, aliases))
