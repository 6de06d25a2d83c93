"""A deterministic slice of the differential corpus: configs as SB3's and sb3-contrib's test suites, rl-zoo3 and
a systematic sweep write them, training hyperparameters included (tests/fixtures/differential.jsonl, 198 of the
2,642 records of the differential corpus the issue's check was run on, every 12th of those with no stand-in spaces
and no Python object, with their origin in ``source``).

Each config is built here the way a user would: the algorithm class called with the config's hyperparameters,
around the env wrapped as rl-zoo3 wraps it (n_envs, env_wrapper, normalize, frame_stack, action noise, "lin_"
schedules), written without sb3inspect's code. sb3inspect's report must equal that model, or both must refuse.
"""

from __future__ import annotations

import inspect
import json
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import sb3inspect
from sb3inspect.errors import Sb3InspectError
from sb3inspect.sources.envs import spaces_env
from sb3inspect.sources.spaces import parse_space, to_gym

from .conftest import ROOT
from .reference import assert_matches_model, reported_sizes, sized_modules

RECORDS = [json.loads(line) for line in (ROOT / "tests" / "fixtures" / "differential.jsonl").read_text().splitlines()]
ARCHITECTURE = ("algo", "policy", "observation_space", "action_space", "env", "env_kwargs", "use_sde", "policy_kwargs")
ZOO_ONLY = (
    "n_envs",
    "n_timesteps",
    "normalize",
    "frame_stack",
    "env_wrapper",
    "vec_env_wrapper",
    "noise_type",
    "noise_std",
)
ALIASES = {"ppo_lstm": "RecurrentPPO", "recurrent_ppo": "RecurrentPPO", "ppo_mask": "MaskablePPO"}


def algorithm(name: str) -> type:
    import sb3_contrib
    import stable_baselines3

    wanted = ALIASES.get(name.lower(), name).lower()
    for module in (stable_baselines3, sb3_contrib):
        for attr in dir(module):
            if attr.lower() == wanted and isinstance(getattr(module, attr), type):
                cls: type = getattr(module, attr)
                return cls
    raise ValueError(name)


def python(text: str) -> Any:
    """rl-zoo3 evaluates its strings; these are the fixture's own, so the reference does the same."""
    from stable_baselines3.common import torch_layers

    names = {"dict": dict, "nn": torch.nn, "th": torch, "torch": torch, **vars(torch_layers)}
    return eval(text, {"__builtins__": {}}, names)  # noqa: S307 - rl-zoo3's meaning, on a fixture of this repository


def a_class(value: Any, homes: tuple[Any, ...]) -> Any:
    if not isinstance(value, str):
        return value
    name = value.rsplit(".", 1)[-1]
    for home in homes:
        for attr in dir(home):
            if attr.lower() == name.lower():
                return getattr(home, attr)
    return value


def policy_kwargs(value: Any) -> dict[str, Any]:
    from stable_baselines3.common import torch_layers
    from stable_baselines3.common.sb2_compat import rmsprop_tf_like

    kwargs = dict(python(value) if isinstance(value, str) else value or {})
    homes = {
        "activation_fn": (torch.nn,),
        "features_extractor_class": (torch_layers,),
        "optimizer_class": (torch.optim, rmsprop_tf_like),
    }
    return {key: a_class(item, homes[key]) if key in homes else item for key, item in kwargs.items()}


def default_policy(cls: type, space: Any) -> str:
    from gymnasium import spaces
    from stable_baselines3.common.preprocessing import is_image_space

    lstm = "Lstm" if cls.__name__ == "RecurrentPPO" else ""
    aliases = cls.policy_aliases  # type: ignore[attr-defined]
    if isinstance(space, spaces.Dict):
        return f"MultiInput{lstm}Policy"
    if is_image_space(space) and f"Cnn{lstm}Policy" in aliases:
        return f"Cnn{lstm}Policy"
    return f"Mlp{lstm}Policy"


