"""rl-baselines3-zoo files and env ids: entries built as rl-zoo3 builds them, and nothing from a file run."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any, ClassVar

import gymnasium
import numpy as np
import pytest
import yaml
from gymnasium import spaces

from sb3inspect.cli import main
from sb3inspect.errors import ConfigError, SourceError
from sb3inspect.pipeline import inspect_path, summarize_path, summarize_spec
from sb3inspect.sources.config import spec_from_mapping
from sb3inspect.sources.pyexpr import policy_kwargs_from_text, read_expression

from .conftest import lacking
from .reference import assert_matches_cpu_build, reported_sizes, sized_modules

rl_zoo3_spec = __import__("importlib.util").util.find_spec("rl_zoo3")
HYPERPARAMS = Path(rl_zoo3_spec.submodule_search_locations[0]) / "hyperparams" if rl_zoo3_spec else None
needs_zoo = pytest.mark.skipif(HYPERPARAMS is None, reason="rl_zoo3 is not installed")
CLASSIC_CONTROL = {"CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "Acrobot-v1"}
OFF_POLICY = {"dqn", "qrdqn", "sac", "td3", "ddpg", "tqc", "crossq"}
LUNAR_LANDER = max(i for i in gymnasium.envs.registry if re.fullmatch(r"LunarLander-v\d+", i))
"""LunarLander-v2 before gymnasium 1.0, v3 since."""
OLD_GYMNASIUM = lacking("gymnasium.wrappers.FrameStackObservation") is not None
FRAME_STACK, STACK_SIZE = ("FrameStack", "num_stack") if OLD_GYMNASIUM else ("FrameStackObservation", "stack_size")
"""gymnasium 1.0 renamed FrameStack(num_stack=) to FrameStackObservation(stack_size=)."""


class AtariEnv(gymnasium.Env):
    """Stands in for an ALE game (ale-py is not a test dependency): RGB frames, ALE action meanings.

    Its class name is what rl-zoo3's ``is_atari`` looks for in the registered entry point.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, **_: Any) -> None:
        self.observation_space = spaces.Box(0, 255, (210, 160, 3), np.uint8)
        self.action_space = spaces.Discrete(4)

    def get_action_meanings(self) -> list[str]:
        return ["NOOP", "FIRE", "RIGHT", "LEFT"]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        return self.observation_space.sample(), {}

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        return self.observation_space.sample(), 0.0, False, False, {}


FAKE_ATARI = "FakeGameNoFrameskip-v4"
if FAKE_ATARI not in gymnasium.envs.registry:
    gymnasium.register(FAKE_ATARI, entry_point=AtariEnv)


class AddOneFeature(gymnasium.ObservationWrapper):
    """A wrapper outside SB3, sb3-contrib, gymnasium and rl-zoo3: applied only with --allow-imports."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        low, high = env.observation_space.low, env.observation_space.high
        self.observation_space = spaces.Box(np.append(low, 0).astype(np.float32), np.append(high, 1).astype(np.float32))

    def observation(self, observation: Any) -> Any:
        return np.append(observation, 0.0)


class HugeObservation(gymnasium.ObservationWrapper):
    """Declares an observation of 20 million numbers (a MultiBinary: nothing is allocated)."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        self.observation_space = spaces.MultiBinary(20_000_000)

    def observation(self, observation: Any) -> Any:
        return observation


class OutOfMemory(gymnasium.Wrapper):
    def __init__(self, env: gymnasium.Env) -> None:
        raise MemoryError


def classic_entries() -> list[tuple[str, str]]:
    """(algo file, env id) of every classic-control entry of the installed rl-zoo3 files."""
    if HYPERPARAMS is None:
        return []
    out = []
    for path in sorted(HYPERPARAMS.glob("*.yml")):
        if path.stem == "her":
            continue
        for key in yaml.safe_load(path.read_text()):
            if key.replace("NoVel", "") in CLASSIC_CONTROL:
                out.append((path.stem, key))
    return out


