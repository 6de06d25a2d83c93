"""Saved SB3 models (the zip ``model.save()`` writes) -> a report, without running anything from the file.

``PPO.load`` unpickles the zip's contents, and a pickle can run any code. sb3inspect reads:

- ``data`` as JSON, and only its readable fields: the spaces' ``_shape`` / ``n`` / ``nvec`` /
  ``dtype`` / bounds text, the readable part of ``policy_kwargs`` (classes appear as the text
  ``"<class 'torch.nn.modules.activation.ReLU'>"``), ``use_sde``; the policy class is read from its
  ``:serialized:`` pickle with ``pickletools`` (the GLOBAL / STACK_GLOBAL opcodes), never unpickled;
- ``policy.pth`` with ``torch.load(weights_only=True, map_location="meta")``: tensors without their
  data, so the check costs the shapes, not the weights; a stored (uncompressed) member is read in
  place from the zip.

The policy is rebuilt on the meta device through a ``PolicySpec`` (so the numbers are SB3's own) and
every tensor of its state dict is held against the saved one: a difference is reported, never
hidden. When the rebuild is impossible (a custom policy or features extractor), the report is
made from the state dict alone: layer types and sizes from parameter names and shapes.

Zip limits (member count, sizes, compression ratio) make a zip bomb or a non-zip a clean error.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import pickletools
import re
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import _catalog
from .config import PolicySpec, spec_from_mapping
from .errors import Sb3InspectError, SourceError
from .report import Layer, Network, PolicyReport, Totals

MAX_MEMBERS = 64
"""A model.save() zip has 5 to 8 members."""
MAX_CENTRAL_DIRECTORY_BYTES = 1 << 20
MAX_DATA_BYTES = 64 << 20
"""The JSON ``data`` member (pickled observations and episode buffers make it grow)."""
MAX_WEIGHTS_BYTES = 64 << 30
"""``policy.pth``: only its shapes are read, but a declared size past this is not a policy."""
MAX_SMALL_MEMBER_BYTES = 1 << 10
MAX_COMPRESSION_RATIO = 100
"""Weights barely compress; a member that inflates more than this is treated as a zip bomb."""
MAX_PICKLE_BYTES = 1 << 16
"""The ``:serialized:`` pickle of a policy class is a few dozen bytes."""

DATA = "data"
WEIGHTS = "policy.pth"
VERSION = "_stable_baselines3_version"

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
ALGO_MARKERS: dict[str, tuple[str, Any]] = {
    "PPO": ("clip_range", None),
    "TRPO": ("cg_max_steps", None),
    "DDPG": ("policy_delay", 1),
}
"""A data field (and value; None: present) only this algorithm of its module's group saves.
The group's algorithm without a marker (A2C, TD3) is the one left."""
# Module text of the classes SB3 allows in each class-valued policy keyword.
_CLASS_HOMES: dict[str, tuple[str, ...]] = {
    "activation_fn": ("torch.nn.",),
    "features_extractor_class": ("stable_baselines3.common.torch_layers.",),
    "optimizer_class": ("torch.optim.", "stable_baselines3.common.sb2_compat.rmsprop_tf_like."),
}
_BUFFER_NAMES = ("running_mean", "running_var", "num_batches_tracked", "ra_mean", "ra_var", "steps")
"""State-dict entries that are buffers, not parameters (BatchNorm, sb3-contrib's BatchRenorm); told apart by name."""
MAX_SHARED_CHECK_RATIO = 8
"""Storages are allocated (never filled) to see which entries share one: only up to this times the file's size."""


@dataclass
class SavedModel:
    """The readable facts of a saved model, read without torch."""

    path: Path
    data: dict[str, Any]
    sb3_version: str | None
    policy_module: str | None
    policy_name: str | None
    problems: list[str] = field(default_factory=list)
    """Why a rebuild is impossible, if it is."""

    @property
    def policy_path(self) -> str:
        return f"{self.policy_module}.{self.policy_name}" if self.policy_name else "an unreadable policy class"


def summarize_saved(path: Path, *, algo: str | None = None) -> PolicyReport:
    """The report of a saved model: rebuilt and checked against its state dict, or the state dict alone."""
    saved = read_saved(path)
    try:
        spec = _spec(saved, algo)
    except Sb3InspectError as exc:
        shapes, unread = _weights_or_reason(path, shared=True)
        if shapes is None:
            raise SourceError(f"{path}: cannot be rebuilt ({exc}) and {unread}") from None
        return report_from_state_dict(shapes, saved=saved, algo=_guess_algo(saved, algo), reason=str(exc))
    shapes, unread = _weights_or_reason(path)
    return _rebuilt_report(spec, saved, shapes, unread)


