"""The verdict on functions another Python pickled: schedules saved by Python 3.8 to 3.13, scanned by this one.

A cloudpickled function carries its bytecode, which only the Python minor release that wrote it reads as written.
3.8-3.10's code layout does not build under 3.11+ (nothing runs: safe); 3.11-3.13 share one layout, so another
release's bytecode builds and runs misread. The verdict reads it as this Python would run it, and where the zip's
system_info.txt names another release, a finding from that reading is ``unknown`` (never ``safe``), not
``unsafe``: benign schedules are not called hostile, and naming another release never makes a payload safe.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import types
import warnings
import zipfile
from pathlib import Path

import pytest

from sb3inspect.sources.saved.safety import zip_safety

FIXTURES = Path(__file__).parent / "fixtures" / "cross-python"
HERE = sys.version_info[:2]


def saved(base: Path, target: Path, raw: bytes, python: str) -> Path:
    """``base`` with its learning_rate and lr_schedule replaced by ``raw`` and system_info.txt naming ``python``."""
    with zipfile.ZipFile(base) as old:
        data = json.loads(old.read("data"))
        for key in ("learning_rate", "lr_schedule"):
            data[key] = {":type:": "<class 'function'>", ":serialized:": base64.b64encode(raw).decode()}
        with zipfile.ZipFile(target, "w") as new:
            for info in old.infolist():
                member = old.read(info)
                if info.filename == "data":
                    member = json.dumps(data).encode()
                elif info.filename == "system_info.txt":
                    member = re.sub(rb"Python: \S+", f"Python: {python}.1".encode(), member)
                new.writestr(info.filename, member)
    return target


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from stable_baselines3 import PPO

    path = tmp_path_factory.mktemp("versions") / "ppo.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs={"net_arch": [8]}, device="cpu").save(
            path
        )
    return path


def _release(python: str) -> tuple[int, int]:
    major, minor = python.split(".")
    return int(major), int(minor)


def test_schedules_any_python_saved_are_never_called_hostile(base: Path, tmp_path: Path) -> None:
    verdicts = {}
    for fixture in sorted(FIXTURES.glob("schedules-*.json")):
        python = fixture.stem.removeprefix("schedules-")
        for name, text in json.loads(fixture.read_text()).items():
            safety = zip_safety(saved(base, tmp_path / f"{python}-{name}.zip", base64.b64decode(text), python))
            verdicts[f"{python}-{name}"] = safety.verdict
            same_layout = (_release(python) >= (3, 11)) == (HERE >= (3, 11))
            if _release(python) == HERE or not same_layout:  # its own bytecode, or a code object that never builds
                assert safety.verdict == "safe", (python, name, safety.to_dict())
            else:
                assert safety.verdict in ("safe", "unknown"), (python, name, safety.to_dict())
                assert all(f"saved by Python {python} (system_info.txt)" in f.what for f in safety.findings)
    assert len(verdicts) == 24
    if HERE == (3, 11):  # 3.12's get_linear_fn reads as opcodes 3.11 gives no arithmetic meaning to
        assert verdicts["3.12-getlin"] == "unknown"


def _bytecode_payloads() -> dict[str, bytes]:
    """Functions whose bytecode (this Python's) reaches past arithmetic: ``past`` only there, ``class`` also by the
    names its class body uses."""
    import opcode

    import cloudpickle

    def builds_a_class(p: float) -> float:
        class Inner:
            pass

        return p

    code = (lambda p: p * 3e-4).__code__
    at = code.co_code.index(bytes([opcode.opmap["LOAD_CONST"]]))
    past = code.co_code[: at + 1] + b"\xff" + code.co_code[at + 2 :]  # consts[255]: whatever memory lies there
    raw = cloudpickle.dumps(types.FunctionType(code, {}))
    return {"class": cloudpickle.dumps(builds_a_class), "past": raw.replace(code.co_code, past)}


@pytest.mark.parametrize("python", ["same", "other", "none"])
def test_naming_another_python_never_makes_bytecode_safe(base: Path, tmp_path: Path, python: str) -> None:
    here = "{}.{}".format(*HERE)
    named = {"same": here, "other": f"3.{HERE[1] + 1}", "none": ""}[python]
    for name, raw in _bytecode_payloads().items():
        path = saved(base, tmp_path / f"{name}.zip", raw, named or "x")
        if python == "none":  # no system_info.txt: nothing says another Python saved it
            with zipfile.ZipFile(path) as old:
                members = {
                    info.filename: old.read(info) for info in old.infolist() if info.filename != "system_info.txt"
                }
            with zipfile.ZipFile(path, "w") as new:
                for member, content in members.items():
                    new.writestr(member, content)
        safety = zip_safety(path)
        if python != "other":
            assert safety.verdict == "unsafe", (name, safety.to_dict())
        else:  # what the bytecode does is unknown; what its names say is still unsafe
            assert safety.verdict == {"past": "unknown", "class": "unsafe"}[name], (name, safety.to_dict())
