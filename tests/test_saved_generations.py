"""The kinds of model a collection of rl-zoo agents (SB3 1.0 - 1.8, the gym era) holds, synthesized: rebuilt.

``fixtures/saved`` holds one zip per format generation. A collection of trained agents adds what the
zoo's hyperparameters used on top: Atari ``CnnPolicy`` on stacked uint8 frames, ``MultiInputPolicy``
on gym Dicts (HER with every off-policy algorithm), ``net_arch`` for DQN / QR-DQN, action noise,
RecurrentPPO's LSTM settings, gSDE, activations and optimizers named by class (RMSpropTFLike with
its ``eps``), ``ortho_init`` / ``normalize_images`` / ``share_features_extractor`` / ``n_critics``,
ARS's LinearPolicy. Each case builds today's model, then writes its zip as the gym-era release did
(FORMATS.md of the research notes): the spaces' readable fields as gym 0.17 - 0.21 wrote them
(``shape`` up to gym 0.19, ``_shape`` after; numpy's text for bounds, summarized for images; a
Dict's ``spaces`` as ``OrderedDict([('key', Box(...)), ...])``; Discrete ``n`` a JSON int),
``policy_kwargs`` with classes as their ``str()``, the release's version and ``system_info.txt``,
and the state dict under that release's names (no ``pi_/vf_features_extractor`` before 1.7, ARS's
``action_net.weight`` before contrib 1.7). The report must be the live model's, its weights matching.
"""

from __future__ import annotations

import base64
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3 import HerReplayBuffer
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
from stable_baselines3.common.sb2_compat.rmsprop_tf_like import RMSpropTFLike

import sb3inspect
from sb3inspect.build.policy import algorithm_class

from .conftest import installed_algorithms
from .test_saved import make_model, rewrite, torch_bytes
from .test_saved_formats import networks

FRAMES = spaces.Box(0, 255, (4, 36, 36), np.uint8)
"""Atari's stacked frames (84 x 84 in the zoo; 36 is NatureCNN's smallest): numpy summarizes their bounds."""
VEC = spaces.Box(-np.inf, np.inf, (3,), np.float32)
ACT = spaces.Box(-1, 1, (2,), np.float32)
N3 = spaces.Discrete(3)
GOAL = spaces.Dict(
    {"achieved_goal": VEC, "desired_goal": VEC, "observation": spaces.Box(-np.inf, np.inf, (5,), np.float32)}
)
BIT_GOAL = spaces.Dict({key: spaces.MultiBinary(4) for key in ("achieved_goal", "desired_goal", "observation")})
IMAGE_AND_VECTOR = spaces.Dict({"img": spaces.Box(0, 255, (1, 36, 36), np.uint8), "vec": spaces.Box(-1, 1, (3,))})
MIXED = spaces.Dict({"a": spaces.Discrete(3), "b": spaces.MultiBinary(2), "c": spaces.Box(-1, 1, (2,))})
TWO_LAYERS = {"net_arch": [{"pi": [8], "vf": [8]}]}
"""rl-zoo's actor-critic net_arch before SB3 1.8: a list holding one dict."""


def her(data: dict[str, Any]) -> None:
    """HER since SB3 1.1: the off-policy algorithm with a HerReplayBuffer and its (1.x) keywords."""
    data["replay_buffer_class"] = {
        ":type:": "<class 'abc.ABCMeta'>",
        ":serialized:": base64.b64encode(pickle.dumps(HerReplayBuffer, protocol=4)).decode(),
        "__module__": "stable_baselines3.her.her_replay_buffer",
    }
    data["replay_buffer_kwargs"] = {
        "online_sampling": True,
        "goal_selection_strategy": "future",
        "n_sampled_goal": 4,
        "max_episode_length": 100,
    }


def her_1_0(algo: str) -> Any:
    """HER in SB3 1.0: a class of its own wrapping the algorithm, named in ``model_class``, with its settings;
    the observation is the flattened goal Dict (observation and desired goal, concatenated)."""

    def edit(data: dict[str, Any]) -> None:
        model_class = algorithm_class(algo)
        data["model_class"] = {
            ":type:": "<class 'abc.ABCMeta'>",
            ":serialized:": base64.b64encode(pickle.dumps(model_class, protocol=4)).decode(),
            "__module__": model_class.__module__,
        }
        data["goal_selection_strategy"] = {":type:": "<enum 'GoalSelectionStrategy'>", "_value_": 0, "_name_": "FUTURE"}
        data |= {"online_sampling": True, "n_sampled_goal": 4, "max_episode_length": 50}

    return edit


