"""The answers beyond the layers, each held against a real CPU build doing what SB3 does with it.

Preprocessing, the action distribution, optimizers, gradients through shared modules, target updates,
settings, aliases, custom policies and size findings: the report says it, and SB3's own objects, a
real backward pass, a real ``_on_step`` or a real ``learn()`` show it.
"""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

import sb3inspect
from sb3inspect.render.common import display_rows, explain_notes, header_lines
from sb3inspect.render.mermaid import mermaid
from sb3inspect.report.model import PolicyReport
from sb3inspect.sources.config import spec_from_mapping

from .conftest import ROOT, skip_if_lacking
from .reference import assert_same_as_cpu_build, cpu_model, spaces_env

BOX = {"type": "Box", "shape": [5], "dtype": "float32"}
SMALL_IMAGE = {"type": "Box", "shape": [3, 36, 36], "dtype": "uint8"}
CONTINUOUS = {"type": "Box", "shape": [3], "low": -1, "high": 1}


def header(report: PolicyReport) -> dict[str, str]:
    return dict(header_lines(report))


def model_of(config: dict[str, Any]) -> Any:
    return cpu_model(spec_from_mapping(config))


# --- preprocessing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("space", "kind", "width", "line"),
    [
        ({"type": "Discrete", "n": 16}, "one_hot", 16, "one-hot of 16"),
        ({"type": "MultiDiscrete", "nvec": [3, 4, 5]}, "one_hot_concat", 12, "one-hots 3 + 4 + 5 = 12"),
        ({"type": "MultiBinary", "n": [4, 4]}, "binary", 16, "0/1 values cast to float"),
        (BOX, "float", 5, "used as is"),
        (SMALL_IMAGE, "image", 3 * 36 * 36, "image ÷ 255"),
    ],
)
def test_preprocessing_is_what_preprocess_obs_does(space: dict[str, Any], kind: str, width: int, line: str) -> None:
    config = {"algo": "PPO", "observation_space": space, "action_space": "discrete:2"}
    report = sb3inspect.summary(config)
    (step,) = report.preprocessing
    assert (step.kind, step.width) == (kind, width)
    assert line in header(report)["observation"]
    model_of(config)  # preprocess_obs itself is run on samples by assert_answers_match (test_differential)


def test_a_discrete_observation_row_says_one_hot() -> None:
    report = sb3inspect.summary(
        {"algo": "PPO", "observation_space": {"type": "Discrete", "n": 16}, "action_space": "discrete:4"}
    )
    flatten = next(
        row for row in display_rows(report.network("pi"), report) if row.path == "features_extractor.flatten"
    )
    assert flatten.type == "Flatten (one-hot of Discrete(16))" and flatten.io == "16 → 16"


def test_normalize_images_false_does_not_divide() -> None:
    config = {
        "algo": "PPO",
        "policy": "CnnPolicy",
        "observation_space": SMALL_IMAGE,
        "action_space": "discrete:2",
        "policy_kwargs": {"normalize_images": False},
    }
    report = sb3inspect.summary(config)
    assert report.preprocessing[0].scaled is False
    assert "NOT divided by 255" in header(report)["observation"]
    policy = model_of(config).policy
    obs = torch.full((1, 3, 36, 36), 255, dtype=torch.uint8)
    assert float(policy.extract_features(obs, policy.features_extractor).detach().abs().sum()) >= 0  # runs
    from stable_baselines3.common.preprocessing import preprocess_obs

    assert float(preprocess_obs(obs, policy.observation_space, normalize_images=False).max()) == 255.0


def test_a_float_image_is_not_an_image_and_its_flatten_is_not_a_cnn() -> None:
    depth = {"type": "Box", "shape": [1, 40, 40], "dtype": "float32", "low": 0, "high": 1}
    config = {
        "algo": "PPO",
        "observation_space": {"type": "Dict", "spaces": {"rgb": SMALL_IMAGE, "depth": depth}},
        "action_space": "discrete:2",
    }
    report = sb3inspect.summary(config)
    steps = {step.key: step for step in report.preprocessing}
    assert (steps["depth"].kind, steps["depth"].encoder, steps["depth"].features) == ("float", "Flatten", 1600)
    assert (steps["rgb"].kind, steps["rgb"].encoder) == ("image", "NatureCNN")
    notes = " ".join(explain_notes(report))
    assert "depth: Box(1, 40, 40) float32 [0, 1] → not an image for SB3 (float32)" in notes
    assert "1×40×40 flattens" not in notes  # the flatten note is about a CNN's feature map only
    (combined,) = report.input_composition
    assert combined.parts == (("depth (Flatten)", 1600), ("rgb (NatureCNN)", 256))
    policy = model_of(config).policy
    assert list(policy.features_extractor.extractors) == ["depth", "rgb"]  # the order CombinedExtractor concatenates


@pytest.mark.parametrize("algo", ["PPO", "SAC"])
def test_an_image_key_of_a_dict_has_its_cnn_shapes_and_macs(algo: str) -> None:
    """CombinedExtractor's NatureCNN is measured through the Dict observation it is part of."""
    config = {
        "algo": algo,
        "observation_space": {"type": "Dict", "spaces": {"rgb": SMALL_IMAGE, "state": BOX}},
        "action_space": CONTINUOUS,
    }
    report = sb3inspect.summary(config)
    assert not [note for note in report.notes if "not measured" in note], report.notes
    convs = [layer for network in report.networks for layer in network.layers if layer.type == "Conv2d"]
    assert convs and all(layer.output_shape and layer.macs for layer in convs)
    assert_same_as_cpu_build(config)  # every Conv2d's output shape is the real forward's


# --- actions -----------------------------------------------------------------------------------------


