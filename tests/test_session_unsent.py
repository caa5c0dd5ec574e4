"""What the session did not send, said in session.md, the log and the terminal.

Denied orders and translator skips are grouped by symbol (and side, guards, or the shape of
the skip's reason), guard trips by guard, limit, action and the shape of their detail; the
expected tables are worked out here from the journal and orders.csv, not from the renderer.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from logos.core.timestamps import iso
from session_helpers import flat, invoke, journal, rows, session_dir

PAIR = ["--symbol", "AAPL,MSFT"]


def _trade(home: Path, sid: str, *options: str) -> str:
    result = invoke(["trade", "--paper", "--session-id", sid, "--home", str(home), *PAIR, *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def _table(report: str, section: str) -> list[list[str]]:
    body = report.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| first |")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_session_with_lots_too_small_says_each_symbols_skips_once_with_a_count(tmp_path: Path) -> None:
    # Arrange: ~150 of notional buys less than one share of AAPL or MSFT: every target is skipped.
    out = _trade(tmp_path, "tiny", "--sizing", "notional", "--sizing-value", "150")
    folder = session_dir(tmp_path, "tiny")
    skips = [e for e in journal(folder) if e["type"] == "IntentSkipped"]
    by_symbol = Counter(e["symbol"] for e in skips)

    # Act
    table = _table((folder / "session.md").read_text(), "Orders not sent")

    # Assert
    assert len(skips) > 100 and set(by_symbol) == {"AAPL", "MSFT"}
    assert len(table) == 2, "one row per symbol: the skips differ only in their figures"
    for first, last, count, symbol, what, why in table:
        mine = [e for e in skips if e["symbol"] == symbol]
        assert (first, last, int(count), what, why) == (iso(mine[0]["ts"]), iso(mine[-1]["ts"]), len(mine), "skipped", mine[-1]["reason"])
    assert "rounds to zero lots" in table[0][5]
    note = f"orders not sent: {len(skips)} skipped by the translator ({', '.join(f'{s} {n}' for s, n in by_symbol.most_common())})"
    assert note in flat(out)
    assert note in (tmp_path / "logos" / "logs" / "tiny.log").read_text()
    assert "--sizing-value" in (folder / "session.md").read_text()


def test_session_with_every_order_over_the_cap_groups_trips_and_denials(tmp_path: Path) -> None:
    # Arrange: every order is worth more than 100, so each is denied by max_notional.
    out = _trade(tmp_path, "capped", "--max-notional", "100")
    folder = session_dir(tmp_path, "capped")
    trips = [e for e in journal(folder) if e["type"] == "GuardTripped"]
    denied = [o for o in rows(folder / "orders.csv") if o["status"] == "denied"]
    report = (folder / "session.md").read_text()

    # Act
    trip_table = _table(report, "Guard trips")
    unsent_table = _table(report, "Orders not sent")

    # Assert: one trip row per symbol (the detail names it), measured from lowest to highest.
    assert len(trips) == len(denied) > 100
    assert len(trip_table) == 2
    for first, last, count, guard, measured, limit, action, detail in trip_table:
        mine = [t for t in trips if t["detail"] == detail]
        values = sorted((t["measured"] for t in mine), key=Decimal)
        assert (guard, limit, action) == ("max_notional", "100", "deny")
        assert (first, last, int(count)) == (iso(mine[0]["ts"]), iso(mine[-1]["ts"]), len(mine))
        assert measured == f"{values[0]} – {values[-1]}"
    assert sum(int(row[2]) for row in trip_table) == len(trips)
    # Denials: one row per symbol and side.
    expected = Counter((o["symbol"], f"{o['side']} denied") for o in denied)
    assert Counter({(row[3], row[4]): int(row[2]) for row in unsent_table}) == expected
    assert all(row[5] == "max_notional" for row in unsent_table)
    assert f"orders not sent: {len(denied)} denied by a guard (max_notional {len(denied)})" in flat(out)


def test_session_with_every_order_sent_says_so_and_prints_no_note(tmp_path: Path) -> None:
    out = _trade(tmp_path, "plain")

    report = (session_dir(tmp_path, "plain") / "session.md").read_text()

    assert "Every order the strategy asked for was sent." in report
    assert "orders not sent" not in out
