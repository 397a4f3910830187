"""Give roles to speaker labels when the export names none: a mapping, else the speech itself.

Captions (``<v Ann Lee>``, SRT), diarised speech (``spk_0``) and channel-split speech
(``ch_1``) say who spoke, not who is the agent. ``attribute_roles`` decides, in order:

1. a **mapping** (a ``speakers.yaml`` file, or a caption file's own ``NOTE agents=`` line):
   labels it names get that role;
2. **inference** from what each label says, with the cues in ``roles_infer.yaml`` (greeting,
   "how can I help", asking for the account, vs. "I'm calling about", "I was charged").
   The label with the highest agent-minus-customer score is the agent, the others
   customers; confidence grows with the margin; below ``uncertain_below`` the conversation
   is kept but marked ``uncertain`` (agents are not scored on it), with the reason.

Mapping file (YAML; keys are file names or ``"*"`` for every file in the folder; labels
match ignoring case, spaces, ``-`` and ``_``)::

    "*": {ch_0: agent, ch_1: customer}
    call-0042.json: {spk_0: customer, spk_1: agent}

Example::

    >>> turns = [("spk_0", "I've been on hold for an hour."), ("spk_1", "Sorry about that.")]
    >>> attribute_roles(turns).speakers
    {'spk_0': <Role.CUSTOMER: 'customer'>, 'spk_1': <Role.AGENT: 'agent'>}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel, field_validator

from configfile import ConfigValueError, load_yaml_config
from transcripts.model import Role, RoleAttribution, RoleSource
from transcripts.roles import normalise_label, parse_role

CUES_FILE = Path(__file__).with_name("roles_infer.yaml")
MAPPING_FILE_NAMES = ("speakers.yaml", "speakers.yml")
"""A mapping file with one of these names next to an export applies to it."""


@dataclass(frozen=True)
class Cue:
    """One phrase pattern and what it is worth."""

    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class RoleCues:
    """The inference settings and cue lists of ``roles_infer.yaml``."""

    agent: tuple[Cue, ...]
    customer: tuple[Cue, ...]
    opening_turns: int
    first_speaker_prior: float
    steepness: float
    uncertain_below: float


class CueSetting(BaseModel):
    """One cue as written: a case-insensitive regular expression and its weight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str = Field(min_length=1)
    weight: float

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class RoleCuesFile(BaseModel):
    """``roles_infer.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    opening_turns: int = Field(4, ge=0)
    first_speaker_prior: float = 0.5
    steepness: float = Field(3.0, gt=0)
    uncertain_below: float = Field(0.75, ge=0, le=1)
    agent: tuple[CueSetting, ...] = ()
    customer: tuple[CueSetting, ...] = ()


@cache
def load_cues(path: Path = CUES_FILE) -> RoleCues:
    """Cues compiled once; a bad file raises ``ConfigValueError`` naming file, line and key."""
    data = load_yaml_config(path, RoleCuesFile, what="role cues", error=ConfigValueError)

    def compiled(cues: tuple[CueSetting, ...]) -> tuple[Cue, ...]:
        return tuple(Cue(re.compile(c.pattern, re.IGNORECASE), c.weight) for c in cues)

    return RoleCues(
        agent=compiled(data.agent),
        customer=compiled(data.customer),
        opening_turns=data.opening_turns,
        first_speaker_prior=data.first_speaker_prior,
        steepness=data.steepness,
        uncertain_below=data.uncertain_below,
    )


def _mapped_role(name: str) -> Role:
    role = parse_role(name)
    if role is None:
        raise ValueError(f"unknown role {name!r}")
    return role


SpeakerRoles = dict[str, dict[str, Annotated[Role, BeforeValidator(lambda v: _mapped_role(str(v)))]]]


class SpeakersFile(RootModel[SpeakerRoles]):
    """A speakers mapping file: file name (or ``*``) -> speaker label -> role alias."""


def load_mapping(path: Path | str) -> dict[str, dict[str, Role]]:
    """A speakers mapping file: file name (or ``*``) -> normalised label -> role.

    Raises ``ConfigValueError`` naming the file, line and entry for an unknown role or a
    malformed entry (a caller error, raised before any export is read).
    """
    data = load_yaml_config(path, SpeakersFile, what="speakers mapping", error=ConfigValueError)
    return {
        str(file_name): {normalise_label(str(label)): role for label, role in labels.items()}
        for file_name, labels in data.root.items()
    }


def mapping_for(export: Path, speakers: Path | str | Mapping[str, dict[str, Role]] | None) -> dict[str, Role]:
    """Label -> role for ``export``: the given mapping (file or loaded), else ``speakers.yaml`` beside it."""
    table: Mapping[str, dict[str, Role]] | None
    if speakers is None:
        beside = next((export.parent / n for n in MAPPING_FILE_NAMES if (export.parent / n).is_file()), None)
        table = load_mapping(beside) if beside is not None else None
    elif isinstance(speakers, Mapping):
        table = speakers
    else:
        table = load_mapping(speakers)
    if not table:
        return {}
    return {**table.get("*", {}), **table.get(export.name, {})}


def check_mapping(value: Path | str | Mapping[str, dict[str, Role]]) -> Mapping[str, dict[str, Role]]:
    """Reader option check: load a mapping file once (raises ``ValueError`` when broken)."""
    return value if isinstance(value, Mapping) else load_mapping(value)


def label_scores(
    turns: Sequence[tuple[str, str]], cues: RoleCues
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Agent-minus-customer score per label, and the cues that fired for it (for the reason)."""
    scores: dict[str, float] = {}
    fired: dict[str, list[str]] = {}
    for position, (label, text) in enumerate(turns):
        scores.setdefault(label, 0.0)
        fired.setdefault(label, [])
        factor = 2.0 if position < cues.opening_turns else 1.0
        for sign, side in ((1.0, cues.agent), (-1.0, cues.customer)):
            for cue in side:
                match = cue.pattern.search(text)
                if match:
                    scores[label] += sign * cue.weight * factor
                    fired[label].append(f"{'+' if sign > 0 else '-'}{match.group(0).lower()!r}")
    if turns:
        scores[turns[0][0]] += cues.first_speaker_prior
    return scores, fired


