"""Checks: does a policy hold what a training script or CI expects? Pure functions on reports.

``sb3inspect.check_net_arch(obj, pi=..., vf=..., qf=..., max_params=...)`` (in ``api``) is the
training-script form of ``require`` (it raises ``NetArchMismatch``, an ``AssertionError``);
``sb3inspect check`` runs ``problems`` over many sources. Expectations name networks the way net_arch does:

- ``pi``: the policy network ``pi`` (PPO, A2C, TRPO, MaskablePPO, RecurrentPPO, ARS) or the
  ``actor`` of SAC, TD3, DDPG, TQC and CrossQ: ``net_arch["pi"]`` builds both.
- ``vf``: the value network ``vf`` of actor-critic (on-policy) algorithms.
- ``qf``: what ``net_arch["qf"]`` (or DQN's list) builds: the ``critic`` of off-policy actor-critics
  (every q-network in it has these widths), DQN's ``q_net``, QR-DQN's ``quantile_net``.

A network's widths are its ``hidden_sizes``: the hidden layers net_arch built, without the features
extractor and the output head. Target networks are copies and are not checked separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, NetArchMismatch, suggestion
from sb3inspect.report.model import Finding, PolicyReport


def require(
    report: PolicyReport, *, expect: Mapping[str, Sequence[int]], max_params: int | None, strict: bool
) -> PolicyReport:
    """``report`` when every expectation holds; else ``NetArchMismatch`` listing the ``problems``."""
    found = problems(report, expect=expect, max_params=max_params, strict=strict)
    if found:
        raise NetArchMismatch(mismatch_message(report, found), problems=found, report=report)
    return report


def net_arch_expectations(
    *,
    pi: Sequence[int] | None,
    vf: Sequence[int] | None,
    qf: Sequence[int] | None,
    networks: Mapping[str, Sequence[int] | None],
    where: str,
) -> dict[str, list[int]]:
    """The ``pi`` / ``vf`` / ``qf`` keywords and the networks named (``critic=[256, 256]``) that were given,
    validated (``None`` expects nothing): ``check_net_arch``'s and ``ArchitectureCallback``'s keywords."""
    named = (("pi", pi), ("vf", vf), ("qf", qf), *networks.items())
    return parse_expectations({name: widths for name, widths in named if widths is not None}, where=where)


def parse_expectations(expect: Mapping[str, Any], *, where: str) -> dict[str, list[int]]:
    """Validated ``{name: widths}``: known network names, lists of whole numbers of at least 0."""
    out: dict[str, list[int]] = {}
    for name, widths in expect.items():
        if name not in catalog.EXPECT_ALIASES and name not in catalog.NETWORK_NAMES:
            others = [n for n in catalog.NETWORK_NAMES if n not in catalog.EXPECT_ALIASES]
            hint = (
                suggestion(name, [*catalog.EXPECT_ALIASES, *others])
                or f"use pi, vf, qf or a network name: {', '.join(others)}"
            )
            raise ConfigError(where, f"unknown network {name!r}", hint=hint)
        if (
            isinstance(widths, (str, bytes))
            or not isinstance(widths, Sequence)
            or not all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in widths)
        ):
            raise ConfigError(where, f"{name}: expected hidden widths such as [64, 64], got {widths!r}")
        out[name] = list(widths)
    return out


def problems(
    report: PolicyReport,
    *,
    expect: Mapping[str, Sequence[int]] | None = None,
    max_params: int | None = None,
    strict: bool = False,
) -> list[str]:
    """Every way ``report`` misses the expectations, one line each (empty: all hold).

    A saved model whose safety verdict is not ``safe`` fails first, whatever else is expected: a file
    that would run code when loaded (``UNSAFE``), or whose pickles could not all be read (``UNKNOWN``).
    """
    found = [f"{level} {text}" for level, text in safety_problems(report)]
    found += [_width_problem(report, name, list(widths)) for name, widths in (expect or {}).items()]
    if max_params is not None and report.totals.params > max_params:
        found.append(
            f"params: {report.totals.params:,} is over max_params {max_params:,} "
            f"({report.totals.trainable_params:,} trainable)"
        )
    found += [finding_line(finding) for finding in report.findings if finding.level == "error" or strict]
    return [problem for problem in found if problem]


def safety_problems(report: PolicyReport) -> list[tuple[str, str]]:
    """A saved model's safety findings: (``UNSAFE`` or ``UNKNOWN``, ``where: what``)."""
    safety = report.safety or {}
    return [
        ("UNSAFE" if item.get("kind", "unsafe") == "unsafe" else "UNKNOWN", f"{item['where']}: {item['what']}")
        for item in safety.get("findings", ())
    ]


def finding_line(finding: Finding) -> str:
    """A lint finding on one line: ``error NA001 qf-key-on-policy at <where>: <message>; fix: <fix>``."""
    return f"{finding.level} {finding.code} {finding.name} at {finding.where}: {finding.message}; fix: {finding.fix}"


def network_for(report: PolicyReport, name: str) -> Any:
    """The network an expectation name checks (``pi`` -> ``pi`` or ``actor``, ...), or None."""
    by_name = {network.name: network for network in report.networks}
    return next((by_name[n] for n in catalog.EXPECT_ALIASES.get(name, (name,)) if n in by_name), None)


def _width_problem(report: PolicyReport, name: str, widths: list[int]) -> str:
    network = network_for(report, name)
    if network is None:
        algo = report.algo or report.policy_class
        return f"{name}: expected {widths}, but {algo} has no such network (it has {', '.join(report.names)}){_alias_hint(report, name)}"
    if list(network.hidden_sizes) == widths:
        return ""
    label = name if network.name == name else f"{name} ({network.name})"
    return f"{label}: expected {widths}, built {list(network.hidden_sizes)}"


def _alias_hint(report: PolicyReport, name: str) -> str:
    """Which expectation name the user likely meant."""
    names = set(report.names)
    if name == "vf" and names & {"critic", "q_net", "quantile_net"}:
        return "; its critic is checked with qf"
    if name == "qf" and "vf" in names:
        return "; its value network is checked with vf"
    if name == "pi" and names & {"q_net", "quantile_net"}:
        return "; its net_arch builds the q-network: check it with qf"
    return ""


def mismatch_message(report: PolicyReport, found: Sequence[str]) -> str:
    """``<live PPO> (PPO): 2 problems`` and one indented line per problem."""
    what = " · ".join(p for p in (report.algo, report.policy_class) if p)
    header = f"{report.source or 'policy'} ({what}) does not match: {len(found)} problem{'s' if len(found) > 1 else ''}"
    return "\n".join([header, *(f"  {problem}" for problem in found)])
