"""Flags that do not apply are errors, not silently ignored."""

from __future__ import annotations

import os
from typing import Any

import pytest

from sb3inspect.cli import main

from .conftest import ROOT, lacking

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
        (["inspect", SEED, "--env", "CartPole-v1", "--env", "Pendulum-v1"], "a config describes one policy"),
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


def test_flags_replace_a_config_files_values(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    """``inspect train.yaml -k ... --algo ... --env ... --use-sde``: the flags win, and the notes say what they replaced."""
    import json

    path = tmp_path / "train.yaml"
    path.write_text("algo: PPO\nenv: CartPole-v1\nn_steps: 64\npolicy_kwargs: {net_arch: [64, 64]}\n")
    code, out, err = run(
        capsys, "inspect", str(path), "-k", "net_arch=[256,256]", "-k", "gamma=0.9", "--format", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["net_arch"] == [256, 256] and report["training"] == {"n_steps": 64, "gamma": 0.9}
    assert "command line sets policy_kwargs.net_arch to [256, 256] (the config has [64, 64])" in report["notes"]
    args = ("inspect", str(path), "--algo", "sac", "--env", "Pendulum-v1", "--use-sde", "--format", "json")
    code, out, err = run(capsys, *args)
    if reason := lacking("stable_baselines3.SAC.n_steps"):  # the config's n_steps is SAC's too from SB3 2.7 on
        assert code == 2 and reason in err, err
        return
    assert code == 0, err
    report = json.loads(out)
    assert report["algo"] == "SAC" and report["observation_space"]["shape"] == [3]
    assert "command line sets algo to sac (the config has PPO)" in report["notes"]
    assert any(layer["path"] == "actor.log_std" for n in report["networks"] for layer in n["layers"])  # gSDE
    code, out, err = run(capsys, "inspect", str(path), "--obs", "5", "--act", "discrete:3", "--format", "json")
    assert code == 0 and json.loads(out)["observation_space"]["shape"] == [5], err
    code, out, err = run(capsys, "check", str(path), "--algo", "a2c")
    assert code == 0 and "· A2C ·" in out, err


def test_a_flags_mistake_is_the_flags_not_the_files(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    """A typo in -k, a space flag that half-replaces the file's env, and --env with --obs/--act name the flags."""
    path = tmp_path / "train.yaml"
    path.write_text("algo: PPO\nenv: CartPole-v1\nn_steps: 64\n")
    code, _, err = run(capsys, "inspect", str(path), "-k", "n_stpes=3", "--no-cache")
    assert code == 2 and err.startswith("error: command line: n_stpes: unknown key") and "'n_steps'" in err, err
    code, _, err = run(capsys, "inspect", str(path), "--obs", "8", "--no-cache")
    assert code == 2 and err.startswith("error: command line: observation_space replaces") and "--act" in err, err
    quick = ("inspect", "--algo", "ppo", "--env", "CartPole-v1", "--obs", "7", "--act", "discrete:3", "--no-cache")
    code, _, err = run(capsys, *quick)
    assert code == 2 and "both give the spaces" in err, err


def test_a_number_written_as_text_is_named_when_sb3_refuses_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "train.yaml"
    path.write_text('algo: PPO\nobservation_space: 4\naction_space: discrete:2\nlearning_rate: "3e-4"\n')
    code, _, err = run(capsys, "inspect", str(path), "--no-cache")
    assert code == 2 and "train.yaml: learning_rate: expected a number" in err, err
    assert "(write the number without quotes)" in err and err.count("\n") == 1, err
    path.write_text('algo: PPO\nobservation_space: 4\naction_space: discrete:2\nn_steps: "128"\n')
    code, _, err = run(capsys, "inspect", str(path), "--no-cache")
    assert code == 2 and "n_steps is the text '128': write the number without quotes" in err, err


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ("cartpole-v1", "did you mean 'CartPole-v1'"),
        ("CartPole-v9", "did you mean 'CartPole-v1'"),
        ("NoSuchEnv-v0", "nor under a similar name: check the id, or install"),
        ("nosuchspace/Thing-v0", "the package of namespace 'nosuchspace' is not installed"),
    ],
)
def test_an_unknown_env_id_says_what_to_do(capsys: pytest.CaptureFixture[str], env: str, said: str) -> None:
    code, _, err = run(capsys, "inspect", "--algo", "ppo", "--env", env, "--no-cache")
    assert code == 2 and said in err and err.count("\n") == 1, err


def test_flags_replace_an_rl_zoo3_entrys_values(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, err = run(
        capsys,
        "inspect",
        zoo("ppo.yml"),
        "--env",
        "CartPole-v1",
        "-k",
        "n_steps=64",
        "--net-arch",
        "16",
        "--format",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["net_arch"] == [16] and report["training"]["n_steps"] == 64
    code, _, err = run(capsys, "inspect", zoo("ppo.yml"), "--env", "CartPole-v1", "--obs", "5")
    assert code == 2 and "an rl-zoo3 entry's spaces are its env's" in err


def test_an_rl_zoo3_entry_takes_both_spaces_for_an_env_it_cannot_make(capsys: pytest.CaptureFixture[str]) -> None:
    """MuJoCo or Box2D missing: --obs and --act stand for the env's spaces, the entry's settings still apply (the
    same network as with the env made, here Pendulum's entry with gSDE)."""
    import json

    made = run(capsys, "inspect", zoo("ppo.yml"), "--env", "Pendulum-v1", "--format", "json")
    given = run(
        capsys, "inspect", zoo("ppo.yml"), "--env", "Pendulum-v1", "--obs", "3", "--act", "box:1", "--format", "json"
    )
    assert made[0] == given[0] == 0, given[2]
    with_env, with_spaces = json.loads(made[1]), json.loads(given[1])
    for key in ("networks", "totals", "training", "action_distribution", "settings"):
        assert with_spaces[key] == with_env[key], key
    assert any("the spaces given replace Pendulum-v1's" in note for note in with_spaces["notes"])
    code, _, err = run(capsys, "inspect", zoo("ppo.yml"), "--obs", "3", "--act", "box:1")
    assert code == 2 and "choose one entry with --env" in err


def test_flags_do_not_apply_to_a_saved_model(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    import warnings

    from stable_baselines3 import PPO

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, device="cpu").save(tmp_path / "m.zip")
    code, _, err = run(capsys, "inspect", str(tmp_path / "m.zip"), "--net-arch", "8")
    assert code == 2 and "a saved model is rebuilt from the settings it was saved with" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", SEED, "--explain", "--format", "json"], "the JSON report already holds every figure"),
        (["inspect", SEED, "--width", "80", "--format", "json"], "--width: sets the width of a table"),
        (["diff", SEED, SEED, "--width", "80", "--format", "json"], "--width: sets the width of a table"),
        (["inspect", SEED, "--width", "20"], "20 is not in the range x>=40"),
    ],
)
def test_output_flags_that_would_do_nothing(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err, err


def test_width_below_100_wraps_the_prose_and_keeps_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "inspect", SEED, "--width", "60", "--explain")
    assert code == 0, err
    lines = out.splitlines()
    rows = [line for line in lines if line.startswith("mlp_extractor.")]
    assert rows and all(len(line) > 60 for line in rows)  # a table row is never cut
    prose = [line for line in lines if line.startswith(("why", "note", "totals", "        ")) and "total " not in line]
    assert prose and all(len(line) <= 60 for line in prose)
    assert any(line.startswith("        ") for line in prose)  # the hanging indent of a wrapped line


@pytest.mark.parametrize("command", [["inspect", SEED], ["diff", SEED, SEED], ["scan", SEED]])
def test_format_names_are_case_insensitive(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    """-f JSON is -f json (click's choices are case-sensitive unless told)."""
    import json

    code, out, err = run(capsys, *command, "-f", "JSON", "--no-cache")
    assert code == 0 and json.loads(out) is not None, err
