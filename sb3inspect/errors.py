"""Every error sb3inspect means a user to see.

The tree, in one place:

- ``Sb3InspectError``: base of every user-facing error; ``str()`` is a sentence to act on.
  - ``ConfigError``: a config (file, dict or CLI flags) that cannot describe an SB3 policy.
  - ``SourceError``: a path or object sb3inspect cannot read (missing file, bad zip, ...).
  - ``BuildError``: SB3 / sb3-contrib refused to build the described policy.
  - ``NetArchMismatch``: ``check_net_arch`` found a difference; also an ``AssertionError``.
  - ``MissingExtra``: an optional dependency is not installed (``sb3inspect[diagram]``'s matplotlib).

Only ``cli.py`` turns these into ``error: ...`` and exit code 2 (1 for ``NetArchMismatch``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any


class Sb3InspectError(Exception):
    """Base of every error sb3inspect raises on purpose."""


class ConfigError(Sb3InspectError):
    """A config that cannot describe an SB3 policy."""

    def __init__(self, where: str, problem: str, *, hint: str | None = None) -> None:
        self.where = where
        self.problem = problem
        self.hint = hint
        prefix = f"{where}: " if where else ""
        super().__init__(prefix + problem + (f" ({hint})" if hint else ""))


class SourceError(Sb3InspectError):
    """A source (path, zip, env id, object) that sb3inspect cannot read."""


class BuildError(Sb3InspectError):
    """SB3 or sb3-contrib refused to build the policy a config describes."""


class NetArchMismatch(Sb3InspectError, AssertionError):
    """A built policy differs from what ``check_net_arch`` expected.

    ``problems`` lists each difference as a line (expected vs built, a budget, a lint finding);
    ``report`` is the ``PolicyReport`` that was checked.
    """

    def __init__(self, message: str, *, problems: Sequence[str] = (), report: Any = None) -> None:
        super().__init__(message)
        self.problems = list(problems)
        self.report = report


class MissingExtra(Sb3InspectError):
    """An optional dependency is not installed; the message names the extra to install."""


def one_line(exc: BaseException | str, limit: int = 600) -> str:
    """An exception's message on one line, without C++ frames, cut at a word boundary past ``limit``."""
    text = str(exc).split("Exception raised from", 1)[0]
    text = " ".join(text.split()) or (type(exc).__name__ if isinstance(exc, BaseException) else "")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'ReLU'?"`` for the closest choice, matched case-insensitively."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean '{lowered[close[0]]}'?" if close else None


def one_of(choices: Iterable[str]) -> str:
    """``"one of: a, b, c"`` for error hints."""
    return "one of: " + ", ".join(choices)
