"""Refusals say what to do instead, and SB3 itself refuses each of these configs (a real CPU build fails)."""

from __future__ import annotations

from typing import Any

import pytest

import sb3inspect
from sb3inspect.errors import ConfigError
from sb3inspect.sources.config import spec_from_mapping

from .reference import cpu_model

IMAGE_LAST_FLOAT = {"type": "Box", "shape": [48, 48, 3], "dtype": "float32", "low": 0, "high": 1}

REFUSED: list[tuple[dict[str, Any], str, tuple[str, ...], tuple[str, ...]]] = [
    (
        {"algo": "PPO", "policy": "MlpLstmPolicy", "observation_space": 4, "action_space": "discrete:2"},
        "policy",
        ("algo: RecurrentPPO", "keep policy: MlpLstmPolicy"),
        ("did you mean 'MlpPolicy'",),
    ),
    (
        {"algo": "SAC", "policy": "MlpLstmPolicy", "observation_space": 4, "action_space": "box:2"},
        "policy",
        ("neither SB3 nor sb3-contrib has a recurrent policy for SAC", "frame_stack", "RecurrentPPO"),
        ("did you mean",),
    ),
    (
        {
            "algo": "PPO",
            "observation_space": 4,
            "action_space": "discrete:2",
            "policy_kwargs": {"activation_fn": {"pi": "Tanh", "vf": "ReLU"}},
        },
        "policy_kwargs.activation_fn",
        ("custom mlp_extractor", "_build_mlp_extractor"),
        (),
    ),
    (
        {
            "algo": "PPO",
            "observation_space": 4,
            "action_space": "discrete:2",
            "policy_kwargs": {"net_arch": [64, {"pi": [32], "vf": [32]}]},
        },
        "policy_kwargs.net_arch",
        ("removed in SB3 1.8", "features extractor (features_extractor_class)"),
        (),
    ),
    (
        {
            "algo": "RecurrentPPO",
            "observation_space": 4,
            "action_space": "discrete:2",
            "policy_kwargs": {"shared_lstm": True},
        },
        "policy_kwargs.shared_lstm",
        ("enable_critic_lstm: false",),
        (),
    ),
    (
        {
            "algo": "PPO",
            "policy": "CnnPolicy",
            "observation_space": IMAGE_LAST_FLOAT,
            "action_space": "discrete:2",
            "policy_kwargs": {"normalize_images": False},
        },
        "observation_space",
        ("channel-last (48×48×3)", "shape [3, 48, 48]", "uint8 in [0, 255]"),
        ("larger frames",),
    ),
    (
        {
            "algo": "PPO",
            "policy": "CnnPolicy",
            "observation_space": {**IMAGE_LAST_FLOAT, "high": 255},
            "action_space": "discrete:2",
        },
        "observation_space",
        ("normalize_images: false", "scale it to [0, 1] yourself", "channel-first, shape [3, 48, 48]"),
        (),
    ),
    (
        {
            "algo": "DQN",
            "observation_space": {
                "type": "Dict",
                "spaces": {"image": {"type": "Box", "shape": [16, 16, 3], "dtype": "uint8"}, "pos": 2},
            },
            "action_space": "discrete:2",
        },
        "observation_space.spaces.image",
        ("custom features_extractor_class", "float32 dtype", "normalize_images: false does not help"),
        ("MlpPolicy",),
    ),
    (
        {"algo": "PPO", "observation_space": 4, "action_space": "discrete:2", "policy_kwargs": {"layer_norm": True}},
        "policy_kwargs.layer_norm",
        ("no layer normalization", "CrossQ"),
        (),
    ),
    (
        {"algo": "DQN", "observation_space": 4, "action_space": "discrete:2", "policy_kwargs": {"dueling": True}},
        "policy_kwargs.dueling",
        ("vanilla", "QNetwork"),
        (),
    ),
]


@pytest.mark.parametrize(
    ("config", "where", "says", "never"), REFUSED, ids=lambda v: str(v)[:40] if isinstance(v, str) else None
)
def test_refusals_say_what_to_do(
    config: dict[str, Any], where: str, says: tuple[str, ...], never: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as caught:
        sb3inspect.summary(config)
    assert caught.value.where.endswith(where), caught.value.where
    text = str(caught.value)
    for words in says:
        assert words in text, text
    for words in never:
        assert words not in text, text


@pytest.mark.parametrize(
    "config",
    [
        config
        for config, where, _, _ in REFUSED
        if not where.endswith(("policy", "activation_fn", "net_arch", "layer_norm", "dueling"))
    ],
    ids=lambda c: f"{c['algo']}-{str(c.get('policy_kwargs', c['observation_space']))[:30]}",
)
def test_sb3_refuses_them_too(config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Shape and keyword refusals are checked before SB3 runs; SB3 itself fails on the same config."""
    from sb3inspect.sources import config as config_module

    monkeypatch.setattr(config_module, "check_extractor", lambda *args, **kwargs: None)
    monkeypatch.setattr(config_module, "check_policy_kwargs", lambda kwargs, *args, **more: dict(kwargs))
    spec = spec_from_mapping(config)
    monkeypatch.undo()
    with pytest.raises(Exception):  # noqa: B017 - SB3's own assertion or torch's kernel error
        cpu_model(spec)
