"""Orders the strategy asked for that never left the session, and what to do about them.

Two kinds: an order a pre-trade guard denied (``OrderDenied``; also in ``orders.csv``), and
a target the translator could not make into an order at all (``IntentSkipped``: the move
rounds to no lot, or its notional is outside the symbol's limits), which only the journal
records. Both are read from the journal and grouped (see ``logos.live.grouping``), so 65
skips of one symbol read as one row.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from logos.core.timestamps import iso
from logos.live.grouping import Group, group_by, shape
from logos.live.journal_scan import lines_of

DENIED, SKIPPED = "OrderDenied", "IntentSkipped"
DENIED_HINT = (
    "A denied order was refused by the pre-trade guard named (see Guard trips): raise its limit "
    "(`--max-notional`, `--max-position`, `--max-exposure`) or size orders smaller (`--sizing-value`); "
    "`trading_mode` denials follow a halt or a reducing drawdown."
)
SKIPPED_HINT = (
    "A skipped target makes no order under the symbol's `lot_size`, `min_notional` or `max_order_notional` "
    "(`data/symbols.toml`): change `--sizing` / `--sizing-value`, or the symbol's entry."
)


class Unsent(NamedTuple):
    denied: list[Group]  # journal lines grouped by symbol, side and guards
    skipped: list[Group]  # journal lines grouped by symbol and the reason's shape

    def counts(self) -> tuple[int, int]:
        return sum(g.count for g in self.denied), sum(g.count for g in self.skipped)


def _key(entry: dict[str, Any]) -> tuple[str, ...]:
    if entry["type"] == DENIED:
        return (DENIED, entry["symbol"], entry["side"], *entry["reasons"])
    return (SKIPPED, entry["symbol"], shape(entry["reason"]))


def read_unsent(journal: Path) -> Unsent:
    """Group the journal's denied orders and skipped targets."""
    groups = group_by(lines_of(journal, (DENIED, SKIPPED)), _key)
    return Unsent([g for g in groups if g.first["type"] == DENIED], [g for g in groups if g.first["type"] == SKIPPED])


def _time(entry: dict[str, Any]) -> str:
    return iso(entry["ts"]) if entry["ts"] else "-"


def unsent_rows(unsent: Unsent) -> list[tuple[str, ...]]:
    """Rows of session.md's table: first, last, count, symbol, what, why (the last reason in full)."""
    rows: list[tuple[str, ...]] = []
    for group in unsent.denied + unsent.skipped:
        last = group.last
        what = f"{last['side']} denied" if last["type"] == DENIED else "skipped"
        why = ", ".join(last["reasons"]) if last["type"] == DENIED else last["reason"]
        rows.append((_time(group.first), _time(last), str(group.count), last["symbol"], what, why))
    return rows


def unsent_note(unsent: Unsent) -> str | None:
    """One line for the log and the terminal: how many, by guard and by symbol; None when every order went out."""
    denied, skipped = unsent.counts()
    if not denied and not skipped:
        return None
    parts = []
    if denied:
        by_guard: Counter[str] = Counter()
        for group in unsent.denied:
            by_guard.update(dict.fromkeys(group.first["reasons"], group.count))
        parts.append(f"{denied} denied by a guard ({_tally(by_guard)})")
    if skipped:
        by_symbol: Counter[str] = Counter()
        for group in unsent.skipped:
            by_symbol[group.first["symbol"]] += group.count
        parts.append(f"{skipped} skipped by the translator ({_tally(by_symbol)})")
    return "orders not sent: " + "; ".join(parts) + "; see 'Orders not sent' in session.md"


def _tally(counts: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.most_common())
