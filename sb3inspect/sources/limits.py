"""Bounds on the plain data a source may hold, checked before anything walks it.

Every reader of text (config files, rl-zoo3 files and their Python-expression strings) holds what it
read to these limits, so no later walk over the data (validation, JSON output) can be made to recurse
without end or to follow an exponential tree of YAML aliases.
"""

from __future__ import annotations

from typing import Any

from sb3inspect.errors import SourceError

MAX_DEPTH = 64
"""Configs nest a few levels; anything past this is an error, not a recursion."""
MAX_VALUES = 100_000
"""Values a config may hold, counting every use of a YAML alias: a billion-laughs file stops here."""


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
            raise SourceError(where, f"nests deeper than a config can (more than {MAX_DEPTH} levels)")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