def _std(policy: Any, obs: torch.Tensor) -> torch.Tensor:
    if hasattr(policy, "actor"):
        mean, log_std, kwargs = policy.actor.get_action_dist_params(obs)
        return policy.actor.action_dist.proba_distribution(mean, log_std, **kwargs).distribution.stddev
    return policy.get_distribution(obs).distribution.stddev


@pytest.mark.parametrize(
    "config",
    [
        {"algo": "PPO", "observation_space": BOX, "action_space": CONTINUOUS},
        {"algo": "PPO", "observation_space": BOX, "action_space": CONTINUOUS, "use_sde": True},
        {"algo": "SAC", "observation_space": BOX, "action_space": CONTINUOUS},
        {"algo": "SAC", "observation_space": BOX, "action_space": CONTINUOUS, "use_sde": True},
    ],
    ids=["ppo", "ppo-gsde", "sac", "sac-gsde"],
)
def test_log_std_state_dependence_is_measured(config: dict[str, Any]) -> None:
    report = sb3inspect.summary(config)
    policy = model_of(config).policy
    if config.get("use_sde"):
        policy.reset_noise()
    obs = torch.randn(2, 5) * 3
    with torch.no_grad():
        varies = not torch.allclose(_std(policy, obs[:1]), _std(policy, obs[1:]))
    assert report.action_distribution is not None and report.action_distribution.log_std is not None
    assert report.action_distribution.log_std["state_dependent"] is varies
    notes = " ".join(explain_notes(report))
    assert ("depends on the observation" in notes) is varies
    assert ("does not depend on the observation" in notes) is (not varies)


@pytest.mark.parametrize(("algo", "expln"), [("SAC", True), ("SAC", False), ("PPO", True)])
def test_gsde_initial_std_is_get_std_of_log_std_init(algo: str, expln: bool) -> None:
    """use_expln changes the std a positive log_std_init gives (log1p(x) + 1, not exp(x))."""
    config = {
        "algo": algo,
        "observation_space": BOX,
        "action_space": "box:2",
        "use_sde": True,
        "policy_kwargs": {"use_expln": expln, "log_std_init": 1.0, "net_arch": [8]},
    }
    report = sb3inspect.summary(config)
    policy = model_of(config).policy
    owner = policy.actor if algo == "SAC" else policy
    with torch.no_grad():
        real = float(owner.action_dist.get_std(owner.log_std).flatten()[0])
    assert report.action_distribution.details["init_std"] == pytest.approx(real)
    assert f"log_std_init 1.0 → std {real:.3g}" in " ".join(explain_notes(report))
    assert ("use_expln: std = exp(log_std) up to 0" in " ".join(explain_notes(report))) == expln


def test_gaussian_samples_are_clipped_and_squashed_ones_are_not() -> None:
    wide = {"algo": "PPO", "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": {"log_std_init": 1.0}}
    squashed = {**wide, "use_sde": True, "policy_kwargs": {"squash_output": True, "log_std_init": 1.0}}
    obs = torch.randn(256, 5)
    with torch.no_grad():
        loose = model_of(wide).policy(obs)[0]
        policy = model_of(squashed).policy
        policy.reset_noise(256)
        tight = policy(obs)[0]
    assert loose.abs().max() > 1 and tight.abs().max() <= 1  # tanh of a large sample rounds to 1.0 in float32
    assert sb3inspect.summary(wide).action_distribution.bounds == "clip"
    report = sb3inspect.summary(squashed)
    assert (report.action_distribution.squash, report.action_distribution.bounds) == ("tanh", "rescale")
    assert "samples unbounded, clipped to [-1, 1]" in header(sb3inspect.summary(wide))["action"]


@pytest.mark.parametrize(
    ("algo", "low", "high", "flagged"),
    [
        ("PPO", 0, 1, True),
        ("A2C", [0, -1], [1, 1], True),
        ("PPO", -100, 100, True),
        ("PPO", -1, 1, False),
        ("PPO", -2, 2, False),  # Pendulum: 5 % clipped at first, the whole range explored
        ("SAC", 0, 1, False),  # tanh rescaled to the bounds
    ],
)
def test_a_clipped_gaussian_on_an_unnormalized_box_is_flagged(algo: str, low: Any, high: Any, flagged: bool) -> None:
    """NA010's share of clipped first samples is the one the CPU build's distribution draws (SB3's check_env
    warns on every Box other than [-1, 1]; we flag where it matters)."""
    import inspect

    from stable_baselines3.common.env_checker import check_env

    assert "np.any(action_space.low != -1)" in inspect.getsource(check_env)
    space = {"type": "Box", "shape": [2], "low": low, "high": high}
    config = {"algo": algo, "observation_space": BOX, "action_space": space}
    found = [f for f in sb3inspect.summary(config).findings if f.code == "NA010"]
    assert bool(found) == flagged
    if not flagged or high == 100:
        return
    share = float(re.search(r"so (\d+) % of the first samples are clipped", found[0].message)[1]) / 100
    policy = model_of(config).policy
    torch.manual_seed(0)
    with torch.no_grad():
        samples = policy.get_distribution(torch.zeros(20_000, 5)).sample().numpy()
    bounds = policy.action_space
    real = float(np.mean((samples < bounds.low) | (samples > bounds.high)))
    assert abs(real - share) < 0.03


def test_per_dimension_bounds_are_shown_where_sb3_rescales_to_them() -> None:
    import inspect

    from stable_baselines3.common.policies import BasePolicy

    assert "low + (0.5 * (scaled_action + 1.0) * (high - low))" in inspect.getsource(BasePolicy.unscale_action)
    config = {
        "algo": "SAC",
        "observation_space": BOX,
        "action_space": {"type": "Box", "shape": [2], "low": [0, -5], "high": [1, 5]},
    }
    report = sb3inspect.summary(config)
    assert (report.action_space["low"], report.action_space["high"]) == ((0, -5), (1, 5))
    assert "Box(2,) float32 [0, 1] × [-5, 5]" in header(report)["action"]
    assert "rescaled to [0, 1] × [-5, 5]" in header(report)["action"]
    policy = model_of(config).policy
    assert policy.unscale_action(np.array([[-1.0, -1.0], [1.0, 1.0]])).tolist() == [[0, -5], [1, 5]]


