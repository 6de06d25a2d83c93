"""The same commands on two revisions of sb3inspect, side by side (for before/after numbers).

    python benchmarks/bench_revisions.py OLD_REV [--repeat 5]

Checks OLD_REV out into a temporary git worktree and runs `python -m sb3inspect inspect` there and in
this checkout (cwd decides which package Python imports), next to the import floor.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from _run import PY, ROOT, compare

CASES = {
    "seed (PPO MLP, Discrete)": ["configs/ppo-101-64x64.yaml"],
    "PPO MLP, Box actions": ["--algo", "ppo", "--obs", "17", "--act", "box:6"],
    "DQN NatureCNN": ["--algo", "dqn", "--obs", "image:4x84x84", "--act", "discrete:6"],
    "giant 2.7B": [
        "--algo",
        "ppo",
        "--obs",
        "101",
        "--act",
        "discrete:4",
        "--net-arch",
        "16384,16384,16384,16384,16384,16384",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rev")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.rev], check=True, capture_output=True
        )
        try:
            commands: dict[str, list[str]] = {
                "floor: import torch, stable_baselines3": [PY, "-c", "import torch, stable_baselines3"]
            }
            for name, argv in CASES.items():
                old_argv = [str(ROOT / a) if a.startswith("configs/") else a for a in argv]
                commands[f"{args.rev[:8]}  {name}"] = [
                    "sh",
                    "-c",
                    f"cd {old} && {PY} -m sb3inspect inspect {' '.join(old_argv)}",
                ]
                commands[f"HEAD      {name}"] = [
                    "sh",
                    "-c",
                    f"cd {ROOT} && {PY} -m sb3inspect inspect {' '.join(old_argv)}",
                ]
            compare(commands, repeat=args.repeat, baseline="floor: import torch, stable_baselines3")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], capture_output=True)


if __name__ == "__main__":
    main()
