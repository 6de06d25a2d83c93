"""sb3inspect: see what a Stable-Baselines3 net_arch actually builds.

>>> import sb3inspect
>>> report = sb3inspect.summary({"algo": "PPO", "observation_space": 101,
...                              "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}})
>>> report.network("pi").params
10948

The public API is ``__all__`` below (docs/python-api.md); every other module is an implementation
detail, laid out by stage: ``sources`` -> ``build`` -> ``report`` -> ``analysis`` / ``render``,
wired together by ``pipeline`` and exposed by ``api`` and ``cli``.

Importing this package does not import torch; building or walking a policy does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sb3inspect import render as _render  # noqa: F401 - registers the formats report.render() and diff.render() use
from sb3inspect.analysis.compare import ReportDiff
from sb3inspect.api import check_net_arch, diff, summary
from sb3inspect.errors import BuildError, ConfigError, MissingExtra, NetArchMismatch, Sb3InspectError, SourceError
from sb3inspect.report.model import Finding, Layer, Network, PolicyReport, Totals

if TYPE_CHECKING:
    from sb3inspect.callbacks import ArchitectureCallback
    from sb3inspect.diagram import write_diagram
    from sb3inspect.sources.config import PolicySpec

__version__ = "0.1.0"

__all__ = [
    "ArchitectureCallback",
    "BuildError",
    "ConfigError",
    "Finding",
    "Layer",
    "MissingExtra",
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
    "diagram",
    "diff",
    "summary",
    "write_diagram",
]


def __getattr__(name: str) -> Any:
    """The parts that import heavy packages when they load, loaded when first used."""
    if name == "ArchitectureCallback":  # an SB3 BaseCallback: importing it imports SB3 and torch
        from sb3inspect.callbacks import ArchitectureCallback

        return ArchitectureCallback
    if name == "PolicySpec":  # config validation: not needed to import the package
        from sb3inspect.sources.config import PolicySpec

        return PolicySpec
    if name == "diagram":  # sb3inspect.diagram.write_diagram(...), as the README writes it
        import importlib

        return importlib.import_module("sb3inspect.diagram")  # not ``from sb3inspect import``: that asks here again
    if name == "write_diagram":
        from sb3inspect.diagram import write_diagram

        return write_diagram
    raise AttributeError(f"module 'sb3inspect' has no attribute {name!r}")
