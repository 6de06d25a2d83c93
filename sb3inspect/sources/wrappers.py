"""The env pipeline rl-zoo3 builds around an env, applied to find the observation the policy gets.

rl-zoo3's ``create_envs`` (rl_zoo3/exp_manager.py) wraps each env in ``env_wrapper`` (each wrapper
with its keyword arguments), vectorizes it, then applies ``vec_env_wrapper``, ``normalize``
(``VecNormalize``) and ``frame_stack`` (``VecFrameStack``), in that order; the channel-last image
transpose is SB3's own and is done by the build. The same pipeline serves an rl-zoo3 entry and a
config that carries these keys, around a registered env or an env known only by its spaces.

Wrappers are applied by their real classes, but only those of a fixed table (SB3, sb3-contrib,
gymnasium, rl-zoo3): a module path written in a file is imported only with ``allow_imports``. A
wrapper that is not applied is named in the report's notes. Stack sizes (``stack_size``,
``n_stack``, ``horizon``) are refused past ``MAX_FRAME_STACK`` or ``spaces.MAX_SPACE_ELEMENTS``
before a wrapper allocates them, and every wrapped observation space is held to
``MAX_SPACE_ELEMENTS``. ``VecNormalize`` matters to the architecture: it turns an image into a
float Box in [-clip_obs, clip_obs], which SB3 no longer treats as an image.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, SourceError, suggestion
from sb3inspect.sources.pyexpr import read_expression

MAX_FRAME_STACK = 1024


@dataclass(frozen=True)
class Wrapper:
    """One ``env_wrapper`` / ``vec_env_wrapper`` item of an entry."""

    name: str
    """As the file writes it: ``stable_baselines3.common.atari_wrappers.AtariWrapper``."""
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class EnvPipeline:
    """What rl-zoo3 puts around an env, read from a config's or an entry's keys (``catalog.ZOO_ENV_KEYS``)."""

    env_wrappers: tuple[Wrapper, ...] = ()
    vec_wrappers: tuple[Wrapper, ...] = ()
    normalize: Mapping[str, Any] | None = None
    """``VecNormalize``'s keyword arguments; None: no ``VecNormalize``."""
    frame_stack: int | None = None

    def __bool__(self) -> bool:
        return bool(self.env_wrappers or self.vec_wrappers or self.normalize is not None or self.frame_stack)


def read_pipeline(settings: Mapping[str, Any], where: Callable[[str], str]) -> EnvPipeline:
    """The pipeline a config's or an entry's keys ask for, checked without importing anything.

    ``where(key)`` names a key for messages (``ppo.yml [CartPole-v1]: frame_stack``).
    """
    return EnvPipeline(
        env_wrappers=tuple(_wrappers(settings.get("env_wrapper"), where("env_wrapper"))),
        vec_wrappers=tuple(_wrappers(settings.get("vec_env_wrapper"), where("vec_env_wrapper"))),
        normalize=_normalize(settings.get("normalize"), settings.get("gamma"), where("normalize")),
        frame_stack=_frame_stack(settings.get("frame_stack"), where("frame_stack")),
    )


