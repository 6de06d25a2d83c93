"""The stages wired together: source -> spec -> meta build -> report (and a saved model's checks).

Each function here takes what a user has and returns ``PolicyReport``s:

- ``inspect_path``: a config file, an rl-zoo3 file (one report per entry) or a saved zip;
- ``summarize_spec``: a ``PolicySpec`` (from any source) built on the meta device and walked;
- ``summarize_saved``: a saved zip, rebuilt from its readable fields and held against its tensors,
  or reported from its state dict alone when it cannot be rebuilt;
- ``summarize_live``: a live model or policy, walked as it is.

Given a ``ReportCache`` (the CLI's, see ``sb3inspect.cache``), a path whose reports follow from its
bytes alone (a config without ``env`` or wrappers, a saved zip) is keyed on those bytes and answered
without reading it further; a spec made through code outside the file (an ``env`` id, wrappers,
``normalize``, ``frame_stack``, an rl-zoo3 entry, quick flags with ``--env``) is keyed on what was
resolved: the whole spec, spaces included.
Anything holding a Python class is not cached. The Python API does not use the cache.

Lint findings are attached here, after the report exists: the analysis stage reads what the
source said (the net_arch as written) next to what SB3 built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sb3inspect import catalog
from sb3inspect.analysis.lint import lint_net_arch, lint_sizes
from sb3inspect.analysis.runfolder import config_agreement, config_difference, normalization_agreement
from sb3inspect.analysis.runs import lint_runs
from sb3inspect.analysis.weights import (
    algo_notes,
    check_note,
    compare_state_dicts,
    saved_float_dtype,
    saved_sizes,
    sde_features_as_latent,
    unbuildable_format,
)
from sb3inspect.build.policy import BuiltPolicy, build_policy
from sb3inspect.errors import ConfigError, Sb3InspectError, SourceError, printable
from sb3inspect.report.decode import to_plain
from sb3inspect.report.model import Finding, PolicyReport
from sb3inspect.report.statedict import report_from_state_dict
from sb3inspect.report.walk import alias_table, parameter_table, tensor_table, walk_policy
from sb3inspect.sources.config import (
    CONFIG_SUFFIXES,
    Overrides,
    PolicySpec,
    PythonClass,
    read_mapping,
    spec_from_mapping,
)
from sb3inspect.sources.saved import hub
from sb3inspect.sources.saved.fields import Reading, guess_algo, readings, training_values
from sb3inspect.sources.saved.hub import is_hub
from sb3inspect.sources.saved.pickles import TensorEntry
from sb3inspect.sources.saved.runfolder import RunFolder, read_run_folder
from sb3inspect.sources.saved.safety import Safety, path_safety, zip_safety
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel, read_saved
from sb3inspect.sources.spaces import describe
from sb3inspect.sources.training import kept_hyperparameters
from sb3inspect.sources.wrappers import read_pipeline
from sb3inspect.sources.zoo import is_zoo_mapping, zoo_entries

if TYPE_CHECKING:  # the cache's own imports (hashlib) wait for a command that uses it: --help stays fast
    from sb3inspect.cache import ReportCache

SAVED_SUFFIXES = (".zip",)


# --- paths -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """What a path gave: its reports, and one sentence per entry that could not be inspected."""

    reports: list[PolicyReport]
    skipped: list[str] = field(default_factory=list)
    self_contained: bool = field(default=False, compare=False)
    """The reports follow from the file's bytes alone (no env made, no code outside the file)."""
    several: bool = field(default=False, compare=False)
    """The path names several policies by its kind, however many could be reported: an rl-zoo3 file without
    exactly one ``envs``, or a run folder. (The CLI prints a JSON array for it.)"""

    def to_dict(self) -> dict[str, Any]:
        return {"reports": [report.to_dict() for report in self.reports], "skipped": list(self.skipped)}

    @classmethod
    def from_dict(cls, data: Any) -> Inspection:
        """What ``to_dict`` wrote, checked as untrusted input (a cache entry); ``SourceError`` if it is not one."""
        from sb3inspect.report.decode import from_plain

        inspection: Inspection = from_plain(cls, data, where="inspection")
        return inspection


