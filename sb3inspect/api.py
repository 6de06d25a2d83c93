"""The Python API: ``summary``, ``check_net_arch`` and ``diff`` take anything a user has at hand.

That is an SB3 algorithm or policy (walked as it is), a config dict (gymnasium spaces and classes
welcome), a ``PolicySpec``, or a path (config, rl-zoo3 file, saved zip). Everything but a live
model is built on the meta device first (``pipeline``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sb3inspect.analysis.checks import net_arch_expectations, require
from sb3inspect.analysis.compare import ReportDiff, diff_reports
from sb3inspect.errors import ConfigError
from sb3inspect.report.model import PolicyReport

# The pipeline (and with it every stage's modules) is imported by the functions that build
# something, so that `import sb3inspect`, `--help` and error paths stay light.


def summary(obj: Any, *, env: str | None = None, algo: str | None = None, allow_imports: bool = False) -> PolicyReport:
    """The report of an SB3 algorithm, a policy, a config dict, a ``PolicySpec`` or a path.

    Live models and policies are walked as they are (their real modules, on their device);
    everything else is built on the meta device first. ``env`` and ``algo`` select an entry of
    an rl-zoo3 hyperparameter file, and replace a config's own (``summary(dict(...), env="CartPole-v1")``
    uses that env's spaces; the report's notes say what was replaced). ``allow_imports=True`` imports the
    env wrappers an rl-zoo3 file or config names by module path (runs their code), as ``--allow-imports``.
    """
    from sb3inspect.pipeline import python_config, summarize_live, summarize_one, summarize_spec
    from sb3inspect.sources.config import Overrides, PolicySpec, spec_from_mapping

    if isinstance(obj, (str, Path)):
        return summarize_one(obj, env=env, algo=algo, allow_imports=allow_imports)
    if isinstance(obj, Mapping):
        data, notes = Overrides(where="summary()").with_keys(env=env, algo=algo).apply(python_config(obj))
        spec = spec_from_mapping(data, source="<dict>", allow_imports=allow_imports)
        return summarize_spec(replace(spec, notes=(*spec.notes, *notes)))
    if env is not None or algo is not None or allow_imports:
        raise ConfigError(
            "summary()",
            f"env=, algo= and allow_imports= choose what a config or an rl-zoo3 file builds, not a {type(obj).__name__}",
            hint="drop them; a model or a report is what it is",
        )
    if isinstance(obj, PolicyReport):
        return obj
    if isinstance(obj, PolicySpec):
        return summarize_spec(obj)
    return summarize_live(obj)


def check_net_arch(
    obj: Any,
    *,
    pi: Sequence[int] | None = None,
    vf: Sequence[int] | None = None,
    qf: Sequence[int] | None = None,
    max_params: int | None = None,
    strict: bool = False,
    **networks: Sequence[int],
) -> PolicyReport:
    """Assert that ``obj`` (a model, policy, config dict or path) builds the hidden layers expected.

    ``pi``, ``vf`` and ``qf`` are hidden widths as in net_arch: ``pi`` checks PPO's ``pi`` or an
    off-policy ``actor``; ``vf`` the on-policy value network; ``qf`` the off-policy ``critic``
    (every q-network), DQN's ``q_net`` or QR-DQN's ``quantile_net``. Any network of the report
    can be named too (``critic=[256, 256]``), as with ``--expect``. ``None`` checks nothing.
    ``max_params`` caps ``report.totals.params`` (every parameter, target networks included).
    Lint findings of level ``error`` always fail; ``strict=True`` fails on warnings too.

    Returns the report when everything holds; raises ``NetArchMismatch`` (an ``AssertionError``)
    whose message lists expected against built otherwise.
    """
    expect = net_arch_expectations(pi=pi, vf=vf, qf=qf, networks=networks, where="check_net_arch")
    return require(summary(obj), expect=expect, max_params=max_params, strict=strict)


def diff(a: Any, b: Any, *, env: str | None = None, algo: str | None = None, allow_imports: bool = False) -> ReportDiff:
    """Compare two things ``summary`` accepts (model, policy, config dict or path): A is before, B after.

    ``env`` selects the entry of the side that is an rl-zoo3 file (the other may be a saved zip);
    ``allow_imports`` is ``summary``'s, for both sides.
    """
    from sb3inspect.pipeline import diff_envs

    env_a, env_b = diff_envs(a, b, env)
    return diff_reports(
        summary(a, env=env_a, algo=algo, allow_imports=allow_imports),
        summary(b, env=env_b, algo=algo, allow_imports=allow_imports),
    )
