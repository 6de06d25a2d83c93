"""Repeat runs answered from disk: a content-addressed cache of JSON results (never pickles).

A key is the SHA-256 of everything that shapes a result: what kind of result it is, the bytes of
the files it was read from, the options given (plain data, type-tagged so ``[1]`` and ``(1,)``
differ), and the environment: the installed versions of sb3inspect, stable-baselines3,
sb3-contrib, torch and gymnasium (read from their package metadata, nothing imported), the
Python version, and a fingerprint of sb3inspect's own code (names, sizes and times of its
modules, so a development checkout invalidates as it is edited). Computing a key and reading an
entry import nothing heavy: a hit costs milliseconds, not torch's import.

Entries are files ``<folder>/v1/<key>.json``. The folder is the platform's cache folder
(``~/.cache/sb3inspect`` on Linux), or ``SB3INSPECT_CACHE_DIR``; ``SB3INSPECT_NO_CACHE=1`` (or a
command's ``--no-cache``) turns the cache off. An entry is written to a temporary file and renamed
into place, so a concurrent reader sees a whole entry or none. The folder is bounded: past
``MAX_ENTRIES`` entries or ``MAX_BYTES`` bytes, the least recently used are deleted (a hit
refreshes an entry's time). Listing the folder costs a scan of every entry, so one write in
``EVICT_EVERY`` does it (chosen by the key's digest): the bounds hold within a few entries.

An entry is as untrusted as any file: it is read bounded (a regular file, at most
``MAX_ENTRY_BYTES``, numbers of bounded length) and must name its own key; the caller then
checks the value's shape (``PolicyReport.from_dict``) and treats any failure as a miss, which
rewrites the entry. This module never raises for the cache's sake: an unwritable folder only
means nothing is cached.

Any command can use it the same way (``pipeline.inspect_path`` does, and ``pipeline.scan_safety`` for
``scan``'s verdicts, keyed on the file's bytes alike)::

    key = cache.key("scan", {"path": str(path)}, files=[path])  # None: cannot be cached
    found = cache.load(key, decode) if key else None                # decode refuses: a miss
    if found is None:
        found = compute(path)
        cache.store(key, found, decode, encode)                     # only if it reads back equal
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sb3inspect.catalog import installed_version
from sb3inspect.errors import Sb3InspectError

FOLDER_ENV = "SB3INSPECT_CACHE_DIR"
"""Environment variable: the cache folder to use instead of the platform's."""
OFF_ENV = "SB3INSPECT_NO_CACHE"
"""Environment variable: any value but empty, ``0``, ``false`` or ``no`` turns the cache off."""

FORMAT = 1
"""Layout of an entry; a new one starts a new subfolder (``v2``) and leaves the old to eviction."""
KEYED_PACKAGES = ("sb3inspect", "stable-baselines3", "sb3-contrib", "torch", "gymnasium")
"""Distributions whose installed version is part of every key."""

MAX_ENTRY_BYTES = 16 * 2**20
"""An entry larger than this is neither written nor read."""
MAX_BYTES = 256 * 2**20
"""Total size of the entries kept."""
MAX_ENTRIES = 4096
"""Number of entries kept."""
MAX_HASHED_BYTES = 2**31
"""A source file larger than this (a 2 GiB saved model) is not cached: hashing it would cost seconds."""
MAX_NUMBER_DIGITS = 40
"""Digits of a number in an entry; a longer one makes the entry unreadable."""
EVICT_EVERY = 16
"""One write in this many lists the folder and deletes what is past the bounds."""
STALE_TEMP_SECONDS = 3600
"""A temporary file this old belongs to a writer that died; eviction removes it."""


