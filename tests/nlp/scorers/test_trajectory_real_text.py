"""The customer's trajectory on real text, with the real encoder, signal heads and default rubric.

Before rubric 1.7.0 the trajectory read the sentiment score, P(positive) - P(negative): a customer
who opened warmly and then asked a calm question "worsened" (-0.88 on the praise thread below,
-0.63 on the real Spotify thread) and the card listed a "worsened" finding for the leg. It now
reads minus P(negative) and P(distress) (``trajectory.customer_turn`` in ``nlp/analysis.yaml``),
on which a calm turn is 0
whether or not it thanks. Threads: our own lines, plus one real thread of
``eval/ibm-customer-care`` (train split). The two angry-opener threads are flat under both
readings; they guard the fair-blame promise rather than the change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.analysis import Analyzer
from nlp.annotated import Direction
from nlp.findings import Attribution
from tests.nlp.scorers.builders import Score
from transcripts.model import Conversation

pytestmark = [pytest.mark.models, pytest.mark.slow]

IBM_TURNS = Path(__file__).resolve().parents[3] / "eval" / "ibm-customer-care" / "turns.jsonl"

OWN = {
    "praise-then-question": [
        ("customer", "Love the new app update, great job! How do I change my delivery address?"),
        ("agent", "Thank you! Go to Settings, then Addresses, and tap Edit."),
        ("customer", "Where is Settings on the iPad version?"),
    ],
    "calms-down": [
        (
            "customer",
            "My card was charged twice for the same order and nobody is answering! This is so frustrating.",
        ),
        ("agent", "I'm sorry about that. I can see the duplicate charge and I've refunded it now; 3-5 days."),
        ("customer", "Ok. Will the refund show as a separate line on my statement?"),
    ],
    "feature-removed": [
        (
            "customer",
            "Why did you remove offline playlists?? I pay for premium and now I can't listen on the "
            "subway. Ridiculous.",
        ),
        (
            "agent",
            "Thanks for reaching out. Offline playlists were retired in the last update; you can still "
            "download single albums from the Library tab.",
        ),
        ("customer", "That's useless. I'm cancelling my subscription, worst update ever."),
    ],
    "dark-mode-removed": [
        (
            "customer",
            "You removed the dark mode setting without any warning. I'm really annoyed, my eyes hurt "
            "using the app at night.",
        ),
        (
            "agent",
            "Thanks for letting us know. Dark mode now follows your phone's display setting; you can "
            "switch it there.",
        ),
        (
            "customer",
            "I don't want to change my whole phone for your app. Bring the setting back, so frustrating.",
        ),
    ],
    # A calm request, then thanks (a writer's e-mail thread, labelled distress none throughout): the
    # heads read the request at P(negative) 0.3, so its mood rose by more than the 0.15 of "improved"
    # and the closing thanks read pleased; improved now also needs a start that showed distress.
    "calm-request-then-thanks": [
        (
            "customer",
            "Dear Sir/Madam, I stayed at the Carradine Leeds from 4 to 6 March (booking CH-778310) for "
            "work. Could you please send me a VAT invoice addressed to Pellow Engineering Ltd, 3 Mill "
            "Lane, Otley LS21 4AB? Our finance team can't accept the standard receipt. Kind regards, "
            "James Pike",
        ),
        (
            "agent",
            "Dear Mr Pike, Thank you for your email. Please find attached the VAT invoice for booking "
            "CH-778310, made out to Pellow Engineering Ltd at the address you gave.",
        ),
        (
            "customer",
            "Dear Elena, Thank you. Actually, yes: they've asked for the breakfasts as separate lines. "
            "Sorry to be a pain! James",
        ),
        (
            "agent",
            "Dear Mr Pike, Not a pain at all. The revised invoice is attached, with accommodation and "
            "breakfast on separate lines for each night. Best wishes, Elena",
        ),
        ("customer", "Perfect, thanks very much."),
    ],
    "gets-worse": [
        ("customer", "Hi, my router shows a red light since this morning. What should I do?"),
        ("agent", "Please restart it and wait five minutes."),
        (
            "customer",
            "I restarted it three times already, still red. This is ridiculous, I work from home and "
            "I'm losing money.",
        ),
    ],
}


def _conversation(cid: str, turns: list[tuple[str, str]]) -> Conversation:
    return Conversation.model_validate(
        {
            "id": cid,
            "channel": "social",
            "customer_id": f"cust-{cid}",
            "legs": [{"index": 0, "agent_id": "a-1"}],
            "turns": [{"index": i, "role": r, "leg": 0, "text": t} for i, (r, t) in enumerate(turns)],
        }
    )


def _ibm(thread: str) -> Conversation:
    rows = [json.loads(line) for line in IBM_TURNS.read_text(encoding="utf-8").splitlines()]
    return _conversation(thread, [(r["role"], r["text"]) for r in rows if r["thread"] == thread])


@pytest.fixture(scope="module")
def conversations() -> dict[str, Conversation]:
    own = {cid: _conversation(cid, turns) for cid, turns in OWN.items()}
    # A Spotify customer: "Working through more music on @Spotify. What are your favorite albums?",
    # then "Also @Spotify can you make it easier to compile album collections?" (distress none, none).
    return {**own, "zGjkYblqy0h4ctyXXaS1": _ibm("zGjkYblqy0h4ctyXXaS1")}


def _direction(analyzer: Analyzer, conversation: Conversation) -> Direction | None:
    [annotated] = analyzer.annotate([conversation])
    whole = annotated.trajectory(None)
    assert whole is not None
    return whole.direction


def _trajectory_findings(score: Score, conversation: Conversation) -> list[tuple[str, Attribution]]:
    [result] = score(conversation)
    return [(f.kind, f.attribution) for f in result.findings if f.scorer == "customer_trajectory.v1"]


@pytest.mark.parametrize("cid", ["praise-then-question", "zGjkYblqy0h4ctyXXaS1"])
def test_warm_opener_then_calm_question_is_not_worsened(
    cid: str, conversations: dict[str, Conversation], analyzer: Analyzer, score: Score
) -> None:
    assert _direction(analyzer, conversations[cid]) == Direction.FLAT
    assert not [kind for kind, _ in _trajectory_findings(score, conversations[cid]) if kind == "worsened"]


def test_customer_who_calms_down_improved(
    conversations: dict[str, Conversation], analyzer: Analyzer, score: Score
) -> None:
    assert _direction(analyzer, conversations["calms-down"]) == Direction.IMPROVING
    kinds = [kind for kind, _ in _trajectory_findings(score, conversations["calms-down"])]
    assert kinds == ["recovered"]


@pytest.mark.parametrize("cid", ["feature-removed", "dark-mode-removed"])
def test_angry_opener_that_stays_angry_is_not_worsened_against_the_agent(
    cid: str, conversations: dict[str, Conversation], score: Score
) -> None:
    findings = _trajectory_findings(score, conversations[cid])
    assert ("worsened", Attribution.AGENT) not in findings


def test_customer_who_gets_worse_worsened(conversations: dict[str, Conversation], analyzer: Analyzer) -> None:
    assert _direction(analyzer, conversations["gets-worse"]) == Direction.WORSENING


def test_calm_request_then_thanks_is_no_improvement(
    conversations: dict[str, Conversation], score: Score
) -> None:
    assert _trajectory_findings(score, conversations["calm-request-then-thanks"]) == []
