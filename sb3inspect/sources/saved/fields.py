"""A saved model's readable ``data`` fields -> the ``PolicySpec`` s that may rebuild its policy.

``PPO.load`` unpickles the zip's contents, and a pickle can run any code. Here only the readable
fields next to each ``:serialized:`` pickle are read: the spaces' ``shape`` / ``_shape`` / ``n`` /
``nvec`` / ``dtype`` / bounds text (every gym and gymnasium generation, FORMATS: gym 0.17 - 0.19
write ``shape``, later ones ``_shape``; a Dict's ``spaces`` is the text of its repr), the readable
part of ``policy_kwargs`` (classes appear as the text ``"<class 'torch.nn.modules.activation.ReLU'>"``)
and ``use_sde``; the policy class (and HER <= 1.0's ``model_class``) come from their pickles'
opcodes (``zipread``), never unpickled.

``readings`` gives the specs the fields describe, the likeliest first: policy_kwargs as SB3's
``load()`` rewrites them (``device`` dropped, ``[dict(pi=..., vf=...)]`` unwrapped), then the
readings a saving release allows (its own defaults for keywords the file leaves out, the other
algorithm of a shared policy module). The pipeline builds them on the meta device and keeps the
one whose every tensor matches the saved ones (``analysis.weights``): the weights decide.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, Sb3InspectError, SourceError, arch_text
from sb3inspect.sources.config import PolicySpec, resolve_algo, spec_from_mapping
from sb3inspect.sources.saved.zipread import SavedModel
from sb3inspect.sources.spaces import SPACE_TYPES

# --- data -> PolicySpec ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read a saved model's fields: the spec it gives and how the fields were read."""

    spec: PolicySpec
    notes: tuple[str, ...] = ()
    """How the fields were read where that is not plain: SB3's load-time rewrites, an older release's defaults."""


def readings(saved: SavedModel, algo: str | None) -> Iterator[Reading]:
    """The readings of the fields, the likeliest first; the first raises when the fields describe no policy.

    Alternatives, each built only when the ones before do not match the weights: the saving
    release's defaults against today's for every keyword the file leaves out whose default
    changed (``catalog.OLD_DEFAULTS``), then the other algorithms of a policy module whose
    algorithms build differently (``catalog.GROUP_DIFFERENCES``: DDPG's fields on a TD3), unless
    ``algo`` is given.
    """
    if saved.problems:
        raise SourceError("; ".join(saved.problems))
    first = guess_algo(saved, algo)
    if first is None:
        if catalog.POLICY_MODULES.get(saved.policy_module or "") is None:
            raise SourceError(f"its policy class {saved.policy_path} is not one of SB3's or sb3-contrib's")
        raise SourceError(f"its policy class {saved.policy_path} serves no algorithm sb3inspect knows")
    others = algo is None and saved.policy_module in catalog.GROUP_DIFFERENCES  # else they build alike
    names = [first] + [name for name in group(saved) if name != first and others]
    produced = False
    for name in names:
        try:
            config, notes = _base_config(saved, name)
        except Sb3InspectError:
            if not produced:
                raise
            continue
        for filled, defaults in _default_readings(saved, name, config):
            for shifted, how in _shifted_readings(saved, name, filled):
                try:
                    spec = spec_from_mapping(shifted, source=str(saved.path))
                except Sb3InspectError:
                    if not produced:
                        raise
                    continue
                produced = True
                yield Reading(spec, notes + defaults + how)


