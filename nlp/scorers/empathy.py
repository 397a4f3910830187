"""``empathy.v1``: whether the agent responds to the customer's emotion or jumps to procedure.

An *opportunity* is a customer turn with negative sentiment (at or below
``negative_sentiment``), a distress cue from the ``cues`` pattern file ("I'm so frustrated",
"I've been waiting for hours"), or a turn close to one of its exemplar sentences. Customer
turns in a row count as one opportunity. The agent *responds* when one of their next
``response_window`` turns in the leg (before the customer speaks again, with
``window_ends_at_reply``) matches the ``responses`` patterns (acknowledgement, validation,
apology with ownership, reflecting the feeling) or is close to a response exemplar. Per agent
leg: the share of opportunities responded to (None when none arose).

*Mild worry* ("I'm a bit nervous about the move") is an opportunity whose every cue carries a
``mild_cues`` label and whose sentiment is above ``negative_sentiment``. Besides the usual
responses, it is answered by reassurance (a ``reassurance`` response pattern: "don't worry",
"the fee is waived") or by solving it: the customer's next turn is relieved (positive
sentiment at or above ``relief_sentiment``, "Oh, that's a relief"). Reassurance patterns never
answer stronger distress, where "don't worry" skips the feeling.

With ``acknowledged_continues``, an emotional customer turn right after an agent turn that spoke
to the feeling ("I hear you." -> "It's the app that's driving me mad.") continues that
acknowledged moment: answering it again counts, but moving on to the fix is not a miss.

Credit needs less certainty than blame. With ``credit_model``, a customer turn whose learned
distress reaches only that (lower) target precision is a *tentative* opportunity: an empathic
answer to it counts as a response (a ``responded`` moment, in the rate as one answered), but
leaving it unanswered is no miss, because the model is not sure there was a feeling to answer
("Sorry to hear about the trouble" after a plain problem report is still good practice). With
``credit_reports``, every customer turn that says more than a redacted name or number, is not
positive and denies no feeling is such a tentative opportunity, answered only by the agent's next
turn (and not by a turn that already answered another moment): the agent who acknowledges a plain
problem report ("I was charged twice." -> "Sorry about that, let me look.") is credited, and nobody
is blamed for not doing so.

A turn where the customer denies a feeling (a ``denials`` cue: "I'm not angry, I just want it
sorted") is no opportunity, whatever its sentiment score. An agent turn whose only match in the
responses file carries a ``model_blocked_by`` label ("Thank you for your patience.") is no response,
whatever the learned model reads; a response phrase inside such a match ("sorry to" in "Sorry to hear
you're leaving") does not count.

Example::

    customer: I've been waiting for hours and nobody has called me back.
    agent:    Can I have your account number?      -> missed_opportunity (agent, negative)
    agent:    I'm sorry you've waited so long.      -> responded (agent, positive)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field, ValidationInfo, field_validator, model_validator

from nlp.annotated import AnnotatedConversation, AnnotatedTurn, SentimentLabel
from nlp.findings import CriterionScore, Finding, Polarity
from nlp.patterns import PatternFile
from nlp.scorers.base import Scorer, ScoreResult, ScoringContext
from nlp.scorers.evidence import hit_evidence, quote_of, turn_evidence
from nlp.scorers.learned import LearnedParams, decide
from nlp.scorers.legs import agent_legs, leg_turns
from nlp.scorers.matching import Hit
from nlp.scorers.params import ScorerParams
from nlp.trajectory import says_something
from transcripts.model import Role

NAME = "empathy.v1"
REPORT = "tentative:report"  # the reason of a plain problem report's tentative moment (credit_reports)


class EmpathyParams(ScorerParams):
    """Parameters of ``empathy.v1`` (see the module docstring)."""

    cues: PatternFile = Field(description="Customer distress cues: patterns and exemplar sentences.")
    responses: PatternFile = Field(description="Agent responses to emotion: patterns and exemplars.")
    negative_sentiment: float = Field(
        -0.5, ge=-1.0, le=1.0, description="Sentiment score at or below: opportunity."
    )
    cue_similarity: float = Field(0.6, ge=0.0, le=1.0, description="Cosine to a cue exemplar: opportunity.")
    response_similarity: float = Field(
        0.5, ge=0.0, le=1.0, description="Cosine to a response exemplar: response."
    )
    response_window: int = Field(
        2, ge=1, le=5, description="Agent turns after the opportunity that may respond."
    )
    window_ends_at_reply: bool = Field(
        False,
        description="The response window ends when the customer speaks again: the agent's next reply "
        "answers the moment, an apology after the customer's next turn answers something else.",
    )
    mild_cues: tuple[str, ...] = Field(
        (), description="Cue labels of mild worry; an opportunity with only these cues is mild."
    )
    reassurance: tuple[str, ...] = Field(
        (), description="Response labels that answer mild worry only (reassurance, 'don't worry')."
    )
    acknowledged_continues: bool = Field(
        False,
        description="An emotional turn right after an agent turn that spoke to the feeling continues "
        "that moment instead of opening a new one.",
    )
    denials: tuple[str, ...] = Field(
        (), description="Cue labels of a customer denying a feeling; such a turn is no opportunity."
    )
    relief_sentiment: float = Field(
        0.5, ge=0.0, le=1.0, description="Customer sentiment after the reply at or above: mild worry solved."
    )
    distress_model: LearnedParams = Field(
        LearnedParams(veto_below=0.3),
        description="The learned distress signal on customer turns: opportunities on the model alone at "
        "this precision; distress phrases it finds unlikely (veto_below) are no opportunity.",
    )
    response_model: LearnedParams = Field(
        LearnedParams(veto_below=0.0),
        description="The learned empathic-response signal on agent turns: responses on the model alone at "
        "this precision; response phrases count unless the model is below veto_below.",
    )
    model_blocked_by: tuple[str, ...] = Field(
        (),
        description="Response-file labels that, found in an agent turn with no response phrase, keep the "
        "learned model from crediting it on its own ('Thank you for your patience.' is boilerplate); "
        "these labels are never responses themselves.",
    )
    credit_model: LearnedParams | None = Field(
        None,
        description="A lower bar for learned distress that counts only when the agent answered it: "
        "credit for an empathic response needs less certainty than blame for a miss (null: off).",
    )
    credit_reports: bool = Field(
        False,
        description="Any customer turn that says something is a tentative opportunity: an empathic answer "
        "to a plain problem report counts as a response; leaving it unanswered is never a miss.",
    )
    credit_handovers: bool = Field(
        False,
        description="A leg that opens with the agent (a transfer's recipient) carries the customer's "
        "earlier emotional turns as a tentative moment: the recipient's first turn owning what the "
        "customer went through is a response; not answering it is never the recipient's miss.",
    )
    suggestion_groups: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Cue rule ids per group; a missed opportunity raised by one of them gets the "
        "rubric's ``missed_opportunity/<group>`` phrasing (else the plain ``missed_opportunity`` one).",
    )

    def suggestion_variants(self) -> frozenset[str]:
        """The groups named in ``suggestion_groups``."""
        return frozenset(self.suggestion_groups)

    def suggestion_group(self, rules: Sequence[str]) -> str | None:
        """The group of the first of these cue rule ids that belongs to one, if any."""
        for rule in rules:
            for group, members in self.suggestion_groups.items():
                if rule in members:
                    return group
        return None

    @model_validator(mode="after")
    def _labels_exist(self) -> EmpathyParams:
        for field, labels, patterns in (
            ("mild_cues", self.mild_cues, self.cues),
            ("reassurance", self.reassurance, self.responses),
            ("model_blocked_by", self.model_blocked_by, self.responses),
            ("denials", self.denials, self.cues),
        ):
            missing = set(labels) - patterns.labels
            if missing:
                raise ValueError(f"{field}: no patterns labelled {sorted(missing)} in {patterns.path}")
        return self

    @field_validator("suggestion_groups")
    @classmethod
    def _groups_name_cues(
        cls, groups: dict[str, tuple[str, ...]], info: ValidationInfo
    ) -> dict[str, tuple[str, ...]]:
        cues = info.data.get("cues")
        if cues is None:  # reported as a problem of ``cues``
            return groups
        rules = {entry.rule for entry in cues.entries}
        for group, members in groups.items():
            unknown = sorted(set(members) - rules)
            if unknown:
                raise ValueError(f"group {group!r}: no cue with id {unknown} in {cues.path}")
        return groups


@dataclass(frozen=True)
class Opportunity:
    """A moment the customer showed emotion, and why it counts."""

    turns: tuple[AnnotatedTurn, ...]  # consecutive customer turns merged into one moment
    shown: tuple[AnnotatedTurn, ...]  # those that showed some feeling (all but plain reports)
    trigger: AnnotatedTurn  # the turn quoted as evidence
    hit: Hit | None
    reason: str  # "cue:<rule>", "sentiment:<score>" or "exemplar:<rule>"
    mild: bool = False  # only mild-worry cues, sentiment above the negative threshold
    continued: bool = False  # right after an agent turn that spoke to the feeling: not missed if unanswered
    tentative: bool = False  # only the credit bar was reached: counts when answered, never as a miss
    reported: bool = False  # a plain report, or carried over a hand-over: only the next agent turn answers


@dataclass(frozen=True)
class _Emotional:
    """One customer turn that shows emotion, before turns in a row are merged into a moment."""

    turn: AnnotatedTurn
    hit: Hit | None
    reason: str
    tentative: bool  # only the credit bar was reached
    carried: bool = False  # from before a hand-over (credit_handovers): only the next agent turn answers


@dataclass(frozen=True)
class Response:
    """How the agent answered an opportunity."""

    turn: AnnotatedTurn
    hit: Hit | None
    rule: str
    similarity: float | None


def _cue_rules(opportunity: Opportunity, context: ScoringContext, params: EmpathyParams) -> list[str]:
    """Rule ids of the cues in the turns that showed feeling, in order (the one that raised it first)."""
    rules = [opportunity.hit.rule] if opportunity.hit is not None else []
    for turn in opportunity.shown:
        rules.extend(hit.rule for hit in _cue_hits(turn, context, params))
    return rules


def _cue_hits(turn: AnnotatedTurn, context: ScoringContext, params: EmpathyParams) -> list[Hit]:
    """Distress and worry cues in the turn (denials such as "I'm not angry" are not cues)."""
    return [h for h in context.hits(params.cues, turn) if h.label not in params.denials]


def _opportunity_reason(
    turn: AnnotatedTurn, context: ScoringContext, params: EmpathyParams
) -> tuple[Hit | None, str, bool] | None:
    """Why the turn is an opportunity (hit, reason, tentative), or None when it is none."""
    hits = _cue_hits(turn, context, params)
    if not hits and any(h.label in params.denials for h in context.hits(params.cues, turn)):
        return None  # "I'm not upset, just curious": the customer says there is no feeling to answer
    if turn.signal("distress", "true") is not None and params.distress_model.target_precision is not None:
        match = None if hits else context.similar(params.cues, turn)
        exemplar = match.rule if match is not None and match.similarity >= params.cue_similarity else None
        verdict = decide(turn, "distress", "true", hits, params.distress_model, exemplar)
        if verdict.decided:
            return verdict.hit, verdict.reason, False
        if params.credit_model is not None and params.credit_model.target_precision is not None:
            credit = decide(turn, "distress", "true", hits, params.credit_model, exemplar)
            if credit.decided:
                return credit.hit, f"tentative:{credit.reason}", True
        return _reported(turn, params)
    if hits:
        return hits[0], f"cue:{hits[0].rule}", False
    sentiment = turn.sentiment
    if sentiment.label is SentimentLabel.NEGATIVE and sentiment.score <= params.negative_sentiment:
        return None, f"sentiment:{sentiment.score:.2f}", False
    match = context.similar(params.cues, turn)
    if match is not None and match.similarity >= params.cue_similarity:
        return None, f"exemplar:{match.rule}", False
    return _reported(turn, params)


def _reported(turn: AnnotatedTurn, params: EmpathyParams) -> tuple[None, str, bool] | None:
    """A tentative opportunity for any turn that says something, with ``credit_reports``."""
    if not params.credit_reports or turn.sentiment.label is SentimentLabel.POSITIVE:
        return None  # "Okay, that helps a lot, thanks" reports nothing
    return (None, REPORT, True) if says_something(turn, placeholders=False) else None


def _is_mild(turn: AnnotatedTurn, context: ScoringContext, params: EmpathyParams) -> bool:
    """True when every cue in the turn is a mild-worry cue and the sentiment is not strongly negative."""
    hits = _cue_hits(turn, context, params)
    return (
        bool(hits)
        and all(h.label in params.mild_cues for h in hits)
        and turn.sentiment.score > params.negative_sentiment
    )


def carried_moments(
    conversation: AnnotatedConversation,
    turns: list[AnnotatedTurn],
    context: ScoringContext,
    params: EmpathyParams,
) -> list[_Emotional]:
    """The customer's emotional turns before a leg's ``turns`` when the leg opens with the agent.

    With ``credit_handovers`` they are tentative moments the recipient may answer: what the customer
    went through before the hand-over, plain reports left out.
    """
    if not params.credit_handovers or not turns or turns[0].role is not Role.AGENT:
        return []
    carried = []
    for turn in conversation.turns:
        if turn.index < turns[0].index and turn.role is Role.CUSTOMER:
            found = _opportunity_reason(turn, context, params)
            if found is not None and found[1] != REPORT:
                hit, reason, _ = found
                carried.append(_Emotional(turn, hit, reason, tentative=True, carried=True))
    return carried


def find_opportunities(
    turns: list[AnnotatedTurn],
    context: ScoringContext,
    params: EmpathyParams,
    carried: Sequence[_Emotional] = (),
) -> list[Opportunity]:
    """Emotional moments in one leg's turns that the agent still had a turn to answer.

    ``carried``: tentative moments from before the leg, answered only by its first agent turn.
    """
    result: list[Opportunity] = []
    pending: list[_Emotional] = list(carried)
    acknowledged = False  # the agent's last turn spoke to the feeling
    for turn in turns:
        if turn.role is Role.CUSTOMER:
            found = _opportunity_reason(turn, context, params)
            if found is not None:
                pending.append(_Emotional(turn, *found))
        elif turn.role is Role.AGENT:
            if pending:
                sure = [p for p in pending if not p.tentative] or pending  # a sure turn raises the moment
                trigger = next((p for p in sure if p.hit is not None), sure[0])
                felt = [p for p in pending if p.reason != REPORT] or pending
                result.append(
                    Opportunity(
                        turns=tuple(p.turn for p in pending),
                        shown=tuple(p.turn for p in felt),
                        trigger=trigger.turn,
                        hit=trigger.hit,
                        reason=trigger.reason,
                        mild=all(_is_mild(p.turn, context, params) for p in pending),
                        continued=acknowledged,
                        tentative=all(p.tentative for p in pending),
                        reported=all(p.reason == REPORT or p.carried for p in pending),
                    )
                )
                pending = []
            acknowledged = params.acknowledged_continues and bool(speaks_to_feeling(turn, context, params))
    return result  # moments with no agent turn after them (hang-up, transfer) are not counted


def _relieved(
    reply: AnnotatedTurn, turns: list[AnnotatedTurn], params: EmpathyParams
) -> AnnotatedTurn | None:
    """The customer's next turn after ``reply`` when it is clearly relieved (positive enough)."""
    after = next((t for t in turns if t.index > reply.index and t.role is Role.CUSTOMER), None)
    if after is None:
        return None
    sentiment = after.sentiment
    if sentiment.label is SentimentLabel.POSITIVE and sentiment.score >= params.relief_sentiment:
        return after
    return None


