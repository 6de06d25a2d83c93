"""sb3inspect: see what a Stable-Baselines3 net_arch actually builds.

>>> import sb3inspect
>>> report = sb3inspect.summary({"algo": "PPO", "observation_space": 101,
...                              "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}})
>>> report.network("pi").params
10948

Importing this package does not import torch; building or walking a policy does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sb3inspect.analysis.checks import check_net_arch
from sb3inspect.analysis.compare import ReportDiff, diff
from sb3inspect.errors import BuildError, ConfigError, NetArchMismatch, Sb3InspectError, SourceError
from sb3inspect.report.model import Finding, Layer, Network, PolicyReport, Totals

if TYPE_CHECKING:
    from sb3inspect.callbacks import ArchitectureCallback
    from sb3inspect.sources.config import PolicySpec

__version__ = "0.1.0"

__all__ = [
    "ArchitectureCallback",
    "BuildError",
    "ConfigError",
    "Finding",
    "Layer",
    "NetArchMismatch",
    "Network",
    "PolicyReport",
    "PolicySpec",
    "ReportDiff",
    "Sb3InspectError",
    "SourceError",
    "Totals",
    "__version__",
    "check_net_arch",
    "diff",
    "summary",
]


def summary(obj: Any, *, env: str | None = None, algo: str | None = None) -> PolicyReport:
    """The report of an SB3 algorithm, a policy, a config dict or a path (see ``api.summary``)."""
    from sb3inspect.api import summary as _summary

    return _summary(obj, env=env, algo=algo)


def __getattr__(name: str) -> Any:
    if name == "PolicySpec":
        from sb3inspect.sources.config import PolicySpec

        return PolicySpec
    if name == "ArchitectureCallback":  # an SB3 BaseCallback: importing it imports SB3 and torch
        from sb3inspect.callbacks import ArchitectureCallback

        return ArchitectureCallback
    raise AttributeError(f"module 'sb3inspect' has no attribute {name!r}")
