"""The strategy protocol: what the core asks of a strategy, and the base class that meets it.

A strategy is an object the shell loads and hands to the reducer. The reducer rolls, for every
symbol, the windows the strategy declared (``window`` closes, ``highs`` highs and ``lows`` lows,
and one rolling sum of the last n closes per n in ``sums``), and after each live bar calls
``decide(markets, symbol)``: ``markets`` is a read-only mapping of symbol -> ``Market`` (its
mark, those windows, and ``signal``, the target it holds now), ``symbol`` the one whose bar
just closed. It returns the targets that move, symbol -> ``Decimal`` or ``int`` in [-1, 1]
(a fraction of the sizing: 1 is a full long, -1 a full short, 0 flat); an empty mapping or
None moves nothing.

Rules, so that a replay of the journal makes the same decisions and a snapshot holds all a
strategy knows: ``decide`` is pure and deterministic (no I/O, no clock, no unseeded
randomness, no state kept between calls but the declared windows and ``signal``), and its
arithmetic is exact (``Decimal``, never ``float``). A strategy that raises or returns
something else halts the session with the cause ``strategy`` (see docs/STRATEGIES.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from logos.core.state import Market
from logos.core.strategy_params import Param, StrategyError, resolve

Targets = Mapping[str, Decimal | int]
# Attributes the reducer or the shell reads: a parameter of the same name would hide one.
RESERVED = frozenset({"name", "window", "sums", "highs", "lows", "decide", "setup", "check_symbols", "values", "parameters"})


class Strategy:
    """Base class of every strategy, the built-ins included.

    Declare parameters as class attributes (``fast = IntParam(10, low=1, help=...)``): the
    class collects them into ``parameters``, and an instance has each as a plain value
    (``self.fast``). Override ``setup`` to check them against each other and set the windows,
    and ``decide`` to trade.
    """

    name: ClassVar[str] = ""  # how listings and messages call it; the class name when empty
    parameters: ClassVar[tuple[Param, ...]] = ()
    window: int = 1  # closes kept per symbol (the newest last)
    sums: tuple[int, ...] = ()  # a rolling sum of the last n closes per n (each n <= window)
    highs: int = 0  # bar highs kept per symbol; 0 keeps none and costs nothing
    lows: int = 0  # bar lows kept per symbol

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__
        declared = {param.name: param for param in cls.parameters}  # the inherited ones
        own = {key: value for key, value in vars(cls).items() if isinstance(value, Param)}
        clash = sorted(set(own) & RESERVED)
        if clash:
            raise TypeError(f"{cls.__name__}: a parameter may not be called {clash[0]!r}, the strategy protocol uses that name")
        for key in own:
            # The declaration moves to ``parameters``: an instance attribute that shadows a class
            # attribute is looked up the slow way on every read, and decide reads them every bar.
            delattr(cls, key)
        cls.parameters = tuple({**declared, **own}.values())

    def __init__(self, **given: Any) -> None:
        """Set every parameter (``given`` ones checked, the rest at their defaults), then ``setup``."""
        for name, value in resolve(self.parameters, given, self.name).items():
            setattr(self, name, value)
        self.setup()
        problem = windows_problem(self)
        if problem:
            raise StrategyError(f"{self.name}: {problem}")

    def setup(self) -> None:
        """Check the parameters against each other (raise ``StrategyError``) and set the windows."""

    def check_symbols(self, symbols: tuple[str, ...]) -> None:
        """Raise ``StrategyError`` saying why, when the session's symbols do not suit it."""

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        """Return the targets that move after ``symbol``'s bar closed; the others keep theirs."""
        raise NotImplementedError(f"{type(self).__name__} does not define decide(markets, symbol)")

    def values(self) -> tuple[tuple[str, str], ...]:
        """Every parameter and the JSON text of its value, as the session records them."""
        return tuple((param.name, param.text(getattr(self, param.name))) for param in self.parameters)


def windows_problem(strategy: Strategy) -> str | None:
    """Say what is wrong with the windows a strategy declared (None: they can be rolled)."""
    window, sums, highs, lows = strategy.window, strategy.sums, strategy.highs, strategy.lows
    if type(window) is not int or window < 1:
        return f"window must be a whole number of at least 1 (closes kept per symbol), got {window!r}"
    for count, what in ((highs, "highs"), (lows, "lows")):
        if type(count) is not int or count < 0:
            return f"{what} must be a whole number of at least 0, got {count!r}"
    if type(sums) is not tuple or not all(type(n) is int and 1 <= n <= window for n in sums):
        return f"sums must be a tuple of whole numbers from 1 to window ({window}), got {sums!r}"
    return None


def targets_problem(targets: Any, symbols: Mapping[str, Any]) -> str | None:
    """Say what is wrong with what ``decide`` returned (None: it is a mapping of valid targets)."""
    # Every move is checked: a dict and an int are asked about first, as they are the usual answer.
    if type(targets) is not dict and not isinstance(targets, Mapping):
        return f"decide returned {type(targets).__name__} {targets!r}, not a mapping of symbol to target"
    for symbol, target in targets.items():
        if symbol not in symbols:
            return f"decide returned a target for {symbol!r}, which the session does not trade"
        kind = type(target)
        if kind is int:
            if -1 <= target <= 1:
                continue
        elif kind is Decimal and target.is_finite() and -1 <= target <= 1:
            continue
        return f"decide returned {kind.__name__} {target!r} for {symbol}; a target is a Decimal or an int in [-1, 1]"
    return None
