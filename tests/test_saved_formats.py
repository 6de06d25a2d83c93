"""Saved zips of every SB3 generation (0.8 - 2.9, gym 0.17 - gymnasium 1.x): rebuilt, held against their tensors.

``fixtures/saved/*.zip`` were written by the real ``model.save()`` of old SB3 / sb3-contrib releases
(README there); ``EXPECTED.json`` says what each holds and which config builds the same policy
today. Every rebuilt report is held against a real CPU build of that config (``tests/reference``).
``real-models`` are five trained agents from the rl-baselines3-zoo collection (attribution in its README).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.errors import SourceError
from sb3inspect.sources.config import spec_from_mapping
from sb3inspect.sources.saved.fields import space_of
from sb3inspect.sources.saved.zipread import parse_system_info

from .conftest import lacking, skip_if_lacking
from .reference import cpu_model
from .test_saved import make_model, rewrite, torch_bytes

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "saved"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FORMATS / "EXPECTED.json").read_text())
REAL = Path(__file__).parent / "real-models"
BOX2 = spaces.Box(-1, 1, (2,), np.float32)
IMAGE = spaces.Box(0, 255, (1, 36, 36), np.uint8)


def networks(report: Any) -> dict[str, Any]:
    """Per network: its rows (path, type, params), total and hidden sizes; what a rebuild must equal."""
    return {
        n.name: (n.params, tuple(n.hidden_sizes), [(layer.path, layer.type, layer.params) for layer in n.layers])
        for n in report.networks
    }


def totals(report: Any) -> tuple[int, int, int]:
    return report.totals.params, report.totals.trainable_params, report.totals.target_params


def space_facts(spec: Any) -> Any:
    """A space's type and sizes (bounds aside: gym wrote them in several ways)."""
    spec = dict(spec)
    if spec["type"] == "Dict":
        return {"Dict": {key: space_facts(sub) for key, sub in spec["spaces"].items()}}
    return {key: spec[key] for key in ("type", "shape", "dtype", "n", "nvec", "start") if key in spec}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_saved_format_is_read(name: str) -> None:
    """Spaces, activation, net_arch and version come from the fields, whether or not today's SB3 can rebuild it."""
    expected = EXPECTED[name]
    report = sb3inspect.summary(FORMATS / name)
    saved = report.extra["saved_model"]
    assert report.algo == expected["algo"], report.notes
    assert saved["sb3_version"] == expected["sb3_version"]
    data = report.to_dict()
    assert space_facts(data["observation_space"]) == space_facts(
        spec_from_mapping(
            {"algo": "PPO", "observation_space": expected["observation_space"], "action_space": "discrete:2"}
        ).observation_space
    )
    assert space_facts(data["action_space"]) == space_facts(expected["action_space"])
    assert report.activation_fn == expected["activation"]
    assert report.net_arch is not None or expected["net_arch"] is None
    assert report.totals.params == expected["params"]
    # where the installed release lacks the algorithm (CrossQ before sb3-contrib 2.4), the state dict alone counts it
    assert saved["rebuilt"] is (expected["rebuilt"] and lacking(expected["algo"]) is None), report.notes


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(name for name, e in EXPECTED.items() if e["rebuilt"]))
def test_saved_formats_rebuild_as_todays_equivalent_config(name: str) -> None:
    """The rebuild matches every saved tensor and equals a real CPU build of the config that builds it today."""
    expected = EXPECTED[name]
    skip_if_lacking(expected["algo"])
    report = sb3inspect.summary(FORMATS / name)
    check = report.extra["saved_model"]["state_dict"]
    assert check["status"] == "match", (check, report.notes)
    spec = spec_from_mapping(expected["today_config"])
    model = cpu_model(spec)
    if expected["float16"]:
        model.policy.half()
    live = sb3inspect.summary(model)
    assert networks(report) == networks(live)
    assert totals(report) == totals(live)
    assert report.totals.dtypes == live.totals.dtypes


SHARED_LAYERS = sorted(name for name in EXPECTED if "shared-layers" in name or "shared-then-split" in name)