def attribute_roles(
    turns: Sequence[tuple[str, str]],
    mapping: Mapping[str, Role] | None = None,
    cues: RoleCues | None = None,
) -> RoleAttribution:
    """Roles for the labels of ``turns`` ((label, text) in speaking order).

    Labels the ``mapping`` names (normalised keys) take that role; when it names them all the
    source is ``mapping``. The rest are inferred: the best-scoring unmapped label is the agent
    unless the mapping already gives one, the others are customers.
    """
    cues = cues or load_cues()
    mapping = mapping or {}
    labels = list(dict.fromkeys(label for label, _ in turns))
    mapped = {label: mapping[normalise_label(label)] for label in labels if normalise_label(label) in mapping}
    if len(mapped) == len(labels):
        return RoleAttribution(source=RoleSource.MAPPING, speakers=mapped, reason="speakers mapping")
    scores, fired = label_scores(turns, cues)
    open_labels = [label for label in labels if label not in mapped]
    ranked = sorted(open_labels, key=lambda label: (-scores[label], labels.index(label)))
    speakers = dict(mapped)
    has_agent = Role.AGENT in mapped.values()
    for position, label in enumerate(ranked):
        speakers[label] = Role.AGENT if position == 0 and not has_agent else Role.CUSTOMER
    speakers = {label: speakers[label] for label in labels}
    agent = next(label for label, role in speakers.items() if role is Role.AGENT)
    others = [scores.get(label, 0.0) for label in labels if label != agent]
    if agent in mapped:
        margin = max(0.0, -max(others, default=0.0)) if others else 0.0
    else:
        margin = scores[agent] - max(others) if others else abs(scores[agent])
    confidence = round(0.5 + 0.5 * math.tanh(margin / cues.steepness), 3)
    uncertain = confidence < cues.uncertain_below or len(labels) < 2
    evidence = "; ".join(
        f"{label}: {', '.join(fired[label][:4]) or 'no cue'}" for label in labels if label in fired
    )
    if len(labels) < 2:
        only = labels[0] if labels else "none"
        reason = f"only one speaker label ({only}): agent and customer cannot be told apart"
    elif uncertain:
        reason = f"too few cues to tell the agent from the customer (margin {margin:.1f}); {evidence}"
    else:
        reason = f"{agent} is the agent (margin {margin:.1f}); {evidence}"
    return RoleAttribution(
        source=RoleSource.INFERRED,
        speakers=speakers,
        confidence=confidence,
        uncertain=uncertain,
        reason=reason,
    )
