"""Everything sb3inspect knows about SB3, sb3-contrib, rl-zoo3, gymnasium and torch, in one place.

Nothing here decides an architecture: the build stage constructs the real classes and is the
truth. These tables let a bad config fail fast, with a did-you-mean, on the error path that must
not import torch; let a saved model's readable fields name its algorithm; and name what each
stage reads (network attributes, rl-zoo3 wrappers, env packages). ``tests/test_catalog.py`` holds
each table the installed SB3, sb3-contrib, rl-zoo3, gymnasium and torch can confirm against them, so
drift fails CI instead of misleading users; the others (pip names, facts of old releases) say where
they come from.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# Keyword arguments of the policy classes, grouped by family (minus the spaces and lr_schedule).
_COMMON = (
    "net_arch",
    "activation_fn",
    "features_extractor_class",
    "features_extractor_kwargs",
    "normalize_images",
    "optimizer_class",
    "optimizer_kwargs",
)
_ACTOR_CRITIC = (
    *_COMMON,
    "ortho_init",
    "use_sde",
    "log_std_init",
    "full_std",
    "use_expln",
    "squash_output",
    "share_features_extractor",
)
_RECURRENT = (*_ACTOR_CRITIC, "lstm_hidden_size", "n_lstm_layers", "shared_lstm", "enable_critic_lstm", "lstm_kwargs")
_MASKABLE = (*_COMMON, "ortho_init", "share_features_extractor")
_SAC = (*_COMMON, "use_sde", "log_std_init", "use_expln", "clip_mean", "n_critics", "share_features_extractor")
_TQC = (*_SAC, "n_quantiles")
_CROSSQ = (*_SAC, "batch_norm", "batch_norm_momentum", "batch_norm_eps", "renorm_warmup_steps")
_TD3 = (*_COMMON, "n_critics", "share_features_extractor")
_DQN = _COMMON
_QRDQN = (*_COMMON, "n_quantiles")
_ARS = ("net_arch", "activation_fn", "with_bias", "squash_output")
_ARS_LINEAR = ("with_bias", "squash_output")

_ALL_SPACES = ("Box", "Discrete", "MultiDiscrete", "MultiBinary")


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    class_name: str
    """Class the alias resolves to, e.g. ``ActorCriticPolicy`` for PPO's ``MlpPolicy``."""
    kwargs: tuple[str, ...]
    """Keyword arguments the class accepts besides the spaces and ``lr_schedule``."""


@dataclass(frozen=True, slots=True)
class AlgoInfo:
    name: str
    """Class name, e.g. ``PPO`` or ``RecurrentPPO``."""
    package: str
    """``stable_baselines3`` or ``sb3_contrib``."""
    family: str
    """``on_policy`` (pi and vf), ``off_policy`` (actor / critic / q-nets) or ``ars``."""
    action_spaces: tuple[str, ...]
    """Action space types the algorithm accepts (its ``supported_action_spaces``)."""
    policies: dict[str, PolicyInfo]
    """Policy aliases (``MlpPolicy``, ...) in SB3's order."""
    use_sde: bool
    """Whether the algorithm takes ``use_sde`` (gSDE)."""

    @property
    def pip_name(self) -> str:
        return self.package.replace("_", "-")

    @property
    def qualified_name(self) -> str:
        """``sb3_contrib.CrossQ``: the name ``RELEASES`` and ``unavailable`` know it by."""
        return f"{self.package}.{self.name}"


Q_LEARNING = ("DQN", "QRDQN")
"""Algorithms that learn one Q-network (DQN's ``q_net``, QR-DQN's ``quantile_net``): net_arch is one list, and
the target network is a copy made every ``target_update_interval`` steps, not a Polyak average."""


def net_arch_keys(family: str) -> tuple[str, str]:
    """The keys of a net_arch mapping: ``pi`` and ``vf`` on-policy, ``pi`` and ``qf`` off-policy."""
    return ("pi", "vf") if family == "on_policy" else ("pi", "qf")


def _policies(
    mlp: str, cnn: str | None, multi: str | None, kwargs: tuple[str, ...], lstm: bool = False
) -> dict[str, PolicyInfo]:
    suffix = "LstmPolicy" if lstm else "Policy"
    table = {f"Mlp{suffix}": PolicyInfo(mlp, kwargs)}
    if cnn:
        table[f"Cnn{suffix}"] = PolicyInfo(cnn, kwargs)
    if multi:
        table[f"MultiInput{suffix}"] = PolicyInfo(multi, kwargs)
    return table


_AC_POLICIES = _policies("ActorCriticPolicy", "ActorCriticCnnPolicy", "MultiInputActorCriticPolicy", _ACTOR_CRITIC)

ALGORITHMS: dict[str, AlgoInfo] = {
    info.name: info
    for info in (
        AlgoInfo("PPO", "stable_baselines3", "on_policy", _ALL_SPACES, _AC_POLICIES, use_sde=True),
        AlgoInfo("A2C", "stable_baselines3", "on_policy", _ALL_SPACES, _AC_POLICIES, use_sde=True),
        AlgoInfo(
            "SAC",
            "stable_baselines3",
            "off_policy",
            ("Box",),
            _policies("SACPolicy", "CnnPolicy", "MultiInputPolicy", _SAC),
            use_sde=True,
        ),
        AlgoInfo(
            "TD3",
            "stable_baselines3",
            "off_policy",
            ("Box",),
            _policies("TD3Policy", "CnnPolicy", "MultiInputPolicy", _TD3),
            use_sde=False,
        ),
        AlgoInfo(
            "DDPG",
            "stable_baselines3",
            "off_policy",
            ("Box",),
            _policies("TD3Policy", "CnnPolicy", "MultiInputPolicy", _TD3),
            use_sde=False,
        ),
        AlgoInfo(
            "DQN",
            "stable_baselines3",
            "off_policy",
            ("Discrete",),
            _policies("DQNPolicy", "CnnPolicy", "MultiInputPolicy", _DQN),
            use_sde=False,
        ),
        AlgoInfo(
            "RecurrentPPO",
            "sb3_contrib",
            "on_policy",
            _ALL_SPACES,
            _policies(
                "RecurrentActorCriticPolicy",
                "RecurrentActorCriticCnnPolicy",
                "RecurrentMultiInputActorCriticPolicy",
                _RECURRENT,
                lstm=True,
            ),
            use_sde=True,
        ),
        AlgoInfo(
            "QRDQN",
            "sb3_contrib",
            "off_policy",
            ("Discrete",),
            _policies("QRDQNPolicy", "CnnPolicy", "MultiInputPolicy", _QRDQN),
            use_sde=False,
        ),
        AlgoInfo(
            "TQC",
            "sb3_contrib",
            "off_policy",
            ("Box",),
            _policies("TQCPolicy", "CnnPolicy", "MultiInputPolicy", _TQC),
            use_sde=True,
        ),
        AlgoInfo("TRPO", "sb3_contrib", "on_policy", _ALL_SPACES, _AC_POLICIES, use_sde=True),
        AlgoInfo(
            "MaskablePPO",
            "sb3_contrib",
            "on_policy",
            ("Discrete", "MultiDiscrete", "MultiBinary"),
            _policies(
                "MaskableActorCriticPolicy",
                "MaskableActorCriticCnnPolicy",
                "MaskableMultiInputActorCriticPolicy",
                _MASKABLE,
            ),
            use_sde=False,
        ),
        AlgoInfo(
            "CrossQ",
            "sb3_contrib",
            "off_policy",
            ("Box",),
            _policies("CrossQPolicy", None, None, _CROSSQ),
            use_sde=True,
        ),
        AlgoInfo(
            "ARS",
            "sb3_contrib",
            "ars",
            ("Box", "Discrete"),
            {"MlpPolicy": PolicyInfo("ARSPolicy", _ARS), "LinearPolicy": PolicyInfo("ARSLinearPolicy", _ARS_LINEAR)},
            use_sde=False,
        ),
    )
}

ALGO_ALIASES: dict[str, str] = {
    **{name.lower(): name for name in ALGORITHMS},
    # rl-baselines3-zoo's names for the sb3-contrib algorithms
    "ppo_lstm": "RecurrentPPO",
    "recurrent_ppo": "RecurrentPPO",
    "ppo_mask": "MaskablePPO",
    "maskable_ppo": "MaskablePPO",
}

# torch.nn activation classes that build with no arguments (SB3 calls ``activation_fn()``).
ACTIVATIONS: tuple[str, ...] = (
    "ReLU",
    "RReLU",
    "Hardtanh",
    "ReLU6",
    "Sigmoid",
    "Hardsigmoid",
    "Tanh",
    "SiLU",
    "Mish",
    "Hardswish",
    "ELU",
    "CELU",
    "SELU",
    "GLU",
    "GELU",
    "Hardshrink",
    "LeakyReLU",
    "LogSigmoid",
    "Softplus",
    "Softshrink",
    "PReLU",
    "Softsign",
    "Tanhshrink",
    "Softmin",
    "Softmax",
    "Softmax2d",
    "LogSoftmax",
    "Identity",
)

LAYER_ACTIVATIONS: tuple[str, ...] = ("Dropout", "AlphaDropout", "Flatten")
"""Parameter-free torch.nn layers that are no activation but that SB3 builds, runs and trains as one:
it calls ``activation_fn()``, and these work on its 2-D activations (Flatten is the identity there)."""

# Activations SB3 builds but cannot train with: the first forward pass fails (a lint finding says so).
BROKEN_ACTIVATIONS: dict[str, str] = {
    "GLU": "it halves its input's width, so the next layer of SB3's MLP does not fit",
    "Softmax2d": "it works on 3-D and 4-D inputs only, and SB3's MLP layers give it 2-D ones",
}

DICT_REFUSED_POLICIES = ("MlpPolicy", "CnnPolicy")
"""Aliases SB3's ``BaseAlgorithm`` refuses for a Dict observation ("You must use MultiInputPolicy"); the
others (``MlpLstmPolicy``, ``CnnLstmPolicy``, ARS's ``LinearPolicy``) build a FlattenExtractor over it."""

