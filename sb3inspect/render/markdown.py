"""Markdown: headings and pipe tables that render on GitHub."""

from __future__ import annotations

from typing import Any

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
from sb3inspect.render.mermaid import fenced
from sb3inspect.report.model import PolicyReport


def _cell(text: str) -> str:
    """Text for a Markdown table cell or line: one line, no table breaks, no HTML, no code spans."""
    text = " ".join(str(text).split())
    for raw, safe in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("|", "\\|"),
        ("`", "\\`"),
        ("*", "\\*"),
        ("_", "\\_"),
    ):
        text = text.replace(raw, safe)
    return text


def _code(text: str) -> str:
    """A path as inline code, unless it holds a backtick (then escaped text)."""
    text = " ".join(str(text).split())
    return f"`{text.replace('|', chr(92) + '|')}`" if "`" not in text else _cell(text)


def render_markdown(report: PolicyReport, *, explain: bool = False, **_: Any) -> str:
    report = shown(report)
    lines = []
    safety = safety_problems(report)
    for level, text in safety:
        lines.append(f"> **{level}** {_cell(text)}  ")
    if safety:
        level = "UNSAFE" if any(kind == "UNSAFE" for kind, _ in safety) else "UNKNOWN"
        lines += [f"> {_cell(SAFETY_ADVICE[level])}", ""]
    lines += [f"## {_cell(title(report))}", ""]
    if report.source:
        lines += [f"Source: {_code(report.source)}", ""]
    for label, value in header_lines(report):
        lines.append(f"- **{label}**: {_cell(value)}")
    for network in report.networks:
        lines += ["", f"### {_cell(network_title(network))}", ""]
        extra_head, extra_rule = (" MACs | how |", "---:|---|") if explain else ("", "")
        lines.append(f"| layer | type | in → out | weight | bias | params |{extra_head} |")
        lines.append(f"|---|---|---|---|---|---:|{extra_rule}---|")
        for row in display_rows(network, report):
            extra = f" {'' if row.macs is None else number(row.macs)} | {_cell(row.how)} |" if explain else ""
            lines.append(
                f"| {_code(row.path)} | {_cell(row.type)} | {row.io} | {row.weight} | {row.bias} | {number(row.params)} |"
                f"{extra} {' '.join(row.flags)} |"
            )
        macs = (
            f" **{number(network.macs)}** | |" if explain and network.macs is not None else (" | |" if explain else "")
        )
        lines.append(f"| | | | | **total** | **{number(network.params)}** |{macs} |")
    lines += ["", f"**Totals**: {_cell(totals_line(report))}"]
    if report.notes:
        lines.append("")
        lines += [f"- {_cell(note)}" for note in report.notes]
    if report.findings:
        lines += ["", "### Findings", ""]
        for finding in report.findings:
            headline, message, fix = finding_lines(finding)
            lines.append(f"- **{headline}** {_cell(message)}; {_cell(fix)}")
    if explain:
        lines += ["", "**Why these numbers**", ""]
        lines += [f"- {_cell(note)}" for note in explain_notes(report)]
    lines += ["", fenced(report)]  # the picture, as a Mermaid flowchart GitHub renders
    return "\n".join(lines)