@pytest.mark.parametrize("name", SHARED_LAYERS)
def test_shared_layers_are_reported_in_pi_and_vf_counted_once(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """SB3 < 1.8's shared layers: listed in pi and vf, marked shared, counted once, and SB3 >= 1.8's refusal said."""
    report = sb3inspect.summary(FORMATS / name)
    assert report.names == ["pi", "vf"], report.names
    for network in ("pi", "vf"):
        shared = [layer for layer in report.network(network).layers if "shared_net" in layer.path]
        assert shared and all(layer.shared for layer in shared)
    pi, vf = report.network("pi"), report.network("vf")
    shared_params = sum(layer.params for layer in pi.layers if layer.shared)
    assert report.totals.params == pi.params + vf.params - shared_params == EXPECTED[name]["params"]
    reason = report.extra["saved_model"]["state_dict"]["reason"]
    assert "SB3 >= 1.8 cannot build or load this file" in reason and "today's closest config is net_arch:" in reason
    assert main(["inspect", str(FORMATS / name), "--width", "400"]) == 0
    out = capsys.readouterr().out
    assert "shared" in out and "SB3 >= 1.8 cannot build or load this file" in out


def test_shared_then_split_hidden_sizes_and_equivalent() -> None:
    report = sb3inspect.summary(FORMATS / "sb3-1.0_ppo_shared-then-split.zip")
    assert (report.network("pi").hidden_sizes, report.network("vf").hidden_sizes) == ((8, 8), (8, 8))
    assert "today's closest config is net_arch: {pi: [8, 8], vf: [8, 8]}" in " ".join(report.notes)
    assert report.net_arch == (8, {"pi": (8,), "vf": (8,)})


def test_sde_net_arch_layers_are_reported_from_the_state_dict() -> None:
    """gSDE's sde_net_arch (SB3 <= 1.2) built layers no later release builds: counted once, in pi."""
    report = sb3inspect.summary(FORMATS / "sb3-1.2.0_ppo_gsde_sde-net-arch.zip")
    rows = {layer.path: layer for layer in report.network("pi").layers}
    assert "sde_features_extractor.0" in rows and rows["log_std"].shape == (8, 2)
    assert report.network("pi").hidden_sizes == (8,)
    assert "sde_net_arch [8] built sde_features_extractor layers" in report.extra["saved_model"]["state_dict"]["reason"]


def test_ignored_sde_net_arch_is_left_out_with_a_note() -> None:
    report = sb3inspect.summary(FORMATS / "sb3-1.5.0_sac_gsde_sde-net-arch-ignored.zip")
    assert any("sde_net_arch=[8] left out" in note and "TypeError" in note for note in report.notes), report.notes


def test_old_off_policy_cnn_defaults_are_read_by_the_weights() -> None:
    """SAC CnnPolicy saved by 1.5: net_arch [] and one extractor for actor and critic (today: [256, 256], two)."""
    report = sb3inspect.summary(FORMATS / "sb3-1.5.0_sac_cnn_old-defaults-shared-extractor.zip")
    assert report.network("actor").hidden_sizes == () and report.features_extractor["shared"] is True
    assert any("share_features_extractor=True, net_arch=[] (the defaults of SB3 1.5.0)" in n for n in report.notes)


def test_an_old_default_the_weights_contradict_is_not_kept(tmp_path: Path) -> None:
    """A file that says 1.5.0 but holds today's separate extractors: the weights decide, and the note says so."""
    model = make_model(
        "SAC", "CnnPolicy", IMAGE, BOX2, {"net_arch": [4], "features_extractor_kwargs": {"features_dim": 4}}, {}
    )
    model.save(tmp_path / "sac.zip")
    data = json.loads(zipfile.ZipFile(tmp_path / "sac.zip").read("data"))
    data["policy_kwargs"] = {"net_arch": [4], "features_extractor_kwargs": {"features_dim": 4}, "use_sde": False}
    edited = rewrite(
        tmp_path / "sac.zip",
        tmp_path / "old.zip",
        {"data": json.dumps(data).encode(), "_stable_baselines3_version": b"1.5.0"},
    )
    report = sb3inspect.summary(edited)
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"
    assert report.features_extractor["shared"] is False
    assert any("not the defaults of SB3 1.5.0: the weights match these" in note for note in report.notes), report.notes


def test_actor_critic_before_1_7_saved_the_extractor_once() -> None:
    """SB3 < 1.7 saved features_extractor.* only; today's pi_/vf_ names are aliases of it, not missing."""
    report = sb3inspect.summary(FORMATS / "sb3-1.3.0_ppo_multiinput-image_gym019-dict.zip")
    check = report.to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "match" and check["missing"] == []
    assert check["aliases_not_saved"] and all(
        name.startswith(("pi_features_extractor.", "vf_features_extractor.")) for name in check["aliases_not_saved"]
    )


def test_ars_linear_weights_are_renamed_as_load_renames_them() -> None:
    report = sb3inspect.summary(FORMATS / "sb3contrib-1.4.0_ars_linear_action-net-weight.zip")
    check = report.to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "match"
    assert check["renamed"] == [{"saved": "action_net.weight", "as": "action_net.0.weight"}]


def test_her_1_0_names_its_algorithm_in_model_class() -> None:
    report = sb3inspect.summary(FORMATS / "sb3-1.0_her-dqn_bitflip-multibinary.zip")
    assert report.algo == "DQN" and dict(report.observation_space) == {"type": "MultiBinary", "n": 8}
    assert any("saved by HER (SB3 <= 1.0), which wraps DQN" in note for note in report.notes)


def test_policy_kwargs_rewrites_of_load_are_noted() -> None:
    device = sb3inspect.summary(FORMATS / "sb3-0.8.0_sac_policy-kwargs-device.zip")
    assert any("policy_kwargs.device='cpu' left out" in note for note in device.notes), device.notes
    assert device.extra["saved_model"]["sb3_version"] is None
    listed = sb3inspect.summary(FORMATS / "sb3-1.8.0_ppo_net-arch-list-dict-still-accepted.zip")
    assert dict(listed.net_arch) == {"pi": (8,), "vf": (16,)} and not listed.findings
    assert any("SB3's load() unwraps it to {pi: [8], vf: [16]}" in note for note in listed.notes), listed.notes


def test_the_saving_release_is_in_the_header_and_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = REAL / "ppo" / "Hopper-v3_1" / "Hopper-v3.zip"
    assert main(["inspect", str(path), "--width", "200"]) == 0
    out = capsys.readouterr().out
    assert "saved by     SB3 1.3.1a2 · Python 3.7.10 · PyTorch 1.10.0 · gym 0.19.0 · numpy 1.21.3" in out
    assert main(["inspect", str(path), "-f", "json"]) == 0
    saved = json.loads(capsys.readouterr().out)["saved_model"]
    assert saved["sb3_version"] == "1.3.1a2"
    assert saved["system_info"]["python"] == "3.7.10" and saved["system_info"]["gym"] == "0.19.0"
    assert main(["inspect", str(FORMATS / "sb3-0.8.0_sac_policy-kwargs-device.zip")]) == 0
    assert "saved by     SB3 < 0.9 (the file has no version member)" in capsys.readouterr().out


def test_system_info_in_both_line_formats() -> None:
    old = "OS: Linux #1 SMP\nPython: 3.7.9\nStable-Baselines3: 1.3.1a7\nPyTorch: 1.10.0+cpu\nGPU Enabled: False\nGym: 0.19.0\n"
    new = (
        "- OS: Linux # 1 SMP\n- Python: 3.11.7\n- Stable-Baselines3: 2.4.0\n- OpenAI Gym: 0.26.2\n- Gymnasium: 1.0.0\n"
    )
    assert parse_system_info(old) == {
        "os": "Linux #1 SMP",
        "python": "3.7.9",
        "stable_baselines3": "1.3.1a7",
        "pytorch": "1.10.0+cpu",
        "gpu_enabled": "False",
        "gym": "0.19.0",
    }
    assert parse_system_info(new)["gym"] == "0.26.2" and parse_system_info(new)["gymnasium"] == "1.0.0"


# --- the five real agents -----------------------------------------------------------------------------

REAL_MODELS = {
    # path: (algo, SB3 version, observation shape, activation, parameters)
    "dqn/CartPole-v1_1/CartPole-v1.zip": ("DQN", "1.0rc0", [4], "ReLU", 135_172),
    "her/FetchReach-v1_1/FetchReach-v1.zip": ("SAC", "1.0rc2", [13], "ReLU", 354_060),
    "ppo/Hopper-v3_1/Hopper-v3.zip": ("PPO", "1.3.1a2", [11], "ReLU", 138_759),
    "sac/Swimmer-v3_1/Swimmer-v3.zip": ("SAC", "1.3.1a0", [8], "ReLU", 344_584),
    "trpo/ReacherBulletEnv-v0_1/ReacherBulletEnv-v0.zip": ("TRPO", "1.3.1a7", [9], "ReLU", 137_477),
}


@pytest.mark.parametrize("name", list(REAL_MODELS))
def test_real_agents_are_rebuilt_and_match(name: str) -> None:
    algo, version, shape, activation, params = REAL_MODELS[name]
    report = sb3inspect.summary(REAL / name)
    saved = report.extra["saved_model"]
    assert saved["rebuilt"] and saved["state_dict"]["status"] == "match", report.notes
    assert (report.algo, saved["sb3_version"], report.to_dict()["observation_space"]["shape"]) == (algo, version, shape)
    assert report.activation_fn == activation and report.net_arch is not None
    assert report.totals.params == params


# --- the readable fields, in every form gym and gymnasium wrote ---------------------------------------

GYM_BOX = {":type:": "<class 'gym.spaces.box.Box'>", "dtype": "float32", "shape": [4]}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {
                **GYM_BOX,
                "low": "[-4.8000002e+00 -3.4028235e+38 -4.1887903e-01 -3.4028235e+38]",
                "high": "[4.8 3.4028235e+38 0.4 3.4028235e+38]",
            },
            {
                "type": "Box",
                "shape": [4],
                "dtype": "float32",
                "low": [-4.8000002, -3.4028235e38, -0.41887903, -3.4028235e38],
                "high": [4.8, 3.4028235e38, 0.4, 3.4028235e38],
            },
        ),
        (
            {
                **GYM_BOX,
                "shape": [30],
                "low": "[-inf -inf -inf -inf -inf -inf -inf -inf -inf -inf -inf -inf -inf -inf\n -inf -inf]",
                "high": "[inf inf]",
            },
            {"type": "Box", "shape": [30], "dtype": "float32", "low": float("-inf"), "high": float("inf")},
        ),
        (
            {
                ":type:": "<class 'gymnasium.spaces.box.Box'>",
                "dtype": "float32",
                "_shape": [3],
                "low": "[-1. -2. -3.]",
                "high": "[1. 2. 3.]",
                "low_repr": "[-1. -2. -3.]",
                "high_repr": "3.0",
            },
            {"type": "Box", "shape": [3], "dtype": "float32", "low": [-1, -2, -3], "high": 3},
        ),
        ({":type:": "<class 'gym.spaces.discrete.Discrete'>", "n": 2, "shape": []}, {"type": "Discrete", "n": 2}),
        (
            {":type:": "<class 'gymnasium.spaces.discrete.Discrete'>", "n": "2", "start": "0"},
            {"type": "Discrete", "n": 2},
        ),
        (
            {":type:": "<class 'gymnasium.spaces.discrete.Discrete'>", "n": "4", "start": "1"},
            {"type": "Discrete", "n": 4, "start": 1},
        ),
        (
            {":type:": "<class 'gym.spaces.multi_binary.MultiBinary'>", "n": [2, 3]},
            {"type": "MultiBinary", "n": [2, 3]},
        ),
        (
            {":type:": "<class 'gym.spaces.multi_discrete.MultiDiscrete'>", "nvec": "[3 4]"},
            {"type": "MultiDiscrete", "nvec": [3, 4]},
        ),
    ],
)
def test_saved_spaces_in_every_form(entry: dict[str, Any], expected: dict[str, Any]) -> None:
    assert space_of(entry, "x") == expected


