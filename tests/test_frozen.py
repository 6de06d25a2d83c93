"""A report is deeply immutable and hashable; ``to_dict()`` hands out copies; ``extra`` adds keys, never replaces them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import sb3inspect
from sb3inspect import Layer, Network, PolicyReport
from sb3inspect.report.frozen import FrozenDict, freeze, thaw

SEED = {
    "algo": "PPO",
    "observation_space": 101,
    "action_space": "discrete:4",
    "policy_kwargs": {"net_arch": {"pi": [64, 64], "vf": [32]}},
}


@pytest.fixture(scope="module")
def report() -> PolicyReport:
    return sb3inspect.summary(SEED)


@pytest.fixture(scope="module")
def saved_report(tmp_path_factory: pytest.TempPathFactory) -> PolicyReport:
    """A report with an ``extra`` entry (a saved model's ``saved_model``)."""
    import gymnasium

    from .test_saved import BOX, make_model

    model = make_model("PPO", "MlpPolicy", BOX, gymnasium.spaces.Discrete(2), {"net_arch": [8]}, {})
    path = tmp_path_factory.mktemp("frozen") / "ppo.zip"
    model.save(path)
    return sb3inspect.summary(path)


def test_fields_cannot_be_reassigned(report: PolicyReport) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.algo = "SAC"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.network("pi").layers[0].params = 0  # type: ignore[misc]


def test_nested_lists_and_mappings_cannot_be_changed(report: PolicyReport, saved_report: PolicyReport) -> None:
    pi = report.network("pi")
    assert pi.hidden_sizes == (64, 64) and list(pi.hidden_sizes) == [64, 64]
    with pytest.raises(AttributeError):
        pi.hidden_sizes.append(128)  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        report.observation_space["shape"] = [7]  # type: ignore[index]
    with pytest.raises(AttributeError):
        report.observation_space["shape"].append(7)
    with pytest.raises(TypeError):
        report.net_arch["pi"] = [1]
    with pytest.raises(TypeError):
        report.features_extractor["class"] = "NatureCNN"  # type: ignore[index]
    with pytest.raises(TypeError):
        saved_report.extra["saved_model"]["rebuilt"] = False
    with pytest.raises(TypeError):
        report.totals.dtypes[0] = "float16"  # type: ignore[index]
    with pytest.raises(AttributeError):
        report.observation_space._items = {}  # type: ignore[attr-defined]


def test_to_dict_hands_out_copies(report: PolicyReport, saved_report: PolicyReport) -> None:
    for subject in (report, saved_report):
        before = subject.to_json()
        data = subject.to_dict()
        data["observation_space"]["shape"].append(7)
        data["networks"][0]["hidden_sizes"].clear()
        data["networks"][0]["layers"][0]["param_shapes"] = {}
        data["totals"]["dtypes"].append("float16")
        if isinstance(data["net_arch"], dict):
            data["net_arch"]["pi"].append(1)
        if "saved_model" in data:
            data["saved_model"]["state_dict"]["status"] = "edited"
        assert subject.to_json() == before
    assert report.to_dict() is not report.to_dict()
    assert json.loads(saved_report.to_json())["saved_model"]["state_dict"]["status"] == "match"


def test_reports_hash_and_equal_reports_hash_equal(report: PolicyReport, saved_report: PolicyReport) -> None:
    again = sb3inspect.summary(SEED)
    assert again == report and again is not report
    assert hash(again) == hash(report)
    assert len({report, again, saved_report}) == 2
    assert hash(saved_report) == hash(dataclasses.replace(saved_report))
    other = sb3inspect.summary({**SEED, "policy_kwargs": {"net_arch": [64, 64]}})
    assert other != report


def test_lists_given_at_construction_are_stored_frozen() -> None:
    layer = Layer(path="w", type="Parameter", params=6, shape=[2, 3])  # type: ignore[arg-type]
    network = Network(
        name="pi", role="policy", params=6, trainable_params=6, target=False, hidden_sizes=[4], layers=[layer]
    )  # type: ignore[arg-type]
    assert (layer.shape, network.hidden_sizes, network.layers) == ((2, 3), (4,), (layer,))
    hash(network)


def test_extra_cannot_replace_a_report_key(report: PolicyReport) -> None:
    for key in ("algo", "totals", "networks", "schema_version"):
        with pytest.raises(ValueError, match=f"extra would replace the report's own key\\(s\\) {key}"):
            dataclasses.replace(report, extra={key: "shadow", "mine": 1})
    added = dataclasses.replace(report, extra={"mine": {"a": [1]}})
    assert added.to_dict()["mine"] == {"a": [1]} and added.to_dict()["algo"] == "PPO"


def test_the_keys_to_dict_always_writes_are_the_reserved_ones(report: PolicyReport) -> None:
    assert set(report.to_dict()) == PolicyReport.KEYS


def test_freeze_and_thaw_round_trip() -> None:
    import numpy as np

    value: Any = {"a": [1, {"b": (2, 3)}], "c": None, "d": np.int64(4), "e": np.float32(0.5)}
    frozen = freeze(value)
    assert isinstance(frozen, FrozenDict) and frozen["a"] == (1, FrozenDict({"b": (2, 3)}))
    assert type(frozen["d"]) is int and type(frozen["e"]) is float
    assert thaw(frozen) == {"a": [1, {"b": [2, 3]}], "c": None, "d": 4, "e": 0.5}
    assert frozen == {"a": (1, {"b": (2, 3)}), "c": None, "d": 4, "e": 0.5}
    assert hash(frozen) == hash(freeze(thaw(frozen)))
    with pytest.raises(TypeError, match="JSON values only"):
        freeze({"path": Path("x")})
