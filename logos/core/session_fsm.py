"""The session lifecycle and the trading mode that says which orders a running session may send."""

from __future__ import annotations

from logos.core.fsm import Edge, StateTable

CREATED = "created"
RUNNING = "running"
HALTING = "halting"
HALTED = "halted"
COMPLETED = "completed"
RESUMING = "resuming"
PAUSED = "paused"

SESSION_TABLE = StateTable(
    name="session",
    states=(CREATED, RUNNING, HALTING, HALTED, PAUSED, COMPLETED, RESUMING),
    initial=CREATED,
    terminal=frozenset({COMPLETED}),
    edges=(
        Edge(CREATED, "start", RUNNING),
        Edge(RUNNING, "halt", HALTING),
        Edge(HALTING, "halted", HALTED),
        Edge(RUNNING, "complete", COMPLETED),
        Edge(RUNNING, "pause", PAUSED),  # the operator stopped it; working orders stay working
        Edge(HALTED, "resume", RESUMING),
        Edge(PAUSED, "resume", RESUMING),
        Edge(RUNNING, "recover", RESUMING),  # the process died while running (crash)
        Edge(HALTING, "recover", RESUMING),  # the process died while winding down
        Edge(RESUMING, "resumed", RUNNING),
    ),
)

# Trading mode while running: which orders the guards let through.
MODE_ACTIVE = "active"  # any order
MODE_REDUCING = "reducing"  # only orders that shrink exposure
MODE_HALTED = "halted"  # none
TRADING_MODES = (MODE_ACTIVE, MODE_REDUCING, MODE_HALTED)
