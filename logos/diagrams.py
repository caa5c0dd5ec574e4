"""Diagrams of the order and session machines, drawn from the same tables the core runs on."""

from __future__ import annotations

from logos.core.fsm import StateTable
from logos.core.order_fsm import ORDER_TABLE
from logos.core.session_fsm import SESSION_TABLE

TABLES = {"order": ORDER_TABLE, "session": SESSION_TABLE}
FORMATS = ("mermaid", "dot")


class _Model:
    """A throwaway model: transitions draws a machine through the object it is bound to."""


def mermaid(table: StateTable) -> str:
    """Return a mermaid ``stateDiagram-v2`` rendered by transitions from a fresh machine."""
    model = _Model()
    table.machine(model, graph=True)
    return model.get_graph().draw(None)  # type: ignore[attr-defined]


def dot(table: StateTable) -> str:
    """Return Graphviz DOT text; written here so no graphviz install is needed to get it."""
    lines = [f'digraph "{table.name}" {{', "  rankdir=LR;", '  "__start" [shape=point];']
    for state in table.states:
        shape = "doublecircle" if state in table.terminal else "circle"
        lines.append(f'  "{state}" [shape={shape}];')
    lines.append(f'  "__start" -> "{table.initial}";')
    lines += [f'  "{e.source}" -> "{e.dest}" [label="{e.trigger}"];' for e in table.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(machine: str, fmt: str) -> str:
    table = TABLES[machine]
    return mermaid(table) if fmt == "mermaid" else dot(table)
