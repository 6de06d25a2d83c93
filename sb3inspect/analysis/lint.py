"""Lint: net_arch mistakes that SB3 builds without a word, as findings with a code, a level and a fix.

The boundary with ``config.py``: what SB3 refuses to build (negative widths, shared layers before a
mapping, an off-policy mapping without ``qf``) is a ``ConfigError`` there, with the rewrite. What SB3
*builds*, silently or with a one-line warning, but not as the config reads, is a finding here: the
report shows the network SB3 really builds, and the finding says why it looks that way and how to
write what was meant. Behaviour measured on SB3 2.9.2:

- NA001 ``qf-key-on-policy`` (error): PPO-family ``{pi: [...], qf: [...]}``. ``MlpExtractor`` reads
  only ``pi`` and ``vf``, so the value network gets no hidden layers at all.
- NA002 ``ignored-key`` (error): any other key SB3 does not read (``{pi, fv}``, ``lstm``,
  ``activation_fn`` inside net_arch, ``vf`` next to ``pi`` and ``qf`` off-policy).
- NA003 ``missing-key`` (warning): an on-policy mapping without ``pi`` or ``vf``: that network has
  no hidden layers (not SB3's default ``[64, 64]``).
- NA004 ``zero-width`` (error): a width of 0 builds ``Linear(n, 0)``; everything after it sees no
  input and the head can only learn its bias.
- NA005 ``list-wrapped-mapping`` (warning): ``[{pi: [...], vf: [...]}]`` is unwrapped with a
  deprecation warning (shared layers were removed in SB3 1.8); it builds as meant.
- NA006 ``sb2-list-of-mappings`` (error): a list of several mappings (Stable-Baselines 2 style, with
  ``lstm`` entries): SB3 keeps the first mapping and drops the rest (sb3-contrib#172).

Size findings read the built report (``lint_sizes``), whatever the source:

- NA007 ``dominant-layer`` (warning): a Linear right after a Flatten holds most of its network's
  parameters (≥ 90 % and ≥ 2 M): a large image flattened into it (NatureCNN on 210×160 frames puts
  11.5 M of 11.6 M parameters in one Linear).
- NA008 ``narrow-layer`` (warning): a hidden layer of width 1, or narrower than the actions its
  network outputs (a QR-DQN head's n_quantiles × n_actions outputs count as its n_actions): every
  output is computed from that few numbers (with ReLU, a width-1 layer that outputs 0 passes no
  gradient at all).
- NA009 ``linear-activation`` (warning): ``activation_fn`` is a layer with no non-linearity
  (``Dropout``, ``AlphaDropout``, ``Flatten``, ``Identity``) between hidden layers: SB3 builds and
  trains it (SB3#1666), but the hidden layers compute a linear function of the features.
- NA010 ``unnormalized-action-box`` (warning): a Gaussian policy that clips its samples (PPO, A2C,
  TRPO, RecurrentPPO without squashing) on a Box action space other than [-1, 1], which SB3's
  ``check_env`` warns about, when it matters: the Gaussian starts near 0 with std exp(log_std_init), so
  bounds such as [0, 1] clip 66 % of the first samples (≥ 5 %), and bounds such as [-100, 100] are
  barely explored (± 2 std cover < 25 % of the range); Pendulum's [-2, 2] is not flagged.

Pure functions on plain values: no torch, usable on configs and on a live model's ``policy_kwargs``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from sb3inspect.catalog import LAYER_ACTIVATIONS, net_arch_keys
from sb3inspect.errors import did_you_mean
from sb3inspect.report.model import Finding, Network, PolicyReport
from sb3inspect.sources.spaces import box_bounds

ON_POLICY = "on_policy"
ERROR = "error"
WARNING = "warning"

CODES: dict[str, tuple[str, str]] = {
    "NA001": ("qf-key-on-policy", ERROR),
    "NA002": ("ignored-key", ERROR),
    "NA003": ("missing-key", WARNING),
    "NA004": ("zero-width", ERROR),
    "NA005": ("list-wrapped-mapping", WARNING),
    "NA006": ("sb2-list-of-mappings", ERROR),
    "NA007": ("dominant-layer", WARNING),
    "NA008": ("narrow-layer", WARNING),
    "NA009": ("linear-activation", WARNING),
    "NA010": ("unnormalized-action-box", WARNING),
}
"""Code -> (name, level): the lint rules, documented in this module's docstring."""


