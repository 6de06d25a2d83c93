"""hf://ORG/NAME sources, through huggingface_hub and a cache the tests lay out as hf_hub_download leaves it.

No test touches the network: every run sets ``HF_HUB_OFFLINE=1`` and points ``HF_HUB_CACHE`` / ``HF_HOME`` at
a temporary folder (huggingface_hub reads them when it is imported, so each run is a fresh process).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sb3inspect.errors import SourceError
from sb3inspect.sources.saved.hub import parse

REAL = Path(__file__).parent / "real-models"
REVISION = "0123456789abcdef0123456789abcdef01234567"
OLDER = "fedcba9876543210fedcba9876543210fedcba98"
ROOT = Path(__file__).resolve().parent.parent


def lay_out(
    cache: Path, repo_id: str, filename: str, source: Path, *, revision: str = REVISION, ref: str = "main"
) -> Path:
    """As hf_hub_download leaves a download: the file in ``blobs/<sha256>`` (an LFS file's etag), ``refs/<ref>``
    naming the commit, and ``snapshots/<commit>/FILE`` a relative symlink to the blob."""
    repo = cache / "hub" / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)
    (repo / "refs" / ref).write_text(revision)
    blob = repo / "blobs" / hashlib.sha256(source.read_bytes()).hexdigest()
    blob.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, blob)
    target = repo / "snapshots" / revision / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.symlink_to(os.path.relpath(blob, target.parent))
    return target


def run(cache: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(cache),
        "HF_HUB_CACHE": str(cache / "hub"),
        "SB3INSPECT_NO_CACHE": "1",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "sb3inspect", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    lay_out(tmp_path, "sb3/dqn-CartPole-v1", "dqn-CartPole-v1.zip", REAL / "dqn" / "CartPole-v1_1" / "CartPole-v1.zip")
    lay_out(tmp_path, "someone/hopper", "models/final.zip", REAL / "ppo" / "Hopper-v3_1" / "Hopper-v3.zip")
    return tmp_path


def test_a_hub_model_is_read_from_the_cache(cache: Path) -> None:
    result = run(cache, "inspect", "hf://sb3/dqn-CartPole-v1", "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "hf://sb3/dqn-CartPole-v1/dqn-CartPole-v1.zip"
    assert report["saved_model"]["hub"] == {
        "repo_id": "sb3/dqn-CartPole-v1",
        "filename": "dqn-CartPole-v1.zip",
        "revision": REVISION,
        "requested": None,
    }
    assert report["saved_model"]["state_dict"]["status"] == "match" and report["algo"] == "DQN"


@pytest.mark.parametrize("at", ["v1", OLDER, "refs%2Fpr%2F1"])
def test_a_revision_of_a_hub_model(cache: Path, at: str) -> None:
    """``@REV`` (a tag, a commit, a pull request's ref) reads that revision's copy, not main's."""
    older = REAL / "sac" / "Swimmer-v3_1" / "Swimmer-v3.zip"
    lay_out(cache, "sb3/dqn-CartPole-v1", "dqn-CartPole-v1.zip", older, revision=OLDER, ref="v1")
    lay_out(cache, "sb3/dqn-CartPole-v1", "dqn-CartPole-v1.zip", older, revision=OLDER, ref="refs/pr/1")
    result = run(cache, "inspect", f"hf://sb3/dqn-CartPole-v1@{at}", "-f", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["algo"] == "SAC" and report["source"] == f"hf://sb3/dqn-CartPole-v1@{at}/dqn-CartPole-v1.zip"
    assert report["saved_model"]["hub"]["revision"] == OLDER
    assert report["saved_model"]["hub"]["requested"] == at.replace("%2F", "/")


def test_a_named_file_of_a_hub_repository(cache: Path) -> None:
    result = run(cache, "inspect", "hf://someone/hopper/models/final.zip")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PPO · ActorCriticPolicy (MlpPolicy)  hf://someone/hopper/models/final.zip")


def test_diff_and_check_take_hub_sources(cache: Path) -> None:
    local = str(REAL / "dqn" / "CartPole-v1_1" / "CartPole-v1.zip")
    result = run(cache, "diff", "hf://sb3/dqn-CartPole-v1", local)
    assert result.returncode == 0 and "same architecture" in result.stdout, result.stderr
    result = run(cache, "check", "hf://sb3/dqn-CartPole-v1", "--expect", "qf=256,256")
    assert result.returncode == 0 and result.stdout.startswith("ok "), result.stdout + result.stderr


def test_the_python_api_takes_hub_sources(cache: Path) -> None:
    code = "import sb3inspect; r = sb3inspect.summary('hf://sb3/dqn-CartPole-v1'); print(r.algo, r.totals.params)"
    result = run(cache, code=code)
    assert result.stdout.split() == ["DQN", "135172"], result.stderr


def test_the_report_cache_keeps_each_revision_apart(cache: Path) -> None:
    """A Hub report is keyed on the file's bytes and its snapshot: main and @v1 are two entries, each a hit again."""
    lay_out(cache, "sb3/dqn-CartPole-v1", "dqn-CartPole-v1.zip", REAL / "sac" / "Swimmer-v3_1" / "Swimmer-v3.zip",
            revision=OLDER, ref="v1")  # fmt: skip
    code = (
        "import os, sys, json, contextlib, io; os.environ.pop('SB3INSPECT_NO_CACHE');"
        "os.environ['SB3INSPECT_CACHE_DIR'] = sys.argv[1]; from sb3inspect.cli import main\n"
        "for source in sys.argv[2:]:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out): main(['inspect', '-f', 'json', source])\n"
        "    print(json.loads(out.getvalue())['algo'])"
    )
    main, v1 = "hf://sb3/dqn-CartPole-v1", "hf://sb3/dqn-CartPole-v1@v1"
    result = run(cache, str(cache / "reports"), main, v1, main, v1, code=code)
    assert result.stdout.split() == ["DQN", "SAC", "DQN", "SAC"], result.stderr
    assert len(list((cache / "reports").rglob("*.json"))) == 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "hf://sb3/ppo-Pendulum-v1",
            "sb3/ppo-Pendulum-v1's ppo-Pendulum-v1.zip is not in the Hugging Face cache, and HF_HUB_OFFLINE is set",
        ),
        ("hf://sb3", "is not a Hub model: write hf://ORG/NAME or hf://ORG/NAME/FILE.zip"),
        (
            "hf://sb3/dqn-CartPole-v1@v2",
            "sb3/dqn-CartPole-v1's dqn-CartPole-v1.zip at v2 is not in the Hugging Face cache, and HF_HUB_OFFLINE is set",
        ),
        ("hf://sb3/dqn-CartPole-v1@..%2Fx", "'../x' is not a revision"),
        ("hf://sb3/dqn-CartPole-v1@", "'' is not a revision"),
        ("hf://sb3/x/../../etc/passwd.zip", "is not the path of a .zip in the repository"),
    ],
)
def test_a_hub_source_that_cannot_be_had_is_one_line_without_torch(cache: Path, source: str, message: str) -> None:
    code = (
        "import sys; from sb3inspect.cli import main; code = main(['inspect', sys.argv[1]]);"
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)"
    )
    result = run(cache, source, code=code)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1 and message in result.stderr