# Features extractors that ship with SB3 (stable_baselines3.common.torch_layers).
FEATURES_EXTRACTORS: tuple[str, ...] = ("FlattenExtractor", "NatureCNN", "CombinedExtractor")

# Keywords each extractor takes besides the observation space (features_extractor_kwargs).
EXTRACTOR_KWARGS: dict[str, tuple[str, ...]] = {
    "FlattenExtractor": (),
    "NatureCNN": ("features_dim", "normalized_image"),
    "CombinedExtractor": ("cnn_output_dim", "normalized_image"),
}


def default_extractor(policy_alias: str) -> str:
    """The features extractor a policy alias uses unless features_extractor_class says otherwise."""
    if policy_alias.startswith("Cnn"):
        return "NatureCNN"
    if policy_alias.startswith("MultiInput"):
        return "CombinedExtractor"
    return "FlattenExtractor"


# Optimizers: they add no parameters, but a config naming one must name a real one.
OPTIMIZERS: tuple[str, ...] = (
    "ASGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LBFGS",
    "NAdam",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "SparseAdam",
    "RMSpropTFLike",
)

# Tensors of optimizer state each parameter carries, with the optimizer's default options.
_OPTIMIZER_STATES = {
    "Adam": 2,
    "AdamW": 2,
    "Adamax": 2,
    "NAdam": 2,
    "RAdam": 2,
    "SparseAdam": 2,
    "Adadelta": 2,
    "Rprop": 2,
    "RMSprop": 1,
    "RMSpropTFLike": 1,
    "Adagrad": 1,
    "ASGD": 1,
    "SGD": 0,
}


def optimizer_states(name: str, options: dict[str, Any] | None = None) -> int | None:
    """How many parameter-sized state tensors an optimizer keeps (None when it is not that simple).

    Adam keeps two moments; RMSprop one average, plus a momentum buffer and a mean gradient when
    ``momentum`` / ``centered`` are set; SGD nothing, or a momentum buffer.
    """
    states = _OPTIMIZER_STATES.get(name)
    if states is None:
        return None
    options = options or {}
    if name in ("RMSprop", "RMSpropTFLike", "SGD") and options.get("momentum"):
        states += 1
    if name in ("RMSprop", "RMSpropTFLike") and options.get("centered"):
        states += 1
    if name in ("Adam", "AdamW") and options.get("amsgrad"):
        states += 1
    return states


_CLASS_SUBMODULES = {"Identity": "linear", "Dropout": "dropout", "AlphaDropout": "dropout", "Flatten": "flatten"}
CLASS_MODULES: dict[str, str] = {
    **{name: f"torch.nn.modules.{_CLASS_SUBMODULES.get(name, 'activation')}" for name in ACTIVATIONS},
    **{name: f"torch.nn.modules.{_CLASS_SUBMODULES[name]}" for name in LAYER_ACTIVATIONS},
    **{name: f"torch.optim.{name.lower()}" for name in OPTIMIZERS},
    "SparseAdam": "torch.optim.sparse_adam",
    "Adafactor": "torch.optim",
    "RMSpropTFLike": "stable_baselines3.common.sb2_compat.rmsprop_tf_like",
    **{name: "stable_baselines3.common.torch_layers" for name in FEATURES_EXTRACTORS},
}
"""The module that defines each class a class-valued keyword may name (``__module__``): rl-zoo3 ``eval``s
its strings, so ``torch.nn.modules.activation.ReLU`` names ReLU there as well as ``nn.ReLU`` does."""

# Policy keywords whose value names a class: key -> allowed names.
CLASS_KWARGS: dict[str, tuple[str, ...]] = {
    "activation_fn": (*ACTIVATIONS, *LAYER_ACTIVATIONS),
    "features_extractor_class": FEATURES_EXTRACTORS,
    "optimizer_class": OPTIMIZERS,
}


# --- saved models -----------------------------------------------------------------------------

# Where SB3 / sb3-contrib define each algorithm's policy classes (the module the pickle names).
POLICY_MODULES: dict[str, tuple[str, ...]] = {
    "stable_baselines3.common.policies": ("PPO", "TRPO", "A2C"),
    "stable_baselines3.sac.policies": ("SAC",),
    "stable_baselines3.td3.policies": ("DDPG", "TD3"),
    "stable_baselines3.dqn.policies": ("DQN",),
    "sb3_contrib.common.recurrent.policies": ("RecurrentPPO",),
    "sb3_contrib.common.maskable.policies": ("MaskablePPO",),
    "sb3_contrib.qrdqn.policies": ("QRDQN",),
    "sb3_contrib.tqc.policies": ("TQC",),
    "sb3_contrib.crossq.policies": ("CrossQ",),
    "sb3_contrib.ars.policies": ("ARS",),
}
ALGO_MARKERS: dict[str, dict[str, Any]] = {
    "PPO": {"clip_range": None},
    "TRPO": {"cg_max_steps": None},
    "DDPG": {"policy_delay": 1, "target_noise_clip": 0.0, "target_policy_noise": 0.1},
}
"""Data fields (and values; None: present) that together tell an algorithm from the others of its module's group.
DDPG is TD3 with these three settings fixed by its ``__init__`` (a TD3 saved with ``policy_delay=1`` alone is
TD3). The group's algorithm without markers (A2C, TD3) is the one left."""
GROUP_DIFFERENCES = {"stable_baselines3.td3.policies": "which differ in n_critics: DDPG defaults to 1, TD3 to 2"}
"""How the algorithms of one policy module differ in architecture; not listed: they build the same one."""
# Module text of the classes SB3 allows in each class-valued policy keyword.
CLASS_HOMES: dict[str, tuple[str, ...]] = {
    "activation_fn": ("torch.nn.",),
    "features_extractor_class": ("stable_baselines3.common.torch_layers.",),
    "optimizer_class": ("torch.optim.", "stable_baselines3.common.sb2_compat.rmsprop_tf_like."),
}
DEFAULT_ACTIVATIONS: dict[str, str] = {
    **{name: "Tanh" for name in ("PPO", "A2C", "TRPO", "MaskablePPO", "RecurrentPPO")},
    **{name: "ReLU" for name in ("SAC", "TD3", "DDPG", "DQN", "QRDQN", "TQC", "CrossQ", "ARS")},
}
"""``activation_fn`` of each algorithm's policies when policy_kwargs leave it out (the same in every release)."""
HER_MODULES = (
    "stable_baselines3.sac.sac",
    "stable_baselines3.td3.td3",
    "stable_baselines3.ddpg.ddpg",
    "stable_baselines3.dqn.dqn",
)
"""Where the algorithms that SB3 <= 1.0's ``HER`` wrapped are defined: a HER zip names one in ``model_class``."""
LOAD_DROPPED_KWARGS: dict[str, str] = {
    "device": "SB3 0.6 - 0.8 saved the device in policy_kwargs; SB3's load() drops it",
}
"""policy_kwargs entries SB3's ``load()`` removes before it builds the policy (``BaseAlgorithm.load``)."""
ALGO_ADDED_KWARGS: dict[str, tuple[str, ...]] = {
    "A2C": ("optimizer_class", "optimizer_kwargs"),  # RMSprop, unless use_rms_prop=False
    "QRDQN": ("optimizer_class", "optimizer_kwargs"),  # Adam with eps=0.01 / batch_size
    "SAC": ("use_sde",),
    "TQC": ("use_sde",),
    "CrossQ": ("use_sde",),
    "DDPG": ("n_critics",),
}
"""policy_kwargs entries an algorithm's ``__init__`` adds to what it was given, so a saved model holds them
though its config did not."""
SDE_NET_ARCH_BUILT = (1, 3)
"""``sde_net_arch`` built ``sde_features_extractor`` layers before SB3 1.3, which ignored it; SB3 1.7 refuses it."""
SDE_NET_ARCH_REFUSED = (1, 7)
SHARED_LAYERS_REMOVED = (1, 8)
"""SB3 1.8 removed the shared layers that leading ints of an actor-critic ``net_arch`` built (SB3 changelog 1.8.0)."""


@dataclass(frozen=True, slots=True)
class OldDefault:
    """A policy keyword whose default changed: what releases before ``until`` filled in when policy_kwargs left it out."""

    algos: tuple[str, ...]
    keyword: str
    value: Any
    until: tuple[int, int]
    """The first release with today's default."""
    extractors: tuple[str, ...] = ()
    """Only for policies whose features extractor is one of these (empty: any)."""


OLD_DEFAULTS: tuple[OldDefault, ...] = (
    # SB3 changelog 1.6.0 (sb3-contrib 1.6.0 for TQC): "share_features_extractor=False by default for off-policy
    # algorithms", and CnnPolicy net_arch [] -> [256, 256] (TD3/DDPG: [256, 256], SAC/TQC: [256, 256])
    OldDefault(("SAC", "TQC", "TD3", "DDPG"), "share_features_extractor", True, (1, 6)),
    OldDefault(("SAC", "TQC", "TD3", "DDPG"), "net_arch", [], (1, 6), ("NatureCNN",)),
)
"""Defaults of older releases that change what a saved model's fields describe (``policies.py`` @ 1.5.0 vs 1.6.0)."""


@dataclass(frozen=True)
class ShiftedKeywords:
    """A release's policy class that handed keywords to its parent by position, one place off: the saved
    policy_kwargs name what the user gave, the weights hold what the parent built from them."""

    algos: tuple[str, ...]
    policies: tuple[str, ...]
    """Policy aliases of the faulty classes."""
    given: tuple[tuple[str, Any], ...]
    """Keywords as the user gave them (with their default then), in the order the parent received them."""
    landed: tuple[str, ...]
    """The parent's flags they landed on, in the same order (a flag takes the truth of what it received); a given
    keyword that landed elsewhere reached the parent as its default."""
    faulty: str
    """The release, in words, and the one that fixed it."""
    pairs_only: tuple[int, ...]
    """The SB3 release that only the faulty release pairs with (sb3-contrib requires SB3 of its own number or
    later): a file it saved is read the faulty way first; any later one, the faulty way only when its weights say."""


