"""rl-baselines3-zoo hyperparameter files -> one ``PolicySpec`` per entry, as rl-zoo3 would build it.

A zoo file (``hyperparams/ppo.yml``) maps env ids to settings. What rl-zoo3 does with an entry,
and what sb3inspect does with it (rl_zoo3/exp_manager.py, ``read_hyperparameters``,
``_preprocess_hyperparams`` and ``create_envs``):

- the algorithm is the file's name (``ppo_lstm.yml`` -> RecurrentPPO), or ``--algo``; ``her.yml``
  entries name theirs in ``model_class``;
- the entry is the env id's own, else ``atari`` for an Atari game, else ``default``;
- ``policy_kwargs`` strings are read by ``pyexpr`` (an ``ast`` allow-list), never evaluated;
- the env is made, then wrapped as rl-zoo3 wraps it: ``env_wrapper`` (each wrapper with its
  keyword arguments), ``vec_env_wrapper``, then ``frame_stack`` (``VecFrameStack``); the channel-last
  image transpose is SB3's own, done by the build. Wrappers are applied by their real classes,
  but only those of a fixed table (SB3, sb3-contrib, gymnasium, rl-zoo3): a module path written
  in a file is imported only with ``allow_imports``. A wrapper that is not applied is named in the
  report's notes. Stack sizes (``stack_size``, ``n_stack``, ``horizon``) are refused past
  ``MAX_FRAME_STACK`` or ``spaces.MAX_SPACE_ELEMENTS`` before a wrapper allocates them, and every
  wrapped observation space is held to ``MAX_SPACE_ELEMENTS``;
- ``use_sde`` is kept; every other training hyperparameter leaves the architecture alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, SourceError, suggestion
from sb3inspect.sources.config import (
    TOP_LEVEL_KEYS,
    PolicySpec,
    check_policy_kwargs,
    resolve_algo,
    resolve_policy,
    spec_from_mapping,
)
from sb3inspect.sources.pyexpr import policy_kwargs_from_text

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
class ZooEntry:
    """One entry of a zoo file, chosen for one env id; ``spec()`` makes the env and resolves it."""

    path: Path
    env_id: str
    key: str
    """The file's key: the env id itself, ``atari`` or ``default``."""
    algo: str
    settings: Mapping[str, Any]
    allow_imports: bool = False

    @property
    def label(self) -> str:
        return f"{self.path} [{self.env_id}]"

    def spec(self) -> PolicySpec:
        """The entry's ``PolicySpec``: static checks first, then the env made and wrapped."""
        return entry_spec(self)


def is_zoo_mapping(data: Mapping[str, Any]) -> bool:
    """A zoo file maps env ids to settings; a config has top-level keys such as ``algo``."""
    return (
        bool(data)
        and not any(key in TOP_LEVEL_KEYS for key in data)
        and all(isinstance(value, dict) for value in data.values())
    )


def zoo_entries(
    path: Path,
    data: Mapping[str, Any],
    *,
    envs: Sequence[str] = (),
    algo: str | None = None,
    allow_imports: bool = False,
) -> tuple[list[ZooEntry], list[str]]:
    """The entries to inspect, and one sentence per entry left out (no ``envs``: every entry).

    With ``envs``, each id selects its entry as rl-zoo3 does, and one that has none is an error.
    """
    file_algo = _file_algo(path, algo)
    if envs:
        return [_select(path, data, env_id, file_algo, allow_imports) for env_id in envs], []
    entries, skipped = [], []
    for key, settings in data.items():
        if key in catalog.ZOO_FALLBACK_ENTRIES:
            skipped.append(f"{path} [{key}]: {catalog.ZOO_FALLBACK_ENTRIES[key]}")
            continue
        entries.append(
            ZooEntry(path, str(key), str(key), _entry_algo(path, key, settings, file_algo), settings, allow_imports)
        )
    return entries, skipped


def _file_algo(path: Path, algo: str | None) -> str | None:
    """``--algo``, else the algorithm the file is named after; None for ``her.yml`` (per entry)."""
    if algo is not None:
        return resolve_algo(algo, "--algo")
    stem = path.stem.lower().replace("-", "_")
    if stem in catalog.ALGO_ALIASES:
        return catalog.ALGO_ALIASES[stem]
    if stem == "her":
        return None
    raise ConfigError(
        str(path),
        f"cannot tell the algorithm from the file name {path.name!r}",
        hint="rl-zoo3 names its files after the algorithm (ppo.yml, sac.yml, ppo_lstm.yml); pass --algo",
    )


def _entry_algo(path: Path, key: str, settings: Mapping[str, Any], file_algo: str | None) -> str:
    if file_algo is not None:
        return file_algo
    where = f"{path} [{key}]: model_class"
    if "model_class" not in settings:
        raise ConfigError(where, "missing: a her.yml entry names its algorithm in model_class", hint="or pass --algo")
    return resolve_algo(settings["model_class"], where)


