"""The default output: a header, one table per network, the totals.

Columns are laid out here from the display rows (rich's ``Table`` measures every cell and costs
~10 ms a report, which matters for a folder of configs); rich only styles and prints the lines.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from ..report import PolicyReport
from .common import display_rows, header_lines, network_title, number, title, totals_line

COLUMNS = ("layer", "type", "in → out", "weight", "bias", "params", "")
GAP = "   "


def table_lines(report: PolicyReport) -> list[Text]:
    """The report as styled lines (plain text is each line's ``.plain``)."""
    lines: list[Text] = []
    heading = Text(title(report), style="bold")
    if report.source:
        heading.append(f"  {report.source}", style="dim")
    lines.append(heading)
    facts = header_lines(report)
    label_width = max((len(label) for label, _ in facts), default=0)
    for label, value in facts:
        lines.append(Text(label.ljust(label_width), style="dim") + Text("  " + value))
    for network in report.networks:
        lines.append(Text(""))
        lines.append(Text(network_title(network), style="bold" if network.target else "bold cyan"))
        cells = [
            [row.path, row.type, row.io, row.weight, row.bias, number(row.params), " ".join(row.flags)]
            for row in display_rows(network)
        ]
        total = ["", "", "", "", "total", number(network.params), ""]
        widths = [max(len(c) for c in column) for column in zip(COLUMNS, *cells, total, strict=True)]
        body = [Text(_join(row[:-1], widths[:-1])) for row in cells]
        for line, row in zip(body, cells, strict=True):
            if row[-1]:
                line.append(GAP + row[-1], style="dim")  # params end the line, so flags line up
        footer = Text(_join(total, widths), style="bold")
        header = Text(_join(COLUMNS, widths), style="bold")
        rule = Text("─" * max(len(line.plain) for line in (header, footer, *body)))
        lines += [header, rule, *body, footer]
    lines.append(Text(""))
    lines.append(Text("totals  ", style="bold") + Text(totals_line(report)))
    for note in report.notes:
        lines.append(Text(f"note    {note}", style="dim"))
    return lines


def _join(cells: Any, widths: list[int]) -> str:
    parts = [cell.rjust(width) if index == 5 else cell.ljust(width) for index, (cell, width) in enumerate(zip(cells, widths))]
    return GAP.join(parts).rstrip()


def build_table(report: PolicyReport) -> Group:
    """The report as a rich renderable (printed by whoever asks)."""
    return Group(*table_lines(report))


def render_table(report: PolicyReport, *, color: bool = False, **_: Any) -> str:
    """The table as text; plain unless ``color`` asks for ANSI styles."""
    if not color:
        return "\n".join(line.plain for line in table_lines(report)) + "\n"
    buffer = io.StringIO()
    console = Console(file=buffer, color_system="truecolor", force_terminal=True, highlight=False, soft_wrap=True)
    console.print(build_table(report))
    return buffer.getvalue()
