"""Builds in several threads at once leave the process as they found it, and other threads alone."""

from __future__ import annotations

import threading
import warnings

import pytest

from sb3inspect.build.policy import build_policy
from sb3inspect.sources.config import spec_from_mapping

# SB3 warns that this net_arch form is deprecated: every build of it records the warning.
WARNS = {
    "algo": "PPO",
    "observation_space": 5,
    "action_space": "discrete:3",
    "policy_kwargs": {"net_arch": [{"pi": [8], "vf": [4]}]},
}
SB3_WARNING = "As shared layers in the mlp_extractor are removed"


@pytest.mark.slow
def test_concurrent_builds_leave_warnings_alone_and_other_threads_warnings_shown() -> None:
    threads, builds = 4, 8
    spec = spec_from_mapping(WARNS)
    build_policy(spec)  # imports done: some add their own filters (tqdm, numpy)
    errors: list[str] = []
    unrecorded: list[int] = []
    user_warnings = 0
    done = threading.Event()

    def build() -> None:
        try:
            for _ in range(builds):
                built = build_policy(spec)
                if [w.text[: len(SB3_WARNING)] for w in built.warnings] != [SB3_WARNING]:
                    unrecorded.append(1)
        except Exception as exc:
            errors.append(repr(exc))

    def user() -> None:
        nonlocal user_warnings
        while not done.is_set():
            user_warnings += 1
            warnings.warn(f"the user's own warning {user_warnings}", UserWarning, stacklevel=1)
            done.wait(0.002)

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        filters, showwarning = list(warnings.filters), warnings.showwarning
        workers = [threading.Thread(target=build) for _ in range(threads)]
        warner = threading.Thread(target=user)
        warner.start()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        done.set()
        warner.join()
        problems = [f"a build raised {error}" for error in errors]
        if warnings.filters != filters:
            problems.append(f"warnings.filters changed: {warnings.filters[:3]}...")
        if warnings.showwarning is not showwarning:
            problems.append(f"warnings.showwarning is now {warnings.showwarning}")
    if unrecorded:
        problems.append(f"{len(unrecorded)} of {threads * builds} builds lost SB3's warning")
    mine = [w for w in shown if str(w.message).startswith("the user's own warning")]
    if len(mine) != user_warnings:
        problems.append(f"{user_warnings - len(mine)} of the user's {user_warnings} warnings vanished")
    if any(SB3_WARNING in str(w.message) for w in shown):
        problems.append("SB3's warning leaked out of a build")
    assert problems == []


def test_a_warning_from_outside_sb3_during_a_build_reaches_the_caller() -> None:
    """SB3's warnings become notes; anyone else's (here a user's extractor) is raised again, not swallowed."""
    from stable_baselines3.common.torch_layers import FlattenExtractor

    import sb3inspect

    class Noisy(FlattenExtractor):
        def __init__(self, observation_space: object) -> None:
            warnings.warn("Noisy is experimental", UserWarning, stacklevel=1)
            super().__init__(observation_space)

    with pytest.warns(UserWarning, match="Noisy is experimental"):
        report = sb3inspect.summary({**WARNS, "policy_kwargs": {"features_extractor_class": Noisy}})
    assert report.totals.params > 0


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("rl_zoo3") is None, reason="needs rl_zoo3")
def test_threads_loading_rl_zoo3_wrappers_at_once_each_get_the_whole_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module is in sys.modules while it runs: without the lock a second thread took it half-loaded."""
    import sys

    from sb3inspect.sources.envs import rl_zoo3_wrappers

    monkeypatch.delitem(sys.modules, "sb3inspect._rl_zoo3_wrappers", raising=False)
    start = threading.Barrier(8)
    found: list[bool] = []

    def load() -> None:
        start.wait()
        found.append(hasattr(rl_zoo3_wrappers("test"), "HistoryWrapper"))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [True] * 8
