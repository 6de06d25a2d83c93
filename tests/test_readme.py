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


def test_ci_floor_is_the_declared_floor_and_the_readmes() -> None:
    """.ci/floor-constraints.txt pins what pyproject.toml declares as the oldest, and the README says the same."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    from sb3inspect.catalog import release

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {}
    for requirement in (*project["dependencies"], *project["optional-dependencies"]["test"]):
        if match := re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement):
            declared[match[1].replace("_", "-").lower()] = match[2]
    pins = dict(
        line.split("==")
        for line in (ROOT / ".ci" / "floor-constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    section = README.split("## Tested versions", 1)[1].split("\n## ", 1)[0]
    for name, pin in pins.items():
        key = name.replace("_", "-").lower()
        if key not in ("numpy", "torch"):  # not declared: numpy comes with SB3, torch is the user's
            floor, pinned = release(declared[key]) or (), release(pin) or ()
            assert pinned == floor + (0,) * (len(pinned) - len(floor)), (name, pin)
        row = next(line for line in section.splitlines() if line.startswith(f"| {name}"))
        assert f"| {pin}" in row, (name, pin, row)