DICT_FORMS = {
    "gym 0.17 - 0.18": "OrderedDict([('achieved_goal', Box(-inf, inf, (3,), float32)), ('desired_goal', Box(-inf, inf, (3,), float32)), ('observation', Box(-1.0, 1.0, (5,), float32))])",
    "gym 0.19 - 0.21": "OrderedDict([('achieved_goal', Box([-inf -inf -inf], [inf inf inf], (3,), float32)), ('desired_goal', Box([-inf -inf -inf], [inf inf inf], (3,), float32)), ('observation', Box([-1. -1. -1. -1. -1.], [1. 1. 1. 1. 1.], (5,), float32))])",
    "gymnasium < 1.0, Python 3.12": "OrderedDict({'achieved_goal': Box(-inf, inf, (3,), float32), 'desired_goal': Box(-inf, inf, (3,), float32), 'observation': Box(-1.0, 1.0, (5,), float32)})",
    "gymnasium >= 1.0": "{'achieved_goal': Box(-inf, inf, (3,), float32), 'desired_goal': Box(-inf, inf, (3,), float32), 'observation': Box(-1.0, 1.0, (5,), float32)}",
}


@pytest.mark.parametrize("form", list(DICT_FORMS))
def test_the_four_dict_texts_read_alike(form: str) -> None:
    spaces = space_of({":type:": "<class 'gymnasium.spaces.dict.Dict'>", "spaces": DICT_FORMS[form]}, "x")["spaces"]
    assert list(spaces) == ["achieved_goal", "desired_goal", "observation"]
    assert [space_facts(s) for s in spaces.values()] == [
        {"type": "Box", "shape": [3], "dtype": "float32"},
        {"type": "Box", "shape": [3], "dtype": "float32"},
        {"type": "Box", "shape": [5], "dtype": "float32"},
    ]


