"""A rebuilt policy held against a saved model's tensors: pure functions on plain tables, no torch.

The rebuild's tables come from ``report.walk.tensor_table`` / ``parameter_table``; the saved ones
from ``policy.pth`` read on the meta device (``sources.saved.zipread``). Every tensor is compared by
name, shape and dtype: a difference is reported, never hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sb3inspect import catalog
from sb3inspect.report.model import Totals
from sb3inspect.sources.saved.fields import group, guess_algo
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel, SavedTensor

Tensors = Mapping[str, tuple[tuple[int, ...], str]]
"""State-dict entry name -> (shape, dtype name)."""
Parameters = Mapping[str, tuple[int, int, str]]
"""Parameter name (each parameter once) -> (element count, bytes per element, dtype name)."""


def compare_state_dicts(built: Tensors, saved: Tensors) -> dict[str, Any]:
    """Every tensor of the rebuilt policy held against the saved one: missing, unexpected, different shape or dtype."""
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
    missing = [name for name in built if name not in saved]
    unexpected = [name for name in saved if name not in built]
    return {
        "status": "match" if not (mismatched or dtypes or missing or unexpected) else "mismatch",
        "tensors": len(saved),
        "mismatched": mismatched,
        "dtypes": dtypes,
        "missing": missing,
        "unexpected": unexpected,
    }


def saved_sizes(totals: Totals, parameters: Parameters, tensors: Mapping[str, SavedTensor]) -> Totals:
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
    parts = [f"{m['name']} saved {_dims(m['saved'])} but rebuilt {_dims(m['built'])}" for m in check["mismatched"][:3]]
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
    return (
        "MISMATCH between the saved weights and the rebuilt policy: "
        + "; ".join(parts)
        + " (see saved_model.state_dict in the JSON report)"
    )


def _dims(shape: list[int]) -> str:
    return "×".join(map(str, shape)) or "scalar"


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
