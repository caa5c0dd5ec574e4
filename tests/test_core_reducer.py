"""The reducer's contract outside trading: which events fit which session status, resume, replay."""

from __future__ import annotations

from typing import Any

import pytest

from core_factories import D, T0, Run, bar, equity_spec, make_params
from logos.core.effects import AppendJournal, Stop, WriteArtifactRows
from logos.core.events import (
    ClockTicked,
    FeedEnded,
    GuardTripped,
    FeedStalled,
    KillSwitchTripped,
    OperatorHalted,
    OrderFilled,
    SessionCompleted,
    SessionHalted,
    SessionPaused,
    SessionResumed,
    SessionStarted,
    TradingModeChanged,
)
from logos.core.book import valuation
from logos.core.reducer import ReducerError, reduce, reduce_events
from logos.core.session_fsm import COMPLETED, HALTED, MODE_ACTIVE, MODE_HALTED, MODE_REDUCING, RUNNING
from logos.core.state import initial_state


def created() -> Any:
    return initial_state(make_params())


def running() -> Any:
    return Run(make_params()).state


def halted() -> Any:
    run = Run(make_params())
    run.step(OperatorHalted(T0 + 1, "lunch"))
    return run.state


def completed() -> Any:
    run = Run(make_params())
    run.step(FeedEnded(T0 + 1))
    return run.state


MISFITS = [
    (created, bar("AAPL", 0, "100"), "BarClosed arrived while the session is created"),
    (halted, bar("AAPL", 0, "100"), "BarClosed arrived while the session is halted"),
    (completed, bar("AAPL", 0, "100"), "BarClosed arrived while the session is completed"),
    (created, ClockTicked(T0), "ClockTicked arrived while the session is created"),
    (halted, ClockTicked(T0 + 99), "ClockTicked arrived while the session is halted"),
    (halted, KillSwitchTripped(T0 + 99, "KILL"), "KillSwitchTripped arrived while the session is halted"),
    (created, OperatorHalted(T0, "x"), "OperatorHalted arrived while the session is created"),
    (completed, FeedStalled(T0 + 99, "AAPL", "timeout"), "FeedStalled arrived while the session is completed"),
    (halted, FeedEnded(T0 + 99), "FeedEnded arrived while the session is halted"),
    (completed, FeedEnded(T0 + 99), "FeedEnded arrived while the session is completed"),
    (halted, SessionPaused(T0 + 99, "sigint"), "SessionPaused arrived while the session is halted"),
    (running, SessionStarted("S", T0, 7, "cfg"), "session: RUNNING -> start is not a legal transition"),
    (created, SessionResumed(T0, ()), "session: CREATED -> recover is not a legal transition"),
    (completed, SessionResumed(T0, ()), "session: COMPLETED -> recover is not a legal transition"),
    (created, SessionStarted("OTHER", T0, 7, "cfg"), "SessionStarted for OTHER reached session S"),
    (running, bar("MSFT", 0, "100"), "bar for MSFT, which is not in this session"),
    (running, OrderFilled("S-1", "S-1-F1", "AAPL", "buy", D(1), D(1), D(0), D(0), D(0), T0), "OrderFilled is not an input event"),
    (running, "not an event", "str is not an input event"),
]


@pytest.mark.parametrize(("make_state", "event", "message"), MISFITS, ids=[m[2] for m in MISFITS])
def test_reduce_with_event_that_does_not_fit_the_status_raises_reducer_error(make_state, event, message):
    # Arrange
    state = make_state()

    # Act / Assert
    with pytest.raises(ReducerError) as caught:
        reduce(state, event)
    assert str(caught.value) == message


def test_reduce_with_bar_not_after_the_last_bar_of_its_symbol_raises_reducer_error():
    run = Run(make_params())
    run.step(bar("AAPL", 3, "100"))

    with pytest.raises(ReducerError, match=r"bar for AAPL at \d+ is not after its last bar at \d+"):
        reduce(run.state, bar("AAPL", 3, "101"))
    with pytest.raises(ReducerError, match="is not after its last bar"):
        reduce(run.state, bar("AAPL", 2, "101"))


def test_reduce_with_input_journals_it_first_with_the_next_seq():
    run = Run(make_params())
    seq = run.state.seq
    event = bar("AAPL", 0, "100")

    _, effects = reduce(run.state, event)

    assert isinstance(effects[0], AppendJournal)
    assert effects[0].entries[0] == (seq + 1, event)


