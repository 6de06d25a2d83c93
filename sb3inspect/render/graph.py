"""The picture of a report before any drawing: boxes, lanes, framed stages and the edges between them.

The diagram (SVG/PNG/PDF, ``sb3inspect.diagram``) and the Mermaid flowchart in Markdown
(``render.mermaid``) both draw this one structure, so the two pictures cannot disagree. It knows
SB3's shapes where a flat list of layers would mislead:

- a layer that several networks share (a shared features extractor or LSTM) is drawn once, in a
  shared stage that feeds every network using it (TD3 with ``share_features_extractor`` has two:
  the actor's and critic's, and their targets');
- parallel paths sit side by side in ``Lanes``: the keys of a ``CombinedExtractor`` (joined again by a
  concatenation box), a critic's q-networks ``qf0``, ``qf1``, ... (identical ones drawn once, with
  ``copies``), and a network's heads (``action_net`` beside ``log_std``, ``mu`` beside ``log_std``);
- a bare parameter (``log_std`` of PPO) is a box nothing flows into;
- a critic's q-networks take the features concatenated with the action: their input edge says so.

Pure data, no torch and no drawing library.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sb3inspect import catalog
from sb3inspect.analysis.checks import safety_problems
from sb3inspect.errors import UNPRINTABLE, dims
from sb3inspect.render.answers import copy_kind
from sb3inspect.render.common import (
    MACS_NOTE,
    Row,
    display_rows,
    finding_lines,
    header_lines,
    number,
    shown,
    title,
    totals_line,
)
from sb3inspect.report.model import Layer, Network, PolicyReport
from sb3inspect.sources.spaces import short

ACTION_INPUT = "⊕ action"
"""The label of the edge into a critic's q-networks: they read features and action, concatenated."""


@dataclass(frozen=True, slots=True)
class Box:
    """One drawn layer (a display row, its activation folded in), the observation, or a concatenation."""

    id: str
    """Unique within the graph, safe as a Mermaid node id."""
    type: str
    """First line: ``Linear + Tanh``, ``Conv2d 8×8 s4/4 + ReLU``, ``observation``."""
    detail: tuple[str, ...]
    """Lines under the type: ``("101 → 64 · 6,528 params",)``; one per key for a Dict observation."""
    path: str = ""
    """Where the module lives in the policy (``qf{0,1}`` stands for identical q-networks drawn once)."""
    part: str = "body"
    bare: bool = False
    """A bare parameter (``log_std``): nothing flows into it."""
    copies: int = 1
    """Identical parallel modules this box stands for (a critic's ``n_critics`` q-networks)."""


@dataclass(frozen=True, slots=True)
class Lane:
    """One of several paths side by side."""

    label: str
    """``camera`` (a Dict key), or empty (heads, a stack of identical q-networks)."""
    boxes: tuple[Box, ...]


@dataclass(frozen=True, slots=True)
class Lanes:
    """Paths side by side: a CombinedExtractor's keys, a critic's q-networks, a network's heads."""

    lanes: tuple[Lane, ...]
    note: str = ""
    """What the lanes stand for when that is not visible: ``qf0, qf1: 2 identical q-networks``."""


Item = Box | Lanes


@dataclass(frozen=True, slots=True)
class Stage:
    """A framed group of items: the shared modules, or one network."""

    id: str
    name: str
    """``pi``, ``critic_target``, ``shared``."""
    caption: tuple[str, ...]
    """Lines under the name: role and parameter count, what a target copies, the extractor's class."""
    style: str
    """Palette key: ``shared``, ``policy`` (policy/actor), ``value`` (value/critic/Q), ``target`` or ``other``."""
    items: tuple[Item, ...]
    target: bool = False
    short: str = ""
    """A one-line title for narrow places (Mermaid subgraphs): ``pi · 10,948 params``, ``critic_target · Polyak copy``."""
    feeds: tuple[str, ...] = ()
    """A shared stage: the ids of the network stages it feeds."""


@dataclass(frozen=True, slots=True)
class Edge:
    """Data flows from box ``src`` to box ``dst``."""

    src: str
    dst: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Graph:
    title: str
    facts: tuple[tuple[str, str], ...]
    """The report's header lines (observation, action, net_arch, activation, features)."""
    input: Box
    shared: tuple[Stage, ...]
    """The shared stages, each feeding the networks that share its modules."""
    columns: tuple[Stage, ...]
    """One per network: those each shared stage feeds next to each other, in the shared stages' order, then the rest."""
    edges: tuple[Edge, ...]
    totals: str
    findings: tuple[tuple[str, ...], ...]
    """Lint findings, each as its parts: (``error NA001 qf-key-on-policy``, ``at ...: ...``, ``fix: ...``)."""
    notes: tuple[str, ...]

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self.shared + self.columns

    def boxes(self) -> list[Box]:
        """Every box, the observation first, in drawing order."""
        return [self.input] + [box for stage in self.stages for box in items_boxes(stage.items)]


