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


@pytest.mark.parametrize(("args", "message"), [
    (["inspect", SEED, "--algo", "sac"], "a config names its algorithm itself"),
    (["inspect", SEED, "--env", "CartPole-v1"], "is a config, not an rl-zoo3 file"),
    (["check", SEED, "--env", "CartPole-v1"], "is a config, not an rl-zoo3 file"),
    (["diagram", SEED, "-o", "/tmp/x.svg", "--env", "a", "--env", "b"], "a diagram draws one policy"),
    (["diff", SEED, SEED, "--env", "a", "--env", "b"], "diff compares one policy with one"),
])
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
    code, _, err = run(capsys, "inspect", "--algo", "ppo", "--obs", "{type: Box, shape: [3], low: 5, high: 1}", "--act",
                       "discrete:2")
    assert code == 2 and "low (5) is above high (1)" in err
