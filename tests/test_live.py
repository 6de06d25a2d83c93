"""``sb3inspect.summary(model)`` on live CPU models: custom extractors, frozen layers, targets, DQN.

Numbers are held against the model itself (``numel`` of its parameters, its optimizers), never
against sb3inspect's own rules. Networks are tiny and nothing trains except the callback test.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch import nn

import sb3inspect
from sb3inspect.sources.envs import spaces_env

IMAGE = gym.spaces.Box(0, 255, (1, 28, 28), np.uint8)
VECTOR = gym.spaces.Box(-1, 1, (6,), np.float32)
CONTINUOUS = gym.spaces.Box(-1, 1, (2,), np.float32)


def lenet_extractor() -> type:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class LeNet(BaseFeaturesExtractor):
        """LeNet-style: 1 -> 6 -> 16 channels with 5x5 kernels (156 + 2,416 = 2,572 conv parameters)."""

        def __init__(self, observation_space: gym.Space, features_dim: int = 8) -> None:
            super().__init__(observation_space, features_dim)
            self.cnn = nn.Sequential(
                nn.Conv2d(1, 6, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(6, 16, 5),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
            )
            self.norm = nn.BatchNorm1d(256)
            self.linear = nn.Linear(256, features_dim)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(self.norm(self.cnn(x)))

    return LeNet


def odd_extractor() -> type:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class Gate(nn.Module):
        """A module type sb3inspect has never heard of, holding a bare parameter."""

        def __init__(self) -> None:
            super().__init__()
            self.gamma = nn.Parameter(torch.ones(3))

    class Odd(BaseFeaturesExtractor):
        def __init__(self, observation_space: gym.Space, features_dim: int = 8) -> None:
            super().__init__(observation_space, features_dim)
            self.embed = nn.Embedding(10, 4)
            self.gru = nn.GRU(4, 8)
            self.lstm = nn.LSTM(8, 4, num_layers=2)
            self.gate = Gate()
            self.scale = nn.Parameter(torch.ones(2))
            self.linear = nn.Linear(6, features_dim)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x)

    return Odd


def ppo(observation_space: gym.Space, actions: int = 3, **policy_kwargs: Any) -> Any:
    from stable_baselines3 import PPO

    env = spaces_env(observation_space, gym.spaces.Discrete(actions))
    return PPO(
        "MlpPolicy" if len(observation_space.shape) == 1 else "CnnPolicy",
        env,
        policy_kwargs=policy_kwargs,
        n_steps=8,
        batch_size=8,
        device="cpu",
    )


def rows(report: sb3inspect.PolicyReport, network: str) -> dict[str, sb3inspect.Layer]:
    return {layer.path: layer for layer in report.network(network).layers}


def test_custom_cnn_extractor_lenet_numbers() -> None:
    model = ppo(IMAGE, features_extractor_class=lenet_extractor(), net_arch=[16])
    report = sb3inspect.summary(model)
    layers = rows(report, "pi")
    conv1, conv2 = layers["features_extractor.cnn.0"], layers["features_extractor.cnn.3"]
    assert (conv1.type, conv1.in_channels, conv1.out_channels, conv1.kernel_size, conv1.params) == (
        "Conv2d",
        1,
        6,
        (5, 5),
        156,
    )
    assert (conv2.in_channels, conv2.out_channels, conv2.params) == (6, 16, 2416)
    assert conv1.params + conv2.params == 2572
    assert layers["features_extractor.norm"].type == "BatchNorm1d" and layers["features_extractor.norm"].params == 512
    assert layers["features_extractor.cnn.2"].type == "MaxPool2d" and conv1.shared
    assert report.totals.params == sum(p.numel() for p in model.policy.parameters())
    assert report.totals.trainable_params == report.totals.params and report.totals.frozen_params == 0
    assert report.features_extractor == {"class": "LeNet", "features_dim": 8, "shared": True}
    assert list(report.network("pi").hidden_sizes) == [16]


def test_unknown_module_types_still_get_rows() -> None:
    report = sb3inspect.summary(ppo(VECTOR, features_extractor_class=odd_extractor(), net_arch=[8]))
    layers = rows(report, "vf")
    assert layers["features_extractor.embed"].param_shapes == (("weight", (10, 4)),)
    gru = layers["features_extractor.gru"]
    assert (gru.type, gru.input_size, gru.hidden_size, gru.params) == ("GRU", 4, 8, 24 * 4 + 24 * 8 + 24 + 24)
    assert layers["features_extractor.lstm"].num_layers == 2
    gate = layers["features_extractor.gate"]
    assert (gate.type, gate.params, gate.param_shapes) == ("Gate", 3, (("gamma", (3,)),))
    assert layers["features_extractor.scale"].type == "Parameter" and layers["features_extractor.scale"].shape == (2,)
    text = str(report)
    assert "ih_l0 24×4, hh_l0 24×8" in text and "Gate" in text and "gamma 3" in text


def test_frozen_layers_are_not_trainable() -> None:
    model = ppo(IMAGE, features_extractor_class=lenet_extractor(), net_arch=[16])
    for param in model.policy.features_extractor.cnn[0].parameters():
        param.requires_grad_(False)
    report = sb3inspect.summary(model)
    assert report.totals.frozen_params == 156
    assert report.totals.trainable_params == report.totals.params - 156
    conv1 = rows(report, "pi")["features_extractor.cnn.0"]
    assert conv1.trainable is False and rows(report, "pi")["features_extractor.cnn.3"].trainable is True
    assert report.network("pi").trainable_params == report.network("pi").params - 156
    assert "156 frozen" in str(report) and "frozen" in next(
        line for line in str(report).splitlines() if "cnn.0" in line
    )


def test_trainable_knows_the_optimizer() -> None:
    model = ppo(VECTOR, net_arch=[8])
    model.policy.optimizer = torch.optim.SGD(model.policy.mlp_extractor.parameters(), lr=0.1)  # heads left out
    report = sb3inspect.summary(model)
    expected = sum(p.numel() for p in model.policy.mlp_extractor.parameters())
    assert report.totals.trainable_params == expected
    assert rows(report, "pi")["action_net"].trainable is False


@pytest.mark.parametrize("algo", ["SAC", "TD3"])
def test_off_policy_targets(algo: str) -> None:
    import stable_baselines3

    cls = getattr(stable_baselines3, algo)
    model = cls(
        "MlpPolicy", spaces_env(VECTOR, CONTINUOUS), policy_kwargs={"net_arch": [8]}, buffer_size=1, device="cpu"
    )
    report = sb3inspect.summary(model)
    policy = model.policy
    targets = ["critic_target"] + (["actor_target"] if algo == "TD3" else [])
    for name in targets:
        network = report.network(name)
        assert network.target and network.trainable_params == 0
        assert network.params == sum(p.numel() for p in getattr(policy, name).parameters())
    assert report.totals.target_params == sum(report.network(name).params for name in targets)
    optimized = {
        id(p)
        for opt in (policy.actor.optimizer, policy.critic.optimizer)
        for g in opt.param_groups
        for p in g["params"]
    }
    assert report.totals.trainable_params == sum(p.numel() for p in policy.parameters() if id(p) in optimized)
    assert list(report.network("critic").hidden_sizes) == [8] and list(report.network("actor").hidden_sizes) == [8]
    assert "target: a copy of the online network" in str(report)


def test_dqn() -> None:
    from stable_baselines3 import DQN

    model = DQN(
        "MlpPolicy",
        spaces_env(VECTOR, gym.spaces.Discrete(3)),
        policy_kwargs={"net_arch": [8]},
        buffer_size=1,
        device="cpu",
    )
    report = sb3inspect.summary(model)
    assert report.names == ["q_net", "q_net_target"]
    assert report.network("q_net").params == (6 * 8 + 8) + (8 * 3 + 3) == report.network("q_net_target").params
    assert report.totals.trainable_params == report.network("q_net").params
    assert report.network("q_net_target").target
    with pytest.raises(KeyError, match="no network 'pi' in this DQN report; it has q_net, q_net_target"):
        report.network("pi")


def test_issue_example_numbers() -> None:
    model = ppo(gym.spaces.Box(-np.inf, np.inf, (101,), np.float32), 4, net_arch=[64, 64])
    report = sb3inspect.summary(model)
    assert report.network("pi").params == 10948 and list(report.network("pi").hidden_sizes) == [64, 64]
    assert sb3inspect.check_net_arch(model, pi=[64, 64], vf=[64, 64], max_params=50_000) is not None


def test_callback_logs_once_at_the_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from stable_baselines3.common.logger import configure

    model = ppo(VECTOR, net_arch=[8])
    model.set_logger(configure(str(tmp_path), ["stdout", "csv", "log"]))
    callback = sb3inspect.ArchitectureCallback(pi=[8], vf=[8])
    model.learn(total_timesteps=16, callback=callback)
    out = capsys.readouterr().out
    assert out.count("pi · policy network") == 1 and "totals" in out
    assert (tmp_path / "log.txt").read_text().count("pi · policy network") == 1
    assert callback.report is not None and callback.report.totals.params == sum(
        p.numel() for p in model.policy.parameters()
    )
    with (tmp_path / "progress.csv").open() as handle:
        logged = list(csv.DictReader(handle))
    assert logged[0]["arch/params"] == str(callback.report.totals.params)
    assert logged[0]["arch/pi_params"] == str(callback.report.network("pi").params)
    assert "arch/report" not in logged[0]  # the Markdown goes to TensorBoard only


def test_callback_stops_a_wrong_net_arch_before_the_first_step() -> None:
    model = ppo(VECTOR, net_arch=[8])
    with pytest.raises(sb3inspect.NetArchMismatch, match=r"pi: expected \[64, 64\], built \[8\]"):
        model.learn(total_timesteps=16, callback=sb3inspect.ArchitectureCallback(verbose=0, pi=[64, 64]))
    assert model.num_timesteps == 0


def test_callback_checks_a_network_by_name_as_check_net_arch_does() -> None:
    import warnings

    from stable_baselines3 import TD3
    from stable_baselines3.common.logger import configure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TD3("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [32, 32]}, buffer_size=1, device="cpu")
    model.set_logger(configure(None, []))
    for wanted, holds in (([32, 32], True), ([64, 64], False)):
        callback = sb3inspect.ArchitectureCallback(verbose=0, critic=wanted, actor=[32, 32])
        callback.init_callback(model)
        with (
            contextlib.nullcontext() if holds else pytest.raises(sb3inspect.NetArchMismatch, match=r"critic: expected")
        ):
            callback.on_training_start({}, {})
    with pytest.raises(sb3inspect.ConfigError, match="unknown network 'critc'"):
        sb3inspect.ArchitectureCallback(critc=[8])


def test_layer_shapes_and_conv_macs_of_a_live_model() -> None:
    model = ppo(IMAGE, features_extractor_class=lenet_extractor(), net_arch=[16])
    layers = rows(sb3inspect.summary(model), "pi")
    expected = {}
    extractor = model.policy.features_extractor
    hooks = [
        module.register_forward_hook(
            lambda m, i, o: expected.__setitem__(id(m), (tuple(i[0].shape[1:]), tuple(o.shape[1:])))
        )
        for module in extractor.modules()
    ]
    with torch.no_grad():
        extractor.eval()
        extractor(torch.zeros(1, *IMAGE.shape))
    for hook in hooks:
        hook.remove()
    checked = 0
    for name, module in extractor.named_modules():
        if f"features_extractor.{name}" in layers:
            layer = layers[f"features_extractor.{name}"]
            assert (layer.input_shape, layer.output_shape) == expected[id(module)], name
            checked += 1
    assert checked == 9  # 2 conv, 2 relu, 2 pool, flatten, norm, linear
    assert layers["features_extractor.cnn.0"].output_shape == (6, 24, 24)
    assert layers["features_extractor.cnn.6"].output_shape == (256,)
    assert layers["features_extractor.cnn.0"].macs == 5 * 5 * 1 * 6 * 24 * 24
    assert layers["features_extractor.cnn.3"].macs == 5 * 5 * 6 * 16 * 8 * 8


def test_summary_never_touches_a_live_models_modules() -> None:
    """Its modules may be training in another thread: no train/eval flip, no hook, no forward pass on them."""
    touched: list[str] = []

    class Watched(lenet_extractor()):  # type: ignore[misc]
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if self is original:
                touched.append("forward")
            return super().forward(x)

        def train(self, mode: bool = True) -> Any:
            if self is original:
                touched.append(f"train({mode})")
            return super().train(mode)

    model = ppo(IMAGE, features_extractor_class=Watched, net_arch=[16])
    original = model.policy.features_extractor
    model.policy.set_training_mode(True)
    touched.clear()
    report = sb3inspect.summary(model)
    assert touched == []
    assert all(module.training for module in model.policy.modules())
    assert all(not module._forward_hooks for module in model.policy.modules())
    assert rows(report, "pi")["features_extractor.cnn.0"].output_shape == (6, 24, 24)


def item_extractor() -> type:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class ScaledByMean(BaseFeaturesExtractor):
        """Reads a value out of its input: fine on CPU, impossible on a meta tensor."""

        def __init__(self, observation_space: gym.Space) -> None:
            super().__init__(observation_space, features_dim=4)
            self.linear = nn.Linear(6, 4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x) * float(x.mean().item())

    return ScaledByMean


def test_an_extractor_that_cannot_run_on_a_sample_gets_a_note() -> None:
    config = {"algo": "PPO", "observation_space": VECTOR, "action_space": gym.spaces.Discrete(2)}
    report = sb3inspect.summary({**config, "policy_kwargs": {"features_extractor_class": item_extractor()}})
    assert report.network("pi").params > 0
    note = next(note for note in report.notes if "shapes not measured" in note)
    assert "features_extractor (ScaledByMean)" in note and "RuntimeError" in note
    live = sb3inspect.summary(ppo(VECTOR, features_extractor_class=item_extractor()))
    assert any("shapes not measured" in note for note in live.notes)


def test_an_extractor_that_cannot_be_copied_gets_a_note() -> None:
    import threading

    model = ppo(VECTOR, net_arch=[8])
    model.policy.features_extractor.lock = threading.Lock()  # type: ignore[assignment]
    report = sb3inspect.summary(model)
    assert report.totals.params == sum(p.numel() for p in model.policy.parameters())
    assert any("shapes not measured" in note and "copied" in note for note in report.notes), report.notes


def test_an_unexpected_error_in_an_extractor_is_not_swallowed() -> None:
    from stable_baselines3.common.torch_layers import FlattenExtractor

    class Broken(Exception):
        pass

    class Raises(FlattenExtractor):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            raise Broken("a bug in the user's extractor")

    config = {"algo": "PPO", "observation_space": VECTOR, "action_space": gym.spaces.Discrete(2)}
    with pytest.raises(Broken):
        sb3inspect.summary({**config, "policy_kwargs": {"features_extractor_class": Raises}})


@pytest.mark.parametrize("algo", ["SAC", "PPO"])
def test_saved_and_live_models_list_the_hyperparameters_they_keep(algo: str, tmp_path: Path) -> None:
    """What a model trains with, from its own attributes (live) or the zip's data (saved): the same list, each
    value the one the loaded algorithm holds; schedules and run settings left out (SB2#432)."""
    from stable_baselines3 import PPO, SAC

    if algo == "SAC":
        model: Any = SAC("MlpPolicy", "Pendulum-v1", gamma=0.98, batch_size=64, tau=0.02, buffer_size=500, device="cpu")
    else:
        model = PPO("MlpPolicy", "CartPole-v1", n_steps=64, batch_size=32, gae_lambda=0.9, learning_rate=lambda f: f)
    model.save(tmp_path / "m.zip")
    live = sb3inspect.summary(model).training
    saved = sb3inspect.summary(tmp_path / "m.zip").training
    assert dict(live) == dict(saved)
    loaded = type(model).load(tmp_path / "m.zip", device="cpu")
    for key, value in saved.items():
        assert getattr(loaded, key) == value, key
    assert not {"device", "verbose", "seed", "clip_range", "train_freq"} & set(saved)
    assert ("learning_rate" in saved) == (algo == "SAC")  # PPO's is a schedule here: only a pickle in the zip
    given = {"gamma": 0.98, "batch_size": 64, "tau": 0.02} if algo == "SAC" else {"n_steps": 64, "gae_lambda": 0.9}
    assert given.items() <= dict(saved).items()
