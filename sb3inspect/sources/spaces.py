"""Observation and action spaces as plain data, and their gymnasium twins.

A *space spec* is a plain dict, the same shape as in the JSON report::

    {"type": "Box", "shape": [101], "dtype": "float32"}
    {"type": "Box", "shape": [4, 84, 84], "dtype": "uint8", "low": 0, "high": 255}
    {"type": "Discrete", "n": 4}
    {"type": "MultiDiscrete", "nvec": [3, 4]}
    {"type": "MultiBinary", "n": 8}
    {"type": "Dict", "spaces": {"camera": {...}, "joints": {...}}}

``parse_space`` turns what a user wrote (a mapping, an int, or a shorthand such as
``discrete:4``, ``box:6``, ``image:4x84x84``) into a spec; it never imports gymnasium.
``to_gym`` and ``describe`` convert to and from gymnasium spaces.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from sb3inspect.errors import ConfigError, one_of, suggestion

SpaceSpec = dict[str, Any]

SPACE_TYPES = ("Box", "Discrete", "MultiDiscrete", "MultiBinary", "Dict")
BOX_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
MAX_SPACE_ELEMENTS = 10_000_000
"""gymnasium stores a Box's bounds as full arrays: past this many elements we refuse rather than allocate."""

_KEYS = {
    "Box": ("type", "shape", "dtype", "low", "high"),
    "Discrete": ("type", "n", "start"),
    "MultiDiscrete": ("type", "nvec"),
    "MultiBinary": ("type", "n"),
    "Dict": ("type", "spaces"),
}
_SHORTHAND = re.compile(
    r"^\s*(?:(?P<kind>[A-Za-z]+)\s*:)?\s*(?P<dims>[0-9][0-9xX, ]*?)\s*(?::\s*(?P<dtype>[a-z0-9]+))?\s*$"
)
SHORTHAND_HELP = "e.g. 101, box:6, box:4x84x84:uint8, image:84x84x3, discrete:4, multidiscrete:3,4, multibinary:8"


def parse_space(value: Any, where: str, *, action: bool = False) -> SpaceSpec:
    """Validate what a user wrote for a space and return its spec.

    An action ``Box`` without bounds gets ``[-1, 1]`` (SB3 needs finite action bounds);
    an observation ``Box`` gets ``(-inf, inf)``, or ``[0, 255]`` when its dtype is uint8.
    """
    if isinstance(value, bool):
        raise ConfigError(where, f"expected a space, got {value!r}", hint=SHORTHAND_HELP)
    if isinstance(value, int):
        return _box(where, [value], "float32", None, None, action=action)
    if isinstance(value, str):
        return _parse_shorthand(value, where, action=action)
    if not isinstance(value, dict):
        raise ConfigError(
            where,
            f"expected a space (a mapping with 'type', or a shorthand), got {describe_value(value)}",
            hint=SHORTHAND_HELP,
        )
    if "type" not in value:
        raise ConfigError(where, "space has no 'type'", hint=one_of(SPACE_TYPES))
    kind = _space_type(value["type"], f"{where}.type")
    for key in value:
        if key not in _KEYS[kind]:
            hint = suggestion(str(key), _KEYS[kind]) or f"a {kind} space takes {', '.join(_KEYS[kind][1:])}"
            raise ConfigError(f"{where}.{key}", f"unknown key for a {kind} space", hint=hint)
    return _MAPPING_PARSERS[kind](value, where, action)


def _box_mapping(value: dict[str, Any], where: str, action: bool) -> SpaceSpec:
    if "shape" not in value:
        raise ConfigError(where, "a Box space needs 'shape'", hint="e.g. shape: [101]")
    shape = value["shape"]
    shape = [shape] if isinstance(shape, int) and not isinstance(shape, bool) else shape
    dtype = value.get("dtype", "float32")
    return _box(where, shape, dtype, value.get("low"), value.get("high"), action=action)


