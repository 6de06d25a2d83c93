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

One more is about speed, not correctness. The meta kernels of elementwise ops (and of ``linear``
with a bias) are Python decompositions whose first call imports ``torch._dynamo`` (~1 s): SB3 runs
a few such ops while building (``th.ones(n) * log_std_init`` for ``log_std``, NatureCNN's forward
pass that measures its flatten size, gSDE sampling its exploration matrix). ``SmallOpsOnCPU`` skips
random fills of meta tensors (they hold no data to fill), answers ``zeros_like`` & co. from shape
and dtype, and runs those few computations on CPU stand-ins of the same shape and dtype, handing
back meta tensors of the result's shape: the same shapes, no import. Each such op has a rule for
the size of its output, checked before anything is allocated, so a stand-in computation never takes
more than ``SMALL_OP_BYTES``. Everything else (an op not on the list, or a large one) runs on meta
as usual. Convolutions are answered from their output-shape formula: their meta kernel imports
``torch.fx``'s symbolic shapes (~0.5 s).
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
from collections.abc import Callable, Iterator
from typing import Any

_LOCK = threading.RLock()


class RecordingOptimizer:
    """Takes an optimizer's place during a meta build and remembers its parameters and keywords.

    Like a torch optimizer, each of its ``param_groups`` holds the parameters and the keywords the
    group would train with (``lr`` from the schedule, ``optimizer_kwargs``), and it refuses an empty
    parameter list (SB3's critic with ``n_critics: 0``).
    """

    def __init__(self, params: Any, *args: Any, **kwargs: Any) -> None:
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")  # torch.optim.Optimizer's own check
        if groups and isinstance(groups[0], dict):
            self.param_groups = [{**kwargs, **group, "params": list(group["params"])} for group in groups]
        else:
            self.param_groups = [{**kwargs, "params": groups}]

    def zero_grad(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never trained
        pass


class _StandsFor(type):
    """The metaclass of a recording stand-in: the class compares equal to the optimizer it stands for, so SB3's
    own tests of ``optimizer_class`` (``if optimizer_class == th.optim.Adam: optimizer_kwargs["eps"] = 1e-5``)
    see the real class and set what they set for it."""

    real: type

    def __eq__(cls, other: object) -> bool:
        return other is cls.real or type.__eq__(cls, other) is True

    def __hash__(cls) -> int:
        return hash(cls.real)


@functools.cache
def recording_class(real: type) -> type:
    """A stand-in class for the optimizer class ``real``: records like ``RecordingOptimizer``, compares equal to
    ``real``, and carries it as ``real``. It bears ``real``'s name and module, so whatever Python or SB3 says
    about it (``torch.optim.adam.Adam() got multiple values for keyword argument 'lr'``) names the class the
    user chose, not the stand-in."""
    names = {"__module__": real.__module__, "__qualname__": real.__qualname__}
    stand_in: type = _StandsFor(real.__name__, (RecordingOptimizer,), {"real": real, **names})
    return stand_in


SMALL_OP_BYTES = 16 << 20
"""The most one stand-in computation may allocate on CPU (16 MB): its inputs at their own dtypes,
its output at 16 bytes an element (complex128, the widest dtype, so the bound holds before the
output's dtype is known). Past this an op runs on meta as usual."""


_WIDEST_ELEMENT = 16
"""Bytes an element of complex128 takes, the widest dtype."""

_ELEMENTWISE = (
    "add", "sub", "mul", "div", "true_divide", "pow", "neg", "exp", "log", "sqrt", "rsqrt", "abs", "sign", "clamp",
    "clip", "tanh", "sigmoid", "relu", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__neg__",
)  # fmt: skip
"""Elementwise ops of ``torch`` and ``torch.Tensor`` SB3 runs while building: the output is the inputs' broadcast."""

_ACTIVATIONS = (
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "tanh", "sigmoid", "hardtanh",
    "hardswish", "hardsigmoid", "softplus", "softsign", "logsigmoid", "tanhshrink",
)  # fmt: skip
"""Elementwise ``torch.nn.functional`` activations (a features extractor's forward pass runs them)."""

_JOINS = ("cat", "stack")
"""``torch.cat`` and ``torch.stack``: the output holds the inputs together (CombinedExtractor, MultiDiscrete one-hots)."""


_FILLS = (
    "normal_", "uniform_", "fill_", "zero_", "exponential_", "bernoulli_", "random_", "cauchy_", "log_normal_",
    "geometric_",
)  # fmt: skip
"""In-place fills: on a meta tensor they change nothing but cost a Python decomposition."""


_LIKES = ("zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like")
"""``torch.*_like`` of a meta tensor: only its shape and dtype matter."""


OutputSize = Callable[[tuple[Any, ...], dict[str, Any], list[Any]], int | None]
"""(args, kwargs, every tensor among them) -> how many elements the op returns, None if unknown."""


def _broadcast_size(args: tuple[Any, ...], kwargs: dict[str, Any], tensors: list[Any]) -> int | None:
    """At most the largest size along each dimension, multiplied: the broadcast's size when the shapes broadcast.

    (``torch.broadcast_shapes`` would import ``torch.fx``'s symbolic shapes: the cost this mode avoids.)
    """
    rank = max(t.dim() for t in tensors)
    padded = [(1,) * (rank - t.dim()) + tuple(t.shape) for t in tensors]
    return int(math.prod(max(sizes) for sizes in zip(*padded, strict=True)))


def _joined_size(args: tuple[Any, ...], kwargs: dict[str, Any], tensors: list[Any]) -> int | None:
    return sum(int(t.numel()) for t in tensors)


def _linear_size(args: tuple[Any, ...], kwargs: dict[str, Any], tensors: list[Any]) -> int | None:
    """``linear(input, weight, bias=None)``: ``input``'s leading dimensions times ``weight``'s rows."""
    given = dict(zip(("input", "weight"), args[:2], strict=False)) | kwargs
    input, weight = given.get("input"), given.get("weight")
    if input is None or weight is None or weight.dim() != 2:
        return None
    return int(math.prod(input.shape[:-1])) * int(weight.shape[0])


@functools.cache
def _output_sizes() -> dict[Any, OutputSize]:
    """The functions ``SmallOpsOnCPU`` may run on CPU stand-ins, each with the size of its output.

    Only pure, out-of-place computations SB3 runs while building whose meta kernel imports
    ``torch._dynamo``; anything else gains nothing from a CPU stand-in.
    """
    import torch
    import torch.nn.functional as F

    sizes: dict[Any, OutputSize] = {}
    for owner in (torch, torch.Tensor):
        for name in _ELEMENTWISE:
            if (func := getattr(owner, name, None)) is not None:
                sizes[func] = _broadcast_size
        for name in _JOINS:
            if (func := getattr(owner, name, None)) is not None:
                sizes[func] = _joined_size
    for name in _ACTIVATIONS:
        sizes[getattr(F, name)] = _broadcast_size
    sizes[F.linear] = _linear_size
    return sizes


def _conv_shape(
    dims: int,
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> tuple[int, ...] | None:
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
    for size, kernel, pad, step, dil in zip(
        input.shape[-dims:], weight.shape[2:], per_dim(padding), per_dim(stride), per_dim(dilation), strict=True
    ):
        out = (size + 2 * pad - dil * (kernel - 1) - 1) // step + 1
        if out < 1:
            return None
        sizes.append(out)
    return (*input.shape[: -dims - 1], weight.shape[0], *sizes)


def _small_ops_mode() -> Any:
    """A fresh ``SmallOpsOnCPU`` torch-function mode (see the module docstring)."""
    return _small_ops_class()()


@functools.cache
def _small_ops_class() -> type:
    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._pytree import tree_flatten, tree_map

    output_sizes = _output_sizes()
    one_hot = torch.nn.functional.one_hot
    convs = {torch.nn.functional.conv1d: 1, torch.nn.functional.conv2d: 2, torch.nn.functional.conv3d: 3}
    fills = frozenset(getattr(torch.Tensor, name) for name in _FILLS)
    likes = frozenset(getattr(torch, name) for name in _LIKES)

    def is_meta(value: Any) -> bool:
        return isinstance(value, torch.Tensor) and value.is_meta

    def fits(size: int | None, metas: list[Any]) -> bool:
        """Whether the stand-ins for ``metas`` and an output of ``size`` elements stay within the bound."""
        if size is None:
            return False
        stand_ins = sum(int(t.numel()) * int(t.element_size()) for t in metas)
        return stand_ins + size * _WIDEST_ELEMENT <= SMALL_OP_BYTES

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
                if shape is not None:  # torch's meta kernel imports torch.fx's symbolic shapes (~0.5 s)
                    return torch.empty(shape, dtype=args[0].dtype, device="meta")
            if func in likes and args and is_meta(args[0]) and kwargs.get("device") in (None, "meta"):
                like = args[0]
                return torch.empty(
                    like.shape,
                    dtype=kwargs.get("dtype") or like.dtype,
                    device="meta",
                    requires_grad=bool(kwargs.get("requires_grad", False)),
                )
            output_size = output_sizes.get(func)
            if output_size is not None and not kwargs.get("inplace") and "out" not in kwargs:
                tensors = [leaf for leaf in tree_flatten((args, kwargs))[0] if isinstance(leaf, torch.Tensor)]
                metas = [t for t in tensors if t.is_meta]
                if metas and fits(output_size(args, kwargs, tensors), metas):
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

    return SmallOpsOnCPU


_BUILDING = threading.local()
"""``depth``: how many ``meta_build`` blocks this thread is inside. The patches below act where it is not 0."""


def _building() -> bool:
    return getattr(_BUILDING, "depth", 0) > 0


class _WhileBuilding:
    """A class attribute that reads ``during`` in the building thread and ``otherwise`` elsewhere."""

    def __init__(self, during: Any, otherwise: Any) -> None:
        self.during, self.otherwise = during, otherwise

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self.during if _building() else self.otherwise


MAX_MODULES = 5_000
"""Modules one build may make: an SB3 policy has tens (a TQC with 10 critics of 3 layers, about 150); 300
critics of 300 layers would be 90,000, minutes of Python before a report."""


class TooManyModules(RuntimeError):
    """A build past ``MAX_MODULES``: stopped as it makes one more module."""


def _count_module(module: Any, name: str, submodule: Any) -> None:
    """torch's global hook on every child module registered: counts this thread's build and stops it past the cap."""
    if not _building():
        return
    _BUILDING.modules = getattr(_BUILDING, "modules", 0) + 1
    if _BUILDING.modules > MAX_MODULES:
        raise TooManyModules(
            f"it makes more than {MAX_MODULES:,} modules (an SB3 policy has tens): fewer critics or layers"
        )


@contextlib.contextmanager
def meta_build() -> Iterator[None]:
    """Construct modules on the meta device, with SB3's device fallback pinned to meta.

    The patches to SB3 and torch classes are visible to the building thread only: a model
    training in another thread of the same process keeps its own device and validation. Builds
    nest: the outermost one patches and unpatches; every level makes meta the default device.
    """
    import torch

    with _LOCK, _patched(), torch.device("meta"), _small_ops_mode():
        yield


@contextlib.contextmanager
def _patched() -> Iterator[None]:
    """Count this thread's builds; patch SB3 and torch classes on the outermost enter, restore on its exit."""
    from stable_baselines3.common.policies import BaseModel
    from torch.distributions import Distribution

    depth = getattr(_BUILDING, "depth", 0)
    outermost = depth == 0
    if outermost:
        import torch

        meta = torch.device("meta")
        device = BaseModel.__dict__["device"]
        validate = Distribution.__dict__["_validate_args"]
        BaseModel.device = property(lambda self: meta if _building() else device.__get__(self))  # type: ignore[method-assign,assignment]
        # gSDE samples its exploration matrix while building; validating values needs data.
        Distribution._validate_args = _WhileBuilding(False, validate)  # type: ignore[assignment]
        counting = torch.nn.modules.module.register_module_module_registration_hook(_count_module)
        _BUILDING.modules = 0
    _BUILDING.depth = depth + 1
    try:
        yield
    finally:
        _BUILDING.depth = depth
        if outermost:
            counting.remove()
            BaseModel.device = device  # type: ignore[method-assign]
            Distribution._validate_args = validate
