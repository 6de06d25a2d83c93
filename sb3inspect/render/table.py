"""The default output: a header, one rich table per network, the totals."""

from __future__ import annotations

import io
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..report import PolicyReport
from .common import display_rows, header_lines, network_title, number, title, totals_line


def build_table(report: PolicyReport) -> RenderableType:
    """The report as a rich renderable (printed by whoever asks)."""
    parts: list[RenderableType] = []
    heading = Text(title(report), style="bold")
    if report.source:
        heading.append(f"  {report.source}", style="dim")
    parts.append(heading)
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    for label, value in header_lines(report):
        facts.add_row(label, escape(value))
    parts.append(facts)
    for network in report.networks:
        parts.append(Text(""))
        parts.append(Text(network_title(network), style="bold cyan" if not network.target else "bold"))
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
        table.add_column("layer", no_wrap=True)
        table.add_column("type", no_wrap=True)
        table.add_column("in → out", no_wrap=True)
        table.add_column("weight")
        table.add_column("bias")
        table.add_column("params", justify="right", no_wrap=True)
        table.add_column("", style="dim", no_wrap=True)
        for row in display_rows(network):
            table.add_row(
                escape(row.path), escape(row.type), row.io, row.weight, row.bias, number(row.params), " ".join(row.flags)
            )
        table.add_row("", "", "", "", "total", number(network.params), "", style="bold")
        parts.append(table)
    parts.append(Text(""))
    parts.append(Text("totals  ", style="bold") + Text(totals_line(report)))
    for note in report.notes:
        parts.append(Text(f"note    {note}", style="dim"))
    return Group(*parts)


def render_table(report: PolicyReport, *, width: int = 100, color: bool = False, **_: Any) -> str:
    """The table as plain text (no colour unless asked), ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system="truecolor" if color else None,
                      force_terminal=color, highlight=False, soft_wrap=False)
    console.print(build_table(report))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
