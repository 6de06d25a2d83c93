"""``summary(obj)``: one entry point for models, policies, config dicts, specs and paths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sb3inspect.sources.config import PolicySpec, PythonClass, spec_from_mapping
from sb3inspect.errors import SourceError
from sb3inspect.report.model import Finding, PolicyReport

if TYPE_CHECKING:
    from sb3inspect.build.policy import BuiltPolicy


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
        from sb3inspect.pipeline import summarize_path

        reports = summarize_path(Path(obj), env=env, algo=algo)
        if len(reports) != 1:
            raise SourceError(f"{obj}: holds {len(reports)} policies; choose one with env= (--env on the command line)")
        return reports[0]
    if isinstance(obj, Mapping):
        return summarize_spec(spec_from_mapping(python_config(obj), source="<dict>"))
    return summarize_live(obj)


def python_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A config dict as a training script writes it -> the plain config a file would hold.

    gymnasium spaces become space specs; ``nn.ReLU``, ``NatureCNN``, ``th.optim.Adam`` become their
    names; any other class (a custom features extractor) is kept as a ``PythonClass`` and built
    as it is: it is already imported in the caller's process.
    """
    out = dict(config)
    for key in ("observation_space", "action_space"):
        if _is_gym_space(out.get(key)):
            from sb3inspect.sources.spaces import describe

            out[key] = describe(out[key], bounds=True)
    kwargs = out.get("policy_kwargs")
    if isinstance(kwargs, Mapping):
        kwargs = dict(kwargs)
        for key in ("activation_fn", "features_extractor_class", "optimizer_class"):
            if isinstance(kwargs.get(key), type):
                kwargs[key] = _known_name(kwargs[key]) or PythonClass(kwargs[key])
        out["policy_kwargs"] = kwargs
    return out


def _is_gym_space(value: Any) -> bool:
    return type(value).__module__.startswith("gymnasium.spaces")


def _known_name(cls: type) -> str | None:
    """The name a config would use for a class SB3 or torch ships, if it is one of those."""
    import importlib

    for module in ("torch.nn", "torch.optim", "stable_baselines3.common.torch_layers",
                   "stable_baselines3.common.sb2_compat.rmsprop_tf_like"):
        if getattr(importlib.import_module(module), cls.__name__, None) is cls:
            return cls.__name__
    return None


def summarize_spec(spec: PolicySpec) -> PolicyReport:
    """Build a spec on the meta device and report it."""
    from sb3inspect.build.policy import build_policy

    return with_findings(summarize_built(build_policy(spec), source=spec.source), spec.findings)


def summarize_built(built: BuiltPolicy, *, source: str | None) -> PolicyReport:
    """The report of a policy ``build_policy`` made."""
    from sb3inspect.report.walk import walk_policy

    return walk_policy(
        built.policy,
        algo=built.algo,
        policy_alias=built.policy_alias,
        observation_space=built.observation_space,
        action_space=built.action_space,
        notes=built.notes,
        source=source,
        optimizer=built.optimizer,
    )


SB3_UNWRAP_WARNING = "shared layers in the mlp_extractor are removed"
"""SB3's warning for a list around a net_arch mapping: lint findings NA005 / NA006 say it with a fix."""


def with_findings(report: PolicyReport, findings: tuple[Finding, ...]) -> PolicyReport:
    """``report`` with lint findings attached (and SB3's warning note dropped when a finding covers it)."""
    if not findings:
        return report
    notes = report.notes
    if any(finding.code in ("NA005", "NA006") for finding in findings):
        notes = tuple(note for note in notes if SB3_UNWRAP_WARNING not in note)
    return replace(report, findings=findings, notes=notes)


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
    from sb3inspect.report.walk import walk_policy

    observation_space = getattr(obj, "observation_space", None)
    action_space = getattr(obj, "action_space", None)
    report = walk_policy(policy, algo=algo, observation_space=observation_space, action_space=action_space,
                         source=f"<live {type(obj).__name__}>")
    return with_findings(report, lint_live(obj, policy))


def lint_live(obj: Any, policy: Any) -> tuple[Finding, ...]:
    """Lint findings for a live model: its ``policy_kwargs["net_arch"]`` as the user passed it.

    An algorithm keeps the net_arch it was given; a bare policy only keeps what SB3 made of it.
    """
    from sb3inspect import catalog
    from sb3inspect.analysis.lint import lint_net_arch

    info = next((catalog.ALGORITHMS[cls.__name__] for cls in type(obj).__mro__ if cls.__name__ in catalog.ALGORITHMS), None)
    kwargs = getattr(obj, "policy_kwargs", None)
    if isinstance(kwargs, dict) and "net_arch" in kwargs:
        net_arch = kwargs["net_arch"]
    else:
        net_arch = getattr(policy, "net_arch", None)
    if info is not None:
        algo, family = info.name, info.family
    else:
        algo, family = type(policy).__name__, "on_policy" if hasattr(policy, "mlp_extractor") else "off_policy"
    return lint_net_arch(net_arch, algo=algo, family=family, python=True)


def _is_module(obj: Any) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)