def user_env(config: dict[str, Any]) -> Any:
    """The VecEnv rl-zoo3's create_envs hands the algorithm."""
    from rl_zoo3.utils import get_wrapper_class
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack, VecNormalize

    n_envs = config.get("n_envs", 1)
    if "env" in config:
        wrapper = get_wrapper_class({"env_wrapper": config["env_wrapper"]}) if config.get("env_wrapper") else None
        venv = make_vec_env(config["env"], n_envs=n_envs, env_kwargs=config.get("env_kwargs"), wrapper_class=wrapper)
    else:
        observation = to_gym(parse_space(config["observation_space"], "obs"))
        action = to_gym(parse_space(config["action_space"], "act", action=True))
        venv = DummyVecEnv([lambda: spaces_env(observation, action)] * n_envs)
    normalize = config.get("normalize")
    if normalize:
        options = (
            python(normalize) if isinstance(normalize, str) else dict(normalize) if isinstance(normalize, dict) else {}
        )
        if "gamma" in config:
            options["gamma"] = config["gamma"]
        venv = VecNormalize(venv, **options)
    if config.get("frame_stack"):
        venv = VecFrameStack(venv, config["frame_stack"])
    return venv


def user_kwargs(config: dict[str, Any], venv: Any) -> dict[str, Any]:
    """The hyperparameters as rl-zoo3's _preprocess_hyperparams passes them (buffers kept small: no network uses them)."""
    import stable_baselines3
    from rl_zoo3.utils import linear_schedule
    from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise

    kwargs = {key: value for key, value in config.items() if key not in (*ARCHITECTURE, *ZOO_ONLY, "name")}
    for key in ("learning_rate", "clip_range", "clip_range_vf", "delta_std"):
        if isinstance(kwargs.get(key), str) and kwargs[key].startswith("lin_"):
            kwargs[key] = linear_schedule(float(kwargs[key][4:]))
    if isinstance(kwargs.get("train_freq"), list):
        kwargs["train_freq"] = tuple(kwargs["train_freq"])
    if config.get("noise_type"):
        n = int(np.prod(venv.action_space.shape))
        noise = NormalActionNoise if "normal" in config["noise_type"] else OrnsteinUhlenbeckActionNoise
        kwargs["action_noise"] = noise(np.zeros(n), config.get("noise_std", 0.1) * np.ones(n))
    if isinstance(kwargs.get("replay_buffer_class"), str):
        kwargs["replay_buffer_class"] = getattr(stable_baselines3, kwargs["replay_buffer_class"])
    if isinstance(kwargs.get("replay_buffer_kwargs"), str):
        kwargs["replay_buffer_kwargs"] = python(kwargs["replay_buffer_kwargs"])
    if "buffer_size" in kwargs or "learning_starts" in kwargs:
        kwargs["buffer_size"] = min(kwargs.get("buffer_size", 1000), 1000)
    return kwargs


def user_model(config: dict[str, Any]) -> Any:
    cls = algorithm(config["algo"])
    venv = user_env(config)
    kwargs = user_kwargs(config, venv)
    if "use_sde" in config:
        kwargs["use_sde"] = config["use_sde"]
    if config.get("policy_kwargs"):
        kwargs["policy_kwargs"] = policy_kwargs(config["policy_kwargs"])
    policy = config.get("policy") or default_policy(cls, venv.observation_space)
    if "buffer_size" in inspect.signature(cls).parameters:
        kwargs.setdefault("buffer_size", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(policy, venv, device="cpu", **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_corpus_config_equals_the_model_a_user_builds(record: dict[str, Any]) -> None:
    config = record["config"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = sb3inspect.summary(config)
    except Sb3InspectError as refused:
        with pytest.raises(Exception):  # noqa: B017 - SB3 refuses it too, in its own words
            user_model(config)
        assert str(refused)
        return
    model = user_model(config)
    if any(finding.code.startswith("RN") for finding in report.findings):  # SB3 builds it but cannot run it:
        assert report.totals.params == sum(p.numel() for p in model.policy.parameters())  # no forward pass to
        assert reported_sizes(report) == sized_modules(model.policy)  # tell pi from vf
        return
    assert_matches_model(model, report, f"{record['id']} {record['source']}")