def speaks_to_feeling(
    turn: AnnotatedTurn, context: ScoringContext, params: EmpathyParams, mild: bool = False
) -> Response | None:
    """The agent turn as a response to feeling (model, pattern or exemplar); reassurance only if ``mild``."""
    found = context.hits(params.responses, turn)
    blocked = [h for h in found if h.label in params.model_blocked_by]
    phrases = [h for h in found if h not in blocked and not any(_overlaps(h, b) for b in blocked)]
    if found and not phrases:
        return None  # boilerplate alone ("thanks for your patience") is no response, whatever the model reads
    hits = [h for h in phrases if mild or h.label not in params.reassurance]
    if turn.signal("empathic", "true") is not None and params.response_model.target_precision is not None:
        match = None if hits else context.similar(params.responses, turn)
        exemplar = (
            match.rule if match is not None and match.similarity >= params.response_similarity else None
        )
        verdict = decide(turn, "empathic", "true", hits, params.response_model, exemplar)
        if verdict.decided:
            return Response(turn, verdict.hit, verdict.hit.rule if verdict.hit else verdict.reason, None)
        reassured = next((h for h in hits if mild and h.label in params.reassurance), None)
        return Response(turn, reassured, reassured.rule, None) if reassured is not None else None
    if hits:
        return Response(turn, hits[0], hits[0].rule, None)
    match = context.similar(params.responses, turn)
    if match is not None and match.similarity >= params.response_similarity:
        return Response(turn, None, match.rule, match.similarity)
    return None


