"""Paths -> specs or reports: the one place that tells a config, an rl-zoo3 file and a saved zip apart.

- ``*.zip``: a model saved by SB3's ``model.save()`` (``saved.py``);
- a mapping of env ids to settings: an rl-zoo3 hyperparameter file (``zoo.py``);
- anything else: a config file (``config.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sb3inspect.sources.config import read_mapping, spec_from_mapping
from sb3inspect.errors import ConfigError, Sb3InspectError, SourceError
from sb3inspect.report.model import PolicyReport

SAVED_SUFFIXES = (".zip",)


@dataclass(frozen=True)
class Inspection:
    """What a path gave: its reports, and one sentence per entry that could not be inspected."""

    reports: list[PolicyReport]
    skipped: list[str] = field(default_factory=list)


def inspect_path(
    path: Path, *, envs: Sequence[str] = (), algo: str | None = None, allow_imports: bool = False
) -> Inspection:
    """Reports for every policy a path describes.

    An rl-zoo3 file without ``envs`` gives every entry whose env can be made; the others are in
    ``skipped`` with the reason (a missing package, ...). With ``envs``, any failure is an error.
    """
    from sb3inspect.api import summarize_spec

    path = Path(path)
    if path.suffix.lower() in SAVED_SUFFIXES:
        from sb3inspect.sources.saved.fields import summarize_saved

        _no_envs(path, envs, "a saved model")
        return Inspection([summarize_saved(path, algo=algo)])
    data = read_mapping(path)
    from sb3inspect.sources.zoo import is_zoo_mapping, zoo_entries

    if not is_zoo_mapping(data):
        _no_envs(path, envs, "a config")
        if algo is not None:
            raise ConfigError(f"{path}: --algo", "a config names its algorithm itself (algo: ...)",
                              hint="--algo chooses the algorithm of an rl-zoo3 file, a saved zip or quick flags")
        return Inspection([summarize_spec(spec_from_mapping(data, source=str(path)))])
    entries, skipped = zoo_entries(path, data, envs=envs, algo=algo, allow_imports=allow_imports)
    reports = []
    for entry in entries:
        try:
            reports.append(summarize_spec(entry.spec()))
        except Sb3InspectError as exc:
            if envs:
                raise
            reason = str(exc)
            skipped.append(reason if reason.startswith(entry.label) else f"{entry.label}: {reason}")
    if not reports:
        first = f" (first: {skipped[0]})" if skipped else ""
        raise SourceError(f"{path}: no entry could be inspected{first}; pass --env to choose one")
    return Inspection(reports, skipped)


def _no_envs(path: Path, envs: Sequence[str], what: str) -> None:
    """--env selects rl-zoo3 entries; silently ignoring it elsewhere would hide a mistake."""
    if envs:
        raise ConfigError(f"{path}: --env", f"{path.name} is {what}, not an rl-zoo3 file: there are no entries to select",
                          hint="a config names its env with env: ...; drop --env")


def summarize_path(
    path: Path, *, env: str | Sequence[str] | None = None, algo: str | None = None, allow_imports: bool = False
) -> list[PolicyReport]:
    """Reports for every policy a path describes; an entry that cannot be inspected is an error."""
    envs = [env] if isinstance(env, str) else list(env or ())
    inspection = inspect_path(path, envs=envs, algo=algo, allow_imports=allow_imports)
    if inspection.skipped:
        raise SourceError(f"{path}: {len(inspection.skipped)} entries cannot be inspected (first: {inspection.skipped[0]}); "
                          "choose entries with --env (env= in Python)")
    return inspection.reports
