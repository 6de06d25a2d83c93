"""A rebuilt policy held against a saved model's tensors: pure functions on plain tables, no torch.

The rebuild's tables come from ``report.walk.tensor_table`` / ``parameter_table``; the saved ones
from ``policy.pth``'s pickle read symbolically, never by torch (``sources.saved.zipread``). Every tensor is compared by
name, shape and dtype: a difference is reported, never hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import arch_text, dims
from sb3inspect.report.model import Totals
from sb3inspect.sources.config import shared_layers_rewrite
from sb3inspect.sources.saved.fields import group, guess_algo
from sb3inspect.sources.saved.pickles import TensorEntry
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel

Tensors = Mapping[str, tuple[tuple[int, ...], str]]
"""State-dict entry name -> (shape, dtype name)."""
Parameters = Mapping[str, tuple[int, int, str]]
"""Parameter name (each parameter once) -> (element count, bytes per element, dtype name)."""


def compare_state_dicts(
    built: Tensors,
    saved: Tensors,
    *,
    aliases: Mapping[str, str] | None = None,
    renames: Sequence[tuple[str, str]] = (),
    storages: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every tensor of the rebuilt policy held against the saved one: missing, unexpected, different shape or dtype.

    ``renames`` are (saved name, today's name) pairs today's ``load()`` applies (ARS's LinearPolicy
    before sb3-contrib 1.7); a saved name is renamed only when today's name is not saved too.
    ``aliases`` maps a rebuilt entry to another name of the same tensor (``pi_features_extractor.*``
    is ``features_extractor.*``): an alias the file does not hold is not missing when the tensor is
    saved under another of its names, as SB3 < 1.7 saved it (``load()`` retries without exact names).
    ``storages`` (saved name -> the storage it was saved in) holds the rebuild's sharing against the
    file's: entries that are one tensor in the rebuild must be one in the file, and the other way
    round (an off-policy features extractor shared by actor and critic, SB3 < 1.6's default).
    """
    renamed = [{"saved": old, "as": new} for old, new in renames if old in saved and new not in saved]
    if renamed:
        table = {entry["saved"]: entry["as"] for entry in renamed}
        saved = {table.get(name, name): value for name, value in saved.items()}
    common = [name for name in built if name in saved]
    mismatched = [
        {"name": name, "built": list(built[name][0]), "saved": list(saved[name][0])}
        for name in common
        if tuple(saved[name][0]) != tuple(built[name][0])
    ]
    dtypes = [
        {"name": name, "built": built[name][1], "saved": saved[name][1]}
        for name in common
        if saved[name][1] != built[name][1]
    ]
    groups: dict[str, list[str]] = {}
    for name, canonical in (aliases or {}).items():
        groups.setdefault(canonical, []).append(name)
    saved_under = {
        name for members in groups.values() if any(member in saved for member in members) for name in members
    }
    aliased = [name for name in built if name not in saved and name in saved_under]
    missing = [name for name in built if name not in saved and name not in saved_under]
    unexpected = [name for name in saved if name not in built]
    sharing = _sharing(common, aliases or {}, storages, {v: k for k, v in table.items()} if renamed else {})
    check: dict[str, Any] = {
        "status": "match" if not (mismatched or dtypes or missing or unexpected or sharing) else "mismatch",
        "tensors": len(saved),
        "mismatched": mismatched,
        "dtypes": dtypes,
        "missing": missing,
        "unexpected": unexpected,
    }
    if renamed:
        check["renamed"] = renamed
    if aliased:
        check["aliases_not_saved"] = aliased
    if sharing:
        check["sharing"] = sharing
    return check


