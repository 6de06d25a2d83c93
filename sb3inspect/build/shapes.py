"""What each features-extractor layer sees: one observation through SB3's own preprocessing.

Linear, LSTM and the heads state their sizes; a convolution's output size depends on the image
it gets, and a Flatten's on everything before it. So each features extractor runs one sample
observation (``observation_space.sample()``, preprocessed as SB3 does: one-hot, /255, ...) with
forward hooks recording every layer's input and output shape.

What runs is never the policy's own extractor but a copy of it on the meta device: a live model
may be training in another thread, and flipping its ``training`` flags, hooking its modules or
running its forward pass would disturb it. ``meta_copy`` shares no state with the original and
copies no weight (every tensor becomes an empty meta tensor of the same shape and dtype), so the
probe costs the same for a live model as for a meta build (small ops run on CPU stand-ins, see
``meta.py``). An extractor that cannot run on the sample leaves a note saying so.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sb3inspect.errors import one_line

Shape = tuple[int, ...]

PROBE_ERRORS: tuple[type[Exception], ...] = (
    RuntimeError,
    NotImplementedError,
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    AssertionError,
)
"""What a working features extractor can raise when fed one sample on the meta device: torch's
errors for data a meta tensor does not hold (``.item()``, ``.numpy()``, an op without a meta kernel)
or for shapes it does not take, and the extractor's own checks on an input it was not written for
(a tensor where it wants a dict, a missing key). Anything else is a bug and propagates."""

COPY_ERRORS: tuple[type[Exception], ...] = (copy.Error, TypeError, RuntimeError, ValueError, AttributeError)
"""What ``copy.deepcopy`` raises for a module holding something it cannot copy (a lock, a file)."""


@dataclass(frozen=True)
class Probe:
    """What the probe measured, and what it could not."""

    shapes: dict[int, tuple[Shape, Shape]] = field(default_factory=dict)
    """``id(module) -> (input shape, output shape)`` of the policy's own modules, batch dimension left out."""
    notes: tuple[str, ...] = ()
    """One per features extractor whose layers have no shapes, with the reason."""


def probe_shapes(policy: Any) -> Probe:
    """Every features-extractor layer's input and output shape, measured on meta-device copies."""
    import torch
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    from sb3inspect.build.meta import meta_build

    found_extractors = {id(m): m for m in policy.modules() if isinstance(m, BaseFeaturesExtractor)}
    # an extractor inside another (CombinedExtractor's NatureCNN per image key) takes one key, not the
    # observation: the outer one's run measures its layers
    inner = {id(sub) for m in found_extractors.values() for sub in m.modules() if sub is not m}
    extractors = [m for key, m in found_extractors.items() if key not in inner]
    space = getattr(policy, "observation_space", None)
    if not extractors or space is None:
        return Probe()
    paths = {id(module): name for name, module in policy.named_modules()}
    shapes: dict[int, tuple[Shape, Shape]] = {}
    notes: list[str] = []
    with meta_build(), torch.no_grad():
        for extractor in extractors:
            where = f"{paths.get(id(extractor), '?')} ({type(extractor).__name__})"
            try:
                clone = meta_copy(extractor)
            except COPY_ERRORS as exc:
                notes.append(f"{where}: shapes not measured: it cannot be copied onto the meta device ({_why(exc)})")
                continue
            originals = {id(c): id(o) for o, c in zip(extractor.modules(), clone.modules(), strict=True)}
            try:
                found = _run(clone, _sample(policy, space))
            except PROBE_ERRORS as exc:
                notes.append(
                    f"{where}: shapes not measured: a sample observation through it raised {_why(exc)}; "
                    "its layers show no input/output shapes and its convolutions no MACs"
                )
                continue
            shapes.update((originals[key], value) for key, value in found.items())
    return Probe(shapes, tuple(notes))


def meta_copy(module: Any) -> Any:
    """A copy of ``module`` in eval mode with every tensor an empty meta tensor: the structure, no data, no hooks.

    ``copy.deepcopy`` with its memo filled in advance: each parameter, buffer and tensor attribute
    is answered by an empty meta tensor of its shape and dtype (a parameter stays a parameter), and
    each hook table by an empty one, so neither weights nor the user's hooks are copied.
    """
    import torch

    memo: dict[int, Any] = {}
    for sub in module.modules():
        for name, value in vars(sub).items():
            if "hooks" in name and isinstance(value, dict):
                memo[id(value)] = type(value)()
        for value in (*sub._parameters.values(), *sub._buffers.values(), *vars(sub).values()):
            if isinstance(value, torch.Tensor) and id(value) not in memo:
                empty = torch.empty_like(value, device="meta")
                if isinstance(value, torch.nn.Parameter):
                    empty = torch.nn.Parameter(empty, requires_grad=value.requires_grad)
                memo[id(value)] = empty
    return copy.deepcopy(module, memo).eval()  # eval: BatchNorm cannot train on a batch of one


def _sample(policy: Any, space: Any) -> Any:
    """One observation of ``space`` as the policy's extractors get it, on the meta device."""
    from stable_baselines3.common.preprocessing import preprocess_obs

    # a copy samples, so the user's space keeps its random state
    obs, _ = policy.obs_to_tensor(copy.deepcopy(space).sample())
    return preprocess_obs(obs, space, normalize_images=getattr(policy, "normalize_images", True))


def _run(extractor: Any, obs: Any) -> dict[int, tuple[Shape, Shape]]:
    """Forward ``obs`` through ``extractor`` (a copy: its hooks are never removed) and record each module's shapes."""
    found: dict[int, tuple[Shape, Shape]] = {}

    def hook(module: Any, inputs: tuple[Any, ...], output: Any) -> None:
        first = next((x for x in inputs if hasattr(x, "shape")), None)
        if first is not None and hasattr(output, "shape"):
            found[id(module)] = (tuple(first.shape[1:]), tuple(output.shape[1:]))

    for module in extractor.modules():
        module.register_forward_hook(hook)
    extractor(obs)
    return found


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {one_line(exc)}"