def no_sde_net_arch(data: dict[str, Any]) -> None:
    """gSDE before SB3 1.3 with ``sde_net_arch=None`` given: no extra layers."""
    data["policy_kwargs"]["sde_net_arch"] = None


# name: (algo, policy, observation, action, policy_kwargs, kwargs, release, gym 0.x, data edit)
CASES: dict[str, tuple[Any, ...]] = {
    "a2c-atari-rmsproptf-eps": (
        "A2C", "CnnPolicy", FRAMES, N3, {"optimizer_class": RMSpropTFLike, "optimizer_kwargs": {"eps": 1e-5}},
        {}, "1.5.0", 21, None,
    ),
    "ppo-atari": ("PPO", "CnnPolicy", FRAMES, N3, {}, {}, "1.3.0", 19, None),
    "dqn-atari": ("DQN", "CnnPolicy", FRAMES, N3, {}, {}, "1.0", 17, None),
    "qrdqn-atari": ("QRDQN", "CnnPolicy", FRAMES, N3, {"n_quantiles": 7}, {}, "1.5.0", 21, None),
    "dqn-net-arch": ("DQN", "MlpPolicy", VEC, N3, {"net_arch": [16, 16]}, {}, "1.4.0", 19, None),
    "qrdqn-net-arch": ("QRDQN", "MlpPolicy", VEC, N3, {"net_arch": [16], "n_quantiles": 5}, {}, "1.6.2", 21, None),
    "dqn-multibinary-obs": ("DQN", "MlpPolicy", spaces.MultiBinary(6), N3, {"net_arch": [8]}, {}, "1.1.0", 17, None),
    "ppo-multiinput-gym021": ("PPO", "MultiInputPolicy", IMAGE_AND_VECTOR, N3, TWO_LAYERS, {}, "1.6.2", 21, None),
    "sac-multiinput-gym017": ("SAC", "MultiInputPolicy", IMAGE_AND_VECTOR, ACT, {"net_arch": [8]}, {}, "1.2.0", 17, None),
    "a2c-multiinput-discrete-multibinary": ("A2C", "MultiInputPolicy", MIXED, N3, TWO_LAYERS, {}, "1.5.0", 21, None),
    "td3-normal-noise": (
        "TD3", "MlpPolicy", VEC, ACT, {"net_arch": [8, 8]},
        {"action_noise": NormalActionNoise(np.zeros(2), 0.1 * np.ones(2))}, "1.5.0", 21, None,
    ),
    "ddpg-ou-noise": (
        "DDPG", "MlpPolicy", VEC, ACT, {"net_arch": [8]},
        {"action_noise": OrnsteinUhlenbeckActionNoise(np.zeros(2), 0.1 * np.ones(2))}, "1.2.0", 19, None,
    ),
    "recurrentppo-lstm": (
        "RecurrentPPO", "MlpLstmPolicy", VEC, N3, {"lstm_hidden_size": 8, **TWO_LAYERS}, {}, "1.6.2", 21, None,
    ),
    "recurrentppo-cnn-no-critic-lstm": (
        "RecurrentPPO", "CnnLstmPolicy", FRAMES, N3, {"lstm_hidden_size": 8, "enable_critic_lstm": False},
        {}, "1.8.0", 21, None,
    ),
    "sac-gsde-leakyrelu-expln": (
        "SAC", "MlpPolicy", VEC, ACT,
        {"net_arch": [8], "log_std_init": -3, "activation_fn": torch.nn.LeakyReLU, "use_expln": True},
        {"use_sde": True}, "1.5.0", 21, None,
    ),
    "ppo-gsde-elu-no-ortho-init": (
        "PPO", "MlpPolicy", VEC, ACT,
        {**TWO_LAYERS, "log_std_init": -2, "ortho_init": False, "activation_fn": torch.nn.ELU, "full_std": False},
        {"use_sde": True}, "1.4.0", 19, None,
    ),
    "ppo-gsde-sde-net-arch-none": ("PPO", "MlpPolicy", VEC, ACT, TWO_LAYERS, {"use_sde": True}, "1.1.0", 17, no_sde_net_arch),
    "sac-gsde-sde-net-arch-none": (
        "SAC", "MlpPolicy", VEC, ACT, {"net_arch": [8]}, {"use_sde": True}, "1.0", 17, no_sde_net_arch,
    ),
    "a2c-silu-adam-betas-eps": (
        "A2C", "MlpPolicy", VEC, ACT,
        {**TWO_LAYERS, "activation_fn": torch.nn.SiLU, "optimizer_class": torch.optim.Adam,
         "optimizer_kwargs": {"eps": 1e-5, "betas": (0.9, 0.99)}},
        {}, "1.6.0", 21, None,
    ),
    "tqc-n-critics": ("TQC", "MlpPolicy", VEC, ACT, {"net_arch": [8], "n_critics": 3, "n_quantiles": 5}, {}, "1.3.0", 19, None),
    "sac-cnn-unshared-unnormalized": (
        "SAC", "CnnPolicy", FRAMES, ACT,
        {"net_arch": [8], "share_features_extractor": False, "normalize_images": False,
         "features_extractor_kwargs": {"features_dim": 16}},
        {}, "1.7.0", 21, None,
    ),
    "td3-cnn-features-dim": (
        "TD3", "CnnPolicy", FRAMES, ACT, {"features_extractor_kwargs": {"features_dim": 16}}, {}, "1.5.0", 21, None,
    ),
    "trpo-relu": ("TRPO", "MlpPolicy", VEC, N3, {**TWO_LAYERS, "activation_fn": torch.nn.ReLU}, {}, "1.4.0", 19, None),
    "maskableppo-multidiscrete": (
        "MaskablePPO", "MlpPolicy", VEC, spaces.MultiDiscrete([3, 2]), TWO_LAYERS, {}, "1.6.2", 21, None,
    ),
    "ars-linear-with-bias": ("ARS", "LinearPolicy", VEC, ACT, {"with_bias": True}, {}, "1.5.0", 21, None),
    "ars-linear-no-bias": ("ARS", "LinearPolicy", VEC, ACT, {"with_bias": False}, {}, "1.6.2", 21, None),
    "ars-mlp": ("ARS", "MlpPolicy", VEC, N3, {"net_arch": [8]}, {}, "1.6.2", 21, None),
    **{
        f"her-{algo.lower()}": (
            algo, "MultiInputPolicy", BIT_GOAL if algo in ("DQN", "QRDQN") else GOAL, N3 if algo in ("DQN", "QRDQN") else ACT,
            {"net_arch": [8], **({"n_quantiles": 3} if algo in ("TQC", "QRDQN") else {})}, {}, release, gym, her,
        )
        for algo, release, gym in [
            ("SAC", "1.4.0", 19), ("TD3", "1.5.0", 21), ("DDPG", "1.1.0", 17),
            ("TQC", "1.6.2", 21), ("DQN", "1.3.0", 19), ("QRDQN", "1.8.0", 21),
        ]
    },
    **{
        f"her-1.0-{algo.lower()}": (
            algo, "MlpPolicy", spaces.Box(-np.inf, np.inf, (8,), np.float32), N3 if algo in ("DQN", "QRDQN") else ACT,
            {"net_arch": [8]}, {}, "1.0", 17, her_1_0(algo),
        )
        for algo in ("TD3", "DDPG", "TQC", "QRDQN")
    },
}  # fmt: skip

