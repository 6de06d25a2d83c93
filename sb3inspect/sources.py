"""Paths -> specs or reports: config files now; rl-zoo3 files and saved zips dispatch from here."""

from __future__ import annotations

from pathlib import Path

from .config import PolicySpec, load_config
from .report import PolicyReport


def load_specs(path: Path, *, env: str | None = None, algo: str | None = None) -> list[PolicySpec]:
    """The specs a config file describes."""
    return [load_config(path)]


def summarize_path(path: Path, *, env: str | None = None, algo: str | None = None) -> list[PolicyReport]:
    """Reports for every policy a path describes."""
    from .api import summarize_spec

    return [summarize_spec(spec) for spec in load_specs(path, env=env, algo=algo)]
