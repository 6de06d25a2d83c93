"""A 2.7-billion-parameter config: time and peak RSS next to the floor.

    python benchmarks/bench_giant.py [--repeat 5] [--naive]

configs/ppo-giant-2.7b.yaml is PPO, obs 101, net_arch [16384]*6, Discrete(4): 2,687,942,661 params,
10 GiB of float32. Target: ≤ floor + 0.5 s and ≤ 400 MB peak RSS. `--naive` also times building it on
CPU the ordinary way (it needs ~11 GB of RAM and minutes; off by default).
"""

from __future__ import annotations

import argparse

from _run import PY, ROOT, compare, sb3inspect_cmd

NAIVE = """
import gymnasium as gym, numpy as np, torch, stable_baselines3 as sb3
class Env(gym.Env):
    observation_space = gym.spaces.Box(-np.inf, np.inf, (101,), np.float32)
    action_space = gym.spaces.Discrete(4)
model = sb3.PPO("MlpPolicy", Env(), policy_kwargs=dict(net_arch=[16384] * 6), device="cpu", n_steps=8, batch_size=8)
print(sum(p.numel() for p in model.policy.parameters()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--naive", action="store_true")
    args = parser.parse_args()
    commands = {
        "floor: import torch, stable_baselines3": [PY, "-c", "import torch, stable_baselines3"],
        "sb3inspect inspect configs/ppo-101-64x64.yaml": [
            *sb3inspect_cmd(),
            "inspect",
            str(ROOT / "configs" / "ppo-101-64x64.yaml"),
        ],
        "sb3inspect inspect configs/ppo-giant-2.7b.yaml": [
            *sb3inspect_cmd(),
            "inspect",
            str(ROOT / "configs" / "ppo-giant-2.7b.yaml"),
        ],
    }
    if args.naive:
        commands["naive: PPO(...) on CPU, 2.7B params"] = [PY, "-c", NAIVE]
    results = compare(commands, repeat=args.repeat, baseline="floor: import torch, stable_baselines3")
    floor = results["floor: import torch, stable_baselines3"][0]
    giant, rss = results["sb3inspect inspect configs/ppo-giant-2.7b.yaml"]
    print(f"\ngiant config: floor + {giant - floor:.3f} s (target ≤ 0.5 s), peak RSS {rss:.0f} MB (target ≤ 400 MB)")


if __name__ == "__main__":
    main()
