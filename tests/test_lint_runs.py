"""What SB3 builds but cannot run: built as SB3 builds it (the same parameters and layers as a CPU build)
and linted with an error that says where the first forward pass or gradient step fails."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import sb3inspect
from sb3inspect.pipeline import summarize_spec
from sb3inspect.sources.config import spec_from_mapping

from .conftest import skip_if_lacking
from .reference import cpu_model, reported_sizes, sized_modules

BOX = {"type": "Box", "shape": [5], "dtype": "float32"}
SCALAR = {"type": "Box", "shape": []}
DICT = {"type": "Dict", "spaces": {"a": 3, "b": {"type": "MultiBinary", "n": 2}}}
IMAGE = {"type": "Box", "shape": [3, 36, 36], "dtype": "uint8"}

CASES: list[tuple[dict[str, Any], str]] = [
    ({"algo": "PPO", "policy": "MlpPolicy", "observation_space": SCALAR, "action_space": "discrete:3"}, "RN001"),
    ({"algo": "SAC", "observation_space": SCALAR, "action_space": "box:2"}, "RN001"),
    ({"algo": "RecurrentPPO", "policy": "MlpLstmPolicy", "observation_space": DICT, "action_space": "box:2"}, "RN002"),
    ({"algo": "ARS", "policy": "LinearPolicy", "observation_space": DICT, "action_space": "box:2"}, "RN002"),
    (
        {
            "algo": "TD3",
            "policy": "CnnPolicy",
            "observation_space": IMAGE,
            "action_space": "box:2",
            "policy_kwargs": {"n_critics": 0, "share_features_extractor": True},
        },
        "RN003",
    ),
    (
        {
            "algo": "DDPG",
            "policy": "CnnPolicy",
            "observation_space": IMAGE,
            "action_space": "box:2",
            "policy_kwargs": {"n_critics": 0, "share_features_extractor": True},
        },
        "RN003",
    ),
    ({"algo": "TQC", "observation_space": BOX, "action_space": "box:2", "policy_kwargs": {"n_quantiles": 0}}, "RN004"),
    (
        {"algo": "QRDQN", "observation_space": BOX, "action_space": "discrete:3", "policy_kwargs": {"n_quantiles": 0}},
        "RN004",
    ),
    (
        {
            "algo": "RecurrentPPO",
            "observation_space": BOX,
            "action_space": "discrete:3",
            "policy_kwargs": {"lstm_hidden_size": 8, "lstm_kwargs": {"proj_size": 4}},
        },
        "RN005",
    ),
    (
        {
            "algo": "RecurrentPPO",
            "observation_space": BOX,
            "action_space": "discrete:3",
            "policy_kwargs": {"lstm_hidden_size": 8, "lstm_kwargs": {"bidirectional": True}},
        },
        "RN005",
    ),
    (
        {
            "algo": "PPO",
            "observation_space": BOX,
            "action_space": "discrete:3",
            "policy_kwargs": {"activation_fn": "GLU"},
        },
        "RN006",
    ),
    (
        {
            "algo": "SAC",
            "observation_space": BOX,
            "action_space": "box:2",
            "policy_kwargs": {"activation_fn": "Softmax2d"},
        },
        "RN006",
    ),
    (
        {
            "algo": "CrossQ",
            "observation_space": BOX,
            "action_space": "box:2",
            "policy_kwargs": {"batch_norm": True, "batch_norm_momentum": "0.02"},
        },
        "RN007",
    ),
]


@pytest.mark.parametrize(("config", "code"), CASES, ids=[f"{code}-{c['algo']}" for c, code in CASES])
def test_built_as_sb3_builds_it_and_linted(config: dict[str, Any], code: str) -> None:
    skip_if_lacking(config["algo"])
    spec = spec_from_mapping(config)
    report = summarize_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cpu_model(spec)
    assert report.totals.params == sum(p.numel() for p in model.policy.parameters())
    assert reported_sizes(report) == sized_modules(model.policy)
    assert [f.code for f in report.findings] == [code]
    assert all(f.level == "error" for f in report.findings)


def test_a_finding_fails_check() -> None:
    config, _ = CASES[0]
    with pytest.raises(sb3inspect.NetArchMismatch, match="RN001"):
        sb3inspect.check_net_arch(config)


def test_what_sb3_refuses_stays_refused() -> None:
    """n_critics: 0 without a shared extractor in the critic's optimizer: torch refuses the empty optimizer."""
    from sb3inspect.errors import BuildError

    with pytest.raises(BuildError, match="optimizer got an empty parameter list"):
        sb3inspect.summary(
            {"algo": "SAC", "observation_space": BOX, "action_space": "box:2", "policy_kwargs": {"n_critics": 0}}
        )
    with pytest.raises(BuildError, match="SB3 cannot build this PPO MlpPolicy"):  # SB3's TypeError for the text
        sb3inspect.summary(
            {
                "algo": "PPO",
                "observation_space": BOX,
                "action_space": "box:2",
                "policy_kwargs": {"log_std_init": "-0.5"},
            }
        )
    import torch

    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.Adam([])
    with pytest.raises(sb3inspect.Sb3InspectError, match="ARS has no policy for Dict observations"):
        sb3inspect.summary({"algo": "ARS", "policy": "MlpPolicy", "observation_space": DICT, "action_space": "box:2"})
