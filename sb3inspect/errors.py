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
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class Sb3InspectError(Exception):
    """Base of every error sb3inspect raises on purpose.

    Structured, so callers branch on fields, never on the sentence:

    - ``where``: what the problem is about (a file, ``file: key.path``, an env id, ``--flag``);
    - ``problem``: what is wrong, in a sentence;
    - ``hint``: what to do instead (shown in parentheses), or None;
    - ``code``: a stable kind (``too-deep``, ``not-yaml``, ``python-tag``, ``version``...) for code and
      tests to tell errors apart; each class has a default.

    ``str()`` is ``where: problem (hint)``. A single argument is a whole sentence (``where`` empty).
    """

    code: str = "error"

    def __init__(
        self, where: str, problem: str | None = None, *, hint: str | None = None, code: str | None = None
    ) -> None:
        if problem is None:
            where, problem = "", where
        self.where = where
        self.problem = problem
        self.hint = hint
        if code is not None:
            self.code = code
        prefix = f"{where}: " if where else ""
        super().__init__(prefix + problem + (f" ({hint})" if hint else ""))

    def within(self, where: str) -> Sb3InspectError:
        """The same error said about something inside ``where`` (a file's entry, an env a config names)."""
        if self.where.startswith(where):
            return self
        inner = f"{where}: {self.where}" if self.where else where
        return type(self)._rebuilt(self, inner)

    @classmethod
    def _rebuilt(cls, error: Sb3InspectError, where: str) -> Sb3InspectError:
        clone = cls.__new__(cls)
        Sb3InspectError.__init__(clone, where, error.problem, hint=error.hint, code=error.code)
        clone.__dict__.update(
            {k: v for k, v in error.__dict__.items() if k not in ("where", "problem", "hint", "code")}
        )
        return clone


class ConfigError(Sb3InspectError):
    """A config that cannot describe an SB3 policy."""

    code = "config"


class SourceError(Sb3InspectError):
    """A source (path, zip, env id, object) that sb3inspect cannot read."""

    code = "source"


class BuildError(Sb3InspectError):
    """SB3 or sb3-contrib refused to build the policy a config describes."""

    code = "build"


class NetArchMismatch(Sb3InspectError, AssertionError):
    """A built policy differs from what ``check_net_arch`` expected.

    ``problems`` lists each difference as a line (expected vs built, a budget, a lint finding);
    ``report`` is the ``PolicyReport`` that was checked.
    """

    code = "check-failed"

    def __init__(self, message: str, *, problems: Sequence[str] = (), report: Any = None) -> None:
        super().__init__(message)
        self.problems = list(problems)
        self.report = report


class MissingExtra(Sb3InspectError):
    """An optional dependency is not installed; the message names the extra to install."""

    code = "missing-extra"


def one_line(exc: BaseException | str, limit: int = 600) -> str:
    """An exception's message on one line, without C++ frames, cut at a word boundary past ``limit``.

    Safe for a terminal: whatever a file put in the message (a key, an env id) is ``printable``.
    """
    text = str(exc).split("Exception raised from", 1)[0]
    text = " ".join(text.split()) or (type(exc).__name__ if isinstance(exc, BaseException) else "")
    text = printable(text)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (ESC starts every terminal escape sequence; U+009B is a one-character CSI), DEL,
line and paragraph separators, and the Unicode bidirectional marks, embeddings, overrides and isolates
(U+202E shows ``gnp.exe`` as ``exe.png``)."""


def has_unprintable(text: str) -> bool:
    """Whether ``text`` holds a character ``printable`` would escape (``UNPRINTABLE``)."""
    return UNPRINTABLE.search(text) is not None


def printable(text: object, limit: int | None = None) -> str:
    """Text that came from a file, safe to show on a terminal or in Markdown: every control character
    and bidirectional override escaped as Python writes it (``\\x1b``, ``\\u202e``); cut past ``limit``."""
    shown = UNPRINTABLE.sub(_escape, str(text))
    if limit is not None and len(shown) > limit:
        shown = shown[: max(limit - 1, 0)] + "…"
    return shown


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def arch_text(value: object) -> str:
    """net_arch (or any nesting of lists and mappings) as a user writes it in YAML: ``[64, {pi: [32], vf: [32]}]``."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {arch_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(arch_text(v) for v in value) + "]"
    return str(value)


def dims(shape: Iterable[int]) -> str:
    """A tensor's shape as ``64×101``; ``scalar`` for the empty shape."""
    return "×".join(map(str, shape)) or "scalar"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely meant (matched case-insensitively), or None."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'ReLU'?"`` for the closest choice, or None: a hint for an error."""
    match = did_you_mean(word, choices)
    return f"did you mean {match!r}?" if match is not None else None


def one_of(choices: Iterable[str]) -> str:
    """``"one of: a, b, c"`` for error hints."""
    return "one of: " + ", ".join(choices)