def saved_spec(path: Path, *, algo: str | None = None) -> PolicySpec:
    """The ``PolicySpec`` a saved model's readable fields describe (an error when there is none)."""
    return _spec(read_saved(path), algo)


def read_saved(path: Path) -> SavedModel:
    """The zip's ``data`` JSON and policy class, with the limits checked first; imports no torch."""
    with open_model_zip(path) as archive:
        raw = _read_member(archive, DATA, MAX_DATA_BYTES, path)
        version = _read_member(archive, VERSION, MAX_SMALL_MEMBER_BYTES, path, required=False)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise SourceError(f"{path}: its 'data' member is not JSON; is this a model saved by SB3's model.save()?") from None
    if not isinstance(data, dict):
        raise SourceError(f"{path}: its 'data' member is not a mapping of saved fields")
    module, name, problems = policy_class_of(data.get("policy_class"))
    sb3_version = version.decode("utf-8", "replace").strip()[:40] if version else None
    return SavedModel(path, data, sb3_version, module, name, problems)


def open_model_zip(path: Path) -> zipfile.ZipFile:
    """The zip, once its directory is small and every member's size and compression ratio are sane."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, not a saved model")
    try:
        _check_directory(path)
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        raise SourceError(f"{path}: not a valid zip file; a saved SB3 model is the zip model.save() writes") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        for info in archive.infolist():
            _check_member(info, path)
    except SourceError:
        archive.close()
        raise
    return archive


def _check_directory(path: Path) -> None:
    """Count the members from the end-of-directory record before zipfile reads every entry."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise zipfile.BadZipFile("no end of central directory")
        entries, directory_size = struct.unpack("<10xHL", tail[at:at + 16])
        if entries == 0xFFFF or directory_size == 0xFFFFFFFF:  # zip64: the real counts are in its own record
            locator = tail[at - 20:at] if at >= 20 else b""
            if locator[:4] != b"PK\x06\x07":
                raise zipfile.BadZipFile("zip64 locator missing")
            (record_at,) = struct.unpack("<8xQ", locator[:16])
            handle.seek(record_at)
            record = handle.read(56)
            if record[:4] != b"PK\x06\x06":
                raise zipfile.BadZipFile("zip64 record missing")
            entries, directory_size = struct.unpack("<32xQQ", record[:48])
    if entries > MAX_MEMBERS:
        raise SourceError(f"{path}: {entries:,} members is more than a saved SB3 model holds (limit {MAX_MEMBERS})")
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise SourceError(f"{path}: its directory of {directory_size:,} bytes is larger than a saved SB3 model's")


def _check_member(info: zipfile.ZipInfo, path: Path) -> None:
    if info.flag_bits & 0x1:
        raise SourceError(f"{path}: member {info.filename!r} is encrypted")
    limit = {DATA: MAX_DATA_BYTES, VERSION: MAX_SMALL_MEMBER_BYTES}.get(info.filename, MAX_WEIGHTS_BYTES)
    if info.file_size > limit:
        raise SourceError(f"{path}: member {info.filename!r} declares {info.file_size:,} bytes (limit {limit:,})")
    if info.file_size > (1 << 20) and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise SourceError(f"{path}: member {info.filename!r} inflates {info.file_size / max(info.compress_size, 1):,.0f}"
                          f" times (limit {MAX_COMPRESSION_RATIO}); this looks like a zip bomb")


def _read_member(archive: zipfile.ZipFile, name: str, limit: int, path: Path, *, required: bool = True) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        if not required:
            return None
        raise SourceError(f"{path}: no {name!r} member, so not a model saved by SB3's model.save() "
                          f"(it holds {', '.join(i.filename for i in archive.infolist()[:6]) or 'nothing'})") from None
    try:
        with archive.open(info) as handle:
            raw = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SourceError(f"{path}: member {name!r} cannot be read: {exc}") from None
    if len(raw) > limit:
        raise SourceError(f"{path}: member {name!r} is larger than its limit ({limit:,} bytes)")
    return raw


# --- the policy class, from its pickle, statically -------------------------------------------------

