"""No import circles inside ``nlp/`` or ``rendering/``: dependencies run one way.

The graph is built from the source with ``ast``, counting every import (module level, inside
functions and under ``TYPE_CHECKING``): a lazy import hides a circle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("nlp", "rendering")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports."""
    modules = {_module_name(p): p for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against this module's package
                    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    parts = package[: len(package) - (node.level - 1)]
                    base = ".".join([*parts, base] if base else parts)
                imported.add(base)
                imported.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circles(package: str) -> None:
    graph = import_graph(package)
    assert len(graph) > 5
    assert cycles(graph) == []


def test_rubric_builds_on_registry_scorers_and_patterns_never_back() -> None:
    graph = import_graph("nlp")
    assert "nlp.scorers.registry" in graph["nlp.rubric"]
    below_rubric = [
        m for m in graph if m.startswith("nlp.scorers") or m in ("nlp.patterns", "nlp.rubric_model")
    ]
    assert [m for m in below_rubric if "nlp.rubric" in graph[m]] == []
    assert [m for m in graph if m.startswith("nlp.scorers") and "nlp.scorers.registry" in graph[m]] == []
    assert {m for m in graph["nlp.patterns"] if m.startswith("nlp.")} == set()