def test_td3_is_deterministic_tanh_rescaled_to_the_box() -> None:
    config = {
        "algo": "TD3",
        "observation_space": 3,
        "action_space": {"type": "Box", "shape": [1], "low": -2, "high": 2},
    }
    report = sb3inspect.summary(config)
    dist = report.action_distribution
    assert (dist.kind, dist.squash, dist.bounds) == ("deterministic", "tanh", "rescale")
    assert "[-1, 1] rescaled to [-2, 2]" in header(report)["action"]
    model = model_of(config)
    assert type(list(model.policy.actor.mu.children())[-1]) is torch.nn.Tanh
    actions, _ = model.predict(np.ones((64, 3), dtype=np.float32) * np.linspace(-5, 5, 64)[:, None])
    assert np.abs(actions).max() <= 2


@pytest.mark.parametrize(
    ("action_space", "kind", "splits", "words"),
    [
        ("multidiscrete:10,5,5", "multi_categorical", (10, 5, 5), "split 10 + 5 + 5"),
        ("multibinary:10", "bernoulli", (), "Bernoulli: 10 logits"),
        ("discrete:4", "categorical", (), "Categorical over 4 logits"),
    ],
)
def test_discrete_heads(action_space: str, kind: str, splits: tuple[int, ...], words: str) -> None:
    config = {"algo": "PPO", "observation_space": BOX, "action_space": action_space}
    report = sb3inspect.summary(config)
    dist = report.action_distribution
    assert (dist.kind, dist.splits) == (kind, splits)
    assert words in header(report)["action"]
    real = model_of(config).policy.action_dist
    if splits:
        assert list(real.action_dims) == list(splits)


@pytest.mark.parametrize(
    ("action_space", "splits", "size"),
    [("multibinary:4", (2, 2, 2, 2), 8), ("multidiscrete:2,3,4", (2, 3, 4), 9), ("discrete:5", (), 5)],
)
def test_maskable_heads_and_the_mask_action_masks_returns(
    action_space: str, splits: tuple[int, ...], size: int
) -> None:
    """MaskablePPO's MultiBinary is a 2-way Categorical per binary action (not Bernoulli logits); the mask
    action_masks() returns has one boolean per logit, and predict() takes exactly that many."""
    config = {"algo": "MaskablePPO", "observation_space": BOX, "action_space": action_space}
    report = sb3inspect.summary(config)
    dist = report.action_distribution
    assert dist is not None and dist.splits == splits and dist.details["mask_size"] == size
    assert dist.kind == ("multi_categorical" if splits else "categorical")
    assert f"action_masks(): {size} booleans" in header(report)["action"]
    assert any(f"action_masks() returns {size} booleans" in note for note in explain_notes(report))
    model = model_of(config)
    assert list(getattr(model.policy.action_dist, "action_dims", ())) == list(splits)
    obs = np.zeros((1, 5), dtype=np.float32)
    model.predict(obs, action_masks=np.ones((1, size), dtype=bool))
    with pytest.raises(RuntimeError):
        model.predict(obs, action_masks=np.ones((1, size - 1), dtype=bool))


def test_q_networks_are_greedy_with_epsilon() -> None:
    report = sb3inspect.summary(
        {"algo": "QRDQN", "observation_space": 4, "action_space": "discrete:2", "policy_kwargs": {"n_quantiles": 25}}
    )
    dist = report.action_distribution
    assert (dist.kind, dist.width, dist.splits) == ("quantile_greedy", 50, (25, 2))
    assert "ε-greedy" in header(report)["action"] and "mean of 25 quantiles" in header(report)["action"]


def test_an_integer_action_box_is_said_to_be_continuous() -> None:
    config = {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": {"type": "Box", "shape": [10], "low": 0, "high": 1, "dtype": "int8"},
    }
    notes = " ".join(explain_notes(sb3inspect.summary(config)))
    assert "never rounded" in notes and "MultiBinary" in notes


# --- optimizers and gradients ------------------------------------------------------------------------


def _grads(module: torch.nn.Module) -> list[bool]:
    return [p.grad is not None and bool(p.grad.abs().sum() > 0) for p in module.parameters()]


@pytest.mark.parametrize("algo", ["SAC", "TD3", "TQC"])
def test_a_shared_extractor_gets_no_critic_gradient(algo: str) -> None:
    config = {
        "algo": algo,
        "policy": "CnnPolicy",
        "observation_space": SMALL_IMAGE,
        "action_space": "box:2",
        "policy_kwargs": {"share_features_extractor": True, "net_arch": [8]},
    }
    report = sb3inspect.summary(config)
    (flow,) = report.gradients
    assert (flow.module, flow.trained_by, flow.not_by) == (
        "actor.features_extractor",
        ("actor loss",),
        ("critic loss",),
    )
    policy = model_of(config).policy
    obs = torch.randint(0, 255, (4, 3, 36, 36), dtype=torch.uint8)
    q = policy.critic(obs, torch.zeros(4, 2))
    q = q if isinstance(q, torch.Tensor) else torch.cat(q)
    q.sum().backward()
    assert not any(_grads(policy.actor.features_extractor))
    policy.zero_grad(set_to_none=True)
    policy.actor(obs).sum().backward() if algo == "TD3" else policy.actor.action_log_prob(obs)[1].sum().backward()
    assert all(_grads(policy.actor.features_extractor))
    held = {id(p) for group in policy.critic.optimizer.param_groups for p in group["params"]}
    in_critic = all(id(p) in held for p in policy.actor.features_extractor.parameters())
    assert ("critic.features_extractor" in report.optimizers[1].excluded) is (not in_critic)
    rows = {row.path: row for row in display_rows(report.network("critic"), report)}
    assert "detached" in rows["actor.features_extractor.cnn.0"].flags


