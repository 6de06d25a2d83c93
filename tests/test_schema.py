"""The JSON Schema of the report (sb3inspect/report/schema.json) is valid, shipped, and holds for real reports.

Every report the suite makes is also validated when it is made (tests/conftest.py wraps
``PolicyReport.__init__`` and ``ReportDiff.__init__``); these tests add the outputs of the CLI and of
the configs the suite only builds in a subprocess, and check that the schema is strict where it should be.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import sb3inspect
from sb3inspect.cli import app

from .conftest import DIFF_SCHEMA, ROOT, SCHEMA, VIOLATIONS, schema_errors, skip_if_lacking
from .test_perf_guards import CONFIGS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = sorted(p for p in (ROOT / "configs").iterdir() if p.suffix in (".yaml", ".json", ".toml"))
runner = CliRunner()


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(DIFF_SCHEMA.schema)


def test_the_schema_ships_in_the_package() -> None:
    shipped = files("sb3inspect.report").joinpath("schema.json")
    assert shipped.is_file() and json.loads(shipped.read_text()) == SCHEMA
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "report/schema.json" in package_data["sb3inspect"]


def test_the_schema_names_every_key_a_report_always_writes() -> None:
    """Optional top-level keys a source adds (saved_model, run_folder) aside, the schema names exactly the report's own."""
    always = set(sb3inspect.PolicyReport.KEYS)
    assert set(SCHEMA["required"]) == always == set(SCHEMA["properties"]) - {"saved_model", "run_folder"}


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: p.name)
def test_every_bundled_config_reports_valid_json(path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert schema_errors(json.loads(result.stdout)) == []


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c['algo']}-{c['observation_space']}")
def test_every_performance_config_reports_valid_json(config: dict[str, Any]) -> None:
    """test_perf_guards builds these in a subprocess, out of the conftest hook's sight."""
    skip_if_lacking(config["algo"])
    assert schema_errors(sb3inspect.summary(config).to_dict()) == []


def test_a_diff_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = runner.invoke(
        app,
        [
            "diff",
            str(ROOT / "configs" / "sac-halfcheetah.yaml"),
            str(ROOT / "configs" / "td3-pendulum.yaml"),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["facts"] and schema_errors(data, DIFF_SCHEMA) == []


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return sb3inspect.summary(ROOT / "configs" / "ppo-101-64x64.yaml").to_dict()


def test_new_keys_are_welcome_at_the_top_and_in_saved_model(seed: dict[str, Any]) -> None:
    saved = {"path": "a.zip", "sb3_version": "2.9.2", "policy_class": None, "rebuilt": False}
    grown = {
        **seed,
        "hyperparameters": {"n_steps": 256},
        "saved_model": {
            **saved,
            "state_dict": {"status": "not_rebuilt", "tensors": 3, "reason": "custom"},
            "format": {},
        },
    }
    assert schema_errors(grown) == []


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["networks"][0]["layers"][0].update(colour="red"), "networks/0/layers/0"),
        (lambda d: d["networks"][0].update(params=-1), "networks/0/params"),
        (lambda d: d["networks"][0].update(hidden_sizes=["64"]), "networks/0/hidden_sizes/0"),
        (lambda d: d["totals"].update(params=1.5), "totals/params"),
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d.pop("totals"), "top"),
        (lambda d: d["observation_space"].pop("shape"), "observation_space"),
        (lambda d: d["networks"][0]["layers"][0].update(part="neck"), "networks/0/layers/0/part"),
        (lambda d: d.update(saved_model={"path": "a.zip"}), "saved_model"),
    ],
    ids=[
        "unknown-layer-key",
        "negative",
        "string-width",
        "float-count",
        "version",
        "missing-key",
        "box-shape",
        "part",
        "saved",
    ],
)
def test_the_schema_is_strict_about_types(seed: dict[str, Any], edit: Any, where: str) -> None:
    data = json.loads(json.dumps(seed))
    edit(data)
    assert any(error.startswith(f"at {where}:") for error in schema_errors(data)), schema_errors(data)


def test_the_suite_checks_every_report_it_makes() -> None:
    report = sb3inspect.summary(ROOT / "configs" / "ppo-101-64x64.yaml")
    with pytest.raises(AssertionError, match=re.escape("breaks sb3inspect/report/schema.json: at totals/params")):
        dataclasses.replace(report, totals=dataclasses.replace(report.totals, params=-1))
    assert VIOLATIONS
    VIOLATIONS.clear()  # this one was on purpose
