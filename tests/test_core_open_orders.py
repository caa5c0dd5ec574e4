"""The state's own mappings: OpenOrders (open orders, read oldest first) and SymbolMap.

OpenOrders is checked against a plain dict on random sequences of changes: the same
contents, creation order on every read, old versions untouched by later changes, and the
snapshot form the pyrsistent map it replaced wrote (so snapshots written before still load).
SymbolMap is checked against the dict of its keys and values.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import pmap

from logos.core.open_orders import OpenOrders
from logos.core.order import Order
from logos.core.state_codec import dump, load
from logos.core.symbol_map import SymbolMap

# (True, n): put order S-n (new, or a changed copy); (False, n): discard S-n.
CHANGES = st.lists(st.tuples(st.booleans(), st.integers(1, 14)), max_size=40)


def order(n: int, filled: int = 0) -> Order:
    return Order(
        f"S-{n}", "AAPL", "buy", Decimal(10), "market", None, "accepted", Decimal(filled), filled, Decimal(0),
        Decimal(0), 1_700_000_000 + n, 0, ("initialized", "submitted", "accepted"), "",
    )


@given(changes=CHANGES)
def test_open_orders_with_any_changes_match_a_dict_and_read_oldest_first(changes: list[tuple[bool, int]]) -> None:
    orders, model, versions = OpenOrders(), {}, []
    for put, n in changes:
        # Act
        versions.append((orders, dict(model)))
        if put:
            changed = order(n, filled=len(versions))
            orders, model[changed.client_id] = orders.set(changed.client_id, changed), changed
        else:
            orders = orders.discard(f"S-{n}")
            model.pop(f"S-{n}", None)

        # Assert
        assert dict(orders.items()) == model and len(orders) == len(model) and bool(orders) == bool(model)
        assert list(orders) == sorted(model, key=lambda cid: int(cid.split("-")[1]))
        assert [o.client_id for o in orders.values()] == list(orders)
        assert orders == pmap(model) and orders == OpenOrders(model.values())
        assert all(orders[cid] == o for cid, o in model.items())
    for old, contents in versions:
        assert dict(old.items()) == contents, "a change reached an older version"


@given(numbers=st.sets(st.integers(1, 120), max_size=12))
def test_open_orders_snapshot_form_is_the_pyrsistent_maps_and_loads_back(numbers: set[int]) -> None:
    # Arrange
    orders = OpenOrders(order(n) for n in numbers)

    # Act
    raw = dump(orders)

    # Assert
    assert raw == dump(pmap({o.client_id: o for o in orders.values()})) and list(raw) == sorted(raw)
    rebuilt = OpenOrders(load(Order, item) for item in raw.values())
    assert rebuilt == orders and list(rebuilt) == list(orders)


@given(contents=st.dictionaries(st.text(max_size=6), st.integers(), min_size=1, max_size=8), absent=st.text(max_size=6))
def test_symbol_map_with_any_keys_reads_as_the_dict_of_its_keys_and_values(contents: dict[str, int], absent: str) -> None:
    # Arrange
    keys, values = tuple(contents), tuple(contents.values())

    # Act
    symbols = SymbolMap(keys, values)

    # Assert: a read-only dict, in the order of its keys
    assert dict(symbols.items()) == contents and list(symbols) == list(keys) and symbols.values() == values
    assert len(symbols) == len(contents) and all(symbols[k] == v and symbols.get(k) == v for k, v in contents.items())
    if absent not in contents:
        assert absent not in symbols and symbols.get(absent) is None and symbols.get(absent, "default") == "default"
    assert symbols == SymbolMap(keys, values) and hash(symbols) == hash(SymbolMap(keys, values))
    assert symbols != SymbolMap(keys, tuple(v + 1 for v in values)), "the same keys with other values"
    assert symbols != SymbolMap(tuple(k + "!" for k in keys), values), "the same values under other keys"
    assert SymbolMap.filled(keys, 0) == SymbolMap(keys, (0,) * len(keys))


def test_symbol_map_with_values_not_one_per_key_is_refused():
    with pytest.raises(ValueError) as caught:
        SymbolMap(("AAPL", "MSFT"), (1,))
    assert str(caught.value) == "a SymbolMap needs one value per key"
