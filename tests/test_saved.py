"""Saved SB3 zips: the report equals the live model's, and nothing in the file runs."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

import sb3inspect
from sb3inspect.build.policy import algorithm_class
from sb3inspect.cli import main
from sb3inspect.errors import SourceError
from sb3inspect.pipeline import summarize_saved
from sb3inspect.sources.envs import spaces_env
from sb3inspect.sources.saved.fields import space_of
from sb3inspect.sources.saved.pickles import pickle_globals
from sb3inspect.sources.saved.zipread import MAX_MEMBERS

from .conftest import installed_algorithms, skip_if_lacking

BOX = spaces.Box(-1, 1, (3,), np.float32)
IMAGE = spaces.Box(0, 255, (36, 36, 1), np.uint8)  # channel-last: SB3 transposes it
DICT = spaces.Dict(
    {
        "camera": spaces.Box(0, 255, (1, 36, 36), np.uint8),
        "joints": spaces.Box(-np.inf, np.inf, (5,)),
        "mode": spaces.Discrete(3),
    }
)
SMALL_CNN = {"features_extractor_kwargs": {"features_dim": 8}}

# name: (algo, policy, observation, action, policy_kwargs, algorithm kwargs)
MODELS: dict[str, tuple[str, str, Any, Any, dict[str, Any], dict[str, Any]]] = {
    "ppo-sde": ("PPO", "MlpPolicy", BOX, BOX, {"net_arch": {"pi": [8], "vf": [6, 6]}}, {"use_sde": True}),
    "a2c": (
        "A2C",
        "MlpPolicy",
        BOX,
        spaces.MultiDiscrete([3, 4]),
        {"net_arch": [8], "activation_fn": torch.nn.ReLU},
        {},
    ),
    "ppo-dict": (
        "PPO",
        "MultiInputPolicy",
        DICT,
        spaces.MultiBinary(4),
        {"net_arch": [8], "features_extractor_kwargs": {"cnn_output_dim": 8}},
        {},
    ),
    "sac-sde": ("SAC", "MlpPolicy", BOX, BOX, {"net_arch": [8], "n_critics": 3}, {"use_sde": True}),
    "td3": ("TD3", "MlpPolicy", BOX, BOX, {"net_arch": {"pi": [8], "qf": [6]}}, {}),
    "ddpg": ("DDPG", "MlpPolicy", BOX, BOX, {"net_arch": [8]}, {}),
    "dqn-cnn": ("DQN", "CnnPolicy", IMAGE, spaces.Discrete(3), {"net_arch": [8], **SMALL_CNN}, {}),
    "qrdqn": ("QRDQN", "MlpPolicy", BOX, spaces.Discrete(3), {"net_arch": [8], "n_quantiles": 5}, {}),
    "tqc": ("TQC", "MlpPolicy", BOX, BOX, {"net_arch": [8], "n_critics": 2, "n_quantiles": 5}, {}),
    "trpo": ("TRPO", "MlpPolicy", BOX, spaces.Discrete(2), {"net_arch": [8]}, {}),
    "recurrent-ppo": (
        "RecurrentPPO",
        "MlpLstmPolicy",
        BOX,
        BOX,
        {"net_arch": [8], "lstm_hidden_size": 4, "enable_critic_lstm": False},
        {},
    ),
    "maskable-ppo": ("MaskablePPO", "MlpPolicy", BOX, spaces.Discrete(3), {"net_arch": [8]}, {}),
    "crossq": ("CrossQ", "MlpPolicy", BOX, BOX, {"net_arch": [8]}, {}),
    "ars-linear": ("ARS", "LinearPolicy", BOX, spaces.Discrete(2), {}, {}),
}
ON_POLICY = {"PPO", "A2C", "TRPO", "RecurrentPPO", "MaskablePPO"}


class CustomExtractor(BaseFeaturesExtractor):
    """A features extractor sb3inspect cannot rebuild: the report comes from the state dict."""

    def __init__(self, observation_space: spaces.Box, features_dim: int = 5) -> None:
        super().__init__(observation_space, features_dim)
        self.body = torch.nn.Sequential(
            torch.nn.Linear(int(np.prod(observation_space.shape)), features_dim), torch.nn.Tanh()
        )

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.body(observations)


class Touch:
    """Pickles into ``os.system("touch <marker>")``: what a hostile model file would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, (f"touch {self.marker}",)


