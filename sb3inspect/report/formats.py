"""Where ``PolicyReport.render`` and ``ReportDiff.render`` find their renderers.

The renderers live in the render stage, which comes after the report (and after the analysis that
makes a ``ReportDiff``): it registers them here when it is imported, and ``import sb3inspect``
imports it. So a report renders itself without the report stage importing the stage after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sb3inspect.errors import ConfigError

Renderer = Callable[..., str]
_RENDERERS: dict[tuple[str, str], Renderer] = {}


def register(kind: str, fmt: str, renderer: Renderer) -> None:
    """``renderer(obj, **options) -> str`` renders a ``kind`` (``report``, ``diff``) in ``fmt``."""
    _RENDERERS[kind, fmt] = renderer


def formats(kind: str) -> list[str]:
    """The formats a ``kind`` renders in."""
    return [fmt for key, fmt in _RENDERERS if key == kind]


def render(kind: str, obj: Any, fmt: str, **options: Any) -> str:
    """``obj`` as text in ``fmt``; an unknown format is a ``ConfigError`` naming the known ones."""
    renderer = _RENDERERS.get((kind, fmt))
    if renderer is None:
        raise ConfigError("format", f"unknown format {fmt!r}", hint=f"use one of {', '.join(formats(kind))}")
    return renderer(obj, **options)
