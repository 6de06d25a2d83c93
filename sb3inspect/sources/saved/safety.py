"""Is it safe to ``PPO.load`` this? A verdict on every pickle a saved model carries, without running one.

What SB3 (and rl-zoo3) unpickle, and where it is read here:

- ``data``: every ``:serialized:`` value is base64 of a cloudpickle that ``json_to_data`` unpickles,
  under any key, known or not. Each is decoded as SB3 decodes it (leniently: junk characters dropped,
  a lone ``=`` skipped, decoding stopped at the first padded group) and as a stricter or more eager
  decoder would (the text after that padding, the characters without any ``=``), so padding tricks
  hide nothing. Duplicate keys and duplicate ``data`` members are all read (SB3 takes the last).
  Nested ``:serialized:`` values, which SB3 never unpickles, are read too.
- every ``*.pth`` member (``policy.pth``, ``policy.optimizer.pth``, ``pytorch_variables.pth``, any other:
  SB3 loads them all, and before SB3 2.3 / torch 2.6 with a full unpickler): a torch file, zip or
  legacy format, whose pickles may only rebuild tensors. Any other member that holds a pickle is read too.
- outside a zip: ``vecnormalize.pkl`` and replay buffers (``pickle.load``), a file from ``policy.save()``
  (``torch.load(weights_only=False)``), an rl-zoo3 run folder's ``config.yml`` / ``args.yml``
  (``yaml.UnsafeLoader``; ``normalize`` is ``eval``ed).

Every pickle goes through ``pickles.read_pickle``, a symbolic machine held to an allow-list
(``catalog.PICKLE_ALLOWED``): a name outside it, a call of something built while loading, a function
whose code reaches past arithmetic, is a finding. Nothing here imports torch.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import os
import re
import struct
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sb3inspect import catalog
from sb3inspect.errors import Sb3InspectError, SourceError, one_line, printable
from sb3inspect.sources.saved.pickles import (
    Allowed,
    Budget,
    PickleRead,
    TensorEntry,
    data_allowed,
    optimizer_groups,
    policy_file_allowed,
    read_pickle,
    tensor_entries,
    torch_allowed,
)
from sb3inspect.sources.saved.zipread import (
    DATA,
    MAX_DATA_BYTES,
    MAX_DATA_VALUES,
    MAX_SYSTEM_INFO_BYTES,
    SYSTEM_INFO,
    json_values,
    member_stream,
    open_model_zip,
    parse_system_info,
    zip_directory,
)
from sb3inspect.sources.wrappers import known_class

MAX_NESTED = 4
"""Pickles inside pickles (torch bytes, a nested ``loads``) are read this deep."""
MAX_TORCH_MEMBERS = 100_000
"""Members of the zip inside a ``.pth`` (torch writes one per storage, plus a few), or of a model zip read for
its verdict (SB3 writes a handful; a verdict must not stop at a limit an attacker can pass)."""
MAX_DIRECTORY_BYTES = 64 << 20
"""A model zip's central directory, read whole by ``zipfile`` (as SB3 reads it)."""
MAX_PICKLE_MEMBER_BYTES = 64 << 20
"""A ``*.pkl`` record inside a torch zip (``data.pkl`` of a policy is a few kilobytes)."""
MAX_DEFLATED_TORCH_BYTES = 256 << 20
"""A compressed ``.pth`` member is decompressed into memory to be read (SB3 stores them uncompressed); past
this size it is not read."""
MAX_YAML_BYTES = 1 << 20
SCAN_SUFFIXES = (".zip", ".pkl", ".pth")
"""What ``sb3inspect scan`` looks for inside a folder (besides rl-zoo3's ``config.yml`` / ``args.yml``)."""
ZOO_YAML_NAMES = ("config.yml", "args.yml")


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    """One thing a file would do on load that legitimate saves never do, or a pickle that cannot be read."""

    where: str
    """The pickle's place in the file: ``data.lr_schedule``, ``policy.pth``, ``vecnormalize.pkl``."""
    what: str
    """What it would do, in words: ``calls posix.system``."""
    unsafe: bool = True
    """False: the pickle could not be read, so nothing can be said of it (verdict ``unknown``)."""

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "what": self.what, "kind": "unsafe" if self.unsafe else "unknown"}


