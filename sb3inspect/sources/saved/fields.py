"""Saved SB3 models (the zip ``model.save()`` writes) -> a report, without running anything from the file.

``PPO.load`` unpickles the zip's contents, and a pickle can run any code. Here:

- ``zipread`` reads the zip within limits: ``data`` as JSON, the policy class from its pickle's
  opcodes (never unpickled), and ``policy.pth``'s tensor shapes with ``torch.load(weights_only=True)``;
- this module reads ``data``'s readable fields (the spaces' ``_shape`` / ``n`` / ``nvec`` / ``dtype``
  / bounds text, the readable part of ``policy_kwargs``, where classes appear as the text
  ``"<class 'torch.nn.modules.activation.ReLU'>"``, ``use_sde``) into a ``PolicySpec``, rebuilds the
  policy on the meta device (so the numbers are SB3's own) and holds every tensor of its state dict
  against the saved one: a difference is reported, never hidden;
- ``statedict`` reports a policy that cannot be rebuilt (a custom policy or features extractor)
  from the saved state dict alone: layer types and sizes from parameter names and shapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sb3inspect import catalog
from sb3inspect.sources.config import PolicySpec, spec_from_mapping
from sb3inspect.errors import Sb3InspectError, SourceError
from sb3inspect.report.model import PolicyReport, Totals
from sb3inspect.sources.saved.zipread import WEIGHTS, SavedModel, SavedTensor, read_saved, weights_or_reason

# Where SB3 / sb3-contrib define each algorithm's policy classes (the module the pickle names).
POLICY_MODULES: dict[str, tuple[str, ...]] = {
    "stable_baselines3.common.policies": ("PPO", "TRPO", "A2C"),
    "stable_baselines3.sac.policies": ("SAC",),
    "stable_baselines3.td3.policies": ("DDPG", "TD3"),
    "stable_baselines3.dqn.policies": ("DQN",),
    "sb3_contrib.common.recurrent.policies": ("RecurrentPPO",),
    "sb3_contrib.common.maskable.policies": ("MaskablePPO",),
    "sb3_contrib.qrdqn.policies": ("QRDQN",),
    "sb3_contrib.tqc.policies": ("TQC",),
    "sb3_contrib.crossq.policies": ("CrossQ",),
    "sb3_contrib.ars.policies": ("ARS",),
}
ALGO_MARKERS: dict[str, dict[str, Any]] = {
    "PPO": {"clip_range": None},
    "TRPO": {"cg_max_steps": None},
    "DDPG": {"policy_delay": 1, "target_noise_clip": 0.0, "target_policy_noise": 0.1},
}
"""Data fields (and values; None: present) that together tell an algorithm from the others of its module's group.
DDPG is TD3 with these three settings fixed by its ``__init__`` (a TD3 saved with ``policy_delay=1`` alone is
TD3). The group's algorithm without markers (A2C, TD3) is the one left."""
GROUP_DIFFERENCES = {"stable_baselines3.td3.policies": "which differ in n_critics: DDPG defaults to 1, TD3 to 2"}
"""How the algorithms of one policy module differ in architecture; not listed: they build the same one."""
# Module text of the classes SB3 allows in each class-valued policy keyword.
_CLASS_HOMES: dict[str, tuple[str, ...]] = {
    "activation_fn": ("torch.nn.",),
    "features_extractor_class": ("stable_baselines3.common.torch_layers.",),
    "optimizer_class": ("torch.optim.", "stable_baselines3.common.sb2_compat.rmsprop_tf_like."),
}


