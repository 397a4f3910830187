"""Map the many ways exports name a speaker's role onto the canonical ``Role``.

The alias table lives in ``roles.yaml`` next to this module (data, not code). Matching is
case-, space-, hyphen- and underscore-insensitive::

    >>> parse_role("END_USER"), parse_role("Human Agent"), parse_role("robot")
    (<Role.CUSTOMER: 'customer'>, <Role.AGENT: 'agent'>, None)

An unknown role gives ``None``; the reader then quarantines the record with
``ReasonCode.UNKNOWN_ROLE``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from transcripts.model import Role

ROLES_FILE = Path(__file__).with_name("roles.yaml")
_SEPARATORS = re.compile(r"[\s_\-.]+")


def normalise_label(value: str) -> str:
    """Lower-case ``value`` and drop spaces, hyphens, dots and underscores."""
    return _SEPARATORS.sub("", value.strip().lower())


@cache
def role_aliases(path: Path = ROLES_FILE) -> dict[str, Role]:
    """Normalised alias -> role, loaded once from ``path``.

    Raises ``ValueError`` if the table names an unknown role or gives one alias to two roles.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[str, Role] = {}
    for role_name, aliases in (data.get("roles") or {}).items():
        try:
            role = Role(role_name)
        except ValueError:
            valid = ", ".join(r.value for r in Role)
            raise ValueError(f"{path}: unknown role {role_name!r}; valid roles: {valid}") from None
        for alias in [role_name, *aliases]:
            key = normalise_label(str(alias))
            if table.get(key, role) is not role:
                raise ValueError(f"{path}: alias {alias!r} is given to both {table[key]} and {role}")
            table[key] = role
    return table


def parse_role(value: str) -> Role | None:
    """The canonical role ``value`` names, or None when it is not a known alias."""
    if not isinstance(value, str):
        return None
    return role_aliases().get(normalise_label(value))


def known_role_labels() -> list[str]:
    """Every accepted alias (normalised), for error messages."""
    return sorted(role_aliases())
