"""meta_build(): shapes as SB3 would compute them, state restored afterwards."""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn.functional as F
from stable_baselines3.common.policies import BaseModel
from torch.distributions import Distribution
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from sb3inspect.build.meta import SMALL_OP_BYTES, meta_build


def test_small_ops_give_meta_results_of_the_right_shape() -> None:
    weight_cpu = torch.ones(32, 4, 8, 8)
    expected = F.conv2d(torch.ones(1, 4, 84, 84), weight_cpu, stride=4).shape
    with meta_build():
        x = torch.ones(1, 4, 84, 84)
        weight = torch.empty(32, 4, 8, 8)
        y = F.relu(F.conv2d(x, weight, stride=4))
        scaled = torch.ones(3) * -2.0
        assert x.is_meta and y.is_meta and scaled.is_meta
        assert y.shape == expected and scaled.shape == (3,)
        assert (torch.ones(2, dtype=torch.float64) + torch.ones(2, dtype=torch.float32)).dtype == torch.float64


class CpuOutputs(TorchDispatchMode):
    """Records the size of every tensor a torch op produces on CPU (what the small-ops mode allocates)."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        for value in tree_flatten(out)[0]:
            if isinstance(value, torch.Tensor) and value.device.type == "cpu":
                self.largest = max(self.largest, value.numel() * value.element_size())
        return out


def test_large_ops_still_run_on_meta() -> None:
    rows = SMALL_OP_BYTES // 4000 + 1
    with meta_build():
        big = torch.ones(rows, 1000) * 2.0
    assert big.is_meta and big.shape == (rows, 1000)


@pytest.mark.parametrize(
    "compute",
    [
        lambda: torch.empty(65_536, 1) @ torch.empty(1, 128),  # as 2M × 1 @ 1 × 128, which made 1 GiB, but 32 MB
        lambda: torch.empty(4096, 1) * torch.empty(1, 4096),  # an outer product by broadcasting: 64 MB
        lambda: torch.cat([torch.empty(1 << 20, 2)] * 4),
        lambda: F.linear(torch.empty(4096, 4), torch.empty(4096, 4)),
    ],
    ids=["matmul", "broadcast", "cat", "linear"],
)
def test_small_ops_bound_what_they_allocate_on_cpu(compute: Any) -> None:
    with meta_build(), CpuOutputs() as spy:
        out = compute()
    assert out.is_meta
    assert spy.largest <= SMALL_OP_BYTES, f"{spy.largest:,} bytes computed on CPU"


def test_a_users_extractor_in_a_config_dict_cannot_allocate_on_cpu() -> None:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    import sb3inspect

    class Outer(BaseFeaturesExtractor):
        """Every pair of 4,096 inputs: a 64 MB outer product for one observation."""

        def __init__(self, observation_space: Any) -> None:
            super().__init__(observation_space, features_dim=8)
            self.linear = torch.nn.Linear(4096 * 4096, 8)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear((x[:, :, None] * x[:, None, :]).flatten(1))

    config = {"algo": "PPO", "observation_space": 4096, "action_space": "discrete:2"}
    with CpuOutputs() as spy:
        report = sb3inspect.summary({**config, "policy_kwargs": {"features_extractor_class": Outer}})
    assert report.network("pi").params > 4096 * 4096 * 8
    assert spy.largest <= SMALL_OP_BYTES, f"{spy.largest:,} bytes computed on CPU"


def test_nested_builds_keep_the_outer_build_patched() -> None:
    import gymnasium as gym
    from stable_baselines3.common.policies import ActorCriticPolicy

    device, validate = BaseModel.__dict__["device"], Distribution.__dict__["_validate_args"]
    with meta_build():
        patched = BaseModel.__dict__["device"], Distribution.__dict__["_validate_args"]
        with meta_build():
            pass
        assert (BaseModel.__dict__["device"], Distribution.__dict__["_validate_args"]) == patched
        policy = ActorCriticPolicy(
            gym.spaces.Box(-1, 1, (3,)), gym.spaces.Box(-1, 1, (2,)), lambda _: 0.0, use_sde=True
        )
        assert policy.device.type == "meta" and all(p.is_meta for p in policy.parameters())
    assert BaseModel.__dict__["device"] is device and Distribution.__dict__["_validate_args"] is validate


def test_fills_and_likes_keep_identity_and_dtype() -> None:
    with meta_build():
        x = torch.empty(4, 5)
        assert x.normal_() is x and x.uniform_(-1, 1) is x
        like = torch.zeros_like(x, dtype=torch.float64)
        assert like.is_meta and like.shape == (4, 5) and like.dtype == torch.float64
        on_cpu = torch.zeros_like(x, device="cpu")
    assert on_cpu.device.type == "cpu"


def test_state_is_restored() -> None:
    device = BaseModel.__dict__["device"]
    validate = Distribution._validate_args
    with meta_build():
        assert BaseModel.__dict__["device"] is not device
    assert BaseModel.__dict__["device"] is device
    assert Distribution._validate_args == validate
    assert torch.ones(1).device.type == "cpu"


def test_other_threads_keep_their_device_while_a_build_runs() -> None:
    import threading

    import numpy as np
    from stable_baselines3 import PPO

    import sb3inspect
    from sb3inspect.sources.envs import spaces_env
    from sb3inspect.sources.spaces import parse_space, to_gym

    env = spaces_env(to_gym(parse_space(4, "obs")), to_gym(parse_space("discrete:2", "act", action=True)))
    model = PPO("MlpPolicy", env, n_steps=8, batch_size=8, device="cpu")
    errors: list[str] = []
    stop = threading.Event()

    def predict() -> None:
        while not stop.is_set():
            try:
                assert model.policy.device.type == "cpu"
                model.predict(np.zeros(4, dtype=np.float32))
            except Exception as exc:
                errors.append(repr(exc))
                return

    worker = threading.Thread(target=predict)
    worker.start()
    try:
        for _ in range(10):
            sb3inspect.summary(
                {"algo": "PPO", "observation_space": "image:3x64x64", "action_space": "box:2", "use_sde": True}
            )
    finally:
        stop.set()
        worker.join()
    assert errors == []


def test_summary_of_a_live_model_leaves_its_spaces_random_state_alone() -> None:
    import sb3inspect
    from sb3inspect.sources.config import spec_from_mapping

    from .reference import cpu_model

    model = cpu_model(
        spec_from_mapping({"algo": "PPO", "observation_space": "image:3x36x36", "action_space": "discrete:2"})
    )
    space = model.observation_space
    space.seed(123)
    before = space.np_random.bit_generator.state
    sb3inspect.summary(model)
    assert space.np_random.bit_generator.state == before


def test_conv_shapes_without_compute_match_torch() -> None:
    import itertools

    cases = itertools.product(
        [(1, 4, 84, 84), (3, 36, 50), (2, 3, 40, 41)], [(8, 4), (3, 1), (5, 2)], [0, 2, "valid"], [1, 2]
    )
    for shape, (kernel, stride), padding, dilation in cases:
        weight_shape = (6, shape[-3], kernel, kernel)
        expected = F.conv2d(
            torch.ones(shape), torch.ones(weight_shape), stride=stride, padding=padding, dilation=dilation
        ).shape
        with meta_build():
            got = F.conv2d(
                torch.ones(shape), torch.empty(weight_shape), stride=stride, padding=padding, dilation=dilation
            )
        assert got.is_meta and got.shape == expected, (shape, kernel, stride, padding, dilation)
