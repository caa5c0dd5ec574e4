"""Diagrams are drawn from the same tables the core runs on: every state and every edge appears."""

from __future__ import annotations

import re

import pytest

from logos.diagrams import FORMATS, TABLES, render

CASES = [(machine, fmt) for machine in sorted(TABLES) for fmt in FORMATS]


def edges_in(text: str, fmt: str) -> set[tuple[str, str, str]]:
    if fmt == "mermaid":
        found = re.findall(r"^\s*(\w+) --> (\w+): (\w+)$", text, re.MULTILINE)
    else:
        found = re.findall(r'^\s*"(\w+)" -> "(\w+)" \[label="(\w+)"\];$', text, re.MULTILINE)
    return set(found)


def states_in(text: str, fmt: str) -> set[str]:
    if fmt == "mermaid":
        return set(re.findall(r'^\s*state "(\w+)" as \1$', text, re.MULTILINE))
    return set(re.findall(r'^\s*"(\w+)" \[shape=\w+\];$', text, re.MULTILINE)) - {"__start"}


@pytest.mark.parametrize(("machine", "fmt"), CASES)
def test_render_with_each_machine_and_format_draws_every_state_and_edge(machine: str, fmt: str):
    table = TABLES[machine]

    text = render(machine, fmt)

    assert states_in(text, fmt) == set(table.states)
    assert edges_in(text, fmt) == {(e.source, e.dest, e.trigger) for e in table.edges}


@pytest.mark.parametrize(("machine", "fmt"), CASES)
def test_render_with_each_machine_and_format_marks_the_initial_state(machine: str, fmt: str):
    table = TABLES[machine]

    text = render(machine, fmt)

    if fmt == "mermaid":
        assert re.search(rf"^\s*\[\*\] --> {table.initial}$", text, re.MULTILINE)
        assert text.lstrip("-\n ").startswith(machine)  # the title
        assert "stateDiagram-v2" in text
    else:
        assert f'"__start" -> "{table.initial}";' in text


@pytest.mark.parametrize("machine", sorted(TABLES))
def test_render_dot_with_terminal_states_draws_them_as_double_circles(machine: str):
    table = TABLES[machine]

    text = render(machine, "dot")

    doubles = set(re.findall(r'^\s*"(\w+)" \[shape=doublecircle\];$', text, re.MULTILINE))
    assert doubles == set(table.terminal)
    assert text.startswith(f'digraph "{machine}" {{') and text.endswith("}\n")


@pytest.mark.parametrize(("machine", "fmt"), CASES)
def test_render_with_the_same_machine_twice_gives_the_same_text(machine: str, fmt: str):
    # Each render builds a fresh machine, so no state styling leaks from one drawing to the next.
    assert render(machine, fmt) == render(machine, fmt)