SHIFTED_KEYWORDS: tuple[ShiftedKeywords, ...] = (
    # sb3-contrib 1.6.0 common/recurrent/policies.py: RecurrentActorCriticCnnPolicy and
    # RecurrentMultiInputActorCriticPolicy call super().__init__(..., n_lstm_layers, enable_critic_lstm, lstm_kwargs)
    # where the parent's order is (..., n_lstm_layers, shared_lstm, enable_critic_lstm, lstm_kwargs); sb3-contrib
    # 1.6.1 passes shared_lstm (and requires SB3 >= 1.6.1, where 1.6.0 requires SB3 >= 1.6.0)
    ShiftedKeywords(
        ("RecurrentPPO",),
        ("CnnLstmPolicy", "MultiInputLstmPolicy"),
        (("enable_critic_lstm", True), ("lstm_kwargs", None)),
        ("shared_lstm", "enable_critic_lstm"),
        "sb3-contrib 1.6.0's CnnLstmPolicy and MultiInputLstmPolicy handed enable_critic_lstm and lstm_kwargs to "
        "their parent one place off (fixed in 1.6.1)",
        (1, 6, 0),
    ),
)
"""Policy classes of a release whose saved keywords built something else (``policies.py`` @ contrib 1.6.0 vs 1.6.1)."""
STATE_DICT_RENAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "ARS": (("action_net.weight", "action_net.0.weight"), ("action_net.bias", "action_net.0.bias")),
}
"""Saved state-dict names today's ``load()`` renames, per algorithm: ARS's LinearPolicy before sb3-contrib 1.7
(``ARS.set_parameters``)."""


def release(version: str | None) -> tuple[int, ...] | None:
    """``"1.3.1a2"`` -> ``(1, 3, 1)``, ``"1.0rc0"`` -> ``(1, 0)``: the release numbers of a version, for comparing."""
    if not version:
        return None
    match = re.match(r"\s*(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in match[1].split(".")) if match else None


UNWRAP_WARNING_ORIGIN = ("stable_baselines3.common.policies", "UserWarning")
"""(module, category) of SB3's warning for a list around a net_arch mapping (``[dict(pi=..., vf=...)]``)."""
UNWRAP_FINDINGS = ("NA005", "NA006")
"""Lint findings that say what that warning says, with a fix: its note is left out when one of them is there."""


# --- state dicts -------------------------------------------------------------------------------------

BUFFER_NAMES = ("running_mean", "running_var", "num_batches_tracked", "ra_mean", "ra_var", "steps")
"""State-dict entries that are buffers, not parameters (BatchNorm, sb3-contrib's BatchRenorm); told apart by name."""
NORM_STATS = ("running_mean", "ra_mean")
"""The running-mean buffer that proves a batch norm in a state dict: torch's BatchNorm, sb3-contrib's BatchRenorm."""

SHARED_NET = "mlp_extractor.shared_net."
"""State-dict prefix of an actor-critic's shared layers (SB3 < 1.8: leading ints of net_arch), used by pi and vf."""
SDE_EXTRACTOR = "sde_features_extractor."
"""State-dict prefix of gSDE's ``sde_net_arch`` layers (SB3 <= 1.2), between the features and ``log_std``."""
BARE_PARAMETERS = ("log_std",)
"""Parameters a policy holds outside any module: the Gaussian's and gSDE's ``log_std`` (``actor.log_std`` of a
SAC / TQC with gSDE, ``log_std`` of an actor-critic). Any other last name part is an entry of a module."""

# (prefix, network, role, target): the attribute names SB3's policy families give their networks.
NETWORK_PREFIXES: tuple[tuple[str, str, str, bool], ...] = (
    ("actor_target.", "actor_target", "actor", True),
    ("actor.", "actor", "actor", False),
    ("critic_target.", "critic_target", "critic", True),
    ("q_net_target.", "q_net_target", "q_value", True),
    ("q_net.", "q_net", "q_value", False),
    ("quantile_net_target.", "quantile_net_target", "quantile", True),
    ("quantile_net.", "quantile_net", "quantile", False),
    ("pi_features_extractor.", "pi", "policy", False),
    ("mlp_extractor.policy_net.", "pi", "policy", False),
    ("lstm_actor.", "pi", "policy", False),
    ("action_net.", "pi", "policy", False),
    ("log_std", "pi", "policy", False),
    ("vf_features_extractor.", "vf", "value", False),
    ("mlp_extractor.value_net.", "vf", "value", False),
    ("lstm_critic.", "vf", "value", False),
    ("value_net.", "vf", "value", False),
)


# --- releases ----------------------------------------------------------------------------------------
# pyproject.toml declares the oldest SB3, sb3-contrib, gymnasium and rl-zoo3 sb3inspect supports; what
# only some of the releases since then have is listed here (each package's changelog and its
# ``__init__.py`` at each tag). tests/test_catalog.py holds the table against the installed releases.


@dataclass(frozen=True, slots=True)
class Releases:
    """The releases of one package that have something sb3inspect names (an algorithm, a wrapper)."""

    package: str
    """Its pip name: ``sb3-contrib``, ``gymnasium``, ``rl_zoo3``."""
    since: str | None = None
    """The first release that has it; None: every release sb3inspect supports."""
    until: str | None = None
    """The first release that no longer has it; None: the newest still has it."""
    instead: str | None = None
    """Its name in the releases without it, when it was renamed."""

    @property
    def requirement(self) -> str:
        """What to ask pip for: ``sb3-contrib>=2.4.0``, ``gymnasium<1.0.0``."""
        bounds = ([f">={self.since}"] if self.since else []) + ([f"<{self.until}"] if self.until else [])
        return self.package + ",".join(bounds)

    def has(self, version: str) -> bool:
        """Whether release ``version`` (``2.3.0``, ``1.0.0a1``, ``2.13.0+cpu``) has it; a pre-release counts as its release."""
        numbers = release(version) or ()
        return (self.since is None or numbers >= (release(self.since) or ())) and (
            self.until is None or numbers < (release(self.until) or ())
        )


_GYMNASIUM_1 = Releases("gymnasium", since="1.0.0")
_GYMNASIUM_1_3 = Releases("gymnasium", since="1.3.0")

RELEASES: dict[str, Releases] = {
    # sb3-contrib 2.4.0 (SB3 changelog, release 2.4.0: "Added CrossQ algorithm")
    "sb3_contrib.CrossQ": Releases("sb3-contrib", since="2.4.0"),
    # gymnasium 1.0 renamed two wrappers and added the rest of these; 1.3 added the last three
    "gymnasium.wrappers.FrameStack": Releases("gymnasium", until="1.0.0", instead="FrameStackObservation"),
    "gymnasium.wrappers.GrayScaleObservation": Releases("gymnasium", until="1.0.0", instead="GrayscaleObservation"),
    "gymnasium.wrappers.FrameStackObservation": Releases("gymnasium", since="1.0.0", instead="FrameStack"),
    "gymnasium.wrappers.GrayscaleObservation": Releases("gymnasium", since="1.0.0", instead="GrayScaleObservation"),
    **{
        f"gymnasium.wrappers.{name}": _GYMNASIUM_1
        for name in (
            "ClipReward",
            "ReshapeObservation",
            "RescaleObservation",
            "DtypeObservation",
            "DelayObservation",
            "MaxAndSkipObservation",
            "StickyAction",
        )
    },
    **{
        f"gymnasium.wrappers.{name}": _GYMNASIUM_1_3
        for name in ("RepeatAction", "DiscretizeObservation", "DiscretizeAction")
    },
    # rl-zoo3 2.7.0 (its wrappers.py at each tag)
    "rl_zoo3.wrappers.YAMLCompatResizeObservation": Releases("rl_zoo3", since="2.7.0"),
    # n-step returns for off-policy algorithms: SB3 2.7.0 ("n_steps parameter") and sb3-contrib 2.7.0
    **{
        f"stable_baselines3.{name}.n_steps": Releases("stable-baselines3", since="2.7.0")
        for name in ("SAC", "TD3", "DDPG", "DQN")
    },
    **{f"sb3_contrib.{name}.n_steps": Releases("sb3-contrib", since="2.7.0") for name in ("TQC", "QRDQN", "CrossQ")},
    # names the safety scan allows in pickles (PICKLE_ALLOWED...) that only newer releases define (each wheel)
    "sb3_contrib.crossq.crossq.CrossQ": Releases("sb3-contrib", since="2.4.0"),
    "sb3_contrib.common.torch_layers.BatchRenorm1d": Releases("sb3-contrib", since="2.4.0"),  # ELEMENTWISE_MODULES
    "sb3_contrib.crossq.policies.CrossQPolicy": Releases("sb3-contrib", since="2.4.0"),
    **{
        f"stable_baselines3.common.{name}": Releases("stable-baselines3", since="2.7.0")
        for name in (
            "buffers.NStepReplayBuffer",
            "utils.ConstantSchedule",
            "utils.FloatSchedule",
            "utils.LinearSchedule",
        )
    },
    "rl_zoo3.utils.SimpleLinearSchedule": Releases("rl_zoo3", since="2.7.0"),
    "gymnasium.spaces.oneof.OneOf": Releases("gymnasium", since="1.0.0"),
    # numpy 2.0 renamed numpy.core to numpy._core, and made numpy.bool numpy.bool_ (numpy < 1.24 had it as bool)
    "numpy._core.numeric._frombuffer": Releases("numpy", since="2.0.0"),
    "numpy.bool": Releases("numpy", since="2.0.0"),
}
"""Dotted name -> the releases that have it: an algorithm (``sb3_contrib.CrossQ``), a wrapper
(``gymnasium.wrappers.FrameStack``), an algorithm's keyword (``stable_baselines3.SAC.n_steps``) or a name
a pickle may hold (``stable_baselines3.common.utils.FloatSchedule``).
Everything else sb3inspect names is in every supported release."""


def installed_version(name: str) -> str | None:
    """A distribution's version from its metadata on ``sys.path`` (as ``importlib.metadata`` finds it), unimported.

    ``importlib.metadata`` itself costs more to import than a cache hit is allowed to take.
    """
    wanted = _normalized(name)
    for entry in sys.path:
        for folder in _metadata_folders(entry or "."):
            if _normalized(folder.name.split("-", 1)[0]) != wanted:
                continue
            for file in ("METADATA", "PKG-INFO"):
                try:
                    with open(folder / file, encoding="utf-8", errors="replace") as handle:
                        for line in handle:
                            if line.startswith("Version:"):
                                return line.partition(":")[2].strip()
                            if not line.strip():
                                break  # the headers end at the first blank line
                except OSError:
                    continue
    return None


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@cache
def _metadata_folders(entry: str) -> list[Path]:
    try:
        names = os.listdir(entry)
    except OSError:
        return []
    return [Path(entry) / name for name in names if name.endswith((".dist-info", ".egg-info"))]


def unavailable(name: str) -> tuple[str, str] | None:
    """(problem, hint) when the installed release lacks what dotted ``name`` names; None when it has it.

    ``sb3_contrib.CrossQ`` with sb3-contrib 2.3.0 installed gives
    ``("CrossQ needs sb3-contrib>=2.4.0, you have 2.3.0", "pip install -U sb3-contrib")``; a keyword is
    named with its class (``SAC.n_steps needs stable-baselines3>=2.7.0, ...``). A package
    that is not installed is not this function's to report: importing it says so.
    """
    releases = RELEASES.get(name)
    version = installed_version(releases.package) if releases else None
    if releases is None or version is None or releases.has(version):
        return None
    parts = name.split(".")
    short = ".".join(parts[next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts) - 1) :])
    problem = f"{short} needs {releases.requirement}, you have {version}"
    if releases.since is not None and (release(version) or ()) < (release(releases.since) or ()):
        hint = f"pip install -U {releases.package}"
        if releases.instead:
            hint += f"; before {releases.since} it is called {releases.instead}"
    elif releases.instead:
        hint = f"{releases.package} {releases.until} renamed it {releases.instead}"
    else:
        hint = f'pip install "{releases.package}<{releases.until}"'
    return problem, hint


