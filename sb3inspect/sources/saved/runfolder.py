"""rl-zoo3 run folders: the models a training run saved and the facts next to them, read without running anything.

``python -m rl_zoo3.train --algo ppo --env Hopper-v3`` writes ``logs/ppo/Hopper-v3_1/``::

    Hopper-v3.zip                the model at the end of training (model.save())
    best_model.zip               the best evaluation's (with evaluations)
    rl_model_<steps>_steps.zip   checkpoints (with --save-freq)
    Hopper-v3/config.yml         the hyperparameters used
    Hopper-v3/args.yml           the command line
    Hopper-v3/vecnormalize.pkl   VecNormalize's statistics (when the entry normalized)

``config.yml`` and ``args.yml`` are YAML that rl-zoo3 reads with ``yaml.UnsafeLoader``; here only their
``OrderedDict`` tag is read (``config.parse_run_yaml``), and a ``policy_kwargs`` string is read from
its syntax tree (``pyexpr``). ``vecnormalize.pkl`` is a pickle (``VecNormalize.load`` unpickles it):
here its opcodes are run symbolically (``pickles.read_pickle``) and the statistics' shapes and the
settings are read from the symbols. Every file gets the safety verdict ``sb3inspect scan`` gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sb3inspect.errors import Sb3InspectError, SourceError
from sb3inspect.sources.config import parse_run_yaml, read_text
from sb3inspect.sources.pyexpr import policy_kwargs_from_text, read_expression
from sb3inspect.sources.saved.pickles import (
    array_shape,
    as_mapping,
    built_state,
    data_allowed,
    made_by,
    read_pickle,
)
from sb3inspect.sources.saved.safety import Safety, pickle_file_safety, yaml_safety

MAX_MODELS = 256
"""Zips one folder may hold: the final model, the best one and checkpoints (each is inspected)."""
MAX_VECNORMALIZE_BYTES = 64 << 20
"""``vecnormalize.pkl`` holds two running means and variances: a few kilobytes for vectors, more for images."""
CONFIG, ARGS, VECNORMALIZE = "config.yml", "args.yml", "vecnormalize.pkl"
VECNORMALIZE_SETTINGS = ("norm_obs", "norm_reward", "clip_obs", "clip_reward", "gamma", "epsilon", "training")
"""VecNormalize's attributes that say what was normalized and how (all plain numbers or flags)."""


@dataclass(frozen=True)
class RunFolder:
    """What an rl-zoo3 run folder holds next to its models."""

    path: Path
    models: tuple[Path, ...]
    """The zips, the final model first, then ``best_model.zip``, then checkpoints by their steps."""
    env_id: str | None = None
    """The folder ``config.yml`` is in, named after the env."""
    hyperparameters: dict[str, Any] | None = None
    """``config.yml`` as plain data (``policy_kwargs`` as written: a string, or a mapping)."""
    args: dict[str, Any] | None = None
    """``args.yml``: the command line of the training run."""
    policy_kwargs: dict[str, Any] | None = None
    """``config.yml``'s ``policy_kwargs``, read (a string's classes as their names: ``nn.ReLU``)."""
    normalize: Any = False
    """``config.yml``'s ``normalize``: a flag, or VecNormalize's keywords (a string rl-zoo3 evaluates, read)."""
    normalization: dict[str, Any] | None = None
    """``vecnormalize.pkl``'s settings and the statistics' shapes (``observation_shape``)."""
    safety: dict[str, Safety] = field(default_factory=dict)
    """File name -> the verdict on ``config.yml``, ``args.yml`` and ``vecnormalize.pkl``."""
    problems: tuple[str, ...] = ()
    """Files next to the models that could not be read, and why (the models are reported all the same)."""

    def facts(self) -> dict[str, Any]:
        """The report's ``run_folder`` entry (the comparison with each zip is added per report)."""
        settings = self.hyperparameters or {}
        return {
            "path": str(self.path),
            "env": self.env_id,
            "algo": (self.args or {}).get("algo"),
            "models": [model.name for model in self.models],
            "hyperparameters": _json(settings),
            "env_wrapper": _json(settings.get("env_wrapper")),
            "frame_stack": _json(settings.get("frame_stack")),
            "normalize": _json(self.normalize),
            "vecnormalize": self.normalization,
            "safety": {name: safety.to_dict() for name, safety in self.safety.items()},
            "problems": list(self.problems),
        }


MAX_RUNS_NAMED = 5
"""Run folders an error about a folder without models names (the others are counted)."""


def _runs_below(path: Path) -> list[str]:
    """The folders one or two levels down that hold zips, relative to ``path``: an ALGO folder's ENV_N runs,
    or rl-zoo3's logs root's ALGO/ENV_N (as ``logs/ALGO/ENV_N/ENV.zip`` is laid out)."""
    found = {
        zip_.parent.relative_to(path).as_posix() for pattern in ("*/*.zip", "*/*/*.zip") for zip_ in path.glob(pattern)
    }
    return sorted(found)


