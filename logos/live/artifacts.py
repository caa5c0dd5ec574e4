"""The session's CSV artifacts.

``orders.csv``, ``trades.csv`` and ``account.csv`` are streamed as the reducer asks for
rows; the snapshot records their lengths and checksums, so a resume refuses an edited file,
cuts them back to the snapshot and the journal replay writes the rest again.
``positions.csv`` is written once at the end.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from logos.atomic import write_atomic
from logos.core.money import text
from logos.core.portfolio import average_cost, unrealized
from logos.core.state import FLAT, SessionState
from logos.live.checksums import crc_of_range
from logos.stats.equity_curve import EquityCurve, fold_account

HEADERS = {
    "orders": (
        "client_id",
        "symbol",
        "side",
        "order_type",
        "qty",
        "limit_price",
        "filled_qty",
        "avg_fill_price",
        "fees",
        "status",
        "lifecycle",
        "submitted_at",
        "closed_at",
        "reason",
    ),
    "trades": ("trade_id", "client_id", "symbol", "side", "qty", "price", "fee", "realized_pnl", "position", "unrealized_pnl", "ts"),
    "account": ("ts", "symbol", "cash", "equity", "realized_pnl", "unrealized_pnl", "gross_exposure", "drawdown_bps", "mode"),
}
_TIME_AND_EQUITY = itemgetter(HEADERS["account"].index("ts"), HEADERS["account"].index("equity"))
POSITIONS_HEADER = (
    "symbol",
    "qty",
    "avg_cost",
    "mark",
    "market_value",
    "realized_pnl",
    "unrealized_pnl",
    "fees",
    "lots",
)


def _line(row: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()


def _fast_line(row: tuple[str, ...]) -> str:
    # Most rows hold no comma, quote or newline; only those that do need the csv module.
    text = ",".join(row)
    if '"' in text or "\n" in text or text.count(",") != len(row) - 1:
        return _line(row)
    return text + "\n"


class ArtifactStreams:
    """Append-only CSV streams, buffered; ``flush`` before any snapshot records their sizes.

    The CRC-32 of each file is kept by reading back, at each ``flush``, the bytes written
    since the one before (from the page cache): the per-row path pays nothing for it.
    """

    def __init__(self, folder: Path, curve: EquityCurve, sizes: dict[str, int] | None = None, crcs: dict[str, int] | None = None) -> None:
        self._files = {}
        # account.csv's rows are folded into the statistics as they are written (the rows a
        # resume keeps are read once, here), so the end of a session never reads the file back.
        self.curve = curve
        self._sizes = dict.fromkeys(HEADERS, 0) if sizes is None else dict(sizes)
        self._crcs = dict.fromkeys(HEADERS, 0) if crcs is None else dict(crcs)
        for name, header in HEADERS.items():
            path = folder / f"{name}.csv"
            if sizes is None:
                path.write_text(_line(header))
            else:
                with open(path, "r+b") as handle:
                    handle.truncate(sizes[name])
                if name == "account":
                    fold_account(path, curve)
            # "a+": appends like "a", and lets flush() read back what it wrote
            self._files[name] = open(path, "a+", buffering=1 << 16, newline="")
        self._account = self._files["account"]

    def write(self, name: str, row: tuple[str, ...]) -> None:
        if name == "account":
            # Numbers, an ISO time, a validated symbol and a mode name: nothing to quote.
            self._account.write(",".join(row) + "\n")
            self.curve.add_rows((_TIME_AND_EQUITY(row),))
        else:
            self._files[name].write(_fast_line(row))

    def write_rows(self, name: str, rows: tuple[tuple[str, ...], ...]) -> None:
        if name == "account":
            self._account.write("\n".join(map(",".join, rows)) + "\n")
            self.curve.add_rows(map(_TIME_AND_EQUITY, rows))
        else:
            self._files[name].write("".join([_fast_line(row) for row in rows]))

    def flush(self) -> dict[str, int]:
        """Hand every stream to the OS and return their sizes, for the snapshot to record.

        The snapshot writer fsyncs ``filenos()`` before the snapshot lands (power loss: a
        snapshot must never record a length the disk does not hold).
        """
        sizes = {}
        for name, handle in self._files.items():
            handle.flush()
            sizes[name] = size = handle.tell()
            start = self._sizes[name]
            if size > start:
                self._crcs[name] = crc_of_range(handle.fileno(), start, size, self._crcs[name])
                self._sizes[name] = size
        return sizes

    def crcs(self) -> dict[str, int]:
        """The CRC-32 of each file up to the sizes the last ``flush`` returned."""
        return dict(self._crcs)

    def filenos(self) -> tuple[int, ...]:
        return tuple(handle.fileno() for handle in self._files.values())

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()


def csv_text(name: str, rows: list[tuple[str, ...]]) -> str:
    """The text a stream writes for these rows after its header (how an audit rebuilds a file)."""
    return _line(HEADERS[name]) + "".join(_fast_line(row) for row in rows)


def _money(value: Decimal, step: Decimal) -> str:
    return str(value.quantize(step))


def position_row(state: SessionState, symbol: str) -> tuple[str, ...]:
    """One ``positions.csv`` row (``POSITIONS_HEADER``): the symbol's position at its mark."""
    position = state.positions.get(symbol, FLAT)
    spec = state.params.specs[symbol]
    mark = state.markets[symbol].mark
    avg = average_cost(position)
    value = position.qty * mark if mark is not None else Decimal(0)
    return (
        symbol,
        text(position.qty),
        "" if avg is None else text(avg.quantize(spec.price_tick * Decimal("0.0001"))),
        "" if mark is None else text(mark),
        text(value),
        text(position.realized),
        text(unrealized(position, mark)),
        text(position.fees),
        " ".join(f"{text(lot.qty)}@{text(lot.price)}" for lot in position.lots),
    )


def positions_csv(state: SessionState) -> str:
    return "".join([_line(POSITIONS_HEADER)] + [_line(position_row(state, symbol)) for symbol in state.params.symbols])


def write_positions(folder: Path, state: SessionState) -> None:
    write_atomic(folder / "positions.csv", positions_csv(state).encode())
