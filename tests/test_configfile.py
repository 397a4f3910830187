"""The one YAML configuration loader: every problem as ``file:line: key: what is wrong``, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel

from configfile import ConfigFileError, ConfigValueError, load_yaml_config


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int = Field(1, ge=1)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "x"
    inner: Inner = Inner()
    items: list[Inner] = []


class Names(RootModel[dict[str, str]]):
    pass


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _lines(path: Path, model: type[BaseModel] = Settings) -> list[str]:
    with pytest.raises(ConfigFileError) as caught:
        load_yaml_config(path, model)
    assert [str(p) for p in caught.value.problems] == str(caught.value).splitlines()
    return str(caught.value).splitlines()


def test_valid_file_and_empty_file_load(tmp_path: Path) -> None:
    assert load_yaml_config(_write(tmp_path, "name: a\ninner: {size: 3}\n"), Settings).inner.size == 3
    assert load_yaml_config(_write(tmp_path, "# only a comment\n"), Settings) == Settings()


def test_every_problem_names_file_line_and_key_sorted_by_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: a\ninner:\n  size: 0\nitems:\n  - size: 2\n  - sise: 2\ncolour: red\n")
    assert _lines(path) == [
        f"{path}:3: inner.size: Input should be greater than or equal to 1 (got 0)",
        f"{path}:6: items[1].sise: unknown key (not allowed here)",
        f"{path}:7: colour: unknown key (not allowed here)",
    ]


def test_duplicate_keys_are_problems_not_silently_the_last(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: a\ninner:\n  size: 2\n  size: 3\n")
    assert _lines(path) == [f"{path}:4: inner.size: duplicate key"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed\n", ":2: not valid YAML"),
        ("- a\n- b\n", ":1: expected a mapping of keys at the top level (got list)"),
    ],
)
def test_not_yaml_or_not_a_mapping(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    (line,) = _lines(path)
    assert line.startswith(f"{path}{expected}")


def test_unreadable_file(tmp_path: Path) -> None:
    (line,) = _lines(tmp_path / "absent.yaml")
    assert line.startswith(f"{tmp_path / 'absent.yaml'}: cannot read configuration file:")


def test_root_models_report_the_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: fine\nb: {not: text}\n")
    assert _lines(path, Names) == [f"{path}:2: b: Input should be a valid string"]


def test_the_error_type_is_chosen_by_the_caller_and_is_a_family_of_its_own(tmp_path: Path) -> None:
    path = _write(tmp_path, "colour: red\n")
    with pytest.raises(ConfigFileError) as caught:
        load_yaml_config(path, Settings)
    assert not isinstance(caught.value, ValueError)  # a bad file is not bad data
    with pytest.raises(ConfigValueError) as caught_value:
        load_yaml_config(path, Settings, error=ConfigValueError)
    assert isinstance(caught_value.value, ValueError)  # for callers that always caught ValueError
