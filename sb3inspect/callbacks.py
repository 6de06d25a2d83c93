"""``ArchitectureCallback``: the architecture in the training log, once, before the first step.

Imports SB3 at module level, so ``sb3inspect`` loads it lazily (``import sb3inspect`` stays torch-free).
"""

from __future__ import annotations

from collections.abc import Sequence

from stable_baselines3.common.callbacks import BaseCallback

from sb3inspect.analysis.checks import net_arch_expectations, require
from sb3inspect.report.model import PolicyReport


class ArchitectureCallback(BaseCallback):
    """Logs the model's architecture when ``model.learn(..., callback=ArchitectureCallback())`` starts.

    - SB3's log (``verbose >= 1``): the report in ``fmt`` (``table`` or ``markdown``), lint findings
      included, written with ``logger.log`` to the model's text outputs (stdout when the model logs
      there, as ``verbose=1`` models do, and ``log.txt``);
    - SB3's logger: ``arch/params``, ``arch/trainable_params`` and ``arch/<network>_params`` for every
      network that is not a target, written with the first log dump; ``arch/report`` (Markdown) goes
      to TensorBoard only.

    Given ``pi``, ``vf``, ``qf``, a network by name (``critic=[256, 256]``) or ``max_params`` (see
    ``check_net_arch``), it also checks them and
    raises ``NetArchMismatch`` before the first step when they do not hold, so a wrong net_arch never
    costs a GPU hour. The report is kept in ``self.report``.
    """

    def __init__(
        self,
        *,
        verbose: int = 1,
        fmt: str = "table",
        pi: Sequence[int] | None = None,
        vf: Sequence[int] | None = None,
        qf: Sequence[int] | None = None,
        max_params: int | None = None,
        strict: bool = False,
        **networks: Sequence[int],
    ) -> None:
        super().__init__(verbose)
        self.fmt = fmt
        self.expect = net_arch_expectations(pi=pi, vf=vf, qf=qf, networks=networks, where="ArchitectureCallback")
        self.max_params = max_params
        self.strict = strict
        self.checks = bool(self.expect) or max_params is not None or strict
        self.report: PolicyReport | None = None

    def _on_training_start(self) -> None:
        from sb3inspect.pipeline import summarize_live

        report = self.report = summarize_live(self.model)
        if self.verbose >= 1:
            self.logger.log(report.render(self.fmt, width=None))
        self.logger.record("arch/params", report.totals.params)
        self.logger.record("arch/trainable_params", report.totals.trainable_params)
        for network in report.networks:
            if not network.target:
                self.logger.record(f"arch/{network.name}_params", network.params)
        self.logger.record("arch/report", report.render("markdown"), exclude=("stdout", "log", "json", "csv"))
        if self.checks:
            require(report, expect=self.expect, max_params=self.max_params, strict=self.strict)

    def _on_step(self) -> bool:
        return True
