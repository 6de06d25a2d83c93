"""Reports equal real CPU builds of the same config: every algorithm, every space type."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sb3inspect
from sb3inspect import catalog
from sb3inspect.build.policy import build_policy
from sb3inspect.pipeline import summarize_spec
from sb3inspect.sources.config import spec_from_mapping

from .conftest import installed_algorithms, skip_if_lacking
from .reference import assert_matches_cpu_build, assert_same_as_cpu_build, is_meta

BOX = {"type": "Box", "shape": [5], "dtype": "float32"}
IMAGE = {"type": "Box", "shape": [3, 36, 36], "dtype": "uint8"}
IMAGE_LAST = {"type": "Box", "shape": [40, 36, 1], "dtype": "uint8"}
DICT = {"type": "Dict", "spaces": {"camera": IMAGE, "joints": 4, "mode": {"type": "Discrete", "n": 3}}}
CONTINUOUS = {"type": "Box", "shape": [2], "low": -2, "high": 2}

CASES: list[dict[str, Any]] = [
    # on-policy, every action space
    {"algo": "PPO", "observation_space": 101, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [64, 64]}},
    {"algo": "PPO", "observation_space": BOX, "action_space": CONTINUOUS},
    {"algo": "PPO", "observation_space": BOX, "action_space": "multidiscrete:3,4"},
    {"algo": "PPO", "observation_space": BOX, "action_space": "multibinary:5"},
    {"algo": "PPO", "observation_space": BOX, "action_space": CONTINUOUS, "use_sde": True},
    {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "use_sde": True,
        "policy_kwargs": {"full_std": False, "net_arch": {"pi": [8], "vf": [4, 4]}},
    },
    {"algo": "PPO", "observation_space": IMAGE, "action_space": "discrete:6"},
    {
        "algo": "PPO",
        "observation_space": IMAGE_LAST,
        "action_space": "discrete:6",
        "policy_kwargs": {"share_features_extractor": False, "features_extractor_kwargs": {"features_dim": 32}},
    },
    {"algo": "PPO", "observation_space": DICT, "action_space": "discrete:2"},
    {"algo": "PPO", "observation_space": {"type": "Discrete", "n": 7}, "action_space": "discrete:2"},
    {
        "algo": "PPO",
        "observation_space": {"type": "MultiBinary", "n": 6},
        "action_space": "discrete:2",
        "policy_kwargs": {"net_arch": [], "activation_fn": "ReLU"},
    },
    {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": "discrete:3",
        "policy_kwargs": {"net_arch": {"pi": [16], "vf": []}, "share_features_extractor": False},
    },
    {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": "discrete:3",
        "policy_kwargs": {"net_arch": [{"pi": [8], "vf": [4]}]},
    },
    {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": "discrete:3",
        "policy_kwargs": {"activation_fn": "PReLU"},
    },
    {"algo": "A2C", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"ortho_init": False}},
    {"algo": "TRPO", "observation_space": BOX, "action_space": "discrete:3", "policy_kwargs": {"net_arch": [32]}},
    {"algo": "MaskablePPO", "observation_space": BOX, "action_space": "multidiscrete:2,3"},
    {"algo": "MaskablePPO", "observation_space": DICT, "action_space": "discrete:3"},
    {
        "algo": "RecurrentPPO",
        "observation_space": BOX,
        "action_space": "discrete:3",
        "policy_kwargs": {"lstm_hidden_size": 16},
    },
    {
        "algo": "ppo_lstm",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"lstm_hidden_size": 8, "n_lstm_layers": 2, "shared_lstm": True, "enable_critic_lstm": False},
    },
    {
        "algo": "RecurrentPPO",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"lstm_hidden_size": 8, "enable_critic_lstm": False},
    },
    {
        "algo": "RecurrentPPO",
        "observation_space": IMAGE,
        "action_space": "discrete:3",
        "policy_kwargs": {"lstm_hidden_size": 8},
    },
    # off-policy
    {"algo": "SAC", "observation_space": 17, "action_space": "box:6"},
    {
        "algo": "SAC",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "use_sde": True,
        "policy_kwargs": {"net_arch": [8]},
    },
    {
        "algo": "SAC",
        "observation_space": IMAGE,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"share_features_extractor": True},
    },
    {
        "algo": "SAC",
        "observation_space": DICT,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"n_critics": 3, "net_arch": {"pi": [8], "qf": [4, 4]}},
    },
    {"algo": "TD3", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"net_arch": [16, 16]}},
    {
        "algo": "TD3",
        "observation_space": IMAGE_LAST,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"share_features_extractor": True},
    },
    {"algo": "DDPG", "observation_space": BOX, "action_space": CONTINUOUS},
    {"algo": "DQN", "observation_space": BOX, "action_space": "discrete:4"},
    {
        "algo": "DQN",
        "observation_space": {"type": "Box", "shape": [4, 84, 84], "dtype": "uint8"},
        "action_space": "discrete:6",
    },
    {"algo": "DQN", "observation_space": DICT, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [8]}},
    {"algo": "QRDQN", "observation_space": BOX, "action_space": "discrete:4", "policy_kwargs": {"n_quantiles": 7}},
    {"algo": "QRDQN", "observation_space": IMAGE, "action_space": "discrete:4"},
    {
        "algo": "TQC",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"n_quantiles": 5, "n_critics": 3},
    },
    {"algo": "TQC", "observation_space": IMAGE, "action_space": CONTINUOUS, "use_sde": True},
    {"algo": "CrossQ", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"net_arch": [16]}},
    {"algo": "CrossQ", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"batch_norm": False}},
    {"algo": "ARS", "observation_space": BOX, "action_space": CONTINUOUS},
    {"algo": "ARS", "observation_space": BOX, "action_space": "discrete:3", "policy": "LinearPolicy"},
    # what SB3 builds, runs and trains although it looks odd (tests/test_lint_runs.py has those it cannot run)
    {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": "discrete:3",
        "policy_kwargs": {"activation_fn": "Dropout"},
    },
    {
        "algo": "SAC",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"activation_fn": "Flatten"},
    },
    {
        "algo": "A2C",
        "observation_space": BOX,
        "action_space": "box:2",
        "policy_kwargs": {"activation_fn": "AlphaDropout"},
    },
    {"algo": "SAC", "observation_space": BOX, "action_space": {"type": "Box", "shape": []}},
    {"algo": "PPO", "observation_space": BOX, "action_space": {"type": "Box", "shape": []}, "use_sde": True},
    {"algo": "TQC", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"n_quantiles": 0}},
    {
        "algo": "TD3",
        "policy": "CnnPolicy",
        "observation_space": IMAGE,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"n_critics": 0, "share_features_extractor": True},
    },
    {
        "algo": "RecurrentPPO",
        "policy": "MlpLstmPolicy",
        "observation_space": DICT,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"features_extractor_class": "CombinedExtractor", "lstm_hidden_size": 8},
    },
]


def _id(case: dict[str, Any]) -> str:
    return f"{case['algo']}-{case.get('policy', '')}-{str(case['observation_space'])[:20]}-{str(case['action_space'])[:20]}"


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{_id(c)}" for i, c in enumerate(CASES)])
def test_report_equals_cpu_build(case: dict[str, Any]) -> None:
    skip_if_lacking(catalog.ALGO_ALIASES[case["algo"].lower()])
    spec = spec_from_mapping(case)
    built = build_policy(spec)
    assert is_meta(built.policy), "the build allocated parameters"
    report = summarize_spec(spec)
    assert_matches_cpu_build(spec, report)


def test_seed_case_numbers() -> None:
    report = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": 101,
            "action_space": {"type": "Discrete", "n": 4},
            "policy_kwargs": {"net_arch": [64, 64]},
        }
    )
    pi, vf = report.network("pi"), report.network("vf")
    assert (pi.params, vf.params, report.totals.params) == (10_948, 10_753, 21_701)
    assert list(pi.hidden_sizes) == [64, 64] and list(vf.hidden_sizes) == [64, 64]
    linear = [layer for layer in pi.layers if layer.type == "Linear"]
    assert [(row.path, row.in_features, row.out_features, row.params) for row in linear] == [
        ("mlp_extractor.policy_net.0", 101, 64, 6_528),
        ("mlp_extractor.policy_net.2", 64, 64, 4_160),
        ("action_net", 64, 4, 260),
    ]
    assert dict(linear[0].param_shapes) == {"weight": (64, 101), "bias": (64,)}
    assert report.totals.trainable_params == 21_701
    assert report.totals.bytes == 21_701 * 4


def test_shared_extractor_listed_in_both_counted_once() -> None:
    report = sb3inspect.summary({"algo": "PPO", "observation_space": IMAGE, "action_space": "discrete:6"})
    pi, vf = report.network("pi"), report.network("vf")
    cnn_pi = [row for row in pi.layers if row.part == "features_extractor" and row.params]
    cnn_vf = [row for row in vf.layers if row.part == "features_extractor" and row.params]
    assert cnn_pi == cnn_vf and all(row.shared for row in cnn_pi)
    shared = sum(row.params for row in cnn_pi)
    assert report.totals.params == pi.params + vf.params - shared


def test_targets_are_flagged_and_not_trainable() -> None:
    report = sb3inspect.summary({"algo": "TD3", "observation_space": BOX, "action_space": CONTINUOUS})
    assert [n.name for n in report.networks] == ["actor", "actor_target", "critic", "critic_target"]
    targets = [n for n in report.networks if n.target]
    assert [n.name for n in targets] == ["actor_target", "critic_target"]
    assert all(n.trainable_params == 0 for n in targets)
    assert report.totals.target_params == sum(n.params for n in targets)
    assert report.totals.trainable_params == report.totals.params - report.totals.target_params


def test_giant_config_is_reported_without_allocating() -> None:
    spec = spec_from_mapping(
        {
            "algo": "PPO",
            "observation_space": 101,
            "action_space": "discrete:4",
            "policy_kwargs": {"net_arch": [16384] * 6},
        }
    )
    built = build_policy(spec)
    assert is_meta(built.policy)
    assert summarize_spec(spec).totals.params == 2_687_942_661


# --- generated configs ---------------------------------------------------------------------------

widths = st.lists(st.integers(1, 12), min_size=0, max_size=3)
activations = st.sampled_from(["Tanh", "ReLU", "nn.ELU", "torch.nn.LeakyReLU", "SiLU", "GELU"])
flat_obs = st.one_of(
    st.integers(1, 9),
    st.builds(lambda s: {"type": "Box", "shape": s}, st.lists(st.integers(1, 4), min_size=1, max_size=3)),
    st.builds(lambda n: {"type": "Discrete", "n": n}, st.integers(1, 9)),
    st.builds(lambda v: {"type": "MultiDiscrete", "nvec": v}, st.lists(st.integers(1, 5), min_size=1, max_size=3)),
    st.builds(lambda n: {"type": "MultiBinary", "n": n}, st.integers(1, 6)),
)
image_obs = st.builds(
    lambda c, h, w, last: {"type": "Box", "shape": [h, w, c] if last else [c, h, w], "dtype": "uint8"},
    st.sampled_from([1, 3, 4]),
    st.integers(36, 40),
    st.integers(36, 40),
    st.booleans(),
)
dict_obs = st.builds(
    lambda subs: {"type": "Dict", "spaces": {f"k{i}": s for i, s in enumerate(subs)}},
    st.lists(st.one_of(flat_obs, image_obs), min_size=1, max_size=3),
)
discrete_act = st.builds(lambda n: f"discrete:{n}", st.integers(1, 6))
box_act = st.builds(lambda n: {"type": "Box", "shape": [n], "low": -1, "high": 1}, st.integers(1, 4))
any_act = st.one_of(
    discrete_act,
    box_act,
    st.builds(lambda v: {"type": "MultiDiscrete", "nvec": v}, st.lists(st.integers(1, 4), min_size=1, max_size=3)),
    st.builds(lambda n: {"type": "MultiBinary", "n": n}, st.integers(1, 4)),
)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    algo = draw(st.sampled_from(installed_algorithms()))
    obs = draw(st.one_of(flat_obs, image_obs, dict_obs) if algo not in ("CrossQ", "ARS") else flat_obs)
    if algo in ("DQN", "QRDQN"):
        act = draw(discrete_act)
    elif algo in ("SAC", "TD3", "DDPG", "TQC", "CrossQ"):
        act = draw(box_act)
    elif algo == "MaskablePPO":
        act = draw(st.one_of(discrete_act, st.builds(lambda n: {"type": "MultiBinary", "n": n}, st.integers(1, 4))))
    elif algo == "ARS":
        act = draw(st.one_of(discrete_act, box_act))
    else:
        act = draw(any_act)
    kwargs: dict[str, Any] = {}
    on_policy = algo in ("PPO", "A2C", "TRPO", "MaskablePPO", "RecurrentPPO")
    if draw(st.booleans()):
        if on_policy and draw(st.booleans()):
            kwargs["net_arch"] = {"pi": draw(widths), "vf": draw(widths)}
        elif algo in ("SAC", "TD3", "DDPG", "TQC", "CrossQ") and draw(st.booleans()):
            kwargs["net_arch"] = {"pi": draw(widths), "qf": draw(widths)}
        else:
            kwargs["net_arch"] = draw(widths)
    if draw(st.booleans()):
        kwargs["activation_fn"] = draw(activations)
    if algo not in ("DQN", "QRDQN", "ARS") and draw(st.booleans()):
        kwargs["share_features_extractor"] = draw(st.booleans())
    if algo in ("SAC", "TD3", "DDPG", "TQC", "CrossQ") and draw(st.booleans()):
        kwargs["n_critics"] = draw(st.integers(1, 3))
    if algo in ("TQC", "QRDQN") and draw(st.booleans()):
        kwargs["n_quantiles"] = draw(st.integers(1, 6))
    if algo == "RecurrentPPO":
        kwargs["lstm_hidden_size"] = draw(st.integers(1, 8))
        kwargs["n_lstm_layers"] = draw(st.integers(1, 2))
        mode = draw(st.sampled_from(["separate", "shared", "none"]))
        if mode == "shared" and kwargs.get("share_features_extractor", True):
            kwargs.update(shared_lstm=True, enable_critic_lstm=False)
        elif mode == "none":
            kwargs["enable_critic_lstm"] = False
    if draw(st.booleans()) and (
        (isinstance(obs, dict) and obs.get("type") == "Dict") or (isinstance(obs, dict) and obs.get("dtype") == "uint8")
    ):
        key = "cnn_output_dim" if obs.get("type") == "Dict" else "features_dim"
        kwargs["features_extractor_kwargs"] = {key: draw(st.integers(1, 16))}
    if algo == "ARS":
        kwargs.pop("share_features_extractor", None)
    config: dict[str, Any] = {"algo": algo, "observation_space": obs, "action_space": act, "policy_kwargs": kwargs}
    sde_ok = (
        algo in ("PPO", "A2C", "TRPO", "RecurrentPPO", "SAC", "TQC", "CrossQ")
        and isinstance(act, dict)
        and act["type"] == "Box"
    )
    if sde_ok and draw(st.booleans()):
        config["use_sde"] = True
    return config


@pytest.mark.slow
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_generated_configs_equal_cpu_builds(config: dict[str, Any]) -> None:
    assert_same_as_cpu_build(config)