def summarize_saved(path: Path, *, algo: str | None = None) -> PolicyReport:
    """The report of a saved model: rebuilt and checked against its state dict, or the state dict alone."""
    saved = read_saved(path)
    try:
        spec = _spec(saved, algo)
    except Sb3InspectError as exc:
        tensors, unread = weights_or_reason(path, shared=True)
        if tensors is None:
            raise SourceError(f"{path}: cannot be rebuilt ({exc}) and {unread}") from None
        from sb3inspect.report.statedict import report_from_state_dict

        return report_from_state_dict(tensors, saved=saved, algo=_guess_algo(saved, algo), reason=str(exc))
    tensors, unread = weights_or_reason(path)
    rebuilt = _rebuild(spec, tensors)
    switched = False
    if algo is None and saved.policy_module in GROUP_DIFFERENCES and rebuilt.check.get("status") == "mismatch":
        # the saved fields point at one algorithm of the group; the weights may say another (TD3 saved with DDPG's settings)
        for other in _group(saved):
            if other != spec.algo and (candidate := _rebuild_as(saved, other, tensors)) and candidate.check["status"] == "match":
                rebuilt, switched = candidate, True
                break
    return _rebuilt_report(rebuilt, saved, unread, guessed=algo is None, switched=switched)


def saved_spec(path: Path, *, algo: str | None = None) -> PolicySpec:
    """The ``PolicySpec`` a saved model's readable fields describe (an error when there is none)."""
    return _spec(read_saved(path), algo)


# --- data -> PolicySpec ----------------------------------------------------------------------------

def _spec(saved: SavedModel, algo: str | None) -> PolicySpec:
    """The spec the readable fields describe; a SourceError says why there is none."""
    if saved.problems:
        raise SourceError("; ".join(saved.problems))
    candidates = POLICY_MODULES.get(saved.policy_module or "")
    if candidates is None:
        raise SourceError(f"its policy class {saved.policy_path} is not one of SB3's or sb3-contrib's")
    name = _guess_algo(saved, algo)
    info = catalog.ALGORITHMS[name]
    alias = next((a for a, policy in info.policies.items() if policy.class_name == saved.policy_name), None)
    if alias is None or name not in candidates:
        raise SourceError(f"its policy class {saved.policy_path} is not a {name} policy")
    where = f"{saved.path}: data"
    data = saved.data
    policy_kwargs = readable_policy_kwargs(data.get("policy_kwargs"), f"{where}.policy_kwargs")
    use_sde = data.get("use_sde", policy_kwargs.pop("use_sde", False))
    policy_kwargs.pop("use_sde", None)
    config = {
        "algo": name,
        "policy": alias,
        "observation_space": space_of(data.get("observation_space"), f"{where}.observation_space"),
        "action_space": space_of(data.get("action_space"), f"{where}.action_space"),
        "policy_kwargs": policy_kwargs,
        "use_sde": bool(use_sde),
    }
    return spec_from_mapping(config, source=str(saved.path))


def _guess_algo(saved: SavedModel, algo: str | None) -> str | None:
    """``--algo``, else the algorithm of the pickled class's module group whose markers the data carries."""
    if algo is not None:
        from sb3inspect.sources.config import resolve_algo

        return resolve_algo(algo, "--algo")
    candidates = _group(saved)
    if not candidates:
        return None
    for name in candidates:
        markers = ALGO_MARKERS.get(name)
        if markers and all(key in saved.data and (value is None or saved.data[key] == value) for key, value in markers.items()):
            return name
    return next(name for name in candidates if name not in ALGO_MARKERS)


def _group(saved: SavedModel) -> tuple[str, ...]:
    """The algorithms whose policies live in the module the policy class pickle names."""
    return POLICY_MODULES.get(saved.policy_module or "", ())


