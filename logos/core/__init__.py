"""The pure core of Logos.

Rules every module in this package keeps:

1. ``reduce(state, event) -> (state, effects)`` is deterministic: the same state and
   event always give the same result, so replaying the journal rebuilds the state.
2. Inputs (events, named for what happened) and outputs (effects, named for what to
   do) are separate types. The core never performs an effect itself.
3. No I/O, no clock reads, no network, no unseeded randomness. Time and ids arrive in
   events; the shell supplies them.
4. Money is exact: prices, quantities, cash and PnL are ``Decimal`` quantized to the
   symbol's precision. No binary float enters state or the journal.
5. Every state is immutable (tuples, ``NamedTuple`` records, pyrsistent maps); a handler
   returns a new state and never mutates the old one.
"""