SAFETY_LABELS = ("UNSAFE", "UNKNOWN")
"""Labels of a saved model's safety findings among a graph's facts (drawn first, as alerts)."""
INK = "#1f1f1f"
PALETTE = {  # stage style -> (line colour, frame fill): Okabe-Ito hues, told apart by colour-blind readers too
    "shared": ("#009E73", "#e7f5ef"),
    "policy": ("#0072B2", "#e8f1f9"),
    "value": ("#D55E00", "#fcefe6"),
    "target": ("#8a8a8a", "#f5f5f5"),
    "other": ("#7a5d96", "#f2eef6"),
    "input": ("#4d4d4d", "#ffffff"),
}
STYLES = {
    "policy": "policy",
    "actor": "policy",
    "value": "value",
    "critic": "value",
    "q_value": "value",
    "quantile": "value",
}
_CONTAINERS = frozenset({"Sequential", "ModuleList", "ModuleDict"})
_GROUPED = re.compile(r"\d{4,}")  # widths in the boxes get thousands separators: 16,384 → 16,384
_QF = re.compile(r"(?:^|\.)(qf\d+)\.")
_EXTRACTOR_KEY = re.compile(r"\.extractors\.([^.]+)")


def build_graph(report: PolicyReport) -> Graph:
    """The picture of ``report``: what to draw and what connects to what."""
    report = shown(report)
    ids = (f"n{index}" for index in itertools.count())
    obs_box = Box(next(ids), "observation", _space_lines(report.observation_space), part="input")
    groups = _shared_groups(report)
    order = [n for users in groups for n in report.networks if n.name in users]
    order += [n for n in report.networks if n not in order]
    shared = tuple(_shared_stage(report, users, rows, index, ids) for index, (users, rows) in enumerate(groups.items()))
    columns = tuple(_column(network, report, ids) for network in order)
    edges: list[Edge] = []
    entries = {column.name: [obs_box.id] for column in columns}
    for stage, users in zip(shared, groups, strict=True):
        ends = _chain_edges(stage.items, [obs_box.id], edges)
        entries.update({name: ends for name in users})
    for network, column in zip(order, columns, strict=True):
        _chain_edges(column.items, entries[network.name], edges, action_input=network.role == "critic")
    facts = tuple((level, one_line(text)) for level, text in safety_problems(report))  # first: loading it runs code
    facts += tuple(
        (label, one_line(value)) for label, value in header_lines(report) if label not in _NOT_DRAWN
    )  # the top box
    findings = tuple(tuple(one_line(part) for part in finding_lines(finding)) for finding in report.findings)
    macs = (MACS_NOTE,) if any(network.macs is not None for network in report.networks) else ()
    return Graph(
        one_line(title(report)),
        facts,
        obs_box,
        shared,
        columns,
        tuple(edges),
        totals_line(report),
        findings,
        tuple(one_line(note) for note in report.notes) + macs,
    )


_NOT_DRAWN = ("observation", "settings", "optimizer", "optimizers", "targets", "training", "hyperparams")
"""Header lines the picture leaves to the tables: the observation has its own box, training facts are no structure."""


_UNPRINTABLE_RUN = re.compile(f"{UNPRINTABLE.pattern}+")


def one_line(text: str) -> str:
    """Text for one line of a picture: a run of control characters left (a line break, a tab) becomes a space."""
    return _UNPRINTABLE_RUN.sub(" ", str(text))


def items_boxes(items: tuple[Item, ...]) -> list[Box]:
    """The boxes of a chain of items, lanes left to right."""
    out: list[Box] = []
    for item in items:
        out += [item] if isinstance(item, Box) else [box for lane in item.lanes for box in lane.boxes]
    return out


def _space_lines(space: Mapping[str, Any]) -> tuple[str, ...]:
    if space.get("type") == "Dict":
        return tuple(one_line(f"{key}: {short(value)}") for key, value in space["spaces"].items())
    return (one_line(short(space)),)


def _rows(network: Network, *, shared: bool) -> list[tuple[Row, Layer]]:
    """Display rows with their first layer, keeping shared rows only (or only the others)."""
    layers = {layer.path: layer for layer in network.layers}
    return [(row, layers[row.path]) for row in display_rows(network) if layers[row.path].shared == shared]


