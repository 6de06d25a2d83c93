"""The default output: a header, one table per network, the totals.

Columns are laid out here from the display rows (rich's ``Table`` measures every cell and costs
~10 ms a report, which matters for a folder of configs); rich only styles and prints the lines.
"""

from __future__ import annotations

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
    shown,
    title,
    totals_line,
)
from sb3inspect.report.model import Network, PolicyReport

COLUMNS = ("layer", "type", "in → out", "weight", "bias", "params")
GAP = "   "
RIGHT = {"params", "MACs"}


def table_lines(report: PolicyReport, *, explain: bool = False, width: int | None = None) -> list[Text]:
    """The report as styled lines (plain text is each line's ``.plain``); ``explain`` adds the arithmetic.

    ``width`` wraps the prose (header facts, notes, findings) at that many columns under a hanging
    indent; a network's table rows are as wide as their columns, and never cut.
    """
    report = shown(report)
    lines: list[Text] = []
    indents: dict[int, int] = {}
    """id(line) -> the hanging indent of a prose line; the other lines are never wrapped."""

    def prose(line: Text, indent: int = 8) -> None:
        indents[id(line)] = indent
        lines.append(line)

    safety = safety_problems(report)
    for level, text in safety:
        prose(Text(f"{level:<8}", style="bold red") + Text(text, style="red"))
    if safety:
        level = "UNSAFE" if any(kind == "UNSAFE" for kind, _ in safety) else "UNKNOWN"
        prose(Text(f"{'':<8}{SAFETY_ADVICE[level]}", style="red"))
        lines.append(Text(""))
    heading = Text(title(report), style="bold")
    if report.source:
        heading.append(f"  {report.source}", style="dim")
    lines.append(heading)
    facts = header_lines(report)
    label_width = max((len(label) for label, _ in facts), default=0)
    for label, value in facts:
        prose(Text(label.ljust(label_width), style="dim") + Text("  " + value), label_width + 2)
    for network in report.networks:
        lines += [Text(""), *_network_lines(network, explain, report)]
    lines.append(Text(""))
    prose(Text("totals  ", style="bold") + Text(totals_line(report)))
    for note in report.notes:
        prose(Text(f"note    {note}", style="dim"))
    if report.findings:
        lines.append(Text(""))
    for finding in report.findings:
        _, message, fix = finding_lines(finding)
        style = "bold red" if finding.level == "error" else "bold yellow"
        headline = f"{finding.level:<7} {finding.code} {finding.name}"  # the level lines up with "note    "
        prose(Text(headline, style=style) + Text(f" {message}"))
        prose(Text(f"        {fix}", style="green"))
    if explain:
        lines.append(Text(""))
        for note in explain_notes(report):
            prose(Text(f"why     {note}", style="dim"))
    if width is None:
        return lines
    return [part for line in lines for part in _wrapped(line, indents.get(id(line)), width)]


def _network_lines(network: Network, explain: bool, report: PolicyReport) -> list[Text]:
    """A network's title and table: header, rule, one line per display row, the total."""
    columns = COLUMNS + (("MACs", "", "how") if explain else ("",))
    cells = []
    for row in display_rows(network, report):
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
    title_line = Text(network_title(network), style="bold" if network.target else "bold cyan")
    return [title_line, header, rule, *body, footer]


def _wrapped(line: Text, indent: int | None, width: int) -> list[Text]:
    """A prose line in pieces of at most ``width`` columns, each after the first indented; other lines as they are."""
    if indent is None or len(line.plain) <= width or width <= indent + 10:
        return [line]

    head, body = line[:indent], line[indent:]
    pieces = list(body.wrap(Console(width=width), width - indent))
    for piece in pieces:
        piece.rstrip()
    return [head + pieces[0], *(Text(" " * indent) + piece for piece in pieces[1:])]


def _line(cells: Any, columns: tuple[str, ...], widths: list[int], style: str = "") -> Text:
    """One table line; the flags column (named "") is dim."""
    line = Text(style=style)
    for index, (cell, name, width) in enumerate(zip(cells, columns, widths, strict=True)):
        if index:
            line.append(GAP)
        line.append(cell.rjust(width) if name in RIGHT else cell.ljust(width), style="dim" if name == "" else "")
    line.rstrip()
    return line


def build_table(report: PolicyReport, *, explain: bool = False, width: int | None = None) -> Group:
    """The report as a rich renderable (printed by whoever asks)."""
    return Group(*table_lines(report, explain=explain, width=width))


def render_table(report: PolicyReport, *, explain: bool = False, width: int | None = None, **_: Any) -> str:
    """The table as plain text (a terminal gets ``build_table``'s styles); ``width`` wraps its prose (``table_lines``)."""
    return "\n".join(line.plain for line in table_lines(report, explain=explain, width=width)) + "\n"
