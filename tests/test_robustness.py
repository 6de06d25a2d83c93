"""Malformed and hostile input: one actionable line, exit 2, no traceback, no hang, nothing run."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.errors import Sb3InspectError, SourceError
from sb3inspect.pipeline import summarize_spec
from sb3inspect.sources.config import MAX_CONFIG_BYTES, spec_from_mapping

from .conftest import ROOT, schema_errors
from .reference import assert_matches_cpu_build

CORPUS = ROOT / "tests" / "corpus"


def corpus() -> list[tuple[str, str, str | None]]:
    """(file, what our one-line error must contain, its code if the row gives one)."""
    rows = []
    for line in (CORPUS / "EXPECTED").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, message, *code = line.split("\t")
            rows.append((name, message, code[0] if code else None))
    return rows


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(code: int, err: str, message: str) -> None:
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert message in err, err


@pytest.mark.parametrize(("name", "message", "kind"), corpus(), ids=[name for name, *_ in corpus()])
def test_corpus(capsys: pytest.CaptureFixture[str], name: str, message: str, kind: str | None) -> None:
    path = CORPUS / name
    before = path.read_bytes()
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert_one_error_line(code, err, message)
    assert out == ""
    assert path.read_bytes() == before, "sb3inspect modified its input"
    if kind is not None:
        with pytest.raises(Sb3InspectError) as raised:
            sb3inspect.summary(path)
        assert raised.value.code == kind


def test_every_corpus_file_is_listed() -> None:
    listed = {name for name, *_ in corpus()}
    assert listed == {p.name for p in CORPUS.iterdir() if p.name != "EXPECTED"}


def test_yaml_tags_run_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    marker = Path("/tmp/sb3inspect-pwned")
    marker.unlink(missing_ok=True)
    run_cli(capsys, "inspect", str(CORPUS / "python-tag.yaml"))
    assert not marker.exists()


def test_special_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert_one_error_line(*run_cli(capsys, "inspect", str(fifo))[::2], "is not a regular file")
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    assert_one_error_line(*run_cli(capsys, "inspect", str(zero))[::2], "is not a regular file")
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    assert_one_error_line(*run_cli(capsys, "inspect", str(big))[::2], "is larger than a config can be")
    assert_one_error_line(*run_cli(capsys, "inspect", str(tmp_path))[::2], "is a directory")
    assert_one_error_line(*run_cli(capsys, "inspect", str(tmp_path / "nope.yaml"))[::2], "no such file")


def test_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("algo: PPO\n")

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert_one_error_line(*run_cli(capsys, "inspect", str(path))[::2], "cannot read: Permission denied")


def test_internal_errors_are_one_line_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sb3inspect.pipeline

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(sb3inspect.pipeline, "inspect_path", broken)
    code, _, err = run_cli(capsys, "inspect", str(ROOT / "configs" / "ppo-101-64x64.yaml"))
    assert code == 2 and err.startswith("error: internal error (ZeroDivisionError: boom)") and err.count("\n") == 1
    assert "please report it" in err and "Traceback" not in err


# --- bombs: bounded time and memory (generous bounds: these catch hangs and blow-ups, not speed) ---


_MEASURE = """
import json, resource, subprocess, sys
result = subprocess.run([sys.executable, "-m", "sb3inspect", *sys.argv[1:]], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # this wrapper's only child
print(json.dumps({"code": result.returncode, "out": result.stdout, "err": result.stderr, "rss": peak}))
"""


def run_bounded(args: list[str], *, timeout: float = 60) -> tuple[int, float, float, str, str]:
    """(exit code, seconds, peak RSS in MB, stdout, stderr) of one ``python -m sb3inspect ARGS``."""
    start = time.perf_counter()
    wrapper = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True
    )
    seconds = time.perf_counter() - start
    result = json.loads(wrapper.stdout)
    return result["code"], seconds, result["rss"], result["out"], result["err"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["alias-bomb.yaml", "deep-5000.yaml", "deep-5000.json", "huge-number.json"])
def test_bombs_fail_fast_in_bounded_memory(name: str) -> None:
    code, seconds, rss, _, err = run_bounded(["inspect", str(CORPUS / name)], timeout=30)
    assert code == 2 and err.startswith("error: "), err
    assert seconds < 10, f"{name} took {seconds:.1f} s"
    assert rss < 1536, f"{name}: a child peaked at {rss:.0f} MB"  # the 1.5 GB budget


@pytest.mark.slow
def test_giant_real_network_is_reported_not_refused() -> None:
    width = 2_000_000_000
    args = ["inspect", "--algo", "ppo", "--obs", "101", "--act", "discrete:4", "--net-arch", str(width), "-f", "json"]
    code, _, rss, out, err = run_bounded(args)
    assert code == 0, err
    assert json.loads(out)["totals"]["params"] == 209 * width + 5  # pi 101w + w + 4w + 4, vf 101w + w + w + 1
    assert schema_errors(json.loads(out)) == []  # made in a subprocess, out of conftest's sight
    # the budget every input keeps (1.5 GB), not a guess at torch's own footprint: a CUDA build of torch
    # alone takes several hundred MB more than the CPU build once imported
    assert rss < 1536, f"peaked at {rss:.0f} MB"


# --- arbitrary values: an exact report or an Sb3InspectError, nothing else ---------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**13) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
KEYS = ["algo", "policy", "observation_space", "action_space", "env", "use_sde", "policy_kwargs", "name", "junk"]
KWARGS = [
    "net_arch",
    "activation_fn",
    "share_features_extractor",
    "n_critics",
    "features_extractor_kwargs",
    "features_extractor_class",
    "log_std_init",
    "ortho_init",
    "lstm_hidden_size",
    "n_quantiles",
    "nope",
]
SEED: dict[str, Any] = {
    "algo": "PPO",
    "observation_space": 5,
    "action_space": "discrete:3",
    "policy_kwargs": {"net_arch": [8]},
}


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    config = json.loads(json.dumps(SEED))
    config["algo"] = draw(
        st.sampled_from(["PPO", "SAC", "DQN", "TD3", "ppo_lstm", "QRDQN", "TQC", "ARS", "CrossQ", "A2C"])
    )
    for _ in range(draw(st.integers(0, 3))):
        config[draw(st.sampled_from(KEYS))] = draw(json_values)
    if isinstance(config.get("policy_kwargs"), dict):
        for _ in range(draw(st.integers(0, 3))):
            config["policy_kwargs"][draw(st.sampled_from(KWARGS))] = draw(json_values)
    if draw(st.booleans()):
        config["action_space"] = draw(
            st.sampled_from(["box:2", "discrete:3", "multibinary:2", {"type": "Box", "shape": [2]}])
        )
    return config


@pytest.mark.slow
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_configs())
def test_arbitrary_configs_give_a_report_or_an_sb3inspect_error(config: dict[str, Any]) -> None:
    try:
        spec = spec_from_mapping(config)
        report = summarize_spec(spec)
    except Sb3InspectError:
        return
    if report.totals.params < 200_000:  # small enough to build for real on CPU
        assert_matches_cpu_build(spec, report)


@pytest.mark.slow
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(json_values, mutated_configs()))
def test_cli_on_arbitrary_json(tmp_path_factory: pytest.TempPathFactory, value: Any) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "config.json"
    path.write_text(json.dumps(value))
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["inspect", str(path)])
    assert code in (0, 2), err.getvalue()
    if code == 2:
        text = err.getvalue()
        assert text.startswith("error: ") and text.count("\n") == 1 and "internal error" not in text, text


def test_markdown_escapes_user_text() -> None:
    import sb3inspect

    report = sb3inspect.summary(
        {"algo": "PPO", "name": "a|b `c` <script>", "observation_space": 3, "action_space": "discrete:2"}
    )
    markdown = report.render("markdown")
    assert "<script>" not in markdown and "a\\|b" in markdown


def test_duplicate_keys_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yaml_file = tmp_path / "dup.yaml"
    yaml_file.write_text("algo: PPO\nalgo: SAC\nobservation_space: 3\naction_space: box:2\n")
    assert_one_error_line(*run_cli(capsys, "inspect", str(yaml_file))[::2], "the key 'algo' appears twice")
    json_file = tmp_path / "dup.json"
    json_file.write_text('{"algo": "PPO", "algo": "SAC"}')
    assert_one_error_line(*run_cli(capsys, "inspect", str(json_file))[::2], "the key 'algo' appears twice")
    merged = tmp_path / "merge.yaml"
    merged.write_text("base: &b {algo: PPO, observation_space: 3, action_space: discrete:2}\n")
    # a merge key may be overridden: that is YAML, not a duplicate
    from sb3inspect.sources.config import read_mapping

    merged.write_text("x: &b {a: 1}\ny: {<<: *b, a: 2}\n")
    assert read_mapping(merged)["y"] == {"a": 2}


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_yaml_is_refused_by_sb3inspect_not_by_the_yaml_backend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    """Past libyaml's own limit (1,000 levels in PyYAML 6.0.4) and well under it, the same error of ours."""
    for levels in (70, 1100):
        if shape == "flow":
            body = "policy_kwargs: {net_arch: " + "[" * levels + "]" * levels + "}\n"
        else:
            body = (
                "policy_kwargs:\n"
                + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(levels))
                + " " * (levels + 1)
                + "x: 1\n"
            )
        path = tmp_path / f"deep-{shape}-{levels}.yaml"
        path.write_text("algo: PPO\nobservation_space: 3\naction_space: discrete:2\n" + body)
        code, _, err = run_cli(capsys, "inspect", str(path))
        assert_one_error_line(code, err, "nests deeper than a config can")


@pytest.mark.parametrize("text, suffix", [("[" * 100 + "]" * 100, ".yaml"), ("[" * 3000 + "]" * 3000, ".json")])
def test_every_reader_says_too_deep_with_one_code(text: str, suffix: str) -> None:
    """The YAML token check, the JSON parser's recursion and the walk over loaded data: one error, one code."""
    from sb3inspect.sources.config import parse_text
    from sb3inspect.sources.limits import check_size

    deep: list[object] = []
    for _ in range(100):
        deep = [deep]
    for read in (lambda: parse_text(text, suffix, "f"), lambda: check_size(deep, "f")):
        with pytest.raises(SourceError) as caught:
            read()
        assert caught.value.code == "too-deep"
