"""Stage 5, render: pure functions from reports (and diffs) to text. Only table and diff import rich.

Importing this package registers the formats with ``report.formats``, so ``report.render("table")``
and ``diff.render("json")`` work without the report stage importing this later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sb3inspect.analysis.compare import ReportDiff
from sb3inspect.errors import ConfigError
from sb3inspect.report import formats
from sb3inspect.report.model import PolicyReport, dumps

FORMATS = ("table", "json", "markdown")


def render(report: PolicyReport, fmt: str = "table", **options: Any) -> str:
    """One report as text in ``fmt`` (``table``, ``json`` or ``markdown``); JSON is an object."""
    if fmt == "json":
        return dumps(report.to_dict()) + "\n"
    return render_many([report], fmt, **options)


def render_many(reports: Sequence[PolicyReport], fmt: str = "table", **options: Any) -> str:
    """Several reports: tables and Markdown one after another, JSON as an array (of any length)."""
    if fmt == "json":
        return dumps([r.to_dict() for r in reports]) + "\n"
    if fmt == "markdown":
        from sb3inspect.render.markdown import render_markdown

        return "\n".join(render_markdown(r, **options) for r in reports)
    if fmt == "table":
        from sb3inspect.render.table import render_table

        return "\n".join(render_table(r, **options) for r in reports)
    raise ConfigError("format", f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def _render_diff(result: ReportDiff, fmt: str, **options: Any) -> str:
    if fmt == "json":
        return result.to_json() + "\n"
    from sb3inspect.render.diff import render_diff

    return render_diff(result, **options)


for _fmt in FORMATS:
    formats.register("report", _fmt, lambda report, _fmt=_fmt, **options: render(report, _fmt, **options))
for _fmt in ("table", "json"):
    formats.register("diff", _fmt, lambda result, _fmt=_fmt, **options: _render_diff(result, _fmt, **options))
