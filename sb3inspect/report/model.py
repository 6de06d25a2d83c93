"""The report: plain frozen data, no torch inside.

``PolicyReport.to_dict()`` is the JSON contract (docs/json-report.md, checked against the schema
shipped as ``sb3inspect/report/schema.json``); renderers and checks read reports and never touch a
module. Reports are deeply immutable: lists are stored as tuples and mappings as read-only
``FrozenDict`` s (``report.frozen``), ``to_dict()`` returns fresh copies, and reports are hashable. Rows own their parameters directly, so a network's rows add up to its total;
totals come from the policy's unique parameters, so a shared features extractor counts once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sb3inspect.catalog import ACTIVATIONS
from sb3inspect.report import formats
from sb3inspect.report.frozen import FrozenDict, freeze, thaw

SCHEMA_VERSION = 1


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON with short lists of numbers kept on one line (``"shape": [64, 101]``)."""
    text = json.dumps(data, indent=indent)
    if indent is None:
        return text
    return _SCALAR_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)


_SCALAR_LIST = re.compile(r"\[((?:\s*-?[0-9.eE+-]+\s*,)*\s*-?[0-9.eE+-]+\s*)\]")

MATRIX = "Linear or Embedding"
"""The type of a state-dict row with a 2-D ``weight`` and no bias: ``Linear(in, out, bias=False)`` saves a
weight of shape (out, in), ``Embedding(num, dim)`` one of shape (num, dim), and nothing else in a state
dict tells them apart (the parameter count is the same). docs/json-report.md states the rule."""


@dataclass(frozen=True, slots=True)
class Layer:
    """One row: a module that owns parameters (or a parameter-free leaf), or a bare parameter."""

    path: str
    """Dotted name in ``policy.named_modules()``; a bare parameter uses its attribute name."""
    type: str
    """Module class name (``Linear``, ``Conv2d``, ``LSTM``, ``Tanh``) or ``Parameter``."""
    params: int
    """Parameters owned directly, so a network's rows add up to its total."""
    trainable: bool | None = None
    """All its parameters are trained by gradient (None for a layer without parameters)."""
    shared: bool = False
    """Also part of another network (a shared features extractor or LSTM)."""
    part: str = "body"
    """Where the row sits: ``features_extractor``, ``lstm``, ``body``, ``head`` or ``other``."""
    in_features: int | None = None
    out_features: int | None = None
    bias: bool | None = None
    in_channels: int | None = None
    out_channels: int | None = None
    kernel_size: tuple[int, ...] | None = None
    stride: tuple[int, ...] | None = None
    input_size: int | None = None
    hidden_size: int | None = None
    num_layers: int | None = None
    proj_size: int | None = None
    """A recurrent layer's projection size (LSTM ``proj_size``; 0: none)."""
    bidirectional: bool | None = None
    shape: tuple[int, ...] | None = None
    """Shape of a bare parameter (``log_std``)."""
    param_shapes: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """``(("weight", (64, 101)), ("bias", (64,)))``: each directly owned parameter's shape."""
    input_shape: tuple[int, ...] | None = None
    """Shape of one observation's input to this layer (no batch dimension), where measured."""
    output_shape: tuple[int, ...] | None = None
    macs: int | None = None
    """Weight multiply-accumulates for one observation (bias adds excluded); None if unknown."""

    def __post_init__(self) -> None:
        for name in _TUPLE_FIELDS:  # a list given by a caller is stored as a tuple
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, freeze(value))

    @property
    def is_activation(self) -> bool:
        """A parameter-free elementwise layer (``Tanh``, ``ReLU``, ...)."""
        return self.params == 0 and self.type in _ACTIVATION_TYPES

    def to_dict(self) -> dict[str, Any]:
        """The report's row (docs/json-report.md): identity, sizes, counts, flags; fields that do not apply are left out."""
        out: dict[str, Any] = {}
        for name in _LAYER_KEYS:
            value = getattr(self, name)
            if value is None or (name == "param_shapes" and not value):
                continue
            if name == "param_shapes":
                value = {key: list(shape) for key, shape in value}
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