GYM_MODULES = {
    spaces.Box: "box.Box",
    spaces.Discrete: "discrete.Discrete",
    spaces.MultiDiscrete: "multi_discrete.MultiDiscrete",
    spaces.MultiBinary: "multi_binary.MultiBinary",
    spaces.Dict: "dict.Dict",
}


def gym_repr(space: spaces.Space[Any], gym: int) -> str:
    """``repr(space)`` in gym 0.<gym>: a Box shows its bounds' min / max up to 0.18, the whole arrays after."""
    if isinstance(space, spaces.Box):
        if gym >= 19:
            return f"Box({space.low}, {space.high}, {space.shape}, {space.dtype})"
        return f"Box({space.low.min()}, {space.high.max()}, {space.shape}, {space.dtype})"
    if isinstance(space, spaces.Discrete):
        return f"Discrete({space.n})"
    if isinstance(space, spaces.MultiBinary):
        return f"MultiBinary({space.n})"
    assert isinstance(space, spaces.MultiDiscrete)
    return f"MultiDiscrete({space.nvec})"


def gym_space(space: spaces.Space[Any], serialized: str, gym: int) -> dict[str, Any]:
    """A space's entry in ``data`` as gym 0.<gym> wrote it: its ``__dict__``'s readable attributes."""
    shape = "shape" if gym <= 19 else "_shape"
    entry: dict[str, Any] = {":type:": f"<class 'gym.spaces.{GYM_MODULES[type(space)]}'>", ":serialized:": serialized}
    if isinstance(space, spaces.Box):
        entry |= {"dtype": str(space.dtype), shape: list(space.shape), "low": str(space.low), "high": str(space.high)}
        entry |= {"bounded_below": str(space.bounded_below), "bounded_above": str(space.bounded_above)}
    elif isinstance(space, spaces.Discrete):
        entry |= {"n": int(space.n), shape: [], "dtype": "int64"}
    elif isinstance(space, spaces.MultiDiscrete):
        entry |= {"nvec": str(space.nvec), shape: list(space.shape), "dtype": "int64"}
    elif isinstance(space, spaces.MultiBinary):
        entry |= {"n": space.n, shape: list(space.shape), "dtype": "int8"}
    else:
        assert isinstance(space, spaces.Dict)
        inner = ", ".join(f"('{key}', {gym_repr(sub, gym)})" for key, sub in space.spaces.items())
        entry |= {"spaces": f"OrderedDict([{inner}])", shape: None, "dtype": None}
    return entry | {"_np_random": None}