def _select(path: Path, data: Mapping[str, Any], env_id: str, file_algo: str | None, allow_imports: bool) -> ZooEntry:
    """rl-zoo3's choice: the id's own entry, else ``atari`` for an Atari game, else ``default``."""
    key: str | None = env_id if env_id in data else None
    try:
        atari = key is None and "atari" in data and _is_atari(env_id)
    except SourceError as exc:
        raise exc.within(f"{path} [{env_id}]") from None
    if atari:
        key = "atari"
    if key is None and "default" in data:
        key = "default"
    if key is None:
        listed = [str(k) for k in data]
        hint = suggestion(env_id, listed) or f"it has {len(listed)} entries: {', '.join(listed[:8])}" + (
            ", ..." if len(listed) > 8 else ""
        )
        raise ConfigError(str(path), f"no entry for {env_id!r}, and no 'default' entry", hint=hint)
    settings = data[key]
    return ZooEntry(path, env_id, key, _entry_algo(path, key, settings, file_algo), settings, allow_imports)


def _is_atari(env_id: str) -> bool:
    """rl-zoo3's test: the registered entry point is the ALE's ``AtariEnv``."""
    import gymnasium

    from sb3inspect.sources.envs import register_env_package

    register_env_package(env_id)
    spec = gymnasium.envs.registry.get(env_id)
    return spec is not None and "AtariEnv" in str(spec.entry_point)


def entry_spec(entry: ZooEntry) -> PolicySpec:
    """Check the entry without torch, then make its env, wrap it and resolve the spec."""
    where = entry.label
    settings = entry.settings
    info = catalog.ALGORITHMS[entry.algo]
    policy = _policy(settings.get("policy"), info, f"{where}: policy")
    policy_kwargs = _policy_kwargs(settings.get("policy_kwargs"), f"{where}: policy_kwargs")
    check_policy_kwargs(policy_kwargs, info, policy or next(iter(info.policies)), f"{where}: policy_kwargs")
    env_kwargs = settings.get("env_kwargs") or {}
    if not isinstance(env_kwargs, dict):
        raise ConfigError(f"{where}: env_kwargs", "expected a mapping of keyword arguments for gymnasium.make")
    frame_stack = _frame_stack(settings.get("frame_stack"), f"{where}: frame_stack")
    env_wrappers = _wrappers(settings.get("env_wrapper"), f"{where}: env_wrapper")
    vec_wrappers = _wrappers(settings.get("vec_env_wrapper"), f"{where}: vec_env_wrapper")

    notes: list[str] = []
    if entry.key != entry.env_id:
        notes.append(
            f"{entry.path.name} has no entry for {entry.env_id}: its {entry.key!r} entry is used, as rl-zoo3 does"
        )
    wrap = _wrap_function(entry, env_wrappers, vec_wrappers, frame_stack, notes)
    from sb3inspect.sources.envs import env_spaces

    try:
        spaces = env_spaces(entry.env_id, env_kwargs, wrap=wrap, allow_imports=entry.allow_imports)
    except SourceError as exc:  # made from the file's entry: say which file and entry, as a config says its file
        raise (exc if exc.where.startswith(where) else exc.within(_entry_where(entry))) from None
    data: dict[str, Any] = {"algo": entry.algo, "env": entry.env_id, "policy_kwargs": policy_kwargs, "name": where}
    if env_kwargs:
        data["env_kwargs"] = env_kwargs
    if policy is not None:
        data["policy"] = policy
    if "use_sde" in settings:
        data["use_sde"] = settings["use_sde"]
    spec = spec_from_mapping(data, source=where, env_spaces=spaces)
    return replace(spec, notes=(*spec.notes, *notes))


def _entry_where(entry: ZooEntry) -> str:
    """``ppo.yml [CartPole-v1]``, and the entry used when the env id has none of its own."""
    return entry.label + (f" (entry {entry.key!r})" if entry.key != entry.env_id else "")


