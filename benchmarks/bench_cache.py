"""Repeat runs answered from the report cache: cold against warm, both against the torch floor.

    python benchmarks/bench_cache.py [--repeat 7]

Cases: `check` over the nine bundled configs whose reports follow from their bytes (the
2.7-billion-parameter one included), and one `inspect` of the seed config. Each is run without the
cache (`--no-cache`), cold (an empty cache folder: build, then write the entry) and warm (answered
from the entry, torch never imported). The env-id config (`configs/ppo-cartpole-env.yaml`) is
keyed on the spaces gymnasium makes, so its warm run imports gymnasium but not torch: shown apart.
Target: a warm `check` of the nine under 0.25 s. A warm run costs sb3inspect's start-up (shown by
`sb3inspect --help`) plus a few milliseconds per source.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile
from pathlib import Path

from _run import PY, ROOT, compare, sb3inspect_cmd

FLOOR = "floor: import torch, stable_baselines3"
TARGET_SECONDS = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cli = sb3inspect_cmd()
    configs = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "configs").iterdir())]
    env_config = "configs/ppo-cartpole-env.yaml"
    nine = [path for path in configs if path != env_config]
    cases = {
        f"check {len(nine)} configs": ["check", *nine],
        "inspect configs/ppo-101-64x64.yaml": ["inspect", "configs/ppo-101-64x64.yaml"],
        f"check {env_config}": ["check", env_config],
    }
    with tempfile.TemporaryDirectory() as tmp:
        commands: dict[str, list[str]] = {
            FLOOR: [PY, "-c", "import torch, stable_baselines3"],
            "sb3inspect --help (start-up alone)": [*cli, "--help"],
        }
        for index, (name, argv) in enumerate(cases.items()):
            warm_dir, cold_dir = Path(tmp) / f"warm{index}", Path(tmp) / f"cold{index}"
            run = shlex.join([*cli, *argv])
            commands[f"{name}: no cache"] = [*cli, *argv, "--no-cache"]
            # cold: an empty folder each time, so every run builds and writes its entries
            commands[f"{name}: cold"] = ["sh", "-c", f"rm -rf {cold_dir}; SB3INSPECT_CACHE_DIR={cold_dir} {run}"]
            commands[f"{name}: warm"] = ["sh", "-c", f"SB3INSPECT_CACHE_DIR={warm_dir} {run}"]
        results = compare(commands, repeat=args.repeat, baseline=FLOOR)
    floor = results[FLOOR][0]
    print()
    for name in cases:
        cold, warm = results[f"{name}: cold"][0], results[f"{name}: warm"][0]
        print(
            f"{name}: cold {cold:.3f} s ({cold / floor:.2f}× floor), warm {warm:.3f} s "
            f"({warm / floor:.2f}× floor, {floor / warm:.1f}× under it), cold/warm {cold / warm:.1f}×"
        )
    warm_check = results[f"check {len(nine)} configs: warm"][0]
    verdict = "met" if warm_check < TARGET_SECONDS else "NOT met"
    print(f"target: warm check of the {len(nine)} configs under {TARGET_SECONDS} s: {warm_check:.3f} s, {verdict}")
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores / 2:  # a busy machine stretches short runs most: the ratios travel better than the seconds
        print(f"note: load average {load:.1f} on {cores} cores while measuring; compare the ratios, not the seconds")


if __name__ == "__main__":
    main()
