"""Configs as people keep them: training hyperparameters next to the architecture.

Every config here is held against the model SB3 builds from the same settings, constructed the way a
training script (or rl-zoo3) would: the algorithm class with the hyperparameters as keywords, around
the env wrapped as rl-zoo3 wraps it (``n_envs``, ``env_wrapper``, ``normalize``, ``frame_stack``).
One config per algorithm, with the hyperparameters its rl-zoo3 entries carry.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack, VecNormalize

import sb3inspect
from sb3inspect.build.policy import algorithm_class
from sb3inspect.cli import main
from sb3inspect.errors import BuildError, ConfigError, SourceError
from sb3inspect.sources.envs import spaces_env

from .conftest import skip_if_lacking
from .reference import assert_matches_model

IMAGE_DICT = {
    "type": "Dict",
    "spaces": {"camera": {"type": "Box", "shape": [3, 36, 36], "dtype": "uint8"}, "joints": 4},
}


def image_dict() -> spaces.Dict:
    return spaces.Dict(
        {
            "camera": spaces.Box(0, 255, (3, 36, 36), np.uint8),
            "joints": spaces.Box(-np.inf, np.inf, (4,), np.float32),
        }
    )


def box(n: int) -> spaces.Box:
    return spaces.Box(-np.inf, np.inf, (n,), np.float32)


def action_box(n: int) -> spaces.Box:
    return spaces.Box(-1, 1, (n,), np.float32)


def env_of(observation: Any, action: Any, n_envs: int = 1) -> DummyVecEnv:
    return DummyVecEnv([lambda: spaces_env(observation, action)] * n_envs)


def time_feature(env: Any) -> Any:
    from sb3_contrib.common.wrappers import TimeFeatureWrapper

    return TimeFeatureWrapper(env)


def history(env: Any) -> Any:
    from rl_zoo3.wrappers import HistoryWrapper

    return HistoryWrapper(env, horizon=2)


Case = tuple[dict[str, Any], Callable[[], Any]]

CASES: dict[str, Case] = {
    "PPO": (
        {
            "algo": "PPO",
            "env": "CartPole-v1",
            "policy": "MlpPolicy",
            "n_envs": 8,
            "n_timesteps": 100000.0,
            "n_steps": 32,
            "batch_size": 256,
            "gae_lambda": 0.8,
            "gamma": 0.98,
            "n_epochs": 20,
            "ent_coef": 0.0,
            "learning_rate": "lin_0.001",
            "clip_range": "lin_0.2",
        },
        lambda: algorithm_class("PPO")(
            "MlpPolicy",
            make_vec_env("CartPole-v1", n_envs=8),
            n_steps=32,
            batch_size=256,
            gae_lambda=0.8,
            gamma=0.98,
            n_epochs=20,
            ent_coef=0.0,
            learning_rate=0.001,
            clip_range=0.2,
        ),
    ),
    "A2C": (
        {
            "algo": "A2C",
            "observation_space": 5,
            "action_space": "discrete:3",
            "n_steps": 5,
            "use_rms_prop": False,
            "normalize_advantage": True,
            "vf_coef": 0.4,
        },
        lambda: algorithm_class("A2C")(
            "MlpPolicy", env_of(box(5), spaces.Discrete(3)), n_steps=5, use_rms_prop=False, normalize_advantage=True
        ),
    ),
    "SAC": (
        {
            "algo": "SAC",
            "env": "Pendulum-v1",
            "env_wrapper": "sb3_contrib.common.wrappers.TimeFeatureWrapper",
            "buffer_size": 1000,
            "learning_starts": 100,
            "batch_size": 64,
            "tau": 0.02,
            "train_freq": [1, "episode"],
            "gradient_steps": -1,
            "use_sde": True,
            "sde_sample_freq": 4,
            "ent_coef": "auto",
            "policy_kwargs": "dict(log_std_init=-3, net_arch=[64, 64])",
        },
        lambda: algorithm_class("SAC")(
            "MlpPolicy",
            make_vec_env("Pendulum-v1", wrapper_class=time_feature),
            buffer_size=1000,
            learning_starts=100,
            batch_size=64,
            tau=0.02,
            train_freq=(1, "episode"),
            gradient_steps=-1,
            use_sde=True,
            sde_sample_freq=4,
            policy_kwargs={"log_std_init": -3, "net_arch": [64, 64]},
        ),
    ),
    "TD3": (
        {
            "algo": "TD3",
            "env": "Pendulum-v1",
            "buffer_size": 1000,
            "noise_type": "normal",
            "noise_std": 0.1,
            "policy_delay": 2,
            "target_policy_noise": 0.2,
            "learning_starts": 100,
            "policy_kwargs": {"net_arch": [400, 300]},
        },
        lambda: algorithm_class("TD3")(
            "MlpPolicy",
            make_vec_env("Pendulum-v1"),
            buffer_size=1000,
            action_noise=NormalActionNoise(np.zeros(1), 0.1 * np.ones(1)),
            policy_delay=2,
            target_policy_noise=0.2,
            learning_starts=100,
            policy_kwargs={"net_arch": [400, 300]},
        ),
    ),
    "DDPG": (
        {
            "algo": "DDPG",
            "observation_space": 3,
            "action_space": "box:1",
            "buffer_size": 1000,
            "gamma": 0.98,
            "train_freq": 1,
            "gradient_steps": 1,
            "learning_rate": 0.001,
            "seed": 0,
            "device": "cuda",
            "verbose": 1,
        },
        lambda: algorithm_class("DDPG")(
            "MlpPolicy", env_of(box(3), action_box(1)), buffer_size=1000, gamma=0.98, train_freq=1, learning_rate=1e-3
        ),
    ),
    "DQN": (
        {
            "algo": "DQN",
            "env": "CartPole-v1",
            "frame_stack": 4,
            "buffer_size": 1000,
            "learning_starts": 100,
            "exploration_fraction": 0.16,
            "exploration_final_eps": 0.04,
            "target_update_interval": 10,
            "train_freq": 256,
            "gradient_steps": 128,
            "policy_kwargs": "dict(net_arch=[256, 256])",
        },
        lambda: algorithm_class("DQN")(
            "MlpPolicy",
            VecFrameStack(make_vec_env("CartPole-v1"), 4),
            buffer_size=1000,
            learning_starts=100,
            exploration_fraction=0.16,
            target_update_interval=10,
            train_freq=256,
            gradient_steps=128,
            policy_kwargs={"net_arch": [256, 256]},
        ),
    ),
    "RecurrentPPO": (
        {
            "algo": "ppo_lstm",
            "env": "Pendulum-v1",
            "n_envs": 4,
            "normalize": True,
            "n_steps": 256,
            "batch_size": 64,
            "gamma": 0.9,
            "policy_kwargs": {"lstm_hidden_size": 16, "ortho_init": False},
        },
        lambda: algorithm_class("RecurrentPPO")(
            "MlpLstmPolicy",
            VecNormalize(make_vec_env("Pendulum-v1", n_envs=4), gamma=0.9),
            n_steps=256,
            batch_size=64,
            gamma=0.9,
            policy_kwargs={"lstm_hidden_size": 16, "ortho_init": False},
        ),
    ),
    "QRDQN": (
        {
            "algo": "QRDQN",
            "env": "CartPole-v1",
            "batch_size": 64,
            "buffer_size": 1000,
            "exploration_initial_eps": 1.0,
            "policy_kwargs": {"n_quantiles": 10},
        },
        lambda: algorithm_class("QRDQN")(
            "MlpPolicy",
            make_vec_env("CartPole-v1"),
            batch_size=64,
            buffer_size=1000,
            policy_kwargs={"n_quantiles": 10},
        ),
    ),
    "TQC": (
        {
            "algo": "TQC",
            "policy": "MultiInputPolicy",
            "observation_space": IMAGE_DICT,
            "action_space": "box:2",
            "normalize": "dict(norm_obs=True, norm_reward=False)",
            "buffer_size": 100,
            "top_quantiles_to_drop_per_net": 2,
            "policy_kwargs": {"net_arch": [32], "n_quantiles": 5},
        },
        lambda: algorithm_class("TQC")(
            "MultiInputPolicy",
            VecNormalize(env_of(image_dict(), action_box(2)), norm_obs=True, norm_reward=False),
            buffer_size=100,
            top_quantiles_to_drop_per_net=2,
            policy_kwargs={"net_arch": [32], "n_quantiles": 5},
        ),
    ),
    "TRPO": (
        {
            "algo": "TRPO",
            "env": "CartPole-v1",
            "n_steps": 64,
            "batch_size": 32,
            "cg_max_steps": 15,
            "n_critic_updates": 20,
            "target_kl": 0.1,
            "learning_rate": 1e-3,
            "use_sde": False,
        },
        lambda: algorithm_class("TRPO")(
            "MlpPolicy",
            make_vec_env("CartPole-v1"),
            n_steps=64,
            batch_size=32,
            cg_max_steps=15,
            n_critic_updates=20,
            target_kl=0.1,
            learning_rate=1e-3,
        ),
    ),
    "MaskablePPO": (
        {"algo": "MaskablePPO", "observation_space": 6, "action_space": "discrete:4", "n_steps": 64, "batch_size": 32},
        lambda: algorithm_class("MaskablePPO")(
            "MlpPolicy", env_of(box(6), spaces.Discrete(4)), n_steps=64, batch_size=32
        ),
    ),
    "CrossQ": (
        {
            "algo": "CrossQ",
            "env": "Pendulum-v1",
            "buffer_size": 1000,
            "policy_delay": 3,
            "learning_starts": 100,
            "policy_kwargs": "dict(net_arch=dict(pi=[64], qf=[128]))",
        },
        lambda: algorithm_class("CrossQ")(
            "MlpPolicy",
            make_vec_env("Pendulum-v1"),
            buffer_size=1000,
            policy_delay=3,
            learning_starts=100,
            policy_kwargs={"net_arch": {"pi": [64], "qf": [128]}},
        ),
    ),
    "ARS": (
        {
            "algo": "ARS",
            "env": "Pendulum-v1",
            "policy": "LinearPolicy",
            "env_wrapper": [{"rl_zoo3.wrappers.HistoryWrapper": {"horizon": 2}}],
            "n_delta": 8,
            "n_top": 4,
            "delta_std": "lin_0.05",
            "zero_policy": False,
            "alive_bonus_offset": 0,
        },
        lambda: algorithm_class("ARS")(
            "LinearPolicy", make_vec_env("Pendulum-v1", wrapper_class=history), n_delta=8, n_top=4, zero_policy=False
        ),
    ),
}

ENV_KEYS = ("env_wrapper", "normalize", "frame_stack")


def test_every_algorithm_has_a_case() -> None:
    from sb3inspect import catalog

    assert set(CASES) == set(catalog.ALGORITHMS)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hyperparameter_config_equals_the_model_a_user_builds(name: str) -> None:
    skip_if_lacking(name)
    config, build = CASES[name]
    report = sb3inspect.summary(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build()
    assert_matches_model(model, report, name)
    assert list(report.observation_space.get("shape") or []) == list(model.observation_space.shape or [])
    optimizer = getattr(getattr(model.policy, "actor", model.policy), "optimizer", None)
    if optimizer is not None:
        assert report.optimizer == type(optimizer).__name__
    architecture = ("algo", "policy", "env", "observation_space", "action_space", "policy_kwargs", "use_sde")
    listed = {k: v for k, v in config.items() if k not in (*architecture, *ENV_KEYS)}
    assert report.to_dict()["training"] == listed


def test_the_hyperparameters_that_change_what_is_built() -> None:
    """frame_stack, env_wrapper, normalize on an image and A2C's use_rms_prop change the report (RESULTS.md H2)."""
    cartpole = {"algo": "PPO", "env": "CartPole-v1"}
    assert sb3inspect.summary(cartpole).totals.params == 9_155
    assert sb3inspect.summary({**cartpole, "frame_stack": 4}).totals.params == 10_691
    image = {"algo": "PPO", "observation_space": IMAGE_DICT, "action_space": "box:2"}
    assert sb3inspect.summary(image).totals.params == 134_501
    normalized = sb3inspect.summary({**image, "normalize": True})
    assert normalized.totals.params == 506_821
    assert any("VecNormalize" in note for note in normalized.notes)
    a2c = {"algo": "A2C", "observation_space": 5, "action_space": "discrete:3"}
    assert sb3inspect.summary(a2c).optimizer == "RMSprop"
    assert sb3inspect.summary({**a2c, "use_rms_prop": False}).optimizer == "Adam"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"n_stpes": 64}, "n_stpes: unknown key (did you mean 'n_steps'?)"),
        ({"algo": "A2C", "batch_size": 64}, "batch_size is a keyword of PPO, SAC"),
        (
            {"algo": "A2C", "n_steps": 2048, "batch_size": 64, "n_epochs": 10},  # a PPO config run with A2C
            "n_epochs is not A2C's either (A2C makes one gradient step per rollout",
        ),
        ({"online_sampling": True}, "a HerReplayBuffer keyword of SB3 1.x; SB3 2.0 removed it"),
        (
            {
                "algo": "SAC",
                "action_space": "box:2",
                "replay_buffer_class": "HerReplayBuffer",
                "replay_buffer_kwargs": "dict(n_sampled_goal=4, online_sampling=True)",
            },
            "replay_buffer_kwargs.online_sampling: HerReplayBuffer has no keyword 'online_sampling' "
            "(SB3 2.0 removed it: HerReplayBuffer always samples goals online)",
        ),
        ({"algo": "TD3", "action_space": "box:2", "use_sde": False}, "TD3 has no keyword 'use_sde'"),
        ({"use_sde": "true", "action_space": "box:2"}, "write true or false without quotes"),
        ({"normalize": "dict(norm_ob=True)"}, "normalize.norm_ob: VecNormalize has no keyword 'norm_ob'"),
        ({"frame_stack": 0}, "frame_stack: expected a number of frames from 1 to 1024, got 0"),
        ({"n_envs": 0}, "n_envs: expected a number of envs from 1 to 65,536, got 0"),
        ({"learning_rate": "lin_fast"}, "learning_rate: expected lin_<initial value>, got 'lin_fast'"),
    ],
)
def test_hyperparameter_mistakes_are_named(config: dict[str, Any], message: str) -> None:
    base = {"algo": "PPO", "observation_space": 5, "action_space": "discrete:3"}
    with pytest.raises(ConfigError) as info:
        sb3inspect.summary({**base, **config})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"algo": "PPO", "n_steps": 1}, "SB3's PPO refuses this config"),
        ({"algo": "SAC", "action_space": "box:2", "train_freq": [1, "close"]}, "SB3's SAC refuses this config"),
        ({"algo": "PPO", "observation_space": "discrete:4", "normalize": True}, "normalize (VecNormalize) cannot wrap"),
        (
            {"algo": "PPO", "policy": "CnnPolicy", "observation_space": "image:3x36x36", "normalize": True},
            "VecNormalize made the image a float Box, which NatureCNN refuses",
        ),
        (
            {"algo": "PPO", "env_wrapper": "stable_baselines3.common.atari_wrappers.AtariWrapper"},
            "a wrapper that needs the real env cannot wrap its spaces alone",
        ),
    ],
)
def test_what_sb3_and_rl_zoo3_refuse_is_refused(config: dict[str, Any], message: str) -> None:
    base = {"observation_space": 5, "action_space": "discrete:3"}
    with pytest.raises((BuildError, ConfigError, SourceError)) as info:
        sb3inspect.summary({**base, **config})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("algo", "key", "value"),
    [
        ("PPO", "learning_rate", "linear_0.001"),
        ("PPO", "clip_range", "linear_0.2"),
        ("PPO", "clip_range", "0.2"),
        ("MaskablePPO", "clip_range_vf", "lin0.2"),
        ("ARS", "delta_std", "0.05"),
    ],
)
def test_a_schedule_given_as_text_is_refused_as_sb3_refuses_it(algo: str, key: str, value: str) -> None:
    """SB3 makes schedules of these keywords and refuses text (PPO's clip_range in ``_setup_model``, which
    the build does not run): the config is refused before any build, naming the keyword."""
    skip_if_lacking(algo)
    obs, act = ("Pendulum-v1", "box:1") if algo == "ARS" else ("CartPole-v1", "discrete:2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AssertionError):  # SB3's own check, on a real CPU model
            algorithm_class(algo)("LinearPolicy" if algo == "ARS" else "MlpPolicy", obs, **{key: value})
    config = {"algo": algo, "observation_space": 3, "action_space": act, key: value}
    with pytest.raises(ConfigError) as info:
        sb3inspect.summary(config)
    assert info.value.code == "schedule" and info.value.where == f"<dict>: {key}"
    assert ("without quotes" in str(info.value)) == (value.replace(".", "").isdigit())


def test_an_lr_in_optimizer_kwargs_is_refused_as_sb3_refuses_it_in_its_words() -> None:
    """SB3 gives the optimizer ``lr`` from the schedule, so an ``lr`` in ``optimizer_kwargs`` reaches it twice.
    The error names the real optimizer class, never the build's recording stand-in, and says where the lr goes."""
    policy_kwargs = {"optimizer_kwargs": {"lr": 0.1}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError):
            algorithm_class("PPO")("MlpPolicy", "CartPole-v1", policy_kwargs=policy_kwargs)
    with pytest.raises(BuildError) as info:
        sb3inspect.summary({"algo": "PPO", "env": "CartPole-v1", "policy_kwargs": policy_kwargs})
    assert "Recording" not in str(info.value) and "sb3inspect" not in str(info.value)
    assert info.value.hint is not None and "learning_rate" in info.value.hint


def test_use_sde_takes_booleans_and_zero_or_one() -> None:
    config = {"algo": "SAC", "observation_space": 5, "action_space": "box:2"}
    on = sb3inspect.summary({**config, "use_sde": 1})
    assert on == sb3inspect.summary({**config, "use_sde": True})
    assert sb3inspect.summary({**config, "use_sde": 0}) == sb3inspect.summary(config)
    assert on != sb3inspect.summary(config)


def test_a_training_config_file_as_people_keep_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """YAML 1.1 reads 3e-4 as text; sb3inspect reads it as the number it is (YAML 1.2, JSON, TOML)."""
    path = tmp_path / "train.yaml"
    path.write_text(
        "algo: PPO\nenv: CartPole-v1\nn_envs: 8\nn_steps: 128\nbatch_size: 256\nlearning_rate: 3e-4\n"
        'n_timesteps: 1e6\npolicy_kwargs: "dict(net_arch=dict(pi=[64], vf=[64]), activation_fn=nn.ReLU)"\n'
    )
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "training     n_envs 8 · n_steps 128 · batch_size 256 · learning_rate 0.0003 · n_timesteps 1000000.0" in out
    assert main(["inspect", str(path), "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["training"]["learning_rate"] == 0.0003 and data["activation_fn"] == "ReLU"


def test_a_training_scripts_config_may_keep_learns_keywords(tmp_path: Path) -> None:
    """total_timesteps and learn()'s other keywords are listed, not built with; an rl-zoo3 entry, whose unknown keys
    rl-zoo3 hands to the algorithm class (a TypeError), may not hold them."""
    from sb3inspect import catalog

    learn = {"total_timesteps": 100_000, "log_interval": 4, "tb_log_name": "run", "progress_bar": True}
    config = {"algo": "SAC", "env": "Pendulum-v1", "batch_size": 64, **learn, "policy_kwargs": {"net_arch": [8]}}
    report = sb3inspect.summary(config)
    assert report.training == {"batch_size": 64, **learn}
    reference = sb3inspect.summary({k: v for k, v in config.items() if k not in learn})
    assert report.totals == reference.totals
    assert set(catalog.LEARN_KWARGS) >= set(learn)
    path = tmp_path / "sac.yml"
    path.write_text("Pendulum-v1:\n  policy: MlpPolicy\n  total_timesteps: 1000\n")
    with pytest.raises(ConfigError, match="total_timesteps: unknown key"):
        sb3inspect.summary(path, env="Pendulum-v1")


def test_summary_of_a_dict_honours_env_and_algo() -> None:
    report = sb3inspect.summary({"algo": "PPO", "n_steps": 64, "policy_kwargs": {"net_arch": [8]}}, env="CartPole-v1")
    assert report.observation_space["shape"] == (4,) and report.training == {"n_steps": 64}
    spaces_given = {"algo": "PPO", "observation_space": 3, "action_space": "discrete:2"}
    report = sb3inspect.summary(spaces_given, env="CartPole-v1", algo="A2C")
    assert report.algo == "A2C" and report.observation_space["shape"] == (4,)
    assert "summary() sets algo to A2C (the config has PPO)" in report.notes
    with pytest.raises(ConfigError, match="choose what a config or an rl-zoo3 file builds"):
        sb3inspect.summary(report, env="CartPole-v1")
