"""``rendering/`` only queries and formats: no analysis rules may creep back in (issue 13).

Checked on the source: no NLP or clustering libraries and no analysis stages of ``nlp/``; no
decisions on event types or on how legs began or ended (``nlp/operations.py`` makes those once,
when scoring); no statistics (team medians and means are ``nlp/coaching``'s); no decisions on a
finding's attribution or polarity (whose moment it is, and whether it is good, is decided in
``nlp/coaching``); no regular expressions (over turn text or anything else) outside file-name slugs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RENDERING = Path(__file__).resolve().parents[2] / "rendering"
FORBIDDEN_IMPORTS = (
    "spacy", "sklearn", "scipy", "statistics", "nlp.analysis", "nlp.models", "nlp.scorers", "nlp.encoder",
)  # fmt: skip
DECLARATIONS = {"nlp.scorers.registry"}  # what each scorer declares (its finding kinds' labels), not analysis
# Stored columns whose values only nlp/ may interpret.
RAW_FIELDS = {"type", "started_via", "ended_via", "attribution", "polarity"}
RAW_VALUES = {
    "transfer", "hold_start", "hold_end", "queue_wait", "disconnect",  # event types
    "queue_transfer", "bot_handoff", "system_disconnect", "customer_disconnect", "agent_disconnect",
    "abandoned_on_hold",
}  # fmt: skip
REGEX_ALLOWED = {"site_paths.py"}  # file-name slugs, not text analysis


def problems(source: str, name: str) -> list[str]:
    """What in ``source`` (a module of ``rendering/`` called ``name``) is an analysis rule."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module == "re" and name not in REGEX_ALLOWED:
                    found.append(f"{name}:{node.lineno}: imports re")
                if module not in DECLARATIONS and any(
                    module == f or module.startswith(f + ".") for f in FORBIDDEN_IMPORTS
                ):
                    found.append(f"{name}:{node.lineno}: imports {module}")
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for side in sides:
                if isinstance(side, ast.Attribute) and side.attr in RAW_FIELDS:
                    found.append(f"{name}:{node.lineno}: compares .{side.attr}")
                values = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
                for value in values:
                    if isinstance(value, ast.Constant) and value.value in RAW_VALUES:
                        found.append(f"{name}:{node.lineno}: compares with {value.value!r}")
    return found


@pytest.mark.parametrize("path", sorted(RENDERING.glob("*.py")), ids=lambda p: p.name)
def test_rendering_module_holds_no_analysis_rules(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import spacy", "imports spacy"),
        ("from sklearn.cluster import KMeans", "imports sklearn.cluster"),
        ("from nlp.analysis import Analyzer", "imports nlp.analysis"),
        ("import re", "imports re"),
        ("x = [e for e in events if e.type == 'hold_start']", "compares .type"),
        ("ok = leg.ended_via in DROPS", "compares .ended_via"),
        ("ok = kind in ('transfer', 'referral')", "compares with 'transfer'"),
        ("ok = via != 'queue_transfer'", "compares with 'queue_transfer'"),
        ("from statistics import median", "imports statistics"),
        ("mine = [f for f in findings if f.attribution == AGENT]", "compares .attribution"),
        ("good = [f for f in findings if f.polarity != 'negative']", "compares .polarity"),
    ],
)
def test_the_check_catches_analysis_rules(source: str, expected: str) -> None:
    assert any(expected in p for p in problems(source, "example.py"))


def test_formatting_passes_the_check() -> None:
    assert problems("line = _EVENT_LINES.get(event.type)\nok = wait.kind == 'hold'", "example.py") == []
