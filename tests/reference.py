"""Ground truth for the differential tests: the real SB3 model, built on CPU the ordinary way.

Nothing here reuses sb3inspect's walker. Network membership comes from SB3's own objects:
for actor-critic policies, the parameters that autograd reaches from the policy's action
distribution (pi) and from its value prediction (vf); for off-policy policies, the parameters
of SB3's ``actor`` / ``critic`` / ``q_net`` modules (their own ``.parameters()``).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import torch
from gymnasium import spaces

from sb3inspect.build.policy import algorithm_class, resolve_kwargs
from sb3inspect.report.frozen import thaw
from sb3inspect.sources.config import PolicySpec
from sb3inspect.sources.envs import spaces_env
from sb3inspect.sources.spaces import to_gym

ON_POLICY_ARGS = {"n_steps": 8}
BATCHED = {"PPO", "RecurrentPPO", "MaskablePPO", "TRPO"}


def cpu_model(spec: PolicySpec) -> Any:
    """The algorithm with its model built on CPU, as a user's script would do it."""
    from stable_baselines3.common.vec_env import DummyVecEnv

    cls = algorithm_class(spec.algo)
    observation_space, action_space = to_gym(spec.observation_space), to_gym(spec.action_space)
    env = DummyVecEnv([lambda: spaces_env(observation_space, action_space)] * spec.n_envs)
    kwargs: dict[str, Any] = {
        **spec.algo_kwargs,  # the config's hyperparameters, as a training script passes them
        "policy_kwargs": resolve_kwargs(spec.policy_kwargs),
        "device": "cpu",
        "verbose": 0,
    }
    if spec.use_sde:
        kwargs["use_sde"] = True
    if spec.algo in ("PPO", "A2C", "RecurrentPPO", "MaskablePPO", "TRPO"):
        if "n_steps" not in spec.algo_kwargs:  # small rollouts: the networks do not depend on them
            kwargs.update(ON_POLICY_ARGS)
            if spec.algo in BATCHED:
                kwargs["batch_size"] = 8
    elif spec.algo != "ARS":
        kwargs["buffer_size"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(spec.policy, env, **kwargs)


def network_param_ids(model: Any) -> dict[str, set[int]]:
    """Parameter ids of each network, from SB3's own objects (see module docstring)."""
    policy = model.policy
    if hasattr(policy, "mlp_extractor"):
        return _actor_critic_by_forward(model)
    nets: dict[str, set[int]] = {}
    for name in (
        "actor",
        "actor_target",
        "critic",
        "critic_target",
        "q_net",
        "q_net_target",
        "quantile_net",
        "quantile_net_target",
    ):
        module = getattr(policy, name, None)
        if module is not None:
            nets[name] = {id(p) for p in module.parameters()}
    if not nets:  # ARS: one network
        nets["pi"] = {id(p) for p in policy.parameters()}
    return nets


def _actor_critic_by_forward(model: Any) -> dict[str, set[int]]:
    """pi: what computing the action distribution uses; vf: what computing the value uses.

    "Uses" = modules whose forward runs (forward hooks; this sees a shared LSTM even where
    SB3 detaches it for the value) plus parameters autograd reaches (``log_std``).
    """
    policy = model.policy
    policy.set_training_mode(True)
    obs_tensor, _ = policy.obs_to_tensor(_sample_obs(policy.observation_space))
    called: set[int] = set()
    hooks = [m.register_forward_hook(lambda m, i, o: called.add(id(m))) for m in policy.modules()]

    def used(compute: Any) -> set[int]:
        called.clear()
        policy.zero_grad(set_to_none=True)
        compute().backward()
        ids = {id(p) for p in policy.parameters() if p.grad is not None}
        for module in policy.modules():
            if id(module) in called:
                ids.update(id(p) for p in module.parameters(recurse=False))
        return ids

    if hasattr(policy, "lstm_actor"):
        hidden = policy.lstm_hidden_state_shape
        states = (torch.zeros(hidden), torch.zeros(hidden))
        starts = torch.zeros(1)

        def pi_loss() -> torch.Tensor:
            dist, _ = policy.get_distribution(obs_tensor, states, starts)
            return _dist_loss(dist)

        def vf_loss() -> torch.Tensor:
            return policy.predict_values(obs_tensor, states, starts).sum()
    else:

        def pi_loss() -> torch.Tensor:
            return _dist_loss(policy.get_distribution(obs_tensor))

        def vf_loss() -> torch.Tensor:
            return policy.predict_values(obs_tensor).sum()

    try:
        return {"pi": used(pi_loss), "vf": used(vf_loss)}
    finally:
        for hook in hooks:
            hook.remove()


def _dist_loss(dist: Any) -> torch.Tensor:
    action = dist.get_actions()
    loss = dist.log_prob(action).sum()
    entropy = dist.entropy()
    return loss + (entropy.sum() if entropy is not None else 0.0)


def _sample_obs(space: spaces.Space) -> Any:
    space.seed(0)
    return space.sample()


TARGETS = ("actor_target", "critic_target", "q_net_target", "quantile_net_target")


def trainable_param_ids(model: Any) -> set[int]:
    """Parameters some optimizer of the policy updates (and that require grad).

    A target network's parameters are never updated by an optimizer, even where one holds them:
    before SB3 2.4 (sb3-contrib 2.4 for QR-DQN) DQN's optimizer was given ``self.parameters()``,
    target included, but SB3 computes targets under ``no_grad``, so they get no gradient and the
    optimizer skips them (SB3 2.4.0 changelog: "only include q_network parameters").
    """
    ids: set[int] = set()
    for module in model.policy.modules():
        optimizer = getattr(module, "optimizer", None)
        if isinstance(optimizer, torch.optim.Optimizer):
            for group in optimizer.param_groups:
                ids.update(id(p) for p in group["params"] if p.requires_grad)
    if not ids:  # ARS has no optimizer: its weights are all it changes
        ids = {id(p) for p in model.policy.parameters() if p.requires_grad}
    return ids - _target_only_ids(model.policy)


def _target_only_ids(policy: torch.nn.Module) -> set[int]:
    """Parameters that only target networks hold."""
    targets = [getattr(policy, name, None) for name in TARGETS]
    in_targets = {id(p) for module in targets if module is not None for p in module.parameters()}
    elsewhere = {id(p) for name, module in policy.named_children() if name not in TARGETS for p in module.parameters()}
    elsewhere |= {id(p) for p in policy.parameters(recurse=False)}
    return in_targets - elsewhere


def sized_modules(policy: torch.nn.Module) -> dict[str, tuple]:
    """Path -> sizes of every Linear, Conv2d and LSTM, as SB3 built them."""
    out: dict[str, tuple] = {}
    for path, module in policy.named_modules():
        if isinstance(module, torch.nn.Linear):
            out[path] = ("Linear", module.in_features, module.out_features, module.bias is not None)
        elif isinstance(module, torch.nn.Conv2d):
            out[path] = (
                "Conv2d",
                module.in_channels,
                module.out_channels,
                tuple(module.kernel_size),
                tuple(module.stride),
            )
        elif isinstance(module, torch.nn.LSTM):
            out[path] = ("LSTM", module.input_size, module.hidden_size, module.num_layers)
    return out


def reported_sizes(report: Any) -> dict[str, tuple]:
    """The same view of a report's rows."""
    out: dict[str, tuple] = {}
    for network in report.networks:
        for layer in network.layers:
            if layer.type == "Linear":
                key = ("Linear", layer.in_features, layer.out_features, layer.bias)
            elif layer.type == "Conv2d":
                key = ("Conv2d", layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride)
            elif layer.type == "LSTM":
                key = ("LSTM", layer.input_size, layer.hidden_size, layer.num_layers)
            else:
                continue
            assert out.get(layer.path, key) == key, f"{layer.path} reported twice with different sizes"
            out[layer.path] = key
    return out


def numel(params: dict[int, torch.nn.Parameter], ids: set[int]) -> int:
    return sum(params[i].numel() for i in ids)


def assert_matches_cpu_build(spec: PolicySpec, report: Any) -> Any:
    """The report of ``spec`` equals what SB3 builds on CPU, number for number."""
    model = cpu_model(spec)
    context = f"{spec.algo} {spec.policy} {spec.observation_space} {spec.action_space} {spec.policy_kwargs} sde={spec.use_sde}"
    assert_matches_model(model, report, context)
    return model


def assert_matches_model(model: Any, report: Any, context: str = "") -> None:
    """The report equals a model SB3 built on CPU (any way a user built it), number for number."""
    policy = model.policy
    params = {id(p): p for p in policy.parameters()}
    assert report.policy_class == type(policy).__name__, context
    assert report.totals.params == sum(p.numel() for p in params.values()), context
    trainable = trainable_param_ids(model)
    assert report.totals.trainable_params == numel(params, trainable), context
    assert reported_sizes(report) == sized_modules(policy), context

    expected = network_param_ids(model)
    reported = {n.name: n.params for n in report.networks}
    for name, ids in expected.items():
        assert reported.get(name) == numel(params, ids), f"{name}: {context}"
    assert set(reported) == set(expected), context
    assert_answers_match(model, report, context)


def real_optimizers(model: Any) -> dict[str, tuple[str, float, int, dict[str, Any]]]:
    """Optimizer name -> (class, lr, parameters held, defaults), from the CPU model's real optimizers."""
    out: dict[str, tuple[str, float, int, dict[str, Any]]] = {}
    for name, module in model.policy.named_modules():
        optimizer = getattr(module, "optimizer", None)
        if isinstance(optimizer, torch.optim.Optimizer):
            held = sum(p.numel() for group in optimizer.param_groups for p in group["params"])
            key = f"policy.{name}.optimizer" if name else "policy.optimizer"
            out[key] = (type(optimizer).__name__, optimizer.param_groups[0]["lr"], held, optimizer.defaults)
    entropy = getattr(model, "ent_coef_optimizer", None)
    if entropy is not None:
        out["ent_coef_optimizer"] = (type(entropy).__name__, entropy.param_groups[0]["lr"], 1, entropy.defaults)
    return out


def real_distribution(policy: Any) -> str | None:
    """The class of the action distribution SB3 built (None for Q-networks and TD3's deterministic actor)."""
    for owner in (policy, getattr(policy, "actor", None)):
        dist = getattr(owner, "action_dist", None)
        if dist is not None:
            return type(dist).__name__
    return None


def assert_answers_match(model: Any, report: Any, context: str = "") -> None:
    """The report's answers beyond the layers hold for the CPU model, read without sb3inspect's code:
    optimizers from their param_groups, the distribution's class, preprocess_obs on samples, the
    policy's own settings, aliases by identity, concatenated input widths."""
    from stable_baselines3.common.preprocessing import preprocess_obs

    policy = model.policy
    expected = real_optimizers(model)
    reported = {o.name: o for o in report.optimizers}
    assert set(reported) == set(expected), context
    for name, (kind, lr, held, defaults) in expected.items():
        info = reported[name]
        assert (info.type, info.options.get("lr"), info.params) == (kind, lr, held), f"{name}: {context}"
        for key, value in info.options.items():
            assert defaults.get(key) == value, f"{name}.{key}: {context}"
    assert (report.action_distribution.distribution if report.action_distribution else None) == real_distribution(
        policy
    ), context
    space = policy.observation_space
    for step in report.preprocessing:
        sub = space[step.key] if step.key is not None else space
        sample = np.full(sub.shape, 255, dtype=sub.dtype) if step.image else sub.sample()
        obs = torch.as_tensor(np.asarray(sample)[None])
        out = preprocess_obs(obs, sub, normalize_images=policy.normalize_images)
        assert out[0].numel() == step.width, f"{step.key}: {context}"
        if step.image:
            assert float(out.max()) == (1.0 if step.scaled else 255.0), f"{step.key}: {context}"
    settings = policy._get_constructor_parameters()
    for key, value in report.settings.items():
        if key == "normalize":  # rl-zoo3's VecNormalize around the env: the spec's, not the policy's
            continue
        # share_features_extractor: a policy attribute SB3's _get_constructor_parameters leaves out
        real = settings[key] if key != "share_features_extractor" else policy.share_features_extractor
        real = real.__name__ if isinstance(real, type) else real
        named = {"default": lambda obj: getattr(obj, "__name__", repr(obj))}
        assert json.dumps(thaw(value), **named) == json.dumps(real, **named), f"settings.{key}: {context}"  # [] == ()
    for alias, canonical in report.aliases.items():
        assert policy.get_submodule(alias) is policy.get_submodule(canonical), f"{alias}: {context}"
    for part in report.input_composition:
        module = policy.get_submodule(part.layer)
        width = module.in_features if isinstance(module, torch.nn.Linear) else module.features_dim
        assert width == part.width == sum(size for _, size in part.parts), f"{part.layer}: {context}"
    reported_shapes = {
        layer.path: layer.output_shape
        for network in report.networks
        for layer in network.layers
        if layer.type == "Conv2d"
    }
    assert (report.recurrent is not None) == hasattr(policy, "lstm_actor"), context
    if report.recurrent is not None:
        recurrent = report.recurrent
        assert policy.get_submodule(recurrent["pi"]) is policy.lstm_actor, context
        vf = policy.get_submodule(recurrent["vf"]["module"])
        kind = {id(policy.lstm_critic): "own_lstm", id(policy.lstm_actor): "shared_detached"}.get(id(vf), "linear")
        assert recurrent["vf"]["kind"] == kind and (kind != "linear" or isinstance(vf, torch.nn.Linear)), context
        states = getattr(model, "_last_lstm_states", None)  # RecurrentPPO._setup_model: the (h, c) training carries
        if states is not None:
            h, c = states.pi
            assert (recurrent["state"]["h"], recurrent["state"]["c"]) == (tuple(h.shape), tuple(c.shape)), context
    real_shapes = conv_output_shapes(policy)
    assert {path: real_shapes.get(path) for path in reported_shapes} == reported_shapes, context
    convs = {id(m) for m in policy.modules() if isinstance(m, torch.nn.Conv2d)}
    assert {id(policy.get_submodule(path)) for path in reported_shapes} == convs, context


def conv_output_shapes(policy: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    """Path -> output shape (no batch) of every Conv2d, from one real CPU forward of each features extractor."""
    from stable_baselines3.common.preprocessing import preprocess_obs
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    paths = {id(module): path for path, module in policy.named_modules()}
    outer = [m for m in policy.modules() if isinstance(m, BaseFeaturesExtractor)]
    inner = {id(sub) for m in outer for sub in m.modules() if sub is not m}
    shapes: dict[str, tuple[int, ...]] = {}

    def record(module: torch.nn.Module, _inputs: Any, output: torch.Tensor) -> None:
        shapes[paths[id(module)]] = tuple(output.shape[1:])

    hooks = [m.register_forward_hook(record) for m in policy.modules() if isinstance(m, torch.nn.Conv2d)]
    try:
        obs, _ = policy.obs_to_tensor(_sample_obs(policy.observation_space))
        features = preprocess_obs(obs, policy.observation_space, normalize_images=policy.normalize_images)
        with torch.no_grad():
            for extractor in {id(m): m for m in outer if id(m) not in inner}.values():
                extractor(features)
    finally:
        for hook in hooks:
            hook.remove()
    # a shared module runs once but is reported under each of its names (aliases)
    for path, module in policy.named_modules(remove_duplicate=False):
        if isinstance(module, torch.nn.Conv2d) and paths[id(module)] in shapes:
            shapes[path] = shapes[paths[id(module)]]
    return shapes


def is_meta(policy: torch.nn.Module) -> bool:
    return all(p.is_meta for p in policy.parameters())


__all__ = ["assert_matches_cpu_build", "assert_matches_model", "cpu_model", "is_meta", "np"]


def assert_same_as_cpu_build(config: dict[str, Any]) -> None:
    """Either sb3inspect's report equals the CPU build, or both refuse the config."""
    from sb3inspect.errors import BuildError
    from sb3inspect.pipeline import summarize_spec
    from sb3inspect.sources.config import spec_from_mapping

    spec = spec_from_mapping(config)
    try:
        report = summarize_spec(spec)
    except BuildError as exc:
        try:
            cpu_model(spec)
        except Exception:
            return
        raise AssertionError(f"sb3inspect refused a config SB3 builds: {exc}") from exc
    assert_matches_cpu_build(spec, report)