def _base_config(saved: SavedModel, name: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The config the fields give for one algorithm, with the notes on how SB3's load() reads them."""
    info = catalog.ALGORITHMS[name]
    alias = next((a for a, policy in info.policies.items() if policy.class_name == saved.policy_name), None)
    if alias is None or name not in group(saved):
        raise SourceError(f"its policy class {saved.policy_path} is not a {name} policy")
    where = f"{saved.path}: data"
    data = saved.data
    policy_kwargs, notes = load_policy_kwargs(
        readable_policy_kwargs(data.get("policy_kwargs"), f"{where}.policy_kwargs")
    )
    saved_kwargs = data.get("policy_kwargs")
    if isinstance(saved_kwargs, dict) and set(saved_kwargs) <= {":type:", ":serialized:"} and saved_kwargs:
        # SB3 writes each key of a policy_kwargs dict readably next to its pickle: none here is not SB3's writing
        notes += (
            "policy_kwargs is only a pickle here, with nothing readable beside it (SB3 writes its keys): rebuilt "
            "with the defaults, which the weights check holds against the saved tensors",
        )
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
    if saved.model_class:
        notes += (
            f"saved by HER (SB3 <= 1.0), which wraps {name}: the policy is {name}'s, built for HER's flattened "
            "observation (the observation and the desired goal, concatenated); SB3 >= 1.1 has no HER class "
            f"(load the file with {name}.load())",
        )
    return config, notes


def _default_readings(
    saved: SavedModel, algo: str, config: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """The config with each combination of old and today's defaults, the saving release's own first.

    Only keywords the saved policy_kwargs leave out, and whose default changed for this algorithm
    (and extractor), are filled in; a file without a version member is older than every change.
    """
    kwargs = config["policy_kwargs"]
    extractor = kwargs.get("features_extractor_class") or catalog.default_extractor(config["policy"])
    changed = [
        default
        for default in catalog.OLD_DEFAULTS
        if algo in default.algos
        and default.keyword not in kwargs
        and (not default.extractors or extractor in default.extractors)
    ]
    release = saved.release
    own = tuple(release is None or release < default.until for default in changed)
    saved_by = f"SB3 {saved.sb3_version}" if saved.sb3_version else "an SB3 release before 0.9"
    for choice in sorted(itertools.product((True, False), repeat=len(changed)), key=lambda c: c != own):
        filled = {**config, "policy_kwargs": dict(kwargs)}
        old = [default for default, is_old in zip(changed, choice, strict=True) if is_old]
        for default in old:
            filled["policy_kwargs"][default.keyword] = default.value
        notes: tuple[str, ...] = ()
        if old or choice != own:
            used = ", ".join(f"{d.keyword}={d.value!r}" for d in old) or "today's defaults"
            since = sorted({".".join(map(str, d.until)) for d in changed})
            notes = (
                f"the saved policy_kwargs leave out {' and '.join(d.keyword for d in changed)}, whose defaults "
                f"changed in SB3 {', '.join(since)}: read with {used}"
                + (
                    f" (the defaults of {saved_by})"
                    if choice == own
                    else f" (not the defaults of {saved_by}: the weights match these)"
                ),
            )
        yield filled, notes


def _shifted_readings(
    saved: SavedModel, algo: str, config: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], tuple[str, ...]]]:
    """The config as its keywords say, and as a faulty release's policy class built it (``catalog.SHIFTED_KEYWORDS``):
    the keywords it handed its parent one place off, each flag taking the truth of what it received. The faulty
    reading comes first for a file of the one SB3 release that pairs only with the faulty release."""
    release = saved.release
    plain: tuple[dict[str, Any], tuple[str, ...]] = (config, ())
    readings = [plain]
    for shift in catalog.SHIFTED_KEYWORDS:
        if algo not in shift.algos or config["policy"] not in shift.policies or not release:
            continue
        if release < shift.pairs_only:
            continue
        kwargs = dict(config["policy_kwargs"])
        given = [(key, kwargs.pop(key, default)) for key, default in shift.given]
        landed = {flag: bool(value) for flag, (_, value) in zip(shift.landed, given, strict=True)}
        said = ", ".join(f"{key}={value!r}" for key, value in given)
        built = ", ".join(f"{flag}={value}" for flag, value in landed.items())
        note = (
            f"{shift.faulty}: its {said} built {built}, and are read so (today's load() builds what the keywords say)"
        )
        shifted = ({**config, "policy_kwargs": kwargs | landed}, (note,))
        readings.insert(0 if release == shift.pairs_only else len(readings), shifted)
    yield from readings


def load_policy_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """policy_kwargs as SB3's ``load()`` passes them on, and a note for each change.

    ``load()`` drops ``device`` (SB3 0.6 - 0.8 saved it) and unwraps a list that starts with a
    net_arch mapping (SB3 < 1.8's ``[dict(pi=..., vf=...)]``). ``sde_net_arch`` (SB3 <= 1.6) is left
    out: releases 1.3 - 1.6 ignored it and 1.7 refuses it, so today's ``load()`` fails on the file;
    what it built before 1.3 shows in the weights (``sde_features_extractor``).
    """
    out = dict(kwargs)
    notes: list[str] = []
    for key, why in catalog.LOAD_DROPPED_KWARGS.items():
        if key in out:
            notes.append(f"policy_kwargs.{key}={out.pop(key)!r} left out: {why}")
    net_arch = out.get("net_arch")
    if isinstance(net_arch, list) and net_arch and isinstance(net_arch[0], dict):
        out["net_arch"] = net_arch[0]
        notes.append(
            f"net_arch saved as {arch_text(net_arch)} (the list form of SB3 < 1.8): SB3's load() "
            f"unwraps it to {arch_text(net_arch[0])}"
        )
    if "sde_net_arch" in out:
        value = out.pop("sde_net_arch")
        notes.append(
            f"policy_kwargs.sde_net_arch={value!r} left out: SB3 1.3 - 1.6 ignored it and SB3 >= 1.7 refuses it "
            "(today's load() fails on this file with a TypeError)"
        )
    return out, tuple(notes)


