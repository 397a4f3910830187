"""``repeats.v1``: how often the customer had to say it again, and whose doing that was.

Three signals:

* **semantic re-explanation** — the customer's first substantive statements in a leg (or in a
  later contact of the journey) close to an earlier issue statement (cosine of encoder
  embeddings at or above ``similarity``);
* **explicit cues** in customer turns ("as I said", "I already explained", "for the third
  time", "I've told this to three people"), and cues that only mean an earlier contact when the
  customer opens with them, before any agent has spoken ("I still need help", label
  ``prior_contact``);
* **information asked again** — an agent request (account number, name, address, email...)
  for something the customer already gave earlier in the same contact.

Re-explaining after a transfer, bot hand-off, callback, long hold, dropped call or repeat
contact is a **system** finding (``re_explained``, ``reasked_after_transfer``) and lowers only
the conversation's system score. Repeating to the same agent within their own leg
(``repeated_to_agent``) and being asked again by the agent who was already told
(``reasked_info``) are the agent's.

Example::

    leg 0 customer: I was charged twice for my May bill and need a refund.
    leg 1 customer: Like I told the last person, I got billed twice.  -> re_explained (system)
    leg 1 agent:    Can I get your account number? (given in leg 0)   -> reasked_after_transfer (system)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from nlp.annotated import AnnotatedConversation, AnnotatedTurn
from nlp.attribution import (
    SystemCause,
    before_any_agent,
    leg_entry_cause,
    previous_contact_cause,
    re_explanation_cause,
)
from nlp.findings import Attribution, CriterionScore, Finding, Polarity
from nlp.patterns import PatternFile
from nlp.scorers.base import Scorer, ScoreResult, ScoringContext
from nlp.scorers.evidence import hit_evidence, quote_of, turn_evidence
from nlp.scorers.issues import cosine, substantive_customer_turns
from nlp.scorers.legs import agent_legs, leg_by_index, leg_turns, ordered_legs
from nlp.scorers.matching import Hit
from nlp.scorers.params import ScorerParams
from transcripts.model import Role

NAME = "repeats.v1"
LABELS = frozenset(
    {"repeat_cue", "repeat_to_others", "prior_contact", "request_info", "supply_info", "info_value"}
)
CUES = ("repeat_cue", "repeat_to_others", "prior_contact")
SLOTTED = frozenset({"request_info", "supply_info", "info_value"})


class RepeatsParams(ScorerParams):
    """Parameters of ``repeats.v1`` (see the module docstring)."""

    cues: PatternFile = Field(description="Repeat cues, info requests, info supplied, info value shapes.")
    similarity: float = Field(0.7, ge=0.0, le=1.0, description="Cosine at or above: the same issue again.")
    min_words: int = Field(6, ge=1, description="Words a customer turn needs to count as an issue statement.")
    search_turns: int = Field(3, ge=1, description="Customer statements per leg compared with earlier ones.")
    first_leg_turns: int = Field(
        3, ge=1, description="Cues this early in a handed-over leg are the system's."
    )
    long_hold_ms: int = Field(120_000, ge=0, description="A cue after a hold this long is the system's.")
    system_penalty: float = Field(0.25, ge=0.0, le=1.0, description="Per system re-explanation.")
    agent_penalty: float = Field(0.25, ge=0.0, le=1.0, description="Per repeat the agent caused.")

    @model_validator(mode="after")
    def _labels_fit(self) -> RepeatsParams:
        bad = [e for e in self.cues.entries if e.label not in LABELS]
        if bad:
            where = ", ".join(f"{self.cues.path}:{e.line} ({e.label!r})" for e in bad[:5])
            raise ValueError(f"unknown labels {where}; labels: {sorted(LABELS)}")
        unslotted = [e for e in self.cues.entries if e.label in SLOTTED and not e.slot]
        if unslotted:
            where = ", ".join(f"{self.cues.path}:{e.line}" for e in unslotted[:5])
            raise ValueError(f"request_info/supply_info/info_value entries need a 'slot': {where}")
        return self


@dataclass(frozen=True)
class Statement:
    """An issue statement the customer already made."""

    conversation_id: str
    leg: int
    turn: AnnotatedTurn
    embedding: np.ndarray


def _leg_statements(conversation: AnnotatedConversation, leg: int, params: RepeatsParams) -> list[Statement]:
    """The customer's first substantive statements in one leg (what they explained there)."""
    turns = substantive_customer_turns(conversation.leg_turns(leg), params.min_words)[: params.search_turns]
    return [Statement(conversation.id, leg, turn, turn.embedding) for turn in turns]


