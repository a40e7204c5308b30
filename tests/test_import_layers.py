"""The packages of `app/` import each other in one direction: no two packages depend on each other,
directly or through others (observability, for one, knows no transport)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_imports() -> dict[str, set[str]]:
    """app package (or top-level module) -> the other app packages it imports, at any depth of code."""
    graph: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        source = _package(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        targets = graph.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            targets.update(_package(name) for name in names if name.startswith("app."))
        targets.discard(source)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_packages_depend_on_each_other() -> None:
    assert cycles(package_imports()) == []


def test_observability_imports_no_transport() -> None:
    assert package_imports()["app.observability"] & {"app.graphql", "app.rest"} == set()


def test_the_check_finds_a_cycle_through_several_packages() -> None:
    graph = {"app.a": {"app.b"}, "app.b": {"app.c"}, "app.c": {"app.a"}, "app.d": {"app.a"}}

    assert cycles(graph) == [["app.a", "app.b", "app.c"]]