def lint_net_arch(
    value: Any, *, algo: str, family: str, where: str = "net_arch", python: bool = False
) -> tuple[Finding, ...]:
    """Findings about ``value``, a net_arch as written for ``algo`` (of ``family``: on_policy, off_policy, ars).

    ``python`` writes the fixes as Python (``net_arch=dict(pi=[64], vf=[64])``) instead of YAML.
    Values SB3 cannot build at all are left to the config validation; anything unexpected is ignored.
    """
    lint = _Lint(algo, family, python)
    if isinstance(value, Mapping):
        lint.mapping(value, where)
    elif isinstance(value, (list, tuple)):
        if value and isinstance(value[0], Mapping) and family == ON_POLICY:
            lint.list_of_mappings(list(value), where)
        else:
            lint.widths(value, where)
    return tuple(lint.findings)


def finding(code: str, where: str, message: str, fix: str) -> Finding:
    """The finding of one code (``NA007``), its name and level from ``CODES``."""
    name, level = CODES[code]
    return Finding(code=code, name=name, level=level, where=where, message=message, fix=fix)


class _Lint:
    """Collects findings; one method per shape of net_arch."""

    def __init__(self, algo: str, family: str, python: bool) -> None:
        self.algo = algo
        self.on_policy = family == ON_POLICY
        self.keys = net_arch_keys(family)
        self.python = python
        self.findings: list[Finding] = []

    def add(self, code: str, where: str, message: str, fix: str) -> None:
        self.findings.append(finding(code, where, message, fix))

    def write(self, value: Any, key: str = "net_arch") -> str:
        """``net_arch: {pi: [64], vf: [64]}`` (YAML) or ``net_arch=dict(pi=[64], vf=[64])`` (Python)."""
        return key + ("=" if self.python else ": ") + _literal(value, self.python)

    def mapping(self, value: Mapping[str, Any], where: str, *, report_missing: bool = True) -> None:
        ignored = [key for key in value if key not in self.keys]
        for key in ignored:
            self.ignored_key(value, key, where)
        if self.on_policy and report_missing and not ignored:
            for key in self.keys:
                if key not in value:
                    self.missing_key(value, key, where)
        for key in self.keys:
            widths = value.get(key)
            if isinstance(widths, (list, tuple)):
                self.widths(widths, f"{where}.{key}", whole=value, key=key)

    def ignored_key(self, value: Mapping[str, Any], key: str, where: str) -> None:
        at = f"{where}.{key}"
        read = " and ".join(f"'{k}'" for k in self.keys)
        if self.on_policy and key == "qf" and "vf" not in value:
            renamed = {("vf" if k == "qf" else k): v for k, v in value.items()}
            self.add(
                "NA001",
                at,
                f"{self.algo} has a value network 'vf', not q-networks: SB3 ignores 'qf' and builds vf with no hidden "
                "layers, so the value head reads the features directly (a linear value function)",
                f"rename qf to vf: {self.write(renamed)}",
            )
            return
        hint = _KEY_HINTS.get(str(key))
        target = _closest(str(key), self.keys)
        if hint is None and target is not None and target not in value:
            renamed = {(target if k == key else k): v for k, v in value.items()}
            fix = f"did you mean '{target}'? {self.write(renamed)}"
        else:
            kept = {k: v for k, v in value.items() if k != key}
            fix = (hint + "; " if hint else "") + f"remove '{key}': {self.write(kept)}"
        self.add("NA002", at, f"SB3 reads only {read} from a net_arch mapping and ignores '{key}'", fix)

    def missing_key(self, value: Mapping[str, Any], key: str, where: str) -> None:
        role = {"pi": "policy", "vf": "value"}[key]
        given = value.get("pi" if key == "vf" else "vf") or [64, 64]
        filled = _in_order({**value, key: list(given)}, self.keys)
        empty = _in_order({**value, key: []}, self.keys)
        self.add(
            "NA003",
            where,
            f"no '{key}': SB3 builds the {role} network {key} with no hidden layers (not the default [64, 64]); "
            f"its head reads the features directly",
            f"give {key} its widths, e.g. {self.write(filled)}; or write {self.write([], key)} to say no hidden "
            f"layers is meant: {self.write(empty)}",
        )

    def widths(
        self, widths: Sequence[Any], where: str, *, whole: Mapping[str, Any] | None = None, key: str = ""
    ) -> None:
        """NA004 for the first 0 in ``widths`` (``whole[key]`` when the widths sit in a mapping)."""
        zeros = [i for i, w in enumerate(widths) if isinstance(w, int) and not isinstance(w, bool) and w == 0]
        if not zeros:
            return
        kept = [w for w in widths if not (isinstance(w, int) and w == 0)]
        fixed = kept if whole is None else {**whole, key: kept}
        self.add(
            "NA004",
            f"{where}[{zeros[0]}]",
            "a layer of width 0: SB3 builds a Linear layer with 0 outputs, so everything after it sees no input "
            "and the head can only learn its bias",
            f"remove the 0: {self.write(fixed)}",
        )

    def list_of_mappings(self, value: list[Any], where: str) -> None:
        first = value[0]
        if len(value) == 1:
            self.add(
                "NA005",
                where,
                "a list around one mapping is the pre-1.8 format for shared layers, which SB3 removed: SB3 unwraps it "
                "with a warning and builds the mapping",
                f"drop the list: {self.write(first)}",
            )
            self.mapping(first, f"{where}[0]")
            return
        dropped = _literal(value[1:], self.python)
        self.add(
            "NA006",
            where,
            f"SB3 keeps only the first mapping of a list ({_literal(first, self.python)}) and drops the rest "
            f"({dropped}): Stable-Baselines 2 read such a list as layers in sequence, SB3 does not "
            "(sb3-contrib#172)",
            self.sb2_rewrite(value),
        )
        self.mapping(first, f"{where}[0]", report_missing=False)

    def sb2_rewrite(self, value: list[Any]) -> str:
        """One mapping with every network's widths in order; an LSTM entry becomes lstm_hidden_size."""
        lstm_at = next(
            (i for i, item in enumerate(value) if item == "lstm" or (isinstance(item, Mapping) and "lstm" in item)),
            None,
        )
        after = value if lstm_at is None else value[lstm_at + 1 :]
        merged: dict[str, list[Any]] = {}
        for item in after:
            if isinstance(item, Mapping):
                for key in self.keys:
                    if isinstance(item.get(key), (list, tuple)):
                        merged.setdefault(key, []).extend(item[key])
        fix = f"write one mapping: {self.write(merged)}"
        if lstm_at is not None:
            size = value[lstm_at].get("lstm") if isinstance(value[lstm_at], Mapping) else None
            lstm = self.write(size, "lstm_hidden_size") if isinstance(size, int) else "lstm_hidden_size"
            algo = "" if self.algo == "RecurrentPPO" else " with RecurrentPPO"
            fix += (
                f"{algo} and {lstm}: its LSTM comes after the features extractor and before net_arch, "
                "so layers before the LSTM need a custom features_extractor_class"
            )
        return fix