def test_without_huggingface_hub_the_extra_is_named(cache: Path) -> None:
    code = (
        "import sys; sys.modules['huggingface_hub'] = None; from sb3inspect.cli import main;"
        "sys.exit(main(['inspect', 'hf://sb3/dqn-CartPole-v1']))"
    )
    result = run(cache, code=code)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "need huggingface_hub" in result.stderr and "pip install 'sb3inspect[hub]'" in result.stderr


def test_hub_sources_take_no_env(cache: Path) -> None:
    result = run(cache, "inspect", "hf://sb3/dqn-CartPole-v1", "--env", "CartPole-v1")
    assert result.returncode == 2 and "is a model on the Hugging Face Hub, not an rl-zoo3 file" in result.stderr


@pytest.mark.parametrize(
    ("source", "repo_id", "filename"),
    [
        ("hf://sb3/ppo-CartPole-v1", "sb3/ppo-CartPole-v1", "ppo-CartPole-v1.zip"),
        ("hf://sb3/ppo-CartPole-v1/", "sb3/ppo-CartPole-v1", "ppo-CartPole-v1.zip"),
        ("hf://org/name/sub/model.zip", "org/name", "sub/model.zip"),
        ("hf://org/name@v1.0", "org/name", "name.zip"),
        ("hf://org/name@refs%2Fpr%2F3/sub/model.zip", "org/name", "sub/model.zip"),
    ],
)
def test_hub_sources_name_a_repository_and_a_file(source: str, repo_id: str, filename: str) -> None:
    assert (parse(source).repo_id, parse(source).filename) == (repo_id, filename)
    assert parse(parse(source).url) == parse(source)


def test_a_hub_source_is_not_a_config(cache: Path) -> None:
    with pytest.raises(SourceError) as caught:
        parse("hf://org/name/config.yml")
    assert caught.value.code == "hub-source"


def test_scan_takes_hub_sources_without_torch(cache: Path) -> None:
    """scan reads the file an hf:// source names (the offline cache here), as inspect does, and never imports torch."""
    code = (
        "import sys; from sb3inspect.cli import main; code = main(['scan', *sys.argv[1:]]);"
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)"
    )
    result = run(cache, "hf://sb3/dqn-CartPole-v1", "hf://someone/hopper/models/final.zip", code=code)
    assert result.returncode == 0, result.stderr
    assert "dqn-CartPole-v1.zip" in result.stdout and "models/final.zip" in result.stdout
    assert "2 scanned: 2 safe" in result.stdout
    result = run(cache, "hf://sb3/ppo-Pendulum-v1", code=code)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "is not in the Hugging Face cache, and HF_HUB_OFFLINE is set" in result.stderr