def inspect_path(
    path: Path | str,
    *,
    envs: Sequence[str] = (),
    algo: str | None = None,
    allow_imports: bool = False,
    cache: ReportCache | None = None,
    overrides: Overrides | None = None,
) -> Inspection:
    """Reports for every policy a path describes: the one place that tells the kinds of file apart.

    - ``*.zip``: a model saved by SB3's ``model.save()``;
    - a mapping of env ids to settings: an rl-zoo3 hyperparameter file;
    - anything else: a config file.

    An rl-zoo3 file without ``envs`` gives every entry whose env can be made; the others are in
    ``skipped`` with the reason (a missing package, ...). With ``envs``, any failure is an error.
    ``overrides`` (command-line flags) replace a config's or an entry's own values; for a config,
    ``algo`` and one of ``envs`` do too. With a ``cache``, a self-contained path is answered from its
    bytes (see the module's docstring).
    """
    overrides = overrides or Overrides()
    if is_hub(path):
        _no_envs(path, envs, "a model on the Hugging Face Hub")
        _no_overrides(path, overrides, "a saved model is rebuilt from the settings it was saved with")
        return inspect_hub(path, algo=algo, cache=cache)
    path = Path(path)
    options = {
        "path": str(path),
        "envs": list(envs),
        "algo": algo,
        "allow_imports": allow_imports,
        "overrides": [dict(overrides.keys), dict(overrides.policy_kwargs), dict(overrides.kwargs)],
    }
    key = cache.key("inspect", options, files=[path]) if cache is not None else None
    if cache is not None and key is not None:
        cached: Inspection | None = cache.load(key, Inspection.from_dict)
        if cached is not None:
            return cached
    inspection = _inspect_path(
        path, envs=envs, algo=algo, allow_imports=allow_imports, cache=cache, overrides=overrides
    )
    if cache is not None and key is not None and inspection.self_contained:
        cache.store(key, inspection, Inspection.from_dict, Inspection.to_dict)
    return inspection


def _inspect_path(
    path: Path,
    *,
    envs: Sequence[str],
    algo: str | None,
    allow_imports: bool,
    cache: ReportCache | None,
    overrides: Overrides,
) -> Inspection:
    if path.is_dir():
        _no_envs(path, envs, "an rl-zoo3 run folder")
        _no_overrides(path, overrides, "its models are rebuilt from the settings they were saved with")
        return inspect_run_folder(path, algo=algo, cache=cache)
    if path.suffix.lower() in SAVED_SUFFIXES:
        _no_envs(path, envs, "a saved model")
        _no_overrides(path, overrides, "a saved model is rebuilt from the settings it was saved with")
        return Inspection([summarize_saved(path, algo=algo)], self_contained=True)
    data = read_mapping(path)
    if not is_zoo_mapping(data):
        if len(envs) > 1:
            raise ConfigError(f"{path}: --env", f"given {len(envs)} times, but a config describes one policy")
        merged, notes = overrides.with_keys(algo=algo, env=envs[0] if envs else None).apply(data, source=str(path))
        spec = spec_from_mapping(merged, source=str(path), allow_imports=allow_imports)
        spec = replace(spec, notes=(*spec.notes, *notes))
        if spec.env is None and not read_pipeline(merged, lambda key: f"{path}: {key}"):
            return Inspection([summarize_spec(spec)], self_contained=True)
        # an env id, or wrappers (gymnasium's, SB3's, rl-zoo3's): code outside the file made the spaces
        return Inspection([summarize_spec(spec, cache=cache)])
    spaces = {k: v for k, v in overrides.keys.items() if k in ("observation_space", "action_space")}
    if spaces and (len(spaces) != 2 or len(envs) != 1):
        _no_overrides(
            path,
            Overrides(spaces),
            "an rl-zoo3 entry's spaces are its env's: choose one entry with --env, and give both --obs and --act to "
            "replace them (for an env whose package is not installed)",
        )
    entries, skipped = zoo_entries(path, data, envs=envs, algo=algo, allow_imports=allow_imports)
    reports = []
    for entry in entries:
        try:
            settings, notes = overrides.apply(entry.settings, algo=entry.algo, source=entry.label)
            spec = replace(entry, settings=settings).spec()
            reports.append(summarize_spec(replace(spec, notes=(*spec.notes, *notes)), cache=cache))
        except Sb3InspectError as exc:
            if envs:
                raise
            skipped.append(str(exc.within(entry.label)))
    if not reports:
        first = f" (first: {skipped[0]})" if skipped else ""
        raise SourceError(str(path), f"no entry could be inspected{first}; pass --env to choose one")
    return Inspection(reports, skipped, several=len(envs) != 1)


