"""A strategy handed to the reducer: fractional targets trade, a failing strategy halts cleanly."""

from __future__ import annotations

from typing import Any, Mapping

import pytest

from core_factories import D, T0, Run, bar, equity_spec, make_params
from logos.core import guards
from logos.core.effects import Stop
from logos.core.events import FeedEnded, GuardTripped, OrderCanceled, OrderSubmitted, SessionHalted, SessionResumed, StrategyChanged
from logos.core.reducer import ReducerError, reduce, resume_blockers
from logos.core.session_fsm import HALTED, MODE_HALTED, RUNNING
from logos.core.state import Market
from logos.core.state_codec import dump_state, load_state
from logos.core.strategies import Momentum
from logos.core.strategy import Strategy
from logos.core.timestamps import iso


class Scripted(Strategy):
    """Returns, on the nth live bar, what ``script[n]`` says (an exception is raised)."""

    name = "scripted"

    def __init__(self, *script: Any) -> None:
        self.script = script
        self.calls = 0
        super().__init__()

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Any:
        self.calls += 1
        answer = self.script[self.calls - 1] if self.calls <= len(self.script) else None
        if isinstance(answer, Exception):
            raise answer
        return answer


def scripted_run(*script: Any, **changes: Any) -> Run:
    return Run(make_params(strategy="scripted.py:Scripted", **changes), strategy=Scripted(*script))


def test_strategy_with_a_fractional_target_buys_that_fraction_of_the_sizing():
    run = scripted_run({"AAPL": D("0.25")})  # sizing: 10 units

    run.step(bar("AAPL", 0, "100"))

    (submitted,) = run.of(OrderSubmitted)
    assert (submitted.side, submitted.qty) == ("buy", D("2"))  # floor(2.5) lots of 1
    assert run.state.markets["AAPL"].signal == D("0.25")


def test_strategy_with_a_target_equal_to_the_one_held_moves_nothing():
    run = scripted_run({"AAPL": 1}, {"AAPL": D("1.0")})

    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "100")))

    assert len(run.of(OrderSubmitted)) == 1


def test_strategy_repeating_the_target_it_holds_leaves_the_working_order_alone():
    run = scripted_run({"AAPL": 1}, {"AAPL": 1}, volume_share=D("0.1"))  # 10 units, 1 a bar

    run.steps((bar("AAPL", 0, "100", volume="10"), bar("AAPL", 1, "100", volume="10")))

    assert len(run.of(OrderSubmitted)) == 1 and not run.of(OrderCanceled)
    assert run.state.orders["S-1"].filled == D("1")


def test_strategy_with_a_target_for_a_symbol_without_a_bar_yet_trades_it_once_it_has_one():
    # MSFT has no mark until its first bar: the target waits, and is news once MSFT is marked
    run = Run(
        make_params([equity_spec("AAPL"), equity_spec("MSFT")], strategy="scripted.py:Scripted"),
        strategy=Scripted({"MSFT": 1}, None, {"MSFT": 1}),
    )

    run.step(bar("AAPL", 0, "100"))
    assert run.of(OrderSubmitted) == [] and run.state.markets["MSFT"].signal == 0

    run.steps((bar("MSFT", 0, "50"), bar("AAPL", 1, "100")))
    assert [(s.symbol, s.side) for s in run.of(OrderSubmitted)] == [("MSFT", "buy")]


BAD = [
    (ZeroDivisionError("division by zero"), f"failed on the AAPL bar of {iso(bar('AAPL', 2, '100').ts)}: ZeroDivisionError: division by zero"),
    ({"MSFT": 1}, "decide returned a target for 'MSFT', which the session does not trade"),
    ({"AAPL": 0.5}, "decide returned float 0.5 for AAPL; a target is a Decimal or an int in [-1, 1]"),
    ({"AAPL": D("-1.5")}, "decide returned Decimal Decimal('-1.5') for AAPL"),
    (["AAPL"], "decide returned list ['AAPL'], not a mapping of symbol to target"),
    (ValueError(f"bad {object()}"), "ValueError: bad <object object>"),  # no address: a replay must say the same
]


@pytest.mark.parametrize(("answer", "said"), BAD, ids=[type(a).__name__ + str(i) for i, (a, _) in enumerate(BAD)])
def test_strategy_that_fails_halts_the_session_naming_strategy_bar_and_error(answer, said):
    # Arrange: a long position with a working order on the next bar
    run = scripted_run({"AAPL": 1}, {"AAPL": -1}, answer, volume_share=D("0.1"), sizing_value=D("20"))
    run.steps((bar("AAPL", 0, "100", volume="100"), bar("AAPL", 1, "100", volume="100")))
    assert run.state.orders, "an order is still working when the strategy fails"

    # Act
    facts = run.step(bar("AAPL", 2, "100", volume="100"))

    # Assert
    trip = next(f for f in facts if isinstance(f, GuardTripped))
    assert (trip.guard, trip.measured, trip.limit, trip.action) == (guards.STRATEGY, "failed", "-", "halt")
    assert trip.detail.startswith("strategy scripted.py:Scripted failed on the AAPL bar of ") and said in trip.detail
    assert " at 0x" not in trip.detail
    assert run.state.status == HALTED and run.state.mode == MODE_HALTED and run.state.halt_causes == (guards.STRATEGY,)
    assert facts[-1] == SessionHalted(run.state.clock, (guards.STRATEGY,)) and run.effects[-1] == Stop(HALTED)
    assert not run.state.orders and any(isinstance(f, OrderCanceled) for f in facts)
    assert len(run.rows("account")) == 3, "the failing bar still has its account row"
    assert run.state.markets["AAPL"].last_ts == bar("AAPL", 2, "100").ts, "the bar was marked before the strategy ran"