# --- networks ----------------------------------------------------------------------------------------

EXPECT_ALIASES: dict[str, tuple[str, ...]] = {
    "pi": ("pi", "actor"),
    "vf": ("vf",),
    "qf": ("critic", "q_net", "quantile_net"),
}
"""Expectation name -> the report networks it checks, first match wins."""

NETWORK_NAMES = (
    "pi",
    "vf",
    "actor",
    "actor_target",
    "critic",
    "critic_target",
    "q_net",
    "q_net_target",
    "quantile_net",
    "quantile_net_target",
)
"""Network names a report can hold; ``sb3inspect check --expect`` takes these as well as pi/vf/qf."""

ROLE_TITLES = {
    "policy": "policy network",
    "value": "value network",
    "actor": "actor",
    "critic": "critic",
    "q_value": "Q-network",
    "quantile": "quantile network",
    "other": "not part of a known network",
}


# --- policy keywords, by the kind of value each takes ------------------------------------------------

BOOL_KWARGS = (
    "share_features_extractor",
    "ortho_init",
    "normalize_images",
    "shared_lstm",
    "enable_critic_lstm",
    "squash_output",
    "full_std",
    "use_expln",
    "with_bias",
    "batch_norm",
)
POSITIVE_INT_KWARGS = ("n_critics", "n_quantiles", "lstm_hidden_size", "n_lstm_layers")
ZERO_BUILDS_KWARGS = ("n_critics", "n_quantiles")
"""Counts SB3 builds at 0 (no q-networks, no quantiles): accepted, and a lint finding says what breaks."""
COUNT_KWARGS = ("n_critics", "n_lstm_layers")
NUMBER_KWARGS = ("log_std_init", "clip_mean", "batch_norm_momentum", "batch_norm_eps", "renorm_warmup_steps")
MAPPING_KWARGS = ("features_extractor_kwargs", "optimizer_kwargs", "lstm_kwargs")


# --- features extractors -----------------------------------------------------------------------------

NATURE_CNN_MIN = 36
"""NatureCNN's 8×8/4, 4×4/2 and 3×3/1 convolutions need 36 pixels to leave one."""


# --- training hyperparameters ------------------------------------------------------------------------
# Keywords of each algorithm's __init__ besides policy, env, policy_kwargs and the private
# _init_setup_model: what a training config may hold next to the architecture.

_RUN = ("stats_window_size", "tensorboard_log", "verbose", "seed", "device")
_ON_POLICY = ("learning_rate", "n_steps", "gamma", "gae_lambda", "use_sde", "sde_sample_freq", "normalize_advantage")
_ROLLOUT_BUFFER = ("rollout_buffer_class", "rollout_buffer_kwargs")
_PPO = (*_ON_POLICY, "batch_size", "n_epochs", "clip_range", "clip_range_vf", "ent_coef", "vf_coef", "max_grad_norm")
_OFF_POLICY = (
    "learning_rate",
    "buffer_size",
    "learning_starts",
    "batch_size",
    "gamma",
    "train_freq",
    "gradient_steps",
    "replay_buffer_class",
    "replay_buffer_kwargs",
    "optimize_memory_usage",
    "n_steps",
)
_Q_LEARNING = (
    *_OFF_POLICY,
    "tau",
    "target_update_interval",
    "exploration_fraction",
    "exploration_initial_eps",
    "exploration_final_eps",
    "max_grad_norm",
)
_SAC_ALGO = (
    *_OFF_POLICY,
    "tau",
    "action_noise",
    "ent_coef",
    "target_update_interval",
    "target_entropy",
    "use_sde",
    "sde_sample_freq",
    "use_sde_at_warmup",
)
_DDPG_ALGO = (*_OFF_POLICY, "tau", "action_noise")

ALGO_KWARGS: dict[str, tuple[str, ...]] = {
    "PPO": (*_PPO, *_ROLLOUT_BUFFER, "target_kl", *_RUN),
    "A2C": (
        *_ON_POLICY,
        "ent_coef",
        "vf_coef",
        "max_grad_norm",
        "rms_prop_eps",
        "use_rms_prop",
        *_ROLLOUT_BUFFER,
        *_RUN,
    ),
    "SAC": (*_SAC_ALGO, *_RUN),
    "TD3": (*_DDPG_ALGO, "policy_delay", "target_policy_noise", "target_noise_clip", *_RUN),
    "DDPG": (*_DDPG_ALGO, "tensorboard_log", "verbose", "seed", "device"),
    "DQN": (*_Q_LEARNING, *_RUN),
    "RecurrentPPO": (*_PPO, "target_kl", *_RUN),
    "QRDQN": (*_Q_LEARNING, *_RUN),
    "TQC": (*_SAC_ALGO, "top_quantiles_to_drop_per_net", *_RUN),
    "TRPO": (
        *_ON_POLICY,
        "batch_size",
        "cg_max_steps",
        "cg_damping",
        "line_search_shrinking_factor",
        "line_search_max_iter",
        "n_critic_updates",
        *_ROLLOUT_BUFFER,
        "target_kl",
        "sub_sampling_factor",
        *_RUN,
    ),
    "MaskablePPO": (
        *(k for k in _PPO if k not in ("use_sde", "sde_sample_freq")),
        *_ROLLOUT_BUFFER,
        "target_kl",
        *_RUN,
    ),
    "CrossQ": (
        *_OFF_POLICY,
        "action_noise",
        "ent_coef",
        "target_entropy",
        "policy_delay",
        "use_sde",
        "sde_sample_freq",
        "use_sde_at_warmup",
        *_RUN,
    ),
    "ARS": (
        "n_delta",
        "n_top",
        "learning_rate",
        "delta_std",
        "zero_policy",
        "alive_bonus_offset",
        "n_eval_episodes",
        *_RUN,
    ),
}
"""Algorithm -> the keywords of its ``__init__`` a config may give (``use_sde`` among them where it exists)."""

RUN_KWARGS = _RUN
"""Keywords that say where and how a run happens (device, logging, seed): listed, never given to the build."""

LEARN_KWARGS = ("total_timesteps", "log_interval", "tb_log_name", "reset_num_timesteps", "progress_bar")
"""Keywords of every algorithm's ``learn()`` (``callback`` is among ZOO_KEYS): a training config of one's own keeps
them next to the algorithm's; listed, never given to the build. rl-zoo3 hands its entries' unknown keys to the
algorithm class, so an rl-zoo3 entry may not hold them (its ``n_timesteps`` is the run length)."""

ZOO_KEYS = (
    "n_envs",
    "n_timesteps",
    "normalize",
    "frame_stack",
    "env_wrapper",
    "vec_env_wrapper",
    "noise_type",
    "noise_std",
    "callback",
    "monitor_kwargs",
)
"""Keys of an rl-zoo3 entry that are not algorithm keywords: rl-zoo3 reads them itself (exp_manager.py)."""
ZOO_ENV_KEYS = ("env_wrapper", "vec_env_wrapper", "normalize", "frame_stack")
"""The rl-zoo3 keys that change the observation the policy is built for: applied, in rl-zoo3's order."""
VEC_NORMALIZE_KWARGS = (
    "training",
    "norm_obs",
    "norm_reward",
    "clip_obs",
    "clip_reward",
    "gamma",
    "epsilon",
    "norm_obs_keys",
)
"""Keywords of SB3's ``VecNormalize`` besides the vec env: what ``normalize`` may give."""
ZOO_SCHEDULES = ("learning_rate", "clip_range", "clip_range_vf", "delta_std")
"""Keywords rl-zoo3 reads ``lin_<initial value>`` schedules for (``_preprocess_schedules``)."""