@dataclass(frozen=True)
class Safety:
    """The verdict on every pickle of one file."""

    findings: tuple[SafetyFinding, ...] = ()
    tensors: dict[str, int] = field(default_factory=dict)
    """Torch member -> its tensor entries, counted from its pickle."""
    state_dicts: dict[str, dict[str, TensorEntry]] = field(default_factory=dict)
    """Torch member -> its entries' shapes, dtypes and storages, read from its pickle (a state dict's only)."""
    optimizers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Torch member -> the options of its param_groups, read from its pickle (an optimizer's state dict only)."""

    @property
    def verdict(self) -> str:
        """``unsafe`` if anything would run code, else ``unknown`` if a pickle could not be read, else ``safe``."""
        if any(f.unsafe for f in self.findings):
            return "unsafe"
        return "unknown" if self.findings else "safe"

    def about(self, where: str) -> list[SafetyFinding]:
        """The findings about one member (``policy.pth``)."""
        return [f for f in self.findings if f.where == where or f.where.startswith(f"{where} ")]

    def to_dict(self) -> dict[str, Any]:
        """The report's ``saved_model.safety``."""
        return {"verdict": self.verdict, "findings": [f.to_dict() for f in self.findings]}


class _Findings:
    """Findings gathered while reading one file, in order, without repeats."""

    def __init__(self) -> None:
        self.items: list[SafetyFinding] = []
        self.tensors: dict[str, int] = {}
        self.state_dicts: dict[str, dict[str, TensorEntry]] = {}
        self.optimizers: dict[str, list[dict[str, Any]]] = {}
        self.budget = Budget()
        self.seen: set[SafetyFinding] = set()
        self.saved_python: str | None = None
        """The Python (``3.12``) that saved the file, where its ``system_info.txt`` names another than this one."""

    def add(self, where: str, what: str, *, unsafe: bool = True) -> None:
        finding = SafetyFinding(printable(where, 200), printable(what, 400), unsafe)
        if finding not in self.seen:
            self.seen.add(finding)
            self.items.append(finding)

    def pickle(self, where: str, read: PickleRead) -> None:
        """A pickle's findings, those of the pickles it hands to a loader included."""
        self._read(where, read)
        if read.unreadable and not read.findings:
            self.add(where, f"cannot be read as a pickle: {read.unreadable}", unsafe=False)
        self._nested(where, read, depth=1)

    def _nested(self, where: str, read: PickleRead, depth: int) -> None:
        for nested in read.nested:
            if depth > MAX_NESTED:
                self.add(where, f"nests pickles more than {MAX_NESTED} deep")
                return
            label = f"{where} ({nested.label})"
            reads = (
                torch_reads(io.BytesIO(nested.raw), torch_allowed(), self.budget)[0]
                if nested.torch_file
                else [read_pickle(nested.raw, data_allowed(), self.budget)]
            )
            for inner in reads:
                self._read(label, inner)
                if inner.unreadable and not inner.findings:
                    self.add(label, f"cannot be read: {inner.unreadable}")  # what a loader is handed must be read
                self._nested(label, inner, depth + 1)

    def _read(self, where: str, read: PickleRead) -> None:
        """One pickle's own findings; what its functions' bytecode does is unknown if another Python saved it."""
        for what in read.findings:
            qualname = read.bytecode.get(what)
            if qualname is None or self.saved_python is None:
                self.add(where, what)
            else:
                self.add(where, _foreign_bytecode(qualname, self.saved_python), unsafe=False)

    def safety(self) -> Safety:
        return Safety(tuple(self.items), dict(self.tensors), dict(self.state_dicts), dict(self.optimizers))


def _foreign_bytecode(qualname: str, saved: str) -> str:
    here = "{}.{}".format(*sys.version_info[:2])
    return (
        f"defines a function {qualname} saved by Python {saved} (system_info.txt): this Python ({here}) reads its "
        "bytecode as other instructions, so PPO.load here would run it misread (a wrong value or a crash); scan it "
        f"under Python {saved}, or load it with custom_objects giving this key a value (SB3 then leaves it unpickled)"
    )


def _saved_python(archive: zipfile.ZipFile) -> str | None:
    """``3.12`` where the zip's ``system_info.txt`` says another Python than this one saved it; None otherwise."""
    try:
        with archive.open(SYSTEM_INFO) as handle:
            text = handle.read(MAX_SYSTEM_INFO_BYTES).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    found = re.match(r"(\d+)\.(\d+)\b", parse_system_info(text).get("python", ""))
    if found is None or (int(found[1]), int(found[2])) == sys.version_info[:2]:
        return None
    return f"{int(found[1])}.{int(found[2])}"


# --- saved zips -----------------------------------------------------------------------------------------


def zip_safety(path: Path) -> Safety:
    """The verdict on a model zip (``model.save()``): ``data``'s pickles, every torch member, any other pickle.

    The zip is read as SB3's ``load_from_zip_file`` reads it: Python's ``zipfile``, whatever comes before or
    after it, every member. One that ``zipfile`` cannot open, or whose directory is past MAX_TORCH_MEMBERS /
    MAX_DIRECTORY_BYTES, is a ``SourceError``.
    """
    found = _Findings()
    with _open_as_loaded(path) as archive:
        found.saved_python = _saved_python(archive)
        infos = archive.infolist()
        data = [info for info in infos if info.filename == DATA]
        for index, info in enumerate(data):
            label = DATA if index == len(data) - 1 else f"{DATA} (member {index + 1} of {len(data)} named data)"
            _data_member(archive, info, label, found)
        names = [info.filename for info in infos]
        for index, info in enumerate(infos):
            if info.filename == DATA or info.is_dir():
                continue
            label = info.filename
            if names.count(info.filename) > 1:
                label += f" (member {names[: index + 1].count(info.filename)} of {names.count(info.filename)})"
            if os.path.splitext(info.filename)[1] == ".pth":  # as SB3's load_from_zip_file picks them
                _torch_member(path, archive, info, label, found)
            else:
                _other_member(path, archive, info, label, found)
    return found.safety()


def _open_as_loaded(path: Path) -> zipfile.ZipFile:
    """The zip as SB3 opens it (``zipfile.ZipFile``), once its directory is within bounds."""
    try:
        with _open_regular(path) as handle:
            entries, directory_size = zip_directory(handle, strict=False)
        if entries <= MAX_TORCH_MEMBERS and directory_size <= MAX_DIRECTORY_BYTES:
            return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, OSError):
        pass
    open_model_zip(path).close()  # says why, as inspect says it
    raise SourceError(str(path), f"its directory is larger than sb3inspect reads ({MAX_TORCH_MEMBERS:,} members)")


