"""Every input ends within the budgets: under 20 s and 1.5 GB, one clean line, never an internal error.

Each case is an input that once blew the time or the memory of a naive reader (measured: 60 s past, 7 GB,
internal errors). It runs as a user runs it, ``sb3inspect inspect`` in a subprocess, under a watcher that
reports the peak RSS of every process of the run (the env-making child included) and the wall time.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SECONDS = 20.0
PEAK_BYTES = 1536 << 20

WATCH = r"""
import json, resource, subprocess, sys, time
start = time.monotonic()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": run.returncode, "out": run.stdout, "err": run.stderr, "seconds": time.monotonic() - start, "peak": peak}))
"""
"""Runs a command and reports its exit code, output, wall time and the peak RSS of its process tree."""


def run_bounded(argv: list[str], cwd: Path) -> dict[str, Any]:
    # the console script of the Python running the tests (its venv's, whatever PATH says), as a user runs it
    script = Path(sys.executable).with_name("sb3inspect")
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "sb3inspect"]
    command = [sys.executable, "-c", WATCH, *entry, *argv]
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=180, check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


DIGITS_400 = "7" * 400


def _yaml(folder: Path, name: str, data: Any) -> list[str]:
    path = folder / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return [str(path)]


def _base(folder: Path) -> Path:
    from stable_baselines3 import PPO

    path = folder / "base.zip"
    if not path.exists():
        PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs={"net_arch": [8]}).save(path)
    return path


def _zip(folder: Path, name: str, members: dict[str, bytes], *, stored: bool = False) -> list[str]:
    source, target = _base(folder), folder / name
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            raw = members.get(info.filename, old.read(info))
            new.writestr(info.filename, raw, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return [str(target)]


def _data(folder: Path) -> dict[str, Any]:
    return json.loads(zipfile.ZipFile(_base(folder)).read("data"))  # type: ignore[no-any-return]


def _tensor(key: str, numel: bytes, size: bytes) -> bytes:
    """One state-dict entry as torch pickles it: the name, then ``_rebuild_tensor_v2`` on a persistent storage."""
    return (
        b"X"
        + struct.pack("<I", len(key))
        + key.encode()
        + b"ctorch._utils\n_rebuild_tensor_v2\n(((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
        + b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
        + numel
        + b"tQK\x00"
        + size
        + b"\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR"
    )


def legacy_pth(numel: int) -> bytes:
    """A legacy-format torch file of ~600 bytes whose one storage declares ``numel`` floats."""
    magic = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little") + b"."
    n = b"\x8a\x05" + numel.to_bytes(5, "little")
    state = b"\x80\x02ccollections\nOrderedDict\n)R" + _tensor("mlp_extractor.policy_net.0.weight", n, n) + b"s."
    return magic + b"\x80\x02M\xe9\x03." + b"\x80\x02}." + state + b"\x80\x02]X\x01\x00\x00\x000a." + b"\x00" * 24


def many_entries_pth(count: int) -> bytes:
    """A zip-format torch file whose pickle holds ``count`` tensor entries (views of one 1-float storage)."""
    one = b"K\x01"
    body = b"".join(_tensor(f"t{i}", one, one) for i in range(count))
    pickle = b"\x80\x02ccollections\nOrderedDict\n)R(" + body + b"u."
    buffer = __import__("io").BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle)
        archive.writestr("archive/data/0", b"\x00" * 4)
        archive.writestr("archive/version", b"3\n")
    return buffer.getvalue()


CASES: dict[str, Callable[[Path], list[str]]] = {
    "critics-300x300": lambda d: _yaml(d, "c.yaml", {
        "algo": "SAC", "observation_space": 4, "action_space": {"type": "Box", "shape": [2], "low": -1, "high": 1},
        "policy_kwargs": {"n_critics": 300, "net_arch": {"pi": [8], "qf": [8] * 300}}}),
    "dict-16x10M-float64": lambda d: _yaml(d, "d.yaml", {
        "algo": "PPO", "action_space": {"type": "Discrete", "n": 2}, "observation_space": {"type": "Dict", "spaces": {
            f"k{i}": {"type": "Box", "shape": [10_000_000], "dtype": "float64"} for i in range(16)}}}),
    "lstm_kwargs-device": lambda d: _yaml(d, "l.yaml", {
        "algo": "RecurrentPPO", "observation_space": 8, "action_space": {"type": "Discrete", "n": 2},
        "policy_kwargs": {"lstm_hidden_size": 30000, "lstm_kwargs": {"device": "cpu"}}}),
    "legacy-policy-pth-1e9-floats": lambda d: _zip(d, "legacy.zip", {"policy.pth": legacy_pth(10**9)}),
    "policy-pth-300k-entries": lambda d: _zip(d, "entries.zip", {"policy.pth": many_entries_pth(300_000)}),
    "data-60MB-empty-objects": lambda d: _zip(d, "objects.zip", {"data": json.dumps(
        {**_data(d), "junk": "JUNK"}).replace('"JUNK"', "[" + ",".join(["{}"] * (20 << 20)) + "]").encode()}, stored=True),
    "zoo-desc-aliases": lambda d: [*_yaml(d, "ppo.yml", "_anchors:\n  r0: &r0 \"FFFFFFFFFF\"\n" + "".join(
        f"  l{k}: &l{k} [" + ", ".join([f"*{'r0' if k == 1 else f'l{k - 1}'}"] * 10) + "]\n" for k in range(1, 9))
        + "FrozenLake-v1:\n  policy: MlpPolicy\n  env_kwargs:\n    desc: *l8\n"), "--env", "FrozenLake-v1"],
    "zoo-warpframe-15000": lambda d: [*_yaml(d, "ppo.yml", "CartPole-v1:\n  policy: CnnPolicy\n  env_wrapper:\n"
        "    - stable_baselines3.common.atari_wrappers.WarpFrame:\n        width: 15000\n        height: 15000\n"),
        "--env", "CartPole-v1"],
    "zoo-discretize-2e8": lambda d: [*_yaml(d, "ppo.yml", "Pendulum-v1:\n  policy: MlpPolicy\n  env_wrapper:\n"
        "    - gymnasium.wrappers.DiscretizeObservation:\n        bins: 200000000\n"), "--env", "Pendulum-v1"],
    "config-log_std_init-400-digits": lambda d: _yaml(d, "n.json", '{"algo": "PPO", "observation_space": 3, '
        '"action_space": "box:1", "policy_kwargs": {"log_std_init": ' + DIGITS_400 + "}}"),
    "config-box-low-400-digits": lambda d: _yaml(d, "b.json", '{"algo": "PPO", "action_space": "discrete:2", '
        '"observation_space": {"type": "Box", "shape": [4], "low": -' + DIGITS_400 + ', "high": 1}}'),
    "config-discrete-start-1e30": lambda d: _yaml(d, "s.json", '{"algo": "PPO", "observation_space": 3, '
        '"action_space": {"type": "Discrete", "n": 2, "start": ' + str(10**30) + "}}"),
    "zoo-arithmetic-10e4608": lambda d: [*_yaml(d, "ppo.yml", "CartPole-v1:\n  policy: MlpPolicy\n  policy_kwargs: "
        '"dict(log_std_init=' + " * ".join(["1000000 ** 64"] * 12) + ')"\n'), "--env", "CartPole-v1"],
    "saved-log_std_init-400-digits": lambda d: _zip(d, "saved.zip", {"data": json.dumps(
        {**_data(d), "policy_kwargs": {"log_std_init": "D"}}).replace('"D"', DIGITS_400).encode()}),
}  # fmt: skip
"""Case -> what makes its input (in a temporary folder) and the arguments after ``sb3inspect inspect``."""
CLEAN_REPORT = {"legacy-policy-pth-1e9-floats", "policy-pth-300k-entries", "saved-log_std_init-400-digits"}
"""Cases that are readable models: a report (exit 0) whose notes say what was not read, not an error."""


@pytest.mark.parametrize("name", list(CASES))
def test_every_input_stays_within_the_budgets(name: str, tmp_path: Path) -> None:
    argv = CASES[name](tmp_path)
    run = run_bounded(["inspect", *argv, "--no-cache"], tmp_path)
    assert run["seconds"] < SECONDS, (name, run["seconds"], run["err"][-300:])
    assert run["peak"] < PEAK_BYTES, (name, run["peak"] >> 20, run["err"][-300:])
    assert "internal error" not in run["err"] and "Traceback" not in run["err"], run["err"][-600:]
    if name in CLEAN_REPORT:
        assert run["code"] == 0, run["err"][-600:]
    else:
        lines = run["err"].strip().splitlines()
        assert run["code"] == 2 and len(lines) == 1 and lines[0].startswith("error: "), run["err"][-600:]


def test_budget_errors_say_what_is_too_large(tmp_path: Path) -> None:
    """The error names the limit, in sb3inspect's words (no numpy overflow, no torch allocator message)."""
    from sb3inspect.errors import Sb3InspectError
    from sb3inspect.pipeline import summarize_path

    expected = {
        "critics-300x300": "more than 5,000 modules",
        "dict-16x10M-float64": "160,000,000 elements in all",
        "lstm_kwargs-device": "a device here builds real weights",
        "config-log_std_init-400-digits": "a whole number of 400 digits, larger than a float holds",
        "config-discrete-start-1e30": "a whole number of 31 digits, larger than a 64-bit integer holds",
        "zoo-arithmetic-10e4608": "arithmetic that gives a whole number of",
        "zoo-warpframe-15000": "ran out of memory wrapping CartPole-v1",
    }
    for name, words in expected.items():
        argv = CASES[name](tmp_path)
        env = argv[2] if len(argv) > 2 else None
        with pytest.raises(Sb3InspectError) as error:
            summarize_path(Path(argv[0]), env=env)
        assert words in str(error.value), (name, str(error.value))


