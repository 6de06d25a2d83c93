"""`sb3inspect --help`, `--version` and error paths: none may import torch, SB3 or gymnasium.

    python benchmarks/bench_startup.py [--repeat 9]

Target: each ≤ 0.3 s. Printed next to a bare `python -c pass` so the interpreter's own start is visible.
"""

from __future__ import annotations

import argparse
import subprocess

from _run import PY, ROOT, compare, sb3inspect_cmd

HEAVY = ("torch", "stable_baselines3", "sb3_contrib", "gymnasium")


def imported_heavy(args: list[str]) -> list[str]:
    """Which heavy packages a run of `sb3inspect ARGS` imports (via -X importtime)."""
    out = subprocess.run([PY, "-X", "importtime", "-m", "sb3inspect", *args], cwd=ROOT, capture_output=True, text=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    cli = sb3inspect_cmd()
    cases = {
        "--help": ["--help"],
        "--version": ["--version"],
        "inspect --help": ["inspect", "--help"],
        "error: missing file": ["inspect", "missing.yaml"],
        "error: unknown algorithm": ["inspect", "--algo", "ppo2", "--obs", "3", "--act", "discrete:2"],
        "error: SAC with Discrete actions": ["inspect", "--algo", "sac", "--obs", "3", "--act", "discrete:2"],
    }
    commands = {"python -c pass": [PY, "-c", "pass"]}
    commands.update({f"sb3inspect {name}": [*cli, *argv] for name, argv in cases.items()})
    # error paths exit 2 on purpose
    for name in cases:
        if name.startswith("error"):
            commands[f"sb3inspect {name}"] = ["sh", "-c", " ".join([*cli, *cases[name]]) + " 2>/dev/null; true"]
    compare(commands, repeat=args.repeat, baseline="python -c pass")
    print()
    for name, argv in cases.items():
        heavy = imported_heavy(argv)
        print(f"{name:<34} imports heavy packages: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
