"""Flags that do not apply are errors, not silently ignored."""

from __future__ import annotations

import os

import pytest

from sb3inspect.cli import main

from .conftest import ROOT

SEED = str(ROOT / "configs" / "ppo-101-64x64.yaml")


def zoo(name: str) -> str:
    import rl_zoo3

    return os.path.join(os.path.dirname(rl_zoo3.__file__), "hyperparams", name)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", SEED, "--algo", "sac"], "a config names its algorithm itself"),
        (["inspect", SEED, "--env", "CartPole-v1"], "is a config, not an rl-zoo3 file"),
        (["check", SEED, "--env", "CartPole-v1"], "is a config, not an rl-zoo3 file"),
        (["diagram", SEED, "-o", "/tmp/x.svg", "--env", "a", "--env", "b"], "a diagram draws one policy"),
        (["diff", SEED, SEED, "--env", "a", "--env", "b"], "diff compares one policy with one"),
    ],
)
def test_flags_that_do_not_apply(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith("error: ") and message in err, err


def test_check_a_zoo_file_checks_every_entry_it_can(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", zoo("ppo.yml"), "--expect", "pi=64,64")
    assert code == 0, err
    assert "ppo.yml [CartPole-v1]" in out and "checked:" in out
    assert "skipped:" in err  # entries whose env cannot be made here (Atari, MuJoCo, ...)


def test_check_takes_several_envs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", zoo("ppo.yml"), "--env", "CartPole-v1", "--env", "Pendulum-v1")
    assert code == 0
    assert "[CartPole-v1]" in out and "[Pendulum-v1]" in out and "2 checked" in out


def test_box_bounds_must_be_ordered(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "inspect", "--algo", "ppo", "--obs", "{type: Box, shape: [3], low: 5, high: 1}", "--act", "discrete:2"
    )
    assert code == 2 and "low (5) is above high (1)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "inspect",
                "--algo",
                "ppo",
                "--obs",
                "3",
                "--act",
                "discrete:2",
                "--net-arch",
                "pi=64",
                "--net-arch",
                "pi=32",
            ],
            "pi= given twice",
        ),
        (
            [
                "inspect",
                "--algo",
                "ppo",
                "--obs",
                "3",
                "--act",
                "discrete:2",
                "-k",
                "net_arch=[32]",
                "--net-arch",
                "64",
            ],
            "net_arch given by both",
        ),
        (
            [
                "inspect",
                "--algo",
                "ppo",
                "--obs",
                "3",
                "--act",
                "discrete:2",
                "-k",
                "ortho_init=true",
                "-k",
                "ortho_init=false",
            ],
            "ortho_init given twice",
        ),
        (["check", SEED, "--expect", "pi=64,64", "--expect", "pi=32"], "pi= given twice"),
        (["check", SEED, "--expect", "pi=sixty"], "'sixty' is not a layer width"),
        (["inspect", SEED, "--net-arch", "32"], "describe a config of their own"),
    ],
)
def test_conflicting_flags(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err, err


def test_debug_is_accepted_after_the_command() -> None:
    with pytest.raises(Exception, match="no such file"):
        main(["inspect", "missing.yaml", "--debug"])


def test_inspect_reports_the_good_sources_and_fails_on_the_bad(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "inspect", SEED, "missing.yaml", "-f", "json")
    assert code == 2
    assert '"algo": "PPO"' in out
    assert err.strip() == "error: missing.yaml: no such file"


def test_python_dicts_take_classes_and_spaces() -> None:
    import gymnasium as gym
    import torch.nn as nn
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    import sb3inspect

    class Tiny(BaseFeaturesExtractor):
        def __init__(self, space: gym.Space, features_dim: int = 7) -> None:
            super().__init__(space, features_dim)
            self.linear = nn.Linear(space.shape[0], features_dim)

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.linear(x)

    space = gym.spaces.Box(-1, 1, (5,))
    report = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": space,
            "action_space": gym.spaces.Discrete(3),
            "policy_kwargs": {"activation_fn": nn.ReLU, "features_extractor_class": Tiny, "net_arch": [8]},
        }
    )
    assert report.activation_fn == "ReLU" and report.features_extractor["class"] == "Tiny"
    assert report.totals.params == (5 * 7 + 7) + (7 * 8 + 8) * 2 + (8 * 3 + 3) + (8 + 1)