def _frame_stack(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FRAME_STACK:
        raise ConfigError(where, f"expected a number of frames from 1 to {MAX_FRAME_STACK}, got {value!r}")
    return value


def _normalize(value: Any, gamma: Any, where: str) -> dict[str, Any] | None:
    """rl-zoo3's forms: true, a mapping of ``VecNormalize`` keywords, or a ``dict(...)`` string of them.

    rl-zoo3 gives ``VecNormalize`` the algorithm's ``gamma`` as well (``_preprocess_normalization``).
    """
    if value is None or value is False:
        return None
    if value is True:
        kwargs: dict[str, Any] = {}
    elif isinstance(value, str):
        parsed = read_expression(value, where)
        if not isinstance(parsed, dict):
            raise ConfigError(where, f"expected true, false or a dict(...) of VecNormalize keywords, got {value!r}")
        kwargs = parsed
    elif isinstance(value, dict):
        kwargs = dict(value)
    else:
        raise ConfigError(
            where,
            f"expected true, false or a mapping of VecNormalize keywords, got {value!r}",
            hint="e.g. normalize: {norm_obs: true, norm_reward: false}",
        )
    for key in kwargs:
        if key not in catalog.VEC_NORMALIZE_KWARGS:
            hint = suggestion(str(key), catalog.VEC_NORMALIZE_KWARGS) or (
                f"VecNormalize takes {', '.join(catalog.VEC_NORMALIZE_KWARGS)}"
            )
            raise ConfigError(f"{where}.{key}", f"VecNormalize has no keyword {key!r}", hint=hint)
    if gamma is not None:
        kwargs["gamma"] = gamma
    return kwargs


def _wrappers(value: Any, where: str) -> list[Wrapper]:
    """rl-zoo3's forms: a name, or a list of names and ``{name: {keyword: value}}`` items."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, dict):
            if len(item) != 1:
                raise ConfigError(
                    at,
                    "a wrapper with arguments is a mapping of one name to its keyword arguments",
                    hint="check the indentation, e.g. - rl_zoo3.wrappers.HistoryWrapper: {horizon: 2}",
                )
            name, kwargs = next(iter(item.items()))
            kwargs = kwargs or {}
            if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
                raise ConfigError(f"{at}.{name}", "expected a mapping of keyword arguments")
        else:
            name, kwargs = item, {}
        if not isinstance(name, str) or "." not in name:
            raise ConfigError(
                at,
                f"expected a wrapper's module path and class name, got {name!r}",
                hint="e.g. stable_baselines3.common.atari_wrappers.AtariWrapper",
            )
        out.append(Wrapper(name, dict(kwargs)))
    return out


@dataclass(frozen=True)
class Target:
    """What the pipeline wraps, for messages: where its keys were written and what env it is."""

    where: str
    """The config or entry: ``configs/a.yaml``, ``ppo.yml [CartPole-v1]``."""
    env_name: str
    """``CartPole-v1``, or ``an env given by its spaces``."""
    spaces_only: bool = False
    """The env only carries the config's two spaces (no dynamics, no ``unwrapped`` game)."""
    allow_imports: bool = False


def wrap_function(pipeline: EnvPipeline, target: Target, notes: list[str]) -> Callable[[Any], Any]:
    """What rl-zoo3's ``create_envs`` does to one env, for the wrappers sb3inspect can apply.

    Which wrappers apply is decided here, from names alone; their modules are imported when the
    env has been made, so a bad entry or a missing env is found before torch is imported.
    """
    env_items = [
        (w, catalog.ENV_WRAPPERS)
        for w in pipeline.env_wrappers
        if _applies(w, catalog.ENV_WRAPPERS, target.allow_imports)
    ]
    vec_items = [
        (w, catalog.VEC_ENV_WRAPPERS)
        for w in pipeline.vec_wrappers
        if _applies(w, catalog.VEC_ENV_WRAPPERS, target.allow_imports)
    ]
    for wrapper, table in (*env_items, *vec_items):
        home = known_class(wrapper.name, table)
        if home is not None and (missing := catalog.unavailable(f"{home}.{wrapper.short}")):
            problem, hint = missing
            raise ConfigError(f"{target.where}: {wrapper.name}", problem, hint=hint, code="version")
    applied = {id(w) for w, _ in (*env_items, *vec_items)}
    for wrapper in (*pipeline.env_wrappers, *pipeline.vec_wrappers):
        if id(wrapper) in applied:
            notes.append(f"wrapper {wrapper.short}{_kwargs_text(wrapper.kwargs)} applied, as rl-zoo3 does")
        else:
            notes.append(
                f"wrapper {wrapper.name} NOT applied: sb3inspect imports no module a file names (pass --allow-imports "
                "to import it); the observation shown is the one without it, the real one may differ"
            )
    if pipeline.normalize is not None:
        notes.append(
            f"normalize: VecNormalize{_kwargs_text(pipeline.normalize)} wraps the env, as rl-zoo3 does "
            "(it normalizes observations outside the policy, and turns an image into a float Box)"
        )
    if pipeline.frame_stack:
        notes.append(f"frame_stack: {pipeline.frame_stack} frames stacked (VecFrameStack), as rl-zoo3 does")

    def wrap(env: Any) -> Any:
        for wrapper, table in env_items:
            env = _apply(wrapper_class(wrapper, table, target.allow_imports), env, wrapper, target)
        if not (pipeline.frame_stack or pipeline.normalize is not None or vec_items):
            return env
        from sb3inspect.sources.envs import uncapped

        with uncapped():
            from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack, VecNormalize

        venv = DummyVecEnv([lambda: env])
        for wrapper, table in vec_items:
            venv = _apply(wrapper_class(wrapper, table, target.allow_imports), venv, wrapper, target)
        if pipeline.normalize is not None:
            venv = _apply(VecNormalize, venv, Wrapper("normalize", dict(pipeline.normalize)), target)
        if pipeline.frame_stack:
            _check_stacking(Wrapper("frame_stack", {"n_stack": pipeline.frame_stack}), venv, target)
            return VecFrameStack(venv, pipeline.frame_stack)
        return venv

    return wrap


def _applies(wrapper: Wrapper, table: Mapping[str, tuple[str, ...]], allow_imports: bool) -> bool:
    """A wrapper of the table, or any wrapper when the user allowed imports."""
    return allow_imports or known_class(wrapper.name, table) is not None


def known_class(dotted: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The table's module a class path belongs to (a file may name any submodule of it), or None."""
    module, _, name = dotted.rpartition(".")
    for home, names in table.items():
        if (module == home or module.startswith(home + ".")) and name in names:
            return home
    return None


def wrapper_class(wrapper: Wrapper, table: Mapping[str, tuple[str, ...]], allow_imports: bool) -> type:
    """The class a wrapper name means: from the table's module, or (allowed imports) its own.

    The import is not charged to the env child's memory cap (``envs.uncapped``); the wrapper's constructor is.
    """
    from sb3inspect.sources.envs import rl_zoo3_wrappers, uncapped

    home = known_class(wrapper.name, table)
    module, _, name = wrapper.name.rpartition(".")
    if home == "rl_zoo3.wrappers":
        found: type = getattr(rl_zoo3_wrappers(f"wrapper {wrapper.name}"), name)
        return found
    if home is not None:
        with uncapped():
            found = getattr(importlib.import_module(home), name)
        return found
    if not allow_imports:  # _applies decided this earlier; never import a file's module without the opt-in
        raise SourceError(f"wrapper {wrapper.name}: not one of the wrappers sb3inspect applies, and imports are off")
    try:
        with uncapped():
            cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SourceError(f"wrapper {wrapper.name} cannot be imported: {exc}") from None
    if not isinstance(cls, type):
        raise SourceError(f"wrapper {wrapper.name} is not a class")
    return cls


_STACKING_KWARGS = ("stack_size", "n_stack", "num_stack", "horizon")
"""Wrapper keywords that multiply the observation (FrameStackObservation, VecFrameStack, HistoryWrapper)."""


def _apply(cls: type, env: Any, wrapper: Wrapper, target: Target) -> Any:
    from gymnasium import error as gym_error

    from sb3inspect.sources.envs import check_space_size

    _check_stacking(wrapper, env, target)
    try:
        wrapped = cls(env, **wrapper.kwargs)
    except (
        AssertionError,
        AttributeError,
        TypeError,
        ValueError,
        KeyError,
        NotImplementedError,
        ImportError,
        gym_error.Error,
    ) as exc:
        text = " ".join(str(exc).split())[:300] or type(exc).__name__
        if isinstance(exc, (ImportError, gym_error.DependencyNotInstalled)):
            raise SourceError(
                target.where, f"{_label(wrapper)} needs a package that is not installed: {text}"
            ) from None
        hint = None
        if target.spaces_only:
            hint = (
                "a config's observation_space is what the env returns, before these wrappers, and a wrapper that "
                "needs the real env cannot wrap its spaces alone: give env: ID, or give the wrapped "
                f"observation_space without {wrapper.short}"
            )
        raise SourceError(target.where, f"{_label(wrapper)} cannot wrap {target.env_name}: {text}", hint=hint) from None
    except MemoryError:
        raise SourceError(
            target.where,
            f"{_label(wrapper)}{_kwargs_text(wrapper.kwargs)} ran out of memory "
            f"wrapping {target.env_name}; its observation would be larger than sb3inspect reads",
        ) from None
    check_space_size(wrapped.observation_space, f"{target.where}: {_label(wrapper)} gives an observation space")
    return wrapped


def _check_stacking(wrapper: Wrapper, env: Any, target: Target) -> None:
    """Refuse a stack size the wrapper would allocate in full (its bounds, its frames) before it does."""
    from sb3inspect.sources.envs import space_elements
    from sb3inspect.sources.spaces import MAX_SPACE_ELEMENTS

    for key in _STACKING_KWARGS:
        value = wrapper.kwargs.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            continue
        elements = space_elements(env.observation_space)
        if value > MAX_FRAME_STACK or value * elements > MAX_SPACE_ELEMENTS:
            raise ConfigError(
                f"{target.where}: {wrapper.short}.{key}",
                f"{value:,} stacked observations of {elements:,} elements is more than sb3inspect builds "
                f"(up to {MAX_FRAME_STACK:,} frames and {MAX_SPACE_ELEMENTS:,} elements)",
                hint="the wrapper would allocate every frame; rl-zoo3 files stack 2 to 16",
            )


def _label(wrapper: Wrapper) -> str:
    """``wrapper AtariWrapper``; ``normalize (VecNormalize)`` for the pipeline's own step."""
    return "normalize (VecNormalize)" if wrapper.name == "normalize" else f"wrapper {wrapper.short}"


def _kwargs_text(kwargs: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{key}={value!r}" for key, value in kwargs.items()) + ")" if kwargs else ""
