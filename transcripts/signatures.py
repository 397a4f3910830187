"""Agent signatures under a company account: ``"... Hope this helps! ^JK"`` was written by JK.

On social, messaging and e-mail channels one company account answers under several agents'
signatures. The signature names the representative who wrote the turn (kept as
``Turn.representative``); it never opens a leg or implies a transfer. Patterns are data, in
``signatures.yaml`` next to this module.

Example::

    >>> agent_signature("Sorry about that, we'll look into it ^JK")
    'JK'
    >>> agent_signature("See https://support.apple.com/en-us/HT201354") is None
    True
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from configfile import ConfigValueError, load_yaml_config

SIGNATURES_FILE = Path(__file__).with_name("signatures.yaml")


class SignaturePattern(BaseModel):
    """One way of signing: an id and a regular expression with a ``name`` group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        if "name" not in compiled.groupindex:
            raise ValueError("needs a named group 'name'")
        return value


class SignatureFile(BaseModel):
    """``signatures.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    patterns: tuple[SignaturePattern, ...] = Field(min_length=1)


def load_signatures(path: Path = SIGNATURES_FILE) -> tuple[re.Pattern[str], ...]:
    """The compiled patterns of ``path``; a bad file raises ``ConfigValueError`` (file:line: key)."""
    data = load_yaml_config(path, SignatureFile, what="signature patterns", error=ConfigValueError)
    return tuple(re.compile(p.regex) for p in data.patterns)


@cache
def _default_patterns() -> tuple[re.Pattern[str], ...]:
    return load_signatures()


def agent_signature(text: str, patterns: tuple[re.Pattern[str], ...] | None = None) -> str | None:
    """The representative's signature that ends ``text`` (``"JK"`` for ``"... ^JK"``), or None."""
    for pattern in patterns if patterns is not None else _default_patterns():
        match = pattern.search(text)
        if match:
            return match.group("name")
    return None