def test_ppo_value_loss_reaches_the_shared_cnn() -> None:
    config = {"algo": "PPO", "observation_space": SMALL_IMAGE, "action_space": "discrete:2"}
    report = sb3inspect.summary(config)
    (flow,) = report.gradients
    assert flow.trained_by == ("policy loss", "value loss × vf_coef 0.5", "entropy loss × ent_coef 0.0")
    policy = model_of(config).policy
    policy.predict_values(torch.randint(0, 255, (2, 3, 36, 36), dtype=torch.uint8)).sum().backward()
    assert all(_grads(policy.features_extractor))
    assert report.optimizers[0].loss == "policy_loss + 0.5·value_loss − 0.0·entropy"


def test_recurrent_shared_lstm_is_detached_from_the_value_loss() -> None:
    config = {
        "algo": "RecurrentPPO",
        "observation_space": BOX,
        "action_space": "discrete:2",
        "policy_kwargs": {"lstm_hidden_size": 8, "shared_lstm": True, "enable_critic_lstm": False},
    }
    report = sb3inspect.summary(config)
    (flow,) = report.gradients
    assert (flow.module, flow.not_by) == ("lstm_actor", ("value loss",))
    rows = {row.path: row for row in display_rows(report.network("vf"), report)}
    assert rows["lstm_actor"].flags == ("shared", "detached")
    policy = model_of(config).policy
    states = (torch.zeros(policy.lstm_hidden_state_shape), torch.zeros(policy.lstm_hidden_state_shape))
    policy.predict_values(torch.randn(1, 5), states, torch.zeros(1)).sum().backward()
    assert not any(_grads(policy.lstm_actor))


@pytest.mark.parametrize(
    ("kwargs", "kind", "vf_module"),
    [
        ({}, "own_lstm", "lstm_critic"),
        ({"shared_lstm": True, "enable_critic_lstm": False}, "shared_detached", "lstm_actor"),
        ({"enable_critic_lstm": False}, "linear", "critic"),
    ],
    ids=["own", "shared", "none"],
)
def test_recurrent_memory_says_which_lstm_each_network_reads(kwargs: dict[str, Any], kind: str, vf_module: str) -> None:
    skip_if_lacking("RecurrentPPO")
    config = {
        "algo": "RecurrentPPO",
        "observation_space": BOX,
        "action_space": "discrete:2",
        "n_envs": 3,
        "policy_kwargs": {"lstm_hidden_size": 16, "n_lstm_layers": 2, **kwargs},
    }
    report = sb3inspect.summary(config)
    recurrent = report.recurrent
    assert recurrent is not None and recurrent["vf"] == {"module": vf_module, "kind": kind}
    assert recurrent["state"] == {"h": (2, 3, 16), "c": (2, 3, 16)}
    assert header(report)["memory"].startswith("pi lstm_actor")
    assert any(note.startswith("memory: ") for note in explain_notes(report))
    assert PolicyReport.from_dict(report.to_dict()) == report
    assert_same_as_cpu_build(config)  # modules by identity, (h, c) shapes as RecurrentPPO carries them


@pytest.mark.parametrize(
    ("algo", "n_critics", "words"),
    [
        ("SAC", 2, "takes the minimum of their next-state values"),
        ("TD3", 3, "takes the minimum of their next-state values"),
        ("DDPG", None, "one q-network (n_critics=1)"),
        ("TQC", 2, "pools their quantiles and drops the highest"),
    ],
)
def test_why_a_critic_holds_several_q_networks(algo: str, n_critics: int | None, words: str) -> None:
    skip_if_lacking(algo)
    kwargs = {"n_critics": n_critics} if n_critics else {}
    config = {"algo": algo, "observation_space": BOX, "action_space": CONTINUOUS, "policy_kwargs": kwargs}
    report = sb3inspect.summary(config)
    (line,) = [note for note in explain_notes(report) if note.startswith("critic has ")]
    assert words in line
    real = len(model_of(config).policy.critic.q_networks)
    assert report.settings["n_critics"] == real and (real == 1) == line.startswith("critic has one q-network")


def test_a_non_shared_on_policy_extractor_is_trained_by_its_own_loss() -> None:
    config = {
        "algo": "PPO",
        "policy": "CnnPolicy",
        "observation_space": SMALL_IMAGE,
        "action_space": "discrete:2",
        "policy_kwargs": {"share_features_extractor": False},
    }
    report = sb3inspect.summary(config)
    (line,) = [note for note in explain_notes(report) if note.startswith("share_features_extractor=False")]
    assert "the policy loss trains pi's, the value loss vf's" in line
    policy = model_of(config).policy
    assert policy.pi_features_extractor is not policy.vf_features_extractor
    obs = torch.full((2, 3, 36, 36), 128, dtype=torch.uint8)
    policy.predict_values(obs).sum().backward()  # a value-only loss
    assert all(p.grad is None for p in policy.pi_features_extractor.parameters())
    assert any(p.grad is not None for p in policy.vf_features_extractor.parameters())


