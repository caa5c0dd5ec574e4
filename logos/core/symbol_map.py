"""A persistent map over a session's fixed symbols: a tuple plus a shared index.

A session never adds or drops a symbol, so per-symbol state does not need a hash trie:
reading is one dict lookup and one tuple index. On the per-bar path this is about 5x cheaper
than ``pmap``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Generic, TypeVar

V = TypeVar("V")


@lru_cache(maxsize=64)
def _index(keys: tuple[str, ...]) -> dict[str, int]:
    return {key: i for i, key in enumerate(keys)}


class SymbolMap(Mapping[str, V], Generic[V]):
    """An immutable mapping whose keys are fixed at creation."""

    __slots__ = ("keys_", "values_", "_at")

    def __init__(self, keys: tuple[str, ...], values: tuple[V, ...]) -> None:
        if len(keys) != len(values):
            raise ValueError("a SymbolMap needs one value per key")
        self.keys_ = keys
        self.values_ = values
        self._at = _index(keys)

    @classmethod
    def filled(cls, keys: tuple[str, ...], value: V) -> SymbolMap[V]:
        return cls(keys, (value,) * len(keys))

    def __getitem__(self, key: str) -> V:
        return self.values_[self._at[key]]

    def get(self, key: str, default: Any = None) -> Any:
        at = self._at.get(key)
        return default if at is None else self.values_[at]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)

    def items(self) -> Iterator[tuple[str, V]]:  # type: ignore[override]
        return zip(self.keys_, self.values_)

    def values(self) -> tuple[V, ...]:  # type: ignore[override]
        return self.values_

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SymbolMap):
            return self.keys_ == other.keys_ and self.values_ == other.values_
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.keys_, self.values_))

    def __repr__(self) -> str:
        return f"SymbolMap({dict(self.items())!r})"
