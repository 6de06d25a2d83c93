"""Many configs in one call: the cost per config past the floor.

    python benchmarks/bench_batch.py [--count 100] [--repeat 5]

Writes COUNT distinct configs (algorithms, spaces and net_arch vary) to a temporary folder, then times
`sb3inspect inspect` on one of them and on all of them (table and JSON). Target: ≤ 10 ms per config.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _run import PY, compare, sb3inspect_cmd

TEMPLATES = [
    "algo: PPO\nobservation_space: {obs}\naction_space: discrete:4\npolicy_kwargs: {{net_arch: [{w}, {w}]}}\n",
    "algo: SAC\nobservation_space: {obs}\naction_space: box:6\npolicy_kwargs: {{net_arch: [{w}, {w}]}}\n",
    "algo: DQN\nobservation_space: {obs}\naction_space: discrete:5\npolicy_kwargs: {{net_arch: [{w}]}}\n",
    "algo: TD3\nobservation_space: {obs}\naction_space: box:2\npolicy_kwargs: {{net_arch: [{w}, {w}]}}\n",
    "algo: A2C\nobservation_space: {obs}\naction_space: box:3\npolicy_kwargs: {{net_arch: {{pi: [{w}], vf: [{w}, {w}]}}}}\n",
]


def write_configs(folder: Path, count: int) -> list[str]:
    paths = []
    for index in range(count):
        text = TEMPLATES[index % len(TEMPLATES)].format(obs=8 + index, w=32 + index)
        path = folder / f"config-{index:03d}.yaml"
        path.write_text(text)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_configs(Path(tmp), args.count)
        cli = sb3inspect_cmd()
        results = compare(
            {
                "floor: import torch, stable_baselines3": [PY, "-c", "import torch, stable_baselines3"],
                "inspect 1 config": [*cli, "inspect", paths[0]],
                f"inspect {args.count} configs (table)": [*cli, "inspect", *paths],
                f"inspect {args.count} configs (json)": [*cli, "inspect", *paths, "-f", "json"],
            },
            repeat=args.repeat,
            baseline="floor: import torch, stable_baselines3",
        )
    one = results["inspect 1 config"][0]
    floor = results["floor: import torch, stable_baselines3"][0]
    for fmt in ("table", "json"):
        many = results[f"inspect {args.count} configs ({fmt})"][0]
        print(
            f"{fmt}: {(many - floor) / args.count * 1000:.1f} ms per config past the floor "
            f"({(many - one) / (args.count - 1) * 1000:.1f} ms per extra config)"
        )


if __name__ == "__main__":
    main()
