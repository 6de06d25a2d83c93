"""Spaces from gymnasium env ids: ``gymnasium.make(id)``, read the two spaces, close it.

Errors say what to do: an unknown id names the closest registered ids; an id whose package is
missing names the package to install (the ALE for Atari, ``gymnasium[box2d]``, ``gymnasium[mujoco]``,
minigrid, ...). Nothing is downloaded: an env either makes from what is installed or fails.

Making and wrapping an env runs third-party constructors, which allocate before any check of ours
(``env_kwargs.desc`` grown through YAML aliases, ``WarpFrame(15000, 15000)``, a DiscretizeObservation of
2e8 bins). So it happens in a child process (``bounded``) with a memory limit and a timer, which hands the
two spaces back as plain data: an env past the limits is one clean error, and the parent never grew.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import select
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from sb3inspect import catalog
from sb3inspect.caught import caught_warnings
from sb3inspect.errors import BuildError, ConfigError, MissingExtra, Sb3InspectError, SourceError, one_line
from sb3inspect.sources.spaces import MAX_SPACE_ELEMENTS, SPACE_TYPES, SpaceSpec, describe, short

Wrap = Callable[[Any], Any]
"""Takes the made env, returns what carries the final spaces (a wrapped env or a vec env)."""


_NO_VEL = re.compile(r"^(?P<name>.+)NoVel-v(?P<version>\d+)$")
"""rl-zoo3's partially observable variants: ``CartPoleNoVel-v1`` is CartPole-v1 with velocities masked."""


def env_spaces(
    env_id: str, env_kwargs: dict[str, Any] | None = None, *, wrap: Wrap | None = None, allow_imports: bool = False
) -> tuple[SpaceSpec, SpaceSpec]:
    """The observation and action space specs of a registered gymnasium env (after ``wrap``), made in a child."""

    def make() -> tuple[SpaceSpec, SpaceSpec]:
        env = make_env(env_id, env_kwargs, allow_imports=allow_imports)
        try:
            check_space_size(env.observation_space, f"env {env_id!r} has an observation space")
            return _spaces_after(env, wrap, f"env {env_id!r}")
        finally:
            env.close()

    observation, action = bounded(make, f"env {env_id!r}")
    return observation, action


def spaces_after(env: Any, wrap: Wrap | None, what: str) -> tuple[SpaceSpec, SpaceSpec]:
    """The space specs of ``env`` after ``wrap`` (``what`` names the env in messages), wrapped in a child."""
    observation, action = bounded(lambda: _spaces_after(env, wrap, what), what)
    return observation, action


ENV_MEMORY_BYTES = 768 << 20
"""Memory making and wrapping one env may add to sb3inspect's own (768 MiB): a Box keeps its bounds as arrays.

With torch imported in the child (up to ~500 MB resident for a CUDA build), the run stays in its 1.5 GB."""
ENV_SECONDS = 15.0
"""Time making and wrapping one env may take."""
_ERRORS: dict[str, type[Sb3InspectError]] = {
    cls.__name__: cls for cls in (Sb3InspectError, ConfigError, SourceError, BuildError, MissingExtra)
}


def bounded(make: Callable[[], Any], what: str) -> Any:
    """``make()``, run in a forked child under a memory limit and a timer; its result must be plain data.

    The child hands back JSON: the result, or the sb3inspect error it raised (re-raised here as such).
    Past the memory limit (a MemoryError, or the child killed) or the timer (the child killed), the error
    says so. Where there is no ``fork`` (Windows), ``make()`` runs here, unbounded.
    """
    if not hasattr(os, "fork"):
        return make()
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "use of fork() may lead to deadlocks" (3.12+)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(reader)
        _child(make, writer)
    os.close(writer)
    try:
        raw = _read_until(reader, time.monotonic() + ENV_SECONDS)
    finally:
        os.close(reader)
    if raw is None:
        _end(pid, kill=True)
        raise SourceError(what, f"making or wrapping it took more than {ENV_SECONDS:.0f} s; sb3inspect stopped it")
    _end(pid, kill=False)
    answer: dict[str, Any] = json.loads(raw) if raw else {"memory": True}  # nothing: the child was killed (OOM)
    if "value" in answer:
        return answer["value"]
    if "error" in answer:
        kind, where, problem, hint, code = answer["error"]
        raise _ERRORS.get(kind, SourceError)(where, problem, hint=hint, code=code)
    if "memory" in answer:
        raise SourceError(
            what,
            f"making or wrapping it needs more than {ENV_MEMORY_BYTES >> 20:,} MiB of memory (its spaces or "
            "its arguments are larger than sb3inspect reads)",
            hint="check env_kwargs and the wrappers' sizes",
        )
    raise RuntimeError(f"{what}: {answer['crash']}")  # what would have been an internal error in this process