def gym_era_policy_kwargs(policy_kwargs: dict[str, Any], serialized: str) -> dict[str, Any]:
    """``data_to_json``'s policy_kwargs: plain JSON, or the pickle with its first level, classes as ``str()``."""

    def plain(value: Any) -> bool:
        try:
            json.dumps(value)
        except TypeError:
            return False
        return True

    if all(plain(value) for value in policy_kwargs.values()):
        return dict(policy_kwargs)
    first = {key: value if plain(value) else str(value) for key, value in policy_kwargs.items()}
    return {":type:": "<class 'dict'>", ":serialized:": serialized, **first}


def release_defaults(algo: str, policy: str, release: str) -> dict[str, Any]:
    """What the release built for keywords a file leaves out where today's defaults differ (FORMATS.md §6):
    before SB3 1.6 the off-policy actor and critic shared their extractor, and a CnnPolicy had no MLP."""
    if algo not in ("SAC", "TD3", "DDPG", "TQC") or version_of(release) >= (1, 6):
        return {}
    return {"share_features_extractor": True, **({"net_arch": []} if policy == "CnnPolicy" else {})}


def version_of(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split(".")[:2])


def gym_era_zip(
    model: Any, folder: Path, release: str, gym: int, edit: Any, implicit: dict[str, Any], weights: Any = None
) -> Path:
    """``model`` saved as SB3 ``release`` with gym 0.<gym> saved it; ``implicit``: its keywords the file leaves out;
    ``weights`` edits the state dict the release saved."""
    model.save(folder / "today.zip")
    data = json.loads(zipfile.ZipFile(folder / "today.zip").read("data"))
    for key in ("observation_space", "action_space"):
        data[key] = gym_space(getattr(model, key), data[key][":serialized:"], gym)
    pickled = data["policy_kwargs"].get(":serialized:", "") if isinstance(data["policy_kwargs"], dict) else ""
    given = {key: value for key, value in model.policy_kwargs.items() if key not in implicit}
    data["policy_kwargs"] = gym_era_policy_kwargs(given, pickled)
    if edit is not None:
        edit(data)
    version = version_of(release)
    state = model.policy.state_dict()
    if version < (1, 7):  # SB3 1.7 added the pi_/vf_ names of the shared extractor; contrib 1.7, ARS's rename
        state = {
            k: v for k, v in state.items() if not k.startswith(("pi_features_extractor.", "vf_features_extractor."))
        }
        state = {
            k.replace("action_net.0.", "action_net.") if model.__class__.__name__ == "ARS" else k: v
            for k, v in state.items()
        }
    if weights is not None:
        state = weights(state)
    system_info = (
        f"OS: Linux-5.4.0-91-generic-x86_64 #102-Ubuntu SMP\nPython: 3.7.9\nStable-Baselines3: {release}\n"
        f"PyTorch: 1.10.0\nGPU Enabled: False\nNumpy: 1.20.3\nGym: 0.{gym}.0\n"
    )
    members = {
        "data": json.dumps(data, indent=4).encode(),
        "policy.pth": torch_bytes(state),
        "_stable_baselines3_version": release.encode(),
        "system_info.txt": system_info.encode() if version >= (1, 3) else None,
    }
    return rewrite(folder / "today.zip", folder / f"sb3-{release}.zip", members)