def make_model(
    algo: str, policy: str, observation: Any, action: Any, policy_kwargs: dict[str, Any], kwargs: dict[str, Any]
) -> Any:
    cls = algorithm_class(algo)
    extra = dict(kwargs)
    if algo in ON_POLICY:
        extra.update(n_steps=8, **({"batch_size": 8} if algo != "A2C" else {}))
    elif algo != "ARS":
        extra["buffer_size"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(policy, spaces_env(observation, action), policy_kwargs=policy_kwargs, device="cpu", **extra)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """Every model of MODELS, saved by SB3 into a zip, with the live model."""
    folder = tmp_path_factory.mktemp("models")
    out = {}
    for name, args in MODELS.items():
        if args[0] not in installed_algorithms():
            continue  # its tests skip, saying which release it needs
        model = make_model(*args)
        model.save(folder / f"{name}.zip")
        out[name] = (folder / f"{name}.zip", model)
    return out


def comparable(report: Any) -> dict[str, Any]:
    data = report.to_dict()
    for key in ("source", "notes", "policy", "saved_model"):
        data.pop(key, None)
    return data


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_saved_zip_equals_the_live_model(name: str, saved: dict[str, tuple[Path, Any]]) -> None:
    skip_if_lacking(MODELS[name][0])
    path, model = saved[name]
    report = sb3inspect.summary(path)
    assert comparable(report) == comparable(sb3inspect.summary(model))
    assert report.algo == MODELS[name][0]
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"
    assert any("saved weights match the rebuilt policy" in note for note in report.notes)


@pytest.mark.parametrize("name", ["ppo-sde", "ppo-dict", "sac-sde", "td3", "dqn-cnn", "recurrent-ppo", "crossq"])
def test_state_dict_alone_counts_what_the_live_model_has(name: str, saved: dict[str, tuple[Path, Any]]) -> None:
    from sb3inspect.report.statedict import report_from_state_dict
    from sb3inspect.sources.saved.safety import zip_safety
    from sb3inspect.sources.saved.zipread import read_saved

    skip_if_lacking(MODELS[name][0])
    path, model = saved[name]
    entries = zip_safety(path).state_dicts["policy.pth"]
    report = report_from_state_dict(entries, saved=read_saved(path), algo=None, reason="test")
    live = sb3inspect.summary(model)
    assert {n.name: (n.params, n.hidden_sizes) for n in report.networks} == {
        n.name: (n.params, n.hidden_sizes) for n in live.networks
    }
    assert (report.totals.params, report.totals.trainable_params, report.totals.target_params) == (
        live.totals.params,
        live.totals.trainable_params,
        live.totals.target_params,
    )


def test_custom_extractor_is_reported_from_the_state_dict(tmp_path: Path) -> None:
    model = make_model(
        "PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"net_arch": [8], "features_extractor_class": CustomExtractor}, {}
    )
    model.save(tmp_path / "custom.zip")
    report = sb3inspect.summary(tmp_path / "custom.zip")
    live = sb3inspect.summary(model)
    assert report.extra["saved_model"]["rebuilt"] is False
    assert any("custom class tests.test_saved.CustomExtractor" in note for note in report.notes)
    assert report.totals.params == live.totals.params
    assert {n.name: n.params for n in report.networks} == {n.name: n.params for n in live.networks}
    rows = {layer.path: layer for layer in report.network("pi").layers}
    assert (rows["features_extractor.body.0"].type, rows["features_extractor.body.0"].in_features) == ("Linear", 3)
    assert rows["features_extractor.body.0"].shared


def test_a_shape_mismatch_is_reported(
    tmp_path: Path, saved: dict[str, tuple[Path, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, model = saved["ppo-sde"]
    state = model.policy.state_dict()
    state["action_net.weight"] = torch.zeros(3, 5)
    state["extra.weight"] = torch.zeros(2)
    del state["value_net.bias"]
    edited = rewrite(path, tmp_path / "edited.zip", {"policy.pth": torch_bytes(state)})
    report = sb3inspect.summary(edited)
    check = report.to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "mismatch"
    assert check["mismatched"] == [{"name": "action_net.weight", "built": [3, 8], "saved": [3, 5]}]
    assert (check["missing"], check["unexpected"]) == (["value_net.bias"], ["extra.weight"])
    assert main(["inspect", str(edited), "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert (
        "MISMATCH between the saved weights and the rebuilt policy: action_net.weight saved 3×5 but rebuilt 3×8" in out
    )


def test_hostile_data_pickles_run_nothing(
    tmp_path: Path, saved: dict[str, tuple[Path, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from stable_baselines3 import PPO

    marker = tmp_path / "marker"
    path, model = saved["ppo-sde"]
    data = json.loads(zipfile.ZipFile(path).read("data"))
    evil = base64.b64encode(pickle.dumps(Touch(marker))).decode()
    for value in data.values():
        if isinstance(value, dict) and ":serialized:" in value:
            value[":serialized:"] = evil
    hostile = rewrite(path, tmp_path / "hostile.zip", {"data": json.dumps(data).encode()})
    with pytest.raises(Exception):  # noqa: B017 - SB3 fails after the pickle has run
        PPO.load(hostile)
    assert marker.exists(), "the file is not hostile: PPO.load should have run its pickle"
    marker.unlink()

    assert main(["inspect", str(hostile), "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert not marker.exists()
    assert "not a plain class reference (it names posix.system" in " ".join(out.split()) or "nt.system" in out
    report = sb3inspect.summary(hostile)
    assert report.extra["saved_model"]["rebuilt"] is False
    assert report.totals.params == sb3inspect.summary(model).totals.params
    assert not marker.exists()


def test_hostile_weights_run_nothing(tmp_path: Path, saved: dict[str, tuple[Path, Any]]) -> None:
    marker = tmp_path / "marker"
    path, model = saved["sac-sde"]
    payload = torch_bytes({"actor.mu.weight": Touch(marker)})
    torch.load(io.BytesIO(payload), weights_only=False)
    assert marker.exists(), "the payload is not hostile: an unsafe torch.load should have run it"
    marker.unlink()

    hostile = rewrite(path, tmp_path / "hostile.zip", {"policy.pth": payload})
    report = sb3inspect.summary(hostile)
    assert not marker.exists()
    assert report.extra["saved_model"]["state_dict"]["status"] == "not_checked"
    assert any(
        "weights NOT checked: policy.pth was not loaded: calls" in note and ".system" in note for note in report.notes
    )
    assert report.to_dict()["saved_model"]["safety"]["verdict"] == "unsafe"
    assert report.totals == sb3inspect.summary(model).totals


def test_policy_modules_match_the_installed_classes() -> None:
    from sb3inspect.catalog import ALGO_MARKERS, POLICY_MODULES

    for name in installed_algorithms():
        for policy in algorithm_class(name).policy_aliases.values():
            assert name in POLICY_MODULES[policy.__module__], (name, policy)
    for candidates in POLICY_MODULES.values():
        assert len([c for c in candidates if c not in ALGO_MARKERS]) == 1, candidates


def test_a_model_of_an_algorithm_the_installed_release_lacks_is_read_from_its_state_dict(
    saved: dict[str, tuple[Path, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CrossQ zip read where sb3-contrib predates CrossQ: counted from its weights, and the report says why."""
    from sb3inspect import catalog

    skip_if_lacking("CrossQ")  # writing the zip needs CrossQ; reading it is what pretends it is missing
    path, model = saved["crossq"]
    real = catalog.installed_version
    monkeypatch.setattr(catalog, "installed_version", lambda p: "2.3.0" if p == "sb3-contrib" else real(p))
    report = sb3inspect.summary(path)
    assert report.extra["saved_model"]["rebuilt"] is False
    assert any("CrossQ needs sb3-contrib>=2.4.0, you have 2.3.0" in note for note in report.notes), report.notes
    assert report.totals.params == sb3inspect.summary(model).totals.params


def test_the_policy_class_is_read_from_opcodes() -> None:
    from stable_baselines3.common.policies import ActorCriticPolicy

    assert pickle_globals(pickle.dumps(ActorCriticPolicy)) == (
        ["stable_baselines3.common.policies.ActorCriticPolicy"],
        True,
    )
    assert pickle_globals(pickle.dumps(ActorCriticPolicy, protocol=0)) == (
        ["stable_baselines3.common.policies.ActorCriticPolicy"],
        True,
    )
    found, plain = pickle_globals(pickle.dumps(Touch(Path("x"))))
    assert not plain and found[0].endswith(".system")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip at all", "not a valid zip file"),
        ("truncated", "is a truncated or corrupt zip"),
        ("no-data", "no 'data' member"),
        ("bad-json", "'data' member is not JSON"),
        ("huge-int", "'data' member holds a number of more than 4,300 digits"),
        ("bomb", "looks like a zip bomb"),
        ("many", f"more than a saved SB3 model holds (limit {MAX_MEMBERS})"),
        ("big-data", "member 'data' declares"),
    ],
)
def test_bad_zips_are_a_clean_error_fast(
    content: Any, message: str, tmp_path: Path, saved: dict[str, tuple[Path, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "model.zip"
    good = saved["ppo-sde"][0]
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif content == "no-data":
        rewrite(good, path, {"data": None})
    elif content == "bad-json":
        rewrite(good, path, {"data": b"{not json"})
    elif content == "huge-int":
        rewrite(good, path, {"data": b'{"n_envs": ' + b"9" * 5000 + b"}"})
    elif content == "bomb":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data", good.read_bytes()[:0] + zipfile.ZipFile(good).read("data"))
            with archive.open("policy.pth", "w") as member:
                for _ in range(48):
                    member.write(bytes(1 << 20))
    elif content == "many":
        with zipfile.ZipFile(path, "w") as archive:
            for index in range(MAX_MEMBERS + 1):
                archive.writestr(f"m{index}", b"")
    elif content == "big-data":
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("data", "w", force_zip64=True) as member,
        ):
            for _ in range(65):
                member.write(b" " * (1 << 20))
    start = time.perf_counter()
    code = main(["inspect", str(path)])
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert elapsed < 2, f"rejecting took {elapsed:.2f} s"


def test_spaces_from_saved_text() -> None:
    box = {
        ":type:": "<class 'gymnasium.spaces.box.Box'>",
        "dtype": "float32",
        "_shape": [4],
        "low": "[-4.8 -inf -0.41887903 -inf]",
        "high": "[4.8 inf 0.41887903 inf]",
    }
    assert space_of(box, "x") == {
        "type": "Box",
        "shape": [4],
        "dtype": "float32",
        "low": [-4.8, float("-inf"), -0.41887903, float("-inf")],
        "high": [4.8, float("inf"), 0.41887903, float("inf")],
    }
    image = {
        ":type:": "<class 'gymnasium.spaces.box.Box'>",
        "dtype": "uint8",
        "_shape": [3, 40, 40],
        "low": "[[[0 0 0 ... 0 0 0]\n  ...]]",
        "high": "[[[255 255 ... 255]]]",
    }
    assert space_of(image, "x") == {"type": "Box", "shape": [3, 40, 40], "dtype": "uint8", "low": 0, "high": 255}
    dict_space = {
        ":type:": "<class 'gymnasium.spaces.dict.Dict'>",
        "spaces": "{'a': Box(0, 255, (3, 36, 36), uint8), 'b': Discrete(3, start=1), 'c': MultiDiscrete([3 4]), "
        "'d': Box([-1. -2.], [1. 2.], (2,), float32), 'e': MultiBinary(5)}",
    }
    assert space_of(dict_space, "x")["spaces"] == {
        "a": {"type": "Box", "shape": [3, 36, 36], "dtype": "uint8", "low": 0, "high": 255},
        "b": {"type": "Discrete", "n": 3, "start": 1},
        "c": {"type": "MultiDiscrete", "nvec": [3, 4]},
        "d": {"type": "Box", "shape": [2], "dtype": "float32", "low": [-1, -2], "high": [1, 2]},
        "e": {"type": "MultiBinary", "n": 5},
    }
    with pytest.raises(SourceError, match="Tuple space"):
        space_of({":type:": "<class 'gymnasium.spaces.tuple.Tuple'>"}, "x")


def test_algo_flag_and_json(saved: dict[str, tuple[Path, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = saved["a2c"]
    assert main(["inspect", str(path), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        data["algo"] == "A2C"
        and data["saved_model"]["policy_class"] == "stable_baselines3.common.policies.ActorCriticPolicy"
    )
    assert data["saved_model"]["state_dict"] == {
        "status": "match",
        "tensors": 8,
        "mismatched": [],
        "dtypes": [],
        "missing": [],
        "unexpected": [],
    }
    assert summarize_saved(path, algo="ppo").algo == "PPO"


def torch_bytes(obj: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def rewrite(source: Path, target: Path, members: dict[str, bytes | None]) -> Path:
    """A copy of a zip with some members replaced (None: removed)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in members:
                if members[info.filename] is not None:
                    new.writestr(info.filename, members[info.filename])
            else:
                new.writestr(info, old.read(info))
    return target


def test_a_bad_zip_is_found_before_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "model.zip"
    path.write_bytes(b"PK not really")
    code = (
        "import sys; from sb3inspect.cli import main; code = main(['inspect', sys.argv[1]]);"
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert result.returncode == 2 and "not a valid zip file" in result.stderr, result.stderr


def test_policy_pth_is_never_handed_to_torch_load(
    tmp_path: Path, saved: dict[str, tuple[Path, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shapes, dtypes and storages come from policy.pth's pickle, read symbolically: any torch (even one whose
    weights_only loader can be made to run code, < 2.10) checks the weights, and nothing is loaded."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", refuse)
    path, model = saved["td3"]
    report = sb3inspect.summary(path)
    assert comparable(report) == comparable(sb3inspect.summary(model))
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"

    custom = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"features_extractor_class": CustomExtractor}, {})
    custom.save(tmp_path / "custom.zip")
    report = sb3inspect.summary(tmp_path / "custom.zip")
    assert report.extra["saved_model"]["rebuilt"] is False
    assert report.totals.params == sb3inspect.summary(custom).totals.params


@pytest.mark.parametrize(
    ("kwargs", "algo", "critics", "note"),
    [
        ({"policy_delay": 1}, "TD3", 2, "TD3 is read from its saved fields"),
        (
            {"policy_delay": 1, "target_noise_clip": 0.0, "target_policy_noise": 0.1},
            "TD3",
            2,
            "its saved fields fit DDPG, but only a TD3 rebuild matches its weights",
        ),
    ],
)
def test_td3_with_ddpg_like_settings_stays_td3(
    kwargs: dict[str, Any], algo: str, critics: int, note: str, tmp_path: Path
) -> None:
    model = make_model("TD3", "MlpPolicy", BOX, BOX, {"net_arch": [4]}, kwargs)
    model.save(tmp_path / "td3.zip")
    report = sb3inspect.summary(tmp_path / "td3.zip")
    assert report.algo == algo and report.extra["saved_model"]["state_dict"]["status"] == "match", report.notes
    assert comparable(report) == comparable(sb3inspect.summary(model))
    assert sum(layer.path.endswith(".0") for layer in report.network("critic").layers) == critics
    assert any(note in text and "differ in n_critics" in text for text in report.notes), report.notes
    assert not any("the architecture is the same" in text for text in report.notes)


def test_ddpg_is_told_from_td3_by_all_of_its_settings(saved: dict[str, tuple[Path, Any]]) -> None:
    from sb3inspect.catalog import ALGO_MARKERS

    path, _model = saved["ddpg"]
    data = json.loads(zipfile.ZipFile(path).read("data"))
    assert {key: data[key] for key in ALGO_MARKERS["DDPG"]} == ALGO_MARKERS["DDPG"]
    report = sb3inspect.summary(path)
    assert report.algo == "DDPG" and any("the rebuild matches the saved weights" in note for note in report.notes)
    assert not any("does not name its algorithm" in note for note in summarize_saved(path, algo="ddpg").notes)


def test_a_half_precision_model_is_rebuilt_in_half_precision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every saved tensor float16: the rebuild is cast to float16 and matches, dtypes included."""
    model = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"net_arch": [4]}, {})
    live = sb3inspect.summary(model).totals
    model.policy.half()
    model.save(tmp_path / "half.zip")
    report = sb3inspect.summary(tmp_path / "half.zip")
    check = report.to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "match" and check["dtypes"] == [], check
    assert report.totals.dtypes == ("float16",) and report.totals.bytes * 2 == live.bytes
    assert any(note.startswith("rebuilt in float16") for note in report.notes), report.notes
    assert main(["inspect", str(tmp_path / "half.zip"), "--width", "300"]) == 0
    assert "as float16" in capsys.readouterr().out


def test_a_mixed_precision_model_is_not_a_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One tensor float16, the others float32: a difference to report, with the totals at the saved dtypes."""
    model = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"net_arch": [4]}, {})
    live = sb3inspect.summary(model).totals
    model.policy.action_net.half()
    model.save(tmp_path / "mixed.zip")
    report = sb3inspect.summary(tmp_path / "mixed.zip")
    check = report.to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "mismatch" and check["mismatched"] == []
    assert {entry["name"] for entry in check["dtypes"]} == {"action_net.weight", "action_net.bias"}
    assert report.totals.dtypes == ("float16", "float32") and report.totals.bytes == live.bytes - 2 * 10
    assert main(["inspect", str(tmp_path / "mixed.zip"), "--width", "300"]) == 0
    assert "2 tensors saved as float16 but rebuilt as float32" in capsys.readouterr().out


def test_a_truncated_zip_is_called_truncated(tmp_path: Path, saved: dict[str, tuple[Path, Any]]) -> None:
    """Cut anywhere, a model zip is named truncated, never mistaken for the torch zip inside it."""
    good = saved["ppo-sde"][0]
    raw = good.read_bytes()
    inner_end = raw.rfind(b"PK\x05\x06", 0, len(raw) - 22) + 22  # where the last torch file inside ends
    assert zipfile.ZipFile(good).getinfo("data").header_offset < inner_end < len(raw) - 22
    for cut in sorted({len(raw) - 1, len(raw) - 300, inner_end, inner_end + 7, len(raw) // 2, 200}):
        path = tmp_path / f"cut{cut}.zip"
        path.write_bytes(raw[:cut])
        with pytest.raises(SourceError, match="is a truncated or corrupt zip") as caught:
            summarize_saved(path)
        assert "archive/" not in str(caught.value), (cut, caught.value)
    (tmp_path / "junk.zip").write_bytes(raw + b"junk")
    with pytest.raises(SourceError, match="truncated or corrupt"):
        summarize_saved(tmp_path / "junk.zip")


def test_a_torch_archive_without_data_is_called_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "weights.zip"
    path.write_bytes(torch_bytes({"w": torch.zeros(2)}))  # a zip whose members are archive/data.pkl, ...
    with pytest.raises(SourceError, match="truncated or corrupt zip: it shows no 'data' member"):
        summarize_saved(path)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_zip_that_is_not_a_regular_file_is_refused_at_once(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "model.zip"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    start = time.perf_counter()
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not a regular file" in err and err.count("\n") == 1, err
    assert time.perf_counter() - start < 2


def test_a_huge_number_in_a_saved_dict_space_is_unreadable_not_a_crash(
    tmp_path: Path, saved: dict[str, tuple[Path, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    from sb3inspect.render.diagram import render_diagram

    path, model = saved["ppo-dict"]
    data = json.loads(zipfile.ZipFile(path).read("data"))
    data["observation_space"]["spaces"] = data["observation_space"]["spaces"].replace(
        "(1, 36, 36)", "(1, 36, " + "9" * 5000 + ")"
    )
    edited = rewrite(path, tmp_path / "huge.zip", {"data": json.dumps(data).encode()})
    report = sb3inspect.summary(edited)
    assert report.extra["saved_model"]["rebuilt"] is False
    assert any("a number of 5,000 digits" in note for note in report.notes), report.notes
    assert report.observation_space == {"type": "unreadable"} and report.action_space["type"] == "MultiBinary"
    assert report.totals.params == sb3inspect.summary(model).totals.params
    for fmt in ("table", "markdown", "json"):
        assert main(["inspect", str(edited), "-f", fmt]) == 0
        assert "unreadable" in capsys.readouterr().out
    assert b"unreadable" in render_diagram(report, "svg")


def test_a_malformed_state_dict_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"features_extractor_class": CustomExtractor}, {})
    model.save(tmp_path / "custom.zip")
    state = {
        **model.policy.state_dict(),
        "lstm.weight_ih_l0": torch.tensor(1.0),
        "lstm.weight_hh_l0": torch.zeros(4, 4),
    }
    edited = rewrite(tmp_path / "custom.zip", tmp_path / "malformed.zip", {"policy.pth": torch_bytes(state)})
    assert main(["inspect", str(edited)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: ") and "lstm.weight_ih_l0 of shape [], not the 2-D matrix of a recurrent layer" in err
    ), err


def test_weights_are_checked_without_os_pread(
    saved: dict[str, tuple[Path, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.pread is Unix-only: the stored policy.pth is read in place with seek and read, so Windows checks weights too."""
    monkeypatch.delattr(os, "pread", raising=False)
    report = sb3inspect.summary(saved["td3"][0])
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"


@pytest.mark.slow
def test_a_saved_model_from_the_report_cache_prints_what_a_rebuild_prints(
    saved: dict[str, tuple[Path, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Keyed on the zip's bytes: the state-dict check, notes and sizes come back exactly, torch unread."""
    from sb3inspect import pipeline

    custom = make_model("PPO", "MlpPolicy", BOX, spaces.Discrete(2), {"features_extractor_class": CustomExtractor}, {})
    custom.save(tmp_path / "custom.zip")
    paths = [*(path for path, _ in saved.values()), tmp_path / "custom.zip"]
    commands = [[fmt_args, path] for path in paths for fmt_args in (["-f", "json"], ["--explain"], ["-f", "markdown"])]

    def run(*args: Any) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    uncached = [run("inspect", path, *fmt_args, "--no-cache") for fmt_args, path in commands]
    assert [run("inspect", path, *fmt_args) for fmt_args, path in commands] == uncached  # writes the entries

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a hit read the zip again")

    monkeypatch.setattr(pipeline, "summarize_saved", refuse)
    assert [run("inspect", path, *fmt_args) for fmt_args, path in commands] == uncached
    assert run("check", paths[0])[0] == 0


def test_policy_kwargs_only_a_pickle_is_said(tmp_path: Path) -> None:
    """SB3 writes a policy_kwargs dict's keys readably beside its pickle; a file without them is rebuilt with the
    defaults, and the report says so rather than showing the defaults as what the file holds."""
    real = next((Path(__file__).parent / "real-models" / "ppo").rglob("*.zip"))
    target = tmp_path / "pickled-kwargs.zip"
    with zipfile.ZipFile(real) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            raw = old.read(info)
            if info.filename == "data":
                data = json.loads(raw)
                text = base64.b64encode(pickle.dumps(dict(net_arch=[64, 64]))).decode()
                data["policy_kwargs"] = {":type:": "<class 'dict'>", ":serialized:": text}
                raw = json.dumps(data).encode()
            new.writestr(info, raw)
    notes = sb3inspect.summary(target).notes
    assert any(note.startswith("policy_kwargs is only a pickle here") for note in notes), notes
    assert not any("only a pickle here" in note for note in sb3inspect.summary(real).notes)