def test_session_started_with_matching_id_runs_from_its_clock():
    state, effects = reduce(created(), SessionStarted("S", T0, 7, "cfg"))

    assert (state.status, state.clock, state.origin, state.seq) == (RUNNING, T0, T0, 1)
    assert effects == (AppendJournal(((1, SessionStarted("S", T0, 7, "cfg")),), True),)


def test_clock_tick_with_time_not_after_the_clock_changes_only_the_seq():
    run = Run(make_params())
    before = run.state

    facts = run.step(ClockTicked(T0 - 5))

    assert facts == [] and run.state == before._replace(seq=before.seq + 1)


def test_feed_ended_with_a_running_session_completes_and_stops():
    run = Run(make_params())

    run.step(FeedEnded(T0 + 30))

    assert run.state.status == COMPLETED and run.state.clock == T0 + 30
    assert run.of(SessionCompleted) == [SessionCompleted(T0 + 30)]
    assert run.effects[-1] == Stop(COMPLETED)


def test_operator_halt_with_running_session_halts_and_stops():
    run = Run(make_params())

    facts = run.step(OperatorHalted(T0 + 5, "lunch"))

    assert run.state.status == HALTED and run.state.mode == MODE_HALTED
    assert run.state.halt_causes == ("operator",)
    assert facts[-2:] == [TradingModeChanged(MODE_HALTED, "operator", T0 + 5), SessionHalted(T0 + 5, ("operator",))]
    assert GuardTripped(T0 + 5, "operator", "requested", "-", "halt", "lunch") in facts
    assert run.state.origin == T0  # staleness still counts from the session start
    assert run.effects[-1] == Stop(HALTED)


def test_resume_with_halted_session_runs_again_in_active_mode():
    run = Run(make_params())
    run.step(OperatorHalted(T0 + 5, "lunch"))

    facts = run.step(SessionResumed(T0 + 50, ()))

    assert run.state.status == RUNNING and run.state.mode == MODE_ACTIVE
    assert run.state.halt_causes == () and run.state.clock == T0 + 50
    assert facts == [TradingModeChanged(MODE_ACTIVE, "session resumed", T0 + 50)]
    run.step(bar("AAPL", 0, "100"))  # bars fit again


def test_resume_with_running_session_recovers_from_a_crash_keeping_open_orders():
    run = Run(make_params())
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101")))
    open_orders = run.state.orders

    facts = run.step(SessionResumed(run.state.clock, ()))

    assert facts == [] and run.state.status == RUNNING and run.state.orders == open_orders


def reducing_run(**changes: Any) -> Run:
    """Long 100 AAPL from 100, then a close at 89.99: 110 bps under the 100,100 peak."""
    params = make_params(
        sizing_value=D("100"),
        max_drawdown_bps=D("100"),
        drawdown_action="reduce",
        strategy_params={"fast": 1, "slow": 2, "long_only": True},
        **changes,
    )
    run = Run(params)
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "101", open="100"), bar("AAPL", 3, "89.99", volume="0")))
    assert run.state.mode == MODE_REDUCING
    return run


def test_resume_with_reduce_drawdown_in_force_and_no_reset_stays_reducing():
    # Arrange: reducing, then an operator halt
    run = reducing_run()
    run.step(OperatorHalted(run.state.clock, "lunch"))

    # Act
    facts = run.step(SessionResumed(run.state.clock, ()))

    # Assert: equity is still 110 bps under the peak; the reduce-only rule holds
    assert run.state.mode == MODE_REDUCING
    assert facts == [TradingModeChanged(MODE_REDUCING, "session resumed", run.state.clock)]


def test_resume_with_reduce_drawdown_reset_trades_actively_from_a_new_peak():
    run = reducing_run()
    run.step(OperatorHalted(run.state.clock, "lunch"))

    run.step(SessionResumed(run.state.clock, ("drawdown",)))

    assert run.state.mode == MODE_ACTIVE
    assert run.state.peak_equity == D("98999.00")


def test_resume_with_reduce_drawdown_recovered_but_not_reset_stays_reducing():
    # Arrange: reducing, equity back within 100 bps of the peak (still reducing), then a halt
    run = reducing_run()
    run.step(bar("AAPL", 4, "100.50", volume="0"))
    assert run.state.mode == MODE_REDUCING
    run.step(OperatorHalted(run.state.clock, "lunch"))

    # Act
    run.step(SessionResumed(run.state.clock, ()))

    # Assert
    assert run.state.mode == MODE_REDUCING


