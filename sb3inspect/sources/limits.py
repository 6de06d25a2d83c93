"""Bounds on the plain data a source may hold, checked before anything walks it.

Every reader of text (config files, rl-zoo3 files and their Python-expression strings) holds what it
read to these limits, so no later walk over the data (validation, JSON output) can be made to recurse
without end or to follow an exponential tree of YAML aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb3inspect.errors import ConfigError, SourceError

MAX_DEPTH = 64
"""Configs nest a few levels; anything past this is an error, not a recursion."""
MAX_VALUES = 100_000
"""Values a config may hold, counting every use of a YAML alias: a billion-laughs file stops here."""


def too_deep(where: str, what: str = "a config") -> SourceError:
    """The one error for data nested past what its kind can hold, whichever reader noticed (code ``too-deep``)."""
    return SourceError(where, f"nests deeper than {what} can (more than {MAX_DEPTH} levels)", code="too-deep")


def check_size(data: Any, where: str) -> None:
    """Refuse data deeper than ``MAX_DEPTH`` or with more than ``MAX_VALUES`` values, iteratively.

    YAML aliases make a small file describe an exponential tree; every later walk over the data
    (validation, JSON output) would follow it, so it is refused here, before any of them.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise SourceError(where, f"holds more than {MAX_VALUES:,} values (YAML aliases that expand exponentially?)")
        if depth > MAX_DEPTH:
            raise too_deep(where)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


MAX_INTEGER = 2**63 - 1
"""The largest whole number a config may hold: what a C long (numpy's int64, torch's sizes) holds. A
float 1e30 is fine where SB3 takes a real number; the integer 10**30 overflows numpy, and a 400-digit
one is larger than any float."""


def check_numbers(data: Any, where: str) -> None:
    """Refuse a whole number past ``MAX_INTEGER`` anywhere in ``data``, naming where it is."""
    stack: list[tuple[Any, str, int]] = [(data, where, 0)]
    while stack:
        value, at, depth = stack.pop()
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            raise ConfigError(at, number_problem(value))
        if depth >= MAX_DEPTH:
            continue
        if isinstance(value, Mapping):
            stack.extend((item, f"{at}{': ' if depth == 0 else '.'}{key}", depth + 1) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((item, f"{at}[{index}]", depth + 1) for index, item in enumerate(value))


def number_problem(value: int) -> str:
    """``a whole number of 400 digits, ...``: why an integer past ``MAX_INTEGER`` is refused."""
    digits = len(str(abs(value))) if abs(value) < 10**4000 else value.bit_length() * 3 // 10
    holds = "a float" if abs(value) > 1.7976931348623157e308 else "a 64-bit integer"
    return (
        f"a whole number of {digits:,} digits, larger than {holds} holds "
        "(write a real number as a float, e.g. 1e30; sizes and counts fit in 64 bits)"
    )