_LAYER_KEYS = (
    "path",
    "type",
    "in_features",
    "out_features",
    "bias",
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "input_size",
    "hidden_size",
    "num_layers",
    "proj_size",
    "bidirectional",
    "shape",
    "input_shape",
    "output_shape",
    "params",
    "macs",
    "trainable",
    "shared",
    "part",
    "param_shapes",
)
_TUPLE_FIELDS = ("kernel_size", "stride", "shape", "param_shapes", "input_shape", "output_shape")
_ACTIVATION_TYPES = frozenset(ACTIVATIONS)


@dataclass(frozen=True, slots=True)
class Network:
    """One of the policy's networks: ``pi``, ``vf``, ``actor``, ``critic``, ``q_net``, ..."""

    name: str
    role: str
    """``policy``, ``value``, ``actor``, ``critic``, ``q_value``, ``quantile`` or ``other``."""
    params: int
    """Unique parameters of this network, a shared features extractor included."""
    trainable_params: int
    target: bool
    """A target network: a copy of an online network (Polyak-averaged, or DQN's periodic hard copy), never trained by gradient."""
    hidden_sizes: tuple[int, ...]
    """Widths of the hidden layers that net_arch built (features extractor and heads excluded):
    a tuple, ``(64, 64)``; a list given at construction is stored as one."""
    layers: tuple[Layer, ...]
    macs: int | None = None
    """Weight multiply-accumulates for one observation through this network, its features
    extractor included (bias adds excluded; an LSTM counts one step)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_sizes", freeze(self.hidden_sizes))
        object.__setattr__(self, "layers", tuple(self.layers))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "target": self.target,
            "hidden_sizes": list(self.hidden_sizes),
            "macs": self.macs,
            "layers": [layer.to_dict() for layer in self.layers],
        }


@dataclass(frozen=True, slots=True)
class Totals:
    params: int
    """Every parameter tensor of the policy, counted once."""
    trainable_params: int
    """Updated by gradient: requires_grad, in an optimizer, not in a target network."""
    frozen_params: int
    """Not trainable and not in a target network (``requires_grad=False``, or in no optimizer)."""
    target_params: int
    """Only in target networks."""
    bytes: int
    """Memory of the parameters at their dtypes."""
    dtypes: tuple[str, ...] = ("float32",)
    training_bytes: int | None = None
    """Estimate for training: the parameters, plus a gradient and the optimizer's state per trainable one."""
    optimizer_states: int | None = None
    """Parameter-sized state tensors the optimizer keeps (Adam 2, RMSprop 1, SGD 0)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dtypes", freeze(self.dtypes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "trainable_params": self.trainable_params,
            "frozen_params": self.frozen_params,
            "target_params": self.target_params,
            "bytes": self.bytes,
            "training_bytes": self.training_bytes,
            "optimizer_states": self.optimizer_states,
            "dtypes": list(self.dtypes),
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """A lint finding: something SB3 builds without a word, though it is probably not what was meant."""

    code: str
    """Stable identifier (``NA001``), for docs and for telling findings apart in CI logs."""
    name: str
    """The same in words (``qf-key-on-policy``)."""
    level: str
    """``error``: the network is not what the config says (``check`` always fails);
    ``warning``: it builds as meant, in a form SB3 deprecates or that hides a choice (fails with ``--strict``)."""
    where: str
    """The key path of the net_arch part at fault (``configs/a.yaml: policy_kwargs.net_arch.qf``)."""
    message: str
    """What SB3 does with it, in plain words."""
    fix: str
    """The rewrite that does what the config most likely meant."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "where": self.where,
            "message": self.message,
            "fix": self.fix,
        }


