"""The committed fixtures: reproducible byte for byte, plausible, and shaped as each scenario needs."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from logos.feeds.cache import CacheFeed
from logos.feeds.csv_format import HEADER, day_start
from logos.feeds.fixtures import FIXTURES, generate, main
from logos.paths import bundled_data_dir

CACHE = bundled_data_dir() / "cache"
SYMBOLS = tomllib.loads((bundled_data_dir() / "symbols.toml").read_text())["symbols"]
SCENARIOS = ("UPTREND", "DOWNTREND", "RANGEBOUND", "GAPDOWN", "STALLED", "TORNTAIL")
MONDAY = day_start("2025-10-13")
OPEN_1330 = MONDAY + 13 * 3600 + 30 * 60


def replay(symbol: str) -> list:
    return list(CacheFeed(CACHE, {symbol: SYMBOLS[symbol]["asset_class"]}).replay())


def test_generate_with_default_seed_reproduces_committed_files_byte_for_byte(tmp_path):
    # Act
    written = generate(tmp_path)

    # Assert
    assert len(written) == len(FIXTURES)
    for path in written:
        committed = CACHE / path.relative_to(tmp_path)
        assert path.read_bytes() == committed.read_bytes(), f"{committed} differs from its generator"
    committed_files = {p.relative_to(CACHE) for p in CACHE.rglob("*.csv")}
    assert committed_files == {p.relative_to(tmp_path) for p in written}


def test_main_with_out_and_seed_writes_a_different_but_valid_set(tmp_path, capsys):
    main(["--out", str(tmp_path), "--seed", "7"])

    assert "wrote 12 fixture files" in capsys.readouterr().out
    other = (tmp_path / "equity" / "AAPL_1m.csv").read_bytes()
    assert other != (CACHE / "equity" / "AAPL_1m.csv").read_bytes()
    assert other.startswith(HEADER.encode())


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture.symbol)
def test_fixture_with_any_symbol_has_positive_consistent_ticked_bars(fixture):
    # Arrange
    spec = SYMBOLS[fixture.symbol]
    tick, step = Decimal(spec["price_tick"]), Decimal(spec["qty_step"])

    # Act
    bars = replay(fixture.symbol)

    # Assert
    assert bars
    for bar in bars:
        assert 0 < bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert all(price.as_tuple().exponent == tick.as_tuple().exponent for price in bar[2:6])
        assert bar.volume > 0 and bar.volume.as_tuple().exponent == step.as_tuple().exponent
    assert len({bar.volume for bar in bars}) > len(bars) // 2, "volume should vary"


def test_equity_bundles_with_five_sessions_have_390_bars_a_day_and_overnight_gaps():
    for symbol in ("AAPL", "MSFT", "SPY"):
        bars = replay(symbol)

        assert len(bars) == 5 * 390
        for day in range(5):
            session = bars[day * 390 : (day + 1) * 390]
            first = MONDAY + day * 86400 + 13 * 3600 + 30 * 60
            assert [bar.ts for bar in session] == list(range(first, first + 390 * 60, 60))


def test_equity_volume_with_regular_session_is_u_shaped():
    bars = replay("AAPL")[:390]

    def mean(part):
        return sum(bar.volume for bar in part) / len(part)

    midday = mean(bars[180:210])
    assert mean(bars[:30]) > Decimal("1.5") * midday
    assert mean(bars[-30:]) > Decimal("1.5") * midday


def test_crypto_bundles_with_three_days_run_around_the_clock():
    for symbol in ("BTC/USDT", "ETH/USDT"):
        bars = replay(symbol)

        assert [bar.ts for bar in bars] == list(range(MONDAY, MONDAY + 3 * 86400, 60))


def test_forex_bundle_with_weekend_closed_runs_sunday_2200_to_friday_2159():
    bars = replay("EUR/USD")

    sunday_open = MONDAY - 2 * 3600
    assert [bar.ts for bar in bars] == list(range(sunday_open, sunday_open + 5 * 86400, 60))


def test_scenario_symbols_with_aapl_rules_are_in_symbols_toml():
    aapl = SYMBOLS["AAPL"]

    for symbol in SCENARIOS:
        assert SYMBOLS[symbol] == aapl


def test_uptrend_and_downtrend_with_one_session_move_steadily():
    for symbol, sign in (("UPTREND", 1), ("DOWNTREND", -1)):
        closes = [bar.close for bar in replay(symbol)]

        hourly = closes[::60]
        assert all(sign * (later - earlier) > 0 for earlier, later in zip(hourly, hourly[1:], strict=False))
        assert sign * (closes[-1] - closes[0]) > Decimal("8")


def test_rangebound_with_one_session_oscillates_in_a_band():
    closes = [bar.close for bar in replay("RANGEBOUND")]

    assert Decimal("98") < min(closes) < Decimal("99") < Decimal("101") < max(closes) < Decimal("102")
    crossings = sum(1 for a, b in zip(closes, closes[1:], strict=False) if (a - 100) * (b - 100) < 0)
    assert crossings >= 10


def test_gapdown_with_one_session_rises_then_opens_15_percent_lower_and_stays_down():
    bars = replay("GAPDOWN")

    gap = next(index for index, bar in enumerate(bars) if bar.open < bars[index - 1].close * Decimal("0.9"))
    before, after = bars[:gap], bars[gap:]
    assert before[-1].close > before[0].open
    drop = 1 - bars[gap].open / before[-1].close
    assert Decimal("0.14") < drop < Decimal("0.16")
    assert max(bar.high for bar in after) < before[-1].close * Decimal("0.9")


def test_stalled_with_one_session_ends_at_1500():
    bars = replay("STALLED")

    assert bars[0].ts == OPEN_1330
    assert bars[-1].ts + 60 == MONDAY + 15 * 3600


def test_torntail_with_one_session_ends_mid_row_without_newline():
    text = (CACHE / "equity" / "TORNTAIL_1m.csv").read_text()

    last = text.rsplit("\n", 1)[1]
    assert last and len(last.split(",")) < 6
    assert len(replay("TORNTAIL")) == 389


@pytest.mark.parametrize("symbol", SCENARIOS)
def test_scenario_volume_with_10000_notional_order_fills_within_three_bars_at_25_percent(symbol):
    bars = replay(symbol)

    for start in range(len(bars) - 3):
        window = bars[start : start + 3]
        fillable = sum(bar.volume * Decimal("0.25") * bar.open for bar in window)
        assert fillable >= 10000
