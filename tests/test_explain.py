"""--explain: the arithmetic behind each count, MACs per network, memory estimates."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

import sb3inspect
from sb3inspect.render.common import arithmetic, display_rows, explain_notes
from sb3inspect.sources.config import spec_from_mapping

from .conftest import skip_if_lacking
from .reference import cpu_model

SEED = {"algo": "PPO", "observation_space": 101, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}}
ATARI_PPO = {
    "algo": "PPO",
    "observation_space": {"type": "Box", "shape": [4, 84, 84], "dtype": "uint8"},
    "action_space": "discrete:6",
}


def rows(report: Any, network: str) -> dict[str, Any]:
    return {layer.path: layer for layer in report.network(network).layers}


def test_seed_arithmetic_and_macs() -> None:
    report = sb3inspect.summary(SEED)
    pi = rows(report, "pi")
    assert arithmetic(pi["mlp_extractor.policy_net.0"]) == "101 × 64 + 64 = 6,528"
    assert arithmetic(pi["mlp_extractor.policy_net.2"]) == "64 × 64 + 64 = 4,160"
    assert arithmetic(pi["action_net"]) == "64 × 4 + 4 = 260"
    assert (report.network("pi").macs, report.network("vf").macs) == (10_816, 10_624)
    assert report.totals.training_bytes == 21_701 * 4 * 4


def test_cnn_arithmetic_and_macs() -> None:
    report = sb3inspect.summary(ATARI_PPO)
    assert (report.network("pi").macs, report.network("vf").macs) == (9_346_048, 9_343_488)
    cnn = rows(report, "pi")
    assert arithmetic(cnn["features_extractor.cnn.0"]) == "(8×8×4 + 1) × 32 = 8,224"
    assert cnn["features_extractor.cnn.0"].output_shape == (32, 20, 20)
    assert cnn["features_extractor.cnn.6"].input_shape == (64, 7, 7)
    assert cnn["features_extractor.cnn.6"].output_shape == (3136,)
    assert any("64×7×7 flattens to 3,136 features" in note for note in explain_notes(report))


def test_lstm_and_log_std_arithmetic() -> None:
    report = sb3inspect.summary(
        {
            "algo": "RecurrentPPO",
            "observation_space": 8,
            "action_space": "box:3",
            "policy_kwargs": {"lstm_hidden_size": 16, "n_lstm_layers": 2},
        }
    )
    pi = rows(report, "pi")
    h = 16
    assert arithmetic(pi["lstm_actor"]) == (
        f"4 × ({h}·8 + {h}·{h} + 2·{h}) + 4 × ({h}·{h} + {h}·{h} + 2·{h}) = {pi['lstm_actor'].params:,}"
    )
    assert pi["lstm_actor"].params == 4 * (h * 8 + h * h + 2 * h) + 4 * (h * h + h * h + 2 * h)
    assert pi["lstm_actor"].macs == 4 * h * (8 + h) + 4 * h * (h + h)
    assert arithmetic(pi["log_std"]) == "one per action dimension: 3 = 3"


def test_explain_notes_cover_the_surprises() -> None:
    notes = " ".join(explain_notes(sb3inspect.summary(SEED)))
    assert "separate twins" in notes and "counted once in the totals" in notes and "bias adds excluded" in notes
    targets = " ".join(
        explain_notes(sb3inspect.summary({"algo": "TD3", "observation_space": 3, "action_space": "box:1"}))
    )
    assert "Polyak averaging" in targets


def _macs_by_forward(module: torch.nn.Module, run: Any) -> int:
    """Weight MACs of the Linear/Conv2d layers a forward pass calls, from their real output shapes."""
    total = 0

    def hook(layer: torch.nn.Module, inputs: Any, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(layer, torch.nn.Linear):
            total += layer.in_features * layer.out_features * math.prod(output.shape[:-1])
        elif isinstance(layer, torch.nn.Conv2d):
            per_pixel = math.prod(layer.kernel_size) * layer.in_channels // layer.groups * layer.out_channels
            total += per_pixel * math.prod(output.shape[2:]) * output.shape[0]

    handles = [m.register_forward_hook(hook) for m in module.modules()]
    try:
        with torch.no_grad():
            run()
    finally:
        for handle in handles:
            handle.remove()
    return total


@pytest.mark.parametrize(
    "config",
    [
        ATARI_PPO,
        {
            "algo": "PPO",
            "observation_space": {"type": "Box", "shape": [40, 48, 3], "dtype": "uint8"},
            "action_space": "box:2",
            "policy_kwargs": {"share_features_extractor": False, "net_arch": [16]},
        },
        {
            "algo": "DQN",
            "observation_space": {"type": "Box", "shape": [1, 36, 50], "dtype": "uint8"},
            "action_space": "discrete:3",
        },
    ],
    ids=["ppo-atari", "ppo-channel-last", "dqn-36x50"],
)
@pytest.mark.slow
def test_conv_macs_match_a_forward_pass(config: dict[str, Any]) -> None:
    report = sb3inspect.summary(config)
    policy = cpu_model(spec_from_mapping(config)).policy
    obs, _ = policy.obs_to_tensor(policy.observation_space.sample())
    if hasattr(policy, "q_net"):
        assert report.network("q_net").macs == _macs_by_forward(policy, lambda: policy.q_net(obs))
        return
    assert report.network("pi").macs == _macs_by_forward(policy, lambda: policy.get_distribution(obs))
    assert report.network("vf").macs == _macs_by_forward(policy, lambda: policy.predict_values(obs))


def test_explain_output(capsys: pytest.CaptureFixture[str]) -> None:
    from sb3inspect.cli import main

    assert (
        main(["inspect", "--algo", "ppo", "--obs", "101", "--act", "discrete:4", "--net-arch", "64,64", "--explain"])
        == 0
    )
    out = capsys.readouterr().out
    assert "101 × 64 + 64 = 6,528" in out and "10,816 MACs" in out and "why     " in out
    assert main(["inspect", "--algo", "ppo", "--obs", "101", "--act", "discrete:4", "-f", "markdown", "--explain"]) == 0
    markdown = capsys.readouterr().out
    assert "| 101 × 64 + 64 = 6,528 |" in markdown and "**Why these numbers**" in markdown


def test_display_rows_fold_activations() -> None:
    shown = display_rows(sb3inspect.summary(SEED).network("pi"))
    assert [row.type for row in shown] == ["Flatten", "Linear + Tanh", "Linear + Tanh", "Linear"]


@pytest.mark.parametrize(
    ("config", "optimizer", "factor"),
    [
        (
            {"algo": "A2C", "observation_space": 4, "action_space": "discrete:2"},
            "RMSprop",
            3,
        ),  # param + grad + square_avg
        (
            {
                "algo": "PPO",
                "observation_space": 4,
                "action_space": "discrete:2",
                "policy_kwargs": {"optimizer_class": "SGD"},
            },
            "SGD",
            2,
        ),
        (
            {
                "algo": "PPO",
                "observation_space": 4,
                "action_space": "discrete:2",
                "policy_kwargs": {"optimizer_class": "SGD", "optimizer_kwargs": {"momentum": 0.9}},
            },
            "SGD",
            3,
        ),
        ({"algo": "PPO", "observation_space": 4, "action_space": "discrete:2"}, "Adam", 4),
    ],
    ids=["a2c-rmsprop", "sgd", "sgd-momentum", "adam"],
)
def test_training_memory_knows_the_optimizer(config: dict[str, Any], optimizer: str, factor: int) -> None:
    report = sb3inspect.summary(config)
    assert report.optimizer == optimizer
    assert report.totals.training_bytes == report.totals.bytes * factor


def test_training_memory_of_a_live_model_and_of_targets() -> None:
    model = cpu_model(spec_from_mapping({"algo": "A2C", "observation_space": 4, "action_space": "discrete:2"}))
    live = sb3inspect.summary(model)
    assert live.optimizer == "RMSprop" and live.totals.training_bytes == live.totals.bytes * 3
    td3 = sb3inspect.summary({"algo": "TD3", "observation_space": 3, "action_space": "box:1"})
    trained = td3.totals.trainable_params * 4
    assert td3.totals.training_bytes == td3.totals.bytes + trained * 3  # targets hold no gradient or moments
    assert (
        sb3inspect.summary({"algo": "ARS", "observation_space": 3, "action_space": "box:1"}).totals.training_bytes
        is None
    )


MATRIX_CASES = [
    {"algo": "PPO", "observation_space": 5, "action_space": "discrete:3", "policy_kwargs": {"activation_fn": "PReLU"}},
    {"algo": "CrossQ", "observation_space": 5, "action_space": "box:2"},
    {"algo": "CrossQ", "observation_space": 5, "action_space": "box:2", "policy_kwargs": {"activation_fn": "PReLU"}},
    {
        "algo": "RecurrentPPO",
        "observation_space": 5,
        "action_space": "discrete:3",
        "policy_kwargs": {"lstm_hidden_size": 8, "n_lstm_layers": 2, "lstm_kwargs": {"proj_size": 4}},
    },
    {
        "algo": "RecurrentPPO",
        "observation_space": 5,
        "action_space": "box:2",
        "policy_kwargs": {"lstm_hidden_size": 8, "n_lstm_layers": 2, "lstm_kwargs": {"bidirectional": True}},
    },
]


@pytest.mark.parametrize("config", MATRIX_CASES, ids=lambda c: f"{c['algo']}-{c.get('policy_kwargs')}")
def test_every_layer_has_macs_one_per_weight_matrix_element(config: dict[str, Any]) -> None:
    """Without convolutions, a layer's MACs for one observation are its weight matrices' elements
    (an LSTM step multiplies by each of weight_ih, weight_hh and weight_hr once); PReLU and batch
    (re)norm scale elementwise: 0. Held against the modules of a real CPU build."""
    skip_if_lacking(config["algo"])
    from sb3inspect.pipeline import summarize_spec
    from sb3inspect.sources.config import spec_from_mapping

    from .reference import cpu_model

    spec = spec_from_mapping(config)
    report = summarize_spec(spec)
    modules = dict(cpu_model(spec).policy.named_modules())
    for network in report.networks:
        assert network.macs is not None, network.name
        assert network.macs == sum(layer.macs or 0 for layer in network.layers)
        for layer in network.layers:
            if layer.type == "Parameter":
                continue
            module = modules[layer.path]
            matrices = sum(p.numel() for p in module.parameters(recurse=False) if p.dim() >= 2)
            assert layer.macs == matrices, (network.name, layer.path)
    lstm = next((layer for n in report.networks for layer in n.layers if layer.type == "LSTM"), None)
    if lstm is not None:
        real = modules[lstm.path]
        assert (lstm.proj_size, lstm.bidirectional) == (real.proj_size, real.bidirectional)
