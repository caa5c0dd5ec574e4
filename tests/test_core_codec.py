"""Journal lines and snapshots: exact JSON round trips, and clear errors for malformed input."""

from __future__ import annotations

import json
import typing
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core_factories import D, T0, crypto_spec, equity_spec, make_params, walk
from logos.core.codec import JournalFormatError, decode, encode, encode_entries, event_to_dict
from logos.core.events import EVENT_TYPES, BarClosed, ClockTicked, FeedEnded, OperatorHalted, SessionResumed, SessionStarted
from logos.core.reducer import reduce
from logos.core.book import Book, Out, move
from logos.core.order_fsm import ORDER_TABLE
from logos.core.order import Order
from logos.core.state import SessionState, initial_state, spec_of
from logos.core.state_codec import FORMAT_VERSION, SnapshotFormatError, dump_state, load_state

# Finite decimals with every kind of exponent: 1.10, 1E+3, -0, 0E-8, long mantissas.
DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(lambda m, e: Decimal(m).scaleb(e), st.integers(-(10**24), 10**24), st.integers(-30, 30)),
    st.sampled_from([Decimal("-0"), Decimal("0E-8"), Decimal("1E+3"), Decimal("1.10"), Decimal("-0.00000001")]),
)
TEXT = st.one_of(st.text(), st.sampled_from(['"', "\\", 'a"b\\c', "line\nbreak", "\u2603 \U0001f4c8", "</script>", ""]))


def for_hint(hint: Any) -> st.SearchStrategy[Any]:
    """A strategy for one event field, from its type hint."""
    if hint is Decimal:
        return DECIMALS
    if hint is int:
        return st.integers()
    if hint is str:
        return TEXT
    args = typing.get_args(hint)
    if Decimal in args and type(None) in args:
        return st.none() | DECIMALS
    if typing.get_origin(hint) is tuple:
        return st.lists(TEXT, max_size=4).map(tuple)
    raise AssertionError(f"no strategy for {hint!r}: add one when an event gets a new field kind")


def events_of(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{field: for_hint(hints[field]) for field in cls._fields})


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data(), seq=st.integers(min_value=0))
def test_encode_with_any_event_decodes_to_the_same_seq_and_event(name: str, data: st.DataObject, seq: int):
    # Arrange
    event = data.draw(events_of(EVENT_TYPES[name]))

    # Act
    line = encode(seq, event)
    again = decode(line)

    # Assert: equal, with the same Decimal exponents, on one line
    assert again == (seq, event)
    assert repr(again[1]) == repr(event)
    assert "\n" not in line
    assert json.loads(line)["type"] == name


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data(), seq=st.integers(min_value=0))
def test_encode_with_any_event_writes_the_line_json_dumps_writes(name: str, data: st.DataObject, seq: int):
    # The journal's bytes are the format: the fast writers must not change one of them.
    # Arrange
    event = data.draw(events_of(EVENT_TYPES[name]))

    # Act
    line = encode(seq, event)

    # Assert
    assert line == json.dumps(event_to_dict(seq, event), separators=(",", ":"), ensure_ascii=False)


@given(entries=st.lists(st.tuples(st.integers(min_value=0), st.one_of([events_of(cls) for cls in EVENT_TYPES.values()])), max_size=6))
def test_encode_entries_with_any_run_of_events_writes_the_lines_encode_writes(entries: list[tuple[int, Any]]):
    assert encode_entries(tuple(entries)) == [encode(seq, event) for seq, event in entries]


def test_encode_with_bar_writes_decimals_as_strings():
    line = encode(3, BarClosed("EUR/USD", T0, D("1.08000"), D("1.08010"), D("1.07990"), D("1.08005"), D("1E+3"), T0 + 60))

    body = json.loads(line)

    assert body["open"] == "1.08000" and body["volume"] == "1E+3" and body["seq"] == 3