def test_dict_text_edge_cases() -> None:
    text = "{'a, (b)': Box(0, 255, (1, 36, 36), uint8), 'c': Discrete(3, start=1), 'd': MultiBinary((2, 3))}"
    spaces = space_of({":type:": "<class 'gymnasium.spaces.dict.Dict'>", "spaces": text}, "x")["spaces"]
    assert spaces == {
        "a, (b)": {"type": "Box", "shape": [1, 36, 36], "dtype": "uint8", "low": 0, "high": 255},
        "c": {"type": "Discrete", "n": 3, "start": 1},
        "d": {"type": "MultiBinary", "n": [2, 3]},
    }
    with pytest.raises(SourceError, match="a Dict inside a Dict"):
        space_of({":type:": "<class 'gymnasium.spaces.dict.Dict'>", "spaces": "{'a': Dict('b': Discrete(2))}"}, "x")


# --- synthesized: today's zips rewritten into older forms ------------------------------------------------


def test_a_python_312_dict_text_rebuilds(tmp_path: Path) -> None:
    """gymnasium 0.29 on Python 3.12 wrote OrderedDict({...}); no fixture release did, so one is synthesized."""
    goal = spaces.Dict({"achieved_goal": spaces.Box(-1, 1, (3,)), "observation": spaces.Box(-1, 1, (5,))})
    model = make_model("SAC", "MultiInputPolicy", goal, BOX2, {"net_arch": [4]}, {})
    model.save(tmp_path / "sac.zip")
    data = json.loads(zipfile.ZipFile(tmp_path / "sac.zip").read("data"))
    data["observation_space"]["spaces"] = (
        "OrderedDict({'achieved_goal': Box(-1.0, 1.0, (3,), float32), 'observation': Box(-1.0, 1.0, (5,), float32)})"
    )
    report = sb3inspect.summary(
        rewrite(tmp_path / "sac.zip", tmp_path / "py312.zip", {"data": json.dumps(data).encode()})
    )
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"
    assert networks(report) == networks(sb3inspect.summary(model))