def _child(make: Callable[[], Any], writer: int) -> None:
    """Run ``make`` under the memory limit and write the JSON answer; exit without running any cleanup."""
    try:
        _limit_memory()
        try:
            answer: dict[str, Any] = {"value": make()}
        except Sb3InspectError as exc:
            answer = {"error": [type(exc).__name__, exc.where, exc.problem, exc.hint, exc.code]}
        except MemoryError:
            answer = {"memory": True}
        except Exception as exc:  # handed to the parent, which raises it
            text = one_line(exc, 300)
            out_of_memory = "alloc" in text.lower() or "memory" in text.lower()  # torch's and C libraries' own words
            answer = {"memory": True} if out_of_memory else {"crash": f"{type(exc).__name__}: {text}"}
        data = json.dumps(answer).encode()
        while data:
            data = data[os.write(writer, data) :]
    finally:
        os._exit(0)


def _limit_memory() -> None:
    """Cap the child's data at what it has now plus ``ENV_MEMORY_BYTES`` (Linux; elsewhere no cap).

    The cap is ``RLIMIT_DATA`` (the heap and private writable mappings: what a constructor allocates),
    not ``RLIMIT_AS``: address space also counts what shared libraries reserve, and a CUDA build of
    torch reserves 3 GB of it on import, which an address-space cap turns into a failed import.
    Only the soft limit is set, so that ``uncapped`` can lift it around imports.
    """
    used = _data_bytes()
    if used is None:
        return
    _CAP.append(used + ENV_MEMORY_BYTES)
    _set_cap(_CAP[-1])


_CAP: list[int] = []
"""In a bounded child, the data cap in force (one item); empty elsewhere."""


@contextlib.contextmanager
def uncapped() -> Iterator[None]:
    """Import installed packages (SB3, rl-zoo3, torch, an env's package) without charging them to the child's cap.

    The cap is for what a file's arguments make constructors allocate; importing torch in the child
    (an SB3 wrapper needs it) allocates 100 to 700 MB of data by itself, by build. What the import
    adds is added to the cap, so the constructors still get ``ENV_MEMORY_BYTES``. Outside a bounded
    child, nothing is done.
    """
    before = _data_bytes() if _CAP else None
    if before is None:
        yield
        return
    _set_cap(None)
    try:
        yield
    finally:
        _CAP[-1] += max(0, (_data_bytes() or before) - before)
        _set_cap(_CAP[-1])


def _data_bytes() -> int | None:
    """This process's data size (``VmData``), or None where it cannot be read or capped."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _set_cap(limit: int | None) -> None:
    """The soft data limit: ``limit`` bytes, or the hard limit where None."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = hard if limit is None else limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _read_until(reader: int, deadline: float) -> bytes | None:
    """Everything the child writes before it closes the pipe, or None once ``deadline`` passes."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([reader], [], [], left)[0]:
            return None
        chunk = os.read(reader, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _end(pid: int, *, kill: bool) -> None:
    import signal

    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _spaces_after(env: Any, wrap: Wrap | None, what: str) -> tuple[SpaceSpec, SpaceSpec]:
    """The space specs of ``env`` after ``wrap``, held to sb3inspect's limits."""
    wrapped = what + (" as wrapped" if wrap is not None else "")
    try:
        outer = wrap(env) if wrap is not None else env
        check_space_size(outer.observation_space, f"{wrapped} has an observation space")
        check_space_size(outer.action_space, f"{wrapped} has an action space")
        observation = describe(outer.observation_space, bounds=True)
        action = describe(outer.action_space, bounds=True)
    except MemoryError:
        raise SourceError(
            f"{what}: ran out of memory making or wrapping it; its spaces are larger than sb3inspect reads"
        ) from None
    _check_supported(observation, f"{what} has an observation space", outer.observation_space)
    _check_supported(action, f"{what} has an action space")
    return observation, action