_KEY_HINTS = {
    "lstm": "the LSTM is RecurrentPPO's policy keyword lstm_hidden_size (and n_lstm_layers), not part of net_arch",
    "activation_fn": "activation_fn is a policy keyword of its own, next to net_arch",
    "shared": "shared layers were removed in SB3 1.8; a shared features extractor is the way to share now",
}


def _in_order(value: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The network keys first, in SB3's order (pi, then vf or qf), then anything else."""
    return {**{k: value[k] for k in keys if k in value}, **{k: v for k, v in value.items() if k not in keys}}


def _closest(key: str, keys: Sequence[str]) -> str | None:
    """The network key ``key`` most likely meant: a did-you-mean, a swapped pair of letters or a role name."""
    match = did_you_mean(key, keys)
    if match is not None:
        return match
    word = key.strip().lower()
    for candidate in keys:
        if sorted(word) == sorted(candidate):
            return candidate
    if word in ("policy", "actor", "p"):
        return "pi"
    if word in ("vf", "qf", "value", "critic", "q", "v", "q_net"):
        return keys[1]
    return None


def _literal(value: Any, python: bool) -> str:
    """A net_arch value as a user writes it: ``{pi: [64], vf: [64]}`` or ``dict(pi=[64], vf=[64])``."""
    if isinstance(value, Mapping):
        if python:
            if all(isinstance(k, str) and k.isidentifier() for k in value):
                return "dict(" + ", ".join(f"{k}={_literal(v, python)}" for k, v in value.items()) + ")"
            return "{" + ", ".join(f"{k!r}: {_literal(v, python)}" for k, v in value.items()) + "}"
        return "{" + ", ".join(f"{k}: {_literal(v, python)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v, python) for v in value) + "]"
    if isinstance(value, type):
        return value.__name__
    return repr(value) if python and isinstance(value, str) else str(value)


DOMINANT_SHARE = 0.9
"""NA007: the share of its network's parameters one Linear after a Flatten must hold."""
DOMINANT_PARAMS = 2_000_000
"""NA007: and its size; NatureCNN on 84×84 Atari frames (1.6 M in its Linear, by design) stays below."""
RELU_LIKE = frozenset({"ReLU", "ReLU6", "Hardtanh", "Hardsigmoid", "Hardswish"})
"""Activations that output a constant (and pass no gradient) over half their input range."""
LINEAR_ACTIVATIONS = frozenset({*LAYER_ACTIVATIONS, "Identity"})
"""activation_fn values that leave SB3's MLP linear: layers that are no function of the input's shape
(``catalog.LAYER_ACTIVATIONS``) and ``Identity``."""


def lint_sizes(report: PolicyReport) -> tuple[Finding, ...]:
    """NA007, NA008 and NA009 on the networks a report holds (targets left out: they copy the online ones)."""
    findings: list[Finding] = []
    seen: set[str] = set()
    where = ""  # the same finding whatever the source (a config, its saved model, the live model)
    for network in report.networks:
        if network.target or network.role == "other":
            continue
        findings += _dominant(network, where, seen)
    findings += _narrow(report, where)
    findings += _linear(report, where)
    findings += _action_box(report, where)
    return tuple(findings)


CLIPPED_SHARE = 0.05
"""NA010: the share of clipped first samples from which a Box is flagged ([0, 1] clips 66 %, [-2, 2] 5 %)."""
COVERED_SHARE = 0.25
"""NA010: or the share of the widest range the first samples' ± 2 std cover below which it is ([-100, 100]: 2 %)."""


def _action_box(report: PolicyReport, where: str) -> list[Finding]:
    """NA010: a clipped Gaussian on a Box other than [-1, 1], with the share of first samples that is clipped."""
    dist = report.action_distribution
    if dist is None or dist.kind != "gaussian" or dist.bounds != "clip" or report.action_space.get("type") != "Box":
        return []
    size = math.prod(report.action_space.get("shape") or ())
    low, high = _per_element(report.action_space.get("low"), size), _per_element(report.action_space.get("high"), size)
    if not low or not high or (set(low) == {-1.0} and set(high) == {1.0}):
        return []
    init = (dist.log_std or {}).get("init")
    std = math.exp(init) if isinstance(init, (int, float)) else 1.0
    normal = statistics.NormalDist(0.0, std)
    clipped = sum(normal.cdf(lo) + 1 - normal.cdf(hi) for lo, hi in zip(low, high, strict=True)) / size
    covered = min(1.0, 4 * std / max(hi - lo for lo, hi in zip(low, high, strict=True)))
    if clipped >= CLIPPED_SHARE:
        effect = f"{100 * clipped:.0f} % of the first samples are clipped to a bound (the env gets the bound itself)"
    elif covered < COVERED_SHARE:
        effect = f"its first samples (± 2 std) cover {100 * covered:.0f} % of the widest range"
    else:
        return []  # Pendulum's [-2, 2]: 5 % clipped, the whole range explored
    return [
        finding(
            "NA010",
            f"{where}action_space",
            f"the Gaussian's samples are clipped to {box_bounds(report.action_space) or 'the Box bounds'}, not "
            f"[-1, 1]: it starts with a mean near 0 and std {std:.3g} (log_std_init), so {effect}; SB3's check_env "
            "warns about such a Box",
            "rescale the action space to [-1, 1] and the actions inside the env (gymnasium.wrappers.RescaleAction), "
            "or use SAC/TD3, which rescale a tanh output to any bounds",
        )
    ]


def _per_element(value: Any, size: int) -> list[float] | None:
    """A bound as one float per element (a uniform number repeated), or None when missing."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)] * size
    if isinstance(value, (list, tuple)) and len(value) == size:
        return [float(v) for v in value]
    return None


def _linear(report: PolicyReport, where: str) -> list[Finding]:
    """NA009: the MLP's activation is no non-linearity, and some network has hidden layers for it to sit between."""
    activation = report.activation_fn
    if activation not in LINEAR_ACTIVATIONS or "mlp_extractor" in report.custom:
        return []
    names = [n.name for n in report.networks if not n.target and n.role != "other" and n.hidden_sizes]
    if not names:
        return []  # no hidden layer: activation_fn is not used at all
    noise = (
        f"; {activation} only adds noise in train() (rollouts and predict() run in eval mode, where it is off)"
        if "Dropout" in activation
        else ""
    )
    return [
        finding(
            "NA009",
            f"{where}policy_kwargs.activation_fn",
            f"{activation} is no non-linearity: SB3 puts it where the activation goes, so the hidden layers "
            f"of {' and '.join(names)} compute a linear function of the features (as one Linear would){noise}",
            fix="an activation (ReLU, Tanh, ...); for dropout after the activation, a custom mlp_extractor "
            "(subclass ActorCriticPolicy, override _build_mlp_extractor) or features extractor",
        )
    ]


def _dominant(network: Network, where: str, seen: set[str]) -> list[Finding]:
    found = []
    previous = None
    for layer in network.layers:
        if (
            layer.type == "Linear"
            and previous is not None
            and previous.type == "Flatten"
            and layer.path not in seen
            and layer.params >= DOMINANT_PARAMS
            and layer.params >= DOMINANT_SHARE * network.params
        ):
            seen.add(layer.path)
            source = previous.input_shape
            flat = (
                f"the {'×'.join(map(str, source))} map flattened" if source and len(source) > 1 else "a flattened input"
            )
            found.append(
                finding(
                    "NA007",
                    f"{where}{network.name}: {layer.path}",
                    f"a Linear of {layer.in_features:,} → {layer.out_features:,} holds {layer.params:,} of "
                    f"{network.name}'s {network.params:,} parameters ({100 * layer.params / network.params:.1f} %): "
                    f"it reads {flat}",
                    "downscale the observation (NatureCNN was made for 84×84 frames), or use a features extractor "
                    "that pools before its Linear (features_extractor_class)",
                )
            )
        if layer.params or layer.type == "Flatten":
            previous = layer
    return found


def _narrow(report: PolicyReport, where: str) -> list[Finding]:
    """One finding per distinct problem; networks with the same hidden sizes share it."""
    dist = report.action_distribution
    outputs = dist.width if dist else None
    if dist is not None and dist.kind == "quantile_greedy" and len(dist.splits) == 2:
        outputs = dist.splits[1]  # n_quantiles × n_actions outputs, but only n_actions values to choose between
    activation = report.activation_fn or ""
    groups: dict[tuple[int, int, int | None], list[str]] = {}
    for network in report.networks:
        if network.target or network.role == "other":
            continue
        limit = outputs if network.role in ("policy", "actor", "q_value", "quantile") else None
        sizes = list(network.hidden_sizes)
        index = next((i for i, width in enumerate(sizes) if width == 1), None)
        if index is None and limit is not None:
            index = next((i for i, width in enumerate(sizes) if 0 < width < limit), None)
        if index is not None:
            width = sizes[index]
            groups.setdefault((index, width, limit if width != 1 else None), []).append(network.name)
    found = []
    for (index, width, limit), names in groups.items():
        nets = " and ".join(names)
        if width == 1:
            message = f"hidden layer {index + 1} of {nets} has width 1: everything after it is computed from one number"
            if activation in RELU_LIKE:
                message += f"; with {activation}, whenever that number is clipped to 0 no gradient flows back at all"
        else:
            message = (
                f"hidden layer {index + 1} of {nets} has width {width}, narrower than the {limit} outputs it feeds: "
                f"they can only vary in {width} direction{'s' if width > 1 else ''}"
            )
        found.append(
            finding(
                "NA008",
                f"{where}policy_kwargs.net_arch",
                message,
                (f"make it at least {limit} wide" if width != 1 else "give it more units")
                + (" (SB3's default hidden layers are 64 wide: net_arch: [64, 64])" if (limit or 0) <= 64 else ""),
            )
        )
    return found