def test_log_std_can_be_set_after_loading_where_the_report_says(tmp_path: Any) -> None:
    config = {
        "algo": "PPO",
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"log_std_init": -0.5},
    }
    report = sb3inspect.summary(config)
    (line,) = [note for note in explain_notes(report) if note.startswith("log_std_init only sets")]
    assert "model.policy.log_std.data" in line
    model = model_of(config)
    assert float(model.policy.log_std.data[0]) == -0.5 and model.policy.log_std.requires_grad
    model.save(tmp_path / "m.zip")
    with pytest.raises(ValueError):  # load() refuses other policy_kwargs
        type(model).load(tmp_path / "m.zip", policy_kwargs={"log_std_init": 0.0}, device="cpu")


@pytest.mark.parametrize("algo", ["SAC", "TQC", "TD3"])
def test_which_algorithms_keep_an_actor_target_and_why_sac_does_not(algo: str) -> None:
    config = {"algo": algo, "observation_space": BOX, "action_space": "box:2", "policy_kwargs": {"net_arch": [8]}}
    report = sb3inspect.summary(config)
    has_target = hasattr(model_of(config).policy, "actor_target")
    assert has_target == any(n.name == "actor_target" for n in report.networks)
    critic = next(o for o in report.optimizers if o.name == "policy.critic.optimizer")
    assert ("there is no actor_target" in (critic.note or "")) == (not has_target)


def test_trpo_adam_steps_only_the_value_path() -> None:
    config = {"algo": "TRPO", "observation_space": BOX, "action_space": "box:1", "policy_kwargs": {"net_arch": [8]}}
    report = sb3inspect.summary(config)
    (adam,) = report.optimizers
    model = model_of(config)
    model.learn(8)
    stepped = {id(p) for p in model.policy.optimizer.state}
    names = {id(p): name for name, p in model.policy.named_parameters()}
    assert adam.updated == sum(p.numel() for p in model.policy.parameters() if id(p) in stepped)
    assert adam.modules == ("mlp_extractor.value_net", "value_net")
    assert {names[key].split(".")[0] for key in stepped} == {"mlp_extractor", "value_net"}
    value = sum(p.numel() for p in model.policy.parameters() if id(p) in stepped)
    assert report.totals.training_bytes == report.totals.params * 4 * 2 + value * 4 * 2  # params, grads, 2 moments


def test_sac_has_three_optimizers_one_outside_the_policy() -> None:
    report = sb3inspect.summary({"algo": "SAC", "env": "Pendulum-v1"})
    assert [(o.name, o.params, o.in_policy) for o in report.optimizers] == [
        ("policy.actor.optimizer", 67_330, True),
        ("policy.critic.optimizer", 134_658, True),
        ("ent_coef_optimizer", 1, False),
    ]
    assert header(report)["optimizers"].endswith("log_ent_coef: Adam lr 0.0003")


def test_a2c_rmsprop_options_are_the_real_ones() -> None:
    report = sb3inspect.summary({"algo": "A2C", "observation_space": BOX, "action_space": "discrete:2"})
    assert header(report)["optimizer"].startswith("RMSprop lr 0.0007, alpha 0.99, eps 1e-05, weight_decay 0")


# --- targets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tau", "interval", "n_envs"), [(0.8, 100, 1), (1.0, 100, 4)])
def test_dqn_target_update_is_what_on_step_does(tau: float, interval: int, n_envs: int) -> None:
    from stable_baselines3 import DQN
    from stable_baselines3.common.vec_env import DummyVecEnv

    env = DummyVecEnv([lambda: spaces_env(spaces.Box(-1, 1, (4,)), spaces.Discrete(2))] * n_envs)
    from stable_baselines3.common.logger import Logger

    model = DQN("MlpPolicy", env, tau=tau, target_update_interval=interval, buffer_size=10, device="cpu")
    model.set_logger(Logger(folder=None, output_formats=[]))
    (target,) = sb3inspect.summary(model).targets
    assert (target.rule, target.tau, target.every, target.unit) == (
        "copy" if tau == 1 else "polyak",
        tau,
        interval,
        "env steps",
    )
    online = [p.detach().clone() for p in model.q_net.parameters()]
    with torch.no_grad():
        for p in model.q_net_target.parameters():
            p.zero_()
    model._n_calls = target.every // n_envs - 1
    model._on_step()
    for p, q in zip(model.q_net_target.parameters(), online, strict=True):
        assert torch.allclose(p, tau * q)


def test_dqn_diagram_and_header_say_hard_copy() -> None:
    report = sb3inspect.summary({"algo": "DQN", "observation_space": 4, "action_space": "discrete:2"})
    assert header(report)["targets"] == "q_net_target: hard copy every 10,000 env steps (tau 1.0)"
    assert "hard copy" in mermaid(report) and "Polyak" not in mermaid(report)


def test_td3_targets_share_their_own_extractor() -> None:
    config = {
        "algo": "TD3",
        "policy": "CnnPolicy",
        "observation_space": SMALL_IMAGE,
        "action_space": "box:2",
        "policy_kwargs": {"share_features_extractor": True, "net_arch": [8]},
    }
    report = sb3inspect.summary(config)
    assert {target.shared for target in report.targets} == {("actor_target.features_extractor",)}
    assert "effective coefficient 0.01 = 2·tau" in " ".join(explain_notes(report))
    policy = model_of(config).policy
    assert policy.actor_target.features_extractor is policy.critic_target.features_extractor
    assert policy.actor_target.features_extractor is not policy.actor.features_extractor


def test_crossq_says_it_has_no_target() -> None:
    skip_if_lacking("CrossQ")
    report = sb3inspect.summary({"algo": "CrossQ", "observation_space": BOX, "action_space": "box:2"})
    assert not report.targets and header(report)["targets"].startswith("none (CrossQ keeps no target networks")


def test_tqc_critic_loss_names_the_kept_quantiles() -> None:
    report = sb3inspect.summary({"algo": "TQC", "observation_space": BOX, "action_space": "box:2"})
    critic = next(o for o in report.optimizers if o.name == "policy.critic.optimizer")
    assert "lowest 46 of its 50 pooled quantiles" in (critic.note or "")