def spaces_env(observation_space: Any, action_space: Any) -> Any:
    """A gymnasium env that only carries two spaces: what SB3's algorithm classes and env wrappers need to start."""
    import gymnasium

    class SpacesEnv(gymnasium.Env):
        def __init__(self) -> None:
            self.observation_space = observation_space
            self.action_space = action_space

        def reset(
            self, *, seed: int | None = None, options: dict[str, Any] | None = None
        ) -> tuple[Any, dict[str, Any]]:
            return self.observation_space.sample(), {}

        def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
            return self.observation_space.sample(), 0.0, False, False, {}

    return SpacesEnv()


def space_elements(space: Any) -> int:
    """How many numbers one observation of a gymnasium space holds, from its shape alone (nothing allocated)."""
    inner = getattr(space, "spaces", None)
    if isinstance(inner, dict):
        inner = list(inner.values())
    if isinstance(inner, (list, tuple)):  # Dict, Tuple
        return sum(space_elements(sub) for sub in inner)
    shape = getattr(space, "shape", None) or ()
    return math.prod(int(dim) for dim in shape)


def check_space_size(space: Any, what: str) -> None:
    """Refuse a space past ``spaces.MAX_SPACE_ELEMENTS`` before anything reads its bounds."""
    elements = space_elements(space)
    if elements > MAX_SPACE_ELEMENTS:
        raise SourceError(
            f"{what} of {elements:,} elements, more than sb3inspect builds ({MAX_SPACE_ELEMENTS:,}); "
            "use a smaller observation (fewer stacked frames, a smaller image)"
        )


def make_env(env_id: str, env_kwargs: dict[str, Any] | None = None, *, allow_imports: bool = False) -> Any:
    """``gymnasium.make`` with errors a user can act on (unknown id, missing package).

    gymnasium imports the module of a ``module:EnvId`` id; an id read from a file does not get to
    import anything unless ``allow_imports``.
    """
    import gymnasium

    if ":" in env_id and not allow_imports:
        raise SourceError(
            f"env {env_id!r}: the 'module:EnvId' form makes gymnasium import {env_id.split(':')[0]!r}, "
            "and sb3inspect imports no module named in its input (for an rl-zoo3 file, --allow-imports allows it)"
        )
    register_env_package(env_id)
    if env_id not in gymnasium.envs.registry:
        no_vel = _NO_VEL.match(env_id)
        if no_vel and f"{no_vel['name']}-v{no_vel['version']}" in gymnasium.envs.registry:
            return _make_no_vel(env_id, f"{no_vel['name']}-v{no_vel['version']}", env_kwargs)
    return _make(env_id, env_kwargs)


