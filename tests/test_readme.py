"""The README's commands, output and example stay true."""

from __future__ import annotations

import re

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_readme_starts_with_the_two_commands() -> None:
    first, second = blocks("bash")[:2]
    assert README.index(first) < README.index("## ")
    assert first.strip().endswith("sb3inspect inspect configs/ppo-101-64x64.yaml")
    assert second.strip().endswith("python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    second = blocks("bash")[1].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert second in ci.splitlines()


def test_seed_output_is_the_golden_table() -> None:
    seed = blocks("text")[0]
    assert seed == (ROOT / "tests" / "golden" / "ppo-101-64x64.txt").read_text()


def test_python_example_runs() -> None:
    example = blocks("python")[0]
    exec(compile(example, "README.md", "exec"), {})