needs_fork_and_proc = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self/status").exists(), reason="the env child's cap is Linux's"
)


@needs_fork_and_proc
def test_the_env_child_caps_data_not_address_space() -> None:
    """A library's read-only reservation (a CUDA torch reserves 3 GB on import) fits; an allocation past the cap does not.

    Under an address-space cap, importing a CUDA build of torch in the env child (an SB3 wrapper needs it)
    failed with 'failed to map segment from shared object'. Nothing here is touched, so nothing is resident.
    """
    from sb3inspect.sources.envs import ENV_MEMORY_BYTES, bounded

    def make() -> list[bool]:
        reserved = _maps(4 << 30, mmap.PROT_READ)
        allocated = _maps(ENV_MEMORY_BYTES + (64 << 20), mmap.PROT_READ | mmap.PROT_WRITE)
        return [reserved, allocated]

    assert bounded(make, "a test env") == [True, False]


@needs_fork_and_proc
def test_imports_are_not_charged_to_the_env_childs_cap() -> None:
    """What an import allocates inside ``uncapped()`` leaves the constructors their whole allowance."""
    from sb3inspect.sources.envs import ENV_MEMORY_BYTES, bounded, uncapped

    def make() -> list[bool]:
        with uncapped():
            imported = _maps(ENV_MEMORY_BYTES, mmap.PROT_READ | mmap.PROT_WRITE, keep=True)
        return [imported, _maps(ENV_MEMORY_BYTES - (64 << 20), mmap.PROT_READ | mmap.PROT_WRITE)]

    assert bounded(make, "a test env") == [True, True]


_KEPT: list[mmap.mmap] = []


def _maps(size: int, prot: int, *, keep: bool = False) -> bool:
    """Whether a private mapping of ``size`` bytes can be made (never touched, so never resident)."""
    try:
        mapping = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE, prot=prot)
    except OSError:
        return False
    if keep:
        _KEPT.append(mapping)
    else:
        mapping.close()
    return True
