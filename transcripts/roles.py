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
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from configfile import ConfigValueError, load_yaml_config
from transcripts.model import Role

ROLES_FILE = Path(__file__).with_name("roles.yaml")
_SEPARATORS = re.compile(r"[\s_\-.]+")


def normalise_label(value: str) -> str:
    """Lower-case ``value`` and drop spaces, hyphens, dots and underscores."""
    return _SEPARATORS.sub("", value.strip().lower())


def _known_role(name: str) -> str:
    try:
        Role(name)
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {name!r}; valid roles: {valid}") from None
    return name


class RolesFile(BaseModel):
    """``roles.yaml``: the aliases of each canonical role."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    roles: dict[Annotated[str, AfterValidator(_known_role)], list[str]] = Field(default_factory=dict)

    @field_validator("roles")
    @classmethod
    def _one_role_per_alias(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        owner: dict[str, str] = {}
        for role_name, aliases in value.items():
            for alias in [role_name, *aliases]:
                key = normalise_label(alias)
                if owner.setdefault(key, role_name) != role_name:
                    raise ValueError(f"alias {alias!r} is given to both {owner[key]} and {role_name}")
        return value


@cache
def role_aliases(path: Path = ROLES_FILE) -> dict[str, Role]:
    """Normalised alias -> role, loaded once from ``path``.

    Raises ``ConfigValueError`` (file:line: key) if the table names an unknown role or gives one
    alias to two roles.
    """
    data = load_yaml_config(path, RolesFile, what="role aliases", error=ConfigValueError)
    return {
        normalise_label(alias): Role(role_name)
        for role_name, aliases in data.roles.items()
        for alias in [role_name, *aliases]
    }


def parse_role(value: str) -> Role | None:
    """The canonical role ``value`` names, or None when it is not a known alias."""
    if not isinstance(value, str):
        return None
    return role_aliases().get(normalise_label(value))


def known_role_labels() -> list[str]:
    """Every accepted alias (normalised), for error messages."""
    return sorted(role_aliases())