def _record_dict(record: Any) -> dict[str, Any]:
    """A record of plain fields as JSON data: tuples become lists, frozen mappings dicts."""
    return {item.name: thaw(getattr(record, item.name)) for item in fields(record)}


@dataclass(frozen=True, slots=True)
class InputStep:
    """What SB3 does to one observation input before the first layer (``preprocess_obs``), and what reads it."""

    key: str | None
    """The Dict key; None for a single observation space."""
    space: Mapping[str, Any]
    """The input's space spec as the policy sees it (after SB3's channel-first transpose)."""
    kind: str
    """``image`` (a uint8 image: divided by 255 unless normalize_images=False), ``float`` (a Box: cast to float,
    not scaled), ``one_hot`` (Discrete), ``one_hot_concat`` (MultiDiscrete), ``binary`` (MultiBinary: cast to float)."""
    width: int
    """Numbers the input holds after preprocessing (a Discrete(16) is 16 one-hot values; an image all its pixels)."""
    scaled: bool = False
    """Divided by 255 (``preprocess_obs`` with normalize_images=True on an image space)."""
    image: bool = False
    """SB3 treats it as an image (``is_image_space``: a uint8 Box in [0, 255])."""
    transposed_from: tuple[int, ...] | None = None
    """The channel-last shape the env gives, when SB3 transposes it to channel-first (``VecTransposeImage``)."""
    encoder: str | None = None
    """The module that reads it: the features extractor's class, or CombinedExtractor's branch for the key."""
    features: int | None = None
    """Features the encoder makes of it (CombinedExtractor concatenates these in key order)."""
    layer: str | None = None
    """Path of the first module that reads it (``features_extractor.flatten``)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "space", freeze(self.space))
        if self.transposed_from is not None:
            object.__setattr__(self, "transposed_from", tuple(self.transposed_from))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True, slots=True)
class ActionDistribution:
    """How the policy's head turns into actions: the distribution, its parameters and how actions meet the env."""

    kind: str
    """``gaussian``, ``gsde``, ``squashed_gaussian``, ``deterministic``, ``categorical``, ``multi_categorical``,
    ``bernoulli``, ``q_greedy`` (DQN) or ``quantile_greedy`` (QR-DQN)."""
    network: str
    """The network whose head it is (``pi``, ``actor``, ``q_net``, ``quantile_net``)."""
    distribution: str | None = None
    """SB3's distribution class (``DiagGaussianDistribution``); None for deterministic heads and Q-networks."""
    outputs: tuple[str, ...] = ()
    """Paths of the modules that give the distribution's inputs: ``("action_net",)``, ``("actor.mu", "actor.log_std")``."""
    width: int | None = None
    """Numbers the head outputs: logits, means, q-values, or quantiles × actions."""
    splits: tuple[int, ...] = ()
    """How the outputs divide: MultiCategorical's sub-spaces (10, 5, 5); QR-DQN's (quantiles, actions)."""
    log_std: Mapping[str, Any] | None = None
    """``{"path", "kind": "parameter" | "linear", "shape", "state_dependent", "init", "clamp"}``."""
    squash: str | None = None
    """``tanh`` when the sample (or the deterministic output) is squashed into [-1, 1]."""
    bounds: str | None = None
    """How a Box action meets the env's bounds: ``clip`` (np.clip before env.step and in predict) or ``rescale``
    (from [-1, 1] to [low, high]); None for discrete actions."""
    details: Mapping[str, Any] = field(default_factory=FrozenDict)
    """Kind-specific facts: gSDE's ``latent_dim``, ``full_std``, ``use_expln``, ``sample_freq``, ``learn_features``;
    ``clip_mean``; DQN's ``exploration`` (ε schedule); TD3's ``action_noise`` and target smoothing; ``masked`` and
    ``mask_size`` (MaskablePPO)."""

    def __post_init__(self) -> None:
        for name in ("outputs", "splits", "log_std", "details"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True, slots=True)