def _shared_groups(report: PolicyReport) -> dict[tuple[str, ...], list[tuple[Row, Layer]]]:
    """Shared rows once each, grouped by the networks that share them, in the order networks list them."""
    users: dict[str, list[str]] = {}
    first: dict[str, tuple[Row, Layer]] = {}
    for network in report.networks:
        for row, layer in _rows(network, shared=True):
            users.setdefault(row.path, []).append(network.name)
            first.setdefault(row.path, (row, layer))
    groups: dict[tuple[str, ...], list[tuple[Row, Layer]]] = {}
    for path, pair in first.items():
        groups.setdefault(tuple(users[path]), []).append(pair)
    return groups


def _shared_stage(
    report: PolicyReport, users: tuple[str, ...], rows: list[tuple[Row, Layer]], index: int, ids: Iterator[str]
) -> Stage:
    """A frame for modules several networks share: what they are, who shares them, their parameters once."""
    parts = {layer.part for _, layer in rows}
    what = (
        "shared features extractor"
        if parts <= {"features_extractor"}
        else "shared LSTM"
        if parts <= {"lstm"}
        else "shared features extractor and LSTM"
    )
    extractor = report.features_extractor or {}
    lines = []
    if "class" in extractor and "features_extractor" in parts:
        dim = f" → {number(extractor['features_dim'])} features" if "features_dim" in extractor else ""
        lines.append(f"{extractor['class']}{dim}")
    params = sum(row.params for row, _ in rows)
    lines.append(f"shared by {_and(list(users))} · {number(params)} params" + (", counted once" if params else ""))
    targets = {n.name for n in report.networks if n.target}
    target = set(users) <= targets
    return Stage(
        "shared" if index == 0 else f"shared_{index + 1}",
        what,
        tuple(map(one_line, lines)),
        "target" if target else "shared",
        _items(rows, ids, report=report),
        target=target,
        short=what,
        feeds=tuple(_stage_id(name) for name in users),
    )


def _column(network: Network, report: PolicyReport, ids: Iterator[str]) -> Stage:
    """One network's frame: its rows that no other network shares."""
    items = _items(_rows(network, shared=False), ids, report=report)
    notes = tuple(item.note for item in items if isinstance(item, Lanes) and item.note)
    style = "target" if network.target else STYLES.get(network.role, "other")
    short = f"{network.name} · " + (
        copy_kind(report, network.name) if network.target else f"{number(network.params)} params"
    )
    return Stage(
        _stage_id(network.name),
        one_line(network.name),
        tuple(map(one_line, _caption(network, report) + notes)),
        style,
        items,
        target=network.target,
        short=one_line(short),
    )


def _caption(network: Network, report: PolicyReport) -> tuple[str, ...]:
    counts = f"{number(network.params)} params"
    if network.macs is not None:
        counts += f" · {number(network.macs)} MACs"
    if network.target:
        source = network.name.removesuffix("_target")
        copied = source if source != network.name and source in report.names else "its network"
        return (f"target: {copy_kind(report, network.name)} of {copied}", counts + ", not trained")
    role = catalog.ROLE_TITLES.get(network.role, network.role)
    if network.trainable_params != network.params:
        counts += f" ({number(network.trainable_params)} trainable)"
    return (counts,) if role == network.name else (role, counts)


def _items(rows: list[tuple[Row, Layer]], ids: Iterator[str], *, report: PolicyReport) -> tuple[Item, ...]:
    """Rows as a chain: runs of q-network or Dict-key rows become lanes, heads sit side by side."""
    items: list[Item] = []
    index = 0
    while index < len(rows):
        row, layer = rows[index]
        _, kind = _lane_key(layer)
        if kind is None:
            items.append(_box(row, layer, ids))
            index += 1
            continue
        run: dict[str, list[tuple[Row, Layer]]] = {}
        while index < len(rows) and _lane_key(rows[index][1])[1] == kind:
            run.setdefault(_lane_key(rows[index][1])[0], []).append(rows[index])
            index += 1
        items += _lanes(run, kind, ids)
        if kind == "extractor":
            items.append(_concatenation(run, report, ids))
    return tuple(items)


def _concatenation(run: dict[str, list[tuple[Row, Layer]]], report: PolicyReport, ids: Iterator[str]) -> Box:
    """Where a CombinedExtractor's keys meet: ``128 + 9 → 137 features`` when every key's width is known."""
    widths = [width for rows in run.values() if (width := _width(rows[-1][1])) is not None]
    complete = len(widths) == len(run)
    dim = (report.features_extractor or {}).get("features_dim", sum(widths) if complete else None)
    parts = " + ".join(map(number, widths)) + " " if complete else ""
    detail = f"{parts}→ {number(dim)} features" if dim is not None else ""
    return Box(next(ids), "concatenate", (detail,) if detail else (), part="features_extractor")