def _no_overrides(path: Path | str, overrides: Overrides, why: str) -> None:
    """Flags that would replace a value the source cannot take from them are an error, not ignored."""
    if overrides:
        given = [*overrides.keys, *overrides.policy_kwargs, *overrides.kwargs]
        raise ConfigError(f"{path}: {overrides.where}", f"{', '.join(given)} cannot be set here", hint=why)


def inspect_hub(source: str, *, algo: str | None = None, cache: ReportCache | None = None) -> Inspection:
    """A model on the Hugging Face Hub (``hf://ORG/NAME[/FILE.zip]``), from huggingface_hub's cache or downloaded,
    then read like any saved zip; its report names the ``hf://`` source and the Hub file (``saved_model.hub``)."""
    fetched = hub.fetch(source)
    reports = [
        replace(
            report,
            source=fetched.file.url,
            extra={**report.extra, "saved_model": {**report.extra["saved_model"], "hub": fetched.facts()}},
        )
        for report in inspect_path(fetched.path, algo=algo, cache=cache).reports
    ]
    return Inspection(reports)


def inspect_run_folder(path: Path, *, algo: str | None = None, cache: ReportCache | None = None) -> Inspection:
    """Every model of an rl-zoo3 run folder, each with what the folder says about its training run.

    A model that cannot be read is in ``skipped`` (the others are still reported).
    """
    folder = read_run_folder(path)
    reports, skipped = [], []
    for model in folder.models:
        try:
            reports += [
                with_run_folder(report, folder) for report in inspect_path(model, algo=algo, cache=cache).reports
            ]
        except Sb3InspectError as exc:
            skipped.append(str(exc))
    if not reports:
        raise SourceError(str(path), f"none of its models could be inspected (first: {skipped[0]})")
    return Inspection(reports, skipped, several=True)


def with_run_folder(report: PolicyReport, folder: RunFolder) -> PolicyReport:
    """``report`` with its run folder's facts (``run_folder``): hyperparameters, normalization, and whether
    ``config.yml`` and VecNormalize's statistics agree with the zip."""
    facts = folder.facts()
    saved = report.extra.get("saved_model") or {}
    notes = [f"run folder: {problem}" for problem in folder.problems]
    if folder.hyperparameters is not None:
        facts["config_check"] = check = config_agreement(
            algo=report.algo,
            policy_class=report.policy_class,
            policy=report.policy,
            saved_kwargs=saved.get("policy_kwargs") or {},
            config=folder.hyperparameters,
            config_kwargs=folder.policy_kwargs,
        )
        notes += [config_difference(difference) for difference in check["differences"]]
    if folder.normalization is not None:
        facts["normalization_check"] = normalization_agreement(
            folder.normalization.get("observation_shape"), report.observation_space
        )
    extra = {**report.extra, "run_folder": facts}
    if saved:  # what the folder's YAML and VecNormalize pickle would run joins the zip's verdict, shown first
        found = [
            *saved.get("safety", {}).get("findings", ()),
            *(f.to_dict() for v in folder.safety.values() for f in v.findings),
        ]
        kinds = {finding["kind"] for finding in found}
        verdict = "unsafe" if "unsafe" in kinds else "unknown" if kinds else "safe"
        extra["saved_model"] = {**saved, "safety": {"verdict": verdict, "findings": found}}
    return replace(report, notes=(*report.notes, *notes), extra=extra)


def _no_envs(path: Path | str, envs: Sequence[str], what: str) -> None:
    """--env selects rl-zoo3 entries; silently ignoring it elsewhere would hide a mistake."""
    if envs:
        raise ConfigError(
            f"{path}: --env",
            f"{path if is_hub(path) else Path(path).name} is {what}, not an rl-zoo3 file: there are no entries to select",
            hint="a config names its env with env: ...; drop --env",
        )