# --- settings, aliases, custom policies ----------------------------------------------------------------


def test_settings_echo_what_is_not_a_layer() -> None:
    report = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": BOX,
            "action_space": CONTINUOUS,
            "use_sde": True,
            "policy_kwargs": {
                "ortho_init": False,
                "log_std_init": -2.0,
                "full_std": False,
                "optimizer_kwargs": {"eps": 1e-7},
            },
        }
    )
    line = header(report)["settings"]
    assert "ortho_init False" in line and "log_std_init -2.0" in line and "full_std False" in line
    assert "eps 1e-07" in header(report)["optimizer"]
    assert "PyTorch's default init" in " ".join(explain_notes(report))


def test_ortho_init_gains_are_sb3s() -> None:
    policy = model_of({"algo": "PPO", "observation_space": BOX, "action_space": "discrete:3"}).policy
    from sb3inspect.catalog import ORTHO_INIT_GAINS

    gains = dict(ORTHO_INIT_GAINS)
    weight = policy.action_net.weight.detach()
    assert torch.allclose(weight @ weight.T, torch.eye(3) * float(gains["action_net"]) ** 2, atol=1e-6)
    weight = policy.value_net.weight.detach()
    assert torch.allclose((weight**2).sum(), torch.tensor(float(gains["value_net"]) ** 2), atol=1e-5)


def test_ortho_init_names_both_extractors_when_they_are_not_shared() -> None:
    config = {
        "algo": "PPO",
        "observation_space": SMALL_IMAGE,
        "action_space": "discrete:2",
        "policy_kwargs": {"share_features_extractor": False},
    }
    policy = model_of(config).policy
    for name in ("pi_features_extractor", "vf_features_extractor"):  # SB3 re-initialized both, gain √2
        conv = next(m for m in getattr(policy, name).modules() if isinstance(m, torch.nn.Conv2d))
        weight = conv.weight.detach().reshape(conv.out_channels, -1)
        assert torch.allclose(weight @ weight.T, torch.eye(conv.out_channels) * 2.0, atol=1e-4)
    init = next(n for n in explain_notes(sb3inspect.summary(config)) if n.startswith("init:"))
    assert "pi_features_extractor (gain √2), vf_features_extractor (gain √2)" in init


def test_aliases_are_the_names_print_shows() -> None:
    report = sb3inspect.summary({"algo": "PPO", "observation_space": SMALL_IMAGE, "action_space": "discrete:2"})
    assert dict(report.aliases) == {
        "pi_features_extractor": "features_extractor",
        "vf_features_extractor": "features_extractor",
    }
    assert "aliases pi_features_extractor, vf_features_extractor" in header(report)["features"]
    policy = model_of({"algo": "PPO", "observation_space": SMALL_IMAGE, "action_space": "discrete:2"}).policy
    printed = {line.split(":")[0].strip("() ") for line in str(policy).splitlines() if "features_extractor" in line}
    assert {"features_extractor", "pi_features_extractor", "vf_features_extractor"} <= printed


class CustomNetwork(torch.nn.Module):
    """The SB3 docs' custom mlp_extractor ("Advanced Example"): one 64-wide ReLU layer per network."""

    def __init__(self, feature_dim: int, last_layer_dim_pi: int = 64, last_layer_dim_vf: int = 64) -> None:
        super().__init__()
        self.latent_dim_pi, self.latent_dim_vf = last_layer_dim_pi, last_layer_dim_vf
        self.policy_net = torch.nn.Sequential(torch.nn.Linear(feature_dim, last_layer_dim_pi), torch.nn.ReLU())
        self.value_net = torch.nn.Sequential(torch.nn.Linear(feature_dim, last_layer_dim_vf), torch.nn.ReLU())

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.policy_net(features), self.value_net(features)

    def forward_actor(self, features: torch.Tensor) -> torch.Tensor:
        return self.policy_net(features)

    def forward_critic(self, features: torch.Tensor) -> torch.Tensor:
        return self.value_net(features)


def test_a_custom_policy_header_describes_what_was_built() -> None:
    from stable_baselines3 import PPO
    from stable_baselines3.common.policies import ActorCriticPolicy

    class CustomActorCriticPolicy(ActorCriticPolicy):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["ortho_init"] = False
            super().__init__(*args, **kwargs)

        def _build_mlp_extractor(self) -> None:
            self.mlp_extractor = CustomNetwork(self.features_dim)

    model = PPO(CustomActorCriticPolicy, gym.make("CartPole-v1"), n_steps=8, batch_size=8, device="cpu")
    report = sb3inspect.summary(model)
    lines = header(report)
    assert lines["net_arch"].startswith(
        "custom mlp_extractor CustomNetwork (in CustomActorCriticPolicy(ActorCriticPolicy))"
    )
    assert lines["net_arch"].endswith("pi [64] · vf [64]")
    assert lines["activation"].startswith("ReLU (read from the custom mlp_extractor's layers; activation_fn Tanh")
    assert report.settings["ortho_init"] is False


# --- size findings -----------------------------------------------------------------------------------


def test_a_width_one_layer_is_flagged() -> None:
    report = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": BOX,
            "action_space": CONTINUOUS,
            "policy_kwargs": {"net_arch": [2, 1], "activation_fn": "ReLU"},
        }
    )
    (finding,) = [f for f in report.findings if f.code == "NA008"]
    assert "hidden layer 2 of pi and vf has width 1" in finding.message and "ReLU" in finding.message


def test_narrower_than_the_actions_is_flagged_but_a_value_bottleneck_of_two_is_not() -> None:
    narrow = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": BOX,
            "action_space": "discrete:6",
            "policy_kwargs": {"net_arch": {"pi": [4], "vf": [2]}},
        }
    )
    (finding,) = [f for f in narrow.findings if f.code == "NA008"]
    assert "of pi has width 4, narrower than the 6 outputs" in finding.message


