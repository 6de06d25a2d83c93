"""rl-zoo3 run folders: every model in it, with the hyperparameters, normalization and config check next to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from gymnasium import spaces

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.errors import SourceError
from sb3inspect.sources.config import parse_run_yaml
from sb3inspect.sources.saved.runfolder import read_run_folder

from .test_saved import make_model

REAL = Path(__file__).parent / "real-models"
HOPPER = REAL / "ppo" / "Hopper-v3_1"


def run_json(path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """The report of a folder's one model: a folder names several, so its JSON is an array."""
    assert main(["inspect", str(path), "-f", "json", "--no-cache"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    return report


def test_a_run_folder_reports_its_model_with_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    report = run_json(HOPPER, capsys)
    assert report["saved_model"]["state_dict"]["status"] == "match"
    run = report["run_folder"]
    assert (run["env"], run["algo"], run["models"]) == ("Hopper-v3", "ppo", ["Hopper-v3.zip"])
    assert run["hyperparameters"]["n_steps"] == 512 and run["hyperparameters"]["normalize"] is True
    assert run["vecnormalize"] == {
        "norm_obs": True,
        "norm_reward": True,
        "clip_obs": 10.0,
        "clip_reward": 10.0,
        "gamma": 0.999,
        "epsilon": 1e-08,
        "training": True,
        "observation_shape": [11],
    }
    assert run["normalization_check"] == {"status": "agree", "vecnormalize": [11], "model": [11]}
    assert run["config_check"] == {
        "status": "agree",
        "compared": [
            "policy",
            "policy_kwargs.log_std_init",
            "policy_kwargs.ortho_init",
            "policy_kwargs.activation_fn",
            "policy_kwargs.net_arch",
        ],
        "differences": [],
        "added_by_algorithm": [],
    }
    assert {name: verdict["verdict"] for name, verdict in run["safety"].items()} == {
        "config.yml": "safe",
        "args.yml": "safe",
        "vecnormalize.pkl": "safe",
    }
    assert main(["inspect", str(HOPPER), "--width", "300", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "config.yml   agrees with the zip (policy, log_std_init, ortho_init, activation_fn, net_arch)" in out
    assert "hyperparams  batch_size 32 · clip_range 0.2" in out and "n_steps 512" in out
    assert "normalize    VecNormalize: observations (11,) normalized (clip_obs 10.0) · rewards normalized" in out


def test_a_dict_observation_normalized_per_key() -> None:
    """HER 1.0: VecNormalize saw the goal Dict, the model its flattened Box: shapes per key, nothing to compare."""
    report = sb3inspect.summary(REAL / "her" / "FetchReach-v1_1")
    run = report.to_dict()["run_folder"]
    assert run["vecnormalize"]["observation_shape"] == {"achieved_goal": [3], "desired_goal": [3], "observation": [10]}
    assert run["normalization_check"] is None and run["config_check"]["status"] == "agree"
    assert run["config_check"]["added_by_algorithm"] == ["use_sde"]


@pytest.fixture
def run_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "Hopper-v3_1"
    shutil.copytree(HOPPER, folder)
    return folder


def test_a_config_that_differs_from_the_zip_says_so(run_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = run_copy / "Hopper-v3" / "config.yml"
    config.write_text(
        config.read_text().replace("log_std_init=-2", "log_std_init=-1").replace("MlpPolicy", "CnnPolicy")
    )
    report = run_json(run_copy, capsys)
    check = report["run_folder"]["config_check"]
    assert check["status"] == "differ"
    assert check["differences"] == [
        {"key": "policy", "config": "CnnPolicy", "zip": "MlpPolicy"},
        {"key": "policy_kwargs.log_std_init", "config": -1, "zip": -2},
    ]
    assert (
        "config.yml and the zip DIFFER: policy_kwargs.log_std_init is -1 in config.yml but -2 in the zip"
        in (report["notes"])
    )
    assert main(["inspect", str(run_copy), "--width", "300", "--no-cache"]) == 0
    assert "config.yml   DIFFERS from the zip: policy, policy_kwargs.log_std_init" in capsys.readouterr().out


def test_every_model_of_a_folder_is_reported(run_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """best_model.zip and checkpoints too: the final model first, then the best, then checkpoints by their steps."""
    for name in ("best_model.zip", "rl_model_20000_steps.zip", "rl_model_5000_steps.zip"):
        shutil.copy(run_copy / "Hopper-v3.zip", run_copy / name)
    (run_copy / "broken.zip").write_bytes(b"not a zip")
    assert main(["inspect", str(run_copy), "-f", "json", "--no-cache"]) == 0
    captured = capsys.readouterr()
    sources = [Path(report["source"]).name for report in json.loads(captured.out)]
    assert sources == [
        "Hopper-v3.zip",
        "best_model.zip",
        "rl_model_5000_steps.zip",
        "rl_model_20000_steps.zip",
    ]
    assert captured.err.count("skipped: ") == 1 and "broken.zip" in captured.err


def test_a_python_tag_in_config_yml_is_refused_and_the_model_still_reported(
    run_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = run_copy / "marker"
    (run_copy / "Hopper-v3" / "config.yml").write_text(f'policy: !!python/object/apply:os.system ["touch {marker}"]\n')
    report = run_json(run_copy, capsys)
    assert not marker.exists()
    run = report["run_folder"]
    assert run["hyperparameters"] == {} and "config_check" not in run
    assert run["safety"]["config.yml"]["verdict"] == "unsafe"
    assert any("has the Python tag !!python/object/apply:os.system" in problem for problem in run["problems"])
    assert report["saved_model"]["safety"]["verdict"] == "unsafe"  # the folder's verdict joins the model's, shown first
    assert any(finding["where"] == "config.yml" for finding in report["saved_model"]["safety"]["findings"])
    assert report["saved_model"]["state_dict"]["status"] == "match"


def test_the_run_yaml_reads_only_the_ordered_dict_tag() -> None:
    text = "!!python/object/apply:collections.OrderedDict\n- - - n_steps\n    - 512\n  - - policy\n    - MlpPolicy\n"
    assert parse_run_yaml(text, "config.yml") == {"n_steps": 512, "policy": "MlpPolicy"}
    nested = "!!python/object/apply:collections.OrderedDict\n- - - env_kwargs\n    - !!python/object/apply:collections.OrderedDict\n      - - - a\n          - 1\n"
    assert parse_run_yaml(nested, "args.yml") == {"env_kwargs": {"a": 1}}
    for evil in ("!!python/name:os.system ''", "a: !!python/object/new:dict {}", "a: !!python/module:os"):
        with pytest.raises(SourceError) as caught:
            parse_run_yaml(evil, "config.yml")
        assert caught.value.code == "python-tag"
    with pytest.raises(SourceError, match="not one list of"):
        parse_run_yaml("!!python/object/apply:collections.OrderedDict {a: 1}", "config.yml")


def test_a_folder_without_models_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(REAL / "ppo")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "its subfolders Hopper-v3_1 hold models" in err
    assert main(["inspect", str(REAL)]) == 2  # a logs root: ALGO/ENV_N/ENV.zip, two levels down
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its subfolders dqn/CartPole-v1_1, her/FetchReach-v1_1, ppo/Hopper-v3_1" in err
    assert "sac/Swimmer-v3_1, trpo/ReacherBulletEnv-v0_1 hold models: pass one of them" in err
    for index in range(7):
        (tmp_path / "logs" / "ppo" / f"Env-v{index}_1").mkdir(parents=True)
        (tmp_path / "logs" / "ppo" / f"Env-v{index}_1" / "Env.zip").write_bytes(b"")
    assert main(["inspect", str(tmp_path / "logs")]) == 2
    assert "ppo/Env-v4_1 and 2 more hold models" in capsys.readouterr().err
    assert main(["inspect", str(tmp_path)]) == 2
    assert "is a directory without a saved model (*.zip) in it" in capsys.readouterr().err
    assert main(["inspect", str(HOPPER), "--env", "Hopper-v3"]) == 2
    assert "is an rl-zoo3 run folder, not an rl-zoo3 file" in capsys.readouterr().err


def test_a_zip_given_alone_has_no_run_folder() -> None:
    report = sb3inspect.summary(HOPPER / "Hopper-v3.zip")
    assert "run_folder" not in report.extra


def test_read_run_folder_without_config() -> None:
    folder = read_run_folder(REAL / "dqn" / "CartPole-v1_1")
    assert folder.env_id == "CartPole-v1" and folder.normalization is None
    assert folder.policy_kwargs == {"net_arch": [256, 256]}


# --- an rl-zoo3 entry against a zip -------------------------------------------------------------------------


def test_diff_of_a_zoo_entry_and_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--env selects the entry of the side that is an rl-zoo3 file; the zip on the other side takes none."""
    import rl_zoo3

    hyperparams = Path(rl_zoo3.__file__).parent / "hyperparams"
    run = tmp_path / "logs" / "ppo" / "CartPole-v1_1"
    run.mkdir(parents=True)
    model = make_model("PPO", "MlpPolicy", spaces.Box(-1, 1, (4,)), spaces.Discrete(2), {}, {})
    model.save(run / "CartPole-v1.zip")
    code = main(["diff", str(hyperparams / "ppo.yml"), str(run / "CartPole-v1.zip"), "--env", "CartPole-v1"])
    out = capsys.readouterr().out
    assert code == 0 and "same architecture" in out, out
    assert main(["diff", str(run / "CartPole-v1.zip"), str(hyperparams / "dqn.yml"), "--env", "CartPole-v1"]) == 1
    assert "q_net" in capsys.readouterr().out
    diff = sb3inspect.diff(hyperparams / "ppo.yml", run / "CartPole-v1.zip", env="CartPole-v1")
    assert diff.same
    assert main(["diff", str(run / "CartPole-v1.zip"), str(run / "CartPole-v1.zip"), "--env", "CartPole-v1"]) == 2
    assert "is a saved model, not an rl-zoo3 file" in capsys.readouterr().err


def test_an_algo_outside_the_policy_class_group_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--algo must not build another algorithm's network around a zip's weights; within the group it chooses."""
    sac = REAL / "sac" / "Swimmer-v3_1" / "Swimmer-v3.zip"
    for argv, owners in (
        (["inspect", str(sac), "--algo", "ppo"], "belongs to SAC"),
        (["check", str(HOPPER), "--algo", "dqn"], "belongs to PPO, TRPO or A2C"),
        (["inspect", str(REAL / "her" / "FetchReach-v1_1"), "--algo", "td3"], "belongs to SAC"),
    ):
        assert main([*argv, "--no-cache"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and owners in err and "drop --algo" in err
    assert main(["check", str(HOPPER), "--algo", "trpo", "--no-cache"]) == 0
    assert "· TRPO ·" in capsys.readouterr().out


def test_optimizers_show_the_options_the_zip_saved(capsys: pytest.CaptureFixture[str]) -> None:
    """lr (and optimizer_kwargs) come from each ``*.optimizer.pth``'s param_groups, not the rebuild's defaults."""
    fetch = run_json(REAL / "her" / "FetchReach-v1_1", capsys)
    assert {o["name"]: o["options"]["lr"] for o in fetch["optimizers"]} == {
        "policy.actor.optimizer": 0.001,
        "policy.critic.optimizer": 0.001,
        "ent_coef_optimizer": 0.001,
    }
    (dqn,) = sb3inspect.summary(REAL / "dqn" / "CartPole-v1_1" / "CartPole-v1.zip").optimizers
    assert dict(dqn.options) == {"lr": 0.0023}
    hopper = sb3inspect.summary(HOPPER / "Hopper-v3.zip")  # a linear schedule: the lr it had set when saved
    assert hopper.optimizers[0].options["eps"] == 1e-05 and hopper.optimizers[0].options["lr"] != 0.0003
    assert any("lr is the one their schedule had set when the model was saved" in note for note in hopper.notes)
    assert main(["inspect", str(REAL / "her" / "FetchReach-v1_1"), "--width", "400", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "actor: Adam lr 0.001 · critic: Adam lr 0.001 · log_ent_coef: Adam lr 0.001" in out


def test_an_lr_only_a_schedule_knows_is_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without its optimizer.pth, a saved schedule's lr is said to be unknown, never shown as a default."""
    import zipfile

    model = make_model(
        "PPO", "MlpPolicy", spaces.Box(-1, 1, (3,)), spaces.Discrete(2), {}, {"learning_rate": lambda p: 1e-3 * p}
    )
    model.save(tmp_path / "full.zip")
    with zipfile.ZipFile(tmp_path / "full.zip") as full, zipfile.ZipFile(tmp_path / "bare.zip", "w") as bare:
        for name in full.namelist():
            if not name.endswith("optimizer.pth"):
                bare.writestr(name, full.read(name))
    (optimizer,) = sb3inspect.summary(tmp_path / "bare.zip").optimizers
    assert "lr" not in optimizer.options
    assert main(["inspect", str(tmp_path / "bare.zip"), "--width", "300", "--no-cache"]) == 0
    assert "Adam lr unknown (a schedule)" in capsys.readouterr().out
    (optimizer,) = sb3inspect.summary(tmp_path / "full.zip").optimizers
    assert optimizer.options["lr"] == pytest.approx(1e-3)


def test_the_observation_line_follows_the_run_vecnormalize(capsys: pytest.CaptureFixture[str]) -> None:
    """A run folder's vecnormalize.pkl standardizes observations: the observation line and --explain say so."""
    for folder in (HOPPER, REAL / "her" / "FetchReach-v1_1", REAL / "trpo" / "ReacherBulletEnv-v0_1"):
        assert main(["inspect", str(folder), "--explain", "--width", "400", "--no-cache"]) == 0
        out = capsys.readouterr().out
        (line,) = [line for line in out.splitlines() if line.startswith("observation")]
        assert "standardized by VecNormalize (the run's vecnormalize.pkl" in line
        assert "not normalized" not in out
    assert main(["inspect", str(REAL / "sac" / "Swimmer-v3_1"), "--no-cache"]) == 0  # no vecnormalize.pkl
    assert "used as is (not normalized)" in capsys.readouterr().out
