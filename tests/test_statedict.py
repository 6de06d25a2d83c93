"""State-dict-only reports (a saved model with a custom class): layer kinds read from entry names and shapes.

Every model here is a real SB3 model with a custom features extractor of real torch layers, saved by
``model.save()``; the report of the zip (which sb3inspect cannot rebuild) is held against the report
of the live model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.render.graph import build_graph, items_boxes
from sb3inspect.render.mermaid import mermaid
from sb3inspect.report.model import MATRIX

from .test_saved import BOX, CustomExtractor, make_model

INDICES = spaces.Box(0, 9, (3,), np.float32)


class Layers(BaseFeaturesExtractor):
    """One of each layer a state dict has to be read for (the forward pass only has to be plausible)."""

    def __init__(self, observation_space: spaces.Box, features_dim: int = 8) -> None:
        super().__init__(observation_space, features_dim)
        self.embed = torch.nn.Embedding(10, 4)
        self.gru = torch.nn.GRU(4, 8, batch_first=True)
        self.rnn = torch.nn.RNN(4, 8, batch_first=True)
        self.lstm = torch.nn.LSTM(4, 8, batch_first=True)
        self.projected = torch.nn.LSTM(4, 8, proj_size=2, batch_first=True)
        self.conv = torch.nn.Conv1d(1, 2, 3)
        self.conv3d = torch.nn.Conv3d(1, 2, (1, 1, 3))
        self.norm = torch.nn.LayerNorm(8)
        self.bn = torch.nn.BatchNorm1d(8)
        self.mix = torch.nn.Linear(8, 8, bias=False)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        tokens = self.embed(observations.long().clamp(0, 9))
        out = self.gru(tokens)[0] + self.rnn(tokens)[0] + self.lstm(tokens)[0]
        return self.mix(self.bn(self.norm(out[:, -1] + self.projected(tokens)[0][:, -1].sum(-1, keepdim=True))))


@pytest.fixture(scope="module")
def layers_zip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    model = make_model(
        "PPO", "MlpPolicy", INDICES, spaces.Discrete(2), {"net_arch": [8], "features_extractor_class": Layers}, {}
    )
    path = tmp_path_factory.mktemp("statedict") / "layers.zip"
    model.save(path)
    return path, model


def rows(report: Any, network: str) -> dict[str, Any]:
    return {layer.path: layer for layer in report.network(network).layers}


@pytest.mark.filterwarnings("ignore:LSTM with projections")  # the live model's shape probe, on CPU
def test_layer_kinds_are_read_from_names_and_shapes(layers_zip: tuple[Path, Any]) -> None:
    path, model = layers_zip
    report = sb3inspect.summary(path)
    assert report.extra["saved_model"]["rebuilt"] is False
    got = rows(report, "pi")
    live = rows(sb3inspect.summary(model), "pi")
    prefix = "features_extractor."
    kinds = {name.removeprefix(prefix): layer.type for name, layer in got.items() if name.startswith(prefix)}
    assert kinds == {
        "embed": MATRIX,
        "gru": "GRU",
        "rnn": "RNN",
        "lstm": "LSTM",
        "projected": "LSTM",
        "conv": "Conv1d",
        "conv3d": "Conv3d",
        "norm": "LayerNorm",
        "bn": "BatchNorm",
        "mix": MATRIX,
    }
    for name, layer in got.items():  # the live model's modules prove the types the state dict claims
        assert layer.params == live[name].params, name
        if layer.type not in (MATRIX, "BatchNorm"):
            assert layer.type == live[name].type, name
    assert live[prefix + "embed"].type == "Embedding" and live[prefix + "mix"].type == "Linear"
    assert live[prefix + "bn"].type == "BatchNorm1d"
    gru = got[prefix + "gru"]
    assert (gru.input_size, gru.hidden_size, gru.num_layers, gru.bias, gru.params) == (4, 8, 1, True, 336)
    assert got[prefix + "projected"].hidden_size == 8
    conv = got[prefix + "conv"]
    assert (conv.in_channels, conv.out_channels, conv.kernel_size, conv.params) == (1, 2, (3,), 8)
    assert got[prefix + "conv3d"].kernel_size == (1, 1, 3)
    assert (got[prefix + "norm"].params, got[prefix + "bn"].params) == (16, 16)  # running statistics are buffers
    assert report.totals.params == sum(p.numel() for p in model.policy.parameters())


def test_a_weight_matrix_without_bias_is_not_claimed_to_be_a_linear(layers_zip: tuple[Path, Any]) -> None:
    report = sb3inspect.summary(layers_zip[0])
    for name in ("features_extractor.embed", "features_extractor.mix"):
        layer = rows(report, "pi")[name]
        assert (layer.in_features, layer.out_features, layer.bias) == (None, None, False), name
    (note,) = [note for note in report.notes if "Linear (out × in) or an Embedding" in note]
    assert note.startswith("features_extractor.embed, features_extractor.mix: ")
    assert any(note.startswith("features_extractor.norm: ") and "read as a LayerNorm" in note for note in report.notes)


@pytest.mark.filterwarnings("ignore:LSTM with projections")
def test_explain_arithmetic_counts_the_gates(layers_zip: tuple[Path, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(layers_zip[0]), "--explain", "--width", "250"]) == 0
    out = capsys.readouterr().out
    how = {line.split()[0]: line for line in out.splitlines() if line.startswith("features_extractor.")}
    assert how["features_extractor.gru"].endswith("3 × (8·4 + 8·8 + 2·8) = 336")
    assert how["features_extractor.rnn"].endswith("1 × (8·4 + 8·8 + 2·8) = 112")
    assert how["features_extractor.lstm"].endswith("4 × (8·4 + 8·8 + 2·8) = 448")
    assert how["features_extractor.embed"].endswith("10 × 4 = 40")
    # an LSTM with proj_size has no 4 × (...) formula: its tensors are listed, and they add up
    projected = how["features_extractor.projected"]
    assert "4 × (" not in projected and projected.endswith("= 272")
    sizes = re.findall(r"(?:weight|bias)_\w+ ([\d×]+)", projected.split("shared", 1)[1])
    assert sum(int(np.prod([int(d) for d in size.split("×")])) for size in sizes) == 272
    assert "a GRU layer has 3 gates" in out and "an RNN layer has one set of input weights" in out
    for line in out.splitlines():  # every formula adds up to its row's count
        match = re.search(r"(\d+) × \((\d+)·(\d+) \+ (\d+)·(\d+) \+ 2·(\d+)\) = ([\d,]+)$", line)
        if match:
            gates, h, width, h2, h3, h4, total = match.groups()
            assert int(gates) * (int(h) * int(width) + int(h2) * int(h3) + 2 * int(h4)) == int(total.replace(",", ""))


SHARED = {
    "ppo": ("PPO", spaces.Discrete(2), {}, ("pi", "vf")),
    "sac": ("SAC", BOX, {"share_features_extractor": True}, ("actor", "critic")),
    "td3": ("TD3", BOX, {"share_features_extractor": True}, ("actor", "critic")),
}


@pytest.mark.parametrize("name", list(SHARED))
def test_a_shared_custom_extractor_is_one_module_drawn_once(name: str, tmp_path: Path) -> None:
    algo, action, kwargs, users = SHARED[name]
    kwargs = {"net_arch": [8], "features_extractor_class": CustomExtractor, **kwargs}
    model = make_model(algo, "MlpPolicy", BOX, action, kwargs, {})
    model.save(tmp_path / "shared.zip")
    report = sb3inspect.summary(tmp_path / "shared.zip")
    live = sb3inspect.summary(model)
    assert report.extra["saved_model"]["rebuilt"] is False
    for network in report.networks:  # the same rows (with parameters) under the same paths as the live model
        live_rows = [
            (layer.path, layer.params, layer.shared) for layer in live.network(network.name).layers if layer.params
        ]
        assert [(layer.path, layer.params, layer.shared) for layer in network.layers] == live_rows, network.name
    graph = build_graph(report)
    extractor = [
        box.path
        for box in graph.boxes()
        if "features_extractor" in box.path and not box.path.startswith(("actor_target", "critic_target"))
    ]
    assert extractor == [f"{'actor.' if algo != 'PPO' else ''}features_extractor.body.0"]
    (stage,) = [stage for stage in graph.shared if not stage.target]
    assert [box.path for box in items_boxes(stage.items)] == extractor
    assert f"shared by {users[0]} and {users[1]}" in " ".join(stage.caption)
    assert mermaid(report).count(extractor[0]) == 1


def test_an_extractor_per_network_is_not_shared(tmp_path: Path) -> None:
    kwargs = {"net_arch": [8], "features_extractor_class": CustomExtractor, "share_features_extractor": False}
    model = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), kwargs, {})
    model.save(tmp_path / "separate.zip")
    report = sb3inspect.summary(tmp_path / "separate.zip")
    live = sb3inspect.summary(model)
    assert {n.name: n.params for n in report.networks} == {n.name: n.params for n in live.networks}
    assert report.network("vf").layers[0].path == "vf_features_extractor.body.0"
    assert not any(layer.shared for network in report.networks for layer in network.layers)
    assert not build_graph(report).shared