def _policy(value: Any, info: catalog.AlgoInfo, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and "." in value:
        raise ConfigError(
            where,
            f"{value!r} is a class path: rl-zoo3 imports it, sb3inspect does not",
            hint=f"name one of {', '.join(info.policies)}, or call sb3inspect.summary(model) on the model",
        )
    return resolve_policy(value, info, {"type": "Box"}, where, [])


def _policy_kwargs(value: Any, where: str) -> dict[str, Any]:
    """rl-zoo3 evaluates a string; a mapping (or nothing) is used as it is."""
    if value is None:
        return {}
    if isinstance(value, str):
        return policy_kwargs_from_text(value, where)
    if isinstance(value, dict):
        return dict(value)
    raise ConfigError(where, f"expected a dict(...) string or a mapping, got {type(value).__name__}")


def _frame_stack(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FRAME_STACK:
        raise ConfigError(where, f"expected a number of frames from 1 to {MAX_FRAME_STACK}, got {value!r}")
    return value


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


def _wrap_function(
    entry: ZooEntry, env_wrappers: list[Wrapper], vec_wrappers: list[Wrapper], frame_stack: int | None, notes: list[str]
) -> Callable[[Any], Any]:
    """What rl-zoo3's ``create_envs`` does to one env, for the wrappers sb3inspect can apply.

    Which wrappers apply is decided here, from names alone; their modules are imported when the
    env has been made, so a bad entry or a missing env is found before torch is imported.
    """
    env_items = [
        (w, catalog.ENV_WRAPPERS) for w in env_wrappers if _applies(w, catalog.ENV_WRAPPERS, entry.allow_imports)
    ]
    vec_items = [
        (w, catalog.VEC_ENV_WRAPPERS)
        for w in vec_wrappers
        if _applies(w, catalog.VEC_ENV_WRAPPERS, entry.allow_imports)
    ]
    applied = {id(w) for w, _ in (*env_items, *vec_items)}
    for wrapper in (*env_wrappers, *vec_wrappers):
        if id(wrapper) in applied:
            notes.append(f"wrapper {wrapper.short}{_kwargs_text(wrapper.kwargs)} applied, as rl-zoo3 does")
        else:
            notes.append(
                f"wrapper {wrapper.name} NOT applied: sb3inspect imports no module a file names (pass --allow-imports "
                "to import it); the observation shown is the one without it, the real one may differ"
            )
    if frame_stack:
        notes.append(f"frame_stack: {frame_stack} frames stacked (VecFrameStack), as rl-zoo3 does")

    def wrap(env: Any) -> Any:
        for wrapper, table in env_items:
            env = _apply(wrapper_class(wrapper, table, entry.allow_imports), env, wrapper, entry)
        if not (frame_stack or vec_items):
            return env
        from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack

        venv = DummyVecEnv([lambda: env])
        for wrapper, table in vec_items:
            venv = _apply(wrapper_class(wrapper, table, entry.allow_imports), venv, wrapper, entry)
        if frame_stack:
            _check_stacking(Wrapper("frame_stack", {"n_stack": frame_stack}), venv, entry)
            return VecFrameStack(venv, frame_stack)
        return venv

    return wrap


def _applies(wrapper: Wrapper, table: Mapping[str, tuple[str, ...]], allow_imports: bool) -> bool:
    """A wrapper of the table, or any wrapper when the user allowed imports."""
    return allow_imports or _home(wrapper, table) is not None


def _home(wrapper: Wrapper, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The table's module a wrapper name belongs to (a file may name any submodule of it)."""
    module, _, name = wrapper.name.rpartition(".")
    for home, names in table.items():
        if (module == home or module.startswith(home + ".")) and name in names:
            return home
    return None


def wrapper_class(wrapper: Wrapper, table: Mapping[str, tuple[str, ...]], allow_imports: bool) -> type:
    """The class a wrapper name means: from the table's module, or (allowed imports) its own."""
    home = _home(wrapper, table)
    module, _, name = wrapper.name.rpartition(".")
    if home == "rl_zoo3.wrappers":
        from sb3inspect.sources.envs import rl_zoo3_wrappers

        found: type = getattr(rl_zoo3_wrappers(f"wrapper {wrapper.name}"), name)
        return found
    if home is not None:
        found = getattr(importlib.import_module(home), name)
        return found
    if not allow_imports:  # _applies decided this earlier; never import a file's module without the opt-in
        raise SourceError(f"wrapper {wrapper.name}: not one of the wrappers sb3inspect applies, and imports are off")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SourceError(f"wrapper {wrapper.name} cannot be imported: {exc}") from None
    if not isinstance(cls, type):
        raise SourceError(f"wrapper {wrapper.name} is not a class")
    return cls


_STACKING_KWARGS = ("stack_size", "n_stack", "num_stack", "horizon")
"""Wrapper keywords that multiply the observation (FrameStackObservation, VecFrameStack, HistoryWrapper)."""


def _apply(cls: type, env: Any, wrapper: Wrapper, entry: ZooEntry) -> Any:
    from gymnasium import error as gym_error

    from sb3inspect.sources.envs import check_space_size

    _check_stacking(wrapper, env, entry)
    try:
        wrapped = cls(env, **wrapper.kwargs)
    except (AssertionError, TypeError, ValueError, KeyError, NotImplementedError, ImportError, gym_error.Error) as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise SourceError(
            str(entry.label), f"wrapper {wrapper.short} cannot wrap {entry.env_id}: {text[:300]}"
        ) from None
    except MemoryError:
        raise SourceError(
            str(entry.label),
            f"wrapper {wrapper.short}{_kwargs_text(wrapper.kwargs)} ran out of memory "
            f"wrapping {entry.env_id}; its observation would be larger than sb3inspect reads",
        ) from None
    check_space_size(wrapped.observation_space, f"{entry.label}: wrapper {wrapper.short} gives an observation space")
    return wrapped


def _check_stacking(wrapper: Wrapper, env: Any, entry: ZooEntry) -> None:
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
                f"{entry.label}: {wrapper.short}.{key}",
                f"{value:,} stacked observations of {elements:,} elements is more than sb3inspect builds "
                f"(up to {MAX_FRAME_STACK:,} frames and {MAX_SPACE_ELEMENTS:,} elements)",
                hint="the wrapper would allocate every frame; rl-zoo3 files stack 2 to 16",
            )


def _kwargs_text(kwargs: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{key}={value!r}" for key, value in kwargs.items()) + ")" if kwargs else ""
