"""A report from a saved state dict alone, for a policy sb3inspect cannot rebuild (a custom class).

Layer types and sizes are read from parameter names and shapes (``mu.0.weight`` of shape 64×3 is a
Linear 3 → 64), and grouped into networks by the attribute names SB3's policy families use.
Activations and layers without parameters are not visible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import Sb3InspectError, SourceError
from sb3inspect.report.model import MATRIX, Layer, Network, PolicyReport, Totals
from sb3inspect.sources.saved.fields import readable_activation, space_of
from sb3inspect.sources.saved.pickles import TensorEntry
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel


def report_from_state_dict(
    tensors: Mapping[str, TensorEntry], *, saved: SavedModel, algo: str | None, reason: str
) -> PolicyReport:
    """Layer rows from parameter names and shapes, grouped into networks by SB3's attribute names."""
    _check_ranks(tensors, saved)
    modules = _modules(tensors)
    placed = _place(tensors, modules)
    order: dict[tuple[str, str, bool], None] = {}  # networks in the order the state dict first names them
    for module in placed:
        order.update(dict.fromkeys(module.named))
    rows: dict[tuple[str, str, bool], list[Layer]] = {network: [] for network in order}
    for module in placed:
        if module.path == module.canonical:
            shared = len(module.networks) > 1
            for network in module.networks:
                rows[network].append(_layer(module.path, modules[module.path], shared=shared))
    rows = {network: layers for network, layers in rows.items() if layers}
    networks = [_network(name, role, target, layers) for (name, role, target), layers in rows.items()]

    parameters = {t.storage: t for name, t in tensors.items() if name.rsplit(".", 1)[-1] not in catalog.BUFFER_NAMES}
    trained = {i for module in placed for _, _, target in module.networks if not target for i in module.ids}
    totals = Totals(
        params=sum(_numel(t.shape) for t in parameters.values()),
        trainable_params=sum(_numel(t.shape) for i, t in parameters.items() if i in trained),
        frozen_params=0,
        target_params=sum(_numel(t.shape) for i, t in parameters.items() if i not in trained),
        bytes=sum(_numel(t.shape) * t.element_size for t in parameters.values()),
        dtypes=tuple(sorted({t.dtype for t in parameters.values()})) or ("float32",),
    )
    notes = (
        f"not rebuilt: {reason}",
        "reported from the saved state dict alone: layer types and sizes are read from parameter names and shapes; "
        "activations and layers without parameters are not visible, and every non-target parameter counts as trainable",
        *_reading_notes([layer for layers in rows.values() for layer in layers]),
    )
    observation, action = _readable_space(saved, "observation_space"), _readable_space(saved, "action_space")
    return PolicyReport(
        algo=algo,
        policy_class=saved.policy_name or "unknown policy class",
        observation_space=observation,
        action_space=action,
        networks=tuple(networks),
        totals=totals,
        net_arch=_readable_net_arch(saved),
        activation_fn=readable_activation(saved, algo),
        notes=notes,
        source=str(saved.path),
        extra=saved.extra(rebuilt=False, check={"status": "not_rebuilt", "tensors": len(tensors), "reason": reason}),
    )


