"""Every shipped configuration file loads; a broken copy fails naming the file, the line and the key.

Files are discovered by suffix, so a new configuration file without a loader here fails
``test_every_configuration_file_has_a_loader`` instead of going unchecked.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from configfile import ConfigFileError
from flows.config import load_flow_config
from nlp.config import load_analysis_config
from nlp.patterns import read_pattern_file
from nlp.rubric import load_rubric_file
from privacy.policy import load_policy
from rendering import calibration, settings
from rendering.conversation_pages import vendor_source_labels
from rendering.rubric_info import read_criterion_labels
from rendering.run_pages import reason_explanations
from storage.admission import PlausibleDates
from storage.duckdb_settings import load_duckdb_settings
from transcripts.journeys import load_journey_settings
from transcripts.readers.csv_turns import load_columns
from transcripts.roles import role_aliases
from transcripts.roles_infer import load_cues
from transcripts.signatures import load_signatures

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".yaml", ".yml", ".jsonl")
NOT_SEARCHED = {"tests", "eval", "examples", "out", "docs", "node_modules"}  # data, outputs, prose
NOT_OURS = {"prefect.yaml": "Prefect's deployment file (tests/flows/test_flow_config.py checks it)"}

LOADERS: dict[str, Callable[[Path], object]] = {
    "rubrics/*.yaml": load_rubric_file,
    "rubrics/patterns/*.jsonl": read_pattern_file,
    "nlp/models/signals/*.jsonl": read_pattern_file,  # politeness strategies (nlp/politeness.py)
    "privacy/policy.yaml": load_policy,
    "flows/nightly.yaml": load_flow_config,
    "nlp/analysis.yaml": load_analysis_config,
    "rendering/settings.yaml": settings.load_settings,
    "rendering/calibration.yaml": calibration.load_settings,
    "rendering/labels.yaml": read_criterion_labels,
    "rendering/vendor_sources.yaml": vendor_source_labels,
    "rendering/quarantine_reasons.yaml": reason_explanations,
    "storage/ingest.yaml": PlausibleDates.load,
    "storage/duckdb.yaml": load_duckdb_settings,
    "transcripts/roles.yaml": role_aliases,
    "transcripts/roles_infer.yaml": load_cues,
    "transcripts/journeys.yaml": load_journey_settings,
    "transcripts/signatures.yaml": load_signatures,
    "transcripts/readers/csv_columns.yaml": load_columns,
}


def _discover() -> list[str]:
    found = [p for p in ROOT.iterdir() if p.is_file() and p.suffix in SUFFIXES]
    for top in sorted(ROOT.iterdir()):
        if top.is_dir() and not top.name.startswith(".") and top.name not in NOT_SEARCHED:
            found += [p for p in top.rglob("*") if p.suffix in SUFFIXES and ".egg-info" not in str(p)]
    return sorted(p.relative_to(ROOT).as_posix() for p in found if p.name not in NOT_OURS)


CONFIG_FILES = _discover()


def _loader(relative: str) -> Callable[[Path], object] | None:
    return next((load for pattern, load in LOADERS.items() if fnmatch(relative, pattern)), None)


def test_every_configuration_file_has_a_loader() -> None:
    assert len(CONFIG_FILES) >= 20
    assert [f for f in CONFIG_FILES if _loader(f) is None] == []
    assert all(any(fnmatch(f, pattern) for f in CONFIG_FILES) for pattern in LOADERS)


@pytest.mark.parametrize("relative", CONFIG_FILES)
def test_shipped_file_loads(relative: str) -> None:
    load = _loader(relative)
    assert load is not None
    load(ROOT / relative)


def _copy_beside(relative: str, tmp_path: Path) -> Path:
    """A copy of the file's folder (configuration files only), so relative references still resolve."""
    source = (ROOT / relative).parent

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [
            n
            for n in names
            if n in ("__pycache__", "models", "templates")
            or ((Path(folder) / n).is_file() and Path(n).suffix not in SUFFIXES)
        ]

    shutil.copytree(source, tmp_path / source.name, ignore=ignore)
    return tmp_path / source.name / Path(relative).name


def _break_yaml(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text with a wrong type at its first scalar key and an unknown key at the end."""
    root = yaml.compose(text)
    lines = text.splitlines()
    stack = [root]
    while stack:
        node = stack.pop(0)
        if not isinstance(node, yaml.MappingNode):
            stack.extend(getattr(node, "value", []) if isinstance(node, yaml.SequenceNode) else [])
            continue
        for key, value in node.value:
            single_line = value.start_mark.line == value.end_mark.line
            if (
                isinstance(value, yaml.ScalarNode)
                and single_line
                and value.end_mark.column > value.start_mark.column
            ):
                row, start, end = value.start_mark.line, value.start_mark.column, value.end_mark.column
                lines[row] = lines[row][:start] + "{qareview_wrong_type: 1}" + lines[row][end:]
                lines.append("qareview_unknown_key: 1")
                return "\n".join(lines) + "\n", [(key.start_mark.line + 1, str(key.value)),
                                                  (len(lines), "qareview_unknown_key")]  # fmt: skip
            stack.append(value)
    raise AssertionError("no scalar value to break")


def _break_jsonl(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The first entry with a wrong type for its label, the last with an unknown key."""
    lines = text.splitlines()
    entries = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("//")]
    first, last = entries[0], entries[-1]
    lines[first] = lines[first].replace('"label": ', '"label": {"qareview_wrong_type": 1}, "was": ', 1)
    assert lines[last].rstrip().endswith("}")
    lines[last] = lines[last].rstrip()[:-1] + ', "qareview_unknown_key": 1}'
    return "\n".join(lines) + "\n", [(first + 1, "label"), (last + 1, "qareview_unknown_key")]


@pytest.mark.parametrize("relative", CONFIG_FILES)
def test_broken_copy_fails_naming_file_line_and_key(relative: str, tmp_path: Path) -> None:
    load = _loader(relative)
    assert load is not None
    copy = _copy_beside(relative, tmp_path)
    breaker = _break_jsonl if copy.suffix == ".jsonl" else _break_yaml
    broken, expected = breaker(copy.read_text(encoding="utf-8"))
    copy.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        load(copy)
    message = str(caught.value)
    for line, key in expected:
        where = f"{copy}:{line}: "
        assert any(m.startswith(where) and key in m for m in message.splitlines()), (where, key, message)