_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
_MEMO_PUT = {"MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT"}
_MEMO_GET = {"GET", "BINGET", "LONG_BINGET"}
_CLASS_PICKLE_OPS = _STRING_OPS | _MEMO_PUT | _MEMO_GET | {"PROTO", "FRAME", "GLOBAL", "STACK_GLOBAL", "STOP"}


def pickle_globals(raw: bytes) -> tuple[list[str], bool]:
    """The ``module.name`` globals a pickle refers to, and whether it is only a class reference.

    Read with ``pickletools.genops``: opcodes are listed, nothing is built or called. A plain class
    reference pushes two strings and a STACK_GLOBAL (or one GLOBAL); any other opcode (REDUCE,
    BUILD, NEWOBJ, ...) means the pickle would construct or call something.
    """
    stack: list[Any] = []
    memo: dict[Any, Any] = {}
    found: list[str] = []
    plain = True
    for opcode, arg, _ in pickletools.genops(raw):
        name = opcode.name
        plain = plain and name in _CLASS_PICKLE_OPS
        if name in _STRING_OPS:
            stack.append(arg if isinstance(arg, str) else str(arg))
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else None
        elif name in _MEMO_PUT:
            memo[arg] = stack[-1] if stack else None
        elif name in _MEMO_GET:
            stack.append(memo.get(arg))
        elif name == "GLOBAL":
            found.append(str(arg).replace(" ", "."))
            stack.append(found[-1])
        elif name == "STACK_GLOBAL":
            attr, module = (stack.pop() if stack else None), (stack.pop() if stack else None)
            found.append(f"{module}.{attr}")
            stack.append(found[-1])
        elif name not in ("PROTO", "FRAME", "STOP"):
            stack.append(None)
    return found, plain and len(found) == 1


def policy_class_of(entry: Any) -> tuple[str | None, str | None, list[str]]:
    """(module, class name, problems) of ``data["policy_class"]``, from its pickle's opcodes."""
    if not isinstance(entry, dict) or not isinstance(entry.get(":serialized:"), str):
        return None, None, ["its data has no readable policy_class"]
    text = entry[":serialized:"]
    if len(text) > MAX_PICKLE_BYTES * 2:
        return None, None, [f"its policy_class pickle is {len(text):,} characters long, not a class reference"]
    try:
        found, plain = pickle_globals(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, IndexError, KeyError, TypeError):
        return None, None, ["its policy_class pickle cannot be read"]
    if not plain:
        calls = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "") if found else "no named global"
        return None, None, [f"its policy_class pickle is not a plain class reference (it names {calls}); it was not run"]
    module, _, name = found[0].rpartition(".")
    return module, name, []


# --- data -> PolicySpec ----------------------------------------------------------------------------

def _spec(saved: SavedModel, algo: str | None) -> PolicySpec:
    """The spec the readable fields describe; a SourceError says why there is none."""
    if saved.problems:
        raise SourceError("; ".join(saved.problems))
    candidates = POLICY_MODULES.get(saved.policy_module or "")
    if candidates is None:
        raise SourceError(f"its policy class {saved.policy_path} is not one of SB3's or sb3-contrib's")
    name = _guess_algo(saved, algo)
    info = _catalog.ALGORITHMS[name]
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
    """``--algo``, else the one algorithm whose policies live in the pickled class's module."""
    if algo is not None:
        from .config import resolve_algo

        return resolve_algo(algo, "--algo")
    candidates = POLICY_MODULES.get(saved.policy_module or "")
    if not candidates:
        return None
    for name in candidates:
        if name in ALGO_MARKERS:
            key, value = ALGO_MARKERS[name]
            if key in saved.data and (value is None or saved.data[key] == value):
                return name
    return next(name for name in candidates if name not in ALGO_MARKERS)


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


