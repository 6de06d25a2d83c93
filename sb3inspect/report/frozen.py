"""Deeply immutable JSON values, so a report cannot change once it is made (docs/python-api.md).

``freeze`` turns lists into tuples and mappings into ``FrozenDict`` (read-only and hashable), all
the way down; ``thaw`` turns them back into fresh lists and dicts. A report stores frozen values
and ``PolicyReport.to_dict()`` hands out thawed copies, so editing what it returns never reaches
the report, and equal reports hash equal.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

JSON_LEAVES = (str, bool, int, float, type(None))


class FrozenDict(Mapping[str, Any]):
    """A read-only mapping of frozen values; equal to any mapping with the same items, like a dict."""

    __slots__ = ("_hash", "_items")

    _items: dict[str, Any]
    _hash: int | None

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "_items", {key: freeze(value) for key, value in (items or {}).items()})
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._items.items())))
        return self._hash  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"FrozenDict({self._items!r})"

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"a FrozenDict cannot be changed (setting {name!r}); to_dict() gives an editable copy")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a FrozenDict cannot be changed (deleting {name!r})")


def freeze(value: Any) -> Any:
    """``value`` with every list a tuple and every mapping a ``FrozenDict``; leaves must be JSON scalars.

    NumPy numbers become Python ``int`` / ``float`` (as ``json`` needs); anything else raises ``TypeError``,
    since a report holds only what its JSON form can say.
    """
    if isinstance(value, JSON_LEAVES):
        return value
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict(value)
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"a report holds JSON values only, not {type(value).__name__} ({value!r:.80})")


def thaw(value: Any) -> Any:
    """A fresh, editable copy of a frozen value: tuples become lists, mappings dicts."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(item) for item in value]
    return value
