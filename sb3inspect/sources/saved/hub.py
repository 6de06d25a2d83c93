"""``hf://ORG/NAME[@REV][/FILE.zip]``: a saved model on the Hugging Face Hub, fetched through ``huggingface_hub``.

The SB3 community publishes models as ``ORG/NAME`` repositories holding ``NAME.zip`` (huggingface_sb3's
``package_to_hub``: ``hf://sb3/ppo-CartPole-v1`` is ``sb3/ppo-CartPole-v1``'s ``ppo-CartPole-v1.zip``);
another file is named after the repository (``hf://ORG/NAME/FILE.zip``). ``@REV`` picks a branch, tag or
commit instead of ``main``, as in huggingface_hub's own ``hf://`` paths (``HfFileSystem``: a ``/`` in it
written ``%2F``, ``hf://ORG/NAME@refs%2Fpr%2F1``). ``hf_hub_download`` does the
rest as everywhere else: its cache (``HF_HUB_CACHE`` / ``HF_HOME``), ``HF_HUB_OFFLINE``, the token of
``hf auth login`` or ``HF_TOKEN``. The file is then read like any saved zip: nothing in it runs.

``huggingface_hub`` is the optional extra ``sb3inspect[hub]``; it is imported only for an ``hf://``
source, and torch is not imported until the file is here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from sb3inspect.errors import MissingExtra, SourceError, one_line

PREFIX = "hf://"
MAX_DOWNLOAD_BYTES = 2 << 30
"""A model zip larger than this is not downloaded (the zip reader would refuse its members anyway)."""
_REPO = re.compile(r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}")
_FILE = re.compile(r"[\w.@+-]+(?:/[\w.@+-]+)*\.zip")
_REVISION = re.compile(r"[\w.-]{1,200}(?:/[\w.-]{1,200}){0,3}")


def is_hub(source: object) -> TypeGuard[str]:
    """A source written ``hf://...`` (a ``str``: a ``Path`` would have folded its two slashes)."""
    return isinstance(source, str) and source.startswith(PREFIX)


@dataclass(frozen=True)
class HubFile:
    """One file of a Hub model repository."""

    repo_id: str
    """``ORG/NAME``."""
    filename: str
    """The file's path in the repository (``NAME.zip`` unless the source names another)."""
    revision: str | None = None
    """The branch, tag or commit asked for (``@REV``); None: ``main``."""

    @property
    def url(self) -> str:
        at = f"@{self.revision.replace('/', '%2F')}" if self.revision else ""
        return f"{PREFIX}{self.repo_id}{at}/{self.filename}"


def parse(source: str) -> HubFile:
    """``hf://ORG/NAME`` -> ``ORG/NAME``'s ``NAME.zip``; ``hf://ORG/NAME/FILE.zip`` -> that file; either with
    ``@REV`` after ``NAME``: at that branch, tag or commit."""
    rest = source[len(PREFIX) :].strip("/")
    org, _, tail = rest.partition("/")
    name, _, filename = tail.partition("/")
    name, at, revision = name.partition("@")
    repo_id = f"{org}/{name}"
    filename = filename or f"{name}.zip"
    if not _REPO.fullmatch(repo_id) or ".." in repo_id:
        raise SourceError(
            source, "is not a Hub model: write hf://ORG/NAME or hf://ORG/NAME/FILE.zip", code="hub-source"
        )
    revision = revision.replace("%2F", "/").replace("%2f", "/")
    if at and (not _REVISION.fullmatch(revision) or ".." in revision.split("/")):
        raise SourceError(
            source,
            f"{revision!r} is not a revision",
            hint="write hf://ORG/NAME@REV with a branch, tag or commit (a / in it as %2F)",
            code="hub-source",
        )
    if not _FILE.fullmatch(filename) or ".." in filename.split("/"):
        raise SourceError(
            source,
            f"{filename!r} is not the path of a .zip in the repository",
            hint="write hf://ORG/NAME/FILE.zip, or hf://ORG/NAME for huggingface_sb3's NAME.zip",
            code="hub-source",
        )
    return HubFile(repo_id, filename, revision or None)


@dataclass(frozen=True)
class Fetched:
    """A Hub file, on disk in huggingface_hub's cache."""

    file: HubFile
    path: Path
    revision: str | None
    """The commit the cached file belongs to (its snapshot folder's name)."""

    def facts(self) -> dict[str, Any]:
        """The report's ``saved_model.hub``: ``requested`` is the ``@REV`` asked for (None: ``main``)."""
        return {
            "repo_id": self.file.repo_id,
            "filename": self.file.filename,
            "revision": self.revision,
            "requested": self.file.revision,
        }


