"""What the table and Markdown renderers share: the display rows and header lines of a report."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sb3inspect import catalog
from sb3inspect.errors import arch_text, dims, printable
from sb3inspect.render import answers
from sb3inspect.report.frozen import FrozenDict
from sb3inspect.report.model import MATRIX, Finding, Layer, Network, PolicyReport
from sb3inspect.sources.spaces import short

T = TypeVar("T")


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
    macs: int | None = None
    how: str = ""
    """The arithmetic behind ``params`` (``101 × 64 + 64 = 6,528``), for --explain."""


def shown(value: T) -> T:
    """``value`` (a report, a diff, any of their records) with every string escaped for a terminal or a page.

    Keys, env ids, versions, notes and paths come from files; a control character or a bidirectional
    override among them would act on the terminal (clear it, retitle it, reorder a line). Renderers of
    text (table, Markdown, Mermaid, diagrams, diffs) show this copy; JSON escapes on its own.
    """
    if isinstance(value, str):
        return printable(value)  # type: ignore[return-value]
    if type(value) is tuple:
        return tuple(shown(item) for item in value)  # type: ignore[attr-defined, return-value]
    if isinstance(value, list):
        return [shown(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, Mapping):
        return FrozenDict({shown(key): shown(item) for key, item in value.items()})  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: shown(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def number(value: int) -> str:
    return f"{value:,}"


def size(num_bytes: int) -> str:
    """``84.8 KiB``: bytes in the largest binary unit that keeps the number under 1024 (at most TiB)."""
    if num_bytes < 1024:
        return f"{num_bytes:,} B"
    value = num_bytes / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"


def display_rows(network: Network, report: PolicyReport | None = None) -> list[Row]:
    """The rows as shown; with the ``report``, a row also says what its input really is (``Flatten (one-hot of
    Discrete(16))``) and flags a shared module this network uses without passing gradients back (``detached``)."""
    notes = answers.row_notes(report) if report is not None else {}
    detached = answers.detached_rows(report).get(network.name, set()) if report is not None else set()
    rows: list[Row] = []
    for layer in network.layers:
        if layer.is_activation and rows and " + " not in rows[-1].type:
            rows[-1] = replace(rows[-1], type=f"{rows[-1].type} + {layer.type}")
            continue
        row = _row(layer, network)
        if layer.path in notes:
            row = replace(row, type=f"{row.type} ({notes[layer.path]})")
        if any(layer.path == module or layer.path.startswith(module + ".") for module in detached):
            row = replace(row, flags=(*row.flags, "detached"))
        rows.append(row)
    return rows


def _row(layer: Layer, network: Network) -> Row:
    flags = []
    if layer.shared:
        flags.append("shared")
    if layer.params and not layer.trainable and not network.target:
        flags.append("frozen")
    weights = [
        dims(shape) if name == "weight" else f"{name.removeprefix('weight_')} {dims(shape)}"
        for name, shape in layer.param_shapes
        if not name.startswith("bias")
    ]
    biases = [dims(shape) for name, shape in layer.param_shapes if name.startswith("bias")]
    kind = layer.type
    if layer.type == "Parameter":
        weights = [dims(layer.shape or ())]
    if layer.type in ("Sequential", "ModuleList", "ModuleDict") and not layer.params:
        kind = f"{layer.type} (empty)"
    if layer.kernel_size is not None:
        kernel = dims(layer.kernel_size)
        if layer.stride is None:  # a bare state dict does not say
            kind = f"{layer.type} {kernel}"
        else:
            strides = set(layer.stride)
            stride = str(next(iter(strides))) if len(strides) == 1 else dims(layer.stride)
            kind = f"{layer.type} {kernel}/{stride}"
    return Row(
        layer.path,
        kind,
        io(layer),
        ", ".join(weights),
        ", ".join(biases),
        layer.params,
        tuple(flags),
        layer.macs,
        arithmetic(layer),
    )


def io(layer: Layer) -> str:
    if layer.in_features is not None and layer.out_features is not None:
        return f"{layer.in_features} → {layer.out_features}"
    if layer.input_size is not None and layer.hidden_size is not None:
        stacked = f" ×{layer.num_layers}" if layer.num_layers and layer.num_layers > 1 else ""
        projection = f", proj {layer.proj_size}" if layer.proj_size else ""
        return f"{layer.input_size} → {layer.hidden_size}{stacked}{projection}" + (
            ", bidirectional" if layer.bidirectional else ""
        )
    if layer.input_shape is not None and layer.output_shape is not None:
        return f"{dims(layer.input_shape)} → {dims(layer.output_shape)}"
    if layer.in_channels is not None and layer.out_channels is not None:
        return f"{layer.in_channels} → {layer.out_channels} ch"
    return ""


def arithmetic(layer: Layer) -> str:
    """How a row's parameter count arises, e.g. ``101 × 64 + 64 = 6,528``; empty without parameters.

    A layer's formula is shown only when it adds up to the row's count; otherwise (an LSTM with
    ``proj_size``, a grouped convolution read from a state dict) the row's tensors are listed.
    """
    if not layer.params:
        return ""
    total = f" = {number(layer.params)}"
    formula = _formula(layer)
    if formula is not None and formula[1] == layer.params:
        return formula[0] + total
    return " + ".join(f"{name} {dims(shape)}" for name, shape in layer.param_shapes) + total


def _formula(layer: Layer) -> tuple[str, int] | None:
    """(text, the count it gives) for a layer whose type has a formula."""
    if layer.type == "Linear" and layer.in_features is not None and layer.out_features is not None:
        bias = layer.out_features if layer.bias else 0
        text = f"{layer.in_features} × {layer.out_features}" + (f" + {bias}" if bias else "")
        return text, layer.in_features * layer.out_features + bias
    if layer.kernel_size is not None and layer.in_channels is not None and layer.out_channels is not None:
        per_filter = math.prod(layer.kernel_size) * _weight_in_channels(layer)
        kernel = "×".join(map(str, layer.kernel_size)) + f"×{_weight_in_channels(layer)}"
        core = f"({kernel} + 1)" if layer.bias else kernel
        return f"{core} × {layer.out_channels}", (per_filter + bool(layer.bias)) * layer.out_channels
    if layer.hidden_size is not None and layer.input_size is not None:
        return _recurrent(layer)
    if layer.type == "Parameter" and layer.shape is not None:
        return _bare(layer), math.prod(layer.shape)
    if layer.type == MATRIX and len(layer.param_shapes) == 1:
        shape = layer.param_shapes[0][1]
        return " × ".join(map(str, shape)), math.prod(shape)
    return None


def _weight_in_channels(layer: Layer) -> int:
    for name, shape in layer.param_shapes:
        if name == "weight" and len(shape) > 1:
            return shape[1]  # in_channels / groups
    return layer.in_channels or 0


def _recurrent(layer: Layer) -> tuple[str, int]:
    """``gates × (h·in + h·h + 2·h)`` per stacked layer (twice when bidirectional): LSTM 4 gates, GRU 3, RNN 1.

    With an LSTM projection of size p the recurrent weights are ``h·p`` and a ``p·h`` projection is added.
    """
    gates = catalog.RNN_GATES.get(layer.type, 1)
    hidden = layer.hidden_size or 0
    directions = 2 if layer.bidirectional or any(n.endswith("_reverse") for n, _ in layer.param_shapes) else 1
    projection = layer.proj_size or 0
    out = projection or hidden
    terms, count = [], 0
    for index in range(layer.num_layers or 1):
        width = (layer.input_size or 0) if index == 0 else out * directions
        bias = f" + 2·{hidden}" if layer.bias else ""
        extra = f" + {projection}·{hidden}" if projection else ""
        terms.append(f"{gates} × ({hidden}·{width} + {hidden}·{out}{bias}){extra}")
        count += gates * (hidden * width + hidden * out + (2 * hidden if layer.bias else 0)) + projection * hidden
    text = " + ".join(terms)
    return (f"2 × [{text}]", 2 * count) if directions == 2 else (text, count)


def _bare(layer: Layer) -> str:
    shape = layer.shape or ()
    if layer.path.endswith("log_std") and len(shape) == 1:
        return f"one per action dimension: {shape[0]}"
    if layer.path.endswith("log_std") and len(shape) == 2:
        return f"gSDE, one per latent feature and action column: {shape[0]} × {shape[1]}"
    return " × ".join(map(str, shape))


MACS_NOTE = "MACs: multiply-accumulates with weights for one observation (bias adds excluded; an LSTM counts one step)"


def explain_notes(report: PolicyReport) -> list[str]:
    """Short notes on where SB3 surprises people, for --explain."""
    notes: list[str] = []
    by_name = {n.name: n for n in report.networks}
    pi, vf = by_name.get("pi"), by_name.get("vf")
    if pi is not None and vf is not None:
        body = [layer for layer in pi.layers if layer.part == "body"]
        if isinstance(report.net_arch, tuple) or report.net_arch is None:  # a list, frozen
            notes.append(
                "net_arch is a list (or the default), so pi and vf are separate twins with the same hidden "
                "sizes: SB3 shares no hidden layers between them"
            )
        elif (
            isinstance(report.net_arch, Mapping)
            and {"pi", "vf"} <= set(report.net_arch)
            and not any(layer.shared for layer in body)
        ):
            notes.append("pi and vf have separate hidden layers (net_arch gives each its own list)")
    shared = sorted(
        {
            _extractor_root(layer.path)
            for network in report.networks
            if not network.target
            for layer in network.layers
            if layer.shared and layer.part == "features_extractor"
        }
    )
    if shared:
        users = [n.name for n in report.networks if not n.target and any(layer.shared for layer in n.layers)]
        notes.append(
            f"{', '.join(shared)} is one module used by {' and '.join(users)}: listed in each network, "
            "counted once in the totals"
        )
    extractor = report.features_extractor or {}
    if pi is not None and vf is not None and extractor.get("shared") is False:
        notes.append(
            f"share_features_extractor=False: pi and vf each run their own {extractor.get('class', 'features extractor')} "
            "(features_extractor, also named pi_features_extractor, and vf_features_extractor): the policy loss trains "
            "pi's, the value loss vf's, so the value error no longer shapes the policy's features; twice the "
            "extractor's parameters and compute"
        )
    targets = [n.name for n in report.networks if n.target]
    if targets and not report.targets:  # a bare policy: the algorithm's tau and interval are unknown
        how = (
            "overwritten by a copy every target_update_interval steps (tau = 1 by default)"
            if report.algo in catalog.Q_LEARNING
            else "updated by Polyak averaging (tau)"
        )
        notes.append(
            f"{' and '.join(targets)} {'is a copy' if len(targets) == 1 else 'are copies'} of the online "
            f"network(s), {how}, never by gradient: not trainable"
        )
    notes += answers.target_explain(report)
    flatten = _cnn_flatten(report)
    if flatten is not None:
        notes.append(
            f"the CNN's last feature map {dims(flatten.input_shape or ())} flattens to "
            f"{number((flatten.output_shape or (0,))[0])} features ({' × '.join(map(str, flatten.input_shape or ()))})"
        )
    for step in report.preprocessing:
        what = f"{step.key}: {short(step.space)}" if step.key is not None else short(step.space)
        notes.append(f"{what} → {answers.step_text(step, report=report, brief=False)}")
    notes += answers.composition_explain(report)
    recurrent = {layer.type for network in report.networks for layer in network.layers} & set(catalog.RNN_GATES)
    for kind, gates in catalog.RNN_GATES.items():
        if kind in recurrent:
            article = "an" if kind in ("LSTM", "RNN") else "a"
            each = f"{gates} gates, each with" if gates > 1 else "one set of"
            notes.append(
                f"{article} {kind} layer has {each} input weights (h·in), recurrent weights (h·h) and two bias vectors (2·h)"
            )
    notes += answers.recurrent_explain(report)
    bare_log_std = any(
        layer.type == "Parameter" and layer.path.endswith("log_std") for n in report.networks for layer in n.layers
    )
    if report.action_distribution is not None:
        notes += answers.action_explain(report)
    elif bare_log_std:  # a report without the distribution (a state dict): say only what the row is
        notes.append("log_std is a bare parameter, not a layer: the action distribution's log standard deviation")
    notes += answers.optimizer_explain(report)
    notes += answers.settings_explain(report)
    notes += answers.alias_explain(report)
    notes.append(MACS_NOTE)
    if report.totals.training_bytes is not None:
        state = _states(report.optimizer, report.totals.optimizer_states)
        skipped = [o for o in report.optimizers if o.in_policy and o.updated != o.params]
        notes += answers.buffer_explain(report)
        notes.append(
            f"training memory: the parameters plus, for each trainable one, a gradient and {state}"
            + (" for the parameters an optimizer steps" if skipped else "")
            + " (activations and replay buffers excluded)"
        )
    return notes


def _cnn_flatten(report: PolicyReport) -> Layer | None:
    """The first Flatten of a 3-D feature map that a convolution made (not a raw observation flattened)."""
    for network in report.networks:
        convolved = False
        for layer in network.layers:
            if layer.type.startswith("Conv"):
                convolved = True
            elif (
                layer.type == "Flatten"
                and convolved
                and layer.input_shape
                and len(layer.input_shape) == 3
                and layer.output_shape
            ):
                return layer
    return None


def _extractor_root(path: str) -> str:
    """``features_extractor.extractors.camera.cnn.0`` -> ``features_extractor``: the module, not its layers."""
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part.endswith("features_extractor"):
            return ".".join(parts[: index + 1])
    return path.rsplit(".", 1)[0]


_SYSTEM_INFO_SHOWN = (
    ("python", "Python"),
    ("pytorch", "PyTorch"),
    ("gymnasium", "gymnasium"),
    ("gym", "gym"),
    ("numpy", "numpy"),
)


def saved_by(saved: Mapping[str, Any]) -> str:
    """``SB3 1.3.1a2 · Python 3.7.10 · PyTorch 1.10.0 · gym 0.19.0 · numpy 1.21.3``: what wrote a saved model."""
    version = saved.get("sb3_version")
    parts = [f"SB3 {version}" if version else "SB3 < 0.9 (the file has no version member)"]
    info = saved.get("system_info") or {}
    parts += [f"{label} {info[key].split()[0]}" for key, label in _SYSTEM_INFO_SHOWN if info.get(key)]
    return " · ".join(parts)


def header_lines(report: PolicyReport) -> list[tuple[str, str]]:
    """(label, value) pairs for the lines under a report's title: who saved it, the spaces with what SB3 does to
    them, the architecture, then what training does with it (settings, optimizers, targets, hyperparameters)."""
    lines = []
    saved = report.extra.get("saved_model")
    if isinstance(saved, Mapping):
        lines.append(("saved by", saved_by(saved)))
    lines += answers.observation_lines(report)
    lines.append(("action", answers.action_line(report)))
    built = " · ".join(
        f"{n.name} {list(n.hidden_sizes)}" for n in report.networks if not n.target and n.role != "other"
    )
    custom = answers.net_arch_custom(report)
    if report.net_arch is not None or built or custom:
        default = "default"
        if isinstance(saved, Mapping) and saved.get("rebuilt") is False:  # its policy_kwargs do not say: its class does
            default = "not in the saved policy_kwargs (the policy class sets it)"
        given = custom or (default if report.net_arch is None else arch_text(report.net_arch))
        lines.append(("net_arch", f"{given}  →  {built}" if built else given))
    activation = _activation_text(report)
    if activation:
        lines.append(("activation", activation))
    extractor = report.features_extractor
    if extractor:
        text = extractor["class"]
        if "features_dim" in extractor:
            text += f" → {number(extractor['features_dim'])} features"
        if "shared" in extractor:
            names = [n.name for n in report.networks if not n.target and n.role != "other"]
            pair = " and ".join(names[:2]) if len(names) >= 2 else "networks"
            text += f", shared by {pair}" if extractor["shared"] else f", one per network ({', '.join(names)})"
        module = next((c for c in report.aliases.values() if c.rsplit(".", 1)[-1].endswith("features_extractor")), None)
        also = answers.alias_text(report, module) if module else None
        if also:
            text += f" ({also})"
        lines.append(("features", text))
    memory = answers.recurrent_line(report)
    if memory:
        lines.append(("memory", memory))
    for label, value in (
        ("settings", answers.settings_line(report)),
        answers.optimizer_line(report) or ("optimizer", None),
        ("targets", answers.target_line(report)),
    ):
        if value:
            lines.append((label, value))
    if report.training:
        lines.append(("training", f"{settings_text(report.training)}  (not architecture)"))
    run = report.extra.get("run_folder")
    if isinstance(run, Mapping):
        lines += run_folder_lines(run)
    return lines


def _activation_text(report: PolicyReport) -> str | None:
    """activation_fn, or what the layers show when a custom module ignores it, or that no layer uses it."""
    built = answers.built_activations(report)
    if "mlp_extractor" in report.custom:
        found = ", ".join(built) or "none"
        given = f"; activation_fn {report.activation_fn} is not used by it" if report.activation_fn else ""
        return f"{found} (read from the custom mlp_extractor's layers{given})"
    if not report.activation_fn:
        return None
    online = [n for n in report.networks if not n.target and n.role != "other"]
    if online and not any(n.hidden_sizes for n in online):
        return f"{report.activation_fn} (unused: no hidden layers)"
    return report.activation_fn


_RUN_SHOWN_APART = ("policy", "policy_kwargs", "normalize", "env_wrapper", "frame_stack")
"""config.yml settings with a line of their own (or checked against the zip), left out of ``hyperparams``."""


def run_folder_lines(run: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The lines an rl-zoo3 run folder adds: where, config.yml against the zip, hyperparameters, normalization."""
    where = f"{run['path']} (rl-zoo3" + (f" {run['algo']}" if run.get("algo") else "") + ")"
    if run.get("env"):
        where += f" · env {run['env']}"
    lines = [("run folder", where)]
    check = run.get("config_check")
    if isinstance(check, Mapping):
        compared = [key.removeprefix("policy_kwargs.") for key in check["compared"]]
        if check["status"] == "agree":
            text = (
                f"agrees with the zip ({', '.join(compared)})"
                if compared
                else "names nothing the zip has to agree with"
            )
        else:
            text = "DIFFERS from the zip: " + ", ".join(d["key"] for d in check["differences"])
        lines.append(("config.yml", text))
    settings = run.get("hyperparameters") or {}
    shown = {key: value for key, value in settings.items() if key not in _RUN_SHOWN_APART}
    if shown:
        lines.append(("hyperparams", settings_text(shown)))
    lines.append(("normalize", _normalization(run)))
    wrappers = [arch_text(run["env_wrapper"])] if run.get("env_wrapper") is not None else []
    if run.get("frame_stack") is not None:
        wrappers.append(f"frame_stack {run['frame_stack']}")
    if wrappers:
        lines.append(("env wrapper", " · ".join(wrappers)))
    return lines


