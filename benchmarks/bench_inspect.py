"""Cold `sb3inspect inspect` on the seed config vs the floor (import torch + SB3) vs the naive way.

    python benchmarks/bench_inspect.py [--repeat 7]

The floor is what this design cannot beat: a process that only imports torch and stable_baselines3.
The naive way is what users do today: build PPO("MlpPolicy", env) on CPU, print the policy, sum numel().
"""

from __future__ import annotations

import argparse

from _run import PY, ROOT, compare, sb3inspect_cmd

NAIVE = """
import gymnasium as gym, numpy as np, torch, stable_baselines3 as sb3
class Env(gym.Env):
    observation_space = gym.spaces.Box(-np.inf, np.inf, (101,), np.float32)
    action_space = gym.spaces.Discrete(4)
model = sb3.PPO("MlpPolicy", Env(), policy_kwargs=dict(net_arch=[64, 64]), device="cpu")
print(model.policy)
print(sum(p.numel() for p in model.policy.parameters()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    seed = str(ROOT / "configs" / "ppo-101-64x64.yaml")
    compare(
        {
            "floor: python -c 'import torch, stable_baselines3'": [PY, "-c", "import torch, stable_baselines3"],
            "sb3inspect inspect configs/ppo-101-64x64.yaml": [*sb3inspect_cmd(), "inspect", seed],
            "sb3inspect inspect --algo ppo --obs 17 --act box:6": [
                *sb3inspect_cmd(),
                "inspect",
                "--algo",
                "ppo",
                "--obs",
                "17",
                "--act",
                "box:6",
            ],
            "sb3inspect inspect configs/dqn-atari.yaml (CNN)": [
                *sb3inspect_cmd(),
                "inspect",
                str(ROOT / "configs" / "dqn-atari.yaml"),
            ],
            "naive: PPO(...) on CPU, print, sum numel": [PY, "-c", NAIVE],
        },
        repeat=args.repeat,
        baseline="floor: python -c 'import torch, stable_baselines3'",
    )


if __name__ == "__main__":
    main()
