"""A Mermaid flowchart of a report: the diagram's picture as text that GitHub renders.

It draws ``render.graph``'s structure, like ``sb3inspect diagram`` does: the observation, a
subgraph for the shared modules and one per network, a node per drawn layer, an edge where data
flows. Targets are dashed and grey; identical q-networks are one node marked ``×n``; a bare
parameter (``log_std``) is a cylinder nothing flows into.
"""

from __future__ import annotations

from sb3inspect.render.graph import INK, PALETTE, Box, Graph, Stage, build_graph, items_boxes, one_line
from sb3inspect.report.model import PolicyReport

_ESCAPES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;"), ("|", "#124;"))
"""Mermaid's entity codes: ``#`` first, so that the codes added after it stay codes."""


def mermaid(report: PolicyReport) -> str:
    """The flowchart's source (no fence): ``flowchart TB``, subgraphs, nodes, edges, styles."""
    return render_graph(build_graph(report))


def render_graph(graph: Graph) -> str:
    lines = ["flowchart TB", f"    {_node(graph.input)}"]
    for stage in graph.stages:
        lines += _subgraph(stage)
    for edge in graph.edges:
        arrow = f'-->|"{label(edge.label)}"|' if edge.label else "-->"
        lines.append(f"    {edge.src} {arrow} {edge.dst}")
    lines += _styles(graph)
    return "\n".join(lines) + "\n"


def fenced(report: PolicyReport) -> str:
    """The flowchart in a ```` ```mermaid ```` block, for Markdown."""
    return f"```mermaid\n{mermaid(report)}```\n"


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: one line; quotes, ``#``, angle brackets, backticks and ``|`` as codes."""
    text = one_line(text)
    for raw, code in _ESCAPES:
        text = text.replace(raw, code)
    return text


def _subgraph(stage: Stage) -> list[str]:
    # Mermaid does not widen a subgraph for its title: keep it short (the tables say the rest)
    lines = [f'    subgraph {stage.id}["{label(stage.short)}"]']
    lines += [f"        {_node(box)}" for box in items_boxes(stage.items)]
    return [*lines, "    end"]


def _node(box: Box) -> str:
    kind = box.type + (f" ×{box.copies}" if box.copies > 1 else "")
    text = "<br/>".join(label(line) for line in (kind, *box.detail, *((box.path,) if box.path else ())))
    if box.part == "input":
        return f'{box.id}[/"{text}"/]'
    if box.bare:
        return f'{box.id}[("{text}")]'
    return f'{box.id}["{text}"]'


def _styles(graph: Graph) -> list[str]:
    lines = []
    used: dict[str, list[str]] = {"input": [graph.input.id]}
    for stage in graph.stages:
        line, fill = PALETTE[stage.style]
        dash = ",stroke-dasharray:5 3" if stage.target else ""
        lines.append(f"    style {stage.id} fill:{fill},stroke:{line},color:{INK}{dash}")
        used.setdefault(stage.style, []).extend(box.id for box in items_boxes(stage.items))
    for style, ids in used.items():
        line, _ = PALETTE[style]
        dash = ",stroke-dasharray:5 3,color:#5f5f5f" if style == "target" else f",color:{INK}"
        lines.append(f"    classDef {style} fill:#ffffff,stroke:{line}{dash}")
        lines.append(f"    class {','.join(ids)} {style}")
    return lines