def _data_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, found: _Findings) -> None:
    try:
        with archive.open(info) as handle:
            raw = handle.read(MAX_DATA_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        found.add(label, f"cannot be read: {one_line(exc, 200)}", unsafe=False)
        return
    if len(raw) > MAX_DATA_BYTES:
        found.add(label, f"is larger than {MAX_DATA_BYTES:,} bytes, far more than SB3 writes: {_UNREAD}")
        return
    data_findings(raw, label, found)


def data_findings(raw: bytes, label: str, found: _Findings) -> None:
    """Every ``:serialized:`` pickle of a ``data`` JSON text, each duplicate key included."""
    if json_values(raw) > MAX_DATA_VALUES:
        found.add(label, f"holds more than {MAX_DATA_VALUES:,} JSON values, far more than SB3 writes: {_UNREAD}")
        return
    try:
        tree = json.loads(
            raw,
            object_pairs_hook=_Pairs,
            parse_int=lambda _: 0,
            parse_float=lambda _: 0.0,
            parse_constant=lambda _: 0.0,
        )
    except RecursionError:  # SB3 parses it nearer the top of its stack: it may well load what nests this deep here
        found.add(label, f"nests deeper than sb3inspect can parse: {_UNREAD}")
        return
    except ValueError as exc:
        found.add(label, f"is not JSON, so SB3 cannot load it ({one_line(exc, 120)})", unsafe=False)
        return
    if not isinstance(tree, _Pairs):
        return
    for key, value in tree:
        if key == catalog.DATA_ENV_KEY and isinstance(value, str):
            found.add(
                f"{label}.{key}",
                f"is an environment id ({value!r}) SB3's load makes with gym.make, which imports the module an id"
                " 'module:Env' names; SB3 never saves env",
            )
    for where, text in _serialized(tree, label):
        _serialized_pickle(text, where, found)


_UNREAD = "it was not read, and a payload may hide in what was not read"
"""Why input past a budget no legitimate save comes near is unsafe, not unknown: padding is the attacker's way
past a reader that stops."""


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, duplicates kept."""


def _serialized(tree: _Pairs, label: str) -> Iterator[tuple[str, Any]]:
    """(where, text) of every ``:serialized:`` value, at any depth (SB3 unpickles the top level's)."""
    counts: dict[str, int] = {}
    for key, _ in tree:
        counts[key] = counts.get(key, 0) + 1
    seen: dict[str, int] = {}
    stack: list[tuple[str, Any]] = []
    for key, value in tree:
        seen[key] = seen.get(key, 0) + 1
        where = f"{label}.{key}"
        if counts[key] > 1 and seen[key] < counts[key]:
            where += f" (key {seen[key]} of {counts[key]} named {key!r}; SB3 reads the last)"
        if key == ":serialized:":
            yield label, value
        else:
            stack.append((where, value))
    while stack:
        where, value = stack.pop()
        if isinstance(value, _Pairs):
            yield from _serialized(value, where)
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))