@pytest.mark.parametrize("name", list(CASES))
def test_a_gym_era_agent_is_rebuilt(name: str, tmp_path: Path) -> None:
    algo, policy, observation, action, policy_kwargs, kwargs, release, gym, edit = CASES[name]
    if algo not in installed_algorithms():
        pytest.skip(f"{algo} is not installed")
    implicit = release_defaults(algo, policy, release)
    model = make_model(algo, policy, observation, action, {**policy_kwargs, **implicit}, kwargs)
    report = sb3inspect.summary(gym_era_zip(model, tmp_path, release, gym, edit, implicit))
    saved = report.extra["saved_model"]
    assert saved["rebuilt"] and saved["state_dict"]["status"] == "match", saved["state_dict"]
    assert saved["sb3_version"] == release and report.algo == algo
    assert networks(report) == networks(sb3inspect.summary(model))
    live = sb3inspect.summary(model).to_dict()
    shown = report.to_dict()
    for key in ("observation_space", "action_space", "net_arch", "activation_fn"):
        assert shown[key] == live[key], key


@pytest.mark.parametrize(
    ("algo", "policy_kwargs", "log_std", "rebuilt"),
    [
        ("PPO", TWO_LAYERS, "log_std", False),
        ("SAC", {"net_arch": [8]}, "actor.log_std", False),
        ("PPO", {"net_arch": [{"pi": [], "vf": [8]}]}, "log_std", True),
    ],
)
def test_gsde_on_the_features_before_1_3(
    algo: str, policy_kwargs: dict[str, Any], log_std: str, rebuilt: bool, tmp_path: Path
) -> None:
    """SB3 < 1.3 with ``sde_net_arch=[]`` gave gSDE the features (log_std features x actions, no layer to show it):
    reported from the state dict, saying why; rebuilt when pi has no layers, as then the two coincide."""

    def features_by_actions(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, log_std: torch.zeros(3, 2)}

    def empty(data: dict[str, Any]) -> None:
        data["policy_kwargs"]["sde_net_arch"] = []

    model = make_model(algo, "MlpPolicy", VEC, ACT, policy_kwargs, {"use_sde": True})
    report = sb3inspect.summary(gym_era_zip(model, tmp_path, "1.1.0", 17, empty, {}, features_by_actions))
    assert report.extra["saved_model"]["rebuilt"] is rebuilt
    assert report.extra["saved_model"]["state_dict"]["status"] == ("match" if rebuilt else "not_rebuilt")
    assert rebuilt or any("sde_net_arch [] (SB3 < 1.3) gave gSDE the features" in note for note in report.notes)
    rows = {layer.path: layer for network in report.networks for layer in network.layers}
    assert rows[log_std].params == 6


@pytest.mark.parametrize(
    ("policy", "observation", "release", "given", "built"),
    [
        ("CnnLstmPolicy", FRAMES, "1.6.0", {}, {"shared_lstm": True, "enable_critic_lstm": False}),
        (
            "MultiInputLstmPolicy", GOAL, "1.6.2", {"enable_critic_lstm": False, "lstm_kwargs": {"dropout": 0.0}},
            {"shared_lstm": False, "enable_critic_lstm": True},
        ),
    ],
)  # fmt: skip
def test_recurrent_keywords_one_place_off_in_contrib_1_6_0(
    policy: str, observation: Any, release: str, given: dict[str, Any], built: dict[str, Any], tmp_path: Path
) -> None:
    """sb3-contrib 1.6.0's CnnLstmPolicy and MultiInputLstmPolicy handed enable_critic_lstm to the parent's shared_lstm
    and lstm_kwargs to its enable_critic_lstm: the file names what the user gave, the weights hold what was built.
    Read so first for SB3 1.6.0 (only contrib 1.6.0 pairs with it), and when the weights say so for a later 1.6."""
    if "RecurrentPPO" not in installed_algorithms():
        pytest.skip("RecurrentPPO is not installed")

    def as_given(data: dict[str, Any]) -> None:
        data["policy_kwargs"] |= given

    model = make_model("RecurrentPPO", policy, observation, N3, {"lstm_hidden_size": 4, **built}, {})
    report = sb3inspect.summary(gym_era_zip(model, tmp_path, release, 21, as_given, built))
    saved = report.extra["saved_model"]
    assert saved["rebuilt"] and saved["state_dict"]["status"] == "match", saved["state_dict"]
    assert networks(report) == networks(sb3inspect.summary(model))
    assert any("handed enable_critic_lstm and lstm_kwargs to their parent one place off" in n for n in report.notes)
