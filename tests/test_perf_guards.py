"""Structural guards for speed (no timings: those live in benchmarks/).

The first meta-device elementwise op imports torch._dynamo (~1 s) through PyTorch's Python
decompositions; sb3inspect's build keeps SB3's construction-time ops off that path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import installed_algorithms

CONFIGS = [
    {"algo": "PPO", "observation_space": 17, "action_space": "box:6"},
    {
        "algo": "PPO",
        "observation_space": 17,
        "action_space": "box:6",
        "use_sde": True,
        "policy_kwargs": {"full_std": False},
    },
    {"algo": "SAC", "observation_space": 17, "action_space": "box:6", "use_sde": True},
    {"algo": "DQN", "observation_space": "image:4x84x84", "action_space": "discrete:6"},
    {"algo": "TD3", "observation_space": "image:64x64x3", "action_space": "box:2"},
    {
        "algo": "PPO",
        "observation_space": {"type": "Dict", "spaces": {"cam": "image:3x64x64", "j": 9}},
        "action_space": "box:3",
    },
    {"algo": "RecurrentPPO", "observation_space": "image:3x64x64", "action_space": "box:2"},
    {"algo": "CrossQ", "observation_space": 17, "action_space": "box:6"},
    {"algo": "TQC", "observation_space": 17, "action_space": "box:6", "use_sde": True},
    {"algo": "PPO", "observation_space": 101, "action_space": "discrete:4", "policy_kwargs": {"net_arch": [16384] * 6}},
    {"algo": "PPO", "observation_space": {"type": "Discrete", "n": 7}, "action_space": "discrete:2"},
    {"algo": "DQN", "observation_space": {"type": "MultiDiscrete", "nvec": [3, 4]}, "action_space": "discrete:2"},
    {"algo": "PPO", "observation_space": {"type": "Discrete", "n": 10**9}, "action_space": "discrete:2"},
]


@pytest.mark.slow
def test_builds_do_not_import_dynamo() -> None:
    configs = [config for config in CONFIGS if config["algo"] in installed_algorithms()]
    code = (
        "import json, sys, sb3inspect\n"
        f"for config in json.loads({json.dumps(json.dumps(configs))}):\n"
        "    sb3inspect.summary(config)\n"
        "print([m for m in ('torch._dynamo', 'torch.fx.experimental.symbolic_shapes') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_import_sb3inspect_is_light() -> None:
    code = (
        "import sys, sb3inspect; print(sorted(m for m in ('torch', 'gymnasium', 'rich', 'yaml', 'hashlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_a_cache_hit_imports_no_heavy_package(tmp_path) -> None:
    """inspect, check and diff answered from the report cache import neither torch, SB3 nor gymnasium."""
    from .conftest import ROOT

    configs = [str(path) for path in sorted((ROOT / "configs").iterdir()) if "cartpole" not in path.name]
    runs = [["inspect", configs[0], "-f", "json"], ["inspect", *configs, "--explain"], ["check", *configs]]
    runs.append(["diff", configs[0], configs[1]])
    code = (
        "import sys; from sb3inspect.cli import main; code = main(sys.argv[1:]); "
        "heavy = [m for m in ('torch', 'stable_baselines3', 'sb3_contrib', 'gymnasium') if m in sys.modules]; "
        "print(code, heavy, file=sys.stderr)"
    )
    for index, argv in enumerate(runs):
        env = {**os.environ, "SB3INSPECT_CACHE_DIR": str(tmp_path / str(index))}
        cold = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env)
        warm = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env)
        assert "'torch'" in cold.stderr.splitlines()[-1], (argv, cold.stderr)  # the guard can fail
        assert warm.stderr.splitlines()[-1] in ("0 []", "1 []"), (argv, warm.stderr)
        assert warm.stdout == cold.stdout
