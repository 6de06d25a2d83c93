"""PolicySpec -> the real SB3 / sb3-contrib policy, on the meta device.

The algorithm class itself is created (without ``_setup_model``) around a stand-in env that only
carries the two spaces, so every rule SB3 applies before building a policy is SB3's own: the
policy alias lookup, ``supported_action_spaces``, the channel-last image transpose
(``VecTransposeImage``), and the algorithm's edits to ``policy_kwargs`` (DDPG's single critic,
A2C's RMSprop, the off-policy ``use_sde`` switch). The policy is then constructed with the same
call the algorithm's ``_setup_model`` makes, under ``meta_build()``.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from sb3inspect import catalog
from sb3inspect.build.meta import meta_build, recording_class
from sb3inspect.caught import caught_warnings, pass_on
from sb3inspect.errors import BuildError, one_line
from sb3inspect.sources.config import PolicySpec, PythonClass
from sb3inspect.sources.spaces import to_gym


@dataclass
class BuiltPolicy:
    """A policy on the meta device and the facts about how it was built."""

    policy: Any
    """The ``BasePolicy`` (``torch.nn.Module``), every parameter on the meta device."""
    algo: str
    policy_alias: str | None
    observation_space: Any
    """The space the policy was built for (after SB3's image transpose)."""
    action_space: Any
    notes: list[str] = field(default_factory=list)
    warnings: list[Sb3Warning] = field(default_factory=list)
    """What SB3 warned about while building (the report shows them as notes)."""
    optimizer: tuple[str, dict[str, Any]] | None = None
    """The optimizer the algorithm would create (class name, options): the build only records it."""
    algorithm: Any = None
    """The algorithm object the policy was built for (its model not set up): tau, target_update_interval,
    vf_coef, sde_sample_freq... as the algorithm holds them."""
    env_observation_space: Any = None
    """The observation space the env gives, before SB3's channel-first transpose."""


def algorithm_class(name: str) -> type:
    """The algorithm class for a canonical name, with an install hint if its package is missing."""
    info = catalog.ALGORITHMS[name]
    try:
        module = importlib.import_module(info.package)
    except ImportError:
        raise BuildError(
            f"{name} comes from {info.pip_name}, which is not installed: pip install {info.pip_name}"
        ) from None
    if missing := catalog.unavailable(info.qualified_name):
        problem, hint = missing
        raise BuildError(problem, hint=hint, code="version")
    cls: type = getattr(module, name)
    return cls


def resolve_kwargs(policy_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Class names in a spec's policy keywords -> the classes SB3 expects."""
    import torch
    from stable_baselines3.common import torch_layers

    resolved: dict[str, Any] = {
        key: value.cls if isinstance(value, PythonClass) else value for key, value in policy_kwargs.items()
    }
    if isinstance(activation := resolved.get("activation_fn"), str):
        resolved["activation_fn"] = getattr(torch.nn, activation)
    if isinstance(extractor := resolved.get("features_extractor_class"), str):
        resolved["features_extractor_class"] = getattr(torch_layers, extractor)
    if isinstance(name := resolved.get("optimizer_class"), str):
        if name == "RMSpropTFLike":
            from stable_baselines3.common.sb2_compat.rmsprop_tf_like import RMSpropTFLike

            resolved["optimizer_class"] = RMSpropTFLike
        else:
            resolved["optimizer_class"] = getattr(torch.optim, name)
    return resolved


def build_policy(spec: PolicySpec) -> BuiltPolicy:
    """Construct the policy ``spec`` describes, on the meta device, as its algorithm would."""
    algo_cls = algorithm_class(spec.algo)
    info = catalog.ALGORITHMS[spec.algo]
    observation_space = to_gym(spec.observation_space)
    action_space = to_gym(spec.action_space)
    notes = list(spec.notes)

    with caught_warnings() as caught:
        algo = _make_algorithm(algo_cls, spec, observation_space, action_space)
        kwargs = dict(algo.policy_kwargs)
        optimizer = None
        parameters = _policy_parameters(algo.policy_class)
        real = None
        if "optimizer_class" in parameters:
            real = kwargs.get("optimizer_class") or parameters["optimizer_class"].default
            kwargs["optimizer_class"] = recording_class(real)
        args: tuple[Any, ...] = (algo.observation_space, algo.action_space)
        if info.family != "ars":
            args += (algo.lr_schedule,)
        if info.family == "on_policy" and info.use_sde:
            kwargs["use_sde"] = algo.use_sde
        try:
            with meta_build():
                policy = algo.policy_class(*args, **kwargs)
        except (
            AssertionError,
            ValueError,
            TypeError,
            KeyError,
            RuntimeError,
            NotImplementedError,
            IndexError,
            AttributeError,
        ) as exc:
            raise BuildError(
                str(spec.source),
                f"SB3 cannot build this {spec.algo} {spec.policy}: {_sb3_message(exc)}",
                hint=_policy_refusal_hint(spec, exc),
            ) from exc
    raised = _sb3_warnings(caught)
    pass_on(w for w in caught if _module_in(w, (*SB3_PACKAGES, *DRIVEN_PACKAGES)) is None)
    if real is not None:  # the options as the policy holds them, after SB3's own edits (PPO's Adam eps=1e-5)
        optimizer = (real.__name__, dict(getattr(policy, "optimizer_kwargs", None) or {}))
    if algo.observation_space.shape != observation_space.shape:
        notes.append(
            f"SB3 transposes the channel-last image {tuple(observation_space.shape)} to channel-first "
            f"{tuple(algo.observation_space.shape)} (VecTransposeImage)"
        )
    return BuiltPolicy(
        policy=policy,
        algo=spec.algo,
        policy_alias=spec.policy,
        observation_space=algo.observation_space,
        action_space=algo.action_space,
        notes=notes,
        warnings=raised,
        optimizer=optimizer,
        algorithm=algo,
        env_observation_space=observation_space,
    )


def _make_algorithm(algo_cls: type, spec: PolicySpec, observation_space: Any, action_space: Any) -> Any:
    """The algorithm object without its model: SB3's own checks and policy_kwargs edits, no buffers.

    The config's training hyperparameters go to the constructor as they would in a training script,
    so SB3 applies what it applies to the policy and refuses what it refuses; ``train_freq`` is
    checked the way ``_setup_model`` would.
    """
    kwargs: dict[str, Any] = {
        **spec.algo_kwargs,
        "policy_kwargs": resolve_kwargs(spec.policy_kwargs),
        "device": "cpu",
        "verbose": 0,
    }
    if spec.use_sde:
        kwargs["use_sde"] = True
    env = spaces_vec_env(observation_space, action_space, spec.n_envs)
    try:
        algo = algo_cls(spec.policy, env, _init_setup_model=False, **kwargs)
        algo._setup_lr_schedule()
        if "train_freq" in spec.algo_kwargs:
            algo._convert_train_freq()
    except (AssertionError, ValueError, TypeError, KeyError, NotImplementedError, AttributeError) as exc:
        raise BuildError(
            str(spec.source), f"SB3's {spec.algo} refuses this config: {_sb3_message(exc)}", hint=_refusal_hint(spec)
        ) from exc
    return algo


def _refusal_hint(spec: PolicySpec) -> str | None:
    """What to change when SB3 refuses the hyperparameters: a number the file holds as text (YAML reads a
    quoted ``"3e-4"`` as a string) is the usual cause."""
    texts = []
    for key, value in spec.algo_kwargs.items():
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                continue
            texts.append(f"{key} is the text {value!r}")
    if texts:
        return "; ".join(texts) + ": write the number without quotes"
    return None


def _policy_refusal_hint(spec: PolicySpec, exc: BaseException) -> str | None:
    """What to change when the policy constructor refuses the config, where the config shows the cause:
    SB3 calls the optimizer with ``lr=lr_schedule(1)``, so an ``lr`` in ``optimizer_kwargs`` reaches it twice."""
    optimizer_kwargs = spec.policy_kwargs.get("optimizer_kwargs")
    if isinstance(exc, TypeError) and isinstance(optimizer_kwargs, dict) and "lr" in optimizer_kwargs:
        return (
            "SB3 gives the optimizer its lr from the algorithm's learning_rate: remove lr from "
            "policy_kwargs.optimizer_kwargs and write learning_rate: at the top level"
        )
    return None


def spaces_vec_env(observation_space: Any, action_space: Any, n_envs: int = 1) -> Any:
    """``n_envs`` envs that only carry two spaces, as one VecEnv that holds no observations.

    SB3's constructors read the spaces and ``num_envs`` (PPO checks ``n_steps * n_envs``); nothing steps it.
    """
    from stable_baselines3.common.vec_env import VecEnv

    class SpacesVecEnv(VecEnv):
        def reset(self) -> Any:
            raise NotImplementedError("a stand-in env for the build: it only carries spaces")

        def step_async(self, actions: Any) -> None:
            raise NotImplementedError("a stand-in env for the build: it only carries spaces")

        def step_wait(self) -> Any:
            raise NotImplementedError("a stand-in env for the build: it only carries spaces")

        def close(self) -> None:
            return None

        def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
            if attr_name == "render_mode":
                return [None] * len(list(self._get_indices(indices)))
            raise AttributeError(attr_name)

        def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
            raise AttributeError(attr_name)

        def env_method(self, method_name: str, *args: Any, indices: Any = None, **kwargs: Any) -> list[Any]:
            raise AttributeError(method_name)

        def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
            return [False] * len(list(self._get_indices(indices)))

    return SpacesVecEnv(n_envs, observation_space, action_space)


def _policy_parameters(policy_class: type) -> Any:
    import inspect

    return inspect.signature(policy_class).parameters


def _sb3_message(exc: BaseException) -> str:
    """SB3's or torch's message in one line: no C++ frames, no traceback."""
    text = one_line(exc)
    if isinstance(exc, KeyError) and text.startswith(("'", '"')):
        text = f"missing key {text}"
    return text


@dataclass(frozen=True)
class Sb3Warning:
    """A warning SB3 or sb3-contrib raised while building, and where from."""

    module: str
    """The dotted module that raised it: ``stable_baselines3.common.policies``."""
    category: str
    """The warning's class name: ``UserWarning``, ``DeprecationWarning``..."""
    text: str

    @property
    def note(self) -> str:
        return f"SB3 warns: {self.text}"


def _sb3_warnings(caught: list[warnings.WarningMessage]) -> list[Sb3Warning]:
    found: list[Sb3Warning] = []
    for warning in caught:
        module = _module_in(warning, SB3_PACKAGES)
        if module is None:
            continue
        item = Sb3Warning(module, warning.category.__name__, " ".join(str(warning.message).split()))
        if item not in found:
            found.append(item)
    return found


SB3_PACKAGES = ("stable_baselines3", "sb3_contrib")
"""Their warnings during a build become the report's notes."""

DRIVEN_PACKAGES = ("torch", "gymnasium", "numpy")
"""What SB3 drives while building: their warnings are about the meta-device build itself (torch's
"Initializing zero-element tensors is a no-op" for a width of 0, which lint names better) and are
dropped. A warning from anywhere else (a user's extractor, sb3inspect) is raised again to the caller."""


def _module_in(warning: warnings.WarningMessage, packages: tuple[str, ...]) -> str | None:
    """The dotted module of ``packages`` a warning came from, None if it came from elsewhere."""
    parts = re.split(r"[\\/]", str(getattr(warning, "filename", "") or "").removesuffix(".py"))
    package = next((i for i, part in enumerate(parts) if part in packages), None)
    return None if package is None else ".".join(parts[package:])