REPLAY_BUFFER_KWARGS: dict[str, tuple[str, ...]] = {
    "ReplayBuffer": ("handle_timeout_termination",),
    "DictReplayBuffer": ("handle_timeout_termination",),
    "HerReplayBuffer": ("handle_timeout_termination", "n_sampled_goal", "goal_selection_strategy", "copy_info_dict"),
}
"""SB3's replay buffers -> the keywords ``replay_buffer_kwargs`` may give (the algorithm passes the rest itself)."""
REMOVED_BUFFER_KWARGS = {
    "online_sampling": "SB3 2.0 removed it: HerReplayBuffer always samples goals online",
    "max_episode_length": "SB3 2.0 removed it: HerReplayBuffer finds episode ends itself",
}
"""HerReplayBuffer keywords of SB3 1.x that configs (rl-zoo3's her.yml among them) still carry."""


# --- rl-zoo3 -----------------------------------------------------------------------------------------

ZOO_FALLBACK_ENTRIES = {
    "atari": "rl-zoo3's entry for every Atari game: inspect it with --env PongNoFrameskip-v4 (needs ale-py)",
    "default": "rl-zoo3's entry for envs the file does not list: inspect it with --env ID",
}

# Wrappers sb3inspect applies by their real classes: module -> class names. A file may name a
# class by any submodule of these (``gymnasium.wrappers.transform_observation.GrayscaleObservation``).
# Some are in some releases only (RELEASES): gymnasium 1.0 renamed FrameStack and GrayScaleObservation.
ENV_WRAPPERS: dict[str, tuple[str, ...]] = {
    "stable_baselines3.common.atari_wrappers": (
        "AtariWrapper",
        "WarpFrame",
        "MaxAndSkipEnv",
        "NoopResetEnv",
        "FireResetEnv",
        "EpisodicLifeEnv",
        "ClipRewardEnv",
        "StickyActionEnv",
    ),
    "sb3_contrib.common.wrappers": ("TimeFeatureWrapper",),
    "gymnasium.wrappers": (
        "TimeLimit",
        "ClipAction",
        "RescaleAction",
        "ClipReward",
        "NormalizeReward",
        "NormalizeObservation",
        "FlattenObservation",
        "FilterObservation",
        "GrayscaleObservation",
        "GrayScaleObservation",
        "ResizeObservation",
        "ReshapeObservation",
        "RescaleObservation",
        "DtypeObservation",
        "FrameStackObservation",
        "FrameStack",
        "TimeAwareObservation",
        "DelayObservation",
        "MaxAndSkipObservation",
        "AtariPreprocessing",
        "RecordEpisodeStatistics",
        "StickyAction",
        "RepeatAction",
        "DiscretizeObservation",
        "DiscretizeAction",
    ),
    "rl_zoo3.wrappers": (
        "YAMLCompatResizeObservation",
        "TruncatedOnSuccessWrapper",
        "ActionNoiseWrapper",
        "ActionSmoothingWrapper",
        "DelayedRewardWrapper",
        "HistoryWrapper",
        "HistoryWrapperObsDict",
        "FrameSkip",
        "MaskVelocityWrapper",
        "TimeFeatureWrapper",
    ),
}
VEC_ENV_WRAPPERS: dict[str, tuple[str, ...]] = {
    "stable_baselines3.common.vec_env": (
        "VecFrameStack",
        "VecTransposeImage",
        "VecNormalize",
        "VecMonitor",
        "VecExtractDictObs",
        "VecCheckNan",
    ),
}


ZOO_CALLBACKS: dict[str, tuple[str, ...]] = {
    "stable_baselines3.common.callbacks": (
        *("CallbackList", "CheckpointCallback", "EvalCallback", "EveryNTimesteps", "LogEveryNTimesteps"),
        *("ProgressBarCallback", "StopTrainingOnMaxEpisodes", "StopTrainingOnNoModelImprovement"),
        "StopTrainingOnRewardThreshold",
    ),
    "rl_zoo3.callbacks": (
        "TrialEvalCallback",
        "SaveVecNormalizeCallback",
        "ParallelTrainCallback",
        "RawStatisticsCallback",
    ),
}
"""Callbacks of SB3 and rl-zoo3 a ``callback`` hyperparameter may name: module -> class names."""
ZOO_OTHER_WRAPPERS: dict[str, tuple[str, ...]] = {
    "minigrid.wrappers": (
        *("FlatObsWrapper", "ImgObsWrapper", "RGBImgObsWrapper", "RGBImgPartialObsWrapper", "FullyObsWrapper"),
        *("OneHotPartialObsWrapper", "DictObservationSpaceWrapper", "ViewSizeWrapper", "ReseedWrapper"),
    ),
}
"""Wrappers rl-zoo3's own hyperparameters name (``minigrid.wrappers.FlatObsWrapper`` for MiniGrid) that sb3inspect
does not apply: a run folder naming one is safe to load all the same."""
ZOO_IMPORTED_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "env_wrapper": {**ENV_WRAPPERS, **ZOO_OTHER_WRAPPERS},
    "vec_env_wrapper": VEC_ENV_WRAPPERS,
    "callback": ZOO_CALLBACKS,
}
"""rl-zoo3 hyperparameters whose class paths it imports and calls (``get_wrapper_class`` when ``enjoy`` makes the
env from a run folder's ``config.yml``, ``get_callback_list`` when training from it): the classes each may name."""


# --- gymnasium env ids -------------------------------------------------------------------------------

# Packages that register env ids when imported: (id pattern, module, pip name). rl-zoo3 imports
# the same packages (rl_zoo3/import_envs.py) before it looks an id up.
REGISTERING_PACKAGES: tuple[tuple[str, str, str], ...] = (
    (r"^ALE/|NoFrameskip-v\d+$|Deterministic-v\d+$", "ale_py", "ale-py"),
    (r"^(MiniGrid|BabyAI)-", "minigrid", "minigrid"),
    (r"BulletEnv-v\d+$", "pybullet_envs_gymnasium", "pybullet_envs_gymnasium"),
    (
        r"^(parking|highway|highway-fast|merge|roundabout|intersection|racetrack|exit|u-turn|lane-keeping)-v\d+$",
        "highway_env",
        "highway-env",
    ),
    (r"^Panda", "panda_gym", "panda-gym"),
    (r"^donkey-", "gym_donkeycar", "gym-donkeycar"),
    (
        r"^(Fetch|HandManipulate|HandReach|AdroitHand|FrankaKitchen|PointMaze|AntMaze)",
        "gymnasium_robotics",
        "gymnasium-robotics",
    ),
)

PIP_NAMES = {
    "Box2D": "box2d-py",
    "mujoco": "mujoco",
    "ale_py": "ale-py",
    "pybullet": "pybullet",
    "cv2": "opencv-python",
}
"""Module an env needs -> the pip distribution that installs it, where the two names differ beyond ``_`` / ``-``."""

# Registered envs whose optional dependencies gymnasium ships as extras, by entry-point module.
GYMNASIUM_EXTRAS: dict[str, tuple[str, str]] = {
    "gymnasium.envs.box2d": ("Box2D", 'pip install swig && pip install "gymnasium[box2d]"'),
    "gymnasium.envs.mujoco": ("MuJoCo", 'pip install "gymnasium[mujoco]"'),
    "gymnasium.envs.phys2d": ("JAX", 'pip install "gymnasium[jax]"'),
    "gymnasium.envs.tabular": ("JAX", 'pip install "gymnasium[jax]"'),
}

ZOO_CLASS_ROOTS = ("nn", "th", "torch", "optim", "stable_baselines3", "sb3_contrib")
"""Names a class path in an rl-zoo3 string starts with (rl-zoo3 evaluates them with these imported)."""
ZOO_BARE_CLASSES = (*FEATURES_EXTRACTORS, "RMSpropTFLike")
"""Classes rl-zoo3 strings may name without a module."""


# --- torch layers ------------------------------------------------------------------------------------

ELEMENTWISE_MODULES = ("PReLU", "BatchRenorm1d")
"""Modules whose parameters scale or shift each feature (no weight matrix): 0 MACs, as torch's norms.
PReLU learns one slope (or one per channel); sb3-contrib's BatchRenorm1d (CrossQ) is a batch norm."""

RNN_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
"""Gates of a recurrent layer: each has input and recurrent weights (and biases) of its own."""


# --- pickles: the safety verdict's allow-list ------------------------------------------------------
# Exact ``module.qualname`` pairs that legitimate SB3 / sb3-contrib / rl-zoo3 saves name (every
# generation since SB3 1.0, numpy 1 and 2, pickle protocols 0 to 5), never module prefixes:
# ``cloudpickle.loads`` or ``numpy.testing._private.utils.runstring`` share a prefix with allowed
# names. Each allowed name is harmless to call with any arguments (tests/test_safety.py resolves
# every one in the installed packages); names that are only safe in one form are in PICKLE_CHECKED.

_NUMPY_CORES = ("numpy.core", "numpy._core")
_BINARY_OPERATIONS = (
    *("ADD", "SUBTRACT", "MULTIPLY", "TRUE_DIVIDE", "FLOOR_DIVIDE", "MODULO", "POWER", "MATRIX_MULTIPLY"),
    *("LSHIFT", "RSHIFT", "AND", "OR", "XOR"),
)
"""Python 3.10's arithmetic opcodes (``BINARY_ADD``, ``INPLACE_ADD``...): 3.11 folds them into ``BINARY_OP``."""
_JUMP_TESTS = ("FALSE", "TRUE", "NONE", "NOT_NONE")
"""numpy 1.x pickles name ``numpy.core.*``, numpy 2.x ``numpy._core.*`` (2.x still reads 1.x names)."""
_NUMPY_SCALARS = (
    "bool_",
    "bool",
    "float16",
    "float32",
    "float64",
    "longdouble",
    "complex64",
    "complex128",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "str_",
    "bytes_",
    "object_",
)
CLOUDPICKLE_MODULES = ("cloudpickle.cloudpickle", "cloudpickle.cloudpickle_fast")
"""cloudpickle 3.x writes its helpers under ``cloudpickle.cloudpickle``, 1.x / 2.x some under ``cloudpickle_fast``."""
_GYM_SPACES = (
    "box.Box",
    "discrete.Discrete",
    "multi_discrete.MultiDiscrete",
    "multi_binary.MultiBinary",
    "dict.Dict",
    "tuple.Tuple",
    "text.Text",
    "graph.Graph",
    "graph.GraphInstance",
    "sequence.Sequence",
    "oneof.OneOf",
)
_TORCH_STORAGES = (
    "Float",
    "Double",
    "Half",
    "BFloat16",
    "Long",
    "Int",
    "Short",
    "Char",
    "Byte",
    "Bool",
    "ComplexFloat",
    "ComplexDouble",
)

