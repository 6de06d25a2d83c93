"""Text from a file never acts on the terminal: control characters and bidi overrides are shown escaped.

A key, an env id, a version string or a module name a file carries may hold ESC sequences (clear the
screen, recolour, retitle the window), C1 controls (U+009B is a one-character CSI) or Unicode
bidirectional overrides (U+202E shows ``gnp.exe`` as ``exe.png``). Every way sb3inspect shows text
escapes them: error lines, ``skipped:`` lines, check lines, scan lines, tables, Markdown, Mermaid and
diagrams. JSON escapes them itself.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

import sb3inspect
from sb3inspect.cli import main
from sb3inspect.errors import printable
from sb3inspect.render.graph import build_graph
from sb3inspect.render.mermaid import mermaid

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal raw (newlines and tabs between lines aside)."""
HOSTILE = "\x1b[2J\x1b[1;31mPWNED\x1b[0m\x1b]0;title\x07\x9b2J\u202egnp.exe"


def assert_escaped(*texts: str) -> None:
    for text in texts:
        assert not RAW.search(text), repr(text)


def test_printable_escapes_every_kind_of_control() -> None:
    assert printable("a\x1b[2Jb\x9bc\u202ed\u2066e\x07f\n") == "a\\x1b[2Jb\\x9bc\\u202ed\\u2066e\\x07f\\n"
    assert printable(printable(HOSTILE)) == printable(HOSTILE)  # escaping twice changes nothing
    assert printable("ReLU · 64 → 64 ×2 é") == "ReLU · 64 → 64 ×2 é"  # the report's own characters stay


@pytest.mark.parametrize(
    ("config", "argv"),
    [
        ({"algo": "PPO", "observation_space": 4, "action_space": "discrete:2", "policy_kwargs": {HOSTILE: 1}}, []),
        ({"algo": "PPO", "env": f"CartPole-v1{HOSTILE}"}, []),
        ({"algo": f"PPO{HOSTILE}", "observation_space": 4, "action_space": "discrete:2"}, []),
        (None, ["--algo", "ppo", "--env", HOSTILE]),
    ],
)
def test_error_lines_are_escaped(
    config: dict[str, Any] | None, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if config is not None:
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        argv = [str(path)]
    assert main(["inspect", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: "), captured.err
    assert_escaped(captured.out, captured.err)


def test_rl_zoo3_entry_ids_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ppo.yml"
    path.write_text(
        json.dumps({f"CartPole-v1{HOSTILE}": {"policy": "MlpPolicy"}, "CartPole-v1": {"policy": "MlpPolicy"}})
    )
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert "skipped: " in captured.err
    assert_escaped(captured.out, captured.err)


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved PPO whose version string, a data key and a pickled module name hold control characters."""
    from stable_baselines3 import PPO

    folder = tmp_path_factory.mktemp("escapes")
    PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs={"net_arch": [8]}).save(folder / "ppo.zip")
    data = json.loads(zipfile.ZipFile(folder / "ppo.zip").read("data"))
    payload = pickle.dumps(os.system, protocol=2).replace(b"posix", HOSTILE.encode()[:5] + b"posix")
    data[HOSTILE] = {":type:": f"<class '{HOSTILE}'>", ":serialized:": base64.b64encode(payload).decode()}
    target = folder / f"model{HOSTILE[:4]}.zip"
    with zipfile.ZipFile(folder / "ppo.zip") as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            raw = old.read(info)
            if info.filename == "data":
                raw = json.dumps(data).encode()
            elif info.filename == "_stable_baselines3_version":
                raw = f"2.9.2{HOSTILE}".encode()
            new.writestr(info.filename, raw)
    return target


def test_a_crafted_saved_zip_is_shown_escaped(crafted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = sb3inspect.summary(crafted)
    assert report.safety is not None and report.safety["verdict"] == "unsafe"
    table, markdown = report.render("table"), report.render("markdown")
    assert table.startswith("UNSAFE  data.\\x1b[2J") and "SB3 2.9.2\\x1b[2J" in table, table[:400]
    assert_escaped(table, markdown, mermaid(report))
    json.loads(report.to_json())  # JSON escapes on its own
    for argv in (["inspect"], ["check"], ["scan"], ["diff", str(crafted)]):
        main([*argv, str(crafted)])
        captured = capsys.readouterr()
        assert_escaped(captured.out, captured.err)


def test_a_diagram_draws_escaped_text(crafted: Path) -> None:
    graph = build_graph(sb3inspect.summary(crafted))
    texts = [graph.title, *(f"{label} {value}" for label, value in graph.facts), *graph.notes, graph.totals]
    assert_escaped(*texts)
    assert any("\\x1b" in text for text in texts)


@pytest.mark.parametrize("name", ["run\x1b[2J", "run\x9b2J", "gnp\u202e.exe", "a\u2028b", "a\nb"])
def test_a_config_name_with_any_control_or_bidi_character_is_refused(name: str) -> None:
    """The one rule (errors.UNPRINTABLE), not only C0: a C1 CSI or a bidi override is no one-line label either."""
    with pytest.raises(sb3inspect.ConfigError) as caught:
        sb3inspect.summary({"algo": "PPO", "observation_space": "box:3", "action_space": "discrete:2", "name": name})
    assert caught.value.where.endswith("name")