BAR = '{"seq":1,"type":"BarClosed","symbol":"AAPL","ts":60,"open":%s,"high":"1","low":"1","close":"1","volume":"1","seen":120}'
# Each malformed line, and what its error must say: the value at fault and what was expected.
MALFORMED = {
    "empty": ("", "not JSON"),
    "torn": ('{"seq":1,"type":"Clock', "not JSON"),
    "array": ("[1, 2]", "not a JSON object"),
    "no type": ('{"seq":1}', "not a Logos event: KeyError('type')"),
    "unknown type": ('{"seq":1,"type":"OrderTeleported"}', "not a Logos event: KeyError('OrderTeleported')"),
    "missing field": ('{"seq":1,"type":"ClockTicked"}', "not a Logos event: KeyError('now')"),
    "seq as text": ('{"seq":"1","type":"ClockTicked","now":5}', "seq '1' is not an integer"),
    "seq as boolean": ('{"seq":true,"type":"ClockTicked","now":5}', "seq True is not an integer"),
    "decimal not a number": (BAR % '"abc"', "not a Logos event: InvalidOperation"),
    "decimal null": (BAR % "null", "decimal None is not a string"),
    "decimal as a binary float": (BAR % "100.1", "decimal 100.1 is not a string"),
    "decimal not finite": (BAR % '"NaN"', "decimal 'NaN' is not finite"),
    "integer as text": ('{"seq":1,"type":"ClockTicked","now":"5"}', "'5' is not int"),
    "integer as float": ('{"seq":1,"type":"FeedEnded","ts":1.5}', "1.5 is not int"),
    "text as number": ('{"seq":1,"type":"OperatorHalted","ts":5,"reason":7}', "7 is not str"),
    "tuple as text": ('{"seq":1,"type":"SessionResumed","ts":5,"reset_guards":"drawdown"}', "'drawdown' is not a list of strings"),
}


@pytest.mark.parametrize(("line", "said"), MALFORMED.values(), ids=MALFORMED.keys())
def test_decode_with_malformed_line_raises_journal_format_error_naming_what_is_wrong(line: str, said: str):
    with pytest.raises(JournalFormatError) as caught:
        decode(line)
    assert said in str(caught.value)


def test_decode_with_torn_line_says_where():
    with pytest.raises(JournalFormatError, match=r"not JSON \(.* at column \d+\)"):
        decode('{"seq":1,"type":"Clock')


def test_decode_with_well_formed_lines_gives_the_events():
    assert decode('{"seq":7,"type":"ClockTicked","now":5}') == (7, ClockTicked(5))
    assert decode('{"seq":8,"type":"SessionResumed","ts":5,"reset_guards":["drawdown"]}') == (8, SessionResumed(5, ("drawdown",)))
    assert decode('{"seq":9,"type":"OperatorHalted","ts":5,"reason":"\\u2603"}') == (9, OperatorHalted(5, "\u2603"))


# --- snapshots --------------------------------------------------------------------------

SPECS = (equity_spec("AAPL"), crypto_spec("BTC/USDT"))


