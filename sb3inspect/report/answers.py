"""The answers beyond the layers, read from the real objects: preprocessing, actions, optimizers, targets.

Every fact here comes from the policy (and, when there is one, the algorithm object) that SB3 built:
which Dict key is an image is ``is_image_space`` applied to the space, the action distribution is the
policy's own ``action_dist`` object, what an optimizer trains is what its ``param_groups`` hold, a
target's tau and interval are the algorithm's attributes, settings are ``_get_constructor_parameters()``.
Where SB3's training code decides something no attribute records (which loss reaches a shared
module, TRPO clearing the actor's gradients), the rule is SB3's own line, cited next to it, and
``tests/test_answers.py`` holds it against a real CPU build and a real backward pass.
"""

from __future__ import annotations

import importlib
import math
import numbers
import sys
from collections.abc import Iterable
from typing import Any

from sb3inspect import catalog
from sb3inspect.report.model import (
    ActionDistribution,
    GradientFlow,
    InputComposition,
    InputStep,
    OptimizerInfo,
    TargetUpdate,
)
from sb3inspect.sources.spaces import describe


class Answers:
    """Reads one policy (and its algorithm, if known) once; each property is one block of the report."""

    def __init__(
        self,
        policy: Any,
        *,
        algorithm: Any = None,
        algo: str | None = None,
        env_observation_space: Any = None,
        network_params: dict[str, set[int]] | None = None,
        target_params: set[int] | None = None,
    ) -> None:
        self.policy = policy
        self.algorithm = algorithm
        self.algo = algo
        self.env_observation_space = env_observation_space
        self.network_params = network_params or {}
        """Parameter ids of each reported network (``pi``, ``vf``, ``actor``...)."""
        self.target_params = target_params or set()
        """Parameter ids only target networks hold (no optimizer is meant to step them)."""
        self.module_names = {id(module): name for name, module in policy.named_modules()}
        self.param_names = {id(param): name for name, param in policy.named_parameters()}
        self._updated: dict[int, OptimizerInfo] = {}
        """Parameter id -> the optimizer that steps it (filled by ``optimizers()``)."""

    # --- preprocessing -----------------------------------------------------------------------------

    def preprocessing(self) -> tuple[InputStep, ...]:
        """One step per observation input, in the order the features extractor concatenates them."""
        from gymnasium import spaces

        space = getattr(self.policy, "observation_space", None)
        if space is None:
            return ()
        extractor = self._first_extractor()
        if isinstance(space, spaces.Dict):
            branches = getattr(extractor, "extractors", None)  # CombinedExtractor's nn.ModuleDict, in concat order
            keys = list(branches.keys()) if branches is not None else list(space.spaces)
            keys += [key for key in space.spaces if key not in keys]
            env_spaces = getattr(self.env_observation_space, "spaces", {}) or {}
            return tuple(
                self._step(
                    key,
                    space.spaces[key],
                    env_spaces.get(key),
                    branches[key] if branches is not None and key in branches else None,
                )
                for key in keys
            )
        return (self._step(None, space, self.env_observation_space, extractor),)

    def _first_extractor(self) -> Any:
        for name in ("features_extractor", "pi_features_extractor"):
            if getattr(self.policy, name, None) is not None:
                return getattr(self.policy, name)
        for name in ("actor", "q_net", "quantile_net"):
            extractor = getattr(getattr(self.policy, name, None), "features_extractor", None)
            if extractor is not None:
                return extractor
        return None

    def _step(self, key: str | None, space: Any, env_space: Any, reader: Any) -> InputStep:
        """SB3's ``preprocess_obs`` for one space (``common/preprocessing.py``), as data."""
        from gymnasium import spaces
        from stable_baselines3.common.preprocessing import get_flattened_obs_dim, is_image_space

        normalize = bool(getattr(self.policy, "normalize_images", True))
        image = isinstance(space, spaces.Box) and is_image_space(space)
        if isinstance(space, spaces.Box):
            # preprocess_obs: `if normalize_images and is_image_space(observation_space): return obs.float() / 255.0`
            kind = "image" if image else "float"
        elif isinstance(space, spaces.Discrete):
            kind = "one_hot"  # F.one_hot(obs.long(), num_classes=int(observation_space.n)).float()
        elif isinstance(space, spaces.MultiDiscrete):
            kind = "one_hot_concat"  # th.cat of one F.one_hot per sub-space
        elif isinstance(space, spaces.MultiBinary):
            kind = "binary"  # obs.float()
        else:
            kind = type(space).__name__
        transposed = None
        if env_space is not None and getattr(env_space, "shape", None) != getattr(space, "shape", None):
            transposed = tuple(int(n) for n in env_space.shape)
        encoder = features = None
        if reader is not None:
            encoder = type(reader).__name__
            features = getattr(reader, "features_dim", None)
            if features is None and encoder == "Flatten":
                features = get_flattened_obs_dim(space)
        return InputStep(
            key=key,
            space=describe(space),
            kind=kind,
            width=int(get_flattened_obs_dim(space)),
            scaled=image and normalize,
            image=bool(image),
            transposed_from=transposed,
            encoder=encoder,
            features=int(features) if features is not None else None,
            layer=self._first_leaf(reader),
        )

    def _first_leaf(self, module: Any) -> str | None:
        if module is None:
            return None
        for sub in module.modules():
            if not any(True for _ in sub.children()):
                return self.module_names.get(id(sub))
        return self.module_names.get(id(module))

    # --- how actions come out ----------------------------------------------------------------------

    def action_distribution(self) -> ActionDistribution | None:
        policy = self.policy
        if hasattr(policy, "action_dist") and hasattr(policy, "action_net") and hasattr(policy, "value_net"):
            return self._distribution(
                policy.action_dist, "pi", policy, policy.action_net, getattr(policy, "log_std", None)
            )
        actor = getattr(policy, "actor", None)
        if actor is not None and hasattr(actor, "action_dist"):
            return self._distribution(actor.action_dist, "actor", actor, actor.mu, getattr(actor, "log_std", None))
        if actor is not None and hasattr(actor, "mu"):
            return self._deterministic_actor(actor)
        for attr, kind in (("q_net", "q_greedy"), ("quantile_net", "quantile_greedy")):
            network = getattr(policy, attr, None)
            if network is not None:
                return self._greedy(network, attr, kind)
        if hasattr(policy, "action_net"):  # ARS: a deterministic MLP
            return self._ars(policy)
        return None

    def _distribution(self, dist: Any, network: str, owner: Any, mean: Any, log_std: Any) -> ActionDistribution:
        cls = type(dist).__name__
        # by the class's bases: sb3-contrib's MaskableBernoulliDistribution is a MaskableMultiCategoricalDistribution
        # of [2] * n (a 2-way Categorical per binary action), not independent Bernoulli logits
        kind = next(
            (
                catalog.DISTRIBUTION_KINDS[c.__name__]
                for c in type(dist).__mro__
                if c.__name__ in catalog.DISTRIBUTION_KINDS
            ),
            "other",
        )
        outputs = tuple(name for name in (self._path(mean), self._path(log_std)) if name is not None)
        squash = "tanh" if getattr(dist, "bijector", None) is not None or kind == "squashed_gaussian" else None
        details: dict[str, Any] = {}
        std: dict[str, Any] | None = None
        if kind in ("gaussian", "gsde"):
            # DiagGaussianDistribution.proba_distribution_net: nn.Parameter(th.ones(action_dim) * log_std_init);
            # StateDependentNoiseDistribution: variance = latent_sde² @ exp(log_std)²: the std depends on the state
            std = {
                "path": self._path(log_std),
                "kind": "parameter",
                "shape": list(log_std.shape),
                "state_dependent": kind == "gsde",
                "init": getattr(owner, "log_std_init", None),
            }
        if kind == "squashed_gaussian":
            # sac/policies.py Actor: self.log_std = nn.Linear(last_layer_dim, action_dim); th.clamp(LOG_STD_MIN, LOG_STD_MAX)
            module = sys.modules.get(type(owner).__module__)
            clamp = [getattr(module, "LOG_STD_MIN", None), getattr(module, "LOG_STD_MAX", None)]
            std = {
                "path": self._path(log_std),
                "kind": "linear",
                "shape": [int(log_std.in_features), int(log_std.out_features)],
                "state_dependent": True,
                "clamp": clamp if None not in clamp else None,
            }
        elif kind == "gsde":
            details.update(
                latent_dim=getattr(dist, "latent_sde_dim", None),
                full_std=bool(getattr(dist, "full_std", True)),
                use_expln=bool(getattr(dist, "use_expln", False)),
                learn_features=bool(getattr(dist, "learn_features", False)),
            )
            init = getattr(owner, "log_std_init", None)
            if isinstance(init, (int, float)) and hasattr(dist, "get_std"):
                import torch

                # StateDependentNoiseDistribution.get_std: exp, or with use_expln log1p(x) + 1 above 0
                details["init_std"] = float(dist.get_std(torch.full((1, 1), float(init))).flatten()[0])
            clip_mean = getattr(owner, "clip_mean", None)
            if clip_mean is not None and any(type(m).__name__ == "Hardtanh" for m in mean.modules()):
                details["clip_mean"] = float(clip_mean)  # sac/policies.py: nn.Sequential(self.mu, nn.Hardtanh(...))
            if self.algorithm is not None and hasattr(self.algorithm, "sde_sample_freq"):
                details["sample_freq"] = int(self.algorithm.sde_sample_freq)
        elif kind == "multi_categorical":
            details["action_dims"] = [int(n) for n in getattr(dist, "action_dims", ())]
        if cls.startswith("Maskable"):
            details["masked"] = True
            # MaskableCategorical(Distribution).apply_masking: one boolean per logit, the sub-spaces' masks concatenated
            details["mask_size"] = _out_features(mean)
        bounds = None
        if self._box_actions():
            # BasePolicy.predict and OnPolicyAlgorithm.collect_rollouts: unscale_action when squash_output, else np.clip
            bounds = "rescale" if getattr(self.policy, "squash_output", False) else "clip"
        splits = tuple(details.pop("action_dims", ()))
        return ActionDistribution(
            kind=kind,
            network=network,
            distribution=cls,
            outputs=outputs,
            width=_out_features(mean),
            splits=splits,
            log_std=std,
            squash=squash,
            bounds=bounds,
            details=details,
        )

    def _deterministic_actor(self, actor: Any) -> ActionDistribution:
        """TD3 / DDPG: ``mu`` is the whole MLP, ending in tanh (``squash_output=True`` in create_mlp)."""
        last = list(actor.mu.children())[-1] if any(True for _ in actor.mu.children()) else actor.mu
        details: dict[str, Any] = {}
        algorithm = self.algorithm
        if algorithm is not None:
            noise = getattr(algorithm, "action_noise", None)
            details["action_noise"] = _noise(noise)
            for name in ("target_policy_noise", "target_noise_clip", "policy_delay"):
                if hasattr(algorithm, name):
                    details[name] = _plain_number(getattr(algorithm, name))
        return ActionDistribution(
            kind="deterministic",
            network="actor",
            outputs=_paths(self._path(actor.mu)),
            width=_out_features(actor.mu),
            squash="tanh" if type(last).__name__ == "Tanh" else None,
            bounds="rescale" if getattr(self.policy, "squash_output", False) else "clip",
            details=details,
        )

    def _greedy(self, network: Any, attr: str, kind: str) -> ActionDistribution:
        inner = getattr(network, attr, network)
        width = _out_features(inner)
        splits: tuple[int, ...] = ()
        if kind == "quantile_greedy":
            # qrdqn/policies.py QuantileNetwork: quantiles.view(-1, n_quantiles, n_actions); action = mean(dim=1).argmax
            quantiles = int(getattr(network, "n_quantiles", 0))
            splits = (quantiles, width // quantiles) if quantiles and width else ()
        details: dict[str, Any] = {}
        algorithm = self.algorithm
        if algorithm is not None and hasattr(algorithm, "exploration_initial_eps"):
            details["exploration"] = {
                "initial_eps": float(algorithm.exploration_initial_eps),
                "final_eps": float(algorithm.exploration_final_eps),
                "fraction": float(algorithm.exploration_fraction),
            }
        return ActionDistribution(
            kind=kind, network=attr, outputs=_paths(self._path(inner)), width=width, splits=splits, details=details
        )

    def _ars(self, policy: Any) -> ActionDistribution:
        box = self._box_actions()
        squash = getattr(policy, "squash_output", False)
        return ActionDistribution(
            kind="deterministic" if box else "argmax",
            network="pi",
            outputs=_paths(self._path(policy.action_net)),
            width=_out_features(policy.action_net),
            squash="tanh" if box and squash else None,
            bounds=("rescale" if squash else "clip") if box else None,
        )

    def _box_actions(self) -> bool:
        from gymnasium import spaces

        return isinstance(getattr(self.policy, "action_space", None), spaces.Box)

    def _path(self, obj: Any) -> str | None:
        if obj is None:
            return None
        return self.module_names.get(id(obj)) or self.param_names.get(id(obj))

    # --- optimizers and losses ---------------------------------------------------------------------

    def optimizers(self) -> tuple[OptimizerInfo, ...]:
        """The policy's optimizers (``policy.optimizer``, ``actor.optimizer``...) and the algorithm's own."""
        found = []
        for name, module in self.policy.named_modules():
            optimizer = getattr(module, "optimizer", None)
            if optimizer is None or not hasattr(optimizer, "param_groups"):
                continue
            found.append(self._optimizer(f"policy.{name}.optimizer" if name else "policy.optimizer", module, optimizer))
        entropy = self._entropy_optimizer()
        return tuple(found) + ((entropy,) if entropy else ())

    def _optimizer(self, name: str, owner: Any, optimizer: Any) -> OptimizerInfo:
        held = {id(p): p for group in optimizer.param_groups for p in group["params"]}
        updated = {key: p for key, p in held.items() if p.requires_grad}
        for key in self._cleared_before_step(owner):
            updated.pop(key, None)
        lr = optimizer.param_groups[0].get("lr") if optimizer.param_groups else None
        options: dict[str, Any] = {"lr": _plain_number(lr)} if lr is not None else {}
        options.update(_plain(getattr(self.policy, "optimizer_kwargs", None) or {}))
        owner_path = self.module_names.get(id(owner), "")
        loss, note = self._loss(owner)
        info = OptimizerInfo(
            name=name,
            type=self._optimizer_class(optimizer),
            options=options,
            params=sum(p.numel() for p in held.values()),
            updated=sum(p.numel() for p in updated.values()),
            modules=self._cover(owner, owner_path, set(updated)),
            excluded=self._cover(
                owner, owner_path, {id(p) for p in owner.parameters()} - set(updated) - self.target_params
            ),
            loss=loss,
            note=note,
        )
        for key in updated:
            self._updated.setdefault(key, info)
        return info

    def states_by_param(self) -> dict[int, int] | None:
        """Parameter id -> state tensors its optimizer keeps for it (0 for one no optimizer steps, like TRPO's actor);
        None when some optimizer's state is not known (then the report uses the main optimizer's for all)."""
        if not self._updated:
            return None
        out: dict[int, int] = {}
        for key, info in self._updated.items():
            states = catalog.optimizer_states(info.type, dict(info.options))
            if states is None:
                return None
            out[key] = states
        for key in self.param_names:
            out.setdefault(key, 0)
        return out

    def _optimizer_class(self, optimizer: Any) -> str:
        """Its class; a meta build's stand-in names the class it stands for."""
        real = getattr(type(optimizer), "real", None)
        return real.__name__ if isinstance(real, type) else type(optimizer).__name__

    def _cleared_before_step(self, owner: Any) -> set[int]:
        """TRPO: ``for param in actor_params: param.grad = None`` before ``self.policy.optimizer.step()``.

        ``actor_params`` are the parameters the policy's KL depends on whose name lacks "value"
        (``sb3_contrib/trpo/trpo.py``, ``_compute_actor_grad``): the policy network's, by that name test.
        """
        if self.algo != "TRPO" or owner is not self.policy:
            return set()
        return {
            key for key in self.network_params.get("pi", set()) if "value" not in self.param_names.get(key, "value")
        }

    def _cover(self, owner: Any, owner_path: str, ids: set[int]) -> tuple[str, ...]:
        """The fewest module paths whose parameters are exactly ``ids``: under the optimizer's owner first
        (``critic``), then anywhere in the policy (a shared extractor held through another network).

        The policy itself is never one of them: its top-level modules are named instead."""
        remaining = set(ids)
        out: list[str] = []

        def join(path: str, name: str) -> str:
            return f"{path}.{name}" if path else name

        def visit(module: Any, path: str, top: bool) -> None:
            own = {id(p) for p in module.parameters()}
            if not own & remaining:
                return
            if own <= remaining and not top:
                out.append(path)
                remaining.difference_update(own)
                return
            for name, param in module.named_parameters(recurse=False):
                if id(param) in remaining:
                    out.append(join(path, name))
                    remaining.discard(id(param))
            for name, child in module.named_children():
                visit(child, join(path, name), False)

        visit(owner, owner_path, owner is self.policy)
        visit(self.policy, "", True)
        return tuple(out)

    def _loss(self, owner: Any) -> tuple[str | None, str | None]:
        """(the loss whose gradients reach this optimizer's parameters, what it means): ``catalog.LOSSES``,
        filled in with the algorithm's values."""
        role = "policy"
        if owner is getattr(self.policy, "actor", None):
            role = "actor"
        elif owner is getattr(self.policy, "critic", None):
            role = "critic"
        texts = catalog.LOSSES.get((self.algo or "", role))
        if texts is None:
            return None, None
        values = {name: _plain_number(getattr(self.algorithm, name, None)) for name in catalog.LOSS_VALUES}
        critic = getattr(self.policy, "critic", None)
        if critic is not None and hasattr(critic, "quantiles_total"):
            dropped = values["top_quantiles_to_drop_per_net"]
            total = int(critic.quantiles_total)
            values.update(
                quantiles_total=total, kept=total - int(dropped) * int(critic.n_critics) if dropped is not None else "?"
            )
        filled = {key: ("?" if value is None else value) for key, value in values.items()}
        loss, note = (text.format_map(_Missing(filled)) for text in texts)
        return loss, note

    def _entropy_optimizer(self) -> OptimizerInfo | None:
        """SAC / TQC / CrossQ with ``ent_coef="auto"``: ``th.optim.Adam([self.log_ent_coef], lr=self.lr_schedule(1))``."""
        algorithm = self.algorithm
        if algorithm is None:
            return None
        live = getattr(algorithm, "ent_coef_optimizer", None)
        ent_coef = getattr(algorithm, "ent_coef", None)
        if live is None and not (isinstance(ent_coef, str) and ent_coef.startswith("auto")):
            return None
        if live is not None:
            kind, lr = type(live).__name__, live.param_groups[0].get("lr")
        else:  # the meta build skips _setup_model, where SB3 creates it (sac/sac.py, _setup_model)
            kind, lr = "Adam", algorithm.lr_schedule(1) if getattr(algorithm, "lr_schedule", None) else None
        target = getattr(algorithm, "target_entropy", None)
        if target == "auto":  # sac.py _setup_model: `float(-np.prod(self.env.action_space.shape))`
            target = -float(math.prod(getattr(self.policy.action_space, "shape", ()) or ()))
        start = 1.0
        if isinstance(ent_coef, str) and "_" in ent_coef:  # "auto_0.1": learned, starting at 0.1
            try:
                start = float(ent_coef.split("_")[1])
            except ValueError:
                start = 1.0
        note = f"ent_coef starts at {start:g} and is learned so the policy's entropy follows target_entropy"
        if isinstance(target, numbers.Real):  # a live model's is numpy's float32
            note += f" {float(target):g} (−the action dimensions, unless target_entropy is set)"
        return OptimizerInfo(
            name="ent_coef_optimizer",
            type=kind,
            options={"lr": _plain_number(lr)} if lr is not None else {},
            params=1,
            updated=1,
            modules=("log_ent_coef",),
            loss=catalog.ENTROPY_LOSS[0],
            note=note,
            in_policy=False,
        )

    # --- gradients through shared modules ----------------------------------------------------------

    def gradients(self) -> tuple[GradientFlow, ...]:
        policy = self.policy
        flows: list[GradientFlow] = []
        critic = getattr(policy, "critic", None)
        actor = getattr(policy, "actor", None)
        if actor is not None and critic is not None:
            extractor: Any = getattr(critic, "features_extractor", None)
            actor_extractor: Any = getattr(actor, "features_extractor", None)
            if extractor is not None and extractor is actor_extractor:
                groups = getattr(getattr(critic, "optimizer", None), "param_groups", None) or ()
                held = {id(p) for group in groups for p in group["params"]}
                in_critic_optimizer = any(id(p) in held for p in extractor.parameters())
                # ContinuousCritic.forward: `with th.set_grad_enabled(not self.share_features_extractor)`
                why = (
                    "the critic computes its features under th.set_grad_enabled(False) (share_features_extractor=True)"
                )
                why += (
                    ": critic.optimizer holds it but no critic gradient reaches it"
                    if in_critic_optimizer
                    else ", and critic.optimizer leaves it out"
                )
                flows.append(
                    GradientFlow(
                        self._path(extractor) or "features_extractor",
                        ("actor", "critic"),
                        ("actor loss",),
                        ("critic loss",),
                        why,
                    )
                )
            return tuple(flows)
        if not hasattr(policy, "mlp_extractor"):
            return ()
        lstm = getattr(policy, "lstm_actor", None)
        shared_extractor = getattr(policy, "pi_features_extractor", None) is getattr(
            policy, "vf_features_extractor", None
        )
        extractor_path = self._path(getattr(policy, "features_extractor", None))
        if lstm is not None and getattr(policy, "lstm_critic", None) is None and getattr(policy, "shared_lstm", False):
            # sb3_contrib/common/recurrent/policies.py, forward: `latent_vf = latent_pi.detach()` (shared_lstm)
            modules = [self._path(lstm) or "lstm_actor"]
            if shared_extractor and _has_params(policy.features_extractor):
                modules.insert(0, extractor_path or "features_extractor")
            for module in modules:
                flows.append(
                    GradientFlow(
                        module,
                        ("pi", "vf"),
                        ("policy loss", "entropy loss"),
                        ("value loss",),
                        "vf reads the LSTM's output detached (latent_pi.detach(), shared_lstm=True): the value "
                        "loss trains only mlp_extractor.value_net and value_net",
                    )
                )
            return tuple(flows)
        if not shared_extractor or not _has_params(getattr(policy, "features_extractor", None)):
            return ()
        if self.algo == "TRPO":
            flows.append(
                GradientFlow(
                    extractor_path or "features_extractor",
                    ("pi", "vf"),
                    ("policy objective",),
                    ("value loss",),
                    "TRPO clears the gradients of every parameter the policy depends on before the value "
                    "loss's optimizer step: the natural-gradient step alone moves it",
                )
            )
            return tuple(flows)
        algorithm = self.algorithm
        vf_coef = _plain_number(getattr(algorithm, "vf_coef", None))
        ent_coef = _plain_number(getattr(algorithm, "ent_coef", None))
        trained = (
            "policy loss",
            "value loss" + (f" × vf_coef {vf_coef}" if vf_coef is not None else ""),
            "entropy loss" + (f" × ent_coef {ent_coef}" if ent_coef is not None else ""),
        )
        flows.append(
            GradientFlow(
                extractor_path or "features_extractor",
                ("pi", "vf"),
                trained,
                (),
                "one optimizer over every parameter and one combined loss: the value error shapes the shared "
                "extractor too, weighted by vf_coef",
            )
        )
        return tuple(flows)

    # --- targets -----------------------------------------------------------------------------------

    def targets(self) -> tuple[TargetUpdate, ...]:
        algorithm = self.algorithm
        policy = self.policy
        if algorithm is None or not hasattr(algorithm, "tau"):
            return ()
        tau = float(algorithm.tau)
        rule = "copy" if tau == 1.0 else "polyak"
        out: list[TargetUpdate] = []
        for online, target in (("q_net", "q_net_target"), ("quantile_net", "quantile_net_target")):
            if getattr(policy, target, None) is not None:
                # dqn/dqn.py _on_step: `if self._n_calls % max(self.target_update_interval // self.n_envs, 1) == 0:
                #     polyak_update(self.q_net.parameters(), self.q_net_target.parameters(), self.tau)`
                n_envs = int(getattr(algorithm, "n_envs", 1) or 1)
                calls = max(int(algorithm.target_update_interval) // n_envs, 1)
                out.append(TargetUpdate(target, online, rule, tau, calls * n_envs, "env steps"))
        pairs = [(online, f"{online}_target") for online in ("actor", "critic")]
        pairs = [(online, target) for online, target in pairs if getattr(policy, target, None) is not None]
        if pairs:
            if hasattr(algorithm, "policy_delay"):
                # td3/td3.py train: `if self._n_updates % self.policy_delay == 0:` polyak_update(critic), polyak_update(actor)
                every, unit = int(algorithm.policy_delay), "critic updates"
            else:
                # sac/sac.py train: `if gradient_step % self.target_update_interval == 0: polyak_update(...)`
                every, unit = int(getattr(algorithm, "target_update_interval", 1)), "gradient steps"
            shared = self._shared_target_modules([target for _, target in pairs])
            for online, target in pairs:
                out.append(TargetUpdate(target, online, rule, tau, every, unit, shared))
        return tuple(out)

    def _shared_target_modules(self, targets: list[str]) -> tuple[str, ...]:
        """Modules with parameters that two target networks hold (TD3's target features extractor, shared)."""
        if len(targets) < 2:
            return ()
        first, second = (getattr(self.policy, name) for name in targets[:2])
        seconds = {id(m) for m in second.modules() if _has_params(m)}
        shared = [m for m in first.children() if id(m) in seconds]
        return tuple(self._path(m) or "?" for m in shared)

    # --- the algorithm's buffer --------------------------------------------------------------------

    def recurrent(self) -> dict[str, Any] | None:
        """What carries memory in an sb3-contrib recurrent policy, read from its modules.

        ``lstm_actor`` feeds pi; vf gets ``lstm_critic`` (enable_critic_lstm), ``lstm_actor``'s output
        detached (shared_lstm: ``latent_vf = latent_pi.detach()``), or ``critic``, a Linear that only resizes
        the features (``nn.Linear(self.features_dim, lstm_hidden_size)``: no memory) (``recurrent/policies.py``).
        Each LSTM's state is (h, c), ``(n_layers, n_envs, size)`` each (``lstm_hidden_state_shape`` per env).
        """
        policy = self.policy
        lstm = getattr(policy, "lstm_actor", None)
        if lstm is None or not hasattr(lstm, "hidden_size"):
            return None
        if getattr(policy, "lstm_critic", None) is not None:
            vf = {"module": self.module_names.get(id(policy.lstm_critic), "lstm_critic"), "kind": "own_lstm"}
        elif getattr(policy, "shared_lstm", False):
            vf = {"module": self.module_names.get(id(lstm), "lstm_actor"), "kind": "shared_detached"}
        else:
            critic = getattr(policy, "critic", None)
            vf = {"module": self.module_names.get(id(critic), "critic"), "kind": "linear"}
        n_envs = int(getattr(self.algorithm, "n_envs", 1) or 1)
        hidden = int(lstm.hidden_size)
        return {
            "class": type(lstm).__name__,
            "pi": self.module_names.get(id(lstm), "lstm_actor"),
            "vf": vf,
            "hidden_size": hidden,
            "n_layers": int(lstm.num_layers),
            # nn.LSTM: h has proj_size features when proj_size > 0, c keeps hidden_size
            "state": {
                "h": [int(lstm.num_layers), n_envs, int(getattr(lstm, "proj_size", 0) or hidden)],
                "c": [int(lstm.num_layers), n_envs, hidden],
            },
        }

    def buffer(self) -> dict[str, Any] | None:
        """The rollout or replay buffer training fills: its class, steps, envs and bytes.

        A live model's buffer is measured (its arrays' ``nbytes``). For a build, the installed SB3's own
        buffer class (the one the algorithm's ``_setup_model`` picks) is made for one step of one env and
        measured; its arrays are ``(steps, n_envs, ...)``, so the whole buffer is that times steps and envs.
        """
        algorithm = self.algorithm
        if algorithm is None:
            return None
        live = getattr(algorithm, "rollout_buffer", None) or getattr(algorithm, "replay_buffer", None)
        if live is not None and hasattr(live, "buffer_size"):
            return self._with_optimized(
                {
                    "class": type(live).__name__,
                    "steps": int(live.buffer_size),
                    "n_envs": int(live.n_envs),
                    "bytes": _nbytes(vars(live)),
                },
                algorithm,
            )
        n_envs = int(getattr(algorithm, "n_envs", 1) or 1)
        if hasattr(algorithm, "buffer_size"):  # off-policy (whose n_steps, SB3 2.7's, is n-step returns)
            # ReplayBuffer: ``buffer_size // n_envs`` steps per env
            steps, made = max(int(algorithm.buffer_size) // n_envs, 1), self._one_step_replay_buffer(algorithm)
        elif hasattr(algorithm, "n_steps"):
            if getattr(algorithm, "rollout_buffer_class", None) is not None:
                return None  # a buffer class of the user's: its arrays are its own
            steps, made = int(algorithm.n_steps), self._one_step_rollout_buffer(algorithm)
        else:
            return None
        if made is None:
            return None
        return self._with_optimized(
            {
                "class": type(made).__name__,
                "steps": steps,
                "n_envs": n_envs,
                "bytes": _nbytes(vars(made)) * steps * n_envs,
            },
            algorithm,
        )

    def _with_optimized(self, buffer: dict[str, Any], algorithm: Any) -> dict[str, Any]:
        """A ReplayBuffer without optimize_memory_usage gets ``optimized_bytes``: SB3's own ReplayBuffer with it
        (each observation stored once, no next_observations; it needs handle_timeout_termination=False),
        measured the same way: the saving users look for when the buffer does not fit (SB3#1936)."""
        from stable_baselines3.common import buffers

        if buffer["class"] != "ReplayBuffer" or getattr(algorithm, "optimize_memory_usage", False):
            return buffer
        kwargs = dict(getattr(algorithm, "replay_buffer_kwargs", None) or {})
        kwargs.update(optimize_memory_usage=True, handle_timeout_termination=False)
        policy = self.policy
        made = buffers.ReplayBuffer(1, policy.observation_space, policy.action_space, device="cpu", n_envs=1, **kwargs)
        return {**buffer, "optimized_bytes": _nbytes(vars(made)) * buffer["steps"] * buffer["n_envs"]}

    def _one_step_rollout_buffer(self, algorithm: Any) -> Any:
        """The rollout buffer class SB3 / sb3-contrib picks (``catalog.ROLLOUT_BUFFERS``), for one step of one env."""
        from gymnasium import spaces

        policy = self.policy
        module, flat, dict_obs = catalog.ROLLOUT_BUFFERS.get(self.algo or "", catalog.ROLLOUT_BUFFERS[None])
        name = dict_obs if isinstance(policy.observation_space, spaces.Dict) else flat
        cls = getattr(importlib.import_module(module), name)
        extra: dict[str, Any] = {}
        lstm = getattr(policy, "lstm_actor", None)
        if lstm is not None:  # ppo_recurrent.py: (n_steps, lstm.num_layers, n_envs, lstm.hidden_size)
            extra["hidden_state_shape"] = (1, int(lstm.num_layers), 1, int(lstm.hidden_size))
        kwargs = dict(getattr(algorithm, "rollout_buffer_kwargs", None) or {})
        return cls(1, policy.observation_space, policy.action_space, device="cpu", n_envs=1, **extra, **kwargs)

    def _one_step_replay_buffer(self, algorithm: Any) -> Any:
        """SB3's (Dict)ReplayBuffer for one step of one env, with the algorithm's buffer settings; None for
        another class (HerReplayBuffer needs the env, a user's class keeps its own arrays)."""
        from gymnasium import spaces
        from stable_baselines3.common import buffers

        policy = self.policy
        chosen = getattr(algorithm, "replay_buffer_class", None)
        cls = chosen or (
            buffers.DictReplayBuffer if isinstance(policy.observation_space, spaces.Dict) else buffers.ReplayBuffer
        )
        if cls not in (buffers.ReplayBuffer, buffers.DictReplayBuffer):
            return None
        kwargs = dict(getattr(algorithm, "replay_buffer_kwargs", None) or {})
        kwargs["optimize_memory_usage"] = bool(getattr(algorithm, "optimize_memory_usage", False))
        return cls(1, policy.observation_space, policy.action_space, device="cpu", n_envs=1, **kwargs)

    # --- settings, aliases, compositions, custom classes -------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The policy's own record of its settings (``_get_constructor_parameters()``, what a saved zip keeps),
        minus what the report shows elsewhere (spaces, net_arch, activation_fn, the lr schedule)."""
        getter = getattr(self.policy, "_get_constructor_parameters", None)
        if getter is None:
            return {}
        try:
            data = dict(getter())
        except Exception:  # a custom policy's override may fail: its settings are then unknown, not an error
            return {}
        for key in ("observation_space", "action_space", "lr_schedule", "net_arch", "activation_fn"):
            data.pop(key, None)
        shared = getattr(self.policy, "share_features_extractor", None)
        if isinstance(shared, bool):  # a policy attribute _get_constructor_parameters leaves out
            data["share_features_extractor"] = shared
        real = getattr(data.get("optimizer_class"), "real", None)
        if isinstance(real, type):
            data["optimizer_class"] = real  # the meta build's stand-in: the class it stands for
        if data.get("optimizer_kwargs") is None and "optimizer_class" in data:
            data["optimizer_kwargs"] = {}
        return {key: _plain(value) for key, value in data.items()}

    def aliases(self) -> dict[str, str]:
        """Every other name a module has in ``named_modules(remove_duplicate=False)`` -> the name the tables use."""
        paths = dict(self.policy.named_modules(remove_duplicate=False))
        out: dict[str, str] = {}
        for path, module in paths.items():
            canonical = self.module_names.get(id(module))
            if canonical is None or canonical == path or (not _has_params(module) and not _is_extractor(path)):
                continue
            parent = path.rsplit(".", 1)[0] if "." in path else None
            if parent is not None and self.module_names.get(id(paths.get(parent))) != parent:
                continue  # inside an alias already listed
            out[path] = canonical
        return out

    def compositions(self) -> tuple[InputComposition, ...]:
        found: list[InputComposition] = []
        extractor = self._first_extractor()
        branches = getattr(extractor, "extractors", None)
        if branches is not None and hasattr(extractor, "features_dim"):
            from stable_baselines3.common.preprocessing import get_flattened_obs_dim

            space: Any = getattr(self.policy, "observation_space", None)
            parts = []
            for key, branch in branches.items():
                width = getattr(branch, "features_dim", None)
                if width is None:
                    width = get_flattened_obs_dim(space.spaces[key])
                parts.append((f"{key} ({type(branch).__name__})", int(width)))
            if sum(width for _, width in parts) == int(extractor.features_dim):
                # torch_layers.py CombinedExtractor.forward: `th.cat(encoded_tensor_list, dim=1)`
                found.append(
                    InputComposition(
                        self._path(extractor) or "features_extractor",
                        int(extractor.features_dim),
                        tuple(parts),
                        "CombinedExtractor encodes every key and concatenates them",
                    )
                )
        critic: Any = getattr(self.policy, "critic", None)
        q_networks = list(getattr(critic, "q_networks", []) or [])
        if q_networks:
            from stable_baselines3.common.preprocessing import get_action_dim

            first = next((m for m in q_networks[0].modules() if type(m).__name__ == "Linear"), None)
            features = int(getattr(critic, "features_dim", 0) or getattr(critic.features_extractor, "features_dim", 0))
            actions = int(get_action_dim(self.policy.action_space))
            if first is not None and int(first.in_features) == features + actions:
                # common/policies.py ContinuousCritic.forward: `qvalue_input = th.cat([features, actions], dim=1)`
                count = len(q_networks)
                found.append(
                    InputComposition(
                        self._path(first) or "?",
                        features + actions,
                        (("features", features), ("actions", actions)),
                        f"the critic concatenates the features and the action at the input of "
                        f"{'each of its ' + str(count) + ' q-networks' if count > 1 else 'its q-network'}",
                    )
                )
        return tuple(found)

    def custom(self) -> dict[str, str]:
        """Modules whose class neither SB3 nor sb3-contrib defines, where net_arch / activation_fn would describe them."""
        out: dict[str, str] = {}
        policy = self.policy
        if not _is_sb3(type(policy)):
            base = next((cls.__name__ for cls in type(policy).__mro__[1:] if _is_sb3(cls)), None)
            out["policy"] = f"{type(policy).__name__}({base})" if base else type(policy).__name__
        extractor = getattr(policy, "mlp_extractor", None)
        if extractor is not None and not _is_sb3(type(extractor)):
            out["mlp_extractor"] = type(extractor).__name__
        return out


def _nbytes(value: Any) -> int:
    """Bytes of every numpy array in a buffer's attributes (a Dict buffer keeps a dict of them)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(_nbytes(item) for item in value.values())
    return 0


class _Missing(dict[str, Any]):
    """``str.format_map`` values where a name the text uses but the algorithm lacks reads ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


def _paths(*paths: str | None) -> tuple[str, ...]:
    return tuple(path for path in paths if path is not None)


def _is_sb3(cls: type) -> bool:
    return cls.__module__.split(".")[0] in ("stable_baselines3", "sb3_contrib")


def _is_extractor(path: str) -> bool:
    return path.rsplit(".", 1)[-1].endswith("features_extractor")


def _has_params(module: Any) -> bool:
    return module is not None and any(True for _ in module.parameters())


def _out_features(module: Any) -> int | None:
    """The output width of a head: its last Linear's out_features."""
    if module is None:
        return None
    linears = [m for m in module.modules() if type(m).__name__ == "Linear"]
    return int(linears[-1].out_features) if linears else None


def _noise(noise: Any) -> dict[str, Any] | None:
    """An action noise object as data: its class and its scale (``NormalActionNoise``: ``sigma``)."""
    if noise is None:
        return None
    if isinstance(noise, dict):  # a saved model's: only its class is readable
        return dict(noise)
    if isinstance(noise, (str, int, float)):  # a config's value that is no ActionNoise object
        return {"class": None, "given": noise}
    out: dict[str, Any] = {"class": type(noise).__name__}
    for attr in ("_sigma", "_mu", "_theta"):
        value = getattr(noise, attr, None)
        if value is not None:
            out[attr.lstrip("_")] = _plain(value)
    return out


def _plain_number(value: Any) -> Any:
    """A float or int as JSON (numpy scalars included); anything else as text; None stays None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value if not isinstance(value, float) or math.isfinite(value) else str(value)
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return _plain_number(item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _plain(value: Any) -> Any:
    """JSON-safe data: classes by name, arrays as lists, numpy scalars as numbers, anything else as text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return _plain_number(value)
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        try:
            return _plain(tolist())
        except (TypeError, ValueError):
            pass
    return _plain_number(value) if hasattr(value, "item") else repr(value)


def param_ids(modules: Iterable[Any]) -> set[int]:
    """Parameter ids of modules and bare parameters."""
    import torch

    ids: set[int] = set()
    for obj in modules:
        if isinstance(obj, torch.nn.Parameter):
            ids.add(id(obj))
        else:
            ids.update(id(p) for p in obj.parameters())
    return ids