_NUMBER = re.compile(r"[-+]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.IGNORECASE)


def _bound(text: Any, ndim: int) -> Any:
    """numpy's text of a bound: one number if every shown number is the same, else the list (1-D, whole)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text
    if not isinstance(text, str):
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
    spaces: dict[str, Any] = {}
    for match in re.finditer(r"'(?P<key>[^']*)': (?P<kind>Box|Discrete|MultiDiscrete|MultiBinary)\(", text):
        args = _split_args(text[match.end():], where)
        kind = match["kind"]
        if kind == "Box" and len(args) == 4:
            shape = [int(d) for d in re.findall(r"\d+", args[2])]
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


def _split_args(text: str, where: str) -> list[str]:
    """Top-level comma-separated arguments up to the closing parenthesis."""
    depth, current, args = 0, "", []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                args.append(current.strip())
                return args
            depth -= 1
        if char == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += char
    raise SourceError(f"{where}: cannot read the Dict's spaces")


def _int(value: Any, where: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise SourceError(f"{where}: expected a whole number, got {value!r}") from None


def _ints(value: Any, where: str) -> list[int]:
    if isinstance(value, list):
        return [_int(v, where) for v in value]
    return [_int(v, where) for v in re.findall(r"-?\d+", str(value))]


# --- policy.pth: shapes only ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SavedTensor:
    shape: tuple[int, ...]
    dtype: str
    element_size: int
    identity: tuple[Any, ...]
    """Equal for entries that are one tensor saved under two names (a shared features extractor)."""


def _weights_or_reason(path: Path, *, shared: bool = False) -> tuple[dict[str, SavedTensor] | None, str]:
    try:
        return saved_tensors(path, shared=shared), ""
    except SourceError as exc:
        return None, str(exc).removeprefix(f"{path}: ")


def saved_tensors(path: Path, *, shared: bool = False) -> dict[str, SavedTensor]:
    """Name -> shape and dtype of every tensor in ``policy.pth``, loaded on the meta device.

    With ``shared``, entries that are one tensor saved under two names (a shared features
    extractor) get the same ``identity``: meta tensors lose their storage, so the state dict is
    loaded a second time on CPU under ``torch.serialization.skip_data`` (storages allocated, never
    filled), when that costs no more than a few times the file's size.
    """
    import torch

    state, declared = _load_state_dict(path, "meta")
    tensors = {
        name: SavedTensor(tuple(t.shape), str(t.dtype).removeprefix("torch."), t.element_size(), (name,))
        for name, t in state.items()
    }
    entry_bytes = sum(_numel(t.shape) * t.element_size for t in tensors.values())
    if not shared or not hasattr(torch.serialization, "skip_data") or entry_bytes > MAX_SHARED_CHECK_RATIO * declared + (1 << 20):
        return tensors
    with torch.serialization.skip_data():
        state, _ = _load_state_dict(path, "cpu")
    return {
        name: replace(tensor, identity=(state[name].untyped_storage().data_ptr(), state[name].storage_offset(),
                                        tensor.shape, tuple(state[name].stride())))
        for name, tensor in tensors.items()
    }


def _load_state_dict(path: Path, device: str) -> tuple[Mapping[str, Any], int]:
    """``torch.load(weights_only=True)`` of ``policy.pth``, and the member's size."""
    import pickle  # for its exception class only: nothing is unpickled here

    import torch

    with open_model_zip(path) as archive:
        try:
            info = archive.getinfo(WEIGHTS)
        except KeyError:
            raise SourceError(f"{path}: has no {WEIGHTS} member: the saved weights are missing") from None
        try:
            with _member_stream(path, archive, info) as stream:
                state = torch.load(stream, weights_only=True, map_location=device)
        except pickle.UnpicklingError as exc:
            reason = " ".join(str(exc).split("\n\n")[0].split())[:300]
            raise SourceError(f"{path}: {WEIGHTS} holds more than tensors, so it was not loaded "
                              f"(torch's weights_only loader refused it: {reason})") from None
        except (RuntimeError, ValueError, EOFError, OSError, zipfile.BadZipFile, KeyError, TypeError, AttributeError) as exc:
            raise SourceError(f"{path}: {WEIGHTS} cannot be read as a state dict: {' '.join(str(exc).split())[:300]}") from None
    if not isinstance(state, Mapping) or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise SourceError(f"{path}: {WEIGHTS} is not a state dict (names -> tensors)")
    return state, info.file_size


def _member_stream(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """A seekable reader of one member: a stored member in place in the file, else zipfile's stream."""
    if info.compress_type != zipfile.ZIP_STORED:
        return archive.open(info)
    handle = open(path, "rb")
    handle.seek(info.header_offset)
    header = handle.read(30)
    if header[:4] != b"PK\x03\x04":
        handle.close()
        raise SourceError(f"{path}: member {info.filename!r} has no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    return io.BufferedReader(_Window(handle, start, info.file_size), buffer_size=1 << 16)


class _Window(io.RawIOBase):
    """Bytes ``[start, start + size)`` of an open file, as a seekable read-only file."""

    def __init__(self, handle: Any, start: int, size: int) -> None:
        super().__init__()
        self._handle, self._start, self._size, self._position = handle, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        count = max(0, min(len(buffer), self._size - self._position))
        chunk = os.pread(self._handle.fileno(), count, self._start + self._position) if count else b""
        buffer[:len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)

    def close(self) -> None:
        self._handle.close()
        super().close()


# --- the report -------------------------------------------------------------------------------------

def _rebuilt_report(spec: PolicySpec, saved: SavedModel, shapes: dict[str, SavedTensor] | None, unread: str) -> PolicyReport:
    from .api import summarize_built, with_findings
    from .build import build_policy

    built = build_policy(spec)
    report = with_findings(summarize_built(built, source=spec.source), spec.findings)
    if shapes is None:
        check: dict[str, Any] = {"status": "not_checked", "reason": unread}
        note = f"weights NOT checked: {unread}"
    else:
        built_shapes = {name: tuple(tensor.shape) for name, tensor in built.policy.state_dict().items()}
        check = compare_state_dicts(built_shapes, {name: t.shape for name, t in shapes.items()})
        note = _check_note(check)
    extra = _extra(saved, rebuilt=True, check=check)
    return replace(report, notes=(*report.notes, *_algo_notes(saved, report.algo), note), extra={**report.extra, **extra})


def compare_state_dicts(built: Mapping[str, tuple[int, ...]], saved: Mapping[str, tuple[int, ...]]) -> dict[str, Any]:
    """Every tensor of the rebuilt policy held against the saved one: missing, unexpected, different shape."""
    mismatched = [
        {"name": name, "built": list(shape), "saved": list(saved[name])}
        for name, shape in built.items() if name in saved and tuple(saved[name]) != shape
    ]
    missing = [name for name in built if name not in saved]
    unexpected = [name for name in saved if name not in built]
    return {
        "status": "match" if not (mismatched or missing or unexpected) else "mismatch",
        "tensors": len(saved),
        "mismatched": mismatched,
        "missing": missing,
        "unexpected": unexpected,
    }


def _check_note(check: dict[str, Any]) -> str:
    if check["status"] == "match":
        return f"saved weights match the rebuilt policy: {check['tensors']} tensors in {WEIGHTS}, every shape equal"
    parts = [f"{m['name']} saved {_dims(m['saved'])} but rebuilt {_dims(m['built'])}" for m in check["mismatched"][:3]]
    if check["missing"]:
        parts.append(f"{len(check['missing'])} rebuilt tensors not saved ({', '.join(check['missing'][:3])})")
    if check["unexpected"]:
        parts.append(f"{len(check['unexpected'])} saved tensors not rebuilt ({', '.join(check['unexpected'][:3])})")
    more = len(check["mismatched"]) - 3
    return ("MISMATCH between the saved weights and the rebuilt policy: " + "; ".join(parts)
            + (f"; and {more} more shapes" if more > 0 else "") + " (see saved_model.state_dict in the JSON report)")


def _dims(shape: list[int]) -> str:
    return "×".join(map(str, shape)) or "scalar"


def _algo_notes(saved: SavedModel, algo: str | None) -> list[str]:
    candidates = POLICY_MODULES.get(saved.policy_module or "", ())
    if algo and len(candidates) > 1:
        return [f"a saved model does not name its algorithm: {algo} is read from its saved fields "
                f"({saved.policy_name} serves {', '.join(candidates)}; the architecture is the same)"]
    return []


def _extra(saved: SavedModel, *, rebuilt: bool, check: dict[str, Any]) -> dict[str, Any]:
    return {
        "saved_model": {
            "path": str(saved.path),
            "sb3_version": saved.sb3_version,
            "policy_class": f"{saved.policy_module}.{saved.policy_name}" if saved.policy_name else None,
            "rebuilt": rebuilt,
            "state_dict": check,
        }
    }


# --- the report from the state dict alone -----------------------------------------------------------

# (prefix, network, role, target): the attribute names SB3's policy families give their networks.
_NETWORK_PREFIXES: tuple[tuple[str, str, str, bool], ...] = (
    ("actor_target.", "actor_target", "actor", True),
    ("actor.", "actor", "actor", False),
    ("critic_target.", "critic_target", "critic", True),
    ("q_net_target.", "q_net_target", "q_value", True),
    ("q_net.", "q_net", "q_value", False),
    ("quantile_net_target.", "quantile_net_target", "quantile", True),
    ("quantile_net.", "quantile_net", "quantile", False),
    ("pi_features_extractor.", "pi", "policy", False),
    ("mlp_extractor.policy_net.", "pi", "policy", False),
    ("lstm_actor.", "pi", "policy", False),
    ("action_net.", "pi", "policy", False),
    ("log_std", "pi", "policy", False),
    ("vf_features_extractor.", "vf", "value", False),
    ("mlp_extractor.value_net.", "vf", "value", False),
    ("lstm_critic.", "vf", "value", False),
    ("value_net.", "vf", "value", False),
)


def report_from_state_dict(
    tensors: Mapping[str, SavedTensor], *, saved: SavedModel, algo: str | None, reason: str
) -> PolicyReport:
    """Layer rows from parameter names and shapes, grouped into networks by SB3's attribute names."""
    actor_critic = any(name.startswith("mlp_extractor.") for name in tensors)
    modules = _modules(tensors)
    placed: list[tuple[str, str, bool, str, frozenset[Any]]] = []  # network, role, target, module path, tensor ids
    for path, entries in modules.items():
        ids = frozenset(tensors[_entry(path, e)].identity for e in entries if e not in _BUFFER_NAMES)
        placed += [(network, role, target, path, ids) for network, role, target in _networks_of(path, actor_critic)]
    holders: dict[frozenset[Any], set[str]] = {}
    for network, _, _, _, ids in placed:
        holders.setdefault(ids, set()).add(network)
    rows: dict[tuple[str, str, bool], list[Layer]] = {}
    seen: set[tuple[str, frozenset[Any]]] = set()
    for network, role, target, path, ids in placed:
        if ids and (network, ids) in seen:
            continue  # one module under two names (features_extractor is pi_features_extractor): one row
        seen.add((network, ids))
        shared = bool(ids) and len(holders[ids]) > 1
        rows.setdefault((network, role, target), []).append(_layer(path, modules[path], shared=shared))
    networks = [_network(name, role, target, layers) for (name, role, target), layers in rows.items()]

    parameters = {t.identity: t for name, t in tensors.items() if name.rsplit(".", 1)[-1] not in _BUFFER_NAMES}
    trained = {i for network, _, target, _, ids in placed if not target for i in ids}
    totals = Totals(
        params=sum(_numel(t.shape) for t in parameters.values()),
        trainable_params=sum(_numel(t.shape) for i, t in parameters.items() if i in trained),
        frozen_params=0,
        target_params=sum(_numel(t.shape) for i, t in parameters.items() if i not in trained),
        bytes=sum(_numel(t.shape) * t.element_size for t in parameters.values()),
        dtypes=tuple(sorted({t.dtype for t in parameters.values()})) or ("float32",),
    )
    notes = (
        f"not rebuilt: {reason}",
        "reported from the saved state dict alone: layer types and sizes are read from parameter names and shapes; "
        "activations and layers without parameters are not visible, and every non-target parameter counts as trainable",
    )
    observation, action = _spaces_or_empty(saved)
    return PolicyReport(
        algo=algo,
        policy_class=saved.policy_name or "unknown policy class",
        observation_space=observation,
        action_space=action,
        networks=tuple(networks),
        totals=totals,
        net_arch=_readable_net_arch(saved),
        notes=notes,
        source=str(saved.path),
        extra=_extra(saved, rebuilt=False, check={"status": "not_rebuilt", "tensors": len(tensors), "reason": reason}),
    )


def _modules(tensors: Mapping[str, SavedTensor]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Module path -> its own entries (``{"weight": (64, 4), "bias": (64,)}``); a bare parameter: ``{"": shape}``."""
    modules: dict[str, dict[str, tuple[int, ...]]] = {}
    for name, tensor in tensors.items():
        path, _, entry = name.rpartition(".")
        if path:
            modules.setdefault(path, {})[entry] = tensor.shape
        else:
            modules[name] = {"": tensor.shape}
    return modules


def _entry(path: str, entry: str) -> str:
    return f"{path}.{entry}" if entry else path


def _networks_of(path: str, actor_critic: bool) -> list[tuple[str, str, bool]]:
    probe = path + "."
    for prefix, network, role, target in _NETWORK_PREFIXES:
        if probe.startswith(prefix) or path == prefix:
            return [(network, role, target)]
    if actor_critic and probe.startswith("critic."):
        return [("vf", "value", False)]  # RecurrentPPO's critic head without a critic LSTM
    if actor_critic and probe.startswith("features_extractor."):
        return [("pi", "policy", False), ("vf", "value", False)]
    if probe.startswith("critic."):
        return [("critic", "critic", False)]
    return [("other", "other", False)]


def _layer(path: str, entries: dict[str, tuple[int, ...]], *, shared: bool) -> Layer:
    if list(entries) == [""]:  # a bare parameter such as log_std
        shape = entries[""]
        return Layer(path=path, type="Parameter", params=_numel(shape), shared=shared, part="head", shape=shape)
    counted = {name: shape for name, shape in entries.items() if name not in _BUFFER_NAMES}
    facts: dict[str, Any] = {}
    kind = "Module"
    weight = entries.get("weight")
    if "weight_ih_l0" in entries and "weight_hh_l0" in entries:
        kind = "LSTM" if entries["weight_ih_l0"][0] == 4 * entries["weight_hh_l0"][1] else "RNN"
        facts = {
            "input_size": entries["weight_ih_l0"][1],
            "hidden_size": entries["weight_hh_l0"][1],
            "num_layers": sum(1 for name in entries if re.fullmatch(r"weight_ih_l\d+", name)),
            "bias": "bias_ih_l0" in entries,
        }
    elif weight is not None and len(weight) == 2:
        kind = "Linear"
        facts = {"in_features": weight[1], "out_features": weight[0], "bias": "bias" in entries}
    elif weight is not None and len(weight) >= 3:
        kind = f"Conv{len(weight) - 2}d"
        facts = {"in_channels": weight[1], "out_channels": weight[0], "kernel_size": tuple(weight[2:]), "bias": "bias" in entries}
    elif "running_mean" in entries:
        kind = "BatchNorm"
    return Layer(
        path=path,
        type=kind,
        params=sum(_numel(shape) for shape in counted.values()),
        shared=shared,
        part=_part(path, kind),
        param_shapes=tuple(counted.items()),
        **facts,
    )


def _part(path: str, kind: str) -> str:
    if "features_extractor" in path:
        return "features_extractor"
    if kind in ("LSTM", "RNN"):
        return "lstm"
    return "body" if path.rsplit(".", 1)[-1].isdigit() else "head"


def _network(name: str, role: str, target: bool, rows: list[Layer]) -> Network:
    rows = [replace(row, trainable=not target) if row.params else row for row in rows]
    params = sum(row.params for row in rows)
    return Network(
        name=name,
        role=role,
        params=params,
        trainable_params=0 if target else params,
        target=target,
        hidden_sizes=_hidden_sizes(rows),
        layers=tuple(rows),
    )


def _hidden_sizes(rows: list[Layer]) -> list[int]:
    """Widths of the first MLP: all its Linear layers when a head follows, else all but its last.

    A head is a Linear or bare parameter that is an attribute of its own (``action_net``, ``mu``,
    ``log_std``), or a container holding one Linear (gSDE's ``mu.0``).
    """
    containers: dict[str, list[Layer]] = {}
    for row in rows:
        if row.part in ("body", "head") and row.type in ("Linear", "Parameter"):
            parent = row.path.rsplit(".", 1)[0] if row.part == "body" else row.path
            containers.setdefault(parent, []).append(row)
    bodies = [name for name, members in containers.items() if members[0].part == "body"]
    if not bodies:
        return []
    widths = [row.out_features or 0 for row in containers[bodies[0]] if row.type == "Linear"]
    has_head = any(name != bodies[0] and (members[0].part == "head" or len(members) == 1)
                   for name, members in containers.items())
    return widths if has_head else widths[:-1]


def _numel(shape: tuple[int, ...]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


def _spaces_or_empty(saved: SavedModel) -> tuple[dict[str, Any], dict[str, Any]]:
    out = []
    for key in ("observation_space", "action_space"):
        try:
            out.append(space_of(saved.data.get(key), key))
        except SourceError:
            out.append({})
    return out[0], out[1]


def _readable_net_arch(saved: SavedModel) -> Any:
    kwargs = saved.data.get("policy_kwargs")
    return kwargs.get("net_arch") if isinstance(kwargs, dict) else None