_BASE64_ONLY = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")


def serialized_variants(text: str) -> list[bytes]:
    """The bytes a ``:serialized:`` text may stand for: SB3's decoding first, then the others'.

    SB3 calls ``base64.b64decode(text.encode())``: characters outside the alphabet are dropped, a lone
    ``=`` between groups is skipped, decoding stops at the first padded group. A payload may hide after
    that padding (for a decoder that goes on) or behind padding SB3 skips, so the text after each run
    of ``=`` and the text without any ``=`` are decoded as well.
    """
    raw = text.encode("utf-8", "surrogatepass")
    variants: list[bytes] = []
    with contextlib.suppress(binascii.Error, ValueError):
        variants.append(base64.b64decode(raw))
    if _BASE64_ONLY.fullmatch(raw) and variants:
        return variants
    alphabet = _NOT_BASE64.sub(b"", raw)
    for chunk in [alphabet.replace(b"=", b""), *re.split(rb"=+", alphabet)]:
        chunk = chunk[: len(chunk) - len(chunk) % 4] if len(chunk) % 4 == 1 else chunk
        decoded = base64.b64decode(chunk + b"=" * (-len(chunk) % 4)) if chunk else b""
        if decoded and decoded not in variants:
            variants.append(decoded)
    return variants


def _serialized_pickle(text: Any, where: str, found: _Findings) -> None:
    if isinstance(text, list):  # SB3's .encode() fails on it and unpickles nothing; another reader might
        for item in text:
            _serialized_pickle(item, where, found)
        return
    if not isinstance(text, str):
        return
    variants = serialized_variants(text)
    # an algorithm class may only be named where SB3 1.x's HER kept it (model_class): anywhere else SB3 calls
    # what it finds (policy_kwargs' classes), and an algorithm class makes an env from a string id
    allowed = data_allowed(references=where.split(" ")[0].rsplit(".", 1)[-1] == "model_class")
    reads = [read_pickle(variant, allowed, found.budget) for variant in variants]
    if not reads:
        found.add(where, "its :serialized: value is not base64, so nothing can be said of it", unsafe=False)
        return
    unpickled = None  # what SB3 unpickles: never skipped
    with contextlib.suppress(binascii.Error, ValueError):
        unpickled = base64.b64decode(text.encode("utf-8", "surrogatepass"))
    readable = any(read.unreadable is None for read in reads)
    for variant, read in zip(variants, reads, strict=True):
        if read.exhausted:
            found.add(
                where,
                f"the file's pickles hold more than {Budget().opcodes:,} opcodes, far more than SB3 writes: {_UNREAD}",
            )
        if readable and read.unreadable and not read.findings and variant != unpickled:
            continue  # another decoding is the pickle; this one is its fragments
        found.pickle(where, read)


