"""The one explicit list of scorers a rubric may name.

A registry refuses a second scorer under a name it already has; asking for an unknown name
lists the valid ones::

    registry = default_registry()
    registry.get("empathy.v1").kinds
    registry.get("empathy.v9")  # UnknownScorerError: ... valid scorers: customer_trajectory.v1, ...
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from nlp.scorers.base import Scorer


class DuplicateScorerError(ValueError):
    """A scorer name was registered twice (a programming error)."""


class UnknownScorerError(KeyError):
    """No scorer is registered under the requested name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown scorer"


class ScorerRegistry:
    """Scorers by name; duplicates are rejected at registration."""

    def __init__(self, scorers: Iterable[Scorer] = ()) -> None:
        self._scorers: dict[str, Scorer] = {}
        for scorer in scorers:
            self.register(scorer)

    def register(self, scorer: Scorer) -> Scorer:
        """Add ``scorer``; raises :class:`DuplicateScorerError` if its name is taken."""
        if scorer.name in self._scorers:
            raise DuplicateScorerError(f"scorer {scorer.name!r} is already registered")
        self._scorers[scorer.name] = scorer
        return scorer

    def find(self, name: str) -> Scorer | None:
        """The scorer called ``name``, or None."""
        return self._scorers.get(name)

    def get(self, name: str) -> Scorer:
        """The scorer called ``name``; an unknown name lists the valid ones."""
        scorer = self._scorers.get(name)
        if scorer is None:
            raise UnknownScorerError(f"unknown scorer {name!r}; valid scorers: {', '.join(self.names())}")
        return scorer

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._scorers)

    def kind_labels(self) -> dict[str, str]:
        """Finding kind -> the words pages use for it, as the scorers that emit them declare."""
        labels: dict[str, str] = {}
        for name in self.names():
            for kind, label in self._scorers[name].kinds.items():
                if labels.setdefault(kind, label) != label:
                    raise ValueError(f"finding kind {kind!r} is labelled both {labels[kind]!r} and {label!r}")
        return labels

    def __contains__(self, name: object) -> bool:
        return name in self._scorers

    def __len__(self) -> int:
        return len(self._scorers)


@lru_cache(maxsize=1)
def default_registry() -> ScorerRegistry:
    """The shipped scorers: empathy, self-worth, transfers, repeats, customer trajectory."""
    from nlp.scorers import customer_trajectory, empathy, repeats, self_worth, transfers

    return ScorerRegistry(
        [
            empathy.SCORER,
            self_worth.SCORER,
            transfers.SCORER,
            repeats.SCORER,
            customer_trajectory.SCORER,
        ]
    )
