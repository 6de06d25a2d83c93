"""Markdown: headings and pipe tables that render on GitHub."""

from __future__ import annotations

from typing import Any

from ..report import PolicyReport
from .common import display_rows, header_lines, network_title, number, title, totals_line


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: PolicyReport, **_: Any) -> str:
    lines = [f"## {title(report)}", ""]
    if report.source:
        lines += [f"Source: `{report.source}`", ""]
    for label, value in header_lines(report):
        lines.append(f"- **{label}**: {_cell(value)}")
    for network in report.networks:
        lines += ["", f"### {network_title(network)}", ""]
        lines.append("| layer | type | in → out | weight | bias | params | |")
        lines.append("|---|---|---|---|---|---:|---|")
        for row in display_rows(network):
            lines.append(
                f"| `{row.path}` | {_cell(row.type)} | {row.io} | {row.weight} | {row.bias} | {number(row.params)} | "
                f"{' '.join(row.flags)} |"
            )
        lines.append(f"| | | | | **total** | **{number(network.params)}** | |")
    lines += ["", f"**Totals**: {totals_line(report)}"]
    if report.notes:
        lines.append("")
        lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"
