"""Build SB3 policies on PyTorch's meta device: shapes without storage.

Four things make a real SB3 constructor run on meta:

- ``torch.device("meta")`` as the default device, so every parameter is created without storage;
- ``BaseModel.device`` pinned to meta: SB3 falls back to CPU while a module has no parameters and
  then calls ``.to(cpu)``, which meta tensors cannot do;
- distribution argument validation off: gSDE samples its exploration matrix while building, and
  checking values needs data;
- a recording stand-in for the optimizer: the first real optimizer imports ``torch._dynamo``
  (~0.9 s) and adds no parameters. The stand-in remembers which parameters each optimizer would
  update, which is exactly what "trainable" means.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_LOCK = threading.RLock()


class RecordingOptimizer:
    """Takes an optimizer's place during a meta build and remembers its parameters."""

    def __init__(self, params: Any, *args: Any, **kwargs: Any) -> None:
        groups = list(params)
        if groups and isinstance(groups[0], dict):
            self.param_groups = [dict(group, params=list(group["params"])) for group in groups]
        else:
            self.param_groups = [{"params": groups}]

    def zero_grad(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never trained
        pass


@contextlib.contextmanager
def meta_build() -> Iterator[None]:
    """Construct modules on the meta device, with SB3's device fallback pinned to meta."""
    import torch
    from stable_baselines3.common.policies import BaseModel

    from torch.distributions import Distribution

    meta = torch.device("meta")
    with _LOCK:
        original = BaseModel.__dict__["device"]
        validate = Distribution._validate_args
        BaseModel.device = property(lambda self: meta)  # type: ignore[assignment, method-assign]
        # gSDE samples its exploration matrix while building; validating values needs data.
        Distribution.set_default_validate_args(False)
        try:
            with torch.device(meta):
                yield
        finally:
            BaseModel.device = original  # type: ignore[method-assign]
            Distribution.set_default_validate_args(validate)