def _width(layer: Layer) -> int | None:
    """The number of features a layer puts out, when the report knows it."""
    if layer.out_features is not None:
        return layer.out_features
    if layer.output_shape is not None and len(layer.output_shape) == 1:
        return layer.output_shape[0]
    return None


def _lane_key(layer: Layer) -> tuple[str, str | None]:
    """(lane, kind of lanes) for a layer that sits in parallel with others, else ("", None)."""
    if match := _EXTRACTOR_KEY.search(layer.path):
        return match.group(1), "extractor"
    if match := _QF.search(layer.path):
        return match.group(1), "qf"
    if layer.part == "head":
        return re.sub(r"\.\d+$", "", layer.path), "head"
    return "", None


def _lanes(run: dict[str, list[tuple[Row, Layer]]], kind: str, ids: Iterator[str]) -> list[Item]:
    """A run of parallel rows as lanes; one q-network or one head stays a plain chain."""
    keys = list(run)
    if len(keys) == 1 and kind != "extractor":
        return [_box(row, layer, ids) for row, layer in run[keys[0]]]
    if kind == "qf" and len(keys) > 1 and len({_signature(rows) for rows in run.values()}) == 1:
        # identical q-networks: one lane stands for all of them
        names = ", ".join(keys) if len(keys) <= 3 else f"{keys[0]} … {keys[-1]}"
        numbers = [key.removeprefix("qf") for key in keys]
        pattern = "qf{" + (",".join(numbers) if len(keys) <= 3 else f"{numbers[0]}..{numbers[-1]}") + "}"
        boxes = tuple(
            _box(row, layer, ids, copies=len(keys), path=layer.path.replace(keys[0], pattern, 1))
            for row, layer in run[keys[0]]
        )
        return [Lanes((Lane("", boxes),), note=f"{names}: {len(keys)} identical q-networks")]
    return [
        Lanes(
            tuple(
                Lane("" if kind == "head" else one_line(key), tuple(_box(row, layer, ids) for row, layer in rows))
                for key, rows in run.items()
            )
        )
    ]


def _signature(rows: list[tuple[Row, Layer]]) -> tuple[tuple[str, str, int], ...]:
    return tuple((row.type, row.io, row.params) for row, _ in rows)


def _box(row: Row, layer: Layer, ids: Iterator[str], *, copies: int = 1, path: str | None = None) -> Box:
    kind, io = row.type, _GROUPED.sub(lambda m: number(int(m.group())), row.io)
    if layer.type in _CONTAINERS and not layer.params:
        kind, io = f"{layer.type} (empty)", "identity"
    if layer.type == "Parameter" and layer.shape is not None:
        io = f"shape {dims(layer.shape)}"
    params = f"{number(row.params)} params" + (" each" if copies > 1 else "")
    flags = [flag for flag in row.flags if flag != "shared"]  # a shared box sits in the shared stage
    detail = " · ".join(part for part in (io, params, *flags) if part)
    return Box(
        next(ids),
        one_line(kind),
        (one_line(detail),),
        one_line(path if path is not None else row.path),
        layer.part,
        bare=layer.type == "Parameter",
        copies=copies,
    )


def _chain_edges(
    items: tuple[Item, ...], entry: list[str], edges: list[Edge], *, action_input: bool = False
) -> list[str]:
    """Append the edges of a chain fed by ``entry``; return the ids the chain ends in."""
    ends = entry
    labelled = not action_input
    for item in items:
        lanes = item.lanes if isinstance(item, Lanes) else (Lane("", (item,)),)
        starts = [lane.boxes[0].id for lane in lanes if not lane.boxes[0].bare]
        part = lanes[0].boxes[0].part
        label = ""
        if not labelled and part not in ("features_extractor", "lstm"):
            label, labelled = ACTION_INPUT, True
        edges += [Edge(src, dst, label) for src in ends for dst in starts]
        for lane in lanes:
            edges += [Edge(a.id, b.id) for a, b in itertools.pairwise(lane.boxes) if not b.bare]
        finished = [lane.boxes[-1].id for lane in lanes if not lane.boxes[-1].bare]
        ends = finished or ends
    return ends


def _and(names: list[str]) -> str:
    return " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _stage_id(network: str) -> str:
    """A network's stage id, safe in Mermaid: ``net_critic_target``."""
    return "net_" + re.sub(r"\W", "_", network)
