"""Shared helpers for the benchmark scripts: run commands interleaved, report medians and peak RSS."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def sb3inspect_cmd() -> list[str]:
    """The installed console script (what users run), else ``python -m sb3inspect``."""
    script = Path(sys.prefix) / "bin" / "sb3inspect"
    if script.exists():
        return [str(script)]
    found = shutil.which("sb3inspect")
    return [found] if found else [PY, "-m", "sb3inspect"]


def run_once(cmd: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one run; output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def compare(
    commands: dict[str, Sequence[str]], *, repeat: int = 5, baseline: str | None = None, cwd: Path = ROOT
) -> dict[str, tuple[float, float]]:
    """Run every command ``repeat`` times, interleaved so drift hits all alike; print a table of medians."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, float] = {name: 0.0 for name in commands}
    for cmd in commands.values():  # warm the file cache once
        run_once(cmd, cwd=cwd)
    for _ in range(repeat):
        for name, cmd in commands.items():
            seconds, peak, code = run_once(cmd, cwd=cwd)
            if code != 0:
                raise SystemExit(f"{name} failed with exit code {code}: {' '.join(cmd)}")
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians[baseline] if baseline else None
    width = max(len(name) for name in commands)
    print(f"{'command':<{width}}  {'median s':>9}  {'min s':>7}  {'peak RSS MB':>11}" + ("  ratio" if base else ""))
    for name in commands:
        ratio = f"  {medians[name] / base:5.2f}×" if base else ""
        print(f"{name:<{width}}  {medians[name]:9.3f}  {min(times[name]):7.3f}  {rss[name]:11.0f}{ratio}")
    return {name: (medians[name], rss[name]) for name in commands}
