"""Bounded, static reading of a saved SB3 zip: its limits, its members, its version facts.

Nothing read here runs: ``data`` is JSON; the policy class is read from its ``:serialized:``
pickle with ``pickletools`` (the GLOBAL / STACK_GLOBAL opcodes), never unpickled. ``policy.pth`` is
never handed to ``torch.load``: its pickle is read symbolically (``pickles.tensor_entries``, while
``safety`` reads every pickle of the zip), which gives every entry's shape, dtype and storage in both
of torch's formats; a stored (uncompressed) member is read in place from the zip (``member_stream``).

Zip limits (member count, sizes, compression ratio) make a zip bomb or a non-zip a clean error.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sb3inspect import catalog
from sb3inspect.errors import SourceError
from sb3inspect.sources.config import bounded_int
from sb3inspect.sources.saved.pickles import class_reference

MAX_MEMBERS = 64
"""A model.save() zip has 5 to 8 members."""
MAX_CENTRAL_DIRECTORY_BYTES = 1 << 20
MAX_DATA_BYTES = 64 << 20
"""The JSON ``data`` member (pickled observations and episode buffers make it grow)."""
MAX_WEIGHTS_BYTES = 64 << 30
"""``policy.pth``: only its shapes are read, but a declared size past this is not a policy."""
MAX_SMALL_MEMBER_BYTES = 1 << 10
MAX_SYSTEM_INFO_BYTES = 8 << 10
"""``system_info.txt``: seven to nine short lines (the OS line is the longest)."""
MAX_COMPRESSION_RATIO = 100
"""Weights barely compress; a member that inflates more than this is treated as a zip bomb."""

DATA = "data"
WEIGHTS = "policy.pth"
VERSION = "_stable_baselines3_version"
SYSTEM_INFO = "system_info.txt"


@dataclass
class SavedModel:
    """The readable facts of a saved model, read without torch."""

    path: Path
    data: dict[str, Any]
    sb3_version: str | None
    """``_stable_baselines3_version`` (SB3 0.9 +): the release that saved the file."""
    policy_module: str | None
    policy_name: str | None
    problems: list[str] = field(default_factory=list)
    """Why a rebuild is impossible, if it is."""
    system_info: dict[str, str] = field(default_factory=dict)
    """``system_info.txt`` (SB3 1.3 +): ``{"python": "3.7.10", "pytorch": "1.10.0", "gym": "0.19.0", ...}``."""
    members: tuple[str, ...] = ()
    model_class: str | None = None
    """``module.Class`` of the algorithm SB3 <= 1.0's HER wrapped (its ``model_class`` field)."""

    @property
    def policy_path(self) -> str:
        return f"{self.policy_module}.{self.policy_name}" if self.policy_name else "an unreadable policy class"

    @property
    def policy_kwargs(self) -> dict[str, Any]:
        """``policy_kwargs`` as saved, its readable part: a class as its dotted name (``torch.nn...ReLU``)."""
        value = self.data.get("policy_kwargs")
        if not isinstance(value, dict):
            return {}
        return {
            key: item[len("<class '") : -len("'>")] if isinstance(item, str) and item.startswith("<class '") else item
            for key, item in value.items()
            if key not in (":type:", ":serialized:")
        }

    @property
    def release(self) -> tuple[int, ...] | None:
        """The saving release as numbers; None for a file without a version member (SB3 < 0.9)."""
        return catalog.release(self.sb3_version)

    def extra(self, *, rebuilt: bool, check: dict[str, Any]) -> dict[str, Any]:
        """The report's ``saved_model`` entry: where the model came from and how its weights were checked."""
        return {
            "saved_model": {
                "path": str(self.path),
                "sb3_version": self.sb3_version,
                "system_info": dict(self.system_info),
                "policy_class": f"{self.policy_module}.{self.policy_name}" if self.policy_name else None,
                "policy_kwargs": self.policy_kwargs,
                "rebuilt": rebuilt,
                "state_dict": check,
            }
        }


MAX_DATA_VALUES = 200_000
"""Objects, arrays and separators in ``data`` (SB3 writes a few hundred): more is refused before parsing, since
``json.loads`` of 60 MB of ``{},`` builds 20 million dicts (1.7 GB)."""


def json_values(raw: bytes) -> int:
    """An upper bound on the objects, arrays and values of a JSON text, counted without parsing it."""
    return raw.count(b"{") + raw.count(b"[") + raw.count(b",")


