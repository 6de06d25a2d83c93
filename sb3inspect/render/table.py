"""The default output: a header, one table per network, the totals.

Columns are laid out here from the display rows (rich's ``Table`` measures every cell and costs
~10 ms a report, which matters for a folder of configs); rich only styles and prints the lines.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console, Group
from rich.text import Text

from sb3inspect.analysis.checks import safety_problems
from sb3inspect.render.common import (
    SAFETY_ADVICE,
    display_rows,
    explain_notes,
    finding_lines,
    header_lines,
    network_title,
    number,
    title,
    totals_line,
)
from sb3inspect.report.model import PolicyReport

COLUMNS = ("layer", "type", "in → out", "weight", "bias", "params")
GAP = "   "
RIGHT = {"params", "MACs"}


def table_lines(report: PolicyReport, *, explain: bool = False) -> list[Text]:
    """The report as styled lines (plain text is each line's ``.plain``); ``explain`` adds the arithmetic."""
    lines: list[Text] = []
    safety = safety_problems(report)
    for level, text in safety:
        lines.append(Text(f"{level:<8}", style="bold red") + Text(text, style="red"))
    if safety:
        level = "UNSAFE" if any(kind == "UNSAFE" for kind, _ in safety) else "UNKNOWN"
        lines += [Text(f"{'':<8}{SAFETY_ADVICE[level]}", style="red"), Text("")]
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
        columns = COLUMNS + (("MACs", "", "how") if explain else ("",))
        cells = []
        for row in display_rows(network):
            cell = [row.path, row.type, row.io, row.weight, row.bias, number(row.params)]
            if explain:
                cell.append("" if row.macs is None else number(row.macs))
            cell.append(" ".join(row.flags))
            if explain:
                cell.append(row.how)
            cells.append(cell)
        total = ["", "", "", "", "total", number(network.params)]
        total += ["" if network.macs is None else number(network.macs), "", ""] if explain else [""]
        widths = [max(len(c) for c in column) for column in zip(columns, *cells, total, strict=True)]
        header = _line(columns, columns, widths, "bold")
        footer = _line(total, columns, widths, "bold")
        body = [_line(cell, columns, widths) for cell in cells]
        rule = Text("─" * max(len(line.plain) for line in (header, footer, *body)))
        lines += [header, rule, *body, footer]
    lines.append(Text(""))
    lines.append(Text("totals  ", style="bold") + Text(totals_line(report)))
    for note in report.notes:
        lines.append(Text(f"note    {note}", style="dim"))
    if report.findings:
        lines.append(Text(""))
    for finding in report.findings:
        _, message, fix = finding_lines(finding)
        style = "bold red" if finding.level == "error" else "bold yellow"
        headline = f"{finding.level:<7} {finding.code} {finding.name}"  # the level lines up with "note    "
        lines.append(Text(headline, style=style) + Text(f" {message}"))
        lines.append(Text(f"        {fix}", style="green"))
    if explain:
        lines.append(Text(""))
        lines += [Text(f"why     {note}", style="dim") for note in explain_notes(report)]
    return lines


def _line(cells: Any, columns: tuple[str, ...], widths: list[int], style: str = "") -> Text:
    """One table line; the flags column (named "") is dim."""
    line = Text(style=style)
    for index, (cell, name, width) in enumerate(zip(cells, columns, widths, strict=True)):
        if index:
            line.append(GAP)
        line.append(cell.rjust(width) if name in RIGHT else cell.ljust(width), style="dim" if name == "" else "")
    line.rstrip()
    return line


def build_table(report: PolicyReport, *, explain: bool = False) -> Group:
    """The report as a rich renderable (printed by whoever asks)."""
    return Group(*table_lines(report, explain=explain))


def render_table(report: PolicyReport, *, color: bool = False, explain: bool = False, **_: Any) -> str:
    """The table as text; plain unless ``color`` asks for ANSI styles."""
    if not color:
        return "\n".join(line.plain for line in table_lines(report, explain=explain)) + "\n"
    buffer = io.StringIO()
    console = Console(file=buffer, color_system="truecolor", force_terminal=True, highlight=False, soft_wrap=True)
    console.print(build_table(report, explain=explain))
    return buffer.getvalue()