def _discrete_mapping(value: dict[str, Any], where: str, action: bool) -> SpaceSpec:
    if "n" not in value:
        raise ConfigError(where, "a Discrete space needs 'n'", hint="e.g. {type: Discrete, n: 4}")
    spec: SpaceSpec = {"type": "Discrete", "n": _positive_int(value["n"], f"{where}.n")}
    if value.get("start", 0) != 0:
        spec["start"] = _int(value["start"], f"{where}.start")
    return spec


def _multi_discrete_mapping(value: dict[str, Any], where: str, action: bool) -> SpaceSpec:
    if "nvec" not in value:
        raise ConfigError(where, "a MultiDiscrete space needs 'nvec'", hint="e.g. {type: MultiDiscrete, nvec: [3, 4]}")
    return {"type": "MultiDiscrete", "nvec": _positive_ints(value["nvec"], f"{where}.nvec")}


def _multi_binary_mapping(value: dict[str, Any], where: str, action: bool) -> SpaceSpec:
    if "n" not in value:
        raise ConfigError(where, "a MultiBinary space needs 'n'", hint="e.g. {type: MultiBinary, n: 8}")
    n = value["n"]
    if isinstance(n, list):
        return {"type": "MultiBinary", "n": _positive_ints(n, f"{where}.n")}
    return {"type": "MultiBinary", "n": _positive_int(n, f"{where}.n")}


def _dict_mapping(value: dict[str, Any], where: str, action: bool) -> SpaceSpec:
    if action:
        raise ConfigError(
            where, "SB3 does not support Dict action spaces", hint="use Box, Discrete, MultiDiscrete or MultiBinary"
        )
    subspaces = value.get("spaces")
    if not isinstance(subspaces, dict) or not subspaces:
        raise ConfigError(f"{where}.spaces", "a Dict space needs a non-empty mapping of name -> space")
    parsed = {}
    for name, sub in subspaces.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}.spaces", f"space names must be strings, got {name!r}")
        if isinstance(sub, dict) and str(sub.get("type", "")).lower() == "dict":
            raise ConfigError(
                f"{where}.spaces.{name}",
                "SB3 does not support nested Dict spaces",
                hint="flatten the inner Dict into the outer one",
            )
        parsed[name] = parse_space(sub, f"{where}.spaces.{name}")
    total = sum(spec_elements(sub) for sub in parsed.values())
    if total > MAX_SPACE_ELEMENTS:  # gymnasium keeps every subspace's bounds: the sum is what it allocates
        raise ConfigError(
            f"{where}.spaces",
            f"{total:,} elements in all is more than sb3inspect builds ({MAX_SPACE_ELEMENTS:,})",
            hint="gymnasium would allocate every subspace's bounds in full; use smaller observations",
        )
    return {"type": "Dict", "spaces": parsed}


def spec_elements(spec: SpaceSpec) -> int:
    """Numbers one observation of a space spec holds (a Dict: all its subspaces'), from its sizes alone."""
    kind = spec["type"]
    if kind == "Dict":
        return sum(spec_elements(sub) for sub in spec["spaces"].values())
    if kind == "Box":
        return math.prod(spec["shape"])
    if kind == "MultiDiscrete":
        return len(spec["nvec"])
    if kind == "MultiBinary":
        return math.prod(spec["n"]) if isinstance(spec["n"], list) else int(spec["n"])
    return 1


_MAPPING_PARSERS = {
    "Box": _box_mapping,
    "Discrete": _discrete_mapping,
    "MultiDiscrete": _multi_discrete_mapping,
    "MultiBinary": _multi_binary_mapping,
    "Dict": _dict_mapping,
}
"""A space written as a mapping, by its type: its keys (already checked against ``_KEYS``) -> a spec."""


