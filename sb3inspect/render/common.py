"""What the table and Markdown renderers share: the display rows and header lines of a report."""

from __future__ import annotations

from dataclasses import dataclass

from ..report import Layer, Network, PolicyReport
from ..spaces import short

ROLE_TITLES = {
    "policy": "policy network",
    "value": "value network",
    "actor": "actor",
    "critic": "critic",
    "q_value": "Q-network",
    "quantile": "quantile network",
    "other": "not part of a known network",
}


@dataclass(frozen=True, slots=True)
class Row:
    """A layer as shown: an activation that follows a layer is folded into its type."""

    path: str
    type: str
    io: str
    weight: str
    bias: str
    params: int
    flags: tuple[str, ...]


def number(value: int) -> str:
    return f"{value:,}"


def size(num_bytes: int) -> str:
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover


def dims(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) if shape else "scalar"


def display_rows(network: Network) -> list[Row]:
    rows: list[Row] = []
    for layer in network.layers:
        if layer.is_activation and rows and " + " not in rows[-1].type:
            last = rows[-1]
            rows[-1] = Row(last.path, f"{last.type} + {layer.type}", last.io, last.weight, last.bias, last.params, last.flags)
            continue
        rows.append(_row(layer, network))
    return rows


def _row(layer: Layer, network: Network) -> Row:
    flags = []
    if layer.shared:
        flags.append("shared")
    if layer.params and not layer.trainable and not network.target:
        flags.append("frozen")
    weights = [dims(shape) if name == "weight" else f"{name.removeprefix('weight_')} {dims(shape)}"
               for name, shape in layer.param_shapes if not name.startswith("bias")]
    biases = [dims(shape) for name, shape in layer.param_shapes if name.startswith("bias")]
    kind = layer.type
    if layer.type == "Parameter":
        weights = [dims(layer.shape or ())]
    if layer.kernel_size is not None:
        kernel = dims(layer.kernel_size)
        stride = "/".join(map(str, layer.stride or ())) or "1"
        kind = f"{layer.type} {kernel} s{stride}"
    return Row(layer.path, kind, io(layer), ", ".join(weights), ", ".join(biases), layer.params, tuple(flags))


def io(layer: Layer) -> str:
    if layer.in_features is not None and layer.out_features is not None:
        return f"{layer.in_features} → {layer.out_features}"
    if layer.in_channels is not None and layer.out_channels is not None:
        return f"{layer.in_channels} → {layer.out_channels} ch"
    if layer.input_size is not None and layer.hidden_size is not None:
        stacked = f" ×{layer.num_layers}" if layer.num_layers and layer.num_layers > 1 else ""
        return f"{layer.input_size} → {layer.hidden_size}{stacked}"
    return ""


def arch_text(value: object) -> str:
    """net_arch as a user writes it in YAML: ``[64, 64]``, ``{pi: [64], vf: [64]}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {arch_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(arch_text(v) for v in value) + "]"
    return str(value)


def header_lines(report: PolicyReport) -> list[tuple[str, str]]:
    """(label, value) pairs for the lines under a report's title."""
    lines = [("observation", short(report.observation_space)), ("action", short(report.action_space))]
    built = " · ".join(f"{n.name} {list(n.hidden_sizes)}" for n in report.networks if not n.target and n.role != "other")
    if report.net_arch is not None or built:
        given = "default" if report.net_arch is None else arch_text(report.net_arch)
        lines.append(("net_arch", f"{given}  →  {built}" if built else given))
    if report.activation_fn:
        lines.append(("activation", report.activation_fn))
    extractor = report.features_extractor
    if extractor:
        text = extractor["class"]
        if "features_dim" in extractor:
            text += f" → {number(extractor['features_dim'])} features"
        if "shared" in extractor:
            names = [n.name for n in report.networks if not n.target and n.role != "other"]
            pair = " and ".join(names[:2]) if len(names) >= 2 else "networks"
            text += f", shared by {pair}" if extractor["shared"] else f", one per network ({', '.join(names)})"
        lines.append(("features", text))
    return lines


def title(report: PolicyReport) -> str:
    parts = [p for p in (report.algo, report.policy_class) if p]
    text = " · ".join(parts)
    if report.policy and report.policy != report.policy_class:
        text += f" ({report.policy})"
    return text


def network_title(network: Network) -> str:
    role = ROLE_TITLES.get(network.role, network.role)
    text = f"{network.name} · {role}"
    if network.target:
        text += " (target: a Polyak-averaged copy, not trained by gradient)"
    text += f" · {number(network.params)} params"
    if not network.target and network.trainable_params != network.params:
        text += f" ({number(network.trainable_params)} trainable)"
    return text


def totals_line(report: PolicyReport) -> str:
    totals = report.totals
    parts = [f"{number(totals.params)} params", f"{number(totals.trainable_params)} trainable"]
    if totals.frozen_params:
        parts.append(f"{number(totals.frozen_params)} frozen")
    if totals.target_params:
        parts.append(f"{number(totals.target_params)} in target networks")
    parts.append(f"{size(totals.bytes)} as {'/'.join(totals.dtypes)}")
    return " · ".join(parts)