@pytest.mark.parametrize(("net_arch", "flagged"), [([64, 64], False), ([64, 1], True), ([1, 64], True)])
def test_a_quantile_head_is_narrow_against_its_actions_not_its_quantiles(net_arch: list[int], flagged: bool) -> None:
    """QR-DQN's default [64, 64] feeds 200 quantiles × 2 actions = 400 outputs: 2 values to choose between."""
    skip_if_lacking("QRDQN")
    config = {
        "algo": "QRDQN",
        "observation_space": BOX,
        "action_space": "discrete:2",
        "policy_kwargs": {"net_arch": net_arch},
    }
    report = sb3inspect.summary(config)
    assert report.action_distribution is not None and report.action_distribution.splits == (200, 2)
    assert any(f.code == "NA008" for f in report.findings) is flagged
    head = model_of(config).policy.quantile_net.quantile_net[-1]
    assert head.out_features == 200 * 2


@pytest.mark.parametrize(
    ("algo", "activation", "net_arch", "flagged"),
    [
        ("PPO", "Dropout", [128, 128], True),
        ("SAC", "Flatten", [16], True),
        ("A2C", "Identity", [8], True),
        ("PPO", "Identity", [], False),  # no hidden layer: activation_fn is not used
        ("PPO", "ReLU", [8], False),
    ],
)
def test_an_activation_that_is_no_nonlinearity_is_flagged(
    algo: str, activation: str, net_arch: list[int], flagged: bool
) -> None:
    config = {
        "algo": algo,
        "observation_space": BOX,
        "action_space": CONTINUOUS,
        "policy_kwargs": {"activation_fn": activation, "net_arch": net_arch},
    }
    report = sb3inspect.summary(config)
    found = [f for f in report.findings if f.code == "NA009"]
    assert bool(found) is flagged
    if flagged:
        assert f"{activation} is no non-linearity" in found[0].message
        policy = model_of(config).policy
        mlp = policy.mlp_extractor.policy_net if hasattr(policy, "mlp_extractor") else policy.actor.latent_pi
        assert [type(m).__name__ for m in mlp][1] == activation  # in the activation's place, nothing else


def test_one_huge_linear_after_a_flatten_is_flagged_but_atari_is_not() -> None:
    big = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": {"type": "Box", "shape": [210, 160, 3], "dtype": "uint8"},
            "action_space": "discrete:4",
        }
    )
    codes = [(f.code, f.where) for f in big.findings]
    assert codes == [("NA007", "pi: features_extractor.linear.0")]
    assert "(99.3 %)" in big.findings[0].message
    atari = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": {"type": "Box", "shape": [4, 84, 84], "dtype": "uint8"},
            "action_space": "discrete:4",
        }
    )
    assert not atari.findings


# --- JSON and the public names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        {"algo": "SAC", "observation_space": BOX, "action_space": "box:2", "use_sde": True},
        {"algo": "DQN", "observation_space": {"type": "MultiDiscrete", "nvec": [3, 4]}, "action_space": "discrete:2"},
        {"algo": "TRPO", "observation_space": BOX, "action_space": "box:1"},
    ],
)
def test_answers_round_trip_through_json(config: dict[str, Any]) -> None:
    report = sb3inspect.summary(config)
    data = report.to_dict()
    for key in ("preprocessing", "action_distribution", "optimizers", "gradients", "targets", "settings", "aliases"):
        assert key in data
    assert PolicyReport.from_dict(data) == report


def test_every_name_the_readme_uses_is_public() -> None:
    readme = (ROOT / "README.md").read_text()
    names = {name for name in re.findall(r"\bsb3inspect\.([A-Za-z]\w*)", readme)} - {"yaml", "json", "toml", "py"}
    assert names, "the README names no API"
    missing = sorted(name for name in names if name not in sb3inspect.__all__ or not hasattr(sb3inspect, name))
    assert not missing, missing
    assert callable(sb3inspect.diagram.write_diagram)


def test_diff_reports_the_distribution_and_settings() -> None:
    box = {
        "algo": "PPO",
        "observation_space": 8,
        "action_space": {"type": "Box", "shape": [10], "low": 0, "high": 1, "dtype": "int8"},
    }
    binary = {**box, "action_space": {"type": "MultiBinary", "n": 10}}
    facts = {name: (a, b) for name, a, b in sb3inspect.diff(box, binary).facts}
    assert facts["action_distribution"] == (
        {"kind": "gaussian", "distribution": "DiagGaussianDistribution"},
        {"kind": "bernoulli", "distribution": "BernoulliDistribution"},
    )
    plain = {"algo": "PPO", "observation_space": 8, "action_space": "discrete:2"}
    result = sb3inspect.diff(plain, {**plain, "policy_kwargs": {"ortho_init": False}})
    assert [name for name, _, _ in result.facts] == ["settings.ortho_init"] and result.same
    assert "(the settings above differ)" in result.render("table")


GYM_IMAGE = spaces.Box(0, 255, (3, 36, 36), np.uint8)
GYM_BOX = spaces.Box(-1, 1, (5,), np.float32)