def _make(env_id: str, env_kwargs: dict[str, Any] | None) -> Any:
    import gymnasium
    from gymnasium import error as gym_error

    try:
        with caught_warnings():  # dropped: "out of date, upgrade to v5" and the like; the env is made as asked
            return gymnasium.make(env_id, **(env_kwargs or {}))
    except (gym_error.NameNotFound, gym_error.NamespaceNotFound, gym_error.VersionNotFound):
        raise SourceError(f"env {env_id!r}: {_not_found(env_id)}") from None
    except gym_error.DeprecatedEnv as exc:
        raise SourceError(f"env {env_id!r}: {_first_line(exc)}") from None
    except (gym_error.DependencyNotInstalled, ModuleNotFoundError) as exc:
        raise SourceError(_missing_dependency(env_id, exc)) from None
    except ImportError as exc:  # e.g. "mujoco v2 and v3 environments moved to gymnasium-robotics"
        raise SourceError(f"env {env_id!r} cannot be made: {_first_line(exc)}") from None
    except gym_error.Error as exc:
        raise SourceError(f"env {env_id!r}: {_first_line(exc)}") from None
    except (TypeError, ValueError, AssertionError) as exc:
        raise SourceError(f"env {env_id!r} could not be made: {_first_line(exc)}") from None
    except MemoryError:
        raise SourceError(f"env {env_id!r}: ran out of memory making it (check env_kwargs)") from None


def _make_no_vel(env_id: str, base_id: str, env_kwargs: dict[str, Any] | None) -> Any:
    """rl-zoo3 registers ``XNoVel-vN`` as ``X-vN`` wrapped in its MaskVelocityWrapper: the same here."""
    wrappers = rl_zoo3_wrappers(f"env {env_id!r} is rl-zoo3's {base_id} with velocities masked")
    env = _make(base_id, env_kwargs)
    try:
        return wrappers.MaskVelocityWrapper(env)
    except (NotImplementedError, AssertionError) as exc:
        env.close()
        raise SourceError(f"env {env_id!r}: {_first_line(exc)}") from None


_ZOO_WRAPPERS_LOCK = threading.Lock()
"""Held while rl-zoo3's wrappers load: another thread must not find the module in ``sys.modules`` half-run."""


def rl_zoo3_wrappers(why: str) -> Any:
    """rl-zoo3's ``wrappers.py``, loaded from the installed package without running its ``__init__``.

    Importing ``rl_zoo3`` itself costs ~2 s, pulls in huggingface and optuna, and patches gymnasium's
    TimeLimit globally; its wrappers module only needs gymnasium, SB3 and sb3-contrib.
    """
    with _ZOO_WRAPPERS_LOCK, uncapped():
        return _load_zoo_wrappers(why)


