"""Warnings caught in one thread only: ``warnings.catch_warnings`` is not safe under threads.

``catch_warnings`` swaps the process-wide ``warnings.filters`` and ``warnings.showwarning`` on enter
and puts back what it found on exit. Two threads interleaving leave one's recorder and ``always``
filter installed for good, and while either is active every thread's warnings go to it: a user's
own warnings vanish into a build's record.

``caught_warnings`` installs, once for all the threads catching at a time, one filter and one
``showwarning`` that act only in a catching thread; every other thread's warnings are filtered and
shown exactly as before. The last thread to finish takes both out again.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, cast

_LOCK = threading.Lock()
_LOCAL = threading.local()
"""``caught``: the list this thread's warnings go to, or absent where nothing is caught."""

_users = 0
"""How many ``caught_warnings`` blocks are open, in all threads."""

_shown_before: Any = None
"""``warnings.showwarning`` as it was when the first block opened: where other threads' warnings go."""


def _catching() -> bool:
    return getattr(_LOCAL, "caught", None) is not None


class _InCatchingThread:
    """A filter's message pattern that matches any warning raised in a catching thread, nothing elsewhere."""

    def match(self, text: str) -> bool:
        return _catching()


_FILTER = ("always", _InCatchingThread(), Warning, None, 0)
"""First in ``warnings.filters`` while any thread catches: a catching thread gets every warning, each time."""


def _show(message: Any, category: Any, filename: Any, lineno: Any, file: Any = None, line: Any = None) -> None:
    caught = getattr(_LOCAL, "caught", None)
    if caught is not None:
        caught.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
    else:
        _shown_before(message, category, filename, lineno, file, line)


@contextlib.contextmanager
def caught_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning this thread raises inside the block, in a list; none shown, none of another thread's."""
    caught: list[warnings.WarningMessage] = []
    outer = getattr(_LOCAL, "caught", None)
    _LOCAL.caught = caught
    _install()
    try:
        yield caught
    finally:
        _LOCAL.caught = outer
        _uninstall()


def _install() -> None:
    """Put the filter first and the recorder in place (again, if another thread's ``catch_warnings`` undid them)."""
    global _users, _shown_before
    with _LOCK:
        if not any(entry is _FILTER for entry in _filters()):
            _filters().insert(0, _FILTER)
        if warnings.showwarning is not _show:
            _shown_before, warnings.showwarning = warnings.showwarning, _show
        _users += 1
        _filters_changed()


def _uninstall() -> None:
    """The last block to close takes the filter and the recorder out."""
    global _users
    with _LOCK:
        _users -= 1
        if _users == 0:
            with contextlib.suppress(ValueError):
                _filters().remove(_FILTER)
            if warnings.showwarning is _show:
                warnings.showwarning = _shown_before
            _filters_changed()


def pass_on(caught: Iterable[warnings.WarningMessage]) -> None:
    """Raise caught warnings again in this thread, through the filters as they are now, from where they came."""
    for item in caught:
        registry = _REGISTRIES.setdefault(str(item.filename), {})
        warnings.warn_explicit(item.message, item.category, str(item.filename), int(item.lineno), registry=registry)


_REGISTRIES: dict[str, dict[Any, Any]] = {}
"""Per file, the warnings ``pass_on`` already showed: the filters' "once per location" needs a memory."""


def _filters() -> list[Any]:
    """``warnings.filters``, a list (typeshed calls it a Sequence); changed in place, one call at a time."""
    return cast("list[Any]", warnings.filters)


def _filters_changed() -> None:
    """Tell the warnings machinery its filters changed, as ``catch_warnings`` does.

    Each module remembers the warnings it already showed once, until the filters change: without
    this, a warning SB3 raised earlier in the user's own code would not reach a catching thread.
    """
    changed = getattr(warnings, "_filters_mutated", None)
    if changed is not None:
        changed()
