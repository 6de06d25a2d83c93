"""Two reports side by side: per network, the layers added, removed or resized and the parameter delta.

Layers are matched by their path in ``policy.named_modules()``, in order (``difflib`` over the
paths), so a config and a saved model of the same algorithm line up row for row. Pure data, no torch:
``diff_reports`` compares reports from any source (config, dict, live model, saved zip).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from sb3inspect.report import formats
from sb3inspect.report.frozen import freeze, thaw
from sb3inspect.report.model import Layer, Network, PolicyReport, dumps

ADDED, REMOVED, RESIZED, CHANGED = "added", "removed", "resized", "changed"
SETTINGS_FACT = "settings."
"""The prefix of a fact about a setting that is no layer (``settings.ortho_init``)."""
TRAINING_FACT = "training."
"""The prefix of a fact about a training hyperparameter both configs give (``training.n_steps``)."""
OPTIMIZER_FACT = "optimizers."
"""The prefix of a fact about what an optimizer's param_groups hold (``optimizers.optimizer``: its lr)."""
NOT_ARCHITECTURE = (SETTINGS_FACT, TRAINING_FACT, OPTIMIZER_FACT)
"""Facts listed by diff that do not make two architectures differ."""


@dataclass(frozen=True, slots=True)
class LayerChange:
    """One row that differs: present on one side only, another size, or another type / trainability."""

    path: str
    change: str
    """``added`` (only in B), ``removed`` (only in A), ``resized`` (same type, other sizes) or
    ``changed`` (other type, e.g. Tanh -> ReLU, or trainable -> frozen)."""
    before: Layer | None
    after: Layer | None

    @property
    def params_delta(self) -> int:
        return _params(self.after) - _params(self.before)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "change": self.change,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "params_delta": self.params_delta,
        }


@dataclass(frozen=True, slots=True)
class NetworkDiff:
    """A network of A against the network of the same name in B (None: absent on that side)."""

    name: str
    before: Network | None
    after: Network | None
    changes: tuple[LayerChange, ...]

    @property
    def status(self) -> str:
        """``added``, ``removed``, ``changed`` or ``same``."""
        if self.before is None:
            return ADDED
        if self.after is None:
            return REMOVED
        return CHANGED if self.changes else "same"

    @property
    def params_delta(self) -> int:
        return _params(self.after) - _params(self.before)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "params": [self.before.params if self.before else None, self.after.params if self.after else None],
            "params_delta": self.params_delta,
            "hidden_sizes": [
                list(self.before.hidden_sizes) if self.before else None,
                list(self.after.hidden_sizes) if self.after else None,
            ],
            "changes": [change.to_dict() for change in self.changes],
        }


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """What changes from report A to report B."""

    a: PolicyReport
    b: PolicyReport
    facts: tuple[tuple[str, Any, Any], ...]
    """(fact, value in A, value in B) for the facts that differ: algo, spaces, activation, extractor (frozen values)."""
    networks: tuple[NetworkDiff, ...]

    @property
    def same(self) -> bool:
        """Same facts, same networks, every layer the same: the two build the same architecture.

        Settings that are no layer (``settings.ortho_init``, ``settings.optimizer_kwargs``...), training
        hyperparameters (``training.n_steps``) and optimizer options (``optimizers.optimizer``: the lr) are listed
        among the facts but do not make the architectures differ."""
        return not self.architecture_facts and all(network.status == "same" for network in self.networks)

    @property
    def architecture_facts(self) -> tuple[tuple[str, Any, Any], ...]:
        """The facts that differ, without the settings, hyperparameters and optimizer options that are no layer."""
        return tuple(fact for fact in self.facts if not fact[0].startswith(NOT_ARCHITECTURE))

    @property
    def params_delta(self) -> int:
        return self.b.totals.params - self.a.totals.params

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "a": self.a.source,
            "b": self.b.source,
            "same": self.same,
            "facts": [{"fact": name, "a": thaw(a), "b": thaw(b)} for name, a, b in self.facts],
            "networks": [network.to_dict() for network in self.networks],
            "totals": {
                "params": [self.a.totals.params, self.b.totals.params],
                "params_delta": self.params_delta,
                "trainable_params": [self.a.totals.trainable_params, self.b.totals.trainable_params],
            },
        }
        if self.a.safety is not None or self.b.safety is not None:  # a saved model: would loading it run code?
            out["safety"] = {"a": thaw(self.a.safety), "b": thaw(self.b.safety)}
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent=indent)

    def render(self, fmt: str = "table", **options: Any) -> str:
        """``table`` (plain text) or ``json``."""
        return formats.render("diff", self, fmt, **options)

    def __str__(self) -> str:
        return self.render("table")


def _params(side: Layer | Network | None) -> int:
    """Parameters of one side of a change; an absent side has none."""
    return side.params if side is not None else 0


