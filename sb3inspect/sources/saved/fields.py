"""A saved model's readable ``data`` fields -> the ``PolicySpec`` that rebuilds its policy.

``PPO.load`` unpickles the zip's contents, and a pickle can run any code. Here only the readable
fields next to each ``:serialized:`` pickle are read: the spaces' ``_shape`` / ``n`` / ``nvec`` /
``dtype`` / bounds text, the readable part of ``policy_kwargs`` (where classes appear as the text
``"<class 'torch.nn.modules.activation.ReLU'>"``) and ``use_sde``; the policy class comes from its
pickle's opcodes (``zipread``), never unpickled. The pipeline rebuilds the policy from the spec on
the meta device and holds it against the saved tensors (``analysis.weights``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import SourceError
from sb3inspect.sources.config import PolicySpec, resolve_algo, spec_from_mapping
from sb3inspect.sources.saved.zipread import SavedModel, read_saved


def saved_spec(path: Path, *, algo: str | None = None) -> PolicySpec:
    """The ``PolicySpec`` a saved model's readable fields describe (an error when there is none)."""
    return spec_of(read_saved(path), algo)


# --- data -> PolicySpec ----------------------------------------------------------------------------


def spec_of(saved: SavedModel, algo: str | None) -> PolicySpec:
    """The spec the readable fields describe; a SourceError says why there is none."""
    if saved.problems:
        raise SourceError("; ".join(saved.problems))
    candidates = catalog.POLICY_MODULES.get(saved.policy_module or "")
    if candidates is None:
        raise SourceError(f"its policy class {saved.policy_path} is not one of SB3's or sb3-contrib's")
    name = guess_algo(saved, algo)
    if name is None:
        raise SourceError(f"its policy class {saved.policy_path} serves no algorithm sb3inspect knows")
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
    }
    if info.use_sde:  # an algorithm without gSDE has no use_sde keyword (SB3 saves it as False all the same)
        config["use_sde"] = bool(use_sde)
    return spec_from_mapping(config, source=str(saved.path))


def guess_algo(saved: SavedModel, algo: str | None) -> str | None:
    """``--algo``, else the algorithm of the pickled class's module group whose markers the data carries."""
    if algo is not None:
        return resolve_algo(algo, "--algo")
    candidates = group(saved)
    if not candidates:
        return None
    for name in candidates:
        markers = catalog.ALGO_MARKERS.get(name)
        if markers and all(
            key in saved.data and (value is None or saved.data[key] == value) for key, value in markers.items()
        ):
            return name
    return next(name for name in candidates if name not in catalog.ALGO_MARKERS)


def group(saved: SavedModel) -> tuple[str, ...]:
    """The algorithms whose policies live in the module the policy class pickle names."""
    return catalog.POLICY_MODULES.get(saved.policy_module or "", ())


def readable_policy_kwargs(value: Any, where: str) -> dict[str, Any]:
    """``policy_kwargs`` as saved: JSON as it is, or the readable first level of a pickled dict."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(where, f"expected a mapping, got {type(value).__name__}")
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
    dotted = text[len("<class '") :].rstrip(">").rstrip("'")
    for home in catalog.CLASS_HOMES.get(key, ()):
        if dotted.startswith(home):
            return dotted.rsplit(".", 1)[1]
    raise SourceError(f"{where}.{key} is the custom class {dotted}, which cannot be rebuilt without running its code")


def space_of(entry: Any, where: str) -> Any:
    """A space spec from a saved space's readable fields (``:type:``, ``_shape``, ``n``, ``dtype``, bounds)."""
    if not isinstance(entry, dict) or not isinstance(entry.get(":type:"), str):
        raise SourceError(where, "no readable space")
    kind = entry[":type:"].rstrip("'>").rsplit(".", 1)[-1]
    if kind == "Box":
        shape = entry.get("_shape")
        dtype = entry.get("dtype")
        if not isinstance(shape, list) or not isinstance(dtype, str):
            raise SourceError(where, "a Box without a readable _shape and dtype")
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
        return {
            "type": "MultiBinary",
            "n": _ints(n, where) if isinstance(n, (list, str)) and "[" in str(n) else _int(n, where),
        }
    if kind == "Dict" and isinstance(entry.get("spaces"), str):
        return {"type": "Dict", "spaces": _dict_spaces(entry["spaces"], where)}
    raise SourceError(where, f"a {kind} space sb3inspect cannot read")


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
        raise SourceError(where, f"its Dict's spaces are {len(text):,} characters of text, more than sb3inspect reads")
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
            spaces[match["key"]] = {
                "type": "MultiBinary",
                "n": _ints(args[0], where) if "[" in args[0] else _int(args[0], where),
            }
        else:
            raise SourceError(where, f"cannot read the Dict space {match['key']!r}")
    if not spaces:
        raise SourceError(where, "cannot read the Dict's spaces")
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
    raise SourceError(where, "cannot read the Dict's spaces")


MAX_DIGITS = 19
"""A saved size or number is read as an int only up to this many digits (past 2**63, no space is that large)."""


def _int(value: Any, where: str) -> int:
    """A whole number from saved text, without handing ``int()`` a string thousands of digits long."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text is not None and len(text.lstrip("+-")) > MAX_DIGITS:
        raise SourceError(where, f"a number of {len(text):,} digits, larger than any space sb3inspect builds")
    try:
        return int(text if text is not None else "?")
    except ValueError:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise SourceError(where, f"expected a whole number, got {shown}") from None


def _ints(value: Any, where: str) -> list[int]:
    if not isinstance(value, list):
        text = str(value)
        if len(text) > MAX_FIELD_CHARS:
            raise SourceError(where, f"a list of sizes {len(text):,} characters long, more than sb3inspect reads")
        value = re.findall(r"-?\d+", text)
    return [_int(v, where) for v in value]