def _modules(tensors: Mapping[str, TensorEntry]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Module path -> its own entries (``{"weight": (64, 4), "bias": (64,)}``); a bare parameter: ``{"": shape}``."""
    modules: dict[str, dict[str, tuple[int, ...]]] = {}
    for name, tensor in tensors.items():
        path, _, entry = name.rpartition(".")
        if path and entry and entry not in catalog.BARE_PARAMETERS:
            modules.setdefault(path, {})[entry] = tensor.shape
        else:  # so that _entry(path, entry) gives the name back
            modules.setdefault(name, {})[""] = tensor.shape
    return modules


def _entry(path: str, entry: str) -> str:
    return f"{path}.{entry}" if entry else path


Placement = tuple[str, str, bool]
"""(network, role, target)."""


@dataclass(frozen=True)
class _Module:
    """A module path of the state dict and the networks it belongs to."""

    path: str
    canonical: str
    """The first path the state dict names this module by, as ``named_modules()`` does: its rows use that one."""
    named: tuple[Placement, ...]
    """The networks this path's own name puts it in."""
    networks: tuple[Placement, ...]
    """The networks that hold the module under any of its names."""
    ids: frozenset[Any]
    """Identities of its parameters (buffers excluded), each counted once in the totals."""


def _place(tensors: Mapping[str, TensorEntry], modules: dict[str, dict[str, tuple[int, ...]]]) -> list[_Module]:
    """Every module path with its networks; one module saved under several names is one module.

    SB3 registers a shared features extractor as ``features_extractor``, ``pi_features_extractor``
    and ``vf_features_extractor`` (TD3's as ``actor.features_extractor`` and ``critic.features_extractor``):
    the entries share their storage, so they are one module, shown once per network that holds it
    under its first name, and drawn once. ``features_extractor`` alone does not say whose it is
    (``share_features_extractor=False`` gives it to pi only): its other names decide.
    """
    actor_critic = any(name.startswith("mlp_extractor.") for name in tensors)
    found: list[tuple[str, Any, tuple[Placement, ...], bool, frozenset[Any]]] = []
    for path, entries in modules.items():
        names = {entry: _entry(path, entry) for entry in entries}
        ids = frozenset(tensors[name].storage for entry, name in names.items() if entry not in catalog.BUFFER_NAMES)
        # empty tensors have no storage to tell them apart: such a module is only ever itself
        key = frozenset(tensors[name].storage for name in names.values() if _numel(tensors[name].shape)) or path
        named, definite = _networks_of(path, actor_critic)
        found.append((path, key, named, definite, ids))
    aliases: dict[Any, list[tuple[str, tuple[Placement, ...], bool]]] = {}
    for path, key, named, definite, _ in found:
        aliases.setdefault(key, []).append((path, named, definite))
    out = []
    for path, key, named, _, ids in found:
        group = aliases[key]
        sure = [placement for _, places, definite in group if definite for placement in places]
        networks = tuple(dict.fromkeys(sure or [placement for _, places, _ in group for placement in places]))
        out.append(_Module(path, group[0][0], named, networks, ids))
    return out


def _networks_of(path: str, actor_critic: bool) -> tuple[tuple[Placement, ...], bool]:
    """The networks a path's name puts it in, and whether the name is sure (not a guess another name may correct)."""
    probe = path + "."
    for prefix, network, role, target in catalog.NETWORK_PREFIXES:
        if probe.startswith(prefix) or path == prefix:
            return ((network, role, target),), True
    if actor_critic and probe.startswith("critic."):
        return (("vf", "value", False),), True  # RecurrentPPO's critic head without a critic LSTM
    if actor_critic and probe.startswith("features_extractor."):
        return (("pi", "policy", False), ("vf", "value", False)), False
    if actor_critic and probe.startswith(catalog.SHARED_NET):  # SB3 < 1.8's shared layers: used by both
        return (("pi", "policy", False), ("vf", "value", False)), True
    if actor_critic and probe.startswith(catalog.SDE_EXTRACTOR):  # gSDE's sde_net_arch layers (SB3 <= 1.2)
        return (("pi", "policy", False),), True
    if probe.startswith("critic."):
        return (("critic", "critic", False),), True
    return (("other", "other", False),), False


_GATES_TO_TYPE = {gates: kind for kind, gates in catalog.RNN_GATES.items()}


def _layer(path: str, entries: dict[str, tuple[int, ...]], *, shared: bool) -> Layer:
    """One row: the layer type its entries prove, and the sizes they give (docs/json-report.md, state-dict reports)."""
    if list(entries) == [""]:  # a bare parameter such as log_std
        shape = entries[""]
        return Layer(path=path, type="Parameter", params=_numel(shape), shared=shared, part="head", shape=shape)
    counted = {name: shape for name, shape in entries.items() if name not in catalog.BUFFER_NAMES}
    kind, facts = _kind(entries)
    return Layer(
        path=path,
        type=kind,
        params=sum(_numel(shape) for shape in counted.values()),
        shared=shared,
        part=_part(path, kind),
        param_shapes=tuple(counted.items()),
        **facts,
    )


def _kind(entries: dict[str, tuple[int, ...]]) -> tuple[str, dict[str, Any]]:
    """(type, facts) read from a module's own entry names and shapes; ``Module`` when they prove nothing."""
    weight, bias = entries.get("weight"), entries.get("bias")
    if "weight_ih_l0" in entries and "weight_hh_l0" in entries:
        return _recurrent(entries)
    if weight is None:
        return ("BatchNorm", {}) if any(stat in entries for stat in catalog.NORM_STATS) else ("Module", {})
    if bias is not None and bias != weight[:1]:
        return "Module", {}
    if len(weight) == 2:
        if bias is None:
            return MATRIX, {"bias": False}
        return "Linear", {"in_features": weight[1], "out_features": weight[0], "bias": True}
    if 3 <= len(weight) <= 5:  # (out, in / groups, *kernel): Conv1d, Conv2d, Conv3d
        facts = {
            "in_channels": weight[1],
            "out_channels": weight[0],
            "kernel_size": weight[2:],
            "bias": bias is not None,
        }
        return f"Conv{len(weight) - 2}d", facts
    if len(weight) == 1:
        if any(stat in entries for stat in catalog.NORM_STATS):
            return "BatchNorm", {}
        return ("LayerNorm", {}) if bias is not None else ("LayerNorm or RMSNorm", {})
    return "Module", {}


def _recurrent(entries: dict[str, tuple[int, ...]]) -> tuple[str, dict[str, Any]]:
    """LSTM, GRU or RNN by its gates: ``weight_ih_l0`` stacks one (hidden × input) matrix per gate."""
    ih, hh = entries["weight_ih_l0"], entries["weight_hh_l0"]
    projection = entries.get("weight_hr_l0")  # an LSTM with proj_size: h·h becomes h·proj
    hidden = projection[1] if projection is not None else hh[1]
    gates, rest = divmod(ih[0], hidden) if hidden else (0, 1)
    kind = _GATES_TO_TYPE.get(gates) if not rest and hh[0] == ih[0] else None
    if kind is None or (projection is not None and kind != "LSTM"):
        return "Module", {}
    return kind, {
        "input_size": ih[1],
        "hidden_size": hidden,
        "num_layers": sum(1 for name in entries if re.fullmatch(r"weight_ih_l\d+", name)),
        "bias": "bias_ih_l0" in entries,
    }


def _reading_notes(layers: list[Layer]) -> list[str]:
    """What the state dict cannot tell, said where it matters: which rows have a type it does not prove."""
    readings = {
        MATRIX: "a weight matrix without a bias is a Linear (out × in) or an Embedding (entries × size): a state "
        "dict cannot tell them apart, and the parameter count is the same either way",
        "LayerNorm": "a 1-D weight and bias without running statistics is read as a LayerNorm (a GroupNorm or an "
        "affine InstanceNorm saves the same entries and the same count)",
    }
    notes = []
    for kind, reading in readings.items():
        paths = list(dict.fromkeys(layer.path for layer in layers if layer.type == kind))
        if paths:
            named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            notes.append(f"{named}: {reading}")
    return notes


def _part(path: str, kind: str) -> str:
    if "features_extractor" in path and catalog.SDE_EXTRACTOR not in path + ".":
        return "features_extractor"
    if kind in catalog.RNN_GATES:
        return "lstm"
    return "body" if path.rsplit(".", 1)[-1].isdigit() else "head"


_PART_ORDER = {"features_extractor": 0, "lstm": 1, "body": 2, "head": 3}


def _network(name: str, role: str, target: bool, rows: list[Layer]) -> Network:
    # the order SB3 applies them in: extractor, LSTM, hidden layers, heads; a bare parameter (log_std) last
    rows = sorted(rows, key=lambda row: (_PART_ORDER.get(row.part, 2), row.type == "Parameter"))
    rows = [replace(row, trainable=not target) if row.params else row for row in rows]
    params = sum(row.params for row in rows)
    return Network(
        name=name,
        role=role,
        params=params,
        trainable_params=0 if target else params,
        target=target,
        hidden_sizes=_hidden_sizes(rows),
        layers=tuple(rows),
    )


def _hidden_sizes(rows: list[Layer]) -> tuple[int, ...]:
    """Widths of the first MLP: all its Linear layers when a head follows, else all but its last.

    A head is a Linear or bare parameter that is an attribute of its own (``action_net``, ``mu``,
    ``log_std``), or a container holding one Linear (gSDE's ``mu.0``). SB3 < 1.8's shared layers
    come first in both pi and vf; gSDE's ``sde_net_arch`` layers are not net_arch's.
    """
    shared_net = catalog.SHARED_NET.rstrip(".")
    containers: dict[str, list[Layer]] = {}
    for row in rows:
        if catalog.SDE_EXTRACTOR in row.path + ".":
            continue
        if row.part in ("body", "head") and row.type in ("Linear", "Parameter"):
            parent = row.path.rsplit(".", 1)[0] if row.part == "body" else row.path
            containers.setdefault(parent, []).append(row)
    shared = tuple(row.out_features or 0 for row in containers.pop(shared_net, []) if row.type == "Linear")
    bodies = [name for name, members in containers.items() if members[0].part == "body"]
    if not bodies:
        return shared  # only shared layers: the heads read them
    widths = tuple(row.out_features or 0 for row in containers[bodies[0]] if row.type == "Linear")
    has_head = any(
        name != bodies[0] and (members[0].part == "head" or len(members) == 1) for name, members in containers.items()
    )
    return shared + (widths if has_head else widths[:-1])


def _numel(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


UNREADABLE_SPACE = {"type": "unreadable"}
"""A space the saved fields do not describe readably: shown as ``unreadable``, never as an empty mapping."""


def _readable_space(saved: SavedModel, key: str) -> dict[str, Any]:
    """The saved space, when its fields describe one sb3inspect could build; else ``UNREADABLE_SPACE``."""
    from sb3inspect.sources.spaces import parse_space

    try:
        space: dict[str, Any] = space_of(saved.data.get(key), key)
        parse_space(space, key, action=key == "action_space")  # the checks a config's space gets
    except Sb3InspectError:
        return dict(UNREADABLE_SPACE)
    return space


_RECURRENT = re.compile(r"weight_(?:ih|hh)_l\d+")


def _check_ranks(tensors: Mapping[str, TensorEntry], saved: SavedModel) -> None:
    """The entries this report reads facts from have the ranks a layer gives them, or the file is malformed."""
    for name, tensor in tensors.items():
        if _RECURRENT.fullmatch(name.rpartition(".")[2]) and len(tensor.shape) != 2:
            raise SourceError(
                str(saved.path),
                f"{WEIGHTS} holds {name} of shape {list(tensor.shape)}, not the 2-D matrix "
                "of a recurrent layer; the file is malformed (save the model again)",
            )


def _readable_net_arch(saved: SavedModel) -> Any:
    kwargs = saved.data.get("policy_kwargs")
    return kwargs.get("net_arch") if isinstance(kwargs, dict) else None
