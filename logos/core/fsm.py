"""A state machine declared once as a table of edges, used three ways.

At run time a plain ``(state, trigger) -> state`` dict answers in one lookup (a
``transitions`` trigger costs ~16 µs, too much per order). The same table builds a
``transitions`` Machine for validation tests and for the diagrams reviewers read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from transitions import Machine


class IllegalTransition(Exception):
    """A (state, trigger) pair that the table does not allow."""

    def __init__(self, machine: str, state: str, trigger: str) -> None:
        super().__init__(f"{machine}: {state.upper()} -> {trigger} is not a legal transition")
        self.machine = machine
        self.state = state
        self.trigger = trigger


class Edge(NamedTuple):
    source: str
    trigger: str
    dest: str


class StateTable:
    """An FSM as data: states, an initial state, terminal states and edges."""

    def __init__(
        self, name: str, states: tuple[str, ...], initial: str, terminal: frozenset[str], edges: tuple[Edge, ...]
    ) -> None:
        self.name = name
        self.states = states
        self.initial = initial
        self.terminal = terminal
        self.edges = edges
        self._next = {(e.source, e.trigger): e.dest for e in edges}
        if len(self._next) != len(edges):
            raise ValueError(f"{name}: an edge is declared twice")
        unknown = {s for e in edges for s in (e.source, e.dest)} - set(states)
        if unknown:
            raise ValueError(f"{name}: edges name undeclared states {sorted(unknown)}")

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.trigger for e in self.edges))

    def next(self, state: str, trigger: str) -> str:
        """Return the state after ``trigger``, or raise ``IllegalTransition`` naming both."""
        try:
            return self._next[(state, trigger)]
        except KeyError:
            raise IllegalTransition(self.name, state, trigger) from None

    def allows(self, state: str, trigger: str) -> bool:
        return (state, trigger) in self._next

    def machine(self, model: object, graph: bool = False) -> Machine:
        """Bind a fresh ``transitions`` machine built from the table to ``model``."""
        kwargs: dict[str, Any] = {
            "states": list(self.states),
            "transitions": [{"trigger": e.trigger, "source": e.source, "dest": e.dest} for e in self.edges],
            "initial": self.initial,
            "auto_transitions": False,
            "ignore_invalid_triggers": False,
        }
        if graph:
            from transitions.extensions import GraphMachine

            return GraphMachine(model=model, graph_engine="mermaid", title=self.name, **kwargs)
        from transitions import Machine

        return Machine(model=model, **kwargs)
