"""A bounded memo for the writers: a dict that works out each missing key's value once.

The writers keep one per thing that recurs across a library (title words, formulas,
journal names): the value must be a function of the key alone, so it cannot go stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["BoundedMemo"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedMemo(dict[K, V]):
    """``make(key)`` of each key, worked out on first use; emptied when it holds ``limit``
    keys (a library with more distinct keys than that pays only the misses)."""

    def __init__(self, make: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self.make = make
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value = self.make(key)
        return value