def test_crash_recovery_with_reducing_mode_and_no_reset_stays_reducing():
    run = reducing_run()

    facts = run.step(SessionResumed(run.state.clock, ()))

    assert facts == [] and run.state.mode == MODE_REDUCING


def test_replay_with_same_inputs_gives_the_same_states_and_effects():
    # Arrange
    params = make_params(volume_share=D("0.3"), fee_bps=D("7"), slippage_bps=D("3"))
    inputs = [SessionStarted("S", T0, 7, "cfg")] + [
        bar("AAPL", i, close, volume="25") for i, close in enumerate(["100", "101", "99.5", "99", "102", "103.25", "101"])
    ]
    inputs.append(FeedEnded(T0 + 3600))

    # Act
    def play() -> list[Any]:
        state, out = initial_state(params), []
        for event in inputs:
            state, effects = reduce(state, event)
            out.append((state, effects))
        return out

    # Assert
    first, second = play(), play()
    assert first == second
    assert any(isinstance(f, OrderFilled) for _, effects in first for _, f in effects[0].entries)


def test_session_records_with_a_pause_and_a_resume_are_journaled_durably():
    # A pause or a resume is an end or a start of this process's run: its lines are written
    # and synced at once, never held back with the quiet lines of bars that caused nothing.
    state, _ = reduce(initial_state(make_params()), SessionStarted("S", T0, 7, "cfg"))
    quiet_state, (quiet, *_) = reduce(state, bar("AAPL", 0, "100"))
    paused_state, (paused, *_) = reduce(quiet_state, SessionPaused(T0 + 90, "sigint"))
    _, (resumed, *_) = reduce(paused_state, SessionResumed(T0 + 120, ()))

    assert (quiet.durable, paused.durable, resumed.durable) == (False, True, True)


def test_clock_tick_at_the_clock_already_reached_leaves_the_minute_to_its_last_bar():
    # Arrange: BBB last seen at T0+60; AAA's minute-3 bar has taken the clock to T0+240
    run = Run(make_params([equity_spec("AAA"), equity_spec("BBB")], stale_after_s=120))
    run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "100"), bar("AAA", 2, "100"), bar("AAA", 3, "100")))

    # Act: a tick at that same clock, then BBB's own minute-3 bar
    facts = run.steps((ClockTicked(T0 + 240), bar("BBB", 3, "50")))

    # Assert: T0+240 is judged only once the clock leaves it, by which time BBB is fresh
    assert facts == [] and run.state.status == RUNNING


def test_reduce_events_with_an_event_that_cannot_apply_mid_run_ends_the_run_before_it():
    # The shell goes on from the refused event: the run must be exactly the events before it.
    before = Run(make_params()).state
    good = bar("AAPL", 0, "100")

    state, effects, taken = reduce_events(before, (good, bar("MSFT", 0, "1"), bar("AAPL", 1, "101")))

    assert (taken, state, effects) == (1, *reduce(before, good))


def test_account_rows_with_a_mark_whose_places_change_write_the_totals_as_a_fresh_sum_would():
    # Arrange: 10 AAPL held, then marks of one, none and two places
    run = Run(make_params())
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "102", open="102")))
    cash = run.state.cash
    assert run.state.positions["AAPL"].qty == D("10")

    for minute, close in enumerate(("102.5", "103", "103.25", "104", "104.5"), start=3):
        # Act
        run.step(bar("AAPL", minute, close, open=close))

        # Assert: equity and gross exposure carry the places of the sum 10 x mark has
        row = run.rows("account")[-1]
        assert (row[3], row[6]) == (str(cash + 10 * D(close)), str(10 * D(close)))
        assert row[7] == "0.00"  # each mark a new peak: no drawdown


def test_equity_of_cash_and_prices_in_tens_is_kept_in_whole_units_never_with_an_exponent():
    # Arrange: a cash step of ten, prices and cash written as Decimal writes such amounts
    # (2E+2, 1E+5) and a fee of 10: cash and every held term are tens, and a fresh sum of
    # them carries a positive exponent
    params = make_params([equity_spec(cash_step=D("1E+1"))], initial_cash=D("1E+5"), fee_bps=D("50"))
    run = Run(params)
    run.steps((bar("AAPL", 0, "1E+2"), bar("AAPL", 1, "2E+2"), bar("AAPL", 2, "2E+2")))
    assert run.state.positions["AAPL"].qty == D("10") and str(run.state.cash) == "9.799E+4"

    # Act: 10 held at a mark of 3E+2, a new peak
    run.step(bar("AAPL", 3, "3E+2"))

    # Assert: the peak, as the snapshot and guard details write it, and the row's equity and
    # exposure are plain whole units
    assert str(run.state.peak_equity) == "100990"
    row = run.rows("account")[-1]
    assert (row[3], row[6]) == ("100990", "3000")