@pytest.mark.parametrize(
    ("algo", "obs", "action", "kwargs"),
    [
        ("PPO", GYM_IMAGE, spaces.Discrete(3), {"n_steps": 16, "batch_size": 16}),
        (
            "PPO",
            spaces.Dict({"camera": GYM_IMAGE, "joints": GYM_BOX}),
            spaces.Box(-1, 1, (2,)),
            {"n_steps": 8, "batch_size": 8},
        ),
        ("RecurrentPPO", GYM_BOX, spaces.Discrete(2), {"n_steps": 8, "batch_size": 8}),
        ("MaskablePPO", GYM_BOX, spaces.MultiDiscrete([3, 4]), {"n_steps": 8, "batch_size": 8}),
        ("SAC", GYM_IMAGE, spaces.Box(-1, 1, (2,)), {"buffer_size": 50}),
        ("DQN", spaces.Dict({"a": GYM_BOX, "b": spaces.Discrete(3)}), spaces.Discrete(2), {"buffer_size": 30}),
        (
            "TD3",
            GYM_BOX,
            spaces.Box(-1, 1, (2,), dtype=np.float64),
            {
                "buffer_size": 20,
                "optimize_memory_usage": True,
                "replay_buffer_kwargs": {"handle_timeout_termination": False},
            },
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_the_buffer_size_is_what_sb3_allocates(algo: str, obs: Any, action: Any, kwargs: dict[str, Any]) -> None:
    from stable_baselines3.common.vec_env import DummyVecEnv

    from sb3inspect.build.policy import algorithm_class
    from sb3inspect.sources.spaces import describe

    env = DummyVecEnv([lambda: spaces_env(obs, action)] * 2)
    policy = "MultiInputPolicy" if isinstance(obs, spaces.Dict) else "CnnPolicy" if obs is GYM_IMAGE else "MlpPolicy"
    if algo == "RecurrentPPO":
        policy = policy.replace("Policy", "LstmPolicy")
    model = algorithm_class(algo)(policy, env, device="cpu", **kwargs)
    buffer = getattr(model, "rollout_buffer", None) or model.replay_buffer
    real = 0
    for value in vars(buffer).values():
        arrays = value.values() if isinstance(value, dict) else [value]
        real += sum(item.nbytes for item in arrays if isinstance(item, np.ndarray))
    live = sb3inspect.summary(model).buffer
    assert live is not None and live["bytes"] == real
    config = {
        "algo": algo,
        "policy": policy,
        "observation_space": describe(obs, bounds=True),
        "action_space": describe(action, bounds=True),
        "n_envs": 2,
        **kwargs,
    }
    assert dict(sb3inspect.summary(config).buffer) == dict(live)


def test_the_replay_buffer_says_what_optimize_memory_usage_would_save() -> None:
    """optimized_bytes is what SB3 allocates with optimize_memory_usage=True (SB3#1936): measured on a real DQN."""
    from stable_baselines3 import DQN

    config = {"algo": "DQN", "observation_space": SMALL_IMAGE, "action_space": "discrete:4", "buffer_size": 40}
    report = sb3inspect.summary(config)
    env = spaces_env(spaces.Box(0, 255, (3, 36, 36), np.uint8), spaces.Discrete(4))
    model = DQN(
        "CnnPolicy",
        env,
        buffer_size=40,
        optimize_memory_usage=True,
        replay_buffer_kwargs={"handle_timeout_termination": False},
        device="cpu",
    )
    real = sum(v.nbytes for v in vars(model.replay_buffer).values() if isinstance(v, np.ndarray))
    assert report.buffer is not None and report.buffer["optimized_bytes"] == real < report.buffer["bytes"]
    assert f"no next observations: {real:,} bytes" in " ".join(explain_notes(report))
    optimized = sb3inspect.summary(
        {**config, "optimize_memory_usage": True, "replay_buffer_kwargs": {"handle_timeout_termination": False}}
    )
    assert optimized.buffer is not None and "optimized_bytes" not in optimized.buffer
    assert optimized.buffer["bytes"] == real


def test_catalog_rules_are_sb3s_own_lines() -> None:
    """The training-code rules the answers cite are still in the installed SB3 / sb3-contrib."""
    import inspect

    import sb3_contrib
    import stable_baselines3 as sb3
    from sb3_contrib.common.maskable import distributions as maskable
    from sb3_contrib.common.recurrent.policies import RecurrentActorCriticPolicy
    from stable_baselines3.common import distributions
    from stable_baselines3.common.policies import ContinuousCritic

    from sb3inspect import catalog

    combined = "loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss"
    for algo in (sb3.PPO, sb3.A2C, sb3_contrib.MaskablePPO, sb3_contrib.RecurrentPPO):
        assert combined in inspect.getsource(algo.train), algo
    assert "param.grad = None" in inspect.getsource(sb3_contrib.TRPO.train)
    for algo in (sb3.SAC, sb3_contrib.TQC):  # the TD target's a' comes from the online actor: no actor_target
        assert "self.actor.action_log_prob(replay_data.next_observations)" in inspect.getsource(algo.train)
    assert '"value" in name' in inspect.getsource(sb3_contrib.TRPO._compute_actor_grad)
    assert "latent_vf = latent_pi.detach()" in inspect.getsource(RecurrentActorCriticPolicy.forward)
    assert "th.set_grad_enabled(not self.share_features_extractor)" in inspect.getsource(ContinuousCritic.forward)
    assert "self.target_update_interval // self.n_envs" in inspect.getsource(sb3.DQN._on_step)
    assert f"HUGE_NEG = th.tensor({catalog.MASKED_LOGIT:.0e}".replace("e+0", "e") in inspect.getsource(maskable)
    known = {name for module in (distributions, maskable) for name in dir(module) if name.endswith("Distribution")}
    assert set(catalog.DISTRIBUTION_KINDS) <= known


def test_rl_zoo_normalize_is_a_setting_and_the_observation_says_so() -> None:
    report = sb3inspect.summary({"algo": "PPO", "env": "CartPole-v1", "normalize": True, "gamma": 0.98})
    assert report.settings["normalize"] == {"gamma": 0.98}
    assert "standardized by VecNormalize" in header(report)["observation"]
    assert "normalize {gamma: 0.98}" in header(report)["settings"]
