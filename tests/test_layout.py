"""The package's layout: configuration imports no adapter or session code, and no module
imports its way back to itself (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import logos

ROOT = Path(logos.__file__).parent
SHELL_PACKAGES = ("logos.adapters", "logos.live", "logos.feeds", "logos.report", "logos.stats", "logos.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """The logos modules ``path`` imports anywhere in its text (type-checking blocks too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("logos"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & MODULES.keys()


GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}


def test_config_imports_no_adapter_or_session_code() -> None:
    offending = {
        (name, imported)
        for name in GRAPH
        if name.startswith("logos.config")
        for imported in GRAPH[name]
        if imported.startswith(SHELL_PACKAGES)
    }
    assert offending == set()


def test_no_module_imports_its_way_back_to_itself() -> None:
    # Depth-first search with colours: a grey module met again closes a circle.
    colour: dict[str, str] = {}
    circles = []

    def visit(name: str, trail: list[str]) -> None:
        colour[name] = "grey"
        for imported in sorted(GRAPH[name]):
            if colour.get(imported) == "grey":
                circles.append(trail[trail.index(imported) :] + [imported])
            elif imported not in colour:
                visit(imported, [*trail, imported])
        colour[name] = "black"

    for name in sorted(GRAPH):
        if name not in colour:
            visit(name, [name])
    assert circles == []


def test_the_graph_sees_imports_inside_functions() -> None:
    # validate-config's command imports the validation inside its function body
    assert "logos.config.validation" in GRAPH["logos.adapters.cli"]