def test_account_rows_of_one_run_with_a_drawdown_tripped_on_a_flat_book_show_the_new_mode():
    # Arrange: same_close, fees. 100 AAPL bought at 100's close, sold at 99.20's: the mark's
    # loss is exactly the 10 bps limit, the sale's fee takes the flat book past it, so the
    # guard trips on the next bar, with cash, equity and peak the objects the last row had.
    params = make_params(
        fill_at="same_close",
        fee_bps=D("20"),
        sizing_value=D("100"),
        max_drawdown_bps=D("10"),
        drawdown_action="reduce",
        strategy_params={"fast": 1, "slow": 2, "long_only": True},
    )
    run = Run(params)
    run.steps((bar("AAPL", 0, "99"), bar("AAPL", 1, "100")))
    assert run.state.positions["AAPL"].qty == D("100")
    bars = (bar("AAPL", 2, "99.2"), bar("AAPL", 3, "99"))

    # Act: the two bars in one run, as a replay applies them, and one by one
    state, effects, taken = reduce_events(run.state, bars)
    one_by_one = Run(params)
    one_by_one.steps((bar("AAPL", 0, "99"), bar("AAPL", 1, "100"), *bars))

    # Assert: the run's rows are the rows one by one, the last one in reducing mode
    rows = [row for e in effects if isinstance(e, WriteArtifactRows) and e.artifact == "account" for row in e.rows]
    assert taken == 2 and state.positions["AAPL"].qty == 0 and state.mode == MODE_REDUCING
    assert rows == one_by_one.rows("account")[-2:]
    assert (rows[0][-1], rows[1][-1]) == (MODE_ACTIVE, MODE_REDUCING)


@pytest.mark.parametrize(
    "changes",
    [{}, {"max_drawdown_bps": D("30"), "drawdown_action": "reduce"}],
    ids=["within-limit", "beyond-limit-reduce"],
)
def test_one_run_with_a_resume_resetting_the_drawdown_agrees_with_reduce_one_by_one(changes):
    # Arrange: AAPL bought on a rise and held below its peak; then a bar that marks it far
    # down, a resume that resets the drawdown (the peak becomes the equity of that moment,
    # the very object the last row showed) and a bar of MSFT, which is not held
    run = Run(make_params([equity_spec("AAPL"), equity_spec("MSFT")], **changes))
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "102")))
    assert run.state.positions["AAPL"].qty
    clock = run.state.clock
    events = (bar("AAPL", 3, "60"), SessionResumed(clock + 120, ("drawdown",)), bar("MSFT", 3, "50", seen=clock + 180))
    before = run.state

    # Act: the three in one run, as a replay or a check applies them, and one by one
    state, effects, taken = reduce_events(before, events)
    run.steps(events)

    # Assert: the same journal lines, rows and state; MSFT's row shows no drawdown from the new peak
    assert taken == len(events)
    lines = [event for _, event in effects[0].entries]
    rows = [row for e in effects if isinstance(e, WriteArtifactRows) and e.artifact == "account" for row in e.rows]
    assert lines == [event for e in run.effects if isinstance(e, AppendJournal) for _, event in e.entries][-len(lines) :]
    assert rows == run.rows("account")[-len(rows) :]
    assert state == run.state
    assert rows[-1][1] == "MSFT" and rows[-1][7] == "0.00"


def test_a_held_mark_equal_in_value_but_written_with_more_places_writes_the_totals_with_them():
    # Arrange: 10 AAPL held, marked at 103
    run = Run(make_params())
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "102"), bar("AAPL", 3, "103")))
    assert run.state.positions["AAPL"].qty == D("10")

    # Act: the same price written with two places
    run.step(bar("AAPL", 4, "103.00"))

    # Assert: equity and exposure carry the places a fresh sum over the position has
    equity, exposure = valuation(run.state.cash, run.state.positions, run.state.markets)
    row = run.rows("account")[-1]
    assert (row[3], row[6]) == (str(equity), str(exposure)) == ("100010.00", "1030.00")