def _normalization(run: Mapping[str, Any]) -> str:
    """``VecNormalize: observations (11,) normalized (clip 10.0) · rewards normalized (clip 10.0, gamma 0.999)``."""
    stats = run.get("vecnormalize")
    if not isinstance(stats, Mapping):
        asked = run.get("normalize")
        if not asked:
            return "no"
        return f"config.yml asks for {arch_text(asked)}, but the folder has no vecnormalize.pkl"
    shape = stats.get("observation_shape")
    if isinstance(shape, Mapping):
        dims = ", ".join(f"{key} {tuple(size)}" for key, size in shape.items() if size is not None)
    else:
        dims = str(tuple(shape)) if shape is not None else "of unknown shape"
    parts = [
        f"observations {dims} normalized (clip_obs {stats.get('clip_obs')})"
        if stats.get("norm_obs")
        else "observations not normalized",
        f"rewards normalized (clip_reward {stats.get('clip_reward')}, gamma {stats.get('gamma')})"
        if stats.get("norm_reward")
        else "rewards not normalized",
    ]
    check = run.get("normalization_check")
    if isinstance(check, Mapping) and check.get("status") == "differ":
        parts.append(f"DIFFERS from the model's observation {check['model']}")
    return "VecNormalize: " + " · ".join(parts)


