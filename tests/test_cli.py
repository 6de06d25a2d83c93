"""The sb3inspect command, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sb3inspect.cli import app, main

from .conftest import ROOT

runner = CliRunner()
SEED = str(ROOT / "configs" / "ppo-101-64x64.yaml")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_seed_table_golden(golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = invoke("inspect", "configs/ppo-101-64x64.yaml", "--width", "100")
    assert result.exit_code == 0, result.output
    golden("ppo-101-64x64.txt", result.stdout)


def test_seed_table_has_the_numbers() -> None:
    out = invoke("inspect", SEED).stdout
    for text in (
        "mlp_extractor.policy_net.0",
        "101 → 64",
        "64×101",
        "6,528",
        "4,160",
        "260",
        "10,948",
        "10,753",
        "21,701 params",
        "84.8 KiB",
    ):
        assert text in out


def test_quick_flags_equal_the_file() -> None:
    by_file = json.loads(invoke("inspect", SEED, "-f", "json").stdout)
    by_flags = json.loads(
        invoke(
            "inspect", "--algo", "ppo", "--obs", "101", "--act", "discrete:4", "--net-arch", "64,64", "-f", "json"
        ).stdout
    )
    for data in (by_file, by_flags):
        data.pop("source")
    assert by_file == by_flags


def test_json_shape_follows_the_request_not_the_successes(tmp_path: Path) -> None:
    """One config or saved model: an object. Several sources, or an rl-zoo3 file without one --env: an array,
    however many of them could be read (a script parses one shape whatever failed)."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("algo: PPO\n")
    zoo = tmp_path / "ppo.yml"
    zoo.write_text("CartPole-v1:\n  policy: MlpPolicy\n")
    one = invoke("inspect", SEED, "-f", "json")
    assert one.exit_code == 0 and isinstance(json.loads(one.stdout), dict)
    with_a_failure = invoke("inspect", SEED, str(broken), "-f", "json")
    assert with_a_failure.exit_code == 2 and [r["algo"] for r in json.loads(with_a_failure.stdout)] == ["PPO"]
    all_failed = invoke("inspect", str(broken), str(broken), "-f", "json")
    assert all_failed.exit_code == 2 and json.loads(all_failed.stdout) == []
    whole_file = invoke("inspect", str(zoo), "-f", "json")
    assert whole_file.exit_code == 0 and len(json.loads(whole_file.stdout)) == 1
    one_entry = invoke("inspect", str(zoo), "--env", "CartPole-v1", "-f", "json")
    assert one_entry.exit_code == 0 and isinstance(json.loads(one_entry.stdout), dict)


def test_json_schema_per_design() -> None:
    data = json.loads(invoke("inspect", SEED, "-f", "json").stdout)
    assert data["schema_version"] == 1
    assert (data["algo"], data["policy_class"]) == ("PPO", "ActorCriticPolicy")
    assert data["observation_space"] == {"type": "Box", "shape": [101], "dtype": "float32"}
    assert data["action_space"] == {"type": "Discrete", "n": 4}
    pi, vf = data["networks"]
    assert (pi["name"], pi["role"], pi["params"], pi["trainable_params"], pi["target"]) == (
        "pi",
        "policy",
        10948,
        10948,
        False,
    )
    assert (vf["name"], vf["role"], vf["params"]) == ("vf", "value", 10753)
    first = next(layer for layer in pi["layers"] if layer["type"] == "Linear")
    assert first == {
        "path": "mlp_extractor.policy_net.0",
        "type": "Linear",
        "in_features": 101,
        "out_features": 64,
        "bias": True,
        "params": 6528,
        "macs": 6464,
        "trainable": True,
        "shared": False,
        "part": "body",
        "param_shapes": {"weight": [64, 101], "bias": [64]},
    }
    assert data["totals"]["params"] == 21701 and data["totals"]["trainable_params"] == 21701


def test_log_std_is_a_row() -> None:
    data = json.loads(invoke("inspect", "--algo", "ppo", "--obs", "101", "--act", "box:3", "-f", "json").stdout)
    rows = {layer["path"]: layer for layer in data["networks"][0]["layers"]}
    assert rows["log_std"] == {
        "path": "log_std",
        "type": "Parameter",
        "shape": [3],
        "params": 3,
        "macs": 0,
        "trainable": True,
        "shared": False,
        "part": "head",
    }


