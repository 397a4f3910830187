from __future__ import annotations

from pathlib import Path

import pytest

from transcripts.model import Role
from transcripts.roles import parse_role, role_aliases


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("customer", Role.CUSTOMER),
        ("CUSTOMER", Role.CUSTOMER),
        ("Caller", Role.CUSTOMER),
        ("END_USER", Role.CUSTOMER),
        ("end user", Role.CUSTOMER),
        ("end-user", Role.CUSTOMER),
        ("visitor", Role.CUSTOMER),
        ("client", Role.CUSTOMER),
        ("AGENT", Role.AGENT),
        ("Rep", Role.AGENT),
        ("representative", Role.AGENT),
        ("advisor", Role.AGENT),
        ("associate", Role.AGENT),
        ("HUMAN_AGENT", Role.AGENT),
        ("Human Agent", Role.AGENT),
        ("bot", Role.BOT),
        ("virtual_agent", Role.BOT),
        ("AUTOMATED_AGENT", Role.BOT),
        ("ChatBot", Role.BOT),
        ("IVR", Role.IVR),
        ("system", Role.SYSTEM),
        ("  agent  ", Role.AGENT),
    ],
)
def test_known_aliases(value: str, role: Role) -> None:
    assert parse_role(value) is role


@pytest.mark.parametrize("value", ["", "robot", "supervisor?", "agentx", "cust omer x", "42"])
def test_unknown_aliases(value: str) -> None:
    assert parse_role(value) is None


def test_non_string_is_unknown() -> None:
    assert parse_role(None) is None  # type: ignore[arg-type]
    assert parse_role(3) is None  # type: ignore[arg-type]


def test_table_rejects_unknown_role(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  customer: [caller]\n  manager: [boss]\n")
    with pytest.raises(ValueError, match="unknown role 'manager'.*valid roles"):
        role_aliases(path)


def test_table_rejects_alias_given_twice(tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  customer: [user]\n  agent: [User]\n")
    with pytest.raises(ValueError, match="given to both"):
        role_aliases(path)