def default_folder() -> Path:
    """The platform's cache folder for sb3inspect: XDG on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "sb3inspect" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "sb3inspect"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base_dir = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base_dir / "sb3inspect"


def open_cache(*, disabled: bool = False) -> ReportCache | None:
    """The cache the environment asks for (``SB3INSPECT_CACHE_DIR``), or None when it is off."""
    if disabled or os.environ.get(OFF_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        return None
    folder = os.environ.get(FOLDER_ENV, "").strip()
    return ReportCache(Path(folder).expanduser() if folder else default_folder())


@dataclass(frozen=True)
class Key:
    """A cache key, and the source files it was computed from (to tell whether they changed since)."""

    digest: str
    kind: str
    files: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """``(path, stat signature)`` of each file hashed into the key."""

    def still_valid(self) -> bool:
        """The files hashed into the key have not changed since (a result made from them may be stored)."""
        return all(_signature(path) == signature for path, signature in self.files)


class ReportCache:
    """Entries under ``folder``, keyed on content (see the module's docstring)."""

    def __init__(
        self,
        folder: Path,
        *,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        evict_every: int = EVICT_EVERY,
    ) -> None:
        self.folder = Path(folder)
        self.entries = self.folder / f"v{FORMAT}"
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.evict_every = evict_every

    def key(self, kind: str, options: Mapping[str, Any], *, files: Sequence[Path] = ()) -> Key | None:
        """The key of a ``kind`` of result made from ``files`` with ``options``; None when it cannot be cached.

        It cannot when an option is not plain data (a class, an object) or a file is not a regular
        file of at most ``MAX_HASHED_BYTES`` that can be read.
        """
        try:
            encoded_options = _canonical(dict(options))
        except TypeError:
            return None
        hashed = []
        watched = []
        for path in files:
            found = _file_digest(Path(path))
            if found is None:
                return None
            hashed.append(found[0])
            watched.append((str(path), found[1]))
        material = {"kind": kind, "options": encoded_options, "files": hashed, "environment": environment()}
        text = json.dumps(material, sort_keys=True, separators=(",", ":"))
        return Key(hashlib.sha256(text.encode()).hexdigest(), kind, tuple(watched))

    def path(self, key: Key) -> Path:
        return self.entries / f"{key.digest}.json"

    def get(self, key: Key) -> Any:
        """The value stored under ``key``, or None (a miss, or an entry that cannot be read as one)."""
        path = self.path(key)
        data = _read_bounded(path)
        if data is None:
            return None
        try:
            entry = json.loads(data.decode("utf-8"), parse_int=_bounded_int)
        except (ValueError, RecursionError, MemoryError):  # UnicodeDecodeError is a ValueError
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key.digest:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first
        return entry.get("value")

    def put(self, key: Key, value: Any) -> None:
        """Store ``value`` (plain JSON data) under ``key``, atomically; nothing when the source changed or on any OS error."""
        self._write(key, json.dumps(value))

    def _write(self, key: Key, value: str) -> None:
        """``put`` of a value already encoded as JSON text."""
        if not key.still_valid():
            return
        head = json.dumps({"format": FORMAT, "key": key.digest, "kind": key.kind})
        text = f'{head[:-1]}, "value": {value}}}'
        if len(text) > MAX_ENTRY_BYTES:
            return
        import tempfile

        temp = None
        try:
            self.entries.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.entries)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, self.path(key))
            temp = None
            if int(key.digest[-4:], 16) % self.evict_every == 0:
                self.evict()
        except OSError:
            pass
        finally:
            if temp is not None:
                _unlink(Path(temp))

    def load(self, key: Key, decode: Callable[[Any], Any]) -> Any:
        """``decode(value)`` of the entry under ``key`` (a ``from_dict``), or None: a miss, or an entry it refuses."""
        value = self.get(key)
        if value is None:
            return None
        try:
            return decode(value)
        except Sb3InspectError:
            return None

    def store(self, key: Key, result: Any, decode: Callable[[Any], Any], encode: Callable[[Any], Any]) -> None:
        """Store ``encode(result)`` only if it reads back as ``result`` exactly, so a hit answers as this run did."""
        text = json.dumps(encode(result))
        try:
            same = bool(decode(json.loads(text)) == result)
        except Sb3InspectError:
            same = False
        if same:
            self._write(key, text)

    def evict(self) -> None:
        """Delete the least recently used entries past the bounds, and temporary files of writers that died."""
        now = time.time()
        kept: list[tuple[float, str, int]] = []
        with os.scandir(self.entries) as found:
            for item in found:
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if item.name.startswith(".tmp-"):
                    if now - info.st_mtime > STALE_TEMP_SECONDS:
                        _unlink(Path(item.path))
                elif item.name.endswith(".json"):
                    kept.append((info.st_mtime, item.path, info.st_size))
        total = sum(size for _, _, size in kept)
        if len(kept) <= self.max_entries and total <= self.max_bytes:
            return
        kept.sort()
        for count, (_, name, size) in enumerate(kept):
            if len(kept) - count <= self.max_entries and total <= self.max_bytes:
                break
            _unlink(Path(name))
            total -= size


# --- keys ------------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """``value`` as type-tagged JSON data (a list and a tuple differ, so do 1 and 1.0); TypeError if not plain."""
    if value is None or isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, (list, tuple)):
        return ["l" if isinstance(value, list) else "t", [_canonical(item) for item in value]]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return ["d", [[key, _canonical(item)] for key, item in sorted(value.items())]]
    raise TypeError(f"not plain data: {type(value).__name__}")


@cache
def environment() -> dict[str, Any]:
    """What every key shares: the versions of the packages that shape a report, and sb3inspect's own code."""
    return {
        "python": list(sys.version_info[:2]),
        "packages": {name: installed_version(name) for name in KEYED_PACKAGES},
        "code": _code_fingerprint(),
    }


def _code_fingerprint() -> str:
    """Names, sizes and modification times of sb3inspect's modules: an edit, a reinstall or a checkout changes it."""
    root = str(Path(__file__).resolve().parent)
    rows = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json")):
                path = os.path.join(folder, name)
                info = os.stat(path)
                rows.append(f"{path[len(root) :]}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _signature(path: str | Path) -> tuple[int, ...]:
    try:
        info = os.stat(path)
    except OSError:
        return ()
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _file_digest(path: Path) -> tuple[str, tuple[int, ...]] | None:
    """SHA-256 of a regular file's bytes and its stat signature, or None (not a regular file, too large, unreadable).

    Only a regular file is opened: a FIFO or a device would block or never end.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(2**20), b""):
                digest.update(block)
    except OSError:
        return None
    signature = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    return digest.hexdigest(), signature


# --- reading entries -------------------------------------------------------------------------------


def _read_bounded(path: Path) -> bytes | None:
    """The bytes of a regular file of at most ``MAX_ENTRY_BYTES``; None for anything else (symlink, FIFO, device)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        chunks, size = [], 0
        while size <= MAX_ENTRY_BYTES:
            chunk = os.read(handle, min(2**20, MAX_ENTRY_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)
    return b"".join(chunks) if size <= MAX_ENTRY_BYTES else None


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError("number too long for a cache entry")
    return int(text)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
