"""The order and session tables: every pair, the transitions Machine built from them, a random walk."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from transitions.core import MachineError

from logos.core.fsm import Edge, IllegalTransition, StateTable
from logos.core.order_fsm import ORDER_TABLE
from logos.core.session_fsm import SESSION_TABLE

TABLES = {"order": ORDER_TABLE, "session": SESSION_TABLE}
ALL_PAIRS = [(name, s, t) for name, table in TABLES.items() for s, t in product(table.states, table.triggers)]
ILLEGAL = [p for p in ALL_PAIRS if not TABLES[p[0]].allows(p[1], p[2])]
LEGAL = [p for p in ALL_PAIRS if TABLES[p[0]].allows(p[1], p[2])]


class Model:
    """What a transitions Machine binds its ``state`` attribute and trigger methods to."""


@pytest.mark.parametrize(("name", "state", "trigger"), ILLEGAL, ids=[f"{n}:{s}-{t}" for n, s, t in ILLEGAL])
def test_next_with_pair_not_in_table_raises_illegal_transition_naming_both(name, state, trigger):
    table = TABLES[name]

    with pytest.raises(IllegalTransition) as caught:
        table.next(state, trigger)

    assert str(caught.value) == f"{name}: {state.upper()} -> {trigger} is not a legal transition"
    assert (caught.value.machine, caught.value.state, caught.value.trigger) == (name, state, trigger)


def test_tables_with_every_declared_edge_answer_it():
    assert len(LEGAL) == len(ORDER_TABLE.edges) + len(SESSION_TABLE.edges)
    for table in TABLES.values():
        for edge in table.edges:
            assert table.next(edge.source, edge.trigger) == edge.dest


def test_next_with_unknown_trigger_raises_illegal_transition():
    with pytest.raises(IllegalTransition, match="order: ACCEPTED -> explode is not a legal transition"):
        ORDER_TABLE.next("accepted", "explode")


@pytest.mark.parametrize("name", sorted(TABLES))
def test_terminal_states_with_any_trigger_have_no_outgoing_edge(name):
    table = TABLES[name]

    outgoing = [e for e in table.edges if e.source in table.terminal]

    assert outgoing == []
    assert table.terminal <= set(table.states)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_states_with_table_are_all_reachable_and_non_terminal_ones_can_move(name):
    table = TABLES[name]
    reached, frontier = {table.initial}, [table.initial]
    while frontier:
        source = frontier.pop()
        for edge in table.edges:
            if edge.source == source and edge.dest not in reached:
                reached.add(edge.dest)
                frontier.append(edge.dest)

    assert reached == set(table.states)
    assert {e.source for e in table.edges} == set(table.states) - table.terminal


@pytest.mark.parametrize(("name", "state", "trigger"), ALL_PAIRS, ids=[f"{n}:{s}-{t}" for n, s, t in ALL_PAIRS])
def test_machine_with_every_pair_agrees_with_the_table(name, state, trigger):
    table = TABLES[name]
    machine = table.machine(Model())

    found = machine.get_transitions(trigger=trigger, source=state)

    if table.allows(state, trigger):
        assert [t.dest for t in found] == [table.next(state, trigger)]
    else:
        assert found == []


@pytest.mark.parametrize("name", sorted(TABLES))
def test_machine_with_table_has_its_states_initial_and_no_auto_transitions(name):
    table = TABLES[name]
    model = Model()

    machine = table.machine(model)

    assert list(machine.states) == list(table.states)
    assert model.state == table.initial
    assert sorted(machine.get_triggers(*table.states)) == sorted(table.triggers)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_machine_with_graph_draws_a_mermaid_diagram_titled_with_the_table_with_every_edge(name):
    # What `logos diagram` prints: the reviewers' picture must be the table the core runs on.
    table, model = TABLES[name], Model()

    table.machine(model, graph=True)
    drawn = model.get_graph().draw(None)

    assert drawn.startswith(f"---\n{table.name}\n---\nstateDiagram-v2\n")
    assert all(f"  {e.source} --> {e.dest}: {e.trigger}\n" in drawn for e in table.edges)
    assert f"  [*] --> {table.initial}" in drawn


def test_state_table_with_an_edge_declared_twice_is_refused():
    with pytest.raises(ValueError, match="t: an edge is declared twice"):
        StateTable("t", ("a", "b"), "a", frozenset(), (Edge("a", "go", "b"), Edge("a", "go", "a")))


def test_state_table_with_an_edge_to_an_undeclared_state_is_refused():
    with pytest.raises(ValueError, match=r"t: edges name undeclared states \['c'\]"):
        StateTable("t", ("a", "b"), "a", frozenset(), (Edge("a", "go", "c"),))


class TableWalk(RuleBasedStateMachine):
    """Walk a table with random triggers; the transitions Machine bound to a model must agree."""

    table: StateTable

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.machine = self.table.machine(self.model)
        self.state = self.table.initial
        self.path = [self.state]

    @rule(data=st.data())
    def fire_legal_trigger(self, data: st.DataObject) -> None:
        legal = [t for t in self.table.triggers if self.table.allows(self.state, t)]
        if not legal:
            return  # a terminal state: restart_at_terminal takes over
        trigger = data.draw(st.sampled_from(legal))
        self.state = self.table.next(self.state, trigger)
        self.model.trigger(trigger)
        self.path.append(self.state)

    @rule(trigger=st.sampled_from(sorted(set(ORDER_TABLE.triggers) | set(SESSION_TABLE.triggers))))
    def fire_any_trigger(self, trigger: str) -> None:
        before = self.state
        if trigger not in self.table.triggers or not self.table.allows(before, trigger):
            with pytest.raises(IllegalTransition):
                self.table.next(before, trigger)
            with pytest.raises((MachineError, AttributeError)):
                self.model.trigger(trigger)
            assert self.model.state == before
            return
        self.state = self.table.next(before, trigger)
        self.model.trigger(trigger)

    @precondition(lambda self: self.state in self.table.terminal)
    @rule()
    def restart_at_terminal(self) -> None:
        assert not any(self.table.allows(self.state, t) for t in self.table.triggers)
        self.model = Model()
        self.machine = self.table.machine(self.model)
        self.state = self.table.initial

    @invariant()
    def table_and_machine_agree_on_the_state(self) -> None:
        assert self.model.state == self.state


class OrderTableWalk(TableWalk):
    table = ORDER_TABLE


class SessionTableWalk(TableWalk):
    table = SESSION_TABLE


OrderTableWalk.TestCase.settings = settings(settings.default, stateful_step_count=30)
SessionTableWalk.TestCase.settings = settings(settings.default, stateful_step_count=30)
test_order_table_with_random_walk_agrees_with_transitions_machine = OrderTableWalk.TestCase
test_session_table_with_random_walk_agrees_with_transitions_machine = SessionTableWalk.TestCase
