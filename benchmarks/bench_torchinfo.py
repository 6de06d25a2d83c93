"""torchinfo on the seed model, next to sb3inspect, for comparison (needs `pip install torchinfo`).

    python benchmarks/bench_torchinfo.py [--repeat 5]

torchinfo must allocate the model on CPU and run a forward pass through it; its total is right (21,701)
but it has no per-network counts (pi / vf, actor / critic / targets) and hides the twin structure. Printed:
time side by side, and both totals.
"""

from __future__ import annotations

import argparse
import subprocess

from _run import PY, ROOT, compare, sb3inspect_cmd

TORCHINFO = """
import gymnasium as gym, numpy as np, torch, stable_baselines3 as sb3, torchinfo
class Env(gym.Env):
    observation_space = gym.spaces.Box(-np.inf, np.inf, (101,), np.float32)
    action_space = gym.spaces.Discrete(4)
model = sb3.PPO("MlpPolicy", Env(), policy_kwargs=dict(net_arch=[64, 64]), device="cpu")
stats = torchinfo.summary(model.policy, input_size=(1, 101), verbose=0)
print(stats.total_params)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    seed = str(ROOT / "configs" / "ppo-101-64x64.yaml")
    compare(
        {
            "floor: import torch, stable_baselines3": [PY, "-c", "import torch, stable_baselines3"],
            "sb3inspect inspect (seed)": [*sb3inspect_cmd(), "inspect", seed],
            "torchinfo.summary(PPO policy) (seed)": [PY, "-c", TORCHINFO],
        },
        repeat=args.repeat,
        baseline="floor: import torch, stable_baselines3",
    )
    total = subprocess.run([PY, "-c", TORCHINFO], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    print(f"\ntorchinfo total_params: {total}; sb3inspect: 21,701 (= SB3's unique parameters)")


if __name__ == "__main__":
    main()
