"""Lint findings: each pitfall SB3 builds silently, reported with a code, a level and a fix.

Every case is also held against a real CPU build: a finding never changes what is built, the
report shows what SB3 really builds (an empty vf, a Linear with 0 outputs, only the first mapping).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb3inspect import summary
from sb3inspect.analysis.lint import CODES, lint_net_arch
from sb3inspect.errors import ConfigError
from sb3inspect.sources.config import spec_from_mapping

from .reference import assert_same_as_cpu_build
from .test_cli import invoke


def config(net_arch: Any, algo: str = "PPO", action: str = "discrete:4") -> dict[str, Any]:
    return {"algo": algo, "observation_space": 5, "action_space": action, "policy_kwargs": {"net_arch": net_arch}}


SB2_172 = [{"activation_fn": "ReLU", "pi": [32, 32], "vf": [33, 32]}, {"lstm": 55}, {"pi": [25], "vf": [26]}]

# (config, codes found, built hidden sizes, a piece of the first finding's fix)
CASES: list[tuple[dict[str, Any], list[str], dict[str, list[int]], str]] = [
    (config({"pi": [8], "qf": [8]}), ["NA001"], {"pi": [8], "vf": []}, "rename qf to vf: net_arch: {pi: [8], vf: [8]}"),
    (
        config({"pi": [8], "fv": [8]}),
        ["NA002"],
        {"pi": [8], "vf": []},
        "did you mean 'vf'? net_arch: {pi: [8], vf: [8]}",
    ),
    (
        config({"pi": [8], "qf": [8], "vf": [4]}, "SAC", "box:2"),
        ["NA002"],
        {"actor": [8], "critic": [8]},
        "remove 'vf': net_arch: {pi: [8], qf: [8]}",
    ),
    (config({"pi": [8]}, "A2C"), ["NA003"], {"pi": [8], "vf": []}, "net_arch: {pi: [8], vf: [8]}; or write vf: []"),
    (config([8, 0]), ["NA004"], {"pi": [8, 0], "vf": [8, 0]}, "remove the 0: net_arch: [8]"),
    (config({"pi": [0], "vf": [4]}), ["NA004"], {"pi": [0], "vf": [4]}, "remove the 0: net_arch: {pi: [], vf: [4]}"),
    (config([0], "DQN"), ["NA004"], {"q_net": [0]}, "remove the 0: net_arch: []"),
    (
        config([{"pi": [8], "vf": [4]}]),
        ["NA005"],
        {"pi": [8], "vf": [4]},
        "drop the list: net_arch: {pi: [8], vf: [4]}",
    ),
    (
        config([{"pi": [8]}, {"vf": [4]}]),
        ["NA006"],
        {"pi": [8], "vf": []},
        "write one mapping: net_arch: {pi: [8], vf: [4]}",
    ),
    (
        config(SB2_172, "RecurrentPPO"),
        ["NA006", "NA002"],
        {"pi": [32, 32], "vf": [33, 32]},
        "net_arch: {pi: [25], vf: [26]} and lstm_hidden_size: 55",
    ),
]


@pytest.mark.parametrize(("cfg", "codes", "built", "fix"), CASES, ids=[f"{c[1][0]}-{i}" for i, c in enumerate(CASES)])
def test_each_pitfall_is_a_finding_and_the_report_shows_what_sb3_builds(
    cfg: dict[str, Any], codes: list[str], built: dict[str, list[int]], fix: str
) -> None:
    report = summary(cfg)
    assert [f.code for f in report.findings] == codes
    first = report.findings[0]
    assert (first.name, first.level) == CODES[first.code]
    assert fix in first.fix, first.fix
    assert first.where.startswith("<dict>: policy_kwargs.net_arch")
    for name, sizes in built.items():
        assert list(report.network(name).hidden_sizes) == sizes
    assert_same_as_cpu_build(cfg)


def test_messages_say_what_sb3_does() -> None:
    qf = summary(config({"pi": [8], "qf": [8]})).findings[0]
    assert "SB3 ignores 'qf' and builds vf with no hidden layers" in qf.message
    sb2 = summary(config(SB2_172, "RecurrentPPO"))
    assert "sb3-contrib#172" in sb2.findings[0].message and "drops the rest" in sb2.findings[0].message
    assert "ignores 'activation_fn'" in sb2.findings[1].message
    assert not any("SB3 warns: As shared layers" in note for note in sb2.notes)  # the finding says it, with the fix


def test_clean_configs_have_no_findings() -> None:
    for net_arch in ([64, 64], {"pi": [8], "vf": []}, []):
        assert summary(config(net_arch)).findings == ()
    assert summary(config({"pi": [8], "qf": [4]}, "TD3", "box:2")).findings == ()


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        (config([8, -1]), "a layer width cannot be negative, got -1"),
        (config([8, {"pi": [4], "vf": [4]}]), "net_arch: {pi: [8, 4], vf: [8, 4]} (separate, not shared, layers)"),
        (
            config({"pi": [8], "vf": [8]}, "SAC", "box:2"),
            "SB3 fails with an assertion naming 'qf': write net_arch: {pi: [8], qf: [8]}",
        ),
        (config([{"pi": [8], "qf": [8]}], "TD3", "box:2"), "closest SB3 2.x config is net_arch: {pi: [8], qf: [8]}"),
    ],
)
def test_what_sb3_cannot_build_stays_an_error_with_the_rewrite(cfg: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        spec_from_mapping(cfg)
    assert message in str(info.value)


def test_live_model_is_linted_from_its_policy_kwargs() -> None:
    from stable_baselines3 import PPO

    from sb3inspect.sources.envs import spaces_env
    from sb3inspect.sources.spaces import parse_space, to_gym

    env = spaces_env(to_gym(parse_space(5, "obs")), to_gym(parse_space("discrete:2", "act", action=True)))
    model = PPO(
        "MlpPolicy", env, policy_kwargs={"net_arch": {"pi": [8], "qf": [8]}}, n_steps=8, batch_size=8, device="cpu"
    )
    (finding,) = summary(model).findings
    assert finding.code == "NA001" and finding.fix == "rename qf to vf: net_arch=dict(pi=[8], vf=[8])"


def test_lint_is_defensive_on_unexpected_values() -> None:
    for value in (None, "64,64", 3, [1.5, "x"], {"pi": "a"}, ({"pi": [1]},)):
        lint_net_arch(value, algo="PPO", family="on_policy")


def test_inspect_shows_findings_in_every_format() -> None:
    args = ("inspect", "--algo", "ppo", "--obs", "5", "--act", "discrete:2", "--net-arch", "pi=8", "--net-arch", "qf=8")
    table = invoke(*args)
    assert table.exit_code == 0, table.output
    assert (
        "error   NA001 qf-key-on-policy at command line: policy_kwargs.net_arch.qf" in table.stdout
        and "fix: rename qf to vf" in table.stdout
    )
    assert "### Findings" in invoke(*args, "-f", "markdown").stdout
    (finding,) = json.loads(invoke(*args, "-f", "json").stdout)["findings"]
    assert finding["code"] == "NA001" and finding["level"] == "error" and finding["fix"].startswith("rename qf to vf")