def _parse_shorthand(text: str, where: str, *, action: bool) -> SpaceSpec:
    match = _SHORTHAND.match(text)
    if not match or not match["dims"]:
        raise ConfigError(where, f"cannot read space {text!r}", hint=SHORTHAND_HELP)
    kinds = {
        "box": "Box",
        "image": "image",
        "img": "image",
        "discrete": "Discrete",
        "multidiscrete": "MultiDiscrete",
        "multibinary": "MultiBinary",
    }
    kind = (match["kind"] or "box").lower()
    if kind not in kinds:
        raise ConfigError(
            where,
            f"unknown space kind {match['kind']!r} in {text!r}",
            hint=suggestion(kind, list(kinds)) or SHORTHAND_HELP,
        )
    kind = kinds[kind]
    parts = [p for p in re.split(r"[xX,]", match["dims"].replace(" ", "")) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise ConfigError(where, f"cannot read the sizes in {text!r}", hint=SHORTHAND_HELP)
    dims = [int(p) for p in parts]
    dtype = match["dtype"]
    if dtype is not None and kind not in ("Box", "image"):
        raise ConfigError(where, f"{kind} spaces take no dtype ({text!r})", hint=SHORTHAND_HELP)
    if kind == "image":
        if len(dims) != 3:
            raise ConfigError(
                where, f"an image needs 3 sizes (CxHxW or HxWxC), got {text!r}", hint="e.g. image:4x84x84"
            )
        return _box(where, dims, dtype or "uint8", 0, 255, action=action)
    if kind == "Box":
        return _box(where, dims, dtype or "float32", None, None, action=action)
    if kind == "Discrete":
        if len(dims) != 1:
            raise ConfigError(where, f"a Discrete space takes one size, got {text!r}", hint="e.g. discrete:4")
        return parse_space({"type": "Discrete", "n": dims[0]}, where, action=action)
    if kind == "MultiDiscrete":
        return parse_space({"type": "MultiDiscrete", "nvec": dims}, where, action=action)
    return parse_space({"type": "MultiBinary", "n": dims[0] if len(dims) == 1 else dims}, where, action=action)


def _box(where: str, shape: Any, dtype: Any, low: Any, high: Any, *, action: bool) -> SpaceSpec:
    # shape [] is a scalar Box: SB3 builds it as one feature (or one action dimension)
    shape = [] if isinstance(shape, (list, tuple)) and not shape else _positive_ints(shape, f"{where}.shape")
    if not isinstance(dtype, str) or dtype not in BOX_DTYPES:
        hint = (suggestion(str(dtype), BOX_DTYPES) if isinstance(dtype, str) else None) or one_of(BOX_DTYPES)
        raise ConfigError(f"{where}.dtype", f"unknown dtype {dtype!r}", hint=hint)
    if math.prod(shape) > MAX_SPACE_ELEMENTS:
        raise ConfigError(
            f"{where}.shape",
            f"{math.prod(shape):,} elements is more than sb3inspect builds ({MAX_SPACE_ELEMENTS:,})",
            hint="gymnasium would allocate its bounds in full; use a smaller observation",
        )
    if low is None:
        low = 0 if dtype == "uint8" else (-1.0 if action else -math.inf)
    if high is None:
        high = 255 if dtype == "uint8" else (1.0 if action else math.inf)
    low = _bound(low, shape, f"{where}.low")
    high = _bound(high, shape, f"{where}.high")
    lows, highs = _flat(low), _flat(high)
    lows = lows * (len(highs) if len(lows) == 1 else 1)
    highs = highs * (len(lows) if len(highs) == 1 else 1)
    if any(lo > hi for lo, hi in zip(lows, highs, strict=True)):
        raise ConfigError(
            where, f"low ({low}) is above high ({high})", hint="a Box needs low <= high for every element"
        )
    if dtype.startswith(("int", "uint")) and any(math.isinf(v) for v in (*lows, *highs)):
        raise ConfigError(where, f"an integer ({dtype}) Box needs finite bounds", hint="give low and high")
    spec: SpaceSpec = {"type": "Box", "shape": shape, "dtype": dtype, "low": low, "high": high}
    return spec


def _bound(value: Any, shape: list[int], where: str) -> Any:
    if isinstance(value, str) and value.strip().lower().lstrip("+-") in ("inf", "infinity"):
        return -math.inf if value.strip().startswith("-") else math.inf
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isnan(value):
            raise ConfigError(where, "a bound cannot be NaN")
        return value
    if isinstance(value, list):
        if not shape or len(value) != shape[0]:
            raise ConfigError(
                where,
                f"a list of bounds must match the shape {shape} (one value per element)",
                hint="or give one number for all elements",
            )
        return [_bound(v, shape[1:], f"{where}[{i}]") for i, v in enumerate(value)]
    raise ConfigError(where, f"expected a number, got {describe_value(value)}")


def _flat(value: Any) -> list[Any]:
    return [x for item in value for x in _flat(item)] if isinstance(value, list) else [value]


def _space_type(value: Any, where: str) -> str:
    if isinstance(value, str):
        for name in SPACE_TYPES:
            if value.strip().lower() == name.lower():
                return name
        if value.strip().lower() == "tuple":
            raise ConfigError(where, "SB3 does not support Tuple spaces", hint="use a Dict observation space instead")
        hint = suggestion(value, SPACE_TYPES) or one_of(SPACE_TYPES)
        raise ConfigError(where, f"unknown space type {value!r}", hint=hint)
    raise ConfigError(where, f"expected a space type name, got {describe_value(value)}", hint=one_of(SPACE_TYPES))


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            raise ConfigError(where, f"expected a whole number, got {value!r}", hint=f"write {int(value)}")
        raise ConfigError(where, f"expected a whole number, got {describe_value(value)}")
    return value


MAX_SIZE = 2**31 - 1
"""Largest size sb3inspect builds: past this no observation or layer is real, and products of
sizes start to overflow PyTorch's 64-bit element counts."""


def _positive_int(value: Any, where: str) -> int:
    n = _int(value, where)
    if n < 1:
        raise ConfigError(where, f"must be at least 1, got {n}")
    check_size_limit(n, where)
    return n


def check_size_limit(n: int, where: str) -> None:
    """Refuse sizes past ``MAX_SIZE`` (2,147,483,647) with a sentence instead of a torch overflow."""
    if n > MAX_SIZE:
        raise ConfigError(
            where,
            f"{n:,} is larger than sb3inspect builds ({MAX_SIZE:,})",
            hint="sizes this large overflow PyTorch's 64-bit element counts",
        )


def _positive_ints(value: Any, where: str) -> list[int]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(where, f"expected a non-empty list of sizes, got {describe_value(value)}")
    return [_positive_int(v, f"{where}[{i}]") for i, v in enumerate(value)]


def describe_value(value: Any) -> str:
    """What a user wrote, for an error message: ``the string '64,64'``, ``a list``, ``float 32.5``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, (dict, list, str)):
        return {dict: "a mapping", list: "a list", str: f"the string {value!r}"}[type(value)]
    return f"{type(value).__name__} {value!r}"


def is_image(spec: SpaceSpec, *, normalized: bool = False) -> bool:
    """SB3's ``is_image_space`` (without the channel check), on a spec: 3-D uint8 in [0, 255].

    ``normalized`` (SB3's ``normalized_image``) accepts any 3-D Box, as SB3 does when images are
    already normalized.
    """
    if spec["type"] != "Box" or len(spec["shape"]) != 3:
        return False
    return normalized or (spec["dtype"] == "uint8" and spec.get("low", 0) == 0 and spec.get("high", 255) == 255)


def image_size(spec: SpaceSpec) -> tuple[int, int]:
    """(height, width) of an image spec, the way SB3 reads it: the smallest dimension first is
    channel-first, anything else is channel-last and transposed (``VecTransposeImage``)."""
    shape = spec["shape"]
    channel_first = shape.index(min(shape)) == 0
    return (shape[1], shape[2]) if channel_first or not is_image(spec) else (shape[0], shape[1])


def to_gym(spec: SpaceSpec) -> Any:
    """The gymnasium space a spec describes."""
    import numpy as np
    from gymnasium import spaces

    kind = spec["type"]
    if kind == "Box":
        dtype = np.dtype(spec["dtype"])

        def bound(value: Any) -> Any:
            # at the box's own dtype, so gymnasium has nothing to warn about
            return np.asarray(value, dtype=dtype) if isinstance(value, list) else value

        return spaces.Box(low=bound(spec["low"]), high=bound(spec["high"]), shape=tuple(spec["shape"]), dtype=dtype)
    if kind == "Discrete":
        return spaces.Discrete(spec["n"], start=spec.get("start", 0))
    if kind == "MultiDiscrete":
        return spaces.MultiDiscrete(spec["nvec"])
    if kind == "MultiBinary":
        return spaces.MultiBinary(spec["n"])
    return spaces.Dict({name: to_gym(sub) for name, sub in spec["spaces"].items()})


def describe(space: Any, *, bounds: bool = False) -> SpaceSpec:
    """A gymnasium space as a spec.

    For the report (default), a Box shows its bounds where they are finite: a number where uniform, one per
    element for a 1-D Box (asymmetric action bounds are what SB3 rescales or clips to).
    With ``bounds=True`` every Box keeps its bounds (a number if uniform, else nested lists), so
    the spec rebuilds the same space: that is how env-derived spaces travel in a ``PolicySpec``.
    """
    import numpy as np
    from gymnasium import spaces

    if isinstance(space, spaces.Box):
        spec: SpaceSpec = {"type": "Box", "shape": list(space.shape), "dtype": str(space.dtype)}
        for key in ("low", "high"):
            values = np.asarray(getattr(space, key))
            uniform = values.size and np.all(values == values.flat[0])
            if uniform and (bounds or np.all(np.isfinite(values))):
                number = values.flat[0].item()
                spec[key] = int(number) if np.isfinite(number) and float(number).is_integer() else number
            elif bounds or (values.ndim == 1 and np.all(np.isfinite(values))):
                spec[key] = values.tolist()
        return spec
    if isinstance(space, spaces.Discrete):
        spec = {"type": "Discrete", "n": int(space.n)}
        if int(space.start) != 0:
            spec["start"] = int(space.start)
        return spec
    if isinstance(space, spaces.MultiDiscrete):
        return {"type": "MultiDiscrete", "nvec": [int(n) for n in np.asarray(space.nvec).ravel()]}
    if isinstance(space, spaces.MultiBinary):
        n = space.n
        return {"type": "MultiBinary", "n": int(n) if isinstance(n, (int, np.integer)) else [int(v) for v in n]}
    if isinstance(space, spaces.Dict):
        return {"type": "Dict", "spaces": {name: describe(sub, bounds=bounds) for name, sub in space.spaces.items()}}
    return {"type": type(space).__name__}


def short(spec: Mapping[str, Any]) -> str:
    """One line for a table header: ``Box(101,) float32``, ``Discrete(4)``, ``Dict(a: ..., b: ...)``."""
    kind = spec.get("type")
    if kind is None:
        return "unknown"
    if kind == "Box":
        shape = spec["shape"]
        dims = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
        bounds = box_bounds(spec)
        return f"Box{dims} {spec['dtype']}" + (f" {bounds}" if bounds else "")
    if kind == "Discrete":
        return f"Discrete({spec['n']})"
    if kind == "MultiDiscrete":
        return "MultiDiscrete(" + ", ".join(map(str, spec["nvec"])) + ")"
    if kind == "MultiBinary":
        n = spec["n"]
        return f"MultiBinary({n if isinstance(n, int) else tuple(n)})"
    if kind == "Dict":
        return "Dict(" + ", ".join(f"{k}: {short(v)}" for k, v in spec["spaces"].items()) + ")"
    return str(kind)


PER_DIMENSION_BOUNDS = 6
"""A 1-D Box with bounds that differ per dimension shows each up to this many dimensions."""


def box_bounds(spec: Mapping[str, Any]) -> str | None:
    """A Box's finite bounds: ``[0, 255]``, or per dimension ``[0, 1] × [-5, 5]``; None when unbounded or too many."""
    low, high = spec.get("low"), spec.get("high")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and _is_finite(low) and _is_finite(high):
        return f"[{_num(low)}, {_num(high)}]"
    shape = spec.get("shape") or []
    if (
        isinstance(low, (list, tuple))
        and isinstance(high, (list, tuple))
        and len(shape) == 1
        and len(low) == len(high) <= PER_DIMENSION_BOUNDS
        and all(_is_finite(v) for v in (*low, *high))
    ):
        return " × ".join(f"[{_num(lo)}, {_num(hi)}]" for lo, hi in zip(low, high, strict=True))
    return None


def _is_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