def readable_policy_kwargs(value: Any, where: str) -> dict[str, Any]:
    """``policy_kwargs`` as saved: JSON as it is, or the readable first level of a pickled dict."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(f"{where}: expected a mapping, got {type(value).__name__}")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in (":type:", ":serialized:"):
            continue
        if isinstance(item, str) and item.startswith("<class '"):
            item = _class_from_text(key, item, where)
        out[key] = item
    return out


def _class_from_text(key: str, text: str, where: str) -> str:
    """``"<class 'torch.nn.modules.activation.ReLU'>"`` -> ``"ReLU"``, for the classes SB3 ships."""
    dotted = text[len("<class '"):].rstrip(">").rstrip("'")
    for home in _CLASS_HOMES.get(key, ()):
        if dotted.startswith(home):
            return dotted.rsplit(".", 1)[1]
    raise SourceError(f"{where}.{key} is the custom class {dotted}, which cannot be rebuilt without running its code")


def space_of(entry: Any, where: str) -> Any:
    """A space spec from a saved space's readable fields (``:type:``, ``_shape``, ``n``, ``dtype``, bounds)."""
    if not isinstance(entry, dict) or not isinstance(entry.get(":type:"), str):
        raise SourceError(f"{where}: no readable space")
    kind = entry[":type:"].rstrip("'>").rsplit(".", 1)[-1]
    if kind == "Box":
        shape = entry.get("_shape")
        dtype = entry.get("dtype")
        if not isinstance(shape, list) or not isinstance(dtype, str):
            raise SourceError(f"{where}: a Box without a readable _shape and dtype")
        return _box(shape, dtype, entry.get("low"), entry.get("high"))
    if kind == "Discrete":
        spec = {"type": "Discrete", "n": _int(entry.get("n"), where)}
        if _int(entry.get("start", 0), where):
            spec["start"] = _int(entry.get("start"), where)
        return spec
    if kind == "MultiDiscrete":
        return {"type": "MultiDiscrete", "nvec": _ints(entry.get("nvec"), where)}
    if kind == "MultiBinary":
        n = entry.get("n")
        return {"type": "MultiBinary", "n": _ints(n, where) if isinstance(n, (list, str)) and "[" in str(n) else _int(n, where)}
    if kind == "Dict" and isinstance(entry.get("spaces"), str):
        return {"type": "Dict", "spaces": _dict_spaces(entry["spaces"], where)}
    raise SourceError(f"{where}: a {kind} space sb3inspect cannot read")


def _box(shape: list[Any], dtype: str, low: Any, high: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "Box", "shape": shape, "dtype": dtype}
    for key, text in (("low", low), ("high", high)):
        bound = _bound(text, len(shape))
        if bound is not None:
            spec[key] = bound
    return spec