def read_saved(path: Path) -> SavedModel:
    """The zip's ``data`` JSON, policy class and version facts, with the limits checked first; imports no torch."""
    with open_model_zip(path) as archive:
        raw = read_member(archive, DATA, MAX_DATA_BYTES, path) or b""
        version = read_member(archive, VERSION, MAX_SMALL_MEMBER_BYTES, path, required=False)
        info = read_member(archive, SYSTEM_INFO, MAX_SYSTEM_INFO_BYTES, path, required=False)
        members = tuple(item.filename for item in archive.infolist())
    if json_values(raw) > MAX_DATA_VALUES:
        raise SourceError(
            str(path),
            f"its 'data' member holds more than {MAX_DATA_VALUES:,} JSON values; SB3 saves a few hundred",
        )
    try:
        data = json.loads(raw, parse_int=bounded_int(str(path), "its 'data' member"))
    except RecursionError:
        raise SourceError(
            str(path), "its 'data' member nests deeper than Python reads; SB3 does not save such data", code="too-deep"
        ) from None
    except ValueError:
        raise SourceError(
            str(path), "its 'data' member is not JSON; is this a model saved by SB3's model.save()?"
        ) from None
    if not isinstance(data, dict):
        raise SourceError(str(path), "its 'data' member is not a mapping of saved fields")
    module, name, problems = class_reference(data.get("policy_class"), "policy_class")
    model_class = None
    if "model_class" in data:  # HER <= 1.0 saved the algorithm it wrapped
        wrapped_module, wrapped, wrapped_problems = class_reference(data["model_class"], "model_class")
        model_class = f"{wrapped_module}.{wrapped}" if wrapped else None
        problems += wrapped_problems
    sb3_version = version.decode("utf-8", "replace").strip()[:40] if version else None
    system_info = parse_system_info(info.decode("utf-8", "replace")) if info else {}
    return SavedModel(path, data, sb3_version, module, name, problems, system_info, members, model_class)


_SYSTEM_INFO_KEYS = {"stable-baselines3": "stable_baselines3", "openai gym": "gym", "gpu enabled": "gpu_enabled"}


def parse_system_info(text: str) -> dict[str, str]:
    """``system_info.txt`` -> ``{"os": ..., "python": "3.7.10", "stable_baselines3": "1.3.1a2", "pytorch": ...}``.

    Lines are ``Key: value`` (SB3 1.3 - 1.6) or ``- Key: value`` (1.7 +); keys are lower-cased with
    underscores, and "OpenAI Gym" (2.x, when gym is installed) is ``gym`` like 1.x's "Gym".
    """
    out: dict[str, str] = {}
    for line in text.splitlines()[:32]:
        key, sep, value = line.strip().removeprefix("- ").partition(":")
        key = key.strip().lower()
        if sep and key and len(key) <= 32:
            out[_SYSTEM_INFO_KEYS.get(key, key.replace(" ", "_").replace("-", "_"))] = value.strip()[:200]
    return out


class _Truncated(zipfile.BadZipFile):
    """The file starts as a zip but its end is missing or does not fit its start."""