def summarize_path(
    path: Path | str,
    *,
    env: str | Sequence[str] | None = None,
    algo: str | None = None,
    allow_imports: bool = False,
    cache: ReportCache | None = None,
) -> list[PolicyReport]:
    """Reports for every policy a path describes; an entry that cannot be inspected is an error."""
    envs = [env] if isinstance(env, str) else list(env or ())
    inspection = inspect_path(path, envs=envs, algo=algo, allow_imports=allow_imports, cache=cache)
    if inspection.skipped:
        raise SourceError(
            str(path),
            f"{len(inspection.skipped)} entries cannot be inspected (first: {inspection.skipped[0]}); "
            "choose entries with --env (env= in Python)",
        )
    return inspection.reports


def summarize_one(
    path: Path | str,
    *,
    env: str | None = None,
    algo: str | None = None,
    allow_imports: bool = False,
    cache: ReportCache | None = None,
    choose: str = "env=",
) -> PolicyReport:
    """The report of a path that describes one policy; an rl-zoo3 file needs ``env`` to choose its entry
    (``choose`` names how the caller's user gives it: ``env=`` in Python, ``--env`` on the command line)."""
    if env is None and is_zoo_file(path):
        ids = [str(key) for key in read_mapping(Path(path)) if key != "default"]
        shown = ", ".join(printable(i, 40) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
        raise ConfigError(
            str(path),
            f"an rl-zoo3 file holds one entry per env ({len(ids)}: {shown}) and this takes one policy",
            hint=f"choose its entry with {choose} ID",
        )
    reports = summarize_path(path, env=env, algo=algo, allow_imports=allow_imports, cache=cache)
    if len(reports) != 1:
        raise SourceError(str(path), f"holds {len(reports)} policies", hint=f"choose one with {choose} ID")
    return reports[0]


def diff_envs(a: Any, b: Any, env: str | None) -> tuple[str | None, str | None]:
    """``--env`` of ``diff``, per side: it selects the entry of the side that is an rl-zoo3 file (``diff
    hyperparams/ppo.yml logs/.../CartPole-v1.zip --env CartPole-v1``). When neither is, both get it, and
    reading them says why it does not apply."""
    zoo = is_zoo_file(a), is_zoo_file(b)
    if env is None or not any(zoo):
        return env, env
    return (env if zoo[0] else None), (env if zoo[1] else None)


def is_zoo_file(source: Any) -> bool:
    """A path to an rl-zoo3 hyperparameter file (env ids -> settings); False for anything else or unreadable."""
    if not isinstance(source, (str, Path)) or Path(source).suffix.lower() not in CONFIG_SUFFIXES:
        return False
    try:
        return Path(source).is_file() and is_zoo_mapping(read_mapping(Path(source)))
    except Sb3InspectError:
        return False


# --- specs -----------------------------------------------------------------------------------------


def summarize_spec(spec: PolicySpec, *, cache: ReportCache | None = None) -> PolicyReport:
    """Build a spec on the meta device, report it with the config's training settings, and lint its net_arch.

    With a ``cache``, the report is keyed on the whole spec (when it is plain data).
    """
    key = cache.key("spec", {item.name: getattr(spec, item.name) for item in fields(spec)}) if cache else None
    if cache is not None and key is not None:
        cached: PolicyReport | None = cache.load(key, PolicyReport.from_dict)
        if cached is not None:
            return cached
    report = summarize_built(build_policy(spec), source=spec.source, findings=lint_spec(spec))
    if spec.training:
        report = replace(report, training=spec.training)
    if spec.normalize is not None:  # rl-zoo3's normalize: a setting of the run, outside the policy
        report = replace(report, settings={**report.settings, "normalize": spec.normalize})
    if cache is not None and key is not None:
        cache.store(key, report, PolicyReport.from_dict, PolicyReport.to_dict)
    return report


def summarize_built(built: BuiltPolicy, *, source: str | None, findings: tuple[Finding, ...] = ()) -> PolicyReport:
    """The report of a policy ``build_policy`` made, with SB3's warnings as notes (a finding may say one better)."""
    covered = {catalog.UNWRAP_WARNING_ORIGIN} if any(f.code in catalog.UNWRAP_FINDINGS for f in findings) else set()
    notes = [*built.notes, *(w.note for w in built.warnings if (w.module, w.category) not in covered)]
    report = walk_policy(
        built.policy,
        algo=built.algo,
        policy_alias=built.policy_alias,
        observation_space=built.observation_space,
        action_space=built.action_space,
        notes=notes,
        source=source,
        optimizer=built.optimizer,
        algorithm=built.algorithm,
        env_observation_space=built.env_observation_space,
    )
    return with_findings(report, (*findings, *lint_sizes(report)))


def lint_spec(spec: PolicySpec) -> tuple[Finding, ...]:
    """Lint findings about the net_arch a spec was written with, and about what SB3 builds but cannot run."""
    family = catalog.ALGORITHMS[spec.algo].family
    net_arch = lint_net_arch(
        spec.policy_kwargs.get("net_arch"), algo=spec.algo, family=family, where=spec.net_arch_where
    )
    return (*net_arch, *lint_runs(spec))


def with_findings(report: PolicyReport, findings: tuple[Finding, ...]) -> PolicyReport:
    """``report`` with lint findings attached."""
    return replace(report, findings=findings) if findings else report


# --- Python objects --------------------------------------------------------------------------------


def python_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """A config dict as a training script writes it -> the plain config a file would hold.

    gymnasium spaces become space specs; ``nn.ReLU``, ``NatureCNN``, ``th.optim.Adam`` become their
    names; any other class (a custom features extractor) is kept as a ``PythonClass`` and built
    as it is: it is already imported in the caller's process.
    """
    out = dict(config)
    for key in ("observation_space", "action_space"):
        if _is_gym_space(out.get(key)):
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

    for module in (
        "torch.nn",
        "torch.optim",
        "stable_baselines3.common.torch_layers",
        "stable_baselines3.common.sb2_compat.rmsprop_tf_like",
    ):
        if getattr(importlib.import_module(module), cls.__name__, None) is cls:
            return str(cls.__name__)
    return None


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
    observation_space = getattr(obj, "observation_space", None)
    action_space = getattr(obj, "action_space", None)
    report = walk_policy(
        policy,
        algo=algo,
        observation_space=observation_space,
        action_space=action_space,
        source=f"<live {type(obj).__name__}>",
        algorithm=obj if algo is not None else None,
    )
    if algo is not None:
        report = replace(report, training=kept_hyperparameters(vars(obj), algo))
    return with_findings(report, (*lint_live(obj, policy), *lint_sizes(report)))


def lint_live(obj: Any, policy: Any) -> tuple[Finding, ...]:
    """Lint findings for a live model: its ``policy_kwargs["net_arch"]`` as the user passed it.

    An algorithm keeps the net_arch it was given; a bare policy only keeps what SB3 made of it.
    """
    info = next(
        (catalog.ALGORITHMS[cls.__name__] for cls in type(obj).__mro__ if cls.__name__ in catalog.ALGORITHMS), None
    )
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


# --- saved models ----------------------------------------------------------------------------------


def summarize_saved(path: Path, *, algo: str | None = None) -> PolicyReport:
    """The report of a saved model: rebuilt and checked against its state dict, or the state dict alone.

    The readings of the saved fields (``sources.saved.fields.readings``) are built one after the
    other until one matches every saved tensor: the weights decide between what a saving release
    allows (its own defaults, the other algorithm of a shared policy module). When none matches,
    the first reading is reported with its differences. What today's SB3 cannot build at all
    (shared layers before SB3 1.8, gSDE's ``sde_net_arch`` layers before 1.3, a custom class) is
    reported from the state dict, with the spaces, activation, net_arch and version the fields give.

    Every pickle in the zip is given a safety verdict first (``saved_model.safety``); the saved tensors'
    shapes and dtypes come from ``policy.pth``'s pickle, read there too: nothing is handed to ``torch.load``.
    """
    safety = zip_safety(path)
    try:
        return with_safety(_summarize_saved(path, algo, safety), safety)
    except Sb3InspectError as exc:
        if safety.verdict == "safe":
            raise
        raise SourceError(
            exc.where or str(path), f"{safety_summary(safety)}; {exc.problem}", hint=exc.hint, code=exc.code
        ) from None


def with_safety(report: PolicyReport, safety: Safety) -> PolicyReport:
    """``report`` with the safety verdict in ``saved_model.safety``."""
    saved_model = {**report.extra.get("saved_model", {}), "safety": safety.to_dict()}
    return replace(report, extra={**report.extra, "saved_model": saved_model})


def safety_summary(safety: Safety) -> str:
    """One phrase for an error line: ``UNSAFE (data.lr_schedule: calls posix.system, ...)``."""
    shown = [f"{f.where}: {f.what}" for f in safety.findings if f.unsafe == (safety.verdict == "unsafe")]
    more = f" and {len(shown) - 2} more" if len(shown) > 2 else ""
    return f"{safety.verdict.upper()} ({'; '.join(shown[:2])}{more})"


def _summarize_saved(path: Path, algo: str | None, safety: Safety) -> PolicyReport:
    saved = read_saved(path)
    tensors, unread = _weights(saved, safety)
    unbuildable = None if tensors is None else unbuildable_format(saved, list(tensors))
    if unbuildable is not None:
        return _from_state_dict(path, saved, tensors, unread, algo, unbuildable)
    candidates = readings(saved, algo)
    try:
        first = next(candidates)
        rebuilt = _rebuild(first, tensors)
    except Sb3InspectError as exc:
        return _from_state_dict(path, saved, tensors, unread, algo, str(exc))
    if tensors is not None and rebuilt.check["status"] != "match":
        for reading in candidates:
            try:
                candidate = _rebuild(reading, tensors)
            except Sb3InspectError:
                continue
            if candidate.check["status"] == "match":
                rebuilt = candidate
                break
        reason = sde_features_as_latent(saved) if rebuilt.check["status"] != "match" else None
        if reason is not None:
            return _from_state_dict(path, saved, tensors, unread, algo, reason)
    report = _rebuilt_report(rebuilt, saved, unread, guessed=algo is None, first=first)
    return _saved_optimizers(report, safety.optimizers, training_values(saved).get("learning_rate"))


def _saved_optimizers(
    report: PolicyReport, groups: dict[str, list[dict[str, Any]]], learning_rate: Any
) -> PolicyReport:
    """Each optimizer's options (lr and optimizer_kwargs, as a live model's report names them) valued as the zip
    saved them, not as the rebuild's defaults: from the first param_group of its ``*.optimizer.pth``
    (``actor.optimizer.pth`` is ``policy.actor.optimizer``; SB3 makes one group), else lr is the saved
    learning_rate when it is a number; else lr is unknown (a pickled schedule) and left out."""
    out = []
    scheduled = not isinstance(learning_rate, (int, float)) or isinstance(learning_rate, bool)
    for info in report.optimizers:
        found = next(
            (
                saved[0]
                for member, saved in groups.items()
                if saved and info.name in (member.removesuffix(".pth"), f"policy.{member.removesuffix('.pth')}")
            ),
            None,
        )
        if found is not None:  # the keywords it was created with (lr, optimizer_kwargs), valued as saved
            options = {key: found.get(key, value) for key, value in {"lr": None, **info.options}.items()}
        else:
            options = {key: value for key, value in info.options.items() if key != "lr"}
            if not scheduled:
                options = {"lr": learning_rate, **options}
        out.append(replace(info, options=options))
    notes = report.notes
    if scheduled and any("lr" in info.options for info in out):
        notes += ("the optimizers' lr is the one their schedule had set when the model was saved",)
    return replace(report, optimizers=tuple(out), notes=notes)


def _from_state_dict(
    path: Path, saved: SavedModel, tensors: dict[str, TensorEntry] | None, unread: str, algo: str | None, reason: str
) -> PolicyReport:
    """The state-dict-only report, for a model no reading of its fields rebuilds."""
    if tensors is None:
        raise SourceError(str(path), f"cannot be rebuilt ({reason}) and {unread}") from None
    return report_from_state_dict(tensors, saved=saved, algo=guess_algo(saved, algo), reason=reason)


MAX_TENSOR_ENTRIES = 20_000
"""Tensor entries of a ``policy.pth`` (an SB3 policy has tens to a few hundred)."""


def _weights(saved: SavedModel, safety: Safety) -> tuple[dict[str, TensorEntry] | None, str]:
    """``policy.pth``'s entries (shape, dtype, storage) as its pickle describes them, or why there are none:
    the member is missing, its pickle is not plainly tensors, or it is not a plain state dict."""
    if WEIGHTS not in saved.members:
        return None, f"there is no {WEIGHTS} member: the saved weights are missing"
    findings = safety.about(WEIGHTS)
    if findings:
        return None, f"{WEIGHTS} was not loaded: {findings[0].what}"
    count = safety.tensors.get(WEIGHTS, 0)
    if count > MAX_TENSOR_ENTRIES:
        return (
            None,
            f"{WEIGHTS} holds {count:,} tensor entries, more than an SB3 policy (limit {MAX_TENSOR_ENTRIES:,})",
        )
    entries = safety.state_dicts.get(WEIGHTS)
    if entries is None:
        return None, f"{WEIGHTS} does not hold a plain state dict (names -> tensors)"
    return entries, ""


@dataclass(frozen=True)
class _Rebuilt:
    reading: Reading
    built: BuiltPolicy
    tensors: dict[str, TensorEntry] | None
    check: dict[str, Any]
    """``compare_state_dicts``'s result, or ``{}`` when the weights were not read."""
    notes: tuple[str, ...] = ()


def _rebuild(reading: Reading, tensors: dict[str, TensorEntry] | None) -> _Rebuilt:
    """Build a reading and hold it against the saved tensors, in their floating dtype when they all share one."""
    built = build_policy(reading.spec)
    if tensors is None:
        return _Rebuilt(reading, built, None, {})
    saved = {name: (t.shape, t.dtype) for name, t in tensors.items()}
    notes: tuple[str, ...] = ()
    dtype = saved_float_dtype(saved)
    if dtype is not None and dtype != "float32":
        import torch

        built.policy.to(getattr(torch, dtype))
        notes = (
            f"rebuilt in {dtype}, the dtype of every saved floating tensor (the model was saved after "
            f"policy.to({dtype}) or the like; SB3's load() copies the values into a float32 policy)",
        )
    renames = catalog.STATE_DICT_RENAMES.get(reading.spec.algo, ())
    storages = {name: t.storage for name, t in tensors.items()}
    check = compare_state_dicts(
        tensor_table(built.policy), saved, aliases=alias_table(built.policy), renames=renames, storages=storages
    )
    return _Rebuilt(reading, built, tensors, check, notes)


def _apply_training(built: BuiltPolicy, values: dict[str, Any]) -> None:
    """The saved model's own algorithm settings on the rebuilt algorithm object (its tau, policy_delay, learning
    rate...), so the report's answers are the saved model's, not the defaults' (its optimizers' options are
    ``_saved_optimizers``')."""
    algorithm = built.algorithm
    if algorithm is None:
        return
    for key, value in values.items():
        if value is not None or key == "action_noise":
            setattr(algorithm, key, value)


def _rebuilt_report(
    rebuilt: _Rebuilt, saved: SavedModel, unread: str, *, guessed: bool, first: Reading
) -> PolicyReport:
    spec, check = rebuilt.reading.spec, rebuilt.check
    _apply_training(rebuilt.built, training_values(saved))
    report = summarize_built(rebuilt.built, source=spec.source, findings=lint_spec(spec))
    report = replace(report, training=kept_hyperparameters(saved.data, spec.algo))
    if not check:
        check = {"status": "not_checked", "reason": unread}
        note = f"weights NOT checked: {unread}"
    else:
        note = check_note(check)
    if check.get("dtypes") and rebuilt.tensors is not None:
        report = replace(
            report, totals=saved_sizes(report.totals, parameter_table(rebuilt.built.policy), rebuilt.tensors)
        )
    switched = spec.algo != first.spec.algo
    notes = algo_notes(saved, spec.algo, check, switched=switched) if guessed else []
    extra = saved.extra(rebuilt=True, check=check)
    return replace(
        report,
        notes=(*rebuilt.reading.notes, *report.notes, *rebuilt.notes, *notes, note),
        extra={**report.extra, **extra},
    )


# --- scan ------------------------------------------------------------------------------------------


def scan_safety(path: Path, *, cache: ReportCache | None = None) -> Safety:
    """``scan``'s verdict on one file: its findings, which are all ``scan`` shows (a model's tensors and state
    dicts are left out). With a ``cache``, keyed on the file's bytes and its path (findings name it)."""
    key = cache.key("scan", {"path": str(path)}, files=[path]) if cache is not None else None
    if cache is not None and key is not None:
        cached: Safety | None = cache.load(key, _safety_from_plain)
        if cached is not None:
            return cached
    safety = Safety(findings=path_safety(path).findings)
    if cache is not None and key is not None:
        cache.store(key, safety, _safety_from_plain, to_plain)
    return safety


def _safety_from_plain(data: Any) -> Safety:
    from sb3inspect.report.decode import from_plain

    safety: Safety = from_plain(Safety, data, where="safety")
    return safety