def settings_text(settings: Mapping[str, object]) -> str:
    """``n_steps 2048 · learning_rate 0.0003 · train_freq [1, episode]``: settings as a config writes them."""
    return " · ".join(f"{key} {arch_text(value)}" for key, value in settings.items())


SAFETY_ADVICE = {
    "UNSAFE": "loading this file with SB3 (PPO.load, ...) would run code it carries: do not load it",
    "UNKNOWN": "sb3inspect could not read every pickle in this file, so it cannot say loading it is safe",
}


def title(report: PolicyReport) -> str:
    parts = [p for p in (report.algo, report.policy_class) if p]
    text = " · ".join(parts)
    if report.policy and report.policy != report.policy_class:
        text += f" ({report.policy})"
    return text


def network_title(network: Network) -> str:
    role = catalog.ROLE_TITLES.get(network.role, network.role)
    text = f"{network.name} · {role}"
    if network.target:
        text += " (target: a copy of the online network, not trained by gradient)"
    text += f" · {number(network.params)} params"
    if not network.target and network.trainable_params != network.params:
        text += f" ({number(network.trainable_params)} trainable)"
    if network.macs is not None:
        text += f" · {number(network.macs)} MACs"
    elif any(layer.params for layer in network.layers):
        text += " · MACs unknown (layers sb3inspect cannot count)"
    return text