def open_model_zip(path: Path) -> zipfile.ZipFile:
    """The zip, once its directory is small and every member's size and compression ratio are sane."""
    path = Path(path)
    if not path.exists():
        raise SourceError(str(path), "no such file")
    if path.is_dir():
        raise SourceError(str(path), "is a directory, not a saved model")
    if not path.is_file():  # a FIFO would block, /dev/zero never ends
        raise SourceError(
            str(path), "is not a regular file (a pipe or a device?); a saved SB3 model is the zip model.save() writes"
        )
    try:
        _check_directory(path)
        archive = zipfile.ZipFile(path)
    except _Truncated as exc:
        raise SourceError(
            str(path),
            f"is a truncated or corrupt zip ({exc}); save the model again or copy it "
            "again (an interrupted download or save?)",
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        raise SourceError(str(path), "not a valid zip file; a saved SB3 model is the zip model.save() writes") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        for info in archive.infolist():
            _check_member(info, path)
    except SourceError:
        archive.close()
        raise
    return archive


_END = b"PK\x05\x06"
_END_SIZE = 22
_TAIL_BYTES = (1 << 16) + _END_SIZE
"""The end-of-central-directory record and its comment (at most 64 KiB) are in the file's last bytes."""


def _check_directory(path: Path) -> None:
    """Count the members from the end-of-directory record before zipfile reads every entry."""
    with open(path, "rb") as handle:
        entries, directory_size = zip_directory(handle)
    if entries > MAX_MEMBERS:
        raise SourceError(str(path), f"{entries:,} members is more than a saved SB3 model holds (limit {MAX_MEMBERS})")
    if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise SourceError(str(path), f"its directory of {directory_size:,} bytes is larger than a saved SB3 model's")


def zip_directory(handle: BinaryIO, *, strict: bool = True) -> tuple[int, int]:
    """A zip's member count and directory size, from its end-of-directory record (zip64 too).

    ``strict``: the record must end the file and its directory must end where the record (or the zip64
    record) starts: a truncated model zip otherwise shows the directory of ``policy.pth``, a
    zip inside it, whose members (``archive/data.pkl``, ...) would look like the model's. Not
    strict, the record is found as Python's ``zipfile`` finds it (bytes may follow it).
    Raises ``zipfile.BadZipFile`` for a file that is not a whole zip.
    """
    size = handle.seek(0, io.SEEK_END)
    start = max(0, size - _TAIL_BYTES)
    handle.seek(start)
    tail = handle.read(_TAIL_BYTES)
    head = tail[:4] if start == 0 else _read_at(handle, 0, 4)
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < _END_SIZE:
        if head == b"PK\x03\x04":
            raise _Truncated("it starts as a zip, but the directory that ends a zip is missing")
        raise zipfile.BadZipFile("no end of central directory")
    entries, directory_size, directory_at, comment = struct.unpack("<10xHLLH", tail[at : at + _END_SIZE])
    record_at = start + at
    if strict and record_at + _END_SIZE + comment != size:
        raise _Truncated(
            "the last end-of-directory record in it is not at its end: the file is cut short, or "
            "that record belongs to a zip inside it"
        )
    locator = tail[at - 20 : at] if at >= 20 else b""
    if locator[:4] == b"PK\x06\x07":  # zip64 (torch writes it always): its record sits between directory and end
        (record_at,) = struct.unpack("<8xQ", locator[:16])
        record = _read_at(handle, record_at, 56)
        if record[:4] != b"PK\x06\x06":
            raise _Truncated("its zip64 end record is missing")
        if entries == 0xFFFF or directory_size == 0xFFFFFFFF or directory_at == 0xFFFFFFFF:
            entries, directory_size, directory_at = struct.unpack("<32xQQQ", record[:56])
    elif entries == 0xFFFF or directory_size == 0xFFFFFFFF or directory_at == 0xFFFFFFFF:
        raise _Truncated("its zip64 locator is missing")
    return entries, directory_size


def _read_at(handle: BinaryIO, offset: int, count: int) -> bytes:
    handle.seek(offset)
    return handle.read(count)


def _check_member(info: zipfile.ZipInfo, path: Path) -> None:
    if info.flag_bits & 0x1:
        raise SourceError(str(path), f"member {info.filename!r} is encrypted")
    limit = {DATA: MAX_DATA_BYTES, VERSION: MAX_SMALL_MEMBER_BYTES, SYSTEM_INFO: MAX_SYSTEM_INFO_BYTES}.get(
        info.filename, MAX_WEIGHTS_BYTES
    )
    if info.file_size > limit:
        raise SourceError(str(path), f"member {info.filename!r} declares {info.file_size:,} bytes (limit {limit:,})")
    if info.file_size > (1 << 20) and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise SourceError(
            str(path),
            f"member {info.filename!r} inflates {info.file_size / max(info.compress_size, 1):,.0f}"
            f" times (limit {MAX_COMPRESSION_RATIO}); this looks like a zip bomb",
        )


def read_member(archive: zipfile.ZipFile, name: str, limit: int, path: Path, *, required: bool = True) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        if not required:
            return None
        names = [i.filename for i in archive.infolist()]
        if any(n.endswith(("/data.pkl", "/version", "/byteorder")) for n in names):
            raise SourceError(
                str(path),
                f"is a truncated or corrupt zip: it shows no {name!r} member but the members of a "
                f"torch file inside a model zip ({', '.join(names[:3])}, ...); save the model again or "
                "copy it again",
            ) from None
        raise SourceError(
            str(path),
            f"no {name!r} member, so not a model saved by SB3's model.save() "
            f"(it holds {', '.join(i.filename for i in archive.infolist()[:6]) or 'nothing'})",
        ) from None
    try:
        with archive.open(info) as handle:
            raw = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SourceError(str(path), f"member {name!r} cannot be read: {exc}") from None
    if len(raw) > limit:
        raise SourceError(str(path), f"member {name!r} is larger than its limit ({limit:,} bytes)")
    return raw


# --- members read in place -----------------------------------------------------------------------


def member_stream(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """A seekable reader of one member: a stored member in place in the file, else zipfile's stream."""
    if info.compress_type != zipfile.ZIP_STORED:
        return archive.open(info)
    handle = open(path, "rb")  # noqa: SIM115 - the _Window returned owns it and closes it
    handle.seek(info.header_offset)
    header = handle.read(30)
    if header[:4] != b"PK\x03\x04":
        handle.close()
        raise SourceError(str(path), f"member {info.filename!r} has no local header")
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
        if not count:
            return 0
        self._handle.seek(self._start + self._position)  # plain seek + read: os.pread does not exist on Windows
        chunk = self._handle.read(count)
        buffer[: len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)

    def close(self) -> None:
        self._handle.close()
        super().close()