def _sharing(
    names: Sequence[str], aliases: Mapping[str, str], storages: Mapping[str, Any] | None, original: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Groups of entries the rebuild and the file share differently: ``{"names": [...], "rebuilt": "one tensor", "saved": "2 tensors"}``."""
    if storages is None:
        return []
    built_groups: dict[str, list[str]] = {}
    saved_groups: dict[Any, list[str]] = {}
    for name in names:
        built_groups.setdefault(aliases.get(name, name), []).append(name)
        saved_groups.setdefault(storages[original.get(name, name)], []).append(name)
    differences = []
    for members in built_groups.values():
        stored = {storages[original.get(name, name)] for name in members}
        if len(stored) > 1:
            differences.append({"names": members, "rebuilt": "one tensor", "saved": f"{len(stored)} tensors"})
    for members in saved_groups.values():
        built = {aliases.get(name, name) for name in members}
        if len(built) > 1:
            differences.append({"names": members, "rebuilt": f"{len(built)} tensors", "saved": "one tensor"})
    return differences


FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


def saved_float_dtype(saved: Tensors) -> str | None:
    """The one floating dtype every saved floating tensor has (``float16`` after ``policy.half()``), or None."""
    found = {dtype for _, dtype in saved.values() if dtype in FLOAT_DTYPES}
    return found.pop() if len(found) == 1 else None


def unbuildable_format(saved: SavedModel, names: Sequence[str]) -> str | None:
    """Why today's SB3 cannot build what the saved weights hold, in a sentence; None when it can.

    Two layouts of older releases are in the weights and nowhere in today's classes: the shared
    layers of an actor-critic ``net_arch`` with leading ints (``mlp_extractor.shared_net``, removed in
    SB3 1.8) and gSDE's ``sde_net_arch`` layers (``sde_features_extractor``, SB3 <= 1.2).
    """
    kwargs = saved.data.get("policy_kwargs")
    net_arch = kwargs.get("net_arch") if isinstance(kwargs, dict) else None
    if any(name.startswith(catalog.SHARED_NET) for name in names):
        arch = f"its net_arch {arch_text(net_arch)}" if net_arch is not None else "its net_arch"
        closest = shared_layers_rewrite(net_arch) if isinstance(net_arch, list) else None
        today = (
            f"; today's closest config is net_arch: {arch_text(closest)}, with separate (not shared) layers"
            if closest
            else ""
        )
        return (
            f"{arch} starts with layers shared by pi and vf ({catalog.SHARED_NET.rstrip('.')} in the saved weights), "
            f"which SB3 {_release(catalog.SHARED_LAYERS_REMOVED)} removed: SB3 >= "
            f"{_release(catalog.SHARED_LAYERS_REMOVED)} cannot build or load this file{today}"
        )
    if any(catalog.SDE_EXTRACTOR in name for name in names):
        value = kwargs.get("sde_net_arch") if isinstance(kwargs, dict) else None
        shown = f" {value}" if value is not None else ""
        return (
            f"gSDE's sde_net_arch{shown} built sde_features_extractor layers (in the saved weights), which SB3 >= "
            f"{_release(catalog.SDE_NET_ARCH_BUILT)} no longer builds and SB3 >= {_release(catalog.SDE_NET_ARCH_REFUSED)} "
            "refuses: today's SB3 cannot build or load this file"
        )
    return None


def sde_features_as_latent(saved: SavedModel) -> str | None:
    """Why a gSDE model saved before SB3 1.3 with ``sde_net_arch=[]`` does not rebuild; None for any other file.

    Before 1.3 an empty ``sde_net_arch`` fed gSDE the features themselves (``create_sde_features_extractor``:
    "states as features"), so ``log_std`` is features x actions and no layer shows it in the weights;
    today gSDE reads the policy network's latent. The two agree when pi has no layers (the weights decide).
    """
    kwargs = saved.data.get("policy_kwargs")
    if not isinstance(kwargs, dict) or kwargs.get("sde_net_arch") != [] or not saved.data.get("use_sde"):
        return None
    if saved.release is not None and saved.release >= catalog.SDE_NET_ARCH_BUILT:
        return None
    return (
        f"gSDE's sde_net_arch [] (SB3 < {_release(catalog.SDE_NET_ARCH_BUILT)}) gave gSDE the features themselves, "
        "so log_std is features x actions; today's SB3 gives it the policy network's output: today's SB3 cannot "
        "build or load this file"
    )


def _release(numbers: tuple[int, ...]) -> str:
    return ".".join(map(str, numbers))


def saved_sizes(totals: Totals, parameters: Parameters, tensors: Mapping[str, TensorEntry]) -> Totals:
    """The totals' memory at the saved tensors' dtypes (a model saved after ``policy.half()``), not the rebuild's."""
    built_bytes = saved_bytes = 0
    dtypes = set()
    for name, (numel, element_size, dtype) in parameters.items():
        saved = tensors.get(name)
        built_bytes += numel * element_size
        saved_bytes += numel * (saved.element_size if saved is not None else element_size)
        dtypes.add(saved.dtype if saved is not None else dtype)
    training = totals.training_bytes
    if training is not None and built_bytes:
        training = round(training * saved_bytes / built_bytes)  # gradients and optimizer states follow the dtype
    return replace(totals, bytes=saved_bytes, dtypes=tuple(sorted(dtypes)) or totals.dtypes, training_bytes=training)


def check_note(check: dict[str, Any]) -> str:
    """One sentence on how the saved weights compare with the rebuild."""
    if check["status"] == "match":
        return f"saved weights match the rebuilt policy: {check['tensors']} tensors in {WEIGHTS}, every shape and dtype equal"
    parts = [f"{m['name']} saved {dims(m['saved'])} but rebuilt {dims(m['built'])}" for m in check["mismatched"][:3]]
    more = len(check["mismatched"]) - 3
    if more > 0:
        parts.append(f"and {more} more shapes")
    pairs: dict[tuple[str, str], list[str]] = {}
    for entry in check["dtypes"]:
        pairs.setdefault((entry["saved"], entry["built"]), []).append(entry["name"])
    for (saved, built), names in pairs.items():
        parts.append(
            f"{len(names)} tensors saved as {saved} but rebuilt as {built} ({', '.join(names[:3])}"
            + (", ..." if len(names) > 3 else "")
            + ")"
        )
    if pairs:
        parts.append("the totals' size and dtypes are the saved tensors'")
    if check["missing"]:
        parts.append(f"{len(check['missing'])} rebuilt tensors not saved ({', '.join(check['missing'][:3])})")
    if check["unexpected"]:
        parts.append(f"{len(check['unexpected'])} saved tensors not rebuilt ({', '.join(check['unexpected'][:3])})")
    for entry in check.get("sharing", [])[:3]:
        parts.append(
            f"{', '.join(entry['names'][:2])}{', ...' if len(entry['names']) > 2 else ''} are {entry['rebuilt']} "
            f"in the rebuild but {entry['saved']} in the file"
        )
    return (
        "MISMATCH between the saved weights and the rebuilt policy: "
        + "; ".join(parts)
        + " (see saved_model.state_dict in the JSON report)"
    )


def algo_notes(saved: SavedModel, algo: str, check: dict[str, Any], *, switched: bool) -> list[str]:
    """Which algorithm the report shows, when the saved model did not say and the policy class serves several."""
    candidates = group(saved)
    if len(candidates) < 2:
        return []
    differences = catalog.GROUP_DIFFERENCES.get(saved.policy_module or "")
    serves = f"{saved.policy_name} serves {', '.join(candidates[:-1])} and {candidates[-1]}, " + (
        differences or "which build the same architecture"
    )
    if switched:
        return [
            f"a saved model does not name its algorithm: its saved fields fit {guess_algo(saved, None)}, but only "
            f"a {algo} rebuild matches its weights, so it is shown as {algo} ({serves}; --algo chooses)"
        ]
    confirmed = ""
    if differences:
        confirmed = (
            "; the rebuild matches the saved weights"
            if check["status"] == "match"
            else "; the saved weights were not read, so pass --algo if it is the other"
            if check["status"] == "not_checked"
            else ""
        )
    return [f"a saved model does not name its algorithm: {algo} is read from its saved fields ({serves}{confirmed})"]