def fetch(source: str) -> Fetched:
    """The file an ``hf://`` source names, from the cache or downloaded; one ``SourceError`` when it cannot be had.

    Online, one metadata request (no retries) asks the Hub for the file first: its answer names a missing
    repository or file, and gives the size to refuse before downloading. A Hub that cannot be reached
    leaves the cached copy, if any: as ``hf_hub_download`` itself would, without its minute of retries.
    """
    file = parse(source)
    hub = _import_hub()
    from huggingface_hub import errors

    offline = _offline(hub)
    try:
        cached_only = offline or not _reachable(hub, file, source)
        path = Path(
            hub.hf_hub_download(
                repo_id=file.repo_id, filename=file.filename, revision=file.revision, local_files_only=cached_only
            )
        )
    except errors.GatedRepoError:
        raise SourceError(
            source,
            f"{file.repo_id} is gated on the Hub",
            hint="accept its conditions on huggingface.co, then log in: hf auth login (or set HF_TOKEN)",
            code="hub-access",
        ) from None
    except errors.RepositoryNotFoundError:
        raise SourceError(
            source,
            f"the Hub has no model repository {file.repo_id} (or it is private)",
            hint="check the name on huggingface.co; for a private one, log in: hf auth login (or set HF_TOKEN)",
            code="hub-not-found",
        ) from None
    except errors.RevisionNotFoundError:
        raise SourceError(
            source, f"{file.repo_id} has no revision {file.revision or 'main'}", code="hub-not-found"
        ) from None
    except errors.LocalEntryNotFoundError:
        problem, hint = _not_cached(file, offline)
        raise SourceError(source, problem, hint=hint, code="hub-offline") from None
    except errors.EntryNotFoundError:
        raise SourceError(
            source,
            f"{file.repo_id} has no file {file.filename}",
            hint="name the model's file: hf://ORG/NAME/FILE.zip (huggingface_sb3 uploads NAME.zip)",
            code="hub-not-found",
        ) from None
    except (errors.HfHubHTTPError, OSError, ValueError) as exc:
        raise SourceError(
            source, f"the Hugging Face Hub could not give {file.filename}: {one_line(exc, 200)}", code="hub-error"
        ) from None
    return Fetched(file, path, path.parent.name if path.parent.parent.name == "snapshots" else None)


def _import_hub() -> Any:
    try:
        import huggingface_hub
    except ImportError:
        raise MissingExtra("hf:// sources", "need huggingface_hub", hint="pip install 'sb3inspect[hub]'") from None
    return huggingface_hub


def _offline(hub: Any) -> bool:
    """huggingface_hub's offline mode (``HF_HUB_OFFLINE``), as it reads it now."""
    checker = getattr(hub, "is_offline_mode", None)
    if callable(checker):
        return bool(checker())
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")


def _not_cached(file: HubFile, offline: bool) -> tuple[str, str]:
    at = f" at {file.revision}" if file.revision else ""
    where = f"{file.repo_id}'s {file.filename}{at} is not in the Hugging Face cache"
    if offline:
        return f"{where}, and HF_HUB_OFFLINE is set", "download it once online, or unset HF_HUB_OFFLINE"
    return f"{where}, and the Hub cannot be reached", "check the network (or a proxy), then try again"


def _reachable(hub: Any, file: HubFile, source: str) -> bool:
    """Whether the Hub answers for the file (one request, no retries); its size past ``MAX_DOWNLOAD_BYTES`` is
    refused, and an HTTP error (a missing repository or file) is raised as huggingface_hub's own."""
    from huggingface_hub import errors

    try:
        size = hub.get_hf_file_metadata(hub.hf_hub_url(file.repo_id, file.filename, revision=file.revision)).size
    except errors.HfHubHTTPError:
        raise
    except Exception:  # no answer (no network, a proxy, DNS): huggingface_hub's cache decides
        return False
    if isinstance(size, int) and size > MAX_DOWNLOAD_BYTES:
        raise SourceError(
            source,
            f"{file.filename} is {size:,} bytes, more than a saved SB3 model sb3inspect downloads "
            f"({MAX_DOWNLOAD_BYTES:,})",
            code="hub-too-large",
        )
    return True
