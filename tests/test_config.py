"""Config validation: what users write, what they get back, and no torch on the way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sb3inspect.errors import ConfigError, Sb3InspectError, SourceError
from sb3inspect.sources.config import read_mapping, spec_from_mapping
from sb3inspect.sources.spaces import parse_space

from .conftest import skip_if_lacking

SEED = {
    "algo": "PPO",
    "observation_space": 101,
    "action_space": {"type": "Discrete", "n": 4},
    "policy_kwargs": {"net_arch": [64, 64]},
}


def with_(**changes: Any) -> dict[str, Any]:
    config = json.loads(json.dumps(SEED))
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def kwargs(**policy_kwargs: Any) -> dict[str, Any]:
    return with_(policy_kwargs=policy_kwargs)


def test_seed_spec() -> None:
    spec = spec_from_mapping(SEED, source="seed.yaml")
    assert spec.algo == "PPO" and spec.policy == "MlpPolicy"
    assert spec.observation_space == {
        "type": "Box",
        "shape": [101],
        "dtype": "float32",
        "low": float("-inf"),
        "high": float("inf"),
    }
    assert spec.action_space == {"type": "Discrete", "n": 4}


@pytest.mark.parametrize(
    ("written", "algo"),
    [
        ("ppo", "PPO"),
        ("Ppo", "PPO"),
        ("ppo_lstm", "RecurrentPPO"),
        ("recurrentppo", "RecurrentPPO"),
        ("qrdqn", "QRDQN"),
        ("ppo_mask", "MaskablePPO"),
        ("crossq", "CrossQ"),
        ("ars", "ARS"),
        ("trpo", "TRPO"),
    ],
)
def test_algorithm_names_are_case_insensitive(written: str, algo: str) -> None:
    skip_if_lacking(algo)
    action = "discrete:4" if algo not in ("CrossQ",) else "box:2"
    assert spec_from_mapping(with_(algo=written, action_space=action, policy_kwargs={})).algo == algo


@pytest.mark.parametrize(
    ("obs", "algo", "policy"),
    [
        (101, "PPO", "MlpPolicy"),
        ({"type": "Box", "shape": [4, 84, 84], "dtype": "uint8"}, "PPO", "CnnPolicy"),
        ({"type": "Box", "shape": [84, 84, 3], "dtype": "uint8"}, "DQN", "CnnPolicy"),
        ({"type": "Box", "shape": [4, 84, 84], "dtype": "float32"}, "PPO", "MlpPolicy"),
        ({"type": "Dict", "spaces": {"a": 3}}, "PPO", "MultiInputPolicy"),
        (8, "ppo_lstm", "MlpLstmPolicy"),
        ("image:3x64x64", "ppo_lstm", "CnnLstmPolicy"),
        ({"type": "Dict", "spaces": {"a": 3}}, "ppo_lstm", "MultiInputLstmPolicy"),
    ],
)
def test_default_policy_follows_the_observation(obs: Any, algo: str, policy: str) -> None:
    assert spec_from_mapping(with_(algo=algo, observation_space=obs, policy_kwargs={})).policy == policy


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("101", {"type": "Box", "shape": [101], "dtype": "float32"}),
        ("box:4x84x84:uint8", {"type": "Box", "shape": [4, 84, 84], "dtype": "uint8", "low": 0, "high": 255}),
        ("image:84x84x3", {"type": "Box", "shape": [84, 84, 3], "dtype": "uint8", "low": 0, "high": 255}),
        ("discrete:4", {"type": "Discrete", "n": 4}),
        ("multidiscrete:3,4", {"type": "MultiDiscrete", "nvec": [3, 4]}),
        ("multibinary:8", {"type": "MultiBinary", "n": 8}),
    ],
)
def test_space_shorthands(text: str, spec: dict[str, Any]) -> None:
    parsed = parse_space(text, "obs")
    assert {k: v for k, v in parsed.items() if k in spec} == spec


def test_action_box_defaults_to_unit_bounds() -> None:
    assert parse_space("box:6", "act", action=True)["low"] == -1.0
    assert parse_space({"type": "Box", "shape": [6]}, "act", action=True)["high"] == 1.0


@pytest.mark.parametrize("name", ["ReLU", "nn.ReLU", "torch.nn.ReLU", "th.nn.ReLU", "relu"])
def test_activation_spellings(name: str) -> None:
    assert spec_from_mapping(kwargs(activation_fn=name)).policy_kwargs["activation_fn"] == "ReLU"


BAD: list[tuple[dict[str, Any], str]] = [
    (with_(algo="ppo2"), "unknown algorithm 'ppo2' (did you mean 'PPO'?)"),
    (with_(algo=None), "missing 'algo'"),
    (with_(action_space=None), "missing 'action_space'"),
    (with_(polcy_kwargs={}), "polcy_kwargs: unknown key (did you mean 'policy_kwargs'?)"),
    (with_(n_stpes=64), "n_stpes: unknown key (did you mean 'n_steps'?)"),
    (with_(algo="A2C", batch_size=64), "batch_size: unknown key (batch_size is a keyword of PPO, SAC"),
    (with_(net_arch=[64]), "net_arch: unknown key (net_arch is a policy keyword: put it under policy_kwargs)"),
    (with_(use_sde="false"), 'SB3 turns gSDE on for any non-empty string, "false" included'),
    (with_(algo="SAC"), "SAC does not support Discrete action spaces"),
    (with_(algo="DQN", action_space="box:2"), "DQN does not support Box action spaces"),
    (with_(policy="MlpLstmPolicy"), "PPO has no policy 'MlpLstmPolicy'"),
    (with_(policy="MlpPolicy", observation_space={"type": "Dict", "spaces": {"a": 3}}), "use MultiInputPolicy"),
    (with_(use_sde=True), "gSDE (use_sde) needs a continuous (Box) action space"),
    (with_(algo="TD3", action_space="box:2", use_sde=True), "TD3 has no keyword 'use_sde': it has no gSDE"),
    (with_(algo="TD3", action_space="box:2", use_sde=False), "TD3 has no keyword 'use_sde': it has no gSDE"),
    (kwargs(net_arch="64,64"), "net_arch: expected a list of layer widths or a mapping, got the string '64,64'"),
    (kwargs(net_arch=[64, 64.0]), "net_arch[1]: layer widths are whole numbers, got 64.0 (write 64)"),
    (kwargs(net_arch=[64, -3]), "net_arch[1]: a layer width cannot be negative, got -3"),
    (kwargs(net_arch=[True]), "net_arch[0]: expected a layer width"),
    (kwargs(net_arch={"pi": 64}), "net_arch.pi: expected a list of layer widths"),
    (kwargs(net_arch=[64, {"pi": [32], "vf": [32]}]), "removed in SB3 1.8"),
    (kwargs(net_arch_=[64]), "has no keyword 'net_arch_' (did you mean 'net_arch'?)"),
    (kwargs(use_sde=True), "use_sde is an argument of the algorithm"),
    (kwargs(n_steps=64), "n_steps is PPO's keyword, not the policy's: write it at the top level, beside policy_kwargs"),
    (kwargs(learning_rate=1e-3), "learning_rate is PPO's keyword, not the policy's: write it at the top level"),
    (
        kwargs(lr=1e-3),
        "the learning rate is the algorithm's learning_rate, from which SB3 gives the optimizer its lr: write",
    ),
    (with_(lr=1e-3), "lr: unknown key (the learning rate is the algorithm's learning_rate, from which SB3"),
    (with_(layer_norm=True), "layer_norm: unknown key (SB3's policies have no layer normalization"),
    (
        with_(algo={"name": "PPO", "policy": "MlpPolicy"}),
        "algo: expected an algorithm name, got a mapping (keys name, policy)",
    ),
    (with_(algo={"name": "PPO"}), "sb3inspect reads flat keys: algo, env, policy_kwargs and the algorithm's keywords"),
    (kwargs(activation_fn="Relu6x"), "unknown torch.nn activation 'Relu6x' (did you mean 'ReLU6'?)"),
    (kwargs(activation_fn=3), "activation_fn: expected a class name"),
    (kwargs(activation_fn="nn.ReLU()"), "activation_fn: 'nn.ReLU()' is an instance, and SB3 takes the class"),
    (kwargs(activation_fn="nn.ReLU()"), "(write nn.ReLU, without the parentheses)"),
    (kwargs(optimizer_class="th.optim.AdamW()"), "(write th.optim.AdamW, without the parentheses)"),
    (kwargs(activation_fn="nn.relu()"), "(write ReLU, without the parentheses)"),
    (kwargs(activation_fn="nn.Relu7()"), "unknown torch.nn activation 'nn.Relu7'"),
    (with_(policy_kwargs="dict(activation_fn=nn.ReLU())"), "(write nn.ReLU, without the parentheses)"),
    (kwargs(features_extractor_class="MyCNN"), "unknown SB3 features extractor 'MyCNN'"),
    (kwargs(share_features_extractor="no"), "share_features_extractor: expected true or false"),
    (
        with_(algo="SAC", action_space="box:2", policy_kwargs={"n_critics": -1}),
        "n_critics: expected a whole number of at least 0",
    ),
    (with_(algo="SAC", action_space="box:2", policy_kwargs={"net_arch": {"pi": [64]}}), "needs both 'pi' and 'qf'"),
    (
        with_(algo="SAC", action_space="box:2", policy_kwargs={"net_arch": {"pi": [1], "vf": [1]}}),
        "q-networks 'qf', not 'vf'",
    ),
    (
        with_(algo="SAC", action_space="box:2", policy_kwargs={"net_arch": [{"pi": [1], "qf": [2]}]}),
        "not a list with a mapping inside (SB3 fails with a TypeError on this; the closest SB3 2.x config is net_arch: {pi: [1], qf: [2]})",
    ),
    (
        with_(algo="DQN", policy_kwargs={"net_arch": [{"pi": [1]}]}),
        "DQN takes a list of widths, not a list with a mapping",
    ),
    (with_(algo="DQN", policy_kwargs={"net_arch": {"pi": [64]}}), "DQN takes a list of widths"),
    (with_(observation_space=0), "observation_space.shape[0]: must be at least 1, got 0"),
    (with_(observation_space="box:10x0"), "shape[1]: must be at least 1, got 0"),
    (with_(observation_space={"type": "Boxx", "shape": [3]}), "unknown space type 'Boxx' (did you mean 'Box'?)"),
    (with_(observation_space={"type": "Tuple"}), "SB3 does not support Tuple spaces"),
    (
        with_(observation_space={"type": "Box", "shap": [3]}),
        "shap: unknown key for a Box space (did you mean 'shape'?)",
    ),
    (with_(observation_space={"type": "Box", "shape": [3], "dtype": "float"}), "unknown dtype 'float'"),
    (with_(observation_space={"type": "Discrete", "n": -2}), "observation_space.n: must be at least 1, got -2"),
    (with_(observation_space={"type": "Dict", "spaces": {"a": {"type": "Dict", "spaces": {"b": 1}}}}), "nested Dict"),
    (with_(observation_space={"type": "Box", "shape": [10**7, 10]}), "more than sb3inspect builds"),
    (with_(action_space={"type": "Dict", "spaces": {"a": 1}}), "SB3 does not support Dict action spaces"),
    (with_(observation_space="cube:3"), "unknown space kind 'cube'"),
    (with_(env="CartPole-v1"), "give either env or observation_space and action_space, not both"),
    (
        with_(algo="CrossQ", action_space="box:2", observation_space={"type": "Dict", "spaces": {"a": 1}}),
        "CrossQ has no policy for Dict",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_configs_name_the_problem(config: dict[str, Any], message: str) -> None:
    if isinstance(config.get("algo"), str):
        skip_if_lacking(config["algo"])  # a release without the algorithm says that first
    with pytest.raises(ConfigError) as info:
        spec_from_mapping(config, source="cfg.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("cfg.yaml")


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_three_formats_same_spec(tmp_path: Path, suffix: str) -> None:
    texts = {
        ".yaml": "algo: PPO\nobservation_space: 101\naction_space: {type: Discrete, n: 4}\npolicy_kwargs: {net_arch: [64, 64]}\n",
        ".json": json.dumps(SEED),
        ".toml": 'algo = "PPO"\nobservation_space = 101\naction_space = { type = "Discrete", n = 4 }\n'
        "[policy_kwargs]\nnet_arch = [64, 64]\n",
    }
    path = tmp_path / f"seed{suffix}"
    path.write_text(texts[suffix])
    assert read_mapping(path) == SEED


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.yaml", "", "the file is empty"),
        ("list.yaml", "- 1\n- 2\n", "the top level must be a mapping"),
        ("broken.yaml", "algo: PPO\n  policy: [\n", "not valid YAML at line"),
        ("broken.json", '{"algo": ', "not valid JSON"),
        ("broken.toml", "algo = ", "not valid TOML"),
        ("binary.yaml", "\x00\x01\x02", "is a binary file"),
        ("config.txt", "algo: PPO", "unknown file type '.txt'"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SourceError, match=None) as info:
        read_mapping(path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("utf-16", "is UTF-16 text, not UTF-8"),  # with a BOM: Windows PowerShell's > and Notepad's "Unicode"
        ("utf-16-le", "is UTF-16 text, not UTF-8"),
        ("utf-16-be", "is UTF-16 text, not UTF-8"),
        ("utf-32", "is UTF-32 text, not UTF-8"),
        ("cp1252", "is not UTF-8 text: line 2 holds the byte 0xe9"),
    ],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_a_config_in_another_encoding_says_which_and_how_to_fix_it(
    tmp_path: Path, encoding: str, said: str, suffix: str
) -> None:
    path = tmp_path / f"config{suffix}"
    path.write_bytes("# my config\nname: caf\u00e9\nalgo: PPO\n".encode(encoding))
    with pytest.raises(SourceError) as info:
        read_mapping(path)
    assert info.value.problem.startswith(said) and info.value.hint == "save the file as UTF-8", info.value


def test_a_tab_in_yaml_indentation_says_to_indent_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "tabs.yaml"
    path.write_text("algo: PPO\npolicy_kwargs:\n  net_arch: [64]\n\tactivation_fn: ReLU\n")
    with pytest.raises(SourceError) as info:
        read_mapping(path)
    assert info.value.code == "not-yaml" and "line 4" in info.value.problem
    assert info.value.hint == "YAML indents with spaces, not tabs: replace the tab on line 4 with spaces"
    path.write_text("algo: PPO\npolicy_kwargs: {net_arch: [64]\n")  # no tab: no such hint
    with pytest.raises(SourceError) as info:
        read_mapping(path)
    assert info.value.hint is None


@pytest.mark.parametrize("given", ["CartPole-v1", "ALE/Pong-v5", "phys2d/CartPole-v1", "LunarLanderContinuous-v3"])
def test_an_env_id_given_as_a_file_says_to_pass_env(
    tmp_path: Path, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SourceError) as info:
        read_mapping(Path(given))
    assert info.value.problem == "no such file"
    assert info.value.hint == f"an env id? sb3inspect inspect --algo ALGO --env {given}, or env: {given} in a config"
    with pytest.raises(SourceError) as info:
        read_mapping(Path("my-config.yaml"))
    assert info.value.hint is None


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_mapping(tmp_path / "nope.yaml")
    with pytest.raises(SourceError, match="is a directory"):
        read_mapping(tmp_path)


def test_config_errors_do_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from sb3inspect.cli import main\n"
        "codes = [main(['inspect', 'missing.yaml']), main(['inspect', '--algo', 'ppo2', '--obs', '3', '--act', 'discrete:2']),"
        " main(['inspect', '--algo', 'sac', '--obs', '3', '--act', 'discrete:2']), main(['--help']),"
        " main(['check', 'missing.yaml']), main(['diff', 'a.yaml', 'b.yaml']), main(['check', '--help']),"
        " main(['diff', '--help']), main(['check', 'x.yaml', '-e', 'pj=1'])]\n"
        "print(codes, [m for m in ('torch', 'stable_baselines3', 'gymnasium') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[2, 2, 2, 0, 2, 2, 0, 0, 2] []"


def test_every_error_is_an_sb3inspect_error() -> None:
    assert issubclass(ConfigError, Sb3InspectError) and issubclass(SourceError, Sb3InspectError)


@pytest.mark.slow
@pytest.mark.parametrize(
    "obs",
    [
        {"type": "Box", "shape": [3, 36, 40], "dtype": "uint8"},
        {"type": "Box", "shape": [3, 35, 40], "dtype": "uint8"},
        {"type": "Box", "shape": [40, 36, 1], "dtype": "uint8"},
        {"type": "Box", "shape": [40, 35, 1], "dtype": "uint8"},
        {"type": "Box", "shape": [36, 3, 40], "dtype": "uint8"},
        {"type": "Box", "shape": [3, 40, 40], "dtype": "float32", "low": 0, "high": 1},
        {"type": "Box", "shape": [40, 40, 3], "dtype": "float32", "low": 0, "high": 1},
        {"type": "Box", "shape": [8], "dtype": "uint8"},
        {"type": "Dict", "spaces": {"img": {"type": "Box", "shape": [1, 30, 40], "dtype": "uint8"}, "v": 3}},
        {"type": "Dict", "spaces": {"img": {"type": "Box", "shape": [1, 36, 40], "dtype": "uint8"}, "v": 3}},
    ],
    ids=lambda o: str(o.get("shape") or "dict"),
)
@pytest.mark.parametrize("normalize_images", [True, False])
def test_extractor_checks_agree_with_sb3(obs: dict[str, Any], normalize_images: bool) -> None:
    """Refused before torch exactly when SB3 itself refuses to build (a CPU build decides)."""
    from sb3inspect.errors import BuildError

    from .reference import cpu_model

    policy = "MultiInputPolicy" if obs["type"] == "Dict" else "CnnPolicy"
    config = {
        "algo": "PPO",
        "policy": policy,
        "observation_space": obs,
        "action_space": "discrete:2",
        "policy_kwargs": {"normalize_images": normalize_images},
    }
    try:
        spec = spec_from_mapping(config)
    except ConfigError:
        refused = True
    else:
        refused = False
    raw = dict(config, policy_kwargs={"normalize_images": normalize_images})
    try:
        from sb3inspect.sources.config import PolicySpec
        from sb3inspect.sources.spaces import parse_space

        cpu_model(
            PolicySpec(
                "PPO",
                policy,
                parse_space(obs, "obs"),
                parse_space("discrete:2", "act", action=True),
                dict(raw["policy_kwargs"]),
            )
        )
        built = True
    except (AssertionError, ValueError, RuntimeError, BuildError):
        built = False
    assert refused == (not built), (obs, normalize_images)
    if not refused:
        assert spec.policy == policy


@pytest.mark.parametrize("action", ["box:2", "discrete:3", "multidiscrete:2,3", "multibinary:4"])
def test_an_unsupported_action_space_names_every_algorithm_that_takes_it(action: str) -> None:
    """The alternatives are the algorithms whose supported_action_spaces hold the type (tested in test_catalog)."""
    from sb3inspect import catalog

    kind = parse_space(action, "act", action=True)["type"]
    refusing = next(name for name, info in catalog.ALGORITHMS.items() if kind not in info.action_spaces)
    with pytest.raises(ConfigError) as caught:
        spec_from_mapping(with_(algo=refusing, action_space=action))
    hint = str(caught.value).split(f"for {kind} actions use ", 1)[1]
    named = set(hint.rstrip(")").replace(" or ", ", ").split(", "))
    assert named == {name for name, info in catalog.ALGORITHMS.items() if kind in info.action_spaces}