def training_values(saved: SavedModel) -> dict[str, Any]:
    """The algorithm settings the answers read (``catalog.SAVED_ALGO_ATTRIBUTES``), where ``data`` keeps them as
    plain values; a pickled action noise by the class name SB3 writes next to its pickle. A setting that is only
    a pickle (a learning-rate schedule) is None: unknown."""
    out: dict[str, Any] = {}
    for key in catalog.SAVED_ALGO_ATTRIBUTES:
        if key not in saved.data:
            continue
        value = saved.data[key]
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, dict) and key == "action_noise":
            found = re.fullmatch(r"<class '(?:[\w.]+\.)?(\w+)'>", str(value.get(":type:", "")))
            out[key] = {"class": found.group(1) if found else "unknown"}
        else:
            out[key] = None
    return out


def guess_algo(saved: SavedModel, algo: str | None) -> str | None:
    """``--algo``; else HER's ``model_class``; else the algorithm of the policy module's group whose markers the data carries.

    An ``--algo`` outside the group of the policy class's module is refused: the zip names the
    algorithms its policy serves, and building another's would report a network it does not hold.
    """
    candidates = group(saved)
    if algo is not None:
        name = resolve_algo(algo, "--algo")
        if candidates and name not in candidates:
            owners = " or ".join(filter(None, (", ".join(candidates[:-1]), candidates[-1])))
            raise ConfigError(
                "--algo",
                f"{name} does not fit {saved.path}: its policy class {saved.policy_path} belongs to {owners}",
                hint="drop --algo: the zip names its algorithm",
            )
        return name
    if not candidates:
        return None
    if saved.model_class:
        module, _, name = saved.model_class.rpartition(".")
        if module in catalog.HER_MODULES and name in candidates:
            return name
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


def readable_activation(saved: SavedModel, algo: str | None) -> str | None:
    """The activation the fields name (``policy_kwargs.activation_fn``), else the algorithm's default."""
    value = saved.data.get("policy_kwargs")
    text = value.get("activation_fn") if isinstance(value, dict) else None
    if isinstance(text, str):
        dotted = text.removeprefix("<class '").rstrip(">").rstrip("'")
        return dotted.rsplit(".", 1)[-1]
    return catalog.DEFAULT_ACTIVATIONS.get(algo or "")


def _class_from_text(key: str, text: str, where: str) -> str:
    """``"<class 'torch.nn.modules.activation.ReLU'>"`` -> ``"ReLU"``, for the classes SB3 ships."""
    dotted = text[len("<class '") :].rstrip(">").rstrip("'")
    for home in catalog.CLASS_HOMES.get(key, ()):
        if dotted.startswith(home):
            return dotted.rsplit(".", 1)[1]
    raise SourceError(f"{where}.{key} is the custom class {dotted}, which cannot be rebuilt without running its code")


# --- spaces --------------------------------------------------------------------------------------


def space_of(entry: Any, where: str) -> Any:
    """A space spec from a saved space's readable fields, in every gym / gymnasium generation's form.

    Box: ``shape`` (gym <= 0.19) or ``_shape``, ``dtype``, bounds from ``low_repr`` / ``high_repr``
    (gymnasium 0.28 - 1.2; null when not computed) or numpy's text of ``low`` / ``high``.
    Discrete: ``n`` as a JSON int (gym) or text (gymnasium), ``start`` as text. Dict: the text of
    its spaces (four forms, see ``_dict_spaces``).
    """
    if not isinstance(entry, dict) or not isinstance(entry.get(":type:"), str):
        raise SourceError(where, "no readable space")
    kind = entry[":type:"].rstrip("'>").rsplit(".", 1)[-1]
    if kind == "Box":
        shape = entry.get("_shape", entry.get("shape"))
        dtype = entry.get("dtype")
        if not isinstance(shape, list) or not isinstance(dtype, str):
            raise SourceError(where, "a Box without a readable shape and dtype")
        low = entry.get("low_repr") if isinstance(entry.get("low_repr"), str) else entry.get("low")
        high = entry.get("high_repr") if isinstance(entry.get("high_repr"), str) else entry.get("high")
        return _box(shape, dtype, low, high)
    if kind == "Discrete":
        return _discrete(entry.get("n"), entry.get("start", 0), where)
    if kind == "MultiDiscrete":
        return {"type": "MultiDiscrete", "nvec": _ints(entry.get("nvec"), where)}
    if kind == "MultiBinary":
        return _multi_binary(entry.get("n"), where)
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


def _discrete(n: Any, start: Any, where: str) -> dict[str, Any]:
    spec = {"type": "Discrete", "n": _int(n, where)}
    if _int(start, where):
        spec["start"] = _int(start, where)
    return spec