# --- torch files ----------------------------------------------------------------------------------------


def torch_reads(stream: BinaryIO, allowed: Allowed, budget: Budget) -> tuple[list[PickleRead], bool]:
    """The pickles of a torch file (the zip format's ``*.pkl`` records, or the legacy format's five
    pickles), and whether it is in the legacy format."""
    stream.seek(0)
    if stream.read(4) != b"PK\x03\x04":
        stream.seek(0)
        if _is_tar(stream):
            return [_tar_read(stream, allowed, budget)], True
        reads = []
        for _ in range(5):  # magic number, protocol, system info, the object, its storage keys
            read = read_pickle(stream, allowed, budget)
            reads.append(read)
            if read.unreadable:
                break
        return reads, True
    try:
        entries, _ = zip_directory(stream, strict=False)  # as torch's reader finds its directory
        if entries > MAX_TORCH_MEMBERS:
            return [PickleRead(unreadable=f"its zip has {entries:,} members, more than a torch file holds")], False
        stream.seek(0)
        reads = []
        with zipfile.ZipFile(stream) as inner:
            for info in inner.infolist():
                if not info.filename.endswith(".pkl"):
                    continue
                if info.file_size > MAX_PICKLE_MEMBER_BYTES:
                    reads.append(PickleRead(unreadable=f"{info.filename} is {info.file_size:,} bytes"))
                    continue
                reads.append(read_pickle(_torch_record(stream, info), allowed, budget))
        if not reads:
            reads.append(PickleRead(unreadable="its zip holds no data.pkl"))
        return reads, False
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        return [PickleRead(unreadable=f"not a readable torch file ({one_line(exc, 120)})")], False


def _torch_record(stream: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """A record of a torch zip as torch's own reader (miniz) reads it: from the central directory's entry, the local
    header's name and the CRC unchecked (Python's zipfile refuses a mismatch; torch loads the record all the same)."""
    stream.seek(info.header_offset)
    header = stream.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename} has no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_STORED:
        return stream.read(min(info.compress_size, MAX_PICKLE_MEMBER_BYTES + 1))
    if info.compress_type != zipfile.ZIP_DEFLATED:  # miniz reads these two only
        raise NotImplementedError(f"{info.filename} is compressed with method {info.compress_type}")
    inflate = zlib.decompressobj(-15)
    raw = inflate.decompress(
        stream.read(min(info.compress_size, MAX_DEFLATED_TORCH_BYTES)), MAX_PICKLE_MEMBER_BYTES + 1
    )
    return raw


def _is_tar(stream: BinaryIO) -> bool:
    """Whether torch's oldest loader (a tar of ``storages``, ``tensors``, ``pickle``) would read the file."""
    try:
        with tarfile.open(fileobj=stream, mode="r:") as tar:
            return next(iter(tar), None) is not None
    except (tarfile.TarError, OSError, EOFError, ValueError):
        return False
    finally:
        stream.seek(0)


def _tar_read(stream: BinaryIO, allowed: Allowed, budget: Budget) -> PickleRead:
    """A tar-format torch file (torch < 0.1.10): no SB3 release wrote one, and ``torch.load(weights_only=False)``
    unpickles its members, so it is unsafe; what its ``pickle`` member would do is said too."""
    read = PickleRead(findings=["is a torch file in the tar format, which no SB3 release wrote and torch unpickles"])
    with (
        contextlib.suppress(tarfile.TarError, OSError, EOFError, ValueError),
        tarfile.open(fileobj=stream, mode="r:") as tar,
    ):
        for info in tar:
            if info.name == "pickle" and info.isfile() and info.size <= MAX_PICKLE_MEMBER_BYTES:
                member = tar.extractfile(info)
                if member is not None:
                    read.findings += read_pickle(member.read(), allowed, budget).findings
    return read