def _load_zoo_wrappers(why: str) -> Any:
    name = "sb3inspect._rl_zoo3_wrappers"
    if name in sys.modules:
        return sys.modules[name]
    import importlib.util
    from pathlib import Path

    found = importlib.util.find_spec("rl_zoo3")
    locations = list(found.submodule_search_locations or []) if found is not None else []
    path = Path(locations[0]) / "wrappers.py" if locations else None
    if path is None or not path.is_file():
        raise SourceError(why, "its wrappers come from rl-zoo3, which is not installed: pip install rl_zoo3")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SourceError(why, f"rl-zoo3's wrappers.py cannot be loaded from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        del sys.modules[name]
        raise SourceError(why, f"rl-zoo3's wrappers cannot be loaded ({_first_line(exc)})") from None
    return module


def register_env_package(env_id: str) -> None:
    """Import the package that registers an id (``ALE/Pong-v5`` needs ale_py), as rl-zoo3 does."""
    import gymnasium

    if env_id in gymnasium.envs.registry:
        return
    for pattern, module, pip_name in catalog.REGISTERING_PACKAGES:
        if re.search(pattern, env_id):
            try:
                with uncapped():
                    __import__(module)  # importing registers the package's envs
            except ImportError:
                what = "an Atari game and ale-py" if module == "ale_py" else f"registered by {pip_name}, which"
                instead = (
                    " (or, without it, a config with the spaces the policy sees: after AtariWrapper and frame_stack: 4, "
                    "observation_space: {type: Box, shape: [84, 84, 4], dtype: uint8} and action_space: discrete:N, "
                    "N the game's action count)"
                    if module == "ale_py"
                    else ""
                )
                raise SourceError(
                    f"env {env_id!r} is {what} is not installed: pip install {pip_name}{instead}"
                ) from None
            return


WITHOUT_IT = (
    " (or, without it, give the env's two spaces instead: observation_space and action_space in a config, "
    "--obs and --act on the command line, with an rl-zoo3 file's --env too)"
)
"""What to do when an env's package is missing: the policy only needs its spaces."""


def _missing_dependency(env_id: str, exc: Exception) -> str:
    import gymnasium

    spec = gymnasium.envs.registry.get(env_id)
    entry = spec.entry_point if spec is not None and isinstance(spec.entry_point, str) else ""
    for module, (what, command) in catalog.GYMNASIUM_EXTRAS.items():
        if entry.startswith(module + "."):
            return f"env {env_id!r} needs {what}, which is not installed: {command}{WITHOUT_IT}"
    if isinstance(exc, ModuleNotFoundError):
        return (
            f"env {env_id!r} needs the package {exc.name!r}, which is not installed: pip install {_pip_name(exc.name)}"
        )
    return f"env {env_id!r} needs a package that is not installed: {_first_line(exc)}"


def _not_found(env_id: str) -> str:
    """Why an id is not registered, with the ids meant where one is close: ours, not gymnasium's wording."""
    import difflib

    import gymnasium

    ids = list(gymnasium.envs.registry)
    lowered = {i.lower(): i for i in ids}
    close = [lowered[i] for i in difflib.get_close_matches(env_id.lower(), list(lowered), n=3, cutoff=0.7)]
    if close:
        return "no such registered env; did you mean " + " or ".join(repr(c) for c in close) + "?"
    name = env_id.rsplit("/", 1)[-1].split("-v")[0].lower()
    versions = [i for i in ids if i.rsplit("/", 1)[-1].split("-v")[0].lower() == name]
    if versions:  # the name is right, the version is not
        return f"no such registered env; registered versions: {', '.join(repr(v) for v in sorted(versions)[:5])}"
    namespace = f", or the package of namespace {env_id.split('/')[0]!r} is not installed" if "/" in env_id else ""
    return (
        f"no env is registered as {env_id!r} nor under a similar name{namespace}: check the id, or install and "
        'import the package that registers it (ids it knows: python -c "import gymnasium; '
        'gymnasium.pprint_registry()")'
    )


def _check_supported(spec: SpaceSpec, what: str, observation: Any = None) -> None:
    """SB3's space types; an observation it does not take gets what to do instead (``observation``: the space)."""
    inner = list(spec["spaces"].values()) if spec["type"] == "Dict" else []
    for kind in [spec["type"], *(sub["type"] for sub in inner)]:
        if kind not in SPACE_TYPES:
            raise SourceError(
                f"{what} of type {kind}, which SB3 policies do not take ({', '.join(SPACE_TYPES)})",
                _instead(observation, "return a Dict of its parts" if kind == "Tuple" else None),
            )
    if any(sub["type"] == "Dict" for sub in inner):
        raise SourceError(
            f"{what} with a Dict inside a Dict, which SB3 policies do not take",
            _instead(observation, "move the inner Dict's keys into the outer one"),
        )


def _instead(observation: Any, reshape: str | None) -> str | None:
    """The observation a policy can take instead: gymnasium's FlattenObservation, measured on the real space."""
    from gymnasium import spaces

    if observation is None:
        return None
    try:
        flat = spaces.flatten_space(observation)
    except (NotImplementedError, TypeError, ValueError):
        flat = None
    ways = []
    if isinstance(flat, spaces.Box) and len(flat.shape) == 1:
        ways.append(
            f"wrap the env in gymnasium.wrappers.FlattenObservation, which turns it into "
            f"{short(describe(flat, bounds=True))} (Discrete parts one-hot): inspect it with observation_space: "
            f"{flat.shape[0]} and MlpPolicy"
        )
    if reshape is not None:
        ways.append(f"{reshape} (a Dict observation takes MultiInputPolicy)")
    return "; or ".join(ways) or None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _pip_name(module: str | None) -> str:
    return catalog.PIP_NAMES.get(module or "", (module or "").replace("_", "-"))