def _contact_statements(conversation: AnnotatedConversation, params: RepeatsParams) -> list[Statement]:
    """Everything a customer explained in an earlier contact, the phone menu included."""
    return [s for leg in ordered_legs(conversation) for s in _leg_statements(conversation, leg.index, params)]


def semantic_repeats(
    conversation: AnnotatedConversation, context: ScoringContext, params: RepeatsParams
) -> list[tuple[AnnotatedTurn, Statement, float, str]]:
    """(turn, earlier statement, similarity, cause) for each leg whose customer starts over."""
    earlier = context.journey.earlier if context.journey else ()
    pool = [s for contact in earlier for s in _contact_statements(contact, params)]
    contact_cause = previous_contact_cause([c.conversation for c in earlier])
    result = []
    for leg in ordered_legs(conversation):
        if leg.participant_role is Role.IVR:
            continue  # "in a few words, why are you calling?" is routing, not an explanation
        turns = conversation.leg_turns(leg.index)
        candidates = substantive_customer_turns(turns, params.min_words)[: params.search_turns]
        best: tuple[AnnotatedTurn, Statement, float] | None = None
        for turn in candidates:
            for statement in pool:
                similarity = cosine(turn.embedding, statement.embedding)
                if similarity >= params.similarity and (best is None or similarity > best[2]):
                    best = (turn, statement, similarity)
            if best is not None:
                break
        if best is not None:
            if best[1].conversation_id != conversation.id:
                cause = contact_cause  # told in an earlier contact of the journey
            else:
                cause = leg_entry_cause(conversation.conversation, leg.index) or SystemCause.TRANSFER
            result.append((*best, str(cause or SystemCause.REPEAT_CONTACT)))
        pool.extend(_leg_statements(conversation, leg.index, params))
    return result


def score(conversation: AnnotatedConversation, context: ScoringContext, params: RepeatsParams) -> ScoreResult:
    """System re-explanations per conversation; repeats the agent caused per agent leg."""
    findings: list[Finding] = []
    system_count = 0
    agent_counts: dict[int, int] = {}
    flagged_turns: set[int] = set()
    earlier = [c.conversation for c in context.journey.earlier] if context.journey else []

    for turn, previous, similarity, cause in semantic_repeats(conversation, context, params):
        leg = leg_by_index(conversation, turn.turn.leg)
        hits = [h for h in context.hits(params.cues, turn) if h.label in CUES]
        detail = {
            "cause": cause,
            "similarity": round(similarity, 3),
            "previous_conversation_id": previous.conversation_id,
            "previous_leg": previous.leg,
            "previous_turn": previous.turn.index,
            "previous_quote": quote_of(previous.turn.text),
        }
        if hits:
            detail["cue"] = hits[0].rule
        evidence = turn_evidence(conversation.id, turn, "embedding-similarity")
        findings.append(
            context.finding("re_explained", Polarity.NEGATIVE, evidence, leg, Attribution.SYSTEM, detail)
        )
        flagged_turns.add(turn.index)
        system_count += 1

    reasks = reasked_info(conversation, context, params)
    replies = replies_to_reasks(conversation, [turn for _, turn, _, _ in reasks])
    reply_turns = {t.index for t in replies.values()}
    for turn in conversation.turns:
        if turn.role is not Role.CUSTOMER or turn.index in flagged_turns:
            continue
        hits = [h for h in context.hits(params.cues, turn) if h.label in CUES]
        if any(h.label == "prior_contact" for h in hits) and not before_any_agent(
            conversation.conversation, turn.turn
        ):
            hits = [h for h in hits if h.label != "prior_contact"]  # later in the contact: a follow-up
        if not hits or (turn.index in reply_turns and all(h.label == "repeat_cue" for h in hits)):
            continue  # "Same as a minute ago." after a re-ask: that re-ask's moment, not a second one
        hit = next((h for h in hits if h.label == "repeat_to_others"), hits[0])
        leg = leg_by_index(conversation, turn.turn.leg)
        cause = (
            "told_others"
            if hit.label == "repeat_to_others"
            else re_explanation_cause(
                conversation.conversation,
                turn.turn,
                earlier,
                long_hold_ms=params.long_hold_ms,
                first_leg_turns=params.first_leg_turns,
            )
        )
        evidence = hit_evidence(conversation.id, turn, hit)
        if cause is None and leg is not None and leg.participant_role is Role.AGENT:
            agent_counts[leg.index] = agent_counts.get(leg.index, 0) + 1
            findings.append(
                context.finding(
                    "repeated_to_agent",
                    Polarity.NEGATIVE,
                    evidence,
                    leg,
                    Attribution.AGENT,
                    {"cue": hit.rule},
                )
            )
        else:
            system_count += 1
            detail = {"cause": str(cause or "automated_leg"), "cue": hit.rule}
            findings.append(
                context.finding("re_explained", Polarity.NEGATIVE, evidence, leg, Attribution.SYSTEM, detail)
            )

    for kind, turn, hit, supplied in reasks:
        leg = leg_by_index(conversation, turn.turn.leg)
        attribution = Attribution.AGENT if kind == "reasked_info" else Attribution.SYSTEM
        if attribution is Attribution.AGENT and leg is not None:
            agent_counts[leg.index] = agent_counts.get(leg.index, 0) + 1
        else:
            system_count += 1
        detail = {
            "slot": hit.slot,
            "supplied_turn": supplied.index,
            "supplied_leg": supplied.turn.leg,
            "supplied_quote": quote_of(supplied.text),
        }
        reply = replies.get(turn.index)
        if reply is not None:
            detail["reply_turn"] = reply.index
            detail["reply_quote"] = quote_of(reply.text)
        findings.append(
            context.finding(
                kind, Polarity.NEGATIVE, hit_evidence(conversation.id, turn, hit), leg, attribution, detail
            )
        )

    scores: list[CriterionScore] = [
        context.criterion_score(
            conversation,
            None,
            1.0 - params.system_penalty * system_count,
            f"{system_count} time(s) the customer had to start over because of routing, holds or drops",
            Attribution.SYSTEM,
        )
    ]
    for leg in agent_legs(conversation):
        if not leg_turns(conversation, leg.index, Role.AGENT):
            continue  # no speech of this agent (e.g. a contact record): nothing to credit or blame
        count = agent_counts.get(leg.index, 0)
        reason = (
            f"{count} repeat(s) this agent caused" if count else "the agent did not make the customer repeat"
        )
        scores.append(
            context.criterion_score(
                conversation, leg, 1.0 - params.agent_penalty * count, reason, Attribution.AGENT
            )
        )
    return scores, findings