def _torch_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, found: _Findings) -> None:
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_DEFLATED_TORCH_BYTES:
        found.add(label, f"is a compressed torch file of {info.file_size:,} bytes, not read", unsafe=False)
        return
    try:
        if info.compress_type == zipfile.ZIP_STORED:
            with member_stream(path, archive, info) as stream:
                reads, _ = torch_reads(stream, torch_allowed(), found.budget)
        else:  # zipfile seeks in a compressed member by decompressing again from its start: read it once
            with archive.open(info) as handle:
                reads, _ = torch_reads(io.BytesIO(handle.read()), torch_allowed(), found.budget)
    except (SourceError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        found.add(label, f"cannot be read: {one_line(exc, 200)}", unsafe=False)
        return
    found.tensors[info.filename] = found.tensors.get(info.filename, 0) + sum(read.tensors for read in reads)
    for read in reads:
        found.pickle(label, read)
        entries = tensor_entries(read.value)
        if entries is not None:
            found.state_dicts[info.filename] = entries
        groups = optimizer_groups(read.value)
        if groups is not None:
            found.optimizers[info.filename] = groups


def _other_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, found: _Findings) -> None:
    """A member SB3 does not unpickle: read if it holds a pickle or a torch file (another loader might)."""
    try:
        with archive.open(info) as handle:
            head = handle.read(2)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return
    if head == b"PK":
        _torch_member(path, archive, info, label, found)
    elif head[:1] == b"\x80" or info.filename.endswith((".pkl", ".pickle")):
        with member_stream(path, archive, info) as stream:
            found.pickle(label, read_pickle(stream, data_allowed(), found.budget))


# --- files outside a zip --------------------------------------------------------------------------------


def pickle_file_safety(path: Path) -> Safety:
    """A pickle file (``vecnormalize.pkl``, a replay buffer), or a torch file from ``policy.save()``."""
    found = _Findings()
    with _open_regular(path) as handle:
        head = handle.read(4)
        handle.seek(0)
        if head == b"PK\x03\x04" or path.suffix == ".pth":
            reads, _ = torch_reads(handle, policy_file_allowed(), found.budget)
            for read in reads:
                found.pickle(path.name, read)
        else:
            found.pickle(path.name, read_pickle(handle, data_allowed(), found.budget))
    return found.safety()


