"""A folder of real saved zips in one call: the cost per zip past the floor.

    python benchmarks/bench_saved_folder.py [--copies 8] [--repeat 5]

Copies the five rl-zoo3 agents of tests/real-models (SB3 1.0rc0 - 1.3.1a7, a legacy-format torch file among
them) and the 37 saved-format fixtures of tests/fixtures/saved (SB3 0.8 - 2.9: every format generation, image
models included) into temporary folders, then times `sb3inspect inspect FOLDER` against the floor
(`import torch, stable_baselines3`). Every zip is rebuilt and held against its tensors (the report cache is
off). Target: at most 30 ms per zip past the floor. CPU time (user + system) is printed too: on a shared
machine it moves less than wall time, and on an idle one the two agree (the work is single-threaded).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _run import PY, ROOT, compare, sb3inspect_cmd

REAL = sorted((ROOT / "tests" / "real-models").glob("*/*/*.zip"))
FORMATS = sorted((ROOT / "tests" / "fixtures" / "saved").glob("*.zip"))


def fill(folder: Path, zips: list[Path], copies: int) -> int:
    folder.mkdir()
    for copy in range(copies):
        for path in zips:
            shutil.copy(path, folder / f"{copy:02d}-{path.parent.parent.name}-{path.name}")
    return copies * len(zips)


def cpu_seconds(cmd: Sequence[str], repeat: int) -> float:
    """Median user + system CPU seconds of a command."""
    times = []
    for _ in range(repeat):
        proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        times.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=8, help="copies of the five real agents in their folder")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        real, formats = Path(tmp) / "real", Path(tmp) / "formats"
        counts = {"real": fill(real, REAL, args.copies), "formats": fill(formats, FORMATS, 1)}
        cli = sb3inspect_cmd()
        floor = "floor: import torch, stable_baselines3"
        runs = {
            "real": f"inspect a folder of {counts['real']} real agents",
            "formats": f"inspect a folder of {counts['formats']} saved formats",
        }
        commands = {
            floor: [PY, "-c", "import torch, stable_baselines3"],
            "inspect 1 real agent": [*cli, "inspect", str(REAL[0]), "--no-cache"],
            runs["real"]: [*cli, "inspect", str(real), "--no-cache"],
            runs["formats"]: [*cli, "inspect", str(formats), "--no-cache"],
        }
        results = compare(commands, repeat=args.repeat, baseline=floor)
        cpu = {name: cpu_seconds(cmd, args.repeat) for name, cmd in commands.items()}
    for kind, name in runs.items():
        wall = (results[name][0] - results[floor][0]) / counts[kind] * 1000
        busy = (cpu[name] - cpu[floor]) / counts[kind] * 1000
        print(f"{name}: {wall:.1f} ms per zip past the floor ({busy:.1f} ms of CPU)")


if __name__ == "__main__":
    main()
