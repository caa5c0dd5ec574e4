"""Session statistics against straightforward, independent computations (exact fractions,
brute force over all pairs, trips generated first and then cut into fills)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Context, Decimal
from fractions import Fraction
from itertools import groupby

from hypothesis import example, given
from hypothesis import strategies as st

from logos.core.timestamps import iso
from logos.stats.equity_curve import EquityCurve, curve_of
from logos.stats.records import Fill
from logos.stats.round_trips import round_trips, time_held
from logos.stats.rounding import percent, ratio

BASE = 1_760_000_040  # a whole minute
FINE = Context(prec=80)
HALF_UNIT = Decimal("0.00005")

money = st.integers(min_value=1, max_value=10**9).map(lambda cents: Decimal(cents).scaleb(-2))


@st.composite
def equity_rows(draw: st.DrawFn) -> tuple[list[str], list[Decimal]]:
    """Rows of account.csv: a few rows may share a bar time (several symbols)."""
    values = draw(st.lists(money, max_size=40))
    times, minute = [], 0
    for _ in values:
        minute += draw(st.integers(min_value=0, max_value=2)) if times else 1
        times.append(iso(BASE + 60 * minute))
    return times, values


def _decimal(value: Fraction) -> Decimal:
    return FINE.divide(Decimal(value.numerator), Decimal(value.denominator))


# --- maximum drawdown ----------------------------------------------------------------------


@given(equity_rows(), money)
def test_max_drawdown_with_any_rows_matches_brute_force_over_all_pairs(rows, initial) -> None:
    # Arrange
    times, equity = rows
    # every (peak row, later row) pair, the initial cash as a peak before every row
    peaks = [(None, initial)] + list(zip(times, equity))
    best, found = Fraction(0), None
    for j, value in enumerate(equity):
        for i in range(j + 1):
            at, peak = peaks[i]
            share = Fraction(peak - value) / Fraction(peak)
            if share > best:
                best, found = share, (i, j)
    # Act
    worst = curve_of(times, equity, initial).drawdown()
    # Assert
    if found is None:
        assert worst.depth == 0 and worst.trough_at is None and worst.recovered_at is None
        return
    i, j = found
    peak = peaks[i][1]
    assert (worst.peak, worst.trough, worst.depth) == (peak, equity[j], peak - equity[j])
    assert worst.trough_at == times[j]
    first_peak_row = next((k for k in range(j) if equity[k] == peak and peak > initial), None)
    assert worst.start == (None if first_peak_row is None else times[first_peak_row])
    assert abs(worst.bps - _decimal(best * 10000)) <= Decimal("0.005")
    recovery = next((times[k] for k in range(j + 1, len(equity)) if equity[k] >= peak), None)
    assert worst.recovered_at == recovery


# --- Sharpe and Sortino -------------------------------------------------------------------


@given(equity_rows(), money, st.sampled_from([98280, 374400, 525600]))
def test_sharpe_and_sortino_with_any_rows_match_exact_fractions(rows, initial, per_year) -> None:
    # Arrange: one equity per bar time (the last row of it), returns as exact fractions
    times, equity = rows
    closes = [list(group)[-1][1] for _, group in groupby(zip(times, equity), key=lambda row: row[0])]
    returns, previous = [], Fraction(initial)
    for value in closes:
        returns.append(Fraction(value) / previous - 1)
        previous = Fraction(value)
    # Act
    result = curve_of(times, equity, initial).returns(per_year)
    # Assert
    assert result.periods == len(closes)
    if len(returns) < 2:
        assert result.sharpe is None and result.sortino is None
        return
    n = len(returns)
    mean = sum(returns, Fraction(0)) / n
    variance = sum(((r - mean) ** 2 for r in returns), Fraction(0)) / (n - 1)
    downside = sum((min(r, Fraction(0)) ** 2 for r in returns), Fraction(0)) / n
    root_year = FINE.sqrt(Decimal(per_year))
    if variance == 0:
        assert result.sharpe is None
    else:
        expected = FINE.multiply(_decimal(mean), root_year) / FINE.sqrt(_decimal(variance))
        assert abs(result.sharpe - expected) <= HALF_UNIT
    if downside == 0:
        assert result.sortino is None
    else:
        expected = FINE.multiply(_decimal(mean), root_year) / FINE.sqrt(_decimal(downside))
        assert abs(result.sortino - expected) <= HALF_UNIT
    assert abs(result.mean_bps - _decimal(mean * 10000)) <= HALF_UNIT


# --- round trips --------------------------------------------------------------------------


@st.composite
def trips_then_fills(draw: st.DrawFn) -> tuple[list[Fill], list[Decimal], bool]:
    """Draw round trips first (each from flat back to flat), then cut them into fills.

    Where a trip is followed by one in the other direction the two may share a fill (a
    reversal); the shared fill's realized PnL belongs to the trip it closes.
    """
    trips = draw(st.lists(st.tuples(st.sampled_from([1, -1]), st.lists(st.integers(1, 50), min_size=1, max_size=4)), max_size=6))
    left_open = draw(st.booleans())
    fills: list[Fill] = []
    expected: list[Decimal] = []
    minute = 0

    def fill(signed: int, realized: Decimal) -> Fill:
        nonlocal minute
        minute += draw(st.integers(min_value=0, max_value=3))
        return Fill("SYN", "buy" if signed > 0 else "sell", Decimal(abs(signed)), Decimal("10.00"), Decimal("0.01"), realized, iso(BASE + 60 * minute))

    pending: int | None = None  # the opening quantity of a trip, carried by the previous closing fill
    for number, (direction, path) in enumerate(trips):
        pnl = Decimal(0)
        steps = [direction * size for size in path]  # position after each opening step
        moves = [steps[0]] + [b - a for a, b in zip(steps, steps[1:])]
        moves = [m for m in moves if m]
        if pending is not None:
            moves[0] = None  # opened by the reversal already booked
        for move in moves:
            if move is None:
                continue
            realized = Decimal(draw(st.integers(-500, 500))).scaleb(-2)
            pnl += realized
            fills.append(fill(move, realized))
        is_last = number == len(trips) - 1
        if is_last and left_open:
            break
        closing = -steps[-1]
        following = trips[number + 1] if not is_last else None
        reverse = following is not None and following[0] != direction and draw(st.booleans())
        realized = Decimal(draw(st.integers(-500, 500))).scaleb(-2)
        pnl += realized
        expected.append(pnl)
        if reverse:
            opening = following[0] * following[1][0]
            fills.append(fill(closing + opening, realized))
            pending = opening
        else:
            fills.append(fill(closing, realized))
            pending = None
    opened = bool(trips) and left_open
    return fills, expected, opened


@given(trips_then_fills())
def test_round_trips_with_generated_trips_recover_each_trips_pnl(case) -> None:
    # Arrange
    fills, expected, left_open = case
    # Act
    trips = round_trips(fills)
    # Assert
    assert trips.pnls == expected
    assert trips.fills == len(fills)
    assert (bool(trips.holding) and trips.holding[-1][1] is None) == left_open
    assert len(trips.holding) == len(expected) + left_open
    assert trips.fees == Decimal("0.01") * len(fills)
    assert trips.traded_notional == sum((Decimal("10.00") * f.qty for f in fills), Decimal(0))


intervals = st.lists(
    st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(0, 60))).map(lambda t: (t[0], None if t[1] is None else t[0] + t[1])),
    max_size=8,
)


@given(intervals, st.integers(0, 120), st.integers(0, 150))
def test_time_held_with_overlapping_periods_counts_each_second_once(holding, start, length) -> None:
    # Arrange
    end = start + length
    seconds = {s for opened, closed in holding for s in range(opened, end if closed is None else closed) if start <= s < end}
    # Act / Assert
    assert time_held(holding, start, end) == len(seconds)


# --- rounding -----------------------------------------------------------------------------


@given(st.integers(-10**12, 10**12), st.integers(-10**9, 10**9))
def test_ratio_and_percent_with_any_integers_round_half_even_to_four_places(numerator, denominator) -> None:
    # Act
    value, share = ratio(Decimal(numerator), Decimal(denominator)), percent(Decimal(numerator), Decimal(denominator))
    # Assert
    if denominator == 0:
        assert value is None and share is None
        return
    exact = Fraction(numerator, denominator)
    assert value.as_tuple().exponent == -4
    assert abs(Fraction(value) - exact) <= Fraction(1, 20000)
    assert abs(Fraction(share) - exact * 100) <= Fraction(1, 20000)
    if abs(Fraction(value) - exact) == Fraction(1, 20000):
        assert int(value.scaleb(4)) % 2 == 0  # a tie goes to the even last digit


@given(st.integers(1, 10**6))
def test_ratio_with_a_tiny_negative_result_reads_as_unsigned_zero(denominator) -> None:
    assert str(ratio(Decimal(-1), Decimal(denominator) * 10**5)) == "0.0000"


@given(equity_rows(), money, st.lists(st.integers(min_value=0, max_value=40), max_size=5))
def test_equity_curve_folded_in_any_batches_equals_one_fold(rows, initial, cuts) -> None:
    # Arrange: a session writes its rows a run at a time; a resume folds the kept file first
    times, equity = rows
    pairs = [(ts, str(value)) for ts, value in zip(times, equity)]
    bounds = sorted({0, len(pairs), *(min(cut, len(pairs)) for cut in cuts)})
    whole = curve_of(times, equity, initial)
    # Act
    batched = EquityCurve(initial)
    for low, high in zip(bounds, bounds[1:]):
        batched.add_rows(pairs[low:high])
    # Assert
    assert (batched.rows, batched.first_ts, batched.last_ts) == (whole.rows, whole.first_ts, whole.last_ts)
    assert batched.drawdown() == whole.drawdown()
    assert batched.returns(525600) == whole.returns(525600)
    assert batched.returns(525600) == batched.returns(525600), "asking for the returns changes nothing"


@given(ts=st.integers(min_value=0, max_value=253_402_300_799))  # to 9999-12-31T23:59:59Z
@example(ts=0)
@example(ts=61)  # a minute and a second
@example(ts=86_399)  # the last second of a day
@example(ts=1_700_000_041)
def test_iso_with_any_epoch_second_writes_what_datetime_writes(ts: int):
    # Every stamp in the artifacts is iso's: a whole minute from its table, any other second exactly.
    assert iso(ts) == datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
