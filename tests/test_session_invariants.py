"""Invariants checked on the artifacts of real finished sessions, recomputed independently.

``trades.csv`` is replayed through a FIFO book written here from the definition (oldest lot
closes first, realized PnL net of fees), and what it gives must equal ``positions.csv``,
``account.csv`` and ``session.md`` exactly: these are decimals, so equal means equal.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from logos import paths
from session_helpers import (
    CSV_ARTIFACTS,
    TERMINAL_ORDER_STATES,
    by_symbol,
    invoke,
    money_text_problems,
    multiple_of,
    replay_trades,
    rows,
    session_dir,
)

INITIAL_CASH = Decimal("100000")
CONFIGS = {
    "default": [],
    "crypto_partial_fills": ["--symbol", "BTC/USDT,ETH/USDT", "--strategy", "mean_reversion", "--volume-share", "0.002"],
    "equity_partial_fills": ["--volume-share", "0.0001"],
    "limit_orders": ["--order-type", "limit", "--symbol", "AAPL,MSFT,SPY,RANGEBOUND"],
    "drawdown_reduce": ["--max-drawdown-bps", "40", "--drawdown-action", "reduce", "--symbol", "AAPL,DOWNTREND,GAPDOWN"],
}


@pytest.fixture(scope="module", params=list(CONFIGS), ids=list(CONFIGS))
def finished(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp(request.param)
    result = invoke(["trade", "--paper", "--session-id", "inv", "--home", str(home), *CONFIGS[request.param]])
    assert result.exit_code in (0, 3), result.output
    folder = session_dir(home, "inv")
    assert rows(folder / "trades.csv"), "a session without trades checks nothing"
    return folder


def _specs() -> dict[str, dict[str, Decimal]]:
    table = tomllib.loads(paths.bundled_data_dir().joinpath("symbols.toml").read_text())["symbols"]
    return {name: {k: Decimal(v) for k, v in spec.items() if k != "asset_class"} for name, spec in table.items()}


def _lots(text: str) -> list[tuple[Decimal, Decimal]]:
    return [(Decimal(q), Decimal(p)) for q, p in (lot.split("@") for lot in text.split())]


def test_positions_with_fifo_recomputed_from_trades_match_positions_csv(finished: Path) -> None:
    # Arrange
    trades = rows(finished / "trades.csv")
    positions = by_symbol(rows(finished / "positions.csv"))

    # Act
    books, mismatches = replay_trades(trades)

    # Assert
    assert mismatches == []
    for symbol, book in books.items():
        row = positions[symbol]
        assert Decimal(row["qty"]) == book.qty, symbol
        assert Decimal(row["realized_pnl"]) == book.realized, symbol
        assert Decimal(row["fees"]) == book.fees, symbol
        assert _lots(row["lots"]) == [(q, p) for q, p in book.lots], symbol
        mark = Decimal(row["mark"])
        assert Decimal(row["market_value"]) == book.qty * mark, symbol
        assert Decimal(row["unrealized_pnl"]) == sum(((mark - p) * q for q, p in book.lots), Decimal(0)), symbol
    untraded = set(positions) - set(books)
    assert all(Decimal(positions[s]["qty"]) == 0 and Decimal(positions[s]["realized_pnl"]) == 0 for s in untraded)


def test_account_with_last_row_has_equity_equal_to_cash_plus_marked_positions(finished: Path) -> None:
    # Arrange
    last = rows(finished / "account.csv")[-1]
    positions = rows(finished / "positions.csv")
    trades = rows(finished / "trades.csv")

    # Act
    marked = sum((Decimal(p["qty"]) * Decimal(p["mark"]) for p in positions), Decimal(0))
    spent = sum(
        ((Decimal(t["qty"]) if t["side"] == "buy" else -Decimal(t["qty"])) * Decimal(t["price"]) + Decimal(t["fee"]) for t in trades),
        Decimal(0),
    )
    pnl = sum((Decimal(p["realized_pnl"]) + Decimal(p["unrealized_pnl"]) for p in positions), Decimal(0))

    # Assert
    assert Decimal(last["cash"]) == INITIAL_CASH - spent
    assert Decimal(last["equity"]) == Decimal(last["cash"]) + marked
    assert pnl == Decimal(last["equity"]) - INITIAL_CASH
    report = (finished / "session.md").read_text()
    assert f"| equity | {last['equity']} |" in report
    assert f"| cash | {last['cash']} |" in report


def test_orders_with_finished_session_are_all_terminal_and_match_their_trades(finished: Path) -> None:
    # Arrange
    specs = _specs()
    orders = rows(finished / "orders.csv")
    filled: dict[str, Decimal] = defaultdict(Decimal)
    notional: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    for trade in rows(finished / "trades.csv"):
        filled[trade["client_id"]] += Decimal(trade["qty"])
        notional[trade["client_id"]] += Decimal(trade["qty"]) * Decimal(trade["price"])
        fees[trade["client_id"]] += Decimal(trade["fee"])

    # Act
    open_orders = [o["client_id"] for o in orders if o["status"] not in TERMINAL_ORDER_STATES]

    # Assert
    assert open_orders == []
    assert set(filled) <= {o["client_id"] for o in orders}
    for order in orders:
        cid = order["client_id"]
        assert Decimal(order["filled_qty"]) == filled[cid], cid
        assert Decimal(order["fees"]) == fees[cid], cid
        assert Decimal(order["filled_qty"]) <= Decimal(order["qty"]), cid
        assert (order["status"] == "filled") == (Decimal(order["filled_qty"]) == Decimal(order["qty"])), cid
        assert order["lifecycle"].split(">")[-1] == order["status"], cid
        if filled[cid]:
            half_step = specs[order["symbol"]]["price_tick"] * Decimal("0.00005")
            assert abs(Decimal(order["avg_fill_price"]) - notional[cid] / filled[cid]) <= half_step, cid
        else:
            assert order["avg_fill_price"] == "", cid


def test_trades_with_finished_session_have_unique_ids_and_symbol_precision(finished: Path) -> None:
    # Arrange
    specs = _specs()
    trades = rows(finished / "trades.csv")

    # Act
    ids = [t["trade_id"] for t in trades]

    # Assert
    assert len(ids) == len(set(ids))
    for trade in trades:
        spec = specs[trade["symbol"]]
        assert multiple_of(Decimal(trade["qty"]), spec["qty_step"]), trade
        assert Decimal(trade["qty"]) > 0, trade
        assert multiple_of(Decimal(trade["price"]), spec["price_tick"]), trade
        assert multiple_of(Decimal(trade["fee"]), spec["cash_step"]), trade


@pytest.mark.parametrize("finished", ["limit_orders"], indirect=True)
def test_limit_orders_with_fills_never_fill_through_their_limit(finished: Path) -> None:
    # Arrange
    limits = {o["client_id"]: o for o in rows(finished / "orders.csv") if o["order_type"] == "limit"}
    assert limits

    # Act
    through = [
        t["trade_id"]
        for t in rows(finished / "trades.csv")
        if t["client_id"] in limits
        and (Decimal(t["price"]) > Decimal(limits[t["client_id"]]["limit_price"]) if t["side"] == "buy" else Decimal(t["price"]) < Decimal(limits[t["client_id"]]["limit_price"]))
    ]

    # Assert
    assert through == []


def test_artifacts_with_finished_session_hold_no_float_looking_values(finished: Path) -> None:
    assert money_text_problems(finished, CSV_ARTIFACTS) == []


def test_float_check_with_binary_float_texts_flags_them(tmp_path: Path) -> None:
    # The checker itself: it must catch what it is there to catch, and pass plain decimals.
    (tmp_path / "a.csv").write_text("x,y,z\n1e-05,0.30000000000000004,1.5\n2.50,-3,7E+2\n0.00000001,12@1.25 3@2,\n")

    problems = money_text_problems(tmp_path, ["a.csv"])

    assert problems == ["a.csv line 2: 1e-05", "a.csv line 2: 0.30000000000000004", "a.csv line 3: 7E+2"]