def diff_reports(a: PolicyReport, b: PolicyReport) -> ReportDiff:
    """Network by network (in A's order, then B's new ones), layer by layer."""
    names = [n.name for n in a.networks] + [n.name for n in b.networks if n.name not in a.names]
    networks = []
    for name in names:
        before = next((n for n in a.networks if n.name == name), None)
        after = next((n for n in b.networks if n.name == name), None)
        networks.append(NetworkDiff(name, before, after, _layer_changes(before, after)))
    return ReportDiff(a=a, b=b, facts=_fact_changes(a, b), networks=tuple(networks))


def _layer_changes(before: Network | None, after: Network | None) -> tuple[LayerChange, ...]:
    rows_a = list(before.layers) if before else []
    rows_b = list(after.layers) if after else []
    paths_a = [layer.path for layer in rows_a]
    paths_b = [layer.path for layer in rows_b]
    changes: list[LayerChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, paths_a, paths_b, autojunk=False).get_opcodes():
        if tag == "equal":
            for old, new in zip(rows_a[i1:i2], rows_b[j1:j2], strict=True):
                kind = _compare(old, new)
                if kind:
                    changes.append(LayerChange(old.path, kind, old, new))
            continue
        changes += [LayerChange(layer.path, REMOVED, layer, None) for layer in rows_a[i1:i2]]
        changes += [LayerChange(layer.path, ADDED, None, layer) for layer in rows_b[j1:j2]]
    return tuple(changes)


_NOT_SIZES = frozenset({"path", "type", "trainable", "shared", "part", "input_shape", "output_shape", "macs"})
"""Layer fields that are not its size: identity, flags (compared on their own) and measurements of the input."""
_SIZES = tuple(field.name for field in fields(Layer) if field.name not in _NOT_SIZES)
"""Every other field of a Layer: a new one is compared without anyone remembering to list it."""


def _compare(old: Layer, new: Layer) -> str | None:
    """How one path's row changed: None when it did not."""
    if old.type != new.type:
        return CHANGED
    if any(getattr(old, name) != getattr(new, name) for name in _SIZES):
        return RESIZED
    if old.trainable != new.trainable:
        return CHANGED
    return None


def _fact_changes(a: PolicyReport, b: PolicyReport) -> tuple[tuple[str, Any, Any], ...]:
    facts: dict[str, Callable[[PolicyReport], Any]] = {
        "algo": lambda r: r.algo,
        "policy_class": lambda r: r.policy_class,
        "observation_space": lambda r: _shape_only(r.observation_space),
        "action_space": lambda r: _shape_only(r.action_space),
        "activation_fn": lambda r: r.activation_fn,
        "features_extractor": lambda r: (
            {k: v for k, v in (r.features_extractor or {}).items() if k != "kwargs"} or None
        ),
    }
    facts["action_distribution"] = _distribution
    if a.settings and b.settings:  # a report from a state dict alone knows no settings: nothing to compare
        for key in dict.fromkeys([*a.settings, *b.settings]):
            facts[f"{SETTINGS_FACT}{key}"] = partial(_setting, key)
    for key in [k for k in a.training if k in b.training]:  # a key one config leaves to its default: unknown here
        facts[f"{TRAINING_FACT}{key}"] = partial(_training, key)
    for name in [o.name for o in a.optimizers if o.name in {p.name for p in b.optimizers}]:
        facts[f"{OPTIMIZER_FACT}{name}"] = partial(_optimizer, name)
    out = []
    for name, get in facts.items():
        value_a, value_b = get(a), get(b)
        if value_a is not None and value_b is not None and value_a != value_b:
            out.append((name, freeze(value_a), freeze(value_b)))
    return tuple(out)


def _distribution(report: PolicyReport) -> Any:
    dist = report.action_distribution
    return {"kind": dist.kind, "distribution": dist.distribution} if dist else None


def _setting(key: str, report: PolicyReport) -> Any:
    return report.settings.get(key)


def _training(key: str, report: PolicyReport) -> Any:
    return report.training.get(key)


def _optimizer(name: str, report: PolicyReport) -> Any:
    """An optimizer's class and the options its param_groups hold (lr, eps...)."""
    optimizer = next(o for o in report.optimizers if o.name == name)
    return {"optimizer": optimizer.type, **optimizer.options}


def _shape_only(space: Any) -> Any:
    """A space spec without what never changes the architecture (Box bounds, Discrete start)."""
    if not isinstance(space, Mapping) or not space:
        return None
    out = {k: v for k, v in space.items() if k not in ("low", "high", "start")}
    if isinstance(out.get("spaces"), Mapping):
        out["spaces"] = {name: _shape_only(sub) for name, sub in out["spaces"].items()}
    return out
