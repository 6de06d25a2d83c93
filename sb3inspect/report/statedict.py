"""A report from a saved state dict alone, for a policy sb3inspect cannot rebuild (a custom class).

Layer types and sizes are read from parameter names and shapes (``mu.0.weight`` of shape 64×3 is a
Linear 3 → 64), and grouped into networks by the attribute names SB3's policy families use.
Activations and layers without parameters are not visible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import Sb3InspectError, SourceError
from sb3inspect.report.model import Layer, Network, PolicyReport, Totals
from sb3inspect.sources.saved.fields import space_of
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel, SavedTensor


def report_from_state_dict(
    tensors: Mapping[str, SavedTensor], *, saved: SavedModel, algo: str | None, reason: str
) -> PolicyReport:
    """Layer rows from parameter names and shapes, grouped into networks by SB3's attribute names."""
    _check_ranks(tensors, saved)
    actor_critic = any(name.startswith("mlp_extractor.") for name in tensors)
    modules = _modules(tensors)
    placed: list[tuple[str, str, bool, str, frozenset[Any]]] = []  # network, role, target, module path, tensor ids
    for path, entries in modules.items():
        ids = frozenset(tensors[_entry(path, e)].identity for e in entries if e not in catalog.BUFFER_NAMES)
        placed += [(network, role, target, path, ids) for network, role, target in _networks_of(path, actor_critic)]
    holders: dict[frozenset[Any], set[str]] = {}
    for network, _, _, _, ids in placed:
        holders.setdefault(ids, set()).add(network)
    rows: dict[tuple[str, str, bool], list[Layer]] = {}
    seen: set[tuple[str, frozenset[Any]]] = set()
    for network, role, target, path, ids in placed:
        if ids and (network, ids) in seen:
            continue  # one module under two names (features_extractor is pi_features_extractor): one row
        seen.add((network, ids))
        shared = bool(ids) and len(holders[ids]) > 1
        rows.setdefault((network, role, target), []).append(_layer(path, modules[path], shared=shared))
    networks = [_network(name, role, target, layers) for (name, role, target), layers in rows.items()]

    parameters = {t.identity: t for name, t in tensors.items() if name.rsplit(".", 1)[-1] not in catalog.BUFFER_NAMES}
    trained = {i for network, _, target, _, ids in placed if not target for i in ids}
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
        notes=notes,
        source=str(saved.path),
        extra=saved.extra(rebuilt=False, check={"status": "not_rebuilt", "tensors": len(tensors), "reason": reason}),
    )


def _modules(tensors: Mapping[str, SavedTensor]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Module path -> its own entries (``{"weight": (64, 4), "bias": (64,)}``); a bare parameter: ``{"": shape}``."""
    modules: dict[str, dict[str, tuple[int, ...]]] = {}
    for name, tensor in tensors.items():
        path, _, entry = name.rpartition(".")
        if path and entry:
            modules.setdefault(path, {})[entry] = tensor.shape
        else:  # so that _entry(path, entry) gives the name back
            modules.setdefault(name, {})[""] = tensor.shape
    return modules


def _entry(path: str, entry: str) -> str:
    return f"{path}.{entry}" if entry else path


def _networks_of(path: str, actor_critic: bool) -> list[tuple[str, str, bool]]:
    probe = path + "."
    for prefix, network, role, target in catalog.NETWORK_PREFIXES:
        if probe.startswith(prefix) or path == prefix:
            return [(network, role, target)]
    if actor_critic and probe.startswith("critic."):
        return [("vf", "value", False)]  # RecurrentPPO's critic head without a critic LSTM
    if actor_critic and probe.startswith("features_extractor."):
        return [("pi", "policy", False), ("vf", "value", False)]
    if probe.startswith("critic."):
        return [("critic", "critic", False)]
    return [("other", "other", False)]


def _layer(path: str, entries: dict[str, tuple[int, ...]], *, shared: bool) -> Layer:
    if list(entries) == [""]:  # a bare parameter such as log_std
        shape = entries[""]
        return Layer(path=path, type="Parameter", params=_numel(shape), shared=shared, part="head", shape=shape)
    counted = {name: shape for name, shape in entries.items() if name not in catalog.BUFFER_NAMES}
    facts: dict[str, Any] = {}
    kind = "Module"
    weight = entries.get("weight")
    if "weight_ih_l0" in entries and "weight_hh_l0" in entries:
        kind = "LSTM" if entries["weight_ih_l0"][0] == 4 * entries["weight_hh_l0"][1] else "RNN"
        facts = {
            "input_size": entries["weight_ih_l0"][1],
            "hidden_size": entries["weight_hh_l0"][1],
            "num_layers": sum(1 for name in entries if re.fullmatch(r"weight_ih_l\d+", name)),
            "bias": "bias_ih_l0" in entries,
        }
    elif weight is not None and len(weight) == 2:
        kind = "Linear"
        facts = {"in_features": weight[1], "out_features": weight[0], "bias": "bias" in entries}
    elif weight is not None and len(weight) >= 3:
        kind = f"Conv{len(weight) - 2}d"
        facts = {
            "in_channels": weight[1],
            "out_channels": weight[0],
            "kernel_size": tuple(weight[2:]),
            "bias": "bias" in entries,
        }
    elif "running_mean" in entries:
        kind = "BatchNorm"
    return Layer(
        path=path,
        type=kind,
        params=sum(_numel(shape) for shape in counted.values()),
        shared=shared,
        part=_part(path, kind),
        param_shapes=tuple(counted.items()),
        **facts,
    )


def _part(path: str, kind: str) -> str:
    if "features_extractor" in path:
        return "features_extractor"
    if kind in ("LSTM", "RNN"):
        return "lstm"
    return "body" if path.rsplit(".", 1)[-1].isdigit() else "head"


def _network(name: str, role: str, target: bool, rows: list[Layer]) -> Network:
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
    ``log_std``), or a container holding one Linear (gSDE's ``mu.0``).
    """
    containers: dict[str, list[Layer]] = {}
    for row in rows:
        if row.part in ("body", "head") and row.type in ("Linear", "Parameter"):
            parent = row.path.rsplit(".", 1)[0] if row.part == "body" else row.path
            containers.setdefault(parent, []).append(row)
    bodies = [name for name, members in containers.items() if members[0].part == "body"]
    if not bodies:
        return ()
    widths = tuple(row.out_features or 0 for row in containers[bodies[0]] if row.type == "Linear")
    has_head = any(
        name != bodies[0] and (members[0].part == "head" or len(members) == 1) for name, members in containers.items()
    )
    return widths if has_head else widths[:-1]


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


def _check_ranks(tensors: Mapping[str, SavedTensor], saved: SavedModel) -> None:
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
