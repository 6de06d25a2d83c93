"""What each features-extractor layer sees: one observation through SB3's own preprocessing.

Linear, LSTM and the heads state their sizes; a convolution's output size depends on the image
it gets, and a Flatten's on everything before it. So the features extractors run one sample
observation (``observation_space.sample()``, preprocessed as SB3 does: one-hot, /255, ...) with
forward hooks recording every layer's input and output shape. On the meta device this costs
nothing (small ops run on CPU stand-ins, see ``_meta.py``); on a live model it is one forward pass
in eval mode without gradients.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

Shape = tuple[int, ...]


def probe_shapes(policy: Any) -> dict[int, tuple[Shape, Shape]]:
    """``id(module) -> (input shape, output shape)`` without the batch dimension.

    Best effort: a features extractor that cannot run (a custom one needing more than an
    observation) leaves its layers without shapes rather than failing the report.
    """
    import torch
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    extractors = list({id(m): m for m in policy.modules() if isinstance(m, BaseFeaturesExtractor)}.values())
    space = getattr(policy, "observation_space", None)
    if not extractors or space is None:
        return {}
    shapes: dict[int, tuple[Shape, Shape]] = {}
    with _context(policy), torch.no_grad():
        for extractor in extractors:
            with contextlib.suppress(Exception):
                shapes.update(_run(policy, extractor, space))
    return shapes


def _run(policy: Any, extractor: Any, space: Any) -> dict[int, tuple[Shape, Shape]]:
    from stable_baselines3.common.preprocessing import preprocess_obs

    found: dict[int, tuple[Shape, Shape]] = {}

    def hook(module: Any, inputs: tuple[Any, ...], output: Any) -> None:
        first = next((x for x in inputs if hasattr(x, "shape")), None)
        if first is not None and hasattr(output, "shape"):
            found[id(module)] = (tuple(first.shape[1:]), tuple(output.shape[1:]))

    modes = {module: module.training for module in extractor.modules()}
    handles = [module.register_forward_hook(hook) for module in extractor.modules()]
    try:
        extractor.eval()  # BatchNorm cannot train on a batch of one
        # a copy samples, so the user's space keeps its random state
        obs, _ = policy.obs_to_tensor(copy.deepcopy(space).sample())
        extractor(preprocess_obs(obs, space, normalize_images=getattr(policy, "normalize_images", True)))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes.items():
            module.training = training
    return found


def _context(policy: Any) -> Any:
    """The meta-build context for a policy on the meta device, nothing for a live one."""
    first = next(iter(policy.parameters()), None)
    if first is not None and first.is_meta:
        from sb3inspect.build.meta import meta_build

        return meta_build()
    return contextlib.nullcontext()