class OptimizerInfo:
    """One optimizer the algorithm trains with, and the parameters its param_groups hold."""

    name: str
    """Where it lives: ``policy.optimizer``, ``policy.actor.optimizer``, ``policy.critic.optimizer``, ``ent_coef_optimizer``."""
    type: str
    """Its class (``Adam``, ``RMSprop``, ``RMSpropTFLike``)."""
    options: Mapping[str, Any]
    """The keywords it is created with: ``lr`` (the schedule's initial value) and ``optimizer_kwargs``; a saved model's
    valued as its ``*.optimizer.pth`` param_group holds them."""
    params: int
    """Parameters its param_groups hold."""
    updated: int
    """Of those, the ones its ``step()`` changes (TRPO clears the actor's gradients first: the value path only)."""
    modules: tuple[str, ...]
    """Module paths whose parameters it updates (``critic.qf0``); ``log_ent_coef`` outside the policy."""
    excluded: tuple[str, ...] = ()
    """Modules of its own network (or held in its groups) that it does not update, with the reason in ``loss``."""
    loss: str | None = None
    """The loss that gives it gradients (``policy_loss + 0.5·value_loss − 0.0·entropy``), with the algorithm's values."""
    note: str | None = None
    """What that loss means for the parameters it reaches, in words."""
    in_policy: bool = True
    """False for ``ent_coef_optimizer``: ``log_ent_coef`` is the algorithm's, not a policy parameter."""

    def __post_init__(self) -> None:
        for name in ("options", "modules", "excluded"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True, slots=True)
class GradientFlow:
    """Which losses reach a module that more than one network uses (or that SB3 detaches)."""

    module: str
    """Module path (``features_extractor``, ``lstm_actor``, ``actor.features_extractor``)."""
    networks: tuple[str, ...]
    """The networks that use its output."""
    trained_by: tuple[str, ...]
    """The losses whose gradients reach it (``policy loss``, ``value loss × 0.5``, ``actor loss``)."""
    not_by: tuple[str, ...] = ()
    """Losses of networks that use it but do not reach it."""
    why: str = ""
    """SB3's reason, in words (``the critic computes its features under th.set_grad_enabled(False)``)."""

    def __post_init__(self) -> None:
        for name in ("networks", "trained_by", "not_by"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True, slots=True)