def zoo_model(algo: str, env_id: str, log_folder: Path, config: Path | None = None) -> Any:
    """The model rl-zoo3 itself builds for an entry (its ExperimentManager, before training)."""
    from rl_zoo3.exp_manager import ExperimentManager

    hyperparams = {"buffer_size": 1} if algo in OFF_POLICY else None
    manager = ExperimentManager(
        argparse.Namespace(),
        algo,
        env_id,
        str(log_folder),
        hyperparams=hyperparams,
        eval_freq=0,
        verbose=0,
        device="cpu",
        config=str(config) if config else None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, _ = manager.setup_experiment()
    return model


def assert_same_as_zoo(report: Any, model: Any) -> None:
    policy = model.policy
    assert report.policy_class == type(policy).__name__
    assert list(report.observation_space["shape"]) == list(model.observation_space.shape)
    assert report.totals.params == sum(p.numel() for p in policy.parameters())
    assert reported_sizes(report) == sized_modules(policy)


@needs_zoo
def test_the_zoo_files_have_classic_control_entries() -> None:
    algos = {algo for algo, _ in classic_entries()}
    assert {"ppo", "a2c", "dqn", "qrdqn", "sac", "td3", "tqc", "trpo", "ppo_lstm", "ars"} <= algos


@needs_zoo
@pytest.mark.slow
@pytest.mark.parametrize(("algo", "env_id"), classic_entries(), ids=[f"{a}-{e}" for a, e in classic_entries()])
def test_zoo_entry_equals_what_rl_zoo3_builds(algo: str, env_id: str, tmp_path: Path) -> None:
    path = HYPERPARAMS / f"{algo}.yml"
    (report,) = summarize_path(path, env=env_id)
    assert_same_as_zoo(report, zoo_model(algo, env_id, tmp_path))


@needs_zoo
@pytest.mark.slow
@pytest.mark.parametrize(
    ("algo", "env_id"), [("ppo", "Pendulum-v1"), ("ppo_lstm", "CartPoleNoVel-v1"), ("tqc", "Pendulum-v1")]
)
def test_zoo_entry_spec_matches_a_cpu_build(algo: str, env_id: str) -> None:
    from sb3inspect.sources.config import read_mapping
    from sb3inspect.sources.zoo import zoo_entries

    path = HYPERPARAMS / f"{algo}.yml"
    (entry,), _ = zoo_entries(path, read_mapping(path), envs=[env_id], algo=None, allow_imports=False)
    spec = entry.spec()
    assert_matches_cpu_build(spec, summarize_spec(spec))


@needs_zoo
@pytest.mark.slow
@pytest.mark.parametrize("algo", ["ppo", "a2c", "qrdqn"])
def test_atari_entry_applies_atari_wrapper_and_frame_stack(algo: str, tmp_path: Path) -> None:
    (report,) = summarize_path(HYPERPARAMS / f"{algo}.yml", env=FAKE_ATARI)
    assert list(report.observation_space["shape"]) == [4, 84, 84]
    assert any("'atari' entry is used" in note for note in report.notes)
    assert any("AtariWrapper applied" in note for note in report.notes)
    assert any("frame_stack: 4" in note for note in report.notes)
    assert_same_as_zoo(report, zoo_model(algo, FAKE_ATARI, tmp_path))


@needs_zoo
def test_wrappers_with_arguments_anchors_and_merges(tmp_path: Path) -> None:
    config = tmp_path / "sac.yml"
    config.write_text("""
base: &base
  policy: 'MlpPolicy'
  n_timesteps: 1000
  policy_kwargs: "dict(net_arch=dict(pi=[32], qf=[48, 16]), activation_fn=nn.ReLU, n_critics=3)"
Pendulum-v1:
  <<: *base
  learning_rate: !!float 3e-4
  frame_stack: 3
  env_wrapper:
    - sb3_contrib.common.wrappers.TimeFeatureWrapper
    - rl_zoo3.wrappers.HistoryWrapper:
        horizon: 2
""")
    (report,) = summarize_path(config, env="Pendulum-v1")
    # Pendulum 3 + TimeFeature 1, history of 2 observations and 2 actions, 3 frames stacked
    assert list(report.observation_space["shape"]) == [((3 + 1) * 2 + 1 * 2) * 3]
    assert list(report.network("critic").hidden_sizes) == [48, 16] and report.activation_fn == "ReLU"
    assert_same_as_zoo(report, zoo_model("sac", "Pendulum-v1", tmp_path / "logs", config))


def test_default_entry_and_no_entry(tmp_path: Path) -> None:
    config = tmp_path / "dqn.yml"
    config.write_text(
        "default:\n  policy: MlpPolicy\n  policy_kwargs: 'dict(net_arch=[16])'\nCartPole-v1:\n  policy: MlpPolicy\n"
    )
    (report,) = summarize_path(config, env="Acrobot-v1")
    assert list(report.network("q_net").hidden_sizes) == [16]
    assert any("'default' entry is used" in note for note in report.notes)
    config.write_text("CartPole-v1:\n  policy: MlpPolicy\n")
    with pytest.raises(ConfigError, match=r"no entry for 'CartPol-v1'.*did you mean 'CartPole-v1'"):
        summarize_path(config, env="CartPol-v1")


def test_algorithm_from_file_name_or_flag(tmp_path: Path) -> None:
    entry = "CartPole-v1:\n  policy: MlpLstmPolicy\n  policy_kwargs: 'dict(lstm_hidden_size=8, net_arch=[8])'\n"
    (tmp_path / "ppo_lstm.yml").write_text(entry)
    (report,) = summarize_path(tmp_path / "ppo_lstm.yml", env="CartPole-v1")
    assert report.algo == "RecurrentPPO"
    (tmp_path / "mine.yml").write_text(entry)
    with pytest.raises(ConfigError, match=r"cannot tell the algorithm from the file name 'mine\.yml'.*--algo"):
        summarize_path(tmp_path / "mine.yml", env="CartPole-v1")
    (report,) = summarize_path(tmp_path / "mine.yml", env="CartPole-v1", algo="ppo_lstm")
    assert report.algo == "RecurrentPPO"


def test_every_entry_without_env_reports_the_ones_it_cannot_make(tmp_path: Path) -> None:
    config = tmp_path / "ppo.yml"
    config.write_text(
        "atari:\n  policy: CnnPolicy\nCartPole-v1:\n  policy: MlpPolicy\nAnt-v4:\n  policy: MlpPolicy\n"
        "Pendulum-v1:\n  policy: MlpPolicy\n"
    )
    inspection = inspect_path(config)
    assert [r.source for r in inspection.reports] == [f"{config} [CartPole-v1]", f"{config} [Pendulum-v1]"]
    assert len(inspection.skipped) == 2
    assert "[atari]" in inspection.skipped[0] and "--env" in inspection.skipped[0]
    assert "[Ant-v4]" in inspection.skipped[1] and "gymnasium[mujoco]" in inspection.skipped[1]
    with pytest.raises(SourceError, match="2 entries cannot be inspected"):
        summarize_path(config)


def test_one_policy_from_a_zoo_file_asks_for_its_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """summary() and diff take one policy: a zoo file without env says so, in the caller's own terms."""
    import sb3inspect
    from sb3inspect.cli import main
    from sb3inspect.errors import ConfigError

    config = tmp_path / "ppo.yml"
    config.write_text("CartPole-v1:\n  policy: MlpPolicy\nPendulum-v1:\n  policy: MlpPolicy\n")
    with pytest.raises(ConfigError, match=r"one entry per env \(2: CartPole-v1, Pendulum-v1\).*with env= ID"):
        sb3inspect.summary(config)
    assert main(["diff", str(config), str(config), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "choose its entry with --env ID" in err and "env=" not in err, err


def test_cli_zoo_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "a2c.yml"
    config.write_text(
        "CartPole-v1:\n  policy: MlpPolicy\nAnt-v4:\n  policy: MlpPolicy\nAcrobot-v1:\n  policy: MlpPolicy\n"
    )
    assert main(["inspect", str(config), "--env", "CartPole-v1", "--env", "Acrobot-v1", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["observation_space"]["shape"] for d in data] == [[4], [6]]
    assert main(["inspect", str(config), "-f", "json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 2
    assert captured.err.startswith("skipped: ") and "[Ant-v4]" in captured.err and captured.err.count("\n") == 1
    assert main(["inspect", str(config), "--env", "Ant-v4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and 'pip install "gymnasium[mujoco]"' in err
    assert main(["inspect", "--algo", "ppo", "--env", "CartPole-v1", "--env", "Acrobot-v1"]) == 2
    assert "given 2 times, but quick flags describe one policy" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "dict(net_arch=dict(pi=[256, 256], vf=[256, 256]), activation_fn=nn.ReLU)",
            {"net_arch": {"pi": [256, 256], "vf": [256, 256]}, "activation_fn": "nn.ReLU"},
        ),
        (
            "dict(log_std_init=-2, ortho_init=False, activation_fn=th.nn.GELU, )",
            {"log_std_init": -2, "ortho_init": False, "activation_fn": "th.nn.GELU"},
        ),
        (
            "dict(optimizer_class=RMSpropTFLike, optimizer_kwargs=dict(eps=1e-5, betas=(0.9, 0.99)))",
            {"optimizer_class": "RMSpropTFLike", "optimizer_kwargs": {"eps": 1e-5, "betas": [0.9, 0.99]}},
        ),
        (
            "{'net_arch': [64] * 2, 'features_extractor_class': NatureCNN, 'log_std_init': -0.5 * 2}",
            {"net_arch": [64, 64], "features_extractor_class": "NatureCNN", "log_std_init": -1.0},
        ),
        (
            "dict(optimizer_class=torch.optim.Adam, n_critics=2 ** 2)",
            {"optimizer_class": "torch.optim.Adam", "n_critics": 4},
        ),
    ],
)
def test_policy_kwargs_strings_are_read(text: str, expected: dict[str, Any]) -> None:
    assert policy_kwargs_from_text(text, "f") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('touch marker')", "calls other than dict(...)"),
        ("dict(activation_fn=os.system)", "unknown name: 'os.system'"),
        ("dict(net_arch=[64], activation_fn='ReLU')", "expected a class"),
        ("dict(net_arch=nn.ReLU)", "nn.ReLU is a class"),
        ("dict(a=nn.__class__)", "unknown name"),
        ("dict(a=[x for x in range(9)])", "not allowed"),
        ("dict(a=lambda: 1)", "not allowed"),
        ("dict(**kwargs)", "unpacking"),
        ("dict(a=10 ** 10 ** 10)", "powers are read"),
        ("dict(a=[1] * 10 ** 9)", "repeated"),
        ("dict(optimizer_kwargs=dict(a=[[[64]*10000]*10000]*10000))", "stands for more than 100,000 values"),
        ("dict(a=[[[1] * 100] * 100] * 100)", "stands for more than 100,000 values"),
        ("dict(a=(", "not a Python expression"),
        ("[64, 64]", "expected dict(...)"),
    ],
)
def test_policy_kwargs_strings_outside_the_allow_list(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^f[.:].*" + re.escape(message)):
        policy_kwargs_from_text(text, "f")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "dict(activation_fn=nn.Relu)",
            "f.activation_fn: nn.Relu: nn has no attribute 'Relu', so rl-zoo3 would fail on "
            "this (did you mean 'ReLU'?)",
        ),
        ("dict(activation_fn=th.nn.tanh)", "th.nn has no attribute 'tanh'"),
        ("dict(optimizer_class=th.optim.adam)", "did you mean 'Adam'?"),
    ],
)
def test_zoo_strings_need_the_exact_class_name(text: str, message: str) -> None:
    """A config file is lenient (activation_fn: relu); a zoo string is Python that rl-zoo3 evaluates."""
    with pytest.raises(ConfigError) as caught:
        policy_kwargs_from_text(text, "f")
    assert message in str(caught.value)
    assert (
        spec_from_mapping(
            {
                "algo": "ppo",
                "observation_space": 3,
                "action_space": "discrete:2",
                "policy_kwargs": {"activation_fn": "nn.Relu"},
            }
        ).policy_kwargs["activation_fn"]
        == "ReLU"
    )


def test_every_parsed_expression_is_size_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from sb3inspect.sources import limits

    assert read_expression("[[1] * 300] * 300", "f")[299][299] == 1  # 90,300 values: under the limit
    monkeypatch.setattr(limits, "MAX_VALUES", 5)
    with pytest.raises(SourceError, match=r"^f: holds more than 5 values"):
        read_expression("dict(a=[1, 2, 3], b=[4, 5, 6])", "f")


def test_deep_nesting_is_an_error() -> None:
    with pytest.raises(ConfigError):
        read_expression("[" * 5000 + "]" * 5000, "f")


def test_hostile_zoo_file_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "marker"
    module = tmp_path / "evil_wrapper.py"
    module.write_text(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\nWrapper = object\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    hostile = tmp_path / "ppo.yml"
    hostile.write_text(f"CartPole-v1:\n  policy_kwargs: \"__import__('os').system('touch {marker}')\"\n")
    assert main(["inspect", str(hostile), "--env", "CartPole-v1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "__import__" in err and "Traceback" not in err
    # a wrapper module and an env module named in the file are not imported
    hostile.write_text(
        "CartPole-v1:\n  env_wrapper: evil_wrapper.Wrapper\n"
        "evil_wrapper:CartPole-v1:\n  policy: MlpPolicy\n"
        "Pendulum-v1:\n  normalize: \"__import__('os').system('touch x')\"\n"
    )
    assert main(["inspect", str(hostile)]) == 0
    captured = capsys.readouterr()
    assert "wrapper evil_wrapper.Wrapper NOT applied" in captured.out
    assert "skipped: " in captured.err and "imports no module" in captured.err
    assert "[Pendulum-v1]: normalize: calls other than dict(...) are not allowed" in captured.err
    assert not marker.exists() and not (tmp_path / "x").exists()
    assert "evil_wrapper" not in sys.modules


def test_allow_imports_applies_a_named_wrapper(tmp_path: Path) -> None:
    config = tmp_path / "ppo.yml"
    config.write_text("CartPole-v1:\n  env_wrapper: tests.test_zoo.AddOneFeature\n")
    (without,) = summarize_path(config, env="CartPole-v1")
    (with_it,) = summarize_path(config, env="CartPole-v1", allow_imports=True)
    assert list(without.observation_space["shape"]) == [4] and list(with_it.observation_space["shape"]) == [5]
    assert any("NOT applied" in note for note in without.notes)
    assert any("AddOneFeature applied" in note for note in with_it.notes)


def test_diff_and_the_python_api_take_allow_imports_as_inspect_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A zoo entry whose named wrapper adds a feature, held against a config without it: the same networks only
    while the wrapper is not applied."""
    import sb3inspect

    zoo = tmp_path / "ppo.yml"
    zoo.write_text("CartPole-v1:\n  env_wrapper: tests.test_zoo.AddOneFeature\n")
    plain = tmp_path / "plain.yml"
    plain.write_text("algo: PPO\nobservation_space: box:4\naction_space: discrete:2\n")
    assert main(["diff", str(zoo), str(plain), "--env", "CartPole-v1", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["same"] is True
    assert main(["diff", str(zoo), str(plain), "--env", "CartPole-v1", "--allow-imports", "-f", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["same"] is False
    assert sb3inspect.diff(zoo, plain, env="CartPole-v1").same
    assert not sb3inspect.diff(zoo, plain, env="CartPole-v1", allow_imports=True).same
    assert sb3inspect.summary(zoo, env="CartPole-v1", allow_imports=True).observation_space["shape"] == (5,)


@needs_zoo
def test_bad_wrapper_arguments_are_a_clean_error(tmp_path: Path) -> None:
    config = tmp_path / "ppo.yml"
    config.write_text("CartPole-v1:\n  env_wrapper:\n    - rl_zoo3.wrappers.HistoryWrapper: {horizon: 2}\n")
    with pytest.raises(SourceError, match="wrapper HistoryWrapper cannot wrap CartPole-v1"):
        summarize_path(config, env="CartPole-v1")
    config.write_text("CartPole-v1:\n  env_wrapper:\n    - {a.B: {}, c.D: {}}\n")
    with pytest.raises(ConfigError, match="env_wrapper"):
        summarize_path(config, env="CartPole-v1")
    config.write_text("CartPole-v1:\n  policy: my_package.MyPolicy\n")
    with pytest.raises(ConfigError, match="class path"):
        summarize_path(config, env="CartPole-v1")


def test_a_config_is_not_a_zoo_file() -> None:
    from sb3inspect.sources.zoo import is_zoo_mapping

    assert is_zoo_mapping({"CartPole-v1": {"policy": "MlpPolicy"}})
    assert not is_zoo_mapping({"algo": "PPO", "env": "CartPole-v1"})
    assert not is_zoo_mapping({"policy_kwargs": {"net_arch": [8]}})


@pytest.mark.parametrize(
    ("env_id", "message"),
    [
        ("CartPol-v1", "did you mean 'CartPole-v1'"),
        (LUNAR_LANDER, 'pip install swig && pip install "gymnasium[box2d]"'),
        ("Ant-v4", 'pip install "gymnasium[mujoco]"'),
        ("PongNoFrameskip-v4", "ale-py is not installed: pip install ale-py (or, without it, a config with the spaces"),
        ("MiniGrid-Empty-5x5-v0", "pip install minigrid"),
        ("Blackjack-v1", "type Tuple, which SB3 policies do not take"),
        ("os:CartPole-v1", "imports no module"),
    ],
)
def test_env_id_errors_say_what_to_do(env_id: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    if (env_id.startswith("LunarLander") and _importable("Box2D")) or (
        env_id.startswith("Ant") and _importable("mujoco")
    ):
        pytest.skip("the package is installed here")
    if env_id.startswith(("Pong", "MiniGrid")) and _importable("ale_py" if "Pong" in env_id else "minigrid"):
        pytest.skip("the package is installed here")
    assert main(["inspect", "--algo", "ppo", "--env", env_id]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err


def test_an_unsupported_observation_says_what_flattening_gives() -> None:
    """Blackjack's Tuple: the hint's FlattenObservation size is what SB3 then builds on (SB3#1140)."""
    from stable_baselines3 import PPO

    with pytest.raises(SourceError) as caught:
        summarize_spec(spec_from_mapping({"algo": "PPO", "env": "Blackjack-v1"}))
    hint = str(caught.value)
    assert "FlattenObservation, which turns it into Box(45,)" in hint and "observation_space: 45" in hint
    env = gymnasium.wrappers.FlattenObservation(gymnasium.make("Blackjack-v1"))
    model = PPO("MlpPolicy", env, n_steps=8, batch_size=8, device="cpu")
    assert model.policy.mlp_extractor.policy_net[0].in_features == 45
    report = summarize_spec(spec_from_mapping({"algo": "PPO", "observation_space": 45, "action_space": "discrete:2"}))
    assert report.totals.params == sum(p.numel() for p in model.policy.parameters())


def test_no_vel_env_is_rl_zoo3s_masked_env() -> None:
    pytest.importorskip("rl_zoo3")
    (report,) = [summarize_spec(spec) for spec in _specs({"algo": "ppo", "env": "PendulumNoVel-v1"})]
    assert list(report.observation_space["shape"]) == [3]


def _specs(config: dict[str, Any]) -> list[Any]:
    from sb3inspect.sources.config import spec_from_mapping

    return [spec_from_mapping(config)]


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def test_help_does_not_import_torch() -> None:
    import subprocess

    code = "import sys; from sb3inspect.cli import main; main(['inspect', '--help']); assert 'torch' not in sys.modules"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert "--allow-imports" in result.stdout


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'CartPole-v1:\n  policy_kwargs: "dict(net_arch=[64], activation_fn=nn.ReLu7)"\n',
            "nn.ReLu7: nn has no attribute 'ReLu7', so rl-zoo3 would fail on this (did you mean 'ReLU'?)",
        ),
        (
            "Ant-v4:\n  env_wrapper: [sb3_contrib.common.wrappers.TimeFeatureWrapper]\n  frame_stack: 2\n",
            "gymnasium[mujoco]",
        ),
    ],
    ids=["bad-activation", "missing-env"],
)
def test_zoo_errors_before_torch(entry: str, message: str, tmp_path: Path) -> None:
    import subprocess

    config = tmp_path / "ppo.yml"
    config.write_text(entry)
    env_id = entry.split(":")[0]
    code = (
        "import sys; from sb3inspect.cli import main; code = main(['inspect', sys.argv[1], '--env', sys.argv[2]]);"
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(config), env_id],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("wrapper", "message"),
    [
        (
            f"gymnasium.wrappers.{FRAME_STACK}: {{{STACK_SIZE}: 2400000}}",
            f"[CartPole-v1]: {FRAME_STACK}.{STACK_SIZE}: 2,400,000 stacked observations of 4 elements is more than",
        ),
        (f"gymnasium.wrappers.{FRAME_STACK}: {{{STACK_SIZE}: 200000000}}", "200,000,000 stacked observations"),
        ("rl_zoo3.wrappers.HistoryWrapper: {horizon: 5000000}", "HistoryWrapper.horizon: 5,000,000 stacked"),
        ("tests.test_zoo.HugeObservation", "wrapper HugeObservation gives an observation space of 20,000,000 elements"),
        ("tests.test_zoo.OutOfMemory", "wrapper OutOfMemory ran out of memory wrapping CartPole-v1"),
    ],
)
def test_wrappers_cannot_make_huge_observations(
    wrapper: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "ppo.yml"
    config.write_text(f"CartPole-v1:\n  env_wrapper:\n    - {wrapper}\n")
    start = time.perf_counter()
    assert main(["inspect", str(config), "--env", "CartPole-v1", "--allow-imports"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert time.perf_counter() - start < 2


def test_a_wrapper_the_installed_gymnasium_lacks_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An rl-zoo3 file written for the other side of gymnasium 1.0's renames says so, before any env is made."""
    other, renamed = (
        ("FrameStackObservation", "FrameStack") if OLD_GYMNASIUM else ("FrameStack", "FrameStackObservation")
    )
    config = tmp_path / "ppo.yml"
    config.write_text(f"CartPole-v1:\n  env_wrapper:\n    - gymnasium.wrappers.frame_stack.{other}: {{}}\n")
    assert main(["inspect", str(config), "--env", "CartPole-v1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: {config} [CartPole-v1]: gymnasium.wrappers.frame_stack.{other}: {other} needs gymnasium"
    )
    assert renamed in err and err.count("\n") == 1, err


def test_env_made_spaces_are_size_checked() -> None:
    from sb3inspect.sources.envs import check_space_size, space_elements

    assert space_elements(spaces.Dict({"a": spaces.Box(0, 1, (3, 4)), "b": spaces.Discrete(5)})) == 13
    check_space_size(spaces.MultiBinary([100, 100]), "x")
    with pytest.raises(SourceError, match=r"^x of 20,000,000 elements, more than sb3inspect builds"):
        check_space_size(spaces.MultiBinary(20_000_000), "x")


def test_env_errors_name_the_file_and_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "ppo.yml"
    config.write_text("CartPole-v1:\n  policy: MlpPolicy\ndefault:\n  policy: MlpPolicy\n")
    assert main(["inspect", str(config), "--env", "CartPol-v1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: {config} [CartPol-v1] (entry 'default'): env 'CartPol-v1': no such registered env"
    ), err
    config.write_text("CartPol-v1:\n  policy: MlpPolicy\n")
    assert main(["inspect", str(config), "--env", "CartPol-v1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {config} [CartPol-v1]: env 'CartPol-v1': no such registered env"), err


@pytest.mark.parametrize(
    "text",
    [
        "dict(activation_fn=torch.nn.modules.activation.ReLU, optimizer_class=torch.optim.adam.Adam)",
        "dict(activation_fn=th.nn.modules.activation.ReLU, optimizer_class=th.optim.adam.Adam)",
        "dict(activation_fn=nn.modules.activation.ReLU, features_extractor_class="
        "stable_baselines3.common.torch_layers.FlattenExtractor)",
    ],
)
def test_full_class_paths_are_read_as_rl_zoo3_evaluates_them(text: str) -> None:
    """rl-zoo3 ``eval``s these strings: a class named by the module that defines it is that class."""
    spec = spec_from_mapping(
        {"algo": "PPO", "observation_space": 4, "action_space": "discrete:2", "policy_kwargs": text}, source="zoo"
    )
    assert spec.policy_kwargs["activation_fn"] == "ReLU"
    with pytest.raises(ConfigError, match=r"unknown torch\.nn activation"):  # ReLU is not in torch.nn.modules.linear
        spec_from_mapping(
            {
                "algo": "PPO",
                "observation_space": 4,
                "action_space": "discrete:2",
                "policy_kwargs": "dict(activation_fn=torch.nn.modules.linear.ReLU)",
            },
            source="zoo",
        )
