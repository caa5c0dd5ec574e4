"""Re-derive a stretch of the journal: apply each input event, compare the facts it derives
with the facts journaled after it.

Resume runs it over the lines after the snapshot; the audit (an error path) over the whole
journal from its first line.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from logos.core.effects import AppendJournal, Stop, WriteArtifactRows
from logos.core.events import INPUTS, BarClosed, WarmupBar
from logos.core.reducer import ReducerError, reduce, reduce_events
from logos.core.state import SessionState
from logos.core.strategy import Strategy

_INPUT_TYPES = frozenset(INPUTS)
Entry = tuple[int, Any, int]  # (seq, event, byte offset of its line)


class Disagreement(Exception):
    """The journal and the replay part ways at ``seq``."""

    def __init__(self, seq: int, detail: str) -> None:
        super().__init__(f"seq {seq}: {detail}")
        self.seq = seq
        self.detail = detail


class Rederived(NamedTuple):
    state: SessionState
    rows: list[WriteArtifactRows]
    replayed: int  # input events replayed
    bars: list[tuple[int, BarClosed | WarmupBar]]  # (seq, bar) of the bars among them, warm-up ones too
    end: int  # index in ``entries`` after the last event replayed whole
    cut_offset: int | None  # where a last event whose facts the crash cut short begins


RUN = 512  # inputs re-derived in one reduce_events call when nothing disagrees


def rederive(state: SessionState, entries: list[Entry], upto_seq: int | None = None, strategy: Strategy | None = None) -> Rederived:
    """Replay ``entries`` from ``state`` with the session's ``strategy``; raise ``Disagreement``
    at the first line that differs.

    A last event with only some of its facts journaled (a crash cut it short) is left out
    and reported in ``cut_offset``. With ``upto_seq``, stop after the event that ends there.

    Inputs are re-derived a run at a time, as the session applied them (a state of
    thousands of symbols costs a copy per call, not per event); a run whose lines differ in
    any way, or that the journal ends inside, is gone over again event by event to say where.
    """
    rows: list[WriteArtifactRows] = []
    bars: list[tuple[int, BarClosed | WarmupBar]] = []
    replayed = i = 0
    while i < len(entries) and (upto_seq is None or entries[i][0] <= upto_seq):
        if upto_seq is None:
            run = _run(state, entries, i, strategy)
            if run is not None:
                state, effects, taken, used = run
                rows += [e for e in effects if type(e) is WriteArtifactRows]
                bars += [(seq, event) for seq, event, _ in entries[i : i + used] if type(event) is BarClosed or type(event) is WarmupBar]
                replayed, i = replayed + taken, i + used
                if any(type(e) is Stop for e in effects) and i < len(entries):
                    raise Disagreement(entries[i][0], f"the journal continues after the session ended at seq {entries[i - 1][0]}")
                continue
        seq, event, offset = entries[i]
        if type(event) not in _INPUT_TYPES:
            raise Disagreement(seq, f"a {type(event).__name__} fact where an input event was expected")
        try:
            new_state, effects = reduce(state, event, strategy)
        except ReducerError as exc:
            raise Disagreement(seq, f"the event does not apply to the state before it: {exc}") from None
        expected = next(e for e in effects if type(e) is AppendJournal).entries
        found = entries[i : i + len(expected)]
        if len(found) < len(expected) and i + len(found) == len(entries):
            return Rederived(state, rows, replayed, bars, i, offset)
        for (want_seq, want), (got_seq, got, _) in zip(expected, found):
            if want_seq != got_seq or want != got:
                raise Disagreement(got_seq, difference(got, want))
        rows += [e for e in effects if type(e) is WriteArtifactRows]
        if type(event) is BarClosed or type(event) is WarmupBar:
            bars.append((seq, event))
        state, replayed, i = new_state, replayed + 1, i + len(expected)
        if any(type(e) is Stop for e in effects) and i < len(entries):
            raise Disagreement(entries[i][0], f"the journal continues after the session ended at seq {expected[-1][0]}")
    return Rederived(state, rows, replayed, bars, i, None)


def _run(
    state: SessionState, entries: list[Entry], start: int, strategy: Strategy | None
) -> tuple[SessionState, tuple[Any, ...], int, int] | None:
    """Re-derive up to ``RUN`` inputs from ``entries[start]`` in one call; None unless every line
    it derives is the journal's (the caller then goes event by event)."""
    inputs: list[Any] = []
    for _, event, _ in entries[start:]:
        if type(event) in _INPUT_TYPES:
            if len(inputs) == RUN:
                break
            inputs.append(event)
    if len(inputs) < 2 or type(entries[start][1]) not in _INPUT_TYPES:
        return None
    try:
        new_state, effects, taken = reduce_events(state, inputs, 0, None, strategy)
    except ReducerError:
        return None
    expected = effects[0].entries
    found = entries[start : start + len(expected)]
    if len(found) < len(expected) or any(want != (got_seq, got) for want, (got_seq, got, _) in zip(expected, found)):
        return None
    if start + len(expected) < len(entries) and type(entries[start + len(expected)][1]) not in _INPUT_TYPES:
        return None  # the journal has a fact the run did not derive
    return new_state, effects, taken, len(expected)


def difference(journaled: Any, derived: Any) -> str:
    """Say what differs between a journaled fact and the one the replay derives."""
    if type(journaled) is not type(derived):
        return f"the journal has {type(journaled).__name__}, the replay derives {type(derived).__name__}"
    fields = [f for f, a, b in zip(journaled._fields, journaled, derived) if a != b]
    shown = ", ".join(f"{f} {getattr(journaled, f)!s} (replay: {getattr(derived, f)!s})" for f in fields[:3])
    return f"the journal's {type(journaled).__name__} differs from the replay in {shown}"
