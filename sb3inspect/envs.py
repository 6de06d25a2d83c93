"""Spaces from gymnasium env ids: ``gymnasium.make(id)``, read the two spaces, close it."""

from __future__ import annotations

from typing import Any

from .errors import SourceError
from .spaces import SpaceSpec, describe


def env_spaces(env_id: str, env_kwargs: dict[str, Any] | None = None) -> tuple[SpaceSpec, SpaceSpec]:
    """The observation and action space specs of a registered gymnasium env."""
    env = make_env(env_id, env_kwargs)
    try:
        return describe(env.observation_space, bounds=True), describe(env.action_space, bounds=True)
    finally:
        env.close()


def make_env(env_id: str, env_kwargs: dict[str, Any] | None = None) -> Any:
    """``gymnasium.make`` with errors a user can act on (unknown id, missing package)."""
    import gymnasium
    from gymnasium import error as gym_error

    _register_known_namespaces(env_id)
    try:
        return gymnasium.make(env_id, **(env_kwargs or {}))
    except gym_error.NameNotFound as exc:
        raise SourceError(f"env {env_id!r}: {_not_found(env_id, exc)}") from None
    except (gym_error.NamespaceNotFound, gym_error.VersionNotFound, gym_error.DeprecatedEnv) as exc:
        raise SourceError(f"env {env_id!r}: {_not_found(env_id, exc)}") from None
    except gym_error.DependencyNotInstalled as exc:
        raise SourceError(f"env {env_id!r} needs a package that is not installed: {_first_line(exc)}") from None
    except ModuleNotFoundError as exc:
        raise SourceError(f"env {env_id!r} needs the package {exc.name!r}: pip install {_pip_name(exc.name)}") from None
    except gym_error.Error as exc:
        raise SourceError(f"env {env_id!r}: {_first_line(exc)}") from None
    except (TypeError, ValueError) as exc:
        raise SourceError(f"env {env_id!r} could not be made: {_first_line(exc)}") from None


def _register_known_namespaces(env_id: str) -> None:
    """Import the package that registers a namespaced id (``ALE/Pong-v5`` needs ale_py)."""
    namespace = env_id.split("/", 1)[0] if "/" in env_id else None
    if namespace == "ALE" or env_id.endswith("NoFrameskip-v4"):
        try:
            import ale_py  # noqa: F401  (importing registers the ALE envs)
        except ImportError:
            raise SourceError(f"env {env_id!r} is an Atari game: pip install ale-py") from None


def _not_found(env_id: str, exc: Exception) -> str:
    import difflib

    import gymnasium

    ids = list(gymnasium.envs.registry)
    close = difflib.get_close_matches(env_id, ids, n=3, cutoff=0.5)
    if close:
        return "no such registered env; did you mean " + " or ".join(repr(c) for c in close) + "?"
    return f"{_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _pip_name(module: str | None) -> str:
    known = {"Box2D": "box2d-py", "mujoco": "mujoco", "ale_py": "ale-py", "pybullet": "pybullet"}
    return known.get(module or "", (module or "").replace("_", "-"))
