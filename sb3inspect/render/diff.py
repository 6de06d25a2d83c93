"""``sb3inspect diff`` as text: what differs, network by network, with the parameter deltas."""

from __future__ import annotations

import io as _io
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sb3inspect.analysis.checks import safety_problems
from sb3inspect.analysis.compare import NetworkDiff, ReportDiff
from sb3inspect.errors import arch_text, dims
from sb3inspect.render.common import io, number, shown, title
from sb3inspect.report.model import Layer
from sb3inspect.sources.spaces import short


def render_diff(result: ReportDiff, *, width: int | None = 100, **_: Any) -> str:
    """The diff as plain text, ``width`` columns wide."""
    buffer = _io.StringIO()
    console = Console(file=buffer, width=width or 100, color_system=None, highlight=False, soft_wrap=False)
    console.print(build_diff(result))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def build_diff(result: ReportDiff) -> RenderableType:
    """A rich renderable: both sources, the facts that differ, each network's changes, the totals."""
    result = shown(result)
    parts: list[RenderableType] = []
    for label, report in (("A", result.a), ("B", result.b)):
        for level, text in safety_problems(report):
            parts.append(Text(f"{level:<8}", style="bold red") + Text(f"{label}: {text}", style="red"))
    if parts:
        parts.append(Text(""))
    sources = Table.grid(padding=(0, 2))
    for label, report in (("A", result.a), ("B", result.b)):
        sources.add_row(Text(label, style="bold"), escape(report.source or "?"), Text(title(report), style="dim"))
    parts.append(sources)
    if result.facts:
        facts = Table.grid(padding=(0, 2))
        for name, a, b in result.facts:
            facts.add_row(Text(name, style="dim"), escape(f"{_fact(a)}  →  {_fact(b)}"))
        parts += [Text(""), facts]
    for network in result.networks:
        parts += [Text(""), Text(network_line(network), style="bold" if network.status != "same" else "")]
        if network.changes and network.before is not None and network.after is not None:
            parts.append(_changes_table(network))
    parts += [Text(""), Text("totals  ", style="bold") + Text(_totals(result))]
    verdict = "same architecture: every network, layer and size matches" if result.same else "the architectures differ"
    if result.same and result.facts:
        verdict += " (the settings above differ)"
    parts.append(Text(verdict, style="bold green" if result.same else "bold yellow"))
    return Group(*parts)


def network_line(network: NetworkDiff) -> str:
    """``pi · 10,948 → 19,204 params (+8,256) · hidden [64, 64] → [128, 64]``; ``vf · same · ...``."""
    before, after = network.before, network.after
    if before is None and after is not None:
        return f"{network.name} · only in B (added) · {number(after.params)} params · hidden {list(after.hidden_sizes)}"
    if after is None and before is not None:
        return f"{network.name} · only in A (removed) · {number(before.params)} params · hidden {list(before.hidden_sizes)}"
    if before is None or after is None:
        raise ValueError(f"network diff {network.name!r} has neither side")
    if network.status == "same":
        return f"{network.name} · same · {number(before.params)} params · hidden {list(before.hidden_sizes)}"
    text = f"{network.name} · {_change(before.params, after.params)}"
    if before.hidden_sizes != after.hidden_sizes:
        text += f" · hidden {list(before.hidden_sizes)} → {list(after.hidden_sizes)}"
    return text


def _changes_table(network: NetworkDiff) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 1))
    table.add_column("change", no_wrap=True)
    table.add_column("layer", no_wrap=True)
    table.add_column("A")
    table.add_column("B")
    table.add_column("params", justify="right", no_wrap=True)
    for change in network.changes:
        moved = any(layer is not None and layer.params for layer in (change.before, change.after))
        table.add_row(
            change.change,
            escape(change.path),
            escape(layer_text(change.before)),
            escape(layer_text(change.after)),
            f"{change.params_delta:+,}" if moved else "",
        )
    return table


def layer_text(layer: Layer | None) -> str:
    """``Linear 101 → 64``, ``Parameter 3``, ``BatchNorm1d 400 (frozen)``; ``-`` for no layer."""
    if layer is None:
        return "-"
    text = layer.type
    sizes = (
        io(layer)
        or (dims(layer.shape) if layer.shape is not None else "")
        or (dims(layer.param_shapes[0][1]) if layer.param_shapes else "")
    )
    if sizes:
        text += f" {sizes}"
    if layer.params and layer.trainable is False:
        text += " (frozen)"
    return text


def _change(before: int, after: int) -> str:
    return f"{number(before)} → {number(after)} params ({after - before:+,})"


def _totals(result: ReportDiff) -> str:
    a, b = result.a.totals, result.b.totals
    text = _change(a.params, b.params) if a.params != b.params else f"{number(a.params)} params, unchanged"
    if a.trainable_params != b.trainable_params:
        text += f" · trainable {number(a.trainable_params)} → {number(b.trainable_params)}"
    return text


def _fact(value: Any) -> str:
    if isinstance(value, Mapping) and "type" in value:
        return short(value)
    if isinstance(value, Mapping) and "class" in value:  # features extractor
        text = str(value["class"])
        if "features_dim" in value:
            text += f" → {number(value['features_dim'])} features"
        if "shared" in value:
            text += ", shared" if value["shared"] else ", one per network"
        return text
    if isinstance(value, Mapping) and "optimizer" in value:  # an optimizer's class and options
        options = [f"{key} {number(option)}" for key, option in value.items() if key != "optimizer"]
        return " ".join([str(value["optimizer"]), ", ".join(options)]).strip()
    if isinstance(value, Mapping) and "kind" in value:  # action distribution
        return str(value.get("distribution") or value["kind"])
    if isinstance(value, (Mapping, tuple)):
        return arch_text(value)
    return str(value)