def _open_regular(path: Path) -> BinaryIO:
    if not path.exists():
        raise SourceError(str(path), "no such file")
    if not path.is_file():
        raise SourceError(str(path), "is not a regular file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from None


def yaml_safety(path: Path) -> Safety:
    """An rl-zoo3 run folder's ``config.yml`` / ``args.yml``: rl-zoo3 reads them with ``yaml.UnsafeLoader``.

    The nodes are composed (tags read, nothing constructed): a Python tag other than plain data and
    ``collections.OrderedDict`` runs code; a string rl-zoo3 ``eval``s must be a literal sb3inspect reads.
    """
    import yaml

    from sb3inspect.sources.config import check_yaml_nesting

    found = _Findings()
    with _open_regular(path) as handle:
        raw = handle.read(MAX_YAML_BYTES + 1)
    if len(raw) > MAX_YAML_BYTES:
        found.add(path.name, f"is larger than {MAX_YAML_BYTES:,} bytes and was not read", unsafe=False)
        return found.safety()
    try:
        text = raw.decode("utf-8-sig")
        check_yaml_nesting(text, str(path))
        documents = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (UnicodeDecodeError, yaml.YAMLError, SourceError, RecursionError) as exc:
        found.add(path.name, f"cannot be read as YAML: {one_line(exc, 200)}", unsafe=False)
        return found.safety()
    seen: set[int] = set()
    stack = [node for node in documents if node is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.tag not in catalog.YAML_SAFE_TAGS:
            found.add(path.name, f"has the YAML tag {node.tag!r}, which rl-zoo3's yaml.UnsafeLoader runs")
        if isinstance(node, yaml.MappingNode):
            pairs = node.value
            if node.tag.endswith(":collections.OrderedDict"):
                extra = [k.value for k, _ in pairs if getattr(k, "value", None) not in ("args", "listitems")]
                if extra:
                    found.add(path.name, f"builds an OrderedDict with {extra[0]!r}, which sets attributes")
            stack.extend(item for pair in pairs for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            pairs = [tuple(item.value) for item in node.value if isinstance(item, yaml.SequenceNode)]
            pairs = [pair for pair in pairs if len(pair) == 2]  # an OrderedDict's [key, value] items
        else:
            continue
        for key, value in pairs:
            if isinstance(key, yaml.ScalarNode):
                _zoo_value(path, key.value, value, found)
    return found.safety()


def _zoo_value(path: Path, key: str, value: Any, found: _Findings) -> None:
    """A config value rl-zoo3 acts on: class paths it imports and calls (only wrappers and callbacks sb3inspect
    knows), a string it ``eval``s (only a literal sb3inspect reads)."""
    import yaml

    from sb3inspect.sources.pyexpr import read_expression

    for name in _imported_names(value, yaml) if key in catalog.ZOO_IMPORTED_KEYS else ():
        if name is None or known_class(name, catalog.ZOO_IMPORTED_KEYS[key]) is None:
            found.add(
                f"{path.name}: {key}",
                f"names {'a class sb3inspect cannot read' if name is None else repr(name)}: rl-zoo3 imports its"
                " module and calls it, and it is none of the wrappers or callbacks sb3inspect knows",
            )
    if (
        key in catalog.ZOO_EVALUATED_KEYS
        and isinstance(value, yaml.ScalarNode)
        and value.tag == "tag:yaml.org,2002:str"
        and value.value not in catalog.ZOO_EVAL_NAMES
    ):
        try:
            read_expression(value.value, f"{path.name}: {key}")
        except Sb3InspectError as exc:
            found.add(f"{path.name}: {key}", f"rl-zoo3 evaluates this string: {one_line(exc.problem, 200)}")


def _imported_names(node: Any, yaml: Any) -> Iterator[str | None]:
    """The class paths of an ``env_wrapper`` / ``vec_env_wrapper`` / ``callback`` value: a name, or a list of names
    and ``{name: {keyword: value}}`` items (as rl-zoo3's ``get_wrapper_class`` reads them); None for one not plain."""
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if isinstance(item, yaml.MappingNode) and item.tag == "tag:yaml.org,2002:map":
            for key, _ in item.value:
                yield key.value if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:str" else None
        elif isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str":
            yield item.value
        else:
            yield None


# --- paths ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scanned:
    """``sb3inspect scan``'s answer for one file: its verdict, or why it could not be read."""

    path: Path
    safety: Safety | None
    error: str | None = None

    @property
    def verdict(self) -> str:
        return self.safety.verdict if self.safety is not None else "unreadable"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": str(self.path), "verdict": self.verdict}
        if self.safety is not None:
            out["findings"] = [f.to_dict() for f in self.safety.findings]
        if self.error is not None:
            out["error"] = self.error
        return out


def path_safety(path: Path) -> Safety:
    """The verdict on one file, told apart by its content: a zip, a YAML file, a pickle or torch file."""
    suffix = path.suffix.lower()
    with _open_regular(path) as handle:
        head = handle.read(4)
    if suffix in (".yml", ".yaml") and head != b"PK\x03\x04":  # PPO.load opens a zip whatever its name
        return yaml_safety(path)
    if suffix == ".zip" or (head == b"PK\x03\x04" and suffix != ".pth"):
        with _open_as_loaded(path) as archive:  # a .zip that zipfile cannot open is unreadable, said as inspect says it
            is_model = DATA in archive.namelist()
        if is_model:
            return zip_safety(path)
    return pickle_file_safety(path)


def scan_paths(paths: list[Path], *, verdict: Callable[[Path], Safety] | None = None) -> Iterator[Scanned]:
    """Each file a path names, a folder's ``*.zip``, ``*.pkl``, ``*.pth`` and rl-zoo3 YAML files recursively.

    ``verdict`` reads one file (default ``path_safety``; the CLI's answers from the report cache).
    """
    for path in paths:
        for file in _files(Path(path)):
            try:
                yield Scanned(file, (verdict or path_safety)(file))
            except SourceError as exc:
                yield Scanned(file, None, one_line(exc, 400))


def _files(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        yield path
        return
    for root, folders, files in os.walk(path):
        folders.sort()
        for name in sorted(files):
            if name.lower().endswith(SCAN_SUFFIXES) or name in ZOO_YAML_NAMES:
                yield Path(root) / name
