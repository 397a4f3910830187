"""Loading rubrics: the shipped default, a team override, and broken files reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import Attribution
from nlp.rubric import RubricError, RubricValidationError, load_pattern_file
from nlp.scoring import DEFAULT_RUBRIC, load_rubric

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rubrics"


def problems_of(name: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(RubricValidationError) as caught:
        load_rubric(FIXTURES / name)
    return [(Path(p.file).name, p.line, p.message) for p in caught.value.problems]


def test_default_rubric_loads_with_every_shipped_scorer() -> None:
    rubric = load_rubric()
    assert rubric.version == "default@1.8.15"
    assert Path(rubric.source) == DEFAULT_RUBRIC
    assert {c.scorer for c in rubric.criteria} == {
        "empathy.v1",
        "self_worth.v1",
        "transfers.v1",
        "repeats.v1",
        "customer_trajectory.v1",
    }
    assert rubric.criterion("transfers").attribution is Attribution.SYSTEM
    assert rubric.criterion("self_worth").attribution is Attribution.AGENT
    assert rubric.criterion("empathy").suggestion("missed_opportunity")
    assert len(rubric.criterion("empathy").params.cues.entries) > 20


def test_unknown_criterion_lists_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="criteria: empathy, self_worth"):
        load_rubric().criterion("tone")


def test_team_rubric_overrides_adds_and_disables() -> None:
    rubric = load_rubric(FIXTURES / "team.yaml")
    assert rubric.version == "billing-team@3"
    assert rubric.extends == ("default@1.8.15",)
    assert [c.id for c in rubric.criteria] == [
        "empathy",
        "self_worth",
        "transfers",
        "repeats",
        "strict_language",
    ]
    empathy = rubric.criterion("empathy")
    assert empathy.threshold == 0.8  # overridden
    assert empathy.params.response_window == 1  # overridden key
    assert empathy.params.negative_sentiment == -0.95  # kept from the default
    assert empathy.suggestion("missed_opportunity")  # suggestions kept from the default
    assert empathy.source.endswith("team.yaml:7")
    strict = rubric.criterion("strict_language")
    assert strict.weight == 2.0 and set(strict.params.kinds) == {"blame_customer"}


def test_unknown_scorer_names_file_line_and_valid_scorers() -> None:
    [(file, line, message)] = problems_of("unknown_scorer.yaml")
    assert (file, line) == ("unknown_scorer.yaml", 8)
    assert "unknown scorer 'empathy.v9'" in message
    assert (
        "valid scorers: customer_trajectory.v1, empathy.v1, repeats.v1, self_worth.v1, transfers.v1"
        in message
    )


def test_wrong_types_are_all_reported_with_lines_and_expectations() -> None:
    found = problems_of("wrong_type.yaml")
    assert [(f, line) for f, line, _ in found] == [
        ("wrong_type.yaml", 9),
        ("wrong_type.yaml", 10),
        ("wrong_type.yaml", 14),
    ]
    weight, threshold, window = (m for _, _, m in found)
    assert "weight" in weight and "valid number" in weight and "'heavy'" in weight
    assert "threshold" in threshold and "less than or equal to 1" in threshold
    assert "params.response_window" in window and "valid integer" in window


def test_bad_patterns_are_reported_per_jsonl_line() -> None:
    found = problems_of("bad_pattern.yaml")
    assert [(f, line) for f, line, _ in found] == [("bad_patterns.jsonl", n) for n in (3, 4, 5, 6)]
    messages = [m for _, _, m in found]
    assert "LOWERR" in messages[0] and "Extra inputs are not permitted" in messages[0]
    assert "not valid JSON" in messages[1]
    assert "invalid dependency pattern 'bad_dep'" in messages[2]
    assert "exactly one of 'pattern' or 'exemplar'" in messages[3]


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    found = problems_of("many_problems.yaml")
    by_line = {line: message for _, line, message in found}
    assert "rubric.colour: unknown key" in by_line[5]
    assert "weight" in by_line[10] and "greater than or equal to 0" in by_line[10]
    assert "params.tone: unknown key" in by_line[14]
    assert "no finding kind 'missed_oportunity'" in by_line[16] and "missed_opportunity" in by_line[16]
    assert "unknown scorer 'transferz.v1'" in by_line[19]
    assert "defined twice" in by_line[20]
    assert "disable: no criterion 'no_such_criterion'" in by_line[23]
    assert len(found) == 7


def test_extends_cycle_and_yaml_syntax_are_rubric_errors() -> None:
    [(_, _, cycle)] = problems_of("cycle_a.yaml")
    assert "cycle" in cycle and "cycle_b.yaml" in cycle
    [(file, line, syntax)] = problems_of("not_yaml.yaml")
    assert file == "not_yaml.yaml" and line == 5 and "not valid YAML" in syntax


def test_rubric_errors_are_their_own_family(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(RubricError) as caught:
        load_rubric(missing)
    assert "cannot read rubric file" in str(caught.value)
    assert not isinstance(caught.value, ValueError)  # not confused with transcript/data errors


def test_shipped_pattern_files_are_valid() -> None:
    for path in sorted((DEFAULT_RUBRIC.parent / "patterns").glob("*.jsonl")):
        patterns, problems = load_pattern_file(path)
        assert problems == [], path
        assert patterns.entries, path
        assert len({e.rule for e in patterns.entries}) == len(patterns.entries), f"duplicate ids in {path}"


def test_unknown_pattern_label_points_at_the_jsonl_line() -> None:
    [(file, line, message)] = problems_of("unknown_label.yaml")
    assert (file, line) == ("unknown_label.yaml", 9)  # the params block; the message names the JSONL line
    assert "typo_label.jsonl:2 ('blame_custommer')" in message and "blame_customer" in message


def test_a_loaded_rubric_pickles_without_its_compiled_cache() -> None:
    import pickle

    from nlp.scoring import pattern_library

    rubric = load_rubric()
    pattern_library(rubric, None)
    copy = pickle.loads(pickle.dumps(rubric))  # e.g. shipped to a Dask worker
    assert copy.cache == {} and rubric.cache
    assert copy.version == rubric.version
    assert copy.criterion("self_worth").params.kinds == rubric.criterion("self_worth").params.kinds


def test_suggestion_variants_are_checked_against_the_scorer_params() -> None:
    found = problems_of("bad_suggestion_variant.yaml")
    by_line = {line: message for _, line, message in found}
    assert sorted(by_line) == [16, 18, 25]
    assert "'missed_opportunity/weather'" in by_line[16] and "variants: waiting" in by_line[16]
    assert "no finding kind 'nonsense'" in by_line[18]
    assert "suggestion_groups" in by_line[25] and "on_hold_for_agez" in by_line[25]


def test_a_suggestion_variant_falls_back_to_the_plain_kind() -> None:
    empathy = load_rubric().criterion("empathy")
    plain = empathy.suggestion("missed_opportunity")
    waiting = empathy.suggestion("missed_opportunity", "waiting")
    assert plain and waiting and plain != waiting and "wait" in waiting
    assert empathy.suggestion("missed_opportunity", "no-such-group") == plain
    assert empathy.params.suggestion_group(["emotion_word", "on_hold_for_ages", "not_fair"]) == "waiting"
    assert empathy.params.suggestion_group(["not_fair"]) == "unfair"
    assert empathy.params.suggestion_group(["emotion_word"]) is None


def test_every_shipped_rubric_loads() -> None:
    from pathlib import Path

    from nlp.scoring import load_rubric

    shipped = sorted((Path(__file__).resolve().parents[2] / "rubrics").glob("*.yaml"))
    assert len(shipped) >= 2
    for path in shipped:
        assert load_rubric(path).version.endswith("@1.8.15"), path


def test_rules_only_rubric_switches_every_learned_signal_off() -> None:
    from pathlib import Path

    from nlp.scoring import load_rubric

    rubric = load_rubric(Path(__file__).resolve().parents[2] / "rubrics" / "rules-only.yaml")
    params = {c.id: c.params for c in rubric.criteria}
    assert params["empathy"].distress_model.target_precision is None
    assert params["empathy"].response_model.target_precision is None
    assert params["self_worth"].face_threat_model.target_precision is None
    assert params["self_worth"].can_do_model.target_precision is None
    assert params["transfers"].handoff_model.target_precision is None


def test_own_channel_must_name_channel_cues() -> None:
    [(file, line, message)] = problems_of("unknown_own_channel.yaml")
    assert (file, line) == ("unknown_own_channel.yaml", 8)
    assert "own_channel names no channel cue" in message and "'phone_line'" in message
