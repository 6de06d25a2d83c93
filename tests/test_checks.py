"""``check_net_arch`` in a training script and ``sb3inspect check`` in CI: exit 0 ok, 1 failed, 2 bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.errors import ConfigError, NetArchMismatch

from .conftest import ROOT

SEED = {"algo": "PPO", "observation_space": 101, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}}


def cfg(algo: str, action: str, net_arch: Any) -> dict[str, Any]:
    return {"algo": algo, "observation_space": 5, "action_space": action, "policy_kwargs": {"net_arch": net_arch}}


def test_check_net_arch_passes_and_returns_the_report() -> None:
    report = sb3inspect.check_net_arch(SEED, pi=[64, 64], vf=[64, 64], max_params=50_000)
    assert report.totals.params == 21701


def test_mismatch_is_an_assertion_error_showing_expected_and_built() -> None:
    with pytest.raises(AssertionError) as info:
        sb3inspect.check_net_arch(SEED, pi=[256, 256], vf=[64, 64], max_params=20_000)
    error = info.value
    assert isinstance(error, NetArchMismatch) and isinstance(error, sb3inspect.Sb3InspectError)
    assert error.problems == [
        "pi: expected [256, 256], built [64, 64]",
        "params: 21,701 is over max_params 20,000 (21,701 trainable)",
    ]
    assert str(error).startswith("<dict> (PPO · ActorCriticPolicy) does not match: 2 problems\n  pi: expected")
    assert error.report.totals.params == 21701


@pytest.mark.parametrize(
    ("config", "expect", "network"),
    [
        (cfg("SAC", "box:2", {"pi": [8], "qf": [4, 4]}), {"pi": [8], "qf": [4, 4]}, "actor"),
        (cfg("TD3", "box:2", [8]), {"qf": [8], "pi": [8]}, "critic"),
        (cfg("DQN", "discrete:2", [8]), {"qf": [8]}, "q_net"),
        (cfg("QRDQN", "discrete:2", [8]), {"qf": [8]}, "quantile_net"),
        (cfg("ARS", "discrete:2", [8]), {"pi": [8]}, "pi"),
    ],
)
def test_pi_vf_qf_map_onto_off_policy_networks(
    config: dict[str, Any], expect: dict[str, list[int]], network: str
) -> None:
    sb3inspect.check_net_arch(config, **expect)
    wrong = {name: [*widths, 1] for name, widths in expect.items()}
    with pytest.raises(NetArchMismatch) as info:
        sb3inspect.check_net_arch(config, **wrong)
    first, widths = next(iter(wrong.items()))
    label = first if first == network else f"{first} ({network})"
    assert f"{label}: expected {widths}, built {expect[first]}" in info.value.problems


@pytest.mark.parametrize(
    ("config", "expect", "message"),
    [
        (
            cfg("SAC", "box:2", [8]),
            {"vf": [8]},
            "vf: expected [8], but SAC has no such network (it has actor, critic, critic_target); its critic is checked with qf",
        ),
        (SEED, {"qf": [64]}, "its value network is checked with vf"),
        (cfg("DQN", "discrete:2", [8]), {"pi": [8]}, "its net_arch builds the q-network: check it with qf"),
    ],
)
def test_a_network_the_algorithm_lacks_fails_with_a_hint(
    config: dict[str, Any], expect: dict[str, list[int]], message: str
) -> None:
    with pytest.raises(NetArchMismatch) as info:
        sb3inspect.check_net_arch(config, **expect)
    assert message in str(info.value)


def test_lint_errors_fail_warnings_only_when_strict() -> None:
    with pytest.raises(NetArchMismatch, match="NA001 qf-key-on-policy"):
        sb3inspect.check_net_arch(cfg("PPO", "discrete:2", {"pi": [8], "qf": [8]}))
    wrapped = cfg("PPO", "discrete:2", [{"pi": [8], "vf": [8]}])
    assert sb3inspect.check_net_arch(wrapped, pi=[8]).findings[0].code == "NA005"
    with pytest.raises(NetArchMismatch, match="warning NA005"):
        sb3inspect.check_net_arch(wrapped, strict=True)


@pytest.mark.parametrize("expect", [{"pi": 64}, {"pi": [64.0]}, {"pi": "64,64"}, {"pi": [-1]}])
def test_bad_expectations_are_config_errors(expect: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="check_net_arch: pi: expected hidden widths such as"):
        sb3inspect.check_net_arch(SEED, **expect)


# -- the command -------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, config: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = write(tmp_path, "seed.yaml", SEED)
    qf = write(tmp_path, "qf.yaml", cfg("PPO", "discrete:2", {"pi": [8], "qf": [8]}))
    wrapped = write(tmp_path, "wrapped.yaml", cfg("PPO", "discrete:2", [{"pi": [8], "vf": [8]}]))
    broken = write(tmp_path, "broken.yaml", {"algo": "PPO2"})

    code, out, err = run(capsys, seed, "--expect", "pi=64,64", "--expect", "vf=64,64", "--max-params", "50000")
    assert code == 0 and out.startswith("ok ") and "pi [64, 64] · vf [64, 64] · 21,701 params" in out and not err

    code, out, _ = run(capsys, seed, "-e", "pi=256,256")
    assert code == 1 and "FAILED" in out and "pi: expected [256, 256], built [64, 64]" in out

    code, out, _ = run(capsys, seed, "--max-params", "20000")
    assert code == 1 and "21,701 is over max_params 20,000" in out

    code, out, _ = run(capsys, qf)
    assert code == 1 and "error NA001 qf-key-on-policy" in out and "fix: rename qf to vf" in out

    code, out, _ = run(capsys, wrapped)
    assert code == 0 and "warning NA005" in out
    code, out, _ = run(capsys, wrapped, "--strict")
    assert code == 1 and out.startswith("FAILED")

    code, out, err = run(capsys, broken)
    assert code == 2 and err == f"error: {broken}: algo: unknown algorithm 'PPO2' (did you mean 'PPO'?)\n"


def test_check_many_sources_reports_each_and_the_worst_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = write(tmp_path, "seed.yaml", SEED)
    qf = write(tmp_path, "qf.yaml", cfg("PPO", "discrete:2", {"pi": [8], "qf": [8]}))
    code, out, _ = run(capsys, seed, qf)
    assert code == 1 and out.splitlines()[-1] == "2 checked: 1 ok, 1 failed"
    code, out, err = run(capsys, seed, str(tmp_path / "missing.yaml"), qf)
    assert code == 2 and "could not be read" in out and err.count("error:") == 1 and "FAILED" in out
    code, out, _ = run(capsys, *map(str, sorted((ROOT / "configs").iterdir())))
    assert code == 0, out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-e", "pj=64"], "error: --expect: unknown network 'pj'"),
        (["-e", "pi=a"], "error: --expect pi=a: 'a' is not a layer width"),
        (["-e", "pi"], "error: --expect: expected NAME=WIDTHS, got 'pi'"),
        (["--max-params", "-1"], "error: Invalid value for '--max-params'"),
    ],
)
def test_check_bad_flags(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, str(ROOT / "configs" / "ppo-101-64x64.yaml"), *args)
    assert code == 2 and err.startswith(message) and err.count("\n") == 1, err


def test_pre_commit_hook_runs_check() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "sb3inspect-check" and hook["entry"] == "sb3inspect check" and hook["language"] == "python"


def test_check_net_arch_takes_any_network_by_name_as_expect_does() -> None:
    """``check_net_arch(model, critic=[...])`` as ``--expect critic=...``: on a live model too."""
    import warnings

    from stable_baselines3 import TD3

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TD3("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [32, 32]}, buffer_size=1, device="cpu")
    sb3inspect.check_net_arch(model, critic=[32, 32], actor=[32, 32], critic_target=[32, 32])
    with pytest.raises(NetArchMismatch, match=r"critic: expected \[64, 64\], built \[32, 32\]"):
        sb3inspect.check_net_arch(model, critic=[64, 64])
