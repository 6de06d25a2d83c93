"""A policy module -> ``PolicyReport``: which modules make up which network, by identity.

Networks are found by the attributes SB3 gives each policy family (``pi_features_extractor``,
``mlp_extractor.policy_net``, ``actor``, ``critic_target``, ``q_net`` ...), never by name prefix,
so a shared features extractor is one module listed in two networks and counted once in the
totals. Whatever no network claims is reported in an ``other`` network: nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sb3inspect import catalog
from sb3inspect.report.model import Layer, Network, PolicyReport, Totals
from sb3inspect.sources.spaces import describe


@dataclass
class _Part:
    kind: str
    """features_extractor, lstm, body, mlp (hidden layers + last-layer head), head, other."""
    obj: Any
    """A module or a bare parameter."""


@dataclass
class _NetSpec:
    name: str
    role: str
    target: bool = False
    parts: list[_Part] = field(default_factory=list)

    def add(self, kind: str, obj: Any) -> None:
        if obj is not None:
            self.parts.append(_Part(kind, obj))


def walk_policy(
    policy: Any,
    *,
    algo: str | None = None,
    policy_alias: str | None = None,
    observation_space: Any = None,
    action_space: Any = None,
    notes: Iterable[str] = (),
    source: str | None = None,
    optimizer: tuple[str, dict[str, Any]] | None = None,
    algorithm: Any = None,
    env_observation_space: Any = None,
) -> PolicyReport:
    """Report every network of an SB3 policy (any device, meta included).

    ``optimizer`` (class name, options) names the class of the policy's optimizers when the build
    recorded them in a stand-in; by default it is read from the optimizers the policy's modules
    carry (``policy.optimizer``, ``actor.optimizer``...). ``algorithm`` is the SB3 algorithm object
    the policy belongs to (tau, intervals, loss weights); ``env_observation_space`` what the env gives
    before SB3's channel-first transpose.
    """
    from sb3inspect.build.shapes import probe_shapes
    from sb3inspect.report.answers import Answers, param_ids

    optimizer = optimizer or _live_optimizer(policy)
    specs, members, owners = _assign(policy)
    target_ids = _target_param_ids(policy, specs)
    trainable = _trainable_predicate(policy, target_ids)
    probe = probe_shapes(policy)
    names = _Names(policy, probe.shapes)
    networks = tuple(_network(spec, rows, owners, names, trainable) for spec, rows in zip(specs, members, strict=True))
    answers = Answers(
        policy,
        algorithm=algorithm,
        algo=algo,
        env_observation_space=env_observation_space,
        network_params={spec.name: param_ids(part.obj for part in spec.parts) for spec in specs},
        target_params=target_ids,
    )
    optimizers = answers.optimizers()
    observation_space = (
        observation_space if observation_space is not None else getattr(policy, "observation_space", None)
    )
    action_space = action_space if action_space is not None else getattr(policy, "action_space", None)
    return PolicyReport(
        algo=algo,
        policy=policy_alias,
        policy_class=type(policy).__name__,
        observation_space=describe(observation_space) if observation_space is not None else {},
        action_space=describe(action_space) if action_space is not None else {},
        networks=networks,
        totals=_totals(policy, trainable, target_ids, optimizer, answers.states_by_param()),
        net_arch=_plain(getattr(policy, "net_arch", None)),
        activation_fn=_class_name(getattr(policy, "activation_fn", None)),
        features_extractor=_features_extractor(policy, specs),
        notes=(*notes, *probe.notes),
        source=source,
        optimizer=optimizer[0] if optimizer else None,
        preprocessing=answers.preprocessing(),
        action_distribution=answers.action_distribution(),
        optimizers=optimizers,
        gradients=answers.gradients(),
        targets=answers.targets(),
        settings=answers.settings(),
        aliases=answers.aliases(),
        input_composition=answers.compositions(),
        buffer=answers.buffer(),
        recurrent=answers.recurrent(),
        custom=answers.custom(),
    )


Row = tuple[str, Any, str]
"""(kind: "module" or "param", the module or parameter, part)."""


def _assign(policy: Any) -> tuple[list[_NetSpec], list[list[Row]], dict[int, set[int]]]:
    """Each network's rows, plus which networks hold each row's object (to tell shared rows).

    Whatever holds parameters and no network claims goes to a last network, ``other``.
    """
    specs = network_specs(policy)
    members = [list(_rows_of(spec)) for spec in specs]
    owners: dict[int, set[int]] = {}
    for index, rows in enumerate(members):
        for _, obj, _ in rows:
            owners.setdefault(id(obj), set()).add(index)
    leftovers = _unclaimed(policy, owners)
    if leftovers:
        spec = _NetSpec("other", "other", parts=[_Part("other", obj) for obj in leftovers])
        specs.append(spec)
        members.append(list(_rows_of(spec)))
        for _, obj, _ in members[-1]:
            owners.setdefault(id(obj), set()).add(len(specs) - 1)
    return specs, members, owners


class _Names:
    """Paths of modules and parameters in the policy, and the shapes the probe measured."""

    def __init__(self, policy: Any, shapes: dict[int, Any]) -> None:
        self.modules = {id(module): name for name, module in policy.named_modules()}
        self.params = {id(param): name for name, param in policy.named_parameters()}
        self.shapes = shapes


def _network(spec: _NetSpec, rows: list[Row], owners: dict[int, set[int]], names: _Names, trainable: Any) -> Network:
    layers = []
    params: dict[int, Any] = {}  # by identity: a parameter counts once per network
    for kind, obj, part in rows:
        shared = len(owners[id(obj)]) > 1
        if kind == "param":
            layers.append(_param_row(obj, names.params.get(id(obj), "?"), trainable, shared, part))
            params[id(obj)] = obj
        else:
            layers.append(
                _module_row(obj, names.modules.get(id(obj), "?"), trainable, shared, part, names.shapes.get(id(obj)))
            )
            params.update((id(p), p) for p in obj.parameters(recurse=False))
    return Network(
        name=spec.name,
        role=spec.role,
        params=sum(p.numel() for p in params.values()),
        trainable_params=sum(p.numel() for p in params.values() if trainable(p)),
        target=spec.target,
        hidden_sizes=_hidden_sizes(spec),
        layers=tuple(layers),
        macs=_network_macs(layers),
    )


def _totals(
    policy: Any,
    trainable: Any,
    target_ids: set[int],
    optimizer: tuple[str, dict[str, Any]] | None,
    states_of: dict[int, int] | None = None,
) -> Totals:
    """From the policy's unique parameters, so shared modules count once.

    ``states_of`` maps a parameter to the state tensors of the optimizer that updates it (none for
    one that no optimizer steps, such as TRPO's actor); without it, every trainable parameter
    carries the main optimizer's state.
    """
    from sb3inspect.catalog import optimizer_states

    unique = list({id(p): p for p in policy.parameters()}.values())

    def count(keep: Any) -> int:
        return sum(p.numel() for p in unique if keep(p))

    states = optimizer_states(*optimizer) if optimizer else None
    training = None
    if states is not None:  # every trainable parameter also holds a gradient and its optimizer's state

        def extra(p: Any) -> int:
            if not trainable(p):
                return 0
            return 1 + (states_of.get(id(p), 0) if states_of is not None else states)

        training = sum(p.numel() * p.element_size() * (1 + extra(p)) for p in unique)

    return Totals(
        params=count(lambda p: True),
        trainable_params=count(trainable),
        frozen_params=count(lambda p: not trainable(p) and id(p) not in target_ids),
        target_params=count(lambda p: id(p) in target_ids),
        bytes=sum(p.numel() * p.element_size() for p in unique),
        dtypes=tuple(sorted({str(p.dtype).removeprefix("torch.") for p in unique})) or ("float32",),
        training_bytes=training,
        optimizer_states=states,
    )


def _live_optimizer(policy: Any) -> tuple[str, dict[str, Any]] | None:
    """The (first) optimizer a live policy's modules carry, as (class name, options)."""
    for module in policy.modules():
        optimizer = getattr(module, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "param_groups") and hasattr(optimizer, "defaults"):
            return type(optimizer).__name__, dict(optimizer.defaults)
    return None


def network_specs(policy: Any) -> list[_NetSpec]:
    """The networks of a policy, by the attributes its SB3 family defines."""
    if hasattr(policy, "mlp_extractor") and hasattr(policy, "value_net"):
        return _actor_critic(policy)
    if hasattr(policy, "actor") and hasattr(policy, "critic"):
        return _actor_and_critics(policy)
    if hasattr(policy, "q_net") and hasattr(policy, "q_net_target"):
        return [
            _q_network(policy.q_net, "q_net", "q_value"),
            _q_network(policy.q_net_target, "q_net_target", "q_value", True),
        ]
    if hasattr(policy, "quantile_net") and hasattr(policy, "quantile_net_target"):
        return [
            _q_network(policy.quantile_net, "quantile_net", "quantile"),
            _q_network(policy.quantile_net_target, "quantile_net_target", "quantile", True),
        ]
    if hasattr(policy, "action_net") and hasattr(policy, "features_extractor"):  # ARS
        spec = _NetSpec("pi", "policy")
        spec.add("features_extractor", policy.features_extractor)
        spec.add("mlp", policy.action_net)
        return [spec]
    return []


def _actor_critic(policy: Any) -> list[_NetSpec]:
    pi = _NetSpec("pi", "policy")
    vf = _NetSpec("vf", "value")
    pi.add("features_extractor", _first(policy, "pi_features_extractor", "features_extractor"))
    vf.add("features_extractor", _first(policy, "vf_features_extractor", "features_extractor"))
    if hasattr(policy, "lstm_actor"):  # sb3-contrib RecurrentActorCriticPolicy
        pi.add("lstm", policy.lstm_actor)
        if getattr(policy, "lstm_critic", None) is not None:
            vf.add("lstm", policy.lstm_critic)
        elif getattr(policy, "shared_lstm", False):
            vf.add("lstm", policy.lstm_actor)
        else:
            vf.add("lstm", getattr(policy, "critic", None))
    pi.add("body", policy.mlp_extractor.policy_net)
    vf.add("body", policy.mlp_extractor.value_net)
    pi.add("head", policy.action_net)
    pi.add("head", getattr(policy, "log_std", None))
    vf.add("head", policy.value_net)
    return [pi, vf]


def _first(obj: Any, *names: str) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _actor_and_critics(policy: Any) -> list[_NetSpec]:
    specs = [_actor(policy.actor, "actor")]
    if getattr(policy, "actor_target", None) is not None:
        specs.append(_actor(policy.actor_target, "actor_target", target=True))
    specs.append(_critic(policy.critic, "critic"))
    if getattr(policy, "critic_target", None) is not None:
        specs.append(_critic(policy.critic_target, "critic_target", target=True))
    return specs


def _actor(actor: Any, name: str, target: bool = False) -> _NetSpec:
    spec = _NetSpec(name, "actor", target)
    spec.add("features_extractor", getattr(actor, "features_extractor", None))
    if getattr(actor, "latent_pi", None) is not None:  # SAC, TQC, CrossQ: latent_pi then mu / log_std heads
        spec.add("body", actor.latent_pi)
        spec.add("head", actor.mu)
        spec.add("head", getattr(actor, "log_std", None))
    else:  # TD3, DDPG: mu is the whole MLP, last layer included
        spec.add("mlp", actor.mu)
    spec.add("other", actor)
    return spec


def _critic(critic: Any, name: str, target: bool = False) -> _NetSpec:
    spec = _NetSpec(name, "critic", target)
    spec.add("features_extractor", getattr(critic, "features_extractor", None))
    for q_net in getattr(critic, "q_networks", []):
        spec.add("mlp", q_net)
    spec.add("other", critic)
    return spec


def _q_network(network: Any, name: str, role: str, target: bool = False) -> _NetSpec:
    spec = _NetSpec(name, role, target)
    spec.add("features_extractor", getattr(network, "features_extractor", None))
    for attr in ("q_net", "quantile_net"):
        spec.add("mlp", getattr(network, attr, None))
    spec.add("other", network)
    return spec


def _rows_of(spec: _NetSpec) -> Iterable[tuple[str, Any, str]]:
    """(kind, module or parameter, part) for every row of a network, each object once.

    Leaf modules are rows; a parameter held directly by a container (``log_std`` on the policy
    or on a gSDE actor) is a row of its own, named by its attribute path.
    """
    import torch

    seen: set[int] = set()
    for part in spec.parts:
        kind = _part_of(part.kind)
        if isinstance(part.obj, torch.nn.Parameter):
            if id(part.obj) not in seen:
                seen.add(id(part.obj))
                yield "param", part.obj, kind
            continue
        for module in part.obj.modules():
            if id(module) in seen:
                continue
            seen.add(id(module))
            direct = list(module.parameters(recurse=False))
            if not any(True for _ in module.children()):
                if direct or part.kind != "other":
                    yield "module", module, kind
                continue
            for param in direct:
                if id(param) not in seen:
                    seen.add(id(param))
                    yield "param", param, kind


def _part_of(kind: str) -> str:
    return "body" if kind == "mlp" else kind


def _unclaimed(policy: Any, owners: dict[int, set[int]]) -> list[Any]:
    """Leaf modules and bare parameters holding parameters that no network claimed."""
    claimed = set(owners)
    for module in policy.modules():
        if id(module) in owners:
            claimed.update(id(p) for p in module.parameters(recurse=False))
    leftovers: list[Any] = []
    for module in policy.modules():
        direct = [p for p in module.parameters(recurse=False) if id(p) not in claimed]
        if not direct:
            continue
        if any(True for _ in module.children()):
            leftovers.extend(direct)
        else:
            leftovers.append(module)
    return leftovers


def _target_param_ids(policy: Any, specs: list[_NetSpec]) -> set[int]:
    """Parameters that live only in target networks."""
    in_target: set[int] = set()
    in_other: set[int] = set()
    for spec in specs:
        ids = _param_ids(spec)
        (in_target if spec.target else in_other).update(ids)
    return in_target - in_other


def _param_ids(spec: _NetSpec) -> set[int]:
    import torch

    ids: set[int] = set()
    for part in spec.parts:
        if isinstance(part.obj, torch.nn.Parameter):
            ids.add(id(part.obj))
        else:
            ids.update(id(p) for p in part.obj.parameters())
    return ids


def _trainable_predicate(policy: Any, target_ids: set[int]) -> Any:
    """Trainable = requires_grad, not a target, and (when the policy has optimizers) in one of them."""
    optimized: set[int] | None = None
    for module in policy.modules():
        optimizer = getattr(module, "optimizer", None)
        groups = getattr(optimizer, "param_groups", None)
        if groups is None:
            continue
        optimized = optimized or set()
        for group in groups:
            optimized.update(id(p) for p in group["params"])

    def trainable(param: Any) -> bool:
        if not param.requires_grad or id(param) in target_ids:
            return False
        return optimized is None or id(param) in optimized

    return trainable


def _module_row(module: Any, path: str, trainable: Any, shared: bool, part: str, shapes: Any = None) -> Layer:
    import torch.nn as nn

    direct = list(module.named_parameters(recurse=False))
    facts: dict[str, Any] = {}
    if isinstance(module, nn.Linear):
        # int(): SB3 sizes a MultiDiscrete head with numpy's sum(nvec), which Linear keeps as numpy.int64
        facts = {
            "in_features": int(module.in_features),
            "out_features": int(module.out_features),
            "bias": module.bias is not None,
        }
    elif isinstance(module, nn.modules.conv._ConvNd):
        facts = {
            "in_channels": module.in_channels,
            "out_channels": module.out_channels,
            "kernel_size": tuple(module.kernel_size),
            "stride": tuple(module.stride),
            "bias": module.bias is not None,
        }
    elif isinstance(module, nn.RNNBase):
        facts = {
            "input_size": module.input_size,
            "hidden_size": module.hidden_size,
            "num_layers": module.num_layers,
            "bias": module.bias,
            "proj_size": getattr(module, "proj_size", 0),
            "bidirectional": module.bidirectional,
        }
    if shapes is not None:
        facts["input_shape"], facts["output_shape"] = shapes
    return Layer(
        path=path,
        type=type(module).__name__,
        params=sum(p.numel() for _, p in direct),
        trainable=all(trainable(p) for _, p in direct) if direct else None,
        shared=shared,
        part=part,
        param_shapes=tuple((name, tuple(p.shape)) for name, p in direct),
        macs=_macs(module, shapes),
        **facts,
    )


def _macs(module: Any, shapes: Any) -> int | None:
    """Weight multiply-accumulates of one observation through a layer (bias adds excluded).

    Linear ``in × out``; convolutions ``k·k·in/groups · out · output pixels``; recurrent layers
    one step, ``gates · h · (in + out) + h · p`` per layer and direction, where ``out`` is the
    projection size ``p`` when there is one (its ``h × p`` projection included), else ``h``;
    layers without weights 0, and so are elementwise layers (norms, PReLU: no weight matrix);
    anything else with parameters is unknown (None).
    """
    import math

    import torch.nn as nn

    if isinstance(module, nn.Linear):
        rows = math.prod(shapes[0][:-1]) if shapes and len(shapes[0]) > 1 else 1
        return int(module.in_features) * int(module.out_features) * rows  # int(): see _module_row
    if isinstance(module, nn.modules.conv._ConvNd):
        if not shapes:
            return None
        per_pixel = math.prod(module.kernel_size) * (module.in_channels // module.groups) * module.out_channels
        return int(per_pixel * math.prod(shapes[1][1:]))
    if isinstance(module, nn.RNNBase):
        gates = catalog.RNN_GATES.get(module.mode.split("_")[0], 1) if hasattr(module, "mode") else 1
        directions = 2 if module.bidirectional else 1
        hidden, projection = module.hidden_size, getattr(module, "proj_size", 0)
        out = projection or hidden
        total = 0
        for layer in range(module.num_layers):
            width = module.input_size if layer == 0 else out * directions
            total += (gates * hidden * (width + out) + hidden * projection) * directions
        return total
    if not any(True for _ in module.parameters(recurse=False)):
        return 0
    if isinstance(module, (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.Embedding)):
        return 0  # elementwise scale or a lookup: no weight matrix
    if type(module).__name__ in catalog.ELEMENTWISE_MODULES:
        return 0
    return None


def _network_macs(layers: list[Layer]) -> int | None:
    """The sum, or None when a layer with weights has unknown MACs (an honest blank, not an undercount)."""
    if any(layer.macs is None and layer.params for layer in layers):
        return None
    return sum(layer.macs or 0 for layer in layers)


def _param_row(param: Any, path: str, trainable: Any, shared: bool, part: str) -> Layer:
    return Layer(
        path=path,
        type="Parameter",
        params=param.numel(),
        trainable=trainable(param),
        shared=shared,
        part=part,
        shape=tuple(param.shape),
        macs=0 if path.endswith("log_std") else None,  # log_std scales no activation; others are unknown
    )


def _hidden_sizes(spec: _NetSpec) -> tuple[int, ...]:
    """Widths net_arch built: body Linear layers, or an mlp part's Linear layers but its last."""
    import torch.nn as nn

    sizes: list[int] = []
    for part in spec.parts:
        if part.kind == "body":
            sizes += [m.out_features for m in part.obj.modules() if isinstance(m, nn.Linear)]
        elif part.kind == "mlp":
            sizes += [m.out_features for m in part.obj.modules() if isinstance(m, nn.Linear)][:-1]
            break  # every q-net of a critic has the same widths: report the first
    return tuple(sizes)


def _features_extractor(policy: Any, specs: list[_NetSpec]) -> dict[str, Any] | None:
    extractors = [
        part.obj for spec in specs for part in spec.parts if part.kind == "features_extractor" and not spec.target
    ]
    if not extractors:
        return None
    first = extractors[0]
    info: dict[str, Any] = {"class": type(first).__name__}
    if hasattr(first, "features_dim"):
        info["features_dim"] = int(first.features_dim)
    if len(extractors) > 1:
        info["shared"] = all(extractor is first for extractor in extractors)
    kwargs = getattr(policy, "features_extractor_kwargs", None)
    if kwargs:
        info["kwargs"] = _plain(kwargs)
    return info


def _class_name(value: Any) -> str | None:
    if value is None:
        return None
    return value.__name__ if isinstance(value, type) else type(value).__name__


def _plain(value: Any) -> Any:
    """JSON-safe copy of net_arch-like values (classes become their names)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, type):
        return value.__name__
    return repr(value)


def tensor_table(policy: Any) -> dict[str, tuple[tuple[int, ...], str]]:
    """Every state-dict entry of a policy as (shape, dtype name): what a saved ``policy.pth`` holds."""
    return {name: (tuple(t.shape), str(t.dtype).removeprefix("torch.")) for name, t in policy.state_dict().items()}


def alias_table(policy: Any) -> dict[str, str]:
    """Every state-dict entry -> the first entry of the same tensor (``pi_features_extractor.*`` ->
    ``features_extractor.*`` when one extractor is shared): how ``policy.pth`` may name it."""
    first: dict[int, str] = {}
    return {name: first.setdefault(id(t), name) for name, t in policy.state_dict(keep_vars=True).items()}


def parameter_table(policy: Any) -> dict[str, tuple[int, int, str]]:
    """Each parameter once (as the totals count them): (element count, bytes per element, dtype name)."""
    return {
        name: (p.numel(), p.element_size(), str(p.dtype).removeprefix("torch."))
        for name, p in policy.named_parameters()
    }
