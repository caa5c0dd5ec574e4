"""The core stays pure: no I/O, clock, randomness, network or heavy vendor import in logos/core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import logos.core

CORE = Path(logos.core.__file__).parent
MODULES = sorted(CORE.glob("*.py"))
FORBIDDEN_IMPORTS = {
    "os", "io", "pathlib", "time", "random", "socket", "pandas", "requests",
    "ccxt", "yfinance", "alpaca", "logging", "subprocess", "uuid",
}
FORBIDDEN_CALLS = {"open", "datetime.now", "datetime.utcnow", "datetime.today", "date.today", "time.time", "uuid.uuid4", "uuid.uuid1"}


def imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
            if node.args and isinstance(node.args[0], ast.Constant):
                roots.add(str(node.args[0].value).split(".")[0])
    return roots


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def called_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            names.add(name)
            names.add(".".join(name.split(".")[-2:]))  # datetime.datetime.now -> datetime.now
    return names


def test_core_package_with_its_modules_is_scanned():
    assert {"reducer.py", "events.py", "guards.py", "codec.py"} <= {m.name for m in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_core_module_with_its_source_imports_nothing_impure(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))

    assert imported_roots(tree) & FORBIDDEN_IMPORTS == set()


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_core_module_with_its_source_calls_no_file_clock_or_uuid(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))

    assert called_names(tree) & FORBIDDEN_CALLS == set()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import os", {"os"}),
        ("from time import time", {"time"}),
        ("import pandas as pd", {"pandas"}),
        ("from alpaca.trading import TradingClient", {"alpaca"}),
        ("__import__('subprocess')", {"subprocess"}),
        ("from . import guards", set()),
    ],
)
def test_import_scanner_with_known_sources_finds_the_forbidden_roots(source: str, found: set[str]):
    assert imported_roots(ast.parse(source)) & FORBIDDEN_IMPORTS == found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("open('x')", {"open"}),
        ("datetime.now()", {"datetime.now"}),
        ("datetime.datetime.now(tz)", {"datetime.now"}),
        ("time.time()", {"time.time"}),
        ("uuid.uuid4()", {"uuid.uuid4"}),
        ("datetime.fromtimestamp(0)", set()),
    ],
)
def test_call_scanner_with_known_sources_finds_the_forbidden_calls(source: str, found: set[str]):
    assert called_names(ast.parse(source)) & FORBIDDEN_CALLS == found
