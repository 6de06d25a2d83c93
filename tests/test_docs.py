"""docs/ stays true: every public name, signature, schema key, CLI option and config key is documented."""

from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Any

import pytest
import typer

import sb3inspect
from sb3inspect import catalog
from sb3inspect.cli import app
from sb3inspect.sources.config import TOP_LEVEL_KEYS

from .conftest import ROOT, SCHEMA

DOCS = ROOT / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text()


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading line (``## `sb3inspect inspect` ``), up to the next heading of its level or above."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, flags=re.M)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[match.end() :], flags=re.M)
    return text[match.end() : match.end() + end.start()] if end else text[match.end() :]


def flat(text: str) -> str:
    return " ".join(text.split())


# --- python-api.md ---------------------------------------------------------------------------------


def signature(obj: Any) -> str:
    """``summary(obj, *, env=None, algo=None)``: the call as the docs write it, without annotations."""
    parts: list[str] = []
    factories = {f.name: f.default_factory for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj) else {}
    star = False
    for param in inspect.signature(obj).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            parts.append(f"**{param.name}")
            continue
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        if param.default is param.empty:
            parts.append(param.name)
        elif factories.get(param.name, dataclasses.MISSING) is not dataclasses.MISSING:
            parts.append(f"{param.name}={dict(factories[param.name]())!r}")  # type: ignore[misc]
        else:
            parts.append(f"{param.name}={param.default!r}")
    return f"{obj.__name__}({', '.join(parts)})"


def test_every_public_name_has_a_section_in_python_api() -> None:
    text = page("python-api.md")
    for name in sb3inspect.__all__:
        assert re.search(rf"^#+ `{re.escape(name)}`$", text, flags=re.M), (
            f"docs/python-api.md has no section for {name}"
        )


@pytest.mark.parametrize("name", sb3inspect.__all__)
def test_signatures_in_python_api_are_the_real_ones(name: str) -> None:
    obj = getattr(sb3inspect, name)
    if not callable(obj) or (
        isinstance(obj, type) and "__init__" not in vars(obj) and not dataclasses.is_dataclass(obj)
    ):
        return  # a module, a string, or an exception with its base's constructor
    assert signature(obj) in flat(section(page("python-api.md"), f"`{name}`")), signature(obj)


@pytest.mark.parametrize(
    "cls", [cls for name in sb3inspect.__all__ if dataclasses.is_dataclass(cls := getattr(sb3inspect, name))]
)
def test_every_field_of_a_public_record_is_documented(cls: type) -> None:
    text = section(page("python-api.md"), f"`{cls.__name__}`")
    for field in dataclasses.fields(cls):
        assert f"`{field.name}`" in text, f"{cls.__name__}.{field.name} is not in docs/python-api.md"


# --- json-report.md --------------------------------------------------------------------------------


def schema_keys(node: Any) -> set[str]:
    """Every property name the schema defines, at any depth."""
    keys: set[str] = set()
    if isinstance(node, dict):
        keys |= set(node.get("properties", {}))
        for value in node.values():
            keys |= schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            keys |= schema_keys(value)
    return keys


def test_every_schema_key_is_in_json_report() -> None:
    text = page("json-report.md")
    top = section(text, "Top-level keys")
    for key in SCHEMA["properties"]:
        assert f"| `{key}` |" in top, f"top-level key {key} has no row in docs/json-report.md"
    missing = sorted(key for key in schema_keys(SCHEMA) if f"`{key}`" not in text)
    assert not missing, f"docs/json-report.md does not explain {missing}"
    assert "sb3inspect/report/schema.json" in text


# --- cli.md ----------------------------------------------------------------------------------------


def commands() -> dict[str, Any]:
    """The app's click commands (typer vendors click or depends on it: read by duck typing, not by class)."""
    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def names(param: Any) -> list[str]:
    """An option's spellings (``-f``, ``--format``), or an argument's name as the docs write it (``SOURCES``)."""
    if param.param_type_name == "argument":
        return [param.name.upper()]
    return [name for name in (*param.opts, *param.secondary_opts) if name not in ("-h", "--help")]


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_cli_option_is_in_cli_md(command: str) -> None:
    text = section(page("cli.md"), f"`sb3inspect {command}`")
    documented = set(re.findall(r"`(-{1,2}[a-z][a-z-]*)`", text))
    real: set[str] = set()
    for param in commands()[command].params:
        for name in names(param):
            assert f"`{name}`" in text, f"sb3inspect {command} {name} is not in docs/cli.md"
            real.add(name)
    rows = {
        name
        for line in text.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(-{1,2}[a-z-]+)`", line.split("|")[1])
    }
    assert rows <= real, f"docs/cli.md lists options sb3inspect {command} does not have: {rows - real}"
    assert documented


def test_global_options_and_commands_are_in_cli_md() -> None:
    text = page("cli.md")
    group = typer.main.get_command(app)
    for param in group.params:
        for name in names(param):
            assert f"`{name}`" in section(text, "Global options"), name
    for command in commands():
        assert f"[`sb3inspect {command}`]" in text


# --- config.md -------------------------------------------------------------------------------------


def test_every_config_key_algorithm_and_keyword_is_in_config_md() -> None:
    text = page("config.md")
    keys = section(text, "Keys")
    for key in (*TOP_LEVEL_KEYS, *catalog.ZOO_KEYS, "use_sde"):
        assert f"`{key}`" in keys, key
    for alias, name in catalog.ALGO_ALIASES.items():
        assert f"`{name}`" in text and (alias == name.lower() or f"`{alias}`" in text), alias
    keywords = {
        key for info in catalog.ALGORITHMS.values() for policy in info.policies.values() for key in policy.kwargs
    }
    kwargs_section = section(text, "`policy_kwargs`")
    assert not sorted(k for k in keywords if f"`{k}`" not in kwargs_section)
    for info in catalog.ALGORITHMS.values():
        for alias in info.policies:
            assert f"`{alias}`" in text, alias
    for shorthand in ("box:", "image:", "discrete:", "multidiscrete:", "multibinary:"):
        assert f"`{shorthand}" in section(text, "Spaces"), shorthand


# --- references ------------------------------------------------------------------------------------


def test_code_cites_the_docs_not_an_outside_design_file() -> None:
    for path in (ROOT / "sb3inspect").rglob("*.py"):
        source = path.read_text()
        assert "DESIGN" not in source, f"{path} cites DESIGN.md, which is not in the repository; cite docs/ instead"
        for cited in re.findall(r"docs/[\w-]+\.md", source):
            assert (ROOT / cited).is_file(), f"{path} cites {cited}, which does not exist"


def test_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text()
    for doc in sorted(DOCS.glob("*.md")):
        assert f"](docs/{doc.name})" in readme, doc.name
    for target in re.findall(r"\]\(((?:docs|sb3inspect)/[^)#]+)", readme):
        assert (ROOT / target).exists(), target
