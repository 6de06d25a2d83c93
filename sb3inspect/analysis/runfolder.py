"""A saved model held against the rl-zoo3 run folder it was saved in: pure comparisons of plain data.

``config.yml`` says which policy and ``policy_kwargs`` the run used; the zip says what the model was
built with. They should agree: a zip copied into the wrong folder, or a config edited after training,
shows here. Keys an algorithm adds on its own (A2C's RMSprop, SAC's ``use_sde``) are in the zip only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb3inspect import catalog


def config_agreement(
    *,
    algo: str | None,
    policy_class: str,
    policy: str | None,
    saved_kwargs: Mapping[str, Any],
    config: Mapping[str, Any],
    config_kwargs: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """``{"status": "agree" | "differ", "compared": [...], "differences": [...], "added_by_algorithm": [...]}``.

    ``policy`` is the alias the report shows (None for a state-dict report: then the policy class is
    matched to the alias of the algorithm); ``saved_kwargs`` the zip's readable ``policy_kwargs``;
    ``config`` the hyperparameters of ``config.yml`` and ``config_kwargs`` its ``policy_kwargs``, read.
    """
    compared: list[str] = []
    differences: list[dict[str, Any]] = []
    wanted = config.get("policy")
    if isinstance(wanted, str):
        aliases = catalog.ALGORITHMS[algo].policies if algo in catalog.ALGORITHMS else {}
        saved = policy or next((alias for alias, info in aliases.items() if info.class_name == policy_class), None)
        compared.append("policy")
        if wanted != saved:
            differences.append({"key": "policy", "config": wanted, "zip": saved or policy_class})
    added = [
        key
        for key in saved_kwargs
        if key not in (config_kwargs or {})
        and (key in catalog.ALGO_ADDED_KWARGS.get(algo or "", ()) or key in catalog.LOAD_DROPPED_KWARGS)
    ]
    if config_kwargs is not None or saved_kwargs:
        mine = {key: _plain(key, value) for key, value in (config_kwargs or {}).items()}
        theirs = {key: _plain(key, value) for key, value in saved_kwargs.items() if key not in added}
        for key in [*mine, *(key for key in theirs if key not in mine)]:
            compared.append(f"policy_kwargs.{key}")
            if mine.get(key, _MISSING) != theirs.get(key, _MISSING):
                differences.append(
                    {"key": f"policy_kwargs.{key}", "config": mine.get(key), "zip": theirs.get(key)}
                    | (
                        {"only_in": "config.yml" if key not in theirs else "zip"}
                        if (key in mine) != (key in theirs)
                        else {}
                    )
                )
    return {
        "status": "differ" if differences else "agree",
        "compared": compared,
        "differences": differences,
        "added_by_algorithm": added,
    }


_MISSING = object()


def _plain(key: str, value: Any) -> Any:
    """A value as both sides can hold it: a class by its name (``nn.ReLU`` and ``torch.nn...ReLU`` are ``ReLU``)."""
    if key in catalog.CLASS_KWARGS and isinstance(value, str):
        return value.rsplit(".", 1)[-1]
    if isinstance(value, Mapping):
        return {k: _plain(k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain("", v) for v in value]
    return value


def normalization_agreement(shape: Any, observation_space: Mapping[str, Any]) -> dict[str, Any] | None:
    """VecNormalize's statistics' shape against the model's observation space, or None when one is unknown."""
    if shape is None or observation_space.get("type") == "unreadable":
        return None
    if isinstance(shape, Mapping) != (observation_space.get("type") == "Dict"):
        return None  # HER <= 1.0 normalized the goal Dict, then flattened it for the model
    if isinstance(shape, Mapping):
        spaces = observation_space.get("spaces") or {}
        expected: Any = {key: list(spaces[key].get("shape", ())) for key in shape if key in spaces}
    else:
        expected = list(observation_space.get("shape") or ())
    return {"status": "agree" if expected == shape else "differ", "vecnormalize": shape, "model": expected}


def config_difference(difference: Mapping[str, Any]) -> str:
    """One note for a difference between ``config.yml`` and the zip."""
    where = difference.get("only_in")
    if where is not None:
        side = "config.yml" if where == "config.yml" else "the zip"
        value = difference["config"] if where == "config.yml" else difference["zip"]
        return f"config.yml and the zip DIFFER: {difference['key']} is only in {side} ({value!r})"
    return (
        f"config.yml and the zip DIFFER: {difference['key']} is {difference['config']!r} in config.yml "
        f"but {difference['zip']!r} in the zip"
    )