def test_several_sources_give_a_json_array() -> None:
    result = invoke("inspect", SEED, str(ROOT / "configs" / "sac-halfcheetah.yaml"), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["algo"] for d in data] == ["PPO", "SAC"]
    assert [n["name"] for n in data[1]["networks"]] == ["actor", "critic", "critic_target"]


@pytest.mark.parametrize("config", sorted((ROOT / "configs").iterdir()), ids=lambda p: p.name)
def test_every_bundled_config_inspects(config: Path) -> None:
    for fmt in ("table", "markdown", "json"):
        result = invoke("inspect", str(config), "-f", fmt)
        assert result.exit_code == 0, result.output


def test_markdown() -> None:
    out = invoke("inspect", SEED, "-f", "markdown").stdout
    assert out.startswith("## PPO · ActorCriticPolicy (MlpPolicy)")
    assert "| `mlp_extractor.policy_net.0` | Linear + Tanh | 101 → 64 | 64×101 | 64 | 6,528 |" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", "missing.yaml"], "error: missing.yaml: no such file"),
        (["inspect"], "error: command line: nothing to inspect"),
        (["inspect", "--obs", "3"], "error: command line: quick flags need --algo"),
        (
            ["inspect", "--algo", "sac", "--obs", "3", "--act", "discrete:2"],
            "SAC does not support Discrete action spaces",
        ),
        (["inspect", "--algo", "ppo", "--obs", "3", "--act", "discrete:2", "--net-arch", "64,x"], "net_arch[1]"),
        (["inspect", "--algo", "ppo", "--obs", "3", "--act", "discrete:2", "-k", "nope"], "expected key=value"),
        (["inspect", SEED, "--format", "xml"], "error: Invalid value for '--format' / '-f'"),
        (["inspect", SEED, "--bogus"], "error: No such option: --bogus"),
        (["frobnicate"], "error: No such command 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert message in captured.err
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: "), captured.err
    assert "Traceback" not in captured.err


def test_debug_shows_the_traceback() -> None:
    with pytest.raises(Exception, match="no such file"):
        main(["--debug", "inspect", "missing.yaml"])


def test_sb3_refusal_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["inspect", "--algo", "ppo", "--obs", "box:3x10x10:uint8", "--act", "discrete:2", "--policy", "CnnPolicy"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "at least 36×36 pixels" in err and "10×10" in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "inspect" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sb3inspect ")


def test_python_dash_m() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "sb3inspect", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("sb3inspect")


def test_multidiscrete_head_is_json() -> None:
    result = invoke("inspect", "--algo", "a2c", "--obs", "3", "--act", "multidiscrete:3,4", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["networks"][0]["layers"][-1]["out_features"] == 7


def test_progress_bar_for_long_batches() -> None:
    import io

    from rich.console import Console

    from sb3inspect.cli import PROGRESS_AFTER, progress

    items = [Path(f"c{i}.yaml") for i in range(PROGRESS_AFTER)]
    assert list(progress(items[:3], "checking")) == items[:3]  # short batch, not a terminal: plain
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    assert list(progress(items, "inspecting", console=console)) == items
    assert "inspecting" in buffer.getvalue()


@pytest.mark.parametrize("command", ["inspect", "scan"])
def test_a_reader_that_stops_early_ends_the_run_quietly(command: str, tmp_path: Path) -> None:
    """``sb3inspect ... | head``: once the reader is gone the run stops with 141 (128 + SIGPIPE), no internal error."""
    import os
    import subprocess
    import sys
    import zipfile

    if command == "inspect":
        args = ["inspect", str(ROOT / "configs" / "ppo-101-64x64.yaml"), "--format", "json"]
    else:
        with zipfile.ZipFile(tmp_path / "model.zip", "w") as archive:
            archive.writestr("data", "{}")
        args = ["scan", str(tmp_path), "--no-cache"]
    child = subprocess.Popen(
        [sys.executable, "-m", "sb3inspect", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SB3INSPECT_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before the first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141, err
    assert "internal error" not in err and "Traceback" not in err, err