MAX_FIELD_CHARS = 1 << 20
"""A saved space's text (bounds, nvec, a Dict's spaces): numpy and gymnasium summarize long arrays, so this is plenty."""
MAX_NESTING = 16
_NUMBER = re.compile(r"[-+]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.IGNORECASE)


def _bound(text: Any, ndim: int) -> Any:
    """numpy's text of a bound: one number if every shown number is the same, else the list (1-D, whole)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text
    if not isinstance(text, str) or len(text) > MAX_FIELD_CHARS:
        return None
    numbers = [float(token) for token in _NUMBER.findall(text)]
    if not numbers or any(n != n for n in numbers):
        return None
    if all(n == numbers[0] for n in numbers):
        return int(numbers[0]) if numbers[0].is_integer() else numbers[0]
    if ndim == 1 and "..." not in text:
        return [int(n) if n.is_integer() else n for n in numbers]
    return None


def _dict_spaces(text: str, where: str) -> dict[str, Any]:
    """gymnasium's text of a Dict's spaces: ``{'cam': Box(0, 255, (3, 64, 64), uint8), 'd': Discrete(3)}``."""
    if len(text) > MAX_FIELD_CHARS:
        raise SourceError(f"{where}: its Dict's spaces are {len(text):,} characters of text, more than sb3inspect reads")
    spaces: dict[str, Any] = {}
    for match in re.finditer(r"'(?P<key>[^']*)': (?P<kind>Box|Discrete|MultiDiscrete|MultiBinary)\(", text):
        args = _split_args(text, match.end(), where)
        kind = match["kind"]
        if kind == "Box" and len(args) == 4:
            shape = _ints(args[2], where)
            spaces[match["key"]] = _box(shape, args[3].strip(), args[0], args[1])
        elif kind == "Discrete":
            spec = {"type": "Discrete", "n": _int(args[0], where)}
            start = args[1].split("=")[-1] if len(args) > 1 else "0"
            if _int(start, where):
                spec["start"] = _int(start, where)
            spaces[match["key"]] = spec
        elif kind == "MultiDiscrete":
            spaces[match["key"]] = {"type": "MultiDiscrete", "nvec": _ints(args[0], where)}
        elif kind == "MultiBinary":
            spaces[match["key"]] = {"type": "MultiBinary", "n": _ints(args[0], where) if "[" in args[0] else _int(args[0], where)}
        else:
            raise SourceError(f"{where}: cannot read the Dict space {match['key']!r}")
    if not spaces:
        raise SourceError(f"{where}: cannot read the Dict's spaces")
    return spaces


def _split_args(text: str, start: int, where: str) -> list[str]:
    """Top-level comma-separated arguments from ``start`` up to the closing parenthesis.

    Brackets nest a few levels in numpy's text of a bound; past ``MAX_NESTING`` the text is not a
    space's, and stopping there keeps the scans of nested matches from adding up to a quadratic.
    """
    depth, begin, args = 0, start, []
    for index in range(start, len(text)):
        char = text[index]
        if char in "([":
            depth += 1
            if depth > MAX_NESTING:
                break
        elif char in ")]":
            if depth == 0:
                args.append(text[begin:index].strip())
                return args
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[begin:index].strip())
            begin = index + 1
    raise SourceError(f"{where}: cannot read the Dict's spaces")


MAX_DIGITS = 19
"""A saved size or number is read as an int only up to this many digits (past 2**63, no space is that large)."""


def _int(value: Any, where: str) -> int:
    """A whole number from saved text, without handing ``int()`` a string thousands of digits long."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is not None and len(text.lstrip("+-")) > MAX_DIGITS:
        raise SourceError(f"{where}: a number of {len(text):,} digits, larger than any space sb3inspect builds")
    try:
        return int(text if text is not None else "?")
    except ValueError:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise SourceError(f"{where}: expected a whole number, got {shown}") from None


def _ints(value: Any, where: str) -> list[int]:
    if not isinstance(value, list):
        text = str(value)
        if len(text) > MAX_FIELD_CHARS:
            raise SourceError(f"{where}: a list of sizes {len(text):,} characters long, more than sb3inspect reads")
        value = re.findall(r"-?\d+", text)
    return [_int(v, where) for v in value]


# --- the report -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rebuilt:
    spec: PolicySpec
    built: Any
    """build.BuiltPolicy: the policy on the meta device."""
    tensors: dict[str, SavedTensor] | None
    check: dict[str, Any]
    """``compare_state_dicts``'s result, or ``{}`` when the weights were not read."""


def _rebuild(spec: PolicySpec, tensors: dict[str, SavedTensor] | None) -> _Rebuilt:
    from sb3inspect.build.policy import build_policy

    built = build_policy(spec)
    if tensors is None:
        return _Rebuilt(spec, built, None, {})
    built_tensors = {name: (tuple(t.shape), str(t.dtype).removeprefix("torch.")) for name, t in built.policy.state_dict().items()}
    check = compare_state_dicts(built_tensors, {name: (t.shape, t.dtype) for name, t in tensors.items()})
    return _Rebuilt(spec, built, tensors, check)


def _rebuild_as(saved: SavedModel, algo: str, tensors: dict[str, SavedTensor]) -> _Rebuilt | None:
    """The rebuild as another algorithm of the group, or None when the data does not describe one."""
    try:
        return _rebuild(_spec(saved, algo), tensors)
    except Sb3InspectError:
        return None


def _rebuilt_report(rebuilt: _Rebuilt, saved: SavedModel, unread: str, *, guessed: bool, switched: bool) -> PolicyReport:
    from sb3inspect.api import summarize_built, with_findings

    spec, check = rebuilt.spec, rebuilt.check
    report = with_findings(summarize_built(rebuilt.built, source=spec.source), spec.findings)
    if not check:
        check = {"status": "not_checked", "reason": unread}
        note = f"weights NOT checked: {unread}"
    else:
        note = _check_note(check)
    if check.get("dtypes") and rebuilt.tensors is not None:
        report = replace(report, totals=_saved_sizes(report.totals, rebuilt.built.policy, rebuilt.tensors))
    notes = _algo_notes(saved, spec.algo, check, switched=switched) if guessed else []
    extra = saved.extra(rebuilt=True, check=check)
    return replace(report, notes=(*report.notes, *notes, note), extra={**report.extra, **extra})


Tensors = Mapping[str, tuple[tuple[int, ...], str]]
"""State-dict entry name -> (shape, dtype name)."""


def compare_state_dicts(built: Tensors, saved: Tensors) -> dict[str, Any]:
    """Every tensor of the rebuilt policy held against the saved one: missing, unexpected, different shape or dtype."""
    common = [name for name in built if name in saved]
    mismatched = [{"name": name, "built": list(built[name][0]), "saved": list(saved[name][0])}
                  for name in common if tuple(saved[name][0]) != tuple(built[name][0])]
    dtypes = [{"name": name, "built": built[name][1], "saved": saved[name][1]}
              for name in common if saved[name][1] != built[name][1]]
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


def _saved_sizes(totals: Totals, policy: Any, tensors: Mapping[str, SavedTensor]) -> Totals:
    """The totals' memory at the saved tensors' dtypes (a model saved after ``policy.half()``), not the rebuild's."""
    built_bytes = saved_bytes = 0
    dtypes = set()
    for name, parameter in policy.named_parameters():  # each parameter once, as the totals count them
        saved = tensors.get(name)
        size = saved.element_size if saved is not None else parameter.element_size()
        built_bytes += parameter.numel() * parameter.element_size()
        saved_bytes += parameter.numel() * size
        dtypes.add(saved.dtype if saved is not None else str(parameter.dtype).removeprefix("torch."))
    training = totals.training_bytes
    if training is not None and built_bytes:
        training = round(training * saved_bytes / built_bytes)  # gradients and optimizer states follow the dtype
    return replace(totals, bytes=saved_bytes, dtypes=tuple(sorted(dtypes)) or totals.dtypes, training_bytes=training)


def _check_note(check: dict[str, Any]) -> str:
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
        parts.append(f"{len(names)} tensors saved as {saved} but rebuilt as {built} ({', '.join(names[:3])}"
                     + (", ..." if len(names) > 3 else "") + ")")
    if pairs:
        parts.append("the totals' size and dtypes are the saved tensors'")
    if check["missing"]:
        parts.append(f"{len(check['missing'])} rebuilt tensors not saved ({', '.join(check['missing'][:3])})")
    if check["unexpected"]:
        parts.append(f"{len(check['unexpected'])} saved tensors not rebuilt ({', '.join(check['unexpected'][:3])})")
    return ("MISMATCH between the saved weights and the rebuilt policy: " + "; ".join(parts)
            + " (see saved_model.state_dict in the JSON report)")


def _dims(shape: list[int]) -> str:
    return "×".join(map(str, shape)) or "scalar"


def _algo_notes(saved: SavedModel, algo: str, check: dict[str, Any], *, switched: bool) -> list[str]:
    """Which algorithm the report shows, when the saved model did not say and the policy class serves several."""
    candidates = _group(saved)
    if len(candidates) < 2:
        return []
    differences = GROUP_DIFFERENCES.get(saved.policy_module or "")
    serves = f"{saved.policy_name} serves {', '.join(candidates[:-1])} and {candidates[-1]}, " + (
        differences or "which build the same architecture")
    if switched:
        return [f"a saved model does not name its algorithm: its saved fields fit {_guess_algo(saved, None)}, but only "
                f"a {algo} rebuild matches its weights, so it is shown as {algo} ({serves}; --algo chooses)"]
    confirmed = ""
    if differences:
        confirmed = ("; the rebuild matches the saved weights" if check["status"] == "match" else
                     "; the saved weights were not read, so pass --algo if it is the other" if check["status"] == "not_checked"
                     else "")
    return [f"a saved model does not name its algorithm: {algo} is read from its saved fields ({serves}{confirmed})"]