def test_a_gym_era_box_with_shape_rebuilds(tmp_path: Path) -> None:
    """gym <= 0.19 saved ``shape``, not ``_shape``, and numpy's text wrapped over several lines."""
    model = make_model("PPO", "MlpPolicy", spaces.Box(-1, 1, (30,)), spaces.Discrete(2), {"net_arch": [4]}, {})
    model.save(tmp_path / "ppo.zip")
    data = json.loads(zipfile.ZipFile(tmp_path / "ppo.zip").read("data"))
    box = data["observation_space"]
    box[":type:"] = "<class 'gym.spaces.box.Box'>"
    box["shape"] = box.pop("_shape")
    for key in ("low_repr", "high_repr"):
        box.pop(key)
    box["low"] = "[" + " ".join(["-1."] * 15) + "\n " + " ".join(["-1."] * 15) + "]"
    data["action_space"] = {":type:": "<class 'gym.spaces.discrete.Discrete'>", ":serialized:": "", "n": 2, "shape": []}
    report = sb3inspect.summary(
        rewrite(tmp_path / "ppo.zip", tmp_path / "gym.zip", {"data": json.dumps(data).encode()})
    )
    assert report.extra["saved_model"]["state_dict"]["status"] == "match"
    assert report.to_dict()["observation_space"] == {
        "type": "Box",
        "shape": [30],
        "dtype": "float32",
        "low": -1,
        "high": 1,
    }