PICKLE_ALLOWED: frozenset[str] = frozenset(
    {
        # policies: every alias's class, in the module that defines it
        *(
            f"{module}.{policy.class_name}"
            for module, algos in POLICY_MODULES.items()
            for algo in algos
            for policy in ALGORITHMS[algo].policies.values()
        ),
        "sb3_contrib.common.recurrent.policies.RecurrentActorCriticPolicy",
        "sb3_contrib.common.recurrent.policies.RecurrentActorCriticCnnPolicy",
        "sb3_contrib.common.recurrent.policies.RecurrentMultiInputActorCriticPolicy",
        "sb3_contrib.common.maskable.policies.MaskableActorCriticCnnPolicy",
        "sb3_contrib.common.maskable.policies.MaskableMultiInputActorCriticPolicy",
        # features extractors, activations and optimizers a pickled policy_kwargs names: every class a
        # class-valued keyword accepts (CLASS_KWARGS), in the module that defines it
        *(f"{CLASS_MODULES[name]}.{name}" for names in CLASS_KWARGS.values() for name in names),
        # policy.save(): its lr_schedule is BasePolicy._dummy_schedule, pickled as getattr(BasePolicy, name)
        "stable_baselines3.common.policies.BasePolicy",
        "stable_baselines3.common.policies.BasePolicy._dummy_schedule",
        # schedules, action noise, train frequency, buffers, HER, VecNormalize
        "stable_baselines3.common.utils.FloatSchedule",
        "stable_baselines3.common.utils.ConstantSchedule",
        "stable_baselines3.common.utils.LinearSchedule",
        "rl_zoo3.utils.SimpleLinearSchedule",
        "stable_baselines3.common.noise.NormalActionNoise",
        "stable_baselines3.common.noise.OrnsteinUhlenbeckActionNoise",
        "stable_baselines3.common.noise.VectorizedActionNoise",
        "stable_baselines3.common.type_aliases.TrainFreq",
        "stable_baselines3.common.type_aliases.TrainFrequencyUnit",
        "sb3_contrib.common.recurrent.type_aliases.RNNStates",  # RecurrentPPO's _last_lstm_states, once trained
        "stable_baselines3.common.buffers.ReplayBuffer",
        "stable_baselines3.common.buffers.DictReplayBuffer",
        "stable_baselines3.common.buffers.NStepReplayBuffer",
        "stable_baselines3.common.buffers.RolloutBuffer",
        "stable_baselines3.common.buffers.DictRolloutBuffer",
        "stable_baselines3.her.her_replay_buffer.HerReplayBuffer",
        "stable_baselines3.her.goal_selection_strategy.GoalSelectionStrategy",
        "sb3_contrib.common.recurrent.buffers.RecurrentRolloutBuffer",
        "sb3_contrib.common.recurrent.buffers.RecurrentDictRolloutBuffer",
        "sb3_contrib.common.maskable.buffers.MaskableRolloutBuffer",
        "sb3_contrib.common.maskable.buffers.MaskableDictRolloutBuffer",
        "stable_baselines3.common.vec_env.vec_normalize.VecNormalize",
        "stable_baselines3.common.running_mean_std.RunningMeanStd",
        # spaces: gymnasium, and gym in SB3 1.x files
        *(f"{package}.spaces.{name}" for package in ("gymnasium", "gym") for name in _GYM_SPACES),
        # numpy: arrays, dtypes, scalars, random generators
        *(f"{core}.multiarray._reconstruct" for core in _NUMPY_CORES),
        *(f"{core}.multiarray.scalar" for core in _NUMPY_CORES),
        *(f"{core}.numeric._frombuffer" for core in _NUMPY_CORES),
        "numpy.dtype",
        "numpy.ndarray",
        *(f"numpy.{name}" for name in _NUMPY_SCALARS),
        "numpy.random._pickle.__randomstate_ctor",
        "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor",
        "numpy.random._mt19937.MT19937",
        "numpy.random._pcg64.PCG64",
        "numpy.random._pcg64.PCG64DXSM",
        "numpy.random._philox.Philox",
        "numpy.random._sfc64.SFC64",
        "numpy.random.bit_generator.SeedSequence",
        "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
        # torch objects a data pickle may hold (ARS's weights, a device, a dtype)
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.device",
        *(
            f"torch.{dtype}"
            for dtype in ("float16", "float32", "float64", "bfloat16", "int32", "int64", "uint8", "bool")
        ),
        # cloudpickle's function rebuilding (the code itself is read separately: CODE_NAMES)
        *(
            f"{module}.{name}"
            for module in CLOUDPICKLE_MODULES
            for name in ("_make_function", "_make_cell", "_make_empty_cell", "_function_setstate")
        ),
        # Python containers and plain types
        "collections.OrderedDict",
        "collections.deque",
        *(
            f"builtins.{name}"
            for name in ("set", "frozenset", "float", "int", "complex", "bool", "bytearray", "slice", "range", "object")
        ),
    }
)

PICKLE_REFERENCE_ONLY: frozenset[str] = frozenset(
    {
        "stable_baselines3.ppo.ppo.PPO",
        "stable_baselines3.a2c.a2c.A2C",
        "stable_baselines3.sac.sac.SAC",
        "stable_baselines3.td3.td3.TD3",
        "stable_baselines3.ddpg.ddpg.DDPG",
        "stable_baselines3.dqn.dqn.DQN",
        "sb3_contrib.ars.ars.ARS",
        "sb3_contrib.qrdqn.qrdqn.QRDQN",
        "sb3_contrib.tqc.tqc.TQC",
        "sb3_contrib.trpo.trpo.TRPO",
        "sb3_contrib.crossq.crossq.CrossQ",
        "sb3_contrib.ppo_recurrent.ppo_recurrent.RecurrentPPO",
        "sb3_contrib.ppo_mask.ppo_mask.MaskablePPO",
    }
)
"""Algorithm classes: HER's replay buffer in SB3 1.x names one (``model_class``). Calling one makes an env
from a string id (``gym.make`` imports a ``module:Env`` id's module), so a pickle may name them, never call them."""

PICKLE_CHECKED: dict[str, str] = {
    **{f"{module}._builtin_type": "builtin_type" for module in CLOUDPICKLE_MODULES},
    **{f"{module}.subimport": "subimport" for module in CLOUDPICKLE_MODULES},
    "torch.storage._load_from_bytes": "load_from_bytes",
    "_codecs.encode": "codecs_encode",
    "copyreg._reconstructor": "reconstructor",
    "builtins.getattr": "getattr",
}
"""Names legitimate saves use that are only safe in one form, checked at each call: cloudpickle's
``_builtin_type(name)`` (only CODE_TYPES), ``subimport(module)`` (only CODE_MODULES),
``torch.storage._load_from_bytes(b)`` (a nested ``torch.load(weights_only=False)``: its bytes are read as a
torch file), ``_codecs.encode(text, "latin1")`` (protocol 2's bytes), ``copyreg._reconstructor(cls, base,
state)`` (protocol 0/1 objects: both classes allowed), ``getattr(cls, name)`` (how a method is pickled: only
PICKLE_ALLOWED methods). Used any other way (an argument, a memo entry left
unused), they are unsafe."""

PICKLE_CALLS_ARGUMENT: dict[str, int] = {
    "numpy.random._pickle.__bit_generator_ctor": 0,
    "numpy.random._pickle.__generator_ctor": 1,
    "numpy.random._pickle.__randomstate_ctor": 1,
}
"""Allowed functions that call one of their arguments (by position): numpy's RNG helpers call their
``bit_generator_ctor`` with the generator's name, so a function from the pickle there runs while loading."""

CLOUDPICKLE_FUNCTION_SETSTATES: frozenset[str] = frozenset(
    f"{module}._function_setstate" for module in CLOUDPICKLE_MODULES
)
CLOUDPICKLE_FUNCTION_SLOTS: frozenset[str] = frozenset(
    {
        "__name__",
        "__qualname__",
        "__module__",
        "__doc__",
        "__annotations__",
        "__kwdefaults__",
        "__defaults__",
        "__closure__",
        "__globals__",
        "_cloudpickle_submodules",
    }
)
"""What ``_function_setstate`` sets on a function it rebuilds (cloudpickle 1.x to 3.x): any other attribute
(``__code__``, ``__dict__``) is not what cloudpickle writes."""
CLOUDPICKLE_CELL_MAKERS: frozenset[str] = frozenset(
    f"{module}.{name}" for module in CLOUDPICKLE_MODULES for name in ("_make_cell", "_make_empty_cell")
)
"""How cloudpickle makes a closure's cells: their contents are what the function reaches."""
CODE_ATTRIBUTE_CONSTANT = re.compile(r"__\w+__|(?:gi|cr|ag|f|tb|co)_\w+|mro")
"""Constants of a pickled function that name attributes no arithmetic schedule needs: dunders (``__globals__``,
``__subclasses__``) and frame / generator / code internals (``gi_frame``, ``f_builtins``). A ``match`` class pattern
(``case object(__subclasses__=s)``) looks attributes up by the names among the constants, outside ``co_names``."""
CLOUDPICKLE_FUNCTION_MAKERS: frozenset[str] = frozenset(f"{module}._make_function" for module in CLOUDPICKLE_MODULES)
"""cloudpickle >= 2 rebuilds a function with ``_make_function(code, globals, name, argdefs, closure)``."""

