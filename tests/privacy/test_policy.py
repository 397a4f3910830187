"""The policy file: the shipped one loads; broken ones are rejected with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy.policy import POLICY_ENV, PolicyError, load_policy, policy_path

BROKEN = Path(__file__).parent / "fixtures" / "broken"


def test_shipped_policy_loads_and_is_versioned() -> None:
    policy = load_policy()
    assert policy.ref == "default@1"
    assert policy.keep_originals is False  # keeping originals is opt-in, never the default
    assert policy.placeholder("CREDIT_CARD") == "[CARD]"
    assert {"Brightwave Billing", "Fibre 500"} <= set(policy.allow_list)


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("unknown_key.yaml", 9, "unknown key"),
        ("bad_regex.yaml", 9, "invalid regex"),
        ("duplicate_name.yaml", 1, "defined twice"),
        ("unknown_entity.yaml", 6, "entities without a placeholder in 'entities': PIN"),
        ("bad_placeholder.yaml", 5, "String should match pattern"),
        ("bad_placeholder.yaml", 7, "NoSuchRecognizer"),
        ("missing_version.yaml", 1, "version: required key is missing"),
        ("not_a_mapping.yaml", 1, "expected a mapping"),
        ("bad_yaml.yaml", 4, "not valid YAML"),
        ("missing.yaml", None, "cannot read"),
    ],
)
def test_broken_policies_name_file_line_and_reason(name: str, line: int | None, message: str) -> None:
    with pytest.raises(PolicyError) as excinfo:
        load_policy(BROKEN / name)
    where = f"{BROKEN / name}:{line}:" if line is not None else f"{BROKEN / name}:"
    assert any(str(p).startswith(where) and message in str(p) for p in excinfo.value.problems), str(
        excinfo.value
    )


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(PolicyError) as excinfo:
        load_policy(BROKEN / "bad_placeholder.yaml")
    assert len(excinfo.value.problems) == 2


def test_environment_variable_selects_the_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = tmp_path / "team.yaml"
    own.write_text(
        "id: team\nversion: 3\nkeep_originals: true\nentities:\n  PERSON: {placeholder: '[NAME]'}\n"
    )

    monkeypatch.setenv(POLICY_ENV, str(own))
    assert policy_path() == own
    assert load_policy().ref == "team@3"