@st.composite
def sessions(draw: Any) -> list[Any]:
    """A session's inputs: two symbols' random walks interleaved, maybe a halt, maybe the end."""
    params = make_params(
        SPECS,
        strategy=draw(st.sampled_from(["momentum", "mean_reversion", "pairs_trading"])),
        strategy_params=None,
        sizing="notional",
        sizing_value=D("5000"),
        order_type=draw(st.sampled_from(["market", "limit"])),
        limit_ttl_bars=draw(st.integers(0, 3)),
        volume_share=D(draw(st.sampled_from(["0.1", "1"]))),
        fee_bps=D(draw(st.sampled_from(["0", "2.5"]))),
        slippage_bps=D(draw(st.sampled_from(["0", "4"]))),
    )
    if params.strategy != "momentum":
        params = params._replace(strategy_params=(("lookback", "3"), ("entry_z", '"0.5"'), ("exit_z", '"0"')))
    moves = st.lists(st.integers(-300, 300), min_size=3, max_size=25)
    paths = [draw(moves), draw(moves)]
    bars = []
    for spec, path, start in zip(SPECS, paths, (10_000, 3_000_000)):
        closes = [start]
        for step in path:
            closes.append(closes[-1] + closes[-1] * step // 10_000)
        bars += walk(spec.symbol, closes, spec.price_tick, volumes=[3, 50, 1000])
    bars.sort(key=lambda b: (b.seen, b.symbol))
    inputs: list[Any] = [SessionStarted("S", T0, 7, "cfg"), *bars]
    ending = draw(st.sampled_from(["none", "halt", "end"]))
    if ending == "halt":
        inputs.append(OperatorHalted(bars[-1].seen, "done"))
    elif ending == "end":
        inputs.append(FeedEnded(bars[-1].seen))
    return [params, inputs]


@given(session=sessions())
def test_snapshot_with_state_from_random_session_round_trips_through_json(session: list[Any]):
    params, inputs = session
    state = initial_state(params)
    for event in inputs:
        state, _ = reduce(state, event)

        text = json.dumps(dump_state(state))
        loaded = load_state(json.loads(text))

        assert loaded == state
        assert json.dumps(dump_state(loaded)) == text  # same exponents, same key order


@given(session=sessions(), data=st.data())
def test_move_and_fold_with_any_session_equal_replace(session: list[Any], data: st.DataObject):
    # move() builds its tuple by position; Book.fold() builds the state from the working
    # copy's fields: a field added to SessionState or moved in it must not slip past either.
    params, inputs = session
    state = initial_state(params)
    for event in inputs:
        state, _ = reduce(state, event)
        assert Book(state, Out(state.seq)).fold() == state
        book = Book(state, Out(state.seq))
        book.cash, book.created, book.fills = state.cash + 1, state.orders_created + 2, state.fills_applied + 3
        book.clock, book.halt_causes = state.clock + 5, ("operator",)

        folded = book.fold()

        assert folded == state._replace(
            cash=state.cash + 1, orders_created=state.orders_created + 2,
            fills_applied=state.fills_applied + 3, clock=state.clock + 5, halt_causes=("operator",),
        )
        assert type(folded) is SessionState
        for order in state.orders.values():
            trigger = data.draw(st.sampled_from([t for t in ORDER_TABLE.triggers if ORDER_TABLE.allows(order.status, t)]))
            status = ORDER_TABLE.next(order.status, trigger)
            lifecycle = order.lifecycle if status == order.status else order.lifecycle + (status,)

            moved = move(order, trigger, reason="why", filled=order.filled + 1)

            assert moved == order._replace(status=status, lifecycle=lifecycle, reason="why", filled=order.filled + 1)
            assert type(moved) is Order


def test_load_state_with_wrong_format_raises_snapshot_format_error():
    state = initial_state(make_params())
    raw = dump_state(state)

    with pytest.raises(SnapshotFormatError, match=f"not a format-{FORMAT_VERSION} Logos snapshot: it is format {FORMAT_VERSION - 1}, from another Logos version; resume it with that version, or start a new session"):
        load_state({**raw, "format": FORMAT_VERSION - 1})
    with pytest.raises(SnapshotFormatError, match=f"not a format-{FORMAT_VERSION} Logos snapshot"):
        load_state([raw])


def test_load_state_with_missing_or_mistyped_field_raises_snapshot_format_error():
    raw = json.loads(json.dumps(dump_state(initial_state(make_params()))))
    missing = {**raw, "state": {k: v for k, v in raw["state"].items() if k != "cash"}}
    mistyped = {**raw, "state": {**raw["state"], "seq": "3"}}
    bad_decimal = {**raw, "state": {**raw["state"], "cash": "lots"}}

    with pytest.raises(SnapshotFormatError, match="SessionState: missing field cash"):
        load_state(missing)
    with pytest.raises(SnapshotFormatError, match="SessionState.seq: expected int"):
        load_state(mistyped)
    with pytest.raises(SnapshotFormatError, match="SessionState"):
        load_state(bad_decimal)


@pytest.mark.parametrize(
    ("field", "value"),
    [("cash", 100.1), ("cash", "NaN"), ("cash", None), ("seq", True), ("status", None), ("peak_equity", 5)],
    ids=["decimal as a binary float", "decimal not finite", "null decimal", "int as boolean", "null text", "decimal as int"],
)
def test_load_state_with_value_of_the_wrong_json_kind_raises_snapshot_format_error(field: str, value: Any):
    raw = json.loads(json.dumps(dump_state(initial_state(make_params()))))
    raw["state"][field] = value

    with pytest.raises(SnapshotFormatError, match=f"SessionState.{field}"):
        load_state(raw)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"mark": 5}, "Market.mark: expected a finite decimal string, got 5"),
        ({"last_ts": "5"}, "Market.last_ts: expected int, got '5'"),
        ({"window": ["1", 5]}, "Market.window: expected a finite decimal string, got 5"),
        ({"sums": [None]}, "Market.sums: null where a value is required"),
        (["not", "an", "object"], "Market: expected an object, got list"),
    ],
    ids=["optional decimal", "optional int", "decimal in a window", "null in the sums", "record not an object"],
)
def test_load_state_with_a_bad_value_inside_a_market_names_the_record_and_field(change: Any, said: str):
    # A nested value at fault is named by the record and field that hold it, however deep.
    raw = json.loads(json.dumps(dump_state(initial_state(make_params()))))
    markets = raw["state"]["markets"]
    symbol = next(iter(markets))
    markets[symbol] = {**markets[symbol], **change} if isinstance(change, dict) else change

    with pytest.raises(SnapshotFormatError) as caught:
        load_state(raw)

    assert str(caught.value) == said


def test_load_state_with_null_in_an_optional_field_keeps_none():
    raw = json.loads(json.dumps(dump_state(initial_state(make_params(max_notional=None)))))

    assert load_state(raw).params.max_notional is None


def test_spec_of_with_sessions_taking_turns_returns_each_sessions_own_spec():
    # spec_of() remembers the last session's specs; another session's params must not read them.
    one = make_params([equity_spec("AAPL", price_tick=D("0.01"))])
    other = make_params([equity_spec("AAPL", price_tick=D("0.05"))])

    for params in (one, other, one, other):
        assert spec_of(params, "AAPL") == params.specs["AAPL"]