def replies_to_reasks(
    conversation: AnnotatedConversation, reasks: list[AnnotatedTurn]
) -> dict[int, AnnotatedTurn]:
    """Re-ask turn index -> the customer turn answering it (next in the leg, before the agent again)."""
    replies: dict[int, AnnotatedTurn] = {}
    position = {t.index: i for i, t in enumerate(conversation.turns)}
    for asked in reasks:
        for turn in conversation.turns[position[asked.index] + 1 :]:
            if turn.turn.leg != asked.turn.leg or turn.role is Role.AGENT:
                break
            if turn.role is Role.CUSTOMER:
                replies[asked.index] = turn
                break
    return replies


def reasked_info(
    conversation: AnnotatedConversation, context: ScoringContext, params: RepeatsParams
) -> list[tuple[str, AnnotatedTurn, Hit, AnnotatedTurn]]:
    """(kind, agent turn, request hit, turn that supplied it) for each request already answered."""
    supplied: dict[str, AnnotatedTurn] = {}
    requested: set[str] = set()
    result = []
    for turn in conversation.turns:
        hits = context.hits(params.cues, turn)
        if turn.role is Role.AGENT:
            asked: dict[str, Hit] = {}
            for hit in hits:
                if hit.label == "request_info" and hit.slot and hit.slot not in asked:
                    asked[hit.slot] = hit
            for slot, hit in asked.items():
                given = supplied.get(slot)
                if given is not None:
                    kind = "reasked_info" if given.turn.leg == turn.turn.leg else "reasked_after_transfer"
                    result.append((kind, turn, hit, given))
            if asked:
                requested = set(asked)
        elif turn.role is Role.CUSTOMER:
            for hit in hits:
                explicit = hit.label == "supply_info"
                answer = hit.label == "info_value" and hit.slot in requested
                if hit.slot and (explicit or answer):
                    supplied[hit.slot] = turn
    return result


SCORER = Scorer(
    name=NAME,
    description="Customers starting over (system) and repeats the agent caused (agent).",
    inputs=frozenset({"doc", "embedding", "legs", "events", "journey"}),
    kinds={
        "re_explained": "Customer had to explain again",
        "repeated_to_agent": "Repeated to agent",
        "reasked_info": "Asked again for details already given",
        "reasked_after_transfer": "Asked again for details given before the transfer",
    },
    params=RepeatsParams,
    score=score,
)
