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

One more is about speed, not correctness. Most meta kernels of elementwise ops are Python
decompositions whose first call imports ``torch._dynamo`` (~1 s): SB3 runs a few such ops while
building (``th.ones(n) * log_std_init`` for ``log_std``, NatureCNN's forward pass that measures its
flatten size, gSDE sampling its exploration matrix). ``SmallOpsOnCPU`` skips random fills of meta
tensors (they hold no data to fill), answers ``zeros_like`` & co. from shape and dtype, and runs
the few computations on small CPU stand-ins of the same shape and
dtype and hands back meta tensors of the result's shape: the same shapes, no import. Anything it
does not know, or anything large, still runs on meta.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

_LOCK = threading.RLock()


class RecordingOptimizer:
    """Takes an optimizer's place during a meta build and remembers its parameters.

    Like every torch optimizer it refuses an empty parameter list (SB3's critic with ``n_critics: 0``).
    """

    def __init__(self, params: Any, *args: Any, **kwargs: Any) -> None:
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")  # torch.optim.Optimizer's own check
        if groups and isinstance(groups[0], dict):
            self.param_groups = [dict(group, params=list(group["params"])) for group in groups]
        else:
            self.param_groups = [{"params": groups}]

    def zero_grad(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never trained
        pass


SMALL_OP_ELEMENTS = 1 << 22
"""Past this many input elements an op runs on meta as usual (4M elements: 16 MB of float32)."""

_TENSOR_OPS = (
    "add", "sub", "mul", "div", "true_divide", "pow", "neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign",
    "clamp", "clip", "tanh", "sigmoid", "relu", "matmul", "mm", "bmm", "addmm", "cat", "stack", "sum", "mean",
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
    "__matmul__", "__rmatmul__", "__pow__", "__rpow__", "__neg__",
)


_FILLS = ("normal_", "uniform_", "fill_", "zero_", "exponential_", "bernoulli_", "random_", "cauchy_",
          "log_normal_", "geometric_")
"""In-place fills: on a meta tensor they change nothing but cost a Python decomposition."""


_LIKES = ("zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like")
"""``torch.*_like`` of a meta tensor: only its shape and dtype matter."""


@functools.cache
def _small_ops() -> frozenset[Any]:
    """The functions ``SmallOpsOnCPU`` may run on CPU: pure, out-of-place computations."""
    import torch
    import torch.nn.functional as F

    found: set[Any] = set()
    for name in _TENSOR_OPS:
        for owner in (torch, torch.Tensor):
            func = getattr(owner, name, None)
            if func is not None:
                found.add(func)
    for name in dir(F):
        func = getattr(F, name)
        if callable(func) and not name.startswith("_") and not name.endswith("_") and not isinstance(func, type):
            found.add(func)
    # outputs not bounded by their inputs' size (one_hot's is num_classes wide)
    for name in ("one_hot", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pad"):
        found.discard(getattr(F, name, None))
    return frozenset(found)


def _conv_shape(dims: int, input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                dilation: Any = 1, groups: int = 1) -> tuple[int, ...] | None:
    """A convolution's output shape by PyTorch's documented formula, or None to let torch decide
    (string padding other than 'valid', or an input too small: torch then raises its own error).

    ``out = floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1`` per spatial dimension.
    """
    def per_dim(value: Any) -> tuple[int, ...]:
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims

    if padding == "valid":
        padding = 0
    if isinstance(padding, str) or input.dim() not in (dims + 1, dims + 2):
        return None
    sizes = []
    for size, kernel, pad, step, dil in zip(input.shape[-dims:], weight.shape[2:], per_dim(padding), per_dim(stride),
                                            per_dim(dilation), strict=True):
        out = (size + 2 * pad - dil * (kernel - 1) - 1) // step + 1
        if out < 1:
            return None
        sizes.append(out)
    return (*input.shape[:-dims - 1], weight.shape[0], *sizes)


def _small_ops_mode() -> Any:
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._pytree import tree_flatten, tree_map

    allowed = _small_ops()
    one_hot = torch.nn.functional.one_hot
    convs = {torch.nn.functional.conv1d: 1, torch.nn.functional.conv2d: 2, torch.nn.functional.conv3d: 3}
    fills = frozenset(getattr(torch.Tensor, name) for name in _FILLS)
    likes = frozenset(getattr(torch, name) for name in _LIKES)

    def is_meta(value: Any) -> bool:
        return isinstance(value, torch.Tensor) and value.is_meta

    class SmallOpsOnCPU(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            kwargs = kwargs or {}
            if func in fills and args and is_meta(args[0]):
                return args[0]
            if func is one_hot and args and is_meta(args[0]):
                classes = args[1] if len(args) > 1 else kwargs.get("num_classes", -1)
                if classes > 0:  # SB3 always names the class count: the shape needs no data
                    return torch.empty((*args[0].shape, classes), dtype=torch.int64, device="meta")
            if func in convs and len(args) >= 2 and is_meta(args[0]) and is_meta(args[1]):
                shape = _conv_shape(convs[func], *args, **kwargs)
                if shape is not None:  # no compute, no kernel set-up (~20 ms per new conv on CPU)
                    return torch.empty(shape, dtype=args[0].dtype, device="meta")
            if func in likes and args and is_meta(args[0]) and kwargs.get("device") in (None, "meta"):
                like = args[0]
                return torch.empty(like.shape, dtype=kwargs.get("dtype") or like.dtype, device="meta",
                                   requires_grad=bool(kwargs.get("requires_grad", False)))
            if func in allowed and not kwargs.get("inplace") and "out" not in kwargs:
                leaves, _ = tree_flatten((args, kwargs))
                metas = [leaf for leaf in leaves if is_meta(leaf)]
                if metas and sum(t.numel() for t in metas) <= SMALL_OP_ELEMENTS:
                    grad = torch.is_grad_enabled() and any(t.requires_grad for t in metas)
                    cpu_args, cpu_kwargs = tree_map(
                        lambda v: torch.ones(v.shape, dtype=v.dtype, device="cpu") if is_meta(v) else v, (args, kwargs)
                    )
                    with torch.no_grad():
                        result = func(*cpu_args, **cpu_kwargs)

                    def to_meta(value: Any) -> Any:
                        if not isinstance(value, torch.Tensor):
                            return value
                        out = torch.empty(value.shape, dtype=value.dtype, device="meta")
                        return out.requires_grad_(grad and out.is_floating_point())

                    return tree_map(to_meta, result)
            return func(*args, **kwargs)

    return SmallOpsOnCPU()


_BUILDING = threading.local()
"""Set in the one thread that is building: the patches below only act there."""


def _building() -> bool:
    return getattr(_BUILDING, "active", False)


class _WhileBuilding:
    """A class attribute that reads ``during`` in the building thread and ``otherwise`` elsewhere."""

    def __init__(self, during: Any, otherwise: Any) -> None:
        self.during, self.otherwise = during, otherwise

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self.during if _building() else self.otherwise


@contextlib.contextmanager
def meta_build() -> Iterator[None]:
    """Construct modules on the meta device, with SB3's device fallback pinned to meta.

    The patches to SB3 and torch classes are visible to the building thread only: a model
    training in another thread of the same process keeps its own device and validation.
    """
    import torch
    from stable_baselines3.common.policies import BaseModel
    from torch.distributions import Distribution

    meta = torch.device("meta")
    with _LOCK:
        device = BaseModel.__dict__["device"]
        validate = Distribution.__dict__["_validate_args"]
        try:
            BaseModel.device = property(lambda self: meta if _building() else device.__get__(self))  # type: ignore[method-assign,assignment]
            # gSDE samples its exploration matrix while building; validating values needs data.
            Distribution._validate_args = _WhileBuilding(False, validate)  # type: ignore[assignment]
            _BUILDING.active = True
            with torch.device(meta), _small_ops_mode():
                yield
        finally:
            _BUILDING.active = False
            BaseModel.device = device  # type: ignore[method-assign]
            Distribution._validate_args = validate