def _overlaps(a: Hit, b: Hit) -> bool:
    """True when two hits share a token ("sorry to" inside "sorry to hear you're leaving")."""
    return a.start < b.end and b.start < a.end


def find_response(
    opportunity: Opportunity, turns: list[AnnotatedTurn], context: ScoringContext, params: EmpathyParams
) -> tuple[Response | None, list[AnnotatedTurn]]:
    """The agent's empathic response within the window, and the agent turns looked at."""
    last = opportunity.turns[-1].index
    size = 1 if opportunity.reported else params.response_window  # a later turn answers something else
    window: list[AnnotatedTurn] = []
    for turn in (t for t in turns if t.index > last):
        if turn.role is Role.CUSTOMER and window and params.window_ends_at_reply:
            break  # the customer speaks again once the agent has replied
        if turn.role is Role.AGENT:
            window.append(turn)
    window = window[:size]
    for turn in window:
        response = speaks_to_feeling(turn, context, params, mild=opportunity.mild)
        if response is not None:
            return response, window
    if opportunity.mild and window:
        relieved = _relieved(window[0], turns, params)
        if relieved is not None:
            return Response(window[0], None, f"worry_resolved:{relieved.index}", None), window
    return None, window


def score(conversation: AnnotatedConversation, context: ScoringContext, params: EmpathyParams) -> ScoreResult:
    """Opportunity-response rate per agent leg, with missed and answered moments as findings."""
    scores: list[CriterionScore] = []
    findings: list[Finding] = []
    for leg in agent_legs(conversation):
        turns = leg_turns(conversation, leg.index)
        if not any(t.role is Role.AGENT for t in turns):
            continue
        carried = carried_moments(conversation, turns, context, params)
        opportunities = find_opportunities(turns, context, params, carried)
        answered = counted = 0
        credited: set[int] = set()  # agent turns already counted as a response
        for opportunity in opportunities:
            response, window = find_response(opportunity, turns, context, params)
            if response is None and (opportunity.continued or opportunity.tentative):
                continue  # the feeling was just acknowledged, or was never sure: moving on is fine
            if response is not None and opportunity.reported and response.turn.index in credited:
                continue  # one apology answers one moment
            if response is not None:
                credited.add(response.turn.index)
            counted += 1
            trigger = opportunity.trigger
            cue_evidence = (
                hit_evidence(conversation.id, trigger, opportunity.hit)
                if opportunity.hit is not None
                else turn_evidence(conversation.id, trigger, opportunity.reason)
            )
            if response is not None:
                answered += 1
                evidence = (
                    hit_evidence(conversation.id, response.turn, response.hit)
                    if response.hit is not None
                    else turn_evidence(conversation.id, response.turn, response.rule)
                )
                detail = {
                    "opportunity_turn": trigger.index,
                    "opportunity_turns": [t.index for t in opportunity.turns],
                    "opportunity_quote": cue_evidence.quote,
                    "opportunity_reason": opportunity.reason,
                }
                if response.similarity is not None:
                    detail["similarity"] = round(response.similarity, 3)
                findings.append(context.finding("responded", Polarity.POSITIVE, evidence, leg, detail=detail))
            else:
                reply = window[0]
                group = params.suggestion_group(_cue_rules(opportunity, context, params))
                findings.append(
                    context.finding(
                        "missed_opportunity",
                        Polarity.NEGATIVE,
                        cue_evidence,
                        leg,
                        detail={
                            "opportunity_reason": opportunity.reason,
                            "opportunity_turns": [t.index for t in opportunity.shown],
                            "response_turn": reply.index,
                            "response_quote": quote_of(reply.text),
                            "suggestion_group": group,
                        },
                        variant=group,
                    )
                )
        if counted:
            value: float | None = answered / counted
            reason = f"responded to {answered} of {counted} emotional moments"
        else:
            value, reason = None, "the customer showed no emotion to respond to in this leg"
        scores.append(context.criterion_score(conversation, leg, value, reason))
    return scores, findings


SCORER = Scorer(
    name=NAME,
    description="Share of the customer's emotional moments the agent acknowledged before moving on.",
    inputs=frozenset({"doc", "embedding", "sentiment", "legs"}),
    kinds={"missed_opportunity": "Missed opportunity", "responded": "Responded"},
    params=EmpathyParams,
    score=score,
)