def totals_line(report: PolicyReport) -> str:
    totals = report.totals
    parts = [f"{number(totals.params)} params", f"{number(totals.trainable_params)} trainable"]
    if totals.frozen_params:
        parts.append(f"{number(totals.frozen_params)} frozen")
    if totals.target_params:
        parts.append(f"{number(totals.target_params)} in target networks")
    parts.append(f"{size(totals.bytes)} as {'/'.join(totals.dtypes)}")
    if totals.training_bytes is not None:
        parts.append(f"~{size(totals.training_bytes)} to train with {report.optimizer or 'its optimizer'}")
    buffer = report.buffer
    if buffer and isinstance(buffer.get("bytes"), int):
        envs = buffer.get("n_envs", 1)
        shape = f"{number(buffer['steps'])} steps × {envs} env{'s' if envs != 1 else ''}"
        parts.append(f"{buffer['class']} {size(buffer['bytes'])} ({shape})")
    return " · ".join(parts)


def _states(optimizer: str | None, states: int | None) -> str:
    """``Adam's two moments``, ``RMSprop's one state tensor``, ``no SGD state``."""
    name = optimizer or "the optimizer"
    if not states:
        return f"no {name} state"
    if name.startswith("Adam") and states == 2:
        return f"{name}'s two moments"
    count = ("one", "two", "three", "four")[states - 1] if states <= 4 else str(states)
    return f"{name}'s {count} state tensor{'s' if states > 1 else ''}"


def finding_lines(finding: Finding) -> tuple[str, str, str]:
    """A lint finding as (headline, where and what SB3 does, the fix): ``error NA001 qf-key-on-policy``, ..."""
    return (
        f"{finding.level} {finding.code} {finding.name}",
        f"at {finding.where}: {finding.message}",
        f"fix: {finding.fix}",
    )
