"""Looking up legs and their turns in an annotated conversation."""

from __future__ import annotations

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from transcripts.model import Leg, Role


def agent_legs(conversation: AnnotatedConversation) -> list[Leg]:
    """Legs handled by a human agent (bots and IVRs are not coached), in order.

    None when the reader could only guess who the agent was (``roles.uncertain``): an agent
    is never scored on turns that may be the customer's.
    """
    roles = conversation.conversation.roles
    if roles is not None and roles.uncertain:
        return []
    return [leg for leg in conversation.conversation.legs if leg.participant_role is Role.AGENT]


def leg_by_index(conversation: AnnotatedConversation, index: int | None) -> Leg | None:
    """The leg with this index, or None."""
    if index is None:
        return None
    return next((leg for leg in conversation.conversation.legs if leg.index == index), None)


def leg_turns(conversation: AnnotatedConversation, leg: int, role: Role | None = None) -> list[AnnotatedTurn]:
    """Turns of one leg, optionally only those of ``role``."""
    return [t for t in conversation.leg_turns(leg) if role is None or t.role is role]


def ordered_legs(conversation: AnnotatedConversation) -> list[Leg]:
    """Legs by index."""
    return sorted(conversation.conversation.legs, key=lambda leg: leg.index)
