"""The order lifecycle, one line per edge (NautilusTrader's ``_ORDER_STATE_TABLE`` is the model)."""

from __future__ import annotations

from logos.core.fsm import Edge, StateTable

INITIALIZED = "initialized"
DENIED = "denied"
SUBMITTED = "submitted"
ACCEPTED = "accepted"
REJECTED = "rejected"
PARTIALLY_FILLED = "partially_filled"
FILLED = "filled"
PENDING_CANCEL = "pending_cancel"
CANCELED = "canceled"
EXPIRED = "expired"

ORDER_TABLE = StateTable(
    name="order",
    states=(
        INITIALIZED,
        DENIED,
        SUBMITTED,
        ACCEPTED,
        REJECTED,
        PARTIALLY_FILLED,
        FILLED,
        PENDING_CANCEL,
        CANCELED,
        EXPIRED,
    ),
    initial=INITIALIZED,
    terminal=frozenset({DENIED, REJECTED, FILLED, CANCELED, EXPIRED}),
    edges=(
        Edge(INITIALIZED, "deny", DENIED),  # a guard said no; the order never left the process
        Edge(INITIALIZED, "submit", SUBMITTED),
        Edge(SUBMITTED, "accept", ACCEPTED),
        Edge(SUBMITTED, "reject", REJECTED),
        Edge(ACCEPTED, "fill_partial", PARTIALLY_FILLED),
        Edge(ACCEPTED, "fill", FILLED),
        Edge(ACCEPTED, "request_cancel", PENDING_CANCEL),
        Edge(ACCEPTED, "expire", EXPIRED),
        Edge(PARTIALLY_FILLED, "fill_partial", PARTIALLY_FILLED),
        Edge(PARTIALLY_FILLED, "fill", FILLED),
        Edge(PARTIALLY_FILLED, "request_cancel", PENDING_CANCEL),
        Edge(PARTIALLY_FILLED, "expire", EXPIRED),  # a day order partly filled at the close
        Edge(PENDING_CANCEL, "cancel", CANCELED),
        Edge(PENDING_CANCEL, "fill_partial", PENDING_CANCEL),  # a venue fill raced the cancel
        Edge(PENDING_CANCEL, "fill", FILLED),  # the race filled the rest before the cancel landed
    ),
)