def _multi_binary(n: Any, where: str) -> dict[str, Any]:
    several = isinstance(n, list) or (isinstance(n, str) and n.strip()[:1] in "[(")
    return {"type": "MultiBinary", "n": _ints(n, where) if several else _int(n, where)}


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
    numbers = [_number(token) for token in _NUMBER.findall(text)]
    if not numbers or any(n != n for n in numbers):
        return None
    if all(n == numbers[0] for n in numbers):
        return numbers[0]
    if ndim == 1 and "..." not in text:
        return numbers
    return None


def _number(token: str) -> int | float:
    """A bound as the report shows it: a whole number as an int (``-1.`` is -1), but 3.4028235e+38 stays a float."""
    value = float(token)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _dict_spaces(text: str, where: str) -> dict[str, Any]:
    """A Dict's spaces from the text of its repr, in the four forms gym and gymnasium wrote.

    ``OrderedDict([('key', Box(...)), ...])`` (gym; gymnasium < 1.0 on Python <= 3.11),
    ``OrderedDict({'key': Box(...), ...})`` (gymnasium < 1.0 on Python 3.12 +) and
    ``{'key': Box(...), ...}`` (gymnasium 1.0 +). Inside, a Box is ``Box(low, high, shape, dtype)``
    where low and high are numbers (gym 0.17 - 0.18, gymnasium) or numpy's text of arrays (gym 0.19 -
    0.21: bracketed, multi-line, ``...``-summarized); items are split at top-level commas only.
    """
    if len(text) > MAX_FIELD_CHARS:
        raise SourceError(where, f"its Dict's spaces are {len(text):,} characters of text, more than sb3inspect reads")
    body = text.strip()
    if body.startswith("OrderedDict(") and body.endswith(")"):
        body = body[len("OrderedDict(") : -1].strip()
    if len(body) < 2 or body[0] + body[-1] not in ("[]", "{}"):
        raise SourceError(where, "cannot read the Dict's spaces")
    pairs = body[0] == "["
    spaces: dict[str, Any] = {}
    for item in _split_args(body, 1, where, closing=body[-1]):
        if not item:
            continue
        if pairs:
            if not (item.startswith("(") and item.endswith(")")):
                raise SourceError(where, "cannot read the Dict's spaces")
            key_text, _, space_text = item[1:-1].partition(",")
        else:
            key_text, _, space_text = item.partition(":")
        key = key_text.strip()
        if len(key) < 2 or key[0] != key[-1] or key[0] not in "'\"":
            raise SourceError(where, "cannot read the Dict's spaces")
        spaces[key[1:-1]] = _repr_space(space_text.strip(), f"{where}[{key[1:-1]!r}]")
    if not spaces:
        raise SourceError(where, "cannot read the Dict's spaces")
    return spaces


def _repr_space(text: str, where: str) -> dict[str, Any]:
    """A space from its repr inside a Dict's text: ``Box(-1.0, 1.0, (3,), float32)``, ``Discrete(3, start=1)``, ..."""
    kind = text.partition("(")[0]
    if kind not in SPACE_TYPES or not text.endswith(")"):
        raise SourceError(where, f"cannot read the space {text[:60]!r}")
    if kind == "Dict":
        raise SourceError(where, "a Dict inside a Dict, which SB3's policies do not take")
    args = _split_args(text, len(kind) + 1, where)
    if kind == "Box" and len(args) == 4:
        return _box(_ints(args[2], where), args[3].strip(), args[0], args[1])
    if kind == "Discrete" and args:
        start = next((arg.split("=", 1)[1] for arg in args[1:] if arg.replace(" ", "").startswith("start=")), "0")
        return _discrete(args[0], start, where)
    if kind == "MultiDiscrete" and args:
        return {"type": "MultiDiscrete", "nvec": _ints(args[0], where)}
    if kind == "MultiBinary" and args:
        return _multi_binary(args[0], where)
    raise SourceError(where, f"cannot read the space {text[:60]!r}")


def _split_args(text: str, start: int, where: str, *, closing: str = ")") -> list[str]:
    """Top-level comma-separated arguments from ``start`` up to the bracket that closes them.

    Brackets nest a few levels in numpy's text of a bound; past ``MAX_NESTING`` the text is not a
    space's, and stopping there keeps the scans of nested matches from adding up to a quadratic.
    Quoted keys are skipped whole, so a comma or bracket inside one does not count.
    """
    depth, begin, args = 0, start, []
    index = start
    while index < len(text):
        char = text[index]
        if char in "'\"":
            end = text.find(char, index + 1)
            if end < 0:
                break
            index = end + 1
            continue
        if char in "([{":
            depth += 1
            if depth > MAX_NESTING:
                break
        elif char in ")]}":
            if depth == 0:
                if char != closing:
                    break
                args.append(text[begin:index].strip())
                return args
            depth -= 1
        elif char == "," and depth == 0:
            args.append(text[begin:index].strip())
            begin = index + 1
        index += 1
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