def test_strategy_returning_what_is_not_a_target_halts_naming_the_problem_as_it_was_found():
    # A problem with the answer is a sentence, not an exception: no type name goes before it.
    run = scripted_run({"AAPL": 0.5})

    facts = run.step(bar("AAPL", 0, "100"))

    (trip,) = [f for f in facts if isinstance(f, GuardTripped)]
    assert trip.detail == (
        f"strategy scripted.py:Scripted failed on the AAPL bar of {iso(bar('AAPL', 0, '100').ts)}: "
        "decide returned float 0.5 for AAPL; a target is a Decimal or an int in [-1, 1]"
    )


class Undecided(Strategy):
    """Declares no ``decide``: the base class's answers for it."""

    name = "undecided"


def test_strategy_without_decide_halts_the_session_saying_so_by_its_class_name():
    run = Run(make_params(strategy="undecided.py:Undecided"), strategy=Undecided())

    facts = run.step(bar("AAPL", 0, "100"))

    trip = next(f for f in facts if isinstance(f, GuardTripped))
    assert trip.guard == guards.STRATEGY and run.state.status == HALTED
    assert trip.detail.endswith(": NotImplementedError: Undecided does not define decide(markets, symbol)")


def test_strategy_halt_with_no_reset_blocks_the_resume_and_a_reset_runs_again():
    run = scripted_run(RuntimeError("boom"))
    run.step(bar("AAPL", 0, "100"))

    assert resume_blockers(run.state, (), False) == [
        "halted by a failure of strategy scripted.py:Scripted; fix it, then pass --reset-guard strategy"
    ]
    assert resume_blockers(run.state, (guards.STRATEGY,), False) == []
    run.step(SessionResumed(run.state.clock, (guards.STRATEGY,)))
    assert run.state.status == RUNNING
    run.step(bar("AAPL", 1, "101"))  # the script is spent: decide returns None, nothing moves
    assert run.state.status == RUNNING


def test_strategy_failure_with_the_same_inputs_replays_to_the_same_halt():
    inputs = [bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "99")]

    def play() -> list[Any]:
        run = scripted_run({"AAPL": 1}, None, KeyError("AAPL"))
        run.steps(inputs)
        return run.effects

    assert play() == play()


def test_strategy_changed_with_a_new_fingerprint_records_it_and_its_values():
    run = Run(make_params())

    run.step(StrategyChanged(T0 + 5, "ab" * 32, ("fast=1", "slow=3", "long_only=false")))

    assert run.state.params.strategy_fingerprint == "ab" * 32
    assert run.state.params.strategy_values == (("fast", "1"), ("slow", "3"), ("long_only", "false"))
    assert run.state.status == RUNNING


def test_strategy_changed_with_a_value_holding_an_equals_sign_records_the_value_whole():
    # A symbol may hold "=" (Yahoo's ES=F): only the first "=" of a value ends the name.
    run = Run(make_params())

    run.step(StrategyChanged(T0 + 5, "cd" * 32, ('symbols=["ES=F","NQ=F"]', "entry_z=2")))

    assert run.state.params.strategy_values == (("symbols", '["ES=F","NQ=F"]'), ("entry_z", "2"))


def test_strategy_changed_is_journaled_durably():
    # The operator's acceptance of changed code is written and synced at once, as a resume is.
    run = Run(make_params())
    quiet_state, (quiet, *_) = reduce(run.state, bar("AAPL", 0, "100"))

    _, (changed, *_) = reduce(quiet_state, StrategyChanged(T0 + 90, "ab" * 32, ("fast=1", "slow=3", "long_only=false")))

    assert (quiet.durable, changed.durable) == (False, True)


def test_strategy_changed_after_the_session_completed_is_refused():
    run = Run(make_params())
    run.step(bar("AAPL", 0, "100"))
    run.step(FeedEnded(T0 + 3600))

    with pytest.raises(ReducerError) as refused:
        reduce(run.state, StrategyChanged(T0 + 3601, "", ()))
    assert str(refused.value) == "StrategyChanged arrived after the session completed"


def test_reducer_with_a_strategy_object_runs_it_instead_of_the_one_the_params_name():
    # The params say momentum fast=1 slow=2; the object handed over is fast=1 slow=3.
    handed = Momentum(fast=1, slow=3)
    run = Run(make_params(), strategy=handed)
    default = Run(make_params())
    closes = ["100", "101", "102"]

    run.steps(bar("AAPL", i, c) for i, c in enumerate(closes))
    default.steps(bar("AAPL", i, c) for i, c in enumerate(closes))

    assert len(run.state.markets["AAPL"].window) == 3 and len(default.state.markets["AAPL"].window) == 2
    assert len(default.of(OrderSubmitted)) == 1 and len(run.of(OrderSubmitted)) == 1
    assert run.of(OrderSubmitted)[0].ts > default.of(OrderSubmitted)[0].ts, "slow=3 needs a third close"


def test_targets_decimal_and_int_round_trip_the_snapshot_as_they_were():
    run = scripted_run({"AAPL": D("0.50")})
    run.step(bar("AAPL", 0, "100"))
    loaded = load_state(dump_state(run.state))

    assert repr(loaded.markets["AAPL"].signal) == "Decimal('0.50')"
    other = Run(make_params())
    other.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101")))
    assert type(load_state(dump_state(other.state)).markets["AAPL"].signal) is int
