"""``summary(obj)``: one entry point for models, policies, config dicts, specs and paths."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import PolicySpec, spec_from_mapping
from .errors import SourceError
from .report import PolicyReport


def summary(obj: Any, *, env: str | None = None, algo: str | None = None) -> PolicyReport:
    """The report of an SB3 algorithm, a policy, a config dict, a ``PolicySpec`` or a path.

    Live models and policies are walked as they are (their real modules, on their device);
    everything else is built on the meta device first. ``env`` and ``algo`` select an entry of
    an rl-zoo3 hyperparameter file.
    """
    if isinstance(obj, PolicyReport):
        return obj
    if isinstance(obj, PolicySpec):
        return summarize_spec(obj)
    if isinstance(obj, (str, Path)):
        from .sources import summarize_path

        reports = summarize_path(Path(obj), env=env, algo=algo)
        if len(reports) != 1:
            raise SourceError(f"{obj}: holds {len(reports)} configs; pass env= to pick one, or use sources.summarize_path")
        return reports[0]
    if isinstance(obj, Mapping):
        return summarize_spec(spec_from_mapping(obj, source="<dict>"))
    return summarize_live(obj)


def summarize_spec(spec: PolicySpec) -> PolicyReport:
    """Build a spec on the meta device and report it."""
    from .build import build_policy
    from .walk import walk_policy

    built = build_policy(spec)
    return walk_policy(
        built.policy,
        algo=built.algo,
        policy_alias=built.policy_alias,
        observation_space=built.observation_space,
        action_space=built.action_space,
        notes=built.notes,
        source=spec.source,
    )


def summarize_live(obj: Any) -> PolicyReport:
    """Walk a live SB3 algorithm or policy (or any torch module) as it is."""
    policy = getattr(obj, "policy", None)
    algo: str | None = None
    if policy is not None and _is_module(policy):
        algo = type(obj).__name__
    elif _is_module(obj):
        policy = obj
    else:
        raise SourceError(
            f"cannot summarize a {type(obj).__name__}: pass an SB3 model, a policy, a config dict or a path"
        )
    from .walk import walk_policy

    observation_space = getattr(obj, "observation_space", None)
    action_space = getattr(obj, "action_space", None)
    return walk_policy(policy, algo=algo, observation_space=observation_space, action_space=action_space,
                       source=f"<live {type(obj).__name__}>")


def _is_module(obj: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)