CODE_TYPES: tuple[str, ...] = ("CodeType", "LambdaType", "FunctionType")
"""``types`` names cloudpickle's ``_builtin_type`` may return in a legitimate save: a code object, and
(cloudpickle 1.x) a function made from one."""

CODE_NAMES: frozenset[str] = frozenset(
    {
        # builtins a schedule may call: arithmetic on numbers, nothing that reaches an object's insides
        *("abs", "bool", "float", "int", "len", "max", "min", "pow", "range", "round", "sum"),
        # math / numpy functions (as globals or attributes) and the names those modules are imported as
        *("math", "np", "numpy"),
        *("exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cos", "sin", "tan", "tanh", "cosh", "sinh"),
        *("pi", "e", "inf", "floor", "ceil", "clip", "fmod", "maximum", "minimum", "power"),
    }
)
"""Every name a cloudpickled function's code (and each code object nested in it) may use. A code
object's ``co_names`` are the globals, builtins and attributes its bytecode looks up, so this bounds
what the function can reach when SB3 calls it: a schedule doing arithmetic on its argument uses none
or ``float`` (SB3's ``constant_fn``, ``get_linear_fn``, rl-zoo3's ``linear_schedule``, a user's
closure); ``open``, ``os``, ``getattr``, ``__import__``, ``eval``, any dunder are out. Closure cells,
defaults and constants are data, read as the rest of the pickle."""

DATA_ENV_KEY = "env"
"""A ``data`` key SB3 never saves (``_excluded_save_params``) but its ``load`` reads: given no env, it passes
``data["env"]`` to the algorithm, which calls ``gym.make`` on a string (a ``module:Env`` id imports ``module``)."""

NUMPY_ARRAY_MAKERS: frozenset[str] = frozenset(f"{core}.multiarray._reconstruct" for core in _NUMPY_CORES)
"""``_reconstruct(ndarray, (0,), b"b")`` starts an array (BUILD fills it): the class it is given is the array's
type, not a value the array keeps."""

