"""Renderers: pure functions from reports to text. Only the table renderer imports rich."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sb3inspect.report.model import PolicyReport, dumps

FORMATS = ("table", "json", "markdown")


def render(report: PolicyReport, fmt: str = "table", **options: Any) -> str:
    """One report as text in ``fmt`` (``table``, ``json`` or ``markdown``)."""
    return render_many([report], fmt, **options)


def render_many(reports: Sequence[PolicyReport], fmt: str = "table", **options: Any) -> str:
    """Several reports: tables and Markdown one after another, JSON as an array (one: an object)."""
    if fmt == "json":
        data: Any = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
        return dumps(data) + "\n"
    if fmt == "markdown":
        from sb3inspect.render.markdown import render_markdown

        return "\n".join(render_markdown(r, **options) for r in reports)
    if fmt == "table":
        from sb3inspect.render.table import render_table

        return "\n".join(render_table(r, **options) for r in reports)
    from sb3inspect.errors import ConfigError

    raise ConfigError("format", f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
