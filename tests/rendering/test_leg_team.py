"""``team`` (a leg's team within its department) is stored and shown where the source names it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from synthetic_store import PERIOD, build_store

from rendering.coaching_cards import build_cards
from rendering.conversation_pages import build_conversation_pages
from rendering.periods import Period
from rendering.redact import Redactor
from rendering.rubric_info import load_rubric_info
from rendering.settings import load_settings
from rendering.site_writer import environment, render
from storage.migrate import LATEST
from storage.store import Store
from transcripts.model import Channel, Conversation, Leg, Role, Turn

PERIOD_RANGE = Period(date.fromisoformat(PERIOD[0]), date.fromisoformat(PERIOD[1]))
COMMON = {
    "period": PERIOD_RANGE,
    "rubric_version": None,
    "has_index": True,
    "has_report": False,
    "has_run_pages": False,
}


def _teamed(team: str | None) -> Conversation:
    return Conversation(
        id="t-1",
        channel=Channel.CHAT,
        legs=[Leg(index=0, participant_role=Role.AGENT, agent_id="a-ann", department="Billing", team=team)],
        turns=[Turn(index=0, role=Role.AGENT, speaker_id="a-ann", text="Hello, Billing here.")],
    )


def test_team_is_a_leg_column(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        assert store.connection.execute("SELECT max(version) FROM schema_version").fetchone() == (LATEST,)
        store.upsert_conversations([_teamed("Disputes")], store.start_run("test"))
        assert store.connection.execute("SELECT department, team FROM legs").fetchall() == [
            ("Billing", "Disputes")
        ]
        (loaded,) = store.load_conversations()
        assert loaded.legs[0].team == "Disputes"


def test_conversation_page_names_the_team_only_when_known(tmp_path: Path) -> None:
    for team, expected in (("Disputes", True), (None, False)):
        with Store(tmp_path / f"{team}.duckdb") as store:
            store.upsert_conversations([_teamed(team)], store.start_run("test"))
            (page,) = build_conversation_pages(
                store.connection, ["t-1"], None, rubric=load_rubric_info(), redactor=Redactor(names=False)
            )
        html = render(environment(), "conversation.html.j2", page=page, root="../", **COMMON)
        head = html[html.index('id="leg-0"') : html.index("</div>", html.index('id="leg-0"'))]
        assert ("· team Disputes" in head) is expected and "Billing" in head


def test_card_names_the_team_where_the_legs_have_one(tmp_path: Path) -> None:
    settings, rubric = load_settings(), load_rubric_info()
    with build_store(tmp_path / "s.duckdb") as store:
        store.connection.execute("UPDATE legs SET team = 'Tier 2' WHERE agent_id = 'a-kevin'")
        cards = build_cards(
            store.connection, PERIOD_RANGE, "test-rubric@1.0", rubric=rubric, settings=settings,
            redactor=Redactor(names=False),
        )  # fmt: skip
    by_id = {c.agent_id: c for c in cards}
    assert by_id["a-kevin"].teams == ("Tier 2",) and by_id["a-lee"].teams == ()
    env = environment()
    for agent, expected in (("a-kevin", True), ("a-lee", False)):
        card = by_id[agent]
        context = {**COMMON, "card": card, "rubric": rubric, "root": "../", "max_system_notes": 5}
        for template in ("card.html.j2", "card.md.j2"):
            assert ("team Tier 2" in render(env, template, **context)) is expected, (agent, template)