def test_a_renamed_state_dict_entry_is_not_renamed_for_other_algorithms(tmp_path: Path) -> None:
    """The ARS rename applies to ARS only: a PPO whose action_net lost a name is a mismatch."""
    model = make_model("PPO", "MlpPolicy", BOX2, spaces.Discrete(2), {"net_arch": [4]}, {})
    model.save(tmp_path / "ppo.zip")
    state = model.policy.state_dict()
    state["action_net.0.weight"] = state.pop("action_net.weight")
    edited = rewrite(tmp_path / "ppo.zip", tmp_path / "renamed.zip", {"policy.pth": torch_bytes(state)})
    check = sb3inspect.summary(edited).to_dict()["saved_model"]["state_dict"]
    assert check["status"] == "mismatch" and check["missing"] == ["action_net.weight"] and "renamed" not in check


def test_the_float16_fixture_is_rebuilt_in_float16() -> None:
    report = sb3inspect.summary(FORMATS / "sb3-2.4.0_ppo_float16_betas-tuple.zip")
    assert report.totals.dtypes == ("float16",) and report.extra["saved_model"]["state_dict"]["status"] == "match"


@pytest.mark.parametrize("legacy", [False, True])
def test_policy_pth_entries_come_from_its_pickle_in_both_torch_formats(legacy: bool, tmp_path: Path) -> None:
    """Shapes, dtypes and shared storages, read from the pickle alone, as torch.load would give them."""
    import io

    import torch

    from sb3inspect.sources.saved.pickles import Budget, tensor_entries, torch_allowed
    from sb3inspect.sources.saved.safety import torch_reads

    shared = torch.zeros(3, 4)
    state = {"a.weight": shared, "b.weight": shared, "half": torch.zeros(2, dtype=torch.float16), "view": shared[1]}
    buffer = io.BytesIO()
    torch.save(state, buffer, _use_new_zipfile_serialization=not legacy)
    reads, is_legacy = torch_reads(buffer, torch_allowed(), Budget())
    assert is_legacy is legacy
    entries = next(e for read in reads if (e := tensor_entries(read.value)) is not None)
    assert {name: (e.shape, e.dtype) for name, e in entries.items()} == {
        "a.weight": ((3, 4), "float32"),
        "b.weight": ((3, 4), "float32"),
        "half": ((2,), "float16"),
        "view": ((4,), "float32"),
    }
    assert entries["a.weight"].storage == entries["b.weight"].storage != entries["view"].storage