class TargetUpdate:
    """How a target network follows its online network."""

    network: str
    """The target (``q_net_target``, ``critic_target``)."""
    source: str
    """The online network it copies (``q_net``, ``critic``)."""
    rule: str
    """``copy`` (tau = 1: overwritten) or ``polyak`` (target ← tau·online + (1 − tau)·target)."""
    tau: float
    every: int
    """Updates happen every ``every`` ``unit``."""
    unit: str
    """``env steps`` (DQN: target_update_interval, counted over all envs), ``gradient steps`` (SAC, TQC) or
    ``critic updates`` (TD3's policy_delay)."""
    shared: tuple[str, ...] = ()
    """Target modules that several targets share (TD3's target features extractor): Polyak-updated once per target,
    so their effective coefficient is a multiple of tau."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "shared", tuple(self.shared))

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True, slots=True)
class InputComposition:
    """A layer whose input is several things concatenated, and the parts in order."""

    layer: str
    """The module (``critic.qf0.0``, ``features_extractor``)."""
    width: int
    parts: tuple[tuple[str, int], ...]
    """(what, width) in concatenation order: ``(("features", 10), ("actions", 3))``."""
    why: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple((str(name), int(size)) for name, size in self.parts))

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "width": self.width, "parts": [list(part) for part in self.parts], "why": self.why}


@dataclass(frozen=True, slots=True)
class PolicyReport:
    """What a config (or a model) builds, network by network."""

    algo: str | None
    policy_class: str
    observation_space: Mapping[str, Any]
    """The space spec (``{"type": "Box", "shape": (101,), "dtype": "float32"}``), read-only."""
    action_space: Mapping[str, Any]
    networks: tuple[Network, ...]
    totals: Totals
    policy: str | None = None
    """The alias the config named (``MlpPolicy``), when known."""
    net_arch: Any = None
    """net_arch as the policy stores it (after SB3's defaults)."""
    activation_fn: str | None = None
    features_extractor: Mapping[str, Any] | None = None
    """``{"class": "FlattenExtractor", "features_dim": 101, "shared": true}``."""
    optimizer: str | None = None
    """The optimizer class training would use (``Adam``; A2C's ``RMSprop``); none for ARS."""
    notes: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    """Lint findings about the net_arch the report was built from (see ``analysis.lint``) and about sizes."""
    training: Mapping[str, Any] = field(default_factory=FrozenDict)
    """The config's training hyperparameters as it gave them (``n_steps``, ``learning_rate``,
    rl-zoo3's ``n_envs``...): settings that do not change the networks. Those that do (``use_sde``,
    ``frame_stack``, ``normalize``, ``env_wrapper``) are applied, and the notes say how. A saved or live
    model's: the algorithm keywords it keeps as plain values (``sources.training.kept_hyperparameters``)."""
    preprocessing: tuple[InputStep, ...] = ()
    """What SB3 does to each observation input before the first layer (one per Dict key)."""
    action_distribution: ActionDistribution | None = None
    """How the head's outputs become actions."""
    optimizers: tuple[OptimizerInfo, ...] = ()
    """Every optimizer training uses, with what its param_groups hold and what it updates."""
    gradients: tuple[GradientFlow, ...] = ()
    """Which losses reach the modules several networks use (shared extractors, a shared LSTM)."""
    targets: tuple[TargetUpdate, ...] = ()
    """How each target network follows its online network (the algorithm's tau and interval)."""
    settings: Mapping[str, Any] = field(default_factory=FrozenDict)
    """Policy settings that are not layers (``ortho_init``, ``log_std_init``, ``normalize_images``, ``squash_output``,
    ``full_std``, ``optimizer_class``, ``optimizer_kwargs``, ``features_extractor_kwargs``...), as the policy holds them."""
    aliases: Mapping[str, str] = field(default_factory=FrozenDict)
    """Other names of one module in ``print(model.policy)`` and the state dict -> the name the tables use
    (``pi_features_extractor`` -> ``features_extractor``)."""
    input_composition: tuple[InputComposition, ...] = ()
    """Layers that read several things concatenated (a critic's features + actions, CombinedExtractor's keys)."""
    buffer: Mapping[str, Any] | None = None
    """The rollout or replay buffer training fills: ``{"class", "steps", "n_envs", "bytes"}`` (None when unknown);
    a ReplayBuffer without optimize_memory_usage also ``optimized_bytes``, its size with it."""
    recurrent: Mapping[str, Any] | None = None
    """What carries memory in a recurrent policy (RecurrentPPO): which LSTM pi and vf read, and the
    (h, c) state shapes training carries between steps; None for a policy without one."""
    custom: Mapping[str, str] = field(default_factory=FrozenDict)
    """Policy modules whose class is not SB3's (``{"mlp_extractor": "CustomNetwork"}``): net_arch and activation_fn
    do not describe them; their layers do."""
    source: str | None = None
    extra: Mapping[str, Any] = field(default_factory=FrozenDict, metadata={"json": "rest"})
    """Top-level keys a source adds to the JSON report (a saved model's ``saved_model``); never one of
    the report's own keys (``KEYS``): that raises ``ValueError`` at construction."""

    KEYS = frozenset(
        {
            "schema_version",
            "source",
            "algo",
            "policy",
            "policy_class",
            "observation_space",
            "action_space",
            "net_arch",
            "activation_fn",
            "features_extractor",
            "optimizer",
            "networks",
            "totals",
            "notes",
            "findings",
            "training",
            "preprocessing",
            "action_distribution",
            "optimizers",
            "gradients",
            "targets",
            "settings",
            "aliases",
            "input_composition",
            "buffer",
            "recurrent",
            "custom",
        }
    )
    """The keys ``to_dict()`` always writes; ``extra`` adds others beside them."""

    def __post_init__(self) -> None:
        for name in (
            "observation_space",
            "action_space",
            "net_arch",
            "features_extractor",
            "notes",
            "training",
            "settings",
            "aliases",
            "buffer",
            "recurrent",
            "custom",
            "extra",
        ):
            object.__setattr__(self, name, freeze(getattr(self, name)))
        for name in (
            "networks",
            "findings",
            "preprocessing",
            "optimizers",
            "gradients",
            "targets",
            "input_composition",
        ):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        clash = sorted(self.KEYS & set(self.extra))
        if clash:
            raise ValueError(
                f"extra would replace the report's own key(s) {', '.join(clash)}; give the new facts a key of their own"
            )

    def network(self, name: str) -> Network:
        """The network called ``name``; a KeyError lists the names there are."""
        for network in self.networks:
            if network.name == name:
                return network
        raise KeyError(f"no network {name!r} in this {self.algo or 'policy'} report; it has {', '.join(self.names)}")

    @property
    def safety(self) -> Mapping[str, Any] | None:
        """A saved model's safety verdict (``saved_model.safety``): ``verdict`` and ``findings``; None for a config."""
        saved_model = self.extra.get("saved_model")
        found = saved_model.get("safety") if isinstance(saved_model, Mapping) else None
        return found if isinstance(found, Mapping) else None

    @property
    def names(self) -> list[str]:
        return [network.name for network in self.networks]

    def __iter__(self) -> Iterator[Network]:
        return iter(self.networks)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "algo": self.algo,
            "policy": self.policy,
            "policy_class": self.policy_class,
            "observation_space": thaw(self.observation_space),
            "action_space": thaw(self.action_space),
            "net_arch": thaw(self.net_arch),
            "activation_fn": self.activation_fn,
            "features_extractor": thaw(self.features_extractor),
            "optimizer": self.optimizer,
            "training": thaw(self.training),
            "networks": [network.to_dict() for network in self.networks],
            "totals": self.totals.to_dict(),
            "notes": list(self.notes),
            "findings": [finding.to_dict() for finding in self.findings],
            "preprocessing": [step.to_dict() for step in self.preprocessing],
            "action_distribution": self.action_distribution.to_dict() if self.action_distribution else None,
            "optimizers": [optimizer.to_dict() for optimizer in self.optimizers],
            "gradients": [flow.to_dict() for flow in self.gradients],
            "targets": [target.to_dict() for target in self.targets],
            "settings": thaw(self.settings),
            "aliases": thaw(self.aliases),
            "input_composition": [part.to_dict() for part in self.input_composition],
            "buffer": thaw(self.buffer),
            "recurrent": thaw(self.recurrent),
            "custom": thaw(self.custom),
        }
        out.update(thaw(self.extra))
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> PolicyReport:
        """The report ``to_dict`` wrote, rebuilt and checked (``SourceError`` with code ``invalid-report`` if it is not one).

        ``PolicyReport.from_dict(report.to_dict()) == report``; the data is read as untrusted input.
        """
        from sb3inspect.report.decode import from_plain, invalid

        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            raise invalid("report", f"is not a report of schema_version {SCHEMA_VERSION}")
        report: PolicyReport = from_plain(cls, {key: value for key, value in data.items() if key != "schema_version"})
        return report

    def render(self, fmt: str = "table", **options: Any) -> str:
        """The report as text: ``table`` (rich, no colour), ``json`` or ``markdown``."""
        return formats.render("report", self, fmt, **options)

    def __str__(self) -> str:
        return self.render("table")
