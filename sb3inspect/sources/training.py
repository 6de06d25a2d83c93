"""Training hyperparameters in a config: checked by name, listed in the report, handed to SB3.

A config as people keep it holds, next to the architecture, any keyword of the algorithm class's
``__init__`` (``n_steps``, ``batch_size``, ``gamma``, ``buffer_size``...) and rl-zoo3's own entry keys
(``n_envs``, ``n_timesteps``, ``normalize``, ``frame_stack``, ``env_wrapper``, ...). Their names are
checked against the algorithm's real keywords (``catalog.ALGO_KWARGS``, held against the installed
classes' signatures), so a typo is an error that names the keyword meant.

Nothing here decides what a hyperparameter does. The build gives every algorithm keyword to the
algorithm class itself (``build.policy``), so SB3 applies what it applies (A2C's ``use_rms_prop``
chooses the optimizer, QR-DQN's ``batch_size`` its epsilon) and refuses what it refuses; the
rl-zoo3 keys that change the observation are applied by ``sources.wrappers``. The strings rl-zoo3
gives a meaning to are read as rl-zoo3 reads them (``lin_7.3e-4`` schedules start at 7.3e-4,
``train_freq: [1, episode]`` is a tuple, ``replay_buffer_kwargs: "dict(...)"`` a mapping), never
evaluated. The report lists every hyperparameter as the config gave it (``training``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, did_you_mean, suggestion
from sb3inspect.sources.pyexpr import read_expression

MAX_ENVS = 65_536
"""Most parallel envs a config may ask for (the build's stand-in vec env allocates nothing per env)."""

Where = Callable[[str], str]
"""Names a key for messages: ``lambda key: f"configs/a.yaml: {key}"``."""


@dataclass(frozen=True)
class Training:
    """A config's training hyperparameters, as given and as the build passes them."""

    given: dict[str, Any] = field(default_factory=dict)
    """Every algorithm keyword and rl-zoo3 run key of the config, as written: plain data (for the report)."""
    algo_kwargs: dict[str, Any] = field(default_factory=dict)
    """What the build gives the algorithm class: the keywords minus ``catalog.RUN_KWARGS``, rl-zoo3's strings read."""
    n_envs: int = 1
    """rl-zoo3's ``n_envs``: how many envs the algorithm is given (SB3 checks ``n_steps * n_envs``)."""


def kept_hyperparameters(values: Mapping[str, Any], algo: str | None) -> dict[str, Any]:
    """The keywords of ``algo``'s ``__init__`` that a trained model keeps as plain values (a saved zip's ``data``,
    or a live model's attributes): what it trains with, listed as a config's ``training``. Run settings (device,
    verbose, seed) and values kept only as objects or pickles (a schedule, ``train_freq``, a buffer class) are
    left out; ``n_envs`` is the number of envs it was trained on."""
    if algo not in catalog.ALGO_KWARGS:
        return {}
    out: dict[str, Any] = {}
    for key in (*catalog.ALGO_KWARGS[algo], "n_envs"):
        value = values.get(key)
        if key not in catalog.RUN_KWARGS and isinstance(value, (bool, int, float, str)):
            out[key] = value
    return out


def check_keys(data: Mapping[str, Any], info: catalog.AlgoInfo, config_keys: tuple[str, ...], where: Where) -> None:
    """Every key is a config key, a keyword of the algorithm's ``__init__`` (in the installed release) or an rl-zoo3 entry key."""
    allowed = (*config_keys, *catalog.ALGO_KWARGS[info.name], *catalog.ZOO_KEYS)
    for key in data:
        if key not in allowed:
            problem, hint = _unknown(str(key), info, config_keys, data)
            raise ConfigError(where(str(key)), problem, hint=hint)
        if key in catalog.ALGO_KWARGS[info.name] and (missing := catalog.unavailable(f"{info.qualified_name}.{key}")):
            problem, hint = missing
            raise ConfigError(where(str(key)), problem, hint=hint, code="version")


def _unknown(
    key: str, info: catalog.AlgoInfo, config_keys: tuple[str, ...], data: Mapping[str, Any]
) -> tuple[str, str]:
    """(problem, hint) for a key that is neither a config key nor anything of this algorithm's."""
    problem = "unknown key"
    keywords = catalog.ALGO_KWARGS[info.name]
    allowed = (*config_keys, *keywords, *catalog.ZOO_KEYS)
    policy_keywords = {k for policy in info.policies.values() for k in policy.kwargs}
    if key in policy_keywords:
        return problem, f"{key} is a policy keyword: put it under policy_kwargs"
    if key in catalog.NOT_IN_SB3:
        return problem, catalog.NOT_IN_SB3[key]
    if key in catalog.REMOVED_BUFFER_KWARGS:
        return problem, f"a HerReplayBuffer keyword of SB3 1.x; {catalog.REMOVED_BUFFER_KWARGS[key]}: remove it"
    if key in catalog.REPLAY_BUFFER_KWARGS["HerReplayBuffer"]:
        return (
            problem,
            f"{key} is a HerReplayBuffer keyword: write replay_buffer_class: HerReplayBuffer and "
            f"replay_buffer_kwargs: {{{key}: ...}}",
        )
    if key == "model_class":
        return (
            problem,
            "rl-zoo3's old her.yml named the algorithm there: write algo: and replay_buffer_class: HerReplayBuffer",
        )
    near = suggestion(key, allowed)
    if near is not None:
        return problem, near
    policy_near = did_you_mean(key, sorted(policy_keywords))
    if policy_near is not None:
        return problem, f"did you mean {policy_near!r}? It is a policy keyword: put it under policy_kwargs"
    others = [name for name, keywords in catalog.ALGO_KWARGS.items() if key in keywords]
    if others:
        # every key of the config that is another algorithm's keyword, not only the first: one fix for all
        foreign = [
            str(k) for k in data if k not in allowed and any(k in keywords for keywords in catalog.ALGO_KWARGS.values())
        ]
        also = [k for k in foreign if k != key]
        because = catalog.NOT_A_KEYWORD_BECAUSE.get(info.name, {})
        why = sorted({because[k] for k in foreign if k in because})
        return problem, (
            f"{key} is a keyword of {', '.join(others)}, not of {info.name}: SB3 raises TypeError for it"
            + (f"; {', '.join(also)} {'is' if len(also) == 1 else 'are'} not {info.name}'s either" if also else "")
            + (f" ({'; '.join(why)})" if why else "")
        )
    return problem, (
        f"a config takes {', '.join(config_keys)}, {info.name}'s keywords ({', '.join(keywords[:4])}, ...) "
        "and rl-zoo3's (n_envs, normalize, frame_stack, ...)"
    )


def read_training(data: Mapping[str, Any], info: catalog.AlgoInfo, where: Where) -> Training:
    """The config's hyperparameters (keys already checked by ``check_keys``), read for the report and the build."""
    keywords = catalog.ALGO_KWARGS[info.name]
    listed = {
        key: value
        for key, value in data.items()
        if key != "use_sde"
        and (
            key in keywords
            or key in catalog.LEARN_KWARGS
            or (key in catalog.ZOO_KEYS and key not in catalog.ZOO_ENV_KEYS)
        )
    }
    algo_kwargs = {
        key: _for_sb3(key, value, where(key))
        for key, value in listed.items()
        if key in keywords and key not in catalog.RUN_KWARGS
    }
    for kind in ("replay_buffer", "rollout_buffer"):
        if f"{kind}_kwargs" in algo_kwargs or f"{kind}_class" in algo_kwargs:
            _check_buffer(algo_kwargs.get(f"{kind}_class"), algo_kwargs.get(f"{kind}_kwargs"), kind, where)
    given = {key: plain(value) for key, value in listed.items()}
    return Training(given=given, algo_kwargs=algo_kwargs, n_envs=_n_envs(data.get("n_envs"), where("n_envs")))


def _for_sb3(key: str, value: Any, where: str) -> Any:
    """A value as rl-zoo3 hands it to SB3 (``_preprocess_hyperparams``); everything else as it is."""
    if key in catalog.ZOO_SCHEDULES and isinstance(value, str):
        return _schedule_start(value, where)
    if key == "train_freq" and isinstance(value, list):
        return tuple(value)
    if key in ("replay_buffer_kwargs", "rollout_buffer_kwargs") and isinstance(value, str):
        parsed = read_expression(value, where)
        if not isinstance(parsed, dict):
            raise ConfigError(where, f"expected dict(...) of keyword arguments, got {value[:80]!r}")
        return parsed
    return value


def _schedule_start(value: str, where: str) -> float:
    """rl-zoo3's ``lin_<initial value>`` -> the schedule's value at the start, where the build looks.

    Any other text is refused here, for every schedule keyword alike: SB3 turns ``learning_rate``,
    ``clip_range``, ``clip_range_vf`` and ``delta_std`` into schedules (in ``_setup_model``, which
    the build does not run for all of them) and refuses text that is neither a number nor a function.
    """
    if value.startswith("lin_"):
        try:
            return float(value.removeprefix("lin_"))
        except ValueError:
            raise ConfigError(
                where, f"expected lin_<initial value>, got {value!r}", hint="e.g. lin_7.3e-4", code="schedule"
            ) from None
    try:
        float(value)
    except ValueError:
        hint = "a number (3.0e-4), or rl-zoo3's linear schedule lin_<initial value> (lin_3.0e-4)"
    else:
        hint = "write the number without quotes"
    raise ConfigError(
        where,
        f"expected a number or rl-zoo3's lin_<initial value>, got the text {value!r}: SB3 takes a number or a "
        "function of the remaining progress here, and refuses text",
        hint=hint,
        code="schedule",
    )


def _check_buffer(cls: Any, kwargs: Any, kind: str, where: Where) -> None:
    """``replay_buffer_kwargs`` must be keywords of the buffer SB3 will make (SB3 itself only finds out in ``learn``)."""
    at = where(f"{kind}_kwargs")
    if kwargs is None:
        return
    if not isinstance(kwargs, dict):
        raise ConfigError(at, f"expected a mapping of keyword arguments, got {kwargs!r}")
    name = cls.rsplit(".", 1)[-1] if isinstance(cls, str) else getattr(cls, "__name__", None)
    if kind != "replay_buffer" or (cls is not None and name not in catalog.REPLAY_BUFFER_KWARGS):
        return  # a rollout buffer or a buffer of the user's own: SB3 judges it when it makes it
    name = name or "ReplayBuffer"
    allowed = catalog.REPLAY_BUFFER_KWARGS[name]
    for key in kwargs:
        if key in allowed:
            continue
        hint = (
            catalog.REMOVED_BUFFER_KWARGS.get(key)
            or suggestion(str(key), allowed)
            or f"{name} takes {', '.join(allowed)}"
        )
        raise ConfigError(f"{at}.{key}", f"{name} has no keyword {key!r}", hint=hint)


def _n_envs(value: Any, where: str) -> int:
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ENVS:
        raise ConfigError(where, f"expected a number of envs from 1 to {MAX_ENVS:,}, got {value!r}")
    return value


def plain(value: Any) -> Any:
    """A hyperparameter as the report shows it: plain data as it is, a class or function by its name."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, type) or callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return f"{type(value).__module__}.{type(value).__qualname__}"