CODE_OPCODES: frozenset[str] = frozenset(
    {
        # moving values: constants, locals, cells, the stack
        *("CACHE", "NOP", "EXTENDED_ARG", "RESUME", "POP_TOP", "PUSH_NULL", "COPY", "SWAP", "LOAD_CONST"),
        *("LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "STORE_FAST", "DELETE_FAST", "RETURN_CONST"),
        *("LOAD_FAST_LOAD_FAST", "STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST"),
        *("MAKE_CELL", "LOAD_CLOSURE", "LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF", "COPY_FREE_VARS"),
        *("ROT_TWO", "ROT_THREE", "ROT_FOUR", "ROT_N", "DUP_TOP", "DUP_TOP_TWO"),
        # looking up CODE_NAMES (the names are read from co_names), calling, returning
        *("LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "PRECALL", "CALL", "KW_NAMES", "CALL_KW", "CALL_FUNCTION_EX"),
        *("CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_METHOD", "RETURN_VALUE"),
        *("MAKE_FUNCTION", "SET_FUNCTION_ATTRIBUTE"),
        # arithmetic, comparisons, containers, strings
        *("BINARY_OP", "BINARY_SUBSCR", "BINARY_SLICE", "COMPARE_OP", "IS_OP", "CONTAINS_OP", "TO_BOOL"),
        *("UNARY_POSITIVE", "UNARY_NEGATIVE", "UNARY_NOT", "UNARY_INVERT"),
        *(f"{kind}_{op}" for kind in ("BINARY", "INPLACE") for op in _BINARY_OPERATIONS),
        *("BUILD_TUPLE", "BUILD_LIST", "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "BUILD_SLICE"),
        *("BUILD_STRING", "LIST_APPEND", "LIST_EXTEND", "LIST_TO_TUPLE", "SET_ADD", "SET_UPDATE", "MAP_ADD"),
        *("DICT_MERGE", "DICT_UPDATE", "UNPACK_SEQUENCE", "UNPACK_EX"),
        *("FORMAT_VALUE", "FORMAT_SIMPLE", "FORMAT_WITH_SPEC", "CONVERT_VALUE"),
        # control flow: jumps, loops, generator expressions, try / except / assert / raise
        *("JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP_ABSOLUTE", "JUMP_IF_NOT_EXC_MATCH"),
        *("JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP", "GET_ITER", "FOR_ITER", "END_FOR"),
        *(f"POP_JUMP_{way}IF_{test}" for way in ("", "FORWARD_", "BACKWARD_") for test in _JUMP_TESTS),
        *("GEN_START", "RETURN_GENERATOR", "YIELD_VALUE", "SETUP_FINALLY", "POP_BLOCK", "PUSH_EXC_INFO"),
        *("CHECK_EXC_MATCH", "POP_EXCEPT", "RERAISE", "RAISE_VARARGS", "LOAD_ASSERTION_ERROR"),
    }
)
"""Bytecode a cloudpickled function may hold (Python 3.10 to 3.13, by name; read with this Python's opcode
table, as this Python would run it): moving values, looking up CODE_NAMES, arithmetic and control flow. Out:
what reaches attributes or names outside ``co_names`` (``MATCH_CLASS`` reads them from the constants,
``LOAD_BUILD_CLASS``, ``IMPORT_*``, ``*_NAME``, ``STORE_ATTR``, ``STORE_GLOBAL``, ``CALL_INTRINSIC_*``), ``with``
and ``async`` machinery, and the specialized forms the interpreter writes itself."""

CODE_MODULES: frozenset[str] = frozenset({"math", "numpy"})
"""Modules a cloudpickled function may import (``cloudpickle.subimport``): with CODE_NAMES they give
arithmetic only."""

TORCH_PICKLE_ALLOWED: frozenset[str] = frozenset(
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        *(f"torch.{kind}Storage" for kind in _TORCH_STORAGES),
        *(f"torch.cuda.{kind}Storage" for kind in _TORCH_STORAGES),
    }
)
"""What the pickle of a state dict or optimizer state (``policy.pth``, ``*.optimizer.pth``,
``pytorch_variables.pth``) names: tensors rebuilt from storages, ordered dicts. All of it is in
torch's own ``weights_only`` allow-list."""

TORCH_STORAGE_DTYPES: dict[str, tuple[str, int]] = {
    "FloatStorage": ("float32", 4),
    "DoubleStorage": ("float64", 8),
    "HalfStorage": ("float16", 2),
    "BFloat16Storage": ("bfloat16", 2),
    "LongStorage": ("int64", 8),
    "IntStorage": ("int32", 4),
    "ShortStorage": ("int16", 2),
    "CharStorage": ("int8", 1),
    "ByteStorage": ("uint8", 1),
    "BoolStorage": ("bool", 1),
    "ComplexFloatStorage": ("complex64", 8),
    "ComplexDoubleStorage": ("complex128", 16),
}
"""The storage class a torch pickle names for a tensor (``torch.FloatStorage``, or ``torch.cuda.``'s) -> the
tensor's dtype and bytes per element."""

TORCH_TENSOR_REBUILDS: frozenset[str] = frozenset(
    {"torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"}
)
"""Calls that make one tensor entry: counted before torch loads a state dict."""

YAML_SAFE_TAGS: frozenset[str] = frozenset(
    {
        *(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "seq", "map")),
        *(f"tag:yaml.org,2002:{kind}" for kind in ("binary", "timestamp", "omap", "pairs", "set", "merge", "value")),
        *(
            f"tag:yaml.org,2002:python/{kind}"
            for kind in ("none", "bool", "str", "unicode", "bytes", "int", "long", "float", "complex", "list", "tuple")
        ),
        "tag:yaml.org,2002:python/dict",
        "tag:yaml.org,2002:python/object/apply:collections.OrderedDict",
    }
)
"""Tags an rl-zoo3 run folder's ``config.yml`` / ``args.yml`` may carry: rl-zoo3 reads them with
``yaml.UnsafeLoader``, so any other ``!!python/...`` tag (``object/apply:os.system``) runs code."""

ZOO_EVALUATED_KEYS: tuple[str, ...] = (
    "normalize",
    "policy_kwargs",
    "replay_buffer_class",
    "replay_buffer_kwargs",
    "monitor_kwargs",
)
"""``config.yml`` keys whose string value rl-zoo3 ``eval``s (``normalize`` on every ``enjoy``, the others when
``ExperimentManager`` trains from the saved hyperparameters again)."""
ZOO_EVAL_NAMES: tuple[str, ...] = ("HerReplayBuffer",)
"""Bare names rl-zoo3 files give an evaluated key (``replay_buffer_class: HerReplayBuffer``): its own import."""


# --- what training does with the networks (held against SB3's source in tests/test_catalog.py) --------

DISTRIBUTION_KINDS: dict[str, str] = {
    "DiagGaussianDistribution": "gaussian",
    "SquashedDiagGaussianDistribution": "squashed_gaussian",
    "StateDependentNoiseDistribution": "gsde",
    "CategoricalDistribution": "categorical",
    "MultiCategoricalDistribution": "multi_categorical",
    "BernoulliDistribution": "bernoulli",
    "MaskableCategoricalDistribution": "categorical",
    "MaskableMultiCategoricalDistribution": "multi_categorical",
}
"""SB3 / sb3-contrib action distribution classes -> the report's ``action_distribution.kind``; a class not named
here takes its closest base's kind (sb3-contrib's MaskableBernoulliDistribution is a MaskableMultiCategorical)."""

LOSSES: dict[tuple[str, str], tuple[str, str]] = {
    # ppo/ppo.py, a2c/a2c.py, ppo_mask/ppo_mask.py, ppo_recurrent/ppo_recurrent.py:
    # `loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss` (entropy_loss = -mean(entropy))
    **{
        (algo, "policy"): (
            "policy_loss + {vf_coef}·value_loss − {ent_coef}·entropy",
            "one optimizer over every parameter and one combined loss (vf_coef {vf_coef}, ent_coef {ent_coef}): "
            "whatever pi and vf share gets gradients from both",
        )
        for algo in ("PPO", "A2C", "MaskablePPO", "RecurrentPPO")
    },
    # trpo/trpo.py train: value_loss.backward(); `for param in actor_params: param.grad = None`; optimizer.step()
    ("TRPO", "policy"): (
        "value_loss (MSE)",
        "TRPO clears the gradients of the actor's parameters before step(), so this optimizer moves the value path "
        "only; the actor moves by a natural-gradient step (conjugate gradient and line search within target_kl "
        "{target_kl}), which keeps no optimizer state",
    ),
    # sac/sac.py train: `actor_loss = (ent_coef * log_prob - min_qf_pi).mean()`; the next action of the TD target
    # comes from `self.actor.action_log_prob(replay_data.next_observations)` (SAC, TQC: no actor_target);
    # `critic_loss = 0.5 * sum(F.mse_loss(current_q, target_q_values) for current_q in current_q_values)`
    **{
        (algo, "actor"): (
            "ent_coef·log π(a|s) − min_i Q_i(s, a)",
            "the actor loss, with a sampled from the actor and the q-networks' minimum",
        )
        for algo in ("SAC", "CrossQ")
    },
    ("SAC", "critic"): (
        "½·Σ_i MSE(Q_i(s, a), TD target)",
        "each q-network against r + γ·(min target Q(s', a') − ent_coef·log π(a'|s')): Q from critic_target, a' "
        "sampled from the current actor (there is no actor_target: SAC's actor is stochastic and its entropy term "
        "needs the policy being trained)",
    ),
    # crossq/crossq.py train: next-state values from the critic itself, in one joint forward pass
    ("CrossQ", "critic"): (
        "½·Σ_i MSE(Q_i(s, a), TD target)",
        "the next-state values come from the same critic, in one joint forward pass with BatchRenorm: there is no "
        "target network",
    ),
    # tqc/tqc.py train: `actor_loss = (ent_coef * log_prob - qf_pi.mean(dim=2).mean(dim=1, keepdim=True)).mean()`;
    # `n_target_quantiles = self.critic.quantiles_total - self.top_quantiles_to_drop_per_net * self.critic.n_critics`
    ("TQC", "actor"): ("ent_coef·log π(a|s) − mean of all quantiles", "the actor loss, with a sampled from the actor"),
    ("TQC", "critic"): (
        "quantile Huber loss",
        "against the target's lowest {kept} of its {quantiles_total} pooled quantiles "
        "(top_quantiles_to_drop_per_net {top_quantiles_to_drop_per_net} dropped per critic), at a' sampled from the "
        "current actor (there is no actor_target)",
    ),
    # td3/td3.py train: `actor_loss = -self.critic.q1_forward(...).mean()` every policy_delay updates;
    # `critic_loss = sum(F.mse_loss(current_q, target_q_values) for current_q in current_q_values)`
    **{
        (algo, "actor"): (
            "−Q_1(s, μ(s))",
            "the first q-network's value of the actor's action, every policy_delay {policy_delay} critic updates",
        )
        for algo in ("TD3", "DDPG")
    },
    ("TD3", "critic"): (
        "Σ_i MSE(Q_i(s, a), TD target)",
        "each q-network against r + γ·min target Q(s', μ_target(s') + clipped noise)",
    ),
    # ddpg/ddpg.py: TD3 with policy_delay=1, n_critics=1, target_policy_noise=0.0, target_noise_clip=0.0
    ("DDPG", "critic"): ("MSE(Q(s, a), TD target)", "the q-network against r + γ·Q_target(s', μ_target(s'))"),
    # dqn/dqn.py train: `loss = F.smooth_l1_loss(current_q_values, target_q_values)`
    ("DQN", "policy"): ("Huber(Q(s, a) − (r + γ·max_a' Q_target(s', a')))", "q_net against q_net_target's TD target"),
    # qrdqn/qrdqn.py train: `loss = quantile_huber_loss(current_quantiles, target_quantiles, sum_over_quantiles=True)`
    ("QRDQN", "policy"): (
        "quantile Huber loss",
        "quantile_net's quantiles against r + γ·quantile_net_target(s', a'), a' greedy by the target's quantile means",
    ),
}
"""(algorithm, which optimizer: ``policy``, ``actor`` or ``critic``) -> (the loss, what it means)."""
LOSS_VALUES = ("ent_coef", "vf_coef", "target_kl", "policy_delay", "top_quantiles_to_drop_per_net")
"""Algorithm attributes the loss texts name, filled in from the algorithm object."""
ENTROPY_LOSS = (
    "−log_ent_coef·(log π(a|s) + target_entropy)",
    "ent_coef is learned so the policy's entropy follows target_entropy",
)
"""sac/sac.py train: ``ent_coef_loss = -(self.log_ent_coef * (log_prob + self.target_entropy).detach()).mean()``."""

ORTHO_INIT_GAINS: tuple[tuple[str, str], ...] = (
    ("features_extractor", "√2"),
    ("mlp_extractor", "√2"),
    ("action_net", "0.01"),
    ("value_net", "1"),
)
"""ActorCriticPolicy._build with ortho_init=True: ``module_gains`` for ``nn.init.orthogonal_`` (biases 0)."""
ORTHO_INIT_UNSHARED = ("pi_features_extractor", "vf_features_extractor")
"""What replaces ``features_extractor`` in ``module_gains`` (same gain) with ``share_features_extractor=False``."""

NO_TARGET = {
    "CrossQ": "CrossQ keeps no target networks: the critic evaluates next states itself, in one joint forward pass "
    "with batch renormalization",
}
"""Off-policy algorithms without target networks, and why."""

ROLLOUT_BUFFERS: dict[str | None, tuple[str, str, str]] = {
    None: ("stable_baselines3.common.buffers", "RolloutBuffer", "DictRolloutBuffer"),
    "RecurrentPPO": ("sb3_contrib.common.recurrent.buffers", "RecurrentRolloutBuffer", "RecurrentDictRolloutBuffer"),
    "MaskablePPO": ("sb3_contrib.common.maskable.buffers", "MaskableRolloutBuffer", "MaskableDictRolloutBuffer"),
}
"""The rollout buffer an on-policy algorithm's ``_setup_model`` makes when no ``rollout_buffer_class`` is
given: (module, class for flat observations, class for Dict observations); None: every other algorithm."""

SAVED_ALGO_ATTRIBUTES = (
    "learning_rate",
    "n_envs",
    "n_steps",
    "buffer_size",
    "optimize_memory_usage",
    "tau",
    "target_update_interval",
    "policy_delay",
    "target_policy_noise",
    "target_noise_clip",
    "ent_coef",
    "vf_coef",
    "target_kl",
    "sde_sample_freq",
    "exploration_initial_eps",
    "exploration_final_eps",
    "exploration_fraction",
    "top_quantiles_to_drop_per_net",
    "action_noise",
)
"""Algorithm attributes a saved model's ``data`` keeps that the report's answers read (targets, losses, noise,
the buffer's size)."""


# --- what to do instead (refusals) -------------------------------------------------------------------

_A2C_STEP = (
    "A2C makes one gradient step per rollout, on all n_steps × n_envs samples at once: no minibatches, no epochs"
)
NOT_A_KEYWORD_BECAUSE: dict[str, dict[str, str]] = {
    "A2C": {
        "batch_size": _A2C_STEP,
        "n_epochs": _A2C_STEP,
        "clip_range": "A2C's policy loss is not clipped (PPO's is)",
    },
}
"""Why an algorithm lacks a keyword its neighbours take (a config written for PPO, run with A2C)."""

RECURRENT_ALGO = "RecurrentPPO"
"""The only algorithm with recurrent (``*LstmPolicy``) policies, in sb3-contrib."""
NOT_IN_SB3: dict[str, str] = {
    "lr": "the learning rate is the algorithm's learning_rate, from which SB3 gives the optimizer its lr: write "
    "learning_rate: at the top level",
    "layer_norm": "SB3's policies have no layer normalization: use a custom features extractor "
    "(features_extractor_class) or policy, or sb3-contrib's CrossQ, whose actor and critic use batch renormalization",
    "batch_norm": "only sb3-contrib's CrossQ takes batch_norm",
    "dropout": "SB3's policies have no dropout keyword: a custom features extractor or policy adds it "
    "(activation_fn: Dropout replaces the activation, leaving the hidden layers linear)",
    "dueling": "SB3's DQN is the vanilla one (no dueling head, no double-Q target): subclass QNetwork for a dueling "
    "head, or use sb3-contrib's QRDQN for a distributional one",
    "double_q": "SB3's DQN is the vanilla one (no double-Q target); TD3, SAC and TQC keep twin critics (n_critics)",
    "lstm": "recurrent policies are sb3-contrib's RecurrentPPO (policy: MlpLstmPolicy, lstm_hidden_size)",
    "shared_layers": "shared layers were removed in SB3 1.8: a features extractor (features_extractor_class) is what "
    "pi and vf share (share_features_extractor: true)",
}
"""Policy keywords people reach for that SB3 has no such thing for, and what to do instead."""
PER_NETWORK_ACTIVATION = (
    "one activation_fn applies to every hidden layer of every network; different activations for pi and vf need a "
    "custom mlp_extractor: subclass ActorCriticPolicy and override _build_mlp_extractor (SB3 docs, Custom Policy "
    "Network, Advanced Example)"
)

NO_OPTIMIZER = {
    "ARS": "none: ARS moves the weights along random perturbations weighted by the returns they earn (no gradient, "
    "no optimizer)",
}
"""Algorithms that train without a gradient optimizer, and how they train instead."""
MASKED_LOGIT = -1e8
"""sb3-contrib's MaskableCategorical: ``HUGE_NEG``, the logit an invalid action gets before the softmax."""
