"""The answers beyond the layers, in words: one header line each for the table, the arithmetic for --explain.

Pure functions of a ``PolicyReport`` (``report.answers`` reads the facts from the real objects):
what SB3 does to each observation input, how the head's outputs become actions, which optimizer
trains what with which loss, how targets follow, settings that are not layers, and the other
names ``print(model.policy)`` shows for one module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import dims
from sb3inspect.report.model import ActionDistribution, InputStep, OptimizerInfo, PolicyReport
from sb3inspect.sources.spaces import box_bounds, short

LOSS_OF_NETWORK = {"pi": "policy loss", "vf": "value loss", "actor": "actor loss", "critic": "critic loss"}
"""A network -> the loss computed from its output (what a GradientFlow's ``not_by`` names)."""


def number(value: Any) -> str:
    """A setting's value as a config writes it: ``0.0003``, ``1e-05``, ``True``, ``[64, 64]``."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return f"{value:.1f}" if value.is_integer() and abs(value) < 1e6 else f"{value:g}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {number(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number(v) for v in value) + "]"
    return str(value)


# --- observation -------------------------------------------------------------------------------------


def step_text(step: InputStep, *, report: PolicyReport, brief: bool = True) -> str:
    """What SB3 does to one input: ``one-hot of 16``, ``image ÷ 255``, ``as is (not normalized)``."""
    space = step.space
    if step.kind == "one_hot":
        return f"one integer → one-hot of {step.width}"
    if step.kind == "one_hot_concat":
        nvec = list(space.get("nvec", ()))
        return f"{len(nvec)} integers → one-hots {' + '.join(map(str, nvec))} = {step.width}"
    if step.kind == "binary":
        return "0/1 values cast to float (no one-hot)"
    if step.kind == "image":
        text = "image ÷ 255 (normalize_images)" if step.scaled else "image NOT divided by 255 (normalize_images=False)"
        if step.transposed_from is not None:
            text += f", channel-last {dims(step.transposed_from)} transposed to channel-first {dims(space['shape'])}"
        return text
    if step.kind == "float":
        shape = list(space.get("shape", ()))
        if len(shape) == 3 and space.get("dtype") != "uint8":
            # is_image_space needs uint8: a float 3-D Box is used as is (NatureCNN takes it with normalize_images=False)
            return f"not an image for SB3 ({space.get('dtype')}): used as is, not ÷ 255"
        if len(shape) == 3:
            return "not an image for SB3 (bounds not [0, 255]): used as is, not ÷ 255"
        normalize = _vec_normalize(report)
        if brief:
            return normalize or "used as is (not normalized)"
        if normalize:
            return f"cast to float and {normalize} (the policy itself scales only uint8 images)"
        return "cast to float, not normalized: SB3 scales only uint8 images (VecNormalize normalizes vectors)"
    return step.kind


def observation_lines(report: PolicyReport) -> list[tuple[str, str]]:
    """``observation`` with its preprocessing; a Dict gets an ``inputs`` line with one part per key."""
    text = short(report.observation_space)
    steps = report.preprocessing
    normalize = _vec_normalize(report)
    if len(steps) == 1 and steps[0].key is None:
        text += f" · {step_text(steps[0], report=report)}"
        return [("observation", text)]
    lines = [("observation", text)]
    if steps:
        parts = []
        for step in steps:
            part = f"{step.key}: {_brief_step(step)}"
            if step.encoder is not None and step.features is not None:
                part += f" → {step.encoder} {step.features:,}"
            parts.append(part)
        total = sum(step.features or 0 for step in steps)
        joined = " · ".join(parts)
        if all(step.features is not None for step in steps) and len(steps) > 1:
            joined += f" · concatenated: {total:,} features"
        if normalize:
            joined += f" · {normalize}"
        lines.append(("inputs", joined))
    return lines


def _brief_step(step: InputStep) -> str:
    if step.kind == "image":
        return "image ÷ 255" if step.scaled else "image, not ÷ 255"
    if step.kind == "float":
        return "as is" if len(step.space.get("shape", ())) < 3 else f"{step.space.get('dtype')}, not an image: as is"
    if step.kind == "one_hot":
        return f"one-hot {step.width}"
    if step.kind == "one_hot_concat":
        return f"one-hots {'+'.join(map(str, step.space.get('nvec', ())))}"
    if step.kind == "binary":
        return "0/1 as float"
    return step.kind


def _vec_normalize(report: PolicyReport) -> str | None:
    """VecNormalize around the env: rl-zoo3's ``normalize:`` in the report's settings, or a run folder's
    ``vecnormalize.pkl``; None when there is none or it scales the rewards only."""
    value = report.settings.get("normalize")
    source = "rl-zoo3's normalize"
    run = report.extra.get("run_folder")
    if isinstance(run, Mapping) and isinstance(run.get("vecnormalize"), Mapping):
        value, source = run["vecnormalize"], "the run's vecnormalize.pkl"
    if not isinstance(value, Mapping) or value.get("norm_obs") is False:
        return None
    return f"standardized by VecNormalize ({source}: running mean and std) before the policy sees it"


def row_notes(report: PolicyReport) -> dict[str, str]:
    """Layer path -> what its input really is, where the row alone misleads (a Flatten of a one-hot)."""
    notes = {}
    for step in report.preprocessing:
        if step.layer is None:
            continue
        if step.kind == "one_hot":
            notes[step.layer] = f"one-hot of {short(step.space)}"
        elif step.kind == "one_hot_concat":
            notes[step.layer] = f"one-hots {'+'.join(map(str, step.space.get('nvec', ())))}"
    return notes


def detached_rows(report: PolicyReport) -> dict[str, set[str]]:
    """Network name -> module paths whose rows it uses without passing its loss's gradient back."""
    out: dict[str, set[str]] = {}
    for flow in report.gradients:
        for network in flow.networks:
            if LOSS_OF_NETWORK.get(network) in flow.not_by:
                out.setdefault(network, set()).add(flow.module)
    return out


# --- actions -----------------------------------------------------------------------------------------


def action_line(report: PolicyReport) -> str:
    text = short(report.action_space)
    dist = report.action_distribution
    if dist is None:
        return text
    return f"{text} · {action_text(dist, report)}"


def action_text(dist: ActionDistribution, report: PolicyReport) -> str:
    """One line: the distribution, where its parameters come from, how actions meet the bounds."""
    head = dist.outputs[0] if dist.outputs else "the head"
    bounds = _bounds(dist, report)
    masked = (
        f", invalid actions masked (action_masks(): {dist.details['mask_size']} booleans)"
        if dist.details.get("masked")
        else ""
    )
    if dist.kind == "categorical":
        return f"Categorical over {dist.width} logits ({head}){masked}"
    if dist.kind == "multi_categorical":
        splits = " + ".join(map(str, dist.splits))
        return (
            f"MultiCategorical: {head}'s {dist.width} logits split {splits}, one independent Categorical each{masked}"
        )
    if dist.kind == "bernoulli":
        return f"Bernoulli: {dist.width} logits ({head}), one independent 0/1 action each"
    if dist.kind == "gaussian":
        return f"Gaussian: mean {head}, std exp(log_std) (a parameter: state-independent){bounds}"
    if dist.kind == "gsde":
        shape = dims((dist.log_std or {}).get("shape", ()))
        squash = ", tanh" if dist.squash else ""
        clip = f", mean clipped to ±{number(dist.details['clip_mean'])}" if "clip_mean" in dist.details else ""
        return f"gSDE: mean {head}{clip}, state-dependent noise (log_std {shape} of the noise weights){squash}{bounds}"
    if dist.kind == "squashed_gaussian":
        clamp = (dist.log_std or {}).get("clamp")
        where = f", clamped to [{number(clamp[0])}, {number(clamp[1])}]" if clamp else ""
        std = (dist.log_std or {}).get("path") or "a Linear head"
        return f"squashed Gaussian: mean {head}, log_std from {std} (state-dependent{where}), tanh{bounds}"
    if dist.kind == "deterministic":
        squash = " ending in tanh" if dist.squash else ""
        return f"deterministic: {head}{squash}{bounds}"
    if dist.kind == "argmax":
        return f"argmax of {head}'s {dist.width} outputs (deterministic)"
    if dist.kind == "q_greedy":
        return f"greedy: argmax of {head}'s {dist.width} Q-values{_epsilon(dist)}"
    if dist.kind == "quantile_greedy":
        quantiles, actions = dist.splits if len(dist.splits) == 2 else ("?", "?")
        return (
            f"greedy: argmax over {actions} actions of the mean of {quantiles} quantiles "
            f"({head}: {dist.width} = {quantiles} × {actions}){_epsilon(dist)}"
        )
    return dist.distribution or dist.kind


def _bounds(dist: ActionDistribution, report: PolicyReport) -> str:
    box = box_bounds(report.action_space) or "the Box bounds"
    if dist.bounds == "clip":
        return f"; samples unbounded, clipped to {box}"
    if dist.bounds == "rescale":
        return f"; [-1, 1] rescaled to {box}" if box != "[-1, 1]" else "; in [-1, 1], the Box's bounds"
    return ""


def _epsilon(dist: ActionDistribution) -> str:
    eps = dist.details.get("exploration")
    if not isinstance(eps, Mapping):
        return ""
    return (
        f"; ε-greedy, ε {number(eps['initial_eps'])} → {number(eps['final_eps'])} "
        f"over {number(eps['fraction'] * 100)}% of training"
    )


def action_explain(report: PolicyReport) -> list[str]:
    """The long form: what every number of the head means, and why actions stay (or do not stay) in bounds."""
    dist = report.action_distribution
    if dist is None:
        return []
    box = box_bounds(report.action_space) or "the Box bounds"
    explain = _EXPLAIN.get(dist.kind)
    notes = explain(dist, box, report) if explain else [f"actions: {action_text(dist, report)}"]
    dtype = report.action_space.get("dtype")
    if report.action_space.get("type") == "Box" and isinstance(dtype, str) and not dtype.startswith("float"):
        notes.append(
            f"the action Box is {dtype}, but SB3 samples floats from the Gaussian and sends them to the env as floats "
            f"(clipped to {box}, never rounded): for 0/1 or whole-number actions use MultiBinary, Discrete or "
            "MultiDiscrete"
        )
    return notes


def _head(dist: ActionDistribution) -> str:
    return dist.outputs[0] if dist.outputs else "the head"


def _explain_gaussian(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    std = dist.log_std or {}
    init = std.get("init")
    start = f" (log_std_init {number(init)} → std {math.exp(init):.3g})" if isinstance(init, (int, float)) else ""
    path = std.get("path") or "log_std"
    return [
        f"actions: a diagonal Gaussian. {_head(dist)} gives the mean of each of the {dist.width} action dimensions; "
        f"log_std is a learned parameter ({dims(std.get('shape', ()))}){start} that does not depend on the observation. "
        f"A sample is unbounded: it is clipped to {box} only when sent to env.step and by predict(), while the "
        "rollout buffer and the log-probability keep the unclipped sample (no tanh; for bounded samples use SAC/TD3, "
        "or gSDE with squash_output)",
        f"log_std_init only sets where log_std starts: to set it later (a new curriculum stage), write "
        f"model.policy.{path}.data after loading, since load() refuses policy_kwargs other than the saved ones",
    ]


def _explain_gsde(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    std = dist.log_std or {}
    init, first = std.get("init"), dist.details.get("init_std")
    start = f", log_std_init {number(init)} → std {first:.3g}" if isinstance(first, float) else ""
    if dist.details.get("use_expln"):
        start += "; use_expln: std = exp(log_std) up to 0, log(1 + log_std) + 1 above, so it grows slower than exp"
    width = (
        "one std per (latent feature, action) pair (full_std=True)"
        if dist.details.get("full_std", True)
        else "one std per latent feature, shared by every action (full_std=False)"
    )
    freq = dist.details.get("sample_freq")
    sampled = ""
    if isinstance(freq, int):
        sampled = (
            f"; W is resampled every {freq} steps (sde_sample_freq)"
            if freq > 0
            else "; W is sampled once at the start of each rollout (sde_sample_freq -1)"
        )
    notes = [
        f"actions: gSDE (state-dependent exploration). {_head(dist)} gives the mean; log_std "
        f"({dims(std.get('shape', ()))}) is the log standard deviation of the exploration matrix W ({width}{start}), "
        f"not of the action: the noise is latent(s) · W, so the action's std depends on the observation{sampled}"
    ]
    if "clip_mean" in dist.details:
        notes.append(
            f"the mean is clipped by Hardtanh(±{number(dist.details['clip_mean'])}) (clip_mean), a row of "
            f"{_head(dist)}, before the tanh"
        )
    if dist.squash:
        notes.append(
            "the sample goes through tanh (the log-probability is corrected for it), so actions are always inside "
            f"(-1, 1) and are rescaled to {box}: no clipping"
        )
    elif dist.bounds == "clip":
        notes.append(f"no squashing (squash_output=False): samples are clipped to {box} before env.step")
    return notes


RESCALE = " (low + (a + 1)/2 · (high − low), per dimension)"
"""BasePolicy.unscale_action: how a tanh output in [-1, 1] reaches the Box."""


def _explain_squashed(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    std = dist.log_std or {}
    clamp = std.get("clamp")
    where = f", clamped to [{number(clamp[0])}, {number(clamp[1])}]" if clamp else ""
    then = "which is already the Box" if box == "[-1, 1]" else f"then [-1, 1] is rescaled to {box}{RESCALE}"
    return [
        f"actions: a squashed Gaussian. {_head(dist)} gives the mean and {std.get('path')} is a Linear head (so the "
        f"std depends on the observation{where}); the sample goes through tanh (the log-probability is corrected for "
        f"it), {then}"
    ]


def _explain_deterministic(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    if dist.network != "actor":  # ARS
        return [f"actions: {_head(dist)}'s output, deterministic (ARS perturbs the weights, not the actions)"]
    text = (
        f"actions: deterministic. {_head(dist)} ends in tanh, so its output is in [-1, 1]; predict() rescales it to "
        f"{box}{RESCALE}"
    )
    noise = dist.details.get("action_noise")
    if noise and noise.get("class") is None:
        text += (
            f". action_noise {noise.get('given')!r} is not an ActionNoise object: SB3 builds with it but fails when "
            "training starts (write NormalActionNoise in a script, or rl-zoo3's noise_type: normal and noise_std)"
        )
    elif noise:
        sigma = noise.get("sigma")
        text += (
            f". While training, {noise.get('class')}"
            + (f" (sigma {number(sigma)})" if sigma is not None else "")
            + " is added in [-1, 1] and the sum is clipped to [-1, 1] before rescaling; the replay buffer keeps that "
            "[-1, 1] action"
        )
    elif isinstance(report.training, Mapping) and report.training.get("noise_type"):
        kind, std = report.training.get("noise_type"), report.training.get("noise_std")
        text += (
            f". rl-zoo3 adds {kind} action noise (noise_type; sigma {number(std)}, noise_std) in [-1, 1] while "
            "training, clipped to [-1, 1] before rescaling"
        )
    elif "action_noise" in dist.details:
        text += ". No action_noise is set: after the learning_starts random steps the actor explores with no noise"
    notes = [text]
    smoothing, clip = dist.details.get("target_policy_noise"), dist.details.get("target_noise_clip")
    if isinstance(smoothing, (int, float)) and clip:
        notes.append(
            f"target policy smoothing: the target action gets N(0, {number(smoothing)}) noise clipped to ±{number(clip)}"
        )
    return notes


def _explain_multi_categorical(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    splits = list(dist.splits)
    return [
        f"actions: {_head(dist)}'s {dist.width} outputs are split into {len(splits)} independent Categoricals of "
        f"{', '.join(map(str, splits))} logits, sampled independently given the observation: not one distribution "
        f"over the {math.prod(splits) if splits else 0:,} combinations",
        *_masked(dist, report),
    ]


def _explain_bernoulli(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    return [f"actions: {_head(dist)}'s {dist.width} outputs are the logits of {dist.width} independent 0/1 actions"]


def _explain_categorical(dist: ActionDistribution, box: str, report: PolicyReport) -> list[str]:
    notes = [
        f"actions: {_head(dist)}'s {dist.width} outputs are the logits of one Categorical over the {dist.width} "
        "actions (softmax); deterministic=True takes the argmax"
    ]
    return notes + _masked(dist, report)


def _masked(dist: ActionDistribution, report: PolicyReport) -> list[str]:
    if not dist.details.get("masked"):
        return []
    size = dist.details["mask_size"]
    if dist.splits:
        binary = (
            ": for each binary action, whether 0 and whether 1 is allowed"
            if report.action_space.get("type") == "MultiBinary"
            else ""
        )
        layout = f"one per logit of {_head(dist)}: the masks of its {len(dist.splits)} sub-actions ({' + '.join(map(str, dist.splits))}) concatenated into one flat array{binary}"
    else:
        layout = f"one per action, in the order of {_head(dist)}'s logits"
    return [
        f"MaskablePPO: the env's action_masks() returns {size} booleans, {layout}; the logit of every action it "
        f"marks invalid is set to {catalog.MASKED_LOGIT:.0e} before the softmax, so it is never sampled"
    ]


_EXPLAIN = {
    "gaussian": _explain_gaussian,
    "gsde": _explain_gsde,
    "squashed_gaussian": _explain_squashed,
    "deterministic": _explain_deterministic,
    "multi_categorical": _explain_multi_categorical,
    "bernoulli": _explain_bernoulli,
    "categorical": _explain_categorical,
}
"""``action_distribution.kind`` -> its --explain notes (the other kinds' header line says it all)."""


# --- optimizers, losses, gradients --------------------------------------------------------------------


def _owner(info: OptimizerInfo) -> str:
    """``policy.critic.optimizer`` -> ``critic``; ``policy.optimizer`` -> ``policy``."""
    return info.name.removeprefix("policy.").removesuffix(".optimizer") or "policy"


def _options(info: OptimizerInfo) -> str:
    parts = [f"lr {number(info.options['lr'])}" if "lr" in info.options else "lr unknown (a schedule)"]
    parts += [f"{key} {number(value)}" for key, value in info.options.items() if key != "lr" and value is not None]
    return f"{info.type} " + ", ".join(parts)


def optimizer_line(report: PolicyReport) -> tuple[str, str] | None:
    """``optimizer  Adam lr 0.0003 · policy_loss + 0.5·value_loss − 0.0·entropy``, or one part per optimizer."""
    found = report.optimizers
    if not found:
        return ("optimizer", catalog.NO_OPTIMIZER[report.algo]) if report.algo in catalog.NO_OPTIMIZER else None
    if len(found) == 1:
        info = found[0]
        text = _options(info)
        if info.updated != info.params:
            text += f" on {', '.join(info.modules)} only"
        if info.loss:
            text += f" · loss: {info.loss}"
        return "optimizer", text
    parts = []
    for info in found:
        what = _owner(info) if info.in_policy else ", ".join(info.modules)
        part = f"{what}: {_options(info)}"
        if info.excluded:
            part += f" (not {', '.join(info.excluded)})"
        parts.append(part)
    return "optimizers", " · ".join(parts)


def optimizer_explain(report: PolicyReport) -> list[str]:
    notes = []
    for info in report.optimizers:
        held = (
            f"holds {info.params:,} parameters"
            if info.in_policy
            else "holds log_ent_coef (1 number, not a policy parameter)"
        )
        if info.updated != info.params:
            held += f", updates {info.updated:,} of them"
        text = f"{info.name} ({_options(info)}) {held}: {', '.join(info.modules) or 'nothing'}"
        if info.excluded:
            text += f"; not {', '.join(info.excluded)}"
        if info.loss:
            text += f"; loss: {info.loss}"
        if info.note:
            text += f" — {info.note}"
        notes.append(text)
    for flow in report.gradients:
        text = f"{flow.module} (used by {' and '.join(flow.networks)}) is trained by {', '.join(flow.trained_by)}"
        if flow.not_by:
            text += f", not by the {' or '.join(flow.not_by)}"
        notes.append(f"{text}: {flow.why}")
    return notes


# --- targets -----------------------------------------------------------------------------------------


def target_line(report: PolicyReport) -> str | None:
    if report.targets:
        groups: dict[tuple[Any, ...], list[str]] = {}
        for target in report.targets:
            groups.setdefault((target.rule, target.tau, target.every, target.unit), []).append(target.network)
        parts = []
        for (rule, tau, every, unit), names in groups.items():
            when = f"every {every:,} {unit}" if every != 1 else f"every {unit.removesuffix('s')}"
            how = f"hard copy {when} (tau {number(tau)})" if rule == "copy" else f"Polyak tau {number(tau)} {when}"
            parts.append(f"{', '.join(names)}: {how}")
        return " · ".join(parts)
    if report.algo in catalog.NO_TARGET:
        return "none (" + catalog.NO_TARGET[report.algo].split(":")[0] + ")"
    return None


def copy_kind(report: PolicyReport, network: str) -> str:
    """``hard copy`` (DQN's tau = 1), ``Polyak copy``, or ``copy`` when the algorithm's settings are unknown."""
    for target in report.targets:
        if target.network == network:
            return "hard copy" if target.rule == "copy" else "Polyak copy"
    return "copy"


def target_explain(report: PolicyReport) -> list[str]:
    notes = []
    for target in report.targets:
        when = (
            f"every {target.every:,} {target.unit}"
            if target.every != 1
            else f"after every {target.unit.removesuffix('s')}"
        )
        if target.rule == "copy":
            how = f"overwritten by a copy of {target.source} {when} (tau {number(target.tau)})"
        else:
            keep = 1 - target.tau
            how = (
                f"updated by Polyak averaging towards {target.source} {when}: "
                f"target ← {number(target.tau)}·online + {keep:g}·target"
            )
        if target.unit == "env steps":
            how += " (target_update_interval counts env steps over all envs)"
        notes.append(f"{target.network} is {how}; no gradient trains it")
    shared = sorted({module for target in report.targets for module in target.shared})
    for module in shared:
        users = [target.network for target in report.targets if module in target.shared]
        taus = {target.tau for target in report.targets if module in target.shared}
        tau = next(iter(taus)) if len(taus) == 1 else None
        effective = f" (effective coefficient {number(len(users) * tau)} = {len(users)}·tau)" if tau is not None else ""
        notes.append(
            f"{module} is one module in {' and '.join(users)}, separate from the online networks' extractor: it is "
            f"Polyak-updated once with each, {len(users)} times per update{effective}"
        )
    if not report.targets and report.algo in catalog.NO_TARGET:
        notes.append(catalog.NO_TARGET[report.algo])
    return notes


# --- settings ----------------------------------------------------------------------------------------


_ALWAYS = ("ortho_init",)
_GAUSSIAN = ("log_std_init",)
_GSDE = ("full_std", "use_expln", "squash_output", "clip_mean")


def settings_line(report: PolicyReport) -> str | None:
    """The settings that shape this policy's training but are no layer: the ones that apply to it."""
    settings = report.settings
    if not settings:
        return None
    kind = report.action_distribution.kind if report.action_distribution else None
    keys: list[str] = [key for key in _ALWAYS if key in settings]
    if kind in ("gaussian", "gsde"):
        keys += [key for key in _GAUSSIAN if key in settings]
    if kind == "gsde":
        keys += [key for key in _GSDE if key in settings and settings[key] is not None]
    images = any(len(step.space.get("shape", ())) == 3 for step in report.preprocessing)
    if "normalize_images" in settings and (images or settings["normalize_images"] is False):
        keys.append("normalize_images")
    kwargs = settings.get("features_extractor_kwargs")
    if kwargs:
        keys.append("features_extractor_kwargs")
    if "normalize" in settings:
        keys.append("normalize")
    if not keys:
        return None
    return " · ".join(f"{key} {number(settings[key])}" for key in keys)


def settings_explain(report: PolicyReport) -> list[str]:
    settings = report.settings
    notes = []
    if "ortho_init" in settings:
        if settings["ortho_init"]:
            modules = list(catalog.ORTHO_INIT_GAINS)
            if settings.get("share_features_extractor") is False:
                gain = dict(modules).pop("features_extractor")
                modules = [(name, gain) for name in catalog.ORTHO_INIT_UNSHARED] + modules[1:]
            gains = ", ".join(f"{module} (gain {gain})" for module, gain in modules)
            notes.append(
                f"init: ortho_init=True re-initializes the Linear and Conv2d weights of {gains} orthogonally and "
                "their biases to 0, whatever activation_fn is; other modules (an LSTM) keep PyTorch's init"
            )
        else:
            notes.append(
                "init: ortho_init=False keeps PyTorch's default init (Kaiming-uniform weights, non-zero biases)"
            )
    elif report.networks and any(
        network.role in ("actor", "critic", "q_value", "quantile") for network in report.networks
    ):
        notes.append(
            "init: PyTorch's default (Kaiming-uniform weights, non-zero biases): this policy has no ortho_init"
        )
    if settings.get("normalize_images") is False and any(step.kind == "image" for step in report.preprocessing):
        notes.append("normalize_images=False: uint8 images reach the first layer as 0..255, not divided by 255")
    return notes


# --- aliases, compositions, custom classes -----------------------------------------------------------


def alias_text(report: PolicyReport, module: str) -> str | None:
    """``(also pi_features_extractor, vf_features_extractor)`` for a module that has other names."""
    others = [alias for alias, canonical in report.aliases.items() if canonical == module]
    return f"aliases {', '.join(others)}" if others else None


def alias_explain(report: PolicyReport) -> list[str]:
    by_module: dict[str, list[str]] = {}
    for alias, canonical in report.aliases.items():
        by_module.setdefault(canonical, []).append(alias)
    notes = []
    for module, aliases in by_module.items():
        notes.append(
            f"print(model.policy) shows {module} also as {' and '.join(aliases)}: the same module object, not a copy; "
            "parameters() and these tables count it once, while state_dict() (and a saved zip) stores its tensors "
            "under every name"
        )
    return notes


def composition_explain(report: PolicyReport) -> list[str]:
    notes = []
    for part in report.input_composition:
        pieces = " + ".join(f"{name} {width:,}" for name, width in part.parts)
        notes.append(f"{part.layer} reads {part.width:,} = {pieces}: {part.why}")
    return notes + _critics_explain(report)


def _critics_explain(report: PolicyReport) -> list[str]:
    """Why an off-policy critic holds n_critics q-networks: what the losses (``report.optimizers``) do with them."""
    n = report.settings.get("n_critics")
    critic = next((o for o in report.optimizers if o.name.endswith("critic.optimizer")), None)
    if not isinstance(n, int) or critic is None:
        return []
    if n == 1:
        return ["critic has one q-network (n_critics=1): the TD target takes the target critic's value as it is"]
    if "quantile" in (critic.loss or ""):
        return [
            f"critic has {n} q-networks (n_critics={n}), each predicting quantiles of the return: the TD target pools "
            "their quantiles and drops the highest (truncation), which counters overestimation instead of a minimum"
        ]
    return [
        f"critic has {n} independent q-networks (n_critics={n}) on the same input, all trained toward one TD target that "
        "takes the minimum of their next-state values (clipped double Q-learning): one q-network's errors, maximized "
        "over actions, would overestimate the values"
    ]


def net_arch_custom(report: PolicyReport) -> str | None:
    """``custom mlp_extractor CustomNetwork`` when net_arch does not describe what was built."""
    custom = report.custom
    if "mlp_extractor" in custom:
        text = f"custom mlp_extractor {custom['mlp_extractor']}"
        if "policy" in custom:
            text += f" (in {custom['policy']})"
        return text
    if "policy" in custom:
        return f"set by {custom['policy']}"
    return None


def built_activations(report: PolicyReport) -> list[str]:
    """Activation types right after the hidden layers the online networks built (not a head's tanh)."""
    found: list[str] = []
    for network in report.networks:
        if network.target or network.role == "other":
            continue
        linears = 0
        previous = None
        for layer in network.layers:
            if layer.part != "body":
                continue
            if layer.type == "Linear":
                linears += 1
            elif (
                layer.is_activation
                and previous == "Linear"
                and linears <= len(network.hidden_sizes)
                and layer.type not in found
            ):
                found.append(layer.type)
            previous = layer.type
    return found


# --- recurrent state ---------------------------------------------------------------------------------


def _state_text(recurrent: Mapping[str, Any]) -> str:
    h, c = recurrent["state"]["h"], recurrent["state"]["c"]
    return f"(h, c) {dims(h)}" if list(h) == list(c) else f"h {dims(h)}, c {dims(c)}"


def recurrent_line(report: PolicyReport) -> str | None:
    """``memory``: which LSTM each network reads and the state it carries."""
    recurrent = report.recurrent
    if not recurrent:
        return None
    vf = recurrent["vf"]
    vf_text = {
        "own_lstm": f"vf its own {vf['module']}",
        "shared_detached": f"vf {vf['module']}'s output, detached",
        "linear": f"vf {vf['module']} (a Linear, no memory)",
    }.get(vf["kind"], f"vf {vf['module']}")
    return (
        f"pi {recurrent['pi']} · {vf_text} · state {_state_text(recurrent)} per LSTM "
        "(layers × envs × size), kept between steps, zeroed at episode starts"
    )


def recurrent_explain(report: PolicyReport) -> list[str]:
    recurrent = report.recurrent
    if not recurrent:
        return []
    vf = recurrent["vf"]
    why = {
        "own_lstm": f"vf runs the features through its own {vf['module']} (enable_critic_lstm=True), with its own state",
        "shared_detached": f"vf reads {vf['module']}'s output detached (shared_lstm=True): one state, and the value "
        "loss does not train the LSTM",
        "linear": f"vf has no LSTM (enable_critic_lstm=False, shared_lstm=False): {vf['module']}, a Linear, resizes "
        "the features to the LSTM's output size, so the value sees only the current observation",
    }.get(vf["kind"], "")
    return [
        f"memory: pi runs the features through {recurrent['pi']} ({recurrent['n_layers']} layer"
        f"{'s' if recurrent['n_layers'] != 1 else ''} of {recurrent['hidden_size']}) before mlp_extractor; its state "
        f"{_state_text(recurrent)} is carried from one step to the next and zeroed where an episode starts; the rollout "
        f"buffer stores it, so training replays each sequence from its stored state; {why}"
    ]


def buffer_explain(report: PolicyReport) -> list[str]:
    """What the rollout or replay buffer holds, and what makes it large."""
    buffer = report.buffer
    if not buffer or not isinstance(buffer.get("bytes"), int):
        return []
    steps, envs = buffer["steps"], buffer.get("n_envs", 1)
    each = buffer["bytes"] // max(steps * envs, 1)
    replay = "Replay" in str(buffer["class"])
    what = (
        "each transition's observation and next observation at the space's dtype, its action and three float32"
        if replay
        else "each step's observation at the space's dtype, its action and six float32 (reward, return, value, ...)"
    )
    sizes = "buffer_size" if replay else "n_steps × n_envs"
    optimized = buffer.get("optimized_bytes")
    saving = (
        f"; with optimize_memory_usage=True (and replay_buffer_kwargs handle_timeout_termination=False) SB3 stores "
        f"each observation once, no next observations: {optimized:,} bytes"
        if isinstance(optimized, int)
        else ""
    )
    return [
        f"{buffer['class']}: {steps:,} steps × {envs} env{'s' if envs != 1 else ''} × {each:,} bytes "
        f"({what}) = {buffer['bytes']:,} bytes, allocated when training starts; it grows with {sizes}, not with "
        f"the network{saving}"
    ]