def read_run_folder(path: Path) -> RunFolder:
    """The models of a folder (``*.zip`` directly inside) and what rl-zoo3 wrote next to them."""
    path = Path(path)
    models = sorted(path.glob("*.zip"), key=_model_order)
    if not models:
        runs = _runs_below(path)
        shown = ", ".join(runs[:MAX_RUNS_NAMED]) + (
            f" and {len(runs) - MAX_RUNS_NAMED} more" if len(runs) > MAX_RUNS_NAMED else ""
        )
        raise SourceError(
            str(path),
            "is a directory without a saved model (*.zip) in it",
            hint=(
                f"its subfolders {shown} hold models: pass one of them"
                if runs
                else "an rl-zoo3 run folder (logs/ppo/CartPole-v1_1/) holds ENV.zip; pass config files one by one"
            ),
            code="no-models",
        )
    if len(models) > MAX_MODELS:
        raise SourceError(
            str(path),
            f"holds {len(models):,} zips, more than sb3inspect inspects at once ({MAX_MODELS})",
            hint="pass the zips you want",
        )
    env_folder = _env_folder(path, models)
    if env_folder is None:
        return RunFolder(path, tuple(models))
    problems: list[str] = []
    safety: dict[str, Safety] = {}
    hyperparameters = _yaml(env_folder / CONFIG, problems, safety)
    args = _yaml(env_folder / ARGS, problems, safety)
    policy_kwargs = _policy_kwargs(hyperparameters, env_folder / CONFIG, problems)
    normalize = _normalize(hyperparameters, env_folder / CONFIG, problems)
    normalization = _vecnormalize(env_folder / VECNORMALIZE, problems, safety)
    models = sorted(models, key=lambda model: (model.stem != env_folder.name, _model_order(model)))
    return RunFolder(
        path,
        tuple(models),
        env_folder.name,
        hyperparameters,
        args,
        policy_kwargs,
        normalize,
        normalization,
        safety,
        tuple(problems),
    )


def _model_order(path: Path) -> tuple[int, int, str]:
    """``best_model`` before checkpoints, checkpoints by their steps (``rl_model_20000_steps`` after ``_5000_``)."""
    steps = re.search(r"_(\d+)_steps$", path.stem)
    return (path.stem != "best_model", int(steps[1]) if steps else -1, path.name)


def _env_folder(path: Path, models: list[Path]) -> Path | None:
    """The subfolder holding ``config.yml``: named after a model (``Hopper-v3/`` beside ``Hopper-v3.zip``), or the only one."""
    folders = [sub for sub in sorted(path.iterdir()) if sub.is_dir() and (sub / CONFIG).is_file()]
    named = [sub for sub in folders if any(model.stem == sub.name for model in models)]
    if len(named) == 1:
        return named[0]
    return folders[0] if len(folders) == 1 else None


def _yaml(path: Path, problems: list[str], safety: dict[str, Safety]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        safety[path.name] = yaml_safety(path)
        data = parse_run_yaml(read_text(path), str(path))
    except Sb3InspectError as exc:
        problems.append(str(exc))
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: not a mapping of settings")
        return None
    return data


def _policy_kwargs(settings: dict[str, Any] | None, where: Path, problems: list[str]) -> dict[str, Any] | None:
    value = (settings or {}).get("policy_kwargs")
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    try:
        return policy_kwargs_from_text(str(value), f"{where}: policy_kwargs")
    except Sb3InspectError as exc:
        problems.append(str(exc))
        return None


def _normalize(settings: dict[str, Any] | None, where: Path, problems: list[str]) -> Any:
    """``normalize: true``, or VecNormalize's keywords as rl-zoo3 writes them (``"dict(norm_obs=True, norm_reward=False)"``)."""
    value = (settings or {}).get("normalize", False)
    if not isinstance(value, str):
        return value
    try:
        return read_expression(value, f"{where}: normalize")
    except Sb3InspectError as exc:
        problems.append(str(exc))
        return value


def _vecnormalize(path: Path, problems: list[str], safety: dict[str, Safety]) -> dict[str, Any] | None:
    """``vecnormalize.pkl``'s settings and statistics' shapes, read from its pickle's symbols (never unpickled)."""
    if not path.is_file():
        return None
    try:
        safety[path.name] = pickle_file_safety(path)
        with path.open("rb") as handle:
            raw = handle.read(MAX_VECNORMALIZE_BYTES + 1)
    except (Sb3InspectError, OSError) as exc:
        problems.append(str(exc) if isinstance(exc, Sb3InspectError) else f"{path}: cannot read: {exc}")
        return None
    if len(raw) > MAX_VECNORMALIZE_BYTES:
        problems.append(f"{path}: larger than VecNormalize statistics are ({MAX_VECNORMALIZE_BYTES:,} bytes)")
        return None
    read = read_pickle(raw, data_allowed())
    state = as_mapping(built_state(read.value)) if (made_by(read.value) or "").endswith(".VecNormalize") else None
    if state is None:
        problems.append(f"{path}: {read.unreadable or 'not a pickled VecNormalize'}")
        return None
    facts: dict[str, Any] = {
        key: state[key] for key in VECNORMALIZE_SETTINGS if isinstance(state.get(key), (bool, int, float))
    }
    facts["observation_shape"] = _statistics_shape(state.get("obs_rms"))
    keys = state.get("norm_obs_keys")
    if isinstance(keys, list) and all(isinstance(key, str) for key in keys):
        facts["norm_obs_keys"] = keys
    return facts


def _statistics_shape(value: Any) -> Any:
    """The shape of the observation statistics (RunningMeanStd's ``mean``), per key for a Dict observation."""
    keyed = as_mapping(value)
    if keyed is not None:
        return {key: _statistics_shape(item) for key, item in keyed.items()}
    mean = (as_mapping(built_state(value)) or {}).get("mean")
    shape = array_shape(mean)
    return list(shape) if shape is not None else None


def _json(value: Any) -> Any:
    """YAML's plain data as JSON holds it: keys as text, a date or anything else YAML makes as its text."""
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
