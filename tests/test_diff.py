"""``sb3inspect diff A B`` and ``sb3inspect.diff(a, b)``: per network, layers added, removed, resized."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import sb3inspect
from sb3inspect.cli import main

from .conftest import ROOT
from .reference import cpu_model

SEED_PATH = ROOT / "configs" / "ppo-101-64x64.yaml"
SEED = {"algo": "PPO", "observation_space": 101, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}}
WIDER = {**SEED, "policy_kwargs": {"net_arch": {"pi": [128, 64], "vf": [64]}, "activation_fn": "ReLU"}}


@pytest.mark.slow
def test_same_architecture_across_source_kinds() -> None:
    from sb3inspect.sources.config import spec_from_mapping

    live = cpu_model(spec_from_mapping(SEED))
    for a, b in (
        (SEED_PATH, SEED),
        (SEED_PATH, live),
        (live, SEED),
        ({**SEED, "policy_kwargs": {"net_arch": {"pi": [64, 64], "vf": [64, 64]}}}, SEED),
    ):
        result = sb3inspect.diff(a, b)
        assert result.same, result
        assert result.params_delta == 0 and "same architecture" in str(result)


def test_layers_resized_added_removed_and_the_deltas() -> None:
    result = sb3inspect.diff(SEED, WIDER)
    assert not result.same
    assert [(name, a, b) for name, a, b in result.facts] == [("activation_fn", "Tanh", "ReLU")]
    pi, vf = result.networks
    assert (pi.status, pi.params_delta) == ("changed", 21572 - 10948)
    assert [(c.path, c.change, c.params_delta) for c in pi.changes] == [
        ("mlp_extractor.policy_net.0", "resized", 6528),
        ("mlp_extractor.policy_net.1", "changed", 0),
        ("mlp_extractor.policy_net.2", "resized", 4096),
        ("mlp_extractor.policy_net.3", "changed", 0),
    ]
    assert [(c.path, c.change) for c in vf.changes] == [
        ("mlp_extractor.value_net.1", "changed"),
        ("mlp_extractor.value_net.2", "removed"),
        ("mlp_extractor.value_net.3", "removed"),
    ]
    assert vf.params_delta == -4160 and result.params_delta == 28165 - 21701


def test_networks_only_on_one_side() -> None:
    sac = {"algo": "SAC", "observation_space": 101, "action_space": "box:4", "policy_kwargs": {"net_arch": [64]}}
    result = sb3inspect.diff(SEED, sac)
    assert {n.name: n.status for n in result.networks} == {
        "pi": "removed",
        "vf": "removed",
        "actor": "added",
        "critic": "added",
        "critic_target": "added",
    }
    assert ("algo", "PPO", "SAC") in result.facts


def test_frozen_layer_is_a_change() -> None:
    from sb3inspect.sources.config import spec_from_mapping

    live = cpu_model(spec_from_mapping(SEED))
    live.policy.action_net.requires_grad_(False)
    (change,) = sb3inspect.diff(SEED, live).networks[0].changes
    assert (change.path, change.change) == ("action_net", "changed")
    assert "Linear 64 → 4 (frozen)" in str(sb3inspect.diff(SEED, live))


def write(tmp_path: Path, name: str, config: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_diff_command_table_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wider = write(tmp_path, "wider.yaml", WIDER)
    assert main(["diff", str(SEED_PATH), str(SEED_PATH)]) == 0
    assert "same architecture" in capsys.readouterr().out

    assert main(["diff", str(SEED_PATH), wider]) == 1
    out = capsys.readouterr().out
    for text in (
        "activation_fn  Tanh  →  ReLU",
        "pi · 10,948 → 21,572 params (+10,624) · hidden [64, 64] → [128, 64]",
        "resized   mlp_extractor.policy_net.0   Linear 101 → 64   Linear 101 → 128   +6,528",
        "removed   mlp_extractor.value_net.2   Linear 64 → 64",
        "totals  21,701 → 28,165 params (+6,464)",
    ):
        assert text in out, out

    assert main(["diff", str(SEED_PATH), wider, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["same"] is False and data["totals"]["params"] == [21701, 28165]
    pi = data["networks"][0]
    assert pi["hidden_sizes"] == [[64, 64], [128, 64]] and pi["changes"][0]["after"]["out_features"] == 128

    assert main(["diff", str(SEED_PATH), str(tmp_path / "missing.yaml")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'missing.yaml'}: no such file\n"


def test_training_hyperparameters_and_optimizer_options_are_listed_not_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two training configs of one architecture: diff says what else differs, and exits 0 (same architecture)."""
    base = {"algo": "PPO", "observation_space": 4, "action_space": "discrete:2"}
    a = write(tmp_path, "a.yaml", {**base, "n_steps": 32, "learning_rate": 0.001, "gamma": 0.9})
    b = write(tmp_path, "b.yaml", {**base, "n_steps": 64, "learning_rate": 0.0003})
    assert main(["diff", a, b, "--format", "json", "--no-cache"]) == 0
    facts = {fact["fact"]: (fact["a"], fact["b"]) for fact in json.loads(capsys.readouterr().out)["facts"]}
    assert facts["training.n_steps"] == (32, 64) and facts["training.learning_rate"] == (0.001, 0.0003)
    assert "training.gamma" not in facts  # b leaves it to SB3's default: not a value to compare
    lr = {side["lr"] for side in facts["optimizers.policy.optimizer"]}
    assert lr == {0.001, 0.0003}
    assert main(["diff", a, b, "--no-cache"]) == 0
    assert "Adam lr 0.001, eps 1e-05  →  Adam lr 0.0003, eps 1e-05" in capsys.readouterr().out
