"""rl-baselines3-zoo hyperparameter files -> one ``PolicySpec`` per entry, as rl-zoo3 would build it.

A zoo file (``hyperparams/ppo.yml``) maps env ids to settings. What rl-zoo3 does with an entry,
and what sb3inspect does with it (rl_zoo3/exp_manager.py, ``read_hyperparameters``,
``_preprocess_hyperparams`` and ``create_envs``):

- the algorithm is the file's name (``ppo_lstm.yml`` -> RecurrentPPO), or ``--algo``; ``her.yml``
  entries name theirs in ``model_class``;
- the entry is the env id's own, else ``atari`` for an Atari game, else ``default``;
- ``policy_kwargs`` strings are read by ``pyexpr`` (an ``ast`` allow-list), never evaluated;
- the env is made, then wrapped as rl-zoo3 wraps it (``sources.wrappers``: ``env_wrapper``,
  ``vec_env_wrapper``, ``normalize``, ``frame_stack``); the channel-last image transpose is SB3's
  own, done by the build;
- every other key is a training hyperparameter, checked and listed as a config's are
  (``sources.training``): the entry is read as the config it stands for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
from sb3inspect.sources.training import check_keys
from sb3inspect.sources.wrappers import Target, read_pipeline, wrap_function


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
    data: dict[str, Any] = {key: value for key, value in settings.items() if key != "model_class"}
    data.update(algo=entry.algo, name=where)
    given = "observation_space" in settings  # --obs and --act: the env is not made (its package may be missing)
    if given:
        data.pop("env_kwargs", None)
    else:
        data["env"] = entry.env_id
    policy = _policy(settings.get("policy"), info, f"{where}: policy")
    if policy is not None:
        data["policy"] = policy
    data["policy_kwargs"] = _policy_kwargs(settings.get("policy_kwargs"), f"{where}: policy_kwargs")
    check_policy_kwargs(data["policy_kwargs"], info, policy or next(iter(info.policies)), f"{where}: policy_kwargs")
    check_keys(data, info, TOP_LEVEL_KEYS, lambda key: f"{where}: {key}")
    env_kwargs = settings.get("env_kwargs") or {}
    if not isinstance(env_kwargs, dict):
        raise ConfigError(f"{where}: env_kwargs", "expected a mapping of keyword arguments for gymnasium.make")
    notes: list[str] = []
    if entry.key != entry.env_id:
        notes.append(
            f"{entry.path.name} has no entry for {entry.env_id}: its {entry.key!r} entry is used, as rl-zoo3 does"
        )
    if given:  # a config with the spaces: spec_from_mapping applies the entry's env pipeline to them
        notes.append(f"the spaces given replace {entry.env_id}'s: the env is not made, the entry's settings apply")
        spec = spec_from_mapping(data, source=where, allow_imports=entry.allow_imports)
        return replace(spec, notes=(*notes, *spec.notes))
    pipeline = read_pipeline(settings, lambda key: f"{where}: {key}")
    target = Target(where, entry.env_id, allow_imports=entry.allow_imports)
    wrap = wrap_function(pipeline, target, notes) if pipeline else None
    from sb3inspect.sources.envs import env_spaces

    try:
        spaces = env_spaces(entry.env_id, env_kwargs, wrap=wrap, allow_imports=entry.allow_imports)
    except SourceError as exc:  # made from the file's entry: say which file and entry, as a config says its file
        raise (exc if exc.where.startswith(where) else exc.within(_entry_where(entry))) from None
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
